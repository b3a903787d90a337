//! Sensitivity from the run itself, with no extra trials.
//!
//! Every uncertain input is drawn through its quantile function from a uniform u. For each
//! input, trials are binned by the decile of u, and the gap's count, sum and sum of squares
//! are kept per decile. From that:
//!
//! - the **swing**: E[gap | top decile of u] − E[gap | bottom decile];
//! - the **first-order variance share** (the binning estimate of the first-order Sobol
//!   index): S = Var_d(E[gap | d]) / Var(gap), with the between-bin variance corrected for its
//!   Monte Carlo noise, (k − 1)/n × the mean within-bin variance (Saltelli et al., *Global
//!   Sensitivity Analysis: The Primer*, 2008, §1.2.5). A response that does not vary (no
//!   gap in any trial) has a share of 0. Its Monte Carlo error comes from [`GROUPS`]
//!   independent groups of trials (runs of 8 consecutive trials, taken in turn): the standard
//!   deviation of the group estimates over √[`GROUPS`]; it is `None` (left out of
//!   summary.json) when fewer than two groups have a defined share, which takes two trials in
//!   different deciles: only in runs of a few dozen trials or fewer;
//! - **what drives the bad tail**: the median u of the input among the worst 10 % of trials
//!   (0.5 means no pull; near 0 or 1, the tail comes from that end of the input). Read from a
//!   joint histogram of (gap, u) with gap in bins of 1/8 of a binade, so the 90th percentile
//!   of the gap splits at most one bin, proportionally.
//!
//! All counts are integers or float sums accumulated per chunk and merged in chunk order, so
//! the result does not depend on the thread count.

use serde::Serialize;

use super::Sketch;

/// Bins of u (deciles).
pub const DECILES: usize = 10;
/// Independent groups for the Monte Carlo error of the variance shares.
pub const GROUPS: usize = 8;
/// Bins of u in the joint histogram with the gap.
pub const U_BINS: usize = 20;
/// Gap bins per binade (power of two) in the joint histogram.
const GAP_BINS_PER_BINADE: f64 = 8.0;
/// Gap bin range: 2^-16 ($15k) to 2^24 $B; smaller gaps go to the zero bin.
const GAP_LOG2_MIN: f64 = -16.0;
const GAP_BINS: usize = 1 + (40.0 * GAP_BINS_PER_BINADE) as usize;

/// Sums of a response per decile of one input, in one group.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

fn gap_bin(gap: f64) -> usize {
    if gap <= 0.0 || !gap.is_finite() {
        return 0;
    }
    let b = ((gap.log2() - GAP_LOG2_MIN) * GAP_BINS_PER_BINADE).floor();
    if b < 0.0 {
        0
    } else {
        (1 + b as usize).min(GAP_BINS - 1)
    }
}

fn gap_bin_low(bin: usize) -> f64 {
    if bin == 0 {
        0.0
    } else {
        ((bin - 1) as f64 / GAP_BINS_PER_BINADE + GAP_LOG2_MIN).exp2()
    }
}

/// The bin of an input's u in the joint histogram (`U_BINS` bins), computed once per
/// trial; its decile is `bin / 2`.
#[inline]
pub fn u_bin(u: f64) -> u8 {
    ((u * U_BINS as f64) as usize).min(U_BINS - 1) as u8
}

/// Where the bins of u = Φ(z) start on the z scale: edge k − 1 is the smallest double z with
/// `u_bin(normal_cdf(z)) ≥ k`, found by bisection on the doubles themselves, so that
/// [`z_bin`] gives exactly the bin `u_bin(normal_cdf(z))` gives, without computing Φ.
/// A constant: computed on first use, once per process.
pub fn z_bin_edges() -> &'static [f64; U_BINS - 1] {
    static EDGES: std::sync::OnceLock<[f64; U_BINS - 1]> = std::sync::OnceLock::new();
    EDGES.get_or_init(find_z_bin_edges)
}

