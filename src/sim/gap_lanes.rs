//! The gaps of a batch's trials side by side: the steps of [`gap`]'s solve that nearly every
//! trial takes (the plain path's deepest point, a pass at the answer without interest, one
//! Newton step and the pass that confirms it, one pass per report year's prefix), each pass
//! over the [`LANES`](super::lanes::LANES) trials at once. Each lane performs exactly the
//! operations of the scalar solve, in the same order, so its answers are bit for bit those
//! of [`gap::least_injections`]; a lane that needs more (a second Newton step, a prefix that
//! does not land) is finished by the scalar solve itself.
//!
//! Why: the solve's passes are a recurrence through the steps, one dependent chain of
//! floating-point operations per trial; side by side, the lanes fill the vector units and
//! hide each other's latency.

use super::gap::{self, First, Pass, Prefix, Scan, Terms};
use super::{Scratch, metric, prepare};
use crate::model::Model;

/// Working memory of the side-by-side solve: `[step][lane]` and `[report year][lane]`.
#[derive(Debug, Clone, Default)]
pub(super) struct GapLanes<const L: usize> {
    /// Net flows with every payment made when scheduled, $B.
    net: Vec<[f64; L]>,
    /// What the latest pass saw at each report year's end: m and its slope.
    seen: Vec<[(f64, f64); L]>,
    /// The report years' cash indices, within the horizon.
    ends: Vec<usize>,
}

impl<const L: usize> GapLanes<L> {
    /// One pass at `x` over the first `upto` steps, noting m and its slope at each end.
    fn pass(&mut self, t: &[Terms; L], x: &[f64; L], upto: usize) -> Pass<L> {
        let rate_dt: [f64; L] = std::array::from_fn(|l| t[l].rate_dt);
        let mut st = Pass::new(t, x);
        let mut k = 0;
        for (&j, seen) in self.ends.iter().zip(self.seen.iter_mut()) {
            let j = j.min(upto);
            st.steps(self.net[k..j].iter(), k, &rate_dt);
            k = j;
            *seen = std::array::from_fn(|l| (st.m[l], st.dm[l]));
        }
        st.steps(self.net[k..upto].iter(), k, &rate_dt);
        st
    }
}

/// Where a lane's horizon solve stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// No solve: the trial never runs short.
    Idle,
    /// Waiting for the pass at this amount.
    Pending(f64),
    /// Answered, binding at this cash index; the latest pass's ends hold its prefixes' view.
    Done(f64, usize),
    /// Left to the scalar solve.
    Scalar,
}

/// Writes the gaps of the `L` trials in `s` (after their cash loops), bit for bit as
/// [`super::write_gaps`] would lane by lane.
pub(super) fn write_gaps<const L: usize>(model: &Model, s: &mut [Scratch; L], b: &mut GapLanes<L>) {
    let g = &model.grid;
    let n = g.n;
    if n == 0 {
        s.iter_mut().for_each(|sl| super::write_gaps(model, sl));
        return;
    }
    b.net.resize(n, [0.0; L]);
    b.ends.clear();
    b.ends.extend(g.report.iter().map(|&(_, j)| j.min(n)));
    b.seen.resize(b.ends.len(), [(0.0, 0.0); L]);
    let mut state = [State::Idle; L];
    let mut t = [super::ZERO_TERMS; L];
    for (l, sl) in s.iter_mut().enumerate() {
        if sl.outcome.metrics[metric::DEFICIT] > 0.0 {
            prepare::plain_net(model, sl);
            t[l] = super::terms(model, sl);
            state[l] = State::Pending(0.0);
        }
        let active = state[l] != State::Idle;
        for (row, &v) in b.net.iter_mut().zip(&sl.net_plain) {
            row[l] = if active { v } else { 0.0 };
        }
    }
    if state.iter().all(|&st| st == State::Idle) {
        for sl in s.iter_mut() {
            sl.outcome.metrics[metric::GAP] = 0.0;
            sl.outcome.report_gaps.fill(0.0);
        }
        return;
    }
    let first = lowest(b, s, &t, &mut state);
    // The pass at the answer without interest.
    let x0: [f64; L] = std::array::from_fn(|l| first[l].x0);
    let st = b.pass(&t, &x0, n);
    let mut x1 = x0;
    for l in 0..L {
        let State::Pending(_) = state[l] else {
            continue;
        };
        let f = &first[l];
        state[l] = if let Some((x, binds)) = f.clear(t[l], st.m[l], st.at[l]) {
            keep_seen(b, l, &mut s[l]);
            State::Done(x, binds)
        } else {
            match gap::next_point(t[l], f.bracket(f64::INFINITY), f.x0, st.m[l], st.dm[l]) {
                Some(x) => {
                    x1[l] = x;
                    State::Pending(x)
                }
                None => State::Scalar,
            }
        };
    }
    // One Newton step, and the pass that confirms it.
    if state.iter().any(|st| matches!(st, State::Pending(_))) {
        let st = b.pass(&t, &x1, n);
        for l in 0..L {
            if let State::Pending(x) = state[l] {
                state[l] = if gap::lands(t[l], x, st.m[l]) {
                    keep_seen(b, l, &mut s[l]);
                    State::Done(x, st.at[l])
                } else {
                    State::Scalar
                };
            }
        }
    }
    prefixes(model, b, s, &t, &state);
}

