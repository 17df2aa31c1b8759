//! The v2 `DefaultReserveInterestRateStrategy` (protocol-math-aave-v2-uniswap-v3.md §A.6).
//!
//! Its immutables are RAY values; here they come from the reserve's bps parameters
//! (`_bpsToRay`, as the v3.0 mode does): the variable part from
//! [`crate::ReserveConfig::rate`], the stable slopes from [`crate::StableRateParams`], and
//! the base stable rate from the `LendingRateOracle`
//! ([`crate::Pool::set_market_borrow_rate`]).

use crate::U256;
use crate::config::{InterestRateData, StableRateParams};
use crate::error::PoolError;
use crate::rate_strategy::{RatesV1, bps_to_ray};
use crate::v2::safe_math::{add, sub};
use bankrun_math::percentage::{PERCENTAGE_FACTOR, percent_mul};
use bankrun_math::wad_ray::{RAY, ray_div, ray_mul, wad_to_ray};

/// The strategy's immutables, all RAY (annual rates; the optimal ratio a fraction of
/// RAY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StrategyParamsV2 {
    /// `OPTIMAL_UTILIZATION_RATE`, RAY (≤ RAY, else the deployment reverts).
    pub optimal_utilization_rate: U256,
    /// `baseVariableBorrowRate`, RAY.
    pub base_variable_borrow_rate: U256,
    /// `variableRateSlope1`, RAY.
    pub variable_rate_slope1: U256,
    /// `variableRateSlope2`, RAY.
    pub variable_rate_slope2: U256,
    /// `stableRateSlope1`, RAY.
    pub stable_rate_slope1: U256,
    /// `stableRateSlope2`, RAY.
    pub stable_rate_slope2: U256,
}

impl StrategyParamsV2 {
    /// The immutables of a reserve's strategy from its bps parameters (`n * 1e23`).
    pub fn from_bps(rate: &InterestRateData, stable: &StableRateParams) -> Self {
        StrategyParamsV2 {
            optimal_utilization_rate: bps_to_ray(u32::from(rate.optimal_usage_ratio)),
            base_variable_borrow_rate: bps_to_ray(rate.base_variable_borrow_rate),
            variable_rate_slope1: bps_to_ray(rate.variable_rate_slope1),
            variable_rate_slope2: bps_to_ray(rate.variable_rate_slope2),
            stable_rate_slope1: bps_to_ray(stable.stable_rate_slope1),
            stable_rate_slope2: bps_to_ray(stable.stable_rate_slope2),
        }
    }

    /// `getMaxVariableBorrowRate() = base + vSlope1 + vSlope2` (RAY).
    ///
    /// Errors: [`PoolError::SafeMathAdditionOverflow`].
    pub fn max_variable_borrow_rate(&self) -> Result<U256, PoolError> {
        add(
            add(self.base_variable_borrow_rate, self.variable_rate_slope1)?,
            self.variable_rate_slope2,
        )
    }
}

/// The six arguments of `calculateInterestRates` besides the asset. Amounts in token wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateInputsV2 {
    /// `availableLiquidity`: the aToken's underlying balance + added − taken.
    pub available_liquidity: U256,
    /// Total stable debt, compounded at the average rate to now.
    pub total_stable_debt: U256,
    /// Total variable debt (`rayMul(scaledTotalSupply, variableBorrowIndex)`).
    pub total_variable_debt: U256,
    /// Average stable borrow rate, RAY.
    pub average_stable_borrow_rate: U256,
    /// Reserve factor, bps (v2 accepts up to 65535; above 10000 every update reverts).
    pub reserve_factor: u16,
    /// `LendingRateOracle.getMarketBorrowRate(asset)`, RAY: the base stable rate.
    pub market_borrow_rate: U256,
}

/// `(liquidityRate, stableBorrowRate, variableBorrowRate)`, all annual RAY.
///
/// Below the optimal point the stable slope multiplies `rayDiv(U, OPT)` (U divided
/// first), the variable one `rayDiv(rayMul(U, vS1), OPT)`; utilisation is
/// `D / (available + D)` for both borrow and supply (no `unbacked`).
///
/// Errors: [`PoolError::SafeMathAdditionOverflow`], [`PoolError::SafeMathSubtractionOverflow`]
/// (optimal above RAY; reserve factor above 10000), [`PoolError::MathOverflow`] /
/// [`PoolError::DivisionByZero`] from the RAY math (`48` / `50`, e.g. optimal 0).
/// Reproduces `DefaultReserveInterestRateStrategy.calculateInterestRates` (§A.6).
pub fn calculate_interest_rates_v2(
    p: &StrategyParamsV2,
    i: &RateInputsV2,
) -> Result<RatesV1, PoolError> {
    let excess_utilization_rate = sub(RAY, p.optimal_utilization_rate)?;
    let total_debt = add(i.total_stable_debt, i.total_variable_debt)?;
    let utilization = if total_debt.is_zero() {
        U256::ZERO
    } else {
        ray_div(total_debt, add(i.available_liquidity, total_debt)?)?
    };
    let opt = p.optimal_utilization_rate;
    let (stable_rate, variable_rate) = if utilization > opt {
        let excess_ratio = ray_div(sub(utilization, opt)?, excess_utilization_rate)?;
        let stable = add(
            add(i.market_borrow_rate, p.stable_rate_slope1)?,
            ray_mul(p.stable_rate_slope2, excess_ratio)?,
        )?;
        let variable = add(
            add(p.base_variable_borrow_rate, p.variable_rate_slope1)?,
            ray_mul(p.variable_rate_slope2, excess_ratio)?,
        )?;
        (stable, variable)
    } else {
        let stable = add(
            i.market_borrow_rate,
            ray_mul(p.stable_rate_slope1, ray_div(utilization, opt)?)?,
        )?;
        let variable = add(
            p.base_variable_borrow_rate,
            ray_div(ray_mul(utilization, p.variable_rate_slope1)?, opt)?,
        )?;
        (stable, variable)
    };
    let overall = overall_borrow_rate(
        i.total_stable_debt,
        i.total_variable_debt,
        variable_rate,
        i.average_stable_borrow_rate,
    )?;
    let keep = sub(PERCENTAGE_FACTOR, U256::from(i.reserve_factor))?;
    let liquidity_rate = percent_mul(ray_mul(overall, utilization)?, keep)?;
    Ok(RatesV1 {
        liquidity_rate,
        stable_borrow_rate: stable_rate,
        variable_borrow_rate: variable_rate,
    })
}

/// `_getOverallBorrowRate`: the debt-weighted borrow rate (RAY), 0 without debt.
fn overall_borrow_rate(
    total_stable: U256,
    total_variable: U256,
    variable_rate: U256,
    avg_stable_rate: U256,
) -> Result<U256, PoolError> {
    let total = add(total_stable, total_variable)?;
    if total.is_zero() {
        return Ok(U256::ZERO);
    }
    let weighted_variable = ray_mul(wad_to_ray(total_variable)?, variable_rate)?;
    let weighted_stable = ray_mul(wad_to_ray(total_stable)?, avg_stable_rate)?;
    Ok(ray_div(
        add(weighted_variable, weighted_stable)?,
        wad_to_ray(total)?,
    )?)
}
