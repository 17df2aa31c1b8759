//! The interface of the world's agents, and what they see.
//!
//! Agents are types with their own modules ([`crate::agents`]); the world calls them in
//! index order each block, after the oracles have published, and tells each sender the
//! outcome of its mined transactions.

use bankrun_chain::{Ledger, TokenId};

use crate::call::{AgentId, Call, ProtocolId, Target, VenueId};
use crate::oracle::OracleRegistry;
use crate::protocol::Protocol;
use crate::record::TxRecord;
use crate::venue::Venue;

/// A transaction an agent asks to send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Submission {
    /// What it calls.
    pub target: Target,
    /// The call.
    pub call: Call,
    /// Priority fee bid, gwei (the whole gas price under the legacy gas model).
    pub priority_gwei: f64,
    /// Gas limit; `None` takes the world's [`crate::GasSchedule`] entry of the call's kind.
    pub gas: Option<u64>,
    /// Blocks after this one before the transaction can be included (0: this block).
    pub latency_blocks: u64,
    /// Replacement key (the nonce): a later submission of the same sender with the same key
    /// replaces the pending one if it bids the mempool's price bump more. `None`: never.
    pub replace_key: Option<u64>,
    /// The on-chain account that sends the call, when the agent manages many (a population
    /// of depositors, each with its own account); `None`: the agent's own account (its id).
    /// The mempool's per-sender slots and replacements are per account.
    pub account: Option<AgentId>,
}

impl Submission {
    /// A transaction of `call` on `target` bidding `priority_gwei`, with the scheduled gas,
    /// includable at once.
    pub fn new(target: Target, call: Call, priority_gwei: f64) -> Self {
        Submission {
            target,
            call,
            priority_gwei,
            gas: None,
            latency_blocks: 0,
            replace_key: None,
            account: None,
        }
    }
}

/// What an agent sees of the world when it decides (read-only).
pub struct View<'a> {
    /// Block timestamp, unix seconds.
    pub now: u64,
    /// Block number.
    pub block: u64,
    /// Token balances.
    pub ledger: &'a Ledger,
    /// Lending protocols, by id.
    pub protocols: &'a [Box<dyn Protocol>],
    /// Venues, by id.
    pub venues: &'a [Box<dyn Venue>],
    /// Oracle feeds.
    pub oracles: &'a OracleRegistry,
    /// The gas price an agent observes now (gwei): the legacy series' p60, or the base fee.
    pub gas_observed_gwei: f64,
}

impl View<'_> {
    /// Protocol `id`.
    pub fn protocol(&self, id: ProtocolId) -> Option<&dyn Protocol> {
        self.protocols.get(id as usize).map(|p| p.as_ref())
    }

    /// Venue `id`.
    pub fn venue(&self, id: VenueId) -> Option<&dyn Venue> {
        self.venues.get(id as usize).map(|v| v.as_ref())
    }

    /// The first venue trading both `a` and `b`, by id.
    pub fn venue_for(&self, a: TokenId, b: TokenId) -> Option<VenueId> {
        self.venues
            .iter()
            .position(|v| {
                let t = v.tokens();
                t.contains(&a) && t.contains(&b)
            })
            .map(|i| i as VenueId)
    }
}

/// An agent of the world.
pub trait Agent {
    /// Display name (`liquidator-0`, `seller`, …).
    fn name(&self) -> &str;

    /// Decides this block's transactions, appending them to `out`. `me` is the agent's id.
    ///
    /// # Errors
    /// A failure to read the world (a protocol view error) is reported, not read as "do
    /// nothing".
    fn act(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), crate::WorldError>;

    /// The outcome of one of the agent's mined transactions (also of its scheduled and
    /// off-chain actions, whose records have `direct` set).
    fn on_mined(&mut self, record: &TxRecord);

    /// Scheduled actions at the top of the block, executed at once in agent order before
    /// the oracles publish, outside the mempool and without gas: scenario events at their
    /// time (a spell cast, a guardian's freeze), whose inclusion race is not modelled.
    ///
    /// # Errors
    /// As [`Agent::act`].
    fn scheduled(
        &mut self,
        _me: AgentId,
        _view: &View<'_>,
        _out: &mut Vec<Submission>,
    ) -> Result<(), crate::WorldError> {
        Ok(())
    }

    /// Off-chain or unmodelled-gas actions after the block, executed at once in agent order
    /// and in the order given (a keeper's exit, CEX sale and re-join of the proceeds).
    ///
    /// # Errors
    /// As [`Agent::act`].
    fn after_block(
        &mut self,
        _me: AgentId,
        _view: &View<'_>,
        _out: &mut Vec<Submission>,
    ) -> Result<(), crate::WorldError> {
        Ok(())
    }

    /// One of the agent's transactions left the mempool unmined (its time to live passed).
    fn on_dropped(&mut self, _submission: &Submission) {}

    /// The agent as [`std::any::Any`], so a recorder can read its typed state.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// The cadence of an agent that sends one transaction at a time: at most one in flight, and at
/// most one round every `every` blocks (dip buyers, redemption arbitrageurs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rounds {
    pending: bool,
    last_block: Option<u64>,
}

impl Rounds {
    /// Whether a round may start at `block`: nothing in flight, and at least `every` blocks
    /// (at least 1) since the last round that sent something.
    pub fn ready(&self, block: u64, every: u64) -> bool {
        !self.pending
            && self
                .last_block
                .is_none_or(|b| block >= b.saturating_add(every.max(1)))
    }

    /// Records a transaction sent at `block`.
    pub fn sent(&mut self, block: u64) {
        self.pending = true;
        self.last_block = Some(block);
    }

    /// Records that the transaction in flight was mined or dropped.
    pub fn settled(&mut self) {
        self.pending = false;
    }
}
