//! Depositors in the block loop: attention, decisions, withdrawals and retries
//! (model: `bankrun_agents::depositor`, reference/behaviour.md §1.3).
//!
//! A depositor that decided to exit sizes each withdrawal to what it sees available at the
//! start of the block (`min(exit demand, balance, virtual balance)`), as the Aave UI does.
//! When several do so in one block, the first in block order get the liquidity and the rest
//! revert (Panic 0x11) and retry after their class's retry delay: the first-come-first-served
//! race at 100 % utilization.

use bankrun_aave::U256;
use bankrun_agents::{MarketView, draw_signal_noise, exp_blocks, risk_score};
use bankrun_chain::units::ray_to_f64;
use rand::RngExt;

use bankrun_chain::TokenId;
use bankrun_world::Call;

use crate::population::{Population, Sender};

/// Supply balance below which a depositor counts as gone, USD (as borrowers' close-out).
const DUST_USD: f64 = 10.0;

/// Outcome of a depositor's transaction.
pub enum Outcome {
    /// Withdrawn amount, token units.
    Served(U256),
    /// Reverted (paid gas).
    Reverted,
    /// Dropped from the mempool (paid nothing).
    Dropped,
}

impl Population {
    /// What depositors of reserve `a` observe this block (cached per block).
    pub fn market_view(&mut self, a: usize) -> MarketView {
        if let Some(v) = self.views[a] {
            return v;
        }
        let t = self.t();
        // Signals of other reserves count at their similarity (zero without contagion; the
        // sums run in reserve order, so the result does not depend on anything else).
        let mut visible_outflow = 0.0;
        let mut deficit_share = 0.0;
        for b in 0..self.assets.len() {
            let w = self.seen(b, a);
            if w == 0.0 {
                continue;
            }
            let supply = self
                .tokens(b, self.pool.get().total_supply(t, b))
                .max(f64::MIN_POSITIVE);
            let deficit = self.tokens(b, self.pool.get().reserve(b).deficit);
            visible_outflow +=
                w * self.visible[b].1 / self.assets[b].initial_supply.max(f64::MIN_POSITIVE);
            deficit_share += w * deficit / supply;
        }
        let depeg = self
            .capos
            .iter()
            .zip(&self.observed.backing_loss)
            .map(|(c, loss)| loss * c.asset.map_or(1.0, |b| self.heard(b, a)))
            .fold(0.0, f64::max);
        let pool = self.pool.get();
        let r = pool.reserve(a);
        let v = MarketView {
            utilization: ray_to_f64(self.pool.get().utilization(t, a)),
            optimal_usage: r.config.rate.optimal_usage_ratio as f64 / 10_000.0,
            supply_apr: ray_to_f64(r.current_liquidity_rate),
            visible_outflow,
            news: self.news_level(a),
            depeg,
            deficit_share,
        };
        self.views[a] = Some(v);
        v
    }

    /// Attention rate of a depositor's class now, per hour (news about its reserve, or heard
    /// from similar ones, multiplies it).
    fn attention(&self, class: usize, a: usize) -> f64 {
        let c = &self.scn.scenario.depositors[class];
        let boost = 1.0 + (c.news_attention_multiplier - 1.0) * self.news_level(a).min(1.0);
        c.attention_per_hour * boost.max(0.0)
    }

    fn schedule_attention(&mut self, i: usize) {
        let rate = self.attention(self.depositors[i].class, self.depositors[i].asset);
        let wait = exp_blocks(rate, self.block_time(), &mut self.rng.depositors);
        let g = self.depositors[i].generation;
        self.schedule(
            self.block.saturating_add(wait),
            Sender::Depositor(i as u32),
            g,
        );
    }

    fn schedule_after_mean(&mut self, i: usize, mean_blocks: f64) {
        let wait = exp_blocks(
            self.blocks_per_hour() / mean_blocks.max(1e-9),
            self.block_time(),
            &mut self.rng.depositors,
        );
        let g = self.depositors[i].generation;
        self.schedule(
            self.block + wait.min(u64::MAX / 2),
            Sender::Depositor(i as u32),
            g,
        );
    }

    /// Redraws every idle depositor's next attention time (after news: Poisson attention is
    /// memoryless, so redrawing at the new rate is exact).
    pub fn redraw_attention(&mut self) {
        for i in 0..self.depositors.len() {
            let d = &mut self.depositors[i];
            if d.pending || !d.target.is_zero() {
                continue;
            }
            d.generation += 1;
            self.schedule_attention(i);
        }
    }

    /// Waiting depositors of every reserve with available liquidity that poll this block
    /// (see [`crate::parked`]), as wake-ups at their current generation.
    pub fn draw_polls(&mut self) -> Vec<(Sender, u32)> {
        let mut ids = Vec::new();
        for a in 0..self.assets.len() {
            if self.parked.waiting_on(a) > 0 && !self.pool.get().available_liquidity(a).is_zero() {
                self.parked.draw_polls(a, &mut self.rng.polls, &mut ids);
            }
        }
        ids.into_iter()
            .map(|i| (Sender::Depositor(i), self.depositors[i as usize].generation))
            .collect()
    }

