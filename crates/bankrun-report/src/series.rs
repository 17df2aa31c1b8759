//! Time series for the charts: extraction from the run result, grouping by reserve or class,
//! and downsampling.

use bankrun_metrics::{ReserveBlockRow, RunResult};

/// Seconds per hour.
const HOUR_S: f64 = 3600.0;

/// (hours since start, value) points of one line, in time order.
pub(crate) type Points = Vec<(f64, f64)>;

/// One named line of (hours since start, value) points, in time order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Legend label.
    pub name: String,
    /// Index into the chart palette.
    pub color: usize,
    /// Drawn thinner and lighter (e.g. supply APR next to borrow APR).
    pub secondary: bool,
    /// (hours since start, value) points.
    pub points: Points,
}

/// How a downsampling bucket is reduced to one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    /// Keep the point with the largest value (spikes stay visible).
    Max,
    /// Keep the point with the smallest value (dips stay visible).
    Min,
    /// Keep the last point of the bucket (cumulative series).
    Last,
}

/// The start of the run in unix seconds: `summary.start` (RFC 3339) if it parses, else the
/// earliest recorded timestamp, else 0.
pub(crate) fn start_unix(result: &RunResult) -> i64 {
    let parsed = time::OffsetDateTime::parse(
        &result.summary.start,
        &time::format_description::well_known::Rfc3339,
    );
    if let Ok(start) = parsed {
        return start.unix_timestamp();
    }
    let reserves = result.reserve_series.iter().map(|r| r.timestamp);
    let classes = result.class_series.iter().map(|r| r.timestamp);
    reserves.chain(classes).min().unwrap_or(0)
}

/// Hours between unix second `timestamp` and `start`.
pub(crate) fn hours_since(timestamp: i64, start: i64) -> f64 {
    (timestamp - start) as f64 / HOUR_S
}

/// Reserve symbols in scenario order (the summary's), followed by any other symbol found in
/// the series, in order of first appearance.
pub(crate) fn reserve_names(result: &RunResult) -> Vec<String> {
    let mut names: Vec<String> = result
        .summary
        .reserves
        .iter()
        .map(|r| r.symbol.clone())
        .collect();
    for row in &result.reserve_series {
        if !names.contains(&row.reserve) {
            names.push(row.reserve.clone());
        }
    }
    names
}

/// Class names in summary order, followed by any other class found in the series.
pub(crate) fn class_names(result: &RunResult) -> Vec<String> {
    let mut names: Vec<String> = result
        .summary
        .classes
        .iter()
        .map(|c| c.class.clone())
        .collect();
    for row in &result.class_series {
        if !names.contains(&row.class) {
            names.push(row.class.clone());
        }
    }
    names
}

/// The (hours, value) points of one reserve, in series order.
pub(crate) fn reserve_points(
    result: &RunResult,
    reserve: &str,
    value: impl Fn(&ReserveBlockRow) -> f64,
) -> Points {
    let start = start_unix(result);
    result
        .reserve_series
        .iter()
        .filter(|r| r.reserve == reserve)
        .map(|r| (hours_since(r.timestamp, start), value(r)))
        .collect()
}

/// The (hours, share withdrawn in %) points of one depositor class.
pub(crate) fn class_points(result: &RunResult, class: &str) -> Points {
    let start = start_unix(result);
    result
        .class_series
        .iter()
        .filter(|r| r.class == class)
        .map(|r| (hours_since(r.timestamp, start), r.share_withdrawn * 100.0))
        .collect()
}

/// Rescales `points` so the first non-zero value is 100; all-zero lines are unchanged.
pub(crate) fn normalise_to_start(points: Points) -> Points {
    match points
        .iter()
        .map(|p| p.1)
        .find(|v| *v != 0.0 && v.is_finite())
    {
        Some(first) => points
            .into_iter()
            .map(|(x, y)| (x, y / first * 100.0))
            .collect(),
        None => points,
    }
}

/// Reduces `points` to at most `max_points` by splitting them into equal-count buckets and
/// keeping one point per bucket according to `agg`. Shorter inputs are returned unchanged.
pub(crate) fn downsample(points: Points, max_points: usize, agg: Agg) -> Points {
    if points.len() <= max_points || max_points == 0 {
        return points;
    }
    let bucket = points.len().div_ceil(max_points);
    points
        .chunks(bucket)
        .map(|chunk| pick(chunk, agg))
        .collect()
}

/// The point of a non-empty bucket selected by `agg` (the first one on ties).
fn pick(chunk: &[(f64, f64)], agg: Agg) -> (f64, f64) {
    let better = |candidate: f64, best: f64| match agg {
        Agg::Max => candidate > best,
        Agg::Min => candidate < best,
        Agg::Last => true,
    };
    let mut best = chunk[0];
    for &p in &chunk[1..] {
        if better(p.1, best.1) {
            best = p;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_keeps_spikes_and_bounds_length() {
        let mut points: Vec<(f64, f64)> = (0..10_001).map(|i| (i as f64, 0.5)).collect();
        points[4_321].1 = 1.0;
        let out = downsample(points, 2_000, Agg::Max);
        assert!(out.len() <= 2_000, "{} points", out.len());
        assert!(out.iter().any(|p| p == &(4_321.0, 1.0)));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "time order kept");
    }

    #[test]
    fn downsample_min_and_last() {
        let points = vec![(0.0, 3.0), (1.0, 1.0), (2.0, 2.0), (3.0, 5.0)];
        assert_eq!(
            downsample(points.clone(), 2, Agg::Min),
            vec![(1.0, 1.0), (2.0, 2.0)]
        );
        assert_eq!(
            downsample(points.clone(), 2, Agg::Last),
            vec![(1.0, 1.0), (3.0, 5.0)]
        );
        assert_eq!(downsample(points.clone(), 10, Agg::Max), points);
    }

    #[test]
    fn normalise_uses_first_non_zero_value() {
        let out = normalise_to_start(vec![(0.0, 0.0), (1.0, 50.0), (2.0, 25.0)]);
        assert_eq!(out, vec![(0.0, 0.0), (1.0, 100.0), (2.0, 50.0)]);
    }
}
