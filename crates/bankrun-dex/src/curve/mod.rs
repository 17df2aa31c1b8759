//! Curve StableSwap pool for `n` coins with the integer semantics of 3pool.
//!
//! Source: `curvefi/curve-contract@574f4402`,
//! `contracts/pools/3pool/StableSwap3Pool.vy` (vyper 0.2.4). Written from the published
//! formulas (protocol-math.md §3.2); the contract's code is "all rights reserved" and is
//! not copied. Arithmetic is checked `uint256`: every overflow, underflow and division by
//! zero the contract reverts on is a [`DexError`].
//!
//! # Units
//! - `balances` in coin wei (DAI 1e18, USDC/USDT 1e6);
//! - `rates[i] = 1e18 · PRECISION_MUL[i]` (3pool `RATES = [1e18, 1e30, 1e30]`);
//!   normalised balances `xp[i] = rates[i]·balances[i]/1e18` are 18-decimal;
//! - `fee`, `admin_fee` in 1e10 units (`FEE_DENOMINATOR`), e.g. `fee = 4e6` = 0.04 %;
//! - LP tokens in 18-decimal wei; time in seconds.
//!
//! # The A convention
//! The stored amplification `A` (what `A()` returns and `ramp_A` takes) is used as
//! `Ann = A·n`. The whitepaper's invariant uses `A_paper·nⁿ`, so
//! **stored `A = A_paper · n^(n−1)`** (for 3pool, `A = 9·A_paper`). The contract's
//! constructor docstring ("multiplied by n·(n−1)") is inexact for n = 3.
//!
//! # Differences from the contract
//! - USDT's transfer fee (`FEE_INDEX`) is zero on mainnet, so `dx_w_fee = dx`.
//! - ERC20 wallets and per-holder LP balances are the caller's: the pool tracks the LP
//!   `total_supply` and the admin-fee coins (`admin_balances`, i.e. `balanceOf(pool) −
//!   balances`).
//! - Admin actions with delays (`commit_new_fee`, ownership) are plain field writes; the
//!   A ramp is exact.

mod invariant;
mod liquidity;
mod swap;

pub use invariant::{Amp, get_d, get_y, get_y_d};

use crate::math::{add, div, mul, sub, u};
use crate::{DexError, U256};

/// `FEE_DENOMINATOR` (1e10).
pub const FEE_DENOMINATOR: U256 = U256::from_limbs([10_000_000_000, 0, 0, 0]);
/// `PRECISION` / `LENDING_PRECISION` (1e18).
pub const PRECISION: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// `MAX_A` (1e6), exclusive upper bound of a ramp target.
pub const MAX_A: u64 = 1_000_000;
/// `MAX_A_CHANGE` (10): a ramp may change A by at most this factor.
pub const MAX_A_CHANGE: u64 = 10;
/// `MIN_RAMP_TIME` (86 400 s).
pub const MIN_RAMP_TIME: u64 = 86_400;
/// `MAX_FEE` (5e9 = 50 %).
pub const MAX_FEE: u64 = 5_000_000_000;
/// `MAX_ADMIN_FEE` (1e10 = 100 %).
pub const MAX_ADMIN_FEE: u64 = 10_000_000_000;

/// A StableSwap pool (3pool semantics, any `n ≥ 2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StableSwap {
    /// `balances[i]` (coin wei) owned by LPs.
    pub balances: Vec<U256>,
    /// `RATES[i]` = `1e18 · PRECISION_MUL[i]` (1e18-scaled precision multipliers).
    pub rates: Vec<U256>,
    /// `initial_A` (stored-A convention, see module docs).
    pub initial_a: U256,
    /// `future_A`.
    pub future_a: U256,
    /// `initial_A_time` (seconds).
    pub initial_a_time: u64,
    /// `future_A_time` (seconds; 0 = no ramp).
    pub future_a_time: u64,
    /// `fee` (1e10 units).
    pub fee: U256,
    /// `admin_fee` (1e10 units, share of `fee`).
    pub admin_fee: U256,
    /// LP token `totalSupply` (wei).
    pub total_supply: U256,
    /// Admin fees accrued (coin wei) that sit in the contract outside `balances`.
    pub admin_balances: Vec<U256>,
    /// `block.timestamp` used by `_A()` (seconds); advance it with
    /// [`StableSwap::set_timestamp`].
    pub timestamp: u64,
    /// `is_killed`: blocks exchange and all deposits/withdrawals except
    /// `remove_liquidity`.
    pub is_killed: bool,
    /// `A_PRECISION`: 1 (3pool, the default), 100 for pools from late 2020 on (stETH/ETH),
    /// whose stored A (`initial_a`, `future_a`) is then `A()·100`; see [`StableSwap::with_a_precision`].
    pub a_precision: U256,
}

