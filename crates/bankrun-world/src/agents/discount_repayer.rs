//! Borrowers who repay a stablecoin debt with the stablecoin bought below par: in the USDC/SVB
//! event (10–13 March 2023) USDC traded at $0.87–0.97, and borrowers of USDC on Aave and
//! Compound bought it at the discount (for USDT, DAI) and repaid their loans, which count
//! USDC at its face value, at a profit. Repayment is the one use of a depegged debt token
//! that realises par before its issuer does.
//!
//! Behaviour: the discount is a primary-market-like arbitrage of reference/behaviour.md §4.1
//! ("Stablecoin primary-market arbitrage": the debt is redeemed at par, here against the
//! borrower's own loan) by borrowers of §2 with heterogeneous thresholds (§1.3: each account
//! acts once the watched price falls below its own threshold).
//!
//! Each `every_blocks`, with the debt token's market price `p` (a feed's market price, USD),
//! every account not yet started whose threshold is above `p` sells its whole wallet balance
//! of the pay token for the debt token on the venue. When that swap is mined, the account's
//! repayment of what it received is queued and submitted at the agent's next act (every
//! block): the protocol takes `min(amount, debt)`, the rest stays in the wallet. An account
//! acts once; one whose wallet holds none of the pay token, whose swap reverts or whose
//! transaction is dropped is done, without retry.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, FeedId, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::record::TxRecord;

/// A discount repayer cohort's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountRepayerSpec {
    /// Display name.
    pub name: String,
    /// The lending protocol holding the debts.
    pub protocol: ProtocolId,
    /// The debt token (USDC).
    pub debt: TokenId,
    /// The token paid for it (USDT, DAI), held in the accounts' wallets (funded by the
    /// caller).
    pub pay: TokenId,
    /// The venue the debt token is bought on.
    pub venue: VenueId,
    /// The borrowers' accounts, consecutive ids.
    pub accounts: Vec<AgentId>,
    /// Per account: it acts once the watched price is below this, USD.
    pub thresholds: Vec<f64>,
    /// The feed whose market price ([`crate::OracleRegistry::market`]) is the debt token's
    /// price in USD.
    pub price_feed: FeedId,
    /// Blocks between price checks (at least 1); queued repayments go out every block.
    pub every_blocks: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for the price to fall below its threshold.
    Waiting,
    /// Its swap is in flight.
    Swapping,
    /// Its repayment is queued or in flight.
    Repaying,
    /// Finished (repaid, failed or nothing to pay with).
    Done,
}

/// A cohort of borrowers repaying at a discount.
#[derive(Debug, Clone)]
pub struct DiscountRepayer {
    spec: DiscountRepayerSpec,
    first: AgentId,
    stages: Vec<Stage>,
    /// Repayments to submit at the next act: (account, debt-token units), in mined order.
    to_repay: Vec<(AgentId, U256)>,
    last_block: Option<u64>,
    /// Swaps of the pay token for the debt token mined successfully.
    pub swaps: u64,
    /// Debt repaid, debt-token units: the sum of the mined repayments' `receipt.effect.amount`,
    /// which the lending wrappers set to the amount actually repaid (Aave `Pool.repay`'s
    /// return, `min(amount, debt)`; likewise Compound v2 and Comet), not the amount asked.
    pub repaid: U256,
    /// Accounts whose repayment mined successfully.
    pub repayers: u64,
}

impl DiscountRepayer {
    /// A cohort whose accounts are consecutive ids from `spec.accounts[0]`, none started.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the thresholds are not one per account or the accounts
    /// are not consecutive.
    pub fn new(spec: DiscountRepayerSpec) -> Result<Self, WorldError> {
        let n = spec.accounts.len();
        let bad = |what: &str| WorldError::Unsupported {
            target: spec.name.clone(),
            what: what.to_string(),
        };
        if spec.thresholds.len() != n {
            return Err(bad("thresholds must have one entry per account"));
        }
        let first = spec.accounts.first().copied().unwrap_or(0);
        if spec
            .accounts
            .iter()
            .enumerate()
            .any(|(i, a)| u64::from(*a) != u64::from(first) + i as u64)
        {
            return Err(bad("accounts must be consecutive ids"));
        }
        Ok(DiscountRepayer {
            stages: vec![Stage::Waiting; n],
            spec,
            first,
            to_repay: Vec::new(),
            last_block: None,
            swaps: 0,
            repaid: U256::ZERO,
            repayers: 0,
        })
    }

    /// The settings.
    pub fn spec(&self) -> &DiscountRepayerSpec {
        &self.spec
    }

    /// Whether `account` has started (its swap was sent, or it was found with nothing to pay
    /// with); `false` for an account not of the cohort.
    pub fn started(&self, account: AgentId) -> bool {
        self.index(account)
            .is_some_and(|i| self.stages[i] != Stage::Waiting)
    }

    fn index(&self, account: AgentId) -> Option<usize> {
        let i = account.checked_sub(self.first)? as usize;
        (i < self.stages.len()).then_some(i)
    }

    fn submit(&self, account: AgentId, target: Target, call: Call, out: &mut Vec<Submission>) {
        let mut sub = Submission::new(target, call, self.spec.priority_gwei);
        sub.account = Some(account);
        out.push(sub);
    }
}

impl Agent for DiscountRepayer {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        _me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let s = &self.spec;
        for (account, amount) in std::mem::take(&mut self.to_repay) {
            let call = Call::Repay {
                token: s.debt,
                amount,
            };
            self.submit(account, Target::Protocol(s.protocol), call, out);
        }
        let rested = self
            .last_block
            .is_none_or(|b| view.block >= b.saturating_add(s.every_blocks.max(1)));
        if !rested {
            return Ok(());
        }
        self.last_block = Some(view.block);
        // NaN before the feed's first read: no threshold is above it.
        let p = view.oracles.market(s.price_feed)?;
        for i in 0..self.stages.len() {
            if self.stages[i] != Stage::Waiting
                || self.spec.thresholds[i].partial_cmp(&p) != Some(std::cmp::Ordering::Greater)
            {
                continue;
            }
            let account = self.first + i as AgentId;
            let wallet = view.ledger.balance(self.spec.pay, Holder::Agent(account));
            if wallet.is_zero() {
                self.stages[i] = Stage::Done;
                continue;
            }
            self.stages[i] = Stage::Swapping;
            let call = Call::SwapExactIn {
                token_in: self.spec.pay,
                token_out: self.spec.debt,
                amount_in: wallet,
                min_out: U256::ZERO,
            };
            self.submit(account, Target::Venue(self.spec.venue), call, out);
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        let Some(i) = self.index(record.account) else {
            return;
        };
        match (&record.call, &record.outcome) {
            (Call::SwapExactIn { .. }, Ok(receipt)) if self.stages[i] == Stage::Swapping => {
                self.swaps += 1;
                let got = receipt.effect.amount;
                if got.is_zero() {
                    self.stages[i] = Stage::Done;
                } else {
                    self.stages[i] = Stage::Repaying;
                    self.to_repay.push((record.account, got));
                }
            }
            (Call::SwapExactIn { .. }, Err(_)) => self.stages[i] = Stage::Done,
            (Call::Repay { .. }, outcome) => {
                self.stages[i] = Stage::Done;
                if let Ok(receipt) = outcome {
                    self.repaid += receipt.effect.amount;
                    self.repayers += 1;
                }
            }
            _ => {}
        }
    }

    fn on_dropped(&mut self, submission: &Submission) {
        if let Some(i) = submission.account.and_then(|a| self.index(a)) {
            self.stages[i] = Stage::Done;
        }
    }
}
