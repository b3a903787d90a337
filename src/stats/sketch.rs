//! A mergeable quantile sketch whose memory does not grow with the number of trials.
//!
//! [`Sketch`] is a log-bucketed histogram (HdrHistogram/DDSketch-style) over the bits of the
//! f64: a bucket per 2^-10 of each binade, relative error ≤ 2^-11 ≈ 0.05 % (docs/model.md
//! asks for ≤ 0.5 %). Counts are integers, so merging is exact and order-independent. Exact
//! minimum and maximum clamp every answer, so a constant sample is reported exactly.

use super::moments::Z_95;

/// Sub-bucket bits per binade for the main results: 2^10 buckets between consecutive
/// powers of two (relative error ≤ 2^-11 ≈ 0.05 %).
pub const FINE_BITS: u32 = 10;
/// Sub-bucket bits for secondary results that report p5/p50/p95 only: 2^7 buckets per binade
/// (relative error ≤ 0.4 %, within docs/model.md's 0.5 %), 8× less memory and cache traffic.
pub const COARSE_BITS: u32 = 7;
/// Magnitudes below this count as zero (a millionth of a dollar, in $B).
const TINY: f64 = 1e-15;

/// Counts by bucket over a window of bucket keys that grows as needed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Store {
    offset: i64,
    counts: Vec<u64>,
}

impl Store {
    #[inline]
    fn add(&mut self, key: i64, c: u64) {
        // The common case: the key is inside the window (a negative index wraps to a huge
        // one and takes the slow path).
        let idx = key.wrapping_sub(self.offset) as u64;
        if let Some(slot) = usize::try_from(idx)
            .ok()
            .and_then(|i| self.counts.get_mut(i))
        {
            *slot += c;
        } else {
            self.grow_and_add(key, c);
        }
    }

    /// Widens the window to hold `key`, then adds.
    #[cold]
    fn grow_and_add(&mut self, key: i64, c: u64) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(0);
        }
        if key < self.offset {
            let grow = (self.offset - key) as usize;
            let grow = grow.max(self.counts.len() / 2).max(64);
            let mut v = vec![0; grow + self.counts.len()];
            v[grow..].copy_from_slice(&self.counts);
            self.counts = v;
            self.offset -= grow as i64;
        }
        let idx = (key - self.offset) as usize;
        if idx >= self.counts.len() {
            let need = idx + 1;
            let new_len = need.max(self.counts.len() + self.counts.len() / 2).max(64);
            self.counts.resize(new_len, 0);
        }
        self.counts[idx] += c;
    }

    fn merge(&mut self, o: &Store) {
        for (i, &c) in o.counts.iter().enumerate() {
            if c > 0 {
                self.add(o.offset + i as i64, c);
            }
        }
    }
}

/// A mergeable quantile sketch for finite values of either sign.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    shift: u32,
    neg: Store,
    zeros: u64,
    pos: Store,
    count: u64,
    min: f64,
    max: f64,
    /// Largest bucket relative error.
    pub relative_accuracy: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::with_bits(FINE_BITS)
    }
}

impl Sketch {
    /// An empty sketch with 2^`bits` buckets per binade (relative error ≤ 2^-(bits+1)).
    pub fn with_bits(bits: u32) -> Sketch {
        Sketch {
            shift: 52 - bits,
            neg: Store::default(),
            zeros: 0,
            pos: Store::default(),
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            relative_accuracy: 1.0 / (1u64 << (bits + 1)) as f64,
        }
    }

    #[inline]
    fn key_of(&self, magnitude: f64) -> i64 {
        (magnitude.to_bits() >> self.shift) as i64
    }

