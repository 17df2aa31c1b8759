//! Builds the Compound v2 book world from a scenario: the exact Comptroller with the book
//! imported as genesis state, the ETH/USDC pool and CEX book, one CEX book per other volatile
//! price column, the Curve 3pool, the reporter feeds, the EIP-1559 gas market, and the agents
//! (liquidators sharing one screen, the pool arbitrageur).

use std::cell::RefCell;
use std::rc::Rc;

use bankrun_chain::gas::GasMarket;
use bankrun_chain::prices::{Interpolation, PricePath};
use bankrun_chain::time::{format_time, parse_time};
use bankrun_chain::{Holder, TokenId};
use bankrun_compound::exp::EXP_SCALE;
use bankrun_compound::{
    CToken, Comptroller, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig, U256,
};
use bankrun_dex::cex::{CexMarket, CexVenue, VenueSet};
use bankrun_world::agents::{
    CompoundLiquidator, CompoundLiquidatorSpec, LiquidatorMarket, Sale, Screen, VenueArbitrageur,
    VenueArbitrageurSpec,
};
use bankrun_world::protocols::CompoundV2;
use bankrun_world::venues::{Cex, Curve, UniswapV2};
use bankrun_world::{
    Agent, AgentId, ChainConfig, GasSchedule, ProtocolId, Publisher, Source, VenueId, World,
};

use crate::compound::{Book, price_paths, read_book, stress_factor};
use crate::error::SpiralError;
use crate::spec::{Loaded, MarketSpec};
use crate::venues::to_wei;

/// The Compound v2 protocol's id.
pub const COMPOUND: ProtocolId = 0;
/// The ETH/USDC pool.
pub const POOL: VenueId = 0;
/// The ETH CEX book.
pub const CEX: VenueId = 1;
/// Compound account of book account 0 (agents are the world's small ids).
pub const BOOK0: u32 = 1_000_000;
/// The account holding the supply outside the book (funds the book's borrows).
pub const OUTSIDE: u32 = 4_000_000;
/// CEX inventory of each base token and of USDC (whole units): a stand-in for unbounded
/// depth (assumption of the model).
const CEX_INVENTORY: (f64, f64) = (1e9, 1e13);
/// The arbitrageur's wallet: ETH and USDC.
const ARB_WALLET: (f64, f64) = (1e6, 1e10);

/// The built world.
pub struct Built {
    /// The world.
    pub world: World,
    /// Agents: liquidators, the arbitrageur.
    pub agents: Vec<Box<dyn Agent>>,
    /// Liquidators' names (agent ids `0..`).
    pub liquidators: Vec<String>,
    /// The arbitrageur's agent id.
    pub arbitrageur: AgentId,
    /// Per market: the venue its collateral is priced on (`None`: the fundamental).
    pub venue_of: Vec<Option<VenueId>>,
    /// The Curve pool, if any.
    pub curve: Option<VenueId>,
    /// The book.
    pub book: Book,
    /// Price paths per market (`None`: fixed).
    pub paths: Vec<Option<PricePath>>,
    /// Start and end of the run, unix seconds.
    pub window: (i64, i64),
    /// Debt at start, USD at the start prices.
    pub debt_start: f64,
}

/// The world's agents, in the order they act.
type Agents = Vec<Box<dyn Agent>>;

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// Price of market `m` at `t` (× `stress` for a path).
pub(crate) fn price_at(m: &MarketSpec, path: &Option<PricePath>, t: i64, stress: f64) -> f64 {
    match path {
        Some(p) => p.price_at(t) * stress,
        None => m.fixed_usd.unwrap_or(1.0),
    }
}

/// The path a venue or feed follows: the real one, or (stressed) one point per block of the
/// real path × the stress ramp, read as steps.
fn followed(
    l: &Loaded,
    path: &PricePath,
    stressed: bool,
    (start, end, bs): (i64, i64, i64),
) -> Result<PricePath, SpiralError> {
    if !stressed {
        return Ok(path.clone());
    }
    let mut pts = Vec::new();
    let mut t = start;
    while t <= end + bs {
        pts.push((t, path.price_at(t) * stress_factor(l, true, t)));
        t += bs;
    }
    Ok(PricePath::from_points(pts)
        .map_err(run)?
        .with_interpolation(Interpolation::Step))
}

