//! Outputs of a spiral run: the summary table, JSON, CSV tables and a self-contained HTML
//! report with inline SVG charts. Pure functions of their inputs (byte-identical for
//! identical runs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::SpiralError;
use bankrun_report::page::{self, Agg, Block, Chart, Marker, Page, Section, Series, Table};

use crate::record::{RunOutput, SeriesRow, Summary};

/// The human-readable summary of the runs of one scenario.
pub fn summary_table(runs: &[RunOutput]) -> String {
    let mut s = String::new();
    for r in runs {
        let m = &r.summary;
        let _ = writeln!(
            s,
            "{} [{}] protocol={} seed={}",
            m.scenario, m.variant, m.protocol, m.seed
        );
        for (k, v) in summary_rows(m) {
            let _ = writeln!(s, "  {k:<46} {v}");
        }
    }
    s
}

/// The labelled figures of one run's summary, as shown on stdout and in the report.
fn summary_rows(m: &Summary) -> Vec<(String, String)> {
    if let Some(t) = &m.terra {
        return crate::terra::output::summary_rows(m, t);
    }
    if let Some(t) = &m.steth {
        return crate::steth::output::summary_rows(m, t);
    }
    if let Some(t) = &m.svb {
        return crate::svb::output::summary_rows(m, t);
    }
    let rows: Vec<(&str, String)> = vec![
        ("blocks", m.blocks.to_string()),
        ("positions", m.positions.to_string()),
        ("debt at start", usd(m.debt_start)),
        ("liquidations", m.liquidations.to_string()),
        ("debt liquidated", usd(m.debt_liquidated)),
        (
            "auctions kicked / settled / open",
            format!(
                "{} / {} / {}",
                m.auctions, m.auctions_settled, m.auctions_open
            ),
        ),
        ("auctions covering the tab", m.auctions_covered.to_string()),
        (
            "zero-bid wins",
            format!(
                "{} ({} of collateral)",
                m.zero_bid_wins,
                usd(m.zero_bid_collateral_usd)
            ),
        ),
        ("deficit of settled auctions", usd(m.deficit_settled)),
        ("bad debt", usd(m.bad_debt)),
        (
            "median delay unsafe → liquidation",
            format!("{:.0} s", m.median_delay_s),
        ),
        (
            "txs submitted / included / reverted / dropped / replaced",
            format!(
                "{} / {} / {} / {} / {}",
                m.txs_submitted, m.txs_included, m.txs_reverted, m.txs_dropped, m.txs_replaced
            ),
        ),
        ("gas paid by agents", format!("{:.3} ETH", m.gas_paid_eth)),
        (
            "min ETH price: fundamental / market",
            format!("{:.2} / {:.2}", m.min_fundamental, m.min_market_price),
        ),
        (
            "max endogenous impact",
            format!("{:.2} %", 100.0 * m.max_endogenous_impact),
        ),
        ("arbitrages", m.arbitrages.to_string()),
        ("oracle updates", m.oracle_updates.to_string()),
        (
            "gas paid by oracle updates",
            format!("{:.3} ETH", m.oracle_gas_eth),
        ),
    ];
    rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn usd(x: f64) -> String {
    let neg = x < 0.0;
    let v = x.abs().round() as u128;
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if neg { "-" } else { "" })
}

