//! A Maker auction keeper under Liquidations 1.2 (the `auction-keeper` of 2020): it bites the
//! unsafe vaults assigned to it, bids in Flipper auctions (`tend`, then `dent`) at a margin
//! below the market, settles the auctions it won (`deal`), restarts expired auctions nobody
//! bid on (`tick`), and sells the collateral it won on the venue that pays more, joining the
//! DAI back as capital. Its gas price follows a strategy (fixed, or a multiple of the market
//! price with a cap) and it stops sending what its gas budget cannot pay.
//!
//! Behaviour: `bankrun_agents::keeper` (reference/behaviour.md §3, keepers on 12 March 2020;
//! the MakerDAO post-mortem "The Market Collapse of March 12-13, 2020"). Contracts: dss
//! `cat.sol` 1.0.0 `bite`, `flip.sol` `tend`/`dent`/`deal`/`tick`, `join.sol`.
//!
//! Vaults are assigned to keepers by `urn mod keepers`, and unbid expired auctions by
//! `id mod keepers` (one keeper each: assumption, so keepers do not all race for the same
//! bite); keeper `k` looks every `poll_blocks`, in the block whose index is `k mod poll`.

use std::collections::BTreeSet;

use bankrun_agents::{AuctionView, FlipBid, GasStrategy, can_afford_gas, flip_bid, gas_price_gwei};
use bankrun_chain::{Holder, TokenId};
use bankrun_maker::U256;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, MakerCall, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocols::maker::{ETH_A, Maker, to_fixed, vat_address};
use crate::record::TxRecord;

/// Gas limits of a keeper's calls (gas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperGas {
    /// `Cat.bite` + `Flipper.kick`.
    pub bite: u64,
    /// `tend` / `dent`.
    pub bid: u64,
    /// `deal` / `tick`.
    pub deal: u64,
}

/// A keeper's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FlipKeeperSpec {
    /// Display name (`static-keeper-0`).
    pub name: String,
    /// Gas pricing.
    pub gas: GasStrategy,
    /// Bids this fraction below the market value of the lot.
    pub margin: f64,
    /// Bids 1 rad-wei on any auction without a bid (the 0-DAI bidder of 12 March).
    pub zero_bid: bool,
    /// Looks every this many blocks.
    pub poll_blocks: u64,
    /// Gas budget, wei of ETH.
    pub gas_budget_wei: U256,
    /// Gas limits.
    pub limits: KeeperGas,
    /// Collateral sold per block at most, wad.
    pub sell_clip: U256,
}

/// Where a keeper acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperMarkets {
    /// The Maker protocol.
    pub maker: ProtocolId,
    /// Venues it may sell collateral on (the better quote wins; ties to the first).
    pub venues: [VenueId; 2],
    /// The venue whose price it values lots at (the deepest market).
    pub reference: VenueId,
    /// Collateral token (WETH) and DAI.
    pub tokens: (TokenId, TokenId),
}

/// What a keeper has in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Bite(u32),
    Auction(u64),
}

/// A sale of won collateral: (block, venue, collateral in wad, quoted impact).
pub type Sale = (u64, VenueId, U256, f64);

/// A Flipper keeper.
#[derive(Debug, Clone)]
pub struct FlipKeeper {
    spec: FlipKeeperSpec,
    at: KeeperMarkets,
    /// This keeper's index among the keepers, and their count.
    slot: (u32, u32),
    pending: BTreeSet<Key>,
    gas_left: U256,
    gas_paid: U256,
    sales: Vec<Sale>,
}

impl FlipKeeper {
    /// Keeper `slot.0` of `slot.1`.
    pub fn new(spec: FlipKeeperSpec, at: KeeperMarkets, slot: (u32, u32)) -> Self {
        FlipKeeper {
            gas_left: spec.gas_budget_wei,
            spec,
            at,
            slot,
            pending: BTreeSet::new(),
            gas_paid: U256::ZERO,
            sales: Vec::new(),
        }
    }

    /// Gas budget left, wei.
    pub fn gas_left(&self) -> U256 {
        self.gas_left
    }

    /// Gas paid so far, wei (never more than the budget).
    pub fn gas_paid(&self) -> U256 {
        self.gas_paid
    }

