//! Point sets for the uncertain inputs: plain Monte Carlo, Latin hypercube, or randomized
//! quasi-Monte Carlo (scrambled Sobol' points), in R independent randomizations.
//!
//! Trial i of a run belongs to replicate r = i mod R and is point k = i div R of that
//! replicate's point set, so any trial is computable alone from (seed, i) and the plan, any
//! prefix of R·k trials holds k points of every replicate, and with RQMC a longer run extends a
//! shorter one (the first 2^m points of a Sobol' sequence are a (t, m, s)-net; a Latin
//! hypercube's strata depend on the run's trials).
//!
//! - **Sobol'** (`rqmc`): Joe and Kuo's direction numbers (`new-joe-kuo-6`, from the `sobol`
//!   crate's table), 32 digits, in natural order (point k is the XOR of the direction numbers
//!   of k's set bits). Each replicate scrambles each dimension with Matoušek's random linear
//!   scramble (a random lower-triangular binary matrix with a unit diagonal, applied to the
//!   direction numbers once per run) and a random digital shift; the digits past the 32nd are
//!   uniform. Owen (2003, "Variance with alternative scramblings of digital nets") shows this
//!   scramble has the same variance as his nested uniform scramble; it is the one SciPy's
//!   `qmc.Sobol(scramble=True)` uses. Every point is uniform on the unit cube, so every
//!   estimator of a mean is unbiased.
//! - **Latin hypercube** (`lhs`): replicate r's n points put one point in each of n strata
//!   [j/n, (j+1)/n) of every dimension, j = π(k) for a random permutation π per (replicate,
//!   dimension) computed pointwise (a keyed Feistel network with cycle walking), uniform inside
//!   the stratum. Its variance is at most n/(n−1) times plain Monte Carlo's (Owen 1997).
//!
//! The per-step revenue shocks of a segment are a random walk; with a point set its first
//! [`BRIDGE_LEVELS`] normals build the walk by a Brownian bridge (the end point first, then the
//! midpoints, coarse to fine), so the point set's first coordinates fix the walk's large
//! moves, and the finer ones come from the segment's own stream ([`Bridge`]). An event's first
//! arrival is a coordinate too. The walk's increments are still independent standard normals:
//! only how they are generated changes.
//!
//! Everything here is a pure function of the seed; no I/O.

use std::fmt;

use rand::Rng;

use crate::rng::{key_of, stream, uniform};

/// How the uncertain inputs are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Independent uniforms per trial (the counter-based streams of [`crate::rng`]).
    #[default]
    Mc,
    /// Latin hypercube, per replicate.
    Lhs,
    /// Randomized quasi-Monte Carlo: scrambled Sobol' points, per replicate.
    Rqmc,
}

impl Method {
    /// The name on the command line and in summary.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Mc => "mc",
            Method::Lhs => "lhs",
            Method::Rqmc => "rqmc",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Normals of each segment's shock walk that come from the point set (the bridge's first
/// nodes: the end, the middle, the quarters, …).
pub const BRIDGE_LEVELS: usize = 16;

/// Most replicates a run may have (each keeps its own sums and quantile sketches).
pub const MAX_REPLICATES: u64 = 1024;

/// Digits of a Sobol' coordinate.
const BITS: usize = 32;
/// Salt that keeps the scrambles' streams apart from the trials' own streams.
const SCRAMBLE_SALT: u64 = 0x5142_4d43_5343_524d;
/// Salt of the uniforms below a point's 32nd digit (or inside a Latin hypercube stratum).
const JITTER_SALT: u64 = 0x4a49_5454_4552_2121;

/// The direction numbers V_1 … V_32 of Sobol' dimension `d` (0-based; dimension 0 is the van
/// der Corput sequence), as 32-bit fractions: V_k = m_k / 2^k. For k > s (the degree of the
/// dimension's primitive polynomial x^s + a_1 x^(s−1) + … + a_(s−1) x + 1),
/// V_k = V_(k−s) ⊕ (V_(k−s) >> s) ⊕ a_1 V_(k−1) ⊕ … ⊕ a_(s−1) V_(k−s+1) (Bratley and Fox 1988;
/// Joe and Kuo 2008).
fn direction_numbers(d: usize, table: &sobol::params::JoeKuoD6) -> Option<[u32; BITS]> {
    let mut v = [0u32; BITS];
    if d == 0 {
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1 << (BITS - 1 - k);
        }
        return Some(v);
    }
    let p = table.dim_params.get(d - 1)?;
    let s = p.m.len();
    for k in 0..BITS {
        v[k] = if k < s {
            p.m[k] << (BITS - 1 - k)
        } else {
            let mut x = v[k - s] ^ (v[k - s] >> s);
            for j in 1..s {
                if (p.a >> (s - 1 - j)) & 1 == 1 {
                    x ^= v[k - j];
                }
            }
            x
        };
    }
    Some(v)
}

