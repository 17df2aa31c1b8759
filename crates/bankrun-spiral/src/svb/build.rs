//! Builds the USDC/SVB world of a scenario in one mode: Aave v2 (its USDC, USDT, DAI and WETH
//! reserves) as a world protocol, with `[compound]` the real Compound v2 book as a second one
//! (USDC and USDT fixed at $1 by its oracle, DAI reported from 3pool, the other markets from
//! their hourly price columns), Curve 3pool and Maker's PSM-USDC-A as venues, the
//! ETH-denominated feeds Aave v2 reads, and the agents (scripted events, liquidators, buyers
//! of discounted USDC, the PSM arbitrageur, the collateral arbitrageurs, the borrowers who
//! repay USDC debt below par, the USDC holder cohorts).
//!
//! Tokens: USDC and USDT (6 decimals), DAI and ETH (18). USDT is the numeraire: its price is
//! $1 by assumption (it traded at a small premium over the weekend). The ledger holds the
//! stated USDC and DAI supplies; what the scenario does not place is held by one passive
//! account.

use bankrun_aave::{Pool, ProtocolVersion};
use bankrun_chain::prices::{CsvFormat, Interpolation, PricePath, read_csv};
use bankrun_chain::time::parse_time;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::U256;
use bankrun_dex::curve::StableSwap;
use bankrun_world::agents::{
    CollateralArbitrageur, CollateralArbitrageurSpec, Condition, DipBuyer, DipBuyerSpec,
    DiscountRepayer, DiscountRepayerSpec, Liquidator, PegHolders, PsmArbitrageur,
    PsmArbitrageurSpec, ScriptedCall, ScriptedCalls,
};
use bankrun_world::protocols::AaveV3;
use bankrun_world::venues::{Curve, Psm};
use bankrun_world::{
    AaveCall, AaveConfig, Agent, AgentId, Call, CompoundCall, FeedId, ProtocolId, Publisher,
    Source, Target, VenueId, VenueParam, World,
};

use crate::compound_world::{Placement, add_comptroller, price_at};
use crate::error::SpiralError;
use crate::spec::{CompoundSpec, Loaded};
use crate::steth::build::{WalletCohort, reserve_config, supply, wallet_cohort};
use crate::svb::spec::{BookSpec, CohortSpec, SvbSpec};
use crate::venues::to_wei;

/// USDC (Aave reserve 0).
pub const USDC: TokenId = 0;
/// USDT (reserve 1): the numeraire.
pub const USDT: TokenId = 1;
/// DAI (reserve 2).
pub const DAI: TokenId = 2;
/// ETH and WETH (reserve 3).
pub const ETH: TokenId = 3;
/// The Aave v2 pool.
pub const AAVE: ProtocolId = 0;
/// The Compound v2 Comptroller (with `[compound]`).
pub const COMPOUND: ProtocolId = 1;
/// Compound account of book account 0.
pub const COMPOUND_BOOK0: AgentId = 5_000_000;
/// The account holding Compound's supply outside the book (it funds the book's borrows).
pub const COMPOUND_OUTSIDE: AgentId = 8_000_000;
/// Curve 3pool.
pub const CURVE: VenueId = 0;
/// Maker's PSM-USDC-A.
pub const PSM: VenueId = 1;
/// The account holding the USDC and DAI nobody in the scenario holds.
pub const PASSIVE: AgentId = 9_000_000;
/// Depositors, one account per reserve (`SUPPLIER0 + reserve`): Aave's user table is dense in
/// account ids, so the pool's users take small ids.
pub const SUPPLIER0: AgentId = 100;
/// First account of the borrower book (groups consecutive).
pub const BOOK0: AgentId = 1_000;
/// First account of the cohorts.
pub const COHORT0: AgentId = 1_000_000;
/// Gas price every agent bids, gwei (assumption: well above the base fee, so gas orders the
/// block but decides nothing).
const BID_GWEI: f64 = 100.0;

