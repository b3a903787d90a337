//! Latin hypercube and RQMC sampling (`--sampling lhs|rqmc`): every point is uniform (KS
//! across independent randomizations), the estimators are unbiased (the mean of many
//! randomized runs against a long plain Monte Carlo run), the replicate errors are honest,
//! and the results are the same bits at any thread count.

use funding_gap::dist::normal_cdf;
use funding_gap::model::Model;
use funding_gap::qmc::{Dims, Method, Plan};
use funding_gap::rng::key_of;

use crate::support::{run, scenario_file};

/// Kolmogorov–Smirnov distance of `u` from the uniform distribution on (0, 1).
fn ks_uniform(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter()
        .enumerate()
        .map(|(i, &x)| (x - i as f64 / n).abs().max(((i + 1) as f64 / n - x).abs()))
        .fold(0.0, f64::max)
}

fn sampled(name: &str, method: Method, trials: u64, seed: u64) -> Model {
    let mut m = scenario_file(name, &[]);
    m.set_sampling(method, 16, trials, seed)
        .unwrap_or_else(|e| panic!("{e}"));
    m
}

#[test]
fn every_point_is_uniform_across_randomizations() {
    // For a fixed trial and dimension, the coordinate over 2,000 independent seeds must be
    // U(0, 1): KS distance below 1.95/√2000 = 0.0436 (α = 0.001). Dimensions cover inputs,
    // a segment's bridge nodes and an event's arrival; trials cover replicates and points.
    let inputs: Vec<u64> = (0..30).map(|i| key_of(&format!("in{i}"))).collect();
    let segments = [key_of("seg.a"), key_of("seg.b")];
    let events = [key_of("ev")];
    let dims = Dims {
        inputs: &inputs,
        segments: &segments,
        events: &events,
        steps: 31,
    };
    let seeds = 2000u64;
    for method in [Method::Rqmc, Method::Lhs] {
        let plans: Vec<Plan> = (0..seeds)
            .map(|s| Plan::new(method, 16, 1 << 14, s, &dims).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        for trial in [0u64, 5, 16, 1000, 16_383] {
            for d in [0usize, 1, 7, 29, 30, 45, 61, 62] {
                let u: Vec<f64> = plans
                    .iter()
                    .enumerate()
                    .map(|(s, p)| p.coordinate(s as u64, trial, d))
                    .collect();
                let ks = ks_uniform(u);
                assert!(
                    ks < 0.0436,
                    "{method}: trial {trial}, dimension {d}: KS {ks}"
                );
            }
        }
        // The bridged shock walk's increments are standard normals: Φ(increment) is uniform.
        for step in [0usize, 7, 15, 30] {
            let u: Vec<f64> = plans
                .iter()
                .enumerate()
                .map(|(s, p)| {
                    let mut out = [0.0; 31];
                    let mut work = [0.0; 31];
                    let mut extra = funding_gap::rng::stream(s as u64, 99, 1);
                    p.shock_walk(s as u64, 3, 1, &mut out, &mut work, || {
                        use rand_distr::Distribution;
                        rand_distr::StandardNormal.sample(&mut extra)
                    });
                    normal_cdf(out[step])
                })
                .collect();
            let ks = ks_uniform(u);
            assert!(ks < 0.0436, "{method}: walk step {step}: KS {ks}");
        }
    }
}

#[test]
fn randomized_estimates_are_unbiased() {
    // bench.toml exercises every path: independent inputs, a copula, correlated segments with
    // shocks, an event. The mean of 40 independent RQMC (and LHS) runs of 2^12 trials must
    // agree with a plain Monte Carlo run of 2^20 trials within 4 standard errors of the
    // difference (each side's error measured, not claimed: the spread of the 40 runs).
    let reference = run(&scenario_file("bench.toml", &[]), 1 << 20, 4242, 2).1;
    let pick = |s: &funding_gap::summary::Summary| {
        [
            s.gap.mean,
            s.first_shortfall.probability_by_year["2027"],
            s.metrics["revenue"].mean,
        ]
    };
    let reference_values = pick(&reference);
    let reference_se = [
        reference.gap.std_error,
        {
            let p = reference_values[1];
            (p * (1.0 - p) / f64::from(1u32 << 20)).sqrt()
        },
        reference.metrics["revenue"].std_error,
    ];
    for method in [Method::Rqmc, Method::Lhs] {
        let runs: Vec<[f64; 3]> = (0..40u64)
            .map(|seed| {
                pick(
                    &run(
                        &sampled("bench.toml", method, 1 << 12, seed),
                        1 << 12,
                        seed,
                        2,
                    )
                    .1,
                )
            })
            .collect();
        for k in 0..3 {
            let xs: Vec<f64> = runs.iter().map(|r| r[k]).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            let se = (var / xs.len() as f64 + reference_se[k].powi(2)).sqrt();
            assert!(
                (mean - reference_values[k]).abs() <= 4.0 * se,
                "{method}, estimate {k}: {mean} against {} (se {se})",
                reference_values[k]
            );
        }
    }
}

#[test]
fn replicate_errors_match_the_spread_of_independent_runs() {
    // The summary's RQMC standard error of the mean gap (from 16 replicates) against the
    // standard deviation of the mean gap over 24 independent runs: their ratio must lie in
    // [0.6, 1.6] (the sd of 24 runs is within ±30 % of the truth with probability > 0.99;
    // each claimed se has 15 degrees of freedom, averaged over the 24).
    let trials = 1 << 13;
    let runs: Vec<(f64, f64)> = (0..24u64)
        .map(|seed| {
            let s = run(
                &sampled("base.toml", Method::Rqmc, trials, seed),
                trials,
                seed,
                2,
            )
            .1;
            (s.gap.mean, s.gap.std_error)
        })
        .collect();
    let n = runs.len() as f64;
    let mean = runs.iter().map(|r| r.0).sum::<f64>() / n;
    let sd = (runs.iter().map(|r| (r.0 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let claimed = (runs.iter().map(|r| r.1 * r.1).sum::<f64>() / n).sqrt();
    let ratio = sd / claimed;
    assert!(
        (0.6..=1.6).contains(&ratio),
        "sd {sd} against claimed se {claimed}"
    );
}

#[test]
fn sampled_runs_are_the_same_bits_at_any_thread_count() {
    for method in [Method::Rqmc, Method::Lhs] {
        let m = sampled("bench.toml", method, 20_000, 3);
        let json =
            |threads| serde_json::to_string(&run(&m, 20_000, 3, threads).1).unwrap_or_default();
        let one = json(1);
        assert!(one.contains("\"sampling\""), "{method}: no sampling note");
        assert_eq!(one, json(2), "{method}: 1 and 2 threads differ");
        assert_eq!(one, json(3), "{method}: 1 and 3 threads differ");
    }
}

#[test]
fn a_sampled_trial_replays_alone() {
    // Trial i of an RQMC run is a function of (seed, i) and the plan: replayed alone (as
    // `trace` does), each of the run's worst trials has the gap the run recorded for it.
    use funding_gap::engine::{RunConfig, simulate};
    use funding_gap::sim::{Scratch, metric, run_trial};
    for method in [Method::Rqmc, Method::Lhs] {
        let m = sampled("bench.toml", method, 4096, 11);
        let cfg = RunConfig {
            trials: 4096,
            seed: 11,
            threads: Some(2),
            save_trials: false,
            worst: 5,
        };
        let r = simulate(&m, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
        let mut s = Scratch::new(&m);
        assert_eq!(r.accum.worst().len(), 5);
        for &(gap, trial) in r.accum.worst() {
            run_trial(&m, 11, trial, &mut s);
            assert_eq!(
                s.outcome.metrics[metric::GAP],
                gap,
                "{method}: trial {trial}"
            );
        }
    }
}
