//! The Terra parts of a run's outputs: the summary figures, the report section (UST and LUNA
//! prices by venue, LUNA supply, Anchor deposits and yield reserve, exits by cohort, the
//! scripted events) and the tables (CSV and Parquet) written beside the spiral files.

use std::path::Path;

use arrow::array::RecordBatch;
use bankrun_report::page::{Agg, Block, Chart, Section, Series};
use bankrun_report::parquet::Columns;

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::terra::record::{CohortRow, TerraOutput, TerraRow, TerraSummary};
use crate::world_run::row_times as times;

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn big(x: f64) -> String {
    bankrun_report::compact(x)
}

/// The labelled figures of a Terra run's summary.
pub fn summary_rows(m: &Summary, t: &TerraSummary) -> Vec<(String, String)> {
    let mut rows = vec![
        ("blocks".into(), m.blocks.to_string()),
        (
            "UST (CEX): lowest / at the end".into(),
            format!("${:.4} / ${:.4}", t.ust_min_usd, t.ust_end_usd),
        ),
        (
            "LUNA: lowest / at the end".into(),
            format!("${:.4} / ${:.4}", t.luna_min_usd, t.luna_end_usd),
        ),
        (
            "UST supply: start → end".into(),
            format!("{} → {}", big(t.ust_supply[0]), big(t.ust_supply[1])),
        ),
        (
            "LUNA supply: start → end".into(),
            format!("{} → {}", big(t.luna_supply[0]), big(t.luna_supply[1])),
        ),
        (
            "UST burned by the arbitrageur (market module)".into(),
            big(t.ust_burned),
        ),
        (
            "Anchor deposits at the start".into(),
            big(t.anchor_deposits_start),
        ),
        (
            "Anchor deposits gone: 24 h / 72 h / end".into(),
            format!(
                "{} / {} / {}",
                pct(t.anchor_outflow_share[0]),
                pct(t.anchor_outflow_share[1]),
                pct(t.anchor_outflow_share[2])
            ),
        ),
        (
            "Anchor yield reserve at the end".into(),
            big(t.yield_reserve_end),
        ),
    ];
    for (name, share) in &t.cohort_exit_share {
        rows.push((format!("cohort {name}: share of stake exited"), pct(*share)));
    }
    rows.extend([
        (
            "Anchor liquidations (debt repaid, UST)".into(),
            format!("{} ({})", m.liquidations, big(m.debt_liquidated)),
        ),
        ("Anchor bad debt (UST)".into(), big(m.bad_debt)),
        (
            "txs submitted / included / reverted / dropped".into(),
            format!(
                "{} / {} / {} / {}",
                m.txs_submitted, m.txs_included, m.txs_reverted, m.txs_dropped
            ),
        ),
        ("arbitrage trades".into(), m.arbitrages.to_string()),
        (
            "scripted events reverted".into(),
            t.events_reverted.to_string(),
        ),
    ]);
    for (why, n) in &t.revert_reasons {
        rows.push((format!("reverted: {why}"), n.to_string()));
    }
    rows
}

/// The report section of one Terra run.
///
/// # Errors
/// [`SpiralError::Run`] if a recorded time is not RFC 3339 or a table cannot be built.
pub fn section(r: &RunOutput, t: &TerraOutput) -> Result<Section, SpiralError> {
    let v = r.summary.variant.as_str();
    let ts = times(&t.market, |x| &x.time)?;
    let line = |name: &str, color: usize, agg: Agg, f: fn(&TerraRow) -> f64| {
        let points = ts.iter().zip(&t.market).map(|(x, row)| (*x, f(row)));
        Series::new(name, color, agg, points.collect())
    };
    let mut charts = vec![
        Chart::time(&format!("{v}-ust"), "UST price", "USD", |x| {
            format!("{x:.2}")
        })
        .caption(
            "UST on the CEX book and the Curve UST/3CRV pool (marginal), and the replay \
                 path (Gemini hourly closes; in spiral mode the books do not follow it).",
        )
        .series(vec![
            line("CEX", 3, Agg::Min, |x| x.ust_cex),
            line("Curve", 2, Agg::Min, |x| x.ust_curve),
            line("replay path", 7, Agg::Min, |x| x.ust_path),
        ]),
        Chart::time(&format!("{v}-luna"), "LUNA price", "USD", |x| {
            format!("{x:.2}")
        })
        .caption("LUNA on the CEX book (the oracle's price), and the replay path.")
        .series(vec![
            line("CEX", 3, Agg::Min, |x| x.luna_usd),
            line("replay path", 7, Agg::Min, |x| x.luna_path),
        ]),
        Chart::time(
            &format!("{v}-supply"),
            "Supplies",
            "tokens",
            bankrun_report::compact,
        )
        .caption("LUNA supply (minted by the market module as UST is burned) and UST supply.")
        .series(vec![
            line("LUNA", 1, Agg::Last, |x| x.luna_supply),
            line("UST", 0, Agg::Last, |x| x.ust_supply),
        ]),
        Chart::time(
            &format!("{v}-anchor"),
            "Anchor",
            "UST",
            bankrun_report::compact,
        )
        .caption("Anchor deposits (aUST × exchange rate) and the yield reserve, UST.")
        .series(vec![
            line("deposits", 0, Agg::Last, |x| x.anchor_deposits),
            line("yield reserve", 4, Agg::Last, |x| x.yield_reserve),
        ]),
    ];
    let mut cohorts: Vec<&str> = Vec::new();
    for c in &t.cohorts {
        if !cohorts.contains(&c.cohort.as_str()) {
            cohorts.push(&c.cohort);
        }
    }
    let mut series = Vec::new();
    for (k, name) in cohorts.iter().enumerate() {
        let rows: Vec<&CohortRow> = t.cohorts.iter().filter(|c| c.cohort == *name).collect();
        let ct = times(&rows, |c| &c.time)?;
        let points = ct.iter().zip(&rows).map(|(x, c)| (*x, c.exited_share));
        series.push(Series::new(*name, k, Agg::Last, points.collect()));
    }
    charts.push(
        Chart::time(
            &format!("{v}-cohorts"),
            "Exits by cohort",
            "share of stake",
            |x| format!("{:.0} %", 100.0 * x),
        )
        .caption(
            "Share of each cohort's starting UST exited (redeemed from Anchor or sold from \
             the wallet). Jump Crypto's cohorts exited ≈15 % (large) and ≈5 % (mid) at once, \
             > 40 % and 30 % in three days; small wallets added.",
        )
        .series(series),
    );
    let mut blocks: Vec<Block> = charts.into_iter().map(Block::Chart).collect();
    blocks.push(crate::world_run::events_table(&t.events));
    Ok(Section::new(
        &format!("Mode: {v}"),
        "Times are UTC. Amounts in UST, LUNA or USD as labelled.",
        blocks,
    ))
}

