//! Builds the world at the scenario start: reserves, e-modes, prices, and the starting book
//! (depositors, borrower positions, passive suppliers and borrowers) so that every reserve's
//! total supplied and borrowed equal the scenario's.
//!
//! The starting state is taken as given, not as something that had to pass today's checks:
//! while it is built, caps are lifted, frozen reserves are unfrozen and LTVs are raised to the
//! liquidation threshold (positions can legitimately sit between LTV and LT after prices and
//! interest move). The configured values are restored before the first block.

use std::collections::BTreeMap;

use bankrun_aave::{
    AssetId, EModeCategory, InterestRateData, Pool, ProtocolVersion, ReserveConfig, U256, UserId,
};
use bankrun_agents::{
    DepositorTraits, LiquidatorTraits, RiskWeights, exp_blocks, lognormal_quantile,
    stratified_uniforms, value_quantiles,
};
use bankrun_chain::units::tokens_to_units;
use bankrun_chain::{Clock, GasMarket};
use bankrun_scenario::{Event, LoadedScenario, Reserve, StakeDistribution};

use std::rc::Rc;

use bankrun_chain::TokenId;
use bankrun_world::protocols::AaveV3;
use bankrun_world::protocols::aave::PoolReader;
use bankrun_world::{ChainConfig, GasSchedule};

use crate::EngineError;
use crate::parked::Parked;
use crate::population::{
    AAVE, AssetInfo, Borrower, CapoSignal, Depositor, EModeInfo, Liquidator, Population, Sender,
};
use crate::record::Recorder;
use crate::run::Sim;
use crate::streams::Streams;

/// A planned initial action of the book.
enum Plan {
    Supply(UserId, AssetId, U256),
    EMode(UserId, u8),
    Borrow(UserId, AssetId, U256),
}

/// Builds the world at block 0: the chain (gas market, mempool streams, time to live), the
/// oracle registry, the Aave pool with the starting book imported as given (genesis), the
/// ledger minted to match, and the population.
pub fn build(s: &LoadedScenario, seed: u64) -> Result<Sim, EngineError> {
    let sc = &s.scenario;
    if sc.scenario.aave_version != "3.6" {
        return Err(EngineError::setup(format!(
            "scenario.aave_version: only \"3.6\" is implemented, found \"{}\"",
            sc.scenario.aave_version
        )));
    }
    let now = s.start_unix as u64;
    let mut chain = chain(s, seed)?;
    let oracles = crate::oracles::register(s, &mut chain)?;
    let mut pool = Pool::new(ProtocolVersion::V3_6, now);
    let mut assets = Vec::new();
    for r in &sc.market.reserves {
        let feed = oracles.feed_of(&r.price).ok_or_else(|| {
            EngineError::setup(format!(
                "market.reserves `{}`: unknown price source `{}`",
                r.symbol, r.price
            ))
        })?;
        let id = pool
            .init_reserve(now, reserve_config(r))
            .map_err(|e| EngineError::setup(format!("market.reserves `{}`: {e}", r.symbol)))?;
        let answer = chain.view().oracles.answer(feed).map_err(world_err)?;
        pool.set_asset_price(id, U256::from(answer));
        assets.push(AssetInfo {
            symbol: r.symbol.clone(),
            decimals: r.decimals,
            feed,
            initial_supply: r.total_supplied,
        });
    }
    let emodes = emodes(s, &assets, &mut pool)?;
    let tokens = (0..assets.len() as TokenId).collect();
    let mut aave = AaveV3::new(AAVE_NAME, pool, tokens).map_err(world_err)?;
    let mut w = population(s, seed, aave.reader(), assets, emodes, &oracles)?;
    let plan = plan_book(&mut w)?;
    own_accounts(&mut w);
    let touched = aave.genesis(|pool| execute_plan(&w, pool, plan))?;
    for u in touched {
        w.reindex(u);
    }
    if chain.add_protocol(Box::new(aave)) != AAVE {
        return Err(EngineError::setup(
            "the Aave pool must be the world's first protocol",
        ));
    }
    for (a, info) in w.assets.iter().enumerate() {
        chain
            .oracles_mut()
            .bind(info.feed, AAVE, a as TokenId)
            .map_err(world_err)?;
    }
    crate::genesis::mint_ledger(&w, &mut chain)?;
    let comet_agents = crate::comets::build(s, &mut w, &mut chain, &oracles, 1)?;
    w.last_prices = (0..w.assets.len())
        .map(|a| w.pool.get().asset_price(a))
        .collect();
    schedule_initial(&mut w);
    let mut sim = Sim::new(chain, w);
    sim.add_agents(comet_agents);
    Ok(sim)
}

