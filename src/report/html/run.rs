//! The report of one run: the question and where it comes from, the headline numbers with
//! their Monte Carlo errors, the gap by year, every chart with its reading, what drives the
//! gap, the assumptions, the obligations, the published checks and the warnings.

use maud::{Markup, html};

use super::readings::{self, usd};
use super::{Figure, figure, horizon, page, provenance, section, steps, thousands};
use crate::report::explain_text::number;
use crate::report::format::{Decimals, pct};
use crate::report::table::{check_delta, check_number, check_tolerance, check_verdict, usd_b};
use crate::summary::{GapStats, InputSummary, Summary, YearGap};

/// The sections of a run's report, by anchor and title, in order.
const CONTENTS: [(&str, &str); 10] = [
    ("question", "The question"),
    ("headline", "Headline numbers"),
    ("by-year", "Gap and deficit by year"),
    ("charts", "Charts"),
    ("drivers", "What drives the gap"),
    ("assumptions", "Assumption register"),
    ("obligations", "Obligations"),
    ("checks", "Published checks"),
    ("warnings", "Warnings"),
    ("provenance", "Provenance"),
];

/// The report of a run, as a page: `warnings` are the scenario's (see
/// [`crate::analysis::explain::warnings`]), `figures` its charts.
pub fn render_run(s: &Summary, warnings: &[String], figures: &[Figure]) -> String {
    let contents: Vec<(&str, &str)> = CONTENTS
        .iter()
        .copied()
        .filter(|(id, _)| *id != "checks" || !s.checks.is_empty())
        .collect();
    let subtitle = format!(
        "{}, {}; {} trials, seed {}",
        horizon(s.start, s.end),
        steps(s.steps_per_year),
        thousands(s.trials),
        s.seed
    );
    let main = html! {
        (section("question", "The question", question(s)))
        (section("headline", "Headline numbers", headline(s)))
        (section("by-year", "Gap and deficit by year", by_year(s)))
        (section("charts", "Charts", html! { @for f in figures { (figure(f, readings::reading(&f.name, s))) } }))
        (section("drivers", "What drives the gap", drivers(s)))
        (section("assumptions", "Assumption register", assumptions(s)))
        (section("obligations", "Obligations by counterparty and year", obligations(s)))
        @if !s.checks.is_empty() {
            (section("checks", "Published checks", checks(s)))
        }
        (section("warnings", "Warnings", warnings_list(warnings)))
        (section("provenance", "Provenance", provenance(&s.provenance, s.trials, s.seed, "What produced this run")))
    };
    page(
        &format!("Funding gap: {}", s.scenario),
        &subtitle,
        &contents,
        main,
    )
}

/// A quantile of `g`, $B (NaN if missing).
fn q(g: &GapStats, k: &str) -> f64 {
    g.quantiles.get(k).copied().unwrap_or(f64::NAN)
}

/// The 95 % interval of a quantile of `g`, "a – b" in $B.
fn q_ci(g: &GapStats, k: &str) -> String {
    g.quantiles_ci95.get(k).map_or("–".to_string(), |[lo, hi]| {
        format!("{} – {}", usd_b(*lo), usd_b(*hi))
    })
}

/// A probability as the terminal table prints it.
fn p(x: f64) -> String {
    pct(x, Decimals::OneOrThreeIfTiny)
}

