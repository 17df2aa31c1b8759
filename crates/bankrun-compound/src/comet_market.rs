//! A runnable Compound III (Comet) market in the contract's integer units.
//!
//! Source: `compound-finance/comet@d5a30b0a` — `Comet.sol` (constructor,
//! `getPackedAssetInternal`/`getAssetInfo`, `accrueInternal`, `getUtilization`,
//! `get{Supply,Borrow}Rate`, `getReserves`, `getCollateralReserves`,
//! `isBorrowCollateralized`, `isLiquidatable`, `supplyBase`, `supplyCollateral`,
//! `withdrawBase`, `withdrawCollateral`, `absorb`/`absorbInternal`, `buyCollateral`,
//! `quoteCollateral`, `withdrawReserves`, `balanceOf`, `borrowBalanceOf`, `pause`),
//! `CometCore.sol` (present/principal value) and `CometMath.sol` (safe casts),
//! re-written from their behaviour.
//!
//! # Units
//! Base amounts in base-token wei (`baseScale` = 10^decimals); collateral in its own wei;
//! indexes ·1e15 (`BASE_INDEX_SCALE`); rates and factors ·1e18 (`FACTOR_SCALE`), rates
//! per second; prices USD·1e8 (Chainlink-style feeds, [`CometPrices`]); time in unix
//! seconds (`uint40`). An account's base position is one signed principal (`int104`,
//! an `i128` here): positive = supply, negative = borrow.
//!
//! # Token balances
//! The market keeps the ERC-20 balances the contract holds (`baseToken.balanceOf(comet)`
//! and each collateral's), so that `getReserves = balance − totalSupply + totalBorrow`
//! (signed) and `getCollateralReserves = balance − totalSupplyAsset` are computed as on
//! chain. Users' wallets are the caller's business: a supply adds to the contract's
//! balance, a withdrawal takes from it and fails with
//! [`CometError::TransferOutFailed`] if the contract does not hold the amount.
//!
//! # Omitted
//! Reward tracking (`trackingSupplyIndex`, `baseTrackingAccrued`), `transfer`/`allow`,
//! the gas part of liquidator points (`approxSpend`), fee-on-transfer tokens, the
//! governor/pause-guardian authorization checks (the caller is trusted).
//!
//! Every operation is atomic: on error the market is left as it was.

mod account;
mod liquidation;
mod value;

use std::collections::BTreeMap;

use crate::comet::{CometCurve, accrue_index, present_value, utilization};
use crate::exp::sub;
use crate::{AccountId, CometError, CompoundError, I256, U256};
pub use liquidation::{AbsorbCollateral, Absorption, LiquidatorPoints};
pub use value::{FACTOR_SCALE, PRICE_SCALE};
use value::{Res, present_value_signed, safe64, safe104, signed256};

/// Collateral slots of `Comet.sol` at `d5a30b0a` (`asset00` … `asset11`).
pub const MAX_ASSETS: usize = 12;
/// `BASE_ACCRUAL_SCALE` = 1e6: the smallest allowed `baseScale`.
pub const BASE_ACCRUAL_SCALE: u64 = 1_000_000;
/// Largest timestamp + 1 (`getNowInternal` requires `block.timestamp < 2^40`).
pub const TIMESTAMP_LIMIT: u64 = 1 << 40;
/// `PAUSE_SUPPLY_OFFSET`.
pub const PAUSE_SUPPLY_OFFSET: u8 = 0;
/// `PAUSE_TRANSFER_OFFSET`.
pub const PAUSE_TRANSFER_OFFSET: u8 = 1;
/// `PAUSE_WITHDRAW_OFFSET`.
pub const PAUSE_WITHDRAW_OFFSET: u8 = 2;
/// `PAUSE_ABSORB_OFFSET`.
pub const PAUSE_ABSORB_OFFSET: u8 = 3;
/// `PAUSE_BUY_OFFSET`.
pub const PAUSE_BUY_OFFSET: u8 = 4;

/// Which token: the base token or the collateral asset at `offset`
/// (`AssetInfo.offset`; an address on chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CometAsset {
    /// The base token (`baseToken`, priced by `baseTokenPriceFeed`).
    Base,
    /// Collateral asset by offset (0 … `numAssets − 1`).
    Collateral(u8),
}

