//! The commands: each calls the library's stages in order and prints what a user reads.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use funding_gap::chart::{self, ChartError, ChartOptions};
use funding_gap::engine::{self, RunConfig, RunError};
use funding_gap::model::{self, Model};
use funding_gap::report::{self, ReportError};
use funding_gap::scenario::{self, Scenario, ScenarioError};
use funding_gap::summary;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::RunOpts;

/// Set by Ctrl-C: long runs stop at their next batch (a fraction of a second) and write nothing.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs the Ctrl-C handler (a second Ctrl-C ends the process at once).
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
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
    Analysis(#[from] funding_gap::analysis::AnalysisError),
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
    /// 2 for invalid input or usage, 1 for I/O and other failures, 130 when interrupted.
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
            | AppError::Read { .. } => 1,
            AppError::Analysis(a) => match a {
                funding_gap::analysis::AnalysisError::Run(RunError::Sink(_)) => 1,
                funding_gap::analysis::AnalysisError::Run(RunError::Cancelled { .. }) => 130,
                _ => 2,
            },
        }
    }
}

/// Loads a scenario named on the command line: a file, `scenarios/NAME.toml`, or the
/// built-in base.
fn load(arg: Option<&str>, set: &[String]) -> Result<Scenario, AppError> {
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
    let known: Vec<String> = std::fs::read_dir("scenarios")
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
    let mut known = known;
    known.sort();
    let hint = match scenario::did_you_mean(arg, known.iter().map(String::as_str)) {
        Some(s) => format!("; did you mean '{s}'?"),
        None if !known.is_empty() => format!(" (scenarios: {})", known.join(", ")),
        None => String::new(),
    };
    Err(AppError::NoScenario(arg.to_string(), hint))
}

fn load_and_compile(arg: Option<&str>, set: &[String], quiet: bool) -> Result<Model, AppError> {
    let s = load(arg, set)?;
    let m = model::compile(&s)?;
    if !quiet {
        for w in &m.warnings {
            eprintln!("warning: {}: {w}", m.scenario.origin);
        }
    }
    Ok(m)
}

/// `funding-gap validate`.
pub fn validate(args: &[String], set: &[String]) -> Result<(), AppError> {
    let mut bad = 0;
    for arg in args {
        match load_and_compile(Some(arg), set, false) {
            Ok(m) => println!(
                "ok: {} ({}: {} uncertain inputs, {} obligations, {} steps)",
                m.scenario.origin,
                m.name(),
                m.inputs.len(),
                m.scenario.obligations.len(),
                m.grid.n
            ),
            Err(e) => {
                bad += 1;
                for line in e.to_string().lines() {
                    eprintln!("error: {line}");
                }
            }
        }
    }
    match bad {
        0 => Ok(()),
        _ => Err(AppError::SomeInvalid(bad, args.len())),
    }
}

/// `funding-gap run` (and the bare command).
pub fn run(args: &[String], opts: &RunOpts) -> Result<(), AppError> {
    let names: Vec<Option<&str>> = if args.is_empty() {
        vec![None]
    } else {
        args.iter().map(|a| Some(a.as_str())).collect()
    };
    // Validate everything before running anything.
    let models = names
        .iter()
        .map(|a| load_and_compile(*a, &opts.set, opts.quiet))
        .collect::<Result<Vec<_>, _>>()?;
    let formats = chart::parse_formats(&opts.charts).map_err(AppError::Usage)?;
    let (width, height) = chart::parse_size(&opts.chart_size).map_err(AppError::Usage)?;
    let charts = ChartOptions {
        formats,
        width,
        height,
    };
    let several = models.len() > 1;
    for model in &models {
        let dir = match (&opts.out, several) {
            (Some(d), false) => d.clone(),
            (Some(d), true) => d.join(model.name()),
            (None, _) => PathBuf::from("output").join(model.name()),
        };
        run_one(model, opts, &charts, &dir)?;
    }
    Ok(())
}

