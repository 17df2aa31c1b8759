//! `MathUtils`: interest accumulation factors and `mulDivCeil`.
//!
//! Reproduces `MathUtils` of aave-v3-core v1.19.3 (v3.0–v3.3 compounded formula) and
//! aave-v3-origin v3.4.0–v3.6.0 (new compounded formula, `mulDivCeil`).

use crate::wad_ray::{RAY, ray_mul};
use crate::{MathError, U256};
use alloy_primitives::uint;

/// `SECONDS_PER_YEAR = 365 days = 31,536,000` (leap years ignored), seconds.
pub const SECONDS_PER_YEAR: U256 = uint!(31536000_U256);

/// Which `calculateCompoundedInterest` implementation to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterestFormula {
    /// v3.0–v3.3: third-order binomial expansion of `(1 + r/Y)^t`.
    V3_0,
    /// v3.4+: `1 + x + x·(x/2 + x·x/6)` with `x = r·t/Y` (fully `unchecked`).
    V3_4,
}

/// `calculateLinearInterest`: `RAY + rate*elapsed / SECONDS_PER_YEAR` (RAY).
///
/// `rate` is an annual rate in RAY, `elapsed` in seconds.
/// Errors: [`MathError::Overflow`] when `rate*elapsed` or the final sum overflows
/// (checked Solidity arithmetic, Panic(0x11)).
/// Reproduces `MathUtils.calculateLinearInterest` (all v3 versions).
#[inline]
pub fn linear_interest(rate: U256, elapsed: u64) -> Result<U256, MathError> {
    let accrued = rate
        .checked_mul(U256::from(elapsed))
        .ok_or(MathError::Overflow)?
        / SECONDS_PER_YEAR;
    RAY.checked_add(accrued).ok_or(MathError::Overflow)
}

/// `calculateCompoundedInterest(rate, t0, t0 + elapsed)` (RAY), with the formula of
/// the selected protocol version. `rate` is an annual rate in RAY, `elapsed` in seconds;
/// `elapsed == 0` returns exactly `RAY`.
///
/// Errors: [`MathError::Overflow`] when an internal `rayMul` (revert(0,0)) or checked
/// operation (Panic(0x11)) overflows. For [`InterestFormula::V3_4`] the Solidity code is
/// `unchecked` except for its `rayMul`s; this function wraps exactly where Solidity wraps.
/// Reproduces `MathUtils.calculateCompoundedInterest` of aave-v3-core v1.19.3
/// ([`InterestFormula::V3_0`]) and aave-v3-origin v3.4.0–v3.6.0 ([`InterestFormula::V3_4`]).
#[inline]
pub fn compounded_interest(
    rate: U256,
    elapsed: u64,
    formula: InterestFormula,
) -> Result<U256, MathError> {
    if elapsed == 0 {
        return Ok(RAY);
    }
    match formula {
        InterestFormula::V3_0 => compounded_v3_0(rate, elapsed),
        InterestFormula::V3_4 => compounded_v3_4(rate, elapsed),
    }
}

/// v3.0–v3.3 binomial approximation (checked except for the two divisions).
fn compounded_v3_0(rate: U256, elapsed: u64) -> Result<U256, MathError> {
    let exp = U256::from(elapsed);
    let one = U256::from(1u8);
    let exp_minus_one = exp - one;
    // `> 2` and `>= 2` agree (at 2 both give 0): an equivalent mutant for cargo-mutants.
    let exp_minus_two = if elapsed > 2 {
        exp - U256::from(2u8)
    } else {
        U256::ZERO
    };
    let base_power_two = ray_mul(rate, rate)? / (SECONDS_PER_YEAR * SECONDS_PER_YEAR);
    let base_power_three = ray_mul(base_power_two, rate)? / SECONDS_PER_YEAR;
    let checked = |a: U256, b: U256| a.checked_mul(b).ok_or(MathError::Overflow);
    let second = checked(checked(exp, exp_minus_one)?, base_power_two)? / U256::from(2u8);
    let third = checked(
        checked(checked(exp, exp_minus_one)?, exp_minus_two)?,
        base_power_three,
    )? / U256::from(6u8);
    let first = checked(rate, exp)? / SECONDS_PER_YEAR;
    RAY.checked_add(first)
        .and_then(|s| s.checked_add(second))
        .and_then(|s| s.checked_add(third))
        .ok_or(MathError::Overflow)
}

/// v3.4+ formula, `unchecked` in Solidity (wrapping here) apart from `rayMul`.
fn compounded_v3_4(rate: U256, elapsed: u64) -> Result<U256, MathError> {
    let x = rate.wrapping_mul(U256::from(elapsed)) / SECONDS_PER_YEAR;
    let half: U256 = x >> 1usize;
    let inner = half.wrapping_add(ray_mul(x, x / U256::from(6u8))?);
    Ok(RAY.wrapping_add(x).wrapping_add(ray_mul(x, inner)?))
}

