//! The Oracle Security Module: a price delayed by one `hop`.
//!
//! Source: `makerdao/osm` `OSM.sol` (`poke`, `peek`, `peep`, `read`, `pass`, `prev`,
//! `step`, `stop`/`start`, `void`). `poke` may run once per `hop` (default 3600 s, at
//! hop boundaries): the queued `nxt` becomes `cur` and the source's current price is
//! queued. The price the protocol uses (`peek`) is therefore up to two hops old and a
//! price crash reaches Maker all at once, one hour late.

use crate::{MakerError, U256};

/// `ONE_HOUR`, the default `hop` (s).
pub const ONE_HOUR: u64 = 3600;

/// A stored feed value (wad USD, `has`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Feed {
    /// `val` (wad; `uint128` on-chain).
    pub val: U256,
    /// `has`.
    pub has: bool,
}

/// OSM state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Osm {
    /// `hop` (s).
    pub hop: u64,
    /// `zzz`: start of the hop of the last poke (s).
    pub zzz: u64,
    /// `cur`: the value in use.
    pub cur: Feed,
    /// `nxt`: the queued value.
    pub nxt: Feed,
    /// `stopped`.
    pub stopped: bool,
}

impl Default for Osm {
    fn default() -> Self {
        Osm {
            hop: ONE_HOUR,
            zzz: 0,
            cur: Feed::default(),
            nxt: Feed::default(),
            stopped: false,
        }
    }
}

impl Osm {
    /// `prev(ts)` = `ts − ts % hop` (s).
    pub fn prev(&self, ts: u64) -> u64 {
        if self.hop == 0 {
            ts
        } else {
            ts - ts % self.hop
        }
    }

    /// `pass()`: `now ≥ zzz + hop`.
    pub fn pass(&self, now: u64) -> bool {
        now >= self.zzz.saturating_add(self.hop)
    }

    /// `poke()` at `now` with the source's `peek()` = `(src_val, src_ok)` (wad USD).
    ///
    /// # Errors
    /// [`MakerError::OsmStopped`], [`MakerError::OsmNotPassed`]. A source without a value
    /// (`!src_ok`) is a successful no-op, as on-chain.
    pub fn poke(&mut self, now: u64, src_val: U256, src_ok: bool) -> Result<(), MakerError> {
        if self.stopped {
            return Err(MakerError::OsmStopped);
        }
        if !self.pass(now) {
            return Err(MakerError::OsmNotPassed);
        }
        if src_ok {
            self.cur = self.nxt;
            self.nxt = Feed {
                val: src_val & U256::from(u128::MAX),
                has: true,
            };
            self.zzz = self.prev(now);
        }
        Ok(())
    }

    /// `peek()`: `(cur.val, cur.has)` — the price Spot uses (wad USD).
    pub fn peek(&self) -> (U256, bool) {
        (self.cur.val, self.cur.has)
    }

    /// `peep()`: `(nxt.val, nxt.has)` — the price that the next poke releases.
    pub fn peep(&self) -> (U256, bool) {
        (self.nxt.val, self.nxt.has)
    }

    /// `read()`: `cur.val` (wad USD).
    ///
    /// # Errors
    /// [`MakerError::OsmNoCurrentValue`].
    pub fn read(&self) -> Result<U256, MakerError> {
        if self.cur.has {
            Ok(self.cur.val)
        } else {
            Err(MakerError::OsmNoCurrentValue)
        }
    }

    /// `step(ts)`: sets `hop` (s).
    ///
    /// # Errors
    /// [`MakerError::OsmZeroHop`] if `ts == 0`.
    pub fn step(&mut self, ts: u64) -> Result<(), MakerError> {
        if ts == 0 {
            return Err(MakerError::OsmZeroHop);
        }
        self.hop = ts;
        Ok(())
    }

    /// `void()`: clears both values and stops the OSM (governance emergency).
    pub fn void(&mut self) {
        self.cur = Feed::default();
        self.nxt = Feed::default();
        self.stopped = true;
    }
}
