//! Price paths and the one reader of price / time-series CSV files.
//!
//! A [`PricePath`] is a sorted list of `(unix_s, value)` points: a market price in USD, a
//! gas-price percentile in gwei, any behaviour input that varies in time (`f64`; never
//! protocol state). Between points it is interpolated linearly (the default: 10-minute and
//! hourly closes of a continuously traded price) or held as a step (the last point's value:
//! a quantity that changes only at its points, such as a posted rate); beyond both ends it is
//! flat.
//!
//! [`read_csv`] reads one or more value columns of a CSV whose first column is the timestamp
//! (any form [`crate::time::parse_time`] accepts). Every error names the file, the 1-based
//! line and the column ([`CsvError`]).

use crate::time::{format_time, parse_time};

/// How a path is read between two points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Linear in time between neighbouring points.
    #[default]
    Linear,
    /// The value of the last point at or before the time (a step function).
    Step,
}

/// A path of values over time: sorted `(unix_s, value)` points, interpolated per
/// [`Interpolation`], flat beyond both ends. A constant is a single point.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    points: Vec<(i64, f64)>,
    interpolation: Interpolation,
}

impl PricePath {
    /// A constant value (one point at `t`).
    pub fn constant(t: i64, value: f64) -> Self {
        PricePath {
            points: vec![(t, value)],
            interpolation: Interpolation::Linear,
        }
    }

    /// A linear path from points that must be non-empty, strictly increasing in time, with
    /// finite positive values (prices).
    ///
    /// # Errors
    /// A description of the first violation.
    pub fn from_points(points: Vec<(i64, f64)>) -> Result<Self, String> {
        if points.is_empty() {
            return Err("a price path needs at least one point".into());
        }
        for w in points.windows(2) {
            if w[1].0 <= w[0].0 {
                return Err(format!(
                    "timestamps must increase strictly ({} then {})",
                    w[0].0, w[1].0
                ));
            }
        }
        if let Some((t, p)) = points.iter().find(|(_, p)| !(p.is_finite() && *p > 0.0)) {
            return Err(format!("price at {t} must be finite and > 0, found {p}"));
        }
        Ok(PricePath {
            points,
            interpolation: Interpolation::Linear,
        })
    }

    /// The same points read with `interpolation`.
    pub fn with_interpolation(mut self, interpolation: Interpolation) -> Self {
        self.interpolation = interpolation;
        self
    }

    /// How the path is read between points.
    pub fn interpolation(&self) -> Interpolation {
        self.interpolation
    }

    /// The value at unix time `t` (flat beyond the ends; NaN for an empty path, which no
    /// constructor makes).
    pub fn price_at(&self, t: i64) -> f64 {
        let pts = &self.points;
        let Some(&(t0, p0)) = pts.first() else {
            return f64::NAN;
        };
        if t <= t0 {
            return p0;
        }
        let &(tn, pn) = pts.last().unwrap_or(&(t0, p0));
        if t >= tn {
            return pn;
        }
        // First index with time > t; it is in 1..len because t0 < t < tn.
        let j = pts.partition_point(|&(ti, _)| ti <= t);
        let (ta, pa) = pts[j - 1];
        if self.interpolation == Interpolation::Step {
            return pa;
        }
        let (tb, pb) = pts[j];
        let w = (t - ta) as f64 / (tb - ta) as f64;
        pa + (pb - pa) * w
    }

    /// The points, sorted by time.
    pub fn points(&self) -> &[(i64, f64)] {
        &self.points
    }

    /// First and last timestamps (unix s).
    pub fn range(&self) -> (i64, i64) {
        let first = self.points.first().map_or(0, |p| p.0);
        (first, self.end())
    }

    /// The last timestamp (unix s).
    pub fn end(&self) -> i64 {
        self.points.last().map_or(0, |p| p.0)
    }
}