/// `mulDivCeil(a, b, c) = ⌈a*b / c⌉`.
///
/// Errors: [`MathError::DivisionByZero`] if `c == 0`; [`MathError::Overflow`] when `a*b`
/// overflows. Reproduces `MathUtils.mulDivCeil` (aave-v3-origin v3.5.0+).
#[inline]
pub fn mul_div_ceil(a: U256, b: U256, c: U256) -> Result<U256, MathError> {
    if c.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let (q, r) = a.checked_mul(b).ok_or(MathError::Overflow)?.div_rem(c);
    Ok(if r.is_zero() { q } else { q + U256::from(1u8) })
}

/// `a*b / c` rounded down, as plain checked Solidity arithmetic.
///
/// Errors: [`MathError::DivisionByZero`] if `c == 0` (Panic(0x12));
/// [`MathError::Overflow`] when `a*b` overflows (Panic(0x11)).
#[inline]
pub fn mul_div_floor(a: U256, b: U256, c: U256) -> Result<U256, MathError> {
    if c.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Ok(a.checked_mul(b).ok_or(MathError::Overflow)? / c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ray(s: &str) -> U256 {
        s.parse().unwrap()
    }

    #[test]
    fn a1_a2_vectors() {
        let rate = ray("1000500000000000000000000000");
        let half_year = 365 * 24 * 3600 / 2;
        assert_eq!(
            compounded_interest(rate, half_year, InterestFormula::V3_0).unwrap(),
            ray("1646239361880034706419516000")
        );
        assert_eq!(
            linear_interest(rate, half_year).unwrap(),
            ray("1500250000000000000000000000")
        );
    }

    #[test]
    fn a3_to_a5_vectors_both_formulas() {
        let cases = [
            (
                "50000000000000000000000000",
                3600u64,
                "1000005707778841852838170176",
                "1000005707778846385321333984",
            ),
            (
                "50000000000000000000000000",
                31_536_000,
                "1051265681539063650421944000",
                "1051270833333333333333333333",
            ),
            (
                "80000000000000000000000000",
                7 * 31_536_000,
                "1745486836363624056433536000",
                "1746069333333333333333333333",
            ),
        ];
        for (rate, dt, v30, v34) in cases {
            let r = ray(rate);
            assert_eq!(
                compounded_interest(r, dt, InterestFormula::V3_0).unwrap(),
                ray(v30)
            );
            assert_eq!(
                compounded_interest(r, dt, InterestFormula::V3_4).unwrap(),
                ray(v34)
            );
        }
    }

    #[test]
    fn zero_elapsed_is_ray() {
        for f in [InterestFormula::V3_0, InterestFormula::V3_4] {
            assert_eq!(compounded_interest(U256::MAX, 0, f).unwrap(), RAY);
        }
        assert_eq!(linear_interest(U256::MAX, 0).unwrap(), RAY);
    }

    #[test]
    fn small_elapsed_edges() {
        let r = ray("50000000000000000000000000");
        // exp = 1 and 2: third term is zero in v3.0
        for dt in [1u64, 2] {
            let v30 = compounded_interest(r, dt, InterestFormula::V3_0).unwrap();
            let v34 = compounded_interest(r, dt, InterestFormula::V3_4).unwrap();
            assert!(v30 > RAY && v34 > RAY);
        }
        assert_eq!(
            compounded_interest(U256::ZERO, 100, InterestFormula::V3_4).unwrap(),
            RAY
        );
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(
            compounded_interest(U256::MAX, 1, InterestFormula::V3_0),
            Err(MathError::Overflow)
        );
        assert_eq!(
            compounded_interest(U256::MAX, 1, InterestFormula::V3_4),
            Err(MathError::Overflow)
        );
        assert_eq!(linear_interest(U256::MAX, 2), Err(MathError::Overflow));
        assert_eq!(
            mul_div_ceil(U256::MAX, U256::from(2u8), U256::from(1u8)),
            Err(MathError::Overflow)
        );
        assert_eq!(
            mul_div_ceil(U256::from(1u8), U256::from(1u8), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            mul_div_floor(U256::from(1u8), U256::from(1u8), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
    }

    #[test]
    fn mul_div_rounding() {
        let u = U256::from;
        assert_eq!(mul_div_ceil(u(7u8), u(3u8), u(2u8)).unwrap(), u(11u8));
        assert_eq!(mul_div_ceil(u(8u8), u(3u8), u(2u8)).unwrap(), u(12u8));
        assert_eq!(mul_div_floor(u(7u8), u(3u8), u(2u8)).unwrap(), u(10u8));
    }
}
