//! Scenario files of the spiral simulator (TOML) and their loading: embedded scenarios
//! (compiled in with their data) or a file on disk whose data paths are relative to it.
//!
//! A spiral scenario has `[scenario] protocol = "maker"` or `"compound-v2"`. Every number in
//! the shipped files carries a source comment or `assumption:`. Bad input gives a
//! [`SpiralError::BadInput`] located as `file:line: key`.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{SpiralError, line_at, line_of};

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralMeta")]
pub struct Meta {
    /// Scenario name (output directories are named after it).
    pub name: String,
    /// `"maker"` (Maker Liquidations 1.2, ETH-A), `"compound-v2"`, `"terra"` (the UST/LUNA
    /// mint-burn spiral with Anchor), `"steth"` (the stETH discount with Aave v2) or
    /// `"usdc-svb"` (the USDC depeg of March 2023 through 3pool, the PSM and Aave v2): what
    /// marks a spiral scenario.
    #[schemars(extend("enum" = ["maker", "compound-v2", "terra", "steth", "usdc-svb"]))]
    pub protocol: String,
    /// Description (first line is listed by `bankrun scenarios`).
    pub description: String,
    /// Master seed of the run's named random streams (`--seed` overrides it).
    pub seed: u64,
    /// Start of the window (RFC 3339, e.g. `2020-03-12T00:00:00Z`).
    pub start: String,
    /// Hours simulated after the end of the price path (flat at the last price), h.
    #[serde(default)]
    pub tail_hours: f64,
    /// Block interval, seconds.
    pub block_seconds: u64,
}

/// `[gas]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralGasSpec")]
pub struct GasSpec {
    /// `"legacy"` (first-price gas auctions over an observed gas-price series) or
    /// `"eip1559"` (base fee + tip).
    #[schemars(extend("enum" = ["legacy", "eip1559"]))]
    pub model: String,
    /// Legacy: CSV with `p30_gwei,p60_gwei,p90_gwei` (gwei), relative to the scenario file.
    #[serde(default)]
    pub series: Option<String>,
    /// Legacy: gas-price percentile a transaction must reach for inclusion (30–90).
    #[serde(default = "d30")]
    pub inclusion_percentile: f64,
    /// Legacy: log-normal sigma of the noise on the inclusion threshold (log units).
    #[serde(default)]
    pub noise_sigma: f64,
    /// EIP-1559: starting base fee (gwei).
    #[serde(default)]
    pub base_fee_gwei: f64,
    /// EIP-1559: background gas use at the starting base fee, share of the block gas limit
    /// (0–1; 0.5 = the EIP-1559 target).
    #[serde(default = "dhalf")]
    pub utilisation: f64,
    /// Block gas limit, gas units.
    pub block_gas_limit: u64,
    /// Share of the block gas limit available to simulated agents' transactions, (0, 1].
    pub agent_gas_share: f64,
    /// Blocks after which an unmined transaction is dropped.
    pub tx_ttl_blocks: u64,
    /// EIP-1559: price elasticity of background gas demand to the base fee (background use
    /// is `utilisation × (base_fee_start / base_fee)^elasticity` of the limit; 0 = fixed
    /// demand, under which agents' gas can only raise the base fee).
    #[serde(default = "done")]
    pub demand_elasticity: f64,
    /// Gas of one oracle update transaction (Compound: a reporter round; Maker: an OSM +
    /// Spotter poke), included ahead of agents' transactions; 0 = updates use no block space.
    #[serde(default)]
    pub oracle_update_gas: u64,
}

/// `x > y` and finite (false for NaN).
fn gt(x: f64, y: f64) -> bool {
    x.is_finite() && x > y
}

/// `x ≥ y` and finite.
fn ge(x: f64, y: f64) -> bool {
    x.is_finite() && x >= y
}

fn d30() -> f64 {
    30.0
}
fn dhalf() -> f64 {
    0.5
}

