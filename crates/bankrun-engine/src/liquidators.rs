//! Liquidators in the block loop: discover liquidatable positions through the liquidation
//! index, value each call (bonus net of protocol fee, gas, price risk over the holding time;
//! reference/behaviour.md §3.2) and send it within their free capital.

use bankrun_aave::{AssetId, U256, UserId};
use bankrun_agents::exp_blocks;
use bankrun_agents::{LiquidationQuote, expected_profit_usd, profit_margin};
use bankrun_chain::units::{base_to_usd, tokens_to_units, u256_to_f64};

use bankrun_chain::TokenId;
use bankrun_world::{AaveCall, Call};

use crate::population::{Population, Sender};

/// Blocks between scans when no price moved (interest drifts health factors slowly).
pub const SCAN_EVERY: u64 = 25;
/// `CLOSE_FACTOR_HF_THRESHOLD` (0.95) of `LiquidationLogic`.
const CLOSE_FACTOR_HF: f64 = 0.95;
/// `MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD` ($2,000) of `LiquidationLogic` (v3.3+).
const MIN_BASE_CLOSE_FACTOR_USD: f64 = 2000.0;
/// Blocks after which an account every liquidator passed over is valued again even if no
/// price moved (one hour of 12-second blocks).
pub const RECHECK_BLOCKS: u64 = 300;

/// Collateral volatility a liquidator assumes when its spec names none (annual).
const DEFAULT_VOL: f64 = 0.6;

/// Why an underwater account is skipped by liquidation scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassedOver {
    /// Block every liquidator passed it over (`u64::MAX`: not passed over).
    pub at: u64,
    /// No size of the call pays for any liquidator: skipped until a price or the account
    /// changes, not only for [`RECHECK_BLOCKS`].
    pub hopeless: bool,
}

impl PassedOver {
    /// Not passed over.
    pub const NOT: PassedOver = PassedOver {
        at: u64::MAX,
        hopeless: false,
    };

    /// Whether a scan at `block` skips the account, given the last oracle price change.
    pub fn skips(&self, block: u64, last_price_change: u64) -> bool {
        self.at != u64::MAX
            && last_price_change <= self.at
            && (self.hopeless || block < self.at + RECHECK_BLOCKS)
    }
}

/// A liquidatable account, valued once per scan for all liquidators (USD at oracle prices).
struct Candidate {
    user: UserId,
    collateral: AssetId,
    debt: AssetId,
    /// Debt a liquidator may cover under the close factor, USD.
    max_cover_usd: f64,
    /// Liquidation bonus as a fraction.
    bonus: f64,
    /// Protocol fee as a fraction of the bonus.
    protocol_fee: f64,
    collateral_price: f64,
    debt_price: f64,
}

impl Population {
    /// Releases capital whose collateral has been sold.
    pub fn release_capital(&mut self) {
        let b = self.block;
        for l in &mut self.liquidators {
            while let Some(&(due, usd)) = l.locked.front() {
                if due > b {
                    break;
                }
                l.capital += usd;
                l.locked.pop_front();
            }
        }
    }

    /// Scans for liquidatable positions when prices moved or every [`SCAN_EVERY`] blocks.
    ///
    /// An account every liquidator passed over is looked at again only after an oracle price
    /// changed or [`RECHECK_BLOCKS`] later (its debt grows slowly with interest), so a book of
    /// unprofitable underwater accounts does not cost every scan; one whose bonus cannot cover
    /// the price risk at any size waits for a price, its position or a scripted event to
    /// change.
    pub fn scan_liquidations(&mut self) {
        if self.liquidators.is_empty()
            || !(self.prices_changed || self.block.is_multiple_of(SCAN_EVERY))
        {
            return;
        }
        let t = self.t();
        let candidates = self.index.candidates(&self.pool.get(), t);
        for (user, pair) in candidates {
            if let Some(p) = self.passed_over.get(user as usize)
                && p.skips(self.block, self.last_price_change)
            {
                continue;
            }
            let Some(candidate) = self.candidate(user, pair) else {
                continue;
            };
            let mut sent = false;
            for j in 0..self.liquidators.len() {
                sent |= self.consider(j, &candidate);
            }
            let mark = if sent {
                PassedOver::NOT
            } else {
                PassedOver {
                    at: self.block,
                    hopeless: self.hopeless(&candidate),
                }
            };
            let slot = user as usize;
            if self.passed_over.len() <= slot {
                self.passed_over.resize(slot + 1, PassedOver::NOT);
            }
            self.passed_over[slot] = mark;
        }
    }

    /// Whether no liquidator would take any size of this call: the bonus net of fee does not
    /// cover its price risk ([`profit_margin`] ≤ 0), which interest accrual cannot change.
    fn hopeless(&self, cand: &Candidate) -> bool {
        let symbol = &self.assets[cand.collateral].symbol;
        self.liquidators.iter().all(|l| {
            let spec = &self.scn.scenario.liquidators[l.spec];
            let vol = spec.volatility.get(symbol).copied().unwrap_or(DEFAULT_VOL);
            profit_margin(&l.traits, cand.bonus, cand.protocol_fee, vol) <= 0.0
        })
    }

