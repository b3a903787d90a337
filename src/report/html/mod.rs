//! `report.html`: one page per run, comparison or sweep, to send to a colleague, keep beside
//! the data, or print to PDF.
//!
//! What the page guarantees:
//! - **Self-contained.** The stylesheet is inline, the charts are inline SVG drawn from the same
//!   data as the chart files (whatever `--charts` asks for; the caller draws them, as
//!   [`Figure`]s, since the chart layer comes after this one), text uses the reader's system
//!   fonts. There is no script, and no URL to fetch: a Content-Security-Policy of
//!   `default-src 'none'` makes the browser refuse any request the page might still make.
//! - **The terminal's numbers.** Amounts, probabilities and checks are printed by the
//!   formatters of the terminal table ([`super::usd_b`], [`super::format::pct`]), so the page
//!   and the table agree to the digit; dates are the days of
//!   [`crate::summary::calendar_date`] written out ("31 Dec 2027"), the horizon in years
//!   ("2026–2033"), counts of trials with thousands separators.
//! - **Readable by anyone.** One `h1`, then `h2` sections and `h3` charts; every table has a
//!   caption and scoped header cells; every chart is `role="img"` with an accessible name, the
//!   one-sentence reading of it that its caption also shows (`readings.rs`).
//! - **Printable.** A print stylesheet with margins that fit A4 and Letter, no table row or
//!   figure split across pages, and no navigation.
//!
//! Templates are maud's `html!`, which escapes every text it splices; only the stylesheet and
//! the charts' SVG (see `svg.rs`) are spliced as they are.

mod analysis;
mod readings;
mod run;
mod svg;

use std::path::{Path, PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::format::thousands;
use super::{Exporter, ReportError, write_atomic};
use crate::summary::{Provenance, Summary};

pub use analysis::{render_comparison, render_sweep};
pub use readings::question;
pub use run::render_run;

/// The report's file name in an output folder.
pub const REPORT_FILE: &str = "report.html";

/// The stylesheet, screen and print.
const STYLESHEET: &str = include_str!("report.css");

/// The browser may load nothing: no script, no font, no image, no frame; only the inline
/// stylesheet applies.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// A chart drawn as SVG, as the page shows it (the charts are drawn by [`crate`]'s chart
/// layer, which comes after this one: the caller draws them and hands them in).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The chart's file stem, e.g. `gap_histogram`: it chooses the question and the reading.
    pub name: String,
    /// The SVG document.
    pub svg: Vec<u8>,
}

/// The report of a run, written beside `summary.json` once the charts are drawn: an
/// [`Exporter`] holding what the summary lacks, the charts and the scenario's warnings.
#[derive(Debug, Clone, Copy)]
pub struct HtmlReport<'a> {
    /// The run's charts, in the order the page shows them.
    pub figures: &'a [Figure],
    /// The scenario's warnings (as `funding-gap explain` lists them).
    pub warnings: &'a [String],
}

impl Exporter for HtmlReport<'_> {
    fn file_names(&self) -> &'static [&'static str] {
        &[REPORT_FILE]
    }

    fn export(&self, summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let page = render_run(summary, self.warnings, self.figures);
        Ok(vec![write_report(dir, &page)?])
    }
}

/// Writes `page` as `dir/report.html`, atomically; returns its path.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_report(dir: &Path, page: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(REPORT_FILE);
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// The whole page around `main`: head with the stylesheet, the header with `title` and its
/// subtitle, the table of contents, the footer with the program's version.
fn page(title: &str, subtitle: &str, contents: &[(&str, &str)], main: Markup) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let commit = option_env!("FUNDING_GAP_GIT_COMMIT");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CONTENT_SECURITY_POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ "funding-gap " (version) };
                title { (title) " · funding-gap" }
                style { (PreEscaped(STYLESHEET)) }
            }
            body {
                header.page {
                    p.kicker { "funding-gap report" }
                    h1 { (title) }
                    @if !subtitle.is_empty() {
                        p.subtitle { (subtitle) }
                    }
                }
                @if !contents.is_empty() {
                    nav aria-label="Contents" {
                        h2.visually-hidden { "Contents" }
                        ol {
                            @for (id, label) in contents {
                                li { a href={ "#" (id) } { (label) } }
                            }
                        }
                    }
                }
                main { (main) }
                footer {
                    p {
                        "Made by funding-gap " (version)
                        @if let Some(c) = commit { " (commit " code { (c) } ")" }
                        ". Every number is from the run's own data (summary.json and the other files beside this page); "
                        "Monte Carlo errors are 95 % intervals unless marked s.e. (standard error)."
                    }
                }
            }
        }
    }
    .into_string()
}

/// A section with its `h2`, linked from the table of contents by `id`.
fn section(id: &str, heading: &str, body: Markup) -> Markup {
    html! {
        section id=(id) aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (heading) }
            (body)
        }
    }
}

