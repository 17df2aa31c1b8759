//! Human-readable number formatting shared by the stdout table and the HTML report.

/// Formats `x` with three significant digits and a K / M / B / T suffix: `1.23M`, `45.6K`,
/// `999`, `0.12`, `<0.01` (non-zero below 0.005). Non-finite values give `n/a`.
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    const TIERS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")];
    for (i, &(scale, suffix)) in TIERS.iter().enumerate() {
        // Values that would round up to 1000 of a lower tier go to the next tier.
        let threshold = if i == 0 { scale } else { scale * 0.9995 };
        if a >= threshold {
            return format!("{sign}{}{suffix}", three_digits(a / scale));
        }
    }
    if a >= 1.0 || a == 0.0 {
        format!("{sign}{}", three_digits(a))
    } else if a >= 0.005 {
        format!("{sign}{a:.2}")
    } else {
        // Tiny but non-zero (e.g. a small deficit) must not read as zero.
        format!("{sign}<0.01")
    }
}

/// Formats a value in [1, 1000) with three significant digits.
fn three_digits(v: f64) -> String {
    if v >= 99.95 {
        format!("{v:.0}")
    } else if v >= 9.995 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Formats a USD amount: `$1.23M`, `-$450`, `$0.00`.
pub fn usd(x: f64) -> String {
    let s = compact(x);
    match s.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None if s == "n/a" => s,
        None => format!("${s}"),
    }
}

/// Formats a fraction in [0, 1] (or an APR as a fraction per year) as a percentage with one
/// decimal: `0.123` → `12.3 %`.
pub fn pct(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.1} %", fraction * 100.0)
    } else {
        "n/a".to_owned()
    }
}

/// Formats hours with one decimal: `12.3 h`.
pub(crate) fn hours(h: f64) -> String {
    if h.is_finite() {
        format!("{h:.1} h")
    } else {
        "n/a".to_owned()
    }
}

/// Formats an optional number of hours; `None` gives an em dash.
pub(crate) fn opt_hours(h: Option<f64>) -> String {
    h.map_or_else(|| "—".to_owned(), hours)
}

/// Formats an ETH amount with four decimals: `0.1234 ETH`.
pub(crate) fn eth(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4} ETH")
    } else {
        "n/a".to_owned()
    }
}

/// Formats a token amount with its USD value: `1.23M ($4.56M)`.
pub(crate) fn tokens_usd(tokens: f64, usd_value: f64) -> String {
    format!("{} ({})", compact(tokens), usd(usd_value))
}

/// Formats a count with thousands separators: `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_uses_three_significant_digits() {
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(compact(45_600.0), "45.6K");
        assert_eq!(compact(999.0), "999");
        assert_eq!(compact(999_999.0), "1.00M");
        assert_eq!(compact(0.0), "0.00");
        assert_eq!(compact(0.123), "0.12");
        assert_eq!(compact(0.001), "<0.01");
        assert_eq!(compact(-0.001), "-<0.01");
        assert_eq!(compact(-2_500_000_000.0), "-2.50B");
        assert_eq!(compact(f64::NAN), "n/a");
    }

    #[test]
    fn usd_and_pct() {
        assert_eq!(usd(1_230_000.0), "$1.23M");
        assert_eq!(usd(-450.0), "-$450");
        assert_eq!(pct(0.123), "12.3 %");
        assert_eq!(opt_hours(None), "—");
        assert_eq!(opt_hours(Some(2.26)), "2.3 h");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
    }
}
