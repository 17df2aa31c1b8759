//! The Aave v2 differential driver: one operation sequence applied to the real
//! `LendingPool` of `@aave/protocol-v2@1.0.1` in revm ([`EvmAaveV2`]) and to the native
//! [`bankrun_aave::Pool`] in [`ProtocolVersion::V2`] mode. After every step: reserve data
//! (both indices, the three rates, last update), scaled totals, the treasury's scaled
//! aTokens, the available liquidity, `StableDebtToken.getSupplyData()`, every user's
//! scaled and unscaled balances, stable principal / rate / timestamp / balance, the
//! collateral and borrowing bitmaps and the six values of `getUserAccountData`; the
//! acting wallet's ERC20 deltas against the native results; and revert parity: a native
//! [`PoolError`] must match the EVM's `Error(string)` exactly
//! ([`PoolError::v2_revert_reason`]).
//!
//! Users 0..=2 are borrowers / suppliers; user 3 provides deep liquidity and is the only
//! liquidator (never liquidated itself).

use crate::aave_v2::{
    EvmAaveV2, RateMode, ReserveSnapshotV2, ReserveSpecV2, UserReserveV2, UserSnapshotV2, bps_ray,
    default_reserves_v2, revert_reason,
};
pub use crate::driver::{BORROWERS, LIQUIDATOR, N_RESERVES};
use crate::driver::{
    Tally, account_array, bitmaps, borrow_amount, check_wallet, frac, liquidate_both,
    liquidation_target, moved_price, opening, pow10, run_steps, select, show, token_amount,
    wallets,
};
use crate::evm::{Outcome, describe_revert};
use crate::lending_pool::LendingPool;
use crate::market::T0;
use crate::strategy::{
    advance_secs, cases_from_env, collateral_deposit, liquidation_args, liquidity_deposit,
    price_move,
};
use alloy_primitives::U256;
use anyhow::{Result, bail};
use bankrun_aave::{InterestRateMode, Pool, PoolError, ProtocolVersion};
use proptest::prelude::*;

/// `bps` value meaning `type(uint256).max` in [`OpV2::Withdraw`] / [`OpV2::Repay`] /
/// [`OpV2::Liquidate`]; other values above 10,000 ask for more than the balance / debt.
pub const MAX_BPS: u32 = 10_001;

/// One step. Amounts are resolved against the native state when the step runs
/// ([`resolve`]), so a shrunk sequence still uses meaningful amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpV2 {
    /// `deposit` of `amount` hundredths of a whole token (wei when `raw`).
    Deposit {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Hundredths of a token, or wei when `raw`.
        amount: u64,
        /// Interpret `amount` as wei.
        raw: bool,
    },
    /// `withdraw` of `bps` of the aToken balance ([`MAX_BPS`]: `uint256.max`; other
    /// values above 10,000: more than the balance, `5`).
    Withdraw {
        /// User.
        user: usize,
        /// Selector among the reserves the user holds aTokens of (any reserve if none).
        asset: usize,
        /// Fraction, bps.
        bps: u32,
    },
    /// `withdraw` of the reserve's whole available liquidity plus `extra` wei (above it:
    /// `SafeMath: subtraction overflow`, if the balance allows).
    WithdrawAvailable {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Wei above the available liquidity.
        extra: u8,
    },
    /// `borrow` of `bps` of the remaining borrowing power (> 10,000: `11`).
    Borrow {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Fraction, bps.
        bps: u32,
        /// Stable (mode 1) or variable (mode 2).
        stable: bool,
    },
    /// `repay` of `bps` of the debt of the mode ([`MAX_BPS`]: `uint256.max`; other
    /// values above 10,000: more than the debt, capped by the pool).
    Repay {
        /// User (may be the liquidator, which borrows in [`OpV2::Drain`]).
        user: usize,
        /// Selector among the reserves where the user has debt of the mode (any reserve
        /// if none).
        asset: usize,
        /// Fraction, bps.
        bps: u32,
        /// Stable (mode 1) or variable (mode 2).
        stable: bool,
    },
    /// `swapBorrowRateMode(asset, current mode)`.
    Swap {
        /// User.
        user: usize,
        /// Selector among the reserves where the user has debt of the current mode (any
        /// reserve if none).
        asset: usize,
        /// The current mode: stable (→ variable) or variable (→ stable).
        stable: bool,
    },
    /// `setUserUseReserveAsCollateral`.
    Collateral {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Enable or disable.
        enable: bool,
    },
    /// `rebalanceStableBorrowRate(asset, user)`, sent by the liquidator.
    Rebalance {
        /// Borrower whose stable debt is re-minted.
        user: usize,
        /// Reserve.
        asset: usize,
    },
    /// The liquidator covers `bps` of the borrower's total (stable + variable) debt in the
    /// debt asset ([`MAX_BPS`]: `uint256.max`).
    Liquidate {
        /// Borrower (≥ [`BORROWERS`]: the borrower with the lowest health factor).
        user: usize,
        /// Selector among the borrower's collateral reserves.
        collateral: usize,
        /// Selector among the borrower's borrowed reserves.
        debt: usize,
        /// Fraction, bps.
        bps: u32,
        /// Receive aTokens instead of the underlying.
        receive_a_token: bool,
    },
    /// Advance the clock.
    Advance {
        /// Seconds.
        secs: u64,
    },
    /// Multiply a price by `(10000 + delta_bps) / 10000`.
    Price {
        /// Reserve.
        asset: usize,
        /// Change, bps.
        delta_bps: i32,
    },
    /// `LendingRateOracle.setMarketBorrowRate` (the stable base rate), bps.
    MarketRate {
        /// Reserve.
        asset: usize,
        /// New rate, bps.
        bps: u32,
    },
    /// `setReserveFactor` (v2: no index update; applies to interest accrued since the
    /// last update).
    ReserveFactor {
        /// Reserve.
        asset: usize,
        /// Reserve factor, bps.
        rf: u16,
    },
    /// `freezeReserve`; `unfreezeReserve` after `steps` further steps.
    Freeze {
        /// Reserve.
        asset: usize,
        /// Steps while frozen.
        steps: u8,
    },
    /// The liquidator borrows `bps` of the reserve's available liquidity (high
    /// utilisation: rates above the optimum, the 25 % stable limit, withdrawals above
    /// the liquidity, rebalancing).
    Drain {
        /// Reserve.
        asset: usize,
        /// Fraction of the available liquidity, bps.
        bps: u32,
        /// Stable (mode 1) or variable (mode 2).
        stable: bool,
    },
    /// Raise the price of the weakest borrower's first debt asset by `bps` (pushes it
    /// towards liquidation).
    Shock {
        /// Increase, bps.
        bps: u32,
    },
    /// `setPoolPause(true)`; the pool is unpaused again after `steps` further steps.
    Pause {
        /// Steps while paused.
        steps: u8,
    },
}