/// Builds the world at the start of the window.
///
/// # Errors
/// [`SpiralError`] naming the scenario key on a setup failure.
pub fn build(l: &Loaded, seed: u64, stressed: bool) -> Result<Built, SpiralError> {
    let s = &l.spec;
    let c = s
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let book = read_book(l)?;
    let paths = price_paths(l)?;
    let start = parse_time(&s.scenario.start).map_err(|_| l.err("start", "bad time"))?;
    let end_path = paths
        .iter()
        .flatten()
        .map(PricePath::end)
        .max()
        .unwrap_or(start);
    let end = end_path + (s.scenario.tail_hours * 3600.0) as i64;
    if let Some(st) = &s.stress {
        // Checked on the real path too, so a stress that would never start is refused
        // before the first run, not after it.
        match parse_time(&st.start) {
            Ok(at) if (start..end).contains(&at) => {}
            _ => {
                return Err(l.err_in(
                    "stress",
                    0,
                    "start",
                    format!(
                        "an RFC 3339 time within the run ({} to {}), found {:?}",
                        format_time(start),
                        format_time(end),
                        st.start
                    ),
                ));
            }
        }
    }
    let bs = s.scenario.block_seconds as i64;
    if bs <= 0 {
        return Err(l.err("block_seconds", "must be positive"));
    }
    let eth = c
        .markets
        .iter()
        .position(|m| m.name == "ETH")
        .ok_or_else(|| l.err("markets", "needs an ETH market"))?;
    let usdc = c
        .markets
        .iter()
        .position(|m| m.name == "USDC")
        .ok_or_else(|| l.err("markets", "needs a USDC market (sales are paid in USDC)"))?;
    let p0: Vec<f64> = c
        .markets
        .iter()
        .zip(&paths)
        .map(|(m, p)| price_at(m, p, start, 1.0))
        .collect();
    let start_u = u64::try_from(start).map_err(|_| l.err("start", "before 1970"))?;
    let g = &s.gas;
    let mut world = World::new(
        ChainConfig {
            start: start_u,
            block_time_s: s.scenario.block_seconds,
            block_gas: g.block_gas_limit,
            gas: GasSchedule::default(),
        },
        seed,
    );
    // The stream names of the runner this world replaced, so a seed keeps its draws.
    if stressed {
        world.set_stream_names(seed, "mempool-stress", "gas-stress");
    } else {
        world.set_stream_names(seed, "mempool", "gas");
    }
    let gas_model = crate::runner::gas_model(l)?;
    world.set_gas_market(GasMarket::new(
        gas_model.clone(),
        g.block_gas_limit,
        g.agent_gas_share,
    ));
    world.set_tx_ttl(g.tx_ttl_blocks);
    world.set_oracle_update_gas(g.oracle_update_gas);
    let tokens: Vec<TokenId> = (0..c.markets.len() as TokenId).collect();
    let window = (start, end, bs);
    let venue_of = add_venues(l, &mut world, &paths, &p0, (eth, usdc), stressed, window)?;
    let curve = add_curve(l, &mut world, &tokens)?;
    let debt_start = add_protocol(l, &mut world, &book, &p0, start_u)?;
    oracles(l, &mut world, &paths, &venue_of, usdc, stressed, window)?;
    world.publish_oracles().map_err(run)?;
    let legacy = matches!(gas_model, bankrun_chain::gas::GasModel::Legacy { .. });
    let sales = (eth, usdc, venue_of.as_slice(), curve);
    let (agents, liquidators) = agents(l, &mut world, &book, &p0, sales, legacy)?;
    let arbitrageur = liquidators.len() as AgentId;
    Ok(Built {
        world,
        agents,
        liquidators,
        arbitrageur,
        venue_of,
        curve,
        book,
        paths,
        window: (start, end),
        debt_start,
    })
}

