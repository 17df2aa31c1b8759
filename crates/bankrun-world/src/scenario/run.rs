//! Running a one-world scenario: the block loop over the scenario's window, with the ledger's
//! conservation checked after every block, and the run's tables and summary.

use std::collections::BTreeMap;

use bankrun_chain::TokenId;
use bankrun_chain::time::format_time;
use bankrun_chain::units::units_to_tokens;
use bankrun_scenario::ScenarioError;
use serde::Serialize;

use super::Loaded;
use super::build::{Src, build};
use crate::call::{AaveCall, Call, CompoundCall, Target};
use crate::error::WorldError;

/// A mined transaction, for `txs.csv`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TxRow {
    /// Block number.
    pub block: u64,
    /// Block time, RFC 3339 UTC.
    pub time: String,
    /// Sending agent.
    pub sender: String,
    /// Protocol or venue called.
    pub target: String,
    /// `supply`, `withdraw`, `borrow`, `repay`, `liquidate`, `swap`.
    pub call: String,
    /// Token the call names first (supplied, withdrawn, borrowed, repaid, debt, sold).
    pub token: String,
    /// The amount of `token` it moved: supplied, withdrawn, borrowed, repaid, the debt a
    /// liquidation repaid, or the amount a swap sold; whole tokens.
    pub amount: f64,
    /// What the sender received besides: a swap's output or a liquidation's collateral,
    /// whole tokens of `received_token`.
    pub received: f64,
    /// Token received.
    pub received_token: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Revert reason, empty when it succeeded.
    pub revert_reason: String,
    /// Gas used.
    pub gas_used: u64,
}

/// A published oracle answer, for `oracles.csv`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OracleRow {
    /// Block number.
    pub block: u64,
    /// Block time, RFC 3339 UTC.
    pub time: String,
    /// Feed.
    pub feed: String,
    /// Answer, USD.
    pub price_usd: f64,
    /// Readers that refused it, `protocol: reason`, `; `-separated.
    pub rejected_by: String,
}

/// Per-protocol totals.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ProtocolTotals {
    /// Protocol.
    pub protocol: String,
    /// Successful liquidations.
    pub liquidations: u64,
    /// Debt repaid by liquidations, whole tokens, by token.
    pub debt_repaid: BTreeMap<String, f64>,
    /// Collateral seized, whole tokens, by token.
    pub collateral_seized: BTreeMap<String, f64>,
    /// Deficit (bad debt) booked, whole tokens, by token.
    pub deficit: BTreeMap<String, f64>,
    /// Liquidatable positions left at the end.
    pub liquidatable_at_end: u64,
}

/// An issuer's primary market over the run ([`crate::protocols::Issuer`]), whole tokens.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct IssuerTotals {
    /// Issuer.
    pub issuer: String,
    /// Token it issues.
    pub token: String,
    /// Its backing.
    pub backing: String,
    /// Tokens minted.
    pub minted: f64,
    /// Tokens redeemed (burnt at the request).
    pub redeemed: f64,
    /// Backing paid out.
    pub paid: f64,
    /// Backing still owed by the queue at the end.
    pub owed_at_end: f64,
    /// Requests still waiting at the end.
    pub waiting_at_end: u64,
}

/// The run's summary (`summary.json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WorldSummary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Blocks run.
    pub blocks: u64,
    /// Transactions mined.
    pub txs_mined: u64,
    /// Of which reverted.
    pub txs_reverted: u64,
    /// Gas used by mined transactions.
    pub gas_used: u64,
    /// Per protocol.
    pub protocols: Vec<ProtocolTotals>,
    /// Per issuer (absent without one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issuers: Vec<IssuerTotals>,
    /// Per feed: `(name, first, min, last)` USD answers.
    pub feeds: Vec<(String, f64, f64, f64)>,
    /// Blocks after which the ledger's conservation was checked (all of them).
    pub conservation_checks: u64,
    /// Blocks after which every invariant of [`crate::invariant`] was checked: all of them
    /// with the `invariants` feature, 0 without (not written to `summary.json`).
    #[serde(skip)]
    pub invariant_checks: u64,
}

/// A finished run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorldRun {
    /// Summary.
    pub summary: WorldSummary,
    /// Mined transactions.
    pub txs: Vec<TxRow>,
    /// Oracle answers.
    pub oracles: Vec<OracleRow>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad scenario input (exit code 2).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The world stopped: an oracle without a price, a ledger inconsistency.
    #[error("block {block}: {source}")]
    World {
        /// Block.
        block: u64,
        /// Cause.
        source: WorldError,
    },
}

