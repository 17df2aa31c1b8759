//! Price oracles as the lending pool sees them.
//!
//! - [`PushFeed`]: a Chainlink-style push feed. It publishes a new round only when the market
//!   price moves beyond the deviation threshold or the heartbeat elapses, so the on-chain price
//!   is a step function of the market path (reference/protocol-math.md §6, "Chainlink push
//!   feeds"; docs.chain.link "Data Feeds").
//! - [`CapoAdapter`]: Aave's correlated-asset price oracle (CAPO) for LSTs / LRTs: base feed ×
//!   exchange ratio, the ratio capped by a maximum yearly growth from a snapshot
//!   (bgd-labs/aave-capo `PriceCapAdapterBase.latestAnswer`).
//!
//! Answers are integers with 8 decimals (USD), as `AaveOracle.getAssetPrice` returns in USD
//! markets; ratios are integers with 18 decimals, as `LRTOracle.rsETHPrice` returns.

/// Decimals of a feed answer (Chainlink USD feeds and Aave's base currency: 8).
pub const ANSWER_DECIMALS: u32 = 8;
/// One USD in answer units (1e8).
pub const ANSWER_UNIT: u128 = 100_000_000;
/// Decimals of a CAPO exchange ratio (`RATIO_DECIMALS` of the rsETH / wstETH / weETH adapters).
pub const RATIO_DECIMALS: u32 = 18;
/// One unit of ratio (1e18).
pub const RATIO_UNIT: u128 = 1_000_000_000_000_000_000;
/// `SECONDS_PER_YEAR` of aave-capo (365 days).
pub const SECONDS_PER_YEAR: u128 = 31_536_000;

/// Converts a market price in USD (`f64`, from a price path) into an 8-decimal integer answer,
/// rounding to nearest. Non-finite or non-positive prices map to 0 (which `AaveOracle` treats
/// as "no answer" and sends to the fallback oracle).
pub fn usd_to_answer(price_usd: f64) -> u128 {
    if !price_usd.is_finite() || price_usd <= 0.0 {
        return 0;
    }
    (price_usd * ANSWER_UNIT as f64).round() as u128
}

/// Converts an 8-decimal answer back to USD for display.
pub fn answer_to_usd(answer: u128) -> f64 {
    answer as f64 / ANSWER_UNIT as f64
}

/// Converts a ratio given as a decimal (e.g. 1.07) into its 18-decimal integer, rounding to
/// nearest at 1e-12 precision first so that decimal inputs such as 1.07 are exact.
pub fn ratio_from_f64(ratio: f64) -> u128 {
    if !ratio.is_finite() || ratio <= 0.0 {
        return 0;
    }
    let micro = (ratio * 1e12).round() as u128;
    micro * 1_000_000
}

/// A Chainlink-style push feed.
#[derive(Debug, Clone, PartialEq)]
pub struct PushFeed {
    /// Deviation threshold, basis points.
    pub deviation_bps: u32,
    /// Heartbeat, seconds.
    pub heartbeat_s: u64,
    answer: u128,
    updated_at: i64,
    rounds: u64,
}

impl PushFeed {
    /// A feed whose first round reports `market_usd` at time `now` (unix seconds).
    pub fn new(deviation_bps: u32, heartbeat_s: u64, market_usd: f64, now: i64) -> Self {
        Self {
            deviation_bps,
            heartbeat_s,
            answer: usd_to_answer(market_usd),
            updated_at: now,
            rounds: 1,
        }
    }

    /// Observes the market price at `now`; publishes a new round when
    /// `|p − last| / last > deviation` or `now − updatedAt ≥ heartbeat`.
    /// Returns `true` when the answer changed.
    pub fn observe(&mut self, market_usd: f64, now: i64) -> bool {
        let candidate = usd_to_answer(market_usd);
        let heartbeat_due = now - self.updated_at >= self.heartbeat_s as i64;
        if !(self.deviates(candidate) || heartbeat_due) {
            return false;
        }
        let changed = candidate != self.answer;
        self.answer = candidate;
        self.updated_at = now;
        self.rounds += 1;
        changed
    }

    /// Whether `candidate` deviates from the current answer by more than the threshold,
    /// compared in integers: `|c − a| · 10_000 > a · deviation_bps`.
    fn deviates(&self, candidate: u128) -> bool {
        let diff = candidate.abs_diff(self.answer);
        diff.saturating_mul(10_000) > self.answer.saturating_mul(self.deviation_bps as u128)
    }

    /// `latestAnswer()`, 8 decimals.
    pub fn latest_answer(&self) -> u128 {
        self.answer
    }

    /// Timestamp of the latest round, unix seconds.
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// Number of rounds published so far (including the first).
    pub fn rounds(&self) -> u64 {
        self.rounds
    }
}

