//! The time grid: steps of 1, ¼ or 1/12 year from the scenario's start, and the arithmetic
//! that maps dates to steps.

/// The time grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Start, decimal year.
    pub start: f64,
    /// Step length, years.
    pub dt: f64,
    /// Steps per year (1, 4 or 12).
    pub steps_per_year: u32,
    /// Number of steps.
    pub n: usize,
    /// Step boundaries t_0..t_n, decimal years.
    pub t: Vec<f64>,
    /// Calendar years that steps fall in, ascending.
    pub years: Vec<i32>,
    /// For each step, its index in `years`.
    pub year_of_step: Vec<usize>,
    /// Report years with the last cash index j (t_j ≤ year + 1) that counts toward them.
    pub report: Vec<(i32, usize)>,
}

impl Grid {
    /// The grid of `horizon_years` from `start` at `steps_per_year`, with the cash index of
    /// each of `report_years`.
    pub(super) fn new(
        start: f64,
        horizon_years: f64,
        steps_per_year: u32,
        report_years: &[i32],
    ) -> Grid {
        let dt = 1.0 / steps_per_year as f64;
        let n = (horizon_years * steps_per_year as f64).round() as usize;
        let t: Vec<f64> = (0..=n).map(|k| start + k as f64 * dt).collect();
        let mut years = Vec::new();
        let mut year_of_step = Vec::with_capacity(n);
        for &tk in &t[..n] {
            let y = (tk + 1e-9).floor() as i32;
            if years.last() != Some(&y) {
                years.push(y);
            }
            year_of_step.push(years.len() - 1);
        }
        let report = report_years
            .iter()
            .map(|&y| {
                let j = t
                    .iter()
                    .rposition(|&tj| tj <= y as f64 + 1.0 + 1e-9)
                    .unwrap_or(0);
                (y, j)
            })
            .collect();
        Grid {
            start,
            dt,
            steps_per_year,
            n,
            t,
            years,
            year_of_step,
            report,
        }
    }

    /// x^dt for a step of `dt` = 1, ¼ or 1/12 year, by roots rather than ln and exp:
    /// the growth of one step at an annual factor x.
    #[inline(always)]
    pub fn step_power(&self, x: f64) -> f64 {
        match self.steps_per_year {
            1 => x,
            4 => x.sqrt().sqrt(),
            _ => x.sqrt().sqrt().cbrt(),
        }
    }

    /// [`Grid::step_power`] of every element of `v`, in place: the same numbers, in a loop
    /// that vectorises (the choice of root is made once, not per element).
    pub fn step_power_all(&self, v: &mut [f64]) {
        match self.steps_per_year {
            1 => {}
            4 => {
                for x in v {
                    *x = x.sqrt().sqrt();
                }
            }
            _ => {
                for x in v {
                    *x = x.sqrt().sqrt().cbrt();
                }
            }
        }
    }

    /// Unbounded step index containing `date` (may be negative or ≥ n).
    pub fn raw_step(&self, date: f64) -> i64 {
        ((date - self.start) / self.dt + 1e-9).floor() as i64
    }

    /// The step containing `date`, if inside the horizon.
    pub fn step_of(&self, date: f64) -> Option<usize> {
        let k = self.raw_step(date);
        (0..self.n as i64).contains(&k).then_some(k as usize)
    }

    /// Index of the first step that starts at or after `date` (unbounded: may be negative or
    /// > n), the first step of a term or of a calendar year that begins at `date`.
    pub(super) fn first_step_from(&self, date: f64) -> i64 {
        ((date - self.start) / self.dt - 1e-9).ceil() as i64
    }

    /// The steps [lo, hi) of a line active from `from` (inclusive; `None`: the start) until
    /// `until` (exclusive; `None`: the end), clamped to the horizon, lo ≤ hi.
    pub(super) fn active_steps(&self, from: Option<f64>, until: Option<f64>) -> (usize, usize) {
        let lo = from.map_or(0, |f| {
            ((f - self.start) / self.dt - 1e-9).ceil().max(0.0) as usize
        });
        let hi = until.map_or(self.n, |u| {
            ((u - self.start) / self.dt - 1e-9)
                .ceil()
                .clamp(0.0, self.n as f64) as usize
        });
        (lo.min(self.n), hi.max(lo.min(self.n)))
    }

    /// A published series read at the first `len` step boundaries t_0..t_{len−1}.
    pub(super) fn sample(&self, series: &crate::scenario::Series, len: usize) -> Vec<f64> {
        (0..len).map(|k| series.at(self.t[k])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_steps_and_report_index() {
        let g = Grid::new(2026.0, 8.0, 4, &[2030]);
        assert_eq!(g.n, 32);
        assert_eq!(g.step_of(2026.75), Some(3));
        assert_eq!(g.step_of(2034.0), None);
        // Gap by 2030 counts cash_0..cash_20 (t_20 = 2031.0).
        assert_eq!(g.report, vec![(2030, 20)]);
        assert_eq!(g.years.len(), 8);
    }
}
