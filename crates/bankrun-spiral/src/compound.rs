//! The Compound v2 runner: the real book in an exact Comptroller, reporter prices pushed on
//! deviation/heartbeat (stablecoins fixed at $1 where the oracle fixes them), liquidators
//! competing for block space under EIP-1559, and seized collateral sold on its market (ETH on
//! the pool or CEX, other volatile collateral on its own CEX venue, stablecoins on Curve).
//!
//! # Total order within a block
//! 1. time advances; fundamental prices move (× the stress ramp on the stressed path);
//!    the CEX impact decays;
//! 2. each reporter feed observes its market price (ETH: the CEX mid; assets with a venue:
//!    its mid; others: the fundamental) and posts on deviation/heartbeat (`validate`, anchor
//!    = the same market); markets accrue interest hourly;
//! 3. on a price update, accounts are classified from an `f64` image of the stored state
//!    ([`AccountCache`]) and those within its margin of the boundary checked exactly
//!    (`getAccountLiquidity`);
//! 4. liquidators (each every `poll_blocks`) submit `liquidateBorrow` for unsafe accounts
//!    whose expected profit beats gas, repaying min(close factor × borrow, their holdings
//!    of the borrowed asset, the amount whose seizure fits the collateral), most profitable
//!    first, at most `max_pending` pending each ([`plan`]); never a second transaction for a
//!    candidate they have pending; not while their max fee is below the (known) next base
//!    fee; a pending transaction whose target another liquidation changed is replaced.
//!    Between price updates only accounts touched by a transaction (or whose transaction
//!    expired, or that found no free slot) are reconsidered;
//! 5. the block is built: reporter rounds first (`oracle_update_gas` each), then agents'
//!    transactions in tip order within the agents' gas; the base fee follows London with
//!    background demand elastic to it ([`crate::gas`]);
//! 6. liquidators redeem the seized cTokens and sell ETH on the better venue, other volatile
//!    collateral with a `cex_depth_scale` on its CEX venue (its impact feeds its oracle),
//!    swap stablecoins on Curve, and keep the rest (no venue: an assumption);
//! 7. the block is recorded.
//!
//! Every market where an account supplies or borrows is entered (`borrowAllowed` enters
//! the borrowed market), so the Comptroller's liquidity counts every borrow.
//!
//! The book is the subgraph snapshot (`data/lending/compound_v2_book_2023-05.csv`), placed at
//! the start of the price window (the snapshot's block is not recorded: an assumption).

use std::collections::{BTreeMap, BTreeSet};

use bankrun_chain::Clock;
use bankrun_chain::gas::GasMarket;
use bankrun_chain::mempool::{Mempool, Tx};
use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_chain::rng::stream;
use bankrun_chain::time::{format_time, parse_time};
use bankrun_compound::ctoken::BorrowSnapshot;
use bankrun_compound::exp::EXP_SCALE;
use bankrun_compound::{
    CToken, Comptroller, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig, U256,
};
use bankrun_dex::cex::{CexVenue, VenueSet};
use bankrun_oracle::PushFeed;
use rand::RngExt;

use crate::error::SpiralError;
use crate::record::{LiquidationRow, RunOutput, SeriesRow, Summary, median};
use crate::spec::{Loaded, MarketSpec};
use crate::venues::{CexMarket, EthMarket, Venue, to_units, to_wei};

/// First liquidator account id.
pub const LIQUIDATOR0: u32 = 5_000_000;
/// The account holding the supply outside the book (funds the book's borrows).
pub const OUTSIDE: u32 = 4_000_000;

/// One account's position per market (whole underlying units).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookRow {
    /// Supply (underlying units).
    pub supply: f64,
    /// Borrow (underlying units).
    pub borrow: f64,
}

/// The book: `account → market index → row`, accounts dense from 0.
pub type Book = BTreeMap<u32, BTreeMap<usize, BookRow>>;

/// Reads the book CSV against the markets.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn read_book(l: &Loaded) -> Result<Book, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let (o, text) = l.read_data("book", &c.book)?;
    let mut book = Book::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let ln = n + 1;
        if f.len() != 4 {
            return Err(SpiralError::bad(
                &o,
                ln,
                "row",
                "expected account,market,supply,borrow",
            ));
        }
        let a: u32 = f[0]
            .parse()
            .map_err(|_| SpiralError::bad(&o, ln, "account", "not an integer"))?;
        let m = c
            .markets
            .iter()
            .position(|m| m.name == f[1])
            .ok_or_else(|| {
                SpiralError::bad(
                    &o,
                    ln,
                    "market",
                    format!("{:?} is not a market of the scenario", f[1]),
                )
            })?;
        let num = |s: &str, k: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| SpiralError::bad(&o, ln, k, format!("bad amount {s:?}")))
        };
        let row = book.entry(a).or_default().entry(m).or_default();
        row.supply += num(f[2], "supply")?;
        row.borrow += num(f[3], "borrow")?;
    }
    Ok(book)
}

/// Price paths per market (USD per unit), `None` for fixed prices.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn price_paths(l: &Loaded) -> Result<Vec<Option<PricePath>>, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let (o, text) = l.read_data("prices", &c.prices)?;
    c.markets
        .iter()
        .map(|m| match &m.price_column {
            Some(col) => Ok(Some(
                read_csv(&text, &o, &CsvFormat::columns(&[col.as_str()]))?.remove(0),
            )),
            None => Ok(None),
        })
        .collect()
}

fn price_at(m: &MarketSpec, path: &Option<PricePath>, t: i64, stress: f64) -> f64 {
    match path {
        Some(p) => p.price_at(t) * stress,
        None => m.fixed_usd.unwrap_or(1.0),
    }
}

