//! End-to-end tests of the report outputs on a small synthetic run.

use std::fs;
use std::path::Path;

use arrow::array::{
    Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, TimeUnit};
use bankrun_metrics::{
    ClassSeriesRow, ClassSummary, CometSummary, DepositorOutcome, EventRecord, GraphEdge,
    GraphNode, LiquidationRecord, LiquidationSummary, LossRow, LossSummary, ReserveBlockRow,
    ReserveSummary, RunResult, Summary, TxSummary,
};
use bankrun_report::{
    ReportError, RunMeta, summary_json, summary_json_schema, summary_table, write_run_dir,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// 2024-03-01T00:00:00Z.
const START: i64 = 1_709_251_200;
const BLOCKS: u64 = 600;
const RESERVES: [(&str, f64); 2] = [("WETH", 3_000.0), ("USDC", 1.0)];
const CLASSES: [&str; 2] = ["whale", "retail"];

fn reserve_row(block: u64, reserve: &str, price: f64) -> ReserveBlockRow {
    let t = block as f64 / BLOCKS as f64;
    let slope = if price > 1.0 { 0.25 } else { 0.15 };
    let utilization = (0.8 + slope * t).min(1.0);
    ReserveBlockRow {
        block,
        timestamp: START + 12 * block as i64,
        reserve: reserve.to_owned(),
        utilization,
        available_liquidity: 1_000.0 * (1.0 - utilization) + 0.125,
        total_supplied: 1_000.0,
        total_borrowed: 1_000.0 * utilization,
        supply_apr: 0.02 + 2.0 * slope * t,
        borrow_apr: 0.04 + 3.6 * slope * t,
        liquidity_index: format!(
            "{}",
            1_000_000_000_000_000_000_000_000_000u128 + block as u128
        ),
        variable_borrow_index: "1000000000000000000000000000".to_owned(),
        withdrawals_requested: 1.5 * (block % 7) as f64,
        withdrawals_served: 1.0 * (block % 7) as f64,
        withdrawals_reverted: 0.5 * (block % 7) as f64,
        withdrawals_reverted_count: (block % 3) as u32,
        deficit: if block > 400 {
            0.001 * (block - 400) as f64
        } else {
            0.0
        },
        oracle_price_usd: price,
        frozen: block > 500,
    }
}

fn synthetic() -> RunResult {
    let reserve_series = (0..BLOCKS)
        .flat_map(|b| RESERVES.map(|(symbol, price)| reserve_row(b, symbol, price)))
        .collect();
    let class_series = (0..BLOCKS)
        .step_by(25)
        .flat_map(|b| {
            CLASSES.map(|class| ClassSeriesRow {
                block: b,
                timestamp: START + 12 * b as i64,
                class: class.to_owned(),
                cumulative_withdrawn_usd: 1_000.0 * b as f64,
                share_withdrawn: b as f64 / BLOCKS as f64,
                pending_exit_usd: 10.0 * b as f64,
            })
        })
        .collect();
    let depositors = (0..4)
        .map(|id| DepositorOutcome {
            id,
            class: CLASSES[id as usize % 2].to_owned(),
            asset: RESERVES[id as usize / 2].0.to_owned(),
            initial_balance: 100.0 + id as f64,
            initial_usd: 300_000.0,
            exit_target: 50.0,
            withdrawn: 40.0,
            withdraw_txs: 3,
            reverted_txs: id,
            first_exit_decision_s: (id % 2 == 0).then_some(120.5 * id as f64),
            exit_completed_s: (id == 2).then_some(3_600.0),
            trapped_at_end: 10.0,
            gas_paid_eth: 0.0125,
        })
        .collect();
    let liquidations = (0..3)
        .map(|i| LiquidationRecord {
            block: 450 + i,
            timestamp: START + 12 * (450 + i) as i64,
            liquidator: 900 + i as u32,
            user: 7,
            collateral_asset: "WETH".into(),
            debt_asset: "USDC".into(),
            debt_repaid: 5_000.0,
            collateral_to_liquidator: 1.75,
            protocol_fee: 0.01,
            debt_repaid_usd: 5_000.0,
            bonus_usd: 250.0,
            health_factor_before: 0.97,
            deficit_created_usd: if i == 2 { 123.0 } else { 0.0 },
            receive_a_token: i == 1,
        })
        .collect();
    let events = vec![
        EventRecord {
            block: 100,
            timestamp: START + 1_200,
            actor: "oracle".into(),
            description: "WETH price −20 % <shock> & \"quote\"".into(),
            ok: true,
        },
        EventRecord {
            block: 300,
            timestamp: START + 3_600,
            actor: "guardian".into(),
            description: "freeze USDC".into(),
            ok: false,
        },
    ];
    RunResult {
        summary: summary(),
        reserve_series,
        class_series,
        depositors,
        liquidations,
        events,
        graph_nodes: ["start", "end"]
            .into_iter()
            .flat_map(|snapshot| {
                [("asset/WETH", "asset"), ("depositors/whale", "cohort")].map(|(id, kind)| {
                    GraphNode {
                        snapshot: snapshot.into(),
                        id: id.into(),
                        kind: kind.into(),
                        value_usd: 1_000.0,
                    }
                })
            })
            .collect(),
        graph_edges: vec![GraphEdge {
            snapshot: "start".into(),
            source: "depositors/whale".into(),
            target: "asset/WETH".into(),
            kind: "supply".into(),
            usd: 1_000.0,
        }],
    }
}

fn summary() -> Summary {
    let reserves = RESERVES
        .iter()
        .map(|(symbol, price)| ReserveSummary {
            symbol: (*symbol).to_owned(),
            initial_utilization: 0.8,
            peak_utilization: 1.0,
            hours_at_or_above_99pct: 0.5,
            hours_to_99pct: Some(0.25),
            min_available_liquidity: 0.0,
            initial_available_liquidity: 500.0,
            peak_borrow_apr: 0.94,
            peak_supply_apr: 0.52,
            withdrawals_requested: 2_700.0,
            withdrawals_served: 1_800.0,
            withdrawals_reverted: 900.0,
            withdrawals_requested_usd: 2_700.0 * price,
            withdrawals_served_usd: 1_800.0 * price,
            withdrawals_reverted_usd: 900.0 * price,
            reverted_withdraw_txs: 600,
            deficit: 0.199,
            deficit_usd: 0.199 * price,
            initial_supplied: 3_000.0,
            // A 2-hour window reaches neither checkpoint: the table shows "—".
            withdrawn_share_24h: None,
            withdrawn_share_96h: None,
        })
        .collect();
    let classes = CLASSES
        .iter()
        .enumerate()
        .map(|(i, class)| ClassSummary {
            class: (*class).to_owned(),
            depositors: 2,
            initial_usd: 600_000.0,
            share_exited: 0.8,
            share_deciding: 0.5,
            median_hours_to_exit: (i == 0).then_some(1.0),
            share_trapped: 0.2,
        })
        .collect();
    Summary {
        scenario: "synthetic-run".into(),
        seed: 42,
        start: "2024-03-01T00:00:00Z".into(),
        blocks: BLOCKS,
        hours: 2.0,
        reserves,
        classes,
        withdrawn_share_24h: None,
        withdrawn_share_96h: None,
        comets: Vec::new(),
        liquidations: LiquidationSummary {
            count: 3,
            debt_repaid_usd: 15_000.0,
            collateral_seized_usd: 15_780.0,
            deficit_created_usd: 123.0,
            underwater_accounts_at_end: 2,
            underwater_debt_usd_at_end: 50_000.0,
            latent_bad_debt_usd_at_end: 4_321.0,
        },
        transactions: TxSummary {
            submitted: 1_234,
            included: 1_200,
            reverted: 600,
            pending_at_end: 34,
            gas_paid_eth: 0.05,
        },
        losses: LossSummary {
            deficit_booked_usd: 123.0,
            deficit_covered_usd: 100.0,
            deficit_not_covered_usd: 23.0,
            latent_bad_debt_usd: 4_321.0,
            rescued_usd: 7.0,
            liquidation_bonus_usd: 780.0,
            rows: vec![LossRow {
                loss: "latent bad debt".into(),
                reserve: "WETH".into(),
                source: "attacker".into(),
                borne_by: "WETH suppliers, unless recovered".into(),
                tokens: 1.5,
                usd: 4_321.0,
            }],
        },
    }
}

fn meta() -> RunMeta {
    RunMeta {
        scenario: "synthetic-run".into(),
        seed: 42,
        description: "A tiny synthetic run for tests.".into(),
        bankrun_version: "0.1.0-test".into(),
    }
}

const FILES: [&str; 17] = [
    "reserves.parquet",
    "reserves.csv",
    "classes.parquet",
    "classes.csv",
    "depositors.parquet",
    "depositors.csv",
    "liquidations.parquet",
    "liquidations.csv",
    "losses.parquet",
    "losses.csv",
    "exposure_nodes.parquet",
    "exposure_nodes.csv",
    "exposure_edges.parquet",
    "exposure_edges.csv",
    "events.csv",
    "summary.json",
    "report.html",
];

fn write_synthetic(out: &Path) -> Vec<std::path::PathBuf> {
    write_run_dir(&synthetic(), &meta(), out).expect("write_run_dir succeeds")
}

#[test]
fn writes_every_file_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let written = write_synthetic(&out);
    let expected: Vec<_> = FILES.iter().map(|f| out.join(f)).collect();
    assert_eq!(written, expected);
    for path in &written {
        assert!(
            fs::metadata(path).unwrap().len() > 0,
            "{} is empty",
            path.display()
        );
    }
    // The listed files plus bankrun's marker.
    assert_eq!(fs::read_dir(&out).unwrap().count(), FILES.len() + 1);
    let marker = fs::read_to_string(out.join(bankrun_report::MARKER)).unwrap();
    assert!(marker.contains("simulate synthetic-run --seed"), "{marker}");
    // Only `run` is left in the parent: the partial directory was renamed.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> (Vec<String>, Vec<T>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.deserialize().collect::<Result<Vec<T>, _>>().unwrap();
    (header, rows)
}

