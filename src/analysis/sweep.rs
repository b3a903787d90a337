//! One input across values, all on the same seed, and the goal seek on a target.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::engine::{RunConfig, RunError, simulate};
use crate::model::Model;
use crate::scenario::ScenarioError;
use crate::summary::{Summary, summarize};

/// Why a sweep or a seek failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The scenario with a swept value is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The sweep or target is malformed.
    #[error("{0}")]
    Spec(String),
}

/// One point of a sweep.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SweepPoint {
    /// The input's value.
    pub value: f64,
    /// P(shortfall).
    pub shortfall_probability: f64,
    /// Its 95 % interval.
    pub shortfall_probability_ci95: [f64; 2],
    /// Mean gap, $B.
    pub gap_mean: f64,
    /// Its standard error, $B.
    pub gap_mean_se: f64,
    /// Gap quantiles p50, p90, p95, $B.
    pub gap_p50: f64,
    /// 90th percentile, $B.
    pub gap_p90: f64,
    /// 95th percentile, $B.
    pub gap_p95: f64,
    /// P(shortfall by the end of each report year), in report-year order.
    pub shortfall_probability_by_year: Vec<(String, f64)>,
    /// Their 95 % Wilson intervals, in the same order.
    pub shortfall_probability_by_year_ci95: Vec<(String, [f64; 2])>,
    /// 95 % intervals of the gap's p50, p90 and p95, $B (order statistics).
    pub gap_quantiles_ci95: [[f64; 2]; 3],
}

impl SweepPoint {
    fn of(value: f64, s: &Summary) -> SweepPoint {
        let q = |k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
        let ci = |k: &str| {
            s.gap
                .quantiles_ci95
                .get(k)
                .copied()
                .unwrap_or([f64::NAN; 2])
        };
        SweepPoint {
            value,
            shortfall_probability: s.shortfall_probability.estimate,
            shortfall_probability_ci95: s.shortfall_probability.ci95,
            gap_mean: s.gap.mean,
            gap_mean_se: s.gap.std_error,
            gap_p50: q("p50"),
            gap_p90: q("p90"),
            gap_p95: q("p95"),
            shortfall_probability_by_year: s
                .gap_by_year
                .iter()
                .map(|(y, g)| (y.clone(), g.shortfall_probability.estimate))
                .collect(),
            shortfall_probability_by_year_ci95: s
                .gap_by_year
                .iter()
                .map(|(y, g)| (y.clone(), g.shortfall_probability.ci95))
                .collect(),
            gap_quantiles_ci95: [ci("p50"), ci("p90"), ci("p95")],
        }
    }

    /// The 95 % interval of a target's metric at this point: the Wilson interval of a
    /// probability, mean ± 1.96 s.e. for the mean gap, the order-statistic interval of a
    /// quantile.
    pub fn metric_ci95(&self, m: &Metric) -> [f64; 2] {
        match m {
            Metric::ShortfallProbability => self.shortfall_probability_ci95,
            Metric::ShortfallProbabilityBy(y) => self
                .shortfall_probability_by_year_ci95
                .iter()
                .find(|(k, _)| k == y)
                .map_or([f64::NAN; 2], |(_, c)| *c),
            Metric::GapMean => [
                self.gap_mean - Z95 * self.gap_mean_se,
                self.gap_mean + Z95 * self.gap_mean_se,
            ],
            Metric::GapP50 => self.gap_quantiles_ci95[0],
            Metric::GapP90 => self.gap_quantiles_ci95[1],
            Metric::GapP95 => self.gap_quantiles_ci95[2],
        }
    }

    /// The value of a target's metric at this point.
    pub fn metric(&self, m: &Metric) -> f64 {
        match m {
            Metric::ShortfallProbability => self.shortfall_probability,
            Metric::ShortfallProbabilityBy(y) => self
                .shortfall_probability_by_year
                .iter()
                .find(|(k, _)| k == y)
                .map_or(f64::NAN, |(_, p)| *p),
            Metric::GapMean => self.gap_mean,
            Metric::GapP50 => self.gap_p50,
            Metric::GapP90 => self.gap_p90,
            Metric::GapP95 => self.gap_p95,
        }
    }
}

/// The normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A result a target can be put on; serialized as its name in a target
/// (`shortfall_probability_2030`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "String")]
pub enum Metric {
    /// P(shortfall) over the horizon.
    ShortfallProbability,
    /// P(shortfall) by the end of a report year.
    ShortfallProbabilityBy(String),
    /// Mean gap.
    GapMean,
    /// Median gap.
    GapP50,
    /// 90th percentile of the gap.
    GapP90,
    /// 95th percentile of the gap.
    GapP95,
}