/// `l · x` over GF(2), digits most significant first: output digit k is the parity of
/// `rows[k] & x` (row k has its diagonal bit and random bits for the digits before it).
fn apply_lower(rows: &[u32; BITS], x: u32) -> u32 {
    rows.iter().enumerate().fold(0, |y, (k, &row)| {
        y | (((row & x).count_ones() & 1) << (BITS - 1 - k))
    })
}

/// The sampling plan of a run: the method, the replicates, and what each needs precomputed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The method.
    pub method: Method,
    /// Independent randomizations (1 for plain Monte Carlo).
    pub replicates: u64,
    /// Points per replicate of a Latin hypercube (its strata); 0 otherwise.
    lhs_points: u64,
    /// Dimensions with a point set (the rest, beyond the Sobol' table, draw plain uniforms).
    dims: usize,
    /// Per (replicate, dimension): the scrambled direction numbers, then the digital shift
    /// (`rqmc`), or the Feistel keys (`lhs`); `BITS + 1` words each.
    words: Vec<u32>,
    /// The stream key of each dimension (its input's path), for the uniforms below a point's
    /// 32nd digit.
    keys: Vec<u64>,
    /// The Brownian bridge of the segments' shock walks.
    pub bridge: Bridge,
    /// The dimension of segment 0's first bridge node; segment i's node l is dimension
    /// `shock_dim + l·segments + i`.
    pub shock_dim: usize,
    /// Revenue segments (each has bridge dimensions).
    pub segments: usize,
    /// The dimension of event 0's first arrival.
    pub event_dim: usize,
}

/// A Brownian bridge over `steps` unit steps: the order in which W_1 … W_steps are built and
/// the weights of each, W_m = c_a·W_a + c_b·W_b + σ·Z (W_0 = 0; the first node is
/// W_steps = √steps·Z). Its increments W_k − W_(k−1) are independent standard normals for
/// independent standard normal Z (Glasserman 2003, §3.1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bridge {
    /// (m, a, b, c_a, c_b, σ) in build order; a = 0 stands for W_0 = 0.
    nodes: Vec<(usize, usize, usize, f64, f64, f64)>,
}

impl Bridge {
    /// The bridge of `steps` steps (none for 0).
    pub fn new(steps: usize) -> Bridge {
        let mut nodes = Vec::with_capacity(steps);
        if steps == 0 {
            return Bridge { nodes };
        }
        nodes.push((steps, 0, 0, 0.0, 0.0, (steps as f64).sqrt()));
        let mut queue = std::collections::VecDeque::from([(0usize, steps)]);
        while let Some((a, b)) = queue.pop_front() {
            if b - a < 2 {
                continue;
            }
            let m = a + (b - a) / 2;
            let (fa, fb, len) = ((b - m) as f64, (m - a) as f64, (b - a) as f64);
            nodes.push((m, a, b, fa / len, fb / len, (fa * fb / len).sqrt()));
            queue.push_back((a, m));
            queue.push_back((m, b));
        }
        Bridge { nodes }
    }

