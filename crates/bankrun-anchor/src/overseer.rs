//! The Anchor overseer: collateral whitelist and balances, borrow limits, epoch operations
//! (yield-reserve subsidy of the deposit rate), the dynamic deposit rate, and liquidation.
//!
//! Sources (`Anchor-Protocol/money-market-contracts@e8853fab`, 30 Apr 2022; re-written from
//! the rules):
//! - `contracts/overseer/src/contract.rs`: `instantiate`, `migrate` (the dynamic-rate
//!   migration of 1 May 2022), `execute_epoch_operations`, `update_epoch_state`,
//!   `update_deposit_rate`, `fund_reserve`, `BLOCKS_PER_YEAR = 4,656,810`;
//! - `contracts/overseer/src/collateral.rs`: `lock_collateral`, `unlock_collateral`,
//!   `liquidate_collateral`, `compute_borrow_limit`;
//! - `contracts/custody_bluna/src/collateral.rs` (`liquidate_collateral`: collateral `Send`
//!   to the queue with `fee_address` = overseer, `repay_address` = market);
//! - `protocol-math.md` §5.2.
//!
//! The overseer's uusd bank balance is Anchor's **yield reserve** ("interest buffer").
//!
//! # Not modelled
//! Custody contracts as separate state (the overseer's collateral record stands for them;
//! collateral tokens are assumed to be transferred by the caller); bAsset reward claiming and
//! swapping (the uusd they deliver to the overseer each epoch is an input of
//! [`Overseer::execute_epoch_operations`]); oracle staleness (`price_timeframe`); ANC
//! emission. Every revert is an [`AnchorError`]; operations are atomic.

use std::collections::BTreeMap;

use crate::decimal::{Decimal256, Uint256};
use crate::liquidation::{CollateralPosition, LiquidationQueue};
use crate::market::Market;
use crate::tax::{TerraTax, check_bank_send};
use crate::{AccountId, AnchorError, BLOCKS_PER_YEAR, CollateralId};

/// A whitelisted collateral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhitelistElem {
    /// Name (e.g. "bLUNA").
    pub name: String,
    /// `max_ltv`: borrow limit per unit of collateral value.
    pub max_ltv: Decimal256,
}

/// The overseer `Config` fields the model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverseerConfig {
    /// `epoch_period`: minimum blocks between epoch operations.
    pub epoch_period: u64,
    /// `threshold_deposit_rate` (per block): below it the yield reserve subsidises.
    pub threshold_deposit_rate: Decimal256,
    /// `target_deposit_rate` (per block): the market moves yield above it into reserves.
    pub target_deposit_rate: Decimal256,
    /// `buffer_distribution_factor`: max share of the yield reserve paid out per epoch.
    pub buffer_distribution_factor: Decimal256,
    /// `anc_purchase_factor`: share of the yield reserve's new inflow sent to the collector
    /// (ANC purchase).
    pub anc_purchase_factor: Decimal256,
}

/// The overseer `DynrateConfig` (dynamic deposit rate, live from the 1 May 2022 migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DynrateConfig {
    /// `dyn_rate_epoch`: blocks between rate re-evaluations.
    pub dyn_rate_epoch: u64,
    /// `dyn_rate_maxchange`: max change of the **yearly** rate per re-evaluation (0.015 =
    /// 1.5 percentage points).
    pub dyn_rate_maxchange: Decimal256,
    /// `dyn_rate_yr_increase_expectation`: yield-reserve growth (fraction per dyn-rate epoch)
    /// subtracted from the observed change before it moves the rate.
    pub dyn_rate_yr_increase_expectation: Decimal256,
    /// `dyn_rate_min` (per block).
    pub dyn_rate_min: Decimal256,
    /// `dyn_rate_max` (per block).
    pub dyn_rate_max: Decimal256,
}

