//! `bankrun`: simulate and stress-test DeFi bank runs, exact to the contracts.

mod calibrate;
mod export;
mod fit;
mod merge;
mod progress;
mod spiral;
mod stdout;
mod sweep;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use bankrun_scenario::{DEFAULT_SCENARIO, LoadedScenario};
use clap::{Parser, Subcommand};

/// Simulate and stress-test DeFi bank runs, block by block, exact to the contracts.
#[derive(Parser)]
#[command(name = "bankrun", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one path of a scenario: print the summary and write time series, tables and an
    /// HTML report.
    Simulate(SimulateArgs),
    /// Print the JSON Schema of the scenario file (or of the `--json` summary).
    Schema {
        /// Schema of the `simulate --json` summary instead of the scenario file.
        #[arg(long)]
        summary: bool,
    },
    /// Monte Carlo / parameter sweep: many paths per cell over varied keys, with risk metrics.
    Sweep(sweep::SweepArgs),
    /// Merge the directories of a sharded sweep into one (identical to an unsharded run).
    Merge(merge::MergeArgs),
    /// Fit a price process to a price CSV; prints `[[stochastic.prices]]` scenario TOML.
    Fit(fit::FitArgs),
    /// Fit behaviour parameters to observed outcomes (a scenario's `[calibration]`) by
    /// simulated method of moments; prints the estimates with standard errors.
    Calibrate(calibrate::CalibrateArgs),
    /// Debt that becomes liquidatable against a price drop of 0-90 %, with and without the
    /// liquidation spiral's price feedback (spiral scenarios; Aave scenarios have no venue, so
    /// no feedback: "with spiral" equals "liquidatable"); prints and writes SVG/HTML.
    CollateralAtRisk {
        /// A spiral or Aave scenario: an embedded name (`bankrun scenarios`) or a TOML file.
        /// Aave: every volatile price (not within 2 % of $1 at the start) drops together.
        scenario: String,
        /// Output directory (default: `bankrun-out/<scenario>-collateral-at-risk`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the embedded scenarios, or print one as TOML to start your own from.
    Scenarios {
        /// Print this embedded scenario's TOML.
        #[arg(long, value_name = "NAME", conflicts_with = "export")]
        print: Option<String>,
        /// Write a runnable copy of an embedded scenario and its data files into DIR
        /// (`DIR/NAME.toml`, data under `DIR/data/`); `bankrun simulate DIR/NAME.toml` runs it.
        #[arg(long, num_args = 2, value_names = ["NAME", "DIR"])]
        export: Option<Vec<String>>,
    },
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// A scenario TOML file, or the name of an embedded scenario (`bankrun scenarios`).
    #[arg(default_value = DEFAULT_SCENARIO)]
    scenario: String,
    /// Master seed (default: the scenario's `seed`).
    // Negative numbers are read as values, so that `--seed -1` is refused as a bad seed (naming
    // `--seed`), not as an unknown argument.
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Output directory (default: `bankrun-out/<scenario>-seed<seed>`). Replaced if it is
    /// empty or was written by bankrun; any other existing path is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the summary as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Print the summary only; write no files.
    #[arg(long)]
    no_write: bool,
}

