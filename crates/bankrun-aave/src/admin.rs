//! Governance actions (`PoolConfigurator` + the pool-side setters, aave-v3-origin
//! v3.6.0). None of them checks a caller role.

use crate::config::{
    BPS, InterestRateData, MAX_GRACE_PERIOD, MAX_RESERVES_COUNT, MAX_VALID_CAP, ReserveConfig,
    validate_collateral_params, validate_reserve_config,
};
use crate::emode::{
    EModeCategory, is_reserve_enabled_on_bitmap, set_reserve_bitmap_bit, validate_emode_params,
};
use crate::error::PoolError;
use crate::pool::Pool;
use crate::rate_strategy::validate_interest_rate_data;
use crate::reserve::ReserveData;
use crate::user::bits;
use crate::{AssetId, U256};

impl Pool {
    /// Lists a reserve (`PoolConfigurator.initReserves` followed by the configuration
    /// setters) and returns its id (listing order). Indexes start at RAY and both rates
    /// at 0 until the first action. If `cfg.frozen`, the reserve is frozen as by
    /// [`Pool::set_reserve_freeze`] (LTV parked in `pending_ltv`). Price starts at 0:
    /// set it with [`Pool::set_asset_price`].
    ///
    /// Errors: [`PoolError::NoMoreReservesAllowed`] (128 max) and the configuration
    /// errors of [`crate::config::validate_reserve_config`].
    ///
    /// A v2 pool lists with the v2 rules of `init_reserve_v2` (protocol-math-aave-v2-uniswap-v3.md
    /// §A.2): any reserve factor, optimal ≤ 100 %, caps ignored, `paused` rejected
    /// ([`PoolError::UnsupportedInVersion`]), stable borrowing enabled with borrowing.
    pub fn init_reserve(&mut self, now: u64, cfg: ReserveConfig) -> Result<AssetId, PoolError> {
        if self.version.is_v2() {
            return self.init_reserve_v2(now, cfg);
        }
        if self.reserves.len() >= MAX_RESERVES_COUNT {
            return Err(PoolError::NoMoreReservesAllowed);
        }
        validate_reserve_config(&cfg)?;
        let id = self.reserves.len();
        let frozen = cfg.frozen;
        let mut r = ReserveData::new(id, cfg, now.max(self.created_at));
        if self.version.is_v3_0() {
            // v3.0 `ReserveLogic.init` leaves `lastUpdateTimestamp` at 0 until the first
            // action (rates are 0 and there is no debt, so nothing accrues meanwhile).
            r.last_update_timestamp = 0;
        } else {
            // v3.6 `PoolConfigurator.initReserves` sets the variable borrow rate to the
            // strategy's base rate at listing (found by the revm conformance suite).
            r.current_variable_borrow_rate =
                crate::rate_strategy::bps_to_ray(r.config.rate.base_variable_borrow_rate);
        }
        if frozen && r.config.ltv != 0 {
            r.pending_ltv = r.config.ltv;
            r.config.ltv = 0;
        }
        self.reserves.push(r);
        self.prices.push(U256::ZERO);
        Ok(id)
    }