/// `[venues]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralVenueSpec")]
pub struct VenueSpec {
    /// ETH in the Uniswap v2-style ETH/stablecoin pool at the start, ETH (Maker and
    /// Compound v2; unused by Terra).
    #[serde(default)]
    pub pool_eth: f64,
    /// Which fitted CEX depth set: `"major"` venues or `"all"` venues.
    #[schemars(extend("enum" = ["major", "all"]))]
    pub cex_depth: String,
    /// Multiplier of the fitted CEX depth (1 = the October 2022 snapshot).
    #[serde(default = "done")]
    pub cex_depth_scale: f64,
    /// Half-life of the endogenous price impact of agents' sales, seconds.
    pub impact_half_life_s: f64,
    /// Arbitrageur latency, blocks.
    pub arb_latency_blocks: u64,
    /// Gas of one arbitrage trade, gas units.
    pub arb_gas: u64,
    /// Arbitrageur's gas-price multiple of the observed market price.
    pub arb_gas_multiplier: f64,
    /// Curve 3pool balance per coin (whole coins; 0 = no Curve pool).
    #[serde(default)]
    pub curve_balance_per_coin: f64,
    /// Curve amplification `A` (as stored on chain).
    #[serde(default)]
    pub curve_a: u64,
}

fn done() -> f64 {
    1.0
}

/// Most keepers and liquidators in one scenario (all groups): each keeps its own balances,
/// pending transactions and per-account state, so far more would abort on allocation.
pub const MAX_AGENTS: usize = 100_000;
/// Most vaults of a Maker `[book]` (the embedded book has far fewer).
pub const MAX_VAULTS: usize = 1_000_000;

/// Most DAI of debt in a Maker book: a trillion, some hundred times any real ilk; more
/// overflows the Vat's 45-decimal `rad` arithmetic when the vaults are opened.
pub const MAX_TOTAL_DEBT_DAI: f64 = 1e12;
/// Largest `max_pending` per agent.
pub const MAX_PENDING: usize = 10_000;
/// Longest `tail_hours` (ten years, as the Aave loader's window).
pub const MAX_TAIL_HOURS: f64 = 87_600.0;

/// A keeper / liquidator group.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralAgentSpec")]
pub struct AgentSpec {
    /// Group name.
    pub name: String,
    /// Number of agents in the group.
    pub count: usize,
    /// Stable capital per agent: DAI (Maker keepers) or USD of each asset (Compound
    /// liquidators).
    pub capital: f64,
    /// Gas budget per agent (ETH).
    pub gas_budget_eth: f64,
    /// Fixed gas price, gwei; if absent, `gas_multiplier` × the market price, capped at
    /// `gas_cap_gwei`.
    #[serde(default)]
    pub gas_fixed_gwei: Option<f64>,
    /// Multiple of the observed market gas price.
    #[serde(default = "done")]
    pub gas_multiplier: f64,
    /// Gas price cap, gwei.
    #[serde(default = "dcap")]
    pub gas_cap_gwei: f64,
    /// Discount wanted on the market price, fraction in [0, 1) (e.g. 0.05).
    #[serde(default)]
    pub margin: f64,
    /// Maker: bids 1 rad-wei on auctions nobody has bid on (the zero-bid strategy).
    #[serde(default)]
    pub zero_bid: bool,
    /// Blocks between two looks at the market (reaction time), ≥ 1.
    #[serde(default = "done_u")]
    pub poll_blocks: u64,
    /// Minimum expected profit (USD) to act (Compound liquidators).
    #[serde(default)]
    pub min_profit_usd: f64,
    /// Most transactions an agent keeps pending at once (Compound liquidators; default 16,
    /// go-ethereum's `txpool.accountslots`, the executable transactions per sender a node
    /// keeps).
    #[serde(default = "d16")]
    pub max_pending: usize,
}

fn d16() -> usize {
    16
}

fn dcap() -> f64 {
    1e6
}
fn done_u() -> u64 {
    1
}

