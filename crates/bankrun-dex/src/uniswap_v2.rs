//! Uniswap v2 constant-product pair with the 0.3 % fee.
//!
//! Sources: `Uniswap/v2-core@v1.0.1` `UniswapV2Pair.sol` (`swap`, `mint`, `burn`,
//! `_mintFee`, `_update`) and `Uniswap/v2-periphery@0335e8f7`
//! `UniswapV2Library.sol` (`getAmountOut`, `getAmountIn`, `quote`). All amounts are token
//! wei; reserves obey the `uint112` bound; arithmetic is checked (`SafeMath`).
//!
//! The pair does not hold ERC20 wallets: each operation takes the amounts that were sent
//! to the pair in the same transaction (the router pattern), so `balance = reserve + in −
//! out`. Donations (`skim`/`sync`) and flash swaps are not modelled. The TWAP
//! accumulators (`price{0,1}CumulativeLast`, UQ112x112, wrapping) are kept.

use crate::math::{add, div, mul, sqrt, sub, u};
use crate::{DexError, U256};

/// `MINIMUM_LIQUIDITY`: LP wei burnt to `address(0)` on the first mint.
pub const MINIMUM_LIQUIDITY: U256 = U256::from_limbs([1000, 0, 0, 0]);

/// `2^112 − 1`, the largest reserve (`uint112(-1)`).
pub const MAX_RESERVE: U256 = U256::from_limbs([u64::MAX, (1u64 << 48) - 1, 0, 0]);

/// `UniswapV2Library.getAmountOut`: the output (wei of the out-token) of an exact input
/// `amount_in` (wei of the in-token) against reserves `reserve_in`, `reserve_out` (wei),
/// after the 0.3 % fee: `⌊a·997·rOut / (rIn·1000 + a·997)⌋`.
///
/// # Errors
/// [`DexError::InsufficientInputAmount`] if `amount_in == 0`,
/// [`DexError::InsufficientLiquidity`] if a reserve is 0, [`DexError::Overflow`].
pub fn get_amount_out(
    amount_in: U256,
    reserve_in: U256,
    reserve_out: U256,
) -> Result<U256, DexError> {
    if amount_in.is_zero() {
        return Err(DexError::InsufficientInputAmount);
    }
    if reserve_in.is_zero() || reserve_out.is_zero() {
        return Err(DexError::InsufficientLiquidity);
    }
    let in_with_fee = mul(amount_in, u(997))?;
    let numerator = mul(in_with_fee, reserve_out)?;
    let denominator = add(mul(reserve_in, u(1000))?, in_with_fee)?;
    div(numerator, denominator)
}

/// `UniswapV2Library.getAmountIn`: the input (wei) needed for an exact output
/// `amount_out` (wei): `⌊rIn·o·1000 / ((rOut − o)·997)⌋ + 1`.
///
/// # Errors
/// [`DexError::InsufficientOutputAmount`] if `amount_out == 0`,
/// [`DexError::InsufficientLiquidity`] if a reserve is 0, [`DexError::Underflow`] if
/// `amount_out > reserve_out`, [`DexError::DivisionByZero`] if `amount_out ==
/// reserve_out`, [`DexError::Overflow`].
pub fn get_amount_in(
    amount_out: U256,
    reserve_in: U256,
    reserve_out: U256,
) -> Result<U256, DexError> {
    if amount_out.is_zero() {
        return Err(DexError::InsufficientOutputAmount);
    }
    if reserve_in.is_zero() || reserve_out.is_zero() {
        return Err(DexError::InsufficientLiquidity);
    }
    let numerator = mul(mul(reserve_in, amount_out)?, u(1000))?;
    let denominator = mul(sub(reserve_out, amount_out)?, u(997))?;
    add(div(numerator, denominator)?, u(1))
}

