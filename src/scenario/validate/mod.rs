//! Raw → validated: every field parsed, range-checked and cross-referenced once.
//!
//! Problems are collected, not thrown: a user fixing a file sees all of them at once.
//! [`validate`] calls one function per section, always in this order, which is the order
//! problems are listed in:
//!
//! 1. `name`, then `time`: `[time]` and `[run]`;
//! 2. `funding::cash`, then `correlations`: `[[correlations]]`;
//! 3. `revenue`: `[revenue.*]`, `[[revenue_correlations]]`, `[events.*]`;
//! 4. `costs`: `[costs.*]`; `obligations`: `[obligations.*]`;
//! 5. `funding`: `[rounds.*]` (participants, tranches, tied spend), `[ipo]`, `[debt]`;
//! 6. `capacity`: `[capacity]`; `checks`: `[[checks]]`.
//!
//! They share the checks of single values in `inputs` (numbers and uncertain numbers in a
//! domain, series, interpolations, profiles, terms), `distribution` (the distribution forms)
//! and `dates`.

mod capacity;
pub(super) mod checks;
mod correlations;
mod costs;
mod dates;
mod distribution;
mod funding;
mod inputs;
mod obligations;
mod revenue;
mod segment_kinds;
mod time;

use super::raw::RawScenario;
use super::{Problem, Scenario, ScenarioError};

/// Collects the problems found; each check reports what it finds and carries on.
struct Checker {
    /// Every problem found so far, in the order found.
    problems: Vec<Problem>,
}

impl Checker {
    /// Reports a problem at `path`.
    fn problem(&mut self, path: &str, value: Option<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            value,
            message: message.into(),
        });
    }

    /// Reports that a required field is missing; `what` says what it holds.
    fn missing(&mut self, path: &str, what: &str) {
        self.problem(path, None, format!("is required ({what})"));
    }
}

/// `name` (default: the file's stem): letters (any script: "révenu" is a name), digits, `-`,
/// `_` and `.`, since it names a folder. Checked with everything else, so that every problem
/// is listed at once.
fn name(c: &mut Checker, name: Option<String>, stem: &str) -> String {
    let name = name.unwrap_or_else(|| stem.to_string());
    let name_ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    if !name_ok {
        c.problem(
            "name",
            Some(format!("{name:?}")),
            "must be a plain name of letters, digits, '-', '_' or '.' (it names the output folder output/<name>/)",
        );
    }
    name
}

/// Converts a merged raw scenario into a [`Scenario`], or lists every problem. `origin` names
/// the file in the error; `stem` is the default name.
pub(super) fn validate(
    raw: RawScenario,
    origin: &str,
    stem: &str,
) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        problems: Vec::new(),
    };

    let name = name(&mut c, raw.name, stem);
    let time = time::time(&mut c, raw.time.unwrap_or_default());
    let start = time.start;
    let run = time::run(&mut c, raw.run.unwrap_or_default());
    let cash = funding::cash(&mut c, raw.cash.unwrap_or_default());
    let correlations = correlations::correlations(&mut c, &raw.correlations);
    let segments = revenue::segments(&mut c, &raw.revenue, start);
    let revenue_correlations =
        revenue::correlations(&mut c, &raw.revenue_correlations, &raw.revenue);
    let events = revenue::events(&mut c, &raw.events, &raw.revenue);
    let costs = costs::costs(&mut c, &raw.costs, &raw.revenue);
    let obligations = obligations::obligations(&mut c, &raw.obligations, start);
    let rounds = funding::rounds(&mut c, &raw.rounds, start, &raw.obligations);
    let ipo = raw.ipo.as_ref().map(|i| funding::ipo(&mut c, i, start));
    funding::ipo_tranches(&mut c, &rounds, ipo.as_ref());
    let obligations = funding::if_joins(&mut c, obligations, &raw.obligations, &rounds);
    let debt = raw.debt.as_ref().map(|d| funding::debt(&mut c, d));
    let capacity = raw
        .capacity
        .as_ref()
        .map(|k| capacity::capacity(&mut c, k, &raw.revenue));
    capacity::check_contracts(&mut c, capacity.as_ref(), &obligations);
    let checks = checks::checks(&mut c, &raw.checks, &time);
    if !c.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: origin.to_string(),
            problems: c.problems,
        });
    }
    Ok(Scenario {
        name,
        description: raw.description.unwrap_or_default(),
        origin: origin.to_string(),
        files: Vec::new(),
        overrides: Vec::new(),
        correlations_inherited: false,
        removed: Vec::new(),
        resolved: toml::Table::new(),
        time,
        run,
        cash,
        correlations,
        segments,
        revenue_correlations,
        events,
        costs,
        obligations,
        rounds,
        ipo,
        debt,
        capacity,
        checks,
    })
}
