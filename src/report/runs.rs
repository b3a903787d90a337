//! Stored runs: the run folders under a directory (each a folder with a `manifest.json`), read
//! back from their manifest and `summary.json` for `funding-gap runs` and for `compare` on
//! run folders.
//!
//! Reading never fails on one bad folder: a folder whose manifest or summary cannot be read is
//! listed with the reason, so one broken run does not hide the others.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::format::{Decimals, pct};
use super::manifest::{Manifest, load_manifest};
use super::reason;
use super::stored_trials::TRIALS_FILES;
use super::table::usd_b;

/// The part of a stored `summary.json` that `runs` and `compare` read (the rest is ignored, so
/// summaries of other versions read as long as these fields are there).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredSummary {
    /// Scenario name.
    pub scenario: String,
    /// Trials run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// P(gap > 0) over the horizon.
    pub shortfall_probability: StoredProbability,
    /// The gap over the horizon.
    pub gap: StoredGap,
    /// The gap up to the end of each report year.
    pub gap_by_year: IndexMap<String, StoredYearGap>,
}

/// A stored probability.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredProbability {
    /// Share of trials.
    pub estimate: f64,
}

/// A stored gap: its mean, the mean's standard error and its quantiles, $B.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredGap {
    /// Mean, $B.
    pub mean: f64,
    /// Standard error of the mean, $B.
    pub std_error: f64,
    /// Quantiles by name (`p50`, `p90`, …), $B.
    pub quantiles: IndexMap<String, f64>,
}

/// A stored gap up to the end of one report year.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredYearGap {
    /// Share of trials short of cash by the end of the year.
    pub shortfall_probability: StoredProbability,
    /// Mean gap to the end of the year, $B.
    pub mean: f64,
    /// Its standard error, $B.
    pub std_error: f64,
}

/// A run folder read back: its manifest and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.json.
    pub manifest: Manifest,
    /// Its summary.json.
    pub summary: StoredSummary,
}

impl StoredRun {
    /// Reads the run in `dir`.
    ///
    /// # Errors
    /// Why its manifest.json or summary.json cannot be read, naming the file.
    pub fn read(dir: &Path) -> Result<StoredRun, String> {
        let manifest = load_manifest(dir)
            .map_err(|e| format!("{}: {e}", dir.join("manifest.json").display()))?;
        let path = dir.join("summary.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {}", path.display(), reason(&e)))?;
        let summary = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a run's summary: {e}", path.display()))?;
        Ok(StoredRun {
            dir: dir.to_path_buf(),
            manifest,
            summary,
        })
    }

    /// The file the run kept its trials in (`trials.csv` or `trials.parquet`, listed in its
    /// manifest and present), if any.
    pub fn trials_file(&self) -> Option<&'static str> {
        TRIALS_FILES.into_iter().find(|name| {
            self.manifest.files.iter().any(|f| f == name) && self.dir.join(name).is_file()
        })
    }

    /// Whether the run kept its trials (see [`StoredRun::trials_file`]).
    pub fn has_trials(&self) -> bool {
        self.trials_file().is_some()
    }
}

/// One row of `funding-gap runs`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunRow {
    /// The run's folder.
    pub folder: String,
    /// Scenario name (none when the manifest cannot be read).
    pub scenario: Option<String>,
    /// When the run finished, RFC 3339 UTC (none for runs written before it was recorded).
    pub written_at: Option<String>,
    /// Trials.
    pub trials: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// The `--set` overrides, as typed.
    pub overrides: Vec<String>,
    /// P(shortfall) over the horizon.
    pub shortfall_probability: Option<f64>,
    /// Median gap over the horizon, $B.
    pub gap_p50: Option<f64>,
    /// Mean gap over the horizon, $B.
    pub gap_mean: Option<f64>,
    /// Whether the run kept its trials, trials.csv or trials.parquet (so `compare` can pair it).
    pub trials_file: bool,
    /// Why the folder cannot be read as a run (none when it can).
    pub problem: Option<String>,
}

