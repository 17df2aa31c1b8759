//! Liquidity: `add_liquidity`, `remove_liquidity`, `remove_liquidity_imbalance`,
//! `calc_token_amount`, `calc_withdraw_one_coin`, `remove_liquidity_one_coin`.
//!
//! Source: `StableSwap3Pool.vy`, functions of the same names. Imbalanced operations pay
//! `fee·N/(4(N−1))` on `|ideal − new|` per coin, with `ideal = D1·old_i/D0`.

use super::{FEE_DENOMINATOR, StableSwap, get_y_d};
use crate::math::{add, div, mul, sub, u};
use crate::{DexError, U256};

/// Per-coin imbalance fees and the balances net of them.
struct Imbalance {
    /// `fees[i]` (coin wei) charged on coin `i`.
    fees: Vec<U256>,
    /// `new_balances[i] − fees[i]`.
    net: Vec<U256>,
    /// `new_balances[i] − fees[i]·admin_fee/1e10`: the stored balances.
    stored: Vec<U256>,
}

impl StableSwap {
    /// The imbalance fees of moving from `old` (invariant `d0`) to `new` (invariant
    /// `d1`).
    fn imbalance(
        &self,
        old: &[U256],
        new: &[U256],
        d0: U256,
        d1: U256,
    ) -> Result<Imbalance, DexError> {
        let fee = self.imbalance_fee()?;
        let mut out = Imbalance {
            fees: Vec::with_capacity(old.len()),
            net: Vec::with_capacity(old.len()),
            stored: Vec::with_capacity(old.len()),
        };
        for (o, nb) in old.iter().zip(new) {
            let ideal = div(mul(d1, *o)?, d0)?;
            let f = div(mul(fee, ideal.abs_diff(*nb))?, FEE_DENOMINATOR)?;
            let admin = div(mul(f, self.admin_fee)?, FEE_DENOMINATOR)?;
            out.stored.push(sub(*nb, admin)?);
            out.net.push(sub(*nb, f)?);
            out.fees.push(f);
        }
        Ok(out)
    }

    /// Adds the admin part (`old + … − stored`) of the imbalance to `admin_balances`.
    fn book_admin(&mut self, new: &[U256], stored: Vec<U256>) -> Result<(), DexError> {
        for (k, (nb, st)) in new.iter().zip(&stored).enumerate() {
            self.admin_balances[k] = add(self.admin_balances[k], sub(*nb, *st)?)?;
        }
        self.balances = stored;
        Ok(())
    }

    /// `calc_token_amount(amounts, deposit)` (view): LP wei minted (deposit) or burnt
    /// (withdrawal) ignoring fees: `|D1 − D0|·TS/D0`.
    ///
    /// # Errors
    /// [`DexError::WrongCoinCount`], [`DexError::Underflow`] if a withdrawal exceeds a
    /// balance or D moves the wrong way, [`DexError::DivisionByZero`] if D0 = 0.
    pub fn calc_token_amount(&self, amounts: &[U256], deposit: bool) -> Result<U256, DexError> {
        self.check_len(amounts)?;
        let d0 = self.d()?;
        let moved: Vec<U256> = self
            .balances
            .iter()
            .zip(amounts)
            .map(|(b, a)| if deposit { add(*b, *a) } else { sub(*b, *a) })
            .collect::<Result<_, _>>()?;
        let d1 = self.get_d_mem(&moved)?;
        let diff = if deposit { sub(d1, d0)? } else { sub(d0, d1)? };
        div(mul(diff, self.total_supply)?, d0)
    }