/// An op resolved against the native state: concrete amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallV2 {
    /// `deposit`.
    Deposit {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Wei.
        amt: U256,
    },
    /// `withdraw`.
    Withdraw {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Wei (`U256::MAX`: all).
        amt: U256,
    },
    /// `borrow`.
    Borrow {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Wei.
        amt: U256,
        /// Mode.
        mode: RateMode,
    },
    /// `repay` for oneself.
    Repay {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Wei (`U256::MAX`: all).
        amt: U256,
        /// Mode.
        mode: RateMode,
    },
    /// `swapBorrowRateMode`.
    Swap {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Current mode.
        mode: RateMode,
    },
    /// `setUserUseReserveAsCollateral`.
    Collateral {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Enable.
        enable: bool,
    },
    /// `rebalanceStableBorrowRate` by [`LIQUIDATOR`].
    Rebalance {
        /// Borrower.
        user: usize,
        /// Reserve.
        asset: usize,
    },
    /// `liquidationCall` by [`LIQUIDATOR`].
    Liquidate {
        /// Borrower.
        user: usize,
        /// Collateral reserve.
        collateral: usize,
        /// Debt reserve.
        debt: usize,
        /// `debtToCover`, wei.
        amt: U256,
        /// Receive aTokens.
        receive_a_token: bool,
    },
    /// Absolute timestamp.
    Advance {
        /// Unix seconds.
        to: u64,
    },
    /// Absolute price, ETH wei per whole token.
    Price {
        /// Reserve.
        asset: usize,
        /// Price.
        price: U256,
    },
    /// Market borrow rate, RAY.
    MarketRate {
        /// Reserve.
        asset: usize,
        /// Rate.
        rate: U256,
    },
    /// Reserve factor, bps.
    ReserveFactor {
        /// Reserve.
        asset: usize,
        /// Bps.
        rf: u16,
    },
    /// Freeze flag (`steps`: unfreeze after that many further steps; 0 for an
    /// unfreeze).
    Freeze {
        /// Reserve.
        asset: usize,
        /// Frozen.
        frozen: bool,
        /// Steps while frozen.
        steps: u8,
    },
    /// Pause for `steps` steps.
    Pause {
        /// Steps.
        steps: u8,
    },
}

fn mode(stable: bool) -> RateMode {
    if stable {
        RateMode::Stable
    } else {
        RateMode::Variable
    }
}

fn native_mode(m: RateMode) -> InterestRateMode {
    match m {
        RateMode::Stable => InterestRateMode::Stable,
        RateMode::Variable => InterestRateMode::Variable,
    }
}

