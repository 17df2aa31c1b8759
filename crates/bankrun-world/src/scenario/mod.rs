//! One-world scenario files: the format ([`spec`]), loading with located errors, building the
//! world ([`build`]) and running it ([`run`]).

pub(crate) mod build;
pub mod run;
pub mod spec;

use bankrun_scenario::{ScenarioError, parse_located, tagged_element_error};

pub use build::{MAX_AGENTS, MAX_BLOCKS};
pub use run::{WorldRun, run};
pub use spec::WorldSpec;

/// The embedded one-world scenarios: `(name, TOML)`.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "cross-protocol-xyz",
        include_str!("../../../../scenarios/cross-protocol-xyz.toml"),
    ),
    (
        "usdc-redemption-weekend",
        include_str!("../../../../scenarios/usdc-redemption-weekend.toml"),
    ),
];

/// A loaded scenario: its text, origin and parsed spec.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The spec.
    pub spec: WorldSpec,
    /// The TOML text.
    pub text: String,
    /// Where it came from (a path, or `embedded:<name>`).
    pub origin: String,
}

/// JSON Schema of the one-world scenario file (for `bankrun schema` and editors).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(WorldSpec)).unwrap_or_default()
}

/// Whether `text` is a one-world scenario (`[scenario] engine = "world"`). A file that is not
/// valid TOML is recognised by its `engine = "world"` line, so that this format's loader, not
/// another's, reports where the TOML is broken.
pub fn is_world(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => {
            t.get("scenario")
                .and_then(|s| s.get("engine"))
                .and_then(|e| e.as_str())
                == Some("world")
        }
        Err(_) => {
            bankrun_scenario::scenario_value_by_line(text, "engine").as_deref() == Some("world")
        }
    }
}

/// Parses a one-world scenario.
///
/// # Errors
/// A [`ScenarioError`] naming the file, line, column and key, with "did you mean" for a
/// misspelt key or kind.
pub fn load_str(text: &str, origin: &str) -> Result<Loaded, ScenarioError> {
    let spec = match parse_located::<WorldSpec>(text, origin) {
        Ok(s) => s,
        // Tagged tables are buffered by serde: its error may name no key, or only the element.
        Err(e)
            if e.key.as_deref().is_none_or(|k| {
                ["protocols", "venues", "agents"]
                    .iter()
                    .any(|a| k.starts_with(a))
            }) =>
        {
            return Err(refine(text, origin).unwrap_or(e));
        }
        Err(e) => return Err(e),
    };
    Ok(Loaded {
        spec,
        text: text.to_string(),
        origin: origin.to_string(),
    })
}

/// Checks a loaded scenario's values and references by building its world once (what
/// [`run`] does first), so that a caller can refuse it before writing any output (a sweep
/// writes its manifest before the first run).
///
/// # Errors
/// The first semantic error, located at its key.
pub fn validate(loaded: &Loaded) -> Result<(), ScenarioError> {
    let src = build::Src {
        text: &loaded.text,
        origin: &loaded.origin,
    };
    build::build(&loaded.spec, &src).map(|_| ())
}

/// Loads the embedded scenario `name`.
///
/// # Errors
/// An unknown name, or the scenario's own error (a build defect).
pub fn load_embedded(name: &str) -> Result<Loaded, ScenarioError> {
    let (_, text) = EMBEDDED.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        ScenarioError::new(
            name,
            format!(
                "an embedded scenario ({})",
                EMBEDDED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("`{name}`"),
        )
    })?;
    load_str(text, &format!("embedded:{name}"))
}

/// Tagged tables (`kind = …`) are buffered by serde, so its error names no key: deserialise
/// each element of each tagged array alone to find the element and the key.
fn refine(text: &str, origin: &str) -> Option<ScenarioError> {
    let doc: toml::Table = text.parse().ok()?;
    tagged_element_error::<spec::ProtocolSpec>(&doc, "protocols", text, origin)
        .or_else(|| tagged_element_error::<spec::VenueSpec>(&doc, "venues", text, origin))
        .or_else(|| tagged_element_error::<spec::AgentSpec>(&doc, "agents", text, origin))
}
