//! Turns the world's log and state after each block into the Maker run's rows: bites,
//! bids, settled auctions (with the sale of their collateral), the sampled series and the
//! summary. Reads the world; never changes it.

use std::collections::BTreeMap;

use bankrun_chain::time::format_time;
use bankrun_chain::units::units_to_tokens;
use bankrun_maker::U256;
use bankrun_world::agents::FlipKeeper;
use bankrun_world::protocols::maker::{Maker, VOW};
use bankrun_world::venues::{Cex, UniswapV2};
use bankrun_world::{Agent, AgentId, Call, MakerCall, TxRecord, World};

use super::build::{CEX, DAI, MAKER, OSM_FEED, POOL, WETH};
use crate::error::SpiralError;
use crate::record::{AuctionRow, BidRow, LiquidationRow, RunOutput, SeriesRow, Summary, median};
use crate::venues::Venue as SaleVenue;

fn rad(x: U256) -> f64 {
    units_to_tokens(x, 45)
}

fn wad(x: U256) -> f64 {
    units_to_tokens(x, 18)
}

/// Per-auction bookkeeping beyond the Flipper's state.
#[derive(Debug, Clone, Default)]
struct AuctionInfo {
    urn: u32,
    kicked: i64,
    lot0: U256,
    debt: U256,
    tab: U256,
    bids: u32,
    gas_by: BTreeMap<AgentId, U256>,
    unsafe_since: i64,
}

/// The recorder of a Maker world run.
pub(crate) struct Recorder {
    out: RunOutput,
    info: BTreeMap<u64, AuctionInfo>,
    unsafe_since: BTreeMap<u32, i64>,
    delays: Vec<f64>,
    /// Rows of settled auctions whose collateral the winner has not sold yet, by keeper.
    unsold: BTreeMap<AgentId, Vec<usize>>,
    /// Sales of each keeper already matched to rows.
    sales_seen: Vec<usize>,
    keepers: Vec<String>,
    arbitrageur: AgentId,
    cursor: usize,
    kicks: u64,
    liquidated: f64,
    sample_every: u64,
    blocks: u64,
}

impl Recorder {
    /// A recorder of `blocks` blocks, sampling the series every 10 minutes of blocks.
    pub(crate) fn new(
        summary: Summary,
        keepers: Vec<String>,
        arbitrageur: AgentId,
        block_s: u64,
    ) -> Self {
        let blocks = summary.blocks;
        Recorder {
            out: RunOutput {
                summary,
                ..RunOutput::default()
            },
            info: BTreeMap::new(),
            unsafe_since: BTreeMap::new(),
            delays: Vec::new(),
            unsold: BTreeMap::new(),
            sales_seen: vec![0; keepers.len()],
            keepers,
            arbitrageur,
            cursor: 0,
            kicks: 0,
            liquidated: 0.0,
            sample_every: (600 / block_s.max(1)).max(1),
            blocks,
        }
    }

    /// Records the block the world has just run; `mid` is the CEX mid its transactions met.
    ///
    /// # Errors
    /// [`SpiralError::Run`] when the world lacks its Maker protocol or venues.
    pub(crate) fn block(
        &mut self,
        world: &World,
        agents: &[Box<dyn Agent>],
        mid: f64,
    ) -> Result<(), SpiralError> {
        let maker = maker(world)?;
        let now = world.now() as i64;
        let b = world.block() - 1;
        // Urns unsafe at the block's protocol price (as the scan before the keepers looked).
        for &u in maker.unsafe_urns() {
            self.unsafe_since.entry(u).or_insert(now);
        }
        let txs = &world.log().txs[self.cursor..];
        self.cursor = world.log().txs.len();
        for tx in txs {
            self.tx(tx, maker, b, now, mid);
        }
        self.sales(agents, world)?;
        self.market(world, maker, b, now)
    }

    fn keeper(&self, id: AgentId) -> Option<&str> {
        self.keepers.get(id as usize).map(String::as_str)
    }

    fn tx(&mut self, tx: &TxRecord, maker: &Maker, b: u64, now: i64, mid: f64) {
        let s = &mut self.out.summary;
        if !tx.direct {
            s.txs_included += 1;
            if tx.outcome.is_err() {
                s.txs_reverted += 1;
            } else if tx.sender == self.arbitrageur {
                s.arbitrages += 1;
            }
        }
        let Call::Maker(call) = tx.call else { return };
        if tx.direct || self.keeper(tx.sender).is_none() {
            return;
        }
        let gas = match &tx.outcome {
            Ok(r) => r.gas_used,
            Err(r) => r.gas_used,
        };
        let fee = U256::from(gas) * bankrun_world::protocols::maker::to_fixed(tx.fee_gwei, 9);
        match call {
            MakerCall::Tend { id, .. }
            | MakerCall::Dent { id, .. }
            | MakerCall::Deal { id }
            | MakerCall::Tick { id } => {
                *self
                    .info
                    .entry(id)
                    .or_default()
                    .gas_by
                    .entry(tx.sender)
                    .or_default() += fee;
            }
            _ => {}
        }
        let Ok(receipt) = &tx.outcome else { return };
        match call {
            MakerCall::Bite { urn } => self.bite(maker, urn, receipt.effect, now),
            MakerCall::Tend { id, lot, bid } | MakerCall::Dent { id, lot, bid } => {
                self.info.entry(id).or_default().bids += 1;
                self.out.bids.push(BidRow {
                    auction: id,
                    block: b,
                    time: format_time(now),
                    bidder: self.keepers[tx.sender as usize].clone(),
                    kind: if matches!(call, MakerCall::Tend { .. }) {
                        "tend"
                    } else {
                        "dent"
                    },
                    bid_dai: rad(bid),
                    lot_eth: wad(lot),
                    gas_gwei: tx.fee_gwei,
                });
            }
            MakerCall::Deal { id } => self.deal(tx.sender, id, receipt.effect, b, now, mid),
            _ => {}
        }
    }

