//! A buyer of a token trading below its peg: patient capital that takes the discount and waits
//! for the peg (stETH bought below ETH before withdrawals opened, a stablecoin bought below $1).
//!
//! Behaviour: the limits to arbitrage of reference/behaviour.md §4 (arbitrageurs with finite
//! capital): with no redemption to close the trade, the buyer commits a bounded budget, in
//! clips, and only below a price. Each block, with no buy of its own pending and at least
//! `every_blocks` after its last one, if the venue's price of `token` in `quote` is below
//! `below`, it spends `min(clip, budget left, wallet)` of `quote` on `token`.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Rounds, Submission, View};
use crate::call::{AgentId, Call, Target, VenueId};
use crate::error::WorldError;
use crate::record::TxRecord;

/// A dip buyer's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DipBuyerSpec {
    /// Display name.
    pub name: String,
    /// The venue it buys on.
    pub venue: VenueId,
    /// The token bought (stETH) and the token paid (ETH).
    pub tokens: (TokenId, TokenId),
    /// Buys only while the venue's price of the token is below this, in the paid token.
    pub below: f64,
    /// The most it pays per buy, paid-token units.
    pub clip: U256,
    /// Its whole budget, paid-token units (its wallet is funded by the caller).
    pub budget: U256,
    /// Blocks between buys (at least 1).
    pub every_blocks: u64,
    /// Buys from this time on, unix seconds (0: from the start): capital that waits for
    /// news (USDC's redemption at par assured by the guarantee of 12 March 2023).
    pub from: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// A dip buyer.
#[derive(Debug, Clone)]
pub struct DipBuyer {
    spec: DipBuyerSpec,
    rounds: Rounds,
    /// Paid so far, paid-token units (mined buys).
    pub spent: U256,
    /// Bought so far, token units.
    pub bought: U256,
    /// Buys mined.
    pub buys: u64,
}

impl DipBuyer {
    /// A buyer with nothing spent.
    pub fn new(spec: DipBuyerSpec) -> Self {
        DipBuyer {
            spec,
            rounds: Rounds::default(),
            spent: U256::ZERO,
            bought: U256::ZERO,
            buys: 0,
        }
    }
}

impl Agent for DipBuyer {
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
        let s = &self.spec;
        if !self.rounds.ready(view.block, s.every_blocks)
            || self.spent >= s.budget
            || view.now < s.from
        {
            return Ok(());
        }
        let (token, paid) = s.tokens;
        let venue = view.venue(s.venue).ok_or(WorldError::Unknown {
            kind: "venue",
            id: s.venue,
        })?;
        if venue.price(token, paid)? >= s.below {
            return Ok(());
        }
        let wallet = view.ledger.balance(paid, Holder::Agent(me));
        let amount = s.clip.min(s.budget - self.spent).min(wallet);
        if amount.is_zero() {
            return Ok(());
        }
        self.rounds.sent(view.block);
        let call = Call::SwapExactIn {
            token_in: paid,
            token_out: token,
            amount_in: amount,
            min_out: U256::ZERO,
        };
        out.push(Submission::new(
            Target::Venue(s.venue),
            call,
            s.priority_gwei,
        ));
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        self.rounds.settled();
        if let (Ok(receipt), Call::SwapExactIn { amount_in, .. }) = (&record.outcome, &record.call)
        {
            self.spent += *amount_in;
            self.bought += receipt.effect.amount;
            self.buys += 1;
        }
    }

    fn on_dropped(&mut self, _submission: &Submission) {
        self.rounds.settled();
    }
}
