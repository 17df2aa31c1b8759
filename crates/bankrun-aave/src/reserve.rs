//! Reserve state, index accrual, treasury accrual and rate updates (`ReserveLogic`).

use crate::config::{InterestRateData, ProtocolVersion, ReserveConfig, StableRateParams};
use crate::error::{PoolError, add, check_u128, sub};
use crate::rate_strategy::{
    RateInputs, RateInputsV1, calculate_interest_rates, calculate_interest_rates_v1,
};
use crate::v2::stable_debt::StableDebtSupply;
use crate::{AssetId, U256};
use bankrun_math::interest::{compounded_interest, linear_interest};
use bankrun_math::percentage::percent_mul;
use bankrun_math::wad_ray::{RAY, ray_mul, ray_mul_floor};

/// State of one reserve (`DataTypes.ReserveData` plus token totals), in contract units.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReserveData {
    /// Current configuration (effective LTV: 0 while frozen / LTV-zero).
    pub config: ReserveConfig,
    /// Reserve id (= [`AssetId`], bit position in bitmaps).
    pub id: AssetId,
    /// Active flag (always true unless [`crate::Pool::set_reserve_active`] is used).
    pub active: bool,
    /// `PoolConfigurator._pendingLtv`: LTV (bps) parked by a freeze / LTV-zero.
    pub pending_ltv: u16,
    /// Liquidity index, RAY (`uint128` on-chain).
    pub liquidity_index: U256,
    /// Variable borrow index, RAY (`uint128` on-chain).
    pub variable_borrow_index: U256,
    /// Current supply rate, annual RAY.
    pub current_liquidity_rate: U256,
    /// Current variable borrow rate, annual RAY.
    pub current_variable_borrow_rate: U256,
    /// Timestamp of the last `updateState`, seconds.
    pub last_update_timestamp: u64,
    /// `accruedToTreasury`: *scaled* aTokens owed to the treasury, not yet minted.
    pub accrued_to_treasury: U256,
    /// `virtualUnderlyingBalance`, token wei: the liquidity the pool accounts for. In a
    /// v3.0 pool this is the aToken's underlying ERC20 balance (donations not modelled),
    /// which the v3.0 strategy reads instead of a virtual balance.
    pub virtual_underlying_balance: U256,
    /// Bad debt written off by liquidations (v3.3+), token wei.
    pub deficit: U256,
    /// aToken `scaledTotalSupply` (users + minted treasury aTokens).
    pub scaled_total_supply: U256,
    /// Variable debt token `scaledTotalSupply`.
    pub scaled_total_variable_debt: U256,
    /// Scaled aTokens held by the treasury (liquidation protocol fees, minted accruals).
    pub treasury_scaled: U256,
    /// Liquidations involving this reserve revert until strictly after this timestamp.
    pub liquidation_grace_period_until: u64,
    /// v3.0 only: stable-rate immutables of the reserve's V1 strategy.
    pub stable_params: StableRateParams,
    /// v2 and v3.0: `currentStableBorrowRate`, annual RAY (0 in v3.6).
    pub current_stable_borrow_rate: U256,
    /// v2 only: the stable debt token's supply state (principal supply, average rate,
    /// timestamp; protocol-math-aave-v2-uniswap-v3.md §A.7).
    pub stable_debt: StableDebtSupply,
    /// v2 only: stable-rate borrowing enabled (configuration bit 59).
    pub stable_borrowing_enabled: bool,
    /// v2 only: `LendingRateOracle.getMarketBorrowRate(asset)`, the governance-set base
    /// stable rate, annual RAY (§A.6).
    pub market_borrow_rate: U256,
}

/// The numeric part of a reserve, copied for a `ReserveCache` and for rollbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReserveNumbers {
    liquidity_index: U256,
    variable_borrow_index: U256,
    current_liquidity_rate: U256,
    current_variable_borrow_rate: U256,
    last_update_timestamp: u64,
    accrued_to_treasury: U256,
    virtual_underlying_balance: U256,
    deficit: U256,
    scaled_total_supply: U256,
    scaled_total_variable_debt: U256,
    treasury_scaled: U256,
    current_stable_borrow_rate: U256,
    stable_debt: StableDebtSupply,
}

