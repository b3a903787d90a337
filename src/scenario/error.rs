//! What can go wrong loading a scenario, and the helpers that word it for the user.
//!
//! [`ScenarioError`] is every way a load can fail; [`Problem`] is one bad value of an
//! `Invalid` scenario. The helpers turn serde's and the operating system's wording into the
//! scenario author's ("expected a number", "no such file", "did you mean ...").

use std::fmt;

/// One thing wrong with a scenario: where, what value, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted field path, e.g. `obligations.oracle.total`.
    pub path: String,
    /// The offending value as written, if there is one.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = clip_to(&one_line(&self.path), MAX_PATH_SHOWN);
        let message = clip_quoted(&one_line(&self.message));
        match &self.value {
            Some(v) => write!(f, "{path} = {}: {message}", clip(&one_line(v))),
            None => write!(f, "{path}: {message}"),
        }
    }
}

/// Why a scenario could not be loaded. Every variant is the user's input to fix.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file (or a file it extends) cannot be read.
    #[error("cannot read scenario file '{path}'{}: {reason}", extended_by.as_ref().map(|b| format!(" (extended by '{b}')")).unwrap_or_default())]
    Read {
        /// The file.
        path: String,
        /// The file whose `extends` named it, if any.
        extended_by: Option<String>,
        /// The operating system's reason.
        reason: String,
    },
    /// The path names a directory (`validate scenarios`), not a file.
    #[error("'{path}'{} is a directory, not a scenario file{}", extended_by.as_ref().map(|b| format!(" (extended by '{b}')")).unwrap_or_default(), if extended_by.is_none() { format!("; name the files in it, e.g. {}/*.toml", path.trim_end_matches('/')) } else { String::new() })]
    Directory {
        /// The directory.
        path: String,
        /// The file whose `extends` named it, if any.
        extended_by: Option<String>,
    },
    /// TOML syntax, a wrong type or an unknown field, with its position.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The `extends` chain from `start` is longer than `limit` files.
    #[error(
        "{start}: the extends chain is more than {limit} files long (it goes on at '{file}'); a scenario may extend at most {limit} files in a row: merge some of them"
    )]
    TooDeep {
        /// The first file of the chain.
        start: String,
        /// The file past the limit.
        file: String,
        /// [`crate::scenario::MAX_EXTENDS_DEPTH`].
        limit: usize,
    },
    /// Several errors, each reported: the unknown fields of the files, then the first other
    /// error or the scenario's problems.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<ScenarioError>),
    /// `extends` leads back to a file already in the chain.
    #[error("{file}: extends cycle: {chain}")]
    Cycle {
        /// The file where the cycle closes.
        file: String,
        /// The chain, `a.toml -> b.toml -> a.toml`.
        chain: String,
    },
    /// Values that break the rules; one line per problem.
    #[error("{}", problems.iter().map(|p| format!("{file}: {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// A `--set PATH=VALUE` override that cannot be applied.
    #[error("--set {arg}: {message}")]
    Override {
        /// The override as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// Blames an error caused by the override `applied` on the argument the user wrote,
    /// `written`, from which it was derived (`sweep` applies `PATH=V` for each value V of
    /// `--set PATH=LO:HI:N`); `at` names the value, e.g. `ipo.probability = 1.5`. Other errors
    /// are returned unchanged.
    pub fn blame_override(self, applied: &str, written: &str, at: &str) -> ScenarioError {
        match self {
            ScenarioError::Override { arg, message } if arg == shown_arg(applied) => {
                ScenarioError::Override {
                    arg: shown_arg(written),
                    message,
                }
            }
            ScenarioError::Invalid { file, mut problems } => {
                let note = set_by(applied);
                for p in &mut problems {
                    if let Some(m) = p.message.strip_suffix(&note) {
                        p.message = format!("{m} (set by --set {}, at {at})", shown_arg(written));
                    }
                }
                ScenarioError::Invalid { file, problems }
            }
            other => other,
        }
    }
}

/// What is appended to a problem whose value was set by the override `arg`.
pub(super) fn set_by(arg: &str) -> String {
    format!(" (set by --set {})", shown_arg(arg))
}

/// Longest value (in characters) a message shows whole; a longer one is cut to this and its
/// length given, so that a 100 KB `--set` value does not fill the terminal.
pub const MAX_VALUE_SHOWN: usize = 80;
/// Longest field path a message shows whole.
const MAX_PATH_SHOWN: usize = 200;
/// Most names a message lists; the rest are counted.
const MAX_NAMES_SHOWN: usize = 20;

/// A `--set` argument as messages show it: on one line, cut if long.
pub(super) fn shown_arg(arg: &str) -> String {
    clip(&one_line(arg))
}

