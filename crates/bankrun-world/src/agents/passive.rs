//! An agent that holds its positions and sends nothing (a borrower or supplier whose
//! behaviour a scenario does not model).

use crate::agent::{Agent, Submission, View};
use crate::call::AgentId;
use crate::error::WorldError;
use crate::record::TxRecord;

/// Holds its positions; sends nothing.
#[derive(Debug, Clone, Default)]
pub struct Passive {
    name: String,
}

impl Passive {
    /// A passive agent named `name`.
    pub fn new(name: &str) -> Self {
        Passive {
            name: name.to_string(),
        }
    }
}

impl Agent for Passive {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn act(&mut self, _: AgentId, _: &View<'_>, _: &mut Vec<Submission>) -> Result<(), WorldError> {
        Ok(())
    }

    fn on_mined(&mut self, _: &TxRecord) {}
}
