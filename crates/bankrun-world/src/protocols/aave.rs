//! Aave v3 (v3.0 or v3.6 semantics, [`bankrun_aave::ProtocolVersion`]) as a world protocol.
//!
//! Calls map onto `bankrun_aave::Pool`: supply → `Pool.supply`, withdraw → `Pool.withdraw`,
//! borrow → `Pool.borrow` (variable rate), repay → `Pool.repay`, liquidate →
//! `Pool.liquidationCall(receiveAToken = false)`. Prices are posted through
//! `Pool::set_asset_price` (the `AaveOracle` answer, USD with 8 decimals). The pool's
//! underlying sits in the ledger under the protocol's holder; the treasury's protocol fee stays
//! there as aTokens, as on-chain.

use bankrun_aave::{AssetId, Pool, U256};
use bankrun_chain::TokenId;
use bankrun_chain::units::u256_to_f64 as u256_f64;

use crate::call::{AgentId, Call, Effect};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, listed, not_a_venue, not_maker, pull, push, sorted,
};

/// Health factor 1.0 in WAD.
const HF_ONE: u128 = 1_000_000_000_000_000_000;

/// An Aave v3 pool with the world tokens of its reserves.
#[derive(Debug, Clone)]
pub struct AaveV3 {
    name: String,
    pool: Pool,
    /// `assets[i]` = world token of reserve `i` (reserve ids are listing order).
    assets: Vec<TokenId>,
}

impl AaveV3 {
    /// Wraps `pool`, whose reserve `i` holds world token `assets[i]`.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the lengths differ.
    pub fn new(name: &str, pool: Pool, assets: Vec<TokenId>) -> Result<Self, WorldError> {
        if assets.len() != pool.reserve_count() {
            return Err(WorldError::Unsupported {
                target: name.to_string(),
                what: format!(
                    "{} tokens for {} reserves",
                    assets.len(),
                    pool.reserve_count()
                ),
            });
        }
        Ok(AaveV3 {
            name: name.to_string(),
            pool,
            assets,
        })
    }

    /// The pool (read-only: state changes go through [`Protocol::execute`]).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    fn asset(&self, token: TokenId) -> Result<AssetId, WorldError> {
        listed(&self.name, &self.assets, token)
    }

    fn revert(&self, e: bankrun_aave::PoolError) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    fn liquidate(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: (AgentId, TokenId, TokenId, U256),
    ) -> Result<Effect, WorldError> {
        let (borrower, debt, collateral, repay) = call;
        let (d, c) = (self.asset(debt)?, self.asset(collateral)?);
        let owed = self.pool.debt_balance(env.now, borrower, d).min(repay);
        ensure_balance(env, debt, sender, owed)?;
        let deficit_before = self.pool.reserve(d).deficit;
        let out = self
            .pool
            .liquidation_call(env.now, sender, c, d, borrower, repay, false)
            .map_err(|e| self.revert(e))?;
        pull(env, debt, sender, out.debt_repaid)?;
        push(env, collateral, sender, out.collateral_to_liquidator)?;
        Ok(Effect {
            amount: out.debt_repaid,
            seized: Some((collateral, out.collateral_to_liquidator)),
            deficit: self.pool.reserve(d).deficit.saturating_sub(deficit_before),
        })
    }
}

impl Protocol for AaveV3 {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        sorted(&self.assets)
    }

    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError> {
        let now = env.now;
        let moved = |amount| Effect {
            amount,
            ..Effect::default()
        };
        match *call {
            Call::Supply { token, amount } => {
                let a = self.asset(token)?;
                ensure_balance(env, token, sender, amount)?;
                self.pool
                    .supply(now, sender, a, amount)
                    .map_err(|e| self.revert(e))?;
                pull(env, token, sender, amount)?;
                Ok(moved(amount))
            }
            Call::Withdraw { token, amount } => {
                let a = self.asset(token)?;
                let got = self
                    .pool
                    .withdraw(now, sender, a, amount)
                    .map_err(|e| self.revert(e))?;
                push(env, token, sender, got)?;
                Ok(moved(got))
            }
            Call::Borrow { token, amount } => {
                let a = self.asset(token)?;
                self.pool
                    .borrow(now, sender, a, amount)
                    .map_err(|e| self.revert(e))?;
                push(env, token, sender, amount)?;
                Ok(moved(amount))
            }
            Call::Repay { token, amount } => {
                let a = self.asset(token)?;
                let owed = self.pool.debt_balance(now, sender, a).min(amount);
                ensure_balance(env, token, sender, owed)?;
                let paid = self
                    .pool
                    .repay(now, sender, sender, a, amount)
                    .map_err(|e| self.revert(e))?;
                pull(env, token, sender, paid)?;
                Ok(moved(paid))
            }
            Call::Liquidate {
                borrower,
                debt,
                collateral,
                repay,
            } => self.liquidate(env, sender, (borrower, debt, collateral, repay)),
            Call::SwapExactIn { .. } | Call::BuyExactOut { .. } => Err(not_a_venue(&self.name)),
            Call::Maker(_) => Err(not_maker(&self.name)),
        }
    }

    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        let a = self.asset(token)?;
        self.pool.set_asset_price(a, U256::from(answer));
        Ok(())
    }

    fn candidates(&self, now: u64) -> Result<Vec<Candidate>, WorldError> {
        let mut out = Vec::new();
        for user in 0..self.pool.user_count() as u32 {
            let data = self
                .pool
                .try_user_account_data(now, user)
                .map_err(|e| self.revert(e))?;
            if data.total_debt_base.is_zero() || data.health_factor >= U256::from(HF_ONE) {
                continue;
            }
            let health = u256_f64(data.health_factor) / HF_ONE as f64;
            if let Some(c) = self.largest_pair(now, user, health) {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn deposit_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        Ok(self.pool.supply_balance(now, agent, self.asset(token)?))
    }

    fn debt_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        Ok(self.pool.debt_balance(now, agent, self.asset(token)?))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl AaveV3 {
    /// The borrower's largest debt and largest collateral (by USD value at the pool's prices),
    /// with the whole debt as the repayment asked: `liquidationCall` itself caps it at the
    /// close factor.
    fn largest_pair(&self, now: u64, user: AgentId, health: f64) -> Option<Candidate> {
        let value = |a: AssetId, amount: U256| {
            u256_f64(amount) * u256_f64(self.pool.asset_price(a))
                / 10f64.powi(i32::from(self.pool.reserve(a).config.decimals))
        };
        let pick = |bal: &dyn Fn(AssetId) -> U256| {
            (0..self.pool.reserve_count())
                .map(|a| (a, bal(a)))
                .filter(|(_, b)| !b.is_zero())
                .max_by(|x, y| value(x.0, x.1).total_cmp(&value(y.0, y.1)))
        };
        let (d, owed) = pick(&|a| self.pool.debt_balance(now, user, a))?;
        let (c, _) = pick(&|a| self.pool.supply_balance(now, user, a))?;
        Some(Candidate {
            borrower: user,
            debt: self.assets[d],
            collateral: self.assets[c],
            max_repay: owed,
            health,
        })
    }
}