/// The native variable debt balance (`VariableDebtToken.balanceOf`).
fn native_variable_debt(p: &Pool, now: u64, user: u32, asset: usize) -> U256 {
    p.debt_balance(now, user, asset)
}

/// The concrete call [`HarnessV2::step`] makes for `op` in the native state `p` at `now`.
pub fn resolve(p: &Pool, now: u64, op: &OpV2) -> CallV2 {
    let dec = |a: usize| p.reserve(a).config.decimals;
    let amount_of = |bps: u32, x: U256| {
        if bps == MAX_BPS {
            U256::MAX
        } else {
            frac(x, bps)
        }
    };
    match *op {
        OpV2::Deposit {
            user,
            asset,
            amount,
            raw,
        } => CallV2::Deposit {
            user,
            asset,
            amt: token_amount(p, asset, amount, raw),
        },
        OpV2::Withdraw { user, asset, bps } => {
            let asset = select(asset, |a| !p.scaled_balances(user as u32, a).0.is_zero());
            CallV2::Withdraw {
                user,
                asset,
                amt: amount_of(bps, p.supply_balance(now, user as u32, asset)),
            }
        }
        OpV2::WithdrawAvailable { user, asset, extra } => CallV2::Withdraw {
            user,
            asset,
            amt: p.available_liquidity(asset) + U256::from(extra),
        },
        OpV2::Borrow {
            user,
            asset,
            bps,
            stable,
        } => {
            let amt = borrow_amount(p, now, user, asset, bps);
            // No borrowing power: ask for 0.01 token (exercises `9`, `10`, `11`).
            let amt = if amt.is_zero() {
                pow10(dec(asset)) / U256::from(100u8)
            } else {
                amt
            };
            CallV2::Borrow {
                user,
                asset,
                amt,
                mode: mode(stable),
            }
        }
        OpV2::Repay {
            user,
            asset,
            bps,
            stable,
        } => {
            let debt_of = |a: usize| {
                if stable {
                    p.stable_debt_balance(now, user as u32, a)
                } else {
                    native_variable_debt(p, now, user as u32, a)
                }
            };
            let asset = select(asset, |a| !debt_of(a).is_zero());
            let debt = debt_of(asset);
            // No debt of the mode: a non-zero amount (exercises `15` rather than `1`).
            let amt = if debt.is_zero() && bps != MAX_BPS {
                U256::from(bps)
            } else {
                amount_of(bps, debt)
            };
            CallV2::Repay {
                user,
                asset,
                amt,
                mode: mode(stable),
            }
        }
        OpV2::Swap {
            user,
            asset,
            stable,
        } => {
            let asset = select(asset, |a| {
                if stable {
                    !p.user_stable_debt(user as u32, a).0.is_zero()
                } else {
                    !p.scaled_balances(user as u32, a).1.is_zero()
                }
            });
            CallV2::Swap {
                user,
                asset,
                mode: mode(stable),
            }
        }
        OpV2::Collateral {
            user,
            asset,
            enable,
        } => CallV2::Collateral {
            user,
            asset,
            enable,
        },
        OpV2::Rebalance { user, asset } => CallV2::Rebalance {
            user,
            asset: select(asset, |a| !p.user_stable_debt(user as u32, a).0.is_zero()),
        },
        OpV2::Liquidate {
            user,
            collateral,
            debt,
            bps,
            receive_a_token,
        } => {
            let (user, collateral, debt) = liquidation_target(p, now, user, collateral, debt);
            let total = native_variable_debt(p, now, user as u32, debt)
                + p.stable_debt_balance(now, user as u32, debt);
            CallV2::Liquidate {
                user,
                collateral,
                debt,
                amt: amount_of(bps, total),
                receive_a_token,
            }
        }
        OpV2::Advance { secs } => CallV2::Advance { to: now + secs },
        OpV2::Price { asset, delta_bps } => CallV2::Price {
            asset,
            price: moved_price(p, asset, delta_bps),
        },
        OpV2::MarketRate { asset, bps } => CallV2::MarketRate {
            asset,
            rate: bps_ray(bps),
        },
        OpV2::ReserveFactor { asset, rf } => CallV2::ReserveFactor { asset, rf },
        OpV2::Freeze { asset, steps } => CallV2::Freeze {
            asset,
            frozen: true,
            steps: steps.max(1),
        },
        OpV2::Drain { asset, bps, stable } => CallV2::Borrow {
            user: LIQUIDATOR,
            asset,
            amt: frac(p.available_liquidity(asset), bps),
            mode: mode(stable),
        },
        OpV2::Shock { bps } => {
            let weakest = (0..BORROWERS)
                .filter(|&u| p.user(u as u32).is_some_and(|a| a.borrowing_bitmap != 0))
                .min_by_key(|&u| p.health_factor(now, u as u32));
            let asset = weakest
                .and_then(|u| p.user(u as u32))
                .map_or(0, |a| a.borrowing_bitmap.trailing_zeros() as usize);
            let old = p.asset_price(asset);
            CallV2::Price {
                asset,
                price: old + frac(old, bps),
            }
        }
        OpV2::Pause { steps } => CallV2::Pause { steps },
    }
}

