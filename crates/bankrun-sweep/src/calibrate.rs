//! `bankrun calibrate`: a simulated-method-of-moments fit of a scenario's `[calibration]`
//! parameters to its targets (reference/behaviour.md §9, steps 3–4: "fit … by simulated method
//! of moments against targets"; docs/calibration.md).
//!
//! Procedure, deterministic for a scenario, master seed and configuration (any thread count):
//! 1. Seeds: `R` path seeds of the scenario text without its `[calibration]` section
//!    ([`seeds`]); every point is run with the same seeds (common random numbers), so the
//!    objective is smooth in the parameters rather than re-drawn noise.
//! 2. Moments: for each target, the mean over the `R` runs of its metric — a `bankrun sweep`
//!    path column ([`crate::metrics`]) or `<R>_hours_ge_<P>pct`, the hours with reserve R's
//!    end-of-block utilization at or above P %.
//! 3. Objective: `J(θ) = Σ_j ((m̄_j(θ) − value_j) / sd_j)²`.
//! 4. Search: a grid of `n` points per parameter over `[lo, hi]` (log-spaced for `log`
//!    parameters), then `refine` rounds of a 3-point-per-parameter grid around the best point
//!    at half the previous spacing. The best point (the first in grid order on ties) is θ̂.
//! 5. Standard errors: the SMM sandwich
//!    `V = (GᵀWG)⁻¹ GᵀW Ω W G (GᵀWG)⁻¹`, with `G` the Jacobian of the mean moments at θ̂ by
//!    central differences (one-sided at a bound) at the final grid spacing, `W = diag(1/sd²)`
//!    and `Ω = diag(sd²) + S/R` (the targets' uncertainty plus the simulation noise of the
//!    mean, `S` the moments' covariance across the `R` runs at θ̂). A parameter the moments do
//!    not move (singular `GᵀWG`) has no standard error.
//!
//! The scenario runs as written otherwise: `[stochastic]` price processes are not realised.

use std::path::Path;

use bankrun_engine::SimOptions;
use bankrun_metrics::RunResult;
use bankrun_scenario::{Calibration, LoadedScenario};
use rayon::prelude::*;
use toml_edit::DocumentMut;

use crate::error::{Result, SweepError};
use crate::keys::{self, Val};
use crate::metrics::Layout;
use crate::run::Loader;
use crate::seed::{path_seed, scenario_hash};

/// Options of a calibration.
#[derive(Debug, Clone)]
pub struct CalibrateConfig {
    /// Runs (seeds) per point, ≥ 2 (the standard errors need the moments' spread).
    pub seeds: u64,
    /// Grid points per parameter in the first stage, ≥ 2.
    pub grid: u32,
    /// Refinement rounds.
    pub refine: u32,
    /// Master seed (default: the scenario's `seed`).
    pub seed: Option<u64>,
    /// Worker threads (0 = rayon's default: one per core).
    pub threads: usize,
}

/// A fitted parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FittedParameter {
    /// Name (`[[calibration.parameters]] name`).
    pub name: String,
    /// Scenario keys it sets.
    pub keys: Vec<String>,
    /// Estimate θ̂.
    pub value: f64,
    /// Standard error; `None` when the moments do not identify it.
    pub se: Option<f64>,
    /// Lower bound of the search (`[[calibration.parameters]] lo`), the parameter's unit.
    pub lo: f64,
    /// Upper bound of the search (`hi`), the parameter's unit.
    pub hi: f64,
    /// The estimate sits on a bound of the search (the fit wants to go further).
    pub at_bound: bool,
}

/// A target and its fitted moment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FittedMoment {
    /// Metric name.
    pub metric: String,
    /// Observed value.
    pub target: f64,
    /// Its uncertainty (sd).
    pub sd: f64,
    /// Mean over the runs at θ̂.
    pub simulated: f64,
    /// Standard deviation across the runs at θ̂.
    pub simulated_sd: f64,
    /// Where the target comes from.
    pub source: String,
}

