//! `funding-gap compare`: scenarios on the same random numbers, and their paired differences.

use clap::Args;
use funding_gap::chart;
use funding_gap::report;
use sha2::{Digest, Sha256};

use super::{AppError, INTERRUPTED, RunOpts};

/// Run scenarios on the same random numbers and show paired differences
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap compare base no-round\n  funding-gap compare scenarios/amazon-10b.toml scenarios/amazon-50b.toml --trials 2e5\n\nOutputs (default output/compare-A-vs-B/): comparison.json, compare_exceedance and compare_cash_fan charts.\nA default folder name longer than 100 bytes is cut to 91 and ends in '-' and 8 hex digits of a\nhash of the full list of names: the same scenarios in the same order give the same folder.",
    mut_arg("trials", |a| a.help("Trials, the same for every scenario, e.g. 100000 or 1e5; at most 1e11 [default: the first scenario's [run] trials, else 100000]")),
    mut_arg("out", |a| a.help("Output directory [default: output/compare-A-vs-B/, from the scenarios' names, shortened as below when over 100 bytes]")),
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
    super::no_trials_file(opts, "compare")?;
    let models = args
        .scenarios
        .iter()
        .map(|a| super::load_and_compile(Some(a), &opts.set, opts.quiet))
        .collect::<Result<Vec<_>, _>>()?;
    let charts = super::chart_options(opts)?;
    let cfg = super::run_config(opts, &models[0])?;
    let names: Vec<&str> = models.iter().map(|m| m.name()).collect();
    let dir = super::out_dir(opts, &default_folder(&names));
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

/// Longest default folder name, in bytes: file systems allow 255 per name, and a path made
/// of several long names must still fit the platform's limits.
const MAX_FOLDER_BYTES: usize = 100;

/// The default folder of a comparison: `compare-A-vs-B-vs-...`; over [`MAX_FOLDER_BYTES`] it
/// is cut and ends in `-` and 8 hex digits of the SHA-256 of the names (one per line), so
/// it stays readable, fits, and is the same for the same list in the same order.
fn default_folder(names: &[&str]) -> String {
    let full = format!("compare-{}", names.join("-vs-"));
    if full.len() <= MAX_FOLDER_BYTES {
        return full;
    }
    let digest = Sha256::digest(names.join("\n").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX_FOLDER_BYTES - 1 - hash.len();
    while !full.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{hash}", full[..cut].trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_names_the_folder_in_full() {
        assert_eq!(
            default_folder(&["base", "no-round"]),
            "compare-base-vs-no-round"
        );
    }

    #[test]
    fn a_long_list_is_cut_to_a_stable_name_that_fits() {
        let long = "x".repeat(60);
        let names = [long.as_str(), "a", "b", long.as_str()];
        let folder = default_folder(&names);
        assert!(folder.len() <= MAX_FOLDER_BYTES, "{folder}");
        assert!(folder.starts_with("compare-xxxx"), "{folder}");
        assert_eq!(folder, default_folder(&names));
        let swapped = [long.as_str(), "b", "a", long.as_str()];
        assert_ne!(folder, default_folder(&swapped));
    }
}
