//! Monte Carlo and parameter sweeps of bankrun scenarios, reproducible and resumable.
//!
//! A sweep runs `paths` paths in each *cell* of a design (a grid, Latin hypercube or Sobol
//! sample over `--vary` keys). Every path is a pure function of (FNV-1a 64 hash of the cell's
//! overridden TOML text, master seed, path index) — see [`seed`] — so results are identical
//! for any thread count, shard split or machine. Per-path metric rows stream to Parquet
//! chunks (`paths/chunk-NNNNNN.parquet`) recorded in `manifest.json`; a killed sweep resumes
//! without losing or duplicating a path; shards merge into the bytes of an unsharded run.
//! Finally the cell risk metrics ([`stats`], [`metrics`]) go to `cells.parquet`, `cells.csv`
//! and `report.html`.
//!
//! Two scenario formats are swept: the Aave bank-run format (`bankrun_scenario`, [`run`]) and
//! the liquidation-spiral format (`bankrun_spiral`, [`spiral`]); they share everything but
//! how a cell is loaded and a path is run and measured.

pub mod calibrate;
pub mod chunks;
pub mod design;
pub mod error;
pub mod fit;
pub mod keys;
pub mod metrics;
pub mod report;
pub mod run;
pub mod seed;
pub mod spiral;
pub mod stats;
pub mod stochastic;
pub mod vary;
pub mod world;

pub use error::{Result, SweepError};