fn run_one(
    model: &Model,
    opts: &RunOpts,
    charts: &ChartOptions,
    dir: &Path,
) -> Result<(), AppError> {
    let cfg = RunConfig {
        save_trials: opts.save_trials,
        ..run_config(opts, model)?
    };
    report::ensure_dir(dir)?;
    if let Some(old) = report::read_manifest(dir) {
        if old.scenario != model.name() && !opts.quiet {
            eprintln!(
                "warning: {} held the outputs of scenario '{}'; this run of '{}' replaces the files it writes, and manifest.json lists them",
                dir.display(),
                old.scenario,
                model.name()
            );
        }
    }
    let mut trials_csv = if cfg.save_trials {
        Some(report::TrialsCsv::create(
            dir,
            &engine::trial_columns(model),
        )?)
    } else {
        None
    };

    let show = !opts.quiet && std::io::stderr().is_terminal();
    let started = Instant::now();
    let bar: RefCell<Option<ProgressBar>> = RefCell::new(None);
    let progress = |done: u64| {
        if !show || done >= cfg.trials {
            return;
        }
        let mut bar = bar.borrow_mut();
        if bar.is_none() && started.elapsed() > Duration::from_millis(700) {
            let pb = ProgressBar::new(cfg.trials)
                .with_position(done)
                .with_elapsed(started.elapsed());
            pb.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:40}] {human_pos}/{human_len} trials, {elapsed} elapsed{msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            pb.set_prefix(model.name().to_string());
            *bar = Some(pb);
        }
        if let Some(pb) = bar.as_ref() {
            pb.set_position(done);
            // Trials run at a steady rate, so elapsed × remaining / done is a good estimate.
            let left =
                started.elapsed().as_secs_f64() * (cfg.trials - done) as f64 / done.max(1) as f64;
            pb.set_message(format!(
                ", about {} left",
                indicatif::HumanDuration(Duration::from_secs_f64(left))
            ));
        }
    };
    let result = engine::simulate(
        model,
        &cfg,
        &progress,
        trials_csv.as_mut().map(|w| w as &mut dyn engine::TrialSink),
        Some(&INTERRUPTED),
    );
    if let Some(pb) = bar.borrow_mut().take() {
        pb.finish_and_clear();
    }
    let result = result?;
    let summary = summary::summarize(model, &result);
    let mut written = Vec::new();
    for exporter in report::EXPORTERS {
        written.extend(exporter.export(&summary, dir)?);
    }
    if let Some(w) = trials_csv.take() {
        written.push(w.finish()?);
    }
    let chart_files = chart::render_all(&summary, dir, charts)?;
    let names = |paths: &[PathBuf]| -> Vec<String> {
        paths
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect()
    };
    let mut all = names(&written);
    all.extend(names(&chart_files));
    report::write_manifest(
        dir,
        &report::Manifest {
            scenario: model.name().to_string(),
            trials: cfg.trials,
            seed: cfg.seed,
            files: all,
        },
    )?;
    if !opts.quiet {
        print!("{}", report::render_table(&summary));
        let mut files: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        if !chart_files.is_empty() {
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
                chart::Chart::ALL.len(),
                formats.join(", ")
            ));
        }
        println!("\n  Wrote {} to {}/", files.join(", "), dir.display());
    }
    Ok(())
}