/// A Maker governance action (spell) at a time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSpellSpec")]
pub struct SpellSpec {
    /// When it is cast (RFC 3339).
    pub at: String,
    /// Label (shown in the event log).
    pub label: String,
    /// New Flipper `ttl` (s).
    #[serde(default)]
    pub ttl_s: Option<u64>,
    /// New Flipper `tau` (s).
    #[serde(default)]
    pub tau_s: Option<u64>,
    /// New Cat `lump` (ETH).
    #[serde(default)]
    pub lump_eth: Option<f64>,
    /// New ilk `line` (DAI).
    #[serde(default)]
    pub line_dai: Option<f64>,
    /// New stability fee (annual rate, fraction): the Jug drips at the old rate, then files
    /// the new `duty` (`Jug.drip`, `Jug.file`).
    #[serde(default)]
    pub stability_fee: Option<f64>,
}

/// `[maker]`: ETH-A and its machinery.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralMakerSpec")]
pub struct MakerSpec {
    /// Liquidation ratio `mat` (collateral value / debt, e.g. 1.5), > 1.
    pub mat: f64,
    /// Liquidation penalty `chop` (factor on the debt, e.g. 1.13), ≥ 1.
    pub chop: f64,
    /// Cat `lump` (ETH).
    pub lump_eth: f64,
    /// Flipper `beg`: minimum bid increase (factor, e.g. 1.03), ≥ 1.
    pub beg: f64,
    /// Flipper `ttl` (s).
    pub ttl_s: u64,
    /// Flipper `tau` (s).
    pub tau_s: u64,
    /// Debt ceiling (DAI).
    pub line_dai: f64,
    /// Dust (DAI).
    pub dust_dai: f64,
    /// Stability fee (annual rate, fraction): the Jug's `duty`, dripped into the ilk's `rate`
    /// every OSM hop (`Jug.drip` → `Vat.fold`; the hourly drip is an assumption).
    pub stability_fee: f64,
    /// OSM hop: delay of the price the protocol uses, seconds.
    pub osm_hop_s: u64,
    /// Medianizer deviation threshold (relative move, fraction).
    pub median_deviation: f64,
    /// Medianizer heartbeat (s).
    pub median_heartbeat_s: u64,
    /// Gas of `bite`, gas units.
    pub gas_bite: u64,
    /// Gas of a bid (`tend` / `dent`), gas units.
    pub gas_bid: u64,
    /// Gas of `deal`, gas units.
    pub gas_deal: u64,
    /// Largest clip a keeper sells per block (ETH).
    pub sell_clip_eth: f64,
}

/// `[book]` (Maker): the synthetic vault book.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralMakerBookSpec")]
pub struct MakerBookSpec {
    /// Number of vaults.
    pub vaults: usize,
    /// Total ETH-A debt (DAI).
    pub total_debt_dai: f64,
    /// Log-normal sigma of vault debt sizes (log units).
    pub debt_sigma: f64,
    /// Collateral-ratio bands `[low, high, share]`: ratios (collateral value / debt) uniform
    /// within the band, and the band's share of vaults (shares sum to 1).
    pub cr_bands: Vec<[f64; 3]>,
}

/// A Compound market of the book.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralMarketSpec")]
pub struct MarketSpec {
    /// Underlying symbol as in the book (`ETH`, `USDC`, …).
    pub name: String,
    /// Decimals of the underlying token.
    pub decimals: u32,
    /// Collateral factor, fraction in [0, 0.9].
    pub collateral_factor: f64,
    /// Price column of the price file, or absent for a fixed price.
    #[serde(default)]
    pub price_column: Option<String>,
    /// Fixed price, USD (stablecoins, or assets without a series).
    #[serde(default)]
    pub fixed_usd: Option<f64>,
    /// Whether the oracle fixes the price (`FIXED_USD`) rather than reporting it.
    #[serde(default)]
    pub oracle_fixed: bool,
    /// Reserve factor, fraction.
    pub reserve_factor: f64,
    /// JumpRateModelV2 `[base, multiplier, jump, kink]`: rates per year (fractions) and the
    /// kink utilization (fraction).
    pub rate_model: [f64; 4],
    /// Depth of the market's external (CEX) venue relative to the fitted ETH depth (the
    /// square-root law's `k` is the ETH `k / √scale`); seized collateral of this market is
    /// sold there, moving its market price. Absent: no venue (seized units are kept).
    #[serde(default)]
    pub cex_depth_scale: Option<f64>,
}

