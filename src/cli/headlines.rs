//! `funding-gap headlines`: the Markdown table of headline results of several scenarios.

use std::path::PathBuf;

use clap::Args;
use funding_gap::engine::{self, RunConfig};
use funding_gap::report;
use funding_gap::scenario;
use funding_gap::summary;

use super::{AppError, INTERRUPTED};

/// Print a Markdown table of headline results for several scenarios
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap headlines scenarios/*.toml\n  funding-gap headlines scenarios/*.toml --update scenarios/README.md"
)]
pub struct HeadlinesArgs {
    /// Scenario files or names
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// Trials per scenario, e.g. 20000 or 2e4
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = super::parse_trials)]
    pub trials: u64,
    /// Seed
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Replace the table between the `<!-- headlines:begin -->` and `<!-- headlines:end -->`
    /// markers of this file instead of printing it
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
}

/// Runs every scenario and prints the table, or puts it into the `--update` file.
///
/// # Errors
/// A bad option or scenario, a failed run, a file that cannot be read or has no markers.
pub fn execute(args: &HeadlinesArgs) -> Result<(), AppError> {
    let (trials, seed) = (super::check_trials(args.trials)?, args.seed);
    let models = args
        .scenarios
        .iter()
        .map(|a| super::load_and_compile(Some(a), &[], true))
        .collect::<Result<Vec<_>, _>>()?;
    let cfg = RunConfig {
        trials,
        seed,
        threads: args.threads.map(usize::from),
        save_trials: false,
        worst: 0,
    };
    let summaries = summarize_all(&models, &cfg)?;
    let command = format!(
        "funding-gap headlines {} --trials {trials} --seed {seed}{}",
        args.scenarios.join(" "),
        args.update
            .as_ref()
            .map(|u| format!(" --update {}", u.display()))
            .unwrap_or_default()
    );
    let table = report::render_headlines(&summaries, &command);
    match &args.update {
        None => out!("{table}"),
        Some(file) => update_block(
            file,
            (report::HEADLINES_BEGIN, report::HEADLINES_END),
            &table,
            "headline table",
        ),
    }
}

/// Runs each model with `cfg` (stopping at Ctrl-C) and summarizes it.
///
/// # Errors
/// A failed or interrupted run.
pub(super) fn summarize_all(
    models: &[funding_gap::model::Model],
    cfg: &RunConfig,
) -> Result<Vec<summary::Summary>, AppError> {
    let mut summaries = Vec::new();
    for m in models {
        let run = engine::simulate(m, cfg, &|_| {}, None, Some(&INTERRUPTED))?;
        super::interrupted()?;
        summaries.push(summary::summarize(m, &run));
    }
    Ok(summaries)
}

/// Puts `block` (markers included) in place of the text between the `markers` of `file`, and
/// says so; `what` names the table.
///
/// # Errors
/// A file that cannot be read or written, or has no markers.
pub(super) fn update_block(
    file: &std::path::Path,
    (begin, end): (&str, &str),
    block: &str,
    what: &str,
) -> Result<(), AppError> {
    let text = std::fs::read_to_string(file).map_err(|e| AppError::Read {
        path: file.display().to_string(),
        what: "the file to update",
        reason: scenario::io_reason(&e),
    })?;
    let updated = report::replace_block(&text, begin, end, block).ok_or_else(|| {
        AppError::Usage(format!(
            "{}: no `{begin}` … `{end}` markers to put the table between",
            file.display(),
        ))
    })?;
    report::write_atomic(file, updated.as_bytes())?;
    outln!("Updated the {what} in {}", file.display())
}
