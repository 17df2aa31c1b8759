//! One Compound v2 market (`CToken`/`CErc20`): accrual, exchange rate, balances.
//!
//! Source: `compound-protocol@a3214f67:contracts/CToken.sol` (`accrueInterest`,
//! `exchangeRateStoredInternal`, `borrowBalanceStoredInternal`, `mintFresh`,
//! `redeemFresh`, `borrowFresh`, `repayBorrowFresh`, `seizeInternal`). The methods here
//! are the "fresh" bodies; the Comptroller hooks are applied by
//! [`crate::Comptroller`], which sequences them as the contracts do.

use std::collections::BTreeMap;

use crate::exp::{EXP_SCALE, add, div, div_exp, mul_exp, mul_exp_add, sub};
use crate::{AccountId, CompoundError, JumpRateModelV2, U256};

/// `borrowRateMaxMantissa` = 0.0005e16 (per block).
pub const BORROW_RATE_MAX_MANTISSA: U256 = U256::from_limbs([5_000_000_000_000, 0, 0, 0]);
/// `protocolSeizeShareMantissa` = 2.8e16 (2.8 % of seized cTokens go to reserves).
pub const PROTOCOL_SEIZE_SHARE_MANTISSA: U256 = U256::from_limbs([28_000_000_000_000_000, 0, 0, 0]);

/// `BorrowSnapshot`: principal (underlying wei) and the `borrowIndex` it was set at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BorrowSnapshot {
    /// `principal` (underlying wei, including interest up to `interest_index`).
    pub principal: U256,
    /// `interestIndex` (1e18-scaled `borrowIndex` at the last update).
    pub interest_index: U256,
}

/// The market-level fields `accrueInterest` writes (saved to undo a reverted call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    /// `accrualBlockNumber`.
    pub block: u64,
    /// `borrowIndex` (1e18).
    pub borrow_index: U256,
    /// `totalBorrows` (underlying wei).
    pub total_borrows: U256,
    /// `totalReserves` (underlying wei).
    pub total_reserves: U256,
}

/// A cToken market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CToken {
    /// `getCashPrior()`: underlying wei held by the market.
    pub cash: U256,
    /// `totalBorrows` (underlying wei).
    pub total_borrows: U256,
    /// `totalReserves` (underlying wei).
    pub total_reserves: U256,
    /// `totalSupply` (cToken wei).
    pub total_supply: U256,
    /// `borrowIndex` (1e18, starts at 1e18).
    pub borrow_index: U256,
    /// `accrualBlockNumber` (blocks).
    pub accrual_block_number: u64,
    /// `reserveFactorMantissa` (1e18).
    pub reserve_factor: U256,
    /// `initialExchangeRateMantissa` (underlying wei per cToken wei, ·1e18).
    pub initial_exchange_rate: U256,
    /// The interest-rate model.
    pub rate_model: JumpRateModelV2,
    /// `accountTokens` (cToken wei).
    pub account_tokens: BTreeMap<AccountId, U256>,
    /// `accountBorrows`.
    pub account_borrows: BTreeMap<AccountId, BorrowSnapshot>,
}

impl CToken {
    /// A fresh market at block `block` (`initialize`): `borrowIndex = 1e18`.
    pub fn new(
        rate_model: JumpRateModelV2,
        initial_exchange_rate: U256,
        reserve_factor: U256,
        block: u64,
    ) -> Self {
        CToken {
            cash: U256::ZERO,
            total_borrows: U256::ZERO,
            total_reserves: U256::ZERO,
            total_supply: U256::ZERO,
            borrow_index: EXP_SCALE,
            accrual_block_number: block,
            reserve_factor,
            initial_exchange_rate,
            rate_model,
            account_tokens: BTreeMap::new(),
            account_borrows: BTreeMap::new(),
        }
    }

    /// The fields `accrueInterest` writes.
    pub fn accrual(&self) -> Accrual {
        Accrual {
            block: self.accrual_block_number,
            borrow_index: self.borrow_index,
            total_borrows: self.total_borrows,
            total_reserves: self.total_reserves,
        }
    }

