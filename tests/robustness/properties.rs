//! Properties over random valid scenarios ([`crate::scenarios`]): what every run's summary must
//! satisfy, the per-trial cash identity, and the two monotonicity properties that hold on
//! common random numbers when no obligation is flexible.
//!
//! Case count: `PROP_CASES` (default 128) per property.

use funding_gap::model::{Model, compile};
use funding_gap::scenario::load_str;
use funding_gap::sim::{Scratch, metric, run_trial, run_trial_injected};
use funding_gap::summary::{Band, GapStats, Probability, Summary};
use proptest::prelude::*;
use proptest::sample::Index;
use toml::Value;

use crate::scenarios::{Gen, Opts, raise, scenario};
use crate::support::{
    bullet, collapse, config, json_nulls, non_finite_values, prop_cases, run_summary,
};

/// Loads and compiles a generated scenario; it is valid by construction, so a rejection is a
/// failure (of the generator, or a validator that refuses a valid file).
fn model_of(text: &str) -> Model {
    let s = load_str(text, "generated.toml", None, &[])
        .unwrap_or_else(|e| panic!("a valid generated scenario was rejected:\n{e}\n{text}"));
    compile(&s)
        .unwrap_or_else(|e| panic!("a valid generated scenario did not compile:\n{e}\n{text}"))
}

/// Up to `tol` of slack for comparisons of sketch quantiles and float sums.
fn le(a: f64, b: f64, tol: f64) -> bool {
    a <= b + tol * (1.0 + a.abs().max(b.abs()))
}

fn check_probability(what: &str, p: &Probability, errs: &mut Vec<String>) {
    let [lo, hi] = p.ci95;
    let ok = (0.0..=1.0).contains(&p.estimate)
        && (0.0..=1.0).contains(&lo)
        && (0.0..=1.0).contains(&hi)
        && lo <= p.estimate
        && p.estimate <= hi;
    if !ok {
        errs.push(format!(
            "{what}: estimate {} with ci95 [{lo}, {hi}] (must be in [0, 1] and contain it)",
            p.estimate
        ));
    }
}

fn check_gap(what: &str, g: &GapStats, errs: &mut Vec<String>) {
    let qs: Vec<(&String, &f64)> = g.quantiles.iter().collect();
    for w in qs.windows(2) {
        if w[0].1 > w[1].1 {
            errs.push(format!(
                "{what}: quantiles not monotone: {} = {} > {} = {}",
                w[0].0, w[0].1, w[1].0, w[1].1
            ));
        }
    }
    if let Some((_, first)) = qs.first() {
        if **first < 0.0 {
            errs.push(format!("{what}: a negative gap quantile {first}"));
        }
    }
    for (name, [lo, hi]) in &g.quantiles_ci95 {
        let q = g.quantiles.get(name).copied().unwrap_or(f64::NAN);
        if !(le(*lo, q, 1e-3) && le(q, *hi, 1e-3)) {
            errs.push(format!(
                "{what}: {name} = {q} outside its ci95 [{lo}, {hi}]"
            ));
        }
    }
    if g.mean < 0.0 || g.std_error < 0.0 || g.cvar95 < 0.0 {
        errs.push(format!(
            "{what}: negative mean {} / std_error {} / cvar95 {}",
            g.mean, g.std_error, g.cvar95
        ));
    }
    if !le(g.mean, g.mean_given_shortfall, 1e-9) && g.mean_given_shortfall != 0.0 {
        errs.push(format!(
            "{what}: mean_given_shortfall {} < mean {}",
            g.mean_given_shortfall, g.mean
        ));
    }
}

fn check_band(what: &str, b: &Band, errs: &mut Vec<String>) {
    let levels = [
        ("p5", &b.p5),
        ("p25", &b.p25),
        ("p50", &b.p50),
        ("p75", &b.p75),
        ("p95", &b.p95),
    ];
    for pair in levels.windows(2) {
        let ((lo_name, lo), (hi_name, hi)) = (pair[0], pair[1]);
        for (k, (x, y)) in lo.iter().zip(hi.iter()).enumerate() {
            if x.is_nan() || y.is_nan() || x > y {
                errs.push(format!(
                    "bands.{what} at step {k}: {lo_name} = {x} > {hi_name} = {y}"
                ));
                return;
            }
        }
    }
}

