//! Compound III markets beside the Aave pool (`[[comets]]`): the same world, tokens, feeds,
//! blocks and gas. Each market is the exact Comet of `bankrun_compound::comet_market`
//! (`comet@d5a30b0:contracts/Comet.sol`) wrapped as a world protocol; its starting book is
//! opened at genesis through the world's own calls; a cross-protocol world liquidator
//! (`bankrun_world::agents::Liquidator`) absorbs and buys its collateral; scripted governance
//! pauses it or holds a price constant (`Event::CometPause`, `Event::CometPriceFeed`).
//!
//! The markets read prices from the scenario's feeds, so an exchange-rate cut reaches them
//! through their own oracle, as it reached Compound in April 2026. Their suppliers are passive
//! here (the run on a Comet is not modelled yet); what the summary shows is the market's
//! exposure: utilization and rates after the attacker's borrow, absorbs, reserves and the
//! bad debt its accounts carry at the feeds' prices.

use bankrun_aave::{AssetId, U256, UserId};
use bankrun_chain::units::{tokens_to_units, u256_to_f64, units_to_tokens};
use bankrun_chain::{Holder, TokenId};
use bankrun_compound::comet_market::{AssetConfig, Comet as CometState, CometConfiguration};
use bankrun_metrics::CometSummary;
use bankrun_scenario::{CometMarket, LoadedScenario};
use bankrun_world::agents::Liquidator;
use bankrun_world::protocols::Comet;
use bankrun_world::{Agent, Call, FeedId, Protocol, ProtocolId, Target, World};

use crate::EngineError;
use crate::oracles::Feeds;
use crate::population::Population;
use crate::setup::world_err;

/// Compound's `SECONDS_PER_YEAR` (`CometCore`): per-second rates × this = APR.
const SECONDS_PER_YEAR: f64 = 31_536_000.0;
/// Priority fee of each market's liquidator, gwei (assumption: a competitive searcher's bid,
/// as the default scenario's fast Aave liquidators).
const LIQUIDATOR_PRIORITY_GWEI: f64 = 20.0;

/// A Compound III market as the engine tracks it.
#[derive(Debug, Clone)]
pub struct CometInfo {
    /// Name (`[[comets]] name`).
    pub name: String,
    /// The world's protocol id.
    pub protocol: ProtocolId,
    /// Base asset (reserve id = world token).
    pub base: AssetId,
    /// Collateral assets, by offset, with their feeds.
    pub collateral: Vec<(AssetId, FeedId)>,
    /// The liquidator's account.
    pub liquidator: UserId,
    /// Index of the liquidator among the simulation's world agents.
    pub liquidator_agent: usize,
    /// Run statistics.
    pub track: CometTrack,
}

/// What the recorder keeps of a market over the run.
#[derive(Debug, Clone, Default)]
pub struct CometTrack {
    initial_utilization: f64,
    peak_utilization: f64,
    blocks_at_99: u64,
    peak_borrow_apr: f64,
    peak_supply_apr: f64,
    supplied_start: f64,
    reserves_start: f64,
    start_prices: Vec<f64>,
    price_low: Vec<f64>,
    started: bool,
}

