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
use crate::parquet::{
    classes_batch, depositors_batch, liquidations_batch, reserves_batch, write_parquet,
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
/// `events.csv`, `summary.json`, `report.html` (layouts in `docs/outputs.md`).
///
/// Everything is first written to the sibling directory `<out>.partial-<pid>` (created with
/// its missing parents), which is renamed to `out` only when every file is complete; an
/// existing directory at `out` is removed just before the rename. Output is byte-identical
/// for identical input.
///
/// # Errors
///
/// [`ReportError::NotADirectory`] if `out` exists and is not a directory,
/// [`ReportError::BadOutputPath`] if `out` has no final component, and I/O, Arrow, Parquet,
/// CSV or chart errors while writing. On error the partial directory is removed and no
/// directory is created at `out` (a previous `out` is left untouched unless the failure
/// happened in the final remove-and-rename step).
pub fn write_run_dir(
    result: &RunResult,
    meta: &RunMeta,
    out: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let names = atomically(out, |dir| write_files(result, meta, dir))?;
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

/// `<out>.partial-<pid>`, next to `out`.
fn partial_path(out: &Path) -> Result<PathBuf, ReportError> {
    let name = out
        .file_name()
        .ok_or_else(|| ReportError::BadOutputPath(out.to_path_buf()))?;
    let mut partial = name.to_os_string();
    partial.push(format!(".partial-{}", std::process::id()));
    Ok(out.with_file_name(partial))
}

/// Runs `write` on a fresh partial directory and renames it to `out` if it succeeds;
/// removes the partial directory if anything fails.
fn atomically<T>(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<T, ReportError>,
) -> Result<T, ReportError> {
    ensure_replaceable(out)?;
    let partial = partial_path(out)?;
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(|e| ReportError::io(&partial, e))?;
    }
    fs::create_dir_all(&partial).map_err(|e| ReportError::io(&partial, e))?;
    let outcome = write(&partial).and_then(|value| {
        replace_dir(&partial, out)?;
        Ok(value)
    });
    if outcome.is_err() {
        // Best effort: the original error is more useful than a cleanup error.
        let _ = fs::remove_dir_all(&partial);
    }
    outcome
}

/// Fails if `out` exists and is not a directory (a symlink counts as not a directory).
fn ensure_replaceable(out: &Path) -> Result<(), ReportError> {
    match fs::symlink_metadata(out) {
        Ok(m) if !m.is_dir() => Err(ReportError::NotADirectory(out.to_path_buf())),
        _ => Ok(()),
    }
}

/// Removes a previous `out` directory, then renames `partial` to `out`.
fn replace_dir(partial: &Path, out: &Path) -> Result<(), ReportError> {
    ensure_replaceable(out)?;
    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| ReportError::io(out, e))?;
    }
    fs::rename(partial, out).map_err(|e| ReportError::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_removes_partial_and_creates_no_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let err = atomically(&out, |dir| -> Result<(), ReportError> {
            fs::write(dir.join("half.csv"), "a,b\n").unwrap();
            Err(ReportError::BadOutputPath(dir.to_path_buf()))
        })
        .unwrap_err();
        assert!(matches!(err, ReportError::BadOutputPath(_)));
        assert!(!out.exists());
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "partial directory left behind: {leftovers:?}"
        );
    }

    #[test]
    fn failed_write_keeps_previous_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("old.txt"), "old").unwrap();
        let failing = |_: &Path| -> Result<(), ReportError> {
            Err(ReportError::BadOutputPath(PathBuf::new()))
        };
        atomically(&out, failing).unwrap_err();
        assert_eq!(fs::read_to_string(out.join("old.txt")).unwrap(), "old");
    }

    #[test]
    fn partial_path_is_a_sibling() {
        let partial = partial_path(Path::new("runs/a")).unwrap();
        assert_eq!(
            partial,
            PathBuf::from(format!("runs/a.partial-{}", std::process::id()))
        );
        assert!(partial_path(Path::new("/")).is_err());
    }
}