/// The result of a calibration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fit {
    /// Scenario name.
    pub scenario: String,
    /// Fitted parameters, `[calibration]` order.
    pub parameters: Vec<FittedParameter>,
    /// Targets and moments at θ̂, `[calibration]` order.
    pub moments: Vec<FittedMoment>,
    /// `J(θ̂)`.
    pub objective: f64,
    /// Points evaluated.
    pub points: usize,
    /// Simulations run.
    pub runs: usize,
    /// Master seed (`--seed`, default the scenario's `seed`).
    pub master_seed: u64,
    /// Seeds of the runs of every point.
    pub seeds: Vec<u64>,
    /// Jacobian `∂m̄_j/∂θ_p` at θ̂ (rows: moments, columns: parameters), metric units per
    /// parameter unit.
    pub jacobian: Vec<Vec<f64>>,
}

/// How a target's metric is read from a run.
#[derive(Debug, Clone)]
enum Metric {
    /// A sweep path column, by index.
    Column(usize),
    /// Hours at or above a utilization threshold of one reserve.
    HoursAtOrAbove { reserve: String, threshold: f64 },
}

/// The fixed inputs of every evaluation.
struct Problem<'a> {
    cal: &'a Calibration,
    base_doc: DocumentMut,
    loader: Loader,
    layout: Layout,
    metrics: Vec<Metric>,
    seeds: Vec<u64>,
    series: bool,
    hours_per_block: f64,
}

