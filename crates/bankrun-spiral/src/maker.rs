//! The Maker runner: ETH-A under Liquidations 1.2 (Cat 1.0.0 `bite`, `Flipper`), the
//! Medianizer → OSM → Spotter price path, keepers with capital and gas strategies, and
//! the ETH market they sell into.
//!
//! # Total order within a block
//! 1. time advances; the fundamental price moves; endogenous CEX impact decays;
//! 2. the Medianizer observes the CEX mid (deviation/heartbeat push); at each `hop` the Jug
//!    drips ETH-A's stability fee into `rate`, the OSM is poked (its queued value becomes
//!    current) and `Spotter.poke` files `spot` in the Vat;
//!    each Medianizer post and each OSM + Spotter poke is a transaction of
//!    `[gas] oracle_update_gas`, included ahead of the keepers' at the block's inclusion price
//!    (the oracle operators' bidding is not modelled: an assumption);
//! 3. governance spells due are cast;
//! 4. agents look (each every `poll_blocks`) and submit: bites of unsafe urns, `tend`/`dent`
//!    bids, `deal`s of finished auctions, `tick`s of expired unbid auctions, arbitrage;
//! 5. the block is built from the mempool (gas market) and executed in order; reverted
//!    transactions pay gas;
//! 6. keepers sell won collateral (at most `sell_clip_eth` each per block) on the better
//!    venue and re-join the DAI as capital;
//! 7. the block is recorded.
//!
//! # Accounts
//! Vaults `0..n`; the Cat, Vow, Flipper, DaiJoin and the stand-in vault `REST` at
//! 1,000,000+; keepers at 2,000,000+. Keepers' DAI sits in the Vat (rad), joined through
//! `DaiJoin`; won collateral leaves through `GemJoin.exit`. Protocol state changes only
//! through the contracts' functions (`slip`, `frob`, `file`, `poke`, `drip`, `bite`, …).
//! Vault owners do not react (assumption: no top-ups), which overstates liquidations
//! relative to 12 March 2020.

use std::collections::{BTreeMap, BTreeSet};

use bankrun_agents::{AuctionView, FlipBid, GasStrategy, can_afford_gas, flip_bid, gas_price_gwei};
use bankrun_chain::Clock;
use bankrun_chain::gas::{GWEI, GasMarket, GasModel, std_normal};
use bankrun_chain::mempool::{Mempool, Tx};
use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_chain::rng::stream;
use bankrun_chain::time::{format_time, parse_time};
use bankrun_dex::cex::{CexVenue, VenueSet};
use bankrun_maker::cat::CatIlk;
use bankrun_maker::math::{RAY, WAD};
use bankrun_maker::spot::Spotter;
use bankrun_maker::{Cat, DaiJoin, Flipper, GemJoin, Jug, MakerError, Osm, U256, Vat};
use bankrun_oracle::{PushFeed, answer_to_usd};
use rand::RngExt;

use crate::error::SpiralError;
use crate::record::{AuctionRow, BidRow, LiquidationRow, RunOutput, SeriesRow, Summary, median};
use crate::spec::{AgentSpec, Loaded};
use crate::venues::{EthMarket, Venue, to_units, to_wei};

/// The Cat's Vat address.
pub const CAT: u32 = 1_000_000;
/// The Vow's Vat address.
pub const VOW: u32 = 1_000_001;
/// The ETH-A Flipper's Vat address.
pub const FLIPPER: u32 = 1_000_002;
/// The DaiJoin adapter's Vat address.
pub const DAI_JOIN: u32 = 1_000_003;
/// Owner of the stand-in vault that backs the ERC-20 DAI outside the book.
pub const REST: u32 = 1_000_004;
/// First keeper address.
pub const KEEPER0: u32 = 2_000_000;
/// ETH-A's ilk id.
const ETH_A: usize = 0;
/// Ilk id of the stand-in collateral behind the DAI outside the book (see [`setup`]).
pub const REST_ILK: usize = 1;

/// A keeper transaction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MakerAction {
    /// `Cat.bite(ETH-A, urn)`.
    Bite(u32),
    /// `tend(id, lot, bid)` (bid rad).
    Tend(u64, U256, U256),
    /// `dent(id, lot, bid)`.
    Dent(u64, U256, U256),
    /// `deal(id)`.
    Deal(u64),
    /// `tick(id)`.
    Tick(u64),
    /// Pool/CEX arbitrage.
    Arb,
}

impl MakerAction {
    fn auction(&self) -> Option<u64> {
        match *self {
            MakerAction::Tend(id, ..)
            | MakerAction::Dent(id, ..)
            | MakerAction::Deal(id)
            | MakerAction::Tick(id) => Some(id),
            _ => None,
        }
    }
}

