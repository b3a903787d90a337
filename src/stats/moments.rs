//! Moments and proportions whose memory does not grow with the number of trials.
//!
//! - [`Moments`]: count, mean and M2 by Welford's update, merged by Chan et al.'s formula.
//!   Merging is done in a fixed (chunk-index) order by the engine, so float results are the
//!   same whatever the thread count.
//! - [`wilson`]: the Wilson score interval for a binomial proportion.

/// 1.96: the two-sided 95 % normal quantile.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Count, mean and sum of squared deviations.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Σ (x − mean)².
    pub m2: f64,
}

impl Moments {
    /// Adds one value (Welford).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Merges another summary (Chan, Golub & LeVeque 1979).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * self.n as f64 * o.n as f64 / n as f64;
        self.n = n;
    }

    /// Sample standard deviation (0 for fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }
}

/// Moments of several variables observed together (the same count), kept as sums of
/// deviations from each variable's first value: per value, a subtraction, two additions and
/// a multiplication, where Welford's update needs a division. Used for a chunk of trials and
/// turned into [`Moments`] at its end; shifting by a value of the sample keeps the sums
/// accurate (the cancellation in Σd² − (Σd)²/n is of the order of the shift's distance from
/// the mean, a few standard deviations).
#[derive(Debug, Clone, Default)]
pub struct SharedMoments {
    n: u64,
    shift: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl SharedMoments {
    /// Empty sums for `k` variables.
    pub fn new(k: usize) -> SharedMoments {
        SharedMoments {
            n: 0,
            shift: vec![0.0; k],
            s1: vec![0.0; k],
            s2: vec![0.0; k],
        }
    }

    /// Adds one observation of every variable.
    #[inline]
    pub fn push(&mut self, xs: &[f64]) {
        if self.n == 0 {
            self.shift.copy_from_slice(xs);
        }
        self.n += 1;
        for ((a, b), (&x, &c)) in self
            .s1
            .iter_mut()
            .zip(self.s2.iter_mut())
            .zip(xs.iter().zip(&self.shift))
        {
            let d = x - c;
            *a += d;
            *b += d * d;
        }
    }

    /// The moments of each variable.
    pub fn moments(&self) -> impl Iterator<Item = Moments> + '_ {
        let n = self.n;
        self.shift
            .iter()
            .zip(self.s1.iter().zip(&self.s2))
            .map(move |(&c, (&s1, &s2))| {
                if n == 0 {
                    return Moments::default();
                }
                let nf = n as f64;
                Moments {
                    n,
                    mean: c + s1 / nf,
                    m2: (s2 - s1 * s1 / nf).max(0.0),
                }
            })
    }
}

/// Wilson score 95 % interval for `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z_95 * Z_95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // Clamped so the interval always contains the estimate (rounding could push the bound
    // of 0 or n successes just past it).
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_moments_match_welford() {
        let mut shared = SharedMoments::new(2);
        let (mut w0, mut w1) = (Moments::default(), Moments::default());
        for i in 0..1000 {
            let x = [1e6 + ((i * 7919) % 1009) as f64 * 0.37, -((i % 13) as f64)];
            shared.push(&x);
            w0.push(x[0]);
            w1.push(x[1]);
        }
        let m: Vec<Moments> = shared.moments().collect();
        for (a, b) in m.iter().zip([w0, w1]) {
            assert_eq!(a.n, b.n);
            assert!(
                (a.mean - b.mean).abs() <= 1e-12 * b.mean.abs().max(1.0),
                "{a:?} {b:?}"
            );
            assert!((a.m2 - b.m2).abs() <= 1e-9 * b.m2, "{a:?} {b:?}");
        }
        assert_eq!(SharedMoments::new(3).moments().count(), 3);
        assert!(
            SharedMoments::new(1)
                .moments()
                .all(|m| m == Moments::default())
        );
    }

    #[test]
    fn welford_matches_two_pass_and_merges() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.5 - 7.0)
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        let mut a = Moments::default();
        let mut b = Moments::default();
        for (i, &x) in xs.iter().enumerate() {
            if i < 300 { a.push(x) } else { b.push(x) }
        }
        a.merge(&b);
        assert_eq!(a.n, 1000);
        assert!((a.mean - mean).abs() < 1e-12);
        assert!((a.sd() * a.sd() - var).abs() < 1e-9);
    }

    #[test]
    fn wilson_known_value() {
        // 10 of 100: Wilson interval (0.0552, 0.1744).
        let (lo, hi) = wilson(10, 100);
        assert!(
            (lo - 0.0552).abs() < 1e-4 && (hi - 0.1744).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 10).0, 0.0);
    }
}
