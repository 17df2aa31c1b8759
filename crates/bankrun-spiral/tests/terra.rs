//! The Terra scenario (`terra-anchor-2022-05`) on a 48-hour window: both modes run, the
//! spiral mode's prices and LUNA supply are formed by the run, the replay mode's by the
//! path, runs are reproducible, and bad `[terra]` input is refused with its key.

use bankrun_spiral::spec::{Loaded, parse};
use bankrun_spiral::{RunOutput, SpiralError, terra};

/// The shipped scenario with `edit` (text replacements) and its window cut to 48 h.
fn scenario(edit: &[(&str, &str)]) -> Result<Loaded, SpiralError> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut text = std::fs::read_to_string(dir.join("terra-anchor-2022-05.toml")).unwrap();
    let mut edits = vec![(
        "end = \"2022-05-13T00:00:00Z\"",
        "end = \"2022-05-09T00:00:00Z\"",
    )];
    edits.extend_from_slice(edit);
    for (a, b) in edits {
        assert!(text.contains(a), "{a}");
        text = text.replacen(a, b, 1);
    }
    parse(&text, "terra-test.toml", Some(dir))
}

fn run(l: &Loaded, mode: &str, seed: u64) -> RunOutput {
    terra::run_with_progress(l, seed, mode, &mut |_, _| {}).unwrap()
}

#[test]
fn the_spiral_mode_forms_prices_and_supply_and_is_reproducible() {
    let l = scenario(&[]).unwrap();
    let a = run(&l, "spiral", 3);
    let t = a.summary.terra.as_ref().unwrap();
    let out = a.terra.as_ref().unwrap();
    // Prices start where the path starts and are then the agents' own.
    let first = &out.market[0];
    assert!((first.ust_cex - first.ust_path).abs() < 1e-9);
    assert!(
        out.market
            .iter()
            .any(|r| (r.ust_cex - r.ust_path).abs() > 0.01),
        "spiral-mode prices leave the path"
    );
    // The market module burned UST and minted LUNA; supplies moved by exactly that.
    assert!(t.ust_burned > 0.0);
    assert!(t.luna_supply[1] > t.luna_supply[0]);
    let last = out.market.last().unwrap();
    assert!(last.luna_minted > 0.0 && last.ust_burned >= t.ust_burned);
    assert!(t.ust_supply[1] < t.ust_supply[0]);
    // Holders exited; the May-7 withdrawals and sales all executed.
    assert!(t.cohort_exit_share.iter().any(|(_, s)| *s > 0.0));
    for e in out.events.iter().filter(|e| e.time.as_str() < "2022-05-08") {
        assert!(e.outcome.starts_with("ok "), "{e:?}");
    }
    let b = run(&l, "spiral", 3);
    assert_eq!(a, b, "same seed, same run");
}

#[test]
fn the_replay_mode_follows_the_price_path() {
    let l = scenario(&[]).unwrap();
    let r = run(&l, "replay", 3);
    for row in &r.terra.as_ref().unwrap().market {
        assert!(
            (row.ust_cex / row.ust_path - 1.0).abs() < 0.01,
            "{}: book {} vs path {}",
            row.time,
            row.ust_cex,
            row.ust_path
        );
        assert!((row.luna_usd / row.luna_path - 1.0).abs() < 0.01);
    }
    let t = r.summary.terra.unwrap();
    assert!(
        t.anchor_outflow_share[2] > 0.0,
        "the May-7 depeg starts a run"
    );
}

#[test]
fn a_deeper_ust_book_makes_a_milder_spiral() {
    // Thicker books absorb the same exits with less of a fall: the spiral-mode low of UST
    // rises with the book's depth.
    let thin = scenario(&[]).unwrap();
    let thick = scenario(&[("ust_cex_depth_scale = 0.22", "ust_cex_depth_scale = 5.0")]).unwrap();
    let low = |l: &Loaded| run(l, "spiral", 5).summary.terra.unwrap().ust_min_usd;
    let (a, b) = (low(&thin), low(&thick));
    assert!(
        b > a,
        "UST low: {a} with the shipped depth, {b} with 5× ETH's book"
    );
}

#[test]
fn bad_terra_input_names_its_key() {
    for (edit, key) in [
        (
            (
                "modes = [\"replay\", \"spiral\"]",
                "modes = [\"replay\", \"later\"]",
            ),
            "modes",
        ),
        (("curve_a = 100 ", "curve_a = 0 "), "curve_a"),
        (("bid_premium = 0.05", "bid_premium = 0.5"), "bid_premium"),
        (
            ("exit_fraction = 0.2 ", "exit_fraction = 0.0 "),
            "exit_fraction",
        ),
        (("kind = \"sell-ust\"", "kind = \"sell-luna\""), "kind"),
    ] {
        let err = scenario(&[edit]).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains(key), "{edit:?}: {err}");
        assert!(err.contains("terra-test.toml:"), "located: {err}");
    }
}
