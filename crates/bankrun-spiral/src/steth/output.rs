//! The stETH parts of a run's outputs: the summary figures, the report section (stETH/ETH by
//! source, the Curve pool's composition, Aave v2's stETH collateral and WETH utilization,
//! liquidations, what holders sold and buyers bought, the book groups, the scripted events) and
//! the tables (CSV and Parquet) written beside the spiral files.

use std::path::Path;

use arrow::array::RecordBatch;
use bankrun_report::page::{Agg, Block, Chart, Section, Series, Table};
use bankrun_report::parquet::Columns;

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::steth::record::{BookRow, StethOutput, StethRow, StethSummary};
use crate::world_run::row_times as times;

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn big(x: f64) -> String {
    bankrun_report::compact(x)
}

/// The labelled figures of a stETH run's summary.
pub fn summary_rows(m: &Summary, t: &StethSummary) -> Vec<(String, String)> {
    let mut rows = vec![
        ("blocks".into(), m.blocks.to_string()),
        (
            "stETH/ETH, Aave's oracle: lowest".into(),
            format!("{:.4}", t.steth_min_oracle),
        ),
        (
            "stETH/ETH, Curve: lowest / at the end".into(),
            format!("{:.4} / {:.4}", t.steth_min_curve, t.steth_end_curve),
        ),
        (
            "Curve pool, stETH share: start → end (highest)".into(),
            format!(
                "{} → {} ({})",
                pct(t.curve_steth_share[0]),
                pct(t.curve_steth_share[1]),
                pct(t.curve_steth_share_max)
            ),
        ),
        (
            "Aave v2 WETH utilization: highest".into(),
            pct(t.weth_utilization_max),
        ),
        (
            "Aave v2 liquidations (stETH seized)".into(),
            format!("{} ({})", m.liquidations, big(t.steth_seized)),
        ),
        (
            "Aave v2 debt above collateral at the end (ETH)".into(),
            big(t.shortfall_eth),
        ),
        ("stETH sold by holders".into(), big(t.holders_sold)),
        ("stETH bought by dip buyers".into(), big(t.buyers_bought)),
        (
            "scripted sales: stETH sold → ETH received (loss vs par)".into(),
            format!(
                "{} → {} ({} ETH)",
                big(t.forced_sold[0]),
                big(t.forced_sold[1]),
                big(t.forced_loss_eth)
            ),
        ),
        (
            "txs submitted / included / reverted / dropped".into(),
            format!(
                "{} / {} / {} / {}",
                m.txs_submitted, m.txs_included, m.txs_reverted, m.txs_dropped
            ),
        ),
        (
            "scripted events reverted".into(),
            t.events_reverted.to_string(),
        ),
    ];
    for (why, n) in &t.revert_reasons {
        rows.push((format!("reverted: {why}"), n.to_string()));
    }
    rows
}

/// The report section of one stETH run.
///
/// # Errors
/// [`SpiralError::Run`] if a recorded time is not RFC 3339.
pub fn section(r: &RunOutput, t: &StethOutput) -> Result<Section, SpiralError> {
    let v = r.summary.variant.as_str();
    let ts = times(&t.market, |x| &x.time)?;
    let line = |name: &str, color: usize, agg: Agg, f: fn(&StethRow) -> f64| {
        let points = ts.iter().zip(&t.market).map(|(x, row)| (*x, f(row)));
        Series::new(name, color, agg, points.collect())
    };
    let charts = vec![
        Chart::time(&format!("{v}-steth"), "stETH/ETH", "ETH", |x| {
            format!("{x:.3}")
        })
        .caption(
            "stETH in ETH: Aave v2's oracle (Chainlink STETH/ETH), the Curve pool's marginal \
             price, and the real hourly ratio (the replay path).",
        )
        .series(vec![
            line("Aave oracle", 3, Agg::Min, |x| x.steth_oracle),
            line("Curve", 2, Agg::Min, |x| x.steth_curve),
            line("real (replay path)", 7, Agg::Min, |x| x.steth_path),
        ]),
        Chart::time(
            &format!("{v}-pool"),
            "Curve stETH/ETH pool",
            "tokens",
            bankrun_report::compact,
        )
        .caption("The pool's ETH and stETH: sales of stETH drain its ETH.")
        .series(vec![
            line("ETH", 0, Agg::Last, |x| x.curve_eth),
            line("stETH", 1, Agg::Last, |x| x.curve_steth),
        ]),
        Chart::time(&format!("{v}-aave"), "Aave v2", "share", |x| {
            format!("{:.0} %", 100.0 * x)
        })
        .caption("WETH utilization and its variable borrow rate (a year).")
        .series(vec![
            line("WETH utilization", 0, Agg::Max, |x| x.weth_utilization),
            line("WETH borrow APR", 4, Agg::Max, |x| x.weth_borrow_apr),
        ]),
        Chart::time(&format!("{v}-flows"), "stETH flows", "stETH", |x| {
            bankrun_report::compact(x)
        })
        .caption(
            "Cumulative stETH sold by holders, seized by liquidators (and sold on the pool), \
             and bought by dip buyers.",
        )
        .series(vec![
            line("holders sold", 3, Agg::Last, |x| x.holders_sold),
            line("seized", 1, Agg::Last, |x| x.steth_seized),
            line("dip buyers bought", 2, Agg::Last, |x| x.buyers_bought),
        ]),
    ];
    let mut blocks: Vec<Block> = charts.into_iter().map(Block::Chart).collect();
    blocks.push(Block::Table(book_table(&t.books)));
    blocks.push(crate::world_run::events_table(&t.events));
    Ok(Section::new(
        &format!("Mode: {v}"),
        "Times are UTC. Amounts in stETH or ETH as labelled; debt valued at Aave v2's prices.",
        blocks,
    ))
}

