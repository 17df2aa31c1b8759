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
    /// The agent that sent it (the one told the outcome).
    pub sender: AgentId,
    /// The on-chain account it was sent from ([`crate::Submission::account`]; the agent's own
    /// id by default).
    pub account: AgentId,
    /// What it called.
    pub target: Target,
    /// The call.
    pub call: Call,
    /// The receipt, or the revert; each with the gas used.
    pub outcome: Result<Receipt, Revert>,
    /// Gas price bid, gwei (priority fee; the whole price under the legacy model).
    pub fee_gwei: f64,
    /// What the sender paid for its gas, ETH (the gas market's `cost_eth` of the gas used at
    /// the bid; 0 for direct actions).
    pub cost_eth: f64,
    /// Executed outside a block's transactions (a scheduled or off-chain action): no gas.
    pub direct: bool,
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

/// The gas conditions of one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockRecord {
    /// Block number.
    pub block: u64,
    /// Lowest includable gas price (gwei): the legacy threshold or the base fee.
    pub min_price_gwei: f64,
    /// Gas taken by oracle transactions ahead of the agents'.
    pub oracle_gas: u64,
    /// Their cost at the block's inclusion price, ETH.
    pub oracle_eth: f64,
    /// Gas used by the agents' transactions.
    pub agent_gas_used: u64,
}

/// The world's log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    /// Mined transactions, in execution order.
    pub txs: Vec<TxRecord>,
    /// Oracle answers, in publication order.
    pub oracles: Vec<OracleRecord>,
    /// Gas of each block.
    pub blocks: Vec<BlockRecord>,
    /// Transactions dropped unmined (time to live passed).
    pub dropped: u64,
    /// Transactions submitted to the mempool.
    pub submitted: u64,
}
