//! An inventory arbitrageur between Maker's Peg Stability Module and a pool holding the same
//! gem (USDC) and DAI (Curve 3pool): the primary-market rail that pulls the pool back towards
//! the PSM's fixed prices (par less `tin` for gem → DAI, par plus `tout` for DAI → gem).
//!
//! Behaviour: reference/behaviour.md §4.1, "Stablecoin primary-market arbitrage" (arbitrageurs
//! convert at a fixed par up to a capacity, here the PSM's ceiling `line`, when the discount
//! beats the cost) and "Curve-pool dynamics" (arbitrageurs restore balance only while the
//! primary redemption is open). The event: USDC/SVB, 10–13 March 2023, when USDC traded well
//! below DAI in 3pool and USDC was sold into the PSM for DAI until Maker cut its limit and
//! raised `tin` to 1 % (behaviour.md §1.2).
//!
//! Each round (at most one in flight, at most one per `every_blocks`) it checks both
//! directions with the venues' quotes, paid from the inventory in its wallet (both tokens,
//! funded by the caller), so its two legs are independent and their order in the block does
//! not matter:
//! - gem cheap in the pool: sell `x` gem to the PSM for DAI, sell that DAI to the pool for gem;
//! - gem rich in the pool: sell `x` gem to the pool for DAI, buy gem from the PSM with it.
//!
//! A direction is profitable when the gem back is at least `x·(1 + min_profit)`. The size
//! starts at `min(max_clip, wallet gem)` and halves until a direction is profitable and its
//! second leg's DAI is within the wallet's DAI, or until it falls below `min_clip` (no trade).
//! Gas is not priced: `min_profit` stands for it.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, Target, VenueId};
use crate::error::WorldError;
use crate::record::TxRecord;
use crate::venue::Venue;
use crate::venues::Psm;

/// Fixed-point scale of `min_profit` (parts per billion).
const PPB: u64 = 1_000_000_000;

/// A PSM arbitrageur's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PsmArbitrageurSpec {
    /// Display name.
    pub name: String,
    /// The PSM venue ([`crate::venues::Psm`], or any venue quoting gem ↔ DAI).
    pub psm: VenueId,
    /// The pool trading the same gem and DAI (Curve 3pool).
    pub pool: VenueId,
    /// The gem (USDC).
    pub gem: TokenId,
    /// DAI.
    pub dai: TokenId,
    /// The largest gem sold per round, gem units.
    pub max_clip: U256,
    /// The smallest gem sold per round, gem units: below it, no trade.
    pub min_clip: U256,
    /// The least profit taken, a fraction of the gem put in (0.0005 = 5 bp); it covers gas.
    pub min_profit: f64,
    /// Blocks between rounds (at least 1).
    pub every_blocks: u64,
    /// Priority fee bid of each leg, gwei.
    pub priority_gwei: f64,
}

/// Which way a round goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Gem cheap in the pool: gem → PSM → DAI → pool → gem.
    ToPsm,
    /// Gem rich in the pool: gem → pool → DAI → PSM → gem.
    FromPsm,
}

/// A round's plan: gem in, DAI in the middle, gem back.
#[derive(Debug, Clone, Copy)]
struct Plan {
    direction: Direction,
    gem_in: U256,
    dai: U256,
    gem_out: U256,
}

/// A PSM arbitrageur.
#[derive(Debug, Clone)]
pub struct PsmArbitrageur {
    spec: PsmArbitrageurSpec,
    /// Legs of the round in flight not yet mined or dropped.
    in_flight: u32,
    /// Every leg of the round in flight mined so far succeeded.
    round_ok: bool,
    last_block: Option<u64>,
    /// Rounds whose two legs both mined successfully.
    pub rounds: u64,
    /// Gem sold to the PSM (`sellGem`), gem units, mined.
    pub gem_to_psm: U256,
    /// Gem bought from the PSM (`buyGem`), gem units, mined.
    pub gem_from_psm: U256,
}

impl PsmArbitrageur {
    /// An arbitrageur with no round done.
    pub fn new(spec: PsmArbitrageurSpec) -> Self {
        PsmArbitrageur {
            spec,
            in_flight: 0,
            round_ok: true,
            last_block: None,
            rounds: 0,
            gem_to_psm: U256::ZERO,
            gem_from_psm: U256::ZERO,
        }
    }

    /// The settings.
    pub fn spec(&self) -> &PsmArbitrageurSpec {
        &self.spec
    }

    /// Whether a round is in flight (a leg not yet mined or dropped).
    pub fn pending(&self) -> bool {
        self.in_flight > 0
    }

