//! `DefaultReserveInterestRateStrategyV2` (MIT, aave-v3-origin v3.6.0).

use crate::config::{InterestRateData, StableRateParams};
use crate::error::PoolError;
use bankrun_math::U256;
use bankrun_math::percentage::{PERCENTAGE_FACTOR, percent_mul};
use bankrun_math::wad_ray::{RAY, ray_div, ray_mul, wad_to_ray};

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

/// Output of the v3.0 `DefaultReserveInterestRateStrategy`: annual RAY rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatesV1 {
    /// Supply (liquidity) rate.
    pub liquidity_rate: U256,
    /// Stable borrow rate.
    pub stable_borrow_rate: U256,
    /// Variable borrow rate.
    pub variable_borrow_rate: U256,
}

/// Inputs of the v3.0 strategy besides the parameters. Amounts in token wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInputsV1 {
    /// Portal-minted aTokens (`unbacked`).
    pub unbacked: U256,
    /// Liquidity added by the action.
    pub liquidity_added: U256,
    /// Liquidity taken by the action.
    pub liquidity_taken: U256,
    /// Total stable debt.
    pub total_stable_debt: U256,
    /// Total variable debt (`rayMul(nextScaledVariableDebt, nextVariableBorrowIndex)`).
    pub total_variable_debt: U256,
    /// Average stable borrow rate, RAY.
    pub average_stable_borrow_rate: U256,
    /// Reserve factor, bps.
    pub reserve_factor: u16,
    /// `IERC20(reserve).balanceOf(aToken)` before the action.
    pub a_token_underlying_balance: U256,
}

