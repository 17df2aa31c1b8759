//! CSV tables: one header row (the struct field names) and one row per record.

use std::path::Path;

use serde::Serialize;

use crate::error::ReportError;

/// Writes `rows` to `path` as CSV with a header row, via serde (the text of [`csv_string`]).
///
/// # Errors
/// I/O and CSV errors, naming `path`.
pub fn write_csv<T: Serialize + Default>(path: &Path, rows: &[T]) -> Result<(), ReportError> {
    let text = csv_string(rows).map_err(|e| match e {
        ReportError::Csv { source, .. } => ReportError::Csv {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })?;
    std::fs::write(path, text).map_err(|e| ReportError::io(path, e))
}

/// `rows` as CSV text with a header row, via serde: every command's CSV tables.
///
/// Column names and order are the field names and declaration order of `T`; `None` is an
/// empty field, booleans are `true` / `false`, floats use the shortest round-trip
/// representation. The header is written even when `rows` is empty.
///
/// # Errors
/// CSV serialisation errors.
pub fn csv_string<T: Serialize + Default>(rows: &[T]) -> Result<String, ReportError> {
    let csv_err = |source| ReportError::Csv {
        path: "<memory>".into(),
        source,
    };
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        writer.write_record(&header_of::<T>()?).map_err(csv_err)?;
    }
    for row in rows {
        writer.serialize(row).map_err(csv_err)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::io(Path::new("<memory>"), e.into_error()))?;
    String::from_utf8(bytes).map_err(|e| {
        ReportError::io(
            Path::new("<memory>"),
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
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
