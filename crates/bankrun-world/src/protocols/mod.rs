//! The lending protocols of the world, each a thin wrapper that maps the world's calls onto the
//! protocol crate's own functions and moves tokens in the ledger.

pub mod aave;
pub mod anchor;
pub mod comet;
pub mod compound_v2;
pub mod issuer;
pub mod maker;
pub mod terra_market;

pub use aave::AaveV3;
pub use anchor::{Anchor, AnchorGenesis};
pub use comet::Comet;
pub use compound_v2::CompoundV2;
pub use issuer::{Issuer, IssuerSpec, Rails, Request};
pub use maker::{Maker, MakerParams, OpenVaultError};
pub use terra_market::TerraMarket;
