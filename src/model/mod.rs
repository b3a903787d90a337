//! The compiled model: a [`Scenario`] flattened for the trial loop.
//!
//! Everything that can be computed once per scenario is computed here, before any trial:
//! the time grid, the list of uncertain inputs (each with its RNG stream key), the copula
//! factor, per-step payment schedules of the obligations, fixed cost lines, step indices of
//! dates. Parameters become [`P`]: a constant, or an index into the trial's sampled inputs.
//! Guarantees: the copula factor `A` satisfies `A·Aᵀ = C` for the user's correlation matrix
//! `C`; every unit payment schedule sums to 1 over its whole term (steps past the horizon are
//! dropped, not rescaled).

use nalgebra::{DMatrix, SymmetricEigen};

use crate::dist::Dist;
use crate::rng::key_of;
use crate::scenario::{
    CostKind, Param, Problem, Profile, Scenario, ScenarioError, SegmentKind, Share, Timing, When,
};

/// Largest run-rate a segment can reach, $B/yr (a thousand times world GDP): growth that
/// would overflow f64 is capped here, so no output is ever infinite or NaN. Fixed cost lines
/// compiled into [`Model::fixed_costs`] are capped at it too, like the uncertain ones in a
/// trial.
pub const MAX_RUN_RATE: f64 = 1e15;
/// Sampled inputs are clamped to ±this, for the same reason as [`MAX_RUN_RATE`].
pub const MAX_INPUT: f64 = 1e15;

/// A parameter as the trial loop sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum P {
    /// A constant.
    Const(f64),
    /// The value of sampled input `i`.
    In(usize),
}

impl P {
    /// The parameter's value in a trial with sampled inputs `x`.
    #[inline(always)]
    pub fn get(self, x: &[f64]) -> f64 {
        match self {
            P::Const(v) => v,
            P::In(i) => x[i],
        }
    }
}

/// One uncertain input: drawn once per trial from its own stream.
#[derive(Debug, Clone)]
pub struct Input {
    /// Dotted path.
    pub path: String,
    /// Marginal distribution.
    pub dist: Dist,
    /// Stream key, a hash of the path: the same path draws the same numbers in any scenario.
    pub key: u64,
}

/// The time grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Start, decimal year.
    pub start: f64,
    /// Step length, years.
    pub dt: f64,
    /// Steps per year (1, 4 or 12).
    pub steps_per_year: u32,
    /// Number of steps.
    pub n: usize,
    /// Step boundaries t_0..t_n.
    pub t: Vec<f64>,
    /// Calendar years that steps fall in, ascending.
    pub years: Vec<i32>,
    /// For each step, its index in `years`.
    pub year_of_step: Vec<usize>,
    /// Report years with the last cash index j (t_j ≤ year + 1) that counts toward them.
    pub report: Vec<(i32, usize)>,
}

impl Grid {
    fn new(start: f64, horizon_years: f64, steps_per_year: u32, report_years: &[i32]) -> Grid {
        let dt = 1.0 / steps_per_year as f64;
        let n = (horizon_years * steps_per_year as f64).round() as usize;
        let t: Vec<f64> = (0..=n).map(|k| start + k as f64 * dt).collect();
        let mut years = Vec::new();
        let mut year_of_step = Vec::with_capacity(n);
        for &tk in &t[..n] {
            let y = (tk + 1e-9).floor() as i32;
            if years.last() != Some(&y) {
                years.push(y);
            }
            year_of_step.push(years.len() - 1);
        }
        let report = report_years
            .iter()
            .map(|&y| {
                let j = t
                    .iter()
                    .rposition(|&tj| tj <= y as f64 + 1.0 + 1e-9)
                    .unwrap_or(0);
                (y, j)
            })
            .collect();
        Grid {
            start,
            dt,
            steps_per_year,
            n,
            t,
            years,
            year_of_step,
            report,
        }
    }

