//! [`Dec`]: cosmos-sdk `sdk.Dec`, a signed decimal with 18 fractional digits.
//!
//! Source: `cosmos/cosmos-sdk` `types/decimal.go` of the v0.44 line (Terra Classic
//! `v0.5.18` pins `terra-money/cosmos-sdk v0.44.6-0.20220512154111-515df8b16c89`):
//! `NewDecFromStr`, `String`, `Add`, `Sub`, `Mul`, `Quo`, `MulInt64`, `QuoInt64`,
//! `TruncateInt`, `TruncateDec` and `chopPrecisionAndRound`. Re-written from the rules
//! described here, not copied.
//!
//! # Representation
//! A `Dec` is an integer number of atto-units (1e-18) with a sign. The SDK keeps a Go
//! `*big.Int` and panics once a result needs more than `maxDecBitLen = 256 + 60 = 316`
//! bits; here the magnitude is a [`U256`], so a result whose magnitude needs more than
//! 256 bits (about 1.16e59 in decimal units) is [`DecError::Overflow`]. Below that bound
//! every result is bit-identical to the SDK's. Intermediate products and the scaled
//! dividend of [`Dec::checked_quo`] are computed in 512 bits, so they never overflow.
//!
//! # Rounding (exactly as the SDK)
//! - [`Dec::checked_mul`]: `chopPrecisionAndRound(a·b)`: the 36-digit product is
//!   divided by 1e18 and rounded half to even (banker's rounding) on the magnitude, the
//!   sign re-applied afterwards (so rounding is symmetric around zero).
//! - [`Dec::checked_quo`]: `chopPrecisionAndRound(trunc(a·1e18·1e18 / b))`: the dividend
//!   is scaled by 1e36, divided with Go's `big.Int.Quo` (truncation toward zero), and the
//!   18 extra digits are then rounded half to even. The rounding therefore sees the
//!   quotient truncated at 1e-36, not the exact quotient (double rounding, as on-chain).
//! - [`Dec::quo_int64`]: `big.Int.Quo(a, i)`: truncation toward zero, no rounding.
//! - [`Dec::truncate_int`], [`Dec::truncate_dec`]: truncation toward zero.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use alloy_primitives::{I256, U256, U512};

/// Number of decimal places of a [`Dec`] (`sdk.Precision`).
pub const PRECISION: u32 = 18;

const E18_U64: u64 = 1_000_000_000_000_000_000;
/// 1e18 atto-units = 1.
const E18: U256 = U256::from_limbs([E18_U64, 0, 0, 0]);
const E18_W: U512 = U512::from_limbs([E18_U64, 0, 0, 0, 0, 0, 0, 0]);
/// `fivePrecision` = 5e17: exactly half a unit of the last kept digit after a chop.
const HALF_W: U512 = U512::from_limbs([E18_U64 / 2, 0, 0, 0, 0, 0, 0, 0]);
const ONE_W: U512 = U512::from_limbs([1, 0, 0, 0, 0, 0, 0, 0]);
const E36: u128 = 10u128.pow(36);
const E36_W: U512 = U512::from_limbs([E36 as u64, (E36 >> 64) as u64, 0, 0, 0, 0, 0, 0]);

/// An error of [`Dec`] arithmetic or parsing (the SDK panics or returns these errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecError {
    /// A result whose magnitude needs more than 256 bits (the SDK panics with
    /// `"Int overflow"` past 316 bits; see the module docs), or an integer conversion
    /// that does not fit.
    #[error("Int overflow")]
    Overflow,
    /// Division by zero (`big.Int.Quo` panics in the SDK).
    #[error("division by zero")]
    DivisionByZero,
    /// A negative value where a non-negative integer was required
    /// ([`Dec::truncate_u128`]).
    #[error("negative value")]
    Negative,
    /// `ErrEmptyDecimalStr`: `""` or `"-"`.
    #[error("decimal string cannot be empty")]
    EmptyString,
    /// `ErrInvalidDecimalLength`: a `.` with no digits before or after it.
    #[error("invalid decimal length")]
    InvalidLength,
    /// `ErrInvalidDecimalStr` (more than one `.`) or a non-digit character (the SDK's
    /// `failed to set decimal string`).
    #[error("invalid decimal string")]
    InvalidString,
    /// More than 18 fractional digits (`invalid precision; max: 18, got: n`), or a
    /// precision above 18 given to [`Dec::with_prec`] (the SDK panics).
    #[error("invalid precision; max: 18, got: {0}")]
    TooPrecise(usize),
}