fn find_z_bin_edges() -> [f64; U_BINS - 1] {
    use super::quantile::{from_order_key as unkey, order_key as key};
    use crate::dist::{normal_cdf, normal_quantile};
    // Bisection on the doubles in their order as integers.
    std::array::from_fn(|e| {
        let k = (e + 1) as u8;
        let reaches = |z: f64| u_bin(normal_cdf(z)) >= k;
        let guess = normal_quantile(f64::from(k) / U_BINS as f64);
        let (mut lo, mut hi) = (key(guess - 1e-6), key(guess + 1e-6));
        debug_assert!(!reaches(unkey(lo)) && reaches(unkey(hi)));
        // Invariant: not reached at lo, reached at hi.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if reaches(unkey(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        unkey(hi)
    })
}

/// The bin of u = Φ(z) from z and the [`z_bin_edges`]: the number of edges at or below z.
#[inline]
pub fn z_bin(z: f64, edges: &[f64; U_BINS - 1]) -> u8 {
    edges.iter().map(|&e| u8::from(z >= e)).sum()
}

// u·20 = 2·(u·10) exactly, so ⌊⌊20u⌋ / 2⌋ = ⌊10u⌋: the decile is the bin halved.
const _: () = assert!(U_BINS == 2 * DECILES);

/// The group of trial `trial`: runs of [`GROUP_RUN`] consecutive trials share a group, so
/// that a trial's updates land where the previous trial's did (in cache).
#[inline]
fn group_of(trial: u64) -> usize {
    ((trial / GROUP_RUN) % GROUPS as u64) as usize
}

/// Consecutive trials in one group.
const GROUP_RUN: u64 = 8;

/// Decile sums of every response (the horizon gap, then the gap by each report year) for
/// the trials of one chunk, by group ([`group_of`]). A cell's sums and sums of squares of all
/// responses are contiguous, so a trial adds to each input's decile with one short vector add.
#[derive(Debug, Clone)]
pub struct ChunkSens {
    inputs: usize,
    responses: usize,
    /// [group][input][decile].
    n: Vec<u32>,
    /// [group][input][decile][response][sum, sum of squares].
    sums: Vec<f64>,
    /// The current trial's (y, y²) of each response.
    y: Vec<f64>,
}

impl ChunkSens {
    /// Empty sums for `inputs` inputs and `responses` responses.
    pub fn new(inputs: usize, responses: usize) -> ChunkSens {
        let cells = GROUPS * inputs * DECILES;
        ChunkSens {
            inputs,
            responses,
            n: vec![0; cells],
            sums: vec![0.0; cells * responses * 2],
            y: vec![0.0; responses * 2],
        }
    }

    /// Adds trial `trial`: its responses `y` and the [`u_bin`] of each of its inputs.
    #[inline]
    pub fn add(&mut self, trial: u64, y: &[f64], bins: &[u8]) {
        let w = 2 * self.responses;
        debug_assert_eq!(2 * y.len(), w);
        for (pair, &v) in self.y.chunks_exact_mut(2).zip(y) {
            pair[0] = v;
            pair[1] = v * v;
        }
        let g = group_of(trial);
        for (i, &b) in bins.iter().enumerate().take(self.inputs) {
            let cell = (g * self.inputs + i) * DECILES + usize::from(b) / 2;
            self.n[cell] += 1;
            for (a, &v) in self.sums[cell * w..(cell + 1) * w].iter_mut().zip(&self.y) {
                *a += v;
            }
        }
    }
}

/// Decile sums of every response over a run, by group.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SensAccum {
    inputs: usize,
    responses: usize,
    /// [group][input][decile].
    n: Vec<u64>,
    /// [group][input][decile][response][sum, sum of squares].
    sums: Vec<f64>,
}

