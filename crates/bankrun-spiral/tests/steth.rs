//! The stETH scenario (`steth-2022-06`) on a shortened window (8–12 June, Alameda's sales
//! included): both modes run; in spiral mode the Curve pool sets the price Aave v2 values
//! stETH at, in replay mode the real ratio does; a deeper pool gives a milder discount; a
//! large forced sale liquidates loops only where the oracle reads the pool; runs are
//! reproducible; bad `[steth]` input is refused with its key.

use bankrun_spiral::spec::{Loaded, parse};
use bankrun_spiral::{RunOutput, SpiralError, steth};

const END: &str = "end = \"2022-06-20T00:00:00Z\"";

/// The shipped scenario with `edit` (text replacements) and its window cut to 4 days.
fn scenario(edit: &[(&str, &str)]) -> Result<Loaded, SpiralError> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut text = std::fs::read_to_string(dir.join("steth-2022-06.toml")).unwrap();
    let mut edits = vec![(END, "end = \"2022-06-12T00:00:00Z\"")];
    edits.extend_from_slice(edit);
    for (a, b) in edits {
        assert!(text.contains(a), "{a}");
        text = text.replacen(a, b, 1);
    }
    parse(&text, "steth-test.toml", Some(dir))
}

fn run(l: &Loaded, mode: &str, seed: u64) -> RunOutput {
    steth::run_with_progress(l, seed, mode, &mut |_, _| {}).unwrap()
}

#[test]
fn in_spiral_mode_the_pool_sets_aaves_price_and_runs_are_reproducible() {
    let l = scenario(&[]).unwrap();
    let a = run(&l, "spiral", 5);
    let out = a.steth.as_ref().unwrap();
    let first = &out.market[0];
    // The oracle starts at the pool's price (a push feed: within its 0.5 % deviation).
    assert!((first.steth_oracle / first.steth_curve - 1.0).abs() <= 0.005 + 1e-6);
    for r in &out.market {
        assert!(
            (r.steth_oracle / r.steth_curve - 1.0).abs() <= 0.0051,
            "{}: oracle {} vs pool {}",
            r.time,
            r.steth_oracle,
            r.steth_curve
        );
    }
    // Alameda's 50,000 stETH went into the pool and drained ETH from it.
    for e in out.events.iter().filter(|e| e.label.starts_with("Alameda")) {
        assert!(e.outcome.starts_with("ok "), "{e:?}");
    }
    let t = a.summary.steth.as_ref().unwrap();
    assert!((t.forced_sold[0] - 50_000.0).abs() < 1e-6);
    assert!(t.forced_sold[1] < t.forced_sold[0], "sold below par");
    assert!(t.forced_loss_eth > 0.0);
    let last = out.market.last().unwrap();
    assert!(last.curve_steth_share > first.curve_steth_share);
    assert!(last.steth_curve < first.steth_curve);
    let b = run(&l, "spiral", 5);
    assert_eq!(a, b, "same seed, same run");
}

#[test]
fn in_replay_mode_aaves_price_is_the_real_ratio() {
    let l = scenario(&[]).unwrap();
    let r = run(&l, "replay", 5);
    for row in &r.steth.as_ref().unwrap().market {
        assert!(
            (row.steth_oracle / row.steth_path - 1.0).abs() <= 0.0051,
            "{}: oracle {} vs path {}",
            row.time,
            row.steth_oracle,
            row.steth_path
        );
    }
}

#[test]
fn a_deeper_pool_gives_a_milder_discount() {
    let shallow = run(&scenario(&[]).unwrap(), "spiral", 5);
    let deep = scenario(&[
        ("eth = 310_000", "eth = 1_240_000"),
        ("steth = 690_000", "steth = 2_760_000"),
        ("steth_supply = 4_220_000", "steth_supply = 6_500_000"),
    ])
    .unwrap();
    let deep = run(&deep, "spiral", 5);
    let (s, d) = (shallow.summary.steth.unwrap(), deep.summary.steth.unwrap());
    assert!(
        d.steth_min_curve > s.steth_min_curve,
        "deep pool low {} vs shallow {}",
        d.steth_min_curve,
        s.steth_min_curve
    );
}

#[test]
fn a_forced_sale_liquidates_loops_only_where_the_oracle_reads_the_pool() {
    // 400,000 stETH dumped on the pool at the start of 9 June.
    let dump = "[[steth.events]]\nlabel = \"dump\"\nat = \"2022-06-09T00:00:00Z\"\nkind = \
                \"sell-steth\"\namount = 400_000\n\n[[steth.events]]\nlabel = \"Alameda sells \
                stETH (1/5)\"";
    let l = scenario(&[
        (
            "[[steth.events]]\nlabel = \"Alameda sells stETH (1/5)\"",
            dump,
        ),
        ("steth_supply = 4_220_000", "steth_supply = 4_620_000"),
    ])
    .unwrap();
    let spiral = run(&l, "spiral", 5);
    let replay = run(&l, "replay", 5);
    let s = spiral.summary.steth.as_ref().unwrap();
    assert!(
        s.steth_min_oracle < 0.9,
        "the dump moves Aave's price: {}",
        s.steth_min_oracle
    );
    assert!(spiral.summary.liquidations > 0);
    assert!(s.steth_seized > 0.0);
    let tight = &spiral.steth.as_ref().unwrap().books[0];
    assert_eq!(tight.group, "loopers-tight");
    assert!(tight.liquidated_accounts > 0);
    // In replay mode the oracle reads the real ratio (≥ 0.94 over these days): no loop falls.
    assert_eq!(replay.summary.liquidations, 0);
}

#[test]
fn bad_steth_input_is_located() {
    let cases: [(&str, &str, &str); 4] = [
        ("token = \"WETH\"", "token = \"stETH\"", "reserves"),
        ("book = \"3ac\"", "book = \"4ac\"", "book"),
        ("health = [1.08, 1.15]", "health = [0.9, 1.15]", "health"),
        (
            "modes = [\"replay\", \"spiral\"]",
            "modes = [\"spiral\", \"spiral\"]",
            "modes",
        ),
    ];
    for (from, to, key) in cases {
        let e = scenario(&[(from, to)]).expect_err(to).to_string();
        assert!(e.contains(key), "{to}: {e}");
    }
}
