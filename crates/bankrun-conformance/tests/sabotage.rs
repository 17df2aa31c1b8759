//! Proof that the differential suite can fail: built with `--features
//! sabotage-rounding`, the native `WadRayMath.rayMul` rounds down instead of half-up (a
//! one-wei change) and the Aave v3.0.2, v3.6 and v2 comparisons must report a mismatch.
//!
//! `cargo test --release -p bankrun-conformance --features sabotage-rounding --test sabotage`
#![cfg(feature = "sabotage-rounding")]

use bankrun_conformance::aave::AaveVersion;
use bankrun_conformance::diff::run_sequence;
use bankrun_conformance::diff_v2::{run_sequence_v2, sequence_v2};
use bankrun_conformance::strategy::{first_failure, sequence};

fn must_fail(version: AaveVersion) {
    match first_failure(50, sequence(50, 60), |ops| {
        run_sequence(version, ops).map(drop)
    }) {
        Some((_, e)) => eprintln!("{version:?}: sabotage detected as expected: {e:#}"),
        None => panic!(
            "{version:?}: a one-wei rounding change in rayMul went undetected in 50 sequences"
        ),
    }
}

#[test]
fn one_wei_ray_mul_change_is_detected_v302() {
    must_fail(AaveVersion::V3_0_2);
}

#[test]
fn one_wei_ray_mul_change_is_detected_v36() {
    must_fail(AaveVersion::V3_6);
}

#[test]
fn one_wei_ray_mul_change_is_detected_v2() {
    match first_failure(50, sequence_v2(50, 60), |ops| {
        run_sequence_v2(ops).map(drop)
    }) {
        Some((_, e)) => eprintln!("V2: sabotage detected as expected: {e:#}"),
        None => panic!("V2: a one-wei rounding change in rayMul went undetected in 50 sequences"),
    }
}