/// The pool and the ETH CEX (ids [`POOL`], [`CEX`]), then one CEX book per other price
/// column with a `cex_depth_scale` (the first market of the column with a collateral factor
/// is its base token; the column's other markets read its price). Returns each market's
/// venue.
fn add_venues(
    l: &Loaded,
    world: &mut World,
    paths: &[Option<PricePath>],
    p0: &[f64],
    (eth, usdc): (usize, usize),
    stressed: bool,
    window: (i64, i64, i64),
) -> Result<Vec<Option<VenueId>>, SpiralError> {
    let s = &l.spec;
    let c = s
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let v = &s.venues;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    let fitted = CexVenue::fitted(p0[eth], set).map_err(run)?;
    let scaled = CexVenue {
        k_sell: fitted.k_sell / v.cex_depth_scale.sqrt(),
        k_buy: fitted.k_buy / v.cex_depth_scale.sqrt(),
        ..fitted
    };
    let (e, u) = (eth as TokenId, usdc as TokenId);
    let eth_path = paths[eth]
        .as_ref()
        .ok_or_else(|| l.err("price_column", "the ETH market needs a price column"))?;
    let market = CexMarket::new(
        p0[eth],
        fitted,
        v.cex_depth_scale,
        v.impact_half_life_s,
        window.0,
    );
    let pool = UniswapV2::new("uniswap", (e, 18), (u, 6), false);
    let cex = Cex::with_path(
        "cex-eth",
        market,
        followed(l, eth_path, stressed, window)?,
        (e, 18),
        (u, 6),
    );
    if world.add_venue(Box::new(pool)) != POOL || world.add_venue(Box::new(cex)) != CEX {
        return Err(SpiralError::Run("venue ids out of order".into()));
    }
    let (inv_base, inv_usdc) = CEX_INVENTORY;
    let ledger = world.ledger_mut();
    ledger
        .mint(e, Holder::Venue(POOL), to_wei(v.pool_eth, 18))
        .and_then(|()| ledger.mint(u, Holder::Venue(POOL), to_wei(v.pool_eth * p0[eth], 6)))
        .and_then(|()| ledger.mint(e, Holder::Venue(CEX), to_wei(inv_base, 18)))
        .and_then(|()| ledger.mint(u, Holder::Venue(CEX), to_wei(inv_usdc, 6)))
        .map_err(run)?;
    world
        .with_venue(POOL, |pool, env| pool.sync_liquidity(env))
        .map_err(run)?;
    let mut venue_of: Vec<Option<VenueId>> = vec![None; c.markets.len()];
    venue_of[eth] = Some(CEX);
    for (i, m) in c.markets.iter().enumerate() {
        let (Some(col), Some(scale), Some(path)) = (&m.price_column, m.cex_depth_scale, &paths[i])
        else {
            continue;
        };
        if i == eth || venue_of[i].is_some() {
            continue;
        }
        let column: Vec<usize> = (i..c.markets.len())
            .filter(|&j| {
                c.markets[j].price_column.as_ref() == Some(col)
                    && c.markets[j].cex_depth_scale.is_some()
            })
            .collect();
        let base = column
            .iter()
            .copied()
            .find(|&j| c.markets[j].collateral_factor > 0.0)
            .unwrap_or(i);
        let dec = c.markets[base].decimals as u8;
        let market = CexMarket::new(p0[i], scaled, scale, v.impact_half_life_s, window.0);
        let book = Cex::with_path(
            &format!("cex-{col}"),
            market,
            followed(l, path, stressed, window)?,
            (base as TokenId, dec),
            (u, 6),
        );
        let id = world.add_venue(Box::new(book));
        world
            .ledger_mut()
            .mint(u, Holder::Venue(id), to_wei(inv_usdc, 6))
            .map_err(run)?;
        for j in column {
            venue_of[j] = Some(id);
        }
    }
    Ok(venue_of)
}