/// The scenario's description, and the question in numbers.
fn question(s: &Summary) -> Markup {
    let years = horizon(s.start, s.end);
    html! {
        @if !s.description.is_empty() {
            blockquote.question { p { (s.description) } }
        }
        p {
            "Scenario " strong { (s.scenario) } ", run over " (years) " ("
            (steps(s.steps_per_year)) " steps) in " (thousands(s.trials))
            " Monte Carlo trials with seed " (s.seed) ". "
            @if let Some(p) = &s.sampling {
                "The uncertain inputs and the first moves of each revenue walk were spread evenly by "
                (if p.method == crate::qmc::Method::Lhs { "a Latin hypercube" } else { "scrambled Sobol' points (randomized quasi-Monte Carlo)" })
                " in " (p.replicates) " independent randomizations, whose spread gives every error and interval below. "
            }
            "Each trial draws every uncertain input and follows cash step by step; "
            "the " em { "funding gap" } " of a trial is the least cash that, added at the start, "
            "keeps it at or above its floor (median " (usd(s.cash_floor)) ") to the end."
            @if !s.provenance.overrides.is_empty() {
                " The scenario was run with " (s.provenance.overrides.len())
                " override(s) of its inputs (see Provenance)."
            }
        }
    }
}

/// The headline: key figures, a sentence, then each figure with its Monte Carlo error.
fn headline(s: &Summary) -> Markup {
    let sp = &s.shortfall_probability;
    let g = &s.gap;
    let d = &s.deficit;
    let first = s.first_shortfall.median.map(readings::day);
    let last_year = (s.end - 1e-9).floor();
    html! {
        dl.cards {
            div.card {
                dt { "P(shortfall)" }
                dd { (p(sp.estimate)) }
                dd.ci { "95 % CI " (p(sp.ci95[0])) " – " (p(sp.ci95[1])) }
            }
            div.card {
                dt { "Median gap" }
                dd { "$" (usd_b(q(g, "p50"))) "B" }
                dd.ci { "95 % CI " (q_ci(g, "p50")) }
            }
            div.card {
                dt { "Gap in 1 trial in 10 (P90)" }
                dd { "$" (usd_b(q(g, "p90"))) "B" }
                dd.ci { "95 % CI " (q_ci(g, "p90")) }
            }
            div.card {
                dt { "First shortfall (median)" }
                dd { (first.clone().unwrap_or_else(|| "none".to_string())) }
                dd.ci { "among trials that run short" }
            }
        }
        p.lead {
            @if sp.estimate > 0.0 {
                "In " (p(sp.estimate)) " of " (thousands(s.trials)) " trials the money runs short before the end of "
                (last_year) "; the mean gap is $" (usd_b(g.mean)) "B, and $" (usd_b(g.mean_given_shortfall))
                "B among the trials that run short."
            } @else {
                "No trial runs short before the end of " (last_year) "."
            }
        }
        table.figures {
            caption { "Headline numbers over the horizon, $B, with their Monte Carlo errors" }
            thead {
                tr {
                    th scope="col" { "Measure" }
                    th scope="col" { "Estimate" }
                    th scope="col" { "Monte Carlo error" }
                }
            }
            tbody {
                tr {
                    th scope="row" { "P(shortfall)" }
                    td { (p(sp.estimate)) }
                    td { "95 % CI " (p(sp.ci95[0])) " – " (p(sp.ci95[1])) }
                }
                @for (k, label) in [("p50", "median"), ("p90", "P90"), ("p95", "P95")] {
                    tr {
                        th scope="row" { "Funding gap, " (label) }
                        td { (usd_b(q(g, k))) }
                        td { "95 % CI " (q_ci(g, k)) }
                    }
                }
                tr {
                    th scope="row" { "Funding gap, mean" }
                    td { (usd_b(g.mean)) }
                    td { "± " (usd_b(g.std_error)) " (s.e.)" }
                }
                tr {
                    th scope="row" { "If short: mean gap" }
                    td { (usd_b(g.mean_given_shortfall)) }
                    td { "–" }
                }
                tr {
                    th scope="row" { "If short: worst 5 % of trials (CVaR95)" }
                    td { (usd_b(g.cvar95)) }
                    td { "–" }
                }
                @for (k, label) in [("p50", "median"), ("p90", "P90")] {
                    tr {
                        th scope="row" { "Deficit, " (label) }
                        td { (usd_b(q(d, k))) }
                        td { "95 % CI " (q_ci(d, k)) }
                    }
                }
                tr {
                    th scope="row" { "Deficit, mean" }
                    td { (usd_b(d.mean)) }
                    td { "± " (usd_b(d.std_error)) " (s.e.)" }
                }
                tr {
                    th scope="row" { "First shortfall, median date" }
                    td { (first.unwrap_or_else(|| "none".to_string())) }
                    td { "among trials that run short" }
                }
                tr {
                    th scope="row" { "P(IPO inside the horizon)" }
                    td { (p(s.ipo_probability.estimate)) }
                    td { "95 % CI " (p(s.ipo_probability.ci95[0])) " – " (p(s.ipo_probability.ci95[1])) }
                }
            }
        }
        p.note {
            "The " em { "gap" } " is the cash needed at the start under all of the scenario's rules; the "
            em { "deficit" } " is the deepest fall below the floor on the trial's own path (the same when nothing in the scenario reacts to cash)."
        }
    }
}

