//! Compound v2 (and Comet's rate/index math), reproduced exactly as the contracts behave.
//!
//! Source: `compound-finance/compound-protocol@a3214f67` (June 2022, the custom-error
//! release): `BaseJumpRateModelV2.sol`, `CToken.sol`, `Comptroller.sol`,
//! `ExponentialNoError.sol`; the price oracle of that era is Compound's
//! `UniswapAnchoredView` (open-oracle). Comet: `compound-finance/comet@d5a30b0a`
//! `Comet.sol`. BSD-3-Clause code, re-written from the formulas.
//!
//! # Units
//! Underlying amounts in token wei; cToken amounts in cToken wei (8 decimals on
//! mainnet); mantissas (rates, factors, exchange rates) scaled by 1e18 (`Exp`); rates are
//! **per block**; time in blocks (Compound v2) or seconds (Comet); oracle prices are
//! `getUnderlyingPrice` mantissas, i.e. USD·1e(36 − underlying decimals).
//!
//! # Modules
//! - [`exp`]: `ExponentialNoError` (`mul_`, `div_`, truncations).
//! - [`rate_model`]: `JumpRateModelV2` (and v1's multiplier convention).
//! - [`ctoken`]: one market: accrual, exchange rate, mint/redeem/borrow/repay/seize.
//! - [`comptroller`]: collateral factors, account liquidity, liquidation.
//! - [`oracle`]: `UniswapAnchoredView`-style prices with fixed stablecoin prices.
//! - [`comet`]: Compound III per-second rates and index accrual.
//! - [`comet_market`]: a runnable Comet market: supply, withdraw/borrow, absorb,
//!   buyCollateral, reserves.
//!
//! Every revert is a [`CompoundError`]; nothing panics. Operations are atomic: on error
//! the state is unchanged.

pub mod comet;
pub mod comet_market;
pub mod comptroller;
pub mod ctoken;
mod error;
pub mod exp;
pub mod oracle;
pub mod rate_model;

pub use alloy_primitives::I256;
pub use bankrun_math::U256;
pub use comet_market::{
    AssetConfig, AssetInfo, Comet, CometAsset, CometConfiguration, CometPriceTable, CometPrices,
};
pub use comptroller::{Comptroller, Market, MarketId};
pub use ctoken::CToken;
pub use error::{CometError, CompoundError, ComptrollerError};
pub use oracle::{PriceOracle, PriceSource, TokenConfig};
pub use rate_model::JumpRateModelV2;

/// Account id (an address on-chain; a dense index in the simulation).
pub type AccountId = u32;
