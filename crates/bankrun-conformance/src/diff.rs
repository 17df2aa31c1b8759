//! The differential driver: one operation sequence applied to the real pool in revm and
//! to the native [`bankrun_aave::Pool`]; after every step reserve state, user balances,
//! account data (health factor), wallet deltas (liquidation outputs, withdraw / repay
//! amounts) and revert parity are compared.
//!
//! Users 0..=2 are borrowers / suppliers; user 3 is the liquidator (it only supplies
//! and liquidates, so it is never liquidated itself and never liquidates itself).

use crate::aave::{AaveVersion, EvmAave, ReserveSnapshot, UserSnapshot};
pub use crate::driver::{BORROWERS, LIQUIDATOR, N_RESERVES};
use crate::driver::{
    Tally, account_array, borrow_amount, check_wallet, frac, liquidate_both, liquidation_target,
    moved_price, opening, pow10, run_steps, show, token_amount, wallets,
};
use crate::evm::{Outcome, describe_revert};
use crate::lending_pool::LendingPool;
use crate::market::{T0, default_emodes, default_reserves, native_pool};
use alloy_primitives::{U256, keccak256};
use anyhow::{Result, bail};
use bankrun_aave::{Pool, PoolError};

/// One step of a sequence. Amounts are resolved against the native state when the step
/// runs (fractions in bps of a balance, of borrowing power or of the debt), so that a
/// shrunk sequence still exercises meaningful amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Supply `centi` hundredths of a whole token (or `wei` wei when `raw`).
    Supply {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Hundredths of a token, or wei when `raw`.
        amount: u64,
        /// Interpret `amount` as wei.
        raw: bool,
    },
    /// Withdraw `bps` of the balance (≥ 10001 = `type(uint256).max`).
    Withdraw {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Fraction, bps.
        bps: u32,
    },
    /// Borrow `bps` of the remaining borrowing power (> 10000 should revert).
    Borrow {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Fraction, bps.
        bps: u32,
    },
    /// Repay `bps` of the debt (≥ 10001 = `type(uint256).max`).
    Repay {
        /// User.
        user: usize,
        /// Reserve.
        asset: usize,
        /// Fraction, bps.
        bps: u32,
    },
    /// The liquidator covers `bps` of `user`'s debt (≥ 10001 = max).
    Liquidate {
        /// Borrower (≥ [`BORROWERS`]: the borrower with the lowest health factor).
        user: usize,
        /// Selector of the collateral among the borrower's collateral reserves.
        collateral: usize,
        /// Selector of the debt among the borrower's borrowed reserves.
        debt: usize,
        /// Fraction, bps.
        bps: u32,
        /// Receive aTokens instead of the underlying.
        receive_a_token: bool,
    },
    /// `setUserEMode`.
    SetEMode {
        /// User.
        user: usize,
        /// Category (0 or 1).
        category: u8,
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
        /// Change, bps (−9000..).
        delta_bps: i32,
    },
    /// Supply cap = current supply (whole tokens) + `delta` (≤ 0 ⇒ 0 = no cap when
    /// `delta == i64::MIN`).
    SupplyCap {
        /// Reserve.
        asset: usize,
        /// Offset from the current total, whole tokens; `None` removes the cap.
        delta: Option<i64>,
    },
    /// Borrow cap, like [`Op::SupplyCap`].
    BorrowCap {
        /// Reserve.
        asset: usize,
        /// Offset from the current total debt, whole tokens; `None` removes the cap.
        delta: Option<i64>,
    },
    /// Toggle the frozen flag.
    ToggleFreeze {
        /// Reserve.
        asset: usize,
    },
}

