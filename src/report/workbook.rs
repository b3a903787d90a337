//! `report.xlsx`: the tables of a run as a workbook, for Excel, LibreOffice or pandas
//! (`--report xlsx`, on by default).
//!
//! One sheet per table, in this order: [`SHEETS`]. Every number is a number cell with a
//! number format ($B to 1 decimal, probabilities and shares as percentages, dates as dates),
//! never text; a value the summary does not have (NaN, or none) is an empty cell. Each sheet's
//! header row is bold and frozen, its units in the header or, where the rows mix units, in a
//! Unit column. Everything comes from the [`Summary`], so the workbook says what
//! summary.json says, and like it is the same, byte for byte, for the same inputs.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Workbook as Book, Worksheet, XlsxError,
};

use super::bands_csv::band_series;
use super::{Exporter, ReportError, write_atomic};
use crate::metrics::METRICS;
use crate::stats::Z_95;
use crate::summary::{GapStats, MetricStats, Probability, Summary, calendar_day};

/// The sheets of report.xlsx, in order.
pub const SHEETS: [&str; 7] = [
    "Headline",
    "By year",
    "Inputs",
    "Sensitivity",
    "Bands",
    "Obligations",
    "Checks",
];

/// Writes `report.xlsx`.
#[derive(Debug, Clone, Copy)]
pub struct Workbook;

impl Exporter for Workbook {
    fn file_names(&self) -> &'static [&'static str] {
        &["report.xlsx"]
    }

    fn export(&self, summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let path = dir.join("report.xlsx");
        let bytes = workbook_bytes(summary).map_err(|e| ReportError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomic(&path, &bytes)?;
        Ok(vec![path])
    }
}

/// The number formats of the cells.
struct Formats {
    header: Format,
    usd_b: Format,
    usd_b_se: Format,
    pct: Format,
    int: Format,
    decimal_year: Format,
    date: Format,
    number: Format,
    u: Format,
    text: Format,
    bold: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_text_wrap(),
            usd_b: Format::new().set_num_format("#,##0.0"),
            usd_b_se: Format::new().set_num_format("#,##0.00"),
            pct: Format::new().set_num_format("0.0%"),
            int: Format::new().set_num_format("0"),
            decimal_year: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            number: Format::new().set_num_format("General"),
            u: Format::new().set_num_format("0.00"),
            text: Format::new(),
            bold: Format::new().set_bold(),
        }
    }
}

/// One cell's value and how it reads.
enum Cell {
    /// Nothing.
    Blank,
    /// Text.
    Text(String),
    /// Bold text (a total's label).
    Bold(String),
    /// $B, 1 decimal.
    Usd(f64),
    /// $B, 2 decimals: a standard error, often below $1B.
    UsdSe(f64),
    /// A probability or share, as a percentage.
    Pct(f64),
    /// An integer (trials, seed, a year).
    Int(f64),
    /// A decimal year.
    DecimalYear(f64),
    /// An instant (decimal year) as the calendar day it ends in (a step end).
    DayEnding(f64),
    /// An instant (decimal year) as the day it falls on (a scenario date).
    DayOf(f64),
    /// A number in the row's own unit.
    Number(f64),
    /// A uniform u in [0, 1].
    U(f64),
    /// True or false.
    Bool(bool),
}

/// How a number reads: one of [`Cell`]'s number variants.
type Kind = fn(f64) -> Cell;

/// `Some(x)` as `f`, none as blank.
fn opt(x: Option<f64>, f: Kind) -> Cell {
    x.map_or(Cell::Blank, f)
}

