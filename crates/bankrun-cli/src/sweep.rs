//! `bankrun sweep`: Monte Carlo and parameter sweeps (see the `bankrun-sweep` crate).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bankrun_sweep::design::Design;
use bankrun_sweep::run::{self, Outcome, Progress, SweepConfig};
use bankrun_sweep::{SweepError, vary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Failure;

/// Arguments of `bankrun sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// A scenario TOML file, or the name of an embedded scenario (`bankrun scenarios`): an Aave
    /// scenario, a liquidation-spiral one (`compound-v2-book-2023`, `black-thursday-2020-03`), a
    /// depeg (`terra-anchor-2022-05`, `steth-2022-06`, `usdc-svb-2023-03`: both modes) or a
    /// one-world one (`cross-protocol-xyz`).
    scenario: String,
    /// Paths per cell.
    #[arg(long, value_name = "N")]
    paths: u64,
    /// Vary a scenario key: `KEY=lo..hi:n` (grid levels), `KEY=lo..hi` (lhs/sobol range),
    /// `KEY=a,b,c` (levels) or `KEY=normal(m,sd)|lognormal(mu,sigma)|uniform(lo,hi)` (drawn
    /// per path; Aave scenarios only). KEY is dotted, arrays addressed by symbol/name: e.g.
    /// `market.reserves.WETH.variable_rate_slope2_bps`, `depositors.whale.threshold_median`;
    /// spiral scenarios: `stress.drop`, `compound.markets.ETH.collateral_factor`.
    #[arg(long, value_name = "KEY=SPEC")]
    vary: Vec<String>,
    /// Design over the varied keys.
    #[arg(long, value_enum, default_value = "grid")]
    design: DesignArg,
    /// Cells of an `lhs` / `sobol` design.
    #[arg(long, default_value_t = 16)]
    cells: usize,
    /// Master seed (default: the scenario's `seed`).
    // Negative numbers are values (refused naming the flag), not unknown arguments.
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(
        long,
        value_name = "T",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    threads: usize,
    /// Run shard i of N (`i/N`, 0-based): chunks c with c mod N = i. Merge with `bankrun merge`.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Continue the sweep recorded in --out (after a kill): completed chunks are kept.
    #[arg(long)]
    resume: bool,
    /// Output directory (default: `bankrun-sweep/<scenario>-seed<seed>`); must be new or empty
    /// unless --resume.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Paths per Parquet chunk file (part of the sweep's identity: shards and resumes must
    /// use the same value).
    #[arg(long, default_value_t = run::DEFAULT_CHUNK_SIZE)]
    chunk_size: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DesignArg {
    Grid,
    Lhs,
    Sobol,
}

fn bad(e: SweepError) -> Failure {
    match e {
        SweepError::BadInput(m) => Failure::BadInput(m),
        other => Failure::Other(anyhow::anyhow!(other)),
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64), Failure> {
    let err = || {
        Failure::BadInput(format!(
            "--shard: expected i/N with 0 <= i < N (e.g. 0/2), found `{s}`"
        ))
    };
    let (i, n) = s.split_once('/').ok_or_else(err)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| err())?,
        n.trim().parse().map_err(|_| err())?,
    );
    if n == 0 || i >= n {
        return Err(err());
    }
    Ok((i, n))
}

/// Most paths per cell: a cell's quantile columns hold 8 B × paths × 8 columns while it
/// is finalised (5.1 GB at this limit), so more would abort on allocation.
const MAX_PATHS: u64 = 10_000_000;

/// Most cells of an `lhs` / `sobol` design (each holds its key values and metrics).
const MAX_CELLS: usize = 1_000_000;

/// Refuses `--paths` / `--cells` above what a machine can hold (bad input, not an abort).
fn check_sizes(paths: u64, cells: usize) -> Result<(), Failure> {
    if paths > MAX_PATHS {
        return Err(Failure::BadInput(format!(
            "--paths: at most {MAX_PATHS} paths per cell, found {paths}"
        )));
    }
    if cells > MAX_CELLS {
        return Err(Failure::BadInput(format!(
            "--cells: at most {MAX_CELLS} cells, found {cells}"
        )));
    }
    Ok(())
}

/// The scenario to sweep, in either format.
enum Base {
    Aave(bankrun_scenario::LoadedScenario),
    Spiral(bankrun_spiral::Loaded),
    World(bankrun_world::scenario::Loaded),
}

/// Runs `bankrun sweep`.
pub fn run(a: SweepArgs) -> Result<(), Failure> {
    let base = if let Some(w) = crate::world::load(&a.scenario)? {
        Base::World(w)
    } else if bankrun_spiral::is_spiral(&a.scenario) {
        Base::Spiral(
            bankrun_spiral::load(&a.scenario).map_err(|e| Failure::BadInput(e.to_string()))?,
        )
    } else {
        Base::Aave(crate::load(&a.scenario)?)
    };
    let (name, scenario_seed) = match &base {
        Base::Aave(s) => (s.scenario.scenario.name.clone(), s.scenario.scenario.seed),
        Base::Spiral(l) => (l.spec.scenario.name.clone(), l.spec.scenario.seed),
        Base::World(w) => (w.spec.scenario.name.clone(), w.spec.scenario.seed),
    };
    let file = Path::new(&a.scenario);
    let file = (file.exists() || a.scenario.ends_with(".toml")).then_some(file);
    let varies = a
        .vary
        .iter()
        .map(|v| vary::parse(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    check_sizes(a.paths, a.cells)?;
    let seed = a.seed.unwrap_or(scenario_seed);
    let out = a.out.unwrap_or_else(|| {
        bankrun_report::default_out_dir("bankrun-sweep", &format!("{name}-seed{seed}"))
    });
    let cfg = SweepConfig {
        paths: a.paths,
        varies,
        design: match a.design {
            DesignArg::Grid => Design::Grid,
            DesignArg::Lhs => Design::Lhs,
            DesignArg::Sobol => Design::Sobol,
        },
        cells: a.cells,
        seed: a.seed,
        threads: a.threads,
        shard,
        resume: a.resume,
        out: out.clone(),
        chunk_size: a.chunk_size,
        stop_after_chunks: None,
    };
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos}/{len} paths [{bar:30}] {percent}% {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let t0 = Instant::now();
    let start = |todo: u64, done: u64| {
        bar.set_length(todo);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(500));
        if done > 0 {
            eprintln!("resuming: {done} path(s) already done, {todo} to run");
        }
    };
    let path_done = || bar.inc(1);
    let progress = Progress {
        start: &start,
        path_done: &path_done,
    };
    let outcome = match &base {
        Base::Aave(s) => run::sweep(s, file, &cfg, &progress),
        Base::Spiral(l) => bankrun_sweep::spiral::sweep(l, file, &cfg, &progress),
        Base::World(w) => bankrun_sweep::world::sweep(w, &cfg, &progress),
    }
    .map_err(bad)?;
    bar.finish_and_clear();
    let ran = bar.position();
    let secs = t0.elapsed().as_secs_f64();
    report(outcome, &out, ran, secs)
}

/// Prints the outcome of a sweep or merge.
pub fn report(outcome: Outcome, out: &Path, ran: u64, secs: f64) -> Result<(), Failure> {
    match outcome {
        Outcome::Complete { cells, files } => {
            let m = bankrun_sweep::chunks::Manifest::read(out).map_err(bad)?;
            crate::stdout::println(&bankrun_sweep::report::summary_table(&m.sweep, &cells))?;
            if ran > 0 {
                eprintln!(
                    "ran {ran} path(s) in {secs:.1} s ({:.2} paths/s)",
                    ran as f64 / secs.max(1e-9)
                );
            }
            eprintln!(
                "wrote {} chunk file(s) under {}/paths and {} to {}",
                m.completed.len(),
                out.display(),
                files.join(", "),
                out.display()
            );
            Ok(())
        }
        Outcome::ShardComplete { chunks } => {
            eprintln!(
                "shard complete: {chunks} chunk(s) in {}; run `bankrun merge <shard dirs> --out DIR` for the cell metrics",
                out.display()
            );
            Ok(())
        }
        Outcome::Interrupted { done, total } => Err(Failure::Other(anyhow::anyhow!(
            "sweep stopped after {done} of {total} chunks; continue with --resume"
        ))),
    }
}