/// Files every agent's pool account under its sender, for outcomes.
fn own_accounts(w: &mut Population) {
    let owned: Vec<_> = (w.depositors.iter().enumerate())
        .map(|(i, d)| (d.user, Sender::Depositor(i as u32)))
        .chain(
            w.borrowers
                .iter()
                .enumerate()
                .map(|(i, b)| (b.user, Sender::Borrower(i as u32))),
        )
        .chain(
            w.liquidators
                .iter()
                .enumerate()
                .map(|(j, l)| (l.user, Sender::Liquidator(j as u32))),
        )
        .collect();
    for (user, who) in owned {
        w.own(user, who);
    }
}

/// Name of the world's Aave protocol.
const AAVE_NAME: &str = "aave-v3.6";

/// A world error met while building, as a setup error.
pub(crate) fn world_err(e: bankrun_world::WorldError) -> EngineError {
    EngineError::setup(e.to_string())
}

/// The chain: block clock, the scenario's constant gas market and gas table, the mempool's
/// time to live, and the random streams of the tie-break and gas draws.
fn chain(s: &LoadedScenario, seed: u64) -> Result<bankrun_world::World, EngineError> {
    let c = &s.scenario.chain;
    if c.block_time_s == 0 {
        return Err(EngineError::setup("chain.block_time_s: must be > 0 s"));
    }
    let gas = GasSchedule {
        supply: c.gas.supply,
        withdraw: c.gas.withdraw,
        borrow: c.gas.borrow,
        repay: c.gas.repay,
        liquidate: c.gas.liquidation,
        swap: GasSchedule::default().swap,
        reverted: c.gas.reverted,
    };
    let cfg = ChainConfig {
        start: s.start_unix as u64,
        block_time_s: c.block_time_s,
        block_gas: c.gas_per_block,
        gas,
    };
    let mut chain = bankrun_world::World::new(cfg, seed);
    chain.set_gas_market(GasMarket::constant(c.base_fee_gwei, c.gas_per_block));
    chain.set_stream_names(seed, "mempool.ties", "gas");
    chain.set_tx_ttl(c.mempool_ttl_blocks);
    // The population records its transactions as they are mined (`Agent::on_mined`).
    chain.keep_tx_log(false);
    Ok(chain)
}

/// The e-mode categories, set on the pool.
fn emodes(
    s: &LoadedScenario,
    assets: &[AssetInfo],
    pool: &mut Pool,
) -> Result<Vec<EModeInfo>, EngineError> {
    let asset_of = |sym: &str| assets.iter().position(|a| a.symbol == sym);
    let mut emodes = Vec::new();
    for e in &s.scenario.market.emodes {
        let bitmap = |syms: &[String]| -> Result<u128, EngineError> {
            syms.iter().try_fold(0u128, |acc, sym| {
                asset_of(sym).map(|a| acc | (1u128 << a)).ok_or_else(|| {
                    EngineError::setup(format!("market.emodes {}: unknown reserve `{sym}`", e.id))
                })
            })
        };
        let cat = EModeCategory {
            id: e.id,
            label: e.label.clone(),
            ltv: e.ltv_bps,
            liquidation_threshold: e.liquidation_threshold_bps,
            liquidation_bonus: e.liquidation_bonus_bps,
            collateral_bitmap: bitmap(&e.collateral)?,
            borrowable_bitmap: bitmap(&e.borrowable)?,
            ..Default::default()
        };
        emodes.push(EModeInfo {
            id: e.id,
            collateral_bitmap: cat.collateral_bitmap,
            liquidation_threshold: cat.liquidation_threshold,
            liquidation_bonus: cat.liquidation_bonus,
        });
        pool.set_emode_category(cat)
            .map_err(|e2| EngineError::setup(format!("market.emodes {}: {e2}", e.id)))?;
    }
    Ok(emodes)
}

