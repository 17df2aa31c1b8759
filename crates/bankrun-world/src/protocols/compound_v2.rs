//! Compound v2 (Comptroller, CTokens with JumpRateModelV2, the UniswapAnchoredView oracle) as a
//! world protocol.
//!
//! Calls map onto `bankrun_compound::Comptroller`: supply → `mint` (and `enterMarkets`, as the
//! app does on first supply), withdraw → `redeemUnderlying` (`U256::MAX`: `redeem` of every
//! cToken), borrow → `borrow`, repay → `repayBorrow`, liquidate → `liquidateBorrow`. The seized
//! cTokens stay in the protocol as the liquidator's deposit; the liquidator redeems them with a
//! withdraw. Prices are posted with `UniswapAnchoredView.validate`, the reporter and the anchor
//! both being the world's feed (USD·1e6, from the feed's 8 decimals). Interest accrues per block
//! (`accrualBlockNumber`), so calls use the block number, not the timestamp.

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_compound::{CompoundError, Comptroller, MarketId};

use crate::call::{AgentId, Call, Effect};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, listed, not_a_venue, not_aave, not_maker, not_terra,
    pull, push, sorted,
};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// 1e18, Compound's mantissa scale.
const EXP: u128 = 1_000_000_000_000_000_000;

/// A Compound v2 Comptroller with the world tokens of its markets.
#[derive(Debug, Clone)]
pub struct CompoundV2 {
    name: String,
    comptroller: Comptroller,
    /// `assets[i]` = world token of market `i`.
    assets: Vec<TokenId>,
    /// Hourly accrual poke: (every seconds, time of the last one).
    accrual: Option<(u64, u64)>,
}

impl CompoundV2 {
    /// Wraps `comptroller`, whose market `i` holds world token `assets[i]`.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the lengths differ.
    pub fn new(
        name: &str,
        comptroller: Comptroller,
        assets: Vec<TokenId>,
    ) -> Result<Self, WorldError> {
        if assets.len() != comptroller.markets.len() {
            return Err(WorldError::Unsupported {
                target: name.to_string(),
                what: format!(
                    "{} tokens for {} markets",
                    assets.len(),
                    comptroller.markets.len()
                ),
            });
        }
        Ok(CompoundV2 {
            name: name.to_string(),
            comptroller,
            assets,
            accrual: None,
        })
    }

    /// Accrues every market's interest at the first block at least `every_s` seconds after
    /// the last accrual (the first counted from `start`), in [`Protocol::begin_block`].
    /// Assumption: in the real chain every user call accrues its market; the book's own users
    /// are not simulated, so a keeper's `accrueInterest` every `every_s` stands in for them.
    pub fn with_accrual(mut self, every_s: u64, start: u64) -> Self {
        self.accrual = Some((every_s, start));
        self
    }

    /// Genesis state from a chain snapshot, like a fork (not a contract function): places
    /// each `(account, market, supply, borrow)` (underlying wei) with
    /// [`Comptroller::import_position`], gives `outside` the supply funding the borrows
    /// ([`Comptroller::import_outside_supply`]), and mints each market's resulting `cash` to
    /// the protocol in the ledger (the underlying the cTokens hold).
    ///
    /// # Errors
    /// [`WorldError::Reverted`] for an unknown market; the ledger's error.
    pub fn import_book(
        &mut self,
        env: &mut Env<'_>,
        positions: impl IntoIterator<Item = (AgentId, MarketId, U256, U256)>,
        outside: AgentId,
    ) -> Result<(), WorldError> {
        for (account, id, supply, borrow) in positions {
            self.comptroller
                .import_position(account, id, supply, borrow)
                .map_err(|e| self.revert(e))?;
        }
        self.comptroller.import_outside_supply(outside);
        for (id, m) in self.comptroller.markets.iter().enumerate() {
            env.ledger
                .mint(self.assets[id], env.holder, m.ctoken.cash)?;
        }
        Ok(())
    }

    /// The Comptroller (read-only: state changes go through [`Protocol::execute`]).
    pub fn comptroller(&self) -> &Comptroller {
        &self.comptroller
    }

    fn market(&self, token: TokenId) -> Result<MarketId, WorldError> {
        listed(&self.name, &self.assets, token)
    }

    fn revert(&self, e: CompoundError) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    /// cTokens → underlying at the stored exchange rate (`exchangeRateStored`, floor).
    fn underlying(&self, id: MarketId, ctokens: U256) -> Result<U256, WorldError> {
        let rate = self.comptroller.markets[id]
            .ctoken
            .exchange_rate_stored()
            .map_err(|e| self.revert(e))?;
        Ok(ctokens * rate / U256::from(EXP))
    }

