//! What a scenario assumes, before trusting its result: resolved inputs with their sources,
//! the obligations schedule, the sources and uses of cash on the median path, and warnings
//! about inputs that look suspicious.
//!
//! The "median path" is one trial with every input at its median and no revenue shocks or
//! events (`sim::Draws::Median`): not the median of the outcomes, but a single consistent path
//! whose sources and uses add up.

use serde::Serialize;

use crate::dist::Dist;
use crate::model::Model;
use crate::scenario::{SegmentKind, Timing};
use crate::sim::{Draws, Scratch, metric, run_trial_with};

/// One uncertain input as the scenario resolves it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputLine {
    /// Dotted path.
    pub path: String,
    /// Distribution.
    pub distribution: String,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// The comment beside (or just above) the value in the scenario file, if any.
    pub source: Option<String>,
}

/// One calendar year of the median path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearFlows {
    /// Calendar year.
    pub year: i32,
    /// Revenue booked, $B.
    pub revenue: f64,
    /// Other costs, $B.
    pub costs: f64,
    /// Obligations paid, $B.
    pub obligations: f64,
    /// Rounds, IPO and debt drawn, less interest, $B.
    pub financing: f64,
    /// Cash at the end of the year (or of the horizon), $B.
    pub cash_end: f64,
}

/// Sources and uses of cash over the horizon on the median path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourcesUses {
    /// Cash at the start, $B.
    pub initial_cash: f64,
    /// Revenue, $B.
    pub revenue: f64,
    /// Funding rounds, $B.
    pub rounds: f64,
    /// IPO raise, $B.
    pub ipo: f64,
    /// Debt drawn, $B.
    pub debt: f64,
    /// Other costs, $B.
    pub costs: f64,
    /// Obligations paid, $B.
    pub obligations: f64,
    /// Interest, $B.
    pub interest: f64,
    /// Cash at the end, $B.
    pub cash_end: f64,
    /// The cash floor, $B.
    pub floor: f64,
    /// Funding gap on this path, $B.
    pub gap: f64,
    /// First shortfall date on this path.
    pub first_shortfall: Option<f64>,
    /// Year by year.
    pub by_year: Vec<YearFlows>,
}

/// One fixed value of the scenario (a number with no uncertainty).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FixedLine {
    /// Dotted path.
    pub path: String,
    /// The value, in the unit of the field.
    pub value: f64,
    /// The comment beside (or just above) the value in the scenario file, if any.
    pub source: Option<String>,
}

/// One contract (obligation) as the scenario states it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContractLine {
    /// Obligation name.
    pub name: String,
    /// Who is paid.
    pub counterparty: String,
    /// Headline total's distribution, $B.
    pub total: String,
    /// Headline total's median, $B.
    pub total_p50: f64,
    /// When it is paid, in words (a term with its profile, or a schedule by year).
    pub timing: String,
    /// Median share of the total actually spent.
    pub realized_share_p50: f64,
    /// Median share of each payment that can be deferred.
    pub flexible_share_p50: f64,
    /// How long a deferred payment waits, years.
    pub deferral_years: f64,
    /// The participant without whom the contract does not exist
    /// (`rounds.<r>.participants.<p>`), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub if_joins: Option<String>,
}

/// One tranche of a participant's money as the scenario states it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrancheLine {
    /// Share of the participant's amount.
    pub share: f64,
    /// Its condition: `close`, `date` or `ipo`.
    pub when: String,
    /// The date for `close` and `date`, decimal year.
    pub date: Option<f64>,
    /// The date after which it never arrives, decimal year.
    pub lapses: Option<f64>,
    /// Its other triggers, conditions and own probability, in words, if it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// An entry a variant's `remove` dropped from what it extends.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RemovedLine {
    /// Dotted name of the entry (`revenue.ads`).
    pub entry: String,
    /// The file whose `remove` named it.
    pub file: String,
    /// Inherited correlations dropped with it, each `a ~ b`.
    pub correlations: Vec<String>,
}

