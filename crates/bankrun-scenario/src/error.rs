//! The one error type of this crate: a located, human-readable description of bad input.

use std::fmt;

/// A problem with a scenario file or one of the data files it refers to.
///
/// Displayed as `<file>:<line>:<col>: `<key.path>`: expected <what>, found <what>`. The line and
/// column are 1-based; they (and the key) are omitted when unknown, e.g. when a file cannot be
/// read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file the problem is in (a path, or `embedded:<name>` for a built-in scenario).
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column (in characters), if known.
    pub col: Option<u32>,
    /// Key path of the offending value, e.g. `market.reserves[2].ltv_bps`, if known.
    pub key: Option<String>,
    /// What was expected, e.g. `a finite number >= 0`.
    pub expected: String,
    /// What was found instead, e.g. `nan`.
    pub found: String,
}

impl ScenarioError {
    /// An error with no location inside the file.
    pub fn new(
        file: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ScenarioError {
            file: file.into(),
            line: None,
            col: None,
            key: None,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Sets the key path.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets line and column (1-based).
    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        self.col = Some(u32::try_from(col).unwrap_or(u32::MAX));
        self
    }

    /// Sets line and column from a byte offset into `text`.
    pub fn at_offset(self, text: &str, offset: usize) -> Self {
        let (line, col) = line_col(text, offset);
        self.at(line, col)
    }

    /// The message without the location: `expected <what>, found <what>`.
    pub fn message(&self) -> String {
        format!("expected {}, found {}", self.expected, self.found)
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key
            && !key.is_empty()
        {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "expected {}, found {}", self.expected, self.found)
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based (line, column) of a byte offset; the column counts characters. Offsets past the end
/// (or inside a multi-byte character) are clamped.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn display_has_location_key_and_message() {
        let e = ScenarioError::new("s.toml", "a number > 0", "0")
            .with_key("chain.block_time_s")
            .at(3, 14);
        assert_eq!(
            e.to_string(),
            "s.toml:3:14: `chain.block_time_s`: expected a number > 0, found 0"
        );
        let e = ScenarioError::new("s.toml", "a readable file", "not found");
        assert_eq!(
            e.to_string(),
            "s.toml: expected a readable file, found not found"
        );
    }
}