/// The stress multiplier of volatile prices at `t` (1 on the real path).
pub fn stress_factor(l: &Loaded, stressed: bool, t: i64) -> f64 {
    match (&l.spec.stress, stressed) {
        (Some(s), true) => {
            let t0 = parse_time(&s.start).unwrap_or(i64::MAX);
            let w = ((t - t0) as f64 / (s.ramp_hours * 3600.0).max(1.0)).clamp(0.0, 1.0);
            1.0 - s.drop * w
        }
        _ => 1.0,
    }
}

fn usd6(p: f64) -> U256 {
    to_wei(p, 6)
}

/// The `f64` image of the Comptroller's stored state used to classify accounts without
/// running the exact `getAccountLiquidity` on every account at every price update.
///
/// Per account and market it keeps the cToken balance and the borrow "principal /
/// interestIndex" (both in wei, as `f64`); per market the stored exchange rate, borrow
/// index, oracle price and collateral factor. Values are refreshed from the exact state
/// whenever that state changes (accrual, a liquidation), so the estimate differs from the
/// exact liquidity only by `f64` rounding and the contract's floor divisions (relative
/// error far below [`AccountCache::MARGIN`]). Accounts within the margin of the boundary are
/// confirmed with the exact computation.
#[derive(Debug, Clone, Default)]
pub struct AccountCache {
    /// Per account id: [(market, cToken wei, principal / interest index)].
    pub rows: Vec<Vec<(usize, f64, f64)>>,
    /// Per market: exchange rate (underlying wei per cToken wei).
    pub rate: Vec<f64>,
    /// Per market: borrow index (1e18 scale, as stored).
    pub index: Vec<f64>,
    /// Per market: oracle price (USD per whole unit).
    pub price: Vec<f64>,
    /// Per market: collateral factor.
    pub cf: Vec<f64>,
    /// Per market: `10^decimals`.
    pub unit: Vec<f64>,
}

/// Exact-check verdict of [`AccountCache::classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Shortfall beyond the margin.
    Unsafe,
    /// Liquidity beyond the margin (or no debt).
    Safe,
    /// Too close to call in `f64`: run the exact check.
    Close,
}

/// Market `i`'s `exchangeRateStored()`, or a run error naming the market.
fn exchange_rate(i: usize, ct: &CToken) -> Result<U256, SpiralError> {
    ct.exchange_rate_stored()
        .map_err(|e| SpiralError::Run(format!("market {i}: exchangeRateStored: {e}")))
}

/// `borrowBalanceStored(account)` in market `m`, or a run error naming both.
fn borrow_balance(comp: &Comptroller, m: usize, account: u32) -> Result<U256, SpiralError> {
    comp.markets[m]
        .ctoken
        .borrow_balance_stored(account)
        .map_err(|e| SpiralError::Run(format!("market {m}: borrowBalanceStored({account}): {e}")))
}

/// Market `i`'s oracle price in USD, or a run error naming the market (never read as 0).
fn oracle_price(comp: &Comptroller, i: usize) -> Result<f64, SpiralError> {
    let p = comp
        .oracle
        .price(i)
        .map_err(|e| SpiralError::Run(format!("market {i}: oracle price: {e}")))?;
    Ok(to_units(p, 6))
}

impl AccountCache {
    /// Relative margin of [`AccountCache::classify`].
    pub const MARGIN: f64 = 1e-9;

    /// An empty cache for `comp`'s markets with `decimals`.
    ///
    /// # Errors
    /// As [`AccountCache::refresh_markets`].
    pub fn new(comp: &Comptroller, decimals: &[u32]) -> Result<Self, SpiralError> {
        let mut c = AccountCache {
            unit: decimals.iter().map(|&d| 10f64.powi(d as i32)).collect(),
            cf: comp
                .markets
                .iter()
                .map(|m| to_units(m.collateral_factor, 18))
                .collect(),
            ..AccountCache::default()
        };
        c.refresh_markets(comp)?;
        Ok(c)
    }