/// A keeper's state.
#[derive(Debug, Clone)]
pub struct Keeper {
    /// Name (`group-i`).
    pub name: String,
    /// Vat address.
    pub addr: u32,
    /// Behaviour spec.
    pub spec: AgentSpec,
    /// Gas budget left (wei).
    pub gas_left: U256,
    /// Gas paid (wei).
    pub gas_paid: U256,
}

/// Per-auction bookkeeping beyond the Flipper's state.
#[derive(Debug, Clone, Default)]
struct AuctionInfo {
    urn: u32,
    kicked: i64,
    lot0: U256,
    debt: U256,
    tab: U256,
    bids: u32,
    gas_by: BTreeMap<usize, U256>,
    unsafe_since: i64,
}

/// The Maker world.
pub struct MakerWorld {
    /// The Vat.
    pub vat: Vat,
    /// ETH-A's `GemJoin` (WETH, 18 decimals).
    pub gem_join: GemJoin,
    /// The `DaiJoin`.
    pub dai_join: DaiJoin,
    /// The Cat.
    pub cat: Cat,
    /// The ETH-A Flipper.
    pub flip: Flipper,
    /// The Jug (ETH-A stability fee).
    pub jug: Jug,
    /// Stability fee the Jug's drips credited to the Vow so far (rad): new DAI, so
    /// [`MakerWorld::total_dai_rad`] leaves it out.
    pub fees: U256,
    /// The OSM.
    pub osm: Osm,
    /// The Spotter.
    pub spotter: Spotter,
    /// The Medianizer (push feed of the market price).
    pub median: PushFeed,
    /// ETH market.
    pub market: EthMarket,
    /// Gas market.
    pub gas: GasMarket,
    /// Keepers.
    pub keepers: Vec<Keeper>,
    /// Arbitrageur wallets (ETH, DAI wei).
    pub arb: (U256, U256),
    /// Miner/burn account: gas paid (wei).
    pub miner: U256,
    /// Vaults at the start.
    pub vaults: u32,
}

/// Inputs read from the scenario.
pub struct MakerInputs {
    /// Fundamental ETH/USD path.
    pub eth: PricePath,
    /// Gas model.
    pub gas: GasModel,
    /// Start (s).
    pub start: i64,
    /// End (s).
    pub end: i64,
}

/// Reads the price and gas series of a Maker scenario.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn inputs(l: &Loaded) -> Result<MakerInputs, SpiralError> {
    let s = &l.spec;
    let rel = s.eth_prices.as_deref().unwrap_or_default();
    let (o, t) = l.read_data("eth_prices", rel)?;
    let eth = read_csv(&t, &o, &CsvFormat::columns(&["price_usd"]))?.remove(0);
    let gas = crate::runner::gas_model(l)?;
    let start = parse_time(&s.scenario.start).map_err(|_| l.err("start", "bad time"))?;
    let end = eth.end() + (s.scenario.tail_hours * 3600.0) as i64;
    if end <= start {
        return Err(l.err("start", "the price path ends before the start"));
    }
    Ok(MakerInputs {
        eth,
        gas,
        start,
        end,
    })
}

/// Seconds in a year: the unit of the scenario's annual `stability_fee`.
const YEAR_S: f64 = 31_536_000.0;

/// Jug `duty` (ray, per second) of an annual stability fee: `(1 + fee)^(1/year)`. The part
/// above 1 is computed with `ln_1p`/`exp_m1` so it keeps f64's relative precision (8 % →
/// 1.0000000024404186…e27, the constant governance filed up to ~1e-16 of the fee).
fn duty(fee: f64) -> U256 {
    RAY + to_wei((fee.ln_1p() / YEAR_S).exp_m1(), 27)
}

/// `Jug.drip(ETH-A)` at `now`; adds the DAI it created to `w.fees`. Returns whether
/// `rate` changed (urns must then be re-checked).
fn drip(w: &mut MakerWorld, now: u64) -> Result<bool, SpiralError> {
    let (before, rate) = (w.vat.debt, w.vat.ilks[ETH_A].rate);
    let after = w
        .jug
        .drip(&mut w.vat, ETH_A, now)
        .map_err(|e| SpiralError::Run(format!("jug: {e}")))?;
    w.fees += w.vat.debt - before;
    Ok(after != rate)
}

fn ray(x: f64) -> U256 {
    to_wei(x, 27)
}

