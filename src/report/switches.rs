//! The table of `switches`: how the headline numbers move when each structural switch is
//! turned off, as aligned text for the terminal and as Markdown between markers (for
//! scenarios/README.md). Both are made from the same cells.

use std::fmt::Write;

use super::format::{Decimals, pct};
use super::headlines::generated_header;
use super::table::{quarter, usd_b};
use crate::analysis::{Change, Changes, Headline, Switches};

/// Marker before the generated table.
pub const SWITCHES_BEGIN: &str = "<!-- switches:begin -->";
/// Marker after the generated table.
pub const SWITCHES_END: &str = "<!-- switches:end -->";

/// A column's cell for the scenario as is.
type ValueCell = Box<dyn Fn(&Headline) -> String>;
/// A column's cell for a switch: from its changes and its own headline numbers.
type ChangeCell = Box<dyn Fn(&Changes, &Headline) -> String>;

/// A column of the table: its header (in Markdown; in the terminal over two lines), the
/// baseline's cell and a switch's.
struct Column {
    header: String,
    lines: [String; 2],
    value: ValueCell,
    change: ChangeCell,
}

impl Column {
    /// A column headed by `lines`; in Markdown on one line, joined by `sep` (`""`: the second
    /// line goes inside the first's closing parenthesis).
    fn new(lines: [&str; 2], sep: &str, value: ValueCell, change: ChangeCell) -> Column {
        let header = match (lines[1].is_empty(), sep) {
            (true, _) => lines[0].to_string(),
            // "P(shortfall)" + "by 2027" reads "P(shortfall by 2027)".
            (false, "") => format!("{} {})", lines[0].trim_end_matches(')'), lines[1]),
            (false, sep) => format!("{}{sep}{}", lines[0], lines[1]),
        };
        Column {
            header,
            lines: lines.map(String::from),
            value,
            change,
        }
    }
}

/// `x` with `decimals` decimals and its sign, `+` for 0 (never `-0.0`).
fn signed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        format!("+{}", &s[1..])
    } else if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// A change of a probability: `+1.2 ± 0.1 pp` (percentage points, ± one paired s.e.).
fn pp(c: Option<&Change>) -> String {
    c.map_or("–".to_string(), |c| {
        format!("{} ± {:.1} pp", signed(100.0 * c.diff, 1), 100.0 * c.se)
    })
}

/// A change in $B: `+35.2 ± 1.1`.
fn usd(c: Option<&Change>) -> String {
    c.map_or("–".to_string(), |c| {
        let v = usd_b(c.diff);
        let sign = if v.starts_with('-') { "" } else { "+" };
        format!("{sign}{v} ± {}", usd_b(c.se))
    })
}

fn median_date(t: Option<f64>) -> String {
    t.map_or("none".to_string(), quarter)
}

/// The table's columns for report years `years`: P(shortfall) over the horizon, by the first
/// report year and by 2030 (if a report year), the mean gap and the mean gap by 2030, the
/// mean deficit, the median first shortfall.
fn columns(years: &[i32]) -> Vec<Column> {
    let mut by: Vec<String> = years.first().map(|y| y.to_string()).into_iter().collect();
    let has_2030 = years.contains(&2030);
    if has_2030 && years.first() != Some(&2030) {
        by.push("2030".to_string());
    }
    let mut cols = vec![Column::new(
        ["P(shortfall)", ""],
        "",
        Box::new(|h| pct(h.shortfall_probability, Decimals::Fixed(1))),
        Box::new(|c, _| pp(Some(&c.shortfall_probability))),
    )];
    for y in by {
        let (y1, y2) = (y.clone(), y.clone());
        cols.push(Column::new(
            ["P(shortfall)", &format!("by {y}")],
            "",
            Box::new(move |h| {
                h.shortfall_probability_by_year
                    .get(&y1)
                    .map_or("–".to_string(), |p| pct(*p, Decimals::Fixed(1)))
            }),
            Box::new(move |c, _| pp(c.shortfall_probability_by_year.get(&y2))),
        ));
    }
    cols.push(Column::new(
        ["mean gap", "$B"],
        ", ",
        Box::new(|h| usd_b(h.gap_mean)),
        Box::new(|c, _| usd(Some(&c.gap_mean))),
    ));
    if has_2030 {
        cols.push(Column::new(
            ["mean gap", "by 2030, $B"],
            " ",
            Box::new(|h| {
                h.gap_mean_by_year
                    .get("2030")
                    .map_or("–".to_string(), |x| usd_b(*x))
            }),
            Box::new(|c, _| usd(c.gap_mean_by_year.get("2030"))),
        ));
    }
    cols.push(Column::new(
        ["mean deficit", "$B"],
        ", ",
        Box::new(|h| usd_b(h.deficit_mean)),
        Box::new(|c, _| usd(Some(&c.deficit_mean))),
    ));
    cols.push(Column::new(
        ["median first", "shortfall"],
        " ",
        Box::new(|h| median_date(h.first_shortfall_median)),
        Box::new(|c, h| match c.first_shortfall_median_years {
            Some(d) if d.abs() < 0.005 => {
                format!("{} (no shift)", median_date(h.first_shortfall_median))
            }
            Some(d) => format!("{} ({d:+.2} yr)", median_date(h.first_shortfall_median)),
            None => median_date(h.first_shortfall_median),
        }),
    ));
    cols
}

