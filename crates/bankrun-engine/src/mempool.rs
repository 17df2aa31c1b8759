//! The engine's transactions: who sends them ([`Sender`]) and what they call ([`Action`]),
//! pending in the chain's mempool ([`bankrun_chain::mempool`]).
//!
//! A block includes pending transactions in order of priority fee (highest first), ties broken
//! by a seeded random draw made at submission, until the block's gas for the protocol is used
//! up; a transaction is included only if its gas fits in what is left. Included transactions
//! execute in that order, so depositors race first-come-first-served for the liquidity in the
//! pool. A reverted transaction is included and pays gas. Transactions that do not fit wait;
//! after `ttl` blocks they are dropped. A transaction's pool account is its sender's
//! (`World::account_of`).

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

/// A pending pool transaction of the engine.
pub type Tx = bankrun_chain::Tx<Sender, Action>;

/// The engine's mempool: [`bankrun_chain::Mempool`] over its senders and pool calls.
pub type Mempool = bankrun_chain::Mempool<Sender, Action>;
