//! The output-directory contract shared by every `bankrun` command that writes a directory
//! (`simulate` for Aave and spiral scenarios, `collateral-at-risk`):
//!
//! * everything is written into the sibling `<out>.partial-<pid>`, whose first file is the
//!   marker [`MARKER`] (`bankrun <version>` and the command); the partial directory is
//!   renamed to `out` only when complete, so `out` never holds a half-written run;
//! * an existing `out` is replaced only if it is empty or carries the marker (bankrun made
//!   it). A non-empty directory without the marker, a file or a symbolic link is refused
//!   ([`OutputDirError::Refused`], bad input) and left untouched;
//! * marked `<out>.partial-*` siblings left by killed runs are removed at the start of the
//!   next run into the same `out`;
//! * default paths are built with [`default_out_dir`], which keeps a scenario name (from an
//!   untrusted file) from naming a path outside the output root.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Name of the marker file bankrun writes first into every output directory it creates.
pub const MARKER: &str = ".bankrun-output";

/// Why an output directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputDirError {
    /// `path` is not bankrun's to replace (bad input: choose another `--out`).
    #[error("refusing to write to {}: {reason}", path.display())]
    Refused {
        /// The refused output path.
        path: PathBuf,
        /// Why, e.g. "a non-empty directory that bankrun did not create".
        reason: String,
    },
    /// A file-system operation failed on `path`.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory the operation was applied to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl OutputDirError {
    /// Whether this is a refusal (bad input, exit code 2) rather than an I/O failure.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn refused(path: &Path, reason: &str) -> Self {
        Self::Refused {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// `root/<stem>` with `stem` made a single safe path component: every character outside
/// `[A-Za-z0-9._-]` becomes `_`, leading dots become `_` (so `.`, `..` and hidden names
/// cannot occur) and an empty stem becomes `unnamed`. The result is always a direct child of
/// `root`, whatever the scenario file says its name is.
pub fn default_out_dir(root: &str, stem: &str) -> PathBuf {
    Path::new(root).join(sanitize_component(stem))
}

/// `stem` as a single safe path component (see [`default_out_dir`]).
pub fn sanitize_component(stem: &str) -> String {
    let mut leading = true;
    let s: String = stem
        .chars()
        .map(|c| {
            let keep = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
            let c = if keep { c } else { '_' };
            if leading && c == '.' {
                return '_';
            }
            leading = false;
            c
        })
        .collect();
    if s.is_empty() { "unnamed".into() } else { s }
}

/// Checks that `out` may be (re)placed by bankrun: it does not exist, or it is a directory
/// (not a symbolic link) that is empty or carries [`MARKER`]. Call it before a long run so
/// a refusal comes first; [`write_atomically`] checks again.
///
/// # Errors
/// [`OutputDirError::Refused`] naming `out`, or [`OutputDirError::Io`] if `out` cannot be
/// inspected.
pub fn check_replaceable(out: &Path) -> Result<(), OutputDirError> {
    if out.file_name().is_none() {
        return Err(OutputDirError::refused(
            out,
            "the path has no directory name",
        ));
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutputDirError::io(out, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(OutputDirError::refused(out, "it is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(OutputDirError::refused(
            out,
            "it exists and is not a directory",
        ));
    }
    if is_marked(out) || is_empty_dir(out)? {
        return Ok(());
    }
    Err(OutputDirError::refused(
        out,
        &format!(
            "it is a non-empty directory that bankrun did not create (no {MARKER} file); \
             remove it or choose another --out"
        ),
    ))
}

/// Runs `write` on a fresh partial directory `<out>.partial-<pid>` (created with its
/// missing parents; [`MARKER`] holding `bankrun <version>` and `command` is written into it
/// first) and renames it to `out` if `write` succeeds, replacing a previous `out` that
/// [`check_replaceable`] accepts. Marked `<out>.partial-*` leftovers of killed runs are
/// removed first. If anything fails, the partial directory is removed and a previous `out`
/// is left as it was.
///
/// # Errors
/// [`OutputDirError`] (converted into `E`) for a refused `out` or a file-system failure,
/// and whatever `write` returns.
pub fn write_atomically<T, E: From<OutputDirError>>(
    out: &Path,
    command: &str,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    check_replaceable(out)?;
    remove_stale_partials(out)?;
    let partial = sibling(out, &format!(".partial-{}", std::process::id()));
    if let Some(parent) = partial.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| OutputDirError::io(parent, e))?;
    }
    fs::create_dir(&partial).map_err(|e| OutputDirError::io(&partial, e))?;
    let marker = format!("bankrun {}\n{command}\n", env!("CARGO_PKG_VERSION"));
    let outcome = fs::write(partial.join(MARKER), marker)
        .map_err(|e| E::from(OutputDirError::io(&partial.join(MARKER), e)))
        .and_then(|()| write(&partial))
        .and_then(|value| {
            replace_dir(&partial, out)?;
            Ok(value)
        });
    if outcome.is_err() {
        // Best effort: the original error is more useful than a cleanup error, and a marked
        // leftover is removed by the next run anyway.
        let _ = fs::remove_dir_all(&partial);
    }
    outcome
}

