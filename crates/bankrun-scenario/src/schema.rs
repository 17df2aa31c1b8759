//! The scenario file format (TOML). Every table rejects unknown keys.
//!
//! Units: token amounts are whole tokens (decimal numbers, converted exactly to the token's
//! integer units by the engine); rates and ratios are basis points (`_bps`, 1 % = 100 bps) as
//! the Aave contracts store them; prices are USD; times are RFC 3339 UTC strings; durations
//! are in the unit their key names (`_s`, `_hours`, `_blocks`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, start, length and seed.
    pub scenario: Meta,
    /// Block production and gas.
    pub chain: Chain,
    /// Price feeds (Chainlink-style push feeds and CAPO exchange-rate adapters).
    pub oracles: Oracles,
    /// The lending market: reserves and e-mode categories.
    pub market: Market,
    /// Weights of the depositors' perceived-risk score (shared by all classes).
    pub behaviour: Behaviour,
    /// Depositor classes (the run).
    #[serde(default)]
    pub depositors: Vec<DepositorClass>,
    /// Borrower books: generated borrowing positions.
    #[serde(default)]
    pub borrowers: Vec<BorrowerBook>,
    /// Liquidators.
    #[serde(default)]
    pub liquidators: Vec<LiquidatorSpec>,
    /// Compound III markets run beside the Aave pool in the same world (same tokens, feeds,
    /// blocks and gas): `[[comets]]`.
    #[serde(default)]
    pub comets: Vec<CometMarket>,
    /// Scripted events: attacker, guardian, governance, rescue, oracle, news.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Stochastic inputs of a Monte Carlo sweep (`bankrun sweep`): random price processes for
    /// feeds and scenario parameters drawn per path. Optional; `bankrun simulate` ignores it
    /// (it runs the feeds' price paths as written).
    #[serde(default)]
    pub stochastic: Option<Stochastic>,
    /// Calibration material (`bankrun calibrate`): observed outcomes to fit and the behaviour
    /// parameters fitted to them. Optional; `bankrun simulate` and `bankrun sweep` ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
}

/// `[calibration]`: a simulated-method-of-moments fit (reference/behaviour.md §9 steps 3–4).
/// `bankrun calibrate` finds the parameter values whose simulated moments (means over seeds,
/// common random numbers) come closest to the targets in `Σ ((m − value) / sd)²`, and gives
/// their standard errors (docs/calibration.md).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// Observed outcomes.
    pub targets: Vec<CalibrationTarget>,
    /// Parameters fitted.
    pub parameters: Vec<CalibrationParameter>,
}

/// One observed outcome.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalibrationTarget {
    /// A sweep metric column (`bankrun sweep`'s path columns, e.g. `WETH_peak_utilization`),
    /// or `<R>_hours_ge_<P>pct`: hours with reserve R's end-of-block utilization ≥ P %.
    pub metric: String,
    /// Observed value, in the metric's unit.
    pub value: f64,
    /// Uncertainty of the observation (one standard deviation, same unit): weights the
    /// target and enters the standard errors.
    pub sd: f64,
    /// Where the value comes from.
    pub source: String,
}

/// One fitted parameter: a value set at every key of `keys` (scenario keys as `--vary` takes
/// them), searched within [`lo`, `hi`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalibrationParameter {
    /// Name in the output.
    pub name: String,
    /// Scenario keys set to the value, e.g. `borrowers.0.repay_speed`.
    pub keys: Vec<String>,
    /// Lower bound of the search.
    pub lo: f64,
    /// Upper bound of the search.
    pub hi: f64,
    /// Search on a log scale (bounds > 0).
    #[serde(default)]
    pub log: bool,
}

/// `[stochastic]`: what `bankrun sweep` randomises per path. Each path realises the price
/// processes into the feeds' market price paths and draws the parameters from their named,
/// seeded random streams, so a path depends only on (scenario, master seed, path index).
///
/// Units: drifts and volatilities are annualised (a year is 365 days) and refer to the natural
/// log of the price; jump sizes are log-price jumps; times are in the unit their key names.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stochastic {
    /// Time step of the realised price paths, seconds (default 300 = 25 blocks of 12 s). The
    /// engine interpolates linearly between the points.
    #[serde(default = "default_step_s")]
    pub step_s: u64,
    /// Price processes, at most one per feed (`[[stochastic.prices]]`).
    #[serde(default)]
    pub prices: Vec<PriceProcess>,
    /// Correlation of the processes' Brownian shocks (`[stochastic.correlation]`); absent =
    /// independent.
    #[serde(default)]
    pub correlation: Option<Correlation>,
    /// Scenario parameters drawn per path (`[[stochastic.parameters]]`).
    #[serde(default)]
    pub parameters: Vec<ParameterDraw>,
}