/// The price feeds Comet reads (`getPrice(priceFeed)`): USD·1e8 per whole token.
/// A caller's oracle registry implements this; a zero answer is `BadPrice`.
pub trait CometPrices {
    /// The current answer of `asset`'s feed (USD·1e8).
    ///
    /// # Errors
    /// Whatever the feed's owner deems a revert (e.g. [`CometError::BadAsset`]).
    fn price(&self, asset: CometAsset) -> Result<U256, CompoundError>;
}

/// A fixed price table (USD·1e8): the base price and one price per collateral offset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CometPriceTable {
    /// Base-token price (USD·1e8).
    pub base: U256,
    /// Collateral prices by offset (USD·1e8).
    pub collateral: Vec<U256>,
}

impl CometPrices for CometPriceTable {
    fn price(&self, asset: CometAsset) -> Result<U256, CompoundError> {
        match asset {
            CometAsset::Base => Ok(self.base),
            CometAsset::Collateral(i) => self
                .collateral
                .get(usize::from(i))
                .copied()
                .ok_or(CometError::BadAsset.into()),
        }
    }
}

/// `CometConfiguration.AssetConfig` (the fields that matter to the market).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetConfig {
    /// `decimals` of the collateral token (≤ 18).
    pub decimals: u8,
    /// `borrowCollateralFactor` (1e18; kept to 4 decimals).
    pub borrow_collateral_factor: U256,
    /// `liquidateCollateralFactor` (1e18; kept to 4 decimals).
    pub liquidate_collateral_factor: U256,
    /// `liquidationFactor` (1e18; kept to 4 decimals): share of the collateral value
    /// credited to an absorbed account.
    pub liquidation_factor: U256,
    /// `supplyCap` (collateral wei; kept in whole tokens).
    pub supply_cap: U256,
}

/// `CometConfiguration.Configuration` (market parameters; per-year rates 1e18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CometConfiguration {
    /// `baseToken.decimals()` (6 … 18).
    pub base_decimals: u8,
    /// `supplyKink` (utilization, 1e18).
    pub supply_kink: U256,
    /// `supplyPerYearInterestRateSlopeLow` (1e18 / yr).
    pub supply_per_year_interest_rate_slope_low: U256,
    /// `supplyPerYearInterestRateSlopeHigh` (1e18 / yr).
    pub supply_per_year_interest_rate_slope_high: U256,
    /// `supplyPerYearInterestRateBase` (1e18 / yr).
    pub supply_per_year_interest_rate_base: U256,
    /// `borrowKink` (utilization, 1e18).
    pub borrow_kink: U256,
    /// `borrowPerYearInterestRateSlopeLow` (1e18 / yr).
    pub borrow_per_year_interest_rate_slope_low: U256,
    /// `borrowPerYearInterestRateSlopeHigh` (1e18 / yr).
    pub borrow_per_year_interest_rate_slope_high: U256,
    /// `borrowPerYearInterestRateBase` (1e18 / yr).
    pub borrow_per_year_interest_rate_base: U256,
    /// `storeFrontPriceFactor` (1e18, ≤ 1e18).
    pub store_front_price_factor: U256,
    /// `baseBorrowMin` (base wei).
    pub base_borrow_min: U256,
    /// `targetReserves` (base wei).
    pub target_reserves: U256,
    /// `assetConfigs`, in offset order.
    pub asset_configs: Vec<AssetConfig>,
}

/// `CometCore.AssetInfo`: a collateral asset as the contract stores it (factors
/// truncated to 4 decimals, supply cap to whole tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetInfo {
    /// `offset` (bit in `assetsIn`).
    pub offset: u8,
    /// `scale` = 10^decimals.
    pub scale: U256,
    /// `borrowCollateralFactor` (1e18).
    pub borrow_collateral_factor: U256,
    /// `liquidateCollateralFactor` (1e18).
    pub liquidate_collateral_factor: U256,
    /// `liquidationFactor` (1e18).
    pub liquidation_factor: U256,
    /// `supplyCap` (collateral wei).
    pub supply_cap: U256,
}

