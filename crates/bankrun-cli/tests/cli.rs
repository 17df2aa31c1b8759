//! The `bankrun` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bankrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bankrun"))
        .args(args)
        .output()
        .expect("runs bankrun")
}

fn crash_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bankrun-engine/tests/data/crash.toml")
}

/// Writes a copy of the crash scenario with `edit` applied, next to its price file.
fn edited(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(crash_scenario()).expect("reads the crash scenario");
    let csv = crash_scenario().with_file_name("eth_crash.csv");
    std::fs::copy(csv, dir.join("eth_crash.csv")).expect("copies the price file");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, edit(text)).expect("writes");
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bad input exits 2 with file, line and key, and leaves no output directory.
fn assert_rejected(path: &Path, out: &Path, line: usize, key: &str) {
    let o = bankrun(&[
        "simulate",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains(&format!("scenario.toml:{line}")),
        "no file:line {line} in: {err}"
    );
    assert!(err.contains(key), "no key `{key}` in: {err}");
    assert!(!out.exists(), "bad input left {}", out.display());
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(needle))
        .expect(needle)
        + 1
}

#[test]
fn unknown_key_is_located() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| t.replace("seed = 7", "seed = 7\nsede = 8"));
    let line = line_of(&std::fs::read_to_string(&p).unwrap(), "sede");
    assert_rejected(&p, &d.path().join("out"), line, "sede");
}

#[test]
fn nan_and_wrong_types_are_located() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| {
        t.replacen("total_supplied = 300000.0", "total_supplied = nan", 1)
    });
    let line = line_of(
        &std::fs::read_to_string(&p).unwrap(),
        "total_supplied = nan",
    );
    assert_rejected(&p, &d.path().join("out"), line, "total_supplied");
    let p = edited(d.path(), |t| t.replace("count = 400", "count = \"many\""));
    let line = line_of(&std::fs::read_to_string(&p).unwrap(), "count = \"many\"");
    assert_rejected(&p, &d.path().join("out"), line, "count");
}

#[test]
fn ltv_above_threshold_and_negative_amounts_are_rejected() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| {
        t.replacen("ltv_bps = 8050", "ltv_bps = 8400", 1)
    });
    let line = line_of(&std::fs::read_to_string(&p).unwrap(), "ltv_bps = 8400");
    assert_rejected(&p, &d.path().join("out"), line, "ltv_bps");
    let p = edited(d.path(), |t| {
        t.replace("total_debt = 200000000.0", "total_debt = -5.0")
    });
    let line = line_of(&std::fs::read_to_string(&p).unwrap(), "total_debt = -5.0");
    assert_rejected(&p, &d.path().join("out"), line, "total_debt");
}

