//! The per-trial rows of `trials.csv`: their columns and their values, side by side so that
//! they stay in step (a test checks the widths agree for every scenario).

use crate::model::Model;
use crate::sim::capacity;
use crate::sim::years::SERIES;
use crate::sim::{METRICS, Scratch};

/// What a column of per-trial rows holds, for a file format with types (trials.parquet); the
/// rows themselves are all `f64`, NaN where there is no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// The trial's index, an integer ≥ 0.
    Trial,
    /// A number in the column's unit (an input's field unit, $B, GW, ...).
    Number,
    /// An instant as a decimal year, which reads as a calendar day (`first_shortfall`: the
    /// end of the step in which cash first fell below the floor).
    Date,
    /// A calendar year (`breakeven_year`, `first_nonnegative_year`).
    Year,
    /// 0 or 1 (`ipo`).
    Flag,
}

/// The kind of each column of [`trial_columns`], in the same order.
pub fn trial_column_kinds(model: &Model) -> Vec<ColumnKind> {
    let n = trial_columns(model).len();
    let mut kinds = vec![ColumnKind::Number; n];
    kinds[0] = ColumnKind::Trial;
    kinds[n - 4..].copy_from_slice(&[
        ColumnKind::Date,
        ColumnKind::Year,
        ColumnKind::Year,
        ColumnKind::Flag,
    ]);
    kinds
}

/// Column names of per-trial rows: trial, each uncertain input, the metrics, the gap by report
/// year, the deficit by report year, revenue, operating cash flow and net burn by calendar
/// year, first shortfall date, break-even year, first non-negative year, IPO (0/1).
pub fn trial_columns(model: &Model) -> Vec<String> {
    let mut cols = vec!["trial".to_string()];
    cols.extend(model.inputs.iter().map(|i| i.path.clone()));
    cols.extend(METRICS.iter().map(|m| m.name.to_string()));
    cols.extend(model.grid.report.iter().map(|(y, _)| format!("gap_{y}")));
    cols.extend(
        model
            .grid
            .report
            .iter()
            .map(|(y, _)| format!("deficit_{y}")),
    );
    for (name, _) in SERIES {
        cols.extend(model.grid.years.iter().map(|y| format!("{name}_{y}")));
    }
    if model.capacity.is_some() {
        cols.extend(capacity::TOTALS.iter().map(|(name, _)| name.to_string()));
        for (name, _) in capacity::SERIES {
            cols.extend(model.grid.years.iter().map(|y| format!("{name}_{y}")));
        }
    }
    cols.extend(
        [
            "first_shortfall",
            "breakeven_year",
            "first_nonnegative_year",
            "ipo",
        ]
        .map(String::from),
    );
    cols
}

/// Appends trial `trial`'s row, in the order of [`trial_columns`]: dates as decimal years,
/// NaN where there is none (written as an empty field).
pub(super) fn push_row(model: &Model, s: &Scratch, trial: u64, out: &mut Vec<f64>) {
    let g = &model.grid;
    let o = &s.outcome;
    out.push(trial as f64);
    out.extend_from_slice(&s.x);
    out.extend_from_slice(&o.metrics);
    out.extend_from_slice(&o.report_gaps);
    out.extend_from_slice(&o.report_deficits);
    out.extend_from_slice(&o.years);
    out.push(o.first_shortfall.map_or(f64::NAN, |j| g.t[j]));
    out.push(o.breakeven_year.map_or(f64::NAN, |y| g.years[y] as f64));
    out.push(
        o.first_nonnegative_year
            .map_or(f64::NAN, |y| g.years[y] as f64),
    );
    out.push(if o.ipo_step.is_some() { 1.0 } else { 0.0 });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds line up with the names: the trial first, the dated, yearly and flag columns
    /// last, numbers between.
    #[test]
    fn column_kinds_follow_the_names() {
        let scenario = crate::scenario::builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
        let model = crate::model::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
        let names = trial_columns(&model);
        let kinds = trial_column_kinds(&model);
        assert_eq!(names.len(), kinds.len());
        for (name, kind) in names.iter().zip(&kinds) {
            let want = match name.as_str() {
                "trial" => ColumnKind::Trial,
                "first_shortfall" => ColumnKind::Date,
                "breakeven_year" | "first_nonnegative_year" => ColumnKind::Year,
                "ipo" => ColumnKind::Flag,
                _ => ColumnKind::Number,
            };
            assert_eq!(*kind, want, "{name}");
        }
    }
}
