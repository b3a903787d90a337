//! Which modelling choices matter: a scenario run as is and with each structural switch
//! turned off, one at a time, all on common random numbers.
//!
//! Each [`Switch`] edits the validated [`Scenario`] in one small function and names what it
//! turns off. The edits are chosen so that every input the scenario keeps keeps its draws:
//! the RNG streams are keyed by input path, so removing a section or fixing one parameter
//! leaves the others alone, and a switch never removes a member of the input copula (which
//! would remix its partners' draws). The scenario and its switched copies then run together
//! through [`compare_with_pairs`], so each change is the mean of per-trial differences on the
//! same trial indices, with its paired standard error.

use std::sync::atomic::AtomicBool;

use indexmap::IndexMap;
use serde::Serialize;

use super::compare::compare_with_pairs;
use super::sweep::AnalysisError;
use crate::dist::Dist;
use crate::engine::{Paired, RunConfig};
use crate::model::{Model, compile};
use crate::scenario::{Param, Scenario};
use crate::stats::Moments;
use crate::summary::{Provenance, Summary};

/// A structural switch: one mechanism of the model, turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Switch {
    /// No obligation may be deferred.
    Deferral,
    /// No debt facility.
    Revolver,
    /// No `[capacity]`: revenue is not bounded by the compute online.
    CapacityLink,
    /// Round money carries no tied spend.
    TiedSpend,
    /// No correlations between inputs or between revenue segments' shocks.
    Correlations,
    /// No IPO.
    Ipo,
}

impl Switch {
    /// Every switch, in the order of the table.
    pub const ALL: [Switch; 6] = [
        Switch::Deferral,
        Switch::Revolver,
        Switch::CapacityLink,
        Switch::TiedSpend,
        Switch::Correlations,
        Switch::Ipo,
    ];

    /// Its name in the table, e.g. `deferral off`.
    pub fn label(self) -> &'static str {
        match self {
            Switch::Deferral => "deferral off",
            Switch::Revolver => "revolver off",
            Switch::CapacityLink => "capacity link off",
            Switch::TiedSpend => "tied spend off",
            Switch::Correlations => "correlations off",
            Switch::Ipo => "IPO off",
        }
    }

    /// What it turns off, in a line.
    pub fn turns_off(self) -> &'static str {
        match self {
            Switch::Deferral => {
                "no obligation may be deferred: every contract's flexible share is 0"
            }
            Switch::Revolver => "no debt facility: [debt] is removed",
            Switch::CapacityLink => {
                "revenue is not bounded by the compute online: [capacity] is removed"
            }
            Switch::TiedSpend => "round money carries no tied spend",
            Switch::Correlations => {
                "every correlation and revenue_correlation coefficient is 0 (inputs independent)"
            }
            Switch::Ipo => {
                "the IPO never happens (its probability is 0; tranches on or requiring it never arrive)"
            }
        }
    }

    /// `scenario` with this switch off, or why the switch does not apply to it.
    ///
    /// # Errors
    /// The reason, when nothing in the scenario is what the switch turns off.
    pub fn apply(self, scenario: &Scenario) -> Result<Scenario, &'static str> {
        let mut s = scenario.clone();
        let applied = match self {
            Switch::Deferral => deferral_off(&mut s),
            Switch::Revolver => revolver_off(&mut s),
            Switch::CapacityLink => capacity_link_off(&mut s),
            Switch::TiedSpend => tied_spend_off(&mut s),
            Switch::Correlations => correlations_off(&mut s),
            Switch::Ipo => ipo_off(&mut s),
        };
        if !applied {
            return Err(match self {
                Switch::Deferral => "no contract has a flexible share above 0",
                Switch::Revolver => "the scenario has no [debt]",
                Switch::CapacityLink => "the scenario has no [capacity]",
                Switch::TiedSpend => "no participant has tied_spend",
                Switch::Correlations => "the scenario correlates nothing",
                Switch::Ipo => "the scenario has no IPO that can happen",
            });
        }
        s.name = format!("{}, {}", scenario.name, self.label());
        Ok(s)
    }
}

/// Whether `p` is the constant 0.
fn is_zero(p: &Param) -> bool {
    p.dist.is_fixed() && p.dist.quantile(0.5) == 0.0
}

/// Deferral off: every contract's flexible share becomes 0, so every payment is made when it
/// is scheduled, however short of cash the trial is (docs/model.md, "Deferral"). The share's
/// input disappears; the others keep their draws. Returns whether any share could be above 0.
fn deferral_off(s: &mut Scenario) -> bool {
    let mut any = false;
    for o in &mut s.obligations {
        if !is_zero(&o.flexible_share) {
            o.flexible_share.dist = Dist::Fixed(0.0);
            any = true;
        }
    }
    any
}

