//! Quantile and distribution functions of the beta and Student-t families, accurate in both
//! tails, built on statrs's regularized incomplete beta function `I_x(a, b)`.
//!
//! statrs has inverses of its own (`inv_beta_reg`, and `StudentsT::inverse_cdf` through it),
//! but its AS 109 iteration can panic, fail to return or lose monotonicity when the root is
//! tiny (statrs issue #435), and a sampler must never do any of that. So the inverse here is
//! a safeguarded Newton iteration on `I_x` (the continued fraction statrs evaluates to full
//! precision): every step stays inside a bracket that holds the root, and a step that would
//! leave it is replaced by a bisection of the bracket's bit patterns, which halves the number
//! of floats between its ends. At most [`MAX_STEPS`] evaluations, whatever the input.
//!
//! Guarantees: for `a, b > 0` and `p` in `(0, 1)` the quantile is finite, lies in `[0, 1]` and
//! is correct to a few units in the last place of the smaller of `x` and `1 − x`.

use statrs::function::beta::{beta_reg, ln_beta};

/// Most evaluations of `I_x` one inversion makes (bisection alone needs at most 64).
const MAX_STEPS: usize = 200;

/// The float halfway (in bit patterns) between two non-negative floats: a bisection step that
/// halves the number of floats between them, so at most 64 steps reach adjacent floats.
fn bit_midpoint(lo: f64, hi: f64) -> f64 {
    let (a, b) = (lo.to_bits(), hi.to_bits());
    f64::from_bits(a + (b - a) / 2)
}

/// The root `r` in `[0, ½]` of `I_r(a, b) = tau` (`upper = false`) or of
/// `I_{1−r}(b, a) = 1 − I_r(a, b) = tau` (`upper = true`), given `0 < tau ≤ ½` and a root in
/// `[0, ½]`. Solving for the smaller probability keeps its digits, which `1 − tau` would lose.
///
/// Newton's method on `ln J(r)` as a function of `ln r`, `J` the probability solved for
/// (nearly linear in the tail, where `I_r ≈ r^a / (a·B(a, b))`):
/// `ln r ← ln r − (ln J − ln tau) · J / (±r·f(r))`, `r·f(r) = exp(a·ln r + (b − 1)·ln(1 − r)
/// − ln B(a, b))`, `+` for `I_r` and `−` for `1 − I_r`. Started from the tail approximation
/// `r₀ = (tau·a·B(a, b))^(1/a)` for `I_r`, from the mean `a/(a + b)` otherwise.
fn root(a: f64, b: f64, tau: f64, upper: bool) -> f64 {
    let ln_b = ln_beta(a, b);
    let ln_tau = tau.ln();
    let sign = if upper { -1.0 } else { 1.0 };
    let (mut lo, mut hi) = (0.0_f64, 0.5_f64);
    let guess = if upper {
        a / (a + b)
    } else {
        ((ln_tau + a.ln() + ln_b) / a).exp()
    };
    let mut x = if guess > lo && guess < hi {
        guess
    } else {
        bit_midpoint(lo, hi)
    };
    for _ in 0..MAX_STEPS {
        let j = if upper {
            beta_reg(b, a, 1.0 - x)
        } else {
            beta_reg(a, b, x)
        };
        if j == tau {
            return x;
        }
        // The root is above x when J is still short of tau (I_r rising) or past it (1 − I_r
        // falling).
        if sign * (j - tau) < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        if hi.to_bits() - lo.to_bits() <= 1 {
            return hi;
        }
        let x_f = (a * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b).exp();
        let next = x * (-(j.ln() - ln_tau) * j / (sign * x_f)).exp();
        let next = if next > lo && next < hi {
            next
        } else {
            bit_midpoint(lo, hi)
        };
        if (next - x).abs() <= 2.0 * f64::EPSILON * x {
            return next;
        }
        x = next;
    }
    x
}

/// The quantile of Beta(a, b) at `p`, given `p` and `q = 1 − p` (each as exact as the caller
/// has it: near 1 the caller's `q` keeps digits that `1 − p` would lose). Returns `(x, 1 − x)`,
/// the smaller of the two correct to a few units in its last place.
pub(super) fn beta_quantile_pair(a: f64, b: f64, p: f64, q: f64) -> (f64, f64) {
    if p <= 0.0 {
        return (0.0, 1.0);
    }
    if q <= 0.0 {
        return (1.0, 0.0);
    }
    // x ≤ ½ exactly when p ≤ I_½(a, b) (compared on the smaller side, for its digits).
    let x_below_half = if p <= q {
        p <= beta_reg(a, b, 0.5)
    } else {
        q >= beta_reg(b, a, 0.5)
    };
    if x_below_half {
        // I_x(a, b) = p, or equivalently I_{1−x}(b, a) = q.
        let x = if p <= q {
            root(a, b, p, false)
        } else {
            root(a, b, q, true)
        };
        (x, 1.0 - x)
    } else {
        // y = 1 − x ≤ ½: I_y(b, a) = q, or I_{1−y}(a, b) = p.
        let y = if q <= p {
            root(b, a, q, false)
        } else {
            root(b, a, p, true)
        };
        (1.0 - y, y)
    }
}

/// The regularized incomplete beta function `I_x(a, b)` for any `x` (0 below 0, 1 above 1).
pub(super) fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta_reg(a, b, x)
    }
}