/// The overseer `EpochState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochState {
    /// `deposit_rate`: average per-block deposit rate over the last epoch.
    pub deposit_rate: Decimal256,
    /// `prev_aterra_supply` (aUST micro-units).
    pub prev_aterra_supply: Uint256,
    /// `prev_interest_buffer`: yield reserve after the last epoch's payouts (uusd).
    pub prev_interest_buffer: Uint256,
    /// `prev_exchange_rate` (uusd per aUST).
    pub prev_exchange_rate: Decimal256,
    /// `last_executed_height` (block).
    pub last_executed_height: u64,
}

/// The overseer `DynrateState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DynrateState {
    /// `last_executed_height` (block).
    pub last_executed_height: u64,
    /// `prev_yield_reserve` (uusd, Decimal256).
    pub prev_yield_reserve: Decimal256,
}

/// What one `execute_epoch_operations` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochReport {
    /// Deposit rate the subsidy decision used (per block, before the subsidy).
    pub deposit_rate: Decimal256,
    /// `anc_purchase_amount` sent to the collector (uusd, before tax).
    pub anc_purchase_amount: Uint256,
    /// `distributed_interest`: subsidy received by the market (uusd, after tax).
    pub distributed_interest: Uint256,
    /// Subsidy leaving the yield reserve (uusd, before tax).
    pub distributed_gross: Uint256,
    /// `deposit_rate` stored by `update_epoch_state` (per block, subsidy included).
    pub epoch_deposit_rate: Decimal256,
    /// Market reserves swept to the collector (uusd, after tax).
    pub swept_reserves: Uint256,
    /// Whether the dynamic rate was re-evaluated.
    pub deposit_rate_updated: bool,
    /// Target (= threshold) deposit rate after the epoch (per block).
    pub target_deposit_rate: Decimal256,
}

/// What one liquidation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationReport {
    /// Collateral sold, per collateral id (micro-units).
    pub collateral: Vec<(CollateralId, Uint256)>,
    /// Loan repaid (uusd).
    pub repaid: Uint256,
    /// uusd refunded to the borrower if the bids exceeded the loan (after tax).
    pub refund: Uint256,
    /// Bid fees received by the yield reserve (uusd, after tax).
    pub bid_fee: Uint256,
    /// Fees received by the liquidator (uusd, after tax).
    pub liquidator_fee: Uint256,
}

/// The overseer contract and its uusd bank balance (the yield reserve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overseer {
    /// Config.
    pub config: OverseerConfig,
    /// Dynamic-rate config.
    pub dynrate_config: DynrateConfig,
    /// Epoch state.
    pub epoch_state: EpochState,
    /// Dynamic-rate state.
    pub dynrate_state: DynrateState,
    /// The overseer's uusd balance: the yield reserve (uusd).
    pub balance: Uint256,
    /// Whitelisted collaterals by id.
    pub whitelist: Vec<WhitelistElem>,
    /// Locked collateral per borrower and collateral id (micro-units).
    pub collaterals: BTreeMap<AccountId, BTreeMap<CollateralId, Uint256>>,
    /// Terra tax on the overseer's bank sends.
    pub tax: TerraTax,
    /// uusd sent to the collector for ANC purchases (cumulative, after tax).
    pub anc_purchased: Uint256,
    /// uusd paid to liquidators (cumulative, after tax).
    pub liquidator_fees: Uint256,
}

impl Overseer {
    /// `instantiate` at `block`: epoch state `{deposit_rate 0, prev_aterra_supply 0,
    /// prev_interest_buffer 0, prev_exchange_rate 1, last_executed_height block}`, dyn-rate
    /// state `{block, 0}`, empty yield reserve and whitelist.
    pub fn new(
        block: u64,
        config: OverseerConfig,
        dynrate_config: DynrateConfig,
        tax: TerraTax,
    ) -> Self {
        Overseer {
            config,
            dynrate_config,
            epoch_state: EpochState {
                deposit_rate: Decimal256::ZERO,
                prev_aterra_supply: Uint256::ZERO,
                prev_interest_buffer: Uint256::ZERO,
                prev_exchange_rate: Decimal256::ONE,
                last_executed_height: block,
            },
            dynrate_state: DynrateState {
                last_executed_height: block,
                prev_yield_reserve: Decimal256::ZERO,
            },
            balance: Uint256::ZERO,
            whitelist: Vec::new(),
            collaterals: BTreeMap::new(),
            tax,
            anc_purchased: Uint256::ZERO,
            liquidator_fees: Uint256::ZERO,
        }
    }