fn check_share_curve(what: &str, values: &[f64], increasing: bool, errs: &mut Vec<String>) {
    for (i, v) in values.iter().enumerate() {
        if !(0.0..=1.0 + 1e-12).contains(v) {
            errs.push(format!("{what}[{i}] = {v} is not a probability"));
            return;
        }
    }
    for w in values.windows(2) {
        let bad = if increasing {
            w[1] < w[0] - 1e-12
        } else {
            w[1] > w[0] + 1e-12
        };
        if bad {
            errs.push(format!(
                "{what} is not {}: {values:?}",
                if increasing {
                    "non-decreasing"
                } else {
                    "non-increasing"
                }
            ));
            return;
        }
    }
}

/// Everything a summary must satisfy, whatever the scenario; one line per violation.
pub fn summary_violations(s: &Summary) -> Vec<String> {
    let mut errs = Vec::new();
    let nulls = json_nulls(s);
    if !nulls.is_empty() {
        let named = non_finite_values(s);
        errs.push(format!(
            "non-finite numbers in the summary:\n{}",
            bullet(&collapse(if named.is_empty() { &nulls } else { &named }))
        ));
    }
    check_probability("shortfall_probability", &s.shortfall_probability, &mut errs);
    check_probability("ipo_probability", &s.ipo_probability, &mut errs);
    check_gap("gap", &s.gap, &mut errs);
    let mut prev_mean = 0.0;
    for (y, yg) in &s.gap_by_year {
        check_probability(
            &format!("gap_by_year.{y}.shortfall_probability"),
            &yg.shortfall_probability,
            &mut errs,
        );
        check_gap(&format!("gap_by_year.{y}"), &yg.gap, &mut errs);
        // Each trial's gap by a year is a running maximum: it grows with the year and never
        // exceeds the horizon's.
        if !le(prev_mean, yg.gap.mean, 1e-9) || !le(yg.gap.mean, s.gap.mean, 1e-9) {
            errs.push(format!(
                "gap_by_year.{y}.mean = {} is not between the previous year's {prev_mean} and the horizon's {}",
                yg.gap.mean, s.gap.mean
            ));
        }
        prev_mean = yg.gap.mean;
    }
    let fs: Vec<f64> = s
        .first_shortfall
        .probability_by_year
        .values()
        .copied()
        .collect();
    check_share_curve("first_shortfall.probability_by_year", &fs, true, &mut errs);
    check_share_curve(
        "first_shortfall.cumulative",
        &s.first_shortfall.cumulative,
        true,
        &mut errs,
    );
    if let Some(last) = s.first_shortfall.cumulative.last() {
        if (last - s.shortfall_probability.estimate).abs() > 1e-12 {
            errs.push(format!(
                "first_shortfall.cumulative ends at {last}, shortfall_probability is {}",
                s.shortfall_probability.estimate
            ));
        }
    }
    let be: Vec<f64> = s.breakeven.probability_by_year.values().copied().collect();
    check_share_curve("breakeven.probability_by_year", &be, true, &mut errs);
    check_share_curve("breakeven.never", &[s.breakeven.never], true, &mut errs);
    let first: Vec<f64> = s
        .first_nonnegative_year
        .probability_by_year
        .values()
        .copied()
        .collect();
    check_share_curve(
        "first_nonnegative_year.probability_by_year",
        &first,
        true,
        &mut errs,
    );
    // A break-even year is a first non-negative year or later.
    if be.iter().zip(&first).any(|(b, f)| b > f) {
        errs.push(format!(
            "P(break-even by Y) {be:?} exceeds P(first non-negative year by Y) {first:?}"
        ));
    }
    let gd = &s.gap_distribution;
    check_share_curve(
        "gap_distribution.exceedance",
        &gd.exceedance,
        false,
        &mut errs,
    );
    for (y, e) in &gd.exceedance_by_year {
        check_share_curve(
            &format!("gap_distribution.exceedance_by_year.{y}"),
            e,
            false,
            &mut errs,
        );
    }
    let mut shares = gd.bin_shares.clone();
    shares.extend([gd.no_gap_share, gd.above_range_share]);
    for v in &shares {
        if !(0.0..=1.0 + 1e-12).contains(v) {
            errs.push(format!("gap_distribution: share {v} outside [0, 1]"));
            break;
        }
    }
    let total: f64 = shares.iter().sum();
    if (total - 1.0).abs() > 1e-6 {
        errs.push(format!("gap_distribution: shares sum to {total}, not 1"));
    }
    for inp in s.sensitivity.gap.iter() {
        if !(0.0..=1.0).contains(&inp.variance_share) {
            errs.push(format!(
                "sensitivity.gap {}: variance_share {} outside [0, 1]",
                inp.path, inp.variance_share
            ));
        }
        if let Some(u) = inp.worst_decile_median_u {
            if !(0.0..=1.0).contains(&u) {
                errs.push(format!(
                    "sensitivity.gap {}: worst_decile_median_u {u}",
                    inp.path
                ));
            }
        }
    }
    let b = &s.bands;
    for (name, band) in [
        ("cash", &b.cash),
        ("revenue", &b.revenue),
        ("obligations", &b.obligations),
        ("costs", &b.costs),
        ("outflows", &b.outflows),
    ] {
        check_band(name, band, &mut errs);
    }
    errs
}

