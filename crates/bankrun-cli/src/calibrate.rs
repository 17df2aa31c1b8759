//! `bankrun calibrate`: fit a scenario's `[calibration]` parameters to its targets by
//! simulated method of moments (the `bankrun-sweep` crate's `calibrate` module;
//! docs/calibration.md). Prints the fitted values with their standard errors as TOML (or
//! JSON), ready to copy into a scenario.

use std::path::Path;

use bankrun_sweep::SweepError;
use bankrun_sweep::calibrate::{self, CalibrateConfig, Fit};

use crate::Failure;

/// The calibration scenario shipped with bankrun.
pub const DEFAULT_CALIBRATION: &str = "aave-v3-core-weth-spike-2026-02";

/// Arguments of `bankrun calibrate`.
#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// A scenario with a `[calibration]` section: an embedded name (`bankrun scenarios`) or a
    /// TOML file.
    #[arg(default_value = DEFAULT_CALIBRATION)]
    scenario: String,
    /// Runs per point (common random numbers: the same seeds at every point), ≥ 2.
    #[arg(long, value_name = "R", default_value_t = 4)]
    seeds: u64,
    /// Grid points per parameter in the first stage, ≥ 2.
    #[arg(long, value_name = "N", default_value_t = 7)]
    grid: u32,
    /// Refinement rounds (3 points per parameter at half the spacing around the best).
    #[arg(long, value_name = "K", default_value_t = 3)]
    refine: u32,
    /// Master seed (default: the scenario's `seed`).
    // Negative numbers are values (refused naming the flag), not unknown arguments.
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Worker threads (0 = one per core). The result does not depend on it.
    #[arg(long, value_name = "T", default_value_t = 0)]
    threads: usize,
    /// Print JSON instead of TOML.
    #[arg(long)]
    json: bool,
}

/// Runs `bankrun calibrate`.
pub fn run(a: CalibrateArgs) -> Result<(), Failure> {
    let base = crate::load(&a.scenario)?;
    let file = Path::new(&a.scenario);
    let file = (file.exists() || a.scenario.ends_with(".toml")).then_some(file);
    let cfg = CalibrateConfig {
        seeds: a.seeds,
        grid: a.grid,
        refine: a.refine,
        seed: a.seed,
        threads: a.threads,
    };
    let bar = crate::progress::progress_bar(1, "calibrating: points");
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let fit = calibrate::calibrate(&base, file, &cfg, &progress).map_err(|e| match e {
        SweepError::BadInput(m) => Failure::BadInput(m),
        other => Failure::Other(anyhow::anyhow!(other)),
    });
    bar.finish_and_clear();
    let fit = fit?;
    if a.json {
        let text = serde_json::to_string_pretty(&fit)
            .map_err(|e| Failure::Other(anyhow::anyhow!("JSON: {e}")))?;
        return crate::stdout::println(&text);
    }
    crate::stdout::print(&to_toml(&fit, &a.scenario))
}

/// The fit as commented TOML: one `[[calibrated]]` table per parameter.
fn to_toml(f: &Fit, scenario: &str) -> String {
    let mut s = format!(
        "# bankrun calibrate {scenario}: simulated method of moments (docs/calibration.md)\n\
         # {} points x {} runs = {} simulations; master seed {}; objective J = {:.4}\n\
         # moment: target (sd) | simulated mean (sd across runs) at the estimate\n",
        f.points,
        f.seeds.len(),
        f.runs,
        f.master_seed,
        f.objective
    );
    for m in &f.moments {
        s.push_str(&format!(
            "#   {}: {} ({}) | {:.6} ({:.6})  [{}]\n",
            m.metric, m.target, m.sd, m.simulated, m.simulated_sd, m.source
        ));
    }
    for p in &f.parameters {
        s.push_str(&format!(
            "\n[[calibrated]]\nname = {:?}\nvalue = {}\n",
            p.name, p.value
        ));
        match p.se {
            Some(se) => s.push_str(&format!("se = {se}\n")),
            None => s.push_str("# se: not identified (the moments do not move with it)\n"),
        }
        s.push_str(&format!("lo = {}\nhi = {}\n", p.lo, p.hi));
        if p.at_bound {
            s.push_str("at_bound = true  # the fit sits on a search bound: widen it\n");
        }
        let keys: Vec<String> = p.keys.iter().map(|k| format!("{k:?}")).collect();
        s.push_str(&format!("keys = [{}]\n", keys.join(", ")));
    }
    s
}
