//! The shared checks of single values: plain numbers and uncertain numbers in a domain,
//! probabilities, published series, interpolations, payment profiles and terms.

use toml::Value;

use super::Checker;
use super::dates::parse_date_str;
use crate::dist::Dist;
use crate::scenario::raw::RawValue;
use crate::scenario::{Interpolation, Param, Profile, Series, did_you_mean};

/// Allowed range of a numeric field.
#[derive(Clone, Copy)]
pub(super) enum Domain {
    /// Any finite number.
    Any,
    /// x ≥ 0 (amounts in $B, rates, multiples).
    NonNeg,
    /// x > 0.
    Positive,
    /// 0 ≤ x ≤ 1 (shares, probabilities).
    Unit,
    /// x > -1 (growth rates).
    Growth,
}

impl Domain {
    /// Whether the whole range [lo, hi] lies in the domain.
    fn contains(self, lo: f64, hi: f64) -> bool {
        match self {
            Domain::Any => true,
            Domain::NonNeg => lo >= 0.0,
            Domain::Positive => lo > 0.0,
            Domain::Unit => lo >= 0.0 && hi <= 1.0,
            Domain::Growth => lo > -1.0,
        }
    }

    /// The domain in words, for messages.
    fn allowed(self) -> &'static str {
        match self {
            Domain::Any => "any finite number",
            Domain::NonNeg => "a number ≥ 0",
            Domain::Positive => "a number > 0",
            Domain::Unit => "a number in [0, 1]",
            Domain::Growth => "a growth rate > -1, i.e. above -100 %/yr",
        }
    }

    /// A hint for a distribution that can leave the domain.
    fn fix_hint(self) -> &'static str {
        match self {
            Domain::NonNeg => {
                "; use a form that stays positive, e.g. { p5 = a, p95 = b } with a > 0, or truncate: { mean = m, sd = s, min = 0 }"
            }
            // A minimum of 0 is not enough here: the field must stay strictly above 0.
            Domain::Positive => {
                "; start it above 0: { low = a, high = b } or { p5 = a, p95 = b } with a > 0, or truncate above 0: { mean = m, sd = s, min = a } with a > 0"
            }
            Domain::Unit => {
                "; truncate it: { mean = m, sd = s, min = 0, max = 1 }, or use { low = a, high = b }"
            }
            Domain::Growth => "; truncate it: { mean = m, sd = s, min = -0.9 }",
            Domain::Any => "",
        }
    }
}

/// Largest magnitude of any number in a scenario: 1e12 ($1,000 trillion in $B, a thousand
/// times world GDP). Larger values only come from typos, and would overflow f64 in sums and
/// variances.
pub(super) const MAX_MAGNITUDE: f64 = 1e12;
/// The message for a number above [`MAX_MAGNITUDE`].
pub(super) const TOO_LARGE: &str = "is too large: numbers in a scenario must be at most 1e12 in magnitude ($B: a thousand times world GDP)";
/// Largest log-scale standard deviation of a lognormal.
pub(super) const MAX_SD_LOG: f64 = 10.0;

impl Checker {
    /// A plain number in `domain`.
    pub(super) fn number(&mut self, path: &str, x: f64, domain: Domain) -> Option<f64> {
        if !x.is_finite() {
            self.problem(path, Some(x.to_string()), "must be a finite number");
            return None;
        }
        if x.abs() > MAX_MAGNITUDE {
            self.problem(path, Some(fmt(x)), TOO_LARGE);
            return None;
        }
        if !domain.contains(x, x) {
            self.problem(path, Some(fmt(x)), format!("must be {}", domain.allowed()));
            return None;
        }
        Some(x)
    }

    /// An uncertain number: a plain number or one of the distribution forms.
    pub(super) fn param(
        &mut self,
        path: &str,
        v: &RawValue,
        domain: Domain,
        default: Option<f64>,
    ) -> Param {
        let fallback = Param {
            path: path.to_string(),
            dist: Dist::Fixed(default.unwrap_or(0.0)),
        };
        let Some(v) = v else {
            if default.is_none() {
                self.missing(path, domain.allowed());
            }
            return fallback;
        };
        match self.dist(path, v, domain) {
            Some(dist) => Param {
                path: path.to_string(),
                dist,
            },
            None => fallback,
        }
    }

    /// The distribution of an uncertain number (a number or a table), checked against `domain`.
    pub(super) fn dist(&mut self, path: &str, v: &Value, domain: Domain) -> Option<Dist> {
        let shown = Some(v.to_string());
        let dist = match v {
            Value::Integer(i) => Dist::Fixed(*i as f64),
            Value::Float(x) => Dist::Fixed(*x),
            Value::Table(t) => self.dist_table(path, t)?,
            _ => {
                self.problem(
                    path,
                    shown,
                    format!(
                        "must be a number or a distribution such as {{ low = 1, high = 2 }} ({})",
                        domain.allowed()
                    ),
                );
                return None;
            }
        };
        if let Dist::Fixed(x) = dist {
            return self.number(path, x, domain).map(Dist::Fixed);
        }
        let (lo, hi) = dist.support();
        if !domain.contains(lo, hi) {
            self.problem(
                path,
                shown,
                format!(
                    "{} can take values in [{}, {}], but this field must be {}{}",
                    dist.describe(),
                    fmt(lo),
                    fmt(hi),
                    domain.allowed(),
                    domain.fix_hint()
                ),
            );
            return None;
        }
        Some(dist)
    }

