//! The world: one clock, one ledger, one oracle registry, every protocol and venue, and the
//! block loop that runs agents against all of them with one explicit total order.
//!
//! # Order within a block
//! 1. the clock advances one block (`block_time_s`), and venues whose price follows time
//!    move ([`Venue::advance`], in venue order);
//! 2. every feed reads its source (paths, venues as the previous block left them) and
//!    published answers are posted to the protocols bound to them, in feed then binding order;
//! 3. agents decide, in agent order, seeing the world as it is after the oracles;
//! 4. the block is built from the pending transactions by priority fee, ties broken by a seeded
//!    draw fixed at submission, within the block's gas;
//! 5. transactions execute in that order, each atomic across its protocol or venue and the
//!    ledger; each sender is told its outcome.
//!
//! A transaction that does not fit waits for the next block.

use bankrun_chain::{Holder, Ledger, Mempool};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, GasSchedule, ProtocolId, Receipt, Revert, Target, VenueId};
use crate::error::WorldError;
use crate::oracle::OracleRegistry;
use crate::protocol::{Env, Protocol};
use crate::record::{Log, OracleRecord, TxRecord};
use crate::venue::Venue;

/// Chain settings of a world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChainConfig {
    /// Timestamp of block 0, unix seconds.
    pub start: u64,
    /// Seconds per block.
    pub block_time_s: u64,
    /// Gas per block available to the world's agents.
    pub block_gas: u64,
    /// Gas per call.
    pub gas: GasSchedule,
}

/// A pending transaction: the chain's mempool entry of an agent's submission.
type Pending = bankrun_chain::Tx<AgentId, Submission>;

/// One world.
pub struct World {
    cfg: ChainConfig,
    block: u64,
    ledger: Ledger,
    protocols: Vec<Box<dyn Protocol>>,
    venues: Vec<Box<dyn Venue>>,
    oracles: OracleRegistry,
    mempool: Mempool<AgentId, Submission>,
    ties: ChaCha8Rng,
    log: Log,
}

impl World {
    /// An empty world at block 0; `seed` seeds the mempool's tie-break stream.
    pub fn new(cfg: ChainConfig, seed: u64) -> Self {
        World {
            cfg,
            block: 0,
            ledger: Ledger::new(),
            protocols: Vec::new(),
            venues: Vec::new(),
            oracles: OracleRegistry::new(),
            mempool: Mempool::default(),
            ties: bankrun_chain::rng::stream(seed, "world.mempool"),
            log: Log::default(),
        }
    }

    /// Adds a protocol; returns its id.
    pub fn add_protocol(&mut self, p: Box<dyn Protocol>) -> ProtocolId {
        self.protocols.push(p);
        (self.protocols.len() - 1) as ProtocolId
    }

    /// Adds a venue; returns its id.
    pub fn add_venue(&mut self, v: Box<dyn Venue>) -> VenueId {
        self.venues.push(v);
        (self.venues.len() - 1) as VenueId
    }

    /// The oracle registry, to add feeds and bindings while setting up.
    pub fn oracles_mut(&mut self) -> &mut OracleRegistry {
        &mut self.oracles
    }

    /// The ledger, to mint initial balances while setting up.
    pub fn ledger_mut(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    /// The chain settings.
    pub fn config(&self) -> &ChainConfig {
        &self.cfg
    }

    /// Current block number.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Current block timestamp, unix seconds.
    pub fn now(&self) -> u64 {
        self.cfg.start + self.block * self.cfg.block_time_s
    }

    /// What agents see now.
    pub fn view(&self) -> View<'_> {
        View {
            now: self.now(),
            block: self.block,
            ledger: &self.ledger,
            protocols: &self.protocols,
            venues: &self.venues,
            oracles: &self.oracles,
        }
    }

