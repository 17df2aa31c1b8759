//! Builds the stETH world of a scenario in one mode: the Aave v2 pool as a world protocol, the
//! Curve stETH/ETH pool as a venue, the ETH-denominated feeds Aave v2 reads, and the agents
//! (scripted events, liquidators, dip buyers, holder cohorts).
//!
//! Tokens: ETH (WETH and ETH alike), stETH, USDC and DAI, 18 decimals but USDC's 6. stETH is
//! not redeemable (no Lido withdrawals before Shapella): the pool is the exit. The ledger
//! holds the real stETH supply; what the scenario does not place (the pool, Aave, the cohorts,
//! the scripted actors) is held by one passive account.

use bankrun_aave::{InterestRateData, Pool, ProtocolVersion, ReserveConfig};
use bankrun_chain::prices::{CsvFormat, Interpolation, PricePath, read_csv};
use bankrun_chain::time::parse_time;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::U256;
use bankrun_dex::curve::StableSwap;
use bankrun_world::agents::{
    DipBuyer, DipBuyerSpec, HolderCohortSpec, Liquidator, PegHolders, RiskWeights, ScriptedCall,
    ScriptedCalls, Signals,
};
use bankrun_world::protocols::AaveV3;
use bankrun_world::venues::Curve;
use bankrun_world::{
    AaveCall, AaveConfig, Agent, AgentId, Call, FeedId, ProtocolId, Publisher, Source, Target,
    VenueId, World,
};

use crate::error::SpiralError;
use crate::spec::Loaded;
use crate::steth::spec::{BookSpec, CohortSpec, ReserveSpec, StethSpec};
use crate::venues::to_wei;

/// ETH (and WETH).
pub const ETH: TokenId = 0;
/// stETH.
pub const STETH: TokenId = 1;
/// USDC.
pub const USDC: TokenId = 2;
/// DAI.
pub const DAI: TokenId = 3;
/// The Aave v2 pool's protocol id.
pub const AAVE: ProtocolId = 0;
/// The Curve stETH/ETH pool.
pub const CURVE: VenueId = 0;
/// The account holding the stETH supply nobody in the scenario holds.
pub const PASSIVE: AgentId = 9_000_000;
/// Depositors of the reserves, one account per reserve (`SUPPLIER0 + reserve`). Aave's user
/// table is dense in account ids, so the pool's users (agents, depositors, the book) take small
/// ids.
pub const SUPPLIER0: AgentId = 100;
/// First account of the cohorts.
pub const COHORT0: AgentId = 1_000_000;
/// First account of the borrower book (groups consecutive).
pub const BOOK0: AgentId = 1_000;
/// Gas price every agent bids, gwei (under EIP-1559 a bid must clear the base fee; assumption:
/// well above the scenario's, so gas orders the block but decides nothing).
const BID_GWEI: f64 = 100.0;

/// The built world.
pub struct Built {
    /// The world.
    pub world: World,
    /// Agents: scripted events (0), the liquidators, the dip buyers, the cohorts.
    pub agents: Vec<Box<dyn Agent>>,
    /// Index of the first liquidator, dip buyer and cohort agent.
    pub first: (usize, usize, usize),
    /// Start and end of the window, unix seconds.
    pub window: (i64, i64),
    /// The price file's paths: stETH/ETH and ETH/USD.
    pub paths: (PricePath, PricePath),
    /// The stETH/ETH feed Aave v2 reads.
    pub steth_feed: FeedId,
    /// Book groups: (name, first account, accounts).
    pub groups: Vec<(String, AgentId, u32)>,
}

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// Decimals of a token.
pub fn decimals(token: TokenId) -> u8 {
    if token == USDC { 6 } else { 18 }
}

fn units(token: TokenId, x: f64) -> U256 {
    to_wei(x, u32::from(decimals(token)))
}

fn token_id(symbol: &str) -> TokenId {
    match symbol {
        "WETH" => ETH,
        "stETH" => STETH,
        "USDC" => USDC,
        _ => DAI,
    }
}

