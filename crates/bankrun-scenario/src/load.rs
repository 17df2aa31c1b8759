//! Loading: strict TOML parsing with located errors, semantic validation, price files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_chain::time::format_time;

use crate::embedded::{self, EMBEDDED};
use crate::error::ScenarioError;
use crate::locate::{KeyPath, Seg, SpanIndex};
use crate::located::{backticked_after, did_you_mean};
use crate::schema::Scenario;
use crate::stakes::StakeDistribution;
use crate::validate::{Issue, validate};

/// Name of the scenario `bankrun simulate` runs when given none.
pub const DEFAULT_SCENARIO: &str = "aave-v3-core-rseth-2026-04";

/// A parsed and validated scenario with everything the engine needs resolved.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario as written.
    pub scenario: Scenario,
    /// Where it came from: a file path, or `embedded:<name>`.
    pub origin: String,
    /// Start of the window, unix seconds.
    pub start_unix: i64,
    /// End of the window, unix seconds: `start + duration_hours × 3600`, rounded down.
    pub end_unix: i64,
    /// Unix seconds of `scenario.events[i].at` (parallel to `scenario.events`).
    pub event_at: Vec<i64>,
    /// Every feed's market price path by feed name (a constant feed is a single point).
    pub feeds: BTreeMap<String, PricePath>,
    /// The shipped Compound v2 supplier-size distribution (`compound-v2-supply`).
    pub stakes: StakeDistribution,
    /// The TOML text as read (for hashing and provenance).
    pub text: String,
}

impl LoadedScenario {
    /// The stake distribution a depositor class names (`compound-v2-supply` or `equal`).
    pub fn stake_distribution(&self, name: &str) -> StakeDistribution {
        if name == crate::stakes::EQUAL {
            StakeDistribution::equal()
        } else {
            self.stakes.clone()
        }
    }
}

/// Names of the scenarios compiled into the binary.
pub fn embedded_names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|e| e.name).collect()
}

/// Loads a scenario compiled into the binary; its price files are embedded too.
///
/// # Errors
/// An unknown name, or (a build defect) an embedded file that does not validate.
pub fn load_embedded(name: &str) -> Result<LoadedScenario, ScenarioError> {
    let Some(e) = embedded::find(name) else {
        return Err(ScenarioError::new(
            format!("embedded:{name}"),
            format!(
                "the name of an embedded scenario ({})",
                embedded_names().join(", ")
            ),
            format!("\"{name}\""),
        ));
    };
    let origin = format!("embedded:{}", e.name);
    let read = |rel: &str| -> Result<(String, String), (String, String)> {
        let want = embedded::normalise(rel);
        let display = format!("embedded:scenarios/{want}");
        e.files
            .iter()
            .find(|(p, _)| embedded::normalise(p) == want)
            .map(|(_, text)| (display.clone(), (*text).to_string()))
            .ok_or((display, "no such embedded file".to_string()))
    };
    load_with(e.toml.to_string(), &origin, &read)
}

/// Loads a scenario file; price-file paths are relative to its directory.
///
/// # Errors
/// An unreadable file, or any problem [`load_str`] reports.
pub fn load_file(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioError::new(&origin, "a readable UTF-8 scenario file", e.to_string())
    })?;
    load_str(&text, &origin, Some(path.parent().unwrap_or(Path::new(""))))
}

/// Loads a scenario from TOML text. `origin` names it in messages; price-file paths are
/// resolved against `base_dir` (the current directory when `None`).
///
/// # Errors
/// The first problem found: TOML syntax, unknown/missing keys, wrong types, semantic rules, or
/// a bad price file. Every error names the file, and where known the line, column and key.
pub fn load_str(
    text: &str,
    origin: &str,
    base_dir: Option<&Path>,
) -> Result<LoadedScenario, ScenarioError> {
    let base: PathBuf = base_dir.map(Path::to_path_buf).unwrap_or_default();
    let read = |rel: &str| -> Result<(String, String), (String, String)> {
        let p = base.join(rel);
        let display = p.display().to_string();
        match std::fs::read_to_string(&p) {
            Ok(t) => Ok((display, t)),
            Err(e) => Err((display, e.to_string())),
        }
    };
    load_with(text.to_string(), origin, &read)
}

/// A price-file reader: relative path → (display name, content) or (display name, error).
type Reader<'a> = dyn Fn(&str) -> Result<(String, String), (String, String)> + 'a;