/// The table's body as rows of cells: the scenario as is, then one row per switch (`n/a` in
/// every cell of a switch that does not apply).
fn body(s: &Switches, cols: &[Column]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut base = vec![format!("{} as is", s.scenario)];
    base.extend(cols.iter().map(|c| (c.value)(&s.baseline)));
    rows.push(base);
    for r in &s.switches {
        let mut row = vec![r.label.clone()];
        match (&r.change, &r.value) {
            (Some(ch), Some(v)) => row.extend(cols.iter().map(|c| (c.change)(ch, v))),
            _ => row.extend(cols.iter().map(|_| "n/a".to_string())),
        }
        rows.push(row);
    }
    rows
}

/// The Markdown table with the command that made it, between [`SWITCHES_BEGIN`] and
/// [`SWITCHES_END`].
pub fn render_switches_markdown(s: &Switches, command: &str) -> String {
    let mut o = generated_header(SWITCHES_BEGIN, command);
    let cols = columns(&s.report_years);
    let headers: Vec<&str> = cols.iter().map(|c| c.header.as_str()).collect();
    let _ = writeln!(o, "| switch | {} |", headers.join(" | "));
    let _ = writeln!(o, "| --- |{}", " ---: |".repeat(cols.len()));
    for row in body(s, &cols) {
        let _ = writeln!(o, "| {} |", row.join(" | "));
    }
    let _ = writeln!(o, "{SWITCHES_END}");
    o
}

/// The table for the terminal: aligned columns, then what each switch turns off (or why it
/// was not run).
pub fn render_switches(s: &Switches) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "funding-gap switches — {}, {} trials each, seed {}, common random numbers\n",
        s.scenario, s.trials, s.seed
    );
    let cols = columns(&s.report_years);
    let mut rows: Vec<Vec<String>> = (0..2)
        .map(|i| {
            let mut r = vec![if i == 0 { "switch" } else { "" }.to_string()];
            r.extend(cols.iter().map(|c| c.lines[i].clone()));
            r
        })
        .collect();
    rows.extend(body(s, &cols));
    let widths: Vec<usize> = (0..=cols.len())
        .map(|j| rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::from(" ");
        for (j, cell) in row.iter().enumerate() {
            let pad = widths[j] - cell.chars().count();
            if j == 0 {
                let _ = write!(line, " {cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(line, "   {}{cell}", " ".repeat(pad));
            }
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
    let _ = writeln!(
        o,
        "\n  Changes: switched − as is over the same trials, ± one paired standard error (pp: percentage\n  points); the first-shortfall column gives the switched median and its shift."
    );
    for r in &s.switches {
        match &r.not_applicable {
            Some(why) => {
                let _ = writeln!(o, "  {}: n/a, {why}", r.label);
            }
            None => {
                let _ = writeln!(o, "  {}: {}", r.label, r.turns_off);
            }
        }
    }
    o
}
