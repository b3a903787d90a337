//! `funding-gap new`: write a complete, commented scenario template, or (`--extends`) a short
//! variant of another scenario whose commented examples hold that scenario's current values.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use clap::Args;
use funding_gap::dist::{Dist, Z95};
use funding_gap::report::{self, ReportError};
use funding_gap::scenario::{self, Param, Scenario, SegmentKind};

use super::AppError;

/// Write a complete, commented scenario template that loads and runs, or a short variant of
/// another scenario
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  funding-gap new my-case                  writes scenarios/my-case.toml\n  funding-gap new /tmp/test.toml           writes that file\n  funding-gap new my-case --extends base   a variant of scenarios/base.toml\n\nWith --extends the file holds `extends`, a name, a description and commented examples of the\ncommon overrides (a revenue segment, the largest contract, the largest round participant, the\nIPO), each showing the extended scenario's current value: uncomment a line and edit it."
)]
pub struct NewArgs {
    /// A name (written to scenarios/NAME.toml) or a path ending in .toml
    pub name: String,
    /// Write a variant of this scenario (a file, or a name looked up as scenarios/NAME.toml or scenarios/published/NAME.toml)
    /// that holds only what you change
    #[arg(long, value_name = "SCENARIO")]
    pub extends: Option<String>,
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
    // Load what it extends before anything is written.
    let parent = match &args.extends {
        Some(arg) => Some(parent_file(name, arg)?),
        None => None,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        report::ensure_dir(dir)?;
    }
    let (text, what) = match &parent {
        None => (
            scenario::template(&stem),
            "a complete scenario to edit".to_string(),
        ),
        Some(parent) => {
            let here = dir.unwrap_or_else(|| Path::new("."));
            let extends = relative(here, Path::new(&parent.origin));
            let text = variant(&stem, &extends, parent);
            // The file must load as written; only a bug here could stop it.
            scenario::load_str(&text, &path.display().to_string(), Some(here), &[])?;
            let what = format!(
                "a variant of {} holding only what you change. Compare them with `funding-gap compare {} {}`",
                parent.name,
                parent.origin,
                path.display()
            );
            (text, what)
        }
    };
    report::write_atomic(&path, text.as_bytes())?;
    outln!(
        "Wrote {}: {what}. Check it with `funding-gap explain {}`, run it with `funding-gap run {}`.",
        path.display(),
        path.display(),
        path.display()
    )
}

/// The scenario `--extends ARG` names, which must be a file (not the built-in base).
fn parent_file(name: &str, arg: &str) -> Result<Scenario, AppError> {
    let parent = super::load(Some(arg), &[])?;
    if !Path::new(&parent.origin).is_file() {
        return Err(AppError::Usage(format!(
            "new {name} --extends {arg}: '{arg}' is the built-in base, which is no file to extend; give a scenario file (scenarios/base.toml in a checkout of funding-gap)"
        )));
    }
    Ok(parent)
}

/// The path of `target` as seen from the folder `from`: relative when they share a root (as
/// `extends` reads it, from the variant's folder), else `target` made absolute.
fn relative(from: &Path, target: &Path) -> String {
    let absolute = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (from, target) = (absolute(from), absolute(target));
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c);
    }
    // `/` reads the same on every platform in a scenario file.
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The text of a variant of `parent` named `name` that `extends` it: the common overrides as
/// comments holding `parent`'s current values, so that uncommented they change nothing.
fn variant(name: &str, extends: &str, parent: &Scenario) -> String {
    let mut t = String::new();
    let p = &parent.name;
    let _ = writeln!(
        t,
        "# {name}: a variant of {p}. It holds only what it changes; every other input is\n\
         # {p}'s. Uncomment an example below and edit its value: each shows {p}'s current one.\n"
    );
    let _ = writeln!(t, "extends = {}", toml_string(extends));
    let _ = writeln!(t, "name = {}", toml_string(name));
    let description = format!("{p} with (say what this variant changes)");
    let _ = writeln!(t, "description = {}", toml_string(&description));
    if let Some(o) = parent.obligations.first() {
        // Prose, not an example line: uncommented, the examples must leave the parent as is.
        let _ = writeln!(
            t,
            "# To drop inherited entries (a segment, event, cost, contract, round or participant),\n\
             # list them by dotted name, e.g. remove = [{}]",
            toml_string(&format!("obligations.{}", o.name))
        );
    }
    for block in [
        segment(parent),
        contract(parent),
        participant(parent),
        ipo(parent),
    ]
    .into_iter()
    .flatten()
    {
        t.push('\n');
        t.push_str(&block);
    }
    t
}