/// The population before its book is planned.
fn population(
    s: &LoadedScenario,
    seed: u64,
    pool: PoolReader,
    assets: Vec<AssetInfo>,
    emodes: Vec<EModeInfo>,
    oracles: &crate::oracles::Feeds,
) -> Result<Population, EngineError> {
    let sc = &s.scenario;
    let b = &sc.behaviour;
    let weights = RiskWeights {
        depeg: b.w_depeg,
        depeg_kink: b.depeg_kink,
        utilization: b.w_utilization,
        outflow: b.w_outflow,
        news: b.w_news,
        deficit: b.w_deficit,
        yield_spread: b.w_yield,
        alt_rate: b.alt_rate_bps as f64 / 10_000.0,
    };
    let gas_feed = oracles.feed_of(&sc.chain.gas_price_feed).ok_or_else(|| {
        EngineError::setup(format!(
            "chain.gas_price_feed: unknown feed `{}`",
            sc.chain.gas_price_feed
        ))
    })?;
    let n_assets = assets.len();
    Ok(Population {
        scn: Rc::new(s.clone()),
        pool,
        assets,
        emodes,
        capos: oracles
            .capos
            .iter()
            .zip(&sc.oracles.capo)
            .map(|(c, spec)| CapoSignal {
                asset: sc.market.reserves.iter().position(|r| r.price == spec.name),
                ..*c
            })
            .collect(),
        capo_names: sc.oracles.capo.iter().map(|c| c.name.clone()).collect(),
        gas_feed,
        observed: Default::default(),
        owner: Vec::new(),
        outbox: Vec::new(),
        script_out: Vec::new(),
        script: Default::default(),
        script_state: Default::default(),
        last_prices: Vec::new(),
        deficit_usd: 0.0,
        last_block: crate::block_count(s),
        block: 0,
        now: s.start_unix,
        weights,
        depositors: Vec::new(),
        borrowers: Vec::new(),
        liquidators: Vec::new(),
        attackers: Vec::new(),
        rescuer: 0,
        umbrella: BTreeMap::new(),
        large_suppliers: BTreeMap::new(),
        wakes: Default::default(),
        parked: Parked::new(
            n_assets,
            &sc.depositors
                .iter()
                .map(|c| c.retry_blocks)
                .collect::<Vec<_>>(),
        ),
        due: Vec::new(),
        clock: Clock::new(s.start_unix, sc.chain.block_time_s)
            .ok_or_else(|| EngineError::setup("chain.block_time_s: must be > 0 s"))?,
        index: Default::default(),
        news: Vec::new(),
        news_memo: std::cell::RefCell::new((i64::MIN, 0, Vec::new())),
        similarity: similarity(sc),
        visible: vec![(Default::default(), 0.0); n_assets],
        views: vec![None; n_assets],
        rng: Streams::new(seed),
        rec: Recorder::default(),
        queued: Vec::new(),
        event_done: vec![false; sc.events.len()],
        event_time: event_times(s, seed),
        prices_changed: false,
        next_user: 1,
        record_series: true,
        passed_over: Vec::new(),
        next_event_at: i64::MIN,
        last_price_change: 0,
        comets: Vec::new(),
    })
}

