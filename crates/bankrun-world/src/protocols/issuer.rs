//! A token's issuer as a world protocol: the primary market that mints the token against its
//! backing and redeems it, at an exchange rate, through rails that open on a schedule, after a
//! settlement delay and within a capacity per day. It is the depeg library's piece for two
//! families ([`crate::depeg`]):
//!
//! - **Fiat-backed redemption with rails and delays** (reference/behaviour.md §4.1,
//!   "Stablecoin primary-market arbitrage", after Ma–Zeng–Zhang: arbitrageurs redeem at par,
//!   up to a capacity κ per unit time, only while the rails are open). USDC: the backing is
//!   off-chain dollars (a `USD` ledger token outside every pool), the rate is par, and the
//!   rails were closed over the SVB weekend (event file usdc-svb-2023-03: "no USD rails
//!   Sat–Sun", redemptions resumed on Monday 13 March 2023). A haircut is a governance
//!   [`IssuerCall::Rate`] below par.
//! - **LST/LRT exchange rates with and without a redemption queue** (behaviour.md §2.2,
//!   loopers' exit congestion through the LST withdrawal queue; Lido's `WithdrawalQueue` request → finalise →
//!   claim). The backing is ETH, the rate is ETH per token (rsETH's exchange rate, cut by
//!   [`IssuerCall::Rate`] when a loss is socialised), the delay is the queue's wait, and
//!   `redeem: false` is an LST without redemption (stETH before Shapella).
//!
//! The model (an abstraction over these issuers, not one contract):
//! - **Mint**: [`Call::SwapExactIn`] of backing for the token, paid at once:
//!   `floor(in · 1e18 / rate)` (rescaled between the decimals) less `mint_fee`, while minting
//!   is on and the rails are open.
//! - **Redemption request**: [`Call::SwapExactIn`] of the token for backing, while
//!   redemptions are on and the rails are open: the token is burnt at once; the backing owed,
//!   `floor(in · rate / 1e18)` (rescaled) less `redeem_fee`, is fixed at the request (the rate
//!   of the request, as Lido fixes a request's amount) and queued. The call's effect is the
//!   amount owed; [`Protocol::deposit_of`] of the backing is what the queue owes an account.
//! - **Payment**: in [`Protocol::begin_block`], the queue is paid first in, first out, each
//!   request whole, once `delay_s` has passed, while the rails are open, within the day's
//!   capacity (`capacity_per_day`, UTC days) and the reserve the issuer holds; the first
//!   request that cannot be paid makes the later ones wait.
//!
//! Rounding is down on every amount the issuer pays (the issuer keeps the dust).

use std::collections::VecDeque;

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};

use crate::call::{AgentId, Call, Effect, IssuerCall};
use crate::error::WorldError;
use crate::protocol::{Candidate, Env, Protocol, ensure_balance, pull, sorted};

/// 1e18: the scale of rates and fees.
const WAD: u128 = 1_000_000_000_000_000_000;
/// Seconds a day.
const DAY: u64 = 86_400;

/// When the issuer's rails are open: weekdays and UTC hours, less closures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rails {
    /// Open weekdays, Monday first.
    pub weekdays: [bool; 7],
    /// Opening hour, UTC (0–23).
    pub open_hour: u8,
    /// Closing hour, UTC (1–24; the rails close at its start).
    pub close_hour: u8,
    /// Closed windows `[from, to)`, unix seconds (a bank holiday, a failed bank's weekend).
    pub closures: Vec<(u64, u64)>,
}

impl Rails {
    /// Open at every time (an on-chain queue).
    pub fn always() -> Self {
        Rails {
            weekdays: [true; 7],
            open_hour: 0,
            close_hour: 24,
            closures: Vec::new(),
        }
    }

    /// Open Monday to Friday, all day UTC (US banks' wire days; a stated simplification of
    /// Fedwire's hours).
    pub fn weekdays() -> Self {
        Rails {
            weekdays: [true, true, true, true, true, false, false],
            ..Rails::always()
        }
    }

    /// Whether the rails are open at `now` (unix seconds).
    pub fn open_at(&self, now: u64) -> bool {
        // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
        let weekday = ((now / DAY + 3) % 7) as usize;
        let hour = (now % DAY) / 3_600;
        self.weekdays[weekday]
            && hour >= u64::from(self.open_hour)
            && hour < u64::from(self.close_hour)
            && !self.closures.iter().any(|&(a, b)| now >= a && now < b)
    }
}

/// An issuer's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerSpec {
    /// Display name.
    pub name: String,
    /// The token issued and its decimals.
    pub token: (TokenId, u8),
    /// The backing and its decimals.
    pub backing: (TokenId, u8),
    /// Backing per whole token, in whole backing tokens, wad (1e18: par).
    pub rate: U256,
    /// Fee on mints, wad of the output.
    pub mint_fee: U256,
    /// Fee on redemptions, wad of the output.
    pub redeem_fee: U256,
    /// Seconds between a request and its payment.
    pub delay_s: u64,
    /// Backing paid per UTC day at most (`None`: no limit), backing units.
    pub capacity_per_day: Option<U256>,
    /// When the rails are open.
    pub rails: Rails,
    /// Whether redemptions exist at all (`false`: an LST without withdrawals).
    pub redeem: bool,
    /// Whether minting is on.
    pub mint: bool,
}