/// Writes `cell` at (`row`, `col`); a NaN or infinite number is left blank.
fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    let number = |ws: &mut Worksheet, x: f64, fmt: &Format| -> Result<(), XlsxError> {
        if x.is_finite() {
            ws.write_number_with_format(row, col, x, fmt)?;
        }
        Ok(())
    };
    // Excel's dates run from 1900 to 9999: a day outside them is written as its text.
    let day = |ws: &mut Worksheet, t: f64| -> Result<(), XlsxError> {
        let Some((y, m, d)) = calendar_day(t) else {
            return Ok(());
        };
        let date = match (u16::try_from(y), u8::try_from(m), u8::try_from(d)) {
            (Ok(y), Ok(m), Ok(d)) => ExcelDateTime::from_ymd(y, m, d).ok(),
            _ => None,
        };
        match date {
            Some(date) => ws.write_datetime_with_format(row, col, &date, &f.date)?,
            None => {
                ws.write_string_with_format(row, col, format!("{y:04}-{m:02}-{d:02}"), &f.text)?
            }
        };
        Ok(())
    };
    match cell {
        Cell::Blank => {}
        Cell::Text(s) => {
            ws.write_string_with_format(row, col, s, &f.text)?;
        }
        Cell::Bold(s) => {
            ws.write_string_with_format(row, col, s, &f.bold)?;
        }
        Cell::Usd(x) => number(ws, *x, &f.usd_b)?,
        Cell::UsdSe(x) => number(ws, *x, &f.usd_b_se)?,
        Cell::Pct(x) => number(ws, *x, &f.pct)?,
        Cell::Int(x) => number(ws, *x, &f.int)?,
        Cell::DecimalYear(x) => number(ws, *x, &f.decimal_year)?,
        Cell::Number(x) => number(ws, *x, &f.number)?,
        Cell::U(x) => number(ws, *x, &f.u)?,
        Cell::DayEnding(t) => day(ws, *t)?,
        // A scenario date is an instant at midnight: nudged inside its day, as
        // `summary::scenario_date` reads it.
        Cell::DayOf(t) => day(ws, t + 1.0 / (12.0 * 31.0 * 2.0))?,
        Cell::Bool(b) => {
            ws.write_boolean(row, col, *b)?;
        }
    }
    Ok(())
}

/// A sheet being filled row by row under its header.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    f: &'a Formats,
    row: u32,
}

impl<'a> Sheet<'a> {
    /// Names the sheet and writes its header row (bold, frozen) with the column widths.
    fn new(
        ws: &'a mut Worksheet,
        f: &'a Formats,
        name: &str,
        header: &[(&str, f64)],
    ) -> Result<Sheet<'a>, XlsxError> {
        ws.set_name(name)?;
        for (col, (title, width)) in (0u16..).zip(header) {
            ws.write_string_with_format(0, col, *title, &f.header)?;
            ws.set_column_width(col, *width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Sheet { ws, f, row: 1 })
    }

    /// Writes the next row.
    fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        for (col, cell) in (0u16..).zip(cells) {
            put(self.ws, self.row, col, cell, self.f)?;
        }
        self.row += 1;
        Ok(())
    }
}

/// The whole workbook, as the bytes of an .xlsx file.
fn workbook_bytes(s: &Summary) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Book::new();
    // The same inputs give the same bytes, as summary.json: the document's creation time is
    // fixed at 1980-01-01, the date its zip entries carry (the run's time is manifest.json's
    // `written_at`).
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("funding-gap: {}", s.scenario))
            .set_subject(s.description.clone())
            .set_author(format!("funding-gap {}", s.provenance.version))
            .set_creation_datetime(&created),
    );
    headline(
        Sheet::new(book.add_worksheet(), &f, SHEETS[0], HEADLINE)?,
        s,
    )?;
    by_year(book.add_worksheet(), &f, s)?;
    inputs(Sheet::new(book.add_worksheet(), &f, SHEETS[2], INPUTS)?, s)?;
    sensitivity(
        Sheet::new(book.add_worksheet(), &f, SHEETS[3], SENSITIVITY)?,
        s,
    )?;
    bands(Sheet::new(book.add_worksheet(), &f, SHEETS[4], BANDS)?, s)?;
    obligations(book.add_worksheet(), &f, s)?;
    checks(Sheet::new(book.add_worksheet(), &f, SHEETS[6], CHECKS)?, s)?;
    book.save_to_buffer()
}