    fn bite(&mut self, maker: &Maker, urn: u32, effect: bankrun_world::Effect, now: i64) {
        // Auctions are numbered by kick, from 1, and every kick comes from a bite.
        self.kicks += 1;
        let id = self.kicks;
        let tab = maker.flipper().bids.get(&id).map_or(U256::ZERO, |b| b.tab);
        let debt = effect.amount * U256::from(10u64).pow(U256::from(27u64));
        let lot = effect.seized.map_or(U256::ZERO, |(_, x)| x);
        let s = &mut self.out.summary;
        s.liquidations += 1;
        s.auctions += 1;
        s.debt_liquidated += rad(debt);
        s.collateral_seized += wad(lot);
        self.liquidated += rad(debt);
        let since = self.unsafe_since.get(&urn).copied().unwrap_or(now);
        self.delays.push((now - since) as f64);
        self.info.insert(
            id,
            AuctionInfo {
                urn,
                kicked: now,
                lot0: lot,
                debt,
                tab,
                unsafe_since: since,
                ..AuctionInfo::default()
            },
        );
        if !maker.unsafe_urns().contains(&urn) {
            self.unsafe_since.remove(&urn);
        }
    }
}

impl Recorder {
    fn deal(
        &mut self,
        keeper: AgentId,
        id: u64,
        effect: bankrun_world::Effect,
        b: u64,
        now: i64,
        mid: f64,
    ) {
        let i = self.info.get(&id).cloned().unwrap_or_default();
        let bid_rad = effect.amount * U256::from(10u64).pow(U256::from(27u64));
        let bid = rad(bid_rad);
        let lot = effect.seized.map_or(0.0, |(_, x)| wad(x));
        let value = lot * mid;
        let zero = bid < 0.01 * rad(i.tab);
        // The effect's bid is wad (rounded down): compare at wad precision.
        let covered = effect.amount >= i.tab / U256::from(10u64).pow(U256::from(27u64));
        let s = &mut self.out.summary;
        s.auctions_settled += 1;
        if covered {
            s.auctions_covered += 1;
        }
        if zero {
            s.zero_bid_wins += 1;
            s.zero_bid_collateral_usd += value;
        }
        let shortfall = (rad(i.debt) - bid).max(0.0);
        s.deficit_settled += shortfall;
        let name = self.keepers[keeper as usize].clone();
        let winner_gas = i.gas_by.get(&keeper).copied().unwrap_or_default();
        self.out.liquidations.push(LiquidationRow {
            protocol: "maker",
            block: b,
            time: format_time(now),
            position: i.urn,
            debt_repaid: bid,
            collateral_seized: wad(i.lot0),
            collateral: "ETH".into(),
            discount: if value > 0.0 { 1.0 - bid / value } else { 0.0 },
            gas_paid_eth: wad(winner_gas),
            venue: SaleVenue::None.name().into(),
            price_impact: 0.0,
            auction: id,
            bids: i.bids,
            winner: name.clone(),
            winning_bid: bid,
            zero_bid: zero,
            delay_s: now - i.unsafe_since,
        });
        self.unsold
            .entry(keeper)
            .or_default()
            .push(self.out.liquidations.len() - 1);
        self.out.auctions.push(AuctionRow {
            auction: id,
            urn: i.urn,
            kicked: format_time(i.kicked),
            lot_eth: wad(i.lot0),
            debt_dai: rad(i.debt),
            tab_dai: rad(i.tab),
            outcome: if covered {
                "covered"
            } else if zero {
                "zero_bid"
            } else {
                "partial"
            },
            winner: name,
            bid_dai: bid,
            lot_sold_eth: lot,
            bids: i.bids,
            shortfall_dai: shortfall,
            duration_s: now - i.kicked,
        });
    }