/// An op resolved against the native state at the time it ran: concrete amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `Pool.supply` of `amt` wei.
    Supply {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// Reserve.
        asset: usize,
        /// Amount, wei of the reserve's token.
        amt: U256,
    },
    /// `Pool.withdraw` of `amt` wei (`U256::MAX`: all).
    Withdraw {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// Reserve.
        asset: usize,
        /// Amount, wei of the reserve's token.
        amt: U256,
    },
    /// `Pool.borrow` of `amt` wei (variable rate).
    Borrow {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// Reserve.
        asset: usize,
        /// Amount, wei of the reserve's token.
        amt: U256,
    },
    /// `Pool.repay` of `amt` wei for oneself (`U256::MAX`: all).
    Repay {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// Reserve.
        asset: usize,
        /// Amount, wei of the reserve's token.
        amt: U256,
    },
    /// `Pool.liquidationCall` by the liquidator of `amt` wei of `debt`.
    Liquidate {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// Collateral reserve seized.
        collateral: usize,
        /// Debt reserve repaid.
        debt: usize,
        /// Amount, wei of the reserve's token.
        amt: U256,
        /// Take the collateral as aTokens.
        receive_a_token: bool,
    },
    /// `Pool.setUserEMode`.
    SetEMode {
        /// User (the borrower, for a liquidation).
        user: usize,
        /// E-mode category (0: none).
        category: u8,
    },
    /// Absolute timestamp.
    Advance {
        /// Unix seconds.
        to: u64,
    },
    /// Absolute price.
    Price {
        /// Reserve.
        asset: usize,
        /// USD, 8 decimals.
        price: U256,
    },
    /// `PoolConfigurator.setSupplyCap` (whole tokens, 0: none).
    SupplyCap {
        /// Reserve.
        asset: usize,
        /// Whole tokens (0: no cap).
        cap: u64,
    },
    /// `PoolConfigurator.setBorrowCap` (whole tokens, 0: none).
    BorrowCap {
        /// Reserve.
        asset: usize,
        /// Whole tokens (0: no cap).
        cap: u64,
    },
    /// `PoolConfigurator.setReserveFreeze`.
    Freeze {
        /// Reserve.
        asset: usize,
        /// Frozen or not.
        frozen: bool,
    },
}

/// The concrete call [`Harness::step`] makes for `op` in the native state `p` at `now`:
/// amounts from the native balances (fractions in bps, above 10,000 meaning "all",
/// `U256::MAX`), liquidation selectors resolved to the borrower's actual collateral and
/// debt reserves, an absolute time and price.
pub fn resolve(p: &Pool, now: u64, op: &Op) -> Call {
    let dec = |a: usize| p.reserve(a).config.decimals;
    let max_or = |bps: u32, x: U256| {
        if bps > 10_000 {
            U256::MAX
        } else {
            frac(x, bps)
        }
    };
    match *op {
        Op::Supply {
            user,
            asset,
            amount,
            raw,
        } => Call::Supply {
            user,
            asset,
            amt: token_amount(p, asset, amount, raw),
        },
        Op::Withdraw { user, asset, bps } => Call::Withdraw {
            user,
            asset,
            amt: max_or(bps, p.supply_balance(now, user as u32, asset)),
        },
        Op::Borrow { user, asset, bps } => Call::Borrow {
            user,
            asset,
            amt: borrow_amount(p, now, user, asset, bps),
        },
        Op::Repay { user, asset, bps } => Call::Repay {
            user,
            asset,
            amt: max_or(bps, p.debt_balance(now, user as u32, asset)),
        },
        Op::Liquidate {
            user,
            collateral,
            debt,
            bps,
            receive_a_token,
        } => {
            let (user, collateral, debt) = liquidation_target(p, now, user, collateral, debt);
            Call::Liquidate {
                user,
                collateral,
                debt,
                amt: max_or(bps, p.debt_balance(now, user as u32, debt)),
                receive_a_token,
            }
        }
        Op::SetEMode { user, category } => Call::SetEMode { user, category },
        Op::Advance { secs } => Call::Advance { to: now + secs },
        Op::Price { asset, delta_bps } => Call::Price {
            asset,
            price: moved_price(p, asset, delta_bps),
        },
        Op::SupplyCap { asset, delta } | Op::BorrowCap { asset, delta } => {
            let is_supply = matches!(op, Op::SupplyCap { .. });
            let total = if is_supply {
                p.total_supply_for_cap(now, asset)
            } else {
                p.total_debt(now, asset)
            };
            let whole = (total / pow10(dec(asset))).saturating_to::<u64>();
            let cap = match delta {
                None => 0,
                Some(d) => (whole as i64 + d).max(1) as u64,
            };
            if is_supply {
                Call::SupplyCap { asset, cap }
            } else {
                Call::BorrowCap { asset, cap }
            }
        }
        Op::ToggleFreeze { asset } => Call::Freeze {
            asset,
            frozen: !p.reserve(asset).config.frozen,
        },
    }
}

