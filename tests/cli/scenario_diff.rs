//! `funding-gap diff`: what differs between two scenarios after extends, remove and --set.

use super::funding_gap;

/// `diff A B --json` with `extra` options: its changes as (path, kind, a, b).
fn changes(a: &str, b: &str, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let mut args = vec!["diff", a, b, "--json"];
    args.extend_from_slice(extra);
    let out = funding_gap(&args);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| (s(&c["path"]), s(&c["kind"]), s(&c["a"]), s(&c["b"])))
        .collect()
}

/// The paths of the changes other than the name and description.
fn paths(changes: &[(String, String, String, String)]) -> Vec<&str> {
    changes
        .iter()
        .map(|c| c.0.as_str())
        .filter(|p| *p != "name" && *p != "description")
        .collect()
}

#[test]
fn base_against_each_variant_shows_exactly_the_variants_changes() {
    let amazon = changes("base", "amazon-50b", &[]);
    assert_eq!(
        paths(&amazon),
        [
            "rounds.2026.participants.amazon.probability",
            "rounds.2026.participants.amazon.amount"
        ]
    );
    let amount = &amazon[3];
    assert_eq!(amount.1, "changed");
    assert_eq!(amount.2, "triangular(10, 35, 50)");
    assert_eq!(amount.3, "fixed(50)");
    let no_round = changes("base", "no-round", &[]);
    assert_eq!(paths(&no_round), ["rounds.2026.probability"]);
    assert_eq!(no_round[2].3, "bernoulli(0)");
    // outside-view removes the three segments and the slump and adds its own segment.
    let outside = changes("base", "outside-view", &[]);
    for (path, kind) in [
        ("revenue.consumer", "removed"),
        ("events.slump", "removed"),
        ("revenue.total", "added"),
    ] {
        assert!(
            outside.iter().any(|c| c.0 == path && c.1 == kind),
            "{path} {kind}: {outside:#?}"
        );
    }
}

#[test]
fn a_scenario_against_itself_is_empty_and_says_so() {
    let out = funding_gap(&["diff", "base", "scenarios/base.toml"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(out.stdout.contains("are the same"), "{}", out.stdout);
    assert!(changes("amazon-50b", "amazon-50b", &[]).is_empty());
    // The same override on both sides changes nothing; on one side it is the difference.
    assert!(changes("base", "base", &["--set", "ipo.probability=0.5"]).is_empty());
    let one = changes("base", "base", &["--set-b", "ipo.probability=0.5"]);
    assert_eq!(paths(&one), ["ipo.probability"]);
    assert_eq!(one[0].3, "bernoulli(0.5)");
}

#[test]
fn diff_text_groups_by_section_and_a_bad_scenario_is_an_error() {
    let out = funding_gap(&["diff", "base", "amazon-50b"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        "[rounds]",
        "[scenario]",
        "triangular(10, 35, 50)",
        "fixed(50)",
    ] {
        assert!(out.stdout.contains(needle), "{needle}\n{}", out.stdout);
    }
    let bad = funding_gap(&["diff", "base", "no-such-scenario"]);
    super::assert_error(&bad, 2, &["no-such-scenario"]);
}
