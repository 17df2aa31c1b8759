//! Anchor Protocol (`bankrun_anchor`: the market, the overseer and the liquidation queue,
//! exact in their `Uint256`/`Decimal256` units) as a world protocol.
//!
//! - `Supply` of UST is `deposit_stable`: the UST goes to the market, aUST is minted to the
//!   sender in the ledger. `Withdraw` of **aUST** is `redeem_stable` (the cw20 `Send` hook):
//!   the aUST is burned and `⌊aUST·exchange rate⌋` UST comes back, or the call reverts when
//!   the market's balance less its reserves cannot pay.
//! - `Liquidate` is the overseer's `liquidate_collateral` with the sender as the bidder of
//!   the liquidation queue: its `repay` UST stand as one bid pool at the scenario's premium;
//!   the queue takes what the liquidation needs, the sender receives the collateral and the
//!   liquidator fee, the bid fee goes to the yield reserve, any excess over the loan is
//!   refunded to the borrower.
//! - At the top of each block the overseer runs its epoch operations when due (the subsidy
//!   from the yield reserve, the dynamic rate); UST the contracts send out of the system
//!   (ANC purchases, reserves swept to the collector) leaves for [`Holder::External`].
//!
//! The ledger holds aUST (a cw20 token), the market's and the overseer's UST in this
//! protocol's holder, and the collateral (bLUNA taken as LUNA one for one: assumption) in the
//! same holder. The market's own aUST accounting keeps every aUST on one internal account,
//! since holders are the ledger's. Reference/protocol-math.md §5.2.

use bankrun_aave::U256;
use bankrun_anchor::{
    AnchorError, BidPool, Decimal256, LiquidationQueue, Market, Overseer, TerraTax, Uint256, params,
};
use bankrun_chain::{Holder, TokenId};

use crate::call::{AgentId, Call, Effect};
use crate::error::WorldError;
use crate::protocol::{Candidate, Env, Protocol, ensure_balance, not_compound, pull, push, sorted};

/// The market's internal account holding every aUST (holders are the ledger's).
const POOL: u32 = 0;
/// The collateral id of bLUNA in the overseer's whitelist.
const BLUNA: usize = 0;

/// Anchor's state at the start.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorGenesis {
    /// Deposits (aUST × exchange rate), UST micro-units.
    pub deposits: U256,
    /// aUST exchange rate, UST per aUST.
    pub exchange_rate: f64,
    /// Yield reserve, UST micro-units.
    pub yield_reserve: U256,
    /// Target and threshold deposit rate, a year (fraction).
    pub deposit_rate: f64,
    /// Blocks between epoch operations.
    pub epoch_blocks: u64,
    /// LUNA's price at the start, USD (the collateral's oracle price until the first post).
    pub luna_price: f64,
    /// Borrowers: `(account, bLUNA collateral, loan)`, micro-units.
    pub borrowers: Vec<(AgentId, U256, U256)>,
    /// Premium of the liquidation queue's bids (fraction).
    pub bid_premium: f64,
}

/// Anchor's market, overseer and liquidation queue.
#[derive(Debug, Clone)]
pub struct Anchor {
    name: String,
    market: Market,
    overseer: Overseer,
    queue: LiquidationQueue,
    ust: TokenId,
    a_ust: TokenId,
    luna: TokenId,
    /// bLUNA's oracle price, uusd per micro-unit.
    price: Decimal256,
    block: u64,
    bid_premium: Decimal256,
    borrowers: Vec<AgentId>,
    liquidations: (u64, U256, U256),
}

fn dec(x: f64) -> Decimal256 {
    Decimal256(bankrun_chain::units::f64_to_fixed(x, 18))
}

fn tokens(x: U256) -> f64 {
    bankrun_chain::units::units_to_tokens(x, 6)
}

