//! `Decimal256` and `Uint256` with the arithmetic of `cosmwasm-bignumber 2.2.0`, the
//! version the money market at `e8853fab` depends on (`contracts/*/Cargo.toml`:
//! `cosmwasm-bignumber = "2.2.0"`).
//!
//! Source: `cosmwasm-bignumber 2.2.0` `src/math.rs` (crates.io), on `bigint 4.4.3`'s `U256`
//! (`src/uint.rs`). Rules, re-stated from that code:
//! - `Decimal256(x)` is `x / 10^18` (18 decimal places, unsigned, 256-bit atomics);
//! - `a * b` (decimals) = `⌊a·b / 10^18⌋` (floor);
//! - `a / b` (decimals) = `⌊a·10^18 / b⌋` (floor; `b = 0` panics);
//! - `u * d` (`Uint256 * Decimal256`, also `d * u`) = `⌊u·d / 10^18⌋` (floor; 0 if either is
//!   0);
//! - `u / d` (`Uint256 / Decimal256`) = `⌊u·10^18 / d⌋` (floor; `d = 0` panics even when
//!   `u = 0`);
//! - `from_uint256(u)` = `u·10^18`; `from_ratio(n, d)` = `⌊n·10^18 / d⌋`;
//! - `a − b` panics if `a < b`; `+`, `·` panic on 256-bit overflow, including the
//!   intermediate products `a·b`, `a·10^18`, `u·d` above (bigint's `overflowing_mul` +
//!   `panic_on_overflow!`, active in release builds).
//!
//! A panic aborts the CosmWasm call, i.e. reverts the transaction; here every such case is an
//! [`AnchorError`] and nothing panics.

use std::fmt;
use std::str::FromStr;

use alloy_primitives::U256;

use crate::AnchorError;

/// 10^18, the `Decimal256` scale (`DECIMAL_FRACTIONAL`).
pub const DECIMAL_FRACTIONAL: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// An unsigned fixed-point number with 18 decimal places: `Decimal256(x)` is `x / 10^18`.
/// Used for rates (per block), factors, prices (uusd per collateral micro-unit) and the
/// market's `total_liabilities` / `total_reserves` (uusd with 18 extra decimals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal256(pub U256);

/// An unsigned 256-bit integer: token amounts in micro-units (uusd, aUST, bLUNA, bETH: 6
/// decimals on Terra).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uint256(pub U256);

fn add(a: U256, b: U256) -> Result<U256, AnchorError> {
    a.checked_add(b).ok_or(AnchorError::Overflow)
}

fn sub(a: U256, b: U256) -> Result<U256, AnchorError> {
    a.checked_sub(b).ok_or(AnchorError::Underflow)
}

fn mul(a: U256, b: U256) -> Result<U256, AnchorError> {
    a.checked_mul(b).ok_or(AnchorError::Overflow)
}

fn div(a: U256, b: U256) -> Result<U256, AnchorError> {
    a.checked_div(b).ok_or(AnchorError::DivisionByZero)
}

impl Decimal256 {
    /// Number of decimal places.
    pub const DECIMAL_PLACES: u32 = 18;
    /// 0.
    pub const ZERO: Decimal256 = Decimal256(U256::ZERO);
    /// 1.0 (atomics 10^18).
    pub const ONE: Decimal256 = Decimal256(DECIMAL_FRACTIONAL);
    /// The largest value, `(2^256 − 1) / 10^18`.
    pub const MAX: Decimal256 = Decimal256(U256::MAX);

    /// The decimal whose atomics (value·10^18) are `atomics`.
    pub const fn from_atomics(atomics: U256) -> Self {
        Decimal256(atomics)
    }

    /// The atomics (value·10^18).
    pub const fn atomics(self) -> U256 {
        self.0
    }

    /// `x` % (`Decimal256::percent`): atomics `x·10^16`.
    pub fn percent(x: u64) -> Self {
        Decimal256(U256::from(x) * U256::from(10_000_000_000_000_000u64))
    }