    /// `migrate` (the dynamic-rate upgrade, 1 May 2022) at `block`: stores `dynrate_config`,
    /// `prev_yield_reserve = balance`, and `threshold = target = max(min(threshold,
    /// dyn_rate_current), dyn_rate_min)` (per block).
    ///
    /// # Errors
    /// Overflow of `balance` as a decimal.
    pub fn migrate_dynrate(
        &mut self,
        block: u64,
        dynrate_config: DynrateConfig,
        dyn_rate_current: Decimal256,
    ) -> Result<(), AnchorError> {
        let prev = Decimal256::from_ratio(self.balance, 1u64)?;
        let rate = self
            .config
            .threshold_deposit_rate
            .min(dyn_rate_current)
            .max(dynrate_config.dyn_rate_min);
        self.dynrate_config = dynrate_config;
        self.dynrate_state = DynrateState {
            last_executed_height: block,
            prev_yield_reserve: prev,
        };
        self.config.threshold_deposit_rate = rate;
        self.config.target_deposit_rate = rate;
        Ok(())
    }

    /// The `target_deposit_rate` the market reads (per block).
    pub fn target_deposit_rate(&self) -> Decimal256 {
        self.config.target_deposit_rate
    }

    /// `register_whitelist`: adds a collateral; returns its id.
    pub fn register_whitelist(&mut self, elem: WhitelistElem) -> CollateralId {
        self.whitelist.push(elem);
        self.whitelist.len() - 1
    }

    /// `fund_reserve`: `amount` uusd into the yield reserve; `prev_interest_buffer` and
    /// `prev_yield_reserve` rise by the same (so it is not counted as new inflow or reserve
    /// growth).
    ///
    /// # Errors
    /// Overflow.
    pub fn fund_reserve(&mut self, amount: Uint256) -> Result<(), AnchorError> {
        let balance = self.balance.checked_add(amount)?;
        let pib = self.epoch_state.prev_interest_buffer.checked_add(amount)?;
        let pyr = self
            .dynrate_state
            .prev_yield_reserve
            .checked_add(Decimal256::from_ratio(amount, 1u64)?)?;
        self.balance = balance;
        self.epoch_state.prev_interest_buffer = pib;
        self.dynrate_state.prev_yield_reserve = pyr;
        Ok(())
    }

    /// Locked collateral of `who` (micro-units per collateral id).
    pub fn collaterals_of(&self, who: AccountId) -> BTreeMap<CollateralId, Uint256> {
        self.collaterals.get(&who).cloned().unwrap_or_default()
    }

    /// `lock_collateral`: `amount` of collateral `id` locked for `who`.
    ///
    /// # Errors
    /// [`AnchorError::UnknownCollateral`]; [`AnchorError::InvalidZeroAmount`] (the custody
    /// deposit is a cw20 `Send`); overflow.
    pub fn lock_collateral(
        &mut self,
        who: AccountId,
        id: CollateralId,
        amount: Uint256,
    ) -> Result<(), AnchorError> {
        if id >= self.whitelist.len() {
            return Err(AnchorError::UnknownCollateral(id));
        }
        if amount.is_zero() {
            return Err(AnchorError::InvalidZeroAmount);
        }
        let cur = self
            .collaterals_of(who)
            .get(&id)
            .copied()
            .unwrap_or_default();
        let new = cur.checked_add(amount)?;
        self.collaterals.entry(who).or_default().insert(id, new);
        Ok(())
    }

