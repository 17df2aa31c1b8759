//! Loading the default scenario, and located errors for every class of bad input.

use std::path::{Path, PathBuf};

use bankrun_chain::time::parse_time;
use bankrun_scenario::{
    DEFAULT_SCENARIO, Event, ScenarioError, embedded_names, json_schema, load_embedded, load_file,
    load_str,
};

const FILE: &str = "scn.toml";

fn default_text() -> &'static str {
    include_str!("../../../scenarios/aave-v3-core-rseth-2026-04.toml")
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the scenario"));
    text[..at].matches('\n').count() + 1
}

/// The default scenario with the first occurrence of `from` replaced by `to`; returns the text
/// and the line the replacement starts on.
fn mutate(from: &str, to: &str) -> (String, usize) {
    let text = default_text();
    let line = line_of(text, from);
    (text.replacen(from, to, 1), line)
}

/// Replaces the `n`-th (0-based) occurrence of `from`.
fn mutate_nth(from: &str, n: usize, to: &str) -> (String, usize) {
    let text = default_text();
    let (at, _) = text
        .match_indices(from)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th `{from}`"));
    let line = text[..at].matches('\n').count() + 1;
    (
        format!("{}{}{}", &text[..at], to, &text[at + from.len()..]),
        line,
    )
}

fn load(text: &str) -> Result<bankrun_scenario::LoadedScenario, ScenarioError> {
    load_str(text, FILE, Some(&scenarios_dir()))
}

#[track_caller]
fn expect_err(text: &str, line: usize, key: &str) -> ScenarioError {
    let e = match load(text) {
        Ok(_) => panic!("expected an error at line {line} for `{key}`, but the scenario loaded"),
        Err(e) => e,
    };
    let shown = e.to_string();
    assert_eq!(e.file, FILE, "{shown}");
    assert_eq!(e.line, Some(line as u32), "wrong line: {shown}");
    assert_eq!(e.key.as_deref(), Some(key), "wrong key: {shown}");
    assert!(shown.starts_with(&format!("{FILE}:{line}:")), "{shown}");
    assert!(shown.contains(&format!("`{key}`")), "{shown}");
    assert!(
        shown.contains("expected ") && shown.contains(", found "),
        "{shown}"
    );
    e
}

#[track_caller]
fn case(from: &str, to: &str, key: &str) -> ScenarioError {
    let (t, line) = mutate(from, to);
    expect_err(&t, line, key)
}

#[test]
fn default_scenario_loads() {
    assert_eq!(
        embedded_names(),
        vec![DEFAULT_SCENARIO, "aave-v3-core-weth-spike-2026-02"]
    );
    let s = load_embedded(DEFAULT_SCENARIO).expect("default scenario loads");
    assert_eq!(s.origin, "embedded:aave-v3-core-rseth-2026-04");
    assert_eq!(s.start_unix, parse_time("2026-04-18T17:00:00Z").unwrap());
    assert_eq!(s.end_unix - s.start_unix, 168 * 3600);
    assert_eq!(s.event_at.len(), s.scenario.events.len());
    assert!(
        s.event_at
            .iter()
            .all(|&t| (s.start_unix..=s.end_unix).contains(&t))
    );
    assert_eq!(s.feeds.len(), 4); // ETH, USDC, USDT and the constant OTHER
    let eth = &s.feeds["ETH"];
    assert!((eth.price_at(s.start_unix) - 2366.67).abs() < 1e-9);
    assert!((eth.price_at(parse_time("2026-04-09T14:00:00Z").unwrap()) - 2165.54).abs() < 1e-9);
    assert_eq!(s.feeds["USDC"].points().len(), 1);
    assert_eq!(s.stakes.quantiles().len(), 1001);
    assert!(s.text.contains("[[market.reserves]]"));
    // Key facts of the episode.
    let weth = &s.scenario.market.reserves[0];
    assert_eq!(weth.symbol, "WETH");
    assert!((weth.total_borrowed / weth.total_supplied - 0.885).abs() < 1e-9);
    let attack = s
        .scenario
        .events
        .iter()
        .find(|e| matches!(e, Event::Attack { .. }))
        .unwrap();
    assert_eq!(attack.at(), "2026-04-18T17:45:00Z");
    // Same scenario from its file on disk.
    let f = load_file(&scenarios_dir().join("aave-v3-core-rseth-2026-04.toml")).unwrap();
    assert_eq!(f.scenario, s.scenario);
    assert_eq!(f.feeds, s.feeds);
}

