//! The pool: state container and user actions (`Pool`, `SupplyLogic`, `BorrowLogic`).

use crate::config::ProtocolVersion;
use crate::emode::{EModeCategory, user_reserve_ltv};
use crate::error::{PoolError, add, check_u120, sub};
use crate::index_memo::IndexMemo;
use crate::reserve::{ReserveData, ReserveNumbers};
use crate::user::UserAccount;
use crate::v2::InterestRateMode;
use crate::validation::{
    validate_repay, validate_set_use_reserve_as_collateral, validate_supply, validate_withdraw,
};
use crate::{AssetId, U256, UserId};

/// An Aave v3 pool (one market), holding reserves, prices, e-mode categories and users.
///
/// Every action takes the block timestamp `now` (seconds, non-decreasing) and is
/// atomic: on error nothing changes, as a reverted transaction. ERC20 wallets are not
/// modelled (callers are assumed to hold the tokens they pay).
#[derive(Debug, Clone)]
pub struct Pool {
    pub(crate) version: ProtocolVersion,
    pub(crate) created_at: u64,
    pub(crate) reserves: Vec<ReserveData>,
    pub(crate) prices: Vec<U256>,
    pub(crate) emodes: Vec<EModeCategory>,
    pub(crate) users: Vec<UserAccount>,
    scratch: Vec<ReserveNumbers>,
    pub(crate) index_memo: IndexMemo,
    /// v2 only: `LendingPool._paused`, the global pause (protocol-math-aave-v2-uniswap-v3.md
    /// §A.12).
    pub(crate) paused: bool,
}

impl Pool {
    /// An empty pool with the semantics of `version`, deployed at `now` (seconds).
    pub fn new(version: ProtocolVersion, now: u64) -> Self {
        Pool {
            version,
            created_at: now,
            reserves: Vec::new(),
            prices: Vec::new(),
            emodes: vec![EModeCategory::default(); 256],
            users: Vec::new(),
            scratch: Vec::new(),
            index_memo: IndexMemo::default(),
            paused: false,
        }
    }

    /// Errors with [`PoolError::AssetNotListed`] for an unknown asset id.
    #[inline]
    pub(crate) fn check_asset(&self, asset: AssetId) -> Result<(), PoolError> {
        if asset < self.reserves.len() {
            Ok(())
        } else {
            Err(PoolError::AssetNotListed)
        }
    }

    /// Grows the dense user table so that `user` exists.
    #[inline]
    pub(crate) fn ensure_user(&mut self, user: UserId) {
        let idx = user as usize;
        if idx >= self.users.len() {
            self.users.resize_with(idx + 1, UserAccount::default);
        }
    }

    /// The account of an existing user (call [`Pool::ensure_user`] first).
    #[inline]
    pub(crate) fn acc(&self, user: UserId) -> &UserAccount {
        &self.users[user as usize]
    }

    /// Mutable account of an existing user (call [`Pool::ensure_user`] first).
    #[inline]
    pub(crate) fn acc_mut(&mut self, user: UserId) -> &mut UserAccount {
        &mut self.users[user as usize]
    }

    /// The e-mode category record of a user (category 0 = all-zero record).
    #[inline]
    pub(crate) fn emode_of(&self, user: &UserAccount) -> &EModeCategory {
        &self.emodes[usize::from(user.emode)]
    }

    /// Runs `f` as a transaction: reserves' numeric state and the given users are
    /// restored if it fails. Users must exist.
    pub(crate) fn atomic<T>(
        &mut self,
        users: &[UserId],
        f: impl FnOnce(&mut Pool) -> Result<T, PoolError>,
    ) -> Result<T, PoolError> {
        let mut saved = std::mem::take(&mut self.scratch);
        saved.clear();
        saved.extend(self.reserves.iter().map(ReserveData::numbers));
        let saved_users: Vec<(UserId, UserAccount)> =
            users.iter().map(|&u| (u, self.acc(u).clone())).collect();
        let result = f(self);
        if result.is_err() {
            for (r, n) in self.reserves.iter_mut().zip(saved.iter()) {
                r.restore(n);
            }
            for (u, acc) in saved_users {
                *self.acc_mut(u) = acc;
            }
        }
        self.scratch = saved;
        result
    }