/// Indices of the agent kinds in [`Built::agents`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AgentIndex {
    /// First liquidator.
    pub liquidators: usize,
    /// First buyer.
    pub buyers: usize,
    /// The PSM arbitrageur, if any.
    pub arbitrageur: Option<usize>,
    /// First collateral arbitrageur.
    pub collateral: usize,
    /// First discount repayer.
    pub repayers: usize,
    /// First cohort.
    pub cohorts: usize,
}

/// The built world.
pub struct Built {
    /// The world.
    pub world: World,
    /// Agents: scripted events (0), liquidators, buyers, the arbitrageur, repayers, cohorts.
    pub agents: Vec<Box<dyn Agent>>,
    /// Where each kind of agent starts.
    pub index: AgentIndex,
    /// Start and end of the window, unix seconds.
    pub window: (i64, i64),
    /// The price files' paths: USDC/USDT (Uniswap v3) and ETH/USD.
    pub paths: (PricePath, PricePath),
    /// The USDC/USD feed agents watch (the path in replay mode, 3pool in spiral mode).
    pub usdc_feed: FeedId,
    /// Aave v2's USDC/ETH feed.
    pub usdc_eth_feed: FeedId,
    /// Book groups: (name, first account, accounts).
    pub groups: Vec<(String, AgentId, u32)>,
    /// The Compound v2 lender, with `[compound]`.
    pub compound: Option<CompoundPart>,
}

/// The Compound v2 lender of a world.
#[derive(Debug, Clone)]
pub struct CompoundPart {
    /// Per market (`[[compound.markets]]` order): name, world token, decimals.
    pub markets: Vec<(String, TokenId, u8)>,
    /// The book's debt at the start, USD at the start prices.
    pub debt_start: f64,
}

impl CompoundPart {
    /// The world token of market `name`.
    pub fn token(&self, name: &str) -> Option<TokenId> {
        self.markets.iter().find(|m| m.0 == name).map(|m| m.1)
    }
}

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// Decimals of a token.
pub fn decimals(token: TokenId) -> u8 {
    if token == USDC || token == USDT {
        6
    } else {
        18
    }
}

fn units(token: TokenId, x: f64) -> U256 {
    to_wei(x, u32::from(decimals(token)))
}

fn wad(x: f64) -> U256 {
    to_wei(x, 18)
}

fn rad(x: f64) -> U256 {
    to_wei(x, 18) * U256::from(10u64).pow(U256::from(27u64))
}

/// The token of a symbol (`USDC`, `USDT`, `DAI`, else ETH).
pub fn token_id(symbol: &str) -> TokenId {
    match symbol {
        "USDC" => USDC,
        "USDT" => USDT,
        "DAI" => DAI,
        _ => ETH,
    }
}

/// The `[svb]` table.
pub(crate) fn svb(l: &Loaded) -> Result<&SvbSpec, SpiralError> {
    l.spec
        .svb
        .as_deref()
        .ok_or_else(|| l.err("protocol", "usdc-svb scenario needs [svb]"))
}

/// The USDC/USDT path from `[svb] prices` and ETH/USD from `[svb] eth_prices`.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn paths(l: &Loaded) -> Result<(PricePath, PricePath), SpiralError> {
    let t = svb(l)?;
    let (origin, text) = l.read_data("prices", &t.prices)?;
    let usdc = read_csv(&text, &origin, &CsvFormat::columns(&["USDC_USDT"]))?
        .remove(0)
        .with_interpolation(Interpolation::Linear);
    let (origin, text) = l.read_data("eth_prices", &t.eth_prices)?;
    let eth = read_csv(&text, &origin, &CsvFormat::columns(&["ETH"]))?
        .remove(0)
        .with_interpolation(Interpolation::Linear);
    Ok((usdc, eth))
}