    /// Steps of the walk.
    pub fn steps(&self) -> usize {
        self.nodes.first().map_or(0, |n| n.0)
    }

    /// Turns `z` (the bridge's normals in build order, `steps` of them) into the walk's
    /// increments, in place; `w` (at least `steps` long) is working memory.
    pub fn increments(&self, z: &mut [f64], w: &mut [f64]) {
        let n = self.steps();
        if n == 0 || z.len() < n || w.len() < n {
            return;
        }
        // W_1 … W_n (w[k − 1] = W_k).
        let at = |w: &[f64], k: usize| if k == 0 { 0.0 } else { w[k - 1] };
        for (&(m, a, b, ca, cb, sd), &zq) in self.nodes.iter().zip(z.iter()) {
            w[m - 1] = ca * at(w, a) + cb * at(w, b) + sd * zq;
        }
        diff(z, w);
    }
}

/// Increments of the walk `w` (W_1 … W_n) into `z`.
fn diff(z: &mut [f64], w: &[f64]) {
    let mut prev = 0.0;
    for (o, &wk) in z.iter_mut().zip(w) {
        *o = wk - prev;
        prev = wk;
    }
}

/// What is wrong with a sampling plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Fewer than two replicates with LHS or RQMC.
    #[error(
        "--replicates {0}: {1} needs at least 2 independent randomizations to estimate its error (16 is the default)"
    )]
    TooFewReplicates(u64, Method),
    /// More replicates than the run keeps sums for.
    #[error(
        "--replicates {0} is more than {MAX_REPLICATES}: each replicate keeps its own sums and sketches (16 to 64 are plenty for the errors)"
    )]
    TooManyReplicates(u64),
    /// More replicates than trials.
    #[error(
        "--replicates {replicates} is more than the {trials} trials: each replicate needs at least one"
    )]
    MoreReplicatesThanTrials {
        /// Replicates asked for.
        replicates: u64,
        /// Trials of the run.
        trials: u64,
    },
}

impl Plan {
    /// Plain Monte Carlo: every trial draws its own uniforms.
    pub fn mc() -> Plan {
        Plan {
            method: Method::Mc,
            replicates: 1,
            ..Plan::default()
        }
    }

    /// The plan for a run of `trials` trials with `seed` over the dimensions `dims`. Plain
    /// Monte Carlo ignores `replicates`.
    ///
    /// # Errors
    /// [`PlanError`] for fewer than 2 replicates, or more replicates than trials, with LHS or
    /// RQMC.
    pub fn new(
        method: Method,
        replicates: u64,
        trials: u64,
        seed: u64,
        dims: &Dims,
    ) -> Result<Plan, PlanError> {
        Plan::check(method, replicates, trials)?;
        if method == Method::Mc {
            return Ok(Plan::mc());
        }
        let (dims_steps, dims_segments) = (dims.steps, dims.segments.len());
        let levels = BRIDGE_LEVELS.min(dims.steps);
        let mut keys: Vec<u64> = dims.inputs.to_vec();
        let shock_dim = keys.len();
        for l in 0..levels {
            for &k in dims.segments {
                keys.push(key_of(&format!("{k:016x}/bridge/{l}")));
            }
        }
        let event_dim = keys.len();
        for &k in dims.events {
            keys.push(key_of(&format!("{k:016x}/arrival")));
        }
        let keys = &keys[..];
        let table = sobol::params::JoeKuoD6::standard();
        let dims = match method {
            Method::Rqmc => keys.len().min(table.dim_params.len() + 1),
            _ => keys.len(),
        };
        let mut words = Vec::with_capacity(replicates as usize * dims * (BITS + 1));
        for r in 0..replicates {
            for (d, &key) in keys.iter().take(dims).enumerate() {
                let mut rng = stream(seed ^ SCRAMBLE_SALT, r, key);
                match method {
                    Method::Rqmc => {
                        let v = direction_numbers(d, &table).unwrap_or([0; BITS]);
                        let mut rows = [0u32; BITS];
                        for (k, row) in rows.iter_mut().enumerate() {
                            let diag = 1u32 << (BITS - 1 - k);
                            // Random bits for the digits before k, none after.
                            let above = !((diag << 1).wrapping_sub(1)) & !diag;
                            let above = if k == 0 { 0 } else { above };
                            *row = diag | (rng.next_u32() & above);
                        }
                        words.extend(v.iter().map(|&vk| apply_lower(&rows, vk)));
                        words.push(rng.next_u32());
                    }
                    _ => {
                        words.extend((0..=BITS).map(|_| rng.next_u32()));
                    }
                }
            }
        }
        Ok(Plan {
            method,
            replicates,
            lhs_points: if method == Method::Lhs {
                trials.div_ceil(replicates)
            } else {
                0
            },
            dims,
            words,
            keys: keys.to_vec(),
            bridge: Bridge::new(dims_steps),
            shock_dim,
            segments: dims_segments,
            event_dim,
        })
    }

