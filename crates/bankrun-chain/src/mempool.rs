//! The mempool: pending transactions of simulated agents and block building, generic over who
//! sends (`S`) and what a transaction calls (`C`).
//!
//! # Model
//! - A block includes pending transactions in order of fee bid (highest first), ties broken by
//!   a seeded random draw made at submission ([`Tx::tie`]), while the block's gas for agents
//!   lasts; a transaction is included only if its gas fits in what is left (a later, smaller
//!   one may still fit: the block builder's greedy fill). Included transactions execute in
//!   that order, so agents race first-come-first-served by fee.
//! - A transaction is includable from block [`Tx::not_before`] on (submission latency:
//!   the time it takes to reach block builders) and only if its bid reaches the block's
//!   minimum (the legacy inclusion threshold or the base fee; see [`crate::gas`]).
//! - Transactions pending more than `ttl` blocks after [`Tx::submitted`] are dropped
//!   ([`Mempool::expire`]); senders may withdraw theirs ([`Mempool::withdraw`]).
//! - Per-sender pending slots ([`MempoolRules::slots_per_sender`]): a sender may have at most
//!   that many pending transactions; a submission beyond it is refused and counted (go-ethereum's
//!   `txpool` caps each account's pending and queued transactions the same way,
//!   `AccountSlots`/`AccountQueue`).
//! - Replacement: a transaction with the same sender and the same [`Tx::replace_key`] (the
//!   nonce, on chain) as a pending one replaces it only if its fee bid is at least
//!   [`MempoolRules::price_bump_percent`] (10 %, go-ethereum's `PriceBump` default) higher;
//!   otherwise it is refused as underpriced and counted.
//!
//! Pending transactions are kept in block order under an explicit key (bid, tie, order of
//! entry), so block contents are deterministic and building a block costs what it takes out,
//! not the number pending.

use std::collections::{BTreeMap, BTreeSet};

/// A pending transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Tx<S, C> {
    /// Who sent it (the agent told of the outcome).
    pub sender: S,
    /// What it calls.
    pub action: C,
    /// The fee bid blocks order by, gwei per gas: the gas price (legacy auctions), the max
    /// fee (EIP-1559), or the priority fee over a base fee every transaction pays alike
    /// (the constant gas model).
    pub fee_gwei: f64,
    /// Seeded tie-break among equal bids (lower first), drawn at submission.
    pub tie: u64,
    /// Block it entered the mempool (the time to live counts from it).
    pub submitted: u64,
    /// Earliest block that may include it (submission latency).
    pub not_before: u64,
    /// Gas it uses if included (gas).
    pub gas: u64,
    /// Replacement key (the nonce): a later transaction of the same sender with the same key
    /// replaces this one if it bids enough more. `None`: never replaced.
    pub replace_key: Option<u64>,
}

/// Admission rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MempoolRules {
    /// Most pending transactions per sender (`None`: no cap).
    pub slots_per_sender: Option<usize>,
    /// Least fee increase of a replacement over the transaction it replaces, percent.
    pub price_bump_percent: u32,
}

impl Default for MempoolRules {
    /// No slot cap; a 10 % price bump for replacements (go-ethereum's default).
    fn default() -> Self {
        MempoolRules {
            slots_per_sender: None,
            price_bump_percent: 10,
        }
    }
}

/// Why a submission was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refusal {
    /// The sender already has [`MempoolRules::slots_per_sender`] pending transactions.
    SlotsFull {
        /// The cap.
        slots: usize,
    },
    /// A replacement that does not bid enough more than the pending transaction.
    Underpriced {
        /// Bid of the pending transaction, gwei.
        pending_fee_gwei: f64,
        /// Least bid that would replace it, gwei.
        needed_gwei: f64,
    },
}

/// Counts since the mempool was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MempoolStats {
    /// Submissions accepted (replacements included).
    pub submitted: u64,
    /// Transactions dropped after their time to live.
    pub dropped: u64,
    /// Pending transactions replaced by a higher bid.
    pub replaced: u64,
    /// Submissions refused: the sender's slots were full.
    pub refused_slots: u64,
    /// Submissions refused: a replacement that bid too little.
    pub refused_underpriced: u64,
}

/// Position of a pending transaction in block order: bid descending (in `f64::total_cmp`
/// order), then tie ascending, then the order it entered the mempool (a replacement enters
/// anew). Block building walks the pending transactions in this order, so it never sorts or
/// moves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// `u64::MAX` minus the bid's total-order bits: higher bids first.
    bid: u64,
    tie: u64,
    seq: u64,
}