/// cosmos-sdk `sdk.Dec`: a signed decimal with 18 decimal places, stored as a sign and
/// a 256-bit magnitude in atto-units (1e-18). See the [module docs](self) for the
/// rounding rules and the overflow bound.
///
/// Zero is always non-negative (there is no `-0`), so the derived equality and hash are
/// value equality. Ordering is numeric.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Dec {
    negative: bool,
    atto: U256,
}

fn widen(x: U256) -> U512 {
    let l = x.as_limbs();
    U512::from_limbs([l[0], l[1], l[2], l[3], 0, 0, 0, 0])
}

fn narrow(x: U512) -> Result<U256, DecError> {
    let l = x.as_limbs();
    if l[4..].iter().any(|&limb| limb != 0) {
        return Err(DecError::Overflow);
    }
    Ok(U256::from_limbs([l[0], l[1], l[2], l[3]]))
}

/// `chopPrecisionAndRound` on a non-negative value: drop 18 digits, round half to even.
fn chop_round(x: U512) -> U512 {
    let (q, r) = x.div_rem(E18_W);
    match r.cmp(&HALF_W) {
        Ordering::Less => q,
        Ordering::Greater => q.wrapping_add(ONE_W),
        Ordering::Equal => {
            if q.bit(0) {
                q.wrapping_add(ONE_W)
            } else {
                q
            }
        }
    }
}

impl Dec {
    /// 0 (`sdk.ZeroDec()`).
    pub const ZERO: Dec = Dec {
        negative: false,
        atto: U256::ZERO,
    };
    /// 1 (`sdk.OneDec()`), i.e. 1e18 atto-units.
    pub const ONE: Dec = Dec {
        negative: false,
        atto: E18,
    };
    /// 1e-18, one atto-unit (`sdk.SmallestDec()`).
    pub const SMALLEST: Dec = Dec {
        negative: false,
        atto: U256::from_limbs([1, 0, 0, 0]),
    };
    /// The largest representable value, (2^256 − 1)·1e-18 (see the module docs).
    pub const MAX: Dec = Dec {
        negative: false,
        atto: U256::MAX,
    };

    /// The value `±atto · 1e-18` (the SDK's raw `big.Int`). A zero magnitude gives 0
    /// whatever `negative` says.
    pub fn from_atto(negative: bool, atto: U256) -> Dec {
        Dec {
            negative: negative && !atto.is_zero(),
            atto,
        }
    }

    /// The value `v · 1e-18` (raw atto-units from an `i128`).
    pub fn from_atto_i128(v: i128) -> Dec {
        Dec::from_atto(v < 0, U256::from(v.unsigned_abs()))
    }

    /// The raw value in atto-units as an `i128`, if it fits.
    pub fn atto_i128(&self) -> Option<i128> {
        let m = i128::try_from(u128::try_from(self.atto).ok()?).ok()?;
        Some(if self.negative { -m } else { m })
    }

    /// The magnitude in atto-units (1e-18).
    pub fn atto(&self) -> U256 {
        self.atto
    }

    /// The whole number `v` (`sdk.NewDec`, widened to `i128`; never overflows).
    pub fn from_int(v: i128) -> Dec {
        // |v| < 2^127 and 1e18 < 2^60: the product stays below 2^187.
        Dec::from_atto(v < 0, U256::from(v.unsigned_abs()).wrapping_mul(E18))
    }

