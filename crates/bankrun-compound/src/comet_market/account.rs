//! Supply, withdraw (and borrow), and the collateralization checks.
//!
//! Source: `Comet.sol` `supplyInternal`, `supplyBase`, `supplyCollateral`,
//! `withdrawInternal`, `withdrawBase`, `withdrawCollateral`, `isBorrowCollateralized`,
//! `isLiquidatable`, `updateAssetsIn`.

use super::value::{
    Res, add104, add128, isub, mul_factor, mul_price, present_value_signed, principal_value_signed,
    repay_and_supply_amount, safe128, signed_mul_price, signed256, withdraw_and_borrow_amount,
};
use super::{Comet, CometAsset, CometPrices, get_price};
use crate::exp::{add, sub};
use crate::{AccountId, CometError, CompoundError, I256, U256};

/// `updateAssetsIn`: set the bit when a balance becomes non-zero, clear it at zero.
fn update_assets_in(assets_in: u16, offset: u8, before: U256, after: U256) -> u16 {
    if before.is_zero() && !after.is_zero() {
        assets_in | (1 << offset)
    } else if !before.is_zero() && after.is_zero() {
        assets_in & !(1 << offset)
    } else {
        assets_in
    }
}

/// Which collateral factor a liquidity check uses.
#[derive(Clone, Copy)]
enum Factor {
    Borrow,
    Liquidate,
}

impl Comet {
    /// `supply(asset, amount)` by `account` at `now`. Base: repays debt first, then
    /// supplies; `U256::MAX` repays the whole `borrowBalanceOf` (Comet.supplyInternal,
    /// Comet.supplyBase). Collateral: adds to the balance under the asset's `supplyCap`
    /// (Comet.supplyCollateral; no accrual, as on chain). Returns the amount taken from
    /// the user (base or collateral wei).
    ///
    /// # Errors
    /// `Paused`, `BadAsset`, `SupplyCapExceeded`, `InvalidUInt128`, `InvalidInt256`,
    /// `InvalidUInt104`/`InvalidInt104`, time errors, overflow. Atomic.
    pub fn supply(
        &mut self,
        account: AccountId,
        asset: CometAsset,
        amount: U256,
        now: u64,
    ) -> Result<U256, CompoundError> {
        if self.is_supply_paused() {
            return Err(CometError::Paused.into());
        }
        self.transact(&[account], |c| match asset {
            CometAsset::Base => {
                let amount = if amount == U256::MAX {
                    c.borrow_balance_of(account, now)?
                } else {
                    amount
                };
                c.supply_base(account, amount, now)?;
                Ok(amount)
            }
            CometAsset::Collateral(i) => {
                let amount = safe128(amount)?;
                c.supply_collateral(account, i, amount)?;
                Ok(amount)
            }
        })
    }

    /// Comet.supplyBase: transfer in, accrue, re-price the principal.
    fn supply_base(&mut self, dst: AccountId, amount: U256, now: u64) -> Res<()> {
        self.totals.base_balance = add(self.totals.base_balance, amount)?;
        self.accrue(now)?;
        let (si, bi) = (self.totals.base_supply_index, self.totals.base_borrow_index);
        let old = self.principal(dst);
        let balance = present_value_signed(old, si, bi)?
            .checked_add(signed256(amount)?)
            .ok_or(CompoundError::Overflow)?;
        let new = principal_value_signed(balance, si, bi)?;
        let (repay, supply) = repay_and_supply_amount(old, new);
        self.totals.total_supply_base = add104(self.totals.total_supply_base, supply)?;
        self.totals.total_borrow_base = sub(self.totals.total_borrow_base, repay)?;
        self.account_mut(dst).principal = new;
        Ok(())
    }

