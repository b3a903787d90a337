//! With every input fixed and zero volatility, a trial is plain arithmetic: these tests work
//! it out by hand and compare the engine's cash path, gap and first-shortfall date.

use crate::support::{close, model, run, trial};
use funding_gap::sim::metric;

/// Yearly steps: revenue 10 growing 50 %/yr, costs 4/yr, a 40 contract over 2 years.
const YEARLY: &str = r#"
[time]
start = 2026
horizon_years = 2
steps_per_year = 1
report_years = [2026, 2027]

[cash]
initial = 10
min_cash = 2

[revenue.core]
run_rate = 10
growth = 0.5

[costs.opex]
annual = 4

[obligations.cloud]
total = 40
start = 2026
years = 2
"#;

#[test]
fn yearly_cash_path_gap_and_first_shortfall() {
    let m = model(YEARLY);
    let s = trial(&m, 1, 0);
    // Step 0: 10 + 10 − 4 − 20 = −4.  Step 1: run-rate 10·1.5 = 15; −4 + 15 − 4 − 20 = −13.
    close(s.cash[0], 10.0, 1e-12, "cash_0");
    close(s.cash[1], -4.0, 1e-12, "cash_1");
    close(s.cash[2], -13.0, 1e-12, "cash_2");
    let o = &s.outcome;
    close(o.metrics[metric::GAP], 2.0 + 13.0, 1e-12, "gap");
    close(o.report_gaps[0], 2.0 + 4.0, 1e-12, "gap by end of 2026");
    close(o.report_gaps[1], 15.0, 1e-12, "gap by end of 2027");
    assert_eq!(o.first_shortfall, Some(1), "first shortfall at t_1 = 2027");
    close(o.metrics[metric::REVENUE], 25.0, 1e-12, "revenue");
    close(o.metrics[metric::OBLIGATIONS], 40.0, 1e-12, "obligations");
    close(
        o.metrics[metric::PEAK_BURN],
        14.0,
        1e-12,
        "peak burn (2026: 10 − 24)",
    );
    assert_eq!(o.breakeven_year, None);

    // Every trial is the same, so the summary is exact too.
    let (_, sum) = run(&m, 100, 7, 2);
    assert_eq!(sum.shortfall_probability.estimate, 1.0);
    assert_eq!(sum.gap.quantiles["p50"], 15.0);
    assert_eq!(sum.gap.quantiles["p5"], 15.0);
    close(sum.gap.mean, 15.0, 1e-12, "mean gap");
    assert_eq!(sum.first_shortfall.median, Some(2027.0));
    assert_eq!(sum.first_shortfall.probability_by_year["2026"], 1.0);
    assert_eq!(sum.bands.cash.p50, vec![10.0, -4.0, -13.0]);
}

/// Quarterly: revenue 40/yr with a 25 % revenue share, an 80 contract over one year half of
/// which is flexible with a one-quarter deferral, a round paid in two tranches, and a debt
/// facility of 3 at 4 %.
const QUARTERLY: &str = r#"
[time]
start = 2026
horizon_years = 1
steps_per_year = 4

[cash]
initial = 5
min_cash = 5

[revenue.core]
run_rate = 40
growth = 0

[costs.share]
revenue_share = 0.25

[obligations.cloud]
total = 80
start = 2026
years = 1
flexible_share = 0.5
deferral_years = 0.25

[rounds.seed]
close = 2026.25

[rounds.seed.participants.fund]
amount = 8
tranches = [{ share = 0.5 }, { share = 0.5, when = 2026.75 }]

[debt]
limit = 3
rate = 0.04
"#;