/// An unlisted reserve, returned by views for unknown ids.
pub(crate) static EMPTY_RESERVE: ReserveData = ReserveData {
    config: ReserveConfig {
        symbol: String::new(),
        decimals: 0,
        ltv: 0,
        liquidation_threshold: 0,
        liquidation_bonus: 0,
        reserve_factor: 0,
        liquidation_protocol_fee: 0,
        supply_cap: 0,
        borrow_cap: 0,
        borrowing_enabled: false,
        frozen: false,
        paused: false,
        rate: InterestRateData {
            optimal_usage_ratio: 0,
            base_variable_borrow_rate: 0,
            variable_rate_slope1: 0,
            variable_rate_slope2: 0,
        },
    },
    id: usize::MAX,
    active: false,
    pending_ltv: 0,
    liquidity_index: U256::ZERO,
    variable_borrow_index: U256::ZERO,
    current_liquidity_rate: U256::ZERO,
    current_variable_borrow_rate: U256::ZERO,
    last_update_timestamp: 0,
    accrued_to_treasury: U256::ZERO,
    virtual_underlying_balance: U256::ZERO,
    deficit: U256::ZERO,
    scaled_total_supply: U256::ZERO,
    scaled_total_variable_debt: U256::ZERO,
    treasury_scaled: U256::ZERO,
    liquidation_grace_period_until: 0,
    stable_params: StableRateParams {
        stable_rate_slope1: 0,
        stable_rate_slope2: 0,
        base_stable_rate_offset: 0,
        stable_rate_excess_offset: 0,
        optimal_stable_to_total_debt_ratio: 0,
    },
    current_stable_borrow_rate: U256::ZERO,
    stable_debt: StableDebtSupply::ZERO,
    stable_borrowing_enabled: false,
    market_borrow_rate: U256::ZERO,
};

impl ReserveData {
    /// A freshly listed reserve (`ReserveLogic.init`): indexes = RAY, rates 0.
    pub(crate) fn new(id: AssetId, config: ReserveConfig, now: u64) -> Self {
        ReserveData {
            config,
            id,
            active: true,
            pending_ltv: 0,
            liquidity_index: RAY,
            variable_borrow_index: RAY,
            current_liquidity_rate: U256::ZERO,
            current_variable_borrow_rate: U256::ZERO,
            last_update_timestamp: now,
            ..EMPTY_RESERVE
        }
    }

    /// Copy of the numeric state.
    #[inline]
    pub(crate) fn numbers(&self) -> ReserveNumbers {
        ReserveNumbers {
            liquidity_index: self.liquidity_index,
            variable_borrow_index: self.variable_borrow_index,
            current_liquidity_rate: self.current_liquidity_rate,
            current_variable_borrow_rate: self.current_variable_borrow_rate,
            last_update_timestamp: self.last_update_timestamp,
            accrued_to_treasury: self.accrued_to_treasury,
            virtual_underlying_balance: self.virtual_underlying_balance,
            deficit: self.deficit,
            scaled_total_supply: self.scaled_total_supply,
            scaled_total_variable_debt: self.scaled_total_variable_debt,
            treasury_scaled: self.treasury_scaled,
            current_stable_borrow_rate: self.current_stable_borrow_rate,
            stable_debt: self.stable_debt,
        }
    }

    /// Restores the numeric state saved by [`ReserveData::numbers`].
    #[inline]
    pub(crate) fn restore(&mut self, n: &ReserveNumbers) {
        self.liquidity_index = n.liquidity_index;
        self.variable_borrow_index = n.variable_borrow_index;
        self.current_liquidity_rate = n.current_liquidity_rate;
        self.current_variable_borrow_rate = n.current_variable_borrow_rate;
        self.last_update_timestamp = n.last_update_timestamp;
        self.accrued_to_treasury = n.accrued_to_treasury;
        self.virtual_underlying_balance = n.virtual_underlying_balance;
        self.deficit = n.deficit;
        self.scaled_total_supply = n.scaled_total_supply;
        self.scaled_total_variable_debt = n.scaled_total_variable_debt;
        self.treasury_scaled = n.treasury_scaled;
        self.current_stable_borrow_rate = n.current_stable_borrow_rate;
        self.stable_debt = n.stable_debt;
    }