/// A bad price / series CSV, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.located())]
pub struct CsvError {
    /// The file (or embedded name) as given by the caller.
    pub file: String,
    /// 1-based line; 0 when the error is about the whole file.
    pub line: usize,
    /// The column at fault (empty for the header or the whole file).
    pub column: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl CsvError {
    fn new(
        file: &str,
        line: usize,
        column: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        CsvError {
            file: file.to_string(),
            line,
            column: column.to_string(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// `expected …, found …`, without the location.
    pub fn message(&self) -> String {
        format!("expected {}, found {}", self.expected, self.found)
    }

    /// `file:line: column: expected …, found …` (line and column left out when unknown).
    fn located(&self) -> String {
        let mut s = self.file.clone();
        if self.line > 0 {
            s += &format!(":{}", self.line);
        }
        if !self.column.is_empty() {
            s += &format!(": {}", self.column);
        }
        format!("{s}: {}", self.message())
    }
}

/// Which values a column may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRange {
    /// Finite and > 0 (market prices).
    Positive,
    /// Finite and ≥ 0 (gas prices, rates).
    NonNegative,
}

/// What [`read_csv`] expects of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvFormat<'a> {
    /// The name the first (timestamp) column must have; `None` accepts any name.
    pub time_column: Option<&'a str>,
    /// The value columns to read, by header name; one path each, in this order.
    pub columns: &'a [&'a str],
    /// Whether the header must be exactly the timestamp column then `columns` (no other).
    pub exact_header: bool,
    /// The value of an empty or missing cell; `None` makes it an error.
    pub fill: Option<f64>,
    /// Which values are valid.
    pub values: ValueRange,
    /// Fewest data rows accepted (at least 1).
    pub min_rows: usize,
}

impl CsvFormat<'static> {
    /// A market price file: exactly `timestamp,price_usd`, prices > 0, at least one row.
    pub const PRICE_USD: CsvFormat<'static> = CsvFormat {
        time_column: Some("timestamp"),
        columns: &["price_usd"],
        exact_header: true,
        fill: None,
        values: ValueRange::Positive,
        min_rows: 1,
    };
}

impl<'a> CsvFormat<'a> {
    /// Columns `columns` of a wider file whose first column is the timestamp (any name),
    /// values ≥ 0, no empty cell, at least two rows.
    pub fn columns(columns: &'a [&'a str]) -> Self {
        CsvFormat {
            time_column: None,
            columns,
            exact_header: false,
            fill: None,
            values: ValueRange::NonNegative,
            min_rows: 2,
        }
    }
}

