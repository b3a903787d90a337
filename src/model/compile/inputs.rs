//! `[[correlations]]`: the Gaussian copula over the inputs they name. Runs after every other
//! section, once all the inputs are known.

use std::collections::HashMap;

use super::Compiler;
use crate::model::copula::{correlation_matrix, factorize};
use crate::model::{Copula, MAX_CORRELATED};
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
    let params = s.params();
    let names = Names {
        all: params.iter().map(|p| p.path.as_str()).collect(),
        inputs: cc
            .inputs
            .iter()
            .enumerate()
            .map(|(i, inp)| (inp.path.clone(), i))
            .collect(),
    };
    let mut members = Members::default();
    let pairs: Vec<Pair> = s
        .correlations
        .iter()
        .enumerate()
        .filter_map(|(ci, r)| pair(cc, s, &names, &mut members, ci, r))
        .collect();
    let members = members.order;
    if pairs.is_empty() {
        return None;
    }
    if members.len() > MAX_CORRELATED {
        cc.problems.push(Problem {
            path: "correlations".into(),
            value: None,
            message: format!(
                "correlate {} inputs; at most {MAX_CORRELATED} can be correlated (their factor is a dense matrix): correlate fewer inputs",
                members.len()
            ),
        });
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

/// The parameters of the scenario, for looking a correlation's names up.
struct Names<'s> {
    /// Every parameter's path, fixed or not.
    all: Vec<&'s str>,
    /// The index in [`Compiler::inputs`] of each uncertain input, by path.
    inputs: HashMap<String, usize>,
}

/// The copula's members, in the order first named, and the position of each.
#[derive(Default)]
struct Members {
    /// Indices in [`Compiler::inputs`].
    order: Vec<usize>,
    /// Position in `order` of each input index.
    position: HashMap<usize, usize>,
}

/// Whether input `name`, correlated but fixed, was fixed on purpose: the correlations come
/// from a file the scenario extends (a variant fixed it), or a `--set` names it.
fn fixed_on_purpose(sc: &Scenario, name: &str) -> bool {
    sc.correlations_inherited
        || sc.overrides.iter().any(|o| {
            o.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', '*', '+', '.']))
        })
}

/// Correlation `ci` as a pair of copula members (added to `members` as first named), or
/// `None` when either side is not an input: a fixed parameter (a warning) or no parameter of
/// the scenario (a problem). Both sides are checked, so both are reported.
fn pair(
    cc: &mut Compiler,
    s: &Scenario,
    names: &Names<'_>,
    members: &mut Members,
    ci: usize,
    r: &Correlation,
) -> Option<Pair> {
    let mut idx = [0usize; 2];
    let mut ok = true;
    for (slot, name) in [&r.a, &r.b].into_iter().enumerate() {
        match names.inputs.get(name.as_str()) {
            Some(&i) => {
                idx[slot] = *members.position.entry(i).or_insert_with(|| {
                    members.order.push(i);
                    members.order.len() - 1
                });
            }
            None if names.all.contains(&name.as_str()) => {
                // Fixed on purpose: by a variant of the file that correlates it, or by --set.
                // Then the correlation is meant to lapse, and saying so on every run of the
                // variant would be noise.
                if !fixed_on_purpose(s, name) {
                    cc.warnings.push(format!(
                    "correlations.{ci}: `{name}` is fixed in this scenario, so its correlation with `{}` has no effect",
                    if slot == 0 { &r.b } else { &r.a }
                ));
                }
                ok = false;
            }
            None => {
                let hint = did_you_mean(name, names.all.iter().copied())
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
