//! The command line: the top-level [`Cli`], the [`Command`] of each subcommand, the options
//! they share, the error type with its exit statuses, and the helpers every subcommand uses.
//!
//! One file per subcommand holds its arguments (with their help text) and its `execute`. To
//! add a subcommand: a file here, a variant of [`Command`], and its line in
//! [`Command::execute`].

pub mod bench;
pub mod compare;
pub mod explain;
pub mod headlines;
pub mod new;
pub mod run;
pub mod sweep;
pub mod trace;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use funding_gap::analysis::AnalysisError;
use funding_gap::chart::{self, ChartError, ChartOptions};
use funding_gap::engine::{RunConfig, RunError};
use funding_gap::model::{self, Model};
use funding_gap::report::ReportError;
use funding_gap::scenario::{self, Scenario, ScenarioError};

/// `--version`: the version, and the git commit when built from a checkout (build.rs).
const VERSION: &str = env!("FUNDING_GAP_VERSION");

/// The examples after the top-level help and `run --help`.
pub const EXAMPLES: &str = "\
Examples:
  funding-gap                                  run the built-in base scenario into output/base/
  funding-gap run scenarios/base.toml --trials 1000000 --threads 2
  funding-gap run base --set rounds.2026.participants.amazon.amount=50
  funding-gap run my.toml --out results/ --save-trials --charts svg --chart-size 1600x900
  funding-gap validate scenarios/*.toml

A SCENARIO is a TOML file, or a name that is looked up as scenarios/NAME.toml ('base' falls
back to the built-in copy). Exit status: 0 success, 2 invalid scenario or arguments, 1 any
other failure (I/O). See README.md for the scenario format.";

/// Monte Carlo simulator of OpenAI's compute obligations against the revenue and funding it
/// can raise: how big is the funding gap, how likely is a shortfall, and when does the money
/// run out.
#[derive(Debug, Parser)]
#[command(name = "funding-gap", version = VERSION, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: `run` on the built-in base scenario).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default run.
    #[command(flatten)]
    pub opts: RunOpts,
}

impl Cli {
    /// The subcommand to execute: the one given, else `run` of the built-in base scenario with
    /// the top-level options.
    pub fn into_command(self) -> Command {
        let opts = self.opts;
        self.command.unwrap_or_else(|| {
            Command::Run(run::RunArgs {
                scenarios: Vec::new(),
                opts,
            })
        })
    }
}

/// Subcommands, in the order of `--help`.
// The variants carry no doc comment: clap takes each subcommand's about text from its
// arguments struct, in the subcommand's file.
#[derive(Debug, Subcommand)]
pub enum Command {
    Run(run::RunArgs),
    Explain(explain::ExplainArgs),
    New(new::NewArgs),
    Headlines(headlines::HeadlinesArgs),
    Compare(compare::CompareArgs),
    Sweep(sweep::SweepArgs),
    Trace(trace::TraceArgs),
    Bench(bench::BenchArgs),
    Validate(validate::ValidateArgs),
}

impl Command {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// Whatever stopped it; [`AppError::exit_code`] maps it to the exit status.
    pub fn execute(&self) -> Result<(), AppError> {
        match self {
            Command::Run(a) => run::execute(a),
            Command::Explain(a) => explain::execute(a),
            Command::New(a) => new::execute(a),
            Command::Headlines(a) => headlines::execute(a),
            Command::Compare(a) => compare::execute(a),
            Command::Sweep(a) => sweep::execute(a),
            Command::Trace(a) => trace::execute(a),
            Command::Bench(a) => bench::execute(a),
            Command::Validate(a) => validate::execute(a),
        }
    }
}

/// Options of `run` (also of `compare` and `sweep`, and of the bare command).
#[derive(Debug, Args, Clone)]
pub struct RunOpts {
    /// Number of trials [default: the scenario's [run] trials, else 100000]
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Seed: the same seed gives the same results at any thread count [default: the scenario's, else 42]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output directory [default: output/<scenario name>/]; with several scenarios, DIR/<name>/
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Override an input by its path, e.g. --set rounds.2026.participants.amazon.amount=50 or
    /// --set 'revenue.consumer.growth={ low = 0.3, high = 0.9 }'; PATH*=K scales the number or
    /// distribution at PATH (K ≥ 0; each parameter in the field's units, e.g. a lognormal's
    /// median but not its sd_log) and PATH+=K shifts it (its locations, not its sd), e.g.
    /// --set 'revenue.consumer.growth*=0.8' (repeatable, applied in order)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Also write trials.csv: one row per trial with its sampled inputs and results
    #[arg(long)]
    pub save_trials: bool,
    /// Chart formats: png,svg | png | svg | none
    #[arg(long, value_name = "FORMATS", default_value = "png,svg")]
    pub charts: String,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1200x800")]
    pub chart_size: String,
    /// Print nothing but errors (no table, no progress bar)
    #[arg(long, short)]
    pub quiet: bool,
}

/// A failure, with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Invalid scenario.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A scenario argument that names nothing.
    #[error("no scenario '{0}': it is not a file, and there is no scenarios/{0}.toml{1}")]
    NoScenario(String, String),
    /// A bad command-line value.
    #[error("{0}")]
    Usage(String),
    /// A file named on the command line cannot be read.
    #[error("cannot read '{path}' ({what}): {reason}")]
    Read {
        /// The file.
        path: String,
        /// What it is for, e.g. "the file to update".
        what: &'static str,
        /// Why not, as [`scenario::io_reason`] words it.
        reason: String,
    },
    /// The run stopped.
    #[error("{}", run_message(.0))]
    Run(#[from] RunError),
    /// An output could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A chart could not be drawn or written.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// An analysis failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A result could not be serialised as JSON for standard output (an output file's JSON
    /// failure is a [`ReportError::Write`]).
    #[error("cannot serialise the output as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Scenarios failed validation (their problems are already printed).
    #[error("{}", if *.1 > 1 { format!("{} of {} scenarios are invalid", .0, .1) } else { String::new() })]
    SomeInvalid(usize, usize),
}

fn run_message(e: &RunError) -> String {
    match e {
        RunError::Cancelled { .. } => format!("{e}; no outputs were written"),
        _ => e.to_string(),
    }
}

impl AppError {
    /// 2 for invalid input or usage, 1 for I/O and other failures (a JSON failure too: it is
    /// not the user's), 130 when interrupted.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Scenario(_)
            | AppError::NoScenario(..)
            | AppError::Usage(_)
            | AppError::SomeInvalid(..) => 2,
            AppError::Run(RunError::NoTrials | RunError::Threads { .. }) => 2,
            AppError::Run(RunError::Cancelled { .. }) => 130,
            AppError::Run(RunError::Sink(_))
            | AppError::Report(_)
            | AppError::Chart(_)
            | AppError::Read { .. }
            | AppError::Json(_) => 1,
            AppError::Analysis(a) => match a {
                AnalysisError::Run(RunError::Sink(_)) => 1,
                AnalysisError::Run(RunError::Cancelled { .. }) => 130,
                _ => 2,
            },
        }
    }

    /// Prints the error on stderr, each line after `error: `.
    pub fn print(&self) {
        for line in self.to_string().lines() {
            eprintln!("error: {line}");
        }
    }
}

/// Set by Ctrl-C: long runs stop at their next batch (a fraction of a second) and write nothing.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (a second Ctrl-C ends the process at once).
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Loads a scenario named on the command line: a file, `scenarios/NAME.toml`, or the
/// built-in base (`None`, or `base` when there is no scenarios/base.toml).
///
/// # Errors
/// The scenario's own errors, or [`AppError::NoScenario`] with a suggestion.
pub fn load(arg: Option<&str>, set: &[String]) -> Result<Scenario, AppError> {
    let Some(arg) = arg else {
        return Ok(scenario::builtin_base(set)?);
    };
    let direct = Path::new(arg);
    if direct.exists() {
        return Ok(scenario::load(direct, set)?);
    }
    let named = Path::new("scenarios").join(format!("{arg}.toml"));
    if !arg.ends_with(".toml") && named.exists() {
        return Ok(scenario::load(&named, set)?);
    }
    if arg == "base" {
        return Ok(scenario::builtin_base(set)?);
    }
    if arg.ends_with(".toml") || arg.contains('/') {
        // Let the loader report the missing file in its usual words.
        return Ok(scenario::load(direct, set)?);
    }
    let mut known: Vec<String> = std::fs::read_dir("scenarios")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|n| n.strip_suffix(".toml"))
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default();
    known.sort();
    let hint = match scenario::did_you_mean(arg, known.iter().map(String::as_str)) {
        Some(s) => format!("; did you mean '{s}'?"),
        None if !known.is_empty() => format!(" (scenarios: {})", known.join(", ")),
        None => String::new(),
    };
    Err(AppError::NoScenario(arg.to_string(), hint))
}

/// Loads and compiles a scenario, printing the model's warnings unless `quiet`.
///
/// # Errors
/// As [`load`], and the model's compile errors.
pub fn load_and_compile(arg: Option<&str>, set: &[String], quiet: bool) -> Result<Model, AppError> {
    let s = load(arg, set)?;
    let m = model::compile(&s)?;
    if !quiet {
        for w in &m.warnings {
            eprintln!("warning: {}: {w}", m.scenario.origin);
        }
    }
    Ok(m)
}

/// `--trials`, refused when 0.
///
/// # Errors
/// [`AppError::Usage`] for 0.
pub fn check_trials(trials: u64) -> Result<u64, AppError> {
    if trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    Ok(trials)
}

/// The chart formats and size of `--charts` and `--chart-size`.
///
/// # Errors
/// [`AppError::Usage`] naming the bad value (formats are checked first).
pub fn chart_options(opts: &RunOpts) -> Result<ChartOptions, AppError> {
    let formats = chart::parse_formats(&opts.charts).map_err(AppError::Usage)?;
    let (width, height) = chart::parse_size(&opts.chart_size).map_err(AppError::Usage)?;
    Ok(ChartOptions {
        formats,
        width,
        height,
    })
}

/// The run's trials, seed and threads: the options', else the scenario's. No trials file, no
/// worst-trial list.
///
/// # Errors
/// [`AppError::Usage`] for `--trials 0` (or a scenario's 0).
pub fn run_config(opts: &RunOpts, model: &Model) -> Result<RunConfig, AppError> {
    Ok(RunConfig {
        trials: check_trials(opts.trials.unwrap_or(model.scenario.run.trials))?,
        seed: opts.seed.unwrap_or(model.scenario.run.seed),
        threads: opts.threads.map(usize::from),
        save_trials: false,
        worst: 0,
    })
}

/// `value` as pretty JSON on stdout.
///
/// # Errors
/// [`AppError::Json`] if it cannot be serialised.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), AppError> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The closing line of `compare` and `sweep`: the files, the number of chart files, the folder.
pub fn print_written(files: &[&str], charts: usize, dir: &Path) {
    let charts = if charts == 0 {
        String::new()
    } else {
        format!(" and {charts} chart files")
    };
    println!(
        "\n  Wrote {}{charts} to {}/",
        files.join(", "),
        dir.display()
    );
}

/// The output folder: `--out`, else `output/<default>`.
pub fn out_dir(opts: &RunOpts, default: &str) -> PathBuf {
    opts.out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(default))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn a_json_failure_is_not_a_usage_error() {
        let Err(e) = serde_json::from_str::<u8>("not json") else {
            panic!("parsed");
        };
        assert_eq!(AppError::Json(e).exit_code(), 1);
        let written = ReportError::Write {
            path: "out/sweep.json".to_string(),
            reason: "key must be a string".to_string(),
        };
        assert_eq!(AppError::from(written).exit_code(), 1);
        assert_eq!(AppError::Usage(String::new()).exit_code(), 2);
    }
}
