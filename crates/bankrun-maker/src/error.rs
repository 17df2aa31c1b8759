//! Reverts of the Maker contracts (messages quoted).

/// A revert of a Maker contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MakerError {
    /// `mul`/`add` overflow (`require(... == x)` in DSMath-style helpers).
    #[error("overflow")]
    Overflow,
    /// `sub` underflow, e.g. moving more DAI or gem than an account has.
    #[error("underflow (insufficient balance)")]
    Underflow,
    /// Division by zero (Solidity 0.5 invalid opcode).
    #[error("division by zero")]
    DivisionByZero,
    /// `Cat/not-live`.
    #[error("Cat/not-live")]
    CatNotLive,
    /// `Cat/not-unsafe`: `ink·spot ≥ art·rate` or `spot == 0`.
    #[error("Cat/not-unsafe")]
    NotUnsafe,
    /// `Cat/overflow`: `lot` or `art` above 2^255.
    #[error("Cat/overflow")]
    CatOverflow,
    /// `Flipper/guy-not-set`: no such auction.
    #[error("Flipper/guy-not-set")]
    GuyNotSet,
    /// `Flipper/already-finished-tic`: the last bid expired.
    #[error("Flipper/already-finished-tic")]
    AlreadyFinishedTic,
    /// `Flipper/already-finished-end`: the auction ended.
    #[error("Flipper/already-finished-end")]
    AlreadyFinishedEnd,
    /// `Flipper/lot-not-matching`.
    #[error("Flipper/lot-not-matching")]
    LotNotMatching,
    /// `Flipper/higher-than-tab`.
    #[error("Flipper/higher-than-tab")]
    HigherThanTab,
    /// `Flipper/bid-not-higher`.
    #[error("Flipper/bid-not-higher")]
    BidNotHigher,
    /// `Flipper/insufficient-increase` (`bid·1e18 < beg·prev` and `bid ≠ tab`).
    #[error("Flipper/insufficient-increase")]
    InsufficientIncrease,
    /// `Flipper/not-matching-bid`.
    #[error("Flipper/not-matching-bid")]
    NotMatchingBid,
    /// `Flipper/tend-not-finished`: dent before `bid == tab`.
    #[error("Flipper/tend-not-finished")]
    TendNotFinished,
    /// `Flipper/lot-not-lower`.
    #[error("Flipper/lot-not-lower")]
    LotNotLower,
    /// `Flipper/insufficient-decrease` (`beg·lot > prevLot·1e18`).
    #[error("Flipper/insufficient-decrease")]
    InsufficientDecrease,
    /// `Flipper/not-finished` (deal before expiry, or tick while running).
    #[error("Flipper/not-finished")]
    NotFinished,
    /// `Flipper/bid-already-placed` (tick after a bid).
    #[error("Flipper/bid-already-placed")]
    BidAlreadyPlaced,
    /// `Flipper/already-dent-phase` (yank in the dent phase).
    #[error("Flipper/already-dent-phase")]
    AlreadyDentPhase,
    /// `OSM/not-passed`: poke before `zzz + hop`.
    #[error("OSM/not-passed")]
    OsmNotPassed,
    /// `OSM/is-stopped`.
    #[error("OSM/is-stopped")]
    OsmStopped,
    /// `OSM/no-current-value` (`read` without a value).
    #[error("OSM/no-current-value")]
    OsmNoCurrentValue,
    /// `OSM/ts-is-zero` (`step(0)`).
    #[error("OSM/ts-is-zero")]
    OsmZeroHop,
    /// `Vat/ceiling-exceeded`: `frob` drawing above the ilk `line` or the global `Line`
    /// (also PSM `sellGem` above the ilk `line`).
    #[error("Vat/ceiling-exceeded")]
    CeilingExceeded,
    /// `Vat/ilk-already-init`: `init` of an ilk whose `rate` is already set.
    #[error("Vat/ilk-already-init")]
    IlkAlreadyInit,
    /// `Vat/ilk-not-init`: `frob` of an ilk whose `rate` is 0.
    #[error("Vat/ilk-not-init")]
    IlkNotInit,
    /// `Vat/not-safe`: a riskier `frob` leaves `art·rate > ink·spot`.
    #[error("Vat/not-safe")]
    NotSafe,
    /// `Vat/not-allowed-v`: `frob` takes collateral from a `v` that did not consent.
    #[error("Vat/not-allowed-v")]
    NotAllowedV,
    /// `Vat/not-allowed-w`: `frob` takes DAI from a `w` that did not consent.
    #[error("Vat/not-allowed-w")]
    NotAllowedW,
    /// `Vat/dust`: an urn left with `0 < art·rate < dust`.
    #[error("Vat/dust")]
    Dust,
    /// `Jug/ilk-already-init`.
    #[error("Jug/ilk-already-init")]
    JugIlkAlreadyInit,
    /// `Jug/invalid-now`: `drip` with `now < rho`.
    #[error("Jug/invalid-now")]
    JugInvalidNow,
    /// `Jug/rho-not-updated`: `file(ilk, "duty")` without a `drip` at `now`.
    #[error("Jug/rho-not-updated")]
    JugRhoNotUpdated,
    /// Unknown ilk or auction id.
    #[error("unknown id")]
    UnknownId,
}