    /// x^dt for a step of `dt` = 1, ¼ or 1/12 year, by roots rather than ln and exp:
    /// the growth of one step at an annual factor x.
    #[inline(always)]
    pub fn step_power(&self, x: f64) -> f64 {
        match self.steps_per_year {
            1 => x,
            4 => x.sqrt().sqrt(),
            _ => x.sqrt().sqrt().cbrt(),
        }
    }

    /// [`Grid::step_power`] of every element of `v`, in place: the same numbers, in a loop
    /// that vectorises (the choice of root is made once, not per element).
    pub fn step_power_all(&self, v: &mut [f64]) {
        match self.steps_per_year {
            1 => {}
            4 => {
                for x in v {
                    *x = x.sqrt().sqrt();
                }
            }
            _ => {
                for x in v {
                    *x = x.sqrt().sqrt().cbrt();
                }
            }
        }
    }

    /// Unbounded step index containing `date` (may be negative or ≥ n).
    pub fn raw_step(&self, date: f64) -> i64 {
        ((date - self.start) / self.dt + 1e-9).floor() as i64
    }

    /// The step containing `date`, if inside the horizon.
    pub fn step_of(&self, date: f64) -> Option<usize> {
        let k = self.raw_step(date);
        (0..self.n as i64).contains(&k).then_some(k as usize)
    }
}

/// How a segment's run-rate evolves, compiled.
#[derive(Debug, Clone)]
pub enum SegKind {
    /// Decaying-growth process.
    Growth {
        /// R0.
        run_rate: P,
        /// g0.
        growth: P,
        /// g∞.
        terminal: P,
        /// Half-life, years.
        half_life: P,
        /// 2^(−(t_k − start)/h) per step when h is fixed.
        decay: Option<Vec<f64>>,
        /// Saturation level.
        ceiling: Option<P>,
    },
    /// A path: scale × level[k] × shock multiplier.
    Path {
        /// Path value at t_k, k = 0..=n.
        level: Vec<f64>,
        /// Multiplier.
        scale: P,
    },
}

/// A revenue segment, compiled.
#[derive(Debug, Clone)]
pub struct SegModel {
    /// Name.
    pub name: String,
    /// Dynamics.
    pub kind: SegKind,
    /// σ.
    pub volatility: P,
    /// Stream key of its per-step shocks.
    pub key: u64,
}

/// An event, compiled.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// Annual hazard.
    pub hazard: P,
    /// Multiplier.
    pub factor: P,
    /// Hit segments.
    pub segments: Vec<usize>,
    /// Growth afterwards.
    pub growth_after: Option<P>,
    /// May fire again.
    pub recurring: bool,
    /// Stream key of its arrivals.
    pub key: u64,
}

/// A cost line with uncertain parameters.
#[derive(Debug, Clone)]
pub enum VarCost {
    /// annual·(1+growth)^(t_k − start)·dt on active steps.
    Growing {
        /// $B/yr at start.
        annual: P,
        /// Growth.
        growth: P,
        /// Active steps [from, to).
        active: (usize, usize),
    },
    /// scale × unit[k].
    Scaled {
        /// Multiplier.
        scale: P,
        /// $B booked per step at scale 1.
        per_step: Vec<f64>,
    },
}

/// Where a revenue-share line gets its share.
#[derive(Debug, Clone)]
pub enum ShareSrc {
    /// One share for all steps.
    Const(P),
    /// Share per step.
    Steps(Vec<f64>),
}

/// A revenue-share cost line.
#[derive(Debug, Clone)]
pub struct ShareLine {
    /// The share.
    pub share: ShareSrc,
    /// Segments whose revenue it takes.
    pub segments: Vec<usize>,
    /// Active steps [from, to).
    pub active: (usize, usize),
}

/// An obligation whose payments vary by trial.
#[derive(Debug, Clone)]
pub struct VarOblig {
    /// Headline total.
    pub total: P,
    /// Realized share.
    pub realized: P,
    /// Flexible share.
    pub flexible: P,
    /// Unit schedule per step (sums to ≤ 1 inside the horizon).
    pub unit: Vec<f64>,
    /// Deferral in steps.
    pub deferral_steps: usize,
    /// Whether any part can be deferred.
    pub can_defer: bool,
}

