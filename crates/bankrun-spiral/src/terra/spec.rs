//! `[terra]`: the Terra UST/LUNA scenario's table (scenario `terra-anchor-2022-05`): the
//! market module's parameters, the supplies, the venues' sizes, Anchor's state, the holder
//! cohorts, the arbitrageur and the scripted events. Every number in the shipped file carries
//! its source or `assumption:`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::SpiralError;
use crate::spec::Loaded;

/// `[terra]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralTerraSpec")]
pub struct TerraSpec {
    /// Hourly USD prices, CSV `hour_utc,UST,LUNA`, relative to the scenario file: the replay
    /// path, and the starting prices of both modes.
    pub prices: String,
    /// End of the window (RFC 3339).
    pub end: String,
    /// Modes run, one variant each: `"replay"` (the books' mids follow the price file, with
    /// the agents' decaying impact) and `"spiral"` (the books start at the file's first prices
    /// and move only with the agents' trades: permanent impact).
    pub modes: Vec<String>,
    /// USD per SDR (the market module's base unit), USD.
    pub sdr_usd: f64,
    /// Market module `BasePool`, SDR.
    pub base_pool_sdr: f64,
    /// Market module `PoolRecoveryPeriod`, blocks.
    pub pool_recovery_period: u64,
    /// Market module `MinStabilitySpread`, fraction.
    pub min_stability_spread: f64,
    /// UST supply at the start, UST.
    pub ust_supply: f64,
    /// LUNA supply at the start, LUNA.
    pub luna_supply: f64,
    /// Depth of the UST CEX book, multiple of the fitted ETH book's.
    pub ust_cex_depth_scale: f64,
    /// Depth of the LUNA CEX book, multiple of the fitted ETH book's.
    pub luna_cex_depth_scale: f64,
    /// UST, and dollars (3CRV), in the UST/3CRV pool at the start, each.
    pub curve_ust: f64,
    /// Amplification `A` of the UST/3CRV pool.
    pub curve_a: u64,
    /// `[terra.anchor]`.
    pub anchor: AnchorSpec,
    /// `[terra.risk]`.
    pub risk: RiskSpec,
    /// `[terra.arbitrageur]`.
    pub arbitrageur: ArbitrageurSpec,
    /// `[[terra.cohorts]]`.
    pub cohorts: Vec<CohortSpec>,
    /// `[[terra.events]]`.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

/// `[terra.anchor]`: Anchor's money market at the start.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralAnchorSpec")]
pub struct AnchorSpec {
    /// Deposits (aUST × exchange rate), UST.
    pub deposits: f64,
    /// Borrows (total liabilities), UST.
    pub borrows: f64,
    /// aUST exchange rate, UST per aUST.
    pub exchange_rate: f64,
    /// Yield reserve (the overseer's interest buffer), UST.
    pub yield_reserve: f64,
    /// Target (and threshold) deposit rate, a year (fraction).
    pub deposit_rate: f64,
    /// Blocks between overseer epoch operations.
    pub epoch_blocks: u64,
    /// Premium of the liquidation queue's bids on bLUNA (fraction).
    pub bid_premium: f64,
}

/// `[terra.risk]`: weights of the holders' perceived risk (bankrun_world::agents::peg_holders).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralRiskSpec")]
pub struct RiskSpec {
    /// `κ`, added below $0.99.
    pub kink: f64,
    /// `β_O`, per unit of the 24 h fall of Anchor's deposits.
    pub outflow: f64,
    /// `β_B`, per unit of `(1/B − 1)₊`, `B` = LUNA market cap / UST supply.
    pub coverage: f64,
    /// The alert: UST below this price raises attention, USD.
    pub alert_price: f64,
}

/// `[terra.arbitrageur]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralPegArbSpec")]
pub struct ArbitrageurSpec {
    /// Dollars at its disposal (and the largest trade), USD.
    pub capital_usd: f64,
    /// Least profit worth a trade, USD.
    pub min_profit_usd: f64,
}

/// `[[terra.cohorts]]`: a cohort of UST holders.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralCohortSpec")]
pub struct CohortSpec {
    /// Name (`anchor-large`, …).
    pub name: String,
    /// `"anchor"` (aUST) or `"wallet"` (UST).
    #[schemars(extend("enum" = ["anchor", "wallet"]))]
    pub holds: String,
    /// UST held by the cohort, UST.
    pub stake: f64,
    /// Accounts.
    pub accounts: u32,
    /// Log-normal sigma of the stakes across accounts.
    pub stake_sigma: f64,
    /// Median first threshold `τ`, depeg-equivalent units.
    pub threshold_median: f64,
    /// Log-normal sigma of the thresholds.
    pub threshold_sigma: f64,
    /// Attention, wake-ups per hour.
    pub attention_per_hour: f64,
    /// Attention multiplier once the alert is on.
    pub news_multiplier: f64,
    /// Share of the holding exited per decision, (0, 1].
    pub exit_fraction: f64,
    /// Share of redeemed UST sold at once, [0, 1].
    pub sell_share: f64,
    /// Share of accounts that are contrarians (add to Anchor instead), [0, 1].
    #[serde(default)]
    pub contrarian_share: f64,
}

/// `[[terra.events]]`: a scripted event.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralTerraEventSpec")]
pub struct EventSpec {
    /// Time (RFC 3339).
    pub at: String,
    /// Label.
    pub label: String,
    /// `"sell-ust"` (UST sold for dollars), `"buy-ust"` (dollars spent on UST), `"remove-ust"`
    /// (UST liquidity taken out of the Curve pool, single-sided), `"base-pool"` (SDR),
    /// `"recovery-period"` (blocks), `"min-spread"` (fraction; 1 disables swaps).
    #[schemars(extend("enum" = ["sell-ust", "buy-ust", "remove-ust", "base-pool", "recovery-period", "min-spread"]))]
    pub kind: String,
    /// `"curve"` or `"cex"` for trades.
    #[serde(default)]
    pub venue: Option<String>,
    /// Amount: UST sold, dollars spent (Curve) or UST bought (CEX), UST taken out, SDR,
    /// blocks or a fraction.
    pub amount: f64,
    /// Execute only if UST's lowest price on the venues is below this (USD): a peg defence.
    #[serde(default)]
    pub only_below: Option<f64>,
}

/// `x > 0` and finite.
fn pos(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// `x` in `[lo, hi]` (false for NaN).
fn within(x: f64, lo: f64, hi: f64) -> bool {
    x >= lo && x <= hi
}

/// Most accounts in all cohorts.
pub const MAX_ACCOUNTS: u32 = 1_000_000;

/// Validates `[terra]`, naming the key.
///
/// # Errors
/// [`SpiralError::BadInput`], located.
pub fn validate(l: &Loaded, t: &TerraSpec) -> Result<(), SpiralError> {
    let time = |key: &str, s: &str| {
        bankrun_chain::time::parse_time(s)
            .map(|_| ())
            .map_err(|_| l.err(key, "not an RFC 3339 time"))
    };
    time("end", &t.end)?;
    if t.modes.is_empty() || t.modes.iter().any(|m| m != "replay" && m != "spiral") {
        return Err(l.err("modes", "a non-empty list of \"replay\" and \"spiral\""));
    }
    if t.modes
        .iter()
        .enumerate()
        .any(|(i, m)| t.modes[..i].contains(m))
    {
        return Err(l.err("modes", "each mode once"));
    }
    for (key, x) in [
        ("sdr_usd", t.sdr_usd),
        ("base_pool_sdr", t.base_pool_sdr),
        ("ust_supply", t.ust_supply),
        ("luna_supply", t.luna_supply),
        ("ust_cex_depth_scale", t.ust_cex_depth_scale),
        ("luna_cex_depth_scale", t.luna_cex_depth_scale),
        ("curve_ust", t.curve_ust),
        ("deposits", t.anchor.deposits),
        ("exchange_rate", t.anchor.exchange_rate),
        ("capital_usd", t.arbitrageur.capital_usd),
        ("alert_price", t.risk.alert_price),
    ] {
        if !pos(x) {
            return Err(l.err(key, "must be positive"));
        }
    }
    if t.ust_supply > 1e12 || t.luna_supply > 1e15 || t.base_pool_sdr > 1e12 {
        return Err(l.err(
            "ust_supply",
            "supplies at most 1e12 UST / 1e15 LUNA, base pool 1e12 SDR",
        ));
    }
    if !within(t.min_stability_spread, 0.0, 1.0) {
        return Err(l.err("min_stability_spread", "must be in [0, 1]"));
    }
    if t.pool_recovery_period == 0 {
        return Err(l.err("pool_recovery_period", "must be ≥ 1 block"));
    }
    if !(1..=1_000_000).contains(&t.curve_a) {
        return Err(l.err("curve_a", "must be in [1, 1000000]"));
    }
    let a = &t.anchor;
    if !within(a.borrows, 0.0, a.deposits) || !within(a.yield_reserve, 0.0, 1e12) {
        return Err(l.err(
            "borrows",
            "borrows in [0, deposits], yield reserve in [0, 1e12]",
        ));
    }
    if !within(a.deposit_rate, 0.0, 1.0) {
        return Err(l.err("deposit_rate", "a rate a year in [0, 1]"));
    }
    if !within(a.bid_premium, 0.0, 0.3) {
        return Err(l.err("bid_premium", "in [0, 0.3] (the queue's premium slots)"));
    }
    if a.epoch_blocks == 0 {
        return Err(l.err("epoch_blocks", "must be ≥ 1"));
    }
    let r = &t.risk;
    if ![r.kink, r.outflow, r.coverage]
        .iter()
        .all(|x| within(*x, 0.0, 1e3))
    {
        return Err(l.err("kink", "risk weights in [0, 1000]"));
    }
    if !within(t.arbitrageur.min_profit_usd, 0.0, 1e12) || t.arbitrageur.capital_usd > 1e12 {
        return Err(l.err("min_profit_usd", "in [0, 1e12]; capital at most 1e12"));
    }
    let mut accounts = 0u64;
    for (i, c) in t.cohorts.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("terra.cohorts", i, key, msg.to_string());
        if c.holds != "anchor" && c.holds != "wallet" {
            return Err(bad("holds", "\"anchor\" or \"wallet\""));
        }
        if c.accounts == 0 || !pos(c.stake) || c.stake > 1e12 {
            return Err(bad("stake", "accounts ≥ 1 and a stake in (0, 1e12]"));
        }
        accounts += u64::from(c.accounts);
        for (key, x) in [
            ("stake_sigma", c.stake_sigma),
            ("threshold_sigma", c.threshold_sigma),
        ] {
            if !within(x, 0.0, 5.0) {
                return Err(bad(key, "in [0, 5]"));
            }
        }
        if !pos(c.threshold_median) || !within(c.attention_per_hour, 0.0, 3600.0) {
            return Err(bad(
                "threshold_median",
                "threshold > 0, attention in [0, 3600] an hour",
            ));
        }
        if !within(c.news_multiplier, 1.0, 1e3) {
            return Err(bad("news_multiplier", "in [1, 1000]"));
        }
        if !(c.exit_fraction > 0.0 && c.exit_fraction <= 1.0) {
            return Err(bad("exit_fraction", "in (0, 1]"));
        }
        if !within(c.sell_share, 0.0, 1.0) || !within(c.contrarian_share, 0.0, 1.0) {
            return Err(bad("sell_share", "shares in [0, 1]"));
        }
    }
    if accounts > u64::from(MAX_ACCOUNTS) {
        return Err(l.err(
            "accounts",
            format!("at most {MAX_ACCOUNTS} accounts in all"),
        ));
    }
    let anchor: f64 = t
        .cohorts
        .iter()
        .filter(|c| c.holds == "anchor")
        .map(|c| c.stake)
        .sum();
    if anchor > a.deposits * (1.0 + 1e-9) {
        return Err(l.err(
            "deposits",
            "the anchor cohorts' stakes exceed Anchor's deposits",
        ));
    }
    for (i, e) in t.events.iter().enumerate() {
        let bad = |key: &str, msg: &str| l.err_in("terra.events", i, key, msg.to_string());
        if bankrun_chain::time::parse_time(&e.at).is_err() {
            return Err(bad("at", "not an RFC 3339 time"));
        }
        let trade = e.kind == "sell-ust" || e.kind == "buy-ust";
        let params = ["base-pool", "recovery-period", "min-spread"];
        if !trade && e.kind != "remove-ust" && !params.contains(&e.kind.as_str()) {
            return Err(bad(
                "kind",
                "one of sell-ust, buy-ust, remove-ust, base-pool, recovery-period, min-spread",
            ));
        }
        if trade && !matches!(e.venue.as_deref(), Some("curve") | Some("cex")) {
            return Err(bad("venue", "\"curve\" or \"cex\" for a trade"));
        }
        if e.kind == "remove-ust" && e.venue.as_deref() != Some("curve") {
            return Err(bad("venue", "\"curve\" for remove-ust"));
        }
        let ok = match e.kind.as_str() {
            "min-spread" => within(e.amount, 0.0, 1.0),
            "recovery-period" => e.amount >= 1.0 && e.amount <= 1e9 && e.amount.fract() == 0.0,
            _ => pos(e.amount) && e.amount <= 1e12,
        };
        if e.only_below.is_some_and(|p| !pos(p)) {
            return Err(bad("only_below", "a positive price"));
        }
        if !ok {
            return Err(bad(
                "amount",
                "a positive amount (≤ 1e12; min-spread in [0, 1]; recovery-period whole blocks)",
            ));
        }
    }
    Ok(())
}
