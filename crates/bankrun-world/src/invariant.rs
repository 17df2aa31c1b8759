//! Invariants of the world, checked after every block when the crate's `invariants` feature
//! is on (and on demand through [`crate::World::check_invariants`]).
//!
//! What is checked (issue "Trust at scale", item 1):
//! - the shared ledger conserves every token: Σ balances = Σ mints − Σ burns
//!   ([`bankrun_chain::Ledger::check_conservation`]);
//! - each protocol and venue checks its own books against themselves and against the tokens
//!   the ledger says it holds ([`crate::Protocol::check_invariants`],
//!   [`crate::Venue::check_invariants`]): scaled balances summing to the reserve's totals,
//!   available liquidity equal to the tokens held, health factors agreeing with a
//!   recomputation from balances, Maker's `vice` / `sin` accounting, pool reserves equal to
//!   the ledger;
//! - quantities that never fall (interest indexes, a constant-product pool's `k`, a StableSwap
//!   pool's virtual price) are reported with [`InvariantCheck::never_falls`] and compared with
//!   the previous block's value by the world.
//!
//! Balances are `U256` everywhere, so "no balance is negative" holds by type; signed internal
//! quantities (Comet principals, Maker's `dai` / `sin`) are checked where they are kept.

use std::collections::BTreeMap;

use bankrun_aave::U256;
use bankrun_chain::{Holder, Ledger};

/// What a protocol or venue sees while it checks its invariants, and where it reports them.
pub struct InvariantCheck<'a> {
    /// Block timestamp, unix seconds.
    pub now: u64,
    /// The shared ledger.
    pub ledger: &'a Ledger,
    /// The ledger holder of the protocol or venue checking.
    pub holder: Holder,
    violations: Vec<String>,
    monotone: Vec<(String, U256)>,
}

impl<'a> InvariantCheck<'a> {
    /// A check of the protocol or venue held by `holder`.
    pub fn new(now: u64, ledger: &'a Ledger, holder: Holder) -> Self {
        InvariantCheck {
            now,
            ledger,
            holder,
            violations: Vec::new(),
            monotone: Vec::new(),
        }
    }

    /// Records a violation unless `ok`; `what` describes the invariant and the values seen.
    pub fn require(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.violations.push(what());
        }
    }

    /// Requires `a == b`, naming the invariant.
    pub fn equal(&mut self, name: &str, a: U256, b: U256) {
        self.require(a == b, || format!("{name}: {a} != {b}"));
    }

    /// Records a violation found by a failing view (an overflow, a missing price).
    pub fn fail(&mut self, what: String) {
        self.violations.push(what);
    }

    /// `value` must be at least what it was after the previous block (`name` is unique
    /// within the protocol or venue).
    pub fn never_falls(&mut self, name: String, value: U256) {
        self.monotone.push((name, value));
    }

    /// The violations and monotone quantities recorded.
    pub(crate) fn finish(self) -> (Vec<String>, Vec<(String, U256)>) {
        (self.violations, self.monotone)
    }
}

/// The world's memory of monotone quantities between blocks, keyed `"owner: name"`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Monotone {
    last: BTreeMap<String, U256>,
}

impl Monotone {
    /// Compares each quantity with its previous value (violations for a fall) and keeps it.
    pub(crate) fn update(&mut self, owner: &str, values: Vec<(String, U256)>) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in values {
            let key = format!("{owner}: {name}");
            if let Some(prev) = self.last.get(&key)
                && v < *prev
            {
                out.push(format!("{key} fell from {prev} to {v}"));
            }
            self.last.insert(key, v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fall_is_reported_and_a_rise_is_not() {
        let mut m = Monotone::default();
        let v = |x: u64| vec![("index".to_string(), U256::from(x))];
        assert!(m.update("p", v(10)).is_empty());
        assert!(m.update("p", v(10)).is_empty());
        assert!(m.update("p", v(11)).is_empty());
        let bad = m.update("p", v(9));
        assert_eq!(bad, vec!["p: index fell from 11 to 9".to_string()]);
        // Owners are kept apart.
        assert!(m.update("q", v(1)).is_empty());
    }

    #[test]
    fn violations_are_collected() {
        let ledger = Ledger::new();
        let mut c = InvariantCheck::new(0, &ledger, Holder::Protocol(0));
        c.equal("a", U256::from(1u8), U256::from(1u8));
        c.equal("b", U256::from(1u8), U256::from(2u8));
        c.require(false, || "c".into());
        c.never_falls("d".into(), U256::from(3u8));
        let (bad, mono) = c.finish();
        assert_eq!(bad, vec!["b: 1 != 2".to_string(), "c".to_string()]);
        assert_eq!(mono, vec![("d".to_string(), U256::from(3u8))]);
    }
}
