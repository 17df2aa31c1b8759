//! Turns the world's log and the liquidators' reports after each block into the Compound
//! run's rows: liquidations (with the sale of their collateral), the hourly series and the
//! summary. Reads the world; never changes it.

use bankrun_chain::prices::PricePath;
use bankrun_chain::time::format_time;
use bankrun_compound::Comptroller;
use bankrun_compound::exp::EXP_SCALE;
use bankrun_world::agents::{CompoundLiquidator, Seizure, VenueArbitrageur};
use bankrun_world::protocols::CompoundV2;
use bankrun_world::venues::{Cex, UniswapV2};
use bankrun_world::{Agent, AgentId, Call, Venue, VenueId, World};

use super::build::{BOOK0, CEX, COMPOUND, POOL, price_at};
use crate::compound::stress_factor;
use crate::error::SpiralError;
use crate::record::{LiquidationRow, RunOutput, SeriesRow, Summary, median};
use crate::spec::{Loaded, MarketSpec};
use crate::venues::{Venue as SaleVenue, to_units};

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// The recorder of a Compound world run.
pub(crate) struct Recorder {
    out: RunOutput,
    markets: Vec<MarketSpec>,
    paths: Vec<Option<PricePath>>,
    stress: Option<Loaded>,
    liquidators: Vec<String>,
    arbitrageur: AgentId,
    venue_of: Vec<Option<VenueId>>,
    /// Seizures of each liquidator already recorded.
    seen: Vec<usize>,
    cursor: usize,
    delays: Vec<f64>,
    liquidated: f64,
    sample_every: u64,
    blocks: u64,
}

impl Recorder {
    /// A recorder sampling the series every hour of blocks.
    ///
    /// # Errors
    /// [`SpiralError::BadInput`] without `[compound]`.
    pub(crate) fn new(
        l: &Loaded,
        summary: Summary,
        liquidators: Vec<String>,
        arbitrageur: AgentId,
        venue_of: Vec<Option<VenueId>>,
        paths: Vec<Option<PricePath>>,
        stressed: bool,
    ) -> Result<Self, SpiralError> {
        let c = l
            .spec
            .compound
            .as_ref()
            .ok_or_else(|| l.err("protocol", "no [compound]"))?;
        let blocks = summary.blocks;
        let bs = l.spec.scenario.block_seconds.max(1);
        Ok(Recorder {
            out: RunOutput {
                summary,
                ..RunOutput::default()
            },
            markets: c.markets.clone(),
            paths,
            stress: stressed.then(|| l.clone()),
            seen: vec![0; liquidators.len()],
            liquidators,
            arbitrageur,
            venue_of,
            cursor: 0,
            delays: Vec::new(),
            liquidated: 0.0,
            sample_every: (3600 / bs).max(1),
            blocks,
        })
    }

    /// The fundamental price of market `m` at `t` (× the stress ramp on the stressed path).
    fn fundamental(&self, m: usize, t: i64) -> f64 {
        let sf = self
            .stress
            .as_ref()
            .map_or(1.0, |l| stress_factor(l, true, t));
        price_at(&self.markets[m], &self.paths[m], t, sf)
    }

