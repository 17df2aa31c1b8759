//! Aave (v2, v3.0 or v3.6 semantics, [`bankrun_aave::ProtocolVersion`]) as a world protocol.
//!
//! Calls map onto `bankrun_aave::Pool`: supply → `Pool.supply`, withdraw → `Pool.withdraw`,
//! borrow → `Pool.borrow` (variable rate), repay → `Pool.repay`, liquidate →
//! `Pool.liquidationCall(receiveAToken = false)`. Prices are posted through
//! `Pool::set_asset_price` (the `AaveOracle` answer: USD with 8 decimals for v3; for a v2 pool,
//! ETH with 18 decimals, so the feeds bound to it must publish ETH prices). The pool's
//! underlying sits in the ledger under the protocol's holder; the treasury's protocol fee stays
//! there as aTokens, as on-chain. [`Call::Aave`] adds e-mode, liquidations taking aTokens,
//! repayment on behalf, the Umbrella's deficit cover and the `PoolConfigurator` calls.
//!
//! The pool sits behind a shared, read-only handle ([`PoolReader`]) so that an agent managing
//! many accounts (the Aave scenario's depositor population) reads it between calls without a
//! copy; only [`Protocol::execute`] and [`Protocol::post_price`] change it.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use bankrun_aave::{AssetId, Pool, ProtocolVersion, U256};
use bankrun_chain::TokenId;
use bankrun_chain::units::u256_to_f64 as u256_f64;

use crate::call::{AaveCall, AaveConfig, AgentId, Call, Effect, LiquidationDetail};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, listed, not_a_venue, not_compound, not_issuer,
    not_maker, not_terra, pull, push, sorted,
};

/// Health factor 1.0 in WAD.
const HF_ONE: u128 = 1_000_000_000_000_000_000;

/// The revert of a withdrawal above the reserve's virtual balance: `Pool.withdraw` underflows
/// (Panic 0x11) when it subtracts the amount.
const WITHDRAW_UNDERFLOW: &str = "withdraw above available liquidity: Panic(0x11)";

/// A read-only handle on an [`AaveV3`]'s pool, for agents that read it between calls.
#[derive(Debug, Clone)]
pub struct PoolReader(Rc<RefCell<Pool>>);

impl PoolReader {
    /// The pool as it stands.
    ///
    /// # Panics
    /// Never while the world runs: the protocol holds the pool mutably only inside its own
    /// calls, which do not call agents.
    pub fn get(&self) -> Ref<'_, Pool> {
        self.0.borrow()
    }
}