    /// Sales of won collateral, in order.
    pub fn sales(&self) -> &[Sale] {
        &self.sales
    }

    fn maker<'v>(&self, view: &'v View<'_>) -> Result<&'v Maker, WorldError> {
        view.protocol(self.at.maker)
            .and_then(|p| p.as_any().downcast_ref::<Maker>())
            .ok_or(WorldError::Unknown {
                kind: "maker protocol",
                id: self.at.maker,
            })
    }

    fn send(&mut self, out: &mut Vec<Submission>, key: Key, call: MakerCall, gas: u64, gwei: f64) {
        self.pending.insert(key);
        let mut sub = Submission::new(Target::Protocol(self.at.maker), Call::Maker(call), gwei);
        sub.gas = Some(gas);
        // Seen by the keeper in one block, included from the next at the earliest.
        sub.latency_blocks = 1;
        out.push(sub);
    }

    /// Bites of the unsafe vaults assigned to this keeper.
    fn bites(&mut self, view: &View<'_>, out: &mut Vec<Submission>, gwei: f64, budget: f64) {
        let Ok(maker) = self.maker(view) else { return };
        let urns: Vec<u32> = maker
            .unsafe_urns()
            .iter()
            .copied()
            .filter(|u| u % self.slot.1 == self.slot.0)
            .collect();
        for u in urns {
            if can_afford_gas(budget, self.spec.limits.bite, gwei)
                && !self.pending.contains(&Key::Bite(u))
            {
                let gas = self.spec.limits.bite;
                self.send(out, Key::Bite(u), MakerCall::Bite { urn: u }, gas, gwei);
            }
        }
    }

    /// Deals, ticks and bids on the Flipper's auctions.
    fn auctions(
        &mut self,
        me: u32,
        view: &View<'_>,
        out: &mut Vec<Submission>,
        gwei: f64,
        budget: f64,
    ) -> Result<(), WorldError> {
        let maker = self.maker(view)?;
        let flip = maker.flipper();
        let dai = maker.vat().dai_of(me);
        let capital = rad(dai);
        let beg = wad(flip.beg);
        let mid = view
            .venue(self.at.reference)
            .ok_or(WorldError::Unknown {
                kind: "venue",
                id: self.at.reference,
            })?
            .price(self.at.tokens.0, self.at.tokens.1)?;
        let now = view.now;
        let g = self.spec.limits;
        let mut plan = Vec::new();
        for (&id, bid) in &flip.bids {
            if self.pending.contains(&Key::Auction(id)) {
                continue;
            }
            let finished = bid.tic != 0 && (bid.tic < now || bid.end < now);
            if finished {
                if bid.guy == me && can_afford_gas(budget, g.deal, gwei) {
                    plan.push((id, MakerCall::Deal { id }, g.deal));
                }
                continue;
            }
            if bid.tic == 0 && bid.end < now {
                if id % u64::from(self.slot.1) == u64::from(self.slot.0) {
                    plan.push((id, MakerCall::Tick { id }, g.deal));
                }
                continue;
            }
            if bid.guy == me || !can_afford_gas(budget, g.bid, gwei) {
                continue;
            }
            if self.spec.zero_bid {
                if bid.bid.is_zero() && !dai.is_zero() {
                    let call = MakerCall::Tend {
                        id,
                        lot: bid.lot,
                        bid: U256::from(1u8),
                    };
                    plan.push((id, call, g.bid));
                }
                continue;
            }
            let lot = AuctionView {
                lot: wad(bid.lot),
                bid: rad(bid.bid),
                tab: rad(bid.tab),
                beg,
            };
            match flip_bid(lot, mid, self.spec.margin, capital) {
                Some(FlipBid::Tend(x)) => {
                    let amount = if x >= lot.tab {
                        bid.tab
                    } else {
                        to_fixed(x, 45)
                    };
                    let call = MakerCall::Tend {
                        id,
                        lot: bid.lot,
                        bid: amount,
                    };
                    plan.push((id, call, g.bid));
                }
                Some(FlipBid::Dent(l)) => {
                    let call = MakerCall::Dent {
                        id,
                        lot: to_fixed(l, 18),
                        bid: bid.bid,
                    };
                    plan.push((id, call, g.bid));
                }
                None => {}
            }
        }
        for (id, call, gas) in plan {
            self.send(out, Key::Auction(id), call, gas, gwei);
        }
        Ok(())
    }
}

