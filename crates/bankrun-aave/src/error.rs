//! Errors of the pool, named after Aave v3.6 `Errors` custom errors.

use crate::{AssetId, U256};
use bankrun_math::MathError;

/// Why a pool action reverted. Variant names follow `Errors.sol` of aave-v3-origin
/// v3.6.0 (custom errors); the few non-Aave variants document which Solidity revert
/// they stand for. A failed action leaves the pool unchanged (the transaction reverted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// `Errors.ReserveFrozen`: supply/borrow on a frozen reserve.
    #[error("ReserveFrozen")]
    ReserveFrozen,
    /// `Errors.ReservePaused`: any user action on a paused reserve.
    #[error("ReservePaused")]
    ReservePaused,
    /// `Errors.ReserveInactive`: the reserve is not active.
    #[error("ReserveInactive")]
    ReserveInactive,
    /// `Errors.InvalidAmount`: zero (scaled) amount, or borrow above aToken total supply.
    #[error("InvalidAmount")]
    InvalidAmount,
    /// `Errors.NotEnoughAvailableUserBalance`: withdraw or deficit elimination above the
    /// user's aToken balance.
    #[error("NotEnoughAvailableUserBalance")]
    NotEnoughAvailableUserBalance,
    /// `Errors.HealthFactorLowerThanLiquidationThreshold`: the action would leave HF < 1.
    #[error("HealthFactorLowerThanLiquidationThreshold")]
    HealthFactorLowerThanLiquidationThreshold,
    /// `Errors.CollateralCannotCoverNewBorrow`: `collateral < percentDivCeil(debt, ltv)`
    /// after a borrow.
    #[error("CollateralCannotCoverNewBorrow")]
    CollateralCannotCoverNewBorrow,
    /// `Errors.CollateralBalanceIsZero` (v3.0–v3.5). Not produced by v3.6, where a
    /// borrow without collateral fails with [`PoolError::LtvValidationFailed`]; kept for
    /// a later v3.0 conformance mode.
    #[error("CollateralBalanceIsZero")]
    CollateralBalanceIsZero,
    /// `Errors.BorrowingNotEnabled`: borrowing disabled outside e-mode.
    #[error("BorrowingNotEnabled")]
    BorrowingNotEnabled,
    /// `Errors.SupplyCapExceeded`.
    #[error("SupplyCapExceeded")]
    SupplyCapExceeded,
    /// `Errors.BorrowCapExceeded`.
    #[error("BorrowCapExceeded")]
    BorrowCapExceeded,
    /// `Errors.NoDebtOfSelectedType`: repay without debt.
    #[error("NoDebtOfSelectedType")]
    NoDebtOfSelectedType,
    /// `Errors.NoExplicitAmountToRepayOnBehalf`: `amount == MAX` when repaying for
    /// someone else.
    #[error("NoExplicitAmountToRepayOnBehalf")]
    NoExplicitAmountToRepayOnBehalf,
    /// `Errors.UnderlyingBalanceZero`: enabling collateral with a zero aToken balance.
    #[error("UnderlyingBalanceZero")]
    UnderlyingBalanceZero,
    /// `Errors.UserInIsolationModeOrLtvZero`: enabling as collateral an asset whose LTV
    /// (for the user's e-mode) is zero.
    #[error("UserInIsolationModeOrLtvZero")]
    UserInIsolationModeOrLtvZero,
    /// `Errors.HealthFactorNotBelowThreshold`: liquidation of a user with HF ≥ 1.
    #[error("HealthFactorNotBelowThreshold")]
    HealthFactorNotBelowThreshold,
    /// `Errors.CollateralCannotBeLiquidated`: the asset is not enabled as collateral.
    #[error("CollateralCannotBeLiquidated")]
    CollateralCannotBeLiquidated,
    /// `Errors.SpecifiedCurrencyNotBorrowedByUser`: no debt in the debt asset.
    #[error("SpecifiedCurrencyNotBorrowedByUser")]
    SpecifiedCurrencyNotBorrowedByUser,
    /// `Errors.MustNotLeaveDust`: a partial liquidation would leave < $1,000 of debt or
    /// collateral in the liquidated reserves.
    #[error("MustNotLeaveDust")]
    MustNotLeaveDust,
    /// `Errors.SelfLiquidation`: liquidator == borrower.
    #[error("SelfLiquidation")]
    SelfLiquidation,
    /// `Errors.NotBorrowableInEMode`: asset not in the category's borrowable bitmap.
    #[error("NotBorrowableInEMode")]
    NotBorrowableInEMode,
    /// `Errors.InconsistentEModeCategory`: entering a category that does not exist.
    #[error("InconsistentEModeCategory")]
    InconsistentEModeCategory,
    /// `Errors.InvalidCollateralInEmode(reserve, categoryId)` (v3.6): a collateral of the
    /// user would have LTV 0 in the target e-mode.
    #[error("InvalidCollateralInEmode({asset}, {category})")]
    InvalidCollateralInEmode {
        /// Offending reserve.
        asset: AssetId,
        /// Target category.
        category: u8,
    },
    /// `Errors.InvalidDebtInEmode(reserve, categoryId)` (v3.6): a borrowed asset is not
    /// borrowable in the target e-mode.
    #[error("InvalidDebtInEmode({asset}, {category})")]
    InvalidDebtInEmode {
        /// Offending reserve.
        asset: AssetId,
        /// Target category.
        category: u8,
    },
    /// `Errors.MustBeEmodeCollateral(reserve, categoryId)` (v3.6): LTV-zero flag for an
    /// asset that is not collateral in the category.
    #[error("MustBeEmodeCollateral({asset}, {category})")]
    MustBeEmodeCollateral {
        /// Offending reserve.
        asset: AssetId,
        /// Category.
        category: u8,
    },
    /// `Errors.LtvValidationFailed`: average LTV is zero on borrow, or an LTV-zero
    /// collateral must be withdrawn first.
    #[error("LtvValidationFailed")]
    LtvValidationFailed,
    /// `Errors.LiquidationGraceSentinelCheckFailed`: a reserve is in its post-unpause
    /// liquidation grace period.
    #[error("LiquidationGraceSentinelCheckFailed")]
    LiquidationGraceSentinelCheckFailed,
    /// `Errors.ReserveNotInDeficit`.
    #[error("ReserveNotInDeficit")]
    ReserveNotInDeficit,
    /// `Errors.UserCannotHaveDebt`: deficit eliminator has borrows.
    #[error("UserCannotHaveDebt")]
    UserCannotHaveDebt,
    /// `Errors.InvalidMintAmount`: a token mint of zero scaled units.
    #[error("InvalidMintAmount")]
    InvalidMintAmount,
    /// `Errors.InvalidBurnAmount`: a token burn of zero scaled units (e.g. repaying
    /// 1 wei at an index > 1).
    #[error("InvalidBurnAmount")]
    InvalidBurnAmount,
    /// Not enough virtual liquidity: on-chain `virtualUnderlyingBalance + added − taken`
    /// in the rate strategy (or `virtualUnderlyingBalance -= taken`) underflows and the
    /// transaction reverts with **`Panic(0x11)`**; there is no Aave error code.
    #[error("InsufficientLiquidity (Panic(0x11))")]
    InsufficientLiquidity,
    /// Arithmetic overflow: `revert(0,0)` in `WadRayMath`/`PercentageMath` or
    /// `Panic(0x11)` in checked Solidity arithmetic.
    #[error("MathOverflow")]
    MathOverflow,
    /// Division by zero (`Panic(0x12)`, or `revert(0,0)` in the math libraries), e.g. a
    /// zero oracle price in a liquidation.
    #[error("DivisionByZero")]
    DivisionByZero,
    /// OpenZeppelin `SafeCast` overflow (`toUint128`/`toUint120`).
    #[error("SafeCastOverflow")]
    SafeCastOverflow,
    /// `now` is earlier than the reserve's last update (on-chain `block.timestamp −
    /// lastUpdateTimestamp` would underflow, Panic(0x11)).
    #[error("InvalidTimestamp")]
    InvalidTimestamp,
    /// `Errors.AssetNotListed`: unknown asset id.
    #[error("AssetNotListed")]
    AssetNotListed,
    /// `Errors.NoMoreReservesAllowed`: 128 reserves max.
    #[error("NoMoreReservesAllowed")]
    NoMoreReservesAllowed,
    /// `Errors.InvalidReserveParams`: LTV/LT/bonus invariants violated.
    #[error("InvalidReserveParams")]
    InvalidReserveParams,
    /// `Errors.InvalidEmodeCategoryParams`.
    #[error("InvalidEmodeCategoryParams")]
    InvalidEmodeCategoryParams,
    /// `Errors.EModeCategoryReserved`: category 0 cannot be configured.
    #[error("EModeCategoryReserved")]
    EModeCategoryReserved,
    /// `Errors.InvalidReserveFactor`: reserve factor > 10000 bps.
    #[error("InvalidReserveFactor")]
    InvalidReserveFactor,
    /// `Errors.InvalidLiquidationProtocolFee`: fee > 10000 bps.
    #[error("InvalidLiquidationProtocolFee")]
    InvalidLiquidationProtocolFee,
    /// `Errors.InvalidSupplyCap`: cap > 2^36 − 1.
    #[error("InvalidSupplyCap")]
    InvalidSupplyCap,
    /// `Errors.InvalidBorrowCap`: cap > 2^36 − 1.
    #[error("InvalidBorrowCap")]
    InvalidBorrowCap,
    /// `Errors.InvalidDecimals`: decimals ≤ 5 (`ConfiguratorLogic`), or > 77 (would
    /// overflow `10**decimals` in uint256; rejected here).
    #[error("InvalidDecimals")]
    InvalidDecimals,
    /// `Errors.InvalidOptimalUsageRatio`: optimal outside [1 %, 99 %].
    #[error("InvalidOptimalUsageRatio")]
    InvalidOptimalUsageRatio,
    /// `Errors.Slope2MustBeGteSlope1`.
    #[error("Slope2MustBeGteSlope1")]
    Slope2MustBeGteSlope1,
    /// `Errors.InvalidMaxRate`: base + slope1 + slope2 > 1000 %.
    #[error("InvalidMaxRate")]
    InvalidMaxRate,
    /// `Errors.InvalidGracePeriod`: grace period > 4 hours.
    #[error("InvalidGracePeriod")]
    InvalidGracePeriod,
    /// `Errors.InvalidFreezeState`: freezing a frozen (or unfreezing an unfrozen) reserve.
    #[error("InvalidFreezeState")]
    InvalidFreezeState,
    /// `Errors.InvalidLtvzeroState`: `setReserveLtvzero` changed nothing.
    #[error("InvalidLtvzeroState")]
    InvalidLtvzeroState,
    /// `Errors.ReserveLiquidityNotZero`: configuration change requires no suppliers.
    #[error("ReserveLiquidityNotZero")]
    ReserveLiquidityNotZero,
    // ---- Aave v2 (protocol-math-aave-v2-uniswap-v3.md §A.10–§A.12) ----
    /// v2 `LP_IS_PAUSED` (`64`): the pool is globally paused ([`crate::Pool::set_pool_pause`]).
    #[error("PoolPaused")]
    PoolPaused,
    /// v2 `VL_TRANSFER_NOT_ALLOWED` (`6`): `balanceDecreaseAllowed` refused a withdraw.
    #[error("TransferNotAllowed")]
    TransferNotAllowed,
    /// v2 `VL_STABLE_BORROWING_NOT_ENABLED` (`12`).
    #[error("StableBorrowingNotEnabled")]
    StableBorrowingNotEnabled,
    /// v2 `VL_COLLATERAL_SAME_AS_BORROWING_CURRENCY` (`13`).
    #[error("CollateralSameAsBorrowingCurrency")]
    CollateralSameAsBorrowingCurrency,
    /// v2 `VL_AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE` (`14`): stable borrow above 25 % of
    /// the available liquidity.
    #[error("AmountBiggerThanMaxLoanSizeStable")]
    AmountBiggerThanMaxLoanSizeStable,
    /// v2 `VL_NO_STABLE_RATE_LOAN_IN_RESERVE` (`17`): rate swap without stable debt.
    #[error("NoStableRateLoanInReserve")]
    NoStableRateLoanInReserve,
    /// v2 `VL_NO_VARIABLE_RATE_LOAN_IN_RESERVE` (`18`): rate swap without variable debt.
    #[error("NoVariableRateLoanInReserve")]
    NoVariableRateLoanInReserve,
    /// v2 `VL_DEPOSIT_ALREADY_IN_USE` (`20`): disabling collateral would drop HF below 1.
    #[error("DepositAlreadyInUse")]
    DepositAlreadyInUse,
    /// v2 `LP_INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET` (`22`).
    #[error("InterestRateRebalanceConditionsNotMet")]
    InterestRateRebalanceConditionsNotMet,
    /// v2 `LP_LIQUIDATION_CALL_FAILED` (`23`): a revert inside the delegatecalled
    /// `LendingPoolCollateralManager`; on-chain the inner reason is lost, here it is kept.
    #[error("LiquidationCallFailed({0})")]
    LiquidationCallFailed(Box<PoolError>),
    /// v2 `LPCM_NOT_ENOUGH_LIQUIDITY_TO_LIQUIDATE` (`45`): the collateral aToken holds less
    /// underlying than the collateral to pay out.
    #[error("NotEnoughLiquidityToLiquidate")]
    NotEnoughLiquidityToLiquidate,
    /// v2 `RL_LIQUIDITY_INDEX_OVERFLOW` (`51`).
    #[error("LiquidityIndexOverflow")]
    LiquidityIndexOverflow,
    /// v2 `RL_VARIABLE_BORROW_INDEX_OVERFLOW` (`52`).
    #[error("VariableBorrowIndexOverflow")]
    VariableBorrowIndexOverflow,
    /// v2 `RL_LIQUIDITY_RATE_OVERFLOW` (`53`).
    #[error("LiquidityRateOverflow")]
    LiquidityRateOverflow,
    /// v2 `RL_VARIABLE_BORROW_RATE_OVERFLOW` (`54`).
    #[error("VariableBorrowRateOverflow")]
    VariableBorrowRateOverflow,
    /// v2 `RL_STABLE_BORROW_RATE_OVERFLOW` (`55`).
    #[error("StableBorrowRateOverflow")]
    StableBorrowRateOverflow,
    /// v2 `SDT_STABLE_DEBT_OVERFLOW` (`79`): a user's new stable rate above 2^128 − 1.
    #[error("StableDebtOverflow")]
    StableDebtOverflow,
    /// v2 `SDT_BURN_EXCEEDS_BALANCE` (`80`).
    #[error("StableBurnExceedsBalance")]
    StableBurnExceedsBalance,
    /// OpenZeppelin `SafeMath.sub` underflow, `Error("SafeMath: subtraction overflow")`
    /// (v2). Notably a withdraw or borrow above the available liquidity (§A.12).
    #[error("SafeMath: subtraction overflow")]
    SafeMathSubtractionOverflow,
    /// `Error("SafeMath: addition overflow")` (v2).
    #[error("SafeMath: addition overflow")]
    SafeMathAdditionOverflow,
    /// `Error("SafeMath: multiplication overflow")` (v2).
    #[error("SafeMath: multiplication overflow")]
    SafeMathMultiplicationOverflow,
    /// `Error("SafeMath: division by zero")` (v2), e.g. a zero oracle price.
    #[error("SafeMath: division by zero")]
    SafeMathDivisionByZero,
    /// `Error("ERC20: burn amount exceeds balance")`: a token burn above the holder's
    /// scaled balance (v2 `IncentivizedERC20._burn`).
    #[error("ERC20: burn amount exceeds balance")]
    BurnExceedsBalance,
    /// `Error("ERC20: transfer amount exceeds balance")`: an aToken transfer above the
    /// sender's scaled balance (v2 `IncentivizedERC20._transfer`).
    #[error("ERC20: transfer amount exceeds balance")]
    TransferExceedsBalance,
    /// The feature does not exist in the pool's protocol version (e.g. e-mode or a
    /// per-reserve pause in v2, stable debt in v3); there is no on-chain equivalent.
    #[error("UnsupportedInVersion")]
    UnsupportedInVersion,
}