    /// `x` ‰ (`Decimal256::permille`): atomics `x·10^15`.
    pub fn permille(x: u64) -> Self {
        Decimal256(U256::from(x) * U256::from(1_000_000_000_000_000u64))
    }

    /// `from_ratio(n, d)` = `⌊n·10^18 / d⌋`.
    ///
    /// # Errors
    /// [`AnchorError::DivisionByZero`] if `d = 0`; [`AnchorError::Overflow`] if `n·10^18`
    /// overflows.
    pub fn from_ratio(n: impl Into<Uint256>, d: impl Into<Uint256>) -> Result<Self, AnchorError> {
        let (n, d) = (n.into().0, d.into().0);
        if d.is_zero() {
            return Err(AnchorError::DivisionByZero);
        }
        Ok(Decimal256(div(mul(n, DECIMAL_FRACTIONAL)?, d)?))
    }

    /// `from_uint256(u)` = `u` as a decimal (atomics `u·10^18`).
    ///
    /// # Errors
    /// [`AnchorError::Overflow`] if `u·10^18 ≥ 2^256`.
    pub fn from_uint256(u: Uint256) -> Result<Self, AnchorError> {
        Ok(Decimal256(mul(u.0, DECIMAL_FRACTIONAL)?))
    }

    /// `true` for 0.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `a + b`.
    ///
    /// # Errors
    /// [`AnchorError::Overflow`].
    pub fn checked_add(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Decimal256(add(self.0, rhs.0)?))
    }

    /// `a − b`.
    ///
    /// # Errors
    /// [`AnchorError::Underflow`] if `a < b`.
    pub fn checked_sub(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Decimal256(sub(self.0, rhs.0)?))
    }

    /// `a * b` = `⌊a·b / 10^18⌋` (atomics; floor).
    ///
    /// # Errors
    /// [`AnchorError::Overflow`] if the atomics product `a·b` overflows 256 bits.
    pub fn checked_mul(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Decimal256(div(mul(self.0, rhs.0)?, DECIMAL_FRACTIONAL)?))
    }

    /// `a / b` = `⌊a·10^18 / b⌋` (atomics; floor).
    ///
    /// # Errors
    /// [`AnchorError::DivisionByZero`] if `b = 0`; [`AnchorError::Overflow`] if `a·10^18`
    /// overflows.
    pub fn checked_div(self, rhs: Self) -> Result<Self, AnchorError> {
        if rhs.is_zero() {
            return Err(AnchorError::DivisionByZero);
        }
        Ok(Decimal256(div(mul(self.0, DECIMAL_FRACTIONAL)?, rhs.0)?))
    }

    /// The integer part, `⌊self⌋` (the contracts' `decimal * Uint256::one()`).
    pub fn floor_uint(self) -> Uint256 {
        Uint256(self.0 / DECIMAL_FRACTIONAL)
    }
}

impl FromStr for Decimal256 {
    type Err = AnchorError;

    /// `Decimal256::from_str`: `"1.23"`, `"1"`, `"000012"`, `"1.123000000"`; at most 18
    /// fractional digits; never rounds.
    fn from_str(input: &str) -> Result<Self, AnchorError> {
        let parts: Vec<&str> = input.split('.').collect();
        let parse = |s: &str, what: &'static str| -> Result<U256, AnchorError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AnchorError::Parse(what));
            }
            U256::from_str_radix(s, 10).map_err(|_| AnchorError::Parse(what))
        };
        match parts.as_slice() {
            [whole] => Ok(Decimal256(mul(
                parse(whole, "Error parsing whole")?,
                DECIMAL_FRACTIONAL,
            )?)),
            [whole, frac] => {
                let w = parse(whole, "Error parsing whole")?;
                let f = parse(frac, "Error parsing fractional")?;
                let exp = 18usize.checked_sub(frac.len()).ok_or(AnchorError::Parse(
                    "Cannot parse more than 18 fractional digits",
                ))?;
                let factor = U256::from(10u64).pow(U256::from(exp));
                Ok(Decimal256(add(
                    mul(w, DECIMAL_FRACTIONAL)?,
                    mul(f, factor)?,
                )?))
            }
            _ => Err(AnchorError::Parse("Unexpected number of dots")),
        }
    }
}