/// The similarity matrix of `[behaviour.contagion]` (`None` without it): `m[b][a]` is 1 on
/// the diagonal, `same_family` for two reserves of one family, `same_protocol` otherwise.
fn similarity(sc: &bankrun_scenario::Scenario) -> Option<Vec<Vec<f64>>> {
    let c = sc.behaviour.contagion.as_ref()?;
    let r = &sc.market.reserves;
    Some(
        (0..r.len())
            .map(|b| {
                (0..r.len())
                    .map(|a| {
                        if a == b {
                            1.0
                        } else if r[a].family.is_some() && r[a].family == r[b].family {
                            c.same_family
                        } else {
                            c.same_protocol
                        }
                    })
                    .collect()
            })
            .collect(),
    )
}

/// When each scripted event takes effect, unix seconds: its `at`, plus for a Guardian
/// freeze or pause with `reaction_minutes` a reaction time drawn from the named stream
/// `guardian.reaction` (one standard normal per such event, in event order, so the other
/// streams do not move).
fn event_times(s: &LoadedScenario, seed: u64) -> Vec<i64> {
    use rand::RngExt;
    let mut rng = bankrun_chain::rng::stream(seed, "guardian.reaction");
    (s.scenario.events.iter().zip(&s.event_at))
        .map(|(e, &at)| match e {
            Event::Freeze {
                reaction_minutes: Some(r),
                ..
            }
            | Event::Pause {
                reaction_minutes: Some(r),
                ..
            } => {
                let z: f64 = rng.sample(rand_distr::StandardNormal);
                at + r.seconds(z).round() as i64
            }
            _ => at,
        })
        .collect()
}

fn reserve_config(r: &Reserve) -> ReserveConfig {
    ReserveConfig {
        symbol: r.symbol.clone(),
        decimals: r.decimals,
        ltv: r.ltv_bps,
        liquidation_threshold: r.liquidation_threshold_bps,
        liquidation_bonus: r.liquidation_bonus_bps,
        reserve_factor: r.reserve_factor_bps,
        liquidation_protocol_fee: r.liquidation_protocol_fee_bps,
        supply_cap: r.supply_cap,
        borrow_cap: r.borrow_cap,
        borrowing_enabled: r.borrowing_enabled,
        frozen: r.frozen,
        paused: false,
        rate: InterestRateData {
            optimal_usage_ratio: r.optimal_usage_ratio_bps,
            base_variable_borrow_rate: r.base_variable_borrow_rate_bps,
            variable_rate_slope1: r.variable_rate_slope1_bps,
            variable_rate_slope2: r.variable_rate_slope2_bps,
        },
    }
}

/// Relative stakes for `n` agents, summing to 1: stratified draws of the distribution's
/// quantile function ([`stratified_uniforms`]), so that the book's concentration is the
/// distribution's at any agent count rather than one heavy-tailed sample's.
fn stakes(dist: &StakeDistribution, n: usize, rng: &mut impl rand::Rng) -> Vec<f64> {
    let raw: Vec<f64> = stratified_uniforms(n, rng)
        .into_iter()
        .map(|u| dist.sample(u))
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter()
        .map(|x| x / total.max(f64::MIN_POSITIVE))
        .collect()
}

