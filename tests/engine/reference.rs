//! bench.toml against the independent numpy implementation of docs/bench-model.md
//! (`scripts/reference/bench_model.py`, 2,000,000 trials, stored in tests/data/). The two use
//! different random numbers, so they must agree within Monte Carlo error.

use crate::support::{close, run, scenario_file};

fn reference() -> serde_json::Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bench_reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn f(v: &serde_json::Value, path: &[&str]) -> f64 {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_f64()
        .unwrap_or_else(|| panic!("reference has no number at {path:?}"))
}

#[test]
fn bench_matches_the_independent_reference() {
    let r = reference();
    let n_ref = f(&r, &["trials"]);
    let m = scenario_file("bench.toml", &[]);
    let trials = 300_000;
    let (_, s) = run(&m, trials, 424_242, 2);
    let n = trials as f64;

    // Probabilities: binomial standard errors of both runs; four of them.
    let prob_tol = |p: f64| 4.0 * (p * (1.0 - p) * (1.0 / n + 1.0 / n_ref)).sqrt() + 1e-12;
    let p_ref = f(&r, &["shortfall_probability"]);
    close(
        s.shortfall_probability.estimate,
        p_ref,
        prob_tol(p_ref),
        "P(shortfall)",
    );
    for (year, p) in r["first_shortfall_by_year"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let p = p.as_f64().unwrap_or(f64::NAN);
        let got = s.first_shortfall.probability_by_year[year.as_str()];
        close(
            got,
            p,
            prob_tol(p),
            &format!("P(first shortfall by end of {year})"),
        );
    }

    // The benchmark model's "gap" is the depth below the floor on the trial's own path:
    // funding-gap's deficit (docs/bench-model.md).
    // Means: four combined standard errors (the reference's from the same spread).
    let sd = s.deficit.std_error * n.sqrt();
    let mean_tol = 4.0 * sd * (1.0 / n + 1.0 / n_ref).sqrt();
    close(
        s.deficit.mean,
        f(&r, &["gap", "mean"]),
        mean_tol,
        "deficit mean",
    );
    let g30 = &s.deficit_by_year["2030"].gap;
    let sd30 = g30.std_error * n.sqrt();
    close(
        g30.mean,
        f(&r, &["gap_2030", "mean"]),
        4.0 * sd30 * (1.0 / n + 1.0 / n_ref).sqrt(),
        "deficit 2030 mean",
    );

    // Quantiles: twice our 95 % interval's half-width (≈ 4 s.e.), plus the sketch's 0.05 %.
    for key in ["p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99"] {
        for (ours, theirs, label) in [
            (&s.deficit, "gap", "deficit"),
            (g30, "gap_2030", "deficit 2030"),
        ] {
            let [lo, hi] = ours.quantiles_ci95[key];
            let tol = (hi - lo) + 5e-4 * ours.quantiles[key].abs();
            close(
                ours.quantiles[key],
                f(&r, &[theirs, key]),
                tol,
                &format!("{label} {key}"),
            );
        }
    }

    // Cash bands: docs/bench-model.md allows 1 % of the step's p5–p95 spread for the method;
    // add MC error of the same order.
    for (key, band) in [
        ("p5", &s.bands.cash.p5),
        ("p50", &s.bands.cash.p50),
        ("p95", &s.bands.cash.p95),
    ] {
        let theirs = r["cash_bands"][key].as_array().cloned().unwrap_or_default();
        assert_eq!(theirs.len(), 33);
        for k in 0..33 {
            let spread = s.bands.cash.p95[k] - s.bands.cash.p5[k];
            let want = theirs[k].as_f64().unwrap_or(f64::NAN);
            close(
                band[k],
                want,
                0.02 * spread + 1e-9,
                &format!("cash {key} at step {k}"),
            );
        }
    }
    close(
        s.ipo_probability.estimate,
        f(&r, &["ipo_share"]),
        prob_tol(0.6),
        "IPO share",
    );
    let tied = &s.metrics["tied_spend_new"];
    close(
        tied.mean,
        f(&r, &["amazon_tied_mean"]),
        4.0 * tied.std_error * 1.2,
        "tied spend mean",
    );
}