    /// The whole number `v` (`sdk.NewDecFromInt` of a non-negative `sdk.Int`, e.g. a
    /// coin amount in micro-units; never overflows).
    pub fn from_u128(v: u128) -> Dec {
        // v < 2^128 and 1e18 < 2^60: the product stays below 2^188.
        Dec::from_atto(false, U256::from(v).wrapping_mul(E18))
    }

    /// The whole number `v` given as a 256-bit integer (`sdk.NewDecFromInt`).
    ///
    /// # Errors
    /// [`DecError::Overflow`] if `v · 1e18` needs more than 256 bits.
    pub fn from_int_u256(v: U256) -> Result<Dec, DecError> {
        let atto = v.checked_mul(E18).ok_or(DecError::Overflow)?;
        Ok(Dec::from_atto(false, atto))
    }

    /// `v · 10^-prec` (`sdk.NewDecWithPrec`), e.g. `with_prec(5, 3)` = 0.005.
    ///
    /// # Errors
    /// [`DecError::TooPrecise`] if `prec > 18` (the SDK panics).
    pub fn with_prec(v: i64, prec: u32) -> Result<Dec, DecError> {
        if prec > PRECISION {
            return Err(DecError::TooPrecise(prec as usize));
        }
        let mult = 10u64.pow(PRECISION - prec);
        // |v| ≤ 2^63 and mult ≤ 1e18 < 2^60: no overflow.
        let atto = U256::from(v.unsigned_abs()).wrapping_mul(U256::from(mult));
        Ok(Dec::from_atto(v < 0, atto))
    }

    /// `d.IsZero()`.
    pub fn is_zero(&self) -> bool {
        self.atto.is_zero()
    }

    /// `d.IsNegative()`: strictly below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// `d.IsPositive()`: strictly above zero.
    pub fn is_positive(&self) -> bool {
        !self.negative && !self.atto.is_zero()
    }

    /// `d.Abs()`.
    pub fn abs(&self) -> Dec {
        Dec::from_atto(false, self.atto)
    }

    /// `d.IsInteger()`: no fractional digits.
    pub fn is_integer(&self) -> bool {
        (self.atto % E18).is_zero()
    }

    /// `d.Add(d2)`, exact.
    ///
    /// # Errors
    /// [`DecError::Overflow`] if the magnitude needs more than 256 bits.
    pub fn checked_add(self, rhs: Dec) -> Result<Dec, DecError> {
        if self.negative == rhs.negative {
            let atto = self.atto.checked_add(rhs.atto).ok_or(DecError::Overflow)?;
            Ok(Dec::from_atto(self.negative, atto))
        } else if self.atto >= rhs.atto {
            Ok(Dec::from_atto(
                self.negative,
                self.atto.wrapping_sub(rhs.atto),
            ))
        } else {
            Ok(Dec::from_atto(
                rhs.negative,
                rhs.atto.wrapping_sub(self.atto),
            ))
        }
    }

    /// `d.Sub(d2)`, exact.
    ///
    /// # Errors
    /// [`DecError::Overflow`] if the magnitude needs more than 256 bits.
    pub fn checked_sub(self, rhs: Dec) -> Result<Dec, DecError> {
        self.checked_add(-rhs)
    }

    /// `d.Mul(d2)`: `chopPrecisionAndRound(a·b)`, banker's rounding at 1e-18.
    ///
    /// # Errors
    /// [`DecError::Overflow`] if the rounded result needs more than 256 bits.
    pub fn checked_mul(self, rhs: Dec) -> Result<Dec, DecError> {
        // Both magnitudes are below 2^256: the product is below 2^512.
        let product = widen(self.atto).wrapping_mul(widen(rhs.atto));
        let atto = narrow(chop_round(product))?;
        Ok(Dec::from_atto(self.negative != rhs.negative, atto))
    }

