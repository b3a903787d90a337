//! `funding-gap bench`: throughput by thread count, against the RNG floor.

use std::time::Instant;

use clap::Args;
use funding_gap::engine::{self, RunConfig};
use funding_gap::model::Model;
use funding_gap::summary;

use super::{AppError, INTERRUPTED};

/// Measure throughput by thread count, against the RNG floor
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap bench\n  funding-gap bench scenarios/base.toml --trials 1000000 --json\n\nWith no scenario, benches scenarios/bench.toml (the model of docs/bench-model.md). Charts and\noutput files are off: this times the simulation and its statistics. See BENCHMARKS.md."
)]
pub struct BenchArgs {
    /// Scenario file or name [default: bench]
    pub scenario: Option<String>,
    /// Trials per measurement, e.g. 1000000 or 1e6
    #[arg(long, value_name = "N", default_value_t = 1_000_000, value_parser = super::parse_trials)]
    pub trials: u64,
    /// Seed
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Largest thread count to measure [default: the number of cores]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_threads: Option<u16>,
    /// Runs per thread count, in rounds over the thread counts; the table shows the
    /// median (a shared machine's speed drifts, and one run proves little)
    #[arg(long, value_name = "R", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub repeat: u16,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

/// Peak resident memory of this process since the last reset, in MB (Linux; None elsewhere).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak-memory mark (Linux: writing 5 to /proc/self/clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One row of `bench`: medians over the repeats, and the range of the wall times.
#[derive(serde::Serialize)]
struct BenchRow {
    threads: usize,
    seconds: f64,
    seconds_min: f64,
    seconds_max: f64,
    trials_per_second: f64,
    trial_steps_per_second: f64,
    ns_per_trial: f64,
    speedup: f64,
    peak_memory_mb: Option<f64>,
    rng_floor_seconds: f64,
    efficiency: f64,
}

/// The median of `v` (the mean of the middle two for an even count); NaN when empty.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

/// What `repeat` rounds measured at one thread count.
#[derive(Default)]
struct Timings {
    /// Wall times of simulate + summarize, s.
    walls: Vec<f64>,
    /// Times of the RNG floor, s.
    floors: Vec<f64>,
    /// The highest resident high-water mark of the runs, MB.
    peak: Option<f64>,
}

/// Measures: per thread count 1..=`top`, `repeat` runs. Rounds go over every thread count in
/// turn, so a slow stretch of the machine touches all of them alike.
fn measure(
    model: &Model,
    trials: u64,
    seed: u64,
    top: usize,
    repeat: usize,
) -> Result<Vec<Timings>, AppError> {
    let mut timings: Vec<Timings> = (0..top).map(|_| Timings::default()).collect();
    for _ in 0..repeat {
        for (i, t) in timings.iter_mut().enumerate() {
            let threads = i + 1;
            let cfg = RunConfig {
                trials,
                seed,
                threads: Some(threads),
                save_trials: false,
                worst: 0,
            };
            let floor_started = Instant::now();
            std::hint::black_box(engine::rng_floor(model, trials, seed, Some(threads))?);
            t.floors.push(floor_started.elapsed().as_secs_f64());
            reset_peak();
            let started = Instant::now();
            let run = engine::simulate(model, &cfg, &|_| {}, None, Some(&INTERRUPTED))?;
            super::interrupted()?;
            let summary = summary::summarize(model, &run);
            t.walls.push(started.elapsed().as_secs_f64());
            std::hint::black_box(summary.gap.mean);
            drop((run, summary));
            if let Some(mb) = peak_mb() {
                t.peak = Some(t.peak.map_or(mb, |q| q.max(mb)));
            }
        }
    }
    Ok(timings)
}

/// The table's rows, from the timings of thread counts 1, 2, ...
fn rows(model: &Model, trials: u64, timings: &mut [Timings]) -> Vec<BenchRow> {
    let mut rows: Vec<BenchRow> = Vec::with_capacity(timings.len());
    for (i, t) in timings.iter_mut().enumerate() {
        let seconds = median(&mut t.walls);
        let floor = median(&mut t.floors);
        let base = rows.first().map_or(seconds, |r| r.seconds);
        let w = &t.walls;
        rows.push(BenchRow {
            threads: i + 1,
            seconds,
            seconds_min: w[0],
            seconds_max: w[w.len() - 1],
            trials_per_second: trials as f64 / seconds,
            trial_steps_per_second: trials as f64 * model.grid.n as f64 / seconds,
            ns_per_trial: seconds * 1e9 / trials as f64,
            speedup: base / seconds,
            peak_memory_mb: t.peak,
            rng_floor_seconds: floor,
            efficiency: floor / seconds,
        });
    }
    rows
}

/// Times the scenario at every thread count and prints the table or JSON.
///
/// # Errors
/// A bad option or scenario, a failed run; [`AppError::Json`] if the JSON cannot be made.
pub fn execute(args: &BenchArgs) -> Result<(), AppError> {
    let (trials, seed) = (super::check_trials(args.trials)?, args.seed);
    let model =
        super::load_and_compile(Some(args.scenario.as_deref().unwrap_or("bench")), &[], true)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let top = args.max_threads.map_or(cores, usize::from);
    let repeat = usize::from(args.repeat.max(1));
    let mut timings = measure(&model, trials, seed, top, repeat)?;
    let rows = rows(&model, trials, &mut timings);
    if args.json {
        return super::print_json(&serde_json::json!({
            "scenario": model.name(),
            "trials": trials,
            "seed": seed,
            "steps": model.grid.n,
            "cores": cores,
            "repeat": repeat,
            "rows": rows,
        }));
    }
    print_table(&model, trials, seed, cores, repeat, &rows)
}

/// The terminal table of `bench`.
///
/// # Errors
/// [`AppError::ClosedStdout`] or [`AppError::Stdout`].
fn print_table(
    model: &Model,
    trials: u64,
    seed: u64,
    cores: usize,
    repeat: usize,
    rows: &[BenchRow],
) -> Result<(), AppError> {
    outln!(
        "funding-gap bench — {}: {} trials × {} steps, seed {}, {} cores, {} run{} per thread count\n  (release build: cargo run --release -- bench)\n",
        model.name(),
        trials,
        model.grid.n,
        seed,
        cores,
        repeat,
        if repeat == 1 { "" } else { "s" },
    )?;
    outln!(
        "  {:>7} {:>9} {:>15} {:>12} {:>16} {:>10} {:>9} {:>10} {:>11} {:>11}",
        "threads",
        "wall, s",
        "range, s",
        "trials/s",
        "trial-steps/s",
        "ns/trial",
        "speed-up",
        "peak, MB",
        "RNG floor",
        "efficiency"
    )?;
    for r in rows {
        outln!(
            "  {:>7} {:>9.3} {:>15} {:>12.0} {:>16.0} {:>10.0} {:>8.2}× {:>10} {:>10.3}s {:>10.0}%",
            r.threads,
            r.seconds,
            format!("{:.3}–{:.3}", r.seconds_min, r.seconds_max),
            r.trials_per_second,
            r.trial_steps_per_second,
            r.ns_per_trial,
            r.speedup,
            r.peak_memory_mb
                .map_or("–".to_string(), |m| format!("{m:.0}")),
            r.rng_floor_seconds,
            100.0 * r.efficiency
        )?;
    }
    outln!(
        "\n  wall: the median run of simulate + summarize (no files, no charts); range: the fastest and\n  slowest run. Runs go in rounds over the thread counts, so a slow stretch of the machine\n  touches every row. RNG floor: the same random draws alone, on the same threads (median);\n  efficiency = floor / wall. Peak memory: the process's resident high-water mark during a run\n  (reset before each; the highest of the runs)."
    )
}
