//! The money coming in and the floor under it: `[cash]`, `[rounds.*]` with their
//! participants, tranches and tied spend, `[ipo]` and `[debt]`.

use indexmap::IndexMap;
use toml::Value;

use super::Checker;
use super::inputs::{Domain, fmt};
use crate::scenario::raw::{
    RawCash, RawDebt, RawIpo, RawObligation, RawParticipant, RawRound, RawTied, RawTranche,
};
use crate::scenario::{
    Cash, Debt, Ipo, Obligation, Participant, Requirement, Round, TiedSpend, Tranche, When,
    did_you_mean,
};

/// `[cash]`: cash at start (any sign) and the floor (≥ 0, default 0).
pub(super) fn cash(c: &mut Checker, rc: RawCash) -> Cash {
    Cash {
        initial: c.param("cash.initial", &rc.initial, Domain::Any, None),
        min_cash: c.param("cash.min_cash", &rc.min_cash, Domain::NonNeg, Some(0.0)),
    }
}

/// `[rounds.*]`. `obligations` are the raw obligations, which a tied spend may count toward.
pub(super) fn rounds(
    c: &mut Checker,
    raw: &IndexMap<String, RawRound>,
    start: f64,
    obligations: &IndexMap<String, RawObligation>,
) -> Vec<Round> {
    raw.iter()
        .map(|(rname, r)| round(c, rname, r, start, obligations))
        .collect()
}

/// One round: its close (not before `start`), valuation, participants and probability.
fn round(
    c: &mut Checker,
    rname: &str,
    r: &RawRound,
    start: f64,
    obligations: &IndexMap<String, RawObligation>,
) -> Round {
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
    let participants = r
        .participants
        .iter()
        .map(|(pname, pt)| participant(c, rname, pname, pt, close, obligations))
        .collect();
    Round {
        name: rname.to_string(),
        close,
        post_money,
        closes: c.probability(&rp("probability"), r.probability, Some(1.0)),
        participants,
    }
}

/// One participant of a round that closes at `close`: tranches, tied spend, probability and
/// amount, in that order.
fn participant(
    c: &mut Checker,
    rname: &str,
    pname: &str,
    pt: &RawParticipant,
    close: f64,
    obligations: &IndexMap<String, RawObligation>,
) -> Participant {
    let pp = |f: &str| format!("rounds.{rname}.participants.{pname}.{f}");
    let tranches = tranches(c, &pp("tranches"), pt.tranches.as_deref(), close);
    let tied_spend = pt
        .tied_spend
        .as_ref()
        .and_then(|t| tied_spend(c, &pp("tied_spend"), pname, t, close, obligations));
    Participant {
        name: pname.to_string(),
        joins: c.probability(&pp("probability"), pt.probability, Some(1.0)),
        amount: c.param(&pp("amount"), &pt.amount, Domain::NonNeg, None),
        tranches,
        tied_spend,
    }
}

/// A participant's `tranches` (default: all at the close). Shares are given for every tranche
/// and sum to 1, or for none and split evenly.
fn tranches(c: &mut Checker, path: &str, raw: Option<&[RawTranche]>, close: f64) -> Vec<Tranche> {
    let Some(raw) = raw else {
        return vec![Tranche {
            share: 1.0,
            when: When::Close,
            lapses: None,
            or_when: Vec::new(),
            requires: Vec::new(),
            probability: None,
        }];
    };
    if raw.is_empty() {
        c.problem(
            path,
            Some("[]".into()),
            "needs at least one tranche (or leave it out: all at close)",
        );
        return Vec::new();
    }
    let with_share = raw.iter().filter(|t| t.share.is_some()).count();
    if with_share != 0 && with_share != raw.len() {
        c.problem(
            path,
            None,
            "give every tranche a `share`, or none (then the amount is split evenly)",
        );
    }
    let mut out = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        out.push(tranche(c, &format!("{path}.{i}"), t, raw.len(), close));
    }
    let sum: f64 = out.iter().map(|t| t.share).sum();
    if with_share == raw.len() && (sum - 1.0).abs() > 1e-6 {
        c.problem(
            path,
            None,
            format!("the shares sum to {}; they must sum to 1", fmt(sum)),
        );
    }
    out
}

