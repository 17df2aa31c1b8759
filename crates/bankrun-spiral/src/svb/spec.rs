//! `[svb]`: the USDC/SVB scenario's table (scenario `usdc-svb-2023-03`): the price files,
//! Curve 3pool, Maker's PSM-USDC-A with its auto-line, the Aave v2 stablecoin reserves and
//! borrower book, the news, the USDC holder cohorts, the dip buyers (redemption arbitrage),
//! the PSM arbitrageur, the liquidators and the scripted events (Maker's emergency spell, the
//! 3pool LPs' single-sided withdrawals). Every number in the shipped file carries its source
//! or `assumption:`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::SpiralError;
use crate::spec::Loaded;
pub use crate::steth::spec::{CohortSpec, LiquidatorSpec, ReserveSpec};

/// `[svb]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbSpec")]
pub struct SvbSpec {
    /// Hourly USDC price in USDT, CSV `hour_utc,USDC_USDT` (the Uniswap v3 USDC/USDT 1 bp
    /// pool), relative to the scenario file: the replay path.
    pub prices: String,
    /// Hourly ETH/USD, CSV with columns `hour_utc,ETH`: the stablecoins' ETH prices Aave v2
    /// reads.
    pub eth_prices: String,
    /// End of the window (RFC 3339).
    pub end: String,
    /// Modes run, one variant each: `"replay"` (the USDC price the oracle and the agents read
    /// is the price file's) and `"spiral"` (it is Curve 3pool's, formed by the trades).
    pub modes: Vec<String>,
    /// DAI supply at the start, DAI.
    pub dai_supply: f64,
    /// USDC supply at the start, USDC.
    pub usdc_supply: f64,
    /// `[svb.curve]`.
    pub curve: ThreePoolSpec,
    /// `[svb.psm]`.
    pub psm: PsmSpec,
    /// `[svb.oracle]`: the USDC/ETH and DAI/ETH push feeds.
    pub oracle: crate::steth::spec::OracleSpec,
    /// `[[svb.reserves]]`: the Aave v2 reserves, in listing order `USDC`, `USDT`, `DAI`,
    /// `WETH`.
    pub reserves: Vec<ReserveSpec>,
    /// `[[svb.books]]`: borrower groups of the Aave v2 book.
    pub books: Vec<BookSpec>,
    /// `[[svb.news]]`: public news as steps of the holders' perceived risk.
    #[serde(default)]
    pub news: Vec<NewsSpec>,
    /// `[svb.risk]`.
    pub risk: crate::steth::spec::RiskSpec,
    /// `[[svb.cohorts]]`: USDC holders who may sell it for USDT on 3pool.
    #[serde(default)]
    pub cohorts: Vec<CohortSpec>,
    /// `[[svb.buyers]]`: buyers of discounted USDC.
    #[serde(default)]
    pub buyers: Vec<BuyerSpec>,
    /// `[svb.arbitrageur]`: the PSM/3pool arbitrageur; absent: none.
    #[serde(default)]
    pub arbitrageur: Option<ArbitrageurSpec>,
    /// `[[svb.liquidators]]`: Aave v2 liquidators (`repays` `USDT` or `DAI`; they sell the
    /// USDC they seize on 3pool).
    pub liquidators: Vec<LiquidatorSpec>,
    /// `[[svb.events]]`.
    #[serde(default)]
    pub events: Vec<EventSpec>,
    /// `[[svb.collateral_arbitrageurs]]`: buyers of discounted USDC who supply it to
    /// Compound v2 (whose oracle fixes USDC at $1) and borrow against it; they need the
    /// scenario's `[compound]` table (the Compound v2 lender).
    #[serde(default)]
    pub collateral_arbitrageurs: Vec<CollateralArbitrageurSpec>,
}