/// Both pools and the clock.
pub struct Harness {
    /// The real pool.
    pub evm: EvmAave,
    /// The native pool.
    pub native: Pool,
    /// Current timestamp.
    pub now: u64,
    version: AaveVersion,
    /// Steps executed, reverting on both sides, per op kind.
    pub tally: Tally,
}

/// The kind name of an op (for statistics).
pub fn kind(op: &Op) -> &'static str {
    match op {
        Op::Supply { .. } => "supply",
        Op::Withdraw { .. } => "withdraw",
        Op::Borrow { .. } => "borrow",
        Op::Repay { .. } => "repay",
        Op::Liquidate { .. } => "liquidationCall",
        Op::SetEMode { .. } => "setUserEMode",
        Op::Advance { .. } => "advance time",
        Op::Price { .. } => "price move",
        Op::SupplyCap { .. } => "supply cap",
        Op::BorrowCap { .. } => "borrow cap",
        Op::ToggleFreeze { .. } => "freeze/unfreeze",
    }
}

/// The revert a native error stands for, as predicate on the EVM revert data.
fn revert_matches(v: AaveVersion, e: &PoolError, data: &[u8]) -> bool {
    let panic11 = {
        let mut p = vec![0x4e, 0x48, 0x7b, 0x71];
        p.extend_from_slice(&U256::from(0x11u8).to_be_bytes::<32>());
        p
    };
    let desc = describe_revert(data);
    match e {
        PoolError::InsufficientLiquidity | PoolError::MathOverflow => {
            return data == panic11.as_slice()
                || data.is_empty()
                || desc.contains("ERC20")
                || desc.contains("0xe450d38c"); // ERC20InsufficientBalance (OZ 5)
        }
        PoolError::SafeCastOverflow | PoolError::DivisionByZero => return true,
        _ => {}
    }
    match v {
        AaveVersion::V3_0_2 => {
            let code = match e {
                PoolError::InvalidMintAmount => "24",
                PoolError::InvalidBurnAmount => "25",
                PoolError::InvalidAmount => "26",
                PoolError::ReserveInactive => "27",
                PoolError::ReserveFrozen => "28",
                PoolError::ReservePaused => "29",
                PoolError::BorrowingNotEnabled => "30",
                PoolError::NotEnoughAvailableUserBalance => "32",
                PoolError::CollateralBalanceIsZero => "34",
                PoolError::HealthFactorLowerThanLiquidationThreshold => "35",
                PoolError::CollateralCannotCoverNewBorrow => "36",
                PoolError::NoDebtOfSelectedType => "39",
                PoolError::NoExplicitAmountToRepayOnBehalf => "40",
                PoolError::UnderlyingBalanceZero => "43",
                PoolError::HealthFactorNotBelowThreshold => "45",
                PoolError::CollateralCannotBeLiquidated => "46",
                PoolError::SpecifiedCurrencyNotBorrowedByUser => "47",
                PoolError::BorrowCapExceeded => "50",
                PoolError::SupplyCapExceeded => "51",
                PoolError::LtvValidationFailed => "57",
                PoolError::InconsistentEModeCategory => "58",
                _ => return false,
            };
            desc == format!("Error({code:?})")
        }
        AaveVersion::V3_6 => {
            let sig = match e {
                PoolError::InvalidCollateralInEmode { .. } => {
                    "InvalidCollateralInEmode(address,uint256)".to_string()
                }
                PoolError::InvalidDebtInEmode { .. } => {
                    "InvalidDebtInEmode(address,uint256)".to_string()
                }
                other => format!("{}()", format!("{other:?}").split(' ').next().unwrap_or("")),
            };
            data.len() >= 4 && data[..4] == keccak256(sig.as_bytes())[..4]
        }
    }
}