    /// `compute_borrow_limit`: `Σ ⌊⌊amount·price⌋·max_ltv⌋` (uusd). `prices[id]` is the
    /// oracle price of collateral `id` (uusd per micro-unit).
    ///
    /// # Errors
    /// [`AnchorError::UnknownCollateral`] for an id without whitelist entry or price;
    /// overflow.
    pub fn compute_borrow_limit(
        &self,
        collaterals: &BTreeMap<CollateralId, Uint256>,
        prices: &[Decimal256],
    ) -> Result<Uint256, AnchorError> {
        let mut limit = Uint256::ZERO;
        for (&id, &amount) in collaterals {
            let elem = self
                .whitelist
                .get(id)
                .ok_or(AnchorError::UnknownCollateral(id))?;
            let price = *prices.get(id).ok_or(AnchorError::UnknownCollateral(id))?;
            limit = limit.checked_add(amount.mul_dec(price)?.mul_dec(elem.max_ltv)?)?;
        }
        Ok(limit)
    }

    /// `query_borrow_limit(who)` (uusd).
    ///
    /// # Errors
    /// As [`Overseer::compute_borrow_limit`].
    pub fn borrow_limit(
        &self,
        who: AccountId,
        prices: &[Decimal256],
    ) -> Result<Uint256, AnchorError> {
        self.compute_borrow_limit(&self.collaterals_of(who), prices)
    }

    /// `borrow_stable` on `market` by `who` with the overseer's borrow limit and target
    /// deposit rate. Returns the uusd received.
    ///
    /// # Errors
    /// As [`Overseer::borrow_limit`] and [`Market::borrow_stable`].
    pub fn borrow_stable(
        &self,
        market: &mut Market,
        who: AccountId,
        amount: Uint256,
        block: u64,
        prices: &[Decimal256],
    ) -> Result<Uint256, AnchorError> {
        let limit = self.borrow_limit(who, prices)?;
        market.borrow_stable(who, amount, block, self.target_deposit_rate(), limit)
    }

    /// `unlock_collateral`: reverts if more than locked is asked
    /// ([`AnchorError::UnlockExceedsLocked`]) or if the remaining borrow limit is below the
    /// liability at `block` ([`AnchorError::UnlockTooLarge`]).
    ///
    /// # Errors
    /// As listed; [`AnchorError::InvalidZeroAmount`]; as [`Overseer::compute_borrow_limit`].
    pub fn unlock_collateral(
        &mut self,
        market: &Market,
        who: AccountId,
        id: CollateralId,
        amount: Uint256,
        block: u64,
        prices: &[Decimal256],
    ) -> Result<(), AnchorError> {
        let mut cur = self.collaterals_of(who);
        let have = cur.get(&id).copied().unwrap_or_default();
        let left = have
            .checked_sub(amount)
            .map_err(|_| AnchorError::UnlockExceedsLocked)?;
        if left.is_zero() {
            cur.remove(&id);
        } else {
            cur.insert(id, left);
        }
        let limit = self.compute_borrow_limit(&cur, prices)?;
        let loan = market.liability(who, block, self.target_deposit_rate())?;
        if limit < loan {
            return Err(AnchorError::UnlockTooLarge(limit));
        }
        if amount.is_zero() {
            return Err(AnchorError::InvalidZeroAmount);
        }
        self.collaterals.insert(who, cur);
        Ok(())
    }

