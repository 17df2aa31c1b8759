//! The v2 token operations the pool calls: aToken and variable debt token mint, burn
//! and liquidation transfer on scaled balances (half-up `rayDiv`,
//! protocol-math-aave-v2-uniswap-v3.md §A.8), and the stable debt token's mint and burn
//! on the pool's books (§A.7). Underlying movements are modelled by
//! [`crate::ReserveData::virtual_underlying_balance`] in the rate update.

use crate::error::PoolError;
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::user::Position;
use crate::v2::safe_math::{add, sub};
use crate::v2::stable_debt;
use crate::{AssetId, U256, UserId};
use bankrun_math::wad_ray::ray_div;

/// The scaled balance a v2 token operation moves: the aToken's (`scaled_supply`, the
/// reserve's `scaled_total_supply`) or the variable debt token's (`scaled_debt`,
/// `scaled_total_variable_debt`). Both tokens mint and burn alike (§A.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScaledToken {
    /// `AToken`.
    AToken,
    /// `VariableDebtToken`.
    VariableDebt,
}

impl ScaledToken {
    /// The token's scaled total supply in the reserve.
    fn total(self, r: &mut ReserveData) -> &mut U256 {
        match self {
            ScaledToken::AToken => &mut r.scaled_total_supply,
            ScaledToken::VariableDebt => &mut r.scaled_total_variable_debt,
        }
    }

    /// The holder's scaled balance.
    fn balance(self, pos: &mut Position) -> &mut U256 {
        match self {
            ScaledToken::AToken => &mut pos.scaled_supply,
            ScaledToken::VariableDebt => &mut pos.scaled_debt,
        }
    }
}

impl Pool {
    /// `AToken.mint(user, amount, index)` / `VariableDebtToken.mint(user, onBehalfOf,
    /// amount, index)`: mints `rayDiv(amount, index)` scaled units of `token` (total
    /// supply first, then the holder); returns whether the user's scaled balance was 0
    /// before.
    ///
    /// Errors: [`PoolError::InvalidMintAmount`] (`56`, zero scaled amount), `SafeMath`.
    pub(crate) fn scaled_mint_v2(
        &mut self,
        token: ScaledToken,
        user: UserId,
        asset: AssetId,
        amount: U256,
        index: U256,
    ) -> Result<bool, PoolError> {
        let scaled = ray_div(amount, index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidMintAmount);
        }
        let total = token.total(&mut self.reserves[asset]);
        *total = add(*total, scaled)?;
        let balance = token.balance(self.users[user as usize].position_mut(asset));
        let before = *balance;
        *balance = add(before, scaled)?;
        Ok(before.is_zero())
    }

    /// `AToken.burn(user, to, amount, index)` / `VariableDebtToken.burn(user, amount,
    /// index)`: burns `rayDiv(amount, index)` scaled units of `token` (total supply first,
    /// then the holder).
    ///
    /// Errors: [`PoolError::InvalidBurnAmount`] (`58`), [`PoolError::SafeMathSubtractionOverflow`]
    /// (total supply), [`PoolError::BurnExceedsBalance`] (holder).
    pub(crate) fn scaled_burn_v2(
        &mut self,
        token: ScaledToken,
        user: UserId,
        asset: AssetId,
        amount: U256,
        index: U256,
    ) -> Result<(), PoolError> {
        let scaled = ray_div(amount, index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        let total = token.total(&mut self.reserves[asset]);
        *total = sub(*total, scaled)?;
        let acc = &mut self.users[user as usize];
        let balance = token.balance(acc.position_mut(asset));
        *balance = balance
            .checked_sub(scaled)
            .ok_or(PoolError::BurnExceedsBalance)?;
        acc.prune(asset);
        Ok(())
    }

    /// `AToken.transferOnLiquidation(from, to, amount)`: moves `rayDiv(amount, index)`
    /// scaled aTokens at the normalized income `index`, without any health check.
    ///
    /// Errors: [`PoolError::TransferExceedsBalance`], `SafeMath`.
    pub(crate) fn a_token_transfer_v2(
        &mut self,
        from: UserId,
        to: UserId,
        asset: AssetId,
        amount: U256,
        index: U256,
    ) -> Result<(), PoolError> {
        let scaled = ray_div(amount, index)?;
        let pos = self.users[from as usize].position_mut(asset);
        pos.scaled_supply = pos
            .scaled_supply
            .checked_sub(scaled)
            .ok_or(PoolError::TransferExceedsBalance)?;
        self.users[from as usize].prune(asset);
        let pos = self.users[to as usize].position_mut(asset);
        pos.scaled_supply = add(pos.scaled_supply, scaled)?;
        self.users[to as usize].prune(asset);
        Ok(())
    }

    /// `StableDebtToken.mint(user, user, amount, rate)` at `now` ([`stable_debt::mint`]);
    /// returns whether the user had no stable debt.
    pub(crate) fn s_token_mint_v2(
        &mut self,
        user: UserId,
        asset: AssetId,
        amount: U256,
        rate: U256,
        now: u64,
    ) -> Result<bool, PoolError> {
        let supply = &mut self.reserves[asset].stable_debt;
        let pos = self.users[user as usize].position_mut(asset);
        stable_debt::mint(supply, pos, amount, rate, now)
    }

    /// `StableDebtToken.burn(user, amount)` at `now` ([`stable_debt::burn`]).
    pub(crate) fn s_token_burn_v2(
        &mut self,
        user: UserId,
        asset: AssetId,
        amount: U256,
        now: u64,
    ) -> Result<(), PoolError> {
        let supply = &mut self.reserves[asset].stable_debt;
        let acc = &mut self.users[user as usize];
        stable_debt::burn(supply, acc.position_mut(asset), amount, now)?;
        acc.prune(asset);
        Ok(())
    }
}
