//! v2 `GenericLogic`: account data in ETH and `balanceDecreaseAllowed`
//! (protocol-math-aave-v2-uniswap-v3.md §A.9), and the token balance views the pool
//! reads (§A.8).
//!
//! Prices are ETH wei per whole token; values are ETH wei; the health factor is WAD.

use crate::account::AccountCalc;
use crate::error::PoolError;
use crate::pool::Pool;
use crate::user::{UserAccount, bits};
use crate::v2::safe_math::{add, div, eth_value, mul, sub};
use crate::v2::stable_debt::user_balance;
use crate::validation::HEALTH_FACTOR_LIQUIDATION_THRESHOLD;
use crate::{AssetId, U256, UserId};
use bankrun_math::percentage::percent_mul;
use bankrun_math::wad_ray::{ray_mul, wad_div};

/// `calculateHealthFactorFromBalances`: `wadDiv(percentMul(collateral, lt), debt)`, or
/// `U256::MAX` without debt (WAD).
pub(crate) fn health_factor_from_balances(
    collateral_eth: U256,
    debt_eth: U256,
    liquidation_threshold: U256,
) -> Result<U256, PoolError> {
    if debt_eth.is_zero() {
        return Ok(U256::MAX);
    }
    Ok(wad_div(
        percent_mul(collateral_eth, liquidation_threshold)?,
        debt_eth,
    )?)
}

impl Pool {
    /// aToken `balanceOf(user)` at `now`: `rayMul(scaled, getNormalizedIncome)`, token wei.
    pub(crate) fn a_token_balance_v2(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
    ) -> Result<U256, PoolError> {
        let scaled = self.acc(user).scaled_supply(asset);
        let index = self.income_index(now, &self.reserves[asset])?;
        Ok(ray_mul(scaled, index)?)
    }

    /// `Helpers.getUserCurrentDebt`: `(stable, variable)` debt balances at `now` through
    /// the token views, token wei.
    pub(crate) fn user_debts_v2(
        &self,
        now: u64,
        acc: &UserAccount,
        asset: AssetId,
    ) -> Result<(U256, U256), PoolError> {
        let stable = match acc.position(asset) {
            Some(p) => user_balance(p, now)?,
            None => U256::ZERO,
        };
        let scaled = acc.scaled_debt(asset);
        let variable = if scaled.is_zero() {
            U256::ZERO
        } else {
            ray_mul(scaled, self.debt_index(now, &self.reserves[asset])?)?
        };
        Ok((stable, variable))
    }

    /// `calculateUserAccountData` at `now`: for every reserve flagged as collateral
    /// **with a non-zero liquidation threshold**, `price · balance / unit` (floor) adds to
    /// the collateral and, weighted by LTV and LT, to the averages; for every borrowed
    /// reserve `price · (stable + variable) / unit` (floor) adds to the debt. The averages
    /// are floor divisions; HF = `wadDiv(percentMul(collateral, avgLT), debt)`.
    /// An empty account gives zeros and HF `U256::MAX`.
    ///
    /// Errors: `SafeMath` errors, [`PoolError::MathOverflow`].
    /// Reproduces `GenericLogic.calculateUserAccountData` of v2 (§A.9).
    pub(crate) fn account_calc_v2(
        &self,
        now: u64,
        acc: &UserAccount,
    ) -> Result<AccountCalc, PoolError> {
        let mut out = AccountCalc::empty();
        if acc.is_empty() {
            return Ok(out);
        }
        let (mut ltv_sum, mut lt_sum) = (U256::ZERO, U256::ZERO);
        for i in bits(acc.collateral_bitmap | acc.borrowing_bitmap) {
            let Some(r) = self.reserves.get(i) else {
                continue;
            };
            let (price, unit) = (self.prices[i], r.config.asset_unit());
            let lt = U256::from(r.config.liquidation_threshold);
            if !lt.is_zero() && acc.is_using_as_collateral(i) {
                let index = self.income_index(now, r)?;
                let balance = ray_mul(acc.scaled_supply(i), index)?;
                let value = eth_value(price, balance, unit)?;
                out.total_collateral_base = add(out.total_collateral_base, value)?;
                ltv_sum = add(ltv_sum, mul(value, U256::from(r.config.ltv))?)?;
                lt_sum = add(lt_sum, mul(value, lt)?)?;
            }
            if acc.is_borrowing(i) {
                let (stable, variable) = self.user_debts_v2(now, acc, i)?;
                let value = eth_value(price, add(stable, variable)?, unit)?;
                out.total_debt_base = add(out.total_debt_base, value)?;
            }
        }
        if !out.total_collateral_base.is_zero() {
            out.avg_ltv = div(ltv_sum, out.total_collateral_base)?;
            out.avg_liquidation_threshold = div(lt_sum, out.total_collateral_base)?;
        }
        out.health_factor = health_factor_from_balances(
            out.total_collateral_base,
            out.total_debt_base,
            out.avg_liquidation_threshold,
        )?;
        Ok(out)
    }

    /// `balanceDecreaseAllowed(asset, user, amount)` at `now`: true when the user borrows
    /// nothing, the asset is not their collateral, its LT is 0 or they have no debt;
    /// otherwise the HF recomputed from `collateral − price·amount/unit` and the
    /// threshold `(collateral·avgLT − dec·LT) / collateralAfter` (floor) must be ≥ 1
    /// (false if no collateral would remain). This is **not** a re-run of the account
    /// data after the change (v3), and can differ from it by rounding.
    ///
    /// Errors: `SafeMath` errors (e.g. `"SafeMath: subtraction overflow"`),
    /// [`PoolError::MathOverflow`].
    /// Reproduces `GenericLogic.balanceDecreaseAllowed` of v2 (§A.9).
    pub(crate) fn balance_decrease_allowed(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<bool, PoolError> {
        let acc = self.acc(user);
        if !acc.is_borrowing_any() || !acc.is_using_as_collateral(asset) {
            return Ok(true);
        }
        let r = &self.reserves[asset];
        let lt = U256::from(r.config.liquidation_threshold);
        if lt.is_zero() {
            return Ok(true);
        }
        let calc = self.account_calc_v2(now, acc)?;
        if calc.total_debt_base.is_zero() {
            return Ok(true);
        }
        let decrease = eth_value(self.prices[asset], amount, r.config.asset_unit())?;
        let collateral_after = sub(calc.total_collateral_base, decrease)?;
        if collateral_after.is_zero() {
            return Ok(false);
        }
        let lt_after = div(
            sub(
                mul(calc.total_collateral_base, calc.avg_liquidation_threshold)?,
                mul(decrease, lt)?,
            )?,
            collateral_after,
        )?;
        let hf_after =
            health_factor_from_balances(collateral_after, calc.total_debt_base, lt_after)?;
        Ok(hf_after >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD)
    }
}
