//! Market price paths: CSV `timestamp,price_usd` files and constant prices.

use crate::error::ScenarioError;
use crate::time::{format_time, parse_time};

/// A market price path: sorted `(unix_s, usd)` points, linearly interpolated, flat beyond both
/// ends. A constant price is a single point.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    points: Vec<(i64, f64)>,
}

impl PricePath {
    /// A constant price (one point at `t`).
    pub fn constant(t: i64, usd: f64) -> Self {
        PricePath {
            points: vec![(t, usd)],
        }
    }

    /// A path from points that must be non-empty, strictly increasing in time, with finite
    /// positive prices.
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
        Ok(PricePath { points })
    }

    /// Price at unix time `t`: linear interpolation between points, flat beyond the ends.
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
        let (tb, pb) = pts[j];
        let w = (t - ta) as f64 / (tb - ta) as f64;
        pa + (pb - pa) * w
    }

    /// The points, sorted by time.
    pub fn points(&self) -> &[(i64, f64)] {
        &self.points
    }

    /// First and last timestamps.
    pub fn range(&self) -> (i64, i64) {
        let first = self.points.first().map_or(0, |p| p.0);
        let last = self.points.last().map_or(0, |p| p.0);
        (first, last)
    }
}

/// Parses a price CSV (`timestamp,price_usd` header; timestamp RFC 3339 or unix seconds).
/// `file` names the CSV in error messages.
pub(crate) fn parse_price_csv(text: &str, file: &str) -> Result<PricePath, ScenarioError> {
    let err = |line: u64, col: &str, expected: &str, found: String| {
        ScenarioError::new(file, expected, found)
            .with_key(col)
            .at(line as usize, 1)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| {
            ScenarioError::new(file, "a CSV header `timestamp,price_usd`", e.to_string()).at(1, 1)
        })?
        .clone();
    let cols: Vec<&str> = headers.iter().collect();
    if cols != ["timestamp", "price_usd"] {
        return Err(ScenarioError::new(
            file,
            "the CSV header `timestamp,price_usd`",
            format!("`{}`", cols.join(",")),
        )
        .at(1, 1));
    }
    let mut points: Vec<(i64, f64)> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ScenarioError::new(file, "a well-formed CSV row", e.to_string())
                .at(line.max(1) as usize, 1)
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != 2 {
            return Err(err(
                line,
                "timestamp",
                "2 fields `timestamp,price_usd`",
                format!(
                    "{} field(s) `{}`",
                    rec.len(),
                    rec.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let ts_s = &rec[0];
        let t = match ts_s.parse::<i64>() {
            Ok(t) => t,
            Err(_) => parse_time(ts_s).map_err(|_| {
                err(
                    line,
                    "timestamp",
                    "an RFC 3339 time or unix seconds",
                    format!("`{ts_s}`"),
                )
            })?,
        };
        let p_s = &rec[1];
        let p: f64 = p_s
            .parse()
            .map_err(|_| err(line, "price_usd", "a number", format!("`{p_s}`")))?;
        if !(p.is_finite() && p > 0.0) {
            return Err(err(
                line,
                "price_usd",
                "a finite price > 0",
                format!("`{p_s}`"),
            ));
        }
        if let (Some(&(prev, _)), Some(&prev_line)) = (points.last(), lines.last()) {
            if t == prev {
                return Err(err(
                    line,
                    "timestamp",
                    "unique timestamps",
                    format!("{} again (first on line {prev_line})", format_time(t)),
                ));
            }
            if t < prev {
                return Err(err(
                    line,
                    "timestamp",
                    "timestamps in increasing order",
                    format!(
                        "{} after {} (line {prev_line})",
                        format_time(t),
                        format_time(prev)
                    ),
                ));
            }
        }
        points.push((t, p));
        lines.push(line);
    }
    if points.is_empty() {
        return Err(
            ScenarioError::new(file, "at least one `timestamp,price_usd` row", "none").at(1, 1),
        );
    }
    Ok(PricePath { points })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_and_is_flat_beyond_ends() {
        let p = PricePath::from_points(vec![(0, 10.0), (10, 20.0), (20, 20.0)]).unwrap();
        assert_eq!(p.price_at(-5), 10.0);
        assert_eq!(p.price_at(0), 10.0);
        assert_eq!(p.price_at(5), 15.0);
        assert_eq!(p.price_at(10), 20.0);
        assert_eq!(p.price_at(100), 20.0);
        assert_eq!(PricePath::constant(3, 1.0).price_at(-100), 1.0);
        assert!(PricePath::from_points(vec![(1, 1.0), (1, 2.0)]).is_err());
        assert!(PricePath::from_points(vec![(1, f64::NAN)]).is_err());
    }

    #[test]
    fn parses_both_timestamp_forms() {
        let csv = "timestamp,price_usd\n1970-01-01T00:00:00Z,1.5\n3600, 2.5\n";
        let p = parse_price_csv(csv, "x.csv").unwrap();
        assert_eq!(p.points(), &[(0, 1.5), (3600, 2.5)]);
    }

    #[test]
    fn reports_bad_lines() {
        let cases = [
            ("timestamp,price_usd\n0,1\n60,abc\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,-1\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,NaN\n", 3, "price_usd"),
            ("timestamp,price_usd\n0,1\n60,1\n30,1\n", 4, "timestamp"),
            ("timestamp,price_usd\n0,1\n0,1\n", 3, "timestamp"),
            ("timestamp,price_usd\n0,1\nnoon,1\n", 3, "timestamp"),
            ("timestamp,price_usd\n0,1\n60\n", 3, "timestamp"),
            ("time,price\n0,1\n", 1, ""),
            ("timestamp,price_usd\n", 1, ""),
        ];
        for (csv, line, key) in cases {
            let e = parse_price_csv(csv, "p.csv").unwrap_err();
            assert_eq!(e.line, Some(line), "{csv:?}: {e}");
            assert_eq!(e.key.as_deref().unwrap_or(""), key, "{e}");
            assert!(e.to_string().starts_with(&format!("p.csv:{line}:")), "{e}");
        }
    }
}
