//! Token adapters: `GemJoin` (collateral in and out of the Vat) and `DaiJoin` (DAI).
//!
//! Source: `dss@1.0.0:src/join.sol` (`GemJoin.join/exit`, `DaiJoin.join/exit`) and
//! `dss-gem-joins` `GemJoin5` (tokens with fewer than 18 decimals are scaled to wad).
//! Only the Vat side is modelled: the ERC-20 transfer, mint or burn that accompanies each
//! call is the caller's bookkeeping.

use crate::math::{RAY, mul};
use crate::{AccountId, IlkId, MakerError, U256, Vat};

/// A collateral adapter for one ilk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GemJoin {
    /// The ilk it credits.
    pub ilk: IlkId,
    /// Token decimals (≤ 18; 18 for WETH).
    pub dec: u32,
}

/// A DAI adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaiJoin {
    /// The adapter's Vat address: it holds the Vat DAI that backs ERC-20 DAI.
    pub address: AccountId,
}

impl GemJoin {
    /// A `GemJoin` for `ilk` and a token of `dec` decimals.
    pub fn new(ilk: IlkId, dec: u32) -> Self {
        GemJoin { ilk, dec }
    }

    /// Token units (`10^-dec`) to wad: `amt · 10^(18−dec)` (`GemJoin5`).
    fn wad(&self, amt: U256) -> Result<i128, MakerError> {
        let scale = U256::from(10u64).pow(U256::from(18u32.saturating_sub(self.dec)));
        let wad = mul(amt, scale)?;
        // `require(int(wad) >= 0)`: the amount must fit the signed `slip` argument.
        i128::try_from(wad).map_err(|_| MakerError::Overflow)
    }

    /// `join(usr, amt)`: credits `amt` tokens (scaled to wad) to `gem[ilk][usr]`.
    ///
    /// # Errors
    /// Overflow.
    pub fn join(&self, vat: &mut Vat, usr: AccountId, amt: U256) -> Result<(), MakerError> {
        vat.slip(self.ilk, usr, self.wad(amt)?)
    }

    /// `exit(usr, amt)` by `caller`: removes `amt` tokens (scaled to wad) from
    /// `gem[ilk][caller]` (the tokens go to `usr`, outside the Vat).
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if `caller` holds less; overflow.
    pub fn exit(&self, vat: &mut Vat, caller: AccountId, amt: U256) -> Result<(), MakerError> {
        vat.slip(self.ilk, caller, -self.wad(amt)?)
    }
}

impl DaiJoin {
    /// `join(usr, wad)`: burns `wad` ERC-20 DAI of the caller and moves `wad·1e27` (rad)
    /// of Vat DAI from the adapter to `usr`.
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if the adapter holds less (more ERC-20 DAI joined than
    /// was ever exited); overflow.
    pub fn join(&self, vat: &mut Vat, usr: AccountId, wad: U256) -> Result<(), MakerError> {
        vat.move_dai(self.address, usr, mul(RAY, wad)?)
    }

    /// `exit(usr, wad)` by `caller`: moves `wad·1e27` (rad) of Vat DAI from `caller` to
    /// the adapter and mints `wad` ERC-20 DAI to `usr`.
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if `caller` holds less; overflow.
    pub fn exit(&self, vat: &mut Vat, caller: AccountId, wad: U256) -> Result<(), MakerError> {
        vat.move_dai(caller, self.address, mul(RAY, wad)?)
    }
}
