//! A Curve StableSwap pool (`bankrun_dex::curve::StableSwap`, exact, any number of coins) as a
//! world venue: `exchange(i, j, dx, min_dy)`.

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_dex::curve::StableSwap;

use crate::call::{AgentId, Effect};
use crate::error::WorldError;
use crate::protocol::{Env, ensure_balance, pull, push};
use crate::venue::{Quote, Venue};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// A StableSwap pool whose coin `i` is world token `coins[i]` (`(token, decimals)`).
#[derive(Debug, Clone)]
pub struct Curve {
    name: String,
    pool: StableSwap,
    coins: Vec<(TokenId, u8)>,
}

impl Curve {
    /// Wraps `pool` (empty or seeded), whose coin `i` is `coins[i]`.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the coin counts differ.
    pub fn new(
        name: &str,
        pool: StableSwap,
        coins: Vec<(TokenId, u8)>,
    ) -> Result<Self, WorldError> {
        if coins.len() != pool.n_coins() {
            return Err(WorldError::Unsupported {
                target: name.to_string(),
                what: format!("{} tokens for {} coins", coins.len(), pool.n_coins()),
            });
        }
        Ok(Curve {
            name: name.to_string(),
            pool,
            coins,
        })
    }

    /// The pool (read-only).
    pub fn pool(&self) -> &StableSwap {
        &self.pool
    }

    fn index(&self, token: TokenId) -> Result<usize, WorldError> {
        self.coins
            .iter()
            .position(|(t, _)| *t == token)
            .ok_or_else(|| WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("token {token} is not a coin of the pool"),
            })
    }

    fn revert(&self, e: bankrun_dex::DexError) -> WorldError {
        WorldError::reverted(&self.name, e)
    }
}

impl Venue for Curve {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        let mut t: Vec<TokenId> = self.coins.iter().map(|(t, _)| *t).collect();
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
        let (i, j) = (self.index(token_in)?, self.index(token_out)?);
        ensure_balance(env, token_in, sender, amount_in)?;
        self.pool.set_timestamp(env.now);
        let out = self
            .pool
            .exchange(i, j, amount_in, min_out)
            .map_err(|e| self.revert(e))?;
        pull(env, token_in, sender, amount_in)?;
        push(env, token_out, sender, out.dy)?;
        Ok(Effect {
            amount: out.dy,
            ..Effect::default()
        })
    }

    fn quote_exact_in(
        &self,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
    ) -> Result<Quote, WorldError> {
        let (i, j) = (self.index(token_in)?, self.index(token_out)?);
        let out = self
            .pool
            .get_dy(i, j, amount_in)
            .map_err(|e| self.revert(e))?;
        let before = self.price(token_in, token_out)?;
        let mut after = self.clone();
        after
            .pool
            .exchange(i, j, amount_in, U256::ZERO)
            .map_err(|e| self.revert(e))?;
        Ok(Quote {
            out,
            impact: 1.0 - after.price(token_in, token_out)? / before,
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn sync_liquidity(&mut self, env: &Env<'_>) -> Result<(), WorldError> {
        let amounts: Vec<U256> = self
            .coins
            .iter()
            .enumerate()
            .map(|(i, (t, _))| {
                let tracked = self.pool.balances[i] + self.pool.admin_balances[i];
                env.ledger.balance(*t, env.holder).saturating_sub(tracked)
            })
            .collect();
        self.pool.set_timestamp(env.now);
        self.pool
            .add_liquidity(&amounts, U256::ZERO)
            .map(|_| ())
            .map_err(|e| self.revert(e))
    }

    /// `get_dy` of a trade of a millionth of the pool's `base` balance, grossed up by the fee:
    /// the marginal exchange rate.
    fn price(&self, base: TokenId, quote: TokenId) -> Result<f64, WorldError> {
        let (i, j) = (self.index(base)?, self.index(quote)?);
        let dx = self.pool.balances[i] / U256::from(1_000_000u64);
        if dx.is_zero() {
            return Err(WorldError::NoPrice {
                feed: self.name.clone(),
                why: "the pool has no liquidity".into(),
            });
        }
        let dy = self.pool.get_dy(i, j, dx).map_err(|e| self.revert(e))?;
        let fee = u256_f64(self.pool.fee) / 1e10;
        let scale = 10f64.powi(i32::from(self.coins[i].1) - i32::from(self.coins[j].1));
        Ok(u256_f64(dy) / u256_f64(dx) / (1.0 - fee) * scale)
    }
}
