//! `[rounds.*]`, `[ipo]` and `[debt]`: when each tranche of a participant's money arrives,
//! the payments its tied spend adds, the IPO and the debt facility.

use super::Compiler;
use super::obligations::term_unit;
use crate::model::{
    CondTranche, DebtModel, Grid, IpoModel, ObligationSchedule, PartModel, RoundModel,
    TrancheModel, Value,
};
use crate::scenario::{Participant, Requirement, Round, Scenario, TiedSpend, Tranche, When};

/// The funding side of a [`crate::model::Model`].
pub(super) struct Funding {
    /// [`crate::model::Model::rounds`].
    pub(super) rounds: Vec<RoundModel>,
    /// [`crate::model::Model::ipo`].
    pub(super) ipo: Option<IpoModel>,
    /// [`crate::model::Model::debt`].
    pub(super) debt: Option<DebtModel>,
}

/// Compiles the rounds, then the IPO, then the debt facility; tied spend that creates new
/// payments is added to the expected `schedule`.
pub(super) fn compile(
    cc: &mut Compiler,
    s: &Scenario,
    grid: &Grid,
    schedule: &mut ObligationSchedule,
) -> Funding {
    let rounds = s
        .rounds
        .iter()
        .map(|r| round(cc, r, grid, schedule))
        .collect();
    let ipo = s.ipo.as_ref().map(|i| IpoModel {
        happens: cc.value(&i.happens),
        date: cc.value(&i.date),
        multiple: cc.value(&i.multiple),
        raise_share: cc.value(&i.raise_share),
    });
    let debt = s.debt.as_ref().map(|d| DebtModel {
        limit: cc.value(&d.limit),
        rate: cc.value(&d.rate),
    });
    Funding { rounds, ipo, debt }
}

/// One round. Its inputs, in order: each participant's, then whether it closes.
fn round(
    cc: &mut Compiler,
    r: &Round,
    grid: &Grid,
    schedule: &mut ObligationSchedule,
) -> RoundModel {
    let participants = r
        .participants
        .iter()
        .map(|p| participant(cc, r, p, grid, schedule))
        .collect();
    RoundModel {
        name: r.name.clone(),
        closes: cc.value(&r.closes),
        participants,
    }
}

/// One participant of round `r`. Its inputs, in order: its tranches' own probabilities,
/// whether it joins, its amount.
fn participant(
    cc: &mut Compiler,
    r: &Round,
    p: &Participant,
    grid: &Grid,
    schedule: &mut ObligationSchedule,
) -> PartModel {
    let close_step = grid.step_of(r.close);
    let tranches = p
        .tranches
        .iter()
        .map(|t| {
            if t.is_conditional() {
                conditional(cc, grid, r.close, close_step, t)
            } else {
                tranche(grid, r.close, close_step, t)
            }
        })
        .collect();
    let tied = p.tied_spend.as_ref().map(|t| {
        let unit = match t.counts_toward {
            Some(_) => None,
            None => Some(tied_unit(grid, r, p, t, schedule)),
        };
        (t.share, unit)
    });
    let joins = cc.value(&p.joins);
    let amount = cc.value(&p.amount);
    PartModel {
        name: p.name.clone(),
        joins,
        amount,
        tranches,
        tied,
    }
}

/// When a tranche arrives, for a round that closes at `close` (in step `close_step`, if
/// inside the horizon): never when it lapses at or before its date.
fn tranche(grid: &Grid, close: f64, close_step: Option<usize>, t: &Tranche) -> TrancheModel {
    let at = |date: f64, step: Option<usize>| match step {
        Some(step) if t.lapses.is_none_or(|l| date < l) => TrancheModel::AtStep {
            share: t.share,
            step,
        },
        _ => TrancheModel::Never,
    };
    match t.when {
        When::Close => at(close, close_step),
        When::Date(d) => at(d, grid.step_of(d)),
        When::Ipo => TrancheModel::OnIpo {
            share: t.share,
            lapses: t.lapses.unwrap_or(f64::INFINITY),
        },
        // A revenue trigger makes the tranche conditional: compiled by `conditional`.
        When::Revenue(_) => conditional_model(grid, close, close_step, t, Value::Const(1.0)),
    }
}

/// A tranche with more than one trigger, conditions or its own probability (whose input,
/// if uncertain, is compiled here, after the participant's tranches before it).
fn conditional(
    cc: &mut Compiler,
    grid: &Grid,
    close: f64,
    close_step: Option<usize>,
    t: &Tranche,
) -> TrancheModel {
    let arrives = t
        .probability
        .as_ref()
        .map_or(Value::Const(1.0), |p| cc.value(p));
    conditional_model(grid, close, close_step, t, arrives)
}

/// The [`CondTranche`] of `t`: each trigger that comes before the lapse date (a close or date
/// outside the horizon never comes), and its conditions.
fn conditional_model(
    grid: &Grid,
    close: f64,
    close_step: Option<usize>,
    t: &Tranche,
    arrives: Value,
) -> TrancheModel {
    let lapses = t.lapses.unwrap_or(f64::INFINITY);
    let mut c = CondTranche {
        share: t.share,
        step: None,
        on_ipo: false,
        lapses,
        on_revenue: None,
        from: close_step.unwrap_or(grid.n),
        until: grid.first_step_from(lapses).clamp(0, grid.n as i64) as usize,
        requires_ipo: false,
        requires_revenue: None,
        arrives,
    };
    for w in std::iter::once(t.when).chain(t.or_when.iter().copied()) {
        let dated = |d: f64, step: Option<usize>| step.filter(|_| d < lapses);
        let step = match w {
            When::Close => dated(close, close_step),
            When::Date(d) => dated(d, grid.step_of(d)),
            When::Ipo => {
                c.on_ipo = true;
                None
            }
            When::Revenue(level) => {
                c.on_revenue = Some(c.on_revenue.map_or(level, |l: f64| l.min(level)));
                None
            }
        };
        c.step = match (c.step, step) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    for r in &t.requires {
        match *r {
            Requirement::Ipo => c.requires_ipo = true,
            Requirement::Revenue(level) => {
                c.requires_revenue = Some(c.requires_revenue.map_or(level, |l: f64| l.max(level)))
            }
        }
    }
    TrancheModel::Conditional(c)
}

/// The share of tied spend `t` paid in each step (new payments, to its counterparty), added
/// to the expected `schedule` as "<counterparty> (tied)" at the expected amount: the means
/// of joining, closing and the amount, times its share.
fn tied_unit(
    grid: &Grid,
    r: &Round,
    p: &Participant,
    t: &TiedSpend,
    schedule: &mut ObligationSchedule,
) -> Vec<f64> {
    let unit = term_unit(grid, t.start, t.years, t.profile);
    let expected = p.joins.dist.mean() * r.closes.dist.mean() * p.amount.dist.mean() * t.share;
    schedule.add(grid, &format!("{} (tied)", t.counterparty), &unit, expected);
    unit
}