/// The kind name of an op (for statistics).
pub fn kind(op: &OpV2) -> &'static str {
    match op {
        OpV2::Deposit { .. } => "deposit",
        OpV2::Withdraw { .. } => "withdraw",
        OpV2::WithdrawAvailable { .. } => "withdraw available",
        OpV2::Borrow { stable: true, .. } => "borrow stable",
        OpV2::Borrow { stable: false, .. } => "borrow variable",
        OpV2::Repay { stable: true, .. } => "repay stable",
        OpV2::Repay { stable: false, .. } => "repay variable",
        OpV2::Swap { .. } => "swapBorrowRateMode",
        OpV2::Collateral { .. } => "collateral toggle",
        OpV2::Rebalance { .. } => "rebalanceStableBorrowRate",
        OpV2::Liquidate {
            receive_a_token: true,
            ..
        } => "liquidation (aToken)",
        OpV2::Liquidate { .. } => "liquidation",
        OpV2::Advance { .. } => "advance time",
        OpV2::Price { .. } => "price move",
        OpV2::MarketRate { .. } => "market rate",
        OpV2::ReserveFactor { .. } => "reserve factor",
        OpV2::Freeze { .. } => "freeze",
        OpV2::Drain { stable: true, .. } => "drain (stable borrow)",
        OpV2::Drain { .. } => "drain (variable borrow)",
        OpV2::Shock { .. } => "price shock",
        OpV2::Pause { .. } => "pause",
    }
}

/// The native pool configured like [`EvmAaveV2::deploy`] configures the real one.
pub fn native_pool_v2(reserves: &[ReserveSpecV2]) -> Pool {
    let mut p = Pool::new(ProtocolVersion::V2, T0);
    for r in reserves {
        let id = p.init_reserve(T0, r.config.clone()).expect("valid reserve");
        p.set_asset_price(id, r.price);
        p.set_stable_rate_params(id, r.stable).expect("listed");
        p.set_reserve_stable_rate_borrowing(id, r.stable_borrowing)
            .expect("listed");
        p.set_market_borrow_rate(id, r.market_borrow_rate)
            .expect("listed");
    }
    p
}

/// Both pools and the clock.
pub struct HarnessV2 {
    /// The real pool.
    pub evm: EvmAaveV2,
    /// The native pool.
    pub native: Pool,
    /// Current timestamp.
    pub now: u64,
    /// Steps still to run while paused (0: not paused).
    pause_left: u8,
    /// Per reserve: steps still to run while frozen (0: not frozen by an op).
    freeze_left: [u8; N_RESERVES],
    /// Steps executed, reverting on both sides, per op kind and per revert reason.
    pub tally: Tally,
}

/// One field-level difference list of a comparison.
fn field_diffs<T: std::fmt::Debug + PartialEq>(
    out: &mut Vec<String>,
    what: &str,
    evm: &T,
    native: &T,
) {
    if evm != native {
        out.push(format!("{what}: evm {evm:?}, native {native:?}"));
    }
}

fn reserve_diffs(e: &ReserveSnapshotV2, n: &ReserveSnapshotV2) -> Vec<String> {
    let mut d = Vec::new();
    field_diffs(
        &mut d,
        "liquidityIndex",
        &e.liquidity_index,
        &n.liquidity_index,
    );
    field_diffs(
        &mut d,
        "variableBorrowIndex",
        &e.variable_borrow_index,
        &n.variable_borrow_index,
    );
    field_diffs(
        &mut d,
        "currentLiquidityRate",
        &e.liquidity_rate,
        &n.liquidity_rate,
    );
    field_diffs(
        &mut d,
        "currentVariableBorrowRate",
        &e.variable_borrow_rate,
        &n.variable_borrow_rate,
    );
    field_diffs(
        &mut d,
        "currentStableBorrowRate",
        &e.stable_borrow_rate,
        &n.stable_borrow_rate,
    );
    field_diffs(
        &mut d,
        "lastUpdateTimestamp",
        &e.last_update,
        &n.last_update,
    );
    field_diffs(
        &mut d,
        "aToken.scaledTotalSupply",
        &e.scaled_total_supply,
        &n.scaled_total_supply,
    );
    field_diffs(
        &mut d,
        "variableDebt.scaledTotalSupply",
        &e.scaled_total_variable_debt,
        &n.scaled_total_variable_debt,
    );
    field_diffs(
        &mut d,
        "treasury scaled aTokens",
        &e.treasury_scaled,
        &n.treasury_scaled,
    );
    field_diffs(&mut d, "available liquidity", &e.liquidity, &n.liquidity);
    field_diffs(
        &mut d,
        "stable principal supply",
        &e.stable_principal_supply,
        &n.stable_principal_supply,
    );
    field_diffs(
        &mut d,
        "stable totalSupply",
        &e.stable_total_supply,
        &n.stable_total_supply,
    );
    field_diffs(
        &mut d,
        "stable average rate",
        &e.stable_avg_rate,
        &n.stable_avg_rate,
    );
    field_diffs(
        &mut d,
        "stable supply timestamp",
        &e.stable_supply_timestamp,
        &n.stable_supply_timestamp,
    );
    d
}

