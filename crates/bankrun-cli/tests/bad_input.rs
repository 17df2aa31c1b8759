//! Bad input, as a table: every case builds a broken input in its own temp dir (by editing an
//! exported copy of a shipped scenario, so the cases follow the scenarios), runs the release
//! binary on it and checks the contract for bad input: exit code 2, an error that names the
//! place (file:line, key, flag or path), no panic, and nothing written or changed on disk.
//! All failures are collected and reported together. The table is documented in
//! `docs/bad-input.md`.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const AAVE: &str = "aave-v3-core-rseth-2026-04";
const MAKER: &str = "black-thursday-2020-03";
const COMPOUND: &str = "compound-v2-book-2023";
const WORLD: &str = "cross-protocol-xyz";
/// The Aave scenario's ETH/USD price path (relative to the exported folder).
const AAVE_CSV: &str = "data/eth_usd_2026-04.csv";
/// A price CSV for `bankrun fit` (and Black Thursday's ETH path).
const MAKER_CSV: &str = "data/eth_usd_10min_2020-03-12.csv";
/// An 80-digit amount: finite as an f64 (1e79) but far beyond any token supply.
const HUGE: &str =
    "10000000000000000000000000000000000000000000000000000000000000000000000000000000.0";
/// Why a scenario name with a path in it is not refused: `--out` does not depend on the name,
/// and the default output path sanitises it (`../x` → `bankrun-out/___x-seed…`), which
/// `tests/cli.rs` (`scenario_name_cannot_escape_the_output_root`) asserts as the contract.
const NAME_GAP: &str = "by design the name is sanitised into the default output path and the run \
     succeeds (tests/cli.rs asserts it); refusing it is a decision for the lead";
/// A case that has not failed by then is counted as hung (the whole table must stay fast).
const TIMEOUT: Duration = Duration::from_secs(30);

/// What a case's builder made: the argv and what `{file}`, `{line}` and `{dir}` in the
/// expected fragments stand for.
struct Input {
    args: Vec<String>,
    /// File name the error must name (`{file}`).
    file: String,
    /// 1-based line of the edit (`{line}`), 0 if none.
    line: usize,
}

/// One kind of bad input.
struct Case {
    name: &'static str,
    /// Builds the input in the case's own temp dir.
    build: fn(&Path) -> Input,
    /// Fragments stderr must contain (after substituting `{file}`, `{line}`, `{dir}`).
    expect: &'static [&'static str],
    /// A known misbehaviour: printed, not counted as a failure.
    known_gap: Option<&'static str>,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bankrun")
}

fn s(p: &Path) -> String {
    p.to_str().expect("UTF-8 temp path").to_string()
}

/// Exports the embedded scenario `name` into `d/name/` and returns the TOML's path.
fn export(d: &Path, name: &str) -> PathBuf {
    let dir = d.join(name);
    let o = Command::new(bin())
        .args(["scenarios", "--export", name, &s(&dir)])
        .output()
        .expect("runs bankrun");
    assert!(o.status.success(), "export {name} failed");
    dir.join(format!("{name}.toml"))
}

/// Exports `name` and replaces the first line whose trimmed start is `prefix` by `new` (which
/// may span lines); returns the path and the 1-based line of the edit.
fn edit_line(d: &Path, name: &str, prefix: &str, new: &str) -> (PathBuf, usize) {
    let path = export(d, name);
    let text = std::fs::read_to_string(&path).expect("reads the export");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let i = lines
        .iter()
        .position(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("stale case: no line starting with `{prefix}` in {name}"));
    lines[i] = new.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").expect("writes the edit");
    (path, i + 1)
}

fn out(d: &Path) -> String {
    s(&d.join("out"))
}

/// `bankrun <cmd> <edited scenario> --out d/out`, expecting the error at the edited line.
fn toml_case(d: &Path, cmd: &str, name: &str, prefix: &str, new: &str) -> Input {
    let (path, line) = edit_line(d, name, prefix, new);
    Input {
        args: vec![cmd.into(), s(&path), "--out".into(), out(d)],
        file: format!("{name}.toml"),
        line,
    }
}