/// An Aave v3 pool with the world tokens of its reserves.
#[derive(Debug)]
pub struct AaveV3 {
    name: String,
    pool: Rc<RefCell<Pool>>,
    /// `assets[i]` = world token of reserve `i` (reserve ids are listing order).
    assets: Vec<TokenId>,
    /// The last [`Protocol::candidates`] answer, with its time: every liquidator of a block
    /// asks the same unchanged pool (agents decide on one view), so it is computed once.
    /// Cleared by every change ([`AaveV3::touch`]).
    candidates: RefCell<Option<(u64, Vec<Candidate>)>>,
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
            pool: Rc::new(RefCell::new(pool)),
            assets,
            candidates: RefCell::new(None),
        })
    }

    /// The pool (read-only: state changes go through [`Protocol::execute`]).
    pub fn pool(&self) -> Ref<'_, Pool> {
        self.pool.borrow()
    }

    /// A read-only handle on the pool that outlives this borrow.
    pub fn reader(&self) -> PoolReader {
        PoolReader(Rc::clone(&self.pool))
    }

    /// Changes the pool at genesis, before the first block (a starting book imported as given,
    /// as Compound's `import_book`); the ledger must be minted to match by the caller.
    pub fn genesis<T>(&mut self, f: impl FnOnce(&mut Pool) -> T) -> T {
        self.touch();
        f(&mut self.pool.borrow_mut())
    }

    /// Forgets the cached candidates: the pool is about to change.
    fn touch(&mut self) {
        *self.candidates.get_mut() = None;
    }

    fn asset(&self, token: TokenId) -> Result<AssetId, WorldError> {
        listed(&self.name, &self.assets, token)
    }

    fn liquidate(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: (AgentId, TokenId, TokenId, U256, bool),
    ) -> Result<Effect, WorldError> {
        let (borrower, debt, collateral, repay, receive_a_token) = call;
        let (d, c) = (self.asset(debt)?, self.asset(collateral)?);
        let mut pool = self.pool.borrow_mut();
        let owed = pool.debt_balance(env.now, borrower, d).min(repay);
        ensure_balance(env, debt, sender, owed)?;
        let deficit_before = pool.reserve(d).deficit;
        let out = pool
            .liquidation_call(env.now, sender, c, d, borrower, repay, receive_a_token)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        pull(env, debt, sender, out.debt_repaid)?;
        if !out.received_a_token {
            push(env, collateral, sender, out.collateral_to_liquidator)?;
        }
        Ok(Effect {
            amount: out.debt_repaid,
            seized: Some((collateral, out.collateral_to_liquidator)),
            deficit: pool.reserve(d).deficit.saturating_sub(deficit_before),
            liquidation: Some(LiquidationDetail {
                collateral_to_liquidator: out.collateral_to_liquidator,
                protocol_fee: out.protocol_fee,
                health_factor_before: out.health_factor_before,
                received_a_token: out.received_a_token,
            }),
        })
    }

    /// Runs an [`AaveCall`].
    fn aave_call(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: AaveCall,
    ) -> Result<Effect, WorldError> {
        let now = env.now;
        let revert = |e| WorldError::reverted(&self.name, e);
        // `liquidate` borrows the pool itself; every other call borrows it here.
        if let AaveCall::LiquidationCall {
            borrower,
            debt,
            collateral,
            repay,
            receive_a_token,
        } = call
        {
            return self.liquidate(
                env,
                sender,
                (borrower, debt, collateral, repay, receive_a_token),
            );
        }
        let mut pool = self.pool.borrow_mut();
        let amount = match call {
            AaveCall::RepayOnBehalf {
                token,
                amount,
                on_behalf,
            } => {
                let a = listed(&self.name, &self.assets, token)?;
                let owed = pool.debt_balance(now, on_behalf, a).min(amount);
                ensure_balance(env, token, sender, owed)?;
                let paid = pool
                    .repay(now, sender, on_behalf, a, amount)
                    .map_err(revert)?;
                pull(env, token, sender, paid)?;
                paid
            }
            AaveCall::EliminateDeficit { token, amount } => {
                let a = listed(&self.name, &self.assets, token)?;
                pool.eliminate_reserve_deficit(now, sender, a, amount)
                    .map_err(revert)?
            }
            AaveCall::SetUserEMode { category } => {
                pool.set_user_emode(now, sender, category).map_err(revert)?;
                U256::ZERO
            }
            AaveCall::Configure { token, change } => {
                let a = listed(&self.name, &self.assets, token)?;
                match change {
                    AaveConfig::Freeze(frozen) => pool.set_reserve_freeze(now, a, frozen),
                    AaveConfig::Pause(paused, grace_s) => {
                        pool.set_reserve_pause(now, a, paused, grace_s)
                    }
                    AaveConfig::Ltv(ltv) => pool.set_reserve_ltv(now, a, ltv),
                    AaveConfig::SupplyCap(cap) => pool.set_supply_cap(a, cap),
                    AaveConfig::BorrowCap(cap) => pool.set_borrow_cap(a, cap),
                    AaveConfig::RateData(rate) => pool.set_interest_rate_data(now, a, rate),
                }
                .map_err(revert)?;
                U256::ZERO
            }
            AaveCall::LiquidationCall { .. } => U256::ZERO,
        };
        Ok(Effect {
            amount,
            ..Effect::default()
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
        self.touch();
        let now = env.now;
        let moved = |amount| Effect {
            amount,
            ..Effect::default()
        };
        let mut pool = self.pool.borrow_mut();
        let revert = |e| WorldError::reverted(&self.name, e);
        match *call {
            Call::Supply { token, amount } => {
                let a = listed(&self.name, &self.assets, token)?;
                ensure_balance(env, token, sender, amount)?;
                pool.supply(now, sender, a, amount).map_err(revert)?;
                pull(env, token, sender, amount)?;
                Ok(moved(amount))
            }
            Call::Withdraw { token, amount } => {
                let a = listed(&self.name, &self.assets, token)?;
                let requested = match amount {
                    U256::MAX => pool.supply_balance(now, sender, a),
                    x => x,
                };
                // Skip a call that can only revert: it would accrue state to roll it back.
                if requested > pool.available_liquidity(a) {
                    return Err(WorldError::Reverted {
                        target: self.name.clone(),
                        reason: WITHDRAW_UNDERFLOW.into(),
                    });
                }
                let got = pool.withdraw(now, sender, a, amount).map_err(revert)?;
                push(env, token, sender, got)?;
                Ok(moved(got))
            }
            Call::Borrow { token, amount } => {
                let a = listed(&self.name, &self.assets, token)?;
                pool.borrow(now, sender, a, amount).map_err(revert)?;
                push(env, token, sender, amount)?;
                Ok(moved(amount))
            }
            Call::Repay { token, amount } => {
                let a = listed(&self.name, &self.assets, token)?;
                let owed = pool.debt_balance(now, sender, a).min(amount);
                ensure_balance(env, token, sender, owed)?;
                let paid = pool.repay(now, sender, sender, a, amount).map_err(revert)?;
                pull(env, token, sender, paid)?;
                Ok(moved(paid))
            }
            Call::Liquidate {
                borrower,
                debt,
                collateral,
                repay,
            } => {
                drop(pool);
                self.liquidate(env, sender, (borrower, debt, collateral, repay, false))
            }
            Call::Aave(c) => {
                drop(pool);
                self.aave_call(env, sender, c)
            }
            Call::SwapExactIn { .. }
            | Call::BuyExactOut { .. }
            | Call::RemoveLiquidity { .. }
            | Call::VenueFile(_) => Err(not_a_venue(&self.name)),
            Call::Terra(_) => Err(not_terra(&self.name)),
            Call::Maker(_) => Err(not_maker(&self.name)),
            Call::Compound(_) => Err(not_compound(&self.name)),
            Call::Issuer(_) => Err(not_issuer(&self.name)),
        }
    }

    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        self.touch();
        let a = self.asset(token)?;
        let mut pool = self.pool.borrow_mut();
        // Aave v2's `AaveOracle` answers in ETH with 18 decimals: its feeds publish ETH prices
        // (8 decimals, as every feed of the registry), scaled here.
        let price = if pool.version() == ProtocolVersion::V2 {
            U256::from(answer) * U256::from(10_000_000_000u64)
        } else {
            U256::from(answer)
        };
        pool.set_asset_price(a, price);
        Ok(())
    }

    fn candidates(&self, now: u64) -> Result<Vec<Candidate>, WorldError> {
        if let Some((at, c)) = self.candidates.borrow().as_ref()
            && *at == now
        {
            return Ok(c.clone());
        }
        let mut out = Vec::new();
        let pool = self.pool.borrow();
        for user in 0..pool.user_count() as u32 {
            // No debt, no health factor below 1: skip the account computation.
            if !pool.user(user).is_some_and(|u| u.is_borrowing_any()) {
                continue;
            }
            let data = pool
                .try_user_account_data(now, user)
                .map_err(|e| WorldError::reverted(&self.name, e))?;
            if data.total_debt_base.is_zero() || data.health_factor >= U256::from(HF_ONE) {
                continue;
            }
            let health = u256_f64(data.health_factor) / HF_ONE as f64;
            if let Some(c) = self.largest_pair(&pool, now, user, health) {
                out.push(c);
            }
        }
        *self.candidates.borrow_mut() = Some((now, out.clone()));
        Ok(out)
    }

    fn deposit_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        Ok(self.pool().supply_balance(now, agent, self.asset(token)?))
    }

    fn debt_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        Ok(self.pool().debt_balance(now, agent, self.asset(token)?))
    }

    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let pool = self.pool.borrow();
        for v in pool.check_books(check.now) {
            check.fail(v);
        }
        for (a, &token) in self.assets.iter().enumerate() {
            let r = pool.reserve(a);
            // Every underlying movement of a call goes through the ledger with the pool's own
            // accounting, so the tokens held equal the virtual balance exactly.
            check.equal(
                &format!("reserve {a}: virtual underlying balance vs tokens held"),
                r.virtual_underlying_balance,
                check.ledger.balance(token, check.holder),
            );
            check.never_falls(format!("reserve {a} liquidity index"), r.liquidity_index);
            check.never_falls(
                format!("reserve {a} variable borrow index"),
                r.variable_borrow_index,
            );
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl AaveV3 {
    /// The borrower's largest debt and largest collateral (by USD value at the pool's prices),
    /// with the whole debt as the repayment asked: `liquidationCall` itself caps it at the
    /// close factor.
    fn largest_pair(&self, pool: &Pool, now: u64, user: AgentId, health: f64) -> Option<Candidate> {
        let value = |a: AssetId, amount: U256| {
            u256_f64(amount) * u256_f64(pool.asset_price(a))
                / 10f64.powi(i32::from(pool.reserve(a).config.decimals))
        };
        let pick = |bal: &dyn Fn(AssetId) -> U256| {
            (0..pool.reserve_count())
                .map(|a| (a, bal(a)))
                .filter(|(_, b)| !b.is_zero())
                .max_by(|x, y| value(x.0, x.1).total_cmp(&value(y.0, y.1)))
        };
        let (d, owed) = pick(&|a| pool.debt_balance(now, user, a))?;
        // Only collateral `liquidationCall` accepts: enabled by the user, and in v3.0 with a
        // non-zero liquidation threshold (`ValidationLogic.validateLiquidationCall`; v3.6
        // checks the flag only). Anything else reverts `CollateralCannotBeLiquidated`.
        let liquidatable = |a: AssetId| {
            pool.user(user).is_some_and(|u| u.is_using_as_collateral(a))
                && (pool.version() != ProtocolVersion::V3_0
                    || pool.reserve(a).config.liquidation_threshold != 0)
        };
        let (c, _) = pick(&|a| {
            if liquidatable(a) {
                pool.supply_balance(now, user, a)
            } else {
                U256::ZERO
            }
        })?;
        Some(Candidate {
            borrower: user,
            debt: self.assets[d],
            collateral: self.assets[c],
            max_repay: owed,
            health,
        })
    }
}
