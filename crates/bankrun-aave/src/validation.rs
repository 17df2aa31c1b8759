//! Action validation (`ValidationLogic`, aave-v3-origin v3.6.0).

use crate::config::ProtocolVersion;
use crate::emode::{is_reserve_enabled_on_bitmap, user_reserve_ltv};
use crate::error::{PoolError, add, mul};
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::user::bits;
use crate::{AssetId, U256, UserId};
use bankrun_math::WAD;
use bankrun_math::percentage::percent_div_ceil;

/// `HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18` (WAD).
pub const HEALTH_FACTOR_LIQUIDATION_THRESHOLD: U256 = WAD;

/// Active / paused checks shared by withdraw, repay and collateral toggling.
fn check_active_not_paused(r: &ReserveData) -> Result<(), PoolError> {
    if !r.active {
        return Err(PoolError::ReserveInactive);
    }
    if r.config.paused {
        return Err(PoolError::ReservePaused);
    }
    Ok(())
}

/// `validateSupply`: non-zero scaled amount, active, not paused, not frozen, and
/// `aTokenBalance(scaledTotalSupply + scaled + accruedToTreasury) ≤ cap·10^decimals`.
pub(crate) fn validate_supply(
    r: &ReserveData,
    scaled: U256,
    v: ProtocolVersion,
) -> Result<(), PoolError> {
    if scaled.is_zero() {
        return Err(PoolError::InvalidAmount);
    }
    check_active_not_paused(r)?;
    if r.config.frozen {
        return Err(PoolError::ReserveFrozen);
    }
    if r.config.supply_cap != 0 {
        let total_scaled = add(add(r.scaled_total_supply, scaled)?, r.accrued_to_treasury)?;
        let total = v
            .token_rounding()
            .a_token_balance(total_scaled, r.liquidity_index)?;
        let cap = mul(U256::from(r.config.supply_cap), r.config.asset_unit())?;
        if total > cap {
            return Err(PoolError::SupplyCapExceeded);
        }
    }
    Ok(())
}

/// `validateWithdraw`: non-zero scaled amount within the user's scaled balance, active,
/// not paused.
pub(crate) fn validate_withdraw(
    r: &ReserveData,
    scaled: U256,
    user_scaled: U256,
) -> Result<(), PoolError> {
    if scaled.is_zero() {
        return Err(PoolError::InvalidAmount);
    }
    if scaled > user_scaled {
        return Err(PoolError::NotEnoughAvailableUserBalance);
    }
    check_active_not_paused(r)
}

/// `validateRepay` (variable mode, no aTokens).
pub(crate) fn validate_repay(
    r: &ReserveData,
    amount: U256,
    payer_is_owner: bool,
    debt_scaled: U256,
) -> Result<(), PoolError> {
    if amount.is_zero() {
        return Err(PoolError::InvalidAmount);
    }
    if amount == U256::MAX && !payer_is_owner {
        return Err(PoolError::NoExplicitAmountToRepayOnBehalf);
    }
    check_active_not_paused(r)?;
    if debt_scaled.is_zero() {
        return Err(PoolError::NoDebtOfSelectedType);
    }
    Ok(())
}

/// `validateSetUseReserveAsCollateral`: active, not paused.
pub(crate) fn validate_set_use_reserve_as_collateral(r: &ReserveData) -> Result<(), PoolError> {
    check_active_not_paused(r)
}

