//! RFC 3339 timestamps as unix seconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an RFC 3339 timestamp (`2026-04-18T17:00:00Z`; other offsets are converted to UTC)
/// into unix seconds. Fractions of a second are dropped (rounded towards the past).
///
/// # Errors
/// A description of what is wrong with `s`.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e})"))?;
    Ok(t.unix_timestamp())
}

/// Formats unix seconds as RFC 3339 UTC (`2026-04-18T17:00:00Z`); falls back to the number if
/// it is out of the representable range.
pub fn format_time(unix_s: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_s)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("unix {unix_s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("2026-04-18T17:00:00Z"), Ok(1_776_531_600));
        assert_eq!(parse_time("2026-04-18T19:00:00+02:00"), Ok(1_776_531_600));
        assert_eq!(parse_time("2026-04-18T17:00:00.9Z"), Ok(1_776_531_600));
        assert!(parse_time("2026-04-18 17:00").is_err());
        assert!(parse_time("yesterday").is_err());
        assert_eq!(format_time(1_776_531_600), "2026-04-18T17:00:00Z");
    }
}
