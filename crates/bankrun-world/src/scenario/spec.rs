//! The world scenario file: tagged tables for tokens, protocols, venues, oracle feeds, agents
//! and the positions open at the start. Every table is strict (unknown keys are errors) and
//! every reference is by name or symbol.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A world scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WorldSpec {
    /// Name, window and seed.
    pub scenario: Header,
    /// Blocks and gas.
    pub chain: Chain,
    /// Tokens, by symbol.
    pub tokens: Vec<Token>,
    /// Lending protocols, by name.
    pub protocols: Vec<ProtocolSpec>,
    /// Trading venues, by name.
    #[serde(default)]
    pub venues: Vec<VenueSpec>,
    /// Oracle feeds: each reads a source and is read by protocols.
    pub feeds: Vec<FeedSpec>,
    /// Agents, in the order they act each block.
    pub agents: Vec<AgentSpec>,
    /// Positions opened at the start, before block 1.
    #[serde(default)]
    pub positions: Vec<PositionSpec>,
}

/// `[scenario]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldHeader")]
pub struct Header {
    /// Name (used for the output directory).
    pub name: String,
    /// What the scenario shows, and its sources.
    #[serde(default)]
    pub description: String,
    /// Time of block 0, RFC 3339 UTC (e.g. `2026-04-18T17:00:00Z`).
    pub start: String,
    /// Blocks to run.
    pub blocks: u64,
    /// Master seed.
    pub seed: u64,
    /// Marks this file as a one-world scenario (`"world"`).
    pub engine: String,
}

/// `[chain]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldChain")]
pub struct Chain {
    /// Seconds per block (Ethereum: 12).
    pub block_time_s: u64,
    /// Gas per block available to the agents.
    pub block_gas: u64,
}

/// `[[tokens]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldToken")]
pub struct Token {
    /// Symbol, unique.
    pub symbol: String,
    /// Decimals (6 for USDC, 18 for most).
    pub decimals: u8,
}

/// `[[protocols]]`, tagged by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(rename = "WorldProtocolSpec")]
pub enum ProtocolSpec {
    /// An Aave v3 pool.
    AaveV3 {
        /// Name, unique among protocols.
        name: String,
        /// `"3.0"` or `"3.6"`.
        version: String,
        /// Reserves, in listing order.
        reserves: Vec<AaveReserve>,
    },
    /// A Compound v2 Comptroller.
    CompoundV2 {
        /// Name, unique among protocols.
        name: String,
        /// `closeFactorMantissa` as a fraction (0.5).
        close_factor: f64,
        /// `liquidationIncentiveMantissa` as a factor (1.08).
        liquidation_incentive: f64,
        /// Markets, in listing order.
        markets: Vec<CompoundMarket>,
    },
    /// A token's issuer: primary mint and redemption at an exchange rate, through rails, after
    /// a delay, within a daily capacity ([`crate::protocols::Issuer`]; the depeg library's
    /// fiat-backed and LST/LRT families).
    Issuer(IssuerProtocol),
}

/// `[[protocols]] kind = "issuer"`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldIssuerSpec")]
pub struct IssuerProtocol {
    /// Name, unique among protocols.
    pub name: String,
    /// The token issued (USDC, rsETH).
    pub token: String,
    /// Its backing (an off-chain `USD` token, ETH).
    pub backing: String,
    /// Backing the issuer holds at the start, whole tokens (paid out by redemptions).
    pub reserve: f64,
    /// Backing per whole token, whole backing tokens (1.0: par; an LRT's exchange rate).
    #[serde(default = "one")]
    pub rate: f64,
    /// Fee on mints, a fraction of the output.
    #[serde(default)]
    pub mint_fee: f64,
    /// Fee on redemptions, a fraction of the output.
    #[serde(default)]
    pub redeem_fee: f64,
    /// Seconds between a redemption request and its payment (an exit queue's wait).
    #[serde(default)]
    pub delay_s: u64,
    /// Backing paid per UTC day at most, whole tokens; absent: no limit.
    #[serde(default)]
    pub capacity_per_day: Option<f64>,
    /// `"always"` (an on-chain queue) or `"weekdays"` (bank rails, Monday to Friday).
    #[serde(default = "always")]
    pub rails: String,
    /// Opening hour of the rails, UTC.
    #[serde(default)]
    pub open_hour: u8,
    /// Closing hour of the rails, UTC (24: midnight).
    #[serde(default = "hours_in_day")]
    pub close_hour: u8,
    /// Closed windows, `[from, to)` as RFC 3339 UTC times.
    #[serde(default)]
    pub closures: Vec<[String; 2]>,
    /// Whether redemptions exist (`false`: an LST without withdrawals).
    #[serde(default = "yes")]
    pub redeem: bool,
    /// Whether minting is on.
    #[serde(default = "yes")]
    pub mint: bool,
}