#[test]
fn quarterly_with_round_debt_and_deferral() {
    let m = model(QUARTERLY);
    let s = trial(&m, 1, 0);
    // Per quarter: revenue 10, revenue share 2.5, scheduled payment 20 (10 of it flexible).
    // Step 0: cash 5 is not below the floor: pay 20. pre = 5 + 10 − 2.5 − 20 = −7.5; the need
    //         of 12.5 exceeds the facility: draw all 3 → −4.5.
    // Step 1: stressed: defer 10 to step 2, pay 10. Interest 0.04·3·0.25 = 0.03, tranche 4.
    //         −4.5 + 10 − 2.5 − 10 + 4 − 0.03 = −3.03.
    // Step 2: stressed: defer 10 to step 3, pay 10 + the 10 deferred = 20.
    //         −3.03 + 7.5 − 20 − 0.03 = −15.56.
    // Step 3: stressed: defer 10 past the horizon (dropped), pay 10 + 10 = 20; second tranche
    //         (2026.75) arrives: −15.56 + 7.5 − 20 − 0.03 + 4 = −24.09.
    let want = [5.0, -4.5, -3.03, -15.56, -24.09];
    for (j, w) in want.iter().enumerate() {
        close(s.cash[j], *w, 1e-9, &format!("cash_{j}"));
    }
    let o = &s.outcome;
    // The deficit is the deepest fall on this path.
    close(o.metrics[metric::DEFICIT], 5.0 + 24.09, 1e-9, "deficit");
    // The gap is the least injection x with which nothing falls short; such a path never
    // defers, so every payment is made: net flows −12.5, −8.5 (tranche 4), −12.5, −8.5
    // (tranche 4). With x ≥ 33.5 cash stays at or above the floor until the last step,
    // which needs x − 42 ≥ −3 from the facility (limit 3): x = 39. Less than 33.5 would
    // draw earlier and pay interest, which needs more, not less (worked out in the docs).
    close(o.metrics[metric::GAP], 39.0, 1e-9, "gap");
    assert_eq!(o.first_shortfall, Some(1));
    close(
        o.metrics[metric::DROPPED],
        10.0,
        1e-12,
        "deferred past the horizon",
    );
    close(
        o.metrics[metric::OBLIGATIONS],
        70.0,
        1e-12,
        "obligations paid",
    );
    close(o.metrics[metric::DEBT], 3.0, 1e-12, "debt drawn");
    close(o.metrics[metric::INTEREST], 0.09, 1e-12, "interest");
    close(o.metrics[metric::FUNDING_ROUNDS], 8.0, 1e-12, "round");
    close(
        s.obligations[1],
        40.0,
        1e-9,
        "annualised obligations in step 1",
    );
}

#[test]
fn facility_that_covers_the_need_lands_exactly_on_the_floor() {
    let m = model(&QUARTERLY.replace("limit = 3", "limit = 100"));
    let s = trial(&m, 1, 0);
    // Step 0 draws 12.5 and lands exactly on 5, so step 1 is not stressed and nothing defers.
    assert_eq!(s.cash[1], 5.0);
    assert_eq!(s.outcome.metrics[metric::DROPPED], 0.0);
    assert_eq!(s.outcome.first_shortfall, None);
    assert_eq!(s.outcome.metrics[metric::GAP], 0.0);
}

#[test]
fn ipo_raise_uses_run_rate_at_the_start_of_its_step() {
    let toml = format!(
        "{YEARLY}\n[ipo]\nprobability = 1\ndate = 2027.5\nmultiple = 10\nraise_share = 0.1\n"
    );
    let m = model(&toml);
    let s = trial(&m, 1, 0);
    // IPO in step 1 (the year starting 2027): 0.1 · 10 · 15 = 15 raised.
    close(
        s.outcome.metrics[metric::IPO_RAISE],
        15.0,
        1e-12,
        "IPO raise",
    );
    close(s.cash[2], -13.0 + 15.0, 1e-12, "cash_2 with the IPO");
    assert_eq!(s.outcome.ipo_step, Some(1));
}

#[test]
fn path_segment_and_step_revenue_share_follow_the_published_numbers() {
    let toml = r#"
[time]
start = 2026
horizon_years = 3
steps_per_year = 1

[cash]
initial = 100

[revenue.plan]
path = { 2026 = 10, 2028 = 30 }

[costs.msft]
revenue_share_path = { 2026 = 0.2, 2027 = 0.1 }
interpolation = "step"
"#;
    let m = model(toml);
    let s = trial(&m, 3, 9);
    // Run-rates 10, 20, 30 (linear between 2026 and 2028); shares 0.2, 0.1, 0.1.
    assert_eq!(s.revenue, vec![10.0, 20.0, 30.0]);
    assert_eq!(s.costs, vec![2.0, 2.0, 3.0]);
    close(s.cash[3], 100.0 + 60.0 - 7.0, 1e-12, "cash_3");
}