impl From<Metric> for String {
    fn from(m: Metric) -> String {
        m.name()
    }
}

impl Metric {
    /// The metric's name as a target writes it, e.g. `shortfall_probability_2030`.
    pub fn name(&self) -> String {
        match self {
            Metric::ShortfallProbability => "shortfall_probability".to_string(),
            Metric::ShortfallProbabilityBy(y) => format!("shortfall_probability_{y}"),
            Metric::GapMean => "gap_mean".to_string(),
            Metric::GapP50 => "gap_p50".to_string(),
            Metric::GapP90 => "gap_p90".to_string(),
            Metric::GapP95 => "gap_p95".to_string(),
        }
    }
}

/// A target such as `shortfall_probability<=0.1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The metric.
    pub metric: Metric,
    /// `true` for `<=`, `false` for `>=`.
    pub at_most: bool,
    /// The bound.
    pub bound: f64,
    /// As written.
    pub text: String,
}

impl Target {
    /// Parses `METRIC<=X` or `METRIC>=X`; metrics: `shortfall_probability`,
    /// `shortfall_probability_2030` (any report year), `gap_mean`, `gap_p50`, `gap_p90`,
    /// `gap_p95`.
    ///
    /// # Errors
    /// A message naming what is wrong and what is allowed.
    pub fn parse(text: &str) -> Result<Target, String> {
        let allowed = "shortfall_probability, shortfall_probability_<year>, gap_mean, gap_p50, gap_p90 or gap_p95";
        let (name, at_most, bound) = if let Some((a, b)) = text.split_once("<=") {
            (a, true, b)
        } else if let Some((a, b)) = text.split_once(">=") {
            (a, false, b)
        } else {
            return Err(format!(
                "--target {text}: expected METRIC<=VALUE or METRIC>=VALUE, e.g. \"shortfall_probability<=0.1\""
            ));
        };
        let bound: f64 = bound
            .trim()
            .parse()
            .map_err(|_| format!("--target {text}: '{}' is not a number", bound.trim()))?;
        let metric = match name.trim() {
            "shortfall_probability" => Metric::ShortfallProbability,
            "gap_mean" => Metric::GapMean,
            "gap_p50" => Metric::GapP50,
            "gap_p90" => Metric::GapP90,
            "gap_p95" => Metric::GapP95,
            other => match other.strip_prefix("shortfall_probability_") {
                Some(y) if y.parse::<i32>().is_ok() => {
                    Metric::ShortfallProbabilityBy(y.to_string())
                }
                _ => {
                    return Err(format!(
                        "--target {text}: unknown metric '{other}'; use {allowed}"
                    ));
                }
            },
        };
        Ok(Target {
            metric,
            at_most,
            bound,
            text: text.to_string(),
        })
    }

    /// Checks that a target on a report year names one of the `report_years` of `scenario`:
    /// otherwise its metric is missing at every point, and no value could ever meet it.
    ///
    /// # Errors
    /// A message naming the report years there are.
    pub fn check_report_years(&self, scenario: &str, report_years: &[i32]) -> Result<(), String> {
        let Metric::ShortfallProbabilityBy(year) = &self.metric else {
            return Ok(());
        };
        if report_years.iter().any(|y| y.to_string() == *year) {
            return Ok(());
        }
        let text = &self.text;
        if report_years.is_empty() {
            return Err(format!(
                "--target {text}: {scenario} has no report years (time.report_years is empty); put the target on shortfall_probability"
            ));
        }
        let years: Vec<String> = report_years.iter().map(i32::to_string).collect();
        let metrics: Vec<String> = years
            .iter()
            .map(|y| format!("shortfall_probability_{y}"))
            .collect();
        Err(format!(
            "--target {text}: {year} is not a report year of {scenario} (time.report_years: {}); use {}{}",
            years.join(", "),
            if metrics.len() > 1 { "one of " } else { "" },
            metrics.join(", ")
        ))
    }

    /// Whether a point meets the target.
    pub fn met(&self, p: &SweepPoint) -> bool {
        let v = p.metric(&self.metric);
        if self.at_most {
            v <= self.bound
        } else {
            v >= self.bound
        }
    }
}

