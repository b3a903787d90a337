//! Random VALID scenarios, built from the scenario schema (README, "Scenario format
//! reference") as TOML value trees.
//!
//! Every uncertain number is drawn from one of the distribution forms allowed for its field's
//! domain, every date lies in 1900–2300 and in the order the format requires, names refer to
//! things that exist, tranche shares sum to 1, and correlations are weak enough (|rho| < 0.45,
//! at most two pairs) for the matrix to be positive definite by Gershgorin's theorem. The
//! scenario is kept as a [`toml::Table`] so that tests can mutate it (the fuzzer) or raise one
//! number (the monotonicity properties) and render it again.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use toml::{Table, Value};

/// The allowed range of a field (the validator's domains).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dom {
    /// Any finite number.
    Any,
    /// ≥ 0.
    NonNeg,
    /// > 0.
    Positive,
    /// In [0, 1].
    Unit,
    /// > −1.
    Growth,
}

/// A generated uncertain number.
#[derive(Debug, Clone)]
pub struct Num {
    /// A plain number or a distribution table.
    pub value: Value,
    /// Whether it is a real (non-degenerate) input, which a correlation may name.
    pub uncertain: bool,
}

fn table(pairs: &[(&str, f64)]) -> Value {
    let mut t = Table::new();
    for (k, v) in pairs {
        t.insert((*k).to_string(), Value::Float(*v));
    }
    Value::Table(t)
}

fn fixed(x: f64) -> Num {
    Num {
        value: Value::Float(x),
        uncertain: false,
    }
}

/// An uncertain number in `dom` with its bulk in [lo, hi] (lo inside the domain; for
/// `Unit`, hi ≤ 1).
pub fn num(dom: Dom, lo: f64, hi: f64) -> BoxedStrategy<Num> {
    let w = hi - lo;
    let fixed_s = (lo..hi).prop_map(fixed);
    let uniform = (lo..hi, 0.1..=1.0f64).prop_map(move |(a, f)| {
        let b = (a + f * (hi - a)).min(hi);
        Num {
            value: table(&[("low", a), ("high", b)]),
            uncertain: b > a,
        }
    });
    let tri =
        (lo..hi, 0.1..=1.0f64, 0.0..=1.0f64, any::<bool>()).prop_map(move |(a, f, g, pert)| {
            let b = (a + f * (hi - a)).min(hi);
            let m = (a + g * (b - a)).clamp(a, b);
            let mut v = table(&[("low", a), ("mode", m), ("high", b)]);
            if pert {
                if let Value::Table(t) = &mut v {
                    t.insert("pert".into(), Value::Boolean(true));
                }
            }
            Num {
                value: v,
                uncertain: b > a,
            }
        });
    // Forms whose support is unbounded on one side, truncated or positive as the domain needs.
    let pos_lo = lo.max(w * 0.01).max(1e-3);
    let lognormal_interval = (pos_lo..hi.max(pos_lo * 2.0), 1.2..4.0f64).prop_map(|(a, r)| Num {
        value: table(&[("p5", a), ("p95", a * r)]),
        uncertain: true,
    });
    let median = (pos_lo..hi.max(pos_lo * 2.0), 0.05..1.0f64).prop_map(|(m, s)| Num {
        value: table(&[("median", m), ("sd_log", s)]),
        uncertain: true,
    });
    let sd_hi = (w * 0.5).max(1e-3);
    let truncated = move |min: Option<f64>, max: Option<f64>| {
        (lo..hi, sd_hi * 0.05..sd_hi).prop_map(move |(m, sd)| {
            let mut pairs = vec![("mean", m), ("sd", sd)];
            if let Some(x) = min {
                pairs.push(("min", x));
            }
            if let Some(x) = max {
                pairs.push(("max", x));
            }
            Num {
                value: table(&pairs),
                uncertain: true,
            }
        })
    };
    match dom {
        Dom::Any => prop_oneof![
            3 => fixed_s,
            2 => uniform,
            1 => tri,
            1 => (lo..hi, 0.1..=1.0f64).prop_map(move |(a, f)| Num {
                value: table(&[("p5", a), ("p95", a + f * (hi - a) + 1e-3)]),
                uncertain: true,
            }),
            1 => truncated(None, None),
        ]
        .boxed(),
        Dom::NonNeg => prop_oneof![
            3 => fixed_s,
            2 => uniform,
            1 => tri,
            1 => lognormal_interval,
            1 => median,
            1 => truncated(Some(0.0), None),
        ]
        .boxed(),
        Dom::Positive => prop_oneof![
            3 => fixed_s,
            2 => uniform,
            1 => tri,
            1 => lognormal_interval,
            1 => median,
            1 => truncated(Some(lo), None),
        ]
        .boxed(),
        Dom::Unit => prop_oneof![
            3 => fixed_s,
            2 => uniform,
            1 => tri,
            1 => truncated(Some(0.0), Some(1.0)),
        ]
        .boxed(),
        Dom::Growth => prop_oneof![
            3 => fixed_s,
            2 => uniform,
            1 => tri,
            1 => lognormal_interval,
            1 => median,
            1 => truncated(Some(-0.9), None),
        ]
        .boxed(),
    }
}

