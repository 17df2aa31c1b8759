//! Depositor stake-size distributions.

use crate::error::ScenarioError;

/// The shipped supplier-size quantiles of the Compound v2 book (see `data/SOURCES.md`).
pub(crate) const COMPOUND_V2_SUPPLY_CSV: &str =
    include_str!("../../../data/stakes/compound_v2_supply_quantiles.csv");

/// File name used in messages about the shipped quantile file.
const COMPOUND_V2_SUPPLY_FILE: &str = "data/stakes/compound_v2_supply_quantiles.csv";

/// Name of the Compound v2 distribution in scenario files (`stake_distribution`).
pub const COMPOUND_V2_SUPPLY: &str = "compound-v2-supply";
/// Name of the equal-stakes distribution in scenario files (`stake_distribution`).
pub const EQUAL: &str = "equal";

/// A distribution of relative stake sizes, given by its quantile function at evenly spaced
/// probabilities `0, 1/(n−1), …, 1`; sampled by inverse CDF with linear interpolation.
#[derive(Debug, Clone, PartialEq)]
pub struct StakeDistribution {
    quantiles: Vec<f64>,
}

impl StakeDistribution {
    /// Every stake the same size (1.0).
    pub fn equal() -> Self {
        StakeDistribution {
            quantiles: vec![1.0],
        }
    }

    /// The supplier-size distribution of the real Compound v2 book (2023), shipped in
    /// `data/stakes/compound_v2_supply_quantiles.csv`; sizes relative to the mean.
    ///
    /// # Errors
    /// If the embedded file is malformed (a build defect, reported like any bad input).
    pub fn compound_v2_supply() -> Result<Self, ScenarioError> {
        parse_quantile_csv(COMPOUND_V2_SUPPLY_CSV, COMPOUND_V2_SUPPLY_FILE)
    }

    /// A distribution from quantiles at evenly spaced probabilities (non-empty, finite, positive,
    /// non-decreasing).
    ///
    /// # Errors
    /// A description of the first violation.
    pub fn from_quantiles(quantiles: Vec<f64>) -> Result<Self, String> {
        if quantiles.is_empty() {
            return Err("no quantiles".into());
        }
        for (i, q) in quantiles.iter().enumerate() {
            if !(q.is_finite() && *q > 0.0) {
                return Err(format!("quantile {i} must be finite and > 0, found {q}"));
            }
        }
        if let Some(i) = quantiles.windows(2).position(|w| w[1] < w[0]) {
            return Err(format!("quantiles must not decrease (index {})", i + 1));
        }
        Ok(StakeDistribution { quantiles })
    }

    /// The quantile values.
    pub fn quantiles(&self) -> &[f64] {
        &self.quantiles
    }

    /// Inverse CDF: the relative stake at probability `u` in `[0, 1)` (clamped into `[0, 1]`;
    /// a non-finite `u` gives the median). Always positive.
    pub fn sample(&self, u: f64) -> f64 {
        let q = &self.quantiles;
        let n = q.len();
        if n <= 1 {
            return q.first().copied().unwrap_or(1.0);
        }
        let u = if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let pos = u * (n - 1) as f64;
        let i = (pos.floor() as usize).min(n - 2);
        let w = pos - i as f64;
        q[i] + (q[i + 1] - q[i]) * w
    }
}

fn parse_quantile_csv(text: &str, file: &str) -> Result<StakeDistribution, ScenarioError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut quantiles = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line()) as usize;
            ScenarioError::new(file, "a `quantile,relative_size` row", e.to_string()).at(line, 1)
        })?;
        let line = rec.position().map_or(1, |p| p.line()) as usize;
        let v: Option<f64> = rec.get(1).and_then(|s| s.parse().ok());
        match v {
            Some(v) if v.is_finite() && v > 0.0 => quantiles.push(v),
            _ => {
                return Err(ScenarioError::new(
                    file,
                    "a finite relative size > 0",
                    format!("`{}`", rec.get(1).unwrap_or("")),
                )
                .with_key("relative_size")
                .at(line, 1));
            }
        }
    }
    StakeDistribution::from_quantiles(quantiles)
        .map_err(|e| ScenarioError::new(file, "valid quantiles", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_is_one() {
        let d = StakeDistribution::equal();
        assert_eq!(d.sample(0.0), 1.0);
        assert_eq!(d.sample(0.99), 1.0);
    }

    #[test]
    fn inverse_cdf_interpolates() {
        let d = StakeDistribution::from_quantiles(vec![1.0, 2.0, 4.0]).unwrap();
        assert_eq!(d.sample(0.0), 1.0);
        assert_eq!(d.sample(0.25), 1.5);
        assert_eq!(d.sample(0.75), 3.0);
        assert_eq!(d.sample(1.0), 4.0);
        assert_eq!(d.sample(f64::NAN), 2.0);
        assert!(StakeDistribution::from_quantiles(vec![2.0, 1.0]).is_err());
        assert!(StakeDistribution::from_quantiles(vec![0.0]).is_err());
    }

    #[test]
    fn shipped_compound_distribution_is_heavy_tailed() {
        let d = StakeDistribution::compound_v2_supply().unwrap();
        assert_eq!(d.quantiles().len(), 1001);
        // Relative to the mean: the median supplier is far below the mean, the top far above.
        let median = d.sample(0.5);
        let top = d.sample(0.999);
        assert!(median > 0.0 && median < 0.5, "median {median}");
        assert!(top > 10.0, "p99.9 {top}");
        // Mean of the quantile function is about 1 (sizes are relative to the mean).
        let n = 100_000;
        let mean: f64 = (0..n)
            .map(|i| d.sample((i as f64 + 0.5) / n as f64))
            .sum::<f64>()
            / n as f64;
        assert!((0.5..1.5).contains(&mean), "mean {mean}");
    }
}