/// `[[svb.collateral_arbitrageurs]]`: supplies USDC bought below par to Compound v2, borrows
/// `borrows` against it at the oracle's $1, and buys more USDC with the loan.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbCollateralArbitrageurSpec")]
pub struct CollateralArbitrageurSpec {
    /// Name.
    pub name: String,
    /// The stablecoin borrowed and sold for USDC on 3pool: `USDT` or `DAI`.
    #[schemars(extend("enum" = ["USDT", "DAI"]))]
    pub borrows: String,
    /// Its wallet of the borrowed token at the start, tokens.
    pub capital: f64,
    /// Buys USDC only while 3pool's price of it (in the borrowed token) is below this.
    pub below: f64,
    /// Fraction of its account liquidity borrowed each round, in (0, 1].
    pub use_fraction: f64,
    /// Smallest borrow or sale, tokens.
    pub min_clip: f64,
    /// Most USDC it supplies in all.
    pub max_supply: f64,
    /// Most it borrows in all, tokens.
    pub max_debt: f64,
    /// Blocks between rounds.
    pub every_blocks: u64,
}

/// `[svb.curve]`: Curve 3pool (coin 0 DAI, 1 USDC, 2 USDT).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbCurveSpec")]
pub struct ThreePoolSpec {
    /// DAI in the pool at the start.
    pub dai: f64,
    /// USDC in the pool at the start.
    pub usdc: f64,
    /// USDT in the pool at the start.
    pub usdt: f64,
    /// Amplification `A` (3pool stores `A` itself: no `A_PRECISION`).
    pub a: f64,
    /// Swap fee, fraction.
    pub fee: f64,
    /// Admin share of the fee, fraction.
    pub admin_fee: f64,
}

/// `[svb.psm]`: Maker's PSM-USDC-A (dss-psm) and its auto-line (dss-auto-line).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbPsmSpec")]
pub struct PsmSpec {
    /// USDC locked at the start (its DAI debt equal).
    pub usdc: f64,
    /// `tin`, fraction.
    pub tin: f64,
    /// `tout`, fraction.
    pub tout: f64,
    /// The auto-line's maximum ceiling, DAI.
    pub line: f64,
    /// The auto-line's gap, DAI.
    pub gap: f64,
    /// The auto-line's `ttl`, hours.
    pub ttl_hours: f64,
}

/// `[[svb.books]]`: a group of Aave v2 borrowers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbBookSpec")]
pub struct BookSpec {
    /// Name.
    pub name: String,
    /// Accounts.
    pub accounts: u32,
    /// Collateral: `USDC`, `DAI` or `WETH`.
    #[schemars(extend("enum" = ["USDC", "DAI", "WETH"]))]
    pub collateral: String,
    /// Debt: `USDC`, `USDT` or `DAI`.
    #[schemars(extend("enum" = ["USDC", "USDT", "DAI"]))]
    pub debt: String,
    /// The group's debt, tokens (equal per account).
    pub debt_total: f64,
    /// Health factors at the start, lowest and highest, spread evenly over the accounts.
    pub health: [f64; 2],
    /// With `USDC` debt: the accounts repay it with USDC bought below par once its price is
    /// below their threshold, spread evenly over `[lowest, highest]` (each holds USDT equal
    /// to its debt); absent: they do not.
    #[serde(default)]
    pub repay_below: Option<[f64; 2]>,
}

/// `[[svb.news]]`: from `at` on, `risk` is added to every holder's perceived risk (until the
/// next step).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbNewsSpec")]
pub struct NewsSpec {
    /// Label.
    pub label: String,
    /// Time (RFC 3339).
    pub at: String,
    /// Risk added, depeg-equivalent units (0.08: as an 8 % expected loss).
    pub risk: f64,
}

/// `[[svb.buyers]]`: a buyer of discounted USDC on 3pool, paying USDT.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbBuyerSpec")]
pub struct BuyerSpec {
    /// Name.
    pub name: String,
    /// Buys while USDC/USDT on the pool is below this.
    pub below: f64,
    /// Budget, USDT.
    pub budget: f64,
    /// USDT per buy.
    pub clip: f64,
    /// Blocks between buys.
    pub every_blocks: u64,
    /// Buys from this time on (RFC 3339); absent: from the start.
    #[serde(default)]
    pub from: Option<String>,
}

