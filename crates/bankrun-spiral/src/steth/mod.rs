//! The stETH discount of June 2022 on the one world (`bankrun_world::World`), in two modes:
//! - **replay**: Aave v2's stETH/ETH feed and the holders read the real hourly stETH/ETH
//!   ratio; trades still move the Curve pool's composition;
//! - **spiral**: they read the Curve pool, so every sale (holders, liquidators, the scripted
//!   forced sellers) moves the price Aave v2 values stETH collateral at.
//!
//! stETH cannot be redeemed for ETH (no Lido withdrawals before Shapella): the Curve
//! stETH/ETH pool (`StableSwapSTETH.vy`, A = 50 with `A_PRECISION` 100) is the exit. Aave v2
//! (the native pool in its v2 mode, `bankrun_aave::ProtocolVersion::V2`) prices stETH at the
//! market through Chainlink's STETH/ETH feed, so the discount moves health factors; its
//! looped stETH/WETH positions and stETH/stablecoin positions (Celsius) are liquidated by
//! agents who sell the stETH they seize into the same pool.
//!
//! Each block, in the world's order: scripted events execute (Alameda's sale, 3AC's
//! withdrawal and sale); the feeds post (stETH/ETH as a Chainlink push feed; USDC/ETH and
//! DAI/ETH at 1 / ETH-USD); agents act (liquidators repay and sell what they seize; dip buyers
//! buy below their price; holders sell on the pool when their perceived risk passes their
//! thresholds); the block is built.
//!
//! Modules: [`spec`] (the `[steth]` table), [`build`] (world and agents), [`record`] (rows
//! and summary), [`output`] (files and report section).

pub mod build;
pub mod output;
pub mod record;
pub mod spec;

pub use record::{BookRow, StethOutput, StethRow, StethSummary};

use bankrun_aave::U256;
use bankrun_chain::time::format_time;
use bankrun_chain::units::units_to_tokens;
use bankrun_world::agents::{DipBuyer, Outcome, PegHolders, ScriptedCalls};
use bankrun_world::protocols::AaveV3;
use bankrun_world::venues::Curve;
use bankrun_world::{Agent, AgentId, Call, Venue, World};

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::spec::Loaded;
use build::{AAVE, Built, CURVE, ETH, STETH};

/// The modes the scenario runs, in order.
pub fn modes(l: &Loaded) -> Vec<String> {
    l.spec
        .steth
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
    let built = build::build(l, seed, mode)?;
    let mut rec = Recorder::new(&built)?;
    let Built {
        mut world,
        mut agents,
        window,
        ..
    } = built;
    let blocks =
        crate::world_run::run_blocks(l, &mut world, &mut agents, window, progress, &mut |w, a| {
            rec.sample(w, a)
        })?;
    rec.finish(l, seed, mode, blocks, &world, &agents)
}

fn tokens(x: U256) -> f64 {
    units_to_tokens(x, 18)
}

