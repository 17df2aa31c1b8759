//! The Terra UST/LUNA mint-burn spiral with Anchor, on the one world
//! (`bankrun_world::World`), in two modes:
//! - **replay**: the UST and LUNA CEX books follow the real hourly closes (Gemini), with the
//!   agents' impact decaying; the holders, the arbitrageur and the market module react to
//!   them, and LUNA's supply is the market module's (endogenous);
//! - **spiral**: the books start at the first closes and move only with the agents' trades
//!   (permanent impact): UST's price, LUNA's price and supply are all formed in the run.
//!
//! Each block, in the world's order (`bankrun_world::world`): the market module replenishes
//! its virtual pool (the EndBlocker's `ReplenishPools`, at the top of the next block) and
//! Anchor accrues and runs its epoch operations when due; scripted events execute; the books
//! move; the LUNA feed posts the LUNA book's mid to both protocols (the oracle's `uusd` rate:
//! the market module takes UST at $1); agents act (the arbitrageur burns UST bought cheap and
//! sells the LUNA; Anchor's liquidator repays loans whose LUNA collateral fell and sells it;
//! holders redeem aUST, sell UST on the venue quoting best, or, contrarians, add); the block
//! is built. The ledger is checked for conservation every hour and at the end (every block
//! with the `invariants` feature).
//!
//! Modules: [`spec`] (the `[terra]` table), [`build`] (world and agents), [`record`] (rows
//! and summary).

pub mod build;
pub mod output;
pub mod record;
pub mod spec;

pub use crate::world_run::EventRow;
pub use record::{CohortRow, TerraOutput, TerraRow, TerraSummary};

use bankrun_chain::TokenId;
use bankrun_chain::time::format_time;
use bankrun_chain::units::units_to_tokens;
use bankrun_world::agents::{PegArbitrageur, PegHolders};
use bankrun_world::protocols::{Anchor, TerraMarket};
use bankrun_world::venues::Curve;
use bankrun_world::{Agent, World};

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::spec::Loaded;
use build::{ANCHOR, Built, CURVE, DECIMALS, LUNA, LUNA_CEX, MARKET, USD, UST, UST_CEX};

/// The modes the scenario runs, in order.
pub fn modes(l: &Loaded) -> Vec<String> {
    l.spec
        .terra
        .as_ref()
        .map(|t| t.modes.clone())
        .unwrap_or_default()
}

/// Runs `mode` with `seed`, calling `progress(blocks done, blocks)` before every block.
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    mode: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
    let Built {
        mut world,
        mut agents,
        first_cohort,
        window,
        paths,
    } = build::build(l, seed, mode)?;
    let mut rec = Recorder::new(first_cohort, window.0);
    let blocks =
        crate::world_run::run_blocks(l, &mut world, &mut agents, window, progress, &mut |w, a| {
            rec.sample(w, a, &paths)
        })?;
    rec.finish(l, seed, mode, blocks, &world, &agents)
}

fn tokens(x: bankrun_dex::U256) -> f64 {
    units_to_tokens(x, DECIMALS)
}

