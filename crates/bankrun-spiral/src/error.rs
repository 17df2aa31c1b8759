//! Errors: bad input is located (`file:line: key: message`); everything else is a defect of
//! the simulation (a protocol revert that the model should have avoided).

/// An error of a spiral scenario or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpiralError {
    /// Bad input, located in its file.
    #[error("{origin}:{line}: {key}: {message}")]
    BadInput {
        /// File (or embedded scenario name) the input came from.
        origin: String,
        /// 1-based line (0 if unknown).
        line: usize,
        /// The offending key or column.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// Not a spiral scenario (the caller may try another loader).
    #[error("not a spiral scenario: {0}")]
    NotSpiral(String),
    /// An unexpected protocol revert or I/O failure.
    #[error("{0}")]
    Run(String),
    /// The output directory is not bankrun's to replace (bad input: choose another `--out`).
    #[error("{0}")]
    OutputRefused(String),
}

impl From<bankrun_report::OutputDirError> for SpiralError {
    fn from(e: bankrun_report::OutputDirError) -> Self {
        if e.is_refusal() {
            SpiralError::OutputRefused(e.to_string())
        } else {
            SpiralError::Run(e.to_string())
        }
    }
}

impl SpiralError {
    /// A located bad-input error.
    pub fn bad(origin: &str, line: usize, key: &str, message: impl Into<String>) -> Self {
        SpiralError::BadInput {
            origin: origin.to_string(),
            line,
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// The 1-based line of the first line of `text` that assigns `key` (`key =` or `key=`),
/// or 0 if none does.
pub fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// The 1-based line of byte offset `pos` in `text`.
pub fn line_at(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())].matches('\n').count() + 1
}

impl From<bankrun_chain::prices::CsvError> for SpiralError {
    /// A bad series CSV: located at its file, line and column.
    fn from(e: bankrun_chain::prices::CsvError) -> Self {
        SpiralError::bad(&e.file, e.line, &e.column, e.message())
    }
}
