//! `WadRayMath`: WAD (1e18) and RAY (1e27) fixed-point multiplication and division.
//!
//! Reproduces `WadRayMath` of aave-v3-core v1.19.3 (v3.0.2) and aave-v3-origin v3.6.0.
//! The half-up operations (`wadMul`, `wadDiv`, `rayMul`, `rayDiv`) are identical in
//! all versions; the floor/ceil operations were added in v3.5 for `TokenMath`.
//!
//! The overflow conditions of the assembly (`a > (MAX − HALF)/b` and the like) are
//! exactly equivalent to "the intermediate `a*b + HALF` does not fit in 256 bits", which
//! is how they are checked here.

use crate::{MathError, U256};
use alloy_primitives::uint;

/// 1e18, the WAD unit (health factor, token amounts with 18 decimals).
pub const WAD: U256 = uint!(1000000000000000000_U256);
/// 0.5e18.
pub const HALF_WAD: U256 = uint!(500000000000000000_U256);
/// 1e27, the RAY unit (indexes and annual rates).
pub const RAY: U256 = uint!(1000000000000000000000000000_U256);
/// 0.5e27.
pub const HALF_RAY: U256 = uint!(500000000000000000000000000_U256);
/// 1e9 = RAY / WAD.
pub const WAD_RAY_RATIO: U256 = uint!(1000000000_U256);

/// Rounding mode of a RAY operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Round half up (`rayMul`, `rayDiv`), the only mode in v3.0–v3.4.
    HalfUp,
    /// Round toward zero (`rayMulFloor`, `rayDivFloor`, v3.5+).
    Floor,
    /// Round away from zero (`rayMulCeil`, `rayDivCeil`, v3.5+).
    Ceil,
}

/// `a * b + c` without overflow, or [`MathError::Overflow`].
#[inline]
fn mul_add(a: U256, b: U256, c: U256) -> Result<U256, MathError> {
    a.checked_mul(b)
        .and_then(|p| p.checked_add(c))
        .ok_or(MathError::Overflow)
}

/// Floor division that rounds up when there is a remainder.
#[inline]
fn div_ceil(num: U256, den: U256) -> U256 {
    let (q, r) = num.div_rem(den);
    if r.is_zero() { q } else { q + U256::from(1u8) }
}

/// `(⌊x / 10^k⌋, x mod 10^k ≠ 0)` for k = 18 (WAD) or 27 (RAY): the division the
/// contracts' `div(…, RAY)` and `div(…, WAD)` perform, exact, computed as
/// `⌊(x >> k) / 5^k⌋` (because `⌊⌊x / 2^k⌋ / 5^k⌋ = ⌊x / 10^k⌋`) with 5^k below 2^64, so that
/// it takes four 128-by-64-bit divisions instead of a general 256-bit one: the pool's
/// views divide by RAY several times per balance. Tested against the general division.
#[inline]
fn div_pow10(x: U256, k: u32) -> (U256, bool) {
    let five = 5u64.pow(k);
    let low_bits = x.as_limbs()[0] & ((1u64 << k) - 1);
    let limbs = (x >> k as usize).into_limbs();
    let mut q = [0u64; 4];
    let mut r = 0u128;
    for i in (0..4).rev() {
        let n = (r << 64) | u128::from(limbs[i]);
        q[i] = (n / u128::from(five)) as u64;
        r = n % u128::from(five);
    }
    (U256::from_limbs(q), low_bits != 0 || r != 0)
}

/// `⌊x / 1e27⌋`.
#[inline]
fn div_ray(x: U256) -> U256 {
    div_pow10(x, 27).0
}

/// `⌊x / 1e18⌋`.
#[inline]
fn div_wad(x: U256) -> U256 {
    div_pow10(x, 18).0
}

/// `wadMul(a, b) = (a*b + 0.5e18) / 1e18` (WAD, half up).
///
/// Errors: [`MathError::Overflow`] when `a*b + HALF_WAD` overflows.
/// Reproduces `WadRayMath.wadMul` (all v3 versions).
#[inline]
pub fn wad_mul(a: U256, b: U256) -> Result<U256, MathError> {
    Ok(div_wad(mul_add(a, b, HALF_WAD)?))
}