impl StableSwap {
    /// An empty pool with precision multipliers `rates` (1e18-scaled), amplification `a`
    /// (stored convention), `fee` and `admin_fee` (1e10 units), as the constructor.
    pub fn new(rates: Vec<U256>, a: U256, fee: U256, admin_fee: U256) -> Self {
        let n = rates.len();
        StableSwap {
            balances: vec![U256::ZERO; n],
            rates,
            initial_a: a,
            future_a: a,
            initial_a_time: 0,
            future_a_time: 0,
            fee,
            admin_fee,
            total_supply: U256::ZERO,
            admin_balances: vec![U256::ZERO; n],
            timestamp: 0,
            is_killed: false,
            a_precision: u(1),
        }
    }

    /// The same pool with `A_PRECISION = precision` (100 for `StableSwapSTETH.vy`); `a` given
    /// to [`StableSwap::new`] is then the precise A (`A_precise()`, e.g. 5000 for A = 50).
    pub fn with_a_precision(mut self, precision: U256) -> Self {
        self.a_precision = precision;
        self
    }

    /// The amplification at `self.timestamp` with the pool's `A_PRECISION`.
    ///
    /// # Errors
    /// As [`StableSwap::a`].
    pub fn amp(&self) -> Result<Amp, DexError> {
        Ok(Amp {
            a: self.a()?,
            precision: self.a_precision,
        })
    }

    /// An empty DAI/USDC/USDT 3pool (`RATES = [1e18, 1e30, 1e30]`).
    pub fn three_pool(a: U256, fee: U256, admin_fee: U256) -> Self {
        let e18 = PRECISION;
        let e30 = e18 * u(1_000_000_000_000);
        Self::new(vec![e18, e30, e30], a, fee, admin_fee)
    }

    /// `N_COINS`.
    pub fn n_coins(&self) -> usize {
        self.rates.len()
    }

    /// Sets `block.timestamp` (seconds) for the A ramp.
    pub fn set_timestamp(&mut self, now: u64) {
        self.timestamp = now;
    }

    /// `_A()`: the amplification (stored convention) at `self.timestamp`, linear between
    /// `(initial_A, initial_A_time)` and `(future_A, future_A_time)`.
    ///
    /// # Errors
    /// Checked-arithmetic errors (e.g. a timestamp before `initial_A_time` mid-ramp).
    pub fn a(&self) -> Result<U256, DexError> {
        let (t, t1, a1) = (self.timestamp, self.future_a_time, self.future_a);
        if t >= t1 {
            return Ok(a1);
        }
        let (a0, t0) = (self.initial_a, self.initial_a_time);
        let elapsed = u(t.checked_sub(t0).ok_or(DexError::Underflow)?);
        let span = u(t1.checked_sub(t0).ok_or(DexError::Underflow)?);
        if a1 > a0 {
            add(a0, div(mul(a1 - a0, elapsed)?, span)?)
        } else {
            sub(a0, div(mul(a0 - a1, elapsed)?, span)?)
        }
    }

