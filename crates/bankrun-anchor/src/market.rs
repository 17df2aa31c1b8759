//! The Anchor money market (`market` contract) for uusd, with its interest model, and the
//! aUST (aTerra) token it mints.
//!
//! Sources (`Anchor-Protocol/money-market-contracts@e8853fab`, 30 Apr 2022, the code in force
//! in May 2022; Apache-2.0, re-written from the rules, not copied):
//! - `contracts/market/src/borrow.rs`: `borrow_stable`, `repay_stable`,
//!   `repay_stable_from_liquidation`, `compute_interest`, `compute_interest_raw`,
//!   `compute_borrower_interest`, `assert_max_borrow_factor`;
//! - `contracts/market/src/deposit.rs`: `deposit_stable`, `redeem_stable`,
//!   `assert_redeem_amount`, `compute_exchange_rate_raw`;
//! - `contracts/market/src/contract.rs`: `instantiate` (1 UST initial deposit, 1 aUST minted
//!   to the market), `execute_epoch_operations`, `query_state`, `query_epoch_state`;
//! - `contracts/interest_model/src/contract.rs`: `query_borrow_rate`;
//! - `protocol-math.md` §5.2 (this project's spec).
//!
//! # Units
//! uusd and aUST amounts are [`Uint256`] micro-units (10^6 per UST / aUST);
//! `total_liabilities` and `total_reserves` are [`Decimal256`] uusd (18 extra decimals);
//! rates are [`Decimal256`] **per block**; time is the block height.
//!
//! # Not modelled
//! ANC borrower rewards (`compute_reward`, `claim_rewards`): they never move uusd. The
//! `distribution_model`. Gas. Contract addresses: accounts are [`AccountId`]s.
//!
//! Every revert is an [`AnchorError`]; operations are atomic (state unchanged on error).

use std::collections::BTreeMap;

use crate::decimal::{Decimal256, Uint256};
use crate::tax::{TerraTax, check_bank_send};
use crate::{AccountId, AnchorError};

/// `INITIAL_DEPOSIT_AMOUNT`: the market's instantiation deposit, 1 UST = 1,000,000 uusd; as
/// many aUST micro-units are minted to the market itself (`contract.rs`).
pub const INITIAL_DEPOSIT_AMOUNT: u128 = 1_000_000;

/// The interest model contract: a linear borrow rate in utilization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterestModel {
    /// `base_rate`: borrow rate at zero utilization (per block).
    pub base_rate: Decimal256,
    /// `interest_multiplier`: borrow rate added per unit of utilization (per block).
    pub interest_multiplier: Decimal256,
}

impl InterestModel {
    /// `utilization = liab / (balance + liab − reserves)` (0 if the denominator is 0).
    ///
    /// # Errors
    /// Arithmetic overflow/underflow (reserves above balance + liabilities).
    pub fn utilization(
        &self,
        market_balance: Uint256,
        total_liabilities: Decimal256,
        total_reserves: Decimal256,
    ) -> Result<Decimal256, AnchorError> {
        let total_value = Decimal256::from_uint256(market_balance)?
            .checked_add(total_liabilities)?
            .checked_sub(total_reserves)?;
        if total_value.is_zero() {
            Ok(Decimal256::ZERO)
        } else {
            total_liabilities.checked_div(total_value)
        }
    }

    /// `query_borrow_rate`: `utilization·interest_multiplier + base_rate` (per block).
    ///
    /// # Errors
    /// As [`InterestModel::utilization`].
    pub fn borrow_rate(
        &self,
        market_balance: Uint256,
        total_liabilities: Decimal256,
        total_reserves: Decimal256,
    ) -> Result<Decimal256, AnchorError> {
        self.utilization(market_balance, total_liabilities, total_reserves)?
            .checked_mul(self.interest_multiplier)?
            .checked_add(self.base_rate)
    }
}

/// The market contract's `State` (without the ANC reward fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketState {
    /// `total_liabilities`: borrows plus accrued interest (uusd, Decimal256).
    pub total_liabilities: Decimal256,
    /// `total_reserves`: yield above the target deposit rate kept out of the exchange rate
    /// (uusd, Decimal256).
    pub total_reserves: Decimal256,
    /// `last_interest_updated` (block).
    pub last_interest_updated: u64,
    /// `global_interest_index` (starts at 1).
    pub global_interest_index: Decimal256,
    /// `prev_aterra_supply`: aUST supply at the last interest computation, adjusted by
    /// mints and burns since (aUST micro-units). Starts at 0 although 1 aUST exists.
    pub prev_aterra_supply: Uint256,
    /// `prev_exchange_rate`: uusd per aUST at the last interest computation.
    pub prev_exchange_rate: Decimal256,
}

