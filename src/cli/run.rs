//! `funding-gap run` (and the bare command): simulate scenarios, print the summary, write the
//! outputs of [`report::EXPORTERS`], report.xlsx and report.html unless `--report` leaves them
//! out, trials.csv or trials.parquet on request, the charts and manifest.json.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use funding_gap::analysis;
use funding_gap::chart::{self, ChartOptions};
use funding_gap::engine::{self, RunConfig};
use funding_gap::model::Model;
use funding_gap::report;
use funding_gap::summary::{self, Summary};
use indicatif::{ProgressBar, ProgressStyle};

use super::{AppError, EXAMPLES, Reports, RunOpts, TrialsFormat};

/// Simulate scenarios: print the summary, write summary.json, bands.csv, the charts, report.html
/// and report.xlsx
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RunArgs {
    /// Scenario files or names (default: the built-in base scenario)
    pub scenarios: Vec<String>,
    /// Run options.
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Runs every scenario, after loading and checking all of them.
///
/// # Errors
/// The first scenario, option, run or output that fails.
pub fn execute(args: &RunArgs) -> Result<(), AppError> {
    let opts = &args.opts;
    let names: Vec<Option<&str>> = if args.scenarios.is_empty() {
        vec![None]
    } else {
        args.scenarios.iter().map(|a| Some(a.as_str())).collect()
    };
    // Validate everything before running anything.
    let models = names
        .iter()
        .map(|a| super::load_and_compile(*a, &opts.set, opts.quiet))
        .collect::<Result<Vec<_>, _>>()?;
    let charts = super::chart_options(opts)?;
    if let Some(shard) = opts.shard {
        let ([model], [name]) = (models.as_slice(), names.as_slice()) else {
            return Err(AppError::Usage(format!(
                "--shard runs one scenario (got {}); run each scenario's shards separately",
                models.len()
            )));
        };
        return super::shard::execute(model, *name, opts, shard);
    }
    // The sampling plan and precision targets of every scenario, before anything runs: a
    // scenario's own trials can make them fail.
    for model in &models {
        super::precision::check(model, opts, &super::run_config(opts, model)?)?;
    }
    let several = models.len() > 1;
    for model in &models {
        let dir = match (&opts.out, several) {
            (Some(d), false) => d.clone(),
            (Some(d), true) => d.join(model.name()),
            (None, _) => PathBuf::from("output").join(model.name()),
        };
        run_one(model, opts, &charts, &dir, None)?;
    }
    Ok(())
}

/// Runs `model` into `dir`, or with `parts` (from `merge`) puts the run together from its
/// shards' parts instead of simulating: the same files follow either way.
pub(super) fn run_one(
    model: &Model,
    opts: &RunOpts,
    charts: &ChartOptions,
    dir: &Path,
    parts: Option<Vec<engine::Part>>,
) -> Result<(), AppError> {
    let cfg = RunConfig {
        save_trials: opts.save_trials.is_some(),
        ..super::run_config(opts, model)?
    };
    let folder = super::open_out(dir, opts.quiet)?;
    let provenance = summary::Provenance::of(model);
    if let Some(old) = report::read_manifest(dir) {
        if !opts.quiet {
            if let Some(w) = replaced_run_warning(dir, &old, model.name(), &provenance.overrides) {
                super::note(&w);
            }
        }
    }
    // Everything is written into the staging folder, then moved in by `commit`: an
    // interrupted run leaves the folder as it was.
    let staging = folder.staging();
    let mut trials = trials_file(opts.save_trials, model, staging)?;
    let (cfg, summary) = match parts {
        Some(parts) => {
            let model = &super::precision::sampled(model, opts, &cfg)?;
            let result = engine::merge_parts(model, &cfg, parts)?;
            (cfg, summary::summarize(model, &result))
        }
        None => super::precision::simulate(model, opts, cfg, trials.as_mut().map(|w| w.sink()))?,
    };
    let mut written = Vec::new();
    for exporter in exporters(&opts.report) {
        written.extend(exporter.export(&summary, staging)?);
    }
    if let Some(w) = trials.take() {
        written.push(w.finish()?);
    }
    let chart_files = chart::render_all(&summary, staging, charts)?;
    if opts.report.html {
        let figures = chart::run_figures(&summary, charts)?;
        let warnings = analysis::explain::warnings(model);
        let html = report::HtmlReport {
            figures: &figures,
            warnings: &warnings,
        };
        written.extend(report::Exporter::export(&html, &summary, staging)?);
    }
    let mut all = file_names(&written);
    all.extend(file_names(&chart_files));
    report::write_manifest(
        staging,
        &report::Manifest {
            scenario: model.name().to_string(),
            trials: cfg.trials,
            seed: cfg.seed,
            provenance,
            files: all,
            written_at: Some(report::timestamp(std::time::SystemTime::now())),
        },
    )?;
    super::interrupted()?;
    folder.commit()?;
    if !opts.quiet {
        print_summary(&summary, &written, !chart_files.is_empty(), charts, dir)?;
    }
    Ok(())
}

/// The exporters of a run: every one of [`report::EXPORTERS`], then the reports `--report`
/// asks for (report.xlsx).
fn exporters(reports: &Reports) -> Vec<&'static dyn report::Exporter> {
    let mut all = report::EXPORTERS.to_vec();
    if reports.xlsx {
        all.push(&report::Workbook);
    }
    all
}

