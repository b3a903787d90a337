//! The distribution forms of an uncertain number, written as a table: `{ low, high }`,
//! `{ low, mode, high }` (add `pert = true`), `{ p5, p95 }`, `{ mean, sd }` (optional `min`,
//! `max`), `{ median, sd_log }`, `{ p }`, the betas `{ beta_a, beta_b }` and
//! `{ beta_mean, beta_sd }` (optional `low`, `high`), the Student-t `{ location, scale, dof }`
//! (optional `min`, `max`), the discrete `{ values, weights }` and `{ mixture = [...] }`.

use indexmap::IndexMap;
use toml::Value;

use super::Checker;
use super::inputs::{MAX_MAGNITUDE, MAX_SD_LOG, TOO_LARGE, fmt};
use crate::dist::Dist;

/// A distribution table whose entries are all finite numbers, with what is needed to blame it.
struct Form<'t> {
    /// Dotted path of the field.
    path: &'t str,
    /// The table as written, for the problems that concern the whole of it.
    shown: Option<String>,
    /// Its numbers by key, in file order.
    nums: IndexMap<&'t str, f64>,
}

impl Form<'_> {
    /// The number at `k`; NaN if there is none.
    fn g(&self, k: &str) -> f64 {
        self.nums.get(k).copied().unwrap_or(f64::NAN)
    }

    /// Whether `a ≤ b`; reports the table if not.
    fn order(&self, c: &mut Checker, a: &str, b: &str) -> bool {
        if self.g(a) > self.g(b) {
            c.problem(
                self.path,
                self.shown.clone(),
                format!(
                    "{a} ({}) must not be greater than {b} ({})",
                    fmt(self.g(a)),
                    fmt(self.g(b))
                ),
            );
            false
        } else {
            true
        }
    }

    /// `{ low, high }`.
    fn uniform(&self, c: &mut Checker) -> Option<Dist> {
        if !self.order(c, "low", "high") {
            return None;
        }
        Some(Dist::Uniform {
            low: self.g("low"),
            high: self.g("high"),
        })
    }

    /// `{ low, mode, high }`, PERT-shaped if `pert`.
    fn triangular(&self, c: &mut Checker, pert: bool) -> Option<Dist> {
        if !(self.order(c, "low", "mode") && self.order(c, "mode", "high")) {
            return None;
        }
        let (low, mode, high) = (self.g("low"), self.g("mode"), self.g("high"));
        Some(if pert {
            Dist::Pert { low, mode, high }
        } else {
            Dist::Triangular { low, mode, high }
        })
    }

    /// `{ p5, p95 }`: lognormal when both are positive, else normal.
    fn interval(&self, c: &mut Checker) -> Option<Dist> {
        if !self.order(c, "p5", "p95") {
            return None;
        }
        let (a, b) = (self.g("p5"), self.g("p95"));
        Some(if a > 0.0 && b > 0.0 {
            Dist::lognormal_from_interval(a, b)
        } else {
            Dist::normal_from_interval(a, b)
        })
    }

    /// `{ mean, sd }`, optionally truncated to `[min, max]`.
    fn normal(&self, c: &mut Checker) -> Option<Dist> {
        let path = self.path;
        if self.g("sd") < 0.0 {
            c.problem(
                &format!("{path}.sd"),
                Some(fmt(self.g("sd"))),
                "must be ≥ 0",
            );
            return None;
        }
        let (min, max) = self.truncation(c)?;
        Some(Dist::Normal {
            mean: self.g("mean"),
            sd: self.g("sd"),
            min,
            max,
        })
    }

    /// The optional truncation `[min, max]` (−∞ and +∞ when absent); `min < max`.
    fn truncation(&self, c: &mut Checker) -> Option<(f64, f64)> {
        let min = self.nums.get("min").copied().unwrap_or(f64::NEG_INFINITY);
        let max = self.nums.get("max").copied().unwrap_or(f64::INFINITY);
        if min >= max {
            c.problem(
                self.path,
                self.shown.clone(),
                format!("min ({}) must be less than max ({})", fmt(min), fmt(max)),
            );
            return None;
        }
        Some((min, max))
    }

    /// The support `[low, high]` of a beta (default `[0, 1]`); `low < high`.
    fn beta_bounds(&self, c: &mut Checker) -> Option<(f64, f64)> {
        let low = self.nums.get("low").copied().unwrap_or(0.0);
        let high = self.nums.get("high").copied().unwrap_or(1.0);
        if low >= high {
            c.problem(
                self.path,
                self.shown.clone(),
                format!(
                    "low ({}) must be less than high ({}) for a beta",
                    fmt(low),
                    fmt(high)
                ),
            );
            return None;
        }
        Some((low, high))
    }

    /// The shapes `beta_a`, `beta_b` as written: each in `(0, MAX_BETA_SHAPE]`.
    fn beta_shapes(&self, c: &mut Checker, a: f64, b: f64) -> bool {
        for (key, v) in [("beta_a", a), ("beta_b", b)] {
            if v <= 0.0 {
                c.problem(
                    &format!("{}.{key}", self.path),
                    Some(fmt(v)),
                    "must be > 0 (a shape of the beta)",
                );
                return false;
            }
            if v > MAX_BETA_SHAPE {
                c.problem(
                    &format!("{}.{key}", self.path),
                    Some(fmt(v)),
                    format!(
                        "must be at most {} (a beta this narrow is a normal to 5 digits: use {{ mean, sd, min, max }})",
                        fmt(MAX_BETA_SHAPE)
                    ),
                );
                return false;
            }
        }
        true
    }

    /// `{ beta_a, beta_b }` on `[low, high]` (default `[0, 1]`).
    fn beta_shape(&self, c: &mut Checker) -> Option<Dist> {
        let (a, b) = (self.g("beta_a"), self.g("beta_b"));
        if !self.beta_shapes(c, a, b) {
            return None;
        }
        let (low, high) = self.beta_bounds(c)?;
        Some(Dist::Beta { a, b, low, high })
    }

    /// `{ beta_mean, beta_sd }` on `[low, high]` (default `[0, 1]`): the beta with that mean
    /// and standard deviation. With m, s rescaled to `[0, 1]`, `a + b = m(1 − m)/s² − 1`,
    /// `a = m·(a + b)`, which needs `s² < m(1 − m)`, i.e. `sd² < (mean − low)(high − mean)`.
    fn beta_moments(&self, c: &mut Checker) -> Option<Dist> {
        let path = self.path;
        let (mean, sd) = (self.g("beta_mean"), self.g("beta_sd"));
        let (low, high) = self.beta_bounds(c)?;
        if !(mean > low && mean < high) {
            c.problem(
                &format!("{path}.beta_mean"),
                Some(fmt(mean)),
                format!(
                    "must lie strictly between low ({}) and high ({})",
                    fmt(low),
                    fmt(high)
                ),
            );
            return None;
        }
        if sd <= 0.0 {
            c.problem(
                &format!("{path}.beta_sd"),
                Some(fmt(sd)),
                "must be > 0 (for a constant, write the number)",
            );
            return None;
        }
        let room = (mean - low) * (high - mean);
        if sd * sd >= room {
            c.problem(
                &format!("{path}.beta_sd"),
                Some(fmt(sd)),
                format!(
                    "is too large for a beta with mean {} on [{}, {}]: sd² must be less than (mean − low)·(high − mean), so sd < {}",
                    fmt(mean),
                    fmt(low),
                    fmt(high),
                    fmt(room.sqrt())
                ),
            );
            return None;
        }
        let (m, s) = ((mean - low) / (high - low), sd / (high - low));
        let n = m * (1.0 - m) / (s * s) - 1.0;
        let (a, b) = (m * n, (1.0 - m) * n);
        if a.max(b) > MAX_BETA_SHAPE {
            c.problem(
                &format!("{path}.beta_sd"),
                Some(fmt(sd)),
                format!(
                    "is too small: its beta's shapes ({}, {}) pass {}, where a beta is a normal to 5 digits; use {{ mean, sd, min, max }}",
                    fmt(a),
                    fmt(b),
                    fmt(MAX_BETA_SHAPE)
                ),
            );
            return None;
        }
        Some(Dist::Beta { a, b, low, high })
    }

    /// `{ location, scale, dof }`, optionally truncated to `[min, max]`.
    fn student_t(&self, c: &mut Checker) -> Option<Dist> {
        let path = self.path;
        let (location, scale, dof) = (self.g("location"), self.g("scale"), self.g("dof"));
        if scale < 0.0 {
            c.problem(&format!("{path}.scale"), Some(fmt(scale)), "must be ≥ 0");
            return None;
        }
        if dof <= 0.0 || dof > MAX_DOF {
            c.problem(
                &format!("{path}.dof"),
                Some(fmt(dof)),
                format!(
                    "must be > 0 and at most {} (degrees of freedom: 1 is the Cauchy, 3–10 fat tails; above 1e6 use a normal {{ mean, sd }})",
                    fmt(MAX_DOF)
                ),
            );
            return None;
        }
        let (min, max) = self.truncation(c)?;
        Some(Dist::StudentT {
            location,
            scale,
            dof,
            min,
            max,
        })
    }

    /// `{ median, sd_log }`.
    fn lognormal(&self, c: &mut Checker) -> Option<Dist> {
        let path = self.path;
        if self.g("median") <= 0.0 {
            c.problem(
                &format!("{path}.median"),
                Some(fmt(self.g("median"))),
                "must be > 0 for a lognormal",
            );
            return None;
        }
        if self.g("sd_log") < 0.0 {
            c.problem(
                &format!("{path}.sd_log"),
                Some(fmt(self.g("sd_log"))),
                "must be ≥ 0",
            );
            return None;
        }
        Some(Dist::LogNormal {
            mu: self.g("median").ln(),
            sigma: self.g("sd_log"),
        })
    }

    /// `{ p }`: Bernoulli.
    fn bernoulli(&self, c: &mut Checker) -> Option<Dist> {
        let (path, p) = (self.path, self.g("p"));
        if !(0.0..=1.0).contains(&p) {
            c.problem(
                &format!("{path}.p"),
                Some(fmt(p)),
                "must be a probability in [0, 1]",
            );
            return None;
        }
        Some(Dist::Bernoulli { p })
    }
}

