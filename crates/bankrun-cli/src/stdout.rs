//! Printing to stdout where a closed pipe (`bankrun simulate | head -1`) ends the output
//! quietly instead of panicking: Rust ignores SIGPIPE, so a write to a closed pipe fails with
//! `BrokenPipe`, which `println!` would turn into a panic.

use std::io::{ErrorKind, Write};

use crate::Failure;

/// Writes `text` to stdout and flushes it; a closed pipe counts as success (the reader has
/// all it wanted), any other write error is a failure.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(Failure::Other(anyhow::anyhow!("writing to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// [`print`] with a newline.
pub fn println(text: &str) -> Result<(), Failure> {
    print(&format!("{text}\n"))
}
