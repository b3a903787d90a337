//! `[[correlations]]`: the Gaussian copula over the inputs they name. Runs after every other
//! section, once all the inputs are known.

use super::Compiler;
use crate::model::Copula;
use crate::model::copula::{correlation_matrix, factorize};
use crate::scenario::{Correlation, Problem, Scenario, did_you_mean};

/// A correlation between two members of the copula.
struct Pair {
    /// Positions of its two inputs in the copula's members.
    a: usize,
    b: usize,
    /// The coefficient.
    rho: f64,
    /// Index of the correlation in the scenario (for messages).
    ci: usize,
}

/// The copula over the inputs named in the correlations, `None` when no correlation holds
/// two inputs of this scenario. Files a problem for a name that is no input and for
/// correlations that are not positive semi-definite; warns of a correlation with a fixed
/// parameter, which is dropped.
pub(super) fn copula(cc: &mut Compiler, s: &Scenario) -> Option<Copula> {
    let all_paths: Vec<String> = s.params().iter().map(|p| p.path.clone()).collect();
    let mut members: Vec<usize> = Vec::new();
    let pairs: Vec<Pair> = s
        .correlations
        .iter()
        .enumerate()
        .filter_map(|(ci, r)| pair(cc, &all_paths, &mut members, ci, r))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let c = correlation_matrix(members.len(), pairs.iter().map(|p| (p.a, p.b, p.rho)));
    match factorize(c) {
        Ok(factor) => Some(Copula { members, factor }),
        Err((ev, vector)) => {
            let involved: Vec<String> = pairs
                .iter()
                .filter(|p| vector[p.a].abs() > 0.1 && vector[p.b].abs() > 0.1)
                .map(|p| {
                    format!(
                        "correlations.{} {}–{} ({})",
                        p.ci, cc.inputs[members[p.a]].path, cc.inputs[members[p.b]].path, p.rho
                    )
                })
                .collect();
            cc.problems.push(Problem {
                path: "correlations".into(),
                value: None,
                message: format!(
                    "the correlations are not positive semi-definite (smallest eigenvalue {ev:.3}): no set of inputs can be correlated like this; the conflicting pairs: {}; weaken or change the sign of one of them",
                    involved.join(", ")
                ),
            });
            None
        }
    }
}

/// Correlation `ci` as a pair of copula members (added to `members` as first named), or
/// `None` when either side is not an input: a fixed parameter (a warning) or no parameter of
/// the scenario (a problem). Both sides are checked, so both are reported.
fn pair(
    cc: &mut Compiler,
    all_paths: &[String],
    members: &mut Vec<usize>,
    ci: usize,
    r: &Correlation,
) -> Option<Pair> {
    let mut idx = [0usize; 2];
    let mut ok = true;
    for (slot, name) in [&r.a, &r.b].into_iter().enumerate() {
        match cc.inputs.iter().position(|inp| &inp.path == name) {
            Some(i) => {
                idx[slot] = members.iter().position(|&m| m == i).unwrap_or_else(|| {
                    members.push(i);
                    members.len() - 1
                });
            }
            None if all_paths.contains(name) => {
                cc.warnings.push(format!(
                    "correlations.{ci}: `{name}` is fixed in this scenario, so its correlation with `{}` has no effect",
                    if slot == 0 { &r.b } else { &r.a }
                ));
                ok = false;
            }
            None => {
                let hint = did_you_mean(name, all_paths.iter().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                cc.problems.push(Problem {
                    path: format!("correlations.{ci}.between"),
                    value: Some(format!("\"{name}\"")),
                    message: format!("names no input of this scenario{hint}"),
                });
                ok = false;
            }
        }
    }
    ok.then_some(Pair {
        a: idx[0],
        b: idx[1],
        rho: r.rho,
        ci,
    })
}