/// `[compound]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralCompoundSpec")]
pub struct CompoundSpec {
    /// The book CSV (`account,market,supply,borrow`, whole tokens), relative to the scenario
    /// file.
    pub book: String,
    /// Hourly price CSV (`hour_utc`, then one USD column per `price_column`), relative to the
    /// scenario file.
    pub prices: String,
    /// Close factor: largest share of a borrow one liquidation repays, fraction in
    /// [0.05, 0.9].
    pub close_factor: f64,
    /// Liquidation incentive: collateral seized per unit repaid (factor, 1–1.5).
    pub liquidation_incentive: f64,
    /// Reporter deviation threshold (relative move, fraction).
    pub feed_deviation: f64,
    /// Reporter heartbeat, seconds.
    pub feed_heartbeat_s: u64,
    /// Gas of a liquidation, gas units.
    pub gas_liquidate: u64,
    /// The markets of the book (`[[compound.markets]]`).
    pub markets: Vec<MarketSpec>,
}

/// `[stress]`: a second run with volatile prices scaled down.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralStressSpec")]
pub struct StressSpec {
    /// Final relative drop of every non-fixed price, fraction in [0, 1) (e.g. 0.4).
    pub drop: f64,
    /// Start of the ramp (RFC 3339).
    pub start: String,
    /// Ramp length, h.
    pub ramp_hours: f64,
}

/// A whole spiral scenario file: a liquidation spiral on Maker (Liquidations 1.2, ETH-A) or
/// Compound v2, marked by `[scenario] protocol = "maker"` or `"compound-v2"`. Maker needs
/// `eth_prices`, `[maker]` and `[book]`; Compound v2 needs `[compound]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpiralSpec")]
pub struct SpiralSpec {
    /// `[scenario]`.
    pub scenario: Meta,
    /// ETH/USD path CSV (`timestamp,price_usd`) for Maker, relative to the scenario file.
    #[serde(default)]
    pub eth_prices: Option<String>,
    /// `[gas]`.
    pub gas: GasSpec,
    /// `[venues]`.
    pub venues: VenueSpec,
    /// `[[keepers]]` (Maker) or liquidators (Compound).
    #[serde(default)]
    pub keepers: Vec<AgentSpec>,
    /// `[maker]`.
    #[serde(default)]
    pub maker: Option<MakerSpec>,
    /// `[book]`.
    #[serde(default)]
    pub book: Option<MakerBookSpec>,
    /// `[[spells]]`.
    #[serde(default)]
    pub spells: Vec<SpellSpec>,
    /// `[compound]`.
    #[serde(default)]
    pub compound: Option<CompoundSpec>,
    /// `[stress]`.
    #[serde(default)]
    pub stress: Option<StressSpec>,
    /// `[terra]`.
    #[serde(default)]
    pub terra: Option<Box<crate::terra::spec::TerraSpec>>,
    /// `[steth]`.
    #[serde(default)]
    pub steth: Option<Box<crate::steth::spec::StethSpec>>,
    /// `[svb]`.
    #[serde(default)]
    pub svb: Option<Box<crate::svb::spec::SvbSpec>>,
}

/// The `[scenario] protocol` values of spiral scenarios.
pub const PROTOCOLS: [&str; 5] = ["maker", "compound-v2", "terra", "steth", "usdc-svb"];

/// The world-based spiral protocols, whose scenarios run in modes (`replay`, `spiral`).
pub const WORLD_PROTOCOLS: [&str; 3] = ["terra", "steth", "usdc-svb"];

/// JSON Schema (draft 2020-12) of a spiral scenario file, generated from [`SpiralSpec`]: every
/// key with its description, unknown keys rejected (`additionalProperties: false`). Its
/// definitions are named `Spiral*` so it can sit beside the Aave scenario schema.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(SpiralSpec);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}

