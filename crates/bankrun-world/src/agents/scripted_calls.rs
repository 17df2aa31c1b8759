//! Scripted calls at stated times: the exogenous shocks and interventions of a historical
//! scenario (a wallet's large swap, a foundation's reserve deployment, a governance parameter
//! change, a swap halt). Each is executed at the top of the first block at or after its time,
//! outside the mempool (its inclusion race is not modelled), in the order given; a revert is
//! recorded, never dropped. A call may carry a [`Condition`] (a peg defence that only buys
//! below the peg): when it does not hold at its time, the call is skipped and recorded so.

use crate::agent::{Agent, Submission, View};
use bankrun_chain::TokenId;

use crate::call::{AgentId, Call, Target, VenueId};
use crate::error::WorldError;
use crate::record::TxRecord;

/// A price condition: the lowest price of `base` in `quote` over `venues` is below `below`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Venues read.
    pub venues: Vec<VenueId>,
    /// Token priced.
    pub base: TokenId,
    /// Token it is priced in.
    pub quote: TokenId,
    /// Threshold, `quote` per `base`.
    pub below: f64,
}

/// What came of a scripted call.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Executed: the effect's amount (token units).
    Done(String),
    /// Reverted: the reason.
    Reverted(String),
    /// Not executed: its condition did not hold (the price seen).
    Skipped(String),
}

/// One scripted call.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedCall {
    /// Label for logs and reports (`"Wallet A swap"`).
    pub label: String,
    /// Unix seconds.
    pub at: u64,
    /// What it calls.
    pub target: Target,
    /// The call.
    pub call: Call,
    /// Executed only if this holds at its time.
    pub condition: Option<Condition>,
    /// The account that sends it (a fund's own wallet or protocol position); `None`: the
    /// scripted agent itself.
    pub account: Option<AgentId>,
}

/// Executes its calls at their times, in order.
#[derive(Debug, Clone)]
pub struct ScriptedCalls {
    name: String,
    calls: Vec<ScriptedCall>,
    next: usize,
    /// Per call, once its time came: `(block, outcome)`.
    pub outcomes: Vec<Option<(u64, Outcome)>>,
    in_flight: Vec<usize>,
}

impl ScriptedCalls {
    /// The calls, sorted by time (stable: same-time calls keep their order).
    pub fn new(name: &str, mut calls: Vec<ScriptedCall>) -> Self {
        calls.sort_by_key(|c| c.at);
        let n = calls.len();
        ScriptedCalls {
            name: name.to_string(),
            calls,
            next: 0,
            outcomes: vec![None; n],
            in_flight: Vec::new(),
        }
    }

    /// The calls, in execution order.
    pub fn calls(&self) -> &[ScriptedCall] {
        &self.calls
    }
}

impl Agent for ScriptedCalls {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn act(&mut self, _: AgentId, _: &View<'_>, _: &mut Vec<Submission>) -> Result<(), WorldError> {
        Ok(())
    }

    fn scheduled(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        while let Some(c) = self.calls.get(self.next) {
            if c.at > view.now {
                break;
            }
            let i = self.next;
            self.next += 1;
            if let Some(cond) = &c.condition {
                let mut low = f64::INFINITY;
                for &id in &cond.venues {
                    let v = view
                        .venue(id)
                        .ok_or(WorldError::Unknown { kind: "venue", id })?;
                    low = low.min(v.price(cond.base, cond.quote)?);
                }
                if low >= cond.below {
                    let why = format!("price {low:.4} not below {}", cond.below);
                    self.outcomes[i] = Some((view.block, Outcome::Skipped(why)));
                    continue;
                }
            }
            let mut sub = Submission::new(c.target, c.call, 0.0);
            sub.account = c.account;
            out.push(sub);
            self.in_flight.push(i);
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        if !record.direct || self.in_flight.is_empty() {
            return;
        }
        let i = self.in_flight.remove(0);
        self.outcomes[i] = Some((
            record.block,
            match &record.outcome {
                Ok(r) => Outcome::Done(r.effect.amount.to_string()),
                Err(r) => Outcome::Reverted(r.reason.clone()),
            },
        ));
    }
}
