//! The USDC depeg of March 2023 (Silicon Valley Bank) on the one world
//! (`bankrun_world::World`), in two modes:
//! - **replay**: Aave v2's USDC/ETH feed and the holders read the real hourly USDC/USDT price
//!   of the Uniswap v3 1 bp pool; trades still move 3pool and the PSM;
//! - **spiral**: they read Curve 3pool, so every sale (holders, liquidators, scripted
//!   sellers) moves the price Aave v2 values USDC at, and DAI follows USDC through the PSM
//!   arbitrage.
//!
//! Circle's disclosure that $3.3B of its reserves sat at SVB reaches the holders as news (a
//! step in their perceived risk, taken back by the guarantee on Sunday evening); primary
//! redemption was closed over the weekend, so the exits are 3pool (USDC for USDT) and the PSM
//! (USDC for DAI at par less `tin`, within the auto-line's daily gap), and the buyers of
//! discounted USDC are the only other side. Maker's emergency spell (`tin` 1 %, gap 250M) is
//! scripted governance. Aave v2 prices USDC at the market (Chainlink USDC/ETH): USDC-backed
//! stablecoin loans are liquidated as it falls, and borrowers of USDC repay it with USDC
//! bought below par.
//!
//! Each block, in the world's order: scripted events execute; the feeds post; agents act
//! (liquidators repay and sell the USDC they seize on 3pool; buyers buy below their price;
//! the PSM arbitrageur closes the gap between 3pool and the PSM; repayers buy USDC and repay;
//! holders sell on 3pool when their perceived risk passes their thresholds); the block is
//! built.
//!
//! Modules: [`spec`] (the `[svb]` table), [`build`] (world and agents), [`record`] (rows and
//! summary), [`output`] (files and report section).

pub mod build;
pub mod output;
pub mod record;
pub mod spec;

pub use record::{SvbBookRow, SvbCompoundSummary, SvbOutput, SvbRow, SvbSummary};

use bankrun_aave::U256;
use bankrun_chain::time::format_time;
use bankrun_chain::units::{u256_to_f64, units_to_tokens};
use bankrun_world::agents::{
    CollateralArbitrageur, DipBuyer, DiscountRepayer, PegHolders, PsmArbitrageur,
};
use bankrun_world::protocols::{AaveV3, CompoundV2};
use bankrun_world::venues::{Curve, Psm};
use bankrun_world::{Agent, AgentId, Call, Target, Venue, World};

use crate::error::SpiralError;
use crate::record::{RunOutput, Summary};
use crate::spec::Loaded;
use build::{
    AAVE, AgentIndex, Built, COMPOUND, CURVE, CompoundPart, DAI, PSM, USDC, USDT, decimals,
    token_id,
};

/// The modes the scenario runs, in order.
pub fn modes(l: &Loaded) -> Vec<String> {
    l.spec
        .svb
        .as_ref()
        .map(|t| t.modes.clone())
        .unwrap_or_default()
}

/// Runs `mode` with `seed`, calling `progress(blocks done, blocks)` before every block.
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    mode: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
    let built = build::build(l, seed, mode)?;
    let mut rec = Recorder::new(l, &built)?;
    let Built {
        mut world,
        mut agents,
        window,
        ..
    } = built;
    let blocks =
        crate::world_run::run_blocks(l, &mut world, &mut agents, window, progress, &mut |w, a| {
            rec.sample(w, a)
        })?;
    rec.finish(l, seed, mode, blocks, &world, &agents)
}

fn tok(token: bankrun_chain::TokenId, x: U256) -> f64 {
    units_to_tokens(x, decimals(token))
}

fn run_err(e: impl std::fmt::Display) -> SpiralError {
    SpiralError::Run(e.to_string())
}

fn aave(world: &World) -> Result<&AaveV3, SpiralError> {
    world
        .protocol(AAVE)
        .and_then(|p| p.as_any().downcast_ref::<AaveV3>())
        .ok_or_else(|| run_err("protocol 0 is not the Aave v2 pool"))
}