const HEADLINE: &[(&str, f64)] = &[
    ("Figure", 52.0),
    ("Unit", 12.0),
    ("Estimate", 14.0),
    ("Standard error", 14.0),
    ("95 % interval, low", 14.0),
    ("95 % interval, high", 14.0),
    ("Note", 70.0),
];

/// A row of the headline sheet.
fn line(label: &str, unit: &str, cells: [Cell; 4], note: &str) -> [Cell; 7] {
    let [a, b, c, d] = cells;
    [
        Cell::Text(label.to_string()),
        Cell::Text(unit.to_string()),
        a,
        b,
        c,
        d,
        if note.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(note.to_string())
        },
    ]
}

/// A probability's row: the estimate and its Wilson interval.
fn probability(label: &str, p: &Probability, note: &str) -> [Cell; 7] {
    line(
        label,
        "probability",
        [
            Cell::Pct(p.estimate),
            Cell::Blank,
            Cell::Pct(p.ci95[0]),
            Cell::Pct(p.ci95[1]),
        ],
        note,
    )
}

/// A mean's row: the mean, its standard error and mean ± z·s.e. (z = 1.96, or t(R−1) for a
/// Latin hypercube or RQMC run: [`z_of`]), in `unit` ($B with $B formats, any other unit as
/// plain numbers).
fn mean(label: &str, unit: &str, (m, se, z): (f64, f64, f64), note: &str) -> [Cell; 7] {
    let (value, error): (Kind, Kind) = if unit == "$B" {
        (Cell::Usd, Cell::UsdSe)
    } else {
        (Cell::Number, Cell::Number)
    };
    line(
        label,
        unit,
        [value(m), error(se), value(m - z * se), value(m + z * se)],
        note,
    )
}

/// The factor of a mean's 95 % interval: t(R−1, 0.975) for a Latin hypercube or RQMC run
/// (its errors come from R replicates), else 1.96.
fn z_of(s: &Summary) -> f64 {
    s.sampling.as_ref().map_or(Z_95, |p| p.t95)
}

/// The rows of a gap's (or deficit's) distribution: mean, quantiles with their intervals,
/// the mean if short and CVaR 95 %.
fn gap_rows(sh: &mut Sheet<'_>, what: &str, g: &GapStats, z: f64) -> Result<(), XlsxError> {
    sh.row(&mean(
        &format!("{what}, mean"),
        "$B",
        (g.mean, g.std_error, z),
        "over all trials, zeros (no shortfall) included",
    ))?;
    for (k, q) in &g.quantiles {
        let ci = g.quantiles_ci95.get(k).copied().unwrap_or([f64::NAN; 2]);
        sh.row(&line(
            &format!("{what}, {k}"),
            "$B",
            [
                Cell::Usd(*q),
                Cell::Blank,
                Cell::Usd(ci[0]),
                Cell::Usd(ci[1]),
            ],
            "",
        ))?;
    }
    sh.row(&line(
        &format!("{what}, mean among trials that run short"),
        "$B",
        [
            Cell::Usd(g.mean_given_shortfall),
            Cell::Blank,
            Cell::Blank,
            Cell::Blank,
        ],
        "",
    ))?;
    sh.row(&line(
        &format!("{what}, CVaR 95 %"),
        "$B",
        [Cell::Usd(g.cvar95), Cell::Blank, Cell::Blank, Cell::Blank],
        "mean of the worst 5 % of trials",
    ))
}

/// A text row of the headline sheet (the run's description and provenance).
fn info(label: &str, value: &str, note: &str) -> [Cell; 7] {
    line(
        label,
        "",
        [
            Cell::Text(value.to_string()),
            Cell::Blank,
            Cell::Blank,
            Cell::Blank,
        ],
        note,
    )
}

/// A single value in the Estimate column.
fn value(label: &str, unit: &str, v: Cell, note: &str) -> [Cell; 7] {
    line(
        label,
        unit,
        [v, Cell::Blank, Cell::Blank, Cell::Blank],
        note,
    )
}

