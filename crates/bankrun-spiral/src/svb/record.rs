//! What a USDC/SVB run records: hourly market rows (USDC and DAI prices by venue, 3pool's
//! composition, the PSM and DAI supply, Aave v2's stablecoin reserves, liquidations, repaid
//! USDC loans, what holders sold and buyers bought), per book group at the end, the scripted
//! events' outcomes, and the summary.

use serde::Serialize;

use crate::world_run::EventRow;

/// One hour (UTC, at the first block of the hour).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SvbRow {
    /// Time (RFC 3339).
    pub time: String,
    /// USDC/USDT of the price file (Uniswap v3 1 bp pool; the replay path).
    pub usdc_path: f64,
    /// USDC/USDT on 3pool (marginal).
    pub usdc_curve: f64,
    /// DAI/USDT on 3pool (marginal).
    pub dai_curve: f64,
    /// Aave v2's USDC price (the USDC/ETH answer × ETH/USD), USD.
    pub usdc_oracle_usd: f64,
    /// DAI in 3pool.
    pub curve_dai: f64,
    /// USDC in 3pool.
    pub curve_usdc: f64,
    /// USDT in 3pool.
    pub curve_usdt: f64,
    /// USDC's share of 3pool's coins.
    pub curve_usdc_share: f64,
    /// USDC locked in the PSM.
    pub psm_usdc: f64,
    /// The PSM's debt ceiling, DAI.
    pub psm_line: f64,
    /// DAI supply.
    pub dai_supply: f64,
    /// Aave v2 USDC utilization, fraction.
    pub usdc_utilization: f64,
    /// Aave v2 USDC variable borrow rate, a year (fraction).
    pub usdc_borrow_apr: f64,
    /// Aave v2 USDC supply rate, a year (fraction).
    pub usdc_supply_apr: f64,
    /// Aave v2 USDC debt, tokens.
    pub usdc_debt: f64,
    /// Aave v2 USDT utilization, fraction.
    pub usdt_utilization: f64,
    /// Aave v2 USDT variable borrow rate, a year (fraction).
    pub usdt_borrow_apr: f64,
    /// Aave v2 USDT supply rate, a year (fraction).
    pub usdt_supply_apr: f64,
    /// Aave v2 USDT debt, tokens.
    pub usdt_debt: f64,
    /// Aave v2 DAI utilization, fraction.
    pub dai_utilization: f64,
    /// Aave v2 DAI variable borrow rate, a year (fraction).
    pub dai_borrow_apr: f64,
    /// Aave v2 DAI supply rate, a year (fraction).
    pub dai_supply_apr: f64,
    /// Aave v2 DAI debt, tokens.
    pub dai_debt: f64,
    /// Liquidations so far.
    pub liquidations: u64,
    /// USDC seized by liquidators so far.
    pub usdc_seized: f64,
    /// USDC the holder cohorts sold so far.
    pub holders_sold: f64,
    /// USDC the buyers bought so far.
    pub buyers_bought: f64,
    /// USDC repaid by the discount repayers so far.
    pub usdc_repaid: f64,
    /// USDC the arbitrageur sold to the PSM so far.
    pub arb_usdc_to_psm: f64,
    /// Compound v2 USDC utilization (`borrows / (cash + borrows − reserves)`), fraction;
    /// empty without the Compound v2 lender (as every `compound_…` column).
    pub compound_usdc_utilization: Option<f64>,
    /// Compound v2 USDC borrow rate, a year (per-block rate × 2,102,400).
    pub compound_usdc_borrow_apr: Option<f64>,
    /// Compound v2 USDC supply rate, a year.
    pub compound_usdc_supply_apr: Option<f64>,
    /// Compound v2 USDT utilization, fraction.
    pub compound_usdt_utilization: Option<f64>,
    /// Compound v2 USDT borrow rate, a year.
    pub compound_usdt_borrow_apr: Option<f64>,
    /// Compound v2 USDT supply rate, a year.
    pub compound_usdt_supply_apr: Option<f64>,
    /// Compound v2 DAI utilization, fraction.
    pub compound_dai_utilization: Option<f64>,
    /// Compound v2 DAI borrow rate, a year.
    pub compound_dai_borrow_apr: Option<f64>,
    /// Compound v2 DAI supply rate, a year.
    pub compound_dai_supply_apr: Option<f64>,
    /// Compound v2 USDT cash (what suppliers can withdraw now), USDT.
    pub compound_usdt_cash: Option<f64>,
    /// Compound v2 DAI cash, DAI.
    pub compound_dai_cash: Option<f64>,
    /// Compound v2's DAI price (its reporter), USD.
    pub compound_dai_oracle_usd: Option<f64>,
    /// Compound v2 liquidations so far.
    pub compound_liquidations: Option<u64>,
    /// USDC the collateral arbitrageurs supplied to Compound v2 so far (valued at $1 by its
    /// oracle).
    pub collateral_arb_usdc_supplied: Option<f64>,
    /// USDT and DAI the collateral arbitrageurs borrowed from Compound v2 so far, tokens.
    pub collateral_arb_borrowed: Option<f64>,
}