#[test]
fn unknown_embedded_name() {
    let e = load_embedded("nope").unwrap_err();
    assert!(e.to_string().contains("aave-v3-core-rseth-2026-04"), "{e}");
}

#[test]
fn toml_syntax_error_is_located() {
    let (t, line) = mutate("[chain]\n", "[chain\n");
    let e = load(&t).unwrap_err();
    assert_eq!(e.line, Some(line as u32), "{e}");
    assert!(e.to_string().starts_with(&format!("{FILE}:{line}:")), "{e}");
}

#[test]
fn type_errors() {
    let e = case(
        "duration_hours = 168.0",
        "duration_hours = \"long\"",
        "scenario.duration_hours",
    );
    assert!(e.found.contains("string"), "{e}");
    case(
        "block_time_s = 12 ",
        "block_time_s = 12.5 ",
        "chain.block_time_s",
    );
    case(
        "ltv_bps = 8050",
        "ltv_bps = 70000",
        "market.reserves[0].ltv_bps",
    );
    case(
        "ltv_bps = 8050",
        "ltv_bps = -1",
        "market.reserves[0].ltv_bps",
    );
    case(
        "visible = true",
        "visible = \"yes\"",
        "depositors[1].visible",
    );
    case(
        "collateral = [\"rsETH\"]",
        "collateral = \"rsETH\"",
        "market.emodes[1].collateral",
    );
    // Events are an internally tagged enum (serde buffers them): still located exactly.
    let e = case(
        "intensity = 1.5",
        "intensity = \"high\"",
        "events[1].intensity",
    );
    assert!(e.expected == "a number" && e.found.contains("high"), "{e}");
    case("splits = 7", "splits = -7", "events[0].splits");
    case(
        "frozen = true\nreaction_minutes",
        "frozen = 1\nreaction_minutes",
        "events[2].frozen",
    );
}

#[test]
fn unknown_keys() {
    let (t, line) = mutate("block_time_s = 12 ", "colour = 1\nblock_time_s = 12 ");
    let e = expect_err(&t, line, "chain.colour");
    assert!(
        e.found.contains("colour") && e.expected.contains("block_time_s"),
        "{e}"
    );
    let (t, line) = mutate("hf_sigma = 0.4", "hf_sigmaa = 0.4");
    expect_err(&t, line, "borrowers[0].hf_sigmaa");
    let (t, line) = mutate("splits = 7", "splits = 7\nsplitz = 2");
    expect_err(&t, line + 1, "events[0].splitz");
    // A missing key of an event: located at the event's header.
    let text = default_text();
    let header = line_of(text, "[[events]]\nkind = \"attack\"");
    let t = text.replacen("splits = 7", "# removed", 1).replacen(
        "debt_amount = 76_136.0",
        "# removed",
        1,
    );
    let e = expect_err(&t, header, "events[0].debt_amount");
    assert!(e.expected.contains("debt_amount"), "{e}");
    let (t, line) = mutate("kind = \"news\"", "kind = \"meteor\"");
    let e = expect_err(&t, line, "events[1].kind");
    assert!(e.found.contains("meteor"), "{e}");
}

#[test]
fn missing_keys() {
    // Missing key in a table: located at the table header.
    let text = default_text();
    let header = line_of(text, "[[oracles.feeds]]");
    let t = text.replacen("heartbeat_s = 3600 ", "# removed ", 1);
    let e = expect_err(&t, header, "oracles.feeds[0].heartbeat_s");
    assert!(e.expected.contains("heartbeat_s"), "{e}");
    let header = line_of(text, "[chain.gas]");
    let t = text.replacen("liquidation = 315_000", "# removed", 1);
    expect_err(&t, header, "chain.gas.liquidation");
}