/// Exit code for bad input (scenario errors).
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => simulate(args),
        Command::Schema { summary } => schema(summary),
        Command::Scenarios {
            export: Some(args), ..
        } => export::export(&args[0], Path::new(&args[1])),
        Command::Scenarios { print, .. } => scenarios(print),
        Command::CollateralAtRisk { scenario, out } => spiral::collateral_at_risk(&scenario, out),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Calibrate(args) => calibrate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    BadInput(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// Whether an output-directory error is the user's to fix (exit 2): a refusal, or a path under
/// a regular file (no one can create a directory there).
fn is_bad_out(e: &bankrun_report::OutputDirError) -> bool {
    e.is_refusal()
        || matches!(e, bankrun_report::OutputDirError::Io { source, .. }
            if source.kind() == std::io::ErrorKind::NotADirectory)
}

impl From<bankrun_report::OutputDirError> for Failure {
    fn from(e: bankrun_report::OutputDirError) -> Self {
        if is_bad_out(&e) {
            Failure::BadInput(e.to_string())
        } else {
            Failure::Other(e.into())
        }
    }
}

fn load(spec: &str) -> Result<LoadedScenario, Failure> {
    let path = Path::new(spec);
    let loaded = if path.exists() || spec.ends_with(".toml") {
        bankrun_scenario::load_file(path)
    } else {
        bankrun_scenario::load_embedded(spec)
    };
    loaded.map_err(|e| Failure::BadInput(e.to_string()))
}

fn simulate(args: SimulateArgs) -> Result<(), Failure> {
    if let Some(loaded) = world::load(&args.scenario)? {
        return world::simulate(&loaded, args.seed, args.out, args.json, args.no_write);
    }
    if spiral::is_spiral(&args.scenario) {
        return spiral::simulate(
            &args.scenario,
            args.seed,
            args.out,
            args.json,
            args.no_write,
        );
    }
    let scenario = load(&args.scenario)?;
    let seed = args.seed.unwrap_or(scenario.scenario.scenario.seed);
    let name = &scenario.scenario.scenario.name;
    let out = output_dir(args.out, name, seed, args.no_write)?;
    let total = bankrun_engine::block_count(&scenario);
    let bar = progress::progress_bar(total, "simulating block");
    let mut progress = |done: u64, _total: u64| bar.set_position(done);
    let result = bankrun_engine::simulate(&scenario, seed, &mut progress)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", scenario.origin)))?;
    bar.finish_and_clear();
    warn_failed_events(&result.events);
    if args.json {
        stdout::println(&bankrun_report::summary_json(&result.summary))?;
    } else {
        stdout::println(&bankrun_report::summary_table(&result.summary))?;
    }
    let Some(out) = out else {
        return Ok(());
    };
    let meta = bankrun_report::RunMeta {
        scenario: name.clone(),
        seed,
        description: scenario.scenario.scenario.description.clone(),
        bankrun_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let files = bankrun_report::write_run_dir(&result, &meta, &out).map_err(|e| {
        if e.is_bad_input() {
            Failure::BadInput(e.to_string())
        } else {
            Failure::Other(
                anyhow::Error::new(e).context(format!("writing outputs to {}", out.display())),
            )
        }
    })?;
    eprintln!("wrote {} files to {}", files.len(), out.display());
    Ok(())
}

/// Reports on stderr the scripted events that did not take effect (a reverted attack,
/// rescue or governance call), so a failed event is seen even when only the summary is read;
/// they are recorded in `events.csv` with `ok = false`.
fn warn_failed_events(events: &[bankrun_metrics::EventRecord]) {
    let failed: Vec<_> = events.iter().filter(|e| !e.ok).collect();
    if failed.is_empty() {
        return;
    }
    eprintln!("warning: {} scripted event(s) failed:", failed.len());
    for e in failed {
        eprintln!("  block {} {}: {}", e.block, e.actor, e.description);
    }
}

/// The output directory of `simulate` (`None` with `--no-write`): `--out`, or
/// `bankrun-out/<name>-seed<seed>` with the scenario name made a safe path component.
/// Checked before the run, so a path bankrun may not replace is refused (exit 2) at once.
pub(crate) fn output_dir(
    out: Option<PathBuf>,
    name: &str,
    seed: u64,
    no_write: bool,
) -> Result<Option<PathBuf>, Failure> {
    if no_write {
        return Ok(None);
    }
    let out = out.unwrap_or_else(|| {
        bankrun_report::default_out_dir("bankrun-out", &format!("{name}-seed{seed}"))
    });
    check_out(&out)?;
    Ok(Some(out))
}

/// Refuses (bad input) an output path bankrun may not replace.
pub(crate) fn check_out(out: &Path) -> Result<(), Failure> {
    bankrun_report::check_replaceable(out).map_err(|e| {
        if is_bad_out(&e) {
            Failure::BadInput(e.to_string())
        } else {
            Failure::Other(e.into())
        }
    })
}

fn schema(summary: bool) -> Result<(), Failure> {
    let value = if summary {
        bankrun_report::summary_json_schema()
    } else {
        scenario_schema()
    };
    stdout::println(&serde_json::to_string_pretty(&value).context("serialising the schema")?)
}

/// One JSON Schema for every scenario file `bankrun` reads: `oneOf` the Aave scenario and the
/// spiral scenario (their root keys exclude each other, so a file matches exactly one), with the
/// two sets of definitions side by side (the spiral ones are named `Spiral*`).
fn scenario_schema() -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut defs = Map::new();
    let mut branch = |mut s: Value, title: &str, description: &str| {
        if let Some(o) = s.as_object_mut() {
            if let Some(Value::Object(d)) = o.remove("$defs") {
                defs.extend(d);
            }
            o.remove("$schema");
            o.insert("title".into(), Value::String(title.into()));
            o.insert("description".into(), Value::String(description.into()));
        }
        s
    };
    let aave = branch(
        bankrun_scenario::json_schema(),
        "Aave v3 bank-run scenario",
        "An Aave v3 bank-run scenario (`bankrun simulate`, `bankrun sweep`): it has `[market]` \
         (reserves, e-mode), `[chain]`, `[oracles]`, `[behaviour]`, and `[scenario]` without \
         `protocol`.",
    );
    let spiral = branch(
        bankrun_spiral::spec::json_schema(),
        "Liquidation-spiral scenario (Maker, Compound v2)",
        "A liquidation-spiral scenario (Maker Liquidations 1.2 or Compound v2): it has \
         `[scenario] protocol = \"maker\" | \"compound-v2\"`, `[gas]`, `[venues]`, and \
         `[maker]` + `[book]` (Maker) or `[compound]` (Compound v2); no `[market]`.",
    );
    let world = branch(
        bankrun_world::scenario::json_schema(),
        "One-world scenario",
        "A one-world scenario (`[scenario] engine = \"world\"`): tagged tables of tokens, \
         protocols (`kind = \"aave-v3\" | \"compound-v2\"`), venues, feeds, agents and \
         positions, all run in one block loop.",
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bankrun scenario",
        "description": "A bankrun scenario file (TOML): an Aave v3 bank-run scenario (it has `[market]`), a liquidation-spiral scenario (it has `scenario.protocol = \"maker\"` or `\"compound-v2\"`), or a one-world scenario (it has `scenario.engine = \"world\"`). Unknown keys are rejected in all.",
        "oneOf": [aave, spiral, world],
        "$defs": defs,
    })
}