impl SensAccum {
    /// Empty sums for `inputs` inputs and `responses` responses.
    pub fn new(inputs: usize, responses: usize) -> SensAccum {
        let cells = GROUPS * inputs * DECILES;
        SensAccum {
            inputs,
            responses,
            n: vec![0; cells],
            sums: vec![0.0; cells * responses * 2],
        }
    }

    /// A chunk's sums, as they are (the counts widened, the sums moved, no arithmetic).
    pub fn from_chunk(c: ChunkSens) -> SensAccum {
        SensAccum {
            inputs: c.inputs,
            responses: c.responses,
            n: c.n.into_iter().map(u64::from).collect(),
            sums: c.sums,
        }
    }

    /// Adds the sums of the part of the run that follows (parts are merged in the order of
    /// the engine's reduction tree).
    pub fn merge_right(&mut self, o: &SensAccum) {
        for (a, &b) in self.n.iter_mut().zip(&o.n) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            *a += b;
        }
    }

    fn cell(&self, g: usize, input: usize, d: usize, response: usize) -> Cell {
        let c = (g * self.inputs + input) * DECILES + d;
        let k = 2 * (c * self.responses + response);
        Cell {
            n: self.n[c],
            sum: self.sums[k],
            sum_sq: self.sums[k + 1],
        }
    }

    fn pooled(&self, input: usize, response: usize) -> [Cell; DECILES] {
        let mut out = [Cell::default(); DECILES];
        for g in 0..GROUPS {
            for (d, o) in out.iter_mut().enumerate() {
                let c = self.cell(g, input, d, response);
                o.n += c.n;
                o.sum += c.sum;
                o.sum_sq += c.sum_sq;
            }
        }
        out
    }

    fn group(&self, g: usize, input: usize, response: usize) -> [Cell; DECILES] {
        std::array::from_fn(|d| self.cell(g, input, d, response))
    }
}

/// Joint counts of (gap bin, u bin) per input: integer counts, so any merge order gives the
/// same result (the engine accumulates them per worker).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct JointHist {
    inputs: usize,
    /// [gap bin][input][u bin] (a trial's increments fall in one gap bin's block); empty
    /// until the first trial.
    counts: Vec<u32>,
}

impl JointHist {
    /// Adds one trial: its gap and the [`u_bin`] of each of its inputs.
    #[inline]
    pub fn add(&mut self, gap: f64, bins: &[u8]) {
        if self.counts.is_empty() {
            self.inputs = bins.len();
            self.counts = vec![0; bins.len() * GAP_BINS * U_BINS];
        }
        let gb = gap_bin(gap);
        for (i, &ub) in bins.iter().enumerate() {
            self.counts[(gb * self.inputs + i) * U_BINS + usize::from(ub)] += 1;
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, o: &JointHist) {
        if o.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            *self = o.clone();
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }
}

/// First-order variance share by binning, with the noise correction; 0 for a response that
/// does not vary; `None` if undefined (under two trials, or all in one decile).
fn variance_share(cells: &[Cell; DECILES]) -> Option<f64> {
    let n: u64 = cells.iter().map(|c| c.n).sum();
    let bins = cells.iter().filter(|c| c.n > 0).count();
    if n < 2 || bins < 2 {
        return None;
    }
    let nf = n as f64;
    let sum: f64 = cells.iter().map(|c| c.sum).sum();
    let sum_sq: f64 = cells.iter().map(|c| c.sum_sq).sum();
    let mean = sum / nf;
    let total_var = sum_sq / nf - mean * mean;
    if total_var <= 1e-12 * (mean * mean).max(1e-300) {
        // The response does not vary: no input explains any of it.
        return Some(0.0);
    }
    let mut between = 0.0;
    let mut within = 0.0;
    for c in cells.iter().filter(|c| c.n > 0) {
        let m = c.sum / c.n as f64;
        between += c.n as f64 * (m - mean).powi(2);
        within += c.sum_sq - c.n as f64 * m * m;
    }
    between /= nf;
    let within_var = within / nf;
    let corrected = between - (bins as f64 - 1.0) / nf * within_var;
    Some((corrected / total_var).clamp(0.0, 1.0))
}

/// Sensitivity of one response to one input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputSensitivity {
    /// Input path.
    pub path: String,
    /// E[response | top decile of u] − E[response | bottom decile], $B.
    pub swing: f64,
    /// E[response | bottom decile of u], $B.
    pub low_decile_mean: f64,
    /// E[response | top decile of u], $B.
    pub high_decile_mean: f64,
    /// E[response | decile d of u], d = 1 … 10, $B; a decile with no trial (runs of under
    /// 10 trials) shows the overall mean, the estimate with no evidence of an effect.
    pub decile_means: Vec<f64>,
    /// First-order variance share (binning estimate of the Sobol index), in [0, 1].
    pub variance_share: f64,
    /// Its Monte Carlo standard error (from independent groups of trials); `None` when fewer
    /// than two groups have a defined share (runs of a few dozen trials or fewer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_share_se: Option<f64>,
    /// Median u of the input among the worst 10 % of trials (horizon gap only).
    pub worst_decile_median_u: Option<f64>,
}