/// Builds the scenario's `[[comets]]` into `chain` after the Aave pool: protocols, feeds,
/// starting positions and liquidators. Returns the liquidators as world agents, in market
/// order (the caller appends them after the population).
///
/// # Errors
/// [`EngineError::Setup`] naming the `[[comets]]` key whose market or position cannot be
/// built (an unknown symbol or feed, a book Comet refuses).
pub(crate) fn build(
    s: &LoadedScenario,
    w: &mut Population,
    chain: &mut World,
    feeds: &Feeds,
    first_agent: usize,
) -> Result<Vec<Box<dyn Agent>>, EngineError> {
    let mut agents: Vec<Box<dyn Agent>> = Vec::new();
    for (k, spec) in s.scenario.comets.iter().enumerate() {
        let key = format!("comets[{k}] `{}`", spec.name);
        let err = |what: String| EngineError::setup(format!("{key}: {what}"));
        let base = w
            .asset_id(&spec.base)
            .ok_or_else(|| err(format!("unknown base `{}`", spec.base)))?;
        let feed = |name: &str| {
            feeds
                .feed_of(name)
                .ok_or_else(|| err(format!("unknown price source `{name}`")))
        };
        let base_feed = feed(&spec.base_price)?;
        let mut collateral = Vec::new();
        for c in &spec.collateral {
            let a = w
                .asset_id(&c.symbol)
                .ok_or_else(|| err(format!("unknown collateral `{}`", c.symbol)))?;
            collateral.push((a, feed(&c.price)?));
        }
        let cfg = configuration(spec, w.assets[base].decimals, |i| {
            w.assets[collateral[i].0].decimals
        });
        let state = CometState::new(&cfg, s.start_unix as u64).map_err(|e| err(e.to_string()))?;
        let tokens = collateral.iter().map(|(a, _)| *a as TokenId).collect();
        let mut comet =
            Comet::new(&spec.name, state, base as TokenId, tokens).map_err(world_err)?;
        let now = s.start_unix as u64;
        let answer = |f: FeedId| chain.view().oracles.answer(f).map_err(world_err);
        comet
            .post_price(base as TokenId, answer(base_feed)?, now)
            .map_err(world_err)?;
        for &(a, f) in &collateral {
            comet
                .post_price(a as TokenId, answer(f)?, now)
                .map_err(world_err)?;
        }
        let id = chain.add_protocol(Box::new(comet));
        let oracles = chain.oracles_mut();
        oracles
            .bind(base_feed, id, base as TokenId)
            .map_err(world_err)?;
        for &(a, f) in &collateral {
            oracles.bind(f, id, a as TokenId).map_err(world_err)?;
        }
        open_book(w, chain, spec, id, (base, &collateral), &err)?;
        let liquidator = w.new_user();
        let capital = tokens_to_units(spec.liquidator_capital, w.assets[base].decimals);
        mint(chain, base, liquidator, capital)?;
        let name = format!("{}-liquidator", spec.name);
        let agent = Liquidator::new(
            &name,
            vec![id],
            base as TokenId,
            capital,
            LIQUIDATOR_PRIORITY_GWEI,
        )
        .from_account(liquidator);
        agents.push(Box::new(agent));
        w.comets.push(CometInfo {
            name: spec.name.clone(),
            protocol: id,
            base,
            collateral,
            liquidator,
            liquidator_agent: first_agent + k,
            track: CometTrack::default(),
        });
    }
    Ok(agents)
}

/// The market's `Configuration` from the scenario's fractions (1e18 mantissas, rounded as
/// the deployment scripts' decimal literals are: `tokens_to_units` at 18 decimals).
fn configuration(
    spec: &CometMarket,
    base_decimals: u8,
    collateral_decimals: impl Fn(usize) -> u8,
) -> CometConfiguration {
    let f = |x: f64| tokens_to_units(x, 18);
    CometConfiguration {
        base_decimals,
        supply_kink: f(spec.supply_kink),
        supply_per_year_interest_rate_slope_low: f(spec.supply_slope_low),
        supply_per_year_interest_rate_slope_high: f(spec.supply_slope_high),
        supply_per_year_interest_rate_base: f(spec.supply_base),
        borrow_kink: f(spec.borrow_kink),
        borrow_per_year_interest_rate_slope_low: f(spec.borrow_slope_low),
        borrow_per_year_interest_rate_slope_high: f(spec.borrow_slope_high),
        borrow_per_year_interest_rate_base: f(spec.borrow_base),
        store_front_price_factor: f(spec.store_front_price_factor),
        base_borrow_min: tokens_to_units(spec.borrow_min, base_decimals),
        target_reserves: tokens_to_units(spec.target_reserves, base_decimals),
        asset_configs: (spec.collateral.iter().enumerate())
            .map(|(i, c)| AssetConfig {
                decimals: collateral_decimals(i),
                borrow_collateral_factor: f(c.borrow_cf),
                liquidate_collateral_factor: f(c.liquidate_cf),
                liquidation_factor: f(c.liquidation_factor),
                supply_cap: tokens_to_units(c.supply_cap, collateral_decimals(i)),
            })
            .collect(),
    }
}

fn mint(chain: &mut World, a: AssetId, to: UserId, amount: U256) -> Result<(), EngineError> {
    if amount.is_zero() {
        return Ok(());
    }
    chain
        .ledger_mut()
        .mint(a as TokenId, Holder::Agent(to), amount)
        .map_err(|e| EngineError::setup(format!("genesis ledger: {e}")))
}

