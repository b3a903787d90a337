//! The statistics of a run, as plain data: what `summary.json` holds and the terminal prints.
//!
//! Every estimate carries its Monte Carlo error: a Wilson interval for probabilities, the
//! standard error for means, an order-statistic interval for quantiles. Nothing here depends
//! on timing, so the summary of a seed is the same, byte for byte, on any machine and at any
//! thread count.

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::{Accum, BandQuantiles, RunResult};
use crate::model::Model;
use crate::sim::{METRIC_NAMES, metric};
use crate::stats::{Moments, Sketch, wilson};

mod checks;
pub mod precision;
mod replicated;
pub use checks::CheckResult;
pub use replicated::{Sampling, replicate_se};

/// Quantile levels reported for the gap.
pub const GAP_LEVELS: [(&str, f64); 8] = [
    ("p5", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// A probability with its 95 % Wilson interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Probability {
    /// Share of trials.
    pub estimate: f64,
    /// 95 % Wilson score interval.
    pub ci95: [f64; 2],
}

impl Probability {
    fn new(k: u64, n: u64) -> Probability {
        let (lo, hi) = wilson(k, n);
        Probability {
            estimate: if n == 0 { 0.0 } else { k as f64 / n as f64 },
            ci95: [lo, hi],
        }
    }
}

/// Distribution of a funding gap ($B; zeros, i.e. no shortfall, included).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GapStats {
    /// Mean gap, $B.
    pub mean: f64,
    /// Standard error of the mean, $B.
    pub std_error: f64,
    /// Mean gap among trials with a shortfall, $B (0 if none).
    pub mean_given_shortfall: f64,
    /// Expected gap in the worst 5 % of trials (CVaR 95 %), $B.
    pub cvar95: f64,
    /// Quantiles p5 … p99, $B (type-7 interpolation).
    pub quantiles: IndexMap<String, f64>,
    /// 95 % intervals of those quantiles, $B.
    pub quantiles_ci95: IndexMap<String, [f64; 2]>,
}

impl GapStats {
    fn new(m: &Moments, s: &Sketch, shortfalls: u64) -> GapStats {
        let mut quantiles = IndexMap::new();
        let mut quantiles_ci95 = IndexMap::new();
        for (name, p) in GAP_LEVELS {
            quantiles.insert(name.to_string(), s.quantile(p));
            let (lo, hi) = s.quantile_ci(p);
            quantiles_ci95.insert(name.to_string(), [lo, hi]);
        }
        GapStats {
            mean: m.mean,
            std_error: m.std_error(),
            mean_given_shortfall: if shortfalls == 0 {
                0.0
            } else {
                m.mean * m.n as f64 / shortfalls as f64
            },
            cvar95: s.upper_tail_mean(0.05),
            quantiles,
            quantiles_ci95,
        }
    }
}

/// The gap up to the end of one report year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearGap {
    /// Share of trials short of cash by the end of the year.
    pub shortfall_probability: Probability,
    /// The gap's distribution.
    #[serde(flatten)]
    pub gap: GapStats,
}

/// When the money first runs out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FirstShortfall {
    /// P(first shortfall by the end of each year), over all trials.
    pub probability_by_year: IndexMap<String, f64>,
    /// P(first shortfall at or before each time point t_0 … t_n), over all trials.
    pub cumulative: Vec<f64>,
    /// Median first-shortfall date among trials with a shortfall (decimal year).
    pub median: Option<f64>,
    /// `median` as a calendar date, `YYYY-MM-DD` (see [`calendar_date`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_date: Option<String>,
    /// Median over all trials, when more than half have a shortfall.
    pub median_all_trials: Option<f64>,
}

/// When operating cash flow (revenue − costs − obligations) turns non-negative: for good (the
/// break-even year), or for the first time (the first non-negative year).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Breakeven {
    /// P(the year is in or before each year).
    pub probability_by_year: IndexMap<String, f64>,
    /// P(no break-even year inside the horizon).
    pub never: f64,
    /// Median of the year among trials that have one.
    pub median_year: Option<i32>,
}

