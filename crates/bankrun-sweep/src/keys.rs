//! Dotted scenario keys (`market.reserves.WETH.variable_rate_slope2_bps`) applied to the TOML
//! document with `toml_edit`, which keeps every other byte (comments, layout, line numbers) of
//! the file as written.
//!
//! A key is split on `.`; inside an array of tables the next segment selects an element by
//! its identifying key (`symbol`, `class`, `name`, `label`, `feed` or `key`, whichever the
//! element has) or by a 0-based index.

use toml_edit::{DocumentMut, Item, Table, Value};

/// Keys whose value identifies an array element; a sweep may not change them.
pub const ID_KEYS: [&str; 6] = ["symbol", "class", "name", "label", "feed", "key"];

/// A value to set.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A number (written as an integer when the key holds an integer: rounded half away from
    /// zero).
    Num(f64),
    /// true / false.
    Bool(bool),
    /// A string.
    Str(String),
}

impl Val {
    /// Parses a literal of a `--vary` list: a number, `true`/`false`, or else a string
    /// (optionally in double quotes).
    pub fn parse(s: &str) -> Val {
        let s = s.trim();
        if let Ok(x) = s.parse::<f64>() {
            return Val::Num(x);
        }
        match s {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => Val::Str(s.trim_matches('"').to_string()),
        }
    }

    /// The value as shown in tables (shortest round-trip form for numbers).
    pub fn display(&self) -> String {
        match self {
            Val::Num(x) => format!("{x}"),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => s.clone(),
        }
    }
}

fn id_of_value(v: &Value) -> Option<&str> {
    let t = v.as_inline_table()?;
    ID_KEYS
        .iter()
        .find_map(|k| t.get(k).and_then(Value::as_str))
}

/// Index of the element `seg` (an id or a 0-based index) among `ids`.
fn pick(ids: &[Option<&str>], seg: &str, key: &str, here: &str) -> Result<usize, String> {
    if let Ok(i) = seg.parse::<usize>() {
        if i < ids.len() {
            return Ok(i);
        }
        return Err(format!(
            "`{key}`: expected an index < {} in `{here}`, found {i}",
            ids.len()
        ));
    }
    let hits: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == Some(seg)).collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "`{key}`: expected an element of `{here}` named by its symbol/class/name/label or an index ({}), found `{seg}`",
            ids.iter()
                .map(|s| s.unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => Err(format!(
            "`{key}`: expected one element of `{here}` named `{seg}`, found {} (use an index)",
            hits.len()
        )),
    }
}

