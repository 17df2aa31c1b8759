//! Chunk files (`paths/chunk-NNNNNN.parquet`: one row per path) and `manifest.json`.
//!
//! Every file is written to `<name>.tmp`, flushed to disk and renamed, so a file with its
//! final name is always complete. The manifest records each completed chunk with its row
//! count and the FNV-1a 64 hash of its bytes; a chunk not in the manifest (or whose bytes do
//! not match) is recomputed on `--resume`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SweepError};
use crate::metrics::PathRow;

/// Manifest format version.
pub const MANIFEST_FORMAT: u32 = 1;

/// Everything that determines a sweep's results (two directories with equal specs hold
/// interchangeable chunks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// Scenario name.
    pub scenario: String,
    /// FNV-1a 64 of the base scenario text, hex.
    pub scenario_hash: String,
    /// Master seed.
    pub master_seed: u64,
    /// Paths per cell.
    pub paths_per_cell: u64,
    /// Paths per chunk file.
    pub chunk_size: u64,
    /// Design name.
    pub design: String,
    /// The `--vary` arguments as given.
    pub vary: Vec<String>,
    /// The cells.
    pub cells: Vec<CellSpec>,
    /// Metric columns of the chunk files.
    pub columns: Vec<String>,
    /// Total paths (cells × paths per cell).
    pub total_paths: u64,
    /// Total chunks.
    pub total_chunks: u64,
    /// bankrun version that wrote it.
    pub bankrun_version: String,
}

/// One cell of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSpec {
    /// Cell id.
    pub id: u32,
    /// (key, value as written) of every varied key.
    pub values: Vec<(String, String)>,
    /// FNV-1a 64 of the cell's overridden scenario text, hex.
    pub scenario_hash: String,
}

/// A completed chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkEntry {
    /// Rows (paths) in the file.
    pub rows: u64,
    /// FNV-1a 64 of the file's bytes, hex.
    pub fnv1a64: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The sweep.
    pub sweep: SweepSpec,
    /// `[index, count]` for a shard directory; `null` for a whole sweep (unsharded or merged).
    pub shard: Option<[u64; 2]>,
    /// Completed chunks by chunk number.
    pub completed: BTreeMap<u64, ChunkEntry>,
}

/// The chunk file name of chunk `c`.
pub fn chunk_name(c: u64) -> String {
    format!("chunk-{c:06}.parquet")
}

/// Hex of a u64.
pub fn hex(x: u64) -> String {
    format!("{x:016x}")
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename).
///
/// # Errors
/// I/O failures.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_name(path);
    let mut f = File::create(&tmp).map_err(|e| SweepError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| SweepError::io(&tmp, e))?;
    f.sync_all().map_err(|e| SweepError::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| SweepError::io(path, e))
}

fn tmp_name(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".tmp");
    PathBuf::from(s)
}

impl Manifest {
    /// Reads `dir/manifest.json`.
    ///
    /// # Errors
    /// [`SweepError::BadInput`] when missing or not a manifest of this format.
    pub fn read(dir: &Path) -> Result<Self> {
        let p = dir.join("manifest.json");
        let text = std::fs::read_to_string(&p).map_err(|e| {
            SweepError::bad(format!(
                "{}: expected a sweep manifest, found {e}",
                p.display()
            ))
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            SweepError::bad(format!(
                "{}:{}:{}: expected a sweep manifest (format {MANIFEST_FORMAT}), found {e}",
                p.display(),
                e.line(),
                e.column()
            ))
        })?;
        if m.format != MANIFEST_FORMAT {
            return Err(SweepError::bad(format!(
                "{}: `format`: expected {MANIFEST_FORMAT}, found {}",
                p.display(),
                m.format
            )));
        }
        m.check_counts()
            .map_err(|msg| SweepError::bad(format!("{}: {msg}", p.display())))?;
        Ok(m)
    }

