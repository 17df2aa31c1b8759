//! The Vat: ilks, urns, internal DAI/gem balances, and the functions that change them.
//!
//! Source: `dss@1.0.0:src/vat.sol` (`Ilk`, `Urn`, `init`, `file`, `slip`, `flux`,
//! `move`, `frob`, `grab`, `fold`) and `cat.sol` (`ink·spot < art·rate`). Not modelled:
//! `live`/`cage` (the Vat is always live), `hope`/`nope` delegation, `fork`, `suck`,
//! `heal`.
//!
//! Accounting identities the functions keep (checked by `tests/vat.rs`):
//! `debt = Σ dai`, `vice = Σ sin` and `debt = Σ_ilk Art·rate + vice`.
//!
//! Signed amounts (`dink`, `dart`, `slip`'s `wad`, `fold`'s `rate`) are `i128`: the
//! contract's `int256` is wider, but every wad amount of a real vault is below 1e30 and a
//! rate change below 1e28, far inside `i128::MAX ≈ 1.7e38`.

use std::collections::BTreeMap;

use crate::math::{RAY, add, mul, sub};
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
    /// `Line`: global debt ceiling (rad).
    pub global_line: U256,
}

/// `x + d` for a signed `d` (`add(uint, int)` of `vat.sol`).
///
/// # Errors
/// [`MakerError::Overflow`] / [`MakerError::Underflow`].
pub(crate) fn add_signed(x: U256, d: i128) -> Result<U256, MakerError> {
    let m = U256::from(d.unsigned_abs());
    if d >= 0 { add(x, m) } else { sub(x, m) }
}

/// `x · d` for a signed `d` (`mul(uint, int)` of `vat.sol`), as (negative?, magnitude).
fn mul_signed(x: U256, d: i128) -> Result<(bool, U256), MakerError> {
    Ok((d < 0, mul(x, U256::from(d.unsigned_abs()))?))
}