/// `[svb.arbitrageur]`: sells USDC to the PSM for DAI and DAI on 3pool for USDC (and the
/// reverse) from an inventory of both.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbArbitrageurSpec")]
pub struct ArbitrageurSpec {
    /// Inventory of USDC and of DAI at the start, each.
    pub inventory: f64,
    /// Largest round, USDC.
    pub max_clip: f64,
    /// Smallest round, USDC.
    pub min_clip: f64,
    /// Profit required of a round, fraction of the USDC put in.
    pub min_profit: f64,
    /// Blocks between rounds.
    pub every_blocks: u64,
}

/// `[[svb.events]]`: a scripted event.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSvbEventSpec")]
pub struct EventSpec {
    /// Label in the outputs.
    pub label: String,
    /// Time (RFC 3339).
    pub at: String,
    /// `"psm-tin"` (`value`: fraction), `"psm-tout"` (fraction), `"psm-gap"` (`value`: DAI;
    /// the auto-line's line and ttl kept), `"remove-usdt"` / `"remove-dai"` (3pool LPs take
    /// `value` of the coin out single-sided), `"sell-usdc"` (`value` USDC sold on 3pool for
    /// USDT), or Compound v2 governance on the market `token`: `"compound-mint-paused"` /
    /// `"compound-borrow-paused"` (the pause guardian's `_setMintPaused` /
    /// `_setBorrowPaused`; `value` 1 pauses, 0 unpauses), `"compound-collateral-factor"`
    /// (`_setCollateralFactor`; `value`: fraction in [0, 0.9]).
    #[schemars(extend(
        "enum" = ["psm-tin", "psm-tout", "psm-gap", "remove-usdt", "remove-dai", "sell-usdc",
                  "compound-mint-paused", "compound-borrow-paused", "compound-collateral-factor"]
    ))]
    pub kind: String,
    /// The event's amount (see `kind`).
    pub value: f64,
    /// The Compound v2 market of a `compound-…` event (a `[[compound.markets]]` name).
    #[serde(default)]
    pub token: Option<String>,
    /// Executed only while USDC/USDT on 3pool is below this; absent: always.
    #[serde(default)]
    pub if_usdc_below: Option<f64>,
}

