//! Waiting times and distribution helpers shared by the agents.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// Blocks until the next event of a Poisson process with `rate_per_hour`, for blocks of
/// `block_time_s` seconds: an exponential draw rounded up to at least one block.
/// A non-positive rate never fires (`u64::MAX`).
pub fn exp_blocks(rate_per_hour: f64, block_time_s: u64, rng: &mut impl Rng) -> u64 {
    if !rate_per_hour.is_finite() || rate_per_hour <= 0.0 {
        return u64::MAX;
    }
    let blocks_per_hour = 3600.0 / block_time_s.max(1) as f64;
    let rate_per_block = rate_per_hour / blocks_per_hour;
    let wait = Exp::new(rate_per_block)
        .map(|d| d.sample(rng))
        .unwrap_or(f64::INFINITY);
    if wait >= 1e15 {
        u64::MAX
    } else {
        (wait.ceil() as u64).max(1)
    }
}

/// A log-normal draw with the given median and log-sd (`sigma = 0` returns the median).
pub fn lognormal_median(median: f64, sigma: f64, rng: &mut impl Rng) -> f64 {
    if sigma <= 0.0 {
        return median;
    }
    LogNormal::new(median.ln(), sigma)
        .map(|d| d.sample(rng))
        .unwrap_or(median)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn exp_blocks_has_the_right_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        // 1 per hour with 12 s blocks: mean 300 blocks (+0.5 from rounding up).
        let n = 20_000;
        let mean = (0..n)
            .map(|_| exp_blocks(1.0, 12, &mut rng) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((mean - 300.5).abs() < 10.0, "mean {mean}");
        assert_eq!(exp_blocks(0.0, 12, &mut rng), u64::MAX);
    }

    #[test]
    fn lognormal_median_is_the_median() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut v: Vec<f64> = (0..10_001)
            .map(|_| lognormal_median(2.0, 0.8, &mut rng))
            .collect();
        v.sort_by(f64::total_cmp);
        assert!((v[5000] - 2.0).abs() < 0.1, "median {}", v[5000]);
    }
}
