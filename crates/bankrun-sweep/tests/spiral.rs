//! End-to-end sweeps of a spiral scenario: a cut-down Compound v2 book (40 accounts, ETH
//! collateral, USDC debt, 8 hours) written here, with a `[stress]` whose drop is varied.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, Float64Array};
use arrow::datatypes::DataType;
use bankrun_sweep::chunks::{self, Manifest};
use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Outcome, Progress, SweepConfig, merge};
use bankrun_sweep::{spiral, vary};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

mod common;
use common::{assert_same, files};

const SCENARIO: &str = r#"
[scenario]
name = "compound-mini"
protocol = "compound-v2"
description = "A 40-account Compound v2 book over 8 hours (test)."
seed = 11
start = "2023-03-10T00:00:00Z"
tail_hours = 0
block_seconds = 12

[gas]
model = "eip1559"
base_fee_gwei = 25
utilisation = 0.5
block_gas_limit = 30_000_000
agent_gas_share = 0.05
tx_ttl_blocks = 25

[venues]
pool_eth = 40_000
cex_depth = "all"
impact_half_life_s = 1800
arb_latency_blocks = 1
arb_gas = 150_000
arb_gas_multiplier = 1.1

[compound]
book = "data/book.csv"
prices = "data/prices.csv"
close_factor = 0.5
liquidation_incentive = 1.08
feed_deviation = 0.01
feed_heartbeat_s = 3600
gas_liquidate = 450_000

[[compound.markets]]
name = "ETH"
decimals = 18
collateral_factor = 0.825
price_column = "ETH"
reserve_factor = 0.2
rate_model = [0.02, 0.1, 2.0, 0.8]
[[compound.markets]]
name = "USDC"
decimals = 6
collateral_factor = 0.855
fixed_usd = 1.0
oracle_fixed = true
reserve_factor = 0.075
rate_model = [0.0, 0.04, 1.09, 0.8]

[stress]
drop = 0.3
start = "2023-03-10T01:00:00Z"
ramp_hours = 4

[[keepers]]
name = "liquidator"
count = 2
capital = 50_000_000
gas_budget_eth = 500
gas_multiplier = 1.3
gas_cap_gwei = 500
"#;

/// Writes the scenario, its hourly prices (ETH drifting from $1,600 to $1,520) and its book
/// (account i: 10 + i ETH supplied, USDC borrowed at 80–99.5 % of the borrowing capacity).
fn mini(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let mut prices = String::from("hour_utc,ETH\n");
    for h in 0..=8 {
        prices.push_str(&format!(
            "2023-03-10 {h:02}:00,{}\n",
            1600.0 - 10.0 * h as f64
        ));
    }
    std::fs::write(dir.join("data/prices.csv"), prices).unwrap();
    let mut book = String::from("account,market,supply,borrow\n");
    for i in 0..40 {
        let eth = 10.0 + i as f64;
        let usdc = eth * 1600.0 * 0.825 * (0.8 + 0.005 * i as f64);
        book.push_str(&format!("{i},ETH,{eth},0\n{i},USDC,0,{usdc:.2}\n"));
    }
    std::fs::write(dir.join("data/book.csv"), book).unwrap();
    let p = dir.join("mini.toml");
    std::fs::write(&p, SCENARIO).unwrap();
    p
}