#[test]
fn csv_files_round_trip_with_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    let input = synthetic();

    let (header, reserves) = read_csv::<ReserveBlockRow>(&out.join("reserves.csv"));
    assert_eq!(
        &header[..4],
        ["block", "timestamp", "reserve", "utilization"]
    );
    assert_eq!(header.len(), 18);
    assert_eq!(reserves.len(), 2 * BLOCKS as usize);
    assert_eq!(reserves, input.reserve_series);

    let (header, classes) = read_csv::<ClassSeriesRow>(&out.join("classes.csv"));
    assert_eq!(header[4], "share_withdrawn");
    assert_eq!(classes, input.class_series);

    let (header, depositors) = read_csv::<DepositorOutcome>(&out.join("depositors.csv"));
    assert_eq!(header.len(), 13);
    assert_eq!(depositors, input.depositors);

    let (_, liquidations) = read_csv::<LiquidationRecord>(&out.join("liquidations.csv"));
    assert_eq!(liquidations, input.liquidations);

    let (header, losses) = read_csv::<LossRow>(&out.join("losses.csv"));
    assert_eq!(
        header,
        ["loss", "reserve", "source", "borne_by", "tokens", "usd"]
    );
    assert_eq!(losses, input.summary.losses.rows);
    let (_, nodes) = read_csv::<GraphNode>(&out.join("exposure_nodes.csv"));
    assert_eq!(nodes, input.graph_nodes);
    let (header, edges) = read_csv::<GraphEdge>(&out.join("exposure_edges.csv"));
    assert_eq!(header, ["snapshot", "source", "target", "kind", "usd"]);
    assert_eq!(edges, input.graph_edges);

    let (header, events) = read_csv::<EventRecord>(&out.join("events.csv"));
    assert_eq!(header, ["block", "timestamp", "actor", "description", "ok"]);
    assert_eq!(events, input.events);
}

