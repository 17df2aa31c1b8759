//! Depositors waiting for liquidity.
//!
//! A depositor whose exit is not yet served polls the pool every `Geometric(q)` blocks, with
//! `q = 1 − exp(−1 / retry_blocks)` (the discretised exponential of its class's retry delay),
//! and a poll that finds no available liquidity does nothing but wait for the next one.
//! Polling is memoryless, so the same process is: in every block whose available liquidity is
//! positive, each waiting depositor of the class polls with probability `q`, independently.
//! The engine draws that as one binomial count per (reserve, class) and a uniform choice of
//! that many depositors, so blocks at 100 % utilization cost nothing per waiting depositor:
//! this is what lets a week-long run with thousands of trapped depositors run in milliseconds.

use rand::Rng;
use rand_distr::{Binomial, Distribution};

/// A set of depositor ids with O(1) insert, remove and uniform choice.
#[derive(Debug, Default, Clone)]
pub struct ParkedSet {
    members: Vec<u32>,
}

/// All waiting depositors, by (reserve, class).
#[derive(Debug, Clone)]
pub struct Parked {
    sets: Vec<Vec<ParkedSet>>,
    /// Position of each depositor in its set, `u32::MAX` when not parked.
    pos: Vec<u32>,
    /// Per-block poll probability of each class.
    q: Vec<f64>,
}

impl Parked {
    /// Empty sets for `assets` reserves and classes with the given mean retry delays
    /// (blocks).
    pub fn new(assets: usize, retry_blocks: &[f64]) -> Self {
        Self {
            sets: vec![vec![ParkedSet::default(); retry_blocks.len()]; assets],
            pos: Vec::new(),
            q: retry_blocks
                .iter()
                .map(|r| 1.0 - (-1.0 / r.max(1.0)).exp())
                .collect(),
        }
    }

    /// Whether depositor `i` is waiting.
    pub fn contains(&self, i: usize) -> bool {
        self.pos.get(i).is_some_and(|&p| p != u32::MAX)
    }

    /// Number of depositors waiting on reserve `a`.
    pub fn waiting_on(&self, a: usize) -> usize {
        self.sets[a].iter().map(|s| s.members.len()).sum()
    }

    /// Parks depositor `i` (reserve `a`, class `c`); no-op if already parked.
    pub fn park(&mut self, i: usize, a: usize, c: usize) {
        if self.contains(i) {
            return;
        }
        if self.pos.len() <= i {
            self.pos.resize(i + 1, u32::MAX);
        }
        let set = &mut self.sets[a][c];
        self.pos[i] = set.members.len() as u32;
        set.members.push(i as u32);
    }

    fn unpark(&mut self, a: usize, c: usize, i: usize) {
        let p = self.pos[i] as usize;
        let set = &mut self.sets[a][c];
        set.members.swap_remove(p);
        if let Some(&moved) = set.members.get(p) {
            self.pos[moved as usize] = p as u32;
        }
        self.pos[i] = u32::MAX;
    }

    /// The depositors waiting on reserve `a` that poll this block, removed from the sets and
    /// appended to `out` (in no particular order; the caller sorts).
    pub fn draw_polls(&mut self, a: usize, rng: &mut impl Rng, out: &mut Vec<u32>) {
        for c in 0..self.sets[a].len() {
            let n = self.sets[a][c].members.len();
            if n == 0 {
                continue;
            }
            let k = Binomial::new(n as u64, self.q[c])
                .map(|b| b.sample(rng) as usize)
                .unwrap_or(n);
            if k == 0 {
                continue;
            }
            let chosen: Vec<u32> = rand::seq::index::sample(rng, n, k)
                .into_iter()
                .map(|j| self.sets[a][c].members[j])
                .collect();
            for i in chosen {
                self.unpark(a, c, i as usize);
                out.push(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_chain::rng::stream;

    #[test]
    fn park_unpark_keeps_positions_consistent() {
        let mut p = Parked::new(2, &[1.0, 50.0]);
        for i in 0..6 {
            p.park(i, i % 2, 0);
        }
        p.park(7, 1, 1);
        p.park(7, 1, 1);
        assert_eq!(p.waiting_on(0), 3);
        assert_eq!(p.waiting_on(1), 4);
        let mut out = Vec::new();
        let mut rng = stream(1, "t");
        // Class 0 polls with probability 0.63: after enough blocks all have polled once.
        for _ in 0..100 {
            p.draw_polls(0, &mut rng, &mut out);
        }
        out.sort_unstable();
        assert_eq!(out, vec![0, 2, 4]);
        assert_eq!(p.waiting_on(0), 0);
        assert!(!p.contains(0) && p.contains(1) && p.contains(7));
    }

    #[test]
    fn polls_per_block_match_the_geometric_retry_rate() {
        // 1,000 depositors with a mean retry of 10 blocks: about 95 poll in the first block.
        let mut p = Parked::new(1, &[10.0]);
        for i in 0..1000 {
            p.park(i, 0, 0);
        }
        let mut rng = stream(3, "t");
        let mut out = Vec::new();
        p.draw_polls(0, &mut rng, &mut out);
        let q = 1.0 - (-0.1f64).exp();
        let sd = (1000.0 * q * (1.0 - q)).sqrt();
        assert!(
            (out.len() as f64 - 1000.0 * q).abs() < 4.0 * sd,
            "{}",
            out.len()
        );
        let mut sorted = out.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), out.len(), "each depositor polls at most once");
    }
}
