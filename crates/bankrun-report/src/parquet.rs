//! Parquet tables: typed Arrow record batches written with fixed writer properties.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use bankrun_metrics::{
    ClassSeriesRow, DepositorOutcome, GraphEdge, GraphNode, LiquidationRecord, LossRow,
    ReserveBlockRow,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::ReportError;

/// Column-by-column builder of one record batch over `rows`: each method adds one
/// non-nullable column (but [`Columns::opt_f64`]) computed from every row. Every command's
/// Parquet tables are built with it.
pub struct Columns<'a, T> {
    rows: &'a [T],
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl<'a, T> Columns<'a, T> {
    /// A builder over `rows`.
    pub fn new(rows: &'a [T]) -> Self {
        Self {
            rows,
            fields: Vec::new(),
            arrays: Vec::new(),
        }
    }

    fn push(mut self, name: &str, data_type: DataType, nullable: bool, array: ArrayRef) -> Self {
        self.fields.push(Field::new(name, data_type, nullable));
        self.arrays.push(array);
        self
    }

    /// A `UInt64` column.
    pub fn u64(self, name: &str, f: impl Fn(&T) -> u64) -> Self {
        let a = UInt64Array::from_iter_values(self.rows.iter().map(f));
        self.push(name, DataType::UInt64, false, Arc::new(a))
    }

    /// A nullable `UInt64` column (`None` is null).
    pub fn opt_u64(self, name: &str, f: impl Fn(&T) -> Option<u64>) -> Self {
        let a: UInt64Array = self.rows.iter().map(f).collect();
        self.push(name, DataType::UInt64, true, Arc::new(a))
    }

    /// A `UInt32` column.
    pub fn u32(self, name: &str, f: impl Fn(&T) -> u32) -> Self {
        let a = UInt32Array::from_iter_values(self.rows.iter().map(f));
        self.push(name, DataType::UInt32, false, Arc::new(a))
    }

    /// An `Int64` column.
    pub fn i64(self, name: &str, f: impl Fn(&T) -> i64) -> Self {
        let a = Int64Array::from_iter_values(self.rows.iter().map(f));
        self.push(name, DataType::Int64, false, Arc::new(a))
    }

    /// Unix seconds as `Timestamp(Millisecond, "UTC")`: Parquet has no second unit, and a
    /// millisecond timestamp carries the `TIMESTAMP(MILLIS, isAdjustedToUTC)` logical type that
    /// pandas, pyarrow and polars all read as a UTC datetime.
    pub fn time(self, name: &str, f: impl Fn(&T) -> i64) -> Self {
        let ms = self.rows.iter().map(|r| f(r).saturating_mul(1000));
        let a = TimestampMillisecondArray::from_iter_values(ms).with_timezone("UTC");
        let data_type = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        self.push(name, data_type, false, Arc::new(a))
    }

    /// A `Float64` column.
    pub fn f64(self, name: &str, f: impl Fn(&T) -> f64) -> Self {
        let a = Float64Array::from_iter_values(self.rows.iter().map(f));
        self.push(name, DataType::Float64, false, Arc::new(a))
    }

    /// A nullable `Float64` column (`None` is null).
    pub fn opt_f64(self, name: &str, f: impl Fn(&T) -> Option<f64>) -> Self {
        let a: Float64Array = self.rows.iter().map(f).collect();
        self.push(name, DataType::Float64, true, Arc::new(a))
    }

    /// A `Utf8` column.
    pub fn utf8(self, name: &str, f: impl Fn(&T) -> &str) -> Self {
        let a = StringArray::from_iter_values(self.rows.iter().map(f));
        self.push(name, DataType::Utf8, false, Arc::new(a))
    }

    /// A `Boolean` column.
    pub fn bool(self, name: &str, f: impl Fn(&T) -> bool) -> Self {
        let a: BooleanArray = self.rows.iter().map(|r| Some(f(r))).collect();
        self.push(name, DataType::Boolean, false, Arc::new(a))
    }

    /// The record batch; `table` names it in errors.
    ///
    /// # Errors
    /// [`ReportError::Arrow`] if the columns do not form a batch.
    pub fn finish(self, table: &'static str) -> Result<RecordBatch, ReportError> {
        let schema = Arc::new(Schema::new(self.fields));
        RecordBatch::try_new(schema, self.arrays)
            .map_err(|source| ReportError::Arrow { table, source })
    }
}

/// `reserves` table: the fields of [`ReserveBlockRow`] plus `time` after `timestamp`.
pub(crate) fn reserves_batch(rows: &[ReserveBlockRow]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .u64("block", |r| r.block)
        .i64("timestamp", |r| r.timestamp)
        .time("time", |r| r.timestamp)
        .utf8("reserve", |r| &r.reserve)
        .f64("utilization", |r| r.utilization)
        .f64("available_liquidity", |r| r.available_liquidity)
        .f64("total_supplied", |r| r.total_supplied)
        .f64("total_borrowed", |r| r.total_borrowed)
        .f64("supply_apr", |r| r.supply_apr)
        .f64("borrow_apr", |r| r.borrow_apr)
        .utf8("liquidity_index", |r| &r.liquidity_index)
        .utf8("variable_borrow_index", |r| &r.variable_borrow_index)
        .f64("withdrawals_requested", |r| r.withdrawals_requested)
        .f64("withdrawals_served", |r| r.withdrawals_served)
        .f64("withdrawals_reverted", |r| r.withdrawals_reverted)
        .u32("withdrawals_reverted_count", |r| {
            r.withdrawals_reverted_count
        })
        .f64("deficit", |r| r.deficit)
        .f64("oracle_price_usd", |r| r.oracle_price_usd)
        .bool("frozen", |r| r.frozen)
        .finish("reserves")
}

