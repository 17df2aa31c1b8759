//! `bankrun simulate` / `collateral-at-risk` for the liquidation-spiral scenarios
//! (`bankrun-spiral`: Maker Liquidations 1.2, Compound v2).

use std::path::PathBuf;
use std::time::Instant;

use bankrun_spiral::SpiralError;

use crate::Failure;

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
    let t = Instant::now();
    let runs = bankrun_spiral::simulate(&l, seed).map_err(fail)?;
    let secs = t.elapsed().as_secs_f64();
    if json {
        println!("{}", bankrun_spiral::output::summary_json(&runs));
    } else {
        print!("{}", bankrun_spiral::output::summary_table(&runs));
        eprintln!("simulated in {secs:.2} s");
    }
    if no_write {
        return Ok(());
    }
    let name = &l.spec.scenario.name;
    let dir =
        out.unwrap_or_else(|| PathBuf::from("bankrun-out").join(format!("{name}-seed{seed}")));
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
    let curve = bankrun_spiral::risk::curve(&l).map_err(fail)?;
    print!("{}", bankrun_spiral::risk::table(&curve));
    let name = &l.spec.scenario.name;
    let dir = out
        .unwrap_or_else(|| PathBuf::from("bankrun-out").join(format!("{name}-collateral-at-risk")));
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
