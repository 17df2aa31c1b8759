//! The USDC/SVB scenario (`usdc-svb-2023-03`) on a shortened window (10 Mar 00:00 → 12 Mar
//! 12:00, Maker's spell included): in spiral mode Circle's disclosure makes holders sell USDC
//! on 3pool, DAI follows USDC through the PSM, the spell cuts the PSM's gap and raises `tin`,
//! borrowers repay USDC loans below par; without the news nothing moves; in replay mode Aave's
//! USDC price is the real path and USDC-backed loops are liquidated; runs are reproducible;
//! bad `[svb]` input is refused with its key.

use bankrun_spiral::spec::{Loaded, parse};
use bankrun_spiral::{RunOutput, SpiralError, svb};

const END: &str = "end = \"2023-03-15T00:00:00Z\"";

/// The shipped scenario with `edit` (text replacements) and its window cut.
fn scenario(edit: &[(&str, &str)]) -> Result<Loaded, SpiralError> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut text = std::fs::read_to_string(dir.join("usdc-svb-2023-03.toml")).unwrap();
    let mut edits = vec![(END, "end = \"2023-03-12T12:00:00Z\"")];
    edits.extend_from_slice(edit);
    for (a, b) in edits {
        assert!(text.contains(a), "{a}");
        text = text.replacen(a, b, 1);
    }
    parse(&text, "svb-test.toml", Some(dir))
}

fn run(l: &Loaded, mode: &str, seed: u64) -> RunOutput {
    svb::run_with_progress(l, seed, mode, &mut |_, _| {}).unwrap()
}

#[test]
fn in_spiral_mode_the_news_drives_usdc_down_and_dai_follows_through_the_psm() {
    let l = scenario(&[]).unwrap();
    let a = run(&l, "spiral", 7);
    let out = a.svb.as_ref().unwrap();
    let t = a.summary.svb.as_ref().unwrap();
    let first = &out.market[0];
    assert!((first.usdc_curve - 1.0).abs() < 1e-3, "starts at par");
    // Circle's disclosure (11 Mar 03:00): holders sell USDC for USDT on 3pool.
    assert!(t.holders_sold > 1e8, "holders sold {}", t.holders_sold);
    assert!(t.usdc_min_curve < 0.97, "USDC low {}", t.usdc_min_curve);
    assert!(t.curve_usdc_share_max > first.curve_usdc_share + 0.05);
    let before = out
        .market
        .iter()
        .filter(|r| r.time.as_str() < "2023-03-11T02:00:00Z");
    assert!(
        before.clone().all(|r| r.usdc_curve > 0.995),
        "no run before the news"
    );
    // DAI follows USDC through the PSM: the arbitrageur sells USDC to the PSM for DAI and
    // sells the DAI on 3pool, so the PSM's USDC and DAI's supply grow, and DAI falls.
    assert!(t.arb_usdc_to_psm > 0.0);
    assert!(t.psm_usdc[1] > t.psm_usdc[0]);
    assert!(t.dai_supply[1] > t.dai_supply[0]);
    assert!(t.dai_min_curve < 0.99, "DAI low {}", t.dai_min_curve);
    // Maker's spell (12 Mar 04:57): the ceiling falls to the debt plus the 250M gap.
    for e in out.events.iter().filter(|e| e.label.starts_with("Maker")) {
        assert!(e.outcome.starts_with("ok"), "{e:?}");
    }
    let after = out
        .market
        .iter()
        .find(|r| r.time.as_str() >= "2023-03-12T06:00:00Z")
        .unwrap();
    // The auto-line's `exec` runs before the block and the row is taken after it: the
    // block's own trades move the debt by at most the arbitrageur's clip (20M).
    assert!(
        after.psm_line <= after.psm_usdc + 250e6 + 20e6 + 1.0,
        "line {} usdc {}",
        after.psm_line,
        after.psm_usdc
    );
    // Borrowers repay USDC loans with USDC bought below par; the passive group does not.
    let books = &out.books;
    let repayers = books
        .iter()
        .find(|b| b.group == "usdc-debt-repayers")
        .unwrap();
    let passive = books
        .iter()
        .find(|b| b.group == "usdc-debt-passive")
        .unwrap();
    assert!(repayers.repaid_accounts > 0);
    assert!(repayers.debt_end < repayers.debt_start);
    assert!(t.usdc_repaid > 0.0);
    assert!(
        passive.debt_end >= passive.debt_start,
        "passive debt only accrues"
    );
    assert!(t.usdc_debt[1] < t.usdc_debt[0]);
    let b = run(&l, "spiral", 7);
    assert_eq!(a, b, "same seed, same run");
}

#[test]
fn without_the_news_usdc_holds_its_peg() {
    let l = scenario(&[
        ("risk = 0.01 ", "risk = 0.0 "),
        ("risk = 0.08 ", "risk = 0.0 "),
    ])
    .unwrap();
    let r = run(&l, "spiral", 7);
    let t = r.summary.svb.as_ref().unwrap();
    assert!(t.usdc_min_curve > 0.99, "USDC low {}", t.usdc_min_curve);
    assert_eq!(t.holders_sold, 0.0);
    assert_eq!(r.summary.liquidations, 0);
}