/// One participant of a round as the scenario states it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParticipantLine {
    /// Participant name.
    pub name: String,
    /// Probability it joins (if the round closes).
    pub joins_probability: f64,
    /// Its commitment's distribution, $B.
    pub amount: String,
    /// Its commitment's median, $B.
    pub amount_p50: f64,
    /// Its tranches.
    pub tranches: Vec<TrancheLine>,
    /// Tied spend, in words, if any.
    pub tied_spend: Option<String>,
}

/// One funding round as the scenario states it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundLine {
    /// Round name.
    pub name: String,
    /// Close date, decimal year.
    pub close: f64,
    /// Probability it closes.
    pub closes_probability: f64,
    /// Post-money valuation, $B, if given.
    pub post_money: Option<f64>,
    /// Its participants.
    pub participants: Vec<ParticipantLine>,
}

/// The IPO as the scenario states it: what the tranches on the IPO wait for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IpoLine {
    /// Probability it happens at all.
    pub probability: f64,
    /// Its date's 5th, 50th and 95th percentiles, decimal years.
    pub date: [f64; 3],
    /// Median valuation multiple of the revenue run-rate.
    pub multiple_p50: f64,
    /// Median share of the valuation raised.
    pub raise_share_p50: f64,
}

/// Everything `explain` shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    /// Scenario name.
    pub scenario: String,
    /// Description.
    pub description: String,
    /// Files read, the scenario first.
    pub files: Vec<String>,
    /// Start and end, decimal years.
    pub horizon: [f64; 2],
    /// Steps per year.
    pub steps_per_year: u32,
    /// Report years.
    pub report_years: Vec<i32>,
    /// Every `--set PATH=VALUE` applied, as typed, in order.
    pub overrides: Vec<String>,
    /// Inherited entries dropped by `remove`, in the order applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<RemovedLine>,
    /// Uncertain inputs.
    pub inputs: Vec<InputLine>,
    /// Fixed values: every number of the scenario with no uncertainty, in file order.
    pub fixed: Vec<FixedLine>,
    /// The contracts.
    pub contracts: Vec<ContractLine>,
    /// The funding rounds, with their tranches and conditions.
    pub rounds: Vec<RoundLine>,
    /// The IPO, if any.
    pub ipo: Option<IpoLine>,
    /// Correlated pairs (a, b, rho).
    pub correlations: Vec<(String, String, f64)>,
    /// Calendar years of the schedule.
    pub schedule_years: Vec<i32>,
    /// Expected payments per year by counterparty, $B.
    pub schedule: Vec<(String, Vec<f64>)>,
    /// Sum of headline totals, $B.
    pub headline_total: f64,
    /// Sources and uses on the median path.
    pub median_path: SourcesUses,
    /// Inputs that look suspicious.
    pub warnings: Vec<String>,
}

/// Explains a compiled scenario.
pub fn explain(model: &Model) -> Explanation {
    let sc = &model.scenario;
    let texts: Vec<&str> = sc.files.iter().map(|f| f.text.as_str()).collect();
    let inputs = model
        .inputs
        .iter()
        .map(|inp| InputLine {
            path: inp.path.clone(),
            distribution: inp.dist.describe(),
            p5: inp.dist.quantile(0.05),
            p50: inp.dist.quantile(0.5),
            p95: inp.dist.quantile(0.95),
            source: texts.iter().find_map(|t| source_comment(t, &inp.path)),
        })
        .collect();
    Explanation {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        files: sc.files.iter().map(|f| f.path.clone()).collect(),
        horizon: [model.grid.t[0], model.grid.t[model.grid.n]],
        steps_per_year: sc.time.steps_per_year,
        report_years: sc.time.report_years.clone(),
        overrides: sc.overrides.clone(),
        removed: sc
            .removed
            .iter()
            .map(|r| RemovedLine {
                entry: r.entry.clone(),
                file: r.file.clone(),
                correlations: r.correlations.clone(),
            })
            .collect(),
        inputs,
        fixed: sc
            .params()
            .into_iter()
            .filter(|p| p.dist.is_fixed())
            .map(|p| FixedLine {
                path: p.path.clone(),
                value: p.dist.mean(),
                source: texts.iter().find_map(|t| source_comment(t, &p.path)),
            })
            .collect(),
        contracts: contracts(model),
        rounds: rounds(model),
        ipo: sc.ipo.as_ref().map(|i| {
            let d = &i.date.dist;
            IpoLine {
                probability: i.happens.dist.mean(),
                date: [d.quantile(0.05), d.quantile(0.5), d.quantile(0.95)],
                multiple_p50: i.multiple.dist.quantile(0.5),
                raise_share_p50: i.raise_share.dist.quantile(0.5),
            }
        }),
        correlations: sc
            .correlations
            .iter()
            .map(|c| (c.a.clone(), c.b.clone(), c.rho))
            .collect(),
        schedule_years: model.schedule.years.clone(),
        schedule: model.schedule.by_counterparty.clone(),
        headline_total: model.schedule.headline_total,
        median_path: median_path(model),
        warnings: warnings(model),
    }
}

