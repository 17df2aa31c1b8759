//! `[steth]`: the stETH discount scenario's table (scenario `steth-2022-06`): the price file,
//! the Curve stETH/ETH pool, the Aave v2 reserves and borrower book, the stETH holder cohorts,
//! the dip buyers, the liquidators and the scripted events. Every number in the shipped file
//! carries its source or `assumption:`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::SpiralError;
use crate::spec::Loaded;

/// `[steth]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethSpec")]
pub struct StethSpec {
    /// Hourly prices, CSV `hour_utc,stETH_ETH,ETH_USD`, relative to the scenario file: the
    /// replay path of stETH/ETH, ETH/USD in both modes, and both modes' starting prices.
    pub prices: String,
    /// End of the window (RFC 3339).
    pub end: String,
    /// Modes run, one variant each: `"replay"` (the stETH/ETH price every agent and the oracle
    /// read is the price file's) and `"spiral"` (it is the Curve pool's, formed by the trades).
    pub modes: Vec<String>,
    /// stETH supply, stETH.
    pub steth_supply: f64,
    /// `[steth.curve]`.
    pub curve: CurveSpec,
    /// `[steth.oracle]`.
    pub oracle: OracleSpec,
    /// `[[steth.reserves]]`: the Aave v2 reserves, in listing order: `WETH`, `stETH`, and any
    /// stablecoins the book borrows (`USDC`, `DAI`).
    pub reserves: Vec<ReserveSpec>,
    /// `[[steth.books]]`: borrower groups of the Aave v2 book.
    pub books: Vec<BookSpec>,
    /// `[steth.risk]`.
    pub risk: RiskSpec,
    /// `[[steth.cohorts]]`: stETH holders who may sell.
    #[serde(default)]
    pub cohorts: Vec<CohortSpec>,
    /// `[[steth.buyers]]`: dip buyers.
    #[serde(default)]
    pub buyers: Vec<BuyerSpec>,
    /// `[[steth.liquidators]]`.
    pub liquidators: Vec<LiquidatorSpec>,
    /// `[[steth.events]]`.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

/// `[steth.curve]`: the Curve stETH/ETH pool (`StableSwapSTETH.vy`, coin 0 ETH, coin 1 stETH).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethCurveSpec")]
pub struct CurveSpec {
    /// ETH in the pool at the start.
    pub eth: f64,
    /// stETH in the pool at the start.
    pub steth: f64,
    /// Amplification `A` (what `A()` returns; the pool stores `A·100`).
    pub a: f64,
    /// Swap fee, fraction.
    pub fee: f64,
    /// Admin share of the fee, fraction.
    pub admin_fee: f64,
}

/// `[steth.oracle]`: Aave v2's stETH price source in spiral mode (Chainlink STETH/ETH).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethOracleSpec")]
pub struct OracleSpec {
    /// Deviation threshold, fraction.
    pub deviation: f64,
    /// Heartbeat, seconds.
    pub heartbeat_s: u64,
}

/// `[[steth.reserves]]`: an Aave v2 reserve.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethReserveSpec")]
pub struct ReserveSpec {
    /// `WETH`, `stETH`, `USDC`, `USDT` or `DAI` (each scenario lists which).
    #[schemars(extend("enum" = ["WETH", "stETH", "USDC", "USDT", "DAI"]))]
    pub token: String,
    /// Loan-to-value, fraction.
    pub ltv: f64,
    /// Liquidation threshold, fraction.
    pub liquidation_threshold: f64,
    /// Liquidation bonus, fraction (0.075 = 7.5 %).
    pub liquidation_bonus: f64,
    /// Reserve factor, fraction.
    pub reserve_factor: f64,
    /// Whether it can be borrowed.
    pub borrowing: bool,
    /// Optimal utilization, fraction.
    pub optimal_utilization: f64,
    /// Base variable borrow rate, a year.
    pub base_rate: f64,
    /// Variable slope 1, a year.
    pub slope1: f64,
    /// Variable slope 2, a year.
    pub slope2: f64,
    /// Supplied by depositors who do not borrow, tokens.
    #[serde(default)]
    pub supplied: f64,
}

/// `[[steth.books]]`: a group of Aave v2 borrowers with stETH collateral.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethBookSpec")]
pub struct BookSpec {
    /// Name (`loopers-tight`, `celsius`, …).
    pub name: String,
    /// Accounts.
    pub accounts: u32,
    /// stETH collateral of the group, stETH.
    pub steth: f64,
    /// The token borrowed (`WETH`, `USDC`, `DAI`); absent: collateral only.
    #[serde(default)]
    pub debt: Option<String>,
    /// Health factors at the start, lowest and highest, spread evenly over the accounts.
    #[serde(default)]
    pub health: [f64; 2],
    /// With two stablecoins: the share of the debt in `USDC` (the rest in `DAI`), [0, 1];
    /// used only with `debt = "stables"`.
    #[serde(default)]
    pub usdc_share: f64,
}

/// `[steth.risk]`: the holders' perceived risk (bankrun_world::agents::peg_holders).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethRiskSpec")]
pub struct RiskSpec {
    /// `par`: the stETH/ETH price the discount is measured from.
    pub par: f64,
    /// The kink price, and the alert that raises attention: stETH/ETH below it.
    pub kink_below: f64,
    /// `κ`, added below the kink.
    pub kink: f64,
    /// Below this stETH/ETH price holders wait for redemption rather than sell; 0: no floor.
    #[serde(default)]
    pub hold_below: f64,
}

/// `[[steth.cohorts]]`: a cohort of stETH holders (wallets).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethCohortSpec")]
pub struct CohortSpec {
    /// Name.
    pub name: String,
    /// stETH held by the cohort.
    pub stake: f64,
    /// Accounts.
    pub accounts: u32,
    /// Log-normal sigma of the stakes across accounts.
    pub stake_sigma: f64,
    /// Median first threshold `τ` (discount-equivalent units).
    pub threshold_median: f64,
    /// Log-normal sigma of the thresholds.
    pub threshold_sigma: f64,
    /// Attention, wake-ups per hour.
    pub attention_per_hour: f64,
    /// Attention multiplier once the alert is on.
    pub news_multiplier: f64,
    /// Share of the holding sold per decision, (0, 1].
    pub exit_fraction: f64,
}

/// `[[steth.buyers]]`: a dip buyer on the Curve pool.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethBuyerSpec")]
pub struct BuyerSpec {
    /// Name.
    pub name: String,
    /// Buys while stETH/ETH on the pool is below this.
    pub below: f64,
    /// Budget, ETH.
    pub budget_eth: f64,
    /// ETH per buy.
    pub clip_eth: f64,
    /// Blocks between buys.
    pub every_blocks: u64,
}

/// `[[steth.liquidators]]`: a liquidator of the Aave v2 pool, who sells the stETH it seizes
/// on the Curve pool for ETH.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethLiquidatorSpec")]
pub struct LiquidatorSpec {
    /// Name.
    pub name: String,
    /// The debt it repays (`WETH`, `USDC`, `DAI`).
    pub repays: String,
    /// Its wallet of that token.
    pub capital: f64,
    /// Largest repayment per liquidation, tokens.
    pub max_repay: f64,
    /// It holds the stETH it seized while the pool's price is below this (ETH per stETH)
    /// rather than sell it at a deeper discount; 0: sells at any price.
    #[serde(default)]
    pub min_sale_price: f64,
    /// Smallest repayment it bothers with, tokens (dust costs more gas than its bonus pays);
    /// 0: any.
    #[serde(default)]
    pub min_repay: f64,
}

/// `[[steth.events]]`: a scripted event.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStethEventSpec")]
pub struct EventSpec {
    /// Label in the outputs.
    pub label: String,
    /// Time (RFC 3339).
    pub at: String,
    /// `"sell-steth"` (on the Curve pool, for ETH), `"withdraw-steth"` (from Aave, by the
    /// first account of `book`), `"remove-eth"` (single-sided from the Curve pool, by the
    /// pool's LPs) or `"freeze-steth"` (Aave v2: the stETH reserve frozen).
    #[schemars(extend("enum" = ["sell-steth", "withdraw-steth", "remove-eth", "freeze-steth"]))]
    pub kind: String,
    /// Amount: stETH sold or withdrawn, ETH removed; unused for a freeze.
    #[serde(default)]
    pub amount: f64,
    /// With `withdraw-steth`: the book group whose first account withdraws; with
    /// `sell-steth`: sold by that account (after a withdrawal) instead of the scripted actor.
    #[serde(default)]
    pub book: Option<String>,
}

fn pos(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

fn frac(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Checks the table; errors name the key.
///
/// # Errors
/// [`SpiralError::BadInput`] locating the bad key.
pub fn validate(l: &Loaded, t: &StethSpec) -> Result<(), SpiralError> {
    bankrun_chain::time::parse_time(&t.end).map_err(|_| l.err("end", "not an RFC 3339 time"))?;
    let modes_ok = !t.modes.is_empty()
        && t.modes.iter().all(|m| m == "replay" || m == "spiral")
        && t.modes.len()
            == t.modes
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len();
    if !modes_ok {
        return Err(l.err(
            "modes",
            "a non-empty list of \"replay\" and \"spiral\", each once",
        ));
    }
    let c = &t.curve;
    for (key, v) in [
        ("steth_supply", t.steth_supply),
        ("eth", c.eth),
        ("steth", c.steth),
    ] {
        if !(pos(v) && v <= 1e12) {
            return Err(l.err(key, "must be positive (and at most 1e12)"));
        }
    }
    if !(c.a >= 1.0 && c.a <= 10_000.0) {
        return Err(l.err("a", "must be in [1, 10000]"));
    }
    if !(frac(c.fee) && c.fee <= 0.5 && frac(c.admin_fee)) {
        return Err(l.err("fee", "fee in [0, 0.5], admin_fee in [0, 1]"));
    }
    if !(frac(t.oracle.deviation) && t.oracle.heartbeat_s > 0) {
        return Err(l.err("deviation", "deviation in [0, 1], heartbeat_s positive"));
    }
    validate_reserves(l, t)?;
    validate_books(l, t)?;
    let r = &t.risk;
    if !(pos(r.par) && pos(r.kink_below) && r.kink.is_finite() && (0.0..=10.0).contains(&r.kink)) {
        return Err(l.err("par", "par and kink_below positive, kink in [0, 10]"));
    }
    if !(0.0..=1.0).contains(&r.hold_below) {
        return Err(l.err("hold_below", "must be in [0, 1] (ETH per stETH)"));
    }
    validate_cohorts(l, "steth.cohorts", &t.cohorts)?;
    for (i, b) in t.buyers.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("steth.buyers", i, key, msg.to_string());
        if !(pos(b.below) && pos(b.budget_eth) && pos(b.clip_eth) && b.every_blocks > 0) {
            return Err(bad(
                "budget_eth",
                "below, budget_eth, clip_eth and every_blocks must be positive",
            ));
        }
    }
    for (i, q) in t.liquidators.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("steth.liquidators", i, key, msg.to_string());
        if !["WETH", "USDC", "DAI"].contains(&q.repays.as_str()) {
            return Err(bad("repays", "\"WETH\", \"USDC\" or \"DAI\""));
        }
        if !(pos(q.capital) && pos(q.max_repay)) {
            return Err(bad("capital", "capital and max_repay must be positive"));
        }
        if !(0.0..=1.0).contains(&q.min_sale_price) {
            return Err(bad("min_sale_price", "must be in [0, 1] (ETH per stETH)"));
        }
        if !(q.min_repay.is_finite() && (0.0..=1e12).contains(&q.min_repay)) {
            return Err(bad("min_repay", "must be in [0, 1e12]"));
        }
    }
    for (i, e) in t.events.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("steth.events", i, key, msg.to_string());
        bankrun_chain::time::parse_time(&e.at).map_err(|_| bad("at", "not an RFC 3339 time"))?;
        if !["sell-steth", "withdraw-steth", "remove-eth", "freeze-steth"]
            .contains(&e.kind.as_str())
        {
            return Err(bad(
                "kind",
                "\"sell-steth\", \"withdraw-steth\", \"remove-eth\" or \"freeze-steth\"",
            ));
        }
        if e.kind != "freeze-steth" && !(pos(e.amount) && e.amount <= 1e12) {
            return Err(bad("amount", "must be positive"));
        }
        if e.kind == "withdraw-steth" && e.book.is_none() {
            return Err(bad(
                "book",
                "a withdrawal names the book group that withdraws",
            ));
        }
        if let Some(b) = &e.book
            && !t.books.iter().any(|g| &g.name == b)
        {
            return Err(bad("book", "no [[steth.books]] group of that name"));
        }
    }
    Ok(())
}

