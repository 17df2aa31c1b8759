//! Random operation sequences on the real Aave pools (v3.0.2 and v3.6, in revm) and on
//! the native engine, compared after every step. On failure proptest shrinks the
//! sequence and prints it together with the seed (`BANKRUN_CONFORMANCE_SEED`).
//!
//! Sizes: `BANKRUN_CONFORMANCE_CASES` sequences (default 200 here; `.ci/conformance.sh`
//! runs 2,000 per version), 50–60 steps each; `BANKRUN_SOAK=1` runs 20,000.

use bankrun_conformance::aave::AaveVersion;
use bankrun_conformance::diff::run_sequence;
use bankrun_conformance::strategy::{cases, config, sequence};
use proptest::test_runner::{TestCaseError, TestRunner};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn differential(version: AaveVersion) {
    let n = cases(200);
    let mut runner = TestRunner::new(config(n));
    let steps = AtomicUsize::new(0);
    let reverts = AtomicUsize::new(0);
    let stats: Mutex<BTreeMap<&'static str, (usize, usize)>> = Mutex::default();
    let t = Instant::now();
    let result = runner.run(&sequence(50, 60), |ops| {
        let h = run_sequence(version, &ops).map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
        steps.fetch_add(h.steps, Ordering::Relaxed);
        reverts.fetch_add(h.reverts, Ordering::Relaxed);
        let mut s = stats.lock().unwrap();
        for (k, (ok, rev)) in &h.stats {
            let e = s.entry(*k).or_default();
            e.0 += ok;
            e.1 += rev;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!(
            "{version:?} conformance failure (seed: BANKRUN_CONFORMANCE_SEED or default 0xB4A12026):\n{e}"
        );
    }
    eprintln!(
        "{version:?}: {n} sequences, {} steps compared ({} reverting on both sides) in {:.1} s",
        steps.load(Ordering::Relaxed),
        reverts.load(Ordering::Relaxed),
        t.elapsed().as_secs_f64()
    );
    for (k, (ok, rev)) in stats.lock().unwrap().iter() {
        eprintln!("  {k:>16}: {ok:>7} ok, {rev:>7} reverted (same revert on both sides)");
    }
}

#[test]
fn aave_v302_differential() {
    differential(AaveVersion::V3_0_2);
}

#[test]
fn aave_v36_differential() {
    differential(AaveVersion::V3_6);
}
