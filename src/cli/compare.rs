//! `funding-gap compare`: scenarios on the same random numbers, and their paired differences.

use std::path::Path;

use clap::Args;
use funding_gap::chart;
use funding_gap::report;
use sha2::{Digest, Sha256};

use super::{AppError, INTERRUPTED, RunOpts};

/// Run scenarios on the same random numbers and show paired differences, or compare stored run folders
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap compare base no-round\n  funding-gap compare scenarios/amazon-10b.toml scenarios/amazon-50b.toml --trials 2e5\n  funding-gap compare output/base output/no-round      stored runs (folders)\n\nRun folders (from `funding-gap run`, listed by `funding-gap runs`) are compared without running\nanything: paired by trial index when both kept their trials (--save-trials: trials.csv or\ntrials.parquet, in any mix) with the same seed and trials, else unpaired from their\nsummary.json (standard error of a difference of means sqrt(se_A^2 + se_B^2)). Folders and\nscenarios cannot be mixed. Output:\noutput/runs-compare-A-vs-B/stored_comparison.json (A, B: the folders' names).\n\nOutputs (default output/compare-A-vs-B/): comparison.json, report.html (unless --report none), compare_exceedance and compare_cash_fan charts.\nA default folder name longer than 100 bytes is cut to 91 and ends in '-' and 8 hex digits of a\nhash of the full list of names: the same scenarios in the same order give the same folder.",
    mut_arg("trials", |a| a.help("Trials, the same for every scenario, e.g. 100000 or 1e5; at most 1e11 [default: the first scenario's [run] trials, else 100000]")),
    mut_arg("out", |a| a.help("Output directory [default: output/compare-A-vs-B/, from the scenarios' names, shortened as below when over 100 bytes]")),
)]
pub struct CompareArgs {
    /// Scenario files or names, or run folders (two or more; differences are against the first)
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<String>,
    /// Run options (--set applies to every scenario).
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Runs the comparison and writes comparison.json, its charts and report.html.
///
/// # Errors
/// A bad option or scenario, a failed run, an output that cannot be written.
pub fn execute(args: &CompareArgs) -> Result<(), AppError> {
    let opts = &args.opts;
    let folders: Vec<&String> = args
        .scenarios
        .iter()
        .filter(|a| Path::new(a.as_str()).is_dir())
        .collect();
    if folders.len() == args.scenarios.len() {
        return compare_folders(args);
    }
    if let Some(folder) = folders.first() {
        return Err(mixed(args, folder));
    }
    super::run_only_options(opts, "compare")?;
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
    let mut files = vec!["comparison.json"];
    if opts.report.html {
        let figures = chart::comparison_figures(&c, &charts)?;
        let page = report::html::render_comparison(&c, &figures);
        report::html::write_report(folder.staging(), &page)?;
        files.push(report::REPORT_FILE);
    }
    super::interrupted()?;
    folder.commit()?;
    if !opts.quiet {
        out!("{}", report::render_comparison(&c))?;
        super::print_written(&files, written.len(), &dir)?;
    }
    Ok(())
}

/// `compare` of stored run folders: paired from their trials files when both kept them with the
/// same seed and trials, else unpaired from their summary.json; prints the differences and
/// writes them to stored_comparison.json.
fn compare_folders(args: &CompareArgs) -> Result<(), AppError> {
    let opts = &args.opts;
    if opts.trials.is_some() || opts.seed.is_some() || !opts.set.is_empty() {
        return Err(AppError::Usage(
            "--trials, --seed and --set apply to scenarios: a run folder's were fixed when it ran; compare scenarios to choose them".to_string(),
        ));
    }
    let runs = args
        .scenarios
        .iter()
        .map(|a| {
            report::StoredRun::read(Path::new(a)).map_err(|reason| AppError::Read {
                path: a.clone(),
                what: "a run folder",
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let c = report::compare_stored(&runs).map_err(|reason| AppError::Read {
        path: args.scenarios.join(", "),
        what: "the stored trials",
        reason,
    })?;
    // Named by the folders, not the scenarios: two runs of one scenario differ by folder.
    let names: Vec<String> = runs
        .iter()
        .map(|r| {
            r.dir.file_name().map_or_else(
                || r.summary.scenario.clone(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let dir = super::out_dir(opts, &format!("runs-{}", default_folder(&names)));
    let folder = super::open_out(&dir, opts.quiet)?;
    report::write_json(&folder.staging().join("stored_comparison.json"), &c)?;
    super::interrupted()?;
    folder.commit()?;
    if !opts.quiet {
        out!("{}", report::render_stored_comparison(&c))?;
        super::print_written(&["stored_comparison.json"], 0, &dir)?;
    }
    Ok(())
}

/// The refusal of a run folder compared with a scenario, with the command that makes a run
/// folder of the scenario that pairs with it.
fn mixed(args: &CompareArgs, folder: &str) -> AppError {
    let scenario = args
        .scenarios
        .iter()
        .find(|a| !Path::new(a.as_str()).is_dir())
        .map_or("SCENARIO", String::as_str);
    let run = report::read_manifest(Path::new(folder)).map_or_else(
        || "--trials N --seed S".to_string(),
        |m| format!("--trials {} --seed {}", m.trials, m.seed),
    );
    AppError::Usage(format!(
        "compare: '{folder}' is a run folder and '{scenario}' is not; compare run folders with run folders, or scenarios with scenarios. To pair {scenario} with the run in {folder}, run it with that run's trials and seed and compare the two folders: funding-gap run {scenario} {run} --save-trials --out DIR, then funding-gap compare {folder} DIR"
    ))
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