    /// Supplies `amount` wei of `asset` for `user` (`onBehalfOf = user`). The first
    /// supply (scaled balance was 0) enables the asset as collateral if its LTV for
    /// the user's e-mode is non-zero (`validateAutomaticUseAsCollateral`).
    ///
    /// Errors: [`PoolError::InvalidAmount`] (scaled amount 0), [`PoolError::ReserveInactive`],
    /// [`PoolError::ReservePaused`], [`PoolError::ReserveFrozen`],
    /// [`PoolError::SupplyCapExceeded`], [`PoolError::AssetNotListed`], overflow errors.
    /// Reproduces `SupplyLogic.executeSupply` (aave-v3-origin v3.6.0).
    ///
    /// In a v2 pool this is `deposit` (protocol-math-aave-v2-uniswap-v3.md §A.5, §A.12):
    /// the first deposit always enables collateral, even at LTV 0; errors `64`, `1`, `2`,
    /// `3`, `56`.
    pub fn supply(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.deposit_v2(now, user, asset, amount);
        }
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            if p.version.is_v3_0() {
                p.execute_supply_v30(now, user, asset, amount)
            } else {
                p.execute_supply(now, user, asset, amount)
            }
        })
    }

    fn execute_supply(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let v = self.version;
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let scaled = v
            .token_rounding()
            .a_token_mint_scaled(amount, r.liquidity_index)?;
        validate_supply(r, scaled, v)?;
        r.update_rates_and_virtual_balance(amount, U256::ZERO, v)?;
        r.scaled_total_supply = add(r.scaled_total_supply, check_u120(scaled)?)?;
        let pos = self.users[user as usize].position_mut(asset);
        let before = pos.scaled_supply;
        pos.scaled_supply =
            check_u120(add(before, scaled)?).map_err(|_| PoolError::MathOverflow)?;
        if before.is_zero() && self.auto_collateral_allowed(user, asset) {
            self.acc_mut(user).set_using_as_collateral(asset, true);
        }
        Ok(())
    }

    /// `validateAutomaticUseAsCollateral` without isolation mode: LTV for the user's
    /// e-mode must be non-zero.
    pub(crate) fn auto_collateral_allowed(&self, user: UserId, asset: AssetId) -> bool {
        let acc = self.acc(user);
        user_reserve_ltv(&self.reserves[asset], self.emode_of(acc), acc.emode) != 0
    }

    /// Withdraws `amount` wei of `asset` (`U256::MAX` = whole balance) and returns the
    /// amount withdrawn. If the asset is collateral and the user borrows, HF must stay
    /// ≥ 1 and LTV-zero collateral must be withdrawn first.
    ///
    /// Errors: [`PoolError::InvalidAmount`], [`PoolError::NotEnoughAvailableUserBalance`],
    /// [`PoolError::ReserveInactive`], [`PoolError::ReservePaused`],
    /// [`PoolError::InsufficientLiquidity`] (Panic(0x11): amount > virtual balance),
    /// [`PoolError::HealthFactorLowerThanLiquidationThreshold`],
    /// [`PoolError::LtvValidationFailed`], [`PoolError::AssetNotListed`], overflow errors.
    /// Reproduces `SupplyLogic.executeWithdraw` (aave-v3-origin v3.6.0).
    ///
    /// In a v2 pool (§A.9, §A.10, §A.12): `balanceDecreaseAllowed` before the state
    /// change ([`PoolError::TransferNotAllowed`], `6`), and more than the available
    /// liquidity reverts with [`PoolError::SafeMathSubtractionOverflow`].
    pub fn withdraw(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        if self.version.is_v2() {
            return self.withdraw_v2(now, user, asset, amount);
        }
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            if p.version.is_v3_0() {
                p.execute_withdraw_v30(now, user, asset, amount)
            } else {
                p.execute_withdraw(now, user, asset, amount)
            }
        })
    }

    fn execute_withdraw(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        let v = self.version;
        let rounding = v.token_rounding();
        let user_scaled = self.acc(user).scaled_supply(asset);
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let (scaled, amount) = if amount == U256::MAX {
            (
                user_scaled,
                rounding.a_token_balance(user_scaled, r.liquidity_index)?,
            )
        } else {
            (
                rounding.a_token_burn_scaled(amount, r.liquidity_index)?,
                amount,
            )
        };
        validate_withdraw(r, scaled, user_scaled)?;
        r.update_rates_and_virtual_balance(U256::ZERO, amount, v)?;
        r.scaled_total_supply = sub(r.scaled_total_supply, scaled)?;
        let acc = self.acc_mut(user);
        let pos = acc.position_mut(asset);
        pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        let zero_after = pos.scaled_supply.is_zero();
        acc.prune(asset);
        if acc.is_using_as_collateral(asset) {
            if zero_after {
                acc.set_using_as_collateral(asset, false);
            }
            if acc.is_borrowing_any() {
                self.validate_hf_and_ltvzero(now, user, asset)?;
            }
        }
        Ok(amount)
    }

    /// Borrows `amount` wei of `asset` at variable rate for `user` (`onBehalfOf = user`).
    ///
    /// Errors: [`PoolError::InvalidAmount`], [`PoolError::ReserveInactive`],
    /// [`PoolError::ReservePaused`], [`PoolError::ReserveFrozen`],
    /// [`PoolError::NotBorrowableInEMode`], [`PoolError::BorrowingNotEnabled`],
    /// [`PoolError::BorrowCapExceeded`], [`PoolError::InsufficientLiquidity`]
    /// (Panic(0x11)), then the post-borrow checks [`PoolError::LtvValidationFailed`],
    /// [`PoolError::HealthFactorLowerThanLiquidationThreshold`],
    /// [`PoolError::CollateralCannotCoverNewBorrow`]; [`PoolError::AssetNotListed`].
    /// Reproduces `BorrowLogic.executeBorrow` (aave-v3-origin v3.6.0).
    ///
    /// In a v2 pool: [`Pool::borrow_with_mode`] with [`InterestRateMode::Variable`].
    pub fn borrow(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.borrow_v2(now, user, asset, amount, InterestRateMode::Variable);
        }
        self.check_asset(asset)?;
        self.ensure_user(user);
        self.atomic(&[user], |p| {
            if p.version.is_v3_0() {
                p.execute_borrow_v30(now, user, asset, amount)
            } else {
                p.execute_borrow(now, user, asset, amount)
            }
        })
    }

    fn execute_borrow(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let v = self.version;
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let scaled = v
            .token_rounding()
            .v_token_mint_scaled(amount, r.variable_borrow_index)?;
        self.validate_borrow(user, asset, scaled)?;
        let r = &mut self.reserves[asset];
        r.scaled_total_variable_debt = add(r.scaled_total_variable_debt, check_u120(scaled)?)?;
        let acc = &mut self.users[user as usize];
        let pos = acc.position_mut(asset);
        pos.scaled_debt =
            check_u120(add(pos.scaled_debt, scaled)?).map_err(|_| PoolError::MathOverflow)?;
        acc.set_borrowing(asset, true);
        r.update_rates_and_virtual_balance(U256::ZERO, amount, v)?;
        self.validate_hf_and_ltv(now, user)
    }

    /// Repays `amount` wei of `on_behalf_of`'s variable debt in `asset`, paid by `payer`
    /// (`U256::MAX` = all debt, only allowed when `payer == on_behalf_of`). Returns the
    /// amount repaid (capped at the debt).
    ///
    /// Errors: [`PoolError::InvalidAmount`], [`PoolError::NoExplicitAmountToRepayOnBehalf`],
    /// [`PoolError::ReserveInactive`], [`PoolError::ReservePaused`],
    /// [`PoolError::NoDebtOfSelectedType`], [`PoolError::InvalidBurnAmount`] (amount
    /// rounds to 0 scaled units), [`PoolError::AssetNotListed`], overflow errors.
    /// Reproduces `BorrowLogic.executeRepay` with `useATokens = false` (v3.6.0).
    ///
    /// In a v2 pool: [`Pool::repay_with_mode`] with [`InterestRateMode::Variable`].
    pub fn repay(
        &mut self,
        now: u64,
        payer: UserId,
        on_behalf_of: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        if self.version.is_v2() {
            let mode = InterestRateMode::Variable;
            return self.repay_with_mode(now, payer, on_behalf_of, asset, amount, mode);
        }
        self.check_asset(asset)?;
        self.ensure_user(on_behalf_of);
        self.atomic(&[on_behalf_of], |p| {
            if p.version.is_v3_0() {
                p.execute_repay_v30(now, payer == on_behalf_of, on_behalf_of, asset, amount)
            } else {
                p.execute_repay(now, payer == on_behalf_of, on_behalf_of, asset, amount)
            }
        })
    }

    fn execute_repay(
        &mut self,
        now: u64,
        payer_is_owner: bool,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        let v = self.version;
        let rounding = v.token_rounding();
        let debt_scaled = self.acc(user).scaled_debt(asset);
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        let debt = rounding.v_token_balance(debt_scaled, r.variable_borrow_index)?;
        validate_repay(r, amount, payer_is_owner, debt_scaled)?;
        let payback = amount.min(debt);
        let burn = rounding.v_token_burn_scaled(payback, r.variable_borrow_index)?;
        if burn.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        r.scaled_total_variable_debt = sub(r.scaled_total_variable_debt, burn)?;
        r.update_rates_and_virtual_balance(payback, U256::ZERO, v)?;
        let acc = self.acc_mut(user);
        let pos = acc.position_mut(asset);
        pos.scaled_debt = sub(pos.scaled_debt, burn)?;
        if pos.scaled_debt.is_zero() {
            acc.set_borrowing(asset, false);
        }
        acc.prune(asset);
        Ok(payback)
    }

    /// Enables or disables `asset` as collateral for `user`. Enabling needs a non-zero
    /// balance and a non-zero LTV (for the user's e-mode); disabling needs HF ≥ 1 after
    /// and, with LTV-zero collateral present, that the asset itself has LTV 0.
    ///
    /// Errors: [`PoolError::ReserveInactive`], [`PoolError::ReservePaused`],
    /// [`PoolError::UnderlyingBalanceZero`], [`PoolError::UserInIsolationModeOrLtvZero`],
    /// [`PoolError::HealthFactorLowerThanLiquidationThreshold`],
    /// [`PoolError::LtvValidationFailed`], [`PoolError::AssetNotListed`].
    /// Reproduces `SupplyLogic.executeUseReserveAsCollateral` (v3.6.0).
    ///
    /// In a v2 pool (§A.10): a non-zero aToken balance (`19`), and for disabling
    /// `balanceDecreaseAllowed` (`20`); enabling works at any LTV.
    pub fn set_user_use_reserve_as_collateral(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        enabled: bool,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.set_collateral_v2(now, user, asset, enabled);
        }
        self.check_asset(asset)?;
        self.ensure_user(user);
        validate_set_use_reserve_as_collateral(&self.reserves[asset])?;
        if enabled == self.acc(user).is_using_as_collateral(asset) {
            return Ok(());
        }
        if enabled {
            if self.acc(user).scaled_supply(asset).is_zero() {
                return Err(PoolError::UnderlyingBalanceZero);
            }
            if !self.auto_collateral_allowed(user, asset) {
                return Err(PoolError::UserInIsolationModeOrLtvZero);
            }
            self.acc_mut(user).set_using_as_collateral(asset, true);
            return Ok(());
        }
        self.atomic(&[user], |p| {
            p.acc_mut(user).set_using_as_collateral(asset, false);
            p.validate_hf_and_ltvzero(now, user, asset)
        })
    }

    /// Switches `user` to e-mode `category` (0 = none). Every borrowed asset must be
    /// borrowable in the target mode, every collateral must keep a non-zero LTV there,
    /// and HF must be ≥ 1 afterwards.
    ///
    /// Errors: [`PoolError::InconsistentEModeCategory`], [`PoolError::InvalidDebtInEmode`],
    /// [`PoolError::InvalidCollateralInEmode`],
    /// [`PoolError::HealthFactorLowerThanLiquidationThreshold`].
    /// Reproduces `SupplyLogic.executeSetUserEMode` (aave-v3-origin v3.6.0).
    /// A v2 pool has no e-mode: [`PoolError::UnsupportedInVersion`].
    pub fn set_user_emode(
        &mut self,
        now: u64,
        user: UserId,
        category: u8,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.ensure_user(user);
        if self.version.is_v3_0() {
            return self.execute_set_user_emode_v30(now, user, category);
        }
        if self.acc(user).emode == category {
            return Ok(());
        }
        self.validate_set_user_emode(user, category)?;
        self.atomic(&[user], |p| {
            p.acc_mut(user).emode = category;
            p.validate_health_factor(now, user).map(|_| ())
        })
    }

    /// Borrows `amount` wei of `asset` for `user` in `mode`.
    ///
    /// v2 (protocol-math-aave-v2-uniswap-v3.md §A.7, §A.10): checks in order `64`, `2`,
    /// `3`, `1`, `7`, `9`, `10` (current HF > 1), `11` (avgLtv 0 gives `50`), then for
    /// stable `12`, `13`, `14` (at most 25 % of the available liquidity); stable debt is
    /// minted at the reserve's current stable rate; above the available liquidity:
    /// [`PoolError::SafeMathSubtractionOverflow`]. v3 pools: variable mode is
    /// [`Pool::borrow`]; stable mode is [`PoolError::UnsupportedInVersion`].
    pub fn borrow_with_mode(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        amount: U256,
        mode: InterestRateMode,
    ) -> Result<(), PoolError> {
        if self.version.is_v2() {
            return self.borrow_v2(now, user, asset, amount, mode);
        }
        match mode {
            InterestRateMode::Variable => self.borrow(now, user, asset, amount),
            InterestRateMode::Stable => Err(PoolError::UnsupportedInVersion),
        }
    }

    /// Repays `amount` wei (`U256::MAX` = all, only for oneself) of `on_behalf_of`'s
    /// `mode` debt in `asset`, paid by `payer`; returns the amount repaid.
    ///
    /// v2 (§A.10): checks `64`, `2`, `1`, `15`, `16`; `payback = min(amount, debt of
    /// mode)`; frozen reserves can be repaid; the borrowing flag is cleared when the
    /// stable plus variable debt (read before the repayment) equals `payback`. v3 pools:
    /// variable mode is [`Pool::repay`]; stable mode is [`PoolError::UnsupportedInVersion`].
    pub fn repay_with_mode(
        &mut self,
        now: u64,
        payer: UserId,
        on_behalf_of: UserId,
        asset: AssetId,
        amount: U256,
        mode: InterestRateMode,
    ) -> Result<U256, PoolError> {
        if self.version.is_v2() {
            let owner = payer == on_behalf_of;
            return self.repay_v2(now, owner, on_behalf_of, asset, amount, mode);
        }
        match mode {
            InterestRateMode::Variable => self.repay(now, payer, on_behalf_of, asset, amount),
            InterestRateMode::Stable => Err(PoolError::UnsupportedInVersion),
        }
    }

    /// v2 `swapBorrowRateMode(asset, currentMode)`: moves all of `user`'s debt of
    /// `current_mode` in `asset` to the other mode (§A.7). Errors in order: `64`, `2`,
    /// `3` (frozen), then from stable `17`, from variable `18`, `12`, `13`; token errors.
    /// v3 pools: [`PoolError::UnsupportedInVersion`].
    pub fn swap_borrow_rate_mode(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
        current_mode: InterestRateMode,
    ) -> Result<(), PoolError> {
        if !self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.swap_rate_mode_v2(now, user, asset, current_mode)
    }

    /// v2 `rebalanceStableBorrowRate(asset, user)`: re-mints `user`'s whole stable debt at
    /// the current stable rate when the reserve's usage is ≥ 95 % and its liquidity rate
    /// ≤ 40 % of the max variable rate (§A.7). Errors: `64`, `2`, `22`, token errors
    /// (`50` for a user without stable debt). v3 pools: [`PoolError::UnsupportedInVersion`].
    pub fn rebalance_stable_borrow_rate(
        &mut self,
        now: u64,
        user: UserId,
        asset: AssetId,
    ) -> Result<(), PoolError> {
        if !self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.rebalance_v2(now, user, asset)
    }
}
