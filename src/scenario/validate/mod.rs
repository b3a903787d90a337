//! Raw → validated: every field parsed, range-checked and cross-referenced once.
//!
//! Problems are collected, not thrown: a user fixing a file sees all of them at once.

mod correlations;
mod costs;
mod dates;
mod distribution;
mod funding;
mod inputs;
mod obligations;
mod revenue;
mod time;

use toml::Value;

use super::raw::*;
use super::*;
use inputs::{Domain, fmt};

/// Collects the problems found; each check reports what it finds and carries on.
struct Checker {
    /// Every problem found so far, in the order found.
    problems: Vec<Problem>,
}

impl Checker {
    /// Reports a problem at `path`.
    fn problem(&mut self, path: &str, value: Option<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            value,
            message: message.into(),
        });
    }

    /// Reports that a required field is missing; `what` says what it holds.
    fn missing(&mut self, path: &str, what: &str) {
        self.problem(path, None, format!("is required ({what})"));
    }
}

/// `name` (default: the file's stem). Checked with everything else, so that every problem is
/// listed at once.
fn name(c: &mut Checker, name: Option<String>, stem: &str) -> String {
    let name = name.unwrap_or_else(|| stem.to_string());
    let name_ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    if !name_ok {
        c.problem(
            "name",
            Some(format!("{name:?}")),
            "must be a plain name of letters, digits, '-', '_' or '.' (it names the output folder output/<name>/)",
        );
    }
    name
}

/// Converts a merged raw scenario into a [`Scenario`], or lists every problem.
pub(super) fn validate(
    raw: RawScenario,
    origin: &str,
    stem: &str,
) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        problems: Vec::new(),
    };

    let name = name(&mut c, raw.name, stem);
    let time = time::time(&mut c, raw.time.unwrap_or_default());
    let start = time.start;
    let run = time::run(&mut c, raw.run.unwrap_or_default());
    let cash = funding::cash(&mut c, raw.cash.unwrap_or_default());
    let correlations = correlations::correlations(&mut c, &raw.correlations);

    let segments = revenue::segments(&mut c, &raw.revenue, start);
    let revenue_correlations =
        revenue::correlations(&mut c, &raw.revenue_correlations, &raw.revenue);
    let events = revenue::events(&mut c, &raw.events, &raw.revenue);

    let costs = costs::costs(&mut c, &raw.costs, &raw.revenue);

    let obligations = obligations::obligations(&mut c, &raw.obligations, start);

    // [rounds.*]
    let mut rounds = Vec::new();
    for (rname, r) in &raw.rounds {
        let rp = |f: &str| format!("rounds.{rname}.{f}");
        let close = c.req_date(&rp("close"), &r.close).unwrap_or(start);
        if close < start {
            c.problem(
                &rp("close"),
                Some(fmt(close)),
                format!(
                    "is before time.start ({}); money already raised belongs in cash.initial",
                    fmt(start)
                ),
            );
        }
        let post_money = r
            .post_money
            .and_then(|v| c.number(&rp("post_money"), v, Domain::Positive));
        let mut participants = Vec::new();
        for (pname, pt) in &r.participants {
            let pp = |f: &str| format!("rounds.{rname}.participants.{pname}.{f}");
            let tranches = c.tranches(&pp("tranches"), pt.tranches.as_deref(), close);
            let tied_spend = pt.tied_spend.as_ref().and_then(|t| {
                let tp = pp("tied_spend");
                let share = match t.share {
                    None => {
                        c.missing(
                            &format!("{tp}.share"),
                            "the share of the amount tied to spending",
                        );
                        None
                    }
                    Some(s) => c.number(&format!("{tp}.share"), s, Domain::Unit),
                };
                let years = match t.years {
                    None => {
                        c.missing(
                            &format!("{tp}.years"),
                            "the term of the tied spending in years",
                        );
                        None
                    }
                    Some(y) => c
                        .number(&format!("{tp}.years"), y, Domain::Positive)
                        .and_then(|y| c.term(&format!("{tp}.years"), y)),
                };
                let tstart = c
                    .opt_date(&format!("{tp}.start"), &t.start)
                    .unwrap_or(close);
                let counts_toward = match &t.counts_toward {
                    None => None,
                    Some(o) => match raw.obligations.get_index_of(o.as_str()) {
                        Some(i) => Some(i),
                        None => {
                            let hint = did_you_mean(o, raw.obligations.keys().map(String::as_str))
                                .map(|s| format!("; did you mean \"{s}\"?"))
                                .unwrap_or_default();
                            c.problem(
                                &format!("{tp}.counts_toward"),
                                Some(format!("\"{o}\"")),
                                format!("names no obligation{hint}"),
                            );
                            None
                        }
                    },
                };
                let profile = c.profile(&format!("{tp}.profile"), &t.profile);
                Some(TiedSpend {
                    share: share?,
                    start: tstart,
                    years: years?,
                    profile,
                    counts_toward,
                    counterparty: t.counterparty.clone().unwrap_or_else(|| pname.clone()),
                })
            });
            participants.push(Participant {
                name: pname.clone(),
                joins: c.probability(&pp("probability"), pt.probability, Some(1.0)),
                amount: c.param(&pp("amount"), &pt.amount, Domain::NonNeg, None),
                tranches,
                tied_spend,
            });
        }
        rounds.push(Round {
            name: rname.clone(),
            close,
            post_money,
            closes: c.probability(&rp("probability"), r.probability, Some(1.0)),
            participants,
        });
    }

    // [ipo]
    let ipo = raw.ipo.as_ref().map(|i| {
        let date = c.date_param("ipo.date", &i.date);
        if date.dist.support().0 < start {
            c.problem(
                "ipo.date",
                Some(date.dist.describe()),
                format!("can fall before time.start ({})", fmt(start)),
            );
        }
        Ipo {
            happens: c.probability("ipo.probability", i.probability, None),
            date,
            multiple: c.param("ipo.multiple", &i.multiple, Domain::NonNeg, None),
            raise_share: c.param("ipo.raise_share", &i.raise_share, Domain::Unit, None),
        }
    });
    if rounds.iter().any(|r| {
        r.participants
            .iter()
            .any(|p| p.tranches.iter().any(|t| t.when == When::Ipo))
    }) && ipo.is_none()
    {
        c.problem(
            "ipo",
            None,
            "a tranche is paid on the IPO, but the scenario has no [ipo] section",
        );
    }

    // [debt]
    let debt = raw.debt.as_ref().map(|d| Debt {
        limit: c.param("debt.limit", &d.limit, Domain::NonNeg, None),
        rate: c.param("debt.rate", &d.rate, Domain::NonNeg, None),
    });

    if !c.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: origin.to_string(),
            problems: c.problems,
        });
    }
    Ok(Scenario {
        name,
        description: raw.description.unwrap_or_default(),
        origin: origin.to_string(),
        files: Vec::new(),
        time,
        run,
        cash,
        correlations,
        segments,
        revenue_correlations,
        events,
        costs,
        obligations,
        rounds,
        ipo,
        debt,
    })
}

