//! A branch-free exponential for the per-step loops.
//!
//! The standard library's `f64::exp` calls the C library, one element at a time, through a
//! wrapper that checks for errors: a quarter of a trial's time went to it. [`exp`] is the
//! textbook algorithm written so that a loop over a slice vectorises: range reduction
//! x = k·ln 2 + r with |r| ≤ ½ ln 2 (ln 2 split in two parts, as in fdlibm), a degree-13
//! Taylor polynomial for e^r (truncation error below 5e-18) (its high terms by Estrin's scheme), and 2^k built from the exponent
//! bits. Results are within 1 ulp of the correctly rounded value (tested against
//! `f64::exp` below); results below 2^-1021 (x < −708) are flushed to 0.

/// 1.5·2^52: adding it to |v| < 2^51 rounds v to an integer, held in the low mantissa bits.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// ln 2, high part (its last 32 bits are zero, so k·LN2_HI is exact for |k| < 2^20).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// ln 2 − LN2_HI.
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Above this, e^x overflows.
const OVERFLOW: f64 = 709.782_712_893_384;
/// Below this the result would not be a normal number; it is flushed to 0.
const UNDERFLOW: f64 = -708.0;

/// e^x, within 1 ulp; +∞ above 709.78, 0 below −708, NaN for NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let xc = x.clamp(UNDERFLOW, OVERFLOW);
    let t = xc * std::f64::consts::LOG2_E + ROUND_MAGIC;
    let k = t - ROUND_MAGIC;
    let r = (xc - k * LN2_HI) - k * LN2_LO;
    // e^r = Σ r^i / i!, i = 0..13: the terms from r^4 on by Estrin's scheme (pairs, then
    // pairs of pairs), the first four by Horner, so that the result's last rounding is that
    // of 1 + r·(…) as in plain Horner. The longest chain of dependent operations is 12 deep
    // instead of 26.
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let a0 = C[4] + C[5] * r;
    let a1 = C[6] + C[7] * r;
    let a2 = C[8] + C[9] * r;
    let a3 = C[10] + C[11] * r;
    let a4 = C[12] + C[13] * r;
    let tail = (a0 + a1 * r2) + (a2 + a3 * r2) * r4 + a4 * r8;
    let p = (((tail * r + C[3]) * r + C[2]) * r + C[1]) * r + C[0];
    // 2^k from the integer in t's low bits, k ∈ [−1021, 1024], as 2^(k−1)·2 so that both
    // factors are normal numbers (the doubling is exact, or overflows as e^x does).
    let ki = t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits()) as i64;
    let scale = f64::from_bits(((ki + 1022) as u64) << 52);
    let y = (p * 2.0) * scale;
    if x > OVERFLOW {
        f64::INFINITY
    } else if x < UNDERFLOW {
        0.0
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two positive finite numbers.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn within_one_ulp_of_the_library_exp() {
        // A deterministic sweep: dense near 0 (the shocks), wide up to the limits.
        let mut worst = (0u64, 0.0);
        let mut check = |x: f64| {
            let (a, b) = (exp(x), x.exp());
            let d = ulps(a, b);
            if d > worst.0 {
                worst = (d, x);
            }
        };
        for i in 0..200_000 {
            check(-5.0 + 10.0 * f64::from(i) / 200_000.0);
        }
        for i in 0..=200_000 {
            check(UNDERFLOW + (OVERFLOW - UNDERFLOW) * f64::from(i) / 200_000.0);
        }
        for x in [
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            0.5 * std::f64::consts::LN_2,
            709.0,
            709.78,
        ] {
            check(x);
        }
        assert!(worst.0 <= 1, "{} ulps at x = {}", worst.0, worst.1);
    }

    #[test]
    fn limits_and_specials() {
        assert_eq!(exp(0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-709.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(709.5).is_finite() && exp(709.5) > 1e308);
    }
}