fn compound(world: &World) -> Result<&CompoundV2, SpiralError> {
    world
        .protocol(COMPOUND)
        .and_then(|p| p.as_any().downcast_ref::<CompoundV2>())
        .ok_or_else(|| run_err("protocol 1 is not the Compound v2 Comptroller"))
}

/// A Compound v2 market now, `None` if the book has no market `name`: (utilization, borrow
/// rate a year, supply rate a year, cash in tokens). Rates: per-block × 2,102,400
/// (`blocksPerYear` of JumpRateModelV2).
fn compound_market(
    c: &CompoundV2,
    part: &CompoundPart,
    name: &str,
) -> Result<Option<[f64; 4]>, SpiralError> {
    let Some(id) = part.markets.iter().position(|m| m.0 == name) else {
        return Ok(None);
    };
    let ct = &c.comptroller().markets[id].ctoken;
    let (cash, borrows, reserves) = (
        u256_to_f64(ct.cash),
        u256_to_f64(ct.total_borrows),
        u256_to_f64(ct.total_reserves),
    );
    let utilization = if borrows > 0.0 {
        borrows / (cash + borrows - reserves)
    } else {
        0.0
    };
    let year = bankrun_compound::rate_model::BLOCKS_PER_YEAR as f64 / 1e18;
    let borrow = u256_to_f64(ct.borrow_rate_per_block().map_err(run_err)?) * year;
    let supply = u256_to_f64(ct.supply_rate_per_block().map_err(run_err)?) * year;
    Ok(Some([
        utilization,
        borrow,
        supply,
        units_to_tokens(ct.cash, part.markets[id].2),
    ]))
}

/// Compound v2 at the end: (accounts in shortfall, their shortfall USD at the oracle's
/// prices, debt above collateral value USD with USDC at `usdc_market`).
fn compound_end(
    c: &CompoundV2,
    part: &CompoundPart,
    usdc_market: f64,
) -> Result<(u64, f64, f64), SpiralError> {
    let comp = c.comptroller();
    let mut prices = Vec::new();
    let mut rates = Vec::new();
    for (id, m) in comp.markets.iter().enumerate() {
        prices.push(if part.markets[id].1 == USDC {
            usdc_market
        } else {
            u256_to_f64(comp.oracle.price(id).map_err(run_err)?) / 1e6
        });
        rates.push(m.ctoken.exchange_rate_stored().map_err(run_err)?);
    }
    let (mut n, mut short, mut bad) = (0, 0.0, 0.0);
    let wad = U256::from(10u64).pow(U256::from(18u64));
    for &a in comp.account_assets.keys() {
        let (_, s) = comp.account_liquidity(a).map_err(run_err)?;
        if !s.is_zero() {
            n += 1;
            short += u256_to_f64(s) / 1e18;
        }
        let mut net = 0.0;
        for (id, m) in comp.markets.iter().enumerate() {
            let dec = part.markets[id].2;
            let supplied = m.ctoken.balance_of(a) * rates[id] / wad;
            let owed = m.ctoken.borrow_balance_stored(a).map_err(run_err)?;
            net += (units_to_tokens(supplied, dec) - units_to_tokens(owed, dec)) * prices[id];
        }
        bad += (-net).max(0.0);
    }
    Ok((n, short, bad))
}

/// A group's state now: (collateral tokens, debt tokens, lowest health factor of accounts
/// with debt, shortfall USD at Aave's prices, accounts with no debt left).
fn group_state(
    world: &World,
    (first, n): (AgentId, u32),
    (coll, debt): (bankrun_chain::TokenId, bankrun_chain::TokenId),
    eth_usd: f64,
) -> Result<(f64, f64, f64, f64, u64), SpiralError> {
    let pool = aave(world)?.pool();
    let now = world.now();
    let (mut c, mut d, mut min_hf, mut short, mut clear) = (0.0, 0.0, f64::INFINITY, 0.0, 0);
    for who in first..first + n {
        c += tok(coll, pool.supply_balance(now, who, coll as usize));
        let owed = pool.debt_balance(now, who, debt as usize);
        d += tok(debt, owed);
        if owed.is_zero() {
            clear += 1;
            continue;
        }
        let a = pool.try_user_account_data(now, who).map_err(run_err)?;
        let (cv, dv) = (
            units_to_tokens(a.total_collateral_base, 18),
            units_to_tokens(a.total_debt_base, 18),
        );
        min_hf = min_hf.min(units_to_tokens(a.health_factor, 18));
        short += (dv - cv).max(0.0) * eth_usd;
    }
    Ok((c, d, min_hf, short, clear))
}