fn default_step_s() -> u64 {
    300
}

/// The family of a price process.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PriceModel {
    /// Geometric Brownian motion: `d ln S = (mu − sigma²/2) dt + sigma dW`. Keys: `mu`, `sigma`.
    Gbm,
    /// Merton (1976) jump-diffusion: GBM plus Poisson jumps of `ln S` ~ N(`jump_mean`,
    /// `jump_sd`²) at rate `jump_intensity`; the drift is compensated so that `mu` stays the
    /// expected rate of return: `d ln S = (mu − sigma²/2 − λκ) dt + sigma dW + dJ`,
    /// `κ = exp(jump_mean + jump_sd²/2) − 1`. Keys: `mu`, `sigma`, `jump_intensity`,
    /// `jump_mean`, `jump_sd`.
    Merton,
    /// Ornstein–Uhlenbeck on the log price, for pegged assets:
    /// `d ln S = theta (ln mean_usd − ln S) dt + sigma dW`, simulated exactly. Keys: `theta`,
    /// `sigma`, optional `mean_usd` (default: the feed's price at the start).
    Ou,
    /// Markov regime switching GBM: each regime has its own `mu`, `sigma`; the process leaves
    /// regime i at rate 1 / `mean_duration_hours` to the next regime in list order (cyclically),
    /// starting in the first. Key: `regimes`.
    Regime,
}

/// A random price process replacing one feed's market price path in sweeps.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PriceProcess {
    /// Feed name (a feed in `[[oracles.feeds]]`); the path starts at that feed's price at the
    /// scenario start.
    pub feed: String,
    /// Process family.
    pub model: PriceModel,
    /// Drift, per year (`gbm`, `merton`).
    #[serde(default)]
    pub mu: Option<f64>,
    /// Volatility of the log price, per √year (`gbm`, `merton`, `ou`).
    #[serde(default)]
    pub sigma: Option<f64>,
    /// Jump rate, jumps per year (`merton`).
    #[serde(default)]
    pub jump_intensity: Option<f64>,
    /// Mean log jump size (`merton`; −0.1 ≈ a 10 % drop).
    #[serde(default)]
    pub jump_mean: Option<f64>,
    /// Standard deviation of the log jump size (`merton`).
    #[serde(default)]
    pub jump_sd: Option<f64>,
    /// Mean-reversion speed, per year (`ou`; half-life = ln 2 / theta years).
    #[serde(default)]
    pub theta: Option<f64>,
    /// Long-run price level, USD (`ou`; default: the price at the start).
    #[serde(default)]
    pub mean_usd: Option<f64>,
    /// Regimes (`regime`; at least 2).
    #[serde(default)]
    pub regimes: Vec<Regime>,
}

/// One regime of a regime-switching process.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// Drift in the regime, per year.
    pub mu: f64,
    /// Volatility of the log price in the regime, per √year.
    pub sigma: f64,
    /// Mean time spent in the regime before switching, hours.
    pub mean_duration_hours: f64,
}

/// Correlation of the Brownian shocks of several price processes (applied through the Cholesky
/// factor of `matrix`; jumps and regime switches stay independent).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// Feeds (each with a `[[stochastic.prices]]` entry), in the order of `matrix`.
    pub feeds: Vec<String>,
    /// Correlation matrix: symmetric, unit diagonal, positive definite.
    pub matrix: Vec<Vec<f64>>,
}

/// The distribution of a drawn parameter.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DrawDistribution {
    /// Normal with keys `mean`, `sd`.
    Normal,
    /// Log-normal: `exp(N(mu, sigma²))`, keys `mu`, `sigma` (of the log).
    Lognormal,
    /// Uniform on [`lo`, `hi`].
    Uniform,
}

