//! What a run records: the liquidation log, auctions and their bids, a time series, and
//! the summary. Display values are `f64` (whole tokens, USD); protocol state stays exact.

use serde::Serialize;

/// One liquidation (Maker: one settled auction; Compound: one `liquidateBorrow`).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LiquidationRow {
    /// `"maker"` or `"compound-v2"`.
    pub protocol: &'static str,
    /// Block (index from the start).
    pub block: u64,
    /// Time (RFC 3339).
    pub time: String,
    /// Position (urn / account id).
    pub position: u32,
    /// Debt repaid (DAI or USD): the winning bid, or the repaid borrow valued at the oracle.
    pub debt_repaid: f64,
    /// Collateral seized (whole units of `collateral`).
    pub collateral_seized: f64,
    /// Collateral asset.
    pub collateral: String,
    /// Discount to the market price: `1 − paid/(seized × market price)`.
    pub discount: f64,
    /// Gas paid by the liquidator for this liquidation (ETH).
    pub gas_paid_eth: f64,
    /// Venue where the liquidator sold the collateral.
    pub venue: String,
    /// Relative price move of that sale.
    pub price_impact: f64,
    /// Maker auction id (0 for Compound).
    pub auction: u64,
    /// Number of bids (Maker).
    pub bids: u32,
    /// Winner / liquidator.
    pub winner: String,
    /// Winning bid (DAI; Maker) or repaid amount (Compound).
    pub winning_bid: f64,
    /// Whether the winning bid was (almost) zero: below 1 % of the tab (Maker).
    pub zero_bid: bool,
    /// Seconds from the position becoming unsafe (at the protocol's price) to this event.
    pub delay_s: i64,
}

/// One Maker auction bid.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct BidRow {
    /// Auction id.
    pub auction: u64,
    /// Block.
    pub block: u64,
    /// Time (RFC 3339).
    pub time: String,
    /// Bidder.
    pub bidder: String,
    /// `tend` or `dent`.
    pub kind: &'static str,
    /// Bid (DAI).
    pub bid_dai: f64,
    /// Lot (ETH).
    pub lot_eth: f64,
    /// Gas price (gwei).
    pub gas_gwei: f64,
}

/// One Maker auction's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AuctionRow {
    /// Auction id.
    pub auction: u64,
    /// Urn.
    pub urn: u32,
    /// Kick time (RFC 3339).
    pub kicked: String,
    /// Lot at kick (ETH).
    pub lot_eth: f64,
    /// Debt booked to the Vow (DAI).
    pub debt_dai: f64,
    /// Tab (DAI, with the penalty).
    pub tab_dai: f64,
    /// `covered` (bid reached the tab), `partial`, `zero_bid`, `open` (not settled), or
    /// `no_bid` (open without bids).
    pub outcome: &'static str,
    /// Winner (or current high bidder).
    pub winner: String,
    /// Winning (or current) bid (DAI).
    pub bid_dai: f64,
    /// Lot finally sold (ETH; smaller than at kick after dents).
    pub lot_sold_eth: f64,
    /// Number of bids.
    pub bids: u32,
    /// `max(0, debt − bid)` (DAI): what the auction left uncovered.
    pub shortfall_dai: f64,
    /// Seconds from kick to deal (−1 if open).
    pub duration_s: i64,
}

/// A sampled time-series row.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SeriesRow {
    /// Time (RFC 3339).
    pub time: String,
    /// Fundamental ETH price (USD).
    pub fundamental: f64,
    /// CEX mid (USD).
    pub cex_mid: f64,
    /// Pool price (USD).
    pub pool_price: f64,
    /// The protocol's ETH price (Maker: OSM `cur`; Compound: stored reporter price).
    pub protocol_price: f64,
    /// Inclusion threshold / base fee (gwei).
    pub gas_gwei: f64,
    /// Positions unsafe at the protocol price.
    pub unsafe_positions: u64,
    /// Debt liquidated so far (DAI / USD).
    pub liquidated: f64,
}