/// One year's row of gap or deficit.
fn year_cells(y: &YearGap) -> Markup {
    html! {
        td { (usd_b(q(&y.gap, "p50"))) }
        td { (usd_b(q(&y.gap, "p90"))) }
        td { (usd_b(y.gap.mean)) " ± " (usd_b(y.gap.std_error)) }
    }
}

/// The gap and the deficit up to the end of each report year; the calendar years' revenue,
/// cash flow and burn; the break-even year.
fn by_year(s: &Summary) -> Markup {
    let metric = |k: &str| s.metrics.get(k).map_or(f64::NAN, |m| m.p50);
    let year = |y: Option<i32>| y.map_or("none".to_string(), |y| y.to_string());
    html! {
        @if !s.gap_by_year.is_empty() {
            table.figures {
                caption { "Up to the end of each report year, $B: P(shortfall) with its 95 % interval; gap and deficit median, P90 and mean ± s.e." }
                thead {
                    tr {
                        th scope="col" rowspan="2" { "By end of" }
                        th scope="colgroup" colspan="2" { "P(shortfall)" }
                        th scope="colgroup" colspan="3" { "Funding gap" }
                        th scope="colgroup" colspan="3" { "Deficit" }
                    }
                    tr {
                        th scope="col" { "estimate" }
                        th scope="col" { "95 % CI" }
                        @for _ in 0..2 {
                            th scope="col" { "median" }
                            th scope="col" { "P90" }
                            th scope="col" { "mean ± s.e." }
                        }
                    }
                }
                tbody {
                    @for (y, g) in &s.gap_by_year {
                        tr {
                            th scope="row" { (y) }
                            td { (p(g.shortfall_probability.estimate)) }
                            td { (p(g.shortfall_probability.ci95[0])) " – " (p(g.shortfall_probability.ci95[1])) }
                            (year_cells(g))
                            @match s.deficit_by_year.get(y) {
                                Some(d) => (year_cells(d)),
                                None => { td { "–" } td { "–" } td { "–" } },
                            }
                        }
                    }
                }
            }
        }
        @if !s.annual.is_empty() {
            table.figures {
                caption { "By calendar year, medians across trials, $B" }
                thead {
                    tr {
                        th scope="col" { "Year" }
                        th scope="col" { "Revenue" }
                        th scope="col" { "Obligations paid" }
                        th scope="col" { "Operating cash flow" }
                        th scope="col" { "Net burn (incl. interest)" }
                    }
                }
                tbody {
                    @for (y, a) in &s.annual {
                        tr {
                            th scope="row" {
                                (y)
                                @if a.months < 12.0 { " (" (a.months) " months)" }
                            }
                            td { (usd_b(a.revenue.p50)) }
                            td { (usd_b(a.obligations_paid.p50)) }
                            td { (usd_b(a.operating_cash_flow.p50)) }
                            td { (usd_b(a.net_burn.p50)) }
                        }
                    }
                }
            }
            p {
                "Break-even (operating cash flow ≥ 0 from then on): median " (year(s.breakeven.median_year))
                ", never in " (p(s.breakeven.never)) " of trials; first year with cash flow ≥ 0: median "
                (year(s.first_nonnegative_year.median_year)) "."
            }
        }
        p {
            "Over the horizon (medians): revenue " (usd(metric("revenue")))
            ", obligations paid " (usd(metric("obligations_paid")))
            ", other costs " (usd(metric("costs")))
            ", funding rounds " (usd(metric("funding_rounds")))
            ", IPO " (usd(metric("ipo_raise")))
            ", debt drawn " (usd(metric("debt_drawn"))) "."
        }
    }
}