    /// `d.Quo(d2)`: `chopPrecisionAndRound(trunc(a·1e18·1e18 / b))`.
    ///
    /// # Errors
    /// [`DecError::DivisionByZero`] if `rhs` is 0; [`DecError::Overflow`] if the result
    /// needs more than 256 bits.
    pub fn checked_quo(self, rhs: Dec) -> Result<Dec, DecError> {
        if rhs.is_zero() {
            return Err(DecError::DivisionByZero);
        }
        // |a| < 2^256 and 1e36 < 2^120: the scaled dividend is below 2^376.
        let scaled = widen(self.atto).wrapping_mul(E36_W);
        let quo = scaled
            .checked_div(widen(rhs.atto))
            .ok_or(DecError::DivisionByZero)?;
        let atto = narrow(chop_round(quo))?;
        Ok(Dec::from_atto(self.negative != rhs.negative, atto))
    }

    /// `d.MulInt64(i)`: exact multiplication by an integer.
    ///
    /// # Errors
    /// [`DecError::Overflow`] if the result needs more than 256 bits.
    pub fn mul_int64(self, i: i64) -> Result<Dec, DecError> {
        let atto = self
            .atto
            .checked_mul(U256::from(i.unsigned_abs()))
            .ok_or(DecError::Overflow)?;
        Ok(Dec::from_atto(self.negative != (i < 0), atto))
    }

    /// `d.QuoInt64(i)`: the raw atto value divided by `i`, truncated toward zero (no
    /// rounding).
    ///
    /// # Errors
    /// [`DecError::DivisionByZero`] if `i == 0`.
    pub fn quo_int64(self, i: i64) -> Result<Dec, DecError> {
        let atto = self
            .atto
            .checked_div(U256::from(i.unsigned_abs()))
            .ok_or(DecError::DivisionByZero)?;
        Ok(Dec::from_atto(self.negative != (i < 0), atto))
    }

    /// `d.TruncateInt()`: the integer part, truncated toward zero.
    pub fn truncate_int(&self) -> I256 {
        // The magnitude / 1e18 is below 2^197, so it is a valid positive I256.
        let v = I256::from_raw(self.atto / E18);
        if self.negative { v.wrapping_neg() } else { v }
    }

    /// `d.TruncateInt()` as a non-negative `u128` (coin amounts in micro-units).
    ///
    /// # Errors
    /// [`DecError::Negative`] if the truncated value is below zero;
    /// [`DecError::Overflow`] if it does not fit a `u128`.
    pub fn truncate_u128(&self) -> Result<u128, DecError> {
        let t = self.atto / E18;
        if t.is_zero() {
            return Ok(0);
        }
        if self.negative {
            return Err(DecError::Negative);
        }
        u128::try_from(t).map_err(|_| DecError::Overflow)
    }

    /// `d.TruncateDec()`: the integer part as a `Dec`, truncated toward zero.
    pub fn truncate_dec(&self) -> Dec {
        Dec::from_atto(self.negative, (self.atto / E18).wrapping_mul(E18))
    }

    /// The nearest `f64` (lossy; for reporting only, never for protocol arithmetic).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }
}

impl std::ops::Neg for Dec {
    type Output = Dec;

    /// `d.Neg()`.
    fn neg(self) -> Dec {
        Dec::from_atto(!self.negative, self.atto)
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Dec) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.atto.cmp(&other.atto),
            (true, true) => other.atto.cmp(&self.atto),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Dec) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Dec {
    /// `d.String()`: always 18 fractional digits, `-` for negatives, e.g.
    /// `"-1.500000000000000000"`, `"0.000000000000000000"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.atto / E18;
        // The remainder is below 1e18 < 2^64.
        let frac = (self.atto % E18).as_limbs()[0];
        let sign = if self.negative { "-" } else { "" };
        write!(f, "{sign}{int}.{frac:018}")
    }
}

impl fmt::Debug for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dec({self})")
    }
}