fn contracts(model: &Model) -> Vec<ContractLine> {
    use crate::scenario::Profile;
    let profile = |p: Profile| match p {
        Profile::Flat => "flat",
        Profile::Ramp => "ramp",
        Profile::FrontLoaded => "front-loaded",
        Profile::BackLoaded => "back-loaded",
    };
    model
        .scenario
        .obligations
        .iter()
        .map(|o| ContractLine {
            name: o.name.clone(),
            counterparty: o.counterparty.clone(),
            total: o.total.dist.describe(),
            total_p50: o.total.dist.quantile(0.5),
            timing: match &o.timing {
                Timing::Term {
                    start,
                    years,
                    profile: p,
                } => format!(
                    "{} over {} years from {}",
                    profile(*p),
                    crate::dist::fmt_num(*years),
                    crate::summary::scenario_date(*start)
                ),
                Timing::Schedule(rows) => format!(
                    "by year: {}",
                    rows.iter()
                        .map(|(y, v)| format!("{y} {}", crate::dist::fmt_num(*v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            realized_share_p50: o.realized_share.dist.quantile(0.5),
            flexible_share_p50: o.flexible_share.dist.quantile(0.5),
            deferral_years: o.deferral_years,
            if_joins: o.if_joins.map(|(r, p)| {
                let round = &model.scenario.rounds[r];
                format!(
                    "rounds.{}.participants.{}",
                    round.name, round.participants[p].name
                )
            }),
        })
        .collect()
}

/// A conditional tranche's triggers, conditions and own probability, in words: "due at the
/// first of: the IPO, run-rate ≥ $150B/yr; requires the IPO by then; probability 0.5".
fn condition(t: &crate::scenario::Tranche, close: f64) -> String {
    use crate::scenario::{Requirement, When};
    let num = crate::dist::fmt_num;
    let trigger = |w: &When| match *w {
        When::Close => format!("the close ({})", crate::summary::scenario_date(close)),
        When::Date(d) => crate::summary::scenario_date(d),
        When::Ipo => "the IPO".to_string(),
        When::Revenue(x) => format!("run-rate ≥ ${}B/yr", num(x)),
    };
    let triggers: Vec<String> = std::iter::once(&t.when)
        .chain(&t.or_when)
        .map(trigger)
        .collect();
    let mut parts = vec![if triggers.len() > 1 {
        format!("due at the first of: {}", triggers.join(", "))
    } else {
        format!("due at {}", triggers.join(""))
    }];
    for r in &t.requires {
        parts.push(match *r {
            Requirement::Ipo => "requires the IPO by then".to_string(),
            Requirement::Revenue(x) => format!("requires run-rate ≥ ${}B/yr then", num(x)),
        });
    }
    if let Some(p) = &t.probability {
        parts.push(format!("probability {}", num(p.dist.mean())));
    }
    parts.join("; ")
}

fn rounds(model: &Model) -> Vec<RoundLine> {
    use crate::scenario::When;
    let sc = &model.scenario;
    sc.rounds
        .iter()
        .map(|r| RoundLine {
            name: r.name.clone(),
            close: r.close,
            closes_probability: r.closes.dist.mean(),
            post_money: r.post_money,
            participants: r
                .participants
                .iter()
                .map(|p| ParticipantLine {
                    name: p.name.clone(),
                    joins_probability: p.joins.dist.mean(),
                    amount: p.amount.dist.describe(),
                    amount_p50: p.amount.dist.quantile(0.5),
                    tranches: p
                        .tranches
                        .iter()
                        .map(|t| {
                            let (when, date) = match t.when {
                                When::Close => ("close", Some(r.close)),
                                When::Date(d) => ("date", Some(d)),
                                When::Ipo => ("ipo", None),
                                When::Revenue(_) => ("revenue", None),
                            };
                            TrancheLine {
                                share: t.share,
                                when: when.to_string(),
                                date,
                                lapses: t.lapses,
                                condition: t.is_conditional().then(|| condition(t, r.close)),
                            }
                        })
                        .collect(),
                    tied_spend: p.tied_spend.as_ref().map(|t| {
                        let toward = t
                            .counts_toward
                            .and_then(|i| sc.obligations.get(i))
                            .map_or(String::new(), |o| {
                                format!(", counted toward obligations.{}", o.name)
                            });
                        format!(
                            "{} % of the amount spent with {} over {} years from {}{toward}",
                            crate::dist::fmt_num(100.0 * t.share),
                            t.counterparty,
                            crate::dist::fmt_num(t.years),
                            crate::summary::scenario_date(t.start)
                        )
                    }),
                })
                .collect(),
        })
        .collect()
}

fn median_path(model: &Model) -> SourcesUses {
    let mut s = Scratch::new(model);
    run_trial_with(model, 0, 0, &mut s, Draws::Median, None);
    let g = &model.grid;
    let o = &s.outcome.metrics;
    let mut by_year: Vec<YearFlows> = Vec::new();
    for k in 0..g.n {
        let year = g.years[g.year_of_step[k]];
        if by_year.last().is_none_or(|y| y.year != year) {
            by_year.push(YearFlows {
                year,
                revenue: 0.0,
                costs: 0.0,
                obligations: 0.0,
                financing: 0.0,
                cash_end: 0.0,
            });
        }
        let (rev, cost, obl) = (
            s.revenue[k] * g.dt,
            s.costs[k] * g.dt,
            s.obligations[k] * g.dt,
        );
        if let Some(y) = by_year.last_mut() {
            y.revenue += rev;
            y.costs += cost;
            y.obligations += obl;
            // Whatever else moved cash: funding, IPO, debt, less interest.
            y.financing += s.cash[k + 1] - s.cash[k] - rev + cost + obl;
            y.cash_end = s.cash[k + 1];
        }
    }
    SourcesUses {
        initial_cash: s.cash[0],
        revenue: o[metric::REVENUE],
        rounds: o[metric::FUNDING_ROUNDS],
        ipo: o[metric::IPO_RAISE],
        debt: o[metric::DEBT],
        costs: o[metric::COSTS],
        obligations: o[metric::OBLIGATIONS],
        interest: o[metric::INTEREST],
        cash_end: o[metric::CASH_END],
        floor: model.min_cash.get(&s.x),
        gap: o[metric::GAP],
        first_shortfall: s.outcome.first_shortfall.map(|j| g.t[j]),
        by_year,
    }
}

/// The model's warnings, then what looks doubtful in the scenario: an input whose 90 %
/// interval spans more than 100×, a growth rate read as a percentage, a revenue path that ends
/// early, an obligation, round or IPO outside the horizon, a participant of amount 0.
pub fn warnings(model: &Model) -> Vec<String> {
    let sc = &model.scenario;
    let (start, end) = (model.grid.t[0], model.grid.t[model.grid.n]);
    let mut w = model.warnings.clone();
    for inp in &model.inputs {
        let (p5, p95) = (inp.dist.quantile(0.05), inp.dist.quantile(0.95));
        if p5 > 0.0 && p95 / p5 > 100.0 {
            w.push(format!(
                "{}: its 90 % interval spans more than 100× ({} to {}); is that intended?",
                inp.path,
                crate::dist::fmt_num(p5),
                crate::dist::fmt_num(p95)
            ));
        }
        if inp.path.ends_with(".growth") && inp.dist.quantile(0.5) > 3.0 {
            w.push(format!(
                "{}: median growth above 300 %/yr ({}); growth is a rate per year (1.0 = +100 %)",
                inp.path,
                crate::dist::fmt_num(inp.dist.quantile(0.5))
            ));
        }
    }
    for seg in &sc.segments {
        if let SegmentKind::Path { series, .. } = &seg.kind {
            let last = series.points.last().map_or(start, |p| p.0);
            if last < end - 1.0 {
                w.push(format!(
                    "revenue.{}.path ends at {}: the run-rate is held flat from then to {}",
                    seg.name,
                    crate::dist::fmt_num(last),
                    crate::dist::fmt_num(end)
                ));
            }
        }
    }
    for o in &sc.obligations {
        let inside = match &o.timing {
            Timing::Term {
                start: s0, years, ..
            } => *s0 < end && s0 + years > start,
            Timing::Schedule(rows) => rows
                .iter()
                .any(|&(y, v)| v > 0.0 && (y as f64) < end && (y as f64 + 1.0) > start),
        };
        if !inside && o.total.dist.mean() > 0.0 {
            w.push(format!(
                "obligations.{}: pays nothing inside the horizon (check its start and years)",
                o.name
            ));
        }
    }
    if let Some(ipo) = &sc.ipo {
        if ipo.date.dist.quantile(0.5) >= end {
            w.push("ipo.date: the median IPO date is after the horizon".to_string());
        }
    }
    for r in &sc.rounds {
        if r.close >= end {
            w.push(format!(
                "rounds.{}.close is after the horizon: the round adds nothing",
                r.name
            ));
        }
        for p in &r.participants {
            if let Dist::Bernoulli { p: 0.0 } = p.joins.dist {
                continue;
            }
            if p.amount.dist.mean() == 0.0 {
                w.push(format!(
                    "rounds.{}.participants.{}.amount is 0",
                    r.name, p.name
                ));
            }
        }
    }
    w
}

/// The comment documenting `path` in a scenario file's text: the `# ...` at the end of the
/// line that sets it, or else the block of comment lines just above it.
pub fn source_comment(text: &str, path: &str) -> Option<String> {
    let (table, key) = path.rsplit_once('.')?;
    let lines: Vec<&str> = text.lines().collect();
    let mut current = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[') {
            current = h
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            continue;
        }
        if current != table {
            continue;
        }
        let Some((k, rest)) = t.split_once('=') else {
            continue;
        };
        if k.trim() != key {
            continue;
        }
        if let Some(c) = trailing_comment(rest) {
            return Some(c);
        }
        let mut above: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .map(|l| l.trim())
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim())
            .collect();
        above.reverse();
        return (!above.is_empty()).then(|| above.join(" "));
    }
    // A field inside an inline table (a driver's point, `users = { ceiling = ... }`): the
    // comment of the line that sets the table.
    match table.matches('.').count() {
        0 | 1 => None,
        _ => source_comment(text, table),
    }
}

/// The comment after a value, ignoring `#` inside quoted strings.
fn trailing_comment(rest: &str) -> Option<String> {
    let mut in_str = false;
    for (i, ch) in rest.char_indices() {
        match ch {
            '"' => in_str = !in_str,
            '#' if !in_str => {
                let c = rest[i + 1..].trim();
                return (!c.is_empty()).then(|| c.to_string());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_trailing_and_preceding_comments() {
        let text = "[cash]\n# the floor\n# two lines\nmin_cash = 5\ninitial = 40 # from §4.2\nname = \"a#b\"\n";
        assert_eq!(
            source_comment(text, "cash.initial").as_deref(),
            Some("from §4.2")
        );
        assert_eq!(
            source_comment(text, "cash.min_cash").as_deref(),
            Some("the floor two lines")
        );
        assert_eq!(source_comment(text, "cash.name"), None);
        assert_eq!(source_comment(text, "debt.limit"), None);
        let text = "[revenue.chat]\n# users, billions\nusers = { ceiling = 3 }\nshare = { 2026 = 0.1 } # §3\n";
        assert_eq!(
            source_comment(text, "revenue.chat.users.ceiling").as_deref(),
            Some("users, billions")
        );
        assert_eq!(
            source_comment(text, "revenue.chat.share.2026").as_deref(),
            Some("§3")
        );
    }
}
