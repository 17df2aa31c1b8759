//! Read-only views (`Pool` getters, token `balanceOf`/`totalSupply`). All are pure;
//! `now` is the block timestamp in seconds. Unknown assets/users read as zero; a view
//! whose computation would overflow returns 0 (use the `try_` variants to see errors).

use crate::account::AccountData;
use crate::config::ProtocolVersion;
use crate::emode::EModeCategory;
use crate::error::PoolError;
use crate::index_memo::IndexKind;
use crate::pool::Pool;
use crate::rate_strategy::borrow_usage_ratio;
use crate::reserve::{EMPTY_RESERVE, ReserveData};
use crate::user::UserAccount;
use crate::{AssetId, U256, UserId};

impl Pool {
    /// Protocol version whose semantics this pool reproduces.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// Number of listed reserves.
    pub fn reserve_count(&self) -> usize {
        self.reserves.len()
    }

    /// Reserve state of `asset` (an empty inactive record for unknown ids).
    pub fn reserve(&self, asset: AssetId) -> &ReserveData {
        self.reserves.get(asset).unwrap_or(&EMPTY_RESERVE)
    }

    /// E-mode category `id` if configured (LT ≠ 0).
    pub fn emode_category(&self, id: u8) -> Option<&EModeCategory> {
        let c = &self.emodes[usize::from(id)];
        (id != 0 && c.liquidation_threshold != 0).then_some(c)
    }

    /// Number of user slots allocated (highest used id + 1).
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Account of `user` (bitmaps, e-mode, scaled positions), if ever touched.
    pub fn user(&self, user: UserId) -> Option<&UserAccount> {
        self.users.get(user as usize)
    }

    /// `AaveOracle.getAssetPrice` value of `asset`, 8-dp USD (0 if unknown / unset).
    pub fn asset_price(&self, asset: AssetId) -> U256 {
        self.prices.get(asset).copied().unwrap_or(U256::ZERO)
    }

    /// `getReserveNormalizedIncome` at `now` (RAY). Errors: [`PoolError::AssetNotListed`],
    /// [`PoolError::MathOverflow`].
    pub fn try_normalized_income(&self, now: u64, asset: AssetId) -> Result<U256, PoolError> {
        self.check_asset(asset)?;
        self.income_index(now, &self.reserves[asset])
    }

    /// `getReserveNormalizedIncome` at `now` (RAY); 0 for unknown assets.
    /// Reproduces `ReserveLogic.getNormalizedIncome`.
    pub fn normalized_income(&self, now: u64, asset: AssetId) -> U256 {
        self.try_normalized_income(now, asset).unwrap_or_default()
    }

    /// `getReserveNormalizedVariableDebt` at `now` (RAY). Errors:
    /// [`PoolError::AssetNotListed`], [`PoolError::MathOverflow`].
    pub fn try_normalized_debt(&self, now: u64, asset: AssetId) -> Result<U256, PoolError> {
        self.check_asset(asset)?;
        self.debt_index(now, &self.reserves[asset])
    }

    /// `r.normalized_income(now)`, memoised on its inputs ([`crate::index_memo`]).
    pub(crate) fn income_index(&self, now: u64, r: &ReserveData) -> Result<U256, PoolError> {
        let key = (
            now,
            r.last_update_timestamp,
            r.liquidity_index,
            r.current_liquidity_rate,
        );
        self.index_memo
            .get_or(r.id, IndexKind::Income, key, || r.normalized_income(now))
    }

    /// `r.normalized_debt(now, version)`, memoised on its inputs ([`crate::index_memo`]).
    pub(crate) fn debt_index(&self, now: u64, r: &ReserveData) -> Result<U256, PoolError> {
        let key = (
            now,
            r.last_update_timestamp,
            r.variable_borrow_index,
            r.current_variable_borrow_rate,
        );
        self.index_memo.get_or(r.id, IndexKind::Debt, key, || {
            r.normalized_debt(now, self.version)
        })
    }

    /// `getReserveNormalizedVariableDebt` at `now` (RAY); 0 for unknown assets.
    /// Reproduces `ReserveLogic.getNormalizedDebt`.
    pub fn normalized_debt(&self, now: u64, asset: AssetId) -> U256 {
        self.try_normalized_debt(now, asset).unwrap_or_default()
    }

    /// aToken `totalSupply()` at `now`, token wei: `rayMulFloor(scaledTotalSupply,
    /// normalizedIncome)`. Includes treasury aTokens already minted (protocol fees,
    /// [`Pool::mint_to_treasury`]) but **not** `accruedToTreasury`; see
    /// [`Pool::total_supply_for_cap`] for the supply-cap quantity.
    pub fn total_supply(&self, now: u64, asset: AssetId) -> U256 {
        self.scaled_to_a_token(now, asset, self.reserve(asset).scaled_total_supply)
    }

