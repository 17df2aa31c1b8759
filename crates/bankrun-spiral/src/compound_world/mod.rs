//! The Compound v2 runner on the one world: the real book in an exact Comptroller (genesis
//! state from the subgraph snapshot), reporter prices pushed on deviation/heartbeat through
//! `UniswapAnchoredView.validate` (stablecoins fixed at $1 where the oracle fixes them),
//! liquidators competing for block space under EIP-1559, and seized collateral sold on its
//! market, as a [`bankrun_world::World`] with its block loop (see `bankrun_world::world`):
//! 1. the Comptroller's markets accrue interest at the first block of each hour
//!    (assumption: a stand-in for the book's own users' calls);
//! 2. the CEX books follow the real path (× the stress ramp on the stressed path) with
//!    decaying endogenous impact;
//! 3. each reporter feed reads its market price (ETH: the CEX mid; other volatile assets:
//!    their CEX book's mid) and posts on deviation/heartbeat; each post takes
//!    `[gas] oracle_update_gas` of the block ahead of the liquidators;
//! 4. liquidators ([`bankrun_world::agents::CompoundLiquidator`], each every `poll_blocks`)
//!    screen the book and send `liquidateBorrow`; the arbitrageur trades the pool back to the
//!    CEX mid; their transactions are includable from the next block;
//! 5. the block is built by the EIP-1559 gas market ([`crate::gas`]) by bid;
//! 6. after the block, liquidators redeem the seized cTokens and sell the underlying (ETH on
//!    the better of pool and CEX, other volatile collateral on its CEX book, stablecoins on
//!    Curve into the borrowed stablecoin; the rest is kept); the arbitrageur hedges on the
//!    CEX.
//!
//! After every block the ledger is checked for conservation: a broken ledger fails the run.
//!
//! Book account `i` is Compound account [`BOOK0`]` + i`; the outside supply is [`OUTSIDE`]'s;
//! liquidators are agents `0..`, the arbitrageur follows them. The book is placed at the start
//! of the price window (the snapshot's block is not recorded: an assumption).

mod build;
mod record;

pub use build::{BOOK0, COMPOUND, OUTSIDE, build};
pub(crate) use build::{Placement, add_comptroller, price_at};

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::spec::Loaded;
use build::Built;
use record::Recorder;

/// Runs the real (`stressed = false`) or stressed path.
///
/// # Errors
/// [`SpiralError`].
pub fn run(l: &Loaded, seed: u64, stressed: bool) -> Result<RunOutput, SpiralError> {
    run_with_progress(l, seed, stressed, &mut |_, _| {})
}

/// [`run`], calling `progress(blocks done, blocks)` before every block.
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    stressed: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
    let s = &l.spec;
    let Built {
        mut world,
        mut agents,
        liquidators,
        arbitrageur,
        venue_of,
        book,
        paths,
        window,
        debt_start,
        ..
    } = build(l, seed, stressed)?;
    let clock = bankrun_chain::Clock::new(window.0, s.scenario.block_seconds)
        .ok_or_else(|| l.err("block_seconds", "must be positive"))?;
    let blocks = clock.blocks_until(window.1).max(1);
    let summary = Summary {
        scenario: s.scenario.name.clone(),
        variant: if stressed { "stress" } else { "real" }.into(),
        protocol: "compound-v2".into(),
        seed,
        blocks,
        positions: book.len() as u64,
        debt_start,
        min_market_price: f64::MAX,
        min_fundamental: f64::MAX,
        ..Summary::default()
    };
    let mut rec = Recorder::new(
        l,
        summary,
        liquidators,
        arbitrageur,
        venue_of,
        paths,
        stressed,
    )?;
    for b in 0..blocks {
        progress(b, blocks);
        world
            .step(&mut agents)
            .map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
        rec.block(&world, &agents)?;
        world
            .ledger()
            .check_conservation()
            .map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
    }
    rec.finish(&world, &agents)
}