/// Volatility: 0, a fixed value up to 3.0, or a bounded distribution inside [0, 3].
fn volatility() -> BoxedStrategy<Num> {
    prop_oneof![
        1 => Just(fixed(0.0)),
        1 => Just(fixed(3.0)),
        2 => (0.0..3.0f64).prop_map(fixed),
        2 => num(Dom::Unit, 0.0, 1.0).prop_map(|mut n| {
            // Stretch a [0, 1] form to [0, 3].
            if let Value::Table(t) = &mut n.value {
                for (k, v) in t.iter_mut() {
                    if let (false, Value::Float(x)) = (k == "pert", &*v) {
                        *v = Value::Float(x * 3.0);
                    }
                }
            } else if let Value::Float(x) = n.value {
                n.value = Value::Float(x * 3.0);
            }
            n
        }),
    ]
    .boxed()
}

/// The time section.
#[derive(Debug, Clone, Copy)]
pub struct Time {
    /// Start, decimal year (whole or quarter).
    pub start: f64,
    /// Horizon, whole years.
    pub years: u32,
    /// 1, 4 or 12.
    pub steps: u32,
}

impl Time {
    fn end(self) -> f64 {
        self.start + f64::from(self.years)
    }
    /// A date at fraction `f` of [start − before, end + after].
    fn at(self, f: f64, before: f64, after: f64) -> f64 {
        let lo = self.start - before;
        let hi = self.end() + after;
        lo + f * (hi - lo)
    }
}

fn time() -> impl Strategy<Value = Time> {
    (2020u32..2031, 0u32..4, 1u32..=10, select(vec![1u32, 4, 12])).prop_map(
        |(y, q, years, steps)| Time {
            start: f64::from(y) + f64::from(q) / 4.0,
            years,
            steps,
        },
    )
}

/// A date value in one of the accepted spellings.
fn date_value(d: f64, style: u8) -> Value {
    let whole = d.fract() == 0.0;
    match style % 3 {
        0 if whole => Value::Integer(d as i64),
        1 if (d * 4.0).fract() == 0.0 => Value::String(format!(
            "{}-Q{}",
            d.floor() as i64,
            ((d.fract() * 4.0) as i64) + 1
        )),
        _ => Value::Float(d),
    }
}

/// A date key (table keys are strings) in one of the accepted spellings.
fn date_key(d: f64, style: u8) -> String {
    match date_value(d, style) {
        Value::Integer(i) => i.to_string(),
        Value::String(s) => s,
        _ => format!("{d}"),
    }
}

