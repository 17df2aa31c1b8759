//! Random operation sequences on the real Aave pools (v3.0.2 and v3.6, in revm) and on
//! the native engine, compared after every step. On failure proptest shrinks the
//! sequence and prints it together with the seed (`BANKRUN_CONFORMANCE_SEED`).
//!
//! Sizes: `BANKRUN_CONFORMANCE_CASES` sequences (default 200 here; `.ci/conformance.sh`
//! runs 2,000 per version), 50–60 steps each; `BANKRUN_SOAK=1` runs 20,000.

use bankrun_conformance::aave::AaveVersion;
use bankrun_conformance::diff::run_sequence;
use bankrun_conformance::strategy::{cases, run_differential, sequence};

fn differential(version: AaveVersion) {
    let label = format!("{version:?}");
    run_differential(&label, cases(200), sequence(50, 60), 16, |ops| {
        run_sequence(version, ops).map(|h| h.tally)
    });
}

#[test]
fn aave_v302_differential() {
    differential(AaveVersion::V3_0_2);
}

#[test]
fn aave_v36_differential() {
    differential(AaveVersion::V3_6);
}