/// The summaries as pretty JSON: an object `{"scenario", "seed", "variants": {<variant>: summary}}`
/// (variants `real` and, with `[stress]`, `stress`).
pub fn summary_json(runs: &[RunOutput]) -> String {
    let variants: serde_json::Map<String, serde_json::Value> = runs
        .iter()
        .map(|r| {
            let v = serde_json::to_value(&r.summary)
                .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
            (r.summary.variant.clone(), v)
        })
        .collect();
    let first = runs.first().map(|r| &r.summary);
    let object = serde_json::json!({
        "scenario": first.map(|s| s.scenario.clone()),
        "seed": first.map(|s| s.seed),
        "variants": variants,
    });
    serde_json::to_string_pretty(&object).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// CSV text of `rows` with a header row (also when empty), through the one CSV writer of
/// `bankrun-report`.
///
/// # Errors
/// [`SpiralError::Run`] if serialisation fails.
pub fn to_csv<T: Serialize + Default>(rows: &[T]) -> Result<String, SpiralError> {
    bankrun_report::csv_string(rows).map_err(|e| SpiralError::Run(format!("csv: {e}")))
}

/// Rows of the auction and liquidation tables in the report (every row is in the CSVs).
const MAX_TABLE_ROWS: usize = 200;

fn report_err(e: bankrun_report::ReportError) -> SpiralError {
    SpiralError::Run(format!("report.html: {e}"))
}

/// Unix seconds of the RFC 3339 time `time` of a `what` row.
fn unix(time: &str, what: &str) -> Result<f64, SpiralError> {
    page::parse_rfc3339(time).map(|t| t as f64).ok_or_else(|| {
        SpiralError::Run(format!(
            "report.html: {what}: expected an RFC 3339 time, found `{time}`"
        ))
    })
}

/// The self-contained HTML report of the runs (the shared `bankrun-report` page template):
/// the summary per variant, then per variant UTC time charts (ETH prices, gas, cumulative
/// debt liquidated, unsafe positions, and for Maker the cumulative auction shortfall) with
/// key moments marked, the auction table and the liquidation log.
///
/// # Errors
/// [`SpiralError::Run`] if a recorded time is not RFC 3339 or a chart cannot be drawn.
pub fn report_html(
    title: &str,
    description: &str,
    runs: &[RunOutput],
) -> Result<String, SpiralError> {
    let mut sections = vec![summary_section(runs)];
    for r in runs {
        sections.push(match (&r.terra, &r.steth, &r.svb) {
            (Some(t), _, _) => crate::terra::output::section(r, t)?,
            (_, Some(t), _) => crate::steth::output::section(r, t)?,
            (_, _, Some(t)) => crate::svb::output::section(r, t)?,
            _ => path_section(r)?,
        });
    }
    let page = Page {
        title: format!("bankrun report: {title}"),
        description: description.to_owned(),
        meta: report_meta(runs),
        sections,
        footer: format!("Generated by bankrun {}.", env!("CARGO_PKG_VERSION")),
    };
    page.render().map_err(report_err)
}

/// Protocol, seeds, variants, the simulated window and its blocks.
fn report_meta(runs: &[RunOutput]) -> Vec<(String, String)> {
    let join = |f: &dyn Fn(&Summary) -> String| {
        let v: Vec<String> = runs.iter().map(|r| f(&r.summary)).collect();
        v.join(", ")
    };
    let mut meta = vec![
        ("Protocol".to_owned(), join(&|m| m.protocol.clone())),
        ("Seed".to_owned(), join(&|m| m.seed.to_string())),
        ("Variants".to_owned(), join(&|m| m.variant.clone())),
        (
            "Blocks".to_owned(),
            join(&|m| bankrun_report::count(m.blocks)),
        ),
    ];
    let hourly = |r: &RunOutput| match (&r.terra, &r.steth, &r.svb) {
        (Some(t), _, _) => Some((
            t.market.first()?.time.clone(),
            t.market.last()?.time.clone(),
        )),
        (_, Some(t), _) => Some((
            t.market.first()?.time.clone(),
            t.market.last()?.time.clone(),
        )),
        (_, _, Some(t)) => Some((
            t.market.first()?.time.clone(),
            t.market.last()?.time.clone(),
        )),
        _ => None,
    };
    if let Some((a, b)) = runs.first().and_then(hourly) {
        meta.push(("Window (UTC)".to_owned(), format!("{a} to {b}")));
    } else if let Some(r) = runs.first()
        && let (Some(a), Some(b)) = (r.series.first(), r.series.last())
    {
        meta.push((
            "Window (UTC)".to_owned(),
            format!("{} to {}", a.time, b.time),
        ));
    }
    meta
}

/// One table: a row per summary figure, a column per variant.
fn summary_section(runs: &[RunOutput]) -> Section {
    let mut header = vec![String::new()];
    header.extend(runs.iter().map(|r| r.summary.variant.clone()));
    let columns: Vec<Vec<(String, String)>> =
        runs.iter().map(|r| summary_rows(&r.summary)).collect();
    // Variants may have rows the others lack (a Terra mode's revert reasons): the labels are
    // the union in first-seen order, and a variant without a row shows "—".
    let mut labels: Vec<&str> = Vec::new();
    for c in &columns {
        for (k, _) in c {
            if !labels.contains(&k.as_str()) {
                labels.push(k);
            }
        }
    }
    let rows = labels.iter().map(|label| {
        let mut row = vec![(*label).to_owned()];
        row.extend(columns.iter().map(|c| {
            c.iter()
                .find(|(k, _)| k == label)
                .map_or_else(|| "—".to_owned(), |(_, v)| v.clone())
        }));
        row
    });
    let table = Table {
        header,
        rows: rows.collect(),
        ..Table::default()
    };
    let note = if runs.iter().any(|r| r.terra.is_some()) {
        "One column per mode. Amounts in UST, LUNA or USD as labelled; Anchor's bad debt is \
         Σ max(0, liability − collateral at the oracle) over its borrowers at the end."
    } else if runs.iter().any(|r| r.steth.is_some()) {
        "One column per mode. Amounts in stETH or ETH as labelled; the debt above collateral \
         is Σ max(0, debt − collateral) over Aave v2 borrowers at Aave's prices at the end."
    } else if runs.iter().any(|r| r.svb.is_some()) {
        "One column per mode. Prices in USDT (the numeraire, $1); the debt above collateral is \
         Σ max(0, debt − collateral) over Aave v2 borrowers at Aave's prices at the end, USD."
    } else {
        "Amounts in USD (Maker: DAI taken at $1). Bad debt at the end: Maker, the Vow's \
         sin − dai; Compound v2, Σ max(0, debt − collateral) over accounts at the oracle."
    };
    Section::new("Summary", note, vec![Block::Table(table)])
}

/// Key moments of a path as chart markers: the first liquidation and the lowest CEX price.
fn key_moments(r: &RunOutput, times: &[f64]) -> Result<Vec<Marker>, SpiralError> {
    let mut out = Vec::new();
    if let Some(l) = r.liquidations.first() {
        out.push(Marker {
            x: unix(&l.time, "liquidation")?,
            label: "first liquidation".to_owned(),
        });
    }
    let low = r
        .series
        .iter()
        .zip(times)
        .min_by(|a, b| a.0.cex_mid.total_cmp(&b.0.cex_mid));
    if let Some((_, t)) = low {
        out.push(Marker {
            x: *t,
            label: "lowest CEX price".to_owned(),
        });
    }
    Ok(out)
}

/// Cumulative shortfall of settled Maker auctions (debt the winning bids left uncovered),
/// at each auction's settlement time, starting at 0 at `t0`.
fn shortfall_points(r: &RunOutput, t0: f64) -> Result<Vec<(f64, f64)>, SpiralError> {
    let mut settled = Vec::new();
    for a in r.auctions.iter().filter(|a| a.duration_s >= 0) {
        settled.push((
            unix(&a.kicked, "auction")? + a.duration_s as f64,
            a.shortfall_dai,
        ));
    }
    settled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut points = vec![(t0, 0.0)];
    for (t, v) in settled {
        total += v;
        points.push((t, total));
    }
    Ok(points)
}

fn count_label(y: f64) -> String {
    format!("{y:.0}")
}

/// The charts and tables of one variant.
fn path_section(r: &RunOutput) -> Result<Section, SpiralError> {
    let v = r.summary.variant.as_str();
    let times: Vec<f64> = r
        .series
        .iter()
        .map(|x| unix(&x.time, "series"))
        .collect::<Result<_, _>>()?;
    let line = |name: &str, color: usize, agg: Agg, f: fn(&SeriesRow) -> f64| {
        let points = times.iter().zip(&r.series).map(|(t, x)| (*t, f(x)));
        Series::new(name, color, agg, points.collect())
    };
    let markers = key_moments(r, &times)?;
    let mut charts = vec![
        Chart::time(
            &format!("{v}-price"),
            "ETH price",
            "USD per ETH",
            bankrun_report::usd,
        )
        .caption(
            "Fundamental price, CEX mid (with the agents' endogenous impact), pool price \
                 and the protocol's oracle price (Maker: OSM; Compound: reporter), sample \
                 minimum when downsampled.",
        )
        .series(vec![
            line("fundamental", 7, Agg::Min, |x| x.fundamental),
            line("CEX mid", 3, Agg::Min, |x| x.cex_mid),
            line("pool", 2, Agg::Min, |x| x.pool_price),
            line("protocol oracle", 0, Agg::Min, |x| x.protocol_price),
        ]),
        Chart::time(
            &format!("{v}-gas"),
            "Gas price",
            "gwei",
            bankrun_report::compact,
        )
        .caption("Inclusion threshold (legacy auctions) or base fee (EIP-1559), gwei.")
        .series(vec![line("gas", 4, Agg::Max, |x| x.gas_gwei)]),
        Chart::time(
            &format!("{v}-liquidated"),
            "Debt liquidated (cumulative)",
            "USD (Maker: DAI)",
            bankrun_report::usd,
        )
        .series(vec![line("liquidated", 3, Agg::Last, |x| x.liquidated)]),
        Chart::time(
            &format!("{v}-unsafe"),
            "Unsafe positions (latent bad debt)",
            "positions",
            count_label,
        )
        .caption(
            "Positions unsafe at the protocol's price and not yet liquidated: latent bad \
             debt if collateral falls below debt before they are liquidated.",
        )
        .series(vec![line("unsafe", 1, Agg::Max, |x| {
            x.unsafe_positions as f64
        })]),
    ];
    if !r.auctions.is_empty() {
        let t0 = times.first().copied().unwrap_or(0.0);
        let caption = format!(
            "Σ max(0, debt − winning bid) of settled Flipper auctions at their settlement \
             time, DAI; bad debt at the end (Vow sin − dai): {}.",
            usd(r.summary.bad_debt)
        );
        charts.push(
            Chart::time(
                &format!("{v}-shortfall"),
                "Bad debt: cumulative auction shortfall",
                "DAI",
                bankrun_report::usd,
            )
            .caption(caption)
            .series(vec![Series::new(
                "auction shortfall",
                3,
                Agg::Last,
                shortfall_points(r, t0)?,
            )]),
        );
    }
    let mut blocks: Vec<Block> = charts
        .into_iter()
        .map(|c| Block::Chart(c.markers(markers.clone())))
        .collect();
    if !r.auctions.is_empty() {
        blocks.push(Block::Table(
            Table::from_serialize("Auctions", &r.auctions, MAX_TABLE_ROWS).map_err(report_err)?,
        ));
    }
    blocks.push(Block::Table(
        Table::from_serialize("Liquidation log", &r.liquidations, MAX_TABLE_ROWS)
            .map_err(report_err)?,
    ));
    Ok(Section::new(
        &format!("Path: {v}"),
        "Times are UTC; marked: the first liquidation and the lowest CEX price. A chart of \
         a window longer than 24 h is followed by a zoom on its first 24 h.",
        blocks,
    ))
}

/// Writes the run directory: `summary.json`, per variant `<variant>_liquidations.csv`,
/// `_auctions.csv`, `_bids.csv`, `_series.csv`, `_liquidations.parquet`,
/// `_series.parquet`, and `report.html`; returns their paths. Follows the output-directory
/// contract of [`bankrun_report::write_atomically`] (marker file, appears only when
/// complete, replaces only an empty or bankrun-written `dir`).
///
/// # Errors
/// [`SpiralError::OutputRefused`] if `dir` is not bankrun's to replace, [`SpiralError::Run`]
/// on I/O failure.
pub fn write_dir(
    dir: &Path,
    title: &str,
    description: &str,
    runs: &[RunOutput],
) -> Result<Vec<PathBuf>, SpiralError> {
    let seeds: Vec<String> = runs.iter().map(|r| r.summary.seed.to_string()).collect();
    let command = format!("simulate {title} --seed {}", seeds.join(","));
    let names = bankrun_report::write_atomically(dir, &command, |partial| {
        write_files(partial, title, description, runs)
    })?;
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// Writes the files of [`write_dir`] into `dir`; returns their names in write order.
fn write_files(
    dir: &Path,
    title: &str,
    description: &str,
    runs: &[RunOutput],
) -> Result<Vec<String>, SpiralError> {
    let io = |e: std::io::Error| SpiralError::Run(format!("{}: {e}", dir.display()));
    let mut files = vec![("summary.json".to_string(), summary_json(runs))];
    for r in runs
        .iter()
        .filter(|r| r.terra.is_none() && r.steth.is_none() && r.svb.is_none())
    {
        let v = &r.summary.variant;
        files.push((format!("{v}_liquidations.csv"), to_csv(&r.liquidations)?));
        files.push((format!("{v}_auctions.csv"), to_csv(&r.auctions)?));
        files.push((format!("{v}_bids.csv"), to_csv(&r.bids)?));
        files.push((format!("{v}_series.csv"), to_csv(&r.series)?));
    }
    files.push((
        "report.html".to_string(),
        report_html(title, description, runs)?,
    ));
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).map_err(io)?;
    }
    let mut names: Vec<String> = files.into_iter().map(|f| f.0).collect();
    for r in runs {
        let v = &r.summary.variant;
        if let Some(t) = &r.terra {
            names.extend(crate::terra::output::write(dir, v, t)?);
            continue;
        }
        if let Some(t) = &r.steth {
            names.extend(crate::steth::output::write(dir, v, t)?);
            continue;
        }
        if let Some(t) = &r.svb {
            names.extend(crate::svb::output::write(dir, v, t)?);
            continue;
        }
        let name = format!("{v}_liquidations.parquet");
        let batch = crate::parquet::liquidations_batch(&r.liquidations)?;
        crate::parquet::write(&dir.join(&name), &batch)?;
        names.push(name);
        let name = format!("{v}_series.parquet");
        crate::parquet::write(&dir.join(&name), &crate::parquet::series_batch(&r.series)?)?;
        names.push(name);
    }
    Ok(names)
}

/// Writes a world scenario mode's tables into `dir`: `<variant>_<prefix>_<name>.csv` for each
/// `(name, text)` of `csvs`, and `<variant>_<prefix>_market.parquet` from `market`; returns the
/// file names.
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub(crate) fn write_mode_tables(
    dir: &Path,
    variant: &str,
    prefix: &str,
    csvs: &[(&str, String)],
    market: &arrow::array::RecordBatch,
) -> Result<Vec<String>, SpiralError> {
    let io = |e: std::io::Error| SpiralError::Run(format!("{}: {e}", dir.display()));
    let mut names = Vec::new();
    for (name, text) in csvs {
        let name = format!("{variant}_{prefix}_{name}.csv");
        std::fs::write(dir.join(&name), text).map_err(io)?;
        names.push(name);
    }
    let name = format!("{variant}_{prefix}_market.parquet");
    crate::parquet::write(&dir.join(&name), market)?;
    names.push(name);
    Ok(names)
}