fn pos(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

fn frac(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

const EVENTS: [&str; 9] = [
    "psm-tin",
    "psm-tout",
    "psm-gap",
    "remove-usdt",
    "remove-dai",
    "sell-usdc",
    "compound-mint-paused",
    "compound-borrow-paused",
    "compound-collateral-factor",
];

/// Checks the table; errors name the key.
///
/// # Errors
/// [`SpiralError::BadInput`] locating the bad key.
pub fn validate(l: &Loaded, t: &SvbSpec) -> Result<(), SpiralError> {
    let time = |key: &str, s: &str| {
        bankrun_chain::time::parse_time(s)
            .map(|_| ())
            .map_err(|_| l.err(key, "not an RFC 3339 time"))
    };
    time("end", &t.end)?;
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
    let p = &t.psm;
    for (key, v) in [
        ("dai_supply", t.dai_supply),
        ("usdc_supply", t.usdc_supply),
        ("dai", c.dai),
        ("usdc", c.usdc),
        ("usdt", c.usdt),
        ("line", p.line),
        ("gap", p.gap),
        ("ttl_hours", p.ttl_hours),
    ] {
        if !(pos(v) && v <= 1e12) {
            return Err(l.err(key, "must be positive (and at most 1e12)"));
        }
    }
    if !(p.usdc.is_finite() && p.usdc >= 0.0 && p.usdc <= p.line) {
        return Err(l.err("psm.usdc", "must be in [0, line]"));
    }
    if !(frac(p.tin) && frac(p.tout)) {
        return Err(l.err("tin", "tin and tout in [0, 1]"));
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
    for (i, n) in t.news.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("svb.news", i, key, msg.to_string());
        bankrun_chain::time::parse_time(&n.at).map_err(|_| bad("at", "not an RFC 3339 time"))?;
        if !(n.risk.is_finite() && (0.0..=10.0).contains(&n.risk)) {
            return Err(bad("risk", "must be in [0, 10]"));
        }
        if i > 0 && t.news[i - 1].at > n.at {
            return Err(bad("at", "news must be in time order"));
        }
    }
    let r = &t.risk;
    if !(pos(r.par) && pos(r.kink_below) && (0.0..=10.0).contains(&r.kink)) {
        return Err(l.err("par", "par and kink_below positive, kink in [0, 10]"));
    }
    if !(0.0..=1.0).contains(&r.hold_below) {
        return Err(l.err("hold_below", "must be in [0, 1] (USDT per USDC)"));
    }
    crate::steth::spec::validate_cohorts(l, "svb.cohorts", &t.cohorts)?;
    for (i, b) in t.buyers.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("svb.buyers", i, key, msg.to_string());
        if !(pos(b.below) && pos(b.budget) && pos(b.clip) && b.every_blocks > 0) {
            return Err(bad(
                "budget",
                "below, budget, clip and every_blocks must be positive",
            ));
        }
        if let Some(f) = &b.from {
            bankrun_chain::time::parse_time(f).map_err(|_| bad("from", "not an RFC 3339 time"))?;
        }
    }
    if let Some(a) = &t.arbitrageur {
        let ok = pos(a.inventory)
            && pos(a.max_clip)
            && pos(a.min_clip)
            && a.min_clip <= a.max_clip
            && frac(a.min_profit)
            && a.every_blocks > 0;
        if !ok {
            return Err(l.err(
                "arbitrageur",
                "inventory, clips and every_blocks positive, min_clip ≤ max_clip, min_profit in \
                 [0, 1]",
            ));
        }
    }
    for (i, q) in t.liquidators.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("svb.liquidators", i, key, msg.to_string());
        if !["USDT", "DAI"].contains(&q.repays.as_str()) {
            return Err(bad("repays", "\"USDT\" or \"DAI\""));
        }
        if !(pos(q.capital) && pos(q.max_repay)) {
            return Err(bad("capital", "capital and max_repay must be positive"));
        }
        if !(0.0..=1.0).contains(&q.min_sale_price) {
            return Err(bad("min_sale_price", "must be in [0, 1] (USDT per USDC)"));
        }
        if !(q.min_repay.is_finite() && (0.0..=1e12).contains(&q.min_repay)) {
            return Err(bad("min_repay", "must be in [0, 1e12]"));
        }
    }
    validate_collateral_arbitrageurs(l, t)?;
    for (i, e) in t.events.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("svb.events", i, key, msg.to_string());
        bankrun_chain::time::parse_time(&e.at).map_err(|_| bad("at", "not an RFC 3339 time"))?;
        if !EVENTS.contains(&e.kind.as_str()) {
            return Err(bad("kind", &format!("one of {EVENTS:?}")));
        }
        let ok = match e.kind.as_str() {
            "psm-tin" | "psm-tout" => frac(e.value),
            "compound-mint-paused" | "compound-borrow-paused" => e.value == 0.0 || e.value == 1.0,
            "compound-collateral-factor" => (0.0..=0.9).contains(&e.value),
            _ => pos(e.value) && e.value <= 1e12,
        };
        if !ok {
            return Err(bad(
                "value",
                "a fee in [0, 1], 1 or 0 for a pause, a collateral factor in [0, 0.9], or a \
                 positive amount (at most 1e12)",
            ));
        }
        let compound = e.kind.starts_with("compound-");
        let market = e.token.as_ref().is_some_and(|name| {
            l.spec
                .compound
                .as_ref()
                .is_some_and(|c| c.markets.iter().any(|m| &m.name == name))
        });
        if compound && !market {
            return Err(bad(
                "token",
                "a market of the scenario's [[compound.markets]] (a compound event needs \
                 [compound])",
            ));
        }
        if !compound && e.token.is_some() {
            return Err(bad("token", "only for compound-… events"));
        }
        if let Some(b) = e.if_usdc_below
            && !pos(b)
        {
            return Err(bad("if_usdc_below", "must be positive"));
        }
    }
    Ok(())
}

