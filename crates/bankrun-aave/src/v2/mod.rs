//! Aave v2 (`@aave/protocol-v2@1.0.1`, the Ethereum `LendingPool`, solc 0.6.12), used when
//! the pool runs with [`crate::ProtocolVersion::V2`]. Written from the specification
//! protocol-math-aave-v2-uniswap-v3.md, part A (§A.3–§A.14); section names in the doc
//! comments refer to that document.
//!
//! # Units
//! Token amounts are token wei; indexes and rates RAY (annual rates); the health factor
//! WAD. **Prices are ETH wei per whole token** (18-decimal base, §A.9): in a v2 pool
//! [`crate::Pool::set_asset_price`] takes that unit and [`crate::Pool::user_account_data`]
//! returns ETH-denominated values (`getUserAccountData`). Percentages are bps.
//!
//! # What is reproduced
//! - §A.3 fixed point: the half-up `WadRayMath` / `PercentageMath` of `bankrun-math`
//!   (identical results; the revert kinds are mapped by [`crate::PoolError::v2_revert_reason`]).
//! - §A.4 the v2 compounded interest ([`bankrun_math::InterestFormula::V2`]).
//! - §A.5 `updateState` (no same-block early return, variable index accrues only when the
//!   liquidity rate is > 0 **and** there is scaled variable debt, treasury minted as
//!   scaled aTokens on every update including the stable accrual), the index views, and
//!   `updateInterestRates` over the aToken's underlying balance, whose underflow is
//!   `"SafeMath: subtraction overflow"`.
//! - §A.6 `DefaultReserveInterestRateStrategy` with the `LendingRateOracle` base stable
//!   rate ([`strategy`]).
//! - §A.7 the stable debt token ([`stable_debt`]), stable borrow, repay of either mode,
//!   `swapBorrowRateMode`, `rebalanceStableBorrowRate`.
//! - §A.8 half-up scaled balances; §A.9 account data in ETH and `balanceDecreaseAllowed`;
//!   §A.10 validation order and error codes; §A.11 the collateral manager's liquidation;
//!   §A.12 freeze, deactivate, global pause, first deposit always enabling collateral.
//!
//! # Not modelled, or differing
//! - Supply and borrow caps do not exist in v2: the [`crate::ReserveConfig`] cap fields
//!   (and `liquidation_protocol_fee`) are **ignored** (stored, never checked).
//! - E-mode, per-reserve pause, LTV-zero and deficit elimination do not exist in v2: their
//!   entry points return [`crate::PoolError::UnsupportedInVersion`], and listing a reserve
//!   with `paused = true` is rejected the same way.
//! - Flash loans, aToken transfers, credit delegation and `onBehalfOf` are not modelled.
//! - Overflow reverts inside the fixed-point and interest libraries are reported as
//!   `48` / `50` even where v2 would name a `SafeMath` operation.

pub(crate) mod account;
mod admin;
mod borrow;
pub mod liquidation;
pub(crate) mod reserve;
mod revert;
pub(crate) mod safe_math;
pub mod stable_debt;
pub mod strategy;
mod supply;
mod tokens;
pub(crate) mod validation;
mod views;

pub use stable_debt::StableSupplyData;

use crate::U256;
use alloy_primitives::uint;

/// Borrow interest-rate mode (`DataTypes.InterestRateMode`, §A.2 step 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterestRateMode {
    /// Stable rate (mode 1, v2 only).
    Stable = 1,
    /// Variable rate (mode 2).
    Variable = 2,
}

/// `LIQUIDATION_CLOSE_FACTOR_PERCENT = 5000` bps: at most half of the debt per call,
/// whatever the health factor (§A.11).
pub const LIQUIDATION_CLOSE_FACTOR_PERCENT: U256 = uint!(5000_U256);
/// `MAX_STABLE_RATE_BORROW_SIZE_PERCENT = 2500` bps of the available liquidity (§A.12).
pub const MAX_STABLE_RATE_BORROW_SIZE_PERCENT: U256 = uint!(2500_U256);
/// `REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD = 4000` bps of the max variable rate (§A.7).
pub const REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD: U256 = uint!(4000_U256);
/// `REBALANCE_UP_USAGE_RATIO_THRESHOLD = 0.95e27` (RAY, §A.7).
pub const REBALANCE_UP_USAGE_RATIO_THRESHOLD: U256 = uint!(950000000000000000000000000_U256);
