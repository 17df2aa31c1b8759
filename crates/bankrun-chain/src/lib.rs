//! The shared chain layer of bankrun: what every protocol, venue and agent of one world shares.
//!
//! # Modules (one concept each)
//! - [`ledger`]: every account's balance of every token, with transfers, mints and burns, and a
//!   conservation check.
//! - [`clock`]: block numbers ↔ unix timestamps.
//! - [`gas`]: the gas market (legacy auctions on real gas-price percentiles, EIP-1559 with
//!   elastic background demand, or a constant base fee) and each block's gas for agents.
//! - [`mempool`]: pending transactions, generic over sender and call: fee order with a seeded
//!   tie-break, gas fit, time to live, submission latency, per-sender slots, replacement.
//! - [`rng`]: named, seeded ChaCha8 streams.
//! - [`units`]: tokens ↔ integer units, ray and 8-decimal USD → `f64` for display.
//! - [`time`]: the one timestamp parser and formatter.
//! - [`prices`]: price paths (linear or step) and the one price / series CSV reader.

pub mod clock;
pub mod gas;
pub mod ledger;
pub mod mempool;
pub mod prices;
pub mod rng;
pub mod time;
pub mod units;

pub use clock::Clock;
pub use gas::{BlockGas, GasMarket, GasModel};
pub use ledger::{Holder, Ledger, LedgerError, TokenId};
pub use mempool::{Mempool, MempoolRules, MempoolStats, Refusal, Tx};
pub use prices::{CsvError, CsvFormat, Interpolation, PricePath, read_csv};
pub use time::{format_time, parse_time};
