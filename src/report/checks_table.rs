//! The published-figures table: one row per check of the first scenario (its published
//! figure), one column per scenario (its value of that metric), and the first scenario's
//! verdict and reason — for scenarios/README.md, "Base among the published analyses".

use std::fmt::Write;

use super::table::check_number;
use crate::summary::Summary;

/// Marker before the generated table.
pub const CHECKS_BEGIN: &str = "<!-- published:begin -->";
/// Marker after the generated table.
pub const CHECKS_END: &str = "<!-- published:end -->";

/// A Markdown cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Renders the table, with the command that made it, between the markers. The rows are the
/// first summary's checks; a scenario without a row's check shows "–".
pub fn render_checks_table(summaries: &[Summary], command: &str) -> String {
    let mut o = super::headlines::generated_header(CHECKS_BEGIN, command);
    let Some(first) = summaries.first() else {
        let _ = writeln!(o, "{CHECKS_END}");
        return o;
    };
    let names: Vec<String> = summaries.iter().map(|s| cell(&s.scenario)).collect();
    let _ = writeln!(
        o,
        "| published figure | metric | published | {} | {} against it, and why |",
        names.join(" | "),
        names[0]
    );
    let _ = writeln!(
        o,
        "| --- | --- | ---: | {}--- |",
        "---: | ".repeat(summaries.len())
    );
    for c in &first.checks {
        let values: Vec<String> = summaries
            .iter()
            .map(|s| {
                s.checks
                    .iter()
                    .find(|d| d.metric == c.metric && d.label == c.label)
                    .map_or("–".to_string(), |d| check_number(d.unit, d.value))
            })
            .collect();
        let verdict = match (c.pass, c.as_expected) {
            (true, true) => "within tolerance".to_string(),
            (false, true) => "differs, as expected".to_string(),
            (true, false) => "within tolerance, though expected to differ".to_string(),
            (false, false) => "differs, though expected to match".to_string(),
        };
        let why = c
            .reason
            .as_deref()
            .map_or(String::new(), |r| format!(": {}", cell(r)));
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} | {verdict}{why} |",
            cell(&c.label),
            c.metric,
            check_number(c.unit, Some(c.published)),
            values.join(" | "),
        );
    }
    let _ = writeln!(o, "{CHECKS_END}");
    o
}
