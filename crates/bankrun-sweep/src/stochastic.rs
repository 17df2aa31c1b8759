//! Realising the `[stochastic]` section for one path: price processes into the feeds' market
//! price paths, and parameter draws.
//!
//! Random streams (all `bankrun_chain::rng::stream(path_seed, name)`):
//! * `sweep.prices` — the standard normal shocks, one per process per step, drawn in
//!   `[[stochastic.prices]]` order and correlated through the Cholesky factor of
//!   `[stochastic.correlation]`;
//! * `sweep.prices.<feed>` — that feed's jumps (`merton`) or regime switches (`regime`);
//! * `sweep.parameters` — the `[[stochastic.parameters]]` draws, in list order.
//!
//! Discretisation: the path is sampled every `step_s` seconds from the scenario start (the
//! last point at or after the end); GBM and Merton use the exact log-normal step, OU the exact
//! Gaussian transition, and a regime switch happens at most once per step with probability
//! `1 − exp(−step / mean_duration)`. A path starts at the feed's price at the start.

use bankrun_chain::prices::PricePath;
use bankrun_scenario::{
    Correlation, DrawDistribution, LoadedScenario, ParameterDraw, PriceModel, PriceProcess,
    Stochastic,
};
use rand::RngExt;
use rand_distr::{Poisson, StandardNormal};

use crate::error::{Result, SweepError};

/// Seconds per year (365 days), the unit of the annualised parameters.
pub const YEAR_S: f64 = 365.0 * 86_400.0;

/// Lower-triangular Cholesky factor of a symmetric positive definite matrix.
///
/// # Errors
/// A message when the matrix is not positive definite.
pub fn cholesky(m: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = m[i][j];
            sum -= l[i][..j]
                .iter()
                .zip(&l[j][..j])
                .map(|(a, b)| a * b)
                .sum::<f64>();
            if i == j {
                if sum <= 0.0 {
                    return Err(format!("not positive definite (pivot {i} = {sum})"));
                }
                l[i][i] = sum.sqrt();
            } else {
                l[i][j] = sum / l[j][j];
            }
        }
    }
    Ok(l)
}

/// What one realised feed did (for the path rows): min and final price relative to the start.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedOutcome {
    /// Feed name.
    pub feed: String,
    /// Lowest price of the path / start price.
    pub min_ratio: f64,
    /// Last price / start price.
    pub end_ratio: f64,
}

struct ProcState<'a> {
    p: &'a PriceProcess,
    x: f64,
    x0: f64,
    regime: usize,
    rng: rand_chacha::ChaCha8Rng,
    points: Vec<(i64, f64)>,
    min_x: f64,
}

/// Replaces the market price path of every feed with a `[[stochastic.prices]]` process by a
/// realisation for `path_seed`. Returns one outcome per process, in list order.
///
/// # Errors
/// [`SweepError::BadInput`] when a process names a feed the scenario does not load or the
/// correlation matrix cannot be factorised (both are also caught by scenario validation).
pub fn realise_prices(
    s: &mut LoadedScenario,
    st: &Stochastic,
    path_seed: u64,
) -> Result<Vec<FeedOutcome>> {
    if st.prices.is_empty() {
        return Ok(Vec::new());
    }
    let dt_s = st.step_s.max(1);
    let dt = dt_s as f64 / YEAR_S;
    let steps = ((s.end_unix - s.start_unix).max(0) as u64).div_ceil(dt_s);
    let mut procs = Vec::with_capacity(st.prices.len());
    for p in &st.prices {
        let path = s.feeds.get(&p.feed).ok_or_else(|| {
            SweepError::bad(format!(
                "{}: `stochastic.prices`: expected a loaded feed, found `{}`",
                s.origin, p.feed
            ))
        })?;
        let p0 = path.price_at(s.start_unix);
        let x0 = p0.ln();
        procs.push(ProcState {
            p,
            x: x0,
            x0,
            regime: 0,
            rng: bankrun_chain::rng::stream(path_seed, &format!("sweep.prices.{}", p.feed)),
            points: vec![(s.start_unix, p0)],
            min_x: x0,
        });
    }
    let (corr_idx, chol) = correlation(st.correlation.as_ref(), &st.prices)?;
    let mut shocks = bankrun_chain::rng::stream(path_seed, "sweep.prices");
    let mut z = vec![0.0_f64; procs.len()];
    let mut eps = vec![0.0_f64; procs.len()];
    let poisson: Vec<Option<Poisson<f64>>> = procs
        .iter()
        .map(|ps| match (ps.p.model, ps.p.jump_intensity) {
            (PriceModel::Merton, Some(l)) if l * dt > 0.0 => Poisson::new(l * dt).ok(),
            _ => None,
        })
        .collect();
    for k in 1..=steps {
        for zi in z.iter_mut() {
            *zi = shocks.sample(StandardNormal);
        }
        eps.copy_from_slice(&z);
        for (a, &ia) in corr_idx.iter().enumerate() {
            eps[ia] = (0..=a).map(|b| chol[a][b] * z[corr_idx[b]]).sum();
        }
        for (i, ps) in procs.iter_mut().enumerate() {
            let p = ps.p;
            let e = eps[i];
            let sigma = p.sigma.unwrap_or(0.0);
            match p.model {
                PriceModel::Gbm => {
                    let mu = p.mu.unwrap_or(0.0);
                    ps.x += (mu - 0.5 * sigma * sigma) * dt + sigma * dt.sqrt() * e;
                }
                PriceModel::Merton => {
                    let mu = p.mu.unwrap_or(0.0);
                    let lambda = p.jump_intensity.unwrap_or(0.0);
                    let (jm, js) = (p.jump_mean.unwrap_or(0.0), p.jump_sd.unwrap_or(0.0));
                    let kappa = (jm + 0.5 * js * js).exp() - 1.0;
                    ps.x +=
                        (mu - 0.5 * sigma * sigma - lambda * kappa) * dt + sigma * dt.sqrt() * e;
                    if let Some(po) = &poisson[i] {
                        let n = ps.rng.sample(po) as u64;
                        for _ in 0..n {
                            let j: f64 = ps.rng.sample(StandardNormal);
                            ps.x += jm + js * j;
                        }
                    }
                }
                PriceModel::Ou => {
                    let theta = p.theta.unwrap_or(1.0);
                    let m = p.mean_usd.map_or(ps.x0, f64::ln);
                    let a = (-theta * dt).exp();
                    let sd = sigma * ((1.0 - a * a) / (2.0 * theta)).sqrt();
                    ps.x = m + (ps.x - m) * a + sd * e;
                }
                PriceModel::Regime => {
                    let r = &p.regimes[ps.regime];
                    let p_switch = 1.0 - (-(dt_s as f64 / 3600.0) / r.mean_duration_hours).exp();
                    let u: f64 = ps.rng.random();
                    if u < p_switch {
                        ps.regime = (ps.regime + 1) % p.regimes.len();
                    }
                    let r = &p.regimes[ps.regime];
                    ps.x += (r.mu - 0.5 * r.sigma * r.sigma) * dt + r.sigma * dt.sqrt() * e;
                }
            }
            ps.x = ps.x.clamp(-700.0, 700.0);
            ps.min_x = ps.min_x.min(ps.x);
            ps.points
                .push((s.start_unix + (k * dt_s) as i64, ps.x.exp()));
        }
    }
    let mut out = Vec::with_capacity(procs.len());
    for ps in procs {
        let end_x = ps.x;
        let path = PricePath::from_points(ps.points).map_err(|e| {
            SweepError::bad(format!(
                "{}: stochastic price path of `{}`: {e}",
                s.origin, ps.p.feed
            ))
        })?;
        s.feeds.insert(ps.p.feed.clone(), path);
        out.push(FeedOutcome {
            feed: ps.p.feed.clone(),
            min_ratio: (ps.min_x - ps.x0).exp(),
            end_ratio: (end_x - ps.x0).exp(),
        });
    }
    Ok(out)
}

