//! Builds the Terra world of a scenario in one mode: the market module and Anchor as world
//! protocols, the Curve UST/3CRV pool and the UST and LUNA CEX books as venues, the LUNA feed
//! that both protocols read, and the agents (scripted events, the peg arbitrageur, Anchor's
//! liquidator, the holder cohorts).
//!
//! Tokens: UST, LUNA, USD (dollars: USDC, USDT and 3CRV at $1, the side UST is sold for) and
//! aUST, each with 6 decimals (Terra's micro-units). The ledger holds the real UST and LUNA
//! supplies: what the scenario does not place (Anchor, the pool, the books' inventories, the
//! cohorts, the scripted actors) is held by one passive account (LUNA), so supply moves only through
//! the market module's mint and burn. UST that nobody in the scenario holds sits on the UST
//! book (its inventory).

use bankrun_chain::prices::{CsvFormat, Interpolation, PricePath, read_csv};
use bankrun_chain::time::parse_time;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::U256;
use bankrun_dex::cex::{CexMarket, CexVenue, VenueSet};
use bankrun_dex::curve::StableSwap;
use bankrun_world::agents::{
    Condition, HolderCohortSpec, Liquidator, PegArbitrageur, PegArbitrageurSpec, PegHolders,
    RiskWeights, ScriptedCall, ScriptedCalls, Signals,
};
use bankrun_world::protocols::{Anchor, AnchorGenesis, TerraMarket};
use bankrun_world::venues::{Cex, Curve};
use bankrun_world::{
    Agent, AgentId, Call, ProtocolId, Publisher, Source, Target, TerraCall, VenueId, World,
};

use crate::error::SpiralError;
use crate::spec::Loaded;
use crate::terra::spec::{CohortSpec, TerraSpec};
use crate::venues::to_wei;

/// Token ids.
pub const UST: TokenId = 0;
/// LUNA.
pub const LUNA: TokenId = 1;
/// Dollars.
pub const USD: TokenId = 2;
/// aUST.
pub const AUST: TokenId = 3;
/// Decimals of every token (Terra micro-units).
pub const DECIMALS: u8 = 6;
/// Anchor's protocol id.
pub const ANCHOR: ProtocolId = 0;
/// The market module's protocol id.
pub const MARKET: ProtocolId = 1;
/// The Curve UST/3CRV pool.
pub const CURVE: VenueId = 0;
/// The UST CEX book.
pub const UST_CEX: VenueId = 1;
/// The LUNA CEX book.
pub const LUNA_CEX: VenueId = 2;
/// The account holding the supply nobody in the scenario holds.
pub const PASSIVE: AgentId = 9_000_000;
/// First account of the cohorts (consecutive, cohort after cohort).
pub const COHORT0: AgentId = 1_000_000;
/// UST on the UST CEX book (part of the supply), besides the UST nobody else holds
/// ([`place_passive`]): assumption, exchanges' UST inventory.
const UST_CEX_INVENTORY: f64 = 1.5e9;
/// Depth multiple of the books in replay mode (of the fitted ETH book): a billion-dollar sale
/// moves the mid by about 0.1 %, so the replayed prices are the path's.
const REPLAY_DEPTH: f64 = 1e6;
/// LUNA on the LUNA CEX book (part of the supply): assumption, exchanges' LUNA inventory.
const LUNA_CEX_INVENTORY: f64 = 20e6;
/// Dollars of each book (off-chain, unbounded for the sums traded): assumption.
const USD_INVENTORY: f64 = 1e13;
/// Share of a contrarian's stake it holds in its wallet to add (assumption).
const CONTRARIAN_WALLET: f64 = 0.2;
/// UST of Anchor's liquidator (the liquidation queue's bLUNA bids, part of the supply):
/// assumption, the queue's depth in May 2022 was not found; half the loans.
const LIQUIDATOR_UST: f64 = 1.5e9;
/// Gas price every agent bids, gwei: above the scenario's stand-in base fee, so gas orders
/// nothing (Terra's fees were flat and tiny).
const BID_GWEI: f64 = 1.0;
/// Anchor's borrower accounts.
pub const BORROWERS: u32 = 500;
/// First borrower account.
pub const BORROWER0: AgentId = 5_000_000;