#[test]
fn non_finite_and_negative_numbers() {
    let e = case(
        "total_supplied = 3_000_000.0",
        "total_supplied = nan",
        "market.reserves[0].total_supplied",
    );
    assert_eq!(e.found, "nan");
    case(
        "base_fee_gwei = 1.0",
        "base_fee_gwei = inf",
        "chain.base_fee_gwei",
    );
    case(
        "base_fee_gwei = 1.0",
        "base_fee_gwei = -0.5",
        "chain.base_fee_gwei",
    );
    case(
        "total_borrowed = 2_530_000_000.0",
        "total_borrowed = -1.0",
        "market.reserves[4].total_borrowed",
    );
    case(
        "duration_hours = 168.0",
        "duration_hours = 0.0",
        "scenario.duration_hours",
    );
    case(
        "duration_hours = 168.0",
        "duration_hours = -inf",
        "scenario.duration_hours",
    );
    case(
        "block_time_s = 12 ",
        "block_time_s = 0 ",
        "chain.block_time_s",
    );
    case(
        "constant_usd = 1.0",
        "constant_usd = 0.0",
        "oracles.feeds[1].constant_usd",
    );
    case("ratio = 1.0696", "ratio = nan", "oracles.capo[0].ratio");
    case(
        "attention_per_hour = 1.0 ",
        "attention_per_hour = -1.0 ",
        "depositors[1].attention_per_hour",
    );
    case(
        "capital_usd = 5_000_000.0",
        "capital_usd = nan",
        "liquidators[1].capital_usd",
    );
    case(
        "rsETH = 1.5, USDC",
        "rsETH = -1.5, USDC",
        "liquidators[0].volatility.rsETH",
    );
    case(
        "amount = 43_500.0",
        "amount = -43_500.0",
        "events[8].amount",
    );
    case(
        "gas_per_block = 30_000_000",
        "gas_per_block = 100_000",
        "chain.gas_per_block",
    );
}

#[test]
fn reserve_configuration_rules() {
    let e = case(
        "ltv_bps = 8050",
        "ltv_bps = 8400",
        "market.reserves[0].ltv_bps",
    );
    assert!(e.expected.contains("8300"), "{e}");
    case(
        "liquidation_threshold_bps = 8300",
        "liquidation_threshold_bps = 10001",
        "market.reserves[0].liquidation_threshold_bps",
    );
    case(
        "liquidation_bonus_bps = 10500",
        "liquidation_bonus_bps = 10000",
        "market.reserves[0].liquidation_bonus_bps",
    );
    let e = case(
        "liquidation_bonus_bps = 10500",
        "liquidation_bonus_bps = 12100",
        "market.reserves[0].liquidation_bonus_bps",
    );
    assert!(e.found.contains("10043"), "{e}");
    case(
        "reserve_factor_bps = 1500 ",
        "reserve_factor_bps = 10001 ",
        "market.reserves[0].reserve_factor_bps",
    );
    case(
        "liquidation_protocol_fee_bps = 1000",
        "liquidation_protocol_fee_bps = 10001",
        "market.reserves[0].liquidation_protocol_fee_bps",
    );
    case(
        "optimal_usage_ratio_bps = 9200 ",
        "optimal_usage_ratio_bps = 50 ",
        "market.reserves[0].optimal_usage_ratio_bps",
    );
    case(
        "optimal_usage_ratio_bps = 9200 ",
        "optimal_usage_ratio_bps = 9950 ",
        "market.reserves[0].optimal_usage_ratio_bps",
    );
    case(
        "variable_rate_slope1_bps = 235 ",
        "variable_rate_slope1_bps = 700 ",
        "market.reserves[0].variable_rate_slope1_bps",
    );
    case(
        "variable_rate_slope2_bps = 30000 ",
        "variable_rate_slope2_bps = 99500 ",
        "market.reserves[2].variable_rate_slope2_bps",
    );
    case(
        "total_borrowed = 2_655_000.0",
        "total_borrowed = 3_100_000.0",
        "market.reserves[0].total_borrowed",
    );
    case(
        "decimals = 6",
        "decimals = 40",
        "market.reserves[4].decimals",
    );
    case(
        "aave_version = \"3.6\"",
        "aave_version = \"3.3\"",
        "scenario.aave_version",
    );
}

