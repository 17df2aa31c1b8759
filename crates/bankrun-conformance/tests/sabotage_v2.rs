//! Proof that the Aave v2 differential suite can fail: the native pool is set up with
//! one deliberately wrong value (the EVM market is unchanged) and the driver must report
//! a mismatch within a few random sequences. Runs in the ordinary test run (no feature);
//! the one-wei `rayMul` rounding sabotage for v2 is in `tests/sabotage.rs`
//! (`--features sabotage-rounding`).

use alloy_primitives::U256;
use bankrun_conformance::aave_v2::ReserveSpecV2;
use bankrun_conformance::diff_v2::{run_sequence_v2_with, sequence_v2};
use bankrun_conformance::strategy::first_failure;

const WETH: usize = 0;
const USDC: usize = 1;
const DAI: usize = 2;

fn must_fail(what: &str, tweak: fn(&mut Vec<ReserveSpecV2>)) {
    let run = |ops: &Vec<_>| run_sequence_v2_with(ops, tweak).map(drop);
    let Some((i, e)) = first_failure(30, sequence_v2(50, 60), run) else {
        panic!("{what}: went undetected in 30 sequences");
    };
    let msg = format!("{e:#}");
    let first = msg.lines().take(4).collect::<Vec<_>>().join("\n    ");
    eprintln!("{what}: detected in sequence {i}:\n    {first}");
}

#[test]
fn wrong_market_borrow_rate_is_detected() {
    must_fail("USDC market borrow rate +1 ray-wei", |r| {
        r[USDC].market_borrow_rate += U256::from(1u8)
    });
}

#[test]
fn wrong_reserve_factor_is_detected() {
    must_fail("DAI reserve factor 10.00 % -> 10.01 %", |r| {
        r[DAI].config.reserve_factor += 1
    });
}

#[test]
fn wrong_liquidation_bonus_is_detected() {
    must_fail("WETH liquidation bonus 105.00 % -> 105.01 %", |r| {
        r[WETH].config.liquidation_bonus += 1
    });
}

#[test]
fn wrong_stable_slope_is_detected() {
    must_fail("DAI stable slope 1 2.00 % -> 2.01 %", |r| {
        r[DAI].stable.stable_rate_slope1 += 1
    });
}