/// Largest shape of a beta: the incomplete beta function statrs evaluates keeps ~12 digits up
/// to here (its continued fraction runs at most 140 terms).
const MAX_BETA_SHAPE: f64 = 1e5;
/// Largest degrees of freedom of a Student-t, for the same reason (the t is a normal to 6
/// digits by then).
const MAX_DOF: f64 = 1e6;

impl Checker {
    /// A distribution written as a table, e.g. `{ low = 1, high = 2 }`.
    pub(super) fn dist_table(&mut self, path: &str, t: &toml::Table) -> Option<Dist> {
        if t.contains_key("mixture") {
            return self.mixture(path, t);
        }
        if t.contains_key("values") || t.contains_key("weights") {
            return self.discrete(path, t);
        }
        let shown = Some(Value::Table(t.clone()).to_string());
        let (nums, pert) = self.dist_numbers(path, t)?;
        let mut keys: Vec<&str> = nums.keys().copied().collect();
        if pert {
            keys.push("pert");
        }
        keys.sort_unstable();
        let form = Form { path, shown, nums };
        match keys.as_slice() {
            ["high", "low"] => form.uniform(self),
            ["high", "low", "mode"] | ["high", "low", "mode", "pert"] => {
                form.triangular(self, pert)
            }
            ["p5", "p95"] => form.interval(self),
            ["mean", "sd"]
            | ["max", "mean", "sd"]
            | ["mean", "min", "sd"]
            | ["max", "mean", "min", "sd"] => form.normal(self),
            ["median", "sd_log"] => form.lognormal(self),
            ["p"] => form.bernoulli(self),
            ["beta_a", "beta_b"] | ["beta_a", "beta_b", "high", "low"] => form.beta_shape(self),
            ["beta_mean", "beta_sd"] | ["beta_mean", "beta_sd", "high", "low"] => {
                form.beta_moments(self)
            }
            ["dof", "location", "scale"]
            | ["dof", "location", "max", "scale"]
            | ["dof", "location", "min", "scale"]
            | ["dof", "location", "max", "min", "scale"] => form.student_t(self),
            _ => {
                self.problem(
                    path,
                    form.shown,
                    "is not a distribution; use { low, high }, { low, mode, high } (add pert = true), \
                     { p5, p95 }, { mean, sd } (optional min, max), { median, sd_log }, { p }, \
                     { beta_a, beta_b } or { beta_mean, beta_sd } (optional low, high), \
                     { location, scale, dof } (optional min, max), { values, weights } or { mixture = [...] }",
                );
                None
            }
        }
    }

