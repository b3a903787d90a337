//! `funding-gap trace`: replay one trial year by year, or list the trials with the largest
//! gap.

use clap::Args;
use funding_gap::analysis;
use funding_gap::engine::RunConfig;
use funding_gap::report;

use super::{AppError, INTERRUPTED};

/// Replay one trial year by year, or list the trials with the largest gap
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap trace base --trial 17\n  funding-gap trace base --worst 10 --trials 1e5 --threads 2\n\nA trial replays exactly as it ran in `run` with the same seed: its random numbers depend only\non the seed, its index and the input paths."
)]
pub struct TraceArgs {
    /// Scenario file or name
    pub scenario: String,
    /// The trial to replay (0-based, as in trials.csv)
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "worst",
        required_unless_present = "worst"
    )]
    pub trial: Option<u64>,
    /// List the K trials with the largest gap in a run of --trials
    #[arg(long, value_name = "K")]
    pub worst: Option<usize>,
    /// Trials in the run searched by --worst, e.g. 100000 or 1e5; at most 1e11 [default: the
    /// scenario's [run] trials]
    #[arg(long, value_name = "N", value_parser = super::parse_trials)]
    pub trials: Option<u64>,
    /// Seed [default: the scenario's]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads of the run searched by --worst: the same trials at any count [default:
    /// one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Override an input by its path (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// The sampling of the run the trial belongs to (mc, lhs or rqmc): a trial of an lhs or
    /// rqmc run is replayed from its point; lhs also needs the run's --trials
    #[arg(long, value_enum, value_name = "METHOD", default_value = "mc")]
    pub sampling: super::SamplingArg,
    /// The run's --replicates (lhs and rqmc)
    #[arg(long, value_name = "R", default_value_t = 16)]
    pub replicates: u64,
}

/// Prints the trace of `--trial`, or the `--worst` trials of a run.
///
/// # Errors
/// A bad option or scenario, a failed run; [`AppError::Json`] if the JSON cannot be made.
pub fn execute(args: &TraceArgs) -> Result<(), AppError> {
    let mut model = super::load_and_compile(Some(&args.scenario), &args.set, args.json)?;
    let seed = args.seed.unwrap_or(model.scenario.run.seed);
    let trials = super::trials(args.trials, &model)?;
    model
        .set_sampling(args.sampling.method(), args.replicates, trials, seed)
        .map_err(|e| AppError::Usage(e.to_string()))?;
    if let Some(n) = args.trial {
        let t = analysis::trace(&model, seed, n);
        if args.json {
            super::print_json(&t)?;
        } else {
            out!("{}", report::render_trace(&t))?;
        }
        return Ok(());
    }
    let k = args.worst.unwrap_or(10);
    if k == 0 {
        return Err(AppError::Usage("--worst must be at least 1".to_string()));
    }
    let cfg = RunConfig {
        trials,
        seed,
        threads: args.threads.map(usize::from),
        save_trials: false,
        worst: k,
    };
    let (summary, list) = analysis::worst(&model, &cfg, k, Some(&INTERRUPTED))?;
    super::interrupted()?;
    let mut traces: Vec<_> = list
        .iter()
        .map(|(t, _)| analysis::trace(&model, seed, *t))
        .collect();
    analysis::attach_drivers(&summary, &mut traces);
    if args.json {
        super::print_json(&traces)?;
    } else {
        out!("{}", report::render_worst(&summary, &list, &traces))?;
    }
    Ok(())
}
