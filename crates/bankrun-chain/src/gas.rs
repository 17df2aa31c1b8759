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
//!   `CalcBaseFee`). Background use is `utilisation × (base₀/base)^ε` of the limit (at most
//!   the gas agents left): demand falls as the fee rises, so the fee settles where
//!   background + agents' gas meets the target (the design premise of EIP-1559; Roughgarden
//!   2020, *Transaction Fee Mechanism Design for the Ethereum Blockchain*, §6; Liu et al.
//!   2022, *Empirical Analysis of EIP-1559*: blocks average half full and the base fee
//!   mean-reverts). `ε` is a scenario assumption. With `ε = 0` and `utilisation = 0.5`
//!   the fee could only rise: each agents' transaction pushes the block above target and
//!   nothing brings it back.
//! - **Constant**: a fixed base fee every transaction pays and a fixed gas budget per block
//!   for agents (the Aave engine's chain: `base_fee_gwei`, `gas_per_block`). Bids are priority
//!   fees over that base fee, so every bid ≥ 0 is includable; nothing is drawn.
//! - **Oracle updates** are transactions too: their gas (`oracle_update_gas` each) is taken
//!   from the agents' gas of the block first (they are included ahead of the agents, who
//!   back-run them) and counts in the block's use.
//!
//! Gas paid is charged in integer wei: `gas_used × price` (legacy) or `gas_used ×
//! (base_fee + tip)` (London; the base fee is burnt — it goes to the `burn` account of the
//! ledger so that ETH stays conserved).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::prices::PricePath;

/// 1 gwei in wei.
pub const GWEI: u128 = 1_000_000_000;

/// Congestion input.
#[derive(Debug, Clone)]
pub enum GasModel {
    /// Legacy auctions with a real percentile series (gwei).
    Legacy {
        /// p30 gas price (gwei).
        p30: PricePath,
        /// p60 gas price (gwei).
        p60: PricePath,
        /// p90 gas price (gwei).
        p90: PricePath,
        /// Percentile (30..=90) of the distribution a transaction must reach.
        inclusion_percentile: f64,
        /// Log-normal noise of the threshold, block to block.
        noise_sigma: f64,
    },
    /// A constant base fee and a fixed gas budget for agents per block.
    Constant {
        /// Base fee every transaction pays, gwei.
        base_fee_gwei: f64,
    },
    /// EIP-1559 with background demand elastic to the base fee.
    Eip1559 {
        /// Starting base fee (wei): the fee at which background demand is `utilisation`.
        base_fee_wei: u128,
        /// Gas used by background transactions at the starting base fee, as a share of the
        /// limit (0.5 = target).
        utilisation: f64,
        /// Price elasticity of background demand: background use is `utilisation ×
        /// (base_fee_wei / base_fee)^elasticity` of the limit, at most what agents left.
        elasticity: f64,
    },
}

/// The conditions of one block for agents' transactions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockGas {
    /// Lowest includable bid (gwei): the legacy threshold, the base fee (EIP-1559), or 0
    /// (constant model, whose bids are priority fees).
    pub min_price_gwei: f64,
    /// Gas available to simulated agents' transactions.
    pub agent_gas: u64,
    /// Base fee (wei; 0 under legacy; rounded to wei under the constant model).
    pub base_fee_wei: u128,
}

