//! The trading venues of the world.

pub mod cex;
pub mod curve;
pub mod psm;
pub mod uniswap_v2;

pub use cex::Cex;
pub use curve::Curve;
pub use psm::{AutoLine, Psm};
pub use uniswap_v2::UniswapV2;
