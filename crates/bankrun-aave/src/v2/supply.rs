//! v2 `deposit`, `withdraw` and `setUserUseReserveAsCollateral`
//! (protocol-math-aave-v2-uniswap-v3.md §A.5, §A.8–§A.10, §A.12).

use crate::error::PoolError;
use crate::pool::Pool;
use crate::v2::tokens::ScaledToken::AToken;
use crate::v2::validation::{check_not_paused, validate_deposit};
use crate::{AssetId, U256, UserId};

impl Pool {
    /// v2 `deposit(asset, amount, user)`: validation, `updateState`, rates with
    /// `added = amount`, then the aToken mint at the updated index. The first deposit
    /// (scaled balance 0 before) **always** enables the asset as collateral, even at
    /// LTV 0.
    ///
    /// Errors, in order: [`PoolError::PoolPaused`] (`64`), [`PoolError::InvalidAmount`]
    /// (`1`), [`PoolError::ReserveInactive`] (`2`), [`PoolError::ReserveFrozen`] (`3`),
    /// [`PoolError::InvalidMintAmount`] (`56`), math errors.
    pub(crate) fn deposit_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            validate_deposit(&p.reserves[asset], amount)?;
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            r.update_interest_rates_v2(now, amount, U256::ZERO)?;
            let index = r.liquidity_index;
            if p.scaled_mint_v2(AToken, user, asset, amount, index)? {
                p.acc_mut(user).set_using_as_collateral(asset, true);
            }
            Ok(())
        })
    }

    /// v2 `withdraw(asset, amount, user)`; `U256::MAX` withdraws the whole aToken balance.
    /// The balance and `balanceDecreaseAllowed` are read through the views **before**
    /// `updateState`; then the rates are updated with `taken = amount` (more than the
    /// aToken's underlying balance reverts with `"SafeMath: subtraction overflow"`), a
    /// full withdrawal clears the collateral flag, and the aToken burn follows.
    /// Returns the amount withdrawn.
    ///
    /// Errors, in order: `64`, `1`, `5`, `2`, [`PoolError::TransferNotAllowed`] (`6`),
    /// [`PoolError::SafeMathSubtractionOverflow`], [`PoolError::InvalidBurnAmount`] (`58`),
    /// [`PoolError::BurnExceedsBalance`], math errors.
    pub(crate) fn withdraw_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            let user_balance = p.a_token_balance_v2(now, user, asset)?;
            let amount = if amount == U256::MAX {
                user_balance
            } else {
                amount
            };
            p.validate_withdraw_v2(now, user, asset, amount, user_balance)?;
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            r.update_interest_rates_v2(now, U256::ZERO, amount)?;
            let index = r.liquidity_index;
            if amount == user_balance {
                p.acc_mut(user).set_using_as_collateral(asset, false);
            }
            p.scaled_burn_v2(AToken, user, asset, amount, index)?;
            Ok(amount)
        })
    }

    /// v2 `setUserUseReserveAsCollateral(asset, enabled)`: the aToken balance must be
    /// non-zero (`19`); disabling needs `balanceDecreaseAllowed` for the whole balance
    /// (`20`). Enabling works at any LTV; there is no active check and no state update.
    ///
    /// Errors: `64`, [`PoolError::UnderlyingBalanceZero`] (`19`),
    /// [`PoolError::DepositAlreadyInUse`] (`20`), math errors.
    pub(crate) fn set_collateral_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        enabled: bool,
    ) -> Result<(), PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        let balance = self.a_token_balance_v2(now, user, asset)?;
        if balance.is_zero() {
            return Err(PoolError::UnderlyingBalanceZero);
        }
        if !enabled && !self.balance_decrease_allowed(now, user, asset, balance)? {
            return Err(PoolError::DepositAlreadyInUse);
        }
        self.acc_mut(user).set_using_as_collateral(asset, enabled);
        Ok(())
    }
}
