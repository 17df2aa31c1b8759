//! Per-user state: `UserConfigurationMap` bitmaps and compact scaled balances.

use crate::{AssetId, U256};

/// One reserve position of a user: scaled aToken and scaled variable-debt balances
/// (token wei divided by the liquidity / variable borrow index at mint time) and, in a
/// v2 pool, the stable debt (protocol-math-aave-v2-uniswap-v3.md §A.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// Reserve id.
    pub asset: u8,
    /// Scaled aToken balance (`scaledBalanceOf`).
    pub scaled_supply: U256,
    /// Scaled variable debt balance (`scaledBalanceOf` of the variable debt token).
    pub scaled_debt: U256,
    /// v2 only: stable debt principal, token wei (`StableDebtToken` `super.balanceOf`).
    pub stable_principal: U256,
    /// v2 only: the user's stable rate (`_usersStableRate`), annual RAY.
    pub stable_rate: U256,
    /// v2 only: the user's last stable-debt update (`_timestamps`), seconds.
    pub stable_timestamp: u64,
}

/// A user's account: e-mode, the two bitmaps of `UserConfigurationMap` (stored as two
/// `u128`, bit `i` = reserve `i`), and the non-zero positions (few per user).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UserAccount {
    /// E-mode category id (0 = none).
    pub emode: u8,
    /// Reserves enabled as collateral.
    pub collateral_bitmap: u128,
    /// Reserves borrowed.
    pub borrowing_bitmap: u128,
    /// Positions with a non-zero scaled supply or debt, in no particular order.
    pub positions: Vec<Position>,
}

#[inline]
fn bit(asset: AssetId) -> u128 {
    if asset < 128 { 1u128 << asset } else { 0 }
}

impl UserAccount {
    /// The position in `asset`, if any.
    #[inline]
    pub fn position(&self, asset: AssetId) -> Option<&Position> {
        self.positions
            .iter()
            .find(|p| usize::from(p.asset) == asset)
    }

    /// Scaled aToken balance in `asset` (0 if none).
    #[inline]
    pub fn scaled_supply(&self, asset: AssetId) -> U256 {
        self.position(asset).map_or(U256::ZERO, |p| p.scaled_supply)
    }

    /// Scaled variable debt in `asset` (0 if none).
    #[inline]
    pub fn scaled_debt(&self, asset: AssetId) -> U256 {
        self.position(asset).map_or(U256::ZERO, |p| p.scaled_debt)
    }

    /// Mutable position in `asset`, created empty if missing (`asset` < 128).
    pub(crate) fn position_mut(&mut self, asset: AssetId) -> &mut Position {
        let idx = match self
            .positions
            .iter()
            .position(|p| usize::from(p.asset) == asset)
        {
            Some(i) => i,
            None => {
                self.positions.push(Position {
                    asset: asset as u8,
                    ..Position::default()
                });
                self.positions.len() - 1
            }
        };
        &mut self.positions[idx]
    }

    /// Drops the position in `asset` when all balances (scaled supply, scaled variable
    /// debt, stable principal) are zero.
    pub(crate) fn prune(&mut self, asset: AssetId) {
        self.positions.retain(|p| {
            usize::from(p.asset) != asset
                || !p.scaled_supply.is_zero()
                || !p.scaled_debt.is_zero()
                || !p.stable_principal.is_zero()
        });
    }

    /// `UserConfiguration.isUsingAsCollateral`.
    #[inline]
    pub fn is_using_as_collateral(&self, asset: AssetId) -> bool {
        self.collateral_bitmap & bit(asset) != 0
    }

    /// `UserConfiguration.isBorrowing`.
    #[inline]
    pub fn is_borrowing(&self, asset: AssetId) -> bool {
        self.borrowing_bitmap & bit(asset) != 0
    }

    /// `UserConfiguration.isBorrowingAny`.
    #[inline]
    pub fn is_borrowing_any(&self) -> bool {
        self.borrowing_bitmap != 0
    }

    /// `UserConfiguration.isEmpty` (no collateral and no borrow flag).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.collateral_bitmap == 0 && self.borrowing_bitmap == 0
    }

    /// `UserConfiguration.setUsingAsCollateral`.
    #[inline]
    pub(crate) fn set_using_as_collateral(&mut self, asset: AssetId, enabled: bool) {
        if enabled {
            self.collateral_bitmap |= bit(asset);
        } else {
            self.collateral_bitmap &= !bit(asset);
        }
    }

    /// `UserConfiguration.setBorrowing`.
    #[inline]
    pub(crate) fn set_borrowing(&mut self, asset: AssetId, borrowing: bool) {
        if borrowing {
            self.borrowing_bitmap |= bit(asset);
        } else {
            self.borrowing_bitmap &= !bit(asset);
        }
    }
}

/// Iterates the set bits of a bitmap in ascending order (reserve ids).
#[inline]
pub(crate) fn bits(mut bitmap: u128) -> impl Iterator<Item = AssetId> {
    std::iter::from_fn(move || {
        if bitmap == 0 {
            return None;
        }
        let i = bitmap.trailing_zeros() as usize;
        bitmap &= bitmap - 1;
        Some(i)
    })
}