    /// `{ values = [...], weights = [...] }`: a discrete distribution (weights optional: equal).
    fn discrete(&mut self, path: &str, t: &toml::Table) -> Option<Dist> {
        let shown = Some(Value::Table(t.clone()).to_string());
        if let Some(k) = t
            .keys()
            .find(|k| !matches!(k.as_str(), "values" | "weights"))
        {
            self.problem(
                path,
                shown,
                format!(
                    "a discrete distribution takes `values` and optionally `weights`, not `{k}`"
                ),
            );
            return None;
        }
        let Some(values) = t.get("values") else {
            self.problem(
                path,
                shown,
                "a discrete distribution needs `values`, e.g. { values = [1, 2, 3], weights = [0.2, 0.5, 0.3] }",
            );
            return None;
        };
        let values = self.number_list(&format!("{path}.values"), values)?;
        if values.is_empty() {
            self.problem(
                &format!("{path}.values"),
                Some("[]".into()),
                "needs at least one value, e.g. [1, 2, 3]",
            );
            return None;
        }
        let weights = match t.get("weights") {
            None => None,
            Some(w) => Some(self.weights(&format!("{path}.weights"), w, values.len())?),
        };
        Some(Dist::discrete(&values, weights.as_deref()))
    }

    /// The weights of a discrete distribution with `n` values: one per value, each ≥ 0, not
    /// all 0.
    fn weights(&mut self, path: &str, v: &Value, n: usize) -> Option<Vec<f64>> {
        let w = self.number_list(path, v)?;
        if w.len() != n {
            self.problem(
                path,
                Some(v.to_string()),
                format!(
                    "has {} weights for {n} values; give one weight per value, or none for equal weights",
                    w.len()
                ),
            );
            return None;
        }
        if let Some((i, x)) = w.iter().enumerate().find(|(_, x)| **x < 0.0) {
            self.problem(&format!("{path}.{i}"), Some(fmt(*x)), "must be ≥ 0");
            return None;
        }
        if w.iter().sum::<f64>() <= 0.0 {
            self.problem(
                path,
                Some(v.to_string()),
                "the weights sum to 0; at least one must be > 0",
            );
            return None;
        }
        Some(w)
    }