    /// Comet.supplyCollateral.
    fn supply_collateral(&mut self, dst: AccountId, asset: u8, amount: U256) -> Res<()> {
        let info = self.get_asset_info(asset)?;
        let i = usize::from(asset);
        let balance = self
            .totals
            .collateral_balance
            .get_mut(i)
            .ok_or(CometError::BadAsset)?;
        *balance = add(*balance, amount)?;
        let total = self
            .totals
            .total_supply_asset
            .get_mut(i)
            .ok_or(CometError::BadAsset)?;
        *total = add128(*total, amount)?;
        if *total > info.supply_cap {
            return Err(CometError::SupplyCapExceeded.into());
        }
        let acc = self.account_mut(dst);
        let before = acc.collateral.get(i).copied().ok_or(CometError::BadAsset)?;
        let after = add128(before, amount)?;
        acc.collateral[i] = after;
        acc.assets_in = update_assets_in(acc.assets_in, asset, before, after);
        Ok(())
    }

    /// `withdraw(asset, amount)` by `account` at `now`. Base: withdraws the supply,
    /// then borrows (the principal goes negative), checking `baseBorrowMin`,
    /// `isBorrowCollateralized` and that the contract holds the base;
    /// `U256::MAX` withdraws the whole `balanceOf` (Comet.withdrawInternal,
    /// Comet.withdrawBase). Collateral: checks `isBorrowCollateralized` after
    /// (Comet.withdrawCollateral; no accrual, as on chain). Returns the amount sent.
    ///
    /// # Errors
    /// `Paused`, `BadAsset`, `BorrowTooSmall`, `NotCollateralized`, `TransferOutFailed`
    /// (the market lacks the tokens), `BadPrice`, underflow (collateral above the
    /// balance), cast and time errors. Atomic.
    pub fn withdraw(
        &mut self,
        account: AccountId,
        asset: CometAsset,
        amount: U256,
        now: u64,
        prices: &dyn CometPrices,
    ) -> Result<U256, CompoundError> {
        if self.is_withdraw_paused() {
            return Err(CometError::Paused.into());
        }
        self.transact(&[account], |c| match asset {
            CometAsset::Base => {
                let amount = if amount == U256::MAX {
                    c.balance_of(account, now)?
                } else {
                    amount
                };
                c.withdraw_base(account, amount, now, prices)?;
                Ok(amount)
            }
            CometAsset::Collateral(i) => {
                let amount = safe128(amount)?;
                c.withdraw_collateral(account, i, amount, prices)?;
                Ok(amount)
            }
        })
    }

    /// Comet.withdrawBase.
    fn withdraw_base(
        &mut self,
        src: AccountId,
        amount: U256,
        now: u64,
        prices: &dyn CometPrices,
    ) -> Res<()> {
        self.accrue(now)?;
        let (si, bi) = (self.totals.base_supply_index, self.totals.base_borrow_index);
        let old = self.principal(src);
        let balance = isub(present_value_signed(old, si, bi)?, signed256(amount)?)?;
        let new = principal_value_signed(balance, si, bi)?;
        let (withdraw, borrow) = withdraw_and_borrow_amount(old, new);
        self.totals.total_supply_base = sub(self.totals.total_supply_base, withdraw)?;
        self.totals.total_borrow_base = add104(self.totals.total_borrow_base, borrow)?;
        self.account_mut(src).principal = new;
        if balance.is_negative() {
            if balance.unsigned_abs() < self.base_borrow_min {
                return Err(CometError::BorrowTooSmall.into());
            }
            if !self.is_borrow_collateralized(src, prices)? {
                return Err(CometError::NotCollateralized.into());
            }
        }
        self.transfer_out(CometAsset::Base, amount)
    }

    /// Comet.withdrawCollateral.
    fn withdraw_collateral(
        &mut self,
        src: AccountId,
        asset: u8,
        amount: U256,
        prices: &dyn CometPrices,
    ) -> Res<()> {
        self.get_asset_info(asset)?;
        let i = usize::from(asset);
        let acc = self.account_mut(src);
        let before = acc.collateral.get(i).copied().ok_or(CometError::BadAsset)?;
        let after = sub(before, amount)?;
        acc.collateral[i] = after;
        acc.assets_in = update_assets_in(acc.assets_in, asset, before, after);
        let total = self
            .totals
            .total_supply_asset
            .get_mut(i)
            .ok_or(CometError::BadAsset)?;
        *total = sub(*total, amount)?;
        if !self.is_borrow_collateralized(src, prices)? {
            return Err(CometError::NotCollateralized.into());
        }
        self.transfer_out(CometAsset::Collateral(asset), amount)
    }