impl Pool {
    /// `validateBorrow` (no isolation / siloed borrowing / sentinel). The reserve must
    /// already be updated to `now`.
    pub(crate) fn validate_borrow(
        &self,
        user: UserId,
        asset: AssetId,
        scaled: U256,
    ) -> Result<(), PoolError> {
        if scaled.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        let rounding = self.version.token_rounding();
        let r = &self.reserves[asset];
        let amount = rounding.v_token_balance(scaled, r.variable_borrow_index)?;
        check_active_not_paused(r)?;
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        let acc = self.acc(user);
        if acc.emode != 0 {
            if !is_reserve_enabled_on_bitmap(self.emode_of(acc).borrowable_bitmap, asset) {
                return Err(PoolError::NotBorrowableInEMode);
            }
        } else if !r.config.borrowing_enabled {
            return Err(PoolError::BorrowingNotEnabled);
        }
        if rounding.a_token_balance(r.scaled_total_supply, r.liquidity_index)? < amount {
            return Err(PoolError::InvalidAmount);
        }
        if r.config.borrow_cap != 0 {
            let total = rounding.v_token_balance(
                add(r.scaled_total_variable_debt, scaled)?,
                r.variable_borrow_index,
            )?;
            // `borrowCap * assetUnit` is inside an `unchecked` block on-chain.
            let cap = U256::from(r.config.borrow_cap).wrapping_mul(r.config.asset_unit());
            if total > cap {
                return Err(PoolError::BorrowCapExceeded);
            }
        }
        Ok(())
    }

    /// `validateHealthFactor`: HF ≥ 1; returns `(HF, hasZeroLtvCollateral)`.
    pub(crate) fn validate_health_factor(
        &self,
        now: u64,
        user: UserId,
    ) -> Result<(U256, bool), PoolError> {
        let calc = self.account_calc(now, self.acc(user))?;
        if calc.health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorLowerThanLiquidationThreshold);
        }
        Ok((calc.health_factor, calc.has_zero_ltv_collateral))
    }

    /// `validateHFAndLtv` (after a borrow): average LTV ≠ 0, HF ≥ 1,
    /// `collateral ≥ percentDivCeil(debt, ltv)`.
    pub(crate) fn validate_hf_and_ltv(&self, now: u64, user: UserId) -> Result<(), PoolError> {
        let calc = self.account_calc(now, self.acc(user))?;
        if calc.avg_ltv.is_zero() {
            return Err(PoolError::LtvValidationFailed);
        }
        if calc.health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorLowerThanLiquidationThreshold);
        }
        if calc.total_collateral_base < percent_div_ceil(calc.total_debt_base, calc.avg_ltv)? {
            return Err(PoolError::CollateralCannotCoverNewBorrow);
        }
        Ok(())
    }

    /// `validateHFAndLtvzero` (withdraw, disable collateral): HF ≥ 1 and, if the user
    /// has LTV-zero collateral, `asset` must itself be LTV-zero for the user.
    pub(crate) fn validate_hf_and_ltvzero(
        &self,
        now: u64,
        user: UserId,
        asset: AssetId,
    ) -> Result<(), PoolError> {
        let (_, has_zero_ltv) = self.validate_health_factor(now, user)?;
        if has_zero_ltv {
            let acc = self.acc(user);
            if user_reserve_ltv(&self.reserves[asset], self.emode_of(acc), acc.emode) != 0 {
                return Err(PoolError::LtvValidationFailed);
            }
        }
        Ok(())
    }

    /// `validateSetUserEMode` (v3.6): category exists (LT ≠ 0) unless 0; each borrowed
    /// asset borrowable in the target mode; each collateral with non-zero LTV there.
    pub(crate) fn validate_set_user_emode(
        &self,
        user: UserId,
        category: u8,
    ) -> Result<(), PoolError> {
        let cat = &self.emodes[usize::from(category)];
        if category != 0 && cat.liquidation_threshold == 0 {
            return Err(PoolError::InconsistentEModeCategory);
        }
        let acc = self.acc(user);
        for i in bits(acc.collateral_bitmap | acc.borrowing_bitmap) {
            let Some(r) = self.reserves.get(i) else {
                continue;
            };
            if acc.is_borrowing(i) {
                let ok = if category != 0 {
                    is_reserve_enabled_on_bitmap(cat.borrowable_bitmap, i)
                } else {
                    r.config.borrowing_enabled
                };
                if !ok {
                    return Err(PoolError::InvalidDebtInEmode { asset: i, category });
                }
            }
            if acc.is_using_as_collateral(i) && user_reserve_ltv(r, cat, category) == 0 {
                return Err(PoolError::InvalidCollateralInEmode { asset: i, category });
            }
        }
        Ok(())
    }
}
