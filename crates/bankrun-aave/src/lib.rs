//! Aave v3.6 pool, reproduced exactly as the contracts behave (aave-v3-origin v3.6.0,
//! as deployed on Ethereum Core), for bank-run and liquidation-cascade simulation, with
//! version modes for Aave v3.0.2 ([`ProtocolVersion::V3_0`], module [`v30`]) and Aave v2
//! (`@aave/protocol-v2@1.0.1`, [`ProtocolVersion::V2`], module [`v2`]: stable debt, ETH
//! prices, immediate treasury minting, global pause).
//!
//! All protocol state and math use `U256` in contract units: token amounts in wei of
//! the token, indexes and rates in RAY (1e27, annual rates), prices in 8-decimal USD
//! base units, health factor in WAD (1e18), percentages in bps (1e4 = 100 %), time in
//! seconds.
//!
//! # Implemented (v3.6 semantics)
//! - `DefaultReserveInterestRateStrategyV2` with per-reserve bps parameters and its
//!   constraints; `unbacked = deficit`; virtual accounting (`virtualUnderlyingBalance`).
//! - Index accrual: linear supply interest, v3.4+ compounded borrow interest,
//!   `updateState` once per timestamp; reserve-factor accrual to the treasury.
//! - v3.5+ `TokenMath` directional rounding of aToken / variable-debt mint, burn,
//!   transfer and balance.
//! - Supply (auto-enable as collateral on first supply), withdraw, borrow, repay,
//!   collateral toggling, e-mode switching, with `ValidationLogic`'s checks and error
//!   order; reverts are atomic.
//! - Supply / borrow caps, frozen reserves (v3.6: freeze ⇒ LTV-zero incl. e-mode
//!   LTV-zero bitmaps; unfreeze does not restore LTV), paused reserves and the
//!   post-unpause liquidation grace period, active flag.
//! - Liquid e-mode with collateral, borrowable and (v3.6) LTV-zero bitmaps.
//! - `GenericLogic.calculateUserAccountData` (v3.6: HF = `wadDiv(Σ value·LT, debt)/1e4`,
//!   debt valued with `mulDivCeil`).
//! - `liquidationCall` with the v3.3+ close factor and dust rule, v3.6 `percentDivCeil`
//!   for `debtAmountNeeded`, protocol fee to the treasury as aTokens, deficit creation
//!   and `_burnBadDebt`; `eliminateReserveDeficit`.
//! - A withdraw, borrow or underlying liquidation payout above the virtual balance fails
//!   with [`PoolError::InsufficientLiquidity`], the on-chain `Panic(0x11)`.
//!
//! # Omitted
//! Isolation mode (debt ceilings), siloed borrowing, flash loans, stable debt (v3 modes;
//! the v2 mode has it), the
//! Portal/bridge (`unbacked` minting), price-oracle sentinel (L2 only), credit
//! delegation and `onBehalfOf` for supply/borrow, aToken transfers, repay with aTokens,
//! GHO specifics, roles/ACL. The pool does not model ERC20 wallets.

mod account;
mod admin;
mod books;
pub mod config;
pub mod emode;
pub mod error;
mod index_memo;
pub mod liquidation;
mod pool;
pub mod rate_strategy;
pub mod reserve;
pub mod user;
pub mod v2;
pub mod v30;
pub mod validation;
mod views;

pub use account::AccountData;
pub use bankrun_math::U256;
pub use config::{InterestRateData, ProtocolVersion, ReserveConfig, StableRateParams};
pub use emode::EModeCategory;
pub use error::PoolError;
pub use liquidation::LiquidationOutcome;
pub use pool::Pool;
pub use reserve::ReserveData;
pub use user::{Position, UserAccount};
pub use v2::{InterestRateMode, StableSupplyData};

/// Reserve id: index in listing order (also the bit position in bitmaps).
pub type AssetId = usize;
/// Dense user id (index into the pool's user table).
pub type UserId = u32;