/// Revolver off: the debt facility (`[debt]`) is removed, so nothing is drawn when cash
/// falls below the floor and no interest is paid. Returns whether there was one.
fn revolver_off(s: &mut Scenario) -> bool {
    s.debt.take().is_some()
}

/// Capacity link off: `[capacity]` is removed, so revenue is no longer bounded by the
/// compute the contracts bring online. The contracts' own `capacity_gw` stay (unused), so
/// their inputs keep their draws. Returns whether there was a `[capacity]`.
fn capacity_link_off(s: &mut Scenario) -> bool {
    s.capacity.take().is_some()
}

/// Tied spend off: every participant's `tied_spend` is removed, so round money creates no
/// new obligations and counts toward no contract; the money itself still arrives. Returns
/// whether any participant had tied spend.
fn tied_spend_off(s: &mut Scenario) -> bool {
    let mut any = false;
    for p in s.rounds.iter_mut().flat_map(|r| &mut r.participants) {
        any |= p.tied_spend.take().is_some();
    }
    any
}

/// Correlations off: every coefficient of `correlations` and `revenue_correlations` becomes
/// 0. The pairs stay, so each correlated input still takes its own normal draw and only loses
/// the mixing (z = ε instead of z = A·ε): the same distribution as removing the pairs, with
/// the closest pairing to the run as is. Returns whether any coefficient was not 0.
fn correlations_off(s: &mut Scenario) -> bool {
    let mut any = false;
    for c in s
        .correlations
        .iter_mut()
        .chain(s.revenue_correlations.iter_mut())
    {
        any |= c.rho != 0.0;
        c.rho = 0.0;
    }
    any
}

/// IPO off: the IPO's probability becomes 0, so it never happens; tranches due at the IPO or
/// requiring it never arrive. Its date, multiple and raise share stay (unused), so the inputs
/// correlated with them keep their draws. Returns whether the IPO could happen.
fn ipo_off(s: &mut Scenario) -> bool {
    match &mut s.ipo {
        Some(ipo) if !is_zero(&ipo.happens) => {
            ipo.happens.dist = Dist::Fixed(0.0);
            true
        }
        _ => false,
    }
}

/// The headline numbers of one run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    /// P(shortfall) over the horizon.
    pub shortfall_probability: f64,
    /// P(shortfall by the end of each report year).
    pub shortfall_probability_by_year: IndexMap<String, f64>,
    /// Mean gap over the horizon, $B.
    pub gap_mean: f64,
    /// Mean gap up to the end of each report year, $B.
    pub gap_mean_by_year: IndexMap<String, f64>,
    /// Mean deficit over the horizon, $B.
    pub deficit_mean: f64,
    /// Mean cash at the end of the horizon, $B.
    pub cash_end_mean: f64,
    /// Median first-shortfall date among the trials that run short, decimal year.
    pub first_shortfall_median: Option<f64>,
}

impl Headline {
    fn of(s: &Summary) -> Headline {
        Headline {
            shortfall_probability: s.shortfall_probability.estimate,
            shortfall_probability_by_year: s
                .gap_by_year
                .iter()
                .map(|(y, g)| (y.clone(), g.shortfall_probability.estimate))
                .collect(),
            gap_mean: s.gap.mean,
            gap_mean_by_year: s
                .gap_by_year
                .iter()
                .map(|(y, g)| (y.clone(), g.gap.mean))
                .collect(),
            deficit_mean: s.deficit.mean,
            cash_end_mean: s.metrics.get("cash_end").map_or(f64::NAN, |m| m.mean),
            first_shortfall_median: s.first_shortfall.median,
        }
    }
}

/// A paired change: the mean of (switched − as is) over the same trials.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Change {
    /// The mean difference (a probability's: of the indicators).
    pub diff: f64,
    /// Its paired standard error: that of the per-trial differences.
    pub se: f64,
    /// The standard error it would have from two independent runs.
    pub se_unpaired: f64,
}

impl Change {
    /// From the per-trial differences and the two runs' own standard errors.
    fn new(d: &Moments, se_a: f64, se_b: f64) -> Change {
        Change {
            diff: d.mean,
            se: d.std_error(),
            se_unpaired: se_a.hypot(se_b),
        }
    }
}

