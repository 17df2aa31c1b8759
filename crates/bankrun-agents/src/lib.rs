//! Agent behaviour as pure functions: what an agent decides from what it can observe.
//!
//! The engine owns agent state, scheduling and execution; this crate holds the models
//! (reference/behaviour.md, cited per function) so they can be tested and swapped on their
//! own. Inputs are `f64` (behaviour is statistics, not protocol state); randomness comes in
//! as an explicit `&mut impl Rng` drawn from the caller's named stream.

pub mod arbitrageur;
pub mod borrower;
pub mod depositor;
pub mod keeper;
pub mod liquidator;
pub mod stratified;
pub mod timing;

pub use arbitrageur::{arbitrage_profit_usd, pool_rebalance_base};
pub use borrower::{hf_rescue_repay_fraction, rate_repay_fraction};
pub use depositor::{DepositorTraits, MarketView, RiskWeights, draw_signal_noise, risk_score};
pub use keeper::{AuctionView, FlipBid, GasStrategy, can_afford_gas, flip_bid, gas_price_gwei};
pub use liquidator::{LiquidationQuote, LiquidatorTraits, expected_profit_usd, profit_margin};
pub use stratified::{lognormal_quantile, stratified_uniforms, value_quantiles};
pub use timing::{exp_blocks, lognormal_median};