#[test]
fn emode_rules() {
    case(
        "ltv_bps = 9300                       # [changelog] 20240121",
        "ltv_bps = 9600 # [changelog] 20240121",
        "market.emodes[0].ltv_bps",
    );
    case(
        "liquidation_bonus_bps = 10100        # [config]",
        "liquidation_bonus_bps = 10600 # [config]",
        "market.emodes[0].liquidation_bonus_bps",
    );
    case("id = 3 ", "id = 1 ", "market.emodes[1].id");
    case("id = 1 ", "id = 0 ", "market.emodes[0].id");
    let (t, line) = mutate(
        "borrowable = [\"WETH\", \"wstETH\"]",
        "borrowable = [\"WETH\", \"stETH\"]",
    );
    expect_err(&t, line, "market.emodes[1].borrowable[1]");
}

#[test]
fn unique_names() {
    case(
        "symbol = \"weETH\"",
        "symbol = \"wstETH\"",
        "market.reserves[2].symbol",
    );
    case(
        "name = \"USDT\"",
        "name = \"USDC\"",
        "oracles.feeds[2].name",
    );
    case("name = \"weETH\"", "name = \"ETH\"", "oracles.capo[2].name");
}

#[test]
fn references_must_exist() {
    let e = case(
        "price = \"ETH\"",
        "price = \"BTC\"",
        "market.reserves[0].price",
    );
    assert!(
        e.expected.contains("rsETH") && e.found.contains("BTC"),
        "{e}"
    );
    case(
        "base_feed = \"ETH\"",
        "base_feed = \"stETH\"",
        "oracles.capo[0].base_feed",
    );
    case(
        "gas_price_feed = \"ETH\"",
        "gas_price_feed = \"GAS\"",
        "chain.gas_price_feed",
    );
    case(
        "collateral = [\"rsETH\"]",
        "collateral = [\"rsETHx\"]",
        "market.emodes[1].collateral[0]",
    );
    case(
        "asset = \"WETH\"\nshare_of_supply = 0.45",
        "asset = \"WETH9\"\nshare_of_supply = 0.45",
        "depositors[1].asset",
    );
    case(
        "collateral = \"weETH\"",
        "collateral = \"eETH\"",
        "borrowers[1].collateral",
    );
    case("debt = \"USDT\"", "debt = \"DAI\"", "borrowers[6].debt");
    case("emode = 3 ", "emode = 7 ", "borrowers[2].emode");
    // Membership of the e-mode: weETH is not collateral of the rsETH e-mode.
    let (t, line) = mutate_nth(
        "emode = 1                            # ETH-correlated e-mode\n",
        0,
        "emode = 3\n",
    );
    let e = load(&t).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("borrowers[1].collateral"), "{e}");
    assert_eq!(e.line, Some(line as u32 - 2), "{e}");
    case(
        "adapter = \"rsETH\"",
        "adapter = \"ezETH\"",
        "events[6].adapter",
    );
    case(
        "asset = \"rsETH\"\nfrozen = true",
        "asset = \"ezETH\"\nfrozen = true",
        "events[2].asset",
    );
    case(
        "debt = \"WETH\"\ndebt_amount",
        "debt = \"USDe\"\ndebt_amount",
        "events[0].debt",
    );
    case(
        "asset = \"WETH\"\namount = 25_000.0",
        "asset = \"GHO\"\namount = 25_000.0",
        "events[9].asset",
    );
    case(
        "USDC = 0.05, USDT = 0.05 }   # WETH",
        "USDC = 0.05, DAI = 0.05 }   # WETH",
        "liquidators[0].volatility.DAI",
    );
    case(
        "stake_distribution = \"compound-v2-supply\"   #",
        "stake_distribution = \"pareto\"   #",
        "depositors[0].stake_distribution",
    );
}