    /// Values a possibly liquidatable account once for all liquidators; `None` if it is not
    /// liquidatable (exact health factor ≥ 1) or has nothing to liquidate.
    fn candidate(&self, user: UserId, pair: Option<(AssetId, AssetId)>) -> Option<Candidate> {
        let t = self.t();
        let acct = self.pool.get().user_account_data(t, user);
        if acct.health_factor >= U256::from(1_000_000_000_000_000_000u64) {
            return None;
        }
        let hf = u256_to_f64(acct.health_factor) / 1e18;
        let (c, d) = pair.or_else(|| self.largest_pair(user))?;
        let big = base_to_usd(acct.total_collateral_base) >= MIN_BASE_CLOSE_FACTOR_USD
            && base_to_usd(acct.total_debt_base) >= MIN_BASE_CLOSE_FACTOR_USD;
        let close_factor = if hf > CLOSE_FACTOR_HF && big {
            0.5
        } else {
            1.0
        };
        let (pc, pd) = (self.price_usd(c), self.price_usd(d));
        let debt_in_d = self.tokens(d, self.pool.get().debt_balance(t, user, d)) * pd;
        let max_cover_usd = (base_to_usd(acct.total_debt_base) * close_factor).min(debt_in_d);
        if max_cover_usd <= 0.0 || pd <= 0.0 || pc <= 0.0 {
            return None;
        }
        Some(Candidate {
            user,
            collateral: c,
            debt: d,
            max_cover_usd,
            bonus: (self.effective_bonus(user, c) as f64 - 10_000.0) / 10_000.0,
            protocol_fee: self.pool.get().reserve(c).config.liquidation_protocol_fee as f64
                / 10_000.0,
            collateral_price: pc,
            debt_price: pd,
        })
    }

    /// The (collateral, debt) pair with the largest collateral and the largest debt.
    fn largest_pair(&self, user: UserId) -> Option<(AssetId, AssetId)> {
        let t = self.t();
        let value = |a: AssetId, x: U256| self.tokens(a, x) * self.price_usd(a);
        let n = self.assets.len();
        let c = (0..n)
            .filter(|&a| self.effective_lt(user, a) > 0)
            .map(|a| (a, value(a, self.pool.get().supply_balance(t, user, a))))
            .filter(|x| x.1 > 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        let d = (0..n)
            .map(|a| (a, value(a, self.pool.get().debt_balance(t, user, a))))
            .filter(|x| x.1 > 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        Some((c.0, d.0))
    }

    /// Liquidator `j` values liquidating the candidate and sends the call if it pays.
    /// Returns whether it sent one.
    fn consider(&mut self, j: usize, cand: &Candidate) -> bool {
        let l = &self.liquidators[j];
        if l.pending.contains_key(&cand.user) || l.capital <= 0.0 {
            return false;
        }
        let spec = &self.scn.scenario.liquidators[l.spec];
        let (user, c, d, pd) = (cand.user, cand.collateral, cand.debt, cand.debt_price);
        let cover_usd = cand.max_cover_usd.min(l.capital);
        let gas = self.scn.scenario.chain.gas.liquidation;
        let quote = LiquidationQuote {
            debt_usd: cover_usd,
            bonus: cand.bonus,
            protocol_fee: cand.protocol_fee,
            gas_usd: self.gas_eth(gas, spec.priority_fee_gwei) * self.eth_usd(),
            collateral_vol: spec
                .volatility
                .get(&self.assets[c].symbol)
                .copied()
                .unwrap_or(DEFAULT_VOL),
        };
        if expected_profit_usd(&l.traits, &quote) < l.traits.min_profit_usd {
            return false;
        }
        let amount = tokens_to_units(cover_usd / pd, self.assets[d].decimals);
        let seize = tokens_to_units(
            cover_usd * (1.0 + quote.bonus) / cand.collateral_price,
            self.assets[c].decimals,
        );
        let receive_a_token = self.pool.get().available_liquidity(c) < seize;
        let latency = exp_blocks(
            self.blocks_per_hour() / spec.latency_blocks.max(1e-9),
            self.block_time(),
            &mut self.rng.liquidators,
        );
        // Latency 1 means "next block": the call reaches the mempool after this block is
        // built and is includable from the next one.
        let call = Call::Aave(AaveCall::LiquidationCall {
            borrower: user,
            debt: d as TokenId,
            collateral: c as TokenId,
            repay: amount,
            receive_a_token,
        });
        let fee = spec.priority_fee_gwei;
        let l = &mut self.liquidators[j];
        l.capital -= cover_usd;
        l.pending.insert(user, cover_usd);
        self.submit(Sender::Liquidator(j as u32), call, fee, latency.max(1));
        true
    }

    /// Applies a liquidation outcome: `Some(debt repaid in USD)` on success.
    pub fn liquidator_outcome(&mut self, j: usize, user: UserId, repaid_usd: Option<f64>) {
        let hold = (self.scn.scenario.liquidators[self.liquidators[j].spec].hold_hours
            * self.blocks_per_hour()) as u64;
        let block = self.block;
        let l = &mut self.liquidators[j];
        let reserved = l.pending.remove(&user).unwrap_or(0.0);
        match repaid_usd {
            Some(used) => {
                l.capital += (reserved - used).max(0.0);
                l.locked.push_back((block + hold.max(1), used));
            }
            None => l.capital += reserved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passed_over_accounts_wait_for_a_recheck_or_a_price_change() {
        let at = 1_000;
        let plain = PassedOver {
            at,
            hopeless: false,
        };
        let hopeless = PassedOver { at, hopeless: true };
        assert!(!PassedOver::NOT.skips(at + 1, 0));
        // Unprofitable for now: looked at again after RECHECK_BLOCKS.
        assert!(plain.skips(at + RECHECK_BLOCKS - 1, 0));
        assert!(!plain.skips(at + RECHECK_BLOCKS, 0));
        // Unprofitable at any size: skipped until a price moves.
        assert!(hopeless.skips(at + 100 * RECHECK_BLOCKS, at));
        assert!(!hopeless.skips(at + 2, at + 1));
        assert!(!plain.skips(at + 2, at + 1));
    }
}
