//! `manifest.json`: what a run wrote into its folder.
//!
//! Not an [`super::Exporter`]: it lists the files the exporters, trials.csv and the charts
//! wrote, so the run writes it last, from their paths.

use std::path::{Path, PathBuf};

use super::{ReportError, write_json};
use crate::summary::Provenance;

/// What a run wrote into its directory (`manifest.json`): so results of another scenario or an
/// earlier run left in the same directory are never mistaken for this run's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    /// Scenario name.
    pub scenario: String,
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// What produced the run (absent from manifests written before it was recorded).
    #[serde(default)]
    pub provenance: Provenance,
    /// The files this run wrote, by name.
    pub files: Vec<String>,
}

/// The manifest of an earlier run in `dir`, if there is a readable one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `manifest.json` (atomically) listing `files`.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<PathBuf, ReportError> {
    write_json(&dir.join("manifest.json"), m)
}