/// The Curve 3pool (DAI/USDC/USDT markets' tokens), when `curve_balance_per_coin` > 0 and
/// the three markets exist.
fn add_curve(
    l: &Loaded,
    world: &mut World,
    tokens: &[TokenId],
) -> Result<Option<VenueId>, SpiralError> {
    let s = &l.spec;
    let c = s
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let v = &s.venues;
    if v.curve_balance_per_coin <= 0.0 {
        return Ok(None);
    }
    let mut coins = Vec::new();
    for name in ["DAI", "USDC", "USDT"] {
        let Some(i) = c.markets.iter().position(|m| m.name == name) else {
            return Ok(None);
        };
        let j = crate::stable::coin(name).unwrap_or_default();
        coins.push((tokens[i], crate::stable::decimals(j) as u8));
    }
    let pool = crate::stable::three_pool(v.curve_balance_per_coin, v.curve_a)?;
    let venue = Curve::new("curve-3pool", pool, coins.clone()).map_err(run)?;
    let id = world.add_venue(Box::new(venue));
    for (t, d) in coins {
        world
            .ledger_mut()
            .mint(
                t,
                Holder::Venue(id),
                to_wei(v.curve_balance_per_coin, u32::from(d)),
            )
            .map_err(run)?;
    }
    Ok(Some(id))
}

/// The Comptroller (oracle, markets) with the book as genesis state, as protocol
/// [`COMPOUND`] over world tokens `0..` (market order), prices reported for the markets with
/// a price column that the oracle does not fix. Returns the book's debt in USD at the start
/// prices.
fn add_protocol(
    l: &Loaded,
    world: &mut World,
    book: &Book,
    p0: &[f64],
    start: u64,
) -> Result<f64, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let tokens: Vec<TokenId> = (0..c.markets.len() as TokenId).collect();
    let reporter: Vec<bool> = c
        .markets
        .iter()
        .map(|m| !m.oracle_fixed && m.price_column.is_some())
        .collect();
    let at = Placement {
        id: COMPOUND,
        tokens: &tokens,
        reporter: &reporter,
        book0: BOOK0,
        outside: OUTSIDE,
    };
    add_comptroller(l, world, book, p0, start, &at)
}

/// Where [`add_comptroller`] places the Compound v2 book in a world.
pub(crate) struct Placement<'a> {
    /// The protocol id it must get.
    pub id: ProtocolId,
    /// World token of each market (`[[compound.markets]]` order).
    pub tokens: &'a [TokenId],
    /// Per market: priced by a reporter feed (bound by the caller), else fixed at its start
    /// price (`FIXED_USD`).
    pub reporter: &'a [bool],
    /// World account of book account 0.
    pub book0: AgentId,
    /// The account holding the supply outside the book.
    pub outside: AgentId,
}

