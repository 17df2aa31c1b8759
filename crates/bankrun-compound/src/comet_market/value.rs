//! Comet's integer helpers: `CometMath` casts, signed present/principal value
//! (`CometCore.presentValue`/`principalValue`), the principal-change splits and the
//! price/factor products of `Comet.sol`.

use crate::comet::{present_value, principal_value_borrow, principal_value_supply};
use crate::exp::{EXP_SCALE, div, mul};
use crate::{CometError, CompoundError, I256, U256};

pub(crate) type Res<T> = Result<T, CompoundError>;

/// `FACTOR_SCALE` = 1e18.
pub const FACTOR_SCALE: U256 = EXP_SCALE;
/// `PRICE_SCALE` = 1e8 (`PRICE_FEED_DECIMALS` = 8).
pub const PRICE_SCALE: U256 = U256::from_limbs([100_000_000, 0, 0, 0]);

const U64_MAX: U256 = U256::from_limbs([u64::MAX, 0, 0, 0]);
const U104_MAX: U256 = U256::from_limbs([u64::MAX, (1 << 40) - 1, 0, 0]);
const U128_MAX: U256 = U256::from_limbs([u64::MAX, u64::MAX, 0, 0]);
/// `type(int104).max` = 2^103 − 1.
pub(crate) const I104_MAX: i128 = (1 << 103) - 1;

/// `safe64`.
pub(crate) fn safe64(n: U256) -> Res<U256> {
    if n > U64_MAX {
        return Err(CometError::InvalidUInt64.into());
    }
    Ok(n)
}

/// `safe104`.
pub(crate) fn safe104(n: U256) -> Res<U256> {
    if n > U104_MAX {
        return Err(CometError::InvalidUInt104.into());
    }
    Ok(n)
}

/// `safe128`.
pub(crate) fn safe128(n: U256) -> Res<U256> {
    if n > U128_MAX {
        return Err(CometError::InvalidUInt128.into());
    }
    Ok(n)
}

/// `signed104(uint104)`: the caller has applied `safe104` already.
fn signed104(n: U256) -> Res<i128> {
    let v = u128::try_from(n).map_err(|_| CometError::InvalidUInt104)?;
    match i128::try_from(v) {
        Ok(x) if x <= I104_MAX => Ok(x),
        _ => Err(CometError::InvalidInt104.into()),
    }
}

/// `signed256`.
pub(crate) fn signed256(n: U256) -> Res<I256> {
    I256::try_from(n).map_err(|_| CometError::InvalidInt256.into())
}

/// `unsigned256`.
pub(crate) fn unsigned256(n: I256) -> Res<U256> {
    if n.is_negative() {
        return Err(CometError::NegativeNumber.into());
    }
    Ok(n.unsigned_abs())
}

/// `|principal|` of an `int104` principal as a `uint104`.
pub(crate) fn abs104(p: i128) -> U256 {
    U256::from(p.unsigned_abs())
}

/// Checked `I256` addition (Solidity `int256 +`).
pub(crate) fn iadd(a: I256, b: I256) -> Res<I256> {
    a.checked_add(b).ok_or(CompoundError::Overflow)
}

/// Checked `I256` subtraction.
pub(crate) fn isub(a: I256, b: I256) -> Res<I256> {
    a.checked_sub(b).ok_or(CompoundError::Overflow)
}

/// `CometCore.presentValue(int104)`: the supply balance (≥ 0) or minus the borrow
/// balance, base wei, from the given indexes (1e15).
pub(crate) fn present_value_signed(
    principal: i128,
    supply_index: U256,
    borrow_index: U256,
) -> Res<I256> {
    if principal >= 0 {
        signed256(present_value(abs104(principal), supply_index)?)
    } else {
        let pv = signed256(present_value(abs104(principal), borrow_index)?)?;
        pv.checked_neg().ok_or(CompoundError::Overflow)
    }
}

/// `CometCore.principalValue(int256)`: supply principal rounded down, borrow principal
/// rounded up (against the user), each bounded by `safe104` and `signed104`.
pub(crate) fn principal_value_signed(
    pv: I256,
    supply_index: U256,
    borrow_index: U256,
) -> Res<i128> {
    if !pv.is_negative() {
        signed104(safe104(principal_value_supply(
            pv.unsigned_abs(),
            supply_index,
        )?)?)
    } else {
        let p = signed104(safe104(principal_value_borrow(
            pv.unsigned_abs(),
            borrow_index,
        )?)?)?;
        Ok(-p)
    }
}

/// `Comet.repayAndSupplyAmount(oldPrincipal, newPrincipal)` → (repay, supply) principal.
pub(crate) fn repay_and_supply_amount(old: i128, new: i128) -> (U256, U256) {
    if new < old {
        return (U256::ZERO, U256::ZERO);
    }
    if new <= 0 {
        (abs104(new - old), U256::ZERO)
    } else if old >= 0 {
        (U256::ZERO, abs104(new - old))
    } else {
        (abs104(old), abs104(new))
    }
}

