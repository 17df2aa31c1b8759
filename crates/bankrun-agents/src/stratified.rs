//! Count-invariant populations: stratified draws of stakes and value-stratified traits.
//!
//! A population of `n` agents whose stakes follow a heavy-tailed distribution (the real
//! Compound v2 supplier concentration) and whose traits (risk thresholds, activity, health
//! factors) are drawn independently per agent has a *value-weighted* trait distribution that
//! depends on which few large agents drew which traits: at a few hundred agents the share of
//! value that is "active", or whose threshold is low, swings from seed to seed by tens of
//! percent, and it changes systematically with `n`. What the market feels is value, so
//! bankrun draws populations so that the value-weighted distributions hold at any count:
//!
//! - stakes: one uniform draw inside each of `n` equal probability strata of the stake
//!   distribution's quantile function, shuffled (stratified sampling, a one-dimensional Latin
//!   hypercube; McKay, Beckman and Conover 1979);
//! - traits: agents in a random order tile the unit interval by their value shares, and each
//!   agent's trait quantile is a uniform point inside its own tile (systematic sampling
//!   proportional to size). Every agent's quantile is still uniform on average, independent of
//!   its stake, but the value-weighted distribution of the quantiles is uniform to within the
//!   largest single share, at any count and for any seed.
//!
//! Traits drawn this way are independent of each other as long as each trait gets its own
//! call (its own random order).

use rand::Rng;
use rand::RngExt;
use rand::seq::SliceRandom;
use statrs::distribution::{ContinuousCDF, Normal};

/// `n` stratified uniforms on (0, 1): one in each interval `[i/n, (i+1)/n)`, in random order.
pub fn stratified_uniforms(n: usize, rng: &mut impl Rng) -> Vec<f64> {
    let mut u: Vec<f64> = (0..n)
        .map(|i| (i as f64 + rng.random::<f64>()) / n as f64)
        .collect();
    u.shuffle(rng);
    u
}

/// Value-stratified quantiles for agents with value shares `shares` (non-negative; they are
/// normalised here): agent `i`'s quantile is a uniform point inside its tile of the unit
/// interval, the tiles laid out in a random order. Shape: one quantile in (0, 1) per share.
/// All-zero shares fall back to [`stratified_uniforms`].
pub fn value_quantiles(shares: &[f64], rng: &mut impl Rng) -> Vec<f64> {
    let total: f64 = shares
        .iter()
        .filter(|s| s.is_finite())
        .map(|s| s.max(0.0))
        .sum();
    if total <= 0.0 {
        return stratified_uniforms(shares.len(), rng);
    }
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.shuffle(rng);
    let mut q = vec![0.0; shares.len()];
    let mut before = 0.0;
    for i in order {
        let w = if shares[i].is_finite() {
            shares[i].max(0.0) / total
        } else {
            0.0
        };
        q[i] = (before + rng.random::<f64>() * w).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
        before += w;
    }
    q
}

/// The `u`-quantile of the log-normal with the given median and log-sd (`sigma = 0` returns
/// the median): `median · exp(sigma · Φ⁻¹(u))`.
pub fn lognormal_quantile(median: f64, sigma: f64, u: f64) -> f64 {
    if sigma <= 0.0 {
        return median;
    }
    let z = Normal::standard().inverse_cdf(u.clamp(1e-12, 1.0 - 1e-12));
    median * (sigma * z).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn stratified_uniforms_fill_every_stratum_once() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut u = stratified_uniforms(50, &mut rng);
        assert_ne!(
            u,
            {
                let mut s = u.clone();
                s.sort_by(f64::total_cmp);
                s
            },
            "shuffled"
        );
        u.sort_by(f64::total_cmp);
        for (i, x) in u.iter().enumerate() {
            assert!(
                (i as f64 / 50.0..(i + 1) as f64 / 50.0).contains(x),
                "{i}: {x}"
            );
        }
    }

    #[test]
    fn value_weighted_quantiles_are_uniform_at_any_seed() {
        // A heavy-tailed book: one account holds 30 %, the rest share 70 %.
        let mut shares = vec![0.3];
        shares.extend(std::iter::repeat_n(0.7 / 99.0, 99));
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let q = value_quantiles(&shares, &mut rng);
            // Value below any cut c is within the largest share of c.
            for c in [0.1, 0.25, 0.5, 0.75, 0.9] {
                let v: f64 = q
                    .iter()
                    .zip(&shares)
                    .filter(|(q, _)| **q < c)
                    .map(|(_, s)| s)
                    .sum();
                assert!((v - c).abs() <= 0.3 + 1e-12, "seed {seed} cut {c}: {v}");
            }
            // Among the 99 small accounts, the value share under 0.5 of the value is
            // 0.5 − (the large account's part of it), never more than 0.5 + 1/99.
            let small: f64 = q[1..]
                .iter()
                .zip(&shares[1..])
                .filter(|(q, _)| **q < 0.5)
                .map(|(_, s)| s)
                .sum();
            assert!(small <= 0.5 + 0.7 / 99.0 + 1e-12, "seed {seed}: {small}");
        }
    }

    #[test]
    fn iid_traits_swing_where_value_quantiles_do_not() {
        // 30 % "active" by value, 300 accounts with a Pareto(1.2) book, over 40 seeds.
        let spread = |stratified: bool| {
            let mut out = Vec::new();
            for seed in 0..40 {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let shares: Vec<f64> = (0..300)
                    .map(|_| (1.0 - rng.random::<f64>()).powf(-1.0 / 1.2))
                    .collect();
                let total: f64 = shares.iter().sum();
                let largest = shares.iter().cloned().fold(0.0, f64::max) / total;
                let q = if stratified {
                    value_quantiles(&shares, &mut rng)
                } else {
                    (0..300).map(|_| rng.random::<f64>()).collect()
                };
                let active: f64 = q
                    .iter()
                    .zip(&shares)
                    .filter(|(q, _)| **q < 0.3)
                    .map(|(_, s)| s / total)
                    .sum();
                if stratified {
                    assert!(
                        (active - 0.3).abs() <= largest + 1e-12,
                        "seed {seed}: {active}"
                    );
                }
                out.push(active);
            }
            let mean = out.iter().sum::<f64>() / out.len() as f64;
            (out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / out.len() as f64).sqrt()
        };
        let (iid, strat) = (spread(false), spread(true));
        assert!(strat < iid / 2.0, "stratified sd {strat} vs iid sd {iid}");
    }

    #[test]
    fn lognormal_quantile_inverts_at_the_median_and_tails() {
        assert!((lognormal_quantile(2.0, 0.8, 0.5) - 2.0).abs() < 1e-12);
        // Φ⁻¹(0.975) = 1.959964.
        let hi = lognormal_quantile(1.0, 0.5, 0.975);
        assert!((hi - (0.5f64 * 1.959_963_985).exp()).abs() < 1e-6, "{hi}");
        assert_eq!(lognormal_quantile(3.0, 0.0, 0.9), 3.0);
    }
}