/// `out` with `suffix` appended to its final component.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    out.with_file_name(name)
}

fn is_marked(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

fn is_empty_dir(dir: &Path) -> Result<bool, OutputDirError> {
    let mut entries = fs::read_dir(dir).map_err(|e| OutputDirError::io(dir, e))?;
    Ok(entries.next().is_none())
}

/// Removes marked `<out>.partial-<pid>…` siblings whose process is not running (a run of
/// this process, or any pid on systems without `/proc`). Unmarked look-alikes are not
/// bankrun's and are kept.
fn remove_stale_partials(out: &Path) -> Result<(), OutputDirError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let prefix = out
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| format!("{n}.partial-"));
    let (Some(prefix), Ok(entries)) = (prefix, fs::read_dir(parent)) else {
        // A non-UTF-8 name or a missing parent: nothing of ours to clean.
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let digits: String = pid.chars().take_while(char::is_ascii_digit).collect();
        let path = entry.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if digits.is_empty() || !is_dir || !is_marked(&path) || is_running_elsewhere(&digits) {
            continue;
        }
        fs::remove_dir_all(&path).map_err(|e| OutputDirError::io(&path, e))?;
    }
    Ok(())
}

/// Whether process `pid` is alive and is not this process (Linux: `/proc/<pid>` exists).
fn is_running_elsewhere(pid: &str) -> bool {
    pid != std::process::id().to_string() && Path::new("/proc").join(pid).exists()
}