fn user_diffs(e: &UserSnapshotV2, n: &UserSnapshotV2) -> Vec<String> {
    let mut d = Vec::new();
    for (i, (er, nr)) in e.reserves.iter().zip(&n.reserves).enumerate() {
        field_diffs(
            &mut d,
            &format!("[{i}] scaled aToken"),
            &er.scaled_a,
            &nr.scaled_a,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] scaled variable debt"),
            &er.scaled_variable,
            &nr.scaled_variable,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] aToken balance"),
            &er.a_balance,
            &nr.a_balance,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] variable debt balance"),
            &er.variable_balance,
            &nr.variable_balance,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] stable principal"),
            &er.stable_principal,
            &nr.stable_principal,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] stable rate"),
            &er.stable_rate,
            &nr.stable_rate,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] stable timestamp"),
            &er.stable_timestamp,
            &nr.stable_timestamp,
        );
        field_diffs(
            &mut d,
            &format!("[{i}] stable balance"),
            &er.stable_balance,
            &nr.stable_balance,
        );
    }
    field_diffs(
        &mut d,
        "collateral bitmap",
        &e.collateral_bitmap,
        &n.collateral_bitmap,
    );
    field_diffs(
        &mut d,
        "borrowing bitmap",
        &e.borrowing_bitmap,
        &n.borrowing_bitmap,
    );
    let names = [
        "totalCollateralETH",
        "totalDebtETH",
        "availableBorrowsETH",
        "currentLiquidationThreshold",
        "ltv",
        "healthFactor",
    ];
    for (k, name) in names.iter().enumerate() {
        field_diffs(&mut d, name, &e.account[k], &n.account[k]);
    }
    d
}

impl HarnessV2 {
    /// Deploys both pools with [`default_reserves_v2`].
    pub fn new() -> Result<Self> {
        Self::with_native(|_| {})
    }

    /// Deploys both pools; `tweak` alters the native side's reserve specs only (used by
    /// the sabotage tests: a deliberately wrong native setting must be detected).
    pub fn with_native(tweak: impl FnOnce(&mut Vec<ReserveSpecV2>)) -> Result<Self> {
        let reserves = default_reserves_v2();
        let evm = EvmAaveV2::deploy(&reserves, LIQUIDATOR + 1, T0)?;
        let mut native_specs = reserves.clone();
        tweak(&mut native_specs);
        let native = native_pool_v2(&native_specs);
        Ok(HarnessV2 {
            evm,
            native,
            now: T0,
            pause_left: 0,
            freeze_left: [0; N_RESERVES],
            tally: Tally::default(),
        })
    }

