//! A Compound v2 liquidator: screens the book from an `f64` image of the Comptroller's stored
//! state ([`AccountCache`]), confirms accounts close to the boundary with the exact
//! `getAccountLiquidity`, and sends `liquidateBorrow` for unsafe accounts whose expected profit
//! beats gas ([`plan`]); after the block it redeems the seized cTokens (`Call::Withdraw`) and
//! sells the underlying: ETH on the better of the pool and the CEX, other volatile collateral
//! on its own CEX venue, stablecoins on Curve into the borrowed stablecoin; the rest is kept.
//!
//! # Decision (each `poll_blocks`)
//! - every unsafe account after a price post, otherwise only those whose state a mined
//!   liquidation changed, whose transaction expired, or that found no free slot;
//! - repay min(0.999 × close factor × `borrowBalanceStored`, the amount whose seizure fits
//!   the largest collateral, the liquidator's holdings of the borrowed asset) of the largest
//!   borrow; expected profit `repay × price × (incentive × 0.972 − 1) − gas` (0.972: the
//!   protocol's 2.8 % seize share);
//! - the most profitable first, at most `max_pending` pending, never a second transaction
//!   for an account it has pending; not while its max fee is below the known next base fee;
//! - a pending transaction whose target another liquidation changed is replaced (same
//!   replacement key, the bid bumped by the mempool's 10 %) if the account is still a
//!   candidate; otherwise it stays and may revert.
//!
//! The liquidators of a world share one [`Screen`] (the same public state seen by all; one
//! image instead of one per liquidator): every mined liquidation (a reverted one too) is
//! reported to it by its sender and marks the account for every liquidator.
//!
//! Book accounts are Compound accounts `book_offset + i` (agent ids are the world's small
//! integers); the screen keys accounts by `i`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use bankrun_chain::units::{f64_to_fixed as to_wei, units_to_tokens};
use bankrun_chain::{Holder, Ledger, TokenId};
use bankrun_compound::{Comptroller, U256};

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, Effect, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocol::Env;
use crate::protocols::CompoundV2;
use crate::record::TxRecord;
use crate::venue::Venue;
use crate::venues::{Cex, Curve, UniswapV2};

fn to_units(x: U256, decimals: u32) -> f64 {
    units_to_tokens(x, decimals as u8)
}