fn one() -> f64 {
    1.0
}

fn always() -> String {
    "always".into()
}

fn hours_in_day() -> u8 {
    24
}

fn yes() -> bool {
    true
}

impl ProtocolSpec {
    /// The protocol's name.
    pub fn name(&self) -> &str {
        match self {
            ProtocolSpec::AaveV3 { name, .. } | ProtocolSpec::CompoundV2 { name, .. } => name,
            ProtocolSpec::Issuer(i) => &i.name,
        }
    }
}

/// An Aave reserve.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldAaveReserve")]
pub struct AaveReserve {
    /// Token symbol.
    pub token: String,
    /// Loan-to-value, bps.
    pub ltv_bps: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus, bps (10500 = 5 % bonus).
    pub liquidation_bonus_bps: u16,
    /// Reserve factor, bps.
    pub reserve_factor_bps: u16,
    /// Liquidation protocol fee, bps of the bonus.
    #[serde(default)]
    pub liquidation_protocol_fee_bps: u16,
    /// Optimal usage ratio, bps.
    pub optimal_usage_ratio_bps: u16,
    /// Base variable borrow rate, bps a year.
    pub base_variable_borrow_rate_bps: u32,
    /// Slope 1, bps a year.
    pub variable_rate_slope1_bps: u32,
    /// Slope 2, bps a year.
    pub variable_rate_slope2_bps: u32,
}

/// A Compound v2 market.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldCompoundMarket")]
pub struct CompoundMarket {
    /// Token symbol.
    pub token: String,
    /// `collateralFactorMantissa` as a fraction (≤ 0.9).
    pub collateral_factor: f64,
    /// `reserveFactorMantissa` as a fraction.
    pub reserve_factor: f64,
    /// The oracle's price source: a fixed USD price (stablecoins, `FIXED_USD`), or `None` for
    /// a reporter price posted by the market's feed.
    #[serde(default)]
    pub fixed_usd: Option<f64>,
    /// JumpRateModelV2: base rate a year (fraction).
    pub base_rate: f64,
    /// Multiplier a year (fraction).
    pub multiplier: f64,
    /// Jump multiplier a year (fraction).
    pub jump_multiplier: f64,
    /// Kink (fraction of utilization).
    pub kink: f64,
}

/// `[[venues]]`, tagged by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(rename = "WorldVenueSpec")]
pub enum VenueSpec {
    /// A Uniswap v2 pair, seeded with `liquidity` (whole tokens of `tokens[0]`, `tokens[1]`).
    UniswapV2 {
        /// Name, unique among venues.
        name: String,
        /// The pair's two token symbols.
        tokens: [String; 2],
        /// Initial reserves, whole tokens.
        liquidity: [f64; 2],
    },
}

impl VenueSpec {
    /// The venue's name.
    pub fn name(&self) -> &str {
        match self {
            VenueSpec::UniswapV2 { name, .. } => name,
        }
    }
}

/// `[[feeds]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldFeedSpec")]
pub struct FeedSpec {
    /// Name, unique among feeds.
    pub name: String,
    /// The token it prices.
    pub token: String,
    /// Where it reads the price.
    pub source: SourceSpec,
    /// Chainlink push parameters; absent: the answer follows the source every block.
    #[serde(default)]
    pub push: Option<PushSpec>,
    /// Protocols that read this feed as the token's price.
    pub readers: Vec<String>,
}

