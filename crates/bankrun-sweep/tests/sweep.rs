//! End-to-end sweeps of a short version of the default scenario (2 simulated hours).

use std::path::{Path, PathBuf};

use bankrun_scenario::LoadedScenario;
use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Outcome, Progress, SweepConfig, merge, sweep};
use bankrun_sweep::{SweepError, vary};

mod common;
use common::{assert_same, files};

/// Writes the default scenario cut to `hours` (events after the window dropped) plus
/// `extra` TOML into `dir`, with its price file; returns the scenario path.
fn short_scenario(dir: &Path, hours: f64, extra: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let text = std::fs::read_to_string(root.join("aave-v3-core-rseth-2026-04.toml")).unwrap();
    let base = bankrun_scenario::load_embedded(bankrun_scenario::DEFAULT_SCENARIO).unwrap();
    let end = base.start_unix + (hours * 3600.0) as i64;
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc["scenario"]["duration_hours"] = toml_edit::value(hours);
    let events = doc["events"].as_array_of_tables_mut().unwrap();
    events.retain(|t| {
        let at = t.get("at").and_then(|v| v.as_str()).unwrap();
        bankrun_chain::time::parse_time(at).unwrap() <= end
    });
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        root.join("data/eth_usd_2026-04.csv"),
        dir.join("data/eth_usd_2026-04.csv"),
    )
    .unwrap();
    let p = dir.join("short.toml");
    std::fs::write(&p, format!("{doc}{extra}")).unwrap();
    p
}

fn load(p: &Path) -> LoadedScenario {
    bankrun_scenario::load_file(p).unwrap()
}

fn cfg(out: &Path, threads: usize) -> SweepConfig {
    SweepConfig {
        paths: 2,
        varies: vec![
            vary::parse("behaviour.w_news=0.5,3").unwrap(),
            vary::parse("market.reserves.WETH.variable_rate_slope2_bps=600..3000:2").unwrap(),
            vary::parse("depositors.whale.threshold_median=lognormal(-0.5,0.3)").unwrap(),
        ],
        design: Design::Grid,
        cells: 0,
        seed: Some(7),
        threads,
        shard: None,
        resume: false,
        out: out.to_path_buf(),
        chunk_size: 3,
        stop_after_chunks: None,
    }
}

const STOCHASTIC: &str = r#"
[stochastic]
step_s = 600
[[stochastic.prices]]
feed = "ETH"
model = "merton"
mu = 0.0
sigma = 0.9
jump_intensity = 50.0
jump_mean = -0.08
jump_sd = 0.03
[[stochastic.prices]]
feed = "USDC"
model = "ou"
theta = 100.0
sigma = 0.05
[stochastic.correlation]
feeds = ["ETH", "USDC"]
matrix = [[1.0, 0.3], [0.3, 1.0]]
"#;