fn headline(mut sh: Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    sh.row(&info("Scenario", &s.scenario, &s.description))?;
    sh.row(&value("Trials", "trials", Cell::Int(s.trials as f64), ""))?;
    // A seed above 2^53 has no exact double: it is written as text.
    let seed = if s.seed < (1 << 53) {
        Cell::Int(s.seed as f64)
    } else {
        Cell::Text(s.seed.to_string())
    };
    sh.row(&value(
        "Seed",
        "",
        seed,
        "the same seed gives the same results",
    ))?;
    sh.row(&value("Start", "date", Cell::DayOf(s.start), ""))?;
    sh.row(&value(
        "End of the horizon",
        "date",
        Cell::DayEnding(s.end),
        "",
    ))?;
    sh.row(&value(
        "Steps per year",
        "",
        Cell::Int(f64::from(s.steps_per_year)),
        "",
    ))?;
    sh.row(&probability(
        "P(shortfall) over the horizon",
        &s.shortfall_probability,
        "share of trials in which cash falls below the floor; 95 % Wilson interval",
    ))?;
    gap_rows(&mut sh, "Funding gap", &s.gap, z_of(s))?;
    gap_rows(&mut sh, "Deficit", &s.deficit, z_of(s))?;
    sh.row(&value(
        "First shortfall, median among trials that run short",
        "date",
        opt(s.first_shortfall.median, Cell::DayEnding),
        "the day the step ends in which cash first falls below the floor",
    ))?;
    sh.row(&probability(
        "P(IPO inside the horizon)",
        &s.ipo_probability,
        "",
    ))?;
    sh.row(&value(
        "Break-even year, median among trials that have one",
        "year",
        opt(s.breakeven.median_year.map(f64::from), Cell::Int),
        "first year from which operating cash flow stays ≥ 0",
    ))?;
    sh.row(&value(
        "P(no break-even year inside the horizon)",
        "probability",
        Cell::Pct(s.breakeven.never),
        "",
    ))?;
    sh.row(&value(
        "First year of non-negative operating cash flow, median",
        "year",
        opt(
            s.first_nonnegative_year.median_year.map(f64::from),
            Cell::Int,
        ),
        "later years may burn again",
    ))?;
    sh.row(&value(
        "Cash floor, median",
        "$B",
        Cell::Usd(s.cash_floor),
        "",
    ))?;
    for (name, m) in &s.metrics {
        let def = METRICS.iter().find(|d| d.name == name.as_str());
        sh.row(&mean(
            &format!("{name}, mean"),
            def.map_or("$B", |d| d.unit),
            (m.mean, m.std_error, z_of(s)),
            def.map_or("", |d| d.doc),
        ))?;
    }
    if let Some(c) = &s.capacity {
        sh.row(&probability(
            "P(some revenue unserved for lack of capacity)",
            &c.probability_bound,
            "",
        ))?;
        sh.row(&mean(
            "unserved_revenue, mean",
            "$B",
            (
                c.unserved_revenue.mean,
                c.unserved_revenue.std_error,
                z_of(s),
            ),
            "revenue demanded but not served, over the horizon",
        ))?;
        sh.row(&mean(
            "idle_gw_years, mean",
            "GW-years",
            (c.idle_gw_years.mean, c.idle_gw_years.std_error, z_of(s)),
            "capacity online but not needed, over the horizon",
        ))?;
    }
    provenance(&mut sh, s)
}

/// The rows of what produced the run: version, commit, scenario files, overrides.
fn provenance(sh: &mut Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    let p = &s.provenance;
    sh.row(&info("funding-gap version", &p.version, ""))?;
    if let Some(commit) = &p.git_commit {
        sh.row(&info("Git commit", commit, ""))?;
    }
    for file in &p.scenario_files {
        sh.row(&info(
            "Scenario file",
            &file.path,
            &format!("SHA-256 {}", file.sha256),
        ))?;
    }
    for set in &p.overrides {
        sh.row(&info("Override", &format!("--set {set}"), ""))?;
    }
    Ok(())
}

/// The figures of one calendar year: mean, p5, p50, p95.
fn spread(m: Option<&MetricStats>) -> [Cell; 4] {
    match m {
        Some(m) => [
            Cell::Usd(m.mean),
            Cell::Usd(m.p5),
            Cell::Usd(m.p50),
            Cell::Usd(m.p95),
        ],
        None => [Cell::Blank, Cell::Blank, Cell::Blank, Cell::Blank],
    }
}

