//! A scripted trade: a holder sells a stated amount on a venue at a stated block (a forced
//! seller, an exploiter dumping, a fund unwinding).

use bankrun_aave::U256;
use bankrun_chain::TokenId;

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, Target, VenueId};
use crate::error::WorldError;
use crate::record::TxRecord;

/// Sells `amount` of `token` for `into` on `venue` once, at the first block ≥ `at_block`; a revert is
/// recorded in [`ScriptedTrade::outcome`] and in the world log.
#[derive(Debug, Clone)]
pub struct ScriptedTrade {
    name: String,
    venue: VenueId,
    token: TokenId,
    into: TokenId,
    amount: U256,
    at_block: u64,
    sent: bool,
    /// Outcome, once mined: the amount received, or the revert reason.
    pub outcome: Option<Result<U256, String>>,
}

impl ScriptedTrade {
    /// A sale of `amount` (token units) of `token` for `into` on `venue` at `at_block`.
    pub fn new(
        name: &str,
        venue: VenueId,
        (token, into): (TokenId, TokenId),
        amount: U256,
        at_block: u64,
    ) -> Self {
        ScriptedTrade {
            name: name.to_string(),
            venue,
            token,
            into,
            amount,
            at_block,
            sent: false,
            outcome: None,
        }
    }
}

impl Agent for ScriptedTrade {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn act(
        &mut self,
        _: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        if self.sent || view.block < self.at_block {
            return Ok(());
        }
        self.sent = true;
        let call = Call::SwapExactIn {
            token_in: self.token,
            token_out: self.into,
            amount_in: self.amount,
            min_out: U256::ZERO,
        };
        out.push(Submission::new(Target::Venue(self.venue), call, 2.0));
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        // A scripted event that fails is recorded as failed, never dropped.
        self.outcome = Some(match &record.outcome {
            Ok(r) => Ok(r.effect.amount),
            Err(r) => Err(r.reason.clone()),
        });
    }
}