    /// A list of numbers, each finite and at most [`MAX_MAGNITUDE`].
    fn number_list(&mut self, path: &str, v: &Value) -> Option<Vec<f64>> {
        let Value::Array(items) = v else {
            self.problem(
                path,
                Some(v.to_string()),
                "must be a list of numbers, e.g. [1, 2, 3]",
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let x = match item {
                Value::Integer(n) => *n as f64,
                Value::Float(x) => *x,
                _ => {
                    self.problem(
                        &format!("{path}.{i}"),
                        Some(item.to_string()),
                        "must be a number",
                    );
                    return None;
                }
            };
            if !x.is_finite() {
                self.problem(
                    &format!("{path}.{i}"),
                    Some(x.to_string()),
                    "must be a finite number",
                );
                return None;
            }
            if x.abs() > MAX_MAGNITUDE {
                self.problem(&format!("{path}.{i}"), Some(fmt(x)), TOO_LARGE);
                return None;
            }
            out.push(x);
        }
        Some(out)
    }

    /// `{ mixture = [ { weight = w, <form> }, ... ] }`: component i drawn with probability
    /// wᵢ / Σw (weights optional: equal). A component is any form but a mixture.
    fn mixture(&mut self, path: &str, t: &toml::Table) -> Option<Dist> {
        let shown = Some(Value::Table(t.clone()).to_string());
        let mpath = format!("{path}.mixture");
        if let Some(k) = t.keys().find(|k| k.as_str() != "mixture") {
            self.problem(
                path,
                shown,
                format!(
                    "a mixture takes only `mixture`, a list of weighted forms, not `{k}`; put each form's numbers inside its component"
                ),
            );
            return None;
        }
        let items = match t.get("mixture") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            other => {
                let what = if matches!(other, Some(Value::Array(_))) {
                    "needs at least one component"
                } else {
                    "must be a list of weighted forms"
                };
                self.problem(
                    &mpath,
                    other.map(Value::to_string),
                    format!(
                        "{what}, e.g. [{{ weight = 0.7, low = 1, high = 2 }}, {{ weight = 0.3, median = 5, sd_log = 0.2 }}]"
                    ),
                );
                return None;
            }
        };
        let mut parts = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.component(&format!("{mpath}.{i}"), item) {
                Some(part) => parts.push(part),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let given = parts.iter().filter(|p| p.0.is_some()).count();
        if given != 0 && given != parts.len() {
            self.problem(
                &mpath,
                None,
                "give every component a weight, or none for equal weights",
            );
            return None;
        }
        let parts: Vec<(f64, Dist)> = parts
            .into_iter()
            .map(|(w, d)| (w.unwrap_or(1.0), d))
            .collect();
        if parts.iter().map(|p| p.0).sum::<f64>() <= 0.0 {
            self.problem(
                &mpath,
                None,
                "the weights of the components sum to 0; at least one must be > 0",
            );
            return None;
        }
        Some(Dist::mixture(parts))
    }

    /// One component of a mixture: its weight (if given; finite, ≥ 0) and its form.
    fn component(&mut self, path: &str, item: &Value) -> Option<(Option<f64>, Dist)> {
        let Value::Table(t) = item else {
            self.problem(
                path,
                Some(item.to_string()),
                "must be a form with a weight, e.g. { weight = 0.3, low = 1, high = 2 }",
            );
            return None;
        };
        if t.contains_key("mixture") {
            self.problem(
                path,
                Some(item.to_string()),
                "a component cannot itself be a mixture; list its components in this one, their weights multiplied by its own",
            );
            return None;
        }
        let weight = match t.get("weight") {
            None => None,
            Some(v) => {
                let x = match v {
                    Value::Integer(n) => *n as f64,
                    Value::Float(x) => *x,
                    _ => f64::NAN,
                };
                if !(x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x)) {
                    self.problem(
                        &format!("{path}.weight"),
                        Some(v.to_string()),
                        "must be a number ≥ 0 (the component's share of the mixture)",
                    );
                    return None;
                }
                Some(x)
            }
        };
        let mut form = t.clone();
        form.remove("weight");
        let dist = self.dist_table(path, &form)?;
        Some((weight, dist))
    }