/// The built world.
pub struct Built {
    /// The world.
    pub world: World,
    /// Agents: scripted events (0), the arbitrageur (1), the liquidator (2), the cohorts.
    pub agents: Vec<Box<dyn Agent>>,
    /// Index of the first cohort agent.
    pub first_cohort: usize,
    /// Start and end of the window, unix seconds.
    pub window: (i64, i64),
    /// The replay paths (UST, LUNA), USD.
    pub paths: (PricePath, PricePath),
}

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

fn units(x: f64) -> U256 {
    to_wei(x, u32::from(DECIMALS))
}

/// The `[terra]` table.
pub(crate) fn terra(l: &Loaded) -> Result<&TerraSpec, SpiralError> {
    l.spec
        .terra
        .as_deref()
        .ok_or_else(|| l.err("protocol", "terra scenario needs [terra]"))
}

/// The UST and LUNA replay paths from `[terra] prices`.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn paths(l: &Loaded) -> Result<(PricePath, PricePath), SpiralError> {
    let t = terra(l)?;
    let (origin, text) = l.read_data("prices", &t.prices)?;
    let mut c = read_csv(&text, &origin, &CsvFormat::columns(&["UST", "LUNA"]))?;
    let luna = c.remove(1).with_interpolation(Interpolation::Linear);
    let ust = c.remove(0).with_interpolation(Interpolation::Linear);
    Ok((ust, luna))
}

/// Builds the world for `mode` (`"replay"` or `"spiral"`).
///
/// # Errors
/// [`SpiralError`] naming the scenario key on a setup failure.
pub fn build(l: &Loaded, seed: u64, mode: &str) -> Result<Built, SpiralError> {
    let t = terra(l)?;
    let (mut world, (start, end)) = crate::world_run::new_world(l, seed, mode, &t.end)?;
    let (ust_path, luna_path) = paths(l)?;
    let p0 = (ust_path.price_at(start), luna_path.price_at(start));
    let spiral = mode == "spiral";
    add_protocols(l, &mut world, p0.1)?;
    add_venues(l, &mut world, (&ust_path, &luna_path), p0, spiral, start)?;
    let feed = world
        .oracles_mut()
        .add_feed(
            "LUNA/USD",
            Source::Venue {
                venue: LUNA_CEX,
                token: LUNA,
                quote_token: USD,
                quote_feed: None,
            },
            Publisher::Direct,
        )
        .map_err(run)?;
    for p in [ANCHOR, MARKET] {
        world.oracles_mut().bind(feed, p, LUNA).map_err(run)?;
    }
    world.publish_oracles().map_err(run)?;
    let mut agents: Vec<Box<dyn Agent>> = Vec::new();
    agents.push(Box::new(scripted(l, &mut world, start)?));
    agents.push(Box::new(arbitrageur(l, &mut world)?));
    let liq = agents.len() as AgentId;
    world
        .ledger_mut()
        .mint(UST, Holder::Agent(liq), units(LIQUIDATOR_UST))
        .map_err(run)?;
    let liquidator = Liquidator::new(
        "anchor-liquidator",
        vec![ANCHOR],
        UST,
        units(100e6),
        BID_GWEI,
    )
    .selling_into(USD);
    agents.push(Box::new(liquidator));
    let first_cohort = agents.len();
    let mut next = COHORT0;
    for (i, c) in t.cohorts.iter().enumerate() {
        let holders = cohort(l, &mut world, seed, c, next, i)?;
        next += c.accounts;
        agents.push(Box::new(holders));
    }
    place_passive(l, &mut world)?;
    world.ledger().check_conservation().map_err(run)?;
    Ok(Built {
        world,
        agents,
        first_cohort,
        window: (start, end),
        paths: (ust_path, luna_path),
    })
}

