//! `Cat.bite`: the Liquidations 1.2 liquidation trigger as deployed on 12 March 2020.
//!
//! Source: `dss@1.0.0:src/cat.sol` (`bite`). Per ilk: `chop` (liquidation penalty,
//! **ray**, e.g. 1.13e27), `lump` (max collateral per auction, wad, e.g. 50 ETH). This
//! version has no `box`/`dunk` limits (those came with `dss@1.1.0`, August 2020).

use crate::flip::Flipper;
use crate::math::{RAY, div, mul, rmul};
use crate::{AccountId, IlkId, MakerError, U256, Vat};

/// Cat per-ilk parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatIlk {
    /// `chop`: liquidation penalty (ray; 1.13e27 = 13 %).
    pub chop: U256,
    /// `lump`: liquidation quantity (wad of collateral per bite).
    pub lump: U256,
}

/// The Cat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cat {
    /// Per-ilk parameters by ilk id.
    pub ilks: Vec<CatIlk>,
    /// `live` (false after `cage`).
    pub live: bool,
    /// The Cat's own Vat address (receives the grabbed gem before `kick`).
    pub address: AccountId,
    /// The Vow's Vat address (`gal`, receives `sin` and bid DAI).
    pub vow: AccountId,
}

/// What a bite did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bite {
    /// Flipper auction id.
    pub id: u64,
    /// Collateral auctioned (wad).
    pub lot: U256,
    /// Normalised debt removed from the urn (wad).
    pub art: U256,
    /// Debt booked to the Vow: `art·rate` (rad).
    pub debt: U256,
    /// DAI the auction wants: `rmul(art·rate, chop)` (rad).
    pub tab: U256,
}

impl Cat {
    /// `file(ilk, "chop", ray)` (`cat.sol` 1.0.0): liquidation penalty (ray).
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn file_chop(&mut self, ilk: IlkId, ray: U256) -> Result<(), MakerError> {
        self.ilks.get_mut(ilk).ok_or(MakerError::UnknownId)?.chop = ray;
        Ok(())
    }

    /// `file(ilk, "lump", wad)` (`cat.sol` 1.0.0): collateral per bite (wad). The 1.0.0
    /// Cat has no `box`/`dunk` (those arrived with `dss@1.1.0`).
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn file_lump(&mut self, ilk: IlkId, wad: U256) -> Result<(), MakerError> {
        self.ilks.get_mut(ilk).ok_or(MakerError::UnknownId)?.lump = wad;
        Ok(())
    }

    /// `bite(ilk, urn)` at `now` (s): requires `live` and `spot > 0 && ink·spot <
    /// art·rate`; `lot = min(ink, lump)`, `art = min(art, lot·art/ink)`; grabs them
    /// into the Cat and `sin` to the Vow; kicks `flipper` with `tab = rmul(art·rate,
    /// chop)`, `bid = 0`.
    ///
    /// # Errors
    /// [`MakerError::CatNotLive`], [`MakerError::NotUnsafe`],
    /// [`MakerError::DivisionByZero`] (unsafe urn with `ink = 0`),
    /// [`MakerError::CatOverflow`], [`MakerError::UnknownId`], overflow. State (Vat and
    /// Flipper) unchanged on error.
    pub fn bite(
        &self,
        vat: &mut Vat,
        flipper: &mut Flipper,
        ilk: IlkId,
        urn: AccountId,
        now: u64,
    ) -> Result<Bite, MakerError> {
        let params = *self.ilks.get(ilk).ok_or(MakerError::UnknownId)?;
        let i = vat.ilk(ilk)?;
        let u = vat.urn(ilk, urn);
        if !self.live {
            return Err(MakerError::CatNotLive);
        }
        if !vat.is_unsafe(ilk, urn)? {
            return Err(MakerError::NotUnsafe);
        }
        let lot = u.ink.min(params.lump);
        let art = u.art.min(div(mul(lot, u.art)?, u.ink)?);
        let limit = U256::from(1) << 255;
        if lot > limit || art > limit {
            return Err(MakerError::CatOverflow);
        }
        let debt = mul(art, i.rate)?;
        let tab = rmul(debt, params.chop)?;
        let saved = vat.liquidation_entries(ilk, urn, self.address, self.vow);
        vat.grab_liquidate(ilk, urn, self.address, self.vow, lot, art)?;
        let id = flipper
            .kick(vat, self.address, urn, self.vow, tab, lot, U256::ZERO, now)
            .inspect_err(|_| vat.restore_entries(saved))?;
        Ok(Bite {
            id,
            lot,
            art,
            debt,
            tab,
        })
    }
}

/// `chop` of 13 % (ray), the ETH-A penalty of March 2020.
pub fn chop_13_percent() -> U256 {
    RAY + RAY * U256::from(13) / U256::from(100)
}
