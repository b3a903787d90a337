//! Throughput of funding-gap on `scenarios/bench.toml` (the model of docs/bench-model.md), through
//! the public API only, with fixed seeds and stable names. Throughput is set so criterion
//! reports trials per second. See BENCHMARKS.md for how to run and read these.
//!
//! - `trial/bench.toml`: one trial on its own (no reduction), as `trace` and `explain` run it.
//! - `trial/batch_of_8`: the engine's kernel, [`LANES`] trials stepped together (no
//!   reduction); throughput per trial.
//! - `engine/{10000,1000000}_trials/{1,2}_threads`: a whole run, simulate + summarize.
//! - `summary/summarize`: the reduction of a finished 100,000-trial run to its summary.
//! - `chart/<name>`: rendering each chart of that summary as PNG.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use funding_gap::chart::{Chart, ChartOptions, Format, render_bytes};
use funding_gap::engine::{RunConfig, RunResult, simulate};
use funding_gap::model::{Model, compile};
use funding_gap::scenario::load;
use funding_gap::sim::{Batch, LANES, Scratch, run_batch, run_trial};
use funding_gap::summary::summarize;

fn bench_model() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml");
    let scenario = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    compile(&scenario).unwrap_or_else(|e| panic!("{e}"))
}

fn config(trials: u64, threads: usize) -> RunConfig {
    RunConfig {
        trials,
        seed: 42,
        threads: Some(threads),
        save_trials: false,
        worst: 0,
    }
}

fn run(model: &Model, cfg: &RunConfig) -> RunResult {
    simulate(model, cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"))
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
    let mut batch = Batch::new(&model);
    group.throughput(Throughput::Elements(LANES as u64));
    let mut first = 0u64;
    group.bench_function(format!("batch_of_{LANES}"), |b| {
        b.iter(|| {
            first += LANES as u64;
            run_batch(black_box(&model), 42, first, LANES, &mut batch);
            black_box(batch.lane(0).outcome.metrics[0])
        })
    });
    group.finish();
}

fn engine(c: &mut Criterion) {
    let model = bench_model();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for trials in [10_000u64, 1_000_000] {
        for threads in [1usize, 2] {
            group.throughput(Throughput::Elements(trials));
            let cfg = config(trials, threads);
            group.bench_with_input(
                BenchmarkId::new(format!("{trials}_trials"), format!("{threads}_threads")),
                &cfg,
                |b, cfg| b.iter(|| black_box(summarize(&model, &run(&model, cfg)).gap.mean)),
            );
        }
    }
    group.finish();
}

fn reduction(c: &mut Criterion) {
    let model = bench_model();
    let done = run(&model, &config(100_000, 2));
    let mut group = c.benchmark_group("summary");
    group.sample_size(20);
    group.bench_function("summarize", |b| {
        b.iter(|| black_box(summarize(&model, &done).gap.mean))
    });
    group.finish();
}

fn charts(c: &mut Criterion) {
    let model = bench_model();
    let summary = summarize(&model, &run(&model, &config(20_000, 2)));
    let opts = ChartOptions::default();
    let mut group = c.benchmark_group("chart");
    group.sample_size(10);
    for chart in Chart::ALL {
        group.bench_function(chart.file_stem(), |b| {
            b.iter(|| {
                let bytes = render_bytes(chart, &summary, Format::Png, &opts)
                    .unwrap_or_else(|e| panic!("{e}"));
                black_box(bytes.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, one_trial, engine, reduction, charts);
criterion_main!(benches);