#[test]
fn shares_and_probabilities() {
    case(
        "share_of_supply = 0.08 ",
        "share_of_supply = 0.0 ",
        "depositors[0].share_of_supply",
    );
    case(
        "share_of_supply = 0.08 ",
        "share_of_supply = 1.2 ",
        "depositors[0].share_of_supply",
    );
    let e = case(
        "share_of_supply = 0.45 ",
        "share_of_supply = 0.95 ",
        "depositors[1].share_of_supply",
    );
    assert!(e.found.contains("1.03"), "{e}");
    case(
        "active_share = 0.3 ",
        "active_share = 1.5 ",
        "borrowers[0].active_share",
    );
    case(
        "exit_fraction_a = 3.0 ",
        "exit_fraction_a = 0.0 ",
        "depositors[0].exit_fraction_a",
    );
    case(
        "exit_fraction_b = 4.0 ",
        "exit_fraction_b = -1.0 ",
        "depositors[2].exit_fraction_b",
    );
    case(
        "threshold_median = 6.0 ",
        "threshold_median = 0.0 ",
        "depositors[3].threshold_median",
    );
    case("count = 30 ", "count = 0 ", "depositors[0].count");
}

#[test]
fn borrower_books() {
    case("hf_min = 1.01 ", "hf_min = 0.99 ", "borrowers[0].hf_min");
    case(
        "hf_median = 1.06 ",
        "hf_median = 1.0 ",
        "borrowers[0].hf_median",
    );
    // WETH books: 1.1M + 1.05M + 0.23M + 0.06M + 0.04M; raise the last one past 2.655M.
    let e = case(
        "total_debt = 40_000.0 ",
        "total_debt = 400_000.0 ",
        "borrowers[4].total_debt",
    );
    assert!(e.expected.contains("2655000"), "{e}");
}

#[test]
fn feeds_need_exactly_one_source() {
    let (t, line) = mutate(
        "constant_usd = 1.0 ",
        "path = \"data/eth_usd_2026-04.csv\"\nconstant_usd = 1.0 ",
    );
    expect_err(&t, line + 1, "oracles.feeds[1].constant_usd");
    let text = default_text();
    let header = text
        .match_indices("[[oracles.feeds]]")
        .nth(1)
        .map(|(i, _)| text[..i].matches('\n').count() + 1)
        .unwrap();
    let t = text.replacen("constant_usd = 1.0 ", "# none ", 1);
    expect_err(&t, header, "oracles.feeds[1]");
}

#[test]
fn event_times() {
    case(
        "at = \"2026-04-18T17:45:00Z\"",
        "at = \"18 April, evening\"",
        "events[0].at",
    );
    let e = case(
        "at = \"2026-04-18T17:45:00Z\"",
        "at = \"2026-04-26T00:00:00Z\"",
        "events[0].at",
    );
    assert!(e.expected.contains("2026-04-25T17:00:00Z"), "{e}");
    case(
        "at = \"2026-04-18T17:45:00Z\"",
        "at = \"2026-04-18T16:59:59Z\"",
        "events[0].at",
    );
    case(
        "start = \"2026-04-18T17:00:00Z\"",
        "start = \"2026-04-18\"",
        "scenario.start",
    );
    // A governance proposal inside the window may execute after its end.
    let (t, _) = mutate("delay_hours = 12.0 ", "delay_hours = 500.0 ");
    load(&t).expect("execution after the window is allowed");
    // The strategy after a governance change must still be valid.
    let e = case(
        "variable_rate_slope2_bps = 800 ",
        "variable_rate_slope2_bps = 100 ",
        "events[4].variable_rate_slope2_bps",
    );
    assert!(e.expected.contains("235") && e.found == "100", "{e}");
    let (t, line) = mutate(
        "variable_rate_slope2_bps = 800 ",
        "variable_rate_slope2_bps = 800\noptimal_usage_ratio_bps = 9999 ",
    );
    expect_err(&t, line + 1, "events[4].optimal_usage_ratio_bps");
    case(
        "ltv_bps = 0                          # [event] LTV kept",
        "ltv_bps = 9000 # [event] LTV kept",
        "events[10].ltv_bps",
    );
    // The Guardian's reaction time and the risk steward's bounds.
    case(
        "reaction_minutes = { median = 77.0, sigma = 0.5 }",
        "reaction_minutes = { median = 0.0, sigma = 0.5 }",
        "events[2].reaction_minutes.median",
    );
    let e = case(
        "reaction_minutes = { median = 77.0, sigma = 0.5 }",
        "reaction_minutes = { median = 77.0, sigma = 5.0 }",
        "events[2].reaction_minutes.sigma",
    );
    assert!(e.expected.contains("[0, 3]"), "{e}");
    case(
        "steward = { max_change_bps = 400, min_delay_hours = 8.0 }",
        "steward = { max_change_bps = 0, min_delay_hours = 8.0 }",
        "events[4].steward.max_change_bps",
    );
    case(
        "steward = { max_change_bps = 400, min_delay_hours = 8.0 }",
        "steward = { max_change_bps = 400, min_delay_hours = -1.0 }",
        "events[4].steward.min_delay_hours",
    );
}

