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

    /// Coin balances against the ledger, and the virtual price never falling:
    /// - for each coin `i`, the ledger balance of the venue's holder == `balances[i] +
    ///   admin_balances[i]` (exact: `exchange` adds `dx` and takes `out + admin` from
    ///   `balances` while the wrapper moves `dx` in and `out` out; admin fees stay in the
    ///   contract, so in the holder, outside `balances`; `sync_liquidity` takes in exactly the
    ///   ledger's excess over both);
    /// - with LP supply, `get_virtual_price` (`D·1e18 / totalSupply`, the dex crate's,
    ///   1e18 units) reported with `never_falls`. Exchanges add their fee to `balances` and
    ///   liquidity is minted rounding down, so D per LP token only rises, but D is Newton's
    ///   approximation (converged to ±1 wei) and `exchange` keeps one wei of `dy` against it
    ///   (`dy = xp[j] − y − 1`): a swap whose fee rounds to zero could in principle leave D a wei
    ///   lower. The floor of `out` and the kept wei outweigh that error: 20,000 random
    ///   swaps of 1 wei to 1e15 wei on a 3pool, at zero fee and at 0.01 %, never lowered it,
    ///   so no slack is given. A ramp of A (not exposed by the wrapper) would move D too.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        for (i, (token, _)) in self.coins.iter().enumerate() {
            let held = check.ledger.balance(*token, check.holder);
            match self.pool.balances[i].checked_add(self.pool.admin_balances[i]) {
                Some(tracked) => check.equal(
                    &format!("curve coin {i} (token {token}): ledger == balances + admin"),
                    held,
                    tracked,
                ),
                None => check.fail(format!("curve coin {i}: balances + admin overflow")),
            }
        }
        if !self.pool.total_supply.is_zero() {
            match self.pool.get_virtual_price() {
                Ok(vp) => check.never_falls("virtual price".into(), vp),
                Err(e) => check.fail(format!("curve virtual price: {e:?}")),
            }
        }
    }

    /// `remove_liquidity_imbalance` with `amount` of `token`'s coin and none of the others,
    /// burning as much of the venue's LP position as the pool asks.
    fn remove_liquidity(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token: TokenId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let i = self.index(token)?;
        let mut amounts = vec![U256::ZERO; self.coins.len()];
        amounts[i] = amount;
        self.pool.set_timestamp(env.now);
        let mut next = self.pool.clone();
        let burned = next
            .remove_liquidity_imbalance(&amounts, U256::MAX)
            .map_err(|e| self.revert(e))?;
        push(env, token, sender, amount)?;
        self.pool = next;
        Ok(Effect {
            amount: burned,
            ..Effect::default()
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariant::InvariantCheck;
    use bankrun_chain::{Holder, Ledger};

    const H: Holder = Holder::Venue(0);

    fn tok(x: u64, dec: u8) -> U256 {
        U256::from(x) * U256::from(10u8).pow(U256::from(dec))
    }

    /// A seeded 3pool (DAI 18, USDC 6, USDT 6) and its ledger.
    fn pool() -> (Curve, Ledger) {
        let coins = vec![(0, 18), (1, 6), (2, 6)];
        let p = StableSwap::three_pool(
            U256::from(100u64),
            U256::from(1_000_000u64),
            U256::from(5_000_000_000u64),
        );
        let mut c = Curve::new("3pool", p, coins.clone()).unwrap();
        let mut ledger = Ledger::new();
        for (t, d) in coins {
            ledger.mint(t, H, tok(1_000_000, d)).unwrap();
        }
        let env = Env {
            now: 1,
            block: 0,
            ledger: &mut ledger,
            holder: H,
        };
        c.sync_liquidity(&env).unwrap();
        (c, ledger)
    }

    fn check(c: &Curve, l: &Ledger) -> (Vec<String>, Vec<(String, U256)>) {
        let mut k = InvariantCheck::new(1, l, H);
        c.check_invariants(&mut k);
        k.finish()
    }

    #[test]
    fn balances_agree_with_the_ledger_and_a_corruption_is_reported() {
        let (mut c, mut ledger) = pool();
        ledger.mint(1, Holder::Agent(0), tok(50_000, 6)).unwrap();
        let mut env = Env {
            now: 2,
            block: 1,
            ledger: &mut ledger,
            holder: H,
        };
        c.swap_exact_in(&mut env, 0, 1, 2, tok(50_000, 6), U256::ZERO)
            .unwrap();
        assert!(!c.pool.admin_balances[2].is_zero(), "admin fee kept apart");
        let (bad, mono) = check(&c, &ledger);
        assert_eq!(bad, Vec::<String>::new());
        assert_eq!(mono.len(), 1);
        assert!(
            mono[0].1 > tok(1, 18),
            "fees raised the virtual price: {}",
            mono[0].1
        );
        let held = ledger.balance(2, H);
        ledger.corrupt_balance(2, H, held - U256::from(1u8));
        let (bad, _) = check(&c, &ledger);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("coin 2"), "{bad:?}");
    }
}