    /// The counts a manifest's readers divide by and loop over agree with one another
    /// (`merge` divides row numbers by `paths_per_cell`, so a hand-edited zero must be
    /// refused here, not met as a division by zero).
    fn check_counts(&self) -> std::result::Result<(), String> {
        let s = &self.sweep;
        if s.paths_per_cell == 0 {
            return Err("`sweep.paths_per_cell`: expected at least 1, found 0".into());
        }
        if s.chunk_size == 0 {
            return Err("`sweep.chunk_size`: expected at least 1, found 0".into());
        }
        let total = (s.cells.len() as u64).checked_mul(s.paths_per_cell);
        if total != Some(s.total_paths) {
            return Err(format!(
                "`sweep.total_paths`: expected cells × paths_per_cell = {} × {}, found {}",
                s.cells.len(),
                s.paths_per_cell,
                s.total_paths
            ));
        }
        let chunks = s.total_paths.div_ceil(s.chunk_size);
        if s.total_chunks != chunks {
            return Err(format!(
                "`sweep.total_chunks`: expected total_paths / chunk_size rounded up = {chunks}, found {}",
                s.total_chunks
            ));
        }
        if let Some([i, n]) = self.shard
            && i >= n
        {
            return Err(format!(
                "`shard`: expected [index, count] with index < count, found [{i}, {n}]"
            ));
        }
        if let Some((&c, _)) = self.completed.range(s.total_chunks..).next() {
            return Err(format!(
                "`completed`: expected chunk numbers below {}, found {c}",
                s.total_chunks
            ));
        }
        Ok(())
    }

    /// Writes `dir/manifest.json` atomically (pretty JSON, keys in a fixed order).
    ///
    /// # Errors
    /// I/O failures.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| SweepError::io(dir.join("manifest.json"), e))?;
        text.push('\n');
        write_atomic(&dir.join("manifest.json"), text.as_bytes())
    }
}

/// The Arrow schema of chunk files.
pub fn schema(columns: &[String]) -> Arc<Schema> {
    let mut fields = vec![
        Field::new("cell", DataType::UInt32, false),
        Field::new("path", DataType::UInt64, false),
        Field::new("seed", DataType::UInt64, false),
    ];
    fields.extend(
        columns
            .iter()
            .map(|c| Field::new(c, DataType::Float64, true)),
    );
    Arc::new(Schema::new(fields))
}

/// Fixed writer properties: nothing time- or machine-dependent, so equal rows give equal bytes.
pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("bankrun-sweep {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Encodes rows as one Parquet file (in memory).
///
/// # Errors
/// Arrow / Parquet failures (reported as I/O on `what`).
pub fn encode(rows: &[PathRow], columns: &[String], what: &Path) -> Result<Vec<u8>> {
    let schema = schema(columns);
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.cell))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.path))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.seed))),
    ];
    for i in 0..columns.len() {
        let a: Float64Array = rows.iter().map(|r| r.values[i]).collect();
        arrays.push(Arc::new(a));
    }
    let batch =
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| SweepError::io(what, e))?;
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, schema, Some(writer_properties()))
        .map_err(|e| SweepError::io(what, e))?;
    w.write(&batch).map_err(|e| SweepError::io(what, e))?;
    w.close().map_err(|e| SweepError::io(what, e))?;
    Ok(buf)
}

/// Reads a chunk file back into rows, checking its columns.
///
/// # Errors
/// [`SweepError::BadInput`] for a file that is not a chunk of this sweep.
pub fn read(path: &Path, columns: &[String]) -> Result<Vec<PathRow>> {
    let f = File::open(path).map_err(|e| SweepError::io(path, e))?;
    let bad = |e: &dyn std::fmt::Display| {
        SweepError::bad(format!(
            "{}: expected a sweep chunk file, found {e}",
            path.display()
        ))
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| bad(&e))?
        .build()
        .map_err(|e| bad(&e))?;
    let want = schema(columns);
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| bad(&e))?;
        if batch.schema().fields() != want.fields() {
            return Err(bad(&"columns different from the manifest's"));
        }
        let col_u32 = |i: usize| {
            batch
                .column(i)
                .as_any()
                .downcast_ref::<UInt32Array>()
                .cloned()
        };
        let col_u64 = |i: usize| {
            batch
                .column(i)
                .as_any()
                .downcast_ref::<UInt64Array>()
                .cloned()
        };
        let (Some(cell), Some(path_c), Some(seed)) = (col_u32(0), col_u64(1), col_u64(2)) else {
            return Err(bad(&"wrong column types"));
        };
        let metric: Vec<Float64Array> = (3..batch.num_columns())
            .map(|i| {
                batch
                    .column(i)
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .cloned()
            })
            .collect::<Option<_>>()
            .ok_or_else(|| bad(&"wrong column types"))?;
        for r in 0..batch.num_rows() {
            rows.push(PathRow {
                cell: cell.value(r),
                path: path_c.value(r),
                seed: seed.value(r),
                values: metric
                    .iter()
                    .map(|a| if a.is_null(r) { None } else { Some(a.value(r)) })
                    .collect(),
            });
        }
    }
    Ok(rows)
}