/// `UniswapV2Library.quote`: `⌊amount_a·reserve_b / reserve_a⌋` (wei), the no-fee
/// equivalent amount used for adding liquidity.
///
/// # Errors
/// [`DexError::InsufficientAmount`] if `amount_a == 0`,
/// [`DexError::InsufficientLiquidity`] if a reserve is 0, [`DexError::Overflow`].
pub fn quote(amount_a: U256, reserve_a: U256, reserve_b: U256) -> Result<U256, DexError> {
    if amount_a.is_zero() {
        return Err(DexError::InsufficientAmount);
    }
    if reserve_a.is_zero() || reserve_b.is_zero() {
        return Err(DexError::InsufficientLiquidity);
    }
    div(mul(amount_a, reserve_b)?, reserve_a)
}

/// State of a `UniswapV2Pair` (token0/token1 ordering as on-chain).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pair {
    /// `reserve0` (wei of token0, ≤ 2^112 − 1).
    pub reserve0: U256,
    /// `reserve1` (wei of token1, ≤ 2^112 − 1).
    pub reserve1: U256,
    /// LP `totalSupply` (LP wei), including `MINIMUM_LIQUIDITY` and protocol-fee mints.
    pub total_supply: U256,
    /// `kLast` (`reserve0·reserve1` after the last liquidity event while the fee is on).
    pub k_last: U256,
    /// Whether `factory.feeTo() != address(0)` (protocol fee of 1/6 of LP fees).
    pub fee_on: bool,
    /// LP wei minted to `feeTo` so far by `_mintFee`.
    pub fee_to_balance: U256,
    /// `blockTimestampLast` (seconds mod 2^32).
    pub block_timestamp_last: u32,
    /// `price0CumulativeLast` (UQ112x112 · seconds, wrapping).
    pub price0_cumulative_last: U256,
    /// `price1CumulativeLast` (UQ112x112 · seconds, wrapping).
    pub price1_cumulative_last: U256,
}

/// Which token of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `token0`.
    Token0,
    /// `token1`.
    Token1,
}

impl Pair {
    /// An empty pair (no liquidity); `fee_on` mirrors `feeTo != address(0)`.
    pub fn new(fee_on: bool) -> Self {
        Pair {
            fee_on,
            ..Pair::default()
        }
    }

    /// `getReserves()`: `(reserve0, reserve1)` in wei.
    pub fn reserves(&self) -> (U256, U256) {
        (self.reserve0, self.reserve1)
    }

    /// `(reserve_in, reserve_out)` for a trade that sells `side`.
    pub fn reserves_for(&self, sell: Side) -> (U256, U256) {
        match sell {
            Side::Token0 => (self.reserve0, self.reserve1),
            Side::Token1 => (self.reserve1, self.reserve0),
        }
    }

    /// `_update`: checks the `uint112` bound, advances the TWAP accumulators (wrapping,
    /// as on-chain) and stores the balances as reserves. `now` is `block.timestamp`
    /// (seconds).
    ///
    /// # Errors
    /// [`DexError::ReserveOverflow`] if a balance exceeds 2^112 − 1.
    fn update(&mut self, balance0: U256, balance1: U256, now: u64) -> Result<(), DexError> {
        if balance0 > MAX_RESERVE || balance1 > MAX_RESERVE {
            return Err(DexError::ReserveOverflow);
        }
        let ts = (now % (1u64 << 32)) as u32;
        let elapsed = ts.wrapping_sub(self.block_timestamp_last);
        if elapsed > 0 && !self.reserve0.is_zero() && !self.reserve1.is_zero() {
            let q112 = U256::from(1) << 112;
            let e = U256::from(elapsed);
            let p0 = self.reserve1.wrapping_mul(q112) / self.reserve0;
            let p1 = self.reserve0.wrapping_mul(q112) / self.reserve1;
            self.price0_cumulative_last =
                self.price0_cumulative_last.wrapping_add(p0.wrapping_mul(e));
            self.price1_cumulative_last =
                self.price1_cumulative_last.wrapping_add(p1.wrapping_mul(e));
        }
        self.reserve0 = balance0;
        self.reserve1 = balance1;
        self.block_timestamp_last = ts;
        Ok(())
    }

