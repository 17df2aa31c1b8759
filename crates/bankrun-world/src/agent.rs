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
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
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

    /// The outcome of one of the agent's mined transactions.
    fn on_mined(&mut self, record: &TxRecord);
}