impl Key {
    fn of<S, C>(tx: &Tx<S, C>, seq: u64) -> Self {
        // The unsigned image of `f64::total_cmp`'s order: flip every bit of negatives and
        // the sign bit of positives.
        let bits = tx.fee_gwei.to_bits();
        let ordered = if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        };
        Key {
            bid: u64::MAX - ordered,
            tie: tx.tie,
            seq,
        }
    }
}

/// The mempool.
#[derive(Debug, Clone)]
pub struct Mempool<S, C> {
    /// Pending transactions in block order.
    pending: BTreeMap<Key, Tx<S, C>>,
    /// The same keys by submission block, for expiry.
    by_submitted: BTreeSet<(u64, Key)>,
    /// Pending transactions per gas amount: the least gas pending ends a block's fill early.
    gas_counts: BTreeMap<u64, usize>,
    /// Entries made so far (the last component of [`Key`]).
    seq: u64,
    rules: MempoolRules,
    stats: MempoolStats,
}

impl<S, C> Default for Mempool<S, C> {
    fn default() -> Self {
        Mempool::new(MempoolRules::default())
    }
}

impl<S, C> Mempool<S, C> {
    /// An empty mempool admitting by `rules`.
    pub fn new(rules: MempoolRules) -> Self {
        Mempool {
            pending: BTreeMap::new(),
            by_submitted: BTreeSet::new(),
            gas_counts: BTreeMap::new(),
            seq: 0,
            rules,
            stats: MempoolStats::default(),
        }
    }

    /// The admission rules.
    pub fn rules(&self) -> MempoolRules {
        self.rules
    }

    /// Counts since creation.
    pub fn stats(&self) -> MempoolStats {
        self.stats
    }

    /// Submissions accepted since creation.
    pub fn submitted(&self) -> u64 {
        self.stats.submitted
    }

    /// Transactions dropped after their time to live since creation.
    pub fn dropped(&self) -> u64 {
        self.stats.dropped
    }

    /// Pending transactions, in block order (bid descending, then tie, then entry).
    pub fn pending(&self) -> impl Iterator<Item = &Tx<S, C>> {
        self.pending.values()
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether `f` holds for some pending transaction.
    pub fn any(&self, f: impl Fn(&Tx<S, C>) -> bool) -> bool {
        self.pending.values().any(f)
    }

    /// Pending transactions not yet includable in `block` (`not_before > block`).
    pub fn waiting(&self, block: u64) -> usize {
        self.pending
            .values()
            .filter(|t| t.not_before > block)
            .count()
    }

    /// Withdraws the pending transactions for which `f` holds (their senders cancelled or
    /// replaced them off-pool); returns how many.
    pub fn withdraw(&mut self, f: impl Fn(&Tx<S, C>) -> bool) -> usize {
        let keys: Vec<Key> = (self.pending.iter())
            .filter(|(_, t)| f(t))
            .map(|(k, _)| *k)
            .collect();
        for k in &keys {
            self.remove(k);
        }
        keys.len()
    }

    /// Removes and returns the transactions dropped at `block`: pending more than `ttl`
    /// blocks since they were submitted. In block order.
    pub fn expire(&mut self, block: u64, ttl: u64) -> Vec<Tx<S, C>> {
        // Expired: `block - submitted > ttl`, i.e. submitted before `block - ttl`.
        let Some(limit) = block.checked_sub(ttl) else {
            return Vec::new();
        };
        let mut keys: Vec<Key> = (self.by_submitted.range(..(limit, Key::MIN)))
            .map(|(_, k)| *k)
            .collect();
        keys.sort_unstable();
        let dropped: Vec<_> = keys.iter().filter_map(|k| self.remove(k)).collect();
        self.stats.dropped += dropped.len() as u64;
        dropped
    }

    /// Takes the transactions of block `block` in execution order: those with `not_before ≤
    /// block` and a bid ≥ `min_fee_gwei`, by descending bid then tie, while `gas` lasts.
    /// The rest stay pending.
    pub fn build_block(&mut self, block: u64, min_fee_gwei: f64, gas: u64) -> Vec<Tx<S, C>> {
        let mut left = gas;
        let mut taken = Vec::new();
        for (k, tx) in &self.pending {
            // Bids only fall from here on, and nothing pending uses less gas than the least.
            if tx.fee_gwei < min_fee_gwei || self.gas_counts.keys().next().is_none_or(|&g| g > left)
            {
                break;
            }
            if tx.not_before <= block && tx.fee_gwei >= min_fee_gwei && tx.gas <= left {
                left -= tx.gas;
                taken.push(*k);
            }
        }
        taken.iter().filter_map(|k| self.remove(k)).collect()
    }

    /// Adds `tx` as the newest entry.
    fn insert(&mut self, tx: Tx<S, C>) {
        let key = Key::of(&tx, self.seq);
        self.seq += 1;
        self.by_submitted.insert((tx.submitted, key));
        *self.gas_counts.entry(tx.gas).or_default() += 1;
        self.pending.insert(key, tx);
    }

    /// Removes the entry `key` from the pending set and its indexes.
    fn remove(&mut self, key: &Key) -> Option<Tx<S, C>> {
        let tx = self.pending.remove(key)?;
        self.by_submitted.remove(&(tx.submitted, *key));
        if let Some(n) = self.gas_counts.get_mut(&tx.gas) {
            *n -= 1;
            if *n == 0 {
                self.gas_counts.remove(&tx.gas);
            }
        }
        Some(tx)
    }
}

impl Key {
    const MIN: Key = Key {
        bid: 0,
        tie: 0,
        seq: 0,
    };
}

impl<S: PartialEq, C> Mempool<S, C> {
    /// Submits `tx`: fire and forget (a refusal is only counted in [`Mempool::stats`]).
    pub fn submit(&mut self, tx: Tx<S, C>) {
        // The refusal is counted; a caller that needs it uses `try_submit`.
        let _ = self.try_submit(tx);
    }

