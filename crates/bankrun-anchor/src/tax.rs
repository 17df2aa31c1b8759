//! Terra's stability fee ("tax") on stablecoin transfers, as the Anchor contracts deduct it.
//!
//! Sources: `money-market-contracts@e8853fab:packages/moneymarket/src/querier.rs`
//! (`compute_tax`, `deduct_tax`); Terra classic docs, treasury module spec
//! (`classic-docs.terra.money/docs/develop/module-specifications/spec-treasury.html`): tax
//! quoted in SDT and capped; **proposal 172 (passed 6 January 2022) set the tax rate to
//! zero**, so in May 2022 the rate is 0 and every `deduct_tax` is the identity. The default
//! here is that zero tax.
//!
//! Modelling note: a contract sending `amount` with `deduct_tax` puts `net =
//! deduct_tax(amount)` in the message and the chain charges the tax on top; this crate debits
//! the sender by the pre-tax `amount` and credits `net`. That is exact at rate 0 (May 2022)
//! and within the tax rounding (1 micro-unit) otherwise.

use crate::AnchorError;
use crate::decimal::{Decimal256, Uint256};

/// Tax rate and cap for uusd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TerraTax {
    /// Tax rate (fraction of the amount; 0 after proposal 172).
    pub rate: Decimal256,
    /// Tax cap for uusd (uusd; about 1 SDT before it stopped mattering).
    pub cap: Uint256,
}

impl TerraTax {
    /// No tax (the state from proposal 172, 6 Jan 2022, through May 2022).
    pub const ZERO: TerraTax = TerraTax {
        rate: Decimal256::ZERO,
        cap: Uint256::ZERO,
    };

    /// `compute_tax(amount)` = `min(amount·1 − amount/(1 + rate), cap)` (uusd; floor
    /// divisions as in `querier.rs`).
    ///
    /// # Errors
    /// Arithmetic overflow.
    pub fn compute_tax(&self, amount: Uint256) -> Result<Uint256, AnchorError> {
        let whole = amount.mul_dec(Decimal256::ONE)?;
        let pre = amount.div_dec(Decimal256::ONE.checked_add(self.rate)?)?;
        Ok(whole.checked_sub(pre)?.min(self.cap))
    }

    /// `deduct_tax(amount)` = `amount − compute_tax(amount)`: what the recipient of a contract's
    /// bank send of `amount` receives (uusd).
    ///
    /// # Errors
    /// Arithmetic overflow.
    pub fn deduct_tax(&self, amount: Uint256) -> Result<Uint256, AnchorError> {
        amount.checked_sub(self.compute_tax(amount)?)
    }
}

/// A `BankMsg::Send` of `amount` uusd must carry a positive coin.
///
/// # Errors
/// [`AnchorError::ZeroBankSend`] for 0.
pub(crate) fn check_bank_send(amount: Uint256) -> Result<(), AnchorError> {
    if amount.is_zero() {
        Err(AnchorError::ZeroBankSend)
    } else {
        Ok(())
    }
}
