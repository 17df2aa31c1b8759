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
mod located;
pub mod schema;
mod stakes;
mod validate;

pub use error::{ScenarioError, line_col};
pub use load::{
    DEFAULT_SCENARIO, LoadedScenario, embedded_files, embedded_names, json_schema, load_embedded,
    load_file, load_str,
};
pub use located::{
    PathStep, error_at, parse_located, scenario_value_by_line, tagged_element_error,
};
pub use schema::*;
pub use stakes::{COMPOUND_V2_SUPPLY, EQUAL, StakeDistribution};
pub use validate::{MAX_DECIMALS, MAX_DURATION_HOURS, MAX_EVENT_AMOUNT, MAX_GRACE_PERIOD_S};
