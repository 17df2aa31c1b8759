//! Key paths and their positions in the TOML source, from toml's span-preserving `DeTable`.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A key path such as `market.reserves[2].ltv_bps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(pub(crate) Vec<Seg>);

impl KeyPath {
    pub(crate) fn root() -> Self {
        KeyPath(Vec::new())
    }
    /// This path extended by a key.
    pub(crate) fn k(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(key.to_string()));
        KeyPath(v)
    }
    /// This path extended by an array index.
    pub(crate) fn i(&self, index: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(index));
        KeyPath(v)
    }
    fn parent(&self) -> Option<Self> {
        if self.0.is_empty() {
            None
        } else {
            Some(KeyPath(self.0[..self.0.len() - 1].to_vec()))
        }
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        && !k.is_empty()
                    {
                        f.write_str(k)?;
                    } else {
                        write!(f, "\"{}\"", k.escape_default())?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// Positions of every key and value of a parsed document.
#[derive(Debug, Default)]
pub(crate) struct SpanIndex {
    /// Path (as displayed) → byte offset of the key (or of the value, for array elements).
    by_path: HashMap<String, usize>,
    /// (span, path) of every key and every value, for offset → path lookups.
    spans: Vec<(Range<usize>, KeyPath)>,
}

impl SpanIndex {
    /// Indexes `text` (as much of it as parses).
    pub(crate) fn new(text: &str) -> Self {
        let mut idx = SpanIndex::default();
        // Best-effort recovery keeps the keys around a syntax error locatable too.
        let (root, _errors) = DeTable::parse_recoverable(text);
        idx.walk_table(root.get_ref(), &KeyPath::root());
        idx
    }

    fn walk_table(&mut self, table: &DeTable<'_>, path: &KeyPath) {
        for (key, value) in table.iter() {
            let p = path.k(key.get_ref());
            let ks = key.span();
            self.by_path.insert(p.to_string(), ks.start);
            self.spans.push((ks, p.clone()));
            self.spans.push((value.span(), p.clone()));
            self.walk_value(value.get_ref(), &p);
        }
    }

    fn walk_value(&mut self, value: &DeValue<'_>, path: &KeyPath) {
        match value {
            DeValue::Table(t) => self.walk_table(t, path),
            DeValue::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    let p = path.i(i);
                    let vs = v.span();
                    self.by_path.insert(p.to_string(), vs.start);
                    self.spans.push((vs, p.clone()));
                    self.walk_value(v.get_ref(), &p);
                }
            }
            _ => {}
        }
    }

    /// Byte offset of `path`'s key, or of its nearest ancestor present in the source (e.g. the
    /// table header when the key itself was left to its default).
    pub(crate) fn offset_of(&self, path: &KeyPath) -> Option<usize> {
        let mut p = Some(path.clone());
        while let Some(cur) = p {
            if cur.0.is_empty() {
                return None;
            }
            if let Some(&off) = self.by_path.get(&cur.to_string()) {
                return Some(off);
            }
            p = cur.parent();
        }
        None
    }

    /// The most specific key path whose key or value span contains `offset`.
    pub(crate) fn path_at(&self, offset: usize) -> Option<KeyPath> {
        self.spans
            .iter()
            .filter(|(r, _)| {
                r.start <= offset && (offset < r.end || (r.is_empty() && offset == r.start))
            })
            .min_by(|(ra, pa), (rb, pb)| {
                (ra.end - ra.start)
                    .cmp(&(rb.end - rb.start))
                    .then(pb.0.len().cmp(&pa.0.len()))
            })
            .map(|(_, p)| p.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_ancestors() {
        let t = "[a]\nx = 1\n[[a.b]]\ny = 2\n[[a.b]]\ny = 3\nz = { w = 4 }\n";
        let idx = SpanIndex::new(t);
        let off = |p: &KeyPath| idx.offset_of(p).map(|o| crate::error::line_col(t, o).0);
        let a = KeyPath::root().k("a");
        assert_eq!(off(&a.k("x")), Some(2));
        assert_eq!(off(&a.k("b").i(1).k("y")), Some(6));
        assert_eq!(off(&a.k("b").i(1).k("missing")), Some(5));
        assert_eq!(off(&a.k("b").i(1).k("z").k("w")), Some(7));
        assert_eq!(a.k("b").i(1).k("z").to_string(), "a.b[1].z");
        let at = idx.path_at(t.find("3").unwrap()).unwrap();
        assert_eq!(at.to_string(), "a.b[1].y");
        let at = idx.path_at(t.find("4").unwrap()).unwrap();
        assert_eq!(at.to_string(), "a.b[1].z.w");
    }
}
