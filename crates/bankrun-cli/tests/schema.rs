//! `bankrun schema`: one JSON Schema that validates every shipped scenario file, Aave and
//! spiral alike, and rejects misspelt keys.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The schema `bankrun schema` prints (with `extra` arguments).
fn printed_schema(extra: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_bankrun"))
        .arg("schema")
        .args(extra)
        .output()
        .expect("runs bankrun");
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&printed_schema(&[])).expect("the printed schema compiles")
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("reads scenarios/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// A TOML text as the JSON value an editor validates.
fn as_json(text: &str) -> Value {
    let t: toml::Table = toml::from_str(text).expect("parses as TOML");
    serde_json::to_value(t).expect("converts to JSON")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_scenario_validates() {
    let v = validator();
    let files = scenario_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "aave-v3-core-rseth-2026-04",
        "black-thursday-2020-03",
        "compound-v2-book-2023",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    let mut validated = 0;
    for f in &files {
        let doc = as_json(&std::fs::read_to_string(f).unwrap());
        let e = errors(&v, &doc);
        assert!(e.is_empty(), "{}: {e:#?}", f.display());
        validated += 1;
    }
    assert!(validated >= 4, "validated {validated} files");
}

#[test]
fn the_schema_is_one_of_the_three_formats_with_descriptions() {
    let s = printed_schema(&[]);
    let branches = s["oneOf"].as_array().expect("top-level oneOf");
    assert_eq!(branches.len(), 3);
    let d0 = branches[0]["description"].as_str().unwrap();
    let d1 = branches[1]["description"].as_str().unwrap();
    let d2 = branches[2]["description"].as_str().unwrap();
    assert!(d0.contains("[market]"), "{d0}");
    assert!(d1.contains("protocol"), "{d1}");
    assert!(d2.contains("engine"), "{d2}");
    // Strict: unknown keys are rejected at the root of every format.
    for b in branches {
        assert_eq!(b["additionalProperties"], Value::Bool(false), "{b}");
    }
    // Field descriptions carry units.
    let gas = &s["$defs"]["SpiralGasSpec"]["properties"]["block_gas_limit"]["description"];
    assert!(gas.as_str().unwrap().contains("gas units"), "{gas}");
    // The summary schema is still there.
    let summary = printed_schema(&["--summary"]);
    assert!(summary.get("oneOf").is_none());
    assert!(summary["properties"].is_object());
}

/// A misspelt key, anywhere in either format, fails validation; so does an unknown protocol.
#[test]
fn misspelt_keys_fail_validation() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let cases = [
        (
            "compound-v2-book-2023.toml",
            "close_factor = 0.5",
            "close_factr = 0.5",
            "close_factr",
        ),
        (
            "compound-v2-book-2023.toml",
            "ramp_hours = 24",
            "ramp_hour = 24",
            "ramp_hour",
        ),
        (
            "black-thursday-2020-03.toml",
            "[maker]",
            "[maker]\nlumpp_eth = 50",
            "lumpp_eth",
        ),
        (
            "aave-v3-core-rseth-2026-04.toml",
            "[scenario]",
            "[scenario]\nseeed = 1",
            "seeed",
        ),
        (
            "cross-protocol-xyz.toml",
            "liquidation_bonus_bps = 10500",
            "liquidation_bonus = 10500",
            "liquidation_bonus",
        ),
        (
            "cross-protocol-xyz.toml",
            "kind = \"uniswap-v2\"",
            "kind = \"uniswap-v3\"",
            "uniswap-v3",
        ),
    ];
    for (file, from, to, key) in cases {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains(from), "{file}: no `{from}`");
        let good = as_json(&text);
        assert!(v.is_valid(&good), "{file} as shipped");
        let bad = as_json(&text.replacen(from, to, 1));
        let e = errors(&v, &bad);
        assert!(!e.is_empty(), "{file} with `{key}` validated");
    }
    let text = std::fs::read_to_string(dir.join("compound-v2-book-2023.toml")).unwrap();
    let bad = as_json(&text.replacen(
        "protocol = \"compound-v2\"",
        "protocol = \"compound-v3\"",
        1,
    ));
    assert!(!v.is_valid(&bad), "protocol compound-v3 validated");
}