impl Harness {
    /// Deploys both pools.
    pub fn new(version: AaveVersion) -> Result<Self> {
        let reserves = default_reserves();
        let emodes = default_emodes();
        let evm = EvmAave::deploy(version, &reserves, &emodes, LIQUIDATOR + 1, T0)?;
        let native = native_pool(version, &reserves, &emodes);
        Ok(Harness {
            evm,
            native,
            now: T0,
            version,
            tally: Tally::default(),
        })
    }

    /// Applies one op to both pools and compares everything.
    pub fn step(&mut self, op: &Op) -> Result<()> {
        self.tally.steps += 1;
        let now = self.now;
        // (user whose wallet moves, expected signed deltas computed from the native result)
        let mut wallet_check: Option<(usize, Vec<U256>)> = None;
        let result: Result<Vec<(usize, bool, U256)>, PoolError>;
        let outcome: Outcome;
        match resolve(&self.native, now, op) {
            Call::Supply { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                let r = self.native.supply(now, user as u32, asset, amt);
                result = r.map(|_| vec![(asset, false, amt)]);
                outcome = self.evm.supply(user, asset, amt)?;
            }
            Call::Withdraw { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .withdraw(now, user as u32, asset, amt)
                    .map(|got| vec![(asset, true, got)]);
                outcome = self.evm.withdraw(user, asset, amt)?;
            }
            Call::Borrow { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .borrow(now, user as u32, asset, amt)
                    .map(|_| vec![(asset, true, amt)]);
                outcome = self.evm.borrow(user, asset, amt)?;
            }
            Call::Repay { user, asset, amt } => {
                wallet_check = Some((user, wallets(&mut self.evm, user)?));
                result = self
                    .native
                    .repay(now, user as u32, user as u32, asset, amt)
                    .map(|paid| vec![(asset, false, paid)]);
                outcome = self.evm.repay(user, asset, amt)?;
            }
            Call::Liquidate {
                user,
                collateral,
                debt,
                amt,
                receive_a_token,
            } => {
                wallet_check = Some((LIQUIDATOR, wallets(&mut self.evm, LIQUIDATOR)?));
                let target = (user, collateral, debt);
                let native = &mut self.native;
                (result, outcome) =
                    liquidate_both(&mut self.evm, native, now, target, (amt, receive_a_token))?;
            }
            Call::SetEMode { user, category } => {
                result = self
                    .native
                    .set_user_emode(now, user as u32, category)
                    .map(|_| vec![]);
                outcome = self.evm.set_user_emode(user, category)?;
            }
            Call::Advance { to } => {
                self.now = to;
                self.evm.evm.set_timestamp(self.now);
                result = Ok(vec![]);
                outcome = Outcome::Success(Default::default());
            }
            Call::Price { asset, price } => {
                self.native.set_asset_price(asset, price);
                self.evm.set_price(asset, price);
                result = Ok(vec![]);
                outcome = Outcome::Success(Default::default());
            }
            Call::SupplyCap { asset, cap } => {
                result = self.native.set_supply_cap(asset, cap).map(|_| vec![]);
                outcome = self.evm.set_supply_cap(asset, cap)?;
            }
            Call::BorrowCap { asset, cap } => {
                result = self.native.set_borrow_cap(asset, cap).map(|_| vec![]);
                outcome = self.evm.set_borrow_cap(asset, cap)?;
            }
            Call::Freeze { asset, frozen } => {
                result = self
                    .native
                    .set_reserve_freeze(now, asset, frozen)
                    .map(|_| vec![]);
                outcome = self.evm.set_freeze(asset, frozen)?;
            }
        }
        // Revert parity.
        let deltas = match (&result, &outcome) {
            (Ok(d), Outcome::Success(_)) => d.clone(),
            (Err(e), Outcome::Revert(data)) => {
                if !revert_matches(self.version, e, data) {
                    bail!(
                        "{op:?}: both revert but differently: native {e:?}, evm {}",
                        describe_revert(data)
                    );
                }
                self.tally.reverted(kind(op));
                return self.compare();
            }
            (Ok(_), o) => bail!("{op:?}: native succeeded, evm {o:?} ({})", show(o)),
            (Err(e), Outcome::Success(_)) => bail!("{op:?}: native reverted {e:?}, evm succeeded"),
            (Err(e), o) => bail!("{op:?}: native {e:?}, evm {o:?}"),
        };
        self.tally.succeeded(kind(op));
        if let Some(check) = wallet_check {
            let after = wallets(&mut self.evm, check.0)?;
            check_wallet(format_args!("{op:?}"), check, after, deltas)?;
        }
        self.compare()
    }