/// A queued redemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Who is paid.
    pub owner: AgentId,
    /// Backing owed, backing units.
    pub owed: U256,
    /// When it may be paid, unix seconds.
    pub due: u64,
}

/// The issuer: its settings, queue and totals.
#[derive(Debug, Clone)]
pub struct Issuer {
    spec: IssuerSpec,
    halted: bool,
    queue: VecDeque<Request>,
    /// UTC day of `paid_today`.
    day: u64,
    paid_today: U256,
    /// Tokens minted, token units.
    pub minted: U256,
    /// Tokens burnt by redemption requests, token units.
    pub burnt: U256,
    /// Backing paid out, backing units.
    pub paid: U256,
    /// Backing owed by the queue, backing units.
    pub queued: U256,
}

impl Issuer {
    /// An issuer with an empty queue. Its reserve is the backing its ledger holder holds
    /// (minted there by the caller).
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] for a zero rate, a fee of 100 % or more, the same token as
    /// token and backing, or rails that never open in a day (`open_hour ≥ close_hour`).
    pub fn new(spec: IssuerSpec) -> Result<Self, WorldError> {
        let bad = |what: &str| WorldError::Unsupported {
            target: spec.name.clone(),
            what: what.to_string(),
        };
        if spec.rate.is_zero() {
            return Err(bad("a zero exchange rate"));
        }
        if spec.mint_fee >= U256::from(WAD) || spec.redeem_fee >= U256::from(WAD) {
            return Err(bad("a fee of 100 % or more"));
        }
        if spec.token.0 == spec.backing.0 {
            return Err(bad("the same token as token and backing"));
        }
        if spec.rails.open_hour >= spec.rails.close_hour || spec.rails.close_hour > 24 {
            return Err(bad(
                "rails hours that never open (open_hour ≥ close_hour, or > 24)",
            ));
        }
        Ok(Issuer {
            spec,
            halted: false,
            queue: VecDeque::new(),
            day: 0,
            paid_today: U256::ZERO,
            minted: U256::ZERO,
            burnt: U256::ZERO,
            paid: U256::ZERO,
            queued: U256::ZERO,
        })
    }

    /// The settings (the rate and switches as governance last set them).
    pub fn spec(&self) -> &IssuerSpec {
        &self.spec
    }

    /// Whether a redemption request would be taken at `now`: redemptions exist and are not
    /// halted, and the rails are open.
    pub fn redeeming_at(&self, now: u64) -> bool {
        self.spec.redeem && !self.halted && self.spec.rails.open_at(now)
    }

    /// The queue, oldest first.
    pub fn queue(&self) -> &VecDeque<Request> {
        &self.queue
    }

    /// Backing per whole token (whole backing tokens), after the redemption fee: what a
    /// redeemer gets per token, as `f64` (a statistic for agents).
    pub fn redemption_price(&self) -> f64 {
        let rate = bankrun_chain::units::u256_to_f64(self.spec.rate) / 1e18;
        let fee = bankrun_chain::units::u256_to_f64(self.spec.redeem_fee) / 1e18;
        rate * (1.0 - fee)
    }

    fn revert(&self, reason: &str) -> WorldError {
        WorldError::Reverted {
            target: self.spec.name.clone(),
            reason: reason.to_string(),
        }
    }

    /// `amount · num / den`, rescaled from `from` to `to` decimals, rounded down.
    fn convert(amount: U256, (num, den): (U256, U256), (from, to): (u8, u8)) -> Option<U256> {
        let ten = U256::from(10u8);
        let num = num.checked_mul(ten.checked_pow(U256::from(to))?)?;
        let den = den.checked_mul(ten.checked_pow(U256::from(from))?)?;
        amount.checked_mul(num)?.checked_div(den)
    }

    /// `x` less `fee` (wad), rounded down.
    fn less_fee(x: U256, fee: U256) -> Option<U256> {
        x.checked_mul(U256::from(WAD) - fee)
            .map(|v| v / U256::from(WAD))
    }

    fn mint(&mut self, env: &mut Env<'_>, sender: AgentId, amount: U256, min_out: U256) -> R {
        if !self.spec.mint || self.halted {
            return Err(self.revert("minting is off"));
        }
        if !self.spec.rails.open_at(env.now) {
            return Err(self.revert("rails closed"));
        }
        let (token, token_dec) = self.spec.token;
        let (backing, backing_dec) = self.spec.backing;
        let gross = Self::convert(
            amount,
            (U256::from(WAD), self.spec.rate),
            (backing_dec, token_dec),
        );
        let out = gross
            .and_then(|g| Self::less_fee(g, self.spec.mint_fee))
            .ok_or_else(|| self.revert("overflow"))?;
        if out < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        ensure_balance(env, backing, sender, amount)?;
        pull(env, backing, sender, amount)?;
        env.ledger.mint(token, Holder::Agent(sender), out)?;
        self.minted += out;
        Ok(Effect {
            amount: out,
            ..Effect::default()
        })
    }

    fn request(&mut self, env: &mut Env<'_>, sender: AgentId, amount: U256, min_out: U256) -> R {
        if !self.spec.redeem {
            return Err(self.revert("no redemption"));
        }
        if self.halted {
            return Err(self.revert("redemptions halted"));
        }
        if !self.spec.rails.open_at(env.now) {
            return Err(self.revert("rails closed"));
        }
        let (token, token_dec) = self.spec.token;
        let (_, backing_dec) = self.spec.backing;
        let gross = Self::convert(
            amount,
            (self.spec.rate, U256::from(WAD)),
            (token_dec, backing_dec),
        );
        let owed = gross
            .and_then(|g| Self::less_fee(g, self.spec.redeem_fee))
            .ok_or_else(|| self.revert("overflow"))?;
        if owed.is_zero() || owed < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        env.ledger.burn(token, Holder::Agent(sender), amount)?;
        self.burnt += amount;
        self.queued += owed;
        self.queue.push_back(Request {
            owner: sender,
            owed,
            due: env.now.saturating_add(self.spec.delay_s),
        });
        Ok(Effect {
            amount: owed,
            ..Effect::default()
        })
    }

    fn govern(&mut self, call: IssuerCall) -> R {
        match call {
            IssuerCall::Rate(rate) if rate.is_zero() => {
                return Err(self.revert("a zero exchange rate"));
            }
            IssuerCall::Rate(rate) => self.spec.rate = rate,
            IssuerCall::Halt(halted) => self.halted = halted,
            IssuerCall::Minting(on) => self.spec.mint = on,
        }
        Ok(Effect::default())
    }

    /// Pays the queue's due requests (module docs, "Payment").
    fn pay_due(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        if !self.spec.rails.open_at(env.now) {
            return Ok(());
        }
        let today = env.now / DAY;
        if today != self.day {
            self.day = today;
            self.paid_today = U256::ZERO;
        }
        let backing = self.spec.backing.0;
        while let Some(&r) = self.queue.front() {
            let within_capacity = self
                .spec
                .capacity_per_day
                .is_none_or(|cap| self.paid_today + r.owed <= cap);
            let reserve = env.ledger.balance(backing, env.holder);
            if r.due > env.now || !within_capacity || reserve < r.owed {
                break;
            }
            env.ledger
                .transfer(backing, env.holder, Holder::Agent(r.owner), r.owed)?;
            self.queue.pop_front();
            self.paid_today += r.owed;
            self.paid += r.owed;
            self.queued -= r.owed;
        }
        Ok(())
    }
}