/// Plans the whole starting book; also creates the agents.
fn plan_book(w: &mut Population) -> Result<Vec<Plan>, EngineError> {
    let s = Rc::clone(&w.scn);
    let sc = &s.scenario;
    let n = w.assets.len();
    let mut supplied = vec![0.0f64; n]; // tokens planned per reserve
    let mut borrowed = vec![0.0f64; n];
    let mut plan = Vec::new();
    let sym = |w: &Population, name: &str, key: &str| {
        w.assets
            .iter()
            .position(|a| a.symbol == name)
            .ok_or_else(|| EngineError::setup(format!("{key}: unknown reserve `{name}`")))
    };
    // Depositors.
    for (ci, c) in sc.depositors.iter().enumerate() {
        let a = sym(w, &c.asset, "depositors.asset")?;
        let total = c.share_of_supply * w.assets[a].initial_supply;
        let dist = if c.stake_distribution == "equal" {
            StakeDistribution::equal()
        } else {
            s.stakes.clone()
        };
        let weights = stakes(&dist, c.count as usize, &mut w.rng.depositor_setup);
        // Thresholds by value (see `bankrun_agents::stratified`): the share of the class's
        // value below any threshold is the log-normal's at any count.
        let q_threshold = value_quantiles(&weights, &mut w.rng.depositor_setup);
        for (share, q) in weights.into_iter().zip(q_threshold) {
            let user = w.new_user();
            let tokens = total * share;
            let amount = tokens_to_units(tokens, w.assets[a].decimals);
            let traits = DepositorTraits {
                threshold: lognormal_quantile(c.threshold_median, c.threshold_sigma, q),
                noise_sd: c.noise_sd,
                exit_a: c.exit_fraction_a,
                exit_b: c.exit_fraction_b,
            };
            supplied[a] += tokens;
            plan.push(Plan::Supply(user, a, amount));
            w.depositors.push(Depositor {
                class: ci,
                asset: a,
                user,
                traits,
                initial: amount,
                target: U256::ZERO,
                demand: U256::ZERO,
                withdrawn: U256::ZERO,
                txs: 0,
                reverted: 0,
                first_decision: None,
                completed: None,
                gas_eth: 0.0,
                pending: false,
                gone: false,
                generation: 0,
                noise: (0.0, None),
            });
        }
    }
    // Borrower books.
    for (bi, book) in sc.borrowers.iter().enumerate() {
        let c = sym(w, &book.collateral, "borrowers.collateral")?;
        let d = sym(w, &book.debt, "borrowers.debt")?;
        let lt = match w
            .emodes
            .iter()
            .find(|e| e.id == book.emode && book.emode != 0)
        {
            Some(e) if e.collateral_bitmap & (1u128 << c) != 0 => e.liquidation_threshold,
            Some(_) => {
                return Err(EngineError::setup(format!(
                    "borrowers `{}`: {} is not collateral in e-mode {}",
                    book.label, book.collateral, book.emode
                )));
            }
            None if book.emode != 0 => {
                return Err(EngineError::setup(format!(
                    "borrowers `{}`: unknown e-mode {}",
                    book.label, book.emode
                )));
            }
            None => w.pool.get().reserve(c).config.liquidation_threshold,
        } as f64
            / 10_000.0;
        if lt <= 0.0 {
            return Err(EngineError::setup(format!(
                "borrowers `{}`: {} has liquidation threshold 0",
                book.label, book.collateral
            )));
        }
        let (pc, pd) = (w.price_usd(c), w.price_usd(d));
        let weights = stakes(&s.stakes, book.count as usize, &mut w.rng.borrower_setup);
        // Each trait by value, with its own random order (independent traits): the book's
        // active share of debt and its health-factor spread hold at any count.
        let rng = &mut w.rng.borrower_setup;
        let q_hf = value_quantiles(&weights, rng);
        let q_active = value_quantiles(&weights, rng);
        let q_act = value_quantiles(&weights, rng);
        for (i, share) in weights.into_iter().enumerate() {
            let debt = book.total_debt * share;
            let hf = book.hf_min
                + lognormal_quantile(book.hf_median - book.hf_min, book.hf_sigma, q_hf[i]);
            let coll = hf * debt * pd / (pc * lt);
            let active = q_active[i] < book.active_share;
            let hf_act = (1.05 + 0.25 * q_act[i]).min(hf * 0.98);
            let user = w.new_user();
            supplied[c] += coll;
            borrowed[d] += debt;
            plan.push(Plan::Supply(
                user,
                c,
                tokens_to_units(coll, w.assets[c].decimals),
            ));
            if book.emode != 0 {
                plan.push(Plan::EMode(user, book.emode));
            }
            plan.push(Plan::Borrow(
                user,
                d,
                tokens_to_units(debt, w.assets[d].decimals),
            ));
            w.borrowers.push(Borrower {
                book: bi,
                user,
                debt: d,
                collateral: c,
                unwind: None,
                active,
                hf_act,
                hf_target: hf_act + 0.2,
                pending: false,
            });
        }
    }
    // Liquidators, attackers, rescuer, umbrella stakes.
    for (li, l) in sc.liquidators.iter().enumerate() {
        for _ in 0..l.count {
            let user = w.new_user();
            w.liquidators.push(Liquidator {
                spec: li,
                user,
                traits: LiquidatorTraits {
                    capital_usd: l.capital_usd,
                    min_profit_usd: l.min_profit_usd,
                    hold_hours: l.hold_hours,
                    risk_z: l.risk_z,
                },
                capital: l.capital_usd,
                locked: Default::default(),
                pending: BTreeMap::new(),
            });
        }
    }
    // One set of attacker addresses for every attack event (a later wave adds to the same
    // positions): as many as the largest `splits`.
    let addresses = sc.events.iter().filter_map(|e| match e {
        bankrun_scenario::Event::Attack { splits, .. } => Some((*splits).max(1)),
        _ => None,
    });
    for _ in 0..addresses.max().unwrap_or(0) {
        let u = w.new_user();
        w.attackers.push(u);
    }
    for e in &sc.events {
        let bankrun_scenario::Event::CoverDeficit { asset, amount, .. } = e else {
            continue;
        };
        let a = sym(w, asset, "events.cover_deficit.asset")?;
        if let std::collections::btree_map::Entry::Vacant(v) = w.umbrella.entry(a) {
            let u = w.next_user;
            v.insert(u);
            w.next_user += 1;
        }
        let u = w.umbrella[&a];
        supplied[a] += amount;
        plan.push(Plan::Supply(
            u,
            a,
            tokens_to_units(*amount, w.assets[a].decimals),
        ));
    }
    large_suppliers(w, &mut plan, &mut supplied)?;
    w.rescuer = w.new_user();
    passive_accounts(w, &mut plan, &mut supplied, &mut borrowed)?;
    Ok(plan)
}