/// The trials file `--save-trials` asks for, started in `dir`: trials.csv or trials.parquet.
///
/// # Errors
/// [`report::ReportError::Write`] when it cannot be created.
fn trials_file(
    format: Option<TrialsFormat>,
    model: &Model,
    dir: &Path,
) -> Result<Option<Box<dyn report::TrialsFile>>, AppError> {
    let columns = engine::trial_columns(model);
    Ok(match format {
        None => None,
        Some(TrialsFormat::Csv) => Some(Box::new(report::TrialsCsv::create(dir, &columns)?)),
        Some(TrialsFormat::Parquet) => Some(Box::new(report::TrialsParquet::create(
            dir,
            &columns,
            &engine::trial_column_kinds(model),
        )?)),
    })
}

/// The warning for a run into `dir` that held `old`'s outputs, when those came from another
/// scenario or from the same one with other `--set` overrides; none when they are alike.
fn replaced_run_warning(
    dir: &Path,
    old: &report::Manifest,
    name: &str,
    overrides: &[String],
) -> Option<String> {
    let this = if old.scenario != name {
        format!(
            "{} held the outputs of scenario '{}'; this run of '{name}'",
            dir.display(),
            old.scenario
        )
    } else if old.provenance.overrides != overrides {
        format!(
            "{} held the outputs of a run of '{name}' {}; this run {}",
            dir.display(),
            describe_sets(&old.provenance.overrides),
            describe_sets(overrides)
        )
    } else {
        return None;
    };
    Some(format!(
        "warning: {this} replaces the files it writes, and manifest.json lists them"
    ))
}

/// "with --set a=1 --set b=2", or "without --set".
fn describe_sets(sets: &[String]) -> String {
    if sets.is_empty() {
        "without --set".to_string()
    } else {
        let all: Vec<String> = sets.iter().map(|s| format!("--set {s}")).collect();
        format!("with {}", all.join(" "))
    }
}

/// The names of `paths`, without their folder.
fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

/// The terminal table, then the line that says what was written where.
///
/// # Errors
/// [`AppError::ClosedStdout`] or [`AppError::Stdout`].
fn print_summary(
    summary: &Summary,
    written: &[PathBuf],
    drew_charts: bool,
    charts: &ChartOptions,
    dir: &Path,
) -> Result<(), AppError> {
    out!("{}", report::render_table(summary))?;
    let mut files = file_names(written);
    if drew_charts {
        let formats: Vec<&str> = charts
            .formats
            .iter()
            .map(|f| match f {
                chart::Format::Png => "png",
                chart::Format::Svg => "svg",
            })
            .collect();
        files.push(format!(
            "{} charts ({})",
            chart::Chart::of(summary).len(),
            formats.join(", ")
        ));
    }
    outln!("\n  Wrote {} to {}/", files.join(", "), dir.display())
}

