//! Scenario files: the TOML schema, strict parsing with located errors, semantic validation,
//! the embedded default scenario, and price-path CSV loading.
//!
//! ```
//! let s = bankrun_scenario::load_embedded(bankrun_scenario::DEFAULT_SCENARIO).unwrap();
//! assert!(s.end_unix > s.start_unix);
//! ```
//!
//! Every error is a [`ScenarioError`] displayed as
//! `<file>:<line>:<col>: `<key.path>`: expected <what>, found <what>`.

mod embedded;
mod error;
mod load;
mod locate;
mod price_path;
pub mod schema;
mod stakes;
mod time;
mod validate;

pub use error::{ScenarioError, line_col};
pub use load::{
    DEFAULT_SCENARIO, LoadedScenario, embedded_names, json_schema, load_embedded, load_file,
    load_str,
};
pub use price_path::PricePath;
pub use schema::*;
pub use stakes::{COMPOUND_V2_SUPPLY, EQUAL, StakeDistribution};
pub use time::{format_time, parse_time};
pub use validate::{MAX_DECIMALS, MAX_DURATION_HOURS, MAX_GRACE_PERIOD_S};