/// Opens the starting book through the market's own calls: one passive supplier of the base,
/// then each book's positions (equal debts, health spread evenly from `hf_min` to `hf_max` at
/// the feeds' starting prices).
fn open_book(
    w: &mut Population,
    chain: &mut World,
    spec: &CometMarket,
    id: ProtocolId,
    (base, collateral): (AssetId, &[(AssetId, FeedId)]),
    err: &dyn Fn(String) -> EngineError,
) -> Result<(), EngineError> {
    let dec = |w: &Population, a: AssetId| w.assets[a].decimals;
    let exec = |chain: &mut World, who: UserId, call: Call, what: &str| {
        chain
            .execute_now(who, Target::Protocol(id), &call)
            .map(|_| ())
            .map_err(|e| err(format!("{what}: {e}")))
    };
    let supplier = w.new_user();
    let supply = tokens_to_units(spec.total_supplied, dec(w, base));
    mint(chain, base, supplier, supply)?;
    let call = Call::Supply {
        token: base as TokenId,
        amount: supply,
    };
    exec(chain, supplier, call, "total_supplied")?;
    let base_usd = price_usd(chain, w.assets[base].feed)?;
    for (j, book) in spec.books.iter().enumerate() {
        let what = format!("books[{j}] `{}`", book.label);
        let Some(i) = spec
            .collateral
            .iter()
            .position(|c| c.symbol == book.collateral)
        else {
            return Err(err(format!(
                "{what}: collateral `{}` not listed",
                book.collateral
            )));
        };
        let (c, feed) = collateral[i];
        let coll_usd = price_usd(chain, feed)?;
        let debt = book.total_debt / f64::from(book.count);
        for n in 0..book.count {
            let hf = book.hf_min
                + (book.hf_max - book.hf_min) * (f64::from(n) + 0.5) / f64::from(book.count);
            let tokens = debt * base_usd * hf / (spec.collateral[i].liquidate_cf * coll_usd);
            let user = w.new_user();
            let amount = tokens_to_units(tokens, dec(w, c));
            mint(chain, c, user, amount)?;
            let supply = Call::Supply {
                token: c as TokenId,
                amount,
            };
            exec(chain, user, supply, &what)?;
            let borrow = Call::Borrow {
                token: base as TokenId,
                amount: tokens_to_units(debt, dec(w, base)),
            };
            exec(chain, user, borrow, &what)?;
        }
    }
    Ok(())
}

fn price_usd(chain: &World, feed: FeedId) -> Result<f64, EngineError> {
    let answer = chain.view().oracles.answer(feed).map_err(world_err)?;
    Ok(bankrun_oracle::answer_to_usd(answer))
}

/// The market `id` of `chain`.
pub(crate) fn market(chain: &World, id: ProtocolId) -> Option<&Comet> {
    chain.protocol(id)?.as_any().downcast_ref::<Comet>()
}

/// Utilization and rates as the market computes them, as fractions.
fn gauges(c: &Comet) -> (f64, f64, f64) {
    let m = c.market();
    let wad = 1e18;
    let u = m.get_utilization().unwrap_or(U256::ZERO);
    let rate = |r: Result<U256, _>| u256_to_f64(r.unwrap_or(U256::ZERO)) / wad * SECONDS_PER_YEAR;
    (
        u256_to_f64(u) / wad,
        rate(m.get_borrow_rate(u)),
        rate(m.get_supply_rate(u)),
    )
}

impl Population {
    /// Records the end-of-block state of every Compound III market of `chain`.
    pub(crate) fn record_comets(&mut self, chain: &World) {
        let now = chain.now();
        for info in &mut self.comets {
            let Some(c) = market(chain, info.protocol) else {
                continue;
            };
            let (u, borrow, supply) = gauges(c);
            let prices: Vec<f64> = (info.collateral.iter())
                .map(|(a, _)| u256_to_f64(c.price(*a as TokenId).unwrap_or(U256::ZERO)))
                .collect();
            let t = &mut info.track;
            if !t.started {
                let dec = self.assets[info.base].decimals;
                let m = c.market();
                t.started = true;
                t.initial_utilization = u;
                t.supplied_start = units_to_tokens(m.total_supply(now).unwrap_or_default(), dec);
                t.reserves_start = signed_tokens(m.get_reserves(now).ok(), dec);
                t.start_prices = prices.clone();
                t.price_low = vec![1.0; prices.len()];
            }
            t.peak_utilization = t.peak_utilization.max(u);
            t.peak_borrow_apr = t.peak_borrow_apr.max(borrow);
            t.peak_supply_apr = t.peak_supply_apr.max(supply);
            if u >= 0.99 {
                t.blocks_at_99 += 1;
            }
            for (low, (p, p0)) in t
                .price_low
                .iter_mut()
                .zip(prices.iter().zip(&t.start_prices))
            {
                if *p0 > 0.0 {
                    *low = low.min(p / p0);
                }
            }
        }
    }

