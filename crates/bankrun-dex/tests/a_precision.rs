//! Pools with `A_PRECISION = 100` (`StableSwapSTETH.vy`, vyper 0.2.8: the Curve stETH/ETH
//! pool): the invariant's expressions carry the precision (curve/invariant.rs docs).
//!
//! No bytecode of these pools is on a package registry, so the vectors below come from a
//! Python big-integer transcription of the template's `get_D`, `get_y` and `exchange` (the
//! formulas quoted in the invariant's docs), run on the stated state; the second test checks
//! the identity that makes `A_PRECISION = 1` the 3pool path.

use bankrun_dex::U256;
use bankrun_dex::curve::{Amp, StableSwap, get_d};

fn e18(x: u64) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(18))
}

fn steth_pool(a_precise: u64, balances: [U256; 2]) -> StableSwap {
    let mut pool = StableSwap::new(
        vec![e18(1), e18(1)],
        U256::from(a_precise),
        U256::from(1_000_000u64),
        U256::from(5_000_000_000u64),
    )
    .with_a_precision(U256::from(100));
    pool.add_liquidity(&balances, U256::ZERO).unwrap();
    pool
}

#[test]
fn steth_pool_invariant_and_exchange_match_the_transcription() {
    // 310k ETH / 690k stETH (the early-June 2022 ratio of 0.45), A = 50 (A_precise 5000),
    // fee 1 bp, admin fee 50 %.
    let mut pool = steth_pool(5000, [e18(310_000), e18(690_000)]);
    assert_eq!(
        pool.d().unwrap(),
        U256::from_str_radix("998353467685291410952882", 10).unwrap()
    );
    let dy = pool.exchange(1, 0, e18(50_000), U256::ZERO).unwrap().dy;
    assert_eq!(
        dy,
        U256::from_str_radix("48756795755494825147693", 10).unwrap()
    );
    assert_eq!(
        pool.balances[0],
        U256::from_str_radix("261240766160909040497615", 10).unwrap()
    );
    assert_eq!(pool.balances[1], e18(740_000));
}

#[test]
fn precision_one_is_the_plain_invariant_and_precision_100_agrees_to_rounding() {
    let xp = [e18(310_000), e18(690_000)];
    let plain = get_d(&xp, Amp::plain(U256::from(50))).unwrap();
    let one = get_d(
        &xp,
        Amp {
            a: U256::from(50),
            precision: U256::from(1),
        },
    )
    .unwrap();
    assert_eq!(plain, one);
    let precise = get_d(
        &xp,
        Amp {
            a: U256::from(5000),
            precision: U256::from(100),
        },
    )
    .unwrap();
    // Same A: the same D up to the floors of the divisions by A_PRECISION.
    assert!(
        precise.abs_diff(plain) <= U256::from(10),
        "{precise} vs {plain}"
    );
    // A fractional A (50.5) is only expressible with the precision, and moves D.
    let between = get_d(
        &xp,
        Amp {
            a: U256::from(5050),
            precision: U256::from(100),
        },
    )
    .unwrap();
    assert!(between > precise);
}
