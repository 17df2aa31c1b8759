//! Parquet copies of the liquidation log and the time series: typed Arrow batches written
//! with fixed writer properties (Snappy, `created_by = "bankrun-spiral <version>"`, no
//! timestamps), so equal runs give byte-identical files.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
    UInt64Array,
};
use arrow::datatypes::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::SpiralError;
use crate::record::{LiquidationRow, SeriesRow};

fn batch(cols: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, SpiralError> {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), false))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        cols.into_iter().map(|c| c.1).collect(),
    )
    .map_err(|e| SpiralError::Run(format!("parquet batch: {e}")))
}

fn f64s<T>(rows: &[T], f: impl Fn(&T) -> f64) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(rows.iter().map(f)))
}

fn strs<T>(rows: &[T], f: impl Fn(&T) -> &str) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}

/// The liquidation log as a record batch (one column per [`LiquidationRow`] field).
///
/// # Errors
/// [`SpiralError::Run`].
pub fn liquidations_batch(rows: &[LiquidationRow]) -> Result<RecordBatch, SpiralError> {
    batch(vec![
        ("protocol", strs(rows, |r| r.protocol)),
        (
            "block",
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.block))),
        ),
        ("time", strs(rows, |r| &r.time)),
        (
            "position",
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.position),
            )),
        ),
        ("debt_repaid", f64s(rows, |r| r.debt_repaid)),
        ("collateral_seized", f64s(rows, |r| r.collateral_seized)),
        ("collateral", strs(rows, |r| &r.collateral)),
        ("discount", f64s(rows, |r| r.discount)),
        ("gas_paid_eth", f64s(rows, |r| r.gas_paid_eth)),
        ("venue", strs(rows, |r| &r.venue)),
        ("price_impact", f64s(rows, |r| r.price_impact)),
        (
            "auction",
            Arc::new(UInt64Array::from_iter_values(
                rows.iter().map(|r| r.auction),
            )),
        ),
        (
            "bids",
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.bids))),
        ),
        ("winner", strs(rows, |r| &r.winner)),
        ("winning_bid", f64s(rows, |r| r.winning_bid)),
        (
            "zero_bid",
            Arc::new(BooleanArray::from(
                rows.iter().map(|r| r.zero_bid).collect::<Vec<_>>(),
            )),
        ),
        (
            "delay_s",
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.delay_s))),
        ),
    ])
}

/// The time series as a record batch (one column per [`SeriesRow`] field).
///
/// # Errors
/// [`SpiralError::Run`].
pub fn series_batch(rows: &[SeriesRow]) -> Result<RecordBatch, SpiralError> {
    batch(vec![
        ("time", strs(rows, |r| &r.time)),
        ("fundamental", f64s(rows, |r| r.fundamental)),
        ("cex_mid", f64s(rows, |r| r.cex_mid)),
        ("pool_price", f64s(rows, |r| r.pool_price)),
        ("protocol_price", f64s(rows, |r| r.protocol_price)),
        ("gas_gwei", f64s(rows, |r| r.gas_gwei)),
        (
            "unsafe_positions",
            Arc::new(UInt64Array::from_iter_values(
                rows.iter().map(|r| r.unsafe_positions),
            )),
        ),
        ("liquidated", f64s(rows, |r| r.liquidated)),
    ])
}

/// Writes `batch` to `path` (one row group, deterministic bytes).
///
/// # Errors
/// [`SpiralError::Run`] on I/O or encoding failure.
pub fn write(path: &Path, batch: &RecordBatch) -> Result<(), SpiralError> {
    let err = |e: String| SpiralError::Run(format!("{}: {e}", path.display()));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("bankrun-spiral {}", env!("CARGO_PKG_VERSION")))
        .build();
    let file = std::fs::File::create(path).map_err(|e| err(e.to_string()))?;
    let mut w =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| err(e.to_string()))?;
    w.write(batch).map_err(|e| err(e.to_string()))?;
    w.close().map_err(|e| err(e.to_string()))?;
    Ok(())
}
