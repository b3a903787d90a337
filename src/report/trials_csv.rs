//! `trials.csv`: one row per trial with its sampled inputs and results.
//!
//! Not an [`super::Exporter`]: its rows are written while the run goes (it is the engine's
//! [`TrialSink`]), not made from the summary afterwards, and it is written only on request
//! (`--save-trials`).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{ReportError, TrialsFile, csv_num as num, reason, temp_path};
use crate::engine::TrialSink;

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
        TrialsCsv::create_as(dir, "trials.csv", Some(columns))
    }

    /// Starts `dir/name`, with the header row `columns` if given: a shard after the first
    /// writes none, so that the shards' files, concatenated in shard order, are the
    /// trials.csv of the whole run.
    ///
    /// # Errors
    /// [`ReportError::Write`].
    pub fn create_as(
        dir: &Path,
        name: &str,
        columns: Option<&[String]>,
    ) -> Result<TrialsCsv, ReportError> {
        let path = dir.join(name);
        let tmp = temp_path(&path);
        let err = |reason: String| ReportError::Write {
            path: path.display().to_string(),
            reason,
        };
        let file = File::create(&tmp).map_err(|e| err(reason(&e)))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        if let Some(columns) = columns {
            writer
                .write_record(columns)
                .map_err(|e| err(e.to_string()))?;
        }
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

impl TrialsFile for TrialsCsv {
    fn sink(&mut self) -> &mut dyn TrialSink {
        self
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError> {
        TrialsCsv::finish(*self)
    }
}