/// How many inputs the drivers table shows (all are in summary.json).
const DRIVERS_SHOWN: usize = 12;

/// The inputs that move the gap most, with their variance shares.
fn drivers(s: &Summary) -> Markup {
    let all = &s.sensitivity.gap;
    html! {
        @if all.is_empty() {
            p { "No input moves the gap in this run: it has no uncertain input, or too few trials to tell." }
        } @else {
            p {
                "From this run's own trials, no extra runs. The " em { "swing" }
                " is the mean gap when the input is in its top tenth of draws minus when it is in its bottom tenth; "
                "the " em { "variance share" } " is the part of the gap's variance the input explains alone; "
                em { "worst 10 %: u" } " is the input's median quantile among the worst tenth of trials (0.50: no pull)."
            }
            table.figures {
                caption {
                    "What drives the gap: the " (DRIVERS_SHOWN.min(all.len())) " largest of "
                    (all.len()) " inputs by swing"
                }
                thead {
                    tr {
                        th scope="col" { "Input" }
                        th scope="col" { "Swing, $B" }
                        th scope="col" { "Variance share" }
                        th scope="col" { "Worst 10 %: u" }
                    }
                }
                tbody {
                    @for i in all.iter().take(DRIVERS_SHOWN) {
                        tr {
                            th scope="row" { code { (i.path) } }
                            td { (usd_b(i.swing)) }
                            td {
                                (format!("{:.1} %", 100.0 * i.variance_share))
                                @if let Some(se) = i.variance_share_se { (format!(" ± {:.1}", 100.0 * se)) }
                            }
                            td { (i.worst_decile_median_u.map_or("–".to_string(), |u| format!("{u:.2}"))) }
                        }
                    }
                }
            }
        }
    }
}

/// Where an input's value comes from, as the scenario's comment says.
/// The comment citing an input's source in the scenario (and any `--set` that changed it).
fn source(input: &InputSummary) -> Option<&str> {
    input.source.as_deref()
}

/// Every uncertain input: its distribution, percentiles, the mean drawn, and its source.
fn assumptions(s: &Summary) -> Markup {
    let with_sources = s.inputs.iter().any(|i| source(i).is_some());
    html! {
        @if s.inputs.is_empty() {
            p { "The scenario has no uncertain inputs: every value is fixed." }
        } @else {
            p {
                "Every uncertain input of the scenario as it ran (after " code { "extends" } " and every "
                code { "--set" } "): its distribution, its 5th, 50th and 95th percentiles, and the mean of the values drawn in this run. "
                "Amounts are in $B, rates per year, dates as days."
            }
            div.wide { table.figures.register {
                caption { "Assumption register: " (s.inputs.len()) " uncertain inputs" }
                thead {
                    tr {
                        th scope="col" { "Input" }
                        th.text scope="col" { "Distribution" }
                        th scope="col" { "p5" }
                        th scope="col" { "p50" }
                        th scope="col" { "p95" }
                        th scope="col" { "Mean drawn" }
                        @if with_sources { th.text scope="col" { "Source" } }
                    }
                }
                tbody {
                    @for i in &s.inputs {
                        tr {
                            th scope="row" { code { (i.path) } }
                            td.text { code { (i.distribution) } }
                            td { (number(&i.path, i.p5)) }
                            td { (number(&i.path, i.p50)) }
                            td { (number(&i.path, i.p95)) }
                            td { (number(&i.path, i.sampled_mean)) }
                            @if with_sources { td.text.source { (source(i).unwrap_or("–")) } }
                        }
                    }
                }
            } }
        }
    }
}

