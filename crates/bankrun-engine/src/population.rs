//! The Aave scenario's population: depositors, borrowers, liquidators and scripted actors,
//! the accounts they own in the pool, and what they remember between blocks. It is one agent
//! of [`bankrun_world::World`] (see [`crate::agent`]): the pool is the world's Aave v3
//! protocol, read through a [`PoolReader`]; prices come from the world's oracle registry and
//! transactions go through the world's mempool and gas market.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use bankrun_aave::{AssetId, U256, UserId};
use bankrun_agents::{DepositorTraits, LiquidatorTraits, MarketView, RiskWeights};
use bankrun_chain::Clock;
use bankrun_chain::units::{ray_to_f64, u256_to_f64, units_to_tokens};
use bankrun_scenario::LoadedScenario;
use bankrun_world::protocols::aave::PoolReader;
use bankrun_world::{Call, FeedId, Submission, Target};

use crate::liq_index::LiquidationIndex;
use crate::liquidators::PassedOver;
use crate::parked::Parked;
use crate::record::Recorder;
use crate::streams::Streams;
use crate::wakes::WakeQueue;

/// Static facts about a reserve the engine needs besides the pool's state.
#[derive(Debug, Clone)]
pub struct AssetInfo {
    /// Symbol.
    pub symbol: String,
    /// Token decimals.
    pub decimals: u8,
    /// Oracle feed of its price (the world's registry).
    pub feed: FeedId,
    /// Total supplied at the start, whole tokens.
    pub initial_supply: f64,
}

/// An e-mode category as the engine needs it (effective LT and bonus for a user).
#[derive(Debug, Clone, Copy)]
pub struct EModeInfo {
    /// Category id.
    pub id: u8,
    /// Collateral bitmap (bit = asset id).
    pub collateral_bitmap: u128,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u16,
    /// Liquidation bonus, bps.
    pub liquidation_bonus: u16,
}

/// A depositor agent.
#[derive(Debug, Clone)]
pub struct Depositor {
    /// Class index (scenario `depositors[i]`).
    pub class: usize,
    /// Reserve supplied.
    pub asset: AssetId,
    /// Pool account.
    pub user: UserId,
    /// Private traits.
    pub traits: DepositorTraits,
    /// Initial deposit, token units.
    pub initial: U256,
    /// Exit demand not yet withdrawn, token units.
    pub target: U256,
    /// Total exit demand decided over the run, token units.
    pub demand: U256,
    /// Withdrawn so far, token units.
    pub withdrawn: U256,
    /// Withdrawal transactions included.
    pub txs: u32,
    /// Reverted withdrawal transactions.
    pub reverted: u32,
    /// Block of the first exit decision.
    pub first_decision: Option<u64>,
    /// Block its exit demand was last fully served.
    pub completed: Option<u64>,
    /// Gas paid, ETH.
    pub gas_eth: f64,
    /// Waiting for a transaction outcome.
    pub pending: bool,
    /// Left for good: its balance is zero, or dust after an exit.
    pub gone: bool,
    /// Wake-up generation (stale heap entries are skipped).
    pub generation: u32,
    /// Current signal noise ε (standard normal) and the block it was drawn in.
    pub noise: (f64, Option<u64>),
}

/// A borrower agent (one position of a book).
#[derive(Debug, Clone)]
pub struct Borrower {
    /// Book index (scenario `borrowers[i]`).
    pub book: usize,
    /// Pool account.
    pub user: UserId,
    /// Debt reserve.
    pub debt: AssetId,
    /// Collateral reserve.
    pub collateral: AssetId,
    /// Fraction of collateral to withdraw once the pending repayment succeeds (loopers'
    /// unwind).
    pub unwind: Option<f64>,
    /// Reacts to rates and health at all.
    pub active: bool,
    /// HF below which it repays (§2.2(b)).
    pub hf_act: f64,
    /// HF it repays back to.
    pub hf_target: f64,
    /// Waiting for a transaction outcome.
    pub pending: bool,
}

/// A liquidator agent.
#[derive(Debug, Clone)]
pub struct Liquidator {
    /// Spec index (scenario `liquidators[i]`).
    pub spec: usize,
    /// Pool account.
    pub user: UserId,
    /// Traits.
    pub traits: LiquidatorTraits,
    /// Free capital, USD.
    pub capital: f64,
    /// Capital locked in seized collateral until a block, USD.
    pub locked: VecDeque<(u64, f64)>,
    /// Users with a pending liquidation by this liquidator, and the USD reserved for each.
    pub pending: BTreeMap<UserId, f64>,
}