    /// `add_liquidity(amounts, min_mint_amount)`: deposits `amounts` (coin wei) and
    /// returns the LP wei minted: `D1` on the first deposit, else `TS·(D2 − D0)/D0` where
    /// `D2` is the invariant after imbalance fees.
    ///
    /// # Errors
    /// [`DexError::Killed`], [`DexError::WrongCoinCount`],
    /// [`DexError::InitialDepositRequiresAllCoins`], [`DexError::InvariantNotIncreased`],
    /// [`DexError::Slippage`], checked-arithmetic errors. State unchanged on error.
    pub fn add_liquidity(
        &mut self,
        amounts: &[U256],
        min_mint_amount: U256,
    ) -> Result<U256, DexError> {
        self.check_alive()?;
        self.check_len(amounts)?;
        let ts = self.total_supply;
        if ts.is_zero() && amounts.iter().any(|a| a.is_zero()) {
            return Err(DexError::InitialDepositRequiresAllCoins);
        }
        let old = self.balances.clone();
        let d0 = if ts.is_zero() {
            U256::ZERO
        } else {
            self.get_d_mem(&old)?
        };
        let new: Vec<U256> = old
            .iter()
            .zip(amounts)
            .map(|(b, a)| add(*b, *a))
            .collect::<Result<_, _>>()?;
        let d1 = self.get_d_mem(&new)?;
        if d1 <= d0 {
            return Err(DexError::InvariantNotIncreased);
        }
        let mut next = self.clone();
        let mint = if ts.is_zero() {
            next.balances = new;
            d1
        } else {
            let imb = self.imbalance(&old, &new, d0, d1)?;
            let d2 = self.get_d_mem(&imb.net)?;
            next.book_admin(&new, imb.stored)?;
            div(mul(ts, sub(d2, d0)?)?, d0)?
        };
        if mint < min_mint_amount {
            return Err(DexError::Slippage);
        }
        next.total_supply = add(ts, mint)?;
        *self = next;
        Ok(mint)
    }

    /// `remove_liquidity(amount, min_amounts)`: burns `amount` LP wei for
    /// `balances[i]·amount/TS` of every coin (no fee; allowed when killed).
    ///
    /// # Errors
    /// [`DexError::WrongCoinCount`], [`DexError::Slippage`],
    /// [`DexError::InsufficientLpTokens`] if `amount > TS`,
    /// [`DexError::DivisionByZero`]. State unchanged on error.
    pub fn remove_liquidity(
        &mut self,
        amount: U256,
        min_amounts: &[U256],
    ) -> Result<Vec<U256>, DexError> {
        self.check_len(min_amounts)?;
        let ts = self.total_supply;
        let mut values = Vec::with_capacity(self.n_coins());
        let mut balances = self.balances.clone();
        for (b, min) in balances.iter_mut().zip(min_amounts) {
            let v = div(mul(*b, amount)?, ts)?;
            if v < *min {
                return Err(DexError::Slippage);
            }
            *b = sub(*b, v)?;
            values.push(v);
        }
        let supply = ts
            .checked_sub(amount)
            .ok_or(DexError::InsufficientLpTokens)?;
        self.balances = balances;
        self.total_supply = supply;
        Ok(values)
    }

    /// `remove_liquidity_imbalance(amounts, max_burn_amount)`: withdraws exactly
    /// `amounts` (coin wei) and returns the LP wei burnt: `(D0 − D2)·TS/D0 + 1`.
    ///
    /// # Errors
    /// [`DexError::Killed`], [`DexError::WrongCoinCount`], [`DexError::ZeroTotalSupply`],
    /// [`DexError::ZeroTokensBurned`], [`DexError::Slippage`] if the burn exceeds
    /// `max_burn_amount`, [`DexError::InsufficientLpTokens`], checked-arithmetic errors.
    /// State unchanged on error.
    pub fn remove_liquidity_imbalance(
        &mut self,
        amounts: &[U256],
        max_burn_amount: U256,
    ) -> Result<U256, DexError> {
        self.check_alive()?;
        self.check_len(amounts)?;
        let ts = self.total_supply;
        if ts.is_zero() {
            return Err(DexError::ZeroTotalSupply);
        }
        let old = self.balances.clone();
        let d0 = self.get_d_mem(&old)?;
        let new: Vec<U256> = old
            .iter()
            .zip(amounts)
            .map(|(b, a)| sub(*b, *a))
            .collect::<Result<_, _>>()?;
        let d1 = self.get_d_mem(&new)?;
        let imb = self.imbalance(&old, &new, d0, d1)?;
        let d2 = self.get_d_mem(&imb.net)?;
        let burn = div(mul(sub(d0, d2)?, ts)?, d0)?;
        if burn.is_zero() {
            return Err(DexError::ZeroTokensBurned);
        }
        let burn = add(burn, u(1))?;
        if burn > max_burn_amount {
            return Err(DexError::Slippage);
        }
        let supply = ts.checked_sub(burn).ok_or(DexError::InsufficientLpTokens)?;
        let mut next = self.clone();
        next.book_admin(&new, imb.stored)?;
        next.total_supply = supply;
        *self = next;
        Ok(burn)
    }

