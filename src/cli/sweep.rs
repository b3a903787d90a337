//! `funding-gap sweep`: one scenario across values of one input, optionally solved for a
//! target.

use std::io::{IsTerminal, Write};

use clap::Args;
use funding_gap::analysis::{self, Target};
use funding_gap::chart;
use funding_gap::model::{self, Model};
use funding_gap::report;
use funding_gap::scenario::ScenarioError;
use funding_gap::summary;

use super::{AppError, INTERRUPTED, RunOpts};

/// Run one scenario across values of one input; optionally solve for a target
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap sweep base --set rounds.2026.participants.amazon.amount=10:50:5\n  funding-gap sweep base --set ipo.probability=0,0.25,0.5,0.75,1\n  funding-gap sweep base --set cash.initial=40:400:10 --target \"shortfall_probability_2030<=0.1\"\n\nThe swept --set is the one whose value is LO:HI:N or a list V1,V2,...; other --set are plain overrides.\nTargets: shortfall_probability, shortfall_probability_<year>, gap_mean, gap_p50, gap_p90, gap_p95 with <= or >=.\nOutputs (default output/sweep-SCENARIO/): sweep.csv, sweep.json, report.html (unless --report none), sweep chart.",
    mut_arg("trials", |a| a.help("Trials per swept value, e.g. 20000 or 2e4; at most 1e11 [default: 20000, not the scenario's [run] trials]")),
    mut_arg("out", |a| a.help("Output directory [default: output/sweep-<scenario name>/]")),
)]
pub struct SweepArgs {
    /// Scenario file or name
    pub scenario: String,
    /// Find the smallest value that meets this, e.g. "shortfall_probability<=0.1"
    #[arg(long, value_name = "METRIC<=X")]
    pub target: Option<String>,
    /// Run only the K-th swept value (0 ≤ K < N, as Slurm numbers array tasks) and write
    /// DIR/point-K-of-N.json [default DIR: output/sweep-<name>/points/]; `funding-gap merge
    /// DIR` then writes the sweep's files, as the sweep on one machine does
    #[arg(long, value_name = "K")]
    pub point: Option<u64>,
    /// Run options (trials per value).
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Trials per value without `--trials`: a sweep runs the scenario once per value, so it
/// takes fewer than a `run` (its help says so).
const TRIALS_PER_VALUE: u64 = 20_000;

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
            let (path, values) = analysis::parse_sweep(one).map_err(AppError::Usage)?;
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

/// The scenario with the swept input at `v`; its errors quote the --set as the user wrote it.
fn variant(arg: &str, swept: &Swept, fixed: &[String], v: f64) -> Result<Model, AppError> {
    let applied = format!("{}={v}", swept.path);
    let at = format!("{} = {}", swept.path, funding_gap::dist::fmt_num(v));
    let blame = |e: ScenarioError| e.blame_override(&applied, &swept.written, &at);
    let mut set = fixed.to_vec();
    set.push(applied.clone());
    let s = super::load(Some(arg), &set).map_err(|e| match e {
        AppError::Scenario(e) => AppError::Scenario(blame(e)),
        other => other,
    })?;
    Ok(model::compile(&s).map_err(blame)?)
}

/// Runs the sweep and writes sweep.csv, sweep.json, its chart and report.html.
///
/// # Errors
/// A bad option, swept value or target, a failed run, an output that cannot be written.
pub fn execute(args: &SweepArgs) -> Result<(), AppError> {
    execute_with(args, None)
}

/// The version of a point file's layout.
const POINT_FORMAT: u32 = 1;

/// What a point file says of itself.
const POINT_KIND: &str = "funding-gap sweep point";

/// One point of a sweep run as its own job (`sweep --point K`), for `merge`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PointFile {
    /// [`POINT_FORMAT`].
    pub format: u32,
    /// [`POINT_KIND`].
    pub kind: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario as named on the command line; `merge` loads it from there.
    pub source: String,
    /// Every `--set`, the swept one included, as typed.
    pub set: Vec<String>,
    /// `--target`, as typed.
    pub target: Option<String>,
    /// Trials per value.
    pub trials: u64,
    /// The seed.
    pub seed: u64,
    /// The scenario's files and hashes, the overrides, the build.
    pub provenance: summary::Provenance,
    /// This point's index K.
    pub point: u64,
    /// The number of swept values N.
    pub points: u64,
    /// The swept input's value here.
    pub value: f64,
    /// The point's results in postcard's encoding, hex: every float's bits, NaN included,
    /// which JSON numbers cannot carry.
    pub result: String,
}