#[test]
fn in_replay_mode_aaves_usdc_price_is_the_real_path_and_loops_are_liquidated() {
    let l = scenario(&[]).unwrap();
    let r = run(&l, "replay", 7);
    let out = r.svb.as_ref().unwrap();
    for row in &out.market {
        // A push feed of USDC/ETH (1 % deviation) over the path, valued at ETH/USD.
        assert!(
            (row.usdc_oracle_usd / row.usdc_path - 1.0).abs() <= 0.0102,
            "{}: oracle {} vs path {}",
            row.time,
            row.usdc_oracle_usd,
            row.usdc_path
        );
    }
    let t = r.summary.svb.as_ref().unwrap();
    assert!(
        t.usdc_min_oracle < 0.9,
        "the path's low {}",
        t.usdc_min_oracle
    );
    assert!(r.summary.liquidations > 0);
    assert!(t.usdc_seized > 0.0);
    let loops = out
        .books
        .iter()
        .find(|b| b.group == "usdc-backed-usdt")
        .unwrap();
    assert!(loops.liquidated_accounts > 0);
    assert!(loops.collateral_end < loops.collateral_start);
}

#[test]
fn bad_svb_input_is_located() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "token = \"USDC\"\nvalue = 1",
            "token = \"XYZ\"\nvalue = 1",
            "token",
        ),
        ("borrows = \"USDT\"", "borrows = \"USDC\"", "borrows"),
        ("token = \"USDT\"", "token = \"stETH\"", "reserves"),
        (
            "collateral = \"USDC\"",
            "collateral = \"USDT\"",
            "collateral",
        ),
        (
            "at = \"2023-03-12T22:15:00Z\"     # source",
            "at = \"2023-03-09T22:15:00Z\"     # source",
            "at",
        ),
        ("kind = \"psm-tin\"", "kind = \"psm-fee\"", "kind"),
        (
            "repay_below = [0.90, 0.99]",
            "repay_below = [0.99, 0.90]",
            "repay_below",
        ),
    ];
    for (from, to, key) in cases {
        let e = scenario(&[(from, to)]).expect_err(to).to_string();
        assert!(e.contains(key), "{to}: {e}");
    }
}

#[test]
fn compound_values_usdc_at_par_so_discounted_usdc_drains_its_usdt_until_the_pause() {
    let pause = "at = \"2023-03-11T12:00:00Z\"\nkind = \"compound-mint-paused\"";
    let noon = scenario(&[]).unwrap();
    let dawn = scenario(&[(
        pause,
        "at = \"2023-03-11T04:00:00Z\"\nkind = \"compound-mint-paused\"",
    )])
    .unwrap();
    let (a, b) = (run(&noon, "spiral", 7), run(&dawn, "spiral", 7));
    let (out, ca) = (
        a.svb.as_ref().unwrap(),
        a.summary.svb.as_ref().unwrap().compound.as_ref().unwrap(),
    );
    let cb = b.summary.svb.as_ref().unwrap().compound.as_ref().unwrap();
    // The real book is placed: its borrows are Compound's.
    assert!(ca.debt_start > 4e8, "book debt {}", ca.debt_start);
    let first = &out.market[0];
    assert_eq!(first.collateral_arb_usdc_supplied, Some(0.0));
    // USDC bought below par is supplied at the oracle's $1 and USDT is borrowed against it
    // until Compound's USDT cash is gone: its suppliers can no longer withdraw.
    assert!(
        ca.arb_usdc_supplied > 1e7,
        "supplied {}",
        ca.arb_usdc_supplied
    );
    assert!(ca.arb_borrowed > 0.5 * ca.arb_usdc_supplied);
    assert!(
        ca.cash[0][1] < 0.1 * ca.cash[0][0],
        "USDT cash {:?}",
        ca.cash[0]
    );
    assert!(ca.utilization_max[1] > 0.99, "{:?}", ca.utilization_max);
    assert!(ca.utilization_max[1] > first.compound_usdt_utilization.unwrap());
    // DAI followed USDC through the PSM, so USDC was no cheaper in DAI and the DAI loop
    // found little to do: DAI's cash is not drained.
    assert!(
        ca.cash[1][1] > 0.9 * ca.cash[1][0],
        "DAI cash {:?}",
        ca.cash[1]
    );
    // Nothing is supplied once the pause guardian pauses USDC's mint (11 Mar 12:00).
    let supplied_at = |t: &str| {
        out.market
            .iter()
            .find(|r| r.time.as_str() >= t)
            .and_then(|r| r.collateral_arb_usdc_supplied)
            .unwrap()
    };
    assert_eq!(
        supplied_at("2023-03-11T13:00:00Z"),
        ca.arb_usdc_supplied,
        "supply after the pause"
    );
    let paused = out
        .events
        .iter()
        .find(|e| e.label.starts_with("Compound"))
        .unwrap();
    assert!(paused.outcome.starts_with("ok"), "{paused:?}");
    // A pause at 04:00, an hour after Circle's disclosure, lets less USDC in, so less is
    // borrowed against it (USDT's 24M of cash is drained either way).
    assert!(
        cb.arb_usdc_supplied < ca.arb_usdc_supplied,
        "04:00 {} 12:00 {}",
        cb.arb_usdc_supplied,
        ca.arb_usdc_supplied
    );
    assert!(cb.arb_borrowed <= ca.arb_borrowed + 1.0);
}
