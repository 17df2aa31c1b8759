//! Error type shared by the venues.

/// A failure of a venue operation. For the on-chain venues every variant is a revert of
/// the contract (its message is quoted); for the CEX model it is an invalid input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DexError {
    /// Checked `uint256` overflow (Solidity `ds-math-mul-overflow`/`ds-math-add-overflow`,
    /// vyper checked arithmetic).
    #[error("uint256 overflow")]
    Overflow,
    /// Checked `uint256` underflow (`ds-math-sub-underflow`, vyper checked subtraction).
    #[error("uint256 underflow")]
    Underflow,
    /// Division by zero (vyper and Solidity revert).
    #[error("division by zero")]
    DivisionByZero,
    /// `UniswapV2: INSUFFICIENT_INPUT_AMOUNT`.
    #[error("UniswapV2: INSUFFICIENT_INPUT_AMOUNT")]
    InsufficientInputAmount,
    /// `UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT`.
    #[error("UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT")]
    InsufficientOutputAmount,
    /// `UniswapV2: INSUFFICIENT_AMOUNT` (`quote` with a zero amount).
    #[error("UniswapV2: INSUFFICIENT_AMOUNT")]
    InsufficientAmount,
    /// `UniswapV2: INSUFFICIENT_LIQUIDITY` (zero reserves, or an output ≥ reserve).
    #[error("UniswapV2: INSUFFICIENT_LIQUIDITY")]
    InsufficientLiquidity,
    /// `UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED`.
    #[error("UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED")]
    InsufficientLiquidityMinted,
    /// `UniswapV2: INSUFFICIENT_LIQUIDITY_BURNED`.
    #[error("UniswapV2: INSUFFICIENT_LIQUIDITY_BURNED")]
    InsufficientLiquidityBurned,
    /// `UniswapV2: K`: the fee-adjusted invariant would decrease.
    #[error("UniswapV2: K")]
    K,
    /// `UniswapV2: OVERFLOW`: a balance does not fit in `uint112`.
    #[error("UniswapV2: OVERFLOW (balance exceeds uint112)")]
    ReserveOverflow,
    /// Curve: a coin index is out of range, or `i == j`.
    #[error("Curve: invalid coin index")]
    InvalidCoinIndex,
    /// Curve: an amount vector does not have `N_COINS` entries (a call-data error).
    #[error("Curve: wrong number of coins")]
    WrongCoinCount,
    /// Curve `add_liquidity`: "dev: initial deposit requires all coins".
    #[error("Curve: initial deposit requires all coins")]
    InitialDepositRequiresAllCoins,
    /// Curve `add_liquidity`: `assert D1 > D0`.
    #[error("Curve: invariant did not increase")]
    InvariantNotIncreased,
    /// Curve slippage guards ("Slippage screwed you", "Exchange resulted in fewer coins
    /// than expected", "Withdrawal resulted in fewer coins than expected", "Not enough
    /// coins removed").
    #[error("Curve: slippage limit")]
    Slippage,
    /// Curve `remove_liquidity_imbalance`: "dev: zero total supply".
    #[error("Curve: zero total supply")]
    ZeroTotalSupply,
    /// Curve `remove_liquidity_imbalance`: "dev: zero tokens burned".
    #[error("Curve: zero tokens burned")]
    ZeroTokensBurned,
    /// Curve LP `burnFrom`: more LP tokens than exist ("dev: insufficient funds").
    #[error("Curve: insufficient LP tokens")]
    InsufficientLpTokens,
    /// Curve: the pool is killed ("dev: is killed").
    #[error("Curve: pool is killed")]
    Killed,
    /// Curve `ramp_A`: a timing or size constraint of the ramp is violated.
    #[error("Curve: invalid A ramp")]
    InvalidRamp,
    /// CEX model: a parameter or input is negative, zero where positive is required, or
    /// not finite.
    #[error("CEX: invalid input")]
    InvalidInput,
}
