//! `Jug`: the stability fee, accrued into the Vat's `rate` by `drip`.
//!
//! Source: `dss@1.0.0:src/jug.sol` (`init`, `file`, `drip`). Per ilk: `duty` (per-second
//! fee factor, ray, e.g. `1.08^(1/31536000)` for 8 % a year) and `rho` (time of the last
//! drip, s); a global `base` added to every `duty`.

use crate::math::{RAY, add, rmul, rpow};
use crate::{AccountId, IlkId, MakerError, U256, Vat};

/// Per-ilk Jug parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JugIlk {
    /// `duty`: per-second stability fee factor (ray).
    pub duty: U256,
    /// `rho`: time of the last `drip` (s).
    pub rho: u64,
}

/// The Jug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jug {
    /// Per-ilk parameters by ilk id.
    pub ilks: Vec<JugIlk>,
    /// `base`: global per-second fee added to every `duty` (ray; 0 on mainnet).
    pub base: U256,
    /// `vow`: the Vow's Vat address, credited with the fee.
    pub vow: AccountId,
}

impl Jug {
    /// A Jug paying fees to `vow`, with `base = 0` and no ilks.
    pub fn new(vow: AccountId) -> Self {
        Jug {
            ilks: Vec::new(),
            base: U256::ZERO,
            vow,
        }
    }

    /// `init(ilk)` at `now`: `duty = 1 ray` (no fee), `rho = now`.
    ///
    /// # Errors
    /// [`MakerError::JugIlkAlreadyInit`] if `duty ≠ 0`.
    pub fn init(&mut self, ilk: IlkId, now: u64) -> Result<(), MakerError> {
        if self.ilks.len() <= ilk {
            self.ilks.resize(ilk + 1, JugIlk::default());
        }
        let i = &mut self.ilks[ilk];
        if !i.duty.is_zero() {
            return Err(MakerError::JugIlkAlreadyInit);
        }
        *i = JugIlk {
            duty: RAY,
            rho: now,
        };
        Ok(())
    }

    /// `file(ilk, "duty", ray)` at `now`: only right after a `drip` (`rho == now`), so a
    /// new fee never applies to time already elapsed.
    ///
    /// # Errors
    /// [`MakerError::JugRhoNotUpdated`], [`MakerError::UnknownId`].
    pub fn file_duty(&mut self, ilk: IlkId, duty: U256, now: u64) -> Result<(), MakerError> {
        let i = self.ilks.get_mut(ilk).ok_or(MakerError::UnknownId)?;
        if i.rho != now {
            return Err(MakerError::JugRhoNotUpdated);
        }
        i.duty = duty;
        Ok(())
    }

    /// `drip(ilk)` at `now`: `rate' = rmul(rpow(base + duty, now − rho, 1 ray), rate)`;
    /// `vat.fold(ilk, vow, rate' − rate)` credits `Art·(rate' − rate)` DAI to the Vow;
    /// `rho = now`. Returns the new `rate` (ray).
    ///
    /// # Errors
    /// [`MakerError::JugInvalidNow`] if `now < rho`; [`MakerError::UnknownId`];
    /// overflow (also a rate change beyond `i128`, which no real fee reaches).
    pub fn drip(&mut self, vat: &mut Vat, ilk: IlkId, now: u64) -> Result<U256, MakerError> {
        let j = *self.ilks.get(ilk).ok_or(MakerError::UnknownId)?;
        let elapsed = now.checked_sub(j.rho).ok_or(MakerError::JugInvalidNow)?;
        let prev = vat.ilk(ilk)?.rate;
        let rate = rmul(rpow(add(self.base, j.duty)?, elapsed, RAY)?, prev)?;
        let diff = if rate >= prev {
            i128::try_from(rate - prev).map_err(|_| MakerError::Overflow)?
        } else {
            -i128::try_from(prev - rate).map_err(|_| MakerError::Overflow)?
        };
        vat.fold(ilk, self.vow, diff)?;
        self.ilks[ilk].rho = now;
        Ok(rate)
    }
}
