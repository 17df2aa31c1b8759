//! Conversions between the scenario's human units (whole tokens as decimals, USD) and the
//! pool's integer units (token wei, ray, 8-decimal USD base). Display conversions go the other
//! way and are the only place integers become `f64`.

use alloy_primitives::U256;

/// 1e27.
pub const RAY_F64: f64 = 1e27;

/// Whole tokens (a finite, non-negative decimal) to the token's integer units, exactly for the
/// decimal the number prints as (`2923131.18` → `2923131180000000000000000` at 18 decimals);
/// digits beyond `decimals` are truncated. Negative or non-finite input gives 0.
pub fn tokens_to_units(tokens: f64, decimals: u8) -> U256 {
    if !tokens.is_finite() || tokens <= 0.0 {
        return U256::ZERO;
    }
    // Printed into a stack buffer (a positive finite `f64` prints in at most ~330 characters,
    // never with an exponent): the starting book converts tens of thousands of stakes.
    let mut buf = StackText::default();
    if std::fmt::Write::write_fmt(&mut buf, format_args!("{tokens}")).is_err() {
        return U256::ZERO;
    }
    let text = buf.as_bytes();
    let (int_part, frac_part) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &[][..]),
    };
    let frac = frac_part
        .iter()
        .copied()
        .chain(std::iter::repeat(b'0'))
        .take(decimals as usize);
    let ten = U256::from(10u8);
    let mut units = U256::ZERO;
    for digit in int_part.iter().copied().chain(frac) {
        // More digits than 256 bits hold: 0, as a failed parse of the digits gave before.
        let Some(next) = units
            .checked_mul(ten)
            .and_then(|x| x.checked_add(U256::from(digit - b'0')))
        else {
            return U256::ZERO;
        };
        units = next;
    }
    units
}

/// A fixed buffer for one printed `f64` (see [`tokens_to_units`]); writing more than it holds
/// is an error.
struct StackText {
    bytes: [u8; 512],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        Self {
            bytes: [0; 512],
            len: 0,
        }
    }
}

impl StackText {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whole units (a decimal) → integer units of `decimals` (18 = wad, 27 = ray, 45 = rad),
/// floored, keeping at most 18 significant digits (the digits an `f64` carries, so that
/// `1.5 → 1.5e27` exactly rather than the binary expansion's tail); negative and non-finite
/// give 0. For amounts a behaviour model computes in `f64` (a bid, a CEX fill) and scenario
/// parameters (`mat`, `line`); the Maker scenarios' conversions since their first runner.
pub fn f64_to_fixed(x: f64, decimals: u32) -> U256 {
    if !(x.is_finite() && x > 0.0) {
        return U256::ZERO;
    }
    let pow10 = |d: u32| 10f64.powi(d as i32);
    let scaled = x * pow10(decimals);
    if scaled < 1e18 {
        U256::from(scaled as u128)
    } else {
        let e = (scaled.log10().floor() as u32).saturating_sub(17);
        U256::from((scaled / pow10(e)) as u128) * U256::from(10u64).pow(U256::from(e))
    }
}

/// Integer units to whole tokens, for display.
pub fn units_to_tokens(units: U256, decimals: u8) -> f64 {
    u256_to_f64(units) / 10f64.powi(decimals as i32)
}

/// A U256 as the nearest `f64` (for display and behaviour only).
pub fn u256_to_f64(x: U256) -> f64 {
    if x <= U256::from(u128::MAX) {
        x.to::<u128>() as f64
    } else {
        // ruint's rounding conversion: a health factor of `U256::MAX` (no debt) is read every
        // block, and going through its 78 decimal digits took 2 % of a run in a profile.
        f64::from(x)
    }
}

/// A ray (1e27) integer as a fraction.
pub fn ray_to_f64(x: U256) -> f64 {
    u256_to_f64(x) / RAY_F64
}

/// An 8-decimal USD base amount as USD.
pub fn base_to_usd(x: U256) -> f64 {
    u256_to_f64(x) / 1e8
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The conversion as first written (print, pad, parse): the reference for the
    /// allocation-free one.
    fn tokens_to_units_by_string(tokens: f64, decimals: u8) -> super::U256 {
        if !tokens.is_finite() || tokens <= 0.0 {
            return super::U256::ZERO;
        }
        let text = format!("{tokens}");
        let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
        let frac: String = frac_part
            .chars()
            .chain(std::iter::repeat('0'))
            .take(decimals as usize)
            .collect();
        let digits = format!("{int_part}{frac}");
        super::U256::from_str_radix(digits.trim_start_matches('0').max("0"), 10)
            .unwrap_or(super::U256::ZERO)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn tokens_to_units_matches_the_string_conversion(
            bits in any::<u64>(),
            mantissa in 0.0f64..1.0,
            exp in -30i32..60,
            decimals in prop::sample::select(vec![0u8, 2, 6, 8, 18, 27]),
        ) {
            // Any bit pattern (subnormals, huge, NaN, negative) and decimals of every size.
            for x in [f64::from_bits(bits), mantissa * 10f64.powi(exp)] {
                prop_assert_eq!(
                    super::tokens_to_units(x, decimals),
                    tokens_to_units_by_string(x, decimals),
                    "{} at {} decimals", x, decimals
                );
            }
        }
    }

    #[test]
    fn wide_values_round_to_the_nearest_f64() {
        // The decimal text parsed by Rust is the reference for correctly rounded values.
        for text in [
            "340282366920938463463374607431768211456",
            "10000000000000000000000000000000000000000",
            "123456789012345678901234567890123456789012345678901234567890",
        ] {
            let x: U256 = text.parse().unwrap();
            assert_eq!(u256_to_f64(x), text.parse::<f64>().unwrap(), "{text}");
        }
        assert_eq!(u256_to_f64(U256::MAX), 2f64.powi(256));
    }

    use super::*;

    #[test]
    fn decimal_tokens_convert_exactly() {
        assert_eq!(
            tokens_to_units(2_923_131.18, 18),
            U256::from_str_radix("2923131180000000000000000", 10).unwrap()
        );
        assert_eq!(tokens_to_units(1.5, 6), U256::from(1_500_000u64));
        assert_eq!(tokens_to_units(0.0000001, 6), U256::ZERO);
        assert_eq!(tokens_to_units(-1.0, 6), U256::ZERO);
        assert_eq!(tokens_to_units(f64::NAN, 6), U256::ZERO);
        assert_eq!(tokens_to_units(1e21, 0), U256::from(10u128.pow(21)));
    }

    #[test]
    fn round_trip_for_display() {
        let u = tokens_to_units(345_000.25, 18);
        assert!((units_to_tokens(u, 18) - 345_000.25).abs() < 1e-9);
    }
}
