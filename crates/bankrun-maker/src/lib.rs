//! MakerDAO liquidation machinery of Black Thursday (Liquidations 1.2: Cat + Flipper),
//! the OSM, the Spotter, the Vat with its adapters and the Jug, Liquidations 2.0 price
//! curves (Abacus) and the PSM.
//!
//! Sources: `makerdao/dss` tag `1.0.0` (`6fd7de01`, Nov 2019; `cat.sol`, `flip.sol`,
//! `spot.sol`, `vat.sol`, `join.sol`, `jug.sol`) — the Cat/Flipper code deployed at MCD
//! launch and still in force on 12 March 2020 (the next functional change to
//! `cat.sol`/`flip.sol` is tag `1.0.7`, May 2020; Liquidations 1.2's `box`/`dunk` Cat
//! arrived with `1.1.0`, Aug 2020); `makerdao/osm` (`OSM.sol`); `dss@fa4f6630:src/abaci.sol`;
//! `dss-psm@7d717d88:src/psm.sol`. AGPL code, re-written from the rules, not copied.
//!
//! # Units
//! - `wad` = 1e18 (collateral `ink`, normalised debt `art`, `lump`, `beg`, PSM fees);
//! - `ray` = 1e27 (`rate`, `spot`, `par`, `mat`, 1.0.0 `chop`, Abacus prices);
//! - `rad` = 1e45 (DAI balances in the Vat, `tab`, `bid`);
//! - time in seconds (`now`, `ttl`, `tau`, `hop`).
//!
//! Every revert is a [`MakerError`]; nothing panics; operations are atomic.

pub mod abaci;
pub mod cat;
mod error;
pub mod flip;
pub mod join;
pub mod jug;
pub mod math;
pub mod osm;
pub mod psm;
pub mod spot;
pub mod vat;

pub use bankrun_math::U256;
pub use cat::Cat;
pub use error::MakerError;
pub use flip::{Bid, Flipper};
pub use join::{DaiJoin, GemJoin};
pub use jug::Jug;
pub use osm::Osm;
pub use vat::{Ilk, Urn, Vat};

/// Account id (an address on-chain; a dense index in the simulation).
pub type AccountId = u32;
/// Collateral type id (the `bytes32 ilk` on-chain).
pub type IlkId = usize;
