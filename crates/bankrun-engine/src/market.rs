//! The oracle side of the world: market price paths, the push feeds that report them and the
//! CAPO adapters built on them; what `AaveOracle.getAssetPrice` returns for each reserve.

use bankrun_chain::prices::PricePath;
use bankrun_oracle::{CapoAdapter, PushFeed, answer_to_usd, ratio_from_f64};
use bankrun_scenario::LoadedScenario;

use crate::EngineError;

/// Where a reserve's price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceRef {
    /// A push feed (index into [`Market::feeds`]).
    Feed(usize),
    /// A CAPO adapter (index into [`Market::capos`]).
    Capo(usize),
}

/// A push feed and the market path it reports.
#[derive(Debug, Clone)]
pub struct FeedState {
    /// Feed name.
    pub name: String,
    /// The on-chain feed.
    pub feed: PushFeed,
    /// The market price path.
    pub path: PricePath,
}

/// A CAPO adapter and its base feed.
#[derive(Debug, Clone)]
pub struct CapoState {
    /// Adapter name.
    pub name: String,
    /// Base feed index.
    pub base: usize,
    /// The adapter.
    pub adapter: CapoAdapter,
    /// Ratio at the start (18 decimals), for the backing-loss signal.
    pub initial_ratio: u128,
}

/// All price sources.
#[derive(Debug, Clone, Default)]
pub struct Market {
    /// Push feeds in scenario order.
    pub feeds: Vec<FeedState>,
    /// CAPO adapters in scenario order.
    pub capos: Vec<CapoState>,
}

impl Market {
    /// Builds the feeds and adapters at the scenario start.
    pub fn new(s: &LoadedScenario) -> Result<Self, EngineError> {
        let start = s.start_unix;
        let mut feeds = Vec::new();
        for f in &s.scenario.oracles.feeds {
            let path = s.feeds.get(&f.name).cloned().ok_or_else(|| {
                EngineError::setup(format!("oracles.feeds: no price path for `{}`", f.name))
            })?;
            let feed = PushFeed::new(f.deviation_bps, f.heartbeat_s, path.price_at(start), start);
            feeds.push(FeedState {
                name: f.name.clone(),
                feed,
                path,
            });
        }
        let mut capos = Vec::new();
        for c in &s.scenario.oracles.capo {
            let base = feeds
                .iter()
                .position(|f| f.name == c.base_feed)
                .ok_or_else(|| {
                    EngineError::setup(format!(
                        "oracles.capo `{}`: unknown base_feed `{}`",
                        c.name, c.base_feed
                    ))
                })?;
            let snapshot_ts = start - c.snapshot_age_s as i64;
            let ratio = ratio_from_f64(c.ratio);
            let adapter = CapoAdapter::new(
                ratio,
                ratio_from_f64(c.snapshot_ratio),
                snapshot_ts,
                c.max_yearly_growth_bps,
            );
            capos.push(CapoState {
                name: c.name.clone(),
                base,
                adapter,
                initial_ratio: ratio,
            });
        }
        Ok(Self { feeds, capos })
    }

    /// Resolves a price source name.
    pub fn resolve(&self, name: &str) -> Option<PriceRef> {
        if let Some(i) = self.feeds.iter().position(|f| f.name == name) {
            return Some(PriceRef::Feed(i));
        }
        self.capos
            .iter()
            .position(|c| c.name == name)
            .map(PriceRef::Capo)
    }

    /// Lets every feed observe its market path at `now`. Returns whether any answer changed.
    pub fn observe(&mut self, now: i64) -> bool {
        let mut changed = false;
        for f in &mut self.feeds {
            let p = f.path.price_at(now);
            changed |= f.feed.observe(p, now);
        }
        changed
    }

    /// The on-chain answer (8 decimals) of a price source at `now`.
    pub fn answer(&self, r: PriceRef, now: i64) -> u128 {
        match r {
            PriceRef::Feed(i) => self.feeds[i].feed.latest_answer(),
            PriceRef::Capo(i) => {
                let c = &self.capos[i];
                c.adapter
                    .latest_answer(self.feeds[c.base].feed.latest_answer(), now)
            }
        }
    }

    /// The largest backing loss among CAPO adapters, `max(0, 1 − ratio / initial)`.
    pub fn worst_backing_loss(&self, now: i64) -> f64 {
        self.capos
            .iter()
            .map(|c| 1.0 - c.adapter.capped_ratio(now) as f64 / c.initial_ratio.max(1) as f64)
            .fold(0.0, f64::max)
    }

    /// The market USD price of feed `name` at `now` (for gas valuation), if it exists.
    pub fn feed_usd(&self, name: &str) -> Option<f64> {
        self.feeds
            .iter()
            .find(|f| f.name == name)
            .map(|f| answer_to_usd(f.feed.latest_answer()))
    }

    /// Sets a CAPO adapter's exchange ratio. Returns `false` if no such adapter.
    pub fn set_ratio(&mut self, adapter: &str, ratio: f64) -> bool {
        match self.capos.iter_mut().find(|c| c.name == adapter) {
            Some(c) => {
                c.adapter.ratio = ratio_from_f64(ratio);
                true
            }
            None => false,
        }
    }
}
