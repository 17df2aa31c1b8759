//! The chain clock: block numbers ↔ unix timestamps for a start time and a fixed block time.
//!
//! Block 0 is the starting state at `start_unix`; block `n` has timestamp `start_unix + n ×
//! block_time_s` (post-Merge Ethereum: one slot of 12 s per block, no missed slots modelled).

/// A fixed-interval block clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    start_unix: i64,
    block_time_s: u64,
}

impl Clock {
    /// A clock whose block 0 is at `start_unix` (s), one block every `block_time_s` (s);
    /// `None` for a block time of 0.
    pub fn new(start_unix: i64, block_time_s: u64) -> Option<Self> {
        (block_time_s > 0).then_some(Clock {
            start_unix,
            block_time_s,
        })
    }

    /// The timestamp of block 0 (unix s).
    pub fn start_unix(&self) -> i64 {
        self.start_unix
    }

    /// Seconds between blocks.
    pub fn block_time_s(&self) -> u64 {
        self.block_time_s
    }

    /// Blocks per hour (`3600 / block_time_s`, fractional for block times that do not divide
    /// an hour).
    pub fn blocks_per_hour(&self) -> f64 {
        3600.0 / self.block_time_s as f64
    }

    /// The timestamp of block `block` (unix s).
    pub fn timestamp(&self, block: u64) -> i64 {
        self.start_unix + (block * self.block_time_s) as i64
    }

    /// The last block at or before `unix_s` (0 before the start).
    pub fn block_at(&self, unix_s: i64) -> u64 {
        self.blocks_until(unix_s)
    }

    /// Whole blocks between the start and `end_unix` (0 if it is not after the start): the
    /// number of blocks a run to `end_unix` simulates.
    pub fn blocks_until(&self, end_unix: i64) -> u64 {
        (end_unix - self.start_unix).max(0) as u64 / self.block_time_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_timestamps_round_trip() {
        let c = Clock::new(1_000, 12).unwrap();
        assert_eq!(c.timestamp(0), 1_000);
        assert_eq!(c.timestamp(5), 1_060);
        assert_eq!(c.block_at(1_060), 5);
        assert_eq!(c.block_at(1_071), 5, "between blocks: the last one");
        assert_eq!(c.block_at(1_072), 6);
        assert_eq!(c.block_at(0), 0, "before the start");
        assert_eq!(c.blocks_until(1_000 + 3_600), 300);
        assert_eq!(c.blocks_per_hour(), 300.0);
        assert_eq!((c.start_unix(), c.block_time_s()), (1_000, 12));
        for b in [0, 1, 7, 50_400] {
            assert_eq!(c.block_at(c.timestamp(b)), b);
        }
    }

    #[test]
    fn a_zero_block_time_is_refused() {
        assert!(Clock::new(0, 0).is_none());
        assert_eq!(Clock::new(0, 7).unwrap().blocks_per_hour(), 3600.0 / 7.0);
    }
}