fn by_year(ws: &mut Worksheet, f: &Formats, s: &Summary) -> Result<(), XlsxError> {
    let mut header: Vec<(String, f64)> = [
        ("Year", 8.0),
        ("Months inside the horizon", 10.0),
        ("P(shortfall) by the end of the year", 13.0),
        ("P(shortfall), 95 % low", 11.0),
        ("P(shortfall), 95 % high", 11.0),
        ("Gap mean, $B", 11.0),
        ("Gap mean s.e., $B", 11.0),
        ("Gap p50, $B", 11.0),
        ("Gap p90, $B", 11.0),
        ("Gap p95, $B", 11.0),
        ("Deficit mean, $B", 11.0),
        ("Deficit p50, $B", 11.0),
        ("Deficit p90, $B", 11.0),
        ("P(first shortfall by the end of the year)", 13.0),
        ("Revenue mean, $B", 11.0),
        ("Revenue p5, $B", 11.0),
        ("Revenue p50, $B", 11.0),
        ("Revenue p95, $B", 11.0),
        ("Operating cash flow mean, $B", 12.0),
        ("Operating cash flow p5, $B", 12.0),
        ("Operating cash flow p50, $B", 12.0),
        ("Operating cash flow p95, $B", 12.0),
        ("Net burn mean, $B", 11.0),
        ("Net burn p5, $B", 11.0),
        ("Net burn p50, $B", 11.0),
        ("Net burn p95, $B", 11.0),
        ("Obligations paid mean, $B", 12.0),
        ("P(break-even year ≤ this year)", 13.0),
        ("P(first non-negative year ≤ this year)", 13.0),
    ]
    .map(|(t, w)| (t.to_string(), w))
    .to_vec();
    if s.capacity.is_some() {
        header.extend(
            [
                ("Demand mean, $B", 11.0),
                ("Revenue unserved mean, $B", 12.0),
                ("Capacity online mean, GW", 12.0),
                ("Capacity idle mean, GW", 12.0),
            ]
            .map(|(t, w)| (t.to_string(), w)),
        );
    }
    let header: Vec<(&str, f64)> = header.iter().map(|(t, w)| (t.as_str(), *w)).collect();
    let mut sh = Sheet::new(ws, f, SHEETS[1], &header)?;
    // Every calendar year of the horizon, then any report year outside them, in order.
    let mut years: Vec<&String> = s.annual.keys().collect();
    for y in s.gap_by_year.keys().chain(s.deficit_by_year.keys()) {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_by_key(|y| y.parse::<i64>().unwrap_or(i64::MAX));
    for year in years {
        let a = s.annual.get(year);
        let g = s.gap_by_year.get(year);
        let d = s.deficit_by_year.get(year);
        let q = |g: &GapStats, k: &str| g.quantiles.get(k).copied().unwrap_or(f64::NAN);
        let p = |m: &indexmap::IndexMap<String, f64>| opt(m.get(year).copied(), Cell::Pct);
        let mut row = vec![
            year.parse::<f64>()
                .map_or_else(|_| Cell::Text(year.clone()), Cell::Int),
            opt(a.map(|a| a.months), Cell::Number),
            opt(g.map(|g| g.shortfall_probability.estimate), Cell::Pct),
            opt(g.map(|g| g.shortfall_probability.ci95[0]), Cell::Pct),
            opt(g.map(|g| g.shortfall_probability.ci95[1]), Cell::Pct),
            opt(g.map(|g| g.gap.mean), Cell::Usd),
            opt(g.map(|g| g.gap.std_error), Cell::UsdSe),
            opt(g.map(|g| q(&g.gap, "p50")), Cell::Usd),
            opt(g.map(|g| q(&g.gap, "p90")), Cell::Usd),
            opt(g.map(|g| q(&g.gap, "p95")), Cell::Usd),
            opt(d.map(|d| d.gap.mean), Cell::Usd),
            opt(d.map(|d| q(&d.gap, "p50")), Cell::Usd),
            opt(d.map(|d| q(&d.gap, "p90")), Cell::Usd),
            p(&s.first_shortfall.probability_by_year),
        ];
        row.extend(spread(a.map(|a| &a.revenue)));
        row.extend(spread(a.map(|a| &a.operating_cash_flow)));
        row.extend(spread(a.map(|a| &a.net_burn)));
        row.push(opt(a.map(|a| a.obligations_paid.mean), Cell::Usd));
        row.push(p(&s.breakeven.probability_by_year));
        row.push(p(&s.first_nonnegative_year.probability_by_year));
        if let Some(c) = &s.capacity {
            let cy = c.by_year.get(year);
            row.push(opt(cy.map(|c| c.demand.mean), Cell::Usd));
            row.push(opt(cy.map(|c| c.unserved_revenue.mean), Cell::Usd));
            row.push(opt(cy.map(|c| c.capacity_gw.mean), Cell::Number));
            row.push(opt(cy.map(|c| c.idle_gw.mean), Cell::Number));
        }
        sh.row(&row)?;
    }
    Ok(())
}

const INPUTS: &[(&str, f64)] = &[
    ("Input", 52.0),
    ("Distribution", 40.0),
    ("p5, in the field's unit", 13.0),
    ("p50, in the field's unit", 13.0),
    ("p95, in the field's unit", 13.0),
    ("Mean drawn in this run, in the field's unit", 15.0),
    ("Source (the scenario's comment)", 80.0),
];

fn inputs(mut sh: Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    for i in &s.inputs {
        sh.row(&[
            Cell::Text(i.path.clone()),
            Cell::Text(i.distribution.clone()),
            Cell::Number(i.p5),
            Cell::Number(i.p50),
            Cell::Number(i.p95),
            Cell::Number(i.sampled_mean),
            i.source.clone().map_or(Cell::Blank, Cell::Text),
        ])?;
    }
    Ok(())
}

const SENSITIVITY: &[(&str, f64)] = &[
    ("Gap up to", 10.0),
    ("Input", 52.0),
    ("Swing, $B", 11.0),
    ("Mean gap, lowest decile of the input, $B", 14.0),
    ("Mean gap, highest decile of the input, $B", 14.0),
    ("Variance share", 11.0),
    ("Variance share, s.e.", 11.0),
    ("Worst 10 % of trials: median u of the input", 14.0),
];

fn sensitivity(mut sh: Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    let all = std::iter::once(("horizon", &s.sensitivity.gap)).chain(
        s.sensitivity
            .by_year
            .iter()
            .map(|(y, rows)| (y.as_str(), rows)),
    );
    for (upto, rows) in all {
        for i in rows {
            sh.row(&[
                upto.parse::<f64>()
                    .map_or_else(|_| Cell::Text(upto.to_string()), Cell::Int),
                Cell::Text(i.path.clone()),
                Cell::Usd(i.swing),
                Cell::Usd(i.low_decile_mean),
                Cell::Usd(i.high_decile_mean),
                Cell::Pct(i.variance_share),
                opt(i.variance_share_se, Cell::Pct),
                opt(i.worst_decile_median_u, Cell::U),
            ])?;
        }
    }
    Ok(())
}

const BANDS: &[(&str, f64)] = &[
    ("Series (unit in the name)", 32.0),
    ("t, decimal year", 10.0),
    ("p5", 10.0),
    ("p25", 10.0),
    ("p50", 10.0),
    ("p75", 10.0),
    ("p95", 10.0),
];

fn bands(mut sh: Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    for (name, band, ts) in band_series(&s.bands) {
        let fmt: Kind = if name.ends_with("_gw") {
            Cell::Number
        } else {
            Cell::Usd
        };
        for (i, t) in ts.iter().enumerate() {
            let at = |v: &Vec<f64>| fmt(v.get(i).copied().unwrap_or(f64::NAN));
            sh.row(&[
                Cell::Text(name.to_string()),
                Cell::DecimalYear(*t),
                at(&band.p5),
                at(&band.p25),
                at(&band.p50),
                at(&band.p75),
                at(&band.p95),
            ])?;
        }
    }
    Ok(())
}

fn obligations(ws: &mut Worksheet, f: &Formats, s: &Summary) -> Result<(), XlsxError> {
    let sched = &s.obligations_schedule;
    let titles: Vec<String> = std::iter::once("Counterparty".to_string())
        .chain(sched.years.iter().map(|y| format!("{y}, $B")))
        .chain(std::iter::once("Total, $B".to_string()))
        .collect();
    let header: Vec<(&str, f64)> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), if i == 0 { 36.0 } else { 10.0 }))
        .collect();
    let mut sh = Sheet::new(ws, f, SHEETS[5], &header)?;
    let row_of = |label: Cell, values: &[f64]| {
        std::iter::once(label)
            .chain(values.iter().map(|v| Cell::Usd(*v)))
            .chain(std::iter::once(Cell::Usd(values.iter().sum())))
            .collect::<Vec<_>>()
    };
    for (who, values) in &sched.by_counterparty {
        sh.row(&row_of(Cell::Text(who.clone()), values))?;
    }
    sh.row(&row_of(
        Cell::Bold("Total".to_string()),
        &sched.total_by_year,
    ))?;
    sh.row(&[])?;
    sh.row(&[
        Cell::Text("Headline total of the contracts".to_string()),
        Cell::Usd(sched.headline_total),
    ])?;
    sh.row(&[Cell::Text(
        "Expected payments by year, before any deferral: each contract's mean total × its mean share in the year; tied spend at its expected size."
            .to_string(),
    )])
}