/// `classes` table: the fields of [`ClassSeriesRow`] plus `time` after `timestamp`.
pub(crate) fn classes_batch(rows: &[ClassSeriesRow]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .u64("block", |r| r.block)
        .i64("timestamp", |r| r.timestamp)
        .time("time", |r| r.timestamp)
        .utf8("class", |r| &r.class)
        .f64("cumulative_withdrawn_usd", |r| r.cumulative_withdrawn_usd)
        .f64("share_withdrawn", |r| r.share_withdrawn)
        .f64("pending_exit_usd", |r| r.pending_exit_usd)
        .finish("classes")
}

/// `depositors` table: the fields of [`DepositorOutcome`] (no time column).
pub(crate) fn depositors_batch(rows: &[DepositorOutcome]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .u32("id", |r| r.id)
        .utf8("class", |r| &r.class)
        .utf8("asset", |r| &r.asset)
        .f64("initial_balance", |r| r.initial_balance)
        .f64("initial_usd", |r| r.initial_usd)
        .f64("exit_target", |r| r.exit_target)
        .f64("withdrawn", |r| r.withdrawn)
        .u32("withdraw_txs", |r| r.withdraw_txs)
        .u32("reverted_txs", |r| r.reverted_txs)
        .opt_f64("first_exit_decision_s", |r| r.first_exit_decision_s)
        .opt_f64("exit_completed_s", |r| r.exit_completed_s)
        .f64("trapped_at_end", |r| r.trapped_at_end)
        .f64("gas_paid_eth", |r| r.gas_paid_eth)
        .finish("depositors")
}

/// `liquidations` table: the fields of [`LiquidationRecord`] plus `time` after `timestamp`.
pub(crate) fn liquidations_batch(rows: &[LiquidationRecord]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .u64("block", |r| r.block)
        .i64("timestamp", |r| r.timestamp)
        .time("time", |r| r.timestamp)
        .u32("liquidator", |r| r.liquidator)
        .u32("user", |r| r.user)
        .utf8("collateral_asset", |r| &r.collateral_asset)
        .utf8("debt_asset", |r| &r.debt_asset)
        .f64("debt_repaid", |r| r.debt_repaid)
        .f64("collateral_to_liquidator", |r| r.collateral_to_liquidator)
        .f64("protocol_fee", |r| r.protocol_fee)
        .f64("debt_repaid_usd", |r| r.debt_repaid_usd)
        .f64("bonus_usd", |r| r.bonus_usd)
        .f64("health_factor_before", |r| r.health_factor_before)
        .f64("deficit_created_usd", |r| r.deficit_created_usd)
        .bool("receive_a_token", |r| r.receive_a_token)
        .finish("liquidations")
}

/// `exposure_nodes` table: the fields of [`GraphNode`].
pub(crate) fn graph_nodes_batch(rows: &[GraphNode]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .utf8("snapshot", |r| &r.snapshot)
        .utf8("id", |r| &r.id)
        .utf8("kind", |r| &r.kind)
        .f64("value_usd", |r| r.value_usd)
        .finish("exposure_nodes")
}

/// `exposure_edges` table: the fields of [`GraphEdge`].
pub(crate) fn graph_edges_batch(rows: &[GraphEdge]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .utf8("snapshot", |r| &r.snapshot)
        .utf8("source", |r| &r.source)
        .utf8("target", |r| &r.target)
        .utf8("kind", |r| &r.kind)
        .f64("usd", |r| r.usd)
        .finish("exposure_edges")
}

/// `losses` table: the fields of [`LossRow`].
pub(crate) fn losses_batch(rows: &[LossRow]) -> Result<RecordBatch, ReportError> {
    Columns::new(rows)
        .utf8("loss", |r| &r.loss)
        .utf8("reserve", |r| &r.reserve)
        .utf8("source", |r| &r.source)
        .utf8("borne_by", |r| &r.borne_by)
        .f64("tokens", |r| r.tokens)
        .f64("usd", |r| r.usd)
        .finish("losses")
}

/// Writer properties: Snappy compression and `created_by = "bankrun <version>"`. Nothing
/// time-dependent is written, so equal batches give byte-identical files.
fn writer_properties(bankrun_version: &str) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("bankrun {bankrun_version}"))
        .build()
}

/// Writes one record batch to `path` as a Parquet file (one row group), Snappy-compressed,
/// `created_by = "bankrun <version>"`.
///
/// # Errors
/// I/O and Parquet errors, naming `path`.
pub fn write_parquet(
    path: &Path,
    batch: &RecordBatch,
    bankrun_version: &str,
) -> Result<(), ReportError> {
    let pq_err = |source| ReportError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(|e| ReportError::io(path, e))?;
    let props = writer_properties(bankrun_version);
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(pq_err)?;
    writer.write(batch).map_err(pq_err)?;
    writer.close().map_err(pq_err)?;
    Ok(())
}
