//! v2 `ReserveLogic`: `updateState`, `_mintToTreasury` and `updateInterestRates`
//! (protocol-math-aave-v2-uniswap-v3.md §A.5).

use crate::U256;
use crate::error::PoolError;
use crate::reserve::ReserveData;
use crate::v2::safe_math::{add, check_u128, sub};
use crate::v2::stable_debt::compounded_between;
use crate::v2::strategy::{RateInputsV2, StrategyParamsV2, calculate_interest_rates_v2};
use bankrun_math::InterestFormula;
use bankrun_math::interest::{compounded_interest, linear_interest};
use bankrun_math::percentage::percent_mul;
use bankrun_math::wad_ray::{ray_div, ray_mul};

/// The values `updateState` read before accruing (`_mintToTreasury` needs them).
struct PreUpdate {
    scaled_variable_debt: U256,
    previous_variable_index: U256,
    last_update: u64,
}

impl ReserveData {
    /// The reserve's v2 strategy immutables (bps → RAY).
    pub(crate) fn strategy_params_v2(&self) -> StrategyParamsV2 {
        StrategyParamsV2::from_bps(&self.config.rate, &self.stable_params)
    }

    /// v2 `updateState` at `now`. There is no same-block early return (a Δt = 0 call
    /// changes nothing). The liquidity index grows linearly if the liquidity rate is
    /// non-zero; **inside that branch only**, the variable index compounds (v2 formula)
    /// if there is scaled variable debt. Then `_mintToTreasury` runs.
    ///
    /// Errors: [`PoolError::InvalidTimestamp`] (`now` before the last update),
    /// [`PoolError::LiquidityIndexOverflow`] (`51`),
    /// [`PoolError::VariableBorrowIndexOverflow`] (`52`), math errors.
    /// Reproduces `ReserveLogic.updateState` of v2 (§A.5).
    pub(crate) fn update_state_v2(&mut self, now: u64) -> Result<(), PoolError> {
        let dt = now
            .checked_sub(self.last_update_timestamp)
            .ok_or(PoolError::InvalidTimestamp)?;
        let pre = PreUpdate {
            scaled_variable_debt: self.scaled_total_variable_debt,
            previous_variable_index: self.variable_borrow_index,
            last_update: self.last_update_timestamp,
        };
        if !self.current_liquidity_rate.is_zero() {
            let linear = linear_interest(self.current_liquidity_rate, dt)?;
            let li = ray_mul(linear, self.liquidity_index)?;
            self.liquidity_index = check_u128(li, PoolError::LiquidityIndexOverflow)?;
            if !pre.scaled_variable_debt.is_zero() {
                let f = compounded_interest(
                    self.current_variable_borrow_rate,
                    dt,
                    InterestFormula::V2,
                )?;
                let vi = ray_mul(f, self.variable_borrow_index)?;
                self.variable_borrow_index =
                    check_u128(vi, PoolError::VariableBorrowIndexOverflow)?;
            }
        }
        self.last_update_timestamp = now;
        self.mint_to_treasury_v2(&pre, now)
    }

    /// `_mintToTreasury` (only with a non-zero reserve factor): the variable debt accrued
    /// over the update plus the stable debt accrued since the reserve's last update,
    /// times the reserve factor (`percentMul`), minted at once to the treasury as
    /// `rayDiv(amount, liquidityIndex)` scaled aTokens (no zero check).
    fn mint_to_treasury_v2(&mut self, pre: &PreUpdate, now: u64) -> Result<(), PoolError> {
        if self.config.reserve_factor == 0 {
            return Ok(());
        }
        let stable = self.stable_debt.supply_data(now)?;
        let previous_variable = ray_mul(pre.scaled_variable_debt, pre.previous_variable_index)?;
        let current_variable = ray_mul(pre.scaled_variable_debt, self.variable_borrow_index)?;
        let stable_interest =
            compounded_between(stable.avg_rate, stable.timestamp, pre.last_update)?;
        let previous_stable = ray_mul(stable.principal_supply, stable_interest)?;
        let accrued = sub(
            sub(
                add(current_variable, stable.total_supply)?,
                previous_variable,
            )?,
            previous_stable,
        )?;
        let to_mint = percent_mul(accrued, U256::from(self.config.reserve_factor))?;
        if !to_mint.is_zero() {
            let scaled = ray_div(to_mint, self.liquidity_index)?;
            self.scaled_total_supply = add(self.scaled_total_supply, scaled)?;
            self.treasury_scaled = add(self.treasury_scaled, scaled)?;
        }
        Ok(())
    }

