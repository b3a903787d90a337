//! The parallel Monte Carlo engine: the only place with threads.
//!
//! Trials are cut into fixed-size chunks (independent of the thread count). A batch of chunks
//! runs in parallel on a rayon pool; each chunk accumulates its trials in index order into an
//! [`Accum`]; the batch's accumulators are then merged into the run's in chunk order. Floats
//! are therefore always summed in the same order, and the result is identical, bit for bit,
//! for any thread count. Memory is bounded: per-trial rows exist only for the chunks of one
//! batch (and go straight to the [`TrialSink`] when the user asked for them), and the
//! per-step bands keep a fixed-stride sample of at most [`BAND_VALUE_BUDGET`] values.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::model::Model;
use crate::sensitivity::{ChunkSens, JointHist, SensAccum};
use crate::sim::{N_METRICS, Scratch, run_trial};
use crate::stats::{Moments, Sketch};

/// Trials per chunk: the unit of work and of ordered reduction.
pub const CHUNK: u64 = 1024;
/// Largest number of per-step values kept for the percentile bands (32 MB of f64).
pub const BAND_VALUE_BUDGET: usize = 4_000_000;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// Number of trials (≥ 1).
    pub trials: u64,
    /// Seed of every stream.
    pub seed: u64,
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
    /// Keep per-trial rows for the [`TrialSink`].
    pub save_trials: bool,
}

/// Receives per-trial rows in trial order (see [`trial_columns`] for the columns).
pub trait TrialSink {
    /// Writes the rows of consecutive trials, `width` values each.
    ///
    /// # Errors
    /// Any I/O error; the run stops.
    fn write_rows(&mut self, first_trial: u64, width: usize, rows: &[f64]) -> std::io::Result<()>;
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Zero trials asked for.
    #[error("trials must be at least 1 (got 0)")]
    NoTrials,
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why not.
        reason: String,
    },
    /// The per-trial sink failed.
    #[error("cannot write per-trial rows: {0}")]
    Sink(#[from] std::io::Error),
    /// Stopped by the caller (Ctrl-C).
    #[error("interrupted after {done} of {total} trials")]
    Cancelled {
        /// Trials finished.
        done: u64,
        /// Trials asked for.
        total: u64,
    },
}

/// Column names of per-trial rows: trial, each uncertain input, the metrics, the gap by report
/// year, first shortfall date, break-even year, IPO (0/1).
pub fn trial_columns(model: &Model) -> Vec<String> {
    let mut cols = vec!["trial".to_string()];
    cols.extend(model.inputs.iter().map(|i| i.path.clone()));
    cols.extend(crate::sim::METRIC_NAMES.iter().map(|s| s.to_string()));
    cols.extend(model.grid.report.iter().map(|(y, _)| format!("gap_{y}")));
    cols.extend(["first_shortfall", "breakeven_year", "ipo"].map(String::from));
    cols
}

/// Everything a run accumulates; mergeable in chunk order.
#[derive(Debug, Clone)]
pub struct Accum {
    /// Trials.
    pub n: u64,
    /// Moments of each metric.
    pub moments: Vec<Moments>,
    /// Sketch of each metric.
    pub sketches: Vec<Sketch>,
    /// Moments of the gap by report year.
    pub report_moments: Vec<Moments>,
    /// Sketches of the gap by report year.
    pub report_sketches: Vec<Sketch>,
    /// Trials with a gap.
    pub shortfalls: u64,
    /// Trials with a gap by each report year.
    pub report_shortfalls: Vec<u64>,
    /// Count of trials by cash index j of their first shortfall.
    pub first_shortfall: Vec<u64>,
    /// Count of trials by index of their break-even year.
    pub breakeven: Vec<u64>,
    /// Trials with an IPO inside the horizon.
    pub ipos: u64,
    /// Moments of each sampled input.
    pub inputs: Vec<Moments>,
    /// Sampled trajectories for the bands: per sampled trial, cash (n+1), revenue, obligations,
    /// costs (n each).
    pub band_rows: Vec<f64>,
    /// Per-trial rows of this chunk (only with `save_trials`).
    pub trial_rows: Vec<f64>,
    /// A chunk's decile sums for sensitivity: the horizon gap, then each report year.
    chunk_sens: Vec<ChunkSens>,
    /// The run's decile sums for sensitivity, in the same order (only in the total).
    pub sens: Vec<SensAccum>,
    /// Joint (gap, u) counts per input (only in the total).
    pub joint: JointHist,
}