/// The example of the first revenue segment: its growth and run-rate (or a path's scale).
fn segment(s: &Scenario) -> Option<String> {
    let seg = s.segments.first()?;
    let head = format!("# [revenue.{}]\n", key(&seg.name));
    Some(match &seg.kind {
        SegmentKind::Growth {
            run_rate, growth, ..
        } => format!(
            "# Revenue segment `{}`: growth per year at the start, run-rate in $B/yr.\n{head}{}{}",
            seg.name,
            line("growth", growth),
            line("run_rate", run_rate)
        ),
        SegmentKind::Path { scale, .. } => format!(
            "# Revenue segment `{}`: the factor on its published path.\n{head}{}",
            seg.name,
            line("scale", scale)
        ),
        SegmentKind::Annual { scale, .. } => format!(
            "# Revenue segment `{}`: the factor on its annual figures ($B booked per calendar year).\n{head}{}",
            seg.name,
            line("scale", scale)
        ),
        SegmentKind::Drivers(d) => {
            // The first driver whose key can be written bare (`users.ceiling`,
            // `paying_share.2030`).
            let prefix = format!("revenue.{}.", seg.name);
            let (field, p) = d.params().into_iter().find_map(|p| {
                let field = p.path.strip_prefix(&prefix)?;
                field
                    .split('.')
                    .all(|k| {
                        !k.is_empty()
                            && k.chars()
                                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                    })
                    .then(|| (field.to_string(), p))
            })?;
            format!(
                "# Revenue segment `{}`: one of its drivers.\n{head}{}",
                seg.name,
                line(&field, p)
            )
        }
    })
}

/// The example of the contract with the largest mean total.
fn contract(s: &Scenario) -> Option<String> {
    let o = s
        .obligations
        .iter()
        .max_by(|a, b| a.total.dist.mean().total_cmp(&b.total.dist.mean()))?;
    Some(format!(
        "# The largest contract, `{}`: its total in $B, and the share actually spent.\n\
         # [obligations.{}]\n{}{}",
        o.name,
        key(&o.name),
        line("total", &o.total),
        line("realized_share", &o.realized_share)
    ))
}

/// The example of the round participant with the largest mean amount.
fn participant(s: &Scenario) -> Option<String> {
    let (r, p) = s
        .rounds
        .iter()
        .flat_map(|r| r.participants.iter().map(move |p| (r, p)))
        .max_by(|a, b| a.1.amount.dist.mean().total_cmp(&b.1.amount.dist.mean()))?;
    Some(format!(
        "# The largest participant of a round, `{}` in `{}`: whether it joins, and $B.\n\
         # [rounds.{}.participants.{}]\n{}{}",
        p.name,
        r.name,
        key(&r.name),
        key(&p.name),
        line("probability", &p.joins),
        line("amount", &p.amount)
    ))
}

/// The example of the IPO: whether, when, and at what multiple of the revenue run-rate.
fn ipo(s: &Scenario) -> Option<String> {
    let ipo = s.ipo.as_ref()?;
    Some(format!(
        "# The IPO: whether it happens, when, and its valuation as a multiple of revenue.\n\
         # [ipo]\n{}{}{}",
        line("probability", &ipo.happens),
        line("date", &ipo.date),
        line("multiple", &ipo.multiple)
    ))
}

/// `# FIELD = VALUE`, the value as the scenario format writes it.
fn line(field: &str, p: &Param) -> String {
    format!("# {field} = {}\n", value(&p.dist))
}

