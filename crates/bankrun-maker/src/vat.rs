//! The Vat basics needed for liquidations: ilks, urns, internal DAI/gem balances, and
//! the unsafe test.
//!
//! Source: `dss@1.0.0:src/vat.sol` (`Ilk`, `Urn`, `move`, `flux`, `grab`) and
//! `cat.sol` (`ink·spot < art·rate`). Only what Cat/Flipper/PSM need is modelled:
//! `frob`'s safety/dust rules, `fold` and `heal` are out of scope (debt accrual is set
//! via `rate`).

use std::collections::BTreeMap;

use crate::math::{add, mul, sub};
use crate::{AccountId, IlkId, MakerError, U256};

/// A collateral type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ilk {
    /// `Art`: total normalised debt (wad).
    pub art: U256,
    /// `rate`: accumulated stability rate (ray).
    pub rate: U256,
    /// `spot`: price with safety margin, `price/mat` (ray, DAI per unit).
    pub spot: U256,
    /// `line`: debt ceiling (rad).
    pub line: U256,
    /// `dust`: minimum debt (rad).
    pub dust: U256,
}

/// A vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Urn {
    /// `ink`: locked collateral (wad).
    pub ink: U256,
    /// `art`: normalised debt (wad).
    pub art: U256,
}

/// The Vat's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vat {
    /// Ilks by id.
    pub ilks: Vec<Ilk>,
    /// `urns[ilk][usr]`.
    pub urns: BTreeMap<(IlkId, AccountId), Urn>,
    /// `gem[ilk][usr]`: free collateral (wad).
    pub gem: BTreeMap<(IlkId, AccountId), U256>,
    /// `dai[usr]` (rad).
    pub dai: BTreeMap<AccountId, U256>,
    /// `sin[usr]`: unbacked debt (rad).
    pub sin: BTreeMap<AccountId, U256>,
    /// `debt`: total DAI issued (rad).
    pub debt: U256,
    /// `vice`: total unbacked debt (rad).
    pub vice: U256,
}

impl Vat {
    /// `urns[ilk][usr]` (zero if absent).
    pub fn urn(&self, ilk: IlkId, usr: AccountId) -> Urn {
        self.urns.get(&(ilk, usr)).copied().unwrap_or_default()
    }

    /// `gem[ilk][usr]` (wad).
    pub fn gem_of(&self, ilk: IlkId, usr: AccountId) -> U256 {
        self.gem.get(&(ilk, usr)).copied().unwrap_or_default()
    }

    /// `dai[usr]` (rad).
    pub fn dai_of(&self, usr: AccountId) -> U256 {
        self.dai.get(&usr).copied().unwrap_or_default()
    }

    /// The ilk, or [`MakerError::UnknownId`].
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn ilk(&self, ilk: IlkId) -> Result<Ilk, MakerError> {
        self.ilks.get(ilk).copied().ok_or(MakerError::UnknownId)
    }

    /// Whether the urn can be bitten: `spot > 0 && ink·spot < art·rate` (rad both sides).
    ///
    /// # Errors
    /// [`MakerError::UnknownId`], [`MakerError::Overflow`].
    pub fn is_unsafe(&self, ilk: IlkId, usr: AccountId) -> Result<bool, MakerError> {
        let i = self.ilk(ilk)?;
        let u = self.urn(ilk, usr);
        Ok(!i.spot.is_zero() && mul(u.ink, i.spot)? < mul(u.art, i.rate)?)
    }

    /// `move(src, dst, rad)`: internal DAI transfer (rad).
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if `src` holds less than `rad`; overflow.
    pub fn move_dai(
        &mut self,
        src: AccountId,
        dst: AccountId,
        rad: U256,
    ) -> Result<(), MakerError> {
        let s = sub(self.dai_of(src), rad)?;
        let d = if src == dst {
            self.dai_of(src)
        } else {
            add(self.dai_of(dst), rad)?
        };
        self.dai.insert(src, s);
        self.dai.insert(dst, d);
        Ok(())
    }

    /// `flux(ilk, src, dst, wad)`: internal collateral transfer (wad).
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if `src` holds less than `wad`; overflow.
    pub fn flux(
        &mut self,
        ilk: IlkId,
        src: AccountId,
        dst: AccountId,
        wad: U256,
    ) -> Result<(), MakerError> {
        let s = sub(self.gem_of(ilk, src), wad)?;
        let d = if src == dst {
            self.gem_of(ilk, src)
        } else {
            add(self.gem_of(ilk, dst), wad)?
        };
        self.gem.insert((ilk, src), s);
        self.gem.insert((ilk, dst), d);
        Ok(())
    }

    /// `grab(ilk, u, v, w, −dink, −dart)` as Cat uses it: removes `dink` collateral and
    /// `dart` normalised debt from urn `u`, credits `dink` gem to `v`, and books
    /// `dart·rate` (rad) of `sin` to `w` (and `vice`).
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if the urn or ilk holds less; overflow.
    pub fn grab_liquidate(
        &mut self,
        ilk: IlkId,
        u: AccountId,
        v: AccountId,
        w: AccountId,
        dink: U256,
        dart: U256,
    ) -> Result<(), MakerError> {
        let mut i = self.ilk(ilk)?;
        let mut urn = self.urn(ilk, u);
        urn.ink = sub(urn.ink, dink)?;
        urn.art = sub(urn.art, dart)?;
        i.art = sub(i.art, dart)?;
        let dtab = mul(i.rate, dart)?;
        let gem_v = add(self.gem_of(ilk, v), dink)?;
        let sin_w = add(self.sin.get(&w).copied().unwrap_or_default(), dtab)?;
        let vice = add(self.vice, dtab)?;
        self.ilks[ilk] = i;
        self.urns.insert((ilk, u), urn);
        self.gem.insert((ilk, v), gem_v);
        self.sin.insert(w, sin_w);
        self.vice = vice;
        Ok(())
    }

    /// Saves the entries `grab_liquidate` writes (to undo a failed bite).
    pub(crate) fn liquidation_entries(
        &self,
        ilk: IlkId,
        u: AccountId,
        v: AccountId,
        w: AccountId,
    ) -> Saved {
        Saved {
            ilk: (ilk, self.ilks.get(ilk).copied().unwrap_or_default()),
            urn: ((ilk, u), self.urn(ilk, u)),
            gem: ((ilk, v), self.gem_of(ilk, v)),
            sin: (w, self.sin.get(&w).copied().unwrap_or_default()),
            vice: self.vice,
        }
    }

    /// Restores entries saved by `liquidation_entries`.
    pub(crate) fn restore_entries(&mut self, s: Saved) {
        if let Some(i) = self.ilks.get_mut(s.ilk.0) {
            *i = s.ilk.1;
        }
        self.urns.insert(s.urn.0, s.urn.1);
        self.gem.insert(s.gem.0, s.gem.1);
        self.sin.insert(s.sin.0, s.sin.1);
        self.vice = s.vice;
    }
}

/// Entries of the Vat touched by a bite.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Saved {
    ilk: (IlkId, Ilk),
    urn: ((IlkId, AccountId), Urn),
    gem: ((IlkId, AccountId), U256),
    sin: (AccountId, U256),
    vice: U256,
}