impl FromStr for Dec {
    type Err = DecError;

    /// `sdk.NewDecFromStr`: `[-]digits[.digits]` with at most 18 fractional digits.
    ///
    /// Stricter than the SDK in one corner: Go's `big.Int.SetString` also accepts a sign
    /// on the digit string after the optional `-` (`"+1.5"`, `"--1"`); those are
    /// rejected here with [`DecError::InvalidString`].
    fn from_str(s: &str) -> Result<Dec, DecError> {
        if s.is_empty() {
            return Err(DecError::EmptyString);
        }
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if body.is_empty() {
            return Err(DecError::EmptyString);
        }
        let mut parts = body.split('.');
        let int_part = parts.next().unwrap_or("");
        let frac_part = parts.next();
        if parts.next().is_some() {
            return Err(DecError::InvalidString);
        }
        let frac = match frac_part {
            Some(frac) => {
                if frac.is_empty() || int_part.is_empty() {
                    return Err(DecError::InvalidLength);
                }
                frac
            }
            None => "",
        };
        if frac.len() > PRECISION as usize {
            return Err(DecError::TooPrecise(frac.len()));
        }
        let ten = U256::from(10u8);
        let mut atto = U256::ZERO;
        for b in int_part.bytes().chain(frac.bytes()) {
            if !b.is_ascii_digit() {
                return Err(DecError::InvalidString);
            }
            atto = atto
                .checked_mul(ten)
                .and_then(|a| a.checked_add(U256::from(b - b'0')))
                .ok_or(DecError::Overflow)?;
        }
        for _ in frac.len()..PRECISION as usize {
            atto = atto.checked_mul(ten).ok_or(DecError::Overflow)?;
        }
        Ok(Dec::from_atto(negative, atto))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        s.parse().expect("valid decimal")
    }

    fn atto(v: i128) -> Dec {
        Dec::from_atto_i128(v)
    }

    #[test]
    fn mul_rounds_half_to_even_both_signs() {
        let tenth = d("0.1");
        // raw products 0.5, 1.5, 2.5, 3.5 ulp: ties go to the even neighbour.
        assert_eq!(atto(5).checked_mul(tenth), Ok(atto(0)));
        assert_eq!(atto(15).checked_mul(tenth), Ok(atto(2)));
        assert_eq!(atto(25).checked_mul(tenth), Ok(atto(2)));
        assert_eq!(atto(35).checked_mul(tenth), Ok(atto(4)));
        assert_eq!(atto(-5).checked_mul(tenth), Ok(atto(0)));
        assert_eq!(atto(-15).checked_mul(tenth), Ok(atto(-2)));
        assert_eq!(atto(-25).checked_mul(tenth), Ok(atto(-2)));
        assert_eq!(atto(25).checked_mul(-tenth), Ok(atto(-2)));
        assert_eq!(atto(-35).checked_mul(-tenth), Ok(atto(4)));
        // just above / below the tie
        assert_eq!(atto(5).checked_mul(d("0.100000000000000001")), Ok(atto(1)));
        assert_eq!(atto(5).checked_mul(d("0.099999999999999999")), Ok(atto(0)));
        assert_eq!(
            atto(-5).checked_mul(d("0.100000000000000001")),
            Ok(atto(-1))
        );
    }

    #[test]
    fn quo_rounds_half_to_even_both_signs() {
        let two = Dec::from_int(2);
        assert_eq!(atto(1).checked_quo(two), Ok(atto(0)));
        assert_eq!(atto(3).checked_quo(two), Ok(atto(2)));
        assert_eq!(atto(5).checked_quo(two), Ok(atto(2)));
        assert_eq!(atto(7).checked_quo(two), Ok(atto(4)));
        assert_eq!(atto(-1).checked_quo(two), Ok(atto(0)));
        assert_eq!(atto(-3).checked_quo(two), Ok(atto(-2)));
        assert_eq!(atto(5).checked_quo(-two), Ok(atto(-2)));
        assert_eq!(atto(-7).checked_quo(-two), Ok(atto(4)));
        // 2/3 = 0.666…667, 1/3 = 0.333…333
        assert_eq!(
            Dec::from_int(2)
                .checked_quo(Dec::from_int(3))
                .map(|x| x.to_string()),
            Ok("0.666666666666666667".to_string())
        );
        assert_eq!(
            Dec::from_int(-1)
                .checked_quo(Dec::from_int(3))
                .map(|x| x.to_string()),
            Ok("-0.333333333333333333".to_string())
        );
    }

