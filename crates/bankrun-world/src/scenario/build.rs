//! From a [`WorldSpec`] to a [`World`] with its agents: every reference resolved by name or
//! symbol, every value checked, every error located in the scenario file.

use std::collections::BTreeMap;

use bankrun_aave::{InterestRateData, Pool, ProtocolVersion, ReserveConfig, U256};
use bankrun_chain::Holder;
use bankrun_chain::units::tokens_to_units;
use bankrun_compound::{
    CToken, Comptroller, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig,
};
use bankrun_scenario::{PathStep, ScenarioError, error_at};

use super::spec::{
    AgentSpec, CompoundMarket, FeedSpec, IssuerProtocol, PositionSpec, ProtocolSpec,
    RedemptionArbitrageurAgent, VenueSpec, WorldSpec,
};
use crate::agent::Agent;
use crate::agents::{
    Liquidator, Passive, RedemptionArbitrageur, RedemptionArbitrageurSpec, ScriptedTrade,
};
use crate::call::{AgentId, Call, GasSchedule, Target};
use crate::oracle::{Publisher, Source};
use crate::protocol::Protocol;
use crate::protocols::{AaveV3, CompoundV2, Issuer, IssuerSpec, Rails};
use crate::venues::UniswapV2;
use crate::world::{ChainConfig, World};
use bankrun_chain::prices::PricePath;

/// Most blocks a scenario may run (about 4 years of 12-second blocks).
pub const MAX_BLOCKS: u64 = 10_000_000;
/// Most agents a scenario may hold.
pub const MAX_AGENTS: u64 = 1_000_000;

/// A path into the scenario file, for errors.
#[derive(Clone, Default)]
pub(crate) struct At(Vec<PathStep>);

impl At {
    pub(crate) fn k(&self, key: &str) -> At {
        let mut v = self.0.clone();
        v.push(PathStep::Key(key.to_string()));
        At(v)
    }
    pub(crate) fn i(&self, i: usize) -> At {
        let mut v = self.0.clone();
        v.push(PathStep::Index(i));
        At(v)
    }
}

/// The scenario text and name, to locate errors.
pub(crate) struct Src<'a> {
    pub(crate) text: &'a str,
    pub(crate) origin: &'a str,
}

impl Src<'_> {
    pub(crate) fn err(
        &self,
        at: &At,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ScenarioError {
        error_at(self.text, self.origin, &at.0, expected, found)
    }
}

/// Names resolved to ids.
struct Names {
    tokens: BTreeMap<String, (u32, u8)>,
    protocols: BTreeMap<String, u32>,
    venues: BTreeMap<String, u32>,
    /// Agent name (passive groups: the prefix) → (first id, count, passive).
    agents: BTreeMap<String, (u32, u32, bool)>,
}

impl Names {
    fn token(&self, src: &Src<'_>, at: &At, sym: &str) -> Result<(u32, u8), ScenarioError> {
        self.tokens.get(sym).copied().ok_or_else(|| {
            src.err(
                at,
                format!("a token of [[tokens]] ({})", keys(&self.tokens)),
                format!("`{sym}`"),
            )
        })
    }
    fn protocol(&self, src: &Src<'_>, at: &At, name: &str) -> Result<u32, ScenarioError> {
        self.protocols.get(name).copied().ok_or_else(|| {
            src.err(
                at,
                format!("a protocol of [[protocols]] ({})", keys(&self.protocols)),
                format!("`{name}`"),
            )
        })
    }
    fn venue(&self, src: &Src<'_>, at: &At, name: &str) -> Result<u32, ScenarioError> {
        self.venues.get(name).copied().ok_or_else(|| {
            src.err(
                at,
                format!("a venue of [[venues]] ({})", keys(&self.venues)),
                format!("`{name}`"),
            )
        })
    }
}

