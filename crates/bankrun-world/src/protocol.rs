//! The interface every lending protocol of the world implements.
//!
//! A protocol holds its own exact state (U256 in the contracts' units) and changes it only
//! through its own functions; the wrapper translates the world's [`Call`]s into them and moves
//! the tokens in the shared [`Ledger`] between the sender and the protocol's holder, so that
//! a token can be followed from wallet to pool to liquidator to venue.

use bankrun_aave::U256;
use bankrun_chain::{Holder, Ledger, TokenId};

use crate::call::{AgentId, Call, Effect};
use crate::error::WorldError;

/// What a call sees of the world while it executes.
pub struct Env<'a> {
    /// Block timestamp, unix seconds.
    pub now: u64,
    /// Block number.
    pub block: u64,
    /// The token ledger.
    pub ledger: &'a mut Ledger,
    /// The ledger holder of the protocol or venue executing.
    pub holder: Holder,
}

/// A position a liquidator could act on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Borrower.
    pub borrower: AgentId,
    /// Debt token to repay.
    pub debt: TokenId,
    /// Collateral token to seize.
    pub collateral: TokenId,
    /// Largest repayment the protocol accepts now (close factor), debt-token units.
    pub max_repay: U256,
    /// Health factor (1.0 = liquidation threshold) for display and ranking.
    pub health: f64,
}

/// A lending protocol of the world.
pub trait Protocol {
    /// Display name (`aave-v3.6`, `compound-v2`, …), used in logs and errors.
    fn name(&self) -> &str;

    /// Tokens the protocol lists, ascending.
    fn tokens(&self) -> Vec<TokenId>;

    /// Executes `call` for `sender`; atomic: on error neither the protocol nor the ledger has
    /// changed.
    ///
    /// # Errors
    /// [`WorldError::Reverted`] with the protocol's error, [`WorldError::Ledger`] when the
    /// sender lacks the tokens, [`WorldError::Unsupported`] for a call the protocol has no
    /// function for.
    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError>;

    /// Posts a price through the protocol's own oracle function (`AaveOracle` source update,
    /// Compound's `UniswapAnchoredView.validate`): `answer` is USD with 8 decimals.
    ///
    /// # Errors
    /// [`WorldError::Reverted`] if the protocol rejects it; unknown tokens are an error.
    fn post_price(&mut self, token: TokenId, answer: u128, now: u64) -> Result<(), WorldError>;

    /// Positions liquidatable at `now`, ascending by borrower.
    ///
    /// # Errors
    /// A failure to value an account is an error, never read as "healthy".
    fn candidates(&self, now: u64) -> Result<Vec<Candidate>, WorldError>;

    /// `agent`'s deposit of `token` (underlying, token units).
    ///
    /// # Errors
    /// As the protocol's balance views.
    fn deposit_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError>;

    /// `agent`'s debt of `token` (token units).
    ///
    /// # Errors
    /// As the protocol's balance views.
    fn debt_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError>;

    /// Called by the world at the top of each block, before the oracles post: the protocol's
    /// own scheduled upkeep (Maker's hourly `Jug.drip`). Nothing by default.
    ///
    /// # Errors
    /// The protocol's revert; the protocol is unchanged on error.
    fn begin_block(&mut self, _env: &mut Env<'_>) -> Result<(), WorldError> {
        Ok(())
    }

    /// Checks the protocol's books (see [`crate::invariant`]): totals against the accounts,
    /// tokens held against the ledger (`check.holder`), quantities that never fall. Reports
    /// into `check`; nothing by default.
    fn check_invariants(&self, _check: &mut crate::invariant::InvariantCheck<'_>) {}

    /// The protocol as [`std::any::Any`], so agents and recorders can downcast to its type
    /// (`p.as_any().downcast_ref::<Maker>()`) and read its typed state.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Moves `amount` of `token` from `sender` into the protocol or venue executing.
pub(crate) fn pull(
    env: &mut Env<'_>,
    token: TokenId,
    sender: AgentId,
    amount: U256,
) -> Result<(), WorldError> {
    Ok(env
        .ledger
        .transfer(token, Holder::Agent(sender), env.holder, amount)?)
}

/// Moves `amount` of `token` from the protocol or venue executing to `to`.
pub(crate) fn push(
    env: &mut Env<'_>,
    token: TokenId,
    to: AgentId,
    amount: U256,
) -> Result<(), WorldError> {
    Ok(env
        .ledger
        .transfer(token, env.holder, Holder::Agent(to), amount)?)
}

/// The position of `token` in a protocol's listing (`assets[i]` is reserve / market `i`).
///
/// # Errors
/// [`WorldError::Unsupported`] naming the protocol for a token it does not list.
pub(crate) fn listed(name: &str, assets: &[TokenId], token: TokenId) -> Result<usize, WorldError> {
    assets
        .iter()
        .position(|t| *t == token)
        .ok_or_else(|| WorldError::Unsupported {
            target: name.to_string(),
            what: format!("token {token} is not listed"),
        })
}

/// The error of a swap sent to a lending protocol.
pub(crate) fn not_a_venue(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "a swap on a lending protocol".into(),
    }
}

/// The error of an Aave call sent to another protocol.
pub(crate) fn not_aave(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "an Aave-only call (e-mode, aToken liquidation, configurator)".into(),
    }
}

/// The error of a Maker call on a protocol that is not Maker.
pub(crate) fn not_maker(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "a Maker Liquidations 1.2 call".into(),
    }
}

/// The error of a Terra market-module call on another protocol.
pub(crate) fn not_terra(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "a Terra market-module governance call".into(),
    }
}

/// The error of a Compound v2 guardian or admin call on another protocol.
pub(crate) fn not_compound(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "a Compound governance call (Compound v2 Comptroller _set*, Compound III pause or price feed)".into(),
    }
}

/// The error of an issuer's governance call on another protocol.
pub(crate) fn not_issuer(name: &str) -> WorldError {
    WorldError::Unsupported {
        target: name.to_string(),
        what: "an issuer's governance call (rate, halt, minting)".into(),
    }
}

/// `assets`, ascending: a protocol's [`Protocol::tokens`].
pub(crate) fn sorted(assets: &[TokenId]) -> Vec<TokenId> {
    let mut t = assets.to_vec();
    t.sort_unstable();
    t
}

/// Fails with the ledger's error if `sender` holds less than `amount` of `token`, before the
/// protocol is touched (so a call is atomic across protocol and ledger).
pub(crate) fn ensure_balance(
    env: &Env<'_>,
    token: TokenId,
    sender: AgentId,
    amount: U256,
) -> Result<(), WorldError> {
    let balance = env.ledger.balance(token, Holder::Agent(sender));
    if balance < amount {
        return Err(bankrun_chain::LedgerError::InsufficientBalance {
            token,
            holder: Holder::Agent(sender),
            balance,
            needed: amount,
        }
        .into());
    }
    Ok(())
}