    /// Applies one op to both pools and compares everything.
    pub fn step(&mut self, op: &OpV2) -> Result<()> {
        self.tally.steps += 1;
        let now = self.now;
        let mut wallet_check: Option<(usize, Vec<U256>)> = None;
        // Native result as wallet movements (asset, incoming, amount) of the acting user.
        let result: Result<Vec<(usize, bool, U256)>, PoolError>;
        let outcome: Outcome;
        let u32_ = |u: usize| u as u32;
        let call = resolve(&self.native, now, op);
        match call {
            CallV2::Deposit { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .supply(now, u32_(user), asset, amt)
                    .map(|_| vec![(asset, false, amt)]);
                outcome = self.evm.deposit(user, asset, amt)?;
            }
            CallV2::Withdraw { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .withdraw(now, u32_(user), asset, amt)
                    .map(|got| vec![(asset, true, got)]);
                outcome = self.evm.withdraw(user, asset, amt)?;
            }
            CallV2::Borrow {
                user,
                asset,
                amt,
                mode,
            } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .borrow_with_mode(now, u32_(user), asset, amt, native_mode(mode))
                    .map(|_| vec![(asset, true, amt)]);
                outcome = self.evm.borrow_with_mode(user, asset, amt, mode)?;
            }
            CallV2::Repay {
                user,
                asset,
                amt,
                mode,
            } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .repay_with_mode(now, u32_(user), u32_(user), asset, amt, native_mode(mode))
                    .map(|paid| vec![(asset, false, paid)]);
                outcome = self.evm.repay_with_mode(user, user, asset, amt, mode)?;
            }
            CallV2::Swap { user, asset, mode } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .swap_borrow_rate_mode(now, u32_(user), asset, native_mode(mode))
                    .map(|_| vec![]);
                outcome = self.evm.swap_rate_mode(user, asset, mode)?;
            }
            CallV2::Collateral {
                user,
                asset,
                enable,
            } => {
                result = self
                    .native
                    .set_user_use_reserve_as_collateral(now, u32_(user), asset, enable)
                    .map(|_| vec![]);
                outcome = self.evm.set_collateral(user, asset, enable)?;
            }
            CallV2::Rebalance { user, asset } => {
                result = self
                    .native
                    .rebalance_stable_borrow_rate(now, u32_(user), asset)
                    .map(|_| vec![]);
                outcome = self.evm.rebalance(LIQUIDATOR, asset, user)?;
            }
            CallV2::Liquidate {
                user,
                collateral,
                debt,
                amt,
                receive_a_token,
            } => {
                wallet_check = Some((LIQUIDATOR, wallets(&mut self.evm, LIQUIDATOR)?));
                let native = &mut self.native;
                let debt_to_cover = (amt, receive_a_token);
                (result, outcome) = liquidate_both(
                    &mut self.evm,
                    native,
                    now,
                    (user, collateral, debt),
                    debt_to_cover,
                )?;
            }
            CallV2::Advance { to } => {
                self.now = to;
                self.evm.evm.set_timestamp(to);
                result = Ok(vec![]);
                outcome = Outcome::Success(Default::default());
            }
            CallV2::Price { asset, price } => {
                self.native.set_asset_price(asset, price);
                self.evm.set_price(asset, price)?;
                result = Ok(vec![]);
                outcome = Outcome::Success(Default::default());
            }
            CallV2::MarketRate { asset, rate } => {
                result = self
                    .native
                    .set_market_borrow_rate(asset, rate)
                    .map(|_| vec![]);
                self.evm.set_market_borrow_rate(asset, rate)?;
                outcome = Outcome::Success(Default::default());
            }
            CallV2::ReserveFactor { asset, rf } => {
                result = self
                    .native
                    .set_reserve_factor(now, asset, rf)
                    .map(|_| vec![]);
                outcome = self.evm.set_reserve_factor(asset, rf)?;
            }
            CallV2::Freeze { asset, frozen, .. } => {
                result = self
                    .native
                    .set_reserve_freeze(now, asset, frozen)
                    .map(|_| vec![]);
                outcome = self.evm.set_freeze(asset, frozen)?;
            }
            CallV2::Pause { .. } => {
                self.native.set_pool_pause(true);
                result = Ok(vec![]);
                outcome = self.evm.set_pause(true)?;
            }
        }
        let deltas = match (&result, &outcome) {
            (Ok(d), Outcome::Success(_)) => Some(d.clone()),
            (Err(e), Outcome::Revert(data)) => {
                let want = e.v2_revert_reason();
                if revert_reason(data).as_deref() != Some(want.as_str()) {
                    bail!(
                        "{op:?} → {call:?}: both revert but differently: native {e:?} \
                         (\"{want}\"), evm {}",
                        describe_revert(data)
                    );
                }
                self.tally.reverted(kind(op));
                *self.tally.reasons.entry((kind(op), want)).or_default() += 1;
                None
            }
            (Ok(_), o) => bail!("{op:?} → {call:?}: native succeeded, evm {}", show(o)),
            (Err(e), Outcome::Success(_)) => bail!(
                "{op:?} → {call:?}: native reverted {e:?} (\"{}\"), evm succeeded",
                e.v2_revert_reason()
            ),
            (Err(e), o) => bail!("{op:?} → {call:?}: native {e:?}, evm {o:?}"),
        };
        if let Some(deltas) = deltas {
            self.tally.succeeded(kind(op));
            if let Some(check) = wallet_check {
                let after = wallets(&mut self.evm, check.0)?;
                check_wallet(format_args!("{op:?} → {call:?}"), check, after, deltas)?;
            }
        }
        self.compare()
            .map_err(|e| anyhow::anyhow!("after {op:?} → {call:?}: {e:#}"))?;
        // Pause / freeze bookkeeping: each lasts `steps` further steps, then the admin
        // lifts it (an admin action, compared like any other step).
        if let CallV2::Pause { steps } = call {
            self.pause_left = steps.max(1);
        } else if self.pause_left > 0 {
            self.pause_left -= 1;
            if self.pause_left == 0 {
                self.native.set_pool_pause(false);
                self.evm.set_pause(false)?.ok()?;
                self.compare()
                    .map_err(|e| anyhow::anyhow!("after unpausing: {e:#}"))?;
            }
        }
        for asset in 0..N_RESERVES {
            if let CallV2::Freeze {
                asset: a, steps, ..
            } = call
                && a == asset
            {
                self.freeze_left[asset] = steps;
            } else if self.freeze_left[asset] > 0 {
                self.freeze_left[asset] -= 1;
                if self.freeze_left[asset] == 0 {
                    self.native.set_reserve_freeze(self.now, asset, false)?;
                    self.evm.set_freeze(asset, false)?.ok()?;
                    self.compare()
                        .map_err(|e| anyhow::anyhow!("after unfreezing {asset}: {e:#}"))?;
                }
            }
        }
        Ok(())
    }

    /// The native side's view of reserve `i`, in the EVM snapshot's shape.
    pub fn native_reserve(&self, i: usize) -> ReserveSnapshotV2 {
        let now = self.now;
        let r = self.native.reserve(i);
        let s = self.native.stable_debt_supply_data(now, i);
        ReserveSnapshotV2 {
            liquidity_index: r.liquidity_index,
            variable_borrow_index: r.variable_borrow_index,
            liquidity_rate: r.current_liquidity_rate,
            variable_borrow_rate: r.current_variable_borrow_rate,
            stable_borrow_rate: r.current_stable_borrow_rate,
            last_update: r.last_update_timestamp,
            scaled_total_supply: r.scaled_total_supply,
            scaled_total_variable_debt: r.scaled_total_variable_debt,
            treasury_scaled: self.native.treasury_scaled_balance(i),
            liquidity: self.native.available_liquidity(i),
            stable_principal_supply: s.principal_supply,
            stable_total_supply: s.total_supply,
            stable_avg_rate: s.avg_rate,
            stable_supply_timestamp: s.timestamp,
        }
    }

    /// The native side's view of user `u`, in the EVM snapshot's shape.
    pub fn native_user(&self, u: usize) -> UserSnapshotV2 {
        let now = self.now;
        let uid = u as u32;
        let reserves = (0..N_RESERVES)
            .map(|i| {
                let (scaled_a, scaled_variable) = self.native.scaled_balances(uid, i);
                let (stable_principal, stable_rate, stable_timestamp) =
                    self.native.user_stable_debt(uid, i);
                UserReserveV2 {
                    scaled_a,
                    scaled_variable,
                    a_balance: self.native.supply_balance(now, uid, i),
                    variable_balance: native_variable_debt(&self.native, now, uid, i),
                    stable_principal,
                    stable_rate,
                    stable_timestamp,
                    stable_balance: self.native.stable_debt_balance(now, uid, i),
                }
            })
            .collect();
        let (collateral_bitmap, borrowing_bitmap) = bitmaps(&self.native, u);
        UserSnapshotV2 {
            reserves,
            collateral_bitmap,
            borrowing_bitmap,
            account: account_array(&self.native.user_account_data(now, uid)),
        }
    }

    /// Compares every reserve and user; the error lists every differing field.
    pub fn compare(&mut self) -> Result<()> {
        let now = self.now;
        let mut all = Vec::new();
        for i in 0..N_RESERVES {
            let e = self.evm.reserve(i)?;
            let n = self.native_reserve(i);
            for d in reserve_diffs(&e, &n) {
                all.push(format!("reserve {i}: {d}"));
            }
        }
        for u in 0..=LIQUIDATOR {
            let e = self.evm.user(u)?;
            let n = self.native_user(u);
            for d in user_diffs(&e, &n) {
                all.push(format!("user {u}: {d}"));
            }
        }
        if !all.is_empty() {
            bail!("state differs at t={now}:\n  {}", all.join("\n  "));
        }
        Ok(())
    }
}