/// The changes one switch makes to the headline numbers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changes {
    /// Change of P(shortfall).
    pub shortfall_probability: Change,
    /// Change of P(shortfall by the end of each report year).
    pub shortfall_probability_by_year: IndexMap<String, Change>,
    /// Change of the mean gap, $B.
    pub gap_mean: Change,
    /// Change of the mean gap up to the end of each report year, $B.
    pub gap_mean_by_year: IndexMap<String, Change>,
    /// Change of the mean deficit, $B.
    pub deficit_mean: Change,
    /// Change of the mean cash at the end, $B.
    pub cash_end_mean: Change,
    /// Change of the median first-shortfall date, years (no standard error: a difference
    /// of medians, not a mean of differences).
    pub first_shortfall_median_years: Option<f64>,
}

/// One switch's row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SwitchResult {
    /// Which switch.
    pub switch: Switch,
    /// Its name in the table.
    pub label: String,
    /// What it turns off.
    pub turns_off: String,
    /// Why it was not run (`None`: it was).
    pub not_applicable: Option<String>,
    /// The headline numbers with the switch off.
    pub value: Option<Headline>,
    /// Their changes from the run as is.
    pub change: Option<Changes>,
}

/// The result of `switches`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Switches {
    /// The scenario.
    pub scenario: String,
    /// What produced the run as is.
    pub provenance: Provenance,
    /// Trials of every run.
    pub trials: u64,
    /// Seed of every run.
    pub seed: u64,
    /// The scenario's report years.
    pub report_years: Vec<i32>,
    /// The headline numbers as is.
    pub baseline: Headline,
    /// One row per switch, in [`Switch::ALL`]'s order.
    pub switches: Vec<SwitchResult>,
}

/// Runs `model`'s scenario as is and with each switch that applies to it turned off, on
/// common random numbers; `cancel`, when set, stops the run at its next batch.
///
/// # Errors
/// [`AnalysisError::Scenario`] if a switched scenario does not compile;
/// [`AnalysisError::Run`] as [`compare_with_pairs`].
pub fn switches(
    model: &Model,
    cfg: &RunConfig,
    progress: &dyn Fn(u64),
    cancel: Option<&AtomicBool>,
) -> Result<Switches, AnalysisError> {
    let mut models = vec![model.clone()];
    let mut slots = Vec::new();
    for sw in Switch::ALL {
        match sw.apply(&model.scenario) {
            Ok(s) => {
                models.push(compile(&s)?);
                slots.push(Ok(models.len() - 1));
            }
            Err(why) => slots.push(Err(why)),
        }
    }
    let (c, pairs) = compare_with_pairs(&models, cfg, progress, cancel)?;
    let base = &c.summaries[0];
    let rows = Switch::ALL
        .iter()
        .zip(slots)
        .map(|(&sw, slot)| {
            let mut row = SwitchResult {
                switch: sw,
                label: sw.label().to_string(),
                turns_off: sw.turns_off().to_string(),
                not_applicable: None,
                value: None,
                change: None,
            };
            match slot {
                Ok(m) => {
                    let s = &c.summaries[m];
                    row.value = Some(Headline::of(s));
                    row.change = Some(changes(base, s, &pairs[m - 1]));
                }
                Err(why) => row.not_applicable = Some(why.to_string()),
            }
            row
        })
        .collect();
    Ok(Switches {
        scenario: model.scenario.name.clone(),
        provenance: base.provenance.clone(),
        trials: cfg.trials,
        seed: cfg.seed,
        report_years: model.scenario.time.report_years.clone(),
        baseline: Headline::of(base),
        switches: rows,
    })
}