impl RunRow {
    fn of(dir: &Path) -> RunRow {
        let folder = dir.display().to_string();
        match StoredRun::read(dir) {
            Ok(run) => RunRow {
                folder,
                scenario: Some(run.manifest.scenario.clone()),
                written_at: run.manifest.written_at.clone(),
                trials: Some(run.manifest.trials),
                seed: Some(run.manifest.seed),
                overrides: run.manifest.provenance.overrides.clone(),
                shortfall_probability: Some(run.summary.shortfall_probability.estimate),
                gap_p50: run.summary.gap.quantiles.get("p50").copied(),
                gap_mean: Some(run.summary.gap.mean),
                trials_file: run.has_trials(),
                problem: None,
            },
            Err(problem) => {
                // A readable manifest with a broken summary still says what the run was.
                let m = load_manifest(dir).ok();
                RunRow {
                    folder,
                    scenario: m.as_ref().map(|m| m.scenario.clone()),
                    written_at: m.as_ref().and_then(|m| m.written_at.clone()),
                    trials: m.as_ref().map(|m| m.trials),
                    seed: m.as_ref().map(|m| m.seed),
                    overrides: m.map(|m| m.provenance.overrides).unwrap_or_default(),
                    shortfall_probability: None,
                    gap_p50: None,
                    gap_mean: None,
                    trials_file: false,
                    problem: Some(problem),
                }
            }
        }
    }
}

/// The run folders in `dir`: `dir` itself, its subfolders and theirs (two levels), each with a
/// `manifest.json`; sorted by the time they were written, newest last (runs without a time
/// first), then by folder.
///
/// # Errors
/// Why `dir` cannot be listed.
pub fn list_runs(dir: &Path) -> Result<Vec<RunRow>, String> {
    let mut dirs = Vec::new();
    if dir.join("manifest.json").exists() {
        dirs.push(dir.to_path_buf());
    }
    for sub in subfolders(dir).map_err(|e| reason(&e))? {
        if sub.join("manifest.json").exists() {
            dirs.push(sub.clone());
        }
        for subsub in subfolders(&sub).unwrap_or_default() {
            if subsub.join("manifest.json").exists() {
                dirs.push(subsub);
            }
        }
    }
    let mut rows: Vec<RunRow> = dirs.iter().map(|d| RunRow::of(d)).collect();
    rows.sort_by(|a, b| {
        a.written_at
            .cmp(&b.written_at)
            .then_with(|| a.folder.cmp(&b.folder))
    });
    Ok(rows)
}

/// The folders in `dir`, by name.
fn subfolders(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

/// The table of `funding-gap runs`: one line per run, a folder that cannot be read with its
/// reason on the line below.
pub fn render_runs(rows: &[RunRow]) -> String {
    if rows.is_empty() {
        return "no runs: no folder here holds a manifest.json\n".to_string();
    }
    let none = || "-".to_string();
    let mut table: Vec<[String; 9]> = vec![[
        "folder".into(),
        "scenario".into(),
        "when (UTC)".into(),
        "trials".into(),
        "seed".into(),
        "P(shortfall)".into(),
        "gap p50".into(),
        "mean gap".into(),
        "overrides".into(),
    ]];
    for r in rows {
        table.push([
            r.folder.clone(),
            r.scenario.clone().unwrap_or_else(none),
            r.written_at.as_deref().map_or_else(none, |w| {
                w.replace('T', " ").trim_end_matches('Z').to_string()
            }),
            r.trials.map_or_else(none, |t| t.to_string()),
            r.seed.map_or_else(none, |s| s.to_string()),
            r.shortfall_probability
                .map_or_else(none, |p| pct(p, Decimals::OneOrThreeIfTiny)),
            r.gap_p50.map_or_else(none, usd_b),
            r.gap_mean.map_or_else(none, usd_b),
            if r.overrides.is_empty() {
                none()
            } else {
                r.overrides.join(" ")
            },
        ]);
    }
    let widths: Vec<usize> = (0..9)
        .map(|c| {
            table
                .iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                // Numbers right-aligned, text left; the last column is not padded.
                if (3..8).contains(&c) {
                    format!("{cell:>w$}")
                } else if c == 8 {
                    cell.clone()
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        // Row i of the table is run i − 1 (row 0 is the header).
        let problem = i.checked_sub(1).and_then(|r| rows[r].problem.as_ref());
        if let Some(problem) = problem {
            out.push_str(&format!("  ^ cannot read this run: {problem}\n"));
        }
    }
    out
}
