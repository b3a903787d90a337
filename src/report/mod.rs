//! Rendering results: the terminal table, `summary.json`, `bands.csv`, `report.xlsx`,
//! `trials.csv` or `trials.parquet`, `manifest.json`, `report.html` ([`html`]), and the texts
//! of the analyses.
//!
//! Renderers take plain data ([`crate::summary::Summary`]) and a directory chosen by the
//! caller. Every file is written atomically: to a temporary file in the same directory, then
//! renamed over the target, so an interrupted run never leaves a half-written file. A run's
//! output folder is an [`OutputFolder`]: locked against other runs, its files staged and moved
//! in together once all are written, so it always holds one run's files.
//!
//! The files a run makes from its summary are [`Exporter`]s, one file of this folder each, all
//! listed in [`EXPORTERS`]: a new output format is a new file and one line in that list.
//! The reports `--report` asks for (`report.xlsx`: [`Workbook`]) are exporters too, added by the
//! caller. `trials.csv` ([`TrialsCsv`]) and `trials.parquet` ([`TrialsParquet`]) are streamed
//! while the run goes, so they are trial sinks ([`TrialsFile`]) instead; `report.html`
//! ([`HtmlReport`]) draws the charts too, so it is a step of its own after them; `manifest.json`
//! lists what the others wrote, so it is written last.
//! Every percentage is printed by [`format::pct`].

mod analysis_text;
mod bands_csv;
mod checks_table;
mod diff_text;
mod explain_text;
mod folder;
pub mod format;
mod headlines;
pub mod html;
mod manifest;
mod part_file;
mod runs;
mod stored_compare;
mod stored_trials;
mod summary_json;
mod switches;
mod table;
mod trials_csv;
mod trials_parquet;
mod workbook;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use analysis_text::{render_comparison, render_sweep, render_trace, render_worst, sweep_csv};
pub use bands_csv::BandsCsv;
pub use checks_table::{CHECKS_BEGIN, CHECKS_END, render_checks_table};
pub use diff_text::render_diff;
pub use explain_text::render_explanation;
pub use folder::{LOCK_FILE, OutputFolder, Removed};
pub use headlines::{
    HEADLINES_BEGIN, HEADLINES_END, generated_header, render_headlines, replace_between_markers,
    replace_block,
};
pub use html::{HtmlReport, REPORT_FILE};
pub use manifest::{Manifest, load_manifest, read_manifest, timestamp, write_manifest};
pub use part_file::{
    PART_EXTENSION, PART_FORMAT, PartError, PartHeader, part_file_name, read_part,
    read_part_header, write_part,
};
pub use runs::{
    RunRow, StoredGap, StoredProbability, StoredRun, StoredSummary, StoredYearGap, list_runs,
    render_runs,
};
pub use stored_compare::{
    PAIRED_LABEL, StoredComparison, StoredDiff, StoredYearDiff, UNPAIRED_LABEL, compare_stored,
    render_stored_comparison,
};
pub use stored_trials::TRIALS_FILES;
pub use summary_json::SummaryJson;
pub use switches::{SWITCHES_BEGIN, SWITCHES_END, render_switches, render_switches_markdown};
pub use table::{render_table, usd_b};
pub use trials_csv::TrialsCsv;
pub use trials_parquet::{ROW_GROUP, TrialsParquet};
pub use workbook::Workbook;

use crate::summary::Summary;

/// An output file (or several) made from a run's [`Summary`], once the run is done.
pub trait Exporter {
    /// The names of the files it writes in the output folder, e.g. `["summary.json"]`.
    fn file_names(&self) -> &'static [&'static str];

    /// Writes its files into `dir`, which exists, each atomically; returns their paths in the
    /// order of [`Exporter::file_names`].
    ///
    /// # Errors
    /// [`ReportError::Write`].
    fn export(&self, summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, ReportError>;
}

/// Every exporter, in the order a run writes them (and lists them in `manifest.json` and in
/// its closing line). The reports that `--report` chooses ([`Workbook`]) are not here: the
/// caller adds those it was asked for after these.
pub const EXPORTERS: &[&dyn Exporter] = &[&SummaryJson, &BandsCsv];

/// A run's trials file (trials.csv or trials.parquet): the engine's [`TrialSink`] while the
/// run goes, then finished into place.
///
/// [`TrialSink`]: crate::engine::TrialSink
pub trait TrialsFile {
    /// The sink the engine writes the rows to.
    fn sink(&mut self) -> &mut dyn crate::engine::TrialSink;

    /// Writes what is left and renames the file into place; returns its path.
    ///
    /// # Errors
    /// [`ReportError::Write`].
    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError>;
}

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
    /// Another run is writing the output folder.
    #[error(
        "'{path}' is being written by another run ({}); wait for it to finish, or choose another --out",
        if holder.is_empty() { "of funding-gap" } else { holder.as_str() }
    )]
    Busy {
        /// The folder.
        path: String,
        /// Who holds it, as its lock file says, e.g. `pid 42: funding-gap run base`.
        holder: String,
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
    let probe = dir.join(format!("{}{}", folder::PROBE, std::process::id()));
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

/// Writes `value` as pretty JSON and a newline to `path`, atomically.
///
/// # Errors
/// [`ReportError::Write`], also if `value` cannot be serialised.
pub fn write_json<T: serde::Serialize + ?Sized>(
    path: &Path,
    value: &T,
) -> Result<PathBuf, ReportError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_atomic(path, format!("{text}\n").as_bytes())?;
    Ok(path.to_path_buf())
}

/// A number in a CSV cell: as Rust prints it, empty for NaN.
fn csv_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RunConfig, simulate};

    #[test]
    fn every_exporter_writes_the_files_it_names() {
        let scenario = crate::scenario::builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
        let model = crate::model::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
        let cfg = RunConfig {
            trials: 64,
            seed: 1,
            threads: Some(1),
            save_trials: false,
            worst: 0,
        };
        let run = simulate(&model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
        let summary = crate::summary::summarize(&model, &run);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut all = Vec::new();
        let on_request: [&dyn Exporter; 1] = [&Workbook];
        for e in EXPORTERS.iter().chain(&on_request) {
            let paths = e
                .export(&summary, dir.path())
                .unwrap_or_else(|e| panic!("{e}"));
            let names: Vec<_> = paths
                .iter()
                .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            let want: Vec<_> = e.file_names().iter().map(|n| Some(n.to_string())).collect();
            assert_eq!(names, want);
            assert!(
                paths
                    .iter()
                    .all(|p| p.parent() == Some(dir.path()) && p.is_file())
            );
            all.extend(names);
        }
        let before = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), before, "two exporters write the same file");
    }
}
