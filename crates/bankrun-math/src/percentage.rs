//! `PercentageMath`: multiplication and division by a percentage in basis points
//! (bps, `PERCENTAGE_FACTOR = 1e4` = 100 %).
//!
//! Reproduces `PercentageMath` of aave-v3-core v1.19.3 and aave-v3-origin v3.6.0
//! (`percentMulCeil`, `percentMulFloor` and `percentDivCeil` are v3.6 additions).

use crate::{MathError, U256};
use alloy_primitives::uint;

/// 1e4 bps = 100 %.
pub const PERCENTAGE_FACTOR: U256 = uint!(10000_U256);
/// 0.5e4 bps.
pub const HALF_PERCENTAGE_FACTOR: U256 = uint!(5000_U256);

/// `percentMul(value, bps) = (value*bps + 5000) / 1e4` (half up).
///
/// Errors: [`MathError::Overflow`] when `value*bps + 5000` overflows.
/// Reproduces `PercentageMath.percentMul`.
#[inline]
pub fn percent_mul(value: U256, percentage: U256) -> Result<U256, MathError> {
    let p = value
        .checked_mul(percentage)
        .and_then(|p| p.checked_add(HALF_PERCENTAGE_FACTOR))
        .ok_or(MathError::Overflow)?;
    Ok(p / PERCENTAGE_FACTOR)
}

/// `percentMulFloor(value, bps) = value*bps / 1e4` (rounded down).
///
/// Errors: [`MathError::Overflow`] when `value*bps` overflows.
/// Reproduces `PercentageMath.percentMulFloor` (v3.6).
#[inline]
pub fn percent_mul_floor(value: U256, percentage: U256) -> Result<U256, MathError> {
    Ok(value.checked_mul(percentage).ok_or(MathError::Overflow)? / PERCENTAGE_FACTOR)
}

/// `percentMulCeil(value, bps) = ⌈value*bps / 1e4⌉` (rounded up).
///
/// Errors: [`MathError::Overflow`] when `value*bps` overflows.
/// Reproduces `PercentageMath.percentMulCeil` (v3.6).
#[inline]
pub fn percent_mul_ceil(value: U256, percentage: U256) -> Result<U256, MathError> {
    let p = value.checked_mul(percentage).ok_or(MathError::Overflow)?;
    let (q, r) = p.div_rem(PERCENTAGE_FACTOR);
    Ok(if r.is_zero() { q } else { q + U256::from(1u8) })
}

/// `percentDiv(value, bps) = (value*1e4 + bps/2) / bps` (half up).
///
/// Errors: [`MathError::DivisionByZero`] if `bps == 0`; [`MathError::Overflow`] when
/// `value*1e4 + bps/2` overflows. Reproduces `PercentageMath.percentDiv`.
#[inline]
pub fn percent_div(value: U256, percentage: U256) -> Result<U256, MathError> {
    if percentage.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let p = value
        .checked_mul(PERCENTAGE_FACTOR)
        .and_then(|p| p.checked_add(percentage >> 1))
        .ok_or(MathError::Overflow)?;
    Ok(p / percentage)
}

/// `percentDivCeil(value, bps) = ⌈value*1e4 / bps⌉` (rounded up).
///
/// Errors: [`MathError::DivisionByZero`] if `bps == 0`; [`MathError::Overflow`] when
/// `value*1e4` overflows. Reproduces `PercentageMath.percentDivCeil` (v3.6).
#[inline]
pub fn percent_div_ceil(value: U256, percentage: U256) -> Result<U256, MathError> {
    if percentage.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let p = value
        .checked_mul(PERCENTAGE_FACTOR)
        .ok_or(MathError::Overflow)?;
    let (q, r) = p.div_rem(percentage);
    Ok(if r.is_zero() { q } else { q + U256::from(1u8) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    #[test]
    fn rounding_edges() {
        // 1 * 50.00 % = 0.5 -> half up 1, floor 0, ceil 1
        assert_eq!(percent_mul(u(1), u(5000)).unwrap(), u(1));
        assert_eq!(percent_mul(u(1), u(4999)).unwrap(), u(0));
        assert_eq!(percent_mul_floor(u(1), u(5000)).unwrap(), u(0));
        // 10,001 * 50.00 % = 5,000.5 -> floor 5,000 (half up would give 5,001); a zero result
        // alone would not tell floor from a function returning 0 (cargo-mutants survivor).
        assert_eq!(percent_mul_floor(u(10_001), u(5000)).unwrap(), u(5000));
        assert_eq!(percent_mul(u(10_001), u(5000)).unwrap(), u(5001));
        assert_eq!(percent_mul_ceil(u(1), u(1)).unwrap(), u(1));
        assert_eq!(percent_mul_ceil(u(10000), u(1)).unwrap(), u(1));
        // 1000 / 105 % = 952.38 -> 952 half-up, 953 ceil
        assert_eq!(percent_div(u(1000), u(10500)).unwrap(), u(952));
        assert_eq!(percent_div_ceil(u(1000), u(10500)).unwrap(), u(953));
        assert_eq!(percent_div_ceil(u(1050), u(10500)).unwrap(), u(1000));
        // 571428571.4 / 1.05 half-up vs ceil (A16 debt side)
        assert_eq!(
            percent_div(u(599_999_999), u(10500)).unwrap(),
            u(571_428_570)
        );
        assert_eq!(
            percent_div_ceil(u(599_999_999), u(10500)).unwrap(),
            u(571_428_571)
        );
    }

    #[test]
    fn overflow_and_zero() {
        assert_eq!(
            percent_div(u(1), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            percent_div_ceil(u(1), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(percent_mul(U256::MAX, U256::ZERO).unwrap(), U256::ZERO);
        let lim = (U256::MAX - HALF_PERCENTAGE_FACTOR) / u(3);
        assert!(percent_mul(lim, u(3)).is_ok());
        assert_eq!(percent_mul(lim + u(1), u(3)), Err(MathError::Overflow));
        let lim = U256::MAX / u(3);
        assert!(percent_mul_floor(lim, u(3)).is_ok());
        assert_eq!(percent_mul_ceil(lim + u(1), u(3)), Err(MathError::Overflow));
        let lim = U256::MAX / PERCENTAGE_FACTOR;
        assert!(percent_div_ceil(lim, u(3)).is_ok());
        assert_eq!(percent_div_ceil(lim + u(1), u(3)), Err(MathError::Overflow));
        let lim = (U256::MAX - u(1)) / PERCENTAGE_FACTOR;
        assert!(percent_div(lim, u(3)).is_ok());
        assert_eq!(percent_div(lim + u(1), u(3)), Err(MathError::Overflow));
    }
}
