//! The mint-burn arbitrageur of a seigniorage stablecoin (reference/behaviour.md §5.2: "burning
//! ΔU UST mints ΔU(1 − s)/P_L LUNA ... redeemers sell the minted LUNA into markets"), and
//! the cross-venue arbitrage of UST between the Curve pool and the CEX book.
//!
//! With nothing in flight, each block it prices three round trips, each over sizes
//! `capital · 2⁻ᵏ` dollars (`k < 24`), and starts the most profitable one if its profit beats
//! `min_profit_usd`:
//! - **burn** (UST below its peg): buy UST on the cheaper UST venue, swap it for LUNA through
//!   the market module (its own quote: spread included), sell the LUNA on the LUNA book;
//! - **mint** (UST above its peg): buy LUNA on the LUNA book, swap it for UST through the
//!   market module, sell the UST on the dearer UST venue;
//! - **cross**: buy UST on one UST venue and sell it on the other.
//!
//! The legs follow each other block by block, each with what the previous leg delivered, so
//! the arbitrageur carries the price risk in between; the last leg sells on the venue that
//! quotes best when it is sent. Buys on a CEX book are exact-output orders, priced with the
//! book's own impact law.

use std::cmp::Reverse;

use bankrun_aave::U256;
use bankrun_chain::TokenId;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocols::TerraMarket;
use crate::record::TxRecord;
use crate::venue::Venue;
use crate::venues::Cex;

/// A peg arbitrageur's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PegArbitrageurSpec {
    /// Display name.
    pub name: String,
    /// The market module.
    pub market: ProtocolId,
    /// The UST pool (UST/USD, exact-input both ways) and the UST book (a [`Cex`]).
    pub ust_venues: (VenueId, VenueId),
    /// The LUNA book (LUNA/USD, a [`Cex`]).
    pub luna_venue: VenueId,
    /// UST, LUNA, USD tokens.
    pub tokens: (TokenId, TokenId, TokenId),
    /// Decimals of all three tokens.
    pub decimals: u8,
    /// Most dollars put into one round trip, USD.
    pub capital_usd: f64,
    /// Least profit worth a trade, USD.
    pub min_profit_usd: f64,
    /// Blocks between deciding and the earliest inclusion (at least 1).
    pub latency_blocks: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// A leg of a round trip after its opening buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leg {
    /// Swap UST for LUNA through the market module.
    Burn,
    /// Sell LUNA on the LUNA book.
    SellLuna,
    /// Swap LUNA for UST through the market module.
    Mint,
    /// Sell UST on the venue quoting best.
    SellUst,
}

/// The legs after the opening buy of a burn and of a mint.
const BURN: [Leg; 2] = [Leg::Burn, Leg::SellLuna];
const MINT: [Leg; 2] = [Leg::Mint, Leg::SellUst];

/// A mint-burn and cross-venue arbitrageur.
#[derive(Debug, Clone)]
pub struct PegArbitrageur {
    spec: PegArbitrageurSpec,
    /// The legs still to send after the one in flight.
    plan: Vec<Leg>,
    /// A leg in flight.
    pending: bool,
    /// What the last mined leg delivered, token units, ready for the next leg.
    carry: Option<U256>,
    /// Burns mined.
    pub burns: u64,
    /// Mints mined.
    pub mints: u64,
    /// UST burned through the market module, token units.
    pub ust_burned: U256,
    /// Cross-venue round trips started.
    pub cross_trades: u64,
}

fn cex(v: &dyn Venue) -> Option<&Cex> {
    v.as_any().downcast_ref::<Cex>()
}

impl PegArbitrageur {
    /// A new arbitrageur.
    pub fn new(spec: PegArbitrageurSpec) -> Self {
        PegArbitrageur {
            spec,
            plan: Vec::new(),
            pending: false,
            carry: None,
            burns: 0,
            mints: 0,
            ust_burned: U256::ZERO,
            cross_trades: 0,
        }
    }

    fn fixed(&self, x: f64) -> U256 {
        bankrun_chain::units::f64_to_fixed(x, u32::from(self.spec.decimals))
    }

    fn float(&self, x: U256) -> f64 {
        bankrun_chain::units::units_to_tokens(x, self.spec.decimals)
    }

    fn submit(&mut self, target: Target, call: Call, out: &mut Vec<Submission>) {
        let mut sub = Submission::new(target, call, self.spec.priority_gwei);
        sub.latency_blocks = self.spec.latency_blocks.max(1);
        out.push(sub);
        self.pending = true;
    }