/// A scenario parameter drawn per path, e.g. `key = "behaviour.w_news"`, `dist = "lognormal"`,
/// `mu = 0.0`, `sigma = 0.5`. The key is a dotted path into this file in which array entries
/// are addressed by their symbol / class / name / label (`market.reserves.WETH.ltv_bps`,
/// `depositors.whale.threshold_median`); an integer key receives the draw rounded to the
/// nearest integer. The drawn scenario is validated like the file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParameterDraw {
    /// Dotted key of the parameter.
    pub key: String,
    /// Distribution.
    pub dist: DrawDistribution,
    /// Mean (`normal`).
    #[serde(default)]
    pub mean: Option<f64>,
    /// Standard deviation (`normal`).
    #[serde(default)]
    pub sd: Option<f64>,
    /// Mean of the log (`lognormal`).
    #[serde(default)]
    pub mu: Option<f64>,
    /// Standard deviation of the log (`lognormal`).
    #[serde(default)]
    pub sigma: Option<f64>,
    /// Lower bound (`uniform`).
    #[serde(default)]
    pub lo: Option<f64>,
    /// Upper bound (`uniform`).
    #[serde(default)]
    pub hi: Option<f64>,
}

/// Scenario identity and simulated window.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name, e.g. `aave-v3-core-rseth-2026-04`.
    pub name: String,
    /// One-paragraph description.
    #[serde(default)]
    pub description: String,
    /// First block's timestamp, RFC 3339 UTC, e.g. `2026-04-18T17:00:00Z`.
    pub start: String,
    /// Simulated length, hours (> 0).
    pub duration_hours: f64,
    /// Default master seed (overridden by `--seed`).
    #[serde(default)]
    pub seed: u64,
    /// Aave version whose rules the pool follows. Only `"3.6"` is implemented.
    #[serde(default = "default_version")]
    pub aave_version: String,
}

fn default_version() -> String {
    "3.6".to_string()
}

/// Blocks, gas and transaction ordering.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// Seconds between blocks (Ethereum: 12).
    pub block_time_s: u64,
    /// Gas per block available to the simulated protocol's transactions (the rest of the
    /// block is other traffic).
    pub gas_per_block: u64,
    /// Base fee, gwei (constant in this version).
    pub base_fee_gwei: f64,
    /// ETH/USD feed name used to convert gas to USD (a feed in `oracles`).
    #[serde(default = "default_eth_feed")]
    pub gas_price_feed: String,
    /// Gas used per action.
    pub gas: GasTable,
    /// A pending transaction is dropped after this many blocks without inclusion.
    #[serde(default = "default_ttl")]
    pub mempool_ttl_blocks: u64,
}

fn default_eth_feed() -> String {
    "ETH".to_string()
}
fn default_ttl() -> u64 {
    25
}

/// Gas used by each pool action (successful), and by a reverted one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GasTable {
    /// `Pool.supply`.
    pub supply: u64,
    /// `Pool.withdraw`.
    pub withdraw: u64,
    /// `Pool.borrow`.
    pub borrow: u64,
    /// `Pool.repay`.
    pub repay: u64,
    /// `Pool.liquidationCall`.
    pub liquidation: u64,
    /// Any reverted call (gas burnt up to the revert).
    pub reverted: u64,
}

/// Price inputs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Oracles {
    /// Market price paths and the push feeds that report them.
    pub feeds: Vec<Feed>,
    /// Exchange-rate adapters (CAPO) built on a feed.
    #[serde(default)]
    pub capo: Vec<Capo>,
}

/// A Chainlink-style push feed over a market price path.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// Feed name, e.g. `ETH`, `USDC`.
    pub name: String,
    /// CSV price path (`timestamp,price_usd`; timestamp RFC 3339 or unix seconds), relative to
    /// the scenario file. Exactly one of `path` and `constant_usd` is given.
    #[serde(default)]
    pub path: Option<String>,
    /// A constant market price, USD.
    #[serde(default)]
    pub constant_usd: Option<f64>,
    /// Deviation threshold, bps: a new round when |p − last| / last exceeds it.
    pub deviation_bps: u32,
    /// Heartbeat, seconds: a new round at least this often.
    pub heartbeat_s: u64,
}

