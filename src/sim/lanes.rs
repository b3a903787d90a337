//! The cash loop of [`LANES`] trials side by side: the engine's fast path. Each lane calls
//! the rules of [`cash`] in the order of [`cash::run`], with every branch written as a
//! selection, so lanes never diverge and the compiler vectorises the loops over lanes; each
//! lane's numbers are bit for bit those of the scalar loop (tests/engine/batch.rs).

use super::gap_lanes::{GapLanes, write_gaps};
use super::prepare::prepare;
use super::{Draws, Scratch, TrialPar, cash, n_deferrable};
use crate::model::Model;

/// Number of trials the engine steps together through the cash loop ([`run_batch`]).
pub const LANES: usize = 8;

/// One step's values of the `L` lanes, on a cache line of its own: a row is then one aligned
/// vector load (where it is not aligned, every load of eight lanes spans two cache lines,
/// and the alignment a buffer happens to get depends on the allocator's state).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Row<const L: usize>([f64; L]);

impl<const L: usize> Row<L> {
    const ZERO: Row<L> = Row([0.0; L]);
}

impl<const L: usize> std::ops::Deref for Row<L> {
    type Target = [f64; L];
    fn deref(&self) -> &[f64; L] {
        &self.0
    }
}

impl<const L: usize> std::ops::DerefMut for Row<L> {
    fn deref_mut(&mut self) -> &mut [f64; L] {
        &mut self.0
    }
}

/// The cash loop's working memory for `L` trials side by side: `[step][lane]`.
#[derive(Debug, Clone, Default)]
pub(super) struct Lanes<const L: usize> {
    /// Revenue run-rate at the start of each step, $B/yr.
    rate: Vec<Row<L>>,
    /// Other costs booked, $B.
    cost: Vec<Row<L>>,
    /// Obligations due before deferral, then (after the step) paid, $B.
    oblig: Vec<Row<L>>,
    /// Cash from rounds, $B.
    funding: Vec<Row<L>>,
    /// Flexible payments deferred into each step, $B.
    deferred: Vec<Row<L>>,
    /// Cash at t_0..t_n, $B.
    cash: Vec<Row<L>>,
    /// Operating cash flow of each calendar year, $B.
    year_ocf: Vec<Row<L>>,
    /// Interest paid in each calendar year, $B.
    year_interest: Vec<Row<L>>,
    /// Gap by each report year, $B.
    report: Vec<Row<L>>,
    /// Per deferrable obligation: amount factor and flexible share.
    flex: Vec<(Row<L>, Row<L>)>,
}

impl<const L: usize> Lanes<L> {
    /// Sizes the buffers for `model` (allocates only the first time).
    fn fit(&mut self, model: &Model) {
        let g = &model.grid;
        let n = g.n;
        for (v, len) in [
            (&mut self.rate, n),
            (&mut self.cost, n),
            (&mut self.oblig, n),
            (&mut self.funding, n),
            (&mut self.deferred, n),
            (&mut self.cash, n + 1),
            (&mut self.year_ocf, g.years.len()),
            (&mut self.year_interest, g.years.len()),
            (&mut self.report, g.report.len()),
        ] {
            v.resize(len, Row::ZERO);
        }
        self.flex
            .resize(n_deferrable(model), (Row::ZERO, Row::ZERO));
    }

    /// Copies the prepared flows of the `L` trials in `s` into the lanes, [step][lane].
    fn load(&mut self, s: &[Scratch; L]) {
        for (l, sl) in s.iter().enumerate() {
            for (rows, v) in [
                (&mut self.rate, &sl.revenue),
                (&mut self.cost, &sl.booked),
                (&mut self.oblig, &sl.oblig_var),
                (&mut self.funding, &sl.funding),
            ] {
                for (row, &x) in rows.iter_mut().zip(v) {
                    row[l] = x;
                }
            }
            for ((fac, flx), &(f, fl)) in self.flex.iter_mut().zip(&sl.flex) {
                fac[l] = f;
                flx[l] = fl;
            }
        }
    }

