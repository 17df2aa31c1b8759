//! Depositors: the heterogeneous-threshold hazard model with an observational herding term of
//! reference/behaviour.md §1.3.
//!
//! Each depositor observes the market at Poisson attention times (class rate, multiplied while
//! news is fresh), computes a perceived risk
//! `R = w_d·g(d) + w_U·(U − U*)+ + w_O·O_vis + w_H·H + w_D·deficit − w_y·(r_s − r_alt) + σ·ε`,
//! with `g(d) = d + κ·1[1 − d < 0.99]` (the $0.99 kink of Anadu et al.), and runs when `R`
//! exceeds a private threshold `τ ~ LogNormal` drawn once per depositor. A run withdraws a
//! fraction `φ ~ Beta(a, b)` of the remaining balance (partial, staggered exits: whales cut
//! ≈15 % then ≈40 % over 3 days, Jump Crypto's cohort table), and the depositor re-evaluates
//! at its next attention time.

use rand::Rng;
use rand_distr::{Beta, Distribution, StandardNormal};

/// What a depositor can observe about its reserve at the start of a block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MarketView {
    /// Borrow usage ratio, [0, 1].
    pub utilization: f64,
    /// Optimal usage ratio of the reserve's rate strategy, [0, 1].
    pub optimal_usage: f64,
    /// Supply APR, fraction per year.
    pub supply_apr: f64,
    /// Visible large-wallet outflow over the recent window, as a share of the reserve's
    /// initial supply.
    pub visible_outflow: f64,
    /// News term `H_t` (decaying jumps).
    pub news: f64,
    /// Depeg / backing loss of the collateral that backs the reserve's borrowers, [0, 1].
    pub depeg: f64,
    /// Deficit (bad debt) as a share of the reserve's supply, [0, 1].
    pub deficit_share: f64,
}

/// Weights of the risk score (the scenario's `[behaviour]` table).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskWeights {
    /// Weight of `g(d)`.
    pub depeg: f64,
    /// Extra penalty κ when the price is below $0.99 (d > 0.01).
    pub depeg_kink: f64,
    /// Weight of `(U − U*)+`.
    pub utilization: f64,
    /// Weight of the visible outflow share.
    pub outflow: f64,
    /// Weight of the news term.
    pub news: f64,
    /// Weight of the deficit share.
    pub deficit: f64,
    /// Weight of the yield spread (a high supply APR holds depositors in).
    pub yield_spread: f64,
    /// Alternative rate, fraction per year.
    pub alt_rate: f64,
}

/// A depositor's private traits, drawn once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DepositorTraits {
    /// Risk threshold τ.
    pub threshold: f64,
    /// Noise sd σ of the risk score.
    pub noise_sd: f64,
    /// Beta(a, b) of the exit fraction.
    pub exit_a: f64,
    /// Beta b.
    pub exit_b: f64,
}

/// The systematic part of the perceived risk `R` (without the idiosyncratic noise).
pub fn risk_score(w: &RiskWeights, m: &MarketView) -> f64 {
    let kink = if m.depeg > 0.01 { w.depeg_kink } else { 0.0 };
    w.depeg * (m.depeg + kink)
        + w.utilization * (m.utilization - m.optimal_usage).max(0.0)
        + w.outflow * m.visible_outflow
        + w.news * m.news
        + w.deficit * m.deficit_share
        - w.yield_spread * (m.supply_apr - w.alt_rate)
}

/// A standard-normal draw for the idiosyncratic term `ε` of the risk score.
///
/// The engine keeps a depositor's `ε` for an hour rather than redrawing it at every
/// observation: `ε` is the error of the depositor's private signal, which does not change
/// block by block. Redrawn per observation, a class that looks every block (bots) would act
/// on its noise tail within minutes even in a calm market.
pub fn draw_signal_noise(rng: &mut impl Rng) -> f64 {
    StandardNormal.sample(rng)
}

impl DepositorTraits {
    /// Decides at an attention time given the systematic risk and the depositor's current
    /// signal noise `eps` (standard normal). Returns the fraction of the remaining balance to
    /// withdraw, or `None` to stay.
    pub fn decide(&self, systematic_risk: f64, eps: f64, rng: &mut impl Rng) -> Option<f64> {
        if systematic_risk + self.noise_sd * eps <= self.threshold {
            return None;
        }
        let phi = Beta::new(self.exit_a, self.exit_b)
            .map(|d| d.sample(rng))
            .unwrap_or(1.0);
        Some(phi.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn weights() -> RiskWeights {
        RiskWeights {
            depeg: 10.0,
            depeg_kink: 0.5,
            utilization: 5.0,
            outflow: 20.0,
            news: 1.0,
            deficit: 50.0,
            yield_spread: 2.0,
            alt_rate: 0.02,
        }
    }

    #[test]
    fn each_stress_term_raises_risk() {
        let w = weights();
        let calm = MarketView {
            utilization: 0.8,
            optimal_usage: 0.9,
            supply_apr: 0.02,
            ..Default::default()
        };
        let base = risk_score(&w, &calm);
        for stressed in [
            MarketView {
                utilization: 0.99,
                ..calm
            },
            MarketView {
                visible_outflow: 0.05,
                ..calm
            },
            MarketView { news: 1.0, ..calm },
            MarketView {
                depeg: 0.005,
                ..calm
            },
            MarketView {
                deficit_share: 0.01,
                ..calm
            },
        ] {
            assert!(risk_score(&w, &stressed) > base, "{stressed:?}");
        }
        // A higher supply APR holds depositors in.
        assert!(
            risk_score(
                &w,
                &MarketView {
                    supply_apr: 0.2,
                    ..calm
                }
            ) < base
        );
    }

    #[test]
    fn depeg_kink_at_99_cents() {
        let w = weights();
        let at = |d| {
            risk_score(
                &w,
                &MarketView {
                    depeg: d,
                    ..Default::default()
                },
            )
        };
        let jump = at(0.0101) - at(0.0099);
        assert!(jump > 0.4, "kink missing: {jump}");
    }

    #[test]
    fn higher_threshold_runs_less() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let count = |tau: f64, rng: &mut ChaCha8Rng| {
            let t = DepositorTraits {
                threshold: tau,
                noise_sd: 0.5,
                exit_a: 2.0,
                exit_b: 5.0,
            };
            (0..5000)
                .filter(|_| t.decide(1.0, draw_signal_noise(rng), rng).is_some())
                .count()
        };
        let low = count(0.5, &mut rng);
        let high = count(1.5, &mut rng);
        assert!(low > high + 1000, "{low} vs {high}");
    }

    #[test]
    fn exit_fraction_mean_follows_beta() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let t = DepositorTraits {
            threshold: -1e9,
            noise_sd: 0.0,
            exit_a: 3.0,
            exit_b: 7.0,
        };
        let n = 20_000;
        let mean = (0..n)
            .map(|_| t.decide(0.0, 0.0, &mut rng).unwrap())
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.3).abs() < 0.01, "{mean}");
    }
}