/// A CAPO adapter: price = base feed × exchange ratio, the ratio capped by a yearly growth.
/// Source: bgd-labs/aave-capo `PriceCapAdapterBase.latestAnswer`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Capo {
    /// Adapter name, e.g. `rsETH`.
    pub name: String,
    /// Base feed name, e.g. `ETH`.
    pub base_feed: String,
    /// Exchange ratio at the start (underlying per token, e.g. 1.07 ETH per rsETH).
    pub ratio: f64,
    /// Snapshot ratio the cap grows from.
    pub snapshot_ratio: f64,
    /// Age of the snapshot at the scenario start, seconds.
    pub snapshot_age_s: u64,
    /// Maximum yearly ratio growth, bps.
    pub max_yearly_growth_bps: u32,
}

/// The lending market.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Reserves, in listing order.
    pub reserves: Vec<Reserve>,
    /// E-mode categories.
    #[serde(default)]
    pub emodes: Vec<EMode>,
}

/// One reserve with its configuration and starting size.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    /// Symbol, e.g. `WETH`.
    pub symbol: String,
    /// Token decimals.
    pub decimals: u8,
    /// Price source: a feed or CAPO adapter name.
    pub price: String,
    /// Loan to value, bps.
    pub ltv_bps: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus, bps including principal (10500 = 5 % bonus).
    pub liquidation_bonus_bps: u16,
    /// Liquidation protocol fee, bps of the bonus.
    pub liquidation_protocol_fee_bps: u16,
    /// Reserve factor, bps.
    pub reserve_factor_bps: u16,
    /// Supply cap, whole tokens (0 = none).
    pub supply_cap: u64,
    /// Borrow cap, whole tokens (0 = none).
    pub borrow_cap: u64,
    /// Borrowing enabled.
    pub borrowing_enabled: bool,
    /// Frozen at the start.
    #[serde(default)]
    pub frozen: bool,
    /// Optimal usage ratio, bps.
    pub optimal_usage_ratio_bps: u16,
    /// Base variable borrow rate, bps.
    pub base_variable_borrow_rate_bps: u32,
    /// Slope 1, bps.
    pub variable_rate_slope1_bps: u32,
    /// Slope 2, bps.
    pub variable_rate_slope2_bps: u32,
    /// Total supplied at the start, whole tokens. What depositors and borrowers' collateral do
    /// not account for is held by passive suppliers who never move.
    pub total_supplied: f64,
    /// Total borrowed at the start, whole tokens. Borrower books must add up to it; what they
    /// do not cover is borrowed by passive borrowers who never repay.
    pub total_borrowed: f64,
    /// Family for information contagion (reference/behaviour.md §6.1), e.g. `ETH` for WETH and
    /// its LSTs / LRTs, `USD` for stablecoins: reserves of one family hear each other's news at
    /// `[behaviour.contagion] same_family`. Absent: a family of its own.
    #[serde(default)]
    pub family: Option<String>,
}

/// An e-mode category (v3.2+ liquid e-mode: collateral and borrowable bitmaps).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EMode {
    /// Category id (1–255).
    pub id: u8,
    /// Label.
    pub label: String,
    /// LTV, bps.
    pub ltv_bps: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus, bps including principal.
    pub liquidation_bonus_bps: u16,
    /// Symbols usable as collateral in the category.
    pub collateral: Vec<String>,
    /// Symbols borrowable in the category.
    pub borrowable: Vec<String>,
}

/// Weights of the perceived-risk score of reference/behaviour.md §1.3:
/// `R = w_depeg·g(d) + w_util·(U − U*)+ + w_outflow·O_vis + w_news·H + w_deficit·deficit share
///  − w_yield·(r_s − r_alt) + σ·ε`, with `g(d) = d + kink·1[p < 0.99]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Weight of the collateral depeg term `g(d)` (d = 1 − oracle/market ratio of the pool's
    /// largest collateral vs its peg).
    pub w_depeg: f64,
    /// Extra depeg penalty below $0.99 (Anadu et al. kink).
    pub depeg_kink: f64,
    /// Weight of utilization above the optimal usage ratio (fraction points).
    pub w_utilization: f64,
    /// Weight of the visible large-wallet outflow (share of supply withdrawn in the window).
    pub w_outflow: f64,
    /// Window of the visible outflow, hours.
    pub outflow_window_hours: f64,
    /// Weight of the news term H.
    pub w_news: f64,
    /// Weight of the deficit, as a share of the reserve's supply (expected loss given default).
    pub w_deficit: f64,
    /// Weight of the yield spread (supply APR − alternative rate), per unit APR.
    pub w_yield: f64,
    /// Alternative rate a depositor could earn elsewhere, bps.
    pub alt_rate_bps: u32,
    /// Information contagion between reserves (reference/behaviour.md §6.1, Ahnert–Bertsch
    /// wake-up calls). Absent: every news event reaches every reserve at full weight, and
    /// depositors read only their own reserve's visible outflows and deficit.
    #[serde(default)]
    pub contagion: Option<Contagion>,
}

