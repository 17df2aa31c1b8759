//! v2 governance: listing, `LendingRateOracle`, global pause, stable-rate switch and the
//! `LendingPoolConfigurator` rules that differ from v3 (protocol-math-aave-v2-uniswap-v3.md
//! §A.2 steps 6–9, §A.12). No caller role is checked.

use crate::config::{
    BPS, InterestRateData, MAX_RESERVES_COUNT, ReserveConfig, validate_collateral_params,
};
use crate::error::PoolError;
use crate::pool::Pool;
use crate::reserve::ReserveData;
use crate::{AssetId, U256};

/// Listing checks of a v2 reserve: decimals ≤ 77 (`10**decimals` must fit), the
/// collateral invariants (`75`), optimal utilisation ≤ 100 % (the strategy's
/// `RAY − optimal` reverts at deployment otherwise), no per-reserve pause (v2 has
/// none). Caps, the liquidation protocol fee and the reserve factor are not checked
/// (v2 accepts any 16-bit reserve factor; the others do not exist).
///
/// Errors: [`PoolError::InvalidDecimals`], [`PoolError::InvalidReserveParams`],
/// [`PoolError::InvalidOptimalUsageRatio`], [`PoolError::UnsupportedInVersion`].
pub(crate) fn validate_reserve_config_v2(cfg: &ReserveConfig) -> Result<(), PoolError> {
    if cfg.decimals > 77 {
        return Err(PoolError::InvalidDecimals);
    }
    validate_collateral_params(cfg.ltv, cfg.liquidation_threshold, cfg.liquidation_bonus)?;
    validate_rate_data_v2(&cfg.rate)?;
    if cfg.paused {
        return Err(PoolError::UnsupportedInVersion);
    }
    Ok(())
}

/// The only constraint of the v2 strategy's constructor: optimal ≤ 100 %.
///
/// Errors: [`PoolError::InvalidOptimalUsageRatio`].
pub(crate) fn validate_rate_data_v2(d: &InterestRateData) -> Result<(), PoolError> {
    if d.optimal_usage_ratio > BPS {
        return Err(PoolError::InvalidOptimalUsageRatio);
    }
    Ok(())
}

impl Pool {
    /// Lists a v2 reserve (`LendingPoolConfigurator.initReserve` + risk setters): indexes
    /// RAY, rates 0, `lastUpdateTimestamp` 0 (`ReserveLogic.init` does not set it),
    /// active, stable-rate borrowing enabled iff `cfg.borrowing_enabled`
    /// (`enableBorrowingOnReserve(asset, true)`), frozen as `cfg.frozen` (the flag only).
    pub(crate) fn init_reserve_v2(
        &mut self,
        now: u64,
        cfg: ReserveConfig,
    ) -> Result<AssetId, PoolError> {
        if self.reserves.len() >= MAX_RESERVES_COUNT {
            return Err(PoolError::NoMoreReservesAllowed);
        }
        validate_reserve_config_v2(&cfg)?;
        let id = self.reserves.len();
        let mut r = ReserveData::new(id, cfg, now);
        r.last_update_timestamp = 0;
        r.stable_borrowing_enabled = r.config.borrowing_enabled;
        self.reserves.push(r);
        self.prices.push(U256::ZERO);
        Ok(id)
    }

    /// Sets `LendingRateOracle.setMarketBorrowRate(asset, rate)`: the base stable rate of
    /// the v2 strategy, annual RAY. It takes effect at the reserve's next rate update
    /// (no state is updated now). Stored in every version; only v2 pools read it.
    ///
    /// Errors: [`PoolError::AssetNotListed`].
    pub fn set_market_borrow_rate(
        &mut self,
        asset: AssetId,
        rate_ray: U256,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        self.reserves[asset].market_borrow_rate = rate_ray;
        Ok(())
    }

    /// v2 `LendingPoolConfigurator.setPoolPause(paused)`: every user entry point of a v2
    /// pool, liquidation included, then reverts with `64`
    /// ([`PoolError::PoolPaused`]). In a v3 pool it sets every reserve's pause flag (the
    /// v3 `setPoolPause(paused)` with no grace period).
    pub fn set_pool_pause(&mut self, paused: bool) {
        if self.version.is_v2() {
            self.paused = paused;
            return;
        }
        for r in &mut self.reserves {
            r.config.paused = paused;
        }
    }

    /// Whether a v2 pool is globally paused (always false for v3 pools, which pause per
    /// reserve).
    pub fn is_pool_paused(&self) -> bool {
        self.paused
    }

    /// v2 `enableReserveStableRate` / `disableReserveStableRate` (configuration bit 59).
    ///
    /// Errors: [`PoolError::AssetNotListed`].
    pub fn set_reserve_stable_rate_borrowing(
        &mut self,
        asset: AssetId,
        enabled: bool,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        self.reserves[asset].stable_borrowing_enabled = enabled;
        Ok(())
    }

    /// `_checkNoLiquidity`: the aToken's underlying balance and the liquidity rate must
    /// both be zero (`34`, [`PoolError::ReserveLiquidityNotZero`]).
    pub(crate) fn check_no_liquidity_v2(&self, asset: AssetId) -> Result<(), PoolError> {
        let r = &self.reserves[asset];
        if r.virtual_underlying_balance.is_zero() && r.current_liquidity_rate.is_zero() {
            Ok(())
        } else {
            Err(PoolError::ReserveLiquidityNotZero)
        }
    }

    /// v2 `configureReserveAsCollateral`: the invariants (`75`), `_checkNoLiquidity` when
    /// LT is set to 0 (`34`); LTV, LT and bonus are set directly (freezing never touches
    /// the LTV in v2).
    pub(crate) fn configure_reserve_as_collateral_v2(
        &mut self,
        asset: AssetId,
        ltv: u16,
        lt: u16,
        bonus: u16,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        validate_collateral_params(ltv, lt, bonus)?;
        if lt == 0 {
            self.check_no_liquidity_v2(asset)?;
        }
        let c = &mut self.reserves[asset].config;
        c.ltv = ltv;
        c.liquidation_threshold = lt;
        c.liquidation_bonus = bonus;
        Ok(())
    }

    /// v2 `activateReserve` / `deactivateReserve` (the latter with `_checkNoLiquidity`).
    pub(crate) fn set_reserve_active_v2(
        &mut self,
        asset: AssetId,
        active: bool,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        if !active {
            self.check_no_liquidity_v2(asset)?;
        }
        self.reserves[asset].active = active;
        Ok(())
    }

    /// v2 `setReserveFactor`: the configuration word only (any 16-bit value, `71` cannot
    /// trigger), with **no** index or rate sync: the next `updateState` applies the new
    /// factor to the whole period since the last update; above 10000 every later rate
    /// update reverts with `"SafeMath: subtraction overflow"` (§A.12).
    pub(crate) fn set_reserve_factor_v2(
        &mut self,
        asset: AssetId,
        reserve_factor: u16,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        self.reserves[asset].config.reserve_factor = reserve_factor;
        Ok(())
    }

    /// v2 `setReserveInterestRateStrategyAddress`: a new strategy, with no index or rate
    /// sync (the new parameters apply from the next rate update).
    pub(crate) fn set_interest_rate_data_v2(
        &mut self,
        asset: AssetId,
        data: InterestRateData,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        validate_rate_data_v2(&data)?;
        self.reserves[asset].config.rate = data;
        Ok(())
    }
}
