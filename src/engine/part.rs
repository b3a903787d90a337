//! A run in parts: shard K of M runs a contiguous range of chunks and keeps what they reduce
//! to ([`Part`]); [`merge_parts`] puts the parts of all M shards back together into exactly
//! the [`RunResult`] of the run in one piece, bit for bit, whatever M and the order of the
//! parts (see [`super::tree`] for why the sums agree to the bit).

use std::sync::atomic::AtomicBool;

use super::tree::{Node, Tree};
use super::{
    Accum, BandSample, CHUNK, RunConfig, RunError, RunResult, TrialSink, paired, run_chunks,
    thread_pool,
};
use crate::model::Model;

/// The chunks of shard `k` of `m` of a run of `trials` trials: the `k`-th of `m` contiguous
/// ranges as equal as can be (empty when there are fewer chunks than shards).
pub fn shard_chunks(trials: u64, k: u64, m: u64) -> std::ops::Range<u64> {
    let n = u128::from(trials.div_ceil(CHUNK));
    let at = |i: u64| (n * u128::from(i) / u128::from(m.max(1))) as u64;
    at(k)..at(k + 1)
}

/// The trials of chunks `chunks` of a run of `trials` trials.
pub fn chunk_trials(trials: u64, chunks: &std::ops::Range<u64>) -> std::ops::Range<u64> {
    (chunks.start * CHUNK).min(trials)..(chunks.end * CHUNK).min(trials)
}

/// What one shard's chunks reduce to: everything the summary needs from them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// Trials of the whole run.
    pub trials: u64,
    /// The run's seed.
    pub seed: u64,
    /// First chunk of the shard.
    pub first_chunk: u64,
    /// One past its last chunk.
    pub end_chunk: u64,
    /// Every how many trials one is kept for the bands (of the whole run).
    band_stride: u64,
    /// The sums, as the nodes of the reduction tree inside the shard, in chunk order.
    nodes: Vec<Node<Accum>>,
    /// The band rows of the shard's trials, in trial order.
    bands: BandSample,
    /// The shard's worst trials.
    worst: Vec<(f64, u64)>,
    /// Sketches and counts of the shard's trials.
    counts: Accum,
}

/// Why parts do not make a run.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No parts.
    #[error("no parts to merge")]
    Empty,
    /// Parts of runs with different trials or seeds.
    #[error("the parts come from different runs: {0}")]
    Mismatch(String),
    /// Chunks no part covers.
    #[error("trials {from}..{to} are in no part (a shard is missing)")]
    Missing {
        /// First trial missing.
        from: u64,
        /// One past the last.
        to: u64,
    },
    /// Chunks two parts cover.
    #[error("trials {from}..{to} are in two parts (a shard is given twice)")]
    Overlap {
        /// First trial in both.
        from: u64,
        /// One past the last.
        to: u64,
    },
    /// The merge's thread pool could not start.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Runs shard `k` of `m` of the run `cfg` of `model` (its chunks [`shard_chunks`]); the sink,
/// if any, receives its trials' rows (numbered as in the whole run).
///
/// # Errors
/// As [`super::simulate`].
pub fn simulate_part(
    model: &Model,
    cfg: &RunConfig,
    (k, m): (u64, u64),
    progress: &dyn Fn(u64),
    sink: Option<&mut dyn TrialSink>,
    cancel: Option<&AtomicBool>,
) -> Result<Part, RunError> {
    if cfg.trials == 0 {
        return Err(RunError::NoTrials);
    }
    let chunks = shard_chunks(cfg.trials, k, m);
    let (first_chunk, end_chunk) = (chunks.start, chunks.end);
    let r = run_chunks(
        std::slice::from_ref(model),
        cfg,
        chunks,
        progress,
        sink,
        cancel,
    )?;
    let nodes = r
        .tree
        .into_nodes()
        .into_iter()
        .map(|n| Node {
            level: n.level,
            index: n.index,
            value: n
                .value
                .accums
                .into_iter()
                .next()
                .unwrap_or_else(|| Accum::empty(model)),
        })
        .collect();
    Ok(Part {
        trials: cfg.trials,
        seed: cfg.seed,
        first_chunk,
        end_chunk,
        band_stride: r.stride,
        nodes,
        bands: first(r.bands),
        worst: first(r.worst),
        counts: r
            .counts
            .into_iter()
            .next()
            .unwrap_or_else(|| Accum::empty(model)),
    })
}

/// The one scenario's entry of a per-scenario list.
fn first<T: Default>(v: Vec<T>) -> T {
    v.into_iter().next().unwrap_or_default()
}

/// Puts the parts of a run of `model` back together: the [`RunResult`] of `cfg` run in one
/// piece (its threads are `cfg.threads`), bit for bit, in whatever order the parts come.
///
/// # Errors
/// [`MergeError`] when the parts come from different runs (trials, seed) or do not cover
/// the run's chunks exactly once, or the thread pool cannot start.
pub fn merge_parts(
    model: &Model,
    cfg: &RunConfig,
    mut parts: Vec<Part>,
) -> Result<RunResult, MergeError> {
    let Some(stride) = parts.first().map(|p| p.band_stride) else {
        return Err(MergeError::Empty);
    };
    for p in &parts {
        if p.trials != cfg.trials || p.seed != cfg.seed {
            return Err(MergeError::Mismatch(format!(
                "a part of {} trials with seed {}, another of {} trials with seed {}",
                cfg.trials, cfg.seed, p.trials, p.seed
            )));
        }
        if p.band_stride != stride {
            return Err(MergeError::Mismatch(
                "parts sample the bands at different strides".to_string(),
            ));
        }
    }
    parts.sort_by_key(|p| (p.first_chunk, p.end_chunk));
    let n_chunks = cfg.trials.div_ceil(CHUNK);
    let trials_of = |a: u64, b: u64| chunk_trials(cfg.trials, &(a..b));
    let mut at = 0;
    for p in &parts {
        if p.first_chunk > at {
            let t = trials_of(at, p.first_chunk);
            return Err(MergeError::Missing {
                from: t.start,
                to: t.end,
            });
        }
        if p.first_chunk < at {
            let t = trials_of(p.first_chunk, at.min(p.end_chunk));
            return Err(MergeError::Overlap {
                from: t.start,
                to: t.end,
            });
        }
        at = p.end_chunk;
    }
    if at < n_chunks {
        let t = trials_of(at, n_chunks);
        return Err(MergeError::Missing {
            from: t.start,
            to: t.end,
        });
    }
    let pool = std::sync::Arc::new(thread_pool(cfg.threads)?);
    let mut tree: Tree<Accum> = Tree::default();
    let mut bands = BandSample::default();
    let mut worst = Vec::new();
    let mut counts = Accum::empty(model);
    for p in parts {
        for node in p.nodes {
            tree.push(node);
        }
        bands.append(&p.bands);
        for (gap, trial) in p.worst {
            paired::keep_worst(&mut worst, cfg.worst, gap, trial);
        }
        counts.merge_counts(&p.counts);
    }
    let Some(mut accum) = tree.finish() else {
        return Err(MergeError::Empty);
    };
    accum.set_ordered(bands, worst);
    accum.merge_counts(&counts);
    Ok(RunResult {
        config: cfg.clone(),
        accum,
        band_stride: stride,
        pool,
    })
}
