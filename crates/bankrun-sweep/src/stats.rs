//! Estimators with standard errors.
//!
//! * Empirical quantile: the lower order statistic `x_(⌈αn⌉)` (1-based) — the value-at-risk
//!   at level α of a sample of losses.
//! * Expected shortfall (Acerbi & Tasche 2002): `ES_α = VaR_α + Σ (x_i − VaR_α)⁺ / ((1 − α) n)`,
//!   the mean of the worst (1 − α) share of outcomes (fractional weight at the boundary).
//! * Standard errors: for means, `sd / √n` (sample sd); for a proportion, `√(p(1 − p)/n)`; for
//!   quantiles and ES, a non-parametric bootstrap of [`BOOTSTRAP_REPS`] resamples (the sd of
//!   the replicates), drawn from a named stream of the master seed so it is reproducible.
//!
//! Everything is computed serially in path order, so results do not depend on threads.

use rand::RngExt;

/// Bootstrap replicates per standard error.
pub const BOOTSTRAP_REPS: usize = 200;

/// `x_(⌈αn⌉)` of a sorted non-empty sample.
pub fn lower_quantile(sorted: &[f64], alpha: f64) -> f64 {
    let n = sorted.len();
    let k = ((alpha * n as f64).ceil() as usize).clamp(1, n);
    sorted[k - 1]
}

/// (VaR_α, ES_α) of a non-empty sample (any order; `buf` is scratch space).
pub fn var_es(x: &[f64], alpha: f64, buf: &mut Vec<f64>) -> (f64, f64) {
    buf.clear();
    buf.extend_from_slice(x);
    let n = buf.len();
    let k = ((alpha * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (_, q, upper) = buf.select_nth_unstable_by(k, f64::total_cmp);
    let q = *q;
    let excess: f64 = upper.iter().map(|v| v - q).sum();
    let es = q + excess / ((1.0 - alpha) * n as f64);
    (q, es)
}

/// Mean and its standard error `sd/√n` (SE `None` below 2 values).
pub fn mean_se(x: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = x.len();
    if n == 0 {
        return (None, None);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    (Some(mean), Some((var / n as f64).sqrt()))
}

/// Running mean and variance (Welford 1962), so a cell's means need no stored sample: the
/// same estimates as [`mean_se`], in one pass and constant memory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds a value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Values added.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean and its standard error `sd/√n` (SE `None` below 2 values), as [`mean_se`].
    pub fn mean_se(&self) -> (Option<f64>, Option<f64>) {
        match self.n {
            0 => (None, None),
            1 => (Some(self.mean), None),
            n => {
                let var = self.m2 / (n - 1) as f64;
                (Some(self.mean), Some((var / n as f64).sqrt()))
            }
        }
    }
}

/// Bootstrap standard error of `stat` over `x` (`None` below 2 values).
pub fn bootstrap_se(
    x: &[f64],
    rng: &mut rand_chacha::ChaCha8Rng,
    stat: impl Fn(&[f64], &mut Vec<f64>) -> f64,
) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mut sample = vec![0.0; n];
    let mut buf = Vec::with_capacity(n);
    let mut reps = Vec::with_capacity(BOOTSTRAP_REPS);
    for _ in 0..BOOTSTRAP_REPS {
        for s in sample.iter_mut() {
            *s = x[rng.random_range(0..n)];
        }
        reps.push(stat(&sample, &mut buf));
    }
    mean_se(&reps)
        .1
        .map(|se| se * (BOOTSTRAP_REPS as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_es_on_a_known_sample() {
        // Losses 1..=100: VaR95 = x_(95) = 95; ES95 = mean of 96..=100 plus the boundary
        // weight: 95 + (1+2+3+4+5)/5 = 98.
        let x: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let mut b = Vec::new();
        assert_eq!(var_es(&x, 0.95, &mut b), (95.0, 98.0));
        assert_eq!(var_es(&x, 0.99, &mut b), (99.0, 100.0));
        // n not divisible: n = 10, alpha 0.95 → k = 10, VaR = 10, ES = 10.
        let y: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(var_es(&y, 0.95, &mut b), (10.0, 10.0));
    }

    #[test]
    fn var_es_of_a_normal_sample_match_theory() {
        use rand_distr::StandardNormal;
        let mut rng = bankrun_chain::rng::stream(1, "test");
        let x: Vec<f64> = (0..200_000)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        let mut b = Vec::new();
        let (v95, e95) = var_es(&x, 0.95, &mut b);
        let (v99, e99) = var_es(&x, 0.99, &mut b);
        // N(0,1): VaR95 1.6449, ES95 φ(1.6449)/0.05 = 2.0627; VaR99 2.3263, ES99 2.6652.
        assert!((v95 - 1.6449).abs() < 0.02, "{v95}");
        assert!((e95 - 2.0627).abs() < 0.02, "{e95}");
        assert!((v99 - 2.3263).abs() < 0.03, "{v99}");
        assert!((e99 - 2.6652).abs() < 0.03, "{e99}");
        // Bootstrap SE of the mean ≈ 1/√n.
        let small = &x[..2_000];
        let se = bootstrap_se(small, &mut rng, |s, _| mean_se(s).0.unwrap_or(0.0)).unwrap();
        let theory = 1.0 / (2_000f64).sqrt();
        assert!((se / theory - 1.0).abs() < 0.2, "{se} vs {theory}");
    }

    #[test]
    fn running_moments_match_the_two_pass_estimates() {
        let mut rng = bankrun_chain::rng::stream(3, "moments");
        for n in [0usize, 1, 2, 10, 1000] {
            let x: Vec<f64> = (0..n).map(|_| 1e6 + rng.random::<f64>() * 1e3).collect();
            let mut m = Moments::default();
            x.iter().for_each(|v| m.push(*v));
            let (a, b) = (mean_se(&x), m.mean_se());
            assert_eq!(a.0.is_some(), b.0.is_some());
            assert_eq!(a.1.is_some(), b.1.is_some());
            if let (Some(x), Some(y)) = (a.0, b.0) {
                assert!((x - y).abs() <= 1e-9 * x.abs());
            }
            if let (Some(x), Some(y)) = (a.1, b.1) {
                assert!((x - y).abs() <= 1e-6 * x.abs(), "{x} vs {y}");
            }
        }
    }
}