    /// The summaries of the markets at the end of the run; `absorbs[k]` is market `k`'s
    /// liquidator's count.
    pub(crate) fn comet_summaries(&self, chain: &World, absorbs: &[u64]) -> Vec<CometSummary> {
        let now = chain.now();
        let hours_per_block = self.block_time() as f64 / 3600.0;
        let spec = &self.scn.scenario.comets;
        (self.comets.iter().enumerate())
            .filter_map(|(k, info)| {
                let c = market(chain, info.protocol)?;
                let m = c.market();
                let dec = self.assets[info.base].decimals;
                let t = &info.track;
                let (underwater, latent) = self.comet_underwater(chain, info, c);
                Some(CometSummary {
                    name: info.name.clone(),
                    base: self.assets[info.base].symbol.clone(),
                    initial_utilization: t.initial_utilization,
                    peak_utilization: t.peak_utilization,
                    hours_at_or_above_99pct: t.blocks_at_99 as f64 * hours_per_block,
                    peak_borrow_apr: t.peak_borrow_apr,
                    peak_supply_apr: t.peak_supply_apr,
                    supplied_start: t.supplied_start,
                    supplied_end: units_to_tokens(m.total_supply(now).unwrap_or_default(), dec),
                    borrowed_end: units_to_tokens(m.total_borrow(now).unwrap_or_default(), dec),
                    absorbs: absorbs.get(k).copied().unwrap_or(0),
                    reserves_start: t.reserves_start,
                    reserves_end: signed_tokens(m.get_reserves(now).ok(), dec),
                    underwater_accounts_at_end: underwater,
                    latent_bad_debt_usd: latent,
                    collateral_price_low: (spec[k].collateral.iter())
                        .zip(&t.price_low)
                        .map(|(c, low)| (c.symbol.clone(), *low))
                        .collect(),
                })
            })
            .collect()
    }

    /// Accounts of market `c` whose debt exceeds their collateral at the feeds' prices (what
    /// the collateral is worth, whatever price the market holds), and the sum of the excess.
    fn comet_underwater(&self, chain: &World, info: &CometInfo, c: &Comet) -> (u64, f64) {
        let now = chain.now();
        let view = chain.view();
        let usd = |f: FeedId| {
            view.oracles
                .answer(f)
                .map(bankrun_oracle::answer_to_usd)
                .unwrap_or(0.0)
        };
        let base_usd = usd(self.assets[info.base].feed);
        let m = c.market();
        let (mut n, mut sum) = (0u64, 0.0);
        for (&account, a) in &m.accounts {
            if a.principal >= 0 {
                continue;
            }
            let debt = units_to_tokens(
                m.borrow_balance_of(account, now).unwrap_or_default(),
                self.assets[info.base].decimals,
            ) * base_usd;
            let coll: f64 = (info.collateral.iter().enumerate())
                .map(|(i, &(asset, feed))| {
                    let held = m.collateral_balance_of(account, i as u8);
                    units_to_tokens(held, self.assets[asset].decimals) * usd(feed)
                })
                .sum();
            if debt > coll {
                n += 1;
                sum += debt - coll;
            }
        }
        (n, sum)
    }
}

/// A signed base amount (`getReserves`) in whole tokens.
fn signed_tokens(x: Option<bankrun_compound::I256>, decimals: u8) -> f64 {
    let Some(x) = x else { return 0.0 };
    let magnitude = units_to_tokens(x.unsigned_abs(), decimals);
    if x.is_negative() {
        -magnitude
    } else {
        magnitude
    }
}