/// Similarity weights of information contagion (reference/behaviour.md §6.1: "a shock at one
/// stablecoin or protocol raises attention and lowers priors for similar entities; implement
/// it as a similarity-weighted jump in the public signal"). The similarity of reserve `b` to
/// reserve `a` is 1 when `a = b`, `same_family` when both have the same `family`, and
/// `same_protocol` otherwise (every reserve of the market is one protocol). A depositor of `a`
/// reads news about `b`, the visible outflows from `b` (as a share of `b`'s supply), the
/// deficit of `b` and the backing loss of `b`'s exchange-rate adapter, each times the
/// similarity; news without a `source` reaches every reserve at weight 1.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contagion {
    /// Similarity of two reserves of one family, [0, 1].
    pub same_family: f64,
    /// Similarity of two reserves of the same protocol and different families, [0, 1].
    pub same_protocol: f64,
}

/// A class of depositors of one reserve.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DepositorClass {
    /// Class name: `bot`, `whale`, `mid`, `retail` (free text; reported as given).
    pub class: String,
    /// Reserve they supply.
    pub asset: String,
    /// Share of the reserve's total supply held by this class, (0, 1].
    pub share_of_supply: f64,
    /// Number of depositors (stakes are drawn from `stake_distribution` and scaled to the
    /// class total).
    pub count: u32,
    /// Stake size distribution: `compound-v2-supply` (the real Compound v2 book's supplier
    /// concentration, shipped in data/) or `equal`.
    #[serde(default = "default_stakes")]
    pub stake_distribution: String,
    /// Attention: observations per hour in calm times.
    pub attention_per_hour: f64,
    /// Attention multiplier while news is fresh.
    pub news_attention_multiplier: f64,
    /// Blocks between deciding and sending, mean (exponential).
    pub latency_blocks: f64,
    /// Risk threshold τ ~ LogNormal(ln(median), sigma).
    pub threshold_median: f64,
    /// Log-sd of the risk threshold.
    pub threshold_sigma: f64,
    /// Exit fraction per decision ~ Beta(a, b).
    pub exit_fraction_a: f64,
    /// Exit fraction Beta b.
    pub exit_fraction_b: f64,
    /// Idiosyncratic noise sd in the risk score.
    pub noise_sd: f64,
    /// Priority fee bid, gwei (mean; log-normal with sd 0.5 in logs).
    pub priority_fee_gwei: f64,
    /// Whether this class's withdrawals count as "visible large-wallet outflow" to others.
    #[serde(default)]
    pub visible: bool,
    /// When a withdrawal reverts, blocks until it retries (mean); bots use 1.
    pub retry_blocks: f64,
}

fn default_stakes() -> String {
    "compound-v2-supply".to_string()
}

/// A generated book of borrowing positions of one kind.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BorrowerBook {
    /// Label, e.g. `wsteth-weth-loopers`.
    pub label: String,
    /// Collateral reserve.
    pub collateral: String,
    /// Debt reserve.
    pub debt: String,
    /// E-mode category (0 = none).
    #[serde(default)]
    pub emode: u8,
    /// Number of positions.
    pub count: u32,
    /// Total debt of the book, whole tokens of the debt asset.
    pub total_debt: f64,
    /// Health factor at the start: minimum.
    pub hf_min: f64,
    /// Health factor at the start: median (log-normal above `hf_min`).
    pub hf_median: f64,
    /// Health factor log-sd of (hf − hf_min).
    pub hf_sigma: f64,
    /// Carry: the rate the borrowed funds earn (or the outside rate), bps per year. A borrower
    /// repays when the borrow APR exceeds it.
    pub carry_bps: u32,
    /// Repayment speed η: repay hazard multiplier per unit of (borrow APR − carry).
    pub repay_speed: f64,
    /// Share of positions that react to rates at all (the rest are passive).
    pub active_share: f64,
    /// Attention: reviews per hour.
    pub attention_per_hour: f64,
    /// Priority fee bid, gwei.
    pub priority_fee_gwei: f64,
}