impl Anchor {
    /// Anchor at block 0 in `genesis`'s state, with the documented May 2022 parameters
    /// (`bankrun_anchor::params`: interest model, max borrow factor, bLUNA's max LTV, the
    /// liquidation queue) and `genesis`'s deposit rate and epoch period.
    ///
    /// # Errors
    /// [`WorldError::Reverted`] when the state is inconsistent (deposits below the loans,
    /// overflow).
    pub fn new(
        name: &str,
        (ust, a_ust, luna): (TokenId, TokenId, TokenId),
        g: AnchorGenesis,
    ) -> Result<Self, WorldError> {
        let revert = |e: AnchorError| WorldError::reverted(name, e);
        let tax = TerraTax::default();
        let mut loans = Uint256::ZERO;
        for (_, _, debt) in &g.borrowers {
            loans = loans.checked_add(Uint256(*debt)).map_err(revert)?;
        }
        let mut market = Market::with_totals(
            0,
            Uint256(g.deposits),
            loans,
            dec(g.exchange_rate),
            params::interest_model(),
            params::max_borrow_factor(),
            tax,
        )
        .map_err(revert)?;
        market.aterra_balances.insert(POOL, market.aterra_supply);
        let rate = params::yearly_to_per_block(dec(g.deposit_rate)).map_err(revert)?;
        let mut config = params::overseer_config();
        config.epoch_period = g.epoch_blocks.max(1);
        config.threshold_deposit_rate = rate;
        config.target_deposit_rate = rate;
        let mut overseer = Overseer::new(0, config, params::dynrate_config(), tax);
        overseer.register_whitelist(params::bluna());
        overseer
            .fund_reserve(Uint256(g.yield_reserve))
            .map_err(revert)?;
        overseer
            .migrate_dynrate(0, params::dynrate_config(), rate)
            .map_err(revert)?;
        let mut borrowers = Vec::new();
        for (who, collateral, debt) in &g.borrowers {
            if !collateral.is_zero() {
                overseer
                    .lock_collateral(*who, BLUNA, Uint256(*collateral))
                    .map_err(revert)?;
            }
            market.borrowers.insert(
                *who,
                bankrun_anchor::BorrowerInfo {
                    interest_index: Decimal256::ONE,
                    loan_amount: Uint256(*debt),
                },
            );
            borrowers.push(*who);
        }
        let queue = LiquidationQueue::new(params::liquidation_config(), tax);
        Ok(Anchor {
            name: name.to_string(),
            market,
            overseer,
            queue,
            ust,
            a_ust,
            luna,
            price: dec(g.luna_price),
            block: 0,
            bid_premium: dec(g.bid_premium),
            borrowers,
            liquidations: (0, U256::ZERO, U256::ZERO),
        })
    }

    /// What the protocol's holder must hold at genesis: the market's and the overseer's UST
    /// and the locked collateral.
    pub fn genesis_holdings(&self) -> Vec<(TokenId, U256)> {
        vec![(self.ust, self.held_ust()), (self.luna, self.locked())]
    }

    /// aUST supply, micro-units (all of it starts with the caller's holders).
    pub fn a_ust_supply(&self) -> U256 {
        self.market.aterra_supply.0
    }

    fn held_ust(&self) -> U256 {
        self.market.balance.0 + self.overseer.balance.0
    }

    fn locked(&self) -> U256 {
        self.overseer
            .collaterals
            .values()
            .map(|c| c.get(&BLUNA).map_or(U256::ZERO, |x| x.0))
            .fold(U256::ZERO, |a, b| a + b)
    }

    fn target(&self) -> Decimal256 {
        self.overseer.target_deposit_rate()
    }

    fn revert(&self, e: impl std::fmt::Debug) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    /// The market (read-only).
    pub fn market(&self) -> &Market {
        &self.market
    }

    /// The overseer (read-only).
    pub fn overseer(&self) -> &Overseer {
        &self.overseer
    }

    /// The aUST exchange rate now (UST per aUST; display).
    pub fn exchange_rate(&self) -> f64 {
        self.market
            .exchange_rate(self.block, self.target())
            .map_or(f64::NAN, |r| tokens(r.0) / 1e12)
    }

    /// Deposits now: aUST supply × exchange rate, UST.
    ///
    /// # Errors
    /// The market's error computing the exchange rate.
    pub fn deposits_tokens(&self) -> Result<f64, WorldError> {
        let r = self
            .market
            .exchange_rate(self.block, self.target())
            .map_err(|e| self.revert(e))?;
        let d = self
            .market
            .aterra_supply
            .mul_dec(r)
            .map_err(|e| self.revert(e))?;
        Ok(tokens(d.0))
    }

    /// The yield reserve (the overseer's UST), UST.
    pub fn yield_reserve_tokens(&self) -> f64 {
        tokens(self.overseer.balance.0)
    }

    /// The target deposit rate, a year (fraction).
    pub fn deposit_rate(&self) -> f64 {
        params::per_block_to_yearly(self.target()).map_or(f64::NAN, |r| tokens(r.0) / 1e12)
    }

    /// Liquidations so far: `(count, UST repaid, collateral seized)`, tokens.
    pub fn liquidations(&self) -> (u64, f64, f64) {
        let (n, repaid, seized) = self.liquidations;
        (n, tokens(repaid), tokens(seized))
    }

