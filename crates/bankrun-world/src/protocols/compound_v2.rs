//! Compound v2 (Comptroller, CTokens with JumpRateModelV2, the UniswapAnchoredView oracle) as a
//! world protocol.
//!
//! Calls map onto `bankrun_compound::Comptroller`: supply → `mint` (and `enterMarkets`, as the
//! app does on first supply), withdraw → `redeemUnderlying` (`U256::MAX`: `redeem` of every
//! cToken), borrow → `borrow`, repay → `repayBorrow`, liquidate → `liquidateBorrow`. The seized
//! cTokens stay in the protocol as the liquidator's deposit; the liquidator redeems them with a
//! withdraw. Prices are posted with `UniswapAnchoredView.validate`, the reporter and the anchor
//! both being the world's feed (USD·1e6, from the feed's 8 decimals). Interest accrues per block
//! (`accrualBlockNumber`), so calls use the block number, not the timestamp. [`Call::Compound`]
//! adds the pause guardian's `_setMintPaused`/`_setBorrowPaused` and the admin's
//! `_setCollateralFactor`.
//!
//! [`Protocol::candidates`] values every account of the book (a real book has 12k accounts,
//! and liquidators ask every block), so the answer is kept per account: every account is
//! revalued after an accrual of every market (the hourly poke), an import or a governance
//! call; the accounts that entered a market are revalued after a change of its stored price
//! (only entered markets count in `getAccountLiquidity`); an account a call touches (the
//! sender, a liquidated borrower) is revalued at the next ask. Assumption of the model:
//! between two full revaluations the interest a call accrues on its market reaches the
//! candidates of the accounts it did not touch only at the next one (at most an hour of
//! interest); the Comptroller itself, which decides every liquidation, is always exact.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_compound::{CompoundError, Comptroller, MarketId};

use crate::call::{AgentId, Call, CompoundCall, Effect};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, listed, not_a_venue, not_aave, not_issuer, not_maker,
    not_terra, pull, push, sorted,
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
    /// The kept [`Protocol::candidates`] answer (module docs).
    candidates: RefCell<CandidateCache>,
}

