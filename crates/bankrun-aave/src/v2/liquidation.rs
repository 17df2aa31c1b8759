//! v2 `LendingPoolCollateralManager.liquidationCall`, delegatecalled by the pool
//! (protocol-math-aave-v2-uniswap-v3.md §A.10, §A.11).
//!
//! Close factor always 50 %, `percentMul(bonus)` before the division, variable debt
//! burned before stable debt, no protocol fee, no deficit or bad-debt burning, and the
//! borrower's borrowing flag is never cleared by a liquidation. Validation failures are
//! returned codes (`2`, `42`, `43`, `44`, `45`); any revert inside the manager becomes
//! [`PoolError::LiquidationCallFailed`] (`23`).

use crate::U256;
use crate::error::PoolError;
use crate::liquidation::{CollateralCalcInput, Liq, LiquidationOutcome};
use crate::pool::Pool;
use crate::v2::LIQUIDATION_CLOSE_FACTOR_PERCENT;
use crate::v2::safe_math::{add, div, mul, sub};
use crate::v2::tokens::ScaledToken::{AToken, VariableDebt};
use crate::validation::HEALTH_FACTOR_LIQUIDATION_THRESHOLD;
use bankrun_math::percentage::{percent_div, percent_mul};

/// `_calculateAvailableCollateralToLiquidate` of v2: returns
/// `(collateralAmount, debtAmountNeeded)`. The maximum collateral is
/// `percentMul(debtPrice·debtToCover·collUnit, bonus) / (collPrice·debtUnit)` (bonus
/// applied **before** the division); when it exceeds the borrower's balance, the whole
/// balance is taken and the debt needed is
/// `percentDiv(collPrice·balance·debtUnit / (debtPrice·collUnit), bonus)`.
/// `protocol_fee_bps` is ignored (v2 has no protocol fee).
///
/// Errors: `SafeMath` errors (e.g. [`PoolError::SafeMathDivisionByZero`] for a zero
/// price), [`PoolError::MathOverflow`], [`PoolError::DivisionByZero`] (bonus 0).
pub fn calculate_available_collateral_to_liquidate_v2(
    i: &CollateralCalcInput,
) -> Result<(U256, U256), PoolError> {
    let bonus = U256::from(i.liquidation_bonus);
    let numerator = percent_mul(
        mul(mul(i.debt_price, i.debt_to_cover)?, i.collateral_unit)?,
        bonus,
    )?;
    let max_collateral = div(numerator, mul(i.collateral_price, i.debt_unit)?)?;
    if max_collateral > i.borrower_collateral_balance {
        let collateral = i.borrower_collateral_balance;
        let value_in_debt = div(
            mul(mul(i.collateral_price, collateral)?, i.debt_unit)?,
            mul(i.debt_price, i.collateral_unit)?,
        )?;
        Ok((collateral, percent_div(value_in_debt, bonus)?))
    } else {
        Ok((max_collateral, i.debt_to_cover))
    }
}

/// What the manager computed before moving anything.
struct Plan {
    health_factor: U256,
    stable: U256,
    variable: U256,
    user_collateral: U256,
}

impl Pool {
    /// The v2 collateral manager, run by [`Pool::liquidation_call`] after the pool's pause
    /// check (`64`) and the listing checks: validation, then the liquidation.
    pub(crate) fn liquidation_v2(&mut self, a: &Liq) -> Result<LiquidationOutcome, PoolError> {
        let plan = self.validate_liquidation_v2(a)?;
        self.execute_liquidation_v2(a, &plan)
    }