    /// Whether a plan of `method` with `replicates` can be made for a run of `trials` trials,
    /// without making it.
    ///
    /// # Errors
    /// As [`Plan::new`].
    pub fn check(method: Method, replicates: u64, trials: u64) -> Result<(), PlanError> {
        if method == Method::Mc {
            return Ok(());
        }
        if replicates < 2 {
            return Err(PlanError::TooFewReplicates(replicates, method));
        }
        if replicates > MAX_REPLICATES {
            return Err(PlanError::TooManyReplicates(replicates));
        }
        if replicates > trials {
            return Err(PlanError::MoreReplicatesThanTrials { replicates, trials });
        }
        Ok(())
    }

    /// Whether the inputs come from a point set (LHS or RQMC).
    pub fn is_structured(&self) -> bool {
        self.method != Method::Mc
    }

    /// The replicate of trial `trial`.
    #[inline]
    pub fn replicate(&self, trial: u64) -> usize {
        (trial % self.replicates.max(1)) as usize
    }

    /// Coordinate `d` of trial `trial`'s point in (0, 1), for a run with `seed` (LHS or RQMC;
    /// plain Monte Carlo's inputs draw from [`crate::rng::uniform`] instead).
    #[inline]
    pub fn coordinate(&self, seed: u64, trial: u64, d: usize) -> f64 {
        let key = self.keys.get(d).copied().unwrap_or(0);
        let jitter = uniform(seed ^ JITTER_SALT, trial, key);
        if d >= self.dims {
            return jitter;
        }
        let r = trial % self.replicates;
        let k = trial / self.replicates;
        let at = (r as usize * self.dims + d) * (BITS + 1);
        let w = &self.words[at..at + BITS + 1];
        match self.method {
            Method::Rqmc => {
                let mut x = w[BITS];
                let mut bits = k;
                let mut j = 0;
                while bits != 0 && j < BITS {
                    if bits & 1 == 1 {
                        x ^= w[j];
                    }
                    bits >>= 1;
                    j += 1;
                }
                open_unit((f64::from(x) + jitter) * (1.0 / 4_294_967_296.0))
            }
            _ => {
                let n = self.lhs_points;
                let stratum = permute(k % n, n, &w[..8]);
                open_unit((stratum as f64 + jitter) / n as f64)
            }
        }
    }
}

/// The dimensions of a point: the uncertain inputs, the segments' shock walks over `steps`
/// steps, the events' first arrivals (each named by its stream key).
#[derive(Debug, Clone, Copy)]
pub struct Dims<'a> {
    /// Stream keys of the uncertain inputs, in the model's order.
    pub inputs: &'a [u64],
    /// Stream keys of the revenue segments (each gets bridge dimensions; a segment without
    /// shocks leaves them unused).
    pub segments: &'a [u64],
    /// Stream keys of the events.
    pub events: &'a [u64],
    /// Steps of a shock walk.
    pub steps: usize,
}