/// A borrower's `BorrowerInfo` (without the ANC reward fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BorrowerInfo {
    /// `interest_index`: the global index when `loan_amount` was last updated.
    pub interest_index: Decimal256,
    /// `loan_amount`: liability at `interest_index` (uusd).
    pub loan_amount: Uint256,
}

impl Default for BorrowerInfo {
    /// `read_borrower_info`'s default: index 1, no loan.
    fn default() -> Self {
        BorrowerInfo {
            interest_index: Decimal256::ONE,
            loan_amount: Uint256::ZERO,
        }
    }
}

/// `compute_exchange_rate_raw`: `(balance + total_liabilities − total_reserves) /
/// aterra_supply` (uusd per aUST; 1 if the supply is 0). `balance` in uusd.
///
/// # Errors
/// Underflow if reserves exceed balance + liabilities; overflow.
pub fn exchange_rate_raw(
    state: &MarketState,
    aterra_supply: Uint256,
    balance: Uint256,
) -> Result<Decimal256, AnchorError> {
    if aterra_supply.is_zero() {
        return Ok(Decimal256::ONE);
    }
    Decimal256::from_uint256(balance)?
        .checked_add(state.total_liabilities)?
        .checked_sub(state.total_reserves)?
        .checked_div(Decimal256::from_uint256(aterra_supply)?)
}

/// `compute_interest_raw` at `block_height` (no-op if `last_interest_updated ≥
/// block_height`), with `n` = blocks since the last update:
/// ```text
/// interest_factor = n·borrow_rate
/// total_liabilities += total_liabilities·interest_factor
/// global_interest_index ·= 1 + interest_factor
/// exchange_rate = exchange_rate_raw(balance, aterra_supply)
/// deposit_rate = (exchange_rate/prev_exchange_rate − 1)/n
/// if deposit_rate > target_deposit_rate:
///     total_reserves += (prev_aterra_supply·prev_exchange_rate)·n·(deposit_rate − target)
///     exchange_rate = exchange_rate_raw(...)
/// prev_aterra_supply = aterra_supply; prev_exchange_rate = exchange_rate;
/// last_interest_updated = block_height
/// ```
/// All products and quotients floor (`Decimal256`). `balance` is the market's uusd excluding
/// funds that arrived with the current message.
///
/// # Errors
/// Arithmetic overflow; underflow if the exchange rate fell below `prev_exchange_rate`
/// (`effective_deposit_rate − 1` panics in the contract).
pub fn compute_interest_raw(
    state: &mut MarketState,
    block_height: u64,
    balance: Uint256,
    aterra_supply: Uint256,
    borrow_rate: Decimal256,
    target_deposit_rate: Decimal256,
) -> Result<(), AnchorError> {
    if state.last_interest_updated >= block_height {
        return Ok(());
    }
    let passed_blocks =
        Decimal256::from_uint256(Uint256::from(block_height - state.last_interest_updated))?;
    let interest_factor = passed_blocks.checked_mul(borrow_rate)?;
    let interest_accrued = state.total_liabilities.checked_mul(interest_factor)?;
    state.global_interest_index = state
        .global_interest_index
        .checked_mul(Decimal256::ONE.checked_add(interest_factor)?)?;
    state.total_liabilities = state.total_liabilities.checked_add(interest_accrued)?;

    let mut exchange_rate = exchange_rate_raw(state, aterra_supply, balance)?;
    let effective_deposit_rate = exchange_rate.checked_div(state.prev_exchange_rate)?;
    let deposit_rate = effective_deposit_rate
        .checked_sub(Decimal256::ONE)?
        .checked_div(passed_blocks)?;
    if deposit_rate > target_deposit_rate {
        let excess_deposit_rate = deposit_rate.checked_sub(target_deposit_rate)?;
        let prev_deposits =
            Decimal256::from_uint256(state.prev_aterra_supply.mul_dec(state.prev_exchange_rate)?)?;
        let excess_yield = prev_deposits
            .checked_mul(passed_blocks)?
            .checked_mul(excess_deposit_rate)?;
        state.total_reserves = state.total_reserves.checked_add(excess_yield)?;
        exchange_rate = exchange_rate_raw(state, aterra_supply, balance)?;
    }
    state.prev_aterra_supply = aterra_supply;
    state.prev_exchange_rate = exchange_rate;
    state.last_interest_updated = block_height;
    Ok(())
}