    /// `_calc_withdraw_one_coin(amount, i)`: `(dy, dy_fee)` in coin wei of `i` for
    /// burning `amount` LP wei: `D1 = D0 − amount·D0/TS`, fees on the reduced balances,
    /// `dy = (xp_reduced[i] − get_y_D(xp_reduced, D1) − 1)/PRECISION_MUL[i]`,
    /// `dy_fee = dy_0 − dy` with `dy_0` the fee-less amount.
    fn calc_withdraw_one(&self, amount: U256, i: usize) -> Result<(U256, U256), DexError> {
        self.check_index(i)?;
        let amp = self.amp()?;
        let fee = self.imbalance_fee()?;
        let prec = self.precision_mul(i);
        let xp = self.xp()?;
        let d0 = super::get_d(&xp, amp)?;
        let d1 = sub(d0, div(mul(amount, d0)?, self.total_supply)?)?;
        let new_y = get_y_d(amp, i, &xp, d1)?;
        let dy_0 = div(sub(xp[i], new_y)?, prec)?;
        let mut reduced = xp.clone();
        for (k, x) in xp.iter().enumerate() {
            let scaled = div(mul(*x, d1)?, d0)?;
            let expected = if k == i {
                sub(scaled, new_y)?
            } else {
                sub(*x, scaled)?
            };
            reduced[k] = sub(reduced[k], div(mul(fee, expected)?, FEE_DENOMINATOR)?)?;
        }
        let dy = sub(reduced[i], get_y_d(amp, i, &reduced, d1)?)?;
        let dy = div(sub(dy, u(1))?, prec)?;
        Ok((dy, sub(dy_0, dy)?))
    }

    /// `calc_withdraw_one_coin(amount, i)` (view): coin wei of `i` received for burning
    /// `amount` LP wei, net of fees.
    ///
    /// # Errors
    /// [`DexError::InvalidCoinIndex`], [`DexError::DivisionByZero`] when the supply is 0,
    /// checked-arithmetic errors.
    pub fn calc_withdraw_one_coin(&self, amount: U256, i: usize) -> Result<U256, DexError> {
        Ok(self.calc_withdraw_one(amount, i)?.0)
    }

    /// `remove_liquidity_one_coin(amount, i, min_amount)`: burns `amount` LP wei for coin
    /// `i`; `balances[i] −= dy + dy_fee·admin_fee/1e10`. Returns `dy` (coin wei).
    ///
    /// # Errors
    /// [`DexError::Killed`], [`DexError::Slippage`] if `dy < min_amount`,
    /// [`DexError::InsufficientLpTokens`], as [`StableSwap::calc_withdraw_one_coin`].
    /// State unchanged on error.
    pub fn remove_liquidity_one_coin(
        &mut self,
        amount: U256,
        i: usize,
        min_amount: U256,
    ) -> Result<U256, DexError> {
        self.check_alive()?;
        let (dy, dy_fee) = self.calc_withdraw_one(amount, i)?;
        if dy < min_amount {
            return Err(DexError::Slippage);
        }
        let admin = div(mul(dy_fee, self.admin_fee)?, FEE_DENOMINATOR)?;
        let bal = sub(self.balances[i], add(dy, admin)?)?;
        let supply = self
            .total_supply
            .checked_sub(amount)
            .ok_or(DexError::InsufficientLpTokens)?;
        let admin_bal = add(self.admin_balances[i], admin)?;
        self.balances[i] = bal;
        self.admin_balances[i] = admin_bal;
        self.total_supply = supply;
        Ok(dy)
    }
}