impl fmt::Display for Decimal256 {
    /// `whole[.fraction]` with trailing zeros trimmed, as `cosmwasm-bignumber` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / DECIMAL_FRACTIONAL;
        let frac = self.0 % DECIMAL_FRACTIONAL;
        if frac.is_zero() {
            write!(f, "{whole}")
        } else {
            let s = format!("{frac:0>18}");
            write!(f, "{whole}.{}", s.trim_end_matches('0'))
        }
    }
}

impl Uint256 {
    /// 0.
    pub const ZERO: Uint256 = Uint256(U256::ZERO);
    /// 1.
    pub const ONE: Uint256 = Uint256(U256::from_limbs([1, 0, 0, 0]));

    /// `true` for 0.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `a + b`.
    ///
    /// # Errors
    /// [`AnchorError::Overflow`].
    pub fn checked_add(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Uint256(add(self.0, rhs.0)?))
    }

    /// `a − b`.
    ///
    /// # Errors
    /// [`AnchorError::Underflow`] if `a < b`.
    pub fn checked_sub(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Uint256(sub(self.0, rhs.0)?))
    }

    /// `a · b` (`Uint256 * Uint256`; 0 if either is 0).
    ///
    /// # Errors
    /// [`AnchorError::Overflow`].
    pub fn checked_mul(self, rhs: Self) -> Result<Self, AnchorError> {
        Ok(Uint256(mul(self.0, rhs.0)?))
    }

    /// `multiply_ratio(nom, denom)` = `⌊self·nom / denom⌋`.
    ///
    /// # Errors
    /// [`AnchorError::DivisionByZero`], [`AnchorError::Overflow`] (of `self·nom`).
    pub fn multiply_ratio(self, nom: U256, denom: U256) -> Result<Self, AnchorError> {
        if denom.is_zero() {
            return Err(AnchorError::DivisionByZero);
        }
        Ok(Uint256(div(mul(self.0, nom)?, denom)?))
    }

    /// `self * d` (`Uint256 * Decimal256`, also `Decimal256 * Uint256`) = `⌊self·d⌋`: 0 if
    /// either is 0, else `multiply_ratio(d.atomics, 10^18)` (floor).
    ///
    /// # Errors
    /// [`AnchorError::Overflow`] if `self·d.atomics` overflows.
    pub fn mul_dec(self, d: Decimal256) -> Result<Self, AnchorError> {
        if self.is_zero() || d.is_zero() {
            return Ok(Uint256::ZERO);
        }
        self.multiply_ratio(d.0, DECIMAL_FRACTIONAL)
    }

    /// `self / d` (`Uint256 / Decimal256`) = `⌊self·10^18 / d.atomics⌋` (floor).
    ///
    /// # Errors
    /// [`AnchorError::DivisionByZero`] if `d = 0` (checked before the `self = 0` shortcut, as
    /// the `assert!` comes first); [`AnchorError::Overflow`].
    pub fn div_dec(self, d: Decimal256) -> Result<Self, AnchorError> {
        if d.is_zero() {
            return Err(AnchorError::DivisionByZero);
        }
        if self.is_zero() {
            return Ok(Uint256::ZERO);
        }
        self.multiply_ratio(DECIMAL_FRACTIONAL, d.0)
    }
}

impl From<u128> for Uint256 {
    fn from(v: u128) -> Self {
        Uint256(U256::from(v))
    }
}

impl From<u64> for Uint256 {
    fn from(v: u64) -> Self {
        Uint256(U256::from(v))
    }
}

impl From<U256> for Uint256 {
    fn from(v: U256) -> Self {
        Uint256(v)
    }
}

impl fmt::Display for Uint256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