    fn supply(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token: TokenId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let id = self.market(token)?;
        ensure_balance(env, token, sender, amount)?;
        let before = self.comptroller.clone();
        let minted = self
            .comptroller
            .mint(sender, id, amount, env.block)
            .and_then(|_| self.comptroller.enter_markets(sender, &[id]));
        if let Err(e) = minted {
            self.comptroller = before;
            return Err(self.revert(e));
        }
        pull(env, token, sender, amount)?;
        Ok(Effect {
            amount,
            ..Effect::default()
        })
    }

    fn withdraw(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token: TokenId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let id = self.market(token)?;
        let (tokens_in, amount_in) = if amount == U256::MAX {
            (
                self.comptroller.markets[id].ctoken.balance_of(sender),
                U256::ZERO,
            )
        } else {
            (U256::ZERO, amount)
        };
        let (_, got) = self
            .comptroller
            .redeem(sender, id, tokens_in, amount_in, env.block)
            .map_err(|e| self.revert(e))?;
        push(env, token, sender, got)?;
        Ok(Effect {
            amount: got,
            ..Effect::default()
        })
    }

    fn liquidate(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: (AgentId, TokenId, TokenId, U256),
    ) -> Result<Effect, WorldError> {
        let (borrower, debt, collateral, repay) = call;
        let (d, c) = (self.market(debt)?, self.market(collateral)?);
        ensure_balance(env, debt, sender, repay)?;
        let out = self
            .comptroller
            .liquidate_borrow(sender, borrower, d, repay, c, env.block)
            .map_err(|e| self.revert(e))?;
        pull(env, debt, sender, out.repaid)?;
        let seized = self.underlying(c, out.liquidator_tokens)?;
        Ok(Effect {
            amount: out.repaid,
            seized: Some((collateral, seized)),
            deficit: U256::ZERO,
            liquidation: None,
        })
    }

    /// The borrower's largest borrow and largest collateral by USD value at the oracle;
    /// `shortfall` (USD·1e18) gives the health factor `(borrows − shortfall) / borrows`.
    fn largest_pair(
        &self,
        account: AgentId,
        shortfall: f64,
    ) -> Result<Option<Candidate>, WorldError> {
        let mut debt: Option<(MarketId, U256, f64, f64)> = None;
        let mut borrows = 0.0;
        let mut coll: Option<(MarketId, f64)> = None;
        for (id, m) in self.comptroller.markets.iter().enumerate() {
            let price = u256_f64(
                self.comptroller
                    .oracle
                    .get_underlying_price(id)
                    .map_err(|e| self.revert(e))?,
            );
            let owed = m
                .ctoken
                .borrow_balance_stored(account)
                .map_err(|e| self.revert(e))?;
            let v = u256_f64(owed) * price;
            borrows += v / 1e18;
            if !owed.is_zero() && debt.is_none_or(|(_, _, best, _)| v > best) {
                debt = Some((id, owed, v, price));
            }
            let held = self.underlying(id, m.ctoken.balance_of(account))?;
            let v = u256_f64(held) * price;
            if !held.is_zero()
                && self.comptroller.is_member(account, id)
                && coll.is_none_or(|(_, best)| v > best)
            {
                coll = Some((id, v));
            }
        }
        let (Some((d, owed, _, debt_price)), Some((c, coll_value))) = (debt, coll) else {
            return Ok(None);
        };
        // A liquidator repays at most the close factor of the borrow, and no more than the
        // collateral can pay for at the liquidation incentive: beyond it `seizeTokens` exceeds
        // the borrower's cTokens and `liquidateBorrow` reverts (LIQUIDATE_SEIZE_TOO_MUCH). The
        // second bound is the liquidator's estimate (f64, 0.1 % under).
        let close = owed * self.comptroller.close_factor / U256::from(EXP);
        let incentive = u256_f64(self.comptroller.liquidation_incentive) / EXP as f64;
        let seizable = coll_value / incentive.max(1.0) / debt_price * 0.999;
        let seizable = if seizable.is_finite() && seizable > 0.0 {
            U256::from(seizable as u128)
        } else {
            U256::ZERO
        };
        let max_repay = close.min(seizable);
        if max_repay.is_zero() {
            return Ok(None);
        }
        Ok(Some(Candidate {
            borrower: account,
            debt: self.assets[d],
            collateral: self.assets[c],
            max_repay,
            health: (borrows - shortfall) / borrows,
        }))
    }
}