    /// Σ max(0, liability − collateral at the oracle) over the borrowers, UST.
    ///
    /// # Errors
    /// The market's error computing a liability.
    pub fn bad_debt_tokens(&self, _now: u64) -> Result<f64, WorldError> {
        let mut bad = 0.0;
        for &b in &self.borrowers {
            let loan = self
                .market
                .liability(b, self.block, self.target())
                .map_err(|e| self.revert(e))?;
            let value = self.collateral_value(b).map_err(|e| self.revert(e))?;
            bad += (tokens(loan.0) - tokens(value.0)).max(0.0);
        }
        Ok(bad)
    }

    fn collateral_of(&self, who: AgentId) -> Uint256 {
        self.overseer
            .collaterals
            .get(&who)
            .and_then(|c| c.get(&BLUNA))
            .copied()
            .unwrap_or_default()
    }

    fn collateral_value(&self, who: AgentId) -> Result<Uint256, AnchorError> {
        self.collateral_of(who).mul_dec(self.price)
    }

    fn deposit(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        ensure_balance(env, self.ust, sender, amount)?;
        let mut next = self.market.clone();
        let minted = next
            .deposit_stable(POOL, Uint256(amount), env.block, self.target())
            .map_err(|e| self.revert(e))?;
        pull(env, self.ust, sender, amount)?;
        env.ledger
            .mint(self.a_ust, Holder::Agent(sender), minted.0)?;
        self.market = next;
        Ok(Effect {
            amount: minted.0,
            ..Effect::default()
        })
    }

    fn redeem(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        burn: U256,
    ) -> Result<Effect, WorldError> {
        ensure_balance(env, self.a_ust, sender, burn)?;
        let mut next = self.market.clone();
        let r = next
            .redeem_stable(POOL, Uint256(burn), env.block, self.target())
            .map_err(|e| self.revert(e))?;
        env.ledger.burn(self.a_ust, Holder::Agent(sender), burn)?;
        push(env, self.ust, sender, r.received.0)?;
        // A tax (zero in May 2022) would leave the system.
        let tax = r.redeem_amount.0 - r.received.0;
        if !tax.is_zero() {
            env.ledger
                .transfer(self.ust, env.holder, Holder::External, tax)?;
        }
        self.market = next;
        Ok(Effect {
            amount: r.received.0,
            ..Effect::default()
        })
    }

    fn liquidate(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        borrower: AgentId,
        bid: U256,
    ) -> Result<Effect, WorldError> {
        // The bid is an offer: the sender pays only what the queue uses (pulled below).
        let (mut market, mut overseer, mut queue) = (
            self.market.clone(),
            self.overseer.clone(),
            self.queue.clone(),
        );
        queue.set_pools(
            BLUNA,
            vec![BidPool {
                premium_rate: self.bid_premium,
                total_bid_amount: Uint256(bid),
            }],
        );
        let report = overseer
            .liquidate_collateral(&mut market, &mut queue, borrower, env.block, &[self.price])
            .map_err(|e| self.revert(e))?;
        let left = queue.total_bids(BLUNA).map_err(|e| self.revert(e))?;
        let used = bid - left.0;
        let seized: U256 = report
            .collateral
            .iter()
            .map(|(_, a)| a.0)
            .fold(U256::ZERO, |a, b| a + b);
        pull(env, self.ust, sender, used)?;
        push(env, self.luna, sender, seized)?;
        push(env, self.ust, sender, report.liquidator_fee.0)?;
        if !report.refund.is_zero() {
            push(env, self.ust, borrower, report.refund.0)?;
        }
        self.market = market;
        self.overseer = overseer;
        queue.set_pools(BLUNA, Vec::new());
        self.queue = queue;
        self.liquidations.0 += 1;
        self.liquidations.1 += report.repaid.0;
        self.liquidations.2 += seized;
        Ok(Effect {
            amount: report.repaid.0,
            seized: Some((self.luna, seized)),
            ..Effect::default()
        })
    }

    /// Sends UST the contracts paid out of the system (ANC purchases, reserves swept to the
    /// collector) from the holder to [`Holder::External`].
    fn settle_outflows(&self, env: &mut Env<'_>) -> Result<(), WorldError> {
        let held = env.ledger.balance(self.ust, env.holder);
        let owed = self.held_ust();
        if held > owed {
            env.ledger
                .transfer(self.ust, env.holder, Holder::External, held - owed)?;
        }
        Ok(())
    }
}