/// Anchor (with its borrower book) and the market module, with their genesis balances.
fn add_protocols(l: &Loaded, world: &mut World, luna0: f64) -> Result<(), SpiralError> {
    let t = terra(l)?;
    let a = &t.anchor;
    // Borrowers: `BORROWERS` equal accounts at loan-to-value 40–58 % of their LUNA collateral
    // (assumption: the early-May split of bLUNA/bETH collateral was not found; all of it is
    // taken as bLUNA at the LUNA price, bLUNA = LUNA), spread evenly.
    let mut borrowers = Vec::new();
    for i in 0..BORROWERS {
        let ltv = 0.40 + 0.18 * (f64::from(i) + 0.5) / f64::from(BORROWERS);
        let debt = a.borrows / f64::from(BORROWERS);
        borrowers.push((BORROWER0 + i, units(debt / ltv / luna0), units(debt)));
    }
    let genesis = AnchorGenesis {
        deposits: units(a.deposits),
        exchange_rate: a.exchange_rate,
        yield_reserve: units(a.yield_reserve),
        deposit_rate: a.deposit_rate,
        epoch_blocks: a.epoch_blocks,
        luna_price: luna0,
        borrowers,
        bid_premium: a.bid_premium,
    };
    let anchor = Anchor::new("anchor", (UST, AUST, LUNA), genesis)
        .map_err(|e| l.err("deposits", e.to_string()))?;
    let held = anchor.genesis_holdings();
    let a_ust = anchor.a_ust_supply();
    if world.add_protocol(Box::new(anchor)) != ANCHOR {
        return Err(run("protocol ids out of order"));
    }
    let ledger = world.ledger_mut();
    for (token, amount) in held {
        ledger
            .mint(token, Holder::Protocol(ANCHOR), amount)
            .map_err(run)?;
    }
    // Every aUST starts with the passive account; the cohorts' stakes are moved from it.
    ledger
        .mint(AUST, Holder::Agent(PASSIVE), a_ust)
        .map_err(run)?;
    let market = TerraMarket::new(
        "terra-market",
        (UST, LUNA),
        t.sdr_usd,
        t.base_pool_sdr,
        t.pool_recovery_period,
        t.min_stability_spread,
    )
    .map_err(|e| l.err("base_pool_sdr", e.to_string()))?;
    if world.add_protocol(Box::new(market)) != MARKET {
        return Err(run("protocol ids out of order"));
    }
    Ok(())
}