/// A liquidator.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LiquidatorSpec {
    /// Label.
    pub label: String,
    /// Number of liquidators like this.
    pub count: u32,
    /// Capital per liquidator, USD (held in whichever debt asset it repays).
    pub capital_usd: f64,
    /// Minimum profit after gas and price risk, USD.
    pub min_profit_usd: f64,
    /// Hours it holds seized collateral before selling (price-risk horizon).
    pub hold_hours: f64,
    /// Risk aversion z (multiples of the collateral's volatility over the hold).
    pub risk_z: f64,
    /// Blocks between seeing a liquidatable position and sending (mean).
    pub latency_blocks: f64,
    /// Priority fee bid, gwei.
    pub priority_fee_gwei: f64,
    /// Annual volatility assumed per collateral symbol (default 0.6).
    #[serde(default)]
    pub volatility: std::collections::BTreeMap<String, f64>,
}

/// `[[comets]]`: a Compound III market (`comet@d5a30b0:contracts/Comet.sol`, exact in
/// `bankrun_compound::comet_market`). Its base and collaterals are reserves of `[market]`
/// (the same tokens); its prices come from the scenario's feeds; its rates and factors are
/// those of the deployment's `configuration.json` (fractions). At the start, passive
/// suppliers hold `total_supplied` of the base and the books below borrow against their
/// collateral; one liquidator per market absorbs and buys collateral with `liquidator_capital`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CometMarket {
    /// Name, e.g. `compound-v3-weth` (events and outputs name it).
    pub name: String,
    /// Base asset: a reserve symbol.
    pub base: String,
    /// The base's price source: a feed or CAPO name.
    pub base_price: String,
    /// `supplyKink`, utilization fraction.
    pub supply_kink: f64,
    /// `supplyPerYearInterestRateSlopeLow`, fraction a year.
    pub supply_slope_low: f64,
    /// `supplyPerYearInterestRateSlopeHigh`, fraction a year.
    pub supply_slope_high: f64,
    /// `supplyPerYearInterestRateBase`, fraction a year.
    pub supply_base: f64,
    /// `borrowKink`, utilization fraction.
    pub borrow_kink: f64,
    /// `borrowPerYearInterestRateSlopeLow`, fraction a year.
    pub borrow_slope_low: f64,
    /// `borrowPerYearInterestRateSlopeHigh`, fraction a year.
    pub borrow_slope_high: f64,
    /// `borrowPerYearInterestRateBase`, fraction a year.
    pub borrow_base: f64,
    /// `storeFrontPriceFactor`, fraction.
    pub store_front_price_factor: f64,
    /// `targetReserves`, whole base tokens.
    pub target_reserves: f64,
    /// `baseBorrowMin`, whole base tokens.
    pub borrow_min: f64,
    /// Base supplied at the start by passive suppliers, whole tokens.
    pub total_supplied: f64,
    /// Capital of the market's liquidator, whole base tokens.
    pub liquidator_capital: f64,
    /// Collateral assets, in offset order.
    pub collateral: Vec<CometCollateral>,
    /// Borrowing positions at the start.
    #[serde(default)]
    pub books: Vec<CometBook>,
}

/// A Compound III collateral asset (`assetConfigs[i]`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CometCollateral {
    /// Reserve symbol of the token.
    pub symbol: String,
    /// Price source: a feed or CAPO name (the market's own feed of the asset).
    pub price: String,
    /// `borrowCollateralFactor`, fraction.
    pub borrow_cf: f64,
    /// `liquidateCollateralFactor`, fraction (> `borrow_cf`).
    pub liquidate_cf: f64,
    /// `liquidationFactor`, fraction (the share of collateral value credited on absorb).
    pub liquidation_factor: f64,
    /// `supplyCap`, whole tokens.
    pub supply_cap: f64,
}

/// Positions borrowing a Compound III market's base against one collateral, equal in size,
/// with health spread evenly between `hf_min` and `hf_max` (health = collateral value ×
/// `liquidate_cf` / debt). They never act (passive): what they show is how the market's own
/// oracle carries a shock to them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CometBook {
    /// Label.
    pub label: String,
    /// Collateral symbol (one of the market's collateral assets).
    pub collateral: String,
    /// Number of positions.
    pub count: u32,
    /// Base borrowed in all, whole tokens.
    pub total_debt: f64,
    /// Lowest health at the start (> 1).
    pub hf_min: f64,
    /// Highest health at the start (≥ `hf_min`).
    pub hf_max: f64,
}