/// Market-wide state (`TotalsBasic`, `totalsCollateral`, the contract's token
/// balances): what a reverted call must restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CometTotals {
    /// `baseSupplyIndex` (1e15, `uint64`).
    pub base_supply_index: U256,
    /// `baseBorrowIndex` (1e15, `uint64`).
    pub base_borrow_index: U256,
    /// `totalSupplyBase` (supply principal, `uint104`).
    pub total_supply_base: U256,
    /// `totalBorrowBase` (borrow principal, `uint104`).
    pub total_borrow_base: U256,
    /// `lastAccrualTime` (unix seconds).
    pub last_accrual_time: u64,
    /// `pauseFlags` (bits `PAUSE_*_OFFSET`).
    pub pause_flags: u8,
    /// `totalsCollateral[asset].totalSupplyAsset` by offset (collateral wei).
    pub total_supply_asset: Vec<U256>,
    /// `baseToken.balanceOf(comet)` (base wei).
    pub base_balance: U256,
    /// `collateral.balanceOf(comet)` by offset (collateral wei).
    pub collateral_balance: Vec<U256>,
}

/// One account: `userBasic` (principal, `assetsIn`) and `userCollateral` balances.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CometAccount {
    /// `principal` (`int104`, base wei at index 1e15): > 0 supply, < 0 borrow.
    pub principal: i128,
    /// `assetsIn`: bit `offset` set while the collateral balance is non-zero.
    pub assets_in: u16,
    /// `userCollateral[account][asset].balance` by offset (collateral wei, `uint128`).
    pub collateral: Vec<U256>,
}

/// A Comet market. Invariants kept by the operations: `totalSupplyBase` /
/// `totalBorrowBase` are the sums of the positive / negative principals, each
/// `totalSupplyAsset` is the sum of the accounts' collateral balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comet {
    /// `baseScale` = 10^decimals.
    pub base_scale: U256,
    /// Supply curve (per second: constructor division by `SECONDS_PER_YEAR`).
    pub supply_curve: CometCurve,
    /// Borrow curve (per second).
    pub borrow_curve: CometCurve,
    /// `storeFrontPriceFactor` (1e18).
    pub store_front_price_factor: U256,
    /// `baseBorrowMin` (base wei).
    pub base_borrow_min: U256,
    /// `targetReserves` (base wei).
    pub target_reserves: U256,
    /// Collateral assets by offset.
    pub assets: Vec<AssetInfo>,
    /// Market-wide state.
    pub totals: CometTotals,
    /// Accounts (absent = all zero).
    pub accounts: BTreeMap<AccountId, CometAccount>,
    /// `liquidatorPoints` by absorber.
    pub liquidator_points: BTreeMap<AccountId, LiquidatorPoints>,
}

/// `getNowInternal`: `now < 2^40`.
fn check_now(now: u64) -> Res<u64> {
    if now >= TIMESTAMP_LIMIT {
        return Err(CometError::TimestampTooLarge.into());
    }
    Ok(now)
}

/// Per-year rate → bounded `uint64` as in `Configuration`.
fn per_year(x: U256) -> Res<U256> {
    safe64(x)
}

/// `getPackedAssetInternal` then `getAssetInfo`: range checks, 4-decimal factors,
/// whole-token supply cap.
fn asset_info(offset: u8, c: &AssetConfig) -> Res<AssetInfo> {
    if c.decimals > 18 {
        return Err(CometError::BadDecimals.into());
    }
    if c.borrow_collateral_factor >= c.liquidate_collateral_factor {
        return Err(CometError::BorrowCFTooLarge.into());
    }
    if c.liquidate_collateral_factor > FACTOR_SCALE {
        return Err(CometError::LiquidateCFTooLarge.into());
    }
    let descale = U256::from(100_000_000_000_000u64); // FACTOR_SCALE / 1e4
    let keep4 = |f: U256| -> Res<U256> {
        let d = f / descale;
        // The contract packs each factor in a uint16 (it would truncate silently).
        if d > U256::from(u16::MAX) {
            return Err(CompoundError::InvalidParameter);
        }
        Ok(d * descale)
    };
    let borrow_cf = keep4(c.borrow_collateral_factor)?;
    let liquidate_cf = keep4(c.liquidate_collateral_factor)?;
    if borrow_cf >= liquidate_cf {
        return Err(CometError::BorrowCFTooLarge.into());
    }
    let scale = U256::from(10u64).pow(U256::from(c.decimals));
    let whole = safe64(c.supply_cap / scale)?;
    Ok(AssetInfo {
        offset,
        scale,
        borrow_collateral_factor: borrow_cf,
        liquidate_collateral_factor: liquidate_cf,
        liquidation_factor: keep4(c.liquidation_factor)?,
        supply_cap: whole * scale,
    })
}

