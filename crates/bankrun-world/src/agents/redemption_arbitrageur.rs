//! An authorised arbitrageur of a token's primary market: it buys the token below its
//! redemption value on a venue and redeems it at the issuer ([`crate::protocols::Issuer`]).
//!
//! Behaviour: reference/behaviour.md §4.1, "Stablecoin primary-market arbitrage" (after
//! Ma–Zeng–Zhang): arbitrageurs redeem at par only while the rails are open, so the secondary
//! discount is `1 − p ≈ haircut + rate × expected wait + inventory premium`. Here the haircut is
//! the issuer's own rate and fee (what a redemption pays), and `min_discount` stands for the
//! wait's carry, the inventory premium and gas.
//!
//! Each round (at most one transaction in flight, at most one round per `every_blocks`):
//! - with at least `min_clip` of the token in its wallet and redemption requests taken now, it
//!   requests the redemption of all of it;
//! - otherwise, with requests taken now and budget left, if selling `clip` of the paid token
//!   on the venue buys the token at a price at most `redemption price · (1 − min_discount)`
//!   (the venue's quote, in paid-token units valued at `paid_per_backing` per whole backing
//!   token), it buys. While the rails are closed it does nothing: it does not carry inventory
//!   over a closure (the SVB weekend).
//!
//! The backing it is paid later stays in its wallet (off-chain dollars are not recycled).

use bankrun_aave::U256;
use bankrun_chain::units::u256_to_f64;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Rounds, Submission, View};
use crate::call::{AgentId, Call, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocols::Issuer;
use crate::record::TxRecord;

/// A redemption arbitrageur's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RedemptionArbitrageurSpec {
    /// Display name.
    pub name: String,
    /// The issuer it redeems at.
    pub issuer: ProtocolId,
    /// The venue it buys on.
    pub venue: VenueId,
    /// The token bought and redeemed (USDC), with its decimals.
    pub token: (TokenId, u8),
    /// The token it pays on the venue (USDT), with its decimals.
    pub paid: (TokenId, u8),
    /// Value of one whole backing token in whole paid tokens (1.0: USD and USDT at par).
    pub paid_per_backing: f64,
    /// The least discount to the redemption price it buys at (0.001 = 10 bp).
    pub min_discount: f64,
    /// The most it pays per buy, paid-token units.
    pub clip: U256,
    /// The smallest amount of the token it redeems, token units.
    pub min_clip: U256,
    /// Its whole budget, paid-token units (its wallet is funded by the caller).
    pub budget: U256,
    /// Blocks between rounds (at least 1).
    pub every_blocks: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// A redemption arbitrageur.
#[derive(Debug, Clone)]
pub struct RedemptionArbitrageur {
    spec: RedemptionArbitrageurSpec,
    rounds: Rounds,
    /// Paid on the venue so far, paid-token units.
    pub spent: U256,
    /// Token bought so far, token units.
    pub bought: U256,
    /// Token sent to redemption so far, token units.
    pub redeemed: U256,
    /// Backing the issuer owes or paid for those requests, backing units.
    pub owed: U256,
}

impl RedemptionArbitrageur {
    /// An arbitrageur with nothing bought.
    pub fn new(spec: RedemptionArbitrageurSpec) -> Self {
        RedemptionArbitrageur {
            spec,
            rounds: Rounds::default(),
            spent: U256::ZERO,
            bought: U256::ZERO,
            redeemed: U256::ZERO,
            owed: U256::ZERO,
        }
    }

    /// The settings.
    pub fn spec(&self) -> &RedemptionArbitrageurSpec {
        &self.spec
    }

    /// The call of this round, if any (module docs).
    fn round(&self, me: AgentId, view: &View<'_>) -> Result<Option<(Target, Call)>, WorldError> {
        let s = &self.spec;
        let issuer = view
            .protocol(s.issuer)
            .and_then(|p| p.as_any().downcast_ref::<Issuer>())
            .ok_or(WorldError::Unknown {
                kind: "issuer",
                id: s.issuer,
            })?;
        if !issuer.redeeming_at(view.now) {
            return Ok(None);
        }
        let held = view.ledger.balance(s.token.0, Holder::Agent(me));
        if !held.is_zero() && held >= s.min_clip {
            let redeem = Call::SwapExactIn {
                token_in: s.token.0,
                token_out: issuer.spec().backing.0,
                amount_in: held,
                min_out: U256::ZERO,
            };
            return Ok(Some((Target::Protocol(s.issuer), redeem)));
        }
        let wallet = view.ledger.balance(s.paid.0, Holder::Agent(me));
        let amount = s.clip.min(s.budget.saturating_sub(self.spent)).min(wallet);
        if amount.is_zero() {
            return Ok(None);
        }
        let venue = view.venue(s.venue).ok_or(WorldError::Unknown {
            kind: "venue",
            id: s.venue,
        })?;
        let quote = venue.quote_exact_in(s.paid.0, s.token.0, amount)?;
        let whole = |x: U256, dec: u8| u256_to_f64(x) / 10f64.powi(dec.into());
        let got = whole(quote.out, s.token.1);
        if got <= 0.0 {
            return Ok(None);
        }
        let price = whole(amount, s.paid.1) / got;
        let ceiling = issuer.redemption_price() * s.paid_per_backing * (1.0 - s.min_discount);
        if price > ceiling {
            return Ok(None);
        }
        let buy = Call::SwapExactIn {
            token_in: s.paid.0,
            token_out: s.token.0,
            amount_in: amount,
            min_out: U256::ZERO,
        };
        Ok(Some((Target::Venue(s.venue), buy)))
    }
}

impl Agent for RedemptionArbitrageur {
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
        if !self.rounds.ready(view.block, s.every_blocks) {
            return Ok(());
        }
        let Some((target, call)) = self.round(me, view)? else {
            return Ok(());
        };
        self.rounds.sent(view.block);
        out.push(Submission::new(target, call, s.priority_gwei));
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        self.rounds.settled();
        let (Ok(receipt), Call::SwapExactIn { amount_in, .. }) = (&record.outcome, &record.call)
        else {
            return;
        };
        match record.target {
            Target::Venue(_) => {
                self.spent += *amount_in;
                self.bought += receipt.effect.amount;
            }
            Target::Protocol(_) => {
                self.redeemed += *amount_in;
                self.owed += receipt.effect.amount;
            }
        }
    }

    fn on_dropped(&mut self, _submission: &Submission) {
        self.rounds.settled();
    }
}