    /// Liquidity index at `now` (RAY): stored index if updated at `now` (or `now` is in
    /// the past), else `rayMul(linearInterest(rate, Δt), index)`.
    ///
    /// Errors: [`PoolError::MathOverflow`].
    /// Reproduces `ReserveLogic.getNormalizedIncome`.
    pub fn normalized_income(&self, now: u64) -> Result<U256, PoolError> {
        if now <= self.last_update_timestamp {
            return Ok(self.liquidity_index);
        }
        let dt = now - self.last_update_timestamp;
        Ok(ray_mul(
            linear_interest(self.current_liquidity_rate, dt)?,
            self.liquidity_index,
        )?)
    }

    /// Variable borrow index at `now` (RAY), compounding with the version's formula.
    ///
    /// Errors: [`PoolError::MathOverflow`].
    /// Reproduces `ReserveLogic.getNormalizedDebt`.
    pub fn normalized_debt(&self, now: u64, version: ProtocolVersion) -> Result<U256, PoolError> {
        if now <= self.last_update_timestamp {
            return Ok(self.variable_borrow_index);
        }
        let dt = now - self.last_update_timestamp;
        let factor = compounded_interest(
            self.current_variable_borrow_rate,
            dt,
            version.interest_formula(),
        )?;
        Ok(ray_mul(factor, self.variable_borrow_index)?)
    }

    /// `updateState`: accrues indexes and the treasury share to `now`; no-op if already
    /// updated at `now`. A v2 pool runs [`ReserveData::update_state_v2`].
    ///
    /// Errors: [`PoolError::InvalidTimestamp`] if `now` < last update;
    /// [`PoolError::MathOverflow`] / [`PoolError::SafeCastOverflow`] on overflow.
    /// Reproduces `ReserveLogic.updateState` (aave-v3-origin v3.6.0).
    pub(crate) fn update_state(
        &mut self,
        now: u64,
        version: ProtocolVersion,
    ) -> Result<(), PoolError> {
        if version.is_v2() {
            return self.update_state_v2(now);
        }
        let cache = self.numbers();
        self.update_state_with_cache(&cache, now, version)
    }

    /// `updateState` driven by a `ReserveCache` taken earlier (its timestamp decides the
    /// early return, its "current" values feed the accrual). Equivalent to
    /// [`ReserveData::update_state`] when the cache is fresh.
    pub(crate) fn update_state_with_cache(
        &mut self,
        cache: &ReserveNumbers,
        now: u64,
        version: ProtocolVersion,
    ) -> Result<(), PoolError> {
        if cache.last_update_timestamp == now {
            return Ok(());
        }
        if now < cache.last_update_timestamp {
            return Err(PoolError::InvalidTimestamp);
        }
        self.update_indexes(cache, now, version)?;
        self.accrue_to_treasury(cache, version)?;
        self.last_update_timestamp = now;
        Ok(())
    }

    /// `_updateIndexes`: linear supply interest (if the supply rate ≠ 0), compounded
    /// borrow interest (if there is scaled debt).
    fn update_indexes(
        &mut self,
        cache: &ReserveNumbers,
        now: u64,
        version: ProtocolVersion,
    ) -> Result<(), PoolError> {
        let dt = now - cache.last_update_timestamp;
        if !cache.current_liquidity_rate.is_zero() {
            let f = linear_interest(cache.current_liquidity_rate, dt)?;
            self.liquidity_index = check_u128(ray_mul(f, cache.liquidity_index)?)?;
        }
        if !cache.scaled_total_variable_debt.is_zero() {
            let f = compounded_interest(
                cache.current_variable_borrow_rate,
                dt,
                version.interest_formula(),
            )?;
            self.variable_borrow_index = check_u128(ray_mul(f, cache.variable_borrow_index)?)?;
        }
        Ok(())
    }