/// The cash identity of one trial, and the gap's bookkeeping.
fn trial_violations(model: &Model, seed: u64, trial: u64, s: &mut Scratch) -> Vec<String> {
    run_trial(model, seed, trial, s);
    let m = &s.outcome.metrics;
    let initial = s.cash[0];
    let inflows = [
        m[metric::REVENUE],
        m[metric::FUNDING_ROUNDS],
        m[metric::IPO_RAISE],
        m[metric::DEBT],
    ];
    let outflows = [
        m[metric::COSTS],
        m[metric::OBLIGATIONS],
        m[metric::INTEREST],
    ];
    let lhs = initial + inflows.iter().sum::<f64>() - outflows.iter().sum::<f64>();
    let end = m[metric::CASH_END];
    let scale = initial.abs()
        + inflows.iter().map(|x| x.abs()).sum::<f64>()
        + outflows.iter().map(|x| x.abs()).sum::<f64>()
        + end.abs();
    let mut errs = Vec::new();
    let diff = (lhs - end).abs();
    if diff.is_nan() || diff > 1e-9 * scale.max(1e-300) {
        errs.push(format!(
            "trial {trial}: initial {initial} + revenue {} + rounds {} + ipo {} + debt {} − costs {} − obligations {} − interest {} = {lhs}, but cash_end = {end} (diff {:e})",
            inflows[0], inflows[1], inflows[2], inflows[3], outflows[0], outflows[1], outflows[2],
            lhs - end
        ));
    }
    if (s.cash[s.cash.len() - 1] - end).abs() > 0.0 {
        errs.push(format!(
            "trial {trial}: cash path ends at {}, cash_end = {end}",
            s.cash[s.cash.len() - 1]
        ));
    }
    errs.extend(year_violations(model, trial, s));
    let deficit = m[metric::DEFICIT];
    let floor = model.min_cash.get(&s.x);
    let deepest = s.cash.iter().fold(0.0_f64, |acc, &c| acc.max(floor - c));
    if deficit.is_nan() || deficit < 0.0 || (deficit - deepest).abs() > 1e-9 * (1.0 + deepest.abs())
    {
        errs.push(format!(
            "trial {trial}: deficit {deficit}, but the deepest fall below the floor is {deepest}"
        ));
    }
    let rd = &s.outcome.report_deficits;
    if rd.windows(2).any(|w| w[1] < w[0]) || rd.iter().any(|&g| !(g >= 0.0 && g <= deficit)) {
        errs.push(format!(
            "trial {trial}: deficits by report year {rd:?} are not a running maximum up to {deficit}"
        ));
    }
    let gap = m[metric::GAP];
    let rg = &s.outcome.report_gaps;
    if gap.is_nan() || gap < 0.0 || (gap > 0.0) != (deficit > 0.0) {
        errs.push(format!(
            "trial {trial}: gap {gap} and deficit {deficit} disagree on whether it runs short"
        ));
    }
    if rg.windows(2).any(|w| w[1] < w[0]) || rg.iter().any(|&g| !(g >= 0.0 && g <= gap)) {
        errs.push(format!(
            "trial {trial}: gaps by report year {rg:?} do not rise to at most {gap}"
        ));
    }
    errs.extend(injection_violations(model, seed, trial, gap));
    errs
}

