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
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use crate::model::Model;
use crate::stats::sensitivity::{ChunkSens, JointHist, SensAccum};

use crate::sim::{Batch, LANES, N_METRICS, Scratch, run_batch};
use crate::stats::{Moments, SharedMoments, Sketch};

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
    /// How many of the trials with the largest gap to keep (0: none).
    pub worst: usize,
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
    /// A chunk's sums for the moments of the metrics, the gaps by report year and the
    /// inputs (only in a chunk; merged into the moments above).
    chunk_moments: [SharedMoments; 3],
    /// Sampled trajectories for the bands: per sampled trial, cash (n+1), revenue, obligations,
    /// costs (n each).
    pub band_rows: Vec<f64>,
    /// Per-trial rows of this chunk (only with `save_trials`).
    pub trial_rows: Vec<f64>,
    /// A chunk's decile sums for sensitivity: the horizon gap, then each report year.
    chunk_sens: Option<ChunkSens>,
    /// The current trial's responses, in the same order.
    responses: Vec<f64>,
    /// The run's decile sums for sensitivity (only in the total).
    pub sens: Option<SensAccum>,
    /// Joint (gap, u) counts per input (only in the total).
    pub joint: JointHist,
    /// The trials with the largest gap, (gap, trial), largest first (with `RunConfig::worst`).
    pub worst: Vec<(f64, u64)>,
}

impl Accum {
    /// An empty accumulator for a whole run of `model`.
    pub fn new(model: &Model) -> Accum {
        let mut a = Accum::empty(model);
        a.sens = Some(SensAccum::new(
            model.inputs.len(),
            1 + model.grid.report.len(),
        ));
        a
    }

    /// An empty accumulator for one chunk of a run of `model`.
    fn for_chunk(model: &Model) -> Accum {
        let mut a = Accum::empty(model);
        a.chunk_sens = Some(ChunkSens::new(
            model.inputs.len(),
            1 + model.grid.report.len(),
        ));
        a.responses = vec![0.0; 1 + model.grid.report.len()];
        a.chunk_moments = [
            SharedMoments::new(N_METRICS),
            SharedMoments::new(model.grid.report.len()),
            SharedMoments::new(model.inputs.len()),
        ];
        a
    }

    fn empty(model: &Model) -> Accum {
        let r = model.grid.report.len();
        Accum {
            n: 0,
            moments: vec![Moments::default(); N_METRICS],
            // The gap gets the fine sketch (its quantiles are headline results); the other
            // metrics report p5/p50/p95 and do with the coarse one.
            sketches: (0..N_METRICS)
                .map(|i| {
                    Sketch::with_bits(if i == crate::sim::metric::GAP {
                        crate::stats::FINE_BITS
                    } else {
                        crate::stats::COARSE_BITS
                    })
                })
                .collect(),
            report_moments: vec![Moments::default(); r],
            report_sketches: vec![Sketch::default(); r],
            shortfalls: 0,
            report_shortfalls: vec![0; r],
            first_shortfall: vec![0; model.grid.n + 1],
            breakeven: vec![0; model.grid.years.len()],
            ipos: 0,
            inputs: vec![Moments::default(); model.inputs.len()],
            chunk_moments: Default::default(),
            band_rows: Vec::new(),
            trial_rows: Vec::new(),
            chunk_sens: None,
            responses: Vec::new(),
            sens: None,
            joint: JointHist::default(),
            worst: Vec::new(),
        }
    }

    /// Adds a trial's order-independent statistics: sketches, counts, the (gap, u) histogram.
    /// These are integers (and exact minima and maxima), so they can be kept per worker and
    /// merged in any order.
    fn add_counts(&mut self, s: &Scratch, bins: &[u8]) {
        let o = &s.outcome;
        for (sk, &v) in self.sketches.iter_mut().zip(&o.metrics) {
            sk.add(v);
        }
        let gap = o.metrics[crate::sim::metric::GAP];
        self.shortfalls += u64::from(gap > 0.0);
        for (i, &v) in o.report_gaps.iter().enumerate() {
            self.report_sketches[i].add(v);
            self.report_shortfalls[i] += u64::from(v > 0.0);
        }
        if let Some(j) = o.first_shortfall {
            self.first_shortfall[j] += 1;
        }
        if let Some(y) = o.breakeven_year {
            self.breakeven[y] += 1;
        }
        self.ipos += u64::from(o.ipo_step.is_some());
        self.joint.add(gap, bins);
    }

