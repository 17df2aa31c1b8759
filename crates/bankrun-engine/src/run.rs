//! The population as one agent of [`bankrun_world::World`]. Each block, in the world's order:
//! 1. scheduled: scripted events due at the block's timestamp send their calls, executed at
//!    once at the top of the block ([`Agent::scheduled`]);
//! 2. the world's oracles publish and the pool's prices follow;
//! 3. act: liquidators free capital and scan for liquidatable positions; agents due to wake
//!    observe the state left by the previous block and may send transactions;
//! 4. the world builds the block from its mempool (priority fee, then a seeded tie-break,
//!    within the gas available) and executes it; each outcome comes back through
//!    [`Agent::on_mined`];
//! 5. after the block: the end-of-block state is recorded.
//!
//! Within a step, agents are processed in (wake block, agent kind, index) order. Nothing
//! depends on hash-map order or threads, so a scenario and seed give identical results.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use bankrun_aave::U256;
use bankrun_chain::units::u256_to_f64;
use bankrun_metrics::{LiquidationRecord, RunResult};
use bankrun_world::agents::Liquidator;
use bankrun_world::{AaveCall, Agent, AgentId, Call, Submission, TxRecord, View, WorldError};

use crate::EngineError;
use crate::depositors::Outcome;
use crate::population::{Population, Sender};

impl Population {
    /// Starts recording: the starting state is the first row (the exposure graph includes
    /// the Compound III markets of `chain`).
    pub fn start_recording(&mut self, chain: &bankrun_world::World) {
        self.rec
            .init(self.assets.len(), self.scn.scenario.depositors.len());
        self.record_block();
        self.rec.graph_start = self.graph(chain, "start");
        self.record_class_initials();
        self.record_classes();
    }

    /// Reads the block's time and what the population observes of the chain.
    fn observe(&mut self, view: &View<'_>) -> Result<(), WorldError> {
        self.block = view.block;
        self.now = view.now as i64;
        let eth = view.oracles.answer(self.gas_feed)?;
        let mut loss = Vec::with_capacity(self.capos.len());
        for c in &self.capos {
            let ratio = view.oracles.capped_ratio(c.feed, self.now)?;
            loss.push((1.0 - ratio as f64 / c.initial_ratio.max(1) as f64).max(0.0));
        }
        self.observed = crate::population::Observed {
            eth_usd: bankrun_oracle::answer_to_usd(eth),
            backing_loss: loss,
            base_fee_gwei: view.gas_observed_gwei,
        };
        Ok(())
    }

