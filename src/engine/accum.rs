//! What a run accumulates: moments, sketches and counts of every result, the sensitivity
//! sums, the band sample, the worst trials. Chunks accumulate their trials in index order; their
//! sums are reduced through the engine's fixed tree ([`super::tree`]), their band rows and
//! worst trials appended in chunk order; the summary reads the totals through named accessors.

use super::bands::BandSample;
use super::paired::keep_worst;
use super::replicates::{ReplicateSketches, Replicates};
use super::trial_row::push_row;
use crate::model::Model;
use crate::sim::{N_METRICS, Scratch, metric};
use crate::stats::sensitivity::{ChunkSens, JointHist, SensAccum};
use crate::stats::{COARSE_BITS, FINE_BITS, Moments, SharedMoments, Sketch};

/// Everything a run accumulates: a chunk's, a node of the reduction tree's, or the run's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Accum {
    /// Trials.
    n: u64,
    /// Moments of each metric.
    moments: Vec<Moments>,
    /// Sketch of each metric.
    sketches: Vec<Sketch>,
    /// Moments of the gap by report year.
    report_moments: Vec<Moments>,
    /// Sketches of the gap by report year.
    report_sketches: Vec<Sketch>,
    /// Moments of the deficit by report year.
    report_deficit_moments: Vec<Moments>,
    /// Sketches of the deficit by report year.
    report_deficit_sketches: Vec<Sketch>,
    /// Trials with a gap.
    shortfalls: u64,
    /// Trials with a gap by each report year.
    report_shortfalls: Vec<u64>,
    /// Count of trials by cash index j of their first shortfall.
    first_shortfall: Vec<u64>,
    /// Count of trials by index of their break-even year.
    breakeven: Vec<u64>,
    /// Count of trials by index of their first non-negative year.
    first_nonnegative: Vec<u64>,
    /// Moments of the calendar-year figures, [series][year] as in the outcome (their
    /// percentiles come from the band sample).
    year_moments: Vec<Moments>,
    /// Trials with an IPO inside the horizon.
    ipos: u64,
    /// Trials with some revenue unserved for lack of capacity.
    capacity_bound: u64,
    /// Moments of each sampled input.
    inputs: Vec<Moments>,
    /// A chunk's sums for the moments of the metrics, the gaps and deficits by report year,
    /// the inputs, the calendar-year figures and the checks' values (only in a chunk; merged
    /// into the moments above).
    #[serde(skip)]
    chunk_moments: [SharedMoments; 6],
    /// Sampled trajectories for the bands.
    bands: BandSample,
    /// Per-trial rows of this chunk (only with `save_trials`).
    #[serde(skip)]
    trial_rows: Vec<f64>,
    /// A chunk's decile sums for sensitivity: the horizon gap, then each report year.
    #[serde(skip)]
    chunk_sens: Option<ChunkSens>,
    /// The current trial's responses, in the same order.
    #[serde(skip)]
    responses: Vec<f64>,
    /// The decile sums for sensitivity of a node of the reduction tree (the run's, in the
    /// total).
    sens: Option<SensAccum>,
    /// Joint (gap, u) counts per input (per worker, then in the total).
    joint: JointHist,
    /// The trials with the largest gap, (gap, trial), largest first (with `RunConfig::worst`).
    worst: Vec<(f64, u64)>,
    /// Moments of each check's per-trial value ([`Model::probes`]).
    check_moments: Vec<Moments>,
    /// Sketches of each check's per-trial value (kept per chunk, merged in chunk order).
    check_sketches: Vec<Sketch>,
    /// The current trial's check values.
    #[serde(skip)]
    check_values: Vec<f64>,
    /// Per-replicate sums (LHS and RQMC runs only).
    replicates: Option<Replicates>,
    /// Per-replicate quantile sketches (LHS and RQMC runs only; per worker, then in the
    /// total).
    replicate_sketches: ReplicateSketches,
}

impl Accum {
    /// Per-replicate sums and sketches of an LHS or RQMC run (`None` for plain Monte Carlo).
    pub fn replicates(&self) -> Option<(&Replicates, &ReplicateSketches)> {
        self.replicates
            .as_ref()
            .map(|r| (r, &self.replicate_sketches))
    }

    /// Trials accumulated.
    pub fn trials(&self) -> u64 {
        self.n
    }

    /// Moments of metric `i` ([`crate::sim::metric`]).
    pub fn metric_moments(&self, i: usize) -> &Moments {
        &self.moments[i]
    }

