//! `compare` on stored run folders: differences of each run against the first, paired by
//! trial index when both kept their trials (trials.csv or trials.parquet, in any mix) with the
//! same seed and trial count, else unpaired from their two summaries.
//!
//! Paired: trial i of two runs with the same seed drew the same random numbers for every
//! input they share (each input's stream is keyed by its path), just as a live `compare` runs
//! them, so the per-trial differences are the live compare's. They are accumulated here with
//! the same statistics as `engine::Paired` (Welford moments of gap_B − gap_A and of
//! 1{gap_B > 0} − 1{gap_A > 0}); the sums run in trial order instead of the engine's chunk
//! order, so they agree with a live compare to rounding (~1e-12), not to the bit.
//!
//! Unpaired: two independent estimates, so the difference of the means has the standard error
//! √(se_A² + se_B²), and the difference of two probabilities √(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B)
//! (Wald), its 95 % interval ±1.96 of it.

use serde::Serialize;

use super::format::{Decimals, pct};
use super::runs::{StoredRun, StoredSummary};
use super::stored_trials::StoredTrials;
use super::table::usd_b;
use crate::stats::Moments;

/// The method of a [`StoredDiff`], as the text and JSON label it.
pub const PAIRED_LABEL: &str = "paired by trial (from stored trials)";
/// The method of an unpaired [`StoredDiff`].
pub const UNPAIRED_LABEL: &str = "unpaired (from stored summaries)";

/// z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The differences of run B against run A.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredDiff {
    /// Scenario of B.
    pub scenario: String,
    /// Folder of B.
    pub folder: String,
    /// Scenario of A (the first folder given).
    pub against: String,
    /// Folder of A.
    pub against_folder: String,
    /// [`PAIRED_LABEL`] or [`UNPAIRED_LABEL`].
    pub method: String,
    /// Why the runs could not be paired (none when paired).
    pub why_unpaired: Option<String>,
    /// Mean of gap_B − gap_A (paired) or mean_B − mean_A (unpaired), $B.
    pub gap_mean_diff: f64,
    /// Its standard error, $B.
    pub gap_mean_diff_se: f64,
    /// P(shortfall in B) − P(shortfall in A).
    pub shortfall_probability_diff: f64,
    /// Its standard error.
    pub shortfall_probability_diff_se: f64,
    /// Its 95 % interval.
    pub shortfall_probability_diff_ci95: [f64; 2],
    /// P(gap_A < gap_B) over the trials (paired only).
    pub p_gap_a_smaller: Option<f64>,
    /// P(gap_A > gap_B) over the trials (paired only).
    pub p_gap_a_larger: Option<f64>,
    /// Differences of the gap's quantiles, B − A, $B (p50, p90, p95), from the summaries.
    pub quantile_diffs: [f64; 3],
    /// The same differences by the end of each report year both runs have, in A's order.
    pub by_year: Vec<StoredYearDiff>,
}

/// Differences of B against A up to the end of one report year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredYearDiff {
    /// The report year.
    pub year: String,
    /// Mean gap difference, $B.
    pub gap_mean_diff: f64,
    /// Its standard error, $B.
    pub gap_mean_diff_se: f64,
    /// Difference of P(shortfall by the end of the year).
    pub shortfall_probability_diff: f64,
    /// Its standard error.
    pub shortfall_probability_diff_se: f64,
}

/// The result of `compare` on run folders.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredComparison {
    /// Each run after the first against the first.
    pub diffs: Vec<StoredDiff>,
}