/// Writes the default scenario and a price CSV into a temporary directory.
fn temp_scenario(csv: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/eth_usd_2026-04.csv"), csv).unwrap();
    let scn = dir.path().join("s.toml");
    std::fs::write(&scn, default_text()).unwrap();
    (dir, scn)
}

#[test]
fn missing_price_file() {
    let (t, line) = mutate(
        "path = \"data/eth_usd_2026-04.csv\"",
        "path = \"data/missing.csv\"",
    );
    let e = expect_err(&t, line, "oracles.feeds[0].path");
    assert!(e.found.contains("missing.csv"), "{e}");
    // From a file: the message names the scenario file.
    let dir = tempfile::tempdir().unwrap();
    let scn = dir.path().join("s.toml");
    std::fs::write(&scn, default_text()).unwrap();
    let e = load_file(&scn).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:{line}:", scn.display())),
        "{e}"
    );
}

#[test]
fn malformed_price_lines() {
    let good = include_str!("../../../scenarios/data/eth_usd_2026-04.csv");
    let mut lines: Vec<&str> = good.lines().collect();
    lines[4] = "2026-04-09T18:00:00Z,abc";
    let (_d, scn) = temp_scenario(&(lines.join("\n") + "\n"));
    let e = load_file(&scn).unwrap_err();
    assert!(e.file.ends_with("eth_usd_2026-04.csv"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
    assert!(
        e.to_string().contains("eth_usd_2026-04.csv:5:") && e.to_string().contains("`price_usd`"),
        "{e}"
    );

    let mut lines: Vec<&str> = good.lines().collect();
    lines[7] = "2026-04-09T15:00:00Z,2000";
    let (_d, scn) = temp_scenario(&(lines.join("\n") + "\n"));
    let e = load_file(&scn).unwrap_err();
    assert_eq!(e.line, Some(8), "{e}");
    assert!(e.to_string().contains("increasing"), "{e}");

    let mut lines: Vec<&str> = good.lines().collect();
    lines[9] = "2026-04-09T22:00:00Z,nan";
    let (_d, scn) = temp_scenario(&(lines.join("\n") + "\n"));
    assert_eq!(load_file(&scn).unwrap_err().line, Some(10));

    let (_d, scn) = temp_scenario("timestamp,price_usd\n1776531600,2000\n");
    let e = load_file(&scn).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("oracles.feeds[0].path"), "{e}");
    assert!(e.expected.contains("covering"), "{e}");

    let (_d, scn) = temp_scenario("time,usd\n1776531600,2000\n");
    assert_eq!(load_file(&scn).unwrap_err().line, Some(1));
}

#[test]
fn unreadable_scenario_file() {
    let e = load_file(Path::new("/nonexistent/dir/s.toml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/dir/s.toml: expected"),
        "{e}"
    );
}

#[test]
fn json_schema_mentions_every_top_level_key() {
    let schema = json_schema();
    let text = serde_json::to_string(&schema).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, schema);
    let props = schema["properties"].as_object().expect("properties");
    for key in [
        "scenario",
        "chain",
        "oracles",
        "market",
        "behaviour",
        "depositors",
        "borrowers",
        "liquidators",
        "events",
    ] {
        assert!(props.contains_key(key), "schema lacks `{key}`");
    }
    assert!(text.contains("exchange_rate") && text.contains("rescue_repay"));
}