    /// v2 `updateInterestRates(reserve, asset, aToken, added, taken)` at `now` (the block
    /// of the preceding `updateState`): total stable debt compounded at the average rate,
    /// total variable debt at the stored index, `available = balanceOf(aToken) + added −
    /// taken`; the three rates are stored, then the aToken's underlying balance
    /// ([`ReserveData::virtual_underlying_balance`]) moves by `added − taken`, as the
    /// token transfer that follows the update does.
    ///
    /// Errors: [`PoolError::SafeMathSubtractionOverflow`] when `taken` exceeds the balance
    /// plus `added` (§A.12: withdraw / borrow above the available liquidity),
    /// [`PoolError::LiquidityRateOverflow`] (`53`), [`PoolError::StableBorrowRateOverflow`]
    /// (`55`), [`PoolError::VariableBorrowRateOverflow`] (`54`), the strategy's errors.
    /// Reproduces `ReserveLogic.updateInterestRates` of v2 (§A.5).
    pub(crate) fn update_interest_rates_v2(
        &mut self,
        now: u64,
        added: U256,
        taken: U256,
    ) -> Result<(), PoolError> {
        let total_stable = self.stable_debt.total_supply(now)?;
        let total_variable = ray_mul(self.scaled_total_variable_debt, self.variable_borrow_index)?;
        let available = sub(add(self.virtual_underlying_balance, added)?, taken)?;
        let rates = calculate_interest_rates_v2(
            &self.strategy_params_v2(),
            &RateInputsV2 {
                available_liquidity: available,
                total_stable_debt: total_stable,
                total_variable_debt: total_variable,
                average_stable_borrow_rate: self.stable_debt.avg_rate,
                reserve_factor: self.config.reserve_factor,
                market_borrow_rate: self.market_borrow_rate,
            },
        )?;
        let lr = check_u128(rates.liquidity_rate, PoolError::LiquidityRateOverflow)?;
        let sr = check_u128(
            rates.stable_borrow_rate,
            PoolError::StableBorrowRateOverflow,
        )?;
        let vr = check_u128(
            rates.variable_borrow_rate,
            PoolError::VariableBorrowRateOverflow,
        )?;
        self.current_liquidity_rate = lr;
        self.current_stable_borrow_rate = sr;
        self.current_variable_borrow_rate = vr;
        self.virtual_underlying_balance = available;
        Ok(())
    }

    /// The stable and variable debt totals at `now` through the token views
    /// (`StableDebtToken.totalSupply`, `VariableDebtToken.totalSupply` =
    /// `rayMul(scaled, getNormalizedVariableDebt)`), token wei.
    pub(crate) fn debt_totals_v2(&self, now: u64) -> Result<(U256, U256), PoolError> {
        let stable = self.stable_debt.total_supply(now)?;
        let index = self.normalized_debt(now, crate::ProtocolVersion::V2)?;
        Ok((stable, ray_mul(self.scaled_total_variable_debt, index)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{InterestRateData, ReserveConfig, StableRateParams};
    use bankrun_math::RAY;

    fn n(s: &str) -> U256 {
        s.parse().unwrap()
    }

    /// A reserve in the state of §A.14 "Reserve update": R2 rates, indexes 1, scaled
    /// variable debt 900e6, aToken supply 1000e6, RF 10 %.
    fn r2_reserve() -> ReserveData {
        let cfg = ReserveConfig {
            decimals: 6,
            reserve_factor: 1000,
            rate: InterestRateData {
                optimal_usage_ratio: 9000,
                base_variable_borrow_rate: 0,
                variable_rate_slope1: 400,
                variable_rate_slope2: 6000,
            },
            ..ReserveConfig::default()
        };
        let mut r = ReserveData::new(0, cfg, 0);
        r.stable_params = StableRateParams {
            stable_rate_slope1: 200,
            stable_rate_slope2: 6000,
            ..StableRateParams::default()
        };
        r.market_borrow_rate = n("35000000000000000000000000");
        r.scaled_total_supply = U256::from(1_000_000_000u64);
        r.scaled_total_variable_debt = U256::from(900_000_000u64);
        r.virtual_underlying_balance = U256::from(100_000_000u64);
        r
    }

    #[test]
    fn reserve_update_vector() {
        let mut r = r2_reserve();
        r.update_interest_rates_v2(0, U256::ZERO, U256::ZERO)
            .unwrap();
        assert_eq!(r.current_liquidity_rate, n("32400000000000000000000000"));
        assert_eq!(
            r.current_variable_borrow_rate,
            n("40000000000000000000000000")
        );
        assert_eq!(
            r.current_stable_borrow_rate,
            n("55000000000000000000000000")
        );
        r.update_state_v2(86_400).unwrap();
        assert_eq!(r.liquidity_index, n("1000088767123287671232876712"));
        assert_eq!(r.variable_borrow_index, n("1000109595046120336121075200"));
        assert_eq!(r.treasury_scaled, U256::from(9863u32));
        assert_eq!(r.scaled_total_supply, U256::from(1_000_009_863u64));
        let supplied = ray_mul(U256::from(1_000_000_000u64), r.liquidity_index).unwrap();
        assert_eq!(
            supplied - U256::from(1_000_000_000u64),
            U256::from(88_767u32)
        );
    }

    /// The variable index stays put while the liquidity rate is 0 (100 % reserve
    /// factor), even with debt and a positive variable rate; the view still grows.
    #[test]
    fn variable_index_needs_a_liquidity_rate() {
        let mut r = r2_reserve();
        r.config.reserve_factor = 10_000;
        r.update_interest_rates_v2(0, U256::ZERO, U256::ZERO)
            .unwrap();
        assert_eq!(r.current_liquidity_rate, U256::ZERO);
        assert!(!r.current_variable_borrow_rate.is_zero());
        let view = r
            .normalized_debt(86_400, crate::ProtocolVersion::V2)
            .unwrap();
        r.update_state_v2(86_400).unwrap();
        assert_eq!(r.variable_borrow_index, RAY);
        assert!(view > RAY);
        assert_eq!(r.last_update_timestamp, 86_400);
    }

    #[test]
    fn taking_more_than_the_balance_is_safemath() {
        let mut r = r2_reserve();
        let all = r.virtual_underlying_balance;
        assert_eq!(
            r.clone()
                .update_interest_rates_v2(0, U256::ZERO, all + U256::from(1u8)),
            Err(PoolError::SafeMathSubtractionOverflow)
        );
        r.update_interest_rates_v2(0, U256::ZERO, all).unwrap();
        assert_eq!(r.virtual_underlying_balance, U256::ZERO);
    }
}