/// Fits `base`'s `[calibration]` (loaded from `file`; `None` for an embedded scenario).
/// `progress(done, total)` is called after each batch of points.
///
/// # Errors
/// [`SweepError::BadInput`] when the scenario has no `[calibration]`, a metric is unknown or
/// undefined in a run, a key cannot be set, or an overridden scenario fails validation.
pub fn calibrate(
    base: &LoadedScenario,
    file: Option<&Path>,
    cfg: &CalibrateConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Fit> {
    let cal = base.scenario.calibration.as_ref().ok_or_else(|| {
        SweepError::bad(format!(
            "{}: expected a [calibration] section (targets and parameters) to fit",
            base.origin
        ))
    })?;
    check_config(cfg)?;
    let problem = Problem::new(base, file, cal, cfg)?;
    let pool = crate::run::thread_pool(cfg.threads)?;
    pool.install(|| search(&problem, cfg, base, progress))
}

fn check_config(cfg: &CalibrateConfig) -> Result<()> {
    if cfg.seeds < 2 {
        return Err(SweepError::bad(format!(
            "--seeds: expected at least 2 runs per point (standard errors need their spread), found {}",
            cfg.seeds
        )));
    }
    if cfg.grid < 2 {
        return Err(SweepError::bad(format!(
            "--grid: expected at least 2 points per parameter, found {}",
            cfg.grid
        )));
    }
    Ok(())
}

impl<'a> Problem<'a> {
    fn new(
        base: &LoadedScenario,
        file: Option<&Path>,
        cal: &'a Calibration,
        cfg: &CalibrateConfig,
    ) -> Result<Self> {
        let layout = Layout::new(base, Vec::new());
        let metrics = cal
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| parse_metric(&t.metric, &layout, i))
            .collect::<Result<Vec<_>>>()?;
        let base_doc: DocumentMut = base
            .text
            .parse()
            .map_err(|e| SweepError::bad(format!("{}: {e}", base.origin)))?;
        let master = cfg.seed.unwrap_or(base.scenario.scenario.seed);
        let seeds = seeds(&base_doc, master, cfg.seeds);
        let series = metrics
            .iter()
            .any(|m| matches!(m, Metric::HoursAtOrAbove { .. }));
        Ok(Self {
            cal,
            base_doc,
            loader: Loader::new(base, file)?,
            layout,
            metrics,
            seeds,
            series,
            hours_per_block: base.scenario.chain.block_time_s as f64 / 3600.0,
        })
    }

    /// Parameter values at unit coordinates `u` ∈ [0, 1]^k.
    fn theta(&self, u: &[f64]) -> Vec<f64> {
        (self.cal.parameters.iter().zip(u))
            .map(|(p, &x)| {
                if p.log {
                    (p.lo.ln() + x * (p.hi.ln() - p.lo.ln())).exp()
                } else {
                    p.lo + x * (p.hi - p.lo)
                }
            })
            .collect()
    }

    /// The scenario with the parameters set to `theta`, validated.
    fn scenario_at(&self, theta: &[f64]) -> Result<LoadedScenario> {
        let mut doc = self.base_doc.clone();
        for (p, &v) in self.cal.parameters.iter().zip(theta) {
            for k in &p.keys {
                keys::set(&mut doc, k, &Val::Num(v)).map_err(|e| {
                    SweepError::bad(format!("calibration.parameters `{}`: {e}", p.name))
                })?;
            }
        }
        let shown: Vec<String> = (self.cal.parameters.iter().zip(theta))
            .map(|(p, v)| format!("{}={v}", p.name))
            .collect();
        self.loader.load(&doc.to_string(), &shown.join(", "))
    }

    /// The moments of one run.
    fn moments(&self, r: &RunResult, seed: u64, theta: &[f64]) -> Result<Vec<f64>> {
        let row = self.layout.row(0, 0, seed, r, &[], &[]);
        (self.metrics.iter().zip(&self.cal.targets))
            .map(|(m, t)| {
                let v = match m {
                    Metric::Column(i) => row.values[*i],
                    Metric::HoursAtOrAbove { reserve, threshold } => Some(
                        r.reserve_series
                            .iter()
                            .filter(|x| &x.reserve == reserve && x.utilization >= *threshold)
                            .count() as f64
                            * self.hours_per_block,
                    ),
                };
                v.ok_or_else(|| {
                    SweepError::bad(format!(
                        "calibration.targets `{}`: undefined in the run with seed {seed} at {theta:?}",
                        t.metric
                    ))
                })
            })
            .collect()
    }

    /// Runs one (point, seed) pair.
    fn run(&self, sc: &LoadedScenario, theta: &[f64], seed: u64) -> Result<Vec<f64>> {
        let opts = SimOptions {
            record_series: self.series,
        };
        let r = bankrun_engine::simulate_with(sc, seed, opts, &mut |_, _| {})
            .map_err(|e| SweepError::bad(format!("{}: {e} (at {theta:?})", sc.origin)))?;
        self.moments(&r, seed, theta)
    }

    /// Moments of every run (rows: seeds) at each point of `us`, in parallel over all
    /// (point, seed) pairs; results in input order.
    fn evaluate(&self, us: &[Vec<f64>]) -> Result<Vec<Vec<Vec<f64>>>> {
        let thetas: Vec<Vec<f64>> = us.iter().map(|u| self.theta(u)).collect();
        let scenarios = thetas
            .par_iter()
            .map(|t| self.scenario_at(t))
            .collect::<Result<Vec<_>>>()?;
        let n = self.seeds.len();
        let flat = (0..us.len() * n)
            .into_par_iter()
            .map(|i| self.run(&scenarios[i / n], &thetas[i / n], self.seeds[i % n]))
            .collect::<Result<Vec<_>>>()?;
        Ok(flat.chunks(n).map(|c| c.to_vec()).collect())
    }

    fn objective(&self, runs: &[Vec<f64>]) -> f64 {
        let m = mean_rows(runs);
        (self.cal.targets.iter().zip(&m))
            .map(|(t, x)| ((x - t.value) / t.sd).powi(2))
            .sum()
    }
}

/// The `n` run seeds of a calibration of the scenario `doc` under master seed `master`: path
/// seeds ([`crate::seed::path_seed`]) of the scenario's text without its `[calibration]`
/// section, so that changing a target or a search bound keeps the runs.
pub fn seeds(doc: &DocumentMut, master: u64, n: u64) -> Vec<u64> {
    let mut d = doc.clone();
    d.remove("calibration");
    let hash = scenario_hash(&d.to_string());
    (0..n).map(|i| path_seed(hash, master, i)).collect()
}