    /// Quantile sketch of metric `i` ([`crate::sim::metric`]).
    pub fn metric_sketch(&self, i: usize) -> &Sketch {
        &self.sketches[i]
    }

    /// Trials with a gap over the horizon.
    pub fn shortfalls(&self) -> u64 {
        self.shortfalls
    }

    /// Per report year: moments and sketch of the gap up to its end, and the trials with a
    /// gap by then.
    pub fn report_gaps(&self) -> impl Iterator<Item = (&Moments, &Sketch, u64)> + '_ {
        self.report_moments
            .iter()
            .zip(&self.report_sketches)
            .zip(&self.report_shortfalls)
            .map(|((m, s), &k)| (m, s, k))
    }

    /// Per report year: moments and sketch of the deficit up to its end, and the trials with
    /// a shortfall by then (the same trials as have a gap by then).
    pub fn report_deficits(&self) -> impl Iterator<Item = (&Moments, &Sketch, u64)> + '_ {
        self.report_deficit_moments
            .iter()
            .zip(&self.report_deficit_sketches)
            .zip(&self.report_shortfalls)
            .map(|((m, s), &k)| (m, s, k))
    }

    /// Count of trials by cash index j (t_j) of their first shortfall.
    pub fn first_shortfall_counts(&self) -> &[u64] {
        &self.first_shortfall
    }

    /// Count of trials by index (into the grid's years) of their break-even year.
    pub fn breakeven_counts(&self) -> &[u64] {
        &self.breakeven
    }

    /// Count of trials by index (into the grid's years) of their first non-negative year.
    pub fn first_nonnegative_counts(&self) -> &[u64] {
        &self.first_nonnegative
    }

    /// Moments of each calendar-year figure, [series][year] as in
    /// [`crate::sim::Outcome::years`].
    pub fn year_moments(&self) -> &[Moments] {
        &self.year_moments
    }

    /// Trials with an IPO inside the horizon.
    pub fn ipos(&self) -> u64 {
        self.ipos
    }

    /// Trials with some revenue unserved for lack of capacity.
    pub fn capacity_bound(&self) -> u64 {
        self.capacity_bound
    }

    /// Moments of each sampled input, in model order.
    pub fn input_moments(&self) -> &[Moments] {
        &self.inputs
    }

    /// The decile sums for sensitivity and the joint (gap, u) histogram.
    pub fn sensitivity(&self) -> Option<(&SensAccum, &JointHist)> {
        self.sens.as_ref().map(|s| (s, &self.joint))
    }

    /// Per check probe ([`Model::probes`]): moments and sketch of its per-trial value.
    pub fn checks(&self) -> impl Iterator<Item = (&Moments, &Sketch)> + '_ {
        self.check_moments.iter().zip(&self.check_sketches)
    }

    /// The trials with the largest gap, (gap, trial), largest first.
    pub fn worst(&self) -> &[(f64, u64)] {
        &self.worst
    }

    /// The sampled trajectories behind the bands.
    pub fn band_sample(&self) -> &BandSample {
        &self.bands
    }

    /// Keeps trial `trial` among the `k` with the largest gap if it is one.
    pub(super) fn note_worst(&mut self, k: usize, gap: f64, trial: u64) {
        keep_worst(&mut self.worst, k, gap, trial);
    }

    /// Per-trial rows of this chunk (with `save_trials`), taken out for the sink.
    pub(super) fn take_trial_rows(&mut self) -> Vec<f64> {
        std::mem::take(&mut self.trial_rows)
    }
    /// An empty accumulator for one chunk of a run of `model`.
    pub(super) fn for_chunk(model: &Model) -> Accum {
        let mut a = Accum::empty(model);
        a.chunk_sens = Some(ChunkSens::new(
            model.inputs.len(),
            1 + model.grid.report.len(),
        ));
        a.responses = vec![0.0; 1 + model.grid.report.len()];
        a.chunk_moments = [
            SharedMoments::new(N_METRICS),
            SharedMoments::new(model.grid.report.len()),
            SharedMoments::new(model.grid.report.len()),
            SharedMoments::new(model.inputs.len()),
            SharedMoments::new(n_year_figures(model)),
            SharedMoments::new(model.probes.len()),
        ];
        a.check_values = vec![0.0; model.probes.len()];
        a
    }

    pub(super) fn empty(model: &Model) -> Accum {
        let r = model.grid.report.len();
        Accum {
            n: 0,
            moments: vec![Moments::default(); N_METRICS],
            // The gap and the deficit get the fine sketch (their quantiles are headline
            // results); the other metrics report p5/p50/p95 and do with the coarse one.
            sketches: (0..N_METRICS)
                .map(|i| {
                    Sketch::with_bits(if i == metric::GAP || i == metric::DEFICIT {
                        FINE_BITS
                    } else {
                        COARSE_BITS
                    })
                })
                .collect(),
            report_moments: vec![Moments::default(); r],
            report_sketches: vec![Sketch::default(); r],
            report_deficit_moments: vec![Moments::default(); r],
            report_deficit_sketches: vec![Sketch::default(); r],
            shortfalls: 0,
            report_shortfalls: vec![0; r],
            first_shortfall: vec![0; model.grid.n + 1],
            breakeven: vec![0; model.grid.years.len()],
            first_nonnegative: vec![0; model.grid.years.len()],
            year_moments: vec![Moments::default(); n_year_figures(model)],
            ipos: 0,
            capacity_bound: 0,
            inputs: vec![Moments::default(); model.inputs.len()],
            chunk_moments: Default::default(),
            bands: BandSample::default(),
            trial_rows: Vec::new(),
            chunk_sens: None,
            responses: Vec::new(),
            sens: None,
            joint: JointHist::default(),
            worst: Vec::new(),
            check_moments: vec![Moments::default(); model.probes.len()],
            check_sketches: vec![Sketch::with_bits(FINE_BITS); model.probes.len()],
            check_values: Vec::new(),
            replicates: model
                .plan
                .is_structured()
                .then(|| Replicates::new(model, model.plan.replicates as usize)),
            replicate_sketches: if model.plan.is_structured() {
                ReplicateSketches::new(model, model.plan.replicates as usize)
            } else {
                ReplicateSketches::default()
            },
        }
    }

    /// Adds a trial's order-independent statistics: sketches, counts, the (gap, u) histogram.
    /// These are integers (and exact minima and maxima), so they can be kept per worker and
    /// merged in any order.
    pub(super) fn add_counts(&mut self, model: &Model, s: &Scratch, bins: &[u8], trial: u64) {
        let o = &s.outcome;
        if model.plan.is_structured() {
            self.replicate_sketches.add(model.plan.replicate(trial), o);
        }
        for (sk, &v) in self.sketches.iter_mut().zip(&o.metrics) {
            sk.add(v);
        }
        let gap = o.metrics[metric::GAP];
        self.shortfalls += u64::from(gap > 0.0);
        for (i, &v) in o.report_gaps.iter().enumerate() {
            self.report_sketches[i].add(v);
            self.report_shortfalls[i] += u64::from(v > 0.0);
        }
        for (sk, &v) in self
            .report_deficit_sketches
            .iter_mut()
            .zip(&o.report_deficits)
        {
            sk.add(v);
        }
        if let Some(j) = o.first_shortfall {
            self.first_shortfall[j] += 1;
        }
        if let Some(y) = o.breakeven_year {
            self.breakeven[y] += 1;
        }
        if let Some(y) = o.first_nonnegative_year {
            self.first_nonnegative[y] += 1;
        }
        self.ipos += u64::from(o.ipo_step.is_some());
        self.capacity_bound += u64::from(s.unserved_revenue().is_some_and(|v| v > 0.0));
        self.joint.add(gap, bins);
    }

    /// Adds a trial's float sums, kept per chunk and merged in chunk order.
    pub(super) fn add_sums(
        &mut self,
        model: &Model,
        s: &Scratch,
        bins: &[u8],
        trial: u64,
        band_stride: u64,
        save: bool,
    ) {
        let o = &s.outcome;
        self.n += 1;
        let [metrics, report, deficits, inputs, years, checks] = &mut self.chunk_moments;
        metrics.push(&o.metrics);
        report.push(&o.report_gaps);
        deficits.push(&o.report_deficits);
        inputs.push(&s.x);
        years.push(&o.years);
        if !model.probes.is_empty() {
            crate::sim::checks::values(model, o, &mut self.check_values);
            checks.push(&self.check_values);
            for (sk, &v) in self.check_sketches.iter_mut().zip(&self.check_values) {
                sk.add(v);
            }
        }
        if let Some(r) = &mut self.replicates {
            r.add(model.plan.replicate(trial), o, &self.check_values);
        }
        if let Some(c) = &mut self.chunk_sens {
            if let Some((first, rest)) = self.responses.split_first_mut() {
                *first = o.metrics[metric::GAP];
                rest.copy_from_slice(&o.report_gaps);
            }
            c.add(trial, &self.responses, bins);
        }
        if trial % band_stride == 0 {
            self.bands.push(s);
        }
        if save {
            push_row(model, s, trial, &mut self.trial_rows);
        }
    }

    /// Takes out what a chunk keeps in trial order rather than as sums: its band rows and its
    /// worst trials (the engine appends them to the run's in chunk order).
    pub(super) fn take_ordered(&mut self) -> (BandSample, Vec<(f64, u64)>) {
        (
            std::mem::take(&mut self.bands),
            std::mem::take(&mut self.worst),
        )
    }

    /// Gives a run's total (the root of the reduction tree) its band sample and worst trials.
    pub(super) fn set_ordered(&mut self, bands: BandSample, worst: Vec<(f64, u64)>) {
        self.bands = bands;
        self.worst = worst;
    }

    /// A chunk's accumulator as a node of the reduction tree ([`super::tree`]): its
    /// per-chunk sums become moments and run-sized decile sums, exactly (a copy, no
    /// arithmetic). Its ordered parts ([`Accum::take_ordered`]) and trial rows are taken out
    /// first.
    pub(super) fn into_node(mut self) -> Accum {
        let [metrics, report, deficits, inputs, years, checks] =
            std::mem::take(&mut self.chunk_moments);
        self.moments = metrics.moments().collect();
        self.report_moments = report.moments().collect();
        self.report_deficit_moments = deficits.moments().collect();
        self.inputs = inputs.moments().collect();
        self.year_moments = years.moments().collect();
        self.check_moments = checks.moments().collect();
        self.sens = self.chunk_sens.take().map(SensAccum::from_chunk);
        self.responses = Vec::new();
        self.check_values = Vec::new();
        self
    }

    /// Merges a worker's order-independent statistics (any order gives the same result).
    pub(super) fn merge_counts(&mut self, o: &Accum) {
        for (a, b) in self.sketches.iter_mut().zip(&o.sketches) {
            a.merge(b);
        }
        for (a, b) in self.report_sketches.iter_mut().zip(&o.report_sketches) {
            a.merge(b);
        }
        for (a, b) in self
            .report_deficit_sketches
            .iter_mut()
            .zip(&o.report_deficit_sketches)
        {
            a.merge(b);
        }
        self.shortfalls += o.shortfalls;
        for (a, b) in self.report_shortfalls.iter_mut().zip(&o.report_shortfalls) {
            *a += b;
        }
        for (a, b) in self.first_shortfall.iter_mut().zip(&o.first_shortfall) {
            *a += b;
        }
        for (a, b) in self.breakeven.iter_mut().zip(&o.breakeven) {
            *a += b;
        }
        for (a, b) in self.first_nonnegative.iter_mut().zip(&o.first_nonnegative) {
            *a += b;
        }
        self.ipos += o.ipos;
        self.capacity_bound += o.capacity_bound;
        self.joint.merge(&o.joint);
        self.replicate_sketches.merge(&o.replicate_sketches);
    }
}

impl super::tree::Merge for Accum {
    /// Merges the node that follows (both from [`Accum::into_node`]): the moments by Chan et
    /// al.'s formula, the decile sums and counts by addition, the check sketches (integers).
    fn merge_right(&mut self, o: Accum) {
        self.n += o.n;
        let pairs = [
            (&mut self.moments, &o.moments),
            (&mut self.report_moments, &o.report_moments),
            (&mut self.report_deficit_moments, &o.report_deficit_moments),
            (&mut self.inputs, &o.inputs),
            (&mut self.year_moments, &o.year_moments),
            (&mut self.check_moments, &o.check_moments),
        ];
        for (a, b) in pairs {
            for (a, b) in a.iter_mut().zip(b) {
                a.merge(b);
            }
        }
        for (a, b) in self.check_sketches.iter_mut().zip(&o.check_sketches) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.sens, &o.sens) {
            a.merge_right(b);
        }
        if let (Some(a), Some(b)) = (&mut self.replicates, &o.replicates) {
            a.merge_right(b);
        }
    }
}

/// Number of calendar-year figures of a trial of `model`: each series of
/// [`crate::sim::years::SERIES`] for each of its years.
fn n_year_figures(model: &Model) -> usize {
    crate::sim::years::figures(model)
}
