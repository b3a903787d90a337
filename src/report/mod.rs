//! Rendering results: the terminal table, `summary.json`, `bands.csv`, `trials.csv`.
//!
//! Renderers take plain data ([`crate::summary::Summary`]) and a directory chosen by the
//! caller. Every file is written atomically: to a temporary file in the same directory, then
//! renamed over the target, so an interrupted run never leaves a half-written file.

mod analysis_text;
mod csv_out;
mod explain_text;
pub mod format;
mod headlines;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use analysis_text::{render_comparison, render_sweep, render_trace, render_worst, sweep_csv};
pub use csv_out::{TrialsCsv, write_bands_csv};
pub use explain_text::render_explanation;
pub use headlines::{HEADLINES_BEGIN, HEADLINES_END, render_headlines, replace_between_markers};
pub use table::{render_table, usd_b};

use crate::summary::Summary;

/// Why an output could not be written. These are I/O failures (exit status 1).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output directory cannot be created.
    #[error("cannot create output directory '{path}': {reason}")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why not.
        reason: String,
    },
    /// `--out` names an existing file.
    #[error("output path '{path}' is a file, not a directory: choose another --out")]
    NotADirectory {
        /// The path.
        path: String,
    },
    /// A file cannot be written.
    #[error("cannot write '{path}': {reason}")]
    Write {
        /// The file.
        path: String,
        /// Why not.
        reason: String,
    },
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => e.to_string(),
    }
}

/// The first folder on the way to `dir` (`dir` itself excluded) that is a file, which keeps
/// `dir` from being created.
pub fn file_in_the_way(dir: &Path) -> Option<&Path> {
    dir.ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir())
}

/// Creates the output directory (and its parents) if needed.
///
/// # Errors
/// [`ReportError::NotADirectory`] if `dir` is a file, [`ReportError::CreateDir`] otherwise
/// (naming the file in the way if one of its parents is a file).
pub fn ensure_dir(dir: &Path) -> Result<(), ReportError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ReportError::NotADirectory {
            path: dir.display().to_string(),
        });
    }
    if let Some(file) = file_in_the_way(dir) {
        return Err(ReportError::CreateDir {
            path: dir.display().to_string(),
            reason: format!("'{}' is a file", file.display()),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| ReportError::CreateDir {
        path: dir.display().to_string(),
        reason: reason(&e),
    })?;
    // Check that we can write here before spending minutes on a run.
    let probe = dir.join(format!(".funding-gap-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| ReportError::CreateDir {
        path: dir.display().to_string(),
        reason: format!("not writable: {}", reason(&e)),
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The temporary sibling a file is written to before it is renamed into place.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename).
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |e: std::io::Error| ReportError::Write {
        path: path.display().to_string(),
        reason: reason(&e),
    };
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Writes `summary.json` into `dir`.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_summary_json(summary: &Summary, dir: &Path) -> Result<PathBuf, ReportError> {
    let path = dir.join("summary.json");
    let mut text = serde_json::to_string_pretty(summary).map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

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
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(m).map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_atomic(&path, format!("{text}\n").as_bytes())?;
    Ok(path)
}
