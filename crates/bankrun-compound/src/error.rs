//! Errors: reverts of `CToken`/`Comptroller` and the Comptroller's error codes.

/// `ComptrollerErrorReporter.Error`: the non-zero codes the Comptroller's `*Allowed`
/// hooks return; the CToken turns them into `*ComptrollerRejection(code)` reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComptrollerError {
    /// `INSUFFICIENT_SHORTFALL` (3): liquidation of a healthy account.
    InsufficientShortfall = 3,
    /// `INSUFFICIENT_LIQUIDITY` (4): the action would leave a shortfall.
    InsufficientLiquidity = 4,
    /// `MARKET_NOT_LISTED` (9).
    MarketNotListed = 9,
    /// `NONZERO_BORROW_BALANCE` (12): exiting a market with debt.
    NonzeroBorrowBalance = 12,
    /// `PRICE_ERROR` (13): the oracle returned 0.
    PriceError = 13,
    /// `TOO_MUCH_REPAY` (17): repay above `closeFactor·borrowBalance`.
    TooMuchRepay = 17,
}

/// A revert of Compound v2 (custom errors of `compound-protocol@a3214f67`, `require`
/// messages quoted) or of Comet's math.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CompoundError {
    /// Checked arithmetic overflow (Solidity 0.8 `Panic(0x11)`).
    #[error("arithmetic overflow")]
    Overflow,
    /// Checked arithmetic underflow (`Panic(0x11)`).
    #[error("arithmetic underflow")]
    Underflow,
    /// Division by zero (`Panic(0x12)`).
    #[error("division by zero")]
    DivisionByZero,
    /// `accrueInterest`: "borrow rate is absurdly high" (`> borrowRateMaxMantissa`).
    #[error("borrow rate is absurdly high")]
    BorrowRateAbsurdlyHigh,
    /// Accrual to a block before `accrualBlockNumber` (cannot happen on-chain).
    #[error("block number before last accrual")]
    BlockInPast,
    /// A Comptroller hook rejected the action (`MintComptrollerRejection(code)`,
    /// `RedeemComptrollerRejection`, `BorrowComptrollerRejection`,
    /// `LiquidateComptrollerRejection`, …).
    #[error("comptroller rejection: {0:?}")]
    ComptrollerRejection(ComptrollerError),
    /// `RedeemTransferOutNotPossible`: `getCash() < redeemAmount`.
    #[error("RedeemTransferOutNotPossible")]
    RedeemTransferOutNotPossible,
    /// `BorrowCashNotAvailable`: `getCash() < borrowAmount`.
    #[error("BorrowCashNotAvailable")]
    BorrowCashNotAvailable,
    /// `redeemVerify`: "redeemTokens zero" (a positive amount for 0 tokens).
    #[error("redeemTokens zero")]
    RedeemTokensZero,
    /// "market borrow cap reached".
    #[error("market borrow cap reached")]
    BorrowCapReached,
    /// `LiquidateLiquidatorIsBorrower` / `LiquidateSeizeLiquidatorIsBorrower`.
    #[error("LiquidateLiquidatorIsBorrower")]
    LiquidatorIsBorrower,
    /// `LiquidateCloseAmountIsZero`.
    #[error("LiquidateCloseAmountIsZero")]
    LiquidateCloseAmountIsZero,
    /// `LiquidateCloseAmountIsUintMax`.
    #[error("LiquidateCloseAmountIsUintMax")]
    LiquidateCloseAmountIsUintMax,
    /// "LIQUIDATE_COMPTROLLER_CALCULATE_AMOUNT_SEIZE_FAILED" (a zero price).
    #[error("LIQUIDATE_COMPTROLLER_CALCULATE_AMOUNT_SEIZE_FAILED")]
    SeizeCalculationFailed,
    /// "LIQUIDATE_SEIZE_TOO_MUCH": the borrower holds fewer cTokens than the seize.
    #[error("LIQUIDATE_SEIZE_TOO_MUCH")]
    SeizeTooMuch,
    /// "Can not repay more than the total borrow" (deprecated-market liquidation).
    #[error("Can not repay more than the total borrow")]
    RepayMoreThanBorrow,
    /// An account's token or borrow balance is smaller than the amount moved
    /// (`Panic(0x11)` on the subtraction).
    #[error("insufficient balance")]
    InsufficientBalance,
    /// An unknown market id (no contract at that address).
    #[error("unknown market")]
    UnknownMarket,
    /// A parameter outside its allowed range (e.g. Comet `price ≤ 0`).
    #[error("invalid parameter")]
    InvalidParameter,
}
