//! The scenario's price sources in the world's oracle registry: each push feed reads its
//! market path (`oracles.feeds`, with the path's own interpolation) and publishes as a
//! Chainlink feed; each CAPO adapter (`oracles.capo`) reads its exchange-ratio path (the
//! starting ratio, then the ratio of each `exchange_rate` event from its time) over its base
//! feed (reference/protocol-math.md §6, CAPO `PriceCapAdapterBase`).

use std::collections::BTreeMap;

use bankrun_chain::prices::PricePath;
use bankrun_oracle::ratio_from_f64;
use bankrun_scenario::{Event, LoadedScenario};
use bankrun_world::{FeedId, Publisher, Source};

use crate::EngineError;
use crate::population::CapoSignal;
use crate::setup::world_err;

/// The registered feeds, by scenario name.
#[derive(Debug, Clone, Default)]
pub struct Feeds {
    /// Feed and adapter names, in registration order, with their ids.
    pub names: Vec<(String, FeedId)>,
    /// CAPO adapters with their starting ratio.
    pub capos: Vec<CapoSignal>,
}

impl Feeds {
    /// The feed or adapter named `name`.
    pub fn feed_of(&self, name: &str) -> Option<FeedId> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }
}

/// Registers the scenario's feeds and adapters, and publishes their first answers at the
/// scenario start (block 0).
///
/// # Errors
/// [`EngineError::Setup`] naming the key: a feed without a path, an adapter on an unknown
/// base feed, or a path with no price at the start.
pub fn register(
    s: &LoadedScenario,
    chain: &mut bankrun_world::World,
) -> Result<Feeds, EngineError> {
    let mut feeds = Feeds::default();
    let reg = chain.oracles_mut();
    for f in &s.scenario.oracles.feeds {
        let path = s.feeds.get(&f.name).cloned().ok_or_else(|| {
            EngineError::setup(format!("oracles.feeds: no price path for `{}`", f.name))
        })?;
        let publisher = Publisher::Push {
            deviation_bps: f.deviation_bps,
            heartbeat_s: f.heartbeat_s,
        };
        let id = reg
            .add_feed(&f.name, Source::Path(path), publisher)
            .map_err(|e| EngineError::setup(format!("oracles.feeds `{}`: {e}", f.name)))?;
        feeds.names.push((f.name.clone(), id));
    }
    for c in &s.scenario.oracles.capo {
        let base = feeds.feed_of(&c.base_feed).ok_or_else(|| {
            EngineError::setup(format!(
                "oracles.capo `{}`: unknown base_feed `{}`",
                c.name, c.base_feed
            ))
        })?;
        let publisher = Publisher::Capo {
            base,
            snapshot_ratio: ratio_from_f64(c.snapshot_ratio),
            snapshot_ts: s.start_unix - c.snapshot_age_s as i64,
            max_yearly_growth_bps: c.max_yearly_growth_bps,
        };
        let path = ratio_path(s, &c.name, c.ratio)?;
        let id = reg
            .add_feed(&c.name, Source::Path(path), publisher)
            .map_err(|e| EngineError::setup(format!("oracles.capo `{}`: {e}", c.name)))?;
        feeds.names.push((c.name.clone(), id));
        feeds.capos.push(CapoSignal {
            feed: id,
            initial_ratio: ratio_from_f64(c.ratio),
            asset: None,
        });
    }
    chain.publish_oracles().map_err(world_err)?;
    Ok(feeds)
}

/// An adapter's exchange ratio over time: `ratio` from the start, then each `exchange_rate`
/// event's ratio from its time (a later event at the same time wins), held until the next.
fn ratio_path(s: &LoadedScenario, adapter: &str, ratio: f64) -> Result<PricePath, EngineError> {
    let mut points = BTreeMap::from([(s.start_unix, ratio)]);
    for (i, e) in s.scenario.events.iter().enumerate() {
        if let Event::ExchangeRate {
            adapter: a, ratio, ..
        } = e
            && a == adapter
        {
            points.insert(s.event_at[i].max(s.start_unix), *ratio);
        }
    }
    let source = Source::steps(adapter, points.into_iter().collect())
        .map_err(|e| EngineError::setup(format!("events.exchange_rate `{adapter}`: {e}")))?;
    match source {
        Source::Path(p) => Ok(p),
        _ => Err(EngineError::setup(format!(
            "oracles.capo `{adapter}`: not a path"
        ))),
    }
}