impl Plan {
    /// Whether segment `i`'s shock walk draws from the point set.
    pub fn bridges(&self, i: usize) -> bool {
        self.is_structured() && i < self.segments && self.bridge.steps() > 0
    }

    /// Segment `i`'s shock walk for trial `trial`: its normals in bridge order, the first
    /// [`BRIDGE_LEVELS`] from the point set and the rest from `rest`, turned into the walk's
    /// increments, into `out[..steps]`.
    pub fn shock_walk(
        &self,
        seed: u64,
        trial: u64,
        i: usize,
        out: &mut [f64],
        work: &mut [f64],
        mut rest: impl FnMut() -> f64,
    ) {
        let steps = self.bridge.steps().min(out.len());
        let levels = BRIDGE_LEVELS.min(steps);
        for (l, z) in out[..steps].iter_mut().enumerate() {
            *z = if l < levels {
                crate::dist::normal_quantile_fast(self.coordinate(
                    seed,
                    trial,
                    self.shock_dim + l * self.segments + i,
                ))
            } else {
                rest()
            };
        }
        self.bridge.increments(&mut out[..steps], work);
    }

    /// Event `e`'s first arrival as a standard exponential, −ln(1 − u).
    pub fn first_arrival(&self, seed: u64, trial: u64, e: usize) -> f64 {
        -(1.0 - self.coordinate(seed, trial, self.event_dim + e)).ln()
    }
}

/// `u` kept inside (0, 1): the sum of a coordinate's digits and its jitter can round to 1.0
/// (with probability about 2⁻⁵³), where Φ⁻¹ would be infinite.
#[inline]
fn open_unit(u: f64) -> f64 {
    u.clamp(f64::EPSILON / 2.0, 1.0 - f64::EPSILON / 2.0)
}

/// π(i) for a pseudo-random permutation π of [0, n) keyed by `keys`: a four-round Feistel
/// network on the smallest even number of bits that holds n, walked until it lands inside.
fn permute(i: u64, n: u64, keys: &[u32]) -> u64 {
    let bits = (64 - (n.max(2) - 1).leading_zeros()).div_ceil(2) * 2;
    let half = bits / 2;
    let mask = (1u64 << half) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..4 {
            let k = u64::from(keys[2 * round]) << 32 | u64::from(keys[2 * round + 1]);
            let f = mix(r ^ k) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        if x < n {
            return x;
        }
    }
}