/// Moves a previous `out` aside (into a marked `.partial-` sibling, so a kill here leaves
/// only something the next run cleans), renames `partial` to `out`, then deletes the old
/// directory.
fn replace_dir(partial: &Path, out: &Path) -> Result<(), OutputDirError> {
    check_replaceable(out)?;
    let old = sibling(out, &format!(".partial-{}.old", std::process::id()));
    let moved = match fs::symlink_metadata(out) {
        Err(_) => false,
        // Empty (unmarked): `remove_dir` fails rather than delete something written since.
        Ok(_) if !is_marked(out) => {
            fs::remove_dir(out).map_err(|e| OutputDirError::io(out, e))?;
            false
        }
        Ok(_) => {
            fs::rename(out, &old).map_err(|e| OutputDirError::io(out, e))?;
            true
        }
    };
    if let Err(e) = fs::rename(partial, out) {
        if moved {
            let _ = fs::rename(&old, out);
        }
        return Err(OutputDirError::io(out, e));
    }
    if moved {
        fs::remove_dir_all(&old).map_err(|e| OutputDirError::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_one(out: &Path) -> Result<(), OutputDirError> {
        write_atomically(out, "test", |dir| -> Result<(), OutputDirError> {
            fs::write(dir.join("new.txt"), "new").map_err(|e| OutputDirError::io(dir, e))
        })
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn failed_write_removes_partial_and_creates_no_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let err = write_atomically(&out, "test", |dir| -> Result<(), OutputDirError> {
            fs::write(dir.join("half.csv"), "a,b\n").unwrap();
            Err(OutputDirError::refused(dir, "fails"))
        })
        .unwrap_err();
        assert!(err.is_refusal());
        assert!(!out.exists());
        assert!(listing(tmp.path()).is_empty(), "partial directory left");
    }

    #[test]
    fn failed_write_keeps_previous_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        write_one(&out).unwrap();
        fs::write(out.join("new.txt"), "previous").unwrap();
        let failing =
            |dir: &Path| -> Result<(), OutputDirError> { Err(OutputDirError::refused(dir, "x")) };
        write_atomically(&out, "test", failing).unwrap_err();
        assert_eq!(fs::read_to_string(out.join("new.txt")).unwrap(), "previous");
        assert_eq!(listing(tmp.path()), ["run"]);
    }

    #[test]
    fn new_directory_is_marked_and_a_marked_one_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/run");
        write_one(&out).unwrap();
        assert_eq!(listing(&out), [MARKER, "new.txt"]);
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(marker.starts_with("bankrun ") && marker.ends_with("test\n"));
        fs::write(out.join("stale.txt"), "old").unwrap();
        write_one(&out).unwrap();
        assert_eq!(listing(&out), [MARKER, "new.txt"]);
        assert_eq!(listing(&tmp.path().join("a/b")), ["run"]);
    }

    #[test]
    fn empty_directory_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        fs::create_dir(&out).unwrap();
        write_one(&out).unwrap();
        assert_eq!(listing(&out), [MARKER, "new.txt"]);
    }

    #[test]
    fn foreign_directory_file_and_symlink_are_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("mine");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("thesis.tex"), "precious").unwrap();
        let err = write_one(&dir).unwrap_err();
        assert!(
            err.is_refusal() && err.to_string().contains("mine"),
            "{err}"
        );
        assert_eq!(listing(&dir), ["thesis.tex"]);
        assert_eq!(
            fs::read_to_string(dir.join("thesis.tex")).unwrap(),
            "precious"
        );
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        assert!(write_one(&file).unwrap_err().is_refusal());
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert!(write_one(&link).unwrap_err().is_refusal());
        assert_eq!(listing(tmp.path()), ["file", "link", "mine"]);
    }

    #[test]
    fn stale_marked_partials_are_removed_and_foreign_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        // Pids above Linux's maximum (2^22) never run.
        for name in ["run.partial-999999999", "run.partial-999999998.old"] {
            fs::create_dir(tmp.path().join(name)).unwrap();
            fs::write(tmp.path().join(name).join(MARKER), "bankrun").unwrap();
        }
        fs::create_dir(tmp.path().join("run.partial-999999997")).unwrap();
        fs::create_dir(tmp.path().join("other.partial-999999996")).unwrap();
        fs::write(tmp.path().join("other.partial-999999996").join(MARKER), "").unwrap();
        write_one(&out).unwrap();
        assert_eq!(
            listing(tmp.path()),
            ["other.partial-999999996", "run", "run.partial-999999997"]
        );
    }

    #[test]
    fn names_cannot_escape_the_root() {
        for (name, want) in [
            ("../escape", "___escape"),
            ("/abs", "_abs"),
            ("a/b", "a_b"),
            ("", "unnamed"),
            ("..", "__"),
            (".", "_"),
            ("ok-name_1.0", "ok-name_1.0"),
            ("a\\b c", "a_b_c"),
        ] {
            assert_eq!(sanitize_component(name), want, "{name:?}");
            let p = default_out_dir("bankrun-out", name);
            assert_eq!(p.parent(), Some(Path::new("bankrun-out")));
        }
    }
}
