//! `funding-gap diff`: what differs between two scenarios after `extends`, `remove` and `--set`.

use clap::Args;
use funding_gap::analysis::diff::diff;
use funding_gap::report;

use super::AppError;

/// Show what differs between two scenarios after extends, remove and --set are resolved
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap diff base amazon-50b\n  funding-gap diff base no-round --json\n  funding-gap diff base base --set-b ipo.probability=0.5\n\nBoth scenarios load as `run` loads them (both must be valid). Inputs are compared as\ndistributions and shown as `explain` shows them (50 and 50.0 are the same); entries added or\nremoved (segments, events, costs, obligations, rounds, participants, tranches, correlations,\nchecks) are one line each. Exit status 0 whether or not they differ."
)]
pub struct DiffArgs {
    /// Scenario A (file or name)
    pub a: String,
    /// Scenario B (file or name), shown against A
    pub b: String,
    /// Override an input in both scenarios, e.g. --set ipo.probability=0.5 (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Override an input in A only, after --set (repeatable)
    #[arg(long = "set-a", value_name = "PATH=VALUE")]
    pub set_a: Vec<String>,
    /// Override an input in B only, after --set (repeatable)
    #[arg(long = "set-b", value_name = "PATH=VALUE")]
    pub set_b: Vec<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Prints the differences.
///
/// # Errors
/// An invalid scenario or override; [`AppError::Json`] if the JSON cannot be made.
pub fn execute(args: &DiffArgs) -> Result<(), AppError> {
    let both = |own: &[String]| [args.set.as_slice(), own].concat();
    let a = super::load(Some(&args.a), &both(&args.set_a))?;
    let b = super::load(Some(&args.b), &both(&args.set_b))?;
    let d = diff(&a, &b);
    if args.json {
        super::print_json(&d)
    } else {
        out!("{}", report::render_diff(&d))
    }
}
