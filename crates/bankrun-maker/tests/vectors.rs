//! Published vectors M1–M3 (protocol-math.md §8) and rpow edge cases.

use bankrun_maker::abaci::{exponential_decrease, linear_decrease, stairstep_exponential_decrease};
use bankrun_maker::math::{RAY, WAD, rpow};
use bankrun_maker::psm::Psm;
use bankrun_maker::{MakerError, U256};

fn n(s: &str) -> U256 {
    s.parse().unwrap()
}

#[test]
fn m1_stairstep_exponential_decrease() {
    let cut = RAY * U256::from(99) / U256::from(100);
    assert_eq!(
        rpow(cut, 10, RAY).unwrap(),
        n("904382075008804490010000000")
    );
    let top = U256::from(2000) * RAY;
    assert_eq!(
        stairstep_exponential_decrease(top, 900, cut, 90).unwrap(),
        n("1808764150017608980020000000000")
    );
    // steps are whole: 989 s is still 10 steps
    assert_eq!(
        stairstep_exponential_decrease(top, 989, cut, 90).unwrap(),
        n("1808764150017608980020000000000")
    );
    assert_eq!(exponential_decrease(top, 0, cut).unwrap(), top);
}

#[test]
fn m2_linear_decrease() {
    let top = U256::from(2000) * RAY;
    assert_eq!(
        linear_decrease(top, 900, 3600).unwrap(),
        n("1500000000000000000000000000000")
    );
    assert_eq!(linear_decrease(top, 3600, 3600).unwrap(), U256::ZERO);
}

#[test]
fn m3_psm_sell_gem_with_tin() {
    let mut psm = Psm::new(
        6,
        WAD / U256::from(1000),
        U256::ZERO,
        U256::from(10u64).pow(U256::from(60)),
    );
    let (dai, fee) = psm.sell_gem(U256::from(1_000_000_000u64)).unwrap();
    assert_eq!(dai, U256::from(999) * WAD);
    assert_eq!(fee, WAD);
    let (paid, fee) = psm.buy_gem(U256::from(1_000_000_000u64)).unwrap();
    assert_eq!((paid, fee), (U256::from(1000) * WAD, U256::ZERO));
    assert_eq!(psm.buy_gem(U256::from(1)), Err(MakerError::Underflow));
}

#[test]
fn psm_ceiling_is_enforced() {
    let line = U256::from(500) * WAD * RAY;
    let mut psm = Psm::new(6, U256::ZERO, U256::ZERO, line);
    assert_eq!(
        psm.sell_gem(U256::from(500_000_001u64)),
        Err(MakerError::CeilingExceeded)
    );
    psm.sell_gem(U256::from(500_000_000u64)).unwrap();
}

#[test]
fn rpow_rejects_large_bases() {
    assert_eq!(
        rpow(U256::from(1) << 128, 2, RAY),
        Err(MakerError::Overflow)
    );
    assert_eq!(rpow(U256::ZERO, 5, RAY).unwrap(), U256::ZERO);
    assert_eq!(rpow(U256::ZERO, 0, RAY).unwrap(), RAY);
}