impl Protocol for Anchor {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        sorted(&[self.ust, self.a_ust, self.luna])
    }

    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError> {
        match *call {
            Call::Supply { token, amount } if token == self.ust => {
                self.deposit(env, sender, amount)
            }
            Call::Withdraw { token, amount } if token == self.a_ust => {
                self.redeem(env, sender, amount)
            }
            Call::Liquidate {
                borrower,
                debt,
                collateral,
                repay,
            } if debt == self.ust && collateral == self.luna => {
                self.liquidate(env, sender, borrower, repay)
            }
            Call::Compound(_) => Err(not_compound(&self.name)),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!(
                    "a {} call with these tokens (Anchor takes UST deposits, aUST \
                     redemptions and liquidations of UST loans against bLUNA)",
                    call.kind().name()
                ),
            }),
        }
    }

    /// `answer`: LUNA's USD price with 8 decimals, bLUNA's price (uusd per micro-unit).
    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        if token != self.luna {
            return Err(self.revert(format!("no oracle price for token {token}")));
        }
        self.price = Decimal256(U256::from(answer) * U256::from(10_000_000_000u64));
        Ok(())
    }

    /// Borrowers with collateral whose loan exceeds their borrow limit, at the last block.
    /// `max_repay` is the bid the liquidation queue is offered: 3.5 × the loan. The queue
    /// finds the collateral to sell where its bids' curve crosses the loan's (a bid smaller
    /// than about 3.2 × (loan − 0.8 × limit) finds no crossing on an under-water position,
    /// and the overseer then reverts); it uses only what that collateral costs at the bid
    /// premium.
    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        let max_ltv = tokens(self.overseer.whitelist[BLUNA].max_ltv.0) / 1e12;
        let price = tokens(self.price.0) / 1e12;
        // One interest computation for every borrower (the market's `query_state`).
        let state = self
            .market
            .query_state(self.block, self.target())
            .map_err(|e| self.revert(e))?;
        let mut out = Vec::new();
        for &b in &self.borrowers {
            let info = self.market.borrower(b);
            let collateral = self.collateral_of(b);
            if info.loan_amount.is_zero() || collateral.is_zero() {
                continue;
            }
            // Screen in f64 (the stored loan, before this window's few tenths of a percent
            // of interest), then decide on the exact figures.
            let limit_f = tokens(collateral.0) * price * max_ltv;
            if tokens(info.loan_amount.0) < 0.99 * limit_f {
                continue;
            }
            let mut now = info;
            bankrun_anchor::compute_borrower_interest(&state, &mut now)
                .map_err(|e| self.revert(e))?;
            let loan = now.loan_amount;
            let limit = self
                .overseer
                .borrow_limit(b, &[self.price])
                .map_err(|e| self.revert(e))?;
            if loan > limit {
                let bid = loan.0 * U256::from(7u8) / U256::from(2u8);
                out.push(Candidate {
                    borrower: b,
                    debt: self.ust,
                    collateral: self.luna,
                    max_repay: bid,
                    health: if loan.is_zero() {
                        f64::INFINITY
                    } else {
                        tokens(limit.0) / tokens(loan.0)
                    },
                });
            }
        }
        Ok(out)
    }

    /// Deposits are aUST in the ledger: 0 here.
    fn deposit_of(&self, _: AgentId, _: TokenId, _: u64) -> Result<U256, WorldError> {
        Ok(U256::ZERO)
    }

    fn debt_of(&self, agent: AgentId, token: TokenId, _: u64) -> Result<U256, WorldError> {
        if token != self.ust {
            return Ok(U256::ZERO);
        }
        self.market
            .liability(agent, self.block, self.target())
            .map(|x| x.0)
            .map_err(|e| self.revert(e))
    }

    /// The overseer's epoch operations when an epoch has passed, then outflows settled.
    fn begin_block(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        self.block = env.block;
        let due =
            self.overseer.epoch_state.last_executed_height + self.overseer.config.epoch_period;
        if env.block >= due {
            let (mut market, mut overseer) = (self.market.clone(), self.overseer.clone());
            overseer
                .execute_epoch_operations(&mut market, env.block, Uint256::ZERO)
                .map_err(|e| self.revert(e))?;
            self.market = market;
            self.overseer = overseer;
        }
        self.settle_outflows(env)
    }

    /// The holder's UST = market balance + yield reserve; its LUNA = the collateral locked;
    /// the ledger's aUST supply = the market's pooled aUST.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let ust = check.ledger.balance(self.ust, check.holder);
        check.equal("anchor UST = market + overseer", ust, self.held_ust());
        let luna = check.ledger.balance(self.luna, check.holder);
        check.equal("anchor collateral = Σ locked", luna, self.locked());
        check.equal(
            "aUST supply = market's pooled aUST",
            check.ledger.supply(self.a_ust),
            self.market.aterra_balance(POOL).0,
        );
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