fn simulate(d: &Path, name: &str, prefix: &str, new: &str) -> Input {
    toml_case(d, "simulate", name, prefix, new)
}

/// Exports `name`, lets `edit` change the data file `rel`, and runs `simulate` on it.
fn csv_case(d: &Path, name: &str, rel: &str, edit: fn(&Path)) -> Input {
    let toml = export(d, name);
    let csv = toml.with_file_name(rel);
    edit(&csv);
    Input {
        args: vec!["simulate".into(), s(&toml), "--out".into(), out(d)],
        file: Path::new(rel)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(rel)
            .to_string(),
        line: 0,
    }
}

/// Replaces line `n` (1-based) of `path` with what `f` makes of it.
fn edit_csv_line(path: &Path, n: usize, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("reads the CSV");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[n - 1] = f(&lines[n - 1]);
    std::fs::write(path, lines.join("\n") + "\n").expect("writes the CSV");
}

/// `time,price` row with its price replaced.
fn price(row: &str, p: &str) -> String {
    let (t, _) = row.split_once(',').expect("a CSV row");
    format!("{t},{p}")
}

fn bad_row(p: &Path) {
    edit_csv_line(p, 5, |r| price(r, "abc"));
}
fn negative_row(p: &Path) {
    edit_csv_line(p, 5, |r| price(r, "-5.0"));
}
fn nan_row(p: &Path) {
    edit_csv_line(p, 5, |r| price(r, "NaN"));
}
fn backwards_row(p: &Path) {
    let third = std::fs::read_to_string(p)
        .expect("reads")
        .lines()
        .nth(2)
        .expect("a third line")
        .to_string();
    edit_csv_line(p, 5, |r| {
        let (t, _) = third.split_once(',').expect("a row");
        let (_, v) = r.split_once(',').expect("a row");
        format!("{t},{v}")
    });
}
fn bad_time(p: &Path) {
    edit_csv_line(p, 5, |r| {
        let (_, v) = r.split_once(',').expect("a row");
        format!("yesterday,{v}")
    });
}
fn three_rows(p: &Path) {
    let text = std::fs::read_to_string(p).expect("reads");
    let head: Vec<&str> = text.lines().take(4).collect();
    std::fs::write(p, head.join("\n") + "\n").expect("writes");
}
fn empty_file(p: &Path) {
    std::fs::write(p, "").expect("writes");
}
fn directory(p: &Path) {
    std::fs::remove_file(p).expect("removes");
    std::fs::create_dir(p).expect("mkdir");
}
fn binary(p: &Path) {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    std::fs::write(p, bytes).expect("writes");
}

/// `bankrun fit <csv> --model gbm` on Black Thursday's price path after `edit`.
fn fit_case(d: &Path, edit: fn(&Path)) -> Input {
    let toml = export(d, MAKER);
    let csv = toml.with_file_name(MAKER_CSV);
    edit(&csv);
    Input {
        args: vec!["fit".into(), s(&csv), "--model".into(), "gbm".into()],
        file: "eth_usd_10min_2020-03-12.csv".into(),
        line: 0,
    }
}

/// A command line without a scenario file to edit.
fn argv(d: &Path, args: &[&str]) -> Input {
    Input {
        args: args
            .iter()
            .map(|a| a.replace("{out}", &out(d)).replace("{dir}", &s(d)))
            .collect(),
        file: String::new(),
        line: 0,
    }
}

/// A directory holding files that are not a sweep.
fn not_a_sweep(d: &Path, name: &str) -> PathBuf {
    let p = d.join(name);
    std::fs::create_dir(&p).expect("mkdir");
    std::fs::write(p.join("notes.txt"), "not a sweep\n").expect("writes");
    p
}

