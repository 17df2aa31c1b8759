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
    /// A revert of the runnable Comet market ([`crate::comet_market::Comet`]).
    #[error("Comet: {0}")]
    Comet(#[from] CometError),
}

/// A revert of Compound III (`compound-finance/comet@d5a30b0a`): the custom errors of
/// `Comet.sol` and `CometMath.sol`, named as the contract names them, plus the ERC-20
/// and ordering failures the contract would surface as a token revert or a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CometError {
    /// `BadAsset()`: the asset is not one of the market's collateral assets.
    #[error("BadAsset")]
    BadAsset,
    /// `BadDecimals()`: base decimals above 18 or below 6 (`baseScale < BASE_ACCRUAL_SCALE`),
    /// or collateral decimals above 18.
    #[error("BadDecimals")]
    BadDecimals,
    /// `BadDiscount()`: `storeFrontPriceFactor > FACTOR_SCALE`.
    #[error("BadDiscount")]
    BadDiscount,
    /// `BadPrice()`: a price feed answered `price ≤ 0`.
    #[error("BadPrice")]
    BadPrice,
    /// `BorrowCFTooLarge()`: `borrowCollateralFactor ≥ liquidateCollateralFactor`
    /// (also after descaling to 4 decimals).
    #[error("BorrowCFTooLarge")]
    BorrowCFTooLarge,
    /// `BorrowTooSmall()`: a new or remaining borrow below `baseBorrowMin`.
    #[error("BorrowTooSmall")]
    BorrowTooSmall,
    /// `InsufficientReserves()`: `buyCollateral` above the collateral reserves, or
    /// `withdrawReserves` above the base reserves.
    #[error("InsufficientReserves")]
    InsufficientReserves,
    /// `LiquidateCFTooLarge()`: `liquidateCollateralFactor > 1e18`.
    #[error("LiquidateCFTooLarge")]
    LiquidateCFTooLarge,
    /// `NotCollateralized()`: the account would not be borrow-collateralized.
    #[error("NotCollateralized")]
    NotCollateralized,
    /// `NotForSale()`: `buyCollateral` while reserves ≥ `targetReserves`.
    #[error("NotForSale")]
    NotForSale,
    /// `NotLiquidatable()`: `absorb` of an account that is not liquidatable.
    #[error("NotLiquidatable")]
    NotLiquidatable,
    /// `Paused()`: the action's pause flag is set.
    #[error("Paused")]
    Paused,
    /// `SupplyCapExceeded()`: `totalSupplyAsset` would exceed the asset's `supplyCap`.
    #[error("SupplyCapExceeded")]
    SupplyCapExceeded,
    /// `TimestampTooLarge()`: `block.timestamp ≥ 2^40`.
    #[error("TimestampTooLarge")]
    TimestampTooLarge,
    /// `TooManyAssets()`: more collateral assets than the contract has slots for.
    #[error("TooManyAssets")]
    TooManyAssets,
    /// `TooMuchSlippage()`: `buyCollateral` would give less than `minAmount`.
    #[error("TooMuchSlippage")]
    TooMuchSlippage,
    /// `TransferOutFailed()`: the contract does not hold the tokens it must send (on
    /// mainnet the ERC-20 `transfer` itself reverts; this is the Bank-run case
    /// "withdraw beyond the market's liquidity").
    #[error("TransferOutFailed")]
    TransferOutFailed,
    /// `InvalidUInt64()` (`CometMath.safe64`).
    #[error("InvalidUInt64")]
    InvalidUInt64,
    /// `InvalidUInt104()` (`CometMath.safe104`).
    #[error("InvalidUInt104")]
    InvalidUInt104,
    /// `InvalidUInt128()` (`CometMath.safe128`).
    #[error("InvalidUInt128")]
    InvalidUInt128,
    /// `InvalidInt104()` (`CometMath.signed104`).
    #[error("InvalidInt104")]
    InvalidInt104,
    /// `InvalidInt256()` (`CometMath.signed256`).
    #[error("InvalidInt256")]
    InvalidInt256,
    /// `NegativeNumber()` (`CometMath.unsigned256`).
    #[error("NegativeNumber")]
    NegativeNumber,
    /// A timestamp before `lastAccrualTime` (on-chain `now − lastAccrualTime` would
    /// panic; block timestamps never go back).
    #[error("timestamp before lastAccrualTime")]
    TimestampInPast,
}