/// `compute_borrower_interest`: `loan = ⌊⌊loan·global⌋ / index⌋`, `index = global`.
///
/// # Errors
/// Overflow, or a zero borrower index.
pub fn compute_borrower_interest(
    state: &MarketState,
    info: &mut BorrowerInfo,
) -> Result<(), AnchorError> {
    info.loan_amount = info
        .loan_amount
        .mul_dec(state.global_interest_index)?
        .div_dec(info.interest_index)?;
    info.interest_index = state.global_interest_index;
    Ok(())
}

/// What a redeem paid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redeemed {
    /// `redeem_amount = ⌊burn·exchange_rate⌋`: uusd leaving the market.
    pub redeem_amount: Uint256,
    /// `deduct_tax(redeem_amount)`: uusd the redeemer receives.
    pub received: Uint256,
}

/// What a repay did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repaid {
    /// `repay_amount`: liability removed (uusd).
    pub repaid: Uint256,
    /// Excess sent back to the borrower after tax (uusd; 0 if none).
    pub refund: Uint256,
}

/// Fields saved to undo a multi-contract call that fails half-way.
#[derive(Debug, Clone)]
pub(crate) struct MarketSaved {
    state: MarketState,
    balance: Uint256,
    swept_reserves: Uint256,
    borrower: Option<(AccountId, Option<BorrowerInfo>)>,
}

/// The market contract, its uusd bank balance and the aUST cw20 token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    /// Contract state.
    pub state: MarketState,
    /// The market's uusd bank balance (`query_balance(contract_addr, "uusd")`).
    pub balance: Uint256,
    /// aUST total supply (cw20 `query_supply`; aUST micro-units). Supply not held by any
    /// account in [`Market::aterra_balances`] stands for holders outside the model (and the
    /// market's own initial 1 aUST).
    pub aterra_supply: Uint256,
    /// aUST balances (micro-units).
    pub aterra_balances: BTreeMap<AccountId, Uint256>,
    /// Per-borrower liabilities.
    pub borrowers: BTreeMap<AccountId, BorrowerInfo>,
    /// `max_borrow_factor`: share of `balance + liabilities − reserves` that may be lent.
    pub max_borrow_factor: Decimal256,
    /// The interest model contract's config.
    pub interest_model: InterestModel,
    /// Terra tax on the market's bank sends.
    pub tax: TerraTax,
    /// uusd sent to the market's `collector_contract` by epoch operations (reserves swept;
    /// cumulative, after tax).
    pub swept_reserves: Uint256,
}

impl Market {
    /// `instantiate` at block `block`: the owner's 1 UST initial deposit, 1 aUST minted to the
    /// market itself, index 1, `prev_exchange_rate = 1`, `prev_aterra_supply = 0`.
    pub fn new(
        block: u64,
        interest_model: InterestModel,
        max_borrow_factor: Decimal256,
        tax: TerraTax,
    ) -> Self {
        Market {
            state: MarketState {
                total_liabilities: Decimal256::ZERO,
                total_reserves: Decimal256::ZERO,
                last_interest_updated: block,
                global_interest_index: Decimal256::ONE,
                prev_aterra_supply: Uint256::ZERO,
                prev_exchange_rate: Decimal256::ONE,
            },
            balance: Uint256::from(INITIAL_DEPOSIT_AMOUNT),
            aterra_supply: Uint256::from(INITIAL_DEPOSIT_AMOUNT),
            aterra_balances: BTreeMap::new(),
            borrowers: BTreeMap::new(),
            max_borrow_factor,
            interest_model,
            tax,
            swept_reserves: Uint256::ZERO,
        }
    }