    /// The best size and profit of `profit(dollars)`, sizes up to the capital and the `cash`
    /// in the wallet (with a margin for a book's fill above its quote). The profit of a round
    /// trip through venues with convex costs is concave in its size: when the smallest
    /// size loses, every size does, and the grid is not searched.
    fn best(&self, cash: f64, profit: impl Fn(f64) -> Option<f64>) -> Option<(f64, f64)> {
        let q = |k: u32| self.spec.capital_usd.min(cash) / f64::from(1u32 << k);
        if profit(q(23)).is_none_or(|p| p <= 0.0) {
            return None;
        }
        (0..24)
            .filter_map(|k| Some((q(k), profit(q(k))?)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)))
            .filter(|(_, p)| *p > self.spec.min_profit_usd)
    }

    fn market<'v>(&self, view: &'v View<'_>) -> Result<&'v TerraMarket, WorldError> {
        let id = self.spec.market;
        let p = view.protocol(id).ok_or(WorldError::Unknown {
            kind: "protocol",
            id,
        })?;
        p.as_any()
            .downcast_ref::<TerraMarket>()
            .ok_or_else(|| WorldError::Unsupported {
                target: p.name().to_string(),
                what: "a mint-burn swap on a protocol that is not the market module".into(),
            })
    }

    /// UST bought for `usd` dollars on `v` (pool: exact input; book: the UST whose cost is
    /// `usd`, from the book's impact law), and the order that buys it.
    fn buy_ust(&self, view: &View<'_>, v: VenueId, usd: f64) -> Option<(U256, Call)> {
        let (ust, _, usd_t) = self.spec.tokens;
        let venue = view.venue(v)?;
        match cex(venue) {
            None => {
                let q = self.fixed(usd);
                let out = venue.quote_exact_in(usd_t, ust, q).ok()?.out;
                let call = Call::SwapExactIn {
                    token_in: usd_t,
                    token_out: ust,
                    amount_in: q,
                    min_out: U256::ZERO,
                };
                Some((out, call))
            }
            Some(book) => {
                let book = &book.market().cex;
                // First order: UST for `usd` at the mid, less the impact of that size.
                let mut u = usd / book.mid;
                let cost = book.quote_buy(u).ok()?.quote;
                u *= usd / cost;
                let amount = self.fixed(u);
                let call = Call::BuyExactOut {
                    token_in: usd_t,
                    token_out: ust,
                    amount_out: amount,
                    max_in: U256::MAX,
                };
                Some((amount, call))
            }
        }
    }

    /// Dollars for selling `amount` UST on the venue quoting best, and that venue.
    fn sell_ust(&self, view: &View<'_>, amount: U256) -> Option<(f64, VenueId)> {
        let (ust, _, usd) = self.spec.tokens;
        let (a, b) = self.spec.ust_venues;
        [a, b]
            .into_iter()
            .filter_map(|v| {
                let out = view.venue(v)?.quote_exact_in(ust, usd, amount).ok()?.out;
                Some((out, v))
            })
            .max_by_key(|(o, v)| (*o, Reverse(*v)))
            .map(|(o, v)| (self.float(o), v))
    }

    /// Plans the best round trip, if any; returns its first order and the legs after it.
    fn plan(
        &self,
        me: AgentId,
        view: &View<'_>,
    ) -> Result<Option<(Target, Call, Vec<Leg>)>, WorldError> {
        let (ust, luna, usd) = self.spec.tokens;
        let cash = 0.95 * self.float(view.ledger.balance(usd, bankrun_chain::Holder::Agent(me)));
        let (pool, book) = self.spec.ust_venues;
        let market = self.market(view)?;
        let unknown = |id| WorldError::Unknown { kind: "venue", id };
        let luna_v = view
            .venue(self.spec.luna_venue)
            .ok_or(unknown(self.spec.luna_venue))?;
        let luna_book = cex(luna_v).ok_or_else(|| WorldError::Unsupported {
            target: luna_v.name().to_string(),
            what: "the LUNA leg of a mint needs a CEX book".into(),
        })?;
        let mut best: Option<(f64, Target, Call, Vec<Leg>)> = None;
        let mut consider =
            |p: Option<(f64, f64)>, make: &dyn Fn(f64) -> Option<(Target, Call, Vec<Leg>)>| {
                if let Some((q, profit)) = p
                    && best.as_ref().is_none_or(|b| profit > b.0)
                    && let Some((t, c, legs)) = make(q)
                {
                    best = Some((profit, t, c, legs));
                }
            };
        for v in [pool, book] {
            let burn = self.best(cash, |q| {
                let (u, _) = self.buy_ust(view, v, q)?;
                let l = market.quote_swap(ust, u, luna).ok()?;
                Some(self.float(luna_v.quote_exact_in(luna, usd, l).ok()?.out) - q)
            });
            consider(burn, &|q| {
                let (_, call) = self.buy_ust(view, v, q)?;
                Some((Target::Venue(v), call, BURN.to_vec()))
            });
            let other = if v == pool { book } else { pool };
            let cross = self.best(cash, |q| {
                let (u, _) = self.buy_ust(view, v, q)?;
                let out = view.venue(other)?.quote_exact_in(ust, usd, u).ok()?.out;
                Some(self.float(out) - q)
            });
            consider(cross, &|q| {
                let (_, call) = self.buy_ust(view, v, q)?;
                Some((Target::Venue(v), call, vec![Leg::SellUst]))
            });
        }
        let lb = &luna_book.market().cex;
        let mint = self.best(cash, |q| {
            let l = q / lb.mid;
            let cost = lb.quote_buy(l).ok()?.quote;
            let u = market.quote_swap(luna, self.fixed(l), ust).ok()?;
            Some(self.sell_ust(view, u)?.0 - cost)
        });
        consider(mint, &|q| {
            let call = Call::BuyExactOut {
                token_in: usd,
                token_out: luna,
                amount_out: self.fixed(q / lb.mid),
                max_in: U256::MAX,
            };
            Some((Target::Venue(self.spec.luna_venue), call, MINT.to_vec()))
        });
        Ok(best.map(|(_, t, c, legs)| (t, c, legs)))
    }

    /// Sends the next leg of the plan with `amount` delivered by the last one.
    fn next_leg(&mut self, view: &View<'_>, amount: U256, out: &mut Vec<Submission>) {
        if self.plan.is_empty() || amount.is_zero() {
            self.plan.clear();
            return;
        }
        let leg = self.plan.remove(0);
        let (ust, luna, usd) = self.spec.tokens;
        let swap = |token_in, token_out| Call::SwapExactIn {
            token_in,
            token_out,
            amount_in: amount,
            min_out: U256::ZERO,
        };
        let market = Target::Protocol(self.spec.market);
        let (target, call) = match leg {
            Leg::Burn => (market, swap(ust, luna)),
            Leg::Mint => (market, swap(luna, ust)),
            Leg::SellLuna => (Target::Venue(self.spec.luna_venue), swap(luna, usd)),
            Leg::SellUst => match self.sell_ust(view, amount) {
                Some((_, v)) => (Target::Venue(v), swap(ust, usd)),
                None => {
                    self.plan.clear();
                    return;
                }
            },
        };
        self.submit(target, call, out);
    }
}

