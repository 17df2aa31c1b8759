//! Outputs of a spiral run: the summary table, JSON, CSV tables and a self-contained HTML
//! report with inline SVG charts. Pure functions of their inputs (byte-identical for
//! identical runs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::SpiralError;
use crate::record::RunOutput;

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
        for (k, v) in rows {
            let _ = writeln!(s, "  {k:<46} {v}");
        }
    }
    s
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

/// A chart line: `(label, colour, points)`.
pub type Line<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// An SVG line chart of `lines` (`(label, colour, points)`), self-contained.
pub fn svg_lines(title: &str, x_label: &str, y_label: &str, lines: &[Line<'_>]) -> String {
    let (w, h, l, r, t, b) = (760.0, 320.0, 70.0, 20.0, 30.0, 45.0);
    let pts = lines.iter().flat_map(|x| x.2.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if (y1 - y0).abs() < 1e-12 {
        y1 = y0 + 1.0;
    }
    if (x1 - x0).abs() < 1e-12 {
        x1 = x0 + 1.0;
    }
    let px = |x: f64| l + (x - x0) / (x1 - x0) * (w - l - r);
    let py = |y: f64| h - b - (y - y0) / (y1 - y0) * (h - t - b);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\
<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/><text x=\"{l}\" y=\"18\" font-size=\"13\">{}</text>\
<line x1=\"{l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/><line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{}\" stroke=\"#444\"/>",
        esc(title),
        h - b,
        w - r,
        h - b,
        h - b
    );
    for i in 0..=4 {
        let fy = y0 + (y1 - y0) * i as f64 / 4.0;
        let fx = x0 + (x1 - x0) * i as f64 / 4.0;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            l - 4.0,
            py(fy) + 4.0,
            short(fy),
            px(fx),
            h - b + 14.0,
            short(fx)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">{}</text>",
        (l + w - r) / 2.0,
        h - 8.0,
        esc(x_label),
        h / 2.0,
        h / 2.0,
        esc(y_label)
    );
    for (i, (label, colour, p)) in lines.iter().enumerate() {
        let d: Vec<String> = p
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
            d.join(" ")
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>",
            w - r - 200.0,
            t + 14.0 * (i as f64 + 1.0),
            esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}

/// HTML-escapes `s`.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_table<T: Serialize + Default>(rows: &[T], limit: usize) -> String {
    // An unserialisable row shows as an error line in the table, never as an empty table.
    let csv = to_csv(&rows[..rows.len().min(limit)]).unwrap_or_else(|e| format!("error\n{e}"));
    let mut s = String::from("<table>");
    for (i, line) in csv.lines().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        s.push_str("<tr>");
        for c in line.split(',') {
            let _ = write!(s, "<{tag}>{}</{tag}>", esc(c.trim_matches('"')));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    if rows.len() > limit {
        let _ = write!(s, "<p>… {} more rows in the CSV.</p>", rows.len() - limit);
    }
    s
}

/// The self-contained HTML report of the runs.
pub fn report_html(title: &str, description: &str, runs: &[RunOutput]) -> String {
    let mut s = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title><style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 5px}}pre{{background:#f6f6f6;padding:8px}}</style></head><body><h1>{0}</h1><p>{1}</p><h2>Summary</h2><pre>{2}</pre>",
        esc(title),
        esc(description),
        esc(&summary_table(runs))
    );
    for r in runs {
        let v = &r.summary.variant;
        let t0 = 0.0;
        let hours = |i: usize| t0 + i as f64 * 1.0;
        let _ = hours;
        let pts = |f: &dyn Fn(&crate::record::SeriesRow) -> f64| -> Vec<(f64, f64)> {
            r.series
                .iter()
                .enumerate()
                .map(|(i, x)| (i as f64, f(x)))
                .collect()
        };
        let _ = write!(s, "<h2>Path: {}</h2>", esc(v));
        s.push_str(&svg_lines(
            "ETH price: fundamental, market (CEX), pool, protocol oracle",
            "sample",
            "USD",
            &[
                ("fundamental", "#888", pts(&|x| x.fundamental)),
                ("CEX mid", "#d62728", pts(&|x| x.cex_mid)),
                ("pool", "#2ca02c", pts(&|x| x.pool_price)),
                ("protocol oracle", "#1f77b4", pts(&|x| x.protocol_price)),
            ],
        ));
        s.push_str(&svg_lines(
            "Gas inclusion threshold / base fee",
            "sample",
            "gwei",
            &[("gas", "#9467bd", pts(&|x| x.gas_gwei))],
        ));
        s.push_str(&svg_lines(
            "Debt liquidated (cumulative) and unsafe positions",
            "sample",
            "USD / count",
            &[("liquidated", "#d62728", pts(&|x| x.liquidated))],
        ));
        s.push_str(&svg_lines(
            "Unsafe positions",
            "sample",
            "count",
            &[("unsafe", "#ff7f0e", pts(&|x| x.unsafe_positions as f64))],
        ));
        if !r.auctions.is_empty() {
            s.push_str("<h3>Auctions</h3>");
            s.push_str(&html_table(&r.auctions, 200));
        }
        s.push_str("<h3>Liquidation log</h3>");
        s.push_str(&html_table(&r.liquidations, 200));
    }
    s.push_str("</body></html>\n");
    s
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
    for r in runs {
        let v = &r.summary.variant;
        files.push((format!("{v}_liquidations.csv"), to_csv(&r.liquidations)?));
        files.push((format!("{v}_auctions.csv"), to_csv(&r.auctions)?));
        files.push((format!("{v}_bids.csv"), to_csv(&r.bids)?));
        files.push((format!("{v}_series.csv"), to_csv(&r.series)?));
    }
    files.push((
        "report.html".to_string(),
        report_html(title, description, runs),
    ));
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).map_err(io)?;
    }
    let mut names: Vec<String> = files.into_iter().map(|f| f.0).collect();
    for r in runs {
        let v = &r.summary.variant;
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