/// A decaying news shock.
#[derive(Debug, Clone, Copy)]
pub struct News {
    /// Unix seconds.
    pub at: i64,
    /// Intensity.
    pub intensity: f64,
    /// Half-life, seconds.
    pub half_life_s: f64,
    /// The reserve the news is about (`None`: the whole protocol).
    pub source: Option<AssetId>,
}

/// Who sends a transaction (the agent told the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sender {
    /// Depositor index.
    Depositor(u32),
    /// Borrower index.
    Borrower(u32),
    /// Liquidator index.
    Liquidator(u32),
}

/// A CAPO feed and its exchange ratio at the start, for the backing-loss signal.
#[derive(Debug, Clone, Copy)]
pub struct CapoSignal {
    /// Feed.
    pub feed: FeedId,
    /// Ratio at the start (18 decimals).
    pub initial_ratio: u128,
    /// The reserve priced by this adapter (its backing loss is news about that reserve).
    pub asset: Option<AssetId>,
}

/// The world's protocol id of the Aave pool (the only protocol of the scenario).
pub const AAVE: u32 = 0;

/// The population of an Aave scenario.
pub struct Population {
    /// The scenario.
    pub scn: Rc<LoadedScenario>,
    /// The lending pool (exact state, read-only: the world's Aave protocol changes it).
    pub pool: PoolReader,
    /// Reserve facts, by asset id.
    pub assets: Vec<AssetInfo>,
    /// E-mode categories.
    pub emodes: Vec<EModeInfo>,
    /// CAPO feeds, for the depositors' backing-loss signal.
    pub capos: Vec<CapoSignal>,
    /// Feed of the gas token's USD price.
    pub gas_feed: FeedId,
    /// Observed this block: ETH/USD, the worst CAPO backing loss, the base fee (gwei).
    pub observed: Observed,
    /// Sender of each pool account (by user id), for outcomes.
    pub owner: Vec<Option<Sender>>,
    /// Submissions made since the world last collected them (outcome handlers' follow-ups
    /// wait for the next block).
    pub outbox: Vec<Submission>,
    /// Scripted calls of this block, executed at the top of the block.
    pub script_out: Vec<Submission>,
    /// Last block of the run (the class series samples it).
    pub last_block: u64,
    /// Scripted calls sent at the top of this block and not yet reported.
    pub script: VecDeque<crate::scripted::Step>,
    /// Outcome state of the scripted event being reported.
    pub script_state: crate::scripted::ScriptState,
    /// Names of the CAPO adapters (exchange-rate events name one).
    pub capo_names: Vec<String>,
    /// Pool prices (8 decimals) the last block saw, to notice a change.
    pub last_prices: Vec<U256>,
    /// Total deficit, USD, before the next liquidation.
    pub deficit_usd: f64,
    /// Current block (0 = setup).
    pub block: u64,
    /// Current block timestamp, unix seconds.
    pub now: i64,
    /// Risk weights.
    pub weights: RiskWeights,
    /// Depositors.
    pub depositors: Vec<Depositor>,
    /// Borrowers.
    pub borrowers: Vec<Borrower>,
    /// Liquidators.
    pub liquidators: Vec<Liquidator>,
    /// Attacker accounts.
    pub attackers: Vec<UserId>,
    /// The rescue fund's account.
    pub rescuer: UserId,
    /// Umbrella (safety module) accounts by reserve.
    pub umbrella: BTreeMap<AssetId, UserId>,
    /// Scripted large suppliers (`withdraw` events) by reserve and label.
    pub large_suppliers: BTreeMap<(AssetId, String), UserId>,
    /// Agent wake-ups.
    pub wakes: WakeQueue,
    /// Depositors waiting for liquidity.
    pub parked: Parked,
    /// Reused buffer of the block's wake-ups.
    pub due: Vec<crate::wakes::Wake>,
    /// Block clock (block number ↔ timestamp).
    pub clock: Clock,
    /// Liquidation index.
    pub index: LiquidationIndex,
    /// News shocks so far.
    pub news: Vec<News>,
    /// `(now, shocks, H_t by reserve)` of the last [`Population::news_level`].
    pub news_memo: std::cell::RefCell<(i64, usize, Vec<f64>)>,
    /// Information contagion: `similarity[b][a]` is the weight a depositor of reserve `a`
    /// gives to signals from reserve `b` (`[behaviour.contagion]`); `None` without it.
    pub similarity: Option<Vec<Vec<f64>>>,
    /// Visible large-wallet withdrawals per asset: (block, tokens), and their running sum.
    pub visible: Vec<(VecDeque<(u64, f64)>, f64)>,
    /// Per-block cache of depositors' market views.
    pub views: Vec<Option<MarketView>>,
    /// Random streams.
    pub rng: Streams,
    /// Output recorder.
    pub rec: Recorder,
    /// Governance actions waiting for execution: (unix time, event index).
    pub queued: Vec<(i64, usize)>,
    /// Scripted events already handled.
    pub event_done: Vec<bool>,
    /// When each scripted event takes effect, unix seconds: `LoadedScenario::event_at`, plus
    /// the Guardian's drawn reaction time for a freeze or pause with `reaction_minutes`.
    pub event_time: Vec<i64>,
    /// Whether an oracle answer changed in this block.
    pub prices_changed: bool,
    /// Next unused pool account id.
    pub next_user: UserId,
    /// Whether to keep the per-block reserve rows (off for metrics-only sweeps).
    pub record_series: bool,
    /// Underwater accounts every liquidator passed over, by user id.
    pub passed_over: Vec<PassedOver>,
    /// Timestamp of the earliest scripted event not yet run (`i64::MAX`: none).
    pub next_event_at: i64,
    /// Last block in which an oracle answer changed.
    pub last_price_change: u64,
    /// Compound III markets beside the pool (`[[comets]]`).
    pub comets: Vec<crate::comets::CometInfo>,
}

