//! v2 read-only views: the stable debt token and the treasury's aTokens
//! (protocol-math-aave-v2-uniswap-v3.md §A.5, §A.7). Unknown assets and users read as
//! zero; a view whose computation would overflow returns zero.

use crate::pool::Pool;
use crate::v2::stable_debt::{StableSupplyData, user_balance};
use crate::{AssetId, U256, UserId};

impl Pool {
    /// `StableDebtToken.getSupplyData()` at `now`: principal supply, total supply
    /// compounded at the average rate to `now` (token wei), average rate (RAY) and the
    /// supply timestamp. All zero for v3 pools and unknown assets.
    pub fn stable_debt_supply_data(&self, now: u64, asset: AssetId) -> StableSupplyData {
        self.reserves
            .get(asset)
            .and_then(|r| r.stable_debt.supply_data(now).ok())
            .unwrap_or_default()
    }

    /// `(principal balance (token wei), stable rate (annual RAY), timestamp (s))` of
    /// `user`'s stable debt in `asset` (`principalBalanceOf`, `getUserStableRate`,
    /// `getUserLastUpdated`).
    pub fn user_stable_debt(&self, user: UserId, asset: AssetId) -> (U256, U256, u64) {
        match self
            .users
            .get(user as usize)
            .and_then(|a| a.position(asset))
        {
            Some(p) => (p.stable_principal, p.stable_rate, p.stable_timestamp),
            None => (U256::ZERO, U256::ZERO, 0),
        }
    }

    /// Stable debt token `balanceOf(user)` at `now`, token wei: the principal compounded
    /// at the user's rate since their timestamp (v2 formula).
    pub fn stable_debt_balance(&self, now: u64, user: UserId, asset: AssetId) -> U256 {
        self.users
            .get(user as usize)
            .and_then(|a| a.position(asset))
            .and_then(|p| user_balance(p, now).ok())
            .unwrap_or_default()
    }

    /// Scaled aTokens held by the treasury in `asset`: in v2 the reserve-factor share
    /// minted at every `updateState`; in v3 the minted part only (protocol fees and
    /// [`Pool::mint_to_treasury`], not `accruedToTreasury`).
    pub fn treasury_scaled_balance(&self, asset: AssetId) -> U256 {
        self.reserves
            .get(asset)
            .map_or(U256::ZERO, |r| r.treasury_scaled)
    }
}