/// The plain path's deepest point of each lane (and at each report year's end, into its
/// snapshots); closes the lanes that need no pass.
fn lowest<const L: usize>(
    b: &GapLanes<L>,
    s: &mut [Scratch; L],
    t: &[Terms; L],
    state: &mut [State; L],
) -> [First; L] {
    let n = b.net.len();
    let mut sc = Scan {
        sum: [0.0; L],
        lowest: [f64::INFINITY; L],
        at: [0; L],
    };
    let mut k = 0;
    for (r, &j) in b.ends.iter().enumerate() {
        let j = j.clamp(k, n);
        sc = sc.rows(b.net[k..j].iter(), k);
        k = j;
        for (sl, &v) in s.iter_mut().zip(&sc.lowest) {
            sl.gap_snaps[r].lowest = v;
        }
    }
    sc = sc.rows(b.net[k..].iter(), k);
    let (lowest, lowest_at) = (sc.lowest, sc.at);
    std::array::from_fn(|l| {
        let f = First::new(t[l], lowest[l], lowest_at[l]);
        if state[l] != State::Idle {
            if let Some((x, binds)) = f.closed(t[l]) {
                state[l] = State::Done(x, binds);
            }
        }
        f
    })
}

/// Copies what the latest pass saw at the report years' ends into lane `l`'s snapshots.
fn keep_seen<const L: usize>(b: &GapLanes<L>, l: usize, sl: &mut Scratch) {
    for (snap, seen) in sl.gap_snaps.iter_mut().zip(&b.seen) {
        (snap.m, snap.slope) = seen[l];
    }
}

/// The gap by each report year, from each lane's horizon answer: a pass over the prefix for
/// the lanes that need one, side by side; the scalar solve for lanes left to it.
fn prefixes<const L: usize>(
    model: &Model,
    b: &mut GapLanes<L>,
    s: &mut [Scratch; L],
    t: &[Terms; L],
    state: &[State; L],
) {
    let n = b.net.len();
    for l in 0..L {
        let o = &mut s[l].outcome;
        match state[l] {
            State::Idle => {
                o.metrics[metric::GAP] = 0.0;
                o.report_gaps.fill(0.0);
            }
            State::Scalar => super::write_gaps(model, &mut s[l]),
            State::Done(x, _) => o.metrics[metric::GAP] = x,
            State::Pending(_) => unreachable!("a lane's solve left pending"),
        }
    }
    for r in 0..b.ends.len() {
        let j = model.grid.report[r].1;
        let mut plan = [None; L];
        let mut y = [0.0; L];
        for l in 0..L {
            let State::Done(x, binds) = state[l] else {
                continue;
            };
            let sl = &mut s[l];
            sl.outcome.report_gaps[r] = if j >= n || binds <= j {
                x
            } else {
                match gap::prefix_start(t[l], x, Some(&sl.gap_snaps[r])) {
                    Prefix::Answer(a) => a,
                    Prefix::Solve => {
                        gap::solve(&sl.net_plain[..j], t[l], x, [].into_iter(), &mut []).0
                    }
                    Prefix::Try(v) => {
                        (plan[l], y[l]) = (Some(x), v);
                        continue;
                    }
                }
            };
        }
        if plan.iter().any(Option::is_some) {
            let st = b.pass(t, &y, j);
            for l in 0..L {
                if let Some(x) = plan[l] {
                    let sl = &mut s[l];
                    let snap = sl.gap_snaps[r];
                    sl.outcome.report_gaps[r] =
                        gap::prefix_finish(&sl.net_plain[..j], t[l], x, &snap, y[l], st.m[l]);
                }
            }
        }
    }
    for (l, sl) in s.iter_mut().enumerate() {
        if let State::Done(..) = state[l] {
            let mut so_far = 0.0_f64;
            for v in sl.outcome.report_gaps.iter_mut() {
                so_far = gap::running_max(so_far, *v);
                *v = so_far;
            }
        }
    }
}