/// What the population observes of the chain at the start of a block.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// ETH/USD, for gas valuation.
    pub eth_usd: f64,
    /// Each CAPO adapter's backing loss, `max(0, 1 − capped ratio / initial)`, in the order
    /// of [`Population::capos`].
    pub backing_loss: Vec<f64>,
    /// Base fee, gwei.
    pub base_fee_gwei: f64,
}

impl Population {
    /// Allocates a fresh pool account.
    pub fn new_user(&mut self) -> UserId {
        let u = self.next_user;
        self.next_user += 1;
        u
    }

    /// The pool's clock: block timestamp as `u64`.
    pub fn t(&self) -> u64 {
        self.now as u64
    }

    /// Block time, seconds.
    pub fn block_time(&self) -> u64 {
        self.clock.block_time_s()
    }

    /// Blocks per hour.
    pub fn blocks_per_hour(&self) -> f64 {
        self.clock.blocks_per_hour()
    }

    /// Queues a pool call from `from`'s account, includable `latency_blocks` after this block;
    /// its gas is the scenario's for the call's kind.
    pub fn submit(&mut self, from: Sender, call: Call, priority_gwei: f64, latency_blocks: u64) {
        let mut sub = Submission::new(Target::Protocol(AAVE), call, priority_gwei);
        sub.latency_blocks = latency_blocks;
        sub.account = Some(self.account_of(from));
        self.outbox.push(sub);
    }

    /// Records that pool account `user` belongs to `who`.
    pub fn own(&mut self, user: UserId, who: Sender) {
        let slot = user as usize;
        if self.owner.len() <= slot {
            self.owner.resize(slot + 1, None);
        }
        self.owner[slot] = Some(who);
    }

    /// The pool account of a transaction's sender (each agent has one).
    pub fn account_of(&self, sender: Sender) -> UserId {
        match sender {
            Sender::Depositor(i) => self.depositors[i as usize].user,
            Sender::Borrower(i) => self.borrowers[i as usize].user,
            Sender::Liquidator(j) => self.liquidators[j as usize].user,
        }
    }

    /// The reserve id of `symbol`.
    pub fn asset_id(&self, symbol: &str) -> Option<AssetId> {
        self.assets.iter().position(|a| a.symbol == symbol)
    }

    /// Oracle price of an asset, USD.
    pub fn price_usd(&self, a: AssetId) -> f64 {
        u256_to_f64(self.pool.get().asset_price(a)) / 1e8
    }

    /// Token units of an asset as whole tokens.
    pub fn tokens(&self, a: AssetId, units: U256) -> f64 {
        units_to_tokens(units, self.assets[a].decimals)
    }

    /// ETH/USD for gas valuation (the gas feed's answer this block).
    pub fn eth_usd(&self) -> f64 {
        self.observed.eth_usd
    }