/// A published path: 1–4 points on quarter dates around the horizon, values in [0, hi].
fn path(t: Time, lo: f64, hi: f64) -> impl Strategy<Value = Value> {
    prop::collection::vec((-8i32..48, lo..hi, any::<u8>()), 1..=4).prop_map(move |pts| {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Table::new();
        for (q, v, style) in pts {
            // Points every quarter from two years before the start, scaled to the horizon.
            let d = (t.start - 2.0) + f64::from(q) * f64::from(t.years + 4) / 48.0;
            let d = (d * 4.0).round() / 4.0;
            if seen.insert((d * 4.0) as i64) {
                out.insert(date_key(d, style), Value::Float(v));
            }
        }
        Value::Table(out)
    })
}

fn interpolation() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(select(vec!["linear", "step"]))
}

fn profile() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(select(vec!["flat", "ramp", "front_loaded", "back_loaded"]))
}

/// A table under construction, remembering which of its uncertain numbers are real inputs.
#[derive(Debug, Clone, Default)]
struct Entry {
    table: Table,
    /// Relative paths of real inputs.
    inputs: Vec<String>,
}

impl Entry {
    fn num(&mut self, key: &str, n: Num) {
        if n.uncertain {
            self.inputs.push(key.to_string());
        }
        self.table.insert(key.to_string(), n.value);
    }
    fn opt_num(&mut self, key: &str, n: Option<Num>) {
        if let Some(n) = n {
            self.num(key, n);
        }
    }
    fn set(&mut self, key: &str, v: impl Into<Value>) {
        self.table.insert(key.to_string(), v.into());
    }
    fn opt_str(&mut self, key: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.set(key, v);
        }
    }
}

fn segment(t: Time) -> impl Strategy<Value = Entry> {
    let growth = (
        prop_oneof![1 => Just(fixed(0.0)), 5 => num(Dom::NonNeg, 0.0, 50.0)],
        num(Dom::Growth, -0.5, 3.0),
        prop::option::of(num(Dom::Growth, -0.5, 0.5)),
        prop::option::of(num(Dom::Positive, 0.25, 5.0)),
        prop::option::of(num(Dom::Positive, 10.0, 1000.0)),
        volatility(),
    )
        .prop_map(|(rr, g, tg, h, ceil, vol)| {
            let mut e = Entry::default();
            e.num("run_rate", rr);
            e.num("growth", g);
            e.opt_num("terminal_growth", tg);
            e.opt_num("half_life_years", h);
            e.opt_num("ceiling", ceil);
            e.num("volatility", vol);
            e
        });
    let path_seg = (
        path(t, 0.0, 100.0),
        interpolation(),
        prop::option::of(num(Dom::NonNeg, 0.5, 2.0)),
        volatility(),
    )
        .prop_map(|(p, interp, scale, vol)| {
            let mut e = Entry::default();
            e.set("path", p);
            e.opt_str("interpolation", interp);
            e.opt_num("scale", scale);
            e.num("volatility", vol);
            e
        });
    prop_oneof![3 => growth, 2 => path_seg]
}

/// A subset of segment names by index (resolved when the scenario is assembled).
fn segment_pick() -> impl Strategy<Value = Option<Vec<Index>>> {
    prop::option::of(prop::collection::vec(any::<Index>(), 1..=3))
}

#[derive(Debug, Clone)]
struct CostGen {
    entry: Entry,
    segments: Option<Vec<Index>>,
}

