//! The UTC time axis: tick positions on round UTC times and `MM-DD HH:MM` labels.

use time::OffsetDateTime;
use time::macros::format_description;

/// Seconds per hour.
pub(crate) const HOUR_S: f64 = 3600.0;

/// Candidate tick steps, seconds: 1 min … 30 days.
const STEPS: [i64; 16] = [
    60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 345_600,
    604_800, 2_592_000,
];

/// At most this many ticks on a time axis.
const MAX_TICKS: f64 = 8.0;

/// Tick positions (unix seconds) on multiples of a round step (UTC-aligned: days start at
/// midnight UTC) within `[t0, t1]`, at most [`MAX_TICKS`] of them (at least the ends when
/// the range is shorter than a minute).
pub(crate) fn ticks(t0: f64, t1: f64) -> Vec<f64> {
    let span = t1 - t0;
    if !(span.is_finite() && span > 0.0) {
        return vec![t0];
    }
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / *s as f64 <= MAX_TICKS)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let step_f = step as f64;
    let first = (t0 / step_f).ceil() * step_f;
    let mut out = Vec::new();
    let mut t = first;
    while t <= t1 + 1e-6 {
        out.push(t);
        t += step_f;
    }
    if out.is_empty() {
        out = vec![t0, t1];
    }
    out
}

/// `MM-DD HH:MM` (UTC) of unix second `t`; `n/a` outside the representable range.
pub(crate) fn tick_label(t: f64) -> String {
    let fmt = format_description!("[month]-[day] [hour]:[minute]");
    OffsetDateTime::from_unix_timestamp(t.round() as i64)
        .ok()
        .and_then(|d| d.format(&fmt).ok())
        .unwrap_or_else(|| "n/a".to_owned())
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of unix second `t`, for tables.
pub fn utc(t: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&fmt).ok())
        .unwrap_or_else(|| "n/a".to_owned())
}

/// Unix seconds of an RFC 3339 time, `None` if it does not parse.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_utc_times() {
        // 2020-03-12 00:00 UTC to 2020-03-13 00:00 UTC.
        let t0 = 1_583_971_200.0;
        let ticks = ticks(t0 + 600.0, t0 + 86_400.0);
        assert!(ticks.len() <= 8 && ticks.len() >= 4, "{ticks:?}");
        assert_eq!(tick_label(ticks[0]), "03-12 03:00");
        assert_eq!(tick_label(ticks[1]), "03-12 06:00");
        assert_eq!(utc(1_583_971_200), "2020-03-12 00:00:00");
        assert_eq!(parse_rfc3339("2020-03-12T00:00:00Z"), Some(1_583_971_200));
    }

    #[test]
    fn short_ranges_get_minute_ticks() {
        let ticks = ticks(0.0, 300.0);
        assert_eq!(ticks, vec![0.0, 60.0, 120.0, 180.0, 240.0, 300.0]);
        assert_eq!(super::ticks(5.0, 5.0), vec![5.0]);
    }
}
