//! A run split into shards and merged is the run in one piece, to the bit: for any number of
//! shards, any order of the parts, any thread count.

use funding_gap::engine::{
    MergeError, Part, RunConfig, merge_parts, shard_chunks, simulate, simulate_part,
};
use funding_gap::model::Model;
use funding_gap::summary::summarize;

use crate::support::scenario_file;

fn config(trials: u64, seed: u64, threads: usize) -> RunConfig {
    RunConfig {
        trials,
        seed,
        threads: Some(threads),
        save_trials: false,
        worst: 5,
    }
}

/// The summary of `model` as JSON, run in one piece.
fn whole(model: &Model, cfg: &RunConfig) -> String {
    let r = simulate(model, cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
    let mut s = serde_json::to_string(&summarize(model, &r)).unwrap_or_default();
    s.push_str(&format!("{:?}", r.accum.worst()));
    s
}

fn parts(model: &Model, cfg: &RunConfig, m: u64) -> Vec<Part> {
    (0..m)
        .map(|k| {
            simulate_part(model, cfg, (k, m), &|_| {}, None, None)
                .unwrap_or_else(|e| panic!("shard {k}/{m}: {e}"))
        })
        .collect()
}

fn merged(model: &Model, cfg: &RunConfig, parts: Vec<Part>) -> String {
    let r = merge_parts(model, cfg, parts).unwrap_or_else(|e| panic!("{e}"));
    let mut s = serde_json::to_string(&summarize(model, &r)).unwrap_or_default();
    s.push_str(&format!("{:?}", r.accum.worst()));
    s
}

#[test]
fn shards_merge_to_the_bits_of_the_whole_run() {
    // 20.5 chunks of bench.toml, and base (a revolver, deferrable contracts, checks).
    for (file, trials) in [("bench.toml", 20_500), ("base.toml", 9_000)] {
        let model = scenario_file(file, &[]);
        let cfg = config(trials, 7, 2);
        let one = whole(&model, &cfg);
        assert!(one.len() > 1000);
        for m in [1, 2, 3, 7] {
            let mut ps = parts(&model, &cfg, m);
            // Any order of the parts.
            ps.reverse();
            ps.rotate_left(1);
            assert_eq!(merged(&model, &cfg, ps), one, "{file}: {m} shards");
        }
    }
}

#[test]
fn shards_and_merge_agree_at_any_thread_count() {
    let model = scenario_file("bench.toml", &[]);
    let one = whole(&model, &config(6_000, 3, 2));
    let ps = parts(&model, &config(6_000, 3, 1), 3);
    assert_eq!(merged(&model, &config(6_000, 3, 3), ps), one);
}

#[test]
fn more_shards_than_chunks_leave_some_empty_and_still_merge() {
    let model = scenario_file("bench.toml", &[]);
    let cfg = config(3_000, 11, 2);
    assert_eq!(shard_chunks(3_000, 4, 5), 2..3);
    assert_eq!(shard_chunks(3_000, 0, 5), 0..0);
    let one = whole(&model, &cfg);
    assert_eq!(merged(&model, &cfg, parts(&model, &cfg, 5)), one);
}

#[test]
fn a_missing_or_repeated_shard_or_another_run_is_refused() {
    let model = scenario_file("bench.toml", &[]);
    let cfg = config(5_000, 1, 2);
    let ps = parts(&model, &cfg, 3);
    let missing = vec![ps[0].clone(), ps[2].clone()];
    let err = merge_parts(&model, &cfg, missing)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("trials 1024..3072 are in no part (a shard is missing)")
    );
    let twice = vec![ps[0].clone(), ps[1].clone(), ps[1].clone(), ps[2].clone()];
    assert!(matches!(
        merge_parts(&model, &cfg, twice),
        Err(MergeError::Overlap { from: 1024, .. })
    ));
    let other = config(5_000, 2, 2);
    assert!(matches!(
        merge_parts(&model, &other, ps.clone()),
        Err(MergeError::Mismatch(_))
    ));
    assert!(matches!(
        merge_parts(&model, &cfg, Vec::new()),
        Err(MergeError::Empty)
    ));
    let tail = vec![ps[0].clone(), ps[1].clone()];
    assert!(matches!(
        merge_parts(&model, &cfg, tail),
        Err(MergeError::Missing {
            from: 3072,
            to: 5000
        })
    ));
}
