//! Builds the Black Thursday world from a Maker scenario: the exact Maker protocol with its
//! vault book, the ETH/DAI Uniswap v2 pool and CEX book as venues, the Medianizer → OSM →
//! Spotter price path in the oracle registry, the legacy gas market with the real gas path,
//! and the agents (keepers, the pool arbitrageur, the spells).

use bankrun_agents::GasStrategy;
use bankrun_chain::gas::{GasMarket, std_normal};
use bankrun_chain::rng::stream;
use bankrun_chain::time::parse_time;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::cex::{CexMarket, CexVenue, VenueSet};
use bankrun_maker::{MakerError, U256};
use bankrun_world::agents::{
    FlipKeeper, FlipKeeperSpec, KeeperGas, KeeperMarkets, MakerSpell, VenueArbitrageur,
    VenueArbitrageurSpec,
};
use bankrun_world::protocols::maker::{
    Maker, MakerParams, OpenVaultError, duty_of_annual_fee, to_fixed,
};
use bankrun_world::venues::{Cex, UniswapV2};
use bankrun_world::{
    Agent, AgentId, Call, ChainConfig, Env, GasSchedule, MakerCall, MakerParam, ProtocolId,
    Publisher, Source, VenueId, World,
};
use rand::RngExt;

use super::MakerInputs;
use crate::error::SpiralError;
use crate::spec::Loaded;

/// WETH (ETH-A's collateral) in the ledger.
pub const WETH: TokenId = 0;
/// ERC-20 DAI in the ledger.
pub const DAI: TokenId = 1;
/// The Maker protocol's id.
pub const MAKER: ProtocolId = 0;
/// The ETH/DAI Uniswap v2 pool's id.
pub const POOL: VenueId = 0;
/// The CEX book's id.
pub const CEX: VenueId = 1;
/// The Medianizer feed.
pub const MEDIAN_FEED: u32 = 0;
/// The OSM feed (the price the Spotter pokes).
pub const OSM_FEED: u32 = 1;
/// CEX inventory of ETH (wei): a stand-in for unbounded depth (assumption of the model).
const CEX_ETH: f64 = 1e9;
/// CEX inventory of DAI: as above.
const CEX_DAI: f64 = 1e13;
/// The arbitrageur's wallet: ETH and DAI.
const ARB_WALLET: (f64, f64) = (1e6, 1e9);

/// The world's agents, in the order they act.
type Agents = Vec<Box<dyn Agent>>;

/// The built world and its agents, in the order they act: keepers, the arbitrageur, spells.
pub struct Built {
    /// The world.
    pub world: World,
    /// Agents.
    pub agents: Vec<Box<dyn Agent>>,
    /// Keepers' names, by agent id (the first `keepers.len()` agents).
    pub keepers: Vec<String>,
    /// The arbitrageur's agent id.
    pub arbitrageur: AgentId,
    /// Vaults in the book.
    pub vaults: u32,
}

/// The vault book: `(ink, art)` per vault, wad (log-normal debts scaled to the total, the
/// collateral ratio drawn from the scenario's bands; stream `maker_book`).
///
/// # Errors
/// [`SpiralError::BadInput`] when the scenario lacks `[maker]` or `[book]`.
pub fn book(l: &Loaded, inp: &MakerInputs, seed: u64) -> Result<Vec<(U256, U256)>, SpiralError> {
    let s = &l.spec;
    let mk = s
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    let book = s
        .book
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [book]"))?;
    let p0 = inp.eth.price_at(inp.start);
    let mut rng = stream(seed, "maker_book");
    let raw: Vec<f64> = (0..book.vaults)
        .map(|_| (book.debt_sigma * std_normal(&mut rng)).exp())
        .collect();
    let scale = book.total_debt_dai / raw.iter().sum::<f64>();
    let ray = U256::from(10u64).pow(U256::from(27u64));
    let dust_art = to_fixed(mk.dust_dai, 45).div_ceil(ray);
    let mut out = Vec::with_capacity(raw.len());
    for r in &raw {
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let mut cr = book.cr_bands[book.cr_bands.len() - 1][1];
        for b in &book.cr_bands {
            if u < acc + b[2] {
                cr = b[0] + (b[1] - b[0]) * (u - acc) / b[2].max(1e-12);
                break;
            }
            acc += b[2];
        }
        let debt = (r * scale).max(mk.dust_dai);
        // At least the dust in integer terms (`art·rate ≥ dust`, rate = 1 ray): the f64 → wad
        // and f64 → rad conversions of the same number can differ in the last digits.
        let art = to_fixed(debt, 18).max(dust_art);
        let ink = to_fixed(debt * cr / p0, 18);
        out.push((ink, art));
    }
    Ok(out)
}