    /// Writes each lane's path and results back into its scratch: the cash path, the
    /// obligations paid, the deficits by report year, the first shortfall (a cash index, or
    /// infinity for none), the calendar-year figures and break-even years, and the metrics
    /// from `totals`.
    fn store(
        &self,
        model: &Model,
        s: &mut [Scratch; L],
        par: &[TrialPar; L],
        totals: [cash::Totals; L],
        first: &[f64; L],
    ) {
        for (l, sl) in s.iter_mut().enumerate() {
            for (c, row) in sl.cash.iter_mut().zip(&self.cash) {
                *c = row[l];
            }
            for (o, row) in sl.obligations.iter_mut().zip(&self.oblig) {
                *o = row[l];
            }
            for (y, row) in sl.year_ocf.iter_mut().zip(&self.year_ocf) {
                *y = row[l];
            }
            for (y, row) in sl.year_interest.iter_mut().zip(&self.year_interest) {
                *y = row[l];
            }
            let peak_burn = super::years::finish(model, sl);
            let p = &par[l];
            let o = &mut sl.outcome;
            for (r, row) in o.report_deficits.iter_mut().zip(&self.report) {
                *r = row[l];
            }
            o.first_shortfall = first[l].is_finite().then_some(first[l] as usize);
            o.ipo_step = (p.ipo_step != usize::MAX).then_some(p.ipo_step);
            let t = cash::Totals {
                peak_burn,
                ..totals[l]
            };
            t.write(p, &mut o.metrics);
        }
    }
}

/// [`LANES`] trials run together: their scratches and the shared cash-loop buffers.
#[derive(Debug, Clone)]
pub struct Batch {
    lanes: Vec<Scratch>,
    buf: Lanes<LANES>,
    gaps: GapLanes<LANES>,
}

impl Batch {
    /// Working memory for a batch of `model`'s trials.
    pub fn new(model: &Model) -> Batch {
        let mut buf = Lanes::default();
        buf.fit(model);
        let lane = Scratch::new(model);
        Batch {
            lanes: vec![lane; LANES],
            buf,
            gaps: GapLanes::default(),
        }
    }

    /// The scratch of lane `l`: the path and results of the batch's `l`-th trial.
    pub fn lane(&self, l: usize) -> &Scratch {
        &self.lanes[l]
    }
}

/// Runs trials `first..first + count` (`1 ≤ count ≤ LANES`) of `model` with `seed`; lane
/// `l` of `batch` holds trial `first + l`. Each trial's results are bit for bit those of
/// [`run_trial`]: every lane performs the same operations in the same order, only side by
/// side, so the compiler can vectorise the cash loop across trials.
pub fn run_batch(model: &Model, seed: u64, first: u64, count: usize, batch: &mut Batch) {
    let last = count.clamp(1, LANES) - 1;
    for (l, s) in batch.lanes.iter_mut().enumerate() {
        // Lanes past `count` repeat the last trial; their results are not read.
        prepare(model, seed, first + l.min(last) as u64, s, Draws::Random);
    }
    batch.buf.fit(model);
    cash_loop(model, &mut batch.lanes, &mut batch.buf);
    match <&mut [Scratch; LANES]>::try_from(batch.lanes.as_mut_slice()) {
        Ok(s) => write_gaps(model, s, &mut batch.gaps),
        Err(_) => unreachable!("a batch holds {LANES} lanes"),
    }
}