/// Builds the world at the start.
///
/// # Errors
/// [`SpiralError`] on a setup failure.
pub fn setup(l: &Loaded, inp: &MakerInputs, seed: u64) -> Result<MakerWorld, SpiralError> {
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
    // Vault book: debt sizes log-normal, scaled to the total; CR from the bands.
    let raw: Vec<f64> = (0..book.vaults)
        .map(|_| (book.debt_sigma * std_normal(&mut rng)).exp())
        .collect();
    let scale = book.total_debt_dai / raw.iter().sum::<f64>();
    let mat = ray(mk.mat);
    let spotter = Spotter::new(mat);
    let price_wad = to_wei(p0, 18);
    let mut vat = Vat::default();
    let line = to_wei(mk.line_dai, 45);
    // Deployment: ETH-A initialised and filed by governance, its spot poked.
    vat.init(ETH_A)
        .and_then(|()| vat.file_line(ETH_A, line))
        .and_then(|()| vat.file_dust(ETH_A, to_wei(mk.dust_dai, 45)))
        .and_then(|()| spotter.poke(&mut vat, ETH_A, price_wad, true).map(|_| ()))
        .map_err(|e| SpiralError::Run(format!("ETH-A setup: {e}")))?;
    vat.file_global_line(line);
    let gem_join = GemJoin::new(ETH_A, 18);
    let dust_art = to_wei(mk.dust_dai, 45).div_ceil(U256::from(10u64).pow(U256::from(27u64)));
    for (i, r) in raw.iter().enumerate() {
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
        let art = to_wei(debt, 18).max(dust_art);
        let ink = to_wei(debt * cr / p0, 18);
        open_vault(&mut vat, gem_join, i as u32, ink, art).map_err(|e| {
            let key = match e {
                MakerError::CeilingExceeded => "line_dai",
                MakerError::Dust => "dust_dai",
                _ => "cr_bands",
            };
            l.err(key, format!("book vault {i} cannot be opened: {e}"))
        })?;
    }
    let mut keepers = Vec::new();
    let mut capital = Vec::new();
    for g in &s.keepers {
        for j in 0..g.count {
            let addr = KEEPER0 + keepers.len() as u32;
            // DaiJoin moves whole wad. `to_wei(capital, 45)` keeps 18 significant digits,
            // so for capital ≥ 0.1 DAI it is a multiple of 1e27 and this is the same
            // amount; a smaller capital is floored to a wad-wei.
            capital.push((addr, to_wei(g.capital, 45) / RAY));
            keepers.push(Keeper {
                name: format!("{}-{}", g.name, j),
                addr,
                spec: g.clone(),
                gas_left: to_wei(g.gas_budget_eth, 18),
                gas_paid: U256::ZERO,
            });
        }
    }
    let mut flip = Flipper::new(ETH_A, FLIPPER);
    flip.file_beg(to_wei(mk.beg, 18));
    flip.file_ttl(mk.ttl_s);
    flip.file_tau(mk.tau_s);
    let cat = Cat {
        ilks: vec![CatIlk {
            chop: ray(mk.chop),
            lump: to_wei(mk.lump_eth, 18),
        }],
        live: true,
        address: CAT,
        vow: VOW,
    };
    let mut osm = Osm::default();
    osm.step(mk.osm_hop_s)
        .map_err(|e| SpiralError::Run(format!("osm: {e}")))?;
    let t0 = inp.start.max(0) as u64;
    if !(mk.stability_fee.is_finite() && mk.stability_fee >= 0.0) {
        return Err(l.err("stability_fee", "must be a fraction ≥ 0"));
    }
    let mut jug = Jug::new(VOW);
    jug.init(ETH_A, t0)
        .and_then(|()| jug.file_duty(ETH_A, duty(mk.stability_fee), t0))
        .map_err(|e| SpiralError::Run(format!("jug: {e}")))?;
    // Assumption: the price was steady for the two hops before the start.
    osm.poke(t0 - 2 * mk.osm_hop_s, price_wad, true)
        .and_then(|()| osm.poke(t0 - mk.osm_hop_s, price_wad, true))
        .map_err(|e| SpiralError::Run(format!("osm: {e}")))?;
    let v = &s.venues;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    let mut cex = CexVenue::fitted(p0, set).map_err(|e| SpiralError::Run(e.to_string()))?;
    cex.k_sell /= v.cex_depth_scale.sqrt();
    cex.k_buy /= v.cex_depth_scale.sqrt();
    let market = EthMarket::new(p0, v.pool_eth, 18, cex, v.impact_half_life_s, inp.start)?;
    let median = PushFeed::new(
        (mk.median_deviation * 10_000.0).round() as u32,
        mk.median_heartbeat_s,
        p0,
        inp.start,
    );
    let g = &s.gas;
    let arb = (to_wei(1e6, 18), to_wei(1e9, 18));
    let dai_join = DaiJoin { address: DAI_JOIN };
    // ERC-20 DAI that exists before the start: the market's and the keepers'.
    let outside = market.pair.reserve1
        + market.cex_stable
        + arb.1
        + capital.iter().map(|c| c.1).sum::<U256>();
    back_outside_dai(&mut vat, dai_join, line, outside)
        .map_err(|e| SpiralError::Run(format!("DAI outside the book: {e}")))?;
    for (addr, wad) in capital {
        dai_join
            .join(&mut vat, addr, wad)
            .map_err(|e| SpiralError::Run(format!("keeper {addr} joins DAI: {e}")))?;
    }
    Ok(MakerWorld {
        vaults: book.vaults as u32,
        vat,
        gem_join,
        dai_join,
        cat,
        flip,
        jug,
        fees: U256::ZERO,
        osm,
        spotter,
        median,
        market,
        gas: GasMarket::new(inp.gas.clone(), g.block_gas_limit, g.agent_gas_share),
        keepers,
        arb,
        miner: U256::ZERO,
    })
}

