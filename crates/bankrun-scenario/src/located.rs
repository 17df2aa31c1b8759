//! Located parsing for any scenario schema: the same file:line:col:key errors, with "did you
//! mean" for misspelt keys, that the Aave scenario loader gives, for other scenario formats
//! (the one-world scenarios of `bankrun-world`).

use serde::de::DeserializeOwned;

use crate::error::ScenarioError;
use crate::load::de_error;
use crate::locate::{KeyPath, SpanIndex};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Parses `text` (named `origin` in messages) as `T`.
///
/// # Errors
/// A [`ScenarioError`] located at the offending line, column and key, with the allowed keys
/// and, for a misspelt key, the closest one.
pub fn parse_located<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, ScenarioError> {
    let idx = SpanIndex::new(text);
    toml::from_str(text).map_err(|e| de_error(&e, text, origin, &idx))
}

/// An error about the value at `path` in `text`, located at its line and column when the key
/// exists there.
pub fn error_at(
    text: &str,
    origin: &str,
    path: &[PathStep],
    expected: impl Into<String>,
    found: impl Into<String>,
) -> ScenarioError {
    let mut kp = KeyPath::root();
    for step in path {
        kp = match step {
            PathStep::Key(k) => kp.k(k),
            PathStep::Index(i) => kp.i(*i),
        };
    }
    let idx = SpanIndex::new(text);
    let mut e = ScenarioError::new(origin, expected, found).with_key(kp.to_string());
    if let Some(off) = idx.offset_of(&kp) {
        e = e.at_offset(text, off);
    }
    e
}

/// For a format whose array `key` holds tables tagged by `kind`: serde buffers each tagged
/// table, so its error names no key. Deserialising each element of `doc[key]` alone as `T`
/// finds the element and the key, located in `text`.
pub fn tagged_element_error<T: DeserializeOwned>(
    doc: &toml::Table,
    key: &str,
    text: &str,
    origin: &str,
) -> Option<ScenarioError> {
    for (i, el) in doc.get(key)?.as_array()?.iter().enumerate() {
        let Err(err) = el.clone().try_into::<T>() else {
            continue;
        };
        let msg = err.message().trim().to_string();
        let mut path = vec![PathStep::Key(key.to_string()), PathStep::Index(i)];
        let field = backticked_after(&msg, "unknown field ")
            .or_else(|| backticked_after(&msg, "missing field "));
        let (expected, found) = match (field, msg.split_once(", expected ")) {
            (Some(f), Some((_, allowed))) => {
                // The key may sit in a nested table or array of the element.
                path.extend(find_key(el, f).unwrap_or_else(|| vec![PathStep::Key(f.to_string())]));
                let hint = did_you_mean(f, allowed);
                (allowed.to_string(), format!("unknown key `{f}`{hint}"))
            }
            (Some(f), None) => {
                path.push(PathStep::Key(f.to_string()));
                (format!("the required key `{f}`"), "no such key".to_string())
            }
            (None, Some((found, allowed))) if msg.starts_with("unknown variant") => {
                path.push(PathStep::Key("kind".into()));
                let v = backticked_after(&msg, "unknown variant ").unwrap_or(found);
                (
                    allowed.to_string(),
                    format!("`{v}`{}", did_you_mean(v, allowed)),
                )
            }
            (None, Some((found, allowed))) => {
                path.extend(culprit::<T>(el).map(PathStep::Key));
                (allowed.to_string(), found.to_string())
            }
            (None, None) => ("a valid table".to_string(), msg.clone()),
        };
        return Some(error_at(text, origin, &path, expected, found));
    }
    None
}

/// The key of table `el` whose value fails with an error naming no key (e.g. a wrong type or
/// length): the one key without which the error is gone (the element then deserialises, or
/// only misses that key). `None` if no single key is found.
fn culprit<T: DeserializeOwned>(el: &toml::Value) -> Option<String> {
    let table = el.as_table()?;
    // `kind` is the tag: without it every element fails as "missing field `kind`".
    let mut found = table.keys().filter(|k| *k != "kind").filter(|k| {
        let mut rest = table.clone();
        rest.remove(k.as_str());
        match toml::Value::Table(rest).try_into::<T>() {
            Ok(_) => true,
            Err(e) => e.message().contains(&format!("missing field `{k}`")),
        }
    });
    let k = found.next()?;
    found.next().is_none().then(|| k.clone())
}

/// The path, inside `v`, of the first key named `key` (depth-first, in document order).
fn find_key(v: &toml::Value, key: &str) -> Option<Vec<PathStep>> {
    match v {
        toml::Value::Table(t) => {
            if t.contains_key(key) {
                return Some(vec![PathStep::Key(key.to_string())]);
            }
            t.iter().find_map(|(k, child)| {
                let mut p = find_key(child, key)?;
                p.insert(0, PathStep::Key(k.clone()));
                Some(p)
            })
        }
        toml::Value::Array(a) => a.iter().enumerate().find_map(|(i, child)| {
            let mut p = find_key(child, key)?;
            p.insert(0, PathStep::Index(i));
            Some(p)
        }),
        _ => None,
    }
}

/// The text between the first pair of backticks after `prefix`.
pub(crate) fn backticked_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = msg.strip_prefix(prefix)?.strip_prefix('`')?;
    Some(&rest[..rest.find('`')?])
}

/// ` (did you mean `x`?)` for the allowed name (backticked in serde's `allowed` list) closest
/// to a misspelt `name`, when one is close (normalised Damerau-Levenshtein similarity ≥ 0.7);
/// empty otherwise.
pub(crate) fn did_you_mean(name: &str, allowed: &str) -> String {
    allowed
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|cand| (strsim::normalized_damerau_levenshtein(name, cand), cand))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, cand)| format!(" (did you mean `{cand}`?)"))
        .unwrap_or_default()
}

/// The string value of `key` in the `[scenario]` table, read line by line: for telling the
/// scenario format of a file that is not valid TOML, so that its own loader reports where it
/// is broken. `None` if there is no such line.
pub fn scenario_value_by_line(text: &str, key: &str) -> Option<String> {
    let mut in_scenario = false;
    for line in text.lines() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.starts_with('[') {
            in_scenario = t == "[scenario]";
        } else if let Some((k, v)) = t.split_once('=')
            && in_scenario
            && k.trim() == key
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        decimals: u8,
    }

    #[test]
    fn misspelt_key_is_located_with_a_suggestion() {
        let text = "name = \"x\"\n\n[[items]]\ndecimal = 6\n";
        let e = parse_located::<T>(text, "w.toml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("w.toml:4:"), "{msg}");
        assert!(msg.contains("did you mean `decimals`?"), "{msg}");
    }

    #[test]
    fn error_at_finds_array_elements() {
        let text = "name = \"x\"\n\n[[items]]\ndecimals = 6\n\n[[items]]\ndecimals = 7\n";
        let path = [
            PathStep::Key("items".into()),
            PathStep::Index(1),
            PathStep::Key("decimals".into()),
        ];
        let e = error_at(text, "w.toml", &path, "at most 6", "7");
        assert_eq!(e.line, Some(7));
        assert_eq!(e.key.as_deref(), Some("items[1].decimals"));
    }
}
