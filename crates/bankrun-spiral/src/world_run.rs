//! What the world-based scenarios (Terra, stETH) share: the block loop with its hourly
//! samples and ledger checks, the holder cohorts' stratified draws, and in their records the
//! scripted events' outcomes and the agents' reverts grouped by cause.

use bankrun_chain::time::format_time;
use bankrun_world::agents::{Outcome, ScriptedCalls};
use bankrun_world::{Agent, World};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::SpiralError;

/// A scripted event and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct EventRow {
    /// Scheduled time (RFC 3339).
    pub time: String,
    /// Label.
    pub label: String,
    /// Block it ran in (0: not reached in the window).
    pub block: u64,
    /// `ok` with the amount (token units), `reverted: <reason>`, or `not reached`.
    pub outcome: String,
}

/// The scripted events' rows, from agent 0 (the scenarios' [`ScriptedCalls`]).
///
/// # Errors
/// [`SpiralError::Run`] if agent 0 is not the scripted events.
pub(crate) fn events(agents: &[Box<dyn Agent>]) -> Result<Vec<EventRow>, SpiralError> {
    let s = agents
        .first()
        .and_then(|a| a.as_any().downcast_ref::<ScriptedCalls>())
        .ok_or_else(|| SpiralError::Run("agent 0 is not the scripted events".into()))?;
    Ok(s.calls()
        .iter()
        .zip(&s.outcomes)
        .map(|(c, o)| {
            let (block, outcome) = match o {
                Some((b, Outcome::Done(amount))) => (*b, format!("ok {amount}")),
                Some((b, Outcome::Reverted(why))) => (*b, format!("reverted: {why}")),
                Some((b, Outcome::Skipped(why))) => (*b, format!("skipped: {why}")),
                None => (0, "not reached".to_string()),
            };
            EventRow {
                time: format_time(c.at as i64),
                label: c.label.clone(),
                block,
                outcome,
            }
        })
        .collect())
}

/// The agents' reverted transactions by call target and reason, most frequent first (at most
/// ten): `(target call: reason, count)`. Numbers in reasons are masked (`#`) so that reverts
/// group by cause, not amount.
pub(crate) fn revert_reasons(world: &World) -> Vec<(String, u64)> {
    let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
    for t in world.log().txs.iter().filter(|t| !t.direct) {
        if let Err(r) = &t.outcome {
            let target = match t.target {
                bankrun_world::Target::Protocol(p) => {
                    world.protocol(p).map(|p| p.name().to_string())
                }
                bankrun_world::Target::Venue(v) => {
                    world.view().venue(v).map(|v| v.name().to_string())
                }
            };
            let reason: String = r
                .reason
                .split(|c: char| c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("#");
            let key = format!(
                "{} {}: {reason}",
                target.unwrap_or_default(),
                t.call.kind().name()
            );
            *reasons.entry(key).or_default() += 1;
        }
    }
    let mut out: Vec<(String, u64)> = reasons.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(10);
    out
}

/// Unix seconds of each row's RFC 3339 time, for charts and Parquet time columns.
///
/// # Errors
/// [`SpiralError::Run`] naming the first time that does not parse.
pub(crate) fn row_times<T>(rows: &[T], time: impl Fn(&T) -> &str) -> Result<Vec<f64>, SpiralError> {
    rows.iter()
        .map(|r| {
            bankrun_chain::time::parse_time(time(r))
                .map(|t| t as f64)
                .map_err(|e| SpiralError::Run(format!("recorded rows: {e}")))
        })
        .collect()
}

/// The report table of the scripted events.
pub(crate) fn events_table(events: &[EventRow]) -> bankrun_report::page::Block {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.time.clone(),
                e.label.clone(),
                e.block.to_string(),
                e.outcome.clone(),
            ]
        })
        .collect();
    bankrun_report::page::Block::Table(bankrun_report::page::Table::new(
        "Scripted events",
        &["time", "event", "block", "outcome"],
        rows,
    ))
}

/// A recorder's hourly sample of the world and its agents.
pub(crate) type Sample<'a> = dyn FnMut(&World, &[Box<dyn Agent>]) -> Result<(), SpiralError> + 'a;

