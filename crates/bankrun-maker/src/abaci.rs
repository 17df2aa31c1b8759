//! Liquidations 2.0 price curves (`Abacus`): the Clipper's price as a function of
//! time since kick.
//!
//! Source: `dss@fa4f6630:src/abaci.sol` (`LinearDecrease.price`,
//! `StairstepExponentialDecrease.price`, `ExponentialDecrease.price`). Prices and `cut`
//! are ray; `top` is the starting price (ray DAI per collateral unit); `dur`, `tau`,
//! `step` in seconds.

use crate::math::{RAY, div, mul, rmul, rpow};
use crate::{MakerError, U256};

/// `LinearDecrease.price(top, dur)`: 0 once `dur ≥ tau`, else `rmul(top, (tau −
/// dur)·1e27/tau)` (ray).
///
/// # Errors
/// Overflow.
pub fn linear_decrease(top: U256, dur: u64, tau: u64) -> Result<U256, MakerError> {
    if dur >= tau {
        return Ok(U256::ZERO);
    }
    let frac = div(mul(U256::from(tau - dur), RAY)?, U256::from(tau))?;
    rmul(top, frac)
}

/// `StairstepExponentialDecrease.price(top, dur)`: `rmul(top, rpow(cut, dur/step))`
/// (ray; `cut` ray, e.g. 0.99e27 per `step` seconds).
///
/// # Errors
/// [`MakerError::DivisionByZero`] if `step == 0`; overflow as [`rpow`].
pub fn stairstep_exponential_decrease(
    top: U256,
    dur: u64,
    cut: U256,
    step: u64,
) -> Result<U256, MakerError> {
    let steps = dur.checked_div(step).ok_or(MakerError::DivisionByZero)?;
    rmul(top, rpow(cut, steps, RAY)?)
}

/// `ExponentialDecrease.price(top, dur)`: `rmul(top, rpow(cut, dur))` (ray; `cut` per
/// second).
///
/// # Errors
/// Overflow as [`rpow`].
pub fn exponential_decrease(top: U256, dur: u64, cut: U256) -> Result<U256, MakerError> {
    rmul(top, rpow(cut, dur, RAY)?)
}