    /// Whether a pool price changed since the last block.
    fn note_prices(&mut self) {
        let pool = self.pool.get();
        let mut changed = false;
        for (a, last) in self.last_prices.iter_mut().enumerate() {
            let p = pool.asset_price(a);
            if p != *last {
                *last = p;
                changed = true;
            }
        }
        drop(pool);
        self.prices_changed = changed;
        if changed {
            self.last_price_change = self.block;
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

    /// A mined transaction of one of the population's accounts.
    fn mined(&mut self, tx: &TxRecord) {
        let Some(sender) = self.owner.get(tx.account as usize).copied().flatten() else {
            return;
        };
        let result: Result<U256, ()> = match &tx.outcome {
            Ok(r) => Ok(r.effect.amount),
            Err(_) => Err(()),
        };
        let ok = result.is_ok();
        self.rec.tx.included += 1;
        self.rec.tx.reverted += u64::from(!ok);
        self.rec.tx.gas_paid_eth += tx.cost_eth;
        if let Call::Withdraw { token, amount } = tx.call {
            let a = token as usize;
            // What a withdrawal asked for: `type(uint256).max` means the whole balance
            // (unchanged by a revert, so read after it).
            let requested = match (amount, result) {
                (U256::MAX, Ok(x)) => x,
                (U256::MAX, Err(())) => self.pool.get().supply_balance(self.t(), tx.account, a),
                (x, _) => x,
            };
            let price = self.price_usd(a);
            let served = result.ok().map(|x| self.tokens(a, x));
            self.rec
                .withdrawal(a, self.tokens(a, requested), served, price);
        }
        if let (Sender::Liquidator(j), Call::Aave(AaveCall::LiquidationCall { .. }), Ok(r)) =
            (sender, tx.call, &tx.outcome)
        {
            self.record_liquidation(j, tx, &r.effect);
        }
        self.notify(sender, &tx.call, Some(result), tx.cost_eth);
    }

    fn record_liquidation(&mut self, j: u32, tx: &TxRecord, effect: &bankrun_world::Effect) {
        let Call::Aave(AaveCall::LiquidationCall {
            borrower,
            debt,
            collateral,
            ..
        }) = tx.call
        else {
            return;
        };
        let Some(detail) = effect.liquidation else {
            return;
        };
        let (c, d) = (collateral as usize, debt as usize);
        let deficit = self.total_deficit_usd();
        let created = (deficit - self.deficit_usd).max(0.0);
        self.deficit_usd = deficit;
        let debt_usd = self.tokens(d, effect.amount) * self.price_usd(d);
        let coll_usd = self.tokens(c, detail.collateral_to_liquidator + detail.protocol_fee)
            * self.price_usd(c);
        self.rec.liquidation(LiquidationRecord {
            block: self.block,
            timestamp: self.now,
            liquidator: j,
            user: borrower,
            collateral_asset: self.assets[c].symbol.clone(),
            debt_asset: self.assets[d].symbol.clone(),
            debt_repaid: self.tokens(d, effect.amount),
            collateral_to_liquidator: self.tokens(c, detail.collateral_to_liquidator),
            protocol_fee: self.tokens(c, detail.protocol_fee),
            debt_repaid_usd: debt_usd,
            bonus_usd: coll_usd - debt_usd,
            health_factor_before: u256_to_f64(detail.health_factor_before) / 1e18,
            deficit_created_usd: created,
            receive_a_token: detail.received_a_token,
        });
        self.reindex(borrower);
    }

    /// Deficit across reserves, USD.
    pub(crate) fn total_deficit_usd(&self) -> f64 {
        (0..self.assets.len())
            .map(|a| self.tokens(a, self.pool.get().reserve(a).deficit) * self.price_usd(a))
            .sum()
    }

    /// Tells the sender what happened: `None` = dropped, `Some(Ok(amount))` or `Some(Err)`.
    fn notify(
        &mut self,
        sender: Sender,
        call: &Call,
        result: Option<Result<U256, ()>>,
        gas_eth: f64,
    ) {
        match sender {
            Sender::Depositor(i) => {
                let outcome = match result {
                    None => Outcome::Dropped,
                    Some(Ok(x)) => Outcome::Served(x),
                    Some(Err(())) => Outcome::Reverted,
                };
                self.depositor_outcome(i as usize, outcome, gas_eth);
            }
            Sender::Borrower(i) => {
                self.borrower_outcome(i as usize, matches!(result, Some(Ok(_))));
            }
            Sender::Liquidator(j) => {
                let Call::Aave(AaveCall::LiquidationCall { debt, borrower, .. }) = *call else {
                    return;
                };
                let d = debt as usize;
                let repaid = match result {
                    Some(Ok(x)) => Some(self.tokens(d, x) * self.price_usd(d)),
                    _ => None,
                };
                self.liquidator_outcome(j as usize, borrower, repaid);
            }
        }
    }
}

/// The population as the world's agent (shared with [`Sim`], which reads and finishes it).
struct PopulationAgent(Rc<RefCell<Population>>);

impl Agent for PopulationAgent {
    fn name(&self) -> &str {
        "aave-population"
    }

    fn scheduled(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let mut w = self.0.borrow_mut();
        w.block = view.block;
        w.now = view.now as i64;
        w.views.iter_mut().for_each(|v| *v = None);
        w.run_scripted();
        out.append(&mut w.script_out);
        Ok(())
    }

    fn act(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let mut w = self.0.borrow_mut();
        w.observe(view)?;
        w.note_prices();
        w.deficit_usd = w.total_deficit_usd();
        w.release_capital();
        w.scan_liquidations();
        w.wake_agents();
        w.prune_visible();
        // Follow-ups sent from last block's outcomes first, in the order they were made.
        out.append(&mut w.outbox);
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        let mut w = self.0.borrow_mut();
        if record.direct {
            w.script_outcome(record);
        } else {
            w.mined(record);
        }
    }

    fn on_dropped(&mut self, submission: &Submission) {
        let mut w = self.0.borrow_mut();
        let account = submission.account.unwrap_or(u32::MAX);
        if let Some(sender) = w.owner.get(account as usize).copied().flatten() {
            w.notify(sender, &submission.call, None, 0.0);
        }
    }

    fn after_block(
        &mut self,
        _me: AgentId,
        _view: &View<'_>,
        _out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let mut w = self.0.borrow_mut();
        w.record_block();
        let sample = (w.blocks_per_hour() as u64).max(1);
        if w.block.is_multiple_of(sample) || w.block == w.last_block {
            w.record_classes();
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An Aave scenario's simulation: the world (chain, oracles, the Aave pool) and its
/// population agent.
pub struct Sim {
    chain: bankrun_world::World,
    population: Rc<RefCell<Population>>,
    agents: Vec<Box<dyn Agent>>,
    recording: bool,
}

impl Sim {
    pub(crate) fn new(chain: bankrun_world::World, population: Population) -> Self {
        let population = Rc::new(RefCell::new(population));
        let agent: Box<dyn Agent> = Box::new(PopulationAgent(Rc::clone(&population)));
        Sim {
            chain,
            population,
            agents: vec![agent],
            recording: false,
        }
    }

    /// The population (read).
    pub fn population(&self) -> Ref<'_, Population> {
        self.population.borrow()
    }

    /// The population, to change recording options before the run.
    pub fn population_mut(&mut self) -> std::cell::RefMut<'_, Population> {
        self.population.borrow_mut()
    }

    /// The world.
    pub fn chain(&self) -> &bankrun_world::World {
        &self.chain
    }

    /// Keeps every mined transaction in the world's log from now on (off by default: the
    /// population records what it needs as transactions are mined).
    pub fn keep_tx_log(&mut self) {
        self.chain.keep_tx_log(true);
    }

    /// Simulates blocks `1..=blocks`, calling `progress(done, total)` every few hundred blocks.
    ///
    /// # Errors
    /// A world error (an oracle without a price, a ledger inconsistency), naming the block.
    pub fn run_blocks(
        &mut self,
        blocks: u64,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), EngineError> {
        for b in 1..=blocks {
            self.step(b)?;
            if b.is_multiple_of(500) || b == blocks {
                progress(b, blocks);
            }
        }
        Ok(())
    }

    /// Simulates `count` blocks after block `from` (block 0 = the starting state), for tests
    /// and tools that inspect the world between blocks.
    ///
    /// # Errors
    /// As [`Sim::run_blocks`].
    pub fn run_blocks_from(&mut self, from: u64, count: u64) -> Result<(), EngineError> {
        for b in from + 1..=from + count {
            self.step(b)?;
        }
        Ok(())
    }

    /// Runs block `b`; recording starts with the first block run.
    fn step(&mut self, b: u64) -> Result<(), EngineError> {
        if !self.recording {
            let mut w = self.population.borrow_mut();
            w.start_recording(&self.chain);
            w.record_comets(&self.chain);
            self.recording = true;
        }
        self.chain
            .step(&mut self.agents)
            .map_err(|e| EngineError::Run(format!("block {b}: {e}")))?;
        let mut w = self.population.borrow_mut();
        if !w.comets.is_empty() {
            w.record_comets(&self.chain);
        }
        Ok(())
    }

    /// Checks that every token of the ledger is conserved (only mints and burns change a
    /// supply): seized collateral and withdrawn cash never disappear.
    ///
    /// # Errors
    /// [`EngineError::Run`] naming the token whose balances do not add up.
    pub fn check_ledger(&self) -> Result<(), EngineError> {
        self.chain
            .ledger()
            .check_conservation()
            .map_err(|e| EngineError::Run(format!("ledger: {e}")))
    }

    /// Builds the run result.
    pub fn finish(self) -> RunResult {
        let mempool = self.chain.mempool();
        let mut w = self.population.borrow_mut();
        let held = mempool.waiting(w.block + 1) as u64;
        let mut result = w.finish(&self.chain, mempool.len() as u64, held, mempool.submitted());
        let absorbs: Vec<u64> = (w.comets.iter())
            .map(|c| {
                self.agents
                    .get(c.liquidator_agent)
                    .and_then(|a| a.as_any().downcast_ref::<Liquidator>())
                    .map_or(0, |l| l.liquidations.len() as u64)
            })
            .collect();
        result.summary.comets = w.comet_summaries(&self.chain, &absorbs);
        result
    }

    /// Appends world agents that act after the population (the Compound III liquidators).
    pub(crate) fn add_agents(&mut self, agents: Vec<Box<dyn Agent>>) {
        self.agents.extend(agents);
    }
}
