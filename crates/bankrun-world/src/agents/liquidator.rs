//! A liquidator that watches several protocols at once and routes what it seizes through the
//! venues (reference/behaviour.md §3, liquidators; the cross-protocol channel of §6: collateral
//! sold on a shared venue moves the price that every protocol's oracle reads).
//!
//! Each block, with nothing of its own pending, it
//! 1. sells every seized collateral token in its wallet for the debt token it repays with (or
//!    the token set by [`Liquidator::selling_into`]), on the first venue trading the pair,
//!    unless that venue's price is below its floor ([`Liquidator::selling_above`]);
//! 2. withdraws collateral it was paid as a deposit (Compound v2's seized cTokens);
//! 3. liquidates the most unhealthy candidate of each watched protocol it can pay for: the
//!    repayment is the protocol's close-factor maximum, capped by its wallet and
//!    `max_repay`.
//!
//! One liquidation per protocol per block keeps the agent from racing itself; competing
//! liquidators are separate agents.

use std::collections::BTreeSet;

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, ProtocolId, Target};
use crate::error::WorldError;
use crate::protocol::Candidate;
use crate::record::TxRecord;

/// A cross-protocol liquidator.
#[derive(Debug, Clone)]
pub struct Liquidator {
    name: String,
    watch: Vec<ProtocolId>,
    repay_token: TokenId,
    max_repay: U256,
    priority_gwei: f64,
    seized_tokens: BTreeSet<TokenId>,
    /// The token seized collateral is sold for (the repay token unless set).
    sell_into: Option<TokenId>,
    /// Holds seized collateral while the venue's price of it (in the token sold for) is
    /// below this, and sells only what keeps the price above it; `None`: sells at any price.
    min_sale_price: Option<f64>,
    /// Smallest repayment it bothers with, repay-token units (dust positions cost more gas
    /// than their bonus pays).
    min_repay: U256,
    pending: usize,
    /// The on-chain account it acts from (`None`: its agent id).
    account: Option<AgentId>,
    /// Liquidations mined successfully, as `(block, protocol, borrower)`.
    pub liquidations: Vec<(u64, ProtocolId, AgentId)>,
}

impl Liquidator {
    /// A liquidator of the protocols `watch`, repaying in `repay_token`, at most `max_repay`
    /// (token units) per liquidation, bidding `priority_gwei`.
    pub fn new(
        name: &str,
        watch: Vec<ProtocolId>,
        repay_token: TokenId,
        max_repay: U256,
        priority_gwei: f64,
    ) -> Self {
        Liquidator {
            name: name.to_string(),
            watch,
            repay_token,
            max_repay,
            priority_gwei,
            seized_tokens: BTreeSet::new(),
            sell_into: None,
            min_sale_price: None,
            min_repay: U256::ZERO,
            pending: 0,
            account: None,
            liquidations: Vec::new(),
        }
    }

    /// Sells seized collateral for `token` instead of the repay token (a venue quoting the
    /// collateral in dollars where the debt is a stablecoin with no such venue).
    pub fn selling_into(mut self, token: TokenId) -> Self {
        self.sell_into = Some(token);
        self
    }

    /// Holds seized collateral instead of selling it below `price` (in the token it is sold
    /// for), and sells no more than keeps the venue at or above `price`: a liquidator who
    /// would rather wait than sell into a venue at a deep discount (stETH before withdrawals,
    /// which it can hold until redemption).
    pub fn selling_above(mut self, price: f64) -> Self {
        self.min_sale_price = Some(price);
        self
    }

    /// Ignores candidates whose largest repayment is below `amount` (repay-token units): a
    /// liquidation's bonus must pay for its gas (reference/behaviour.md §3, liquidators).
    pub fn repaying_at_least(mut self, amount: U256) -> Self {
        self.min_repay = amount;
        self
    }

    /// Starts holding collateral of `token` to unwind (seized before the run, or taken over
    /// from another liquidator): step 1 sells it as if this agent had seized it.
    pub fn with_seized(mut self, token: TokenId) -> Self {
        self.seized_tokens.insert(token);
        self
    }

    /// Acts from on-chain account `account` instead of its agent id (a world whose accounts
    /// are numbered by another agent, as the engine's population numbers its pool users).
    pub fn from_account(mut self, account: AgentId) -> Self {
        self.account = Some(account);
        self
    }

