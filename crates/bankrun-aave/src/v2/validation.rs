//! v2 `ValidationLogic` checks, in on-chain order with the v2 error codes
//! (protocol-math-aave-v2-uniswap-v3.md §A.10). The global pause (`64`) is checked by
//! the callers first, as the pool's `whenNotPaused` modifier does.

use crate::error::PoolError;
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::v2::safe_math::add;
use crate::v2::{InterestRateMode, MAX_STABLE_RATE_BORROW_SIZE_PERCENT};
use crate::validation::HEALTH_FACTOR_LIQUIDATION_THRESHOLD;
use crate::{AssetId, U256, UserId};
use bankrun_math::percentage::{percent_div, percent_mul};

/// `whenNotPaused`: [`PoolError::PoolPaused`] (`64`) while the pool is paused.
#[inline]
pub(crate) fn check_not_paused(pool: &Pool) -> Result<(), PoolError> {
    if pool.paused {
        Err(PoolError::PoolPaused)
    } else {
        Ok(())
    }
}

/// `validateDeposit`: amount ≠ 0 (`1`), active (`2`), not frozen (`3`).
pub(crate) fn validate_deposit(r: &ReserveData, amount: U256) -> Result<(), PoolError> {
    if amount.is_zero() {
        return Err(PoolError::InvalidAmount);
    }
    if !r.active {
        return Err(PoolError::ReserveInactive);
    }
    if r.config.frozen {
        return Err(PoolError::ReserveFrozen);
    }
    Ok(())
}

/// `validateRepay`: active (`2`), amount > 0 (`1`), debt of the chosen mode (`15`),
/// `uint.max` only for oneself (`16`). Frozen reserves can be repaid.
pub(crate) fn validate_repay(
    r: &ReserveData,
    amount: U256,
    mode: InterestRateMode,
    payer_is_owner: bool,
    (stable, variable): (U256, U256),
) -> Result<(), PoolError> {
    if !r.active {
        return Err(PoolError::ReserveInactive);
    }
    if amount.is_zero() {
        return Err(PoolError::InvalidAmount);
    }
    let has_debt = match mode {
        InterestRateMode::Stable => !stable.is_zero(),
        InterestRateMode::Variable => !variable.is_zero(),
    };
    if !has_debt {
        return Err(PoolError::NoDebtOfSelectedType);
    }
    if amount == U256::MAX && !payer_is_owner {
        return Err(PoolError::NoExplicitAmountToRepayOnBehalf);
    }
    Ok(())
}

/// One borrow request, for [`Pool::validate_borrow_v2`].
pub(crate) struct BorrowRequest {
    pub user: UserId,
    pub asset: AssetId,
    pub amount: U256,
    /// `price · amount / unit`, ETH wei.
    pub amount_eth: U256,
    pub mode: InterestRateMode,
}

impl Pool {
    /// `validateWithdraw` at `now`: amount ≠ 0 (`1`), amount ≤ the user's aToken balance
    /// (`5`), active (`2`), `balanceDecreaseAllowed` (`6`).
    pub(crate) fn validate_withdraw_v2(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
        user_balance: U256,
    ) -> Result<(), PoolError> {
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if amount > user_balance {
            return Err(PoolError::NotEnoughAvailableUserBalance);
        }
        if !self.reserves[asset].active {
            return Err(PoolError::ReserveInactive);
        }
        if !self.balance_decrease_allowed(now, user, asset, amount)? {
            return Err(PoolError::TransferNotAllowed);
        }
        Ok(())
    }

    /// `validateBorrow` at `now` (account data through the views, before `updateState`):
    /// active (`2`), not frozen (`3`), amount ≠ 0 (`1`), borrowing enabled (`7`),
    /// collateral > 0 (`9`), current HF > 1 strictly (`10`),
    /// `percentDiv(debt + amountETH, avgLtv) ≤ collateral` (`11`; avgLtv 0 → `50`), then
    /// for stable mode: stable borrowing enabled (`12`), not mostly own collateral (`13`),
    /// at most 25 % of the available liquidity (`14`).
    pub(crate) fn validate_borrow_v2(&self, now: u64, b: &BorrowRequest) -> Result<(), PoolError> {
        let r = &self.reserves[b.asset];
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        if b.amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if !r.config.borrowing_enabled {
            return Err(PoolError::BorrowingNotEnabled);
        }
        let calc = self.account_calc_v2(now, self.acc(b.user))?;
        if calc.total_collateral_base.is_zero() {
            return Err(PoolError::CollateralBalanceIsZero);
        }
        if calc.health_factor <= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorLowerThanLiquidationThreshold);
        }
        let needed = percent_div(add(calc.total_debt_base, b.amount_eth)?, calc.avg_ltv)?;
        if needed > calc.total_collateral_base {
            return Err(PoolError::CollateralCannotCoverNewBorrow);
        }
        if b.mode == InterestRateMode::Stable {
            self.validate_stable_borrow(now, b)?;
        }
        Ok(())
    }

    /// The stable-only borrow checks `12`, `13`, `14`.
    fn validate_stable_borrow(&self, now: u64, b: &BorrowRequest) -> Result<(), PoolError> {
        let r = &self.reserves[b.asset];
        if !r.stable_borrowing_enabled {
            return Err(PoolError::StableBorrowingNotEnabled);
        }
        self.check_not_own_collateral(now, b.user, b.asset, b.amount)?;
        let max = percent_mul(
            r.virtual_underlying_balance,
            MAX_STABLE_RATE_BORROW_SIZE_PERCENT,
        )?;
        if b.amount > max {
            return Err(PoolError::AmountBiggerThanMaxLoanSizeStable);
        }
        Ok(())
    }

    /// `13` unless the reserve is not the user's collateral, its LTV is 0, or `amount`
    /// exceeds the user's aToken balance.
    pub(crate) fn check_not_own_collateral(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let allowed = !self.acc(user).is_using_as_collateral(asset)
            || self.reserves[asset].config.ltv == 0
            || amount > self.a_token_balance_v2(now, user, asset)?;
        if allowed {
            Ok(())
        } else {
            Err(PoolError::CollateralSameAsBorrowingCurrency)
        }
    }

    /// `validateSwapRateMode`: active (`2`), not frozen (`3`); from stable: stable debt
    /// (`17`); from variable: variable debt (`18`), stable borrowing enabled (`12`), not
    /// mostly own collateral (`13`, with `stable + variable` as the amount).
    pub(crate) fn validate_swap_rate_mode_v2(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
        (stable, variable): (U256, U256),
        current: InterestRateMode,
    ) -> Result<(), PoolError> {
        let r = &self.reserves[asset];
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        match current {
            InterestRateMode::Stable if stable.is_zero() => {
                Err(PoolError::NoStableRateLoanInReserve)
            }
            InterestRateMode::Stable => Ok(()),
            InterestRateMode::Variable => {
                if variable.is_zero() {
                    return Err(PoolError::NoVariableRateLoanInReserve);
                }
                if !r.stable_borrowing_enabled {
                    return Err(PoolError::StableBorrowingNotEnabled);
                }
                self.check_not_own_collateral(now, user, asset, add(stable, variable)?)
            }
        }
    }
}