/// One account per reserve and label of the `withdraw` events, supplying at genesis the sum of
/// that label's withdrawals.
fn large_suppliers(
    w: &mut Population,
    plan: &mut Vec<Plan>,
    supplied: &mut [f64],
) -> Result<(), EngineError> {
    let scn = Rc::clone(&w.scn);
    let mut holdings: BTreeMap<(usize, String), f64> = BTreeMap::new();
    for e in &scn.scenario.events {
        let bankrun_scenario::Event::Withdraw {
            asset,
            amount,
            label,
            ..
        } = e
        else {
            continue;
        };
        let a = (w.assets.iter().position(|x| &x.symbol == asset)).ok_or_else(|| {
            EngineError::setup(format!("events.withdraw: unknown reserve `{asset}`"))
        })?;
        *holdings.entry((a, label.clone())).or_default() += amount;
    }
    for ((a, label), tokens) in holdings {
        let u = w.new_user();
        w.large_suppliers.insert((a, label), u);
        supplied[a] += tokens;
        let units = tokens_to_units(tokens, w.assets[a].decimals);
        plan.push(Plan::Supply(u, a, units));
    }
    Ok(())
}

/// Passive suppliers fill each reserve to its total supplied; passive borrowers borrow what the
/// books leave of its total borrowed, against collateral taken from the reserve with the most
/// passive supply left.
fn passive_accounts(
    w: &mut Population,
    plan: &mut Vec<Plan>,
    supplied: &mut [f64],
    borrowed: &mut [f64],
) -> Result<(), EngineError> {
    let scn = Rc::clone(&w.scn);
    let reserves = &scn.scenario.market.reserves;
    let mut left: Vec<f64> = reserves
        .iter()
        .zip(supplied.iter())
        .map(|(r, s)| r.total_supplied - s)
        .collect();
    for (a, r) in reserves.iter().enumerate() {
        if left[a] < -1e-6 * r.total_supplied.max(1.0) {
            return Err(EngineError::setup(format!(
                "market.reserves `{}`: depositors, borrower collateral, umbrella stakes and large suppliers add up to {:.2}, more than total_supplied = {}",
                r.symbol, supplied[a], r.total_supplied
            )));
        }
    }
    for d in 0..reserves.len() {
        let debt = reserves[d].total_borrowed - borrowed[d];
        // Below a relative 1e-9 the remainder is float residue of the books' split.
        if debt <= 1e-9 * reserves[d].total_borrowed {
            continue;
        }
        let debt_usd = debt * w.price_usd(d);
        // Collateral: the reserve (≠ d, LTV > 0) with the most passive supply left, by value.
        let best = (0..reserves.len())
            .filter(|&c| c != d && w.pool.get().reserve(c).config.ltv > 0)
            .max_by(|&x, &y| (left[x] * w.price_usd(x)).total_cmp(&(left[y] * w.price_usd(y))));
        let Some(c) = best else {
            return Err(EngineError::setup(format!(
                "market.reserves `{}`: no reserve can collateralise its passive borrowers",
                reserves[d].symbol
            )));
        };
        let ltv = w.pool.get().reserve(c).config.ltv as f64 / 10_000.0;
        let coll = debt_usd / (ltv * 0.8) / w.price_usd(c);
        if coll > left[c] {
            return Err(EngineError::setup(format!(
                "market.reserves `{}`: total_borrowed leaves {debt:.2} to passive borrowers, whose collateral ({coll:.2} {}) exceeds the passive supply left in {}",
                reserves[d].symbol, reserves[c].symbol, reserves[c].symbol
            )));
        }
        left[c] -= coll;
        let user = w.new_user();
        plan.push(Plan::Supply(
            user,
            c,
            tokens_to_units(coll, w.assets[c].decimals),
        ));
        plan.push(Plan::Borrow(
            user,
            d,
            tokens_to_units(debt, w.assets[d].decimals),
        ));
        borrowed[d] += debt;
    }
    for (a, amount) in left.iter().enumerate() {
        if *amount > 1e-9 * reserves[a].total_supplied {
            let user = w.new_user();
            // Supplies go first in the plan so that liquidity exists for the borrows.
            plan.insert(
                0,
                Plan::Supply(user, a, tokens_to_units(*amount, w.assets[a].decimals)),
            );
            supplied[a] += amount;
        }
    }
    Ok(())
}