impl Agent for PegArbitrageur {
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
        if self.pending {
            return Ok(());
        }
        if let Some(amount) = self.carry.take() {
            self.next_leg(view, amount, out);
            return Ok(());
        }
        if let Some((target, call, legs)) = self.plan(me, view)? {
            if legs.first() == Some(&Leg::SellUst) {
                self.cross_trades += 1;
            }
            self.plan = legs;
            self.submit(target, call, out);
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        self.pending = false;
        let Ok(receipt) = &record.outcome else {
            // A failed leg ends the round trip; what is held stays in the wallet.
            self.plan.clear();
            return;
        };
        let (ust, luna, _) = self.spec.tokens;
        let delivered = match record.call {
            Call::BuyExactOut { amount_out, .. } => amount_out,
            Call::SwapExactIn {
                token_in,
                amount_in,
                ..
            } => {
                if record.target == Target::Protocol(self.spec.market) {
                    if token_in == ust {
                        self.burns += 1;
                        self.ust_burned += amount_in;
                    } else if token_in == luna {
                        self.mints += 1;
                    }
                }
                receipt.effect.amount
            }
            _ => U256::ZERO,
        };
        if self.plan.is_empty() {
            self.carry = None;
        } else {
            self.carry = Some(delivered);
        }
    }

    fn on_dropped(&mut self, _sub: &Submission) {
        self.pending = false;
        self.plan.clear();
    }
}
