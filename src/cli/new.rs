//! `funding-gap new`: write a complete, commented scenario template.

use std::path::{Path, PathBuf};

use clap::Args;
use funding_gap::report::{self, ReportError};
use funding_gap::scenario;

use super::AppError;

/// Write a complete, commented scenario template that loads and runs
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap new my-case          writes scenarios/my-case.toml\n  funding-gap new /tmp/test.toml   writes that file"
)]
pub struct NewArgs {
    /// A name (written to scenarios/NAME.toml) or a path ending in .toml
    pub name: String,
}

/// Writes the template, refusing to overwrite a file.
///
/// # Errors
/// [`AppError::Usage`] for a bad name or an existing file; [`ReportError`] if it cannot be
/// written.
pub fn execute(args: &NewArgs) -> Result<(), AppError> {
    let name = &args.name;
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        Path::new("scenarios").join(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plain = !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return Err(AppError::Usage(format!(
            "new {name}: a scenario name is letters, digits, '-', '_' or '.' (it names the output folder)"
        )));
    }
    if path.exists() {
        return Err(AppError::Usage(format!(
            "new {name}: '{}' already exists; choose another name or remove it first",
            path.display()
        )));
    }
    // `new` has no --out: name what it takes when a file stands where its folder must be.
    if let Some(file) = report::file_in_the_way(&path) {
        return Err(ReportError::Write {
            path: path.display().to_string(),
            reason: format!(
                "'{}' is a file, not a folder; give `new` a NAME (for scenarios/NAME.toml) or a path ending in .toml in a folder",
                file.display()
            ),
        }
        .into());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        report::ensure_dir(dir)?;
    }
    report::write_atomic(&path, scenario::template(&stem).as_bytes())?;
    outln!(
        "Wrote {}: a complete scenario to edit. Check it with `funding-gap explain {}`, run it with `funding-gap run {}`.",
        path.display(),
        path.display(),
        path.display()
    )
}