impl From<MathError> for PoolError {
    fn from(e: MathError) -> Self {
        match e {
            MathError::Overflow => PoolError::MathOverflow,
            MathError::DivisionByZero => PoolError::DivisionByZero,
        }
    }
}

/// Checked `a + b` (Solidity `Panic(0x11)` → [`PoolError::MathOverflow`]).
#[inline]
pub(crate) fn add(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_add(b).ok_or(PoolError::MathOverflow)
}

/// Checked `a - b` (Solidity `Panic(0x11)` → [`PoolError::MathOverflow`]).
#[inline]
pub(crate) fn sub(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_sub(b).ok_or(PoolError::MathOverflow)
}

/// Checked `a * b` (Solidity `Panic(0x11)` → [`PoolError::MathOverflow`]).
#[inline]
pub(crate) fn mul(a: U256, b: U256) -> Result<U256, PoolError> {
    a.checked_mul(b).ok_or(PoolError::MathOverflow)
}

/// Checked `a / b` (Solidity `Panic(0x12)` → [`PoolError::DivisionByZero`]).
#[inline]
pub(crate) fn div(a: U256, b: U256) -> Result<U256, PoolError> {
    if b.is_zero() {
        return Err(PoolError::DivisionByZero);
    }
    Ok(a / b)
}

/// `SafeCast.toUint128`: errors with [`PoolError::SafeCastOverflow`] above 2^128 − 1.
#[inline]
pub(crate) fn check_u128(a: U256) -> Result<U256, PoolError> {
    if a.bit_len() > 128 {
        return Err(PoolError::SafeCastOverflow);
    }
    Ok(a)
}

/// `SafeCast.toUint120`: errors with [`PoolError::SafeCastOverflow`] above 2^120 − 1.
#[inline]
pub(crate) fn check_u120(a: U256) -> Result<U256, PoolError> {
    if a.bit_len() > 120 {
        return Err(PoolError::SafeCastOverflow);
    }
    Ok(a)
}