/// An Aave CAPO exchange-rate adapter (`PriceCapAdapterBase`).
#[derive(Debug, Clone, PartialEq)]
pub struct CapoAdapter {
    /// Current exchange ratio reported by the ratio provider (18 decimals), e.g.
    /// `LRTOracle.rsETHPrice()` for rsETH.
    pub ratio: u128,
    /// Snapshot ratio the cap grows from (18 decimals).
    pub snapshot_ratio: u128,
    /// Snapshot timestamp, unix seconds.
    pub snapshot_timestamp: i64,
    /// `_maxRatioGrowthPerSecond` scaled by 1e6, as stored by the adapter:
    /// `snapshotRatio · maxYearlyGrowthBps · 1e6 / 1e4 / SECONDS_PER_YEAR` (floor).
    pub max_ratio_growth_per_second_scaled: u128,
}

impl CapoAdapter {
    /// Builds the adapter as `PriceCapAdapterBase._setCapParameters` stores it.
    pub fn new(
        ratio: u128,
        snapshot_ratio: u128,
        snapshot_timestamp: i64,
        max_yearly_growth_bps: u32,
    ) -> Self {
        let growth =
            snapshot_ratio * max_yearly_growth_bps as u128 * 1_000_000 / 10_000 / SECONDS_PER_YEAR;
        Self {
            ratio,
            snapshot_ratio,
            snapshot_timestamp,
            max_ratio_growth_per_second_scaled: growth,
        }
    }

    /// The ratio the adapter uses at `now`: `min(ratio, snapshot + growth · elapsed / 1e6)`.
    pub fn capped_ratio(&self, now: i64) -> u128 {
        let elapsed = (now - self.snapshot_timestamp).max(0) as u128;
        let cap = self.snapshot_ratio
            + self
                .max_ratio_growth_per_second_scaled
                .saturating_mul(elapsed)
                / 1_000_000;
        self.ratio.min(cap)
    }

    /// `latestAnswer()`: `base · cappedRatio / 1e18` (floor), 8 decimals; 0 when the base answer
    /// or the ratio is not positive (the Aave oracle then falls back).
    pub fn latest_answer(&self, base_answer: u128, now: i64) -> u128 {
        let ratio = self.capped_ratio(now);
        if base_answer == 0 || ratio == 0 {
            return 0;
        }
        base_answer * ratio / RATIO_UNIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn feed_updates_only_on_deviation_or_heartbeat() {
        let mut f = PushFeed::new(50, 3600, 2000.0, 0);
        assert!(!f.observe(2009.0, 12), "0.45 % is inside a 0.5 % band");
        assert_eq!(f.latest_answer(), 2000 * ANSWER_UNIT);
        assert!(f.observe(2010.02, 24), "0.501 % crosses the band");
        assert_eq!(f.latest_answer(), usd_to_answer(2010.02));
        assert!(!f.observe(2010.5, 3600), "heartbeat not yet due");
        assert!(f.observe(2010.5, 24 + 3600), "heartbeat due");
        assert_eq!(f.rounds(), 3);
    }

    #[test]
    fn heartbeat_round_with_same_price_is_not_a_change() {
        let mut f = PushFeed::new(25, 86_400, 1.0, 0);
        assert!(!f.observe(1.0, 86_400));
        assert_eq!(f.updated_at(), 86_400);
        assert_eq!(f.rounds(), 2);
    }

    #[test]
    fn capo_caps_ratio_growth() {
        // Snapshot 1.00 one year ago, 10 % max growth: the cap is ~1.10.
        let a = CapoAdapter::new(ratio_from_f64(1.2), RATIO_UNIT, 0, 1000);
        let now = SECONDS_PER_YEAR as i64;
        let capped = a.capped_ratio(now);
        assert!(capped < ratio_from_f64(1.1) + RATIO_UNIT / 1_000_000);
        assert!(capped > ratio_from_f64(1.099));
        // A ratio below the cap passes through untouched, and the price is base × ratio.
        let b = CapoAdapter::new(ratio_from_f64(1.07), RATIO_UNIT, 0, 1000);
        assert_eq!(b.capped_ratio(now), ratio_from_f64(1.07));
        assert_eq!(b.latest_answer(2000 * ANSWER_UNIT, now), 2140 * ANSWER_UNIT);
        assert_eq!(b.latest_answer(0, now), 0);
    }

    proptest! {
        #[test]
        fn feed_never_moves_inside_band_before_heartbeat(p0 in 1.0f64..10_000.0, bps in -49i32..=49, dt in 0i64..3599) {
            let mut f = PushFeed::new(50, 3600, p0, 0);
            let before = f.latest_answer();
            let p1 = p0 * (1.0 + bps as f64 / 10_000.0);
            f.observe(p1, dt);
            prop_assert_eq!(f.latest_answer(), before);
        }

        #[test]
        fn capo_price_monotone_in_ratio(r1 in 0.5f64..2.0, r2 in 0.5f64..2.0) {
            let lo = ratio_from_f64(r1.min(r2));
            let hi = ratio_from_f64(r1.max(r2));
            let a = CapoAdapter::new(lo, RATIO_UNIT, 0, 1_000_000);
            let b = CapoAdapter::new(hi, RATIO_UNIT, 0, 1_000_000);
            prop_assert!(a.latest_answer(2000 * ANSWER_UNIT, 1) <= b.latest_answer(2000 * ANSWER_UNIT, 1));
        }
    }
}