/// Builds the world at the start of the window.
///
/// # Errors
/// [`SpiralError`] naming the scenario key on a setup failure.
pub fn build(l: &Loaded, inp: &MakerInputs, seed: u64) -> Result<Built, SpiralError> {
    let s = &l.spec;
    let mk = s
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    if !(mk.stability_fee.is_finite() && mk.stability_fee >= 0.0) {
        return Err(l.err("stability_fee", "must be a fraction ≥ 0"));
    }
    let start = u64::try_from(inp.start).map_err(|_| l.err("start", "before 1970"))?;
    let p0 = inp.eth.price_at(inp.start);
    let g = &s.gas;
    let cfg = ChainConfig {
        start,
        block_time_s: s.scenario.block_seconds,
        block_gas: g.block_gas_limit,
        gas: GasSchedule::default(),
    };
    let mut world = World::new(cfg, seed);
    // The stream names of the runner this world replaced, so a seed keeps its draws.
    world.set_stream_names(seed, "mempool", "gas");
    world.set_gas_market(GasMarket::new(
        inp.gas.clone(),
        g.block_gas_limit,
        g.agent_gas_share,
    ));
    world.set_tx_ttl(g.tx_ttl_blocks);
    world.set_oracle_update_gas(g.oracle_update_gas);
    add_venues(l, inp, &mut world, p0)?;
    let mut maker = Maker::new(&params(l, p0)?, WETH, DAI, start).map_err(run)?;
    let vaults = open_book(l, inp, seed, &mut world, &mut maker)?;
    let (agents, keepers) = agents(l, &mut world, &mut maker)?;
    if world.add_protocol(Box::new(maker)) != MAKER {
        return Err(SpiralError::Run(
            "the Maker protocol must be the first".into(),
        ));
    }
    oracles(l, &mut world)?;
    world.publish_oracles().map_err(run)?;
    let arbitrageur = keepers.len() as AgentId;
    Ok(Built {
        world,
        agents,
        keepers,
        arbitrageur,
        vaults,
    })
}

fn run(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

/// ETH-A's deployment parameters from `[maker]`.
fn params(l: &Loaded, p0: f64) -> Result<MakerParams, SpiralError> {
    let mk = l
        .spec
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    Ok(MakerParams {
        mat: to_fixed(mk.mat, 27),
        chop: to_fixed(mk.chop, 27),
        lump: to_fixed(mk.lump_eth, 18),
        beg: to_fixed(mk.beg, 18),
        ttl_s: mk.ttl_s,
        tau_s: mk.tau_s,
        line: to_fixed(mk.line_dai, 45),
        dust: to_fixed(mk.dust_dai, 45),
        duty: duty_of_annual_fee(mk.stability_fee),
        spot_price: to_fixed(p0, 18),
        drip_every_s: mk.osm_hop_s,
    })
}

/// An environment for setup calls on the protocol that will be [`MAKER`].
fn env(world: &mut World) -> Env<'_> {
    Env {
        now: world.now(),
        block: 0,
        ledger: world.ledger_mut(),
        holder: Holder::Protocol(MAKER),
    }
}

