//! `Decimal256`/`Uint256` against `cosmwasm-bignumber 2.2.0`'s rules: published per-block
//! vectors, floor rounding, panics as errors, and u128 reference proptests.

use bankrun_anchor::params::{per_block_to_yearly, yearly_to_per_block};
use bankrun_anchor::{AnchorError, Decimal256, TerraTax, U256, Uint256};
use proptest::prelude::*;

const F: u128 = 1_000_000_000_000_000_000;

fn d(s: &str) -> Decimal256 {
    s.parse().unwrap()
}

fn da(atoms: u128) -> Decimal256 {
    Decimal256::from_atomics(U256::from(atoms))
}

fn u(x: u128) -> Uint256 {
    Uint256::from(x)
}

#[test]
fn published_per_block_rates() {
    // Anchor docs (modify-market-parameters.md): 19.5 % APY = 0.000000041874158490,
    // 20.5 % APY = 0.000000044021551233 per block; the emergency proposal (protocol-math.md
    // §5.2): 4 % = 0.000000008589570972. All are ⌊APY/4,656,810⌋ at 18 dp.
    assert_eq!(
        yearly_to_per_block(d("0.195")).unwrap(),
        d("0.000000041874158490")
    );
    assert_eq!(
        yearly_to_per_block(d("0.205")).unwrap(),
        d("0.000000044021551233")
    );
    assert_eq!(
        yearly_to_per_block(Decimal256::percent(4)).unwrap(),
        d("0.000000008589570972")
    );
    // and back: 41874158490·4,656,810 = 194,999,999,997,816,900 atoms (just under 19.5 %)
    assert_eq!(
        per_block_to_yearly(d("0.000000041874158490")).unwrap(),
        da(41_874_158_490 * 4_656_810)
    );
}

#[test]
fn parse_and_display() {
    assert_eq!(d("1.5"), da(15 * F / 10));
    assert_eq!(d("000012"), da(12 * F));
    assert_eq!(d("0.000000000000000001"), da(1));
    assert_eq!(d("1.123000000").to_string(), "1.123");
    assert_eq!(d("7").to_string(), "7");
    assert!(matches!(
        "0.0000000000000000001".parse::<Decimal256>(),
        Err(AnchorError::Parse(_))
    ));
    assert!(matches!(
        "1.2.3".parse::<Decimal256>(),
        Err(AnchorError::Parse(_))
    ));
    assert!(matches!(
        ".5".parse::<Decimal256>(),
        Err(AnchorError::Parse(_))
    ));
}

#[test]
fn floors_everywhere() {
    // (1/3)·3 = 0.999999999999999999 (each step floors)
    let third = Decimal256::ONE.checked_div(da(3 * F)).unwrap();
    assert_eq!(third, da(333_333_333_333_333_333));
    assert_eq!(third.checked_mul(da(3 * F)).unwrap(), da(F - 1));
    // 10 uusd · 0.15 = 1.5 → 1; 10 / 0.3 = 33.3 → 33
    assert_eq!(u(10).mul_dec(d("0.15")).unwrap(), u(1));
    assert_eq!(u(10).div_dec(d("0.3")).unwrap(), u(33));
    // 1.999… floors to 1
    assert_eq!(d("1.999999999999999999").floor_uint(), u(1));
    assert_eq!(
        Decimal256::from_ratio(2u64, 3u64).unwrap(),
        da(666_666_666_666_666_666)
    );
}

#[test]
fn panics_become_errors() {
    assert_eq!(
        Decimal256::ONE.checked_div(Decimal256::ZERO),
        Err(AnchorError::DivisionByZero)
    );
    // the contract asserts d ≠ 0 before its 0-numerator shortcut
    assert_eq!(
        Uint256::ZERO.div_dec(Decimal256::ZERO),
        Err(AnchorError::DivisionByZero)
    );
    // but u·0 and 0·d are 0 without computing
    assert_eq!(Uint256::ZERO.mul_dec(Decimal256::MAX), Ok(Uint256::ZERO));
    assert_eq!(
        Decimal256::ONE.checked_sub(Decimal256::percent(101)),
        Err(AnchorError::Underflow)
    );
    assert_eq!(
        Decimal256::MAX.checked_add(da(1)),
        Err(AnchorError::Overflow)
    );
    // intermediate overflow: 2^200·2^60 atoms overflows although the result (~2^200) fits
    let a = Decimal256::from_atomics(U256::from(1u8) << 200);
    let b = Decimal256::from_atomics(U256::from(1u8) << 60);
    assert_eq!(a.checked_mul(b), Err(AnchorError::Overflow));
    assert_eq!(
        Decimal256::from_atomics(U256::MAX >> 10).checked_div(Decimal256::ONE),
        Err(AnchorError::Overflow)
    );
    assert_eq!(
        Decimal256::from_uint256(Uint256(U256::MAX >> 10)),
        Err(AnchorError::Overflow)
    );
}

#[test]
fn terra_tax() {
    // zero tax (proposal 172): identity
    assert_eq!(
        TerraTax::ZERO.deduct_tax(u(123_456_789)).unwrap(),
        u(123_456_789)
    );
    // 0.5 % capped at 1.4 UST: 100 UST → tax 100e6 − ⌊100e6/1.005⌋ = 497,513 uusd
    let t = TerraTax {
        rate: d("0.005"),
        cap: u(1_400_000),
    };
    assert_eq!(t.compute_tax(u(100_000_000)).unwrap(), u(497_513));
    // 10,000 UST would owe ~49.75 UST: capped
    assert_eq!(t.compute_tax(u(10_000_000_000)).unwrap(), u(1_400_000));
    assert_eq!(t.deduct_tax(u(10_000_000_000)).unwrap(), u(9_998_600_000));
}

proptest! {
    #[test]
    fn dec_mul_matches_u128(a in 0u128..10_000_000_000_000_000_000, b in 0u128..10_000_000_000_000_000_000) {
        prop_assert_eq!(da(a).checked_mul(da(b)).unwrap(), da(a * b / F));
    }

    #[test]
    fn dec_div_matches_u128(a in 0u128..100_000_000_000_000_000_000, b in 1u128..100_000_000_000_000_000_000) {
        prop_assert_eq!(da(a).checked_div(da(b)).unwrap(), da(a * F / b));
    }

    #[test]
    fn uint_mul_dec_matches_u128(x in 0u128..10_000_000_000_000_000_000, b in 0u128..10_000_000_000_000_000_000) {
        prop_assert_eq!(u(x).mul_dec(da(b)).unwrap(), u(x * b / F));
    }

    #[test]
    fn uint_div_dec_matches_u128(x in 0u128..100_000_000_000_000_000_000, b in 1u128..100_000_000_000_000_000_000) {
        prop_assert_eq!(u(x).div_dec(da(b)).unwrap(), u(x * F / b));
    }

    #[test]
    fn add_sub_round_trip(a in 0u128..u128::MAX / 2, b in 0u128..u128::MAX / 2) {
        let s = da(a).checked_add(da(b)).unwrap();
        prop_assert_eq!(s, da(a + b));
        prop_assert_eq!(s.checked_sub(da(b)).unwrap(), da(a));
        prop_assert_eq!(da(a).checked_sub(da(a + b + 1)), Err(AnchorError::Underflow));
    }
}
