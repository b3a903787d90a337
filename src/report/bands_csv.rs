//! `bands.csv`: the per-step bands of a run, in long format.

use std::path::{Path, PathBuf};

use super::{Exporter, ReportError, csv_num as num, write_atomic};
use crate::summary::{Band, Bands, Summary};

/// The series of the bands, each with its name (unit included) and its time points: cash at
/// t, the flows over the step from t; the capacity series with `[capacity]`.
pub(super) fn band_series(b: &Bands) -> Vec<(&'static str, &Band, &[f64])> {
    let mut series: Vec<(&str, &Band, &[f64])> = vec![
        ("cash_usd_b", &b.cash, &b.t),
        ("revenue_run_rate_usd_b_per_yr", &b.revenue, &b.t_flows),
        ("obligations_usd_b_per_yr", &b.obligations, &b.t_flows),
        ("other_costs_usd_b_per_yr", &b.costs, &b.t_flows),
        ("outflows_usd_b_per_yr", &b.outflows, &b.t_flows),
    ];
    if let Some(c) = &b.capacity {
        series.extend([
            ("capacity_gw", &c.gw, b.t_flows.as_slice()),
            ("demand_usd_b_per_yr", &c.demand, &b.t_flows),
            ("capacity_limit_usd_b_per_yr", &c.limit, &b.t_flows),
        ]);
    }
    series
}

/// Writes `bands.csv`: `series,t,p5,p25,p50,p75,p95`, one row per series and time point.
/// Cash is in $B at t; revenue (run-rate), obligations and costs in $B/yr over the step from t.
#[derive(Debug, Clone, Copy)]
pub struct BandsCsv;

impl Exporter for BandsCsv {
    fn file_names(&self) -> &'static [&'static str] {
        &["bands.csv"]
    }

    fn export(&self, summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let path = dir.join("bands.csv");
        let io = |e: String| ReportError::Write {
            path: path.display().to_string(),
            reason: e,
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["series", "t", "p5", "p25", "p50", "p75", "p95"])
            .map_err(|e| io(e.to_string()))?;
        for (name, band, ts) in band_series(&summary.bands) {
            for (i, t) in ts.iter().enumerate() {
                w.write_record([
                    name.to_string(),
                    num(*t),
                    num(band.p5[i]),
                    num(band.p25[i]),
                    num(band.p50[i]),
                    num(band.p75[i]),
                    num(band.p95[i]),
                ])
                .map_err(|e| io(e.to_string()))?;
            }
        }
        let bytes = w.into_inner().map_err(|e| io(e.to_string()))?;
        write_atomic(&path, &bytes)?;
        Ok(vec![path])
    }
}
