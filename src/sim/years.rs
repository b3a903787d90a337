//! A trial's figures by calendar year — revenue, operating cash flow, net burn, obligations
//! paid — and the break-even year read from them. Both cash loops accumulate each year's operating cash flow
//! and interest; [`finish`] turns them into the trial's results, so the scalar loop and the
//! lanes share one definition (docs/model.md, "Per-trial results").

use super::Scratch;
use crate::model::Model;

/// The series of [`super::Outcome::years`], in order, each one value per calendar year of the
/// run (`grid.years`): name (as in summary.json's `annual` and trials.csv's `<name>_<year>`)
/// and definition.
pub const SERIES: [(&str, &str); 4] = [
    ("revenue", "Revenue booked in the year, $B."),
    (
        "operating_cash_flow",
        "Revenue − other costs − obligations paid in the year (after deferral), $B.",
    ),
    (
        "net_burn",
        "Cash the year consumed before any financing: other costs + obligations paid + interest − revenue, $B (negative when it generates cash).",
    ),
    (
        "obligations_paid",
        "Obligations paid in the year, after deferral (amounts deferred into it included), $B.",
    ),
];

/// The number of figures of [`super::Outcome::years`]: each series of [`SERIES`] for each
/// calendar year, then the capacity's figures ([`super::capacity::figures`]).
pub fn figures(model: &Model) -> usize {
    SERIES.len() * model.grid.years.len() + super::capacity::figures(model)
}

/// Index of each series in [`SERIES`].
pub mod series {
    /// Revenue booked.
    pub const REVENUE: usize = 0;
    /// Operating cash flow.
    pub const OCF: usize = 1;
    /// Net burn.
    pub const NET_BURN: usize = 2;
    /// Obligations paid.
    pub const OBLIGATIONS: usize = 3;
}

/// Writes the trial's calendar-year figures, its break-even year and its first non-negative
/// year from the cash loop's per-year operating cash flow and interest (in `s.year_ocf` and
/// `s.year_interest`) and the revenue path; returns the peak annual burn,
/// max(0, max_y −ocf_y).
pub(super) fn finish(model: &Model, s: &mut Scratch) -> f64 {
    let g = &model.grid;
    let ny = g.years.len();
    let o = &mut s.outcome;
    let (revenue, rest) = o.years[..SERIES.len() * ny].split_at_mut(ny);
    let (ocf, rest) = rest.split_at_mut(ny);
    let (burn, paid) = rest.split_at_mut(ny);
    revenue.fill(0.0);
    paid.fill(0.0);
    // A year's steps are consecutive (`year_of_step` never decreases), so each year's sums
    // run in registers and are stored once: the same additions in the same order as adding
    // into the year's slot step by step, without a chain through memory.
    let mut y = 0;
    let (mut rev, mut pay) = (0.0, 0.0);
    for ((&rate, &oblig), &yk) in s.revenue.iter().zip(&s.obligations).zip(&g.year_of_step) {
        if yk != y {
            revenue[y] = rev;
            paid[y] = pay;
            (y, rev, pay) = (yk, 0.0, 0.0);
        }
        rev += rate * g.dt;
        pay += oblig * g.dt;
    }
    if let (Some(r), Some(p)) = (revenue.get_mut(y), paid.get_mut(y)) {
        (*r, *p) = (rev, pay);
    }
    ocf.copy_from_slice(&s.year_ocf);
    for ((b, &c), &i) in burn.iter_mut().zip(&s.year_ocf).zip(&s.year_interest) {
        *b = i - c;
    }
    o.first_nonnegative_year = ocf.iter().position(|&v| v >= 0.0);
    o.breakeven_year = sustained_from(ocf);
    ocf.iter().fold(0.0_f64, |acc, &v| acc.max(-v))
}

/// The first index from which every value is ≥ 0 to the end (NaN counts as negative); none
/// when the last is negative or there are none.
pub fn sustained_from(v: &[f64]) -> Option<usize> {
    let negative = |x: f64| x < 0.0 || x.is_nan();
    let from = v.iter().rposition(|&x| negative(x)).map_or(0, |i| i + 1);
    (from < v.len()).then_some(from)
}

#[cfg(test)]
mod tests {
    use super::{SERIES, sustained_from};

    /// docs/model.md and README name every series (as summary.json and trials.csv do).
    #[test]
    fn every_series_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_default();
        for doc in ["docs/model.md", "README.md"] {
            let text = read(doc);
            for (name, _) in SERIES {
                assert!(
                    text.contains(&format!("`{name}_<year>`")),
                    "{doc} lacks `{name}_<year>`"
                );
            }
        }
    }

    #[test]
    fn break_even_is_sustained() {
        assert_eq!(sustained_from(&[-1.0, 2.0, -60.0, 3.0, 4.0]), Some(3));
        assert_eq!(sustained_from(&[1.0, 2.0]), Some(0));
        assert_eq!(sustained_from(&[1.0, -2.0]), None);
        assert_eq!(sustained_from(&[-1.0, 0.0]), Some(1));
        assert_eq!(sustained_from(&[1.0, f64::NAN]), None);
        assert_eq!(sustained_from(&[]), None);
    }
}
