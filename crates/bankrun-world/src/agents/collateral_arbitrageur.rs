//! An arbitrageur of a collateral price that a lender's oracle fixes above the market: it buys
//! the collateral below par on a venue, supplies it to the lender, which values it at par,
//! borrows another stablecoin against it, and buys more collateral with the loan.
//!
//! The event: USDC/SVB, 10–13 March 2023. Compound v2's `UniswapAnchoredView` priced USDC at a
//! hard-coded $1.00 (`FIXED_USD`) while USDC traded near $0.88, so USDC bought on 3pool was
//! worth 85.5 % of $1 of borrowing power (its collateral factor); Compound's pause guardian
//! paused USDC supply (`_setMintPaused`) on 11 March (research notes, event file
//! usdc-svb-2023-03: Compound v2 USDC row; the extra file's Compound row). Behaviour:
//! reference/behaviour.md §4 (arbitrageurs with finite capital): the loop is bounded by its
//! budget, the lender's cash and the pause, and it trades only below a price.
//!
//! Each block, with nothing of its own pending and at least `every_blocks` after its last
//! round, it reads the state once and sends up to three transactions, in this order:
//! 1. supply every unit of collateral in its wallet, unless the market's mint is paused or
//!    its supply budget is used;
//! 2. borrow `use_fraction` of its account liquidity (Comptroller `getAccountLiquidity`, USD)
//!    in the borrow token at the Comptroller's price, capped by the market's cash and its debt
//!    budget, if at least `min_clip`;
//! 3. sell the borrow token in its wallet for collateral on the venue (at least one collateral
//!    unit per borrow unit).
//!
//! Steps 2 and 3 run only while the venue's price of the collateral is below `below` and the
//! collateral's mint is not paused: a loan it could neither turn into cheap collateral nor
//! supply would only cost interest.
//!
//! Each step reads the state before the block, so a round (buy, supply, borrow) takes three
//! blocks: the loop is not atomic (a flash-loan version would be; assumption of the model).
//! It never unwinds within the run.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::agent::{Agent, Submission, View};
use crate::call::{AgentId, Call, ProtocolId, Target, VenueId};
use crate::error::WorldError;
use crate::protocol::Protocol;
use crate::protocols::CompoundV2;
use crate::record::TxRecord;

/// A collateral arbitrageur's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CollateralArbitrageurSpec {
    /// Display name.
    pub name: String,
    /// The Compound v2 protocol.
    pub protocol: ProtocolId,
    /// The venue it buys collateral on.
    pub venue: VenueId,
    /// The collateral (USDC) and its decimals.
    pub collateral: (TokenId, u8),
    /// The token borrowed and sold for collateral (USDT or DAI) and its decimals.
    pub borrow: (TokenId, u8),
    /// Buys collateral only while the venue's price of it, in the borrow token, is below this.
    pub below: f64,
    /// Fraction of its account liquidity it borrows each round (below 1 leaves a buffer
    /// against the borrow token's price).
    pub use_fraction: f64,
    /// Smallest borrow or sale, borrow-token units.
    pub min_clip: U256,
    /// Most collateral it supplies in all, collateral units.
    pub max_supply: U256,
    /// Most it borrows in all, borrow-token units.
    pub max_debt: U256,
    /// Blocks between rounds (at least 1).
    pub every_blocks: u64,
    /// Priority fee bid, gwei.
    pub priority_gwei: f64,
}

/// A collateral arbitrageur.
#[derive(Debug, Clone)]
pub struct CollateralArbitrageur {
    spec: CollateralArbitrageurSpec,
    pending: usize,
    last_block: Option<u64>,
    /// Collateral supplied so far, collateral units (mined supplies).
    pub supplied: U256,
    /// Borrowed so far, borrow-token units.
    pub borrowed: U256,
    /// Collateral bought on the venue so far, collateral units.
    pub bought: U256,
    /// Borrow token sold on the venue so far, borrow-token units.
    pub sold: U256,
}

impl CollateralArbitrageur {
    /// An arbitrageur with nothing done; its wallet (borrow token or collateral) is funded by
    /// the caller.
    pub fn new(spec: CollateralArbitrageurSpec) -> Self {
        CollateralArbitrageur {
            spec,
            pending: 0,
            last_block: None,
            supplied: U256::ZERO,
            borrowed: U256::ZERO,
            bought: U256::ZERO,
            sold: U256::ZERO,
        }
    }

    /// Its settings.
    pub fn spec(&self) -> &CollateralArbitrageurSpec {
        &self.spec
    }