fn cases() -> Vec<Case> {
    let c = |name, build, expect| Case {
        name,
        build,
        expect,
        known_gap: None,
    };
    vec![
        // --- Aave scenario TOML ---------------------------------------------------------
        c(
            "aave: TOML syntax error",
            |d| simulate(d, AAVE, "ltv_bps = 8050", "ltv_bps = = 8050"),
            &["{file}:{line}:"],
        ),
        c(
            "aave: wrong type",
            |d| simulate(d, AAVE, "decimals = 18", "decimals = \"eighteen\""),
            &["{file}:{line}:", "decimals"],
        ),
        c(
            "aave: LTV above the liquidation threshold",
            |d| simulate(d, AAVE, "ltv_bps = 8050", "ltv_bps = 8400"),
            &["{file}:{line}:", "ltv_bps"],
        ),
        c(
            "aave: bps beyond u16",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "liquidation_bonus_bps = 10500",
                    "liquidation_bonus_bps = 70000",
                )
            },
            &["{file}:{line}:", "liquidation_bonus_bps"],
        ),
        c(
            "aave: NaN",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "total_supplied = 3_000_000.0",
                    "total_supplied = nan",
                )
            },
            &["{file}:{line}:", "total_supplied"],
        ),
        c(
            "aave: infinity",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "total_borrowed = 2_655_000.0",
                    "total_borrowed = inf",
                )
            },
            &["{file}:{line}:", "total_borrowed"],
        ),
        c(
            "aave: 1e400",
            |d| simulate(d, AAVE, "w_depeg = 100.0", "w_depeg = 1e400"),
            &["{file}:{line}:", "w_depeg"],
        ),
        c(
            "aave: 80-digit amount",
            |d| simulate(d, AAVE, "amount = 43_500.0", &format!("amount = {HUGE}")),
            &["{file}:{line}:", "amount"],
        ),
        c(
            "aave: count too large to allocate",
            |d| simulate(d, AAVE, "count = 5000", "count = 4000000000"),
            &["{file}:{line}:", "count"],
        ),
        c(
            "aave: duplicate reserve symbol",
            |d| simulate(d, AAVE, "symbol = \"wstETH\"", "symbol = \"WETH\""),
            &["{file}:{line}:", "WETH"],
        ),
        c(
            "aave: e-mode names a missing reserve",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "collateral = [\"rsETH\"]",
                    "collateral = [\"rsETHX\"]",
                )
            },
            &["{file}:{line}:", "rsETHX"],
        ),
        c(
            "aave: event names a missing reserve",
            |d| simulate(d, AAVE, "asset = \"rsETH\"", "asset = \"NOPE\""),
            &["{file}:{line}:", "NOPE"],
        ),
        c(
            "aave: feed names a missing file",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "path = \"data/eth_usd_2026-04.csv\"",
                    "path = \"data/missing.csv\"",
                )
            },
            &["{file}:{line}:", "missing.csv"],
        ),
        c(
            "aave: event after the time window",
            |d| {
                simulate(
                    d,
                    AAVE,
                    "at = \"2026-04-25T12:00:00Z\"",
                    "at = \"2027-01-01T00:00:00Z\"",
                )
            },
            &["{file}:{line}:", "at"],
        ),
        c(
            "aave: empty e-mode collateral list",
            |d| simulate(d, AAVE, "collateral = [\"rsETH\"]", "collateral = []"),
            &["{file}:", "collateral", "e-mode 3 ()"],
        ),
        c(
            "aave: unknown key",
            |d| simulate(d, AAVE, "seed = 20260418", "seed = 20260418\nsede = 1"),
            &["{file}", "sede"],
        ),
        Case {
            known_gap: Some(NAME_GAP),
            ..c(
                "aave: name escaping the output root",
                |d| {
                    simulate(
                        d,
                        AAVE,
                        "name = \"aave-v3-core-rseth-2026-04\"",
                        "name = \"../x\"",
                    )
                },
                &["{file}:{line}:", "name"],
            )
        },
        // --- Spiral scenario TOML (Maker, Compound v2) -----------------------------------
        c(
            "maker: TOML syntax error",
            |d| simulate(d, MAKER, "mat = 1.5", "mat = 1.5.5"),
            &["{file}:{line}:"],
        ),
        c(
            "maker: wrong type",
            |d| simulate(d, MAKER, "ttl_s = 600", "ttl_s = \"ten minutes\""),
            &["{file}:{line}:", "ttl_s"],
        ),
        c(
            "maker: share out of range",
            |d| simulate(d, MAKER, "agent_gas_share = 0.05", "agent_gas_share = 1.5"),
            &["{file}:{line}:", "agent_gas_share"],
        ),
        c(
            "maker: NaN",
            |d| simulate(d, MAKER, "stability_fee = 0.08", "stability_fee = nan"),
            &["{file}:{line}:", "stability_fee"],
        ),
        c(
            "maker: infinity",
            |d| simulate(d, MAKER, "pool_eth = 6_000", "pool_eth = inf"),
            &["{file}:{line}:", "pool_eth"],
        ),
        c(
            "maker: 1e400",
            |d| {
                simulate(
                    d,
                    MAKER,
                    "cex_depth_scale = 0.25",
                    "cex_depth_scale = 1e400",
                )
            },
            &["{file}:{line}:", "cex_depth_scale"],
        ),
        c(
            "maker: 80-digit debt",
            |d| {
                simulate(
                    d,
                    MAKER,
                    "total_debt_dai = 100_000_000",
                    &format!("total_debt_dai = {HUGE}"),
                )
            },
            &["{file}:{line}:", "total_debt_dai"],
        ),
        c(
            "maker: vault count too large",
            |d| simulate(d, MAKER, "vaults = 1_500", "vaults = 4000000000"),
            &["{file}:{line}:", "vaults"],
        ),
        c(
            "maker: price file missing",
            |d| simulate(d, MAKER, "eth_prices =", "eth_prices = \"data/nope.csv\""),
            &["{file}:{line}:", "nope.csv"],
        ),
        c(
            "maker: spell after the time window",
            |d| {
                simulate(
                    d,
                    MAKER,
                    "at = \"2020-03-12T20:00:00Z\"",
                    "at = \"2021-03-12T20:00:00Z\"",
                )
            },
            &["{file}:{line}:", "at"],
        ),
        c(
            "maker: empty cr_bands",
            |d| simulate(d, MAKER, "cr_bands =", "cr_bands = []"),
            &["{file}:{line}:", "cr_bands"],
        ),
        c(
            "compound: duplicate market name",
            |d| simulate(d, COMPOUND, "name = \"USDC\"", "name = \"ETH\""),
            &["{file}:{line}:", "ETH"],
        ),
        c(
            "compound: book file missing",
            |d| simulate(d, COMPOUND, "book =", "book = \"data/none.csv\""),
            &["{file}:{line}:", "none.csv"],
        ),
        c(
            "compound: price column missing",
            |d| {
                simulate(
                    d,
                    COMPOUND,
                    "price_column = \"ETH\"",
                    "price_column = \"NOPE\"",
                )
            },
            &["{file}:{line}:", "NOPE"],
        ),
        c(
            "compound: stress after the time window",
            |d| {
                simulate(
                    d,
                    COMPOUND,
                    "start = \"2023-03-10",
                    "start = \"2024-01-01T00:00:00Z\"",
                )
            },
            &["{file}:{line}:", "start"],
        ),
        c(
            "compound: empty rate_model",
            |d| {
                simulate(
                    d,
                    COMPOUND,
                    "rate_model = [0.02, 0.1, 2.0, 0.8]",
                    "rate_model = []",
                )
            },
            &["{file}:{line}:", "rate_model"],
        ),
        // --- One-world scenario TOML -------------------------------------------------------
        c(
            "world: TOML syntax error",
            |d| simulate(d, WORLD, "blocks = 300", "blocks = 3 00"),
            &["{file}:{line}:"],
        ),
        c(
            "world: wrong type",
            |d| simulate(d, WORLD, "seed = 7", "seed = \"seven\""),
            &["{file}:{line}:", "seed"],
        ),
        c(
            "world: collateral factor out of range",
            |d| {
                simulate(
                    d,
                    WORLD,
                    "collateral_factor = 0.8",
                    "collateral_factor = 1.5",
                )
            },
            &["{file}:{line}:", "collateral_factor"],
        ),
        c(
            "world: NaN",
            |d| simulate(d, WORLD, "close_factor = 0.5", "close_factor = nan"),
            &["{file}:{line}:", "close_factor"],
        ),
        c(
            "world: infinity",
            |d| simulate(d, WORLD, "priority_gwei = 5.0", "priority_gwei = inf"),
            &["{file}:{line}:", "priority_gwei"],
        ),
        c(
            "world: 1e400",
            |d| {
                simulate(
                    d,
                    WORLD,
                    "liquidation_incentive = 1.08",
                    "liquidation_incentive = 1e400",
                )
            },
            &["{file}:{line}:", "liquidation_incentive"],
        ),
        c(
            "world: 80-digit trade amount",
            |d| simulate(d, WORLD, "amount = 380", &format!("amount = {HUGE}")),
            &["{file}:{line}:", "amount"],
        ),
        c(
            "world: block count too large",
            |d| simulate(d, WORLD, "blocks = 300", "blocks = 18446744073709551615"),
            &["{file}:{line}:", "blocks"],
        ),
        c(
            "world: agent count too large",
            |d| simulate(d, WORLD, "count = 10", "count = 4000000000"),
            &["{file}:{line}:", "count"],
        ),
        c(
            "world: duplicate token symbol",
            |d| simulate(d, WORLD, "symbol = \"XYZ\"", "symbol = \"USDC\""),
            &["{file}:{line}:", "USDC"],
        ),
        c(
            "world: feed names a missing venue",
            |d| {
                simulate(
                    d,
                    WORLD,
                    "source = { venue",
                    "source = { venue = \"nope\", quote = \"USDC\" }",
                )
            },
            &["{file}:{line}:", "nope"],
        ),
        c(
            "world: position names a missing protocol",
            |d| simulate(d, WORLD, "protocol = \"aave\"", "protocol = \"maker\""),
            &["{file}:{line}:", "maker"],
        ),
        c(
            "world: trade after the last block",
            |d| simulate(d, WORLD, "at_block = 2", "at_block = 100000"),
            &["{file}:{line}:", "at_block"],
        ),
        c(
            "world: empty venue token list",
            |d| simulate(d, WORLD, "tokens = [", "tokens = []"),
            &["{file}:{line}:", "tokens"],
        ),
        Case {
            known_gap: Some(NAME_GAP),
            ..c(
                "world: absolute name",
                |d| simulate(d, WORLD, "name = \"cross-protocol-xyz\"", "name = \"/abs\""),
                &["{file}:{line}:", "name"],
            )
        },
        // --- Price CSVs read by scenarios ---------------------------------------------------
        c(
            "csv: empty price file",
            |d| csv_case(d, AAVE, AAVE_CSV, empty_file),
            &["{file}"],
        ),
        c(
            "csv: bad line",
            |d| csv_case(d, AAVE, AAVE_CSV, bad_row),
            &["{file}:5:"],
        ),
        c(
            "csv: timestamps going backwards",
            |d| csv_case(d, AAVE, AAVE_CSV, backwards_row),
            &["{file}:5:"],
        ),
        c(
            "csv: negative price",
            |d| csv_case(d, AAVE, AAVE_CSV, negative_row),
            &["{file}:5:"],
        ),
        c(
            "csv: NaN price",
            |d| csv_case(d, AAVE, AAVE_CSV, nan_row),
            &["{file}:5:"],
        ),
        c(
            "csv: directory instead of a file",
            |d| csv_case(d, AAVE, AAVE_CSV, directory),
            &["{file}"],
        ),
        c(
            "csv: binary file",
            |d| csv_case(d, AAVE, AAVE_CSV, binary),
            &["{file}"],
        ),
        c(
            "csv: Maker price path bad line",
            |d| csv_case(d, MAKER, MAKER_CSV, bad_row),
            &["{file}:5:"],
        ),
        c(
            "csv: Maker gas series negative",
            |d| csv_case(d, MAKER, "data/eth_gas_10min_2020-03-12.csv", negative_row),
            &["{file}:5:"],
        ),
        c(
            "csv: Compound book bad line",
            |d| csv_case(d, COMPOUND, "data/compound_v2_book_2023-05.csv", bad_row),
            &["{file}:5:"],
        ),
        // --- bankrun fit --------------------------------------------------------------------
        c("fit: empty file", |d| fit_case(d, empty_file), &["{file}"]),
        c("fit: bad line", |d| fit_case(d, bad_row), &["{file}:5:"]),
        c(
            "fit: timestamps going backwards",
            |d| fit_case(d, backwards_row),
            &["{file}:5:"],
        ),
        c("fit: bad time", |d| fit_case(d, bad_time), &["{file}:5:"]),
        c(
            "fit: fewer than 10 prices",
            |d| fit_case(d, three_rows),
            &["{file}", "10"],
        ),
        c("fit: directory", |d| fit_case(d, directory), &["{file}"]),
        c("fit: binary file", |d| fit_case(d, binary), &["{file}"]),
        c(
            "fit: missing file",
            |d| argv(d, &["fit", "{dir}/none.csv", "--model", "gbm"]),
            &["none.csv"],
        ),
        c(
            "fit: unknown column",
            |d| {
                let mut i = fit_case(d, |_| {});
                i.args.extend(["--column".into(), "nope".into()]);
                i
            },
            &["nope"],
        ),
        // --- Command line -------------------------------------------------------------------
        c(
            "cli: --seed -1",
            |d| argv(d, &["simulate", MAKER, "--seed", "-1", "--out", "{out}"]),
            &["--seed"],
        ),
        c(
            "cli: --seed abc",
            |d| argv(d, &["simulate", MAKER, "--seed", "abc", "--out", "{out}"]),
            &["--seed"],
        ),
        c(
            "cli: --seed 2^64",
            |d| {
                argv(
                    d,
                    &[
                        "simulate",
                        MAKER,
                        "--seed",
                        "18446744073709551616",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--seed"],
        ),
        c(
            "cli: unknown scenario name",
            |d| argv(d, &["simulate", "no-such-scenario", "--out", "{out}"]),
            &["no-such-scenario"],
        ),
        c(
            "cli: --out under a regular file",
            |d| {
                std::fs::write(d.join("file"), "x").expect("writes");
                argv(d, &["simulate", MAKER, "--out", "{dir}/file/out"])
            },
            &["{dir}/file"],
        ),
        c(
            "cli: --out is an existing file",
            |d| {
                std::fs::write(d.join("out"), "x").expect("writes");
                argv(d, &["simulate", WORLD, "--out", "{out}"])
            },
            &["{dir}/out"],
        ),
        c(
            "cli: --out is a foreign directory",
            |d| {
                not_a_sweep(d, "out");
                argv(d, &["simulate", AAVE, "--out", "{out}"])
            },
            &["{dir}/out"],
        ),
        c(
            "cli: missing scenario file",
            |d| argv(d, &["simulate", "{dir}/nope.toml", "--out", "{out}"]),
            &["nope.toml"],
        ),
        c(
            "cli: empty scenario file",
            |d| {
                std::fs::write(d.join("empty.toml"), "").expect("writes");
                argv(d, &["simulate", "{dir}/empty.toml", "--out", "{out}"])
            },
            &["empty.toml"],
        ),
        c(
            "cli: binary scenario file",
            |d| {
                binary(&d.join("bin.toml"));
                argv(d, &["simulate", "{dir}/bin.toml", "--out", "{out}"])
            },
            &["bin.toml"],
        ),
        c(
            "cli: directory as scenario file",
            |d| {
                std::fs::create_dir(d.join("dir.toml")).expect("mkdir");
                argv(d, &["simulate", "{dir}/dir.toml", "--out", "{out}"])
            },
            &["dir.toml"],
        ),
        c(
            "cli: collateral-at-risk --out is a file",
            |d| {
                std::fs::write(d.join("out"), "x").expect("writes");
                argv(d, &["collateral-at-risk", MAKER, "--out", "{out}"])
            },
            &["{dir}/out"],
        ),
        c(
            "cli: export under a regular file",
            |d| {
                std::fs::write(d.join("file"), "x").expect("writes");
                argv(d, &["scenarios", "--export", WORLD, "{dir}/file/x"])
            },
            &["{dir}/file"],
        ),
        c(
            "cli: export of an unknown scenario",
            |d| argv(d, &["scenarios", "--export", "nope", "{out}"]),
            &["nope"],
        ),
        c(
            "cli: collateral-at-risk of a bad file",
            |d| toml_case(d, "collateral-at-risk", MAKER, "mat = 1.5", "mat = nan"),
            &["{file}:{line}:", "mat"],
        ),
        c(
            "sweep: --paths 0",
            |d| argv(d, &["sweep", MAKER, "--paths", "0", "--out", "{out}"]),
            &["--paths"],
        ),
        c(
            "sweep: --paths too large",
            |d| {
                argv(
                    d,
                    &["sweep", MAKER, "--paths", "1000000000000", "--out", "{out}"],
                )
            },
            &["--paths"],
        ),
        c(
            "sweep: --shard 3/2",
            |d| {
                argv(
                    d,
                    &[
                        "sweep", MAKER, "--paths", "2", "--shard", "3/2", "--out", "{out}",
                    ],
                )
            },
            &["--shard"],
        ),
        c(
            "sweep: --shard 0/0",
            |d| {
                argv(
                    d,
                    &[
                        "sweep", MAKER, "--paths", "2", "--shard", "0/0", "--out", "{out}",
                    ],
                )
            },
            &["--shard"],
        ),
        c(
            "sweep: --threads -1",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--threads",
                        "-1",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--threads"],
        ),
        c(
            "sweep: --chunk-size 0",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--chunk-size",
                        "0",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--chunk-size"],
        ),
        c(
            "sweep: --cells too large",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--design",
                        "lhs",
                        "--vary",
                        "stress.drop=0.1..0.5",
                        "--cells",
                        "100000000",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--cells"],
        ),
        c(
            "sweep: --vary unknown key",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        AAVE,
                        "--paths",
                        "2",
                        "--vary",
                        "market.reserves.WETH.nope=1..2:3",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["nope"],
        ),
        c(
            "sweep: --vary bad range",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--vary",
                        "stress.drop=0.1..:3",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--vary"],
        ),
        c(
            "sweep: --vary 0 steps",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--vary",
                        "stress.drop=0.1..0.5:0",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["--vary"],
        ),
        c(
            "sweep: bad scenario",
            |d| {
                let mut i = toml_case(
                    d,
                    "sweep",
                    WORLD,
                    "close_factor = 0.5",
                    "close_factor = nan",
                );
                i.args.extend(["--paths".into(), "2".into()]);
                i
            },
            &["{file}:{line}:", "close_factor"],
        ),
        c(
            "sweep: spiral spell after the time window",
            |d| {
                let mut i = toml_case(
                    d,
                    "sweep",
                    MAKER,
                    "at = \"2020-03-12T20:00:00Z\"",
                    "at = \"2021-03-12T20:00:00Z\"",
                );
                i.args.extend(["--paths".into(), "2".into()]);
                i
            },
            &["{file}:{line}:", "at"],
        ),
        c(
            "sweep: --out under a regular file",
            |d| {
                std::fs::write(d.join("file"), "x").expect("writes");
                argv(
                    d,
                    &["sweep", MAKER, "--paths", "2", "--out", "{dir}/file/out"],
                )
            },
            &["{dir}/file"],
        ),
        c(
            "sweep: --vary setting NaN",
            |d| {
                argv(
                    d,
                    &[
                        "sweep",
                        MAKER,
                        "--paths",
                        "2",
                        "--vary",
                        "maker.mat=nan",
                        "--out",
                        "{out}",
                    ],
                )
            },
            &["maker.mat"],
        ),
        c(
            "sweep: --resume of a foreign directory",
            |d| {
                not_a_sweep(d, "out");
                argv(
                    d,
                    &["sweep", MAKER, "--paths", "2", "--resume", "--out", "{out}"],
                )
            },
            &["{dir}/out"],
        ),
        c(
            "merge: directories that are not sweeps",
            |d| {
                not_a_sweep(d, "a");
                not_a_sweep(d, "b");
                argv(d, &["merge", "{dir}/a", "{dir}/b", "--out", "{out}"])
            },
            &["{dir}/a"],
        ),
        c(
            "merge: missing directory",
            |d| argv(d, &["merge", "{dir}/gone", "--out", "{out}"]),
            &["{dir}/gone"],
        ),
    ]
}

/// Every file and directory under `root` with a hash of its content.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, u64> {
    let mut map = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            if p.is_dir() {
                stack.push(p.clone());
            } else {
                std::fs::read(&p).unwrap_or_default().hash(&mut h);
            }
            map.insert(p.strip_prefix(root).unwrap_or(&p).to_path_buf(), h.finish());
        }
    }
    map
}

