//! What the two differential drivers share, the Aave v3 one ([`crate::diff`]) and the v2
//! one ([`crate::diff_v2`]): the users and reserves of the market, op amounts resolved
//! against the native state, the opening deposits, the liquidation's wallet movements,
//! the wallet check, the account data in the EVM's order, the counters and the step loop.
//!
//! Users 0..=2 are borrowers / suppliers; user 3 is the liquidator (it supplies deep
//! liquidity and liquidates, so it is never liquidated itself and never liquidates
//! itself).

use crate::evm::{Outcome, describe_revert};
use crate::lending_pool::LendingPool;
use alloy_primitives::U256;
use anyhow::{Result, bail};
use bankrun_aave::{AccountData, Pool, PoolError};
use std::collections::BTreeMap;
use std::fmt::Display;

/// Number of borrowing users.
pub const BORROWERS: usize = 3;
/// The liquidator's user id (also the deep-liquidity provider).
pub const LIQUIDATOR: usize = 3;
/// Reserves in the market.
pub const N_RESERVES: usize = 3;

/// Wallet movements of a step's acting user implied by the native result: (reserve,
/// incoming, amount).
pub type Deltas = Vec<(usize, bool, U256)>;

/// `10^d`.
pub fn pow10(d: u8) -> U256 {
    U256::from(10u8).pow(U256::from(d))
}

/// `x · bps / 10,000` (floor).
pub fn frac(x: U256, bps: u32) -> U256 {
    x * U256::from(bps) / U256::from(10_000u32)
}

/// An outcome for a mismatch message: the decoded revert, or the outcome itself.
pub fn show(o: &Outcome) -> String {
    match o {
        Outcome::Revert(d) => describe_revert(d),
        other => format!("{other:?}"),
    }
}

/// `amount` hundredths of a whole token of reserve `asset`, or `amount` wei when `raw`.
pub fn token_amount(p: &Pool, asset: usize, amount: u64, raw: bool) -> U256 {
    if raw {
        U256::from(amount)
    } else {
        U256::from(amount) * pow10(p.reserve(asset).config.decimals) / U256::from(100u8)
    }
}

/// `bps` of `user`'s remaining borrowing power in wei of `asset` at the native price (0
/// at a zero price).
pub fn borrow_amount(p: &Pool, now: u64, user: usize, asset: usize, bps: u32) -> U256 {
    let acc = p.user_account_data(now, user as u32);
    let price = p.asset_price(asset);
    if price.is_zero() {
        U256::ZERO
    } else {
        frac(acc.available_borrows_base, bps) * pow10(p.reserve(asset).config.decimals) / price
    }
}

/// The native price of `asset` times `(10000 + delta_bps) / 10000` (the factor at least
/// 1 %, the price at least 1).
pub fn moved_price(p: &Pool, asset: usize, delta_bps: i32) -> U256 {
    let old = p.asset_price(asset);
    (old * U256::from((10_000 + delta_bps).max(100) as u64) / U256::from(10_000u32))
        .max(U256::from(1u8))
}

/// The `sel`-th reserve among those satisfying `keep` (any reserve if none does).
pub fn select(sel: usize, keep: impl Fn(usize) -> bool) -> usize {
    let set: Vec<usize> = (0..N_RESERVES).filter(|&a| keep(a)).collect();
    if set.is_empty() {
        sel % N_RESERVES
    } else {
        set[sel % set.len()]
    }
}

/// `user`'s native (collateral, borrowing) bitmaps.
pub fn bitmaps(p: &Pool, user: usize) -> (u128, u128) {
    p.user(user as u32)
        .map_or((0, 0), |a| (a.collateral_bitmap, a.borrowing_bitmap))
}

/// A liquidation's (borrower, collateral, debt): `user`, or for `user ≥ BORROWERS` the
/// borrower with the lowest native health factor; the selectors `collateral` and `debt`
/// pick among the borrower's collateral and borrowed reserves ([`select`]).
pub fn liquidation_target(
    p: &Pool,
    now: u64,
    user: usize,
    collateral: usize,
    debt: usize,
) -> (usize, usize, usize) {
    let user = if user >= BORROWERS {
        (0..BORROWERS)
            .min_by_key(|&u| p.health_factor(now, u as u32))
            .unwrap_or(0)
    } else {
        user
    };
    let (cb, db) = bitmaps(p, user);
    let pick = |bitmap: u128, sel: usize| select(sel, |i| bitmap >> i & 1 == 1);
    (user, pick(cb, collateral), pick(db, debt))
}

/// The ERC20 balances of `user` in every reserve's underlying token.
pub fn wallets(evm: &mut impl LendingPool, user: usize) -> Result<Vec<U256>> {
    (0..N_RESERVES).map(|i| evm.wallet(user, i)).collect()
}