/// The `[steth]` table.
pub(crate) fn steth(l: &Loaded) -> Result<&StethSpec, SpiralError> {
    l.spec
        .steth
        .as_deref()
        .ok_or_else(|| l.err("protocol", "steth scenario needs [steth]"))
}

/// The stETH/ETH and ETH/USD paths from `[steth] prices`.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn paths(l: &Loaded) -> Result<(PricePath, PricePath), SpiralError> {
    let t = steth(l)?;
    let (origin, text) = l.read_data("prices", &t.prices)?;
    let mut c = read_csv(
        &text,
        &origin,
        &CsvFormat::columns(&["stETH_ETH", "ETH_USD"]),
    )?;
    let eth = c.remove(1).with_interpolation(Interpolation::Linear);
    let ratio = c.remove(0).with_interpolation(Interpolation::Linear);
    Ok((ratio, eth))
}

/// Builds the world for `mode` (`"replay"` or `"spiral"`).
///
/// # Errors
/// [`SpiralError`] naming the scenario key on a setup failure.
pub fn build(l: &Loaded, seed: u64, mode: &str) -> Result<Built, SpiralError> {
    let t = steth(l)?;
    let (mut world, (start, end)) = crate::world_run::new_world(l, seed, mode, &t.end)?;
    let (ratio, eth_usd) = paths(l)?;
    let start_u = u64::try_from(start).map_err(|_| l.err("start", "before 1970"))?;
    add_pool(l, &mut world, start_u)?;
    add_curve(l, &mut world)?;
    let steth_feed = add_feeds(l, &mut world, mode == "spiral", (&ratio, &eth_usd), start)?;
    let groups = place_book(l, &mut world, (&ratio, &eth_usd), start)?;
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(scripted(l, &mut world, start, &groups)?)];
    let first_liquidator = agents.len();
    for q in &t.liquidators {
        let me = agents.len() as AgentId;
        let token = token_id(&q.repays);
        world
            .ledger_mut()
            .mint(token, Holder::Agent(me), units(token, q.capital))
            .map_err(run)?;
        let liquidator = Liquidator::new(
            &q.name,
            vec![AAVE],
            token,
            units(token, q.max_repay),
            BID_GWEI,
        )
        .selling_into(ETH)
        .selling_above(q.min_sale_price);
        agents.push(Box::new(liquidator));
    }
    let first_buyer = agents.len();
    for b in &t.buyers {
        let me = agents.len() as AgentId;
        world
            .ledger_mut()
            .mint(ETH, Holder::Agent(me), units(ETH, b.budget_eth))
            .map_err(run)?;
        agents.push(Box::new(DipBuyer::new(DipBuyerSpec {
            name: b.name.clone(),
            venue: CURVE,
            tokens: (STETH, ETH),
            below: b.below,
            clip: units(ETH, b.clip_eth),
            budget: units(ETH, b.budget_eth),
            every_blocks: b.every_blocks,
            from: 0,
            priority_gwei: BID_GWEI,
        })));
    }
    let first_cohort = agents.len();
    let mut next = COHORT0;
    for (i, c) in t.cohorts.iter().enumerate() {
        agents.push(Box::new(cohort(
            l, &mut world, seed, c, next, i, steth_feed,
        )?));
        next += c.accounts;
    }
    place_passive(l, &mut world)?;
    world.ledger().check_conservation().map_err(run)?;
    Ok(Built {
        world,
        agents,
        first: (first_liquidator, first_buyer, first_cohort),
        window: (start, end),
        paths: (ratio, eth_usd),
        steth_feed,
        groups,
    })
}

fn bps(x: f64) -> u16 {
    (x * 1e4).round().clamp(0.0, 65_535.0) as u16
}

fn rate_bps(x: f64) -> u32 {
    (x * 1e4).round().clamp(0.0, 4e9) as u32
}

