//! What each fuzz target does with its bytes: one function per target, feeding them through
//! bankrun's real public entry points. Shared (by `#[path]` include) by the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs`, nightly) and the stable regression test that CI runs
//! (`crates/bankrun-sweep/tests/fuzz_corpus.rs`), so both check the same thing.
//!
//! The property: no panic, no overflow, no unbounded allocation or hang; every input ends in
//! `Ok` or in an error whose message is not empty ([`check`]). Files a loader needs on disk
//! are written to a per-process scratch directory ([`scratch`]), never into the repository.
//! Non-UTF-8 bytes are read lossily (U+FFFD), so every mutation reaches the parsers.

// Each fuzz target uses one of these functions; the others are dead code in its binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_sweep::design::{self, Design};
use bankrun_sweep::fit::{self, FitModel};
use bankrun_sweep::keys;

/// What a target returns: `Ok`, or the message bankrun would print for the input.
pub type Outcome = Result<(), String>;

/// A target: bytes in, outcome out.
pub type Target = fn(&[u8]) -> Outcome;

/// Every target by name (the names of `fuzz/fuzz_targets/*.rs` and of `fuzz/seeds/*`).
pub const TARGETS: &[(&str, Target)] = &[
    ("scenario_aave", scenario_aave),
    ("scenario_spiral", scenario_spiral),
    ("scenario_world", scenario_world),
    ("price_csv", price_csv),
    ("vary", vary),
    ("merge", merge),
];

/// The property every target asserts: an error carries a message.
///
/// # Panics
/// On an error with an empty (or blank) message.
pub fn check(outcome: Outcome) {
    if let Err(m) = outcome {
        assert!(!m.trim().is_empty(), "an error without a message");
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn msg(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// An empty message among `errors` (the failure to report), else the first error, else `Ok`.
fn first_error(errors: Vec<String>) -> Outcome {
    if let Some(m) = errors.iter().find(|m| m.trim().is_empty()) {
        return Err(m.clone());
    }
    errors.into_iter().next().map_or(Ok(()), Err)
}

/// Held by a target while it writes and reads its scratch files: the stable test may run
/// targets on several threads of one process (and one scratch directory).
fn scratch_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("creating a fuzz scratch directory");
    }
    std::fs::write(path, bytes).expect("writing a fuzz scratch file");
}

/// The chunk files of a real two-path sweep of `cross-protocol-xyz` (`--chunk-size 1`), which
/// the `merge` seeds' manifests record with their hashes.
const CHUNKS: [(&str, &[u8]); 2] = [
    (
        "chunk-000000.parquet",
        include_bytes!("fixtures/merge/paths/chunk-000000.parquet"),
    ),
    (
        "chunk-000001.parquet",
        include_bytes!("fixtures/merge/paths/chunk-000001.parquet"),
    ),
];

/// A scratch directory of this process (`$TMPDIR/bankrun-fuzz-<pid>`), made once:
/// - `aave/`: the data files of the embedded Aave scenarios, so a scenario's price paths
///   resolve as in `bankrun scenarios --export`;
/// - `merge/shard0`, `merge/shard1`: sweep directories holding [`CHUNKS`] (their
///   `manifest.json` is the input).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("bankrun-fuzz-{}", std::process::id()));
        for name in bankrun_scenario::embedded_names() {
            for (rel, content) in bankrun_scenario::embedded_files(name).map_or(vec![], |e| e.1) {
                write(&dir.join("aave").join(rel), content.as_bytes());
            }
        }
        for shard in ["shard0", "shard1"] {
            for (name, bytes) in CHUNKS {
                write(
                    &dir.join("merge").join(shard).join("paths").join(name),
                    bytes,
                );
            }
        }
        dir
    })
}

/// `scenario_aave`: the Aave scenario loader as `bankrun simulate FILE` runs it
/// (`bankrun_scenario::load_str`, price files relative to the scratch copy of the shipped data).
pub fn scenario_aave(data: &[u8]) -> Outcome {
    let dir = scratch().join("aave");
    bankrun_scenario::load_str(&text(data), "fuzz.toml", Some(&dir))
        .map(drop)
        .map_err(msg)
}