#[test]
fn missing_and_malformed_price_files_are_located() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| t.replace("eth_crash.csv", "nowhere.csv"));
    let line = line_of(
        &std::fs::read_to_string(&p).unwrap(),
        "path = \"nowhere.csv\"",
    );
    assert_rejected(&p, &d.path().join("out"), line, "path");
    let p = edited(d.path(), |t| t);
    let csv = d.path().join("eth_crash.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("1825.0", "abc");
    std::fs::write(&csv, text).unwrap();
    let o = bankrun(&[
        "simulate",
        p.to_str().unwrap(),
        "--out",
        d.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("eth_crash.csv:5"), "{}", stderr(&o));
    assert!(!d.path().join("out").exists());
}

#[test]
fn json_summary_and_schema_are_valid_json() {
    let path = crash_scenario();
    let o = bankrun(&["simulate", path.to_str().unwrap(), "--json", "--no-write"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON summary");
    assert_eq!(v["scenario"], "test-eth-crash");
    assert!(v["liquidations"]["count"].as_u64().unwrap() > 0);
    let o = bankrun(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema JSON");
    // One schema for both formats: the Aave branch first (tests/schema.rs checks the rest).
    assert!(schema["oneOf"][0]["properties"]["market"].is_object());
    let o = bankrun(&["schema", "--summary"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("summary schema JSON");
    assert!(schema["properties"]["reserves"].is_object());
}

#[test]
fn same_seed_writes_identical_files() {
    let d = tempfile::tempdir().unwrap();
    let path = crash_scenario();
    for name in ["a", "b"] {
        let out = d.path().join(name);
        let o = bankrun(&[
            "simulate",
            path.to_str().unwrap(),
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut files: Vec<_> = std::fs::read_dir(d.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{files:?}");
    for f in files {
        let a = std::fs::read(d.path().join("a").join(&f)).unwrap();
        let b = std::fs::read(d.path().join("b").join(&f)).unwrap();
        assert!(a == b, "{f:?} differs between two runs with the same seed");
    }
}

#[test]
fn embedded_scenarios_are_listed_and_printable() {
    let o = bankrun(&["scenarios"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("aave-v3-core-rseth-2026-04"));
    let o = bankrun(&["scenarios", "--print", "aave-v3-core-rseth-2026-04"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("[[market.reserves]]"));
    let o = bankrun(&["simulate", "no-such-scenario"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Sorted names in `dir`.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// `collateral-at-risk` runs on an Aave scenario (no venue: no feedback, so the two columns
/// agree) and writes the same files as on a spiral scenario; a one-world scenario is refused
/// with exit 2, naming what is supported.
#[test]
fn collateral_at_risk_runs_on_aave_scenarios() {
    let d = tempfile::tempdir().unwrap();
    let (aave, spiral) = (d.path().join("aave"), d.path().join("spiral"));
    let o = bankrun(&[
        "collateral-at-risk",
        "aave-v3-core-rseth-2026-04",
        "--out",
        aave.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(table.starts_with("total debt $"), "{table}");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 19, "{table}");
    for r in &rows {
        assert_eq!(r[1], r[2], "feedback without a venue: {table}");
    }
    let o = bankrun(&[
        "collateral-at-risk",
        "black-thursday-2020-03",
        "--out",
        spiral.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&aave), listing(&spiral));
    assert!(listing(&aave).contains(&"curve.csv".to_owned()));

    let o = bankrun(&["collateral-at-risk", "cross-protocol-xyz"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cross-protocol-xyz") && err.contains("aave-v3-core-rseth-2026-04"),
        "{err}"
    );
}

/// A directory bankrun did not write (no marker) is refused with exit 2, named, and left
/// byte for byte as it was: Aave and spiral `simulate`, and `collateral-at-risk`.
#[test]
fn foreign_output_directory_is_refused_and_untouched() {
    let d = tempfile::tempdir().unwrap();
    let mine = d.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "precious\n").unwrap();
    let crash = crash_scenario();
    let runs: [&[&str]; 3] = [
        &["simulate", crash.to_str().unwrap(), "--seed", "3"],
        &["simulate", "black-thursday-2020-03", "--seed", "7"],
        &["collateral-at-risk", "black-thursday-2020-03"],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--out", mine.to_str().unwrap()]);
        let o = bankrun(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("mine") && err.contains(".bankrun-output"),
            "{err}"
        );
        assert_eq!(listing(&mine), ["thesis.tex"]);
        assert_eq!(
            std::fs::read_to_string(mine.join("thesis.tex")).unwrap(),
            "precious\n"
        );
        assert_eq!(listing(d.path()), ["mine"], "{args:?} left a sibling");
    }
    // A file at --out is refused too.
    let file = d.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = bankrun(&[
        "simulate",
        crash.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

/// A previous bankrun output (marked) is replaced, and marked `.partial-*` leftovers of
/// killed runs are removed; an unmarked look-alike is not bankrun's and stays.
#[test]
fn marked_output_is_replaced_and_stale_partials_are_cleaned() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    let crash = crash_scenario();
    let args = [
        "simulate",
        crash.to_str().unwrap(),
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = bankrun(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let marker = std::fs::read_to_string(out.join(".bankrun-output")).unwrap();
    assert!(
        marker.contains("simulate test-eth-crash --seed 3"),
        "{marker}"
    );
    std::fs::write(out.join("stale.txt"), "old").unwrap();
    // Pids above Linux's maximum (2^22) never run: these are leftovers of killed runs.
    let stale = d.path().join("run.partial-999999999");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join(".bankrun-output"), "bankrun 0.1.0\n").unwrap();
    std::fs::write(stale.join("half.csv"), "a,b\n").unwrap();
    let foreign = d.path().join("run.partial-999999998");
    std::fs::create_dir(&foreign).unwrap();
    let o = bankrun(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("stale.txt").exists());
    assert!(out.join("report.html").exists());
    assert_eq!(listing(d.path()), ["run", "run.partial-999999998"]);
}

/// A scenario name from the file cannot steer the default output path out of
/// `bankrun-out/`.
#[test]
fn scenario_name_cannot_escape_the_output_root() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| {
        t.replace("name = \"test-eth-crash\"", "name = \"../escape\"")
    });
    assert!(std::fs::read_to_string(&p).unwrap().contains("../escape"));
    let work = d.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_bankrun"))
        .args(["simulate", p.to_str().unwrap(), "--seed", "3"])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        listing(d.path()),
        ["eth_crash.csv", "scenario.toml", "work"]
    );
    assert_eq!(listing(&work), ["bankrun-out"]);
    let runs = listing(&work.join("bankrun-out"));
    assert_eq!(runs, ["___escape-seed3"]);
    assert!(
        work.join("bankrun-out/___escape-seed3/report.html")
            .exists()
    );
}

/// Output into a closed pipe (`| head -1`) ends quietly: exit 0, no panic message.
#[test]
fn broken_pipe_is_quiet() {
    let crash = crash_scenario();
    let runs: [&[&str]; 3] = [
        &["schema"],
        &["scenarios"],
        &["simulate", crash.to_str().unwrap(), "--no-write"],
    ];
    for args in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_bankrun"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{err}"
        );
    }
}

/// Sizes beyond what a machine can hold are refused with the key and the limit (exit 2),
/// not an allocation abort.
#[test]
fn huge_counts_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), |t| t.replace("count = 400", "count = 4000000000"));
    let line = line_of(&std::fs::read_to_string(&p).unwrap(), "count = 4000000000");
    assert_rejected(&p, &d.path().join("out"), line, "count");
    let o = bankrun(&["simulate", p.to_str().unwrap(), "--no-write"]);
    assert!(stderr(&o).contains("1000000"), "{}", stderr(&o));
    let crash = crash_scenario();
    let out = d.path().join("sweep");
    let o = bankrun(&[
        "sweep",
        crash.to_str().unwrap(),
        "--paths",
        "1000000000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--paths"), "{}", stderr(&o));
    assert!(!out.exists());
    let bt = d.path().join("bt.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/black-thursday-2020-03.toml"),
    )
    .unwrap();
    let (key, _) = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("vaults").map(|r| (l, r)))
        .expect("a vaults key");
    std::fs::write(&bt, text.replace(key, "vaults = 4000000000")).unwrap();
    let o = bankrun(&["simulate", bt.to_str().unwrap(), "--no-write"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("vaults"), "{}", stderr(&o));
}

/// `scenarios --export` writes a runnable copy: each exported scenario runs from its folder
/// and prints the same JSON summary as the embedded one (the Compound book is left out here
/// for time: it shares the spiral export path with Black Thursday).
#[test]
fn exported_scenarios_run_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "aave-v3-core-rseth-2026-04",
        "black-thursday-2020-03",
        "cross-protocol-xyz",
        "usdc-redemption-weekend",
    ] {
        let dir = tmp.path().join(name);
        let o = bankrun(&["scenarios", "--export", name, dir.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let file = dir.join(format!("{name}.toml"));
        let embedded = bankrun(&["simulate", name, "--json", "--no-write"]);
        let exported = bankrun(&["simulate", file.to_str().unwrap(), "--json", "--no-write"]);
        assert!(exported.status.success(), "{name}: {}", stderr(&exported));
        assert_eq!(embedded.stdout, exported.stdout, "{name}");
    }
    // An unknown name is bad input; a foreign directory is refused.
    let o = bankrun(&[
        "scenarios",
        "--export",
        "nope",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("mine.txt"), "keep").unwrap();
    let o = bankrun(&[
        "scenarios",
        "--export",
        "cross-protocol-xyz",
        foreign.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(listing(&foreign), vec!["mine.txt".to_string()]);
}

/// A one-world scenario runs through `simulate` with the same output contract: identical files
/// for the same seed, a JSON summary that is an object, CSV headers.
#[test]
fn world_scenario_simulates_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let o = bankrun(&[
            "simulate",
            "cross-protocol-xyz",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ["txs.csv", "oracles.csv", "summary.json"] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f}");
        assert_eq!(x, std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    let o = bankrun(&["simulate", "cross-protocol-xyz", "--json", "--no-write"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.is_object());
    assert!(v["protocols"][1]["liquidations"].as_u64().unwrap() > 0);
}