/// Builds the world for `mode` (`"replay"` or `"spiral"`).
///
/// # Errors
/// [`SpiralError`] naming the scenario key on a setup failure.
pub fn build(l: &Loaded, seed: u64, mode: &str) -> Result<Built, SpiralError> {
    let t = svb(l)?;
    let (mut world, (start, end)) = crate::world_run::new_world(l, seed, mode, &t.end)?;
    let (usdc_path, eth_usd) = paths(l)?;
    let start_u = u64::try_from(start).map_err(|_| l.err("start", "before 1970"))?;
    add_pool(l, &mut world, start_u)?;
    add_venues(l, &mut world)?;
    let (usdc_feed, usdc_eth_feed) = add_feeds(
        l,
        &mut world,
        mode == "spiral",
        (&usdc_path, &eth_usd),
        start,
    )?;
    let compound = add_compound(l, &mut world, start)?;
    let p0 = [usdc_path.price_at(start), 1.0, 1.0, eth_usd.price_at(start)];
    let groups = place_book(l, &mut world, p0)?;
    let mut agents: Vec<Box<dyn Agent>> =
        vec![Box::new(scripted(l, &mut world, start, compound.as_ref())?)];
    let watch = match compound {
        Some(_) => vec![AAVE, COMPOUND],
        None => vec![AAVE],
    };
    let mut index = AgentIndex {
        liquidators: agents.len(),
        ..AgentIndex::default()
    };
    for q in &t.liquidators {
        let me = agents.len() as AgentId;
        let token = token_id(&q.repays);
        world
            .ledger_mut()
            .mint(token, Holder::Agent(me), units(token, q.capital))
            .map_err(run)?;
        let mut liquidator = Liquidator::new(
            &q.name,
            watch.clone(),
            token,
            units(token, q.max_repay),
            BID_GWEI,
        )
        .selling_into(USDT);
        if q.min_sale_price > 0.0 {
            liquidator = liquidator.selling_above(q.min_sale_price);
        }
        if q.min_repay > 0.0 {
            liquidator = liquidator.repaying_at_least(units(token, q.min_repay));
        }
        agents.push(Box::new(liquidator));
    }
    index.buyers = agents.len();
    for (i, b) in t.buyers.iter().enumerate() {
        let me = agents.len() as AgentId;
        let from = match &b.from {
            Some(f) => parse_time(f)
                .map_err(|_| l.err_in("svb.buyers", i, "from", "bad time"))?
                .max(0) as u64,
            None => 0,
        };
        world
            .ledger_mut()
            .mint(USDT, Holder::Agent(me), units(USDT, b.budget))
            .map_err(run)?;
        agents.push(Box::new(DipBuyer::new(DipBuyerSpec {
            name: b.name.clone(),
            venue: CURVE,
            tokens: (USDC, USDT),
            below: b.below,
            clip: units(USDT, b.clip),
            budget: units(USDT, b.budget),
            every_blocks: b.every_blocks,
            from,
            priority_gwei: BID_GWEI,
        })));
    }
    if let Some(a) = &t.arbitrageur {
        let me = agents.len() as AgentId;
        index.arbitrageur = Some(agents.len());
        let ledger = world.ledger_mut();
        ledger
            .mint(USDC, Holder::Agent(me), units(USDC, a.inventory))
            .and_then(|()| ledger.mint(DAI, Holder::Agent(me), units(DAI, a.inventory)))
            .map_err(run)?;
        agents.push(Box::new(PsmArbitrageur::new(PsmArbitrageurSpec {
            name: "psm-arbitrageur".into(),
            psm: PSM,
            pool: CURVE,
            gem: USDC,
            dai: DAI,
            max_clip: units(USDC, a.max_clip),
            min_clip: units(USDC, a.min_clip),
            min_profit: a.min_profit,
            every_blocks: a.every_blocks,
            priority_gwei: BID_GWEI,
        })));
    }
    index.collateral = agents.len();
    for a in &t.collateral_arbitrageurs {
        let me = agents.len() as AgentId;
        let borrow = token_id(&a.borrows);
        world
            .ledger_mut()
            .mint(borrow, Holder::Agent(me), units(borrow, a.capital))
            .map_err(run)?;
        agents.push(Box::new(CollateralArbitrageur::new(
            CollateralArbitrageurSpec {
                name: a.name.clone(),
                protocol: COMPOUND,
                venue: CURVE,
                collateral: (USDC, decimals(USDC)),
                borrow: (borrow, decimals(borrow)),
                below: a.below,
                use_fraction: a.use_fraction,
                min_clip: units(borrow, a.min_clip),
                max_supply: units(USDC, a.max_supply),
                max_debt: units(borrow, a.max_debt),
                every_blocks: a.every_blocks,
                priority_gwei: BID_GWEI,
            },
        )));
    }
    index.repayers = agents.len();
    for (i, (b, g)) in t.books.iter().zip(&groups).enumerate() {
        if let Some(range) = b.repay_below {
            agents.push(Box::new(repayer(l, b, g, range, usdc_feed).map_err(
                |e| l.err_in("svb.books", i, "repay_below", e.to_string()),
            )?));
        }
    }
    index.cohorts = agents.len();
    let mut next = COHORT0;
    for (i, c) in t.cohorts.iter().enumerate() {
        agents.push(Box::new(cohort(
            l, &mut world, seed, c, next, i, usdc_feed,
        )?));
        next += c.accounts;
    }
    place_passive(l, &mut world)?;
    world.ledger().check_conservation().map_err(run)?;
    Ok(Built {
        world,
        agents,
        index,
        window: (start, end),
        paths: (usdc_path, eth_usd),
        usdc_feed,
        usdc_eth_feed,
        groups,
        compound,
    })
}