/// One calendar year's figures across trials: mean and standard error over all trials,
/// p5/p50/p95 over the band sample.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnnualFigures {
    /// Months of the year inside the horizon (12 unless the first or last year is partial).
    pub months: f64,
    /// Revenue booked in the year, $B.
    pub revenue: MetricStats,
    /// Revenue − other costs − obligations paid in the year, $B.
    pub operating_cash_flow: MetricStats,
    /// Other costs + obligations paid + interest − revenue, $B (negative: cash generated).
    pub net_burn: MetricStats,
    /// Obligations paid in the year, after deferral, $B.
    pub obligations_paid: MetricStats,
}

/// Mean and spread of one per-trial result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricStats {
    /// Mean.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_error: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl MetricStats {
    fn new(m: &Moments, s: &Sketch) -> MetricStats {
        MetricStats {
            mean: m.mean,
            std_error: m.std_error(),
            p5: s.quantile(0.05),
            p50: s.quantile(0.5),
            p95: s.quantile(0.95),
        }
    }
}

/// One uncertain input: its distribution and its percentiles (from the quantile function).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputSummary {
    /// Dotted path.
    pub path: String,
    /// Distribution, e.g. `uniform(10, 50)`.
    pub distribution: String,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean of the values drawn in this run.
    pub sampled_mean: f64,
    /// The scenario's comment citing where the value comes from, and any `--set` that
    /// changed it (see [`crate::scenario::Sources`]); `None` if it has neither.
    pub source: Option<String>,
}

/// Percentiles of one series at each time point.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Band {
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

/// Band percentile levels.
pub const BAND_LEVELS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

impl Band {
    /// The band of consecutive columns' quantiles, `[p5, p25, p50, p75, p95]` each.
    fn from_quantiles(q: &[[f64; 5]]) -> Band {
        let level = |l: usize| q.iter().map(|c| c[l]).collect();
        Band {
            p5: level(0),
            p25: level(1),
            p50: level(2),
            p75: level(3),
            p95: level(4),
        }
    }
}

/// Per-step percentile bands.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bands {
    /// Time points of cash: t_0 … t_n.
    pub t: Vec<f64>,
    /// Start of each step: t_0 … t_(n−1), the time points of the flows.
    pub t_flows: Vec<f64>,
    /// Trials the bands are computed from (every `stride`-th trial).
    pub trials_used: u64,
    /// Cash, $B.
    pub cash: Band,
    /// Revenue run-rate, $B/yr.
    pub revenue: Band,
    /// Obligations paid, annualised, $B/yr.
    pub obligations: Band,
    /// Other costs, annualised, $B/yr.
    pub costs: Band,
    /// Obligations plus other costs, annualised, $B/yr.
    pub outflows: Band,
    /// With `[capacity]`: capacity online, demand and what the capacity can serve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityBands>,
}

/// Per-step bands of the capacity and the revenue it can serve.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapacityBands {
    /// Capacity online at the start of each step, GW.
    pub gw: Band,
    /// Revenue demanded of the capacity-bound segments, $B/yr.
    pub demand: Band,
    /// The most revenue the capacity online can serve, $B/yr.
    pub limit: Band,
}

/// What capacity did to revenue, with `[capacity]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapacitySummary {
    /// Revenue demanded but not served for lack of capacity, over the horizon, $B.
    pub unserved_revenue: MetricStats,
    /// Capacity online but not needed, over the horizon, GW-years.
    pub idle_gw_years: MetricStats,
    /// Share of trials with some revenue unserved.
    pub probability_bound: Probability,
    /// By calendar year: demand, revenue unserved ($B), capacity online and idle (GW,
    /// averages over the year's steps).
    pub by_year: IndexMap<String, CapacityYear>,
}