/// The calendar-year figures add up to the horizon's totals, and the break-even year is the
/// first from which cash flow stays non-negative.
fn year_violations(model: &Model, trial: u64, s: &Scratch) -> Vec<String> {
    use funding_gap::sim::years::series::{NET_BURN, OCF, REVENUE};
    let m = &s.outcome.metrics;
    let o = &s.outcome;
    let ny = model.grid.years.len();
    let sum = |series: usize| o.years[series * ny..(series + 1) * ny].iter().sum::<f64>();
    let ocf = &o.years[OCF * ny..(OCF + 1) * ny];
    let flows = m[metric::REVENUE] - m[metric::COSTS] - m[metric::OBLIGATIONS];
    let scale =
        1.0 + m[metric::REVENUE].abs() + m[metric::COSTS].abs() + m[metric::OBLIGATIONS].abs();
    let mut errs = Vec::new();
    for (what, got, want) in [
        ("revenue", sum(REVENUE), m[metric::REVENUE]),
        ("operating cash flow", sum(OCF), flows),
        ("net burn", sum(NET_BURN), m[metric::INTEREST] - flows),
    ] {
        let diff = (got - want).abs();
        if diff.is_nan() || diff > 1e-9 * scale {
            errs.push(format!(
                "trial {trial}: the years' {what} add up to {got}, the horizon's to {want}"
            ));
        }
    }
    let holds_from = |y: usize| ocf[y..].iter().all(|&v| v >= 0.0);
    let want_be = (0..ny).find(|&y| holds_from(y));
    let want_first = ocf.iter().position(|&v| v >= 0.0);
    if o.breakeven_year != want_be || o.first_nonnegative_year != want_first {
        errs.push(format!(
            "trial {trial}: cash flow by year {ocf:?}: break-even {:?} (want {want_be:?}), first non-negative {:?} (want {want_first:?})",
            o.breakeven_year, o.first_nonnegative_year
        ));
    }
    errs
}

/// The gap's definition, checked by experiment: trial `trial` run again with its gap plus a
/// little added to its starting cash (and with more, up to twice the gap) never falls below
/// the floor; with a little less, it does.
pub fn injection_violations(model: &Model, seed: u64, trial: u64, gap: f64) -> Vec<String> {
    let mut s = Scratch::new(model);
    let mut errs = Vec::new();
    let eps = 1e-9 * gap.max(1.0);
    for extra in [
        gap + eps,
        gap + 10.0 * eps,
        gap * 1.5 + eps,
        2.0 * gap + 1.0,
    ] {
        run_trial_injected(model, seed, trial, &mut s, extra);
        if let Some(j) = s.outcome.first_shortfall {
            errs.push(format!(
                "trial {trial}: gap {gap}, but with {extra} added cash falls below the floor at t_{j}"
            ));
        }
    }
    if gap > 0.0 {
        run_trial_injected(model, seed, trial, &mut s, gap - eps);
        if s.outcome.first_shortfall.is_none() {
            errs.push(format!(
                "trial {trial}: gap {gap}, but {} added is already enough",
                gap - eps
            ));
        }
    }
    errs
}

proptest! {
    #![proptest_config(config(prop_cases()))]

    /// Every number finite; quantiles, probabilities, intervals and bands in order.
    #[test]
    fn summaries_of_random_scenarios_are_finite_and_ordered(g in scenario(Opts { flexible: true })) {
        let text = g.text();
        let model = model_of(&text);
        let summary = run_summary(&model, 200, 11);
        let errs = summary_violations(&summary);
        prop_assert!(errs.is_empty(), "{}", bullet(&errs));
    }

    /// initial + revenue + rounds + IPO + debt − costs − obligations − interest = cash_end.
    #[test]
    fn cash_identity_holds_in_every_trial(g in scenario(Opts { flexible: true }), seed in 0u64..1000) {
        let model = model_of(&g.text());
        let mut s = Scratch::new(&model);
        let errs: Vec<String> = (0..6).flat_map(|t| trial_violations(&model, seed, t, &mut s)).collect();
        prop_assert!(errs.is_empty(), "{}", bullet(&errs));
    }
}