    /// A market in mid-life from aggregates (for a starting state such as 6 May 2022):
    /// `deposits = balance + liabilities` (uusd, no reserves), `liabilities` (uusd, index 1),
    /// aUST supply `⌊deposits / exchange_rate⌋`, and `prev_*` consistent with them at `block`.
    /// The supply is held by no account until [`Market::aterra_balances`] is filled in;
    /// borrowers likewise go into [`Market::borrowers`] (their loans must not sum to more
    /// than `liabilities`).
    ///
    /// # Errors
    /// Underflow if `liabilities > deposits`; division by a zero `exchange_rate`.
    pub fn with_totals(
        block: u64,
        deposits: Uint256,
        liabilities: Uint256,
        exchange_rate: Decimal256,
        interest_model: InterestModel,
        max_borrow_factor: Decimal256,
        tax: TerraTax,
    ) -> Result<Self, AnchorError> {
        let mut m = Market::new(block, interest_model, max_borrow_factor, tax);
        m.balance = deposits.checked_sub(liabilities)?;
        m.state.total_liabilities = Decimal256::from_uint256(liabilities)?;
        m.aterra_supply = deposits.div_dec(exchange_rate)?;
        m.state.prev_aterra_supply = m.aterra_supply;
        m.state.prev_exchange_rate = exchange_rate_raw(&m.state, m.aterra_supply, m.balance)?;
        Ok(m)
    }

    /// aUST balance of `who` (micro-units).
    pub fn aterra_balance(&self, who: AccountId) -> Uint256 {
        self.aterra_balances.get(&who).copied().unwrap_or_default()
    }

    /// `BorrowerInfo` of `who` as stored (interest not yet applied).
    pub fn borrower(&self, who: AccountId) -> BorrowerInfo {
        self.borrowers.get(&who).copied().unwrap_or_default()
    }

    /// The borrow rate (per block) at the stored state and current balance.
    ///
    /// # Errors
    /// Arithmetic.
    pub fn borrow_rate(&self) -> Result<Decimal256, AnchorError> {
        self.interest_model.borrow_rate(
            self.balance,
            self.state.total_liabilities,
            self.state.total_reserves,
        )
    }

    /// `compute_interest` applied to `st`: the current aUST supply, `balance` as the contract
    /// reads it (its uusd less funds arriving with the message), the borrow rate from the
    /// interest model.
    fn interest_on(
        &self,
        st: &mut MarketState,
        block: u64,
        target_deposit_rate: Decimal256,
        balance: Uint256,
    ) -> Result<(), AnchorError> {
        if st.last_interest_updated >= block {
            return Ok(());
        }
        let rate =
            self.interest_model
                .borrow_rate(balance, st.total_liabilities, st.total_reserves)?;
        compute_interest_raw(
            st,
            block,
            balance,
            self.aterra_supply,
            rate,
            target_deposit_rate,
        )
    }