/// Runs `loaded` with `seed` (the scenario's seed if `None`); `progress(done, total)` after
/// each block.
///
/// # Errors
/// [`RunError`].
pub fn run(
    loaded: &Loaded,
    seed: Option<u64>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<WorldRun, RunError> {
    let src = Src {
        text: &loaded.text,
        origin: &loaded.origin,
    };
    let mut spec = loaded.spec.clone();
    if let Some(s) = seed {
        spec.scenario.seed = s;
    }
    let (mut world, mut agents, blocks) = build(&spec, &src)?;
    // The books as opened, before block 1 (every block after is checked by `step`).
    #[cfg(feature = "invariants")]
    world
        .check_invariants()
        .map_err(|source| RunError::World { block: 0, source })?;
    for b in 0..blocks {
        world.step(&mut agents).map_err(|source| RunError::World {
            block: world.block(),
            source,
        })?;
        world
            .ledger()
            .check_conservation()
            .map_err(|e| RunError::World {
                block: world.block(),
                source: e.into(),
            })?;
        progress(b + 1, blocks);
    }
    let names = Names::of(&spec, &agents, world.config());
    let mut summary = WorldSummary {
        scenario: spec.scenario.name.clone(),
        seed: spec.scenario.seed,
        blocks,
        conservation_checks: blocks,
        invariant_checks: world.invariant_checks(),
        ..WorldSummary::default()
    };
    let txs: Vec<TxRow> = world.log().txs.iter().map(|t| names.tx_row(t)).collect();
    summary.txs_mined = txs.len() as u64;
    summary.txs_reverted = txs.iter().filter(|t| !t.ok).count() as u64;
    summary.gas_used = txs.iter().map(|t| t.gas_used).sum();
    for (i, p) in spec.protocols.iter().enumerate() {
        let mut totals = ProtocolTotals {
            protocol: p.name().to_string(),
            ..ProtocolTotals::default()
        };
        for (t, rec) in txs.iter().zip(&world.log().txs) {
            if t.target != totals.protocol || t.call != "liquidate" || !t.ok {
                continue;
            }
            totals.liquidations += 1;
            *totals.debt_repaid.entry(t.token.clone()).or_default() += t.amount;
            *totals
                .collateral_seized
                .entry(t.received_token.clone())
                .or_default() += t.received;
            if let Ok(r) = &rec.outcome {
                let d = names.amount(&t.token, r.effect.deficit);
                *totals.deficit.entry(t.token.clone()).or_default() += d;
            }
        }
        let proto = world
            .view()
            .protocol(i as u32)
            .map(|p| p.candidates(world.now()));
        totals.liquidatable_at_end = match proto {
            Some(Ok(c)) => c.len() as u64,
            Some(Err(e)) => {
                return Err(RunError::World {
                    block: world.block(),
                    source: e,
                });
            }
            None => 0,
        };
        summary.protocols.push(totals);
        let issuer = world
            .protocol(i as u32)
            .and_then(|p| p.as_any().downcast_ref::<crate::protocols::Issuer>());
        if let Some(x) = issuer {
            let ((token, td), (backing, bd)) = (
                names.token(x.spec().token.0),
                names.token(x.spec().backing.0),
            );
            summary.issuers.push(IssuerTotals {
                issuer: p.name().to_string(),
                minted: units_to_tokens(x.minted, td),
                redeemed: units_to_tokens(x.burnt, td),
                paid: units_to_tokens(x.paid, bd),
                owed_at_end: units_to_tokens(x.queued, bd),
                waiting_at_end: x.queue().len() as u64,
                token,
                backing,
            });
        }
    }
    let oracles: Vec<OracleRow> = world
        .log()
        .oracles
        .iter()
        .map(|o| OracleRow {
            block: o.block,
            time: names.time(o.block),
            feed: spec.feeds[o.feed as usize].name.clone(),
            price_usd: o.answer as f64 / 1e8,
            rejected_by: o.rejected.join("; "),
        })
        .collect();
    for f in &spec.feeds {
        let p: Vec<f64> = oracles
            .iter()
            .filter(|o| o.feed == f.name)
            .map(|o| o.price_usd)
            .collect();
        if let (Some(first), Some(last)) = (p.first(), p.last()) {
            let min = p.iter().copied().fold(f64::INFINITY, f64::min);
            summary.feeds.push((f.name.clone(), *first, min, *last));
        }
    }
    Ok(WorldRun {
        summary,
        txs,
        oracles,
    })
}

/// Names of agents, protocols, venues and tokens, for the tables.
struct Names {
    agents: Vec<String>,
    protocols: Vec<String>,
    venues: Vec<String>,
    tokens: Vec<(String, u8)>,
    start: u64,
    block_time: u64,
}

impl Names {
    fn of(
        spec: &super::WorldSpec,
        agents: &[Box<dyn crate::Agent>],
        cfg: &crate::ChainConfig,
    ) -> Self {
        Names {
            agents: agents.iter().map(|a| a.name().to_string()).collect(),
            protocols: spec
                .protocols
                .iter()
                .map(|p| p.name().to_string())
                .collect(),
            venues: spec.venues.iter().map(|v| v.name().to_string()).collect(),
            tokens: spec
                .tokens
                .iter()
                .map(|t| (t.symbol.clone(), t.decimals))
                .collect(),
            start: cfg.start,
            block_time: cfg.block_time_s,
        }
    }

    fn time(&self, block: u64) -> String {
        format_time((self.start + block * self.block_time) as i64)
    }

    fn token(&self, id: u32) -> (String, u8) {
        self.tokens
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| (format!("token-{id}"), 18))
    }

    fn amount(&self, symbol: &str, units: bankrun_aave::U256) -> f64 {
        let d = self
            .tokens
            .iter()
            .find(|(s, _)| s == symbol)
            .map_or(18, |(_, d)| *d);
        units_to_tokens(units, d)
    }

    fn tx_row(&self, t: &crate::TxRecord) -> TxRow {
        let target = match t.target {
            Target::Protocol(p) => self.protocols[p as usize].clone(),
            Target::Venue(v) => self.venues[v as usize].clone(),
        };
        let token = match t.call {
            Call::Supply { token, .. }
            | Call::Withdraw { token, .. }
            | Call::Borrow { token, .. }
            | Call::Repay { token, .. } => token,
            Call::Liquidate { debt, .. } | Call::Aave(AaveCall::LiquidationCall { debt, .. }) => {
                debt
            }
            Call::Aave(
                AaveCall::RepayOnBehalf { token, .. }
                | AaveCall::EliminateDeficit { token, .. }
                | AaveCall::Configure { token, .. },
            ) => token,
            Call::Aave(AaveCall::SetUserEMode { .. }) => TokenId::MAX,
            Call::Compound(
                CompoundCall::MintPaused { token, .. }
                | CompoundCall::BorrowPaused { token, .. }
                | CompoundCall::CollateralFactor { token, .. }
                | CompoundCall::CometHoldPrice { token, .. },
            ) => token,
            Call::Compound(CompoundCall::CometPause { .. }) => TokenId::MAX,
            Call::SwapExactIn { token_in, .. } | Call::BuyExactOut { token_in, .. } => token_in,
            Call::RemoveLiquidity { token, .. } => token,
            // Market-module governance changes parameters, not a token.
            Call::Terra(_) | Call::Issuer(_) | Call::VenueFile(_) => TokenId::MAX,
            // Maker calls move Vat balances (rad, wad), not one token of the ledger.
            Call::Maker(_) => TokenId::MAX,
        };
        let (symbol, decimals) = if token == TokenId::MAX {
            (String::new(), 18)
        } else {
            self.token(token)
        };
        let mut row = TxRow {
            block: t.block,
            time: self.time(t.block),
            sender: self
                .agents
                .get(t.sender as usize)
                .cloned()
                .unwrap_or_default(),
            target,
            call: t.call.kind().name().to_string(),
            token: symbol,
            ..TxRow::default()
        };
        match &t.outcome {
            Ok(r) => {
                row.ok = true;
                row.gas_used = r.gas_used;
                row.amount = units_to_tokens(r.effect.amount, decimals);
                let received = match t.call {
                    Call::SwapExactIn {
                        amount_in,
                        token_out,
                        ..
                    } => {
                        row.amount = units_to_tokens(amount_in, decimals);
                        Some((token_out, r.effect.amount))
                    }
                    Call::BuyExactOut {
                        amount_out,
                        token_out,
                        ..
                    } => Some((token_out, amount_out)),
                    _ => r.effect.seized,
                };
                if let Some((token, amount)) = received {
                    let (s, d) = self.token(token);
                    row.received_token = s;
                    row.received = units_to_tokens(amount, d);
                }
            }
            Err(r) => {
                row.gas_used = r.gas_used;
                row.revert_reason = r.reason.clone();
            }
        }
        row
    }
}
