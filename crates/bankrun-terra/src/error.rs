//! Failures of the market module (the tx errors, with their on-chain messages).

use crate::dec::DecError;
use crate::market::Denom;

/// A failed market operation. A failing call leaves the [`crate::Market`] unchanged,
/// as a failed tx reverts its state changes on-chain.
///
/// Sources: `classic-terra/core` (`terra-money/core` v0.5.18 and v0.5.20)
/// `x/market/types/errors.go`, `x/oracle/types/errors.go`, cosmos-sdk
/// `types/errors` (`ErrInvalidCoins`) and the SDK panics listed per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TerraError {
    /// `market` error 2, `"recursive swap"`: offer denom equals ask denom.
    #[error("recursive swap: {0}")]
    RecursiveSwap(Denom),
    /// `market` error 3, `"no price registered with oracle"`: no LUNA exchange rate
    /// for the denom (`ComputeInternalSwap`).
    #[error("no price registered with oracle: {0}")]
    NoEffectivePrice(Denom),
    /// `market` error 4, `"zero swap coin"` (v0.5.20, from the swap-disable fork height
    /// on): the truncated amount for the trader is not positive.
    #[error("zero swap coin")]
    ZeroSwapCoin,
    /// `oracle` `ErrNoTobinTax`: a Terra⇄Terra swap with a denom without a Tobin tax.
    #[error("no tobin tax: {0}")]
    NoTobinTax(Denom),
    /// cosmos-sdk `ErrInvalidCoins`: an offer of zero or of more than 100 bits
    /// (`MsgSwap.ValidateBasic`), or an internal swap result `≤ 0`
    /// (`ComputeInternalSwap`). The payload says which.
    #[error("invalid coins: {0}")]
    InvalidCoins(&'static str),
    /// A negative coin amount (`sdk.NewCoin` panics; the tx fails).
    #[error("negative coin amount")]
    NegativeCoin,
    /// Market or oracle parameters outside their validated ranges
    /// (`Params.Validate`); the payload says which.
    #[error("invalid params: {0}")]
    InvalidParams(&'static str),
    /// `sdk.Dec` overflow or division by zero (SDK panics that fail the tx), or a
    /// supply total that would not fit a `u128`.
    #[error(transparent)]
    Math(#[from] DecError),
}
