//! proptest strategies for [`Op`] sequences, restricted to what both v3.0.2 and v3.6
//! support: variable-rate debt only, no isolation / siloed assets, no e-mode price
//! source, no flash loans, no aToken transfers, no `onBehalfOf` third parties, no
//! pause / grace period, no collateral toggling, no liquidator self-liquidation.

use crate::diff::{BORROWERS, N_RESERVES, Op};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// One random op (weights favour the actions that move state).
pub fn op() -> impl Strategy<Value = Op> {
    let user = 0..BORROWERS;
    let asset = 0..N_RESERVES;
    let bps = prop_oneof![1u32..=10_000, Just(10_001u32), 9_000u32..=10_500];
    prop_oneof![
        6 => (user.clone(), asset.clone(), 1u64..200_000, prop::bool::weighted(0.05))
            .prop_map(|(user, asset, amount, raw)| Op::Supply {
                user,
                asset,
                amount: if raw { amount % 1000 + 1 } else { amount },
                raw
            }),
        1 => (asset.clone(), 1u64..20_000_000).prop_map(|(asset, amount)| Op::Supply {
            user: crate::diff::LIQUIDATOR,
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
        6 => (0..BORROWERS + 2, 0..N_RESERVES, 0..N_RESERVES, bps, any::<bool>()).prop_map(
            |(user, collateral, debt, bps, receive_a_token)| Op::Liquidate {
                user,
                collateral,
                debt,
                bps,
                receive_a_token
            }
        ),
        2 => (user, 0u8..=1).prop_map(|(user, category)| Op::SetEMode { user, category }),
        4 => prop_oneof![Just(1u64), Just(12), 1u64..100_000, Just(86_400), Just(30 * 86_400), Just(365 * 86_400)]
            .prop_map(|secs| Op::Advance { secs }),
        5 => (asset.clone(), prop_oneof![-3_000i32..1_500, -800i32..200])
            .prop_map(|(asset, delta_bps)| Op::Price { asset, delta_bps }),
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
    if let Some(n) = std::env::var("BANKRUN_CONFORMANCE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
    {
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
