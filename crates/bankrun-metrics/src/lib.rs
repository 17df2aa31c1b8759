//! The output data model of a bankrun simulation: what the engine records and what the
//! report crate writes (summary table, JSON, Parquet / CSV tables, HTML charts).
//!
//! Everything here is for display and analysis, so amounts are `f64` in whole tokens or USD
//! (converted from the engine's exact integer state at the moment of recording); the exact
//! indexes are also kept as ray decimal strings so results can be checked against the chain.
//! Nothing in this crate feeds back into the simulation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod losses;

pub use losses::{GraphEdge, GraphNode, LossRow, LossSummary};

/// Everything one simulated path produces.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunResult {
    /// Headline figures (the stdout table and `--json`).
    pub summary: Summary,
    /// One row per block per reserve (`reserves.parquet` / `reserves.csv`).
    pub reserve_series: Vec<ReserveBlockRow>,
    /// One row per sample interval per depositor class (`classes.parquet` / `classes.csv`).
    pub class_series: Vec<ClassSeriesRow>,
    /// One row per depositor agent (`depositors.parquet` / `depositors.csv`).
    pub depositors: Vec<DepositorOutcome>,
    /// One row per successful `liquidationCall` (`liquidations.parquet` / `liquidations.csv`).
    pub liquidations: Vec<LiquidationRecord>,
    /// Scripted events as they took effect (`events.csv`).
    pub events: Vec<EventRecord>,
    /// Exposure-graph nodes at the start and the end (`exposure_nodes.parquet` / `.csv`).
    pub graph_nodes: Vec<GraphNode>,
    /// Exposure-graph edges at the start and the end (`exposure_edges.parquet` / `.csv`).
    pub graph_edges: Vec<GraphEdge>,
}

/// The state of one reserve at the end of one block.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ReserveBlockRow {
    /// Block number, counted from the scenario start (0 = first simulated block).
    pub block: u64,
    /// Block timestamp, unix seconds (UTC).
    pub timestamp: i64,
    /// Reserve symbol, e.g. `WETH`.
    pub reserve: String,
    /// Borrow usage ratio `debt / (virtual balance + debt)` as in
    /// `DefaultReserveInterestRateStrategyV2.calculateInterestRates`, in [0, 1].
    pub utilization: f64,
    /// Virtual underlying balance (`reserve.virtualUnderlyingBalance`), whole tokens.
    pub available_liquidity: f64,
    /// Total supplied (aToken total supply incl. accrued to treasury), whole tokens.
    pub total_supplied: f64,
    /// Total variable debt, whole tokens.
    pub total_borrowed: f64,
    /// Supply APR (`currentLiquidityRate` / 1e27), fraction per year.
    pub supply_apr: f64,
    /// Variable borrow APR (`currentVariableBorrowRate` / 1e27), fraction per year.
    pub borrow_apr: f64,
    /// `liquidityIndex` as a ray integer, decimal string (exact).
    pub liquidity_index: String,
    /// `variableBorrowIndex` as a ray integer, decimal string (exact).
    pub variable_borrow_index: String,
    /// Withdrawals submitted in this block, whole tokens.
    pub withdrawals_requested: f64,
    /// Withdrawals executed in this block, whole tokens.
    pub withdrawals_served: f64,
    /// Withdrawals that reverted in this block, whole tokens.
    pub withdrawals_reverted: f64,
    /// Number of reverted withdrawal transactions in this block.
    pub withdrawals_reverted_count: u32,
    /// Reserve deficit (bad debt, `reserve.deficit`), whole tokens.
    pub deficit: f64,
    /// Oracle price used by the pool (`AaveOracle.getAssetPrice` / 1e8), USD.
    pub oracle_price_usd: f64,
    /// Whether the reserve is frozen at the end of the block.
    pub frozen: bool,
}

