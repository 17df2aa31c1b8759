//! Exact swap venues for liquidation-spiral simulation.
//!
//! - [`uniswap_v2`]: a Uniswap v2 constant-product pair (`v2-core@v1.0.1`
//!   `UniswapV2Pair`, `v2-periphery` `UniswapV2Library`), bit-exact in token wei.
//! - [`curve`]: a Curve StableSwap pool with the integer semantics of 3pool
//!   (`curve-contract@574f4402`, `StableSwap3Pool.vy`, vyper 0.2.4, checked `uint256`).
//! - [`cex`]: an external (centralised) venue with a square-root price-impact law fitted
//!   to CoinGecko ±2 % order-book depth (floating point: it is a model, not a contract).
//!
//! Everything on-chain is `U256` in the contracts' units and every on-chain revert is
//! returned as a [`DexError`]; nothing panics. The implementations are written from the
//! published formulas, not copied from the contracts.

pub mod cex;
pub mod curve;
mod error;
mod math;
pub mod uniswap_v2;

pub use bankrun_math::U256;
pub use error::DexError;
