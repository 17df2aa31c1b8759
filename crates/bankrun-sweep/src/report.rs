//! Cell risk metrics and the sweep outputs: `cells.parquet`, `cells.csv`, `report.html`
//! (self-contained, inline SVG heatmaps for two-key grids) and the stdout summary table.
//!
//! Cell metrics (each with a standard error, column `<name>_se`; see [`crate::stats`]):
//!
//! | metric | definition |
//! |---|---|
//! | `bad_debt_mean_usd` | mean bad debt (booked deficit + latent bad debt at the end, USD) |
//! | `deficit_usd_mean`, `latent_bad_debt_usd_mean` | its two parts: mean booked deficit and mean latent bad debt at the end, USD |
//! | `deficit_covered_usd_mean`, `rescued_usd_mean` | mean deficit covered by backstops and mean debt repaid by rescue funds, USD |
//! | `withdrawn_24h_share_mean`, `withdrawn_96h_share_mean` | mean share of the starting supply (all reserves, at the starting prices) withdrawn in the first 24 h / 96 h |
//! | `bad_debt_var95_usd`, `bad_debt_var99_usd` | value-at-risk of bad debt: its 95 % / 99 % empirical quantile over paths (bootstrap SE) |
//! | `bad_debt_es95_usd`, `bad_debt_es99_usd` | expected shortfall: mean of the worst 5 % / 1 % of paths (bootstrap SE) |
//! | `liquidations_at_risk_p95_usd` | 95th percentile of debt repaid by liquidations, USD (bootstrap SE) |
//! | `<R>_p_util_ge_99pct` | probability that reserve R reaches ≥ 99 % utilization (binomial SE) |
//! | `<R>_hours_ge_99pct_mean` | mean hours at ≥ 99 % utilization (0 on paths that never get there) |
//! | `<R>_hours_ge_99pct_if_any` | mean hours at ≥ 99 % among paths that get there |
//! | `<R>_fill_ratio_mean` | mean withdrawal fill ratio, served / requested (USD), over paths with requests |
//! | `<R>_liquidity_drop_mean`, `<R>_liquidity_drop_p95` | deepest drop of available liquidity, 1 − min/initial: mean and 95th percentile |
//! | `<C>_exit_p50_h_mean`, `<C>_exit_p90_h_mean` | time-to-exit quantiles of class C (see [`crate::metrics`]), averaged over paths |
//! | `<C>_share_trapped_mean` | mean share of class C's exit demand trapped at the end |
//!
//! Spiral sweeps ([`crate::spiral`]) have one set of metrics per variant V (`real`, `stress`),
//! prefixed `V:`: the bad-debt metrics above (`V:bad_debt_mean_usd`, `V:bad_debt_var95_usd`,
//! …, `V:liquidations_at_risk_p95_usd`), then `V:p_bad_debt` (probability of bad debt > 0,
//! binomial SE) and `V:<column>_mean` (mean and `sd/√n`) for every other path column of V.
//! `cells.parquet` stores numeric varied values as `Float64`.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use bankrun_report::page::{
    self, Agg, Block, Chart, HeatCell, Heatmap, Histogram, Page, Section, Series,
    Table as PageTable,
};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use parquet::arrow::ArrowWriter;

use crate::chunks::{self, SweepSpec};
use crate::error::{Result, SweepError};
use crate::metrics::PathRow;
use crate::stats::{Moments, bootstrap_se, lower_quantile, var_es};

/// One cell metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    /// Column name.
    pub name: String,
    /// Estimate (`None` when undefined, e.g. no path had withdrawals).
    pub value: Option<f64>,
    /// Standard error.
    pub se: Option<f64>,
}

/// The metrics of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    /// Cell id.
    pub id: u32,
    /// Varied keys and values.
    pub values: Vec<(String, String)>,
    /// Paths.
    pub paths: u64,
    /// Metrics, in a fixed order.
    pub stats: Vec<Stat>,
    /// Per-path loss samples in path order, by column (`bad_debt_usd`, or `V:bad_debt_usd`
    /// per spiral variant), for the report's histograms and exceedance curves; not written
    /// to `cells.parquet` / `cells.csv`.
    pub losses: Vec<(String, Vec<f64>)>,
}