/// Positions (in `prices`) of the correlated processes and the Cholesky factor.
fn correlation(
    c: Option<&Correlation>,
    prices: &[PriceProcess],
) -> Result<(Vec<usize>, Vec<Vec<f64>>)> {
    let Some(c) = c else {
        return Ok((Vec::new(), Vec::new()));
    };
    let idx = c
        .feeds
        .iter()
        .map(|f| {
            prices.iter().position(|p| &p.feed == f).ok_or_else(|| {
                SweepError::bad(format!(
                    "`stochastic.correlation.feeds`: expected a feed with a price process, found `{f}`"
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let l = cholesky(&c.matrix)
        .map_err(|e| SweepError::bad(format!("`stochastic.correlation.matrix`: {e}")))?;
    Ok((idx, l))
}

/// Draws every parameter of `draws` for `path_seed`, in list order: (key, value).
pub fn draw_parameters(draws: &[ParameterDraw], path_seed: u64) -> Vec<(String, f64)> {
    let mut rng = bankrun_chain::rng::stream(path_seed, "sweep.parameters");
    draws
        .iter()
        .map(|d| {
            let v = match d.dist {
                DrawDistribution::Normal => {
                    let z: f64 = rng.sample(StandardNormal);
                    d.mean.unwrap_or(0.0) + d.sd.unwrap_or(0.0) * z
                }
                DrawDistribution::Lognormal => {
                    let z: f64 = rng.sample(StandardNormal);
                    (d.mu.unwrap_or(0.0) + d.sigma.unwrap_or(0.0) * z).exp()
                }
                DrawDistribution::Uniform => {
                    let u: f64 = rng.random();
                    let (lo, hi) = (d.lo.unwrap_or(0.0), d.hi.unwrap_or(0.0));
                    lo + (hi - lo) * u
                }
            };
            (d.key.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reconstructs() {
        let m = vec![vec![1.0, 0.6], vec![0.6, 1.0]];
        let l = cholesky(&m).unwrap();
        assert!((l[1][0] - 0.6).abs() < 1e-15);
        assert!((l[1][1] - 0.8).abs() < 1e-15);
        assert!(cholesky(&[vec![1.0, 1.2], vec![1.2, 1.0]]).is_err());
    }

    #[test]
    fn draws_follow_their_distributions() {
        let d = ParameterDraw {
            key: "k".into(),
            dist: DrawDistribution::Uniform,
            mean: None,
            sd: None,
            mu: None,
            sigma: None,
            lo: Some(2.0),
            hi: Some(3.0),
        };
        let v: Vec<f64> = (0..2000)
            .map(|i| draw_parameters(std::slice::from_ref(&d), i)[0].1)
            .collect();
        assert!(v.iter().all(|x| (2.0..3.0).contains(x)));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean - 2.5).abs() < 0.03, "{mean}");
        assert_eq!(
            draw_parameters(std::slice::from_ref(&d), 5),
            draw_parameters(std::slice::from_ref(&d), 5)
        );
    }
}
