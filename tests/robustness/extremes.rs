//! Extreme but valid inputs. Each case must either be rejected with a clear error or produce
//! outputs without NaN or infinity: checked through the library (the summary, and a few
//! trials' metrics) and end to end through the binary (`funding-gap run`, charts included:
//! exit status, summary.json, bands.csv). `cargo test --test robustness extremes_report --
//! --ignored --nocapture` prints what happens in every case.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use funding_gap::model::compile;
use funding_gap::scenario::load_str;
use funding_gap::sim::{METRIC_NAMES, Scratch, run_trial};
use serde_json::Value as Json;

use crate::properties::summary_violations;
use crate::support::{bullet, check_message, collapse, run_summary};

/// A scenario with every kind of input, around which the cases vary one thing. `{TIME}`,
/// `{CASH}`, `{REVENUE}`, `{COSTS}`, `{OBLIGATIONS}`, `{ROUND}`, `{IPO}`, `{DEBT}` are
/// replaced by a case's sections (or these defaults).
const TEMPLATE: &str = r#"
name = "extreme"
[time]
{TIME}
[cash]
{CASH}
{REVENUE}
{COSTS}
{OBLIGATIONS}
{ROUND}
{IPO}
{DEBT}
"#;

struct Parts {
    time: String,
    cash: String,
    revenue: String,
    costs: String,
    obligations: String,
    round: String,
    ipo: String,
    debt: String,
}

impl Default for Parts {
    fn default() -> Parts {
        Parts {
            time: "start = 2026\nhorizon_years = 8\nsteps_per_year = 4".into(),
            cash: "initial = { low = 30.0, high = 50.0 }\nmin_cash = 5.0".into(),
            revenue: r#"
[revenue.consumer]
run_rate = 12.0
growth = { p5 = 0.5, p95 = 1.5 }
terminal_growth = 0.08
volatility = 0.25
[revenue.enterprise]
path = { 2026 = 10, 2030 = 60 }
scale = { low = 0.7, high = 1.3 }
volatility = 0.3
[events.slump]
hazard = 0.1
factor = { low = 0.5, high = 0.8 }
"#
            .into(),
            costs: r#"
[costs.opex]
annual = 15.0
growth = { low = 0.1, high = 0.3 }
[costs.share]
revenue_share = { low = 0.05, high = 0.2 }
"#
            .into(),
            obligations: r#"
[obligations.cloud]
total = { low = 200.0, high = 300.0 }
start = 2026.5
years = 5
profile = "ramp"
[obligations.chips]
total = 150.0
start = 2027
years = 4
realized_share = { low = 0.6, high = 1.0 }
flexible_share = 0.3
"#
            .into(),
            round: r#"
[rounds.r2026]
close = 2026.25
[rounds.r2026.participants.fund]
probability = 0.8
amount = { low = 10.0, high = 40.0 }
tranches = [{ share = 0.5, when = "close" }, { share = 0.5, when = "ipo", lapses = 2030 }]
tied_spend = { share = 0.3, years = 4 }
"#
            .into(),
            ipo: r#"
[ipo]
probability = 0.5
date = { low = 2027.0, high = 2029.0 }
multiple = { p5 = 10.0, p95 = 30.0 }
raise_share = 0.1
"#
            .into(),
            debt: "[debt]\nlimit = 10.0\nrate = 0.07".into(),
        }
    }
}

impl Parts {
    fn text(&self) -> String {
        TEMPLATE
            .replace("{TIME}", &self.time)
            .replace("{CASH}", &self.cash)
            .replace("{REVENUE}", &self.revenue)
            .replace("{COSTS}", &self.costs)
            .replace("{OBLIGATIONS}", &self.obligations)
            .replace("{ROUND}", &self.round)
            .replace("{IPO}", &self.ipo)
            .replace("{DEBT}", &self.debt)
    }
}

const MONTHLY_30Y: &str = "start = 2026\nhorizon_years = 30\nsteps_per_year = 12";

/// One extreme case: the scenario and the number of trials.
struct Case {
    name: &'static str,
    text: String,
    trials: u64,
}

fn case(name: &'static str, trials: u64, f: impl FnOnce(&mut Parts)) -> Case {
    let mut p = Parts::default();
    f(&mut p);
    Case {
        name,
        text: p.text(),
        trials,
    }
}

fn single_trial() -> Case {
    case("trials = 1", 1, |_| {})
}

fn thirty_years_monthly() -> Case {
    case("30-year monthly horizon", 2000, |p| {
        p.time = MONTHLY_30Y.into();
    })
}