impl Accum {
    /// An empty accumulator for a whole run of `model`.
    pub fn new(model: &Model) -> Accum {
        let mut a = Accum::empty(model);
        a.sens = (0..=model.grid.report.len())
            .map(|_| SensAccum::new(model.inputs.len()))
            .collect();
        a
    }

    /// An empty accumulator for chunk `chunk` of a run of `model`.
    fn for_chunk(model: &Model, chunk: u64) -> Accum {
        let mut a = Accum::empty(model);
        a.chunk_sens = (0..=model.grid.report.len())
            .map(|_| ChunkSens::new(model.inputs.len(), chunk as usize))
            .collect();
        a
    }

    fn empty(model: &Model) -> Accum {
        let r = model.grid.report.len();
        Accum {
            n: 0,
            moments: vec![Moments::default(); N_METRICS],
            sketches: vec![Sketch::default(); N_METRICS],
            report_moments: vec![Moments::default(); r],
            report_sketches: vec![Sketch::default(); r],
            shortfalls: 0,
            report_shortfalls: vec![0; r],
            first_shortfall: vec![0; model.grid.n + 1],
            breakeven: vec![0; model.grid.years.len()],
            ipos: 0,
            inputs: vec![Moments::default(); model.inputs.len()],
            band_rows: Vec::new(),
            trial_rows: Vec::new(),
            chunk_sens: Vec::new(),
            sens: Vec::new(),
            joint: JointHist::default(),
        }
    }

    fn add(&mut self, model: &Model, s: &Scratch, trial: u64, band_stride: u64, save: bool) {
        let o = &s.outcome;
        self.n += 1;
        for (i, &v) in o.metrics.iter().enumerate() {
            self.moments[i].push(v);
            self.sketches[i].add(v);
        }
        if o.metrics[crate::sim::metric::GAP] > 0.0 {
            self.shortfalls += 1;
        }
        for (i, &v) in o.report_gaps.iter().enumerate() {
            self.report_moments[i].push(v);
            self.report_sketches[i].add(v);
            if v > 0.0 {
                self.report_shortfalls[i] += 1;
            }
        }
        if let Some(j) = o.first_shortfall {
            self.first_shortfall[j] += 1;
        }
        if let Some(y) = o.breakeven_year {
            self.breakeven[y] += 1;
        }
        if o.ipo_step.is_some() {
            self.ipos += 1;
        }
        for (m, &x) in self.inputs.iter_mut().zip(&s.x) {
            m.push(x);
        }
        if let Some((first, rest)) = self.chunk_sens.split_first_mut() {
            first.add(o.metrics[crate::sim::metric::GAP], &s.u);
            for (c, &v) in rest.iter_mut().zip(&o.report_gaps) {
                c.add(v, &s.u);
            }
        }
        if trial % band_stride == 0 {
            self.band_rows.extend_from_slice(&s.cash);
            self.band_rows.extend_from_slice(&s.revenue);
            self.band_rows.extend_from_slice(&s.obligations);
            self.band_rows.extend_from_slice(&s.costs);
        }
        if save {
            let g = &model.grid;
            self.trial_rows.push(trial as f64);
            self.trial_rows.extend_from_slice(&s.x);
            self.trial_rows.extend_from_slice(&o.metrics);
            self.trial_rows.extend_from_slice(&o.report_gaps);
            self.trial_rows
                .push(o.first_shortfall.map_or(f64::NAN, |j| g.t[j]));
            self.trial_rows
                .push(o.breakeven_year.map_or(f64::NAN, |y| g.years[y] as f64));
            self.trial_rows
                .push(if o.ipo_step.is_some() { 1.0 } else { 0.0 });
        }
    }

    /// Merges the accumulator of the chunk that follows this one.
    pub fn merge(&mut self, o: Accum) {
        self.n += o.n;
        for (a, b) in self.moments.iter_mut().zip(&o.moments) {
            a.merge(b);
        }
        for (a, b) in self.sketches.iter_mut().zip(&o.sketches) {
            a.merge(b);
        }
        for (a, b) in self.report_moments.iter_mut().zip(&o.report_moments) {
            a.merge(b);
        }
        for (a, b) in self.report_sketches.iter_mut().zip(&o.report_sketches) {
            a.merge(b);
        }
        self.shortfalls += o.shortfalls;
        for (a, b) in self.report_shortfalls.iter_mut().zip(&o.report_shortfalls) {
            *a += b;
        }
        for (a, b) in self.first_shortfall.iter_mut().zip(&o.first_shortfall) {
            *a += b;
        }
        for (a, b) in self.breakeven.iter_mut().zip(&o.breakeven) {
            *a += b;
        }
        self.ipos += o.ipos;
        for (a, b) in self.inputs.iter_mut().zip(&o.inputs) {
            a.merge(b);
        }
        self.band_rows.extend_from_slice(&o.band_rows);
        for (a, b) in self.sens.iter_mut().zip(&o.chunk_sens) {
            a.merge(b);
        }
    }
}

