//! The Anchor Liquidation Queue: bid pools by premium slot, the liquidation amount query and
//! bid execution, with bids aggregated per slot.
//!
//! Sources: `money-market-contracts@e8853fab` `contracts/liquidation_queue/src/query.rs`
//! (`query_liquidation_amount`, `compute_collateral_weights`) and `src/bid.rs`
//! (`execute_liquidation`, `execute_pool_liquidation`); anchor-docs `protocol/loan-liquidation.md`
//! (Mar 2022: bids in premium slots 0–30 % by 1 %, lowest premium first; safe ratio 0.8;
//! partial liquidation above 2,000 UST of collateral; 1 % bid fee to the yield reserve, 1 %
//! to the liquidator).
//!
//! # Simplification (stated)
//! Each slot is one aggregated bid pool (`total_bid_amount`, `premium_rate`): individual
//! bids, their activation delay (10 min, waived below 5M/1M UST of bids), retraction and the
//! product/sum snapshots that share a slot's proceeds among bidders are not modelled; the
//! collateral bought per collateral type is accumulated in [`LiquidationQueue::bought`]. The
//! oracle price is supplied by the caller (no `price_timeframe` staleness check).
//!
//! # Units
//! Bids in uusd ([`Uint256`]); collateral in micro-units; prices [`Decimal256`] uusd per
//! collateral micro-unit (= UST per token for 6-decimal tokens); rates and fees fractions.

use crate::decimal::{Decimal256, Uint256};
use crate::tax::TerraTax;
use crate::{AnchorError, CollateralId};

/// The liquidation queue's config (the fields the model uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationConfig {
    /// `safe_ratio`: target `loan / borrow_limit` after a partial liquidation.
    pub safe_ratio: Decimal256,
    /// `bid_fee`: share of executed bids sent to the `fee_address` (the overseer, i.e. the
    /// yield reserve).
    pub bid_fee: Decimal256,
    /// `liquidator_fee`: share of executed bids sent to the liquidator.
    pub liquidator_fee: Decimal256,
    /// `liquidation_threshold`: total collateral value (uusd) at or below which everything is
    /// liquidated (safe ratio 0).
    pub liquidation_threshold: Uint256,
}

/// One premium slot's aggregated bids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BidPool {
    /// `premium_rate`: discount to the oracle price (fraction).
    pub premium_rate: Decimal256,
    /// `total_bid_amount`: uusd bid (activated bids).
    pub total_bid_amount: Uint256,
}

/// A collateral holding of a loan as the overseer passes it to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollateralPosition {
    /// Collateral id (index into the overseer whitelist and the queue's pools).
    pub id: CollateralId,
    /// Locked amount (micro-units).
    pub amount: Uint256,
    /// Oracle price (uusd per micro-unit).
    pub price: Decimal256,
    /// The whitelist `max_ltv`.
    pub max_ltv: Decimal256,
}

/// The uusd an `execute_liquidation` produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BidExecution {
    /// Collateral sold (micro-units).
    pub collateral: Uint256,
    /// uusd taken from the bid pools (`repay_amount` before fees).
    pub bids_used: Uint256,
    /// `repay_amount − bid_fee − liquidator_fee`, sent to the market (before tax).
    pub repay_amount: Uint256,
    /// `bid_fee`, sent to the overseer (before tax).
    pub bid_fee: Uint256,
    /// `liquidator_fee`, sent to the liquidator (before tax).
    pub liquidator_fee: Uint256,
}

/// The liquidation queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationQueue {
    /// Config.
    pub config: LiquidationConfig,
    /// Bid pools per collateral id, by slot (lowest premium first, as the slots are
    /// iterated).
    pub pools: Vec<Vec<BidPool>>,
    /// Collateral bought by bidders, per collateral id (micro-units, cumulative).
    pub bought: Vec<Uint256>,
    /// Terra tax on the queue's bank sends.
    pub tax: TerraTax,
}

impl LiquidationQueue {
    /// A queue with no bids.
    pub fn new(config: LiquidationConfig, tax: TerraTax) -> Self {
        LiquidationQueue {
            config,
            pools: Vec::new(),
            bought: Vec::new(),
            tax,
        }
    }