// Monotonicity on common random numbers, with NO flexible obligations.
//
// Without deferral nothing that flows into or out of the company depends on its cash: revenue,
// costs, funding, the IPO and the obligations are fixed by the trial's draws before the first
// step. The only state is cash and the debt drawn, and with W = cash − drawn one step is
// W' = W + flows − rate·drawn·dt, drawn' = min(max(drawn, floor − W'), limit), and the depth
// below the floor is max(0, floor − (W' + limit)). So lower flows (a larger obligation) mean
// lower W, more debt drawn, more interest, and a gap that is never smaller; more initial cash
// the reverse.
//
// With flexible obligations neither holds. Deferral is triggered by cash: when cash starts a
// step below the floor, `flexible_share` of the step's payment moves `deferral_years` later (and
// leaves the accounting entirely if that is past the horizon). More cash means fewer
// deferrals, so payments are made now that would otherwise have been pushed later or dropped:
// raising cash.initial can raise the gap (see
// `deferral_can_make_more_initial_cash_give_a_larger_gap`), and raising an obligation can
// push cash under the floor sooner, defer other contracts' payments out of the horizon, and
// lower the gap.

/// Runs trials 0..n of both models on the same seed and checks `ok(gap_a, gap_b)` and the cash
/// paths' order per step (`cash_b ≤ cash_a` when `b_is_worse`).
fn compare_paired(a: &Model, b: &Model, seed: u64, b_is_worse: bool) -> Vec<String> {
    let (mut sa, mut sb) = (Scratch::new(a), Scratch::new(b));
    let mut errs = Vec::new();
    for trial in 0..40 {
        run_trial(a, seed, trial, &mut sa);
        run_trial(b, seed, trial, &mut sb);
        let scale = 1.0
            + sa.cash
                .iter()
                .chain(&sb.cash)
                .fold(0.0_f64, |m, c| m.max(c.abs()))
            + [
                metric::REVENUE,
                metric::COSTS,
                metric::OBLIGATIONS,
                metric::FUNDING_ROUNDS,
                metric::IPO_RAISE,
                metric::DEBT,
            ]
            .iter()
            .map(|&i| sa.outcome.metrics[i].abs() + sb.outcome.metrics[i].abs())
            .sum::<f64>();
        let tol = 1e-9 * scale;
        let (ga, gb) = (
            sa.outcome.metrics[metric::GAP],
            sb.outcome.metrics[metric::GAP],
        );
        let (worse, better) = if b_is_worse { (gb, ga) } else { (ga, gb) };
        if worse < better - tol {
            errs.push(format!(
                "trial {trial}: gap {ga} before the change, {gb} after ({})",
                if b_is_worse { "it fell" } else { "it rose" }
            ));
        }
        for (i, (ra, rb)) in sa
            .outcome
            .report_gaps
            .iter()
            .zip(&sb.outcome.report_gaps)
            .enumerate()
        {
            let (w, bt) = if b_is_worse { (rb, ra) } else { (ra, rb) };
            if *w < *bt - tol {
                errs.push(format!(
                    "trial {trial}: gap by report year #{i}: {ra} before, {rb} after"
                ));
            }
        }
        for (k, (ca, cb)) in sa.cash.iter().zip(&sb.cash).enumerate() {
            let (lo, hi) = if b_is_worse { (cb, ca) } else { (ca, cb) };
            if *lo > *hi + tol {
                errs.push(format!(
                    "trial {trial}: cash at step {k}: {ca} before, {cb} after"
                ));
                break;
            }
        }
        if errs.len() > 5 {
            break;
        }
    }
    errs
}