fn read_parquet(path: &Path) -> (RecordBatch, Option<String>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
    let created_by = builder
        .metadata()
        .file_metadata()
        .created_by()
        .map(String::from);
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
    let schema = batches[0].schema();
    (
        arrow::compute::concat_batches(&schema, &batches).unwrap(),
        created_by,
    )
}

fn col<'a, A: Array + 'static>(batch: &'a RecordBatch, name: &str) -> &'a A {
    let column = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    column
        .as_any()
        .downcast_ref::<A>()
        .unwrap_or_else(|| panic!("{name}: wrong type"))
}

fn f64s(batch: &RecordBatch, name: &str) -> Vec<f64> {
    col::<Float64Array>(batch, name).values().to_vec()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    let a = col::<StringArray>(batch, name);
    a.iter().map(|s| s.unwrap().to_owned()).collect()
}

#[test]
fn reserves_parquet_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    let input = synthetic().reserve_series;
    let (b, created_by) = read_parquet(&out.join("reserves.parquet"));
    assert_eq!(created_by.as_deref(), Some("bankrun 0.1.0-test"));
    assert_eq!(b.num_rows(), input.len());
    let time_type = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    assert_eq!(
        b.schema().field_with_name("time").unwrap().data_type(),
        &time_type
    );
    let rows: Vec<ReserveBlockRow> = (0..b.num_rows())
        .map(|i| ReserveBlockRow {
            block: col::<UInt64Array>(&b, "block").value(i),
            timestamp: col::<Int64Array>(&b, "timestamp").value(i),
            reserve: strings(&b, "reserve")[i].clone(),
            utilization: f64s(&b, "utilization")[i],
            available_liquidity: f64s(&b, "available_liquidity")[i],
            total_supplied: f64s(&b, "total_supplied")[i],
            total_borrowed: f64s(&b, "total_borrowed")[i],
            supply_apr: f64s(&b, "supply_apr")[i],
            borrow_apr: f64s(&b, "borrow_apr")[i],
            liquidity_index: strings(&b, "liquidity_index")[i].clone(),
            variable_borrow_index: strings(&b, "variable_borrow_index")[i].clone(),
            withdrawals_requested: f64s(&b, "withdrawals_requested")[i],
            withdrawals_served: f64s(&b, "withdrawals_served")[i],
            withdrawals_reverted: f64s(&b, "withdrawals_reverted")[i],
            withdrawals_reverted_count: col::<UInt32Array>(&b, "withdrawals_reverted_count")
                .value(i),
            deficit: f64s(&b, "deficit")[i],
            oracle_price_usd: f64s(&b, "oracle_price_usd")[i],
            frozen: col::<BooleanArray>(&b, "frozen").value(i),
        })
        .collect();
    assert_eq!(rows, input);
    let time = col::<TimestampMillisecondArray>(&b, "time");
    let ts = col::<Int64Array>(&b, "timestamp");
    let ms: Vec<i64> = ts.values().iter().map(|t| t * 1000).collect();
    assert_eq!(time.values().to_vec(), ms);
}

