//! CSV tables: one header row (the struct field names) and one row per record.

use std::fs::File;
use std::path::Path;

use serde::Serialize;

use crate::error::ReportError;

/// Writes `rows` to `path` as CSV with a header row, via serde.
///
/// Column names and order are the field names and declaration order of `T`; `None` is an
/// empty field, booleans are `true` / `false`, floats use the shortest round-trip
/// representation. The header is written even when `rows` is empty.
pub fn write_csv<T: Serialize + Default>(path: &Path, rows: &[T]) -> Result<(), ReportError> {
    let csv_err = |source| ReportError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(|e| ReportError::io(path, e))?;
    let mut writer = ::csv::Writer::from_writer(file);
    if rows.is_empty() {
        writer.write_record(&header_of::<T>()?).map_err(csv_err)?;
    }
    for row in rows {
        writer.serialize(row).map_err(csv_err)?;
    }
    writer.flush().map_err(|e| ReportError::io(path, e))
}

/// The header row serde would write for `T` (derived from a default value).
fn header_of<T: Serialize + Default>() -> Result<::csv::StringRecord, ReportError> {
    let csv_err = |source| ReportError::Csv {
        path: "<header>".into(),
        source,
    };
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.serialize(T::default()).map_err(csv_err)?;
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::io(Path::new("<header>"), e.into_error()))?;
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    reader.headers().cloned().map_err(csv_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_metrics::EventRecord;

    #[test]
    fn empty_table_still_has_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        write_csv::<EventRecord>(&path, &[]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "block,timestamp,actor,description,ok\n");
    }
}