    /// `_mintFee`: mints `TS·(√k − √kLast)/(5√k + √kLast)` LP wei to `feeTo` when the fee
    /// is on and `kLast != 0`; clears `kLast` when the fee is off. Returns `feeOn`.
    fn mint_fee(&mut self) -> Result<bool, DexError> {
        if !self.fee_on {
            self.k_last = U256::ZERO;
            return Ok(false);
        }
        if self.k_last.is_zero() {
            return Ok(true);
        }
        let root_k = sqrt(mul(self.reserve0, self.reserve1)?);
        let root_k_last = sqrt(self.k_last);
        if root_k > root_k_last {
            let numerator = mul(self.total_supply, sub(root_k, root_k_last)?)?;
            let denominator = add(mul(root_k, u(5))?, root_k_last)?;
            let liquidity = div(numerator, denominator)?;
            if !liquidity.is_zero() {
                self.total_supply = add(self.total_supply, liquidity)?;
                self.fee_to_balance = add(self.fee_to_balance, liquidity)?;
            }
        }
        Ok(true)
    }

    /// `mint`: deposits `amount0`, `amount1` (wei, already sent to the pair) and returns
    /// the LP wei minted to the provider. The first mint locks `MINIMUM_LIQUIDITY`:
    /// `√(a0·a1) − 1000`; later `min(a0·TS/r0, a1·TS/r1)`. `now` is `block.timestamp`.
    ///
    /// # Errors
    /// [`DexError::Underflow`] if the first mint's `√(a0·a1) < 1000`,
    /// [`DexError::InsufficientLiquidityMinted`] if it would mint 0,
    /// [`DexError::ReserveOverflow`], [`DexError::Overflow`],
    /// [`DexError::DivisionByZero`]. On error the state is unchanged.
    pub fn mint(&mut self, amount0: U256, amount1: U256, now: u64) -> Result<U256, DexError> {
        let mut next = self.clone();
        let liquidity = next.mint_inner(amount0, amount1, now)?;
        *self = next;
        Ok(liquidity)
    }

    fn mint_inner(&mut self, amount0: U256, amount1: U256, now: u64) -> Result<U256, DexError> {
        let balance0 = add(self.reserve0, amount0)?;
        let balance1 = add(self.reserve1, amount1)?;
        let fee_on = self.mint_fee()?;
        let ts = self.total_supply;
        let liquidity = if ts.is_zero() {
            let l = sub(sqrt(mul(amount0, amount1)?), MINIMUM_LIQUIDITY)?;
            self.total_supply = MINIMUM_LIQUIDITY;
            l
        } else {
            let l0 = div(mul(amount0, ts)?, self.reserve0)?;
            let l1 = div(mul(amount1, ts)?, self.reserve1)?;
            l0.min(l1)
        };
        if liquidity.is_zero() {
            return Err(DexError::InsufficientLiquidityMinted);
        }
        self.total_supply = add(self.total_supply, liquidity)?;
        self.update(balance0, balance1, now)?;
        if fee_on {
            self.k_last = mul(self.reserve0, self.reserve1)?;
        }
        Ok(liquidity)
    }

    /// `burn`: burns `liquidity` LP wei (already sent to the pair) and returns the token
    /// amounts `(amount0, amount1)` paid out: `liquidity·balance/TS` each (after
    /// `_mintFee`). `now` is `block.timestamp`.
    ///
    /// # Errors
    /// [`DexError::InsufficientLiquidityBurned`] if either amount is 0,
    /// [`DexError::Underflow`] if `liquidity > totalSupply`, [`DexError::Overflow`],
    /// [`DexError::DivisionByZero`]. On error the state is unchanged.
    pub fn burn(&mut self, liquidity: U256, now: u64) -> Result<(U256, U256), DexError> {
        let mut next = self.clone();
        let out = next.burn_inner(liquidity, now)?;
        *self = next;
        Ok(out)
    }

    fn burn_inner(&mut self, liquidity: U256, now: u64) -> Result<(U256, U256), DexError> {
        let (balance0, balance1) = (self.reserve0, self.reserve1);
        let fee_on = self.mint_fee()?;
        let ts = self.total_supply;
        let amount0 = div(mul(liquidity, balance0)?, ts)?;
        let amount1 = div(mul(liquidity, balance1)?, ts)?;
        if amount0.is_zero() || amount1.is_zero() {
            return Err(DexError::InsufficientLiquidityBurned);
        }
        self.total_supply = sub(ts, liquidity)?;
        self.update(sub(balance0, amount0)?, sub(balance1, amount1)?, now)?;
        if fee_on {
            self.k_last = mul(self.reserve0, self.reserve1)?;
        }
        Ok((amount0, amount1))
    }

