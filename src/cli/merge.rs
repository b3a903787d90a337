//! `funding-gap merge PART...`: put the part files of a run's shards together and write the
//! run's files (summary.json, bands.csv, charts, reports, manifest.json), exactly as
//! `funding-gap run` with the same scenario, trials and seed writes them on one machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use funding_gap::report::{self, PartHeader};
use funding_gap::summary::Provenance;

use super::{AppError, Reports, RunOpts, parse_reports};

/// Merge the part files of a run's shards into the run's outputs
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  funding-gap run bench --trials 1e7 --shard 0/4 --out parts/   (and 1/4, 2/4, 3/4, anywhere)
  funding-gap merge parts/ --out output/bench/
  funding-gap merge parts/part-*-of-4.fgpart

The parts must come from one run (scenario files, --set overrides, trials, seed, shard count
and funding-gap build, all recorded in each part's header) and cover every shard exactly
once, in any order. Run merge where the shards ran: it reads the scenario again, from the
path the shards were given, and checks that it has not changed.")]
pub struct MergeArgs {
    /// Part files (`part-K-of-M.fgpart`), or folders holding them
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Output directory [default: output/<scenario name>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads for the percentile bands [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Chart formats: png,svg | png | svg | none
    #[arg(long, value_name = "FORMATS", default_value = "png,svg")]
    pub charts: String,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1200x800")]
    pub chart_size: String,
    /// Reports beside the data files: html,xlsx | html | xlsx | none
    #[arg(long, value_name = "KINDS", default_value = "html,xlsx", value_parser = parse_reports)]
    pub report: Reports,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Reads the parts, checks that they make one run, and writes its outputs.
///
/// # Errors
/// [`AppError::Usage`] for parts that do not make one run (naming the difference or the
/// missing shards) or a scenario that changed; [`AppError::Part`] for an unreadable part;
/// then as a run.
pub fn execute(args: &MergeArgs) -> Result<(), AppError> {
    if let Some(points) = point_files(&args.parts)? {
        return merge_sweep(args, &points);
    }
    let files = part_files(&args.parts)?;
    let headers = files
        .iter()
        .map(|f| report::read_part_header(f).map(|h| (f.clone(), h)))
        .collect::<Result<Vec<_>, _>>()?;
    let first = check_one_run(&headers)?;
    let source = (!first.source.is_empty()).then_some(first.source.as_str());
    let set = &first.provenance.overrides;
    let model = super::load_and_compile(source, set, args.quiet).map_err(|e| match e {
        AppError::NoScenario(..) | AppError::Read { .. } => AppError::Usage(format!(
            "{e}\nthe shards read the scenario '{}' from their working directory: run merge from the same one",
            first.source
        )),
        other => other,
    })?;
    same_scenario_and_build(&first, &Provenance::of(&model))?;
    let mut parts = Vec::with_capacity(files.len());
    for f in &files {
        parts.push(report::read_part(f)?.1);
    }
    let opts = RunOpts {
        trials: Some(first.trials),
        seed: Some(first.seed),
        threads: args.threads,
        out: args.out.clone(),
        set: set.clone(),
        save_trials: None,
        shard: None,
        report: args.report,
        charts: args.charts.clone(),
        chart_size: args.chart_size.clone(),
        quiet: args.quiet,
        sampling: super::SamplingArg::of(first.sampling),
        replicates: first.replicates.max(1),
        ..RunOpts::plain()
    };
    let charts = super::chart_options(&opts)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(model.name()));
    super::run::run_one(&model, &opts, &charts, &dir, Some(parts))
}

/// The sweep point files named (`point-K-of-N.json`, or folders holding them and no part
/// files), or `None` when the arguments are parts of a run.
fn point_files(args: &[PathBuf]) -> Result<Option<Vec<PathBuf>>, AppError> {
    let is_point = |p: &Path| {
        p.extension().is_some_and(|x| x == "json")
            && p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("point-"))
    };
    let mut files = Vec::new();
    for a in args {
        if a.is_dir() {
            let Ok(read) = std::fs::read_dir(a) else {
                return Ok(None);
            };
            let mut found: Vec<PathBuf> = read
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| is_point(p))
                .collect();
            if found.is_empty() {
                return Ok(None);
            }
            found.sort();
            files.append(&mut found);
        } else if a.extension().is_some_and(|x| x == "json") {
            files.push(a.clone());
        } else {
            return Ok(None);
        }
    }
    Ok(Some(files))
}

/// Merges the point files of a sweep run as jobs (`sweep --point K`) into the sweep's files,
/// as `sweep` on one machine writes them (the seek of a `--target`, if any, runs here).
fn merge_sweep(args: &MergeArgs, files: &[PathBuf]) -> Result<(), AppError> {
    use super::sweep::{PointFile, SweepArgs, execute_with, point_file_name};
    let mut points: Vec<(PathBuf, PointFile)> = Vec::with_capacity(files.len());
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| AppError::Read {
            path: f.display().to_string(),
            what: "a sweep point file",
            reason: funding_gap::scenario::io_reason(&e),
        })?;
        let p: PointFile = serde_json::from_str(&text).map_err(|e| {
            AppError::Usage(format!(
                "'{}' is not a sweep point file ({e}): give the point-K-of-N.json files that `funding-gap sweep --point K` writes",
                f.display()
            ))
        })?;
        points.push((f.clone(), p));
    }
    let Some((f0, p0)) = points.first() else {
        return Err(AppError::Usage("no point files given".to_string()));
    };
    let name = |p: &Path| p.display().to_string();
    for (f, p) in &points {
        let differs = if p.format != p0.format {
            Some("format")
        } else if p.scenario != p0.scenario || p.source != p0.source {
            Some("scenario")
        } else if p.set != p0.set {
            Some("--set")
        } else if p.target != p0.target {
            Some("--target")
        } else if p.trials != p0.trials {
            Some("trials")
        } else if p.seed != p0.seed {
            Some("seed")
        } else if p.points != p0.points {
            Some("number of points")
        } else if p.provenance != p0.provenance {
            Some("scenario files or funding-gap build")
        } else {
            None
        };
        if let Some(what) = differs {
            return Err(AppError::Usage(format!(
                "the points come from different sweeps: their {what} differ ({} and {})",
                name(f0),
                name(f)
            )));
        }
    }
    let mut by_point: BTreeMap<u64, (&Path, &PointFile)> = BTreeMap::new();
    for (f, p) in &points {
        if let Some((other, _)) = by_point.insert(p.point, (f, p)) {
            return Err(AppError::Usage(format!(
                "point {} of {} is given twice: {} and {}",
                p.point,
                p0.points,
                name(other),
                name(f)
            )));
        }
    }
    let missing: Vec<u64> = (0..p0.points)
        .filter(|k| !by_point.contains_key(k))
        .collect();
    if let [k] = missing.as_slice() {
        return Err(AppError::Usage(format!(
            "point {k} of {n} is missing ({}); run it with sweep --point {k}, then merge again",
            point_file_name(*k, p0.points),
            n = p0.points
        )));
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).map(u64::to_string).collect();
        return Err(AppError::Usage(format!(
            "points {}{} of {} are missing ({} in all); run them with sweep --point K, then merge again",
            shown.join(", "),
            if missing.len() > shown.len() {
                ", ..."
            } else {
                ""
            },
            p0.points,
            missing.len()
        )));
    }
    let results = by_point
        .values()
        .map(|(f, p)| {
            p.decode()
                .map_err(|e| AppError::Usage(format!("'{}': {e}", name(f))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sweep = SweepArgs {
        scenario: p0.source.clone(),
        target: p0.target.clone(),
        point: None,
        opts: RunOpts {
            trials: Some(p0.trials),
            seed: Some(p0.seed),
            threads: args.threads,
            out: args.out.clone(),
            set: p0.set.clone(),
            save_trials: None,
            shard: None,
            report: args.report,
            charts: args.charts.clone(),
            chart_size: args.chart_size.clone(),
            quiet: args.quiet,
            ..RunOpts::plain()
        },
    };
    // The scenario as read now must be the one the points ran.
    let model = super::load_and_compile(Some(&p0.source), &[], true)?;
    let now = Provenance::of(&model);
    if now.scenario_files != p0.provenance.scenario_files
        || (&now.version, &now.git_commit) != (&p0.provenance.version, &p0.provenance.git_commit)
    {
        return Err(AppError::Usage(format!(
            "the scenario or the build changed since the points ran: they read {} with {}, merge reads {} with {}",
            describe_files(&p0.provenance),
            describe_build(&p0.provenance),
            describe_files(&now),
            describe_build(&now)
        )));
    }
    execute_with(&sweep, Some(results))
}

/// The part files named: files as given, folders as the `.fgpart` files in them (sorted).
fn part_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, AppError> {
    let mut files = Vec::new();
    for a in args {
        if a.is_dir() {
            let read = std::fs::read_dir(a).map_err(|e| AppError::Read {
                path: a.display().to_string(),
                what: "a folder of part files",
                reason: funding_gap::scenario::io_reason(&e),
            })?;
            let mut found: Vec<PathBuf> = read
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == report::PART_EXTENSION))
                .collect();
            if found.is_empty() {
                return Err(AppError::Usage(format!(
                    "'{}' holds no .{} files: give the folder that `funding-gap run --shard K/M --out DIR` wrote to",
                    a.display(),
                    report::PART_EXTENSION
                )));
            }
            found.sort();
            files.append(&mut found);
        } else {
            files.push(a.clone());
        }
    }
    Ok(files)
}

/// Checks that the headers are of one run and name every shard once; returns the first.
fn check_one_run(headers: &[(PathBuf, PartHeader)]) -> Result<PartHeader, AppError> {
    let Some((f0, h0)) = headers.first() else {
        return Err(AppError::Usage("no part files given".to_string()));
    };
    let name = |p: &Path| p.display().to_string();
    for (f, h) in &headers[1..] {
        let differs: Option<(&str, String, String)> = if h.scenario != h0.scenario {
            Some(("scenario", h0.scenario.clone(), h.scenario.clone()))
        } else if h.provenance.scenario_files != h0.provenance.scenario_files {
            Some((
                "scenario files",
                describe_files(&h0.provenance),
                describe_files(&h.provenance),
            ))
        } else if h.provenance.overrides != h0.provenance.overrides {
            Some((
                "--set overrides",
                format!("{:?}", h0.provenance.overrides),
                format!("{:?}", h.provenance.overrides),
            ))
        } else if h.trials != h0.trials {
            Some(("trials", h0.trials.to_string(), h.trials.to_string()))
        } else if h.seed != h0.seed {
            Some(("seed", h0.seed.to_string(), h.seed.to_string()))
        } else if (h.sampling, h.replicates) != (h0.sampling, h0.replicates) {
            Some(("sampling", describe_sampling(h0), describe_sampling(h)))
        } else if h.shards != h0.shards {
            Some((
                "number of shards",
                h0.shards.to_string(),
                h.shards.to_string(),
            ))
        } else if (&h.provenance.version, &h.provenance.git_commit)
            != (&h0.provenance.version, &h0.provenance.git_commit)
        {
            Some((
                "funding-gap build",
                describe_build(&h0.provenance),
                describe_build(&h.provenance),
            ))
        } else {
            None
        };
        if let Some((what, a, b)) = differs {
            return Err(AppError::Usage(format!(
                "the parts come from different runs, {what}: {a} in {}, {b} in {}",
                name(f0),
                name(f)
            )));
        }
    }
    let mut by_shard: BTreeMap<u64, &Path> = BTreeMap::new();
    for (f, h) in headers {
        if let Some(other) = by_shard.insert(h.shard, f) {
            return Err(AppError::Usage(format!(
                "shard {} of {} is given twice: {} and {}",
                h.shard,
                h0.shards,
                name(other),
                name(f)
            )));
        }
    }
    let missing: Vec<u64> = (0..h0.shards)
        .filter(|k| !by_shard.contains_key(k))
        .collect();
    if let [k] = missing.as_slice() {
        return Err(AppError::Usage(format!(
            "shard {k} of {m} is missing ({}); run it with --shard {k}/{m}, then merge again",
            report::part_file_name(*k, h0.shards),
            m = h0.shards
        )));
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).map(u64::to_string).collect();
        return Err(AppError::Usage(format!(
            "shards {}{} of {m} are missing ({} in all); run them with --shard K/{m}, then merge again",
            shown.join(", "),
            if missing.len() > shown.len() {
                ", ..."
            } else {
                ""
            },
            missing.len(),
            m = h0.shards
        )));
    }
    Ok(h0.clone())
}

