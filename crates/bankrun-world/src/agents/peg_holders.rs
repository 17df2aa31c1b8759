//! Holders of a pegged token in cohorts who decide to run on what they observe, wallet by
//! wallet: UST deposited in Anchor or held in wallets (the Terra scenario), stETH held against
//! its ETH peg (the stETH scenario).
//!
//! Model: reference/behaviour.md §1.3 (heterogeneous-threshold hazard with an observational
//! herding term) with the mint-burn coverage of §5.2. Each account wakes at Poisson attention
//! times (rate `attention_per_hour`, × `news_multiplier` once the alert is on) and computes
//! its perceived risk
//!
//! `R = d + κ·1[p < p_κ] + β_O·O + β_B·(1/B − 1)₊ + N(t)`
//!
//! - `p`: the lowest price of the token on the sell venues, in the quote token (or a feed's
//!   market price, [`Signals::price_feed`]);
//!   `d = max(0, par − p)` (`par` = 1 for UST; for stETH, the discount it traded at before the
//!   window); the kink `p_κ` ($0.99 for UST: Anadu et al., behaviour.md §1.2);
//! - `O` (with an Anchor signal): the fall of Anchor's deposits over the last 24 h (public, as
//!   the Anchor dashboard was: the observability channel of Liu–Makarov–Schoar);
//! - `B` (with a coverage signal): LUNA market cap / UST supply (behaviour.md §5.2: the run
//!   hazard rises in `1/B` as `B` falls below 1);
//! - `N(t)`: public news ([`HolderCohortSpec::news`]), a step function of time.
//!
//! An account acts when `R` exceeds its threshold `τ_i` (drawn by the caller, per account)
//! and the price is not below the cohort's floor (`hold_below`: holders of a token redeemable
//! at par later wait rather than sell at a deeper discount),
//! then doubles `τ_i`: a run in steps, partial exits (behaviour.md §1.5, "partial, staggered
//! exits": whales cut 15 % at once and 40 % over three days). Acting means exiting
//! `exit_fraction` of what it holds (redeeming aUST from Anchor, then selling `sell_share` of
//! the UST received on the venue that quotes best), or, for a contrarian account, depositing
//! its wallet UST into Anchor ("small wallets increased exposure", Jump Crypto).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, FeedId, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocols::Anchor;
use crate::record::TxRecord;

/// Weights of the perceived risk (behaviour.md §1.3, step 2), in depeg-equivalent units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskWeights {
    /// `κ`: added below the kink price.
    pub kink: f64,
    /// `β_O`: per unit of the 24 h relative fall of Anchor's deposits.
    pub outflow: f64,
    /// `β_B`: per unit of `(1/B − 1)₊`.
    pub coverage: f64,
}

/// Where a cohort reads its signals.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// The pegged token held (UST, stETH).
    pub token: TokenId,
    /// The token it is sold for and priced in (dollars, ETH).
    pub quote: TokenId,
    /// The pegged token's decimals.
    pub decimals: u8,
    /// `par`: the price `d` is measured from, in the quote token.
    pub par: f64,
    /// `p_κ`: the kink price, in the quote token.
    pub kink_below: f64,
    /// Coverage `B` (mint-burn designs): the backing token (LUNA) and the venue whose price of
    /// it in the quote token values its market cap; `None`: no coverage term.
    pub coverage: Option<(TokenId, VenueId)>,
    /// Anchor (whose deposits give `O`, and where `in_anchor` stakes sit) and its aUST token;
    /// `None`: no outflow term and wallet stakes only.
    pub anchor: Option<(ProtocolId, TokenId)>,
    /// Venues the token can be sold on (the best quote is taken).
    pub sell_venues: Vec<VenueId>,
    /// The price holders watch: a feed's market price (the source it reads: a replayed path,
    /// or a pool) instead of the sell venues' lowest price.
    pub price_feed: Option<FeedId>,
}

