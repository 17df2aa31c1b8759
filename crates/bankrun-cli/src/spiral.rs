//! `bankrun simulate` / `collateral-at-risk` for the liquidation-spiral scenarios
//! (`bankrun-spiral`: Maker Liquidations 1.2, Compound v2), and `collateral-at-risk` for the
//! Aave scenarios (their starting book, without price feedback).

use std::path::{Path, PathBuf};
use std::time::Instant;

use bankrun_spiral::SpiralError;
use bankrun_spiral::risk::Curve;

use crate::progress::progress_bar;
use crate::{Failure, stdout};

fn fail(e: SpiralError) -> Failure {
    match e {
        SpiralError::Run(m) => Failure::Other(anyhow::anyhow!(m)),
        other => Failure::BadInput(other.to_string()),
    }
}

/// Whether `spec` names a spiral scenario (embedded name or TOML with a spiral protocol).
pub fn is_spiral(spec: &str) -> bool {
    bankrun_spiral::is_spiral(spec)
}

/// `bankrun simulate` for a spiral scenario.
pub fn simulate(
    spec: &str,
    seed: Option<u64>,
    out: Option<PathBuf>,
    json: bool,
    no_write: bool,
) -> Result<(), Failure> {
    let l = bankrun_spiral::load(spec).map_err(fail)?;
    let seed = seed.unwrap_or(l.spec.scenario.seed);
    let name = &l.spec.scenario.name;
    let dir = crate::output_dir(out, name, seed, no_write)?;
    let t = Instant::now();
    let bar = progress_bar(0, "simulating block");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let runs = bankrun_spiral::simulate_with_progress(&l, seed, &mut progress).map_err(fail)?;
    bar.finish_and_clear();
    let secs = t.elapsed().as_secs_f64();
    if json {
        stdout::println(&bankrun_spiral::output::summary_json(&runs))?;
    } else {
        stdout::print(&bankrun_spiral::output::summary_table(&runs))?;
        eprintln!("simulated in {secs:.2} s");
    }
    let Some(dir) = dir else {
        return Ok(());
    };
    let files = bankrun_spiral::output::write_dir(&dir, name, &l.spec.scenario.description, &runs)
        .map_err(fail)?;
    eprintln!("wrote {} files to {}", files.len(), dir.display());
    Ok(())
}

/// `bankrun collateral-at-risk SCENARIO`: prints the curve and writes SVG + HTML. A spiral
/// scenario's curve has the spiral's price feedback; any other scenario is read as an Aave
/// scenario ([`aave_collateral_at_risk`]); a one-world scenario is refused (bad input).
pub fn collateral_at_risk(spec: &str, out: Option<PathBuf>) -> Result<(), Failure> {
    // `is_spiral`, not `load`'s `NotSpiral`: `load` parses any existing file as a spiral
    // scenario, so an Aave TOML file would be reported as a bad spiral scenario.
    if !is_spiral(spec) {
        return aave_collateral_at_risk(spec, out);
    }
    let l = bankrun_spiral::load(spec).map_err(fail)?;
    let name = &l.spec.scenario.name;
    let dir = curve_dir(out, name)?;
    let bar = progress_bar(0, "collateral at risk: step");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let curve = bankrun_spiral::risk::curve_with_progress(&l, &mut progress).map_err(fail)?;
    bar.finish_and_clear();
    print_and_write(&dir, name, &curve)
}

/// The collateral-at-risk curve of an Aave scenario: the starting book's exposures
/// (`bankrun_engine::exposure`) revalued at each drop. The scenario has no trading venue, so
/// there is no price feedback (`k = 0`): "with spiral" equals "liquidatable".
fn aave_collateral_at_risk(spec: &str, out: Option<PathBuf>) -> Result<(), Failure> {
    let aave_name = bankrun_scenario::embedded_names().contains(&spec);
    let file = Path::new(spec).exists() || spec.ends_with(".toml");
    if (!aave_name && !file) || crate::world::load(spec)?.is_some() {
        return Err(Failure::BadInput(format!(
            "{spec}: collateral-at-risk needs an Aave scenario ({}) or a spiral scenario \
             ({}), embedded or as a TOML file; one-world scenarios are not supported",
            bankrun_scenario::embedded_names().join(", "),
            bankrun_spiral::embedded_names().join(", ")
        )));
    }
    let scenario = crate::load(spec)?;
    let name = &scenario.scenario.scenario.name;
    let dir = curve_dir(out, name)?;
    let bar = progress_bar(1, "collateral at risk: building the starting book");
    let seed = scenario.scenario.scenario.seed;
    let ex = bankrun_engine::exposure::exposures(&scenario, seed)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", scenario.origin)))?;
    bar.finish_and_clear();
    let curve = bankrun_spiral::risk::curve_of(&ex, 0.0, 1.0, false);
    eprintln!(
        "note: {name} is an Aave scenario without a trading venue: no price feedback, so \
         \"with spiral\" equals \"liquidatable\""
    );
    print_and_write(&dir, name, &curve)
}

/// The output directory of `collateral-at-risk` (`--out`, or
/// `bankrun-out/<name>-collateral-at-risk`), refused (bad input) before any work if bankrun
/// may not replace it.
fn curve_dir(out: Option<PathBuf>, name: &str) -> Result<PathBuf, Failure> {
    let dir = out.unwrap_or_else(|| {
        bankrun_report::default_out_dir("bankrun-out", &format!("{name}-collateral-at-risk"))
    });
    crate::check_out(&dir)?;
    Ok(dir)
}

/// Prints the curve's table and writes `curve.csv`, `curve.svg` and `report.html` to `dir`.
fn print_and_write(dir: &Path, name: &str, curve: &Curve) -> Result<(), Failure> {
    stdout::print(&bankrun_spiral::risk::table(curve))?;
    let files = bankrun_spiral::risk::write(dir, name, curve).map_err(fail)?;
    eprintln!("wrote {} files to {}", files.len(), dir.display());
    Ok(())
}

/// Lines for `bankrun scenarios`.
pub fn list() -> Vec<(String, String)> {
    bankrun_spiral::spec::EMBEDDED
        .iter()
        .map(|(n, _)| {
            let d = bankrun_spiral::load(n)
                .map(|l| {
                    l.spec
                        .scenario
                        .description
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .unwrap_or_default();
            (n.to_string(), d)
        })
        .collect()
}

/// The TOML text of an embedded spiral scenario.
pub fn text(name: &str) -> Option<&'static str> {
    bankrun_spiral::spec::EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}