fn run_err(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// Typed views of the world's Terra parts.
fn parts(world: &World) -> Result<(&Anchor, &TerraMarket), SpiralError> {
    let anchor = world
        .protocol(ANCHOR)
        .and_then(|p| p.as_any().downcast_ref::<Anchor>())
        .ok_or_else(|| run_err("protocol 0 is not Anchor"))?;
    let market = world
        .protocol(MARKET)
        .and_then(|p| p.as_any().downcast_ref::<TerraMarket>())
        .ok_or_else(|| run_err("protocol 1 is not the market module"))?;
    Ok((anchor, market))
}

/// Hourly rows, in order.
struct Recorder {
    first_cohort: usize,
    start: i64,
    market: Vec<TerraRow>,
    cohorts: Vec<CohortRow>,
}

impl Recorder {
    fn new(first_cohort: usize, start: i64) -> Self {
        Recorder {
            first_cohort,
            start,
            market: Vec::new(),
            cohorts: Vec::new(),
        }
    }

    fn sample(
        &mut self,
        world: &World,
        agents: &[Box<dyn Agent>],
        paths: &(
            bankrun_chain::prices::PricePath,
            bankrun_chain::prices::PricePath,
        ),
    ) -> Result<(), SpiralError> {
        let now = world.now();
        let time = format_time(now as i64);
        if self.market.last().is_some_and(|r| r.time == time) {
            return Ok(());
        }
        let view = world.view();
        let price = |v, t: TokenId| {
            view.venue(v)
                .ok_or_else(|| run_err(format!("no venue {v}")))?
                .price(t, USD)
                .map_err(run_err)
        };
        let (anchor, market) = parts(world)?;
        let ledger = world.ledger();
        let (ust_supply, luna_supply) = (tokens(ledger.supply(UST)), tokens(ledger.supply(LUNA)));
        let luna_usd = price(LUNA_CEX, LUNA)?;
        let curve = view
            .venue(CURVE)
            .and_then(|v| v.as_any().downcast_ref::<Curve>())
            .ok_or_else(|| run_err("venue 0 is not the Curve pool"))?;
        let bal = &curve.pool().balances;
        self.market.push(TerraRow {
            time: time.clone(),
            ust_curve: price(CURVE, UST)?,
            ust_cex: price(UST_CEX, UST)?,
            luna_usd,
            ust_path: paths.0.price_at(now as i64),
            luna_path: paths.1.price_at(now as i64),
            ust_supply,
            luna_supply,
            coverage: if ust_supply > 0.0 {
                luna_supply * luna_usd / ust_supply
            } else {
                0.0
            },
            anchor_deposits: anchor.deposits_tokens().map_err(run_err)?,
            anchor_exchange_rate: anchor.exchange_rate(),
            yield_reserve: anchor.yield_reserve_tokens(),
            deposit_rate: anchor.deposit_rate(),
            terra_pool_delta_sdr: market.pool_delta_sdr(),
            spread_1m_sdr: market.spread_of_sdr(1e6).map_err(run_err)?,
            curve_ust: tokens(bal[0]),
            curve_usd: tokens(bal[1]),
            ust_burned: tokens(market.ust_burned()),
            luna_minted: tokens(market.luna_minted()),
        });
        for a in &agents[self.first_cohort..] {
            let Some(h) = a.as_any().downcast_ref::<PegHolders>() else {
                continue;
            };
            let stake = h.stake_tokens();
            let exited = tokens(h.exited);
            self.cohorts.push(CohortRow {
                time: time.clone(),
                cohort: h.cohort().to_string(),
                holds: if h.in_anchor() { "anchor" } else { "wallet" }.into(),
                stake,
                exited,
                exited_share: if stake > 0.0 { exited / stake } else { 0.0 },
                sold: tokens(h.sold),
                added: tokens(h.added),
                decisions: h.decisions,
            });
        }
        Ok(())
    }

    fn finish(
        self,
        l: &Loaded,
        seed: u64,
        mode: &str,
        blocks: u64,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<RunOutput, SpiralError> {
        let log = world.log();
        let events = crate::world_run::events(agents)?;
        let first = self.market.first().cloned().unwrap_or_default();
        let last = self.market.last().cloned().unwrap_or_default();
        let deposits_at = |h: i64| {
            let t = self.start + h * 3600;
            self.market
                .iter()
                .rev()
                .find(|r| bankrun_chain::time::parse_time(&r.time).is_ok_and(|x| x <= t))
                .map_or(first.anchor_deposits, |r| r.anchor_deposits)
        };
        let outflow = |d: f64| {
            if first.anchor_deposits > 0.0 {
                1.0 - d / first.anchor_deposits
            } else {
                0.0
            }
        };
        let arb = agents
            .get(1)
            .and_then(|a| a.as_any().downcast_ref::<PegArbitrageur>())
            .ok_or_else(|| run_err("agent 1 is not the arbitrageur"))?;
        let mut cohort_exit_share = Vec::new();
        for a in &agents[self.first_cohort..] {
            if let Some(h) = a.as_any().downcast_ref::<PegHolders>() {
                let stake = h.stake_tokens();
                let share = if stake > 0.0 {
                    tokens(h.exited) / stake
                } else {
                    0.0
                };
                cohort_exit_share.push((h.cohort().to_string(), share));
            }
        }
        let min = |f: fn(&TerraRow) -> f64| {
            self.market
                .iter()
                .map(f)
                .fold(f64::INFINITY, f64::min)
                .min(f64::MAX)
        };
        let revert_reasons = crate::world_run::revert_reasons(world);
        let terra = TerraSummary {
            revert_reasons,
            ust_min_usd: min(|r| r.ust_cex),
            ust_end_usd: last.ust_cex,
            luna_min_usd: min(|r| r.luna_usd),
            luna_end_usd: last.luna_usd,
            ust_supply: [first.ust_supply, last.ust_supply],
            luna_supply: [first.luna_supply, last.luna_supply],
            anchor_deposits_start: first.anchor_deposits,
            anchor_outflow_share: [
                outflow(deposits_at(24)),
                outflow(deposits_at(72)),
                outflow(last.anchor_deposits),
            ],
            yield_reserve_end: last.yield_reserve,
            ust_burned: tokens(arb.ust_burned),
            cohort_exit_share,
            events_reverted: events
                .iter()
                .filter(|e| e.outcome.starts_with("reverted"))
                .count() as u64,
        };
        let (anchor, _) = parts(world)?;
        let liquidations = anchor.liquidations();
        let summary = Summary {
            scenario: l.spec.scenario.name.clone(),
            variant: mode.to_string(),
            protocol: "terra".into(),
            seed,
            blocks,
            positions: u64::from(build::BORROWERS),
            debt_start: l.spec.terra.as_ref().map_or(0.0, |t| t.anchor.borrows),
            liquidations: liquidations.0,
            debt_liquidated: liquidations.1,
            collateral_seized: liquidations.2,
            bad_debt: anchor.bad_debt_tokens(world.now()).map_err(run_err)?,
            txs_submitted: log.submitted,
            txs_included: log.txs.iter().filter(|t| !t.direct).count() as u64,
            txs_dropped: log.dropped,
            txs_reverted: log
                .txs
                .iter()
                .filter(|t| !t.direct && t.outcome.is_err())
                .count() as u64,
            min_market_price: terra.ust_min_usd,
            min_fundamental: min(|r| r.ust_path),
            arbitrages: arb.burns + arb.mints + arb.cross_trades,
            terra: Some(terra),
            ..Summary::default()
        };
        Ok(RunOutput {
            summary,
            terra: Some(TerraOutput {
                market: self.market,
                cohorts: self.cohorts,
                events,
            }),
            ..RunOutput::default()
        })
    }
}
