//! Time series inputs: CSV columns keyed by RFC 3339 timestamps, read exactly (no
//! resampling) and interpolated linearly in time (behaviour input, `f64`).

use crate::error::SpiralError;

/// A time series: strictly increasing unix times (s) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Unix seconds.
    pub t: Vec<i64>,
    /// Values (units of the column).
    pub v: Vec<f64>,
}

impl Series {
    /// The linearly interpolated value at `now` (flat outside the range).
    pub fn at(&self, now: i64) -> f64 {
        let i = self.t.partition_point(|&t| t <= now);
        if i == 0 {
            return self.v[0];
        }
        if i >= self.t.len() {
            return self.v[self.v.len() - 1];
        }
        let (t0, t1) = (self.t[i - 1], self.t[i]);
        let w = (now - t0) as f64 / (t1 - t0) as f64;
        self.v[i - 1] + w * (self.v[i] - self.v[i - 1])
    }

    /// The last time (s).
    pub fn end(&self) -> i64 {
        self.t[self.t.len() - 1]
    }
}

/// Parses an RFC 3339 timestamp (or `YYYY-MM-DD HH:MM`, read as UTC) to unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let iso = format!("{}:00Z", s.replacen(' ', "T", 1));
    time::OffsetDateTime::parse(&iso, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Formats unix seconds as RFC 3339 (UTC).
pub fn format_time(t: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// Reads columns `cols` of a CSV (`text`, first column the timestamp). An empty cell takes
/// `fill` if given (else it is an error). Errors are located `origin:line: column`.
pub fn read_columns(
    origin: &str,
    text: &str,
    cols: &[&str],
    fill: Option<f64>,
) -> Result<Vec<Series>, SpiralError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| SpiralError::bad(origin, 1, "header", "empty file"))?
        .split(',')
        .map(str::trim)
        .collect();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| SpiralError::bad(origin, 1, c, "column not found"))
        })
        .collect::<Result<_, _>>()?;
    let mut out = vec![
        Series {
            t: Vec::new(),
            v: Vec::new()
        };
        cols.len()
    ];
    for (n, line) in lines.enumerate() {
        let ln = n + 2;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let t = parse_time(f[0])
            .ok_or_else(|| SpiralError::bad(origin, ln, header[0], "bad timestamp"))?;
        for (k, &i) in idx.iter().enumerate() {
            let cell = f.get(i).map(|s| s.trim()).unwrap_or("");
            let v = if cell.is_empty() {
                fill.ok_or_else(|| SpiralError::bad(origin, ln, cols[k], "empty value"))?
            } else {
                cell.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| {
                        SpiralError::bad(origin, ln, cols[k], format!("bad number {cell:?}"))
                    })?
            };
            let s = &mut out[k];
            if s.t.last().is_some_and(|&l| l >= t) {
                return Err(SpiralError::bad(
                    origin,
                    ln,
                    header[0],
                    "timestamps must increase",
                ));
            }
            s.t.push(t);
            s.v.push(v);
        }
    }
    if out.iter().any(|s| s.t.len() < 2) {
        return Err(SpiralError::bad(
            origin,
            0,
            cols[0],
            "need at least two rows",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_and_locates_errors() {
        let s = read_columns(
            "x.csv",
            "t,p\n2020-03-12T00:00:00Z,100\n2020-03-12T00:10:00Z,200\n",
            &["p"],
            None,
        )
        .unwrap();
        assert_eq!(s[0].at(s[0].t[0] + 300), 150.0);
        let e = read_columns("x.csv", "t,p\n2020-03-12T00:00:00Z,abc\n", &["p"], None);
        assert!(e.unwrap_err().to_string().starts_with("x.csv:2: p:"));
        assert_eq!(
            parse_time("2023-02-24 14:00"),
            parse_time("2023-02-24T14:00:00Z")
        );
    }
}