/// Sums a counter over the agents of one type in `range`.
fn sum<T: 'static>(agents: &[Box<dyn Agent>], f: impl Fn(&T) -> f64) -> f64 {
    agents
        .iter()
        .filter_map(|a| a.as_any().downcast_ref::<T>())
        .map(f)
        .sum()
}

/// Hourly rows, in order.
struct Recorder {
    paths: (
        bankrun_chain::prices::PricePath,
        bankrun_chain::prices::PricePath,
    ),
    usdc_eth_feed: bankrun_world::FeedId,
    index: AgentIndex,
    groups: Vec<(
        String,
        AgentId,
        u32,
        bankrun_chain::TokenId,
        bankrun_chain::TokenId,
    )>,
    /// Per group at the start: collateral and debt (tokens).
    start: Vec<(f64, f64)>,
    market: Vec<SvbRow>,
    seen: usize,
    liquidations: u64,
    compound: Option<CompoundPart>,
    compound_liquidations: u64,
    seized: f64,
    liquidated: std::collections::BTreeSet<AgentId>,
}

impl Recorder {
    fn new(l: &Loaded, b: &Built) -> Result<Self, SpiralError> {
        let t = build::svb(l)?;
        let eth0 = b.paths.1.price_at(b.window.0);
        let mut groups = Vec::new();
        let mut start = Vec::new();
        for (g, spec) in b.groups.iter().zip(&t.books) {
            let tokens = (token_id(&spec.collateral), token_id(&spec.debt));
            let (c, d, ..) = group_state(&b.world, (g.1, g.2), tokens, eth0)?;
            start.push((c, d));
            groups.push((g.0.clone(), g.1, g.2, tokens.0, tokens.1));
        }
        Ok(Recorder {
            paths: b.paths.clone(),
            usdc_eth_feed: b.usdc_eth_feed,
            index: b.index,
            groups,
            start,
            market: Vec::new(),
            seen: 0,
            liquidations: 0,
            compound: b.compound.clone(),
            compound_liquidations: 0,
            seized: 0.0,
            liquidated: Default::default(),
        })
    }

    fn scan_log(&mut self, world: &World) {
        let txs = &world.log().txs;
        for t in &txs[self.seen.min(txs.len())..] {
            if let (Ok(r), Call::Liquidate { borrower, .. }) = (&t.outcome, &t.call) {
                if t.target == Target::Protocol(COMPOUND) {
                    self.compound_liquidations += 1;
                    continue;
                }
                self.liquidations += 1;
                self.liquidated.insert(*borrower);
                if let Some((token, amount)) = r.effect.seized
                    && token == USDC
                {
                    self.seized += tok(USDC, amount);
                }
            }
        }
        self.seen = txs.len();
    }