    /// Restores the fields saved by [`CToken::accrual`] (undo of a reverted call).
    pub fn restore(&mut self, a: Accrual) {
        self.accrual_block_number = a.block;
        self.borrow_index = a.borrow_index;
        self.total_borrows = a.total_borrows;
        self.total_reserves = a.total_reserves;
    }

    /// `accrueInterest()` at block `block`: `simple = rate·Δblocks`; `interest =
    /// simple·totalBorrows/1e18`; `totalBorrows += interest`; `totalReserves +=
    /// RF·interest/1e18`; `borrowIndex += simple·borrowIndex/1e18`. No-op when already
    /// accrued at `block`.
    ///
    /// # Errors
    /// [`CompoundError::BorrowRateAbsurdlyHigh`] if the rate exceeds 0.0005e16 per block,
    /// [`CompoundError::BlockInPast`], overflow. State unchanged on error.
    pub fn accrue_interest(&mut self, block: u64) -> Result<(), CompoundError> {
        if block == self.accrual_block_number {
            return Ok(());
        }
        let delta = block
            .checked_sub(self.accrual_block_number)
            .ok_or(CompoundError::BlockInPast)?;
        let rate =
            self.rate_model
                .get_borrow_rate(self.cash, self.total_borrows, self.total_reserves)?;
        if rate > BORROW_RATE_MAX_MANTISSA {
            return Err(CompoundError::BorrowRateAbsurdlyHigh);
        }
        let simple = crate::exp::mul(rate, U256::from(delta))?;
        let interest = mul_exp(simple, self.total_borrows)?;
        let total_borrows = add(interest, self.total_borrows)?;
        let total_reserves = mul_exp_add(self.reserve_factor, interest, self.total_reserves)?;
        let borrow_index = mul_exp_add(simple, self.borrow_index, self.borrow_index)?;
        self.accrual_block_number = block;
        self.borrow_index = borrow_index;
        self.total_borrows = total_borrows;
        self.total_reserves = total_reserves;
        Ok(())
    }

    /// `exchangeRateStored()` (underlying wei per cToken wei ·1e18):
    /// `(cash + totalBorrows − totalReserves)·1e18/totalSupply`, or the initial rate when
    /// the supply is 0.
    ///
    /// # Errors
    /// Underflow if reserves exceed cash + borrows; overflow.
    pub fn exchange_rate_stored(&self) -> Result<U256, CompoundError> {
        if self.total_supply.is_zero() {
            return Ok(self.initial_exchange_rate);
        }
        let net = sub(add(self.cash, self.total_borrows)?, self.total_reserves)?;
        div(crate::exp::mul(net, EXP_SCALE)?, self.total_supply)
    }

    /// `borrowBalanceStored(account)` (underlying wei): `principal·borrowIndex/
    /// interestIndex`, 0 without a borrow.
    ///
    /// # Errors
    /// Overflow; division by zero (impossible with a non-zero principal).
    pub fn borrow_balance_stored(&self, account: AccountId) -> Result<U256, CompoundError> {
        match self.account_borrows.get(&account) {
            Some(s) if !s.principal.is_zero() => div(
                crate::exp::mul(s.principal, self.borrow_index)?,
                s.interest_index,
            ),
            _ => Ok(U256::ZERO),
        }
    }

    /// `balanceOf(account)` (cToken wei).
    pub fn balance_of(&self, account: AccountId) -> U256 {
        self.account_tokens
            .get(&account)
            .copied()
            .unwrap_or_default()
    }

    /// `getAccountSnapshot(account)`: `(cTokenBalance, borrowBalanceStored,
    /// exchangeRateStored)`.
    ///
    /// # Errors
    /// As [`CToken::borrow_balance_stored`] and [`CToken::exchange_rate_stored`].
    pub fn account_snapshot(
        &self,
        account: AccountId,
    ) -> Result<(U256, U256, U256), CompoundError> {
        Ok((
            self.balance_of(account),
            self.borrow_balance_stored(account)?,
            self.exchange_rate_stored()?,
        ))
    }

