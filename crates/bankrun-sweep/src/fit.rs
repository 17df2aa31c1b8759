//! `bankrun fit`: estimates price-process parameters from a price CSV and writes them as a
//! `[[stochastic.prices]]` entry.
//!
//! Input: a CSV with a header; the time column is the first column (unix seconds, RFC 3339 or
//! `YYYY-MM-DD`), the price column is `--column` (default `price_usd`, else the first column
//! whose name starts with `price`). Rows with an empty or non-positive price are skipped (and
//! counted). The step Δ is the median spacing of the timestamps; returns are log returns
//! `r_i = ln(p_i / p_{i−1})`, treated as equally spaced at Δ (years of 365 days).
//!
//! Estimators:
//! * `gbm` — maximum likelihood: `sigma = sd(r)/√Δ`, `mu = mean(r)/Δ + sigma²/2`.
//! * `merton` — threshold (Mancini 2009) separation: returns more than 4 robust sd
//!   (1.4826 × MAD) from the median are jumps, iterated three times; `sigma` from the other
//!   returns, `jump_intensity` = jumps / years, `jump_mean`, `jump_sd` = mean / sd of the jump
//!   returns less the diffusive mean; `mu` from the mean of all returns with the jump
//!   compensator. Jumps smaller than about 4 diffusive sd of one step are not separable and
//!   bias the estimates (fewer, larger jumps); prefer a fine sampling step.
//! * `ou` — exact AR(1) regression of `x = ln p`: `x_{i+1} = a + b x_i + e`;
//!   `theta = −ln b / Δ`, `mean_usd = exp(a / (1 − b))`, `sigma = sd(e) √(2 theta / (1 − b²))`.
//!   Needs 0 < b < 1 (mean reversion).
//! * `regime` — a two-state Gaussian hidden Markov model of the returns fitted by EM
//!   (Baum–Welch, 200 iterations max); regimes ordered by volatility (calm first); `mu` and
//!   `sigma` annualised as for GBM; `mean_duration_hours = Δ_hours / (1 − p_stay)`.

use std::fmt::Write as _;

use crate::error::{Result, SweepError};

/// A model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitModel {
    /// Geometric Brownian motion.
    Gbm,
    /// Merton jump-diffusion.
    Merton,
    /// Ornstein–Uhlenbeck on the log price.
    Ou,
    /// Two-regime switching GBM.
    Regime,
}

/// A loaded price series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Unix seconds.
    pub t: Vec<i64>,
    /// Prices.
    pub p: Vec<f64>,
    /// Rows skipped (empty / non-positive price).
    pub skipped: usize,
    /// The price column used.
    pub column: String,
}

/// Reads a price CSV (`file` names it in messages) with the one price-CSV reader
/// ([`bankrun_chain::prices::read_loose_series`]): `column`, or `price_usd`, or the first
/// `price…` column; empty or non-positive prices are skipped.
///
/// # Errors
/// [`SweepError::BadInput`] naming file, line and column; fewer than 10 prices.
pub fn read_series(text: &str, file: &str, column: Option<&str>) -> Result<Series> {
    let s = bankrun_chain::prices::read_loose_series(text, file, column).map_err(|e| {
        // A header without the price column: the command's `--column` picks one.
        let hint = if e.line == 1 && e.column.is_empty() {
            " (name the price column with `--column`)"
        } else {
            ""
        };
        SweepError::bad(format!("{e}{hint}"))
    })?;
    let (t, p): (Vec<i64>, Vec<f64>) = s.path.points().iter().copied().unzip();
    if p.len() < 10 {
        return Err(SweepError::bad(format!(
            "{file}: expected at least 10 prices, found {}",
            p.len()
        )));
    }
    Ok(Series {
        t,
        p,
        skipped: s.skipped,
        column: s.column,
    })
}

