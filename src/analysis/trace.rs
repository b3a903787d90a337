//! The replay of single trials, and the trials with the largest gap.
//!
//! A replayed trial says what happened in it: the inputs drawn (value and quantile u), every
//! step's flows, the events that fired, each round's close and the tranches received, and the
//! IPO. A trial among the worst is also explained by its own draws: the inputs whose decile
//! in that trial carries the largest mean gap in the run ([`drivers`]).

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::engine::{RunConfig, RunError, simulate};
use crate::model::Model;
use crate::scenario::When;
use crate::sim::{Draws, METRIC_NAMES, Scratch, TraceStep, metric, run_trial_with};
use crate::summary::{Summary, summarize};

/// One replayed trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrialTrace {
    /// Scenario name.
    pub scenario: String,
    /// Trial index.
    pub trial: u64,
    /// Seed.
    pub seed: u64,
    /// Segment names, in the order of `TraceStep::run_rates`.
    pub segments: Vec<String>,
    /// Sampled inputs: (path, value, u).
    pub inputs: Vec<(String, f64, f64)>,
    /// Every step.
    pub steps: Vec<TraceStep>,
    /// The trial's results: (name, value).
    pub metrics: Vec<(String, f64)>,
    /// Gap by report year.
    pub report_gaps: Vec<(i32, f64)>,
    /// First shortfall date, if any.
    pub first_shortfall: Option<f64>,
    /// The events that fired, in time order.
    pub events: Vec<EventFired>,
    /// Each round: whether it closed, who joined, which tranches arrived.
    pub rounds: Vec<RoundTrace>,
    /// The IPO, if the scenario has one.
    pub ipo: Option<IpoTrace>,
    /// For a trial among the worst: the inputs that pulled its gap up most ([`drivers`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drivers: Vec<Driver>,
}

/// An event that fired in a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventFired {
    /// The event's name.
    pub event: String,
    /// When it hits the run-rates, decimal year (a cash point t_k).
    pub t: f64,
    /// Its run-rate multiplier in this trial.
    pub factor: f64,
    /// The segments it hits.
    pub segments: Vec<String>,
}

/// One round in a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundTrace {
    /// Round name.
    pub round: String,
    /// Its close date, decimal year.
    pub close: f64,
    /// Whether it closed in this trial.
    pub closed: bool,
    /// Its participants.
    pub participants: Vec<ParticipantTrace>,
}

/// One participant of a round in a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParticipantTrace {
    /// Participant name.
    pub participant: String,
    /// Whether it joined (and the round closed).
    pub joined: bool,
    /// Its commitment in this trial, $B.
    pub amount: f64,
    /// Its tranches, in the scenario's order.
    pub tranches: Vec<TrancheTrace>,
}

/// One tranche in a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrancheTrace {
    /// Share of the participant's amount.
    pub share: f64,
    /// Its condition: `close`, `date` or `ipo`.
    pub when: String,
    /// The date for `close` and `date`, decimal year.
    pub date: Option<f64>,
    /// The date after which it never arrives, decimal year.
    pub lapses: Option<f64>,
    /// Cash received, $B (0 if it did not arrive inside the horizon).
    pub amount: f64,
    /// Start of the step it arrived in, decimal year; `None` if it did not.
    pub received_at: Option<f64>,
}

/// The IPO in a trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IpoTrace {
    /// Whether it happens at all.
    pub happens: bool,
    /// Its date in this trial, decimal year.
    pub date: f64,
    /// Start of the step it happens in, if inside the horizon.
    pub at: Option<f64>,
    /// Cash raised, $B.
    pub raise: f64,
}

/// An input that pulled a trial's gap up: its decile in the trial, and the run's mean gap
/// among the trials in that decile.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Driver {
    /// Input path.
    pub path: String,
    /// Its value in the trial.
    pub value: f64,
    /// Its quantile u in the trial.
    pub u: f64,
    /// The decile of u, 1 … 10.
    pub decile: usize,
    /// Mean gap over the run's trials with the input in that decile, minus the run's mean
    /// gap, $B: how much that draw alone raises the expected gap.
    pub excess_gap: f64,
}

/// Replays trial `trial` of a run with `seed`, exactly as it ran there.
pub fn trace(model: &Model, seed: u64, trial: u64) -> TrialTrace {
    let mut s = Scratch::new(model);
    let mut steps = Vec::with_capacity(model.grid.n);
    run_trial_with(model, seed, trial, &mut s, Draws::Random, Some(&mut steps));
    let o = &s.outcome;
    let g = &model.grid;
    TrialTrace {
        scenario: model.name().to_string(),
        trial,
        seed,
        segments: model.segments.iter().map(|g| g.name.clone()).collect(),
        inputs: model
            .inputs
            .iter()
            .enumerate()
            .map(|(i, inp)| (inp.path.clone(), s.x[i], s.u(i)))
            .collect(),
        steps,
        metrics: METRIC_NAMES
            .iter()
            .zip(&o.metrics)
            .map(|(name, &v)| (name.to_string(), v))
            .collect(),
        report_gaps: g
            .report
            .iter()
            .map(|r| r.0)
            .zip(o.report_gaps.iter().copied())
            .collect(),
        first_shortfall: o.first_shortfall.map(|j| g.t[j]),
        events: events(model, &s),
        rounds: rounds(model, &s.x, &s.revenue),
        ipo: model.ipo.as_ref().map(|ipo| {
            let date = ipo.date.get(&s.x);
            let happens = ipo.happens.get(&s.x) > 0.5;
            IpoTrace {
                happens,
                date,
                at: ipo_step(model, &s.x).map(|k| g.t[k]),
                raise: o.metrics[metric::IPO_RAISE],
            }
        }),
        drivers: Vec::new(),
    }
}