    /// `mintFresh` body: `mintTokens = amount·1e18/exchangeRate` (floor); the minter's
    /// underlying `amount` (wei) becomes cash. Returns the cTokens minted.
    ///
    /// # Errors
    /// Overflow; division by zero (exchange rate 0).
    pub fn mint_fresh(&mut self, minter: AccountId, amount: U256) -> Result<U256, CompoundError> {
        let tokens = div_exp(amount, self.exchange_rate_stored()?)?;
        let cash = add(self.cash, amount)?;
        let supply = add(self.total_supply, tokens)?;
        let bal = add(self.balance_of(minter), tokens)?;
        self.cash = cash;
        self.total_supply = supply;
        self.account_tokens.insert(minter, bal);
        Ok(tokens)
    }

    /// `redeemFresh` amounts: given either cTokens (`tokens_in > 0`) or underlying
    /// (`amount_in`), returns `(redeemTokens, redeemAmount)`: `amount = exRate·tokens/1e18`
    /// or `tokens = amount·1e18/exRate` (both floor, as on-chain).
    ///
    /// # Errors
    /// [`CompoundError::InvalidParameter`] if both inputs are non-zero; overflow.
    pub fn redeem_amounts(
        &self,
        tokens_in: U256,
        amount_in: U256,
    ) -> Result<(U256, U256), CompoundError> {
        if !tokens_in.is_zero() && !amount_in.is_zero() {
            return Err(CompoundError::InvalidParameter);
        }
        let rate = self.exchange_rate_stored()?;
        if !tokens_in.is_zero() {
            Ok((tokens_in, mul_exp(rate, tokens_in)?))
        } else {
            Ok((div_exp(amount_in, rate)?, amount_in))
        }
    }

    /// `redeemFresh` effects after the Comptroller allowed it: checks cash, burns
    /// `tokens` and pays `amount` (underlying wei) out.
    ///
    /// # Errors
    /// [`CompoundError::RedeemTransferOutNotPossible`] if `cash < amount`,
    /// [`CompoundError::InsufficientBalance`], [`CompoundError::RedeemTokensZero`].
    pub fn redeem_fresh(
        &mut self,
        redeemer: AccountId,
        tokens: U256,
        amount: U256,
    ) -> Result<(), CompoundError> {
        if self.cash < amount {
            return Err(CompoundError::RedeemTransferOutNotPossible);
        }
        let supply = sub(self.total_supply, tokens)?;
        let bal = self
            .balance_of(redeemer)
            .checked_sub(tokens)
            .ok_or(CompoundError::InsufficientBalance)?;
        if tokens.is_zero() && !amount.is_zero() {
            return Err(CompoundError::RedeemTokensZero);
        }
        self.total_supply = supply;
        self.account_tokens.insert(redeemer, bal);
        self.cash -= amount;
        Ok(())
    }

    /// `borrowFresh` effects after the Comptroller allowed it: `principal =
    /// borrowBalanceStored + amount` at the current index; pays `amount` (wei) out.
    ///
    /// # Errors
    /// [`CompoundError::BorrowCashNotAvailable`] if `cash < amount`; overflow.
    pub fn borrow_fresh(&mut self, borrower: AccountId, amount: U256) -> Result<(), CompoundError> {
        if self.cash < amount {
            return Err(CompoundError::BorrowCashNotAvailable);
        }
        let principal = add(self.borrow_balance_stored(borrower)?, amount)?;
        let total = add(self.total_borrows, amount)?;
        self.set_borrow(borrower, principal);
        self.total_borrows = total;
        self.cash -= amount;
        Ok(())
    }