    /// `query_state(block)`: the state with interest computed to `block` (nothing stored).
    ///
    /// # Errors
    /// [`AnchorError::BlockInPast`]; arithmetic.
    pub fn query_state(
        &self,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<MarketState, AnchorError> {
        if block < self.state.last_interest_updated {
            return Err(AnchorError::BlockInPast);
        }
        let mut st = self.state;
        self.interest_on(&mut st, block, target_deposit_rate, self.balance)?;
        Ok(st)
    }

    /// `query_epoch_state(block, distributed_interest)`: (exchange rate, aUST supply) with
    /// interest computed to `block` on `balance − distributed_interest`, the rate then taken
    /// on the whole balance. Nothing stored.
    ///
    /// # Errors
    /// [`AnchorError::BlockInPast`]; arithmetic.
    pub fn query_epoch_state(
        &self,
        block: u64,
        target_deposit_rate: Decimal256,
        distributed_interest: Uint256,
    ) -> Result<(Decimal256, Uint256), AnchorError> {
        if block < self.state.last_interest_updated {
            return Err(AnchorError::BlockInPast);
        }
        let mut st = self.state;
        let balance = self.balance.checked_sub(distributed_interest)?;
        self.interest_on(&mut st, block, target_deposit_rate, balance)?;
        let rate = exchange_rate_raw(&st, self.aterra_supply, self.balance)?;
        Ok((rate, self.aterra_supply))
    }

    /// The aUST exchange rate (uusd per aUST) at `block`, as a redeem would use it.
    ///
    /// # Errors
    /// As [`Market::query_epoch_state`].
    pub fn exchange_rate(
        &self,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Decimal256, AnchorError> {
        Ok(self
            .query_epoch_state(block, target_deposit_rate, Uint256::ZERO)?
            .0)
    }

    /// `query_borrower_info(who, block).loan_amount`: the liability of `who` with interest to
    /// `block` (uusd; nothing stored).
    ///
    /// # Errors
    /// Arithmetic.
    pub fn liability(
        &self,
        who: AccountId,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Uint256, AnchorError> {
        let mut st = self.state;
        self.interest_on(&mut st, block, target_deposit_rate, self.balance)?;
        let mut info = self.borrower(who);
        compute_borrower_interest(&st, &mut info)?;
        Ok(info.loan_amount)
    }

    /// `deposit_stable`: `amount` uusd arrive; interest is computed on the balance before
    /// them; `mint = ⌊amount / exchange_rate⌋` aUST to `who`; `prev_aterra_supply += mint`.
    /// Returns `mint` (aUST micro-units).
    ///
    /// # Errors
    /// [`AnchorError::ZeroDeposit`]; [`AnchorError::InvalidZeroAmount`] if `mint` is 0 (cw20
    /// mint of 0); arithmetic.
    pub fn deposit_stable(
        &mut self,
        who: AccountId,
        amount: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Uint256, AnchorError> {
        if amount.is_zero() {
            return Err(AnchorError::ZeroDeposit);
        }
        // the funds arrive first; the contract then reads `balance − deposit_amount`
        let balance = self.balance.checked_add(amount)?;
        let mut st = self.state;
        self.interest_on(&mut st, block, target_deposit_rate, self.balance)?;
        let rate = exchange_rate_raw(&st, self.aterra_supply, self.balance)?;
        let mint = amount.div_dec(rate)?;
        if mint.is_zero() {
            return Err(AnchorError::InvalidZeroAmount);
        }
        st.prev_aterra_supply = st.prev_aterra_supply.checked_add(mint)?;
        let supply = self.aterra_supply.checked_add(mint)?;
        let held = self.aterra_balance(who).checked_add(mint)?;
        self.state = st;
        self.balance = balance;
        self.aterra_supply = supply;
        self.aterra_balances.insert(who, held);
        Ok(mint)
    }

    /// `redeem_stable` (aUST `Send` to the market with the `RedeemStable` hook): interest
    /// computed on the current balance (the aUST being redeemed still counts in the supply);
    /// `redeem_amount = ⌊burn·exchange_rate⌋`; reverts with
    /// [`AnchorError::NoStableAvailable`] if `redeem_amount + total_reserves > balance`;
    /// otherwise `prev_aterra_supply −= burn`, the aUST is burnt and `deduct_tax(redeem)`
    /// uusd are sent to `who`.
    ///
    /// # Errors
    /// [`AnchorError::InvalidZeroAmount`] (burn 0), [`AnchorError::InsufficientATerra`],
    /// [`AnchorError::NoStableAvailable`], [`AnchorError::ZeroBankSend`] (a redeem worth 0
    /// uusd), arithmetic.
    pub fn redeem_stable(
        &mut self,
        who: AccountId,
        burn: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Redeemed, AnchorError> {
        if burn.is_zero() {
            return Err(AnchorError::InvalidZeroAmount);
        }
        let held = self
            .aterra_balance(who)
            .checked_sub(burn)
            .map_err(|_| AnchorError::InsufficientATerra)?;
        let mut st = self.state;
        self.interest_on(&mut st, block, target_deposit_rate, self.balance)?;
        let rate = exchange_rate_raw(&st, self.aterra_supply, self.balance)?;
        let redeem_amount = burn.mul_dec(rate)?;
        if Decimal256::from_uint256(redeem_amount)?.checked_add(st.total_reserves)?
            > Decimal256::from_uint256(self.balance)?
        {
            return Err(AnchorError::NoStableAvailable);
        }
        st.prev_aterra_supply = st.prev_aterra_supply.checked_sub(burn)?;
        let supply = self.aterra_supply.checked_sub(burn)?;
        let received = self.tax.deduct_tax(redeem_amount)?;
        check_bank_send(received)?;
        let balance = self.balance.checked_sub(redeem_amount)?;
        self.state = st;
        self.aterra_supply = supply;
        self.balance = balance;
        self.aterra_balances.insert(who, held);
        Ok(Redeemed {
            redeem_amount,
            received,
        })
    }

    /// `borrow_stable(amount)` by `who` with `borrow_limit` (uusd) from the overseer:
    /// interest computed, the borrower's liability brought to the index; reverts if
    /// `borrow_limit < amount + loan` ([`AnchorError::BorrowExceedsLimit`]), if
    /// `total_liabilities + amount > (balance + total_liabilities − total_reserves)·
    /// max_borrow_factor` ([`AnchorError::MaxBorrowFactorReached`]) or if `amount +
    /// total_reserves > balance` ([`AnchorError::NoStableAvailable`]). Then `loan += amount`,
    /// `total_liabilities += amount`, `deduct_tax(amount)` sent to `who`. Returns what `who`
    /// receives (uusd).
    ///
    /// # Errors
    /// As listed; [`AnchorError::ZeroBankSend`] for a borrow of 0; arithmetic.
    pub fn borrow_stable(
        &mut self,
        who: AccountId,
        amount: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
        borrow_limit: Uint256,
    ) -> Result<Uint256, AnchorError> {
        let mut st = self.state;
        self.interest_on(&mut st, block, target_deposit_rate, self.balance)?;
        let mut info = self.borrower(who);
        compute_borrower_interest(&st, &mut info)?;
        if borrow_limit < amount.checked_add(info.loan_amount)? {
            return Err(AnchorError::BorrowExceedsLimit(borrow_limit));
        }
        let balance_d = Decimal256::from_uint256(self.balance)?;
        let amount_d = Decimal256::from_uint256(amount)?;
        let lendable = balance_d
            .checked_add(st.total_liabilities)?
            .checked_sub(st.total_reserves)?
            .checked_mul(self.max_borrow_factor)?;
        if st.total_liabilities.checked_add(amount_d)? > lendable {
            return Err(AnchorError::MaxBorrowFactorReached);
        }
        if amount_d.checked_add(st.total_reserves)? > balance_d {
            return Err(AnchorError::NoStableAvailable);
        }
        info.loan_amount = info.loan_amount.checked_add(amount)?;
        st.total_liabilities = st.total_liabilities.checked_add(amount_d)?;
        let received = self.tax.deduct_tax(amount)?;
        check_bank_send(received)?;
        let balance = self.balance.checked_sub(amount)?;
        self.state = st;
        self.balance = balance;
        self.borrowers.insert(who, info);
        Ok(received)
    }

    /// `repay_stable`: `amount` uusd from `who` arrive; interest computed on the balance before
    /// them; `repay = min(loan, amount)`; any excess is sent back (after tax);
    /// `total_liabilities −= repay`.
    ///
    /// # Errors
    /// [`AnchorError::ZeroRepay`]; arithmetic (e.g. `total_liabilities` below `repay`).
    pub fn repay_stable(
        &mut self,
        who: AccountId,
        amount: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Repaid, AnchorError> {
        if amount.is_zero() {
            return Err(AnchorError::ZeroRepay);
        }
        let saved = self.balance;
        self.balance = self.balance.checked_add(amount)?;
        let r = self.repay_arrived(who, amount, block, target_deposit_rate);
        if r.is_err() {
            self.balance = saved;
        }
        r
    }

    /// `repay_stable_from_liquidation(borrower, prev_balance)`: repays with `balance −
    /// prev_balance`, the uusd that liquidation bids just delivered.
    ///
    /// # Errors
    /// As [`Market::repay_stable`].
    pub(crate) fn repay_stable_from_liquidation(
        &mut self,
        borrower: AccountId,
        prev_balance: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Repaid, AnchorError> {
        let amount = self.balance.checked_sub(prev_balance)?;
        if amount.is_zero() {
            return Err(AnchorError::ZeroRepay);
        }
        self.repay_arrived(borrower, amount, block, target_deposit_rate)
    }

    /// The body of `repay_stable` once the `amount` uusd are in `balance`.
    fn repay_arrived(
        &mut self,
        who: AccountId,
        amount: Uint256,
        block: u64,
        target_deposit_rate: Decimal256,
    ) -> Result<Repaid, AnchorError> {
        let mut st = self.state;
        let before = self.balance.checked_sub(amount)?;
        self.interest_on(&mut st, block, target_deposit_rate, before)?;
        let mut info = self.borrower(who);
        compute_borrower_interest(&st, &mut info)?;
        let (repaid, refund_gross) = if info.loan_amount < amount {
            (info.loan_amount, amount.checked_sub(info.loan_amount)?)
        } else {
            (amount, Uint256::ZERO)
        };
        info.loan_amount = info.loan_amount.checked_sub(repaid)?;
        let refund = if refund_gross.is_zero() {
            Uint256::ZERO
        } else {
            let net = self.tax.deduct_tax(refund_gross)?;
            check_bank_send(net)?;
            net
        };
        st.total_liabilities = st
            .total_liabilities
            .checked_sub(Decimal256::from_uint256(repaid)?)?;
        let balance = self.balance.checked_sub(refund_gross)?;
        self.state = st;
        self.balance = balance;
        self.borrowers.insert(who, info);
        Ok(Repaid { repaid, refund })
    }

    /// cw20 `Transfer` of aUST from `from` to `to` (micro-units).
    ///
    /// # Errors
    /// [`AnchorError::InvalidZeroAmount`], [`AnchorError::InsufficientATerra`].
    pub fn transfer_aterra(
        &mut self,
        from: AccountId,
        to: AccountId,
        amount: Uint256,
    ) -> Result<(), AnchorError> {
        if amount.is_zero() {
            return Err(AnchorError::InvalidZeroAmount);
        }
        let f = self
            .aterra_balance(from)
            .checked_sub(amount)
            .map_err(|_| AnchorError::InsufficientATerra)?;
        self.aterra_balances.insert(from, f);
        let t = self.aterra_balance(to).checked_add(amount)?;
        self.aterra_balances.insert(to, t);
        Ok(())
    }

    /// `execute_epoch_operations` (called by the overseer with the overseer's target rate as
    /// it was before this epoch's dynamic-rate update and the `distributed_interest` it just
    /// sent): interest computed on `balance − distributed`; `prev_exchange_rate` recomputed on
    /// the whole balance; then, if `⌊total_reserves⌋ > 0` and `balance − distributed >
    /// ⌊total_reserves⌋`, the whole reserves are swept to the collector. Returns the uusd the
    /// collector receives.
    pub(crate) fn execute_epoch_operations(
        &mut self,
        block: u64,
        target_deposit_rate: Decimal256,
        distributed_interest: Uint256,
    ) -> Result<Uint256, AnchorError> {
        let mut st = self.state;
        let balance = self.balance.checked_sub(distributed_interest)?;
        let rate =
            self.interest_model
                .borrow_rate(balance, st.total_liabilities, st.total_reserves)?;
        compute_interest_raw(
            &mut st,
            block,
            balance,
            self.aterra_supply,
            rate,
            target_deposit_rate,
        )?;
        st.prev_exchange_rate = exchange_rate_raw(&st, self.aterra_supply, self.balance)?;
        let reserves = st.total_reserves.floor_uint();
        let mut swept = Uint256::ZERO;
        let mut new_balance = self.balance;
        if !reserves.is_zero() && balance > reserves {
            st.total_reserves = st
                .total_reserves
                .checked_sub(Decimal256::from_uint256(reserves)?)?;
            swept = self.tax.deduct_tax(reserves)?;
            check_bank_send(swept)?;
            new_balance = new_balance.checked_sub(reserves)?;
        }
        self.state = st;
        self.balance = new_balance;
        self.swept_reserves = self.swept_reserves.checked_add(swept)?;
        Ok(swept)
    }

    /// Saves what a multi-contract call may change (scalars and one borrower).
    pub(crate) fn save(&self, borrower: Option<AccountId>) -> MarketSaved {
        MarketSaved {
            state: self.state,
            balance: self.balance,
            swept_reserves: self.swept_reserves,
            borrower: borrower.map(|b| (b, self.borrowers.get(&b).copied())),
        }
    }

    /// Restores what [`Market::save`] saved.
    pub(crate) fn restore(&mut self, s: MarketSaved) {
        self.state = s.state;
        self.balance = s.balance;
        self.swept_reserves = s.swept_reserves;
        if let Some((b, info)) = s.borrower {
            match info {
                Some(i) => {
                    self.borrowers.insert(b, i);
                }
                None => {
                    self.borrowers.remove(&b);
                }
            }
        }
    }
}