    /// `update_deposit_rate` at `block` (run inside `update_epoch_state`): if `dyn_rate_epoch`
    /// blocks have passed, with `YR` the yield reserve now, `prev` the stored one and
    /// `B = BLOCKS_PER_YEAR`:
    /// ```text
    /// cur = threshold·B                         (yearly)
    /// up = YR > prev;  Δ = |YR − prev|/prev     (1 if prev = 0)
    /// signed Δ −= yr_increase_expectation;  Δ = min(|Δ|, maxchange)
    /// new = (up ? cur + Δ : max(cur − Δ, 0)) / B
    /// threshold = target = clamp(new, dyn_rate_min, dyn_rate_max);  prev = YR
    /// ```
    /// Returns whether the rate was re-evaluated.
    ///
    /// # Errors
    /// Arithmetic.
    pub fn update_deposit_rate(&mut self, block: u64) -> Result<bool, AnchorError> {
        let dc = self.dynrate_config;
        let ds = self.dynrate_state;
        if block < ds.last_executed_height.saturating_add(dc.dyn_rate_epoch) {
            return Ok(false);
        }
        let blocks_per_year = Decimal256::from_ratio(BLOCKS_PER_YEAR, 1u64)?;
        let current_rate = self
            .config
            .threshold_deposit_rate
            .checked_mul(blocks_per_year)?;
        let yield_reserve = Decimal256::from_uint256(self.balance)?;
        let mut went_up = yield_reserve > ds.prev_yield_reserve;
        let delta = if went_up {
            yield_reserve.checked_sub(ds.prev_yield_reserve)?
        } else {
            ds.prev_yield_reserve.checked_sub(yield_reserve)?
        };
        let mut change = if ds.prev_yield_reserve.is_zero() {
            Decimal256::ONE
        } else {
            delta.checked_div(ds.prev_yield_reserve)?
        };
        let expect = dc.dyn_rate_yr_increase_expectation;
        change = if !went_up {
            change.checked_add(expect)?
        } else if change > expect {
            change.checked_sub(expect)?
        } else {
            went_up = !went_up;
            expect.checked_sub(change)?
        };
        change = change.min(dc.dyn_rate_maxchange);
        let mut new_rate = if went_up {
            current_rate.checked_add(change)?
        } else if current_rate > change {
            current_rate.checked_sub(change)?
        } else {
            Decimal256::ZERO
        };
        new_rate = new_rate.checked_div(blocks_per_year)?;
        new_rate = new_rate.min(dc.dyn_rate_max).max(dc.dyn_rate_min);
        self.config.target_deposit_rate = new_rate;
        self.config.threshold_deposit_rate = new_rate;
        self.dynrate_state = DynrateState {
            last_executed_height: block,
            prev_yield_reserve: yield_reserve,
        };
        Ok(true)
    }

    /// The epoch operations at `block`, in the order the messages run:
    /// 1. overseer `execute_epoch_operations`: `deposit_rate = (rate/prev_rate − 1)/blocks`
    ///    from the market's epoch state; `anc = ⌊(buffer − prev_interest_buffer)·
    ///    anc_purchase_factor⌋` to the collector; if `deposit_rate < threshold`:
    ///    `distributed = min(⌊⌊prev_aterra_supply·prev_exchange_rate⌋·blocks·(threshold −
    ///    deposit_rate)⌋, ⌊(buffer − anc)·buffer_distribution_factor⌋)` from the yield
    ///    reserve to the market;
    /// 2. custody `DistributeRewards`: `basset_rewards` uusd (bAsset rewards claimed and
    ///    swapped) arrive in the yield reserve;
    /// 3. `update_epoch_state`: stores the market's epoch state (subsidy included) and the
    ///    buffer before the rewards; runs [`Overseer::update_deposit_rate`];
    /// 4. market `execute_epoch_operations` with the target rate from before step 3 (interest,
    ///    `prev_exchange_rate` reset to include the subsidy, reserves swept).
    ///
    /// # Errors
    /// [`AnchorError::EpochNotPassed`] before `last_executed_height + epoch_period`;
    /// arithmetic (e.g. an exchange rate below the previous epoch's). Nothing changes on
    /// error.
    pub fn execute_epoch_operations(
        &mut self,
        market: &mut Market,
        block: u64,
        basset_rewards: Uint256,
    ) -> Result<EpochReport, AnchorError> {
        let saved_self = (
            self.config,
            self.epoch_state,
            self.dynrate_state,
            self.balance,
            self.anc_purchased,
        );
        let saved_market = market.save(None);
        let r = self.epoch_inner(market, block, basset_rewards);
        if r.is_err() {
            (
                self.config,
                self.epoch_state,
                self.dynrate_state,
                self.balance,
                self.anc_purchased,
            ) = saved_self;
            market.restore(saved_market);
        }
        r
    }