/// A loaded scenario: the spec, its text and a way to read its data files.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The parsed spec.
    pub spec: SpiralSpec,
    /// The TOML text.
    pub text: String,
    /// Where it came from (file path or `embedded:<name>`).
    pub origin: String,
    dir: Option<PathBuf>,
}

const BT_TOML: &str = include_str!("../../../scenarios/black-thursday-2020-03.toml");
const CV2_TOML: &str = include_str!("../../../scenarios/compound-v2-book-2023.toml");
const TERRA_TOML: &str = include_str!("../../../scenarios/terra-anchor-2022-05.toml");
const STETH_TOML: &str = include_str!("../../../scenarios/steth-2022-06.toml");
const SVB_TOML: &str = include_str!("../../../scenarios/usdc-svb-2023-03.toml");
const EMBEDDED_DATA: &[(&str, &str)] = &[
    (
        "data/eth_usd_10min_2020-03-12.csv",
        include_str!("../../../scenarios/data/eth_usd_10min_2020-03-12.csv"),
    ),
    (
        "data/eth_gas_10min_2020-03-12.csv",
        include_str!("../../../scenarios/data/eth_gas_10min_2020-03-12.csv"),
    ),
    (
        "data/compound_prices_hourly_2023-02-24_2023-03-27.csv",
        include_str!("../../../scenarios/data/compound_prices_hourly_2023-02-24_2023-03-27.csv"),
    ),
    (
        "data/ust_luna_usd_1h_2022-05.csv",
        include_str!("../../../scenarios/data/ust_luna_usd_1h_2022-05.csv"),
    ),
    (
        "data/steth_eth_1h_2022-06.csv",
        include_str!("../../../scenarios/data/steth_eth_1h_2022-06.csv"),
    ),
    (
        "data/usdc_usdt_univ3_1h_2023-03.csv",
        include_str!("../../../scenarios/data/usdc_usdt_univ3_1h_2023-03.csv"),
    ),
    (
        "../data/lending/compound_v2_book_2023-05.csv",
        include_str!("../../../data/lending/compound_v2_book_2023-05.csv"),
    ),
];

/// The embedded spiral scenarios: `(name, toml)`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("black-thursday-2020-03", BT_TOML),
    ("compound-v2-book-2023", CV2_TOML),
    ("terra-anchor-2022-05", TERRA_TOML),
    ("steth-2022-06", STETH_TOML),
    ("usdc-svb-2023-03", SVB_TOML),
];

/// The TOML text of embedded spiral scenario `name` and the data files it refers to, as
/// `(relative path written in the TOML, content)`: what `bankrun scenarios --export` writes.
pub fn embedded_files(name: &str) -> Option<(&'static str, Vec<(&'static str, &'static str)>)> {
    let (_, toml) = EMBEDDED.iter().find(|(n, _)| *n == name)?;
    let files = EMBEDDED_DATA
        .iter()
        .filter(|(rel, _)| toml.contains(&format!("\"{rel}\"")))
        .copied()
        .collect();
    Some((toml, files))
}

/// Names of the embedded spiral scenarios.
pub fn embedded_names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _)| *n).collect()
}

