//! OpenZeppelin `SafeMath` as the v2 contracts use it (solc 0.6.12 has no checked
//! arithmetic): every failure is an `Error(string)` revert with a fixed reason
//! (protocol-math-aave-v2-uniswap-v3.md §A.1, §A.12).

use crate::U256;
use crate::error::PoolError;

/// `a.add(b)`: [`PoolError::SafeMathAdditionOverflow`] on overflow.
#[inline]
pub(crate) fn add(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_add(b).ok_or(PoolError::SafeMathAdditionOverflow)
}

/// `a.sub(b)`: [`PoolError::SafeMathSubtractionOverflow`] when `b > a`.
#[inline]
pub(crate) fn sub(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_sub(b)
        .ok_or(PoolError::SafeMathSubtractionOverflow)
}

/// `a.mul(b)`: [`PoolError::SafeMathMultiplicationOverflow`] on overflow.
#[inline]
pub(crate) fn mul(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_mul(b)
        .ok_or(PoolError::SafeMathMultiplicationOverflow)
}

/// `a.div(b)` (floor): [`PoolError::SafeMathDivisionByZero`] when `b == 0`.
#[inline]
pub(crate) fn div(a: U256, b: U256) -> Result<U256, PoolError> {
    if b.is_zero() {
        return Err(PoolError::SafeMathDivisionByZero);
    }
    Ok(a / b)
}

/// `require(a <= type(uint128).max, code)`: `err` above 2^128 − 1.
#[inline]
pub(crate) fn check_u128(a: U256, err: PoolError) -> Result<U256, PoolError> {
    if a.bit_len() > 128 { Err(err) } else { Ok(a) }
}

/// `price.mul(amount).div(10**decimals)`: the ETH value (wei) of `amount` token wei at
/// `price` ETH wei per whole token (§A.9), floor.
#[inline]
pub(crate) fn eth_value(price: U256, amount: U256, unit: U256) -> Result<U256, PoolError> {
    div(mul(price, amount)?, unit)
}
