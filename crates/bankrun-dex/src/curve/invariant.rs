//! The StableSwap invariant: `get_D`, `get_y`, `get_y_D` (255-iteration Newton).
//!
//! Source: `StableSwap3Pool.vy` `get_D`, `get_y`, `get_y_D` (vyper 0.2.4), and the same
//! functions with `A_PRECISION` of the pools from late 2020 on (`StableSwapSTETH.vy`,
//! vyper 0.2.8, and the `pool-templates/base` template): `Ann·S/A_PRECISION`,
//! `(Ann − A_PRECISION)·D/A_PRECISION`, `c·D·A_PRECISION/(Ann·n)`, `D·A_PRECISION/Ann`.
//! With `A_PRECISION = 1` these are 3pool's expressions exactly. All values are 18-decimal
//! normalised balances (`xp`); `amp.a` is the stored A (`A_paper·n^(n−1)`, times
//! `A_PRECISION`). When 255 iterations pass without convergence the last iterate is
//! returned (no revert), as in the contract.

use crate::math::{add, div, mul, sub, u};
use crate::{DexError, U256};

/// The amplification as the invariant uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amp {
    /// The stored A (what `A_precise()` returns; `A()` on pools without `A_PRECISION`).
    pub a: U256,
    /// `A_PRECISION`: 1 for 3pool's generation, 100 for later pools (stETH/ETH).
    pub precision: U256,
}

impl Amp {
    /// A pool without `A_PRECISION` (3pool): `precision = 1`.
    pub fn plain(a: U256) -> Self {
        Amp { a, precision: u(1) }
    }
}

/// Newton iterations of every solver (`range(255)`).
const ITERATIONS: usize = 255;

/// `|a − b| ≤ 1`: the solvers' stopping rule.
fn converged(a: U256, b: U256) -> bool {
    a.abs_diff(b) <= U256::from(1)
}

/// `get_D(xp, amp)`: the invariant D (18-decimal) by Newton's method from `D = S`:
/// `D_P = D^(n+1)/(nⁿ·Πx)` (folded per coin), `D ← (Ann·S/P + n·D_P)·D / ((Ann−P)·D/P +
/// (n+1)·D_P)` with `Ann = amp.a·n`, `P = A_PRECISION`. Returns 0 if `Σxp = 0`.
///
/// # Errors
/// [`DexError::DivisionByZero`] if some `xp[k] = 0` while `S > 0` (the contract's
/// "borked" pool), [`DexError::Underflow`] if `amp = 0`, [`DexError::Overflow`].
pub fn get_d(xp: &[U256], amp: Amp) -> Result<U256, DexError> {
    let n = u(xp.len() as u64);
    let s = xp.iter().try_fold(U256::ZERO, |acc, x| add(acc, *x))?;
    if s.is_zero() {
        return Ok(U256::ZERO);
    }
    let mut d = s;
    let (ann, prec) = (mul(amp.a, n)?, amp.precision);
    for _ in 0..ITERATIONS {
        let mut d_p = d;
        for x in xp {
            d_p = div(mul(d_p, d)?, mul(*x, n)?)?;
        }
        let d_prev = d;
        let numerator = mul(add(div(mul(ann, s)?, prec)?, mul(d_p, n)?)?, d)?;
        let denominator = add(
            div(mul(sub(ann, prec)?, d)?, prec)?,
            mul(add(n, u(1))?, d_p)?,
        )?;
        d = div(numerator, denominator)?;
        if converged(d, d_prev) {
            break;
        }
    }
    Ok(d)
}

/// The shared quadratic solve of `get_y`/`get_y_D`: given D and the other coins'
/// normalised balances `others`, iterate `y ← (y² + c)/(2y + b − D)` from `y = D` with
/// `c = D^(n+1)/(nⁿ·Πothers·Ann)` (folded), `b = Σothers + D/Ann`.
fn solve_y(amp: Amp, n: U256, others: &[U256], d: U256) -> Result<U256, DexError> {
    let (ann, prec) = (mul(amp.a, n)?, amp.precision);
    let mut c = d;
    let mut s = U256::ZERO;
    for x in others {
        s = add(s, *x)?;
        c = div(mul(c, d)?, mul(*x, n)?)?;
    }
    c = div(mul(mul(c, d)?, prec)?, mul(ann, n)?)?;
    let b = add(s, div(mul(d, prec)?, ann)?)?;
    let mut y = d;
    for _ in 0..ITERATIONS {
        let y_prev = y;
        let numerator = add(mul(y, y)?, c)?;
        let denominator = sub(add(mul(u(2), y)?, b)?, d)?;
        y = div(numerator, denominator)?;
        if converged(y, y_prev) {
            break;
        }
    }
    Ok(y)
}

/// `get_y(i, j, x, xp)`: the new normalised balance of coin `j` (18-decimal) when coin
/// `i`'s normalised balance becomes `x`, at the D of `xp` and amplification `amp`.
///
/// # Errors
/// [`DexError::InvalidCoinIndex`] if `i == j` or an index ≥ n; checked-arithmetic
/// errors as [`get_d`].
pub fn get_y(i: usize, j: usize, x: U256, xp: &[U256], amp: Amp) -> Result<U256, DexError> {
    let n = xp.len();
    if i == j || j >= n || i >= n {
        return Err(DexError::InvalidCoinIndex);
    }
    let d = get_d(xp, amp)?;
    let others: Vec<U256> = (0..n)
        .filter(|&k| k != j)
        .map(|k| if k == i { x } else { xp[k] })
        .collect();
    solve_y(amp, u(n as u64), &others, d)
}

/// `get_y_D(A, i, xp, D)`: the normalised balance of coin `i` (18-decimal) that gives
/// invariant `d` with the other coins of `xp` unchanged.
///
/// # Errors
/// [`DexError::InvalidCoinIndex`] if `i ≥ n`; checked-arithmetic errors.
pub fn get_y_d(amp: Amp, i: usize, xp: &[U256], d: U256) -> Result<U256, DexError> {
    let n = xp.len();
    if i >= n {
        return Err(DexError::InvalidCoinIndex);
    }
    let others: Vec<U256> = (0..n).filter(|&k| k != i).map(|k| xp[k]).collect();
    solve_y(amp, u(n as u64), &others, d)
}
