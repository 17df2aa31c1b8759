//! An arbitrageur between an AMM pool and a CEX book of the same pair: when the pool's price
//! strays from the CEX mid by more than the fee, and half the gap on the rebalancing trade
//! beats the gas, it trades the pool back to the mid on-chain and hedges on the CEX after the
//! block. One trade in flight at a time; the amount is fixed when it decides, so a trade that
//! waits for inclusion meets the pool as it then is.
//!
//! Behaviour: `bankrun_agents::arbitrageur` (`pool_rebalance_base`, `arbitrage_profit_usd`;
//! reference/behaviour.md §4, arbitrageurs).

use bankrun_agents::{arbitrage_profit_usd, pool_rebalance_base};
use bankrun_chain::TokenId;
use bankrun_maker::U256;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, Target, VenueId};
use crate::error::WorldError;
use crate::protocols::maker::to_fixed;
use crate::record::TxRecord;
use crate::venues::UniswapV2;

/// Uniswap v2's fee, the pool's (0.3 %).
const POOL_FEE: f64 = 0.003;

/// An arbitrageur's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueArbitrageurSpec {
    /// Display name.
    pub name: String,
    /// The AMM pool and the CEX book.
    pub venues: (VenueId, VenueId),
    /// Base (ETH) and quote (stablecoin) tokens, with the quote's decimals.
    pub tokens: (TokenId, TokenId, u8),
    /// Blocks between seeing a gap and the trade's earliest inclusion (at least 1).
    pub latency_blocks: u64,
    /// Gas of the pool trade.
    pub gas: u64,
    /// Bids this multiple of the observed gas price.
    pub gas_multiplier: f64,
}

/// A pool/CEX arbitrageur.
#[derive(Debug, Clone)]
pub struct VenueArbitrageur {
    spec: VenueArbitrageurSpec,
    /// A pool trade in flight: (ETH amount, sold to the pool?).
    pending: Option<(U256, bool)>,
    /// A mined pool trade to hedge on the CEX after the block.
    hedge: Option<(U256, bool)>,
    trades: u64,
}

impl VenueArbitrageur {
    /// A new arbitrageur.
    pub fn new(spec: VenueArbitrageurSpec) -> Self {
        VenueArbitrageur {
            spec,
            pending: None,
            hedge: None,
            trades: 0,
        }
    }

    /// Pool trades mined so far.
    pub fn trades(&self) -> u64 {
        self.trades
    }
}

impl Agent for VenueArbitrageur {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        if self.pending.is_some() {
            return Ok(());
        }
        let (pool_id, cex_id) = self.spec.venues;
        let (eth, stable, _) = self.spec.tokens;
        let unknown = |id| WorldError::Unknown { kind: "venue", id };
        let pool = view.venue(pool_id).ok_or(unknown(pool_id))?;
        let mid = view
            .venue(cex_id)
            .ok_or(unknown(cex_id))?
            .price(eth, stable)?;
        let (r0, r1) = pool
            .as_any()
            .downcast_ref::<UniswapV2>()
            .ok_or(WorldError::Unsupported {
                target: pool.name().to_string(),
                what: "arbitrage against a pool that is not Uniswap v2".into(),
            })?
            .reserves_of(eth)?;
        let (r_eth, r_stable) = (units(r0, 18), units(r1, self.spec.tokens.2));
        let base = pool_rebalance_base(r_eth, r_stable, mid, POOL_FEE);
        let gap = (pool.price(eth, stable)? / mid - 1.0).abs();
        let gwei = view.gas_observed_gwei * self.spec.gas_multiplier;
        let gas_usd = self.spec.gas as f64 * gwei * 1e-9 * mid;
        if base == 0.0 || arbitrage_profit_usd(base, gap, mid, POOL_FEE, gas_usd) <= 0.0 {
            return Ok(());
        }
        let amount = to_fixed(base.abs(), 18);
        if amount.is_zero() {
            return Ok(());
        }
        let call = if base > 0.0 {
            Call::SwapExactIn {
                token_in: eth,
                token_out: stable,
                amount_in: amount,
                min_out: U256::ZERO,
            }
        } else {
            Call::BuyExactOut {
                token_in: stable,
                token_out: eth,
                amount_out: amount,
                max_in: U256::MAX,
            }
        };
        let mut sub = Submission::new(Target::Venue(pool_id), call, gwei);
        sub.gas = Some(self.spec.gas);
        sub.latency_blocks = self.spec.latency_blocks.max(1);
        out.push(sub);
        self.pending = Some((amount, base > 0.0));
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        if record.direct {
            return;
        }
        if let Some(p) = self.pending.take()
            && record.outcome.is_ok()
        {
            self.trades += 1;
            self.hedge = Some(p);
        }
    }

    fn on_dropped(&mut self, _sub: &Submission) {
        self.pending = None;
    }

    /// The CEX leg: buys back the ETH sold to the pool, or sells the ETH bought from it.
    fn after_block(
        &mut self,
        _me: AgentId,
        _view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let Some((amount, sold)) = self.hedge.take() else {
            return Ok(());
        };
        let (eth, stable, _) = self.spec.tokens;
        let call = if sold {
            Call::BuyExactOut {
                token_in: stable,
                token_out: eth,
                amount_out: amount,
                max_in: U256::MAX,
            }
        } else {
            Call::SwapExactIn {
                token_in: eth,
                token_out: stable,
                amount_in: amount,
                min_out: U256::ZERO,
            }
        };
        out.push(Submission::new(
            Target::Venue(self.spec.venues.1),
            call,
            0.0,
        ));
        Ok(())
    }
}

fn units(x: U256, decimals: u8) -> f64 {
    bankrun_chain::units::units_to_tokens(x, decimals)
}
