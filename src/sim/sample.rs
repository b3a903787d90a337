//! A trial's uncertain inputs: x = F⁻¹(u), with u from the trial's own streams or through
//! the Gaussian copula (docs/model.md, "Uncertain inputs").

use rand_distr::{Distribution, StandardNormal};

use super::Scratch;
use crate::dist::{normal_cdf, normal_quantile_fast};
use crate::model::{MAX_INPUT, Model};
use crate::rng::{stream, uniform};
use crate::stats::sensitivity::{u_bin, z_bin, z_bin_edges};

/// Sets every input to its median (z = 0, u = ½).
pub(super) fn median_inputs(model: &Model, s: &mut Scratch) {
    for (i, inp) in model.inputs.iter().enumerate() {
        s.z[i] = 0.0;
        s.u[i] = 0.5;
        s.bins[i] = u_bin(0.5);
        s.x[i] = inp.dist.quantile_from_z(0.0, 0.5);
    }
}

/// Draws trial `trial`'s inputs into `x` (values), their uniforms and sensitivity bins.
///
/// An input outside the copula takes its u straight from a counter-based hash of
/// (seed, trial, path), and x = F⁻¹(u). A copula member draws a standard normal ε from its
/// stream, the copula mixes them (z = A·ε), and u = Φ(z), x = F⁻¹(Φ(z)).
///
/// With a Latin hypercube or RQMC plan ([`Model::plan`]), input i's u (outside the copula)
/// or its ε = Φ⁻¹(u) (a copula member) is coordinate i of the trial's point instead.
pub fn sample_inputs(model: &Model, seed: u64, trial: u64, s: &mut Scratch) {
    let plan = &model.plan;
    let structured = plan.is_structured();
    for &i in &model.independent {
        let inp = &model.inputs[i];
        let u = if structured {
            plan.coordinate(seed, trial, i)
        } else {
            uniform(seed, trial, inp.key)
        };
        s.u[i] = u;
        s.bins[i] = u_bin(u);
        s.x[i] = inp.dist.quantile(u).clamp(-MAX_INPUT, MAX_INPUT);
    }
    if let Some(c) = &model.copula {
        let edges = z_bin_edges();
        let m = c.members.len();
        for (a, &i) in c.members.iter().enumerate() {
            s.ztmp[a] = if structured {
                normal_quantile_fast(plan.coordinate(seed, trial, i))
            } else {
                StandardNormal.sample(&mut stream(seed, trial, model.inputs[i].key))
            };
        }
        for (a, &i) in c.members.iter().enumerate() {
            let row = &c.factor[a * m..(a + 1) * m];
            let z: f64 = row.iter().zip(&s.ztmp).map(|(f, e)| f * e).sum();
            // Φ is the costliest step here; a value from z alone does not need it (its u is
            // computed on demand by `Scratch::u`).
            let u = if s.u_from_z[i] {
                f64::NAN
            } else {
                normal_cdf(z)
            };
            s.z[i] = z;
            s.u[i] = u;
            s.bins[i] = z_bin(z, edges);
            s.x[i] = model.inputs[i]
                .dist
                .quantile_from_z(z, u)
                .clamp(-MAX_INPUT, MAX_INPUT);
        }
    }
}