    /// `ramp_A(future_A, future_time)` (owner only on-chain): starts a linear ramp from
    /// the current A at `self.timestamp` to `future_a` at `future_time` (seconds).
    ///
    /// # Errors
    /// [`DexError::InvalidRamp`] if less than `MIN_RAMP_TIME` since the last ramp start,
    /// if `future_time < now + MIN_RAMP_TIME`, if `future_a ∉ (0, MAX_A)`, or if it
    /// changes A by more than `MAX_A_CHANGE`×.
    pub fn ramp_a(&mut self, future_a: U256, future_time: u64) -> Result<(), DexError> {
        let now = self.timestamp;
        if now < self.initial_a_time.saturating_add(MIN_RAMP_TIME)
            || future_time < now.saturating_add(MIN_RAMP_TIME)
        {
            return Err(DexError::InvalidRamp);
        }
        let initial = self.a()?;
        if future_a.is_zero() || future_a >= u(MAX_A) {
            return Err(DexError::InvalidRamp);
        }
        let change = u(MAX_A_CHANGE);
        let up_ok = future_a >= initial && future_a <= mul(initial, change)?;
        let down_ok = future_a < initial && mul(future_a, change)? >= initial;
        if !(up_ok || down_ok) {
            return Err(DexError::InvalidRamp);
        }
        self.initial_a = initial;
        self.future_a = future_a;
        self.initial_a_time = now;
        self.future_a_time = future_time;
        Ok(())
    }

    /// `stop_ramp_A()`: freezes A at its current value.
    ///
    /// # Errors
    /// As [`StableSwap::a`].
    pub fn stop_ramp_a(&mut self) -> Result<(), DexError> {
        let current = self.a()?;
        self.initial_a = current;
        self.future_a = current;
        self.initial_a_time = self.timestamp;
        self.future_a_time = self.timestamp;
        Ok(())
    }

    /// `_xp_mem(balances)`: `rates[i]·balances[i]/1e18` (18-decimal normalised).
    ///
    /// # Errors
    /// [`DexError::WrongCoinCount`], [`DexError::Overflow`].
    pub fn xp_mem(&self, balances: &[U256]) -> Result<Vec<U256>, DexError> {
        self.check_len(balances)?;
        self.rates
            .iter()
            .zip(balances)
            .map(|(r, b)| div(mul(*r, *b)?, PRECISION))
            .collect()
    }

    /// `_xp()`: the normalised current balances.
    ///
    /// # Errors
    /// [`DexError::Overflow`].
    pub fn xp(&self) -> Result<Vec<U256>, DexError> {
        self.xp_mem(&self.balances)
    }

    /// `get_D_mem(balances, A())`: the invariant D (18-decimal) of `balances`.
    ///
    /// # Errors
    /// As [`get_d`].
    pub fn get_d_mem(&self, balances: &[U256]) -> Result<U256, DexError> {
        get_d(&self.xp_mem(balances)?, self.amp()?)
    }

    /// The invariant D of the current balances (18-decimal).
    ///
    /// # Errors
    /// As [`get_d`].
    pub fn d(&self) -> Result<U256, DexError> {
        self.get_d_mem(&self.balances)
    }

    /// `get_virtual_price()`: `D·1e18/totalSupply` (1e18 = 1 unit per LP token).
    ///
    /// # Errors
    /// [`DexError::DivisionByZero`] when the supply is 0, or as [`get_d`].
    pub fn get_virtual_price(&self) -> Result<U256, DexError> {
        div(mul(self.d()?, PRECISION)?, self.total_supply)
    }

    /// `PRECISION_MUL[i] = rates[i]/1e18`.
    pub(crate) fn precision_mul(&self, i: usize) -> U256 {
        self.rates[i] / PRECISION
    }

    /// `fee·N/(4·(N−1))`: the per-coin imbalance fee of liquidity operations (1e10).
    pub(crate) fn imbalance_fee(&self) -> Result<U256, DexError> {
        let n = u(self.n_coins() as u64);
        div(mul(self.fee, n)?, mul(u(4), sub(n, u(1))?)?)
    }

    /// Fails with [`DexError::WrongCoinCount`] unless `v` has `N_COINS` entries.
    pub(crate) fn check_len(&self, v: &[U256]) -> Result<(), DexError> {
        if v.len() == self.n_coins() {
            Ok(())
        } else {
            Err(DexError::WrongCoinCount)
        }
    }

    /// Fails with [`DexError::InvalidCoinIndex`] unless `i < N_COINS`.
    pub(crate) fn check_index(&self, i: usize) -> Result<(), DexError> {
        if i < self.n_coins() {
            Ok(())
        } else {
            Err(DexError::InvalidCoinIndex)
        }
    }

    /// Fails with [`DexError::Killed`] when the pool is killed.
    pub(crate) fn check_alive(&self) -> Result<(), DexError> {
        if self.is_killed {
            Err(DexError::Killed)
        } else {
            Ok(())
        }
    }
}