/// An Aave reserve's configuration from its `[[…reserves]]` entry, with `ltv` (listing at
/// a raised LTV lets a book be placed at health factors below LT / LTV).
pub(crate) fn reserve_config(r: &ReserveSpec, decimals: u8, ltv: f64) -> ReserveConfig {
    ReserveConfig {
        symbol: r.token.clone(),
        decimals,
        ltv: bps(ltv),
        liquidation_threshold: bps(r.liquidation_threshold),
        // A reserve that is not collateral (LT 0) carries no bonus (Aave's configurator).
        liquidation_bonus: if r.liquidation_threshold > 0.0 {
            10_000 + bps(r.liquidation_bonus)
        } else {
            0
        },
        reserve_factor: bps(r.reserve_factor),
        liquidation_protocol_fee: 0,
        supply_cap: 0,
        borrow_cap: 0,
        borrowing_enabled: r.borrowing,
        frozen: false,
        paused: false,
        rate: InterestRateData {
            optimal_usage_ratio: bps(r.optimal_utilization),
            base_variable_borrow_rate: rate_bps(r.base_rate),
            variable_rate_slope1: rate_bps(r.slope1),
            variable_rate_slope2: rate_bps(r.slope2),
        },
    }
}

/// The Aave v2 pool with its reserves. The stETH reserve is listed with its LTV raised to its
/// liquidation threshold; [`place_book`] sets it back once the book is placed.
fn add_pool(l: &Loaded, world: &mut World, start: u64) -> Result<(), SpiralError> {
    let t = steth(l)?;
    let mut pool = Pool::new(ProtocolVersion::V2, start);
    let mut tokens = Vec::new();
    for (i, r) in t.reserves.iter().enumerate() {
        let token = token_id(&r.token);
        let ltv = if token == STETH {
            r.liquidation_threshold
        } else {
            r.ltv
        };
        let cfg = reserve_config(r, decimals(token), ltv);
        pool.init_reserve(start, cfg)
            .map_err(|e| l.err_in("steth.reserves", i, "ltv", format!("{e:?}")))?;
        tokens.push(token);
    }
    let aave = AaveV3::new("aave-v2", pool, tokens).map_err(run)?;
    if world.add_protocol(Box::new(aave)) != AAVE {
        return Err(run("protocol ids out of order"));
    }
    Ok(())
}