/// An IPO-conditional tranche that lapses: a round pays 40 % at close and 60 % on an IPO before
/// 2027.0; the IPO comes in mid-2027, too late. All the money is tied to the existing contract.
#[test]
fn a_lapsed_ipo_tranche_brings_no_cash_and_no_counted_tied_spend() {
    let toml = format!(
        "{YEARLY}\n{}",
        r#"[rounds.r]
close = 2026

[rounds.r.participants.fund]
amount = 10
tranches = [{ share = 0.4, when = "close" }, { share = 0.6, when = "ipo", lapses = 2027.0 }]
tied_spend = { share = 1.0, years = 2, counts_toward = "cloud" }

[ipo]
probability = 1
date = 2027.5
multiple = 10
raise_share = 0.1
"#
    );
    let m = model(&toml);
    let s = trial(&m, 1, 0);
    // Step 0: 10 + 10 − 4 − 20 + 4 (the close tranche) = 0, 2 below the floor.
    // Step 1: IPO raises 0.1 · 10 · 15 = 15, the 6 of the IPO tranche lapsed (2027.5 ≥ 2027.0):
    //         0 + 15 − 4 − 20 + 15 = 6.
    close(s.cash[1], 0.0, 1e-12, "cash_1");
    close(s.cash[2], 6.0, 1e-12, "cash_2");
    let o = &s.outcome.metrics;
    close(o[metric::FUNDING_ROUNDS], 4.0, 1e-12, "round cash received");
    close(o[metric::IPO_RAISE], 15.0, 1e-12, "IPO raise");
    // Counted tied spend is on the money received (4), not the commitment (10).
    close(o[metric::TIED_COUNTED], 4.0, 1e-12, "tied spend counted");
    close(o[metric::TIED], 0.0, 1e-12, "no new obligation");
    // Nothing reacts to cash here, so the gap is the deficit: 2.
    close(o[metric::DEFICIT], 2.0, 1e-12, "deficit");
    close(o[metric::GAP], 2.0, 1e-12, "gap");
}

/// Yearly steps over four years: revenue 10/yr, costs 4/yr, a 20 contract in 2027 only, no
/// cash to spare and a facility at 10 %: 2027 burns, the other years generate cash.
const BURN_ONE_YEAR: &str = r#"
[time]
start = 2026
horizon_years = 4
steps_per_year = 1

[cash]
initial = 0
min_cash = 0

[revenue.core]
run_rate = 10
growth = 0

[costs.opex]
annual = 4

[obligations.cloud]
total = 20
start = 2027
years = 1

[debt]
limit = 100
rate = 0.1
"#;

#[test]
fn calendar_years_net_burn_and_a_break_even_that_holds() {
    use funding_gap::sim::years::series::{NET_BURN, OCF, REVENUE};
    let m = model(BURN_ONE_YEAR);
    let s = trial(&m, 1, 0);
    // 2026: 0 + 10 − 4 = 6.  2027: 6 + 10 − 4 − 20 = −8, draw 8 → 0.
    // 2028: interest 0.1·8 = 0.8; 0 + 10 − 4 − 0.8 = 5.2.  2029: 5.2 + 6 − 0.8 = 10.4.
    let want = [0.0, 6.0, 0.0, 5.2, 10.4];
    for (j, w) in want.iter().enumerate() {
        close(s.cash[j], *w, 1e-12, &format!("cash_{j}"));
    }
    let o = &s.outcome;
    let ny = 4;
    let fig = |series: usize, y: usize| o.years[series * ny + y];
    for (y, (ocf, burn)) in [(6.0, -6.0), (-14.0, 14.0), (6.0, -5.2), (6.0, -5.2)]
        .into_iter()
        .enumerate()
    {
        close(fig(REVENUE, y), 10.0, 1e-12, &format!("revenue, year {y}"));
        close(fig(OCF, y), ocf, 1e-12, &format!("cash flow, year {y}"));
        close(
            fig(NET_BURN, y),
            burn,
            1e-12,
            &format!("net burn, year {y}"),
        );
    }
    // 2026 is non-negative, but 2027 burns: cash flow stays ≥ 0 only from 2028.
    assert_eq!(o.first_nonnegative_year, Some(0));
    assert_eq!(o.breakeven_year, Some(2));
    close(o.metrics[metric::PEAK_BURN], 14.0, 1e-12, "peak burn");
    close(o.metrics[metric::INTEREST], 1.6, 1e-12, "interest");

    let (_, sum) = run(&m, 50, 3, 2);
    assert_eq!(sum.breakeven.median_year, Some(2028));
    assert_eq!(sum.breakeven.probability_by_year["2027"], 0.0);
    assert_eq!(sum.breakeven.probability_by_year["2028"], 1.0);
    assert_eq!(sum.first_nonnegative_year.median_year, Some(2026));
    assert_eq!(sum.first_nonnegative_year.probability_by_year["2026"], 1.0);
    let y2027 = &sum.annual["2027"];
    assert_eq!(y2027.months, 12.0);
    close(y2027.revenue.p50, 10.0, 1e-12, "summary revenue 2027");
    close(
        y2027.operating_cash_flow.mean,
        -14.0,
        1e-12,
        "summary cash flow 2027",
    );
    close(y2027.net_burn.p50, 14.0, 1e-12, "summary net burn 2027");
    close(
        sum.annual["2029"].net_burn.p5,
        -5.2,
        1e-12,
        "summary net burn 2029",
    );
}