fn rad(x: U256) -> f64 {
    bankrun_chain::units::units_to_tokens(x, 45)
}

fn wad(x: U256) -> f64 {
    bankrun_chain::units::units_to_tokens(x, 18)
}

impl Agent for FlipKeeper {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let poll = self.spec.poll_blocks.max(1);
        // Block b of the run (from 0) is world block b + 1.
        if (view.block - 1) % poll != u64::from(self.slot.0) % poll {
            return Ok(());
        }
        let gwei = gas_price_gwei(self.spec.gas, view.gas_observed_gwei);
        let budget = wad(self.gas_left);
        self.bites(view, out, gwei, budget);
        self.auctions(vat_address(me)?, view, out, gwei, budget)
    }

    fn on_mined(&mut self, record: &TxRecord) {
        if record.direct {
            return;
        }
        let key = match record.call {
            Call::Maker(MakerCall::Bite { urn }) => Key::Bite(urn),
            Call::Maker(
                MakerCall::Tend { id, .. }
                | MakerCall::Dent { id, .. }
                | MakerCall::Deal { id }
                | MakerCall::Tick { id },
            ) => Key::Auction(id),
            _ => return,
        };
        self.pending.remove(&key);
        let gas = match &record.outcome {
            Ok(r) => r.gas_used,
            Err(r) => r.gas_used,
        };
        // The budget pays what it can (integer wei of the bid price).
        let fee = (U256::from(gas) * to_fixed(record.fee_gwei, 9)).min(self.gas_left);
        self.gas_left -= fee;
        self.gas_paid += fee;
    }

    fn on_dropped(&mut self, sub: &Submission) {
        match sub.call {
            Call::Maker(MakerCall::Bite { urn }) => {
                self.pending.remove(&Key::Bite(urn));
            }
            Call::Maker(
                MakerCall::Tend { id, .. }
                | MakerCall::Dent { id, .. }
                | MakerCall::Deal { id }
                | MakerCall::Tick { id },
            ) => {
                self.pending.remove(&Key::Auction(id));
            }
            _ => {}
        }
    }

    /// Sells at most `sell_clip` of the collateral won (Vat `gem`) on the venue quoting more:
    /// `GemJoin.exit`, the sale, and `DaiJoin.join` of the proceeds (off-chain or unmodelled
    /// gas, as the runner it replaces).
    fn after_block(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let maker = self.maker(view)?;
        let gem = maker.vat().gem_of(ETH_A, vat_address(me)?);
        if gem.is_zero() {
            return Ok(());
        }
        let x = gem.min(self.spec.sell_clip);
        let (weth, dai) = self.at.tokens;
        let mut best: Option<(VenueId, crate::venue::Quote)> = None;
        for v in self.at.venues {
            let Some(venue) = view.venue(v) else { continue };
            if let Ok(q) = venue.quote_exact_in(weth, dai, x)
                && best.is_none_or(|(_, b)| q.out > b.out)
            {
                best = Some((v, q));
            }
        }
        let (venue, quote) = best.ok_or_else(|| WorldError::Unsupported {
            target: self.spec.name.clone(),
            what: "no venue can absorb the collateral sale".into(),
        })?;
        debug_assert!(view.ledger.balance(dai, Holder::Agent(me)).is_zero());
        self.sales.push((view.block, venue, x, quote.impact));
        let maker_target = Target::Protocol(self.at.maker);
        out.push(Submission::new(
            maker_target,
            Call::Maker(MakerCall::ExitGem { amount: x }),
            0.0,
        ));
        out.push(Submission::new(
            Target::Venue(venue),
            Call::SwapExactIn {
                token_in: weth,
                token_out: dai,
                amount_in: x,
                min_out: U256::ZERO,
            },
            0.0,
        ));
        out.push(Submission::new(
            maker_target,
            Call::Maker(MakerCall::JoinDai { amount: U256::MAX }),
            0.0,
        ));
        Ok(())
    }
}
