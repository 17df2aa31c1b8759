//! Time series for the charts: extraction from the run result and grouping by reserve or
//! class. x values are unix seconds (UTC).

use bankrun_metrics::{ReserveBlockRow, RunResult};

/// (unix seconds, value) points of one line, in time order.
pub(crate) type Points = Vec<(f64, f64)>;

/// The start of the run in unix seconds: `summary.start` (RFC 3339) if it parses, else the
/// earliest recorded timestamp, else 0.
pub(crate) fn start_unix(result: &RunResult) -> i64 {
    if let Some(start) = crate::page::parse_rfc3339(&result.summary.start) {
        return start;
    }
    let reserves = result.reserve_series.iter().map(|r| r.timestamp);
    let classes = result.class_series.iter().map(|r| r.timestamp);
    reserves.chain(classes).min().unwrap_or(0)
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

/// The (unix seconds, value) points of one reserve, in series order.
pub(crate) fn reserve_points(
    result: &RunResult,
    reserve: &str,
    value: impl Fn(&ReserveBlockRow) -> f64,
) -> Points {
    result
        .reserve_series
        .iter()
        .filter(|r| r.reserve == reserve)
        .map(|r| (r.timestamp as f64, value(r)))
        .collect()
}

/// The (unix seconds, share withdrawn in %) points of one depositor class.
pub(crate) fn class_points(result: &RunResult, class: &str) -> Points {
    result
        .class_series
        .iter()
        .filter(|r| r.class == class)
        .map(|r| (r.timestamp as f64, r.share_withdrawn * 100.0))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_uses_first_non_zero_value() {
        let out = normalise_to_start(vec![(0.0, 0.0), (1.0, 50.0), (2.0, 25.0)]);
        assert_eq!(out, vec![(0.0, 0.0), (1.0, 100.0), (2.0, 50.0)]);
    }

    #[test]
    fn start_falls_back_to_the_earliest_timestamp() {
        let mut r = RunResult::default();
        r.reserve_series.push(ReserveBlockRow {
            timestamp: 42,
            ..ReserveBlockRow::default()
        });
        assert_eq!(start_unix(&r), 42);
        r.summary.start = "1970-01-01T00:00:10Z".into();
        assert_eq!(start_unix(&r), 10);
    }
}