fn zero_revenue() -> Case {
    case("zero revenue", 2000, |p| {
        p.revenue = r#"
[revenue.consumer]
run_rate = 0.0
growth = { low = 0.2, high = 0.8 }
volatility = 0.5
[revenue.enterprise]
path = { 2026 = 0, 2030 = 0 }
volatility = 0.3
"#
        .into();
    })
}

fn volatility_300_percent() -> Case {
    case("volatility 3.0 (300 %/yr), 30 years monthly", 2000, |p| {
        p.time = MONTHLY_30Y.into();
        p.revenue = p.revenue.replace("volatility = 0.25", "volatility = 3.0");
        p.revenue = p.revenue.replace("volatility = 0.3", "volatility = 3.0");
    })
}

fn amounts_of_a_billion() -> Case {
    case("amounts of 1e9 $B", 2000, |p| {
        p.cash = "initial = 1e9\nmin_cash = 1e9".into();
        p.revenue = r#"
[revenue.consumer]
run_rate = 1e9
growth = 0.5
volatility = 0.25
"#
        .into();
        p.costs = "[costs.opex]\nannual = 1e9\ngrowth = 0.2".into();
        p.obligations =
            "[obligations.cloud]\ntotal = 1e9\nstart = 2026\nyears = 5\nflexible_share = 0.5"
                .into();
        p.round = p.round.replace("{ low = 10.0, high = 40.0 }", "1e9");
        p.debt = "[debt]\nlimit = 1e9\nrate = 0.07".into();
    })
}

fn growth_50_vol_3() -> Case {
    case(
        "growth 50 (5000 %/yr), volatility 3, 30 years monthly, terminal = growth",
        2000,
        |p| {
            p.time = MONTHLY_30Y.into();
            p.revenue = r#"
[revenue.consumer]
run_rate = 12.0
growth = 50.0
volatility = 3.0
"#
            .into();
        },
    )
}

fn growth_overflows_f64() -> Case {
    case(
        "growth 1e12 for 30 years: (1 + g)^30 = 1e360 overflows f64",
        2000,
        |p| {
            p.time = MONTHLY_30Y.into();
            p.revenue = r#"
[revenue.consumer]
run_rate = 12.0
growth = 1e12
volatility = 3.0
"#
            .into();
        },
    )
}

fn cost_growth_overflows_f64() -> Case {
    case("cost growth 1e12 for 30 years", 2000, |p| {
        p.time = MONTHLY_30Y.into();
        p.costs = "[costs.opex]\nannual = 15.0\ngrowth = 1e12".into();
    })
}

fn uncertain_cost_growth_overflows_f64() -> Case {
    case("uncertain cost growth up to 1e12 for 30 years", 2000, |p| {
        p.time = MONTHLY_30Y.into();
        p.costs = "[costs.opex]\nannual = 15.0\ngrowth = { low = 1e11, high = 1e12 }".into();
    })
}

fn lognormal_huge_sd_log() -> Case {
    case("run_rate = { median = 10, sd_log = 1000 }", 2000, |p| {
        p.revenue = r#"
[revenue.consumer]
run_rate = { median = 10.0, sd_log = 1000.0 }
growth = 0.3
"#
        .into();
    })
}

fn uniform_wider_than_f64() -> Case {
    case("cash.initial = { low = -1e308, high = 1e308 }", 2000, |p| {
        p.cash = "initial = { low = -1e308, high = 1e308 }".into();
    })
}

fn normal_interval_wider_than_f64() -> Case {
    case("cash.initial = { p5 = -1e308, p95 = 1e308 }", 2000, |p| {
        p.cash = "initial = { p5 = -1e308, p95 = 1e308 }".into();
    })
}

fn floor_minus_cash_overflows() -> Case {
    case("cash.initial = -1.7e308, min_cash = 1.7e308", 100, |p| {
        p.cash = "initial = -1.7e308\nmin_cash = 1.7e308".into();
    })
}

fn path_times_scale_overflows() -> Case {
    case("revenue path 1e308 × scale 10", 100, |p| {
        p.revenue = "[revenue.consumer]\npath = { 2026 = 1e308 }\nscale = 10".into();
    })
}

fn ipo_valuation_overflows() -> Case {
    case("IPO multiple 1e300 × run-rate", 500, |p| {
        p.ipo = "[ipo]\nprobability = 1\ndate = 2027\nmultiple = 1e300\nraise_share = 1".into();
    })
}

