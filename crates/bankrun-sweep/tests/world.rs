//! Sweeps of a one-world scenario: the embedded cross-protocol test scenario, its forced sale
//! varied. A sale too small to push the shared feed past the liquidation thresholds leaves both
//! lenders untouched; the scenario's sale liquidates in both and books a deficit.

use bankrun_sweep::chunks::{self, Manifest};
use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Outcome, Progress, SweepConfig};
use bankrun_sweep::{vary, world};

mod common;
use common::assert_same;

fn cfg(out: &std::path::Path, threads: usize) -> SweepConfig {
    SweepConfig {
        paths: 2,
        varies: vec![vary::parse("agents.forced-seller.amount=200,380").unwrap()],
        design: Design::Grid,
        cells: 0,
        seed: None,
        threads,
        shard: None,
        resume: false,
        out: out.to_path_buf(),
        chunk_size: 2,
        stop_after_chunks: None,
    }
}

#[test]
fn a_larger_forced_sale_liquidates_in_both_lenders_and_threads_do_not_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let base = bankrun_world::scenario::load_embedded("cross-protocol-xyz").unwrap();
    let none = Progress::none();
    let one = tmp.path().join("t1");
    let Outcome::Complete { cells, .. } = world::sweep(&base, &cfg(&one, 1), &none).unwrap() else {
        panic!("sweep incomplete");
    };
    let two = tmp.path().join("t2");
    world::sweep(&base, &cfg(&two, 2), &none).unwrap();
    assert_same(&one, &two);

    let stat = |cell: usize, name: &str| {
        cells[cell]
            .stats
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.value)
            .unwrap_or_else(|| panic!("no {name} in cell {cell}"))
    };
    assert_eq!(stat(0, "world:liquidations_mean"), 0.0);
    assert_eq!(stat(0, "world:p_bad_debt"), 0.0);
    assert!(stat(1, "world:liquidations_mean") > 30.0);
    assert_eq!(stat(1, "world:p_bad_debt"), 1.0);
    assert!(stat(1, "world:bad_debt_mean_usd") > 100.0);
    // The shared feed's low: the bigger sale pushes it lower.
    assert!(stat(1, "world:min_XYZ/USD_usd_mean") < stat(0, "world:min_XYZ/USD_usd_mean"));

    // Every path row has every column, finite.
    let spec = Manifest::read(&one).unwrap().sweep;
    for c in 0..spec.total_chunks {
        let rows = chunks::read(
            &one.join("paths").join(chunks::chunk_name(c)),
            &spec.columns,
        )
        .unwrap();
        for r in rows {
            assert!(
                r.values.iter().all(|v| v.is_some_and(f64::is_finite)),
                "{r:?}"
            );
        }
    }
}

#[test]
fn a_distribution_or_an_unknown_key_is_refused_before_any_path_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let base = bankrun_world::scenario::load_embedded("cross-protocol-xyz").unwrap();
    let mut c = cfg(&tmp.path().join("a"), 1);
    c.varies = vec![vary::parse("agents.forced-seller.amount=normal(300,10)").unwrap()];
    let e = world::sweep(&base, &c, &Progress::none())
        .unwrap_err()
        .to_string();
    assert!(e.contains("distribution"), "{e}");
    c.varies = vec![vary::parse("agents.forced-seler.amount=1,2").unwrap()];
    assert!(world::sweep(&base, &c, &Progress::none()).is_err());
    assert!(!tmp.path().join("a").exists());
}