/// One calendar year of [`CapacitySummary`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapacityYear {
    /// Revenue demanded of the capacity-bound segments, $B.
    pub demand: MetricStats,
    /// Revenue demanded but not served, $B.
    pub unserved_revenue: MetricStats,
    /// Capacity online, GW.
    pub capacity_gw: MetricStats,
    /// Capacity online but not needed, GW.
    pub idle_gw: MetricStats,
}

/// The deterministic obligations schedule.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Schedule {
    /// Calendar years.
    pub years: Vec<i32>,
    /// Expected payments per year by counterparty, $B (mean total × mean realized share;
    /// tied spend at its expected size; before any deferral).
    pub by_counterparty: IndexMap<String, Vec<f64>>,
    /// Sum over counterparties per year, $B.
    pub total_by_year: Vec<f64>,
    /// Sum of the contracts' headline totals, $B.
    pub headline_total: f64,
}

/// The shape of the gap's distribution, for histograms and exceedance curves.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GapDistribution {
    /// Share of trials with no gap (the point mass at 0).
    pub no_gap_share: f64,
    /// Histogram of the positive gaps: bin edges in $B.
    pub bin_edges: Vec<f64>,
    /// Share of all trials with a positive gap in each bin.
    pub bin_shares: Vec<f64>,
    /// Share of all trials with a gap beyond the last edge (the far tail, not drawn).
    pub above_range_share: f64,
    /// Gap levels x, $B, for the exceedance curves.
    pub exceedance_x: Vec<f64>,
    /// P(gap over the horizon > x).
    pub exceedance: Vec<f64>,
    /// P(gap up to the end of each report year > x).
    pub exceedance_by_year: IndexMap<String, Vec<f64>>,
}

/// A dated event to mark on time charts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Marker {
    /// What happens, e.g. "round 2026 closes".
    pub label: String,
    /// When (decimal year); for an uncertain date, its median.
    pub t: f64,
    /// For an uncertain date, its 5th and 95th percentiles.
    pub window: Option<[f64; 2]>,
}

/// What drives the gap: per-input sensitivities from the run itself.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Sensitivity {
    /// For the gap over the horizon, inputs sorted by |swing|.
    pub gap: Vec<crate::stats::sensitivity::InputSensitivity>,
    /// For the gap up to the end of each report year.
    pub by_year: IndexMap<String, Vec<crate::stats::sensitivity::InputSensitivity>>,
}

/// What produced a run: the files the scenario was read from, the overrides, the program.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Default)]
pub struct Provenance {
    /// The scenario's files: the one named first, then each file it extends, with the
    /// SHA-256 of each.
    pub scenario_files: Vec<FileHash>,
    /// Every `--set PATH=VALUE` override, as typed, in order.
    pub overrides: Vec<String>,
    /// funding-gap's version.
    pub version: String,
    /// The git commit the binary was built from, when built from a checkout.
    pub git_commit: Option<String>,
}

/// A file and the SHA-256 of its bytes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FileHash {
    /// The path as given or as `extends` resolved it.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

impl Provenance {
    /// The provenance of runs of `model` by this build of funding-gap.
    pub fn of(model: &Model) -> Provenance {
        let sc = &model.scenario;
        Provenance {
            scenario_files: sc
                .files
                .iter()
                .map(|f| FileHash {
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                })
                .collect(),
            overrides: sc.overrides.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: option_env!("FUNDING_GAP_GIT_COMMIT").map(str::to_string),
        }
    }
}

