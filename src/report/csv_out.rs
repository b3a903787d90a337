//! CSV outputs: per-step bands (long format) and per-trial rows.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{ReportError, reason, temp_path, write_atomic};
use crate::engine::TrialSink;
use crate::summary::{Band, Summary};

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// Writes `bands.csv`: `series,t,p5,p25,p50,p75,p95`, one row per series and time point.
/// Cash is in $B at t; revenue (run-rate), obligations and costs in $B/yr over the step from t.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_bands_csv(summary: &Summary, dir: &Path) -> Result<PathBuf, ReportError> {
    let path = dir.join("bands.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| ReportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    w.write_record(["series", "t", "p5", "p25", "p50", "p75", "p95"])
        .map_err(io)?;
    let b = &summary.bands;
    let series: [(&str, &Band, &Vec<f64>); 5] = [
        ("cash_usd_b", &b.cash, &b.t),
        ("revenue_run_rate_usd_b_per_yr", &b.revenue, &b.t_flows),
        ("obligations_usd_b_per_yr", &b.obligations, &b.t_flows),
        ("other_costs_usd_b_per_yr", &b.costs, &b.t_flows),
        ("outflows_usd_b_per_yr", &b.outflows, &b.t_flows),
    ];
    for (name, band, ts) in series {
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
            .map_err(io)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// `trials.csv`, streamed row by row into a temporary file and renamed into place by
/// [`TrialsCsv::finish`]; dropped unfinished, it removes the temporary file.
pub struct TrialsCsv {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
}

impl TrialsCsv {
    /// Starts `dir/trials.csv` with the given column names.
    ///
    /// # Errors
    /// [`ReportError::Write`].
    pub fn create(dir: &Path, columns: &[String]) -> Result<TrialsCsv, ReportError> {
        let path = dir.join("trials.csv");
        let tmp = temp_path(&path);
        let err = |reason: String| ReportError::Write {
            path: path.display().to_string(),
            reason,
        };
        let file = File::create(&tmp).map_err(|e| err(reason(&e)))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer
            .write_record(columns)
            .map_err(|e| err(e.to_string()))?;
        Ok(TrialsCsv {
            path,
            tmp,
            writer: Some(writer),
        })
    }

    /// Flushes and renames the file into place.
    ///
    /// # Errors
    /// [`ReportError::Write`].
    pub fn finish(mut self) -> Result<PathBuf, ReportError> {
        let err = |reason: String| ReportError::Write {
            path: self.path.display().to_string(),
            reason,
        };
        if let Some(w) = self.writer.take() {
            let inner = w.into_inner().map_err(|e| err(e.to_string()))?;
            let file = inner.into_inner().map_err(|e| err(e.to_string()))?;
            file.sync_all().map_err(|e| err(reason(&e)))?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| err(reason(&e)))?;
        Ok(self.path.clone())
    }
}

impl Drop for TrialsCsv {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl TrialSink for TrialsCsv {
    fn write_rows(&mut self, _first_trial: u64, width: usize, rows: &[f64]) -> std::io::Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Ok(());
        };
        for row in rows.chunks(width) {
            let mut rec = csv::ByteRecord::with_capacity(row.len() * 12, row.len());
            for (i, &v) in row.iter().enumerate() {
                if i == 0 {
                    rec.push_field((v as u64).to_string().as_bytes());
                } else {
                    rec.push_field(num(v).as_bytes());
                }
            }
            w.write_byte_record(&rec).map_err(std::io::Error::other)?;
        }
        Ok(())
    }
}