/// Runs the plan against the pool with the starting state's checks relaxed, then restores the
/// configured LTVs, caps and freezes. Returns the accounts it touched (to index).
fn execute_plan(
    w: &Population,
    pool: &mut Pool,
    plan: Vec<Plan>,
) -> Result<Vec<UserId>, EngineError> {
    let now = w.t();
    let reserves = w.scn.scenario.market.reserves.clone();
    let emodes = w.scn.scenario.market.emodes.clone();
    let err = |what: String| EngineError::setup(format!("starting book: {what}"));
    for (a, r) in reserves.iter().enumerate() {
        pool.set_supply_cap(a, 0).map_err(|e| err(e.to_string()))?;
        pool.set_borrow_cap(a, 0).map_err(|e| err(e.to_string()))?;
        if r.frozen {
            pool.set_reserve_freeze(now, a, false)
                .map_err(|e| err(e.to_string()))?;
        }
        if r.liquidation_threshold_bps > 0 {
            pool.set_reserve_ltv(now, a, r.liquidation_threshold_bps)
                .map_err(|e| err(e.to_string()))?;
        }
        pool.set_reserve_borrowing(a, true)
            .map_err(|e| err(e.to_string()))?;
    }
    for e in &emodes {
        let mut cat = emode_category(w, e)?;
        cat.ltv = cat.liquidation_threshold;
        pool.set_emode_category(cat)
            .map_err(|x| err(x.to_string()))?;
    }
    // Supplies first (they bring the liquidity), then e-modes, then borrows.
    let (supplies, rest): (Vec<Plan>, Vec<Plan>) = plan
        .into_iter()
        .partition(|p| matches!(p, Plan::Supply(..)));
    let mut touched = Vec::new();
    for p in supplies.into_iter().chain(rest) {
        // The description is only formatted for an error: building it for every planned
        // action cost a few percent of a sweep path.
        let what = |p: &Plan| match p {
            Plan::Supply(u, a, x) => format!(
                "account {u} supplying {} {}",
                w.tokens(*a, *x),
                w.assets[*a].symbol
            ),
            Plan::EMode(u, id) => format!("account {u} entering e-mode {id}"),
            Plan::Borrow(u, a, x) => format!(
                "account {u} borrowing {} {}",
                w.tokens(*a, *x),
                w.assets[*a].symbol
            ),
        };
        let (r, u) = match p {
            Plan::Supply(u, a, x) if !x.is_zero() => (pool.supply(now, u, a, x), u),
            Plan::EMode(u, id) => (pool.set_user_emode(now, u, id), u),
            Plan::Borrow(u, a, x) if !x.is_zero() => (pool.borrow(now, u, a, x), u),
            Plan::Supply(u, ..) | Plan::Borrow(u, ..) => (Ok(()), u),
        };
        r.map_err(|e| err(format!("{}: {e}", what(&p))))?;
        touched.push(u);
    }
    for (a, r) in reserves.iter().enumerate() {
        pool.set_reserve_ltv(now, a, r.ltv_bps)
            .map_err(|e| err(e.to_string()))?;
        pool.set_supply_cap(a, r.supply_cap)
            .map_err(|e| err(e.to_string()))?;
        pool.set_borrow_cap(a, r.borrow_cap)
            .map_err(|e| err(e.to_string()))?;
        pool.set_reserve_borrowing(a, r.borrowing_enabled)
            .map_err(|e| err(e.to_string()))?;
        if r.frozen {
            pool.set_reserve_freeze(now, a, true)
                .map_err(|e| err(e.to_string()))?;
        }
    }
    for e in &emodes {
        let cat = emode_category(w, e)?;
        pool.set_emode_category(cat)
            .map_err(|x| err(x.to_string()))?;
    }
    touched.sort_unstable();
    touched.dedup();
    Ok(touched)
}