/// Everything a run found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Trials run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Start, decimal year.
    pub start: f64,
    /// End of the horizon, decimal year.
    pub end: f64,
    /// Steps per year.
    pub steps_per_year: u32,
    /// What produced the run: scenario files with their hashes, overrides, version, commit.
    pub provenance: Provenance,
    /// P(gap > 0) over the horizon.
    pub shortfall_probability: Probability,
    /// The funding gap over the horizon: the least cash added at the start that keeps every
    /// trial at or above the floor throughout, under all of its rules.
    pub gap: GapStats,
    /// The gap up to the end of each report year.
    pub gap_by_year: IndexMap<String, YearGap>,
    /// The deficit over the horizon: the deepest fall below the floor on the trial's own
    /// path (the same as the gap when nothing in the scenario reacts to cash).
    pub deficit: GapStats,
    /// The deficit up to the end of each report year.
    pub deficit_by_year: IndexMap<String, YearGap>,
    /// When the money first runs out.
    pub first_shortfall: FirstShortfall,
    /// Break-even year: the first year from which operating cash flow stays non-negative to
    /// the end of the horizon.
    pub breakeven: Breakeven,
    /// The first year with non-negative operating cash flow (later years may burn again).
    pub first_nonnegative_year: Breakeven,
    /// Revenue, operating cash flow and net burn by calendar year.
    pub annual: IndexMap<String, AnnualFigures>,
    /// With `[capacity]`: revenue left unserved and capacity idle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacitySummary>,
    /// P(IPO inside the horizon).
    pub ipo_probability: Probability,
    /// Other per-trial results ($B).
    pub metrics: IndexMap<String, MetricStats>,
    /// The uncertain inputs.
    pub inputs: Vec<InputSummary>,
    /// Expected obligations by year and counterparty.
    pub obligations_schedule: Schedule,
    /// Per-step percentile bands.
    pub bands: Bands,
    /// Median cash floor, $B.
    pub cash_floor: f64,
    /// Round closes and the IPO window, for time charts.
    pub timeline: Vec<Marker>,
    /// Histogram and exceedance curves of the gap.
    pub gap_distribution: GapDistribution,
    /// What drives the gap.
    pub sensitivity: Sensitivity,
    /// The scenario's published figures checked against the run (none: omitted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckResult>,
    /// How the inputs were sampled and where the errors come from, for a Latin hypercube or
    /// RQMC run (absent for plain Monte Carlo, whose errors are the usual ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    /// How a `--precision` run went: its rounds and its targets (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<precision::PrecisionOutcome>,
}

/// A "nice" number ≥ x for axis ranges: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power
/// of ten, so an axis ends close above the data.
pub fn nice_ceil(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= x * (1.0 - 1e-12) {
            return m * p;
        }
    }
    10.0 * p
}

fn gap_distribution(model: &Model, a: &Accum) -> GapDistribution {
    let n = a.trials().max(1) as f64;
    let gap = a.metric_sketch(metric::GAP);
    // Draw the bulk: up to the 99.5th percentile, rounded up to a nice number.
    // With no (or tiny) gaps, still draw a sensible $0–1B axis.
    let top = nice_ceil(gap.quantile(0.995).max(1.0));
    const BINS: usize = 40;
    let bin_edges: Vec<f64> = (0..=BINS).map(|i| top * i as f64 / BINS as f64).collect();
    let mut counts = gap.histogram(&bin_edges);
    counts[0] = (counts[0] - gap.zero_count() as f64).max(0.0);
    let in_range: f64 = counts.iter().sum::<f64>() + gap.zero_count() as f64;
    let x_top = nice_ceil(
        std::iter::once(gap)
            .chain(a.report_gaps().map(|(_, s, _)| s))
            .map(|s| s.quantile(0.999))
            .fold(0.0, f64::max)
            .max(1.0),
    );
    let exceedance_x: Vec<f64> = (0..=200).map(|i| x_top * i as f64 / 200.0).collect();
    GapDistribution {
        no_gap_share: gap.zero_count() as f64 / n,
        bin_shares: counts.iter().map(|c| c / n).collect(),
        bin_edges,
        above_range_share: ((n - in_range) / n).max(0.0),
        exceedance: exceedance_x.iter().map(|&x| gap.share_above(x)).collect(),
        exceedance_by_year: model
            .grid
            .report
            .iter()
            .zip(a.report_gaps())
            .map(|((y, _), (_, s, _))| {
                (
                    y.to_string(),
                    exceedance_x.iter().map(|&x| s.share_above(x)).collect(),
                )
            })
            .collect(),
        exceedance_x,
    }
}