/// Reads `format.columns` of a CSV (`text`; `file` names it in errors) as linear paths, one
/// per column. Cells are trimmed; blank lines are skipped; timestamps must increase strictly.
///
/// # Errors
/// [`CsvError`] naming the file, line and column of the first problem.
pub fn read_csv(
    text: &str,
    file: &str,
    format: &CsvFormat<'_>,
) -> Result<Vec<PricePath>, CsvError> {
    let (mut rdr, header) = open_csv(text, file)?;
    let idx = column_indices(&header, file, format)?;
    let time_name = header.first().cloned().unwrap_or_default();
    let mut points: Vec<Vec<(i64, f64)>> = vec![Vec::new(); idx.len()];
    let mut prev: Option<(i64, u64)> = None;
    for rec in rdr.records() {
        let Some((rec, line)) = data_row(rec, file)? else {
            continue;
        };
        let ln = line as usize;
        if format.exact_header && rec.len() != header.len() {
            return Err(CsvError::new(
                file,
                ln,
                &time_name,
                format!("{} fields `{}`", header.len(), header.join(",")),
                format!(
                    "{} field(s) `{}`",
                    rec.len(),
                    rec.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let t = row_time(&rec[0], prev, file, ln, &time_name)?;
        for (k, &i) in idx.iter().enumerate() {
            let v = cell_value(rec.get(i).unwrap_or(""), file, ln, &header[i], format)?;
            points[k].push((t, v));
        }
        prev = Some((t, line));
    }
    let rows = points.first().map_or(0, Vec::len);
    if rows < format.min_rows.max(1) {
        let need = format.min_rows.max(1);
        return Err(CsvError::new(
            file,
            if rows == 0 { 1 } else { 0 },
            "",
            format!(
                "at least {need} data row{}",
                if need == 1 { "" } else { "s" }
            ),
            rows.to_string(),
        ));
    }
    Ok(points
        .into_iter()
        .map(|points| PricePath {
            points,
            interpolation: Interpolation::Linear,
        })
        .collect())
}

/// A CSV reader over `text` (cells trimmed, rows of any length) and its header.
fn open_csv<'t>(
    text: &'t str,
    file: &str,
) -> Result<(csv::Reader<&'t [u8]>, Vec<String>), CsvError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| CsvError::new(file, 1, "", "a CSV header", e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((rdr, header))
}

/// A record and its line, or `None` for a blank line.
fn data_row(
    rec: Result<csv::StringRecord, csv::Error>,
    file: &str,
) -> Result<Option<(csv::StringRecord, u64)>, CsvError> {
    let rec = rec.map_err(|e| {
        let line = e.position().map_or(0, |p| p.line()).max(1) as usize;
        CsvError::new(file, line, "", "a well-formed CSV row", e.to_string())
    })?;
    let line = rec.position().map_or(0, |p| p.line());
    Ok((!rec.iter().all(str::is_empty)).then_some((rec, line)))
}

/// One price column of a CSV read leniently, for fitting a price process to whatever file a
/// user has (`bankrun fit`).
#[derive(Debug, Clone, PartialEq)]
pub struct LooseSeries {
    /// The prices, in time order.
    pub path: PricePath,
    /// The column read.
    pub column: String,
    /// Rows skipped: an empty or non-positive price (a missing close).
    pub skipped: usize,
}

/// Reads one price column of a CSV whose first column is the time (RFC 3339,
/// `YYYY-MM-DD HH:MM`, a date alone (midnight UTC) or unix seconds, strictly increasing): `column`, or else `price_usd`,
/// or else the first column whose name starts with `price`. Rows with an empty or
/// non-positive price are skipped and counted; a price that is not a number is an error.
///
/// # Errors
/// [`CsvError`] naming the file, line and column: a bad header, time or price, times out of
/// order, or no price at all.
pub fn read_loose_series(
    text: &str,
    file: &str,
    column: Option<&str>,
) -> Result<LooseSeries, CsvError> {
    let (mut rdr, header) = open_csv(text, file)?;
    let found = || format!("`{}`", header.join(","));
    let idx = match column {
        Some(c) => header.iter().skip(1).position(|h| h == c).map(|i| i + 1),
        None => header
            .iter()
            .skip(1)
            .position(|h| h == "price_usd")
            .or_else(|| header.iter().skip(1).position(|h| h.starts_with("price")))
            .map(|i| i + 1),
    }
    .ok_or_else(|| {
        let want = column.map_or("a `price_usd` or `price…` column".to_string(), |c| {
            format!("the column `{c}`")
        });
        CsvError::new(file, 1, "", want, found())
    })?;
    let time_name = header.first().cloned().unwrap_or_default();
    let (mut points, mut skipped, mut prev) = (Vec::new(), 0, None);
    for rec in rdr.records() {
        let Some((rec, line)) = data_row(rec, file)? else {
            continue;
        };
        // A date alone is that day's close, read at midnight UTC.
        let when = match &rec[0] {
            d if d.len() == 10 && d.as_bytes().get(4) == Some(&b'-') => format!("{d} 00:00"),
            other => other.to_string(),
        };
        let t = row_time(&when, prev, file, line as usize, &time_name)?;
        let cell = rec.get(idx).unwrap_or("");
        let v: f64 = if cell.is_empty() {
            f64::NAN
        } else {
            cell.parse().map_err(|_| {
                CsvError::new(
                    file,
                    line as usize,
                    &header[idx],
                    "a price",
                    format!("`{cell}`"),
                )
            })?
        };
        prev = Some((t, line));
        if !(v.is_finite() && v > 0.0) {
            skipped += 1;
            continue;
        }
        points.push((t, v));
    }
    if points.is_empty() {
        return Err(CsvError::new(
            file,
            0,
            &header[idx],
            "at least one price",
            "none",
        ));
    }
    Ok(LooseSeries {
        path: PricePath {
            points,
            interpolation: Interpolation::Linear,
        },
        column: header[idx].clone(),
        skipped,
    })
}

/// The header positions of the value columns, after checking the header against `format`.
fn column_indices(
    header: &[String],
    file: &str,
    format: &CsvFormat<'_>,
) -> Result<Vec<usize>, CsvError> {
    let bad_header =
        |expected: String| CsvError::new(file, 1, "", expected, format!("`{}`", header.join(",")));
    if format.exact_header {
        let mut want: Vec<&str> = vec![format.time_column.unwrap_or("timestamp")];
        want.extend(format.columns);
        if header.iter().map(String::as_str).ne(want.iter().copied()) {
            return Err(bad_header(format!("the CSV header `{}`", want.join(","))));
        }
    }
    match (format.time_column, header.first()) {
        (_, None) => return Err(bad_header("a CSV header".into())),
        (Some(name), Some(first)) if first != name => {
            return Err(bad_header(format!("`{name}` as the first column")));
        }
        _ => {}
    }
    format
        .columns
        .iter()
        .map(|c| {
            header
                .iter()
                .skip(1)
                .position(|h| h == c)
                .map(|i| i + 1)
                .ok_or_else(|| {
                    CsvError::new(
                        file,
                        1,
                        c,
                        "the column in the header",
                        format!("`{}`", header.join(",")),
                    )
                })
        })
        .collect()
}

/// A row's timestamp, checked to be after the previous row's (`prev`: time, line).
fn row_time(
    cell: &str,
    prev: Option<(i64, u64)>,
    file: &str,
    line: usize,
    column: &str,
) -> Result<i64, CsvError> {
    let t = parse_time(cell).map_err(|_| {
        CsvError::new(
            file,
            line,
            column,
            "an RFC 3339 time, `YYYY-MM-DD HH:MM` (UTC) or unix seconds (years 0000 to 9999)",
            format!("`{cell}`"),
        )
    })?;
    match prev {
        Some((p, pl)) if t == p => Err(CsvError::new(
            file,
            line,
            column,
            "unique timestamps",
            format!("{} again (first on line {pl})", format_time(t)),
        )),
        Some((p, pl)) if t < p => Err(CsvError::new(
            file,
            line,
            column,
            "timestamps in increasing order",
            format!("{} after {} (line {pl})", format_time(t), format_time(p)),
        )),
        _ => Ok(t),
    }
}

/// A value cell, checked against `format.values`; an empty cell takes `format.fill`.
fn cell_value(
    cell: &str,
    file: &str,
    line: usize,
    column: &str,
    format: &CsvFormat<'_>,
) -> Result<f64, CsvError> {
    if cell.is_empty() {
        return format
            .fill
            .ok_or_else(|| CsvError::new(file, line, column, "a number", "an empty cell"));
    }
    let v: f64 = cell
        .parse()
        .map_err(|_| CsvError::new(file, line, column, "a number", format!("`{cell}`")))?;
    let (ok, expected) = match format.values {
        ValueRange::Positive => (v.is_finite() && v > 0.0, "a finite value > 0"),
        ValueRange::NonNegative => (v.is_finite() && v >= 0.0, "a finite value ≥ 0"),
    };
    if !ok {
        return Err(CsvError::new(
            file,
            line,
            column,
            expected,
            format!("`{cell}`"),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_linearly_and_is_flat_beyond_ends() {
        let p = PricePath::from_points(vec![(0, 10.0), (10, 20.0), (20, 20.0)]).unwrap();
        assert_eq!(p.price_at(-5), 10.0);
        assert_eq!(p.price_at(0), 10.0);
        assert_eq!(p.price_at(5), 15.0);
        assert_eq!(p.price_at(10), 20.0);
        assert_eq!(p.price_at(100), 20.0);
        assert_eq!(p.range(), (0, 20));
        assert_eq!(p.end(), 20);
        assert_eq!(PricePath::constant(3, 1.0).price_at(-100), 1.0);
        assert!(PricePath::from_points(vec![(1, 1.0), (1, 2.0)]).is_err());
        assert!(PricePath::from_points(vec![(1, f64::NAN)]).is_err());
        assert!(PricePath::from_points(Vec::new()).is_err());
    }

    #[test]
    fn a_loose_series_picks_its_column_skips_missing_closes_and_locates_errors() {
        let text = "date,open,price_close\n2020-01-01,5,1\n2020-01-02,5,\n2020-01-03,5,-1\n\
                    2020-01-04,5,2\n";
        let s = read_loose_series(text, "x.csv", None).unwrap();
        assert_eq!((s.column.as_str(), s.skipped), ("price_close", 2));
        assert_eq!(
            s.path.points(),
            &[(1_577_836_800, 1.0), (1_578_096_000, 2.0)]
        );
        let open = read_loose_series(text, "x.csv", Some("open")).unwrap();
        assert_eq!((open.path.points().len(), open.skipped), (4, 0));
        let e = read_loose_series("t,price\n1,2\n3,x\n", "x.csv", None).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "price"));
        let e = read_loose_series("t,close\n1,2\n", "x.csv", None).unwrap_err();
        assert_eq!(e.line, 1);
        let e = read_loose_series("t,price\n1,0\n", "x.csv", None).unwrap_err();
        assert!(e.to_string().contains("at least one price"), "{e}");
    }

    #[test]
    fn step_holds_the_last_point() {
        let p = PricePath::from_points(vec![(0, 10.0), (10, 20.0)])
            .unwrap()
            .with_interpolation(Interpolation::Step);
        assert_eq!(p.interpolation(), Interpolation::Step);
        assert_eq!(p.price_at(-1), 10.0);
        assert_eq!(p.price_at(9), 10.0);
        assert_eq!(p.price_at(10), 20.0);
        assert_eq!(p.price_at(11), 20.0);
    }

    #[test]
    fn reads_price_files_with_both_timestamp_forms() {
        let csv = "timestamp,price_usd\n1970-01-01T00:00:00Z,1.5\n\n3600, 2.5\n";
        let p = read_csv(csv, "x.csv", &CsvFormat::PRICE_USD).unwrap();
        assert_eq!(p[0].points(), &[(0, 1.5), (3600, 2.5)]);
    }

    #[test]
    fn reads_named_columns_of_wider_files() {
        let csv = "hour_utc,ETH,USDC,BTC\n2023-02-24 14:00,1645.1,,23886.7\n\
                   2023-02-24 15:00,1635.2,,23781.8\n";
        let fmt = CsvFormat::columns(&["BTC", "ETH"]);
        let c = read_csv(csv, "p.csv", &fmt).unwrap();
        let t0 = parse_time("2023-02-24T14:00:00Z").unwrap();
        assert_eq!(c[0].points(), &[(t0, 23886.7), (t0 + 3600, 23781.8)]);
        assert_eq!(c[1].price_at(t0 + 1800), 1645.1 + (1635.2 - 1645.1) * 0.5);
        // An empty cell is an error unless a fill value is given.
        let e = read_csv(csv, "p.csv", &CsvFormat::columns(&["USDC"])).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "USDC"), "{e}");
        let filled = CsvFormat {
            fill: Some(1.0),
            ..CsvFormat::columns(&["USDC"])
        };
        assert_eq!(
            read_csv(csv, "p.csv", &filled).unwrap()[0].price_at(t0),
            1.0
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let price = &CsvFormat::PRICE_USD;
        let cases = [
            ("timestamp,price_usd\n0,1\n60,abc\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,-1\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,0\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,NaN\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,1\n30,1\n", 4, "timestamp"),
            ("timestamp,price_usd\n0,1\n0,1\n", 3, "timestamp"),
            ("timestamp,price_usd\n0,1\nnoon,1\n", 3, "timestamp"),
            ("timestamp,price_usd\n0,1\n60\n", 3, "timestamp"),
            ("timestamp,price_usd\n0,1\n60,1,2\n", 3, "timestamp"),
            ("time,price\n0,1\n", 1, ""),
            ("timestamp,price_usd\n", 1, ""),
            ("", 1, ""),
        ];
        for (csv, line, column) in cases {
            let e = read_csv(csv, "p.csv", price).unwrap_err();
            assert_eq!(e.line, line, "{csv:?}: {e}");
            assert_eq!(e.column, column, "{e}");
            assert!(e.to_string().starts_with(&format!("p.csv:{line}:")), "{e}");
        }
        let cols = CsvFormat::columns(&["p"]);
        let e = read_csv("t,p\n2020-03-12T00:00:00Z,abc\n", "x.csv", &cols).unwrap_err();
        assert!(e.to_string().starts_with("x.csv:2: p:"), "{e}");
        let e = read_csv("t,q\n0,1\n60,2\n", "x.csv", &cols).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "p"), "{e}");
        let e = read_csv("t,p\n0,1\n", "x.csv", &cols).unwrap_err();
        assert!(
            e.to_string().starts_with("x.csv: expected at least 2"),
            "{e}"
        );
        // Zero is a valid gas price but not a market price.
        assert!(read_csv("t,p\n0,0\n60,1\n", "x.csv", &cols).is_ok());
    }
}