/// Checks holder cohorts (`table`: `steth.cohorts`, `svb.cohorts`).
///
/// # Errors
/// [`SpiralError::BadInput`] locating the bad key.
pub(crate) fn validate_cohorts(
    l: &Loaded,
    table: &str,
    cohorts: &[CohortSpec],
) -> Result<(), SpiralError> {
    for (i, h) in cohorts.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in(table, i, key, msg.to_string());
        if !(pos(h.stake) && h.stake <= 1e12) {
            return Err(bad("stake", "must be positive"));
        }
        if h.accounts == 0 || h.accounts > 100_000 {
            return Err(bad("accounts", "must be in [1, 100000]"));
        }
        if !(h.stake_sigma >= 0.0 && h.threshold_sigma >= 0.0 && pos(h.threshold_median)) {
            return Err(bad(
                "threshold_median",
                "positive, with non-negative sigmas",
            ));
        }
        if !(h.attention_per_hour >= 0.0 && h.news_multiplier >= 1.0) {
            return Err(bad(
                "attention_per_hour",
                "attention ≥ 0 and news_multiplier ≥ 1",
            ));
        }
        if !(h.exit_fraction > 0.0 && h.exit_fraction <= 1.0) {
            return Err(bad("exit_fraction", "must be in (0, 1]"));
        }
    }
    Ok(())
}

