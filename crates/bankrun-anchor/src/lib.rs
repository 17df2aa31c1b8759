//! Anchor Protocol's money market on Terra as of early May 2022: the market (uusd deposits
//! as aUST, borrows, per-block interest capped at the target deposit rate), the interest
//! model, the overseer (collateral, borrow limits, epoch operations paying the deposit-rate
//! subsidy out of the yield reserve, the dynamic deposit rate of 1 May 2022) and the
//! liquidation queue, exact in the contracts' integer and 18-decimal units.
//!
//! Sources: `Anchor-Protocol/money-market-contracts@e8853fab` (30 Apr 2022: the dynamic-rate
//! release, the code in force in May 2022; the next commits, "repay from yield reserve" and
//! "re-enable deposit stable", are post-crash): `contracts/market`, `contracts/overseer`,
//! `contracts/interest_model`, `contracts/liquidation_queue`, `contracts/custody_bluna`;
//! `cosmwasm-bignumber 2.2.0` for `Decimal256`/`Uint256`; anchor-docs (Mar 2022) for
//! parameter values; this project's `protocol-math.md` §5.2. Apache-2.0 code, re-written from
//! the rules, not copied.
//!
//! # Units
//! - uusd, aUST, bLUNA, bETH amounts: [`Uint256`] micro-units (10^6 per token);
//! - rates, factors, prices and the market's liability/reserve totals: [`Decimal256`], 18
//!   decimal places; interest and deposit rates are **per block**
//!   ([`BLOCKS_PER_YEAR`] = 4,656,810 blocks a year for the deposit rate);
//! - prices: uusd per collateral micro-unit (UST per token for 6-decimal tokens);
//! - time: block heights.
//!
//! Terra's stability tax: modelled ([`TerraTax`], applied where the contracts call
//! `deduct_tax`), default zero: proposal 172 set the tax rate to 0 on 6 Jan 2022.
//!
//! Every revert is an [`AnchorError`]; nothing panics; operations are atomic.

pub mod decimal;
mod error;
pub mod liquidation;
pub mod market;
pub mod overseer;
pub mod params;
pub mod tax;

pub use alloy_primitives::U256;
pub use decimal::{Decimal256, Uint256};
pub use error::AnchorError;
pub use liquidation::{
    BidExecution, BidPool, CollateralPosition, LiquidationConfig, LiquidationQueue,
};
pub use market::{
    BorrowerInfo, InterestModel, Market, MarketState, Redeemed, Repaid, compute_borrower_interest,
};
pub use overseer::{
    DynrateConfig, DynrateState, EpochReport, EpochState, LiquidationReport, Overseer,
    OverseerConfig, WhitelistElem,
};
pub use tax::TerraTax;

/// `BLOCKS_PER_YEAR` of the overseer (`contract.rs`): 4,656,810 blocks (≈ 6.77 s a block).
pub const BLOCKS_PER_YEAR: u64 = 4_656_810;

/// Account id (an address on-chain; a dense index in the simulation).
pub type AccountId = u32;
/// Collateral id (index into the overseer whitelist; a cw20 token address on-chain).
pub type CollateralId = usize;