    /// Adds one value. Non-finite values are ignored (the engine never produces them).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.count += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x.abs() < TINY {
            self.zeros += 1;
        } else if x > 0.0 {
            let k = self.key_of(x);
            self.pos.add(k, 1);
        } else {
            let k = self.key_of(-x);
            self.neg.add(k, 1);
        }
    }

    /// Merges another sketch; exact, and the result does not depend on merge order.
    pub fn merge(&mut self, o: &Sketch) {
        self.count += o.count;
        self.zeros += o.zeros;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.neg.merge(&o.neg);
        self.pos.merge(&o.pos);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of values counted as zero.
    pub fn zero_count(&self) -> u64 {
        self.zeros
    }

    /// Smallest value (exact).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest value (exact).
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Buckets in ascending value order: (low edge, high edge, count).
    fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let shift = self.shift;
        let edges = move |key: i64| {
            (
                f64::from_bits((key as u64) << shift),
                f64::from_bits(((key + 1) as u64) << shift),
            )
        };
        let neg = self
            .neg
            .counts
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, &c)| {
                let (lo, hi) = edges(self.neg.offset + i as i64);
                (-hi, -lo, c)
            });
        let zero = (self.zeros > 0).then_some((0.0, 0.0, self.zeros));
        let pos = self
            .pos
            .counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, &c)| {
                let (lo, hi) = edges(self.pos.offset + i as i64);
                (lo, hi, c)
            });
        neg.chain(zero).chain(pos)
    }

    /// The value of the order statistic of 0-based rank `r`: within its bucket, the values are
    /// taken as evenly spread (the j-th of c at (j + ½)/c of the way across), then clamped to
    /// the exact [min, max].
    pub fn rank_value(&self, r: u64) -> f64 {
        let mut seen = 0;
        for (lo, hi, c) in self.buckets() {
            if r < seen + c {
                let frac = ((r - seen) as f64 + 0.5) / c as f64;
                return (lo + frac * (hi - lo)).clamp(self.min, self.max);
            }
            seen += c;
        }
        self.max
    }

    /// Quantile `p` by linear interpolation between order statistics (Hyndman–Fan type 7,
    /// numpy's default), each order statistic read to within the sketch's relative accuracy.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let h = (self.count - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let a = self.rank_value(lo);
        if h == lo as f64 {
            return a;
        }
        let b = self.rank_value(lo + 1);
        a + (h - lo as f64) * (b - a)
    }

    /// Share of values strictly greater than `x`, reading values as evenly spread inside each
    /// bucket (so the curve is continuous rather than stepped at bucket edges).
    pub fn share_above(&self, x: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        if x < self.min {
            return 1.0;
        }
        if x >= self.max {
            return 0.0;
        }
        let mut above = 0.0;
        for (lo, hi, c) in self.buckets() {
            if lo > x {
                above += c as f64;
            } else if hi > x && hi > lo {
                above += c as f64 * (hi - x) / (hi - lo);
            } else if lo == hi && lo > x {
                above += c as f64;
            }
        }
        (above / self.count as f64).clamp(0.0, 1.0)
    }

    /// Counts of values in each bin `[edges[i], edges[i+1])` (the last bin closed), with each
    /// bucket's count spread evenly over its width.
    pub fn histogram(&self, edges: &[f64]) -> Vec<f64> {
        let mut counts = vec![0.0; edges.len().saturating_sub(1)];
        if counts.is_empty() {
            return counts;
        }
        for (lo, hi, c) in self.buckets() {
            let (lo, hi) = (lo.max(self.min), hi.min(self.max));
            if hi <= lo {
                // A point mass (zeros, or a bucket squeezed to one value by min/max).
                let i = edges
                    .partition_point(|&e| e <= lo)
                    .saturating_sub(1)
                    .min(counts.len() - 1);
                if lo >= edges[0] && lo <= edges[edges.len() - 1] {
                    counts[i] += c as f64;
                }
                continue;
            }
            for i in 0..counts.len() {
                let overlap = hi.min(edges[i + 1]) - lo.max(edges[i]);
                if overlap > 0.0 {
                    counts[i] += c as f64 * overlap / (hi - lo);
                }
            }
        }
        counts
    }

    /// A distribution-free 95 % interval for quantile `p`: the order statistics at ranks
    /// n·p ∓ 1.96·√(n·p(1−p)) (normal approximation to the binomial).
    pub fn quantile_ci(&self, p: f64) -> (f64, f64) {
        if self.count == 0 {
            return (f64::NAN, f64::NAN);
        }
        let n = self.count as f64;
        let half = Z_95 * (n * p * (1.0 - p)).sqrt();
        let lo = (n * p - half).floor().clamp(0.0, n - 1.0) as u64;
        let hi = (n * p + half).ceil().clamp(0.0, n - 1.0) as u64;
        (self.rank_value(lo), self.rank_value(hi))
    }

    /// Mean of the largest `share` of the values (the expected value in the worst tail).
    pub fn upper_tail_mean(&self, share: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let want = (self.count as f64 * share).max(1.0);
        let mut left = want;
        let mut sum = 0.0;
        let all: Vec<(f64, f64, u64)> = self.buckets().collect();
        for &(lo, hi, c) in all.iter().rev() {
            let take = (c as f64).min(left);
            sum += take * (0.5 * (lo + hi)).clamp(self.min, self.max);
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        sum / want
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_quantiles_are_within_relative_accuracy() {
        let mut s = Sketch::default();
        let mut xs: Vec<f64> = (1..=10_001)
            .map(|i| (i as f64 * 0.731).sin() * 1000.0)
            .collect();
        for &x in &xs {
            s.add(x);
        }
        xs.sort_by(f64::total_cmp);
        for &p in &[0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            let h = (xs.len() - 1) as f64 * p;
            let lo = h.floor() as usize;
            let exact = xs[lo] + (h - lo as f64) * (xs[(lo + 1).min(xs.len() - 1)] - xs[lo]);
            let got = s.quantile(p);
            assert!(
                (got - exact).abs() <= 1e-3 * exact.abs().max(1e-9),
                "p={p} {got} vs {exact}"
            );
        }
    }

    #[test]
    fn sketch_is_exact_for_constants_and_zeros() {
        let mut s = Sketch::default();
        for _ in 0..10 {
            s.add(40.0);
        }
        assert_eq!(s.quantile(0.5), 40.0);
        let mut z = Sketch::default();
        for i in 0..10 {
            z.add(if i < 7 { 0.0 } else { 5.0 });
        }
        assert_eq!(z.quantile(0.5), 0.0);
        assert_eq!(z.quantile(1.0), 5.0);
        assert!((z.upper_tail_mean(0.2) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn sketch_exceedance_and_histogram() {
        let mut s = Sketch::default();
        for i in 0..1000 {
            s.add(if i < 400 { 0.0 } else { (i - 400) as f64 / 6.0 });
        }
        // 400 zeros; 600 values spread over [0, 100).
        assert!((s.share_above(0.0) - 0.599).abs() < 2e-3);
        assert!((s.share_above(50.0) - 0.3).abs() < 3e-3);
        assert_eq!(s.share_above(1e9), 0.0);
        let h = s.histogram(&[0.0, 25.0, 50.0, 75.0, 100.0]);
        assert!((h.iter().sum::<f64>() - 1000.0).abs() < 1e-6, "{h:?}");
        assert!(
            (h[0] - 550.0).abs() < 2.0 && (h[1] - 150.0).abs() < 2.0,
            "{h:?}"
        );
    }

    #[test]
    fn sketch_merge_is_order_independent() {
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        for i in 0..500 {
            a.add(i as f64 * 1.37 - 100.0);
            b.add(i as f64 * 0.11 + 3.0);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(
            ab.buckets().collect::<Vec<_>>(),
            ba.buckets().collect::<Vec<_>>()
        );
        assert_eq!(
            (ab.min(), ab.max(), ab.count()),
            (ba.min(), ba.max(), ba.count())
        );
    }
}
