//! The RNG floor: the time a run would take if drawing its random numbers were all it did.

use rand_distr::{Distribution, Exp1, StandardNormal};

use super::{CHUNK, RunError, thread_pool};
use crate::model::Model;
use crate::rng::{stream, uniform};

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
    let pool = thread_pool(threads)?;
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