/// A cohort's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct HolderCohortSpec {
    /// Display name (`anchor-large`, …).
    pub name: String,
    /// Whether the stake is in Anchor (aUST) or UST in the wallet.
    pub in_anchor: bool,
    /// Accounts of the cohort (their wallets are funded by the caller).
    pub accounts: Vec<AgentId>,
    /// The cohort's stake at the start, UST (for shares exited).
    pub stake: f64,
    /// Per account: the first threshold `τ_i` (depeg-equivalent units).
    pub thresholds: Vec<f64>,
    /// Per account: whether it is a contrarian (adds to Anchor instead of leaving).
    pub contrarian: Vec<bool>,
    /// Attention rate, wake-ups per hour.
    pub attention_per_hour: f64,
    /// Multiplier of the attention rate once the alert is on.
    pub news_multiplier: f64,
    /// The alert: the reference price below this (quote token).
    pub alert_price: f64,
    /// Share of the holding exited at each decision, (0, 1].
    pub exit_fraction: f64,
    /// Share of the UST redeemed that is sold at once (the rest is held), [0, 1].
    pub sell_share: f64,
    /// Below this reference price the cohort holds (a token redeemable at par later, as
    /// stETH after the withdrawal upgrade: selling at a deeper discount is worse than
    /// waiting); 0: no floor.
    pub hold_below: f64,
    /// Risk weights.
    pub weights: RiskWeights,
    /// Public news as a step function of time: from each `(unix seconds, risk)` on, `risk`
    /// (depeg-equivalent units) is added to `R` until the next step (a disclosure raises it,
    /// a guarantee takes it back: Circle's SVB exposure, March 2023). Sorted by time; empty:
    /// no news term. A positive step also raises the alert.
    pub news: Vec<(u64, f64)>,
    /// Signals.
    pub signals: Signals,
    /// Block interval, seconds.
    pub block_seconds: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// A cohort of UST holders.
#[derive(Debug, Clone)]
pub struct PegHolders {
    spec: HolderCohortSpec,
    rng: ChaCha8Rng,
    /// Next attention block per account (min-heap of `(block, index)`).
    wakes: BinaryHeap<Reverse<(u64, u32)>>,
    alert: bool,
    /// Hourly Anchor deposits, UST, newest last (25 samples: the last 24 h).
    deposits: Vec<f64>,
    last_hour: Option<u64>,
    /// UST redeemed and waiting to be sold, per account.
    to_sell: Vec<(AgentId, U256)>,
    /// Per account index, by account id offset.
    first_account: AgentId,
    thresholds: Vec<f64>,
    /// Decisions taken (exits and contrarian deposits).
    pub decisions: u64,
    /// UST exited (redeemed from Anchor, or sold from the wallet), token units, as mined.
    pub exited: U256,
    /// UST added by contrarians, token units.
    pub added: U256,
    /// UST sold on venues, token units.
    pub sold: U256,
}

impl PegHolders {
    /// A cohort whose accounts are consecutive ids from `spec.accounts[0]`, with its random
    /// stream (`rng`: the caller's named stream).
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the per-account vectors differ in length or the
    /// accounts are not consecutive.
    pub fn new(spec: HolderCohortSpec, mut rng: ChaCha8Rng) -> Result<Self, WorldError> {
        let n = spec.accounts.len();
        let bad = |what: &str| WorldError::Unsupported {
            target: spec.name.clone(),
            what: what.to_string(),
        };
        if spec.news.windows(2).any(|w| w[0].0 > w[1].0) {
            return Err(bad("news must be sorted by time"));
        }
        if spec.thresholds.len() != n || spec.contrarian.len() != n {
            return Err(bad(
                "thresholds and contrarian flags must have one entry per account",
            ));
        }
        if spec.signals.anchor.is_none() && (spec.in_anchor || spec.contrarian.contains(&true)) {
            return Err(bad(
                "stakes in Anchor and contrarians (who deposit in Anchor) need an Anchor signal",
            ));
        }
        let first = spec.accounts.first().copied().unwrap_or(0);
        if spec
            .accounts
            .iter()
            .enumerate()
            .any(|(i, a)| *a != first + i as u32)
        {
            return Err(bad("accounts must be consecutive ids"));
        }
        let mut wakes = BinaryHeap::with_capacity(n);
        for i in 0..n {
            wakes.push(Reverse((
                next_wake(&mut rng, 0, spec.attention_per_hour, spec.block_seconds),
                i as u32,
            )));
        }
        Ok(PegHolders {
            thresholds: spec.thresholds.clone(),
            spec,
            rng,
            wakes,
            alert: false,
            deposits: Vec::new(),
            last_hour: None,
            to_sell: Vec::new(),
            first_account: first,
            decisions: 0,
            exited: U256::ZERO,
            added: U256::ZERO,
            sold: U256::ZERO,
        })
    }

    /// The cohort's name.
    pub fn cohort(&self) -> &str {
        &self.spec.name
    }

    /// Whether the stake is in Anchor.
    pub fn in_anchor(&self) -> bool {
        self.spec.in_anchor
    }

    /// The cohort's stake at the start, UST.
    pub fn stake_tokens(&self) -> f64 {
        self.spec.stake
    }