fn emode_category(
    w: &Population,
    e: &bankrun_scenario::EMode,
) -> Result<EModeCategory, EngineError> {
    let info = w
        .emodes
        .iter()
        .find(|x| x.id == e.id)
        .ok_or_else(|| EngineError::setup(format!("market.emodes: unknown id {}", e.id)))?;
    let borrowable = e
        .borrowable
        .iter()
        .filter_map(|s| w.assets.iter().position(|a| &a.symbol == s))
        .fold(0u128, |acc, a| acc | (1u128 << a));
    Ok(EModeCategory {
        id: e.id,
        label: e.label.clone(),
        ltv: e.ltv_bps,
        liquidation_threshold: e.liquidation_threshold_bps,
        liquidation_bonus: e.liquidation_bonus_bps,
        collateral_bitmap: info.collateral_bitmap,
        borrowable_bitmap: borrowable,
        ..Default::default()
    })
}

/// First attention times of depositors and active borrowers.
fn schedule_initial(w: &mut Population) {
    let bt = w.block_time();
    for i in 0..w.depositors.len() {
        let c = &w.scn.scenario.depositors[w.depositors[i].class];
        let wait = exp_blocks(c.attention_per_hour, bt, &mut w.rng.depositors);
        w.schedule(wait.saturating_add(0), Sender::Depositor(i as u32), 0);
    }
    for i in 0..w.borrowers.len() {
        if !w.borrowers[i].active {
            continue;
        }
        let book = &w.scn.scenario.borrowers[w.borrowers[i].book];
        let wait = exp_blocks(book.attention_per_hour, bt, &mut w.rng.borrowers);
        w.schedule(wait, Sender::Borrower(i as u32), 0);
    }
}