    /// Submits `tx` under the rules: it replaces the sender's pending transaction with the same
    /// replacement key if it bids at least the price bump more (returning the replaced one),
    /// else is refused; a new transaction is refused if the sender's slots are full.
    ///
    /// # Errors
    /// The [`Refusal`]; the transaction is not added.
    pub fn try_submit(&mut self, tx: Tx<S, C>) -> Result<Option<Tx<S, C>>, Refusal> {
        if let Some(key) = tx.replace_key
            && let Some((&k, old)) = self
                .pending
                .iter()
                .find(|(_, p)| p.replace_key == Some(key) && p.sender == tx.sender)
        {
            let old = old.fee_gwei;
            let needed = old * (100.0 + f64::from(self.rules.price_bump_percent)) / 100.0;
            // As go-ethereum: strictly above the old bid and at least the bumped bid.
            if !(tx.fee_gwei > old && tx.fee_gwei >= needed) {
                self.stats.refused_underpriced += 1;
                return Err(Refusal::Underpriced {
                    pending_fee_gwei: old,
                    needed_gwei: needed,
                });
            }
            self.stats.replaced += 1;
            self.stats.submitted += 1;
            let replaced = self.remove(&k);
            self.insert(tx);
            return Ok(replaced);
        }
        if let Some(slots) = self.rules.slots_per_sender
            && self.pending_of(&tx.sender) >= slots
        {
            self.stats.refused_slots += 1;
            return Err(Refusal::SlotsFull { slots });
        }
        self.stats.submitted += 1;
        self.insert(tx);
        Ok(None)
    }

    /// Pending transactions of `sender`.
    pub fn pending_of(&self, sender: &S) -> usize {
        self.pending
            .values()
            .filter(|p| p.sender == *sender)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(sender: u32, fee: f64, tie: u64, gas: u64) -> Tx<u32, &'static str> {
        Tx {
            sender,
            action: "call",
            fee_gwei: fee,
            tie,
            submitted: 0,
            not_before: 0,
            gas,
            replace_key: None,
        }
    }

    fn ties<'a>(txs: impl IntoIterator<Item = &'a Tx<u32, &'static str>>) -> Vec<u64> {
        txs.into_iter().map(|t| t.tie).collect()
    }

    #[test]
    fn orders_by_fee_then_tie() {
        let mut m = Mempool::default();
        m.submit(tx(0, 1.0, 5, 100));
        m.submit(tx(1, 3.0, 9, 100));
        m.submit(tx(2, 3.0, 2, 100));
        m.submit(tx(3, 2.0, 1, 100));
        assert_eq!(ties(&m.build_block(0, 0.0, 1_000)), vec![2, 9, 1, 5]);
        assert!(m.is_empty());
    }

    #[test]
    fn the_tie_is_fixed_at_submission_not_by_arrival() {
        // Same bids, submitted in both orders: the tie decides, not the order.
        let mut a = Mempool::default();
        a.submit(tx(0, 3.0, 7, 100));
        a.submit(tx(1, 3.0, 4, 100));
        let mut b = Mempool::default();
        b.submit(tx(1, 3.0, 4, 100));
        b.submit(tx(0, 3.0, 7, 100));
        assert_eq!(ties(&a.build_block(0, 0.0, 100)), vec![4]);
        assert_eq!(ties(&b.build_block(0, 0.0, 100)), vec![4]);
    }

