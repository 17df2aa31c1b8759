//! The starting book of an Aave scenario reduced to price exposures (`bankrun_engine::exposure`),
//! on the synthetic ETH crash (WETH collateral, USDC debt).

use std::path::Path;

use bankrun_chain::units::units_to_tokens;
use bankrun_engine::exposure::{Exposure, exposures, is_fixed_price};
use bankrun_scenario::{LoadedScenario, load_file};

fn crash() -> LoadedScenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crash.toml");
    load_file(&p).expect("the crash scenario loads")
}

/// The static liquidation check of the curve (`bankrun_spiral::risk::Exposure::liquidatable`):
/// risk-adjusted collateral below debt at volatile price factor `f`.
fn liquidatable(e: &Exposure, f: f64) -> bool {
    let d = e.debt(f);
    d > 0.0 && e.vol_coll_adj * f + e.fixed_coll_adj < d
}

fn liquidatable_debt(ex: &[Exposure], drop: f64) -> f64 {
    let f = 1.0 - drop;
    ex.iter()
        .filter(|e| liquidatable(e, f))
        .map(|e| e.debt(f))
        .sum()
}

#[test]
fn total_debt_is_the_pools_debt_in_usd() {
    let s = crash();
    let seed = s.scenario.scenario.seed;
    let ex = exposures(&s, seed).expect("exposures");
    assert!(!ex.is_empty());
    let total: f64 = ex.iter().map(|e| e.debt(1.0)).sum();

    let sim = bankrun_engine::setup::build(&s, seed).expect("builds");
    let w = sim.population();
    let pool = w.pool.get();
    let pool_debt: f64 = (0..w.assets.len())
        .map(|a| units_to_tokens(pool.total_debt(w.t(), a), w.assets[a].decimals) * w.price_usd(a))
        .sum();
    assert!(
        pool_debt > 1e8,
        "the crash book borrows ~$200M, got {pool_debt}"
    );
    assert!(
        ((total - pool_debt) / pool_debt).abs() < 1e-6,
        "exposures {total} vs pool {pool_debt}"
    );
}

#[test]
fn crash_book_splits_weth_collateral_from_usdc_debt() {
    let s = crash();
    let ex = exposures(&s, s.scenario.scenario.seed).expect("exposures");
    // USDC ($1) is fixed-price, WETH volatile: the borrowers' debt is all fixed, their
    // collateral all volatile, weighted by WETH's 83 % liquidation threshold.
    assert!(is_fixed_price(1.0) && is_fixed_price(0.985) && !is_fixed_price(0.97));
    let fixed: f64 = ex.iter().map(|e| e.fixed_debt).sum();
    assert!(fixed > 1.9e8, "USDC debt {fixed}");
    for e in ex.iter().filter(|e| e.vol_coll > 0.0) {
        assert!(((e.vol_coll_adj / e.vol_coll) - 0.83).abs() < 1e-9, "{e:?}");
    }
}

#[test]
fn liquidatable_debt_grows_with_the_drop() {
    let s = crash();
    let ex = exposures(&s, s.scenario.scenario.seed).expect("exposures");
    assert_eq!(
        liquidatable_debt(&ex, 0.0),
        0.0,
        "no account starts liquidatable"
    );
    let curve: Vec<f64> = (0..=18)
        .map(|i| liquidatable_debt(&ex, f64::from(i) * 0.05))
        .collect();
    for w in curve.windows(2) {
        assert!(w[1] >= w[0], "not monotone: {curve:?}");
    }
    assert!(
        curve[18] > 0.0,
        "nothing liquidatable at a 90 % drop: {curve:?}"
    );
}
