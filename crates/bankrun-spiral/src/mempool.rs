//! The agents' mempool: pending transactions with a gas price, included per block in
//! descending gas-price order (ties by a seeded draw, fixed at submission) within the
//! agents' gas, if they reach the block's inclusion threshold; dropped after a time to
//! live. Same design as `bankrun_engine::mempool`, generic over the action type.

/// A pending transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Tx<A> {
    /// Sending agent (index in the runner's agent table).
    pub agent: usize,
    /// What the transaction does.
    pub action: A,
    /// Gas price bid (gwei; legacy) or max fee (London).
    pub gas_price_gwei: f64,
    /// Seeded tie-break.
    pub tie: u64,
    /// Block of submission.
    pub submitted: u64,
    /// Earliest block of inclusion (latency).
    pub not_before: u64,
    /// Gas used if executed (gas).
    pub gas: u64,
}

/// The mempool.
#[derive(Debug, Clone)]
pub struct Mempool<A> {
    pending: Vec<Tx<A>>,
    /// Transactions submitted so far.
    pub submitted: u64,
    /// Transactions dropped unmined so far.
    pub dropped: u64,
}

impl<A> Default for Mempool<A> {
    fn default() -> Self {
        Mempool {
            pending: Vec::new(),
            submitted: 0,
            dropped: 0,
        }
    }
}

impl<A> Mempool<A> {
    /// Adds a transaction.
    pub fn submit(&mut self, tx: Tx<A>) {
        self.submitted += 1;
        self.pending.push(tx);
    }

    /// Pending transactions.
    pub fn pending(&self) -> &[Tx<A>] {
        &self.pending
    }

    /// Whether `f` holds for some pending transaction.
    pub fn any(&self, f: impl Fn(&Tx<A>) -> bool) -> bool {
        self.pending.iter().any(f)
    }

    /// Withdraws the pending transactions for which `f` holds (replaced by their sender);
    /// returns how many.
    pub fn withdraw(&mut self, f: impl Fn(&Tx<A>) -> bool) -> usize {
        let n = self.pending.len();
        self.pending.retain(|t| !f(t));
        n - self.pending.len()
    }

    /// Drops transactions pending more than `ttl` blocks at `block`; returns them.
    pub fn expire(&mut self, block: u64, ttl: u64) -> Vec<Tx<A>> {
        let (dropped, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|t| block.saturating_sub(t.submitted) > ttl);
        self.pending = kept;
        self.dropped += dropped.len() as u64;
        dropped
    }

    /// Takes the transactions of block `block` in execution order: those with `not_before
    /// ≤ block` and a gas price ≥ `min_price_gwei`, by descending price then tie, while
    /// `gas` lasts. The rest stay pending.
    pub fn build_block(&mut self, block: u64, min_price_gwei: f64, gas: u64) -> Vec<Tx<A>> {
        self.pending.sort_by(|a, b| {
            b.gas_price_gwei
                .total_cmp(&a.gas_price_gwei)
                .then(a.tie.cmp(&b.tie))
        });
        let mut left = gas;
        let mut out = Vec::new();
        let mut rest = Vec::new();
        for tx in self.pending.drain(..) {
            if tx.not_before <= block && tx.gas_price_gwei >= min_price_gwei && tx.gas <= left {
                left -= tx.gas;
                out.push(tx);
            } else {
                rest.push(tx);
            }
        }
        self.pending = rest;
        out
    }
}

/// A seeded stream for tests.
#[cfg(test)]
pub(crate) fn tests_rng() -> rand_chacha::ChaCha8Rng {
    bankrun_engine::rng::stream(1, "tests")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(p: f64, tie: u64, nb: u64) -> Tx<u8> {
        Tx {
            agent: 0,
            action: 0,
            gas_price_gwei: p,
            tie,
            submitted: 0,
            not_before: nb,
            gas: 100,
        }
    }

    #[test]
    fn low_bids_wait_then_drop() {
        let mut m = Mempool::default();
        m.submit(tx(10.0, 1, 0));
        m.submit(tx(50.0, 2, 0));
        m.submit(tx(60.0, 3, 5));
        let b = m.build_block(1, 20.0, 1_000);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].gas_price_gwei, 50.0);
        assert_eq!(m.pending().len(), 2);
        assert_eq!(m.expire(10, 5).len(), 2);
        assert_eq!(m.dropped, 2);
    }

    #[test]
    fn order_by_price_then_tie_within_gas() {
        let mut m = Mempool::default();
        m.submit(tx(30.0, 9, 0));
        m.submit(tx(30.0, 1, 0));
        m.submit(tx(40.0, 5, 0));
        let b = m.build_block(0, 0.0, 200);
        assert_eq!(b.iter().map(|t| t.tie).collect::<Vec<_>>(), vec![5, 1]);
    }
}
