//! `bankrun calibrate` on a short version of the calibration scenario
//! (`aave-v3-core-weth-spike-2026-02`, the first 120 hours).

use std::path::{Path, PathBuf};

use bankrun_engine::SimOptions;
use bankrun_metrics::RunResult;
use bankrun_sweep::SweepError;
use bankrun_sweep::calibrate::{CalibrateConfig, Fit, calibrate, seeds};

const SPIKE: &str = "aave-v3-core-weth-spike-2026-02";
const HOURS: f64 = 120.0;
/// The parameters that make the targets: the centre of the search box below (a grid point).
const REPAY_SPEED: f64 = 20.0;
const ACTIVE_SHARE: f64 = 0.4;

/// The spike scenario cut to `HOURS`, its `[calibration]` replaced by `calibration`, written
/// with its price file into `dir`; returns the path.
fn scenario(dir: &Path, calibration: &str, theta: Option<(f64, f64)>) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let text = std::fs::read_to_string(root.join(format!("{SPIKE}.toml"))).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc["scenario"]["duration_hours"] = toml_edit::value(HOURS);
    doc.remove("calibration");
    let start = bankrun_chain::time::parse_time("2026-02-01T00:00:00Z").unwrap();
    let end = start + (HOURS * 3600.0) as i64;
    let events = doc["events"].as_array_of_tables_mut().unwrap();
    events.retain(|t| {
        let at = t.get("at").and_then(|v| v.as_str()).unwrap();
        bankrun_chain::time::parse_time(at).unwrap() <= end
    });
    if let Some((eta, active)) = theta {
        let books = doc["borrowers"].as_array_of_tables_mut().unwrap();
        for b in books.iter_mut() {
            b["repay_speed"] = toml_edit::value(eta);
            b["active_share"] = toml_edit::value(active);
        }
    }
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        root.join("data/eth_usd_2026-02.csv"),
        dir.join("data/eth_usd_2026-02.csv"),
    )
    .unwrap();
    let p = dir.join(format!("{SPIKE}.toml"));
    std::fs::write(&p, format!("{doc}\n{calibration}")).unwrap();
    p
}

fn calibration(targets: [f64; 3]) -> String {
    format!(
        r#"
[[calibration.targets]]
metric = "WETH_hours_ge_92pct"
value = {:?}  # made by the model at the box's centre
sd = 6.0  # test
source = "the model at the centre"

[[calibration.targets]]
metric = "wstETH_withdrawn_96h_share"
value = {:?}  # made by the model at the box's centre
sd = 0.01  # test
source = "the model at the centre"

[[calibration.targets]]
metric = "weETH_withdrawn_96h_share"
value = {:?}  # made by the model at the box's centre
sd = 0.01  # test
source = "the model at the centre"

[[calibration.parameters]]
name = "repay_speed"
keys = ["borrowers.0.repay_speed", "borrowers.1.repay_speed"]
lo = 5.0  # test
hi = 80.0  # test: log-centre 20
log = true

[[calibration.parameters]]
name = "active_share"
keys = ["borrowers.0.active_share", "borrowers.1.active_share"]
lo = 0.1  # test
hi = 0.7  # test: centre 0.4
"#,
        targets[0], targets[1], targets[2]
    )
}

fn moments(r: &RunResult) -> [f64; 3] {
    let hours = r
        .reserve_series
        .iter()
        .filter(|x| x.reserve == "WETH" && x.utilization >= 0.92)
        .count() as f64
        * 12.0
        / 3600.0;
    let share = |sym: &str| {
        (r.summary.reserves.iter())
            .find(|x| x.symbol == sym)
            .and_then(|x| x.withdrawn_share_96h)
            .expect("a 96 h share")
    };
    [hours, share("wstETH"), share("weETH")]
}

fn config(threads: usize) -> CalibrateConfig {
    CalibrateConfig {
        seeds: 2,
        grid: 3,
        refine: 0,
        seed: None,
        threads,
    }
}

fn run(path: &Path, threads: usize) -> Result<Fit, SweepError> {
    let base = bankrun_scenario::load_file(path).unwrap();
    calibrate(&base, Some(path), &config(threads), &|_, _| {})
}

/// The moments the model makes at the centre of the box, with the calibration's seeds, are
/// the targets; the fit finds the centre again (J = 0 there and nowhere else on the grid),
/// with finite standard errors, and the same fit for any thread count.
#[test]
fn calibrate_recovers_the_parameters_that_made_its_targets() {
    // The calibration's seeds come from the scenario without its [calibration] section.
    let dir2 = tempfile::tempdir().unwrap();
    let path = scenario(dir2.path(), &calibration([0.0; 3]), None);
    let doc: toml_edit::DocumentMut = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at_centre = scenario(dir.path(), "", Some((REPAY_SPEED, ACTIVE_SHARE)));
    let loaded = bankrun_scenario::load_file(&at_centre).unwrap();
    let master = loaded.scenario.scenario.seed;
    let mut sum = [0.0; 3];
    let run_seeds = seeds(&doc, master, 2);
    for &seed in &run_seeds {
        let opts = SimOptions {
            record_series: true,
        };
        let r = bankrun_engine::simulate_with(&loaded, seed, opts, &mut |_, _| {}).unwrap();
        for (s, m) in sum.iter_mut().zip(moments(&r)) {
            *s += m / 2.0;
        }
    }
    let path = scenario(dir2.path(), &calibration(sum), None);
    let one = run(&path, 1).expect("calibrates");
    assert_eq!(one.seeds, run_seeds, "the runs' seeds ignore [calibration]");
    assert!(one.objective < 1e-18, "{one:?}");
    assert!(
        (one.parameters[0].value - REPAY_SPEED).abs() < 1e-9,
        "{one:?}"
    );
    assert!(
        (one.parameters[1].value - ACTIVE_SHARE).abs() < 1e-12,
        "{one:?}"
    );
    for (m, want) in one.moments.iter().zip(sum) {
        assert!((m.simulated - want).abs() < 1e-12, "{m:?} vs {want}");
    }
    assert_eq!(one.points, 9 + 4, "3 x 3 grid and the Jacobian's 4 points");
    assert!(one.parameters.iter().all(|p| !p.at_bound));
    for p in &one.parameters {
        let se = p.se.expect("identified");
        assert!(se.is_finite() && se > 0.0, "{p:?}");
    }
    let two = run(&path, 2).expect("calibrates");
    assert_eq!(one, two, "the thread count changes nothing");
}

/// A scenario without `[calibration]`, or with an unknown metric, is refused before any run.
#[test]
fn calibrate_refuses_what_it_cannot_fit() {
    let dir = tempfile::tempdir().unwrap();
    let bare = scenario(dir.path(), "", None);
    let e = run(&bare, 1).unwrap_err().to_string();
    assert!(e.contains("expected a [calibration] section"), "{e}");
    let unknown = calibration([1.0, 0.1, 0.1]).replace("WETH_hours_ge_92pct", "WETH_nonsense");
    let dir2 = tempfile::tempdir().unwrap();
    let bad = scenario(dir2.path(), &unknown, None);
    let e = run(&bad, 1).unwrap_err().to_string();
    assert!(
        e.contains("calibration.targets[0].metric") && e.contains("WETH_nonsense"),
        "{e}"
    );
}
