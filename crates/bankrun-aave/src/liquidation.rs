//! Liquidations, bad-debt burning and deficit elimination (`LiquidationLogic`,
//! aave-v3-origin v3.6.0).

use crate::emode::user_reserve_liquidation_bonus;
use crate::error::{PoolError, add, check_u120, check_u128, div, mul, sub};
use crate::pool::Pool;
use crate::user::bits;
use crate::v2::validation::check_not_paused;
use crate::validation::HEALTH_FACTOR_LIQUIDATION_THRESHOLD;
use crate::{AssetId, U256, UserId};
use alloy_primitives::uint;
use bankrun_math::interest::mul_div_ceil;
use bankrun_math::percentage::{percent_div, percent_div_ceil, percent_mul};

/// `CLOSE_FACTOR_HF_THRESHOLD = 0.95e18` (WAD).
pub const CLOSE_FACTOR_HF_THRESHOLD: U256 = uint!(950000000000000000_U256);
/// `MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8` ($2,000 in 8-dp base currency).
pub const MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD: U256 = uint!(200000000000_U256);
/// `MIN_LEFTOVER_BASE = 1000e8` ($1,000 in 8-dp base currency).
pub const MIN_LEFTOVER_BASE: U256 = uint!(100000000000_U256);
/// `DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4` bps.
pub const DEFAULT_LIQUIDATION_CLOSE_FACTOR: U256 = uint!(5000_U256);

/// Result of a successful [`Pool::liquidation_call`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiquidationOutcome {
    /// Debt repaid by the liquidator (`actualDebtToLiquidate`), debt-token wei.
    pub debt_repaid: U256,
    /// Collateral received by the liquidator (aTokens or underlying), collateral wei.
    pub collateral_to_liquidator: U256,
    /// Protocol fee sent to the treasury as aTokens, collateral wei.
    pub protocol_fee: U256,
    /// Borrower's health factor before the liquidation, WAD.
    pub health_factor_before: U256,
    /// Deficit added per reserve (debt-token wei) when the borrower's collateral ran
    /// out: the liquidated reserve's remainder and every other burned debt.
    pub deficit_created: Vec<(AssetId, U256)>,
    /// Whether the liquidator received aTokens (else the underlying was withdrawn).
    pub received_a_token: bool,
}

/// Inputs of [`calculate_available_collateral_to_liquidate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollateralCalcInput {
    /// Collateral price, 8-dp USD.
    pub collateral_price: U256,
    /// `10**collateralDecimals`.
    pub collateral_unit: U256,
    /// Debt price, 8-dp USD.
    pub debt_price: U256,
    /// `10**debtDecimals`.
    pub debt_unit: U256,
    /// Debt to cover (after the close factor), debt wei.
    pub debt_to_cover: U256,
    /// Borrower's collateral balance, collateral wei.
    pub borrower_collateral_balance: U256,
    /// Liquidation bonus, bps (e.g. 10500).
    pub liquidation_bonus: u16,
    /// Liquidation protocol fee, bps of the bonus part.
    pub protocol_fee_bps: u16,
}

/// Output of [`calculate_available_collateral_to_liquidate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollateralCalcOutput {
    /// Collateral to the liquidator (fee already deducted), collateral wei.
    pub collateral_to_liquidator: U256,
    /// Debt actually repaid, debt wei.
    pub debt_amount_needed: U256,
    /// Protocol fee, collateral wei.
    pub protocol_fee: U256,
    /// Seized collateral (liquidator + fee) in base currency, 8-dp USD.
    pub collateral_to_liquidate_base: U256,
}