    /// Expected gas cost of `gas` at this block's base fee plus `priority_gwei`, ETH (as the
    /// gas market's `cost_eth`).
    pub fn gas_eth(&self, gas: u64, priority_gwei: f64) -> f64 {
        gas as f64 * (self.observed.base_fee_gwei + priority_gwei) * 1e-9
    }

    /// The e-mode category a user's collateral `a` counts in, if any.
    pub fn emode_for(&self, user: UserId, a: AssetId) -> Option<&EModeInfo> {
        let id = self.pool.get().user_emode(user);
        if id == 0 {
            return None;
        }
        self.emodes
            .iter()
            .find(|e| e.id == id && e.collateral_bitmap & (1u128 << a) != 0)
    }

    /// Effective liquidation threshold of collateral `a` for `user`, bps.
    pub fn effective_lt(&self, user: UserId, a: AssetId) -> u16 {
        match self.emode_for(user, a) {
            Some(e) => e.liquidation_threshold,
            None => self.pool.get().reserve(a).config.liquidation_threshold,
        }
    }

    /// Effective liquidation bonus of collateral `a` for `user`, bps (10500 = 5 %).
    pub fn effective_bonus(&self, user: UserId, a: AssetId) -> u16 {
        match self.emode_for(user, a) {
            Some(e) => e.liquidation_bonus,
            None => self.pool.get().reserve(a).config.liquidation_bonus,
        }
    }

    /// Re-files `user` in the liquidation index.
    pub fn reindex(&mut self, user: UserId) {
        // Its position changed: liquidators value it afresh.
        if let Some(p) = self.passed_over.get_mut(user as usize) {
            *p = PassedOver::NOT;
        }
        let mut index = std::mem::take(&mut self.index);
        {
            let lt = |u: UserId, a: AssetId| self.effective_lt(u, a);
            index.update(&self.pool.get(), user, &lt);
        }
        self.index = index;
    }

    /// News term `H_t` as depositors of reserve `a` hear it: each shock's decayed intensity
    /// times [`Population::heard`] from its source (memoised on the time and the number of
    /// shocks: every attention wake-up asks for it).
    pub fn news_level(&self, a: AssetId) -> f64 {
        {
            let memo = self.news_memo.borrow();
            if memo.0 == self.now && memo.1 == self.news.len() {
                return memo.2[a];
            }
        }
        let levels: Vec<f64> = (0..self.assets.len())
            .map(|to| {
                self.news
                    .iter()
                    .filter(|n| n.at <= self.now)
                    .map(|n| {
                        let w = n.source.map_or(1.0, |from| self.heard(from, to));
                        w * n.intensity * 0.5f64.powf((self.now - n.at) as f64 / n.half_life_s)
                    })
                    .sum()
            })
            .collect();
        let level = levels[a];
        *self.news_memo.borrow_mut() = (self.now, self.news.len(), levels);
        level
    }

    /// Weight of a public signal about reserve `from` (news, an exchange-rate adapter's
    /// backing loss) for depositors of reserve `to`: the similarity with
    /// `[behaviour.contagion]`, else 1 (everyone hears the news).
    pub fn heard(&self, from: AssetId, to: AssetId) -> f64 {
        self.similarity.as_ref().map_or(1.0, |s| s[from][to])
    }

    /// Weight of a reserve's own state (visible outflows, deficit) of reserve `from` for
    /// depositors of `to`: the similarity with `[behaviour.contagion]`, else 1 for the same
    /// reserve and 0 for others.
    pub fn seen(&self, from: AssetId, to: AssetId) -> f64 {
        match &self.similarity {
            Some(s) => s[from][to],
            None => f64::from(u8::from(from == to)),
        }
    }

    /// Borrow APR of a reserve, fraction per year.
    pub fn borrow_apr(&self, a: AssetId) -> f64 {
        ray_to_f64(self.pool.get().reserve(a).current_variable_borrow_rate)
    }

    /// Supply APR of a reserve, fraction per year.
    pub fn supply_apr(&self, a: AssetId) -> f64 {
        ray_to_f64(self.pool.get().reserve(a).current_liquidity_rate)
    }

    /// Schedules an agent wake-up.
    pub fn schedule(&mut self, block: u64, who: Sender, generation: u32) {
        if block != u64::MAX {
            self.wakes.push(block, (who, generation));
        }
    }
}