    /// Sets the bid pools of collateral `id` (slot order = execution order).
    pub fn set_pools(&mut self, id: CollateralId, pools: Vec<BidPool>) {
        if self.pools.len() <= id {
            self.pools.resize(id + 1, Vec::new());
            self.bought.resize(id + 1, Uint256::ZERO);
        }
        self.pools[id] = pools;
    }

    /// `read_total_bids`: uusd bid for collateral `id` over all slots.
    ///
    /// # Errors
    /// Overflow.
    pub fn total_bids(&self, id: CollateralId) -> Result<Uint256, AnchorError> {
        self.pools
            .get(id)
            .map_or(&[][..], |v| &v[..])
            .iter()
            .try_fold(Uint256::ZERO, |a, p| a.checked_add(p.total_bid_amount))
    }

    /// `query_liquidation_amount(borrow_amount, borrow_limit, collaterals)`: collateral to
    /// liquidate per position (empty if `borrow_amount ≤ borrow_limit`). Per collateral, with
    /// `weight = min(value, bids)/max_ltv`, `portion = weight/Σweight`, the loan and limit
    /// shares, `fee_deductor = (1 − bid_fee)(1 − liquidator_fee)(1 − tax)`, the slots are
    /// walked until the uusd of bids `g(x)` exceeds what is needed to bring the share to the
    /// safe ratio, `f(x) = SR·LTV·price·x + loan_share − SR·limit_share + tax_cap_adj`; the
    /// amount is then `(loan_share − SR·limit_share + tax_cap_adj + dp·prev_x − prev_g) /
    /// (price·((1 − premium)·fee_deductor − SR·LTV)) + 1`, capped at the locked amount. If
    /// no slot intersects, all collateral the bids can absorb (`x`) is returned.
    ///
    /// # Errors
    /// Division by zero when no collateral has bids (`Σweight = 0`); arithmetic.
    pub fn query_liquidation_amount(
        &self,
        borrow_amount: Uint256,
        borrow_limit: Uint256,
        collaterals: &[CollateralPosition],
    ) -> Result<Vec<(CollateralId, Uint256)>, AnchorError> {
        if borrow_amount <= borrow_limit {
            return Ok(Vec::new());
        }
        // compute_collateral_weights
        let mut collaterals_value = Uint256::ZERO;
        let mut total_weight = Uint256::ZERO;
        let mut weights = Vec::with_capacity(collaterals.len());
        for c in collaterals {
            let value = c.amount.mul_dec(c.price)?;
            let weight = value.min(self.total_bids(c.id)?).div_dec(c.max_ltv)?;
            total_weight = total_weight.checked_add(weight)?;
            collaterals_value = collaterals_value.checked_add(value)?;
            weights.push(weight);
        }
        let safe_ratio = if collaterals_value <= self.config.liquidation_threshold {
            Decimal256::ZERO
        } else {
            self.config.safe_ratio
        };
        let mut tax_rate = self.tax.rate;
        let mut tax_cap_adj = self.tax.cap;
        if borrow_amount.mul_dec(tax_rate)? > tax_cap_adj {
            tax_rate = Decimal256::ZERO;
        } else {
            tax_cap_adj = Uint256::ONE;
        }
        let base_fee_deductor = Decimal256::ONE
            .checked_sub(self.config.bid_fee)?
            .checked_mul(Decimal256::ONE.checked_sub(self.config.liquidator_fee)?)?
            .checked_mul(Decimal256::ONE.checked_sub(tax_rate)?)?;

        let mut result = Vec::with_capacity(collaterals.len());
        for (c, weight) in collaterals.iter().zip(weights) {
            let portion = Decimal256::from_uint256(weight)?
                .checked_div(Decimal256::from_uint256(total_weight)?)?;
            let share_borrow = borrow_amount.mul_dec(portion)?;
            let share_limit = borrow_limit.mul_dec(portion)?;
            let mut x = Uint256::ZERO;
            let mut g_x = Uint256::ZERO;
            let mut intersected = false;
            for pool in self.pools.get(c.id).map_or(&[][..], |v| &v[..]) {
                if pool.total_bid_amount.is_zero() {
                    continue;
                }
                let (prev_x, prev_g_x) = (x, g_x);
                let keep = Decimal256::ONE.checked_sub(pool.premium_rate)?;
                let discounted_price = c.price.checked_mul(keep)?.checked_mul(base_fee_deductor)?;
                x = x.checked_add(pool.total_bid_amount.div_dec(discounted_price)?)?;
                let safe_borrow = share_limit.mul_dec(safe_ratio)?;
                let slope = safe_ratio.checked_mul(c.max_ltv)?.checked_mul(c.price)?;
                let f_x = x
                    .mul_dec(slope)?
                    .checked_add(share_borrow)?
                    .checked_sub(safe_borrow)?
                    .checked_add(tax_cap_adj)?;
                g_x = g_x.checked_add(pool.total_bid_amount)?;
                if g_x > f_x {
                    let nominator = share_borrow
                        .checked_sub(safe_borrow)?
                        .checked_add(tax_cap_adj)?
                        .checked_add(prev_x.mul_dec(discounted_price)?)?
                        .checked_sub(prev_g_x)?;
                    let denominator = c.price.checked_mul(
                        keep.checked_mul(base_fee_deductor)?
                            .checked_sub(safe_ratio.checked_mul(c.max_ltv)?)?,
                    )?;
                    let amount = nominator.div_dec(denominator)?.checked_add(Uint256::ONE)?;
                    result.push((c.id, amount.min(c.amount)));
                    intersected = true;
                    break;
                }
            }
            if !intersected {
                result.push((c.id, x));
            }
        }
        Ok(result)
    }