fn validate_reserves(l: &Loaded, t: &StethSpec) -> Result<(), SpiralError> {
    let order: Vec<&str> = t.reserves.iter().map(|r| r.token.as_str()).collect();
    if order.len() < 2 || order[0] != "WETH" || order[1] != "stETH" {
        return Err(l.err(
            "reserves",
            "WETH first and stETH second, then any of USDC and DAI",
        ));
    }
    for (i, r) in t.reserves.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("steth.reserves", i, key, msg.to_string());
        if i >= 2 && !["USDC", "DAI"].contains(&r.token.as_str()) {
            return Err(bad("token", "after WETH and stETH: \"USDC\" or \"DAI\""));
        }
        if order[..i].contains(&r.token.as_str()) {
            return Err(bad("token", "each token once"));
        }
        validate_reserve(l, "steth.reserves", i, r)?;
    }
    Ok(())
}

/// Checks one reserve of `table` (`steth.reserves`, `svb.reserves`).
///
/// # Errors
/// [`SpiralError::BadInput`] locating the bad key.
pub(crate) fn validate_reserve(
    l: &Loaded,
    table: &str,
    i: usize,
    r: &ReserveSpec,
) -> Result<(), SpiralError> {
    let bad = |key: &str, msg: &str| l.err_in(table, i, key, msg.to_string());
    if !(frac(r.ltv) && frac(r.liquidation_threshold) && r.ltv <= r.liquidation_threshold) {
        return Err(bad("ltv", "ltv ≤ liquidation_threshold, both in [0, 1]"));
    }
    if !(frac(r.liquidation_bonus) && frac(r.reserve_factor)) {
        return Err(bad(
            "liquidation_bonus",
            "liquidation_bonus and reserve_factor in [0, 1]",
        ));
    }
    if !(r.optimal_utilization > 0.0 && r.optimal_utilization < 1.0) {
        return Err(bad("optimal_utilization", "must be in (0, 1)"));
    }
    for (key, v) in [
        ("base_rate", r.base_rate),
        ("slope1", r.slope1),
        ("slope2", r.slope2),
    ] {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return Err(bad(key, "a rate a year in [0, 100]"));
        }
    }
    if !(r.supplied.is_finite() && (0.0..=1e13).contains(&r.supplied)) {
        return Err(bad("supplied", "must be in [0, 1e13]"));
    }
    Ok(())
}

