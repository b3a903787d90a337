//! Throughput of the engine on `scenarios/bench.toml` (the model of BENCH_MODEL.md), through
//! the public API only. Fixed seeds, stable names; throughput is reported in trials/s.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use funding_gap::engine::{RunConfig, simulate};
use funding_gap::model::{Model, compile};
use funding_gap::scenario::load;
use funding_gap::sim::{Scratch, run_trial};
use funding_gap::summary::summarize;

fn bench_model() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml");
    let scenario = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    compile(&scenario).unwrap_or_else(|e| panic!("{e}"))
}

fn one_trial(c: &mut Criterion) {
    let model = bench_model();
    let mut scratch = Scratch::new(&model);
    let mut group = c.benchmark_group("trial");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("bench.toml", |b| {
        b.iter(|| {
            i += 1;
            run_trial(black_box(&model), 42, i, &mut scratch);
            black_box(scratch.outcome.metrics[0])
        })
    });
    group.finish();
}

fn engine(c: &mut Criterion) {
    let model = bench_model();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for trials in [10_000u64] {
        for threads in [1usize, 2] {
            group.throughput(Throughput::Elements(trials));
            let cfg = RunConfig {
                trials,
                seed: 42,
                threads: Some(threads),
                save_trials: false,
                worst: 0,
            };
            group.bench_with_input(
                BenchmarkId::new(format!("{trials}_trials"), format!("{threads}_threads")),
                &cfg,
                |b, cfg| {
                    b.iter(|| {
                        let run = simulate(&model, cfg, &|_| {}, None, None)
                            .unwrap_or_else(|e| panic!("{e}"));
                        black_box(summarize(&model, &run).gap.mean)
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, one_trial, engine);
criterion_main!(benches);
