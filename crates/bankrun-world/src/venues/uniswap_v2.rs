//! A Uniswap v2 pair (`bankrun_dex::uniswap_v2::Pair`, exact, 0.3 % fee) as a world venue.

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_dex::uniswap_v2::{Pair, Side};

use crate::call::{AgentId, Effect};
use crate::error::WorldError;
use crate::protocol::{Env, ensure_balance, pull, push};
use crate::venue::{Quote, Venue};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// A Uniswap v2 pair of two world tokens, with their decimals.
#[derive(Debug, Clone)]
pub struct UniswapV2 {
    name: String,
    pair: Pair,
    tokens: [(TokenId, u8); 2],
}

impl UniswapV2 {
    /// An empty pair of `token0` and `token1`, `(token, decimals)` each; `fee_on` mirrors
    /// `feeTo != address(0)`.
    pub fn new(name: &str, token0: (TokenId, u8), token1: (TokenId, u8), fee_on: bool) -> Self {
        UniswapV2 {
            name: name.to_string(),
            pair: Pair::new(fee_on),
            tokens: [token0, token1],
        }
    }

    /// The pair (read-only).
    pub fn pair(&self) -> &Pair {
        &self.pair
    }

    /// Reserves as `(base, other)`, token units.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if `base` is not traded here.
    pub fn reserves_of(&self, base: TokenId) -> Result<(U256, U256), WorldError> {
        Ok(self.pair.reserves_for(self.side(base)?))
    }

    /// Fails unless `a` and `b` are the pair's two tokens.
    fn check_pair(&self, a: TokenId, b: TokenId) -> Result<(), WorldError> {
        let t = [self.tokens[0].0, self.tokens[1].0];
        if a != b && t.contains(&a) && t.contains(&b) {
            Ok(())
        } else {
            Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("tokens {a} and {b} are not this pair"),
            })
        }
    }

    fn side(&self, token: TokenId) -> Result<Side, WorldError> {
        match token {
            t if t == self.tokens[0].0 => Ok(Side::Token0),
            t if t == self.tokens[1].0 => Ok(Side::Token1),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("token {token} is not traded"),
            }),
        }
    }
}

impl Venue for UniswapV2 {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        let mut t = vec![self.tokens[0].0, self.tokens[1].0];
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
        let side = self.side(token_in)?;
        self.check_pair(token_in, token_out)?;
        let (r_in, r_out) = self.pair.reserves_for(side);
        let out = bankrun_dex::uniswap_v2::get_amount_out(amount_in, r_in, r_out)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        if out < min_out {
            return Err(WorldError::reverted(
                &self.name,
                "UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT",
            ));
        }
        ensure_balance(env, token_in, sender, amount_in)?;
        self.pair
            .swap_exact_in(side, amount_in, env.now)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        pull(env, token_in, sender, amount_in)?;
        push(env, token_out, sender, out)?;
        Ok(Effect {
            amount: out,
            ..Effect::default()
        })
    }

    fn quote_exact_in(
        &self,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
    ) -> Result<Quote, WorldError> {
        let side = self.side(token_in)?;
        self.check_pair(token_in, token_out)?;
        let (r_in, r_out) = self.pair.reserves_for(side);
        let out = bankrun_dex::uniswap_v2::get_amount_out(amount_in, r_in, r_out)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        // Marginal price of token_in in token_out: r_out / r_in, before and after.
        let before = u256_f64(r_out) / u256_f64(r_in);
        let after = u256_f64(r_out - out) / u256_f64(r_in + amount_in);
        Ok(Quote {
            out,
            impact: 1.0 - after / before,
        })
    }

    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let (r0, r1) = self.pair.reserves();
        // No call of the world transfers to the pair without `swap` or `mint` syncing its
        // reserves in the same call, so the tokens held equal the reserves at block end.
        check.equal(
            "reserve0 vs tokens held",
            r0,
            check.ledger.balance(self.tokens[0].0, check.holder),
        );
        check.equal(
            "reserve1 vs tokens held",
            r1,
            check.ledger.balance(self.tokens[1].0, check.holder),
        );
        // `k` never falls on a swap (the 0.3 % fee stays in the pool) or a mint; the world
        // never burns liquidity from a pair (a `burn` would need k / totalSupply² here).
        check.never_falls("k = reserve0 · reserve1".into(), r0 * r1);
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
        let side = self.side(token_in)?;
        self.check_pair(token_in, token_out)?;
        let (r_in, r_out) = self.pair.reserves_for(side);
        let pay = bankrun_dex::uniswap_v2::get_amount_in(amount_out, r_in, r_out)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        if pay > max_in {
            return Err(WorldError::reverted(
                &self.name,
                "UniswapV2Router: EXCESSIVE_INPUT_AMOUNT",
            ));
        }
        ensure_balance(env, token_in, sender, pay)?;
        // The pair's own `swap` with the router's amounts: `pay` in, `amount_out` out.
        let (in0, in1, out0, out1) = match side {
            Side::Token0 => (pay, U256::ZERO, U256::ZERO, amount_out),
            Side::Token1 => (U256::ZERO, pay, amount_out, U256::ZERO),
        };
        self.pair
            .swap(in0, in1, out0, out1, env.now)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        pull(env, token_in, sender, pay)?;
        push(env, token_out, sender, amount_out)?;
        Ok(Effect {
            amount: pay,
            ..Effect::default()
        })
    }

    fn sync_liquidity(&mut self, env: &Env<'_>) -> Result<(), WorldError> {
        let held = |i: usize| env.ledger.balance(self.tokens[i].0, env.holder);
        let (r0, r1) = self.pair.reserves();
        let (a0, a1) = (held(0).saturating_sub(r0), held(1).saturating_sub(r1));
        self.pair
            .mint(a0, a1, env.now)
            .map(|_| ())
            .map_err(|e| WorldError::reverted(&self.name, e))
    }

    fn price(&self, base: TokenId, quote: TokenId) -> Result<f64, WorldError> {
        let side = self.side(base)?;
        self.check_pair(base, quote)?;
        let (r_base, r_quote) = self.pair.reserves_for(side);
        if r_base.is_zero() || r_quote.is_zero() {
            return Err(WorldError::NoPrice {
                feed: self.name.clone(),
                why: "the pair has no liquidity".into(),
            });
        }
        let (db, dq) = match side {
            Side::Token0 => (self.tokens[0].1, self.tokens[1].1),
            Side::Token1 => (self.tokens[1].1, self.tokens[0].1),
        };
        Ok(u256_f64(r_quote) / u256_f64(r_base) * 10f64.powi(i32::from(db) - i32::from(dq)))
    }
}