const CHECKS: &[(&str, f64)] = &[
    ("Check", 32.0),
    ("Metric", 32.0),
    ("Unit", 11.0),
    ("Published", 11.0),
    ("This run", 11.0),
    ("This run, 95 % low", 11.0),
    ("This run, 95 % high", 11.0),
    ("This run − published", 11.0),
    ("Tolerance", 11.0),
    ("Within tolerance", 10.0),
    ("Expected", 10.0),
    ("As expected", 10.0),
    ("Why it departs", 50.0),
    ("Source", 60.0),
];

fn checks(mut sh: Sheet<'_>, s: &Summary) -> Result<(), XlsxError> {
    if s.checks.is_empty() {
        return sh.row(&[Cell::Text(
            "This scenario has no published figures to check ([[checks]]).".to_string(),
        )]);
    }
    for c in &s.checks {
        let fmt: Kind = match c.unit {
            "probability" => Cell::Pct,
            "year" => Cell::DecimalYear,
            _ => Cell::Usd,
        };
        sh.row(&[
            Cell::Text(c.label.clone()),
            Cell::Text(c.metric.clone()),
            Cell::Text(c.unit.to_string()),
            fmt(c.published),
            opt(c.value, fmt),
            opt(c.ci95[0], fmt),
            opt(c.ci95[1], fmt),
            opt(c.delta, fmt),
            fmt(c.tolerance),
            Cell::Bool(c.pass),
            Cell::Text(c.expect.to_string()),
            Cell::Bool(c.as_expected),
            c.reason.clone().map_or(Cell::Blank, Cell::Text),
            Cell::Text(c.source.clone()),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A day Excel cannot hold as a date (before 1900) is written as text, not an error.
    #[test]
    fn a_day_outside_excels_calendar_is_text() {
        let f = Formats::new();
        let mut book = Book::new();
        let ws = book.add_worksheet();
        for (row, t) in [(0, 1850.5), (1, 2028.25)] {
            put(ws, row, 0, &Cell::DayEnding(t), &f).unwrap_or_else(|e| panic!("{e}"));
        }
        let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
        use calamine::Reader;
        let mut back =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let r = back
            .worksheet_range("Sheet1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.get((0, 0)),
            Some(&calamine::Data::String("1850-06-30".into()))
        );
        assert!(matches!(r.get((1, 0)), Some(calamine::Data::DateTime(_))));
    }
}
