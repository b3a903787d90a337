//! Exact quantiles by selection, for values held in memory (the bands' samples).
//!
//! Selection compares plain integers: [`order_key`] maps an f64 to an i64 whose order is
//! `f64::total_cmp`'s. [`type7_select_many`] gives the type-7 (linear interpolation, R's
//! default) quantile at several levels with one recursive multi-selection.

/// An integer whose order is `f64::total_cmp`'s order of `x` (the transform `total_cmp`
/// applies on every comparison, applied once), so that selection compares plain integers.
pub fn order_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// The `f64` of an [`order_key`] (the transform is its own inverse).
pub fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ ((((k >> 63) as u64) >> 1) as i64)) as u64)
}

/// Type-7 quantiles at each of `levels` of the values whose [`order_key`]s are `keys`, by
/// selection: the order statistics they need are put in place by one recursive
/// multi-selection (each selection splits the range the next ones search), which gives
/// exactly what [`type7_select`] gives level by level, in about half the comparisons.
/// Reorders `keys`.
pub fn type7_select_many(keys: &mut [i64], levels: &[f64]) -> Vec<f64> {
    if keys.is_empty() {
        return vec![f64::NAN; levels.len()];
    }
    let last = keys.len() - 1;
    let at = |p: f64| {
        let h = last as f64 * p;
        (h, h.floor() as usize)
    };
    let mut ranks: Vec<usize> = levels
        .iter()
        .flat_map(|&p| {
            let (h, lo) = at(p);
            [
                lo,
                if h == lo as f64 {
                    lo
                } else {
                    (lo + 1).min(last)
                },
            ]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    select_ranks(keys, 0, &ranks);
    levels
        .iter()
        .map(|&p| {
            let (h, lo) = at(p);
            let a = from_order_key(keys[lo]);
            if h == lo as f64 || lo == last {
                a
            } else {
                a + (h - lo as f64) * (from_order_key(keys[lo + 1]) - a)
            }
        })
        .collect()
}

/// Puts the order statistics of `keys` at `ranks` (sorted, offset by `base`) in place.
fn select_ranks(keys: &mut [i64], base: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - base;
    let (left, _, right) = keys.select_nth_unstable(k);
    select_ranks(left, base, &ranks[..mid]);
    select_ranks(right, base + k + 1, &ranks[mid + 1..]);
}

/// Type-7 quantile by selection (linear time; reorders `values`): the reference the tests
/// hold [`type7_select_many`] to.
#[cfg(test)]
fn type7_select(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let h = (values.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let (_, &mut a, upper) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if h == lo as f64 || upper.is_empty() {
        return a;
    }
    let b = upper.iter().copied().fold(f64::INFINITY, f64::min);
    a + (h - lo as f64) * (b - a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_quantiles_match_sorted_type7() {
        let mut xs: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1009) as f64 * 0.37 - 50.0)
            .collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for &p in &[0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0, 0.333] {
            let h = (sorted.len() - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(sorted.len() - 1);
            let want = sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]);
            assert_eq!(type7_select(&mut xs, p), want, "p = {p}");
        }
        assert_eq!(type7_select(&mut [3.0], 0.5), 3.0);
        // Many levels at once give exactly the level-by-level answers.
        let levels = [0.0, 0.05, 0.25, 0.333, 0.5, 0.75, 0.95, 1.0];
        for len in [1, 2, 3, 7, 20, 1001] {
            let base: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1009) as f64 * 0.37 - 50.0)
                .collect();
            let one_by_one: Vec<f64> = levels
                .iter()
                .map(|&p| type7_select(&mut base.clone(), p))
                .collect();
            let mut keys: Vec<i64> = base.iter().map(|&x| order_key(x)).collect();
            assert_eq!(type7_select_many(&mut keys, &levels), one_by_one, "{len}");
        }
        assert!(
            type7_select_many(&mut [], &levels)
                .iter()
                .all(|q| q.is_nan())
        );
        // The keys order like total_cmp and map back exactly.
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -1.5,
            -0.0,
            0.0,
            5e-324,
            2.0,
            1e308,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]), "{w:?}");
        }
        for x in xs {
            assert_eq!(from_order_key(order_key(x)).to_bits(), x.to_bits());
        }
    }
}