    #[test]
    fn quo_truncates_at_1e_minus_36_before_rounding() {
        // 1e-18 / (2 − 1e-18): exact quotient 0.500000000000000000250… ulp, which a single
        // rounding would send up to 1 ulp. The SDK first truncates a·1e36/b to an integer
        // (exactly 0.5 ulp) and the tie then goes to even: 0.
        let b = atto(2_000_000_000_000_000_000 - 1);
        assert_eq!(Dec::SMALLEST.checked_quo(b), Ok(Dec::ZERO));
        // 3e-18 / (2 − 1e-18) = 1.5000…00075 ulp: truncated to exactly 1.5 → even: 2.
        assert_eq!(atto(3).checked_quo(b), Ok(atto(2)));
        // 5e-18 / (2 − 1e-18) = 2.5000…00125 ulp: the excess survives truncation at
        // 1e-36 (2.500…001), so it is above the tie: 3.
        assert_eq!(atto(5).checked_quo(b), Ok(atto(3)));
        // the exact tie 5e-18 / 2 goes to even: 2
        assert_eq!(atto(5).checked_quo(Dec::from_int(2)), Ok(atto(2)));
    }

    #[test]
    fn quo_int64_truncates_toward_zero() {
        assert_eq!(atto(7).quo_int64(2), Ok(atto(3)));
        assert_eq!(atto(-7).quo_int64(2), Ok(atto(-3)));
        assert_eq!(atto(7).quo_int64(-2), Ok(atto(-3)));
        assert_eq!(atto(-7).quo_int64(-2), Ok(atto(3)));
        assert_eq!(atto(1).quo_int64(2), Ok(Dec::ZERO));
        assert_eq!(atto(-1).quo_int64(2), Ok(Dec::ZERO));
        assert_eq!(atto(7).quo_int64(0), Err(DecError::DivisionByZero));
        assert_eq!(atto(7).quo_int64(i64::MIN), Ok(Dec::ZERO));
    }

