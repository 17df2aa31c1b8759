//! Maker governance: a spell cast at its time, filing new parameters through the contracts'
//! own `file` functions (dss `DssSpell`: `Flipper.file`, `Cat.file`, `Jug.file` after a
//! `drip`, `Vat.file`). The cast is a scheduled action at the top of its block; a file that
//! reverts is recorded as a failed scripted event, never dropped.

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, MakerCall, MakerParam, ProtocolId, Target};
use crate::error::WorldError;
use crate::record::TxRecord;

/// A spell.
#[derive(Debug, Clone, PartialEq)]
pub struct MakerSpell {
    label: String,
    maker: ProtocolId,
    /// Cast time, unix seconds.
    at: u64,
    files: Vec<MakerParam>,
    cast: bool,
    failures: Vec<String>,
}

impl MakerSpell {
    /// A spell `label` filing `files` in order on protocol `maker` at `at` (unix seconds).
    pub fn new(label: &str, maker: ProtocolId, at: u64, files: Vec<MakerParam>) -> Self {
        MakerSpell {
            label: label.to_string(),
            maker,
            at,
            files,
            cast: false,
            failures: Vec::new(),
        }
    }

    /// Whether it has been cast.
    pub fn cast(&self) -> bool {
        self.cast
    }

    /// Reasons of the files that reverted.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }
}

impl Agent for MakerSpell {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.label
    }

    fn act(&mut self, _: AgentId, _: &View<'_>, _: &mut Vec<Submission>) -> Result<(), WorldError> {
        Ok(())
    }

    fn scheduled(
        &mut self,
        _: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        if self.cast || view.now < self.at {
            return Ok(());
        }
        self.cast = true;
        for f in &self.files {
            let call = Call::Maker(MakerCall::File(*f));
            out.push(Submission::new(Target::Protocol(self.maker), call, 0.0));
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        if let Err(r) = &record.outcome {
            self.failures
                .push(format!("spell {}: {}", self.label, r.reason));
        }
    }
}
