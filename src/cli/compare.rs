//! `funding-gap compare`: scenarios on the same random numbers, and their paired differences.

use clap::Args;
use funding_gap::chart;
use funding_gap::report;

use super::{AppError, INTERRUPTED, RunOpts};

/// Run scenarios on the same random numbers and show paired differences
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap compare base no-round\n  funding-gap compare scenarios/amazon-10b.toml scenarios/amazon-50b.toml --trials 200000\n\nOutputs (default output/compare-A-vs-B/): comparison.json, compare_exceedance and compare_cash_fan charts."
)]
pub struct CompareArgs {
    /// Scenario files or names (two or more; differences are against the first)
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<String>,
    /// Run options (--set applies to every scenario).
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Runs the comparison and writes comparison.json and its charts.
///
/// # Errors
/// A bad option or scenario, a failed run, an output that cannot be written.
pub fn execute(args: &CompareArgs) -> Result<(), AppError> {
    let opts = &args.opts;
    let models = args
        .scenarios
        .iter()
        .map(|a| super::load_and_compile(Some(a), &opts.set, opts.quiet))
        .collect::<Result<Vec<_>, _>>()?;
    let charts = super::chart_options(opts)?;
    let cfg = super::run_config(opts, &models[0])?;
    let names: Vec<&str> = models.iter().map(|m| m.name()).collect();
    let dir = super::out_dir(opts, &format!("compare-{}", names.join("-vs-")));
    let folder = super::open_out(&dir, opts.quiet)?;
    let c = funding_gap::analysis::compare(&models, &cfg, &|_| {}, Some(&INTERRUPTED))?;
    report::write_json(&folder.staging().join("comparison.json"), &c)?;
    let written = chart::render_comparison(&c, folder.staging(), &charts)?;
    super::interrupted()?;
    folder.commit()?;
    if !opts.quiet {
        out!("{}", report::render_comparison(&c))?;
        super::print_written(&["comparison.json"], written.len(), &dir)?;
    }
    Ok(())
}
