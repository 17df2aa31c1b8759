//! `JumpRateModelV2`: a kinked per-block borrow-rate curve.
//!
//! Source: `compound-protocol@a3214f67:contracts/BaseJumpRateModelV2.sol`
//! (`updateJumpRateModelInternal`, `utilizationRate`, `getBorrowRateInternal`,
//! `getSupplyRate`). All rates are per block, mantissas scaled by 1e18.

use crate::exp::{EXP_SCALE, add, div, mul, sub};
use crate::{CompoundError, U256};

/// `blocksPerYear` = 2 102 400 (13.5-second blocks, hard-coded).
pub const BLOCKS_PER_YEAR: u64 = 2_102_400;

/// A `JumpRateModelV2` (per-block parameters, 1e18 mantissas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpRateModelV2 {
    /// `baseRatePerBlock` (1e18 per block).
    pub base_rate_per_block: U256,
    /// `multiplierPerBlock` (1e18 per block; slope below the kink).
    pub multiplier_per_block: U256,
    /// `jumpMultiplierPerBlock` (1e18 per block; slope above the kink).
    pub jump_multiplier_per_block: U256,
    /// `kink` (utilisation, 1e18 = 100 %).
    pub kink: U256,
}

impl JumpRateModelV2 {
    /// Constructor (`updateJumpRateModelInternal`) from per-year mantissas:
    /// `base/bpy`, `mult·1e18/(bpy·kink)` (V2: slope expressed "at kink"), `jump/bpy`.
    ///
    /// # Errors
    /// [`CompoundError::DivisionByZero`] if `kink == 0`; overflow.
    pub fn from_per_year(
        base_rate_per_year: U256,
        multiplier_per_year: U256,
        jump_multiplier_per_year: U256,
        kink: U256,
    ) -> Result<Self, CompoundError> {
        let bpy = U256::from(BLOCKS_PER_YEAR);
        Ok(JumpRateModelV2 {
            base_rate_per_block: div(base_rate_per_year, bpy)?,
            multiplier_per_block: div(mul(multiplier_per_year, EXP_SCALE)?, mul(bpy, kink)?)?,
            jump_multiplier_per_block: div(jump_multiplier_per_year, bpy)?,
            kink,
        })
    }

    /// v1 `JumpRateModel` constructor: identical except `multiplierPerBlock =
    /// multiplierPerYear / blocksPerYear`.
    ///
    /// # Errors
    /// Overflow.
    pub fn v1_from_per_year(
        base_rate_per_year: U256,
        multiplier_per_year: U256,
        jump_multiplier_per_year: U256,
        kink: U256,
    ) -> Result<Self, CompoundError> {
        let bpy = U256::from(BLOCKS_PER_YEAR);
        Ok(JumpRateModelV2 {
            base_rate_per_block: div(base_rate_per_year, bpy)?,
            multiplier_per_block: div(multiplier_per_year, bpy)?,
            jump_multiplier_per_block: div(jump_multiplier_per_year, bpy)?,
            kink,
        })
    }

    /// `utilizationRate(cash, borrows, reserves)` (1e18): 0 if `borrows == 0`, else
    /// `borrows·1e18/(cash + borrows − reserves)`. Amounts in underlying wei.
    ///
    /// # Errors
    /// Underflow if `reserves > cash + borrows`; division by zero.
    pub fn utilization_rate(
        cash: U256,
        borrows: U256,
        reserves: U256,
    ) -> Result<U256, CompoundError> {
        if borrows.is_zero() {
            return Ok(U256::ZERO);
        }
        div(
            mul(borrows, EXP_SCALE)?,
            sub(add(cash, borrows)?, reserves)?,
        )
    }

    /// `getBorrowRate(cash, borrows, reserves)` (1e18 per block): `util·mult/1e18 + base`
    /// up to the kink, then `(util − kink)·jump/1e18 + kink·mult/1e18 + base`.
    ///
    /// # Errors
    /// As [`JumpRateModelV2::utilization_rate`]; overflow.
    pub fn get_borrow_rate(
        &self,
        cash: U256,
        borrows: U256,
        reserves: U256,
    ) -> Result<U256, CompoundError> {
        let util = Self::utilization_rate(cash, borrows, reserves)?;
        let at = |u: U256| -> Result<U256, CompoundError> {
            add(
                div(mul(u, self.multiplier_per_block)?, EXP_SCALE)?,
                self.base_rate_per_block,
            )
        };
        if util <= self.kink {
            return at(util);
        }
        let normal = at(self.kink)?;
        let excess = sub(util, self.kink)?;
        add(
            div(mul(excess, self.jump_multiplier_per_block)?, EXP_SCALE)?,
            normal,
        )
    }

    /// `getSupplyRate(cash, borrows, reserves, reserveFactorMantissa)` (1e18 per block):
    /// `util · (borrowRate·(1e18 − RF)/1e18) / 1e18`.
    ///
    /// # Errors
    /// Underflow if `RF > 1e18`; as [`JumpRateModelV2::get_borrow_rate`].
    pub fn get_supply_rate(
        &self,
        cash: U256,
        borrows: U256,
        reserves: U256,
        reserve_factor: U256,
    ) -> Result<U256, CompoundError> {
        let one_minus_rf = sub(EXP_SCALE, reserve_factor)?;
        let borrow_rate = self.get_borrow_rate(cash, borrows, reserves)?;
        let rate_to_pool = div(mul(borrow_rate, one_minus_rf)?, EXP_SCALE)?;
        let util = Self::utilization_rate(cash, borrows, reserves)?;
        div(mul(util, rate_to_pool)?, EXP_SCALE)
    }
}