fn load_with(
    text: String,
    origin: &str,
    read: &Reader<'_>,
) -> Result<LoadedScenario, ScenarioError> {
    let idx = SpanIndex::new(&text);
    let scenario: Scenario =
        toml::from_str(&text).map_err(|e| de_error(&e, &text, origin, &idx))?;
    let times = validate(&scenario).map_err(|i| located(i, &text, origin, &idx))?;

    let mut feeds = BTreeMap::new();
    for (i, f) in scenario.oracles.feeds.iter().enumerate() {
        let key = KeyPath::root().k("oracles").k("feeds").i(i).k("path");
        let path = match (&f.path, f.constant_usd) {
            (None, Some(c)) => {
                feeds.insert(f.name.clone(), PricePath::constant(times.start, c));
                continue;
            }
            (Some(p), _) => p,
            // validate() guarantees exactly one of the two.
            (None, None) => continue,
        };
        let (display, csv) = read(path).map_err(|(display, err)| {
            located(
                Issue {
                    path: key.clone(),
                    expected: "a readable CSV price file (relative to the scenario file)".into(),
                    found: format!("`{display}`: {err}"),
                },
                &text,
                origin,
                &idx,
            )
        })?;
        let pp = read_price_csv(&csv, &display)?;
        let (first, last) = pp.range();
        if first > times.start || last < times.end {
            return Err(located(
                Issue {
                    path: key.clone(),
                    expected: format!(
                        "a price path covering the window [{}, {}]",
                        format_time(times.start),
                        format_time(times.end)
                    ),
                    found: format!(
                        "`{display}` covering [{}, {}]",
                        format_time(first),
                        format_time(last)
                    ),
                },
                &text,
                origin,
                &idx,
            ));
        }
        feeds.insert(f.name.clone(), pp);
    }

    let stakes = StakeDistribution::compound_v2_supply()?;
    Ok(LoadedScenario {
        scenario,
        origin: origin.to_string(),
        start_unix: times.start,
        end_unix: times.end,
        event_at: times.event_at,
        feeds,
        stakes,
        text,
    })
}

/// JSON Schema of the scenario file (for `bankrun schema` and editors).
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}

/// A semantic issue, located in the source.
fn located(i: Issue, text: &str, origin: &str, idx: &SpanIndex) -> ScenarioError {
    let mut e = ScenarioError::new(origin, i.expected, i.found).with_key(i.path.to_string());
    if let Some(off) = idx.offset_of(&i.path) {
        e = e.at_offset(text, off);
    }
    e
}

/// Events are an internally tagged enum: serde buffers each one before choosing the variant, so
/// toml's error carries neither the element nor the key. Find them by deserialising the events
/// one at a time; for an error that names no key, the culprit is the key whose removal changes
/// the error. Returns (path, message).
fn refine_event_error(text: &str) -> Option<(KeyPath, String)> {
    let doc: toml::Table = text.parse().ok()?;
    let events = doc.get("events")?.as_array()?;
    let events_path = KeyPath::root().k("events");
    for (i, ev) in events.iter().enumerate() {
        let Err(err) = ev.clone().try_into::<crate::schema::Event>() else {
            continue;
        };
        let msg = err.message().trim().to_string();
        let p = events_path.i(i);
        if let Some(field) = backticked_after(&msg, "missing field ")
            .or_else(|| backticked_after(&msg, "unknown field "))
        {
            return Some((p.k(field), msg));
        }
        if msg.starts_with("unknown variant ") {
            return Some((p.k("kind"), msg));
        }
        if let Some(table) = ev.as_table() {
            for key in table.keys().filter(|k| k.as_str() != "kind") {
                let mut without = table.clone();
                without.remove(key);
                let changed = match toml::Value::Table(without).try_into::<crate::schema::Event>() {
                    Ok(_) => true,
                    Err(e2) => e2.message().trim() != msg,
                };
                if changed {
                    return Some((p.k(key), msg));
                }
            }
        }
        return Some((p, msg));
    }
    None
}

