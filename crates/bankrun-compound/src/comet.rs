//! Compound III (Comet): per-second kinked rates, index accrual, principal ↔ present
//! value.
//!
//! Source: `compound-finance/comet@d5a30b0a:contracts/Comet.sol` (constructor rate
//! division, `getUtilization`, `getSupplyRate`, `getBorrowRate`,
//! `accruedInterestIndices`) and `CometCore.sol` (`presentValue*`, `principalValue*`).
//! Units: rates per second ·1e18 (`FACTOR_SCALE`), indices ·1e15
//! (`BASE_INDEX_SCALE`), amounts in base-token wei, time in seconds. Absorb and
//! buyCollateral are in [`crate::comet_market`], which runs a whole market on this math.

use crate::exp::{EXP_SCALE, add, div, mul, sub};
use crate::{CompoundError, U256};

/// `SECONDS_PER_YEAR` = 31 536 000.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// `BASE_INDEX_SCALE` = 1e15.
pub const BASE_INDEX_SCALE: U256 = U256::from_limbs([1_000_000_000_000_000, 0, 0, 0]);

/// One kinked curve (supply or borrow), per-second parameters (1e18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CometCurve {
    /// `kink` (utilisation, 1e18).
    pub kink: U256,
    /// `perSecondInterestRateBase` (1e18 / s).
    pub base: U256,
    /// `perSecondInterestRateSlopeLow` (1e18 / s).
    pub slope_low: U256,
    /// `perSecondInterestRateSlopeHigh` (1e18 / s).
    pub slope_high: U256,
}

/// `mulFactor(n, factor)` = `n·factor/1e18`.
fn mul_factor(n: U256, factor: U256) -> Result<U256, CompoundError> {
    div(mul(n, factor)?, EXP_SCALE)
}

impl CometCurve {
    /// Constructor: each per-year parameter (1e18) divided by `SECONDS_PER_YEAR` (floor).
    pub fn from_per_year(kink: U256, base: U256, low: U256, high: U256) -> Self {
        let spy = U256::from(SECONDS_PER_YEAR);
        CometCurve {
            kink,
            base: base / spy,
            slope_low: low / spy,
            slope_high: high / spy,
        }
    }

    /// `get{Supply,Borrow}Rate(u)` (1e18 / s): `base + low·u` up to the kink, then
    /// `base + low·kink + high·(u − kink)` (each product `mulFactor`).
    ///
    /// # Errors
    /// Overflow.
    pub fn rate(&self, utilization: U256) -> Result<U256, CompoundError> {
        if utilization <= self.kink {
            return add(self.base, mul_factor(self.slope_low, utilization)?);
        }
        let at_kink = add(self.base, mul_factor(self.slope_low, self.kink)?)?;
        add(
            at_kink,
            mul_factor(self.slope_high, sub(utilization, self.kink)?)?,
        )
    }
}

/// `getUtilization()` (1e18): `totalBorrow·1e18/totalSupply` (present values, base
/// wei), 0 when nothing is supplied.
///
/// # Errors
/// Overflow.
pub fn utilization(total_supply: U256, total_borrow: U256) -> Result<U256, CompoundError> {
    if total_supply.is_zero() {
        return Ok(U256::ZERO);
    }
    div(mul(total_borrow, EXP_SCALE)?, total_supply)
}

/// One step of `accruedInterestIndices`: `index + index·(rate·Δt)/1e18` (index ·1e15,
/// rate 1e18/s, `elapsed` seconds). On-chain the result must fit `uint64`.
///
/// # Errors
/// [`CompoundError::Overflow`] (including the `safe64` bound).
pub fn accrue_index(index: U256, rate: U256, elapsed: u64) -> Result<U256, CompoundError> {
    let growth = mul_factor(index, mul(rate, U256::from(elapsed))?)?;
    let next = add(index, growth)?;
    if next > U256::from(u64::MAX) {
        return Err(CompoundError::Overflow);
    }
    Ok(next)
}

/// `presentValueSupply/Borrow`: `principal·index/1e15` (base wei).
///
/// # Errors
/// Overflow.
pub fn present_value(principal: U256, index: U256) -> Result<U256, CompoundError> {
    div(mul(principal, index)?, BASE_INDEX_SCALE)
}

/// `principalValueSupply`: `⌊pv·1e15/index⌋` (rounds against the supplier).
///
/// # Errors
/// Overflow; division by zero.
pub fn principal_value_supply(pv: U256, index: U256) -> Result<U256, CompoundError> {
    div(mul(pv, BASE_INDEX_SCALE)?, index)
}

/// `principalValueBorrow`: `⌈pv·1e15/index⌉` (rounds against the borrower).
///
/// # Errors
/// Overflow; division by zero.
pub fn principal_value_borrow(pv: U256, index: U256) -> Result<U256, CompoundError> {
    if index.is_zero() {
        return Err(CompoundError::DivisionByZero);
    }
    div(
        sub(add(mul(pv, BASE_INDEX_SCALE)?, index)?, U256::from(1))?,
        index,
    )
}
