//! Parameter values in force in early May 2022, each with its source or marked "assumption".
//!
//! Per-block rates: the interest-model values are the raw contract values from the Anchor
//! docs (they were set with the genesis 4,906,443 blocks a year: 0.02/4,906,443 and
//! 0.42/4,906,443); deposit rates use the overseer's `BLOCKS_PER_YEAR = 4,656,810`, as do
//! the docs' raw threshold/target values (19.5 % → `0.000000041874158490`, 20.5 % →
//! `0.000000044021551233`) and the emergency proposal's 4 % → `0.000000008589570972`.

use crate::decimal::{Decimal256, Uint256};
use crate::liquidation::LiquidationConfig;
use crate::market::InterestModel;
use crate::overseer::{DynrateConfig, OverseerConfig, WhitelistElem};
use crate::{AnchorError, BLOCKS_PER_YEAR};

fn dec(s: &str) -> Decimal256 {
    // literals below are valid; a failure here is a bug in this file, caught by the tests
    s.parse().unwrap_or(Decimal256::ZERO)
}

/// A yearly rate as a per-block rate: `⌊yearly / BLOCKS_PER_YEAR⌋` (the division
/// `update_deposit_rate` uses).
///
/// # Errors
/// Overflow.
pub fn yearly_to_per_block(yearly: Decimal256) -> Result<Decimal256, AnchorError> {
    yearly.checked_div(Decimal256::from_ratio(BLOCKS_PER_YEAR, 1u64)?)
}

/// A per-block rate as a yearly (simple) rate: `rate·BLOCKS_PER_YEAR`.
///
/// # Errors
/// Overflow.
pub fn per_block_to_yearly(rate: Decimal256) -> Result<Decimal256, AnchorError> {
    rate.checked_mul(Decimal256::from_ratio(BLOCKS_PER_YEAR, 1u64)?)
}

/// Interest model: `base_rate = 0.000000004076272770` (2 % APR), `interest_multiplier =
/// 0.000000085601728176` (0.42 a year). Source: anchor-docs
/// `protocol/anchor-governance/modify-the-interest-model.md`, "Up-To-Date" (Mar 2022; equal
/// to genesis).
pub fn interest_model() -> InterestModel {
    InterestModel {
        base_rate: dec("0.000000004076272770"),
        interest_multiplier: dec("0.000000085601728176"),
    }
}

/// `max_borrow_factor = 0.95`. Source: anchor-docs
/// `protocol/anchor-governance/modify-market-parameters.md` ("Up-To-Date", Mar 2022).
pub fn max_borrow_factor() -> Decimal256 {
    Decimal256::percent(95)
}

/// The 18 % APY deposit rate set on 1 May 2022, per block: `⌊0.18/4,656,810⌋` =
/// `0.000000038652918199`. Sources: stakingbits (2 May 2022) "dynamic earn rate starting at
/// 18% APY"; `terra-anchor-2022-05.md` (19.4–19.5 % → 18 % on 1 May). The exact raw value
/// of the migration's `dyn_rate_current` is an assumption (18 % over `BLOCKS_PER_YEAR`,
/// floored).
pub fn deposit_rate_may_2022() -> Decimal256 {
    yearly_to_per_block(Decimal256::percent(18)).unwrap_or(Decimal256::ZERO)
}

/// Overseer config after the 1 May 2022 migration:
/// - `threshold_deposit_rate = target_deposit_rate` = [`deposit_rate_may_2022`] (the
///   migration sets both);
/// - `buffer_distribution_factor = 0.1`: anchor-docs `modify-market-parameters.md` and
///   `deposit-rate-subsidization.md` ("limited to 10% of the yield reserve's balance per
///   subsidization");
/// - `epoch_period = 1,681` blocks: **assumption** (about 3.2 h at 6.77 s a block; the docs
///   say epoch operations run "at most once in a 3-hour period");
/// - `anc_purchase_factor = 0.1`: **assumption** (not found).
pub fn overseer_config() -> OverseerConfig {
    let rate = deposit_rate_may_2022();
    OverseerConfig {
        epoch_period: 1_681,
        threshold_deposit_rate: rate,
        target_deposit_rate: rate,
        buffer_distribution_factor: Decimal256::percent(10),
        anc_purchase_factor: Decimal256::percent(10),
    }
}

/// Dynamic-rate config (Anchor Gov Poll #20, live 1 May 2022):
/// - `dyn_rate_epoch = 388,068` blocks (stakingbits, May 2022: "approximately every 388068
///   blocks, or once every month"; = `BLOCKS_PER_YEAR`/12 rounded);
/// - `dyn_rate_maxchange = 0.015` (1.5 pp of the yearly rate; forum
///   `dynamic-anchor-earn-rate/3042`, stakingbits);
/// - `dyn_rate_min = ⌊0.15/B⌋`, `dyn_rate_max = ⌊0.20/B⌋` (floor 15 %, ceiling 20 % APY:
///   stakingbits; raw values an assumption);
/// - `dyn_rate_yr_increase_expectation = 0.001`: **assumption** (the contract tests' value;
///   the mainnet value was not found).
pub fn dynrate_config() -> DynrateConfig {
    DynrateConfig {
        dyn_rate_epoch: 388_068,
        dyn_rate_maxchange: Decimal256::permille(15),
        dyn_rate_yr_increase_expectation: Decimal256::permille(1),
        dyn_rate_min: yearly_to_per_block(Decimal256::percent(15)).unwrap_or(Decimal256::ZERO),
        dyn_rate_max: yearly_to_per_block(Decimal256::percent(20)).unwrap_or(Decimal256::ZERO),
    }
}

/// bLUNA, `max_ltv = 0.8`. Source: anchor-docs
/// `protocol/anchor-governance/modify-collateral-parameters.md`, "Up-To-Date" (commit
/// `c2621cd`, 7 Feb 2022: "updated bLUNA LTV to 80%"; 0.6 before, 0.5 at genesis). The
/// scenario facts (`terra-anchor-2022-05.md`, low/medium confidence) say "max borrow ~60 %
/// of collateral value".
pub fn bluna() -> WhitelistElem {
    WhitelistElem {
        name: "bLUNA".into(),
        max_ltv: Decimal256::percent(80),
    }
}

/// bETH, `max_ltv = 0.6`. Source: anchor-docs `modify-collateral-parameters.md`
/// ("Up-To-Date", Mar 2022).
pub fn beth() -> WhitelistElem {
    WhitelistElem {
        name: "bETH".into(),
        max_ltv: Decimal256::percent(60),
    }
}

/// Liquidation queue: `safe_ratio = 0.8`, `bid_fee = 0.01` (to the yield reserve),
/// `liquidator_fee = 0.01`, `liquidation_threshold = 2,000 UST` (2,000,000,000 uusd).
/// Source: anchor-docs `protocol/loan-liquidation.md` (Mar 2022) and
/// `modify-liquidation-parameters.md` ("Up-To-Date").
pub fn liquidation_config() -> LiquidationConfig {
    LiquidationConfig {
        safe_ratio: Decimal256::percent(80),
        bid_fee: Decimal256::percent(1),
        liquidator_fee: Decimal256::percent(1),
        liquidation_threshold: Uint256::from(2_000_000_000u64),
    }
}
