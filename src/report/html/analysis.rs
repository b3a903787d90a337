//! The reports of `compare` (each scenario's provenance, the comparison and paired
//! differences, their charts) and of `sweep` (its provenance, the sweep table and the goal
//! seek, its chart). The tables print what the terminal prints, with the same formatters.

use maud::{Markup, html};

use super::readings;
use super::{Figure, figure, horizon, page, provenance, section, thousands};
use crate::analysis::{Comparison, Sweep};
use crate::report::analysis_text::{metric_cell, pp};
use crate::report::format::{Decimals, pct};
use crate::report::table::usd_b;
use crate::summary::YearGap;

/// A probability as the comparison and sweep texts print it.
fn p(x: f64) -> String {
    pct(x, Decimals::Fixed(1))
}

/// The report of a comparison, as a page, with its charts, `figures`.
pub fn render_comparison(c: &Comparison, figures: &[Figure]) -> String {
    let names: Vec<&str> = c.summaries.iter().map(|s| s.scenario.as_str()).collect();
    let Some(first) = c.summaries.first() else {
        return page("Comparison", "", &[], html! { p { "Nothing compared." } });
    };
    let subtitle = format!(
        "{}; {} trials each, seed {}, common random numbers",
        horizon(first.start, first.end),
        thousands(first.trials),
        first.seed
    );
    let main = html! {
        (section("results", "Results", results(c)))
        (section("paired", "Paired differences", paired(c)))
        (section("charts", "Charts", html! {
            @for f in figures { (figure(f, readings::comparison(&f.name, c))) }
        }))
        (section("provenance", "Provenance", html! {
            @for s in &c.summaries {
                h3 { (s.scenario) }
                @if !s.description.is_empty() { p.question-small { (s.description) } }
                (provenance(&s.provenance, s.trials, s.seed, &format!("What produced the run of {}", s.scenario)))
            }
        }))
    };
    page(
        &format!("Comparison: {}", names.join(" vs ")),
        &subtitle,
        &[
            ("results", "Results"),
            ("paired", "Paired differences"),
            ("charts", "Charts"),
            ("provenance", "Provenance"),
        ],
        main,
    )
}

/// Each scenario's headline numbers.
fn results(c: &Comparison) -> Markup {
    html! {
        div.wide {
            table.figures {
                caption { "Each scenario over the horizon, $B" }
                thead {
                    tr {
                        th scope="col" { "Scenario" }
                        th scope="col" { "P(shortfall)" }
                        th scope="col" { "Gap P50" }
                        th scope="col" { "Gap P90" }
                        th scope="col" { "Gap P95" }
                        th scope="col" { "Gap mean ± s.e." }
                        th scope="col" { "First shortfall*" }
                    }
                }
                tbody {
                    @for s in &c.summaries {
                        @let q = |k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
                        tr {
                            th scope="row" { (s.scenario) }
                            td { (p(s.shortfall_probability.estimate)) }
                            td { (usd_b(q("p50"))) }
                            td { (usd_b(q("p90"))) }
                            td { (usd_b(q("p95"))) }
                            td { (usd_b(s.gap.mean)) " ± " (usd_b(s.gap.std_error)) }
                            td { (s.first_shortfall.median.map_or("none".to_string(), readings::day)) }
                        }
                    }
                }
            }
        }
        p.note { "* First shortfall: the median date of the first shortfall among the trials that run short." }
    }
}