/// Collateral seized for `debt_to_cover`, capped by the borrower's balance.
///
/// v3.6 difference: when collateral-limited, `debtAmountNeeded` uses `percentDivCeil`
/// (v3.0–v3.5: half-up `percentDiv`), i.e. the liquidator may repay 1 wei more.
///
/// Errors: [`PoolError::DivisionByZero`] (zero price / bonus), [`PoolError::MathOverflow`].
/// Reproduces `LiquidationLogic._calculateAvailableCollateralToLiquidate` (v3.6.0).
pub fn calculate_available_collateral_to_liquidate(
    i: &CollateralCalcInput,
) -> Result<CollateralCalcOutput, PoolError> {
    let bonus = U256::from(i.liquidation_bonus);
    let num = mul(mul(i.debt_price, i.debt_to_cover)?, i.collateral_unit)?;
    let base_collateral = div(num, mul(i.collateral_price, i.debt_unit)?)?;
    let max_collateral = percent_mul(base_collateral, bonus)?;
    let (mut collateral, debt_needed) = if max_collateral > i.borrower_collateral_balance {
        let c = i.borrower_collateral_balance;
        let num = mul(mul(i.collateral_price, c)?, i.debt_unit)?;
        let value_in_debt = div(num, mul(i.debt_price, i.collateral_unit)?)?;
        (c, percent_div_ceil(value_in_debt, bonus)?)
    } else {
        (max_collateral, i.debt_to_cover)
    };
    let collateral_base = div(mul(collateral, i.collateral_price)?, i.collateral_unit)?;
    let mut fee = U256::ZERO;
    if i.protocol_fee_bps != 0 {
        let bonus_collateral = sub(collateral, percent_div(collateral, bonus)?)?;
        fee = percent_mul(bonus_collateral, U256::from(i.protocol_fee_bps))?;
        collateral = sub(collateral, fee)?;
    }
    Ok(CollateralCalcOutput {
        collateral_to_liquidator: collateral,
        debt_amount_needed: debt_needed,
        protocol_fee: fee,
        collateral_to_liquidate_base: collateral_base,
    })
}

/// Arguments of one liquidation (every version).
#[derive(Clone, Copy)]
pub(crate) struct Liq {
    pub(crate) now: u64,
    pub(crate) liquidator: UserId,
    pub(crate) collateral: AssetId,
    pub(crate) debt: AssetId,
    pub(crate) user: UserId,
    pub(crate) debt_to_cover: U256,
    pub(crate) receive_a_token: bool,
}

impl Pool {
    /// Liquidates `user`: the liquidator repays up to `debt_to_cover` wei of `debt` and
    /// receives `collateral` (+ bonus, − protocol fee) as aTokens or underlying.
    /// v3.3+ close factor: 100 % of the reserve debt, limited to 50 % of the total debt
    /// when both the reserve collateral and the reserve debt are ≥ $2,000 and HF > 0.95;
    /// a partial liquidation must leave ≥ $1,000 of both. If the seized collateral was
    /// all the user's collateral, the remaining debt in every reserve becomes deficit.
    ///
    /// Errors (in on-chain order): [`PoolError::SelfLiquidation`],
    /// [`PoolError::ReserveInactive`], [`PoolError::ReservePaused`],
    /// [`PoolError::LiquidationGraceSentinelCheckFailed`],
    /// [`PoolError::HealthFactorNotBelowThreshold`],
    /// [`PoolError::CollateralCannotBeLiquidated`],
    /// [`PoolError::SpecifiedCurrencyNotBorrowedByUser`], [`PoolError::MustNotLeaveDust`],
    /// [`PoolError::InvalidBurnAmount`] (debt or collateral rounds to 0 scaled units),
    /// [`PoolError::InsufficientLiquidity`] (Panic(0x11), underlying payout above the
    /// collateral reserve's virtual balance), [`PoolError::AssetNotListed`], math errors.
    /// Reproduces `LiquidationLogic.executeLiquidationCall` (aave-v3-origin v3.6.0),
    /// including the double `_accrueToTreasury` when `collateral == debt` (both reserve
    /// caches are taken before either `updateState`).
    ///
    /// In a v2 pool this is `LendingPoolCollateralManager.liquidationCall`
    /// (protocol-math-aave-v2-uniswap-v3.md §A.11, [`crate::v2::liquidation`]): close
    /// factor always 50 %, variable debt burned before stable, no protocol fee, no
    /// deficit; errors `64`, `2`, `42`, `43`, `44`, `45`, and
    /// [`PoolError::LiquidationCallFailed`] (`23`) for any revert inside the manager.
    #[allow(clippy::too_many_arguments)]
    pub fn liquidation_call(
        &mut self,
        now: u64,
        liquidator: UserId,
        collateral: AssetId,
        debt: AssetId,
        user: UserId,
        debt_to_cover: U256,
        receive_a_token: bool,
    ) -> Result<LiquidationOutcome, PoolError> {
        if self.version.is_v2() {
            // The v2 pool checks its global pause (`64`) before anything else.
            check_not_paused(self)?;
        }
        self.check_asset(collateral)?;
        self.check_asset(debt)?;
        self.ensure_user(user);
        self.ensure_user(liquidator);
        let args = Liq {
            now,
            liquidator,
            collateral,
            debt,
            user,
            debt_to_cover,
            receive_a_token,
        };
        let users = [user, liquidator];
        if self.version.is_v2() {
            return self.atomic(&users, |p| p.liquidation_v2(&args));
        }
        if self.version.is_v3_0() {
            return self.atomic(&users, |p| {
                p.execute_liquidation_v30(
                    now,
                    liquidator,
                    collateral,
                    debt,
                    user,
                    debt_to_cover,
                    receive_a_token,
                )
            });
        }
        self.atomic(&users, |p| p.execute_liquidation(args))
    }

