//! `[[correlations]]`: correlated pairs of uncertain inputs, and the pair check that
//! `[[revenue_correlations]]` shares.

use super::Checker;
use super::inputs::fmt;
use crate::scenario::Correlation;
use crate::scenario::raw::RawCorrelation;

/// `[[correlations]]`. Their paths are checked against the inputs when the model is compiled.
pub(super) fn correlations(c: &mut Checker, raw: &[RawCorrelation]) -> Vec<Correlation> {
    let mut correlations = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        if let Some(pair) = c.pair(&format!("correlations.{i}"), r) {
            correlations.push(pair);
        }
    }
    correlations
}

impl Checker {
    /// One correlated pair: two different names and a coefficient in [-1, 1].
    pub(super) fn pair(&mut self, path: &str, r: &RawCorrelation) -> Option<Correlation> {
        if r.between.len() != 2 {
            self.problem(
                &format!("{path}.between"),
                Some(format!("{:?}", r.between)),
                "must name exactly two inputs, e.g. between = [\"a.b\", \"c.d\"]",
            );
            return None;
        }
        if r.between[0] == r.between[1] {
            self.problem(
                &format!("{path}.between"),
                Some(format!("{:?}", r.between)),
                "names the same input twice",
            );
            return None;
        }
        if !(r.rho.is_finite() && (-1.0..=1.0).contains(&r.rho)) {
            self.problem(
                &format!("{path}.rho"),
                Some(fmt(r.rho)),
                "must be a correlation in [-1, 1]",
            );
            return None;
        }
        Some(Correlation {
            a: r.between[0].clone(),
            b: r.between[1].clone(),
            rho: r.rho,
        })
    }
}