/// The fixed opening of every sequence: the liquidator deposits deep liquidity in every
/// reserve (and does not use its DAI as collateral, so that its [`OpV2::Drain`] stable
/// borrows of DAI pass check `13`), each borrower deposits some collateral.
pub fn prefix_v2() -> Vec<OpV2> {
    let (mut v, collateral) = opening(|user, asset, amount| OpV2::Deposit {
        user,
        asset,
        amount,
        raw: false,
    });
    v.push(OpV2::Collateral {
        user: LIQUIDATOR,
        asset: 2,
        enable: false,
    });
    v.extend(collateral);
    v
}

/// Runs [`prefix_v2`] then `ops` on a fresh [`HarnessV2`] (native specs altered by
/// `tweak`); the error names the failing step.
pub fn run_sequence_v2_with(
    ops: &[OpV2],
    tweak: impl FnOnce(&mut Vec<ReserveSpecV2>),
) -> Result<HarnessV2> {
    let mut h = HarnessV2::with_native(tweak)?;
    for (i, op) in prefix_v2().iter().enumerate() {
        if let Err(e) = h.step(op) {
            bail!("opening step {i}: {e:#}");
        }
    }
    run_steps(ops, |op| h.step(op))?;
    Ok(h)
}

/// Runs [`prefix_v2`] then `ops` on fresh pools.
pub fn run_sequence_v2(ops: &[OpV2]) -> Result<HarnessV2> {
    run_sequence_v2_with(ops, |_| {})
}