impl CellResult {
    /// A metric by name.
    pub fn get(&self, name: &str) -> Option<&Stat> {
        self.stats.iter().find(|s| s.name == name)
    }
}

/// Collects one cell's rows (in path order) and computes its metrics.
pub struct CellAccumulator {
    columns: Vec<String>,
    reserves: Vec<String>,
    classes: Vec<String>,
    /// Spiral variants (columns `V:bad_debt_usd`), empty for Aave sweeps.
    variants: Vec<String>,
    /// Full samples, kept only for the columns whose quantiles are reported.
    samples: Vec<Option<Vec<f64>>>,
    /// Running moments of every column, and of its positive values.
    moments: Vec<Moments>,
    positive: Vec<Moments>,
    n: u64,
    master_seed: u64,
    cells: Vec<Vec<(String, String)>>,
}

/// Whether a path column's quantiles are reported, so its whole sample is kept; the other
/// columns need only running moments, which keeps a cell's memory at 8 B × paths × (these
/// columns) instead of every column.
fn needs_sample(column: &str) -> bool {
    let measure = column.rsplit_once(':').map_or(column, |(_, m)| m);
    measure == "bad_debt_usd"
        || measure == "liquidated_debt_usd"
        || column.ends_with("_liquidity_drop")
}

/// Whether a sweep's columns are a spiral sweep's (per-variant `V:bad_debt_usd`).
pub fn is_spiral(spec: &SweepSpec) -> bool {
    spec.columns.iter().any(|c| c.ends_with(":bad_debt_usd"))
}

fn suffix_owners(columns: &[String], suffix: &str) -> Vec<String> {
    columns
        .iter()
        .filter_map(|c| c.strip_suffix(suffix).map(str::to_string))
        .collect()
}

