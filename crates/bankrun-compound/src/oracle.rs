//! Compound v2's price oracle: the `UniswapAnchoredView` era (2020–2023).
//!
//! Source: Compound `open-oracle` `UniswapAnchoredView.sol` (`priceInternal`,
//! `getUnderlyingPrice`, `validate`/`isWithinAnchor`), written from its rules:
//! - every market has a [`TokenConfig`] with its underlying `base_unit` (10^decimals) and
//!   a [`PriceSource`]: **fixed USD** (USDC and USDT: exactly $1, whatever the market
//!   does — the rule that kept USDC at $1 in Compound during the March 2023 depeg), fixed
//!   ETH (priced off the ETH price, e.g. SAI/WBTC-era configs), or a **reporter**
//!   (Chainlink) price;
//! - a reporter price is stored only if the anchor (a Uniswap TWAP) is within the
//!   tolerance: `anchorRatio = anchor·1e18/reporter ∈ [1e18 − tol, 1e18 + tol]`;
//!   otherwise the stored price is kept (`PriceGuarded`);
//! - `getUnderlyingPrice(cToken) = 1e30·price/baseUnit`, with `price` in USD·1e6, so the
//!   Comptroller sees USD·1e(36 − decimals) per underlying wei.
//!
//! Simplification: the anchor TWAP itself is an input (the caller computes it, e.g. from
//! a `bankrun-dex` pair's cumulative prices); reporter prices are given in USD·1e6
//! (the contract converts Chainlink's 8 decimals with `reporterMultiplier`).

use crate::exp::{EXP_SCALE, add, div, mul, sub};
use crate::{CompoundError, MarketId, U256};

/// How a market's price is determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// `FIXED_USD`: a constant USD·1e6 price (1_000_000 for USDC/USDT).
    FixedUsd(U256),
    /// `FIXED_ETH`: `usdPerEth·fixedPrice/1e18`, `fixedPrice` in ETH·1e18, with the ETH
    /// price read from market `eth`.
    FixedEth {
        /// Market holding the ETH reporter price.
        eth: MarketId,
        /// ETH per unit (1e18).
        fixed_price: U256,
    },
    /// `REPORTER`: the last validated reporter price (USD·1e6).
    Reporter,
}

/// Per-market oracle configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenConfig {
    /// `baseUnit` = 10^(underlying decimals).
    pub base_unit: U256,
    /// Price source.
    pub source: PriceSource,
}

/// The oracle state: configs and the last stored reporter prices (USD·1e6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceOracle {
    /// Configs by market id.
    pub configs: Vec<TokenConfig>,
    /// `prices[symbolHash].price` by market id (USD·1e6; 0 = not set).
    pub prices: Vec<U256>,
    /// `anchorToleranceMantissa` (1e18; e.g. 0.15e18 = ±15 %).
    pub anchor_tolerance: U256,
}

impl PriceOracle {
    /// An oracle with `anchor_tolerance` (1e18) and no markets.
    pub fn new(anchor_tolerance: U256) -> Self {
        PriceOracle {
            configs: Vec::new(),
            prices: Vec::new(),
            anchor_tolerance,
        }
    }

    /// Adds the config of the next market id.
    pub fn push(&mut self, config: TokenConfig) {
        self.configs.push(config);
        self.prices.push(U256::ZERO);
    }

    /// `priceInternal(config)` (USD·1e6); 0 when a reporter price is not set.
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`]; "ETH price not set" as
    /// [`CompoundError::InvalidParameter`]; overflow.
    pub fn price(&self, market: MarketId) -> Result<U256, CompoundError> {
        let cfg = self
            .configs
            .get(market)
            .ok_or(CompoundError::UnknownMarket)?;
        match cfg.source {
            PriceSource::FixedUsd(p) => Ok(p),
            PriceSource::Reporter => Ok(self.prices[market]),
            PriceSource::FixedEth { eth, fixed_price } => {
                let usd_per_eth = *self.prices.get(eth).ok_or(CompoundError::UnknownMarket)?;
                if usd_per_eth.is_zero() {
                    return Err(CompoundError::InvalidParameter);
                }
                div(mul(usd_per_eth, fixed_price)?, EXP_SCALE)
            }
        }
    }

    /// `getUnderlyingPrice(cToken)`: `1e30·price/baseUnit` (USD·1e(36 − decimals) per
    /// underlying wei, 1e18-scaled). 0 means "no price" (the Comptroller's
    /// `PRICE_ERROR`).
    ///
    /// # Errors
    /// As [`PriceOracle::price`].
    pub fn get_underlying_price(&self, market: MarketId) -> Result<U256, CompoundError> {
        let cfg = self
            .configs
            .get(market)
            .ok_or(CompoundError::UnknownMarket)?;
        let e30 = mul(EXP_SCALE, U256::from(1_000_000_000_000u64))?;
        div(mul(e30, self.price(market)?)?, cfg.base_unit)
    }

    /// `isWithinAnchor(reporter, anchor)`: `anchor·1e18/reporter` within `[1e18 − tol,
    /// 1e18 + tol]` (lower bound 1 if `tol ≥ 1e18`); false for a zero reporter price.
    ///
    /// # Errors
    /// Overflow.
    pub fn is_within_anchor(&self, reporter: U256, anchor: U256) -> Result<bool, CompoundError> {
        if reporter.is_zero() {
            return Ok(false);
        }
        let ratio = div(mul(anchor, EXP_SCALE)?, reporter)?;
        let upper = add(EXP_SCALE, self.anchor_tolerance)?;
        let lower = if self.anchor_tolerance < EXP_SCALE {
            sub(EXP_SCALE, self.anchor_tolerance)?
        } else {
            U256::from(1)
        };
        Ok(ratio <= upper && ratio >= lower)
    }

    /// `validate`: a reporter posts `reporter_price` (USD·1e6) for a `Reporter` market
    /// while the anchor TWAP is `anchor_price` (USD·1e6). Stores it and returns `true`
    /// if within the anchor; otherwise keeps the old price and returns `false`
    /// (`PriceGuarded`).
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`]; [`CompoundError::InvalidParameter`] for a
    /// non-reporter market; overflow.
    pub fn validate(
        &mut self,
        market: MarketId,
        reporter_price: U256,
        anchor_price: U256,
    ) -> Result<bool, CompoundError> {
        let cfg = self
            .configs
            .get(market)
            .ok_or(CompoundError::UnknownMarket)?;
        if cfg.source != PriceSource::Reporter {
            return Err(CompoundError::InvalidParameter);
        }
        let ok = self.is_within_anchor(reporter_price, anchor_price)?;
        if ok {
            self.prices[market] = reporter_price;
        }
        Ok(ok)
    }
}
