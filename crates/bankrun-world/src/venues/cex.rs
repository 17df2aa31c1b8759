//! A CEX as a world venue: `bankrun_dex::cex::CexMarket` (mid = an exogenous fundamental path ×
//! a decaying endogenous impact, square-root impact law fitted to the CoinGecko ±2 % depth
//! snapshot) trading `base` against `quote`, with an inventory of both in the ledger (the
//! off-chain side of the book, stated by the scenario). A fill's amounts are rounded down to
//! token units; a fill beyond the book's depth or its inventory reverts.

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_chain::prices::{Interpolation, PricePath};
use bankrun_dex::cex::CexMarket;

use crate::call::{AgentId, Effect};
use crate::error::WorldError;
use crate::protocol::{Env, ensure_balance, pull, push};
use crate::venue::{Quote, Venue};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// A CEX book of `base` in `quote` following a fundamental path.
#[derive(Debug, Clone)]
pub struct Cex {
    name: String,
    market: CexMarket,
    /// Fundamental price path, quote per base.
    path: PricePath,
    base: (TokenId, u8),
    quote: (TokenId, u8),
}

impl Cex {
    /// A book of `base` in `quote` (`(token, decimals)` each) following `path` (the price at
    /// `t` is the last point at or before `t`), with the impact model of `market` (its
    /// fundamental is reset from the path at each block).
    ///
    /// # Errors
    /// [`WorldError::NoPrice`] for an empty path or a non-finite or non-positive price.
    pub fn new(
        name: &str,
        market: CexMarket,
        path: Vec<(i64, f64)>,
        base: (TokenId, u8),
        quote: (TokenId, u8),
    ) -> Result<Self, WorldError> {
        let path = PricePath::from_points(path)
            .map_err(|why| WorldError::NoPrice {
                feed: name.to_string(),
                why: format!("the fundamental path: {why}"),
            })?
            .with_interpolation(Interpolation::Step);
        Ok(Self::with_path(name, market, path, base, quote))
    }

    /// A book following a [`PricePath`] read with its own interpolation (the real 10-minute
    /// closes of a historical scenario, linear in between).
    pub fn with_path(
        name: &str,
        market: CexMarket,
        path: PricePath,
        base: (TokenId, u8),
        quote: (TokenId, u8),
    ) -> Self {
        Cex {
            name: name.to_string(),
            market,
            path,
            base,
            quote,
        }
    }

    /// The market model (read-only).
    pub fn market(&self) -> &CexMarket {
        &self.market
    }

    fn units(&self, x: f64, decimals: u8) -> U256 {
        // Rounded down: the venue never pays out more than the fill.
        bankrun_chain::units::f64_to_fixed(x, u32::from(decimals))
    }

    /// Fails unless `(sold, bought)` is (base, quote): the book's exact-input orders are
    /// sales of the base token.
    fn check_sale(&self, sold: TokenId, bought: TokenId) -> Result<(), WorldError> {
        if (sold, bought) == (self.base.0, self.quote.0) {
            Ok(())
        } else {
            Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: "only sales of the base token for the quote token, and buys of it".into(),
            })
        }
    }

    fn revert(&self, why: impl std::fmt::Debug) -> WorldError {
        WorldError::reverted(&self.name, why)
    }
}

// No `check_invariants`: the CEX keeps no books of its own; its inventory is whatever the ledger holds.
impl Venue for Cex {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        let mut t = vec![self.base.0, self.quote.0];
        t.sort_unstable();
        t
    }

    fn swap_exact_in(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError> {
        self.check_sale(token_in, token_out)?;
        ensure_balance(env, token_in, sender, amount_in)?;
        let base = u256_f64(amount_in) / 10f64.powi(i32::from(self.base.1));
        let mut after = self.market.clone();
        let (quote, _) = after.sell(base).map_err(|e| self.revert(e))?;
        let out = self.units(quote, self.quote.1);
        if out < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        pull(env, token_in, sender, amount_in)?;
        push(env, token_out, sender, out)?;
        self.market = after;
        Ok(Effect {
            amount: out,
            ..Effect::default()
        })
    }

    fn sync_liquidity(&mut self, _env: &Env<'_>) -> Result<(), WorldError> {
        // The inventory is whatever the ledger holds for the venue.
        Ok(())
    }

    fn price(&self, base: TokenId, quote: TokenId) -> Result<f64, WorldError> {
        match (base, quote) {
            (b, q) if (b, q) == (self.base.0, self.quote.0) => Ok(self.market.mid()),
            (b, q) if (b, q) == (self.quote.0, self.base.0) => Ok(1.0 / self.market.mid()),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("tokens {base} and {quote} are not this book"),
            }),
        }
    }

    fn advance(&mut self, now: u64) -> Result<(), WorldError> {
        let now = now as i64;
        if now < self.path.range().0 {
            return Err(WorldError::NoPrice {
                feed: self.name.clone(),
                why: format!("the fundamental path starts after {now}"),
            });
        }
        self.market.advance(now, self.path.price_at(now));
        Ok(())
    }

    fn quote_exact_in(
        &self,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
    ) -> Result<Quote, WorldError> {
        self.check_sale(token_in, token_out)?;
        let base = u256_f64(amount_in) / 10f64.powi(i32::from(self.base.1));
        let fill = self
            .market
            .cex
            .quote_sell(base)
            .map_err(|e| self.revert(e))?;
        Ok(Quote {
            out: self.units(fill.quote, self.quote.1),
            impact: fill.impact,
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn buy_exact_out(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token_in: TokenId,
        token_out: TokenId,
        amount_out: U256,
        max_in: U256,
    ) -> Result<Effect, WorldError> {
        self.check_sale(token_out, token_in)?;
        let base = u256_f64(amount_out) / 10f64.powi(i32::from(self.base.1));
        let mut after = self.market.clone();
        let (quote, _) = after.buy(base).map_err(|e| self.revert(e))?;
        // Rounded up by one unit: the venue never sells for less than the fill.
        let pay = self.units(quote, self.quote.1) + U256::from(1u8);
        if pay > max_in {
            return Err(self.revert("TooMuchSlippage"));
        }
        ensure_balance(env, token_in, sender, pay)?;
        pull(env, token_in, sender, pay)?;
        push(env, token_out, sender, amount_out)?;
        self.market = after;
        Ok(Effect {
            amount: pay,
            ..Effect::default()
        })
    }
}
