//! The gas market: a per-block gas limit shared with background demand, and either legacy
//! first-price gas auctions (pre-London, e.g. Black Thursday) or the EIP-1559 base fee.
//!
//! # Model
//! Simulated agents' transactions compete with the rest of Ethereum, which is not simulated
//! transaction by transaction. Background demand is summarised by the congestion input:
//! - **Legacy**: the block's *inclusion threshold* (the lowest gas price a miner still
//!   includes in a full block) is the `inclusion_percentile` of the 10-minute gas-price
//!   distribution of the real series (log-linear between its p30, p60 and p90), times
//!   log-normal block-to-block noise (`noise_sigma`). A transaction bidding below it waits
//!   in the mempool; above it, agents' transactions fill at most `agent_gas_share` of the
//!   block gas limit in descending gas-price order (the miner's ordering), ties broken by a
//!   seeded draw.
//! - **EIP-1559**: a transaction is includable when `max_fee ≥ base_fee`; agents' gas is
//!   `agent_gas_share` of the limit; the base fee follows the London rule
//!   `base' = base + base·(used − target)/target/8` (integer wei, as `go-ethereum`
//!   `CalcBaseFee`), with block utilisation given by the congestion input.
//!
//! Gas paid is charged in integer wei: `gas_used × price` (legacy) or `gas_used ×
//! (base_fee + tip)` (London; the base fee is burnt — it goes to the `burn` account of the
//! ledger so that ETH stays conserved).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::series::Series;

/// 1 gwei in wei.
pub const GWEI: u128 = 1_000_000_000;

/// Congestion input.
#[derive(Debug, Clone)]
pub enum GasModel {
    /// Legacy auctions with a real percentile series (gwei).
    Legacy {
        /// p30 gas price (gwei).
        p30: Series,
        /// p60 gas price (gwei).
        p60: Series,
        /// p90 gas price (gwei).
        p90: Series,
        /// Percentile (30..=90) of the distribution a transaction must reach.
        inclusion_percentile: f64,
        /// Log-normal noise of the threshold, block to block.
        noise_sigma: f64,
    },
    /// EIP-1559 with a constant utilisation of the block (0..=1).
    Eip1559 {
        /// Starting base fee (wei).
        base_fee_wei: u128,
        /// Gas used by background transactions as a share of the limit (0.5 = target).
        utilisation: f64,
    },
}

/// The conditions of one block for agents' transactions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockGas {
    /// Lowest includable gas price (gwei): the legacy threshold or the base fee.
    pub min_price_gwei: f64,
    /// Gas available to simulated agents' transactions.
    pub agent_gas: u64,
    /// Base fee (wei; 0 under legacy).
    pub base_fee_wei: u128,
}

/// The gas market state.
#[derive(Debug, Clone)]
pub struct GasMarket {
    /// Congestion input.
    pub model: GasModel,
    /// Block gas limit (gas).
    pub block_gas_limit: u64,
    /// Share of the block agents can use (0..=1).
    pub agent_gas_share: f64,
    base_fee: u128,
}

/// The gas price (gwei) at quantile `q` (0.3..0.9) given p30/p60/p90, log-linear.
pub fn percentile_price(p30: f64, p60: f64, p90: f64, q: f64) -> f64 {
    let l = |x: f64| x.max(1e-3).ln();
    let (a, b, w) = if q <= 60.0 {
        (l(p30), l(p60), ((q - 30.0) / 30.0).clamp(0.0, 1.0))
    } else {
        (l(p60), l(p90), ((q - 60.0) / 30.0).clamp(0.0, 1.0))
    };
    (a + w * (b - a)).exp()
}

impl GasMarket {
    /// A market with `model`, `block_gas_limit` and the agents' share.
    pub fn new(model: GasModel, block_gas_limit: u64, agent_gas_share: f64) -> Self {
        let base_fee = match &model {
            GasModel::Eip1559 { base_fee_wei, .. } => *base_fee_wei,
            GasModel::Legacy { .. } => 0,
        };
        GasMarket {
            model,
            block_gas_limit,
            agent_gas_share,
            base_fee,
        }
    }

    /// The "market" gas price (gwei) an agent observes at `now` (s): the series' p60
    /// (legacy; what a gas-price oracle quotes as "standard") or the base fee.
    pub fn observed_gwei(&self, now: i64) -> f64 {
        match &self.model {
            GasModel::Legacy { p60, .. } => p60.at(now),
            GasModel::Eip1559 { .. } => self.base_fee as f64 / GWEI as f64,
        }
    }

    /// Opens a block at `now`: its inclusion threshold and agents' gas.
    pub fn open_block(&mut self, now: i64, rng: &mut ChaCha8Rng) -> BlockGas {
        let agent_gas = (self.block_gas_limit as f64 * self.agent_gas_share) as u64;
        match &self.model {
            GasModel::Legacy {
                p30,
                p60,
                p90,
                inclusion_percentile,
                noise_sigma,
            } => {
                let base =
                    percentile_price(p30.at(now), p60.at(now), p90.at(now), *inclusion_percentile);
                let z = std_normal(rng);
                BlockGas {
                    min_price_gwei: base * (noise_sigma * z).exp(),
                    agent_gas,
                    base_fee_wei: 0,
                }
            }
            GasModel::Eip1559 { .. } => BlockGas {
                min_price_gwei: self.base_fee as f64 / GWEI as f64,
                agent_gas,
                base_fee_wei: self.base_fee,
            },
        }
    }

    /// Closes a block in which agents used `agent_used` gas: applies the London base-fee
    /// update (no-op under legacy).
    pub fn close_block(&mut self, agent_used: u64) {
        if let GasModel::Eip1559 { utilisation, .. } = self.model {
            let used = (self.block_gas_limit as f64 * utilisation) as u64 + agent_used;
            self.base_fee = next_base_fee(self.base_fee, used, self.block_gas_limit / 2);
        }
    }
}

/// London `CalcBaseFee`: `base ± max(1, base·|used − target|/target/8)` (+) or
/// `base − base·(target − used)/target/8` (−), integer wei.
pub fn next_base_fee(base: u128, used: u64, target: u64) -> u128 {
    if target == 0 || used == target {
        return base;
    }
    let (u, t) = (used as u128, target as u128);
    if u > t {
        base + (base * (u - t) / t / 8).max(1)
    } else {
        base - base * (t - u) / t / 8
    }
}

/// A standard normal draw (Box–Muller on two uniforms of `rng`).
pub fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_rule() {
        assert_eq!(next_base_fee(1_000, 15, 15), 1_000);
        assert_eq!(next_base_fee(1_000, 30, 15), 1_125);
        assert_eq!(next_base_fee(1_000, 0, 15), 875);
        assert_eq!(next_base_fee(1, 16, 15), 2);
    }

    #[test]
    fn percentiles_interpolate_monotonically() {
        let a = percentile_price(5.0, 10.0, 40.0, 30.0);
        let b = percentile_price(5.0, 10.0, 40.0, 45.0);
        let c = percentile_price(5.0, 10.0, 40.0, 90.0);
        assert!((a - 5.0).abs() < 1e-9 && a < b && b < 10.0 && (c - 40.0).abs() < 1e-9);
    }
}