/// The world token of each `[[compound.markets]]` entry: USDC, USDT, DAI and ETH are the
/// world's (their decimals must agree), the others new tokens from 4 on in market order.
fn compound_tokens(
    l: &Loaded,
    c: &CompoundSpec,
) -> Result<Vec<(String, TokenId, u8)>, SpiralError> {
    let mut next = ETH + 1;
    let mut out = Vec::new();
    for (i, m) in c.markets.iter().enumerate() {
        let shared = match m.name.as_str() {
            "USDC" => Some(USDC),
            "USDT" => Some(USDT),
            "DAI" => Some(DAI),
            "ETH" => Some(ETH),
            _ => None,
        };
        let token = match shared {
            Some(t) if u32::from(decimals(t)) != m.decimals => {
                return Err(l.err_in(
                    "compound.markets",
                    i,
                    "decimals",
                    format!("{} for {} (the world's token)", decimals(t), m.name),
                ));
            }
            Some(t) => t,
            None => {
                next += 1;
                next - 1
            }
        };
        let dec = u8::try_from(m.decimals)
            .ok()
            .filter(|&d| d <= 30)
            .ok_or_else(|| l.err_in("compound.markets", i, "decimals", "at most 30"))?;
        out.push((m.name.clone(), token, dec));
    }
    Ok(out)
}

/// The Compound v2 lender of `[compound]`, as protocol [`COMPOUND`]: the real book as genesis
/// state (`crate::compound_world::add_comptroller`), and a reporter feed per priced market
/// bound to it: DAI from 3pool's DAI/USDT (Compound v2's DAI was reported, Chainlink DAI/USD;
/// USDT as $1), the markets with a price column from their hourly series; the oracle fixes
/// the others (USDC and USDT at $1, `FIXED_USD`: event file usdc-svb-2023-03, Compound v2
/// USDC row).
fn add_compound(
    l: &Loaded,
    world: &mut World,
    start: i64,
) -> Result<Option<CompoundPart>, SpiralError> {
    let Some(c) = l.spec.compound.as_ref() else {
        return Ok(None);
    };
    let book = crate::compound::read_book(l)?;
    let paths = crate::compound::price_paths(l)?;
    let markets = compound_tokens(l, c)?;
    let p0: Vec<f64> = c
        .markets
        .iter()
        .zip(&paths)
        .map(|(m, p)| price_at(m, p, start, 1.0))
        .collect();
    let reporter: Vec<bool> = c
        .markets
        .iter()
        .zip(&paths)
        .zip(&markets)
        .map(|((m, p), k)| !m.oracle_fixed && (p.is_some() || k.1 == DAI))
        .collect();
    let tokens: Vec<TokenId> = markets.iter().map(|m| m.1).collect();
    let at = Placement {
        id: COMPOUND,
        tokens: &tokens,
        reporter: &reporter,
        book0: COMPOUND_BOOK0,
        outside: COMPOUND_OUTSIDE,
    };
    let start_u = u64::try_from(start).map_err(|_| l.err("start", "before 1970"))?;
    let debt_start = add_comptroller(l, world, &book, &p0, start_u, &at)?;
    let push = Publisher::Push {
        deviation_bps: (c.feed_deviation * 1e4).round() as u32,
        heartbeat_s: c.feed_heartbeat_s,
    };
    for (i, m) in c.markets.iter().enumerate().filter(|(i, _)| reporter[*i]) {
        let source = match &paths[i] {
            Some(path) if tokens[i] != DAI => Source::Path(path.clone()),
            _ => Source::Venue {
                venue: CURVE,
                token: DAI,
                quote_token: USDT,
                quote_feed: None,
            },
        };
        let reg = world.oracles_mut();
        let feed = reg
            .add_feed(
                &format!("Compound {} reporter", m.name),
                source,
                push.clone(),
            )
            .map_err(run)?;
        reg.bind(feed, COMPOUND, tokens[i]).map_err(run)?;
    }
    world.publish_oracles().map_err(run)?;
    Ok(Some(CompoundPart {
        markets,
        debt_start,
    }))
}