/// Whether `spec` (a name or a path) is a spiral scenario: an embedded name, or a TOML file
/// whose `[scenario]` has one of the [`PROTOCOLS`].
pub fn is_spiral(spec: &str) -> bool {
    if EMBEDDED.iter().any(|(n, _)| *n == spec) {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(spec) else {
        return false;
    };
    let protocol = match text.parse::<toml::Table>() {
        Ok(v) => v
            .get("scenario")
            .and_then(|s| s.get("protocol"))
            .and_then(|p| p.as_str())
            .map(str::to_string),
        // Not valid TOML: recognised by its `protocol = …` line, so that this loader, not the
        // Aave one, reports where the TOML is broken.
        Err(_) => bankrun_scenario::scenario_value_by_line(&text, "protocol"),
    };
    protocol.is_some_and(|p| PROTOCOLS.contains(&p.as_str()))
}

/// Loads an embedded scenario by name or a TOML file by path.
///
/// # Errors
/// [`SpiralError::BadInput`] (located) for unreadable, malformed or invalid input;
/// [`SpiralError::NotSpiral`] for an unknown name.
pub fn load(spec: &str) -> Result<Loaded, SpiralError> {
    if let Some((name, text)) = EMBEDDED.iter().find(|(n, _)| *n == spec) {
        return parse(text, &format!("embedded:{name}"), None);
    }
    let path = Path::new(spec);
    if !path.exists() {
        return Err(SpiralError::NotSpiral(spec.to_string()));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpiralError::bad(spec, 0, "file", e.to_string()))?;
    parse(
        &text,
        spec,
        Some(path.parent().unwrap_or(Path::new(".")).to_path_buf()),
    )
}

/// Parses and validates scenario `text` from `origin` (data relative to `dir`, or
/// embedded when `None`).
///
/// # Errors
/// [`SpiralError::BadInput`], located.
pub fn parse(text: &str, origin: &str, dir: Option<PathBuf>) -> Result<Loaded, SpiralError> {
    let spec: SpiralSpec = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_at(text, s.start));
        // Name the key assigned on that line (serde's message names only the type).
        let key = line
            .checked_sub(1)
            .and_then(|i| text.lines().nth(i))
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.starts_with('['))
            .unwrap_or("toml");
        SpiralError::bad(origin, line, key, e.message().trim().to_string())
    })?;
    let l = Loaded {
        spec,
        text: text.to_string(),
        origin: origin.to_string(),
        dir,
    };
    l.validate()?;
    Ok(l)
}

impl Loaded {
    /// A located error at `key`.
    pub fn err(&self, key: &str, msg: impl Into<String>) -> SpiralError {
        SpiralError::bad(&self.origin, line_of(&self.text, key), key, msg)
    }

