//! The one oracle registry of the world.
//!
//! A feed reads a [`Source`]: an exogenous USD path, or a venue's price (times the USD price of
//! the venue's quote token, from another feed), so that a liquidation's sale on a venue moves
//! the price that every protocol bound to that feed reads. A [`Publisher`] decides when the
//! on-chain answer changes: at once, or as a Chainlink push feed (deviation threshold and
//! heartbeat; reference/protocol-math.md §6 "Chainlink push feeds"). Answers are USD with 8
//! decimals, as `AaveOracle.getAssetPrice` returns. A CAPO publisher (Aave's correlated-asset
//! adapter) multiplies another feed's answer by its source's exchange ratio under a growth cap;
//! an OSM publisher (Maker's Oracle Security Module) releases its source one hop late. Each
//! published answer is posted to every protocol bound to the feed through that protocol's own
//! oracle function.

use bankrun_chain::TokenId;
use bankrun_chain::prices::{Interpolation, PricePath};
use bankrun_maker::U256;
use bankrun_maker::osm::Osm;
use bankrun_oracle::{CapoAdapter, PushFeed, ratio_from_f64, usd_to_answer};

use crate::call::{FeedId, ProtocolId, VenueId};
use crate::error::WorldError;
use crate::venue::Venue;

/// Where a feed reads its market price.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// An exogenous path (USD, or an exchange ratio for a CAPO feed), read with its own
    /// interpolation ([`PricePath::price_at`]: step or linear); a path starting after `t` has
    /// no price at `t`.
    Path(PricePath),
    /// The marginal price of `token` on `venue` in `quote_token`, times the USD price of
    /// `quote_token` from feed `quote_feed` (an earlier feed), or 1 without one.
    Venue {
        /// Venue read.
        venue: VenueId,
        /// Token priced.
        token: TokenId,
        /// Token it is priced in.
        quote_token: TokenId,
        /// Feed of the quote token's USD price.
        quote_feed: Option<FeedId>,
    },
    /// The last answer published by an earlier feed (Maker's OSM reads the Medianizer).
    Feed(FeedId),
}

impl Source {
    /// A path holding each `(unix seconds, value)` point until the next (a step path).
    ///
    /// # Errors
    /// [`WorldError::NoPrice`] for no points, times not strictly increasing, or a non-finite or
    /// non-positive value.
    pub fn steps(name: &str, points: Vec<(i64, f64)>) -> Result<Source, WorldError> {
        let path = PricePath::from_points(points).map_err(|e| no_price(name, &e))?;
        Ok(Source::Path(path.with_interpolation(Interpolation::Step)))
    }
}

/// When the on-chain answer changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Publisher {
    /// Every block (an exchange-rate or market-price read in the same transaction).
    Direct,
    /// A Chainlink push feed: a new round when the price moves by `deviation_bps` from the last
    /// answer or `heartbeat_s` has passed.
    Push {
        /// Deviation threshold, bps.
        deviation_bps: u32,
        /// Heartbeat, seconds.
        heartbeat_s: u64,
    },
    /// Aave CAPO (`PriceCapAdapterBase.latestAnswer`): the source is an exchange ratio
    /// (`LRTOracle.rsETHPrice`, `stETH.getPooledEthByShares`, as a number like 1.05); the
    /// answer is `base`'s answer × the ratio capped at `snapshot_ratio` grown by
    /// `max_yearly_growth_bps` a year since `snapshot_ts`.
    Capo {
        /// Feed of the base asset (ETH/USD), an earlier feed.
        base: FeedId,
        /// Snapshot ratio (18 decimals).
        snapshot_ratio: u128,
        /// Snapshot time, unix seconds.
        snapshot_ts: i64,
        /// Maximum yearly ratio growth, bps.
        max_yearly_growth_bps: u32,
    },
    /// Maker's OSM (`OSM.poke`, `peek`): the answer released is the source price read one hop
    /// earlier; the registry pokes at the first block of each hop.
    Osm {
        /// `hop`, seconds.
        hop_s: u64,
        /// Start as if the first price read had been poked for the two hops before
        /// (assumption of a steady price before the window), so an answer is released at
        /// once; otherwise the first answer comes one hop after the first poke.
        warm: bool,
    },
}

