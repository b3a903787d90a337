//! `funding-gap checks`: the published figures of one scenario's `[[checks]]` beside the
//! values every listed scenario gives them, as a Markdown table (scenarios/README.md, "Base
//! among the published analyses").

use std::path::PathBuf;

use clap::Args;
use funding_gap::engine::RunConfig;
use funding_gap::model;
use funding_gap::report;
use funding_gap::scenario::{self, Scenario};

use super::AppError;
use super::headlines::{summarize_all, update_block};

/// Print the first scenario's published checks beside every scenario's value of them
#[derive(Debug, Args)]
#[command(
    long_about = "Print the first scenario's published checks ([[checks]]) beside every scenario's value of them, as a Markdown table.\n\nEach row is a published figure the first scenario checks itself against; each column is a scenario, run with the first scenario's checks in place of its own (a check on a report year the scenario lacks shows \"–\"). The last column gives the first scenario's verdict and its stated reason for any difference.",
    after_help = "Examples:\n  funding-gap checks scenarios/base.toml scenarios/round-as-closed.toml\n  funding-gap checks scenarios/base.toml scenarios/*.toml --update scenarios/README.md"
)]
pub struct ChecksArgs {
    /// Scenario files or names; the first one's checks are the rows
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
    /// Replace the table between the `<!-- published:begin -->` and `<!-- published:end -->`
    /// markers of this file instead of printing it
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
}

/// `s` with the checks of `first` in place of its own: each re-read against `s`'s years, and
/// dropped when it names a year `s` does not have.
fn with_checks_of(mut s: Scenario, first: &Scenario) -> Scenario {
    s.checks = first
        .checks
        .iter()
        .filter_map(|c| {
            let metric = scenario::check_metric(&c.metric_text, &s.time)?;
            Some(scenario::Check {
                metric,
                ..c.clone()
            })
        })
        .collect();
    s
}

/// Runs every scenario with the first's checks and prints the table, or puts it into the
/// `--update` file.
///
/// # Errors
/// A bad option or scenario, a first scenario without checks, a failed run, a file that
/// cannot be read or has no markers.
pub fn execute(args: &ChecksArgs) -> Result<(), AppError> {
    let (trials, seed) = (super::check_trials(args.trials)?, args.seed);
    let scenarios = args
        .scenarios
        .iter()
        .map(|a| super::load(Some(a), &[]))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = scenarios.first().cloned() else {
        return Err(AppError::Usage("name at least one scenario".to_string()));
    };
    if first.checks.is_empty() {
        return Err(AppError::Usage(format!(
            "{}: has no [[checks]]: the first scenario's checks are the table's rows (README, \"Published checks\")",
            first.origin
        )));
    }
    let models = scenarios
        .into_iter()
        .map(|s| model::compile(&with_checks_of(s, &first)).map_err(AppError::from))
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
        "funding-gap checks {} --trials {trials} --seed {seed}{}",
        args.scenarios.join(" "),
        args.update
            .as_ref()
            .map(|u| format!(" --update {}", u.display()))
            .unwrap_or_default()
    );
    let table = report::render_checks_table(&summaries, &command);
    match &args.update {
        None => out!("{table}"),
        Some(file) => update_block(
            file,
            (report::CHECKS_BEGIN, report::CHECKS_END),
            &table,
            "published-figures table",
        ),
    }
}
