//! Parquet copies of the liquidation log and the time series, built and written with the one
//! Parquet writer of `bankrun-report` (typed columns, `time` as a UTC millisecond timestamp,
//! fixed writer properties), so equal runs give byte-identical files.

use std::path::Path;

use arrow::array::RecordBatch;
use bankrun_report::parquet::{Columns, write_parquet};

use crate::error::SpiralError;
use crate::record::{LiquidationRow, SeriesRow};

/// Each row with the unix seconds of its RFC 3339 `time`.
fn timed<T>(rows: &[T], time: impl Fn(&T) -> &str) -> Result<Vec<(&T, i64)>, SpiralError> {
    rows.iter()
        .map(|r| {
            bankrun_chain::time::parse_time(time(r))
                .map(|t| (r, t))
                .map_err(|e| SpiralError::Run(format!("parquet: time {:?}: {e}", time(r))))
        })
        .collect()
}

fn report_err(e: bankrun_report::ReportError) -> SpiralError {
    SpiralError::Run(format!("parquet: {e}"))
}

/// The liquidation log as a record batch (one column per [`LiquidationRow`] field; `time` is
/// a UTC timestamp).
///
/// # Errors
/// [`SpiralError::Run`].
pub fn liquidations_batch(rows: &[LiquidationRow]) -> Result<RecordBatch, SpiralError> {
    let rows = timed(rows, |r| &r.time)?;
    Columns::new(&rows)
        .utf8("protocol", |(r, _)| r.protocol)
        .u64("block", |(r, _)| r.block)
        .time("time", |(_, t)| *t)
        .u32("position", |(r, _)| r.position)
        .f64("debt_repaid", |(r, _)| r.debt_repaid)
        .f64("collateral_seized", |(r, _)| r.collateral_seized)
        .utf8("collateral", |(r, _)| &r.collateral)
        .f64("discount", |(r, _)| r.discount)
        .f64("gas_paid_eth", |(r, _)| r.gas_paid_eth)
        .utf8("venue", |(r, _)| &r.venue)
        .f64("price_impact", |(r, _)| r.price_impact)
        .u64("auction", |(r, _)| r.auction)
        .u32("bids", |(r, _)| r.bids)
        .utf8("winner", |(r, _)| &r.winner)
        .f64("winning_bid", |(r, _)| r.winning_bid)
        .bool("zero_bid", |(r, _)| r.zero_bid)
        .i64("delay_s", |(r, _)| r.delay_s)
        .finish("liquidations")
        .map_err(report_err)
}

/// The time series as a record batch (one column per [`SeriesRow`] field; `time` is a UTC
/// timestamp).
///
/// # Errors
/// [`SpiralError::Run`].
pub fn series_batch(rows: &[SeriesRow]) -> Result<RecordBatch, SpiralError> {
    let rows = timed(rows, |r| &r.time)?;
    Columns::new(&rows)
        .time("time", |(_, t)| *t)
        .f64("fundamental", |(r, _)| r.fundamental)
        .f64("cex_mid", |(r, _)| r.cex_mid)
        .f64("pool_price", |(r, _)| r.pool_price)
        .f64("protocol_price", |(r, _)| r.protocol_price)
        .f64("gas_gwei", |(r, _)| r.gas_gwei)
        .u64("unsafe_positions", |(r, _)| r.unsafe_positions)
        .f64("liquidated", |(r, _)| r.liquidated)
        .finish("series")
        .map_err(report_err)
}

/// Writes `batch` to `path` (one row group, deterministic bytes).
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub fn write(path: &Path, batch: &RecordBatch) -> Result<(), SpiralError> {
    write_parquet(path, batch, env!("CARGO_PKG_VERSION")).map_err(report_err)
}