fn book_table(books: &[BookRow]) -> Table {
    let rows = books
        .iter()
        .map(|b| {
            vec![
                b.group.clone(),
                b.accounts.to_string(),
                format!("{} → {}", big(b.steth_start), big(b.steth_end)),
                format!("{} → {}", big(b.debt_eth_start), big(b.debt_eth_end)),
                b.liquidated_accounts.to_string(),
                b.min_health_end
                    .map_or_else(|| "no debt".into(), |h| format!("{h:.3}")),
                big(b.shortfall_eth),
            ]
        })
        .collect();
    Table::new(
        "Aave v2 borrower groups",
        &[
            "group",
            "accounts",
            "stETH collateral",
            "debt (ETH)",
            "liquidated",
            "lowest HF at the end",
            "debt above collateral (ETH)",
        ],
        rows,
    )
}

/// The hourly rows as a record batch.
///
/// # Errors
/// [`SpiralError::Run`].
pub fn market_batch(rows: &[StethRow]) -> Result<RecordBatch, SpiralError> {
    let ts = times(rows, |r| &r.time)?;
    let rows: Vec<(&StethRow, i64)> = rows.iter().zip(ts.iter().map(|t| *t as i64)).collect();
    Columns::new(&rows)
        .time("time", |(_, t)| *t)
        .f64("steth_oracle", |(r, _)| r.steth_oracle)
        .f64("steth_curve", |(r, _)| r.steth_curve)
        .f64("steth_path", |(r, _)| r.steth_path)
        .f64("eth_usd", |(r, _)| r.eth_usd)
        .f64("curve_eth", |(r, _)| r.curve_eth)
        .f64("curve_steth", |(r, _)| r.curve_steth)
        .f64("curve_steth_share", |(r, _)| r.curve_steth_share)
        .f64("aave_steth", |(r, _)| r.aave_steth)
        .f64("weth_utilization", |(r, _)| r.weth_utilization)
        .f64("weth_borrow_apr", |(r, _)| r.weth_borrow_apr)
        .u64("liquidations", |(r, _)| r.liquidations)
        .f64("steth_seized", |(r, _)| r.steth_seized)
        .f64("holders_sold", |(r, _)| r.holders_sold)
        .f64("buyers_bought", |(r, _)| r.buyers_bought)
        .finish("steth_market")
        .map_err(|e| SpiralError::Run(format!("parquet: {e}")))
}

/// Writes `<variant>_steth_market` (CSV and Parquet), `<variant>_steth_books.csv` and
/// `<variant>_steth_events.csv` into `dir`; returns their names.
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub fn write(dir: &Path, variant: &str, t: &StethOutput) -> Result<Vec<String>, SpiralError> {
    let csvs = [
        ("market", crate::output::to_csv(&t.market)?),
        ("books", crate::output::to_csv(&t.books)?),
        ("events", crate::output::to_csv(&t.events)?),
    ];
    crate::output::write_mode_tables(dir, variant, "steth", &csvs, &market_batch(&t.market)?)
}