fn cfg(out: &Path, threads: usize) -> SweepConfig {
    SweepConfig {
        paths: 3,
        varies: vec![vary::parse("stress.drop=0.2..0.4:2").unwrap()],
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
fn compound_sweep_is_identical_across_threads_and_shards_with_finite_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = mini(tmp.path());
    let base = bankrun_spiral::load(scen.to_str().unwrap()).unwrap();
    let none = Progress::none();

    let one = tmp.path().join("t1");
    let out = spiral::sweep(&base, Some(&scen), &cfg(&one, 1), &none).unwrap();
    let Outcome::Complete {
        cells,
        files: written,
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(written, ["cells.parquet", "cells.csv", "report.html"]);
    assert_eq!(cells.len(), 2);
    let two = tmp.path().join("t2");
    spiral::sweep(&base, Some(&scen), &cfg(&two, 2), &none).unwrap();
    assert_same(&one, &two);

    // Shards 0/2 and 1/2, merged, give the same bytes.
    let mut shards = Vec::new();
    for i in 0..2 {
        let d = tmp.path().join(format!("s{i}"));
        let mut c = cfg(&d, 2);
        c.shard = Some((i, 2));
        let o = spiral::sweep(&base, Some(&scen), &c, &none).unwrap();
        assert!(matches!(o, Outcome::ShardComplete { .. }), "{o:?}");
        shards.push(d);
    }
    let merged = tmp.path().join("merged");
    merge(&shards, &merged).unwrap();
    assert_same(&one, &merged);

    // Per-path rows: both variants, every metric present and finite (the delay only where
    // something was liquidated), distinct seeds.
    let spec = Manifest::read(&one).unwrap().sweep;
    assert_eq!(spec.total_chunks, 3, "6 paths in chunks of 2");
    let mut rows = Vec::new();
    for c in 0..spec.total_chunks {
        rows.extend(
            chunks::read(
                &one.join("paths").join(chunks::chunk_name(c)),
                &spec.columns,
            )
            .unwrap(),
        );
    }
    assert_eq!(rows.len(), 6);
    assert_ne!(rows[0].seed, rows[1].seed);
    let col = |name: &str| {
        spec.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    for v in ["real", "stress"] {
        for m in spiral::SPIRAL_METRICS {
            let i = col(&format!("{v}:{m}"));
            for r in &rows {
                match r.values[i] {
                    Some(x) => assert!(x.is_finite(), "{v}:{m} = {x}"),
                    None => assert_eq!(m, "median_delay_s", "{v}:{m} missing"),
                }
            }
        }
    }
    // The stress liquidates, more so with the deeper drop; the real path (ETH −5 %) does not
    // need to.
    let liq = col("stress:liquidations");
    let repaid = col("stress:liquidated_debt_usd");
    let cell_sum = |cell: u32, i: usize| -> f64 {
        rows.iter()
            .filter(|r| r.cell == cell)
            .map(|r| r.values[i].unwrap())
            .sum()
    };
    assert!(cell_sum(0, liq) > 0.0, "no liquidation under a 20 % drop");
    assert!(
        cell_sum(1, repaid) > cell_sum(0, repaid),
        "a 40 % drop repays no more than 20 %"
    );

    // Cell metrics per variant, finite.
    for c in &cells {
        for name in [
            "stress:bad_debt_mean_usd",
            "stress:bad_debt_var99_usd",
            "stress:bad_debt_es99_usd",
            "stress:p_bad_debt",
            "stress:liquidated_debt_usd_mean",
            "stress:txs_reverted_mean",
            "stress:gas_paid_eth_mean",
            "real:liquidations_mean",
        ] {
            let s = c
                .get(name)
                .unwrap_or_else(|| panic!("no cell metric {name}"));
            assert!(s.value.is_some_and(f64::is_finite), "{name}: {s:?}");
        }
        assert!(
            c.get("bad_debt_mean_usd").is_none(),
            "Aave metrics in a spiral sweep"
        );
    }

    // The varied value is a number in cells.parquet.
    let f = File::open(one.join("cells.parquet")).unwrap();
    let batch = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let drop = batch.column_by_name("vary:stress.drop").unwrap();
    assert_eq!(drop.data_type(), &DataType::Float64);
    let drop = drop.as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!((drop.value(0), drop.value(1)), (0.2, 0.4));
    let html = String::from_utf8(files(&one)["report.html"].clone()).unwrap();
    assert!(html.contains("stress:bad_debt_var99_usd"));
}

#[test]
fn spiral_overrides_are_checked_before_any_path_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = mini(tmp.path());
    let base = bankrun_spiral::load(scen.to_str().unwrap()).unwrap();
    let none = Progress::none();
    let run = |v: &str| {
        let mut c = cfg(&tmp.path().join("out"), 1);
        c.varies = vec![vary::parse(v).unwrap()];
        spiral::sweep(&base, Some(&scen), &c, &none)
            .unwrap_err()
            .to_string()
    };
    // Out of range: the scenario's own validation, located, with the cell.
    let e = run("stress.drop=0.5,1.5");
    assert!(
        e.contains("mini.toml:") && e.contains("drop") && e.contains("cell 1"),
        "{e}"
    );
    // Unknown key: the choices are named.
    let e = run("stres.drop=0.5");
    assert!(e.contains("`stres.drop`") && e.contains("stress"), "{e}");
    // Array entries by name.
    let e = run("compound.markets.WBTC.collateral_factor=0.5");
    assert!(e.contains("ETH, USDC"), "{e}");
    // Distributions need [stochastic].
    let e = run("stress.drop=uniform(0.2,0.4)");
    assert!(e.contains("distribution"), "{e}");
    assert!(
        !tmp.path().join("out").exists(),
        "a refused sweep wrote files"
    );
}

/// The embedded Maker scenario (Black Thursday, 12 March 2020) sweeps too, with its auction
/// metrics.
#[test]
fn maker_sweep_is_identical_across_threads_with_auction_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let base = bankrun_spiral::load("black-thursday-2020-03").unwrap();
    let none = Progress::none();
    let run = |name: &str, threads: usize| {
        let out = tmp.path().join(name);
        let mut c = cfg(&out, threads);
        c.paths = 2;
        c.varies = vec![vary::parse("keepers.market-keeper.gas_cap_gwei=60..200:2").unwrap()];
        let o = spiral::sweep(&base, None, &c, &none).unwrap();
        let Outcome::Complete { cells, .. } = o else {
            panic!("{o:?}")
        };
        (out, cells)
    };
    let (one, cells) = run("t1", 1);
    let (two, _) = run("t2", 2);
    assert_same(&one, &two);
    let spec = Manifest::read(&one).unwrap().sweep;
    assert!(
        spec.columns.iter().all(|c| c.starts_with("real:")),
        "{:?}",
        spec.columns
    );
    let rows = chunks::read(
        &one.join("paths").join(chunks::chunk_name(0)),
        &spec.columns,
    )
    .unwrap();
    for m in spiral::SPIRAL_METRICS.iter().chain(&spiral::MAKER_METRICS) {
        let i = spec
            .columns
            .iter()
            .position(|c| *c == format!("real:{m}"))
            .unwrap();
        for r in &rows {
            let x = r.values[i].unwrap_or_else(|| panic!("real:{m} missing"));
            assert!(x.is_finite() && x >= 0.0, "real:{m} = {x}");
        }
    }
    // Black Thursday: keepers bite vaults and some auctions go for (almost) nothing.
    let wins = spec
        .columns
        .iter()
        .position(|c| c == "real:zero_bid_wins")
        .unwrap();
    assert!(rows.iter().any(|r| r.values[wins].unwrap() > 0.0));
    for c in &cells {
        for name in [
            "real:bad_debt_var99_usd",
            "real:zero_bid_wins_mean",
            "real:auction_deficit_usd_mean",
        ] {
            let s = c
                .get(name)
                .unwrap_or_else(|| panic!("no cell metric {name}"));
            assert!(s.value.is_some_and(f64::is_finite), "{name}: {s:?}");
        }
    }
}