fn keys<V>(m: &BTreeMap<String, V>) -> String {
    m.keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts `name` into `map`, or fails naming the duplicate.
fn unique<V>(
    map: &mut BTreeMap<String, V>,
    name: &str,
    v: V,
    src: &Src<'_>,
    at: &At,
) -> Result<(), ScenarioError> {
    if map.insert(name.to_string(), v).is_some() {
        return Err(src.err(at, "a name used once", format!("`{name}` again")));
    }
    Ok(())
}

/// A finite number in `[lo, hi]`.
fn within(src: &Src<'_>, at: &At, x: f64, lo: f64, hi: f64) -> Result<f64, ScenarioError> {
    if x.is_finite() && x >= lo && x <= hi {
        Ok(x)
    } else {
        Err(src.err(
            at,
            format!("a finite number in [{lo}, {hi}]"),
            format!("{x}"),
        ))
    }
}

/// A mantissa (1e18 scale) of a fraction, exact for the decimal as written.
fn mantissa(x: f64) -> U256 {
    tokens_to_units(x, 18)
}

/// A built world: the world, its agents in acting order, and the blocks to run.
pub(crate) type Built = (World, Vec<Box<dyn Agent>>, u64);

/// Builds the world and its agents.
///
/// # Errors
/// The first bad value or reference, located in the file.
pub(crate) fn build(spec: &WorldSpec, src: &Src<'_>) -> Result<Built, ScenarioError> {
    let root = At::default();
    let h = &spec.scenario;
    if h.engine != "world" {
        return Err(src.err(
            &root.k("scenario").k("engine"),
            "\"world\"",
            format!("{:?}", h.engine),
        ));
    }
    let start = bankrun_chain::time::parse_time(&h.start)
        .map_err(|e| src.err(&root.k("scenario").k("start"), "an RFC 3339 UTC time", e))?;
    let start = u64::try_from(start).map_err(|_| {
        src.err(
            &root.k("scenario").k("start"),
            "a time after 1970",
            &h.start,
        )
    })?;
    if h.blocks == 0 || h.blocks > MAX_BLOCKS {
        return Err(src.err(
            &root.k("scenario").k("blocks"),
            format!("1 to {MAX_BLOCKS} blocks"),
            h.blocks.to_string(),
        ));
    }
    for (i, a) in spec.agents.iter().enumerate() {
        // Blocks run 1..=blocks: a trade scheduled later would silently never happen.
        if let AgentSpec::ScriptedTrade { at_block, .. } = a
            && *at_block > h.blocks
        {
            return Err(src.err(
                &root.k("agents").i(i).k("at_block"),
                format!("a block of the run (1 to {})", h.blocks),
                at_block.to_string(),
            ));
        }
    }
    let c = &spec.chain;
    if c.block_time_s == 0 || c.block_gas == 0 {
        return Err(src.err(&root.k("chain"), "a positive block time and block gas", "0"));
    }
    let cfg = ChainConfig {
        start,
        block_time_s: c.block_time_s,
        block_gas: c.block_gas,
        gas: GasSchedule::default(),
    };
    let mut world = World::new(cfg, h.seed);
    let mut names = Names {
        tokens: BTreeMap::new(),
        protocols: BTreeMap::new(),
        venues: BTreeMap::new(),
        agents: BTreeMap::new(),
    };
    for (i, t) in spec.tokens.iter().enumerate() {
        let at = root.k("tokens").i(i);
        if t.decimals > 36 {
            return Err(src.err(
                &at.k("decimals"),
                "at most 36 decimals",
                t.decimals.to_string(),
            ));
        }
        unique(
            &mut names.tokens,
            &t.symbol,
            (i as u32, t.decimals),
            src,
            &at.k("symbol"),
        )?;
    }
    for (i, p) in spec.protocols.iter().enumerate() {
        let at = root.k("protocols").i(i);
        let proto = protocol(p, &names, src, &at, start)?;
        unique(&mut names.protocols, p.name(), i as u32, src, &at.k("name"))?;
        let id = world.add_protocol(proto);
        if let ProtocolSpec::Issuer(s) = p {
            // The issuer's reserve: the backing it pays redemptions from.
            let (backing, d) = names.token(src, &at.k("backing"), &s.backing)?;
            let reserve = within(src, &at.k("reserve"), s.reserve, 0.0, 1e15)?;
            world
                .ledger_mut()
                .mint(backing, Holder::Protocol(id), tokens_to_units(reserve, d))
                .map_err(|e| {
                    src.err(
                        &at.k("reserve"),
                        "an amount the token supply can hold",
                        e.to_string(),
                    )
                })?;
        }
    }
    for (i, v) in spec.venues.iter().enumerate() {
        let at = root.k("venues").i(i);
        unique(&mut names.venues, v.name(), i as u32, src, &at.k("name"))?;
        venue(&mut world, v, &names, src, &at, i as u32)?;
    }
    feeds(&mut world, &spec.feeds, &names, src)?;
    let agents = agents(&mut world, &spec.agents, &mut names, src)?;
    positions(&mut world, &spec.positions, &names, src)?;
    Ok((world, agents, h.blocks))
}

fn protocol(
    p: &ProtocolSpec,
    names: &Names,
    src: &Src<'_>,
    at: &At,
    start: u64,
) -> Result<Box<dyn Protocol>, ScenarioError> {
    match p {
        ProtocolSpec::AaveV3 {
            name,
            version,
            reserves,
        } => {
            let v = match version.as_str() {
                "3.0" => ProtocolVersion::V3_0,
                "3.6" => ProtocolVersion::V3_6,
                other => {
                    return Err(src.err(
                        &at.k("version"),
                        "\"3.0\" or \"3.6\"",
                        format!("{other:?}"),
                    ));
                }
            };
            let mut pool = Pool::new(v, start);
            let mut tokens = Vec::new();
            for (j, r) in reserves.iter().enumerate() {
                let rat = at.k("reserves").i(j);
                let (token, decimals) = names.token(src, &rat.k("token"), &r.token)?;
                let cfg = ReserveConfig {
                    symbol: r.token.clone(),
                    decimals,
                    ltv: r.ltv_bps,
                    liquidation_threshold: r.liquidation_threshold_bps,
                    liquidation_bonus: r.liquidation_bonus_bps,
                    reserve_factor: r.reserve_factor_bps,
                    liquidation_protocol_fee: r.liquidation_protocol_fee_bps,
                    supply_cap: 0,
                    borrow_cap: 0,
                    borrowing_enabled: true,
                    frozen: false,
                    paused: false,
                    rate: InterestRateData {
                        optimal_usage_ratio: r.optimal_usage_ratio_bps,
                        base_variable_borrow_rate: r.base_variable_borrow_rate_bps,
                        variable_rate_slope1: r.variable_rate_slope1_bps,
                        variable_rate_slope2: r.variable_rate_slope2_bps,
                    },
                };
                pool.init_reserve(start, cfg).map_err(|e| {
                    src.err(
                        &rat,
                        "a reserve the PoolConfigurator accepts",
                        format!("{e:?}"),
                    )
                })?;
                tokens.push(token);
            }
            let w = AaveV3::new(name, pool, tokens)
                .map_err(|e| src.err(at, "a valid pool", e.to_string()))?;
            Ok(Box::new(w))
        }
        ProtocolSpec::CompoundV2 {
            name,
            close_factor,
            liquidation_incentive,
            markets,
        } => {
            within(src, &at.k("close_factor"), *close_factor, 0.05, 0.9)?;
            within(
                src,
                &at.k("liquidation_incentive"),
                *liquidation_incentive,
                1.0,
                1.5,
            )?;
            let mut oracle = PriceOracle::new(mantissa(0.15));
            let mut parts = Vec::new();
            for (j, m) in markets.iter().enumerate() {
                let mat = at.k("markets").i(j);
                let (token, decimals) = names.token(src, &mat.k("token"), &m.token)?;
                let base_unit = U256::from(10u8).pow(U256::from(decimals));
                let source = match m.fixed_usd {
                    Some(p) => PriceSource::FixedUsd(tokens_to_units(
                        within(src, &mat.k("fixed_usd"), p, 1e-6, 1e9)?,
                        6,
                    )),
                    None => PriceSource::Reporter,
                };
                oracle.push(TokenConfig { base_unit, source });
                parts.push((token, decimals, m, mat));
            }
            let mut c = Comptroller::new(
                mantissa(*close_factor),
                mantissa(*liquidation_incentive),
                oracle,
            );
            let mut tokens = Vec::new();
            for (token, decimals, m, mat) in parts {
                let ctoken = ctoken(m, decimals, src, &mat)?;
                c.support_market(
                    ctoken,
                    mantissa(within(
                        src,
                        &mat.k("collateral_factor"),
                        m.collateral_factor,
                        0.0,
                        0.9,
                    )?),
                );
                tokens.push(token);
            }
            let w = CompoundV2::new(name, c, tokens)
                .map_err(|e| src.err(at, "a valid Comptroller", e.to_string()))?;
            Ok(Box::new(w))
        }
        ProtocolSpec::Issuer(i) => Ok(Box::new(issuer(i, names, src, at)?)),
    }
}

/// An issuer (`kind = "issuer"`), its values checked.
fn issuer(
    i: &IssuerProtocol,
    names: &Names,
    src: &Src<'_>,
    at: &At,
) -> Result<Issuer, ScenarioError> {
    let token = names.token(src, &at.k("token"), &i.token)?;
    let backing = names.token(src, &at.k("backing"), &i.backing)?;
    if token.0 == backing.0 {
        return Err(src.err(&at.k("backing"), "a token other than `token`", &i.backing));
    }
    let fee = |key: &str, x: f64| within(src, &at.k(key), x, 0.0, 0.5).map(mantissa);
    let mut rails = match i.rails.as_str() {
        "always" => Rails::always(),
        "weekdays" => Rails::weekdays(),
        other => {
            return Err(src.err(
                &at.k("rails"),
                "\"always\" or \"weekdays\"",
                format!("{other:?}"),
            ));
        }
    };
    if i.open_hour >= i.close_hour || i.close_hour > 24 {
        return Err(src.err(
            &at.k("close_hour"),
            "open_hour < close_hour ≤ 24",
            format!("open_hour {}, close_hour {}", i.open_hour, i.close_hour),
        ));
    }
    (rails.open_hour, rails.close_hour) = (i.open_hour, i.close_hour);
    for (j, [from, to]) in i.closures.iter().enumerate() {
        let cat = at.k("closures").i(j);
        let t = |s: &str| {
            bankrun_chain::time::parse_time(s)
                .ok()
                .and_then(|t| u64::try_from(t).ok())
                .ok_or_else(|| src.err(&cat, "RFC 3339 UTC times after 1970", s))
        };
        let (a, b) = (t(from)?, t(to)?);
        if a >= b {
            return Err(src.err(
                &cat,
                "a window [from, to) with from < to",
                format!("{from} .. {to}"),
            ));
        }
        rails.closures.push((a, b));
    }
    let capacity = match i.capacity_per_day {
        Some(c) => Some(tokens_to_units(
            within(src, &at.k("capacity_per_day"), c, 0.0, 1e15)?,
            backing.1,
        )),
        None => None,
    };
    let spec = IssuerSpec {
        name: i.name.clone(),
        token,
        backing,
        rate: mantissa(within(src, &at.k("rate"), i.rate, 1e-9, 1e9)?),
        mint_fee: fee("mint_fee", i.mint_fee)?,
        redeem_fee: fee("redeem_fee", i.redeem_fee)?,
        delay_s: i.delay_s,
        capacity_per_day: capacity,
        rails,
        redeem: i.redeem,
        mint: i.mint,
    };
    Issuer::new(spec).map_err(|e| src.err(at, "a valid issuer", e.to_string()))
}

/// A cToken with the initial exchange rate of the real markets (0.02 underlying per cToken,
/// scaled by decimals: `2·10^(8 + decimals)`).
fn ctoken(
    m: &CompoundMarket,
    decimals: u8,
    src: &Src<'_>,
    at: &At,
) -> Result<CToken, ScenarioError> {
    for (key, x) in [
        ("base_rate", m.base_rate),
        ("multiplier", m.multiplier),
        ("jump_multiplier", m.jump_multiplier),
    ] {
        within(src, &at.k(key), x, 0.0, 100.0)?;
    }
    within(src, &at.k("kink"), m.kink, 0.0, 1.0)?;
    within(src, &at.k("reserve_factor"), m.reserve_factor, 0.0, 1.0)?;
    let model = JumpRateModelV2::from_per_year(
        mantissa(m.base_rate),
        mantissa(m.multiplier),
        mantissa(m.jump_multiplier),
        mantissa(m.kink),
    )
    .map_err(|e| {
        src.err(
            at,
            "a JumpRateModelV2 the contract accepts",
            format!("{e:?}"),
        )
    })?;
    let rate = U256::from(2u8) * U256::from(10u8).pow(U256::from(8 + u32::from(decimals)));
    Ok(CToken::new(model, rate, mantissa(m.reserve_factor), 0))
}

fn venue(
    world: &mut World,
    v: &VenueSpec,
    names: &Names,
    src: &Src<'_>,
    at: &At,
    id: u32,
) -> Result<(), ScenarioError> {
    match v {
        VenueSpec::UniswapV2 {
            name,
            tokens,
            liquidity,
        } => {
            let t0 = names.token(src, &at.k("tokens").i(0), &tokens[0])?;
            let t1 = names.token(src, &at.k("tokens").i(1), &tokens[1])?;
            if t0.0 == t1.0 {
                return Err(src.err(
                    &at.k("tokens"),
                    "two different tokens",
                    format!("{tokens:?}"),
                ));
            }
            world.add_venue(Box::new(UniswapV2::new(name, t0, t1, false)));
            for (k, (t, d)) in [t0, t1].into_iter().enumerate() {
                let amount = within(src, &at.k("liquidity").i(k), liquidity[k], 1e-9, 1e15)?;
                world
                    .ledger_mut()
                    .mint(t, Holder::Venue(id), tokens_to_units(amount, d))
                    .map_err(|e| {
                        src.err(
                            &at.k("liquidity"),
                            "an amount the token supply can hold",
                            e.to_string(),
                        )
                    })?;
            }
            world
                .with_venue(id, |venue, env| venue.sync_liquidity(env))
                .map_err(|e| {
                    src.err(
                        &at.k("liquidity"),
                        "liquidity the pair accepts",
                        e.to_string(),
                    )
                })
        }
    }
}

fn feeds(
    world: &mut World,
    feeds: &[FeedSpec],
    names: &Names,
    src: &Src<'_>,
) -> Result<(), ScenarioError> {
    let mut by_token: BTreeMap<u32, u32> = BTreeMap::new();
    for (i, f) in feeds.iter().enumerate() {
        let at = At::default().k("feeds").i(i);
        let (token, _) = names.token(src, &at.k("token"), &f.token)?;
        let source = match (&f.source.constant_usd, &f.source.venue, &f.source.quote) {
            (Some(p), None, None) => Source::Path(PricePath::constant(
                0,
                within(src, &at.k("source").k("constant_usd"), *p, 1e-9, 1e12)?,
            )),
            (None, Some(v), Some(q)) => {
                let venue = names.venue(src, &at.k("source").k("venue"), v)?;
                let (quote_token, _) = names.token(src, &at.k("source").k("quote"), q)?;
                let quote_feed = by_token.get(&quote_token).copied();
                if quote_feed.is_none() {
                    return Err(src.err(
                        &at.k("source").k("quote"),
                        "a token priced by an earlier feed",
                        format!("`{q}`"),
                    ));
                }
                Source::Venue {
                    venue,
                    token,
                    quote_token,
                    quote_feed,
                }
            }
            _ => {
                return Err(src.err(
                    &at.k("source"),
                    "either `constant_usd`, or `venue` with `quote`",
                    "another combination",
                ));
            }
        };
        let publisher = match &f.push {
            None => Publisher::Direct,
            Some(p) => Publisher::Push {
                deviation_bps: p.deviation_bps,
                heartbeat_s: p.heartbeat_s,
            },
        };
        let id = world
            .oracles_mut()
            .add_feed(&f.name, source, publisher)
            .map_err(|e| src.err(&at, "a valid feed", e.to_string()))?;
        by_token.insert(token, id);
        for (j, r) in f.readers.iter().enumerate() {
            let rat = at.k("readers").i(j);
            let p = names.protocol(src, &rat, r)?;
            let lists = world
                .view()
                .protocol(p)
                .is_some_and(|proto| proto.tokens().contains(&token));
            if !lists {
                return Err(src.err(
                    &rat,
                    format!("a protocol listing `{}`", f.token),
                    format!("`{r}`"),
                ));
            }
            world
                .oracles_mut()
                .bind(id, p, token)
                .map_err(|e| src.err(&rat, "a known feed", e.to_string()))?;
        }
    }
    world.publish_oracles().map_err(|e| {
        src.err(
            &At::default().k("feeds"),
            "feeds with a price at the start",
            e.to_string(),
        )
    })
}

fn agents(
    world: &mut World,
    specs: &[AgentSpec],
    names: &mut Names,
    src: &Src<'_>,
) -> Result<Vec<Box<dyn Agent>>, ScenarioError> {
    let mut out: Vec<Box<dyn Agent>> = Vec::new();
    for (i, a) in specs.iter().enumerate() {
        let at = At::default().k("agents").i(i);
        let id = out.len() as AgentId;
        match a {
            AgentSpec::Liquidator {
                name,
                watch,
                repay_token,
                capital,
                max_repay,
                priority_gwei,
            } => {
                let mut ids = Vec::new();
                for (j, p) in watch.iter().enumerate() {
                    ids.push(names.protocol(src, &at.k("watch").i(j), p)?);
                }
                let (t, d) = names.token(src, &at.k("repay_token"), repay_token)?;
                let cap = within(src, &at.k("capital"), *capital, 0.0, 1e15)?;
                let max = within(src, &at.k("max_repay"), *max_repay, 0.0, 1e15)?;
                let fee = within(src, &at.k("priority_gwei"), *priority_gwei, 0.0, 1e6)?;
                mint(world, t, id, tokens_to_units(cap, d), src, &at.k("capital"))?;
                out.push(Box::new(Liquidator::new(
                    name,
                    ids,
                    t,
                    tokens_to_units(max, d),
                    fee,
                )));
                unique(&mut names.agents, name, (id, 1, false), src, &at.k("name"))?;
            }
            AgentSpec::ScriptedTrade {
                name,
                venue,
                token,
                into,
                amount,
                at_block,
            } => {
                let v = names.venue(src, &at.k("venue"), venue)?;
                let (t, d) = names.token(src, &at.k("token"), token)?;
                let (o, _) = names.token(src, &at.k("into"), into)?;
                let units = tokens_to_units(within(src, &at.k("amount"), *amount, 0.0, 1e15)?, d);
                mint(world, t, id, units, src, &at.k("amount"))?;
                out.push(Box::new(ScriptedTrade::new(
                    name,
                    v,
                    (t, o),
                    units,
                    *at_block,
                )));
                unique(&mut names.agents, name, (id, 1, false), src, &at.k("name"))?;
            }
            AgentSpec::RedemptionArbitrageur(r) => {
                out.push(Box::new(redemption_arbitrageur(
                    world, r, id, names, src, &at,
                )?));
                unique(
                    &mut names.agents,
                    a.name(),
                    (id, 1, false),
                    src,
                    &at.k("name"),
                )?;
            }
            AgentSpec::Passive { name, count } => {
                if u64::from(*count) + out.len() as u64 > MAX_AGENTS {
                    return Err(src.err(
                        &at.k("count"),
                        format!("at most {MAX_AGENTS} agents in all"),
                        count.to_string(),
                    ));
                }
                for k in 0..*count {
                    out.push(Box::new(Passive::new(&format!("{name}-{k}"))));
                }
                unique(
                    &mut names.agents,
                    name,
                    (id, *count, true),
                    src,
                    &at.k("name"),
                )?;
            }
        }
    }
    Ok(out)
}

fn mint(
    world: &mut World,
    token: u32,
    agent: AgentId,
    amount: U256,
    src: &Src<'_>,
    at: &At,
) -> Result<(), ScenarioError> {
    world
        .ledger_mut()
        .mint(token, Holder::Agent(agent), amount)
        .map_err(|e| src.err(at, "an amount the token supply can hold", e.to_string()))
}

fn positions(
    world: &mut World,
    specs: &[PositionSpec],
    names: &Names,
    src: &Src<'_>,
) -> Result<(), ScenarioError> {
    for (i, p) in specs.iter().enumerate() {
        let at = At::default().k("positions").i(i);
        let Some(&(first, count, true)) = names.agents.get(&p.agents) else {
            return Err(src.err(
                &at.k("agents"),
                "a passive agent group",
                format!("`{}`", p.agents),
            ));
        };
        let proto = names.protocol(src, &at.k("protocol"), &p.protocol)?;
        let (ct, cd) = names.token(src, &at.k("collateral"), &p.collateral)?;
        let supply = tokens_to_units(within(src, &at.k("supply"), p.supply, 0.0, 1e15)?, cd);
        let borrow = match &p.debt {
            Some(d) => {
                let (dt, dd) = names.token(src, &at.k("debt"), d)?;
                Some((
                    dt,
                    tokens_to_units(within(src, &at.k("borrow"), p.borrow, 0.0, 1e15)?, dd),
                ))
            }
            None => None,
        };
        for agent in first..first + count {
            mint(world, ct, agent, supply, src, &at.k("supply"))?;
            let call = Call::Supply {
                token: ct,
                amount: supply,
            };
            world
                .execute_now(agent, Target::Protocol(proto), &call)
                .map_err(|e| {
                    src.err(
                        &at.k("supply"),
                        "a supply the protocol accepts",
                        e.to_string(),
                    )
                })?;
            if let Some((dt, amount)) = borrow {
                let call = Call::Borrow { token: dt, amount };
                world
                    .execute_now(agent, Target::Protocol(proto), &call)
                    .map_err(|e| {
                        src.err(
                            &at.k("borrow"),
                            "a borrow the protocol accepts",
                            e.to_string(),
                        )
                    })?;
            }
        }
    }
    Ok(())
}

/// A redemption arbitrageur (`kind = "redemption-arbitrageur"`), its wallet of the paid token
/// minted.
fn redemption_arbitrageur(
    world: &mut World,
    a: &RedemptionArbitrageurAgent,
    id: AgentId,
    names: &Names,
    src: &Src<'_>,
    at: &At,
) -> Result<RedemptionArbitrageur, ScenarioError> {
    let RedemptionArbitrageurAgent {
        name,
        issuer,
        venue,
        token,
        paid,
        capital,
        clip,
        min_discount,
        paid_per_backing,
        priority_gwei,
    } = a;
    let issuer_id = names.protocol(src, &at.k("issuer"), issuer)?;
    let is_issuer = world
        .protocol(issuer_id)
        .is_some_and(|p| p.as_any().is::<Issuer>());
    if !is_issuer {
        return Err(src.err(&at.k("issuer"), "a protocol of kind \"issuer\"", issuer));
    }
    let token = names.token(src, &at.k("token"), token)?;
    let paid = names.token(src, &at.k("paid"), paid)?;
    let capital = tokens_to_units(within(src, &at.k("capital"), *capital, 0.0, 1e15)?, paid.1);
    mint(world, paid.0, id, capital, src, &at.k("capital"))?;
    Ok(RedemptionArbitrageur::new(RedemptionArbitrageurSpec {
        name: name.clone(),
        issuer: issuer_id,
        venue: names.venue(src, &at.k("venue"), venue)?,
        token,
        paid,
        paid_per_backing: within(src, &at.k("paid_per_backing"), *paid_per_backing, 1e-9, 1e9)?,
        min_discount: within(src, &at.k("min_discount"), *min_discount, 0.0, 0.5)?,
        clip: tokens_to_units(within(src, &at.k("clip"), *clip, 0.0, 1e15)?, paid.1),
        min_clip: U256::from(1u8),
        budget: capital,
        every_blocks: 1,
        priority_gwei: within(src, &at.k("priority_gwei"), *priority_gwei, 0.0, 1e6)?,
    }))
}