    /// The log so far.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Runs `f` on venue `id` with an execution environment (setup: seeding liquidity).
    ///
    /// # Errors
    /// [`WorldError::Unknown`], or `f`'s error.
    pub fn with_venue<T>(
        &mut self,
        id: VenueId,
        f: impl FnOnce(&mut dyn Venue, &mut Env<'_>) -> Result<T, WorldError>,
    ) -> Result<T, WorldError> {
        let (now, block) = (self.now(), self.block);
        let v = self
            .venues
            .get_mut(id as usize)
            .ok_or(WorldError::Unknown { kind: "venue", id })?;
        let mut env = Env {
            now,
            block,
            ledger: &mut self.ledger,
            holder: Holder::Venue(id),
        };
        f(v.as_mut(), &mut env)
    }

    /// Executes `call` on `target` for `sender` now, outside any block (setup: opening the
    /// initial positions). Gas is not charged.
    ///
    /// # Errors
    /// The call's error.
    pub fn execute_now(
        &mut self,
        sender: AgentId,
        target: Target,
        call: &Call,
    ) -> Result<crate::call::Effect, WorldError> {
        self.dispatch(sender, target, call)
    }

    /// Publishes the oracles at the current time without advancing the clock (setup).
    ///
    /// # Errors
    /// As [`World::step`]'s oracle stage.
    pub fn publish_oracles(&mut self) -> Result<(), WorldError> {
        let now = self.now();
        let published = self.oracles.update(now as i64, &self.venues)?;
        for p in published {
            let mut rejected = Vec::new();
            let readers: Vec<_> = self.oracles.readers(p.feed).collect();
            for (pid, token) in readers {
                let proto = self
                    .protocols
                    .get_mut(pid as usize)
                    .ok_or(WorldError::Unknown {
                        kind: "protocol",
                        id: pid,
                    })?;
                if let Err(e) = proto.post_price(token, p.answer, now) {
                    // A reader may legitimately refuse (Compound's anchor guard); the refusal
                    // is recorded, and the reader keeps its previous price.
                    rejected.push(format!("{}: {e}", proto.name()));
                }
            }
            self.log.oracles.push(OracleRecord {
                block: self.block,
                feed: p.feed,
                answer: p.answer,
                rejected,
            });
        }
        Ok(())
    }

    /// Runs one block (see the module docs for the order).
    ///
    /// # Errors
    /// An oracle without a price, an agent's failure to read the world, or a ledger
    /// inconsistency; a transaction's revert is not an error (it is recorded).
    pub fn step(&mut self, agents: &mut [Box<dyn Agent>]) -> Result<(), WorldError> {
        self.block += 1;
        let now = self.now();
        for v in &mut self.venues {
            v.advance(now)?;
        }
        self.publish_oracles()?;
        self.collect(agents)?;
        for tx in self.build_block() {
            let sender = tx.sender;
            let record = self.mine(tx);
            if let Some(a) = agents.get_mut(sender as usize) {
                a.on_mined(&record);
            }
            self.log.txs.push(record);
        }
        Ok(())
    }

    /// Asks every agent for its submissions, in agent order, into the mempool.
    fn collect(&mut self, agents: &mut [Box<dyn Agent>]) -> Result<(), WorldError> {
        let mut subs = Vec::new();
        for (i, a) in agents.iter_mut().enumerate() {
            subs.clear();
            a.act(i as AgentId, &self.view(), &mut subs)?;
            for sub in &subs {
                self.mempool.submit(Pending {
                    sender: i as AgentId,
                    action: *sub,
                    fee_gwei: sub.priority_gwei,
                    tie: self.ties.random(),
                    submitted: self.block,
                    not_before: self.block,
                    gas: self.cfg.gas.of(sub.call.kind()),
                    replace_key: None,
                });
            }
        }
        Ok(())
    }

    /// Takes this block's transactions in execution order: priority fee descending, then the
    /// seeded tie, while the block's gas lasts.
    fn build_block(&mut self) -> Vec<Pending> {
        self.mempool
            .build_block(self.block, 0.0, self.cfg.block_gas)
    }

    /// Executes one transaction and records it.
    fn mine(&mut self, tx: Pending) -> TxRecord {
        let outcome = match self.dispatch(tx.sender, tx.action.target, &tx.action.call) {
            Ok(effect) => Ok(Receipt {
                gas_used: self.cfg.gas.of(tx.action.call.kind()),
                effect,
            }),
            Err(e) => Err(Revert {
                gas_used: self.cfg.gas.reverted,
                reason: e.to_string(),
            }),
        };
        TxRecord {
            block: self.block,
            time: self.now(),
            sender: tx.sender,
            target: tx.action.target,
            call: tx.action.call,
            outcome,
        }
    }

    fn dispatch(
        &mut self,
        sender: AgentId,
        target: Target,
        call: &Call,
    ) -> Result<crate::call::Effect, WorldError> {
        let (now, block) = (self.now(), self.block);
        match target {
            Target::Protocol(id) => {
                let p = self
                    .protocols
                    .get_mut(id as usize)
                    .ok_or(WorldError::Unknown {
                        kind: "protocol",
                        id,
                    })?;
                let mut env = Env {
                    now,
                    block,
                    ledger: &mut self.ledger,
                    holder: Holder::Protocol(id),
                };
                p.execute(&mut env, sender, call)
            }
            Target::Venue(id) => {
                let Call::SwapExactIn {
                    token_in,
                    token_out,
                    amount_in,
                    min_out,
                } = *call
                else {
                    return Err(WorldError::Unsupported {
                        target: format!("venue {id}"),
                        what: format!("a {} call", call.kind().name()),
                    });
                };
                self.with_venue(id, |v, env| {
                    v.swap_exact_in(env, sender, token_in, token_out, amount_in, min_out)
                })
            }
        }
    }
}