#[test]
fn threads_shards_and_resume_give_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = short_scenario(tmp.path(), 2.0, STOCHASTIC);
    let s = load(&scen);
    let none = Progress::none();

    // 1 thread vs 2 threads.
    let one = tmp.path().join("t1");
    let out = sweep(&s, Some(&scen), &cfg(&one, 1), &none).unwrap();
    let Outcome::Complete {
        cells,
        files: written,
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(cells.len(), 4);
    assert_eq!(written, ["cells.parquet", "cells.csv", "report.html"]);
    assert!(cells.iter().all(|c| c.paths == 2));
    let two = tmp.path().join("t2");
    sweep(&s, Some(&scen), &cfg(&two, 2), &none).unwrap();
    assert_same(&one, &two);
    let chunks = files(&one)
        .keys()
        .filter(|k| k.starts_with("paths"))
        .count();
    assert_eq!(chunks, 3, "8 paths in chunks of 3");

    // Shards 0/2 and 1/2, merged.
    let mut shard_dirs = Vec::new();
    for i in 0..2 {
        let d = tmp.path().join(format!("s{i}"));
        let mut c = cfg(&d, 2);
        c.shard = Some((i, 2));
        let o = sweep(&s, Some(&scen), &c, &none).unwrap();
        assert!(matches!(o, Outcome::ShardComplete { .. }), "{o:?}");
        assert!(
            !d.join("cells.csv").exists(),
            "a shard writes no cell metrics"
        );
        shard_dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    // An incomplete set of shards is refused.
    let e = merge(&shard_dirs[..1], &merged).unwrap_err();
    assert!(
        matches!(e, SweepError::BadInput(ref m) if m.contains("chunk 1")),
        "{e}"
    );
    merge(&shard_dirs, &merged).unwrap();
    assert_same(&one, &merged);

    // Interrupted after one chunk, a stray temp file, then resumed.
    let r = tmp.path().join("resumed");
    let mut c = cfg(&r, 2);
    c.stop_after_chunks = Some(1);
    let o = sweep(&s, Some(&scen), &c, &none).unwrap();
    assert!(
        matches!(o, Outcome::Interrupted { done: 1, total: 3 }),
        "{o:?}"
    );
    assert!(!r.join("cells.csv").exists());
    std::fs::write(r.join("paths/chunk-000002.parquet.tmp"), b"half a file").unwrap();
    // Without --resume the directory is refused.
    let e = sweep(&s, Some(&scen), &cfg(&r, 2), &none).unwrap_err();
    assert!(e.to_string().contains("--resume"), "{e}");
    // A resume with different options is refused.
    let mut other = cfg(&r, 2);
    other.resume = true;
    other.paths = 3;
    let e = sweep(&s, Some(&scen), &other, &none).unwrap_err();
    assert!(e.to_string().contains("paths_per_cell"), "{e}");
    let mut c = cfg(&r, 1);
    c.resume = true;
    sweep(&s, Some(&scen), &c, &none).unwrap();
    assert_same(&one, &r);

    // A kill between writing a chunk and recording it: the chunk is redone.
    let mut m = bankrun_sweep::chunks::Manifest::read(&r).unwrap();
    m.completed.remove(&2);
    m.write(&r).unwrap();
    std::fs::remove_file(r.join("cells.csv")).unwrap();
    sweep(&s, Some(&scen), &c, &none).unwrap();
    assert_same(&one, &r);

    // A kill before the first manifest leaves an empty `paths/` only: --resume starts afresh,
    // but never over a directory holding anything else.
    let k = tmp.path().join("killed-at-start");
    std::fs::create_dir_all(k.join("paths")).unwrap();
    let mut c = cfg(&k, 2);
    c.resume = true;
    sweep(&s, Some(&scen), &c, &none).unwrap();
    assert_same(&one, &k);
    let f = tmp.path().join("foreign");
    std::fs::create_dir_all(f.join("paths")).unwrap();
    std::fs::write(f.join("notes.txt"), b"mine").unwrap();
    let mut c = cfg(&f, 2);
    c.resume = true;
    let e = sweep(&s, Some(&scen), &c, &none).unwrap_err();
    assert!(e.to_string().contains("manifest.json"), "{e}");
    assert_eq!(std::fs::read(f.join("notes.txt")).unwrap(), b"mine");

    // Paths differ from one another and the draws and prices are recorded.
    let rows = bankrun_sweep::chunks::read(
        &one.join("paths/chunk-000000.parquet"),
        &bankrun_sweep::chunks::Manifest::read(&one)
            .unwrap()
            .sweep
            .columns,
    )
    .unwrap();
    assert_eq!(
        (rows[0].cell, rows[0].path, rows[1].path, rows[2].cell),
        (0, 0, 1, 1)
    );
    assert_ne!(rows[0].seed, rows[1].seed);
    let layout_cols = bankrun_sweep::chunks::Manifest::read(&one)
        .unwrap()
        .sweep
        .columns;
    let draw = layout_cols
        .iter()
        .position(|c| c == "draw:depositors.whale.threshold_median")
        .unwrap();
    let eth = layout_cols
        .iter()
        .position(|c| c == "ETH_price_end_ratio")
        .unwrap();
    assert_ne!(rows[0].values[draw], rows[1].values[draw]);
    assert_ne!(rows[0].values[eth], rows[1].values[eth]);
    let html = String::from_utf8(files(&one)["report.html"].clone()).unwrap();
    assert!(html.contains("<svg") && !html.contains("http://") && !html.contains("<script"));
}

#[test]
fn bad_overrides_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = short_scenario(tmp.path(), 2.0, "");
    let s = load(&scen);
    let run = |v: &str| {
        let mut c = cfg(&tmp.path().join("x"), 1);
        c.varies = vec![vary::parse(v).unwrap()];
        match sweep(&s, Some(&scen), &c, &Progress::none()) {
            Err(SweepError::BadInput(m)) => m,
            other => panic!("{v}: {other:?}"),
        }
    };
    // Unknown reserve: names the argument and the choices.
    let e = run("market.reserves.DAI.ltv_bps=1,2");
    assert!(
        e.starts_with("--vary `market.reserves.DAI.ltv_bps`") && e.contains("WETH"),
        "{e}"
    );
    // A value the scenario rules reject: file:line:col, key, expected.
    let e = run("market.reserves.WETH.ltv_bps=8000,9000");
    let file = scen.display().to_string();
    assert!(e.starts_with(&format!("{file}:")), "{e}");
    assert!(e.contains("`market.reserves[0].ltv_bps`: expected ltv_bps <= liquidation_threshold_bps (8300), found 9000"), "{e}");
    assert!(
        e.contains("(cell 1: market.reserves.WETH.ltv_bps=9000)"),
        "{e}"
    );
    let line: usize = e[file.len() + 1..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let text = std::fs::read_to_string(&scen).unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .starts_with("ltv_bps = 8050"),
        "line {line}"
    );
    // A drawn value that can break the rules is caught at its typical value.
    let e = run("behaviour.w_news=normal(-1,0.1)");
    assert!(
        e.contains("`behaviour.w_news`: expected a finite number >= 0, found -1"),
        "{e}"
    );
    // Type mismatch.
    let e = run("market.reserves.WETH.borrowing_enabled=3");
    assert!(
        e.contains("expected a value of the key's type (boolean)"),
        "{e}"
    );
    // Nothing was written.
    assert!(!tmp.path().join("x").join("manifest.json").exists());
}

