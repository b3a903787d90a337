//! `funding-gap validate`: load and check scenarios without running them.

use clap::Args;

use super::AppError;

/// Load and check scenarios without running them; print every problem
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap validate scenarios/*.toml\n  funding-gap validate base --set ipo.probability=0.3"
)]
pub struct ValidateArgs {
    /// Scenario files or names
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// Override an input by its path, e.g. --set ipo.probability=0.5 (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// Checks every scenario, printing `ok: ...` or its errors for each.
///
/// # Errors
/// [`AppError::SomeInvalid`] if any is invalid (their errors are already printed).
pub fn execute(args: &ValidateArgs) -> Result<(), AppError> {
    let mut bad = 0;
    for arg in &args.scenarios {
        match super::load_and_compile(Some(arg), &args.set, false) {
            Ok(m) => outln!(
                "ok: {} ({}: {} uncertain inputs, {} obligations, {} steps)",
                m.scenario.origin,
                m.name(),
                m.inputs.len(),
                m.scenario.obligations.len(),
                m.grid.n
            )?,
            Err(e) => {
                bad += 1;
                e.print();
            }
        }
    }
    match bad {
        0 => Ok(()),
        _ => Err(AppError::SomeInvalid(bad, args.scenarios.len())),
    }
}