/// The paired differences against the first scenario, over the horizon and by year.
fn paired(c: &Comparison) -> Markup {
    let a = &c.summaries[0];
    let prob =
        |g: Option<&YearGap>| g.map_or("–".to_string(), |g| p(g.shortfall_probability.estimate));
    let mean = |g: Option<&YearGap>| usd_b(g.map_or(f64::NAN, |g| g.gap.mean));
    html! {
        p {
            "Each scenario B against " strong { (a.scenario) } " (A), B − A on the same trials: "
            "the paired standard error is far below the one independent runs would have (shown beside it)."
        }
        div.wide {
            table.figures {
                caption { "Paired differences against " (a.scenario) ", over the horizon" }
                thead {
                    tr {
                        th scope="col" { "Scenario B" }
                        th scope="col" { "Mean gap diff ± s.e., $B" }
                        th scope="col" { "Unpaired s.e., $B" }
                        th scope="col" { "P(shortfall) diff ± s.e." }
                        th scope="col" { "P(gap A < gap B)" }
                        th scope="col" { "Gap P50 / P90 / P95 diff, $B" }
                    }
                }
                tbody {
                    @for d in &c.paired {
                        tr {
                            th scope="row" { (d.scenario) }
                            td { (usd_b(d.gap_mean_diff)) " ± " (usd_b(d.gap_mean_diff_se)) }
                            td { (usd_b(d.gap_mean_diff_se_unpaired)) }
                            td { (pp(d.shortfall_probability_diff)) " ± " (format!("{:.2}", 100.0 * d.shortfall_probability_diff_se)) }
                            td { (p(d.p_gap_a_smaller)) }
                            td {
                                (usd_b(d.quantile_diffs[0])) " / " (usd_b(d.quantile_diffs[1])) " / " (usd_b(d.quantile_diffs[2]))
                            }
                        }
                    }
                }
            }
        }
        @if c.paired.iter().any(|d| !d.by_year.is_empty()) {
            div.wide {
                table.figures {
                    caption { "By the end of each report year (A = " (a.scenario) "; B − A on the same trials, ± paired s.e.)" }
                    thead {
                        tr {
                            th scope="col" { "Scenario B" }
                            th scope="col" { "Year" }
                            th scope="col" { "P(short) A" }
                            th scope="col" { "P(short) B" }
                            th scope="col" { "P(shortfall) diff" }
                            th scope="col" { "Gap mean A, $B" }
                            th scope="col" { "Gap mean B, $B" }
                            th scope="col" { "Mean gap diff ± s.e., $B" }
                        }
                    }
                    tbody {
                        @for (d, b) in c.paired.iter().zip(&c.summaries[1..]) {
                            @for y in &d.by_year {
                                @let year = y.year.to_string();
                                @let (ya, yb) = (a.gap_by_year.get(&year), b.gap_by_year.get(&year));
                                tr {
                                    th scope="row" { (d.scenario) }
                                    td { (year) }
                                    td { (prob(ya)) }
                                    td { (prob(yb)) }
                                    td { (pp(y.shortfall_probability_diff)) " ± " (format!("{:.2}", 100.0 * y.shortfall_probability_diff_se)) }
                                    td { (mean(ya)) }
                                    td { (mean(yb)) }
                                    td { (usd_b(y.gap_mean_diff)) " ± " (usd_b(y.gap_mean_diff_se)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The report of a sweep, as a page, with its chart(s), `figures`.
pub fn render_sweep(s: &Sweep, figures: &[Figure]) -> String {
    let num = crate::dist::fmt_num;
    let metric = s.seek.as_ref().map(|k| &k.metric);
    let main = html! {
        (section("sweep", "Results by value", html! {
            p {
                "The scenario " strong { (s.scenario) } " run once per value of " code { (s.path) }
                ", every run on the same seed (common random numbers), so neighbouring values differ by the input alone."
            }
            div.wide {
                table.figures {
                    caption { "Sweep of " (s.path) ": " (thousands(s.trials)) " trials per value, $B" }
                    thead {
                        tr {
                            th scope="col" { "Value" }
                            th scope="col" { "P(shortfall), 95 % CI" }
                            th scope="col" { "Gap P50" }
                            th scope="col" { "Gap P90" }
                            th scope="col" { "Gap P95" }
                            th scope="col" { "Gap mean ± s.e." }
                            @if let Some(m) = metric { th scope="col" { (m.name()) ", 95 % CI" } }
                        }
                    }
                    tbody {
                        @for pt in &s.points {
                            tr {
                                th scope="row" { (num(pt.value)) }
                                td {
                                    (p(pt.shortfall_probability))
                                    (format!(" ({:.1}–{:.1})", 100.0 * pt.shortfall_probability_ci95[0], 100.0 * pt.shortfall_probability_ci95[1]))
                                }
                                td { (usd_b(pt.gap_p50)) }
                                td { (usd_b(pt.gap_p90)) }
                                td { (usd_b(pt.gap_p95)) }
                                td { (usd_b(pt.gap_mean)) " ± " (usd_b(pt.gap_mean_se)) }
                                @if let Some(m) = metric { td { (metric_cell(m, pt.metric(m), pt.metric_ci95(m))) } }
                            }
                        }
                    }
                }
            }
            @if let Some(k) = &s.seek {
                h3 { "Target " (k.target) }
                p { (readings::capitalise(&k.note)) "." }
                @if let (Some(v), Some(m)) = (k.value, k.metric_at_value) {
                    @let lowest = s.points.first().map_or(f64::NAN, |p| p.value);
                    @let highest = s.points.last().map_or(f64::NAN, |p| p.value);
                    p {
                        code { (s.path) " = " (num(v)) } " gives " (k.metric.name()) " = " (num(m)) ". "
                        "95 % interval of the value: "
                        (k.value_ci95[0].map_or(format!("≤ {}", num(lowest)), num)) " to "
                        (k.value_ci95[1].map_or(format!("> {}", num(highest)), num))
                        " (where the metric's 95 % interval crosses the bound)."
                    }
                }
            }
        }))
        (section("charts", "Chart", html! {
            @for f in figures {
                (figure(f, (f.name == "sweep").then(|| readings::sweep(s))))
            }
        }))
        (section("provenance", "Provenance", provenance(&s.provenance, s.trials, s.seed, "What produced the sweep (the swept --set among the overrides)")))
    };
    let subtitle = format!(
        "{}: {} values, {} trials each, seed {}",
        s.path,
        s.points.len(),
        thousands(s.trials),
        s.seed
    );
    page(
        &format!("Sweep: {}", s.scenario),
        &subtitle,
        &[
            ("sweep", "Results by value"),
            ("charts", "Chart"),
            ("provenance", "Provenance"),
        ],
        main,
    )
}
