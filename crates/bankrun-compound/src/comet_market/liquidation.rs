//! Absorb, the collateral store front and the governor's reserve withdrawal.
//!
//! Source: `Comet.sol` `absorb`, `absorbInternal`, `buyCollateral`, `quoteCollateral`,
//! `withdrawReserves`.

use super::value::{
    Res, add104, div_price, iadd, isub, mul_factor, mul_price, present_value_signed,
    principal_value_signed, repay_and_supply_amount, safe128, signed256, unsigned256,
};
use super::{Comet, CometAsset, CometPrices, FACTOR_SCALE, get_price};
use crate::exp::{add, div, mul, sub};
use crate::{AccountId, CometError, CompoundError, I256, U256};

/// `LiquidatorPoints` of an absorber (the gas-spend field is not modelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiquidatorPoints {
    /// `numAbsorbs`: `absorb` calls.
    pub num_absorbs: u32,
    /// `numAbsorbed`: accounts absorbed.
    pub num_absorbed: u64,
}

/// Event `AbsorbCollateral`: one collateral balance moved to the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsorbCollateral {
    /// Collateral offset.
    pub asset: u8,
    /// `collateralAbsorbed` (collateral wei).
    pub collateral_absorbed: U256,
    /// `usdValue` at the feed price, before the liquidation factor (USD·1e8).
    pub usd_value: U256,
}

/// One absorbed account: events `AbsorbCollateral`… and `AbsorbDebt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absorption {
    /// The absorbed account.
    pub account: AccountId,
    /// Collateral seized, by asset.
    pub collateral: Vec<AbsorbCollateral>,
    /// `basePaidOut` = newBalance − oldBalance (base wei): debt written off plus any
    /// supply credited; reserves fall by this amount.
    pub base_paid_out: U256,
    /// `usdValue` of `basePaidOut` (USD·1e8).
    pub usd_value: U256,
    /// Debt (base wei) the account had before (`−oldBalance`).
    pub debt_absorbed: U256,
}

impl Comet {
    /// `absorb(absorber, accounts)` at `now`: accrues, then absorbs every account
    /// (each must be liquidatable); credits the absorber's liquidator points. The whole
    /// call reverts if one account is not liquidatable (Comet.absorb).
    ///
    /// # Errors
    /// `Paused`, `NotLiquidatable`, `BadPrice`, time and cast errors. Atomic.
    pub fn absorb(
        &mut self,
        absorber: AccountId,
        accounts: &[AccountId],
        now: u64,
        prices: &dyn CometPrices,
    ) -> Result<Vec<Absorption>, CompoundError> {
        if self.is_absorb_paused() {
            return Err(CometError::Paused.into());
        }
        let mut points = self
            .liquidator_points
            .get(&absorber)
            .copied()
            .unwrap_or_default();
        points.num_absorbs = points
            .num_absorbs
            .checked_add(1)
            .ok_or(CompoundError::Overflow)?;
        let n = u64::try_from(accounts.len()).map_err(|_| CometError::InvalidUInt64)?;
        points.num_absorbed = points
            .num_absorbed
            .checked_add(n)
            .ok_or(CompoundError::Overflow)?;
        let out = self.transact(accounts, |c| {
            c.accrue(now)?;
            accounts
                .iter()
                .map(|&a| c.absorb_internal(a, prices))
                .collect::<Res<Vec<_>>>()
        })?;
        self.liquidator_points.insert(absorber, points);
        Ok(out)
    }

