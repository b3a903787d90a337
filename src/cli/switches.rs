//! `funding-gap switches`: how a scenario's headline numbers move when each structural switch
//! is turned off, on common random numbers.

use std::path::PathBuf;

use clap::Args;
use funding_gap::engine::RunConfig;
use funding_gap::report;

use super::{AppError, INTERRUPTED, UpdateTarget};

/// Show how the headline numbers move with each modelling choice turned off
#[derive(Debug, Args)]
#[command(
    after_help = "Runs the scenario as is and with each structural switch turned off, one at a time, all on\nthe same random numbers, and prints each change with its paired standard error:\n  deferral off        no obligation may be deferred (every flexible share 0)\n  revolver off        no debt facility ([debt] removed)\n  capacity link off   revenue not bounded by compute ([capacity] removed)\n  tied spend off      round money carries no tied spend\n  correlations off    every correlation coefficient 0\n  IPO off             the IPO never happens\nA switch with nothing to turn off in the scenario is shown as n/a.\n\nExamples:\n  funding-gap switches\n  funding-gap switches scenarios/hsbc-2025.toml --trials 1e5 --json\n  funding-gap switches base --trials 20000 --seed 42 --update scenarios/README.md"
)]
pub struct SwitchesArgs {
    /// Scenario file or name [default: the built-in base]
    pub scenario: Option<String>,
    /// Trials per run (the scenario as is, and once per switch), e.g. 20000 or 2e4
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = super::parse_trials)]
    pub trials: u64,
    /// Seed, the same for every run
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Also write switches.json into the output folder
    #[arg(long)]
    pub json: bool,
    /// Output folder of --json [default: output/switches-<scenario name>/]
    #[arg(long, value_name = "DIR", requires = "json")]
    pub out: Option<PathBuf>,
    /// Replace the table between the `<!-- switches:begin -->` and `<!-- switches:end -->`
    /// markers of this file with the Markdown table
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the switches and prints the table; writes switches.json and updates a file when
/// asked.
///
/// # Errors
/// A bad option or scenario, a failed run, an output that cannot be written, a file to update
/// that cannot be read or has no markers.
pub fn execute(args: &SwitchesArgs) -> Result<(), AppError> {
    let (trials, seed) = (super::check_trials(args.trials)?, args.seed);
    let model = super::load_and_compile(args.scenario.as_deref(), &[], args.quiet)?;
    let target = args.update.as_ref().map(|f| UpdateTarget {
        path: f.clone(),
        begin: report::SWITCHES_BEGIN,
        end: report::SWITCHES_END,
    });
    if let Some(t) = &target {
        t.update(None)?;
    }
    let cfg = RunConfig {
        trials,
        seed,
        threads: args.threads.map(usize::from),
        save_trials: false,
        worst: 0,
    };
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("switches-{}", model.name())));
    let folder = if args.json {
        Some(super::open_out(&dir, args.quiet)?)
    } else {
        None
    };
    let s = funding_gap::analysis::switches(&model, &cfg, &|_| {}, Some(&INTERRUPTED))?;
    super::interrupted()?;
    if let Some(folder) = folder {
        report::write_json(&folder.staging().join("switches.json"), &s)?;
        folder.commit()?;
    }
    if let Some(t) = &target {
        let command = format!(
            "funding-gap switches {}--trials {trials} --seed {seed} --update {}",
            args.scenario
                .as_ref()
                .map(|a| format!("{a} "))
                .unwrap_or_default(),
            t.path.display()
        );
        t.update(Some(&report::render_switches_markdown(&s, &command)))?;
    }
    if args.quiet {
        return Ok(());
    }
    out!("{}", report::render_switches(&s))?;
    if args.json {
        super::print_written(&["switches.json"], 0, &dir)?;
    }
    if let Some(t) = &target {
        outln!("\n  Updated the switches table in {}", t.path.display())?;
    }
    Ok(())
}