type R = Result<Effect, WorldError>;

impl Protocol for Issuer {
    fn name(&self) -> &str {
        &self.spec.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        sorted(&[self.spec.token.0, self.spec.backing.0])
    }

    fn execute(&mut self, env: &mut Env<'_>, sender: AgentId, call: &Call) -> R {
        let (token, backing) = (self.spec.token.0, self.spec.backing.0);
        match *call {
            Call::SwapExactIn {
                token_in,
                token_out,
                amount_in,
                min_out,
            } if (token_in, token_out) == (backing, token) => {
                self.mint(env, sender, amount_in, min_out)
            }
            Call::SwapExactIn {
                token_in,
                token_out,
                amount_in,
                min_out,
            } if (token_in, token_out) == (token, backing) => {
                self.request(env, sender, amount_in, min_out)
            }
            Call::Issuer(c) => self.govern(c),
            _ => Err(WorldError::Unsupported {
                target: self.spec.name.clone(),
                what: format!(
                    "a {} call on an issuer (it mints and redeems token {token} against \
                     backing {backing})",
                    call.kind().name()
                ),
            }),
        }
    }

    fn post_price(&mut self, token: TokenId, _answer: u128, _now: u64) -> Result<(), WorldError> {
        Err(self.revert(&format!("no oracle reads token {token} here")))
    }

    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        Ok(Vec::new())
    }

    /// For the backing: what the queue owes `agent`; zero for the token.
    fn deposit_of(&self, agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        if token == self.spec.token.0 {
            return Ok(U256::ZERO);
        }
        if token != self.spec.backing.0 {
            return Err(self.revert(&format!("token {token} is not listed")));
        }
        Ok(self
            .queue
            .iter()
            .filter(|r| r.owner == agent)
            .fold(U256::ZERO, |a, r| a + r.owed))
    }

    fn debt_of(&self, _agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        if self.tokens().contains(&token) {
            Ok(U256::ZERO)
        } else {
            Err(self.revert(&format!("token {token} is not listed")))
        }
    }

    /// Pays the due requests (module docs). Atomic: each payment is one ledger transfer,
    /// checked against the reserve before it is made.
    fn begin_block(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        self.pay_due(env)
    }

    /// The queue's total against its requests; paid and queued against the requests made.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let in_queue = self.queue.iter().fold(U256::ZERO, |a, r| a + r.owed);
        check.equal(
            &format!("{}: backing owed by the queue", self.spec.name),
            self.queued,
            in_queue,
        );
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