    #[test]
    fn add_sub_signs_and_overflow() {
        assert_eq!(d("1.5").checked_add(d("-2.25")), Ok(d("-0.75")));
        assert_eq!(d("-1.5").checked_sub(d("-1.5")), Ok(Dec::ZERO));
        assert!(
            !d("-1.5")
                .checked_sub(d("-1.5"))
                .unwrap_or(Dec::ONE)
                .is_negative()
        );
        assert_eq!(d("-1.5").checked_sub(d("2")), Ok(d("-3.5")));
        assert_eq!(Dec::MAX.checked_add(Dec::SMALLEST), Err(DecError::Overflow));
        assert_eq!(
            (-Dec::MAX).checked_sub(Dec::SMALLEST),
            Err(DecError::Overflow)
        );
        assert_eq!(
            Dec::MAX.checked_sub(Dec::SMALLEST).map(|x| x < Dec::MAX),
            Ok(true)
        );
    }

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        assert_eq!(
            Dec::MAX.checked_mul(Dec::from_int(2)),
            Err(DecError::Overflow)
        );
        assert_eq!(Dec::MAX.checked_mul(Dec::ONE), Ok(Dec::MAX));
        assert_eq!(Dec::MAX.checked_quo(d("0.5")), Err(DecError::Overflow));
        assert_eq!(Dec::MAX.checked_quo(Dec::ONE), Ok(Dec::MAX));
        assert_eq!(
            Dec::ONE.checked_quo(Dec::ZERO),
            Err(DecError::DivisionByZero)
        );
        assert_eq!(Dec::MAX.mul_int64(2), Err(DecError::Overflow));
        assert_eq!(Dec::from_int_u256(U256::MAX), Err(DecError::Overflow));
        assert_eq!(Dec::with_prec(1, 19), Err(DecError::TooPrecise(19)));
        assert_eq!(
            Dec::ONE.checked_quo(Dec::SMALLEST),
            Ok(Dec::from_int(1_000_000_000_000_000_000))
        );
    }

    #[test]
    fn truncation() {
        assert_eq!(d("-2.7").truncate_int().to_string(), "-2");
        assert_eq!(d("2.7").truncate_int().to_string(), "2");
        assert_eq!(d("-2.7").truncate_dec(), d("-2"));
        assert_eq!(d("2.999999999999999999").truncate_u128(), Ok(2));
        assert_eq!(d("-0.5").truncate_u128(), Ok(0));
        assert_eq!(d("-1.5").truncate_u128(), Err(DecError::Negative));
        assert_eq!(Dec::MAX.truncate_u128(), Err(DecError::Overflow));
        assert!(d("3").is_integer() && !d("3.1").is_integer());
    }

    #[test]
    fn string_round_trip_and_errors() {
        assert_eq!(Dec::ZERO.to_string(), "0.000000000000000000");
        assert_eq!(d("-1.5").to_string(), "-1.500000000000000000");
        assert_eq!(d("0.000000000000000001"), Dec::SMALLEST);
        assert_eq!(d("007.25").to_string(), "7.250000000000000000");
        assert_eq!(d("-0"), Dec::ZERO);
        assert_eq!(d("-0").to_string(), "0.000000000000000000");
        assert_eq!(Dec::with_prec(5, 3), Ok(d("0.005")));
        assert_eq!(Dec::with_prec(-17, 1), Ok(d("-1.7")));
        assert_eq!(Dec::from_int(-3), d("-3"));
        assert_eq!(
            Dec::MAX.to_string().parse::<Dec>(),
            Ok(Dec::MAX),
            "MAX round-trips"
        );
        assert_eq!("".parse::<Dec>(), Err(DecError::EmptyString));
        assert_eq!("-".parse::<Dec>(), Err(DecError::EmptyString));
        assert_eq!("1.".parse::<Dec>(), Err(DecError::InvalidLength));
        assert_eq!(".5".parse::<Dec>(), Err(DecError::InvalidLength));
        assert_eq!("1.2.3".parse::<Dec>(), Err(DecError::InvalidString));
        assert_eq!("1a".parse::<Dec>(), Err(DecError::InvalidString));
        assert_eq!("+1".parse::<Dec>(), Err(DecError::InvalidString));
        assert_eq!(
            "1.0000000000000000001".parse::<Dec>(),
            Err(DecError::TooPrecise(19))
        );
        let too_big = format!("{}0", Dec::MAX.truncate_int());
        assert_eq!(too_big.parse::<Dec>(), Err(DecError::Overflow));
    }

    #[test]
    fn ordering_is_numeric() {
        let mut v = [d("1"), d("-2"), d("0"), d("-0.5"), d("3.25")];
        v.sort();
        assert_eq!(v, [d("-2"), d("-0.5"), d("0"), d("1"), d("3.25")]);
        assert!(Dec::ZERO.is_zero() && !Dec::ZERO.is_positive() && !Dec::ZERO.is_negative());
        assert_eq!(d("-4.5").abs(), d("4.5"));
        assert_eq!(d("-4.5").atto_i128(), Some(-4_500_000_000_000_000_000));
        assert_eq!(Dec::MAX.atto_i128(), None);
        assert!((d("1.25").to_f64() - 1.25).abs() < 1e-15);
    }
}
