//! Benchmarks of whole simulated paths.
//!
//! - `default_7d`: one path of the embedded default scenario (7 simulated days).
//! - `scaled_7d`: the same market scaled to 100,000 borrowing positions and 50,000 depositors
//!   (counts multiplied, totals unchanged), 7 days of blocks.
//!
//! Run: `cargo bench -p bankrun-engine --bench simulate`.

use bankrun_scenario::{DEFAULT_SCENARIO, LoadedScenario, load_embedded};
use criterion::{Criterion, criterion_group, criterion_main};

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
    let big = scaled(base.clone(), 100_000, 50_000);
    g.bench_function("scaled_100k_positions_50k_depositors_7d", |b| {
        b.iter(|| bankrun_engine::simulate(&big, 1, &mut |_, _| {}).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