/// A chart as a figure: its question as a heading, the inline SVG named by `reading`, and
/// `reading` as the caption. A chart this module does not know (none: a test of the charts
/// checks it) is headed and named by its file name.
fn figure(f: &Figure, reading: Option<String>) -> Markup {
    let question = question(&f.name).unwrap_or(f.name.as_str());
    // A percentage never wraps away from its number.
    let reading = reading
        .unwrap_or_else(|| f.name.clone())
        .replace(" %", "\u{a0}%");
    html! {
        figure.chart id={ "chart-" (f.name) } {
            h3 { (question) }
            (svg::inline(&f.svg, &reading))
            figcaption { (reading) }
        }
    }
}

/// What produced a run: the scenario's files with their SHA-256, every `--set`, the trials,
/// the seed, the program's version and commit.
fn provenance(p: &Provenance, trials: u64, seed: u64, caption: &str) -> Markup {
    html! {
        table.provenance {
            caption { (caption) }
            tbody {
                tr {
                    th scope="row" { "Scenario files" }
                    td {
                        @if p.scenario_files.is_empty() { "–" }
                        ol.files {
                            @for (i, f) in p.scenario_files.iter().enumerate() {
                                li {
                                    code { (f.path) }
                                    @if i > 0 { " (extended)" }
                                    br;
                                    span.hash { "SHA-256 " code { (f.sha256) } }
                                }
                            }
                        }
                    }
                }
                tr {
                    th scope="row" { "Overrides" }
                    td {
                        @if p.overrides.is_empty() {
                            "none (the scenario as written)"
                        } @else {
                            ul.overrides {
                                @for o in &p.overrides { li { code { "--set " (o) } } }
                            }
                        }
                    }
                }
                tr { th scope="row" { "Trials" } td.num-left { (thousands(trials)) } }
                tr { th scope="row" { "Seed" } td.num-left { (seed) } }
                tr {
                    th scope="row" { "Program" }
                    td {
                        "funding-gap " (p.version)
                        @if let Some(c) = &p.git_commit { ", commit " code { (c) } }
                    }
                }
            }
        }
    }
}

/// The horizon in calendar years: "2026–2033" for whole years from the start of 2026 to the
/// end of 2033 (start 2026.0, end 2034.0), "2026" for one year; a horizon that starts or ends
/// inside a year in quarters, "2026-Q3 – 2030-Q2".
fn horizon(start: f64, end: f64) -> String {
    let whole = |t: f64| (t - t.round()).abs() < 1e-9;
    if whole(start) && whole(end) && end > start {
        let (first, last) = (start.round() as i64, end.round() as i64 - 1);
        if first == last {
            first.to_string()
        } else {
            format!("{first}–{last}")
        }
    } else {
        format!(
            "{} – {}",
            super::table::quarter(start),
            super::table::quarter(end - 1e-6)
        )
    }
}

/// "quarterly", "yearly", "monthly" or "N steps a year".
fn steps(per_year: u32) -> String {
    match per_year {
        1 => "yearly".to_string(),
        4 => "quarterly".to_string(),
        12 => "monthly".to_string(),
        n => format!("{n} steps a year"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RunConfig, simulate};

    /// A summary of a small run of the built-in base, and its model's warnings.
    fn base_summary() -> Summary {
        let scenario = crate::scenario::builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
        let model = crate::model::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
        let cfg = RunConfig {
            trials: 256,
            seed: 3,
            threads: Some(1),
            save_trials: false,
            worst: 0,
        };
        let run = simulate(&model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
        crate::summary::summarize(&model, &run)
    }

    #[test]
    fn the_report_of_a_run_holds_its_sections_charts_and_warnings() {
        let s = base_summary();
        let figures = [Figure {
            name: "gap_histogram".to_string(),
            svg: b"<svg width=\"4\" height=\"3\" viewBox=\"0 0 4 3\"><rect/></svg>".to_vec(),
        }];
        let warnings = ["a <doubtful> input".to_string()];
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let report = HtmlReport {
            figures: &figures,
            warnings: &warnings,
        };
        let paths = report
            .export(&s, dir.path())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths, [dir.path().join(REPORT_FILE)]);
        let page = std::fs::read_to_string(&paths[0]).unwrap_or_else(|e| panic!("{e}"));
        assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
        assert_eq!(page.matches("<h1>").count(), 1);
        for needle in [
            "<h1>Funding gap: base</h1>",
            "2026–2033, quarterly; 256 trials, seed 3",
            "How big is the gap?",
            "role=\"img\" aria-label=\"In half of the trials",
            "<li>a &lt;doubtful&gt; input</li>",
            "id=\"assumptions\"",
            "id=\"checks\"",
            "@media print",
            CONTENT_SECURITY_POLICY,
        ] {
            assert!(page.contains(needle), "the page lacks {needle:?}");
        }
        // Nothing to fetch: no script, no external stylesheet, font or image.
        for banned in ["<script", "<link", "url(", "src=\"http", "@import"] {
            assert!(!page.contains(banned), "the page has {banned:?}");
        }
    }

    #[test]
    fn horizons_read_as_calendar_years() {
        assert_eq!(horizon(2026.0, 2034.0), "2026–2033");
        assert_eq!(horizon(2026.0, 2027.0), "2026");
        assert_eq!(horizon(2026.5, 2030.5), "2026-Q3 – 2030-Q2");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(steps(4), "quarterly");
    }
}
