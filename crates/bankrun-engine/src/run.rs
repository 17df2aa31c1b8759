//! The block loop. Each block, in this fixed order:
//! 1. scripted events due at the block's timestamp (top of block);
//! 2. oracles observe the market and publish rounds; the pool's prices follow;
//! 3. liquidators free capital and scan for liquidatable positions;
//! 4. agents due to wake observe the state left by the previous block and may send
//!    transactions;
//! 5. the block is built from the mempool (priority fee, then seeded tie-break, within the
//!    gas available) and executed in that order;
//! 6. the end-of-block state is recorded.
//!
//! Within a step, agents are processed in (wake block, agent kind, index) order. Nothing
//! depends on hash-map order or threads, so a scenario and seed give identical results.

use bankrun_aave::U256;
use bankrun_chain::units::u256_to_f64;
use bankrun_metrics::LiquidationRecord;

use crate::depositors::Outcome;
use crate::mempool::{Action, Sender, Tx};
use crate::world::World;

/// The revert reason of a withdrawal above the available liquidity.
const WITHDRAW_UNDERFLOW: &str = "withdraw above available liquidity: Panic(0x11)";

impl World<'_> {
    /// Simulates blocks `1..=blocks`, calling `progress(done, total)` every few hundred blocks.
    pub fn run_blocks(&mut self, blocks: u64, progress: &mut dyn FnMut(u64, u64)) {
        self.start_recording();
        for b in 1..=blocks {
            self.advance_to(b, blocks);
            if b.is_multiple_of(500) || b == blocks {
                progress(b, blocks);
            }
        }
    }

    /// Simulates `count` blocks after block `from` (block 0 = the starting state), for tests
    /// and tools that inspect the world between blocks. Starts recording when `from == 0`.
    pub fn run_blocks_from(&mut self, from: u64, count: u64) {
        if from == 0 {
            self.start_recording();
        }
        for b in from + 1..=from + count {
            self.advance_to(b, u64::MAX);
        }
    }

    fn start_recording(&mut self) {
        self.rec
            .init(self.assets.len(), self.scn.scenario.depositors.len());
        self.record_block();
        self.record_class_initials();
        self.record_classes();
    }

    /// Runs block `b` (the last block of the run is `last`).
    fn advance_to(&mut self, b: u64, last: u64) {
        self.block = b;
        self.now = self.clock.timestamp(b);
        self.step();
        let sample = (self.blocks_per_hour() as u64).max(1);
        if b.is_multiple_of(sample) || b == last {
            self.record_classes();
        }
    }

    fn step(&mut self) {
        self.views.iter_mut().for_each(|v| *v = None);
        self.run_scripted();
        self.update_prices();
        self.release_capital();
        self.scan_liquidations();
        self.wake_agents();
        self.prune_visible();
        self.build_and_execute();
        self.record_block();
    }

    fn update_prices(&mut self) {
        self.market.observe(self.now);
        self.prices_changed = false;
        for a in 0..self.assets.len() {
            let p = U256::from(self.market.answer(self.assets[a].price, self.now));
            if p != self.pool.asset_price(a) {
                self.pool.set_asset_price(a, p);
                self.prices_changed = true;
                self.last_price_change = self.block;
            }
        }
    }

    fn wake_agents(&mut self) {
        let mut due = std::mem::take(&mut self.due);
        self.wakes.drain_into(self.block, &mut due);
        let polls = self.draw_polls();
        if !polls.is_empty() {
            due.extend(polls);
            due.sort_unstable();
        }
        for &(who, g) in &due {
            match who {
                Sender::Depositor(i) if self.depositors[i as usize].generation == g => {
                    self.wake_depositor(i as usize)
                }
                Sender::Borrower(i) => self.wake_borrower(i as usize),
                _ => {}
            }
        }
        self.due = due;
    }

    fn build_and_execute(&mut self) {
        let ttl = self.scn.scenario.chain.mempool_ttl_blocks;
        for tx in self.mempool.expire(self.block, ttl) {
            self.notify(&tx, None, 0.0);
        }
        // Constant model: nothing is drawn, the block's gas and minimum bid never change.
        let block = self.gas.open_block(self.now, &mut self.rng.gas);
        let txs = self
            .mempool
            .build_block(self.block, block.min_price_gwei, block.agent_gas);
        let mut used = 0;
        for tx in txs {
            used += tx.gas;
            self.execute(tx);
        }
        self.gas.close_block(used);
    }

    /// Executes one included transaction and tells its sender.
    fn execute(&mut self, tx: Tx) {
        let t = self.t();
        let sender = self.account_of(tx.sender);
        // What a withdrawal asks for: `type(uint256).max` means the whole balance.
        let requested = match tx.action {
            Action::Withdraw { asset, amount } if amount == U256::MAX => {
                self.pool.supply_balance(t, sender, asset)
            }
            Action::Withdraw { amount, .. } => amount,
            _ => U256::ZERO,
        };
        let result: Result<U256, String> = match tx.action {
            // More than the virtual balance: the pool's withdraw would revert with an
            // underflow (Panic 0x11) when it subtracts the amount; skip the call, which would
            // only accrue state to roll it back.
            Action::Withdraw { asset, .. } if requested > self.pool.available_liquidity(asset) => {
                Err(WITHDRAW_UNDERFLOW.into())
            }
            Action::Withdraw { asset, amount } => self
                .pool
                .withdraw(t, sender, asset, amount)
                .map_err(|e| e.to_string()),
            Action::Repay { asset, amount } => self
                .pool
                .repay(t, sender, sender, asset, amount)
                .map_err(|e| e.to_string()),
            Action::Liquidate { .. } => self.liquidate(&tx),
        };
        let ok = result.is_ok();
        let gas = if ok {
            tx.gas
        } else {
            self.scn.scenario.chain.gas.reverted
        };
        let gas_eth = self.gas_eth(gas, tx.fee_gwei);
        self.rec.tx.included += 1;
        self.rec.tx.reverted += u64::from(!ok);
        self.rec.tx.gas_paid_eth += gas_eth;
        if let Action::Withdraw { asset, .. } = tx.action {
            let price = self.price_usd(asset);
            let served = result.as_ref().ok().map(|x| self.tokens(asset, *x));
            self.rec
                .withdrawal(asset, self.tokens(asset, requested), served, price);
        }
        self.notify(&tx, Some(result), gas_eth);
    }

    fn liquidate(&mut self, tx: &Tx) -> Result<U256, String> {
        let Action::Liquidate {
            collateral,
            debt,
            user,
            debt_to_cover,
            receive_a_token,
        } = tx.action
        else {
            return Err("not a liquidation".into());
        };
        let t = self.t();
        let deficit_before = self.total_deficit_usd();
        let out = self
            .pool
            .liquidation_call(
                t,
                self.account_of(tx.sender),
                collateral,
                debt,
                user,
                debt_to_cover,
                receive_a_token,
            )
            .map_err(|e| e.to_string())?;
        let debt_usd = self.tokens(debt, out.debt_repaid) * self.price_usd(debt);
        let coll_usd = self.tokens(collateral, out.collateral_to_liquidator + out.protocol_fee)
            * self.price_usd(collateral);
        let Sender::Liquidator(j) = tx.sender else {
            return Ok(out.debt_repaid);
        };
        self.rec.liquidation(LiquidationRecord {
            block: self.block,
            timestamp: self.now,
            liquidator: j,
            user,
            collateral_asset: self.assets[collateral].symbol.clone(),
            debt_asset: self.assets[debt].symbol.clone(),
            debt_repaid: self.tokens(debt, out.debt_repaid),
            collateral_to_liquidator: self.tokens(collateral, out.collateral_to_liquidator),
            protocol_fee: self.tokens(collateral, out.protocol_fee),
            debt_repaid_usd: debt_usd,
            bonus_usd: coll_usd - debt_usd,
            health_factor_before: u256_to_f64(out.health_factor_before) / 1e18,
            deficit_created_usd: (self.total_deficit_usd() - deficit_before).max(0.0),
            receive_a_token: out.received_a_token,
        });
        self.reindex(user);
        Ok(out.debt_repaid)
    }

    /// Deficit across reserves, USD.
    fn total_deficit_usd(&self) -> f64 {
        (0..self.assets.len())
            .map(|a| self.tokens(a, self.pool.reserve(a).deficit) * self.price_usd(a))
            .sum()
    }

    /// Tells the sender what happened: `None` = dropped, `Some(Ok(amount))` or `Some(Err)`.
    fn notify(&mut self, tx: &Tx, result: Option<Result<U256, String>>, gas_eth: f64) {
        match tx.sender {
            Sender::Depositor(i) => {
                let outcome = match result {
                    None => Outcome::Dropped,
                    Some(Ok(x)) => Outcome::Served(x),
                    Some(Err(_)) => Outcome::Reverted,
                };
                self.depositor_outcome(i as usize, outcome, gas_eth);
            }
            Sender::Borrower(i) => {
                self.borrower_outcome(i as usize, matches!(result, Some(Ok(_))));
            }
            Sender::Liquidator(j) => {
                let Action::Liquidate { debt, user, .. } = tx.action else {
                    return;
                };
                let repaid = match result {
                    Some(Ok(x)) => Some(self.tokens(debt, x) * self.price_usd(debt)),
                    _ => None,
                };
                self.liquidator_outcome(j as usize, user, repaid);
            }
        }
    }
}
