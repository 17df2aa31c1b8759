//! `MathUtils`: interest accumulation factors and `mulDivCeil`.
//!
//! Reproduces `MathUtils` of aave-v3-core v1.19.3 (v3.0–v3.3 compounded formula),
//! aave-v3-origin v3.4.0–v3.6.0 (new compounded formula, `mulDivCeil`) and
//! `@aave/protocol-v2@1.0.1` (the v2 compounded formula, protocol-math-aave-v2-uniswap-v3.md
//! §A.4).

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
    /// Aave v2 (`@aave/protocol-v2@1.0.1`): the same three-term binomial expansion as
    /// v3.0, but on the per-second rate `rps = rate / Y` truncated **first**
    /// (protocol-math-aave-v2-uniswap-v3.md §A.4). Differs numerically from
    /// [`InterestFormula::V3_0`] (vectors V1–V8 of §A.14).
    V2,
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
/// ([`InterestFormula::V3_0`]), aave-v3-origin v3.4.0–v3.6.0 ([`InterestFormula::V3_4`])
/// and `@aave/protocol-v2@1.0.1` ([`InterestFormula::V2`], checked `SafeMath` arithmetic:
/// every overflow is [`MathError::Overflow`]).
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
        InterestFormula::V2 => compounded_v2(rate, elapsed),
    }
}

/// Aave v2 binomial approximation (protocol-math-aave-v2-uniswap-v3.md §A.4):
/// `rps = rate / Y` (floor, before anything else), `b2 = rayMul(rps, rps)`,
/// `b3 = rayMul(b2, rps)`, then
/// `RAY + rps·t + t(t−1)·b2/2 + t(t−1)·max(t−2, 0)·b3/6`, all `SafeMath` (checked).
/// `elapsed` ≥ 1 (the caller returns RAY for 0).
fn compounded_v2(rate: U256, elapsed: u64) -> Result<U256, MathError> {
    let exp = U256::from(elapsed);
    let exp_minus_one = exp - U256::from(1u8);
    let exp_minus_two = exp.saturating_sub(U256::from(2u8));
    let rps = rate / SECONDS_PER_YEAR;
    let base_power_two = ray_mul(rps, rps)?;
    let base_power_three = ray_mul(base_power_two, rps)?;
    let checked = |a: U256, b: U256| a.checked_mul(b).ok_or(MathError::Overflow);
    let second = checked(checked(exp, exp_minus_one)?, base_power_two)? / U256::from(2u8);
    let third = checked(
        checked(checked(exp, exp_minus_one)?, exp_minus_two)?,
        base_power_three,
    )? / U256::from(6u8);
    RAY.checked_add(checked(rps, exp)?)
        .and_then(|s| s.checked_add(second))
        .and_then(|s| s.checked_add(third))
        .ok_or(MathError::Overflow)
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

    /// protocol-math-aave-v2-uniswap-v3.md §A.14, vectors V1–V8: the v2 formula, and the
    /// v3.0 and linear columns next to it (the formulas must differ where the table does).
    #[test]
    fn v1_to_v8_vectors_aave_v2() {
        let year = 31_536_000u64;
        let cases: [(&str, u64, &str, &str, &str); 8] = [
            (
                "1000500000000000000000000000",
                year / 2,
                "1646239361880034706410612000",
                "1646239361880034706419516000",
                "1500250000000000000000000000",
            ),
            (
                "50000000000000000000000000",
                3600,
                "1000005707778841860607690600",
                "1000005707778841852838170176",
                "1000005707762557077625570776",
            ),
            (
                "50000000000000000000000000",
                86_400,
                "1000136995684314615598974400",
                "1000136995684207123907444230",
                "1000136986301369863013698630",
            ),
            (
                "50000000000000000000000000",
                year,
                "1051270908731986166777656000",
                "1051265681539063650421944000",
                "1050000000000000000000000000",
            ),
            (
                "80000000000000000000000000",
                7 * year,
                "1745486836387989778999000000",
                "1745486836363624056433536000",
                "1560000000000000000000000000",
            ),
            (
                "3000000000000000000000000000",
                year,
                "13000001382020794914625384000",
                "12999996154827375138660208000",
                "4000000000000000000000000000",
            ),
            (
                "50000000000000000000000000",
                1,
                "1000000001585489599188229325",
                "1000000001585489599188229325",
                "1000000001585489599188229325",
            ),
            (
                "50000000000000000000000000",
                2,
                "1000000003170979200890235919",
                "1000000003170979200890235919",
                "1000000003170979198376458650",
            ),
        ];
        for (i, (rate, dt, v2, v30, lin)) in cases.into_iter().enumerate() {
            let r = ray(rate);
            assert_eq!(
                compounded_interest(r, dt, InterestFormula::V2).unwrap(),
                ray(v2),
                "V{} v2",
                i + 1
            );
            assert_eq!(
                compounded_interest(r, dt, InterestFormula::V3_0).unwrap(),
                ray(v30),
                "V{} v3.0",
                i + 1
            );
            assert_eq!(
                linear_interest(r, dt).unwrap(),
                ray(lin),
                "V{} linear",
                i + 1
            );
        }
    }

    #[test]
    fn zero_elapsed_is_ray() {
        for f in [
            InterestFormula::V3_0,
            InterestFormula::V3_4,
            InterestFormula::V2,
        ] {
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
        assert_eq!(
            compounded_interest(U256::MAX, 1, InterestFormula::V2),
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