/// `(borrower, collateral, debt)` of a liquidation.
pub type Target = (usize, usize, usize);

/// A liquidation by [`LIQUIDATOR`] of `debt_to_cover` wei applied to both pools: the
/// native result as the liquidator's wallet movements (the debt paid; the collateral
/// received, unless taken as aTokens), and the EVM outcome.
pub fn liquidate_both(
    evm: &mut impl LendingPool,
    native: &mut Pool,
    now: u64,
    (user, collateral, debt): Target,
    (debt_to_cover, receive_a_token): (U256, bool),
) -> Result<(Result<Deltas, PoolError>, Outcome)> {
    let result = native
        .liquidation_call(
            now,
            LIQUIDATOR as u32,
            collateral,
            debt,
            user as u32,
            debt_to_cover,
            receive_a_token,
        )
        .map(|o| {
            let mut v = vec![(debt, false, o.debt_repaid)];
            if !receive_a_token {
                v.push((collateral, true, o.collateral_to_liquidator));
            }
            v
        });
    let outcome = evm.liquidate(
        LIQUIDATOR,
        collateral,
        debt,
        user,
        debt_to_cover,
        receive_a_token,
    )?;
    Ok((result, outcome))
}

/// Checks the EVM wallet of `user` (`after`) against `before` moved by the native
/// `deltas`; the error starts with `ctx` (the step).
pub fn check_wallet(
    ctx: impl Display,
    (user, before): (usize, Vec<U256>),
    after: Vec<U256>,
    deltas: Deltas,
) -> Result<()> {
    let mut expected = before;
    for (asset, incoming, amt) in deltas {
        expected[asset] = if incoming {
            expected[asset] + amt
        } else {
            expected[asset] - amt
        };
    }
    if after != expected {
        bail!("{ctx}: wallet of user {user}: evm {after:?}, native-implied {expected:?}");
    }
    Ok(())
}

/// Native account data in `getUserAccountData`'s order: collateral, debt, available
/// borrows, liquidation threshold, LTV, health factor.
pub fn account_array(a: &AccountData) -> [U256; 6] {
    [
        a.total_collateral_base,
        a.total_debt_base,
        a.available_borrows_base,
        a.current_liquidation_threshold,
        a.ltv,
        a.health_factor,
    ]
}

/// The deposits that open every sequence, built by `deposit(user, asset, hundredths of a
/// token)`: the liquidator's deep liquidity in every reserve, then one deposit of
/// collateral by each borrower.
pub fn opening<T>(deposit: impl Fn(usize, usize, u64) -> T) -> (Vec<T>, Vec<T>) {
    let liquidity = (0..N_RESERVES)
        .map(|asset| {
            let amount = if asset == 0 {
                5_000_000
            } else {
                10_000_000_000
            };
            deposit(LIQUIDATOR, asset, amount)
        })
        .collect();
    let collateral = (0..BORROWERS)
        .map(|user| {
            let asset = user % N_RESERVES;
            deposit(user, asset, [1_000, 2_000_000, 2_000_000][asset])
        })
        .collect();
    (liquidity, collateral)
}

/// Runs `step` on each of `ops`; the error names the failing step.
pub fn run_steps<O>(ops: &[O], mut step: impl FnMut(&O) -> Result<()>) -> Result<()> {
    for (i, op) in ops.iter().enumerate() {
        if let Err(e) = step(op) {
            bail!("step {i} of {}: {e:#}", ops.len());
        }
    }
    Ok(())
}

/// What a differential run counted.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Steps executed (each followed by a full comparison).
    pub steps: usize,
    /// Steps whose outcome was a revert on both sides.
    pub reverts: usize,
    /// Per op kind: (succeeded on both sides, reverted on both sides).
    pub stats: BTreeMap<&'static str, (usize, usize)>,
    /// Per (op kind, revert reason): steps reverting with that reason on both sides (v2;
    /// the v3 driver matches revert data against the native error instead).
    pub reasons: BTreeMap<(&'static str, String), usize>,
}

impl Tally {
    /// A step of kind `kind` succeeded on both sides.
    pub fn succeeded(&mut self, kind: &'static str) {
        self.stats.entry(kind).or_default().0 += 1;
    }

    /// A step of kind `kind` reverted on both sides.
    pub fn reverted(&mut self, kind: &'static str) {
        self.reverts += 1;
        self.stats.entry(kind).or_default().1 += 1;
    }

    /// Adds the counts of `other`.
    pub fn add(&mut self, other: &Tally) {
        self.steps += other.steps;
        self.reverts += other.reverts;
        for (k, (ok, rev)) in &other.stats {
            let e = self.stats.entry(*k).or_default();
            e.0 += ok;
            e.1 += rev;
        }
        for (k, n) in &other.reasons {
            *self.reasons.entry(k.clone()).or_default() += n;
        }
    }
}