/// A Comptroller view that failed (`exchangeRateStored`, `getUnderlyingPrice`,
/// `getAccountLiquidity`): a revert of the view, reported (never read as zero).
fn run_err(e: impl std::fmt::Display) -> WorldError {
    WorldError::reverted("compound-v2 (view)", e.to_string())
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
    /// Compound account of book account 0.
    pub offset: u32,
    /// Per book account: [(market, cToken wei, principal / interest index)].
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

/// Market `m`'s oracle price in USD (never read as 0).
fn oracle_price(comp: &Comptroller, m: usize) -> Result<f64, WorldError> {
    let p = comp
        .oracle
        .price(m)
        .map_err(|e| run_err(format!("market {m}: oracle price: {e}")))?;
    Ok(to_units(p, 6))
}

impl AccountCache {
    /// Relative margin of [`AccountCache::classify`].
    pub const MARGIN: f64 = 1e-9;

    /// An empty cache for `comp`'s markets with `decimals`; book account `i` is Compound
    /// account `offset + i`.
    ///
    /// # Errors
    /// As [`AccountCache::refresh_markets`].
    pub fn new(comp: &Comptroller, decimals: &[u32], offset: u32) -> Result<Self, WorldError> {
        let mut c = AccountCache {
            offset,
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
    /// If an exchange rate or a price cannot be computed (a defect: reading it as 0 would
    /// hide every position in that market).
    pub fn refresh_markets(&mut self, comp: &Comptroller) -> Result<(), WorldError> {
        self.rate = comp
            .markets
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let r = m
                    .ctoken
                    .exchange_rate_stored()
                    .map_err(|e| run_err(format!("market {i}: exchangeRateStored: {e}")))?;
                Ok(to_units(r, 18))
            })
            .collect::<Result<_, WorldError>>()?;
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

    /// Re-reads book account `account`'s balances in the markets it has entered.
    pub fn refresh_account(&mut self, comp: &Comptroller, account: u32) {
        let id = self.offset + account;
        let rows = comp
            .account_assets
            .get(&id)
            .map(|ms| {
                ms.iter()
                    .map(|&m| {
                        let ct = &comp.markets[m].ctoken;
                        let sbor = ct.account_borrows.get(&id).map_or(0.0, |s| {
                            to_units(s.principal, 0) / to_units(s.interest_index, 18)
                        });
                        (m, to_units(ct.balance_of(id), 0), sbor)
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

    /// Whether book account `account` is in shortfall: the `f64` image, confirmed exactly
    /// (`getAccountLiquidity`) when close.
    ///
    /// # Errors
    /// The exact check's error.
    pub fn in_shortfall(&self, comp: &Comptroller, account: u32) -> Result<bool, WorldError> {
        match self.classify(account) {
            Verdict::Unsafe => Ok(true),
            Verdict::Safe => Ok(false),
            Verdict::Close => {
                let (_, shortfall) = comp
                    .account_liquidity(self.offset + account)
                    .map_err(run_err)?;
                Ok(!shortfall.is_zero())
            }
        }
    }
}

/// A planned liquidation (book account, markets, repay in underlying wei).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Liquidate {
    /// Borrower (book account).
    pub account: u32,
    /// Borrowed market.
    pub borrowed: usize,
    /// Collateral market.
    pub collateral: usize,
    /// Repay (underlying wei).
    pub repay: U256,
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

/// One candidate's valuation from the screening image.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Valuation {
    bm: usize,
    cm: usize,
    pb: f64,
    repay_ub: f64,
    max_by_coll: f64,
}

/// The screening state the liquidators of a world share (see the module docs).
#[derive(Debug, Clone)]
pub struct Screen {
    protocol: ProtocolId,
    /// Per market: collateral factor (the scenario's `f64`, for the coarse pre-filter).
    cf: Vec<f64>,
    decimals: Vec<u32>,
    cache: AccountCache,
    /// Per book account: [(market, supply units, borrow units)], the book's image, updated
    /// after liquidations.
    units: Vec<Vec<(usize, f64, f64)>>,
    /// Book accounts that borrowed at the start, ascending: the only ones a scan can find
    /// unsafe (liquidations and redemptions never create a borrow in the book's image).
    borrowers: Vec<u32>,
    unsafe_set: BTreeSet<u32>,
    unsafe_since: BTreeMap<u32, u64>,
    dirty: Vec<BTreeSet<u32>>,
    consider_all: Vec<bool>,
    touched: Vec<BTreeSet<u32>>,
    /// Mined liquidations since the last settlement: (book account, succeeded, borrowed
    /// market, collateral market).
    events: Vec<(u32, bool, usize, usize)>,
    scan: bool,
    prepared: u64,
    /// Per book account: the block of its memoised valuation and stored borrow (valued once
    /// per block, shared by the liquidators, whose holdings and gas prices differ).
    vals: Vec<(u64, Option<Valuation>)>,
}

impl Screen {
    /// A screen of `liquidators` liquidators over the book `units` (per book account:
    /// `(market, supply units, borrow units)`) of protocol `protocol`, whose book account
    /// `i` is Compound account `offset + i`; `cf` and `decimals` per market.
    ///
    /// # Errors
    /// The protocol is not Compound v2, or a market cannot be read.
    pub fn new(
        view: &View<'_>,
        protocol: ProtocolId,
        offset: u32,
        units: Vec<Vec<(usize, f64, f64)>>,
        cf: Vec<f64>,
        decimals: Vec<u32>,
        liquidators: usize,
    ) -> Result<Self, WorldError> {
        let comp = comptroller(view, protocol)?;
        let mut cache = AccountCache::new(comp, &decimals, offset)?;
        for (a, rows) in units.iter().enumerate() {
            if !rows.is_empty() {
                cache.refresh_account(comp, a as u32);
            }
        }
        let borrowers = (units.iter().enumerate())
            .filter(|(_, rows)| rows.iter().any(|r| r.2 > 0.0))
            .map(|(a, _)| a as u32)
            .collect();
        Ok(Screen {
            protocol,
            cf,
            decimals,
            cache,
            units,
            borrowers,
            unsafe_set: BTreeSet::new(),
            unsafe_since: BTreeMap::new(),
            dirty: vec![BTreeSet::new(); liquidators],
            consider_all: vec![false; liquidators],
            touched: vec![BTreeSet::new(); liquidators],
            events: Vec::new(),
            scan: true,
            prepared: u64::MAX,
            vals: Vec::new(),
        })
    }

    /// Account `a`'s valuation at `block`, computed once per block (nothing changes an
    /// account between the liquidators' decisions).
    fn valuation(
        &mut self,
        a: u32,
        block: u64,
        close_factor: f64,
        incentive: f64,
    ) -> Option<Valuation> {
        let i = a as usize;
        if self.vals.len() <= i {
            self.vals
                .resize(self.units.len().max(i + 1), (u64::MAX, None));
        }
        if self.vals[i].0 != block {
            self.vals[i] = (block, self.value(a, close_factor, incentive));
        }
        self.vals[i].1
    }

    /// Accounts unsafe now (as of the last screening).
    pub fn unsafe_accounts(&self) -> &BTreeSet<u32> {
        &self.unsafe_set
    }

    /// Since when (unix seconds) `account` has been unsafe, if it is.
    pub fn unsafe_since(&self, account: u32) -> Option<u64> {
        self.unsafe_since.get(&account).copied()
    }

    /// The book's image (per book account: market, supply units, borrow units).
    pub fn units(&self) -> &[Vec<(usize, f64, f64)>] {
        &self.units
    }

    /// Once per block, before the liquidators decide: re-reads the markets (accrual,
    /// prices) and, after a price post, re-screens every account.
    fn prepare(&mut self, view: &View<'_>) -> Result<(), WorldError> {
        if self.prepared == view.block {
            return Ok(());
        }
        self.prepared = view.block;
        let comp = comptroller(view, self.protocol)?;
        self.cache.refresh_markets(comp)?;
        if view.oracles.last_posts() > 0 {
            self.scan = true;
        }
        if !self.scan {
            return Ok(());
        }
        self.unsafe_set.clear();
        for &a in &self.borrowers {
            let rows = &self.units[a as usize];
            let (mut coll, mut debt) = (0.0, 0.0);
            for &(m, sup, bor) in rows {
                coll += sup * self.cache.price[m] * self.cf[m];
                debt += bor * self.cache.price[m];
            }
            if debt > 0.0 && debt > coll * 0.98 && self.cache.in_shortfall(comp, a)? {
                self.unsafe_set.insert(a);
                self.unsafe_since.entry(a).or_insert(view.now);
            }
        }
        self.consider_all.fill(true);
        self.scan = false;
        Ok(())
    }

    /// After the block's liquidations and redeems: marks every mined liquidation's account
    /// for every liquidator, refreshes the changed accounts, and drops those no longer in
    /// shortfall.
    fn settle(&mut self, view: &View<'_>) -> Result<(), WorldError> {
        if self.events.is_empty() {
            return Ok(());
        }
        let comp = comptroller(view, self.protocol)?;
        self.cache.refresh_markets(comp)?;
        for (account, ok, borrowed, collateral) in std::mem::take(&mut self.events) {
            for d in &mut self.dirty {
                d.insert(account);
            }
            if !ok {
                continue;
            }
            for t in &mut self.touched {
                t.insert(account);
            }
            self.cache.refresh_account(comp, account);
            let id = self.cache.offset + account;
            if let Some(rows) = self.units.get_mut(account as usize) {
                for r in rows.iter_mut() {
                    let ct = &comp.markets[r.0].ctoken;
                    let dec = self.decimals[r.0];
                    if r.0 == borrowed {
                        r.2 = to_units(ct.borrow_balance_stored(id).map_err(run_err)?, dec);
                    }
                    if r.0 == collateral {
                        let rate = ct.exchange_rate_stored().map_err(run_err)?;
                        r.1 = to_units(ct.balance_of(id) * rate / U256::from(EXP), dec);
                    }
                }
            }
            if !self.cache.in_shortfall(comp, account)? {
                self.unsafe_set.remove(&account);
                self.unsafe_since.remove(&account);
            }
        }
        Ok(())
    }

    /// Book account `a`'s valuation: its largest borrow and largest collateral at the
    /// oracle; `None` without both.
    fn value(&self, a: u32, close_factor: f64, incentive: f64) -> Option<Valuation> {
        let px = &self.cache.price;
        let rows = self.units.get(a as usize)?;
        let &(bm, _, _) = rows
            .iter()
            .filter(|r| r.2 > 0.0)
            .max_by(|x, y| (x.2 * px[x.0]).total_cmp(&(y.2 * px[y.0])))?;
        let &(cm, csup, _) = rows
            .iter()
            .filter(|r| r.1 > 0.0 && self.cf[r.0] > 0.0)
            .max_by(|x, y| (x.1 * px[x.0]).total_cmp(&(y.1 * px[y.0])))?;
        let (pb, pc) = (px[bm], px[cm]);
        Some(Valuation {
            bm,
            cm,
            pb,
            repay_ub: self.cache.borrow(a, bm) * close_factor * (1.0 + 1e-6),
            max_by_coll: csup * pc / (incentive * pb.max(1e-12)) * 0.99,
        })
    }
}

/// Gas of a cancellation (a plain transfer's 21,000).
const CANCEL_GAS: u64 = 21_000;

/// 1e18.
const EXP: u128 = 1_000_000_000_000_000_000;

/// How a liquidator sells the underlying of a seized collateral market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sale {
    /// ETH: on the pool or the CEX book, whichever pays more of `quote`.
    Best {
        /// The AMM pool.
        pool: VenueId,
        /// The CEX book.
        cex: VenueId,
        /// The stablecoin received.
        quote: TokenId,
    },
    /// On its own CEX book, for `quote`.
    Cex {
        /// The book.
        venue: VenueId,
        /// The stablecoin received.
        quote: TokenId,
    },
    /// A stablecoin: on a Curve pool into the borrowed stablecoin when the pool lists it.
    Curve {
        /// The pool.
        venue: VenueId,
    },
    /// Kept (no venue: an assumption).
    Keep,
}

impl Sale {
    /// The venues the sale may use.
    fn venues(&self) -> Vec<VenueId> {
        match *self {
            Sale::Best { pool, cex, .. } => vec![pool, cex],
            Sale::Cex { venue, .. } | Sale::Curve { venue } => vec![venue],
            Sale::Keep => Vec::new(),
        }
    }
}

/// Scratch copies of venues (the world's venue types), on which an agent applies its own
/// after-block sales in turn to quote the next one; never the world's state.
#[derive(Default)]
struct Scratch {
    venues: BTreeMap<VenueId, Box<dyn Venue>>,
}

impl Scratch {
    /// Copies venue `id` from the world, unless already copied.
    fn load(&mut self, view: &View<'_>, id: VenueId) -> Result<(), WorldError> {
        if self.venues.contains_key(&id) {
            return Ok(());
        }
        let v = view
            .venue(id)
            .ok_or(WorldError::Unknown { kind: "venue", id })?;
        let any = v.as_any();
        let copy: Box<dyn Venue> = if let Some(x) = any.downcast_ref::<Cex>() {
            Box::new(x.clone())
        } else if let Some(x) = any.downcast_ref::<UniswapV2>() {
            Box::new(x.clone())
        } else if let Some(x) = any.downcast_ref::<Curve>() {
            Box::new(x.clone())
        } else {
            return Err(WorldError::Unsupported {
                target: v.name().to_string(),
                what: "a sale quote on a venue type the liquidator does not know".into(),
            });
        };
        self.venues.insert(id, copy);
        Ok(())
    }

    /// The copy of venue `id`.
    fn get(&self, id: VenueId) -> Result<&dyn Venue, WorldError> {
        self.venues
            .get(&id)
            .map(|v| v.as_ref())
            .ok_or(WorldError::Unknown { kind: "venue", id })
    }

    /// Applies the sale of `amount` of `tokens.0` for `tokens.1` on the copy of `id`, with a
    /// scratch ledger holding just the tokens the trade moves.
    fn sell(
        &mut self,
        view: &View<'_>,
        me: AgentId,
        id: VenueId,
        (token_in, token_out): (TokenId, TokenId),
        amount: U256,
    ) -> Result<(), WorldError> {
        let v = self
            .venues
            .get_mut(&id)
            .ok_or(WorldError::Unknown { kind: "venue", id })?;
        let quote = v.quote_exact_in(token_in, token_out, amount)?;
        let mut ledger = Ledger::new();
        ledger.mint(token_in, Holder::Agent(me), amount)?;
        ledger.mint(token_out, Holder::Venue(id), quote.out)?;
        let mut env = Env {
            now: view.now,
            block: view.block,
            ledger: &mut ledger,
            holder: Holder::Venue(id),
        };
        v.swap_exact_in(&mut env, me, token_in, token_out, amount, U256::ZERO)?;
        Ok(())
    }
}

/// One market as the liquidator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiquidatorMarket {
    /// World token of the underlying.
    pub token: TokenId,
    /// Its decimals.
    pub decimals: u32,
    /// How seized collateral of this market is sold.
    pub sale: Sale,
}

/// A Compound v2 liquidator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CompoundLiquidatorSpec {
    /// Display name.
    pub name: String,
    /// Its index among the world's liquidators (0-based, as in the [`Screen`]); it must be its
    /// agent id (liquidators come first), and the last one settles the screen after each
    /// block.
    pub index: usize,
    /// The Compound v2 protocol.
    pub protocol: ProtocolId,
    /// Markets, by Compound market id.
    pub markets: Vec<LiquidatorMarket>,
    /// Close factor (fraction).
    pub close_factor: f64,
    /// Liquidation incentive (1.08 = 8 %).
    pub liquidation_incentive: f64,
    /// Gas of one liquidation (`liquidateBorrow` + `redeem`).
    pub gas_liquidate: u64,
    /// Decides every this many blocks.
    pub poll_blocks: u64,
    /// Bids this multiple of the observed gas price (gwei) …
    pub gas_multiplier: f64,
    /// … at most this (gwei).
    pub gas_cap_gwei: f64,
    /// Gas budget, wei of ETH.
    pub gas_budget_wei: U256,
    /// Least expected profit of a liquidation, USD.
    pub min_profit_usd: f64,
    /// Most pending transactions.
    pub max_pending: usize,
    /// The ETH/USD price for gas in USD: (venue, ETH, the stablecoin).
    pub eth_usd: (VenueId, TokenId, TokenId),
    /// Under EIP-1559 (the next base fee known): do not bid below the observed base fee.
    pub wait_below_base_fee: bool,
}

/// A completed liquidation and the sale of its collateral.
#[derive(Debug, Clone, PartialEq)]
pub struct Seizure {
    /// Block.
    pub block: u64,
    /// Borrower (book account).
    pub account: u32,
    /// Borrowed market.
    pub borrowed: usize,
    /// Collateral market.
    pub collateral: usize,
    /// Repaid (borrowed underlying wei).
    pub repaid: U256,
    /// Seized underlying redeemed (collateral wei).
    pub seized: U256,
    /// Gas fee of the transaction, ETH wei.
    pub fee_wei: U256,
    /// Where it was sold: `None` (kept), else the venue.
    pub venue: Option<VenueId>,
    /// The sale's price impact on that venue (0 for Curve and kept collateral).
    pub impact: f64,
    /// The venue's mid before the sale (USD per unit), for CEX-priced collateral.
    pub mid: Option<f64>,
    /// Since when the account had been unsafe when the liquidation was mined (unix seconds).
    pub unsafe_since: Option<u64>,
}

/// A Compound v2 liquidator.
#[derive(Debug)]
pub struct CompoundLiquidator {
    spec: CompoundLiquidatorSpec,
    screen: Rc<RefCell<Screen>>,
    /// Pending accounts: account → the bid (gwei).
    pending: BTreeMap<u32, f64>,
    /// Pending planned actions, by account.
    planned: BTreeMap<u32, Liquidate>,
    gas_left: U256,
    gas_paid: U256,
    /// Mined liquidations to redeem and sell after the block.
    to_sell: Vec<Seizure>,
    /// Direct actions sent after the block, awaiting their records: (seizure index, leg).
    legs: Vec<(usize, Leg)>,
    seizures: Vec<Seizure>,
    submitted: u64,
    included: u64,
    reverted: u64,
    dropped: u64,
    replaced: u64,
}

/// A sale's venue, the token received, its impact and the venue's mid before it.
type Pick = (VenueId, TokenId, f64, Option<f64>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leg {
    Redeem,
    Sell,
}

impl CompoundLiquidator {
    /// A liquidator sharing `screen` with the world's other liquidators.
    pub fn new(spec: CompoundLiquidatorSpec, screen: Rc<RefCell<Screen>>) -> Self {
        CompoundLiquidator {
            gas_left: spec.gas_budget_wei,
            spec,
            screen,
            pending: BTreeMap::new(),
            planned: BTreeMap::new(),
            gas_paid: U256::ZERO,
            to_sell: Vec::new(),
            legs: Vec::new(),
            seizures: Vec::new(),
            submitted: 0,
            included: 0,
            reverted: 0,
            dropped: 0,
            replaced: 0,
        }
    }

    /// Completed liquidations with their sales, in mining order.
    pub fn seizures(&self) -> &[Seizure] {
        &self.seizures
    }

    /// The shared screen.
    pub fn screen(&self) -> &Rc<RefCell<Screen>> {
        &self.screen
    }

    /// Gas paid so far, wei of ETH.
    pub fn gas_paid(&self) -> U256 {
        self.gas_paid
    }

    /// (submitted, included, reverted, dropped, replaced) liquidation transactions.
    pub fn counts(&self) -> (u64, u64, u64, u64, u64) {
        (
            self.submitted,
            self.included,
            self.reverted,
            self.dropped,
            self.replaced,
        )
    }

    /// Candidates `(expected profit, action)` among `todo` at gas cost `gas_usd`.
    fn candidates(
        &self,
        me: AgentId,
        view: &View<'_>,
        screen: &mut Screen,
        todo: Vec<u32>,
        gas_usd: f64,
    ) -> Result<Vec<(f64, Liquidate)>, WorldError> {
        let s = &self.spec;
        let comp = comptroller(view, s.protocol)?;
        let edge = s.liquidation_incentive * 0.972 - 1.0;
        let mut cands = Vec::new();
        for a in todo {
            if self.pending.contains_key(&a) {
                continue;
            }
            let valued = screen.valuation(a, view.block, s.close_factor, s.liquidation_incentive);
            let Some(v) = valued else {
                continue;
            };
            if v.repay_ub * v.pb * edge - gas_usd < s.min_profit_usd {
                continue;
            }
            let dec_b = s.markets[v.bm].decimals;
            let borrow = comp.markets[v.bm]
                .ctoken
                .borrow_balance_stored(screen.cache.offset + a)
                .map_err(run_err)?;
            let cap = (to_units(borrow, dec_b) * s.close_factor * 0.999).min(v.max_by_coll);
            let held = to_units(
                view.ledger
                    .balance(s.markets[v.bm].token, Holder::Agent(me)),
                dec_b,
            );
            let repay_units = cap.min(held);
            let profit = repay_units * v.pb * edge - gas_usd;
            if profit < s.min_profit_usd || repay_units <= 0.0 {
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
        Ok(cands)
    }

    /// The submission of `l` bidding `gwei` (a replacement when `replacing`).
    fn submission(&self, l: &Liquidate, gwei: f64, offset: u32) -> Submission {
        let s = &self.spec;
        let call = Call::Liquidate {
            borrower: offset + l.account,
            debt: s.markets[l.borrowed].token,
            collateral: s.markets[l.collateral].token,
            repay: l.repay,
        };
        let mut sub = Submission::new(Target::Protocol(s.protocol), call, gwei);
        sub.gas = Some(s.gas_liquidate);
        sub.latency_blocks = 1;
        sub.replace_key = Some(u64::from(l.account));
        sub
    }
}

/// The Compound v2 protocol `id`'s Comptroller.
fn comptroller<'a>(view: &'a View<'_>, id: ProtocolId) -> Result<&'a Comptroller, WorldError> {
    view.protocol(id)
        .and_then(|p| p.as_any().downcast_ref::<CompoundV2>())
        .map(CompoundV2::comptroller)
        .ok_or(WorldError::Unknown {
            kind: "Compound v2 protocol",
            id,
        })
}

impl Agent for CompoundLiquidator {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let screen = Rc::clone(&self.screen);
        let mut screen = screen.borrow_mut();
        screen.prepare(view)?;
        let s = &self.spec;
        let k = s.index;
        if screen.unsafe_set.is_empty() || !(view.block - 1).is_multiple_of(s.poll_blocks.max(1)) {
            return Ok(());
        }
        let observed = view.gas_observed_gwei;
        let gwei = (observed * s.gas_multiplier).min(s.gas_cap_gwei);
        if s.wait_below_base_fee && gwei < observed {
            return Ok(());
        }
        let (venue, eth, stable) = s.eth_usd;
        let eth_usd = view
            .venue(venue)
            .ok_or(WorldError::Unknown {
                kind: "venue",
                id: venue,
            })?
            .price(eth, stable)?;
        let gas_usd = s.gas_liquidate as f64 * gwei * 1e-9 * eth_usd;
        if to_units(self.gas_left, 18) < s.gas_liquidate as f64 * gwei * 1e-9 {
            return Ok(());
        }
        // Pending transactions whose target another liquidation changed: reconsidered now,
        // replaced if still candidates.
        let stale: BTreeMap<u32, f64> = std::mem::take(&mut screen.touched[k])
            .into_iter()
            .filter_map(|a| self.pending.get(&a).map(|&g| (a, g)))
            .collect();
        for a in stale.keys() {
            self.pending.remove(a);
            screen.dirty[k].insert(*a);
        }
        let todo = std::mem::take(&mut screen.dirty[k]);
        let todo: Vec<u32> = if std::mem::take(&mut screen.consider_all[k]) {
            screen.unsafe_set.iter().copied().collect()
        } else {
            todo.intersection(&screen.unsafe_set).copied().collect()
        };
        let cands = self.candidates(me, view, &mut screen, todo, gas_usd)?;
        let keys: BTreeSet<(usize, u32)> = self.pending.keys().map(|&a| (k, a)).collect();
        let free = s.max_pending;
        let offset = screen.cache.offset;
        for l in plan(k, cands, &keys, free, &mut screen.dirty[k]) {
            let bid = match stale.get(&l.account) {
                // A replacement bids the mempool's 10 % bump over the pending bid.
                Some(&old) => {
                    self.replaced += 1;
                    gwei.max(old * 1.1 * (1.0 + 1e-12))
                }
                None => gwei,
            };
            out.push(self.submission(&l, bid, offset));
            self.pending.insert(l.account, bid);
            self.planned.insert(l.account, l);
            self.submitted += 1;
        }
        // Stale transactions not replaced are cancelled: a replacement with the same key and
        // the bumped bid, a liquidation of nothing that reverts at once at 21,000 gas (on
        // chain: a 0-value self-transfer with the same nonce); the account stays blocked
        // until it is mined.
        for (a, old) in stale {
            if self.pending.contains_key(&a) {
                continue;
            }
            let (debt, collateral) = self
                .planned
                .remove(&a)
                .map_or((s.markets[0].token, s.markets[0].token), |l| {
                    (s.markets[l.borrowed].token, s.markets[l.collateral].token)
                });
            let call = Call::Liquidate {
                borrower: offset + a,
                debt,
                collateral,
                repay: U256::ZERO,
            };
            let bid = gwei.max(old * 1.1 * (1.0 + 1e-12));
            let mut sub = Submission::new(Target::Protocol(s.protocol), call, bid);
            sub.gas = Some(CANCEL_GAS);
            sub.latency_blocks = 1;
            sub.replace_key = Some(u64::from(a));
            out.push(sub);
            self.pending.insert(a, bid);
            self.replaced += 1;
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        if record.direct {
            self.on_leg(record);
            return;
        }
        let gas = match &record.outcome {
            Ok(r) => r.gas_used,
            Err(r) => r.gas_used,
        };
        let fee = (U256::from(gas) * to_wei(record.fee_gwei, 9)).min(self.gas_left);
        self.gas_left -= fee;
        self.gas_paid += fee;
        let Call::Liquidate {
            borrower, repay, ..
        } = record.call
        else {
            return;
        };
        let account = borrower - self.screen.borrow().cache.offset;
        if repay.is_zero() {
            // A cancellation (see `act`).
            self.pending.remove(&account);
            self.screen.borrow_mut().dirty[self.spec.index].insert(account);
            return;
        }
        self.pending.remove(&account);
        let planned = self.planned.remove(&account);
        self.included += 1;
        let ok = record.outcome.is_ok();
        let (bm, cm) = planned.map_or((0, 0), |l| (l.borrowed, l.collateral));
        let since = self.screen.borrow().unsafe_since(account);
        self.screen.borrow_mut().events.push((account, ok, bm, cm));
        let (Ok(receipt), Some(l)) = (&record.outcome, planned) else {
            self.reverted += 1;
            return;
        };
        let Effect { amount, seized, .. } = receipt.effect;
        self.to_sell.push(Seizure {
            block: record.block,
            account,
            borrowed: l.borrowed,
            collateral: l.collateral,
            repaid: amount,
            seized: seized.map_or(U256::ZERO, |(_, x)| x),
            fee_wei: fee,
            venue: None,
            impact: 0.0,
            mid: None,
            unsafe_since: since,
        });
    }

    fn on_dropped(&mut self, submission: &Submission) {
        if let Call::Liquidate {
            borrower, repay, ..
        } = submission.call
        {
            let account = borrower - self.screen.borrow().cache.offset;
            self.pending.remove(&account);
            self.planned.remove(&account);
            self.dropped += u64::from(!repay.is_zero());
            self.screen.borrow_mut().dirty[self.spec.index].insert(account);
        }
    }

    /// Redeems each seizure's cTokens and sells the underlying; the last liquidator then
    /// settles the shared screen.
    fn after_block(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        // Scratch copies of the venues, each sale applied in turn, so that a later sale is
        // quoted (and its venue chosen) after the earlier ones, as they will execute.
        let mut venues = Scratch::default();
        for mut z in std::mem::take(&mut self.to_sell) {
            let m = self.spec.markets[z.collateral];
            let i = self.seizures.len();
            out.push(Submission::new(
                Target::Protocol(self.spec.protocol),
                Call::Withdraw {
                    token: m.token,
                    amount: z.seized,
                },
                0.0,
            ));
            self.legs.push((i, Leg::Redeem));
            let borrowed = self.spec.markets[z.borrowed].token;
            if let Some((venue, token_out, impact, mid)) =
                self.pick(view, &mut venues, &m, borrowed, z.seized)?
            {
                // A sale the copy refuses, the venue refuses too: its record shows it.
                venues
                    .sell(view, me, venue, (m.token, token_out), z.seized)
                    .ok();
                out.push(Submission::new(
                    Target::Venue(venue),
                    Call::SwapExactIn {
                        token_in: m.token,
                        token_out,
                        amount_in: z.seized,
                        min_out: U256::ZERO,
                    },
                    0.0,
                ));
                self.legs.push((i, Leg::Sell));
                (z.venue, z.impact, z.mid) = (Some(venue), impact, mid);
            }
            self.seizures.push(z);
        }
        if self.spec.index + 1 == self.screen.borrow().dirty.len() {
            self.screen.borrow_mut().settle(view)?;
        }
        Ok(())
    }
}

impl CompoundLiquidator {
    /// Where to sell `amount` of market `m`'s underlying: (venue, token received, impact,
    /// the venue's mid before), or `None` to keep it.
    fn pick(
        &self,
        view: &View<'_>,
        venues: &mut Scratch,
        m: &LiquidatorMarket,
        borrowed: TokenId,
        amount: U256,
    ) -> Result<Option<Pick>, WorldError> {
        for id in m.sale.venues() {
            venues.load(view, id)?;
        }
        let venue = |id| venues.get(id);
        Ok(match m.sale {
            Sale::Best { pool, cex, quote } => {
                let p = venue(pool)?.quote_exact_in(m.token, quote, amount).ok();
                let c = venue(cex)?.quote_exact_in(m.token, quote, amount).ok();
                let mid = Some(venue(cex)?.price(m.token, quote)?);
                match (p, c) {
                    (Some(p), c) if c.is_none_or(|c| p.out >= c.out) => {
                        Some((pool, quote, p.impact, mid))
                    }
                    (_, Some(c)) => Some((cex, quote, c.impact, mid)),
                    _ => None,
                }
            }
            Sale::Cex { venue: id, quote } => {
                let v = venue(id)?;
                let mid = Some(v.price(m.token, quote)?);
                v.quote_exact_in(m.token, quote, amount)
                    .ok()
                    .map(|q| (id, quote, q.impact, mid))
            }
            Sale::Curve { venue: id } => {
                let v = venue(id)?;
                let listed = v.tokens();
                (borrowed != m.token
                    && listed.contains(&borrowed)
                    && listed.contains(&m.token)
                    && v.quote_exact_in(m.token, borrowed, amount).is_ok())
                .then_some((id, borrowed, 0.0, None))
            }
            Sale::Keep => None,
        })
    }

    /// The record of a redeem or a sale sent after the block.
    fn on_leg(&mut self, record: &TxRecord) {
        if self.legs.is_empty() {
            return;
        }
        let (i, leg) = self.legs.remove(0);
        if leg == Leg::Sell
            && record.outcome.is_err()
            && let Some(z) = self.seizures.get_mut(i)
        {
            // A failed sale keeps the collateral.
            z.venue = None;
            z.impact = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_compound::exp::EXP_SCALE;
    use bankrun_compound::{CToken, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig};

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

    /// A two-market Comptroller (ETH reporter, USDC fixed) with accounts from dust to whales,
    /// imported as genesis state at accounts `OFFSET + i`.
    const OFFSET: u32 = 100;

    fn book() -> (Comptroller, Vec<u32>) {
        let mut oracle = PriceOracle::new(EXP_SCALE * U256::from(15) / U256::from(100));
        oracle.push(TokenConfig {
            base_unit: U256::from(10u64).pow(U256::from(18)),
            source: PriceSource::Reporter,
        });
        oracle.prices[0] = to_wei(1600.0, 6);
        oracle.push(TokenConfig {
            base_unit: U256::from(1_000_000u64),
            source: PriceSource::FixedUsd(to_wei(1.0, 6)),
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
            comp.import_position(OFFSET + a, 0, to_wei(eth, 18), U256::ZERO)
                .unwrap();
            comp.import_position(OFFSET + a, 1, U256::ZERO, to_wei(usdc, 6))
                .unwrap();
            accounts.push(a);
        }
        comp.import_outside_supply(9_999);
        (comp, accounts)
    }

    #[test]
    fn the_f64_cache_agrees_with_the_exact_liquidity_at_every_price() {
        let (mut comp, accounts) = book();
        let mut cache = AccountCache::new(&comp, &[18, 6], OFFSET).unwrap();
        for &a in &accounts {
            cache.refresh_account(&comp, a);
        }
        let mut unsafe_seen = 0;
        for step in 0..400 {
            let p = 1500.0 + step as f64 * 0.5;
            comp.oracle.prices[0] = to_wei(p, 6);
            cache.refresh_markets(&comp).unwrap();
            if step % 50 == 0 {
                for m in &mut comp.markets {
                    m.ctoken.accrue_interest(1 + 50_000 * step).unwrap();
                }
                cache.refresh_markets(&comp).unwrap();
            }
            for &a in &accounts {
                let (_, shortfall) = comp.account_liquidity(OFFSET + a).unwrap();
                let fast = cache.in_shortfall(&comp, a).unwrap();
                assert_eq!(fast, !shortfall.is_zero(), "account {a} at {p}");
                unsafe_seen += u32::from(fast);
            }
        }
        assert!(unsafe_seen > 0);
    }
}
