//! `funding-gap explain`: what a scenario assumes, as text or JSON.

use clap::Args;
use funding_gap::report;

use super::AppError;

/// Show what a scenario assumes: inputs with sources, obligations by year, the median path
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap explain base\n  funding-gap explain scenarios/compute-reset.toml --set ipo.probability=0.3"
)]
pub struct ExplainArgs {
    /// Scenario file or name
    pub scenario: String,
    /// Override an input by its path, e.g. --set ipo.probability=0.5 (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Prints the explanation of the scenario.
///
/// # Errors
/// An invalid scenario; [`AppError::Json`] if the JSON cannot be made.
pub fn execute(args: &ExplainArgs) -> Result<(), AppError> {
    let model = super::load_and_compile(Some(&args.scenario), &args.set, false)?;
    let e = funding_gap::analysis::explain::explain(&model);
    if args.json {
        super::print_json(&e)?;
    } else {
        out!("{}", report::render_explanation(&e))?;
    }
    Ok(())
}