fn timeline(model: &Model) -> Vec<Marker> {
    let s = &model.scenario;
    let mut out: Vec<Marker> = s
        .rounds
        .iter()
        .map(|r| Marker {
            label: format!("round {} closes", r.name),
            t: r.close,
            window: None,
        })
        .collect();
    if let Some(ipo) = &s.ipo {
        let d = &ipo.date.dist;
        out.push(Marker {
            label: "IPO".to_string(),
            t: d.quantile(0.5),
            window: (!d.is_fixed()).then(|| [d.quantile(0.05), d.quantile(0.95)]),
        });
    }
    out
}

/// Computes the summary of a finished run.
pub fn summarize(model: &Model, run: &RunResult) -> Summary {
    let a = &run.accum;
    let g = &model.grid;
    let n = a.trials();
    let stats = |i: usize| GapStats::new(a.metric_moments(i), a.metric_sketch(i), a.shortfalls());
    let by_year = |rows: &mut dyn Iterator<Item = (&Moments, &Sketch, u64)>| {
        g.report
            .iter()
            .zip(rows)
            .map(|((y, _), (m, sk, k))| {
                (
                    y.to_string(),
                    YearGap {
                        shortfall_probability: Probability::new(k, n),
                        gap: GapStats::new(m, sk, k),
                    },
                )
            })
            .collect()
    };
    let gap = stats(metric::GAP);
    let gap_by_year = by_year(&mut a.report_gaps());
    let deficit = stats(metric::DEFICIT);
    let deficit_by_year = by_year(&mut a.report_deficits());

    let q = run.band_quantiles(&BAND_LEVELS);
    let sched = &model.schedule;
    let mut total_by_year = vec![0.0; sched.years.len()];
    for (_, row) in &sched.by_counterparty {
        for (t, v) in total_by_year.iter_mut().zip(row) {
            *t += v;
        }
    }

    let mut summary = Summary {
        scenario: model.name().to_string(),
        description: model.scenario.description.clone(),
        trials: n,
        seed: run.config.seed,
        start: g.t[0],
        end: g.t[g.n],
        steps_per_year: model.scenario.time.steps_per_year,
        provenance: Provenance::of(model),
        shortfall_probability: Probability::new(a.shortfalls(), n),
        gap,
        gap_by_year,
        deficit,
        deficit_by_year,
        first_shortfall: first_shortfall(model, a),
        breakeven: breakeven(model, a.breakeven_counts(), n),
        first_nonnegative_year: breakeven(model, a.first_nonnegative_counts(), n),
        annual: annual(model, run, &q),
        capacity: capacity(model, run, &q),
        ipo_probability: Probability::new(a.ipos(), n),
        metrics: metrics(a),
        inputs: inputs(model, a),
        obligations_schedule: Schedule {
            years: sched.years.clone(),
            by_counterparty: sched.by_counterparty.iter().cloned().collect(),
            total_by_year,
            headline_total: sched.headline_total,
        },
        bands: bands(model, &q),
        cash_floor: model.scenario.cash.min_cash.dist.quantile(0.5),
        timeline: timeline(model),
        gap_distribution: gap_distribution(model, a),
        sensitivity: sensitivity(model, a),
        checks: checks::checks(model, a),
        sampling: None,
        precision: None,
    };
    replicated::apply(&mut summary, model, a);
    summary
}

/// A decimal year as the calendar day it ends in, `YYYY-MM-DD`.
///
/// A decimal year counts months, as scenario dates do: `2027.5` is the instant 1 Jul 2027
/// 00:00, and a fraction of a month is that fraction of its days. A cash point is the end of
/// a step, so an instant on a midnight is the day that just ended: `2028.25` (the end of Q1)
/// is `2028-03-31`, `2029.0` is `2028-12-31`, and `2028.3` (0.6 of the way through April,
/// 18 of its 30 days) is `2028-04-18`.
pub fn calendar_date(t: f64) -> String {
    match calendar_day(t) {
        Some((y, month, day)) => format!("{y:04}-{month:02}-{day:02}"),
        None => "–".to_string(),
    }
}