/// A compiled tranche.
#[derive(Debug, Clone, Copy)]
pub enum TrancheModel {
    /// Arrives in this step.
    AtStep {
        /// Share of the amount.
        share: f64,
        /// Step.
        step: usize,
    },
    /// Arrives in the IPO step if the IPO date is before `lapses`.
    OnIpo {
        /// Share of the amount.
        share: f64,
        /// Deadline (∞ if none).
        lapses: f64,
    },
    /// Never arrives inside the horizon.
    Never,
}

/// A compiled participant.
#[derive(Debug, Clone)]
pub struct PartModel {
    /// Name.
    pub name: String,
    /// Joins (0/1).
    pub joins: P,
    /// Amount.
    pub amount: P,
    /// Tranches.
    pub tranches: Vec<TrancheModel>,
    /// Tied spend: share, and a unit schedule unless it counts toward an existing contract.
    pub tied: Option<(f64, Option<Vec<f64>>)>,
}

/// A compiled round.
#[derive(Debug, Clone)]
pub struct RoundModel {
    /// Name.
    pub name: String,
    /// Closes (0/1).
    pub closes: P,
    /// Participants.
    pub participants: Vec<PartModel>,
}

/// The compiled IPO.
#[derive(Debug, Clone)]
pub struct IpoModel {
    /// Happens (0/1).
    pub happens: P,
    /// Date.
    pub date: P,
    /// Revenue multiple.
    pub multiple: P,
    /// Share raised.
    pub raise_share: P,
}

/// The compiled debt facility.
#[derive(Debug, Clone)]
pub struct DebtModel {
    /// Limit.
    pub limit: P,
    /// Rate.
    pub rate: P,
}

/// The Gaussian copula over the correlated inputs.
#[derive(Debug, Clone)]
pub struct Copula {
    /// Input indices in the copula.
    pub members: Vec<usize>,
    /// Factor A (row-major m×m) with A·Aᵀ = C: z = A·ε.
    pub factor: Vec<f64>,
    /// Per member, true when its value comes from z alone
    /// ([`Dist::quantile_needs_only_z`]): a trial in the engine then skips u = Φ(z).
    pub z_only: Vec<bool>,
    /// The sensitivity bins of u = Φ(z) on the z scale ([`crate::sensitivity::z_bin_edges`]).
    pub z_bin_edges: [f64; crate::sensitivity::U_BINS - 1],
}

/// The deterministic obligations schedule: expected payments per calendar year by counterparty.
#[derive(Debug, Clone)]
pub struct ObligationSchedule {
    /// Calendar years.
    pub years: Vec<i32>,
    /// (counterparty, $B per year at the mean realized share and total).
    pub by_counterparty: Vec<(String, Vec<f64>)>,
    /// Sum of headline totals (mean), $B.
    pub headline_total: f64,
}

/// A scenario compiled for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario it was compiled from.
    pub scenario: Scenario,
    /// Time grid.
    pub grid: Grid,
    /// Uncertain inputs.
    pub inputs: Vec<Input>,
    /// Copula, if any correlations.
    pub copula: Option<Copula>,
    /// Indices of the inputs outside the copula (drawn from a uniform directly).
    pub independent: Vec<usize>,
    /// Cash at start.
    pub initial_cash: P,
    /// Floor.
    pub min_cash: P,
    /// Revenue segments.
    pub segments: Vec<SegModel>,
    /// Segment shock factor (row-major m×m), `None` for independent shocks.
    pub seg_factor: Option<Vec<f64>>,
    /// Events.
    pub events: Vec<EventModel>,
    /// Cost booked per step by lines with fixed parameters, $B.
    pub fixed_costs: Vec<f64>,
    /// Cost lines with uncertain parameters.
    pub var_costs: Vec<VarCost>,
    /// Revenue-share lines.
    pub share_lines: Vec<ShareLine>,
    /// Payments per step of obligations with fixed amounts and no flexibility, $B.
    pub fixed_obligations: Vec<f64>,
    /// Obligations whose payments vary by trial.
    pub var_obligations: Vec<VarOblig>,
    /// Rounds.
    pub rounds: Vec<RoundModel>,
    /// IPO.
    pub ipo: Option<IpoModel>,
    /// Debt.
    pub debt: Option<DebtModel>,
    /// Expected obligations by year and counterparty.
    pub schedule: ObligationSchedule,
    /// Notes for the user (e.g. a correlation on a fixed input was dropped).
    pub warnings: Vec<String>,
}

