//! Reverts of the Anchor contracts and of the chain around them (messages quoted where the
//! contracts define them).
//!
//! Sources: `money-market-contracts@e8853fab` `contracts/market/src/error.rs`,
//! `contracts/overseer/src/error.rs`, `contracts/liquidation_queue/src/bid.rs`;
//! `cosmwasm-bignumber 2.2.0` (`src/math.rs`, on `bigint 4.4.3`) for the arithmetic panics;
//! `packages/moneymarket/src/tokens.rs` for the collateral `sub`.

use crate::decimal::Uint256;

/// A revert (a failed transaction: every state change of the call is undone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    /// `bigint` 4.4 `U256` `+`/`*` overflow (`panic!("arithmetic operation overflow")`), also
    /// in an intermediate product such as `a·b` of `Decimal256 * Decimal256`.
    #[error("arithmetic operation overflow")]
    Overflow,
    /// `Decimal256`/`Uint256` `Sub` with `a < b` (`assert!(self.0 >= rhs.0)`), and
    /// `Tokens::sub` taking more collateral than is locked (`"Subtraction underflow"`).
    #[error("Subtraction underflow")]
    Underflow,
    /// Division by a zero `Decimal256` (`assert!(!rhs.is_zero())`) or a zero ratio
    /// denominator (`"Denominator must not be zero"`).
    #[error("Denominator must not be zero")]
    DivisionByZero,
    /// `Decimal256::from_str` rejects its input (`"Error parsing whole"`, `"Error parsing
    /// fractional"`, `"Cannot parse more than 18 fractional digits"`, `"Unexpected number of
    /// dots"`).
    #[error("invalid Decimal256: {0}")]
    Parse(&'static str),
    /// Market `ZeroDeposit`: `"Deposit amount must be greater than 0 uusd"`.
    #[error("Deposit amount must be greater than 0 uusd")]
    ZeroDeposit,
    /// Market `ZeroRepay`: `"Repay amount must be greater than 0 uusd"`.
    #[error("Repay amount must be greater than 0 uusd")]
    ZeroRepay,
    /// Market `NoStableAvailable`: a redeem or borrow would leave the market's uusd balance
    /// below `total_reserves`.
    #[error("Not enough uusd available; borrow demand too high")]
    NoStableAvailable,
    /// Market `MaxBorrowFactorReached`: `total_liabilities + borrow > (balance +
    /// total_liabilities − total_reserves)·max_borrow_factor`.
    #[error("Exceeds uusd max borrow factor; borrow demand too high")]
    MaxBorrowFactorReached,
    /// Market `BorrowExceedsLimit(borrow_limit)` (uusd).
    #[error("Borrow amount too high; Loan liability becomes greater than borrow limit: {0}")]
    BorrowExceedsLimit(Uint256),
    /// Market/overseer query at a block before `last_interest_updated`
    /// (`"block_height must bigger than last_interest_updated"`).
    #[error("block_height must bigger than last_interest_updated")]
    BlockInPast,
    /// aUST (cw20) transfer, send or burn of more than the holder's balance (cw20-base
    /// `StdError::Overflow`, "Cannot Sub").
    #[error("Cannot Sub: insufficient aUST balance")]
    InsufficientATerra,
    /// cw20-base `InvalidZeroAmount` ("Invalid zero amount"): `Mint`, `Send` or `Transfer`
    /// of 0 (aUST mint of a dust deposit; a bAsset `Send` of 0 to the liquidation queue).
    /// Assumption: aUST and the bAsset tokens keep cw20-base's check.
    #[error("Invalid zero amount")]
    InvalidZeroAmount,
    /// A `BankMsg::Send` of 0 uusd: cosmos-sdk `MsgSend.ValidateBasic` rejects a
    /// non-positive coin ("coin 0uusd amount is not positive"). Assumption: wasmd 0.16
    /// validates dispatched bank messages as the SDK does.
    #[error("0uusd: invalid coins")]
    ZeroBankSend,
    /// Overseer `EpochNotPassed(last_executed_height)`.
    #[error("An epoch has not passed yet; last executed height: {0}")]
    EpochNotPassed(u64),
    /// Overseer `CannotLiquidateSafeLoan`: `borrow_limit ≥ loan`.
    #[error("Cannot liquidate safely collateralized loan")]
    CannotLiquidateSafeLoan,
    /// Overseer `UnlockExceedsLocked`.
    #[error("Unlock amount cannot exceed locked amount")]
    UnlockExceedsLocked,
    /// Overseer `UnlockTooLarge(borrow_limit)` (uusd).
    #[error("Unlock amount too high; Loan liability becomes greater than borrow limit: {0}")]
    UnlockTooLarge(Uint256),
    /// A collateral id that is not whitelisted, or a price missing for it (the overseer's
    /// `read_whitelist_elem` / oracle query failing).
    #[error("collateral not whitelisted or not priced: {0}")]
    UnknownCollateral(usize),
    /// Liquidation queue: `"Not enough bids to execute this liquidation"`.
    #[error("Not enough bids to execute this liquidation")]
    NotEnoughBids,
}
