//! The v2 `StableDebtToken` (protocol-math-aave-v2-uniswap-v3.md §A.7): per-user
//! principal, rate and timestamp (kept in [`crate::Position`]), and the reserve-wide
//! principal supply, average rate and timestamp ([`StableDebtSupply`]).
//!
//! Balances compound with the v2 formula (§A.4) from the stored timestamp to now.
//! Amounts are token wei, rates annual RAY, timestamps seconds.

use crate::U256;
use crate::error::PoolError;
use crate::user::Position;
use crate::v2::safe_math::{add, check_u128, sub};
use bankrun_math::InterestFormula;
use bankrun_math::interest::compounded_interest;
use bankrun_math::wad_ray::{ray_div, ray_mul, wad_to_ray};

/// The stable debt token's supply state of one reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StableDebtSupply {
    /// `_totalSupply`: the principal supply, token wei, re-based to the compounded total
    /// at every mint and burn.
    pub principal_supply: U256,
    /// `_avgStableRate`, annual RAY.
    pub avg_rate: U256,
    /// `_totalSupplyTimestamp`, seconds.
    pub timestamp: u64,
}

/// `StableDebtToken.getSupplyData()` at a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StableSupplyData {
    /// Principal supply, token wei.
    pub principal_supply: U256,
    /// `totalSupply()`: principal compounded at the average rate to now, token wei.
    pub total_supply: U256,
    /// Average stable rate, annual RAY.
    pub avg_rate: U256,
    /// Timestamp of the last supply change, seconds.
    pub timestamp: u64,
}

/// `MathUtils.calculateCompoundedInterest(rate, from, to)` of v2 (RAY).
///
/// Errors: [`PoolError::SafeMathSubtractionOverflow`] when `to < from`,
/// [`PoolError::MathOverflow`] from the interest math.
pub(crate) fn compounded_between(rate: U256, from: u64, to: u64) -> Result<U256, PoolError> {
    let elapsed = to
        .checked_sub(from)
        .ok_or(PoolError::SafeMathSubtractionOverflow)?;
    Ok(compounded_interest(rate, elapsed, InterestFormula::V2)?)
}

impl StableDebtSupply {
    /// The all-zero supply of a new reserve.
    pub const ZERO: StableDebtSupply = StableDebtSupply {
        principal_supply: U256::ZERO,
        avg_rate: U256::ZERO,
        timestamp: 0,
    };

    /// `totalSupply()` at `now`: 0 without principal, else
    /// `rayMul(principal, compounded(avgRate, timestamp, now))`, token wei.
    ///
    /// Errors: [`PoolError::SafeMathSubtractionOverflow`] (`now` before the timestamp),
    /// [`PoolError::MathOverflow`].
    pub fn total_supply(&self, now: u64) -> Result<U256, PoolError> {
        if self.principal_supply.is_zero() {
            return Ok(U256::ZERO);
        }
        let factor = compounded_between(self.avg_rate, self.timestamp, now)?;
        Ok(ray_mul(self.principal_supply, factor)?)
    }

    /// `getSupplyData()` at `now`.
    ///
    /// Errors: as [`StableDebtSupply::total_supply`].
    pub fn supply_data(&self, now: u64) -> Result<StableSupplyData, PoolError> {
        Ok(StableSupplyData {
            principal_supply: self.principal_supply,
            total_supply: self.total_supply(now)?,
            avg_rate: self.avg_rate,
            timestamp: self.timestamp,
        })
    }
}

/// `balanceOf(user)` at `now`: 0 without principal, else
/// `rayMul(principal, compounded(userRate, userTimestamp, now))`, token wei.
///
/// Errors: as [`compounded_between`], [`PoolError::MathOverflow`].
pub(crate) fn user_balance(pos: &Position, now: u64) -> Result<U256, PoolError> {
    if pos.stable_principal.is_zero() {
        return Ok(U256::ZERO);
    }
    let factor = compounded_between(pos.stable_rate, pos.stable_timestamp, now)?;
    Ok(ray_mul(pos.stable_principal, factor)?)
}

/// `_calculateBalanceIncrease`: `(currentBalance, balanceIncrease)`, both 0 without
/// principal.
fn balance_increase(pos: &Position, now: u64) -> Result<(U256, U256), PoolError> {
    if pos.stable_principal.is_zero() {
        return Ok((U256::ZERO, U256::ZERO));
    }
    let increase = sub(user_balance(pos, now)?, pos.stable_principal)?;
    Ok((add(pos.stable_principal, increase)?, increase))
}

/// `StableDebtToken.mint(user, onBehalfOf, amount, rate)` at `now`: the user's rate
/// becomes the balance-weighted mean of the old rate and `rate`, the supply is re-based
/// to its compounded total plus `amount`, the average rate is re-weighted, both
/// timestamps become `now`, and the accrued interest is added to the principal.
/// Returns `true` when the user had no stable debt (`currentBalance == 0`).
///
/// Errors: [`PoolError::StableDebtOverflow`] (`79`, new user rate above 2^128 − 1),
/// [`PoolError::DivisionByZero`] (`50`, zero amount on a zero balance),
/// [`PoolError::SafeMathAdditionOverflow`], [`PoolError::MathOverflow`].
pub(crate) fn mint(
    supply: &mut StableDebtSupply,
    pos: &mut Position,
    amount: U256,
    rate: U256,
    now: u64,
) -> Result<bool, PoolError> {
    let (current, increase) = balance_increase(pos, now)?;
    let previous_supply = supply.total_supply(now)?;
    let next_supply = add(previous_supply, amount)?;
    let amount_ray = wad_to_ray(amount)?;
    let weighted_user = add(
        ray_mul(pos.stable_rate, wad_to_ray(current)?)?,
        ray_mul(amount_ray, rate)?,
    )?;
    let new_user_rate = ray_div(weighted_user, wad_to_ray(add(current, amount)?)?)?;
    pos.stable_rate = check_u128(new_user_rate, PoolError::StableDebtOverflow)?;
    pos.stable_timestamp = now;
    supply.timestamp = now;
    let weighted_avg = add(
        ray_mul(supply.avg_rate, wad_to_ray(previous_supply)?)?,
        ray_mul(rate, amount_ray)?,
    )?;
    supply.avg_rate = ray_div(weighted_avg, wad_to_ray(next_supply)?)?;
    supply.principal_supply = next_supply;
    pos.stable_principal = add(pos.stable_principal, add(amount, increase)?)?;
    Ok(current.is_zero())
}