/// The Comptroller of `[compound]` (UniswapAnchoredView oracle, JumpRateModelV2 markets,
/// accrual every hour) with the book as genesis state, added to `world` at `at`. Returns the
/// book's debt in USD at the start prices `p0` (per market).
///
/// # Errors
/// [`SpiralError`] naming the scenario key (a rate model) or the world's error.
pub(crate) fn add_comptroller(
    l: &Loaded,
    world: &mut World,
    book: &Book,
    p0: &[f64],
    start: u64,
    at: &Placement<'_>,
) -> Result<f64, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let mut oracle = PriceOracle::new(EXP_SCALE * U256::from(15) / U256::from(100));
    for (i, m) in c.markets.iter().enumerate() {
        let base_unit = U256::from(10u64).pow(U256::from(m.decimals));
        let source = if at.reporter[i] {
            PriceSource::Reporter
        } else {
            PriceSource::FixedUsd(to_wei(p0[i], 6))
        };
        oracle.push(TokenConfig { base_unit, source });
        if source == PriceSource::Reporter {
            oracle.prices[i] = to_wei(p0[i], 6);
        }
    }
    let mut comp = Comptroller::new(
        to_wei(c.close_factor, 18),
        to_wei(c.liquidation_incentive, 18),
        oracle,
    );
    for m in &c.markets {
        let r = m.rate_model;
        let model = JumpRateModelV2::from_per_year(
            to_wei(r[0], 18),
            to_wei(r[1], 18),
            to_wei(r[2], 18),
            to_wei(r[3], 18),
        )
        .map_err(|e| l.err("rate_model", format!("market {}: {e}", m.name)))?;
        // cTokens have 8 decimals; exchange rate 0.02 underlying per cToken. Interest
        // accrues per block from the world's block 0.
        let x = U256::from(2u64) * U256::from(10u64).pow(U256::from(16 + m.decimals - 8));
        let ct = CToken::new(model, x, to_wei(m.reserve_factor, 18), 0);
        comp.support_market(ct, to_wei(m.collateral_factor, 18));
    }
    let mut proto = CompoundV2::new("compound-v2", comp, at.tokens.to_vec())
        .map_err(run)?
        .with_accrual(3600, start);
    let mut debt_start = 0.0;
    let mut positions = Vec::new();
    for (&a, rows) in book {
        for (&m, r) in rows {
            let dec = c.markets[m].decimals;
            debt_start += if r.borrow > 0.0 {
                r.borrow * p0[m]
            } else {
                0.0
            };
            positions.push((
                at.book0 + a,
                m,
                to_wei(r.supply, dec),
                to_wei(r.borrow, dec),
            ));
        }
    }
    let mut env = bankrun_world::Env {
        now: world.now(),
        block: 0,
        ledger: world.ledger_mut(),
        holder: Holder::Protocol(at.id),
    };
    proto
        .import_book(&mut env, positions, at.outside)
        .map_err(run)?;
    if world.add_protocol(Box::new(proto)) != at.id {
        return Err(SpiralError::Run(format!(
            "the Compound protocol must get id {}",
            at.id
        )));
    }
    Ok(debt_start)
}

/// One push feed per reporter market (deviation, heartbeat), reading its venue's mid (or its
/// path without a venue), bound to the Comptroller's `validate`.
fn oracles(
    l: &Loaded,
    world: &mut World,
    paths: &[Option<PricePath>],
    venue_of: &[Option<VenueId>],
    usdc: usize,
    stressed: bool,
    window: (i64, i64, i64),
) -> Result<(), SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let publisher = Publisher::Push {
        deviation_bps: (c.feed_deviation * 10_000.0).round() as u32,
        heartbeat_s: c.feed_heartbeat_s,
    };
    for (i, m) in c.markets.iter().enumerate() {
        let Some(path) = paths[i].as_ref().filter(|_| !m.oracle_fixed) else {
            continue;
        };
        let source = match venue_of[i] {
            Some(venue) => Source::Venue {
                venue,
                token: world
                    .view()
                    .venue(venue)
                    .and_then(|v| v.tokens().into_iter().find(|&t| t != usdc as TokenId))
                    .ok_or_else(|| SpiralError::Run(format!("venue {venue} lost")))?,
                quote_token: usdc as TokenId,
                quote_feed: None,
            },
            None => {
                let f = followed(l, path, stressed, window)?;
                let (mut pts, mut t) = (Vec::new(), window.0);
                while t <= window.1 + window.2 {
                    pts.push((t, f.price_at(t)));
                    t += window.2;
                }
                Source::steps(&m.name, pts).map_err(run)?
            }
        };
        let reg = world.oracles_mut();
        let feed = reg
            .add_feed(&format!("{} reporter", m.name), source, publisher.clone())
            .map_err(run)?;
        reg.bind(feed, COMPOUND, i as TokenId).map_err(run)?;
    }
    Ok(())
}

