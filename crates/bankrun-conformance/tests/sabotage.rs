//! Proof that the differential suite can fail: built with `--features
//! sabotage-rounding`, the native `WadRayMath.rayMul` rounds down instead of half-up (a
//! one-wei change) and both Aave comparisons must report a mismatch.
//!
//! `cargo test --release -p bankrun-conformance --features sabotage-rounding --test sabotage`
#![cfg(feature = "sabotage-rounding")]

use bankrun_conformance::aave::AaveVersion;
use bankrun_conformance::diff::run_sequence;
use bankrun_conformance::strategy::{config, sequence};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn must_fail(version: AaveVersion) {
    let mut runner = TestRunner::new(config(50));
    for _ in 0..50 {
        let ops = sequence(50, 60).new_tree(&mut runner).unwrap().current();
        if let Err(e) = run_sequence(version, &ops) {
            eprintln!("{version:?}: sabotage detected as expected: {e:#}");
            return;
        }
    }
    panic!("{version:?}: a one-wei rounding change in rayMul went undetected in 50 sequences");
}

#[test]
fn one_wei_ray_mul_change_is_detected_v302() {
    must_fail(AaveVersion::V3_0_2);
}

#[test]
fn one_wei_ray_mul_change_is_detected_v36() {
    must_fail(AaveVersion::V3_6);
}
