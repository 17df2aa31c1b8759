//! Account health (`GenericLogic.calculateUserAccountData`).

use crate::config::ProtocolVersion;
use crate::emode::{user_reserve_liquidation_threshold, user_reserve_ltv};
use crate::error::{PoolError, add, div, mul};
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::user::{UserAccount, bits};
use crate::v30::user_reserve_ltv_v30;
use crate::{U256, UserId};
use bankrun_math::interest::mul_div_ceil;
use bankrun_math::percentage::{percent_mul, percent_mul_floor};
use bankrun_math::wad_ray::wad_div;

/// `Pool.getUserAccountData` output. Base-currency values are 8-decimal USD
/// (`AaveOracle.BASE_CURRENCY_UNIT = 1e8`); `ltv` and `current_liquidation_threshold`
/// are collateral-weighted averages in bps; `health_factor` is WAD (`U256::MAX` without
/// debt).
///
/// In a v2 pool the `*_base` values are **ETH wei** (`totalCollateralETH`,
/// `totalDebtETH`, `availableBorrowsETH`; protocol-math-aave-v2-uniswap-v3.md §A.9), the
/// debt value including stable debt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AccountData {
    /// Σ collateral value, 8-dp USD (aToken balance × price / unit, floor).
    pub total_collateral_base: U256,
    /// Σ debt value, 8-dp USD (debt × price / unit, rounded up per reserve).
    pub total_debt_base: U256,
    /// `percentMulFloor(collateral, ltv) − debt`, floored at 0, 8-dp USD.
    pub available_borrows_base: U256,
    /// Weighted average liquidation threshold, bps.
    pub current_liquidation_threshold: U256,
    /// Weighted average LTV, bps (LTV-0 collateral counts as 0).
    pub ltv: U256,
    /// Health factor, WAD.
    pub health_factor: U256,
}

/// Internal result of `calculateUserAccountData` (adds `hasZeroLtvCollateral`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AccountCalc {
    pub total_collateral_base: U256,
    pub total_debt_base: U256,
    pub avg_ltv: U256,
    pub avg_liquidation_threshold: U256,
    pub health_factor: U256,
    pub has_zero_ltv_collateral: bool,
}

impl AccountCalc {
    /// No collateral, no debt, health factor `type(uint256).max`.
    pub(crate) fn empty() -> Self {
        AccountCalc {
            total_collateral_base: U256::ZERO,
            total_debt_base: U256::ZERO,
            avg_ltv: U256::ZERO,
            avg_liquidation_threshold: U256::ZERO,
            health_factor: U256::MAX,
            has_zero_ltv_collateral: false,
        }
    }

    /// The public view, with `calculateAvailableBorrows` (v3.0 and v2's
    /// `calculateAvailableBorrowsETH`: half-up `percentMul`).
    pub(crate) fn to_account_data(self, v: ProtocolVersion) -> Result<AccountData, PoolError> {
        let max_borrow = if v.is_v3_0() || v.is_v2() {
            percent_mul(self.total_collateral_base, self.avg_ltv)?
        } else {
            percent_mul_floor(self.total_collateral_base, self.avg_ltv)?
        };
        let available = max_borrow.saturating_sub(self.total_debt_base);
        Ok(AccountData {
            total_collateral_base: self.total_collateral_base,
            total_debt_base: self.total_debt_base,
            available_borrows_base: available,
            current_liquidation_threshold: self.avg_liquidation_threshold,
            ltv: self.avg_ltv,
            health_factor: self.health_factor,
        })
    }
}

impl Pool {
    /// Value of a user's aToken balance in base currency (8-dp USD, floor).
    pub(crate) fn collateral_base(
        &self,
        now: u64,
        r: &ReserveData,
        scaled: U256,
    ) -> Result<U256, PoolError> {
        let index = self.income_index(now, r)?;
        let balance = self
            .version
            .token_rounding()
            .a_token_balance(scaled, index)?;
        div(mul(balance, self.prices[r.id])?, r.config.asset_unit())
    }

    /// Value of a user's variable debt in base currency (8-dp USD, `mulDivCeil`).
    pub(crate) fn debt_base(
        &self,
        now: u64,
        r: &ReserveData,
        scaled: U256,
    ) -> Result<U256, PoolError> {
        let index = self.debt_index(now, r)?;
        let debt = self
            .version
            .token_rounding()
            .v_token_balance(scaled, index)?;
        if self.version.is_v3_0() {
            return div(mul(debt, self.prices[r.id])?, r.config.asset_unit());
        }
        Ok(mul_div_ceil(
            debt,
            self.prices[r.id],
            r.config.asset_unit(),
        )?)
    }

    /// Collateral, debt, average LTV/LT, HF and `hasZeroLtvCollateral` of `acc`.
    ///
    /// Errors: [`PoolError::MathOverflow`], [`PoolError::DivisionByZero`].
    /// Reproduces `GenericLogic.calculateUserAccountData` (aave-v3-origin v3.6.0).
    pub(crate) fn account_calc(
        &self,
        now: u64,
        acc: &UserAccount,
    ) -> Result<AccountCalc, PoolError> {
        if self.version.is_v2() {
            return self.account_calc_v2(now, acc);
        }
        if acc.is_empty() {
            return Ok(AccountCalc::empty());
        }
        let cat = self.emode_of(acc);
        let v30 = self.version.is_v3_0();
        let mut out = AccountCalc::empty();
        let (mut ltv_sum, mut lt_sum) = (U256::ZERO, U256::ZERO);
        for i in bits(acc.collateral_bitmap | acc.borrowing_bitmap) {
            let Some(r) = self.reserves.get(i) else {
                continue;
            };
            if acc.is_using_as_collateral(i) && !(v30 && r.config.liquidation_threshold == 0) {
                let value = self.collateral_base(now, r, acc.scaled_supply(i))?;
                out.total_collateral_base = add(out.total_collateral_base, value)?;
                let ltv = if v30 {
                    user_reserve_ltv_v30(r, cat, acc.emode)
                } else {
                    user_reserve_ltv(r, cat, acc.emode)
                };
                if ltv == 0 {
                    out.has_zero_ltv_collateral = true;
                } else {
                    ltv_sum = add(ltv_sum, mul(value, U256::from(ltv))?)?;
                }
                let lt = user_reserve_liquidation_threshold(r, cat, acc.emode);
                lt_sum = add(lt_sum, mul(value, U256::from(lt))?)?;
            }
            if acc.is_borrowing(i) {
                let value = self.debt_base(now, r, acc.scaled_debt(i))?;
                out.total_debt_base = add(out.total_debt_base, value)?;
            }
        }
        if !out.total_collateral_base.is_zero() {
            out.avg_ltv = ltv_sum / out.total_collateral_base;
            out.avg_liquidation_threshold = lt_sum / out.total_collateral_base;
        }
        if !out.total_debt_base.is_zero() {
            out.health_factor = if v30 {
                // v3.0: wadDiv(percentMul(collateral, avgLT), debt).
                wad_div(
                    percent_mul(out.total_collateral_base, out.avg_liquidation_threshold)?,
                    out.total_debt_base,
                )?
            } else {
                wad_div(lt_sum, out.total_debt_base)? / U256::from(10_000u16)
            };
        }
        Ok(out)
    }

    /// `account_calc` for a user id (empty account for unknown users).
    pub(crate) fn account_calc_of(&self, now: u64, user: UserId) -> Result<AccountCalc, PoolError> {
        match self.users.get(user as usize) {
            Some(acc) => self.account_calc(now, acc),
            None => Ok(AccountCalc::empty()),
        }
    }
}