fn obligation_totals(g: &Gen) -> Vec<String> {
    g.obligations
        .iter()
        .filter(|name| {
            g.table
                .get("obligations")
                .and_then(|o| o.get(name.as_str()))
                .and_then(|o| o.get("total"))
                .is_some()
        })
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(config(prop_cases()))]

    /// Raising one obligation's total (or adding one) never lowers the gap in any trial.
    #[test]
    fn raising_an_obligation_never_lowers_the_gap(
        g in scenario(Opts { flexible: false }),
        pick in any::<Index>(),
        delta in prop_oneof![0.001..1.0f64, 1.0..500.0f64],
        seed in 0u64..1000,
    ) {
        let base = model_of(&g.text());
        let mut raised = g.clone();
        let names = obligation_totals(&g);
        let obligations = raised
            .table
            .entry("obligations")
            .or_insert_with(|| Value::Table(toml::Table::new()));
        let Some(obligations) = obligations.as_table_mut() else { panic!("obligations is a table") };
        let what = if names.is_empty() {
            // No contract to raise: add one.
            let mut t = toml::Table::new();
            t.insert("total".into(), Value::Float(delta));
            t.insert("start".into(), g.table["time"]["start"].clone());
            t.insert("years".into(), Value::Float(2.0));
            obligations.insert("added".into(), Value::Table(t));
            "added a contract".to_string()
        } else {
            let name = pick.get(&names).clone();
            let o = obligations.get_mut(&name).and_then(Value::as_table_mut);
            let Some(o) = o else { panic!("obligation {name}") };
            let up = raise(&o["total"], delta);
            let Some(up) = up else { panic!("cannot raise {}", o["total"]) };
            o.insert("total".into(), up);
            format!("raised obligations.{name}.total by {delta}")
        };
        let text = raised.text();
        let worse = model_of(&text);
        let errs = compare_paired(&base, &worse, seed, true);
        prop_assert!(errs.is_empty(), "{what}:\n{}\nafter:\n{text}", bullet(&errs));
    }

    /// Raising cash.initial never raises the gap in any trial.
    #[test]
    fn more_initial_cash_never_raises_the_gap(
        g in scenario(Opts { flexible: false }),
        delta in prop_oneof![0.001..1.0f64, 1.0..500.0f64],
        seed in 0u64..1000,
    ) {
        let base = model_of(&g.text());
        let mut richer = g.clone();
        let cash = richer.table.get_mut("cash").and_then(Value::as_table_mut);
        let Some(cash) = cash else { panic!("cash is a table") };
        let up = raise(&cash["initial"], delta);
        let Some(up) = up else { panic!("cannot raise {}", cash["initial"]) };
        cash.insert("initial".into(), up);
        let text = richer.text();
        let better = model_of(&text);
        let errs = compare_paired(&base, &better, seed, false);
        prop_assert!(errs.is_empty(), "raised cash.initial by {delta}:\n{}\nafter:\n{text}", bullet(&errs));
    }
}

/// With a fully flexible payment, a company that starts below its floor defers the payment
/// past the horizon and never pays it, while one that starts above the floor pays it and runs
/// far short: the deficit (the deepest fall on the trial's own path) can grow with more
/// starting cash. The gap cannot: it is the least injection, and a path that never runs
/// short never defers.
#[test]
fn deferral_can_make_more_initial_cash_give_a_larger_gap() {
    let scenario = |initial: f64| {
        format!(
            r#"
[time]
start = 2026
horizon_years = 1
steps_per_year = 4
[cash]
initial = {initial}
min_cash = 10
[revenue.core]
run_rate = 0
growth = 0
[obligations.cloud]
total = 40
start = 2026
years = 0.25
flexible_share = 1
deferral_years = 1
"#
        )
    };
    let outcome = |initial: f64| {
        let model = model_of(&scenario(initial));
        let mut s = Scratch::new(&model);
        run_trial(&model, 1, 0, &mut s);
        (
            s.outcome.metrics[metric::DEFICIT],
            s.outcome.metrics[metric::GAP],
        )
    };
    let ((poor, poor_gap), (rich, rich_gap)) = (outcome(9.0), outcome(10.5));
    // The deficit (the deepest fall on the trial's own path) is not monotone in cash.
    assert!((poor - 1.0).abs() < 1e-12, "poor: {poor}");
    assert!((rich - 39.5).abs() < 1e-12, "rich: {rich}");
    // The gap is: a path that never runs short never defers, so both need the whole 40 paid
    // on time: 10 − 9 + 40 = 41, and 10 − 10.5 + 40 = 39.5.
    assert!((poor_gap - 41.0).abs() < 1e-12, "poor gap: {poor_gap}");
    assert!((rich_gap - 39.5).abs() < 1e-12, "rich gap: {rich_gap}");
}

/// Every shipped scenario: in 40 trials each, the accounting identity, the deficit's and the
/// gap's definitions (the gap checked by re-running the trial with it injected).
#[test]
fn the_gap_holds_its_definition_in_every_shipped_scenario() {
    let files = crate::support::shipped_scenarios();
    assert!(files.len() >= 10, "{files:?}");
    let mut errs = Vec::new();
    for f in &files {
        let Ok(sc) = funding_gap::scenario::load(f, &[]) else {
            errs.push(format!("{}: does not load", f.display()));
            continue;
        };
        let Ok(model) = compile(&sc) else {
            errs.push(format!("{}: does not compile", f.display()));
            continue;
        };
        let mut s = Scratch::new(&model);
        for trial in 0..40 {
            for e in trial_violations(&model, 42, trial, &mut s) {
                errs.push(format!("{}: {e}", f.display()));
            }
        }
    }
    assert!(errs.is_empty(), "{}", bullet(&errs));
}