struct Compiler {
    inputs: Vec<Input>,
}

impl Model {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.scenario.name
    }
}

impl Compiler {
    fn p(&mut self, param: &Param) -> P {
        if param.dist.is_fixed() {
            P::Const(param.dist.quantile(0.5))
        } else {
            self.inputs.push(Input {
                path: param.path.clone(),
                dist: param.dist.clone(),
                key: key_of(&param.path),
            });
            P::In(self.inputs.len() - 1)
        }
    }
}

/// Unit payment weights per step for a term, normalised over the whole term (including steps
/// past the horizon, which are then dropped).
fn term_unit(grid: &Grid, start: f64, years: f64, profile: Profile) -> Vec<f64> {
    let first = ((start - grid.start) / grid.dt - 1e-9).ceil() as i64;
    let last = ((start + years - grid.start) / grid.dt - 1e-9).ceil() as i64;
    let mut unit = vec![0.0; grid.n];
    if last <= first {
        // A term shorter than a step: all in the step containing the start.
        if let Some(k) = grid.step_of(start) {
            unit[k] = 1.0;
        }
        return unit;
    }
    let weight = |k: i64| {
        let tk = grid.start + k as f64 * grid.dt;
        let x = ((tk + 0.5 * grid.dt - start) / years).clamp(0.0, 1.0);
        profile.weight(x)
    };
    let total: f64 = (first..last).map(weight).sum();
    if total <= 0.0 {
        return unit;
    }
    for k in first.max(0)..last.min(grid.n as i64) {
        unit[k as usize] = weight(k) / total;
    }
    unit
}

/// Unit weights per step for explicit calendar-year amounts.
fn schedule_unit(grid: &Grid, rows: &[(i32, f64)]) -> Vec<f64> {
    let sum: f64 = rows.iter().map(|r| r.1).sum();
    let mut unit = vec![0.0; grid.n];
    for &(y, amount) in rows {
        let first = ((y as f64 - grid.start) / grid.dt - 1e-9).ceil() as i64;
        let last = ((y as f64 + 1.0 - grid.start) / grid.dt - 1e-9).ceil() as i64;
        let count = (last - first).max(1);
        for k in first.max(0)..last.min(grid.n as i64) {
            unit[k as usize] += amount / sum / count as f64;
        }
    }
    unit
}

fn series_steps(grid: &Grid, series: &crate::scenario::Series, len: usize) -> Vec<f64> {
    (0..len).map(|k| series.at(grid.t[k])).collect()
}

fn active_steps(grid: &Grid, from: Option<f64>, until: Option<f64>) -> (usize, usize) {
    let lo = from.map_or(0, |f| {
        ((f - grid.start) / grid.dt - 1e-9).ceil().max(0.0) as usize
    });
    let hi = until.map_or(grid.n, |u| {
        ((u - grid.start) / grid.dt - 1e-9)
            .ceil()
            .clamp(0.0, grid.n as f64) as usize
    });
    (lo.min(grid.n), hi.max(lo.min(grid.n)))
}