impl CellAccumulator {
    /// An accumulator for the columns of `spec`.
    pub fn new(spec: &SweepSpec) -> Self {
        Self {
            columns: spec.columns.clone(),
            reserves: suffix_owners(&spec.columns, "_peak_utilization"),
            classes: suffix_owners(&spec.columns, "_share_exited"),
            variants: suffix_owners(&spec.columns, ":bad_debt_usd"),
            samples: spec
                .columns
                .iter()
                .map(|c| needs_sample(c).then(Vec::new))
                .collect(),
            moments: vec![Moments::default(); spec.columns.len()],
            positive: vec![Moments::default(); spec.columns.len()],
            n: 0,
            master_seed: spec.master_seed,
            cells: spec.cells.iter().map(|c| c.values.clone()).collect(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: &PathRow) {
        self.n += 1;
        for (i, v) in row.values.iter().enumerate() {
            let Some(v) = *v else { continue };
            if let Some(sample) = &mut self.samples[i] {
                sample.push(v);
            }
            self.moments[i].push(v);
            if v > 0.0 {
                self.positive[i].push(v);
            }
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The stored sample of a quantile column (empty if absent).
    fn col(&self, name: &str) -> &[f64] {
        self.index(name)
            .and_then(|i| self.samples[i].as_deref())
            .unwrap_or(&[])
    }

    /// Running moments of a column (empty if absent); `positive`: of its values above 0.
    fn moments(&self, name: &str, positive: bool) -> Moments {
        let all = if positive {
            &self.positive
        } else {
            &self.moments
        };
        self.index(name).map_or(Moments::default(), |i| all[i])
    }

    /// Bad-debt mean, VaR and ES at 95 % and 99 %, and liquidations at risk, of the columns
    /// `{prefix}bad_debt_usd` and `{prefix}liquidated_debt_usd` (prefix `""` for an Aave sweep,
    /// `"V:"` for spiral variant V).
    fn risk_stats(&self, prefix: &str, rng: &mut rand_chacha::ChaCha8Rng, stats: &mut Vec<Stat>) {
        let mut buf = Vec::new();
        let mut push = |name: String, value: Option<f64>, se: Option<f64>| {
            stats.push(Stat { name, value, se })
        };
        let bd = self.col(&format!("{prefix}bad_debt_usd")).to_vec();
        let (m, se) = self
            .moments(&format!("{prefix}bad_debt_usd"), false)
            .mean_se();
        push(format!("{prefix}bad_debt_mean_usd"), m, se);
        for alpha in [0.95_f64, 0.99] {
            let pct = (alpha * 100.0).round() as u32;
            if bd.is_empty() {
                push(format!("{prefix}bad_debt_var{pct}_usd"), None, None);
                push(format!("{prefix}bad_debt_es{pct}_usd"), None, None);
                continue;
            }
            let (v, e) = var_es(&bd, alpha, &mut buf);
            let v_se = bootstrap_se(&bd, rng, |s, b| var_es(s, alpha, b).0);
            let e_se = bootstrap_se(&bd, rng, |s, b| var_es(s, alpha, b).1);
            push(format!("{prefix}bad_debt_var{pct}_usd"), Some(v), v_se);
            push(format!("{prefix}bad_debt_es{pct}_usd"), Some(e), e_se);
        }
        let ld = self.col(&format!("{prefix}liquidated_debt_usd")).to_vec();
        if ld.is_empty() {
            push(format!("{prefix}liquidations_at_risk_p95_usd"), None, None);
        } else {
            let v = var_es(&ld, 0.95, &mut buf).0;
            let se = bootstrap_se(&ld, rng, |s, b| var_es(s, 0.95, b).0);
            push(format!("{prefix}liquidations_at_risk_p95_usd"), Some(v), se);
        }
    }

    /// Spiral variant `v`: its risk metrics, the probability of bad debt, and the mean of
    /// every other column of the variant.
    fn variant_stats(&self, v: &str, rng: &mut rand_chacha::ChaCha8Rng, stats: &mut Vec<Stat>) {
        let prefix = format!("{v}:");
        self.risk_stats(&prefix, rng, stats);
        let n = self.n as f64;
        let hit = self.moments(&format!("{prefix}bad_debt_usd"), true).count() as f64;
        let p = (n > 0.0).then(|| hit / n);
        let p_se = p.filter(|_| n > 1.0).map(|p| (p * (1.0 - p) / n).sqrt());
        stats.push(Stat {
            name: format!("{prefix}p_bad_debt"),
            value: p,
            se: p_se,
        });
        for c in self.columns.iter().filter(|c| c.starts_with(&prefix)) {
            if c.ends_with(":bad_debt_usd") {
                continue;
            }
            let (m, se) = self.moments(c, false).mean_se();
            stats.push(Stat {
                name: format!("{c}_mean"),
                value: m,
                se,
            });
        }
    }

    /// The metrics of cell `id` from the rows pushed since the last call; resets.
    pub fn finish(&mut self, id: u32) -> CellResult {
        let mut rng =
            bankrun_chain::rng::stream(self.master_seed, &format!("sweep.bootstrap.cell.{id}"));
        let mut stats = Vec::new();
        if self.variants.is_empty() {
            self.risk_stats("", &mut rng, &mut stats);
            // Who bore the loss: its parts, and what the backstops paid.
            for c in [
                "deficit_usd",
                "latent_bad_debt_usd",
                "deficit_covered_usd",
                "rescued_usd",
                "withdrawn_24h_share",
                "withdrawn_96h_share",
            ] {
                if self.index(c).is_some() {
                    let (m, se) = self.moments(c, false).mean_se();
                    stats.push(Stat {
                        name: format!("{c}_mean"),
                        value: m,
                        se,
                    });
                }
            }
        }
        for v in &self.variants {
            self.variant_stats(v, &mut rng, &mut stats);
        }
        let mut push = |name: String, value: Option<f64>, se: Option<f64>| {
            stats.push(Stat { name, value, se })
        };
        let n = self.n as f64;
        for r in self.reserves.clone() {
            let hit = self.moments(&format!("{r}_hours_to_99pct"), false).count() as f64;
            let p = if n > 0.0 { Some(hit / n) } else { None };
            let p_se = p.filter(|_| n > 1.0).map(|p| (p * (1.0 - p) / n).sqrt());
            push(format!("{r}_p_util_ge_99pct"), p, p_se);
            let hours = format!("{r}_hours_ge_99pct");
            let (m, se) = self.moments(&hours, false).mean_se();
            push(format!("{r}_hours_ge_99pct_mean"), m, se);
            let (m, se) = self.moments(&hours, true).mean_se();
            push(format!("{r}_hours_ge_99pct_if_any"), m, se);
            let (m, se) = self.moments(&format!("{r}_fill_ratio"), false).mean_se();
            push(format!("{r}_fill_ratio_mean"), m, se);
            let drop = self.col(&format!("{r}_liquidity_drop")).to_vec();
            let (m, se) = self
                .moments(&format!("{r}_liquidity_drop"), false)
                .mean_se();
            push(format!("{r}_liquidity_drop_mean"), m, se);
            if drop.is_empty() {
                push(format!("{r}_liquidity_drop_p95"), None, None);
            } else {
                let mut sorted = drop.clone();
                sorted.sort_by(f64::total_cmp);
                let v = lower_quantile(&sorted, 0.95);
                let se = bootstrap_se(&drop, &mut rng, |s, b| var_es(s, 0.95, b).0);
                push(format!("{r}_liquidity_drop_p95"), Some(v), se);
            }
        }
        for c in self.classes.clone() {
            for m_name in ["exit_p50_h", "exit_p90_h", "share_trapped"] {
                let (m, se) = self.moments(&format!("{c}_{m_name}"), false).mean_se();
                push(format!("{c}_{m_name}_mean"), m, se);
            }
        }
        let losses = self
            .columns
            .iter()
            .zip(&self.samples)
            .filter(|(c, _)| c.ends_with("bad_debt_usd"))
            .filter_map(|(c, s)| s.clone().map(|s| (c.clone(), s)))
            .collect();
        let res = CellResult {
            id,
            values: self.cells.get(id as usize).cloned().unwrap_or_default(),
            paths: self.n,
            stats,
            losses,
        };
        for v in self.samples.iter_mut().flatten() {
            v.clear();
        }
        self.moments.fill(Moments::default());
        self.positive.fill(Moments::default());
        self.n = 0;
        res
    }
}

/// Writes `cells.parquet`, `cells.csv` and `report.html` into `out`; returns their names.
///
/// # Errors
/// I/O, Arrow or Parquet failures.
pub fn write_outputs(out: &Path, spec: &SweepSpec, cells: &[CellResult]) -> Result<Vec<String>> {
    let keys: Vec<String> = spec
        .cells
        .first()
        .map(|c| c.values.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let stat_names: Vec<String> = cells
        .first()
        .map(|c| c.stats.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    // cells.parquet
    let mut fields = vec![Field::new("cell", DataType::UInt32, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(UInt32Array::from_iter_values(
        cells.iter().map(|c| c.id),
    ))];
    for (i, k) in keys.iter().enumerate() {
        let shown = || {
            cells
                .iter()
                .map(move |c| c.values.get(i).map_or("", |v| v.1.as_str()))
        };
        let numbers: Option<Vec<f64>> = shown().map(|v| v.parse::<f64>().ok()).collect();
        match numbers {
            // Numeric levels are stored as numbers, so pandas and polars read them as floats;
            // a level that is not a number (a distribution, a name) stays text.
            Some(x) => {
                fields.push(Field::new(format!("vary:{k}"), DataType::Float64, false));
                arrays.push(Arc::new(Float64Array::from(x)));
            }
            _ => {
                fields.push(Field::new(format!("vary:{k}"), DataType::Utf8, false));
                arrays.push(Arc::new(StringArray::from_iter_values(shown())));
            }
        }
    }
    fields.push(Field::new("paths", DataType::UInt64, false));
    arrays.push(Arc::new(UInt64Array::from_iter_values(
        cells.iter().map(|c| c.paths),
    )));
    for (i, name) in stat_names.iter().enumerate() {
        fields.push(Field::new(name, DataType::Float64, true));
        arrays.push(Arc::new(
            cells
                .iter()
                .map(|c| c.stats[i].value)
                .collect::<Float64Array>(),
        ));
        fields.push(Field::new(format!("{name}_se"), DataType::Float64, true));
        arrays.push(Arc::new(
            cells
                .iter()
                .map(|c| c.stats[i].se)
                .collect::<Float64Array>(),
        ));
    }
    let schema = Arc::new(Schema::new(fields));
    let pq = out.join("cells.parquet");
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| SweepError::io(&pq, e))?;
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, schema.clone(), Some(chunks::writer_properties()))
        .map_err(|e| SweepError::io(&pq, e))?;
    w.write(&batch).map_err(|e| SweepError::io(&pq, e))?;
    w.close().map_err(|e| SweepError::io(&pq, e))?;
    chunks::write_atomic(&pq, &buf)?;
    // cells.csv
    let csv_path = out.join("cells.csv");
    let mut wtr = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    wtr.write_record(&header)
        .map_err(|e| SweepError::io(&csv_path, e))?;
    let num = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    for c in cells {
        let mut rec = vec![c.id.to_string()];
        rec.extend(c.values.iter().map(|(_, v)| v.clone()));
        rec.push(c.paths.to_string());
        for s in &c.stats {
            rec.push(num(s.value));
            rec.push(num(s.se));
        }
        wtr.write_record(&rec)
            .map_err(|e| SweepError::io(&csv_path, e))?;
    }
    let bytes = wtr.into_inner().map_err(|e| SweepError::io(&csv_path, e))?;
    chunks::write_atomic(&csv_path, &bytes)?;
    // report.html
    let html = html(spec, cells, &keys)?;
    chunks::write_atomic(&out.join("report.html"), html.as_bytes())?;
    Ok(vec![
        "cells.parquet".into(),
        "cells.csv".into(),
        "report.html".into(),
    ])
}

/// Formats an estimate with its standard error.
fn pm(s: Option<&Stat>, scale: f64, digits: usize) -> String {
    match s {
        Some(Stat {
            value: Some(v), se, ..
        }) => match se {
            Some(se) => format!(
                "{:.*} ± {:.*}",
                digits,
                v * scale + 0.0,
                digits,
                se * scale + 0.0
            ),
            None => format!("{:.*}", digits, v * scale + 0.0),
        },
        _ => "–".into(),
    }
}

/// The columns of the summary table: (header, metric, scale, decimals).
fn headline(cells: &[CellResult]) -> Vec<(String, String, f64, usize)> {
    if let Some(c0) = cells.first()
        && c0.get("bad_debt_var99_usd").is_none()
    {
        return spiral_headline(c0);
    }
    let mut cols = vec![
        (
            "bad debt VaR99 $M".to_string(),
            "bad_debt_var99_usd".to_string(),
            1e-6,
            2,
        ),
        (
            "bad debt ES99 $M".into(),
            "bad_debt_es99_usd".into(),
            1e-6,
            2,
        ),
        (
            "liq. at risk p95 $M".into(),
            "liquidations_at_risk_p95_usd".into(),
            1e-6,
            2,
        ),
    ];
    let Some(c0) = cells.first() else { return cols };
    for s in &c0.stats {
        if let Some(r) = s.name.strip_suffix("_fill_ratio_mean")
            && cells
                .iter()
                .any(|c| c.get(&s.name).is_some_and(|x| x.value.is_some()))
        {
            cols.push((
                format!("{r} P(U≥99%)"),
                format!("{r}_p_util_ge_99pct"),
                1.0,
                3,
            ));
            cols.push((
                format!("{r} h≥99%"),
                format!("{r}_hours_ge_99pct_mean"),
                1.0,
                1,
            ));
            cols.push((format!("{r} fill"), s.name.clone(), 1.0, 3));
            cols.push((
                format!("{r} drop p95"),
                format!("{r}_liquidity_drop_p95"),
                1.0,
                3,
            ));
        }
    }
    for s in &c0.stats {
        if let Some(c) = s.name.strip_suffix("_exit_p50_h_mean") {
            cols.push((format!("{c} exit p50 h"), s.name.clone(), 1.0, 1));
        }
    }
    cols
}

/// The headline columns of a spiral sweep: per variant, bad debt VaR / ES 99 %, P(bad debt),
/// mean debt liquidated, liquidations and reverted transactions.
fn spiral_headline(c0: &CellResult) -> Vec<(String, String, f64, usize)> {
    let mut cols = Vec::new();
    for s in &c0.stats {
        let Some(v) = s.name.strip_suffix(":bad_debt_var99_usd") else {
            continue;
        };
        for (head, metric, scale, digits) in [
            ("bad debt VaR99 $M", "bad_debt_var99_usd", 1e-6, 2),
            ("bad debt ES99 $M", "bad_debt_es99_usd", 1e-6, 2),
            ("P(bad debt>0)", "p_bad_debt", 1.0, 3),
            ("liquidated $M", "liquidated_debt_usd_mean", 1e-6, 2),
            ("liquidations", "liquidations_mean", 1.0, 1),
            ("reverted txs", "txs_reverted_mean", 1.0, 1),
        ] {
            cols.push((
                format!("{v} {head}"),
                format!("{v}:{metric}"),
                scale,
                digits,
            ));
        }
        if c0.get(&format!("{v}:zero_bid_wins_mean")).is_some() {
            cols.push((
                format!("{v} zero-bid wins"),
                format!("{v}:zero_bid_wins_mean"),
                1.0,
                1,
            ));
        }
    }
    cols
}

/// The stdout summary: one row per cell with the headline metrics (± standard error).
pub fn summary_table(spec: &SweepSpec, cells: &[CellResult]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    let keys: Vec<String> = spec
        .cells
        .first()
        .map(|c| c.values.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let cols = headline(cells);
    let mut header = vec!["cell".to_string()];
    header.extend(
        keys.iter()
            .map(|k| k.rsplit('.').next().unwrap_or(k).to_string()),
    );
    header.push("paths".into());
    header.extend(cols.iter().map(|c| c.0.clone()));
    t.set_header(header);
    for c in cells {
        let mut row = vec![c.id.to_string()];
        row.extend(c.values.iter().map(|(_, v)| v.clone()));
        row.push(c.paths.to_string());
        row.extend(cols.iter().map(|(_, m, s, d)| pm(c.get(m), *s, *d)));
        t.add_row(row);
    }
    format!(
        "Sweep of {} — seed {}, design {}, {} cell(s) × {} path(s); ± = standard error\n{t}",
        spec.scenario,
        spec.master_seed,
        spec.design,
        spec.cells.len(),
        spec.paths_per_cell
    )
}

/// Cells with their own loss histogram in the report (all cells get an exceedance curve).
const MAX_HISTOGRAMS: usize = 24;

fn report_err(e: bankrun_report::ReportError) -> SweepError {
    SweepError::io("report.html", e.to_string())
}

/// Formats a metric for the report: USD amounts as `$1.23M`, the rest with three
/// significant digits.
fn metric_fmt(metric: &str) -> page::Fmt {
    if metric.ends_with("_usd") {
        bankrun_report::usd
    } else {
        bankrun_report::compact
    }
}

/// A cell's label: `cell 3 (slope2=0.5, drop=0.2)`.
fn cell_label(c: &CellResult) -> String {
    let values: Vec<String> = c
        .values
        .iter()
        .map(|(k, v)| format!("{}={v}", k.rsplit('.').next().unwrap_or(k)))
        .collect();
    if values.is_empty() {
        format!("cell {}", c.id)
    } else {
        format!("cell {} ({})", c.id, values.join(", "))
    }
}

/// The levels of varied key `k` in cell order.
fn levels(spec: &SweepSpec, k: usize) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for c in &spec.cells {
        if let Some((_, x)) = c.values.get(k)
            && !v.contains(x)
        {
            v.push(x.clone());
        }
    }
    v
}

/// A heatmap of `metric` over a two-key grid: `value ± se` per cell, colour bar.
fn heatmap(
    spec: &SweepSpec,
    cells: &[CellResult],
    keys: &[String],
    metric: &str,
    title: &str,
) -> Heatmap {
    let (xs, ys) = (levels(spec, 0), levels(spec, 1));
    let position = |l: &[String], c: &CellResult, k: usize| {
        let v = c.values.get(k).map(|v| v.1.as_str());
        l.iter().position(|x| Some(x.as_str()) == v).unwrap_or(0)
    };
    let heat_cells: Vec<HeatCell> = cells
        .iter()
        .map(|c| {
            let stat = c.get(metric);
            HeatCell {
                x: position(&xs, c, 0),
                y: position(&ys, c, 1),
                value: stat.and_then(|s| s.value),
                se: stat.and_then(|s| s.se),
            }
        })
        .collect();
    Heatmap {
        id: format!("heatmap-{metric}"),
        title: title.to_owned(),
        caption: format!("{metric} per cell, ± its standard error; grey: undefined."),
        x_label: keys[0].clone(),
        y_label: keys[1].clone(),
        x_levels: xs,
        y_levels: ys,
        cells: heat_cells,
        fmt: metric_fmt(metric),
    }
}

/// The metrics mapped in a two-key grid: `(metric, title)`.
fn heatmap_metrics(spec: &SweepSpec, cells: &[CellResult]) -> Vec<(String, String)> {
    let headline = headline(cells).into_iter();
    if is_spiral(spec) {
        return headline.map(|(h, m, _, _)| (m, h)).collect();
    }
    let mut maps = vec![
        (
            "bad_debt_var99_usd".to_string(),
            "Bad debt VaR 99 % (USD)".to_string(),
        ),
        ("bad_debt_es99_usd".into(), "Bad debt ES 99 % (USD)".into()),
        (
            "liquidations_at_risk_p95_usd".into(),
            "Liquidations at risk p95 (USD)".into(),
        ),
    ];
    maps.extend(headline.skip(3).map(|(h, m, _, _)| (m, h)));
    maps
}

fn probability(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

/// Per loss column: an exceedance chart over all cells and a histogram per cell.
fn loss_sections(cells: &[CellResult]) -> Vec<Section> {
    let columns: Vec<String> = cells
        .first()
        .map(|c| c.losses.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (k, column) in columns.iter().enumerate() {
        let samples = |c: &CellResult| c.losses.get(k).map(|l| l.1.clone()).unwrap_or_default();
        let series = cells
            .iter()
            .enumerate()
            .map(|(i, c)| Series::new(cell_label(c), i, Agg::Last, page::exceedance(&samples(c))));
        let chart = Chart::xy(
            &format!("exceedance-{column}"),
            &format!("Exceedance curves of {column}: P(loss > x)"),
            &format!("{column}, USD"),
            bankrun_report::usd,
            "P(loss > x)",
            probability,
        )
        .caption("Share of the cell's paths whose loss exceeds x, one line per cell.")
        .series(series.collect());
        out.push(Section::new(
            &format!("Loss distribution: {column}"),
            "Per-path losses at the end of the window (bad debt, USD), from every path of \
             each cell.",
            vec![Block::Chart(chart)],
        ));
        let histograms = cells.iter().take(MAX_HISTOGRAMS).map(|c| {
            Block::Histogram(Histogram {
                id: format!("hist-{column}-{}", c.id),
                title: cell_label(c),
                caption: format!("{} paths.", c.paths),
                x_label: format!("{column}, USD"),
                x_fmt: bankrun_report::usd,
                samples: samples(c),
                bins: 20,
            })
        });
        let mut section = Section::new(
            &format!("Loss histograms: {column}"),
            &if cells.len() > MAX_HISTOGRAMS {
                format!("The first {MAX_HISTOGRAMS} of {} cells.", cells.len())
            } else {
                String::new()
            },
            histograms.collect(),
        );
        section.grid = true;
        out.push(section);
    }
    out
}

/// The cells table: varied values, paths, and every metric as `value ± se`.
fn cells_table(cells: &[CellResult], keys: &[String]) -> PageTable {
    let mut header = vec!["cell".to_string()];
    header.extend(keys.iter().cloned());
    header.push("paths".into());
    if let Some(c0) = cells.first() {
        header.extend(c0.stats.iter().map(|s| s.name.clone()));
    }
    let rows = cells.iter().map(|c| {
        let mut row = vec![c.id.to_string()];
        row.extend(c.values.iter().map(|(_, v)| v.clone()));
        row.push(bankrun_report::count(c.paths));
        row.extend(c.stats.iter().map(|s| {
            let f = metric_fmt(&s.name);
            match (s.value, s.se) {
                (Some(v), Some(se)) => format!("{} ± {}", f(v), f(se)),
                (Some(v), None) => f(v),
                _ => "–".to_owned(),
            }
        }));
        row
    });
    PageTable {
        header,
        rows: rows.collect(),
        note: "Every metric ± its standard error; exact values are in cells.csv.".into(),
        ..PageTable::default()
    }
}

fn html(spec: &SweepSpec, cells: &[CellResult], keys: &[String]) -> Result<String> {
    let bad_debt = if is_spiral(spec) {
        "Metrics are per variant (real: the scenario's price path; stress: its [stress] \
         drop), prefixed variant:. Bad debt at the end: Maker, the Vow's sin − dai (DAI); \
         Compound v2, Σ max(0, debt − collateral) over accounts at the oracle (USD)."
    } else {
        "Bad debt = booked reserve deficit + latent bad debt (underwater accounts nobody \
         liquidated), USD at the end of the window."
    };
    let description = format!(
        "Each value is followed by ± its standard error (bootstrap for quantiles and \
         expected shortfall, sd/√n for means, binomial for probabilities). {bad_debt}"
    );
    let varied = if spec.vary.is_empty() {
        "nothing".to_string()
    } else {
        spec.vary.join(", ")
    };
    let meta = [
        ("Master seed", spec.master_seed.to_string()),
        ("Design", spec.design.clone()),
        (
            "Cells × paths",
            format!(
                "{} × {} = {} paths",
                spec.cells.len(),
                spec.paths_per_cell,
                spec.total_paths
            ),
        ),
        ("Varied", varied),
    ];
    let mut sections = Vec::new();
    if keys.len() == 2 && spec.design == "grid" {
        let maps = heatmap_metrics(spec, cells).into_iter();
        let maps = maps.map(|(m, t)| Block::Heatmap(heatmap(spec, cells, keys, &m, &t)));
        sections.push(Section::new("Heatmaps", "", maps.collect()));
    } else if keys.len() == 2 {
        sections.push(Section::new(
            "Heatmaps",
            "Heatmaps are drawn for two-key grid designs only.",
            Vec::new(),
        ));
    }
    sections.extend(loss_sections(cells));
    sections.push(Section::new(
        "Cells",
        "Per-path rows: paths/chunk-*.parquet; cell metrics: cells.parquet, cells.csv; \
         definitions: the bankrun-sweep crate documentation (modules metrics, report, stats).",
        vec![Block::Table(cells_table(cells, keys))],
    ));
    let page = Page {
        title: format!("bankrun sweep — {}", spec.scenario),
        description,
        meta: meta.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        sections,
        footer: format!("Generated by bankrun {}.", env!("CARGO_PKG_VERSION")),
    };
    page.render().map_err(report_err)
}