    /// `doTransferOut`: the contract's token balance must cover `amount`.
    pub(crate) fn transfer_out(&mut self, asset: CometAsset, amount: U256) -> Res<()> {
        let balance = match asset {
            CometAsset::Base => &mut self.totals.base_balance,
            CometAsset::Collateral(i) => self
                .totals
                .collateral_balance
                .get_mut(usize::from(i))
                .ok_or(CometError::BadAsset)?,
        };
        *balance = balance
            .checked_sub(amount)
            .ok_or(CometError::TransferOutFailed)?;
        Ok(())
    }

    /// `isBorrowCollateralized(account)` at the stored indexes: debt value (USD·1e8)
    /// covered by Σ collateral value × `borrowCollateralFactor`. Prices are read in the
    /// contract's order (base first, then collateral only while still short).
    ///
    /// # Errors
    /// `BadPrice` or the feed's error, overflow.
    pub fn is_borrow_collateralized(
        &self,
        account: AccountId,
        prices: &dyn CometPrices,
    ) -> Result<bool, CompoundError> {
        match self.liquidity(account, prices, Factor::Borrow)? {
            None => Ok(true),
            Some(l) => Ok(!l.is_negative()),
        }
    }

    /// `isLiquidatable(account)` at the stored indexes: debt value exceeds Σ collateral
    /// value × `liquidateCollateralFactor`. Call [`Comet::accrue`] first to see the
    /// interest since the last accrual.
    ///
    /// # Errors
    /// `BadPrice` or the feed's error, overflow.
    pub fn is_liquidatable(
        &self,
        account: AccountId,
        prices: &dyn CometPrices,
    ) -> Result<bool, CompoundError> {
        match self.liquidity(account, prices, Factor::Liquidate)? {
            None => Ok(false),
            Some(l) => Ok(l.is_negative()),
        }
    }

    /// The loop shared by `isBorrowCollateralized` / `isLiquidatable`: `None` when the
    /// principal is ≥ 0 (no price read), else the liquidity (USD·1e8) at which the loop
    /// stopped (it stops as soon as liquidity ≥ 0).
    fn liquidity(
        &self,
        account: AccountId,
        prices: &dyn CometPrices,
        factor: Factor,
    ) -> Res<Option<I256>> {
        let Some(acc) = self.accounts.get(&account) else {
            return Ok(None);
        };
        if acc.principal >= 0 {
            return Ok(None);
        }
        let t = &self.totals;
        let pv = present_value_signed(acc.principal, t.base_supply_index, t.base_borrow_index)?;
        let base_price = get_price(prices, CometAsset::Base)?;
        let mut liquidity = signed_mul_price(pv, base_price, self.base_scale)?;
        for info in &self.assets {
            if acc.assets_in & (1 << info.offset) == 0 {
                continue;
            }
            if !liquidity.is_negative() {
                return Ok(Some(liquidity));
            }
            let bal = acc
                .collateral
                .get(usize::from(info.offset))
                .copied()
                .unwrap_or_default();
            let price = get_price(prices, CometAsset::Collateral(info.offset))?;
            let cf = match factor {
                Factor::Borrow => info.borrow_collateral_factor,
                Factor::Liquidate => info.liquidate_collateral_factor,
            };
            let value = mul_factor(mul_price(bal, price, info.scale)?, cf)?;
            liquidity = liquidity
                .checked_add(signed256(value)?)
                .ok_or(CompoundError::Overflow)?;
        }
        Ok(Some(liquidity))
    }
}