/// Cumulative outflow of one depositor class at one sample time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClassSeriesRow {
    /// Block number of the sample.
    pub block: u64,
    /// Unix seconds.
    pub timestamp: i64,
    /// Depositor class (`bot`, `whale`, `mid`, `retail`).
    pub class: String,
    /// Cumulative USD withdrawn by the class since the start (valued at the oracle price of
    /// each withdrawal).
    pub cumulative_withdrawn_usd: f64,
    /// Cumulative withdrawn as a share of the class's initial deposits (by value), in [0, 1].
    pub share_withdrawn: f64,
    /// USD the class wants out but could not withdraw yet (pending exit demand).
    pub pending_exit_usd: f64,
}

/// What happened to one depositor over the run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DepositorOutcome {
    /// Agent id (stable for a scenario and seed).
    pub id: u32,
    /// Depositor class.
    pub class: String,
    /// Reserve the depositor supplies.
    pub asset: String,
    /// Initial deposit, whole tokens.
    pub initial_balance: f64,
    /// Initial deposit, USD at the start price.
    pub initial_usd: f64,
    /// Total the depositor decided to withdraw, whole tokens.
    pub exit_target: f64,
    /// Total withdrawn, whole tokens.
    pub withdrawn: f64,
    /// Withdrawal transactions sent.
    pub withdraw_txs: u32,
    /// Withdrawal transactions that reverted.
    pub reverted_txs: u32,
    /// Seconds from start to the first decision to exit; `None` if it never decided to.
    pub first_exit_decision_s: Option<f64>,
    /// Seconds from start until its exit target was fully withdrawn; `None` if never.
    pub exit_completed_s: Option<f64>,
    /// Exit target still not withdrawn at the end, whole tokens ("trapped").
    pub trapped_at_end: f64,
    /// Gas paid for all its transactions, in ETH.
    pub gas_paid_eth: f64,
}

/// One successful `Pool.liquidationCall`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LiquidationRecord {
    /// Block number.
    pub block: u64,
    /// Unix seconds.
    pub timestamp: i64,
    /// Liquidator agent id.
    pub liquidator: u32,
    /// Liquidated account id.
    pub user: u32,
    /// Collateral reserve symbol.
    pub collateral_asset: String,
    /// Debt reserve symbol.
    pub debt_asset: String,
    /// Debt repaid (`actualDebtToLiquidate`), whole tokens.
    pub debt_repaid: f64,
    /// Collateral sent to the liquidator, whole tokens.
    pub collateral_to_liquidator: f64,
    /// Collateral sent to the treasury as the liquidation protocol fee, whole tokens.
    pub protocol_fee: f64,
    /// Debt repaid, USD at the oracle price.
    pub debt_repaid_usd: f64,
    /// Liquidator's gross bonus (collateral value minus debt value), USD.
    pub bonus_usd: f64,
    /// Health factor before the call (wad / 1e18).
    pub health_factor_before: f64,
    /// Deficit created by the call across all reserves, USD.
    pub deficit_created_usd: f64,
    /// Whether the liquidator took aTokens instead of the underlying.
    pub receive_a_token: bool,
}

/// A scripted event as it took effect.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EventRecord {
    /// Block in which it took effect.
    pub block: u64,
    /// Unix seconds.
    pub timestamp: i64,
    /// Who acted (`attacker`, `guardian`, `governance`, `rescue`, `oracle`, `news`).
    pub actor: String,
    /// What happened, in words.
    pub description: String,
    /// Whether it took effect (a reverted scripted transaction is recorded with `false`).
    pub ok: bool,
}

/// Headline figures of one run. Serialised as the `--json` output (schema: `bankrun schema
/// --summary`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// Simulated blocks.
    pub blocks: u64,
    /// Simulated hours.
    pub hours: f64,
    /// One entry per reserve, in scenario order.
    pub reserves: Vec<ReserveSummary>,
    /// One entry per depositor class.
    pub classes: Vec<ClassSummary>,
    /// Liquidation totals.
    pub liquidations: LiquidationSummary,
    /// Transactions: sent, included, reverted, and left pending at the end.
    pub transactions: TxSummary,
    /// Who bore the losses: deficit booked, covered and not, latent bad debt, rescues.
    #[serde(default)]
    pub losses: LossSummary,
    /// Deposits withdrawn from every reserve in the first 24 h of the window, as a share of
    /// the starting supply, both valued at the starting oracle prices; `None` when the window
    /// is shorter than 24 h.
    #[serde(default)]
    pub withdrawn_share_24h: Option<f64>,
    /// The same over the first 96 h (4 days).
    #[serde(default)]
    pub withdrawn_share_96h: Option<f64>,
    /// One entry per Compound III market run beside the pool (`[[comets]]`).
    #[serde(default)]
    pub comets: Vec<CometSummary>,
}

