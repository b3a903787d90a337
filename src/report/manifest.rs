//! `manifest.json`: what a run wrote into its folder.
//!
//! Not an [`super::Exporter`]: it lists the files the exporters, trials.csv and the charts
//! wrote, so the run writes it last, from their paths.

use std::path::{Path, PathBuf};

use super::{ReportError, reason, write_json};
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
    /// When the run finished writing, RFC 3339 in UTC to the second, e.g.
    /// `2026-03-01T12:00:00Z` (absent from manifests written before it was recorded). Only the
    /// manifest holds a time: summary.json stays the same for the same inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_at: Option<String>,
}

/// `time` as [`Manifest::written_at`] records it.
pub fn timestamp(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The manifest of an earlier run in `dir`, if there is a readable one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    load_manifest(dir).ok()
}

/// The manifest in `dir`, or why it cannot be read (missing, unreadable, not a manifest).
///
/// # Errors
/// The reason, in words for the user.
pub fn load_manifest(dir: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| reason(&e))?;
    serde_json::from_str(&text).map_err(|e| format!("not a run's manifest: {e}"))
}

/// Writes `manifest.json` (atomically) listing `files`.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<PathBuf, ReportError> {
    write_json(&dir.join("manifest.json"), m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_is_rfc3339_utc_to_the_second() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_772_366_400_500);
        assert_eq!(timestamp(t), "2026-03-01T12:00:00Z");
    }

    #[test]
    fn a_manifest_without_a_time_still_reads() {
        let m: Manifest = serde_json::from_str(
            r#"{"scenario": "base", "trials": 10, "seed": 1, "files": ["summary.json"]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.written_at, None);
    }
}
