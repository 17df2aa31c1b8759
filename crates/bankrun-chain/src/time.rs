//! Timestamps as unix seconds: the one parser and formatter of scenario times and CSV
//! timestamp cells.
//!
//! Accepted forms (the union of what the scenario loader, the spiral runners and the price
//! CSVs accepted before they shared this module):
//! - RFC 3339, any offset, converted to UTC (`2026-04-18T17:00:00Z`,
//!   `2026-04-18T19:00:00+02:00`); fractions of a second are dropped (rounded towards the
//!   past);
//! - `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`, optionally with `:SS`, read as UTC (the
//!   hourly price files' `hour_utc` column);
//! - an integer: unix seconds from [`MIN_UNIX_S`] to [`MAX_UNIX_S`] (the years 0000 to 9999 the
//!   written forms span), so that differences and sums of times never overflow.
//!
//! A bare date (`2026-04-18`) is refused: a scenario's start or event time must say the hour.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The earliest unix second accepted as an integer: `0000-01-01T00:00:00Z`.
pub const MIN_UNIX_S: i64 = -62_167_219_200;
/// The latest unix second accepted as an integer: `9999-12-31T23:59:59Z`.
pub const MAX_UNIX_S: i64 = 253_402_300_799;

/// Parses a timestamp in one of the module's forms into unix seconds.
///
/// # Errors
/// A description naming `s` and the accepted forms.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    if let Ok(t) = s.parse::<i64>() {
        if !(MIN_UNIX_S..=MAX_UNIX_S).contains(&t) {
            return Err(format!(
                "`{s}` is not a time (expected unix seconds from {MIN_UNIX_S} to {MAX_UNIX_S}, \
                 the years 0000 to 9999)"
            ));
        }
        return Ok(t);
    }
    if let Some(t) = parse_naive_utc(s) {
        return Ok(t);
    }
    Err(format!(
        "`{s}` is not a time (expected RFC 3339 such as 2026-04-18T17:00:00Z, \
         `YYYY-MM-DD HH:MM[:SS]` in UTC, or unix seconds)"
    ))
}

/// `YYYY-MM-DD[ T]HH:MM[:SS]`, read as UTC.
fn parse_naive_utc(s: &str) -> Option<i64> {
    let minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    // The date/time separator is one byte at index 10 (`T` or a space).
    let sep = s.as_bytes().get(10)?;
    if *sep != b'T' && *sep != b' ' {
        return None;
    }
    let spaced = format!("{} {}", s.get(..10)?, s.get(11..)?);
    PrimitiveDateTime::parse(&spaced, minutes)
        .or_else(|_| PrimitiveDateTime::parse(&spaced, seconds))
        .ok()
        .map(|d| d.assume_utc().unix_timestamp())
}

/// Formats unix seconds as RFC 3339 UTC (`2026-04-18T17:00:00Z`); out of the representable
/// range (years beyond ±9999), the number itself.
pub fn format_time(unix_s: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_s)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix_s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_with_offsets_and_fractions() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("2026-04-18T17:00:00Z"), Ok(1_776_531_600));
        assert_eq!(parse_time(" 2026-04-18T19:00:00+02:00 "), Ok(1_776_531_600));
        assert_eq!(parse_time("2026-04-18T17:00:00.9Z"), Ok(1_776_531_600));
    }

    #[test]
    fn parses_the_naive_utc_forms_and_unix_seconds() {
        let t = parse_time("2023-02-24T14:00:00Z").unwrap();
        assert_eq!(parse_time("2023-02-24 14:00"), Ok(t));
        assert_eq!(parse_time("2023-02-24T14:00"), Ok(t));
        assert_eq!(parse_time("2023-02-24 14:00:00"), Ok(t));
        assert_eq!(parse_time("2023-02-24 14:00:07"), Ok(t + 7));
        assert_eq!(parse_time("3600"), Ok(3600));
        assert_eq!(parse_time("-60"), Ok(-60));
        assert_eq!(parse_time("253402300799"), Ok(MAX_UNIX_S));
        assert_eq!(parse_time("9999-12-31T23:59:59Z"), Ok(MAX_UNIX_S));
        assert_eq!(parse_time("0000-01-01T00:00:00Z"), Ok(MIN_UNIX_S));
    }

    /// Found while writing the fuzz targets (`fuzz/regressions/`): times near `i64::MIN` /
    /// `i64::MAX` overflowed the differences of times (price paths, `bankrun fit`, scenario
    /// windows, the Compound stress ramp).
    #[test]
    fn rejects_unix_seconds_beyond_year_9999() {
        for bad in ["253402300800", "-62167219201", "9223372036854775807"] {
            let e = parse_time(bad).unwrap_err();
            assert!(
                e.contains(bad) && e.contains("the years 0000 to 9999"),
                "{e}"
            );
        }
    }

    #[test]
    fn rejects_other_text_naming_it() {
        for bad in [
            "yesterday",
            "2023-02-24",
            "",
            "2023-02-24 14",
            "2023-02-24X14:00",
            "2023-02-30",
            "2023-02-24 25:00",
            "1.5",
        ] {
            let e = parse_time(bad).unwrap_err();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
    }

    #[test]
    fn formats_utc_and_round_trips() {
        assert_eq!(format_time(1_776_531_600), "2026-04-18T17:00:00Z");
        assert_eq!(parse_time(&format_time(1_776_531_600)), Ok(1_776_531_600));
        assert_eq!(format_time(i64::MAX), i64::MAX.to_string());
    }
}