fn interest_overflows() -> Case {
    case("debt rate 1e300", 500, |p| {
        p.cash = "initial = 0\nmin_cash = 5".into();
        p.debt = "[debt]\nlimit = 10.0\nrate = 1e300".into();
    })
}

fn huge_obligation_total() -> Case {
    case("obligation total 1e308 (two of them)", 100, |p| {
        p.obligations = r#"
[obligations.a]
total = 1e308
start = 2026
years = 1
[obligations.b]
total = 1e308
start = 2026
years = 1
"#
        .into();
    })
}

/// What happened to one case.
struct Findings {
    name: &'static str,
    /// The library's verdict: `Err` with the rejection, or the problems found in the run.
    library: Result<Vec<String>, String>,
    /// The binary's: problems (empty if fine) and a one-line description.
    cli: (Vec<String>, String),
}

impl Findings {
    /// Every problem found.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.library {
            Ok(p) => out.extend(p.iter().map(|p| format!("library: {p}"))),
            Err(msg) => {
                if let Err(e) = check_message(msg, "") {
                    out.push(format!("library: rejected with an unclear message: {e}"));
                }
            }
        }
        out.extend(self.cli.0.iter().map(|p| format!("binary: {p}")));
        out
    }

    fn report(&self) -> String {
        let lib = match &self.library {
            Ok(p) if p.is_empty() => "library: runs; summary finite and ordered".to_string(),
            Ok(p) => format!("library: runs, but\n{}", bullet(p)),
            Err(msg) => format!("library: rejected: {msg}"),
        };
        format!("## {}\n{lib}\nbinary: {}\n", self.name, self.cli.1)
    }
}

fn examine(c: &Case) -> Findings {
    Findings {
        name: c.name,
        library: examine_library(c),
        cli: examine_cli(c),
    }
}

fn examine_library(c: &Case) -> Result<Vec<String>, String> {
    let scenario = load_str(&c.text, "extreme.toml", None, &[]).map_err(|e| e.to_string())?;
    let model = compile(&scenario).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    // Per-trial metrics of the first few trials.
    let mut s = Scratch::new(&model);
    let mut bad: Vec<String> = Vec::new();
    for trial in 0..c.trials.min(50) {
        run_trial(&model, 1, trial, &mut s);
        for (name, v) in METRIC_NAMES.iter().zip(&s.outcome.metrics) {
            if !v.is_finite() {
                bad.push(format!("{name} = {v}"));
            }
        }
        for (k, v) in s.cash.iter().enumerate() {
            if !v.is_finite() {
                bad.push(format!("cash[{k}] = {v}"));
                break;
            }
        }
    }
    if !bad.is_empty() {
        bad.sort();
        bad.dedup();
        problems.push(format!(
            "non-finite per-trial results (first 50 trials): {}",
            bad.join(", ")
        ));
    }
    let summary = run_summary(&model, c.trials, 1);
    problems.extend(summary_violations(&summary));
    Ok(problems)
}

/// Runs `funding-gap run` on the case (charts included) with a time limit.
fn examine_cli(c: &Case) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let file = tmp.path().join("extreme.toml");
    std::fs::write(&file, &c.text).unwrap_or_else(|e| panic!("write: {e}"));
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_funding-gap"))
        .arg("run")
        .arg(&file)
        .args([
            "--trials",
            &c.trials.to_string(),
            "--seed",
            "1",
            "--threads",
            "2",
            "--quiet",
        ])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn funding-gap: {e}"));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("wait: {e}"),
        }
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let Some(status) = status else {
        return (vec!["HUNG: did not finish in 120 s".into()], "hangs".into());
    };
    let first = stderr.lines().take(4).collect::<Vec<_>>().join(" | ");
    match status.code() {
        Some(0) => {
            let all = output_problems(&out);
            let desc = if all.is_empty() {
                "exit 0; summary.json and bands.csv finite".to_string()
            } else {
                format!("exit 0, but\n{}", bullet(&all))
            };
            (all, desc)
        }
        Some(2) if stderr.starts_with("error:") => (Vec::new(), format!("exit 2: {first}")),
        code => (
            vec![format!("exit {code:?}: {first}")],
            format!("exit {code:?}: {first}"),
        ),
    }
}