/// `funding-gap explain`.
pub fn explain(arg: &str, set: &[String], json: bool) -> Result<(), AppError> {
    let model = load_and_compile(Some(arg), set, false)?;
    let e = funding_gap::explain::explain(&model);
    if json {
        let text =
            serde_json::to_string_pretty(&e).map_err(|err| AppError::Usage(err.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", report::render_explanation(&e));
    }
    Ok(())
}

/// `funding-gap new`.
pub fn new(name: &str) -> Result<(), AppError> {
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        Path::new("scenarios").join(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plain = !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return Err(AppError::Usage(format!(
            "new {name}: a scenario name is letters, digits, '-', '_' or '.' (it names the output folder)"
        )));
    }
    if path.exists() {
        return Err(AppError::Usage(format!(
            "new {name}: '{}' already exists; choose another name or remove it first",
            path.display()
        )));
    }
    // `new` has no --out: name what it takes when a file stands where its folder must be.
    if let Some(file) = report::file_in_the_way(&path) {
        return Err(ReportError::Write {
            path: path.display().to_string(),
            reason: format!(
                "'{}' is a file, not a folder; give `new` a NAME (for scenarios/NAME.toml) or a path ending in .toml in a folder",
                file.display()
            ),
        }
        .into());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        report::ensure_dir(dir)?;
    }
    report::write_atomic(&path, scenario::template(&stem).as_bytes())?;
    println!(
        "Wrote {}: a complete scenario to edit. Check it with `funding-gap explain {}`, run it with `funding-gap run {}`.",
        path.display(),
        path.display(),
        path.display()
    );
    Ok(())
}

/// `funding-gap headlines`.
pub fn headlines(
    args: &[String],
    trials: u64,
    seed: u64,
    threads: Option<u16>,
    update: Option<&Path>,
) -> Result<(), AppError> {
    if trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    let models = args
        .iter()
        .map(|a| load_and_compile(Some(a), &[], true))
        .collect::<Result<Vec<_>, _>>()?;
    let cfg = RunConfig {
        trials,
        seed,
        threads: threads.map(usize::from),
        save_trials: false,
        worst: 0,
    };
    let mut summaries = Vec::new();
    for m in &models {
        let run = engine::simulate(m, &cfg, &|_| {}, None, None)?;
        summaries.push(summary::summarize(m, &run));
    }
    let command = format!(
        "funding-gap headlines {} --trials {trials} --seed {seed}{}",
        args.join(" "),
        update
            .map(|u| format!(" --update {}", u.display()))
            .unwrap_or_default()
    );
    let table = report::render_headlines(&summaries, &command);
    match update {
        None => print!("{table}"),
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| AppError::Read {
                path: file.display().to_string(),
                what: "the file to update",
                reason: scenario::io_reason(&e),
            })?;
            let updated = report::replace_between_markers(&text, &table).ok_or_else(|| {
                AppError::Usage(format!(
                    "{}: no `{}` … `{}` markers to put the table between",
                    file.display(),
                    report::HEADLINES_BEGIN,
                    report::HEADLINES_END
                ))
            })?;
            report::write_atomic(file, updated.as_bytes())?;
            println!("Updated the headline table in {}", file.display());
        }
    }
    Ok(())
}

fn chart_options(opts: &RunOpts) -> Result<ChartOptions, AppError> {
    let formats = chart::parse_formats(&opts.charts).map_err(AppError::Usage)?;
    let (width, height) = chart::parse_size(&opts.chart_size).map_err(AppError::Usage)?;
    Ok(ChartOptions {
        formats,
        width,
        height,
    })
}

fn run_config(opts: &RunOpts, model: &Model) -> Result<RunConfig, AppError> {
    let trials = opts.trials.unwrap_or(model.scenario.run.trials);
    if trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    Ok(RunConfig {
        trials,
        seed: opts.seed.unwrap_or(model.scenario.run.seed),
        threads: opts.threads.map(usize::from),
        save_trials: false,
        worst: 0,
    })
}

/// `funding-gap compare`.
pub fn compare(args: &[String], opts: &RunOpts) -> Result<(), AppError> {
    let models = args
        .iter()
        .map(|a| load_and_compile(Some(a), &opts.set, opts.quiet))
        .collect::<Result<Vec<_>, _>>()?;
    let charts = chart_options(opts)?;
    let cfg = run_config(opts, &models[0])?;
    let names: Vec<&str> = models.iter().map(|m| m.name()).collect();
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("compare-{}", names.join("-vs-"))));
    report::ensure_dir(&dir)?;
    let c = funding_gap::analysis::compare(&models, &cfg, &|_| {})?;
    write_json(&dir, "comparison.json", &c)?;
    let written = chart::render_comparison(&c, &dir, &charts)?;
    if !opts.quiet {
        print!("{}", report::render_comparison(&c));
        print_written(&["comparison.json"], written.len(), &dir);
    }
    Ok(())
}