/// The calendar day of [`calendar_date`] as (year, month, day); `None` for a NaN or infinite
/// `t`.
pub fn calendar_day(t: f64) -> Option<(i64, u32, u32)> {
    if !t.is_finite() {
        return None;
    }
    let mut year = t.floor();
    let mut months = (t - year) * 12.0;
    if months < 1e-6 {
        year -= 1.0;
        months = 12.0;
    }
    let month = ((months - 1e-6).ceil() as u32).clamp(1, 12);
    let y = year as i64;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let into = (months - f64::from(month - 1)) * f64::from(days);
    let day = ((into - 1e-6).ceil() as u32).clamp(1, days);
    Some((y, month, day))
}

/// Days from 1970-01-01 to the proleptic Gregorian day `(year, month, day)`, negative before
/// it: the value of a Parquet `DATE`. H. Hinnant's `days_from_civil`
/// (<https://howardhinnant.github.io/date_algorithms.html>): years counted from March, so the
/// leap day ends a year, and 400-year eras of 146,097 days.
pub fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A scenario's date (an instant, as a decimal year) as the day it falls on, `YYYY-MM-DD`:
/// `2027.5` is `2027-07-01`, `2026.75` is `2026-10-01` (the months rule of
/// [`calendar_date`], without its end-of-day reading).
pub fn scenario_date(t: f64) -> String {
    calendar_date(t + 1.0 / (12.0 * 31.0 * 2.0))
}

/// When the money runs out: exact, from the histogram of first shortfalls over cash
/// indices.
fn first_shortfall(model: &Model, a: &Accum) -> FirstShortfall {
    let g = &model.grid;
    let n = a.trials();
    let counts = a.first_shortfall_counts();
    let shortfalls = a.shortfalls();
    // First shortfall: exact, from the histogram over cash indices.
    let mut probability_by_year = IndexMap::new();
    let mut cum = 0u64;
    let mut j = 0;
    let last_year = (g.t[g.n] - 1e-9).floor() as i32;
    for y in g.t[0].floor() as i32..=last_year {
        while j <= g.n && g.t[j] <= y as f64 + 1.0 + 1e-9 {
            cum += counts[j];
            j += 1;
        }
        probability_by_year.insert(y.to_string(), cum as f64 / n as f64);
    }
    let median_of = |count: u64| -> Option<f64> {
        if count == 0 {
            return None;
        }
        let h = (count - 1) as f64 * 0.5;
        let rank = |r: u64| {
            let mut seen = 0;
            for (j, &c) in counts.iter().enumerate() {
                seen += c;
                if r < seen {
                    return g.t[j];
                }
            }
            g.t[g.n]
        };
        let lo = h.floor() as u64;
        let (x0, x1) = (rank(lo), rank((lo + 1).min(count - 1)));
        Some(x0 + (h - lo as f64) * (x1 - x0))
    };
    let mut seen = 0u64;
    let cumulative = counts
        .iter()
        .map(|&c| {
            seen += c;
            seen as f64 / n as f64
        })
        .collect();
    let median = median_of(shortfalls);
    FirstShortfall {
        probability_by_year,
        cumulative,
        median,
        median_date: median.map(calendar_date),
        median_all_trials: if 2 * shortfalls > n {
            // The median over all trials is the (n/2)-quantile of the first-shortfall dates,
            // with "no shortfall" counted as later than any date.
            let h = (n - 1) as f64 * 0.5;
            let r = h.round() as u64;
            let mut seen = 0;
            counts
                .iter()
                .enumerate()
                .find(|(_, c)| {
                    seen += **c;
                    r < seen
                })
                .map(|(j, _)| g.t[j])
        } else {
            None
        },
    }
}

