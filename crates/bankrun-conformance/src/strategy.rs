//! proptest strategies for [`Op`] sequences, restricted to what both v3.0.2 and v3.6
//! support: variable-rate debt only, no isolation / siloed assets, no e-mode price
//! source, no flash loans, no aToken transfers, no `onBehalfOf` third parties, no
//! pause / grace period, no collateral toggling, no liquidator self-liquidation.
//!
//! Also what the v3 and v2 ([`crate::diff_v2::op_v2`]) op strategies and test runs
//! share: the deposit, liquidation, time and price strategies, the case counts, the
//! deterministic config, the differential run with its report, and the sabotage probe.

use crate::diff::{BORROWERS, LIQUIDATOR, N_RESERVES, Op};
use crate::driver::Tally;
use anyhow::Result;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use std::sync::Mutex;
use std::time::Instant;

/// A borrower's deposit `(user, asset, amount, raw)`: hundredths of a whole token, or (5 %)
/// 1–1,000 wei when `raw`.
pub fn collateral_deposit() -> impl Strategy<Value = (usize, usize, u64, bool)> {
    (
        0..BORROWERS,
        0..N_RESERVES,
        1u64..200_000,
        prop::bool::weighted(0.05),
    )
        .prop_map(|(user, asset, amount, raw)| {
            let amount = if raw { amount % 1000 + 1 } else { amount };
            (user, asset, amount, raw)
        })
}

/// A deposit of the liquidator `(asset, hundredths of a whole token)`.
pub fn liquidity_deposit() -> impl Strategy<Value = (usize, u64)> {
    (0..N_RESERVES, 1u64..20_000_000)
}

/// A liquidation `(user, collateral, debt, bps, receive_a_token)`: users from
/// [`BORROWERS`] on stand for the weakest borrower, `collateral` and `debt` are selectors.
pub fn liquidation_args(
    bps: impl Strategy<Value = u32>,
) -> impl Strategy<Value = (usize, usize, usize, u32, bool)> {
    (
        0..BORROWERS + 2,
        0..N_RESERVES,
        0..N_RESERVES,
        bps,
        any::<bool>(),
    )
}

/// Seconds to advance the clock: a block, a day, a month, a year or anything below 100,000.
pub fn advance_secs() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(1u64),
        Just(12),
        1u64..100_000,
        Just(86_400),
        Just(30 * 86_400),
        Just(365 * 86_400)
    ]
}

/// A price move `(asset, delta_bps)`.
pub fn price_move() -> impl Strategy<Value = (usize, i32)> {
    (0..N_RESERVES, prop_oneof![-3_000i32..1_500, -800i32..200])
}

/// One random op (weights favour the actions that move state).
pub fn op() -> impl Strategy<Value = Op> {
    let user = 0..BORROWERS;
    let asset = 0..N_RESERVES;
    let bps = prop_oneof![1u32..=10_000, Just(10_001u32), 9_000u32..=10_500];
    prop_oneof![
        6 => collateral_deposit().prop_map(|(user, asset, amount, raw)| Op::Supply {
            user,
            asset,
            amount,
            raw
        }),
        1 => liquidity_deposit().prop_map(|(asset, amount)| Op::Supply {
            user: LIQUIDATOR,
            asset,
            amount,
            raw: false
        }),
        3 => (user.clone(), asset.clone(), bps.clone())
            .prop_map(|(user, asset, bps)| Op::Withdraw { user, asset, bps }),
        8 => (user.clone(), asset.clone(), prop_oneof![bps.clone(), 9_500u32..=10_000])
            .prop_map(|(user, asset, bps)| Op::Borrow { user, asset, bps }),
        3 => (user.clone(), asset.clone(), bps.clone())
            .prop_map(|(user, asset, bps)| Op::Repay { user, asset, bps }),
        6 => liquidation_args(bps).prop_map(
            |(user, collateral, debt, bps, receive_a_token)| Op::Liquidate {
                user,
                collateral,
                debt,
                bps,
                receive_a_token
            }
        ),
        2 => (user, 0u8..=1).prop_map(|(user, category)| Op::SetEMode { user, category }),
        4 => advance_secs().prop_map(|secs| Op::Advance { secs }),
        5 => price_move().prop_map(|(asset, delta_bps)| Op::Price { asset, delta_bps }),
        1 => (asset.clone(), prop::option::weighted(0.6, -3i64..5))
            .prop_map(|(asset, delta)| Op::SupplyCap { asset, delta }),
        1 => (asset.clone(), prop::option::weighted(0.6, -3i64..5))
            .prop_map(|(asset, delta)| Op::BorrowCap { asset, delta }),
        1 => prop::bool::weighted(0.5).prop_flat_map(move |_| asset.clone())
            .prop_map(|asset| Op::ToggleFreeze { asset }),
    ]
}

