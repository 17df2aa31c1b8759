//! Checked DSMath-style helpers (`add`, `sub`, `mul`, `rmul`, `rdiv`) and `rpow`.
//!
//! Sources: `dss@1.0.0` (`cat.sol`, `spot.sol` math sections) and
//! `dss@fa4f6630:src/abaci.sol` (`rpow`, `rmul`).

use crate::{MakerError, U256};

/// `WAD` = 1e18.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// `RAY` (`ONE` in Cat/Spot) = 1e27.
pub const RAY: U256 = U256::from_limbs([0x9fd0803ce8000000, 0x33b2e3c, 0, 0]);

/// `a + b`, reverting on overflow.
pub fn add(a: U256, b: U256) -> Result<U256, MakerError> {
    a.checked_add(b).ok_or(MakerError::Overflow)
}

/// `a − b`, reverting on underflow.
pub fn sub(a: U256, b: U256) -> Result<U256, MakerError> {
    a.checked_sub(b).ok_or(MakerError::Underflow)
}

/// `a · b`, reverting on overflow.
pub fn mul(a: U256, b: U256) -> Result<U256, MakerError> {
    a.checked_mul(b).ok_or(MakerError::Overflow)
}

/// `⌊a / b⌋`, reverting on `b == 0`.
pub fn div(a: U256, b: U256) -> Result<U256, MakerError> {
    a.checked_div(b).ok_or(MakerError::DivisionByZero)
}

/// `rmul(x, y)` = `⌊x·y / 1e27⌋` (floor, as Cat and Abacus).
pub fn rmul(x: U256, y: U256) -> Result<U256, MakerError> {
    div(mul(x, y)?, RAY)
}

/// `rdiv(x, y)` = `⌊x·1e27 / y⌋` (Spot).
pub fn rdiv(x: U256, y: U256) -> Result<U256, MakerError> {
    div(mul(x, RAY)?, y)
}

/// `rpow(x, n, b)`: `x^n` in base `b` by repeated squaring with half-up rounding at
/// every multiply (`abaci.sol`). `rpow(x, 0) = b`, `rpow(0, n>0) = 0`.
///
/// # Errors
/// [`MakerError::Overflow`] when a squared base needs `x ≥ 2^128` or a product
/// overflows (the assembly's `revert(0,0)`).
pub fn rpow(x: U256, n: u64, b: U256) -> Result<U256, MakerError> {
    if n == 0 {
        return Ok(b);
    }
    if x.is_zero() {
        return Ok(U256::ZERO);
    }
    let half = b / U256::from(2);
    let mut z = if n.is_multiple_of(2) { b } else { x };
    let (mut x, mut n) = (x, n / 2);
    while n > 0 {
        if x >> 128 != U256::ZERO {
            return Err(MakerError::Overflow);
        }
        x = div(add(x * x, half)?, b)?;
        if n % 2 == 1 {
            z = div(add(mul(z, x)?, half)?, b)?;
        }
        n /= 2;
    }
    Ok(z)
}