/// Runs `args` in `cwd` with a timeout; returns (exit code, stderr).
fn run(args: &[String], cwd: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns bankrun");
    let stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let mut r = std::io::BufReader::new(stderr);
        let _ = std::io::Read::read_to_string(&mut r, &mut buf);
        buf
    });
    let t0 = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status.code();
        }
        if t0.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (code, reader.join().unwrap_or_default())
}

/// Runs one case; `Err` lists what went wrong.
fn check(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = tmp.path();
    let input = std::panic::catch_unwind(|| (case.build)(d))
        .map_err(|_| "building the input panicked (stale edit?)".to_string())?;
    let before = snapshot(d);
    let (code, err) = run(&input.args, d);
    if std::env::var_os("BAD_INPUT_SHOW").is_some() {
        // For docs/bad-input.md: the case, its argv and the error's first line.
        let first = err.lines().next().unwrap_or("").replace(&s(d), "$TMP");
        let args = input.args.join(" ").replace(&s(d), "$TMP");
        println!("SHOW\t{}\t{args}\t{first}", case.name);
    }
    let mut problems = Vec::new();
    if code != Some(2) {
        problems.push(format!("exit code {code:?}, expected 2"));
    }
    for want in case.expect {
        let want = want
            .replace("{file}", &input.file)
            .replace("{line}", &input.line.to_string())
            .replace("{dir}", &s(d));
        if !err.contains(&want) {
            problems.push(format!("stderr does not contain `{want}`"));
        }
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        problems.push("panicked".into());
    }
    let after = snapshot(d);
    if before != after {
        let changed: Vec<_> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k.display().to_string())
            .chain(
                before
                    .keys()
                    .filter(|k| !after.contains_key(*k))
                    .map(|k| format!("-{}", k.display())),
            )
            .take(5)
            .collect();
        problems.push(format!("left or changed files: {changed:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let args = input.args.join(" ").replace(&s(d), "$TMP");
        let err = err.replace(&s(d), "$TMP");
        Err(format!(
            "{}\n    argv: {args}\n    stderr: {}",
            problems.join("; "),
            err.trim()
        ))
    }
}

/// The table: every kind of bad input exits 2, names the place, does not panic and leaves
/// nothing behind. Runs on two threads; reports every failing case at once.
#[test]
fn bad_input_is_refused_with_its_location_and_leaves_nothing() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<(), String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let r = check(case);
                    results.lock().expect("no poisoned lock").push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("no poisoned lock");
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    for (i, r) in results {
        let case = &cases[i];
        match (r, case.known_gap) {
            (Ok(()), Some(gap)) => {
                eprintln!(
                    "note: known gap now passes, remove the mark: {} ({gap})",
                    case.name
                )
            }
            (Err(e), Some(gap)) => eprintln!("known gap: {}: {gap}\n    {e}", case.name),
            (Err(e), None) => failures.push(format!("{}: {e}", case.name)),
            (Ok(()), None) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
