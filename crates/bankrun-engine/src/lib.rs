//! The bankrun engine: a deterministic block-by-block simulation of a lending pool under a run.
//!
//! [`simulate`] builds a [`bankrun_world::World`] from a loaded scenario (the exact Aave v3.6
//! pool of `bankrun-aave` as the world's Aave protocol, the scenario's feeds in the world's
//! oracle registry, the chain's gas market and mempool) with the scenario's population as one
//! agent, and runs it block by block; see [`run`](crate::run) for the order of events within
//! a block. The result is the output data model of
//! `bankrun-metrics`.

pub mod borrowers;
pub mod comets;
pub mod depositors;
pub mod exposure;
pub mod genesis;
pub mod liq_index;
pub mod liquidators;
pub mod losses;
pub mod oracles;
pub mod parked;
pub mod population;
pub mod record;
pub mod run;
pub mod scripted;
pub mod setup;
pub mod streams;
pub mod wakes;

use bankrun_metrics::RunResult;
use bankrun_scenario::LoadedScenario;

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The scenario is internally inconsistent in a way only building it reveals (e.g. the
    /// books need more collateral than the reserve's total supply). Names the scenario key.
    #[error("{0}")]
    Setup(String),
    /// The world failed during the run (an oracle without a price, a ledger inconsistency):
    /// the run stops rather than report figures that look complete.
    #[error("{0}")]
    Run(String),
}

impl EngineError {
    /// A setup error.
    pub fn setup(msg: impl Into<String>) -> Self {
        Self::Setup(msg.into())
    }
}

/// Number of blocks a scenario simulates.
pub fn block_count(s: &LoadedScenario) -> u64 {
    bankrun_chain::Clock::new(s.start_unix, s.scenario.chain.block_time_s.max(1))
        .map_or(0, |c| c.blocks_until(s.end_unix))
}

/// What a simulation records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Keep the per-block reserve rows (`RunResult::reserve_series`). Off for metrics-only
    /// Monte Carlo paths: the summary, class samples, depositor outcomes, liquidations and
    /// events are recorded either way.
    pub record_series: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            record_series: true,
        }
    }
}

/// Simulates one path of `scenario` with master seed `seed`, recording everything.
///
/// `progress(done, total)` is called every few hundred blocks (for a progress bar).
///
/// # Errors
/// [`EngineError::Setup`] when the starting book cannot be built from the scenario.
pub fn simulate(
    scenario: &LoadedScenario,
    seed: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunResult, EngineError> {
    simulate_with(scenario, seed, SimOptions::default(), progress)
}

/// Simulates one path with explicit recording options (see [`SimOptions`]).
///
/// # Errors
/// [`EngineError::Setup`] when the starting book cannot be built from the scenario;
/// [`EngineError::Run`] when the world fails during the run or its ledger does not balance.
pub fn simulate_with(
    scenario: &LoadedScenario,
    seed: u64,
    options: SimOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunResult, EngineError> {
    let mut sim = setup::build(scenario, seed)?;
    sim.population_mut().record_series = options.record_series;
    sim.run_blocks(block_count(scenario), progress)?;
    sim.check_ledger()?;
    let mut result = sim.finish();
    result.summary.seed = seed;
    Ok(result)
}
