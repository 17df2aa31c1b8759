//! Pending transactions and block building.
//!
//! A block includes pending transactions in order of priority fee (highest first), ties broken
//! by a seeded random draw made at submission, until the block's gas for the protocol is used
//! up; a transaction is included only if its gas limit fits in what is left. Included
//! transactions execute in that order, so depositors race first-come-first-served for the
//! liquidity in the pool. A reverted transaction is included and pays gas. Transactions that
//! do not fit wait; after `ttl` blocks they are dropped.

use bankrun_aave::{AssetId, U256, UserId};

/// Who sent a transaction (the agent to notify with the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sender {
    /// Depositor index.
    Depositor(u32),
    /// Borrower index.
    Borrower(u32),
    /// Liquidator index.
    Liquidator(u32),
}

/// A pool call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// `Pool.withdraw(asset, amount, to)`.
    Withdraw {
        /// Reserve.
        asset: AssetId,
        /// Amount, token units.
        amount: U256,
    },
    /// `Pool.repay(asset, amount, onBehalfOf = sender)`.
    Repay {
        /// Reserve.
        asset: AssetId,
        /// Amount, token units.
        amount: U256,
    },
    /// `Pool.liquidationCall(collateral, debt, user, debtToCover, receiveAToken)`.
    Liquidate {
        /// Collateral reserve.
        collateral: AssetId,
        /// Debt reserve.
        debt: AssetId,
        /// Account liquidated.
        user: UserId,
        /// Debt to cover, token units.
        debt_to_cover: U256,
        /// Take aTokens instead of the underlying.
        receive_a_token: bool,
    },
}

/// A pending transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Tx {
    /// Sender agent.
    pub sender: Sender,
    /// Pool account of the sender.
    pub user: UserId,
    /// The call.
    pub action: Action,
    /// Priority fee, gwei.
    pub priority_gwei: f64,
    /// Seeded tie-break.
    pub tie: u64,
    /// Block it was submitted in.
    pub submitted: u64,
    /// Gas limit (the gas a successful call uses).
    pub gas_limit: u64,
}

/// The mempool.
#[derive(Debug, Default)]
pub struct Mempool {
    pending: Vec<Tx>,
    submitted: u64,
}

impl Mempool {
    /// Adds a transaction.
    pub fn submit(&mut self, tx: Tx) {
        self.submitted += 1;
        self.pending.push(tx);
    }

    /// Transactions submitted since the start.
    pub fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Removes and returns the transactions dropped at `block` (pending longer than `ttl`).
    pub fn expire(&mut self, block: u64, ttl: u64) -> Vec<Tx> {
        let expired = |t: &Tx| block.saturating_sub(t.submitted) > ttl;
        if !self.pending.iter().any(expired) {
            return Vec::new();
        }
        let (dropped, kept): (Vec<Tx>, Vec<Tx>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|t| expired(t));
        self.pending = kept;
        dropped
    }

    /// Takes the transactions of the next block in execution order, leaving the rest pending.
    /// `gas` is the block's gas for the protocol.
    pub fn build_block(&mut self, gas: u64) -> Vec<Tx> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        self.pending.sort_by(|a, b| {
            b.priority_gwei
                .total_cmp(&a.priority_gwei)
                .then(a.tie.cmp(&b.tie))
        });
        let mut left = gas;
        let mut block = Vec::new();
        let mut rest = Vec::new();
        for tx in self.pending.drain(..) {
            if tx.gas_limit <= left {
                left -= tx.gas_limit;
                block.push(tx);
            } else {
                rest.push(tx);
            }
        }
        self.pending = rest;
        block
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(prio: f64, tie: u64, gas: u64) -> Tx {
        Tx {
            sender: Sender::Depositor(tie as u32),
            user: tie as u32,
            action: Action::Withdraw {
                asset: 0,
                amount: U256::from(1u8),
            },
            priority_gwei: prio,
            tie,
            submitted: 0,
            gas_limit: gas,
        }
    }

    #[test]
    fn orders_by_priority_then_tie_and_respects_gas() {
        let mut m = Mempool::default();
        m.submit(tx(1.0, 5, 100));
        m.submit(tx(3.0, 9, 100));
        m.submit(tx(3.0, 2, 100));
        m.submit(tx(2.0, 1, 100));
        let b = m.build_block(300);
        let ties: Vec<u64> = b.iter().map(|t| t.tie).collect();
        assert_eq!(ties, vec![2, 9, 1]);
        assert_eq!(m.len(), 1, "the lowest bid waits for the next block");
        assert_eq!(m.build_block(300)[0].tie, 5);
    }

    #[test]
    fn expires_after_ttl() {
        let mut m = Mempool::default();
        m.submit(tx(1.0, 1, 100));
        assert!(m.expire(10, 10).is_empty());
        assert_eq!(m.expire(11, 10).len(), 1);
        assert!(m.is_empty());
    }
}
