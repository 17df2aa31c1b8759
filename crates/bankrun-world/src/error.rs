//! Errors of the world: a call's revert reason, or a failure of the world itself.

use bankrun_chain::LedgerError;

/// Why a call reverted or the world could not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// The protocol or venue reverted, with its own error name.
    #[error("{target} reverted: {reason}")]
    Reverted {
        /// Protocol or venue name.
        target: String,
        /// Its error, named as the contract names it.
        reason: String,
    },
    /// The sender's wallet lacked the tokens (ERC-20 "transfer amount exceeds balance").
    #[error("ledger: {0}")]
    Ledger(#[from] LedgerError),
    /// The call does not apply to the target (a swap on a lending protocol, an unlisted
    /// token, …).
    #[error("{target}: {what}")]
    Unsupported {
        /// Protocol or venue name.
        target: String,
        /// What was asked.
        what: String,
    },
    /// A reference to something the world does not hold (feed, protocol, venue, agent).
    #[error("unknown {kind} {id}")]
    Unknown {
        /// `feed`, `protocol`, `venue`, `token`, …
        kind: &'static str,
        /// Its id.
        id: u32,
    },
    /// An invariant of the world failed after a block (the `invariants` feature, or
    /// [`crate::World::check_invariants`]): a defect of bankrun, never of the input.
    #[error("invariant violated after block {block}: {what}")]
    Invariant {
        /// Block number.
        block: u64,
        /// Every violation, `; `-separated, each naming its protocol or venue.
        what: String,
    },
    /// An oracle could not give a price (a venue with no liquidity, a path outside its
    /// range): reported, never read as zero.
    #[error("oracle {feed}: {why}")]
    NoPrice {
        /// Feed name.
        feed: String,
        /// Why.
        why: String,
    },
}

impl WorldError {
    /// A revert of `target` with `reason` (`Debug` of the protocol's error enum).
    pub fn reverted(target: &str, reason: impl std::fmt::Debug) -> Self {
        WorldError::Reverted {
            target: target.to_string(),
            reason: format!("{reason:?}"),
        }
    }

    /// The error's `Display` text, as a transaction record keeps it (`Revert::reason`). A
    /// contract's revert, which a run meets tens of thousands of times, is joined onto the
    /// target's own allocation without the formatter.
    pub fn into_reason(self) -> String {
        match self {
            WorldError::Reverted { mut target, reason } => {
                const SEP: &str = " reverted: ";
                target.reserve_exact(SEP.len() + reason.len());
                target.push_str(SEP);
                target.push_str(&reason);
                target
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_the_display_text() {
        let errors = [
            WorldError::reverted("aave-v3", "NotEnoughAvailableUserBalance"),
            WorldError::Unsupported {
                target: "curve".into(),
                what: "borrow".into(),
            },
            WorldError::Unknown {
                kind: "feed",
                id: 7,
            },
        ];
        for e in errors {
            assert_eq!(e.clone().into_reason(), e.to_string());
        }
        assert_eq!(
            WorldError::reverted("aave-v3", 3u8).into_reason(),
            "aave-v3 reverted: 3"
        );
    }
}