impl PointFile {
    /// The point's results.
    ///
    /// # Errors
    /// A message if the hex or its encoding is damaged.
    pub fn decode(&self) -> Result<analysis::SweepPoint, String> {
        let bytes = (0..self.result.len())
            .step_by(2)
            .map(|i| {
                self.result
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| "its result is not hex".to_string())?;
        postcard::from_bytes(&bytes).map_err(|e| format!("its result cannot be decoded: {e}"))
    }
}

/// The file name of point `k` of `n`: `point-K-of-N.json`, K zero-padded to sort.
pub fn point_file_name(k: u64, n: u64) -> String {
    let width = n.saturating_sub(1).max(1).to_string().len();
    format!("point-{k:0width$}-of-{n}.json")
}

/// Runs the sweep of `args`; with `merged` (from `merge`), its points are those and only the
/// seek, if any, runs.
///
/// # Errors
/// As [`execute`].
pub fn execute_with(
    args: &SweepArgs,
    merged: Option<Vec<analysis::SweepPoint>>,
) -> Result<(), AppError> {
    let (opts, arg) = (&args.opts, args.scenario.as_str());
    super::run_only_options(opts, "sweep")?;
    let (swept, fixed) = split_sweep(&opts.set)?;
    let target = args
        .target
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(AppError::Usage)?;
    let charts = super::chart_options(opts)?;
    // Check every value, and the target against each, before anything runs or is written.
    let check = |m: &Model| -> Result<(), AppError> {
        match &target {
            Some(t) => t
                .check_report_years(m.name(), &m.scenario.time.report_years)
                .map_err(AppError::Usage),
            None => Ok(()),
        }
    };
    let Some((&lowest, rest)) = swept.values.split_first() else {
        return Err(AppError::Usage(format!(
            "--set {}: no values to sweep",
            swept.written
        )));
    };
    let first = variant(arg, &swept, &fixed, lowest)?;
    check(&first)?;
    for &v in rest {
        check(&variant(arg, &swept, &fixed, v)?)?;
    }
    let build = |v: f64| -> Result<Model, ScenarioError> {
        variant(arg, &swept, &fixed, v).map_err(|e| match e {
            AppError::Scenario(e) => e,
            // Only if the scenario file went away after the check above.
            other => ScenarioError::Read {
                path: arg.to_string(),
                extended_by: None,
                reason: other.to_string(),
            },
        })
    };
    let cfg = super::run_config(
        &RunOpts {
            trials: Some(opts.trials.unwrap_or(TRIALS_PER_VALUE)),
            ..opts.clone()
        },
        &first,
    )?;
    if let Some(k) = args.point {
        return write_point(args, &swept, &build, &cfg, &first, k);
    }
    let dir = super::out_dir(opts, &format!("sweep-{}", first.name()));
    let folder = super::open_out(&dir, opts.quiet)?;
    let show = !opts.quiet && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show {
            let end = if done == total { "\n" } else { "" };
            let _ = write!(std::io::stderr(), "\r  swept {done} of {total} values{end}");
        }
    };
    let provenance = summary::Provenance {
        overrides: opts.set.clone(),
        ..summary::Provenance::of(&first)
    };
    let result = match merged {
        Some(points) => analysis::assemble(
            first.name(),
            provenance,
            &swept.path,
            points,
            &build,
            &cfg,
            target.as_ref(),
            Some(&INTERRUPTED),
        ),
        None => analysis::sweep(
            first.name(),
            provenance,
            &swept.path,
            &swept.values,
            &build,
            &cfg,
            target.as_ref(),
            &progress,
            Some(&INTERRUPTED),
        ),
    };
    // A sweep stopped between its runs says so in the words of any interruption.
    super::interrupted()?;
    let result = result?;
    let staging = folder.staging();
    report::write_atomic(
        &staging.join("sweep.csv"),
        report::sweep_csv(&result).as_bytes(),
    )?;
    report::write_json(&staging.join("sweep.json"), &result)?;
    let written = chart::render_sweep(&result, staging, &charts)?;
    let mut files = vec!["sweep.csv", "sweep.json"];
    if opts.report.html {
        let figures = chart::sweep_figures(&result, &charts)?;
        let page = report::html::render_sweep(&result, &figures);
        report::html::write_report(staging, &page)?;
        files.push(report::REPORT_FILE);
    }
    super::interrupted()?;
    folder.commit()?;
    if !opts.quiet {
        out!("{}", report::render_sweep(&result))?;
        super::print_written(&files, written.len(), &dir)?;
    }
    Ok(())
}

/// `sweep --point K`: runs the K-th swept value and writes its point file.
fn write_point(
    args: &SweepArgs,
    swept: &Swept,
    build: &analysis::Builder<'_>,
    cfg: &funding_gap::engine::RunConfig,
    first: &Model,
    k: u64,
) -> Result<(), AppError> {
    let opts = &args.opts;
    let n = swept.values.len() as u64;
    let Some(&value) = usize::try_from(k).ok().and_then(|i| swept.values.get(i)) else {
        return Err(AppError::Usage(format!(
            "--point {k}: --set {} has {n} values, numbered 0 to {}",
            swept.written,
            n - 1
        )));
    };
    let point = analysis::point(build, value, cfg, Some(&INTERRUPTED))?;
    super::interrupted()?;
    let bytes = postcard::to_stdvec(&point)
        .map_err(|e| AppError::Usage(format!("cannot encode the point's results: {e}")))?;
    let file = PointFile {
        format: POINT_FORMAT,
        kind: POINT_KIND.to_string(),
        scenario: first.name().to_string(),
        source: args.scenario.clone(),
        set: opts.set.clone(),
        target: args.target.clone(),
        trials: cfg.trials,
        seed: cfg.seed,
        provenance: summary::Provenance {
            overrides: opts.set.clone(),
            ..summary::Provenance::of(first)
        },
        point: k,
        points: n,
        value,
        result: bytes.iter().map(|b| format!("{b:02x}")).collect(),
    };
    let dir = opts.out.clone().unwrap_or_else(|| {
        std::path::PathBuf::from("output")
            .join(format!("sweep-{}", first.name()))
            .join("points")
    });
    report::ensure_dir(&dir)?;
    let path = report::write_json(&dir.join(point_file_name(k, n)), &file)?;
    if !opts.quiet {
        outln!(
            "Point {k} of {n}: {} = {}",
            swept.path,
            funding_gap::dist::fmt_num(value)
        )?;
        outln!("  Wrote {}", path.display())?;
        outln!(
            "  Once all {n} points are done: funding-gap merge {}",
            dir.display()
        )?;
    }
    Ok(())
}
