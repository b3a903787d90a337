//! The `new` template and every shipped scenario load, compile and run.

use crate::support::run;
use funding_gap::model::compile;
use funding_gap::scenario::{load, load_str, template};

#[test]
fn the_new_template_loads_and_runs() {
    let text = template("my-case");
    let s = load_str(&text, "my-case.toml", None, &[]).unwrap_or_else(|e| panic!("template:\n{e}"));
    assert_eq!(s.name, "my-case");
    let m = compile(&s).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let (_, sum) = run(&m, 2_000, 1, 2);
    assert!(sum.gap.mean.is_finite());
}

#[test]
fn every_shipped_scenario_loads_compiles_and_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for file in crate::support::shipped_scenarios() {
        let path = dir.join(file);
        let s = load(&path, &[]).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
        let stem = path
            .file_stem()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(
            s.name,
            stem,
            "{}: name should match the file name",
            path.display()
        );
        assert!(
            !s.description.is_empty(),
            "{}: give it a description",
            path.display()
        );
        let m = compile(&s).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
        let (_, sum) = run(&m, 1_000, 1, 2);
        assert!(sum.gap.mean.is_finite(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 2);
}

#[test]
fn the_builtin_base_is_the_file_in_scenarios() {
    let builtin = funding_gap::scenario::builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/base.toml");
    let file = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(builtin.params(), file.params());
}

/// "Every number cites its source": each uncertain input of each shipped scenario has the
/// comment that cites it, which the reports' assumption register shows.
#[test]
fn every_input_of_every_shipped_scenario_cites_its_source() {
    let mut missing = Vec::new();
    for file in crate::support::shipped_scenarios() {
        let model = crate::support::scenario_file(&file, &[]);
        let sources = funding_gap::scenario::Sources::of(&model.scenario);
        for input in &model.inputs {
            if sources.source(&input.path).is_none() {
                missing.push(format!("{file}: {}", input.path));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "inputs without a source comment:\n{}",
        missing.join("\n")
    );
}
