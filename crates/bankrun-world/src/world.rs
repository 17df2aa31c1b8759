//! The world: one clock, one ledger, one oracle registry, every protocol and venue, and the
//! block loop that runs agents against all of them with one explicit total order.
//!
//! # Order within a block
//! 1. the clock advances one block (`block_time_s`); protocols run their start-of-block
//!    upkeep ([`Protocol::begin_block`], in protocol order: Maker's hourly `Jug.drip`);
//! 2. agents' scheduled actions (scenario events at their time) execute at once, in agent
//!    order ([`Agent::scheduled`]);
//! 3. venues whose price follows time move ([`Venue::advance`], in venue order);
//! 4. every feed reads its source (paths, venues as the previous block left them, earlier
//!    feeds) and published answers are posted to the protocols bound to them, in feed then
//!    binding order;
//! 5. agents decide, in agent order, seeing the world as it is after the oracles;
//!    their transactions enter the mempool (includable after their latency);
//! 6. transactions whose time to live has passed are dropped (senders are told); the gas
//!    market opens the block (legacy threshold, EIP-1559 base fee, or constant), the oracles'
//!    transactions take their gas first, and the block is built from the pending
//!    transactions by gas price, ties broken by a seeded draw fixed at submission, within the
//!    agents' gas and above the inclusion price;
//! 7. transactions execute in that order, each atomic across its protocol or venue and the
//!    ledger; each sender is told its outcome; the gas market closes the block;
//! 8. agents' off-chain actions execute at once, in agent order ([`Agent::after_block`]).
//!
//! A transaction that does not fit, or bids below the inclusion price, waits.

use bankrun_chain::{GasMarket, Holder, Ledger, Mempool};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, GasSchedule, ProtocolId, Receipt, Revert, Target, VenueId};
use crate::error::WorldError;
use crate::oracle::OracleRegistry;
use crate::protocol::{Env, Protocol};
use crate::record::{BlockRecord, Log, OracleRecord, TxRecord};
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

/// Which direct (out-of-block) phase runs.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Scheduled,
    AfterBlock,
}

/// Who sends a pending transaction: the agent told the outcome and the account it is sent
/// from (the mempool's per-sender key).
type From = (AgentId, AgentId);

/// A pending transaction: the chain's mempool entry of an agent's submission.
type Pending = bankrun_chain::Tx<From, Submission>;