/// `scenario_spiral`: the spiral loader (`bankrun_spiral::spec::parse`) and the inputs a run
/// reads next: the gas model, and the Maker price path or the Compound price paths and stress
/// ramp. Data files are the embedded ones (`dir = None`, no disk). The Compound book (630 KB,
/// fixed) is not read here; `price_csv` fuzzes its reader.
pub fn scenario_spiral(data: &[u8]) -> Outcome {
    let l = bankrun_spiral::spec::parse(&text(data), "fuzz.toml", None).map_err(msg)?;
    bankrun_spiral::runner::gas_model(&l).map_err(msg)?;
    if l.spec.scenario.protocol == "maker" {
        bankrun_spiral::maker::inputs(&l).map_err(msg)?;
    } else {
        bankrun_spiral::compound::price_paths(&l).map_err(msg)?;
        // The stressed run reads the ramp at every block from the start on.
        let start = bankrun_chain::time::parse_time(&l.spec.scenario.start).map_err(msg)?;
        for t in [start, start.saturating_add(3600)] {
            bankrun_spiral::compound::stress_factor(&l, true, t);
        }
    }
    Ok(())
}

/// Most agents of a `scenario_world` input that is built and run (larger worlds are only
/// parsed: building a million passive agents is a legitimate, slow scenario, not a bug).
const WORLD_MAX_AGENTS: u64 = 64;

/// `scenario_world`: the one-world loader (`bankrun_world::scenario::load_str`), then, for a
/// small world, building it and running at most two blocks (`scenario::run`), where every
/// reference and value is checked.
pub fn scenario_world(data: &[u8]) -> Outcome {
    use bankrun_world::scenario::{self, MAX_BLOCKS, spec::AgentSpec};
    let mut l = scenario::load_str(&text(data), "fuzz.toml").map_err(msg)?;
    let agents: u64 = l
        .spec
        .agents
        .iter()
        .map(|a| match a {
            AgentSpec::Passive { count, .. } => u64::from(*count),
            _ => 1,
        })
        .sum();
    if agents > WORLD_MAX_AGENTS {
        return Ok(());
    }
    let blocks = &mut l.spec.scenario.blocks;
    if *blocks <= MAX_BLOCKS {
        *blocks = (*blocks).min(2);
    }
    scenario::run(&l, None, &mut |_, _| {})
        .map(drop)
        .map_err(msg)
}

/// The Compound v2 book columns of the embedded `compound-v2-book-2023` scenario's prices.
const COMPOUND_COLUMNS: &[&str] = &["ETH", "BTC", "BAT", "ZRX", "UNI", "COMP", "LINK"];

/// `price_csv`: every price / series CSV reader. The first byte modulo 6 picks the reader (the
/// seeds use ASCII `0`..`5`); the rest is the file:
/// - `0`: a scenario feed (`timestamp,price_usd`, [`CsvFormat::PRICE_USD`]);
/// - `1`: a Maker ETH path (`price_usd` column of a wider file);
/// - `2`: a legacy gas series (`p30_gwei,p60_gwei,p90_gwei`);
/// - `3`: Compound price columns;
/// - `4`: `bankrun fit` (`read_loose_series`, then every model and the TOML it prints);
/// - `5`: the Compound v2 book (`account,market,supply,borrow`).
///
/// Every path read is then evaluated as a run reads it (at its ends and in between).
pub fn price_csv(data: &[u8]) -> Outcome {
    let Some((&which, rest)) = data.split_first() else {
        return Ok(());
    };
    let t = text(rest);
    let paths = match which % 6 {
        0 => read_csv(&t, "prices.csv", &CsvFormat::PRICE_USD),
        1 => read_csv(&t, "eth.csv", &CsvFormat::columns(&["price_usd"])),
        2 => read_csv(
            &t,
            "gas.csv",
            &CsvFormat::columns(&["p30_gwei", "p60_gwei", "p90_gwei"]),
        ),
        3 => read_csv(&t, "compound.csv", &CsvFormat::columns(COMPOUND_COLUMNS)),
        4 => return fit_csv(&t),
        _ => return compound_book(rest),
    };
    for p in &paths.map_err(msg)? {
        evaluate(p);
    }
    Ok(())
}

/// Reads `p` at its ends, at its midpoint and just inside its ends.
fn evaluate(p: &PricePath) {
    let (first, last) = p.range();
    for t in [first, last, first / 2 + last / 2, first.saturating_add(1)] {
        p.price_at(t);
    }
}

