//! Paths per second of `bankrun sweep` on the default scenario (full 7-day paths), at 1 and 2
//! threads, with metrics only (no per-block series), as `bankrun sweep` runs them.
//! Run: `cargo bench -p bankrun-sweep --bench paths`; the crate README gives the CLI command
//! for a 10,000-path measurement with peak memory.

use std::path::Path;

use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Progress, SweepConfig, sweep};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Paths per measured sweep.
const PATHS: u64 = 8;

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tmp");
    let scen = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/aave-v3-core-rseth-2026-04.toml");
    let s = bankrun_scenario::load_file(&scen).expect("loads");
    let mut g = c.benchmark_group("sweep_default_7d");
    g.sample_size(10);
    g.throughput(Throughput::Elements(PATHS));
    let mut run = 0u64;
    for threads in [1usize, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                run += 1;
                let cfg = SweepConfig {
                    paths: PATHS,
                    varies: Vec::new(),
                    design: Design::Grid,
                    cells: 0,
                    seed: Some(1),
                    threads,
                    shard: None,
                    resume: false,
                    out: tmp.path().join(format!("out-{run}")),
                    chunk_size: 64,
                    stop_after_chunks: None,
                };
                sweep(&s, Some(&scen), &cfg, &Progress::none()).expect("sweep")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