    /// Comet.absorbInternal: seize all collateral at `liquidationFactor` of its value,
    /// credit that value in base, floor the balance at 0 (the excess debt is booked
    /// against reserves), clear `assetsIn`.
    fn absorb_internal(&mut self, account: AccountId, prices: &dyn CometPrices) -> Res<Absorption> {
        if !self.is_liquidatable(account, prices)? {
            return Err(CometError::NotLiquidatable.into());
        }
        let (si, bi) = (self.totals.base_supply_index, self.totals.base_borrow_index);
        let acc = self.account(account);
        let old_balance = present_value_signed(acc.principal, si, bi)?;
        let base_price = get_price(prices, CometAsset::Base)?;
        let mut delta_value = U256::ZERO;
        let mut seized = Vec::new();
        for info in self.assets.clone() {
            if acc.assets_in & (1 << info.offset) == 0 {
                continue;
            }
            let i = usize::from(info.offset);
            let amount = acc.collateral.get(i).copied().unwrap_or_default();
            let slot = self.account_mut(account).collateral.get_mut(i);
            *slot.ok_or(CometError::BadAsset)? = U256::ZERO;
            let total = self
                .totals
                .total_supply_asset
                .get_mut(i)
                .ok_or(CometError::BadAsset)?;
            *total = sub(*total, amount)?;
            let price = get_price(prices, CometAsset::Collateral(info.offset))?;
            let value = mul_price(amount, price, info.scale)?;
            delta_value = add(delta_value, mul_factor(value, info.liquidation_factor)?)?;
            seized.push(AbsorbCollateral {
                asset: info.offset,
                collateral_absorbed: amount,
                usd_value: value,
            });
        }
        let delta_balance = div_price(delta_value, base_price, self.base_scale)?;
        let mut new_balance = iadd(old_balance, signed256(delta_balance)?)?;
        if new_balance.is_negative() {
            new_balance = I256::ZERO;
        }
        let new_principal = principal_value_signed(new_balance, si, bi)?;
        let user = self.account_mut(account);
        user.principal = new_principal;
        user.assets_in = 0;
        let (repay, supply) = repay_and_supply_amount(acc.principal, new_principal);
        self.totals.total_supply_base = add104(self.totals.total_supply_base, supply)?;
        self.totals.total_borrow_base = sub(self.totals.total_borrow_base, repay)?;
        let base_paid_out = unsigned256(isub(new_balance, old_balance)?)?;
        Ok(Absorption {
            account,
            collateral: seized,
            base_paid_out,
            usd_value: mul_price(base_paid_out, base_price, self.base_scale)?,
            debt_absorbed: if old_balance.is_negative() {
                old_balance.unsigned_abs()
            } else {
                U256::ZERO
            },
        })
    }

    /// `quoteCollateral(asset, baseAmount)`: collateral wei for `base_amount` base wei
    /// at the store-front price `assetPrice·(1 − storeFrontPriceFactor·(1 −
    /// liquidationFactor))` (Comet.quoteCollateral).
    ///
    /// # Errors
    /// `BadAsset`, `BadPrice`, overflow, division by zero (a zero discounted price).
    pub fn quote_collateral(
        &self,
        asset: u8,
        base_amount: U256,
        prices: &dyn CometPrices,
    ) -> Result<U256, CompoundError> {
        let info = self.get_asset_info(asset)?;
        let asset_price = get_price(prices, CometAsset::Collateral(asset))?;
        let discount = mul_factor(
            self.store_front_price_factor,
            sub(FACTOR_SCALE, info.liquidation_factor)?,
        )?;
        let discounted = mul_factor(asset_price, sub(FACTOR_SCALE, discount)?)?;
        let base_price = get_price(prices, CometAsset::Base)?;
        let num = mul(mul(base_price, base_amount)?, info.scale)?;
        div(div(num, discounted)?, self.base_scale)
    }

    /// `buyCollateral(asset, minAmount, baseAmount, recipient)` at `now`: pays
    /// `base_amount` base wei into the market and returns the collateral wei bought;
    /// allowed only while `getReserves() < targetReserves` (Comet.buyCollateral).
    ///
    /// # Errors
    /// `Paused`, `NotForSale`, `TooMuchSlippage`, `InsufficientReserves` (more than the
    /// collateral reserves), `BadAsset`, `BadPrice`, time errors. Atomic.
    pub fn buy_collateral(
        &mut self,
        asset: u8,
        min_amount: U256,
        base_amount: U256,
        now: u64,
        prices: &dyn CometPrices,
    ) -> Result<U256, CompoundError> {
        if self.is_buy_paused() {
            return Err(CometError::Paused.into());
        }
        let reserves = self.get_reserves(now)?;
        if !reserves.is_negative() && reserves.unsigned_abs() >= self.target_reserves {
            return Err(CometError::NotForSale.into());
        }
        self.transact(&[], |c| {
            c.totals.base_balance = add(c.totals.base_balance, base_amount)?;
            let amount = c.quote_collateral(asset, base_amount, prices)?;
            if amount < min_amount {
                return Err(CometError::TooMuchSlippage.into());
            }
            if amount > c.get_collateral_reserves(asset)? {
                return Err(CometError::InsufficientReserves.into());
            }
            c.transfer_out(CometAsset::Collateral(asset), safe128(amount)?)?;
            Ok(amount)
        })
    }

    /// `withdrawReserves(to, amount)` at `now` (governor only on chain): sends base
    /// reserves out of the market.
    ///
    /// # Errors
    /// `InsufficientReserves` (negative reserves or `amount` above them),
    /// `TransferOutFailed`, time errors. Atomic.
    pub fn withdraw_reserves(&mut self, amount: U256, now: u64) -> Result<(), CompoundError> {
        let reserves = self.get_reserves(now)?;
        if reserves.is_negative() || amount > reserves.unsigned_abs() {
            return Err(CometError::InsufficientReserves.into());
        }
        self.transfer_out(CometAsset::Base, amount)
    }
}