    #[test]
    fn gas_fit_skips_what_does_not_fit_and_keeps_it() {
        let mut m = Mempool::default();
        m.submit(tx(0, 5.0, 1, 300));
        m.submit(tx(1, 4.0, 2, 200));
        m.submit(tx(2, 3.0, 3, 100));
        // 450 gas: the 300 fits, the 200 does not, the 100 still does.
        assert_eq!(ties(&m.build_block(0, 0.0, 450)), vec![1, 3]);
        assert_eq!(ties(m.pending()), vec![2]);
        assert_eq!(ties(&m.build_block(1, 0.0, 450)), vec![2]);
    }

    #[test]
    fn low_bids_wait_for_the_minimum_fee() {
        let mut m = Mempool::default();
        m.submit(tx(0, 10.0, 1, 100));
        m.submit(tx(1, 50.0, 2, 100));
        assert_eq!(ties(&m.build_block(0, 20.0, 1_000)), vec![2]);
        assert_eq!(m.len(), 1);
        assert_eq!(ties(&m.build_block(1, 10.0, 1_000)), vec![1]);
    }

    #[test]
    fn expires_after_ttl_and_counts_drops() {
        let mut m = Mempool::default();
        m.submit(Tx {
            submitted: 3,
            ..tx(0, 1.0, 1, 100)
        });
        m.submit(tx(1, 1.0, 2, 100));
        assert!(m.expire(10, 10).is_empty());
        assert_eq!(ties(&m.expire(11, 10)), vec![2]);
        assert_eq!(m.dropped(), 1);
        assert!(m.expire(13, 10).is_empty());
        assert_eq!(ties(&m.expire(14, 10)), vec![1]);
        assert!(m.is_empty());
        assert_eq!(m.stats().dropped, 2);
    }

    #[test]
    fn latency_holds_a_transaction_until_not_before() {
        let mut m = Mempool::default();
        m.submit(Tx {
            not_before: 3,
            ..tx(0, 9.0, 1, 100)
        });
        m.submit(tx(1, 1.0, 2, 100));
        assert_eq!(m.waiting(2), 1);
        // The held transaction takes no gas while it waits.
        assert_eq!(ties(&m.build_block(2, 0.0, 100)), vec![2]);
        assert_eq!(m.waiting(3), 0);
        assert_eq!(ties(&m.build_block(3, 0.0, 100)), vec![1]);
    }

    #[test]
    fn per_sender_slots_refuse_and_count() {
        let mut m = Mempool::new(MempoolRules {
            slots_per_sender: Some(2),
            ..MempoolRules::default()
        });
        assert_eq!(m.try_submit(tx(7, 1.0, 1, 100)), Ok(None));
        assert_eq!(m.try_submit(tx(7, 1.0, 2, 100)), Ok(None));
        assert_eq!(
            m.try_submit(tx(7, 1.0, 3, 100)),
            Err(Refusal::SlotsFull { slots: 2 })
        );
        m.submit(tx(7, 1.0, 4, 100));
        // Other senders have their own slots.
        assert_eq!(m.try_submit(tx(8, 1.0, 5, 100)), Ok(None));
        assert_eq!(m.pending_of(&7), 2);
        assert_eq!(m.stats().refused_slots, 2);
        assert_eq!(m.submitted(), 3);
        // An included transaction frees its slot.
        m.build_block(0, 0.0, 100);
        assert_eq!(m.try_submit(tx(7, 1.0, 6, 100)), Ok(None));
    }

    #[test]
    fn replacement_needs_a_ten_percent_higher_bid() {
        let keyed = |fee: f64, tie: u64| Tx {
            replace_key: Some(0),
            ..tx(1, fee, tie, 100)
        };
        let mut m = Mempool::new(MempoolRules {
            slots_per_sender: Some(1),
            ..MempoolRules::default()
        });
        m.submit(keyed(10.0, 1));
        let e = m.try_submit(keyed(10.9, 2)).unwrap_err();
        assert_eq!(
            e,
            Refusal::Underpriced {
                pending_fee_gwei: 10.0,
                needed_gwei: 11.0
            }
        );
        assert_eq!(m.stats().refused_underpriced, 1);
        // A full slot does not stop a replacement, which takes the same slot.
        let old = m.try_submit(keyed(11.0, 3)).unwrap().unwrap();
        assert_eq!(old.tie, 1);
        assert_eq!(ties(m.pending()), vec![3]);
        assert_eq!(m.stats().replaced, 1);
        // Another sender's transaction with the same key is not a replacement.
        let other = Tx {
            replace_key: Some(0),
            ..tx(2, 1.0, 4, 100)
        };
        assert_eq!(m.try_submit(other), Ok(None));
        assert_eq!(m.len(), 2);
        // Another key of the same sender is a new transaction, refused by the full slot.
        let new_key = Tx {
            replace_key: Some(1),
            ..tx(1, 50.0, 5, 100)
        };
        assert!(matches!(
            m.try_submit(new_key),
            Err(Refusal::SlotsFull { .. })
        ));
    }