fn cost(t: Time) -> impl Strategy<Value = CostGen> {
    let fixed_line = (
        num(Dom::NonNeg, 0.0, 30.0),
        prop::option::of(num(Dom::Growth, -0.3, 0.5)),
    )
        .prop_map(|(a, g)| {
            let mut e = Entry::default();
            e.num("annual", a);
            e.opt_num("growth", g);
            (e, false)
        });
    let path_line = (
        path(t, 0.0, 50.0),
        interpolation(),
        prop::option::of(num(Dom::NonNeg, 0.5, 2.0)),
    )
        .prop_map(|(p, i, s)| {
            let mut e = Entry::default();
            e.set("path", p);
            e.opt_str("interpolation", i);
            e.opt_num("scale", s);
            (e, false)
        });
    let share_line = prop_oneof![
        num(Dom::Unit, 0.0, 0.5).prop_map(|s| {
            let mut e = Entry::default();
            e.num("revenue_share", s);
            e
        }),
        (path(t, 0.0, 0.6), interpolation()).prop_map(|(p, i)| {
            let mut e = Entry::default();
            e.set("revenue_share_path", p);
            e.opt_str("interpolation", i);
            e
        }),
    ]
    .prop_map(|e| (e, true));
    (
        prop_oneof![fixed_line, path_line, share_line],
        segment_pick(),
        prop::option::of((
            0.0..1.0f64,
            0.05..1.0f64,
            any::<u8>(),
            any::<bool>(),
            any::<bool>(),
        )),
    )
        .prop_map(move |((mut entry, is_share), segments, window)| {
            if let Some((f, len, style, has_from, has_until)) = window {
                let from = (t.at(f, 1.0, 0.0) * 4.0).round() / 4.0;
                let until = from + (len * f64::from(t.years + 1) * 4.0).ceil() / 4.0;
                if has_from {
                    entry.set("from", date_value(from, style));
                }
                if has_until {
                    entry.set("until", date_value(until, style));
                }
            }
            CostGen {
                entry,
                segments: if is_share { segments } else { None },
            }
        })
}

fn obligation(t: Time, flexible: bool) -> impl Strategy<Value = Entry> {
    let term = (0.0..1.0f64, 0.05..10.0f64, profile(), any::<u8>()).prop_map(
        move |(f, years, prof, style)| {
            let start = (t.at(f, 1.0, 1.0) * 4.0).round() / 4.0;
            let mut e = Entry::default();
            e.set("start", date_value(start, style));
            e.set("years", years);
            e.opt_str("profile", prof);
            (e, true)
        },
    );
    let schedule = prop::collection::vec((-1i64..12, 0.0..100.0f64), 1..=4).prop_map(move |rows| {
        let mut s = Table::new();
        for (dy, amount) in rows {
            s.insert(
                (t.start.floor() as i64 + dy).to_string(),
                Value::Float(amount),
            );
        }
        // At least one positive amount.
        if let Some((_, v)) = s.iter_mut().next() {
            *v = Value::Float(1.0 + v.as_float().unwrap_or(0.0));
        }
        let mut e = Entry::default();
        e.set("schedule", Value::Table(s));
        (e, false)
    });
    let flex = if flexible {
        prop::option::of(num(Dom::Unit, 0.0, 1.0)).boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop_oneof![3 => term, 1 => schedule],
        num(Dom::NonNeg, 0.0, 300.0),
        any::<bool>(),
        prop::option::of(num(Dom::Unit, 0.3, 1.0)),
        flex,
        prop::option::of(0.1..3.0f64),
        prop::option::of(select(vec!["oracle", "azure", "nvidia"])),
    )
        .prop_map(
            |((mut e, is_term), total, keep_total, realized, flex, deferral, cp)| {
                if is_term || keep_total {
                    e.num("total", total);
                }
                e.opt_num("realized_share", realized);
                e.opt_num("flexible_share", flex);
                if let Some(d) = deferral {
                    e.set("deferral_years", d);
                }
                e.opt_str("counterparty", cp);
                e
            },
        )
}

#[derive(Debug, Clone)]
enum WhenGen {
    Close,
    Ipo,
    /// Years after the close.
    After(f64),
}

#[derive(Debug, Clone)]
struct TrancheGen {
    weight: f64,
    when: WhenGen,
    /// Years after the tranche's date (or the close) at which it lapses.
    lapses: Option<f64>,
}

