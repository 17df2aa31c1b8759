//! Random operation sequences on the real Aave v2 `LendingPool` (`@aave/protocol-v2@1.0.1`
//! in revm) and on the native engine in `ProtocolVersion::V2` mode, compared after every
//! step (reserve data, scaled balances, treasury, stable supply and user stable data,
//! bitmaps, account data, wallet deltas, revert reasons). On failure proptest shrinks the
//! sequence and prints it with the seed (`BANKRUN_CONFORMANCE_SEED`).
//!
//! Size: `BANKRUN_CONFORMANCE_V2_CASES` sequences (default 800, about a minute in
//! release on two cores), 50–60 steps each after a 7-step opening; `BANKRUN_SOAK=1` runs
//! 20,000. Full size: `BANKRUN_CONFORMANCE_V2_CASES=2000 cargo test --release --locked -p
//! bankrun-conformance --test aave_v2_differential -- --nocapture`.

use bankrun_conformance::diff_v2::{cases_v2, run_sequence_v2, sequence_v2};
use bankrun_conformance::strategy::run_differential;

#[test]
fn aave_v2_differential() {
    let total = run_differential("Aave v2", cases_v2(800), sequence_v2(50, 60), 26, |ops| {
        run_sequence_v2(ops).map(|h| h.tally)
    });
    eprintln!("  reverts by reason (identical Error(string) on both sides):");
    for ((k, why), n) in &total.reasons {
        eprintln!("  {k:>26}: {n:>7} × {why:?}");
    }
}

/// A directed sequence the random one rarely reaches: the liquidator borrows DAI at
/// stable rate 25 % of the available liquidity at a time until usage is above 95 %,
/// then a borrower's old low-rate stable debt is rebalanced (`rebalanceStableBorrowRate`
/// succeeds), the 25 % limit (`14`) and a withdrawal above the remaining liquidity
/// (`SafeMath: subtraction overflow`) are hit; compared after every step like the random
/// sequences.
#[test]
fn aave_v2_rebalance_scenario() {
    use bankrun_conformance::diff_v2::{LIQUIDATOR, OpV2};
    const DAI: usize = 2;
    let mut ops = vec![OpV2::Borrow {
        user: 1,
        asset: DAI,
        bps: 5_000,
        stable: true,
    }];
    ops.push(OpV2::Drain {
        asset: DAI,
        bps: 2_600,
        stable: true,
    });
    for _ in 0..12 {
        ops.push(OpV2::Drain {
            asset: DAI,
            bps: 2_500,
            stable: true,
        });
    }
    ops.push(OpV2::Advance { secs: 86_400 });
    ops.push(OpV2::Rebalance { user: 1, asset: 0 });
    ops.push(OpV2::Rebalance { user: 1, asset: 0 });
    ops.push(OpV2::WithdrawAvailable {
        user: LIQUIDATOR,
        asset: DAI,
        extra: 1,
    });
    ops.push(OpV2::WithdrawAvailable {
        user: 2,
        asset: DAI,
        extra: 0,
    });
    ops.push(OpV2::Advance { secs: 30 * 86_400 });
    ops.push(OpV2::Repay {
        user: LIQUIDATOR,
        asset: 0,
        bps: 10_001,
        stable: true,
    });
    let h = run_sequence_v2(&ops).unwrap_or_else(|e| panic!("{e:#}"));
    let t = &h.tally;
    let rebalance = t.stats["rebalanceStableBorrowRate"];
    eprintln!("rebalance scenario: {:?}", t.stats);
    eprintln!("reverts: {:?}", t.reasons);
    assert_eq!(rebalance.0, 2, "both rebalances succeed");
    assert_eq!(
        t.reasons[&("drain (stable borrow)", "14".to_string())],
        1,
        "26 % of the liquidity is above the stable limit"
    );
    assert_eq!(
        t.reasons[&(
            "withdraw available",
            "SafeMath: subtraction overflow".to_string()
        )],
        1
    );
}