    /// The quantity `validateSupply` compares with the supply cap (before adding the
    /// new amount): `aTokenBalance(scaledTotalSupply + accruedToTreasury)`, token wei,
    /// with `accruedToTreasury` as stored (accrued up to the last update).
    pub fn total_supply_for_cap(&self, now: u64, asset: AssetId) -> U256 {
        let r = self.reserve(asset);
        let scaled = r.scaled_total_supply.saturating_add(r.accrued_to_treasury);
        self.scaled_to_a_token(now, asset, scaled)
    }

    fn scaled_to_a_token(&self, now: u64, asset: AssetId, scaled: U256) -> U256 {
        self.try_normalized_income(now, asset)
            .and_then(|i| Ok(self.version.token_rounding().a_token_balance(scaled, i)?))
            .unwrap_or_default()
    }

    fn scaled_to_v_token(&self, now: u64, asset: AssetId, scaled: U256) -> U256 {
        self.try_normalized_debt(now, asset)
            .and_then(|i| Ok(self.version.token_rounding().v_token_balance(scaled, i)?))
            .unwrap_or_default()
    }

    /// Variable debt token `totalSupply()` at `now`, token wei
    /// (`rayMulCeil(scaledTotalDebt, normalizedDebt)`).
    pub fn total_debt(&self, now: u64, asset: AssetId) -> U256 {
        self.scaled_to_v_token(now, asset, self.reserve(asset).scaled_total_variable_debt)
    }

    /// `virtualUnderlyingBalance`, token wei: what withdrawals and borrows can take.
    pub fn available_liquidity(&self, asset: AssetId) -> U256 {
        self.reserve(asset).virtual_underlying_balance
    }

    /// Borrow usage ratio (RAY) as the V2 strategy computes it:
    /// `rayDiv(totalDebt, virtualBalance + totalDebt)` with total debt at `now`; 0 if no
    /// debt.
    pub fn utilization(&self, now: u64, asset: AssetId) -> U256 {
        let debt = self.total_debt(now, asset);
        borrow_usage_ratio(debt, self.available_liquidity(asset)).unwrap_or_default()
    }

    /// `Pool.getUserAccountData` at `now`.
    /// Errors: [`PoolError::MathOverflow`], [`PoolError::DivisionByZero`].
    /// Reproduces `PoolLogic.executeGetUserAccountData` (aave-v3-origin v3.6.0).
    pub fn try_user_account_data(&self, now: u64, user: UserId) -> Result<AccountData, PoolError> {
        self.account_calc_of(now, user)?
            .to_account_data(self.version)
    }

    /// `Pool.getUserAccountData` at `now` (all-zero with HF = 0 if the computation
    /// overflows; HF = `U256::MAX` without debt).
    pub fn user_account_data(&self, now: u64, user: UserId) -> AccountData {
        self.try_user_account_data(now, user).unwrap_or_default()
    }

    /// Health factor of `user` at `now` (WAD; `U256::MAX` without debt).
    pub fn health_factor(&self, now: u64, user: UserId) -> U256 {
        self.user_account_data(now, user).health_factor
    }

    /// aToken `balanceOf(user)` at `now`, token wei (`rayMulFloor`).
    pub fn supply_balance(&self, now: u64, user: UserId, asset: AssetId) -> U256 {
        self.scaled_to_a_token(now, asset, self.scaled_balances(user, asset).0)
    }

    /// Variable debt token `balanceOf(user)` at `now`, token wei (`rayMulCeil`).
    pub fn debt_balance(&self, now: u64, user: UserId, asset: AssetId) -> U256 {
        self.scaled_to_v_token(now, asset, self.scaled_balances(user, asset).1)
    }

    /// `(scaled aToken, scaled variable debt)` balances of `user` in `asset`.
    pub fn scaled_balances(&self, user: UserId, asset: AssetId) -> (U256, U256) {
        match self
            .users
            .get(user as usize)
            .and_then(|a| a.position(asset))
        {
            Some(p) => (p.scaled_supply, p.scaled_debt),
            None => (U256::ZERO, U256::ZERO),
        }
    }

    /// E-mode category of `user` (0 = none).
    pub fn user_emode(&self, user: UserId) -> u8 {
        self.users.get(user as usize).map_or(0, |a| a.emode)
    }

    /// What the treasury would own in `asset` at `now`, token wei: minted treasury
    /// aTokens (protocol fees) plus `accruedToTreasury` **including the reserve-factor
    /// accrual since the last update** (as if `updateState` then `mintToTreasury` ran at
    /// `now`), valued with `rayMulFloor` at the updated liquidity index.
    pub fn treasury_balance(&self, now: u64, asset: AssetId) -> U256 {
        let Some(r) = self.reserves.get(asset) else {
            return U256::ZERO;
        };
        let mut r = r.clone();
        if r.update_state(now.max(r.last_update_timestamp), self.version)
            .is_err()
        {
            return U256::ZERO;
        }
        let scaled = r.treasury_scaled.saturating_add(r.accrued_to_treasury);
        self.version
            .token_rounding()
            .a_token_balance(scaled, r.liquidity_index)
            .unwrap_or_default()
    }
}