fn validate_books(l: &Loaded, t: &StethSpec) -> Result<(), SpiralError> {
    for (i, b) in t.books.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("steth.books", i, key, msg.to_string());
        if b.accounts == 0 || b.accounts > 100_000 {
            return Err(bad("accounts", "must be in [1, 100000]"));
        }
        if !(pos(b.steth) && b.steth <= 1e12) {
            return Err(bad("steth", "must be positive"));
        }
        if let Some(d) = &b.debt {
            let listed = |s: &str| t.reserves.iter().any(|r| r.token == s && r.borrowing);
            let ok = match d.as_str() {
                "stables" => listed("USDC") && listed("DAI") && frac(b.usdc_share),
                other => other != "stETH" && listed(other),
            };
            if !ok {
                return Err(bad(
                    "debt",
                    "a borrowable listed reserve (WETH, USDC, DAI), or \"stables\" (USDC and \
                     DAI, split by usdc_share)",
                ));
            }
            let [lo, hi] = b.health;
            if !(lo > 1.0 && hi >= lo && hi <= 100.0) {
                return Err(bad(
                    "health",
                    "[lowest, highest] with 1 < lowest ≤ highest ≤ 100",
                ));
            }
        }
        if t.books[..i].iter().any(|g| g.name == b.name) {
            return Err(bad("name", "each group name once"));
        }
    }
    Ok(())
}