/// A finished run: the accumulated results and how the bands were sampled.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The configuration it ran with.
    pub config: RunConfig,
    /// Everything accumulated.
    pub accum: Accum,
    /// Every `band_stride`-th trial is in the bands.
    pub band_stride: u64,
}

/// Every how many trials one is kept for the per-step bands.
pub fn band_stride(model: &Model, trials: u64) -> u64 {
    let per_trial = 4 * model.grid.n + 1;
    let cap = (BAND_VALUE_BUDGET / per_trial).max(1) as u64;
    trials.div_ceil(cap).max(1)
}

/// Per-worker state of a batch: the scratch, the joint histogram (integer counts, so any
/// assignment of chunks to workers gives the same sum), and the finished chunks.
struct Worker {
    scratch: Scratch,
    joint: JointHist,
    done: Vec<(u64, Accum)>,
}

fn run_chunk(model: &Model, cfg: &RunConfig, chunk: u64, stride: u64, w: &mut Worker) {
    let mut acc = Accum::for_chunk(model, chunk);
    let lo = chunk * CHUNK;
    let hi = (lo + CHUNK).min(cfg.trials);
    let s = &mut w.scratch;
    for trial in lo..hi {
        run_trial(model, cfg.seed, trial, s);
        acc.add(model, s, trial, stride, cfg.save_trials);
        w.joint
            .add(s.outcome.metrics[crate::sim::metric::GAP], &s.u);
    }
    w.done.push((chunk, acc));
}

/// Runs `cfg.trials` trials of `model` in parallel.
///
/// `progress` is called after each batch with the number of trials done; `cancel`, when set,
/// stops the run at the next batch.
///
/// # Errors
/// [`RunError`] for zero trials, a thread pool that cannot start, a failing sink, or a
/// cancelled run.
pub fn simulate(
    model: &Model,
    cfg: &RunConfig,
    progress: &dyn Fn(u64),
    mut sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<RunResult, RunError> {
    if cfg.trials == 0 {
        return Err(RunError::NoTrials);
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = cfg.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().map_err(|e| RunError::Threads {
        threads: cfg.threads.unwrap_or(0),
        reason: e.to_string(),
    })?;
    let stride = band_stride(model, cfg.trials);
    let n_chunks = cfg.trials.div_ceil(CHUNK);
    let batch = (pool.current_num_threads() as u64 * 8).max(8);
    let mut total = Accum::new(model);
    total
        .band_rows
        .reserve(cfg.trials.div_ceil(stride) as usize * (4 * model.grid.n + 1));
    let width = trial_columns(model).len();
    let mut c0 = 0;
    while c0 < n_chunks {
        let c1 = (c0 + batch).min(n_chunks);
        let (mut parts, joint) = pool.install(|| {
            (c0..c1)
                .into_par_iter()
                .fold(
                    || Worker {
                        scratch: Scratch::new(model),
                        joint: JointHist::default(),
                        done: Vec::new(),
                    },
                    |mut w, c| {
                        run_chunk(model, cfg, c, stride, &mut w);
                        w
                    },
                )
                .map(|w| (w.done, w.joint))
                .reduce(
                    || (Vec::new(), JointHist::default()),
                    |(mut a, mut ja), (b, jb)| {
                        a.extend(b);
                        ja.merge(&jb);
                        (a, ja)
                    },
                )
        });
        total.joint.merge(&joint);
        parts.sort_unstable_by_key(|(c, _)| *c);
        for (_, part) in parts {
            if let Some(sink) = sink.as_deref_mut() {
                if !part.trial_rows.is_empty() {
                    sink.write_rows(total.n, width, &part.trial_rows)?;
                }
            }
            total.merge(part);
        }
        progress(total.n);
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) && total.n < cfg.trials {
            return Err(RunError::Cancelled {
                done: total.n,
                total: cfg.trials,
            });
        }
        c0 = c1;
    }
    Ok(RunResult {
        config: cfg.clone(),
        accum: total,
        band_stride: stride,
    })
}
