//! `bankrun simulate` / `collateral-at-risk` for the liquidation-spiral scenarios
//! (`bankrun-spiral`: Maker Liquidations 1.2, Compound v2).

use std::path::PathBuf;
use std::time::Instant;

use bankrun_spiral::SpiralError;

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

/// `bankrun collateral-at-risk SCENARIO`: prints the curve and writes SVG + HTML.
pub fn collateral_at_risk(spec: &str, out: Option<PathBuf>) -> Result<(), Failure> {
    let l = bankrun_spiral::load(spec).map_err(|e| match e {
        SpiralError::NotSpiral(s) => Failure::BadInput(format!(
            "{s}: collateral-at-risk needs a spiral scenario ({})",
            bankrun_spiral::embedded_names().join(", ")
        )),
        other => fail(other),
    })?;
    let name = &l.spec.scenario.name;
    let dir = out.unwrap_or_else(|| {
        bankrun_report::default_out_dir("bankrun-out", &format!("{name}-collateral-at-risk"))
    });
    crate::check_out(&dir)?;
    let bar = progress_bar(0, "collateral at risk: step");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let curve = bankrun_spiral::risk::curve_with_progress(&l, &mut progress).map_err(fail)?;
    bar.finish_and_clear();
    stdout::print(&bankrun_spiral::risk::table(&curve))?;
    let files = bankrun_spiral::risk::write(&dir, name, &curve).map_err(fail)?;
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
