//! The interface every trading venue of the world implements.

use bankrun_aave::U256;
use bankrun_chain::TokenId;

use crate::call::{AgentId, Effect};
use crate::error::WorldError;
use crate::protocol::Env;

/// The quote of an exact-input sale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    /// Output, token units.
    pub out: U256,
    /// Relative fall of the venue's marginal price of `token_in` the sale would cause
    /// (`1 − after / before`; a statistic, for reports).
    pub impact: f64,
}

/// A trading venue: a DEX pool or a CEX book.
pub trait Venue {
    /// Display name.
    fn name(&self) -> &str;

    /// Tokens traded, ascending.
    fn tokens(&self) -> Vec<TokenId>;

    /// Sells exactly `amount_in` of `token_in` for `token_out`; the output goes to `sender`.
    /// Atomic.
    ///
    /// # Errors
    /// The venue's error as [`WorldError::Reverted`] (including a slippage failure below
    /// `min_out`), or [`WorldError::Ledger`] when the sender lacks `amount_in`.
    fn swap_exact_in(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError>;

    /// What selling exactly `amount_in` of `token_in` for `token_out` would give now, without
    /// trading (the router's `getAmountsOut`, a CEX's book walk): for picking a venue.
    ///
    /// # Errors
    /// As [`Venue::swap_exact_in`] would fail, except for the sender's balance.
    fn quote_exact_in(
        &self,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
    ) -> Result<Quote, WorldError>;

    /// Checks the venue's books (see [`crate::invariant`]): reserves against the tokens the
    /// ledger says it holds (`check.holder`), the pool invariant never falling. Reports into
    /// `check`; nothing by default.
    fn check_invariants(&self, _check: &mut crate::invariant::InvariantCheck<'_>) {}

    /// The venue as [`std::any::Any`], so a recorder can read its typed state.
    fn as_any(&self) -> &dyn std::any::Any;

    /// Buys exactly `amount_out` of `token_out` paying at most `max_in` of `token_in`; the
    /// output goes to `sender`. Atomic. Effect: `amount` = the input paid.
    ///
    /// # Errors
    /// As [`Venue::swap_exact_in`]; [`WorldError::Unsupported`] where the venue has no such
    /// order.
    fn buy_exact_out(
        &mut self,
        _env: &mut Env<'_>,
        _sender: AgentId,
        _token_in: TokenId,
        _token_out: TokenId,
        _amount_out: U256,
        _max_in: U256,
    ) -> Result<Effect, WorldError> {
        Err(WorldError::Unsupported {
            target: self.name().to_string(),
            what: "an exact-output buy".into(),
        })
    }

    /// Takes exactly `amount` of `token` out of the liquidity the venue holds, single-sided,
    /// and pays it to `sender` (a liquidity provider's withdrawal; the LP position is the
    /// venue's own, see [`Venue::sync_liquidity`]). Atomic. Effect: `amount` = LP burned.
    ///
    /// # Errors
    /// The venue's error; [`WorldError::Unsupported`] where the venue has no such call.
    fn remove_liquidity(
        &mut self,
        _env: &mut Env<'_>,
        _sender: AgentId,
        _token: TokenId,
        _amount: U256,
    ) -> Result<Effect, WorldError> {
        Err(WorldError::Unsupported {
            target: self.name().to_string(),
            what: "a single-sided liquidity withdrawal".into(),
        })
    }

    /// A governance change of one of the venue's parameters ([`crate::call::VenueParam`]),
    /// at `now` (unix seconds).
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] where the venue has no such parameter.
    fn file(&mut self, _now: u64, param: &crate::call::VenueParam) -> Result<(), WorldError> {
        Err(WorldError::Unsupported {
            target: self.name().to_string(),
            what: format!("the parameter change {param:?}"),
        })
    }

    /// Takes the tokens transferred to the venue's ledger holder above its reserves into its
    /// liquidity (Uniswap v2 `Pair.mint` after the router's transfers); the LP position stays
    /// with the venue. Used to seed venues.
    ///
    /// # Errors
    /// The venue's error (too little liquidity, overflow).
    fn sync_liquidity(&mut self, env: &Env<'_>) -> Result<(), WorldError>;

    /// Marginal price of one whole `base` token in whole `quote` tokens (`f64`: a statistic
    /// for oracles and agents, never protocol state).
    ///
    /// # Errors
    /// [`WorldError::NoPrice`] for a venue without liquidity; an unknown token is an error.
    fn price(&self, base: TokenId, quote: TokenId) -> Result<f64, WorldError>;

    /// Called once per block before the oracles read, so that a venue whose price follows
    /// time (a CEX whose mid tracks an exogenous path and whose impact decays) can move.
    ///
    /// # Errors
    /// The venue's failure to price `now` (never read as zero).
    fn advance(&mut self, _now: u64) -> Result<(), WorldError> {
        Ok(())
    }
}