#[test]
fn stochastic_section_errors_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = "\n[stochastic]\n[[stochastic.prices]]\nfeed = \"ETH\"\nmodel = \"merton\"\nmu = 0.0\nsigma = 0.5\njump_intensity = 3.0\njump_mean = -0.1\n";
    let scen = short_scenario(tmp.path(), 2.0, bad);
    let e = bankrun_scenario::load_file(&scen).unwrap_err().to_string();
    assert!(e.contains("`stochastic.prices[0].jump_sd`: expected the key `jump_sd` (required by model \"merton\")"), "{e}");
    let bad = "\n[stochastic]\n[[stochastic.prices]]\nfeed = \"ETH\"\nmodel = \"gbm\"\nmu = 0.0\nsigma = 0.5\n[stochastic.correlation]\nfeeds = [\"ETH\", \"USDC\"]\nmatrix = [[1.0, 0.5], [0.5, 1.0]]\n";
    let scen = short_scenario(tmp.path(), 2.0, bad);
    let e = bankrun_scenario::load_file(&scen).unwrap_err().to_string();
    assert!(e.contains("`stochastic.correlation.feeds[1]`: expected a feed with a [[stochastic.prices]] entry (ETH), found \"USDC\""), "{e}");
    let bad = "\n[stochastic]\n[[stochastic.prices]]\nfeed = \"ETH\"\nmodel = \"gbm\"\nmu = 0.0\nsigma = 0.5\n[[stochastic.prices]]\nfeed = \"USDC\"\nmodel = \"gbm\"\nmu = 0.0\nsigma = 0.5\n[stochastic.correlation]\nfeeds = [\"ETH\", \"USDC\"]\nmatrix = [[1.0, 1.0], [1.0, 1.0]]\n";
    let scen = short_scenario(tmp.path(), 2.0, bad);
    let e = bankrun_scenario::load_file(&scen).unwrap_err().to_string();
    assert!(e.contains("positive definite"), "{e}");
    let line: usize = e.split(':').nth(1).unwrap().parse().unwrap();
    let text = std::fs::read_to_string(&scen).unwrap();
    assert!(
        text.lines().nth(line - 1).unwrap().starts_with("matrix"),
        "{e}"
    );
}