/// The paired changes of `b` (switched) against `a` (as is).
fn changes(a: &Summary, b: &Summary, p: &Paired) -> Changes {
    let n = a.trials.max(1) as f64;
    let prob_se = |x: f64| (x * (1.0 - x) / n).max(0.0).sqrt();
    let prob = |d: &Moments, x: f64, y: f64| Change::new(d, prob_se(x), prob_se(y));
    let mut shortfall_by_year = IndexMap::new();
    let mut gap_by_year = IndexMap::new();
    for (((year, _, _), g), s) in p
        .years
        .iter()
        .zip(&p.gap_diff_by_year)
        .zip(&p.shortfall_diff_by_year)
    {
        let key = year.to_string();
        let (Some(ya), Some(yb)) = (a.gap_by_year.get(&key), b.gap_by_year.get(&key)) else {
            continue;
        };
        let (pa, pb) = (
            ya.shortfall_probability.estimate,
            yb.shortfall_probability.estimate,
        );
        shortfall_by_year.insert(key.clone(), prob(s, pa, pb));
        gap_by_year.insert(key, Change::new(g, ya.gap.std_error, yb.gap.std_error));
    }
    let metric_se = |s: &Summary, k: &str| s.metrics.get(k).map_or(f64::NAN, |m| m.std_error);
    Changes {
        shortfall_probability: prob(
            &p.shortfall_diff,
            a.shortfall_probability.estimate,
            b.shortfall_probability.estimate,
        ),
        shortfall_probability_by_year: shortfall_by_year,
        gap_mean: Change::new(&p.gap_diff, a.gap.std_error, b.gap.std_error),
        gap_mean_by_year: gap_by_year,
        deficit_mean: Change::new(&p.deficit_diff, a.deficit.std_error, b.deficit.std_error),
        cash_end_mean: Change::new(
            &p.cash_end_diff,
            metric_se(a, "cash_end"),
            metric_se(b, "cash_end"),
        ),
        first_shortfall_median_years: a
            .first_shortfall
            .median
            .zip(b.first_shortfall.median)
            .map(|(x, y)| y - x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin_base, load};
    use crate::sim::{Scratch, sample_inputs};

    /// The shipped scenarios, and the built-in base.
    fn shipped() -> Vec<Scenario> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "toml"));
        files.sort();
        let mut v: Vec<Scenario> = files
            .iter()
            .map(|p| load(p, &[]).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        v.push(builtin_base(&[]).unwrap_or_else(|e| panic!("{e}")));
        assert!(v.len() > 5, "found the scenarios in {}", dir.display());
        v
    }

    /// Every input the switched scenario keeps is drawn exactly as in the scenario as is
    /// (same seed, same trial), for every switch on every shipped scenario; only the
    /// correlations switch may change the draws of the inputs it decorrelates, and it keeps
    /// their normal draws (so the first member of the copula keeps its value).
    #[test]
    fn switched_scenarios_keep_the_draws_of_every_input_they_keep() {
        let mut checked = 0;
        for s in shipped() {
            let a = compile(&s).unwrap_or_else(|e| panic!("{e}"));
            for sw in Switch::ALL {
                let Ok(t) = sw.apply(&s) else { continue };
                let b = compile(&t).unwrap_or_else(|e| panic!("{}: {e}", t.name));
                let (mut sa, mut sb) = (Scratch::new(&a), Scratch::new(&b));
                let members: Vec<usize> = a
                    .copula
                    .as_ref()
                    .map_or(Vec::new(), |c| c.members.iter().skip(1).copied().collect());
                for trial in [0, 1, 17, 999] {
                    sample_inputs(&a, 42, trial, &mut sa);
                    sample_inputs(&b, 42, trial, &mut sb);
                    for (i, inp) in a.inputs.iter().enumerate() {
                        if sw == Switch::Correlations && members.contains(&i) {
                            continue;
                        }
                        let Some(j) = b.inputs.iter().position(|x| x.path == inp.path) else {
                            continue;
                        };
                        assert_eq!(
                            sa.x[i].to_bits(),
                            sb.x[j].to_bits(),
                            "{}: {} changed the draw of {} in trial {trial}",
                            s.name,
                            sw.label(),
                            inp.path
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} draws compared");
    }

    /// Each switch applies to base and removes what it says; a switch with nothing to turn
    /// off says why.
    #[test]
    fn switches_turn_off_what_they_name_and_say_when_they_do_not_apply() {
        let base = builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
        let off = |sw: Switch| sw.apply(&base).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            off(Switch::Deferral)
                .obligations
                .iter()
                .all(|o| is_zero(&o.flexible_share))
        );
        assert!(off(Switch::Revolver).debt.is_none());
        assert!(off(Switch::CapacityLink).capacity.is_none() || base.capacity.is_none());
        assert!(
            off(Switch::TiedSpend)
                .rounds
                .iter()
                .flat_map(|r| &r.participants)
                .all(|p| p.tied_spend.is_none())
        );
        let c = off(Switch::Correlations);
        assert!(
            c.correlations
                .iter()
                .chain(&c.revenue_correlations)
                .all(|c| c.rho == 0.0)
        );
        assert!(
            off(Switch::Ipo)
                .ipo
                .as_ref()
                .is_some_and(|i| is_zero(&i.happens))
        );
        let mut bare = base.clone();
        for sw in Switch::ALL {
            if let Ok(s) = sw.apply(&bare) {
                bare = s;
            }
        }
        for sw in Switch::ALL {
            assert!(sw.apply(&bare).is_err(), "{} applies twice", sw.label());
        }
    }
}
