//! The fuzz seeds and regressions on stable: every file of `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` goes through the same entry points as fuzz target `<target>`
//! (`fuzz/feed.rs`, shared by `#[path]`), which must not panic and must return `Ok` or an
//! error with a message. Every regression so far is an input bankrun must refuse, so a
//! regression must also end in an error: that is what catches an overflow coming back in a
//! `--release` test build, where it would wrap instead of panicking. See docs/fuzzing.md.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

#[path = "../../../fuzz/feed.rs"]
mod feed;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none if the directory does not exist).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable fuzz directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Feeds `file` to target `name`: `Ok`, or what is wrong (a panic, an error without a
/// message, or, when `must_refuse`, an input accepted).
fn feed_file(name: &str, run: feed::Target, file: &Path, must_refuse: bool) -> Result<(), String> {
    let bytes = std::fs::read(file).expect("a readable fuzz input");
    let outcome = catch_unwind(AssertUnwindSafe(|| run(&bytes))).map_err(|p| {
        let why = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{name}: {}: panicked: {why}", file.display())
    })?;
    match outcome {
        Err(m) if m.trim().is_empty() => Err(format!(
            "{name}: {}: an error without a message",
            file.display()
        )),
        Err(m) if must_refuse => {
            // Shown with `--nocapture`: what the user reads for this input.
            eprintln!("{name}: {}: refused: {m}", file.display());
            Ok(())
        }
        Ok(()) if must_refuse => Err(format!(
            "{name}: {}: a regression input accepted",
            file.display()
        )),
        _ => Ok(()),
    }
}

#[test]
fn seeds_and_regressions_neither_panic_nor_fail_silently() {
    let mut failures = Vec::new();
    let mut fed = 0;
    for (name, run) in feed::TARGETS {
        let seeds = inputs("seeds", name);
        assert!(!seeds.is_empty(), "fuzz/seeds/{name}/ has no seed");
        let regressions = inputs("regressions", name);
        let all = seeds.iter().map(|f| (f, false));
        for (file, must_refuse) in all.chain(regressions.iter().map(|f| (f, true))) {
            fed += 1;
            if let Err(f) = feed_file(name, *run, file, must_refuse) {
                failures.push(f);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(fed >= 20, "only {fed} fuzz inputs");
}

/// The shipped seeds are valid inputs: each loads (or merges) without error, so the fuzzer
/// starts from inputs that reach past the parsers.
#[test]
fn seeds_are_accepted() {
    let mut refused = Vec::new();
    for (name, run) in feed::TARGETS {
        for file in inputs("seeds", name) {
            let bytes = std::fs::read(&file).expect("a readable seed");
            if let Err(e) = run(&bytes) {
                refused.push(format!("{name}: {}: {e}", file.display()));
            }
        }
    }
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}