    /// Re-reads every market's stored exchange rate, borrow index and oracle price.
    ///
    /// # Errors
    /// [`SpiralError::Run`] if an exchange rate or a price cannot be computed (a defect:
    /// reading it as 0 would hide every position in that market).
    pub fn refresh_markets(&mut self, comp: &Comptroller) -> Result<(), SpiralError> {
        self.rate = comp
            .markets
            .iter()
            .enumerate()
            .map(|(i, m)| Ok(to_units(exchange_rate(i, &m.ctoken)?, 18)))
            .collect::<Result<_, SpiralError>>()?;
        self.index = comp
            .markets
            .iter()
            .map(|m| to_units(m.ctoken.borrow_index, 18))
            .collect();
        self.price = (0..comp.markets.len())
            .map(|i| oracle_price(comp, i))
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// Re-reads `account`'s balances in the markets it has entered.
    pub fn refresh_account(&mut self, comp: &Comptroller, account: u32) {
        let rows = comp
            .account_assets
            .get(&account)
            .map(|ms| {
                ms.iter()
                    .map(|&m| {
                        let ct = &comp.markets[m].ctoken;
                        let sbor = ct.account_borrows.get(&account).map_or(0.0, |s| {
                            to_units(s.principal, 0) / to_units(s.interest_index, 18)
                        });
                        (m, to_units(ct.balance_of(account), 0), sbor)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let i = account as usize;
        if self.rows.len() <= i {
            self.rows.resize(i + 1, Vec::new());
        }
        self.rows[i] = rows;
    }

    /// `(risk-adjusted collateral, debt, wei)` of `account` in USD, where `wei` is the
    /// value of one wei of each borrowed asset (the contract floors each borrow balance to
    /// the wei, which matters for dust positions).
    pub fn liquidity(&self, account: u32) -> (f64, f64, f64) {
        let (mut coll, mut debt, mut wei) = (0.0, 0.0, 0.0);
        for &(m, tokens, sbor) in self
            .rows
            .get(account as usize)
            .map_or(&[][..], Vec::as_slice)
        {
            let p = self.price[m] / self.unit[m];
            coll += tokens * self.rate[m] * p * self.cf[m];
            if sbor > 0.0 {
                debt += sbor * self.index[m] * p;
                wei += p;
            }
        }
        (coll, debt, wei)
    }

    /// Borrow of `account` in market `m` (whole units).
    pub fn borrow(&self, account: u32, m: usize) -> f64 {
        self.rows
            .get(account as usize)
            .and_then(|r| r.iter().find(|x| x.0 == m))
            .map_or(0.0, |x| x.2 * self.index[m] / self.unit[m])
    }

    /// Whether `account` is in shortfall, unless too close to call.
    pub fn classify(&self, account: u32) -> Verdict {
        let (coll, debt, wei) = self.liquidity(account);
        let tol = Self::MARGIN * coll.max(debt) + 2.0 * wei + 1e-12;
        if debt <= 0.0 || debt < coll - tol {
            Verdict::Safe
        } else if debt > coll + tol {
            Verdict::Unsafe
        } else {
            Verdict::Close
        }
    }
}

/// Whether `account` is in shortfall: the `f64` cache, confirmed exactly when close.
///
/// # Errors
/// [`SpiralError::Run`] from the exact check.
pub fn in_shortfall(
    cache: &AccountCache,
    comp: &Comptroller,
    account: u32,
) -> Result<bool, SpiralError> {
    match cache.classify(account) {
        Verdict::Unsafe => Ok(true),
        Verdict::Safe => Ok(false),
        Verdict::Close => {
            let (_, shortfall) = comp
                .account_liquidity(account)
                .map_err(|e| SpiralError::Run(e.to_string()))?;
            Ok(!shortfall.is_zero())
        }
    }
}

/// A liquidation transaction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Liquidate {
    /// Borrower.
    pub account: u32,
    /// Borrowed market.
    pub borrowed: usize,
    /// Collateral market.
    pub collateral: usize,
    /// Repay (underlying wei).
    pub repay: U256,
}

/// One block's valuation of a candidate, shared by the liquidators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Valuation {
    /// Borrowed market repaid (the largest borrow at the oracle).
    pub bm: usize,
    /// Collateral market seized (the largest collateral at the oracle).
    pub cm: usize,
    /// Oracle price of the borrowed asset (USD).
    pub pb: f64,
    /// Upper bound of the repayment (units): close factor × the cached borrow, with margin.
    pub repay_ub: f64,
    /// Most that the seizure of the collateral covers (units).
    pub max_by_coll: f64,
    /// The exact cap min(0.999 × close factor × borrowBalanceStored, `max_by_coll`), once
    /// computed.
    pub cap: Option<f64>,
}

/// Values `a` from the screening cache: `None` without a borrow or a collateral.
fn value(
    a: u32,
    units: &[Vec<(usize, f64, f64)>],
    cache: &AccountCache,
    markets: &[MarketSpec],
    c: &crate::spec::CompoundSpec,
) -> Option<Valuation> {
    let px = &cache.price;
    let rows = units.get(a as usize)?;
    let &(bm, _, _) = rows
        .iter()
        .filter(|r| r.2 > 0.0)
        .max_by(|x, y| (x.2 * px[x.0]).total_cmp(&(y.2 * px[y.0])))?;
    let &(cm, csup, _) = rows
        .iter()
        .filter(|r| r.1 > 0.0 && markets[r.0].collateral_factor > 0.0)
        .max_by(|x, y| (x.1 * px[x.0]).total_cmp(&(y.1 * px[y.0])))?;
    let (pb, pc) = (px[bm], px[cm]);
    Some(Valuation {
        bm,
        cm,
        pb,
        repay_ub: cache.borrow(a, bm) * c.close_factor * (1.0 + 1e-6),
        max_by_coll: csup * pc / (c.liquidation_incentive * pb.max(1e-12)) * 0.99,
        cap: None,
    })
}

/// Liquidator `agent`'s submissions from its profitable candidates `(expected profit,
/// action)`: never a candidate it already has pending (`pending` holds `(agent, account)` of
/// every pending transaction), the most profitable first (ties by account), at most its free
/// slots (`max_pending` − its pending); the rest go back to `later` (considered again at its
/// next poll).
pub fn plan(
    agent: usize,
    cands: Vec<(f64, Liquidate)>,
    pending: &BTreeSet<(usize, u32)>,
    max_pending: usize,
    later: &mut BTreeSet<u32>,
) -> Vec<Liquidate> {
    let in_flight = pending.range((agent, 0)..=(agent, u32::MAX)).count();
    let slots = max_pending.saturating_sub(in_flight);
    let mut cands: Vec<_> = cands
        .into_iter()
        .filter(|c| !pending.contains(&(agent, c.1.account)))
        .collect();
    cands.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.account.cmp(&y.1.account)));
    let mut out = Vec::with_capacity(slots.min(cands.len()));
    for (i, (_, l)) in cands.into_iter().enumerate() {
        if i < slots {
            out.push(l);
        } else {
            later.insert(l.account);
        }
    }
    out
}

/// Runs the real (`stressed = false`) or stressed path.
///
/// # Errors
/// [`SpiralError`].
pub fn run(l: &Loaded, seed: u64, stressed: bool) -> Result<RunOutput, SpiralError> {
    run_with_progress(l, seed, stressed, &mut |_, _| {})
}

/// [`run`], calling `progress(blocks done, blocks)` before every block.
///
/// # Errors
/// [`SpiralError`].
pub fn run_with_progress(
    l: &Loaded,
    seed: u64,
    stressed: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, SpiralError> {
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
    let clock = Clock::new(start, s.scenario.block_seconds)
        .ok_or_else(|| l.err("block_seconds", "must be positive"))?;
    let bs = s.scenario.block_seconds as i64;
    let blocks = clock.blocks_until(end).max(1);
    let n = c.markets.len();
    let eth = c
        .markets
        .iter()
        .position(|m| m.name == "ETH")
        .ok_or_else(|| l.err("markets", "needs an ETH market"))?;
    let p0: Vec<f64> = (0..n)
        .map(|i| price_at(&c.markets[i], &paths[i], start, 1.0))
        .collect();
    // Oracle and markets.
    let mut oracle = PriceOracle::new(EXP_SCALE * U256::from(15) / U256::from(100));
    for (i, m) in c.markets.iter().enumerate() {
        let base_unit = U256::from(10u64).pow(U256::from(m.decimals));
        let source = if m.oracle_fixed || m.price_column.is_none() {
            PriceSource::FixedUsd(usd6(p0[i]))
        } else {
            PriceSource::Reporter
        };
        oracle.push(TokenConfig { base_unit, source });
        if source == PriceSource::Reporter {
            oracle.prices[i] = usd6(p0[i]);
        }
    }
    let mut comp = Comptroller::new(
        to_wei(c.close_factor, 18),
        to_wei(c.liquidation_incentive, 18),
        oracle,
    );
    let block0 = 16_700_000u64; // assumption: a block number of late Feb 2023 (only differences matter)
    for m in &c.markets {
        let r = m.rate_model;
        let model = JumpRateModelV2::from_per_year(
            to_wei(r[0], 18),
            to_wei(r[1], 18),
            to_wei(r[2], 18),
            to_wei(r[3], 18),
        )
        .map_err(|e| l.err("rate_model", format!("market {}: {e}", m.name)))?;
        // cTokens have 8 decimals; exchange rate 0.02 underlying per cToken.
        let x = U256::from(2u64) * U256::from(10u64).pow(U256::from(16 + m.decimals - 8));
        let ct = CToken::new(model, x, to_wei(m.reserve_factor, 18), block0);
        comp.support_market(ct, to_wei(m.collateral_factor, 18));
    }
    // Per account id (dense from 0): [(market, supply units, borrow units)], the screening
    // view of the book kept up to date after liquidations.
    let n_acc = book.keys().next_back().map_or(0, |&a| a as usize + 1);
    let mut units: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); n_acc];
    let mut debt_start = 0.0;
    for (&a, rows) in &book {
        let mut enter = Vec::new();
        for (&m, r) in rows {
            let dec = c.markets[m].decimals;
            let ct = &mut comp.markets[m].ctoken;
            if r.supply > 0.0 {
                let wei = to_wei(r.supply, dec);
                let tokens = wei * EXP_SCALE / ct.initial_exchange_rate;
                ct.account_tokens.insert(a, tokens);
                ct.total_supply += tokens;
                ct.cash += tokens * ct.initial_exchange_rate / EXP_SCALE;
            }
            if r.borrow > 0.0 {
                let wei = to_wei(r.borrow, dec);
                ct.account_borrows.insert(
                    a,
                    BorrowSnapshot {
                        principal: wei,
                        interest_index: EXP_SCALE,
                    },
                );
                ct.total_borrows += wei;
                debt_start += r.borrow * p0[m];
            }
            // A borrow enters its market (`borrowAllowed` adds it to the account's assets):
            // without it the Comptroller's liquidity ignores the borrow.
            if r.supply > 0.0 || r.borrow > 0.0 {
                enter.push(m);
            }
            units[a as usize].push((m, r.supply, r.borrow));
        }
        comp.enter_markets(a, &enter)
            .map_err(|e| SpiralError::Run(e.to_string()))?;
    }
    // Outside supply funds the book's borrows: cash = book supply, exchange rate exact.
    for m in &mut comp.markets {
        let ct = &mut m.ctoken;
        let tokens = ct.total_borrows * EXP_SCALE / ct.initial_exchange_rate;
        ct.account_tokens.insert(OUTSIDE, tokens);
        ct.total_supply += tokens;
        ct.cash = ct.total_supply * ct.initial_exchange_rate / EXP_SCALE - ct.total_borrows;
    }
    // Venues.
    let v = &s.venues;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    let mut cex = CexVenue::fitted(p0[eth], set).map_err(|e| SpiralError::Run(e.to_string()))?;
    cex.k_sell /= v.cex_depth_scale.sqrt();
    cex.k_buy /= v.cex_depth_scale.sqrt();
    let mut market = EthMarket::new(p0[eth], v.pool_eth, 6, cex, v.impact_half_life_s, start)?;
    // Other volatile collateral with a venue (`cex_depth_scale`): one venue per price
    // column (cWBTC and cWBTC2 share BTC's), the first market's scale.
    let mut alts: Vec<CexMarket> = Vec::new();
    let mut alt_of: Vec<Option<usize>> = vec![None; n];
    for (i, m) in c.markets.iter().enumerate() {
        let (Some(col), Some(scale)) = (&m.price_column, m.cex_depth_scale) else {
            continue;
        };
        if i == eth {
            continue;
        }
        let shared = (0..i)
            .find(|&j| alt_of[j].is_some() && c.markets[j].price_column.as_ref() == Some(col));
        alt_of[i] = Some(match shared {
            Some(j) => alt_of[j].unwrap_or_default(),
            None => {
                alts.push(CexMarket::new(
                    p0[i],
                    cex,
                    scale,
                    v.impact_half_life_s,
                    start,
                ));
                alts.len() - 1
            }
        });
    }
    let usdc = c.markets.iter().position(|m| m.name == "USDC").unwrap_or(1);
    let mut curve = if v.curve_balance_per_coin > 0.0 {
        Some(crate::stable::three_pool(
            v.curve_balance_per_coin,
            v.curve_a,
        )?)
    } else {
        None
    };
    let mut feeds: Vec<Option<PushFeed>> = (0..n)
        .map(|i| {
            (comp.oracle.configs[i].source == PriceSource::Reporter).then(|| {
                PushFeed::new(
                    (c.feed_deviation * 10_000.0).round() as u32,
                    c.feed_heartbeat_s,
                    p0[i],
                    start,
                )
            })
        })
        .collect();
    // Liquidators.
    let mut liqs = Vec::new();
    for g in &s.keepers {
        for j in 0..g.count {
            liqs.push((
                format!("{}-{}", g.name, j),
                g.clone(),
                to_wei(g.gas_budget_eth, 18),
            ));
        }
    }
    let mut wallets: BTreeMap<(u32, usize), U256> = BTreeMap::new();
    for (k, (_, g, _)) in liqs.iter().enumerate() {
        for (i, m) in c.markets.iter().enumerate() {
            wallets.insert(
                (LIQUIDATOR0 + k as u32, i),
                to_wei(g.capital / p0[i].max(1e-9), m.decimals),
            );
        }
    }
    let gas_model = crate::runner::gas_model(l)?;
    let mut gas = GasMarket::new(gas_model, s.gas.block_gas_limit, s.gas.agent_gas_share);
    let mut gas_rng = stream(seed, if stressed { "gas-stress" } else { "gas" });
    let mut tie_rng = stream(
        seed,
        if stressed {
            "mempool-stress"
        } else {
            "mempool"
        },
    );
    let mut pool: Mempool<usize, Liquidate> = Mempool::default();
    let mut out = RunOutput::default();
    let mut sum = Summary {
        scenario: s.scenario.name.clone(),
        variant: if stressed {
            "stress".into()
        } else {
            "real".into()
        },
        protocol: "compound-v2".into(),
        seed,
        blocks,
        positions: book.len() as u64,
        debt_start,
        min_market_price: f64::MAX,
        min_fundamental: f64::MAX,
        ..Summary::default()
    };
    let decimals: Vec<u32> = c.markets.iter().map(|m| m.decimals).collect();
    let mut cache = AccountCache::new(&comp, &decimals)?;
    for &a in book.keys() {
        cache.refresh_account(&comp, a);
    }
    // (liquidator, account) of every pending transaction.
    let mut pending_keys: BTreeSet<(usize, u32)> = BTreeSet::new();
    let mut unsafe_set: BTreeSet<u32> = BTreeSet::new();
    // Per liquidator, the unsafe accounts to (re)consider at its next poll: all of them
    // after a price update, otherwise those whose state a transaction changed or whose
    // transaction expired (nothing else changes a decision between price updates).
    let mut dirty: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); liqs.len()];
    // Per liquidator: consider every unsafe account at its next poll (prices moved).
    let mut consider_all = vec![false; liqs.len()];
    // Per account: (block + 1, valuation) of the block's shared valuation.
    let mut vals: Vec<(u64, Option<Valuation>)> = vec![(0, None); n_acc];
    // Per liquidator, accounts changed by a liquidation since its last poll.
    let mut touched: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); liqs.len()];
    let mut unsafe_since: BTreeMap<u32, i64> = BTreeMap::new();
    let mut delays = Vec::new();
    let mut liquidated = 0.0;
    let mut scan = true;
    let mut last_accrual = start;
    let sample_every = (3600 / bs).max(1) as u64;
    for b in 0..blocks {
        progress(b, blocks);
        let now = clock.timestamp(b + 1);
        let blk = block0 + b + 1;
        let sf = stress_factor(l, stressed, now);
        let fund: Vec<f64> = (0..n)
            .map(|i| price_at(&c.markets[i], &paths[i], now, sf))
            .collect();
        market.advance(now, fund[eth]);
        for (i, v) in alt_of.iter().enumerate() {
            if let Some(v) = *v
                && alts[v].now != now
            {
                alts[v].advance(now, fund[i]);
            }
        }
        let mut posts = 0u64;
        for i in 0..n {
            let Some(feed) = feeds[i].as_mut() else {
                continue;
            };
            let px = if i == eth {
                market.mid()
            } else if let Some(v) = alt_of[i] {
                alts[v].mid()
            } else {
                fund[i]
            };
            if feed.observe(px, now) {
                let p = usd6(px);
                comp.oracle
                    .validate(i, p, p)
                    .map_err(|e| SpiralError::Run(e.to_string()))?;
                sum.oracle_updates += 1;
                posts += 1;
                cache.price[i] = oracle_price(&comp, i)?;
                scan = true;
            }
        }
        if now - last_accrual >= 3600 {
            for m in &mut comp.markets {
                m.ctoken
                    .accrue_interest(blk)
                    .map_err(|e| SpiralError::Run(e.to_string()))?;
            }
            last_accrual = now;
            cache.refresh_markets(&comp)?;
        }
        if scan {
            let prices = &cache.price;
            unsafe_set.clear();
            for (a, rows) in units.iter().enumerate() {
                let a = a as u32;
                let (mut coll, mut debt) = (0.0, 0.0);
                for &(m, sup, bor) in rows {
                    coll += sup * prices[m] * c.markets[m].collateral_factor;
                    debt += bor * prices[m];
                }
                if debt > 0.0 && debt > coll * 0.98 && in_shortfall(&cache, &comp, a)? {
                    unsafe_set.insert(a);
                    unsafe_since.entry(a).or_insert(now);
                }
            }
            consider_all.fill(true);
            scan = false;
        }
        // Liquidators decide. Each candidate is valued once per block (shared by the
        // liquidators; their holdings and gas price differ).
        if !unsafe_set.is_empty() {
            let observed = gas.observed_gwei(now);
            let base_fee_gwei = gas.base_fee_wei() as f64 / bankrun_chain::gas::GWEI as f64;
            let eth_usd = market.mid();
            for (k, (_, g, gas_left)) in liqs.iter().enumerate() {
                if b % g.poll_blocks != 0 {
                    continue;
                }
                let gwei = (observed * g.gas_multiplier).min(g.gas_cap_gwei);
                // Under EIP-1559 the next base fee is known: a max fee below it cannot be
                // included, so the liquidator waits (its candidates stay to consider).
                if gwei < base_fee_gwei {
                    continue;
                }
                let gas_usd = c.gas_liquidate as f64 * gwei * 1e-9 * eth_usd;
                if to_units(*gas_left, 18) < c.gas_liquidate as f64 * gwei * 1e-9 {
                    continue;
                }
                // Pending transactions whose target changed since submission (another
                // liquidation landed) would revert: the liquidator replaces them.
                let stale: Vec<u32> = std::mem::take(&mut touched[k])
                    .into_iter()
                    .filter(|&a| pending_keys.contains(&(k, a)))
                    .collect();
                if !stale.is_empty() {
                    let gone =
                        pool.withdraw(|t| t.sender == k && stale.contains(&t.action.account));
                    sum.txs_replaced += gone as u64;
                    for a in stale {
                        pending_keys.remove(&(k, a));
                        dirty[k].insert(a);
                    }
                }
                let todo = std::mem::take(&mut dirty[k]);
                let todo: Vec<u32> = if std::mem::take(&mut consider_all[k]) {
                    unsafe_set.iter().copied().collect()
                } else {
                    todo.intersection(&unsafe_set).copied().collect()
                };
                let mut cands = Vec::new();
                for a in todo {
                    if pending_keys.contains(&(k, a)) {
                        continue;
                    }
                    let slot = &mut vals[a as usize];
                    if slot.0 != b + 1 {
                        *slot = (b + 1, value(a, &units, &cache, &c.markets, c));
                    }
                    let Some(v) = slot.1.as_mut() else {
                        continue;
                    };
                    if v.repay_ub * v.pb * (c.liquidation_incentive * 0.972 - 1.0) - gas_usd
                        < g.min_profit_usd
                    {
                        continue;
                    }
                    let dec_b = c.markets[v.bm].decimals;
                    let cap = match v.cap {
                        Some(cap) => cap,
                        None => {
                            let borrow = borrow_balance(&comp, v.bm, a)?;
                            let cap = (to_units(borrow, dec_b) * c.close_factor * 0.999)
                                .min(v.max_by_coll);
                            *v.cap.insert(cap)
                        }
                    };
                    // Repay: min(close factor × borrow, the amount whose seizure fits the
                    // collateral, the liquidator's holdings of the borrowed asset).
                    let held = to_units(
                        wallets
                            .get(&(LIQUIDATOR0 + k as u32, v.bm))
                            .copied()
                            .unwrap_or_default(),
                        dec_b,
                    );
                    let repay_units = cap.min(held);
                    let profit =
                        repay_units * v.pb * (c.liquidation_incentive * 0.972 - 1.0) - gas_usd;
                    if profit < g.min_profit_usd || repay_units <= 0.0 {
                        continue;
                    }
                    cands.push((
                        profit,
                        Liquidate {
                            account: a,
                            borrowed: v.bm,
                            collateral: v.cm,
                            repay: to_wei(repay_units, dec_b),
                        },
                    ));
                }
                for action in plan(k, cands, &pending_keys, g.max_pending, &mut dirty[k]) {
                    pending_keys.insert((k, action.account));
                    pool.submit(Tx {
                        sender: k,
                        action,
                        fee_gwei: gwei,
                        tie: tie_rng.random(),
                        submitted: b,
                        not_before: b + 1,
                        gas: c.gas_liquidate,
                        replace_key: None,
                    });
                }
            }
        }
        for t in pool.expire(b, s.gas.tx_ttl_blocks) {
            pending_keys.remove(&(t.sender, t.action.account));
            dirty[t.sender].insert(t.action.account);
        }
        let mut bg = gas.open_block(now, &mut gas_rng);
        // Reporter rounds are transactions (the Chainlink transmission that calls
        // `validate`), included ahead of the liquidators that back-run them.
        let (oracle_gas, oracle_eth) = bg.reserve(posts * s.gas.oracle_update_gas);
        sum.oracle_gas_eth += oracle_eth;
        let txs = if pool.pending().is_empty() {
            Vec::new()
        } else {
            pool.build_block(b, bg.min_price_gwei, bg.agent_gas)
        };
        let mut used = oracle_gas;
        for tx in txs {
            pending_keys.remove(&(tx.sender, tx.action.account));
            used += tx.gas;
            sum.txs_included += 1;
            let fee = U256::from(tx.gas) * to_wei(tx.fee_gwei, 9);
            let liq = &mut liqs[tx.sender];
            let fee = fee.min(liq.2);
            liq.2 -= fee;
            sum.gas_paid_eth += to_units(fee, 18);
            let addr = LIQUIDATOR0 + tx.sender as u32;
            let Liquidate {
                account,
                borrowed,
                collateral,
                repay,
            } = tx.action;
            for d in &mut dirty {
                d.insert(account);
            }
            let have = wallets.get(&(addr, borrowed)).copied().unwrap_or_default();
            if have < repay {
                sum.txs_reverted += 1;
                continue;
            }
            match comp.liquidate_borrow(addr, account, borrowed, repay, collateral, blk) {
                Ok(o) => {
                    for t in &mut touched {
                        t.insert(account);
                    }
                    wallets.insert((addr, borrowed), have - o.repaid);
                    let (_, amount) = comp
                        .redeem(addr, collateral, o.liquidator_tokens, U256::ZERO, blk)
                        .map_err(|e| SpiralError::Run(format!("redeem: {e}")))?;
                    let dec_c = c.markets[collateral].decimals;
                    let seized = to_units(amount, dec_c);
                    cache.refresh_markets(&comp)?;
                    cache.refresh_account(&comp, account);
                    let pb = cache.price[borrowed];
                    let repaid_usd = to_units(o.repaid, c.markets[borrowed].decimals) * pb;
                    let mkt_px = if collateral == eth {
                        market.mid()
                    } else if let Some(v) = alt_of[collateral] {
                        alts[v].mid()
                    } else {
                        fund[collateral]
                    };
                    let (venue, impact) = if collateral == eth {
                        let sale = market.sell_eth(amount)?;
                        *wallets.entry((addr, usdc)).or_default() += sale.stable_out;
                        (sale.venue, sale.impact)
                    } else if let Some(Ok((usd, impact))) =
                        alt_of[collateral].map(|v| alts[v].sell(seized))
                    {
                        *wallets.entry((addr, usdc)).or_default() += to_wei(usd, 6);
                        (Venue::Cex, impact)
                    } else if let (Some(cp), Some(i), Some(j)) = (
                        curve.as_mut(),
                        crate::stable::coin(&c.markets[collateral].name),
                        crate::stable::coin(&c.markets[borrowed].name),
                    ) {
                        match cp.exchange(i, j, amount, U256::ZERO) {
                            Ok(x) => {
                                *wallets.entry((addr, borrowed)).or_default() += x.dy;
                                (Venue::Curve, 0.0)
                            }
                            Err(_) => (Venue::None, 0.0),
                        }
                    } else {
                        *wallets.entry((addr, collateral)).or_default() += amount;
                        (Venue::None, 0.0)
                    };
                    // Update the screening cache.
                    if let Some(rows) = units.get_mut(account as usize) {
                        for r in rows.iter_mut() {
                            if r.0 == borrowed {
                                r.2 = to_units(
                                    borrow_balance(&comp, borrowed, account)?,
                                    c.markets[borrowed].decimals,
                                );
                            }
                            if r.0 == collateral {
                                let ct = &comp.markets[collateral].ctoken;
                                let tokens = ct.balance_of(account);
                                let rate = exchange_rate(collateral, ct)?;
                                r.1 = to_units(tokens * rate / EXP_SCALE, dec_c);
                            }
                        }
                    }
                    let since = unsafe_since.get(&account).copied().unwrap_or(now);
                    delays.push((now - since) as f64);
                    sum.liquidations += 1;
                    sum.debt_liquidated += repaid_usd;
                    sum.collateral_seized += seized * mkt_px;
                    liquidated += repaid_usd;
                    let value = seized * mkt_px;
                    out.liquidations.push(LiquidationRow {
                        protocol: "compound-v2",
                        block: b,
                        time: format_time(now),
                        position: account,
                        debt_repaid: repaid_usd,
                        collateral_seized: seized,
                        collateral: c.markets[collateral].name.clone(),
                        discount: if value > 0.0 {
                            1.0 - repaid_usd / value
                        } else {
                            0.0
                        },
                        gas_paid_eth: to_units(fee, 18),
                        venue: venue.name().into(),
                        price_impact: impact,
                        auction: 0,
                        bids: 0,
                        winner: liqs[tx.sender].0.clone(),
                        winning_bid: repaid_usd,
                        zero_bid: false,
                        delay_s: now - since,
                    });
                    if !in_shortfall(&cache, &comp, account)? {
                        unsafe_set.remove(&account);
                        unsafe_since.remove(&account);
                    }
                }
                Err(_) => sum.txs_reverted += 1,
            }
        }
        gas.close_block(used);
        // Arbitrage between the pool and the CEX (instant at latency-free granularity of
        // the block; gas at the base fee).
        let (r0, r1) = market.pair.reserves();
        let mid = market.mid();
        let base =
            bankrun_agents::pool_rebalance_base(to_units(r0, 18), to_units(r1, 6), mid, 0.003);
        let gap = (market.pool_price() / mid - 1.0).abs();
        let gas_usd =
            s.venues.arb_gas as f64 * bg.min_price_gwei * s.venues.arb_gas_multiplier * 1e-9 * mid;
        if base != 0.0
            && b % s.venues.arb_latency_blocks.max(1) == 0
            && bankrun_agents::arbitrage_profit_usd(base, gap, mid, 0.003, gas_usd) > 0.0
        {
            let (mut e, mut d) = (to_wei(1e6, 18), to_wei(1e10, 6));
            // An arbitrage that fails is a defect of the venue model, not "no trade".
            market.arbitrage(base, &mut e, &mut d)?;
            sum.arbitrages += 1;
        }
        sum.min_market_price = sum.min_market_price.min(market.mid());
        sum.min_fundamental = sum.min_fundamental.min(market.fundamental());
        sum.max_endogenous_impact = sum.max_endogenous_impact.max(1.0 - market.impact_factor());
        if b % sample_every == 0 || b + 1 == blocks {
            out.series.push(SeriesRow {
                time: format_time(now),
                fundamental: market.fundamental(),
                cex_mid: market.mid(),
                pool_price: market.pool_price(),
                protocol_price: oracle_price(&comp, eth)?,
                gas_gwei: bg.min_price_gwei,
                unsafe_positions: unsafe_set.len() as u64,
                liquidated,
            });
        }
    }
    // Bad debt: borrows above the (unadjusted) collateral value at the oracle.
    let prices: Vec<f64> = (0..n)
        .map(|i| oracle_price(&comp, i))
        .collect::<Result<_, _>>()?;
    for (a, rows) in units.iter().enumerate() {
        let a = a as u32;
        let (mut coll, mut debt) = (0.0, 0.0);
        for &(m, _, _) in rows {
            let ct = &comp.markets[m].ctoken;
            let rate = exchange_rate(m, ct)?;
            coll +=
                to_units(ct.balance_of(a) * rate / EXP_SCALE, c.markets[m].decimals) * prices[m];
            debt += to_units(borrow_balance(&comp, m, a)?, c.markets[m].decimals) * prices[m];
        }
        sum.bad_debt += (debt - coll).max(0.0);
    }
    sum.median_delay_s = median(&delays);
    sum.txs_submitted = pool.submitted();
    sum.txs_dropped = pool.dropped();
    out.summary = sum;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn liq(account: u32) -> Liquidate {
        Liquidate {
            account,
            borrowed: 1,
            collateral: 0,
            repay: U256::from(1u64),
        }
    }

    #[test]
    fn a_liquidator_does_not_resubmit_a_candidate_it_already_has_pending() {
        let pending: BTreeSet<(usize, u32)> = [(0, 7), (1, 8)].into_iter().collect();
        let mut later = BTreeSet::new();
        let out = plan(
            0,
            vec![(10.0, liq(7)), (5.0, liq(8))],
            &pending,
            16,
            &mut later,
        );
        // 7 is its own pending candidate; 8 is another liquidator's (competition is allowed).
        assert_eq!(out, vec![liq(8)]);
        assert!(later.is_empty());
    }

    #[test]
    fn a_liquidator_fills_its_free_slots_with_the_most_profitable_and_keeps_the_rest() {
        let pending: BTreeSet<(usize, u32)> = [(2, 1), (2, 2), (3, 9)].into_iter().collect();
        let mut later = BTreeSet::new();
        let cands = vec![
            (1.0, liq(10)),
            (9.0, liq(11)),
            (5.0, liq(12)),
            (5.0, liq(13)),
        ];
        let out = plan(2, cands, &pending, 4, &mut later);
        assert_eq!(out, vec![liq(11), liq(12)]);
        assert_eq!(later.into_iter().collect::<Vec<_>>(), vec![10, 13]);
        let mut later = BTreeSet::new();
        assert!(plan(2, vec![(1.0, liq(5))], &pending, 2, &mut later).is_empty());
        assert!(later.contains(&5));
    }

    /// A two-market Comptroller (ETH reporter, USDC fixed) with accounts from dust to whales.
    fn book() -> (Comptroller, Vec<u32>) {
        let mut oracle = PriceOracle::new(EXP_SCALE * U256::from(15) / U256::from(100));
        oracle.push(TokenConfig {
            base_unit: U256::from(10u64).pow(U256::from(18)),
            source: PriceSource::Reporter,
        });
        oracle.prices[0] = usd6(1600.0);
        oracle.push(TokenConfig {
            base_unit: U256::from(1_000_000u64),
            source: PriceSource::FixedUsd(usd6(1.0)),
        });
        let mut comp = Comptroller::new(to_wei(0.5, 18), to_wei(1.08, 18), oracle);
        for (dec, cf) in [(18u32, 0.825), (6, 0.855)] {
            let model = JumpRateModelV2::from_per_year(
                to_wei(0.02, 18),
                to_wei(0.1, 18),
                to_wei(2.0, 18),
                to_wei(0.8, 18),
            )
            .unwrap();
            let x = U256::from(2u64) * U256::from(10u64).pow(U256::from(16 + dec - 8));
            comp.support_market(CToken::new(model, x, to_wei(0.2, 18), 1), to_wei(cf, 18));
        }
        let mut accounts = Vec::new();
        for (a, (eth, usdc)) in [
            (2e-9, 2.6e-6),
            (1e-9, 1.3e-6),
            (0.01, 13.0),
            (10.0, 13_000.0),
            (1000.0, 1.32e6),
            (25_000.0, 3.2e7),
        ]
        .into_iter()
        .enumerate()
        {
            let a = a as u32;
            let ct = &mut comp.markets[0].ctoken;
            let tokens = to_wei(eth, 18) * EXP_SCALE / ct.initial_exchange_rate;
            ct.account_tokens.insert(a, tokens);
            ct.total_supply += tokens;
            ct.cash += tokens * ct.initial_exchange_rate / EXP_SCALE;
            let ct = &mut comp.markets[1].ctoken;
            let wei = to_wei(usdc, 6);
            ct.account_borrows.insert(
                a,
                BorrowSnapshot {
                    principal: wei,
                    interest_index: EXP_SCALE,
                },
            );
            ct.total_borrows += wei;
            ct.cash += wei * U256::from(2u64);
            ct.total_supply += wei * U256::from(2u64) * EXP_SCALE / ct.initial_exchange_rate;
            comp.enter_markets(a, &[0, 1]).unwrap();
            accounts.push(a);
        }
        (comp, accounts)
    }

    #[test]
    fn the_f64_cache_agrees_with_the_exact_liquidity_at_every_price() {
        let (mut comp, accounts) = book();
        let mut cache = AccountCache::new(&comp, &[18, 6]).unwrap();
        for &a in &accounts {
            cache.refresh_account(&comp, a);
        }
        let mut unsafe_seen = 0;
        for step in 0..400 {
            let p = 1500.0 + step as f64 * 0.5;
            comp.oracle.prices[0] = usd6(p);
            cache.refresh_markets(&comp).unwrap();
            if step % 50 == 0 {
                for m in &mut comp.markets {
                    m.ctoken.accrue_interest(1 + 50_000 * step).unwrap();
                }
                cache.refresh_markets(&comp).unwrap();
            }
            for &a in &accounts {
                let (_, shortfall) = comp.account_liquidity(a).unwrap();
                let fast = in_shortfall(&cache, &comp, a).unwrap();
                assert_eq!(fast, !shortfall.is_zero(), "account {a} at {p}");
                unsafe_seen += u32::from(fast);
            }
        }
        assert!(unsafe_seen > 0);
    }
}