/// Expected payments by counterparty and year.
fn obligations(s: &Summary) -> Markup {
    let o = &s.obligations_schedule;
    let total: f64 = o.total_by_year.iter().sum();
    html! {
        @if o.by_counterparty.is_empty() {
            p { "The scenario has no obligations." }
        } @else {
            p {
                "Expected payments: each contract's mean total times its mean realised share, tied spend at its expected size, before any deferral. "
                "The contracts' headline totals add up to " (usd(o.headline_total)) "."
            }
            div.wide {
                table.figures.schedule {
                    caption { "Expected obligations by counterparty and year, $B" }
                    thead {
                        tr {
                            th scope="col" { "Counterparty" }
                            @for y in &o.years { th scope="col" { (y) } }
                            th scope="col" { "Total" }
                        }
                    }
                    tbody {
                        @for (name, row) in &o.by_counterparty {
                            tr {
                                th scope="row" { (name) }
                                @for v in row { td { (usd_b(*v)) } }
                                td.total { (usd_b(row.iter().sum())) }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" { "Total" }
                            @for v in &o.total_by_year { td { (usd_b(*v)) } }
                            td.total { (usd_b(total)) }
                        }
                    }
                }
            }
        }
    }
}

/// The scenario's published figures against the run.
fn checks(s: &Summary) -> Markup {
    let pass = s.checks.iter().filter(|c| c.pass).count();
    let unexpected = s.checks.iter().filter(|c| !c.as_expected).count();
    html! {
        p {
            (pass) " of " (s.checks.len()) " published figures are within tolerance; "
            @if unexpected == 0 {
                "every verdict is as the scenario expects."
            } @else {
                strong.unexpected { (unexpected) " verdict(s) NOT as the scenario expects." }
            }
        }
        div.wide {
            table.figures.checks {
                caption { "Published checks: each figure beside the run's value and its 95 % Monte Carlo interval" }
                thead {
                    tr {
                        th scope="col" { "Published figure" }
                        th scope="col" { "Published" }
                        th scope="col" { "Run" }
                        th scope="col" { "95 % CI" }
                        th scope="col" { "Delta" }
                        th scope="col" { "Tolerance" }
                        th.text scope="col" { "Result" }
                    }
                }
                tbody {
                    @for c in &s.checks {
                        @let num = |x| check_number(c.unit, x);
                        tr {
                            th scope="row" {
                                (c.label)
                                @if c.label != c.metric { br; code.metric { (c.metric) } }
                            }
                            td { (num(Some(c.published))) }
                            td { (num(c.value)) }
                            td { (num(c.ci95[0])) " – " (num(c.ci95[1])) }
                            td { (check_delta(c)) }
                            td { (check_tolerance(c)) }
                            td.text.verdict.unexpected[!c.as_expected] {
                                (check_verdict(c))
                                @if !c.as_expected { " (unexpected)" }
                            }
                        }
                        tr.check-note {
                            td.text colspan="7" {
                                @if let Some(r) = c.reason.as_deref().filter(|_| c.expect == "differs") {
                                    "Why it differs: " (r.trim_end_matches('.')) ". "
                                }
                                "Source: " (c.source)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The scenario's warnings.
fn warnings_list(warnings: &[String]) -> Markup {
    html! {
        @if warnings.is_empty() {
            p { "None: nothing in the scenario looks doubtful to " code { "funding-gap explain" } "." }
        } @else {
            ul.warnings { @for w in warnings { li { (w) } } }
        }
    }
}
