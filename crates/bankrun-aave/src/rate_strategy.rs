//! `DefaultReserveInterestRateStrategyV2` (MIT, aave-v3-origin v3.6.0).

use crate::config::InterestRateData;
use crate::error::PoolError;
use bankrun_math::U256;
use bankrun_math::percentage::{PERCENTAGE_FACTOR, percent_mul};
use bankrun_math::wad_ray::{RAY, ray_div, ray_mul};

/// `MIN_OPTIMAL_POINT = 1_00` bps.
pub const MIN_OPTIMAL_POINT: u16 = 100;
/// `MAX_OPTIMAL_POINT = 99_00` bps.
pub const MAX_OPTIMAL_POINT: u16 = 9_900;
/// `MAX_BORROW_RATE = 1000_00` bps (1000 %).
pub const MAX_BORROW_RATE: u64 = 100_000;

/// `_bpsToRay(n) = n * 1e23`: bps → RAY.
#[inline]
pub fn bps_to_ray(n: u32) -> U256 {
    U256::from(n) * U256::from(10u8).pow(U256::from(23u8))
}

/// Validates rate parameters like `_setInterestRateParams`: optimal in `[1 %, 99 %]`,
/// `slope1 ≤ slope2`, `base + slope1 + slope2 ≤ 1000 %` (all bps).
///
/// Errors: [`PoolError::InvalidOptimalUsageRatio`], [`PoolError::Slope2MustBeGteSlope1`],
/// [`PoolError::InvalidMaxRate`].
pub fn validate_interest_rate_data(d: &InterestRateData) -> Result<(), PoolError> {
    if d.optimal_usage_ratio > MAX_OPTIMAL_POINT || d.optimal_usage_ratio < MIN_OPTIMAL_POINT {
        return Err(PoolError::InvalidOptimalUsageRatio);
    }
    if d.variable_rate_slope1 > d.variable_rate_slope2 {
        return Err(PoolError::Slope2MustBeGteSlope1);
    }
    let max = u64::from(d.base_variable_borrow_rate)
        + u64::from(d.variable_rate_slope1)
        + u64::from(d.variable_rate_slope2);
    if max > MAX_BORROW_RATE {
        return Err(PoolError::InvalidMaxRate);
    }
    Ok(())
}

/// Inputs of `calculateInterestRates` (`DataTypes.CalculateInterestRatesParams`, v3.6).
/// Amounts in token wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInputs {
    /// `unbacked`: in v3.4+ the reserve deficit.
    pub unbacked: U256,
    /// Liquidity added by the action (supply, repay, liquidation repayment).
    pub liquidity_added: U256,
    /// Liquidity taken by the action (withdraw, borrow, liquidation collateral out).
    pub liquidity_taken: U256,
    /// Total variable debt (`rayMulCeil(scaledTotalDebt, nextVariableBorrowIndex)`).
    pub total_debt: U256,
    /// Reserve factor, bps.
    pub reserve_factor: u16,
    /// `virtualUnderlyingBalance` before the action.
    pub virtual_underlying_balance: U256,
}

/// Borrow usage ratio `rayDiv(debt, avail + debt)` (RAY) for `avail` wei of available
/// liquidity; 0 when there is no debt.
///
/// Errors: [`PoolError::MathOverflow`].
pub fn borrow_usage_ratio(total_debt: U256, available: U256) -> Result<U256, PoolError> {
    if total_debt.is_zero() {
        return Ok(U256::ZERO);
    }
    let denom = available
        .checked_add(total_debt)
        .ok_or(PoolError::MathOverflow)?;
    Ok(ray_div(total_debt, denom)?)
}

/// Computes `(liquidityRate, variableBorrowRate)`, both annual RAY.
///
/// Errors: [`PoolError::InsufficientLiquidity`] when `virtual + added − taken`
/// underflows (on-chain `Panic(0x11)`); [`PoolError::MathOverflow`] on overflow.
/// Reproduces `DefaultReserveInterestRateStrategyV2.calculateInterestRates`
/// (aave-v3-origin v3.6.0).
pub fn calculate_interest_rates(
    data: &InterestRateData,
    p: &RateInputs,
) -> Result<(U256, U256), PoolError> {
    let base = bps_to_ray(data.base_variable_borrow_rate);
    if p.total_debt.is_zero() {
        return Ok((U256::ZERO, base));
    }
    let available = p
        .virtual_underlying_balance
        .checked_add(p.liquidity_added)
        .ok_or(PoolError::MathOverflow)?
        .checked_sub(p.liquidity_taken)
        .ok_or(PoolError::InsufficientLiquidity)?;
    let avail_plus_debt = available
        .checked_add(p.total_debt)
        .ok_or(PoolError::MathOverflow)?;
    let borrow_usage = ray_div(p.total_debt, avail_plus_debt)?;
    let supply_denom = avail_plus_debt
        .checked_add(p.unbacked)
        .ok_or(PoolError::MathOverflow)?;
    let supply_usage = ray_div(p.total_debt, supply_denom)?;
    let var_rate = base
        .checked_add(variable_slope_part(data, borrow_usage)?)
        .ok_or(PoolError::MathOverflow)?;
    let rf = U256::from(p.reserve_factor);
    let keep = PERCENTAGE_FACTOR
        .checked_sub(rf)
        .ok_or(PoolError::MathOverflow)?;
    let liq_rate = percent_mul(ray_mul(var_rate, supply_usage)?, keep)?;
    Ok((liq_rate, var_rate))
}