/// Non-finite values in a run's summary.json (`null` outside the optional fields, which
/// serde_json writes for NaN and ±inf) and bands.csv.
fn output_problems(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    match std::fs::read_to_string(dir.join("summary.json")) {
        Ok(text) => match serde_json::from_str::<Json>(&text) {
            Ok(json) => {
                let mut nulls = Vec::new();
                json_nulls_in(&json, String::new(), &mut nulls);
                if !nulls.is_empty() {
                    problems.push(format!(
                        "summary.json has null (NaN or inf) at:\n{}",
                        bullet(&collapse(&nulls))
                    ));
                }
            }
            Err(e) => problems.push(format!("summary.json is not JSON: {e}")),
        },
        Err(e) => problems.push(format!("no summary.json: {e}")),
    }
    if let Ok(csv) = std::fs::read_to_string(dir.join("bands.csv")) {
        let bad: Vec<String> = csv
            .lines()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("nan") || l.contains("inf")
            })
            .map(|l| l.split(',').next().unwrap_or_default().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !bad.is_empty() {
            problems.push(format!("bands.csv has NaN/inf in series {bad:?}"));
        }
    }
    problems
}

fn json_nulls_in(v: &Json, path: String, out: &mut Vec<String>) {
    const OPTIONAL_LEAVES: [&str; 5] = [
        "median",
        "median_all_trials",
        "median_year",
        "window",
        "source",
    ];
    match v {
        Json::Null => {
            let leaf = path.rsplit('.').next().unwrap_or_default();
            if !OPTIONAL_LEAVES.contains(&leaf) && leaf != "worst_decile_median_u" {
                out.push(path);
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                json_nulls_in(x, format!("{path}.{i}"), out);
            }
        }
        Json::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                json_nulls_in(x, p, out);
            }
        }
        _ => {}
    }
}

#[track_caller]
fn assert_clean(c: Case) {
    let f = examine(&c);
    let problems = f.problems();
    assert!(
        problems.is_empty(),
        "{}\n{}\nscenario:\n{}",
        f.name,
        bullet(&problems),
        c.text
    );
}

#[test]
fn extreme_single_trial() {
    assert_clean(single_trial());
}

#[test]
fn extreme_thirty_years_monthly() {
    assert_clean(thirty_years_monthly());
}

#[test]
fn extreme_zero_revenue() {
    assert_clean(zero_revenue());
}

#[test]
fn extreme_volatility_300_percent() {
    assert_clean(volatility_300_percent());
}

#[test]
fn extreme_amounts_of_a_billion() {
    assert_clean(amounts_of_a_billion());
}

#[test]
fn extreme_growth_50_with_volatility_3() {
    assert_clean(growth_50_vol_3());
}

#[test]
fn extreme_growth_overflows_f64() {
    assert_clean(growth_overflows_f64());
}

#[test]
fn extreme_cost_growth_overflows_f64() {
    assert_clean(cost_growth_overflows_f64());
}

#[test]
fn extreme_uncertain_cost_growth_overflows_f64() {
    assert_clean(uncertain_cost_growth_overflows_f64());
}

#[test]
fn extreme_lognormal_huge_sd_log() {
    assert_clean(lognormal_huge_sd_log());
}

#[test]
fn extreme_uniform_wider_than_f64() {
    assert_clean(uniform_wider_than_f64());
}

#[test]
fn extreme_normal_interval_wider_than_f64() {
    assert_clean(normal_interval_wider_than_f64());
}

#[test]
fn extreme_floor_minus_cash_overflows() {
    assert_clean(floor_minus_cash_overflows());
}

#[test]
fn extreme_path_times_scale_overflows() {
    assert_clean(path_times_scale_overflows());
}

#[test]
fn extreme_ipo_valuation_overflows() {
    assert_clean(ipo_valuation_overflows());
}

#[test]
fn extreme_interest_overflows() {
    assert_clean(interest_overflows());
}

#[test]
fn extreme_huge_obligation_total() {
    assert_clean(huge_obligation_total());
}

/// Prints what happens in every case (run with `-- --ignored --nocapture`).
#[test]
#[ignore = "a report, not a check: run with --ignored --nocapture"]
fn extremes_report() {
    let cases = [
        single_trial(),
        thirty_years_monthly(),
        zero_revenue(),
        volatility_300_percent(),
        amounts_of_a_billion(),
        growth_50_vol_3(),
        growth_overflows_f64(),
        cost_growth_overflows_f64(),
        uncertain_cost_growth_overflows_f64(),
        lognormal_huge_sd_log(),
        uniform_wider_than_f64(),
        normal_interval_wider_than_f64(),
        floor_minus_cash_overflows(),
        path_times_scale_overflows(),
        ipo_valuation_overflows(),
        interest_overflows(),
        huge_obligation_total(),
    ];
    for c in &cases {
        println!("{}", examine(c).report());
    }
}