    /// Compares every reserve and user.
    pub fn compare(&mut self) -> Result<()> {
        let now = self.now;
        for i in 0..N_RESERVES {
            let e = self.evm.reserve(i)?;
            let r = self.native.reserve(i);
            let n = ReserveSnapshot {
                liquidity_index: r.liquidity_index,
                variable_borrow_index: r.variable_borrow_index,
                liquidity_rate: r.current_liquidity_rate,
                variable_borrow_rate: r.current_variable_borrow_rate,
                stable_borrow_rate: r.current_stable_borrow_rate,
                last_update: r.last_update_timestamp,
                accrued_to_treasury: r.accrued_to_treasury,
                scaled_total_supply: r.scaled_total_supply,
                scaled_total_debt: r.scaled_total_variable_debt,
                liquidity: r.virtual_underlying_balance,
                deficit: r.deficit,
                treasury_scaled: r.treasury_scaled,
            };
            if e != n {
                bail!("reserve {i} differs at t={now}:\n  evm    {e:?}\n  native {n:?}");
            }
        }
        for u in 0..=LIQUIDATOR {
            let e = self.evm.user(u)?;
            let uid = u as u32;
            let balances = (0..N_RESERVES)
                .map(|i| {
                    let (s, d) = self.native.scaled_balances(uid, i);
                    (
                        s,
                        d,
                        self.native.supply_balance(now, uid, i),
                        self.native.debt_balance(now, uid, i),
                    )
                })
                .collect();
            let n = UserSnapshot {
                balances,
                account: account_array(&self.native.user_account_data(now, uid)),
            };
            if e != n {
                bail!("user {u} differs at t={now}:\n  evm    {e:?}\n  native {n:?}");
            }
        }
        Ok(())
    }
}

/// The fixed opening of every sequence (not shrunk): the liquidator provides deep
/// liquidity in every reserve and each borrower supplies some collateral ([`opening`]).
pub fn prefix() -> Vec<Op> {
    let (mut v, collateral) = opening(|user, asset, amount| Op::Supply {
        user,
        asset,
        amount,
        raw: false,
    });
    v.extend(collateral);
    v
}

/// Runs [`prefix`] then `ops` on fresh pools; the error names the failing step.
pub fn run_sequence(version: AaveVersion, ops: &[Op]) -> Result<Harness> {
    let mut h = Harness::new(version)?;
    for op in prefix() {
        h.step(&op)?;
    }
    run_steps(ops, |op| h.step(op))?;
    Ok(h)
}
