//! The error type of sweeps: bad input (exit code 2 in the CLI) or a failure of the machine.

/// A sweep failure.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad input: a scenario, override, option or output directory that cannot be used. The
    /// message names the file / argument, and where known the line and key.
    #[error("{0}")]
    BadInput(String),
    /// Reading or writing files failed.
    #[error("{path}: {message}")]
    Io {
        /// The file or directory.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl SweepError {
    /// A bad-input error.
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::BadInput(msg.into())
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.as_ref().display().to_string(),
            message: e.to_string(),
        }
    }
}

/// Result alias.
pub type Result<T, E = SweepError> = std::result::Result<T, E>;