/// Reads a target's metric name.
fn parse_metric(name: &str, layout: &Layout, i: usize) -> Result<Metric> {
    if let Some(c) = layout.col(name) {
        return Ok(Metric::Column(c));
    }
    for r in &layout.reserves {
        let Some(rest) = name.strip_prefix(&format!("{r}_hours_ge_")) else {
            continue;
        };
        if let Some(p) = rest.strip_suffix("pct")
            && let Ok(p) = p.parse::<f64>()
            && (0.0..=100.0).contains(&p)
        {
            return Ok(Metric::HoursAtOrAbove {
                reserve: r.clone(),
                threshold: p / 100.0,
            });
        }
    }
    Err(SweepError::bad(format!(
        "calibration.targets[{i}].metric: expected a sweep metric column (e.g. {}) or `<reserve>_hours_ge_<P>pct`, found `{name}`",
        layout
            .columns
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

fn mean_rows(runs: &[Vec<f64>]) -> Vec<f64> {
    let n = runs.len().max(1) as f64;
    let k = runs.first().map_or(0, Vec::len);
    (0..k)
        .map(|j| runs.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect()
}

/// Every point of a grid with `n` values per axis in `[lo, hi]` (clamped to [0, 1]), in
/// lexicographic order (first axis slowest).
fn grid(centre: &[f64], half_width: f64, n: u32, full: bool) -> Vec<Vec<f64>> {
    let axis = |c: f64| -> Vec<f64> {
        let mut v: Vec<f64> = (0..n)
            .map(|i| {
                if full {
                    i as f64 / (n - 1) as f64
                } else {
                    (c - half_width + 2.0 * half_width * i as f64 / (n - 1) as f64).clamp(0.0, 1.0)
                }
            })
            .collect();
        // Clamping at a bound repeats a value: each point once.
        v.dedup();
        v
    };
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for &c in centre {
        let values = axis(c);
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// The best point so far: objective, unit coordinates, the moments of its runs.
type Best = (f64, Vec<f64>, Vec<Vec<f64>>);

fn search(
    problem: &Problem<'_>,
    cfg: &CalibrateConfig,
    base: &LoadedScenario,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Fit> {
    let k = problem.cal.parameters.len();
    let first = grid(&vec![0.5; k], 0.5, cfg.grid, true);
    let per_round = 3usize.pow(k as u32);
    let total = first.len() + per_round * cfg.refine as usize + 2 * k;
    let mut done = 0;
    let mut best: Option<Best> = None;
    let mut points = 0;
    let consider = |us: Vec<Vec<f64>>, best: &mut Option<Best>| {
        let runs = problem.evaluate(&us)?;
        for (u, r) in us.into_iter().zip(runs) {
            let j = problem.objective(&r);
            if best.as_ref().is_none_or(|(b, _, _)| j < *b) {
                *best = Some((j, u, r));
            }
        }
        Ok::<(), SweepError>(())
    };
    points += first.len();
    done += first.len();
    consider(first, &mut best)?;
    progress(done, total);
    let mut step = 1.0 / (cfg.grid - 1) as f64;
    for _ in 0..cfg.refine {
        step /= 2.0;
        let centre = best.as_ref().map(|b| b.1.clone()).unwrap_or_default();
        let round = grid(&centre, step, 3, false);
        points += round.len();
        done += per_round;
        consider(round, &mut best)?;
        progress(done, total);
    }
    let Some((objective, u_hat, runs_hat)) = best else {
        return Err(SweepError::bad("calibration: no point evaluated"));
    };
    let (jacobian, jac_points) = jacobian(problem, &u_hat, step)?;
    points += jac_points;
    progress(total, total);
    let se = standard_errors(problem, &jacobian, &runs_hat);
    let theta = problem.theta(&u_hat);
    let means = mean_rows(&runs_hat);
    let sds = sd_rows(&runs_hat, &means);
    Ok(Fit {
        scenario: base.scenario.scenario.name.clone(),
        parameters: (problem.cal.parameters.iter().enumerate())
            .map(|(p, x)| FittedParameter {
                name: x.name.clone(),
                keys: x.keys.clone(),
                value: theta[p],
                se: se.as_ref().and_then(|s| s[p]),
                lo: x.lo,
                hi: x.hi,
                at_bound: u_hat[p] <= 0.0 || u_hat[p] >= 1.0,
            })
            .collect(),
        moments: (problem.cal.targets.iter().enumerate())
            .map(|(j, t)| FittedMoment {
                metric: t.metric.clone(),
                target: t.value,
                sd: t.sd,
                simulated: means[j],
                simulated_sd: sds[j],
                source: t.source.clone(),
            })
            .collect(),
        objective,
        points,
        runs: points * problem.seeds.len(),
        master_seed: cfg.seed.unwrap_or(base.scenario.scenario.seed),
        seeds: problem.seeds.clone(),
        jacobian,
    })
}

fn sd_rows(runs: &[Vec<f64>], means: &[f64]) -> Vec<f64> {
    let n = runs.len();
    (0..means.len())
        .map(|j| {
            let ss: f64 = runs.iter().map(|r| (r[j] - means[j]).powi(2)).sum();
            (ss / (n.saturating_sub(1)).max(1) as f64).sqrt()
        })
        .collect()
}

/// `∂m̄/∂θ` at `u_hat` by central differences of half-width `h` in unit coordinates
/// (one-sided at a bound), in natural units. Returns the Jacobian and the points run.
fn jacobian(problem: &Problem<'_>, u_hat: &[f64], h: f64) -> Result<(Vec<Vec<f64>>, usize)> {
    let k = u_hat.len();
    let mut us = Vec::with_capacity(2 * k);
    for p in 0..k {
        let mut lo = u_hat.to_vec();
        let mut hi = u_hat.to_vec();
        lo[p] = (u_hat[p] - h).max(0.0);
        hi[p] = (u_hat[p] + h).min(1.0);
        us.push(lo);
        us.push(hi);
    }
    let runs = problem.evaluate(&us)?;
    let m: Vec<Vec<f64>> = runs.iter().map(|r| mean_rows(r)).collect();
    let n_moments = problem.cal.targets.len();
    let mut g = vec![vec![0.0; k]; n_moments];
    for p in 0..k {
        let t_lo = problem.theta(&us[2 * p])[p];
        let t_hi = problem.theta(&us[2 * p + 1])[p];
        for (j, row) in g.iter_mut().enumerate() {
            row[p] = (m[2 * p + 1][j] - m[2 * p][j]) / (t_hi - t_lo);
        }
    }
    Ok((g, us.len()))
}

/// The sandwich standard errors (module docs, step 5); `None` overall when `GᵀWG` is
/// singular, and per parameter `None` when its variance is not positive.
fn standard_errors(
    problem: &Problem<'_>,
    g: &[Vec<f64>],
    runs_hat: &[Vec<f64>],
) -> Option<Vec<Option<f64>>> {
    let sd: Vec<f64> = problem.cal.targets.iter().map(|t| t.sd).collect();
    let r = runs_hat.len() as f64;
    let means = mean_rows(runs_hat);
    let m = sd.len();
    // Ω = diag(sd²) + S / R.
    let mut omega = vec![vec![0.0; m]; m];
    for a in 0..m {
        for b in 0..m {
            let s: f64 = runs_hat
                .iter()
                .map(|x| (x[a] - means[a]) * (x[b] - means[b]))
                .sum::<f64>()
                / (r - 1.0).max(1.0);
            omega[a][b] = s / r + if a == b { sd[a] * sd[a] } else { 0.0 };
        }
    }
    sandwich(g, &sd, &omega)
}

/// `(GᵀWG)⁻¹ GᵀW Ω W G (GᵀWG)⁻¹` with `W = diag(1/sd²)`; the square roots of its diagonal.
fn sandwich(g: &[Vec<f64>], sd: &[f64], omega: &[Vec<f64>]) -> Option<Vec<Option<f64>>> {
    let m = g.len();
    let k = g.first().map_or(0, Vec::len);
    // WG: rows scaled by 1/sd².
    let wg: Vec<Vec<f64>> = (0..m)
        .map(|j| g[j].iter().map(|x| x / (sd[j] * sd[j])).collect())
        .collect();
    let gtwg: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| (0..m).map(|j| g[j][a] * wg[j][b]).sum())
                .collect()
        })
        .collect();
    let bread = invert(&gtwg)?;
    let meat: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    (0..m)
                        .map(|i| {
                            (0..m)
                                .map(|j| wg[i][a] * omega[i][j] * wg[j][b])
                                .sum::<f64>()
                        })
                        .sum()
                })
                .collect()
        })
        .collect();
    let v = mat_mul(&mat_mul(&bread, &meat), &bread);
    Some(
        (0..k)
            .map(|p| (v[p][p] > 0.0 && v[p][p].is_finite()).then(|| v[p][p].sqrt()))
            .collect(),
    )
}

fn mat_mul(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..n)
                .map(|c| row.iter().zip(b).map(|(x, br)| x * br[c]).sum())
                .collect()
        })
        .collect()
}