/// A sequence of `min..=max` ops.
pub fn sequence(min: usize, max: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), min..=max)
}

/// Number of sequences: `$BANKRUN_CONFORMANCE_CASES`, else 20,000 with
/// `BANKRUN_SOAK=1`, else `default`.
pub fn cases(default: u32) -> u32 {
    cases_from_env("BANKRUN_CONFORMANCE_CASES", default)
}

/// Number of sequences: `$var`, else 20,000 with `BANKRUN_SOAK=1`, else `default`.
pub fn cases_from_env(var: &str, default: u32) -> u32 {
    if let Some(n) = std::env::var(var).ok().and_then(|s| s.parse().ok()) {
        return n;
    }
    if std::env::var("BANKRUN_SOAK").is_ok_and(|v| v == "1") {
        return 20_000;
    }
    default
}

/// Deterministic proptest config: fixed seed (`$BANKRUN_CONFORMANCE_SEED`, default
/// 0xB4A1_2026), no failure files.
pub fn config(cases: u32) -> Config {
    let seed = std::env::var("BANKRUN_CONFORMANCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xB4A1_2026u64);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Runs `n` random sequences drawn from `ops` through `run` (fresh pools each, returning
/// the harness's tally) under [`config`]: the first mismatch, shrunk by proptest, is a
/// panic naming `label` and the seed. Prints the totals and, per op kind (names
/// right-aligned to `width`), the steps that succeeded and reverted on both sides;
/// returns the totals.
pub fn run_differential<S: Strategy>(
    label: &str,
    n: u32,
    ops: S,
    width: usize,
    run: impl Fn(&S::Value) -> Result<Tally>,
) -> Tally {
    let mut runner = TestRunner::new(config(n));
    let total = Mutex::new(Tally::default());
    let t = Instant::now();
    let result = runner.run(&ops, |ops| {
        let h = run(&ops).map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
        total.lock().unwrap().add(&h);
        Ok(())
    });
    if let Err(e) = result {
        panic!(
            "{label} conformance failure (seed: BANKRUN_CONFORMANCE_SEED or default 0xB4A12026):\n{e}"
        );
    }
    let total = total.into_inner().unwrap();
    eprintln!(
        "{label}: {n} sequences, {} steps compared ({} reverting on both sides) in {:.1} s",
        total.steps,
        total.reverts,
        t.elapsed().as_secs_f64()
    );
    for (k, (ok, rev)) in &total.stats {
        eprintln!("  {k:>width$}: {ok:>7} ok, {rev:>7} reverted (same revert on both sides)");
    }
    total
}

/// The first of `cases` sequences drawn from `ops` (under [`config`]`(cases)`, not
/// shrunk) on which `run` fails: its index and the error. For the sabotage tests, which
/// expect one.
pub fn first_failure<S: Strategy>(
    cases: u32,
    ops: S,
    run: impl Fn(&S::Value) -> Result<()>,
) -> Option<(u32, anyhow::Error)> {
    let mut runner = TestRunner::new(config(cases));
    for i in 0..cases {
        let ops = ops.new_tree(&mut runner).unwrap().current();
        if let Err(e) = run(&ops) {
            return Some((i, e));
        }
    }
    None
}