/// The events that fired, from the trial's firings.
fn events(model: &Model, s: &Scratch) -> Vec<EventFired> {
    let sc = &model.scenario;
    s.fires()
        .iter()
        .map(|&(k, e)| {
            let ev = &model.events[e];
            EventFired {
                event: sc.events.get(e).map_or(String::new(), |v| v.name.clone()),
                t: model.grid.t[k + 1],
                factor: ev.factor.get(&s.x),
                segments: ev
                    .segments
                    .iter()
                    .map(|&i| model.segments[i].name.clone())
                    .collect(),
            }
        })
        .collect()
}

/// The step of the IPO if it happens inside the horizon (as the trial computes it).
fn ipo_step(model: &Model, x: &[f64]) -> Option<usize> {
    model.ipo.as_ref().and_then(|ipo| {
        (ipo.happens.get(x) > 0.5)
            .then(|| model.grid.step_of(ipo.date.get(x)))
            .flatten()
    })
}

/// Each round's close, participants and tranches, by the trial's rules: a tranche arrives in
/// its step if the round closes and the participant joins; one on the IPO arrives in the IPO's
/// step if the IPO comes before its lapse date.
fn rounds(model: &Model, x: &[f64], revenue: &[f64]) -> Vec<RoundTrace> {
    let g = &model.grid;
    let ipo = ipo_step(model, x);
    let ipo_date = model
        .ipo
        .as_ref()
        .map_or(f64::INFINITY, |ipo| ipo.date.get(x));
    model
        .rounds
        .iter()
        .zip(&model.scenario.rounds)
        .map(|(r, sr)| {
            let closed = r.closes.get(x) >= 0.5;
            let participants = r
                .participants
                .iter()
                .zip(&sr.participants)
                .map(|(p, sp)| {
                    let joined = closed && p.joins.get(x) >= 0.5;
                    let amount = p.amount.get(x);
                    let tranches = p
                        .tranches
                        .iter()
                        .zip(&sp.tranches)
                        .map(|(t, st)| {
                            let step = t.arrival(x, ipo, ipo_date, revenue).filter(|_| joined);
                            let (when, date) = match st.when {
                                When::Close => ("close", Some(sr.close)),
                                When::Date(d) => ("date", Some(d)),
                                When::Ipo => ("ipo", None),
                                When::Revenue(_) => ("revenue", None),
                            };
                            TrancheTrace {
                                share: st.share,
                                when: when.to_string(),
                                date,
                                lapses: st.lapses,
                                amount: step.map_or(0.0, |_| st.share * amount),
                                received_at: step.map(|k| g.t[k]),
                            }
                        })
                        .collect();
                    ParticipantTrace {
                        participant: p.name.clone(),
                        joined,
                        amount,
                        tranches,
                    }
                })
                .collect();
            RoundTrace {
                round: r.name.clone(),
                close: sr.close,
                closed,
                participants,
            }
        })
        .collect()
}

/// The inputs that pulled trial `t`'s gap up most, largest first, at most `k`: for each
/// input, the run's mean gap among trials with the input in the same decile of u as in this
/// trial, minus the run's mean gap (from `summary.sensitivity.gap`); only inputs whose draw
/// raised it.
pub fn drivers(summary: &Summary, t: &TrialTrace, k: usize) -> Vec<Driver> {
    let mean = summary.gap.mean;
    let mut out: Vec<Driver> = summary
        .sensitivity
        .gap
        .iter()
        .filter_map(|sens| {
            let (_, value, u) = t.inputs.iter().find(|(p, _, _)| *p == sens.path)?;
            let d = ((u * 10.0).floor().max(0.0) as usize).min(9);
            let excess = sens.decile_means.get(d)? - mean;
            (excess > 0.0).then(|| Driver {
                path: sens.path.clone(),
                value: *value,
                u: *u,
                decile: d + 1,
                excess_gap: excess,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.excess_gap
            .total_cmp(&a.excess_gap)
            .then_with(|| a.path.cmp(&b.path))
    });
    out.truncate(k);
    out
}

/// Fills in each trace's [`TrialTrace::drivers`] (at most five) from the run's sensitivity.
pub fn attach_drivers(summary: &Summary, traces: &mut [TrialTrace]) {
    for t in traces {
        t.drivers = drivers(summary, t, 5);
    }
}

/// The `k` trials with the largest gap in a run, with their gap; `cancel`, when set, stops
/// the run at its next batch.
///
/// # Errors
/// [`RunError`] as [`simulate`].
pub fn worst(
    model: &Model,
    cfg: &RunConfig,
    k: usize,
    cancel: Option<&AtomicBool>,
) -> Result<(Summary, Vec<(u64, f64)>), RunError> {
    let cfg = RunConfig {
        worst: k,
        ..cfg.clone()
    };
    let run = simulate(model, &cfg, &|_| {}, None, cancel)?;
    let list = run.accum.worst().iter().map(|&(g, t)| (t, g)).collect();
    Ok((summarize(model, &run), list))
}
