//! A run's simulation: one round of `--trials`, or with `--precision` deterministic rounds
//! until every target holds or `--max-trials` is reached.
//!
//! Each round is a whole run of its trials (so its results are exactly those of `run --trials
//! N` for the N it took, at any thread count). The first round predicts the trials each target
//! needs from its measure's n^(−1/2) scaling; the next round has the first round's trials times
//! the smallest power of two that covers the prediction (at least 2), capped at --max-trials.

use funding_gap::engine::{self, RunConfig, TrialSink};
use funding_gap::model::Model;
use funding_gap::qmc::Plan;
use funding_gap::report::format::thousands;
use funding_gap::summary::precision::{PrecisionOutcome, TargetOutcome};
use funding_gap::summary::{self, Summary};

use super::run::Progress;
use super::{AppError, INTERRUPTED, RunOpts};

/// The largest default cap of a precision run.
const DEFAULT_CAP: u64 = 1_000_000_000;

/// `model` sampled as `opts` asks (`--sampling`, `--replicates`) for a run of `cfg`.
///
/// # Errors
/// [`AppError::Usage`] for a plan that cannot be made (too few replicates, more replicates
/// than trials).
pub fn sampled(model: &Model, opts: &RunOpts, cfg: &RunConfig) -> Result<Model, AppError> {
    let mut m = model.clone();
    m.set_sampling(
        opts.sampling.method(),
        opts.replicates,
        cfg.trials,
        cfg.seed,
    )
    .map_err(|e| AppError::Usage(e.to_string()))?;
    Ok(m)
}

/// Checks `opts`' sampling plan and precision targets for `model` before anything runs or
/// is written; returns the cap on trials of a precision run.
///
/// # Errors
/// [`AppError::Usage`] for a plan that cannot be made, a target on a year that is not a
/// report year, a cap below `--trials`, or `--save-trials` with `--precision`.
pub fn check(model: &Model, opts: &RunOpts, cfg: &RunConfig) -> Result<u64, AppError> {
    Plan::check(opts.sampling.method(), opts.replicates, cfg.trials)
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let first = cfg.trials;
    if opts.precision.is_empty() {
        if opts.max_trials.is_some() {
            return Err(AppError::Usage(
                "--max-trials caps a --precision run; give a target such as --precision 'gap.mean.se<=1', or leave --max-trials out".to_string(),
            ));
        }
        return Ok(first);
    }
    if opts.save_trials.is_some() {
        return Err(AppError::Usage(
            "--save-trials with --precision: the trials of a precision run are only known at its end; run the trials it took with --trials N --save-trials".to_string(),
        ));
    }
    let years: Vec<i32> = model.grid.report.iter().map(|(y, _)| *y).collect();
    for t in &opts.precision {
        if let Some(y) = t.unknown_year(&years) {
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            return Err(AppError::Usage(format!(
                "--precision '{}': {y} is not a report year of {}; its report years are {}",
                t.text,
                model.name(),
                list.join(", ")
            )));
        }
    }
    let cap = opts
        .max_trials
        .unwrap_or_else(|| first.saturating_mul(100).min(DEFAULT_CAP).max(first));
    if cap < first {
        return Err(AppError::Usage(format!(
            "--max-trials {cap} is below the first round's {first} trials (--trials)"
        )));
    }
    Ok(cap)
}

/// Simulates `model` as `opts` asks (after [`check`]), returning the final round's
/// configuration and summary.
///
/// # Errors
/// Usage errors as [`check`]; any run error.
pub fn simulate(
    model: &Model,
    opts: &RunOpts,
    cfg: RunConfig,
    sink: Option<&mut dyn TrialSink>,
) -> Result<(RunConfig, Summary), AppError> {
    let cap = check(model, opts, &cfg)?;
    if opts.precision.is_empty() {
        let m = sampled(model, opts, &cfg)?;
        let s = one_round(&m, opts, &cfg, sink)?;
        return Ok((cfg, s));
    }
    let mut rounds = Vec::new();
    let mut cfg = cfg;
    loop {
        let m = sampled(model, opts, &cfg)?;
        let s = one_round(&m, opts, &cfg, None)?;
        rounds.push(cfg.trials);
        let targets: Vec<TargetOutcome> = opts
            .precision
            .iter()
            .map(|t| {
                let value = t.value(&s).unwrap_or(f64::INFINITY);
                TargetOutcome {
                    target: t.text.clone(),
                    value,
                    limit: t.limit,
                    met: value <= t.limit,
                }
            })
            .collect();
        let met = targets.iter().all(|t| t.met);
        let n = cfg.trials;
        if met || n >= cap {
            if !opts.quiet {
                super::note(&closing_line(met, &targets, &rounds, cap));
            }
            let mut s = s;
            s.precision = Some(PrecisionOutcome {
                met,
                trials: n,
                max_trials: cap,
                rounds,
                targets,
            });
            return Ok((cfg, s));
        }
        // Error ∝ n^(−1/2): the trials each unmet target needs.
        let needed = targets
            .iter()
            .filter(|t| !t.met)
            .map(|t| n as f64 * (t.value / t.limit).powi(2))
            .fold(0.0, f64::max);
        let mut next = n.saturating_mul(2);
        while (next as f64) < needed && next < cap {
            next = next.saturating_mul(2);
        }
        let next = next.min(cap);
        if !opts.quiet {
            let worst: Vec<String> = targets
                .iter()
                .filter(|t| !t.met)
                .map(|t| format!("{} = {:.4} > {}", statistic(&t.target), t.value, t.limit))
                .collect();
            super::note(&format!(
                "precision: {} trials: {}; next round {} trials",
                thousands(n),
                worst.join(", "),
                thousands(next)
            ));
        }
        cfg.trials = next;
    }
}

/// One run of `cfg.trials` trials, with its progress bar, summarized.
fn one_round(
    model: &Model,
    opts: &RunOpts,
    cfg: &RunConfig,
    sink: Option<&mut dyn TrialSink>,
) -> Result<Summary, AppError> {
    let bar = Progress::new(model.name(), cfg.trials, !opts.quiet);
    let result = engine::simulate(
        model,
        cfg,
        &|done| bar.update(done),
        sink,
        Some(&INTERRUPTED),
    );
    bar.finish();
    Ok(summary::summarize(model, &result?))
}

/// What a precision run reached, for stderr.
fn closing_line(met: bool, targets: &[TargetOutcome], rounds: &[u64], cap: u64) -> String {
    let values: Vec<String> = targets
        .iter()
        .map(|t| {
            let rel = if t.met { "≤" } else { ">" };
            format!(
                "{} = {:.4} {rel} {}",
                statistic(&t.target),
                t.value,
                t.limit
            )
        })
        .collect();
    let path: Vec<String> = rounds.iter().map(|&n| thousands(n)).collect();
    let last = rounds.last().copied().unwrap_or(0);
    if met {
        format!(
            "precision: {} in {} trials (rounds: {}; {} simulated)",
            values.join(", "),
            thousands(last),
            path.join(" → "),
            thousands(rounds.iter().sum())
        )
    } else {
        format!(
            "precision: not met at the cap of {} trials (--max-trials): {} (rounds: {})",
            thousands(cap),
            values.join(", "),
            path.join(" → ")
        )
    }
}

/// `gap.mean.se` of `gap.mean.se<=1`.
fn statistic(target: &str) -> &str {
    target.split_once("<=").map_or(target, |(s, _)| s)
}
