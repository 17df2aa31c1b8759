//! What a stETH run records: hourly market rows (stETH/ETH by source, the Curve pool's
//! composition, Aave v2's stETH collateral and WETH reserve, liquidations, what holders sold
//! and buyers bought), per book group at the end, the scripted events' outcomes, and the
//! summary.

use serde::Serialize;

use crate::world_run::EventRow;

/// One hour (UTC, at the first block of the hour).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct StethRow {
    /// Time (RFC 3339).
    pub time: String,
    /// Aave v2's stETH price (the Chainlink STETH/ETH answer), ETH.
    pub steth_oracle: f64,
    /// The Curve pool's marginal stETH price, ETH.
    pub steth_curve: f64,
    /// The price file's stETH/ETH (the replay path), ETH.
    pub steth_path: f64,
    /// ETH/USD from the price file, USD.
    pub eth_usd: f64,
    /// ETH in the Curve pool.
    pub curve_eth: f64,
    /// stETH in the Curve pool.
    pub curve_steth: f64,
    /// stETH's share of the pool's coins.
    pub curve_steth_share: f64,
    /// stETH supplied to Aave v2 (collateral), stETH.
    pub aave_steth: f64,
    /// WETH reserve utilization, fraction.
    pub weth_utilization: f64,
    /// WETH variable borrow rate, a year (fraction).
    pub weth_borrow_apr: f64,
    /// Liquidations so far.
    pub liquidations: u64,
    /// stETH seized by liquidators so far.
    pub steth_seized: f64,
    /// stETH the holder cohorts sold so far.
    pub holders_sold: f64,
    /// stETH the dip buyers bought so far.
    pub buyers_bought: f64,
}

/// A borrower group at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct BookRow {
    /// Group name.
    pub group: String,
    /// Accounts.
    pub accounts: u64,
    /// stETH collateral at the start and the end.
    pub steth_start: f64,
    /// stETH collateral at the end.
    pub steth_end: f64,
    /// Debt at the start, ETH (at Aave's prices).
    pub debt_eth_start: f64,
    /// Debt at the end, ETH (at Aave's prices).
    pub debt_eth_end: f64,
    /// Accounts liquidated at least once.
    pub liquidated_accounts: u64,
    /// Lowest health factor of the group's borrowers at the end (empty: no debt).
    pub min_health_end: Option<f64>,
    /// Debt above collateral value at the end (latent bad debt), ETH.
    pub shortfall_eth: f64,
}

/// The stETH figures of a run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct StethSummary {
    /// Lowest stETH/ETH of Aave's oracle.
    pub steth_min_oracle: f64,
    /// Lowest stETH/ETH on the Curve pool.
    pub steth_min_curve: f64,
    /// stETH/ETH on the Curve pool at the end.
    pub steth_end_curve: f64,
    /// stETH share of the pool at the start and the end.
    pub curve_steth_share: [f64; 2],
    /// Highest stETH share of the pool.
    pub curve_steth_share_max: f64,
    /// Highest WETH utilization (hourly).
    pub weth_utilization_max: f64,
    /// stETH seized by liquidators.
    pub steth_seized: f64,
    /// stETH sold by the holder cohorts.
    pub holders_sold: f64,
    /// stETH bought by the dip buyers.
    pub buyers_bought: f64,
    /// Scripted sales: stETH sold and ETH received.
    pub forced_sold: [f64; 2],
    /// The scripted sellers' loss against redemption at par (1 ETH per stETH), ETH.
    pub forced_loss_eth: f64,
    /// Debt above collateral value at the end, ETH.
    pub shortfall_eth: f64,
    /// Scripted events that reverted.
    pub events_reverted: u64,
    /// Agents' reverted transactions by call target and reason (at most ten).
    pub revert_reasons: Vec<(String, u64)>,
}

/// A stETH run's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct StethOutput {
    /// Hourly rows.
    pub market: Vec<StethRow>,
    /// Book groups at the end.
    pub books: Vec<BookRow>,
    /// Scripted events.
    pub events: Vec<EventRow>,
}
