//! Paired comparisons of scenarios run on common random numbers.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::engine::{Paired, RunConfig, RunError, simulate_many};
use crate::model::Model;
use crate::summary::{Summary, summarize};

/// A paired difference of scenario B against scenario A.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairedDiff {
    /// Scenario B.
    pub scenario: String,
    /// Scenario A (the first one given).
    pub against: String,
    /// Mean of gap_B − gap_A, $B.
    pub gap_mean_diff: f64,
    /// Its paired standard error, $B.
    pub gap_mean_diff_se: f64,
    /// The standard error the difference would have from independent runs, $B.
    pub gap_mean_diff_se_unpaired: f64,
    /// P(shortfall in B) − P(shortfall in A).
    pub shortfall_probability_diff: f64,
    /// Its paired standard error.
    pub shortfall_probability_diff_se: f64,
    /// P(gap_A < gap_B) over the trials.
    pub p_gap_a_smaller: f64,
    /// P(gap_A > gap_B) over the trials.
    pub p_gap_a_larger: f64,
    /// Differences of the gap's quantiles, B − A, $B (p50, p90, p95).
    pub quantile_diffs: [f64; 3],
    /// The same paired differences by the end of each report year both scenarios have, in
    /// A's order.
    pub by_year: Vec<YearDiff>,
}

/// Paired differences of B against A up to the end of one report year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearDiff {
    /// The report year.
    pub year: i32,
    /// Mean of gap_B − gap_A up to the end of the year, $B.
    pub gap_mean_diff: f64,
    /// Its paired standard error, $B.
    pub gap_mean_diff_se: f64,
    /// P(shortfall in B by the end of the year) − P(shortfall in A by then).
    pub shortfall_probability_diff: f64,
    /// Its paired standard error.
    pub shortfall_probability_diff_se: f64,
}

/// The result of `compare`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// Each scenario's summary, in the order given.
    pub summaries: Vec<Summary>,
    /// Each scenario after the first against the first.
    pub paired: Vec<PairedDiff>,
}

/// Runs `models` on common random numbers and pairs each against the first; `cancel`, when
/// set, stops the run at its next batch.
///
/// # Errors
/// [`RunError`] as [`simulate_many`].
pub fn compare(
    models: &[Model],
    cfg: &RunConfig,
    progress: &dyn Fn(u64),
    cancel: Option<&AtomicBool>,
) -> Result<Comparison, RunError> {
    compare_with_pairs(models, cfg, progress, cancel).map(|(c, _)| c)
}

/// [`compare`], also returning the engine's paired statistics of each scenario after the
/// first (for analyses that need more paired differences than [`PairedDiff`] reports, such
/// as the deficit's).
///
/// # Errors
/// [`RunError`] as [`simulate_many`].
pub fn compare_with_pairs(
    models: &[Model],
    cfg: &RunConfig,
    progress: &dyn Fn(u64),
    cancel: Option<&AtomicBool>,
) -> Result<(Comparison, Vec<Paired>), RunError> {
    let (runs, pairs) = simulate_many(models, cfg, progress, None, cancel)?;
    let summaries: Vec<Summary> = models
        .iter()
        .zip(&runs)
        .map(|(m, r)| summarize(m, r))
        .collect();
    let a = &summaries[0];
    let n = cfg.trials as f64;
    let paired = summaries[1..]
        .iter()
        .zip(&pairs)
        .map(|(b, p)| {
            let q = |s: &Summary, k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
            PairedDiff {
                scenario: b.scenario.clone(),
                against: a.scenario.clone(),
                gap_mean_diff: p.gap_diff.mean,
                gap_mean_diff_se: p.gap_diff.std_error(),
                gap_mean_diff_se_unpaired: (a.gap.std_error.powi(2) + b.gap.std_error.powi(2))
                    .sqrt(),
                shortfall_probability_diff: p.shortfall_diff.mean,
                shortfall_probability_diff_se: p.shortfall_diff.std_error(),
                p_gap_a_smaller: p.first_smaller as f64 / n,
                p_gap_a_larger: p.first_larger as f64 / n,
                quantile_diffs: [
                    q(b, "p50") - q(a, "p50"),
                    q(b, "p90") - q(a, "p90"),
                    q(b, "p95") - q(a, "p95"),
                ],
                by_year: p
                    .years
                    .iter()
                    .zip(&p.gap_diff_by_year)
                    .zip(&p.shortfall_diff_by_year)
                    .map(|(((year, _, _), g), s)| YearDiff {
                        year: *year,
                        gap_mean_diff: g.mean,
                        gap_mean_diff_se: g.std_error(),
                        shortfall_probability_diff: s.mean,
                        shortfall_probability_diff_se: s.std_error(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok((Comparison { summaries, paired }, pairs))
}
