//! Precision targets (`--precision 'gap.mean.se<=1'`): what a run must estimate how well, read
//! off a finished summary.
//!
//! A target is `STATISTIC.MEASURE<=LIMIT`:
//!
//! | statistic | measures |
//! | --- | --- |
//! | `gap.mean`, `gap_YYYY.mean`, `deficit.mean`, `deficit_YYYY.mean` ($B) | `se`, `ci95_width` |
//! | `gap.pNN`, `gap_YYYY.pNN`, `deficit.pNN`, `deficit_YYYY.pNN` (NN = 5, 10, 25, 50, 75, 90, 95, 99; $B) | `ci95_width` |
//! | `shortfall_probability`, `shortfall_probability_YYYY` | `ci95_width` |
//!
//! YYYY is a report year of the scenario. `se` is the summary's standard error of the mean;
//! `ci95_width` is the width of the summary's 95 % interval (for a mean, 2·z·se with z = 1.96,
//! or t_(R−1, 0.975) for a Latin hypercube or RQMC run).

use serde::Serialize;

use super::{GAP_LEVELS, GapStats, Summary, YearGap};

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Standard error of a mean.
    Se,
    /// Width of a 95 % interval.
    Ci95Width,
}

/// Which estimate a target is about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Estimate {
    /// The mean of the gap (or deficit), over the horizon or by a report year.
    Mean { deficit: bool, year: Option<i32> },
    /// A quantile of the gap (or deficit), by its name (`p90`).
    Quantile {
        deficit: bool,
        year: Option<i32>,
        name: &'static str,
    },
    /// P(shortfall), over the horizon or by a report year.
    Shortfall { year: Option<i32> },
}

/// One precision target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// As written, e.g. `gap.mean.se<=1`.
    pub text: String,
    estimate: Estimate,
    measure: Measure,
    /// The largest acceptable value.
    pub limit: f64,
}

/// Every form a target can take, for error messages.
pub const TARGET_FORMS: &str = "STATISTIC.MEASURE<=LIMIT, where STATISTIC.MEASURE is one of \
gap.mean.se, gap.mean.ci95_width, gap.pNN.ci95_width (NN: 5, 10, 25, 50, 75, 90, 95, 99), \
shortfall_probability.ci95_width, the same by a report year (gap_2030.mean.se, \
gap_2030.p90.ci95_width, shortfall_probability_2030.ci95_width), or deficit in place of gap; \
LIMIT is a positive number ($B, or a probability)";

/// A target that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("--precision '{text}': {why}; the forms are {TARGET_FORMS}")]
pub struct TargetError {
    /// The target as written.
    pub text: String,
    /// What is wrong.
    pub why: String,
}