/// The break-even year: the first calendar year of non-negative operating cash flow.
/// The distribution of a year per trial (break-even or first non-negative) from the counts of
/// trials by year index, over `n` trials.
fn breakeven(model: &Model, counts: &[u64], n: u64) -> Breakeven {
    let g = &model.grid;
    let mut be_by_year = IndexMap::new();
    let mut cum = 0;
    for (i, y) in g.years.iter().enumerate() {
        cum += counts[i];
        be_by_year.insert(y.to_string(), cum as f64 / n as f64);
    }
    let be_total: u64 = counts.iter().sum();
    let median_year = (be_total > 0).then(|| {
        let half = be_total.div_ceil(2);
        let mut seen = 0;
        let idx = counts
            .iter()
            .position(|&c| {
                seen += c;
                seen >= half
            })
            .unwrap_or(0);
        g.years[idx]
    });
    Breakeven {
        probability_by_year: be_by_year,
        never: (n - be_total) as f64 / n as f64,
        median_year,
    }
}

/// Revenue, operating cash flow and net burn in each calendar year of the run: means and
/// standard errors over all trials, percentiles over the band sample.
fn annual(model: &Model, run: &RunResult, q: &BandQuantiles) -> IndexMap<String, AnnualFigures> {
    let g = &model.grid;
    let moments = run.accum.year_moments();
    let stats = |i: usize| {
        let (m, b) = (&moments[i], &q.annual[i]);
        MetricStats {
            mean: m.mean,
            std_error: m.std_error(),
            p5: b[0],
            p50: b[2],
            p95: b[4],
        }
    };
    let ny = g.years.len();
    let mut steps = vec![0usize; ny];
    for &y in &g.year_of_step {
        steps[y] += 1;
    }
    use crate::sim::years::series::{NET_BURN, OBLIGATIONS, OCF, REVENUE};
    g.years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            (
                y.to_string(),
                AnnualFigures {
                    months: 12.0 * steps[i] as f64 / f64::from(g.steps_per_year),
                    revenue: stats(REVENUE * ny + i),
                    operating_cash_flow: stats(OCF * ny + i),
                    net_burn: stats(NET_BURN * ny + i),
                    obligations_paid: stats(OBLIGATIONS * ny + i),
                },
            )
        })
        .collect()
}

/// Mean, standard error and p5/p50/p95 of every metric but the gap.
fn metrics(a: &Accum) -> IndexMap<String, MetricStats> {
    METRIC_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != metric::GAP && *i != metric::DEFICIT)
        .map(|(i, name)| {
            (
                name.to_string(),
                MetricStats::new(a.metric_moments(i), a.metric_sketch(i)),
            )
        })
        .collect()
}

/// Every uncertain input: its distribution, p5/p50/p95 and the mean drawn.
fn inputs(model: &Model, a: &Accum) -> Vec<InputSummary> {
    let sources = crate::scenario::Sources::of(&model.scenario);
    model
        .inputs
        .iter()
        .zip(a.input_moments())
        .map(|(inp, m)| InputSummary {
            path: inp.path.clone(),
            distribution: inp.dist.describe(),
            p5: inp.dist.quantile(0.05),
            p50: inp.dist.quantile(0.5),
            p95: inp.dist.quantile(0.95),
            sampled_mean: m.mean,
            source: sources.source(&inp.path),
        })
        .collect()
}

fn sensitivity(model: &Model, a: &Accum) -> Sensitivity {
    use crate::stats::sensitivity::summarize;
    let paths: Vec<String> = model.inputs.iter().map(|i| i.path.clone()).collect();
    let Some((acc, joint)) = a.sensitivity() else {
        return Sensitivity::default();
    };
    let gap = summarize(acc, 0, Some(joint), &paths, a.metric_sketch(metric::GAP));
    let by_year = model
        .grid
        .report
        .iter()
        .zip(a.report_gaps())
        .enumerate()
        .map(|(r, ((y, _), (_, sk, _)))| (y.to_string(), summarize(acc, r + 1, None, &paths, sk)))
        .collect();
    Sensitivity { gap, by_year }
}