#[derive(Debug, Clone)]
struct TiedGen {
    share: f64,
    years: f64,
    start_after: Option<f64>,
    profile: Option<&'static str>,
    counts_toward: Option<Index>,
    counterparty: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct ParticipantGen {
    probability: Option<f64>,
    amount: Num,
    tranches: Option<(bool, Vec<TrancheGen>)>,
    tied: Option<TiedGen>,
}

#[derive(Debug, Clone)]
struct RoundGen {
    close: f64,
    style: u8,
    probability: Option<f64>,
    post_money: Option<f64>,
    participants: Vec<ParticipantGen>,
}

fn tranche() -> impl Strategy<Value = TrancheGen> {
    (
        0.05..1.0f64,
        prop_oneof![
            Just(WhenGen::Close),
            Just(WhenGen::Ipo),
            (0.0..3.0f64).prop_map(|d| WhenGen::After((d * 4.0).round() / 4.0)),
        ],
        prop::option::of(0.25..4.0f64),
    )
        .prop_map(|(weight, when, lapses)| TrancheGen {
            weight,
            when,
            lapses,
        })
}

fn participant() -> impl Strategy<Value = ParticipantGen> {
    (
        prop::option::of(0.0..=1.0f64),
        num(Dom::NonNeg, 0.0, 50.0),
        prop::option::of((any::<bool>(), prop::collection::vec(tranche(), 1..=3))),
        prop::option::of(
            (
                0.0..=1.0f64,
                0.1..6.0f64,
                prop::option::of(0.0..2.0f64),
                profile(),
                prop::option::of(any::<Index>()),
                prop::option::of(select(vec!["aws", "nvidia"])),
            )
                .prop_map(
                    |(share, years, start_after, profile, counts_toward, counterparty)| TiedGen {
                        share,
                        years,
                        start_after,
                        profile,
                        counts_toward,
                        counterparty,
                    },
                ),
        ),
    )
        .prop_map(|(probability, amount, tranches, tied)| ParticipantGen {
            probability,
            amount,
            tranches,
            tied,
        })
}

fn round(t: Time) -> impl Strategy<Value = RoundGen> {
    (
        0.0..1.0f64,
        any::<u8>(),
        prop::option::of(0.0..=1.0f64),
        prop::option::of(10.0..1000.0f64),
        prop::collection::vec(participant(), 1..=3),
    )
        .prop_map(
            move |(f, style, probability, post_money, participants)| RoundGen {
                close: (t.at(f, 0.0, 1.0) * 4.0).round() / 4.0,
                style,
                probability,
                post_money,
                participants,
            },
        )
}

fn ipo(t: Time) -> impl Strategy<Value = Entry> {
    let date = prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(move |(f, style)| {
            let d = (t.at(f, 0.0, 2.0) * 4.0).round() / 4.0;
            Num {
                value: date_value(d, style),
                uncertain: false,
            }
        }),
        (0.0..1.0f64, 0.05..1.0f64).prop_map(move |(f, w)| {
            let a = t.at(f, 0.0, 1.0);
            let b = a + w * (t.end() + 2.0 - a);
            Num {
                value: table(&[("low", a), ("high", b)]),
                uncertain: b > a,
            }
        }),
    ];
    (
        0.0..=1.0f64,
        date,
        num(Dom::NonNeg, 0.0, 40.0),
        num(Dom::Unit, 0.0, 0.3),
    )
        .prop_map(|(p, date, multiple, raise)| {
            let mut e = Entry::default();
            e.set("probability", p);
            e.num("date", date);
            e.num("multiple", multiple);
            e.num("raise_share", raise);
            e
        })
}

fn debt() -> impl Strategy<Value = Entry> {
    (num(Dom::NonNeg, 0.0, 50.0), num(Dom::NonNeg, 0.0, 0.2)).prop_map(|(limit, rate)| {
        let mut e = Entry::default();
        e.num("limit", limit);
        e.num("rate", rate);
        e
    })
}

