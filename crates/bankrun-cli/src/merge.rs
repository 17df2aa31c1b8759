//! `bankrun merge`: combine shard directories of one sweep.

use std::path::PathBuf;
use std::time::Instant;

use crate::Failure;

/// Arguments of `bankrun merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Shard directories written by `bankrun sweep --shard i/N`.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output directory (new or empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `bankrun merge`.
pub fn run(a: MergeArgs) -> Result<(), Failure> {
    let t0 = Instant::now();
    let outcome = bankrun_sweep::run::merge(&a.dirs, &a.out).map_err(|e| match e {
        bankrun_sweep::SweepError::BadInput(m) => Failure::BadInput(m),
        other => Failure::Other(anyhow::anyhow!(other)),
    })?;
    crate::sweep::report(outcome, &a.out, 0, t0.elapsed().as_secs_f64())
}
