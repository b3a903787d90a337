//! `funding-gap run SCENARIO --shard K/M`: run one shard of a run and write its part file
//! (and, with `--save-trials`, its share of trials.csv), for `funding-gap merge` to put
//! together. Shards of one run run anywhere (Slurm array tasks, several machines) as long as
//! `merge` can read all their part files.

use std::path::{Path, PathBuf};

use funding_gap::engine::{self, chunk_trials, shard_chunks};
use funding_gap::model::Model;
use funding_gap::report::{self, PartHeader};
use funding_gap::summary::Provenance;

use super::{AppError, INTERRUPTED, RunOpts, TrialsFormat};

/// The default folder of a scenario's part files.
pub fn default_parts_dir(model: &Model) -> PathBuf {
    PathBuf::from("output").join(model.name()).join("parts")
}

/// The file name of shard `k` of `m`'s share of trials.csv: `trials-K-of-M.csv`.
pub fn trials_file_name(k: u64, m: u64) -> String {
    report::part_file_name(k, m)
        .replacen("part-", "trials-", 1)
        .replace(&format!(".{}", report::PART_EXTENSION), ".csv")
}

/// Runs shard `k` of `m` of `model` (named `source` on the command line; `None` for the
/// built-in base) and writes its part file into `--out` (default [`default_parts_dir`]).
///
/// # Errors
/// As a run: options, the run, the files.
pub fn execute(
    model: &Model,
    source: Option<&str>,
    opts: &RunOpts,
    (k, m): (u64, u64),
) -> Result<(), AppError> {
    if opts.save_trials == Some(TrialsFormat::Parquet) {
        return Err(AppError::Usage(
            "--save-trials parquet: a shard writes its trials as CSV (trials-K-of-M.csv, which concatenate to the run's trials.csv); use --save-trials or --save-trials csv".to_string(),
        ));
    }
    if !opts.precision.is_empty() {
        return Err(AppError::Usage(
            "--precision with --shard: a shard runs a fixed share of a fixed --trials; find the trials with a --precision run, then shard a run of that many".to_string(),
        ));
    }
    let cfg = engine::RunConfig {
        save_trials: opts.save_trials.is_some(),
        ..super::run_config(opts, model)?
    };
    // The run's sampling plan (each trial's point depends on it, not on the shard).
    let model = &super::precision::sampled(model, opts, &cfg)?;
    let dir = opts.out.clone().unwrap_or_else(|| default_parts_dir(model));
    report::ensure_dir(&dir)?;
    let chunks = shard_chunks(cfg.trials, k, m);
    let trials = chunk_trials(cfg.trials, &chunks);
    let mut trials_csv = if cfg.save_trials {
        let columns = engine::trial_columns(model);
        Some(report::TrialsCsv::create_as(
            &dir,
            &trials_file_name(k, m),
            (k == 0).then_some(columns.as_slice()),
        )?)
    } else {
        None
    };
    let part = engine::simulate_part(
        model,
        &cfg,
        (k, m),
        &|_| {},
        trials_csv.as_mut().map(|w| w as &mut dyn engine::TrialSink),
        Some(&INTERRUPTED),
    )?;
    let header = PartHeader {
        format: report::PART_FORMAT,
        scenario: model.name().to_string(),
        source: source.unwrap_or_default().to_string(),
        provenance: Provenance::of(model),
        trials: cfg.trials,
        seed: cfg.seed,
        sampling: model.plan.method,
        replicates: model.plan.replicates,
        shard: k,
        shards: m,
        first_trial: trials.start,
        end_trial: trials.end,
        body_bytes: 0,
        body_sha256: String::new(),
    };
    super::interrupted()?;
    let mut written = vec![report::write_part(&dir, header, &part)?];
    if let Some(w) = trials_csv.take() {
        written.push(w.finish()?);
    }
    if !opts.quiet {
        print_written(&written, &trials, cfg.trials, (k, m), &dir)?;
    }
    Ok(())
}

/// The closing lines: what was written, and how to merge.
fn print_written(
    written: &[PathBuf],
    trials: &std::ops::Range<u64>,
    total: u64,
    (k, m): (u64, u64),
    dir: &Path,
) -> Result<(), AppError> {
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    outln!(
        "Shard {k} of {m}: trials {}..{} of {}",
        indicatif::HumanCount(trials.start),
        indicatif::HumanCount(trials.end),
        indicatif::HumanCount(total)
    )?;
    outln!("  Wrote {} to {}/", names.join(", "), dir.display())?;
    outln!(
        "  Once all {m} shards are done: funding-gap merge {}",
        dir.display()
    )
}