/// Fitted parameters, as (key, value) in the order they are written.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Model.
    pub model: FitModel,
    /// Scalar keys.
    pub params: Vec<(&'static str, f64)>,
    /// Regimes (mu, sigma, mean_duration_hours) for `regime`.
    pub regimes: Vec<(f64, f64, f64)>,
    /// Step Δ, seconds.
    pub step_s: f64,
    /// Returns used.
    pub n_returns: usize,
}

impl Fit {
    /// A parameter.
    pub fn get(&self, k: &str) -> Option<f64> {
        self.params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len().max(1) as f64
}

fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len().saturating_sub(1)).max(1) as f64)
        .sqrt()
}

fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Fits `model` to a series.
///
/// # Errors
/// [`SweepError::BadInput`] when the series does not support the model (e.g. no mean
/// reversion for `ou`).
pub fn fit(s: &Series, model: FitModel) -> Result<Fit> {
    let mut gaps: Vec<f64> = s.t.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    gaps.sort_by(f64::total_cmp);
    let step_s = gaps[gaps.len() / 2];
    let dt = step_s / crate::stochastic::YEAR_S;
    let r: Vec<f64> = s.p.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    let n = r.len();
    let mut out = Fit {
        model,
        params: Vec::new(),
        regimes: Vec::new(),
        step_s,
        n_returns: n,
    };
    match model {
        FitModel::Gbm => {
            let sigma = sd(&r) / dt.sqrt();
            let mu = mean(&r) / dt + 0.5 * sigma * sigma;
            out.params = vec![("mu", mu), ("sigma", sigma)];
        }
        FitModel::Merton => {
            let mut jump = vec![false; n];
            for _ in 0..3 {
                let diff: Vec<f64> = r
                    .iter()
                    .zip(&jump)
                    .filter(|(_, j)| !**j)
                    .map(|(x, _)| *x)
                    .collect();
                let med = median(&diff);
                let mad: Vec<f64> = diff.iter().map(|x| (x - med).abs()).collect();
                let rsd = 1.4826 * median(&mad);
                for (i, x) in r.iter().enumerate() {
                    jump[i] = (x - med).abs() > 4.0 * rsd;
                }
            }
            let diff: Vec<f64> = r
                .iter()
                .zip(&jump)
                .filter(|(_, j)| !**j)
                .map(|(x, _)| *x)
                .collect();
            let jumps_raw: Vec<f64> = r
                .iter()
                .zip(&jump)
                .filter(|(_, j)| **j)
                .map(|(x, _)| *x)
                .collect();
            let dmean = mean(&diff);
            let sigma = sd(&diff) / dt.sqrt();
            let years = n as f64 * dt;
            let lambda = jumps_raw.len() as f64 / years;
            let js: Vec<f64> = jumps_raw.iter().map(|x| x - dmean).collect();
            let (jm, jsd) = if js.is_empty() {
                (0.0, 0.0)
            } else {
                (mean(&js), if js.len() > 1 { sd(&js) } else { 0.0 })
            };
            let kappa = (jm + 0.5 * jsd * jsd).exp() - 1.0;
            // E[r] = (mu − σ²/2 − λκ) Δ + λ Δ jm.
            let mu = (mean(&r) - lambda * dt * jm) / dt + 0.5 * sigma * sigma + lambda * kappa;
            out.params = vec![
                ("mu", mu),
                ("sigma", sigma),
                ("jump_intensity", lambda),
                ("jump_mean", jm),
                ("jump_sd", jsd),
            ];
        }
        FitModel::Ou => {
            let x: Vec<f64> = s.p.iter().map(|p| p.ln()).collect();
            let (x0, x1) = (&x[..n], &x[1..]);
            let (m0, m1) = (mean(x0), mean(x1));
            let cov: f64 = x0.iter().zip(x1).map(|(a, b)| (a - m0) * (b - m1)).sum();
            let var: f64 = x0.iter().map(|a| (a - m0) * (a - m0)).sum();
            let b = cov / var;
            if !(b > 0.0 && b < 1.0) {
                return Err(SweepError::bad(format!(
                    "fit ou: expected mean reversion (AR(1) coefficient in (0, 1)), found {b:.6}; try gbm"
                )));
            }
            let a = m1 - b * m0;
            let e: Vec<f64> = x0.iter().zip(x1).map(|(u, v)| v - a - b * u).collect();
            let theta = -b.ln() / dt;
            let sigma = sd(&e) * (2.0 * theta / (1.0 - b * b)).sqrt();
            out.params = vec![
                ("theta", theta),
                ("sigma", sigma),
                ("mean_usd", (a / (1.0 - b)).exp()),
            ];
        }
        FitModel::Regime => {
            let (m, v, p) = hmm2(&r);
            let mut idx = [0usize, 1];
            idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
            for &k in &idx {
                let sigma = v[k].sqrt() / dt.sqrt();
                let mu = m[k] / dt + 0.5 * sigma * sigma;
                let stay = p[k][k].min(1.0 - 1e-12);
                out.regimes
                    .push((mu, sigma, step_s / 3600.0 / (1.0 - stay)));
            }
        }
    }
    Ok(out)
}