/// Opens book vault `u` as its owner would: `GemJoin.join` of `ink` WETH, then
/// `frob(ETH-A, u, u, u, ink, art)` drawing `art` DAI (rate 1) into the owner's Vat
/// balance, where it stays (owners do not act in this model).
fn open_vault(
    vat: &mut Vat,
    join: GemJoin,
    u: u32,
    ink: U256,
    art: U256,
) -> Result<(), MakerError> {
    let signed = |x: U256| i128::try_from(x).map_err(|_| MakerError::Overflow);
    join.join(vat, u, ink)?;
    vat.frob(ETH_A, u, u, u, signed(ink)?, signed(art)?)
}

/// Backs `wad` of ERC-20 DAI held outside the Vat at the start (AMM pool, CEX inventory,
/// arbitrageur, keepers' capital) by the DaiJoin adapter's Vat balance, as `join.sol`
/// requires: a stand-in vault `REST` of ilk [`REST_ILK`] (assumption: one collateral
/// worth 1 DAI a unit, for all the collateral behind DAI outside the ETH-A book) draws
/// it and exits it through the adapter. The global `Line` is raised by the same amount.
/// Its size follows the market model's inventories (the CEX inventory stands for
/// unbounded depth), not DAI's real supply; it plays no part in liquidations.
fn back_outside_dai(
    vat: &mut Vat,
    dai_join: DaiJoin,
    eth_a_line: U256,
    wad: U256,
) -> Result<(), MakerError> {
    let rad = wad.checked_mul(RAY).ok_or(MakerError::Overflow)?;
    let dwad = i128::try_from(wad).map_err(|_| MakerError::Overflow)?;
    vat.file_global_line(eth_a_line.checked_add(rad).ok_or(MakerError::Overflow)?);
    vat.init(REST_ILK)?;
    vat.file_spot(REST_ILK, RAY)?;
    vat.file_line(REST_ILK, rad)?;
    GemJoin::new(REST_ILK, 18).join(vat, REST, wad)?;
    vat.frob(REST_ILK, REST, REST, REST, dwad, dwad)?;
    dai_join.exit(vat, REST, wad)
}

impl MakerWorld {
    /// Total ETH (wei): ETH-A urns and gems, pool, CEX, arbitrageur (conserved).
    pub fn total_eth(&self) -> U256 {
        let eth_a = |k: &(usize, u32)| k.0 == ETH_A;
        let ink: U256 = self
            .vat
            .urns
            .iter()
            .filter(|x| eth_a(x.0))
            .map(|x| x.1.ink)
            .sum();
        let gem: U256 = self
            .vat
            .gem
            .iter()
            .filter(|x| eth_a(x.0))
            .map(|x| *x.1)
            .sum();
        ink + gem + self.market.pair.reserve0 + self.market.cex_eth + self.arb.0
    }

    /// Total DAI (rad): Vat balances plus pool, CEX and arbitrageur DAI, less the
    /// stability fee minted since the start (conserved). The DaiJoin adapter's Vat
    /// balance is left out: it is the backing of that ERC-20 DAI.
    pub fn total_dai_rad(&self) -> U256 {
        let dai: U256 = self
            .vat
            .dai
            .iter()
            .filter(|x| *x.0 != DAI_JOIN)
            .map(|x| *x.1)
            .sum::<U256>()
            .saturating_sub(self.fees);
        dai + (self.market.pair.reserve1 + self.market.cex_stable + self.arb.1) * RAY
    }

    /// Gas ETH (wei): keepers' budgets left plus paid to miners (conserved).
    pub fn total_gas_eth(&self) -> U256 {
        self.keepers.iter().map(|k| k.gas_left).sum::<U256>() + self.miner
    }

    /// The protocol's ETH price (OSM `cur`, USD).
    pub fn osm_price(&self) -> f64 {
        to_units(self.osm.cur.val, 18)
    }
}

/// `Vat.isUnsafe` of vault `u` in ETH-A; a failure (unknown ilk, overflow) is a run error,
/// never read as "safe".
fn is_unsafe(vat: &Vat, u: u32) -> Result<bool, SpiralError> {
    vat.is_unsafe(ETH_A, u)
        .map_err(|e| SpiralError::Run(format!("vault {u}: isUnsafe: {e}")))
}

fn rad(x: U256) -> f64 {
    to_units(x, 45)
}

