//! The Maker runner on the one world: ETH-A under Liquidations 1.2 (Cat 1.0.0 `bite`,
//! `Flipper`), the Medianizer → OSM → Spotter price path, keepers with capital and gas
//! strategies, and the ETH market they sell into, as a [`bankrun_world::World`] with its
//! block loop (see `bankrun_world::world` for the order within a block):
//! 1. the Maker protocol drips ETH-A's stability fee at the first block of each hour
//!    (assumption: on 12 March drips came with owners' draws and wipes, at no fixed times);
//! 2. spells due are cast (scheduled actions: `file` through the contracts);
//! 3. the CEX mid follows the real path with decaying endogenous impact;
//! 4. the Medianizer posts the CEX mid on deviation or heartbeat; at each hop the OSM is
//!    poked and releases the previous hop's price, which the Spotter files as `spot`; each
//!    post and poke takes `[gas] oracle_update_gas` of the block ahead of the keepers (the
//!    oracle operators' bidding is not modelled: an assumption);
//! 5. keepers (each every `poll_blocks`) and the arbitrageur decide; their transactions are
//!    includable from the next block;
//! 6. the block is built by the legacy gas market from the real gas path; reverted
//!    transactions pay their gas limit;
//! 7. after the block, keepers sell won collateral (at most `sell_clip_eth` each) on the
//!    venue that pays more and re-join the DAI; the arbitrageur hedges on the CEX.
//!
//! After every block the books are checked (`check_books`): a broken ledger fails the run.
//!
//! Vaults `0..n`; the Cat, Vow, Flipper, DaiJoin and the stand-in vault `REST` at
//! 1,000,000+; agents at 2,000,000 + id. Vault owners do not react (assumption: no
//! top-ups), which overstates liquidations relative to 12 March 2020.

mod build;
mod inputs;
mod record;

pub use build::{Built, DAI, MAKER, WETH, book, build};
pub use inputs::{MakerInputs, inputs};

use bankrun_world::{Agent, AgentId, Submission, View, WorldError};

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::spec::Loaded;
use record::Recorder;

/// Reads the CEX mid when agents decide: the price the block's transactions meet (only the
/// after-block sales move the CEX). Acts last and sends nothing.
struct MidProbe {
    mid: f64,
}

impl Agent for MidProbe {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        "probe"
    }

    fn act(
        &mut self,
        _: AgentId,
        view: &View<'_>,
        _: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let cex = view.venue(build::CEX).ok_or(WorldError::Unknown {
            kind: "venue",
            id: build::CEX,
        })?;
        self.mid = cex.price(WETH, DAI)?;
        Ok(())
    }

    fn on_mined(&mut self, _: &bankrun_world::TxRecord) {}
}

/// Runs the scenario with `seed`; `inspect` receives the final world (tests).
///
/// # Errors
/// [`SpiralError`].
pub fn run(
    l: &Loaded,
    seed: u64,
    inspect: Option<&mut dyn FnMut(&bankrun_world::World)>,
) -> Result<RunOutput, SpiralError> {
    run_with_progress(l, seed, inspect, &mut |_, _| {})
}

/// Runs the scenario with `seed`, calling `progress(blocks done, blocks)` before every block;
/// `inspect` receives the final world (tests).
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    inspect: Option<&mut dyn FnMut(&bankrun_world::World)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
    let inp = inputs(l)?;
    let s = &l.spec;
    let Built {
        mut world,
        mut agents,
        keepers,
        arbitrageur,
        vaults,
    } = build(l, &inp, seed)?;
    agents.push(Box::new(MidProbe { mid: f64::NAN }));
    let clock = bankrun_chain::Clock::new(inp.start, s.scenario.block_seconds)
        .ok_or_else(|| l.err("block_seconds", "must be positive"))?;
    let blocks = clock.blocks_until(inp.end).max(1);
    let debt_start = record::maker(&world)?.vat().ilks[0].art;
    let summary = Summary {
        scenario: s.scenario.name.clone(),
        variant: "real".into(),
        protocol: "maker".into(),
        seed,
        blocks,
        positions: u64::from(vaults),
        debt_start: bankrun_chain::units::units_to_tokens(debt_start, 18),
        min_market_price: f64::MAX,
        min_fundamental: f64::MAX,
        ..Summary::default()
    };
    let mut rec = Recorder::new(summary, keepers, arbitrageur, s.scenario.block_seconds);
    for b in 0..blocks {
        progress(b, blocks);
        world
            .step(&mut agents)
            .map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
        let mid = agents
            .last()
            .and_then(|a| a.as_any().downcast_ref::<MidProbe>())
            .map_or(f64::NAN, |p| p.mid);
        rec.block(&world, &agents, mid)?;
        spell_failures(&agents)?;
        check_books(&world).map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
    }
    if let Some(f) = inspect {
        f(&world);
    }
    rec.finish(&world, &agents)
}

/// The books every block: each ledger token conserved (mint and burn aside), the GemJoin's
/// WETH equal to the Vat's ETH-A collateral (seized collateral never disappears), and the
/// DaiJoin's Vat DAI equal to the ERC-20 DAI it backs.
fn check_books(world: &bankrun_world::World) -> Result<(), String> {
    let ledger = world.ledger();
    ledger.check_conservation().map_err(|e| e.to_string())?;
    let maker = record::maker(world).map_err(|e| e.to_string())?;
    let held = ledger.balance(WETH, bankrun_chain::Holder::Protocol(MAKER));
    if held != maker.total_eth() {
        return Err(format!(
            "the GemJoin holds {held} WETH wei but the Vat's ETH-A has {}",
            maker.total_eth()
        ));
    }
    let backing = maker
        .vat()
        .dai_of(bankrun_world::protocols::maker::DAI_JOIN);
    let erc20 = ledger.supply(DAI) * bankrun_maker::math::RAY;
    if backing != erc20 {
        return Err(format!(
            "the DaiJoin backs {backing} rad but {erc20} rad of ERC-20 DAI exist"
        ));
    }
    Ok(())
}

/// A spell whose `file` reverted fails the run: a scripted event is never silently lost.
fn spell_failures(agents: &[Box<dyn Agent>]) -> Result<(), SpiralError> {
    for a in agents {
        if let Some(s) = a
            .as_any()
            .downcast_ref::<bankrun_world::agents::MakerSpell>()
            && let Some(f) = s.failures().first()
        {
            return Err(SpiralError::Run(f.clone()));
        }
    }
    Ok(())
}