    /// Creates or replaces e-mode category `cat.id` with its parameters and bitmaps,
    /// combining `setEModeCategory`, `setAssetCollateralInEMode`,
    /// `setAssetBorrowableInEMode` and `setAssetLtvzeroInEMode` (v3.6). Rules kept:
    /// bits must name listed reserves; a frozen reserve cannot be newly added as
    /// collateral, and keeps its LTV-zero bit while frozen (silently re-set: on-chain
    /// clearing it reverts); removing a collateral bit clears its
    /// LTV-zero bit (and, for an LT-0 reserve, needs no suppliers); LTV-zero bits must
    /// be collateral bits.
    ///
    /// Errors: [`PoolError::EModeCategoryReserved`], [`PoolError::InvalidEmodeCategoryParams`],
    /// [`PoolError::AssetNotListed`], [`PoolError::ReserveFrozen`],
    /// [`PoolError::MustBeEmodeCollateral`], [`PoolError::ReserveLiquidityNotZero`].
    ///
    /// A v2 pool has no e-mode: [`PoolError::UnsupportedInVersion`].
    pub fn set_emode_category(&mut self, cat: EModeCategory) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        validate_emode_params(&cat)?;
        let listed = self.reserves.len();
        let all = cat.collateral_bitmap | cat.borrowable_bitmap | cat.ltvzero_bitmap;
        if bits(all).any(|i| i >= listed) {
            return Err(PoolError::AssetNotListed);
        }
        let old = &self.emodes[usize::from(cat.id)];
        let mut ltvzero = cat.ltvzero_bitmap;
        for i in bits(old.collateral_bitmap & !cat.collateral_bitmap) {
            let r = &self.reserves[i];
            if r.config.liquidation_threshold == 0 && !r.scaled_total_supply.is_zero() {
                return Err(PoolError::ReserveLiquidityNotZero);
            }
            ltvzero = set_reserve_bitmap_bit(ltvzero, i, false);
        }
        for i in bits(cat.collateral_bitmap) {
            if !self.reserves[i].config.frozen {
                continue;
            }
            if !is_reserve_enabled_on_bitmap(old.collateral_bitmap, i) {
                return Err(PoolError::ReserveFrozen);
            }
            ltvzero = set_reserve_bitmap_bit(ltvzero, i, true);
        }
        if let Some(i) = bits(ltvzero & !cat.collateral_bitmap).next() {
            return Err(PoolError::MustBeEmodeCollateral {
                asset: i,
                category: cat.id,
            });
        }
        let id = usize::from(cat.id);
        self.emodes[id] = EModeCategory {
            ltvzero_bitmap: ltvzero,
            ..cat
        };
        Ok(())
    }

    /// Sets the oracle price of `asset` (`AaveOracle.getAssetPrice`, 8-dp USD). Unknown
    /// assets are ignored. In a v2 pool the price is **ETH wei per whole token**
    /// (18-decimal ETH base, `PriceOracle.setAssetPrice`; protocol-math-aave-v2-uniswap-v3.md
    /// §A.9).
    pub fn set_asset_price(&mut self, asset: AssetId, price: U256) {
        if let Some(p) = self.prices.get_mut(asset) {
            *p = price;
        }
    }

    /// Freezes / unfreezes a reserve. v3.6 semantics: freezing also applies LTV-zero
    /// (LTV → 0, old LTV kept in `pending_ltv`) and sets the reserve's bit in the
    /// LTV-zero bitmap of every e-mode category where it is collateral. **Unfreezing
    /// only clears the flag**: the LTV is restored separately with
    /// [`Pool::set_reserve_ltvzero`]`(asset, false)` and e-mode LTV with
    /// [`Pool::set_asset_ltvzero_in_emode`] (v3.1–v3.5 restored the LTV on unfreeze).
    /// `now` is unused (no accrual happens).
    ///
    /// Errors: [`PoolError::InvalidFreezeState`] (no change), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setReserveFreeze` (aave-v3-origin v3.6.0).
    pub fn set_reserve_freeze(
        &mut self,
        now: u64,
        asset: AssetId,
        frozen: bool,
    ) -> Result<(), PoolError> {
        let _ = now;
        self.check_asset(asset)?;
        if self.version.is_v3_0() || self.version.is_v2() {
            // v3.0 `setReserveFreeze` only sets the bit (no state check, LTV untouched), as
            // v2 `freezeReserve` / `unfreezeReserve` do.
            self.reserves[asset].config.frozen = frozen;
            return Ok(());
        }
        if self.reserves[asset].config.frozen == frozen {
            return Err(PoolError::InvalidFreezeState);
        }
        self.reserves[asset].config.frozen = frozen;
        if frozen {
            let r = &mut self.reserves[asset];
            if r.config.ltv != 0 {
                r.pending_ltv = r.config.ltv;
                r.config.ltv = 0;
            }
            for cat in self.emodes.iter_mut().skip(1) {
                if is_reserve_enabled_on_bitmap(cat.collateral_bitmap, asset) {
                    cat.ltvzero_bitmap = set_reserve_bitmap_bit(cat.ltvzero_bitmap, asset, true);
                }
            }
        }
        Ok(())
    }

    /// Applies (`true`) or lifts (`false`) LTV-zero on a reserve outside e-mode:
    /// `true` parks a non-zero LTV in `pending_ltv`; `false` restores the pending LTV
    /// (reserve must not be frozen).
    ///
    /// Errors: [`PoolError::ReserveFrozen`], [`PoolError::InvalidLtvzeroState`] (nothing
    /// changed), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setReserveLtvzero` (aave-v3-origin v3.6.0).
    /// A v2 pool has no LTV-zero: [`PoolError::UnsupportedInVersion`].
    pub fn set_reserve_ltvzero(&mut self, asset: AssetId, ltv_zero: bool) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.check_asset(asset)?;
        let r = &mut self.reserves[asset];
        if ltv_zero {
            if r.config.ltv == 0 {
                return Err(PoolError::InvalidLtvzeroState);
            }
            r.pending_ltv = r.config.ltv;
            r.config.ltv = 0;
            return Ok(());
        }
        if r.config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        if r.pending_ltv == 0 || r.config.ltv != 0 {
            return Err(PoolError::InvalidLtvzeroState);
        }
        r.config.ltv = r.pending_ltv;
        r.pending_ltv = 0;
        Ok(())
    }

    /// Sets or clears the LTV-zero bit of `asset` in e-mode `category`.
    ///
    /// Errors: [`PoolError::AssetNotListed`], [`PoolError::MustBeEmodeCollateral`],
    /// [`PoolError::ReserveFrozen`] (clearing on a frozen reserve).
    /// Reproduces `PoolConfigurator.setAssetLtvzeroInEMode` (aave-v3-origin v3.6.0).
    pub fn set_asset_ltvzero_in_emode(
        &mut self,
        asset: AssetId,
        category: u8,
        ltvzero: bool,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.check_asset(asset)?;
        let cat = &mut self.emodes[usize::from(category)];
        if !is_reserve_enabled_on_bitmap(cat.collateral_bitmap, asset) {
            return Err(PoolError::MustBeEmodeCollateral { asset, category });
        }
        if !ltvzero && self.reserves[asset].config.frozen {
            return Err(PoolError::ReserveFrozen);
        }
        cat.ltvzero_bitmap = set_reserve_bitmap_bit(cat.ltvzero_bitmap, asset, ltvzero);
        Ok(())
    }

    /// Pauses / unpauses a reserve. Unpausing with `grace_period_s ≠ 0` blocks
    /// liquidations involving the reserve until `now + grace_period_s` (inclusive).
    ///
    /// Errors: [`PoolError::InvalidGracePeriod`] (> 4 h), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setReservePause(asset, paused, gracePeriod)`.
    /// A v2 pool has only the global pause ([`Pool::set_pool_pause`]):
    /// [`PoolError::UnsupportedInVersion`].
    pub fn set_reserve_pause(
        &mut self,
        now: u64,
        asset: AssetId,
        paused: bool,
        grace_period_s: u64,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.check_asset(asset)?;
        if !paused && grace_period_s != 0 {
            if grace_period_s > MAX_GRACE_PERIOD {
                return Err(PoolError::InvalidGracePeriod);
            }
            self.reserves[asset].liquidation_grace_period_until = now + grace_period_s;
        }
        self.reserves[asset].config.paused = paused;
        Ok(())
    }

    /// Activates / deactivates a reserve; deactivation needs no suppliers.
    ///
    /// Errors: [`PoolError::ReserveLiquidityNotZero`], [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setReserveActive`. In a v2 pool deactivation needs a
    /// zero aToken underlying balance and a zero liquidity rate (`_checkNoLiquidity`, `34`).
    pub fn set_reserve_active(&mut self, asset: AssetId, active: bool) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.set_reserve_active_v2(asset, active);
        }
        self.check_asset(asset)?;
        if !active {
            self.check_no_suppliers(asset)?;
        }
        self.reserves[asset].active = active;
        Ok(())
    }

    /// `_checkNoSuppliers`: aToken supply and `accruedToTreasury` both zero.
    fn check_no_suppliers(&self, asset: AssetId) -> Result<(), PoolError> {
        let r = &self.reserves[asset];
        if r.scaled_total_supply.is_zero() && r.accrued_to_treasury.is_zero() {
            Ok(())
        } else {
            Err(PoolError::ReserveLiquidityNotZero)
        }
    }

    /// Replaces the rate parameters: indexes are synced to `now` first, rates
    /// recomputed after (`syncIndexesState` / `syncRatesState`).
    ///
    /// Errors: the rate-parameter errors, [`PoolError::AssetNotListed`],
    /// [`PoolError::InvalidTimestamp`], math errors.
    /// Reproduces `PoolConfigurator.setReserveInterestRateData`.
    ///
    /// In a v2 pool this is a strategy replacement with **no** sync (only optimal ≤ 100 %
    /// is checked); the new parameters apply from the next rate update.
    pub fn set_interest_rate_data(
        &mut self,
        now: u64,
        asset: AssetId,
        data: InterestRateData,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.set_interest_rate_data_v2(asset, data);
        }
        self.check_asset(asset)?;
        validate_interest_rate_data(&data)?;
        self.reconfigure_with_sync(now, asset, |c| c.rate = data)
    }

    /// Sets the reserve factor (bps) with index sync before and rate sync after.
    ///
    /// Errors: [`PoolError::InvalidReserveFactor`] (> 10000), [`PoolError::AssetNotListed`],
    /// [`PoolError::InvalidTimestamp`], math errors.
    /// Reproduces `PoolConfigurator.setReserveFactor`.
    ///
    /// In a v2 pool any 16-bit value is accepted and nothing is synced (§A.12): the next
    /// `updateState` applies it to the whole elapsed period; above 10000 bps every rate
    /// update then reverts with `"SafeMath: subtraction overflow"`.
    pub fn set_reserve_factor(
        &mut self,
        now: u64,
        asset: AssetId,
        reserve_factor: u16,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.set_reserve_factor_v2(asset, reserve_factor);
        }
        self.check_asset(asset)?;
        if reserve_factor > BPS {
            return Err(PoolError::InvalidReserveFactor);
        }
        self.reconfigure_with_sync(now, asset, |c| c.reserve_factor = reserve_factor)
    }

    /// `syncIndexesState`, config change, `syncRatesState`, atomically.
    fn reconfigure_with_sync(
        &mut self,
        now: u64,
        asset: AssetId,
        change: impl FnOnce(&mut ReserveConfig),
    ) -> Result<(), PoolError> {
        let v = self.version;
        let old = self.reserves[asset].config.clone();
        let result = self.atomic(&[], |p| {
            let r = &mut p.reserves[asset];
            r.update_state(now, v)?;
            change(&mut r.config);
            r.update_rates_and_virtual_balance(U256::ZERO, U256::ZERO, v)
        });
        if result.is_err() {
            self.reserves[asset].config = old;
        }
        result
    }

    /// Sets the LTV (bps) keeping LT and bonus: `configureReserveAsCollateral(asset,
    /// ltv, LT, bonus)`. While frozen, the value goes to `pending_ltv` and the
    /// effective LTV stays 0. `now` is unused.
    ///
    /// Errors: as [`Pool::configure_reserve_as_collateral`].
    pub fn set_reserve_ltv(&mut self, now: u64, asset: AssetId, ltv: u16) -> Result<(), PoolError> {
        let _ = now;
        self.check_asset(asset)?;
        let c = &self.reserves[asset].config;
        let (lt, bonus) = (c.liquidation_threshold, c.liquidation_bonus);
        self.configure_reserve_as_collateral(asset, ltv, lt, bonus)
    }

    /// Sets LTV, liquidation threshold and bonus (bps). Frozen reserve: LTV is parked
    /// in `pending_ltv`; otherwise any pending LTV is dropped.
    ///
    /// Errors: [`PoolError::InvalidReserveParams`], [`PoolError::ReserveLiquidityNotZero`]
    /// (LT = 0 with suppliers), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.configureReserveAsCollateral` (v3.6.0).
    ///
    /// In a v2 pool: the same invariants (`75`), `_checkNoLiquidity` (`34`) when LT is set
    /// to 0, and the LTV is always set directly (no pending LTV).
    pub fn configure_reserve_as_collateral(
        &mut self,
        asset: AssetId,
        ltv: u16,
        lt: u16,
        bonus: u16,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.configure_reserve_as_collateral_v2(asset, ltv, lt, bonus);
        }
        self.check_asset(asset)?;
        validate_collateral_params(ltv, lt, bonus)?;
        if lt == 0 {
            self.check_no_suppliers(asset)?;
        }
        let r = &mut self.reserves[asset];
        if r.config.frozen {
            r.pending_ltv = ltv;
        } else {
            r.pending_ltv = 0;
            r.config.ltv = ltv;
        }
        r.config.liquidation_threshold = lt;
        r.config.liquidation_bonus = bonus;
        Ok(())
    }

    /// Sets the stable-rate immutables of a v3.0 reserve's V1 strategy (no effect on the
    /// rates until the next action; ignored by v3.6 pools).
    ///
    /// Errors: [`PoolError::AssetNotListed`].
    pub fn set_stable_rate_params(
        &mut self,
        asset: AssetId,
        params: crate::config::StableRateParams,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        self.reserves[asset].stable_params = params;
        Ok(())
    }

    /// Sets the supply cap (whole tokens, 0 = none).
    ///
    /// Errors: [`PoolError::InvalidSupplyCap`] (> 2^36 − 1), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setSupplyCap`.
    pub fn set_supply_cap(&mut self, asset: AssetId, cap: u64) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        if cap > MAX_VALID_CAP {
            return Err(PoolError::InvalidSupplyCap);
        }
        self.reserves[asset].config.supply_cap = cap;
        Ok(())
    }

    /// Sets the borrow cap (whole tokens, 0 = none).
    ///
    /// Errors: [`PoolError::InvalidBorrowCap`] (> 2^36 − 1), [`PoolError::AssetNotListed`].
    /// Reproduces `PoolConfigurator.setBorrowCap`.
    pub fn set_borrow_cap(&mut self, asset: AssetId, cap: u64) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        if cap > MAX_VALID_CAP {
            return Err(PoolError::InvalidBorrowCap);
        }
        self.reserves[asset].config.borrow_cap = cap;
        Ok(())
    }

    /// Enables / disables borrowing outside e-mode.
    ///
    /// Errors: [`PoolError::AssetNotListed`]. Reproduces `PoolConfigurator.setReserveBorrowing`.
    pub fn set_reserve_borrowing(
        &mut self,
        asset: AssetId,
        enabled: bool,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        self.reserves[asset].config.borrowing_enabled = enabled;
        Ok(())
    }

    /// Sets the liquidation protocol fee (bps of the bonus).
    ///
    /// Errors: [`PoolError::InvalidLiquidationProtocolFee`] (> 10000),
    /// [`PoolError::AssetNotListed`]. Reproduces `PoolConfigurator.setLiquidationProtocolFee`.
    pub fn set_liquidation_protocol_fee(
        &mut self,
        asset: AssetId,
        fee: u16,
    ) -> Result<(), PoolError> {
        self.check_asset(asset)?;
        if fee > BPS {
            return Err(PoolError::InvalidLiquidationProtocolFee);
        }
        self.reserves[asset].config.liquidation_protocol_fee = fee;
        Ok(())
    }

    /// Mints `accruedToTreasury` of each listed active reserve to the treasury as aTokens
    /// (no index update). Anyone can call it on-chain.
    ///
    /// Errors: [`PoolError::MathOverflow`].
    /// Reproduces `PoolLogic.executeMintToTreasury`.
    pub fn mint_to_treasury(&mut self, assets: &[AssetId]) -> Result<(), PoolError> {
        self.atomic(&[], |p| p.execute_mint_to_treasury(assets))
    }

    fn execute_mint_to_treasury(&mut self, assets: &[AssetId]) -> Result<(), PoolError> {
        for &a in assets {
            let Some(r) = self.reserves.get_mut(a) else {
                continue;
            };
            if !r.active || r.accrued_to_treasury.is_zero() {
                continue;
            }
            let scaled = r.accrued_to_treasury;
            r.treasury_scaled = crate::error::add(r.treasury_scaled, scaled)?;
            r.scaled_total_supply = crate::error::add(r.scaled_total_supply, scaled)?;
            r.accrued_to_treasury = U256::ZERO;
        }
        Ok(())
    }
}
