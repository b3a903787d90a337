//! Dates: a year (2027), a decimal year (2027.5) or a quarter ("2027-Q3"), fixed or uncertain.

use toml::Value;

use super::Checker;
use crate::dist::Dist;
use crate::scenario::Param;
use crate::scenario::raw::RawValue;

impl Checker {
    /// A fixed date: a year, a decimal year, or "YYYY-Qn".
    pub(super) fn date(&mut self, path: &str, v: &Value) -> Option<f64> {
        let parsed = match v {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(x) if x.is_finite() => Some(*x),
            Value::String(s) => parse_date_str(s),
            _ => None,
        };
        match parsed {
            Some(d) if (1900.0..=2300.0).contains(&d) => Some(d),
            _ => {
                self.problem(
                    path,
                    Some(v.to_string()),
                    "must be a date: a year (2027), a decimal year (2027.5) or a quarter (\"2027-Q3\") between 1900 and 2300",
                );
                None
            }
        }
    }

    /// An optional fixed date.
    pub(super) fn opt_date(&mut self, path: &str, v: &RawValue) -> Option<f64> {
        v.as_ref().and_then(|v| self.date(path, v))
    }

    /// A required fixed date.
    pub(super) fn req_date(&mut self, path: &str, v: &RawValue) -> Option<f64> {
        match v {
            Some(v) => self.date(path, v),
            None => {
                self.missing(path, "a date such as 2027 or \"2027-Q3\"");
                None
            }
        }
    }

    /// An uncertain date: a fixed date or a distribution over decimal years.
    pub(super) fn date_param(&mut self, path: &str, v: &RawValue) -> Param {
        let fallback = Param {
            path: path.to_string(),
            dist: Dist::Fixed(f64::INFINITY),
        };
        match v {
            None => {
                self.missing(
                    path,
                    "a date or a distribution of dates such as { low = 2026.75, high = 2028.5 }",
                );
                fallback
            }
            Some(Value::Table(t)) => match self.dist_table(path, t) {
                Some(d) => {
                    let (lo, hi) = d.support();
                    if lo < 1900.0 || hi > 2300.0 {
                        self.problem(
                            path,
                            Some(v.as_ref().map(|v| v.to_string()).unwrap_or_default()),
                            format!(
                                "{} can take dates outside 1900–2300; truncate it or use {{ low, high }}",
                                d.describe()
                            ),
                        );
                        fallback
                    } else {
                        Param {
                            path: path.to_string(),
                            dist: d,
                        }
                    }
                }
                None => fallback,
            },
            Some(v) => match self.date(path, v) {
                Some(d) => Param {
                    path: path.to_string(),
                    dist: Dist::Fixed(d),
                },
                None => fallback,
            },
        }
    }
}

/// Parses "2027", "2027.5" or "2027-Q3".
pub(super) fn parse_date_str(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some((y, q)) = s.split_once("-Q").or_else(|| s.split_once("-q")) {
        let y: i32 = y.parse().ok()?;
        let q: i32 = q.parse().ok()?;
        return (1..=4)
            .contains(&q)
            .then(|| y as f64 + (q - 1) as f64 / 4.0);
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_date_str;

    #[test]
    fn parses_dates() {
        assert_eq!(parse_date_str("2027"), Some(2027.0));
        assert_eq!(parse_date_str("2027.5"), Some(2027.5));
        assert_eq!(parse_date_str("2027-Q3"), Some(2027.5));
        assert_eq!(parse_date_str("2027-Q5"), None);
        assert_eq!(parse_date_str("soon"), None);
    }
}