fn bands(model: &Model, q: &BandQuantiles) -> Bands {
    let g = &model.grid;
    let n = g.n;
    Bands {
        t: g.t.clone(),
        t_flows: g.t[..n].to_vec(),
        trials_used: q.trials as u64,
        cash: Band::from_quantiles(&q.cash),
        revenue: Band::from_quantiles(&q.revenue),
        obligations: Band::from_quantiles(&q.obligations),
        costs: Band::from_quantiles(&q.costs),
        outflows: Band::from_quantiles(&q.outflows),
        capacity: (!q.capacity.is_empty()).then(|| CapacityBands {
            gw: Band::from_quantiles(&q.capacity[..n]),
            demand: Band::from_quantiles(&q.capacity[n..2 * n]),
            limit: Band::from_quantiles(&q.capacity[2 * n..]),
        }),
    }
}

/// What capacity did to revenue: means and standard errors over all trials, percentiles
/// over the band sample; `None` without `[capacity]`.
fn capacity(model: &Model, run: &RunResult, q: &BandQuantiles) -> Option<CapacitySummary> {
    model.capacity.as_ref()?;
    let g = &model.grid;
    let ny = g.years.len();
    let base = crate::sim::years::SERIES.len() * ny;
    let moments = run.accum.year_moments();
    let stats = |i: usize| {
        let (m, b) = (&moments[base + i], &q.annual[base + i]);
        MetricStats {
            mean: m.mean,
            std_error: m.std_error(),
            p5: b[0],
            p50: b[2],
            p95: b[4],
        }
    };
    use crate::sim::capacity::{TOTALS, series};
    let at = |s: usize, y: usize| TOTALS.len() + s * ny + y;
    Some(CapacitySummary {
        unserved_revenue: stats(0),
        idle_gw_years: stats(1),
        probability_bound: Probability::new(run.accum.capacity_bound(), run.accum.trials()),
        by_year: g
            .years
            .iter()
            .enumerate()
            .map(|(y, year)| {
                (
                    year.to_string(),
                    CapacityYear {
                        demand: stats(at(series::DEMAND, y)),
                        unserved_revenue: stats(at(series::UNSERVED, y)),
                        capacity_gw: stats(at(series::GW, y)),
                        idle_gw: stats(at(series::IDLE, y)),
                    },
                )
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_years_become_the_day_they_end_in() {
        assert_eq!(calendar_date(2028.25), "2028-03-31");
        assert_eq!(calendar_date(2029.0), "2028-12-31");
        assert_eq!(calendar_date(2027.5), "2027-06-30");
        assert_eq!(calendar_date(2028.3), "2028-04-18");
        assert_eq!(calendar_date(2028.0 + 1.0 / 12.0), "2028-01-31");
        assert_eq!(calendar_date(2028.0 + 1.5 / 12.0), "2028-02-15");
        assert_eq!(calendar_date(2027.0 + 2.0 / 12.0), "2027-02-28");
        assert_eq!(calendar_date(2028.0 + 2.0 / 12.0), "2028-02-29");
        assert_eq!(calendar_date(2028.0 + 0.01 / 12.0), "2028-01-01");
        assert_eq!(calendar_date(f64::NAN), "–");
        assert_eq!(scenario_date(2027.5), "2027-07-01");
        assert_eq!(scenario_date(2026.75), "2026-10-01");
        assert_eq!(scenario_date(2027.0), "2027-01-01");
    }

    #[test]
    fn days_since_epoch_counts_from_1970() {
        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(1969, 12, 31), -1);
        assert_eq!(days_since_epoch(2000, 1, 1), 10_957);
        assert_eq!(days_since_epoch(2000, 3, 1), 11_017);
        // 2028 is a leap year: 29 Feb is a day, and 1 Mar the next.
        assert_eq!(
            days_since_epoch(2028, 3, 1) - days_since_epoch(2028, 2, 28),
            2
        );
        assert_eq!(
            days_since_epoch(2029, 1, 1) - days_since_epoch(2028, 1, 1),
            366
        );
        assert_eq!(days_since_epoch(2027, 6, 30), 20_999);
    }
}