/// One world.
pub struct World {
    cfg: ChainConfig,
    block: u64,
    ledger: Ledger,
    protocols: Vec<Box<dyn Protocol>>,
    venues: Vec<Box<dyn Venue>>,
    oracles: OracleRegistry,
    mempool: Mempool<From, Submission>,
    ties: ChaCha8Rng,
    gas: GasMarket,
    gas_rng: ChaCha8Rng,
    tx_ttl_blocks: u64,
    oracle_update_gas: u64,
    oracle_posts: u64,
    log: Log,
    keep_txs: bool,
    monotone: crate::invariant::Monotone,
    invariant_checks: u64,
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
            gas: GasMarket::constant(0.0, cfg.block_gas),
            gas_rng: bankrun_chain::rng::stream(seed, "world.gas"),
            tx_ttl_blocks: 0,
            oracle_update_gas: 0,
            oracle_posts: 0,
            log: Log::default(),
            keep_txs: true,
            monotone: crate::invariant::Monotone::default(),
            invariant_checks: 0,
        }
    }

    /// Replaces the gas market (default: a constant market at a zero base fee giving agents
    /// `block_gas` per block).
    pub fn set_gas_market(&mut self, gas: GasMarket) {
        self.gas = gas;
    }

    /// Renames the world's random streams (default `world.mempool` and `world.gas`), so a
    /// scenario ported from an earlier runner keeps its seed's draws.
    pub fn set_stream_names(&mut self, seed: u64, mempool: &str, gas: &str) {
        self.ties = bankrun_chain::rng::stream(seed, mempool);
        self.gas_rng = bankrun_chain::rng::stream(seed, gas);
    }

    /// Whether [`Log::txs`] keeps every mined transaction (default: yes). A runner whose agents
    /// record what they need from [`Agent::on_mined`] turns it off to save the memory of a
    /// long run (the Aave scenario's population: ~90,000 transactions a week).
    pub fn keep_tx_log(&mut self, keep: bool) {
        self.keep_txs = keep;
    }

    /// Drops transactions still pending `blocks` blocks after submission (0: never).
    pub fn set_tx_ttl(&mut self, blocks: u64) {
        self.tx_ttl_blocks = blocks;
    }

    /// Gas each on-chain oracle post (a push round, an OSM poke) takes from the block ahead of
    /// the agents' transactions.
    pub fn set_oracle_update_gas(&mut self, gas: u64) {
        self.oracle_update_gas = gas;
    }

    /// The gas market.
    pub fn gas_market(&self) -> &GasMarket {
        &self.gas
    }

    /// The mempool.
    pub fn mempool(&self) -> &Mempool<(AgentId, AgentId), Submission> {
        &self.mempool
    }

    /// Protocol `id` (read-only).
    pub fn protocol(&self, id: ProtocolId) -> Option<&dyn Protocol> {
        self.protocols.get(id as usize).map(|p| p.as_ref())
    }

    /// Runs `f` on protocol `id` with an execution environment (setup: opening a book).
    ///
    /// # Errors
    /// [`WorldError::Unknown`], or `f`'s error.
    pub fn with_protocol<T>(
        &mut self,
        id: ProtocolId,
        f: impl FnOnce(&mut dyn Protocol, &mut Env<'_>) -> Result<T, WorldError>,
    ) -> Result<T, WorldError> {
        let (now, block) = (self.now(), self.block);
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
        f(p.as_mut(), &mut env)
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
            gas_observed_gwei: self.gas.observed_gwei(self.now() as i64),
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
        self.oracle_posts += self.oracles.last_posts();
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
    pub fn step(&mut self, agents: &mut [Box<dyn Agent + '_>]) -> Result<(), WorldError> {
        self.block += 1;
        let now = self.now();
        for id in 0..self.protocols.len() {
            self.with_protocol(id as ProtocolId, |p, env| p.begin_block(env))?;
        }
        self.direct(agents, Phase::Scheduled)?;
        for v in &mut self.venues {
            v.advance(now)?;
        }
        self.oracle_posts = 0;
        self.publish_oracles()?;
        self.collect(agents)?;
        // A time to live of 0 means none: transactions wait until they are mined.
        let ttl = match self.tx_ttl_blocks {
            0 => u64::MAX,
            t => t,
        };
        for tx in self.mempool.expire(self.block, ttl) {
            self.log.dropped += 1;
            if let Some(a) = agents.get_mut(tx.sender.0 as usize) {
                a.on_dropped(&tx.action);
            }
        }
        let mut gas = self.gas.open_block(now as i64, &mut self.gas_rng);
        let (oracle_gas, oracle_eth) = gas.reserve(self.oracle_posts * self.oracle_update_gas);
        let txs = self
            .mempool
            .build_block(self.block, gas.min_price_gwei, gas.agent_gas);
        let mut used = 0;
        for tx in txs {
            used += tx.gas;
            let sender = tx.sender.0;
            let record = self.mine(tx);
            if let Some(a) = agents.get_mut(sender as usize) {
                a.on_mined(&record);
            }
            if self.keep_txs {
                self.log.txs.push(record);
            }
        }
        self.gas.close_block(oracle_gas + used);
        self.log.blocks.push(BlockRecord {
            block: self.block,
            min_price_gwei: gas.min_price_gwei,
            oracle_gas,
            oracle_eth,
            agent_gas_used: used,
        });
        self.direct(agents, Phase::AfterBlock)?;
        #[cfg(feature = "invariants")]
        self.check_invariants()?;
        Ok(())
    }

    /// Checks every invariant of [`crate::invariant`] now: the ledger's conservation, each
    /// protocol's and venue's books, and that no monotone quantity fell since the previous
    /// check. With the `invariants` feature, [`World::step`] calls it after every block.
    ///
    /// # Errors
    /// [`WorldError::Invariant`] listing every violation, each naming its protocol or venue.
    pub fn check_invariants(&mut self) -> Result<(), WorldError> {
        let now = self.now();
        let mut what = Vec::new();
        if let Err(e) = self.ledger.check_conservation() {
            what.push(format!("ledger: {e}"));
        }
        for (id, p) in self.protocols.iter().enumerate() {
            let mut c = crate::invariant::InvariantCheck::new(
                now,
                &self.ledger,
                Holder::Protocol(id as ProtocolId),
            );
            p.check_invariants(&mut c);
            let (bad, mono) = c.finish();
            let owner = format!("protocol {id} ({})", p.name());
            what.extend(bad.into_iter().map(|b| format!("{owner}: {b}")));
            what.extend(self.monotone.update(&owner, mono));
        }
        for (id, v) in self.venues.iter().enumerate() {
            let mut c = crate::invariant::InvariantCheck::new(
                now,
                &self.ledger,
                Holder::Venue(id as VenueId),
            );
            v.check_invariants(&mut c);
            let (bad, mono) = c.finish();
            let owner = format!("venue {id} ({})", v.name());
            what.extend(bad.into_iter().map(|b| format!("{owner}: {b}")));
            what.extend(self.monotone.update(&owner, mono));
        }
        self.invariant_checks += 1;
        if what.is_empty() {
            Ok(())
        } else {
            Err(WorldError::Invariant {
                block: self.block,
                what: what.join("; "),
            })
        }
    }

    /// How many times [`World::check_invariants`] has run (after every block with the
    /// `invariants` feature): a test's proof that the checks ran.
    pub fn invariant_checks(&self) -> u64 {
        self.invariant_checks
    }

    /// Runs every agent's scheduled or off-chain actions at once, in agent order.
    fn direct(
        &mut self,
        agents: &mut [Box<dyn Agent + '_>],
        phase: Phase,
    ) -> Result<(), WorldError> {
        let mut subs = Vec::new();
        for (i, agent) in agents.iter_mut().enumerate() {
            subs.clear();
            let view = self.view();
            match phase {
                Phase::Scheduled => agent.scheduled(i as AgentId, &view, &mut subs)?,
                Phase::AfterBlock => agent.after_block(i as AgentId, &view, &mut subs)?,
            }
            for sub in &subs {
                let account = sub.account.unwrap_or(i as AgentId);
                let outcome = match self.dispatch(account, sub.target, &sub.call) {
                    Ok(effect) => Ok(Receipt {
                        gas_used: 0,
                        effect,
                    }),
                    Err(e) => Err(Revert {
                        gas_used: 0,
                        reason: e.into_reason(),
                    }),
                };
                let record = TxRecord {
                    block: self.block,
                    time: self.now(),
                    sender: i as AgentId,
                    account,
                    target: sub.target,
                    call: sub.call,
                    outcome,
                    fee_gwei: 0.0,
                    cost_eth: 0.0,
                    direct: true,
                };
                agent.on_mined(&record);
                if self.keep_txs {
                    self.log.txs.push(record);
                }
            }
        }
        Ok(())
    }

    /// Asks every agent for its submissions, in agent order, into the mempool.
    fn collect(&mut self, agents: &mut [Box<dyn Agent + '_>]) -> Result<(), WorldError> {
        let mut subs = Vec::new();
        for (i, a) in agents.iter_mut().enumerate() {
            subs.clear();
            a.act(i as AgentId, &self.view(), &mut subs)?;
            for sub in &subs {
                self.log.submitted += 1;
                self.mempool.submit(Pending {
                    sender: (i as AgentId, sub.account.unwrap_or(i as AgentId)),
                    action: *sub,
                    fee_gwei: sub.priority_gwei,
                    tie: self.ties.random(),
                    submitted: self.block,
                    not_before: self.block + sub.latency_blocks,
                    gas: sub.gas.unwrap_or_else(|| self.cfg.gas.of(sub.call.kind())),
                    replace_key: sub.replace_key,
                });
            }
        }
        Ok(())
    }

    /// Executes one transaction and records it.
    fn mine(&mut self, tx: Pending) -> TxRecord {
        let (sender, account) = tx.sender;
        let outcome = match self.dispatch(account, tx.action.target, &tx.action.call) {
            Ok(effect) => Ok(Receipt {
                gas_used: tx.gas,
                effect,
            }),
            // A call with its own gas limit is charged it whole on a revert (assumption: the
            // revert comes late in the call, as an auction outbid at `tend`'s last check);
            // scheduled calls pay the schedule's revert gas.
            Err(e) => Err(Revert {
                gas_used: match tx.action.gas {
                    Some(_) => tx.gas,
                    None => self.cfg.gas.reverted,
                },
                reason: e.into_reason(),
            }),
        };
        let gas_used = match &outcome {
            Ok(r) => r.gas_used,
            Err(r) => r.gas_used,
        };
        TxRecord {
            block: self.block,
            time: self.now(),
            sender,
            account,
            target: tx.action.target,
            call: tx.action.call,
            outcome,
            fee_gwei: tx.fee_gwei,
            cost_eth: self.gas.cost_eth(gas_used, tx.fee_gwei),
            direct: false,
        }
    }

    fn dispatch(
        &mut self,
        sender: AgentId,
        target: Target,
        call: &Call,
    ) -> Result<crate::call::Effect, WorldError> {
        match target {
            Target::Protocol(id) => self.with_protocol(id, |p, env| p.execute(env, sender, call)),
            Target::Venue(id) => match *call {
                Call::SwapExactIn {
                    token_in,
                    token_out,
                    amount_in,
                    min_out,
                } => self.with_venue(id, |v, env| {
                    v.swap_exact_in(env, sender, token_in, token_out, amount_in, min_out)
                }),
                Call::BuyExactOut {
                    token_in,
                    token_out,
                    amount_out,
                    max_in,
                } => self.with_venue(id, |v, env| {
                    v.buy_exact_out(env, sender, token_in, token_out, amount_out, max_in)
                }),
                Call::RemoveLiquidity { token, amount } => {
                    self.with_venue(id, |v, env| v.remove_liquidity(env, sender, token, amount))
                }
                Call::VenueFile(param) => self.with_venue(id, |v, env| {
                    v.file(env.now, &param)
                        .map(|()| crate::call::Effect::default())
                }),
                _ => Err(WorldError::Unsupported {
                    target: format!("venue {id}"),
                    what: format!("a {} call", call.kind().name()),
                }),
            },
        }
    }
}