/// Publisher state.
#[derive(Debug, Clone)]
enum State {
    Fresh,
    Push(PushFeed),
    Osm(Osm),
}

/// A feed's state.
#[derive(Debug, Clone)]
struct Feed {
    name: String,
    source: Source,
    publisher: Publisher,
    state: State,
    /// Last published answer, USD·1e8 (0 before the first).
    answer: u128,
    /// Last market price read, USD.
    market: f64,
}

/// A feed answer published in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Feed.
    pub feed: FeedId,
    /// New answer, USD·1e8.
    pub answer: u128,
}

/// The feeds, and which protocol reads which feed for which token.
#[derive(Debug, Clone, Default)]
pub struct OracleRegistry {
    feeds: Vec<Feed>,
    bindings: Vec<(FeedId, ProtocolId, TokenId)>,
    /// On-chain posts of the last update (push rounds, OSM pokes).
    posts: u64,
}

impl OracleRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a feed; returns its id.
    ///
    /// # Errors
    /// [`WorldError::Unknown`] if a venue source names a quote feed that is not an earlier
    /// feed (feeds are evaluated in id order); [`WorldError::NoPrice`] for a path with no
    /// points or a non-finite / non-positive price.
    pub fn add_feed(
        &mut self,
        name: &str,
        source: Source,
        publisher: Publisher,
    ) -> Result<FeedId, WorldError> {
        let id = self.feeds.len() as FeedId;
        if let Publisher::Capo { base, .. } = &publisher
            && *base >= id
        {
            return Err(WorldError::Unknown {
                kind: "base feed",
                id: *base,
            });
        }
        match &source {
            Source::Venue {
                quote_feed: Some(q),
                ..
            }
            | Source::Feed(q)
                if *q >= id =>
            {
                return Err(WorldError::Unknown {
                    kind: "quote feed",
                    id: *q,
                });
            }
            Source::Path(path) if path.points().is_empty() => {
                return Err(no_price(name, "the path has no points"));
            }
            Source::Path(path)
                if path
                    .points()
                    .iter()
                    .any(|(_, p)| !(p.is_finite() && *p > 0.0)) =>
            {
                return Err(no_price(
                    name,
                    "the path has a non-finite or non-positive price",
                ));
            }
            _ => {}
        }
        self.feeds.push(Feed {
            name: name.to_string(),
            source,
            publisher,
            state: State::Fresh,
            answer: 0,
            market: f64::NAN,
        });
        Ok(id)
    }

    /// Makes `protocol` read `feed` as the price of `token`.
    ///
    /// # Errors
    /// [`WorldError::Unknown`] for an unknown feed.
    pub fn bind(
        &mut self,
        feed: FeedId,
        protocol: ProtocolId,
        token: TokenId,
    ) -> Result<(), WorldError> {
        self.feed(feed)?;
        self.bindings.push((feed, protocol, token));
        Ok(())
    }

    /// `(protocol, token)` pairs bound to `feed`, in binding order.
    pub fn readers(&self, feed: FeedId) -> impl Iterator<Item = (ProtocolId, TokenId)> + '_ {
        self.bindings
            .iter()
            .filter(move |(f, _, _)| *f == feed)
            .map(|(_, p, t)| (*p, *t))
    }

    /// Last published answer of `feed`, USD·1e8.
    ///
    /// # Errors
    /// [`WorldError::Unknown`]; [`WorldError::NoPrice`] before the first answer.
    pub fn answer(&self, feed: FeedId) -> Result<u128, WorldError> {
        let f = self.feed(feed)?;
        if f.answer == 0 {
            return Err(no_price(&f.name, "no answer published yet"));
        }
        Ok(f.answer)
    }

    /// The exchange ratio a CAPO feed applies at `now` (18 decimals): its source ratio capped
    /// at the snapshot ratio grown by the maximum yearly growth (`PriceCapAdapterBase.
    /// getRatio` capped as in `latestAnswer`).
    ///
    /// # Errors
    /// [`WorldError::Unknown`]; [`WorldError::Unsupported`] for a feed that is not a CAPO.
    pub fn capped_ratio(&self, feed: FeedId, now: i64) -> Result<u128, WorldError> {
        let f = self.feed(feed)?;
        let Publisher::Capo {
            snapshot_ratio,
            snapshot_ts,
            max_yearly_growth_bps,
            ..
        } = f.publisher
        else {
            return Err(WorldError::Unsupported {
                target: f.name.clone(),
                what: "a capped ratio (not a CAPO feed)".into(),
            });
        };
        let adapter = CapoAdapter::new(
            ratio_from_f64(f.market),
            snapshot_ratio,
            snapshot_ts,
            max_yearly_growth_bps,
        );
        Ok(adapter.capped_ratio(now))
    }

    /// The id of the feed named `name`.
    pub fn id_of(&self, name: &str) -> Option<FeedId> {
        self.feeds
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as FeedId)
    }

    /// Last market price `feed` read, USD (NaN before the first read).
    ///
    /// # Errors
    /// [`WorldError::Unknown`].
    pub fn market(&self, feed: FeedId) -> Result<f64, WorldError> {
        Ok(self.feed(feed)?.market)
    }

    /// Number of on-chain oracle transactions of the last [`OracleRegistry::update`]: push
    /// rounds (deviation or heartbeat, even when the rounded answer is unchanged) and OSM
    /// pokes; direct reads and CAPO adapters are reads, not transactions.
    pub fn last_posts(&self) -> u64 {
        self.posts
    }

    /// Number of feeds.
    pub fn len(&self) -> usize {
        self.feeds.len()
    }

    /// Whether there are no feeds.
    pub fn is_empty(&self) -> bool {
        self.feeds.is_empty()
    }

    /// Reads every feed's source at `now` (in id order) and returns the answers published.
    ///
    /// # Errors
    /// [`WorldError::NoPrice`] when a source has no price (never read as zero).
    pub fn update(
        &mut self,
        now: i64,
        venues: &[Box<dyn Venue>],
    ) -> Result<Vec<Published>, WorldError> {
        let mut out = Vec::new();
        self.posts = 0;
        for id in 0..self.feeds.len() {
            let market = self.read(id, now, venues)?;
            self.feeds[id].market = market;
            let answer = self.publish(id, market, now)?;
            let f = &mut self.feeds[id];
            if let Some(answer) = answer.filter(|a| *a != f.answer) {
                if answer == 0 {
                    return Err(no_price(&f.name, "the price rounds to 0 at 8 decimals"));
                }
                f.answer = answer;
                out.push(Published {
                    feed: id as FeedId,
                    answer,
                });
            }
        }
        Ok(out)
    }

    /// The answer feed `id` publishes at `now` for the source value `market`, if any.
    fn publish(&mut self, id: usize, market: f64, now: i64) -> Result<Option<u128>, WorldError> {
        let base_answer = match self.feeds[id].publisher {
            Publisher::Capo { base, .. } => self.feeds[base as usize].answer,
            _ => 0,
        };
        let f = &mut self.feeds[id];
        Ok(match (&f.publisher, &mut f.state) {
            (Publisher::Direct, _) => Some(usd_to_answer(market)),
            (Publisher::Push { .. }, State::Push(p)) => {
                let posted = p.observe(market, now);
                self.posts += u64::from(posted);
                posted.then(|| p.latest_answer())
            }
            (
                Publisher::Push {
                    deviation_bps,
                    heartbeat_s,
                },
                _,
            ) => {
                let p = PushFeed::new(*deviation_bps, *heartbeat_s, market, now);
                let a = p.latest_answer();
                f.state = State::Push(p);
                Some(a)
            }
            (
                Publisher::Capo {
                    snapshot_ratio,
                    snapshot_ts,
                    max_yearly_growth_bps,
                    ..
                },
                _,
            ) => {
                let adapter = CapoAdapter::new(
                    ratio_from_f64(market),
                    *snapshot_ratio,
                    *snapshot_ts,
                    *max_yearly_growth_bps,
                );
                Some(adapter.latest_answer(base_answer, now))
            }
            (Publisher::Osm { hop_s, warm }, state) => {
                let (hop, warm) = (*hop_s, *warm);
                let name = f.name.clone();
                let (poked, answer) =
                    osm_poke(state, hop, warm, market, now).map_err(|e| no_price(&name, &e))?;
                self.posts += u64::from(poked);
                answer
            }
        })
    }

    fn feed(&self, id: FeedId) -> Result<&Feed, WorldError> {
        self.feeds
            .get(id as usize)
            .ok_or(WorldError::Unknown { kind: "feed", id })
    }

    /// The market price of feed `id` at `now`, USD.
    fn read(&self, id: usize, now: i64, venues: &[Box<dyn Venue>]) -> Result<f64, WorldError> {
        let f = &self.feeds[id];
        match &f.source {
            Source::Path(path) => {
                if now < path.range().0 {
                    return Err(no_price(&f.name, &format!("the path starts after {now}")));
                }
                Ok(path.price_at(now))
            }
            Source::Venue {
                venue,
                token,
                quote_token,
                quote_feed,
            } => {
                let v = venues.get(*venue as usize).ok_or(WorldError::Unknown {
                    kind: "venue",
                    id: *venue,
                })?;
                let in_quote = v.price(*token, *quote_token)?;
                let quote_usd = match quote_feed {
                    Some(q) => self.feeds[*q as usize].market,
                    None => 1.0,
                };
                let usd = in_quote * quote_usd;
                if !(usd.is_finite() && usd > 0.0) {
                    return Err(no_price(&f.name, &format!("venue price {usd}")));
                }
                Ok(usd)
            }
            Source::Feed(q) => {
                let answer = self.feeds[*q as usize].answer;
                if answer == 0 {
                    return Err(no_price(&f.name, "its source feed has no answer yet"));
                }
                Ok(answer as f64 / 1e8)
            }
        }
    }
}