    fn execute_liquidation(&mut self, a: Liq) -> Result<LiquidationOutcome, PoolError> {
        let v = self.version;
        let rounding = v.token_rounding();
        let collateral_cache = self.reserves[a.collateral].numbers();
        self.reserves[a.debt].update_state(a.now, v)?;
        self.reserves[a.collateral].update_state_with_cache(&collateral_cache, a.now, v)?;

        let calc = self.account_calc(a.now, self.acc(a.user))?;
        let acc = self.acc(a.user);
        let (cr, dr) = (&self.reserves[a.collateral], &self.reserves[a.debt]);
        let coll_balance =
            rounding.a_token_balance(acc.scaled_supply(a.collateral), cr.liquidity_index)?;
        let user_debt =
            rounding.v_token_balance(acc.scaled_debt(a.debt), dr.variable_borrow_index)?;
        self.validate_liquidation_call(&a, calc.health_factor, user_debt)?;

        let bonus = user_reserve_liquidation_bonus(cr, self.emode_of(acc), acc.emode);
        let (coll_price, debt_price) = (self.prices[a.collateral], self.prices[a.debt]);
        let (coll_unit, debt_unit) = (cr.config.asset_unit(), dr.config.asset_unit());
        let debt_base = mul_div_ceil(user_debt, debt_price, debt_unit)?;
        let coll_base = div(mul(coll_balance, coll_price)?, coll_unit)?;

        let mut max_liquidatable = user_debt;
        if coll_base >= MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD
            && debt_base >= MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD
            && calc.health_factor > CLOSE_FACTOR_HF_THRESHOLD
        {
            let half = percent_mul(calc.total_debt_base, DEFAULT_LIQUIDATION_CLOSE_FACTOR)?;
            if debt_base > half {
                max_liquidatable = div(mul(half, debt_unit)?, debt_price)?;
            }
        }
        let out = calculate_available_collateral_to_liquidate(&CollateralCalcInput {
            collateral_price: coll_price,
            collateral_unit: coll_unit,
            debt_price,
            debt_unit,
            debt_to_cover: a.debt_to_cover.min(max_liquidatable),
            borrower_collateral_balance: coll_balance,
            liquidation_bonus: bonus,
            protocol_fee_bps: cr.config.liquidation_protocol_fee,
        })?;
        let seized = add(out.collateral_to_liquidator, out.protocol_fee)?;
        let actual_debt = out.debt_amount_needed;
        check_dust(
            actual_debt,
            user_debt,
            seized,
            coll_balance,
            debt_price,
            debt_unit,
            coll_price,
            coll_unit,
        )?;

        if seized == coll_balance {
            self.acc_mut(a.user)
                .set_using_as_collateral(a.collateral, false);
        }
        let no_collateral_left = calc.total_collateral_base == out.collateral_to_liquidate_base;
        let mut deficits = Vec::new();
        self.burn_debt_tokens(
            a.user,
            a.debt,
            user_debt,
            actual_debt,
            no_collateral_left,
            &mut deficits,
        )?;

        let collateral_paid = out.collateral_to_liquidator;
        if a.receive_a_token {
            let scaled = rounding.a_token_transfer_scaled(
                collateral_paid,
                self.reserves[a.collateral].liquidity_index,
            )?;
            self.move_a_tokens(a.user, Some(a.liquidator), a.collateral, scaled)?;
        } else {
            self.burn_collateral(a.user, a.collateral, collateral_paid)?;
        }
        let fee = self.pay_protocol_fee(a.user, a.collateral, out.protocol_fee)?;

        if no_collateral_left && self.acc(a.user).is_borrowing_any() {
            self.burn_bad_debt(a.now, a.user, &mut deficits)?;
        }
        self.acc_mut(a.user).prune(a.collateral);
        self.acc_mut(a.user).prune(a.debt);
        Ok(LiquidationOutcome {
            debt_repaid: actual_debt,
            collateral_to_liquidator: collateral_paid,
            protocol_fee: fee,
            health_factor_before: calc.health_factor,
            deficit_created: deficits,
            received_a_token: a.receive_a_token,
        })
    }