#[test]
fn every_number_in_the_default_scenario_has_a_source_comment() {
    let spike = load_embedded("aave-v3-core-weth-spike-2026-02").expect("the spike loads");
    for (name, text) in [("default", default_text()), ("spike", spike.text.as_str())] {
        for (i, line) in text.lines().enumerate() {
            let Some((_, value)) = line.split_once(" = ") else {
                continue;
            };
            let v = value.trim_start();
            let numeric = v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '{');
            if numeric && !line.contains('#') {
                panic!(
                    "{name} line {}: a number without a source comment: {line}",
                    i + 1
                );
            }
        }
    }
}

/// The calibration scenario: Trend Research's withdrawals add up to the 411,075 WETH
/// published, and `[calibration]` errors name their key and line.
#[test]
fn the_calibration_scenario_and_its_errors() {
    let s = load_embedded("aave-v3-core-weth-spike-2026-02").expect("the spike loads");
    let withdrawn: f64 = (s.scenario.events.iter())
        .filter_map(|e| match e {
            Event::Withdraw { amount, .. } => Some(*amount),
            _ => None,
        })
        .sum();
    assert!((withdrawn - 411_075.0).abs() < 1e-9, "{withdrawn}");
    let cal = s.scenario.calibration.as_ref().expect("[calibration]");
    assert_eq!(cal.targets.len(), 2);
    assert_eq!(cal.parameters.len(), 2);
    let text = s.text.clone();
    let bad = |from: &str, to: &str, key: &str| {
        assert!(text.contains(from), "{from}");
        let t = text.replacen(from, to, 1);
        expect_err(&t, line_of(&t, to), key);
    };
    bad(
        "sd = 0.005   ",
        "sd = 0.0     ",
        "calibration.targets[0].sd",
    );
    bad(
        "hi = 400.0   ",
        "hi = 1.0     ",
        "calibration.parameters[0].hi",
    );
    bad(
        "lo = 2.0     ",
        "lo = -2.0    ",
        "calibration.parameters[0].lo",
    );
}

/// `[[comets]]` and their events: factors in Comet's bounds, books it would lend to, and
/// events naming a market and an asset it lists; each error names its key and line.
#[test]
fn compound_iii_markets() {
    let e = case(
        "hf_min = 1.04                        # just above",
        "hf_min = 1.01                        # just above",
        "comets[0].books[0].hf_min",
    );
    assert!(e.expected.contains("borrowCF"), "{e}");
    case(
        "liquidate_cf = 0.93                  # [comet]",
        "liquidate_cf = 0.85                  # [comet]",
        "comets[0].collateral[0].liquidate_cf",
    );
    case(
        "liquidation_factor = 0.96            # [comet]",
        "liquidation_factor = 1.5             # [comet]",
        "comets[1].collateral[0].liquidation_factor",
    );
    case(
        "collateral = \"rsETH\"\ncount = 200",
        "collateral = \"weETH\"\ncount = 200",
        "comets[1].books[0].collateral",
    );
    case(
        "emode = 0                            # a Comet has no e-mode",
        "emode = 3                            # a Comet has no e-mode",
        "events[14].emode",
    );
    let e = case(
        "comet = \"compound-v3-wsteth\"\nabsorb = true",
        "comet = \"compound-v9\"\nabsorb = true",
        "events[18].comet",
    );
    assert!(e.expected.contains("compound-v3-weth"), "{e}");
    case(
        "asset = \"rsETH\"\nconstant = true",
        "asset = \"USDC\"\nconstant = true",
        "events[15].asset",
    );
    let (t, line) = mutate_nth(
        "name = \"compound-v3-wsteth\"",
        0,
        "name = \"compound-v3-weth\"",
    );
    expect_err(&t, line, "comets[1].name");
}