/// The slope contribution to the variable rate at `borrow_usage` (RAY).
fn variable_slope_part(data: &InterestRateData, borrow_usage: U256) -> Result<U256, PoolError> {
    let optimal = bps_to_ray(u32::from(data.optimal_usage_ratio));
    let slope1 = bps_to_ray(data.variable_rate_slope1);
    let slope2 = bps_to_ray(data.variable_rate_slope2);
    if borrow_usage > optimal {
        let max_excess = RAY.checked_sub(optimal).ok_or(PoolError::MathOverflow)?;
        let excess = ray_div(borrow_usage - optimal, max_excess)?;
        Ok(slope1
            .checked_add(ray_mul(slope2, excess)?)
            .ok_or(PoolError::MathOverflow)?)
    } else {
        Ok(ray_div(ray_mul(slope1, borrow_usage)?, optimal)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> InterestRateData {
        InterestRateData {
            optimal_usage_ratio: 8000,
            base_variable_borrow_rate: 100,
            variable_rate_slope1: 400,
            variable_rate_slope2: 6000,
        }
    }

    fn inputs(debt: &str, vbal: &str, unbacked: &str) -> RateInputs {
        RateInputs {
            unbacked: unbacked.parse().unwrap(),
            liquidity_added: U256::ZERO,
            liquidity_taken: U256::ZERO,
            total_debt: debt.parse().unwrap(),
            reserve_factor: 1000,
            virtual_underlying_balance: vbal.parse().unwrap(),
        }
    }

    fn ray_str(s: &str) -> U256 {
        s.parse().unwrap()
    }

    #[test]
    fn a6_a7_a8_vectors() {
        let d = params();
        let a6 =
            calculate_interest_rates(&d, &inputs("800000000000000000", "200000000000000000", "0"))
                .unwrap();
        assert_eq!(
            a6,
            (
                ray_str("36000000000000000000000000"),
                ray_str("50000000000000000000000000")
            )
        );
        let a7 = calculate_interest_rates(&d, &inputs("1000000000000000000", "0", "0")).unwrap();
        assert_eq!(
            a7,
            (
                ray_str("585000000000000000000000000"),
                ray_str("650000000000000000000000000")
            )
        );
        let a8 = calculate_interest_rates(
            &d,
            &inputs(
                "800000000000000000",
                "200000000000000000",
                "600000000000000000",
            ),
        )
        .unwrap();
        assert_eq!(
            a8,
            (
                ray_str("22500000000000000000000000"),
                ray_str("50000000000000000000000000")
            )
        );
    }

    #[test]
    fn full_utilization_is_base_plus_slopes() {
        let d = params();
        let (_, var) = calculate_interest_rates(&d, &inputs("5", "0", "0")).unwrap();
        assert_eq!(var, bps_to_ray(100 + 400 + 6000));
    }

    #[test]
    fn no_debt_returns_base() {
        let d = params();
        let r = calculate_interest_rates(&d, &inputs("0", "1000", "0")).unwrap();
        assert_eq!(r, (U256::ZERO, bps_to_ray(100)));
    }

    #[test]
    fn taking_more_than_available_underflows() {
        let d = params();
        let mut p = inputs("10", "100", "0");
        p.liquidity_taken = U256::from(101u8);
        assert_eq!(
            calculate_interest_rates(&d, &p),
            Err(PoolError::InsufficientLiquidity)
        );
        p.liquidity_taken = U256::from(100u8);
        assert!(calculate_interest_rates(&d, &p).is_ok());
    }

    #[test]
    fn param_constraints() {
        let mut d = params();
        assert!(validate_interest_rate_data(&d).is_ok());
        d.optimal_usage_ratio = 99;
        assert_eq!(
            validate_interest_rate_data(&d),
            Err(PoolError::InvalidOptimalUsageRatio)
        );
        d.optimal_usage_ratio = 9901;
        assert_eq!(
            validate_interest_rate_data(&d),
            Err(PoolError::InvalidOptimalUsageRatio)
        );
        d = params();
        d.variable_rate_slope1 = 6001;
        assert_eq!(
            validate_interest_rate_data(&d),
            Err(PoolError::Slope2MustBeGteSlope1)
        );
        d = params();
        d.variable_rate_slope2 = 100_000;
        assert_eq!(
            validate_interest_rate_data(&d),
            Err(PoolError::InvalidMaxRate)
        );
    }
}