/// `text`, cut to [`MAX_VALUE_SHOWN`] characters with "… (N characters)" if longer.
pub(super) fn clip(text: &str) -> String {
    clip_to(text, MAX_VALUE_SHOWN)
}

/// `text`, cut to `max` characters with "… (N characters)" if longer.
fn clip_to(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({n} characters)")
}

/// `message` with each long quoted part (in `"..."` or `` `...` ``, as serde and validation
/// quote values and names) cut by [`clip`].
pub(super) fn clip_quoted(message: &str) -> String {
    if message.chars().count() <= MAX_VALUE_SHOWN {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(4 * MAX_VALUE_SHOWN));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        match inner.find(quote) {
            Some(close) => {
                out.push_str(&clip(&inner[..close]));
                out.push(quote);
                rest = &inner[close + 1..];
            }
            None => {
                out.push_str(&clip(inner));
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names joined by ", ", the first [`MAX_NAMES_SHOWN`] of them and a count of the rest.
pub(super) fn list_names(names: &[&str]) -> String {
    if names.len() <= MAX_NAMES_SHOWN {
        return names.join(", ");
    }
    format!(
        "{}, … and {} more",
        names[..MAX_NAMES_SHOWN].join(", "),
        names.len() - MAX_NAMES_SHOWN
    )
}

/// Replaces Rust type names in serde's messages with words a scenario author uses. `key` is the
/// dotted path of the field the message is about, if known: it picks the example of a list.
pub(super) fn plain_types(message: &str, key: Option<&str>) -> String {
    let mut m = message
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace(
            "expected a sequence",
            &format!("expected a list such as {}", list_example(key)),
        )
        .replace("expected a boolean", "expected true or false");
    while let Some(i) = m.find("expected struct Raw") {
        let end = m[i + 16..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(m.len(), |e| i + 16 + e);
        m.replace_range(i..end, "expected a table");
    }
    m.replace("expected a map", "expected a table")
}

/// An example value for the list field at `key`, with elements of the field's type.
fn list_example(key: Option<&str>) -> &'static str {
    let key = key.unwrap_or("");
    let segments = key.starts_with("revenue_correlations");
    match key.rsplit('.').next().unwrap_or("") {
        "segments" => "[\"consumer\", \"enterprise\"]",
        "between" if segments => "[\"consumer\", \"enterprise\"]",
        "between" => "[\"revenue.consumer.growth\", \"ipo.multiple\"]",
        "report_years" => "[2028, 2030]",
        "tranches" => "[{ share = 0.5 }, { share = 0.5, when = \"ipo\" }]",
        "revenue_correlations" => "[{ between = [\"consumer\", \"enterprise\"], rho = 0.5 }]",
        "correlations" => {
            "[{ between = [\"revenue.consumer.growth\", \"ipo.multiple\"], rho = 0.5 }]"
        }
        _ => "[1, 2]",
    }
}

/// Adds "did you mean `x`?" to serde's unknown-field message when a near name exists. Long
/// quoted values in it are cut ([`clip_quoted`]).
pub(super) fn with_suggestion(message: &str) -> String {
    let one_line = clip_quoted(&message.replace('\n', " "));
    let Some(rest) = one_line.strip_prefix("unknown field `") else {
        return one_line;
    };
    let Some(end) = rest.find('`') else {
        return one_line;
    };
    let field = &rest[..end];
    let candidates: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
    match did_you_mean(field, candidates.iter().copied()) {
        Some(s) => format!("{one_line}; did you mean `{s}`?"),
        None => one_line,
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, c)| d > 0 && d <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.to_string())
}

/// Why a file could not be read, in the words of the scenario errors ("no such file").
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// `text` on one line: control characters (a newline in a `--set` argument, say) are shown
/// escaped, so that an error stays one line per problem.
pub(super) fn one_line(text: &str) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_field_names() {
        let m = with_suggestion("unknown field `clsoe`, expected one of `close`, `post_money`");
        assert!(m.ends_with("did you mean `close`?"), "{m}");
        assert_eq!(did_you_mean("zzzzzz", ["close"]), None);
    }

    #[test]
    fn a_list_example_holds_what_the_field_holds() {
        let m = |key| plain_types("invalid type: string \"x\", expected a sequence", key);
        assert!(m(Some("events.slump.segments")).ends_with("[\"consumer\", \"enterprise\"]"));
        assert!(m(Some("costs.cut.segments")).ends_with("[\"consumer\", \"enterprise\"]"));
        assert!(m(Some("time.report_years")).ends_with("[2028, 2030]"));
        assert!(m(Some("revenue_correlations.0.between")).contains("\"consumer\""));
        assert!(m(Some("correlations.between")).contains("\"ipo.multiple\""));
        assert!(m(Some("rounds.r.participants.p.tranches")).contains("share = 0.5"));
        assert!(m(None).ends_with("expected a list such as [1, 2]"));
    }
}