    /// A probability field: a plain number in [0, 1], kept as a Bernoulli input.
    pub(super) fn probability(
        &mut self,
        path: &str,
        p: Option<f64>,
        default: Option<f64>,
    ) -> Param {
        let p = match p.or(default) {
            Some(p) => {
                if !(0.0..=1.0).contains(&p) || p.is_nan() {
                    self.problem(path, Some(fmt(p)), "must be a probability in [0, 1]");
                    1.0
                } else {
                    p
                }
            }
            None => {
                self.missing(path, "a probability in [0, 1]");
                1.0
            }
        };
        Param {
            path: path.to_string(),
            dist: Dist::Bernoulli { p },
        }
    }

    /// A published series: date keys, values in `domain`; `None` if any point is bad.
    pub(super) fn series(
        &mut self,
        path: &str,
        t: &toml::Table,
        interp: Interpolation,
        domain: Domain,
    ) -> Option<Series> {
        let mut points = Vec::new();
        let mut ok = true;
        for (k, v) in t {
            let key_path = format!("{path}.{k}");
            let date = parse_date_str(k);
            let value = match v {
                Value::Integer(i) => Some(*i as f64),
                Value::Float(x) => Some(*x),
                _ => None,
            };
            match (date, value) {
                (Some(d), Some(x)) => {
                    if self.number(&key_path, x, domain).is_some() {
                        points.push((d, x));
                    } else {
                        ok = false;
                    }
                }
                (None, _) => {
                    self.problem(
                        &key_path,
                        None,
                        "the key must be a date such as 2027, \"2027.5\" or \"2027-Q3\"",
                    );
                    ok = false;
                }
                (_, None) => {
                    self.problem(
                        &key_path,
                        Some(v.to_string()),
                        format!("must be {}", domain.allowed()),
                    );
                    ok = false;
                }
            }
        }
        if points.is_empty() && ok {
            self.problem(
                path,
                None,
                "needs at least one point, e.g. { 2026 = 10, 2030 = 50 }",
            );
            return None;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if points.windows(2).any(|w| w[0].0 == w[1].0) {
            self.problem(path, None, "two points have the same date");
            return None;
        }
        ok.then_some(Series {
            points,
            interpolation: interp,
        })
    }

    /// `"linear"` (the default) or `"step"`.
    pub(super) fn interpolation(&mut self, path: &str, v: &Option<String>) -> Interpolation {
        match v.as_deref() {
            None | Some("linear") => Interpolation::Linear,
            Some("step") => Interpolation::Step,
            Some(other) => {
                self.problem(
                    path,
                    Some(format!("\"{other}\"")),
                    "must be \"linear\" or \"step\"",
                );
                Interpolation::Linear
            }
        }
    }

    /// A payment profile: `"flat"` (the default), `"ramp"`, `"front_loaded"` or `"back_loaded"`.
    pub(super) fn profile(&mut self, path: &str, v: &Option<String>) -> Profile {
        match v.as_deref() {
            None | Some("flat") => Profile::Flat,
            Some("ramp") => Profile::Ramp,
            Some("front_loaded") => Profile::FrontLoaded,
            Some("back_loaded") => Profile::BackLoaded,
            Some(other) => {
                let hint = did_you_mean(other, ["flat", "ramp", "front_loaded", "back_loaded"])
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default();
                self.problem(
                    path,
                    Some(format!("\"{other}\"")),
                    format!(
                        "must be \"flat\", \"ramp\", \"front_loaded\" or \"back_loaded\"{hint}"
                    ),
                );
                Profile::Flat
            }
        }
    }

    /// A contract term: at most 200 years (longer terms only come from typos).
    pub(super) fn term(&mut self, path: &str, years: f64) -> Option<f64> {
        if years > 200.0 {
            self.problem(path, Some(fmt(years)), "a term must be at most 200 years");
            return None;
        }
        Some(years)
    }
}

/// A number as messages show it: `∞` for infinity, `0 (exclusive)` for the smallest positive
/// number that stands for an open bound at 0.
pub(super) fn fmt(x: f64) -> String {
    if x == f64::INFINITY {
        "∞".to_string()
    } else if x == f64::NEG_INFINITY {
        "-∞".to_string()
    } else if x == f64::MIN_POSITIVE {
        "0 (exclusive)".to_string()
    } else {
        crate::dist::fmt_num(x)
    }
}