/// The CDF of the standard Student-t with `nu` degrees of freedom:
/// `F(t) = ½·I_{ν/(ν+t²)}(ν/2, ½)` for `t ≤ 0`, `1 − F(−t)` above.
pub(super) fn t_cdf(nu: f64, t: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let tail = 0.5 * beta_cdf(0.5 * nu, 0.5, nu / (nu + t * t));
    if t <= 0.0 { tail } else { 1.0 - tail }
}

/// The quantile of the standard Student-t with `nu` degrees of freedom at `u`, given `u` and
/// `v = 1 − u` (see [`beta_quantile_pair`]).
///
/// With `p = min(u, v)`, the lower-tail point `−t` solves `I_y(ν/2, ½) = 2p` with
/// `y = ν/(ν + t²)`, so `t = √(ν·(1 − y)/y)`; `1 − y` comes from the pair at full precision,
/// which keeps the digits of a `t` near 0.
pub(super) fn t_quantile(nu: f64, u: f64, v: f64) -> f64 {
    if u <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if v <= 0.0 {
        return f64::INFINITY;
    }
    if u == v {
        return 0.0;
    }
    let p = u.min(v);
    // 2p is exact; 1 − 2p is exact when p ≥ ¼ (Sterbenz), and above ½ otherwise.
    let (y, one_minus_y) = beta_quantile_pair(0.5 * nu, 0.5, 2.0 * p, 1.0 - 2.0 * p);
    let t = (nu * (one_minus_y / y)).sqrt();
    if u < v { -t } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_quantile_inverts_the_incomplete_beta() {
        for &(a, b) in &[
            (0.1, 0.1),
            (0.5, 0.5),
            (1.0, 1.0),
            (2.0, 5.0),
            (0.3, 40.0),
            (40.0, 0.3),
            (500.0, 800.0),
        ] {
            for &p in &[1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1.0 - 1e-9] {
                let q = 1.0 - p;
                let (x, y) = beta_quantile_pair(a, b, p, q);
                assert!((0.0..=1.0).contains(&x) && (x + y - 1.0).abs() < 1e-15);
                // Checked on the side that holds the digits: the smaller of x and 1 − x, and
                // the smaller of the two probabilities.
                let (r, sa, sb, tp, tq) = if x <= 0.5 {
                    (x, a, b, p, q)
                } else {
                    (y, b, a, q, p)
                };
                let err = if tp <= tq {
                    (beta_cdf(sa, sb, r) - tp).abs() / tp
                } else {
                    (beta_cdf(sb, sa, 1.0 - r) - tq).abs() / tq
                };
                let back = beta_cdf(a, b, x);
                assert!(err < 1e-11, "a={a} b={b} p={p}: x={x} I={back}");
            }
        }
    }

    #[test]
    fn beta_quantile_has_closed_forms() {
        // Beta(a, 1): x = p^(1/a); Beta(1, b): 1 − x = (1 − p)^(1/b).
        for &p in &[1e-10, 0.2, 0.5, 0.9] {
            let (x, _) = beta_quantile_pair(3.0, 1.0, p, 1.0 - p);
            assert!((x - p.powf(1.0 / 3.0)).abs() < 1e-14 * x.max(1e-300), "{p}");
            let (_, y) = beta_quantile_pair(1.0, 0.25, p, 1.0 - p);
            let want = (1.0 - p).powf(4.0);
            assert!((y - want).abs() < 1e-13 * want, "{p}: {y} vs {want}");
        }
    }

    #[test]
    fn tiny_roots_neither_hang_nor_panic() {
        // statrs issue #435: inv_beta_reg panics below ~1e-162 and never returns at (200, 2).
        let (x, _) = beta_quantile_pair(200.0, 2.0, 1e-165, 1.0);
        assert!(x > 0.0 && x < 0.2);
        let (x, _) = beta_quantile_pair(200.0, 2.0, 1e-60, 1.0);
        assert!((beta_cdf(200.0, 2.0, x) / 1e-60 - 1.0).abs() < 1e-10);
        // The root (about 1e-1500) underflows: the smallest float above it is returned.
        let (x, _) = beta_quantile_pair(0.01, 3.0, 1e-15, 1.0);
        assert!((0.0..1e-300).contains(&x));
    }

    #[test]
    fn t_quantile_has_closed_forms() {
        use std::f64::consts::PI;
        for &u in &[1e-9, 0.001, 0.1, 0.4, 0.5, 0.51, 0.9, 0.999_999] {
            // ν = 1 is the Cauchy: tan(π(u − ½)) = −cot(πu); ν = 2: (2u − 1)/√(2u(1 − u)).
            let t1 = t_quantile(1.0, u, 1.0 - u);
            let want1 = if u < 0.5 {
                -1.0 / (PI * u).tan()
            } else {
                1.0 / (PI * (1.0 - u)).tan()
            };
            assert!(
                (t1 - want1).abs() <= 1e-12 * want1.abs().max(1.0),
                "{u}: {t1} vs {want1}"
            );
            let t2 = t_quantile(2.0, u, 1.0 - u);
            let want2 = (2.0 * u - 1.0) / (2.0 * u * (1.0 - u)).sqrt();
            assert!(
                (t2 - want2).abs() <= 1e-12 * want2.abs().max(1.0),
                "{u}: {t2} vs {want2}"
            );
        }
    }
}