    /// A depositor wakes up.
    pub fn wake_depositor(&mut self, i: usize) {
        let d = &self.depositors[i];
        if d.pending || d.gone {
            return;
        }
        let (a, class) = (d.asset, d.class);
        if !d.target.is_zero() {
            // A depositor waiting to exit polls for liquidity: with none available it waits
            // (reading the virtual balance costs nothing; its own balance does).
            if self.pool.get().available_liquidity(a).is_zero() {
                return self.parked.park(i, a, class);
            }
            let Some(balance) = self.live_balance(i) else {
                return;
            };
            return self.send_withdrawal(i, balance);
        }
        let view = self.market_view(a);
        let risk = risk_score(&self.weights, &view);
        let traits = self.depositors[i].traits;
        let eps = self.signal_noise(i);
        match traits.decide(risk, eps, &mut self.rng.depositors) {
            Some(phi) => {
                let Some(balance) = self.live_balance(i) else {
                    return;
                };
                let ppm = (phi * 1e6).round() as u64;
                let mut target = balance * U256::from(ppm) / U256::from(1_000_000u64);
                // A remainder below the dust value is withdrawn too (the UI's "max").
                if self.is_dust(a, balance - target) {
                    target = balance;
                }
                if target.is_zero() {
                    return self.schedule_attention(i);
                }
                let d = &mut self.depositors[i];
                d.target = target;
                d.demand += target;
                self.rec.class_pending[class] += target;
                d.first_decision.get_or_insert(self.block);
                let latency = self.scn.scenario.depositors[class].latency_blocks;
                self.schedule_after_mean(i, latency.max(1.0));
            }
            None => self.schedule_attention(i),
        }
    }

    /// Depositor `i`'s supply balance, or `None` (and the depositor is marked gone) when it is
    /// zero, or below the dust value after an exit: interest accrued after a full withdrawal
    /// is not worth a withdrawal's gas, so the depositor stops watching.
    fn live_balance(&mut self, i: usize) -> Option<U256> {
        let d = &self.depositors[i];
        let balance = self.pool.get().supply_balance(self.t(), d.user, d.asset);
        let gone = balance.is_zero() || (!d.demand.is_zero() && self.is_dust(d.asset, balance));
        self.depositors[i].gone |= gone;
        (!gone).then_some(balance)
    }

    /// Whether `units` of reserve `a` are worth less than [`DUST_USD`].
    fn is_dust(&self, a: usize, units: U256) -> bool {
        self.tokens(a, units) * self.price_usd(a) < DUST_USD
    }

    /// The depositor's signal noise ε, redrawn at most once an hour.
    fn signal_noise(&mut self, i: usize) -> f64 {
        let hour = self.blocks_per_hour() as u64;
        let (eps, drawn) = self.depositors[i].noise;
        match drawn {
            Some(b) if self.block < b + hour => eps,
            _ => {
                let eps = draw_signal_noise(&mut self.rng.depositors);
                self.depositors[i].noise = (eps, Some(self.block));
                eps
            }
        }
    }

    fn send_withdrawal(&mut self, i: usize, balance: U256) {
        let d = &self.depositors[i];
        let a = d.asset;
        let amount = d
            .target
            .min(balance)
            .min(self.pool.get().available_liquidity(a));
        if amount.is_zero() {
            return self.parked.park(i, a, d.class);
        }
        let class = &self.scn.scenario.depositors[d.class];
        let priority = class.priority_fee_gwei * (0.5 * self.rng.mempool.random::<f64>() + 0.75);
        self.depositors[i].pending = true;
        let call = Call::Withdraw {
            token: a as TokenId,
            amount,
        };
        self.submit(Sender::Depositor(i as u32), call, priority, 0);
    }

    /// Applies a transaction outcome to its depositor.
    pub fn depositor_outcome(&mut self, i: usize, outcome: Outcome, gas_eth: f64) {
        let d = &mut self.depositors[i];
        d.pending = false;
        d.gas_eth += gas_eth;
        let class = d.class;
        match outcome {
            Outcome::Served(x) => {
                d.txs += 1;
                self.rec.class_pending[class] -= x.min(d.target);
                d.target = d.target.saturating_sub(x);
                d.withdrawn += x;
                let a = d.asset;
                let done = d.target.is_zero();
                if done {
                    d.completed = Some(self.block);
                }
                let tokens = self.tokens(a, x);
                let usd = tokens * self.price_usd(a);
                self.rec.class_withdrawn(class, usd);
                if self.scn.scenario.depositors[class].visible {
                    self.record_visible(a, tokens);
                }
                if done {
                    // Gone once what is left is dust; otherwise back to watching.
                    if self.live_balance(i).is_some() {
                        self.schedule_attention(i)
                    }
                } else {
                    self.schedule(
                        self.block + 1,
                        Sender::Depositor(i as u32),
                        self.depositors[i].generation,
                    )
                }
            }
            Outcome::Reverted | Outcome::Dropped => {
                if matches!(outcome, Outcome::Reverted) {
                    d.txs += 1;
                    d.reverted += 1;
                }
                let a = d.asset;
                self.parked.park(i, a, class);
            }
        }
    }

    /// Records a visible large-wallet withdrawal of `tokens` (whole tokens) from reserve `a`
    /// in this block: others read it in their risk score's outflow term until
    /// [`Self::prune_visible`] drops it.
    pub(crate) fn record_visible(&mut self, a: usize, tokens: f64) {
        let v = &mut self.visible[a];
        v.0.push_back((self.block, tokens));
        v.1 += tokens;
    }

    /// Drops visible outflows older than the window.
    pub fn prune_visible(&mut self) {
        let window =
            (self.scn.scenario.behaviour.outflow_window_hours * self.blocks_per_hour()) as u64;
        for v in &mut self.visible {
            while let Some(&(b, x)) = v.0.front() {
                if self.block.saturating_sub(b) <= window {
                    break;
                }
                v.0.pop_front();
                v.1 -= x;
            }
            if v.0.is_empty() {
                v.1 = 0.0;
            }
        }
    }
}
