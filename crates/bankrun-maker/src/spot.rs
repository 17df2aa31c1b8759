//! Spotter: turns an OSM price into the Vat's `spot`.
//!
//! Source: `dss@1.0.0:src/spot.sol` (`poke`): `spot = rdiv(rdiv(val·1e9, par), mat)`,
//! or 0 when the OSM has no current value.

use crate::math::{RAY, mul, rdiv};
use crate::{IlkId, MakerError, U256, Vat};

/// Per-ilk Spotter parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spotter {
    /// `par`: DAI reference price (ray, 1e27 = $1).
    pub par: U256,
    /// `mat`: liquidation ratio (ray, e.g. 1.5e27 for ETH-A).
    pub mat: U256,
}

impl Spotter {
    /// A Spotter with `par = 1e27` and liquidation ratio `mat` (ray).
    pub fn new(mat: U256) -> Self {
        Spotter { par: RAY, mat }
    }

    /// `poke`: `spot` (ray) from the OSM's `peek()`: `(val, has)` with `val` in wad
    /// USD; 0 if `!has`.
    ///
    /// # Errors
    /// Overflow; division by zero (`par` or `mat` = 0).
    pub fn spot(&self, val: U256, has: bool) -> Result<U256, MakerError> {
        if !has {
            return Ok(U256::ZERO);
        }
        rdiv(
            rdiv(mul(val, U256::from(1_000_000_000u64))?, self.par)?,
            self.mat,
        )
    }

    /// `poke(ilk)`: computes [`Spotter::spot`] from the OSM's `peek()` `(val, has)` and
    /// writes it with `vat.file(ilk, "spot", spot)`. Returns the new `spot` (ray).
    ///
    /// # Errors
    /// As [`Spotter::spot`]; [`MakerError::UnknownId`]. The Vat is unchanged on error.
    pub fn poke(
        &self,
        vat: &mut Vat,
        ilk: IlkId,
        val: U256,
        has: bool,
    ) -> Result<U256, MakerError> {
        let spot = self.spot(val, has)?;
        vat.file_spot(ilk, spot)?;
        Ok(spot)
    }
}