impl Target {
    /// Reads a target.
    ///
    /// # Errors
    /// [`TargetError`] naming what is wrong and listing every form.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let err = |why: &str| TargetError {
            text: text.to_string(),
            why: why.to_string(),
        };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, limit) = compact
            .split_once("<=")
            .ok_or_else(|| err("no '<=' between the statistic and its limit"))?;
        let limit: f64 = limit
            .parse()
            .map_err(|_| err(&format!("the limit '{limit}' is not a number")))?;
        if !(limit.is_finite() && limit > 0.0) {
            return Err(err(&format!("the limit {limit} is not a positive number")));
        }
        let (stat, measure) = lhs
            .rsplit_once('.')
            .ok_or_else(|| err("no measure (.se or .ci95_width) after the statistic"))?;
        let measure = match measure {
            "se" => Measure::Se,
            "ci95_width" => Measure::Ci95Width,
            m => return Err(err(&format!("unknown measure '{m}'"))),
        };
        let year_of = |rest: &str| -> Result<Option<i32>, TargetError> {
            match rest.strip_prefix('_') {
                None if rest.is_empty() => Ok(None),
                Some(y) => y
                    .parse()
                    .map(Some)
                    .map_err(|_| err(&format!("'{y}' is not a year"))),
                None => Err(err(&format!("unknown statistic '{stat}'"))),
            }
        };
        let estimate = if let Some(rest) = stat.strip_prefix("shortfall_probability") {
            Estimate::Shortfall {
                year: year_of(rest)?,
            }
        } else {
            let (deficit, rest) = if let Some(r) = stat.strip_prefix("gap") {
                (false, r)
            } else if let Some(r) = stat.strip_prefix("deficit") {
                (true, r)
            } else {
                return Err(err(&format!("unknown statistic '{stat}'")));
            };
            let (year, what) = rest
                .rsplit_once('.')
                .ok_or_else(|| err(&format!("'{stat}' names no estimate (.mean or .pNN)")))?;
            let year = year_of(year)?;
            if what == "mean" {
                Estimate::Mean { deficit, year }
            } else {
                let name = GAP_LEVELS
                    .iter()
                    .find(|(n, _)| *n == what)
                    .map(|(n, _)| *n)
                    .ok_or_else(|| err(&format!("unknown estimate '{what}'")))?;
                Estimate::Quantile {
                    deficit,
                    year,
                    name,
                }
            }
        };
        if measure == Measure::Se && !matches!(estimate, Estimate::Mean { .. }) {
            return Err(err(
                "`se` is the standard error of a mean; use ci95_width for a quantile or a probability",
            ));
        }
        Ok(Target {
            text: compact,
            estimate,
            measure,
            limit,
        })
    }

    /// The report years this target names that `years` lacks.
    pub fn unknown_year(&self, years: &[i32]) -> Option<i32> {
        let year = match self.estimate {
            Estimate::Mean { year, .. }
            | Estimate::Quantile { year, .. }
            | Estimate::Shortfall { year } => year,
        };
        year.filter(|y| !years.contains(y))
    }

    /// The target's measure in `s` (`None` if `s` lacks the year).
    pub fn value(&self, s: &Summary) -> Option<f64> {
        let z = s.sampling.as_ref().map_or(crate::stats::Z_95, |p| p.t95);
        let by_year = |deficit: bool, year: Option<i32>| -> Option<&GapStats> {
            match (deficit, year) {
                (false, None) => Some(&s.gap),
                (true, None) => Some(&s.deficit),
                (false, Some(y)) => s.gap_by_year.get(&y.to_string()).map(|g| &g.gap),
                (true, Some(y)) => s.deficit_by_year.get(&y.to_string()).map(|g| &g.gap),
            }
        };
        match &self.estimate {
            Estimate::Mean { deficit, year } => {
                let se = by_year(*deficit, *year)?.std_error;
                Some(match self.measure {
                    Measure::Se => se,
                    Measure::Ci95Width => 2.0 * z * se,
                })
            }
            Estimate::Quantile {
                deficit,
                year,
                name,
            } => {
                let [lo, hi] = *by_year(*deficit, *year)?.quantiles_ci95.get(*name)?;
                Some(hi - lo)
            }
            Estimate::Shortfall { year } => {
                let p = match year {
                    None => &s.shortfall_probability,
                    Some(y) => {
                        let g: &YearGap = s.gap_by_year.get(&y.to_string())?;
                        &g.shortfall_probability
                    }
                };
                Some(p.ci95[1] - p.ci95[0])
            }
        }
    }
}

/// How a precision run went.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PrecisionOutcome {
    /// Every target met (else the trial cap stopped the run).
    pub met: bool,
    /// Trials of the final round (the run whose results these are).
    pub trials: u64,
    /// The cap on trials.
    pub max_trials: u64,
    /// Trials of each round, in order.
    pub rounds: Vec<u64>,
    /// Each target with its final value.
    pub targets: Vec<TargetOutcome>,
}

/// One target's result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetOutcome {
    /// As written.
    pub target: String,
    /// Its measure in the final round.
    pub value: f64,
    /// Its limit.
    pub limit: f64,
    /// Whether value ≤ limit.
    pub met: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_refuse() {
        let t = Target::parse("gap.mean.se <= 1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.text, "gap.mean.se<=1");
        assert_eq!(t.limit, 1.0);
        assert!(Target::parse("shortfall_probability_2030.ci95_width<=0.002").is_ok());
        assert!(Target::parse("gap_2030.p90.ci95_width<=5").is_ok());
        assert!(Target::parse("deficit.mean.ci95_width<=5").is_ok());
        for bad in [
            "gap.mean.se",
            "gap.mean.se<=0",
            "gap.mean.se<=x",
            "gap.mean.sd<=1",
            "gap.p91.ci95_width<=1",
            "gap.p90.se<=1",
            "shortfall_probability.se<=0.01",
            "cash.mean.se<=1",
            "gap_20x0.mean.se<=1",
        ] {
            match Target::parse(bad) {
                Err(e) => assert!(e.to_string().contains("the forms are"), "{bad}: {e}"),
                Ok(t) => panic!("{bad} was read as {t:?}"),
            }
        }
        assert_eq!(
            Target::parse("gap_2031.mean.se<=1")
                .map(|t| t.unknown_year(&[2030]))
                .ok()
                .flatten(),
            Some(2031)
        );
    }
}