/// How long into a run its rate is measured for the estimate of [`Progress`]: long enough
/// for the first batches to have run at full speed.
const ESTIMATE_AFTER: Duration = Duration::from_millis(500);

/// A run estimated to take longer than this says so, with the estimate, on stderr.
const LONG_RUN: Duration = Duration::from_secs(600);

/// The progress bar of a run: shown on a terminal, only once the run has taken 0.7 s. Unless
/// `--quiet`, a run whose first half second of trials says it will take more than
/// [`LONG_RUN`] first prints that estimate (terminal or not), so a mistyped `--trials` is
/// caught at once; it costs nothing, being read off the run's own progress.
pub(super) struct Progress<'a> {
    /// Shown at all (a terminal, not `--quiet`).
    show: bool,
    /// Estimate a long run (not `--quiet`).
    estimate: bool,
    /// The estimate was made (printed or not).
    estimated: std::cell::Cell<bool>,
    /// The scenario's name, before the bar.
    name: &'a str,
    /// Trials in the run.
    trials: u64,
    /// When the run started.
    started: Instant,
    /// The bar, once shown.
    bar: RefCell<Option<ProgressBar>>,
}

impl<'a> Progress<'a> {
    pub(super) fn new(name: &'a str, trials: u64, wanted: bool) -> Self {
        Progress {
            show: wanted && std::io::stderr().is_terminal(),
            estimate: wanted,
            estimated: std::cell::Cell::new(false),
            name,
            trials,
            started: Instant::now(),
            bar: RefCell::new(None),
        }
    }

    /// `done` trials of the run are done.
    pub(super) fn update(&self, done: u64) {
        self.estimate_once(done);
        if !self.show || done >= self.trials {
            return;
        }
        let mut bar = self.bar.borrow_mut();
        if bar.is_none() && self.started.elapsed() > Duration::from_millis(700) {
            let pb = ProgressBar::new(self.trials)
                .with_position(done)
                .with_elapsed(self.started.elapsed());
            pb.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:40}] {human_pos}/{human_len} trials, {elapsed} elapsed{msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            pb.set_prefix(self.name.to_string());
            *bar = Some(pb);
        }
        if let Some(pb) = bar.as_ref() {
            pb.set_position(done);
            // Trials run at a steady rate, so elapsed × remaining / done is a good estimate.
            let left = self.started.elapsed().as_secs_f64() * (self.trials - done) as f64
                / done.max(1) as f64;
            pb.set_message(format!(
                ", about {} left",
                indicatif::HumanDuration(Duration::from_secs_f64(left))
            ));
        }
    }

    /// Once [`ESTIMATE_AFTER`] has passed: the run's total time at the rate so far, printed
    /// when it exceeds [`LONG_RUN`].
    fn estimate_once(&self, done: u64) {
        let elapsed = self.started.elapsed();
        if !self.estimate || self.estimated.get() || done == 0 || elapsed < ESTIMATE_AFTER {
            return;
        }
        self.estimated.set(true);
        let rate = done as f64 / elapsed.as_secs_f64();
        let total = Duration::from_secs_f64(self.trials as f64 / rate);
        if total > LONG_RUN {
            let line = format!(
                "note: {} trials of {} will take about {} at the {} trials/s of its first {:.1} s; Ctrl-C stops it (nothing is written)",
                indicatif::HumanCount(self.trials),
                self.name,
                indicatif::HumanDuration(total),
                indicatif::HumanCount(rate as u64),
                elapsed.as_secs_f64()
            );
            match self.bar.borrow().as_ref() {
                Some(pb) => pb.println(line),
                None => eprintln!("{line}"),
            }
        }
    }

    /// Clears the bar, if it was shown.
    pub(super) fn finish(&self) {
        if let Some(pb) = self.bar.borrow_mut().take() {
            pb.finish_and_clear();
        }
    }
}
