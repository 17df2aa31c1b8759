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
    assert!(schema["properties"]["market"].is_object());
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