/// A mutable position in the document.
enum Node<'a> {
    Table(&'a mut Table),
    Inline(&'a mut toml_edit::InlineTable),
}

/// Sets `key` to `val` in `doc`. The last segment may be a key the table does not spell out
/// (a field left to its default); every other segment must exist.
///
/// # Errors
/// A message naming the key and what was expected, e.g. an unknown reserve symbol.
pub fn set(doc: &mut DocumentMut, key: &str, val: &Val) -> Result<(), String> {
    let segs: Vec<&str> = key.split('.').collect();
    if segs.iter().any(|s| s.trim().is_empty()) {
        return Err(format!(
            "`{key}`: expected a dotted key such as market.reserves.WETH.ltv_bps, found an empty segment"
        ));
    }
    let Some((last, path)) = segs.split_last() else {
        return Err(format!("`{key}`: expected a dotted key, found nothing"));
    };
    if ID_KEYS.contains(last) {
        return Err(format!(
            "`{key}`: expected a parameter, found the identifying key `{last}` (symbols and names cannot be swept)"
        ));
    }
    let mut node = Node::Table(doc.as_table_mut());
    let mut here = String::from("the scenario");
    let mut i = 0;
    while i < path.len() {
        let seg = path[i];
        let next_here = if i == 0 {
            seg.to_string()
        } else {
            format!("{here}.{seg}")
        };
        node = match node {
            Node::Table(t) => {
                let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
                match t.get_mut(seg) {
                    Some(Item::Table(t)) => Node::Table(t),
                    Some(Item::Value(Value::InlineTable(t))) => Node::Inline(t),
                    Some(Item::ArrayOfTables(a)) => {
                        let Some(sel) = path.get(i + 1).copied() else {
                            return Err(format!(
                                "`{key}`: expected an element of `{next_here}` (a symbol/name or index) before the parameter, found `{last}`"
                            ));
                        };
                        let ids: Vec<Option<&str>> = a
                            .iter()
                            .map(|t| ID_KEYS.iter().find_map(|k| t.get(k).and_then(Item::as_str)))
                            .collect();
                        let j = pick(&ids, sel, key, &next_here)?;
                        i += 1;
                        match a.get_mut(j) {
                            Some(t) => Node::Table(t),
                            None => return Err(format!("`{key}`: no element {j}")),
                        }
                    }
                    Some(Item::Value(Value::Array(a))) => {
                        let Some(sel) = path.get(i + 1).copied() else {
                            return Err(format!(
                                "`{key}`: expected an element of `{next_here}` before the parameter, found `{last}`"
                            ));
                        };
                        let ids: Vec<Option<&str>> = a.iter().map(id_of_value).collect();
                        let j = pick(&ids, sel, key, &next_here)?;
                        i += 1;
                        match a.get_mut(j) {
                            Some(Value::InlineTable(t)) => Node::Inline(t),
                            _ => {
                                return Err(format!(
                                    "`{key}`: expected a table at `{next_here}.{sel}`, found a value"
                                ));
                            }
                        }
                    }
                    Some(_) => {
                        return Err(format!(
                            "`{key}`: expected a table at `{next_here}`, found a value"
                        ));
                    }
                    None => {
                        return Err(format!(
                            "`{key}`: expected a key of {here} ({}), found `{seg}`",
                            keys.join(", ")
                        ));
                    }
                }
            }
            Node::Inline(t) => match t.get_mut(seg) {
                Some(Value::InlineTable(t)) => Node::Inline(t),
                Some(Value::Array(a)) => {
                    let Some(sel) = path.get(i + 1).copied() else {
                        return Err(format!(
                            "`{key}`: expected an element of `{next_here}` before the parameter"
                        ));
                    };
                    let ids: Vec<Option<&str>> = a.iter().map(id_of_value).collect();
                    let j = pick(&ids, sel, key, &next_here)?;
                    i += 1;
                    match a.get_mut(j) {
                        Some(Value::InlineTable(t)) => Node::Inline(t),
                        _ => {
                            return Err(format!(
                                "`{key}`: expected a table at `{next_here}.{sel}`, found a value"
                            ));
                        }
                    }
                }
                Some(_) => {
                    return Err(format!(
                        "`{key}`: expected a table at `{next_here}`, found a value"
                    ));
                }
                None => return Err(format!("`{key}`: expected a key of {here}, found `{seg}`")),
            },
        };
        here = path[..=i].join(".");
        i += 1;
    }
    match node {
        Node::Table(t) => {
            let old = match t.get(last) {
                Some(Item::Value(v)) => Some(v.clone()),
                Some(Item::None) | None => None,
                Some(_) => return Err(format!("`{key}`: expected a parameter, found a table")),
            };
            let v = new_value(old.as_ref(), val, key)?;
            t.insert(last, Item::Value(v));
        }
        Node::Inline(t) => {
            let old = t.get(last).cloned();
            if old
                .as_ref()
                .is_some_and(|v| v.is_inline_table() || v.is_array())
            {
                return Err(format!(
                    "`{key}`: expected a parameter, found a table or array"
                ));
            }
            let v = new_value(old.as_ref(), val, key)?;
            t.insert(*last, v);
        }
    }
    Ok(())
}

/// The new value, with the type of the old one (an integer key gets a rounded number) and its
/// surrounding whitespace and comment.
fn new_value(old: Option<&Value>, val: &Val, key: &str) -> Result<Value, String> {
    let mut v = match (val, old) {
        (Val::Num(x), Some(Value::Integer(_))) => {
            let r = x.round();
            if !r.is_finite() || r.abs() > 9.0e15 {
                return Err(format!("`{key}`: expected an integer, found {x}"));
            }
            Value::from(r as i64)
        }
        (Val::Num(x), Some(Value::Float(_)) | None) => Value::from(*x),
        (Val::Bool(b), Some(Value::Boolean(_)) | None) => Value::from(*b),
        (Val::Str(s), Some(Value::String(_)) | None) => Value::from(s.as_str()),
        (v, Some(old)) => {
            return Err(format!(
                "`{key}`: expected a value of the key's type ({}), found {}",
                old.type_name(),
                v.display()
            ));
        }
    };
    if let Some(old) = old {
        *v.decor_mut() = old.decor().clone();
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[behaviour]\nw_news = 1.0 # note\n\n[[market.reserves]]\nsymbol = \"WETH\"\nltv_bps = 8050\n\n[[market.reserves]]\nsymbol = \"USDC\"\nltv_bps = 7500\n\n[[depositors]]\nclass = \"whale\"\nthreshold_median = 0.6\n\n[stochastic]\nprices = [{ feed = \"ETH\", model = \"gbm\", mu = 0.0, sigma = 0.5 }]\n";

    fn apply(key: &str, v: Val) -> Result<String, String> {
        let mut d: DocumentMut = DOC.parse().unwrap();
        set(&mut d, key, &v)?;
        Ok(d.to_string())
    }

    #[test]
    fn sets_by_symbol_class_and_index_keeping_layout() {
        let t = apply("market.reserves.USDC.ltv_bps", Val::Num(7000.4)).unwrap();
        assert!(t.contains("symbol = \"USDC\"\nltv_bps = 7000\n"), "{t}");
        assert!(t.contains("ltv_bps = 8050"));
        let t = apply("market.reserves.0.ltv_bps", Val::Num(8000.0)).unwrap();
        assert!(t.contains("ltv_bps = 8000\n"), "{t}");
        let t = apply("behaviour.w_news", Val::Num(2.5)).unwrap();
        assert!(t.contains("w_news = 2.5 # note\n"), "{t}");
        let t = apply("depositors.whale.threshold_median", Val::Num(0.9)).unwrap();
        assert!(t.contains("threshold_median = 0.9"), "{t}");
        let t = apply("stochastic.prices.ETH.sigma", Val::Num(0.9)).unwrap();
        assert!(t.contains("sigma = 0.9"), "{t}");
        assert_eq!(t.lines().count(), DOC.lines().count());
    }

    #[test]
    fn errors_name_the_key_and_the_choices() {
        let e = apply("market.reserves.DAI.ltv_bps", Val::Num(1.0)).unwrap_err();
        assert!(
            e.contains("`market.reserves.DAI.ltv_bps`") && e.contains("WETH, USDC"),
            "{e}"
        );
        let e = apply("behavior.w_news", Val::Num(1.0)).unwrap_err();
        assert!(
            e.contains("found `behavior`") && e.contains("behaviour"),
            "{e}"
        );
        let e = apply("market.reserves.WETH.symbol", Val::Str("X".into())).unwrap_err();
        assert!(e.contains("identifying key"), "{e}");
        let e = apply("behaviour.w_news", Val::Bool(true)).unwrap_err();
        assert!(
            e.contains("expected a value of the key's type (float)"),
            "{e}"
        );
        let e = apply("market.reserves.5.ltv_bps", Val::Num(1.0)).unwrap_err();
        assert!(e.contains("index < 2"), "{e}");
    }
}
