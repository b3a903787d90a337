//! `funding-gap runs`: the stored runs under a folder, from their manifest.json and
//! summary.json.

use std::path::PathBuf;

use clap::Args;
use funding_gap::report;

use super::AppError;

/// List the stored runs under a folder: scenario, when, trials, seed, overrides, headline numbers
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap runs\n  funding-gap runs results/ --json\n\nA run is a folder with a manifest.json: DIR itself, its subfolders and theirs (two levels).\nRows are sorted by the time the run was written (UTC), newest last; runs written before the\ntime was recorded come first. A folder whose manifest.json or summary.json cannot be read is\nlisted with the reason. Compare two of them with `funding-gap compare FOLDER FOLDER`."
)]
pub struct RunsArgs {
    /// The folder to look in
    #[arg(default_value = "output")]
    pub dir: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Prints the runs under the folder.
///
/// # Errors
/// [`AppError::Read`] when the folder cannot be listed; [`AppError::Json`] if the JSON cannot
/// be made.
pub fn execute(args: &RunsArgs) -> Result<(), AppError> {
    let rows = report::list_runs(&args.dir).map_err(|reason| AppError::Read {
        path: args.dir.display().to_string(),
        what: "the folder of runs",
        reason,
    })?;
    if args.json {
        super::print_json(&rows)
    } else {
        out!("{}", report::render_runs(&rows))
    }
}