/// A toml/serde deserialisation error, located and reworded as "expected …, found …".
pub(crate) fn de_error(
    e: &toml::de::Error,
    text: &str,
    origin: &str,
    idx: &SpanIndex,
) -> ScenarioError {
    let mut msg = e.message().trim().to_string();
    let mut span = e.span();
    if toml::de::DeTable::parse(text).is_err() {
        // A TOML syntax error: located, but no key path (the recovered index would guess).
        let (expected, found) = match msg.split_once(", expected ") {
            _ if msg.starts_with("duplicate key") => {
                ("each key at most once per table".to_string(), msg.clone())
            }
            Some((found, expected)) => (expected.to_string(), found.to_string()),
            None => ("valid TOML".to_string(), msg.clone()),
        };
        let mut err = ScenarioError::new(origin, expected, found);
        if let Some(s) = span {
            err = err.at_offset(text, s.start);
        }
        return err;
    }
    let mut path = span.as_ref().and_then(|s| idx.path_at(s.start));
    if path
        .as_ref()
        .is_some_and(|p| p.0.first() == Some(&Seg::Key("events".into())))
        && let Some((p, m)) = refine_event_error(text)
    {
        if let Some(off) = idx.offset_of(&p) {
            span = Some(off..off);
        }
        path = Some(p);
        msg = m;
    }
    let push_key = |path: &mut Option<KeyPath>, key: &str| {
        let p = path.take().unwrap_or_default();
        if p.0.last() == Some(&Seg::Key(key.to_string())) {
            *path = Some(p);
        } else {
            *path = Some(p.k(key));
        }
    };
    let (expected, found) = if let Some(field) = backticked_after(&msg, "missing field ") {
        push_key(&mut path, field);
        (
            format!("the required key `{field}`"),
            "no such key".to_string(),
        )
    } else if let Some(field) = backticked_after(&msg, "unknown field ") {
        push_key(&mut path, field);
        let allowed = msg
            .split_once(", expected ")
            .map_or("a known key", |(_, a)| a);
        (
            allowed.to_string(),
            format!("unknown key `{field}`{}", did_you_mean(field, allowed)),
        )
    } else if let Some(variant) = backticked_after(&msg, "unknown variant ") {
        if path
            .as_ref()
            .is_some_and(|p| p.0.iter().any(|s| *s == Seg::Key("events".into())))
        {
            push_key(&mut path, "kind");
        }
        let allowed = msg
            .split_once(", expected ")
            .map_or("a known variant", |(_, a)| a);
        (
            allowed.to_string(),
            format!("`{variant}`{}", did_you_mean(variant, allowed)),
        )
    } else if let Some((found, expected)) = ["invalid type: ", "invalid value: ", "invalid length "]
        .iter()
        .find_map(|p| msg.strip_prefix(p))
        .and_then(|rest| rest.rsplit_once(", expected "))
    {
        (expected.to_string(), found.to_string())
    } else if let Some((found, expected)) = msg.split_once(", expected ") {
        (expected.to_string(), found.to_string())
    } else {
        ("valid scenario TOML".to_string(), msg.clone())
    };
    let mut err = ScenarioError::new(origin, plain_type(&expected), found);
    if let Some(p) = path
        && !p.0.is_empty()
    {
        err = err.with_key(p.to_string());
    }
    if let Some(s) = span {
        err = err.at_offset(text, s.start);
    }
    err
}

/// Spells serde's primitive type names for people.
fn plain_type(expected: &str) -> String {
    match expected {
        "f64" | "f32" => "a number".into(),
        "u8" => "a whole number from 0 to 255".into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" => "a whole number from 0 to 4294967295".into(),
        "u64" => "a whole number >= 0".into(),
        "a boolean" => "true or false".into(),
        other => other.into(),
    }
}
/// Reads a `timestamp,price_usd` CSV (timestamps RFC 3339 or unix seconds; prices > 0).
/// `file` names the CSV in error messages, which carry its line and column.
fn read_price_csv(text: &str, file: &str) -> Result<PricePath, ScenarioError> {
    let mut paths = read_csv(text, file, &CsvFormat::PRICE_USD).map_err(|e| {
        let err = ScenarioError::new(file, e.expected, e.found).at(e.line.max(1), 1);
        if e.column.is_empty() {
            err
        } else {
            err.with_key(e.column)
        }
    })?;
    // One column asked, so one path (`read_csv` returns one per column).
    Ok(paths.swap_remove(0))
}

/// The TOML text of embedded scenario `name` and the data files it refers to, as
/// `(relative path written in the TOML, content)`: what `bankrun scenarios --export` writes.
pub fn embedded_files(name: &str) -> Option<(&'static str, Vec<(&'static str, &'static str)>)> {
    embedded::find(name).map(|e| (e.toml, e.files.to_vec()))
}