/// The factor A with A·Aᵀ = C: Cholesky when C is positive definite, else the symmetric
/// eigen-decomposition (C positive semi-definite). `Err` carries the smallest eigenvalue and
/// the eigenvector that shows which variables conflict.
fn factorize(c: DMatrix<f64>) -> Result<Vec<f64>, (f64, Vec<f64>)> {
    let m = c.nrows();
    if let Some(ch) = c.clone().cholesky() {
        let l = ch.l();
        return Ok((0..m)
            .flat_map(|i| (0..m).map(move |j| (i, j)))
            .map(|(i, j)| l[(i, j)])
            .collect());
    }
    let eig = SymmetricEigen::new(c);
    let (min_i, min_val) = eig
        .eigenvalues
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0));
    if min_val < -1e-9 {
        return Err((
            min_val,
            eig.eigenvectors.column(min_i).iter().copied().collect(),
        ));
    }
    let mut a = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            a[i * m + j] = eig.eigenvectors[(i, j)] * eig.eigenvalues[j].max(0.0).sqrt();
        }
    }
    Ok(a)
}

/// Compiles a scenario for simulation.
///
/// # Errors
/// [`ScenarioError::Invalid`] when a correlation names a path that is not an input of the
/// scenario, or the correlations do not form a positive semi-definite matrix.
pub fn compile(scenario: &Scenario) -> Result<Model, ScenarioError> {
    let s = scenario;
    let grid = Grid::new(
        s.time.start,
        s.time.horizon_years,
        s.time.steps_per_year,
        &s.time.report_years,
    );
    let n = grid.n;
    let mut cc = Compiler { inputs: Vec::new() };
    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    let initial_cash = cc.p(&s.cash.initial);
    let min_cash = cc.p(&s.cash.min_cash);

    let mut segments = Vec::new();
    for seg in &s.segments {
        let kind = match &seg.kind {
            SegmentKind::Growth {
                run_rate,
                growth,
                terminal_growth,
                half_life_years,
                ceiling,
            } => {
                let half_life = cc.p(half_life_years);
                let decay = match half_life {
                    P::Const(h) => Some(
                        (0..n)
                            .map(|k| (-(grid.t[k] - grid.start) / h).exp2())
                            .collect(),
                    ),
                    P::In(_) => None,
                };
                let growth = cc.p(growth);
                SegKind::Growth {
                    run_rate: cc.p(run_rate),
                    growth,
                    terminal: terminal_growth.as_ref().map_or(growth, |t| cc.p(t)),
                    half_life,
                    decay,
                    ceiling: ceiling.as_ref().map(|c| cc.p(c)),
                }
            }
            SegmentKind::Path { series, scale } => SegKind::Path {
                level: series_steps(&grid, series, n + 1),
                scale: cc.p(scale),
            },
        };
        segments.push(SegModel {
            name: seg.name.clone(),
            kind,
            volatility: cc.p(&seg.volatility),
            key: key_of(&format!("revenue.{}#shocks", seg.name)),
        });
    }

    let m = s.segments.len();
    let seg_factor = if s.revenue_correlations.is_empty() {
        None
    } else {
        let mut c = DMatrix::<f64>::identity(m, m);
        let idx = |name: &str| s.segments.iter().position(|x| x.name == name);
        for r in &s.revenue_correlations {
            if let (Some(a), Some(b)) = (idx(&r.a), idx(&r.b)) {
                c[(a, b)] = r.rho;
                c[(b, a)] = r.rho;
            }
        }
        match factorize(c) {
            Ok(f) => Some(f),
            Err((ev, _)) => {
                problems.push(Problem {
                    path: "revenue_correlations".into(),
                    value: None,
                    message: format!(
                        "the segment correlations do not form a positive semi-definite matrix (smallest eigenvalue {:.3}); pairs: {}; weaken the strongest ones",
                        ev,
                        s.revenue_correlations
                            .iter()
                            .map(|r| format!("{}–{} ({})", r.a, r.b, r.rho))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                None
            }
        }
    };

    let events = s
        .events
        .iter()
        .map(|e| EventModel {
            hazard: cc.p(&e.hazard),
            factor: cc.p(&e.factor),
            segments: e.segments.clone(),
            growth_after: e.growth_after.as_ref().map(|g| cc.p(g)),
            recurring: e.recurring,
            key: key_of(&format!("events.{}#arrivals", e.name)),
        })
        .collect();

    let mut fixed_costs = vec![0.0; n];
    let mut var_costs = Vec::new();
    let mut share_lines = Vec::new();
    for cost in &s.costs {
        let active = active_steps(&grid, cost.from, cost.until);
        match &cost.kind {
            CostKind::Fixed { annual, growth } => {
                let (a, g) = (cc.p(annual), cc.p(growth));
                match (a, g) {
                    (P::Const(a), P::Const(g)) => {
                        for (c, t) in fixed_costs[active.0..active.1]
                            .iter_mut()
                            .zip(&grid.t[active.0..active.1])
                        {
                            let factor = (1.0 + g).powf(t - grid.start).min(MAX_RUN_RATE);
                            *c += (a * factor).min(MAX_RUN_RATE) * grid.dt;
                        }
                    }
                    _ => var_costs.push(VarCost::Growing {
                        annual: a,
                        growth: g,
                        active,
                    }),
                }
            }
            CostKind::Path { series, scale } => {
                let mut per_step = vec![0.0; n];
                for (c, &t) in per_step[active.0..active.1]
                    .iter_mut()
                    .zip(&grid.t[active.0..active.1])
                {
                    *c = series.at(t) * grid.dt;
                }
                match cc.p(scale) {
                    P::Const(sc) => {
                        for k in 0..n {
                            fixed_costs[k] += sc * per_step[k];
                        }
                    }
                    scale => var_costs.push(VarCost::Scaled { scale, per_step }),
                }
            }
            CostKind::RevenueShare { share, segments } => {
                let share = match share {
                    Share::Constant(p) => ShareSrc::Const(cc.p(p)),
                    Share::Series(series) => ShareSrc::Steps(series_steps(&grid, series, n)),
                };
                share_lines.push(ShareLine {
                    share,
                    segments: segments.clone(),
                    active,
                });
            }
        }
    }

    let mut fixed_obligations = vec![0.0; n];
    let mut var_obligations = Vec::new();
    let mut sched_rows: Vec<(String, Vec<f64>)> = Vec::new();
    let mut headline_total = 0.0;
    let mut add_to_schedule = |cp: &str, unit: &[f64], amount: f64, grid: &Grid| {
        let row = match sched_rows.iter().position(|r| r.0 == cp) {
            Some(i) => i,
            None => {
                sched_rows.push((cp.to_string(), vec![0.0; grid.years.len()]));
                sched_rows.len() - 1
            }
        };
        for (k, u) in unit.iter().enumerate() {
            sched_rows[row].1[grid.year_of_step[k]] += amount * u;
        }
    };
    for o in &s.obligations {
        let unit = match &o.timing {
            Timing::Term {
                start,
                years,
                profile,
            } => term_unit(&grid, *start, *years, *profile),
            Timing::Schedule(rows) => schedule_unit(&grid, rows),
        };
        headline_total += o.total.dist.mean();
        add_to_schedule(
            &o.counterparty,
            &unit,
            o.total.dist.mean() * o.realized_share.dist.mean(),
            &grid,
        );
        let (total, realized, flexible) = (
            cc.p(&o.total),
            cc.p(&o.realized_share),
            cc.p(&o.flexible_share),
        );
        match (total, realized, flexible) {
            (P::Const(t), P::Const(r), P::Const(0.0)) => {
                for k in 0..n {
                    fixed_obligations[k] += t * r * unit[k];
                }
            }
            _ => var_obligations.push(VarOblig {
                total,
                realized,
                flexible,
                unit,
                deferral_steps: ((o.deferral_years / grid.dt).round() as usize).max(1),
                can_defer: flexible != P::Const(0.0),
            }),
        }
    }

    let mut rounds = Vec::new();
    for r in &s.rounds {
        let close_step = grid.step_of(r.close);
        let mut participants = Vec::new();
        for p in &r.participants {
            let tranches = p
                .tranches
                .iter()
                .map(|t| match t.when {
                    When::Close => match close_step {
                        Some(step) if t.lapses.is_none_or(|l| r.close < l) => {
                            TrancheModel::AtStep {
                                share: t.share,
                                step,
                            }
                        }
                        _ => TrancheModel::Never,
                    },
                    When::Date(d) => match grid.step_of(d) {
                        Some(step) if t.lapses.is_none_or(|l| d < l) => TrancheModel::AtStep {
                            share: t.share,
                            step,
                        },
                        _ => TrancheModel::Never,
                    },
                    When::Ipo => TrancheModel::OnIpo {
                        share: t.share,
                        lapses: t.lapses.unwrap_or(f64::INFINITY),
                    },
                })
                .collect();
            let tied = p.tied_spend.as_ref().map(|t| {
                let unit = match t.counts_toward {
                    Some(_) => None,
                    None => {
                        let unit = term_unit(&grid, t.start, t.years, t.profile);
                        let expected = p.joins.dist.mean()
                            * r.closes.dist.mean()
                            * p.amount.dist.mean()
                            * t.share;
                        add_to_schedule(
                            &format!("{} (tied)", t.counterparty),
                            &unit,
                            expected,
                            &grid,
                        );
                        Some(unit)
                    }
                };
                (t.share, unit)
            });
            participants.push(PartModel {
                name: p.name.clone(),
                joins: cc.p(&p.joins),
                amount: cc.p(&p.amount),
                tranches,
                tied,
            });
        }
        rounds.push(RoundModel {
            name: r.name.clone(),
            closes: cc.p(&r.closes),
            participants,
        });
    }

    let ipo = s.ipo.as_ref().map(|i| IpoModel {
        happens: cc.p(&i.happens),
        date: cc.p(&i.date),
        multiple: cc.p(&i.multiple),
        raise_share: cc.p(&i.raise_share),
    });
    let debt = s.debt.as_ref().map(|d| DebtModel {
        limit: cc.p(&d.limit),
        rate: cc.p(&d.rate),
    });

    // The copula over the inputs named in [[correlations]].
    let all_paths: Vec<String> = s.params().iter().map(|p| p.path.clone()).collect();
    let mut members: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize, f64, usize)> = Vec::new();
    for (ci, r) in s.correlations.iter().enumerate() {
        let mut idx = [0usize; 2];
        let mut ok = true;
        for (slot, name) in [&r.a, &r.b].into_iter().enumerate() {
            match cc.inputs.iter().position(|inp| &inp.path == name) {
                Some(i) => {
                    let pos = members.iter().position(|&m| m == i).unwrap_or_else(|| {
                        members.push(i);
                        members.len() - 1
                    });
                    idx[slot] = pos;
                }
                None if all_paths.contains(name) => {
                    warnings.push(format!(
                        "correlations.{ci}: `{name}` is fixed in this scenario, so its correlation with `{}` has no effect",
                        if slot == 0 { &r.b } else { &r.a }
                    ));
                    ok = false;
                }
                None => {
                    let hint =
                        crate::scenario::did_you_mean(name, all_paths.iter().map(String::as_str))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                    problems.push(Problem {
                        path: format!("correlations.{ci}.between"),
                        value: Some(format!("\"{name}\"")),
                        message: format!("names no input of this scenario{hint}"),
                    });
                    ok = false;
                }
            }
        }
        if ok {
            pairs.push((idx[0], idx[1], r.rho, ci));
        }
    }
    let copula = if pairs.is_empty() {
        None
    } else {
        let mm = members.len();
        let mut c = DMatrix::<f64>::identity(mm, mm);
        for &(a, b, rho, _) in &pairs {
            c[(a, b)] = rho;
            c[(b, a)] = rho;
        }
        match factorize(c) {
            Ok(factor) => Some(Copula {
                z_only: members
                    .iter()
                    .map(|&i| cc.inputs[i].dist.quantile_needs_only_z())
                    .collect(),
                members,
                factor,
                z_bin_edges: crate::sensitivity::z_bin_edges(),
            }),
            Err((ev, vector)) => {
                let involved: Vec<String> = pairs
                    .iter()
                    .filter(|&&(a, b, _, _)| vector[a].abs() > 0.1 && vector[b].abs() > 0.1)
                    .map(|&(a, b, rho, ci)| {
                        format!(
                            "correlations.{ci} {}–{} ({rho})",
                            cc.inputs[members[a]].path, cc.inputs[members[b]].path
                        )
                    })
                    .collect();
                problems.push(Problem {
                    path: "correlations".into(),
                    value: None,
                    message: format!(
                        "the correlations are not positive semi-definite (smallest eigenvalue {ev:.3}): no set of inputs can be correlated like this; the conflicting pairs: {}; weaken or change the sign of one of them",
                        involved.join(", ")
                    ),
                });
                None
            }
        }
    };

    if !problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: s.origin.clone(),
            problems,
        });
    }
    let years = grid.years.clone();
    let independent = (0..cc.inputs.len())
        .filter(|i| copula.as_ref().is_none_or(|c| !c.members.contains(i)))
        .collect();
    Ok(Model {
        scenario: s.clone(),
        grid,
        inputs: cc.inputs,
        copula,
        independent,
        initial_cash,
        min_cash,
        segments,
        seg_factor,
        events,
        fixed_costs,
        var_costs,
        share_lines,
        fixed_obligations,
        var_obligations,
        rounds,
        ipo,
        debt,
        schedule: ObligationSchedule {
            years,
            by_counterparty: sched_rows,
            headline_total,
        },
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new(2026.0, 8.0, 4, &[2030])
    }

    #[test]
    fn grid_steps_and_report_index() {
        let g = grid();
        assert_eq!(g.n, 32);
        assert_eq!(g.step_of(2026.75), Some(3));
        assert_eq!(g.step_of(2034.0), None);
        // Gap by 2030 counts cash_0..cash_20 (t_20 = 2031.0).
        assert_eq!(g.report, vec![(2030, 20)]);
        assert_eq!(g.years.len(), 8);
    }

    #[test]
    fn flat_term_pays_total_over_years_per_year() {
        let g = grid();
        let u = term_unit(&g, 2027.0, 8.0, Profile::Flat);
        // 100/8 per year, 87.5 inside the horizon.
        assert!((u.iter().sum::<f64>() * 100.0 - 87.5).abs() < 1e-9);
        assert_eq!(u[3], 0.0);
        assert!((u[4] - 1.0 / 32.0).abs() < 1e-15);
        let tied = term_unit(&g, 2026.25, 5.0, Profile::Flat);
        assert_eq!(tied.iter().filter(|&&w| w > 0.0).count(), 20);
        assert!(tied[0] == 0.0 && tied[1] > 0.0 && tied[20] > 0.0 && tied[21] == 0.0);
    }

    #[test]
    fn profiles_are_normalised_and_shaped() {
        let g = grid();
        for p in [Profile::Ramp, Profile::FrontLoaded, Profile::BackLoaded] {
            let u = term_unit(&g, 2026.0, 4.0, p);
            assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let back = term_unit(&g, 2026.0, 4.0, Profile::BackLoaded);
        assert!(back[15] > back[0]);
        let front = term_unit(&g, 2026.0, 4.0, Profile::FrontLoaded);
        assert!(front[0] > front[15]);
    }

    #[test]
    fn schedule_spreads_each_year_over_its_steps() {
        let g = grid();
        let u = schedule_unit(&g, &[(2027, 30.0), (2028, 10.0)]);
        assert!((u[4] - 30.0 / 40.0 / 4.0).abs() < 1e-15);
        assert!((u[8] - 10.0 / 40.0 / 4.0).abs() < 1e-15);
        assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn factor_reproduces_matrix_and_rejects_non_psd() {
        let c = DMatrix::from_row_slice(2, 2, &[1.0, 0.7, 0.7, 1.0]);
        let a = factorize(c).unwrap_or_default();
        assert!((a[2] * a[0] + a[3] * a[1] - 0.7).abs() < 1e-12);
        // Perfect correlation is PSD but singular: still factorable.
        let c = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        assert!(factorize(c).is_ok());
        let c = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
        assert!(factorize(c).is_err());
    }
}