    /// Records the block the world has just run.
    ///
    /// # Errors
    /// [`SpiralError::Run`] when the world lacks its protocol or venues.
    pub(crate) fn block(
        &mut self,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<(), SpiralError> {
        let comp = comptroller(world)?;
        let now = world.now() as i64;
        let b = world.block() - 1;
        let txs = &world.log().txs[self.cursor..];
        self.cursor = world.log().txs.len();
        for tx in txs {
            if tx.direct || !matches!(tx.call, Call::Liquidate { .. }) || tx.outcome.is_err() {
                continue;
            }
            let k = tx.sender as usize;
            let liq = liquidator(agents, k)?;
            let z = liq.seizures().get(self.seen[k]).cloned().ok_or_else(|| {
                SpiralError::Run(format!(
                    "liquidator {k}: a mined liquidation without a report"
                ))
            })?;
            self.seen[k] += 1;
            self.row(comp, &z, k, b, now)?;
        }
        self.market(world, comp, agents, b, now)
    }

    fn row(
        &mut self,
        comp: &Comptroller,
        z: &Seizure,
        k: usize,
        b: u64,
        now: i64,
    ) -> Result<(), SpiralError> {
        let (bm, cm) = (z.borrowed, z.collateral);
        let pb = oracle_price(comp, bm)?;
        let repaid_usd = to_units(z.repaid, self.markets[bm].decimals) * pb;
        let seized = to_units(z.seized, self.markets[cm].decimals);
        let px = z.mid.unwrap_or_else(|| self.fundamental(cm, now));
        let value = seized * px;
        let since = z.unsafe_since.map_or(now, |t| t as i64);
        let venue = match z.venue {
            None => SaleVenue::None,
            Some(POOL) => SaleVenue::Uniswap,
            Some(v) if v == CEX || self.venue_of.contains(&Some(v)) => SaleVenue::Cex,
            Some(_) => SaleVenue::Curve,
        };
        self.delays.push((now - since) as f64);
        let s = &mut self.out.summary;
        s.liquidations += 1;
        s.debt_liquidated += repaid_usd;
        s.collateral_seized += value;
        self.liquidated += repaid_usd;
        self.out.liquidations.push(LiquidationRow {
            protocol: "compound-v2",
            block: b,
            time: format_time(now),
            position: z.account,
            debt_repaid: repaid_usd,
            collateral_seized: seized,
            collateral: self.markets[cm].name.clone(),
            discount: if value > 0.0 {
                1.0 - repaid_usd / value
            } else {
                0.0
            },
            gas_paid_eth: to_units(z.fee_wei, 18),
            venue: venue.name().into(),
            price_impact: z.impact,
            auction: 0,
            bids: 0,
            winner: self.liquidators[k].clone(),
            winning_bid: repaid_usd,
            zero_bid: false,
            delay_s: now - since,
        });
        Ok(())
    }

    /// Market extremes every block; a series row every `sample_every` blocks and at the end.
    fn market(
        &mut self,
        world: &World,
        comp: &Comptroller,
        agents: &[Box<dyn Agent>],
        b: u64,
        now: i64,
    ) -> Result<(), SpiralError> {
        let view = world.view();
        let cex = view
            .venue(CEX)
            .and_then(|v| v.as_any().downcast_ref::<Cex>())
            .ok_or_else(|| run("the ETH CEX venue is missing"))?
            .market();
        let s = &mut self.out.summary;
        s.min_market_price = s.min_market_price.min(cex.mid());
        s.min_fundamental = s.min_fundamental.min(cex.fundamental);
        s.max_endogenous_impact = s.max_endogenous_impact.max(1.0 - cex.impact_factor);
        if !(b.is_multiple_of(self.sample_every) || b + 1 == self.blocks) {
            return Ok(());
        }
        let pool = view
            .venue(POOL)
            .and_then(|v| v.as_any().downcast_ref::<UniswapV2>())
            .ok_or_else(|| run("the pool venue is missing"))?;
        let t = Venue::tokens(pool);
        let eth = self.eth();
        let usdc = t.iter().copied().find(|&x| x != eth).unwrap_or_default();
        let unsafe_positions =
            liquidator(agents, 0).map_or(0, |l| l.screen().borrow().unsafe_accounts().len() as u64);
        self.out.series.push(SeriesRow {
            time: format_time(now),
            fundamental: cex.fundamental,
            cex_mid: cex.mid(),
            pool_price: Venue::price(pool, eth, usdc).map_err(run)?,
            protocol_price: oracle_price(comp, eth as usize)?,
            gas_gwei: world.log().blocks.last().map_or(0.0, |g| g.min_price_gwei),
            unsafe_positions,
            liquidated: self.liquidated,
        });
        Ok(())
    }

    fn eth(&self) -> u32 {
        self.markets
            .iter()
            .position(|m| m.name == "ETH")
            .unwrap_or_default() as u32
    }

    /// The run's output: bad debt over the book, delays, transaction counts, gas.
    pub(crate) fn finish(
        mut self,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<RunOutput, SpiralError> {
        let comp = comptroller(world)?;
        let prices: Vec<f64> = (0..self.markets.len())
            .map(|i| oracle_price(comp, i))
            .collect::<Result<_, _>>()?;
        let mut bad_debt = 0.0;
        if let Ok(l) = liquidator(agents, 0) {
            let screen = l.screen().borrow();
            for (a, rows) in screen.units().iter().enumerate() {
                let id = BOOK0 + a as u32;
                let (mut coll, mut debt) = (0.0, 0.0);
                for &(m, _, _) in rows {
                    let ct = &comp.markets[m].ctoken;
                    let dec = self.markets[m].decimals;
                    let rate = ct.exchange_rate_stored().map_err(run)?;
                    coll += to_units(ct.balance_of(id) * rate / EXP_SCALE, dec) * prices[m];
                    debt += to_units(ct.borrow_balance_stored(id).map_err(run)?, dec) * prices[m];
                }
                bad_debt += (debt - coll).max(0.0);
            }
        }
        let log = world.log();
        let s = &mut self.out.summary;
        s.bad_debt = bad_debt;
        s.median_delay_s = median(&self.delays);
        s.oracle_updates = log.oracles.iter().filter(|o| o.block > 0).count() as u64;
        s.oracle_gas_eth = log.blocks.iter().map(|g| g.oracle_eth).sum();
        for k in 0..self.liquidators.len() {
            let l = liquidator(agents, k)?;
            let (submitted, included, reverted, dropped, replaced) = l.counts();
            s.txs_submitted += submitted;
            s.txs_included += included;
            s.txs_reverted += reverted;
            s.txs_dropped += dropped;
            s.txs_replaced += replaced;
            s.gas_paid_eth += to_units(l.gas_paid(), 18);
        }
        s.arbitrages = agents
            .get(self.arbitrageur as usize)
            .and_then(|a| a.as_any().downcast_ref::<VenueArbitrageur>())
            .map_or(0, VenueArbitrageur::trades);
        Ok(self.out)
    }
}

/// Liquidator `k`.
fn liquidator(agents: &[Box<dyn Agent>], k: usize) -> Result<&CompoundLiquidator, SpiralError> {
    agents
        .get(k)
        .and_then(|a| a.as_any().downcast_ref::<CompoundLiquidator>())
        .ok_or_else(|| run(format!("agent {k} is not a Compound liquidator")))
}

/// The world's Comptroller.
fn comptroller(world: &World) -> Result<&Comptroller, SpiralError> {
    world
        .protocol(COMPOUND)
        .and_then(|p| p.as_any().downcast_ref::<CompoundV2>())
        .map(CompoundV2::comptroller)
        .ok_or_else(|| run("the world has no Compound v2 protocol"))
}

/// Market `m`'s oracle price in USD (never read as 0).
fn oracle_price(comp: &Comptroller, m: usize) -> Result<f64, SpiralError> {
    let p = comp
        .oracle
        .price(m)
        .map_err(|e| run(format!("market {m}: oracle price: {e}")))?;
    Ok(to_units(p, 6))
}
