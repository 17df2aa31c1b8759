//! What the world records: every mined transaction and every oracle answer, in execution
//! order.

use crate::call::{AgentId, Call, FeedId, Receipt, Revert, Target};

/// A mined transaction and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TxRecord {
    /// Block number.
    pub block: u64,
    /// Block timestamp, unix seconds.
    pub time: u64,
    /// Sender.
    pub sender: AgentId,
    /// What it called.
    pub target: Target,
    /// The call.
    pub call: Call,
    /// The receipt, or the revert; each with the gas used.
    pub outcome: Result<Receipt, Revert>,
}

/// A feed answer and whether each reader accepted it.
#[derive(Debug, Clone, PartialEq)]
pub struct OracleRecord {
    /// Block number.
    pub block: u64,
    /// Feed.
    pub feed: FeedId,
    /// Answer, USD·1e8.
    pub answer: u128,
    /// Readers that rejected it (protocol name and reason); empty when all accepted.
    pub rejected: Vec<String>,
}

/// The world's log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    /// Mined transactions, in execution order.
    pub txs: Vec<TxRecord>,
    /// Oracle answers, in publication order.
    pub oracles: Vec<OracleRecord>,
}