/// A distribution as a scenario file writes it, in the form with the shortest numbers where
/// several describe it; a probability field's Bernoulli is its plain probability.
fn value(d: &Dist) -> String {
    match *d {
        Dist::Fixed(x) | Dist::Bernoulli { p: x } => num(x),
        Dist::Uniform { low, high } => format!("{{ low = {}, high = {} }}", num(low), num(high)),
        Dist::Triangular { low, mode, high } => format!(
            "{{ low = {}, mode = {}, high = {} }}",
            num(low),
            num(mode),
            num(high)
        ),
        Dist::Pert { low, mode, high } => format!(
            "{{ low = {}, mode = {}, high = {}, pert = true }}",
            num(low),
            num(mode),
            num(high)
        ),
        // `{ p5, p95 }` with both positive reads as a lognormal: only when one is not.
        Dist::Normal { mean, sd, min, max }
            if min.is_infinite() && max.is_infinite() && mean - Z95 * sd <= 0.0 =>
        {
            shorter(
                format!(
                    "{{ p5 = {}, p95 = {} }}",
                    num(mean - Z95 * sd),
                    num(mean + Z95 * sd)
                ),
                format!("{{ mean = {}, sd = {} }}", num(mean), num(sd)),
            )
        }
        Dist::Normal { mean, sd, min, max } => {
            let mut s = format!("{{ mean = {}, sd = {}", num(mean), num(sd));
            if min.is_finite() {
                let _ = write!(s, ", min = {}", num(min));
            }
            if max.is_finite() {
                let _ = write!(s, ", max = {}", num(max));
            }
            s + " }"
        }
        Dist::LogNormal { mu, sigma } => shorter(
            format!(
                "{{ p5 = {}, p95 = {} }}",
                num((mu - Z95 * sigma).exp()),
                num((mu + Z95 * sigma).exp())
            ),
            format!("{{ median = {}, sd_log = {} }}", num(mu.exp()), num(sigma)),
        ),
        Dist::Beta { a, b, low, high } => format!(
            "{{ beta_a = {}, beta_b = {}, low = {}, high = {} }}",
            num(a),
            num(b),
            num(low),
            num(high)
        ),
        Dist::StudentT {
            location,
            scale,
            dof,
            min,
            max,
        } => {
            let mut s = format!(
                "{{ location = {}, scale = {}, dof = {}",
                num(location),
                num(scale),
                num(dof)
            );
            if min.is_finite() {
                let _ = write!(s, ", min = {}", num(min));
            }
            if max.is_finite() {
                let _ = write!(s, ", max = {}", num(max));
            }
            s + " }"
        }
        Dist::Discrete {
            ref values,
            ref cum,
        } => {
            let mut prev = 0.0;
            let weights: Vec<f64> = cum
                .iter()
                .map(|&c| {
                    let w = c - prev;
                    prev = c;
                    w
                })
                .collect();
            format!(
                "{{ values = {}, weights = {} }}",
                list(values),
                list(&weights)
            )
        }
        Dist::Mixture {
            ref weights,
            ref components,
        } => {
            let parts: Vec<String> = weights
                .iter()
                .zip(components)
                .map(|(w, c)| component(*w, c))
                .collect();
            format!("{{ mixture = [{}] }}", parts.join(", "))
        }
    }
}

/// A list of numbers as TOML writes it.
fn list(xs: &[f64]) -> String {
    let parts: Vec<String> = xs.iter().map(|&x| num(x)).collect();
    format!("[{}]", parts.join(", "))
}

/// A mixture's component as its table: `{ weight = w, ... }`. A plain number (a constant) is
/// written as a uniform of zero width, a Bernoulli as `{ p = q }`.
fn component(w: f64, d: &Dist) -> String {
    let form = match *d {
        Dist::Fixed(x) => format!("{{ low = {}, high = {} }}", num(x), num(x)),
        Dist::Bernoulli { p } => format!("{{ p = {} }}", num(p)),
        _ => value(d),
    };
    let rest = form.strip_prefix('{').unwrap_or(&form);
    format!("{{ weight = {},{rest}", num(w))
}

/// The shorter of two ways to write a value (`a` when they tie).
fn shorter(a: String, b: String) -> String {
    if b.len() < a.len() { b } else { a }
}

/// A number as TOML writes a float, rounded to 12 significant digits: a value that was
/// written as a short decimal and derived back (a lognormal's p5 from its μ and σ) shows
/// as written.
fn num(x: f64) -> String {
    let rounded: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    let s = format!("{rounded}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// A table key: bare when TOML allows, else quoted.
fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { k.to_string() } else { toml_string(k) }
}

/// `s` as a TOML string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
