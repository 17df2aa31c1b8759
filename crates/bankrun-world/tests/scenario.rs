//! The one-world scenario format: the embedded cross-protocol scenario runs the chain of
//! events of `cross_protocol.rs` from its TOML, and bad input is located and explained.

use bankrun_world::scenario::{load_embedded, load_str, run};

fn text() -> String {
    bankrun_world::scenario::EMBEDDED[0].1.to_string()
}

#[test]
fn embedded_scenario_runs_the_contagion_chain() {
    let loaded = load_embedded("cross-protocol-xyz").unwrap();
    let mut calls = 0;
    let r = run(&loaded, None, &mut |_, _| calls += 1).unwrap();
    assert_eq!(calls, 300);
    assert_eq!(r.summary.conservation_checks, 300);
    let liq = |p: &str| {
        r.txs
            .iter()
            .filter(|t| t.target == p && t.call == "liquidate" && t.ok)
            .map(|t| t.block)
            .collect::<Vec<_>>()
    };
    let (aave, comp) = (liq("aave"), liq("compound"));
    assert!(!aave.is_empty() && !comp.is_empty(), "{:?}", r.summary);
    assert!(aave[0] < comp[0]);
    let aave_totals = &r.summary.protocols[0];
    assert_eq!(aave_totals.liquidations as usize, aave.len());
    assert!(aave_totals.debt_repaid["USDC"] > 0.0);
    let (_, first, min, _) = &r.summary.feeds[1];
    assert_eq!(*first, 100.0);
    assert!(
        *min < 90.0,
        "XYZ fell below Compound's liquidation price: {min}"
    );
}

#[test]
fn same_seed_same_run_and_another_seed_runs() {
    let loaded = load_embedded("cross-protocol-xyz").unwrap();
    let a = run(&loaded, None, &mut |_, _| {}).unwrap();
    let b = run(&loaded, None, &mut |_, _| {}).unwrap();
    assert_eq!(a, b);
    let c = run(&loaded, Some(99), &mut |_, _| {}).unwrap();
    assert_eq!(c.summary.seed, 99);
}

#[test]
fn misspelt_keys_and_kinds_are_located_with_a_suggestion() {
    let bad = text().replace(
        "liquidation_threshold_bps = 8500",
        "liquidation_treshold_bps = 8500",
    );
    let e = load_str(&bad, "x.toml").unwrap_err().to_string();
    assert!(e.starts_with("x.toml:"), "{e}");
    assert!(
        e.contains("protocols[0].reserves[1].liquidation_treshold_bps"),
        "{e}"
    );
    assert!(
        e.contains("did you mean `liquidation_threshold_bps`?"),
        "{e}"
    );

    let bad = text().replace("kind = \"compound-v2\"", "kind = \"compund-v2\"");
    let e = load_str(&bad, "x.toml").unwrap_err().to_string();
    assert!(e.contains("protocols[1].kind"), "{e}");
    assert!(e.contains("did you mean `compound-v2`?"), "{e}");
}

#[test]
fn unknown_references_name_the_key_and_the_choices() {
    let bad = text().replace(
        "readers = [\"aave\", \"compound\"]\n\n[[feeds]]",
        "readers = [\"aave\", \"compund\"]\n\n[[feeds]]",
    );
    let loaded = load_str(&bad, "x.toml").unwrap();
    let e = run(&loaded, None, &mut |_, _| {}).unwrap_err().to_string();
    assert!(e.contains("feeds[0].readers[1]"), "{e}");
    assert!(e.contains("`aave`, `compound`"), "{e}");
    assert!(e.contains(":94:") || e.contains("x.toml:"), "{e}");

    let bad = text().replace("token = \"XYZ\"\ninto", "token = \"XZY\"\ninto");
    let loaded = load_str(&bad, "x.toml").unwrap();
    let e = run(&loaded, None, &mut |_, _| {}).unwrap_err().to_string();
    assert!(e.contains("agents[1].token"), "{e}");
}

#[test]
fn sizes_beyond_the_limits_are_refused() {
    let bad = text().replace("blocks = 300", "blocks = 4000000000");
    let e = run(&load_str(&bad, "x.toml").unwrap(), None, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("scenario.blocks"), "{e}");
    let bad = text().replace(
        "count = 10\n\n[[agents]]",
        "count = 4000000000\n\n[[agents]]",
    );
    let e = run(&load_str(&bad, "x.toml").unwrap(), None, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("agents[3].count"), "{e}");
}
