//! Who bore the losses of a run, and the exposure graph of its book at the start and the end
//! (issue "The April 2026 run as it happened", items 6 and 7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the run's losses were booked, covered and left latent, and by whom.
///
/// Deficit here is Aave v3.3+'s reserve deficit (`ReserveData.deficit`, grown by a
/// liquidation that exhausts an account's collateral, shrunk only by
/// `Pool.eliminateReserveDeficit`), so per reserve `booked = covered + not covered`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LossSummary {
    /// Deficit booked by liquidations, USD at each liquidation's oracle prices.
    pub deficit_booked_usd: f64,
    /// Deficit eliminated by backstops (the Umbrella stake), USD at the oracle price of the
    /// moment.
    pub deficit_covered_usd: f64,
    /// Deficit still on the reserves at the end, USD at the end's oracle prices: borne by the
    /// reserves' suppliers (their aTokens are backed by less).
    pub deficit_not_covered_usd: f64,
    /// Latent bad debt at the end (accounts below health factor 1 with debt above collateral,
    /// nobody liquidated them), USD at the end's oracle prices.
    pub latent_bad_debt_usd: f64,
    /// Debt repaid by rescue funds on other accounts' behalf (`Pool.repay` with
    /// `onBehalfOf`), USD at the oracle price of the moment: the loss the rescuers took over.
    pub rescued_usd: f64,
    /// Liquidation bonus paid by liquidated borrowers (to liquidators and the protocol's
    /// fee), USD.
    pub liquidation_bonus_usd: f64,
    /// The detail, one row per (loss, reserve, source, bearer); `losses.parquet` /
    /// `losses.csv`.
    pub rows: Vec<LossRow>,
}

/// One line of the loss-bearing table.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LossRow {
    /// What the loss is: `deficit booked`, `deficit covered`, `deficit not covered`,
    /// `latent bad debt`, `repaid by rescue`, `liquidation bonus`.
    pub loss: String,
    /// Reserve symbol (the debt reserve; the collateral reserve for the liquidation bonus).
    pub reserve: String,
    /// The cohort whose positions caused it (`borrowers/<label>`, `attacker`, `passive`, …),
    /// empty where the pool does not tell (pooled deficit).
    pub source: String,
    /// Who bears it.
    pub borne_by: String,
    /// Amount, whole tokens of `reserve`.
    pub tokens: f64,
    /// Amount, USD.
    pub usd: f64,
}

/// A node of the exposure graph: a protocol, an asset (a reserve of a protocol), an oracle
/// feed or an agent cohort (`exposure_nodes.parquet`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GraphNode {
    /// `start` or `end`.
    pub snapshot: String,
    /// Unique id, e.g. `protocol/aave`, `asset/WETH`, `protocol/compound-v3-weth` (a Compound
    /// III market), `asset/compound-v3-weth/rsETH` (a market's reserve), `oracle/ETH`,
    /// `borrowers/rseth-weth-loopers`.
    pub id: String,
    /// `protocol`, `asset`, `oracle` or `cohort`.
    pub kind: String,
    /// What the node holds, USD at the snapshot's oracle prices (for a Compound III market's
    /// nodes and positions, the prices it reads): an asset's or protocol's total supplied, a
    /// cohort's supplied plus borrowed, an oracle's priced supply.
    pub value_usd: f64,
}

/// An edge of the exposure graph (`exposure_edges.parquet`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GraphEdge {
    /// `start` or `end`.
    pub snapshot: String,
    /// Source node id.
    pub source: String,
    /// Target node id.
    pub target: String,
    /// `supply` (cohort → asset: supplied, not as collateral), `collateral` (cohort → asset:
    /// supplied and enabled as collateral), `debt` (cohort → asset: borrowed), `listing`
    /// (asset → protocol: supplied), `oracle` (asset → its oracle feed: supplied value
    /// priced by it) or `base feed` (a CAPO feed → the feed it multiplies).
    pub kind: String,
    /// USD at the snapshot's oracle prices.
    pub usd: f64,
}
