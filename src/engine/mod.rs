//! The parallel Monte Carlo engine: the only place with threads.
//!
//! Trials are cut into fixed-size chunks (independent of the thread count). A batch of chunks
//! runs in parallel on a rayon pool; each chunk accumulates its trials in index order into an
//! [`Accum`]; the batch's accumulators are then reduced in chunk order through a fixed binary
//! tree over chunk indices ([`tree`]). Floats are therefore always summed in the same order,
//! and the result is identical, bit for bit, for any thread count, and for a run split into
//! contiguous parts whose tree nodes are merged afterwards. Memory is bounded: per-trial rows exist only for the chunks of one
//! batch (and go straight to the [`TrialSink`] when the user asked for them), and the
//! per-step bands keep a fixed-stride sample of at most [`BAND_VALUE_BUDGET`] values.

mod accum;
mod bands;
mod floor;
mod paired;
mod part;
mod replicates;
pub mod tree;
mod trial_row;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::model::Model;
use crate::sim::{Batch, LANES, metric, run_batch};

pub use accum::Accum;
pub use bands::{BandQuantiles, BandSample};
pub use floor::rng_floor;
pub use paired::Paired;
pub use part::{MergeError, Part, chunk_trials, merge_parts, shard_chunks, simulate_part};
pub use replicates::{Layout, ReplicateSketches, Replicates};
pub use trial_row::{ColumnKind, trial_column_kinds, trial_columns};

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

/// A finished run: the accumulated results and how the bands were sampled.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The configuration it ran with.
    pub config: RunConfig,
    /// Everything accumulated.
    pub accum: Accum,
    /// Every `band_stride`-th trial is in the bands.
    pub band_stride: u64,
    /// The run's threads, for the quantiles of the bands.
    pool: std::sync::Arc<rayon::ThreadPool>,
}

impl RunResult {
    /// Per-step quantiles at `levels` of the sampled trajectories, computed on the run's
    /// threads (the numbers do not depend on how many).
    pub fn band_quantiles(&self, levels: &[f64; 5]) -> BandQuantiles {
        self.accum.band_sample().quantiles(levels, &self.pool)
    }
}

/// A rayon pool of `threads` threads (`None`: one per core).
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    builder.build().map_err(|e| RunError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })
}

/// Every how many trials one is kept for the per-step bands.
pub fn band_stride(model: &Model, trials: u64) -> u64 {
    let per_trial = 4 * model.grid.n + 1;
    let cap = (BAND_VALUE_BUDGET / per_trial).max(1) as u64;
    trials.div_ceil(cap).max(1)
}

/// A finished chunk (or a node of the reduction tree): one accumulator per scenario, and the
/// pairs against the first.
#[derive(Debug, Clone)]
struct ChunkResult {
    accums: Vec<Accum>,
    paired: Vec<Paired>,
}

impl tree::Merge for ChunkResult {
    fn merge_right(&mut self, right: ChunkResult) {
        self.accums.merge_right(right.accums);
        self.paired.merge_right(right.paired);
    }
}

/// One pool thread's state for the whole run: batches, the order-independent statistics
/// per scenario (sketches and counts: integers, so any assignment of chunks to threads gives
/// the same totals), and the ordered sums of the chunks it finished in the current batch.
struct Worker {
    batches: Vec<Batch>,
    counts: Vec<Accum>,
    done: Vec<(u64, ChunkResult)>,
}

/// Empty pairs of each scenario after the first against the first.
fn new_pairs(models: &[Model]) -> Vec<Paired> {
    models
        .iter()
        .skip(1)
        .map(|m| Paired::new(&models[0], m))
        .collect()
}

