//! Finding liquidatable positions without scanning every position each block.
//!
//! For a position with one collateral `c` and one debt `d`, Aave's health factor is
//! `HF = (sc · I_c · P_c / 10^dc) · LT / (sd · I_d · P_d / 10^dd)`, where `sc`, `sd` are the
//! scaled balances, `I_c` the liquidity index and `I_d` the variable borrow index. Indexes and
//! prices are common to every position of the pair, so `HF < 1` ⟺ `m < k` with the market
//! ratio `m = (I_c·P_c/10^dc) / (I_d·P_d/10^dd)` and the position key `k = sd / (sc · LT)`.
//! The key changes only when the position itself changes. Keeping positions ordered by `k` per
//! pair, the liquidatable ones are a range query: O(log N + k) per scan, not O(N).
//! Positions with several collaterals or debts are few (attackers, passive accounts) and are
//! checked one by one. Keys are `f64` used for ordering only, with a relative margin; every
//! candidate is confirmed with the pool's exact integer health factor.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use bankrun_aave::{AssetId, Pool, U256, UserId};

use bankrun_chain::units::{ray_to_f64, u256_to_f64};

/// Relative margin below the market ratio that still counts as a candidate.
const MARGIN: f64 = 1e-6;

/// Where a user sits in the index.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    None,
    Pair { c: AssetId, d: AssetId, key: u64 },
    Complex,
}

/// The effective liquidation threshold of collateral `c` for a user (bps), given by the
/// caller (it knows e-mode membership).
pub type LtOf<'a> = &'a dyn Fn(UserId, AssetId) -> u16;

/// Positions ordered by liquidation key per (collateral, debt) pair.
#[derive(Debug, Default)]
pub struct LiquidationIndex {
    pairs: BTreeMap<(AssetId, AssetId), BTreeSet<(u64, UserId)>>,
    complex: BTreeSet<UserId>,
    slots: Vec<Slot>,
    /// Market ratio per pair, memoised on (time, both prices): within one timestamp the
    /// indexes at `now` do not change (no flash-loan premium is cumulated to the liquidity
    /// index), so these are the ratio's only inputs. Every borrower review reads it.
    ratios: RefCell<Vec<RatioMemo>>,
}

/// A memoised market ratio: pair, time, prices, ratio.
type RatioMemo = ((AssetId, AssetId), u64, U256, U256, f64);

impl LiquidationIndex {
    /// Re-files `user` after any change to its position.
    pub fn update(&mut self, pool: &Pool, user: UserId, lt_of: LtOf<'_>) {
        self.remove(user);
        let slot = classify(pool, user, lt_of);
        match slot {
            Slot::Pair { c, d, key } => {
                self.pairs.entry((c, d)).or_default().insert((key, user));
            }
            Slot::Complex => {
                self.complex.insert(user);
            }
            Slot::None => {}
        }
        let i = user as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Slot::None);
        }
        self.slots[i] = slot;
    }

    fn remove(&mut self, user: UserId) {
        let Some(slot) = self.slots.get(user as usize).copied() else {
            return;
        };
        match slot {
            Slot::Pair { c, d, key } => {
                if let Some(set) = self.pairs.get_mut(&(c, d)) {
                    set.remove(&(key, user));
                }
            }
            Slot::Complex => {
                self.complex.remove(&user);
            }
            Slot::None => {}
        }
    }

    /// Users that may be liquidatable at `now`, in a deterministic order (pairs in asset
    /// order, then most underwater first; then complex positions by id), each with the pair
    /// to liquidate. The caller confirms with the exact health factor.
    pub fn candidates(&self, pool: &Pool, now: u64) -> Vec<(UserId, Option<(AssetId, AssetId)>)> {
        let mut out = Vec::new();
        for (&(c, d), set) in &self.pairs {
            let m = self.market_ratio(pool, now, c, d);
            let from = key_bits(m * (1.0 - MARGIN));
            out.extend(
                set.range((from, 0)..)
                    .rev()
                    .map(|&(_, u)| (u, Some((c, d)))),
            );
        }
        out.extend(self.complex.iter().map(|&u| (u, None)));
        out
    }

    /// The health factor of `user`'s position if it is a single (collateral, debt) pair, as
    /// `m / k` in `f64` (module docs), with the pair: a screen that needs no balance read.
    /// `None` for other positions. Accurate to about 1e-12 relative for positions worth more
    /// than a cent; callers that act on a value near a threshold read the pool's exact health
    /// factor (`Pool::user_account_data`).
    pub fn pair_health(
        &self,
        pool: &Pool,
        now: u64,
        user: UserId,
    ) -> Option<(AssetId, AssetId, f64)> {
        let Some(&Slot::Pair { c, d, key }) = self.slots.get(user as usize) else {
            return None;
        };
        let k = f64::from_bits(key);
        (key != 0 && k.is_finite()).then(|| (c, d, self.market_ratio(pool, now, c, d) / k))
    }

    /// [`market_ratio`], memoised (see `ratios`).
    fn market_ratio(&self, pool: &Pool, now: u64, c: AssetId, d: AssetId) -> f64 {
        let (pc, pd) = (pool.asset_price(c), pool.asset_price(d));
        let mut memo = self.ratios.borrow_mut();
        let slot = match memo.iter().position(|m| m.0 == (c, d)) {
            Some(k) => k,
            None => {
                memo.push(((c, d), u64::MAX, U256::ZERO, U256::ZERO, 0.0));
                memo.len() - 1
            }
        };
        let m = &mut memo[slot];
        if (m.1, m.2, m.3) != (now, pc, pd) {
            *m = ((c, d), now, pc, pd, market_ratio(pool, now, c, d));
        }
        m.4
    }

    /// Number of indexed positions (pairs + complex).
    pub fn len(&self) -> usize {
        self.pairs.values().map(BTreeSet::len).sum::<usize>() + self.complex.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Order-preserving bits of a non-negative finite `f64`.
fn key_bits(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else {
        x.to_bits()
    }
}

fn market_ratio(pool: &Pool, now: u64, c: AssetId, d: AssetId) -> f64 {
    let side = |a: AssetId, index: U256| {
        let dec = pool.reserve(a).config.decimals as i32;
        ray_to_f64(index) * u256_to_f64(pool.asset_price(a)) / 10f64.powi(dec)
    };
    let coll = side(c, pool.normalized_income(now, c));
    let debt = side(d, pool.normalized_debt(now, d));
    if debt > 0.0 {
        coll / debt
    } else {
        f64::INFINITY
    }
}

fn classify(pool: &Pool, user: UserId, lt_of: LtOf<'_>) -> Slot {
    let mut colls = Vec::new();
    let mut debts = Vec::new();
    for a in 0..pool.reserve_count() {
        let (s, d) = pool.scaled_balances(user, a);
        if !s.is_zero() && lt_of(user, a) > 0 {
            colls.push((a, s));
        }
        if !d.is_zero() {
            debts.push((a, d));
        }
    }
    match (colls.as_slice(), debts.as_slice()) {
        (_, []) => Slot::None,
        ([(c, sc)], [(d, sd)]) => {
            let lt = lt_of(user, *c) as f64 / 10_000.0;
            let key = u256_to_f64(*sd) / (u256_to_f64(*sc) * lt);
            Slot::Pair {
                c: *c,
                d: *d,
                key: key_bits(key),
            }
        }
        _ => Slot::Complex,
    }
}
