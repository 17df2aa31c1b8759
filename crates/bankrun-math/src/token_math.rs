//! Scaled-balance rounding of aTokens and variable debt tokens.
//!
//! Balances of Aave tokens are stored *scaled* (divided by the reserve index) and
//! converted back with the current index. The rounding direction depends on the
//! protocol version:
//! - [`TokenRounding::HalfUp`]: v3.0–v3.4, `rayDiv`/`rayMul` everywhere.
//! - [`TokenRounding::Directional`]: v3.5+, `TokenMath` rounds in the protocol's favour.
//!
//! Reproduces `TokenMath` (aave-v3-origin v3.5.0–v3.6.0) and the `rayDiv`/`rayMul` calls
//! of `AToken`/`VariableDebtToken`/`ScaledBalanceTokenBase` in v3.0–v3.4.
//! Amounts are token wei, scaled amounts are token wei divided by an index, indexes are
//! RAY.

use crate::wad_ray::{Rounding, ray_div_rounded, ray_mul_rounded};
use crate::{MathError, U256};

/// The rounding family used for scaled balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenRounding {
    /// v3.0–v3.4: half-up `rayDiv` for mint/burn, half-up `rayMul` for balances.
    HalfUp,
    /// v3.5+ `TokenMath`: aToken mint floor, burn/transfer ceil, balance floor;
    /// vToken mint ceil, burn floor, balance ceil.
    Directional,
}

impl TokenRounding {
    fn pick(self, directional: Rounding) -> Rounding {
        match self {
            TokenRounding::HalfUp => Rounding::HalfUp,
            TokenRounding::Directional => directional,
        }
    }

    /// Scaled aTokens minted for `amount` wei supplied at `liquidity_index` (RAY).
    /// Errors: [`MathError`] from the RAY division.
    /// Reproduces `TokenMath.getATokenMintScaledAmount` (`rayDivFloor`).
    #[inline]
    pub fn a_token_mint_scaled(self, amount: U256, index: U256) -> Result<U256, MathError> {
        ray_div_rounded(amount, index, self.pick(Rounding::Floor))
    }

    /// Scaled aTokens burned for `amount` wei withdrawn.
    /// Errors: [`MathError`] from the RAY division.
    /// Reproduces `TokenMath.getATokenBurnScaledAmount` (`rayDivCeil`).
    #[inline]
    pub fn a_token_burn_scaled(self, amount: U256, index: U256) -> Result<U256, MathError> {
        ray_div_rounded(amount, index, self.pick(Rounding::Ceil))
    }

    /// Scaled aTokens moved for a transfer of `amount` wei.
    /// Errors: [`MathError`] from the RAY division.
    /// Reproduces `TokenMath.getATokenTransferScaledAmount` (`rayDivCeil`).
    #[inline]
    pub fn a_token_transfer_scaled(self, amount: U256, index: U256) -> Result<U256, MathError> {
        ray_div_rounded(amount, index, self.pick(Rounding::Ceil))
    }

    /// aToken balance (wei) of a scaled balance.
    /// Errors: [`MathError`] from the RAY multiplication.
    /// Reproduces `TokenMath.getATokenBalance` (`rayMulFloor`).
    #[inline]
    pub fn a_token_balance(self, scaled: U256, index: U256) -> Result<U256, MathError> {
        ray_mul_rounded(scaled, index, self.pick(Rounding::Floor))
    }

    /// Scaled debt minted for `amount` wei borrowed at `variable_borrow_index` (RAY).
    /// Errors: [`MathError`] from the RAY division.
    /// Reproduces `TokenMath.getVTokenMintScaledAmount` (`rayDivCeil`).
    #[inline]
    pub fn v_token_mint_scaled(self, amount: U256, index: U256) -> Result<U256, MathError> {
        ray_div_rounded(amount, index, self.pick(Rounding::Ceil))
    }

    /// Scaled debt burned for `amount` wei repaid.
    /// Errors: [`MathError`] from the RAY division.
    /// Reproduces `TokenMath.getVTokenBurnScaledAmount` (`rayDivFloor`).
    #[inline]
    pub fn v_token_burn_scaled(self, amount: U256, index: U256) -> Result<U256, MathError> {
        ray_div_rounded(amount, index, self.pick(Rounding::Floor))
    }

    /// Debt balance (wei) of a scaled debt balance.
    /// Errors: [`MathError`] from the RAY multiplication.
    /// Reproduces `TokenMath.getVTokenBalance` (`rayMulCeil`).
    #[inline]
    pub fn v_token_balance(self, scaled: U256, index: U256) -> Result<U256, MathError> {
        ray_mul_rounded(scaled, index, self.pick(Rounding::Ceil))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RAY;

    #[test]
    fn directional_rounds_in_protocol_favour() {
        let idx = RAY + RAY / U256::from(3u8); // 1.333..
        let amt = U256::from(1000u32);
        let d = TokenRounding::Directional;
        let h = TokenRounding::HalfUp;
        // 1000 / 1.3333 = 750.000000000000000000000000187 -> floor 750, ceil 751
        assert_eq!(d.a_token_mint_scaled(amt, idx).unwrap(), U256::from(750u32));
        assert_eq!(d.a_token_burn_scaled(amt, idx).unwrap(), U256::from(751u32));
        assert_eq!(d.v_token_mint_scaled(amt, idx).unwrap(), U256::from(751u32));
        assert_eq!(d.v_token_burn_scaled(amt, idx).unwrap(), U256::from(750u32));
        assert_eq!(h.a_token_mint_scaled(amt, idx).unwrap(), U256::from(750u32));
        assert_eq!(h.a_token_burn_scaled(amt, idx).unwrap(), U256::from(750u32));
        // 750 * 1.3333 = 999.99.. -> floor 999, ceil 1000, half-up 1000
        let s = U256::from(750u32);
        assert_eq!(d.a_token_balance(s, idx).unwrap(), U256::from(999u32));
        assert_eq!(d.v_token_balance(s, idx).unwrap(), U256::from(1000u32));
        assert_eq!(h.a_token_balance(s, idx).unwrap(), U256::from(1000u32));
        assert_eq!(
            d.a_token_transfer_scaled(amt, idx).unwrap(),
            U256::from(751u32)
        );
    }
}