    #[test]
    fn a_zero_bid_cannot_be_replaced_by_zero() {
        let mut m: Mempool<u32, &str> = Mempool::default();
        let keyed = |fee: f64, tie: u64| Tx {
            replace_key: Some(9),
            ..tx(1, fee, tie, 100)
        };
        m.submit(keyed(0.0, 1));
        assert!(m.try_submit(keyed(0.0, 2)).is_err());
        assert!(m.try_submit(keyed(0.1, 3)).is_ok());
    }

    #[test]
    fn withdraw_by_predicate() {
        let mut m = Mempool::default();
        m.submit(tx(1, 1.0, 1, 100));
        m.submit(tx(2, 1.0, 2, 100));
        m.submit(tx(1, 1.0, 3, 100));
        assert!(m.any(|t| t.sender == 2));
        assert_eq!(m.withdraw(|t| t.sender == 1), 2);
        assert_eq!(ties(m.pending()), vec![2]);
    }

    /// The block builder before pending transactions were kept in block order: a `Vec`
    /// stable-sorted by (bid, tie) at every block. The mempool must build the same blocks
    /// and drop the same transactions in the same order.
    #[derive(Default)]
    struct SortedVec(Vec<Tx<u32, &'static str>>);

    impl SortedVec {
        fn expire(&mut self, block: u64, ttl: u64) -> Vec<Tx<u32, &'static str>> {
            let (dropped, kept) = std::mem::take(&mut self.0)
                .into_iter()
                .partition(|t| block.saturating_sub(t.submitted) > ttl);
            self.0 = kept;
            dropped
        }

        fn build_block(&mut self, block: u64, min: f64, gas: u64) -> Vec<Tx<u32, &'static str>> {
            self.0
                .sort_by(|a, b| b.fee_gwei.total_cmp(&a.fee_gwei).then(a.tie.cmp(&b.tie)));
            let mut left = gas;
            let (mut out, mut rest) = (Vec::new(), Vec::new());
            for tx in self.0.drain(..) {
                if tx.not_before <= block && tx.fee_gwei >= min && tx.gas <= left {
                    left -= tx.gas;
                    out.push(tx);
                } else {
                    rest.push(tx);
                }
            }
            self.0 = rest;
            out
        }
    }

    #[test]
    fn builds_the_blocks_a_sorted_vec_builds() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(20_261_203, "test.mempool.reference");
        let key = |t: &Tx<u32, &'static str>| (t.sender, t.tie, t.submitted, t.gas);
        for case in 0..200 {
            let (mut m, mut r) = (Mempool::default(), SortedVec::default());
            let ttl = rng.random_range(1..=20u64);
            for block in 0..300u64 {
                for _ in 0..rng.random_range(0..=6) {
                    let t = Tx {
                        sender: rng.random_range(0..50u32),
                        action: "call",
                        // Few distinct bids and ties, so that equal keys occur.
                        fee_gwei: [0.0, -0.0, 1.0, 2.5, 2.5, 7.0, f64::NAN][rng.random_range(0..7)],
                        tie: rng.random_range(0..4u64),
                        submitted: block,
                        not_before: block + rng.random_range(0..3u64),
                        gas: rng.random_range(1..=5u64) * 100,
                        replace_key: None,
                    };
                    m.submit(t.clone());
                    r.0.push(t);
                }
                let dropped = m.expire(block, ttl);
                let expected = r.expire(block, ttl);
                // The old builder dropped in pending order, which after a block is block order.
                assert_eq!(
                    dropped.iter().map(key).collect::<Vec<_>>(),
                    expected.iter().map(key).collect::<Vec<_>>(),
                    "case {case}, block {block}: dropped"
                );
                let min = [0.0, 1.0, 2.0][rng.random_range(0..3)];
                let gas = rng.random_range(0..=1_500u64);
                let built = m.build_block(block, min, gas);
                let expected = r.build_block(block, min, gas);
                assert_eq!(
                    built.iter().map(key).collect::<Vec<_>>(),
                    expected.iter().map(key).collect::<Vec<_>>(),
                    "case {case}, block {block}: built"
                );
                assert_eq!(m.len(), r.0.len());
            }
        }
    }
}
