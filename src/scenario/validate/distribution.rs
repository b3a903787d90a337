//! The distribution forms of an uncertain number, written as a table: `{ low, high }`,
//! `{ low, mode, high }` (add `pert = true`), `{ p5, p95 }`, `{ mean, sd }` (optional `min`,
//! `max`), `{ median, sd_log }` and `{ p }`.

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
        let min = self.nums.get("min").copied().unwrap_or(f64::NEG_INFINITY);
        let max = self.nums.get("max").copied().unwrap_or(f64::INFINITY);
        if min >= max {
            c.problem(
                path,
                self.shown.clone(),
                format!("min ({}) must be less than max ({})", fmt(min), fmt(max)),
            );
            return None;
        }
        Some(Dist::Normal {
            mean: self.g("mean"),
            sd: self.g("sd"),
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

impl Checker {
    /// A distribution written as a table, e.g. `{ low = 1, high = 2 }`.
    pub(super) fn dist_table(&mut self, path: &str, t: &toml::Table) -> Option<Dist> {
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
            _ => {
                self.problem(
                    path,
                    form.shown,
                    "is not a distribution; use { low, high }, { low, mode, high } (add pert = true), \
                     { p5, p95 }, { mean, sd } (optional min, max), { median, sd_log } or { p }",
                );
                None
            }
        }
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