    fn submit(&mut self, out: &mut Vec<Submission>, target: Target, call: Call) {
        self.pending += 1;
        let mut sub = Submission::new(target, call, self.priority_gwei);
        sub.account = self.account;
        out.push(sub);
    }

    /// Step 1 and 2: sell wallet collateral, withdraw deposited collateral.
    fn unwind(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let into = self.sell_into.unwrap_or(self.repay_token);
        for token in self.seized_tokens.clone() {
            let held = view.ledger.balance(token, Holder::Agent(me));
            // Seized in the token it sells into (a Compound v2 market entered with no
            // collateral factor, seized all the same): nothing to sell.
            let venue = view.venue_for(token, into).filter(|_| token != into);
            let sale = match (self.min_sale_price, venue.and_then(|v| view.venue(v))) {
                (Some(min), Some(v)) => sale_above(v, (token, into), held, min)?,
                _ => held,
            };
            if let (false, Some(v)) = (sale.is_zero(), venue) {
                let call = Call::SwapExactIn {
                    token_in: token,
                    token_out: into,
                    amount_in: sale,
                    min_out: U256::ZERO,
                };
                self.submit(out, Target::Venue(v), call);
            }
            for p in self.watch.clone() {
                let proto = view.protocol(p).ok_or(WorldError::Unknown {
                    kind: "protocol",
                    id: p,
                })?;
                if proto.tokens().contains(&token)
                    && !proto.deposit_of(me, token, view.now)?.is_zero()
                {
                    self.submit(
                        out,
                        Target::Protocol(p),
                        Call::Withdraw {
                            token,
                            amount: U256::MAX,
                        },
                    );
                }
            }
        }
        Ok(())
    }
}

/// The largest of `held`, `held/2`, `held/4`, … (at most 20 halvings) whose sale leaves the
/// venue's marginal price of `token` at or above `floor`; zero if the price is already below
/// it or no such part exists. A liquidator that waited below its floor thus sells back into a
/// recovering venue in parts, never pushing it under the floor itself.
fn sale_above(
    venue: &dyn crate::venue::Venue,
    (token, into): (TokenId, TokenId),
    held: U256,
    floor: f64,
) -> Result<U256, WorldError> {
    let price = venue.price(token, into)?;
    if held.is_zero() || price < floor {
        return Ok(U256::ZERO);
    }
    let mut amount = held;
    for _ in 0..=20 {
        if amount.is_zero() {
            break;
        }
        if let Ok(q) = venue.quote_exact_in(token, into, amount)
            && price * (1.0 - q.impact) >= floor
        {
            return Ok(amount);
        }
        amount >>= 1;
    }
    Ok(U256::ZERO)
}

impl Agent for Liquidator {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn act(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        if self.pending > 0 {
            return Ok(());
        }
        let me = self.account.unwrap_or(me);
        self.unwind(me, view, out)?;
        let mut wallet = view.ledger.balance(self.repay_token, Holder::Agent(me));
        for &p in &self.watch.clone() {
            let proto = view.protocol(p).ok_or(WorldError::Unknown {
                kind: "protocol",
                id: p,
            })?;
            let best = proto
                .candidates(view.now)?
                .into_iter()
                .filter(|c| c.debt == self.repay_token && c.max_repay >= self.min_repay)
                .min_by(|a: &Candidate, b: &Candidate| {
                    a.health
                        .total_cmp(&b.health)
                        .then(a.borrower.cmp(&b.borrower))
                });
            let Some(c) = best else { continue };
            let repay = c.max_repay.min(self.max_repay).min(wallet);
            if repay.is_zero() {
                continue;
            }
            wallet -= repay;
            self.seized_tokens.insert(c.collateral);
            let call = Call::Liquidate {
                borrower: c.borrower,
                debt: c.debt,
                collateral: c.collateral,
                repay,
            };
            self.submit(out, Target::Protocol(p), call);
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        self.pending = self.pending.saturating_sub(1);
        if let (Call::Liquidate { borrower, .. }, Ok(_), Target::Protocol(p)) =
            (record.call, &record.outcome, record.target)
        {
            self.liquidations.push((record.block, p, borrower));
        }
    }
}
