//! Measures a sweep without the CLI: `measure SCENARIO.toml PATHS THREADS OUT_DIR [KEY=SPEC...]`.
//! Prints paths/s; run under `/usr/bin/time -v` for the peak memory.

use std::path::Path;
use std::time::Instant;

use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Outcome, Progress, SweepConfig, sweep};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!("usage: measure SCENARIO.toml PATHS THREADS OUT_DIR");
        std::process::exit(2);
    }
    let scen = Path::new(&a[1]);
    let s = match bankrun_scenario::load_file(scen) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let (paths, threads): (u64, usize) = match (a[2].parse(), a[3].parse()) {
        (Ok(p), Ok(t)) => (p, t),
        _ => {
            eprintln!("error: PATHS and THREADS must be whole numbers");
            std::process::exit(2);
        }
    };
    let cfg = SweepConfig {
        paths,
        varies: match a[5..]
            .iter()
            .map(|v| bankrun_sweep::vary::parse(v))
            .collect()
        {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        },
        design: Design::Grid,
        cells: 0,
        seed: None,
        threads,
        shard: None,
        resume: false,
        out: a[4].clone().into(),
        chunk_size: bankrun_sweep::run::DEFAULT_CHUNK_SIZE,
        stop_after_chunks: None,
    };
    let t0 = Instant::now();
    match sweep(&s, Some(scen), &cfg, &Progress::none()) {
        Ok(Outcome::Complete { .. }) => {
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "{paths} paths, {threads} thread(s): {secs:.1} s, {:.2} paths/s",
                paths as f64 / secs
            );
        }
        Ok(o) => eprintln!("unexpected: {o:?}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