/// `StableDebtToken.burn(user, amount)` at `now`: the supply is re-based to its
/// compounded total minus `amount` (0, with a 0 average rate, when that would not stay
/// positive), the average rate loses the user's share, the user's rate and timestamp
/// are cleared on a full burn, and the principal moves by `increase − amount`.
///
/// Errors: [`PoolError::StableBurnExceedsBalance`] (`80`), [`PoolError::MathOverflow`],
/// [`PoolError::DivisionByZero`], `SafeMath` errors.
pub(crate) fn burn(
    supply: &mut StableDebtSupply,
    pos: &mut Position,
    amount: U256,
    now: u64,
) -> Result<(), PoolError> {
    let (current, increase) = balance_increase(pos, now)?;
    let previous_supply = supply.total_supply(now)?;
    if previous_supply <= amount {
        supply.avg_rate = U256::ZERO;
        supply.principal_supply = U256::ZERO;
    } else {
        let next_supply = sub(previous_supply, amount)?;
        supply.principal_supply = next_supply;
        let first = ray_mul(supply.avg_rate, wad_to_ray(previous_supply)?)?;
        let second = ray_mul(pos.stable_rate, wad_to_ray(amount)?)?;
        if second >= first {
            supply.avg_rate = U256::ZERO;
            supply.principal_supply = U256::ZERO;
        } else {
            supply.avg_rate = ray_div(sub(first, second)?, wad_to_ray(next_supply)?)?;
        }
    }
    if amount == current {
        pos.stable_rate = U256::ZERO;
        pos.stable_timestamp = 0;
    } else {
        pos.stable_timestamp = now;
    }
    supply.timestamp = now;
    pos.stable_principal = if increase > amount {
        add(pos.stable_principal, sub(increase, amount)?)?
    } else {
        pos.stable_principal
            .checked_sub(sub(amount, increase)?)
            .ok_or(PoolError::StableBurnExceedsBalance)?
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> U256 {
        s.parse().unwrap()
    }

    fn e6(x: u64) -> U256 {
        U256::from(x) * U256::from(1_000_000u32)
    }

    /// §A.14 "Stable mint": 1000e6 at 5 % plus 500e6 at 8 %, supply 3000e6 at 6 %.
    #[test]
    fn stable_mint_vector() {
        let now = 1_000;
        let mut supply = StableDebtSupply {
            principal_supply: e6(3000),
            avg_rate: n("60000000000000000000000000"),
            timestamp: now,
        };
        let mut pos = Position {
            stable_principal: e6(1000),
            stable_rate: n("50000000000000000000000000"),
            stable_timestamp: now,
            ..Position::default()
        };
        let first = mint(
            &mut supply,
            &mut pos,
            e6(500),
            n("80000000000000000000000000"),
            now,
        )
        .unwrap();
        assert!(!first);
        assert_eq!(pos.stable_rate, n("60000000000000000000000000"));
        assert_eq!(supply.avg_rate, n("62857142857142857142857143"));
        assert_eq!(supply.principal_supply, e6(3500));
        assert_eq!(pos.stable_principal, e6(1500));
    }

    /// Interest accrued since the last action is folded into the principal at mint, and
    /// a full burn clears the user's rate and timestamp and the supply.
    #[test]
    fn mint_accrues_and_full_burn_clears() {
        let rate = n("100000000000000000000000000");
        let mut supply = StableDebtSupply::ZERO;
        let mut pos = Position::default();
        assert!(mint(&mut supply, &mut pos, e6(1000), rate, 0).unwrap());
        let year = 31_536_000;
        let bal = user_balance(&pos, year).unwrap();
        assert!(bal > e6(1100), "{bal}");
        assert!(!mint(&mut supply, &mut pos, e6(1), rate, year).unwrap());
        assert_eq!(pos.stable_principal, bal + e6(1));
        assert_eq!(supply.total_supply(year).unwrap(), bal + e6(1));
        let all = user_balance(&pos, year + 10).unwrap();
        burn(&mut supply, &mut pos, all, year + 10).unwrap();
        assert_eq!(pos.stable_principal, U256::ZERO);
        assert_eq!((pos.stable_rate, pos.stable_timestamp), (U256::ZERO, 0));
        assert_eq!(supply.principal_supply, U256::ZERO);
        assert_eq!(supply.avg_rate, U256::ZERO);
    }

    #[test]
    fn burn_above_balance_is_80() {
        let rate = n("50000000000000000000000000");
        let mut supply = StableDebtSupply::ZERO;
        let mut pos = Position::default();
        mint(&mut supply, &mut pos, e6(10), rate, 0).unwrap();
        let mut other = Position::default();
        mint(&mut supply, &mut other, e6(10), rate, 0).unwrap();
        assert_eq!(
            burn(&mut supply, &mut pos, e6(11), 0),
            Err(PoolError::StableBurnExceedsBalance)
        );
    }
}
