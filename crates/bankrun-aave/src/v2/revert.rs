//! The `Error(string)` reason an Aave v2 pool reverts with for each [`PoolError`]
//! (`Errors.sol` codes and OpenZeppelin messages; protocol-math-aave-v2-uniswap-v3.md
//! §A.3, §A.10–§A.12), for comparing reverts with the bytecode.

use crate::error::PoolError;

impl PoolError {
    /// The revert reason a v2 `LendingPool` gives for this error: the numeric code of
    /// `Errors.sol` (`"1"`, `"6"`, `"42"`, …), an OpenZeppelin message (`"SafeMath:
    /// subtraction overflow"`, `"ERC20: burn amount exceeds balance"`, …), or `"23"` for
    /// any revert inside the liquidation manager.
    ///
    /// Approximations: a fixed-point or interest-library overflow is `"48"` and a
    /// division by zero there `"50"`, even where v2 would revert in a `SafeMath`
    /// operation; an unlisted asset is `"2"` (an empty reserve is inactive on-chain).
    /// Errors with no v2 counterpart give `"<no Aave v2 revert: …>"`.
    pub fn v2_revert_reason(&self) -> String {
        if let Some(code) = self.v2_code() {
            return code.to_string();
        }
        match self {
            PoolError::SafeMathSubtractionOverflow
            | PoolError::InsufficientLiquidity
            | PoolError::InvalidTimestamp => "SafeMath: subtraction overflow".into(),
            PoolError::SafeMathAdditionOverflow => "SafeMath: addition overflow".into(),
            PoolError::SafeMathMultiplicationOverflow => "SafeMath: multiplication overflow".into(),
            PoolError::SafeMathDivisionByZero => "SafeMath: division by zero".into(),
            PoolError::BurnExceedsBalance => "ERC20: burn amount exceeds balance".into(),
            PoolError::TransferExceedsBalance => "ERC20: transfer amount exceeds balance".into(),
            other => format!("<no Aave v2 revert: {other}>"),
        }
    }

    /// The `Errors.sol` code (v2 npm 1.0.1) of this error, if it has one.
    fn v2_code(&self) -> Option<u8> {
        Some(match self {
            PoolError::InvalidAmount => 1,
            PoolError::ReserveInactive | PoolError::AssetNotListed => 2,
            PoolError::ReserveFrozen => 3,
            PoolError::NotEnoughAvailableUserBalance => 5,
            PoolError::TransferNotAllowed => 6,
            PoolError::BorrowingNotEnabled => 7,
            PoolError::CollateralBalanceIsZero => 9,
            PoolError::HealthFactorLowerThanLiquidationThreshold => 10,
            PoolError::CollateralCannotCoverNewBorrow => 11,
            PoolError::StableBorrowingNotEnabled => 12,
            PoolError::CollateralSameAsBorrowingCurrency => 13,
            PoolError::AmountBiggerThanMaxLoanSizeStable => 14,
            PoolError::NoDebtOfSelectedType => 15,
            PoolError::NoExplicitAmountToRepayOnBehalf => 16,
            PoolError::NoStableRateLoanInReserve => 17,
            PoolError::NoVariableRateLoanInReserve => 18,
            PoolError::UnderlyingBalanceZero => 19,
            PoolError::DepositAlreadyInUse => 20,
            PoolError::InterestRateRebalanceConditionsNotMet => 22,
            PoolError::LiquidationCallFailed(_) => 23,
            PoolError::ReserveLiquidityNotZero => 34,
            PoolError::HealthFactorNotBelowThreshold => 42,
            PoolError::CollateralCannotBeLiquidated => 43,
            PoolError::SpecifiedCurrencyNotBorrowedByUser => 44,
            PoolError::NotEnoughLiquidityToLiquidate => 45,
            PoolError::MathOverflow => 48,
            PoolError::DivisionByZero => 50,
            PoolError::LiquidityIndexOverflow => 51,
            PoolError::VariableBorrowIndexOverflow => 52,
            PoolError::LiquidityRateOverflow => 53,
            PoolError::VariableBorrowRateOverflow => 54,
            PoolError::StableBorrowRateOverflow => 55,
            PoolError::InvalidMintAmount => 56,
            PoolError::InvalidBurnAmount => 58,
            PoolError::PoolPaused => 64,
            PoolError::NoMoreReservesAllowed => 65,
            PoolError::InvalidReserveFactor => 71,
            PoolError::InvalidReserveParams => 75,
            PoolError::StableDebtOverflow => 79,
            PoolError::StableBurnExceedsBalance => 80,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        let cases = [
            (PoolError::InvalidAmount, "1"),
            (PoolError::TransferNotAllowed, "6"),
            (PoolError::AmountBiggerThanMaxLoanSizeStable, "14"),
            (PoolError::HealthFactorNotBelowThreshold, "42"),
            (
                PoolError::LiquidationCallFailed(Box::new(PoolError::BurnExceedsBalance)),
                "23",
            ),
            (PoolError::PoolPaused, "64"),
            (
                PoolError::SafeMathSubtractionOverflow,
                "SafeMath: subtraction overflow",
            ),
            (
                PoolError::BurnExceedsBalance,
                "ERC20: burn amount exceeds balance",
            ),
        ];
        for (e, reason) in cases {
            assert_eq!(e.v2_revert_reason(), reason, "{e:?}");
        }
        assert!(
            PoolError::UnsupportedInVersion
                .v2_revert_reason()
                .starts_with("<no Aave v2 revert")
        );
    }
}