/// The pool (seeded at `pool_eth` and the start price) and the CEX book (the fitted depth
/// scaled by `cex_depth_scale`, following the real path, linear between closes).
fn add_venues(
    l: &Loaded,
    inp: &MakerInputs,
    world: &mut World,
    p0: f64,
) -> Result<(), SpiralError> {
    let v = &l.spec.venues;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    let fitted = CexVenue::fitted(p0, set).map_err(run)?;
    let market = CexMarket::new(
        p0,
        fitted,
        v.cex_depth_scale,
        v.impact_half_life_s,
        inp.start,
    );
    let pool = UniswapV2::new("uniswap", (WETH, 18), (DAI, 18), false);
    let cex = Cex::with_path("cex", market, inp.eth.clone(), (WETH, 18), (DAI, 18));
    if world.add_venue(Box::new(pool)) != POOL || world.add_venue(Box::new(cex)) != CEX {
        return Err(SpiralError::Run("venue ids out of order".into()));
    }
    let ledger = world.ledger_mut();
    ledger
        .mint(WETH, Holder::Venue(POOL), to_fixed(v.pool_eth, 18))
        .and_then(|()| ledger.mint(WETH, Holder::Venue(CEX), to_fixed(CEX_ETH, 18)))
        .map_err(run)
}

/// Opens the vault book, backs the DAI outside the Vat (pool, CEX, arbitrageur), and seeds
/// the pool. Returns the number of vaults.
fn open_book(
    l: &Loaded,
    inp: &MakerInputs,
    seed: u64,
    world: &mut World,
    maker: &mut Maker,
) -> Result<u32, SpiralError> {
    let vaults = book(l, inp, seed)?;
    let p0 = inp.eth.price_at(inp.start);
    let v = &l.spec.venues;
    let mut e = env(world);
    for (i, &(ink, art)) in vaults.iter().enumerate() {
        maker
            .open_vault(&mut e, i as u32, ink, art)
            .map_err(|err| {
                let key = match err.maker_error() {
                    Some(MakerError::CeilingExceeded) => "line_dai",
                    Some(MakerError::Dust) => "dust_dai",
                    _ => "cr_bands",
                };
                let err = match err {
                    OpenVaultError::Contract { error, .. } => format!("{error}"),
                    other => other.to_string(),
                };
                l.err(key, format!("book vault {i} cannot be opened: {err}"))
            })?;
    }
    let backed = [
        (Holder::Venue(POOL), to_fixed(v.pool_eth * p0, 18)),
        (Holder::Venue(CEX), to_fixed(CEX_DAI, 18)),
    ];
    for (to, wad) in backed {
        maker.mint_backed_dai(&mut e, to, wad).map_err(run)?;
    }
    world
        .with_venue(POOL, |pool, env| pool.sync_liquidity(env))
        .map_err(run)?;
    Ok(vaults.len() as u32)
}