/// One random op (weights favour the actions that move state).
pub fn op_v2() -> impl Strategy<Value = OpV2> {
    let user = 0..BORROWERS;
    let asset = 0..N_RESERVES;
    let bps = prop_oneof![
        4 => 1u32..=10_000,
        2 => Just(MAX_BPS),
        2 => 9_000u32..=10_000,
        1 => 10_002u32..=10_500
    ];
    prop_oneof![
        6 => collateral_deposit().prop_map(|(user, asset, amount, raw)| OpV2::Deposit {
            user,
            asset,
            amount,
            raw
        }),
        1 => liquidity_deposit().prop_map(|(asset, amount)| OpV2::Deposit {
            user: LIQUIDATOR,
            asset,
            amount,
            raw: false
        }),
        3 => (user.clone(), asset.clone(), bps.clone())
            .prop_map(|(user, asset, bps)| OpV2::Withdraw { user, asset, bps }),
        1 => (prop_oneof![1 => 0..BORROWERS, 3 => Just(LIQUIDATOR)], asset.clone(), 0u8..=1)
            .prop_map(|(user, asset, extra)| OpV2::WithdrawAvailable { user, asset, extra }),
        8 => (user.clone(), asset.clone(), prop_oneof![bps.clone(), 9_500u32..=10_000], any::<bool>())
            .prop_map(|(user, asset, bps, stable)| OpV2::Borrow { user, asset, bps, stable }),
        4 => (0..=LIQUIDATOR, asset.clone(), bps.clone(), any::<bool>())
            .prop_map(|(user, asset, bps, stable)| OpV2::Repay { user, asset, bps, stable }),
        2 => (user.clone(), asset.clone(), any::<bool>())
            .prop_map(|(user, asset, stable)| OpV2::Swap { user, asset, stable }),
        2 => (user.clone(), asset.clone(), any::<bool>())
            .prop_map(|(user, asset, enable)| OpV2::Collateral { user, asset, enable }),
        1 => (user.clone(), asset.clone())
            .prop_map(|(user, asset)| OpV2::Rebalance { user, asset }),
        6 => liquidation_args(bps).prop_map(
            |(user, collateral, debt, bps, receive_a_token)| OpV2::Liquidate {
                user,
                collateral,
                debt,
                bps,
                receive_a_token
            }
        ),
        4 => advance_secs().prop_map(|secs| OpV2::Advance { secs }),
        5 => price_move().prop_map(|(asset, delta_bps)| OpV2::Price { asset, delta_bps }),
        1 => (asset.clone(), prop_oneof![0u32..=2_000, Just(0), Just(350)])
            .prop_map(|(asset, bps)| OpV2::MarketRate { asset, bps }),
        1 => (asset.clone(), prop_oneof![
            4 => prop::sample::select(vec![0u16, 500, 1000, 2000, 3500]),
            1 => Just(10_000u16)
        ])
        .prop_map(|(asset, rf)| OpV2::ReserveFactor { asset, rf }),
        1 => (asset.clone(), 1u8..=4).prop_map(|(asset, steps)| OpV2::Freeze { asset, steps }),
        2 => (asset.clone(), prop_oneof![1u32..=2_500, 2_400u32..=2_600, 5_000u32..=10_000], any::<bool>())
            .prop_map(|(asset, bps, stable)| OpV2::Drain { asset, bps, stable }),
        2 => (300u32..=4_000).prop_map(|bps| OpV2::Shock { bps }),
        1 => (1u8..=3).prop_map(|steps| OpV2::Pause { steps }),
    ]
}

/// A sequence of `min..=max` ops.
pub fn sequence_v2(min: usize, max: usize) -> impl Strategy<Value = Vec<OpV2>> {
    prop::collection::vec(op_v2(), min..=max)
}

/// Number of v2 sequences: `$BANKRUN_CONFORMANCE_V2_CASES`, else 20,000 with
/// `BANKRUN_SOAK=1`, else `default` (sized so the v2 differential test stays under two
/// minutes in release on two cores). Independent of `BANKRUN_CONFORMANCE_CASES`, which
/// `.ci/conformance.sh` sets for the v3 runs.
pub fn cases_v2(default: u32) -> u32 {
    cases_from_env("BANKRUN_CONFORMANCE_V2_CASES", default)
}