/// Parses a sweep spec `PATH=LO:HI:N` or `PATH=V1,V2,...` into the path and the values.
///
/// # Errors
/// A message with the bad part and the accepted forms.
pub fn parse_sweep(spec: &str) -> Result<(String, Vec<f64>), String> {
    let forms = "use PATH=LO:HI:N (N ≥ 2 evenly spaced values) or PATH=V1,V2,...";
    let (path, values) = spec
        .split_once('=')
        .ok_or_else(|| format!("--set {spec}: expected PATH=LO:HI:N or PATH=V1,V2,..."))?;
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("--set {spec}: '{}' is not a number; {forms}", s.trim()))
    };
    let values = if values.contains(':') {
        let parts: Vec<&str> = values.split(':').collect();
        if parts.len() != 3 {
            return Err(format!("--set {spec}: {forms}"));
        }
        let (lo, hi) = (num(parts[0])?, num(parts[1])?);
        let n: usize = parts[2]
            .trim()
            .parse()
            .ok()
            .filter(|n| (2..=1000).contains(n))
            .ok_or_else(|| format!("--set {spec}: N must be a whole number from 2 to 1000"))?;
        if hi <= lo {
            return Err(format!("--set {spec}: HI must be greater than LO"));
        }
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect()
    } else {
        let mut v = values.split(',').map(num).collect::<Result<Vec<_>, _>>()?;
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    if values.is_empty() {
        return Err(format!("--set {spec}: no values; {forms}"));
    }
    Ok((path.trim().to_string(), values))
}

/// The result of a sweep.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sweep {
    /// Scenario name.
    pub scenario: String,
    /// The swept input's path.
    pub path: String,
    /// Trials per point.
    pub trials: u64,
    /// Seed (the same for every point).
    pub seed: u64,
    /// What produced the sweep: the scenario's files and hashes, every `--set` as typed (the
    /// swept range included), version, commit.
    pub provenance: crate::summary::Provenance,
    /// The points, by value.
    pub points: Vec<SweepPoint>,
    /// The goal seek, if a target was given.
    pub seek: Option<Seek>,
}

/// The outcome of a goal seek.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Seek {
    /// The target as written.
    pub target: String,
    /// The target's metric, e.g. `shortfall_probability_2030`.
    pub metric: Metric,
    /// The smallest value found that meets it, if any in the range.
    pub value: Option<f64>,
    /// The metric at that value.
    pub metric_at_value: Option<f64>,
    /// A 95 % interval for the value from the Monte Carlo error of the metric: where the
    /// metric's own 95 % interval at each value run (grid and bisection) crosses the bound,
    /// its favourable end giving the low end and its unfavourable end the high end
    /// (linearly interpolated between neighbouring values). `null` at the low end: at or below
    /// the lowest value swept; `null` at the high end: above the highest. Both `null` when no
    /// value meets the target.
    pub value_ci95: [Option<f64>; 2],
    /// Extra runs made by the bisection.
    pub runs: usize,
    /// What happened, in words.
    pub note: String,
    /// Every value run, the grid's and the bisection's, ascending, with the metric there.
    pub evaluated: Vec<MetricAt>,
}

/// A target's metric at one value of the swept input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricAt {
    /// The swept input's value.
    pub value: f64,
    /// The metric.
    pub metric: f64,
    /// Its 95 % interval ([`SweepPoint::metric_ci95`]).
    pub metric_ci95: [f64; 2],
}

/// Builds the model for one value of the swept input.
pub type Builder<'a> = dyn Fn(f64) -> Result<Model, ScenarioError> + 'a;

/// One run of the sweep; `cancel` is checked before it too, since a run of one batch ends
/// without seeing it.
/// Runs the scenario with the swept input at `value` (one point of a sweep).
///
/// # Errors
/// [`AnalysisError`] if the scenario is invalid there, or the run fails or is cancelled.
pub fn point(
    build: &Builder<'_>,
    value: f64,
    cfg: &RunConfig,
    cancel: Option<&AtomicBool>,
) -> Result<SweepPoint, AnalysisError> {
    if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
        return Err(RunError::Cancelled {
            done: 0,
            total: cfg.trials,
        }
        .into());
    }
    let model = build(value)?;
    let run = simulate(&model, cfg, &|_| {}, None, cancel)?;
    Ok(SweepPoint::of(value, &summarize(&model, &run)))
}

/// Runs one point per value, on the same seed; `cancel`, when set, stops it at the next
/// batch of trials.
///
/// # Errors
/// [`AnalysisError`] if a value makes the scenario invalid or a run fails.
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    name: &str,
    provenance: crate::summary::Provenance,
    path: &str,
    values: &[f64],
    build: &Builder<'_>,
    cfg: &RunConfig,
    target: Option<&Target>,
    progress: &dyn Fn(usize, usize),
    cancel: Option<&AtomicBool>,
) -> Result<Sweep, AnalysisError> {
    let mut points = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        points.push(point(build, v, cfg, cancel)?);
        progress(i + 1, values.len());
    }
    assemble(name, provenance, path, points, build, cfg, target, cancel)
}