impl Comet {
    /// Constructor + `initializeStorage` at time `now`: indexes 1e15, nothing supplied.
    ///
    /// # Errors
    /// `BadDecimals`, `BadDiscount`, `TooManyAssets`, `BorrowCFTooLarge`,
    /// `LiquidateCFTooLarge`, `InvalidUInt64`/`InvalidUInt104` for values that do not
    /// fit the contract's storage types, `TimestampTooLarge`.
    pub fn new(config: &CometConfiguration, now: u64) -> Result<Comet, CompoundError> {
        let now = check_now(now)?;
        if config.base_decimals > 18 {
            return Err(CometError::BadDecimals.into());
        }
        if config.store_front_price_factor > FACTOR_SCALE {
            return Err(CometError::BadDiscount.into());
        }
        if config.asset_configs.len() > MAX_ASSETS {
            return Err(CometError::TooManyAssets.into());
        }
        let base_scale = U256::from(10u64).pow(U256::from(config.base_decimals));
        if base_scale < U256::from(BASE_ACCRUAL_SCALE) {
            return Err(CometError::BadDecimals.into());
        }
        let c = config;
        let supply_curve = CometCurve::from_per_year(
            per_year(c.supply_kink)?,
            per_year(c.supply_per_year_interest_rate_base)?,
            per_year(c.supply_per_year_interest_rate_slope_low)?,
            per_year(c.supply_per_year_interest_rate_slope_high)?,
        );
        let borrow_curve = CometCurve::from_per_year(
            per_year(c.borrow_kink)?,
            per_year(c.borrow_per_year_interest_rate_base)?,
            per_year(c.borrow_per_year_interest_rate_slope_low)?,
            per_year(c.borrow_per_year_interest_rate_slope_high)?,
        );
        let assets = (0u8..)
            .zip(&c.asset_configs)
            .map(|(i, a)| asset_info(i, a))
            .collect::<Res<Vec<_>>>()?;
        let n = assets.len();
        Ok(Comet {
            base_scale,
            supply_curve,
            borrow_curve,
            store_front_price_factor: c.store_front_price_factor,
            base_borrow_min: safe104(c.base_borrow_min)?,
            target_reserves: safe104(c.target_reserves)?,
            assets,
            totals: CometTotals {
                base_supply_index: crate::comet::BASE_INDEX_SCALE,
                base_borrow_index: crate::comet::BASE_INDEX_SCALE,
                total_supply_base: U256::ZERO,
                total_borrow_base: U256::ZERO,
                last_accrual_time: now,
                pause_flags: 0,
                total_supply_asset: vec![U256::ZERO; n],
                base_balance: U256::ZERO,
                collateral_balance: vec![U256::ZERO; n],
            },
            accounts: BTreeMap::new(),
            liquidator_points: BTreeMap::new(),
        })
    }

    /// `numAssets`.
    pub fn num_assets(&self) -> u8 {
        // At most MAX_ASSETS (12) entries, checked in `new`.
        u8::try_from(self.assets.len()).unwrap_or(u8::MAX)
    }

    /// `getAssetInfo(i)`.
    ///
    /// # Errors
    /// [`CometError::BadAsset`] for an unknown offset.
    pub fn get_asset_info(&self, asset: u8) -> Result<AssetInfo, CompoundError> {
        self.assets
            .get(usize::from(asset))
            .copied()
            .ok_or(CometError::BadAsset.into())
    }

    /// An account's state (all zero if it never acted).
    pub fn account(&self, account: AccountId) -> CometAccount {
        self.accounts
            .get(&account)
            .cloned()
            .unwrap_or_else(|| CometAccount {
                collateral: vec![U256::ZERO; self.assets.len()],
                ..CometAccount::default()
            })
    }

    /// `userBasic[account].principal` (`int104`).
    pub fn principal(&self, account: AccountId) -> i128 {
        self.accounts.get(&account).map_or(0, |a| a.principal)
    }

    /// `collateralBalanceOf(account, asset)` (collateral wei; 0 for unknown assets).
    pub fn collateral_balance_of(&self, account: AccountId, asset: u8) -> U256 {
        self.accounts
            .get(&account)
            .and_then(|a| a.collateral.get(usize::from(asset)).copied())
            .unwrap_or(U256::ZERO)
    }

    pub(crate) fn account_mut(&mut self, account: AccountId) -> &mut CometAccount {
        let n = self.assets.len();
        self.accounts
            .entry(account)
            .or_insert_with(|| CometAccount {
                collateral: vec![U256::ZERO; n],
                ..CometAccount::default()
            })
    }