/// Checks that the scenario as read now, and this build, are those the shards ran with.
fn same_scenario_and_build(h: &PartHeader, now: &Provenance) -> Result<(), AppError> {
    if now.scenario_files != h.provenance.scenario_files {
        return Err(AppError::Usage(format!(
            "the scenario changed since the shards ran: they read {}, merge reads {}",
            describe_files(&h.provenance),
            describe_files(now)
        )));
    }
    if (&now.version, &now.git_commit) != (&h.provenance.version, &h.provenance.git_commit) {
        return Err(AppError::Usage(format!(
            "the parts were written by {}, this is {}: merge with the build that ran the shards (results depend on it)",
            describe_build(&h.provenance),
            describe_build(now)
        )));
    }
    Ok(())
}

/// "a.toml (sha256 1234abcd…), b.toml (…)".
/// `mc`, or `rqmc (16 replicates)`.
fn describe_sampling(h: &PartHeader) -> String {
    match h.sampling {
        funding_gap::qmc::Method::Mc => "mc".to_string(),
        m => format!("{m} ({} replicates)", h.replicates),
    }
}

fn describe_files(p: &Provenance) -> String {
    p.scenario_files
        .iter()
        .map(|f| {
            format!(
                "{} (sha256 {}…)",
                f.path,
                &f.sha256[..f.sha256.len().min(12)]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "funding-gap 0.1.0 (commit abc…)".
fn describe_build(p: &Provenance) -> String {
    match &p.git_commit {
        Some(c) => format!("funding-gap {} (commit {c})", p.version),
        None => format!("funding-gap {}", p.version),
    }
}