fn scenarios(print: Option<String>) -> Result<(), Failure> {
    let world_text = |n: &str| {
        bankrun_world::scenario::EMBEDDED
            .iter()
            .find(|(name, _)| *name == n)
            .map(|(_, t)| *t)
    };
    match print {
        Some(name) if world_text(&name).is_some() => {
            stdout::print(world_text(&name).unwrap_or_default())?;
        }
        Some(name) if spiral::text(&name).is_some() => {
            stdout::print(spiral::text(&name).unwrap_or_default())?;
        }
        Some(name) => {
            let s = bankrun_scenario::load_embedded(&name)
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            stdout::print(&s.text)?;
        }
        None => {
            for name in bankrun_scenario::embedded_names() {
                let s = bankrun_scenario::load_embedded(name)
                    .map_err(|e| Failure::BadInput(e.to_string()))?;
                let first = s.scenario.scenario.description.lines().next();
                stdout::println(&format!("{name}\t{}", first.unwrap_or("")))?;
            }
            for (name, description) in spiral::list() {
                stdout::println(&format!("{name}\t{description}"))?;
            }
            for (name, _) in bankrun_world::scenario::EMBEDDED {
                let s = bankrun_world::scenario::load_embedded(name)
                    .map_err(|e| Failure::BadInput(e.to_string()))?;
                stdout::println(&format!("{name}\t{}", s.spec.scenario.description))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The formats' schema definitions share one `$defs` table in `bankrun schema`: a name
    /// defined by two formats with different content would silently replace one of them.
    #[test]
    fn schema_definitions_do_not_collide() {
        let formats = [
            bankrun_scenario::json_schema(),
            bankrun_spiral::spec::json_schema(),
            bankrun_world::scenario::json_schema(),
        ];
        let mut seen = serde_json::Map::new();
        for f in &formats {
            for (k, v) in f["$defs"].as_object().into_iter().flatten() {
                if let Some(old) = seen.insert(k.clone(), v.clone()) {
                    assert_eq!(&old, v, "`{k}` is defined by two formats differently");
                }
            }
        }
        assert!(seen.len() > 20);
    }
}