    fn rate(&self) -> f64 {
        let m = if self.alert {
            self.spec.news_multiplier
        } else {
            1.0
        };
        self.spec.attention_per_hour * m
    }

    /// The perceived risk `R` now (see the module docs).
    ///
    /// # Errors
    /// A venue or Anchor that cannot be read.
    pub fn risk(&self, view: &View<'_>) -> Result<f64, WorldError> {
        let s = &self.spec.signals;
        let w = &self.spec.weights;
        let p = self.reference_price(view)?;
        let d = (s.par - p).max(0.0);
        let kink = if p < s.kink_below { w.kink } else { 0.0 };
        let outflow = match (self.deposits.first(), self.deposits.last()) {
            (Some(&old), Some(&now)) if old > 0.0 => (1.0 - now / old).max(0.0),
            _ => 0.0,
        };
        let thin = match s.coverage {
            Some((backing, venue)) => {
                let v = view.venue(venue).ok_or(WorldError::Unknown {
                    kind: "venue",
                    id: venue,
                })?;
                let backing_price = v.price(backing, s.quote)?;
                let supply = units(view.ledger.supply(s.token), s.decimals);
                let cap = units(view.ledger.supply(backing), 6) * backing_price;
                let coverage = if supply > 0.0 {
                    cap / supply
                } else {
                    f64::INFINITY
                };
                if coverage > 0.0 {
                    (1.0 / coverage - 1.0).max(0.0)
                } else {
                    10.0
                }
            }
            None => 0.0,
        };
        let news = self.news_at(view.now);
        Ok(d + kink + w.outflow * outflow + w.coverage * thin.min(10.0) + news)
    }

    /// The news term `N(t)` at `now` (unix seconds).
    fn news_at(&self, now: u64) -> f64 {
        self.spec
            .news
            .iter()
            .take_while(|(t, _)| *t <= now)
            .last()
            .map_or(0.0, |(_, r)| *r)
    }

    /// The price a holder sees: the lowest of the sell venues' prices (a depeg anywhere is
    /// public: the Curve pool's imbalance was the first signal in May 2022).
    fn reference_price(&self, view: &View<'_>) -> Result<f64, WorldError> {
        let s = &self.spec.signals;
        if let Some(feed) = s.price_feed {
            return view.oracles.market(feed);
        }
        let mut p = f64::INFINITY;
        for &id in &s.sell_venues {
            let v = view
                .venue(id)
                .ok_or(WorldError::Unknown { kind: "venue", id })?;
            p = p.min(v.price(s.token, s.quote)?);
        }
        Ok(p)
    }

    /// Samples Anchor's deposits at the first block of each hour.
    fn sample_deposits(&mut self, view: &View<'_>) -> Result<(), WorldError> {
        let hour = view.now / 3600;
        let Some((id, _)) = self.spec.signals.anchor else {
            return Ok(());
        };
        if self.last_hour == Some(hour) {
            return Ok(());
        }
        self.last_hour = Some(hour);
        let p = view.protocol(id).ok_or(WorldError::Unknown {
            kind: "protocol",
            id,
        })?;
        let anchor =
            p.as_any()
                .downcast_ref::<Anchor>()
                .ok_or_else(|| WorldError::Unsupported {
                    target: p.name().to_string(),
                    what: "deposit signals from a protocol that is not Anchor".into(),
                })?;
        self.deposits.push(anchor.deposits_tokens()?);
        if self.deposits.len() > 25 {
            self.deposits.remove(0);
        }
        Ok(())
    }

    fn submit(&self, account: AgentId, target: Target, call: Call, out: &mut Vec<Submission>) {
        let mut sub = Submission::new(target, call, self.spec.priority_gwei);
        sub.account = Some(account);
        out.push(sub);
    }

    /// The sale of `amount` of the token on the venue quoting best, if any quotes.
    fn sell(&self, view: &View<'_>, account: AgentId, amount: U256, out: &mut Vec<Submission>) {
        let s = &self.spec.signals;
        let best = s
            .sell_venues
            .iter()
            .filter_map(|&v| {
                let q = view
                    .venue(v)?
                    .quote_exact_in(s.token, s.quote, amount)
                    .ok()?;
                Some((q.out, v))
            })
            .max_by_key(|(o, v)| (*o, Reverse(*v)));
        if let Some((_, v)) = best {
            let call = Call::SwapExactIn {
                token_in: s.token,
                token_out: s.quote,
                amount_in: amount,
                min_out: U256::ZERO,
            };
            self.submit(account, Target::Venue(v), call, out);
        }
    }

