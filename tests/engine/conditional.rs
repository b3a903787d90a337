//! Known answers for the conditional forms: a tranche's own probability, its triggers (`when`
//! as a list, `{ revenue = X }`) and conditions (`requires`), a contract that exists only if
//! a participant joins (`if_joins`), and `remove` in a variant. Every input is fixed, so each
//! trial is arithmetic worked out by hand; the lanes and the scalar loop must agree to the bit
//! when the same forms are uncertain.

use funding_gap::model::compile;
use funding_gap::scenario::load_str;
use funding_gap::sim::metric;

use crate::batch::assert_batch_matches;
use crate::support::{close, model, run, trial};

/// Yearly, three years; revenue 10 growing 50 %/yr (run-rates 10, 15, 22.5 at 2026, 2027,
/// 2028); one round closing at the start; an IPO whose date and probability the tests set;
/// `{PARTICIPANT}` and `{OBLIGATION}` are filled in by each test.
const BASE: &str = r#"
[time]
start = 2026
horizon_years = 3
steps_per_year = 1
report_years = [2028]

[cash]
initial = 100
min_cash = 0

[revenue.core]
run_rate = 10
growth = 0.5

[obligations.cloud]
total = 30
start = 2026
years = 3

{OBLIGATION}

[rounds.r]
close = 2026

[rounds.r.participants.a]
amount = 10
{PARTICIPANT}

[ipo]
probability = {IPO_P}
date = {IPO_DATE}
multiple = 10
raise_share = 0
"#;

fn scenario(participant: &str, obligation: &str, ipo_p: f64, ipo_date: f64) -> String {
    BASE.replace("{PARTICIPANT}", participant)
        .replace("{OBLIGATION}", obligation)
        .replace("{IPO_P}", &ipo_p.to_string())
        .replace("{IPO_DATE}", &ipo_date.to_string())
}

/// Rounds' cash, tied spend counted and obligations paid of trial 0.
fn flows(participant: &str, obligation: &str, ipo_p: f64, ipo_date: f64) -> [f64; 3] {
    let m = model(&scenario(participant, obligation, ipo_p, ipo_date));
    let o = trial(&m, 1, 0).outcome;
    [
        o.metrics[metric::FUNDING_ROUNDS],
        o.metrics[metric::TIED_COUNTED],
        o.metrics[metric::OBLIGATIONS],
    ]
}

#[test]
fn a_tranche_with_probability_0_never_arrives_and_its_tied_spend_is_not_counted() {
    let p = |prob: f64| {
        format!(
            "tranches = [{{ share = 0.5 }}, {{ share = 0.5, when = 2027, probability = {prob} }}]\n\
             tied_spend = {{ share = 1, years = 2, counts_toward = \"cloud\" }}"
        )
    };
    let [funding, counted, _] = flows(&p(0.0), "", 0.0, 2027.0);
    close(funding, 5.0, 1e-12, "only the first half arrives");
    close(counted, 5.0, 1e-12, "tied spend counted on the 5 received");
    let [funding, counted, _] = flows(&p(1.0), "", 0.0, 2027.0);
    close(funding, 10.0, 1e-12, "both halves arrive");
    close(
        counted,
        10.0,
        1e-12,
        "tied spend counted on the 10 received",
    );
}

#[test]
fn a_tranche_that_requires_the_ipo_arrives_only_if_the_ipo_came_first() {
    let p = "tranches = [{ share = 0.4 }, { share = 0.6, when = 2027, requires = \"ipo\" }]";
    // IPO in 2026 (step 0): the 2027 tranche arrives.
    close(flows(p, "", 1.0, 2026.5)[0], 10.0, 1e-12, "IPO before");
    // IPO in the same step as the tranche counts as "by then".
    close(flows(p, "", 1.0, 2027.5)[0], 10.0, 1e-12, "IPO in its step");
    // IPO in 2028, after the tranche's date; or no IPO at all: never.
    close(flows(p, "", 1.0, 2028.5)[0], 4.0, 1e-12, "IPO after");
    close(flows(p, "", 0.0, 2026.5)[0], 4.0, 1e-12, "no IPO");
}

#[test]
fn a_tranche_is_due_at_the_first_of_its_triggers() {
    // The IPO or a run-rate of 12: revenue reaches 15 in 2027 (step 1).
    let p = "tranches = [{ share = 0.5 }, { share = 0.5, when = [\"ipo\", { revenue = 12 }] }]";
    let m = model(&scenario(p, "", 0.0, 2026.5));
    let s = trial(&m, 1, 0);
    close(
        s.outcome.metrics[metric::FUNDING_ROUNDS],
        10.0,
        1e-12,
        "arrives",
    );
    // Cash: 100 + 10 + 5 (first half) − 10 (cloud) = 105; then + 15 + 5 − 10 = 115.
    close(
        s.cash[1],
        105.0,
        1e-12,
        "cash after 2026: the revenue tranche not yet due",
    );
    close(
        s.cash[2],
        115.0,
        1e-12,
        "cash after 2027: the revenue tranche arrived",
    );
    // With the IPO in 2026 it arrives in 2026.
    let m = model(&scenario(p, "", 1.0, 2026.5));
    close(trial(&m, 1, 0).cash[1], 110.0, 1e-12, "arrives at the IPO");
    // A level never reached, and no IPO: never.
    let p = "tranches = [{ share = 0.5 }, { share = 0.5, when = { revenue = 100 } }]";
    close(
        flows(p, "", 0.0, 2026.5)[0],
        5.0,
        1e-12,
        "level never reached",
    );
    // A lapse date before the level is reached: never.
    let p = "tranches = [{ share = 0.5 }, { share = 0.5, when = { revenue = 20 }, lapses = 2028 }]";
    close(flows(p, "", 0.0, 2026.5)[0], 5.0, 1e-12, "lapses first");
}