/// One of `count` tranches: its share, when it is paid (a trigger or a list of them: the
/// first to come), when it lapses (after any `when` date), what it `requires` when due, and
/// its own `probability`.
fn tranche(c: &mut Checker, tp: &str, t: &RawTranche, count: usize, close: f64) -> Tranche {
    let share = match t.share {
        Some(s) => c
            .number(&format!("{tp}.share"), s, Domain::Unit)
            .unwrap_or(0.0),
        None => 1.0 / count as f64,
    };
    let triggers = match &t.when {
        None => vec![When::Close],
        Some(Value::Array(items)) => {
            if items.is_empty() {
                c.problem(
                    &format!("{tp}.when"),
                    Some("[]".into()),
                    "needs at least one trigger (or leave `when` out: at the close)",
                );
            }
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| trigger(c, &format!("{tp}.when.{i}"), v, close))
                .collect()
        }
        Some(v) => trigger(c, &format!("{tp}.when"), v, close)
            .into_iter()
            .collect(),
    };
    let when = triggers.first().copied().unwrap_or(When::Close);
    let lapses = c.opt_date(&format!("{tp}.lapses"), &t.lapses);
    if let Some(l) = lapses {
        for &w in &triggers {
            if let When::Date(d) = w {
                if l <= d {
                    c.problem(
                        &format!("{tp}.lapses"),
                        Some(fmt(l)),
                        format!("must be after `when` ({})", fmt(d)),
                    );
                }
            }
        }
    }
    Tranche {
        share,
        when,
        lapses,
        or_when: triggers.get(1..).unwrap_or_default().to_vec(),
        requires: requirements(c, &format!("{tp}.requires"), t.requires.as_ref()),
        probability: t
            .probability
            .map(|p| c.probability(&format!("{tp}.probability"), Some(p), None)),
    }
}

/// One trigger of a tranche's `when`: `"close"`, `"ipo"`, `{ revenue = X }` or a date not
/// before the close. `None` (after reporting) when it is none of them.
fn trigger(c: &mut Checker, path: &str, v: &Value, close: f64) -> Option<When> {
    match v {
        Value::String(s) if s == "close" => Some(When::Close),
        Value::String(s) if s == "ipo" => Some(When::Ipo),
        Value::Table(t) => revenue_level(c, path, t).map(When::Revenue),
        v => {
            let d = c.date(path, v)?;
            if d < close {
                c.problem(
                    path,
                    Some(fmt(d)),
                    format!("is before the round's close ({})", fmt(close)),
                );
            }
            Some(When::Date(d))
        }
    }
}

/// A tranche's `requires`: `"ipo"`, `{ revenue = X }`, or a list of them (none when absent).
fn requirements(c: &mut Checker, path: &str, v: Option<&Value>) -> Vec<Requirement> {
    let one = |c: &mut Checker, path: &str, v: &Value| match v {
        Value::String(s) if s == "ipo" => Some(Requirement::Ipo),
        Value::Table(t) => revenue_level(c, path, t).map(Requirement::Revenue),
        v => {
            c.problem(
                path,
                Some(v.to_string()),
                "must be \"ipo\" (the IPO has happened by then), { revenue = X } (the run-rate is at least X $B/yr then), or a list of them",
            );
            None
        }
    };
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            if items.is_empty() {
                c.problem(
                    path,
                    Some("[]".into()),
                    "needs at least one condition (or leave `requires` out)",
                );
            }
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| one(c, &format!("{path}.{i}"), v))
                .collect()
        }
        Some(v) => one(c, path, v).into_iter().collect(),
    }
}

/// `{ revenue = X }` in a tranche's `when` or `requires`: a run-rate level, $B/yr, > 0.
fn revenue_level(c: &mut Checker, path: &str, t: &toml::Table) -> Option<f64> {
    let x = match (t.len(), t.get("revenue")) {
        (1, Some(Value::Integer(i))) => Some(*i as f64),
        (1, Some(Value::Float(x))) => Some(*x),
        _ => None,
    };
    match x {
        Some(x) => c.number(&format!("{path}.revenue"), x, Domain::Positive),
        None => {
            c.problem(
                path,
                Some(Value::Table(t.clone()).to_string()),
                "a table here must be { revenue = X }: a revenue run-rate in $B/yr",
            );
            None
        }
    }
}

