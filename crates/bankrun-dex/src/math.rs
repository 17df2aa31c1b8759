//! Checked `uint256` arithmetic mapped to [`DexError`], plus the integer square root.

use crate::{DexError, U256};

/// `a + b`, reverting on overflow.
pub(crate) fn add(a: U256, b: U256) -> Result<U256, DexError> {
    a.checked_add(b).ok_or(DexError::Overflow)
}

/// `a − b`, reverting on underflow.
pub(crate) fn sub(a: U256, b: U256) -> Result<U256, DexError> {
    a.checked_sub(b).ok_or(DexError::Underflow)
}

/// `a · b`, reverting on overflow.
pub(crate) fn mul(a: U256, b: U256) -> Result<U256, DexError> {
    a.checked_mul(b).ok_or(DexError::Overflow)
}

/// `⌊a / b⌋`, reverting on `b == 0`.
pub(crate) fn div(a: U256, b: U256) -> Result<U256, DexError> {
    a.checked_div(b).ok_or(DexError::DivisionByZero)
}

/// `U256` from a small integer.
pub(crate) fn u(x: u64) -> U256 {
    U256::from(x)
}

/// `⌊√y⌋` by the Babylonian method (the `Math.sqrt` of `v2-core`; same result as any
/// exact floor square root).
pub(crate) fn sqrt(y: U256) -> U256 {
    if y > u(3) {
        let mut z = y;
        let mut x = y / u(2) + U256::from(1);
        while x < z {
            z = x;
            x = (y / x + x) / u(2);
        }
        z
    } else if y.is_zero() {
        U256::ZERO
    } else {
        U256::from(1)
    }
}