    /// Adds a trial's float sums, kept per chunk and merged in chunk order.
    fn add_sums(
        &mut self,
        model: &Model,
        s: &Scratch,
        bins: &[u8],
        trial: u64,
        band_stride: u64,
        save: bool,
    ) {
        let o = &s.outcome;
        self.n += 1;
        let [metrics, report, inputs] = &mut self.chunk_moments;
        metrics.push(&o.metrics);
        report.push(&o.report_gaps);
        inputs.push(&s.x);
        if let Some(c) = &mut self.chunk_sens {
            if let Some((first, rest)) = self.responses.split_first_mut() {
                *first = o.metrics[crate::sim::metric::GAP];
                rest.copy_from_slice(&o.report_gaps);
            }
            c.add(trial, &self.responses, bins);
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

    /// Merges a worker's order-independent statistics (any order gives the same result).
    pub fn merge_counts(&mut self, o: &Accum) {
        for (a, b) in self.sketches.iter_mut().zip(&o.sketches) {
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
        self.joint.merge(&o.joint);
    }

    /// Merges the accumulator of the chunk that follows this one, keeping the `worst` largest
    /// gaps.
    pub fn merge(&mut self, o: Accum, worst: usize) {
        for &(gap, trial) in &o.worst {
            keep_worst(&mut self.worst, worst, gap, trial);
        }
        self.n += o.n;
        let [metrics, report, inputs] = &o.chunk_moments;
        for (a, b) in self.moments.iter_mut().zip(metrics.moments()) {
            a.merge(&b);
        }
        for (a, b) in self.report_moments.iter_mut().zip(report.moments()) {
            a.merge(&b);
        }
        for (a, b) in self.inputs.iter_mut().zip(inputs.moments()) {
            a.merge(&b);
        }
        self.band_rows.extend_from_slice(&o.band_rows);
        if let (Some(a), Some(b)) = (&mut self.sens, &o.chunk_sens) {
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
    /// The run's threads, kept for the summary's parallel parts.
    pub(crate) pool: Arc<rayon::ThreadPool>,
}

/// Every how many trials one is kept for the per-step bands.
pub fn band_stride(model: &Model, trials: u64) -> u64 {
    let per_trial = 4 * model.grid.n + 1;
    let cap = (BAND_VALUE_BUDGET / per_trial).max(1) as u64;
    trials.div_ceil(cap).max(1)
}

/// Paired statistics of scenario m against the first scenario, over the same trials.
#[derive(Debug, Clone, Default)]
pub struct Paired {
    /// gap_m − gap_0, $B.
    pub gap_diff: Moments,
    /// 1{gap_m > 0} − 1{gap_0 > 0}.
    pub shortfall_diff: Moments,
    /// Trials with gap_0 < gap_m.
    pub first_smaller: u64,
    /// Trials with gap_0 > gap_m.
    pub first_larger: u64,
}

impl Paired {
    fn merge(&mut self, o: &Paired) {
        self.gap_diff.merge(&o.gap_diff);
        self.shortfall_diff.merge(&o.shortfall_diff);
        self.first_smaller += o.first_smaller;
        self.first_larger += o.first_larger;
    }
}

/// The K trials with the largest gap: (gap, trial), largest first, ties by trial index.
fn keep_worst(worst: &mut Vec<(f64, u64)>, k: usize, gap: f64, trial: u64) {
    if k == 0 {
        return;
    }
    let better = |a: &(f64, u64), b: &(f64, u64)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
    if worst.len() == k && !better(&(gap, trial), &worst[k - 1]) {
        return;
    }
    let pos = worst.partition_point(|w| better(w, &(gap, trial)));
    worst.insert(pos, (gap, trial));
    worst.truncate(k);
}

/// A finished chunk: one accumulator per scenario, and the pairs against the first.
struct ChunkResult {
    accums: Vec<Accum>,
    paired: Vec<Paired>,
}

/// One pool thread's state for the whole run: batches, the order-independent statistics
/// per scenario (sketches and counts: integers, so any assignment of chunks to threads gives
/// the same totals), and the ordered sums of the chunks it finished in the current batch.
struct Worker {
    batches: Vec<Batch>,
    counts: Vec<Accum>,
    done: Vec<(u64, ChunkResult)>,
}

fn run_chunk(models: &[Model], cfg: &RunConfig, chunk: u64, stride: u64, w: &mut Worker) {
    let mut accums: Vec<Accum> = models.iter().map(Accum::for_chunk).collect();
    let mut paired = vec![Paired::default(); models.len().saturating_sub(1)];
    let lo = chunk * CHUNK;
    let hi = (lo + CHUNK).min(cfg.trials);
    let mut first = lo;
    while first < hi {
        // Trials first..first + count, LANES at a time, each scenario on the same trials;
        // then added in trial order, exactly as if they had run one by one.
        let count = (hi - first).min(LANES as u64) as usize;
        for (model, batch) in models.iter().zip(&mut w.batches) {
            run_batch(model, cfg.seed, first, count, batch);
        }
        for l in 0..count {
            let trial = first + l as u64;
            let mut first_gap = 0.0;
            for (m, model) in models.iter().enumerate() {
                let s = w.batches[m].lane(l);
                let bins = &s.bins;
                let acc = &mut accums[m];
                acc.add_sums(model, s, bins, trial, stride, cfg.save_trials);
                w.counts[m].add_counts(s, bins);
                let gap = s.outcome.metrics[crate::sim::metric::GAP];
                keep_worst(&mut acc.worst, cfg.worst, gap, trial);
                if m == 0 {
                    first_gap = gap;
                } else {
                    let p = &mut paired[m - 1];
                    p.gap_diff.push(gap - first_gap);
                    p.shortfall_diff.push(
                        f64::from(u8::from(gap > 0.0)) - f64::from(u8::from(first_gap > 0.0)),
                    );
                    p.first_smaller += u64::from(first_gap < gap);
                    p.first_larger += u64::from(first_gap > gap);
                }
            }
        }
        first += count as u64;
    }
    w.done.push((chunk, ChunkResult { accums, paired }));
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
    sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<RunResult, RunError> {
    let (mut runs, _) = simulate_many(std::slice::from_ref(model), cfg, progress, sink, cancel)?;
    runs.pop().ok_or(RunError::NoTrials)
}

/// Runs several scenarios on the same random numbers: trial i of each uses the same streams
/// for the inputs they share (common random numbers), so their differences are paired.
/// Returns one result per scenario and, for each scenario after the first, its paired
/// statistics against the first. The sink, if any, receives the first scenario's rows.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_many(
    models: &[Model],
    cfg: &RunConfig,
    progress: &dyn Fn(u64),
    mut sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<(Vec<RunResult>, Vec<Paired>), RunError> {
    if cfg.trials == 0 || models.is_empty() {
        return Err(RunError::NoTrials);
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = cfg.threads {
        builder = builder.num_threads(t);
    }
    let pool = Arc::new(builder.build().map_err(|e| RunError::Threads {
        threads: cfg.threads.unwrap_or(0),
        reason: e.to_string(),
    })?);
    let strides: Vec<u64> = models.iter().map(|m| band_stride(m, cfg.trials)).collect();
    let stride = strides.iter().copied().max().unwrap_or(1);
    let n_chunks = cfg.trials.div_ceil(CHUNK);
    // Eight chunks per thread between ordered merges. The finished chunks' sums wait in
    // memory until the merge (a chunk's decile sums are about 250 kB for bench.toml), so
    // fewer chunks per batch keep them in cache: on 2 threads, 1M trials of bench.toml ran
    // in 0.98 s (parallel part) with 8 per thread, 1.02 s with 16 or 32, 1.08 s with 512;
    // 4 was no better than 8. It also answers progress and Ctrl-C sooner.
    let batch = (pool.current_num_threads() as u64 * 8).max(8);
    let mut totals: Vec<Accum> = models
        .iter()
        .map(|m| {
            let mut a = Accum::new(m);
            a.band_rows
                .reserve(cfg.trials.div_ceil(stride) as usize * (4 * m.grid.n + 1));
            a
        })
        .collect();
    let mut paired = vec![Paired::default(); models.len() - 1];
    let width = trial_columns(&models[0]).len();
    // One worker per pool thread, kept for the whole run: its batches and its
    // order-independent counts are allocated once and merged once, at the end. A chunk runs
    // on whichever thread picks it up and locks that thread's worker (never contended).
    // Each thread allocates its own worker: built one after another on this thread, the
    // workers' buffers were neighbours in memory, and the cache lines they shared (written
    // every trial by both threads) cost a third more CPU time on 2 threads (1M trials of
    // bench.toml: 2.5 s of CPU against 1.85 s, 1.36 s wall against 1.00 s).
    let workers: Vec<Mutex<Worker>> = pool.broadcast(|_| {
        Mutex::new(Worker {
            batches: models.iter().map(Batch::new).collect(),
            counts: models.iter().map(Accum::empty).collect(),
            done: Vec::new(),
        })
    });
    let mut c0 = 0;
    while c0 < n_chunks {
        let c1 = (c0 + batch).min(n_chunks);
        pool.install(|| {
            (c0..c1).into_par_iter().for_each(|c| {
                let t = rayon::current_thread_index().unwrap_or(0) % workers.len();
                let mut w = workers[t].lock().unwrap_or_else(PoisonError::into_inner);
                run_chunk(models, cfg, c, stride, &mut w);
            });
        });
        let mut parts = Vec::new();
        for w in &workers {
            let mut w = w.lock().unwrap_or_else(PoisonError::into_inner);
            parts.append(&mut w.done);
        }
        parts.sort_unstable_by_key(|(c, _)| *c);
        for (_, part) in parts {
            for (m, acc) in part.accums.into_iter().enumerate() {
                if m == 0 {
                    if let Some(sink) = sink.as_deref_mut() {
                        if !acc.trial_rows.is_empty() {
                            sink.write_rows(totals[0].n, width, &acc.trial_rows)?;
                        }
                    }
                }
                totals[m].merge(acc, cfg.worst);
            }
            for (p, q) in paired.iter_mut().zip(&part.paired) {
                p.merge(q);
            }
        }
        let done = totals[0].n;
        progress(done);
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) && done < cfg.trials {
            return Err(RunError::Cancelled {
                done,
                total: cfg.trials,
            });
        }
        c0 = c1;
    }
    for w in workers {
        let w = w.into_inner().unwrap_or_else(PoisonError::into_inner);
        for (t, c) in totals.iter_mut().zip(&w.counts) {
            t.merge_counts(c);
        }
    }
    let runs = totals
        .into_iter()
        .map(|accum| RunResult {
            config: cfg.clone(),
            accum,
            band_stride: stride,
            pool: Arc::clone(&pool),
        })
        .collect();
    Ok((runs, paired))
}

/// The RNG floor of a run: draws, per trial, the same random numbers the trials draw (a
/// counter-based uniform per independent input, a stream and one normal per copula member,
/// a stream per segment with a normal per step, a stream and an exponential per event), in
/// the same parallel chunks, called as the trials call them, and nothing else. Its time is
/// the least a run of `model` can take with these generators; `bench` reports a run's
/// efficiency against it. Returns a checksum so the work cannot be optimised away.
///
/// # Errors
/// [`RunError::Threads`] if the pool cannot start.
pub fn rng_floor(
    model: &Model,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
) -> Result<f64, RunError> {
    use crate::rng::{stream, uniform};
    use rand_distr::{Distribution, Exp1, StandardNormal};
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().map_err(|e| RunError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })?;
    let steps = model.grid.n.saturating_sub(1);
    let members: Vec<u64> = model
        .copula
        .as_ref()
        .map(|c| c.members.iter().map(|&i| model.inputs[i].key).collect())
        .unwrap_or_default();
    let independent: Vec<u64> = model
        .independent
        .iter()
        .map(|&i| model.inputs[i].key)
        .collect();
    let n_chunks = trials.div_ceil(CHUNK);
    // Each thread takes every threads-th chunk: the draws split evenly, with no scheduling
    // in the way of what is being timed.
    let sums = pool.broadcast(|ctx| {
        let mut acc = 0.0;
        for c in (ctx.index() as u64..n_chunks).step_by(ctx.num_threads()) {
            for t in c * CHUNK..((c + 1) * CHUNK).min(trials) {
                for &k in &independent {
                    acc += uniform(seed, t, k);
                }
                for &k in &members {
                    let z: f64 = StandardNormal.sample(&mut stream(seed, t, k));
                    acc += z;
                }
                for seg in &model.segments {
                    let mut r = stream(seed, t, seg.key);
                    for _ in 0..steps {
                        let z: f64 = StandardNormal.sample(&mut r);
                        acc += z;
                    }
                }
                for ev in &model.events {
                    let e: f64 = Exp1.sample(&mut stream(seed, t, ev.key));
                    acc += e;
                }
            }
        }
        acc
    });
    let sum = sums.iter().sum::<f64>();
    Ok(sum)
}