    /// `_accrueToTreasury` (v3.2+: variable debt only): adds
    /// `aTokenMintScaled(percentMul(rayMulFloor(currScaledDebt, nextIdx − currIdx), RF))`
    /// to `accrued_to_treasury`, using the indexes currently stored as "next".
    pub(crate) fn accrue_to_treasury(
        &mut self,
        cache: &ReserveNumbers,
        version: ProtocolVersion,
    ) -> Result<(), PoolError> {
        if self.config.reserve_factor == 0 {
            return Ok(());
        }
        let accrued = if version.is_v3_0() {
            // v3.0: rayMul(scaled, next) − rayMul(scaled, curr) (+ stable part, none here).
            let next = ray_mul(cache.scaled_total_variable_debt, self.variable_borrow_index)?;
            let prev = ray_mul(
                cache.scaled_total_variable_debt,
                cache.variable_borrow_index,
            )?;
            sub(next, prev)?
        } else {
            let idx_delta = sub(self.variable_borrow_index, cache.variable_borrow_index)?;
            ray_mul_floor(cache.scaled_total_variable_debt, idx_delta)?
        };
        let amount = percent_mul(accrued, U256::from(self.config.reserve_factor))?;
        if !amount.is_zero() {
            let scaled = version
                .token_rounding()
                .a_token_mint_scaled(amount, self.liquidity_index)?;
            let total = add(self.accrued_to_treasury, check_u128(scaled)?)?;
            self.accrued_to_treasury = check_u128(total).map_err(|_| PoolError::MathOverflow)?;
        }
        Ok(())
    }

    /// Total variable debt at the stored index (`getVTokenBalance` of the scaled total).
    ///
    /// Errors: [`PoolError::MathOverflow`].
    pub(crate) fn total_debt_now(&self, version: ProtocolVersion) -> Result<U256, PoolError> {
        Ok(version
            .token_rounding()
            .v_token_balance(self.scaled_total_variable_debt, self.variable_borrow_index)?)
    }

    /// `updateInterestRatesAndVirtualBalance`: recomputes both rates with the V2 strategy
    /// (`unbacked = deficit`) and moves `virtual_underlying_balance` by `added − taken`.
    ///
    /// Errors: [`PoolError::InsufficientLiquidity`] (Panic(0x11)) when `taken` exceeds
    /// the virtual balance plus `added`; [`PoolError::SafeCastOverflow`] /
    /// [`PoolError::MathOverflow`] on overflow.
    /// Reproduces `ReserveLogic.updateInterestRatesAndVirtualBalance` (v3.6.0).
    ///
    /// A v2 pool runs [`ReserveData::update_interest_rates_v2`] at the reserve's last
    /// update time (every v2 rate update follows an `updateState` in the same block).
    pub(crate) fn update_rates_and_virtual_balance(
        &mut self,
        added: U256,
        taken: U256,
        version: ProtocolVersion,
    ) -> Result<(), PoolError> {
        if version.is_v2() {
            let now = self.last_update_timestamp;
            return self.update_interest_rates_v2(now, added, taken);
        }
        if version.is_v3_0() {
            let r = calculate_interest_rates_v1(
                &self.config.rate,
                &self.stable_params,
                &RateInputsV1 {
                    unbacked: U256::ZERO,
                    liquidity_added: added,
                    liquidity_taken: taken,
                    total_stable_debt: U256::ZERO,
                    total_variable_debt: self.total_debt_now(version)?,
                    average_stable_borrow_rate: U256::ZERO,
                    reserve_factor: self.config.reserve_factor,
                    a_token_underlying_balance: self.virtual_underlying_balance,
                },
            )?;
            self.current_liquidity_rate = check_u128(r.liquidity_rate)?;
            self.current_stable_borrow_rate = check_u128(r.stable_borrow_rate)?;
            self.current_variable_borrow_rate = check_u128(r.variable_borrow_rate)?;
        } else {
            let inputs = RateInputs {
                unbacked: self.deficit,
                liquidity_added: added,
                liquidity_taken: taken,
                total_debt: self.total_debt_now(version)?,
                reserve_factor: self.config.reserve_factor,
                virtual_underlying_balance: self.virtual_underlying_balance,
            };
            let (liq, var) = calculate_interest_rates(&self.config.rate, &inputs)?;
            self.current_liquidity_rate = check_u128(liq)?;
            self.current_variable_borrow_rate = check_u128(var)?;
        }
        if !added.is_zero() {
            let v = add(self.virtual_underlying_balance, check_u128(added)?)?;
            self.virtual_underlying_balance = check_u128(v).map_err(|_| PoolError::MathOverflow)?;
        }
        if !taken.is_zero() {
            self.virtual_underlying_balance = self
                .virtual_underlying_balance
                .checked_sub(check_u128(taken)?)
                .ok_or(PoolError::InsufficientLiquidity)?;
        }
        Ok(())
    }
}