fn validate_reserves(l: &Loaded, t: &SvbSpec) -> Result<(), SpiralError> {
    let order: Vec<&str> = t.reserves.iter().map(|r| r.token.as_str()).collect();
    if order != ["USDC", "USDT", "DAI", "WETH"] {
        return Err(l.err("reserves", "USDC, USDT, DAI and WETH, in that order"));
    }
    for (i, r) in t.reserves.iter().enumerate() {
        crate::steth::spec::validate_reserve(l, "svb.reserves", i, r)?;
    }
    Ok(())
}

fn validate_books(l: &Loaded, t: &SvbSpec) -> Result<(), SpiralError> {
    for (i, b) in t.books.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("svb.books", i, key, msg.to_string());
        if b.accounts == 0 || b.accounts > 100_000 {
            return Err(bad("accounts", "must be in [1, 100000]"));
        }
        if !["USDC", "DAI", "WETH"].contains(&b.collateral.as_str()) {
            return Err(bad("collateral", "\"USDC\", \"DAI\" or \"WETH\""));
        }
        let borrowable = t.reserves.iter().any(|r| r.token == b.debt && r.borrowing);
        if !(["USDC", "USDT", "DAI"].contains(&b.debt.as_str()) && borrowable) {
            return Err(bad(
                "debt",
                "a borrowable reserve: \"USDC\", \"USDT\" or \"DAI\"",
            ));
        }
        if b.debt == b.collateral {
            return Err(bad("debt", "must differ from the collateral"));
        }
        if !(pos(b.debt_total) && b.debt_total <= 1e12) {
            return Err(bad("debt_total", "must be positive"));
        }
        let [lo, hi] = b.health;
        if !(lo > 1.0 && hi >= lo && hi <= 100.0) {
            return Err(bad(
                "health",
                "[lowest, highest] with 1 < lowest ≤ highest ≤ 100",
            ));
        }
        if let Some([lo, hi]) = b.repay_below
            && !(b.debt == "USDC" && pos(lo) && hi >= lo && hi <= 2.0)
        {
            return Err(bad(
                "repay_below",
                "only with USDC debt: [lowest, highest] with 0 < lowest ≤ highest ≤ 2",
            ));
        }
        if t.books[..i].iter().any(|g| g.name == b.name) {
            return Err(bad("name", "each group name once"));
        }
    }
    Ok(())
}

fn validate_collateral_arbitrageurs(l: &Loaded, t: &SvbSpec) -> Result<(), SpiralError> {
    for (i, a) in t.collateral_arbitrageurs.iter().enumerate() {
        let bad =
            |key: &str, msg: &str| l.err_in("svb.collateral_arbitrageurs", i, key, msg.to_string());
        let markets = l.spec.compound.as_ref().map(|c| &c.markets);
        let listed = |name: &str| markets.is_some_and(|m| m.iter().any(|m| m.name == name));
        if !(listed("USDC") && listed(&a.borrows)) {
            return Err(bad(
                "borrows",
                "needs [compound] with a USDC market and a market of the borrowed token",
            ));
        }
        if !["USDT", "DAI"].contains(&a.borrows.as_str()) {
            return Err(bad("borrows", "\"USDT\" or \"DAI\""));
        }
        let amounts = [a.capital, a.min_clip, a.max_supply, a.max_debt];
        if !(amounts.iter().all(|&x| pos(x) && x <= 1e12) && a.every_blocks > 0) {
            return Err(bad(
                "capital",
                "capital, min_clip, max_supply, max_debt and every_blocks positive (amounts at \
                 most 1e12)",
            ));
        }
        if !(pos(a.below) && a.below <= 2.0) {
            return Err(bad("below", "must be in (0, 2]"));
        }
        if !(pos(a.use_fraction) && a.use_fraction <= 1.0) {
            return Err(bad("use_fraction", "must be in (0, 1]"));
        }
        if t.collateral_arbitrageurs[..i]
            .iter()
            .any(|o| o.name == a.name)
        {
            return Err(bad("name", "each name once"));
        }
    }
    Ok(())
}