    /// The borrow, borrow-token units: `use_fraction` of the liquidity at the Comptroller's
    /// price (`liquidity·1e18 / getUnderlyingPrice`), capped by cash and the debt budget.
    fn borrow_amount(&self, me: AgentId, comp: &CompoundV2) -> Result<U256, WorldError> {
        let s = &self.spec;
        let revert = |e| WorldError::reverted(Protocol::name(comp), e);
        let c = comp.comptroller();
        let id = comp.market_of(s.borrow.0)?;
        let (liquidity, _) = c.account_liquidity(me).map_err(revert)?;
        let price = c.oracle.get_underlying_price(id).map_err(revert)?;
        if price.is_zero() || liquidity.is_zero() {
            return Ok(U256::ZERO);
        }
        let bps = U256::from((s.use_fraction.clamp(0.0, 1.0) * 1e4).round() as u64);
        let wanted = liquidity * U256::from(10u64).pow(U256::from(18u64)) / price * bps
            / U256::from(10_000u64);
        let room = s.max_debt.saturating_sub(self.borrowed);
        Ok(wanted.min(c.markets[id].ctoken.cash).min(room))
    }

    /// At least one collateral unit per borrow unit (the decimals converted).
    fn min_out(&self, amount_in: U256) -> U256 {
        let (c, b) = (self.spec.collateral.1, self.spec.borrow.1);
        let ten = U256::from(10u64);
        if b >= c {
            amount_in / ten.pow(U256::from(b - c))
        } else {
            amount_in * ten.pow(U256::from(c - b))
        }
    }
}

impl Agent for CollateralArbitrageur {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn act(
        &mut self,
        me: AgentId,
        view: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        let s = self.spec.clone();
        let rested = self
            .last_block
            .is_none_or(|b| view.block >= b.saturating_add(s.every_blocks.max(1)));
        if self.pending > 0 || !rested {
            return Ok(());
        }
        let comp = view
            .protocol(s.protocol)
            .and_then(|p| p.as_any().downcast_ref::<CompoundV2>())
            .ok_or(WorldError::Unknown {
                kind: "Compound v2 protocol",
                id: s.protocol,
            })?;
        let venue = view.venue(s.venue).ok_or(WorldError::Unknown {
            kind: "venue",
            id: s.venue,
        })?;
        let (coll, debt) = (s.collateral.0, s.borrow.0);
        let mut calls = Vec::new();
        let wallet = view.ledger.balance(coll, Holder::Agent(me));
        let supply = wallet.min(s.max_supply.saturating_sub(self.supplied));
        let paused = comp.comptroller().markets[comp.market_of(coll)?].mint_paused;
        if !supply.is_zero() && !paused {
            calls.push((
                Target::Protocol(s.protocol),
                Call::Supply {
                    token: coll,
                    amount: supply,
                },
            ));
        }
        let looping = !paused && venue.price(coll, debt)? < s.below;
        let borrow = if looping {
            self.borrow_amount(me, comp)?
        } else {
            U256::ZERO
        };
        if borrow >= s.min_clip && !borrow.is_zero() {
            calls.push((
                Target::Protocol(s.protocol),
                Call::Borrow {
                    token: debt,
                    amount: borrow,
                },
            ));
        }
        let cash = view.ledger.balance(debt, Holder::Agent(me));
        if looping && cash >= s.min_clip && !cash.is_zero() {
            calls.push((
                Target::Venue(s.venue),
                Call::SwapExactIn {
                    token_in: debt,
                    token_out: coll,
                    amount_in: cash,
                    min_out: self.min_out(cash),
                },
            ));
        }
        if calls.is_empty() {
            return Ok(());
        }
        self.last_block = Some(view.block);
        self.pending = calls.len();
        for (target, call) in calls {
            out.push(Submission::new(target, call, s.priority_gwei));
        }
        Ok(())
    }

    fn on_mined(&mut self, record: &TxRecord) {
        self.pending = self.pending.saturating_sub(1);
        let Ok(receipt) = &record.outcome else {
            return;
        };
        match record.call {
            Call::Supply { amount, .. } => self.supplied += amount,
            Call::Borrow { amount, .. } => self.borrowed += amount,
            Call::SwapExactIn { amount_in, .. } => {
                self.sold += amount_in;
                self.bought += receipt.effect.amount;
            }
            _ => {}
        }
    }

    fn on_dropped(&mut self, _submission: &Submission) {
        self.pending = self.pending.saturating_sub(1);
    }
}
