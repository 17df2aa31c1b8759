//! `bankrun`: simulate and stress-test DeFi bank runs, exact to the contracts.

mod fit;
mod merge;
mod spiral;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use bankrun_scenario::{DEFAULT_SCENARIO, LoadedScenario};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

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
    /// Debt that becomes liquidatable against a price drop of 0-90 %, with and without the
    /// liquidation spiral's price feedback (spiral scenarios); prints and writes SVG/HTML.
    CollateralAtRisk {
        /// An embedded spiral scenario or a spiral TOML file.
        scenario: String,
        /// Output directory (default: `bankrun-out/<scenario>-collateral-at-risk`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the embedded scenarios, or print one as TOML to start your own from.
    Scenarios {
        /// Print this embedded scenario's TOML.
        #[arg(long, value_name = "NAME")]
        print: Option<String>,
    },
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// A scenario TOML file, or the name of an embedded scenario (`bankrun scenarios`).
    #[arg(default_value = DEFAULT_SCENARIO)]
    scenario: String,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: `bankrun-out/<scenario>-seed<seed>`). Replaced if it exists.
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
        Command::Scenarios { print } => scenarios(print),
        Command::CollateralAtRisk { scenario, out } => spiral::collateral_at_risk(&scenario, out),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Fit(args) => fit::run(args),
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
    let total = bankrun_engine::block_count(&scenario);
    let bar = progress_bar(total);
    let mut progress = |done: u64, _total: u64| bar.set_position(done);
    let result = bankrun_engine::simulate(&scenario, seed, &mut progress)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", scenario.origin)))?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", bankrun_report::summary_json(&result.summary));
    } else {
        println!("{}", bankrun_report::summary_table(&result.summary));
    }
    if args.no_write {
        return Ok(());
    }
    let name = &scenario.scenario.scenario.name;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("bankrun-out").join(format!("{name}-seed{seed}")));
    let meta = bankrun_report::RunMeta {
        scenario: name.clone(),
        seed,
        description: scenario.scenario.scenario.description.clone(),
        bankrun_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let files = bankrun_report::write_run_dir(&result, &meta, &out)
        .with_context(|| format!("writing outputs to {}", out.display()))?;
    eprintln!("wrote {} files to {}", files.len(), out.display());
    Ok(())
}

/// A progress bar on stderr; indicatif hides it when stderr is not a terminal, and it only
/// appears after a second so short runs stay quiet.
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating block {pos}/{len} [{bar:30}] {percent}% eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    let visible = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !visible.is_finished() {
            visible.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    });
    bar
}

fn schema(summary: bool) -> Result<(), Failure> {
    let value = if summary {
        bankrun_report::summary_json_schema()
    } else {
        bankrun_scenario::json_schema()
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&value).context("serialising the schema")?
    );
    Ok(())
}

fn scenarios(print: Option<String>) -> Result<(), Failure> {
    match print {
        Some(name) if spiral::text(&name).is_some() => {
            print!("{}", spiral::text(&name).unwrap_or_default());
        }
        Some(name) => {
            let s = bankrun_scenario::load_embedded(&name)
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            print!("{}", s.text);
        }
        None => {
            for name in bankrun_scenario::embedded_names() {
                let s = bankrun_scenario::load_embedded(name)
                    .map_err(|e| Failure::BadInput(e.to_string()))?;
                println!(
                    "{name}\t{}",
                    s.scenario.scenario.description.lines().next().unwrap_or("")
                );
            }
            for (name, description) in spiral::list() {
                println!("{name}\t{description}");
            }
        }
    }
    Ok(())
}