    /// The round of `direction` selling `x` gem, if both quotes answer, the PSM holds the gem
    /// bought from it, and the DAI leg is within `dai_wallet`. A quote error (the PSM's
    /// ceiling, a pool that cannot take the trade) is no plan, not an error.
    fn plan(
        &self,
        direction: Direction,
        psm: &dyn Venue,
        pool: &dyn Venue,
        x: U256,
        dai_wallet: U256,
    ) -> Option<Plan> {
        let s = &self.spec;
        let (first, second) = match direction {
            Direction::ToPsm => (psm, pool),
            Direction::FromPsm => (pool, psm),
        };
        let dai = first.quote_exact_in(s.gem, s.dai, x).ok()?.out;
        if dai.is_zero() || dai > dai_wallet {
            return None;
        }
        let gem_out = second.quote_exact_in(s.dai, s.gem, dai).ok()?.out;
        if direction == Direction::FromPsm
            && let Some(p) = psm.as_any().downcast_ref::<Psm>()
        {
            // `buyGem` reverts when the PSM holds less gem than asked (its quote does not
            // check).
            let st = p.state();
            if gem_out.checked_mul(st.to18).is_none_or(|g18| g18 > st.ink) {
                return None;
            }
        }
        Some(Plan {
            direction,
            gem_in: x,
            dai,
            gem_out,
        })
    }

    /// The least gem back that makes selling `x` gem worth it: `x·(1 + min_profit)`, rounded
    /// up.
    fn hurdle(&self, x: U256) -> U256 {
        let ppb = (self.spec.min_profit.max(0.0) * PPB as f64).round();
        let ppb = U256::from(ppb.min(u64::MAX as f64) as u64);
        let scale = U256::from(PPB);
        x.saturating_add(x.saturating_mul(ppb).div_ceil(scale))
    }

    /// The largest profitable round, halving from `min(max_clip, wallet gem)`.
    fn best(&self, view: &View<'_>, me: AgentId) -> Result<Option<Plan>, WorldError> {
        let s = &self.spec;
        let venue = |id: VenueId| {
            view.venue(id)
                .ok_or(WorldError::Unknown { kind: "venue", id })
        };
        let (psm, pool) = (venue(s.psm)?, venue(s.pool)?);
        let gem_wallet = view.ledger.balance(s.gem, Holder::Agent(me));
        let dai_wallet = view.ledger.balance(s.dai, Holder::Agent(me));
        let mut x = s.max_clip.min(gem_wallet);
        while !x.is_zero() && x >= s.min_clip {
            let hurdle = self.hurdle(x);
            let best = [Direction::ToPsm, Direction::FromPsm]
                .into_iter()
                .filter_map(|d| self.plan(d, psm, pool, x, dai_wallet))
                .filter(|p| p.gem_out >= hurdle)
                .max_by_key(|p| p.gem_out);
            if best.is_some() {
                return Ok(best);
            }
            x >>= 1;
        }
        Ok(None)
    }

    fn swap(
        &self,
        venue: VenueId,
        token_in: TokenId,
        token_out: TokenId,
        amount: U256,
    ) -> Submission {
        let call = Call::SwapExactIn {
            token_in,
            token_out,
            amount_in: amount,
            min_out: U256::ZERO,
        };
        Submission::new(Target::Venue(venue), call, self.spec.priority_gwei)
    }

    /// One leg left the round (mined or dropped).
    fn leg_done(&mut self, ok: bool) {
        if self.in_flight == 0 {
            return;
        }
        self.in_flight -= 1;
        self.round_ok &= ok;
        if self.in_flight == 0 && self.round_ok {
            self.rounds += 1;
        }
    }
}

impl Agent for PsmArbitrageur {
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
        let rested = self
            .last_block
            .is_none_or(|b| view.block >= b.saturating_add(self.spec.every_blocks.max(1)));
        if self.in_flight > 0 || !rested {
            return Ok(());
        }
        let Some(plan) = self.best(view, me)? else {
            return Ok(());
        };
        let s = &self.spec;
        let (first, second) = match plan.direction {
            Direction::ToPsm => (s.psm, s.pool),
            Direction::FromPsm => (s.pool, s.psm),
        };
        out.push(self.swap(first, s.gem, s.dai, plan.gem_in));
        out.push(self.swap(second, s.dai, s.gem, plan.dai));
        self.in_flight = 2;
        self.round_ok = true;
        self.last_block = Some(view.block);
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        let s = &self.spec;
        if let (
            Ok(receipt),
            Call::SwapExactIn {
                token_in,
                token_out,
                amount_in,
                ..
            },
            Target::Venue(v),
        ) = (&record.outcome, &record.call, record.target)
            && v == s.psm
        {
            if *token_in == s.gem {
                self.gem_to_psm += *amount_in;
            } else if *token_out == s.gem {
                self.gem_from_psm += receipt.effect.amount;
            }
        }
        self.leg_done(record.outcome.is_ok());
    }

    fn on_dropped(&mut self, _submission: &Submission) {
        self.leg_done(false);
    }
}