fn npdf(x: f64, m: f64, v: f64) -> f64 {
    (-(x - m) * (x - m) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
}

/// EM for a two-state Gaussian HMM: (means, variances, transition matrix).
fn hmm2(r: &[f64]) -> ([f64; 2], [f64; 2], [[f64; 2]; 2]) {
    let n = r.len();
    let s = sd(r);
    let mu = mean(r);
    let mut m = [mu, mu];
    let mut v = [(0.5 * s).powi(2), (2.0 * s).powi(2)];
    let mut p = [[0.95, 0.05], [0.05, 0.95]];
    let mut pi = [0.5, 0.5];
    let mut prev_ll = f64::NEG_INFINITY;
    let mut alpha = vec![[0.0; 2]; n];
    let mut beta = vec![[0.0; 2]; n];
    let mut c = vec![0.0; n];
    for _ in 0..200 {
        // Forward (scaled).
        for t in 0..n {
            for k in 0..2 {
                let prior = if t == 0 {
                    pi[k]
                } else {
                    alpha[t - 1][0] * p[0][k] + alpha[t - 1][1] * p[1][k]
                };
                alpha[t][k] = prior * npdf(r[t], m[k], v[k]).max(1e-300);
            }
            c[t] = alpha[t][0] + alpha[t][1];
            alpha[t][0] /= c[t];
            alpha[t][1] /= c[t];
        }
        let ll: f64 = c.iter().map(|x| x.ln()).sum();
        // Backward.
        beta[n - 1] = [1.0, 1.0];
        for t in (0..n - 1).rev() {
            for k in 0..2 {
                beta[t][k] = (0..2)
                    .map(|j| p[k][j] * npdf(r[t + 1], m[j], v[j]).max(1e-300) * beta[t + 1][j])
                    .sum::<f64>()
                    / c[t + 1];
            }
        }
        let gamma: Vec<[f64; 2]> = (0..n)
            .map(|t| {
                let g = [alpha[t][0] * beta[t][0], alpha[t][1] * beta[t][1]];
                let z = g[0] + g[1];
                [g[0] / z, g[1] / z]
            })
            .collect();
        let mut xi = [[0.0; 2]; 2];
        for t in 0..n - 1 {
            let mut local = [[0.0; 2]; 2];
            let mut z = 0.0;
            for i in 0..2 {
                for j in 0..2 {
                    local[i][j] = alpha[t][i]
                        * p[i][j]
                        * npdf(r[t + 1], m[j], v[j]).max(1e-300)
                        * beta[t + 1][j];
                    z += local[i][j];
                }
            }
            for i in 0..2 {
                for j in 0..2 {
                    xi[i][j] += local[i][j] / z;
                }
            }
        }
        for k in 0..2 {
            let w: f64 = gamma.iter().map(|g| g[k]).sum();
            m[k] = gamma.iter().zip(r).map(|(g, x)| g[k] * x).sum::<f64>() / w;
            v[k] = (gamma
                .iter()
                .zip(r)
                .map(|(g, x)| g[k] * (x - m[k]).powi(2))
                .sum::<f64>()
                / w)
                .max(1e-16);
            let row = xi[k][0] + xi[k][1];
            p[k] = [xi[k][0] / row, xi[k][1] / row];
        }
        pi = gamma[0];
        if (ll - prev_ll).abs() < 1e-9 {
            break;
        }
        prev_ll = ll;
    }
    (m, v, p)
}

/// The fit as scenario TOML (a `[[stochastic.prices]]` entry for `feed`), with provenance.
pub fn to_toml(f: &Fit, s: &Series, file: &str, feed: &str) -> String {
    let model = match f.model {
        FitModel::Gbm => "gbm",
        FitModel::Merton => "merton",
        FitModel::Ou => "ou",
        FitModel::Regime => "regime",
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# bankrun fit {model}: {file}, column `{}`, {} returns at a median step of {} s{}",
        s.column,
        f.n_returns,
        f.step_s,
        if s.skipped > 0 {
            format!(" ({} rows without a positive price skipped)", s.skipped)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        t,
        "# units: per year (365 d) for drifts / rates, per √year for volatilities; log-price jumps"
    );
    let _ = writeln!(
        t,
        "[[stochastic.prices]]\nfeed = \"{feed}\"\nmodel = \"{model}\""
    );
    for (k, v) in &f.params {
        let _ = writeln!(t, "{k} = {v}");
    }
    for (mu, sigma, d) in &f.regimes {
        let _ = writeln!(
            t,
            "[[stochastic.prices.regimes]]\nmu = {mu}\nsigma = {sigma}\nmean_duration_hours = {d}"
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    fn series(p: Vec<f64>, step: i64) -> Series {
        Series {
            t: (0..p.len() as i64).map(|i| i * step).collect(),
            p,
            skipped: 0,
            column: "price_usd".into(),
        }
    }

    #[test]
    fn recovers_gbm_and_ou_and_merton() {
        let mut rng = bankrun_chain::rng::stream(3, "fit-test");
        let dt: f64 = 1.0 / 365.0;
        // GBM mu 0.2, sigma 0.8, 20,000 daily steps.
        let mut x = 1000f64.ln();
        let mut p = vec![x.exp()];
        for _ in 0..20_000 {
            let z: f64 = rng.sample(StandardNormal);
            x += (0.2 - 0.32) * dt + 0.8 * dt.sqrt() * z;
            p.push(x.exp());
        }
        let f = fit(&series(p, 86_400), FitModel::Gbm).unwrap();
        assert!((f.get("sigma").unwrap() - 0.8).abs() < 0.02, "{f:?}");
        // mu has sd sigma/√T = 0.8/√54.8 ≈ 0.11.
        assert!((f.get("mu").unwrap() - 0.2).abs() < 0.35, "{f:?}");
        // OU theta 50/yr, mean 1.0, sigma 0.05.
        let (theta, sigma) = (50.0_f64, 0.05_f64);
        let a = (-theta * dt).exp();
        let sdv = sigma * ((1.0 - a * a) / (2.0 * theta)).sqrt();
        let mut x = 0.02f64;
        let mut p = vec![x.exp()];
        for _ in 0..20_000 {
            let z: f64 = rng.sample(StandardNormal);
            x = x * a + sdv * z;
            p.push(x.exp());
        }
        let f = fit(&series(p, 86_400), FitModel::Ou).unwrap();
        assert!((f.get("theta").unwrap() / theta - 1.0).abs() < 0.1, "{f:?}");
        assert!(
            (f.get("sigma").unwrap() / sigma - 1.0).abs() < 0.05,
            "{f:?}"
        );
        assert!((f.get("mean_usd").unwrap() - 1.0).abs() < 0.01, "{f:?}");
        // Merton: sigma 0.5, 10 jumps/yr of N(-0.25, 0.05²) (jumps well above the 4-sd
        // threshold of the daily diffusion, 0.105: the threshold estimator's domain).
        let mut x = 0.0f64;
        let mut p = vec![1.0];
        for _ in 0..20_000 {
            let z: f64 = rng.sample(StandardNormal);
            x += 0.5 * dt.sqrt() * z;
            let u: f64 = rng.random();
            if u < 10.0 * dt {
                let j: f64 = rng.sample(StandardNormal);
                x += -0.25 + 0.05 * j;
            }
            p.push(x.exp());
        }
        let f = fit(&series(p, 86_400), FitModel::Merton).unwrap();
        assert!((f.get("sigma").unwrap() / 0.5 - 1.0).abs() < 0.05, "{f:?}");
        assert!(
            (f.get("jump_intensity").unwrap() / 10.0 - 1.0).abs() < 0.15,
            "{f:?}"
        );
        assert!((f.get("jump_mean").unwrap() + 0.25).abs() < 0.02, "{f:?}");
        assert!((f.get("jump_sd").unwrap() - 0.05).abs() < 0.015, "{f:?}");
        // The log drift was 0, so mu = sigma²/2 + λκ with κ = exp(−0.25 + 0.05²/2) − 1.
        let mu_true = 0.125 + 10.0 * ((-0.25_f64 + 0.00125).exp() - 1.0);
        assert!(
            (f.get("mu").unwrap() - mu_true).abs() < 0.3,
            "{f:?} vs {mu_true}"
        );
    }

    #[test]
    fn recovers_two_regimes() {
        let mut rng = bankrun_chain::rng::stream(4, "fit-test");
        let dt: f64 = 1.0 / 365.0;
        let sig = [0.3, 1.5];
        let stay = [0.98, 0.95];
        let mut k = 0;
        let mut x = 0.0f64;
        let mut p = vec![1.0];
        for _ in 0..20_000 {
            let u: f64 = rng.random();
            if u > stay[k] {
                k = 1 - k;
            }
            let z: f64 = rng.sample(StandardNormal);
            x += sig[k] * dt.sqrt() * z;
            p.push(x.exp());
        }
        let f = fit(&series(p, 86_400), FitModel::Regime).unwrap();
        let (calm, wild) = (f.regimes[0], f.regimes[1]);
        assert!((calm.1 / 0.3 - 1.0).abs() < 0.1, "{f:?}");
        assert!((wild.1 / 1.5 - 1.0).abs() < 0.1, "{f:?}");
        // Mean durations 50 d and 20 d.
        assert!((calm.2 / 24.0 / 50.0 - 1.0).abs() < 0.3, "{f:?}");
        assert!((wild.2 / 24.0 / 20.0 - 1.0).abs() < 0.3, "{f:?}");
    }

    #[test]
    fn reads_csv_with_located_errors() {
        let s = read_series("date,price_eth_usd\n2020-01-01,1\n2020-01-02,\n2020-01-03,2\n2020-01-04,3\n2020-01-05,3\n2020-01-06,3\n2020-01-07,3\n2020-01-08,3\n2020-01-09,3\n2020-01-10,3\n2020-01-11,3\n", "x.csv", None).unwrap();
        assert_eq!(
            (s.p.len(), s.skipped, s.column.as_str()),
            (10, 1, "price_eth_usd")
        );
        let e = read_series("date,price\n2020-01-01,abc\n", "x.csv", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.csv:2: price: expected a price, found `abc`"),
            "{e}"
        );
        let e = read_series("date,price\n", "x.csv", Some("close"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`--column`") && e.contains("`close`") && e.contains("date,price"),
            "{e}"
        );
        let e = read_series("date,price\n2020-01-02,1\n2020-01-01,2\n", "x.csv", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.csv:3: date: expected timestamps in increasing order"),
            "{e}"
        );
    }
}
