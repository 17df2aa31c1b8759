//! Differential conformance of the native bankrun engines against the real contracts,
//! run in revm: the Aave v3 Pool (v3.0.2 artifacts and a solc-js build of v3.6), the
//! Aave v2 LendingPool (`@aave/protocol-v2@1.0.1` artifacts) and Uniswap v2. Dev-only
//! (`publish = false`); no engine crate depends on it.
//!
//! Third-party artifacts are fetched at test time by `scripts/fetch-artifacts.mjs`
//! (npm, pinned by version and sha512 integrity) into `target/conformance-cache`.

pub mod aave;
pub mod aave_v2;
pub mod artifacts;
pub mod curvesim;
pub mod diff;
pub mod diff_v2;
pub mod driver;
pub mod evm;
pub mod lending_pool;
pub mod market;
pub mod strategy;
pub mod uniswap;