impl Protocol for CompoundV2 {
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
        let block = env.block;
        match *call {
            Call::Supply { token, amount } => self.supply(env, sender, token, amount),
            Call::Withdraw { token, amount } => self.withdraw(env, sender, token, amount),
            Call::Borrow { token, amount } => {
                let id = self.market(token)?;
                self.comptroller
                    .borrow(sender, id, amount, block)
                    .map_err(|e| self.revert(e))?;
                push(env, token, sender, amount)?;
                Ok(Effect {
                    amount,
                    ..Effect::default()
                })
            }
            Call::Repay { token, amount } => {
                let id = self.market(token)?;
                let owed = self.comptroller.markets[id]
                    .ctoken
                    .borrow_balance_stored(sender)
                    .map_err(|e| self.revert(e))?;
                ensure_balance(env, token, sender, owed.min(amount))?;
                let paid = self
                    .comptroller
                    .repay_borrow(sender, id, amount, block)
                    .map_err(|e| self.revert(e))?;
                pull(env, token, sender, paid)?;
                Ok(Effect {
                    amount: paid,
                    ..Effect::default()
                })
            }
            Call::Liquidate {
                borrower,
                debt,
                collateral,
                repay,
            } => self.liquidate(env, sender, (borrower, debt, collateral, repay)),
            Call::SwapExactIn { .. }
            | Call::BuyExactOut { .. }
            | Call::RemoveLiquidity { .. }
            | Call::VenueFile(_) => Err(not_a_venue(&self.name)),
            Call::Terra(_) => Err(not_terra(&self.name)),
            Call::Maker(_) => Err(not_maker(&self.name)),
            Call::Aave(_) => Err(not_aave(&self.name)),
        }
    }

    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        let id = self.market(token)?;
        if self.comptroller.oracle.configs[id].source != bankrun_compound::PriceSource::Reporter {
            // FIXED_USD / FIXED_ETH markets ignore reporters, as UniswapAnchoredView does.
            return Ok(());
        }
        let reporter = U256::from(answer / 100);
        let accepted = self
            .comptroller
            .oracle
            .validate(id, reporter, reporter)
            .map_err(|e| self.revert(e))?;
        if accepted {
            Ok(())
        } else {
            Err(WorldError::reverted(&self.name, "PriceGuarded"))
        }
    }

    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        let mut out = Vec::new();
        for &account in self.comptroller.account_assets.keys() {
            let (liquidity, shortfall) = self
                .comptroller
                .account_liquidity(account)
                .map_err(|e| self.revert(e))?;
            if shortfall.is_zero() {
                continue;
            }
            debug_assert!(liquidity.is_zero(), "liquidity and shortfall are exclusive");
            if let Some(c) = self.largest_pair(account, u256_f64(shortfall))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn deposit_of(&self, agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        let id = self.market(token)?;
        self.underlying(id, self.comptroller.markets[id].ctoken.balance_of(agent))
    }

    fn debt_of(&self, agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        let id = self.market(token)?;
        self.comptroller.markets[id]
            .ctoken
            .borrow_balance_stored(agent)
            .map_err(|e| self.revert(e))
    }

    /// The accrual poke of [`CompoundV2::with_accrual`], if set.
    fn begin_block(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        let Some((every, last)) = self.accrual else {
            return Ok(());
        };
        if env.now.saturating_sub(last) < every {
            return Ok(());
        }
        let markets = &mut self.comptroller.markets;
        let before: Vec<_> = markets.iter().map(|m| m.ctoken.accrual()).collect();
        for i in 0..markets.len() {
            if let Err(e) = markets[i].ctoken.accrue_interest(env.block) {
                for (m, a) in markets.iter_mut().zip(before) {
                    m.ctoken.restore(a);
                }
                return Err(WorldError::reverted(&self.name, e));
            }
        }
        self.accrual = Some((every, env.now));
        Ok(())
    }

    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        for (id, m) in self.comptroller.markets.iter().enumerate() {
            let c = &m.ctoken;
            let tokens = c.account_tokens.values().fold(U256::ZERO, |s, t| s + t);
            check.equal(
                &format!("market {id}: Σ cToken balances vs totalSupply"),
                tokens,
                c.total_supply,
            );
            check.equal(
                &format!("market {id}: getCash vs tokens held"),
                c.cash,
                check.ledger.balance(self.assets[id], check.holder),
            );
            // totalBorrows is its own accumulator, not the sum of the accounts'
            // borrowBalanceStored: accrueInterest floors its interest (< 1 wei lost per
            // accrual, at most one accrual per block up to accrualBlockNumber), each account's
            // balance is floored on its own (< 1 wei each), and the index's own flooring is a
            // relative error of 10⁻¹⁸ per accrual. The two agree within that sum.
            let mut owed = U256::ZERO;
            for &a in c.account_borrows.keys() {
                match c.borrow_balance_stored(a) {
                    Ok(b) => owed += b,
                    Err(e) => check.fail(format!("market {id}: borrowBalanceStored({a}): {e:?}")),
                }
            }
            let slack = U256::from(c.account_borrows.len() as u64 + 1 + c.accrual_block_number)
                + c.total_borrows / U256::from(1_000_000_000_000u64);
            let gap = owed.abs_diff(c.total_borrows);
            check.require(gap <= slack, || {
                format!(
                    "market {id}: Σ borrowBalanceStored {owed} vs totalBorrows {} differ by {gap} (> {slack})",
                    c.total_borrows
                )
            });
            check.never_falls(format!("market {id} borrowIndex"), c.borrow_index);
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