/// A feed's source: a constant USD price, or a venue's price in another token (valued at that
/// token's feed).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldSourceSpec")]
pub struct SourceSpec {
    /// A constant USD price.
    #[serde(default)]
    pub constant_usd: Option<f64>,
    /// A venue, by name.
    #[serde(default)]
    pub venue: Option<String>,
    /// With `venue`: the token the price is quoted in (valued by its own, earlier feed).
    #[serde(default)]
    pub quote: Option<String>,
}

/// Chainlink push-feed parameters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldPushSpec")]
pub struct PushSpec {
    /// Deviation threshold, bps.
    pub deviation_bps: u32,
    /// Heartbeat, seconds.
    pub heartbeat_s: u64,
}

/// `[[agents]]`, tagged by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(rename = "WorldAgentSpec")]
pub enum AgentSpec {
    /// A liquidator of several protocols that sells what it seizes on the venues.
    Liquidator {
        /// Name, unique among agents.
        name: String,
        /// Protocols watched.
        watch: Vec<String>,
        /// Token it repays debt with.
        repay_token: String,
        /// Its wallet of `repay_token`, whole tokens.
        capital: f64,
        /// Largest repayment per liquidation, whole tokens.
        max_repay: f64,
        /// Priority fee, gwei.
        priority_gwei: f64,
    },
    /// A holder who sells `amount` of `token` for `into` on `venue` at `at_block`.
    ScriptedTrade {
        /// Name, unique among agents.
        name: String,
        /// Venue.
        venue: String,
        /// Token sold (minted to the agent at the start).
        token: String,
        /// Token bought.
        into: String,
        /// Amount sold, whole tokens.
        amount: f64,
        /// Block of the sale.
        at_block: u64,
    },
    /// An authorised arbitrageur of an issuer's primary market: buys the token below its
    /// redemption price on `venue` with `paid`, redeems it at `issuer` while the rails are open
    /// ([`crate::agents::RedemptionArbitrageur`]).
    RedemptionArbitrageur(RedemptionArbitrageurAgent),
    /// A group of `count` passive agents (`name-0`, `name-1`, …), used by `[[positions]]`.
    Passive {
        /// Name prefix.
        name: String,
        /// How many.
        count: u32,
    },
}

impl AgentSpec {
    /// The agent's name (the group's prefix for passive agents).
    pub fn name(&self) -> &str {
        match self {
            AgentSpec::Liquidator { name, .. }
            | AgentSpec::ScriptedTrade { name, .. }
            | AgentSpec::RedemptionArbitrageur(RedemptionArbitrageurAgent { name, .. })
            | AgentSpec::Passive { name, .. } => name,
        }
    }
}

/// `[[agents]] kind = "redemption-arbitrageur"`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldRedemptionArbitrageurSpec")]
pub struct RedemptionArbitrageurAgent {
    /// Name, unique among agents.
    pub name: String,
    /// The issuer protocol.
    pub issuer: String,
    /// The venue it buys on.
    pub venue: String,
    /// The token it buys and redeems.
    pub token: String,
    /// The token it pays with.
    pub paid: String,
    /// Its wallet and budget of `paid`, whole tokens.
    pub capital: f64,
    /// Most paid per buy, whole tokens.
    pub clip: f64,
    /// Least discount to the redemption price it buys at (0.001 = 10 bp).
    pub min_discount: f64,
    /// Value of a whole backing token in whole paid tokens.
    #[serde(default = "one")]
    pub paid_per_backing: f64,
    /// Priority fee, gwei.
    pub priority_gwei: f64,
}

/// `[[positions]]`: each agent of a passive group supplies `supply` of `collateral` and, if
/// given, borrows `borrow` of `debt`, at the start. Tokens supplied are minted to the agent.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorldPositionSpec")]
pub struct PositionSpec {
    /// The passive group.
    pub agents: String,
    /// Protocol.
    pub protocol: String,
    /// Token supplied.
    pub collateral: String,
    /// Amount supplied per agent, whole tokens.
    pub supply: f64,
    /// Token borrowed.
    #[serde(default)]
    pub debt: Option<String>,
    /// Amount borrowed per agent, whole tokens.
    #[serde(default)]
    pub borrow: f64,
}