/// The Curve pool and the two CEX books.
fn add_venues(
    l: &Loaded,
    world: &mut World,
    (ust_path, luna_path): (&PricePath, &PricePath),
    p0: (f64, f64),
    spiral: bool,
    start: i64,
) -> Result<(), SpiralError> {
    let t = terra(l)?;
    let v = &l.spec.venues;
    // UST/3CRV: a 2-coin StableSwap, both coins at 6 decimals here; fee 4 bp and admin fee
    // 50 % (Curve metapools' values; assumption for this pool).
    let rates = vec![U256::from(10u64).pow(U256::from(30u64)); 2];
    let pool = StableSwap::new(
        rates,
        U256::from(t.curve_a),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let coins = vec![(UST, DECIMALS), (USD, DECIMALS)];
    let curve = Curve::new("curve-ust-3crv", pool, coins).map_err(run)?;
    if world.add_venue(Box::new(curve)) != CURVE {
        return Err(run("venue ids out of order"));
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(UST, Holder::Venue(CURVE), units(t.curve_ust))
        .and_then(|()| ledger.mint(USD, Holder::Venue(CURVE), units(t.curve_ust)))
        .map_err(run)?;
    world
        .with_venue(CURVE, |c, env| c.sync_liquidity(env))
        .map_err(run)?;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    // In spiral mode the books keep the start price as their fundamental and the agents'
    // impact does not decay: prices move only with trades. In replay mode the prices are the
    // path's: the books are deep enough (`REPLAY_DEPTH`) that the agents' trades leave them
    // there, and what impact they have decays.
    let half_life = if spiral { 0.0 } else { v.impact_half_life_s };
    let book = |name: &str, path: &PricePath, p: f64, scale: f64, base| {
        let scale = if spiral { scale } else { REPLAY_DEPTH };
        let fitted = CexVenue::fitted(p, set).map_err(run)?;
        let market = CexMarket::new(p, fitted, scale, half_life, start);
        let followed = if spiral {
            PricePath::constant(start, p)
        } else {
            path.clone()
        };
        Ok::<_, SpiralError>(Cex::with_path(
            name,
            market,
            followed,
            (base, DECIMALS),
            (USD, DECIMALS),
        ))
    };
    let ust_book = book("cex-ust", ust_path, p0.0, t.ust_cex_depth_scale, UST)?;
    let luna_book = book("cex-luna", luna_path, p0.1, t.luna_cex_depth_scale, LUNA)?;
    if world.add_venue(Box::new(ust_book)) != UST_CEX
        || world.add_venue(Box::new(luna_book)) != LUNA_CEX
    {
        return Err(run("venue ids out of order"));
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(UST, Holder::Venue(UST_CEX), units(UST_CEX_INVENTORY))
        .and_then(|()| ledger.mint(USD, Holder::Venue(UST_CEX), units(USD_INVENTORY)))
        .and_then(|()| ledger.mint(USD, Holder::Venue(LUNA_CEX), units(USD_INVENTORY)))
        .and_then(|()| ledger.mint(LUNA, Holder::Venue(LUNA_CEX), units(LUNA_CEX_INVENTORY)))
        .map_err(run)?;
    Ok(())
}

/// The scripted events, funded with the UST they sell and the dollars they spend.
fn scripted(l: &Loaded, world: &mut World, start: i64) -> Result<ScriptedCalls, SpiralError> {
    let t = terra(l)?;
    let me: AgentId = 0;
    let (mut ust, mut usd) = (0.0, 0.0);
    let mut calls = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        let at = parse_time(&e.at).map_err(|_| l.err_in("terra.events", i, "at", "bad time"))?;
        if at < start {
            return Err(l.err_in(
                "terra.events",
                i,
                "at",
                "must not be before [scenario] start",
            ));
        }
        let venue = if e.venue.as_deref() == Some("cex") {
            UST_CEX
        } else {
            CURVE
        };
        let (target, call) = match e.kind.as_str() {
            "sell-ust" => {
                ust += e.amount;
                (
                    Target::Venue(venue),
                    Call::SwapExactIn {
                        token_in: UST,
                        token_out: USD,
                        amount_in: units(e.amount),
                        min_out: U256::ZERO,
                    },
                )
            }
            "buy-ust" if venue == CURVE => {
                usd += e.amount;
                (
                    Target::Venue(venue),
                    Call::SwapExactIn {
                        token_in: USD,
                        token_out: UST,
                        amount_in: units(e.amount),
                        min_out: U256::ZERO,
                    },
                )
            }
            "buy-ust" => {
                // A CEX book takes exact-output buys of its base: the dollars are spent at
                // the mid the book shows at the start of the block (amount / mid UST).
                usd += e.amount * 2.0;
                (
                    Target::Venue(venue),
                    Call::BuyExactOut {
                        token_in: USD,
                        token_out: UST,
                        amount_out: units(e.amount),
                        max_in: U256::MAX,
                    },
                )
            }
            "remove-ust" => (
                Target::Venue(CURVE),
                Call::RemoveLiquidity {
                    token: UST,
                    amount: units(e.amount),
                },
            ),
            "base-pool" => (
                Target::Protocol(MARKET),
                Call::Terra(TerraCall::BasePool(e.amount as u64)),
            ),
            "recovery-period" => (
                Target::Protocol(MARKET),
                Call::Terra(TerraCall::PoolRecoveryPeriod(e.amount as u64)),
            ),
            _ => (
                Target::Protocol(MARKET),
                Call::Terra(TerraCall::MinSpread((e.amount * 1e6).round() as u32)),
            ),
        };
        let condition = e.only_below.map(|below| Condition {
            venues: vec![CURVE, UST_CEX],
            base: UST,
            quote: USD,
            below,
        });
        calls.push(ScriptedCall {
            label: e.label.clone(),
            at: at as u64,
            target,
            call,
            condition,
            account: None,
        });
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(UST, Holder::Agent(me), units(ust))
        .and_then(|()| ledger.mint(USD, Holder::Agent(me), units(usd)))
        .map_err(run)?;
    Ok(ScriptedCalls::new("scripted", calls))
}

/// The peg arbitrageur, funded with its dollars.
fn arbitrageur(l: &Loaded, world: &mut World) -> Result<PegArbitrageur, SpiralError> {
    let t = terra(l)?;
    let me: AgentId = 1;
    world
        .ledger_mut()
        .mint(USD, Holder::Agent(me), units(t.arbitrageur.capital_usd))
        .map_err(run)?;
    Ok(PegArbitrageur::new(PegArbitrageurSpec {
        name: "peg-arbitrageur".into(),
        market: MARKET,
        ust_venues: (CURVE, UST_CEX),
        luna_venue: LUNA_CEX,
        tokens: (UST, LUNA, USD),
        decimals: DECIMALS,
        capital_usd: t.arbitrageur.capital_usd,
        min_profit_usd: t.arbitrageur.min_profit_usd,
        latency_blocks: l.spec.venues.arb_latency_blocks,
        priority_gwei: BID_GWEI,
    }))
}

/// A cohort: stakes stratified from a log-normal, thresholds value-stratified, contrarians
/// drawn by share; its accounts funded (aUST through Anchor's genesis, or wallet UST).
fn cohort(
    l: &Loaded,
    world: &mut World,
    seed: u64,
    c: &CohortSpec,
    first: AgentId,
    i: usize,
) -> Result<PegHolders, SpiralError> {
    use rand::RngExt;
    let t = terra(l)?;
    let n = c.accounts as usize;
    let (stakes, thresholds, mut rng) = crate::world_run::cohort_draws(
        seed,
        &format!("terra-cohort-{}", c.name),
        n,
        (c.stake, c.stake_sigma),
        (c.threshold_median, c.threshold_sigma),
    );
    let contrarian: Vec<bool> = (0..n)
        .map(|_| rng.random::<f64>() < c.contrarian_share)
        .collect();
    let accounts: Vec<AgentId> = (0..c.accounts).map(|k| first + k).collect();
    let in_anchor = c.holds == "anchor";
    for (k, &a) in accounts.iter().enumerate() {
        let stake = units(stakes[k]);
        let holder = Holder::Agent(a);
        let ledger = world.ledger_mut();
        if in_anchor {
            let a_ust = units(stakes[k] / t.anchor.exchange_rate);
            ledger.transfer(AUST, Holder::Agent(PASSIVE), holder, a_ust)
        } else {
            ledger.mint(UST, holder, stake)
        }
        .map_err(|e| l.err_in("terra.cohorts", i, "stake", e.to_string()))?;
        if contrarian[k] {
            ledger
                .mint(UST, holder, units(stakes[k] * CONTRARIAN_WALLET))
                .map_err(run)?;
        }
    }
    let r = &t.risk;
    let spec = HolderCohortSpec {
        name: c.name.clone(),
        in_anchor,
        accounts,
        stake: c.stake,
        thresholds,
        contrarian,
        attention_per_hour: c.attention_per_hour,
        news_multiplier: c.news_multiplier,
        alert_price: r.alert_price,
        exit_fraction: c.exit_fraction,
        sell_share: c.sell_share,
        hold_below: 0.0,
        weights: RiskWeights {
            kink: r.kink,
            outflow: r.outflow,
            coverage: r.coverage,
        },
        news: Vec::new(),
        signals: Signals {
            token: UST,
            quote: USD,
            decimals: DECIMALS,
            par: 1.0,
            kink_below: 0.99,
            coverage: Some((LUNA, LUNA_CEX)),
            anchor: Some((ANCHOR, AUST)),
            sell_venues: vec![CURVE, UST_CEX],
            price_feed: None,
        },
        block_seconds: l.spec.scenario.block_seconds,
        priority_gwei: BID_GWEI,
    };
    let rng = bankrun_chain::rng::stream(seed, &format!("terra-attention-{}", c.name));
    PegHolders::new(spec, rng).map_err(run)
}

/// Mints what the scenario did not place of the UST supply to the UST book (UST nobody in the
/// scenario holds is taken to sit on the exchanges: the book's inventory), and of the LUNA
/// supply to [`PASSIVE`].
fn place_passive(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let t = terra(l)?;
    let ledger = world.ledger_mut();
    for (token, supply, key) in [
        (UST, t.ust_supply, "ust_supply"),
        (LUNA, t.luna_supply, "luna_supply"),
    ] {
        let target = units(supply);
        let placed = ledger.supply(token);
        let rest = target.checked_sub(placed).ok_or_else(|| {
            l.err(
                key,
                format!(
                    "the scenario places {} (Anchor, the pool, books, cohorts, scripted actors, \
                     borrowers' collateral), more than the supply {supply}",
                    bankrun_chain::units::units_to_tokens(placed, DECIMALS)
                ),
            )
        })?;
        let to = if token == UST {
            Holder::Venue(UST_CEX)
        } else {
            Holder::Agent(PASSIVE)
        };
        ledger.mint(token, to, rest).map_err(run)?;
    }
    Ok(())
}