    /// Runs `f`; on error restores the market totals and the `touched` accounts (a
    /// reverted transaction leaves no trace).
    pub(crate) fn transact<T>(
        &mut self,
        touched: &[AccountId],
        f: impl FnOnce(&mut Self) -> Res<T>,
    ) -> Res<T> {
        let totals = self.totals.clone();
        let saved: Vec<(AccountId, Option<CometAccount>)> = touched
            .iter()
            .map(|a| (*a, self.accounts.get(a).cloned()))
            .collect();
        let out = f(self);
        if out.is_err() {
            self.totals = totals;
            // Reverse order: with duplicates, the first (original) copy wins.
            for (a, acc) in saved.into_iter().rev() {
                match acc {
                    Some(acc) => self.accounts.insert(a, acc),
                    None => self.accounts.remove(&a),
                };
            }
        }
        out
    }

    /// `getSupplyRate(utilization)` (1e18 / s, `uint64`).
    ///
    /// # Errors
    /// Overflow, `InvalidUInt64`.
    pub fn get_supply_rate(&self, utilization: U256) -> Result<U256, CompoundError> {
        safe64(self.supply_curve.rate(utilization)?)
    }

    /// `getBorrowRate(utilization)` (1e18 / s, `uint64`).
    ///
    /// # Errors
    /// Overflow, `InvalidUInt64`.
    pub fn get_borrow_rate(&self, utilization: U256) -> Result<U256, CompoundError> {
        safe64(self.borrow_curve.rate(utilization)?)
    }

    /// `getUtilization()` at the stored indexes (1e18): `totalBorrow·1e18/totalSupply`.
    ///
    /// # Errors
    /// Overflow.
    pub fn get_utilization(&self) -> Result<U256, CompoundError> {
        let t = &self.totals;
        utilization(
            present_value(t.total_supply_base, t.base_supply_index)?,
            present_value(t.total_borrow_base, t.base_borrow_index)?,
        )
    }

    /// `accruedInterestIndices(now − lastAccrualTime)`: (supply, borrow) indexes at
    /// `now`, from the rates at the stored utilization (simple interest in between).
    ///
    /// # Errors
    /// `TimestampTooLarge`, `TimestampInPast`, overflow of the `uint64` indexes.
    pub fn accrued_interest_indices(&self, now: u64) -> Result<(U256, U256), CompoundError> {
        let now = check_now(now)?;
        let t = &self.totals;
        let elapsed = now
            .checked_sub(t.last_accrual_time)
            .ok_or(CometError::TimestampInPast)?;
        if elapsed == 0 {
            return Ok((t.base_supply_index, t.base_borrow_index));
        }
        let u = self.get_utilization()?;
        let supply = accrue_index(t.base_supply_index, self.get_supply_rate(u)?, elapsed)?;
        let borrow = accrue_index(t.base_borrow_index, self.get_borrow_rate(u)?, elapsed)?;
        Ok((supply, borrow))
    }