/// Compares each of `runs` after the first with the first.
///
/// # Errors
/// Why a trials file that pairing needs cannot be read (the file, the row, the reason).
pub fn compare_stored(runs: &[StoredRun]) -> Result<StoredComparison, String> {
    let Some((a, rest)) = runs.split_first() else {
        return Ok(StoredComparison { diffs: Vec::new() });
    };
    let diffs = rest
        .iter()
        .map(|b| compare_two(a, b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StoredComparison { diffs })
}

/// Why `a` and `b` cannot be paired, or none when they can.
fn why_unpaired(a: &StoredRun, b: &StoredRun) -> Option<String> {
    let no_trials: Vec<String> = [a, b]
        .iter()
        .filter(|r| r.trials_file().is_none())
        .map(|r| r.dir.display().to_string())
        .collect();
    if !no_trials.is_empty() {
        return Some(format!(
            "{} kept no trials.csv or trials.parquet (run with --save-trials to pair)",
            no_trials.join(" and ")
        ));
    }
    let (sa, sb) = (&a.summary, &b.summary);
    if sa.seed != sb.seed || sa.trials != sb.trials {
        return Some(format!(
            "the runs differ in seed or trials (seed {} and {}, {} and {} trials); pairing needs the same of both",
            sa.seed, sb.seed, sa.trials, sb.trials
        ));
    }
    None
}

fn compare_two(a: &StoredRun, b: &StoredRun) -> Result<StoredDiff, String> {
    let (sa, sb) = (&a.summary, &b.summary);
    let q = |s: &StoredSummary, k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
    let quantile_diffs = ["p50", "p90", "p95"].map(|k| q(sb, k) - q(sa, k));
    let why = why_unpaired(a, b);
    let mut d = StoredDiff {
        scenario: sb.scenario.clone(),
        folder: b.dir.display().to_string(),
        against: sa.scenario.clone(),
        against_folder: a.dir.display().to_string(),
        method: UNPAIRED_LABEL.to_string(),
        why_unpaired: why.clone(),
        gap_mean_diff: sb.gap.mean - sa.gap.mean,
        gap_mean_diff_se: sa.gap.std_error.hypot(sb.gap.std_error),
        shortfall_probability_diff: 0.0,
        shortfall_probability_diff_se: 0.0,
        shortfall_probability_diff_ci95: [0.0; 2],
        p_gap_a_smaller: None,
        p_gap_a_larger: None,
        quantile_diffs,
        by_year: Vec::new(),
    };
    let (pa, pb) = (
        sa.shortfall_probability.estimate,
        sb.shortfall_probability.estimate,
    );
    d.shortfall_probability_diff = pb - pa;
    d.shortfall_probability_diff_se = unpaired_prob_se(pa, sa.trials, pb, sb.trials);
    d.by_year = sa
        .gap_by_year
        .iter()
        .filter_map(|(year, ya)| {
            let yb = sb.gap_by_year.get(year)?;
            let (pa, pb) = (
                ya.shortfall_probability.estimate,
                yb.shortfall_probability.estimate,
            );
            Some(StoredYearDiff {
                year: year.clone(),
                gap_mean_diff: yb.mean - ya.mean,
                gap_mean_diff_se: ya.std_error.hypot(yb.std_error),
                shortfall_probability_diff: pb - pa,
                shortfall_probability_diff_se: unpaired_prob_se(pa, sa.trials, pb, sb.trials),
            })
        })
        .collect();
    if why.is_none() {
        pair(a, b, &mut d)?;
    }
    let (p, se) = (
        d.shortfall_probability_diff,
        d.shortfall_probability_diff_se,
    );
    d.shortfall_probability_diff_ci95 = [p - Z95 * se, p + Z95 * se];
    Ok(d)
}

/// √(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B): the standard error of the difference of two
/// independent proportions.
fn unpaired_prob_se(pa: f64, na: u64, pb: f64, nb: u64) -> f64 {
    let v = |p: f64, n: u64| p * (1.0 - p) / (n.max(1) as f64);
    (v(pa, na) + v(pb, nb)).sqrt()
}

/// 1 for a shortfall (a gap above 0), else 0, as the engine counts it.
fn short(gap: f64) -> f64 {
    f64::from(u8::from(gap > 0.0))
}

/// Opens the trials file `run` kept.
fn open_trials(run: &StoredRun) -> Result<StoredTrials, String> {
    let name = run
        .trials_file()
        .ok_or_else(|| format!("{}: the run kept no trials file to pair", run.dir.display()))?;
    StoredTrials::open(&run.dir, name)
}

/// Replaces `d`'s unpaired statistics by paired ones from both runs' trials files (trials.csv
/// or trials.parquet, in any mix), read in step row by row (memory stays flat at any trial
/// count).
fn pair(a: &StoredRun, b: &StoredRun, d: &mut StoredDiff) -> Result<(), String> {
    let mut fa = open_trials(a)?;
    let mut fb = open_trials(b)?;
    // The report years both have, in A's order.
    let years: Vec<String> = d
        .by_year
        .iter()
        .map(|y| y.year.clone())
        .filter(|y| {
            let name = format!("gap_{y}");
            fa.columns.contains(&name) && fb.columns.contains(&name)
        })
        .collect();
    let chosen: Vec<String> = ["trial".to_string(), "gap".to_string()]
        .into_iter()
        .chain(years.iter().map(|y| format!("gap_{y}")))
        .collect();
    fa.select(&chosen)?;
    fb.select(&chosen)?;
    let (mut gap, mut shortfall) = (Moments::default(), Moments::default());
    let mut by_year = vec![(Moments::default(), Moments::default()); years.len()];
    let (mut smaller, mut larger, mut rows) = (0u64, 0u64, 0u64);
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    loop {
        match (fa.next(&mut ra)?, fb.next(&mut rb)?) {
            (false, false) => break,
            (true, true) => {}
            _ => {
                return Err(format!(
                    "{} and {} hold different numbers of trials (one ends after {rows} rows)",
                    fa.path, fb.path
                ));
            }
        }
        rows += 1;
        let (ta, tb) = (ra[0], rb[0]);
        if ta != tb {
            return Err(format!(
                "row {rows}: trial {ta} in {} but {tb} in {}; the files cannot be paired",
                fa.path, fb.path
            ));
        }
        let (ga, gb) = (ra[1], rb[1]);
        gap.push(gb - ga);
        shortfall.push(short(gb) - short(ga));
        smaller += u64::from(ga < gb);
        larger += u64::from(ga > gb);
        for ((ya, yb), (g, s)) in ra[2..].iter().zip(&rb[2..]).zip(&mut by_year) {
            g.push(yb - ya);
            s.push(short(*yb) - short(*ya));
        }
    }
    if rows != a.summary.trials {
        return Err(format!(
            "{} holds {rows} trials but the run's summary says {}",
            fa.path, a.summary.trials
        ));
    }
    let n = rows.max(1) as f64;
    d.method = PAIRED_LABEL.to_string();
    d.gap_mean_diff = gap.mean;
    d.gap_mean_diff_se = gap.std_error();
    d.shortfall_probability_diff = shortfall.mean;
    d.shortfall_probability_diff_se = shortfall.std_error();
    d.p_gap_a_smaller = Some(smaller as f64 / n);
    d.p_gap_a_larger = Some(larger as f64 / n);
    d.by_year = years
        .iter()
        .zip(&by_year)
        .map(|(year, (g, s))| StoredYearDiff {
            year: year.clone(),
            gap_mean_diff: g.mean,
            gap_mean_diff_se: g.std_error(),
            shortfall_probability_diff: s.mean,
            shortfall_probability_diff_se: s.std_error(),
        })
        .collect();
    Ok(())
}

/// The text of `compare` on run folders.
pub fn render_stored_comparison(c: &StoredComparison) -> String {
    let mut out = String::new();
    let pp = |x: f64| format!("{:+.1} pp", 100.0 * x);
    let se_pp = |x: f64| format!("{:.1} pp", 100.0 * x);
    let money = |x: f64| {
        if x < 0.0 {
            format!("-{}", usd_b(-x))
        } else {
            format!("+{}", usd_b(x))
        }
    };
    for d in &c.diffs {
        out.push_str(&format!(
            "\n  {} ({}) against {} ({}): {}\n",
            d.scenario, d.folder, d.against, d.against_folder, d.method
        ));
        if let Some(why) = &d.why_unpaired {
            out.push_str(&format!("  not paired: {why}\n"));
        }
        out.push_str(&format!(
            "    mean gap          {} $B  ± {} (s.e.)\n",
            money(d.gap_mean_diff),
            usd_b(d.gap_mean_diff_se)
        ));
        let [lo, hi] = d.shortfall_probability_diff_ci95;
        out.push_str(&format!(
            "    P(shortfall)      {}  (95 %: {} to {})\n",
            pp(d.shortfall_probability_diff),
            pp(lo),
            pp(hi)
        ));
        if let (Some(s), Some(l)) = (d.p_gap_a_smaller, d.p_gap_a_larger) {
            out.push_str(&format!(
                "    gap larger in {} in {} of trials, smaller in {}\n",
                d.scenario,
                pct(s, Decimals::Fixed(1)),
                pct(l, Decimals::Fixed(1))
            ));
        }
        let [q50, q90, q95] = d.quantile_diffs;
        out.push_str(&format!(
            "    gap p50, p90, p95 {} / {} / {} $B (from the summaries)\n",
            money(q50),
            money(q90),
            money(q95)
        ));
        for y in &d.by_year {
            out.push_str(&format!(
                "    by end {}      mean gap {} ± {}, P(shortfall) {} ± {}\n",
                y.year,
                money(y.gap_mean_diff),
                usd_b(y.gap_mean_diff_se),
                pp(y.shortfall_probability_diff),
                se_pp(y.shortfall_probability_diff_se)
            ));
        }
    }
    out
}