/// The Aave v2 pool with its reserves, each listed with its LTV raised to its liquidation
/// threshold; [`place_book`] sets them back once the book is placed.
fn add_pool(l: &Loaded, world: &mut World, start: u64) -> Result<(), SpiralError> {
    let t = svb(l)?;
    let mut pool = Pool::new(ProtocolVersion::V2, start);
    let mut tokens = Vec::new();
    for (i, r) in t.reserves.iter().enumerate() {
        let token = token_id(&r.token);
        let cfg = reserve_config(r, decimals(token), r.liquidation_threshold);
        pool.init_reserve(start, cfg)
            .map_err(|e| l.err_in("svb.reserves", i, "ltv", format!("{e:?}")))?;
        tokens.push(token);
    }
    let aave = AaveV3::new("aave-v2", pool, tokens).map_err(run)?;
    if world.add_protocol(Box::new(aave)) != AAVE {
        return Err(run("protocol ids out of order"));
    }
    Ok(())
}

/// Curve 3pool, seeded through the venue's own LP position, and the PSM, seeded by a sale of
/// its starting USDC (the DAI minted joins the passive holder's) and then put under its
/// auto-line (last increase at the start: assumption).
fn add_venues(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let t = svb(l)?;
    let c = &t.curve;
    let pool = StableSwap::three_pool(
        U256::from(c.a.round() as u64),
        U256::from((c.fee * 1e10).round() as u64),
        U256::from((c.admin_fee * 1e10).round() as u64),
    );
    let curve =
        Curve::new("curve-3pool", pool, vec![(DAI, 18), (USDC, 6), (USDT, 6)]).map_err(run)?;
    if world.add_venue(Box::new(curve)) != CURVE {
        return Err(run("venue ids out of order"));
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(DAI, Holder::Venue(CURVE), units(DAI, c.dai))
        .and_then(|()| ledger.mint(USDC, Holder::Venue(CURVE), units(USDC, c.usdc)))
        .and_then(|()| ledger.mint(USDT, Holder::Venue(CURVE), units(USDT, c.usdt)))
        .map_err(run)?;
    world
        .with_venue(CURVE, |v, env| v.sync_liquidity(env))
        .map_err(run)?;
    let p = &t.psm;
    let state = bankrun_maker::psm::Psm::new(6, wad(p.tin), wad(p.tout), rad(p.line));
    if world.add_venue(Box::new(Psm::new("psm-usdc-a", state, USDC, DAI))) != PSM {
        return Err(run("venue ids out of order"));
    }
    let seed = units(USDC, p.usdc);
    world
        .ledger_mut()
        .mint(USDC, Holder::Agent(PASSIVE), seed)
        .map_err(run)?;
    if !seed.is_zero() {
        let sale = Call::SwapExactIn {
            token_in: USDC,
            token_out: DAI,
            amount_in: seed,
            min_out: U256::ZERO,
        };
        world
            .execute_now(PASSIVE, Target::Venue(PSM), &sale)
            .map_err(|e| l.err("psm.usdc", e.to_string()))?;
    }
    let autoline = Call::VenueFile(VenueParam::AutoLine {
        line: rad(p.line),
        gap: rad(p.gap),
        ttl: (p.ttl_hours * 3600.0).round() as u64,
    });
    world
        .execute_now(PASSIVE, Target::Venue(PSM), &autoline)
        .map_err(|e| l.err("gap", e.to_string()))?;
    Ok(())
}

/// Aave v2's feeds, ETH-denominated as its `AaveOracle` (WETH = 1 ETH): USDT/ETH at
/// 1 / ETH-USD (USDT at $1), USDC/ETH (a Chainlink push feed over the price file in replay
/// mode, over 3pool's USDC/USDT in spiral mode), DAI/ETH over 3pool's DAI/USDT in both
/// modes (no DAI path for the event in the data: assumption). Returns the USDC/USD feed the
/// agents watch and Aave's USDC/ETH feed.
fn add_feeds(
    l: &Loaded,
    world: &mut World,
    spiral: bool,
    (usdc, eth_usd): (&PricePath, &PricePath),
    start: i64,
) -> Result<(FeedId, FeedId), SpiralError> {
    let t = svb(l)?;
    let oracles = world.oracles_mut();
    let eth = Source::steps("WETH/ETH", vec![(start, 1.0)]).map_err(run)?;
    let weth = oracles
        .add_feed("WETH/ETH", eth, Publisher::Direct)
        .map_err(run)?;
    let inverse = PricePath::from_points(
        eth_usd
            .points()
            .iter()
            .map(|&(t, p)| (t, 1.0 / p))
            .collect(),
    )
    .map_err(|e| l.err("eth_prices", e))?
    .with_interpolation(Interpolation::Linear);
    let usd_eth = oracles
        .add_feed("USDT/ETH", Source::Path(inverse.clone()), Publisher::Direct)
        .map_err(run)?;
    let venue = |token, quote_feed| Source::Venue {
        venue: CURVE,
        token,
        quote_token: USDT,
        quote_feed,
    };
    let usdc_usd = if spiral {
        venue(USDC, None)
    } else {
        Source::Path(usdc.clone())
    };
    let usdc_feed = oracles
        .add_feed("USDC/USD", usdc_usd, Publisher::Direct)
        .map_err(run)?;
    let usdc_eth = if spiral {
        venue(USDC, Some(usd_eth))
    } else {
        let points = usdc
            .points()
            .iter()
            .map(|&(t, p)| (t, p * inverse.price_at(t)))
            .collect();
        Source::Path(
            PricePath::from_points(points)
                .map_err(|e| l.err("prices", e))?
                .with_interpolation(Interpolation::Linear),
        )
    };
    let push = Publisher::Push {
        deviation_bps: (t.oracle.deviation * 1e4).round() as u32,
        heartbeat_s: t.oracle.heartbeat_s,
    };
    let usdc_eth_feed = oracles
        .add_feed("USDC/ETH", usdc_eth, push.clone())
        .map_err(run)?;
    let dai_eth = oracles
        .add_feed("DAI/ETH", venue(DAI, Some(usd_eth)), push)
        .map_err(run)?;
    oracles.bind(usdc_eth_feed, AAVE, USDC).map_err(run)?;
    oracles.bind(usd_eth, AAVE, USDT).map_err(run)?;
    oracles.bind(dai_eth, AAVE, DAI).map_err(run)?;
    oracles.bind(weth, AAVE, ETH).map_err(run)?;
    world.publish_oracles().map_err(run)?;
    Ok((usdc_feed, usdc_eth_feed))
}

/// The depositors and the borrower book, placed through the pool at the start prices `p0`
/// (USD, by token id), then every reserve's LTV set to its listed value.
fn place_book(
    l: &Loaded,
    world: &mut World,
    p0: [f64; 4],
) -> Result<Vec<(String, AgentId, u32)>, SpiralError> {
    let t = svb(l)?;
    for (i, r) in t.reserves.iter().enumerate() {
        if r.supplied > 0.0 {
            let (who, token) = (SUPPLIER0 + i as AgentId, token_id(&r.token));
            supply(world, who, token, units(token, r.supplied))
                .map_err(|e| l.err_in("svb.reserves", i, "supplied", e))?;
        }
    }
    let mut groups = Vec::new();
    let mut next = BOOK0;
    for (i, b) in t.books.iter().enumerate() {
        open_group(l, world, b, next, p0).map_err(|e| l.err_in("svb.books", i, "health", e))?;
        groups.push((b.name.clone(), next, b.accounts));
        next += b.accounts;
    }
    for (i, r) in t
        .reserves
        .iter()
        .enumerate()
        .filter(|(_, r)| r.ltv != r.liquidation_threshold)
    {
        let change = AaveConfig::Ltv((r.ltv * 1e4).round() as u16);
        let call = Call::Aave(AaveCall::Configure {
            token: token_id(&r.token),
            change,
        });
        world
            .execute_now(PASSIVE, Target::Protocol(AAVE), &call)
            .map_err(|e| l.err_in("svb.reserves", i, "ltv", e.to_string()))?;
    }
    Ok(groups)
}

/// A book group: equal debt per account, collateral set so that the health factors at the
/// start prices run evenly over `health`. Borrowed tokens leave the scenario, but a
/// repaying group's accounts hold USDT equal to their debt.
fn open_group(
    l: &Loaded,
    world: &mut World,
    b: &BookSpec,
    first: AgentId,
    p0: [f64; 4],
) -> Result<(), String> {
    let t = svb(l).map_err(|e| e.to_string())?;
    let (coll, debt) = (token_id(&b.collateral), token_id(&b.debt));
    let lt = t.reserves[coll as usize].liquidation_threshold;
    let n = b.accounts;
    let owed = b.debt_total / f64::from(n);
    for k in 0..n {
        let who = first + k;
        let [lo, hi] = b.health;
        let hf = lo + (hi - lo) * (f64::from(k) + 0.5) / f64::from(n);
        let amount = hf * owed * p0[debt as usize] / (lt * p0[coll as usize]);
        supply(world, who, coll, units(coll, amount))?;
        let owed_units = units(debt, owed);
        world
            .execute_now(
                who,
                Target::Protocol(AAVE),
                &Call::Borrow {
                    token: debt,
                    amount: owed_units,
                },
            )
            .map_err(|e| format!("group {:?} account {k}: {e}", b.name))?;
        let ledger = world.ledger_mut();
        ledger
            .burn(debt, Holder::Agent(who), owed_units)
            .map_err(|e| e.to_string())?;
        if b.repay_below.is_some() {
            ledger
                .mint(USDT, Holder::Agent(who), units(USDT, owed))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// A repaying group: thresholds spread evenly over `range`, highest first.
fn repayer(
    l: &Loaded,
    b: &BookSpec,
    g: &(String, AgentId, u32),
    [lo, hi]: [f64; 2],
    feed: FeedId,
) -> Result<DiscountRepayer, SpiralError> {
    let n = g.2;
    let thresholds = (0..n)
        .map(|k| hi - (hi - lo) * (f64::from(k) + 0.5) / f64::from(n))
        .collect();
    DiscountRepayer::new(DiscountRepayerSpec {
        name: format!("repay-{}", b.name),
        protocol: AAVE,
        debt: USDC,
        pay: USDT,
        venue: CURVE,
        accounts: (g.1..g.1 + n).collect(),
        thresholds,
        price_feed: feed,
        every_blocks: 5,
        priority_gwei: BID_GWEI,
    })
    .map_err(|e| l.err("books", e.to_string()))
}

/// The scripted events: Maker's governance on the PSM, 3pool LPs' single-sided withdrawals,
/// scripted USDC sales (the scripted agent funded with the USDC it sells).
fn scripted(
    l: &Loaded,
    world: &mut World,
    start: i64,
    compound: Option<&CompoundPart>,
) -> Result<ScriptedCalls, SpiralError> {
    let t = svb(l)?;
    let mut sold = U256::ZERO;
    let mut calls = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        let at = parse_time(&e.at).map_err(|_| l.err_in("svb.events", i, "at", "bad time"))?;
        if at < start {
            return Err(l.err_in("svb.events", i, "at", "must not be before [scenario] start"));
        }
        let (target, call) = match e.kind.as_str() {
            "psm-tin" => (
                Target::Venue(PSM),
                Call::VenueFile(VenueParam::PsmTin(wad(e.value))),
            ),
            "psm-tout" => (
                Target::Venue(PSM),
                Call::VenueFile(VenueParam::PsmTout(wad(e.value))),
            ),
            "psm-gap" => (
                Target::Venue(PSM),
                Call::VenueFile(VenueParam::AutoLine {
                    line: rad(t.psm.line),
                    gap: rad(e.value),
                    ttl: (t.psm.ttl_hours * 3600.0).round() as u64,
                }),
            ),
            kind if kind.starts_with("compound-") => {
                let token = e
                    .token
                    .as_deref()
                    .and_then(|name| compound?.token(name))
                    .ok_or_else(|| l.err_in("svb.events", i, "token", "not a Compound market"))?;
                let paused = e.value == 1.0;
                let call = match kind {
                    "compound-mint-paused" => CompoundCall::MintPaused { token, paused },
                    "compound-borrow-paused" => CompoundCall::BorrowPaused { token, paused },
                    _ => CompoundCall::CollateralFactor {
                        token,
                        mantissa: wad(e.value),
                    },
                };
                (Target::Protocol(COMPOUND), Call::Compound(call))
            }
            "remove-usdt" | "remove-dai" => {
                let token = if e.kind == "remove-usdt" { USDT } else { DAI };
                let amount = units(token, e.value);
                (
                    Target::Venue(CURVE),
                    Call::RemoveLiquidity { token, amount },
                )
            }
            _ => {
                sold += units(USDC, e.value);
                (
                    Target::Venue(CURVE),
                    Call::SwapExactIn {
                        token_in: USDC,
                        token_out: USDT,
                        amount_in: units(USDC, e.value),
                        min_out: U256::ZERO,
                    },
                )
            }
        };
        calls.push(ScriptedCall {
            label: e.label.clone(),
            at: at as u64,
            target,
            call,
            condition: e.if_usdc_below.map(|below| Condition {
                venues: vec![CURVE],
                base: USDC,
                quote: USDT,
                below,
            }),
            account: None,
        });
    }
    world
        .ledger_mut()
        .mint(USDC, Holder::Agent(0), sold)
        .map_err(run)?;
    Ok(ScriptedCalls::new("scripted", calls))
}

/// A cohort of USDC holders: stakes stratified from a log-normal, thresholds
/// value-stratified; it watches the USDC/USD feed and the news, and sells on 3pool for USDT.
fn cohort(
    l: &Loaded,
    world: &mut World,
    seed: u64,
    c: &CohortSpec,
    first: AgentId,
    i: usize,
    feed: FeedId,
) -> Result<PegHolders, SpiralError> {
    let t = svb(l)?;
    let mut news = Vec::new();
    for (k, s) in t.news.iter().enumerate() {
        let at = parse_time(&s.at).map_err(|_| l.err_in("svb.news", k, "at", "bad time"))?;
        news.push((at.max(0) as u64, s.risk));
    }
    let w = WalletCohort {
        prefix: "svb",
        table: "svb.cohorts",
        token: (USDC, 6),
        quote: USDT,
        venue: CURVE,
        feed,
        risk: &t.risk,
        news,
    };
    wallet_cohort(l, world, seed, c, (first, i), w)
}

/// Mints what the scenario did not place of the USDC and DAI supplies to [`PASSIVE`].
fn place_passive(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let t = svb(l)?;
    for (token, key, total) in [
        (USDC, "usdc_supply", t.usdc_supply),
        (DAI, "dai_supply", t.dai_supply),
    ] {
        let ledger = world.ledger_mut();
        let target = units(token, total);
        let placed = ledger.supply(token);
        let rest = target.checked_sub(placed).ok_or_else(|| {
            l.err(
                key,
                format!(
                    "the scenario places {} (pools, PSM, Aave, cohorts, agents), more than the \
                     supply {total}",
                    bankrun_chain::units::units_to_tokens(placed, decimals(token))
                ),
            )
        })?;
        ledger
            .mint(token, Holder::Agent(PASSIVE), rest)
            .map_err(run)?;
    }
    Ok(())
}
