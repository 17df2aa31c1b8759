//! What a Terra run records: hourly market rows (UST and LUNA prices by venue, supplies,
//! Anchor's deposits and yield reserve, the market module's pool), hourly rows per holder
//! cohort (what it exited, sold and added), the scripted events' outcomes, and the summary.

use serde::Serialize;

/// One hour of the market (UTC, at the first block of the hour).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TerraRow {
    /// Time (RFC 3339).
    pub time: String,
    /// UST price on the Curve UST/3CRV pool (marginal), USD.
    pub ust_curve: f64,
    /// UST mid on the CEX book, USD.
    pub ust_cex: f64,
    /// LUNA mid on the CEX book (the oracle's price), USD.
    pub luna_usd: f64,
    /// The replay path's UST price (replay mode; the start price in spiral mode), USD.
    pub ust_path: f64,
    /// The replay path's LUNA price (replay mode; the start price in spiral mode), USD.
    pub luna_path: f64,
    /// UST supply, UST.
    pub ust_supply: f64,
    /// LUNA supply, LUNA.
    pub luna_supply: f64,
    /// Coverage: LUNA market cap / UST supply.
    pub coverage: f64,
    /// Anchor deposits (aUST × exchange rate), UST.
    pub anchor_deposits: f64,
    /// aUST exchange rate, UST per aUST.
    pub anchor_exchange_rate: f64,
    /// Anchor's yield reserve, UST.
    pub yield_reserve: f64,
    /// Anchor's target deposit rate, a year (fraction).
    pub deposit_rate: f64,
    /// Market module `TerraPoolDelta`, SDR.
    pub terra_pool_delta_sdr: f64,
    /// Spread of a 1M-SDR UST → LUNA swap now (fraction).
    pub spread_1m_sdr: f64,
    /// UST in the Curve pool, UST.
    pub curve_ust: f64,
    /// Dollars (3CRV) in the Curve pool, USD.
    pub curve_usd: f64,
    /// UST burned through the market module so far, UST.
    pub ust_burned: f64,
    /// LUNA minted through the market module so far, LUNA.
    pub luna_minted: f64,
}

/// One hour of one holder cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CohortRow {
    /// Time (RFC 3339).
    pub time: String,
    /// Cohort name.
    pub cohort: String,
    /// `anchor` or `wallet`.
    pub holds: String,
    /// Stake at the start, UST.
    pub stake: f64,
    /// UST exited so far (redeemed from Anchor, or sold from the wallet), UST.
    pub exited: f64,
    /// `exited / stake`.
    pub exited_share: f64,
    /// UST sold on venues so far, UST.
    pub sold: f64,
    /// UST added to Anchor by contrarians so far, UST.
    pub added: f64,
    /// Decisions taken so far.
    pub decisions: u64,
}

/// The Terra figures of a run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TerraSummary {
    /// Lowest UST CEX mid, USD.
    pub ust_min_usd: f64,
    /// UST CEX mid at the end, USD.
    pub ust_end_usd: f64,
    /// Lowest LUNA price, USD.
    pub luna_min_usd: f64,
    /// LUNA price at the end, USD.
    pub luna_end_usd: f64,
    /// UST supply at the start and the end, UST.
    pub ust_supply: [f64; 2],
    /// LUNA supply at the start and the end, LUNA.
    pub luna_supply: [f64; 2],
    /// Anchor deposits at the start, UST.
    pub anchor_deposits_start: f64,
    /// Share of Anchor's starting deposits gone after 24 h, after 72 h and at the end.
    pub anchor_outflow_share: [f64; 3],
    /// Yield reserve at the end, UST.
    pub yield_reserve_end: f64,
    /// UST burned through the market module, UST.
    pub ust_burned: f64,
    /// Per cohort: `(name, share of its stake exited at the end)`.
    pub cohort_exit_share: Vec<(String, f64)>,
    /// Scripted events that reverted.
    pub events_reverted: u64,
    /// Agents' reverted transactions by call target and reason, most frequent first (at most
    /// ten): `(target: reason, count)`.
    pub revert_reasons: Vec<(String, u64)>,
}

/// A Terra run's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TerraOutput {
    /// Hourly market rows.
    pub market: Vec<TerraRow>,
    /// Hourly cohort rows.
    pub cohorts: Vec<CohortRow>,
    /// Scripted events.
    pub events: Vec<crate::world_run::EventRow>,
}