#[test]
fn other_parquet_tables_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    let input = synthetic();

    let (b, _) = read_parquet(&out.join("classes.parquet"));
    assert_eq!(
        strings(&b, "class"),
        input
            .class_series
            .iter()
            .map(|r| r.class.clone())
            .collect::<Vec<_>>()
    );
    let shares: Vec<f64> = input
        .class_series
        .iter()
        .map(|r| r.share_withdrawn)
        .collect();
    assert_eq!(f64s(&b, "share_withdrawn"), shares);
    assert!(b.schema().field_with_name("time").is_ok());

    let (b, _) = read_parquet(&out.join("depositors.parquet"));
    let decision = col::<Float64Array>(&b, "first_exit_decision_s");
    let read: Vec<Option<f64>> = decision.iter().collect();
    let expected: Vec<Option<f64>> = input
        .depositors
        .iter()
        .map(|d| d.first_exit_decision_s)
        .collect();
    assert_eq!(read, expected);
    assert!(
        b.schema()
            .field_with_name("first_exit_decision_s")
            .unwrap()
            .is_nullable()
    );
    assert_eq!(
        col::<UInt32Array>(&b, "reverted_txs").values().to_vec(),
        vec![0, 1, 2, 3]
    );

    let (b, _) = read_parquet(&out.join("liquidations.parquet"));
    assert_eq!(b.num_rows(), 3);
    assert_eq!(f64s(&b, "deficit_created_usd"), vec![0.0, 0.0, 123.0]);
    let receive: Vec<bool> = col::<BooleanArray>(&b, "receive_a_token")
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(receive, vec![false, true, false]);
}

#[test]
fn identical_input_gives_byte_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    write_synthetic(&a);
    write_synthetic(&b);
    for file in FILES {
        let (x, y) = (
            fs::read(a.join(file)).unwrap(),
            fs::read(b.join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two writes");
    }
}

#[test]
fn rewrite_replaces_previous_run_but_not_a_foreign_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    fs::write(out.join("stale.txt"), "old").unwrap();
    write_synthetic(&out);
    assert!(!out.join("stale.txt").exists());
    assert!(out.join("report.html").exists());
    let foreign = tmp.path().join("mine");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "precious").unwrap();
    let err = write_run_dir(&synthetic(), &meta(), &foreign).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("mine"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "precious"
    );
    assert_eq!(fs::read_dir(&foreign).unwrap().count(), 1);
}