/// Headline figures of a Compound III market (`[[comets]]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CometSummary {
    /// Market name.
    pub name: String,
    /// Base asset symbol.
    pub base: String,
    /// Utilization at the start (`getUtilization`), [0, 1].
    pub initial_utilization: f64,
    /// Highest end-of-block utilization, [0, 1].
    pub peak_utilization: f64,
    /// Hours with end-of-block utilization ≥ 99 %.
    pub hours_at_or_above_99pct: f64,
    /// Highest borrow APR (`getBorrowRate` × seconds a year), fraction.
    pub peak_borrow_apr: f64,
    /// Highest supply APR, fraction.
    pub peak_supply_apr: f64,
    /// Base supplied at the start / at the end (present value), whole tokens.
    pub supplied_start: f64,
    /// Base supplied at the end (present value), whole tokens.
    pub supplied_end: f64,
    /// Base borrowed at the end (present value), whole tokens.
    pub borrowed_end: f64,
    /// Accounts absorbed by the market's liquidator (`absorb`, then `buyCollateral`).
    pub absorbs: u64,
    /// Base reserves at the start (`getReserves`), whole tokens.
    pub reserves_start: f64,
    /// Base reserves at the end, whole tokens; negative after absorbs of bad debt.
    pub reserves_end: f64,
    /// Accounts whose debt exceeds their collateral valued at its feed's price (not the
    /// market's held price) at the end, and not absorbed.
    pub underwater_accounts_at_end: u64,
    /// Σ max(0, debt − collateral at the feed's price) over those accounts, USD.
    pub latent_bad_debt_usd: f64,
    /// Lowest price the market read for each collateral over the run, as a share of its
    /// price at the start (a held price stays at 1), by collateral symbol.
    pub collateral_price_low: Vec<(String, f64)>,
}

/// Per-reserve headline figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ReserveSummary {
    /// Reserve symbol.
    pub symbol: String,
    /// Utilization at the start, [0, 1].
    pub initial_utilization: f64,
    /// Highest end-of-block utilization, [0, 1].
    pub peak_utilization: f64,
    /// Hours with end-of-block utilization ≥ 99 %.
    pub hours_at_or_above_99pct: f64,
    /// Hours from the start to the first block ending at ≥ 99 % utilization (time to
    /// illiquidity); `None` if it never happened.
    pub hours_to_99pct: Option<f64>,
    /// Lowest end-of-block available liquidity (virtual balance), whole tokens.
    pub min_available_liquidity: f64,
    /// Available liquidity at the start, whole tokens.
    pub initial_available_liquidity: f64,
    /// Highest variable borrow APR, fraction per year.
    pub peak_borrow_apr: f64,
    /// Highest supply APR, fraction per year.
    pub peak_supply_apr: f64,
    /// Withdrawals requested, whole tokens.
    pub withdrawals_requested: f64,
    /// Withdrawals served, whole tokens.
    pub withdrawals_served: f64,
    /// Withdrawals reverted, whole tokens (a retried amount counts once per attempt).
    pub withdrawals_reverted: f64,
    /// Withdrawals requested, USD.
    pub withdrawals_requested_usd: f64,
    /// Withdrawals served, USD.
    pub withdrawals_served_usd: f64,
    /// Withdrawals reverted, USD.
    pub withdrawals_reverted_usd: f64,
    /// Reverted withdrawal transactions.
    pub reverted_withdraw_txs: u64,
    /// Deficit (bad debt) at the end, whole tokens.
    pub deficit: f64,
    /// Deficit at the end, USD.
    pub deficit_usd: f64,
    /// Total supplied at the start, whole tokens.
    #[serde(default)]
    pub initial_supplied: f64,
    /// Withdrawals served in the first 24 h of the window over `initial_supplied`; `None`
    /// when the window is shorter than 24 h.
    #[serde(default)]
    pub withdrawn_share_24h: Option<f64>,
    /// The same over the first 96 h (4 days).
    #[serde(default)]
    pub withdrawn_share_96h: Option<f64>,
}

