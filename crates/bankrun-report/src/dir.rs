//! The run directory: all output files, written atomically (temporary sibling directory,
//! renamed into place when complete).

use std::fs;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use bankrun_metrics::RunResult;
use serde::Serialize;

use crate::csv::write_csv;
use crate::error::ReportError;
use crate::html::render_report;
use crate::json::summary_json;
use crate::outdir::write_atomically;
use crate::parquet::{
    classes_batch, depositors_batch, graph_edges_batch, graph_nodes_batch, liquidations_batch,
    losses_batch, reserves_batch, write_parquet,
};

/// Run metadata shown in `report.html` and recorded in the Parquet files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunMeta {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Scenario description, shown under the report title (may be empty).
    pub description: String,
    /// bankrun version, e.g. `0.1.0`; written as `created_by = "bankrun <version>"` in the
    /// Parquet footers and shown in the report.
    pub bankrun_version: String,
}

/// Writes the run directory `out` and returns the paths of the files in it, in this order:
/// `reserves.parquet`, `reserves.csv`, `classes.parquet`, `classes.csv`,
/// `depositors.parquet`, `depositors.csv`, `liquidations.parquet`, `liquidations.csv`,
/// `losses.parquet`, `losses.csv`, `exposure_nodes.parquet`, `exposure_nodes.csv`,
/// `exposure_edges.parquet`, `exposure_edges.csv`, `events.csv`, `summary.json`, `report.html` (layouts in `docs/outputs.md`).
///
/// The directory follows the output-directory contract of [`crate::write_atomically`]: it
/// carries the marker `.bankrun-output` (`simulate <scenario> --seed <seed>`), appears only
/// when every file is complete, and replaces a previous `out` only if that is empty or was
/// written by bankrun. Output is byte-identical for identical input.
///
/// # Errors
///
/// [`ReportError::Output`] if `out` is refused (a file, a symbolic link, a non-empty
/// directory bankrun did not write) or cannot be created or replaced, and I/O, Arrow,
/// Parquet, CSV or chart errors while writing. On error no directory is created at `out`
/// and a previous `out` is left untouched.
pub fn write_run_dir(
    result: &RunResult,
    meta: &RunMeta,
    out: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let command = format!("simulate {} --seed {}", meta.scenario, meta.seed);
    let names = write_atomically(out, &command, |dir| write_files(result, meta, dir))?;
    Ok(names.into_iter().map(|name| out.join(name)).collect())
}

/// Writes every output file into `dir`; returns the file names in write order.
fn write_files(result: &RunResult, meta: &RunMeta, dir: &Path) -> Result<Vec<String>, ReportError> {
    let version = meta.bankrun_version.as_str();
    let mut names = Vec::new();
    let reserves = reserves_batch(&result.reserve_series)?;
    names.extend(write_table(
        dir,
        "reserves",
        &reserves,
        &result.reserve_series,
        version,
    )?);
    let classes = classes_batch(&result.class_series)?;
    names.extend(write_table(
        dir,
        "classes",
        &classes,
        &result.class_series,
        version,
    )?);
    let depositors = depositors_batch(&result.depositors)?;
    names.extend(write_table(
        dir,
        "depositors",
        &depositors,
        &result.depositors,
        version,
    )?);
    let liquidations = liquidations_batch(&result.liquidations)?;
    names.extend(write_table(
        dir,
        "liquidations",
        &liquidations,
        &result.liquidations,
        version,
    )?);
    let losses = &result.summary.losses.rows;
    names.extend(write_table(
        dir,
        "losses",
        &losses_batch(losses)?,
        losses,
        version,
    )?);
    let nodes = &result.graph_nodes;
    let batch = graph_nodes_batch(nodes)?;
    names.extend(write_table(dir, "exposure_nodes", &batch, nodes, version)?);
    let edges = &result.graph_edges;
    let batch = graph_edges_batch(edges)?;
    names.extend(write_table(dir, "exposure_edges", &batch, edges, version)?);
    write_csv(&dir.join("events.csv"), &result.events)?;
    write_text(
        &dir.join("summary.json"),
        &(summary_json(&result.summary) + "\n"),
    )?;
    write_text(&dir.join("report.html"), &render_report(result, meta)?)?;
    names.extend(["events.csv", "summary.json", "report.html"].map(String::from));
    Ok(names)
}

/// Writes `<stem>.parquet` from `batch` and `<stem>.csv` from `rows`; returns both names.
fn write_table<T: Serialize + Default>(
    dir: &Path,
    stem: &str,
    batch: &RecordBatch,
    rows: &[T],
    version: &str,
) -> Result<[String; 2], ReportError> {
    let names = [format!("{stem}.parquet"), format!("{stem}.csv")];
    write_parquet(&dir.join(&names[0]), batch, version)?;
    write_csv(&dir.join(&names[1]), rows)?;
    Ok(names)
}

fn write_text(path: &Path, text: &str) -> Result<(), ReportError> {
    fs::write(path, text).map_err(|e| ReportError::io(path, e))
}