impl Checker {
    fn tranches(&mut self, path: &str, raw: Option<&[RawTranche]>, close: f64) -> Vec<Tranche> {
        let Some(raw) = raw else {
            return vec![Tranche {
                share: 1.0,
                when: When::Close,
                lapses: None,
            }];
        };
        if raw.is_empty() {
            self.problem(
                path,
                Some("[]".into()),
                "needs at least one tranche (or leave it out: all at close)",
            );
            return Vec::new();
        }
        let with_share = raw.iter().filter(|t| t.share.is_some()).count();
        if with_share != 0 && with_share != raw.len() {
            self.problem(
                path,
                None,
                "give every tranche a `share`, or none (then the amount is split evenly)",
            );
        }
        let mut out = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let tp = format!("{path}.{i}");
            let share = match t.share {
                Some(s) => self
                    .number(&format!("{tp}.share"), s, Domain::Unit)
                    .unwrap_or(0.0),
                None => 1.0 / raw.len() as f64,
            };
            let when = match &t.when {
                None => When::Close,
                Some(Value::String(s)) if s == "close" => When::Close,
                Some(Value::String(s)) if s == "ipo" => When::Ipo,
                Some(v) => match self.date(&format!("{tp}.when"), v) {
                    Some(d) => {
                        if d < close {
                            self.problem(
                                &format!("{tp}.when"),
                                Some(fmt(d)),
                                format!("is before the round's close ({})", fmt(close)),
                            );
                        }
                        When::Date(d)
                    }
                    None => When::Close,
                },
            };
            let lapses = self.opt_date(&format!("{tp}.lapses"), &t.lapses);
            if let (When::Date(d), Some(l)) = (when, lapses) {
                if l <= d {
                    self.problem(
                        &format!("{tp}.lapses"),
                        Some(fmt(l)),
                        format!("must be after `when` ({})", fmt(d)),
                    );
                }
            }
            out.push(Tranche {
                share,
                when,
                lapses,
            });
        }
        let sum: f64 = out.iter().map(|t| t.share).sum();
        if with_share == raw.len() && (sum - 1.0).abs() > 1e-6 {
            self.problem(
                path,
                None,
                format!("the shares sum to {}; they must sum to 1", fmt(sum)),
            );
        }
        out
    }
}
