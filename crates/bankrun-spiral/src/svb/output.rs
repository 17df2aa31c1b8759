//! The USDC/SVB parts of a run's outputs: the summary figures, the report section (USDC and
//! DAI by venue, 3pool's composition, the PSM and DAI supply, Aave v2's stablecoin
//! utilization and rates, USDC loans repaid by day, the book groups, the scripted events) and
//! the tables (CSV and Parquet) written beside the spiral files.

use std::path::Path;

use arrow::array::RecordBatch;
use bankrun_report::page::{Agg, Block, Chart, Section, Series, Table};
use bankrun_report::parquet::Columns;

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::svb::record::{SvbBookRow, SvbCompoundSummary, SvbOutput, SvbRow, SvbSummary};
use crate::world_run::row_times as times;

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn big(x: f64) -> String {
    bankrun_report::compact(x)
}

/// The labelled figures of a USDC/SVB run's summary.
pub fn summary_rows(m: &Summary, t: &SvbSummary) -> Vec<(String, String)> {
    let trio = |x: [f64; 3]| format!("{} / {} / {}", pct(x[0]), pct(x[1]), pct(x[2]));
    let mut rows = vec![
        ("blocks".into(), m.blocks.to_string()),
        (
            "USDC/USDT, 3pool: lowest (hourly) / at the end".into(),
            format!("{:.4} / {:.4}", t.usdc_min_curve, t.usdc_end_curve),
        ),
        (
            "USDC, Aave's oracle: lowest (USD)".into(),
            format!("{:.4}", t.usdc_min_oracle),
        ),
        (
            "DAI/USDT, 3pool: lowest (hourly)".into(),
            format!("{:.4}", t.dai_min_curve),
        ),
        (
            "3pool, USDC share: start → end (highest)".into(),
            format!(
                "{} → {} ({})",
                pct(t.curve_usdc_share[0]),
                pct(t.curve_usdc_share[1]),
                pct(t.curve_usdc_share_max)
            ),
        ),
        (
            "PSM USDC: start → end".into(),
            format!("{} → {}", big(t.psm_usdc[0]), big(t.psm_usdc[1])),
        ),
        (
            "DAI supply: start → end".into(),
            format!("{} → {}", big(t.dai_supply[0]), big(t.dai_supply[1])),
        ),
        (
            "Aave v2 utilization, highest: USDC / USDT / DAI".into(),
            trio(t.utilization_max),
        ),
        (
            "Aave v2 borrow APR, highest: USDC / USDT / DAI".into(),
            trio(t.borrow_apr_max),
        ),
        (
            "Aave v2 USDC debt: start → end (repaid below par)".into(),
            format!(
                "{} → {} ({})",
                big(t.usdc_debt[0]),
                big(t.usdc_debt[1]),
                big(t.usdc_repaid)
            ),
        ),
        (
            "Aave v2 liquidations (USDC seized)".into(),
            format!("{} ({})", m.liquidations, big(t.usdc_seized)),
        ),
        (
            "Aave v2 debt above collateral at the end (USD)".into(),
            big(t.shortfall_usd),
        ),
        ("USDC sold by holders".into(), big(t.holders_sold)),
        ("USDC bought by buyers".into(), big(t.buyers_bought)),
        (
            "USDC sold to the PSM by the arbitrageur".into(),
            big(t.arb_usdc_to_psm),
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
    if let Some(c) = &t.compound {
        rows.extend(compound_rows(c));
    }
    for (why, n) in &t.revert_reasons {
        rows.push((format!("reverted: {why}"), n.to_string()));
    }
    rows
}

/// The Compound v2 lines of the summary.
fn compound_rows(c: &SvbCompoundSummary) -> Vec<(String, String)> {
    let trio = |x: [f64; 3]| format!("{} / {} / {}", pct(x[0]), pct(x[1]), pct(x[2]));
    vec![
        (
            "Compound v2 utilization, highest: USDC / USDT / DAI".into(),
            trio(c.utilization_max),
        ),
        (
            "Compound v2 borrow APR, highest: USDC / USDT / DAI".into(),
            trio(c.borrow_apr_max),
        ),
        (
            "Compound v2 cash: USDT start → end / DAI start → end".into(),
            format!(
                "{} → {} / {} → {}",
                big(c.cash[0][0]),
                big(c.cash[0][1]),
                big(c.cash[1][0]),
                big(c.cash[1][1])
            ),
        ),
        (
            "Compound v2 DAI oracle: lowest (USD)".into(),
            format!("{:.4}", c.dai_min_oracle),
        ),
        (
            "USDC supplied to Compound v2 at $1 / stablecoins borrowed against it".into(),
            format!("{} / {}", big(c.arb_usdc_supplied), big(c.arb_borrowed)),
        ),
        (
            "Compound v2 liquidations".into(),
            c.liquidations.to_string(),
        ),
        (
            "Compound v2 accounts in shortfall at the end (USD, oracle prices)".into(),
            format!("{} ({})", c.accounts_in_shortfall, big(c.shortfall_usd)),
        ),
        (
            "Compound v2 debt above collateral, USDC at 3pool's price (USD)".into(),
            big(c.bad_debt_at_market_usd),
        ),
    ]
}

/// The report section of one USDC/SVB run.
///
/// # Errors
/// [`SpiralError::Run`] if a recorded time is not RFC 3339.
pub fn section(r: &RunOutput, t: &SvbOutput) -> Result<Section, SpiralError> {
    let v = r.summary.variant.as_str();
    let ts = times(&t.market, |x| &x.time)?;
    let line = |name: &str, color: usize, agg: Agg, f: fn(&SvbRow) -> f64| {
        let points = ts.iter().zip(&t.market).map(|(x, row)| (*x, f(row)));
        Series::new(name, color, agg, points.collect())
    };
    let share = |x: f64| format!("{:.0} %", 100.0 * x);
    let charts = vec![
        Chart::time(
            &format!("{v}-prices"),
            "USDC and DAI by venue",
            "USD",
            |x| format!("{x:.3}"),
        )
        .caption(
            "USDC in USDT on 3pool and on the Uniswap v3 1 bp pool (the real hourly path, the \
             replay path), Aave v2's USDC price (Chainlink USDC/ETH × ETH/USD), and DAI in \
             USDT on 3pool. USDT is the numeraire ($1).",
        )
        .series(vec![
            line("USDC 3pool", 2, Agg::Min, |x| x.usdc_curve),
            line("USDC Uniswap v3 (real)", 7, Agg::Min, |x| x.usdc_path),
            line("USDC Aave oracle", 3, Agg::Min, |x| x.usdc_oracle_usd),
            line("DAI 3pool", 1, Agg::Min, |x| x.dai_curve),
        ]),
        Chart::time(&format!("{v}-3pool"), "Curve 3pool", "tokens", big)
            .caption("The pool's coins: sales of USDC for USDT drain its USDT.")
            .series(vec![
                line("DAI", 1, Agg::Last, |x| x.curve_dai),
                line("USDC", 2, Agg::Last, |x| x.curve_usdc),
                line("USDT", 0, Agg::Last, |x| x.curve_usdt),
            ]),
        Chart::time(
            &format!("{v}-psm"),
            "Maker PSM-USDC-A and DAI",
            "tokens",
            big,
        )
        .caption(
            "USDC locked in the PSM, its debt ceiling under the auto-line (the daily gap), \
                 and DAI's supply.",
        )
        .series(vec![
            line("PSM USDC", 2, Agg::Last, |x| x.psm_usdc),
            line("PSM ceiling", 7, Agg::Last, |x| x.psm_line),
            line("DAI supply", 1, Agg::Last, |x| x.dai_supply),
        ]),
        Chart::time(&format!("{v}-util"), "Aave v2 utilization", "share", share)
            .caption("Utilization of the stablecoin reserves.")
            .series(vec![
                line("USDC", 2, Agg::Max, |x| x.usdc_utilization),
                line("USDT", 0, Agg::Max, |x| x.usdt_utilization),
                line("DAI", 1, Agg::Max, |x| x.dai_utilization),
            ]),
        Chart::time(&format!("{v}-apr"), "Aave v2 borrow APR", "a year", share)
            .caption("Variable borrow rates of the stablecoin reserves.")
            .series(vec![
                line("USDC", 2, Agg::Max, |x| x.usdc_borrow_apr),
                line("USDT", 0, Agg::Max, |x| x.usdt_borrow_apr),
                line("DAI", 1, Agg::Max, |x| x.dai_borrow_apr),
            ]),
        Chart::time(&format!("{v}-flows"), "USDC flows", "USDC", big)
            .caption(
                "Cumulative USDC sold by holders, bought by buyers, repaid on Aave v2 below \
                 par, seized by liquidators, and sold to the PSM by the arbitrageur.",
            )
            .series(vec![
                line("holders sold", 3, Agg::Last, |x| x.holders_sold),
                line("buyers bought", 2, Agg::Last, |x| x.buyers_bought),
                line("repaid", 0, Agg::Last, |x| x.usdc_repaid),
                line("seized", 1, Agg::Last, |x| x.usdc_seized),
                line("to the PSM", 4, Agg::Last, |x| x.arb_usdc_to_psm),
            ]),
    ];
    let mut charts = charts;
    if t.market
        .iter()
        .any(|x| x.compound_usdt_utilization.is_some())
    {
        charts.extend(compound_charts(v, &ts, &t.market));
    }
    let mut blocks: Vec<Block> = charts.into_iter().map(Block::Chart).collect();
    blocks.push(Block::Table(daily_table(&t.market)));
    blocks.push(Block::Table(book_table(&t.books)));
    blocks.push(crate::world_run::events_table(&t.events));
    Ok(Section::new(
        &format!("Mode: {v}"),
        "Times are UTC. Prices in USDT; debt valued at Aave v2's prices.",
        blocks,
    ))
}

/// Compound v2's stablecoin markets and the collateral arbitrage against its $1 USDC price.
fn compound_charts(v: &str, ts: &[f64], rows: &[SvbRow]) -> Vec<Chart> {
    let line = |name: &str, color: usize, agg: Agg, f: fn(&SvbRow) -> Option<f64>| {
        let points = ts
            .iter()
            .zip(rows)
            .map(|(x, row)| (*x, f(row).unwrap_or(0.0)));
        Series::new(name, color, agg, points.collect())
    };
    let share = |x: f64| format!("{:.0} %", 100.0 * x);
    vec![
        Chart::time(
            &format!("{v}-compound-util"),
            "Compound v2 utilization",
            "share",
            share,
        )
        .caption(
            "Utilization of Compound v2's USDC, USDT and DAI markets (the real book). Its              oracle fixes USDC (and USDT) at $1, so USDC bought below par borrows at par.",
        )
        .series(vec![
            line("USDC", 2, Agg::Max, |x| x.compound_usdc_utilization),
            line("USDT", 0, Agg::Max, |x| x.compound_usdt_utilization),
            line("DAI", 1, Agg::Max, |x| x.compound_dai_utilization),
        ]),
        Chart::time(
            &format!("{v}-compound-apr"),
            "Compound v2 borrow APR",
            "a year",
            share,
        )
        .caption("Borrow rates of the stablecoin markets (JumpRateModelV2).")
        .series(vec![
            line("USDC", 2, Agg::Max, |x| x.compound_usdc_borrow_apr),
            line("USDT", 0, Agg::Max, |x| x.compound_usdt_borrow_apr),
            line("DAI", 1, Agg::Max, |x| x.compound_dai_borrow_apr),
        ]),
        Chart::time(
            &format!("{v}-compound-arb"),
            "Collateral arbitrage on Compound v2",
            "tokens",
            big,
        )
        .caption(
            "Cumulative USDC supplied at the oracle's $1 and USDT/DAI borrowed against it,              and the USDT and DAI cash left for Compound's suppliers.",
        )
        .series(vec![
            line("USDC supplied", 2, Agg::Last, |x| x.collateral_arb_usdc_supplied),
            line("borrowed", 3, Agg::Last, |x| x.collateral_arb_borrowed),
            line("USDT cash", 0, Agg::Last, |x| x.compound_usdt_cash),
            line("DAI cash", 1, Agg::Last, |x| x.compound_dai_cash),
        ]),
    ]
}

/// Stablecoin debt by day: each day's last hourly row, and what fell since the day before.
fn daily_table(rows: &[SvbRow]) -> Table {
    let mut days: Vec<&SvbRow> = Vec::new();
    for r in rows {
        match days.last_mut() {
            Some(last) if last.time[..10] == r.time[..10] => *last = r,
            _ => days.push(r),
        }
    }
    let mut prev: Option<&SvbRow> = rows.first();
    let mut out = Vec::new();
    for d in days {
        let fall = |f: fn(&SvbRow) -> f64| prev.map_or(0.0, |p| f(p) - f(d));
        out.push(vec![
            d.time[..10].to_string(),
            big(d.usdc_debt),
            big(fall(|x| x.usdc_debt)),
            big(d.usdt_debt),
            big(fall(|x| x.usdt_debt)),
            big(d.dai_debt),
            big(fall(|x| x.dai_debt)),
            format!("{:.4}", d.usdc_curve),
        ]);
        prev = Some(d);
    }
    Table::new(
        "Aave v2 stablecoin loans by day (end of day; a positive change is repaid or liquidated)",
        &[
            "day",
            "USDC debt",
            "USDC repaid",
            "USDT debt",
            "USDT repaid",
            "DAI debt",
            "DAI repaid",
            "USDC 3pool",
        ],
        out,
    )
}

fn book_table(books: &[SvbBookRow]) -> Table {
    let rows = books
        .iter()
        .map(|b| {
            vec![
                b.group.clone(),
                b.accounts.to_string(),
                format!(
                    "{} {} → {}",
                    b.collateral,
                    big(b.collateral_start),
                    big(b.collateral_end)
                ),
                format!("{} {} → {}", b.debt, big(b.debt_start), big(b.debt_end)),
                b.liquidated_accounts.to_string(),
                b.repaid_accounts.to_string(),
                b.min_health_end
                    .map_or_else(|| "no debt".into(), |h| format!("{h:.3}")),
                big(b.shortfall_usd),
            ]
        })
        .collect();
    Table::new(
        "Aave v2 borrower groups",
        &[
            "group",
            "accounts",
            "collateral",
            "debt",
            "liquidated",
            "debt cleared",
            "lowest HF at the end",
            "debt above collateral (USD)",
        ],
        rows,
    )
}

/// The hourly rows as a record batch.
///
/// # Errors
/// [`SpiralError::Run`].
pub fn market_batch(rows: &[SvbRow]) -> Result<RecordBatch, SpiralError> {
    let ts = times(rows, |r| &r.time)?;
    let rows: Vec<(&SvbRow, i64)> = rows.iter().zip(ts.iter().map(|t| *t as i64)).collect();
    Columns::new(&rows)
        .time("time", |(_, t)| *t)
        .f64("usdc_path", |(r, _)| r.usdc_path)
        .f64("usdc_curve", |(r, _)| r.usdc_curve)
        .f64("dai_curve", |(r, _)| r.dai_curve)
        .f64("usdc_oracle_usd", |(r, _)| r.usdc_oracle_usd)
        .f64("curve_dai", |(r, _)| r.curve_dai)
        .f64("curve_usdc", |(r, _)| r.curve_usdc)
        .f64("curve_usdt", |(r, _)| r.curve_usdt)
        .f64("curve_usdc_share", |(r, _)| r.curve_usdc_share)
        .f64("psm_usdc", |(r, _)| r.psm_usdc)
        .f64("psm_line", |(r, _)| r.psm_line)
        .f64("dai_supply", |(r, _)| r.dai_supply)
        .f64("usdc_utilization", |(r, _)| r.usdc_utilization)
        .f64("usdc_borrow_apr", |(r, _)| r.usdc_borrow_apr)
        .f64("usdc_supply_apr", |(r, _)| r.usdc_supply_apr)
        .f64("usdc_debt", |(r, _)| r.usdc_debt)
        .f64("usdt_utilization", |(r, _)| r.usdt_utilization)
        .f64("usdt_borrow_apr", |(r, _)| r.usdt_borrow_apr)
        .f64("usdt_supply_apr", |(r, _)| r.usdt_supply_apr)
        .f64("usdt_debt", |(r, _)| r.usdt_debt)
        .f64("dai_utilization", |(r, _)| r.dai_utilization)
        .f64("dai_borrow_apr", |(r, _)| r.dai_borrow_apr)
        .f64("dai_supply_apr", |(r, _)| r.dai_supply_apr)
        .f64("dai_debt", |(r, _)| r.dai_debt)
        .u64("liquidations", |(r, _)| r.liquidations)
        .f64("usdc_seized", |(r, _)| r.usdc_seized)
        .f64("holders_sold", |(r, _)| r.holders_sold)
        .f64("buyers_bought", |(r, _)| r.buyers_bought)
        .f64("usdc_repaid", |(r, _)| r.usdc_repaid)
        .f64("arb_usdc_to_psm", |(r, _)| r.arb_usdc_to_psm)
        .opt_f64("compound_usdc_utilization", |(r, _)| {
            r.compound_usdc_utilization
        })
        .opt_f64("compound_usdc_borrow_apr", |(r, _)| {
            r.compound_usdc_borrow_apr
        })
        .opt_f64("compound_usdc_supply_apr", |(r, _)| {
            r.compound_usdc_supply_apr
        })
        .opt_f64("compound_usdt_utilization", |(r, _)| {
            r.compound_usdt_utilization
        })
        .opt_f64("compound_usdt_borrow_apr", |(r, _)| {
            r.compound_usdt_borrow_apr
        })
        .opt_f64("compound_usdt_supply_apr", |(r, _)| {
            r.compound_usdt_supply_apr
        })
        .opt_f64("compound_dai_utilization", |(r, _)| {
            r.compound_dai_utilization
        })
        .opt_f64("compound_dai_borrow_apr", |(r, _)| {
            r.compound_dai_borrow_apr
        })
        .opt_f64("compound_dai_supply_apr", |(r, _)| {
            r.compound_dai_supply_apr
        })
        .opt_f64("compound_usdt_cash", |(r, _)| r.compound_usdt_cash)
        .opt_f64("compound_dai_cash", |(r, _)| r.compound_dai_cash)
        .opt_f64("compound_dai_oracle_usd", |(r, _)| {
            r.compound_dai_oracle_usd
        })
        .opt_u64("compound_liquidations", |(r, _)| r.compound_liquidations)
        .opt_f64("collateral_arb_usdc_supplied", |(r, _)| {
            r.collateral_arb_usdc_supplied
        })
        .opt_f64("collateral_arb_borrowed", |(r, _)| {
            r.collateral_arb_borrowed
        })
        .finish("svb_market")
        .map_err(|e| SpiralError::Run(format!("parquet: {e}")))
}

/// Writes `<variant>_svb_market` (CSV and Parquet), `<variant>_svb_books.csv` and
/// `<variant>_svb_events.csv` into `dir`; returns their names.
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub fn write(dir: &Path, variant: &str, t: &SvbOutput) -> Result<Vec<String>, SpiralError> {
    let csvs = [
        ("market", crate::output::to_csv(&t.market)?),
        ("books", crate::output::to_csv(&t.books)?),
        ("events", crate::output::to_csv(&t.events)?),
    ];
    crate::output::write_mode_tables(dir, variant, "svb", &csvs, &market_batch(&t.market)?)
}