/// Computes the v3.0 rates from bps parameters (`_bpsToRay` conversion of
/// [`InterestRateData`] and [`StableRateParams`]).
///
/// Errors: [`PoolError::InsufficientLiquidity`] when `balance + added − taken`
/// underflows (Panic(0x11)), only evaluated when there is debt;
/// [`PoolError::MathOverflow`] / [`PoolError::DivisionByZero`] from the ray math.
/// Reproduces `DefaultReserveInterestRateStrategy.calculateInterestRates` of
/// aave-v3-core v1.19.3 (vectors A9–A14 of protocol-math.md §8).
pub fn calculate_interest_rates_v1(
    data: &InterestRateData,
    stable: &StableRateParams,
    p: &RateInputsV1,
) -> Result<RatesV1, PoolError> {
    let ovf = || PoolError::MathOverflow;
    let optimal = bps_to_ray(u32::from(data.optimal_usage_ratio));
    let max_excess = RAY.checked_sub(optimal).ok_or_else(ovf)?;
    let (vs1, vs2) = (
        bps_to_ray(data.variable_rate_slope1),
        bps_to_ray(data.variable_rate_slope2),
    );
    let (ss1, ss2) = (
        bps_to_ray(stable.stable_rate_slope1),
        bps_to_ray(stable.stable_rate_slope2),
    );
    let opt_stable = bps_to_ray(stable.optimal_stable_to_total_debt_ratio);
    let total_debt = p
        .total_stable_debt
        .checked_add(p.total_variable_debt)
        .ok_or_else(ovf)?;
    let mut var_rate = bps_to_ray(data.base_variable_borrow_rate);
    let mut stable_rate = vs1
        .checked_add(bps_to_ray(stable.base_stable_rate_offset))
        .ok_or_else(ovf)?;
    let (mut stable_to_total, mut borrow_usage, mut supply_usage) =
        (U256::ZERO, U256::ZERO, U256::ZERO);
    if !total_debt.is_zero() {
        stable_to_total = ray_div(p.total_stable_debt, total_debt)?;
        let avail = p
            .a_token_underlying_balance
            .checked_add(p.liquidity_added)
            .ok_or_else(ovf)?
            .checked_sub(p.liquidity_taken)
            .ok_or(PoolError::InsufficientLiquidity)?;
        let avail_debt = avail.checked_add(total_debt).ok_or_else(ovf)?;
        borrow_usage = ray_div(total_debt, avail_debt)?;
        supply_usage = ray_div(
            total_debt,
            avail_debt.checked_add(p.unbacked).ok_or_else(ovf)?,
        )?;
    }
    if borrow_usage > optimal {
        let excess = ray_div(borrow_usage - optimal, max_excess)?;
        stable_rate = stable_rate
            .checked_add(ss1)
            .and_then(|x| x.checked_add(ray_mul(ss2, excess).ok()?))
            .ok_or_else(ovf)?;
        var_rate = var_rate
            .checked_add(vs1)
            .and_then(|x| x.checked_add(ray_mul(vs2, excess).ok()?))
            .ok_or_else(ovf)?;
    } else {
        stable_rate = stable_rate
            .checked_add(ray_div(ray_mul(ss1, borrow_usage)?, optimal)?)
            .ok_or_else(ovf)?;
        var_rate = var_rate
            .checked_add(ray_div(ray_mul(vs1, borrow_usage)?, optimal)?)
            .ok_or_else(ovf)?;
    }
    if stable_to_total > opt_stable {
        let max_excess_stable = RAY.checked_sub(opt_stable).ok_or_else(ovf)?;
        let ex = ray_div(stable_to_total - opt_stable, max_excess_stable)?;
        stable_rate = stable_rate
            .checked_add(ray_mul(bps_to_ray(stable.stable_rate_excess_offset), ex)?)
            .ok_or_else(ovf)?;
    }
    let overall = if total_debt.is_zero() {
        U256::ZERO
    } else {
        let v = ray_mul(wad_to_ray(p.total_variable_debt)?, var_rate)?;
        let s = ray_mul(
            wad_to_ray(p.total_stable_debt)?,
            p.average_stable_borrow_rate,
        )?;
        ray_div(v.checked_add(s).ok_or_else(ovf)?, wad_to_ray(total_debt)?)?
    };
    let keep = PERCENTAGE_FACTOR
        .checked_sub(U256::from(p.reserve_factor))
        .ok_or_else(ovf)?;
    let liquidity_rate = percent_mul(ray_mul(overall, supply_usage)?, keep)?;
    Ok(RatesV1 {
        liquidity_rate,
        stable_borrow_rate: stable_rate,
        variable_borrow_rate: var_rate,
    })
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
    fn a9_to_a14_v1_strategy_vectors() {
        let d = InterestRateData {
            optimal_usage_ratio: 9000,
            base_variable_borrow_rate: 0,
            variable_rate_slope1: 400,
            variable_rate_slope2: 6000,
        };
        let st = StableRateParams {
            stable_rate_slope1: 50,
            stable_rate_slope2: 6000,
            base_stable_rate_offset: 100,
            stable_rate_excess_offset: 800,
            optimal_stable_to_total_debt_ratio: 2000,
        };
        let e6 = |x: u64| U256::from(x) * U256::from(1_000_000u32);
        let run = |bal: u64, stable: u64, avg: U256, var: u64, unbacked: u64| {
            let r = calculate_interest_rates_v1(
                &d,
                &st,
                &RateInputsV1 {
                    unbacked: e6(unbacked),
                    liquidity_added: U256::ZERO,
                    liquidity_taken: U256::ZERO,
                    total_stable_debt: e6(stable),
                    total_variable_debt: e6(var),
                    average_stable_borrow_rate: avg,
                    reserve_factor: 1000,
                    a_token_underlying_balance: e6(bal),
                },
            )
            .unwrap();
            (
                r.liquidity_rate.to_string(),
                r.stable_borrow_rate.to_string(),
                r.variable_borrow_rate.to_string(),
            )
        };
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        let z = U256::ZERO;
        assert_eq!(
            run(500, 0, z, 500, 0),
            t(
                "9999999999999999900000000",
                "52777777777777777777777778",
                "22222222222222222222222222"
            )
        );
        assert_eq!(
            run(100, 0, z, 900, 0),
            t(
                "32400000000000000000000000",
                "55000000000000000000000000",
                "40000000000000000000000000"
            )
        );
        assert_eq!(
            run(50, 0, z, 950, 0),
            t(
                "290700000000000000000000000",
                "355000000000000000000000000",
                "340000000000000000000000000"
            )
        );
        assert_eq!(
            run(0, 0, z, 1000, 0),
            t(
                "576000000000000000000000000",
                "655000000000000000000000000",
                "640000000000000000000000000"
            )
        );
        assert_eq!(
            run(200, 200, bps_to_ray(500), 600, 0),
            t(
                "28199999999999999700000000",
                "59444444444444444444444444",
                "35555555555555555555555556"
            )
        );
        assert_eq!(
            run(200, 0, z, 800, 200),
            t(
                "21333333333333333000000000",
                "54444444444444444444444444",
                "35555555555555555555555556"
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