/// Gauss–Jordan inverse with partial pivoting; `None` when singular (a pivot below 1e-12 of
/// the matrix's largest entry).
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0f64, |s, x| s.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))?;
        if m[p][c].abs() < 1e-12 * scale || !m[p][c].is_finite() {
            return None;
        }
        m.swap(c, p);
        let d = m[c][c];
        for x in m[c].iter_mut() {
            *x /= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[r][c];
                let pivot_row = m[c].clone();
                for (x, y) in m[r].iter_mut().zip(pivot_row) {
                    *x -= f * y;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_known_matrix() {
        let a = vec![vec![4.0, 7.0], vec![2.0, 6.0]];
        let inv = invert(&a).expect("invertible");
        let id = mat_mul(&a, &inv);
        for (i, row) in id.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((x - want).abs() < 1e-12, "{id:?}");
            }
        }
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    /// For a linear model m = G θ, exactly identified, with W = Ω⁻¹, the sandwich reduces to
    /// G⁻¹ Ω G⁻ᵀ: one moment per parameter, SE_p = sd_p / |g_pp| for diagonal G.
    #[test]
    fn sandwich_of_an_exactly_identified_diagonal_model() {
        let g = vec![vec![2.0, 0.0], vec![0.0, 0.5]];
        let sd = [0.1, 3.0];
        let omega = vec![vec![0.01, 0.0], vec![0.0, 9.0]];
        let se = sandwich(&g, &sd, &omega).expect("identified");
        assert!((se[0].unwrap() - 0.05).abs() < 1e-12);
        assert!((se[1].unwrap() - 6.0).abs() < 1e-12);
        // A parameter no moment moves is not identified.
        let flat = vec![vec![2.0, 0.0], vec![0.0, 0.0]];
        assert!(sandwich(&flat, &sd, &omega).is_none());
    }

    #[test]
    fn grids_cover_the_box_and_stay_inside_it() {
        let full = grid(&[0.5, 0.5], 0.5, 3, true);
        assert_eq!(full.len(), 9);
        assert_eq!(full[0], vec![0.0, 0.0]);
        assert_eq!(full[8], vec![1.0, 1.0]);
        let local = grid(&[1.0, 0.2], 0.1, 3, false);
        assert_eq!(local.len(), 6, "{local:?}");
        assert!(local.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
        assert!(local.contains(&vec![1.0, 0.2]));
    }
}