    /// A located error at `key` of the `n`-th (0-based) `[table]` / `[[table]]` (dotted name):
    /// keys such as `at`, `start` or `name` occur in several tables, so the first line that
    /// assigns the key would point elsewhere.
    pub fn err_in(&self, table: &str, n: usize, key: &str, msg: impl Into<String>) -> SpiralError {
        let headers = [format!("[{table}]"), format!("[[{table}]]")];
        let mut seen = 0;
        let mut inside = false;
        let mut line = 0;
        for (i, l) in self.text.lines().enumerate() {
            let t = l.split('#').next().unwrap_or("").trim();
            if t.starts_with('[') {
                if inside {
                    break;
                }
                if headers.iter().any(|h| h == t) {
                    inside = seen == n;
                    seen += 1;
                }
            } else if inside && t.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
                line = i + 1;
                break;
            }
        }
        let line = if line == 0 {
            line_of(&self.text, key)
        } else {
            line
        };
        SpiralError::bad(&self.origin, line, &format!("{table}[{n}].{key}"), msg)
    }

    /// Reads data file `rel` (relative to the scenario). Returns `(origin, text)`.
    ///
    /// # Errors
    /// [`SpiralError::BadInput`] at `key` if it cannot be read.
    pub fn read_data(&self, key: &str, rel: &str) -> Result<(String, String), SpiralError> {
        match &self.dir {
            None => EMBEDDED_DATA
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(p, t)| (format!("embedded:{p}"), t.to_string()))
                .ok_or_else(|| self.err(key, format!("no embedded data file {rel:?}"))),
            Some(d) => {
                let p = d.join(rel);
                std::fs::read_to_string(&p)
                    .map(|t| (p.display().to_string(), t))
                    .map_err(|e| self.err(key, format!("{}: {e}", p.display())))
            }
        }
    }

    fn validate(&self) -> Result<(), SpiralError> {
        let s = &self.spec;
        let m = &s.scenario;
        if !PROTOCOLS.contains(&m.protocol.as_str()) {
            return Err(self.err("protocol", format!("must be one of {PROTOCOLS:?}")));
        }
        if bankrun_chain::time::parse_time(&m.start).is_err() {
            return Err(self.err("start", "not an RFC 3339 time"));
        }
        if m.block_seconds == 0 {
            return Err(self.err("block_seconds", "must be positive"));
        }
        if !(m.tail_hours.is_finite() && m.tail_hours >= 0.0) {
            return Err(self.err("tail_hours", "must be ≥ 0"));
        }
        if m.tail_hours > MAX_TAIL_HOURS {
            return Err(self.err("tail_hours", format!("must be ≤ {MAX_TAIL_HOURS}")));
        }
        let agents = s
            .keepers
            .iter()
            .fold(0usize, |n, k| n.saturating_add(k.count));
        if agents > MAX_AGENTS {
            return Err(self.err(
                "count",
                format!("at most {MAX_AGENTS} keepers / liquidators in all, found {agents}"),
            ));
        }
        let g = &s.gas;
        if g.model != "legacy" && g.model != "eip1559" {
            return Err(self.err("model", "must be \"legacy\" or \"eip1559\""));
        }
        if g.model == "legacy" && g.series.is_none() {
            return Err(self.err("model", "legacy gas needs `series`"));
        }
        if !(0.0..=1.0).contains(&g.agent_gas_share) || g.agent_gas_share == 0.0 {
            return Err(self.err("agent_gas_share", "must be in (0, 1]"));
        }
        if !ge(g.demand_elasticity, 0.0) {
            return Err(self.err("demand_elasticity", "must be ≥ 0"));
        }
        if !(30.0..=90.0).contains(&g.inclusion_percentile) {
            return Err(self.err("inclusion_percentile", "must be in [30, 90]"));
        }
        let v = &s.venues;
        if !WORLD_PROTOCOLS.contains(&m.protocol.as_str()) && !gt(v.pool_eth, 0.0) {
            return Err(self.err("pool_eth", "must be positive"));
        }
        if v.cex_depth != "major" && v.cex_depth != "all" {
            return Err(self.err("cex_depth", "must be \"major\" or \"all\""));
        }
        if !gt(v.cex_depth_scale, 0.0) {
            return Err(self.err("cex_depth_scale", "must be positive"));
        }
        for k in &s.keepers {
            if !(k.capital >= 0.0 && k.gas_budget_eth >= 0.0 && (0.0..1.0).contains(&k.margin)) {
                return Err(self.err(
                    "capital",
                    format!(
                        "keeper group {:?}: capital and gas budget must be ≥ 0, margin in [0, 1)",
                        k.name
                    ),
                ));
            }
            if k.poll_blocks == 0 {
                return Err(self.err("poll_blocks", "must be ≥ 1"));
            }
            if k.max_pending == 0 || k.max_pending > MAX_PENDING {
                return Err(self.err("max_pending", format!("must be in [1, {MAX_PENDING}]")));
            }
        }
        if m.protocol == "terra" {
            let t = s
                .terra
                .as_deref()
                .ok_or_else(|| self.err("protocol", "terra scenario needs [terra]"))?;
            crate::terra::spec::validate(self, t)?;
        } else if m.protocol == "steth" {
            let t = s
                .steth
                .as_deref()
                .ok_or_else(|| self.err("protocol", "steth scenario needs [steth]"))?;
            crate::steth::spec::validate(self, t)?;
        } else if m.protocol == "usdc-svb" {
            let t = s
                .svb
                .as_deref()
                .ok_or_else(|| self.err("protocol", "usdc-svb scenario needs [svb]"))?;
            crate::svb::spec::validate(self, t)?;
            if let Some(c) = &s.compound {
                self.validate_compound(c)?;
            }
        } else if m.protocol == "maker" {
            let mk = s
                .maker
                .as_ref()
                .ok_or_else(|| self.err("protocol", "maker scenario needs [maker]"))?;
            if s.book.is_none() {
                return Err(self.err("protocol", "maker scenario needs [book]"));
            }
            if s.eth_prices.is_none() {
                return Err(self.err("protocol", "maker scenario needs eth_prices"));
            }
            if !gt(mk.mat, 1.0) {
                return Err(self.err("mat", "must be > 1"));
            }
            if !ge(mk.chop, 1.0) {
                return Err(self.err("chop", "must be ≥ 1"));
            }
            if !ge(mk.beg, 1.0) {
                return Err(self.err("beg", "must be ≥ 1"));
            }
            if !gt(mk.lump_eth, 0.0) {
                return Err(self.err("lump_eth", "must be positive"));
            }
            let b = s.book.as_ref().expect("checked");
            let share: f64 = b.cr_bands.iter().map(|x| x[2]).sum();
            if (share - 1.0).abs() > 1e-6 || b.cr_bands.iter().any(|x| x[0] > x[1] || x[2] < 0.0) {
                return Err(self.err("cr_bands", "bands need low ≤ high and shares summing to 1"));
            }
            if !b.total_debt_dai.is_finite() || b.total_debt_dai > MAX_TOTAL_DEBT_DAI {
                return Err(self.err(
                    "total_debt_dai",
                    format!(
                        "at most {MAX_TOTAL_DEBT_DAI:e} DAI, found {}",
                        b.total_debt_dai
                    ),
                ));
            }
            if b.vaults == 0 || !gt(b.total_debt_dai, 0.0) {
                return Err(self.err("vaults", "need vaults > 0 and total_debt_dai > 0"));
            }
            if b.vaults > MAX_VAULTS {
                return Err(self.err(
                    "vaults",
                    format!("at most {MAX_VAULTS} vaults, found {}", b.vaults),
                ));
            }
            for sp in &s.spells {
                if bankrun_chain::time::parse_time(&sp.at).is_err() {
                    return Err(self.err("at", "not an RFC 3339 time"));
                }
            }
        } else {
            let c = s
                .compound
                .as_ref()
                .ok_or_else(|| self.err("protocol", "compound-v2 scenario needs [compound]"))?;
            self.validate_compound(c)?;
            if let Some(st) = &s.stress {
                if !(0.0..1.0).contains(&st.drop) {
                    return Err(self.err("drop", "must be in [0, 1)"));
                }
                if bankrun_chain::time::parse_time(&st.start).is_err() {
                    return Err(self.err("start", "stress start is not an RFC 3339 time"));
                }
            }
        }
        Ok(())
    }

    /// The `[compound]` table's ranges (Compound v2 book scenarios, and the Compound v2 lender
    /// of `usdc-svb`).
    ///
    /// # Errors
    /// [`SpiralError::BadInput`] naming the key.
    pub(crate) fn validate_compound(&self, c: &CompoundSpec) -> Result<(), SpiralError> {
        if !(0.05..=0.9).contains(&c.close_factor) {
            return Err(self.err("close_factor", "must be in [0.05, 0.9]"));
        }
        if !(1.0..=1.5).contains(&c.liquidation_incentive) {
            return Err(self.err("liquidation_incentive", "must be in [1, 1.5]"));
        }
        for (i, mk) in c.markets.iter().enumerate() {
            if c.markets[..i].iter().any(|o| o.name == mk.name) {
                return Err(self.err_in(
                    "compound.markets",
                    i,
                    "name",
                    format!("a market name not used before, found {:?} again", mk.name),
                ));
            }
            if !(0.0..=0.9).contains(&mk.collateral_factor) {
                return Err(self.err(
                    "collateral_factor",
                    format!("market {}: must be in [0, 0.9]", mk.name),
                ));
            }
            if mk.cex_depth_scale.is_some_and(|x| !gt(x, 0.0)) {
                return Err(self.err(
                    "cex_depth_scale",
                    format!("market {}: must be positive", mk.name),
                ));
            }
            if mk.price_column.is_none() && mk.fixed_usd.is_none() {
                return Err(self.err(
                    "name",
                    format!("market {}: needs price_column or fixed_usd", mk.name),
                ));
            }
        }
        Ok(())
    }
}