#[derive(Debug, Clone)]
struct EventGen {
    entry: Entry,
    segments: Option<Vec<Index>>,
}

fn event() -> impl Strategy<Value = EventGen> {
    (
        num(Dom::NonNeg, 0.0, 0.5),
        num(Dom::NonNeg, 0.3, 1.2),
        segment_pick(),
        prop::option::of(num(Dom::Growth, -0.2, 0.3)),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(hazard, factor, segments, after, recurring)| {
            let mut e = Entry::default();
            e.num("hazard", hazard);
            e.num("factor", factor);
            e.opt_num("growth_after", after);
            if let Some(r) = recurring {
                e.set("recurring", r);
            }
            EventGen { entry: e, segments }
        })
}

/// Options for [`scenario`].
#[derive(Debug, Clone, Copy)]
pub struct Opts {
    /// Whether obligations may have a `flexible_share` (deferral).
    pub flexible: bool,
}

/// A generated scenario (its Debug form is the TOML text, so failures print a scenario).
#[derive(Clone)]
pub struct Gen {
    /// The whole file as a TOML table.
    pub table: Table,
    /// Names of its obligations.
    pub obligations: Vec<String>,
}

impl std::fmt::Debug for Gen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n-----\n{}-----", self.text())
    }
}

impl Gen {
    /// The scenario as TOML text.
    pub fn text(&self) -> String {
        toml::to_string(&self.table).unwrap_or_else(|e| panic!("render: {e}"))
    }
}

/// Random valid scenarios.
pub fn scenario(opts: Opts) -> impl Strategy<Value = Gen> {
    time().prop_flat_map(move |t| {
        (
            (
                Just(t),
                num(Dom::Any, -20.0, 80.0),
                prop::option::of(num(Dom::NonNeg, 0.0, 10.0)),
                prop::collection::vec(segment(t), 1..=3),
                prop::collection::vec(cost(t), 0..=3),
                prop::collection::vec(obligation(t, opts.flexible), 0..=5),
            ),
            (
                prop::collection::vec(round(t), 0..=2),
                prop::option::of(ipo(t)),
                prop::option::of(debt()),
                prop::collection::vec(event(), 0..=1),
                prop::collection::vec((any::<Index>(), any::<Index>(), -0.45..0.45f64), 0..=2),
                prop::option::of((any::<Index>(), any::<Index>(), -0.45..0.45f64)),
                any::<u32>(),
            ),
        )
            .prop_map(assemble)
    })
}

type Head = (Time, Num, Option<Num>, Vec<Entry>, Vec<CostGen>, Vec<Entry>);
type Tail = (
    Vec<RoundGen>,
    Option<Entry>,
    Option<Entry>,
    Vec<EventGen>,
    Vec<(Index, Index, f64)>,
    Option<(Index, Index, f64)>,
    u32,
);

