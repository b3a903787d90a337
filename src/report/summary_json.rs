//! `summary.json`: every statistic of a run, as [`Summary`] serialises.

use std::path::{Path, PathBuf};

use super::{Exporter, ReportError, write_json};
use crate::summary::Summary;

/// Writes `summary.json`: the whole [`Summary`], pretty-printed.
#[derive(Debug, Clone, Copy)]
pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_names(&self) -> &'static [&'static str] {
        &["summary.json"]
    }

    fn export(&self, summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        Ok(vec![write_json(&dir.join("summary.json"), summary)?])
    }
}