/// `wadDiv(a, b) = (a*1e18 + b/2) / b` (WAD, half up).
///
/// Errors: [`MathError::DivisionByZero`] if `b == 0`; [`MathError::Overflow`] when
/// `a*1e18 + b/2` overflows. Reproduces `WadRayMath.wadDiv` (all v3 versions).
#[inline]
pub fn wad_div(a: U256, b: U256) -> Result<U256, MathError> {
    if b.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Ok(mul_add(a, WAD, b >> 1)? / b)
}

/// `rayMul(a, b) = (a*b + 0.5e27) / 1e27` (RAY, half up).
///
/// Errors: [`MathError::Overflow`] when `a*b + HALF_RAY` overflows.
/// Reproduces `WadRayMath.rayMul` (all v3 versions).
#[inline]
pub fn ray_mul(a: U256, b: U256) -> Result<U256, MathError> {
    // The `sabotage-rounding` feature (tests only: it exists to prove that the
    // conformance suite detects a one-wei rounding change) rounds down instead.
    #[cfg(feature = "sabotage-rounding")]
    let half = U256::ZERO;
    #[cfg(not(feature = "sabotage-rounding"))]
    let half = HALF_RAY;
    Ok(div_ray(mul_add(a, b, half)?))
}

/// `rayMulFloor(a, b) = a*b / 1e27` (RAY, rounded down).
///
/// Errors: [`MathError::Overflow`] when `a*b` overflows.
/// Reproduces `WadRayMath.rayMulFloor` (aave-v3-origin v3.5.0+).
#[inline]
pub fn ray_mul_floor(a: U256, b: U256) -> Result<U256, MathError> {
    Ok(div_ray(a.checked_mul(b).ok_or(MathError::Overflow)?))
}

/// `rayMulCeil(a, b) = ⌈a*b / 1e27⌉` (RAY, rounded up).
///
/// Errors: [`MathError::Overflow`] when `a*b` overflows.
/// Reproduces `WadRayMath.rayMulCeil` (aave-v3-origin v3.5.0+).
#[inline]
pub fn ray_mul_ceil(a: U256, b: U256) -> Result<U256, MathError> {
    let (q, rem) = div_pow10(a.checked_mul(b).ok_or(MathError::Overflow)?, 27);
    Ok(if rem { q + U256::from(1u8) } else { q })
}

/// `rayDiv(a, b) = (a*1e27 + b/2) / b` (RAY, half up).
///
/// Errors: [`MathError::DivisionByZero`] if `b == 0`; [`MathError::Overflow`] when
/// `a*1e27 + b/2` overflows. Reproduces `WadRayMath.rayDiv` (all v3 versions).
#[inline]
pub fn ray_div(a: U256, b: U256) -> Result<U256, MathError> {
    if b.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Ok(mul_add(a, RAY, b >> 1)? / b)
}

/// `rayDivFloor(a, b) = a*1e27 / b` (RAY, rounded down).
///
/// Errors: [`MathError::DivisionByZero`] if `b == 0`; [`MathError::Overflow`] when
/// `a*1e27` overflows. Reproduces `WadRayMath.rayDivFloor` (aave-v3-origin v3.5.0+).
#[inline]
pub fn ray_div_floor(a: U256, b: U256) -> Result<U256, MathError> {
    if b.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Ok(a.checked_mul(RAY).ok_or(MathError::Overflow)? / b)
}

/// `rayDivCeil(a, b) = ⌈a*1e27 / b⌉` (RAY, rounded up).
///
/// Errors: [`MathError::DivisionByZero`] if `b == 0`; [`MathError::Overflow`] when
/// `a*1e27` overflows. Reproduces `WadRayMath.rayDivCeil` (aave-v3-origin v3.5.0+).
#[inline]
pub fn ray_div_ceil(a: U256, b: U256) -> Result<U256, MathError> {
    if b.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Ok(div_ceil(a.checked_mul(RAY).ok_or(MathError::Overflow)?, b))
}