    /// Matches keepers' new sales to their settled auctions' rows (venue and impact).
    fn sales(&mut self, agents: &[Box<dyn Agent>], _world: &World) -> Result<(), SpiralError> {
        for (k, agent) in agents.iter().enumerate().take(self.keepers.len()) {
            let keeper = agent
                .as_any()
                .downcast_ref::<FlipKeeper>()
                .ok_or_else(|| SpiralError::Run(format!("agent {k} is not a keeper")))?;
            let new = &keeper.sales()[self.sales_seen[k]..];
            self.sales_seen[k] = keeper.sales().len();
            let Some(&(_, venue, _, impact)) = new.last() else {
                continue;
            };
            let name = if venue == POOL {
                SaleVenue::Uniswap
            } else {
                SaleVenue::Cex
            };
            if let Some(rows) = self.unsold.get_mut(&(k as AgentId)) {
                for r in rows.drain(..) {
                    self.out.liquidations[r].venue = name.name().into();
                    self.out.liquidations[r].price_impact = impact;
                }
            }
        }
        Ok(())
    }

    /// Market extremes every block; a series row every `sample_every` blocks and at the end.
    fn market(
        &mut self,
        world: &World,
        maker: &Maker,
        b: u64,
        now: i64,
    ) -> Result<(), SpiralError> {
        let cex = world
            .view()
            .venue(CEX)
            .and_then(|v| v.as_any().downcast_ref::<Cex>())
            .ok_or_else(|| SpiralError::Run("the CEX venue is missing".into()))?
            .market()
            .clone();
        let s = &mut self.out.summary;
        s.min_market_price = s.min_market_price.min(cex.mid());
        s.min_fundamental = s.min_fundamental.min(cex.fundamental);
        s.max_endogenous_impact = s.max_endogenous_impact.max(1.0 - cex.impact_factor);
        if !(b.is_multiple_of(self.sample_every) || b + 1 == self.blocks) {
            return Ok(());
        }
        let view = world.view();
        let pool = view
            .venue(POOL)
            .and_then(|v| v.as_any().downcast_ref::<UniswapV2>())
            .ok_or_else(|| SpiralError::Run("the pool venue is missing".into()))?;
        let run = |e: bankrun_world::WorldError| SpiralError::Run(e.to_string());
        let gas = world.log().blocks.last().map_or(0.0, |g| g.min_price_gwei);
        self.out.series.push(SeriesRow {
            time: format_time(now),
            fundamental: cex.fundamental,
            cex_mid: cex.mid(),
            pool_price: bankrun_world::Venue::price(pool, WETH, DAI).map_err(run)?,
            protocol_price: world.view().oracles.answer(OSM_FEED).map_err(run)? as f64 / 1e8,
            gas_gwei: gas,
            unsafe_positions: maker.unsafe_urns().len() as u64,
            liquidated: self.liquidated,
        });
        Ok(())
    }

    /// The run's output: open auctions, bad debt, delays, transaction counts, gas.
    pub(crate) fn finish(
        mut self,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<RunOutput, SpiralError> {
        let maker = maker(world)?;
        for (&id, bid) in &maker.flipper().bids {
            let i = self.info.get(&id).cloned().unwrap_or_default();
            self.out.summary.auctions_open += 1;
            let winner = bid
                .guy
                .checked_sub(bankrun_world::MAKER_AGENT0)
                .and_then(|k| self.keeper(k))
                .map_or("cat".into(), str::to_string);
            self.out.auctions.push(AuctionRow {
                auction: id,
                urn: i.urn,
                kicked: format_time(i.kicked),
                lot_eth: wad(i.lot0),
                debt_dai: rad(i.debt),
                tab_dai: rad(i.tab),
                outcome: if bid.tic == 0 { "no_bid" } else { "open" },
                winner,
                bid_dai: rad(bid.bid),
                lot_sold_eth: wad(bid.lot),
                bids: i.bids,
                shortfall_dai: (rad(i.debt) - rad(bid.bid)).max(0.0),
                duration_s: -1,
            });
        }
        self.out.auctions.sort_by_key(|a| a.auction);
        let vat = maker.vat();
        let sin = vat.sin.get(&VOW).copied().unwrap_or_default();
        let log = world.log();
        let s = &mut self.out.summary;
        s.bad_debt = (rad(sin) - rad(vat.dai_of(VOW))).max(0.0);
        s.median_delay_s = median(&self.delays);
        s.txs_submitted = log.submitted;
        s.txs_dropped = log.dropped;
        s.oracle_updates = log
            .oracles
            .iter()
            .filter(|o| o.feed == OSM_FEED && o.block > 0)
            .count() as u64;
        s.oracle_gas_eth = log.blocks.iter().map(|g| g.oracle_eth).sum();
        for a in agents.iter().take(self.keepers.len()) {
            if let Some(k) = a.as_any().downcast_ref::<FlipKeeper>() {
                s.gas_paid_eth += wad(k.gas_paid());
            }
        }
        Ok(self.out)
    }
}

/// The world's Maker protocol.
pub(crate) fn maker(world: &World) -> Result<&Maker, SpiralError> {
    world
        .protocol(MAKER)
        .and_then(|p| p.as_any().downcast_ref::<Maker>())
        .ok_or_else(|| SpiralError::Run("the world has no Maker protocol".into()))
}