/// Computes per-input sensitivities of response `response` of `acc`, sorted by |swing|,
/// largest first; the worst-decile median u only when `joint` is given (the horizon gap).
pub fn summarize(
    acc: &SensAccum,
    response: usize,
    joint: Option<&JointHist>,
    paths: &[String],
    sketch: &Sketch,
) -> Vec<InputSensitivity> {
    let threshold = sketch.quantile(0.9);
    let mut out: Vec<InputSensitivity> = paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let cells = acc.pooled(i, response);
            let n: u64 = cells.iter().map(|c| c.n).sum();
            let overall = if n == 0 {
                0.0
            } else {
                cells.iter().map(|c| c.sum).sum::<f64>() / n as f64
            };
            let decile_means: Vec<f64> = cells
                .iter()
                .map(|c| {
                    if c.n == 0 {
                        overall
                    } else {
                        c.sum / c.n as f64
                    }
                })
                .collect();
            let first = decile_means[0];
            let last = decile_means[DECILES - 1];
            let shares: Vec<f64> = (0..GROUPS)
                .filter_map(|g| variance_share(&acc.group(g, i, response)))
                .collect();
            let se = (shares.len() >= 2).then(|| {
                let m = shares.iter().sum::<f64>() / shares.len() as f64;
                let var =
                    shares.iter().map(|s| (s - m).powi(2)).sum::<f64>() / (shares.len() - 1) as f64;
                (var / shares.len() as f64).sqrt()
            });
            InputSensitivity {
                path: path.clone(),
                swing: last - first,
                low_decile_mean: first,
                high_decile_mean: last,
                decile_means,
                variance_share: variance_share(&cells).unwrap_or(0.0),
                variance_share_se: se,
                worst_decile_median_u: joint.and_then(|j| worst_median_u(j, i, threshold)),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.swing
            .abs()
            .total_cmp(&a.swing.abs())
            .then_with(|| a.path.cmp(&b.path))
    });
    out
}