/// RAY multiplication with an explicit [`Rounding`] (dispatches to [`ray_mul`],
/// [`ray_mul_floor`] or [`ray_mul_ceil`]). Errors: as the dispatched function.
#[inline]
pub fn ray_mul_rounded(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    match rounding {
        Rounding::HalfUp => ray_mul(a, b),
        Rounding::Floor => ray_mul_floor(a, b),
        Rounding::Ceil => ray_mul_ceil(a, b),
    }
}

/// RAY division with an explicit [`Rounding`] (dispatches to [`ray_div`],
/// [`ray_div_floor`] or [`ray_div_ceil`]). Errors: as the dispatched function.
#[inline]
pub fn ray_div_rounded(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    match rounding {
        Rounding::HalfUp => ray_div(a, b),
        Rounding::Floor => ray_div_floor(a, b),
        Rounding::Ceil => ray_div_ceil(a, b),
    }
}

/// `rayToWad(a)`: RAY → WAD, `a / 1e9` rounded half up. Never fails.
/// Reproduces `WadRayMath.rayToWad` (all v3 versions).
#[inline]
pub fn ray_to_wad(a: U256) -> U256 {
    let (q, r) = a.div_rem(WAD_RAY_RATIO);
    if r >= (WAD_RAY_RATIO >> 1) {
        q + U256::from(1u8)
    } else {
        q
    }
}

