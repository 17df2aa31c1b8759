//! Peg Stability Module: 1:1 swaps between a stablecoin gem and DAI with fixed fees.
//!
//! Source: `dss-psm@7d717d88:src/psm.sol` (`sellGem`, `buyGem`). `tin`/`tout` are wad
//! fees; `to18ConversionFactor = 10^(18 − gemDecimals)`. The PSM's vault is modelled by
//! its `ink`/`art` (wad; the PSM ilk's `rate` is 1 ray) and the ilk ceiling `line`
//! (rad). The fee DAI accrues to the Vow (`vow_dai`, wad).

use crate::math::{RAY, WAD, add, div, mul, sub};
use crate::{MakerError, U256};

/// PSM state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Psm {
    /// `to18ConversionFactor` (1e12 for a 6-decimal gem).
    pub to18: U256,
    /// `tin`: fee on gem → DAI (wad).
    pub tin: U256,
    /// `tout`: fee on DAI → gem (wad).
    pub tout: U256,
    /// Gem locked in the PSM vault (`ink`, wad).
    pub ink: U256,
    /// DAI debt of the PSM vault (`art`, wad).
    pub art: U256,
    /// Ilk debt ceiling `line` (rad).
    pub line: U256,
    /// Fee DAI sent to the Vow so far (wad).
    pub vow_dai: U256,
}

impl Psm {
    /// A PSM for a gem with `decimals` (≤ 18), fees `tin`, `tout` (wad) and ceiling
    /// `line` (rad).
    pub fn new(decimals: u32, tin: U256, tout: U256, line: U256) -> Self {
        let to18 = U256::from(10u64).pow(U256::from(18 - decimals.min(18)));
        Psm {
            to18,
            tin,
            tout,
            ink: U256::ZERO,
            art: U256::ZERO,
            line,
            vow_dai: U256::ZERO,
        }
    }

    /// `sellGem(usr, gemAmt)`: the user gives `gem_amt` (gem units) and receives
    /// `gem18 − gem18·tin/1e18` DAI (wad); returns `(dai_out, fee)`.
    ///
    /// # Errors
    /// [`MakerError::CeilingExceeded`] if `art·1e27 > line` afterwards; overflow.
    pub fn sell_gem(&mut self, gem_amt: U256) -> Result<(U256, U256), MakerError> {
        let gem18 = mul(gem_amt, self.to18)?;
        let fee = div(mul(gem18, self.tin)?, WAD)?;
        let dai = sub(gem18, fee)?;
        let ink = add(self.ink, gem18)?;
        let art = add(self.art, gem18)?;
        if mul(art, RAY)? > self.line {
            return Err(MakerError::CeilingExceeded);
        }
        self.ink = ink;
        self.art = art;
        self.vow_dai = add(self.vow_dai, fee)?;
        Ok((dai, fee))
    }

    /// `buyGem(usr, gemAmt)`: the user receives `gem_amt` (gem units) and pays
    /// `gem18 + gem18·tout/1e18` DAI (wad); returns `(dai_in, fee)`.
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if the PSM holds less gem (`ink`); overflow.
    pub fn buy_gem(&mut self, gem_amt: U256) -> Result<(U256, U256), MakerError> {
        let gem18 = mul(gem_amt, self.to18)?;
        let fee = div(mul(gem18, self.tout)?, WAD)?;
        let dai = add(gem18, fee)?;
        let ink = sub(self.ink, gem18)?;
        let art = sub(self.art, gem18)?;
        self.ink = ink;
        self.art = art;
        self.vow_dai = add(self.vow_dai, fee)?;
        Ok((dai, fee))
    }
}