/// Summary of one run (one path).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Path variant (`real`, `stress`).
    pub variant: String,
    /// Protocol.
    pub protocol: String,
    /// Seed.
    pub seed: u64,
    /// Blocks simulated.
    pub blocks: u64,
    /// Positions at the start.
    pub positions: u64,
    /// Debt at the start (DAI / USD).
    pub debt_start: f64,
    /// Liquidations (Maker: bites; Compound: liquidate calls).
    pub liquidations: u64,
    /// Debt liquidated (Maker: debt booked by bites; Compound: repaid, USD).
    pub debt_liquidated: f64,
    /// Collateral seized (ETH-equivalent units for Maker; USD for Compound).
    pub collateral_seized: f64,
    /// Maker: auctions kicked.
    pub auctions: u64,
    /// Maker: auctions settled (dealt).
    pub auctions_settled: u64,
    /// Maker: settled auctions that covered the tab.
    pub auctions_covered: u64,
    /// Maker: settled auctions won with a (near-)zero bid.
    pub zero_bid_wins: u64,
    /// Maker: collateral given away in zero-bid wins (USD at the market price).
    pub zero_bid_collateral_usd: f64,
    /// Maker: auctions still open at the end.
    pub auctions_open: u64,
    /// Bad debt (Maker: `sin − dai` of the Vow; Compound: debt above collateral value).
    pub bad_debt: f64,
    /// Maker: uncovered debt of settled auctions (DAI).
    pub deficit_settled: f64,
    /// Median delay from unsafe to liquidation/bite (s).
    pub median_delay_s: f64,
    /// Agents' transactions submitted / included / dropped.
    pub txs_submitted: u64,
    /// Included.
    pub txs_included: u64,
    /// Dropped unmined.
    pub txs_dropped: u64,
    /// Included but reverted.
    pub txs_reverted: u64,
    /// Withdrawn by their sender before inclusion (the target changed; Compound).
    pub txs_replaced: u64,
    /// Gas paid by agents (ETH).
    pub gas_paid_eth: f64,
    /// Lowest market (CEX) ETH price (USD).
    pub min_market_price: f64,
    /// Lowest fundamental ETH price (USD).
    pub min_fundamental: f64,
    /// Largest endogenous impact on the CEX mid (relative).
    pub max_endogenous_impact: f64,
    /// Arbitrage trades executed.
    pub arbitrages: u64,
    /// Oracle updates (Maker: OSM pokes that changed `spot`; Compound: reporter rounds).
    pub oracle_updates: u64,
    /// Gas paid by oracle update transactions (ETH; 0 when `oracle_update_gas` is 0).
    pub oracle_gas_eth: f64,
    /// Terra runs: the mint-burn spiral's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terra: Option<crate::terra::TerraSummary>,
    /// stETH runs: the discount's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steth: Option<crate::steth::StethSummary>,
    /// USDC/SVB runs: the depeg's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svb: Option<crate::svb::SvbSummary>,
}

/// Everything one run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RunOutput {
    /// Summary.
    pub summary: Summary,
    /// Liquidation log.
    pub liquidations: Vec<LiquidationRow>,
    /// Maker bids.
    pub bids: Vec<BidRow>,
    /// Maker auctions.
    pub auctions: Vec<AuctionRow>,
    /// Sampled series.
    pub series: Vec<SeriesRow>,
    /// Terra runs: hourly market and cohort rows, scripted events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terra: Option<crate::terra::TerraOutput>,
    /// stETH runs: hourly rows, book groups, scripted events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steth: Option<crate::steth::StethOutput>,
    /// USDC/SVB runs: hourly rows, book groups, scripted events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svb: Option<crate::svb::SvbOutput>,
}

/// Median of `v` (0 if empty); sorts a copy.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}