    /// One account's decision at its attention time.
    fn decide(&mut self, view: &View<'_>, i: usize, risk: f64, out: &mut Vec<Submission>) {
        if risk <= self.thresholds[i] {
            return;
        }
        self.thresholds[i] *= 2.0;
        self.decisions += 1;
        let account = self.first_account + i as u32;
        let (token, anchor) = (self.spec.signals.token, self.spec.signals.anchor);
        let wallet = view.ledger.balance(token, Holder::Agent(account));
        if self.spec.contrarian[i] {
            // `new` admits contrarians only with an Anchor signal.
            if let (false, Some((anchor, _))) = (wallet.is_zero(), anchor) {
                self.added += wallet;
                let call = Call::Supply {
                    token,
                    amount: wallet,
                };
                self.submit(account, Target::Protocol(anchor), call, out);
            }
            return;
        }
        let f = self.spec.exit_fraction;
        if let (true, Some((anchor, a_ust))) = (self.spec.in_anchor, anchor) {
            let a = view.ledger.balance(a_ust, Holder::Agent(account));
            let amount = scale(a, f);
            if !amount.is_zero() {
                let call = Call::Withdraw {
                    token: a_ust,
                    amount,
                };
                self.submit(account, Target::Protocol(anchor), call, out);
            }
        } else {
            let amount = scale(wallet, f);
            if !amount.is_zero() {
                self.sell(view, account, amount, out);
            }
        }
    }
}

/// `x · f` rounded down, `f` in [0, 1].
fn scale(x: U256, f: f64) -> U256 {
    if f >= 1.0 {
        return x;
    }
    let ppm = U256::from((f.max(0.0) * 1e6) as u64);
    x * ppm / U256::from(1_000_000u64)
}

fn units(x: U256, decimals: u8) -> f64 {
    bankrun_chain::units::units_to_tokens(x, decimals)
}

/// The block of the next attention after `block` at `per_hour` wake-ups an hour.
fn next_wake(rng: &mut ChaCha8Rng, block: u64, per_hour: f64, block_seconds: u64) -> u64 {
    if per_hour <= 0.0 {
        return u64::MAX;
    }
    let u: f64 = rng.random();
    let hours = -(1.0 - u).ln() / per_hour;
    let blocks = (hours * 3600.0 / block_seconds.max(1) as f64).ceil();
    block.saturating_add(blocks.clamp(1.0, 1e15) as u64)
}

impl Agent for PegHolders {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        self.sample_deposits(view)?;
        for (account, amount) in std::mem::take(&mut self.to_sell) {
            self.sell(view, account, amount, out);
        }
        let due = self.wakes.peek().is_some_and(|w| w.0.0 <= view.block);
        let alert_now = !self.alert
            && (self.reference_price(view)? < self.spec.alert_price
                || self.news_at(view.now) > 0.0);
        if alert_now {
            // News: every account's attention is redrawn at the raised rate.
            self.alert = true;
            let n = self.wakes.len();
            self.wakes.clear();
            let (rate, bs) = (self.rate(), self.spec.block_seconds);
            for i in 0..n {
                let b = next_wake(&mut self.rng, view.block, rate, bs);
                self.wakes.push(Reverse((b, i as u32)));
            }
        }
        if !due {
            return Ok(());
        }
        let risk = if self.reference_price(view)? < self.spec.hold_below {
            // Waiting beats selling: no decision now (thresholds kept).
            f64::NEG_INFINITY
        } else {
            self.risk(view)?
        };
        let (rate, bs) = (self.rate(), self.spec.block_seconds);
        while let Some(&Reverse((b, i))) = self.wakes.peek() {
            if b > view.block {
                break;
            }
            self.wakes.pop();
            self.decide(view, i as usize, risk, out);
            let next = next_wake(&mut self.rng, view.block, rate, bs);
            self.wakes.push(Reverse((next, i)));
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        let Ok(receipt) = &record.outcome else {
            return;
        };
        let s = &self.spec.signals;
        let a_ust = s.anchor.map(|(_, t)| t);
        match record.call {
            Call::Withdraw { token, .. } if Some(token) == a_ust => {
                self.exited += receipt.effect.amount;
                let sell = scale(receipt.effect.amount, self.spec.sell_share);
                if !sell.is_zero() {
                    self.to_sell.push((record.account, sell));
                }
            }
            Call::SwapExactIn {
                token_in,
                amount_in,
                ..
            } if token_in == s.token => {
                self.sold += amount_in;
                if !self.spec.in_anchor {
                    // A wallet holder's exit is its sale, counted once mined.
                    self.exited += amount_in;
                }
            }
            _ => {}
        }
    }
}