fn write_json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), AppError> {
    let json = serde_json::to_string_pretty(value).map_err(|e| AppError::Usage(e.to_string()))?;
    report::write_atomic(&dir.join(name), format!("{json}\n").as_bytes())?;
    Ok(())
}

fn print_written(files: &[&str], charts: usize, dir: &Path) {
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

/// The swept `--set` of a sweep.
struct Swept {
    /// The argument as the user wrote it, e.g. `ipo.probability=0:1:3`: errors quote it.
    written: String,
    /// The input's path.
    path: String,
    /// The values, ascending.
    values: Vec<f64>,
}

/// Splits `--set` arguments into the swept one (values LO:HI:N or V1,V2,...) and the others.
fn split_sweep(set: &[String]) -> Result<(Swept, Vec<String>), AppError> {
    let mut sweeps = Vec::new();
    let mut fixed = Vec::new();
    for s in set {
        let value = s.split_once('=').map_or("", |(_, v)| v.trim());
        let looks_swept = !value.starts_with('{')
            && (value.split(':').count() == 3 || (value.contains(',') && !value.starts_with('[')));
        if looks_swept {
            sweeps.push(s);
        } else {
            fixed.push(s.clone());
        }
    }
    match sweeps.as_slice() {
        [one] => {
            let (path, values) =
                funding_gap::analysis::parse_sweep(one).map_err(AppError::Usage)?;
            let written = one.to_string();
            Ok((
                Swept {
                    written,
                    path,
                    values,
                },
                fixed,
            ))
        }
        [] => Err(AppError::Usage(
            "sweep needs one --set PATH=LO:HI:N or --set PATH=V1,V2,... naming the input to sweep"
                .to_string(),
        )),
        _ => Err(AppError::Usage(format!(
            "sweep takes one swept input, got {}: {}",
            sweeps.len(),
            sweeps
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `funding-gap sweep`.
pub fn sweep(arg: &str, target: Option<&str>, opts: &RunOpts) -> Result<(), AppError> {
    let (swept, fixed) = split_sweep(&opts.set)?;
    let Swept {
        written: swept_arg,
        path,
        values,
    } = &swept;
    let target = target
        .map(funding_gap::analysis::Target::parse)
        .transpose()
        .map_err(AppError::Usage)?;
    let charts = chart_options(opts)?;
    // The scenario with the swept input at `v`; its errors quote the --set as the user wrote it.
    let variant = |v: f64| -> Result<Model, AppError> {
        let applied = format!("{path}={v}");
        let at = format!("{path} = {}", funding_gap::dist::fmt_num(v));
        let blame = |e: ScenarioError| e.blame_override(&applied, swept_arg, &at);
        let mut set = fixed.clone();
        set.push(applied.clone());
        let s = load(Some(arg), &set).map_err(|e| match e {
            AppError::Scenario(e) => AppError::Scenario(blame(e)),
            other => other,
        })?;
        Ok(model::compile(&s).map_err(blame)?)
    };
    // Check every value, and the target against each, before anything runs or is written.
    let check = |m: &Model| -> Result<(), AppError> {
        match &target {
            Some(t) => t
                .check_report_years(m.name(), &m.scenario.time.report_years)
                .map_err(AppError::Usage),
            None => Ok(()),
        }
    };
    let Some((&lowest, rest)) = values.split_first() else {
        return Err(AppError::Usage(format!(
            "--set {swept_arg}: no values to sweep"
        )));
    };
    let first = variant(lowest)?;
    check(&first)?;
    for &v in rest {
        check(&variant(v)?)?;
    }
    let build = |v: f64| -> Result<Model, ScenarioError> {
        variant(v).map_err(|e| match e {
            AppError::Scenario(e) => e,
            // Only if the scenario file went away after the check above.
            other => ScenarioError::Read {
                path: arg.to_string(),
                extended_by: None,
                reason: other.to_string(),
            },
        })
    };
    let cfg = run_config(
        &RunOpts {
            trials: Some(opts.trials.unwrap_or(20_000)),
            ..opts.clone()
        },
        &first,
    )?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("sweep-{}", first.name())));
    report::ensure_dir(&dir)?;
    let show = !opts.quiet && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show {
            eprint!("\r  swept {done} of {total} values");
            if done == total {
                eprintln!();
            }
        }
    };
    let result = funding_gap::analysis::sweep(
        first.name(),
        path,
        values,
        &build,
        &cfg,
        target.as_ref(),
        &progress,
    )?;
    report::write_atomic(
        &dir.join("sweep.csv"),
        report::sweep_csv(&result).as_bytes(),
    )?;
    write_json(&dir, "sweep.json", &result)?;
    let written = chart::render_sweep(&result, &dir, &charts)?;
    if !opts.quiet {
        print!("{}", report::render_sweep(&result));
        print_written(&["sweep.csv", "sweep.json"], written.len(), &dir);
    }
    Ok(())
}

/// `funding-gap trace`.
pub fn trace(
    arg: &str,
    trial: Option<u64>,
    worst: Option<usize>,
    trials: Option<u64>,
    seed: Option<u64>,
    set: &[String],
    json: bool,
) -> Result<(), AppError> {
    let model = load_and_compile(Some(arg), set, json)?;
    let seed = seed.unwrap_or(model.scenario.run.seed);
    if let Some(n) = trial {
        let t = funding_gap::analysis::trace(&model, seed, n);
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&t).map_err(|e| AppError::Usage(e.to_string()))?
            );
        } else {
            print!("{}", report::render_trace(&t));
        }
        return Ok(());
    }
    let k = worst.unwrap_or(10);
    if k == 0 {
        return Err(AppError::Usage("--worst must be at least 1".to_string()));
    }
    let cfg = RunConfig {
        trials: trials.unwrap_or(model.scenario.run.trials),
        seed,
        threads: None,
        save_trials: false,
        worst: k,
    };
    if cfg.trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    let (summary, list) = funding_gap::analysis::worst(&model, &cfg, k)?;
    let traces: Vec<_> = list
        .iter()
        .map(|(t, _)| funding_gap::analysis::trace(&model, seed, *t))
        .collect();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&traces).map_err(|e| AppError::Usage(e.to_string()))?
        );
    } else {
        print!("{}", report::render_worst(&summary, &list, &traces));
    }
    Ok(())
}