/// The world of a world-based scenario in `mode`, empty, and its window: from `[scenario]
/// start` to `end` (RFC 3339, the scenario's own table), with the scenario's blocks, gas market,
/// transaction time to live and oracle gas, and the mode's named mempool and gas streams.
///
/// # Errors
/// Located [`SpiralError::BadInput`] for bad times; the gas model's errors.
pub(crate) fn new_world(
    l: &crate::spec::Loaded,
    seed: u64,
    mode: &str,
    end: &str,
) -> Result<(World, (i64, i64)), SpiralError> {
    use bankrun_chain::time::parse_time;
    let s = &l.spec;
    let start = parse_time(&s.scenario.start).map_err(|_| l.err("start", "bad time"))?;
    let end = parse_time(end).map_err(|_| l.err("end", "bad time"))?;
    if end <= start {
        return Err(l.err("end", "must be after [scenario] start"));
    }
    let start_u = u64::try_from(start).map_err(|_| l.err("start", "before 1970"))?;
    let g = &s.gas;
    let mut world = World::new(
        bankrun_world::ChainConfig {
            start: start_u,
            block_time_s: s.scenario.block_seconds,
            block_gas: g.block_gas_limit,
            gas: bankrun_world::GasSchedule::default(),
        },
        seed,
    );
    world.set_stream_names(seed, &format!("mempool-{mode}"), &format!("gas-{mode}"));
    world.set_gas_market(bankrun_chain::gas::GasMarket::new(
        crate::runner::gas_model(l)?,
        g.block_gas_limit,
        g.agent_gas_share,
    ));
    world.set_tx_ttl(g.tx_ttl_blocks);
    world.set_oracle_update_gas(g.oracle_update_gas);
    Ok((world, (start, end)))
}

/// Runs the world from the start of `window` to its end (unix seconds), calling
/// `progress(blocks done, blocks)` before every block and `sample` at the start, at the first
/// block of every hour and at the end. The ledger's conservation is checked at every sample
/// (hourly, not every block: the ledger holds thousands of accounts; the `invariants` feature
/// checks every block). Returns the number of blocks run.
///
/// # Errors
/// [`SpiralError::Run`] naming the block, or a located error for a bad `block_seconds`.
pub(crate) fn run_blocks(
    l: &crate::spec::Loaded,
    world: &mut World,
    agents: &mut [Box<dyn Agent>],
    window: (i64, i64),
    progress: &mut dyn FnMut(u64, u64),
    sample: &mut Sample<'_>,
) -> Result<u64, SpiralError> {
    let clock = bankrun_chain::Clock::new(window.0, l.spec.scenario.block_seconds)
        .ok_or_else(|| l.err("block_seconds", "must be positive"))?;
    let blocks = clock.blocks_until(window.1).max(1);
    sample(world, agents)?;
    let mut hour = world.now() / 3600;
    for b in 0..blocks {
        progress(b, blocks);
        world
            .step(agents)
            .map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
        if world.now() / 3600 != hour {
            hour = world.now() / 3600;
            world
                .ledger()
                .check_conservation()
                .map_err(|e| SpiralError::Run(format!("block {}: {e}", b + 1)))?;
            sample(world, agents)?;
        }
    }
    world
        .ledger()
        .check_conservation()
        .map_err(|e| SpiralError::Run(format!("at the end: {e}")))?;
    sample(world, agents)?;
    Ok(blocks)
}

/// A holder cohort's per-account draws, from the named stream `stream`: stakes summing to
/// `stake`, stratified from a log-normal of sigma `stake_sigma`; first thresholds from a
/// log-normal of median `threshold` and sigma `threshold_sigma`, assigned by value-stratified
/// quantiles (larger stakes do not systematically draw lower thresholds). Returns the stream,
/// for any further draws of the cohort.
pub(crate) fn cohort_draws(
    seed: u64,
    stream: &str,
    n: usize,
    (stake, stake_sigma): (f64, f64),
    (threshold, threshold_sigma): (f64, f64),
) -> (Vec<f64>, Vec<f64>, ChaCha8Rng) {
    let mut rng = bankrun_chain::rng::stream(seed, stream);
    let u = bankrun_agents::stratified_uniforms(n, &mut rng);
    let raw: Vec<f64> = u
        .iter()
        .map(|&q| bankrun_agents::lognormal_quantile(1.0, stake_sigma, q))
        .collect();
    let total: f64 = raw.iter().sum();
    let stakes: Vec<f64> = raw.iter().map(|x| stake * x / total).collect();
    let q = bankrun_agents::value_quantiles(&stakes, &mut rng);
    let thresholds = q
        .iter()
        .map(|&q| bankrun_agents::lognormal_quantile(threshold, threshold_sigma, q))
        .collect();
    (stakes, thresholds, rng)
}
