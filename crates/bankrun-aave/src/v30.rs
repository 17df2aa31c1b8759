//! The v3.0 (aave-v3-core v1.19.3 = Aave v3.0.2) variants of the user actions, used
//! when the pool runs with [`ProtocolVersion::V3_0`]. Only what differs from v3.6 lives
//! here: validation order and checks, balance-based (not virtual) liquidity, half-up
//! scaled rounding, pre-borrow health checks, the 50 % / 100 % close factor, no deficit.
//! Stable-rate borrowing, isolation mode, siloed borrowing and e-mode price sources are
//! not modelled (the pool never holds stable debt, so stable totals are 0).

use crate::config::ProtocolVersion;
use crate::emode::{EModeCategory, is_reserve_enabled_on_bitmap};
use crate::error::{PoolError, add, check_u120, check_u128, div, mul, sub};
use crate::liquidation::{
    CLOSE_FACTOR_HF_THRESHOLD, CollateralCalcInput, CollateralCalcOutput, LiquidationOutcome,
};
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::user::bits;
use crate::validation::HEALTH_FACTOR_LIQUIDATION_THRESHOLD;
use crate::{AssetId, U256, UserId};
use bankrun_math::percentage::{percent_div, percent_mul};
use bankrun_math::wad_ray::{ray_div, ray_mul};

/// `ReserveLogic`/`ValidationLogic` LTV of a reserve for a v3.0 user: 0 if the reserve
/// LTV is 0, else the category LTV when the reserve is in the user's category.
#[inline]
pub(crate) fn user_reserve_ltv_v30(r: &ReserveData, cat: &EModeCategory, category: u8) -> u16 {
    if r.config.ltv == 0 {
        return 0;
    }
    if category != 0 && is_reserve_enabled_on_bitmap(cat.collateral_bitmap, r.id) {
        return cat.ltv;
    }
    r.config.ltv
}

/// Whether a v3.0 reserve belongs to e-mode `category` (the reserve's single category,
/// represented by the category's collateral bitmap).
#[inline]
fn in_category(cat: &EModeCategory, category: u8, asset: AssetId) -> bool {
    category != 0 && is_reserve_enabled_on_bitmap(cat.collateral_bitmap, asset)
}

/// `_calculateAvailableCollateralToLiquidate` of v3.0–v3.5 (half-up `percentDiv` for
/// the collateral-limited debt amount).
///
/// Errors: [`PoolError::DivisionByZero`], [`PoolError::MathOverflow`].
pub fn calculate_available_collateral_to_liquidate_v30(
    i: &CollateralCalcInput,
) -> Result<CollateralCalcOutput, PoolError> {
    let bonus = U256::from(i.liquidation_bonus);
    let num = mul(mul(i.debt_price, i.debt_to_cover)?, i.collateral_unit)?;
    let base_collateral = div(num, mul(i.collateral_price, i.debt_unit)?)?;
    let max_collateral = percent_mul(base_collateral, bonus)?;
    let (mut collateral, debt_needed) = if max_collateral > i.borrower_collateral_balance {
        let c = i.borrower_collateral_balance;
        let num = mul(mul(i.collateral_price, c)?, i.debt_unit)?;
        let value_in_debt = div(num, mul(i.debt_price, i.collateral_unit)?)?;
        (c, percent_div(value_in_debt, bonus)?)
    } else {
        (max_collateral, i.debt_to_cover)
    };
    let collateral_base = div(mul(collateral, i.collateral_price)?, i.collateral_unit)?;
    let mut fee = U256::ZERO;
    if i.protocol_fee_bps != 0 {
        let bonus_collateral = sub(collateral, percent_div(collateral, bonus)?)?;
        fee = percent_mul(bonus_collateral, U256::from(i.protocol_fee_bps))?;
        collateral = sub(collateral, fee)?;
    }
    Ok(CollateralCalcOutput {
        collateral_to_liquidator: collateral,
        debt_amount_needed: debt_needed,
        protocol_fee: fee,
        collateral_to_liquidate_base: collateral_base,
    })
}