/// The Curve stETH/ETH pool, seeded through the venue's own LP position.
fn add_curve(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let c = &steth(l)?.curve;
    let e18 = U256::from(10u64).pow(U256::from(18u64));
    let pool = StableSwap::new(
        vec![e18, e18],
        U256::from((c.a * 100.0).round() as u64),
        U256::from((c.fee * 1e10).round() as u64),
        U256::from((c.admin_fee * 1e10).round() as u64),
    )
    .with_a_precision(U256::from(100u64));
    let curve = Curve::new("curve-steth-eth", pool, vec![(ETH, 18), (STETH, 18)]).map_err(run)?;
    if world.add_venue(Box::new(curve)) != CURVE {
        return Err(run("venue ids out of order"));
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(ETH, Holder::Venue(CURVE), units(ETH, c.eth))
        .and_then(|()| ledger.mint(STETH, Holder::Venue(CURVE), units(STETH, c.steth)))
        .map_err(run)?;
    world
        .with_venue(CURVE, |v, env| v.sync_liquidity(env))
        .map_err(run)
}

/// Aave v2's feeds, ETH-denominated as its `AaveOracle` (WETH = 1 ETH): stETH/ETH (a Chainlink
/// push feed over the price file in replay mode, over the Curve pool in spiral mode), and
/// USDC/ETH and DAI/ETH at 1/ETH-USD (stablecoins at $1; assumption: read every block).
fn add_feeds(
    l: &Loaded,
    world: &mut World,
    spiral: bool,
    (ratio, eth_usd): (&PricePath, &PricePath),
    start: i64,
) -> Result<FeedId, SpiralError> {
    let t = steth(l)?;
    let oracles = world.oracles_mut();
    let eth = Source::steps("WETH/ETH", vec![(start, 1.0)]).map_err(run)?;
    let weth = oracles
        .add_feed("WETH/ETH", eth, Publisher::Direct)
        .map_err(run)?;
    let source = if spiral {
        Source::Venue {
            venue: CURVE,
            token: STETH,
            quote_token: ETH,
            quote_feed: None,
        }
    } else {
        Source::Path(ratio.clone())
    };
    let push = Publisher::Push {
        deviation_bps: (t.oracle.deviation * 1e4).round() as u32,
        heartbeat_s: t.oracle.heartbeat_s,
    };
    let steth_feed = oracles.add_feed("stETH/ETH", source, push).map_err(run)?;
    let inverse = PricePath::from_points(
        eth_usd
            .points()
            .iter()
            .map(|&(t, p)| (t, 1.0 / p))
            .collect(),
    )
    .map_err(|e| l.err("prices", e))?
    .with_interpolation(Interpolation::Linear);
    let stables = oracles
        .add_feed("USD/ETH", Source::Path(inverse), Publisher::Direct)
        .map_err(run)?;
    oracles.bind(weth, AAVE, ETH).map_err(run)?;
    oracles.bind(steth_feed, AAVE, STETH).map_err(run)?;
    for r in &t.reserves[2..] {
        oracles
            .bind(stables, AAVE, token_id(&r.token))
            .map_err(run)?;
    }
    world.publish_oracles().map_err(run)?;
    Ok(steth_feed)
}

/// The depositors and the borrower book, placed through the pool at the start, then the stETH
/// LTV set to its listed value (positions opened before AIP-75 cut it from 73 % and at a
/// price near 1 sit above today's LTV: the book is placed at its stated health factors).
fn place_book(
    l: &Loaded,
    world: &mut World,
    (ratio, eth_usd): (&PricePath, &PricePath),
    start: i64,
) -> Result<Vec<(String, AgentId, u32)>, SpiralError> {
    let t = steth(l)?;
    for (i, r) in t.reserves.iter().enumerate() {
        if r.supplied > 0.0 {
            let (who, token) = (SUPPLIER0 + i as AgentId, token_id(&r.token));
            supply(world, who, token, units(token, r.supplied))
                .map_err(|e| l.err_in("steth.reserves", i, "supplied", e))?;
        }
    }
    let p0 = (ratio.price_at(start), eth_usd.price_at(start));
    let mut groups = Vec::new();
    let mut next = BOOK0;
    for (i, b) in t.books.iter().enumerate() {
        open_group(l, world, b, next, p0).map_err(|e| l.err_in("steth.books", i, "health", e))?;
        groups.push((b.name.clone(), next, b.accounts));
        next += b.accounts;
    }
    let ltv = bps(t.reserves[1].ltv);
    world
        .execute_now(
            PASSIVE,
            Target::Protocol(AAVE),
            &Call::Aave(AaveCall::Configure {
                token: STETH,
                change: AaveConfig::Ltv(ltv),
            }),
        )
        .map_err(|e| l.err_in("steth.reserves", 1, "ltv", e.to_string()))?;
    Ok(groups)
}

pub(crate) fn supply(
    world: &mut World,
    who: AgentId,
    token: TokenId,
    amount: U256,
) -> Result<(), String> {
    world
        .ledger_mut()
        .mint(token, Holder::Agent(who), amount)
        .map_err(|e| e.to_string())?;
    world
        .execute_now(who, Target::Protocol(AAVE), &Call::Supply { token, amount })
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A book group: equal stETH collateral per account, debt set so that the health factors at
/// the start prices `p0 = (stETH/ETH, ETH/USD)` run evenly over `health`.
fn open_group(
    l: &Loaded,
    world: &mut World,
    b: &BookSpec,
    first: AgentId,
    p0: (f64, f64),
) -> Result<(), String> {
    let t = steth(l).map_err(|e| e.to_string())?;
    let lt = t.reserves[1].liquidation_threshold;
    let n = b.accounts;
    let coll = b.steth / f64::from(n);
    for k in 0..n {
        let who = first + k;
        supply(world, who, STETH, units(STETH, coll))?;
        let Some(debt) = &b.debt else { continue };
        let [lo, hi] = b.health;
        let hf = lo + (hi - lo) * (f64::from(k) + 0.5) / f64::from(n);
        let debt_eth = lt * coll * p0.0 / hf;
        let legs: Vec<(TokenId, f64)> = match debt.as_str() {
            "WETH" => vec![(ETH, debt_eth)],
            "stables" => vec![
                (USDC, debt_eth * p0.1 * b.usdc_share),
                (DAI, debt_eth * p0.1 * (1.0 - b.usdc_share)),
            ],
            other => vec![(token_id(other), debt_eth * p0.1)],
        };
        for (token, amount) in legs.into_iter().filter(|(_, a)| *a > 0.0) {
            let amount = units(token, amount);
            world
                .execute_now(who, Target::Protocol(AAVE), &Call::Borrow { token, amount })
                .map_err(|e| format!("group {:?} account {k}: {e}", b.name))?;
            // The borrowed tokens leave the scenario (spent elsewhere, as loops re-stake them).
            world
                .ledger_mut()
                .burn(token, Holder::Agent(who), amount)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The scripted events, funded with the stETH they sell.
fn scripted(
    l: &Loaded,
    world: &mut World,
    start: i64,
    groups: &[(String, AgentId, u32)],
) -> Result<ScriptedCalls, SpiralError> {
    let t = steth(l)?;
    let me: AgentId = 0;
    let mut sold = U256::ZERO;
    let mut calls = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        let at = parse_time(&e.at).map_err(|_| l.err_in("steth.events", i, "at", "bad time"))?;
        if at < start {
            return Err(l.err_in(
                "steth.events",
                i,
                "at",
                "must not be before [scenario] start",
            ));
        }
        let account = e
            .book
            .as_ref()
            .and_then(|b| groups.iter().find(|g| &g.0 == b))
            .map(|g| g.1);
        let (target, call) = match e.kind.as_str() {
            "sell-steth" => {
                if account.is_none() {
                    sold += units(STETH, e.amount);
                }
                (
                    Target::Venue(CURVE),
                    Call::SwapExactIn {
                        token_in: STETH,
                        token_out: ETH,
                        amount_in: units(STETH, e.amount),
                        min_out: U256::ZERO,
                    },
                )
            }
            "withdraw-steth" => (
                Target::Protocol(AAVE),
                Call::Withdraw {
                    token: STETH,
                    amount: units(STETH, e.amount),
                },
            ),
            "remove-eth" => (
                Target::Venue(CURVE),
                Call::RemoveLiquidity {
                    token: ETH,
                    amount: units(ETH, e.amount),
                },
            ),
            _ => (
                Target::Protocol(AAVE),
                Call::Aave(AaveCall::Configure {
                    token: STETH,
                    change: AaveConfig::Freeze(true),
                }),
            ),
        };
        calls.push(ScriptedCall {
            label: e.label.clone(),
            at: at as u64,
            target,
            call,
            condition: None,
            account,
        });
    }
    world
        .ledger_mut()
        .mint(STETH, Holder::Agent(me), sold)
        .map_err(run)?;
    Ok(ScriptedCalls::new("scripted", calls))
}

/// A cohort of wallet holders: stakes stratified from a log-normal, thresholds
/// value-stratified; it watches Aave's stETH feed's market price and sells on the pool.
fn cohort(
    l: &Loaded,
    world: &mut World,
    seed: u64,
    c: &CohortSpec,
    first: AgentId,
    i: usize,
    feed: FeedId,
) -> Result<PegHolders, SpiralError> {
    let t = steth(l)?;
    let w = WalletCohort {
        prefix: "steth",
        table: "steth.cohorts",
        token: (STETH, 18),
        quote: ETH,
        venue: CURVE,
        feed,
        risk: &t.risk,
        news: Vec::new(),
    };
    wallet_cohort(l, world, seed, c, (first, i), w)
}

/// Where a wallet cohort's stake is, what it is sold for, and what its holders watch.
pub(crate) struct WalletCohort<'a> {
    /// Prefix of its named random streams (`<prefix>-cohort-<name>`,
    /// `<prefix>-attention-<name>`).
    pub prefix: &'a str,
    /// Its scenario table, for errors.
    pub table: &'a str,
    /// The token held and its decimals.
    pub token: (TokenId, u8),
    /// The token it is sold for.
    pub quote: TokenId,
    /// The venue it is sold on.
    pub venue: VenueId,
    /// The feed whose market price the holders watch.
    pub feed: FeedId,
    /// The perceived-risk settings.
    pub risk: &'a crate::steth::spec::RiskSpec,
    /// News steps `(unix seconds, risk)`.
    pub news: Vec<(u64, f64)>,
}

/// A cohort of wallet holders (`PegHolders`) of account ids from `first`, entry `i` of its
/// table: stakes stratified from a log-normal and minted to the accounts, thresholds
/// value-stratified (`world_run::cohort_draws`).
///
/// # Errors
/// Located [`SpiralError::BadInput`] for a stake the ledger refuses.
pub(crate) fn wallet_cohort(
    l: &Loaded,
    world: &mut World,
    seed: u64,
    c: &CohortSpec,
    (first, i): (AgentId, usize),
    w: WalletCohort<'_>,
) -> Result<PegHolders, SpiralError> {
    let n = c.accounts as usize;
    let (stakes, thresholds, _) = crate::world_run::cohort_draws(
        seed,
        &format!("{}-cohort-{}", w.prefix, c.name),
        n,
        (c.stake, c.stake_sigma),
        (c.threshold_median, c.threshold_sigma),
    );
    let accounts: Vec<AgentId> = (0..c.accounts).map(|k| first + k).collect();
    let (token, decimals) = w.token;
    for (k, &a) in accounts.iter().enumerate() {
        world
            .ledger_mut()
            .mint(
                token,
                Holder::Agent(a),
                to_wei(stakes[k], u32::from(decimals)),
            )
            .map_err(|e| l.err_in(w.table, i, "stake", e.to_string()))?;
    }
    let r = w.risk;
    let spec = HolderCohortSpec {
        name: c.name.clone(),
        in_anchor: false,
        accounts,
        stake: c.stake,
        thresholds,
        contrarian: vec![false; n],
        attention_per_hour: c.attention_per_hour,
        news_multiplier: c.news_multiplier,
        alert_price: r.kink_below,
        exit_fraction: c.exit_fraction,
        sell_share: 1.0,
        hold_below: r.hold_below,
        weights: RiskWeights {
            kink: r.kink,
            outflow: 0.0,
            coverage: 0.0,
        },
        news: w.news,
        signals: Signals {
            token,
            quote: w.quote,
            decimals,
            par: r.par,
            kink_below: r.kink_below,
            coverage: None,
            anchor: None,
            sell_venues: vec![w.venue],
            price_feed: Some(w.feed),
        },
        block_seconds: l.spec.scenario.block_seconds,
        priority_gwei: BID_GWEI,
    };
    let rng = bankrun_chain::rng::stream(seed, &format!("{}-attention-{}", w.prefix, c.name));
    PegHolders::new(spec, rng).map_err(run)
}

/// Mints what the scenario did not place of the stETH supply to [`PASSIVE`].
fn place_passive(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let t = steth(l)?;
    let ledger = world.ledger_mut();
    let target = units(STETH, t.steth_supply);
    let placed = ledger.supply(STETH);
    let rest = target.checked_sub(placed).ok_or_else(|| {
        l.err(
            "steth_supply",
            format!(
                "the scenario places {} stETH (the pool, Aave, cohorts, scripted actors), more \
                 than the supply {}",
                bankrun_chain::units::units_to_tokens(placed, 18),
                t.steth_supply
            ),
        )
    })?;
    ledger
        .mint(STETH, Holder::Agent(PASSIVE), rest)
        .map_err(run)
}