fn fit_csv(t: &str) -> Outcome {
    let s = fit::read_series(t, "fit.csv", None).map_err(msg)?;
    let mut errors = Vec::new();
    for m in [
        FitModel::Gbm,
        FitModel::Merton,
        FitModel::Ou,
        FitModel::Regime,
    ] {
        match fit::fit(&s, m) {
            Ok(f) => drop(fit::to_toml(&f, &s, "fit.csv", "feed")),
            Err(e) => errors.push(msg(e)),
        }
    }
    first_error(errors)
}

/// The embedded Compound scenario, loaded once with its data relative to `scratch()/book/s`;
/// its book file (`../data/lending/…`) is the input.
fn compound_book(bytes: &[u8]) -> Outcome {
    static LOADED: OnceLock<Result<bankrun_spiral::Loaded, String>> = OnceLock::new();
    let dir = scratch().join("book").join("s");
    let l = LOADED
        .get_or_init(|| {
            let toml = bankrun_spiral::spec::EMBEDDED
                .iter()
                .find(|(n, _)| *n == "compound-v2-book-2023")
                .map(|(_, t)| *t)
                .ok_or("no embedded compound-v2-book-2023")?;
            bankrun_spiral::spec::parse(toml, "compound.toml", Some(dir.clone())).map_err(msg)
        })
        .as_ref()
        .map_err(Clone::clone)?;
    let book = l
        .spec
        .compound
        .as_ref()
        .map(|c| c.book.clone())
        .unwrap_or_default();
    let _guard = scratch_lock();
    write(&dir.join(book), bytes);
    bankrun_spiral::compound::read_book(l)
        .map(drop)
        .map_err(msg)
}

/// `vary`: an optional first line `grid`, `lhs` or `sobol` (`--design`; default `grid`), then
/// one `--vary KEY=SPEC` argument per line (at most 8; `bankrun_sweep::vary::parse`); then the
/// design's cells (`design::cells`, `--cells 4` for `lhs` / `sobol`), the first and last
/// applied to the default Aave scenario's TOML as the sweep applies them (`keys::set`).
pub fn vary(data: &[u8]) -> Outcome {
    static BASE: OnceLock<toml_edit::DocumentMut> = OnceLock::new();
    let base = BASE.get_or_init(|| {
        let (toml, _) = bankrun_scenario::embedded_files(bankrun_scenario::DEFAULT_SCENARIO)
            .expect("the default scenario is embedded");
        toml.parse().expect("the default scenario is TOML")
    });
    let t = text(data);
    let mut lines = t.lines().peekable();
    let design = match lines.peek().map(|l| l.trim()) {
        Some("lhs") => Design::Lhs,
        Some("sobol") => Design::Sobol,
        _ => Design::Grid,
    };
    if lines.peek().is_some_and(|l| l.trim() == design.name()) {
        lines.next();
    }
    let varies = lines
        .take(8)
        .map(bankrun_sweep::vary::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(msg)?;
    let cells = design::cells(&varies, design, 4, 7).map_err(msg)?;
    let mut errors = Vec::new();
    for cell in [cells.first(), cells.last()].into_iter().flatten() {
        let mut doc = base.clone();
        for (k, v) in cell {
            if let Err(e) = keys::set(&mut doc, k, v) {
                errors.push(e);
            }
        }
        drop(doc.to_string());
    }
    first_error(errors)
}

/// `merge`: `bankrun merge` (`bankrun_sweep::run::merge`) of one or two shard directories whose
/// `manifest.json` is the input (split at the first NUL byte into the two shards' manifests);
/// both hold the fixture chunks ([`CHUNKS`]). The output directory is made afresh each time.
pub fn merge(data: &[u8]) -> Outcome {
    let root = scratch().join("merge");
    let _guard = scratch_lock();
    let mut dirs = Vec::new();
    for (i, part) in data.splitn(2, |&b| b == 0).enumerate() {
        let d = root.join(format!("shard{i}"));
        write(&d.join("manifest.json"), part);
        dirs.push(d);
    }
    let out = root.join("out");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("removing the previous merge output");
    }
    bankrun_sweep::run::merge(&dirs, &out)
        .map(drop)
        .map_err(msg)
}
