//! The command line: the top-level [`Cli`], the [`Command`] of each subcommand, the options
//! they share, the error type with its exit statuses, and the helpers every subcommand uses.
//!
//! One file per subcommand holds its arguments (with their help text) and its `execute`. To
//! add a subcommand: a file here, a variant of [`Command`], and its line in
//! [`Command::execute`].
//!
//! Every line for standard output goes through [`out!`] or [`outln!`], which end the command
//! quietly when stdout is closed (`funding-gap validate scenarios/*.toml | head -1`).

/// `print!` that returns [`AppError::ClosedStdout`] when stdout is closed instead of
/// panicking; use it with `?`.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that returns [`AppError::ClosedStdout`] when stdout is closed instead of
/// panicking; use it with `?`.
macro_rules! outln {
    () => { $crate::cli::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

pub mod bench;
pub mod checks;
pub mod compare;
pub mod diff;
pub mod explain;
pub mod headlines;
pub mod merge;
pub mod new;
pub mod precision;
pub mod run;
pub mod runs;
pub mod shard;
pub mod sweep;
pub mod switches;
pub mod trace;
pub mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use funding_gap::analysis::AnalysisError;
use funding_gap::chart::{self, ChartError, ChartOptions};
use funding_gap::engine::{MergeError, RunConfig, RunError};
use funding_gap::model::{self, Model};
use funding_gap::report::{self, OutputFolder, PartError, ReportError};
use funding_gap::scenario::{self, Scenario, ScenarioError};

/// `--version`: the version, and the git commit when built from a checkout (build.rs).
const VERSION: &str = env!("FUNDING_GAP_VERSION");

/// The examples after the top-level help and `run --help`.
pub const EXAMPLES: &str = "\
Examples:
  funding-gap                                  run the built-in base scenario into output/base/
  funding-gap run scenarios/base.toml --trials 1e6 --threads 2
  funding-gap run base --set rounds.2026.participants.amazon.amount=50
  funding-gap run my.toml --out results/ --save-trials --charts svg --chart-size 1600x900
  funding-gap validate scenarios/*.toml
  funding-gap runs                             list the stored runs under output/
  funding-gap compare output/base output/no-round   compare two stored runs
  funding-gap diff base amazon-50b             what differs between two scenarios

A SCENARIO is a TOML file, or a name that is looked up as scenarios/NAME.toml, then
scenarios/published/NAME.toml ('base' falls back to the built-in copy). Exit status: 0 success, 2 invalid scenario or arguments, 1 any
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
    Merge(merge::MergeArgs),
    Explain(explain::ExplainArgs),
    New(new::NewArgs),
    Headlines(headlines::HeadlinesArgs),
    Checks(checks::ChecksArgs),
    Compare(compare::CompareArgs),
    Runs(runs::RunsArgs),
    Diff(diff::DiffArgs),
    Sweep(sweep::SweepArgs),
    Switches(switches::SwitchesArgs),
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
            Command::Merge(a) => merge::execute(a),
            Command::Explain(a) => explain::execute(a),
            Command::New(a) => new::execute(a),
            Command::Headlines(a) => headlines::execute(a),
            Command::Checks(a) => checks::execute(a),
            Command::Compare(a) => compare::execute(a),
            Command::Runs(a) => runs::execute(a),
            Command::Diff(a) => diff::execute(a),
            Command::Sweep(a) => sweep::execute(a),
            Command::Switches(a) => switches::execute(a),
            Command::Trace(a) => trace::execute(a),
            Command::Bench(a) => bench::execute(a),
            Command::Validate(a) => validate::execute(a),
        }
    }
}

/// Options of `run` (also of `compare` and `sweep`, and of the bare command).
#[derive(Debug, Args, Clone)]
pub struct RunOpts {
    /// Number of trials, e.g. 100000, 100_000 or 1e5; at most 1e11 [default: the scenario's
    /// [run] trials, else 100000]
    #[arg(long, value_name = "N", value_parser = parse_trials)]
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
    /// Also write the trials, one row per trial with its sampled inputs and results (run
    /// only): trials.csv, or with `parquet` trials.parquet (typed columns, about 2.3× smaller)
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "csv")]
    pub save_trials: Option<TrialsFormat>,
    /// Run only shard K of M (0 ≤ K < M, as Slurm numbers array tasks): a contiguous share
    /// of the trials, written as DIR/part-K-of-M.fgpart [default DIR: output/<name>/parts/];
    /// `funding-gap merge DIR` then writes exactly the files of the whole run (run only)
    #[arg(long, value_name = "K/M", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Chart formats: png,svg | png | svg | none
    #[arg(long, value_name = "FORMATS", default_value = "png,svg")]
    pub charts: String,
    /// Reports beside the data files: html,xlsx | html | xlsx | none. report.html is one
    /// self-contained page (charts inline, no network, prints to PDF); report.xlsx holds the
    /// same tables as sheets
    #[arg(long, value_name = "KINDS", default_value = "html,xlsx", value_parser = parse_reports)]
    pub report: Reports,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1200x800")]
    pub chart_size: String,
    /// Print nothing but errors (no table, no progress bar)
    #[arg(long, short)]
    pub quiet: bool,
    /// How the uncertain inputs are sampled: mc draws each trial's inputs independently;
    /// lhs (Latin hypercube) and rqmc (scrambled Sobol' points) spread them evenly, and
    /// estimate their errors from --replicates independent randomizations
    #[arg(long, value_enum, value_name = "METHOD", default_value = "mc")]
    pub sampling: SamplingArg,
    /// Independent randomizations of --sampling lhs or rqmc (at least 2); trial i belongs to
    /// replicate i mod R. Powers of two of trials per replicate suit rqmc best
    #[arg(long, value_name = "R", default_value_t = 16)]
    pub replicates: u64,
    /// Run until an estimate is this precise, e.g. 'gap.mean.se<=1',
    /// 'shortfall_probability_2030.ci95_width<=0.002' or 'gap.p90.ci95_width<=10'
    /// (repeatable: all must hold). Starts at --trials and grows the trials in deterministic
    /// rounds (by powers of two, to the trials the first round predicts) up to --max-trials;
    /// prints the trials it took (run only)
    #[arg(long = "precision", value_name = "TARGET", value_parser = parse_precision)]
    pub precision: Vec<funding_gap::summary::precision::Target>,
    /// The cap on trials of a --precision run [default: 100 times --trials, at most 1e9]
    #[arg(long, value_name = "N", value_parser = parse_trials)]
    pub max_trials: Option<u64>,
}

impl RunOpts {
    /// The options of a run with every default (what `merge` starts from).
    pub fn plain() -> RunOpts {
        RunOpts {
            trials: None,
            seed: None,
            threads: None,
            out: None,
            set: Vec::new(),
            save_trials: None,
            shard: None,
            charts: "png,svg".to_string(),
            report: Reports {
                html: true,
                xlsx: true,
            },
            chart_size: "1200x800".to_string(),
            quiet: false,
            sampling: SamplingArg::Mc,
            replicates: 16,
            precision: Vec::new(),
            max_trials: None,
        }
    }
}

/// `--sampling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingArg {
    /// Plain Monte Carlo: independent draws per trial
    Mc,
    /// Latin hypercube: one point per stratum of every input, per replicate
    Lhs,
    /// Randomized quasi-Monte Carlo: scrambled Sobol' points, per replicate
    Rqmc,
}

impl SamplingArg {
    /// The option for the library's method.
    pub fn of(method: funding_gap::qmc::Method) -> SamplingArg {
        match method {
            funding_gap::qmc::Method::Mc => SamplingArg::Mc,
            funding_gap::qmc::Method::Lhs => SamplingArg::Lhs,
            funding_gap::qmc::Method::Rqmc => SamplingArg::Rqmc,
        }
    }

    /// The library's method.
    pub fn method(self) -> funding_gap::qmc::Method {
        match self {
            SamplingArg::Mc => funding_gap::qmc::Method::Mc,
            SamplingArg::Lhs => funding_gap::qmc::Method::Lhs,
            SamplingArg::Rqmc => funding_gap::qmc::Method::Rqmc,
        }
    }
}

/// Reads a `--precision` target.
fn parse_precision(text: &str) -> Result<funding_gap::summary::precision::Target, String> {
    use funding_gap::summary::precision::{TARGET_FORMS, Target};
    // clap names the option and the value before this message.
    Target::parse(text).map_err(|e| format!("{}; the forms are {TARGET_FORMS}", e.why))
}

/// The file format of `--save-trials`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrialsFormat {
    /// trials.csv (the default)
    Csv,
    /// trials.parquet: typed columns, streamed in row groups
    Parquet,
}

/// Which reports `--report` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reports {
    /// report.html.
    pub html: bool,
    /// report.xlsx.
    pub xlsx: bool,
}

/// Parses `--report`: a comma list of `html` and `xlsx`, or `none`.
///
/// # Errors
/// A message naming the bad kind and what is allowed.
pub fn parse_reports(arg: &str) -> Result<Reports, String> {
    let mut r = Reports {
        html: false,
        xlsx: false,
    };
    let kinds: Vec<&str> = arg.split(',').map(str::trim).collect();
    if kinds == ["none"] {
        return Ok(r);
    }
    for kind in kinds {
        match kind {
            "html" => r.html = true,
            "xlsx" => r.xlsx = true,
            "none" => {
                return Err(format!(
                    "'none' cannot be combined with other reports (got '{arg}')"
                ));
            }
            other => {
                return Err(format!(
                    "unknown report '{other}': use html, xlsx, both as html,xlsx, or none"
                ));
            }
        }
    }
    Ok(r)
}

/// The most shards a run can be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

/// Parses `--shard K/M`.
///
/// # Errors
/// What is wrong with the value.
pub fn parse_shard(arg: &str) -> Result<(u64, u64), String> {
    let form = "write K/M with 0 ≤ K < M, e.g. 0/4 for the first of 4 shards";
    let (k, m) = arg
        .split_once('/')
        .ok_or_else(|| format!("'{arg}' is not K/M; {form}"))?;
    let num = |s: &str| s.trim().parse::<u64>().ok();
    let (Some(k), Some(m)) = (num(k), num(m)) else {
        return Err(format!("'{arg}' is not K/M with whole numbers; {form}"));
    };
    if m == 0 || m > MAX_SHARDS {
        return Err(format!(
            "the number of shards M must be 1 to {MAX_SHARDS} (got {m}); {form}"
        ));
    }
    if k >= m {
        return Err(format!(
            "shard {k} of {m} does not exist: shards are numbered 0 to {} (as Slurm's SLURM_ARRAY_TASK_ID with --array=0-{})",
            m - 1,
            m - 1
        ));
    }
    Ok((k, m))
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
    /// A shard's part file cannot be read.
    #[error(transparent)]
    Part(#[from] PartError),
    /// Part files that do not make one run.
    #[error(transparent)]
    Merge(#[from] MergeError),
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
    /// Ctrl-C (or SIGTERM, SIGHUP) between runs, or as the last one ended: nothing written.
    #[error("interrupted; no outputs were written")]
    Interrupted,
    /// Standard output was closed (the reader of a pipe ended): the command stops quietly,
    /// as Unix tools do, with status 0.
    #[error("standard output was closed")]
    ClosedStdout,
    /// Standard output cannot be written (other than closed), e.g. a full disk.
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
}

fn run_message(e: &RunError) -> String {
    match e {
        RunError::Cancelled { .. } => format!("{e}; no outputs were written"),
        _ => e.to_string(),
    }
}

impl AppError {
    /// 2 for invalid input or usage, 1 for I/O and other failures (a JSON failure too: it is
    /// not the user's), 130 when interrupted, 0 when stdout was closed.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::ClosedStdout => 0,
            AppError::Interrupted => 130,
            AppError::Scenario(_)
            | AppError::NoScenario(..)
            | AppError::Usage(_)
            | AppError::SomeInvalid(..) => 2,
            AppError::Run(RunError::NoTrials | RunError::Threads { .. }) => 2,
            AppError::Run(RunError::Cancelled { .. }) => 130,
            AppError::Merge(_) => 2,
            AppError::Part(PartError::Invalid { .. }) => 2,
            AppError::Part(PartError::Read { .. }) => 1,
            AppError::Run(RunError::Sink(_))
            | AppError::Report(_)
            | AppError::Chart(_)
            | AppError::Read { .. }
            | AppError::Stdout(_)
            | AppError::Json(_) => 1,
            AppError::Analysis(a) => match a {
                AnalysisError::Run(RunError::Sink(_)) => 1,
                AnalysisError::Run(RunError::Cancelled { .. }) => 130,
                _ => 2,
            },
        }
    }

    /// Prints the error on stderr, each line after `error: ` (nothing for a closed stdout).
    pub fn print(&self) {
        if matches!(self, AppError::ClosedStdout) {
            return;
        }
        for line in self.to_string().lines() {
            note(&format!("error: {line}"));
        }
    }
}

/// Writes to stdout for [`out!`] and [`outln!`].
///
/// # Errors
/// [`AppError::ClosedStdout`] if stdout is closed, [`AppError::Stdout`] for another failure.
pub fn write_stdout(text: std::fmt::Arguments<'_>) -> Result<(), AppError> {
    std::io::stdout().lock().write_fmt(text).map_err(|e| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            AppError::ClosedStdout
        } else {
            AppError::Stdout(e)
        }
    })
}

/// Writes `line` to stderr; a closed stderr is ignored (there is nowhere left to say so).
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Set by Ctrl-C, SIGTERM or SIGHUP: runs stop at their next batch (a fraction of a second)
/// and write nothing.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler of Ctrl-C, SIGTERM and SIGHUP (a second one ends the process at
/// once; the next run into its folder removes what it left).
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Checks for Ctrl-C between runs and before anything is written: a run too short to be
/// stopped inside (one batch) ends without it being seen.
///
/// # Errors
/// [`AppError::Interrupted`] once Ctrl-C has come.
pub fn interrupted() -> Result<(), AppError> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(AppError::Interrupted);
    }
    Ok(())
}

/// Creates and locks the output folder `dir` for this run (see [`OutputFolder`]), saying on
/// stderr (unless `quiet`) what temporaries of killed runs it removed.
///
/// # Errors
/// [`ReportError`] if the folder cannot be made or written, or another run holds it.
pub fn open_out(dir: &Path, quiet: bool) -> Result<OutputFolder, AppError> {
    report::ensure_dir(dir)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let holder = format!("pid {}: funding-gap {}", std::process::id(), args.join(" "));
    let (folder, removed) = OutputFolder::open(dir, &holder)?;
    if !quiet && !removed.is_empty() {
        let files: Vec<String> = removed
            .iter()
            .map(|r| format!("{} ({})", r.path.display(), indicatif::HumanBytes(r.bytes)))
            .collect();
        note(&format!(
            "note: removed {} left in {}/ by runs that were killed: {}",
            if files.len() == 1 {
                "a temporary file".to_string()
            } else {
                format!("{} temporary files", files.len())
            },
            dir.display(),
            files.join(", ")
        ));
    }
    Ok(folder)
}

/// Where a scenario name is looked up, in order: `DIR/NAME.toml`.
const SCENARIO_DIRS: [&str; 2] = ["scenarios", "scenarios/published"];

/// Loads a scenario named on the command line: a file, `scenarios/NAME.toml`,
/// `scenarios/published/NAME.toml`, or the built-in base (`None`, or `base` when there is no
/// scenarios/base.toml).
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
    if !arg.ends_with(".toml") {
        let named = SCENARIO_DIRS
            .iter()
            .map(|d| Path::new(d).join(format!("{arg}.toml")))
            .find(|p| p.exists());
        if let Some(named) = named {
            return Ok(scenario::load(&named, set)?);
        }
    }
    if arg == "base" {
        return Ok(scenario::builtin_base(set)?);
    }
    if arg.ends_with(".toml") || arg.contains('/') {
        // Let the loader report the missing file in its usual words.
        return Ok(scenario::load(direct, set)?);
    }
    let mut known: Vec<String> = SCENARIO_DIRS
        .iter()
        .flat_map(|dir| {
            std::fs::read_dir(dir)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            e.file_name()
                                .to_str()
                                .and_then(|n| n.strip_suffix(".toml"))
                                .map(String::from)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect();
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
            note(&format!("warning: {}: {w}", m.scenario.origin));
        }
    }
    Ok(m)
}

/// The largest number of trials any command runs: 10^11. That is days of work for the
/// built-in base, with a sampling error far below what the inputs' uncertainty leaves: a
/// larger run is a typo, or weeks spent telling nothing new.
pub const MAX_TRIALS: u64 = 100_000_000_000;

/// [`MAX_TRIALS`] as messages word it.
const TRIALS_LIMIT: &str = "at most 100,000,000,000 (1e11)";

/// The forms a number of trials takes, as messages word them.
const TRIALS_FORMS: &str = "write a whole number such as 1000000, 1_000_000, 1,000,000 or 1e6";

/// Parses `--trials`: digits, with `_` between them (`1_000_000`) or `,` between groups of
/// three (`1,000,000`), optionally in scientific notation whose value is a whole number (`1e6`,
/// `2.5e5`, not `1e-3`). The value is computed exactly, in decimal: no float rounds `1.5e0` to
/// a whole number. A value above [`MAX_TRIALS`] is refused here; 0 is left to
/// [`check_trials`], whose message the error catalogue documents (E-ARG-01).
///
/// # Errors
/// What is wrong with the value (clap prefixes it and the option).
pub fn parse_trials(text: &str) -> Result<u64, String> {
    let malformed = || format!("not a number of trials; {TRIALS_FORMS}");
    let (mantissa, exponent) = text
        .split_once(['e', 'E'])
        .map_or((text, None), |(m, e)| (m, Some(e)));
    let (int, frac) = mantissa
        .split_once('.')
        .map_or((mantissa, None), |(i, f)| (i, Some(f)));
    let int = grouped_digits(int).ok_or_else(malformed)?;
    let frac = match frac {
        Some(f) => underscored_digits(f).ok_or_else(malformed)?,
        None => String::new(),
    };
    let exponent = match exponent {
        Some(e) => parse_exponent(e).ok_or_else(malformed)?,
        None => 0,
    };
    // The value is digits × 10^shift.
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    let shift = exponent - frac.len() as i64;
    let too_many = || format!("more trials than allowed: --trials must be {TRIALS_LIMIT}");
    let whole = if shift >= 0 {
        // 12 digits already exceed the limit: stop before building a long string.
        if significant.len() as i64 + shift > 12 {
            return Err(too_many());
        }
        format!("{significant}{}", "0".repeat(shift as usize))
    } else {
        let cut = usize::try_from(shift.unsigned_abs()).unwrap_or(usize::MAX);
        let Some(keep) = significant.len().checked_sub(cut).filter(|&k| k > 0) else {
            return Err(format!("{text} is not a whole number; {TRIALS_FORMS}"));
        };
        let (kept, dropped) = significant.split_at(keep);
        if dropped.bytes().any(|b| b != b'0') {
            return Err(format!("{text} is not a whole number; {TRIALS_FORMS}"));
        }
        kept.to_string()
    };
    match whole.parse::<u64>() {
        Ok(n) if n <= MAX_TRIALS => Ok(n),
        _ => Err(too_many()),
    }
}

/// The digits of `s` when it is digits with `,` between groups of three (`1,000,000`) or
/// with single `_` between digits (`1_000_000`, `10_00`).
fn grouped_digits(s: &str) -> Option<String> {
    if !s.contains(',') {
        return underscored_digits(s);
    }
    let mut groups = s.split(',');
    let first = groups.next()?;
    let plain = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if !(1..=3).contains(&first.len()) || !plain(first) {
        return None;
    }
    let mut digits = first.to_string();
    for g in groups {
        if g.len() != 3 || !plain(g) {
            return None;
        }
        digits.push_str(g);
    }
    Some(digits)
}

/// The digits of `s` when it is digits with single `_` between them.
fn underscored_digits(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    ok.then(|| s.replace('_', ""))
}

/// An exponent: digits with an optional sign. Beyond ±10^6 the result is the same (too many,
/// or not whole), so larger ones are clamped there.
fn parse_exponent(e: &str) -> Option<i64> {
    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
    let digits = underscored_digits(digits)?;
    let n = digits
        .parse::<i64>()
        .map_or(1_000_000, |n| n.min(1_000_000));
    Some(if e.starts_with('-') { -n } else { n })
}

/// `--trials`, refused when 0 or above [`MAX_TRIALS`].
///
/// # Errors
/// [`AppError::Usage`] for 0 or too many.
pub fn check_trials(trials: u64) -> Result<u64, AppError> {
    if trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    if trials > MAX_TRIALS {
        return Err(AppError::Usage(format!(
            "--trials must be {TRIALS_LIMIT} (got {trials})"
        )));
    }
    Ok(trials)
}

/// The trials of a run: `--trials` if given, else the scenario's `[run] trials`, which is
/// refused (naming the scenario) above [`MAX_TRIALS`].
///
/// # Errors
/// As [`check_trials`]; [`AppError::Usage`] naming the scenario for its own excess.
pub fn trials(option: Option<u64>, model: &Model) -> Result<u64, AppError> {
    match option {
        Some(n) => check_trials(n),
        None if model.scenario.run.trials > MAX_TRIALS => Err(AppError::Usage(format!(
            "{}: run.trials = {} is more than allowed: trials must be {TRIALS_LIMIT}; lower it or give --trials",
            model.scenario.origin, model.scenario.run.trials
        ))),
        None => check_trials(model.scenario.run.trials),
    }
}

/// Refuses the options only `run` takes for `command` (`compare`, `sweep`): `--save-trials`
/// (it writes no trials file) and `--shard`.
///
/// # Errors
/// [`AppError::Usage`] when one is given.
pub fn run_only_options(opts: &RunOpts, command: &str) -> Result<(), AppError> {
    if opts.save_trials.is_some() {
        return Err(AppError::Usage(format!(
            "--save-trials: {command} writes no trials file; run a scenario with `funding-gap run SCENARIO --save-trials` for its trials"
        )));
    }
    if opts.shard.is_some() {
        return Err(AppError::Usage(format!(
            "--shard: {command} does not run in shards; shard each scenario with `funding-gap run SCENARIO --shard K/M` and merge it"
        )));
    }
    if opts.sampling != SamplingArg::Mc {
        return Err(AppError::Usage(format!(
            "--sampling {}: {command} pairs scenarios trial by trial and takes the errors of their differences from independent trials, so it runs plain Monte Carlo; run each scenario with `funding-gap run SCENARIO --sampling {}`",
            opts.sampling.method(),
            opts.sampling.method()
        )));
    }
    if !opts.precision.is_empty() {
        return Err(AppError::Usage(format!(
            "--precision: {command} does not run to a precision target; run a scenario with `funding-gap run SCENARIO --precision TARGET`"
        )));
    }
    Ok(())
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
/// [`AppError::Usage`] for `--trials 0` (or a scenario's 0), or a scenario's trials above
/// [`MAX_TRIALS`].
pub fn run_config(opts: &RunOpts, model: &Model) -> Result<RunConfig, AppError> {
    Ok(RunConfig {
        trials: trials(opts.trials, model)?,
        seed: opts.seed.unwrap_or(model.scenario.run.seed),
        threads: opts.threads.map(usize::from),
        save_trials: false,
        worst: 0,
    })
}

/// `value` as pretty JSON on stdout.
///
/// # Errors
/// [`AppError::Json`] if it cannot be serialised; [`AppError::ClosedStdout`] or
/// [`AppError::Stdout`].
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), AppError> {
    outln!("{}", serde_json::to_string_pretty(value)?)
}

/// The closing line of `compare` and `sweep`: the files, the number of chart files, the folder.
///
/// # Errors
/// [`AppError::ClosedStdout`] or [`AppError::Stdout`].
pub fn print_written(files: &[&str], charts: usize, dir: &Path) -> Result<(), AppError> {
    let charts = if charts == 0 {
        String::new()
    } else {
        format!(" and {charts} chart files")
    };
    outln!(
        "\n  Wrote {}{charts} to {}/",
        files.join(", "),
        dir.display()
    )
}

/// A file whose generated block `--update` replaces: the block from the marker `begin` to
/// the marker `end` (see [`report::replace_block`]).
#[derive(Debug, Clone)]
pub struct UpdateTarget {
    /// The file.
    pub path: PathBuf,
    /// Its first marker.
    pub begin: &'static str,
    /// Its last marker.
    pub end: &'static str,
}

impl UpdateTarget {
    /// Reads the file and replaces its block with `block` (or, with `None`, only checks that
    /// it can: commands check before a long run, so a wrong file fails at once).
    ///
    /// # Errors
    /// [`AppError::Read`] if the file cannot be read, [`AppError::Usage`] if it lacks a
    /// marker, [`AppError::Report`] if it cannot be written.
    pub fn update(&self, block: Option<&str>) -> Result<(), AppError> {
        let file = &self.path;
        let text = std::fs::read_to_string(file).map_err(|e| AppError::Read {
            path: file.display().to_string(),
            what: "the file to update",
            reason: scenario::io_reason(&e),
        })?;
        let updated = report::replace_block(&text, self.begin, self.end, block.unwrap_or(""))
            .ok_or_else(|| {
                AppError::Usage(format!(
                    "{}: no `{}` … `{}` markers to put the table between",
                    file.display(),
                    self.begin,
                    self.end
                ))
            })?;
        if block.is_some() {
            report::write_atomic(file, updated.as_bytes())?;
        }
        Ok(())
    }
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
    fn trials_parse_exactly_in_every_accepted_form() {
        for (text, n) in [
            ("1", 1),
            ("0", 0),
            ("007", 7),
            ("1000000", 1_000_000),
            ("1_000_000", 1_000_000),
            ("10_00", 1000),
            ("1,000,000", 1_000_000),
            ("12,345", 12_345),
            ("1e6", 1_000_000),
            ("1E6", 1_000_000),
            ("1e+6", 1_000_000),
            ("2.5e5", 250_000),
            ("1.000e3", 1000),
            ("15000e-1", 1500),
            ("0.001e3", 1),
            ("0e999999999999999999999", 0),
            ("1e11", MAX_TRIALS),
            ("100,000,000,000", MAX_TRIALS),
        ] {
            assert_eq!(parse_trials(text), Ok(n), "{text}");
        }
    }

    #[test]
    fn trials_that_are_not_whole_or_too_many_are_refused_with_the_reason() {
        let says = |text: &str, needle: &str| {
            let Err(e) = parse_trials(text) else {
                panic!("{text} was accepted");
            };
            assert!(e.contains(needle), "{text}: {e}");
        };
        for text in ["1.5", "1e-3", "2.5e0", "1.0000001e6", "1e-999999999999"] {
            says(text, "is not a whole number");
        }
        for text in [
            "",
            "-5",
            "+5",
            "1__0",
            "_1",
            "1_",
            "1,00",
            "1,0000",
            "1_000,000",
            "1e",
            "e6",
            ".5e1",
            "1.e3",
            "1.5.0",
            "many",
            " 1",
        ] {
            says(text, "not a number of trials");
        }
        for text in [
            "100000000001",
            "1e12",
            "2e11",
            "1e400",
            "18446744073709551616",
            "1e99999999999999999999",
        ] {
            says(text, "at most 100,000,000,000 (1e11)");
        }
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