/// `x ± m` for a signed magnitude `(neg, m)`.
fn apply(x: U256, (neg, m): (bool, U256)) -> Result<U256, MakerError> {
    if neg { sub(x, m) } else { add(x, m) }
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

    /// The ilk, mutably, or [`MakerError::UnknownId`].
    fn ilk_mut(&mut self, ilk: IlkId) -> Result<&mut Ilk, MakerError> {
        self.ilks.get_mut(ilk).ok_or(MakerError::UnknownId)
    }

    /// `init(ilk)` (`vat.sol`): sets `rate = 1 ray`. Ids are dense: initialising id `n`
    /// adds empty ilks up to `n`.
    ///
    /// # Errors
    /// [`MakerError::IlkAlreadyInit`] if `rate ≠ 0`.
    pub fn init(&mut self, ilk: IlkId) -> Result<(), MakerError> {
        if self.ilks.len() <= ilk {
            self.ilks.resize(ilk + 1, Ilk::default());
        }
        let i = &mut self.ilks[ilk];
        if !i.rate.is_zero() {
            return Err(MakerError::IlkAlreadyInit);
        }
        i.rate = RAY;
        Ok(())
    }

    /// `file("Line", rad)` (`vat.sol`): the global debt ceiling.
    pub fn file_global_line(&mut self, rad: U256) {
        self.global_line = rad;
    }

    /// `file(ilk, "line", rad)` (`vat.sol`): the ilk's debt ceiling.
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn file_line(&mut self, ilk: IlkId, rad: U256) -> Result<(), MakerError> {
        self.ilk_mut(ilk)?.line = rad;
        Ok(())
    }

    /// `file(ilk, "spot", ray)` (`vat.sol`; what `Spotter.poke` calls).
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn file_spot(&mut self, ilk: IlkId, ray: U256) -> Result<(), MakerError> {
        self.ilk_mut(ilk)?.spot = ray;
        Ok(())
    }

    /// `file(ilk, "dust", rad)` (`vat.sol`): the minimum debt of a vault.
    ///
    /// # Errors
    /// [`MakerError::UnknownId`].
    pub fn file_dust(&mut self, ilk: IlkId, rad: U256) -> Result<(), MakerError> {
        self.ilk_mut(ilk)?.dust = rad;
        Ok(())
    }

    /// `slip(ilk, usr, wad)` (`vat.sol`): adds the signed `wad` to `gem[ilk][usr]` (what
    /// the gem adapters call on join/exit).
    ///
    /// # Errors
    /// [`MakerError::Underflow`] when removing more than `usr` holds; overflow.
    pub fn slip(&mut self, ilk: IlkId, usr: AccountId, wad: i128) -> Result<(), MakerError> {
        let g = add_signed(self.gem_of(ilk, usr), wad)?;
        self.gem.insert((ilk, usr), g);
        Ok(())
    }

    /// `frob(ilk, u, v, w, dink, dart)` (`vat.sol`): locks `dink` gem of `v` into urn `u`
    /// and draws `dart` normalised debt from it as `dart·rate` DAI to `w` (negative
    /// values free collateral / repay from `w`). Checks in the contract's order:
    /// `Vat/ilk-not-init`; `Vat/ceiling-exceeded` when `dart > 0` and
    /// `Art·rate > line` or `debt > Line`; `Vat/not-safe` when the urn gets riskier
    /// (`dart > 0` or `dink < 0`) and `art·rate > ink·spot`; consent; `Vat/dust` when
    /// `0 < art·rate < dust`.
    ///
    /// Consent is simplified: the caller is `u` itself and `wish` has no `hope`
    /// delegation, so `Vat/not-allowed-u` cannot fire, and a `v` giving collateral
    /// (`dink > 0`) or a `w` repaying (`dart < 0`) must be `u`.
    ///
    /// # Errors
    /// The reverts above, [`MakerError::UnknownId`], under/overflow. Atomic.
    pub fn frob(
        &mut self,
        ilk: IlkId,
        u: AccountId,
        v: AccountId,
        w: AccountId,
        dink: i128,
        dart: i128,
    ) -> Result<(), MakerError> {
        let mut i = self.ilk(ilk)?;
        if i.rate.is_zero() {
            return Err(MakerError::IlkNotInit);
        }
        let mut urn = self.urn(ilk, u);
        urn.ink = add_signed(urn.ink, dink)?;
        urn.art = add_signed(urn.art, dart)?;
        i.art = add_signed(i.art, dart)?;
        let dtab = mul_signed(i.rate, dart)?;
        let tab = mul(i.rate, urn.art)?;
        let debt = apply(self.debt, dtab)?;
        if dart > 0 && (mul(i.art, i.rate)? > i.line || debt > self.global_line) {
            return Err(MakerError::CeilingExceeded);
        }
        let riskier = dart > 0 || dink < 0;
        if riskier && tab > mul(urn.ink, i.spot)? {
            return Err(MakerError::NotSafe);
        }
        if dink > 0 && v != u {
            return Err(MakerError::NotAllowedV);
        }
        if dart < 0 && w != u {
            return Err(MakerError::NotAllowedW);
        }
        if !urn.art.is_zero() && tab < i.dust {
            return Err(MakerError::Dust);
        }
        let gem_v = add_signed(
            self.gem_of(ilk, v),
            dink.checked_neg().ok_or(MakerError::Overflow)?,
        )?;
        let dai_w = apply(self.dai_of(w), dtab)?;
        self.ilks[ilk] = i;
        self.urns.insert((ilk, u), urn);
        self.gem.insert((ilk, v), gem_v);
        self.dai.insert(w, dai_w);
        self.debt = debt;
        Ok(())
    }

    /// `fold(ilk, u, rate)` (`vat.sol`): changes the ilk's `rate` by the signed ray
    /// `rate` and credits the resulting `Art·rate` (rad) of DAI to `u` (the Vow) and to
    /// `debt` — the stability fee (see [`crate::jug::Jug::drip`]).
    ///
    /// # Errors
    /// [`MakerError::UnknownId`], under/overflow. Atomic.
    pub fn fold(&mut self, ilk: IlkId, u: AccountId, rate: i128) -> Result<(), MakerError> {
        let mut i = self.ilk(ilk)?;
        i.rate = add_signed(i.rate, rate)?;
        let rad = mul_signed(i.art, rate)?;
        let dai_u = apply(self.dai_of(u), rad)?;
        let debt = apply(self.debt, rad)?;
        self.ilks[ilk] = i;
        self.dai.insert(u, dai_u);
        self.debt = debt;
        Ok(())
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