#[test]
fn a_tranche_that_requires_a_revenue_level_checks_it_in_its_step() {
    let p = |level: f64| {
        format!(
            "tranches = [{{ share = 0.5 }}, {{ share = 0.5, when = 2027, requires = {{ revenue = {level} }} }}]"
        )
    };
    close(flows(&p(15.0), "", 0.0, 2026.5)[0], 10.0, 1e-12, "15 ≥ 15");
    close(flows(&p(16.0), "", 0.0, 2026.5)[0], 5.0, 1e-12, "15 < 16");
}

#[test]
fn a_contract_if_a_participant_joins_is_paid_only_when_it_joins() {
    let obligation = |flexible: f64| {
        format!(
            "[obligations.expansion]\ntotal = 60\nstart = 2026\nyears = 3\n\
             flexible_share = {flexible}\nif_joins = \"rounds.r.participants.a\""
        )
    };
    for flexible in [0.0, 0.5] {
        let joins = "probability = 1";
        let never = "probability = 0";
        let [_, _, paid] = flows(joins, &obligation(flexible), 0.0, 2027.0);
        close(paid, 90.0, 1e-9, "joins: cloud 30 + expansion 60");
        let [funding, _, paid] = flows(never, &obligation(flexible), 0.0, 2027.0);
        close(funding, 0.0, 1e-12, "never joins: no money");
        close(paid, 30.0, 1e-9, "never joins: only cloud");
    }
    // A round that does not close: the participant does not join.
    let text = scenario("", &obligation(0.0), 0.0, 2027.0)
        .replace("close = 2026\n", "close = 2026\nprobability = 0\n");
    let o = trial(&model(&text), 1, 0).outcome;
    close(
        o.metrics[metric::OBLIGATIONS],
        30.0,
        1e-9,
        "round never closes",
    );
}

#[test]
fn uncertain_conditions_follow_their_probabilities_and_the_lanes_agree() {
    let obligation = "[obligations.expansion]\ntotal = 60\nstart = 2026\nyears = 3\n\
                      flexible_share = 0.3\nif_joins = \"rounds.r.participants.a\"";
    let participant = "probability = 0.6\n\
        tranches = [{ share = 0.5 }, { share = 0.5, when = [\"ipo\", { revenue = 14 }], \
        requires = { revenue = 12 }, probability = 0.3 }]\n\
        tied_spend = { share = 1, years = 2, counts_toward = \"cloud\" }";
    let text = scenario(participant, obligation, 0.5, 2027.5).replace(
        "growth = 0.5",
        "growth = { low = 0.2, high = 0.8 }\nvolatility = 0.3",
    );
    let m = model(&text);
    for first in [0, 8, 100] {
        assert_batch_matches(&m, "conditional forms", 5, first, 8);
    }
    assert_batch_matches(&m, "conditional forms, partial batch", 5, 3, 5);
    // Joins 60 %; given joining, a dated second tranche comes 30 % of the time.
    let participant = "probability = 0.6\n\
        tranches = [{ share = 0.5 }, { share = 0.5, when = 2027, probability = 0.3 }]";
    let m = model(&scenario(participant, "", 0.0, 2027.0));
    assert_batch_matches(&m, "a tranche's own probability", 5, 0, 8);
    let (_, sum) = run(&m, 20_000, 3, 2);
    let funding = sum.metrics["funding_rounds"].mean;
    close(funding, 0.6 * (5.0 + 0.3 * 5.0), 0.1, "mean rounds' cash");
}

#[test]
fn remove_drops_inherited_entries_and_their_correlations() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let base = scenario(
        "probability = 0.5",
        "[obligations.extra]\ntotal = 60\nstart = 2026\nyears = 3",
        0.0,
        2027.0,
    )
    .replace("growth = 0.5", "growth = { low = 0.2, high = 0.8 }")
        + "\n[[correlations]]\nbetween = [\"revenue.core.growth\", \"rounds.r.participants.a.probability\"]\nrho = 0.5\n";
    std::fs::write(dir.path().join("base.toml"), base).unwrap_or_else(|e| panic!("{e}"));
    let variant = "extends = \"base.toml\"\nremove = [\"obligations.extra\", \"rounds.r\"]\n";
    let s =
        load_str(variant, "variant.toml", Some(dir.path()), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.rounds.is_empty(), "rounds.r removed");
    let names: Vec<&str> = s.obligations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["cloud"]);
    assert!(
        s.correlations.is_empty(),
        "the correlation on the round went with it"
    );
    assert_eq!(s.removed.len(), 2);
    assert_eq!(s.removed[0].entry, "obligations.extra");
    assert_eq!(
        s.removed[1].correlations,
        ["revenue.core.growth ~ rounds.r.participants.a.probability"]
    );
    let m = compile(&s).unwrap_or_else(|e| panic!("{e}"));
    let o = trial(&m, 1, 0).outcome;
    close(
        o.metrics[metric::OBLIGATIONS],
        30.0,
        1e-9,
        "only cloud is paid",
    );
    close(o.metrics[metric::FUNDING_ROUNDS], 0.0, 1e-12, "no round");
}