/// A reaction time drawn per run: lognormal with this median and log-standard deviation,
/// minutes (a multisig's signers gathering: most react within the median, a few take much
/// longer).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReactionTime {
    /// Median reaction time, minutes (> 0).
    pub median: f64,
    /// Standard deviation of its logarithm (≥ 0; 0: always the median).
    pub sigma: f64,
}

impl ReactionTime {
    /// The reaction time, seconds, for a standard normal draw `z`: `median · exp(sigma · z)`.
    pub fn seconds(&self, z: f64) -> f64 {
        60.0 * self.median * (self.sigma * z).exp()
    }
}

/// The bounds a risk steward's updates respect (Aave's `RiskSteward`; the slope2 risk
/// oracle's "maximum absolute change of 4% every 8 hours"): each update moves each rate
/// parameter (optimal usage ratio, base rate, slope1, slope2) at most `max_change_bps` towards
/// its target, and updates of a reserve are at least `min_delay_hours` apart, so a target far
/// from the current value takes several steps. LTV and caps, if set, apply at the first step.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StewardBounds {
    /// Largest change of a rate parameter per update, bps (absolute, > 0).
    pub max_change_bps: u32,
    /// Hours between two updates of the reserve (≥ 0).
    pub min_delay_hours: f64,
}

/// A scripted event.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// Headline news that raises every depositor's perceived risk and attention.
    News {
        /// When, RFC 3339.
        at: String,
        /// Jump in the hack/news term `H_t` (decays with `half_life_hours`).
        intensity: f64,
        /// Half-life of the news term, hours.
        half_life_hours: f64,
        /// What the news is.
        label: String,
        /// The reserve the news is about (its symbol): with `[behaviour.contagion]`, other
        /// reserves hear it at their similarity to this one. Absent: news about the whole
        /// protocol, heard at full weight everywhere.
        #[serde(default)]
        source: Option<String>,
    },
    /// The attacker supplies collateral and borrows against it in an e-mode.
    Attack {
        /// When, RFC 3339.
        at: String,
        /// E-mode category entered.
        emode: u8,
        /// Collateral symbol.
        collateral: String,
        /// Collateral supplied, whole tokens.
        collateral_amount: f64,
        /// Debt symbol.
        debt: String,
        /// Debt borrowed, whole tokens.
        debt_amount: f64,
        /// Number of transactions (and addresses) it is split into.
        #[serde(default = "one")]
        splits: u32,
        /// A `[[comets]]` market to attack instead of the Aave pool (its collateral and
        /// base; `emode` must be 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comet: Option<String>,
    },
    /// Exchange ratio of a CAPO adapter changes (e.g. a backing haircut).
    ExchangeRate {
        /// When, RFC 3339.
        at: String,
        /// CAPO adapter name.
        adapter: String,
        /// New ratio.
        ratio: f64,
    },
    /// Guardian freezes or unfreezes a reserve (`PoolConfigurator.setReserveFreeze`).
    Freeze {
        /// When, RFC 3339: when the Guardian acts, or, with `reaction_minutes`, when it is
        /// alerted.
        at: String,
        /// Reserve symbol.
        asset: String,
        /// Frozen after the event.
        frozen: bool,
        /// The Guardian multisig's reaction time after `at`, drawn per run; absent: it acts
        /// at `at`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reaction_minutes: Option<ReactionTime>,
    },
    /// Guardian pauses or unpauses a reserve (`PoolConfigurator.setReservePause`).
    Pause {
        /// When, RFC 3339 (as for `freeze`).
        at: String,
        /// Reserve symbol.
        asset: String,
        /// Paused after the event.
        paused: bool,
        /// Liquidation grace period on unpause, seconds (≤ 4 h).
        #[serde(default)]
        grace_period_s: u64,
        /// The Guardian's reaction time after `at`, drawn per run (as for `freeze`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reaction_minutes: Option<ReactionTime>,
    },
    /// Governance changes parameters of a reserve: proposed at `at`, effective after the delay.
    Governance {
        /// When proposed, RFC 3339.
        at: String,
        /// Hours between proposal and execution.
        delay_hours: f64,
        /// Reserve symbol.
        asset: String,
        /// New optimal usage ratio, bps.
        #[serde(default)]
        optimal_usage_ratio_bps: Option<u16>,
        /// New base rate, bps.
        #[serde(default)]
        base_variable_borrow_rate_bps: Option<u32>,
        /// New slope 1, bps.
        #[serde(default)]
        variable_rate_slope1_bps: Option<u32>,
        /// New slope 2, bps.
        #[serde(default)]
        variable_rate_slope2_bps: Option<u32>,
        /// New LTV, bps.
        #[serde(default)]
        ltv_bps: Option<u16>,
        /// New supply cap, whole tokens.
        #[serde(default)]
        supply_cap: Option<u64>,
        /// New borrow cap, whole tokens.
        #[serde(default)]
        borrow_cap: Option<u64>,
        /// Executed by a risk steward in bounded steps instead of at once (absent: at once).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        steward: Option<StewardBounds>,
        /// Why.
        #[serde(default)]
        label: String,
    },
    /// A rescue fund supplies liquidity to a reserve.
    RescueSupply {
        /// When, RFC 3339.
        at: String,
        /// Reserve symbol.
        asset: String,
        /// Amount, whole tokens.
        amount: f64,
        /// Who.
        label: String,
    },
    /// A large supplier named by `label` withdraws from a reserve (`Pool.withdraw`): a
    /// scripted exit such as a whale pulling collateral to repay debt elsewhere. The supplier
    /// holds, from the start, the sum of its `withdraw` events on that reserve (part of the
    /// reserve's `total_supplied`). A withdrawal larger than the available liquidity at its
    /// time takes what is available (as the holder would) and the log says how much.
    Withdraw {
        /// When, RFC 3339.
        at: String,
        /// Reserve symbol.
        asset: String,
        /// Amount, whole tokens.
        amount: f64,
        /// Who (one account per reserve and label).
        label: String,
        /// Whether depositors see it as a large-wallet outflow (the `visible` term of the
        /// risk score), as a tracked whale's exits are.
        #[serde(default)]
        visible: bool,
    },
    /// A rescue fund repays the attacker's debt on its behalf.
    RescueRepay {
        /// When, RFC 3339.
        at: String,
        /// Debt reserve symbol.
        asset: String,
        /// Amount, whole tokens.
        amount: f64,
        /// Who.
        label: String,
    },
    /// Compound III's pause guardian or governor pauses actions of a `[[comets]]` market
    /// (`Comet.pause`); what is not named stays unpaused.
    CometPause {
        /// When, RFC 3339.
        at: String,
        /// The market's name.
        comet: String,
        /// Supply paused.
        #[serde(default)]
        supply: bool,
        /// Withdraw paused.
        #[serde(default)]
        withdraw: bool,
        /// Absorb (liquidation) paused.
        #[serde(default)]
        absorb: bool,
        /// `buyCollateral` paused.
        #[serde(default)]
        buy: bool,
        /// Why.
        #[serde(default)]
        label: String,
    },
    /// Compound III governance points an asset's price feed at a constant (held at the price
    /// the market last read), or back at the feed.
    CometPriceFeed {
        /// When, RFC 3339.
        at: String,
        /// The market's name.
        comet: String,
        /// Asset symbol.
        asset: String,
        /// Hold the price constant (`true`) or follow the feed again (`false`).
        constant: bool,
        /// Why.
        #[serde(default)]
        label: String,
    },
    /// The Umbrella / safety module covers reserve deficit (`Pool.eliminateReserveDeficit`).
    CoverDeficit {
        /// When, RFC 3339.
        at: String,
        /// Reserve symbol.
        asset: String,
        /// Maximum amount, whole tokens.
        amount: f64,
        /// Who.
        label: String,
    },
}

fn one() -> u32 {
    1
}

impl Event {
    /// The event's `at` string (for a governance action, the proposal time).
    pub fn at(&self) -> &str {
        match self {
            Event::News { at, .. }
            | Event::Attack { at, .. }
            | Event::ExchangeRate { at, .. }
            | Event::Freeze { at, .. }
            | Event::Pause { at, .. }
            | Event::Governance { at, .. }
            | Event::RescueSupply { at, .. }
            | Event::RescueRepay { at, .. }
            | Event::Withdraw { at, .. }
            | Event::CoverDeficit { at, .. }
            | Event::CometPause { at, .. }
            | Event::CometPriceFeed { at, .. } => at,
        }
    }
}
