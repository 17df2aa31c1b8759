//! Turns a [`bankrun_metrics::RunResult`] into the outputs of `bankrun simulate`:
//!
//! * [`summary_table`] — the human-readable summary printed on stdout;
//! * [`summary_json`] / [`summary_json_schema`] — the `--json` summary and its JSON Schema;
//! * [`write_run_dir`] — the run directory: Parquet and CSV tables, `events.csv`,
//!   `summary.json` and a self-contained `report.html` with inline SVG charts;
//! * [`page`] — the one report template every command's `report.html` is built with;
//! * [`write_atomically`] / [`check_replaceable`] / [`default_out_dir`] — the output-directory
//!   contract every `bankrun` command that writes a directory follows (marker file,
//!   all-or-nothing rename, refusal to replace directories bankrun did not write).
//!
//! Every output is a pure function of its input: identical input gives byte-identical files.
//! The layout of every file is documented in `docs/outputs.md`.

mod csv;
mod dir;
mod error;
mod figures;
mod format;
mod html;
mod json;
mod losses;
mod outdir;
pub mod page;
pub mod parquet;
mod series;
mod table;

pub use csv::{csv_string, write_csv};
pub use dir::{RunMeta, write_run_dir};
pub use error::ReportError;
pub use format::{compact, count, pct, usd};
pub use json::{summary_json, summary_json_schema};
pub use outdir::{
    MARKER, OutputDirError, check_replaceable, default_out_dir, sanitize_component,
    write_atomically,
};
pub use table::{new_table, summary_table};