/// Keepers (their capital joined into the Vat), the arbitrageur (its wallet), the spells.
fn agents(
    l: &Loaded,
    world: &mut World,
    maker: &mut Maker,
) -> Result<(Agents, Vec<String>), SpiralError> {
    let s = &l.spec;
    let mk = s
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    let count: usize = s.keepers.iter().map(|k| k.count).sum();
    let markets = KeeperMarkets {
        maker: MAKER,
        venues: [POOL, CEX],
        reference: CEX,
        tokens: (WETH, DAI),
    };
    let mut agents: Vec<Box<dyn Agent>> = Vec::new();
    let mut names = Vec::new();
    for group in &s.keepers {
        for j in 0..group.count {
            let id = agents.len() as AgentId;
            let name = format!("{}-{}", group.name, j);
            let gas = match group.gas_fixed_gwei {
                Some(g) => GasStrategy::Fixed(g),
                None => GasStrategy::Market {
                    multiplier: group.gas_multiplier,
                    cap_gwei: group.gas_cap_gwei,
                },
            };
            let spec = FlipKeeperSpec {
                name: name.clone(),
                gas,
                margin: group.margin,
                zero_bid: group.zero_bid,
                poll_blocks: group.poll_blocks,
                gas_budget_wei: to_fixed(group.gas_budget_eth, 18),
                limits: KeeperGas {
                    bite: mk.gas_bite,
                    bid: mk.gas_bid,
                    deal: mk.gas_deal,
                },
                sell_clip: to_fixed(mk.sell_clip_eth, 18),
            };
            // DaiJoin moves whole wad: the capital floored to a wad-wei.
            let wad = to_fixed(group.capital, 45) / U256::from(10u64).pow(U256::from(27u64));
            let mut e = env(world);
            maker
                .mint_backed_dai(&mut e, Holder::Agent(id), wad)
                .and_then(|()| {
                    use bankrun_world::Protocol;
                    let join = Call::Maker(MakerCall::JoinDai { amount: U256::MAX });
                    maker.execute(&mut e, id, &join).map(|_| ())
                })
                .map_err(|err| l.err("capital", format!("keeper {name}: {err}")))?;
            agents.push(Box::new(FlipKeeper::new(spec, markets, (id, count as u32))));
            names.push(name);
        }
    }
    let arb = agents.len() as AgentId;
    let mut e = env(world);
    maker
        .mint_backed_dai(&mut e, Holder::Agent(arb), to_fixed(ARB_WALLET.1, 18))
        .map_err(run)?;
    e.ledger
        .mint(WETH, Holder::Agent(arb), to_fixed(ARB_WALLET.0, 18))
        .map_err(run)?;
    let v = &s.venues;
    agents.push(Box::new(VenueArbitrageur::new(VenueArbitrageurSpec {
        name: "arbitrageur".into(),
        venues: (POOL, CEX),
        tokens: (WETH, DAI, 18),
        latency_blocks: v.arb_latency_blocks,
        gas: v.arb_gas,
        gas_multiplier: v.arb_gas_multiplier,
    })));
    for sp in &s.spells {
        let at =
            parse_time(&sp.at).map_err(|_| l.err("at", format!("spell {}: bad time", sp.label)))?;
        let mut files = Vec::new();
        if let Some(t) = sp.ttl_s {
            files.push(MakerParam::FlipTtl(t));
        }
        if let Some(t) = sp.tau_s {
            files.push(MakerParam::FlipTau(t));
        }
        if let Some(x) = sp.lump_eth {
            files.push(MakerParam::CatLump(to_fixed(x, 18)));
        }
        if let Some(x) = sp.stability_fee {
            if !(x.is_finite() && x >= 0.0) {
                return Err(l.err("stability_fee", "a spell's fee must be a fraction ≥ 0"));
            }
            files.push(MakerParam::JugDuty(duty_of_annual_fee(x)));
        }
        if let Some(x) = sp.line_dai {
            files.push(MakerParam::VatLine(to_fixed(x, 45)));
        }
        let at = u64::try_from(at).map_err(|_| l.err("at", "before 1970"))?;
        agents.push(Box::new(MakerSpell::new(&sp.label, MAKER, at, files)));
    }
    Ok((agents, names))
}

/// The Medianizer (a push feed of the CEX mid) and the OSM reading it one hop late, whose
/// answer the Spotter pokes into the Vat.
fn oracles(l: &Loaded, world: &mut World) -> Result<(), SpiralError> {
    let mk = l
        .spec
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    let reg = world.oracles_mut();
    let median = reg
        .add_feed(
            "ETH/USD median",
            Source::Venue {
                venue: CEX,
                token: WETH,
                quote_token: DAI,
                quote_feed: None,
            },
            Publisher::Push {
                deviation_bps: (mk.median_deviation * 10_000.0).round() as u32,
                heartbeat_s: mk.median_heartbeat_s,
            },
        )
        .map_err(run)?;
    let osm = reg
        .add_feed(
            "ETH-A OSM",
            Source::Feed(median),
            Publisher::Osm {
                hop_s: mk.osm_hop_s,
                warm: true,
            },
        )
        .map_err(run)?;
    if (median, osm) != (MEDIAN_FEED, OSM_FEED) {
        return Err(SpiralError::Run("feed ids out of order".into()));
    }
    reg.bind(osm, MAKER, WETH).map_err(run)
}