    fn epoch_inner(
        &mut self,
        market: &mut Market,
        block: u64,
        basset_rewards: Uint256,
    ) -> Result<EpochReport, AnchorError> {
        let es = self.epoch_state;
        let cfg = self.config;
        if block < es.last_executed_height.saturating_add(cfg.epoch_period) {
            return Err(AnchorError::EpochNotPassed(es.last_executed_height));
        }
        let blocks = Uint256::from(block - es.last_executed_height);
        let blocks_d = Decimal256::from_uint256(blocks)?;

        // 1. overseer execute_epoch_operations
        let (rate, _) = market.query_epoch_state(block, cfg.target_deposit_rate, Uint256::ZERO)?;
        let deposit_rate = rate
            .checked_div(es.prev_exchange_rate)?
            .checked_sub(Decimal256::ONE)?
            .checked_div(blocks_d)?;
        let mut interest_buffer = self.balance;
        let accrued_buffer = interest_buffer.checked_sub(es.prev_interest_buffer)?;
        let anc_purchase_amount = accrued_buffer.mul_dec(cfg.anc_purchase_factor)?;
        if !anc_purchase_amount.is_zero() {
            let net = self.tax.deduct_tax(anc_purchase_amount)?;
            check_bank_send(net)?;
            self.balance = self.balance.checked_sub(anc_purchase_amount)?;
            self.anc_purchased = self.anc_purchased.checked_add(net)?;
        }
        interest_buffer = interest_buffer.checked_sub(anc_purchase_amount)?;
        let mut distributed = Uint256::ZERO;
        let mut distributed_gross = Uint256::ZERO;
        if deposit_rate < cfg.threshold_deposit_rate {
            let missing_rate = cfg.threshold_deposit_rate.checked_sub(deposit_rate)?;
            let prev_deposits = es.prev_aterra_supply.mul_dec(es.prev_exchange_rate)?;
            let missing = prev_deposits.checked_mul(blocks)?.mul_dec(missing_rate)?;
            let buffer_cap = interest_buffer.mul_dec(cfg.buffer_distribution_factor)?;
            distributed_gross = missing.min(buffer_cap);
            interest_buffer = interest_buffer.checked_sub(distributed_gross)?;
            if !distributed_gross.is_zero() {
                distributed = self.tax.deduct_tax(distributed_gross)?;
                check_bank_send(distributed)?;
                self.balance = self.balance.checked_sub(distributed_gross)?;
                market.balance = market.balance.checked_add(distributed)?;
            }
        }

        // 2. custody DistributeRewards
        self.balance = self.balance.checked_add(basset_rewards)?;

        // 3. update_epoch_state
        let (rate2, supply) =
            market.query_epoch_state(block, cfg.target_deposit_rate, distributed)?;
        let epoch_deposit_rate = rate2
            .checked_div(es.prev_exchange_rate)?
            .checked_sub(Decimal256::ONE)?
            .checked_div(blocks_d)?;
        self.epoch_state = EpochState {
            deposit_rate: epoch_deposit_rate,
            prev_aterra_supply: supply,
            prev_interest_buffer: interest_buffer,
            prev_exchange_rate: rate2,
            last_executed_height: block,
        };
        let old_target = cfg.target_deposit_rate;
        let updated = self.update_deposit_rate(block)?;

        // 4. market execute_epoch_operations (rates as before the update)
        let swept = market.execute_epoch_operations(block, old_target, distributed)?;

        Ok(EpochReport {
            deposit_rate,
            anc_purchase_amount,
            distributed_interest: distributed,
            distributed_gross,
            epoch_deposit_rate,
            swept_reserves: swept,
            deposit_rate_updated: updated,
            target_deposit_rate: self.config.target_deposit_rate,
        })
    }

