//! `ExponentialNoError`: 1e18-scaled fixed point with truncation (floor) everywhere.
//!
//! Source: `compound-protocol@a3214f67:contracts/ExponentialNoError.sol`. Values are
//! plain `U256` mantissas (`Exp{mantissa}`); Solidity 0.8 checked arithmetic.

use crate::{CompoundError, U256};

/// `expScale` = 1e18.
pub const EXP_SCALE: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// Checked `a + b`.
pub fn add(a: U256, b: U256) -> Result<U256, CompoundError> {
    a.checked_add(b).ok_or(CompoundError::Overflow)
}

/// Checked `a − b`.
pub fn sub(a: U256, b: U256) -> Result<U256, CompoundError> {
    a.checked_sub(b).ok_or(CompoundError::Underflow)
}

/// Checked `a · b`.
pub fn mul(a: U256, b: U256) -> Result<U256, CompoundError> {
    a.checked_mul(b).ok_or(CompoundError::Overflow)
}

/// Checked `⌊a / b⌋`.
pub fn div(a: U256, b: U256) -> Result<U256, CompoundError> {
    a.checked_div(b).ok_or(CompoundError::DivisionByZero)
}

/// `mul_(Exp a, Exp b)` = `mul_(uint a, Exp b)` = `⌊a·b/1e18⌋` (also
/// `mul_ScalarTruncate(Exp a, uint b)`).
pub fn mul_exp(a: U256, b: U256) -> Result<U256, CompoundError> {
    div(mul(a, b)?, EXP_SCALE)
}

/// `mul_ScalarTruncateAddUInt(Exp a, uint s, uint addend)` = `⌊a·s/1e18⌋ + addend`.
pub fn mul_exp_add(a: U256, s: U256, addend: U256) -> Result<U256, CompoundError> {
    add(mul_exp(a, s)?, addend)
}

/// `div_(Exp a, Exp b)` = `div_(uint a, Exp b)` = `⌊a·1e18/b⌋`.
pub fn div_exp(a: U256, b: U256) -> Result<U256, CompoundError> {
    div(mul(a, EXP_SCALE)?, b)
}