/// Liquidation candidates kept per account.
#[derive(Debug, Clone, Default)]
struct CandidateCache {
    /// Whether `by_account` holds a valuation of every account (else all are revalued).
    valued: bool,
    /// The candidate of every account in shortfall at its last valuation.
    by_account: BTreeMap<AgentId, Candidate>,
    /// Accounts touched by calls since: revalued at the next ask.
    dirty: BTreeSet<AgentId>,
    /// Markets whose stored price changed since: their members are revalued at the next ask.
    repriced: BTreeSet<MarketId>,
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
            candidates: RefCell::new(CandidateCache::default()),
        })
    }

    /// Accrues every market's interest at the first block at least `every_s` seconds after
    /// the last accrual (the first counted from `start`), in [`Protocol::begin_block`].
    /// Assumption: in the real chain every user call accrues its market; the book's own users
    /// are not simulated, so a keeper's `accrueInterest` every `every_s` stands in for them.
    pub fn with_accrual(mut self, every_s: u64, start: u64) -> Self {
        self.touch();
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
        self.touch();
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

    /// Forgets every kept candidate: the Comptroller changes for every account.
    fn touch(&mut self) {
        let cache = self.candidates.get_mut();
        cache.valued = false;
        cache.by_account.clear();
        cache.dirty.clear();
        cache.repriced.clear();
    }

    /// Marks `accounts` for revaluation: a call changes their positions.
    fn touch_accounts(&mut self, accounts: &[AgentId]) {
        self.candidates.get_mut().dirty.extend(accounts);
    }

    /// The candidate of `account` now: `None` without a shortfall.
    fn candidate(&self, account: AgentId) -> Result<Option<Candidate>, WorldError> {
        let (liquidity, shortfall) = self
            .comptroller
            .account_liquidity(account)
            .map_err(|e| self.revert(e))?;
        if shortfall.is_zero() {
            return Ok(None);
        }
        debug_assert!(liquidity.is_zero(), "liquidity and shortfall are exclusive");
        self.largest_pair(account, u256_f64(shortfall))
    }

    /// Liquidation candidates computed afresh (no cache): every account with a shortfall.
    fn compute_candidates(&self) -> Result<Vec<Candidate>, WorldError> {
        let mut out = Vec::new();
        for &account in self.comptroller.account_assets.keys() {
            out.extend(self.candidate(account)?);
        }
        Ok(out)
    }

    /// The market id of world token `token` (`assets[i]` is market `i`).
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] for a token the Comptroller does not list.
    pub fn market_of(&self, token: TokenId) -> Result<MarketId, WorldError> {
        listed(&self.name, &self.assets, token)
    }

    fn market(&self, token: TokenId) -> Result<MarketId, WorldError> {
        self.market_of(token)
    }

    fn revert(&self, e: CompoundError) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    /// The revert of a mint or borrow (`what`) on a market whose pause flag is `paused`: the
    /// Comptroller refuses a paused action as [`CompoundError::InvalidParameter`]; the world
    /// names it by the contract's `require` message ("mint is paused", "borrow is paused").
    fn revert_paused(&self, e: CompoundError, paused: bool, what: &str) -> WorldError {
        if paused && e == CompoundError::InvalidParameter {
            WorldError::Reverted {
                target: self.name.clone(),
                reason: format!("{what} is paused"),
            }
        } else {
            self.revert(e)
        }
    }

    /// A pause-guardian or admin call ([`Call::Compound`]): `_setMintPaused`,
    /// `_setBorrowPaused`, `_setCollateralFactor`. No tokens move.
    fn compound_call(&mut self, call: CompoundCall) -> Result<Effect, WorldError> {
        let done = match call {
            CompoundCall::MintPaused { token, paused } => {
                let id = self.market(token)?;
                self.comptroller.set_mint_paused(id, paused)
            }
            CompoundCall::BorrowPaused { token, paused } => {
                let id = self.market(token)?;
                self.comptroller.set_borrow_paused(id, paused)
            }
            CompoundCall::CollateralFactor { token, mantissa } => {
                let id = self.market(token)?;
                self.comptroller.set_collateral_factor(id, mantissa)
            }
            CompoundCall::CometPause { .. } | CompoundCall::CometHoldPrice { .. } => {
                return Err(WorldError::Unsupported {
                    target: self.name.clone(),
                    what: "a Compound III (Comet) call on a Compound v2 Comptroller".into(),
                });
            }
        };
        done.map_err(|e| self.revert(e))?;
        Ok(Effect::default())
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
            let paused = self.comptroller.markets[id].mint_paused;
            return Err(self.revert_paused(e, paused, "mint"));
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
        // The accounts a call changes are revalued at the next ask (module docs).
        match *call {
            Call::Liquidate { borrower, .. } => self.touch_accounts(&[sender, borrower]),
            Call::Compound(_) => self.touch(),
            _ => self.touch_accounts(&[sender]),
        }
        let block = env.block;
        match *call {
            Call::Supply { token, amount } => self.supply(env, sender, token, amount),
            Call::Withdraw { token, amount } => self.withdraw(env, sender, token, amount),
            Call::Borrow { token, amount } => {
                let id = self.market(token)?;
                self.comptroller
                    .borrow(sender, id, amount, block)
                    .map_err(|e| {
                        let paused = self.comptroller.markets[id].borrow_paused;
                        self.revert_paused(e, paused, "borrow")
                    })?;
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
            Call::Compound(c) => self.compound_call(c),
            Call::Issuer(_) => Err(not_issuer(&self.name)),
        }
    }

    /// Marks the market's members for revaluation when the stored price changes (`validate`
    /// writes nothing else).
    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        let id = self.market(token)?;
        if self.comptroller.oracle.configs[id].source != bankrun_compound::PriceSource::Reporter {
            // FIXED_USD / FIXED_ETH markets ignore reporters, as UniswapAnchoredView does.
            return Ok(());
        }
        let reporter = U256::from(answer / 100);
        let stored = self.comptroller.oracle.prices[id];
        let accepted = self
            .comptroller
            .oracle
            .validate(id, reporter, reporter)
            .map_err(|e| self.revert(e))?;
        if self.comptroller.oracle.prices[id] != stored {
            self.candidates.get_mut().repriced.insert(id);
        }
        if accepted {
            Ok(())
        } else {
            Err(WorldError::reverted(&self.name, "PriceGuarded"))
        }
    }

    /// Kept per account (module docs; the answer does not depend on `now`: Compound v2 values
    /// accounts at their stored balances and the oracle's posted prices), in account order.
    /// An error keeps nothing.
    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        let mut cache = self.candidates.borrow_mut();
        if !cache.valued {
            let all = self.compute_candidates()?;
            cache.by_account = all.into_iter().map(|c| (c.borrower, c)).collect();
            cache.valued = true;
            cache.dirty.clear();
            cache.repriced.clear();
        } else {
            let repriced = std::mem::take(&mut cache.repriced);
            if !repriced.is_empty() {
                let members = self.comptroller.account_assets.iter();
                let moved = members.filter(|(_, ids)| ids.iter().any(|id| repriced.contains(id)));
                cache.dirty.extend(moved.map(|(&account, _)| account));
            }
        }
        if !cache.dirty.is_empty() {
            for account in std::mem::take(&mut cache.dirty) {
                match self.candidate(account) {
                    Ok(Some(c)) => {
                        cache.by_account.insert(account, c);
                    }
                    Ok(None) => {
                        cache.by_account.remove(&account);
                    }
                    Err(e) => {
                        cache.valued = false;
                        return Err(e);
                    }
                }
            }
        }
        Ok(cache.by_account.values().cloned().collect())
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

    /// The accrual poke of [`CompoundV2::with_accrual`], if set; it clears the cached
    /// candidates (interest raises the borrow balances).
    fn begin_block(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        let Some((every, last)) = self.accrual else {
            return Ok(());
        };
        if env.now.saturating_sub(last) < every {
            return Ok(());
        }
        self.touch();
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

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_chain::{Holder, Ledger};
    use bankrun_compound::{CToken, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig};

    const T0: u64 = 1_700_000_000;
    const USDC: TokenId = 0;
    const XYZ: TokenId = 1;
    const H: Holder = Holder::Protocol(0);
    /// $1 with the feed's 8 decimals.
    const USD: u128 = 100_000_000;

    fn e(x: u64, d: u32) -> U256 {
        U256::from(x) * U256::from(10u64).pow(U256::from(d))
    }

    /// USDC (fixed $1, CF 80 %) and XYZ (reporter, CF 70 %); close factor 50 %, LI 1.08;
    /// an accrual every 12 s.
    fn compound() -> CompoundV2 {
        let mut oracle = PriceOracle::new(e(15, 16));
        oracle.push(TokenConfig {
            base_unit: e(1, 6),
            source: PriceSource::FixedUsd(e(1, 6)),
        });
        oracle.push(TokenConfig {
            base_unit: e(1, 18),
            source: PriceSource::Reporter,
        });
        let model =
            JumpRateModelV2::from_per_year(e(2, 16), e(18, 16), e(4, 18), e(8, 17)).unwrap();
        let mut c = Comptroller::new(e(5, 17), e(108, 16), oracle);
        c.support_market(CToken::new(model, e(2, 14), e(1, 17), 0), e(80, 16));
        c.support_market(CToken::new(model, e(2, 26), e(2, 17), 0), e(70, 16));
        CompoundV2::new("compound-v2", c, vec![USDC, XYZ])
            .unwrap()
            .with_accrual(12, T0)
    }

    fn env(ledger: &mut Ledger, now: u64, block: u64) -> Env<'_> {
        Env {
            now,
            block,
            ledger,
            holder: H,
        }
    }

    /// The cached answer (asked twice: computed, then served) equals a fresh computation.
    fn cached_equals_fresh(c: &CompoundV2) -> Vec<Candidate> {
        let first = c.candidates(T0).unwrap();
        let kept = c.candidates.borrow();
        assert!(kept.valued && kept.dirty.is_empty(), "the answer is kept");
        drop(kept);
        let again = c.candidates(T0 + 999).unwrap();
        let fresh = c.compute_candidates().unwrap();
        assert_eq!(first, fresh);
        assert_eq!(again, fresh);
        fresh
    }

    fn borrowers(c: &[Candidate]) -> Vec<AgentId> {
        c.iter().map(|c| c.borrower).collect()
    }

    #[test]
    fn cached_candidates_follow_prices_borrows_and_accrual() {
        let mut c = compound();
        let mut ledger = Ledger::new();
        ledger.mint(USDC, Holder::Agent(0), e(100_000, 6)).unwrap();
        for a in 1..=3 {
            ledger.mint(XYZ, Holder::Agent(a), e(10, 18)).unwrap();
        }
        c.post_price(XYZ, 100 * USD, T0).unwrap();
        let mut calls = vec![(
            0,
            Call::Supply {
                token: USDC,
                amount: e(100_000, 6),
            },
        )];
        // $700 of borrowing power each.
        for (a, borrow) in [(1, 690), (2, 600), (3, 300)] {
            let supply = Call::Supply {
                token: XYZ,
                amount: e(10, 18),
            };
            let borrow = Call::Borrow {
                token: USDC,
                amount: e(borrow, 6),
            };
            calls.extend([(a, supply), (a, borrow)]);
        }
        for (who, call) in &calls {
            c.execute(&mut env(&mut ledger, T0, 1), *who, call).unwrap();
        }
        assert!(cached_equals_fresh(&c).is_empty());

        // The same price again changes nothing: the answer stays.
        c.post_price(XYZ, 100 * USD, T0).unwrap();
        assert!(c.candidates.borrow().valued);
        // A price change: 10 XYZ at $95 back $665 < 690. Only XYZ's members are revalued
        // (account 0 supplies USDC alone).
        c.post_price(XYZ, 95 * USD, T0).unwrap();
        assert!(c.candidates.borrow().valued);
        assert!(
            c.candidates.borrow().repriced.contains(&1),
            "XYZ's market is marked"
        );
        assert_eq!(borrowers(&cached_equals_fresh(&c)), vec![1]);
        assert!(c.candidates.borrow().repriced.is_empty());

        // A borrow to the limit: account 2 keeps (less than a micro-dollar of) liquidity.
        let (liquidity, _) = c.comptroller().account_liquidity(2).unwrap();
        let amount = liquidity / e(1, 12);
        let borrow = Call::Borrow {
            token: USDC,
            amount,
        };
        c.execute(&mut env(&mut ledger, T0, 1), 2, &borrow).unwrap();
        assert!(
            c.candidates.borrow().dirty.contains(&2),
            "the borrower is revalued"
        );
        assert_eq!(borrowers(&cached_equals_fresh(&c)), vec![1]);

        // Not yet due: no accrual, the answer stays.
        c.begin_block(&mut env(&mut ledger, T0 + 11, 2)).unwrap();
        assert!(c.candidates.borrow().valued);
        // The accrual's interest puts account 2 in shortfall.
        c.begin_block(&mut env(&mut ledger, T0 + 1_200, 101))
            .unwrap();
        assert!(!c.candidates.borrow().valued);
        assert_eq!(borrowers(&cached_equals_fresh(&c)), vec![1, 2]);

        // A reverted call marks its sender too, and a repayment takes account 1 out.
        let too_much = Call::Borrow {
            token: USDC,
            amount: e(1_000, 6),
        };
        assert!(
            c.execute(&mut env(&mut ledger, T0, 101), 3, &too_much)
                .is_err()
        );
        assert!(c.candidates.borrow().dirty.contains(&3));
        assert_eq!(borrowers(&cached_equals_fresh(&c)), vec![1, 2]);
        let repay = Call::Repay {
            token: USDC,
            amount: e(100, 6),
        };
        c.execute(&mut env(&mut ledger, T0, 101), 1, &repay)
            .unwrap();
        assert_eq!(borrowers(&cached_equals_fresh(&c)), vec![2]);
    }

    #[test]
    fn guardian_and_admin_calls_set_the_comptroller() {
        let mut c = compound();
        let mut ledger = Ledger::new();
        ledger.mint(XYZ, Holder::Agent(1), e(10, 18)).unwrap();
        c.post_price(XYZ, 100 * USD, T0).unwrap();
        let supply = Call::Supply {
            token: XYZ,
            amount: e(1, 18),
        };
        let pause = |paused| Call::Compound(CompoundCall::MintPaused { token: XYZ, paused });
        assert_eq!(pause(true).kind(), crate::call::CallKind::Admin);
        let done = c.execute(&mut env(&mut ledger, T0, 1), 9, &pause(true));
        assert_eq!(done.unwrap(), Effect::default());
        assert!(c.comptroller().markets[1].mint_paused);
        let before = ledger.clone();
        let refused = c.execute(&mut env(&mut ledger, T0, 1), 1, &supply);
        assert_eq!(
            refused,
            Err(WorldError::Reverted {
                target: "compound-v2".into(),
                reason: "mint is paused".into()
            })
        );
        assert_eq!(ledger, before);
        c.execute(&mut env(&mut ledger, T0, 1), 9, &pause(false))
            .unwrap();
        c.execute(&mut env(&mut ledger, T0, 1), 1, &supply).unwrap();

        let borrow_pause = Call::Compound(CompoundCall::BorrowPaused {
            token: USDC,
            paused: true,
        });
        c.execute(&mut env(&mut ledger, T0, 1), 9, &borrow_pause)
            .unwrap();
        assert!(c.comptroller().markets[0].borrow_paused);

        let cf = |mantissa| {
            Call::Compound(CompoundCall::CollateralFactor {
                token: XYZ,
                mantissa,
            })
        };
        assert!(matches!(
            c.execute(&mut env(&mut ledger, T0, 1), 9, &cf(e(91, 16))),
            Err(WorldError::Reverted { .. })
        ));
        assert_eq!(c.comptroller().markets[1].collateral_factor, e(70, 16));
        c.execute(&mut env(&mut ledger, T0, 1), 9, &cf(e(90, 16)))
            .unwrap();
        assert_eq!(c.comptroller().markets[1].collateral_factor, e(90, 16));
        let unlisted = Call::Compound(CompoundCall::MintPaused {
            token: 7,
            paused: true,
        });
        assert!(matches!(
            c.execute(&mut env(&mut ledger, T0, 1), 9, &unlisted),
            Err(WorldError::Unsupported { .. })
        ));
    }
}