#[test]
fn realised_prices_have_the_declared_volatility_and_correlation() {
    use bankrun_scenario::{Correlation, PriceModel, PriceProcess, Stochastic};
    let mut base = bankrun_scenario::load_embedded(bankrun_scenario::DEFAULT_SCENARIO).unwrap();
    base.end_unix = base.start_unix + 400 * 86_400;
    let gbm = |feed: &str, sigma: f64| PriceProcess {
        feed: feed.into(),
        model: PriceModel::Gbm,
        mu: Some(0.0),
        sigma: Some(sigma),
        jump_intensity: None,
        jump_mean: None,
        jump_sd: None,
        theta: None,
        mean_usd: None,
        regimes: Vec::new(),
    };
    let st = Stochastic {
        step_s: 3600,
        prices: vec![gbm("ETH", 0.8), gbm("USDC", 0.4)],
        correlation: Some(Correlation {
            feeds: vec!["ETH".into(), "USDC".into()],
            matrix: vec![vec![1.0, 0.6], vec![0.6, 1.0]],
        }),
        parameters: Vec::new(),
    };
    let mut s = base.clone();
    let out = bankrun_sweep::stochastic::realise_prices(&mut s, &st, 11).unwrap();
    assert_eq!(out.len(), 2);
    let rets = |f: &str| -> Vec<f64> {
        s.feeds[f]
            .points()
            .windows(2)
            .map(|w| (w[1].1 / w[0].1).ln())
            .collect()
    };
    let (a, b) = (rets("ETH"), rets("USDC"));
    assert_eq!(a.len(), 9600);
    let dt = 3600.0 / bankrun_sweep::stochastic::YEAR_S;
    let sd = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
    };
    assert!(
        (sd(&a) / dt.sqrt() / 0.8 - 1.0).abs() < 0.03,
        "{}",
        sd(&a) / dt.sqrt()
    );
    assert!((sd(&b) / dt.sqrt() / 0.4 - 1.0).abs() < 0.03);
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>() / a.len() as f64;
    let rho = cov / (sd(&a) * sd(&b));
    assert!((rho - 0.6).abs() < 0.03, "{rho}");
    // Starts at the scenario's price; reproducible.
    assert_eq!(
        s.feeds["ETH"].price_at(s.start_unix),
        base.feeds["ETH"].price_at(base.start_unix)
    );
    let mut s2 = base.clone();
    bankrun_sweep::stochastic::realise_prices(&mut s2, &st, 11).unwrap();
    assert_eq!(s.feeds["ETH"], s2.feeds["ETH"]);
}

#[test]
fn fit_of_the_shipped_sample_loads_as_a_scenario_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/prices/eth_usd_daily_2022_coingecko.csv");
    let text = std::fs::read_to_string(&root).unwrap();
    let s = bankrun_sweep::fit::read_series(&text, "eth.csv", None).unwrap();
    assert_eq!(s.p.len(), 365);
    let tmp = tempfile::tempdir().unwrap();
    for model in [
        bankrun_sweep::fit::FitModel::Gbm,
        bankrun_sweep::fit::FitModel::Merton,
        bankrun_sweep::fit::FitModel::Regime,
    ] {
        let f = bankrun_sweep::fit::fit(&s, model).unwrap();
        if let Some(sigma) = f.get("sigma") {
            // ETH in 2022: annualised volatility of daily log returns about 0.75–0.9.
            assert!((0.6..1.1).contains(&sigma), "{model:?} {sigma}");
        }
        let toml = bankrun_sweep::fit::to_toml(&f, &s, "eth.csv", "ETH");
        let scen = short_scenario(tmp.path(), 2.0, &format!("\n{toml}"));
        let loaded =
            bankrun_scenario::load_file(&scen).unwrap_or_else(|e| panic!("{model:?}: {e}\n{toml}"));
        assert_eq!(loaded.scenario.stochastic.unwrap().prices.len(), 1);
    }
}