fn run_err(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

fn aave(world: &World) -> Result<&AaveV3, SpiralError> {
    world
        .protocol(AAVE)
        .and_then(|p| p.as_any().downcast_ref::<AaveV3>())
        .ok_or_else(|| run_err("protocol 0 is not the Aave v2 pool"))
}

/// A group's collateral (stETH) and debt (ETH at Aave's prices), summed over its accounts;
/// its borrowers' lowest health factor (infinite without debt); its shortfall (debt above
/// collateral value), ETH.
fn group_state(
    world: &World,
    (first, n): (AgentId, u32),
) -> Result<(f64, f64, f64, f64), SpiralError> {
    let a = aave(world)?;
    let pool = a.pool();
    let now = world.now();
    let (mut coll, mut debt, mut min_hf, mut short) = (0.0, 0.0, f64::INFINITY, 0.0);
    for who in first..first + n {
        coll += tokens(pool.supply_balance(now, who, 1));
        let d = pool.try_user_account_data(now, who).map_err(run_err)?;
        let (c, dt) = (tokens(d.total_collateral_base), tokens(d.total_debt_base));
        debt += dt;
        if dt > 0.0 {
            min_hf = min_hf.min(tokens(d.health_factor));
            short += (dt - c).max(0.0);
        }
    }
    Ok((coll, debt, min_hf, short))
}

/// Hourly rows, in order.
struct Recorder {
    paths: (
        bankrun_chain::prices::PricePath,
        bankrun_chain::prices::PricePath,
    ),
    feed: bankrun_world::FeedId,
    first: (usize, usize, usize),
    groups: Vec<(String, AgentId, u32)>,
    /// Per group at the start: collateral and debt (ETH).
    start: Vec<(f64, f64)>,
    market: Vec<StethRow>,
    /// Log cursor and running liquidation totals.
    seen: usize,
    liquidations: u64,
    seized: f64,
    liquidated: std::collections::BTreeSet<AgentId>,
}

impl Recorder {
    fn new(b: &Built) -> Result<Self, SpiralError> {
        let mut start = Vec::new();
        for g in &b.groups {
            let (c, d, _, _) = group_state(&b.world, (g.1, g.2))?;
            start.push((c, d));
        }
        Ok(Recorder {
            paths: b.paths.clone(),
            feed: b.steth_feed,
            first: b.first,
            groups: b.groups.clone(),
            start,
            market: Vec::new(),
            seen: 0,
            liquidations: 0,
            seized: 0.0,
            liquidated: Default::default(),
        })
    }

    /// Liquidations mined since the last call (the log's new transactions).
    fn scan_log(&mut self, world: &World) {
        let txs = &world.log().txs;
        for t in &txs[self.seen.min(txs.len())..] {
            if let (Ok(r), Call::Liquidate { borrower, .. }) = (&t.outcome, &t.call) {
                self.liquidations += 1;
                self.liquidated.insert(*borrower);
                if let Some((token, amount)) = r.effect.seized
                    && token == STETH
                {
                    self.seized += tokens(amount);
                }
            }
        }
        self.seen = txs.len();
    }

    fn sample(&mut self, world: &World, agents: &[Box<dyn Agent>]) -> Result<(), SpiralError> {
        let now = world.now();
        let time = format_time(now as i64);
        self.scan_log(world);
        if self.market.last().is_some_and(|r| r.time == time) {
            return Ok(());
        }
        let view = world.view();
        let curve = view
            .venue(CURVE)
            .and_then(|v| v.as_any().downcast_ref::<Curve>())
            .ok_or_else(|| run_err("venue 0 is not the Curve pool"))?;
        let bal = &curve.pool().balances;
        let (eth, steth) = (tokens(bal[0]), tokens(bal[1]));
        let a = aave(world)?;
        let pool = a.pool();
        let ray = 1e27;
        let answer = view.oracles.answer(self.feed).map_err(run_err)?;
        let holders_sold = agents[self.first.2..]
            .iter()
            .filter_map(|a| a.as_any().downcast_ref::<PegHolders>())
            .map(|h| tokens(h.sold))
            .sum();
        let buyers_bought = agents[self.first.1..self.first.2]
            .iter()
            .filter_map(|a| a.as_any().downcast_ref::<DipBuyer>())
            .map(|b| tokens(b.bought))
            .sum();
        self.market.push(StethRow {
            time,
            steth_oracle: answer as f64 / 1e8,
            steth_curve: curve.price(STETH, ETH).map_err(run_err)?,
            steth_path: self.paths.0.price_at(now as i64),
            eth_usd: self.paths.1.price_at(now as i64),
            curve_eth: eth,
            curve_steth: steth,
            curve_steth_share: if eth + steth > 0.0 {
                steth / (eth + steth)
            } else {
                0.0
            },
            aave_steth: tokens(pool.total_supply(now, 1)),
            weth_utilization: bankrun_chain::units::u256_to_f64(pool.utilization(now, 0)) / ray,
            weth_borrow_apr: bankrun_chain::units::u256_to_f64(
                pool.reserve(0).current_variable_borrow_rate,
            ) / ray,
            liquidations: self.liquidations,
            steth_seized: self.seized,
            holders_sold,
            buyers_bought,
        });
        Ok(())
    }

    fn books(&self, world: &World) -> Result<Vec<BookRow>, SpiralError> {
        let mut out = Vec::new();
        for (g, start) in self.groups.iter().zip(&self.start) {
            let (coll, debt, min_hf, short) = group_state(world, (g.1, g.2))?;
            out.push(BookRow {
                group: g.0.clone(),
                accounts: u64::from(g.2),
                steth_start: start.0,
                steth_end: coll,
                debt_eth_start: start.1,
                debt_eth_end: debt,
                liquidated_accounts: (g.1..g.1 + g.2)
                    .filter(|a| self.liquidated.contains(a))
                    .count() as u64,
                min_health_end: min_hf.is_finite().then_some(min_hf),
                shortfall_eth: short,
            });
        }
        Ok(out)
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
        let books = self.books(world)?;
        let first = self.market.first().cloned().unwrap_or_default();
        let last = self.market.last().cloned().unwrap_or_default();
        let min = |f: fn(&StethRow) -> f64| {
            self.market
                .iter()
                .map(f)
                .fold(f64::INFINITY, f64::min)
                .min(f64::MAX)
        };
        let max = |f: fn(&StethRow) -> f64| self.market.iter().map(f).fold(0.0, f64::max);
        let forced = forced_sales(agents)?;
        let shortfall: f64 = books.iter().map(|b| b.shortfall_eth).sum();
        let steth = StethSummary {
            steth_min_oracle: min(|r| r.steth_oracle),
            steth_min_curve: min(|r| r.steth_curve),
            steth_end_curve: last.steth_curve,
            curve_steth_share: [first.curve_steth_share, last.curve_steth_share],
            curve_steth_share_max: max(|r| r.curve_steth_share),
            weth_utilization_max: max(|r| r.weth_utilization),
            steth_seized: last.steth_seized,
            holders_sold: last.holders_sold,
            buyers_bought: last.buyers_bought,
            forced_sold: forced,
            forced_loss_eth: forced[0] - forced[1],
            shortfall_eth: shortfall,
            events_reverted: events
                .iter()
                .filter(|e| e.outcome.starts_with("reverted"))
                .count() as u64,
            revert_reasons: crate::world_run::revert_reasons(world),
        };
        let summary = Summary {
            scenario: l.spec.scenario.name.clone(),
            variant: mode.to_string(),
            protocol: "steth".into(),
            seed,
            blocks,
            positions: books.iter().map(|b| b.accounts).sum(),
            debt_start: books.iter().map(|b| b.debt_eth_start).sum(),
            liquidations: self.liquidations,
            debt_liquidated: books
                .iter()
                .map(|b| (b.debt_eth_start - b.debt_eth_end).max(0.0))
                .sum(),
            collateral_seized: self.seized,
            bad_debt: shortfall,
            txs_submitted: log.submitted,
            txs_included: log.txs.iter().filter(|t| !t.direct).count() as u64,
            txs_dropped: log.dropped,
            txs_reverted: log
                .txs
                .iter()
                .filter(|t| !t.direct && t.outcome.is_err())
                .count() as u64,
            min_market_price: steth.steth_min_curve,
            min_fundamental: min(|r| r.steth_path),
            steth: Some(steth),
            ..Summary::default()
        };
        Ok(RunOutput {
            summary,
            steth: Some(StethOutput {
                market: self.market,
                books,
                events,
            }),
            ..RunOutput::default()
        })
    }
}

/// The scripted stETH sales that were mined: stETH sold and ETH received.
fn forced_sales(agents: &[Box<dyn Agent>]) -> Result<[f64; 2], SpiralError> {
    let s = agents
        .first()
        .and_then(|a| a.as_any().downcast_ref::<ScriptedCalls>())
        .ok_or_else(|| run_err("agent 0 is not the scripted events"))?;
    let mut out = [0.0, 0.0];
    for (c, o) in s.calls().iter().zip(&s.outcomes) {
        if let (
            Call::SwapExactIn {
                token_in: STETH,
                amount_in,
                ..
            },
            Some((_, Outcome::Done(received))),
        ) = (&c.call, o)
        {
            let received: U256 = received
                .parse()
                .map_err(|_| run_err(format!("scripted sale {:?}: bad amount", c.label)))?;
            out[0] += tokens(*amount_in);
            out[1] += tokens(received);
        }
    }
    Ok(out)
}