/// A participant's `tied_spend` at path `tp`: money it puts in that comes back to it as
/// purchases. `None` (after reporting) without a valid share and term.
fn tied_spend(
    c: &mut Checker,
    tp: &str,
    pname: &str,
    t: &RawTied,
    close: f64,
    obligations: &IndexMap<String, RawObligation>,
) -> Option<TiedSpend> {
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
    let counts_toward = t
        .counts_toward
        .as_ref()
        .and_then(|o| counts_toward(c, tp, o, obligations));
    let profile = c.profile(&format!("{tp}.profile"), &t.profile);
    Some(TiedSpend {
        share: share?,
        start: tstart,
        years: years?,
        profile,
        counts_toward,
        counterparty: t.counterparty.clone().unwrap_or_else(|| pname.to_string()),
    })
}

/// The index of the obligation named `o` that a tied spend counts toward; reports a name that
/// is not an obligation.
fn counts_toward(
    c: &mut Checker,
    tp: &str,
    o: &str,
    obligations: &IndexMap<String, RawObligation>,
) -> Option<usize> {
    match obligations.get_index_of(o) {
        Some(i) => Some(i),
        None => {
            let hint = did_you_mean(o, obligations.keys().map(String::as_str))
                .map(|s| format!("; did you mean \"{s}\"?"))
                .unwrap_or_default();
            c.problem(
                &format!("{tp}.counts_toward"),
                Some(format!("\"{o}\"")),
                format!("names no obligation{hint}"),
            );
            None
        }
    }
}

/// `[ipo]`: its date may not fall before `start`.
pub(super) fn ipo(c: &mut Checker, i: &RawIpo, start: f64) -> Ipo {
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
}

/// A tranche paid on the IPO needs an `[ipo]` section, and so does one that requires it.
pub(super) fn ipo_tranches(c: &mut Checker, rounds: &[Round], ipo: Option<&Ipo>) {
    if ipo.is_some() {
        return;
    }
    let tranches = || {
        rounds
            .iter()
            .flat_map(|r| r.participants.iter().flat_map(|p| p.tranches.iter()))
    };
    if tranches().any(|t| t.when == When::Ipo || t.or_when.contains(&When::Ipo)) {
        c.problem(
            "ipo",
            None,
            "a tranche is paid on the IPO, but the scenario has no [ipo] section",
        );
    }
    if tranches().any(|t| t.requires.contains(&Requirement::Ipo)) {
        c.problem(
            "ipo",
            None,
            "a tranche requires the IPO, but the scenario has no [ipo] section",
        );
    }
}

/// Each obligation's `if_joins`: the participant, `"rounds.<r>.participants.<p>"`, without
/// whom the contract does not exist. Reports a name that is not a participant (with the
/// participants there are).
pub(super) fn if_joins(
    c: &mut Checker,
    mut obligations: Vec<Obligation>,
    raw: &IndexMap<String, RawObligation>,
    rounds: &[Round],
) -> Vec<Obligation> {
    for (o, (name, ro)) in obligations.iter_mut().zip(raw) {
        let Some(target) = &ro.if_joins else {
            continue;
        };
        let found = target
            .strip_prefix("rounds.")
            .and_then(|rest| rest.split_once(".participants."))
            .and_then(|(r, p)| {
                let ri = rounds.iter().position(|x| x.name == r)?;
                let pi = rounds[ri].participants.iter().position(|x| x.name == p)?;
                Some((ri, pi))
            });
        if found.is_none() {
            let names: Vec<String> = rounds
                .iter()
                .flat_map(|r| {
                    r.participants
                        .iter()
                        .map(move |p| format!("rounds.{}.participants.{}", r.name, p.name))
                })
                .collect();
            let names = if names.is_empty() {
                "(none)".to_string()
            } else {
                names.join(", ")
            };
            c.problem(
                &format!("obligations.{name}.if_joins"),
                Some(format!("\"{target}\"")),
                format!("names no participant of a round (write \"rounds.<round>.participants.<name>\"); the participants are: {names}"),
            );
        }
        o.if_joins = found;
    }
    obligations
}

/// `[debt]`: a credit line's limit and rate.
pub(super) fn debt(c: &mut Checker, d: &RawDebt) -> Debt {
    Debt {
        limit: c.param("debt.limit", &d.limit, Domain::NonNeg, None),
        rate: c.param("debt.rate", &d.rate, Domain::NonNeg, None),
    }
}
