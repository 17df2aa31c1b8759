//! Cell risk metrics and the sweep outputs: `cells.parquet`, `cells.csv`, `report.html`
//! (self-contained, inline SVG heatmaps for two-key grids) and the stdout summary table.
//!
//! Cell metrics (each with a standard error, column `<name>_se`; see [`crate::stats`]):
//!
//! | metric | definition |
//! |---|---|
//! | `bad_debt_mean_usd` | mean bad debt (booked deficit + latent bad debt at the end, USD) |
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

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use parquet::arrow::ArrowWriter;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

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
        let res = CellResult {
            id,
            values: self.cells.get(id as usize).cloned().unwrap_or_default(),
            paths: self.n,
            stats,
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Viridis-like colour ramp at t ∈ [0, 1].
fn ramp(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A heatmap of `metric` over a two-key grid, as an inline `<svg>`.
fn heatmap(
    spec: &SweepSpec,
    cells: &[CellResult],
    keys: &[String],
    metric: &str,
    title: &str,
) -> Result<String> {
    let levels = |k: usize| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in &spec.cells {
            let x = &c.values[k].1;
            if !v.contains(x) {
                v.push(x.clone());
            }
        }
        v
    };
    let (xs, ys) = (levels(0), levels(1));
    let vals: Vec<(usize, usize, Option<f64>)> = cells
        .iter()
        .map(|c| {
            let i = xs.iter().position(|x| *x == c.values[0].1).unwrap_or(0);
            let j = ys.iter().position(|y| *y == c.values[1].1).unwrap_or(0);
            (i, j, c.get(metric).and_then(|s| s.value))
        })
        .collect();
    let finite: Vec<f64> = vals
        .iter()
        .filter_map(|v| v.2)
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut svg = String::new();
    {
        let mut draw = || -> std::result::Result<(), Box<dyn std::error::Error + '_>> {
            let root = SVGBackend::with_string(&mut svg, (640, 420)).into_drawing_area();
            root.fill(&WHITE)?;
            let (nx, ny) = (xs.len() as i32, ys.len() as i32);
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 16))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(80)
                // A segmented range a..b has b − a + 1 segments.
                .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
            let lab = |v: &SegmentValue<i32>, l: &[String]| match v {
                SegmentValue::CenterOf(i) => l.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(keys[0].as_str())
                .y_desc(keys[1].as_str())
                .x_labels(xs.len())
                .y_labels(ys.len())
                .x_label_formatter(&|v| lab(v, &xs))
                .y_label_formatter(&|v| lab(v, &ys))
                .draw()?;
            for &(i, j, v) in &vals {
                let (i, j) = (i as i32, j as i32);
                let color = match v {
                    Some(x) if x.is_finite() => {
                        ramp(if hi > lo { (x - lo) / (hi - lo) } else { 0.5 })
                    }
                    _ => RGBColor(220, 220, 220),
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                        (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                    ],
                    color.filled(),
                )))?;
                let label = v.map_or("–".to_string(), |x| format!("{x:.3}"));
                let t = if v.is_some_and(|x| hi > lo && (x - lo) / (hi - lo) > 0.6) {
                    BLACK
                } else {
                    WHITE
                };
                chart.draw_series(std::iter::once(Text::new(
                    label,
                    (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                    ("sans-serif", 12).into_font().color(&t),
                )))?;
            }
            root.present()?;
            Ok(())
        };
        draw().map_err(|e| SweepError::io("report.html", format!("heatmap {metric}: {e}")))?;
    }
    Ok(svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

fn html(spec: &SweepSpec, cells: &[CellResult], keys: &[String]) -> Result<String> {
    let mut h = String::new();
    let title = format!("bankrun sweep — {}", spec.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:sans-serif;margin:2em;max-width:1400px}}table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}th{{background:#eee}}code{{background:#f4f4f4}}.maps{{display:flex;flex-wrap:wrap;gap:12px}}</style></head><body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let bad_debt = if is_spiral(spec) {
        "Metrics are per variant (<code>real</code>: the scenario's price path; <code>stress</code>: its <code>[stress]</code> drop), prefixed <code>variant:</code>. Bad debt at the end: Maker, the Vow's <code>sin − dai</code> (DAI); Compound v2, Σ max(0, debt − collateral) over accounts at the oracle (USD)."
    } else {
        "Bad debt = booked reserve deficit + latent bad debt (underwater accounts nobody liquidated), USD at the end of the window."
    };
    let _ = writeln!(
        h,
        "<p>Master seed <code>{}</code>, design <code>{}</code>, {} cell(s) × {} path(s) = {} paths; varied: {}. Each value is followed by ± its standard error (bootstrap for quantiles and expected shortfall, sd/√n for means, binomial for probabilities). {bad_debt}</p>",
        spec.master_seed,
        esc(&spec.design),
        spec.cells.len(),
        spec.paths_per_cell,
        spec.total_paths,
        if spec.vary.is_empty() {
            "nothing".to_string()
        } else {
            spec.vary
                .iter()
                .map(|v| format!("<code>{}</code>", esc(v)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let grid2 = keys.len() == 2 && spec.design == "grid";
    if grid2 {
        h.push_str("<h2>Heatmaps</h2>\n<div class=\"maps\">\n");
        let mut maps = Vec::new();
        if is_spiral(spec) {
            maps.extend(
                headline(cells)
                    .into_iter()
                    .map(|(_, m, _, _)| (m.clone(), m)),
            );
        } else {
            maps.extend([
                (
                    "bad_debt_var99_usd".to_string(),
                    "Bad debt VaR 99 % (USD)".to_string(),
                ),
                ("bad_debt_es99_usd".into(), "Bad debt ES 99 % (USD)".into()),
                (
                    "liquidations_at_risk_p95_usd".into(),
                    "Liquidations at risk p95 (USD)".into(),
                ),
            ]);
            for (_, m, _, _) in headline(cells).into_iter().skip(3) {
                maps.push((m.clone(), m));
            }
        }
        for (m, t) in maps {
            h.push_str(&heatmap(spec, cells, keys, &m, &t)?);
            h.push('\n');
        }
        h.push_str("</div>\n");
    } else if keys.len() == 2 {
        h.push_str("<p>Heatmaps are drawn for two-key <code>grid</code> designs only.</p>\n");
    }
    h.push_str("<h2>Cells</h2>\n<table><tr><th>cell</th>");
    for k in keys {
        let _ = write!(h, "<th>{}</th>", esc(k));
    }
    h.push_str("<th>paths</th>");
    if let Some(c0) = cells.first() {
        for s in &c0.stats {
            let _ = write!(h, "<th>{}</th>", esc(&s.name));
        }
    }
    h.push_str("</tr>\n");
    for c in cells {
        let _ = write!(h, "<tr><td>{}</td>", c.id);
        for (_, v) in &c.values {
            let _ = write!(h, "<td>{}</td>", esc(v));
        }
        let _ = write!(h, "<td>{}</td>", c.paths);
        for s in &c.stats {
            let digits = if s.value.is_some_and(|v| v.abs() >= 1000.0) {
                0
            } else {
                4
            };
            let _ = write!(h, "<td>{}</td>", esc(&pm(Some(s), 1.0, digits)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<p>Per-path rows: <code>paths/chunk-*.parquet</code>; cell metrics: <code>cells.parquet</code>, <code>cells.csv</code>; definitions: the <code>bankrun-sweep</code> crate documentation (modules <code>metrics</code>, <code>report</code>, <code>stats</code>).</p>\n</body></html>\n");
    Ok(h)
}
