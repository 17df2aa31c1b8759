//! v2 `borrow` (both modes), `repay` (either mode), `swapBorrowRateMode` and
//! `rebalanceStableBorrowRate` (protocol-math-aave-v2-uniswap-v3.md §A.5, §A.7, §A.10).

use crate::error::PoolError;
use crate::pool::Pool;
use crate::v2::safe_math::{add, eth_value, sub};
use crate::v2::stable_debt::user_balance;
use crate::v2::tokens::ScaledToken::VariableDebt;
use crate::v2::validation::{BorrowRequest, check_not_paused, validate_repay};
use crate::v2::{
    InterestRateMode, REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD, REBALANCE_UP_USAGE_RATIO_THRESHOLD,
};
use crate::{AssetId, U256, UserId};
use bankrun_math::percentage::percent_mul;
use bankrun_math::wad_ray::{ray_div, wad_to_ray};

impl Pool {
    /// v2 `borrow(asset, amount, mode, 0, user)` (`_executeBorrow`): `amountETH =
    /// price·amount/unit`, `validateBorrow` on the current state, `updateState`, the debt
    /// mint (stable at the reserve's current stable rate, or variable at the updated
    /// index), the borrowing flag on a first borrow, then the rates with
    /// `taken = amount` (above the aToken's underlying balance: `"SafeMath: subtraction
    /// overflow"`, after the mint, in the same reverted transaction).
    pub(crate) fn borrow_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
        mode: InterestRateMode,
    ) -> Result<(), PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            let r = &p.reserves[asset];
            let amount_eth = eth_value(p.prices[asset], amount, r.config.asset_unit())?;
            let request = BorrowRequest {
                user,
                asset,
                amount,
                amount_eth,
                mode,
            };
            p.validate_borrow_v2(now, &request)?;
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            let (stable_rate, index) = (r.current_stable_borrow_rate, r.variable_borrow_index);
            let first = match mode {
                InterestRateMode::Stable => {
                    p.s_token_mint_v2(user, asset, amount, stable_rate, now)?
                }
                InterestRateMode::Variable => {
                    p.scaled_mint_v2(VariableDebt, user, asset, amount, index)?
                }
            };
            if first {
                p.acc_mut(user).set_borrowing(asset, true);
            }
            p.reserves[asset].update_interest_rates_v2(now, U256::ZERO, amount)
        })
    }

    /// v2 `repay(asset, amount, mode, onBehalfOf)` paid by `payer`: the debts are read
    /// through the views before `updateState`; `payback = min(amount, debt of mode)`;
    /// the debt burn, the rates with `added = payback`, and the borrowing flag cleared
    /// when `stable + variable − payback == 0`. Returns `payback`.
    pub(crate) fn repay_v2(
        &mut self,
        now: u64,
        payer_is_owner: bool,
        user: UserId,
        asset: AssetId,
        amount: U256,
        mode: InterestRateMode,
    ) -> Result<U256, PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            let debts = p.user_debts_v2(now, p.acc(user), asset)?;
            validate_repay(&p.reserves[asset], amount, mode, payer_is_owner, debts)?;
            let (stable, variable) = debts;
            let debt_of_mode = match mode {
                InterestRateMode::Stable => stable,
                InterestRateMode::Variable => variable,
            };
            let payback = amount.min(debt_of_mode);
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            let index = r.variable_borrow_index;
            match mode {
                InterestRateMode::Stable => p.s_token_burn_v2(user, asset, payback, now)?,
                InterestRateMode::Variable => {
                    p.scaled_burn_v2(VariableDebt, user, asset, payback, index)?
                }
            }
            p.reserves[asset].update_interest_rates_v2(now, payback, U256::ZERO)?;
            if sub(add(stable, variable)?, payback)?.is_zero() {
                p.acc_mut(user).set_borrowing(asset, false);
            }
            Ok(payback)
        })
    }

    /// v2 `swapBorrowRateMode(asset, currentMode)`: burns all the debt of
    /// `current` mode and mints the same amount in the other one (stable at the current
    /// stable rate, variable at the updated index), then updates the rates with nothing
    /// added or taken.
    pub(crate) fn swap_rate_mode_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        current: InterestRateMode,
    ) -> Result<(), PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            let debts = p.user_debts_v2(now, p.acc(user), asset)?;
            p.validate_swap_rate_mode_v2(now, user, asset, debts, current)?;
            let (stable, variable) = debts;
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            let (stable_rate, index) = (r.current_stable_borrow_rate, r.variable_borrow_index);
            match current {
                InterestRateMode::Stable => {
                    p.s_token_burn_v2(user, asset, stable, now)?;
                    p.scaled_mint_v2(VariableDebt, user, asset, stable, index)?;
                }
                InterestRateMode::Variable => {
                    p.scaled_burn_v2(VariableDebt, user, asset, variable, index)?;
                    p.s_token_mint_v2(user, asset, variable, stable_rate, now)?;
                }
            }
            p.reserves[asset].update_interest_rates_v2(now, U256::ZERO, U256::ZERO)
        })
    }

    /// v2 `rebalanceStableBorrowRate(asset, user)`: allowed when the usage ratio
    /// `rayDiv(wadToRay(stable + variable), wadToRay(balance) + that)` is ≥ 95 % and the
    /// liquidity rate is ≤ 40 % of the max variable rate (`22` otherwise); re-mints the
    /// user's whole stable balance at the current stable rate.
    pub(crate) fn rebalance_v2(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
    ) -> Result<(), PoolError> {
        check_not_paused(self)?;
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            let stable_debt = match p.acc(user).position(asset) {
                Some(pos) => user_balance(pos, now)?,
                None => U256::ZERO,
            };
            p.validate_rebalance_v2(now, asset)?;
            let r = &mut p.reserves[asset];
            r.update_state_v2(now)?;
            p.s_token_burn_v2(user, asset, stable_debt, now)?;
            let rate = p.reserves[asset].current_stable_borrow_rate;
            p.s_token_mint_v2(user, asset, stable_debt, rate, now)?;
            p.reserves[asset].update_interest_rates_v2(now, U256::ZERO, U256::ZERO)
        })
    }

    /// `validateRebalanceStableBorrowRate`: active (`2`), then the usage / liquidity
    /// rate condition (`22`).
    fn validate_rebalance_v2(&self, now: u64, asset: AssetId) -> Result<(), PoolError> {
        let r = &self.reserves[asset];
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        let (stable, variable) = r.debt_totals_v2(now)?;
        let total_debt = wad_to_ray(add(stable, variable)?)?;
        let available = wad_to_ray(r.virtual_underlying_balance)?;
        let usage = if total_debt.is_zero() {
            U256::ZERO
        } else {
            ray_div(total_debt, add(available, total_debt)?)?
        };
        let max_variable = r.strategy_params_v2().max_variable_borrow_rate()?;
        let rate_cap = percent_mul(max_variable, REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD)?;
        if usage >= REBALANCE_UP_USAGE_RATIO_THRESHOLD && r.current_liquidity_rate <= rate_cap {
            Ok(())
        } else {
            Err(PoolError::InterestRateRebalanceConditionsNotMet)
        }
    }
}