    /// The manager up to `validateLiquidationCall`: HF and debts through the views, then
    /// active (`2`), HF < 1 (`42`), collateral with LT > 0 and flagged (`43`), debt in
    /// the debt asset (`44`). Reverts while computing become `23`.
    fn validate_liquidation_v2(&self, a: &Liq) -> Result<Plan, PoolError> {
        let failed = |e: PoolError| PoolError::LiquidationCallFailed(Box::new(e));
        let acc = self.acc(a.user);
        let hf = self
            .account_calc_v2(a.now, acc)
            .map_err(failed)?
            .health_factor;
        let (stable, variable) = self.user_debts_v2(a.now, acc, a.debt).map_err(failed)?;
        let (cr, dr) = (&self.reserves[a.collateral], &self.reserves[a.debt]);
        if !cr.active || !dr.active {
            return Err(PoolError::ReserveInactive);
        }
        if hf >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorNotBelowThreshold);
        }
        if cr.config.liquidation_threshold == 0 || !acc.is_using_as_collateral(a.collateral) {
            return Err(PoolError::CollateralCannotBeLiquidated);
        }
        if stable.is_zero() && variable.is_zero() {
            return Err(PoolError::SpecifiedCurrencyNotBorrowedByUser);
        }
        let user_collateral = self
            .a_token_balance_v2(a.now, a.user, a.collateral)
            .map_err(failed)?;
        Ok(Plan {
            health_factor: hf,
            stable,
            variable,
            user_collateral,
        })
    }

    /// The manager after validation: amounts, the `45` check, then the state changes.
    /// Inner reverts become [`PoolError::LiquidationCallFailed`] (`23`).
    fn execute_liquidation_v2(
        &mut self,
        a: &Liq,
        plan: &Plan,
    ) -> Result<LiquidationOutcome, PoolError> {
        let failed = |e: PoolError| PoolError::LiquidationCallFailed(Box::new(e));
        let (collateral_amount, actual_debt) =
            self.liquidation_amounts_v2(a, plan).map_err(failed)?;
        if !a.receive_a_token
            && self.reserves[a.collateral].virtual_underlying_balance < collateral_amount
        {
            return Err(PoolError::NotEnoughLiquidityToLiquidate);
        }
        self.liquidation_moves_v2(a, plan, collateral_amount, actual_debt)
            .map_err(failed)?;
        Ok(LiquidationOutcome {
            debt_repaid: actual_debt,
            collateral_to_liquidator: collateral_amount,
            protocol_fee: U256::ZERO,
            health_factor_before: plan.health_factor,
            deficit_created: Vec::new(),
            received_a_token: a.receive_a_token,
        })
    }

    /// `maxLiquidatableDebt = percentMul(stable + variable, 50 %)`, the requested amount
    /// capped by it, then the collateral calculation; returns
    /// `(collateralAmount, actualDebtToLiquidate)`.
    fn liquidation_amounts_v2(&self, a: &Liq, plan: &Plan) -> Result<(U256, U256), PoolError> {
        let total = add(plan.stable, plan.variable)?;
        let max_debt = percent_mul(total, LIQUIDATION_CLOSE_FACTOR_PERCENT)?;
        let actual = a.debt_to_cover.min(max_debt);
        let (cr, dr) = (&self.reserves[a.collateral], &self.reserves[a.debt]);
        let (collateral_amount, needed) =
            calculate_available_collateral_to_liquidate_v2(&CollateralCalcInput {
                collateral_price: self.prices[a.collateral],
                collateral_unit: cr.config.asset_unit(),
                debt_price: self.prices[a.debt],
                debt_unit: dr.config.asset_unit(),
                debt_to_cover: actual,
                borrower_collateral_balance: plan.user_collateral,
                liquidation_bonus: cr.config.liquidation_bonus,
                protocol_fee_bps: 0,
            })?;
        Ok((collateral_amount, actual.min(needed)))
    }

    /// The liquidation's state changes, in the manager's order: debt reserve update,
    /// variable burn then stable burn, debt reserve rates (`added = actual`), collateral
    /// transfer (aTokens) or withdrawal (collateral reserve update, rates with
    /// `taken = collateral`, aToken burn), collateral flag cleared when all was taken.
    /// The debt repayment reaches the debt aToken at the very end, so a collateral rate
    /// update on the same reserve does not see it.
    fn liquidation_moves_v2(
        &mut self,
        a: &Liq,
        plan: &Plan,
        collateral_amount: U256,
        actual_debt: U256,
    ) -> Result<(), PoolError> {
        let dr = &mut self.reserves[a.debt];
        dr.update_state_v2(a.now)?;
        let index = dr.variable_borrow_index;
        if plan.variable >= actual_debt {
            self.scaled_burn_v2(VariableDebt, a.user, a.debt, actual_debt, index)?;
        } else {
            if !plan.variable.is_zero() {
                self.scaled_burn_v2(VariableDebt, a.user, a.debt, plan.variable, index)?;
            }
            let rest = sub(actual_debt, plan.variable)?;
            self.s_token_burn_v2(a.user, a.debt, rest, a.now)?;
        }
        self.reserves[a.debt].update_interest_rates_v2(a.now, actual_debt, U256::ZERO)?;
        if a.receive_a_token {
            self.liquidate_a_tokens_v2(a, collateral_amount)?;
        } else {
            self.withdraw_collateral_v2(a, collateral_amount, actual_debt)?;
        }
        if collateral_amount == plan.user_collateral {
            self.acc_mut(a.user)
                .set_using_as_collateral(a.collateral, false);
        }
        Ok(())
    }

    /// `receiveAToken`: `transferOnLiquidation` at the normalized income (no HF check);
    /// the liquidator's collateral flag is set if they held none of the aToken.
    fn liquidate_a_tokens_v2(&mut self, a: &Liq, amount: U256) -> Result<(), PoolError> {
        let had_none = self.acc(a.liquidator).scaled_supply(a.collateral).is_zero();
        let index = self.reserves[a.collateral].normalized_income(a.now)?;
        self.a_token_transfer_v2(a.user, a.liquidator, a.collateral, amount, index)?;
        if had_none {
            self.acc_mut(a.liquidator)
                .set_using_as_collateral(a.collateral, true);
        }
        Ok(())
    }

    /// `!receiveAToken`: collateral reserve `updateState`, rates with
    /// `taken = amount`, aToken burn sending the underlying to the liquidator. When the
    /// collateral is the debt asset, the rate update reads the balance without the
    /// repayment (still pending), which is added back afterwards.
    fn withdraw_collateral_v2(
        &mut self,
        a: &Liq,
        amount: U256,
        actual_debt: U256,
    ) -> Result<(), PoolError> {
        let pending = if a.collateral == a.debt {
            actual_debt
        } else {
            U256::ZERO
        };
        let r = &mut self.reserves[a.collateral];
        r.update_state_v2(a.now)?;
        r.virtual_underlying_balance = sub(r.virtual_underlying_balance, pending)?;
        r.update_interest_rates_v2(a.now, U256::ZERO, amount)?;
        r.virtual_underlying_balance = add(r.virtual_underlying_balance, pending)?;
        let index = r.liquidity_index;
        self.scaled_burn_v2(AToken, a.user, a.collateral, amount, index)
    }
}
