//! The error type of the report writers.

use std::path::PathBuf;

/// Why writing a run directory failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file-system operation (create, write, rename, remove) failed on `path`.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory the operation was applied to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Building an Arrow record batch failed (a bug: column lengths or types disagree).
    #[error("Arrow error while building {table}: {source}")]
    Arrow {
        /// The table being built, e.g. `reserves`.
        table: &'static str,
        /// The underlying error.
        #[source]
        source: arrow::error::ArrowError,
    },
    /// Encoding or writing a Parquet file failed.
    #[error("Parquet error on {path}: {source}")]
    Parquet {
        /// The Parquet file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ::parquet::errors::ParquetError,
    },
    /// Encoding or writing a CSV file failed.
    #[error("CSV error on {path}: {source}")]
    Csv {
        /// The CSV file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ::csv::Error,
    },
    /// Rendering a chart failed (the SVG backend writes to memory, so this is a bug).
    #[error("chart error in {chart}: {message}")]
    Chart {
        /// The chart being drawn (its figure id).
        chart: String,
        /// The plotters error, as text (plotters errors are not `Send + Sync`).
        message: String,
    },
    /// Rendering the page template failed (a bug in the template or its data).
    #[error("report template error: {message}")]
    Template {
        /// The template engine's error, as text.
        message: String,
    },
    /// The output directory was refused (bad input) or could not be created or replaced.
    #[error(transparent)]
    Output(#[from] crate::outdir::OutputDirError),
}

impl ReportError {
    /// Whether the error is bad input (a refused output path) rather than a failure while
    /// writing; the CLI exits with code 2 for bad input.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Self::Output(e) if e.is_refusal())
    }

    /// Wraps an I/O error with the path it happened on.
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