    fn sample(&mut self, world: &World, agents: &[Box<dyn Agent>]) -> Result<(), SpiralError> {
        let now = world.now();
        let time = format_time(now as i64);
        self.scan_log(world);
        if self.market.last().is_some_and(|r| r.time == time) {
            return Ok(());
        }
        let view = world.view();
        let curve = view
            .venue(CURVE)
            .and_then(|v| v.as_any().downcast_ref::<Curve>())
            .ok_or_else(|| run_err("venue 0 is not 3pool"))?;
        let psm = view
            .venue(PSM)
            .and_then(|v| v.as_any().downcast_ref::<Psm>())
            .ok_or_else(|| run_err("venue 1 is not the PSM"))?;
        let bal = &curve.pool().balances;
        let (dai, usdc, usdt) = (tok(DAI, bal[0]), tok(USDC, bal[1]), tok(USDT, bal[2]));
        let pool = aave(world)?.pool();
        let ray = 1e27;
        let eth_usd = self.paths.1.price_at(now as i64);
        let answer = view.oracles.answer(self.usdc_eth_feed).map_err(run_err)?;
        let i = self.index;
        let holders_sold = sum::<PegHolders>(&agents[i.cohorts..], |h| tok(USDC, h.sold));
        let buyers_bought = sum::<DipBuyer>(&agents[i.buyers..i.repayers], |b| tok(USDC, b.bought));
        let usdc_repaid =
            sum::<DiscountRepayer>(&agents[i.repayers..i.cohorts], |r| tok(USDC, r.repaid));
        let arb = sum::<PsmArbitrageur>(agents, |a| tok(USDC, a.gem_to_psm));
        let state = psm.state();
        let c = self.compound_row(world, agents)?;
        self.market.push(SvbRow {
            time,
            usdc_path: self.paths.0.price_at(now as i64),
            usdc_curve: curve.price(USDC, USDT).map_err(run_err)?,
            dai_curve: curve.price(DAI, USDT).map_err(run_err)?,
            usdc_oracle_usd: answer as f64 / 1e8 * eth_usd,
            curve_dai: dai,
            curve_usdc: usdc,
            curve_usdt: usdt,
            curve_usdc_share: usdc / (dai + usdc + usdt).max(f64::MIN_POSITIVE),
            psm_usdc: units_to_tokens(state.ink, 18),
            psm_line: u256_to_f64(state.line) / 1e45,
            dai_supply: tok(DAI, view.ledger.supply(DAI)),
            usdc_utilization: u256_to_f64(pool.utilization(now, 0)) / ray,
            usdc_borrow_apr: u256_to_f64(pool.reserve(0).current_variable_borrow_rate) / ray,
            usdc_supply_apr: u256_to_f64(pool.reserve(0).current_liquidity_rate) / ray,
            usdc_debt: tok(0, pool.total_debt(now, 0)),
            usdt_utilization: u256_to_f64(pool.utilization(now, 1)) / ray,
            usdt_borrow_apr: u256_to_f64(pool.reserve(1).current_variable_borrow_rate) / ray,
            usdt_supply_apr: u256_to_f64(pool.reserve(1).current_liquidity_rate) / ray,
            usdt_debt: tok(1, pool.total_debt(now, 1)),
            dai_utilization: u256_to_f64(pool.utilization(now, 2)) / ray,
            dai_borrow_apr: u256_to_f64(pool.reserve(2).current_variable_borrow_rate) / ray,
            dai_supply_apr: u256_to_f64(pool.reserve(2).current_liquidity_rate) / ray,
            dai_debt: tok(2, pool.total_debt(now, 2)),
            liquidations: self.liquidations,
            usdc_seized: self.seized,
            holders_sold,
            buyers_bought,
            usdc_repaid,
            arb_usdc_to_psm: arb,
            ..c
        });
        Ok(())
    }