/// Per-depositor-class headline figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ClassSummary {
    /// Class name.
    pub class: String,
    /// Number of depositors.
    pub depositors: u64,
    /// Initial deposits, USD.
    pub initial_usd: f64,
    /// Value withdrawn by the end as a share of initial deposits (USD at the start price);
    /// can exceed 1 slightly because withdrawals include interest accrued meanwhile.
    pub share_exited: f64,
    /// Share of depositors that decided to exit, [0, 1].
    pub share_deciding: f64,
    /// Median hours from start to a completed exit, among depositors that completed one.
    pub median_hours_to_exit: Option<f64>,
    /// Share of the class's exit demand (by value) still trapped at the end, [0, 1].
    pub share_trapped: f64,
}

/// Liquidation totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LiquidationSummary {
    /// Successful liquidation calls.
    pub count: u64,
    /// Debt repaid, USD.
    pub debt_repaid_usd: f64,
    /// Collateral seized (to liquidators and treasury), USD.
    pub collateral_seized_usd: f64,
    /// Deficit created by liquidations, USD.
    pub deficit_created_usd: f64,
    /// Accounts with a health factor below 1 at the end that nobody liquidated.
    pub underwater_accounts_at_end: u64,
    /// Debt of those accounts at the end, USD at oracle prices.
    pub underwater_debt_usd_at_end: f64,
    /// Latent bad debt at the end: Σ max(0, debt − collateral) over those accounts, USD at
    /// oracle prices. Aave v3.3+ books it as deficit only when a liquidation exhausts the
    /// collateral.
    pub latent_bad_debt_usd_at_end: f64,
}

/// Transaction totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TxSummary {
    /// Transactions submitted to the mempool.
    pub submitted: u64,
    /// Transactions included in a block (successful or reverted).
    pub included: u64,
    /// Included transactions that reverted (they still paid gas).
    pub reverted: u64,
    /// Transactions still in the mempool at the end.
    pub pending_at_end: u64,
    /// Gas paid by all agents, ETH.
    pub gas_paid_eth: f64,
}

/// One account's exposure to a uniform drop of every volatile price, USD at the starting
/// prices: the input of the collateral-at-risk curve (`bankrun_spiral::risk`), built from a
/// spiral scenario's book or an Aave scenario's starting book (`bankrun_engine::exposure`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Exposure {
    /// Risk-adjusted volatile collateral (weighted by collateral factor, 1/mat or the
    /// effective liquidation threshold), USD.
    pub vol_coll_adj: f64,
    /// Risk-adjusted fixed-price collateral, USD.
    pub fixed_coll_adj: f64,
    /// Volatile collateral at market value (what a liquidation sells), USD.
    pub vol_coll: f64,
    /// Debt in volatile assets, USD.
    pub vol_debt: f64,
    /// Debt in fixed-price assets, USD.
    pub fixed_debt: f64,
}

impl Exposure {
    /// Debt, USD, when every volatile price is multiplied by `f`.
    pub fn debt(&self, f: f64) -> f64 {
        self.vol_debt * f + self.fixed_debt
    }

    /// Whether the account is liquidatable at price factor `f`: its risk-adjusted collateral
    /// is below its debt.
    pub fn liquidatable(&self, f: f64) -> bool {
        let d = self.debt(f);
        d > 0.0 && self.vol_coll_adj * f + self.fixed_coll_adj < d
    }
}