    /// The entries of a distribution table: its numbers by key (each finite, at most
    /// [`MAX_MAGNITUDE`], an `sd_log` at most [`MAX_SD_LOG`]) and its `pert` flag. `None`
    /// after reporting the first entry that is not.
    fn dist_numbers<'t>(
        &mut self,
        path: &str,
        t: &'t toml::Table,
    ) -> Option<(IndexMap<&'t str, f64>, bool)> {
        let mut nums: IndexMap<&str, f64> = IndexMap::new();
        let mut pert = false;
        for (k, v) in t {
            match (k.as_str(), v) {
                ("pert", Value::Boolean(b)) => pert = *b,
                // `pert = 1` must not pass as a number and be read as a triangular's fourth
                // parameter (or as no form at all).
                ("pert", _) => {
                    self.problem(
                        &format!("{path}.{k}"),
                        Some(v.to_string()),
                        "must be true or false",
                    );
                    return None;
                }
                (_, Value::Integer(i)) => {
                    nums.insert(k.as_str(), *i as f64);
                }
                (_, Value::Float(x)) => {
                    nums.insert(k.as_str(), *x);
                }
                _ => {
                    self.problem(
                        &format!("{path}.{k}"),
                        Some(v.to_string()),
                        "must be a number",
                    );
                    return None;
                }
            }
        }
        for (k, x) in &nums {
            if !x.is_finite() {
                self.problem(
                    &format!("{path}.{k}"),
                    Some(x.to_string()),
                    "must be a finite number",
                );
                return None;
            }
            if x.abs() > MAX_MAGNITUDE {
                self.problem(&format!("{path}.{k}"), Some(fmt(*x)), TOO_LARGE);
                return None;
            }
            if *k == "sd_log" && *x > MAX_SD_LOG {
                self.problem(
                    &format!("{path}.{k}"),
                    Some(fmt(*x)),
                    format!("must be at most {MAX_SD_LOG} (a 90 % interval spanning a factor of e^33 already)"),
                );
                return None;
            }
        }
        Some((nums, pert))
    }
}
