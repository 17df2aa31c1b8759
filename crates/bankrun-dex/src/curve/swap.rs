//! Swaps: `get_dy`, `get_dy_underlying` (views) and `exchange`.
//!
//! Source: `StableSwap3Pool.vy` `get_dy`, `get_dy_underlying`, `exchange`. `get_dy`
//! converts to coin units before taking the fee; `exchange` takes the fee in normalised
//! units first, so the two can differ by rounding (as on-chain).

use super::{FEE_DENOMINATOR, PRECISION, StableSwap, get_y};
use crate::math::{add, div, mul, sub, u};
use crate::{DexError, U256};

/// Outcome of [`StableSwap::exchange`] (all coin wei of coin `j`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeOutcome {
    /// Coins of `j` paid to the trader.
    pub dy: U256,
    /// Admin fee of coin `j` removed from `balances[j]` (kept in `admin_balances`).
    pub admin_fee: U256,
}

impl StableSwap {
    /// Normalised `(xp, y, xp[j] − y − 1)` after adding `dx` (coin wei of `i`).
    fn dy_normalised(&self, i: usize, j: usize, dx: U256) -> Result<U256, DexError> {
        self.check_index(i)?;
        self.check_index(j)?;
        let xp = self.xp()?;
        let x = add(xp[i], div(mul(dx, self.rates[i])?, PRECISION)?)?;
        let y = get_y(i, j, x, &xp, self.amp()?)?;
        sub(sub(xp[j], y)?, u(1))
    }

    /// `get_dy(i, j, dx)` (view): coins of `j` (wei) received for `dx` wei of `i`, after
    /// the fee: `dy = (xp[j] − y − 1)·1e18/rates[j]; dy − fee·dy/1e10`.
    ///
    /// # Errors
    /// [`DexError::InvalidCoinIndex`], checked-arithmetic errors of the solvers.
    pub fn get_dy(&self, i: usize, j: usize, dx: U256) -> Result<U256, DexError> {
        let dy = div(
            mul(self.dy_normalised(i, j, dx)?, PRECISION)?,
            self.rates[j],
        )?;
        let fee = div(mul(self.fee, dy)?, FEE_DENOMINATOR)?;
        sub(dy, fee)
    }

    /// `get_dy_underlying(i, j, dx)` (view): as [`StableSwap::get_dy`] but converting with
    /// `PRECISION_MUL` (`x = xp[i] + dx·mul[i]`, `dy = (xp[j] − y − 1)/mul[j]`).
    ///
    /// # Errors
    /// As [`StableSwap::get_dy`].
    pub fn get_dy_underlying(&self, i: usize, j: usize, dx: U256) -> Result<U256, DexError> {
        self.check_index(i)?;
        self.check_index(j)?;
        let xp = self.xp()?;
        let x = add(xp[i], mul(dx, self.precision_mul(i))?)?;
        let y = get_y(i, j, x, &xp, self.amp()?)?;
        let dy = div(sub(sub(xp[j], y)?, u(1))?, self.precision_mul(j))?;
        sub(dy, div(mul(self.fee, dy)?, FEE_DENOMINATOR)?)
    }

    /// `exchange(i, j, dx, min_dy)`: sells `dx` wei of coin `i` for coin `j`.
    /// `dy = xp[j] − y − 1; dy_fee = dy·fee/1e10; out = (dy − dy_fee)·1e18/rates[j]`; the
    /// admin share `dy_fee·admin_fee/1e10·1e18/rates[j]` leaves `balances[j]`.
    ///
    /// # Errors
    /// [`DexError::Killed`], [`DexError::InvalidCoinIndex`], [`DexError::Slippage`] if
    /// `out < min_dy`, checked-arithmetic errors. The state is unchanged on error.
    pub fn exchange(
        &mut self,
        i: usize,
        j: usize,
        dx: U256,
        min_dy: U256,
    ) -> Result<ExchangeOutcome, DexError> {
        self.check_alive()?;
        let dy = self.dy_normalised(i, j, dx)?;
        let dy_fee = div(mul(dy, self.fee)?, FEE_DENOMINATOR)?;
        let out = div(mul(sub(dy, dy_fee)?, PRECISION)?, self.rates[j])?;
        if out < min_dy {
            return Err(DexError::Slippage);
        }
        let admin = div(mul(dy_fee, self.admin_fee)?, FEE_DENOMINATOR)?;
        let admin = div(mul(admin, PRECISION)?, self.rates[j])?;
        let new_i = add(self.balances[i], dx)?;
        let new_j = sub(sub(self.balances[j], out)?, admin)?;
        let new_admin_j = add(self.admin_balances[j], admin)?;
        self.balances[i] = new_i;
        self.balances[j] = new_j;
        self.admin_balances[j] = new_admin_j;
        Ok(ExchangeOutcome {
            dy: out,
            admin_fee: admin,
        })
    }
}