    /// `repayBorrowFresh` effects: repays `amount` (wei; `U256::MAX` = the whole
    /// balance) of `borrower`'s debt from the payer. Returns the amount repaid.
    ///
    /// # Errors
    /// [`CompoundError::Underflow`] if repaying more than the debt (checked subtraction),
    /// overflow.
    pub fn repay_borrow_fresh(
        &mut self,
        borrower: AccountId,
        amount: U256,
    ) -> Result<U256, CompoundError> {
        let prev = self.borrow_balance_stored(borrower)?;
        let actual = if amount == U256::MAX { prev } else { amount };
        let principal = sub(prev, actual)?;
        let total = sub(self.total_borrows, actual)?;
        let cash = add(self.cash, actual)?;
        self.set_borrow(borrower, principal);
        self.total_borrows = total;
        self.cash = cash;
        Ok(actual)
    }

    /// `seizeInternal` effects: moves `seize_tokens` (cToken wei) from `borrower`; the
    /// protocol share `seize·2.8e16/1e18` is burnt and its underlying value
    /// (`exRate·protocolTokens/1e18`) added to reserves; the rest goes to `liquidator`.
    /// Returns `(liquidatorTokens, protocolTokens)`.
    ///
    /// # Errors
    /// [`CompoundError::LiquidatorIsBorrower`], [`CompoundError::InsufficientBalance`],
    /// overflow.
    pub fn seize_internal(
        &mut self,
        liquidator: AccountId,
        borrower: AccountId,
        seize_tokens: U256,
    ) -> Result<(U256, U256), CompoundError> {
        if liquidator == borrower {
            return Err(CompoundError::LiquidatorIsBorrower);
        }
        let protocol = mul_exp(seize_tokens, PROTOCOL_SEIZE_SHARE_MANTISSA)?;
        let to_liquidator = sub(seize_tokens, protocol)?;
        let protocol_amount = mul_exp(self.exchange_rate_stored()?, protocol)?;
        let reserves = add(self.total_reserves, protocol_amount)?;
        let supply = sub(self.total_supply, protocol)?;
        let borrower_bal = self
            .balance_of(borrower)
            .checked_sub(seize_tokens)
            .ok_or(CompoundError::InsufficientBalance)?;
        let liquidator_bal = add(self.balance_of(liquidator), to_liquidator)?;
        self.total_reserves = reserves;
        self.total_supply = supply;
        self.account_tokens.insert(borrower, borrower_bal);
        self.account_tokens.insert(liquidator, liquidator_bal);
        Ok((to_liquidator, protocol))
    }

    /// Writes `accountBorrows[borrower] = (principal, borrowIndex)`.
    fn set_borrow(&mut self, borrower: AccountId, principal: U256) {
        self.account_borrows.insert(
            borrower,
            BorrowSnapshot {
                principal,
                interest_index: self.borrow_index,
            },
        );
    }

    /// Current per-block borrow rate (1e18) from the model.
    ///
    /// # Errors
    /// As [`JumpRateModelV2::get_borrow_rate`].
    pub fn borrow_rate_per_block(&self) -> Result<U256, CompoundError> {
        self.rate_model
            .get_borrow_rate(self.cash, self.total_borrows, self.total_reserves)
    }

    /// Current per-block supply rate (1e18) from the model.
    ///
    /// # Errors
    /// As [`JumpRateModelV2::get_supply_rate`].
    pub fn supply_rate_per_block(&self) -> Result<U256, CompoundError> {
        self.rate_model.get_supply_rate(
            self.cash,
            self.total_borrows,
            self.total_reserves,
            self.reserve_factor,
        )
    }
}

impl CToken {
    /// The borrower's snapshot (for undoing a reverted liquidation).
    pub(crate) fn clone_borrow_state(&self, borrower: AccountId) -> Option<BorrowSnapshot> {
        self.account_borrows.get(&borrower).copied()
    }

    /// Restores a snapshot saved by `clone_borrow_state`.
    pub(crate) fn restore_borrow_state(&mut self, borrower: AccountId, s: Option<BorrowSnapshot>) {
        match s {
            Some(s) => self.account_borrows.insert(borrower, s),
            None => self.account_borrows.remove(&borrower),
        };
    }
}