fn no_price(feed: &str, why: &str) -> WorldError {
    WorldError::NoPrice {
        feed: feed.to_string(),
        why: why.to_string(),
    }
}

/// Pokes the OSM at the first block of each hop with the source price (wad); returns whether
/// it poked and the released (`peek`) value in 8 decimals once it has one. A `warm` OSM is
/// first poked with the same price for the two hops before `now`.
fn osm_poke(
    state: &mut State,
    hop: u64,
    warm: bool,
    market_usd: f64,
    now: i64,
) -> Result<(bool, Option<u128>), String> {
    let now = u64::try_from(now).map_err(|_| format!("time {now} before 1970"))?;
    let wad = U256::from(usd_to_answer(market_usd)) * U256::from(10_000_000_000u64);
    if !matches!(state, State::Osm(_)) {
        let mut osm = Osm::default();
        osm.step(hop).map_err(|e| format!("{e:?}"))?;
        if warm {
            let before = now.checked_sub(2 * hop).ok_or("warm-up before 1970")?;
            osm.poke(before, wad, true)
                .and_then(|()| osm.poke(before + hop, wad, true))
                .map_err(|e| format!("{e:?}"))?;
        }
        *state = State::Osm(osm);
    }
    let State::Osm(osm) = state else {
        return Err("OSM state lost".into());
    };
    let poked = osm.pass(now);
    if poked {
        osm.poke(now, wad, true).map_err(|e| format!("{e:?}"))?;
    }
    let (val, has) = osm.peek();
    if !has {
        return Ok((poked, None));
    }
    let answer = val / U256::from(10_000_000_000u64);
    Ok((
        poked,
        Some(
            answer
                .try_into()
                .map_err(|_| "OSM value above u128".to_string())?,
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(points: &[(i64, f64)]) -> Source {
        Source::steps("test", points.to_vec()).unwrap()
    }

    #[test]
    fn push_feed_publishes_on_deviation_only() {
        let mut r = OracleRegistry::new();
        let push = Publisher::Push {
            deviation_bps: 100,
            heartbeat_s: 86_400,
        };
        let f = r
            .add_feed("x", path(&[(0, 100.0), (10, 100.5), (20, 98.0)]), push)
            .unwrap();
        assert_eq!(r.update(0, &[]).unwrap().len(), 1);
        assert!(
            r.update(10, &[]).unwrap().is_empty(),
            "0.5 % < 1 % threshold"
        );
        assert_eq!(r.answer(f).unwrap(), 100 * 100_000_000);
        assert_eq!(r.update(20, &[]).unwrap()[0].answer, 98 * 100_000_000);
    }

    #[test]
    fn osm_releases_one_hop_late() {
        let t0 = 1_700_000_400;
        let mut r = OracleRegistry::new();
        let f = r
            .add_feed(
                "eth-osm",
                path(&[(t0, 200.0), (t0 + 3600, 150.0)]),
                Publisher::Osm {
                    hop_s: 3600,
                    warm: false,
                },
            )
            .unwrap();
        r.update(t0, &[]).unwrap();
        assert!(
            r.answer(f).is_err(),
            "nothing released before the first hop"
        );
        r.update(t0 + 1800, &[]).unwrap();
        assert!(r.answer(f).is_err(), "no poke within the hop");
        r.update(t0 + 3600, &[]).unwrap();
        assert_eq!(
            r.answer(f).unwrap(),
            200 * 100_000_000,
            "the $150 waits a hop"
        );
        r.update(t0 + 7200, &[]).unwrap();
        assert_eq!(r.answer(f).unwrap(), 150 * 100_000_000);
    }

    #[test]
    fn capo_caps_the_ratio_growth() {
        let mut r = OracleRegistry::new();
        let eth = r
            .add_feed("eth", path(&[(0, 2000.0)]), Publisher::Direct)
            .unwrap();
        let capo = Publisher::Capo {
            base: eth,
            snapshot_ratio: 1_000_000_000_000_000_000,
            snapshot_ts: 0,
            max_yearly_growth_bps: 1000,
        };
        // The ratio jumps to 1.5 at once: capped at 1.0 (no time has passed).
        let lst = r.add_feed("lst", path(&[(0, 1.5)]), capo).unwrap();
        r.update(0, &[]).unwrap();
        assert_eq!(r.answer(lst).unwrap(), 2000 * 100_000_000);
        // A haircut below the cap passes through.
        let mut r2 = r.clone();
        r2.feeds[lst as usize].source = path(&[(0, 0.9)]);
        r2.update(1, &[]).unwrap();
        assert_eq!(r2.answer(lst).unwrap(), 1800 * 100_000_000);
    }

    #[test]
    fn missing_prices_are_errors_not_zero() {
        let mut r = OracleRegistry::new();
        r.add_feed("late", path(&[(100, 1.0)]), Publisher::Direct)
            .unwrap();
        assert!(matches!(r.update(0, &[]), Err(WorldError::NoPrice { .. })));
        assert!(matches!(
            Source::steps("bad", vec![(0, f64::NAN)]),
            Err(WorldError::NoPrice { .. })
        ));
        let forward = Source::Venue {
            venue: 0,
            token: 0,
            quote_token: 1,
            quote_feed: Some(5),
        };
        assert!(r.add_feed("fwd", forward, Publisher::Direct).is_err());
        assert!(matches!(
            r.update(200, &[]),
            Ok(v) if v.len() == 1
        ));
    }
}