/// Peak resident memory of this process since the last reset, in MB (Linux; None elsewhere).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak-memory mark (Linux: writing 5 to /proc/self/clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One row of `bench`: medians over the repeats, and the range of the wall times.
#[derive(serde::Serialize)]
struct BenchRow {
    threads: usize,
    seconds: f64,
    seconds_min: f64,
    seconds_max: f64,
    trials_per_second: f64,
    trial_steps_per_second: f64,
    ns_per_trial: f64,
    speedup: f64,
    peak_memory_mb: Option<f64>,
    rng_floor_seconds: f64,
    efficiency: f64,
}

/// The median of `v` (the mean of the middle two for an even count); NaN when empty.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

/// `funding-gap bench`.
pub fn bench(
    arg: Option<&str>,
    trials: u64,
    seed: u64,
    max_threads: Option<u16>,
    repeat: u16,
    json: bool,
) -> Result<(), AppError> {
    if trials == 0 {
        return Err(AppError::Usage(
            "--trials must be at least 1 (got 0)".to_string(),
        ));
    }
    let model = load_and_compile(Some(arg.unwrap_or("bench")), &[], true)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let top = max_threads.map_or(cores, usize::from);
    let repeat = usize::from(repeat.max(1));
    // Per thread count: wall times, RNG floors, peak memory. Rounds go over every thread
    // count in turn, so a slow stretch of the machine touches all of them alike.
    let mut walls = vec![Vec::with_capacity(repeat); top];
    let mut floors = vec![Vec::with_capacity(repeat); top];
    let mut peaks: Vec<Option<f64>> = vec![None; top];
    for _ in 0..repeat {
        for threads in 1..=top {
            let cfg = RunConfig {
                trials,
                seed,
                threads: Some(threads),
                save_trials: false,
                worst: 0,
            };
            let floor_started = Instant::now();
            std::hint::black_box(engine::rng_floor(&model, trials, seed, Some(threads))?);
            floors[threads - 1].push(floor_started.elapsed().as_secs_f64());
            reset_peak();
            let started = Instant::now();
            let run = engine::simulate(&model, &cfg, &|_| {}, None, None)?;
            let summary = summary::summarize(&model, &run);
            walls[threads - 1].push(started.elapsed().as_secs_f64());
            std::hint::black_box(summary.gap.mean);
            drop((run, summary));
            if let Some(mb) = peak_mb() {
                let p = &mut peaks[threads - 1];
                *p = Some(p.map_or(mb, |q| q.max(mb)));
            }
        }
    }
    let mut rows: Vec<BenchRow> = Vec::with_capacity(top);
    for threads in 1..=top {
        let w = &mut walls[threads - 1];
        let seconds = median(w);
        let floor = median(&mut floors[threads - 1]);
        let base = rows.first().map_or(seconds, |r| r.seconds);
        rows.push(BenchRow {
            threads,
            seconds,
            seconds_min: w[0],
            seconds_max: w[w.len() - 1],
            trials_per_second: trials as f64 / seconds,
            trial_steps_per_second: trials as f64 * model.grid.n as f64 / seconds,
            ns_per_trial: seconds * 1e9 / trials as f64,
            speedup: base / seconds,
            peak_memory_mb: peaks[threads - 1],
            rng_floor_seconds: floor,
            efficiency: floor / seconds,
        });
    }
    if json {
        let v = serde_json::json!({
            "scenario": model.name(),
            "trials": trials,
            "seed": seed,
            "steps": model.grid.n,
            "cores": cores,
            "repeat": repeat,
            "rows": rows,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| AppError::Usage(e.to_string()))?
        );
        return Ok(());
    }
    println!(
        "funding-gap bench — {}: {} trials × {} steps, seed {}, {} cores, {} run{} per thread count\n  (release build: cargo run --release -- bench)\n",
        model.name(),
        trials,
        model.grid.n,
        seed,
        cores,
        repeat,
        if repeat == 1 { "" } else { "s" },
    );
    println!(
        "  {:>7} {:>9} {:>15} {:>12} {:>16} {:>10} {:>9} {:>10} {:>11} {:>11}",
        "threads",
        "wall, s",
        "range, s",
        "trials/s",
        "trial-steps/s",
        "ns/trial",
        "speed-up",
        "peak, MB",
        "RNG floor",
        "efficiency"
    );
    for r in &rows {
        println!(
            "  {:>7} {:>9.3} {:>15} {:>12.0} {:>16.0} {:>10.0} {:>8.2}× {:>10} {:>10.3}s {:>10.0}%",
            r.threads,
            r.seconds,
            format!("{:.3}–{:.3}", r.seconds_min, r.seconds_max),
            r.trials_per_second,
            r.trial_steps_per_second,
            r.ns_per_trial,
            r.speedup,
            r.peak_memory_mb
                .map_or("–".to_string(), |m| format!("{m:.0}")),
            r.rng_floor_seconds,
            100.0 * r.efficiency
        );
    }
    println!(
        "\n  wall: the median run of simulate + summarize (no files, no charts); range: the fastest and\n  slowest run. Runs go in rounds over the thread counts, so a slow stretch of the machine\n  touches every row. RNG floor: the same random draws alone, on the same threads (median);\n  efficiency = floor / wall. Peak memory: the process's resident high-water mark during a run\n  (reset before each; the highest of the runs)."
    );
    Ok(())
}