/// Runs the scenario with `seed`; `inspect` receives the final world (tests).
///
/// # Errors
/// [`SpiralError`].
pub fn run(
    l: &Loaded,
    seed: u64,
    inspect: Option<&mut dyn FnMut(&MakerWorld)>,
) -> Result<RunOutput, SpiralError> {
    run_with_progress(l, seed, inspect, &mut |_, _| {})
}

/// [`run`], calling `progress(blocks done, blocks)` before every block.
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    inspect: Option<&mut dyn FnMut(&MakerWorld)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
    let inp = inputs(l)?;
    let mut w = setup(l, &inp, seed)?;
    let s = &l.spec;
    let mk = s
        .maker
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [maker]"))?;
    let clock = Clock::new(inp.start, s.scenario.block_seconds)
        .ok_or_else(|| l.err("block_seconds", "must be positive"))?;
    let bs = s.scenario.block_seconds as i64;
    let blocks = clock.blocks_until(inp.end).max(1);
    let mut gas_rng = stream(seed, "gas");
    let mut tie_rng = stream(seed, "mempool");
    let mut pool: Mempool<usize, MakerAction> = Mempool::default();
    let mut spells: Vec<(i64, crate::spec::SpellSpec)> = s
        .spells
        .iter()
        .map(|sp| (parse_time(&sp.at).unwrap_or(i64::MAX), sp.clone()))
        .collect();
    spells.sort_by_key(|x| x.0);
    let mut out = RunOutput::default();
    let mut info: BTreeMap<u64, AuctionInfo> = BTreeMap::new();
    let mut unsafe_since: BTreeMap<u32, i64> = BTreeMap::new();
    let mut unsafe_set: BTreeSet<u32> = BTreeSet::new();
    let mut delays = Vec::new();
    let mut pending_sale_rows: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut sum = Summary {
        scenario: s.scenario.name.clone(),
        variant: "real".into(),
        protocol: "maker".into(),
        seed,
        blocks,
        positions: w.vaults as u64,
        debt_start: rad(w.vat.ilks[0].art * RAY),
        min_market_price: f64::MAX,
        min_fundamental: f64::MAX,
        ..Summary::default()
    };
    let sample_every = (600 / bs).max(1) as u64;
    let mut liquidated = 0.0;
    let mut last_spot = w.vat.ilks[0].spot;
    let mut scan = true;
    for b in 0..blocks {
        progress(b, blocks);
        let now = clock.timestamp(b + 1);
        let nowu = now as u64;
        // 1. prices
        w.market.advance(now, inp.eth.price_at(now));
        // 2. oracles
        let mut posts = u64::from(w.median.observe(w.market.mid(), now));
        if w.osm.pass(nowu) {
            // Assumption: ETH-A is dripped hourly (on 12 March drips came with vault
            // owners' draws and wipes through the proxy actions, at no fixed times).
            scan |= drip(&mut w, nowu)?;
            posts += 1;
            let val = to_wei(answer_to_usd(w.median.latest_answer()), 18);
            w.osm
                .poke(nowu, val, true)
                .map_err(|e| SpiralError::Run(format!("osm: {e}")))?;
            let (v, has) = w.osm.peek();
            let spot = w
                .spotter
                .poke(&mut w.vat, ETH_A, v, has)
                .map_err(|e| SpiralError::Run(format!("spot: {e}")))?;
            if spot != last_spot {
                sum.oracle_updates += 1;
                scan = true;
            }
            last_spot = spot;
        }
        // 3. governance
        while spells.first().is_some_and(|x| x.0 <= now) {
            let (_, sp) = spells.remove(0);
            if let Some(t) = sp.ttl_s {
                w.flip.file_ttl(t);
            }
            if let Some(t) = sp.tau_s {
                w.flip.file_tau(t);
            }
            let spell = |e| SpiralError::Run(format!("spell {}: {e}", sp.label));
            if let Some(x) = sp.lump_eth {
                w.cat.file_lump(ETH_A, to_wei(x, 18)).map_err(spell)?;
            }
            if let Some(x) = sp.stability_fee {
                // As the spell: `drip` then `file(ETH-A, "duty")` (Jug/rho-not-updated).
                if !(x.is_finite() && x >= 0.0) {
                    return Err(l.err("stability_fee", "a spell's fee must be a fraction ≥ 0"));
                }
                drip(&mut w, nowu)?;
                w.jug.file_duty(ETH_A, duty(x), nowu).map_err(spell)?;
            }
            if let Some(x) = sp.line_dai {
                w.vat.file_line(ETH_A, to_wei(x, 45)).map_err(spell)?;
            }
            scan = true;
        }
        if scan {
            unsafe_set.clear();
            for (&(ilk, u), urn) in &w.vat.urns {
                if ilk == ETH_A && !urn.art.is_zero() && is_unsafe(&w.vat, u)? {
                    unsafe_set.insert(u);
                    unsafe_since.entry(u).or_insert(now);
                }
            }
            scan = false;
        }
        // 4. agents decide
        let observed = w.gas.observed_gwei(now);
        let mid = w.market.mid();
        for (ki, k) in w.keepers.iter().enumerate() {
            if b % k.spec.poll_blocks != (ki as u64 % k.spec.poll_blocks) {
                continue;
            }
            let strat = match k.spec.gas_fixed_gwei {
                Some(g) => GasStrategy::Fixed(g),
                None => GasStrategy::Market {
                    multiplier: k.spec.gas_multiplier,
                    cap_gwei: k.spec.gas_cap_gwei,
                },
            };
            let gwei = gas_price_gwei(strat, observed);
            let budget = to_units(k.gas_left, 18);
            let mine = |p: &Mempool<usize, MakerAction>, f: &dyn Fn(&MakerAction) -> bool| {
                p.any(|t| t.sender == ki && f(&t.action))
            };
            let mut submit = |pool: &mut Mempool<usize, MakerAction>, a: MakerAction, gas: u64| {
                pool.submit(Tx {
                    sender: ki,
                    action: a,
                    fee_gwei: gwei,
                    tie: tie_rng.random(),
                    submitted: b,
                    not_before: b + 1,
                    gas,
                    replace_key: None,
                });
            };
            // Bites: each keeper takes the unsafe urns assigned to it (u mod keepers).
            for &u in &unsafe_set {
                if (u as usize) % w.keepers.len() == ki
                    && can_afford_gas(budget, mk.gas_bite, gwei)
                    && !mine(&pool, &|a| *a == MakerAction::Bite(u))
                {
                    submit(&mut pool, MakerAction::Bite(u), mk.gas_bite);
                }
            }
            let capital = rad(w.vat.dai_of(k.addr));
            for (&id, bid) in &w.flip.bids {
                if mine(&pool, &|a| a.auction() == Some(id)) {
                    continue;
                }
                let finished = bid.tic != 0 && (bid.tic < nowu || bid.end < nowu);
                if finished {
                    if bid.guy == k.addr && can_afford_gas(budget, mk.gas_deal, gwei) {
                        submit(&mut pool, MakerAction::Deal(id), mk.gas_deal);
                    }
                    continue;
                }
                if bid.tic == 0 && bid.end < nowu {
                    if ki == (id as usize) % w.keepers.len() {
                        submit(&mut pool, MakerAction::Tick(id), mk.gas_deal);
                    }
                    continue;
                }
                if bid.guy == k.addr || !can_afford_gas(budget, mk.gas_bid, gwei) {
                    continue;
                }
                if k.spec.zero_bid {
                    if bid.bid.is_zero() && !w.vat.dai_of(k.addr).is_zero() {
                        submit(
                            &mut pool,
                            MakerAction::Tend(id, bid.lot, U256::from(1)),
                            mk.gas_bid,
                        );
                    }
                    continue;
                }
                let view = AuctionView {
                    lot: to_units(bid.lot, 18),
                    bid: rad(bid.bid),
                    tab: rad(bid.tab),
                    beg: to_units(w.flip.beg, 18),
                };
                match flip_bid(view, mid, k.spec.margin, capital) {
                    Some(FlipBid::Tend(x)) => {
                        let amt = if x >= view.tab {
                            bid.tab
                        } else {
                            to_wei(x, 45)
                        };
                        submit(&mut pool, MakerAction::Tend(id, bid.lot, amt), mk.gas_bid);
                    }
                    Some(FlipBid::Dent(lot)) => {
                        submit(
                            &mut pool,
                            MakerAction::Dent(id, to_wei(lot, 18), bid.bid),
                            mk.gas_bid,
                        );
                    }
                    None => {}
                }
            }
        }
        // Arbitrageur (agent index usize::MAX).
        let (r0, r1) = w.market.pair.reserves();
        let base =
            bankrun_agents::pool_rebalance_base(to_units(r0, 18), to_units(r1, 18), mid, 0.003);
        let gap = (w.market.pool_price() / mid - 1.0).abs();
        let arb_gwei = observed * s.venues.arb_gas_multiplier;
        let gas_usd = s.venues.arb_gas as f64 * arb_gwei * 1e-9 * mid;
        if base != 0.0
            && bankrun_agents::arbitrage_profit_usd(base, gap, mid, 0.003, gas_usd) > 0.0
            && !pool.any(|t| t.action == MakerAction::Arb)
        {
            pool.submit(Tx {
                sender: usize::MAX,
                action: MakerAction::Arb,
                fee_gwei: arb_gwei,
                tie: tie_rng.random(),
                submitted: b,
                not_before: b + s.venues.arb_latency_blocks.max(1),
                gas: s.venues.arb_gas,
                replace_key: None,
            });
        }
        // 5. block
        pool.expire(b, s.gas.tx_ttl_blocks);
        let mut bg = w.gas.open_block(now, &mut gas_rng);
        // Median and OSM/Spotter pokes are transactions ahead of the keepers'.
        let (oracle_gas, oracle_eth) = bg.reserve(posts * s.gas.oracle_update_gas);
        sum.oracle_gas_eth += oracle_eth;
        let txs = pool.build_block(b, bg.min_price_gwei, bg.agent_gas);
        let mut used = oracle_gas;
        for tx in txs {
            used += tx.gas;
            sum.txs_included += 1;
            let price_wei = to_wei(tx.fee_gwei, 9);
            let fee = U256::from(tx.gas) * price_wei;
            if tx.sender == usize::MAX {
                let (r0, r1) = w.market.pair.reserves();
                let base = bankrun_agents::pool_rebalance_base(
                    to_units(r0, 18),
                    to_units(r1, 18),
                    w.market.mid(),
                    0.003,
                );
                let (mut e, mut d) = w.arb;
                // An arbitrage that fails is a defect of the venue model, not "no trade".
                w.market.arbitrage(base, &mut e, &mut d)?;
                w.arb = (e, d);
                sum.arbitrages += 1;
                continue;
            }
            let k = &mut w.keepers[tx.sender];
            let fee = fee.min(k.gas_left);
            k.gas_left -= fee;
            k.gas_paid += fee;
            w.miner += fee;
            sum.gas_paid_eth += to_units(fee, 18);
            let addr = k.addr;
            let kname = k.name.clone();
            if let Some(id) = tx.action.auction() {
                let e = info.entry(id).or_default();
                *e.gas_by.entry(tx.sender).or_default() += fee;
            }
            let ok = match tx.action {
                MakerAction::Bite(u) => match w.cat.bite(&mut w.vat, &mut w.flip, 0, u, nowu) {
                    Ok(bite) => {
                        sum.liquidations += 1;
                        sum.auctions += 1;
                        sum.debt_liquidated += rad(bite.debt);
                        sum.collateral_seized += to_units(bite.lot, 18);
                        liquidated += rad(bite.debt);
                        let since = unsafe_since.get(&u).copied().unwrap_or(now);
                        delays.push((now - since) as f64);
                        info.insert(
                            bite.id,
                            AuctionInfo {
                                urn: u,
                                kicked: now,
                                lot0: bite.lot,
                                debt: bite.debt,
                                tab: bite.tab,
                                unsafe_since: since,
                                ..AuctionInfo::default()
                            },
                        );
                        if !is_unsafe(&w.vat, u)? {
                            unsafe_set.remove(&u);
                            unsafe_since.remove(&u);
                        }
                        true
                    }
                    Err(_) => false,
                },
                MakerAction::Tend(id, lot, bid) => {
                    let r = w.flip.tend(&mut w.vat, addr, id, lot, bid, nowu);
                    if r.is_ok() {
                        let e = info.entry(id).or_default();
                        e.bids += 1;
                        out.bids.push(BidRow {
                            auction: id,
                            block: b,
                            time: format_time(now),
                            bidder: kname,
                            kind: "tend",
                            bid_dai: rad(bid),
                            lot_eth: to_units(lot, 18),
                            gas_gwei: tx.fee_gwei,
                        });
                    }
                    r.is_ok()
                }
                MakerAction::Dent(id, lot, bid) => {
                    let r = w.flip.dent(&mut w.vat, addr, id, lot, bid, nowu);
                    if r.is_ok() {
                        info.entry(id).or_default().bids += 1;
                        out.bids.push(BidRow {
                            auction: id,
                            block: b,
                            time: format_time(now),
                            bidder: kname,
                            kind: "dent",
                            bid_dai: rad(bid),
                            lot_eth: to_units(lot, 18),
                            gas_gwei: tx.fee_gwei,
                        });
                    }
                    r.is_ok()
                }
                MakerAction::Deal(id) => match w.flip.deal(&mut w.vat, id, nowu) {
                    Ok(settled) => {
                        let i = info.get(&id).cloned().unwrap_or_default();
                        let bid = rad(settled.bid);
                        let lot = to_units(settled.lot, 18);
                        let value = lot * w.market.mid();
                        let zero = bid < 0.01 * rad(i.tab);
                        sum.auctions_settled += 1;
                        if settled.bid >= i.tab {
                            sum.auctions_covered += 1;
                        }
                        if zero {
                            sum.zero_bid_wins += 1;
                            sum.zero_bid_collateral_usd += value;
                        }
                        let shortfall = (rad(i.debt) - bid).max(0.0);
                        sum.deficit_settled += shortfall;
                        let winner_gas: U256 =
                            i.gas_by.get(&tx.sender).copied().unwrap_or_default();
                        out.liquidations.push(LiquidationRow {
                            protocol: "maker",
                            block: b,
                            time: format_time(now),
                            position: i.urn,
                            debt_repaid: bid,
                            collateral_seized: to_units(i.lot0, 18),
                            collateral: "ETH".into(),
                            discount: if value > 0.0 { 1.0 - bid / value } else { 0.0 },
                            gas_paid_eth: to_units(winner_gas, 18),
                            venue: Venue::None.name().into(),
                            price_impact: 0.0,
                            auction: id,
                            bids: i.bids,
                            winner: kname.clone(),
                            winning_bid: bid,
                            zero_bid: zero,
                            delay_s: now - i.unsafe_since,
                        });
                        pending_sale_rows
                            .entry(tx.sender)
                            .or_default()
                            .push(out.liquidations.len() - 1);
                        out.auctions.push(AuctionRow {
                            auction: id,
                            urn: i.urn,
                            kicked: format_time(i.kicked),
                            lot_eth: to_units(i.lot0, 18),
                            debt_dai: rad(i.debt),
                            tab_dai: rad(i.tab),
                            outcome: if settled.bid >= i.tab {
                                "covered"
                            } else if zero {
                                "zero_bid"
                            } else {
                                "partial"
                            },
                            winner: kname,
                            bid_dai: bid,
                            lot_sold_eth: lot,
                            bids: i.bids,
                            shortfall_dai: shortfall,
                            duration_s: now - i.kicked,
                        });
                        true
                    }
                    Err(_) => false,
                },
                MakerAction::Tick(id) => w.flip.tick(id, nowu).is_ok(),
                MakerAction::Arb => true,
            };
            if !ok {
                sum.txs_reverted += 1;
            }
        }
        w.gas.close_block(used);
        // 6. keepers sell won collateral
        let clip = to_wei(mk.sell_clip_eth, 18);
        for ki in 0..w.keepers.len() {
            let addr = w.keepers[ki].addr;
            let gem = w.vat.gem_of(ETH_A, addr);
            if gem.is_zero() {
                continue;
            }
            let x = gem.min(clip);
            let keeper = |e| SpiralError::Run(format!("keeper {addr}: {e}"));
            w.gem_join.exit(&mut w.vat, addr, x).map_err(keeper)?;
            let sale = w.market.sell_eth(x)?;
            w.dai_join
                .join(&mut w.vat, addr, sale.stable_out)
                .map_err(keeper)?;
            if let Some(rows) = pending_sale_rows.get_mut(&ki) {
                for r in rows.drain(..) {
                    out.liquidations[r].venue = sale.venue.name().into();
                    out.liquidations[r].price_impact = sale.impact;
                }
            }
        }
        sum.min_market_price = sum.min_market_price.min(w.market.mid());
        sum.min_fundamental = sum.min_fundamental.min(w.market.fundamental());
        sum.max_endogenous_impact = sum
            .max_endogenous_impact
            .max(1.0 - w.market.impact_factor());
        // 7. record
        if b % sample_every == 0 || b + 1 == blocks {
            out.series.push(SeriesRow {
                time: format_time(now),
                fundamental: w.market.fundamental(),
                cex_mid: w.market.mid(),
                pool_price: w.market.pool_price(),
                protocol_price: w.osm_price(),
                gas_gwei: bg.min_price_gwei,
                unsafe_positions: unsafe_set.len() as u64,
                liquidated,
            });
        }
    }
    // Open auctions at the end.
    for (&id, bid) in &w.flip.bids {
        let i = info.get(&id).cloned().unwrap_or_default();
        sum.auctions_open += 1;
        out.auctions.push(AuctionRow {
            auction: id,
            urn: i.urn,
            kicked: format_time(i.kicked),
            lot_eth: to_units(i.lot0, 18),
            debt_dai: rad(i.debt),
            tab_dai: rad(i.tab),
            outcome: if bid.tic == 0 { "no_bid" } else { "open" },
            winner: w
                .keepers
                .iter()
                .find(|k| k.addr == bid.guy)
                .map_or("cat".into(), |k| k.name.clone()),
            bid_dai: rad(bid.bid),
            lot_sold_eth: to_units(bid.lot, 18),
            bids: i.bids,
            shortfall_dai: (rad(i.debt) - rad(bid.bid)).max(0.0),
            duration_s: -1,
        });
    }
    out.auctions.sort_by_key(|a| a.auction);
    let sin = w.vat.sin.get(&VOW).copied().unwrap_or_default();
    sum.bad_debt = (rad(sin) - rad(w.vat.dai_of(VOW))).max(0.0);
    sum.median_delay_s = median(&delays);
    sum.txs_submitted = pool.submitted();
    sum.txs_dropped = pool.dropped();
    let _ = GWEI;
    out.summary = sum;
    if let Some(f) = inspect {
        f(&w);
    }
    let _ = WAD;
    Ok(out)
}
