//! Fixed-point math of the Aave v3 protocol family (and the Aave v2 compounded-interest
//! formula), reproduced bit-exactly in Rust.
//!
//! All values are `alloy_primitives::U256` integers in the units the contracts use:
//! WAD (1e18), RAY (1e27) and basis points (bps, 1e4 = 100 %). Nothing in this crate
//! uses floating point.
//!
//! Modules:
//! - [`wad_ray`]: `WadRayMath` (half-up family of v3.0–v3.4, plus the floor/ceil family
//!   added in v3.5/v3.6).
//! - [`percentage`]: `PercentageMath` (`percentMul`, `percentDiv`, and the v3.6
//!   `percentMulCeil`/`percentMulFloor`/`percentDivCeil`).
//! - [`interest`]: `MathUtils` (linear interest, the three compounded-interest formulas
//!   selected by [`interest::InterestFormula`], `mulDivCeil`).
//! - [`token_math`]: scaled-balance rounding of aTokens / variable debt tokens, for both
//!   the v3.0–v3.4 half-up family and the v3.5+ `TokenMath` directional family.
//!
//! Every function that can revert on-chain returns `Result<_, MathError>`; no function
//! panics on any input. Where the Solidity code is `unchecked`, the Rust code wraps
//! (documented per function) so that results stay bit-identical.

mod error;
pub mod interest;
pub mod percentage;
pub mod token_math;
pub mod wad_ray;

pub use alloy_primitives::U256;
pub use error::MathError;
pub use interest::{InterestFormula, SECONDS_PER_YEAR};
pub use percentage::PERCENTAGE_FACTOR;
pub use token_math::TokenRounding;
pub use wad_ray::{HALF_RAY, HALF_WAD, RAY, Rounding, WAD, WAD_RAY_RATIO};