/// Steps cash forward for the `L` prepared trials in `s`, side by side: each lane's
/// arithmetic is exactly that of [`cash::run`], by the same rules of [`cash`], with its
/// branches written as selections so that lanes never diverge.
///
/// One piece on purpose (~140 lines): the step loop keeps a dozen arrays of lanes (cash,
/// debt, deficit, totals) in vector registers from step to step; cut into functions, they would
/// be passed through memory on every step of every trial. The rules themselves live in
/// [`cash`]; the loading and storing of lanes are apart ([`Lanes::load`], [`Lanes::store`]).
fn cash_loop<const L: usize>(model: &Model, s: &mut [Scratch], b: &mut Lanes<L>) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    // Both callers pass exactly L scratches (a batch's, or one for a lone trial).
    let s: &mut [Scratch; L] = match s.try_into() {
        Ok(s) => s,
        Err(_) => unreachable!("cash_loop::<{L}> given {} scratches", s.len()),
    };

    b.load(s);
    b.deferred.fill(Row::ZERO);
    b.year_ocf.fill(Row::ZERO);
    b.year_interest.fill(Row::ZERO);
    let par: [TrialPar; L] = std::array::from_fn(|l| s[l].par);
    let floor: [f64; L] = std::array::from_fn(|l| par[l].floor);
    let limit: [f64; L] = std::array::from_fn(|l| par[l].limit);
    let rate: [f64; L] = std::array::from_fn(|l| par[l].rate);
    let mut cash: [f64; L] = std::array::from_fn(|l| par[l].cash0);
    *b.cash[0] = cash;
    let mut drawn = [0.0; L];
    let mut dropped = [0.0; L];
    let mut oblig_total = [0.0; L];
    let mut interest_total = [0.0; L];
    let mut cash_min = cash;
    let mut deficit: [f64; L] = std::array::from_fn(|l| (floor[l] - cash[l]).max(0.0));
    let mut first: [f64; L] =
        std::array::from_fn(|l| if deficit[l] > 0.0 { 0.0 } else { f64::INFINITY });
    let mut rp = 0;
    while rp < g.report.len() && g.report[rp].1 == 0 {
        *b.report[rp] = deficit;
        rp += 1;
    }
    let deferrable = || model.var_obligations.iter().filter(|o| o.can_defer);

    for k in 0..n {
        let run_rate = *b.rate[k];
        let cost = *b.cost[k];
        let mut revenue = [0.0; L];
        let mut oblig = [0.0; L];
        let mut stressed = [false; L];
        let due = *b.oblig[k];
        let into = *b.deferred[k];
        for l in 0..L {
            revenue[l] = run_rate[l] * dt;
            oblig[l] = due[l] + into[l];
            stressed[l] = cash[l] < floor[l];
        }

        // Flexible deferral when cash starts the step below the floor.
        for (o, (fac, flx)) in deferrable().zip(&b.flex) {
            let unit = o.unit[k];
            let mut moved = [0.0; L];
            let mut defer = [false; L];
            for l in 0..L {
                let scheduled = fac[l] * unit;
                (defer[l], moved[l]) = cash::defer(stressed[l], scheduled, flx[l]);
                oblig[l] = if defer[l] {
                    oblig[l] + (scheduled - moved[l])
                } else {
                    oblig[l] + scheduled
                };
            }
            let to = k + o.deferral_steps;
            let target = if to < n {
                &mut *b.deferred[to]
            } else {
                &mut dropped
            };
            // An add of 0 where nothing moves, not a selection between the sum and the old
            // value: the selection compiled to a masked store (vmaskmovpd), which the load of
            // the next deferral into the same row cannot forward from. The same bits: a
            // target is +0 or a sum of positive amounts (`defer` needs a positive share and
            // payment), never −0, so adding +0 leaves it as it is.
            for l in 0..L {
                target[l] += if defer[l] { moved[l] } else { 0.0 };
            }
        }

        // Funding (the IPO included), debt and the floor. Simple loops over the lanes, in
        // which every branch is a selection (and step numbers are compared as floats),
        // vectorise.
        let kf = k as f64;
        let funding = *b.funding[k];
        let mut interest = [0.0; L];
        let mut pre = [0.0; L];
        for l in 0..L {
            interest[l] = cash::interest(rate[l], drawn[l], dt);
            pre[l] = cash::before_financing(
                cash[l],
                revenue[l],
                cost[l],
                oblig[l],
                funding[l],
                interest[l],
            );
        }
        cash::draw_lanes(&pre, &floor, &limit, &mut drawn, &mut cash);
        *b.cash[k + 1] = cash;
        for l in 0..L {
            cash_min[l] = cash_min[l].min(cash[l]);
            let depth = floor[l] - cash[l];
            let short = depth > 0.0;
            first[l] = if short & (first[l] == f64::INFINITY) {
                kf + 1.0
            } else {
                first[l]
            };
            deficit[l] = if short {
                deficit[l].max(depth)
            } else {
                deficit[l]
            };
        }
        let y = g.year_of_step[k];
        let (year_ocf, year_interest) = (&mut *b.year_ocf[y], &mut *b.year_interest[y]);
        for l in 0..L {
            oblig_total[l] += oblig[l];
            interest_total[l] += interest[l];
            year_ocf[l] += revenue[l] - cost[l] - oblig[l];
            year_interest[l] += interest[l];
        }
        // Paid, annualised.
        for (paid, &o) in b.oblig[k].iter_mut().zip(&oblig) {
            *paid = o / dt;
        }
        while rp < g.report.len() && g.report[rp].1 == k + 1 {
            *b.report[rp] = deficit;
            rp += 1;
        }
    }

    let totals = std::array::from_fn(|l| cash::Totals {
        deficit: deficit[l],
        cash_end: cash[l],
        cash_min: cash_min[l],
        obligations: oblig_total[l],
        dropped: dropped[l],
        drawn: drawn[l],
        interest: interest_total[l],
        peak_burn: 0.0,
    });
    b.store(model, s, &par, totals, &first);
}