/// Median u of input `i` among trials whose response is above `threshold` (the bin that holds
/// the threshold counts in proportion to the part of it above).
fn worst_median_u(joint: &JointHist, i: usize, threshold: f64) -> Option<f64> {
    if joint.counts.is_empty() {
        return None;
    }
    let tb = gap_bin(threshold);
    let mut hist = [0.0f64; U_BINS];
    for gb in tb..GAP_BINS {
        let weight = if gb == tb {
            if gb == 0 {
                // The threshold is 0: the worst 10 % are trials with any gap... or ties at 0.
                0.0
            } else {
                let (lo, hi) = (gap_bin_low(gb), gap_bin_low(gb + 1));
                ((hi - threshold) / (hi - lo)).clamp(0.0, 1.0)
            }
        } else {
            1.0
        };
        if weight == 0.0 {
            continue;
        }
        for (ub, h) in hist.iter_mut().enumerate() {
            *h += weight * joint.counts[(gb * joint.inputs + i) * U_BINS + ub] as f64;
        }
    }
    let total: f64 = hist.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut seen = 0.0;
    for (ub, &h) in hist.iter().enumerate() {
        if seen + h >= total / 2.0 {
            let frac = if h > 0.0 {
                (total / 2.0 - seen) / h
            } else {
                0.5
            };
            return Some((ub as f64 + frac) / U_BINS as f64);
        }
        seen += h;
    }
    Some(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_bins_are_the_bins_of_phi_of_z() {
        use crate::dist::normal_cdf;
        let edges = z_bin_edges();
        let direct = |z: f64| u_bin(normal_cdf(z));
        // At each edge and its neighbouring doubles, the bin changes exactly there.
        for (e, &t) in edges.iter().enumerate() {
            let below = t.next_down();
            assert_eq!(direct(t), e as u8 + 1, "edge {e} at {t}");
            assert_eq!(direct(below), e as u8, "just below edge {e}");
            assert_eq!(z_bin(t, edges), e as u8 + 1);
            assert_eq!(z_bin(below, edges), e as u8);
        }
        // A sweep across the whole range, including the tails and the infinities.
        let mut z = -9.0;
        while z < 9.0 {
            assert_eq!(z_bin(z, edges), direct(z), "z = {z}");
            z += 1.0 / 4096.0 + 1e-9;
        }
        for z in [f64::NEG_INFINITY, -40.0, 0.0, -0.0, 40.0, f64::INFINITY] {
            assert_eq!(z_bin(z, edges), direct(z), "z = {z}");
        }
    }

    #[test]
    fn gap_bins_are_monotone_and_cover_the_range() {
        assert_eq!(gap_bin(0.0), 0);
        assert!(gap_bin(1.0) < gap_bin(1.2));
        assert!(gap_bin(1e9) == GAP_BINS - 1);
        let b = gap_bin(300.0);
        assert!(gap_bin_low(b) <= 300.0 && gap_bin_low(b + 1) > 300.0);
    }

    #[test]
    fn variance_share_of_a_pure_function_of_u_is_near_one() {
        let mut acc = SensAccum::new(2, 1);
        let mut joint = JointHist::default();
        let mut sk = Sketch::default();
        for chunk in 0..100u64 {
            let mut c = ChunkSens::new(2, 1);
            for t in chunk * 1000..(chunk + 1) * 1000 {
                let u0 = ((t * 7919) % 100_000) as f64 / 100_000.0 + 5e-6;
                let u1 = ((t * 104_729) % 100_000) as f64 / 100_000.0 + 5e-6;
                let bins = [u_bin(u0), u_bin(u1)];
                c.add(t, &[u0], &bins);
                joint.add(u0, &bins);
                sk.add(u0);
            }
            acc.merge_right(&SensAccum::from_chunk(c));
        }
        let s = summarize(&acc, 0, Some(&joint), &["a".into(), "b".into()], &sk);
        assert_eq!(s[0].path, "a");
        // Binning into deciles keeps 1 − 1/k² = 99 % of a linear effect's variance.
        assert!((s[0].variance_share - 0.99).abs() < 0.01, "{:?}", s[0]);
        assert!(s[1].variance_share < 0.01, "{:?}", s[1]);
        assert!((s[0].swing - 0.9).abs() < 0.01);
        // The worst 10 % are u0 > 0.9: median u0 there is 0.95; u1 has no pull.
        assert!(
            (s[0].worst_decile_median_u.unwrap_or(0.0) - 0.95).abs() < 0.01,
            "{:?}",
            s[0]
        );
        assert!(
            (s[1].worst_decile_median_u.unwrap_or(0.0) - 0.5).abs() < 0.03,
            "{:?}",
            s[1]
        );
        assert!(s[0].variance_share_se.is_some_and(|se| se < 0.01));
    }
}