impl Pool {
    /// `SupplyLogic.executeSupply` (v3.0.2).
    pub(crate) fn execute_supply_v30(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let v = ProtocolVersion::V3_0;
        let user_scaled_before = self.acc(user).scaled_supply(asset);
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.paused {
            return Err(PoolError::ReservePaused);
        }
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        if r.config.supply_cap != 0 {
            let total = add(
                ray_mul(
                    add(r.scaled_total_supply, r.accrued_to_treasury)?,
                    r.liquidity_index,
                )?,
                amount,
            )?;
            let cap = mul(U256::from(r.config.supply_cap), r.config.asset_unit())?;
            if total > cap {
                return Err(PoolError::SupplyCapExceeded);
            }
        }
        r.update_rates_and_virtual_balance(amount, U256::ZERO, v)?;
        let scaled = ray_div(amount, r.liquidity_index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidMintAmount);
        }
        r.scaled_total_supply = add(r.scaled_total_supply, check_u128(scaled)?)?;
        let ltv = r.config.ltv;
        let pos = self.users[user as usize].position_mut(asset);
        pos.scaled_supply = check_u128(add(pos.scaled_supply, scaled)?)?;
        // validateUseAsCollateral: reserve LTV ≠ 0 (no isolation mode modelled).
        if user_scaled_before.is_zero() && ltv != 0 {
            self.acc_mut(user).set_using_as_collateral(asset, true);
        }
        Ok(())
    }

    /// `SupplyLogic.executeWithdraw` (v3.0.2).
    pub(crate) fn execute_withdraw_v30(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        let v = ProtocolVersion::V3_0;
        let user_scaled = self.acc(user).scaled_supply(asset);
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let user_balance = ray_mul(user_scaled, r.liquidity_index)?;
        let amount = if amount == U256::MAX {
            user_balance
        } else {
            amount
        };
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if amount > user_balance {
            return Err(PoolError::NotEnoughAvailableUserBalance);
        }
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.paused {
            return Err(PoolError::ReservePaused);
        }
        r.update_rates_and_virtual_balance(U256::ZERO, amount, v)?;
        let scaled = ray_div(amount, r.liquidity_index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        r.scaled_total_supply = sub(r.scaled_total_supply, scaled)?;
        let acc = self.acc_mut(user);
        let is_collateral = acc.is_using_as_collateral(asset);
        if is_collateral && amount == user_balance {
            acc.set_using_as_collateral(asset, false);
        }
        let pos = acc.position_mut(asset);
        pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        acc.prune(asset);
        if is_collateral && acc.is_borrowing_any() {
            self.validate_hf_and_ltv_v30(now, user, asset)?;
        }
        Ok(amount)
    }

    /// `ValidationLogic.validateHFAndLtv` (v3.0.2): HF ≥ 1 and, with zero-LTV
    /// collateral present, the moved asset's own LTV must be 0.
    fn validate_hf_and_ltv_v30(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
    ) -> Result<(), PoolError> {
        let (_, has_zero_ltv) = self.validate_health_factor(now, user)?;
        if has_zero_ltv && self.reserves[asset].config.ltv != 0 {
            return Err(PoolError::LtvValidationFailed);
        }
        Ok(())
    }

    /// `BorrowLogic.executeBorrow` with `validateBorrow` (v3.0.2, variable rate).
    pub(crate) fn execute_borrow_v30(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let v = ProtocolVersion::V3_0;
        self.reserves[asset].update_state(now, v)?;
        let r = &self.reserves[asset];
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.paused {
            return Err(PoolError::ReservePaused);
        }
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        if !r.config.borrowing_enabled {
            return Err(PoolError::BorrowingNotEnabled);
        }
        if r.config.borrow_cap != 0 {
            let total = add(
                ray_mul(r.scaled_total_variable_debt, r.variable_borrow_index)?,
                amount,
            )?;
            let cap = U256::from(r.config.borrow_cap).wrapping_mul(r.config.asset_unit());
            if total > cap {
                return Err(PoolError::BorrowCapExceeded);
            }
        }
        let acc = self.acc(user);
        if acc.emode != 0 && !in_category(self.emode_of(acc), acc.emode, asset) {
            return Err(PoolError::InconsistentEModeCategory);
        }
        let calc = self.account_calc(now, acc)?;
        if calc.total_collateral_base.is_zero() {
            return Err(PoolError::CollateralBalanceIsZero);
        }
        if calc.avg_ltv.is_zero() {
            return Err(PoolError::LtvValidationFailed);
        }
        if calc.health_factor <= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorLowerThanLiquidationThreshold);
        }
        let amount_base = mul(self.prices[asset], amount)? / r.config.asset_unit();
        let needed = percent_div(add(calc.total_debt_base, amount_base)?, calc.avg_ltv)?;
        if needed > calc.total_collateral_base {
            return Err(PoolError::CollateralCannotCoverNewBorrow);
        }
        let r = &mut self.reserves[asset];
        let scaled = ray_div(amount, r.variable_borrow_index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidMintAmount);
        }
        r.scaled_total_variable_debt = add(r.scaled_total_variable_debt, check_u128(scaled)?)?;
        let acc = &mut self.users[user as usize];
        let pos = acc.position_mut(asset);
        pos.scaled_debt = check_u128(add(pos.scaled_debt, scaled)?)?;
        acc.set_borrowing(asset, true);
        r.update_rates_and_virtual_balance(U256::ZERO, amount, v)
    }

    /// `BorrowLogic.executeRepay` (v3.0.2, variable rate, no aTokens).
    pub(crate) fn execute_repay_v30(
        &mut self,
        now: u64,
        payer_is_owner: bool,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        let v = ProtocolVersion::V3_0;
        let debt_scaled = self.acc(user).scaled_debt(asset);
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let debt = ray_mul(debt_scaled, r.variable_borrow_index)?;
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if amount == U256::MAX && !payer_is_owner {
            return Err(PoolError::NoExplicitAmountToRepayOnBehalf);
        }
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        if r.config.paused {
            return Err(PoolError::ReservePaused);
        }
        if debt.is_zero() {
            return Err(PoolError::NoDebtOfSelectedType);
        }
        let payback = amount.min(debt);
        let burn = ray_div(payback, r.variable_borrow_index)?;
        if burn.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        r.scaled_total_variable_debt = sub(r.scaled_total_variable_debt, burn)?;
        r.update_rates_and_virtual_balance(payback, U256::ZERO, v)?;
        let acc = self.acc_mut(user);
        let pos = acc.position_mut(asset);
        pos.scaled_debt = sub(pos.scaled_debt, burn)?;
        if debt == payback {
            acc.set_borrowing(asset, false);
        }
        acc.prune(asset);
        Ok(payback)
    }

    /// `EModeLogic.executeSetUserEMode` with `validateSetUserEMode` (v3.0.2): the
    /// category must exist; with a non-empty account every borrowed reserve must be in
    /// the target category; HF ≥ 1 is checked only when leaving a non-zero category.
    pub(crate) fn execute_set_user_emode_v30(
        &mut self,
        now: u64,
        user: UserId,
        category: u8,
    ) -> Result<(), PoolError> {
        let cat = &self.emodes[usize::from(category)];
        if category != 0 && cat.liquidation_threshold == 0 {
            return Err(PoolError::InconsistentEModeCategory);
        }
        let acc = self.acc(user);
        if !acc.is_empty() && category != 0 {
            for i in bits(acc.borrowing_bitmap) {
                if !in_category(cat, category, i) {
                    return Err(PoolError::InconsistentEModeCategory);
                }
            }
        }
        let prev = acc.emode;
        self.atomic(&[user], |p| {
            p.acc_mut(user).emode = category;
            if prev != 0 {
                p.validate_health_factor(now, user)?;
            }
            Ok(())
        })
    }

    /// `LiquidationLogic.executeLiquidationCall` (v3.0.2).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn execute_liquidation_v30(
        &mut self,
        now: u64,
        liquidator: UserId,
        collateral: AssetId,
        debt: AssetId,
        user: UserId,
        debt_to_cover: U256,
        receive_a_token: bool,
    ) -> Result<LiquidationOutcome, PoolError> {
        let v = ProtocolVersion::V3_0;
        self.reserves[debt].update_state(now, v)?;
        let calc = self.account_calc(now, self.acc(user))?;
        let hf = calc.health_factor;
        let acc = self.acc(user);
        let user_debt = ray_mul(
            acc.scaled_debt(debt),
            self.reserves[debt].variable_borrow_index,
        )?;
        let close_factor = if hf > CLOSE_FACTOR_HF_THRESHOLD {
            5000u16
        } else {
            10_000
        };
        let max_liquidatable = percent_mul(user_debt, U256::from(close_factor))?;
        let actual_to_cover = debt_to_cover.min(max_liquidatable);
        let (cr, dr) = (&self.reserves[collateral], &self.reserves[debt]);
        if !cr.active || !dr.active {
            return Err(PoolError::ReserveInactive);
        }
        if cr.config.paused || dr.config.paused {
            return Err(PoolError::ReservePaused);
        }
        if hf >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorNotBelowThreshold);
        }
        if cr.config.liquidation_threshold == 0 || !acc.is_using_as_collateral(collateral) {
            return Err(PoolError::CollateralCannotBeLiquidated);
        }
        if user_debt.is_zero() {
            return Err(PoolError::SpecifiedCurrencyNotBorrowedByUser);
        }
        let cat = self.emode_of(acc);
        let bonus = if in_category(cat, acc.emode, collateral) {
            cat.liquidation_bonus
        } else {
            cr.config.liquidation_bonus
        };
        let income = cr.normalized_income(now)?;
        let coll_balance = ray_mul(acc.scaled_supply(collateral), income)?;
        let out = calculate_available_collateral_to_liquidate_v30(&CollateralCalcInput {
            collateral_price: self.prices[collateral],
            collateral_unit: cr.config.asset_unit(),
            debt_price: self.prices[debt],
            debt_unit: dr.config.asset_unit(),
            debt_to_cover: actual_to_cover,
            borrower_collateral_balance: coll_balance,
            liquidation_bonus: bonus,
            protocol_fee_bps: cr.config.liquidation_protocol_fee,
        })?;
        let actual_debt = out.debt_amount_needed;
        if user_debt == actual_debt {
            self.acc_mut(user).set_borrowing(debt, false);
        }
        if add(out.collateral_to_liquidator, out.protocol_fee)? == coll_balance {
            self.acc_mut(user)
                .set_using_as_collateral(collateral, false);
        }
        // _burnDebtTokens (variable debt only).
        let r = &mut self.reserves[debt];
        let burn = ray_div(actual_debt, r.variable_borrow_index)?;
        if burn.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        r.scaled_total_variable_debt = sub(r.scaled_total_variable_debt, burn)?;
        let pos = self.acc_mut(user).position_mut(debt);
        pos.scaled_debt = sub(pos.scaled_debt, burn)?;
        self.reserves[debt].update_rates_and_virtual_balance(actual_debt, U256::ZERO, v)?;

        let paid = out.collateral_to_liquidator;
        if receive_a_token {
            // _liquidateATokens: no collateral-reserve update in v3.0.
            let idx = self.reserves[collateral].normalized_income(now)?;
            let scaled = check_u128(ray_div(paid, idx)?)?;
            let pos = self.acc_mut(user).position_mut(collateral);
            pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
            let lacc = self.acc_mut(liquidator);
            let before = lacc.scaled_supply(collateral);
            let lpos = lacc.position_mut(collateral);
            lpos.scaled_supply = add(lpos.scaled_supply, scaled)?;
            if before.is_zero() && self.reserves[collateral].config.ltv != 0 {
                self.acc_mut(liquidator)
                    .set_using_as_collateral(collateral, true);
            }
        } else {
            // _burnCollateralATokens. The debt repayment reaches the aToken only at the
            // end of the transaction, so when collateral == debt the strategy reads the
            // underlying balance without it.
            let pending = if collateral == debt {
                actual_debt
            } else {
                U256::ZERO
            };
            let r = &mut self.reserves[collateral];
            r.update_state(now, v)?;
            r.virtual_underlying_balance = sub(r.virtual_underlying_balance, pending)?;
            r.update_rates_and_virtual_balance(U256::ZERO, paid, v)?;
            r.virtual_underlying_balance = add(r.virtual_underlying_balance, pending)?;
            let scaled = ray_div(paid, r.liquidity_index)?;
            if scaled.is_zero() {
                return Err(PoolError::InvalidBurnAmount);
            }
            r.scaled_total_supply = sub(r.scaled_total_supply, scaled)?;
            let pos = self.acc_mut(user).position_mut(collateral);
            pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        }
        let mut fee = out.protocol_fee;
        if !fee.is_zero() {
            let idx = self.reserves[collateral].normalized_income(now)?;
            let balance = self.acc(user).scaled_supply(collateral);
            if ray_div(fee, idx)? > balance {
                fee = ray_mul(balance, idx)?;
            }
            let scaled = check_u120(ray_div(fee, idx)?)?;
            let pos = self.acc_mut(user).position_mut(collateral);
            pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
            let r = &mut self.reserves[collateral];
            r.treasury_scaled = add(r.treasury_scaled, scaled)?;
        }
        self.acc_mut(user).prune(collateral);
        self.acc_mut(user).prune(debt);
        Ok(LiquidationOutcome {
            debt_repaid: actual_debt,
            collateral_to_liquidator: paid,
            protocol_fee: fee,
            health_factor_before: hf,
            deficit_created: Vec::new(),
            received_a_token: receive_a_token,
        })
    }
}