fn assemble(((t, initial, min_cash, segs, costs, obls), tail): (Head, Tail)) -> Gen {
    let (rounds, ipo, debt, events, corr, rev_corr, seed) = tail;
    let mut root = Table::new();
    let mut inputs: Vec<String> = Vec::new();
    let mut add = |section: &str, e: Entry, root: &mut Table| {
        inputs.extend(e.inputs.iter().map(|k| format!("{section}.{k}")));
        let mut keys = section.split('.');
        let first = keys.next().unwrap_or_default();
        let mut node = root
            .entry(first.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        for k in keys {
            let Value::Table(tb) = node else { break };
            node = tb
                .entry(k.to_string())
                .or_insert_with(|| Value::Table(Table::new()));
        }
        if let Value::Table(tb) = node {
            tb.extend(e.table);
        }
    };
    root.insert("name".into(), "generated".into());

    let mut time = Entry::default();
    time.set("start", t.start);
    time.set("horizon_years", i64::from(t.years));
    time.set("steps_per_year", i64::from(t.steps));
    add("time", time, &mut root);
    let mut run = Entry::default();
    run.set("trials", 200);
    run.set("seed", i64::from(seed));
    add("run", run, &mut root);
    let mut cash = Entry::default();
    cash.num("initial", initial);
    if let Some(m) = min_cash {
        cash.num("min_cash", m);
    }
    add("cash", cash, &mut root);

    let seg_names: Vec<String> = (0..segs.len()).map(|i| format!("seg{i}")).collect();
    let pick = |ix: &Option<Vec<Index>>| -> Option<Vec<Value>> {
        ix.as_ref().map(|v| {
            let mut names: Vec<String> = v.iter().map(|i| i.get(&seg_names).clone()).collect();
            names.sort();
            names.dedup();
            names.into_iter().map(Value::String).collect()
        })
    };
    for (i, e) in segs.into_iter().enumerate() {
        add(&format!("revenue.seg{i}"), e, &mut root);
    }
    for (i, mut c) in costs.into_iter().enumerate() {
        if let Some(list) = pick(&c.segments) {
            c.entry.set("segments", Value::Array(list));
        }
        add(&format!("costs.cost{i}"), c.entry, &mut root);
    }
    let obl_names: Vec<String> = (0..obls.len()).map(|i| format!("ob{i}")).collect();
    for (i, e) in obls.into_iter().enumerate() {
        add(&format!("obligations.ob{i}"), e, &mut root);
    }
    let has_ipo = ipo.is_some();
    for (ri, r) in rounds.into_iter().enumerate() {
        let rname = format!("r{ri}");
        let mut re = Entry::default();
        re.set("close", date_value(r.close, r.style));
        if let Some(p) = r.probability {
            re.set("probability", p);
        }
        if let Some(p) = r.post_money {
            re.set("post_money", p);
        }
        add(&format!("rounds.{rname}"), re, &mut root);
        for (pi, p) in r.participants.into_iter().enumerate() {
            let mut pe = Entry::default();
            if let Some(pr) = p.probability {
                pe.set("probability", pr);
            }
            pe.num("amount", p.amount);
            if let Some((with_share, ts)) = p.tranches {
                let sum: f64 = ts.iter().map(|x| x.weight).sum();
                let list: Vec<Value> = ts
                    .iter()
                    .map(|x| {
                        let mut tt = Table::new();
                        if with_share {
                            tt.insert("share".into(), Value::Float(x.weight / sum));
                        }
                        let at = match x.when {
                            WhenGen::Ipo if has_ipo => {
                                tt.insert("when".into(), "ipo".into());
                                r.close
                            }
                            WhenGen::After(d) => {
                                tt.insert("when".into(), Value::Float(r.close + d));
                                r.close + d
                            }
                            _ => {
                                if x.weight > 0.5 {
                                    tt.insert("when".into(), "close".into());
                                }
                                r.close
                            }
                        };
                        if let Some(l) = x.lapses {
                            tt.insert("lapses".into(), Value::Float(at + l));
                        }
                        Value::Table(tt)
                    })
                    .collect();
                pe.set("tranches", Value::Array(list));
            }
            if let Some(td) = p.tied {
                let mut tt = Table::new();
                tt.insert("share".into(), Value::Float(td.share));
                tt.insert("years".into(), Value::Float(td.years));
                if let Some(a) = td.start_after {
                    tt.insert("start".into(), Value::Float(r.close + a));
                }
                if let Some(pf) = td.profile {
                    tt.insert("profile".into(), pf.into());
                }
                if let (Some(ix), false) = (td.counts_toward, obl_names.is_empty()) {
                    tt.insert("counts_toward".into(), ix.get(&obl_names).clone().into());
                }
                if let Some(cp) = td.counterparty {
                    tt.insert("counterparty".into(), cp.into());
                }
                pe.set("tied_spend", Value::Table(tt));
            }
            add(&format!("rounds.{rname}.participants.p{pi}"), pe, &mut root);
        }
    }
    if let Some(e) = ipo {
        add("ipo", e, &mut root);
    }
    if let Some(e) = debt {
        add("debt", e, &mut root);
    }
    for (i, mut ev) in events.into_iter().enumerate() {
        if let Some(list) = pick(&ev.segments) {
            ev.entry.set("segments", Value::Array(list));
        }
        add(&format!("events.ev{i}"), ev.entry, &mut root);
    }

    // Correlations between distinct real inputs, each pair at most once.
    let mut pairs: Vec<(String, String, f64)> = Vec::new();
    if inputs.len() >= 2 {
        for (a, b, rho) in corr {
            let (a, b) = (a.get(&inputs).clone(), b.get(&inputs).clone());
            let dup = pairs
                .iter()
                .any(|(x, y, _)| (x == &a && y == &b) || (x == &b && y == &a));
            if a != b && !dup {
                pairs.push((a, b, rho));
            }
        }
    }
    let corr_list = |pairs: Vec<(String, String, f64)>| -> Value {
        Value::Array(
            pairs
                .into_iter()
                .map(|(a, b, rho)| {
                    let mut t = Table::new();
                    t.insert("between".into(), Value::Array(vec![a.into(), b.into()]));
                    t.insert("rho".into(), Value::Float(rho));
                    Value::Table(t)
                })
                .collect(),
        )
    };
    if !pairs.is_empty() {
        root.insert("correlations".into(), corr_list(pairs));
    }
    if let (Some((a, b, rho)), true) = (rev_corr, seg_names.len() >= 2) {
        let (a, b) = (a.get(&seg_names).clone(), b.get(&seg_names).clone());
        if a != b {
            root.insert("revenue_correlations".into(), corr_list(vec![(a, b, rho)]));
        }
    }
    Gen {
        table: root,
        obligations: obl_names,
    }
}

/// Raises an uncertain number pointwise: the returned value's quantile function is ≥ the
/// original's at every u (so, drawn from the same uniform, it is never smaller) and it stays
/// in any domain that is closed upward. Returns `None` for a form it does not know.
pub fn raise(v: &Value, d: f64) -> Option<Value> {
    assert!(d >= 0.0);
    match v {
        Value::Float(x) => Some(Value::Float(x + d)),
        Value::Integer(i) => Some(Value::Float(*i as f64 + d)),
        Value::Table(t) => {
            let g = |k: &str| {
                t.get(k)
                    .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
            };
            let mut out = t.clone();
            let mut put = |k: &str, x: f64| {
                out.insert(k.to_string(), Value::Float(x));
            };
            if let (Some(a), Some(b)) = (g("low"), g("high")) {
                put("low", a + d);
                put("high", b + d);
                if let Some(m) = g("mode") {
                    put("mode", m + d);
                }
            } else if let (Some(a), Some(b)) = (g("p5"), g("p95")) {
                if a > 0.0 && b > 0.0 {
                    // Lognormal: scaling by c ≥ 1 raises every quantile.
                    let c = 1.0 + d / a;
                    put("p5", a * c);
                    put("p95", b * c);
                } else {
                    // Normal: shifting p5 and p95 could make both positive, which reads as a
                    // lognormal; write the same normal as { mean, sd } and shift its mean.
                    out.remove("p5");
                    out.remove("p95");
                    out.insert("mean".into(), Value::Float(0.5 * (a + b) + d));
                    out.insert(
                        "sd".into(),
                        Value::Float((b - a) / (2.0 * funding_gap::dist::Z95)),
                    );
                }
            } else if let Some(m) = g("mean") {
                // A (truncated) normal shifted whole, truncation points included.
                put("mean", m + d);
                for k in ["min", "max"] {
                    if let Some(x) = g(k) {
                        put(k, x + d);
                    }
                }
            } else if let Some(m) = g("median") {
                put("median", m + d);
            } else {
                return None;
            }
            Some(Value::Table(out))
        }
        _ => None,
    }
}