    /// `execute_liquidation(collateral id, amount)` at oracle `price`: slots are consumed in
    /// order; per slot `premium_price = price·(1 − premium)`, `required = ⌊amount·
    /// premium_price⌋`, capped at the slot's bids (then `⌊bids/premium_price⌋` collateral is
    /// taken). `bid_fee` and `liquidator_fee` are taken from the uusd used; the rest repays.
    ///
    /// # Errors
    /// [`AnchorError::NotEnoughBids`] if collateral is left over; arithmetic. State unchanged
    /// on error.
    pub fn execute_liquidation(
        &mut self,
        id: CollateralId,
        amount: Uint256,
        price: Decimal256,
    ) -> Result<BidExecution, AnchorError> {
        let mut pools = self.pools.get(id).cloned().unwrap_or_default();
        let mut remaining = amount;
        let mut used = Uint256::ZERO;
        let mut filled = false;
        for pool in pools.iter_mut() {
            if pool.total_bid_amount.is_zero() {
                continue;
            }
            let premium_price =
                price.checked_mul(Decimal256::ONE.checked_sub(pool.premium_rate)?)?;
            let mut take = remaining;
            let mut required = take.mul_dec(premium_price)?;
            if required > pool.total_bid_amount {
                required = pool.total_bid_amount;
                take = required.div_dec(premium_price)?;
            } else {
                filled = true;
            }
            pool.total_bid_amount = pool.total_bid_amount.checked_sub(required)?;
            used = used.checked_add(required)?;
            if filled {
                remaining = Uint256::ZERO;
                break;
            }
            remaining = remaining.checked_sub(take)?;
        }
        if !remaining.is_zero() {
            return Err(AnchorError::NotEnoughBids);
        }
        let bid_fee = used.mul_dec(self.config.bid_fee)?;
        let liquidator_fee = used.mul_dec(self.config.liquidator_fee)?;
        let repay_amount = used.checked_sub(bid_fee)?.checked_sub(liquidator_fee)?;
        if self.pools.len() <= id {
            self.pools.resize(id + 1, Vec::new());
        }
        if self.bought.len() <= id {
            self.bought.resize(id + 1, Uint256::ZERO);
        }
        let bought = self.bought[id].checked_add(amount)?;
        self.pools[id] = pools;
        self.bought[id] = bought;
        Ok(BidExecution {
            collateral: amount,
            bids_used: used,
            repay_amount,
            bid_fee,
            liquidator_fee,
        })
    }
}