/// `Comet.withdrawAndBorrowAmount(oldPrincipal, newPrincipal)` → (withdraw, borrow).
pub(crate) fn withdraw_and_borrow_amount(old: i128, new: i128) -> (U256, U256) {
    if new > old {
        return (U256::ZERO, U256::ZERO);
    }
    if new >= 0 {
        (abs104(old - new), U256::ZERO)
    } else if old <= 0 {
        (U256::ZERO, abs104(old - new))
    } else {
        (abs104(old), abs104(new))
    }
}

/// `Comet.mulFactor(n, factor)` = `⌊n·factor/1e18⌋`.
pub(crate) fn mul_factor(n: U256, factor: U256) -> Res<U256> {
    div(mul(n, factor)?, FACTOR_SCALE)
}

/// `Comet.mulPrice(n, price, fromScale)` = `⌊n·price/fromScale⌋` (USD·1e8).
pub(crate) fn mul_price(n: U256, price: U256, from_scale: U256) -> Res<U256> {
    div(mul(n, price)?, from_scale)
}

/// `Comet.signedMulPrice(n, price, fromScale)`: `n·price/fromScale`, truncated toward
/// zero as Solidity's signed division is.
pub(crate) fn signed_mul_price(n: I256, price: U256, from_scale: U256) -> Res<I256> {
    let prod = n
        .checked_mul(signed256(price)?)
        .ok_or(CompoundError::Overflow)?;
    prod.checked_div(signed256(from_scale)?)
        .ok_or(CompoundError::DivisionByZero)
}

/// `Comet.divPrice(n, price, toScale)` = `⌊n·toScale/price⌋`.
pub(crate) fn div_price(n: U256, price: U256, to_scale: U256) -> Res<U256> {
    div(mul(n, to_scale)?, price)
}

/// Checked add bounded by `uint104` (`totalSupplyBase`/`totalBorrowBase` `+=`).
pub(crate) fn add104(a: U256, b: U256) -> Res<U256> {
    let s = a.checked_add(b).ok_or(CompoundError::Overflow)?;
    if s > U104_MAX {
        return Err(CompoundError::Overflow);
    }
    Ok(s)
}

/// Checked add bounded by `uint128` (collateral balances and totals `+=`).
pub(crate) fn add128(a: U256, b: U256) -> Res<U256> {
    let s = a.checked_add(b).ok_or(CompoundError::Overflow)?;
    if s > U128_MAX {
        return Err(CompoundError::Overflow);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comet::BASE_INDEX_SCALE;

    #[test]
    fn splits_follow_sign_changes() {
        assert_eq!(
            repay_and_supply_amount(-5, 3),
            (U256::from(5), U256::from(3))
        );
        assert_eq!(repay_and_supply_amount(-5, -2), (U256::from(3), U256::ZERO));
        assert_eq!(repay_and_supply_amount(2, 7), (U256::ZERO, U256::from(5)));
        assert_eq!(repay_and_supply_amount(7, 2), (U256::ZERO, U256::ZERO));
        assert_eq!(
            withdraw_and_borrow_amount(5, -3),
            (U256::from(5), U256::from(3))
        );
        assert_eq!(
            withdraw_and_borrow_amount(5, 1),
            (U256::from(4), U256::ZERO)
        );
        assert_eq!(
            withdraw_and_borrow_amount(-1, -4),
            (U256::ZERO, U256::from(3))
        );
    }

    #[test]
    fn signed_mul_price_truncates_toward_zero() {
        let n = I256::try_from(-7i64).unwrap();
        let r = signed_mul_price(n, U256::from(1), U256::from(2)).unwrap();
        assert_eq!(r, I256::try_from(-3i64).unwrap());
    }

    #[test]
    fn principal_rounds_against_user() {
        let idx = U256::from(1_100_000_000_000_000u64);
        let pv = I256::try_from(100i64).unwrap();
        assert_eq!(principal_value_signed(pv, idx, idx).unwrap(), 90);
        assert_eq!(principal_value_signed(-pv, idx, idx).unwrap(), -91);
        assert_eq!(BASE_INDEX_SCALE, U256::from(1_000_000_000_000_000u64));
    }

    #[test]
    fn casts_reject_out_of_range() {
        assert!(safe104(U104_MAX).is_ok());
        assert!(safe104(U104_MAX + U256::from(1)).is_err());
        assert!(signed104(U256::from(I104_MAX as u128 + 1)).is_err());
        assert!(unsigned256(I256::MINUS_ONE).is_err());
    }
}