    /// `validateLiquidationCall` (no price-oracle sentinel on Ethereum Core).
    fn validate_liquidation_call(
        &self,
        a: &Liq,
        health_factor: U256,
        user_debt: U256,
    ) -> Result<(), PoolError> {
        if a.user == a.liquidator {
            return Err(PoolError::SelfLiquidation);
        }
        let (cr, dr) = (&self.reserves[a.collateral], &self.reserves[a.debt]);
        if !cr.active || !dr.active {
            return Err(PoolError::ReserveInactive);
        }
        if cr.config.paused || dr.config.paused {
            return Err(PoolError::ReservePaused);
        }
        if cr.liquidation_grace_period_until >= a.now || dr.liquidation_grace_period_until >= a.now
        {
            return Err(PoolError::LiquidationGraceSentinelCheckFailed);
        }
        if health_factor >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
            return Err(PoolError::HealthFactorNotBelowThreshold);
        }
        if !self.acc(a.user).is_using_as_collateral(a.collateral) {
            return Err(PoolError::CollateralCannotBeLiquidated);
        }
        if user_debt.is_zero() {
            return Err(PoolError::SpecifiedCurrencyNotBorrowedByUser);
        }
        Ok(())
    }

    /// `_burnDebtTokens`: burns the liquidated debt (all of it when no collateral is
    /// left, the remainder becoming deficit) and updates the debt reserve's rates with
    /// `actual_debt` as liquidity added.
    #[allow(clippy::too_many_arguments)]
    fn burn_debt_tokens(
        &mut self,
        user: UserId,
        asset: AssetId,
        user_debt: U256,
        actual_debt: U256,
        no_collateral_left: bool,
        deficits: &mut Vec<(AssetId, U256)>,
    ) -> Result<(), PoolError> {
        let v = self.version;
        let mut no_more_debt = true;
        if !user_debt.is_zero() {
            let amount = if no_collateral_left {
                user_debt
            } else {
                actual_debt
            };
            let r = &mut self.reserves[asset];
            let scaled = v
                .token_rounding()
                .v_token_burn_scaled(amount, r.variable_borrow_index)?;
            if scaled.is_zero() {
                return Err(PoolError::InvalidBurnAmount);
            }
            r.scaled_total_variable_debt = sub(r.scaled_total_variable_debt, scaled)?;
            let pos = self.users[user as usize].position_mut(asset);
            pos.scaled_debt = sub(pos.scaled_debt, scaled)?;
            no_more_debt = pos.scaled_debt.is_zero();
        }
        let outstanding = sub(user_debt, actual_debt)?;
        let r = &mut self.reserves[asset];
        if no_collateral_left && !outstanding.is_zero() {
            let d = add(r.deficit, check_u128(outstanding)?)?;
            r.deficit = check_u128(d).map_err(|_| PoolError::MathOverflow)?;
            deficits.push((asset, outstanding));
        }
        if no_more_debt {
            self.acc_mut(user).set_borrowing(asset, false);
        }
        self.reserves[asset].update_rates_and_virtual_balance(actual_debt, U256::ZERO, v)
    }

    /// Moves `scaled` aTokens of `asset` from `from` to `to` (`None` = treasury).
    fn move_a_tokens(
        &mut self,
        from: UserId,
        to: Option<UserId>,
        asset: AssetId,
        scaled: U256,
    ) -> Result<(), PoolError> {
        check_u120(scaled)?;
        let pos = self.acc_mut(from).position_mut(asset);
        pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        match to {
            Some(u) => {
                let pos = self.acc_mut(u).position_mut(asset);
                pos.scaled_supply = add(pos.scaled_supply, scaled)?;
                self.acc_mut(u).prune(asset);
            }
            None => {
                let r = &mut self.reserves[asset];
                r.treasury_scaled = add(r.treasury_scaled, scaled)?;
            }
        }
        Ok(())
    }

    /// `_burnCollateralATokens`: pays the liquidator in underlying (virtual balance
    /// decreases) and burns the borrower's aTokens.
    fn burn_collateral(
        &mut self,
        user: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<(), PoolError> {
        let v = self.version;
        let r = &mut self.reserves[asset];
        r.update_rates_and_virtual_balance(U256::ZERO, amount, v)?;
        let scaled = v
            .token_rounding()
            .a_token_burn_scaled(amount, r.liquidity_index)?;
        if scaled.is_zero() {
            return Err(PoolError::InvalidBurnAmount);
        }
        r.scaled_total_supply = sub(r.scaled_total_supply, scaled)?;
        let pos = self.acc_mut(user).position_mut(asset);
        pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        Ok(())
    }

    /// Transfers the protocol fee (capped at the borrower's remaining scaled balance) to
    /// the treasury as aTokens; returns the fee actually paid, collateral wei.
    fn pay_protocol_fee(
        &mut self,
        user: UserId,
        asset: AssetId,
        fee: U256,
    ) -> Result<U256, PoolError> {
        if fee.is_zero() {
            return Ok(fee);
        }
        let rounding = self.version.token_rounding();
        let index = self.reserves[asset].liquidity_index;
        let mut scaled = rounding.a_token_transfer_scaled(fee, index)?;
        let balance = self.acc(user).scaled_supply(asset);
        let mut fee = fee;
        if scaled > balance {
            scaled = balance;
            fee = rounding.a_token_balance(balance, index)?;
        }
        self.move_a_tokens(user, None, asset, scaled)?;
        Ok(fee)
    }

    /// `_burnBadDebt`: burns every remaining borrow of `user` into its reserve's deficit.
    fn burn_bad_debt(
        &mut self,
        now: u64,
        user: UserId,
        deficits: &mut Vec<(AssetId, U256)>,
    ) -> Result<(), PoolError> {
        let v = self.version;
        for i in bits(self.acc(user).borrowing_bitmap) {
            if i >= self.reserves.len() || !self.reserves[i].active {
                continue;
            }
            self.reserves[i].update_state(now, v)?;
            let scaled = self.acc(user).scaled_debt(i);
            let debt = v
                .token_rounding()
                .v_token_balance(scaled, self.reserves[i].variable_borrow_index)?;
            self.burn_debt_tokens(user, i, debt, U256::ZERO, true, deficits)?;
            self.acc_mut(user).prune(i);
        }
        Ok(())
    }

    /// Covers up to `amount` wei of `asset`'s deficit by burning `caller`'s aTokens
    /// (the underlying stays in the pool; the virtual balance is unchanged). Returns the
    /// amount covered (`min(amount, deficit)`). On-chain only the Umbrella role may call
    /// it; here any user id may.
    ///
    /// Errors: [`PoolError::InvalidAmount`], [`PoolError::ReserveNotInDeficit`],
    /// [`PoolError::UserCannotHaveDebt`], [`PoolError::ReserveInactive`],
    /// [`PoolError::NotEnoughAvailableUserBalance`], [`PoolError::AssetNotListed`].
    /// Reproduces `LiquidationLogic.executeEliminateDeficit` (aave-v3-origin v3.6.0).
    pub fn eliminate_reserve_deficit(
        &mut self,
        now: u64,
        caller: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        if self.version.is_v2() {
            return Err(PoolError::UnsupportedInVersion);
        }
        self.check_asset(asset)?;
        self.ensure_user(caller);
        if amount.is_zero() {
            return Err(PoolError::InvalidAmount);
        }
        if self.reserves[asset].deficit.is_zero() {
            return Err(PoolError::ReserveNotInDeficit);
        }
        if self.acc(caller).is_borrowing_any() {
            return Err(PoolError::UserCannotHaveDebt);
        }
        self.atomic(&[caller], |p| {
            p.execute_eliminate_deficit(now, caller, asset, amount)
        })
    }

    fn execute_eliminate_deficit(
        &mut self,
        now: u64,
        caller: UserId,
        asset: AssetId,
        amount: U256,
    ) -> Result<U256, PoolError> {
        let v = self.version;
        let r = &mut self.reserves[asset];
        r.update_state(now, v)?;
        if !r.active {
            return Err(PoolError::ReserveInactive);
        }
        let write_off = amount.min(r.deficit);
        let scaled = v
            .token_rounding()
            .a_token_burn_scaled(write_off, r.liquidity_index)?;
        let user_scaled = self.acc(caller).scaled_supply(asset);
        if scaled > user_scaled {
            return Err(PoolError::NotEnoughAvailableUserBalance);
        }
        if scaled == user_scaled {
            self.acc_mut(caller).set_using_as_collateral(asset, false);
        }
        let r = &mut self.reserves[asset];
        r.scaled_total_supply = sub(r.scaled_total_supply, scaled)?;
        r.deficit = sub(r.deficit, write_off)?;
        r.update_rates_and_virtual_balance(U256::ZERO, U256::ZERO, v)?;
        let pos = self.acc_mut(caller).position_mut(asset);
        pos.scaled_supply = sub(pos.scaled_supply, scaled)?;
        self.acc_mut(caller).prune(asset);
        Ok(write_off)
    }
}

/// The v3.3+ dust rule: unless all of the reserve debt or all of the collateral is
/// taken, at least `MIN_LEFTOVER_BASE` of both must remain.
#[allow(clippy::too_many_arguments)]
fn check_dust(
    actual_debt: U256,
    user_debt: U256,
    seized: U256,
    coll_balance: U256,
    debt_price: U256,
    debt_unit: U256,
    coll_price: U256,
    coll_unit: U256,
) -> Result<(), PoolError> {
    if actual_debt >= user_debt || seized >= coll_balance {
        return Ok(());
    }
    let debt_left = mul_div_ceil(sub(user_debt, actual_debt)?, debt_price, debt_unit)?;
    let coll_left = div(mul(sub(coll_balance, seized)?, coll_price)?, coll_unit)?;
    if debt_left >= MIN_LEFTOVER_BASE && coll_left >= MIN_LEFTOVER_BASE {
        Ok(())
    } else {
        Err(PoolError::MustNotLeaveDust)
    }
}