fn run_chunk(models: &[Model], cfg: &RunConfig, chunk: u64, stride: u64, w: &mut Worker) {
    let mut accums: Vec<Accum> = models.iter().map(Accum::for_chunk).collect();
    let mut paired = new_pairs(models);
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
            for (m, model) in models.iter().enumerate() {
                let s = w.batches[m].lane(l);
                let bins = &s.bins;
                let acc = &mut accums[m];
                acc.add_sums(model, s, bins, trial, stride, cfg.save_trials);
                w.counts[m].add_counts(model, s, bins, trial);
                let gap = s.outcome.metrics[metric::GAP];
                acc.note_worst(cfg.worst, gap, trial);
                if m > 0 {
                    paired[m - 1].add(&s.outcome, &w.batches[0].lane(l).outcome);
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
    sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<(Vec<RunResult>, Vec<Paired>), RunError> {
    if cfg.trials == 0 || models.is_empty() {
        return Err(RunError::NoTrials);
    }
    let all = 0..cfg.trials.div_ceil(CHUNK);
    let r = run_chunks(models, cfg, all, progress, sink, cancel)?;
    let Some(ChunkResult {
        accums: mut totals,
        paired,
    }) = r.tree.finish()
    else {
        return Err(RunError::NoTrials);
    };
    for (((t, b), w), c) in totals.iter_mut().zip(r.bands).zip(r.worst).zip(&r.counts) {
        t.set_ordered(b, w);
        t.merge_counts(c);
    }
    let runs = totals
        .into_iter()
        .map(|accum| RunResult {
            config: cfg.clone(),
            accum,
            band_stride: r.stride,
            pool: std::sync::Arc::clone(&r.pool),
        })
        .collect();
    Ok((runs, paired))
}

/// What chunks `lo..hi` of a run reduce to before the tree is folded.
struct Reduced {
    /// The chunks' sums, reduced as far as the tree allows inside the range.
    tree: tree::Tree<ChunkResult>,
    /// Per scenario, the band rows of the range's trials, in trial order.
    bands: Vec<BandSample>,
    /// Per scenario, the range's worst trials.
    worst: Vec<Vec<(f64, u64)>>,
    /// Per scenario, the order-independent statistics (sketches and counts) of the range.
    counts: Vec<Accum>,
    /// Every how many trials one is kept for the bands (of the whole run).
    stride: u64,
    /// The run's threads.
    pool: std::sync::Arc<rayon::ThreadPool>,
}

/// Runs the chunks `chunks` of a run of `cfg.trials` trials (all of them, or one shard's).
fn run_chunks(
    models: &[Model],
    cfg: &RunConfig,
    chunks: std::ops::Range<u64>,
    progress: &dyn Fn(u64),
    mut sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<Reduced, RunError> {
    let pool = std::sync::Arc::new(thread_pool(cfg.threads)?);
    let strides: Vec<u64> = models.iter().map(|m| band_stride(m, cfg.trials)).collect();
    let stride = strides.iter().copied().max().unwrap_or(1);
    let range_trials =
        (chunks.end * CHUNK).min(cfg.trials) - (chunks.start * CHUNK).min(cfg.trials);
    // Eight chunks per thread between ordered merges. The finished chunks' sums wait in
    // memory until the merge (a chunk's decile sums are about 250 kB for bench.toml), so
    // fewer chunks per batch keep them in cache: on 2 threads, 1M trials of bench.toml ran
    // in 0.98 s (parallel part) with 8 per thread, 1.02 s with 16 or 32, 1.08 s with 512;
    // 4 was no better than 8. It also answers progress and Ctrl-C sooner.
    let batch = (pool.current_num_threads() as u64 * 8).max(8);
    // What each scenario keeps in trial order rather than as sums: the band sample and the
    // worst trials, appended chunk by chunk; the sums go through the reduction tree.
    let mut bands: Vec<BandSample> = models
        .iter()
        .map(|m| BandSample::with_capacity(m.grid.n, range_trials.div_ceil(stride) as usize))
        .collect();
    let mut worst: Vec<Vec<(f64, u64)>> = vec![Vec::new(); models.len()];
    let mut reduction: tree::Tree<ChunkResult> = tree::Tree::default();
    let mut done = 0;
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
    let mut c0 = chunks.start;
    while c0 < chunks.end {
        let c1 = (c0 + batch).min(chunks.end);
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
        for (c, mut part) in parts {
            for (m, acc) in part.accums.iter_mut().enumerate() {
                if m == 0 {
                    let rows = acc.take_trial_rows();
                    if let Some(sink) = sink.as_deref_mut() {
                        if !rows.is_empty() {
                            sink.write_rows(c * CHUNK, width, &rows)?;
                        }
                    }
                    done += acc.trials();
                }
                let (b, w) = acc.take_ordered();
                bands[m].append(&b);
                for (gap, trial) in w {
                    paired::keep_worst(&mut worst[m], cfg.worst, gap, trial);
                }
            }
            let node = ChunkResult {
                accums: part.accums.into_iter().map(Accum::into_node).collect(),
                paired: part.paired,
            };
            reduction.push_chunk(c, node);
        }
        progress(done);
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) && done < range_trials {
            return Err(RunError::Cancelled {
                done,
                total: range_trials,
            });
        }
        c0 = c1;
    }
    let counts = workers
        .into_iter()
        .map(|w| {
            w.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .counts
        })
        .reduce(|mut a, b| {
            for (a, b) in a.iter_mut().zip(&b) {
                a.merge_counts(b);
            }
            a
        })
        .unwrap_or_else(|| models.iter().map(Accum::empty).collect());
    Ok(Reduced {
        tree: reduction,
        bands,
        worst,
        counts,
        stride,
        pool,
    })
}