/// `wadToRay(a) = a * 1e9`: WAD → RAY.
///
/// Errors: [`MathError::Overflow`] when the product overflows.
/// Reproduces `WadRayMath.wadToRay` (all v3 versions).
#[inline]
pub fn wad_to_ray(a: U256) -> Result<U256, MathError> {
    a.checked_mul(WAD_RAY_RATIO).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    /// Values of every magnitude, with the edges a division by 10^k can get wrong: exact
    /// multiples, one below and above them, the low 27 bits set or clear, and `U256::MAX`.
    fn any_u256() -> impl Strategy<Value = U256> {
        (any::<[u64; 4]>(), 0usize..=256, 0u8..4).prop_map(|(limbs, bits, edge)| {
            let x = U256::from_limbs(limbs) >> (256 - bits);
            match edge {
                0 => x,
                1 => (x / RAY) * RAY,
                2 => ((x / RAY) * RAY).saturating_sub(u(1)),
                _ => ((x / WAD) * WAD).saturating_add(u(1)),
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn division_by_powers_of_ten_matches_the_general_division(x in any_u256()) {
            for (k, unit) in [(27, RAY), (18, WAD)] {
                let (q, r) = x.div_rem(unit);
                prop_assert_eq!(div_pow10(x, k), (q, !r.is_zero()));
            }
        }
    }

    #[test]
    fn division_by_powers_of_ten_at_the_edges() {
        for x in [
            U256::ZERO,
            u(1),
            RAY - u(1),
            RAY,
            RAY + u(1),
            U256::MAX,
            U256::MAX - u(1),
        ] {
            assert_eq!(div_ray(x), x / RAY);
            assert_eq!(div_wad(x), x / WAD);
            assert_eq!(div_pow10(x, 27).1, !(x % RAY).is_zero());
        }
    }

    #[test]
    fn half_up_rounding_edges() {
        // 1.5 wei of RAY rounds up, 1.4999.. rounds down.
        assert_eq!(ray_mul(u(3), HALF_RAY).unwrap(), u(2));
        assert_eq!(ray_mul(u(1), HALF_RAY).unwrap(), u(1));
        assert_eq!(ray_mul(u(1), HALF_RAY - u(1)).unwrap(), u(0));
        assert_eq!(wad_mul(u(1), HALF_WAD).unwrap(), u(1));
        assert_eq!(wad_mul(u(1), HALF_WAD - u(1)).unwrap(), u(0));
        // rayDiv(1, 2e27) = 0.5 -> 1 ; rayDiv(1, 2e27+1) -> 0
        assert_eq!(ray_div(u(1), RAY * u(2)).unwrap(), u(1));
        assert_eq!(ray_div(u(1), RAY * u(2) + u(1)).unwrap(), u(0));
        assert_eq!(wad_div(u(1), WAD * u(2)).unwrap(), u(1));
    }

    #[test]
    fn floor_and_ceil() {
        let idx = RAY + u(1); // index just above 1
        assert_eq!(ray_mul_floor(u(10), idx).unwrap(), u(10));
        assert_eq!(ray_mul_ceil(u(10), idx).unwrap(), u(11));
        assert_eq!(ray_mul_ceil(u(10), RAY).unwrap(), u(10));
        assert_eq!(ray_div_floor(u(10), idx).unwrap(), u(9));
        assert_eq!(ray_div_ceil(u(10), idx).unwrap(), u(10));
        assert_eq!(ray_div_ceil(u(10), RAY).unwrap(), u(10));
        for r in [Rounding::HalfUp, Rounding::Floor, Rounding::Ceil] {
            assert_eq!(ray_mul_rounded(u(7), RAY, r).unwrap(), u(7));
            assert_eq!(ray_div_rounded(u(7), RAY, r).unwrap(), u(7));
        }
    }

    #[test]
    fn ray_wad_conversion() {
        assert_eq!(ray_to_wad(u(1_499_999_999)), u(1));
        assert_eq!(ray_to_wad(u(1_500_000_000)), u(2));
        assert_eq!(ray_to_wad(u(500_000_000)), u(1));
        assert_eq!(ray_to_wad(u(499_999_999)), u(0));
        assert_eq!(wad_to_ray(u(3)).unwrap(), u(3_000_000_000));
        assert_eq!(wad_to_ray(U256::MAX), Err(MathError::Overflow));
        // MAX % 1e9 = 129_639_935 < 0.5e9: rounds down, never overflows
        assert_eq!(ray_to_wad(U256::MAX), U256::MAX / WAD_RAY_RATIO);
    }

    #[test]
    fn overflow_boundaries_match_solidity() {
        // rayMul reverts iff b != 0 && a > (MAX - HALF_RAY) / b
        let b = u(7);
        let lim = (U256::MAX - HALF_RAY) / b;
        assert!(ray_mul(lim, b).is_ok());
        assert_eq!(ray_mul(lim + u(1), b), Err(MathError::Overflow));
        assert_eq!(ray_mul(U256::MAX, U256::ZERO).unwrap(), U256::ZERO);
        // rayMulFloor reverts iff a > MAX / b
        let lim = U256::MAX / b;
        assert!(ray_mul_floor(lim, b).is_ok());
        assert!(ray_mul_ceil(lim, b).is_ok());
        assert_eq!(ray_mul_floor(lim + u(1), b), Err(MathError::Overflow));
        assert_eq!(ray_mul_ceil(lim + u(1), b), Err(MathError::Overflow));
        // rayDiv reverts iff b == 0 || a > (MAX - b/2) / RAY
        let lim = (U256::MAX - b / u(2)) / RAY;
        assert!(ray_div(lim, b).is_ok());
        assert_eq!(ray_div(lim + u(1), b), Err(MathError::Overflow));
        assert_eq!(ray_div(u(1), U256::ZERO), Err(MathError::DivisionByZero));
        assert_eq!(
            ray_div_floor(u(1), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            ray_div_ceil(u(1), U256::ZERO),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(wad_div(u(1), U256::ZERO), Err(MathError::DivisionByZero));
        let lim = U256::MAX / RAY;
        assert!(ray_div_ceil(lim, b).is_ok());
        assert_eq!(ray_div_ceil(lim + u(1), b), Err(MathError::Overflow));
        // wadMul / wadDiv
        let lim = (U256::MAX - HALF_WAD) / b;
        assert!(wad_mul(lim, b).is_ok());
        assert_eq!(wad_mul(lim + u(1), b), Err(MathError::Overflow));
        let lim = (U256::MAX - b / u(2)) / WAD;
        assert!(wad_div(lim, b).is_ok());
        assert_eq!(wad_div(lim + u(1), b), Err(MathError::Overflow));
    }
}