#[test]
fn failing_write_returns_error_and_leaves_no_out_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not-a-dir");
    fs::write(&blocker, "x").unwrap();
    let out = blocker.join("run");
    let err = write_run_dir(&synthetic(), &meta(), &out).unwrap_err();
    assert!(matches!(err, ReportError::Output(_)), "{err}");
    assert!(
        err.to_string().contains("not-a-dir"),
        "error names the path: {err}"
    );
    assert!(!out.exists());
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "only the blocker file remains"
    );
}

#[test]
fn out_that_is_a_file_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    fs::write(&out, "precious").unwrap();
    let err = write_run_dir(&synthetic(), &meta(), &out).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn html_is_self_contained_with_one_svg_per_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    eprintln!("report.html: {} bytes", html.len());
    // Six time charts and the exposure graph at the start and the end.
    assert_eq!(html.matches("<svg").count(), 8);
    assert_eq!(html.matches("</svg>").count(), 8);
    for forbidden in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    for expected in [
        "synthetic-run",
        "0.1.0-test",
        "2024-03-01T00:00:00Z",
        "WETH",
        "USDC",
        "whale",
        "retail",
        "freeze USDC",
        "no (reverted)",
        "Showing 3 of 3 liquidations",
        "Who bears the losses",
        "WETH suppliers, unless recovered",
        "Exposure graph at the start",
        "Exposure graph at the end",
        "Flows: positions by cohort",
    ] {
        assert!(html.contains(expected), "report.html lacks {expected}");
    }
    assert!(
        html.contains("&lt;shock&gt; &amp; &quot;quote&quot;"),
        "event text is escaped"
    );
    assert!(!html.contains("<shock>"));
}

#[test]
fn summary_table_names_reserves_and_classes() {
    let text = summary_table(&synthetic().summary);
    for name in ["WETH", "USDC", "whale", "retail", "synthetic-run"] {
        assert!(text.contains(name), "summary table lacks {name}");
    }
    assert!(text.contains("100.0 %"), "peak utilization as a percentage");
    assert!(text.contains("($8.10M)"), "requested WETH in USD");
    assert!(!text.contains('\u{1b}'), "no terminal escape codes");
    insta::assert_snapshot!(text);
}

/// A Compound III market run beside the pool gets its own stdout section, report table and
/// JSON entry; without one, neither the section nor its header appears.
#[test]
fn compound_iii_markets_get_their_own_section() {
    assert!(!summary_table(&synthetic().summary).contains("Compound III"));
    let mut summary = synthetic().summary;
    summary.comets.push(CometSummary {
        name: "compound-v3-weth".into(),
        base: "WETH".into(),
        initial_utilization: 0.55,
        peak_utilization: 0.718,
        hours_at_or_above_99pct: 0.0,
        peak_borrow_apr: 0.031,
        peak_supply_apr: 0.016,
        supplied_start: 100_000.0,
        supplied_end: 100_200.0,
        borrowed_end: 71_800.0,
        absorbs: 3,
        reserves_start: 0.0,
        reserves_end: -12.5,
        underwater_accounts_at_end: 36,
        latent_bad_debt_usd: 2_270_000.0,
        collateral_price_low: vec![("wstETH".into(), 1.0), ("rsETH".into(), 0.8164)],
    });
    let text = summary_table(&summary);
    for needle in [
        "Compound III markets",
        "compound-v3-weth",
        "55.0 % → 71.8 %",
        "$2.27M",
        "rsETH 81.6 %",
    ] {
        assert!(text.contains(needle), "stdout lacks {needle:?}:\n{text}");
    }
    let back: Summary = serde_json::from_str(&summary_json(&summary)).unwrap();
    assert_eq!(back.comets, summary.comets);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut run = synthetic();
    run.summary = summary;
    write_run_dir(&run, &meta(), &out).unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Compound III") && html.contains("compound-v3-weth"));
}

#[test]
fn summary_json_matches_file_and_schema_lists_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    write_synthetic(&out);
    let file = fs::read_to_string(out.join("summary.json")).unwrap();
    let summary = synthetic().summary;
    assert_eq!(file, summary_json(&summary) + "\n");
    let back: Summary = serde_json::from_str(&file).unwrap();
    assert_eq!(back, summary);
    let schema = summary_json_schema();
    assert!(schema["$defs"]["ReserveSummary"]["properties"]["peak_utilization"].is_object());
}