    /// `accrueInternal()` at `now` (reward tracking omitted).
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`]; on error nothing changes.
    pub fn accrue(&mut self, now: u64) -> Result<(), CompoundError> {
        let (s, b) = self.accrued_interest_indices(now)?;
        if now > self.totals.last_accrual_time {
            self.totals.base_supply_index = s;
            self.totals.base_borrow_index = b;
            self.totals.last_accrual_time = now;
        }
        Ok(())
    }

    /// `totalSupply()` at `now` (base wei, projected indexes).
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`].
    pub fn total_supply(&self, now: u64) -> Result<U256, CompoundError> {
        let (s, _) = self.accrued_interest_indices(now)?;
        present_value(self.totals.total_supply_base, s)
    }

    /// `totalBorrow()` at `now` (base wei, projected indexes).
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`].
    pub fn total_borrow(&self, now: u64) -> Result<U256, CompoundError> {
        let (_, b) = self.accrued_interest_indices(now)?;
        present_value(self.totals.total_borrow_base, b)
    }

    /// `balanceOf(account)` at `now`: the supply balance, or 0 if borrowing (base wei).
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`].
    pub fn balance_of(&self, account: AccountId, now: u64) -> Result<U256, CompoundError> {
        let (s, _) = self.accrued_interest_indices(now)?;
        let p = self.principal(account);
        if p > 0 {
            return present_value(value::abs104(p), s);
        }
        Ok(U256::ZERO)
    }

    /// `borrowBalanceOf(account)` at `now`: the debt, or 0 if supplying (base wei).
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`].
    pub fn borrow_balance_of(&self, account: AccountId, now: u64) -> Result<U256, CompoundError> {
        let (_, b) = self.accrued_interest_indices(now)?;
        let p = self.principal(account);
        if p < 0 {
            return present_value(value::abs104(p), b);
        }
        Ok(U256::ZERO)
    }

    /// `presentValue(principal)` at the stored indexes: supply balance (> 0) or minus
    /// the debt (base wei, `int256`).
    ///
    /// # Errors
    /// Overflow.
    pub fn present_value_of(&self, account: AccountId) -> Result<I256, CompoundError> {
        let t = &self.totals;
        present_value_signed(
            self.principal(account),
            t.base_supply_index,
            t.base_borrow_index,
        )
    }

    /// `getReserves()` at `now` (base wei, signed): `balance − totalSupply + totalBorrow`.
    /// Negative after absorbs whose debt exceeded the collateral's value.
    ///
    /// # Errors
    /// As [`Comet::accrued_interest_indices`]; `InvalidInt256`.
    pub fn get_reserves(&self, now: u64) -> Result<I256, CompoundError> {
        let (s, b) = self.accrued_interest_indices(now)?;
        let t = &self.totals;
        let supply = signed256(present_value(t.total_supply_base, s)?)?;
        let borrow = signed256(present_value(t.total_borrow_base, b)?)?;
        value::iadd(value::isub(signed256(t.base_balance)?, supply)?, borrow)
    }

    /// `getCollateralReserves(asset)`: collateral the protocol owns (seized by absorb,
    /// not yet bought): `balanceOf(comet) − totalSupplyAsset`.
    ///
    /// # Errors
    /// `BadAsset`; underflow (cannot happen through this API).
    pub fn get_collateral_reserves(&self, asset: u8) -> Result<U256, CompoundError> {
        self.get_asset_info(asset)?;
        let i = usize::from(asset);
        let t = &self.totals;
        match (t.collateral_balance.get(i), t.total_supply_asset.get(i)) {
            (Some(b), Some(s)) => sub(*b, *s),
            _ => Err(CometError::BadAsset.into()),
        }
    }

    /// `pause(supplyPaused, transferPaused, withdrawPaused, absorbPaused, buyPaused)`
    /// (governor or pause guardian on chain).
    pub fn pause(&mut self, supply: bool, transfer: bool, withdraw: bool, absorb: bool, buy: bool) {
        let bit = |b: bool, off: u8| u8::from(b) << off;
        self.totals.pause_flags = bit(supply, PAUSE_SUPPLY_OFFSET)
            | bit(transfer, PAUSE_TRANSFER_OFFSET)
            | bit(withdraw, PAUSE_WITHDRAW_OFFSET)
            | bit(absorb, PAUSE_ABSORB_OFFSET)
            | bit(buy, PAUSE_BUY_OFFSET);
    }

    fn paused(&self, offset: u8) -> bool {
        self.totals.pause_flags & (1 << offset) != 0
    }

    /// `isSupplyPaused()`.
    pub fn is_supply_paused(&self) -> bool {
        self.paused(PAUSE_SUPPLY_OFFSET)
    }

    /// `isTransferPaused()`.
    pub fn is_transfer_paused(&self) -> bool {
        self.paused(PAUSE_TRANSFER_OFFSET)
    }

    /// `isWithdrawPaused()`.
    pub fn is_withdraw_paused(&self) -> bool {
        self.paused(PAUSE_WITHDRAW_OFFSET)
    }

    /// `isAbsorbPaused()`.
    pub fn is_absorb_paused(&self) -> bool {
        self.paused(PAUSE_ABSORB_OFFSET)
    }

    /// `isBuyPaused()`.
    pub fn is_buy_paused(&self) -> bool {
        self.paused(PAUSE_BUY_OFFSET)
    }
}

/// `getPrice(priceFeed)`: the feed's answer, `BadPrice` if zero.
pub(crate) fn get_price(prices: &dyn CometPrices, asset: CometAsset) -> Res<U256> {
    let p = prices.price(asset)?;
    if p.is_zero() {
        return Err(CometError::BadPrice.into());
    }
    Ok(p)
}
