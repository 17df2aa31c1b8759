//! Paths per second of `bankrun sweep` on the default scenario, at 1 and 2 threads.
//!
//! A full path of the default scenario is 7 simulated days (~2.5 s on one core at the time
//! of writing), too slow for criterion's repeated samples, so the bench cuts the window to
//! `BENCH_HOURS` (events after it dropped) and reports paths/s of that window; scale by
//! 168 / `BENCH_HOURS` for the full scenario, or use the documented CLI command in the crate
//! README for a full-length measurement. Run: `cargo bench -p bankrun-sweep --bench paths`.

use std::path::{Path, PathBuf};

use bankrun_sweep::design::Design;
use bankrun_sweep::run::{Progress, SweepConfig, sweep};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Simulated hours per bench path.
const BENCH_HOURS: f64 = 24.0;
/// Paths per measured sweep.
const PATHS: u64 = 8;

fn short_scenario(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let text =
        std::fs::read_to_string(root.join("aave-v3-core-rseth-2026-04.toml")).expect("scenario");
    let base = bankrun_scenario::load_embedded(bankrun_scenario::DEFAULT_SCENARIO).expect("loads");
    let end = base.start_unix + (BENCH_HOURS * 3600.0) as i64;
    let mut doc: toml_edit::DocumentMut = text.parse().expect("toml");
    doc["scenario"]["duration_hours"] = toml_edit::value(BENCH_HOURS);
    if let Some(ev) = doc["events"].as_array_of_tables_mut() {
        ev.retain(|t| {
            let at = t.get("at").and_then(|v| v.as_str()).unwrap_or("");
            bankrun_scenario::parse_time(at).is_ok_and(|t| t <= end)
        });
    }
    std::fs::create_dir_all(dir.join("data")).expect("dir");
    std::fs::copy(
        root.join("data/eth_usd_2026-04.csv"),
        dir.join("data/eth_usd_2026-04.csv"),
    )
    .expect("csv");
    let p = dir.join("bench.toml");
    std::fs::write(&p, doc.to_string()).expect("write");
    p
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tmp");
    let scen = short_scenario(tmp.path());
    let s = bankrun_scenario::load_file(&scen).expect("loads");
    let mut g = c.benchmark_group(format!("sweep_default_{BENCH_HOURS}h"));
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