/// A borrower group at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SvbBookRow {
    /// Group name.
    pub group: String,
    /// Accounts.
    pub accounts: u64,
    /// Collateral token.
    pub collateral: String,
    /// Debt token.
    pub debt: String,
    /// Collateral at the start, tokens.
    pub collateral_start: f64,
    /// Collateral at the end, tokens.
    pub collateral_end: f64,
    /// Debt at the start, tokens.
    pub debt_start: f64,
    /// Debt at the end, tokens.
    pub debt_end: f64,
    /// Accounts liquidated at least once.
    pub liquidated_accounts: u64,
    /// Accounts whose debt was repaid by themselves (discount repayers).
    pub repaid_accounts: u64,
    /// Lowest health factor of the group's borrowers at the end (empty: no debt left).
    pub min_health_end: Option<f64>,
    /// Debt above collateral value at Aave's prices at the end (latent bad debt), USD.
    pub shortfall_usd: f64,
}

/// The USDC/SVB figures of a run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SvbSummary {
    /// Lowest USDC/USDT on 3pool (hourly).
    pub usdc_min_curve: f64,
    /// USDC/USDT on 3pool at the end.
    pub usdc_end_curve: f64,
    /// Lowest USDC price of Aave's oracle, USD.
    pub usdc_min_oracle: f64,
    /// Lowest DAI/USDT on 3pool.
    pub dai_min_curve: f64,
    /// USDC's share of 3pool at the start and the end.
    pub curve_usdc_share: [f64; 2],
    /// Highest USDC share of 3pool.
    pub curve_usdc_share_max: f64,
    /// USDC locked in the PSM at the start and the end.
    pub psm_usdc: [f64; 2],
    /// DAI supply at the start and the end.
    pub dai_supply: [f64; 2],
    /// Highest Aave v2 utilization of USDC, USDT, DAI.
    pub utilization_max: [f64; 3],
    /// Highest Aave v2 variable borrow rate of USDC, USDT, DAI, a year.
    pub borrow_apr_max: [f64; 3],
    /// Aave v2 USDC debt at the start and the end, USDC.
    pub usdc_debt: [f64; 2],
    /// USDC repaid by the discount repayers.
    pub usdc_repaid: f64,
    /// USDC seized by liquidators.
    pub usdc_seized: f64,
    /// USDC sold by the holder cohorts.
    pub holders_sold: f64,
    /// USDC bought by the buyers.
    pub buyers_bought: f64,
    /// USDC sold to the PSM by the arbitrageur.
    pub arb_usdc_to_psm: f64,
    /// Debt above collateral value at the end, USD.
    pub shortfall_usd: f64,
    /// The Compound v2 lender's figures (with `[compound]`).
    pub compound: Option<SvbCompoundSummary>,
    /// Scripted events that reverted.
    pub events_reverted: u64,
    /// Agents' reverted transactions by call target and reason (at most ten).
    pub revert_reasons: Vec<(String, u64)>,
}

/// The Compound v2 figures of a USDC/SVB run.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SvbCompoundSummary {
    /// Highest utilization of USDC, USDT, DAI.
    pub utilization_max: [f64; 3],
    /// Highest borrow rate of USDC, USDT, DAI, a year.
    pub borrow_apr_max: [f64; 3],
    /// USDT and DAI cash at the start and the end, tokens: `[[usdt0, usdt1], [dai0, dai1]]`.
    pub cash: [[f64; 2]; 2],
    /// Lowest DAI price of its oracle, USD.
    pub dai_min_oracle: f64,
    /// Liquidations.
    pub liquidations: u64,
    /// USDC the collateral arbitrageurs supplied.
    pub arb_usdc_supplied: f64,
    /// USDT and DAI they borrowed, tokens.
    pub arb_borrowed: f64,
    /// The book's borrows at the start, USD at the start prices.
    pub debt_start: f64,
    /// Accounts with debt above their collateral's liquidation value at the oracle's
    /// prices at the end (Comptroller shortfall).
    pub accounts_in_shortfall: u64,
    /// Their shortfall, USD at the oracle's prices (USDC at $1).
    pub shortfall_usd: f64,
    /// Debt above collateral value (no collateral factor) at the end, USD, with USDC at its
    /// 3pool price instead of the oracle's $1: the loss if the USDC collateral were sold there.
    pub bad_debt_at_market_usd: f64,
}

/// A USDC/SVB run's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SvbOutput {
    /// Hourly rows.
    pub market: Vec<SvbRow>,
    /// Book groups at the end.
    pub books: Vec<SvbBookRow>,
    /// Scripted events.
    pub events: Vec<EventRow>,
}