    /// `swap`: the caller has sent `amount0_in`/`amount1_in` (wei) to the pair and asks
    /// for `amount0_out`/`amount1_out` (wei). Enforces the fee-adjusted invariant
    /// `(b0·1000 − in0·3)·(b1·1000 − in1·3) ≥ r0·r1·1000²`. `now` is `block.timestamp`.
    ///
    /// # Errors
    /// [`DexError::InsufficientOutputAmount`] if both outputs are 0,
    /// [`DexError::InsufficientLiquidity`] if an output ≥ its reserve,
    /// [`DexError::InsufficientInputAmount`] if nothing was sent in, [`DexError::K`],
    /// [`DexError::ReserveOverflow`], [`DexError::Overflow`]. On error the state is
    /// unchanged.
    pub fn swap(
        &mut self,
        amount0_in: U256,
        amount1_in: U256,
        amount0_out: U256,
        amount1_out: U256,
        now: u64,
    ) -> Result<(), DexError> {
        if amount0_out.is_zero() && amount1_out.is_zero() {
            return Err(DexError::InsufficientOutputAmount);
        }
        let (r0, r1) = (self.reserve0, self.reserve1);
        if amount0_out >= r0 || amount1_out >= r1 {
            return Err(DexError::InsufficientLiquidity);
        }
        let balance0 = sub(add(r0, amount0_in)?, amount0_out)?;
        let balance1 = sub(add(r1, amount1_in)?, amount1_out)?;
        let in0 = balance0.saturating_sub(sub(r0, amount0_out)?);
        let in1 = balance1.saturating_sub(sub(r1, amount1_out)?);
        if in0.is_zero() && in1.is_zero() {
            return Err(DexError::InsufficientInputAmount);
        }
        let adj0 = sub(mul(balance0, u(1000))?, mul(in0, u(3))?)?;
        let adj1 = sub(mul(balance1, u(1000))?, mul(in1, u(3))?)?;
        if mul(adj0, adj1)? < mul(mul(r0, r1)?, u(1_000_000))? {
            return Err(DexError::K);
        }
        self.update(balance0, balance1, now)
    }

    /// Router-style exact-input swap: sells `amount_in` wei of `sell` for the
    /// [`get_amount_out`] amount of the other token, applies it with [`Pair::swap`], and
    /// returns the output (wei).
    ///
    /// # Errors
    /// As [`get_amount_out`] and [`Pair::swap`]; the state is unchanged on error.
    pub fn swap_exact_in(
        &mut self,
        sell: Side,
        amount_in: U256,
        now: u64,
    ) -> Result<U256, DexError> {
        let (r_in, r_out) = self.reserves_for(sell);
        let out = get_amount_out(amount_in, r_in, r_out)?;
        match sell {
            Side::Token0 => self.swap(amount_in, U256::ZERO, U256::ZERO, out, now)?,
            Side::Token1 => self.swap(U256::ZERO, amount_in, out, U256::ZERO, now)?,
        }
        Ok(out)
    }

    /// Router-style exact-output swap: buys `amount_out` wei of the token other than
    /// `sell`, paying the [`get_amount_in`] amount of `sell`; returns the input (wei).
    ///
    /// # Errors
    /// As [`get_amount_in`] and [`Pair::swap`]; the state is unchanged on error.
    pub fn swap_exact_out(
        &mut self,
        sell: Side,
        amount_out: U256,
        now: u64,
    ) -> Result<U256, DexError> {
        let (r_in, r_out) = self.reserves_for(sell);
        let amount_in = get_amount_in(amount_out, r_in, r_out)?;
        match sell {
            Side::Token0 => self.swap(amount_in, U256::ZERO, U256::ZERO, amount_out, now)?,
            Side::Token1 => self.swap(U256::ZERO, amount_in, amount_out, U256::ZERO, now)?,
        }
        Ok(amount_in)
    }
}