/// A sweep from its points (run here, or by `sweep --point K` jobs and merged): the seek on
/// `target`, if any, runs its extra points with `build`.
///
/// # Errors
/// [`AnalysisError`] if a run of the seek fails or is cancelled.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    name: &str,
    provenance: crate::summary::Provenance,
    path: &str,
    points: Vec<SweepPoint>,
    build: &Builder<'_>,
    cfg: &RunConfig,
    target: Option<&Target>,
    cancel: Option<&AtomicBool>,
) -> Result<Sweep, AnalysisError> {
    let seek = match target {
        Some(t) => Some(seek(&points, build, cfg, t, cancel)?),
        None => None,
    };
    Ok(Sweep {
        scenario: name.to_string(),
        path: path.to_string(),
        trials: cfg.trials,
        seed: cfg.seed,
        provenance,
        points,
        seek,
    })
}

/// The smallest value meeting `target`: the first grid point that meets it, refined by
/// bisection against the point before it (assuming the paired curve is monotone between them),
/// with the interval of [`Seek::value_ci95`]. `cancel`, when set, stops it at the next batch
/// of trials.
///
/// # Errors
/// [`AnalysisError`] if a run fails or is cancelled.
pub fn seek(
    points: &[SweepPoint],
    build: &Builder<'_>,
    cfg: &RunConfig,
    target: &Target,
    cancel: Option<&AtomicBool>,
) -> Result<Seek, AnalysisError> {
    let m = &target.metric;
    let at = |p: &SweepPoint| MetricAt {
        value: p.value,
        metric: p.metric(m),
        metric_ci95: p.metric_ci95(m),
    };
    let mut evaluated: Vec<MetricAt> = points.iter().map(at).collect();
    let first_met = points.iter().position(|p| target.met(p));
    let (value, metric_at_value, runs, note) = match first_met {
        None => (
            None,
            None,
            0,
            format!("no swept value meets {}: widen the range", target.text),
        ),
        Some(0) => (
            Some(points[0].value),
            Some(points[0].metric(m)),
            0,
            format!(
                "already met at the lowest value swept ({}); sweep lower values to find the threshold",
                crate::dist::fmt_num(points[0].value)
            ),
        ),
        Some(i) => {
            let (mut lo, mut hi) = (points[i - 1].value, points[i].value);
            let mut at_hi = points[i].metric(m);
            let tol = (hi - lo).abs() * 1e-3;
            let mut runs = 0;
            while hi - lo > tol && runs < 14 {
                let mid = 0.5 * (lo + hi);
                let p = point(build, mid, cfg, cancel)?;
                runs += 1;
                evaluated.push(at(&p));
                if target.met(&p) {
                    hi = mid;
                    at_hi = p.metric(m);
                } else {
                    lo = mid;
                }
            }
            let note = format!(
                "smallest value meeting {}: {} (bisection to within {})",
                target.text,
                crate::dist::fmt_num(hi),
                crate::dist::fmt_num(hi - lo)
            );
            (Some(hi), Some(at_hi), runs, note)
        }
    };
    evaluated.sort_by(|a, b| a.value.total_cmp(&b.value));
    let value_ci95 = if value.is_some() {
        value_interval(&evaluated, target)
    } else {
        [None, None]
    };
    Ok(Seek {
        target: target.text.clone(),
        metric: m.clone(),
        value,
        metric_at_value,
        value_ci95,
        runs,
        note,
        evaluated,
    })
}

/// Where a curve first meets a target, over values in ascending order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Crossing {
    /// Already at the lowest value.
    Below,
    /// Between two values run, interpolated.
    At(f64),
    /// Not in the range.
    Above,
}

/// The first value at which `band` (one end of the metric's interval) meets the target,
/// interpolated linearly between the last value that does not and the first that does.
fn crossing(evaluated: &[MetricAt], target: &Target, band: impl Fn(&MetricAt) -> f64) -> Crossing {
    let meets = |v: f64| {
        if target.at_most {
            v <= target.bound
        } else {
            v >= target.bound
        }
    };
    match evaluated.iter().position(|e| meets(band(e))) {
        None => Crossing::Above,
        Some(0) => Crossing::Below,
        Some(i) => {
            let (a, b) = (&evaluated[i - 1], &evaluated[i]);
            let (fa, fb) = (band(a), band(b));
            let w = if fb != fa && (fb - fa).is_finite() {
                ((target.bound - fa) / (fb - fa)).clamp(0.0, 1.0)
            } else {
                1.0
            };
            Crossing::At(a.value + w * (b.value - a.value))
        }
    }
}

