//! Published vectors K1–K3 (protocol-math.md §8).

use bankrun_compound::comet::{BASE_INDEX_SCALE, CometCurve, accrue_index};
use bankrun_compound::{JumpRateModelV2, U256};

fn pct(x: u64) -> U256 {
    U256::from(x) * U256::from(10_000_000_000_000_000u64)
}

fn k1_model() -> JumpRateModelV2 {
    JumpRateModelV2::from_per_year(pct(2), pct(18), pct(400), pct(80)).unwrap()
}

#[test]
fn k1_per_block_parameters() {
    let m = k1_model();
    assert_eq!(m.base_rate_per_block, U256::from(9512937595u64));
    assert_eq!(m.multiplier_per_block, U256::from(107020547945u64));
    assert_eq!(m.jump_multiplier_per_block, U256::from(1902587519025u64));
}

#[test]
fn k2_borrow_and_supply_rates() {
    let m = k1_model();
    let rf = pct(10);
    let e6 = |x: u64| U256::from(x) * U256::from(1_000_000u64);
    let cases = [
        (500, 500, 63023211567u64, 28360445205u64),
        (200, 800, 95129375951, 68493150684),
        (100, 900, 285388127853, 231164383560),
    ];
    for (cash, borrows, br, sr) in cases {
        let (c, b) = (e6(cash), e6(borrows));
        assert_eq!(m.get_borrow_rate(c, b, U256::ZERO).unwrap(), U256::from(br));
        assert_eq!(
            m.get_supply_rate(c, b, U256::ZERO, rf).unwrap(),
            U256::from(sr)
        );
    }
}

#[test]
fn k3_comet_rate_and_index() {
    let curve = CometCurve::from_per_year(
        pct(90),
        pct(15) / U256::from(10),
        pct(35) / U256::from(10),
        pct(250),
    );
    let rate = curve.rate(pct(95)).unwrap();
    assert_eq!(rate, U256::from(5438229323u64));
    let idx = accrue_index(BASE_INDEX_SCALE, rate, 86_400).unwrap();
    assert_eq!(idx, U256::from(1000469863013507u64));
}