/// A 64-bit mix with full avalanche (SplitMix64's finalizer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream keys of named dimensions.
    fn keys_of(names: &[&str]) -> Vec<u64> {
        names.iter().map(|n| key_of(n)).collect()
    }

    fn plan(method: Method, r: u64, n: u64, count: usize) -> Plan {
        let names: Vec<String> = (0..count).map(|d| format!("x{d}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let k = keys_of(&names);
        Plan::new(method, r, n, 7, &dims(&k)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn dims(k: &[u64]) -> Dims<'_> {
        Dims {
            inputs: k,
            segments: &[],
            events: &[],
            steps: 0,
        }
    }

    #[test]
    fn bridge_increments_are_independent_standard_normals() {
        // Known answer: the bridge is linear, so increments = B·z; B·Bᵀ must be the identity
        // (independent unit-variance increments). Column j of B is the increments of e_j.
        for steps in [1usize, 2, 3, 7, 8, 31, 40] {
            let b = Bridge::new(steps);
            let cols: Vec<Vec<f64>> = (0..steps)
                .map(|j| {
                    let mut z = vec![0.0; steps];
                    z[j] = 1.0;
                    b.increments(&mut z, &mut vec![0.0; steps]);
                    z
                })
                .collect();
            for r1 in 0..steps {
                for r2 in 0..steps {
                    let dot: f64 = cols.iter().map(|c| c[r1] * c[r2]).sum();
                    let want = if r1 == r2 { 1.0 } else { 0.0 };
                    assert!(
                        (dot - want).abs() < 1e-12,
                        "steps {steps}: ({r1}, {r2}) {dot}"
                    );
                }
            }
            // The first normal alone sets the end point: W_steps = √steps·z_0.
            let end: f64 = cols[0].iter().sum();
            assert!((end - (steps as f64).sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn sobol_prefixes_are_stratified_in_every_dimension() {
        // The first 2^m points of each replicate put exactly one point in each interval
        // [j/2^m, (j+1)/2^m) of every coordinate: scrambling keeps the net property.
        let (r, m, dims) = (4u64, 10u32, 40usize);
        let p = plan(Method::Rqmc, r, r << m, dims);
        for rep in 0..r {
            for d in 0..dims {
                let mut seen = vec![false; 1 << m];
                for k in 0..1u64 << m {
                    let u = p.coordinate(7, k * r + rep, d);
                    assert!(u > 0.0 && u < 1.0);
                    let cell = (u * f64::from(1u32 << m)) as usize;
                    assert!(
                        !seen[cell],
                        "replicate {rep}, dimension {d}: cell {cell} twice"
                    );
                    seen[cell] = true;
                }
            }
        }
    }

    #[test]
    fn sobol_points_are_the_crate_sequence_unscrambled() {
        // Unscrambled (identity matrix, no shift), the first 2^8 points of each of the first
        // dimensions are the set the `sobol` crate generates (in Gray-code order).
        let table = sobol::params::JoeKuoD6::standard();
        let seq = sobol::Sobol::<u32>::new(12, &table);
        let theirs: Vec<Vec<u32>> = seq.take(256).collect();
        for d in 0..12 {
            let v = direction_numbers(d, &table).unwrap_or_else(|| panic!("dimension {d}"));
            let mut ours: Vec<u32> = (0u32..256)
                .map(|k| (0..8).filter(|j| k >> j & 1 == 1).fold(0, |x, j| x ^ v[j]))
                .collect();
            let mut t: Vec<u32> = theirs.iter().map(|p| p[d]).collect();
            ours.sort_unstable();
            t.sort_unstable();
            assert_eq!(ours, t, "dimension {d}");
        }
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        for n in [1u64, 2, 3, 10, 97, 1000, 1024] {
            let p = plan(Method::Lhs, 3, 3 * n, 5);
            for rep in 0..3 {
                for d in 0..5 {
                    let mut seen = vec![false; n as usize];
                    for k in 0..n {
                        let u = p.coordinate(7, k * 3 + rep, d);
                        assert!(u > 0.0 && u < 1.0);
                        let cell = (u * n as f64) as usize;
                        assert!(!seen[cell]);
                        seen[cell] = true;
                    }
                }
            }
        }
    }

    #[test]
    fn replicates_are_different_randomizations() {
        let p = plan(Method::Rqmc, 2, 64, 3);
        assert_ne!(p.coordinate(7, 0, 0), p.coordinate(7, 1, 0));
        let k = keys_of(&["x0", "x1", "x2"]);
        let q = Plan::new(Method::Rqmc, 2, 64, 8, &dims(&k)).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(p.coordinate(7, 0, 0), q.coordinate(8, 0, 0));
    }

    #[test]
    fn plans_refuse_too_few_replicates() {
        let k = keys_of(&["a"]);
        let k = dims(&k);
        assert!(matches!(
            Plan::new(Method::Rqmc, 1, 100, 1, &k),
            Err(PlanError::TooFewReplicates(1, Method::Rqmc))
        ));
        assert!(Plan::new(Method::Lhs, 200, 100, 1, &k).is_err());
        assert!(matches!(Plan::new(Method::Mc, 0, 100, 1, &k), Ok(p) if p.replicates == 1));
    }
}
