//! Benchmarks of whole simulated paths.
//!
//! - `default_7d`: one path of the embedded default scenario (7 simulated days), with its
//!   per-block series (what `bankrun simulate` runs).
//! - `build/<n>` and `run_7d/<n>`: the same market scaled to `n` borrowing positions and `n / 5`
//!   depositors (counts multiplied, totals unchanged), for `n` = 100,000 and 1,000,000: the
//!   time to build the starting book, then the time to run 7 days of blocks (metrics only, as a
//!   sweep path). The run's time divided by the block count is the cost of a block; its ratio
//!   between the two sizes is the figure of issue "Trust at scale" (a block should cost what
//!   happens in it, not the number of positions).
//!
//! Run: `cargo bench -p bankrun-engine --bench simulate` (the 1M case takes some minutes;
//! `-- run_7d/100000` picks one).

use bankrun_engine::{block_count, setup};
use bankrun_scenario::{DEFAULT_SCENARIO, LoadedScenario, load_embedded};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};

/// `s` with `borrowers` borrowing accounts and `depositors` depositors in all, each class's
/// share kept and the totals (USD supplied and borrowed) unchanged.
fn scaled(mut s: LoadedScenario, borrowers: u32, depositors: u32) -> LoadedScenario {
    let b_total: u32 = s.scenario.borrowers.iter().map(|b| b.count).sum();
    let d_total: u32 = s.scenario.depositors.iter().map(|d| d.count).sum();
    for b in &mut s.scenario.borrowers {
        b.count = (b.count as u64 * borrowers as u64 / b_total.max(1) as u64).max(1) as u32;
    }
    for d in &mut s.scenario.depositors {
        d.count = (d.count as u64 * depositors as u64 / d_total.max(1) as u64).max(1) as u32;
    }
    s
}

fn bench(c: &mut Criterion) {
    let base = load_embedded(DEFAULT_SCENARIO).expect("default scenario loads");
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.bench_function("default_7d", |b| {
        b.iter(|| bankrun_engine::simulate(&base, 1, &mut |_, _| {}).expect("runs"))
    });
    g.finish();

    let mut g = c.benchmark_group("scaled");
    g.sample_size(10);
    let blocks = block_count(&base);
    for n in [100_000u32, 1_000_000] {
        let s = scaled(base.clone(), n, n / 5);
        g.bench_with_input(BenchmarkId::new("build", n), &s, |b, s| {
            b.iter(|| setup::build(s, 1).expect("builds"))
        });
        g.bench_with_input(BenchmarkId::new("run_7d", n), &s, |b, s| {
            b.iter_batched(
                || {
                    let mut sim = setup::build(s, 1).expect("builds");
                    sim.population_mut().record_series = false;
                    sim
                },
                |mut sim| {
                    sim.run_blocks(blocks, &mut |_, _| {}).expect("runs");
                    sim
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