impl BlockGas {
    /// Takes `gas` for transactions included ahead of the agents' (oracle updates), at most
    /// the agents' gas left; returns the gas taken and its cost (ETH) at the block's
    /// inclusion price.
    pub fn reserve(&mut self, gas: u64) -> (u64, f64) {
        let taken = gas.min(self.agent_gas);
        self.agent_gas -= taken;
        (taken, taken as f64 * self.min_price_gwei * 1e-9)
    }
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
            GasModel::Constant { base_fee_gwei } => (base_fee_gwei * GWEI as f64).round() as u128,
            GasModel::Legacy { .. } => 0,
        };
        GasMarket {
            model,
            block_gas_limit,
            agent_gas_share,
            base_fee,
        }
    }

    /// A constant market: every transaction pays `base_fee_gwei`; agents have `agent_gas` per
    /// block (the whole "limit" is theirs: the rest of the block is not modelled).
    pub fn constant(base_fee_gwei: f64, agent_gas: u64) -> Self {
        GasMarket::new(GasModel::Constant { base_fee_gwei }, agent_gas, 1.0)
    }

    /// The "market" gas price (gwei) an agent observes at `now` (s): the series' p60
    /// (legacy; what a gas-price oracle quotes as "standard") or the base fee.
    pub fn observed_gwei(&self, now: i64) -> f64 {
        match &self.model {
            GasModel::Legacy { p60, .. } => p60.price_at(now),
            GasModel::Constant { base_fee_gwei } => *base_fee_gwei,
            GasModel::Eip1559 { .. } => self.base_fee as f64 / GWEI as f64,
        }
    }

    /// The current base fee in gwei (0 under legacy): the constant model's exactly as given,
    /// EIP-1559's from its integer wei.
    pub fn base_fee_gwei(&self) -> f64 {
        match &self.model {
            GasModel::Constant { base_fee_gwei } => *base_fee_gwei,
            _ => self.base_fee as f64 / GWEI as f64,
        }
    }

    /// The cost (ETH) of `gas` at the current base fee plus a priority fee of `tip_gwei`
    /// (under legacy, whose base fee is 0, `tip_gwei` is the whole gas price). Behaviour and
    /// display only: protocol ledgers charge integer wei.
    pub fn cost_eth(&self, gas: u64, tip_gwei: f64) -> f64 {
        gas as f64 * (self.base_fee_gwei() + tip_gwei) * 1e-9
    }

    /// Gas available to agents in each block.
    pub fn agent_gas(&self) -> u64 {
        match self.model {
            // Exact, whatever the size (no round trip through f64).
            GasModel::Constant { .. } => self.block_gas_limit,
            _ => (self.block_gas_limit as f64 * self.agent_gas_share) as u64,
        }
    }

    /// Opens a block at `now`: its inclusion threshold and agents' gas. Only the legacy model
    /// draws from `rng` (the threshold's noise).
    pub fn open_block(&mut self, now: i64, rng: &mut ChaCha8Rng) -> BlockGas {
        let agent_gas = self.agent_gas();
        match &self.model {
            GasModel::Legacy {
                p30,
                p60,
                p90,
                inclusion_percentile,
                noise_sigma,
            } => {
                let base = percentile_price(
                    p30.price_at(now),
                    p60.price_at(now),
                    p90.price_at(now),
                    *inclusion_percentile,
                );
                let z = std_normal(rng);
                BlockGas {
                    min_price_gwei: base * (noise_sigma * z).exp(),
                    agent_gas,
                    base_fee_wei: 0,
                }
            }
            GasModel::Constant { .. } => BlockGas {
                min_price_gwei: 0.0,
                agent_gas,
                base_fee_wei: self.base_fee,
            },
            GasModel::Eip1559 { .. } => BlockGas {
                min_price_gwei: self.base_fee as f64 / GWEI as f64,
                agent_gas,
                base_fee_wei: self.base_fee,
            },
        }
    }

    /// Closes a block in which agents (and oracle updates) used `agent_used` gas: applies
    /// the London base-fee update (no-op under the legacy and constant models).
    pub fn close_block(&mut self, agent_used: u64) {
        if let GasModel::Eip1559 {
            utilisation,
            base_fee_wei,
            elasticity,
        } = self.model
        {
            let rel = base_fee_wei as f64 / self.base_fee.max(1) as f64;
            let background = (self.block_gas_limit as f64 * utilisation * rel.powf(elasticity))
                .min(self.block_gas_limit.saturating_sub(agent_used) as f64);
            let used = background as u64 + agent_used;
            self.base_fee = next_base_fee(self.base_fee, used, self.block_gas_limit / 2);
        }
    }

    /// The current base fee (wei; 0 under legacy): the fee of the next block.
    pub fn base_fee_wei(&self) -> u128 {
        self.base_fee
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
    fn oracle_updates_take_block_gas_before_agents() {
        let mut g = london(1.0);
        let mut rng = crate::rng::stream(1, "tests");
        let mut bg = g.open_block(0, &mut rng);
        let before = bg.agent_gas;
        let (taken, eth) = bg.reserve(2 * 250_000);
        assert_eq!(taken, 500_000);
        assert_eq!(bg.agent_gas, before - 500_000);
        assert!((eth - 500_000.0 * 25.0 * 1e-9).abs() < 1e-12);
        let mut pool = crate::mempool::Mempool::default();
        for i in 0..4u32 {
            pool.submit(crate::mempool::Tx {
                sender: i,
                action: (),
                fee_gwei: 40.0,
                tie: u64::from(i),
                submitted: 0,
                not_before: 0,
                gas: 450_000,
                replace_key: None,
            });
        }
        // 1.5M of agents' gas fits three 450k transactions; after the oracle's 500k, two.
        assert_eq!(
            pool.build_block(0, bg.min_price_gwei, bg.agent_gas).len(),
            2
        );
        // The oracle's gas counts in the block's use: the base fee rises more.
        let mut h = london(1.0);
        h.close_block(900_000);
        g.close_block(900_000 + taken);
        assert!(g.base_fee_wei() > h.base_fee_wei());
    }

    #[test]
    fn constant_market_charges_base_plus_tip_and_never_moves() {
        let mut g = GasMarket::constant(0.5, 3_000_000);
        let mut rng = crate::rng::stream(1, "tests");
        let before = rng.clone();
        for b in 0..3 {
            let bg = g.open_block(b * 12, &mut rng);
            assert_eq!(bg.agent_gas, 3_000_000);
            assert_eq!(bg.min_price_gwei, 0.0);
            g.close_block(3_000_000);
        }
        assert_eq!(rng, before, "the constant model draws nothing");
        assert_eq!(g.base_fee_gwei(), 0.5);
        assert_eq!(g.base_fee_wei(), 500_000_000);
        assert_eq!(g.observed_gwei(0), 0.5);
        // The engine's former `gas × (base + tip) × 1e-9`, bit for bit.
        assert_eq!(g.cost_eth(210_000, 2.0), 210_000.0 * (0.5 + 2.0) * 1e-9);
        // Agents' gas is exact beyond f64's integers.
        assert_eq!(
            GasMarket::constant(1.0, u64::MAX - 1).agent_gas(),
            u64::MAX - 1
        );
    }

    #[test]
    fn london_rule() {
        assert_eq!(next_base_fee(1_000, 15, 15), 1_000);
        assert_eq!(next_base_fee(1_000, 30, 15), 1_125);
        assert_eq!(next_base_fee(1_000, 0, 15), 875);
        assert_eq!(next_base_fee(1, 16, 15), 2);
    }

    fn london(elasticity: f64) -> GasMarket {
        GasMarket::new(
            GasModel::Eip1559 {
                base_fee_wei: 25 * GWEI,
                utilisation: 0.5,
                elasticity,
            },
            30_000_000,
            0.05,
        )
    }

    #[test]
    fn agents_raise_the_base_fee_and_elastic_demand_brings_it_back() {
        let mut g = london(1.0);
        for _ in 0..200 {
            g.close_block(1_500_000);
        }
        let busy = g.base_fee_wei();
        // Equilibrium where background + agents meet the target: 25 × 15 / 13.5 gwei.
        assert!(busy > 25 * GWEI && busy < 29 * GWEI, "{busy}");
        for _ in 0..200 {
            g.close_block(0);
        }
        let calm = g.base_fee_wei();
        assert!(
            calm < busy && calm.abs_diff(25 * GWEI) < GWEI / 10,
            "{calm}"
        );
    }

    #[test]
    fn inelastic_demand_at_target_ratchets_the_base_fee() {
        let mut g = london(0.0);
        for _ in 0..200 {
            g.close_block(1_500_000);
        }
        for _ in 0..200 {
            g.close_block(0);
        }
        assert!(g.base_fee_wei() > 100 * GWEI);
    }

    #[test]
    fn percentiles_interpolate_monotonically() {
        let a = percentile_price(5.0, 10.0, 40.0, 30.0);
        let b = percentile_price(5.0, 10.0, 40.0, 45.0);
        let c = percentile_price(5.0, 10.0, 40.0, 90.0);
        assert!((a - 5.0).abs() < 1e-9 && a < b && b < 10.0 && (c - 40.0).abs() < 1e-9);
    }
}