    /// `liquidate_collateral(borrower)` by `liquidator` at `block` with oracle `prices`:
    /// reverts with [`AnchorError::CannotLiquidateSafeLoan`] unless the liability exceeds the
    /// borrow limit; otherwise asks `queue` for the amounts
    /// ([`LiquidationQueue::query_liquidation_amount`]), removes them from the borrower's
    /// collateral, sells them to the bids (fees: bid fee to the yield reserve, liquidator fee
    /// to the liquidator) and repays the loan with the uusd delivered to the market
    /// (`repay_stable_from_liquidation`; any excess goes back to the borrower).
    ///
    /// # Errors
    /// As listed; [`AnchorError::InvalidZeroAmount`] if a collateral's amount is 0 (cw20
    /// `Send` of 0 by its custody); [`AnchorError::Underflow`] if the queue returns more than
    /// is locked; [`AnchorError::NotEnoughBids`]; arithmetic. Nothing changes on error.
    pub fn liquidate_collateral(
        &mut self,
        market: &mut Market,
        queue: &mut LiquidationQueue,
        borrower: AccountId,
        block: u64,
        prices: &[Decimal256],
    ) -> Result<LiquidationReport, AnchorError> {
        let saved_self = (
            self.balance,
            self.collaterals.get(&borrower).cloned(),
            self.liquidator_fees,
        );
        let saved_market = market.save(Some(borrower));
        let saved_queue = queue.clone();
        let r = self.liquidate_inner(market, queue, borrower, block, prices);
        if r.is_err() {
            self.balance = saved_self.0;
            match saved_self.1 {
                Some(c) => {
                    self.collaterals.insert(borrower, c);
                }
                None => {
                    self.collaterals.remove(&borrower);
                }
            }
            self.liquidator_fees = saved_self.2;
            market.restore(saved_market);
            *queue = saved_queue;
        }
        r
    }

    fn liquidate_inner(
        &mut self,
        market: &mut Market,
        queue: &mut LiquidationQueue,
        borrower: AccountId,
        block: u64,
        prices: &[Decimal256],
    ) -> Result<LiquidationReport, AnchorError> {
        let target = self.target_deposit_rate();
        let mut cur = self.collaterals_of(borrower);
        let limit = self.compute_borrow_limit(&cur, prices)?;
        let loan = market.liability(borrower, block, target)?;
        if limit >= loan {
            return Err(AnchorError::CannotLiquidateSafeLoan);
        }
        let positions: Vec<CollateralPosition> = cur
            .iter()
            .map(|(&id, &amount)| CollateralPosition {
                id,
                amount,
                price: prices[id],
                max_ltv: self.whitelist[id].max_ltv,
            })
            .collect();
        let amounts = queue.query_liquidation_amount(loan, limit, &positions)?;
        for &(id, amount) in &amounts {
            let have = cur.get(&id).copied().unwrap_or_default();
            let left = have.checked_sub(amount)?;
            if left.is_zero() {
                cur.remove(&id);
            } else {
                cur.insert(id, left);
            }
        }
        self.collaterals.insert(borrower, cur);

        let prev_balance = market.balance;
        let (mut bid_fee, mut liq_fee) = (Uint256::ZERO, Uint256::ZERO);
        for &(id, amount) in &amounts {
            if amount.is_zero() {
                return Err(AnchorError::InvalidZeroAmount);
            }
            let ex = queue.execute_liquidation(id, amount, prices[id])?;
            let repay = queue.tax.deduct_tax(ex.repay_amount)?;
            check_bank_send(repay)?;
            market.balance = market.balance.checked_add(repay)?;
            if !ex.bid_fee.is_zero() {
                let net = queue.tax.deduct_tax(ex.bid_fee)?;
                check_bank_send(net)?;
                self.balance = self.balance.checked_add(net)?;
                bid_fee = bid_fee.checked_add(net)?;
            }
            if !ex.liquidator_fee.is_zero() {
                let net = queue.tax.deduct_tax(ex.liquidator_fee)?;
                check_bank_send(net)?;
                liq_fee = liq_fee.checked_add(net)?;
            }
        }
        self.liquidator_fees = self.liquidator_fees.checked_add(liq_fee)?;
        let repaid = market.repay_stable_from_liquidation(borrower, prev_balance, block, target)?;
        Ok(LiquidationReport {
            collateral: amounts,
            repaid: repaid.repaid,
            refund: repaid.refund,
            bid_fee,
            liquidator_fee: liq_fee,
        })
    }
}