/// The 95 % interval of the value that meets the target (see [`Seek::value_ci95`]): the
/// crossing of the metric's favourable interval end (the low end for `<=`) gives the low end,
/// that of the unfavourable end the high end.
fn value_interval(evaluated: &[MetricAt], target: &Target) -> [Option<f64>; 2] {
    let (fav, unfav) = if target.at_most { (0, 1) } else { (1, 0) };
    let low = match crossing(evaluated, target, |e| e.metric_ci95[fav]) {
        Crossing::At(v) => Some(v),
        Crossing::Below | Crossing::Above => None,
    };
    let high = match crossing(evaluated, target, |e| e.metric_ci95[unfav]) {
        Crossing::At(v) => Some(v),
        // Met with room to spare at the lowest value: the high end is at most that value.
        Crossing::Below => evaluated.first().map(|e| e.value),
        Crossing::Above => None,
    };
    [low, high]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sweeps_and_targets() {
        assert_eq!(
            parse_sweep("a.b=10:50:5"),
            Ok(("a.b".to_string(), vec![10.0, 20.0, 30.0, 40.0, 50.0]))
        );
        assert_eq!(
            parse_sweep("a.b=3,1,2"),
            Ok(("a.b".to_string(), vec![1.0, 2.0, 3.0]))
        );
        assert!(parse_sweep("a.b=5:1:3").is_err());
        assert!(parse_sweep("a.b=1:2:1").is_err());
        assert!(parse_sweep("a.b").is_err());
        assert!(parse_sweep("a.b=x,2").is_err());
        let t = Target::parse("shortfall_probability<=0.1").unwrap_or_else(|e| panic!("{e}"));
        assert!(t.at_most && t.bound == 0.1 && t.metric == Metric::ShortfallProbability);
        let t =
            Target::parse("shortfall_probability_2030 <= 0.25").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.metric, Metric::ShortfallProbabilityBy("2030".into()));
        assert_eq!(t.check_report_years("s", &[2028, 2030]), Ok(()));
        let e = t.check_report_years("s", &[2028]);
        assert!(
            e.as_ref().is_err_and(
                |e| e.contains("2030 is not a report year of s (time.report_years: 2028)")
            ),
            "{e:?}"
        );
        assert!(t.check_report_years("s", &[]).is_err());
        let any = Target::parse("gap_mean<=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(any.check_report_years("s", &[]), Ok(()));
        assert!(Target::parse("gap>=").is_err());
        assert!(Target::parse("speed<=3").is_err());
        assert_eq!(t.metric.name(), "shortfall_probability_2030");
    }

    /// A metric 1 − v/100 known to ± 0.02: the target ≤ 0.1 is met from 90, and the
    /// interval's ends are where 1 − v/100 ∓ 0.02 cross 0.1: 88 and 92.
    #[test]
    fn the_interval_of_a_solved_value_is_where_the_metric_band_crosses() {
        let evaluated: Vec<MetricAt> = (0..=10)
            .map(|i| {
                let v = 10.0 * f64::from(i);
                let m = 1.0 - v / 100.0;
                MetricAt {
                    value: v,
                    metric: m,
                    metric_ci95: [m - 0.02, m + 0.02],
                }
            })
            .collect();
        let at_most = Target::parse("shortfall_probability<=0.1").unwrap_or_else(|e| panic!("{e}"));
        let [lo, hi] = value_interval(&evaluated, &at_most);
        assert!((lo.unwrap_or(f64::NAN) - 88.0).abs() < 1e-9, "{lo:?}");
        assert!((hi.unwrap_or(f64::NAN) - 92.0).abs() < 1e-9, "{hi:?}");
        // ≥ 0.97 is met by the falling curve, band and all, already at the lowest value.
        let at_least =
            Target::parse("shortfall_probability>=0.97").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value_interval(&evaluated, &at_least), [None, Some(0.0)]);
        // A bound no value's band reaches leaves the high end open.
        let far = Target::parse("shortfall_probability<=0.01").unwrap_or_else(|e| panic!("{e}"));
        let [lo, hi] = value_interval(&evaluated, &far);
        assert!((lo.unwrap_or(f64::NAN) - 97.0).abs() < 1e-9, "{lo:?}");
        assert_eq!(hi, None);
    }
}