/// Liquidators (their wallets minted: `capital` USD of each asset), sharing one screen, then
/// the arbitrageur (its wallet minted).
fn agents(
    l: &Loaded,
    world: &mut World,
    book: &Book,
    p0: &[f64],
    (eth, usdc, venue_of, curve): (usize, usize, &[Option<VenueId>], Option<VenueId>),
    legacy: bool,
) -> Result<(Agents, Vec<String>), SpiralError> {
    let s = &l.spec;
    let c = s
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let u = usdc as TokenId;
    let markets: Vec<LiquidatorMarket> = c
        .markets
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let t = i as TokenId;
            let sale = match venue_of[i] {
                _ if i == eth => Sale::Best {
                    pool: POOL,
                    cex: CEX,
                    quote: u,
                },
                Some(venue) => {
                    let base = world
                        .view()
                        .venue(venue)
                        .is_some_and(|v| v.tokens().contains(&t));
                    if base {
                        Sale::Cex { venue, quote: u }
                    } else {
                        Sale::Keep
                    }
                }
                None => match (curve, crate::stable::coin(&m.name)) {
                    (Some(venue), Some(_)) => Sale::Curve { venue },
                    _ => Sale::Keep,
                },
            };
            LiquidatorMarket {
                token: t,
                decimals: m.decimals,
                sale,
            }
        })
        .collect();
    let n_acc = book.keys().next_back().map_or(0, |&a| a as usize + 1);
    let mut units: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); n_acc];
    for (&a, rows) in book {
        for (&m, r) in rows {
            units[a as usize].push((m, r.supply, r.borrow));
        }
    }
    let count: usize = s.keepers.iter().map(|k| k.count).sum();
    let screen = Screen::new(
        &world.view(),
        COMPOUND,
        BOOK0,
        units,
        c.markets.iter().map(|m| m.collateral_factor).collect(),
        c.markets.iter().map(|m| m.decimals).collect(),
        count,
    )
    .map_err(run)?;
    let screen = Rc::new(RefCell::new(screen));
    let mut agents: Agents = Vec::new();
    let mut names = Vec::new();
    for g in &s.keepers {
        for j in 0..g.count {
            let id = agents.len() as AgentId;
            for (i, m) in c.markets.iter().enumerate() {
                let amount = to_wei(g.capital / p0[i].max(1e-9), m.decimals);
                world
                    .ledger_mut()
                    .mint(i as TokenId, Holder::Agent(id), amount)
                    .map_err(run)?;
            }
            let name = format!("{}-{}", g.name, j);
            let spec = CompoundLiquidatorSpec {
                name: name.clone(),
                index: id as usize,
                protocol: COMPOUND,
                markets: markets.clone(),
                close_factor: c.close_factor,
                liquidation_incentive: c.liquidation_incentive,
                gas_liquidate: c.gas_liquidate,
                poll_blocks: g.poll_blocks,
                gas_multiplier: g.gas_multiplier,
                gas_cap_gwei: g.gas_cap_gwei,
                gas_budget_wei: to_wei(g.gas_budget_eth, 18),
                min_profit_usd: g.min_profit_usd,
                max_pending: g.max_pending,
                eth_usd: (CEX, eth as TokenId, u),
                wait_below_base_fee: !legacy,
            };
            agents.push(Box::new(CompoundLiquidator::new(spec, Rc::clone(&screen))));
            names.push(name);
        }
    }
    let arb = agents.len() as AgentId;
    let ledger = world.ledger_mut();
    ledger
        .mint(eth as TokenId, Holder::Agent(arb), to_wei(ARB_WALLET.0, 18))
        .and_then(|()| ledger.mint(u, Holder::Agent(arb), to_wei(ARB_WALLET.1, 6)))
        .map_err(run)?;
    let v = &s.venues;
    agents.push(Box::new(VenueArbitrageur::new(VenueArbitrageurSpec {
        name: "arbitrageur".into(),
        venues: (POOL, CEX),
        tokens: (eth as TokenId, u, 6),
        latency_blocks: v.arb_latency_blocks,
        gas: v.arb_gas,
        gas_multiplier: v.arb_gas_multiplier,
    })));
    Ok((agents, names))
}