    /// The Compound v2 columns of an hourly row (all empty without the lender).
    fn compound_row(
        &self,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<SvbRow, SpiralError> {
        let Some(part) = &self.compound else {
            return Ok(SvbRow::default());
        };
        let c = compound(world)?;
        let m = |name| compound_market(c, part, name);
        let (usdc, usdt, dai) = (m("USDC")?, m("USDT")?, m("DAI")?);
        let dai_oracle = match part.markets.iter().position(|m| m.1 == DAI) {
            Some(id) => Some(u256_to_f64(c.comptroller().oracle.price(id).map_err(run_err)?) / 1e6),
            None => None,
        };
        let arbs = &agents[self.index.collateral..self.index.repayers];
        Ok(SvbRow {
            compound_usdc_utilization: usdc.map(|x| x[0]),
            compound_usdc_borrow_apr: usdc.map(|x| x[1]),
            compound_usdc_supply_apr: usdc.map(|x| x[2]),
            compound_usdt_utilization: usdt.map(|x| x[0]),
            compound_usdt_borrow_apr: usdt.map(|x| x[1]),
            compound_usdt_supply_apr: usdt.map(|x| x[2]),
            compound_dai_utilization: dai.map(|x| x[0]),
            compound_dai_borrow_apr: dai.map(|x| x[1]),
            compound_dai_supply_apr: dai.map(|x| x[2]),
            compound_usdt_cash: usdt.map(|x| x[3]),
            compound_dai_cash: dai.map(|x| x[3]),
            compound_dai_oracle_usd: dai_oracle,
            compound_liquidations: Some(self.compound_liquidations),
            collateral_arb_usdc_supplied: Some(sum::<CollateralArbitrageur>(arbs, |a| {
                tok(USDC, a.supplied)
            })),
            collateral_arb_borrowed: Some(sum::<CollateralArbitrageur>(arbs, |a| {
                tok(a.spec().borrow.0, a.borrowed)
            })),
            ..SvbRow::default()
        })
    }

    /// The Compound v2 figures of the summary.
    fn compound_summary(
        &self,
        world: &World,
        usdc_market: f64,
    ) -> Result<Option<SvbCompoundSummary>, SpiralError> {
        let Some(part) = &self.compound else {
            return Ok(None);
        };
        let rows = &self.market;
        let max =
            |f: &dyn Fn(&SvbRow) -> Option<f64>| rows.iter().filter_map(f).fold(0.0, f64::max);
        let ends = |f: &dyn Fn(&SvbRow) -> Option<f64>| {
            [
                rows.first().and_then(f).unwrap_or(0.0),
                rows.last().and_then(f).unwrap_or(0.0),
            ]
        };
        let (n, short, bad) = compound_end(compound(world)?, part, usdc_market)?;
        let last = rows.last().cloned().unwrap_or_default();
        Ok(Some(SvbCompoundSummary {
            utilization_max: [
                max(&|r| r.compound_usdc_utilization),
                max(&|r| r.compound_usdt_utilization),
                max(&|r| r.compound_dai_utilization),
            ],
            borrow_apr_max: [
                max(&|r| r.compound_usdc_borrow_apr),
                max(&|r| r.compound_usdt_borrow_apr),
                max(&|r| r.compound_dai_borrow_apr),
            ],
            cash: [
                ends(&|r| r.compound_usdt_cash),
                ends(&|r| r.compound_dai_cash),
            ],
            dai_min_oracle: rows
                .iter()
                .filter_map(|r| r.compound_dai_oracle_usd)
                .fold(f64::INFINITY, f64::min)
                .min(f64::MAX),
            liquidations: self.compound_liquidations,
            arb_usdc_supplied: last.collateral_arb_usdc_supplied.unwrap_or(0.0),
            arb_borrowed: last.collateral_arb_borrowed.unwrap_or(0.0),
            debt_start: part.debt_start,
            accounts_in_shortfall: n,
            shortfall_usd: short,
            bad_debt_at_market_usd: bad,
        }))
    }

    fn books(&self, world: &World, eth_usd: f64) -> Result<Vec<SvbBookRow>, SpiralError> {
        let mut out = Vec::new();
        for (g, start) in self.groups.iter().zip(&self.start) {
            let (c, d, min_hf, short, clear) = group_state(world, (g.1, g.2), (g.3, g.4), eth_usd)?;
            let liquidated = (g.1..g.1 + g.2)
                .filter(|a| self.liquidated.contains(a))
                .count() as u64;
            out.push(SvbBookRow {
                group: g.0.clone(),
                accounts: u64::from(g.2),
                collateral: symbol(g.3).into(),
                debt: symbol(g.4).into(),
                collateral_start: start.0,
                collateral_end: c,
                debt_start: start.1,
                debt_end: d,
                liquidated_accounts: liquidated,
                repaid_accounts: clear,
                min_health_end: min_hf.is_finite().then_some(min_hf),
                shortfall_usd: short,
            });
        }
        Ok(out)
    }

    fn finish(
        self,
        l: &Loaded,
        seed: u64,
        mode: &str,
        blocks: u64,
        world: &World,
        agents: &[Box<dyn Agent>],
    ) -> Result<RunOutput, SpiralError> {
        let log = world.log();
        let events = crate::world_run::events(agents)?;
        let eth_usd = self.paths.1.price_at(world.now() as i64);
        let books = self.books(world, eth_usd)?;
        let first = self.market.first().cloned().unwrap_or_default();
        let last = self.market.last().cloned().unwrap_or_default();
        let rows = &self.market;
        let min = |f: &dyn Fn(&SvbRow) -> f64| {
            rows.iter()
                .map(f)
                .fold(f64::INFINITY, f64::min)
                .min(f64::MAX)
        };
        let max = |f: &dyn Fn(&SvbRow) -> f64| rows.iter().map(f).fold(0.0, f64::max);
        let shortfall: f64 = books.iter().map(|b| b.shortfall_usd).sum();
        let compound = self.compound_summary(world, last.usdc_curve)?;
        let svb = SvbSummary {
            usdc_min_curve: min(&|r| r.usdc_curve),
            usdc_end_curve: last.usdc_curve,
            usdc_min_oracle: min(&|r| r.usdc_oracle_usd),
            dai_min_curve: min(&|r| r.dai_curve),
            curve_usdc_share: [first.curve_usdc_share, last.curve_usdc_share],
            curve_usdc_share_max: max(&|r| r.curve_usdc_share),
            psm_usdc: [first.psm_usdc, last.psm_usdc],
            dai_supply: [first.dai_supply, last.dai_supply],
            utilization_max: [
                max(&|r| r.usdc_utilization),
                max(&|r| r.usdt_utilization),
                max(&|r| r.dai_utilization),
            ],
            borrow_apr_max: [
                max(&|r| r.usdc_borrow_apr),
                max(&|r| r.usdt_borrow_apr),
                max(&|r| r.dai_borrow_apr),
            ],
            usdc_debt: [first.usdc_debt, last.usdc_debt],
            usdc_repaid: last.usdc_repaid,
            usdc_seized: last.usdc_seized,
            holders_sold: last.holders_sold,
            buyers_bought: last.buyers_bought,
            arb_usdc_to_psm: last.arb_usdc_to_psm,
            shortfall_usd: shortfall,
            compound,
            events_reverted: events
                .iter()
                .filter(|e| e.outcome.starts_with("reverted"))
                .count() as u64,
            revert_reasons: crate::world_run::revert_reasons(world),
        };
        let summary = Summary {
            scenario: l.spec.scenario.name.clone(),
            variant: mode.to_string(),
            protocol: "usdc-svb".into(),
            seed,
            blocks,
            positions: books.iter().map(|b| b.accounts).sum(),
            debt_start: books.iter().map(|b| b.debt_start).sum(),
            liquidations: self.liquidations,
            // Stablecoin debt of the groups that do not repay USDC (a repayer's fall in debt
            // is its own repayment).
            debt_liquidated: books
                .iter()
                .filter(|b| b.debt != "USDC")
                .map(|b| (b.debt_start - b.debt_end).max(0.0))
                .sum(),
            collateral_seized: self.seized,
            bad_debt: shortfall,
            txs_submitted: log.submitted,
            txs_included: log.txs.iter().filter(|t| !t.direct).count() as u64,
            txs_dropped: log.dropped,
            txs_reverted: log
                .txs
                .iter()
                .filter(|t| !t.direct && t.outcome.is_err())
                .count() as u64,
            min_market_price: svb.usdc_min_curve,
            min_fundamental: min(&|r| r.usdc_path),
            svb: Some(svb),
            ..Summary::default()
        };
        Ok(RunOutput {
            summary,
            svb: Some(SvbOutput {
                market: self.market,
                books,
                events,
            }),
            ..RunOutput::default()
        })
    }
}

/// The symbol of a token.
pub fn symbol(token: bankrun_chain::TokenId) -> &'static str {
    match token {
        USDC => "USDC",
        USDT => "USDT",
        DAI => "DAI",
        _ => "WETH",
    }
}
