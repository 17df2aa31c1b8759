//! Liquidation spirals, block by block, in the one world (`bankrun_world::World`): exact
//! venues (Uniswap v2, Curve StableSwap) and fitted CEX books, push oracles and Maker's OSM in
//! the oracle registry, a gas market (legacy auctions or EIP-1559) with a real congestion
//! input, and the liquidation machinery of Maker (Liquidations 1.2: Cat `bite`, Flipper
//! `tend`/`dent`/`deal`) and Compound v2 (Comptroller, JumpRateModelV2,
//! UniswapAnchoredView-style oracle) as world protocols. This crate reads the spiral scenario
//! format, builds each scenario's world and agents, and turns the world's log into its rows.
//!
//! # How the spiral closes
//! Fundamental price path → CEX mid (plus the decaying endogenous impact of agents'
//! sales) → push oracle (deviation/heartbeat) → OSM (one hop late, Maker) or the Compound
//! oracle → positions unsafe → liquidation transactions compete for block space →
//! liquidators/keepers sell collateral on the venues → impact lowers the CEX mid →
//! arbitrageurs carry it to the pool → the oracle passes it on. See [`venues`] for the
//! price model, [`bankrun_chain::gas`] for the gas market, `bankrun_world::world` for the
//! order within a block, [`maker`] and [`compound_world`] for each scenario's world.
//!
//! # Modules (one concept each)
//! - [`spec`]: scenario files, embedded scenarios, located errors;
//! - [`venues`]: venue names and unit conversions of the records;
//! - [`stable`]: the Curve pool used for stablecoin conversions;
//! - [`maker`], [`compound_world`]: the two scenarios' worlds, agents and recorders
//!   ([`compound`]: the Compound book and price paths they read); [`runner`]: dispatch;
//! - [`record`]: outputs of a run; [`output`]: files (CSV, JSON, HTML/SVG, Parquet via
//!   [`parquet`]);
//! - [`risk`]: collateral at risk against a price drop, with and without feedback.
//!
//! Protocol state is exact integer; `f64` is used only for behaviour, the CEX model and
//! display. The chain (clock, gas market, mempool, time-series CSVs, random streams) is
//! [`bankrun_chain`]'s. Runs are deterministic: named seeded streams (`bankrun_chain::rng`),
//! ordered maps only, no threads.

pub mod compound;
pub mod compound_world;
pub mod error;
pub mod maker;
pub mod output;
pub mod parquet;
pub mod record;
pub mod risk;
pub mod runner;
pub mod spec;
pub mod stable;
pub mod steth;
pub mod svb;
pub mod terra;
pub mod venues;
pub mod world_run;

pub use error::SpiralError;
pub use record::{RunOutput, Summary};
pub use runner::{simulate, simulate_with_progress};
pub use spec::{Loaded, embedded_names, is_spiral, load};