/// The hourly market rows as a record batch.
///
/// # Errors
/// [`SpiralError::Run`].
pub fn market_batch(rows: &[TerraRow]) -> Result<RecordBatch, SpiralError> {
    let ts = times(rows, |r| &r.time)?;
    let rows: Vec<(&TerraRow, i64)> = rows.iter().zip(ts.iter().map(|t| *t as i64)).collect();
    Columns::new(&rows)
        .time("time", |(_, t)| *t)
        .f64("ust_curve", |(r, _)| r.ust_curve)
        .f64("ust_cex", |(r, _)| r.ust_cex)
        .f64("luna_usd", |(r, _)| r.luna_usd)
        .f64("ust_path", |(r, _)| r.ust_path)
        .f64("luna_path", |(r, _)| r.luna_path)
        .f64("ust_supply", |(r, _)| r.ust_supply)
        .f64("luna_supply", |(r, _)| r.luna_supply)
        .f64("coverage", |(r, _)| r.coverage)
        .f64("anchor_deposits", |(r, _)| r.anchor_deposits)
        .f64("anchor_exchange_rate", |(r, _)| r.anchor_exchange_rate)
        .f64("yield_reserve", |(r, _)| r.yield_reserve)
        .f64("deposit_rate", |(r, _)| r.deposit_rate)
        .f64("terra_pool_delta_sdr", |(r, _)| r.terra_pool_delta_sdr)
        .f64("spread_1m_sdr", |(r, _)| r.spread_1m_sdr)
        .f64("curve_ust", |(r, _)| r.curve_ust)
        .f64("curve_usd", |(r, _)| r.curve_usd)
        .f64("ust_burned", |(r, _)| r.ust_burned)
        .f64("luna_minted", |(r, _)| r.luna_minted)
        .finish("terra_market")
        .map_err(|e| SpiralError::Run(format!("parquet: {e}")))
}

/// The hourly cohort rows as a record batch.
///
/// # Errors
/// [`SpiralError::Run`].
pub fn cohorts_batch(rows: &[CohortRow]) -> Result<RecordBatch, SpiralError> {
    let ts = times(rows, |r| &r.time)?;
    let rows: Vec<(&CohortRow, i64)> = rows.iter().zip(ts.iter().map(|t| *t as i64)).collect();
    Columns::new(&rows)
        .time("time", |(_, t)| *t)
        .utf8("cohort", |(r, _)| &r.cohort)
        .utf8("holds", |(r, _)| &r.holds)
        .f64("stake", |(r, _)| r.stake)
        .f64("exited", |(r, _)| r.exited)
        .f64("exited_share", |(r, _)| r.exited_share)
        .f64("sold", |(r, _)| r.sold)
        .f64("added", |(r, _)| r.added)
        .u64("decisions", |(r, _)| r.decisions)
        .finish("terra_cohorts")
        .map_err(|e| SpiralError::Run(format!("parquet: {e}")))
}

/// Writes `<variant>_terra_market`, `_terra_cohorts` (CSV and Parquet) and
/// `<variant>_terra_events.csv` into `dir`; returns their names.
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub fn write(dir: &Path, variant: &str, t: &TerraOutput) -> Result<Vec<String>, SpiralError> {
    let io = |e: std::io::Error| SpiralError::Run(format!("{}: {e}", dir.display()));
    let mut names = Vec::new();
    let csvs = [
        (
            format!("{variant}_terra_market.csv"),
            crate::output::to_csv(&t.market)?,
        ),
        (
            format!("{variant}_terra_cohorts.csv"),
            crate::output::to_csv(&t.cohorts)?,
        ),
        (
            format!("{variant}_terra_events.csv"),
            crate::output::to_csv(&t.events)?,
        ),
    ];
    for (name, text) in csvs {
        std::fs::write(dir.join(&name), text).map_err(io)?;
        names.push(name);
    }
    for (name, batch) in [
        (
            format!("{variant}_terra_market.parquet"),
            market_batch(&t.market)?,
        ),
        (
            format!("{variant}_terra_cohorts.parquet"),
            cohorts_batch(&t.cohorts)?,
        ),
    ] {
        crate::parquet::write(&dir.join(&name), &batch)?;
        names.push(name);
    }
    Ok(names)
}
