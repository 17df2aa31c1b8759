//! Maker's Peg Stability Module (`bankrun_maker::psm::Psm`, dss-psm `sellGem` / `buyGem`) as a
//! runnable protocol traded through the venue interface: a sale of the gem (USDC) mints DAI at
//! par less `tin`; a sale of DAI buys the gem at par plus `tout`. DAI is minted and burnt in
//! the ledger as the Vat does; the fee DAI stays with the PSM's holder (the Vow's surplus).
//! Governance changes `tin`, `tout` and the ilk's auto-line ([`VenueParam`]); the auto-line
//! (dss-auto-line `DssAutoLine.exec`, called by keepers before every block here) keeps the
//! ceiling at the debt plus `gap`, at most `line`, raising it at most once per `ttl`: the
//! PSM's "daily mint limit" of March 2023.

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_maker::psm::Psm as PsmState;

use crate::call::{AgentId, Effect, VenueParam};
use crate::error::WorldError;
use crate::protocol::{Env, ensure_balance, pull, push};
use crate::venue::{Quote, Venue};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// 1e18.
const WAD: u128 = 1_000_000_000_000_000_000;

/// An ilk's auto-line (dss-auto-line `ilks[ilk]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoLine {
    /// Maximum ceiling, rad.
    pub line: U256,
    /// Gap above the debt, rad.
    pub gap: U256,
    /// Seconds between increases.
    pub ttl: u64,
    /// Time of the last increase, unix seconds.
    pub last_inc: u64,
}

/// A PSM of `gem` against `dai`.
#[derive(Debug, Clone)]
pub struct Psm {
    name: String,
    psm: PsmState,
    gem: TokenId,
    dai: TokenId,
    autoline: Option<AutoLine>,
}

impl Psm {
    /// A PSM with state `psm` swapping `gem` and `dai` (18 decimals).
    pub fn new(name: &str, psm: PsmState, gem: TokenId, dai: TokenId) -> Self {
        Psm {
            name: name.to_string(),
            psm,
            gem,
            dai,
            autoline: None,
        }
    }

    /// With an auto-line on the ilk, its last increase at `last_inc` (unix seconds); the
    /// ceiling is set at once by [`AutoLine`]'s rule.
    pub fn with_autoline(mut self, autoline: AutoLine) -> Self {
        self.autoline = Some(autoline);
        self.exec(autoline.last_inc);
        self
    }

    /// The auto-line, if any.
    pub fn autoline(&self) -> Option<&AutoLine> {
        self.autoline.as_ref()
    }

    /// `DssAutoLine.exec`: the new ceiling `min(art·RAY + gap, line)`; a rise only once
    /// `ttl` has passed since the last one (then `last_inc = now`), a fall at any time.
    fn exec(&mut self, now: u64) {
        let Some(a) = self.autoline.as_mut() else {
            return;
        };
        let debt = self.psm.art.saturating_mul(bankrun_maker::math::RAY);
        let target = debt.saturating_add(a.gap).min(a.line);
        if target > self.psm.line {
            if now >= a.last_inc.saturating_add(a.ttl) {
                self.psm.line = target;
                a.last_inc = now;
            }
        } else if target < self.psm.line {
            self.psm.line = target;
        }
    }

    /// The PSM's state (read-only).
    pub fn state(&self) -> &PsmState {
        &self.psm
    }

    fn revert(&self, e: impl std::fmt::Debug) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    /// `sellGem`: gem in, DAI out (`gem18 − fee`), the fee to the Vow.
    fn sell_gem(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        amount: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError> {
        ensure_balance(env, self.gem, sender, amount)?;
        let mut next = self.psm;
        let (dai, fee) = next.sell_gem(amount).map_err(|e| self.revert(e))?;
        if dai < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        pull(env, self.gem, sender, amount)?;
        env.ledger
            .mint(self.dai, bankrun_chain::Holder::Agent(sender), dai)?;
        env.ledger.mint(self.dai, env.holder, fee)?;
        self.psm = next;
        Ok(Effect {
            amount: dai,
            ..Effect::default()
        })
    }

    /// `buyGem` of the largest gem amount `dai_in` pays for (`gem18·(1 + tout)`); DAI paid is
    /// burnt but for the fee, which goes to the Vow; any remainder stays with the sender.
    fn buy_gem(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        dai_in: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError> {
        ensure_balance(env, self.dai, sender, dai_in)?;
        let gem18 = dai_in * U256::from(WAD) / (U256::from(WAD) + self.psm.tout);
        let gem = gem18 / self.psm.to18;
        if gem < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        let mut next = self.psm;
        let (dai, fee) = next.buy_gem(gem).map_err(|e| self.revert(e))?;
        pull(env, self.dai, sender, dai)?;
        env.ledger.burn(self.dai, env.holder, dai - fee)?;
        push(env, self.gem, sender, gem)?;
        self.psm = next;
        Ok(Effect {
            amount: gem,
            ..Effect::default()
        })
    }
}

impl Venue for Psm {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        let mut t = vec![self.gem, self.dai];
        t.sort_unstable();
        t
    }

    fn swap_exact_in(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError> {
        match (token_in, token_out) {
            (i, o) if (i, o) == (self.gem, self.dai) => {
                self.sell_gem(env, sender, amount_in, min_out)
            }
            (i, o) if (i, o) == (self.dai, self.gem) => {
                self.buy_gem(env, sender, amount_in, min_out)
            }
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("tokens {token_in} → {token_out}"),
            }),
        }
    }

    fn quote_exact_in(
        &self,
        token_in: TokenId,
        token_out: TokenId,
        amount_in: U256,
    ) -> Result<Quote, WorldError> {
        // The PSM trades at par less its fees: no price impact.
        let quote = |out| Quote { out, impact: 0.0 };
        match (token_in, token_out) {
            (i, o) if (i, o) == (self.gem, self.dai) => {
                let mut next = self.psm;
                Ok(quote(
                    next.sell_gem(amount_in).map_err(|e| self.revert(e))?.0,
                ))
            }
            (i, o) if (i, o) == (self.dai, self.gem) => Ok(quote(
                amount_in * U256::from(WAD) / (U256::from(WAD) + self.psm.tout) / self.psm.to18,
            )),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("tokens {token_in} → {token_out}"),
            }),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn sync_liquidity(&mut self, _env: &Env<'_>) -> Result<(), WorldError> {
        // The PSM's gem comes only through sellGem.
        Ok(())
    }

    fn advance(&mut self, now: u64) -> Result<(), WorldError> {
        self.exec(now);
        Ok(())
    }

    fn file(&mut self, now: u64, param: &VenueParam) -> Result<(), WorldError> {
        match *param {
            VenueParam::PsmTin(x) => self.psm.tin = x,
            VenueParam::PsmTout(x) => self.psm.tout = x,
            VenueParam::AutoLine { line, gap, ttl } => {
                let last_inc = self.autoline.map_or(now, |a| a.last_inc);
                self.autoline = Some(AutoLine {
                    line,
                    gap,
                    ttl,
                    last_inc,
                });
                self.exec(now);
            }
        }
        Ok(())
    }

    /// The PSM vault's books against themselves and the ledger. Exact by the wrapper's
    /// design: the venue's holder receives gem only through `sellGem` (`sync_liquidity` takes
    /// nothing in) and pays it out only through `buyGem`, each moving `gem18 / to18` gem while
    /// `ink` moves `gem18`; it receives DAI only as the fee minted to it (`sellGem`) or left
    /// unburnt (`buyGem`), the same fee `vow_dai` adds. DAI the PSM mints to users is not
    /// separable in the ledger (the token's supply is shared with other minters), but it is
    /// `art` net: `sellGem` mints `gem18` (out + fee), `buyGem` burns `gem18`.
    /// - `ink == art` (the PSM ilk's rate is 1 ray: every gem18 locked draws gem18 DAI);
    /// - `art · RAY ≤ line` (`sellGem` refuses to exceed the ceiling; `buyGem` only lowers it);
    /// - gem held in the ledger · `to18` == `ink`;
    /// - DAI held in the ledger == `vow_dai` (the fees).
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let p = &self.psm;
        check.equal("psm ink == art", p.ink, p.art);
        check.require(
            p.art
                .checked_mul(bankrun_maker::math::RAY)
                .is_some_and(|debt| debt <= p.line),
            || format!("psm art·RAY ≤ line: art {} line {}", p.art, p.line),
        );
        let gem = check.ledger.balance(self.gem, check.holder);
        match gem.checked_mul(p.to18) {
            Some(gem18) => check.equal("psm ledger gem · to18 == ink", gem18, p.ink),
            None => check.fail(format!("psm ledger gem {gem} · to18 overflows")),
        }
        let dai = check.ledger.balance(self.dai, check.holder);
        check.equal("psm ledger DAI == vow_dai (fees)", dai, p.vow_dai);
    }

    fn price(&self, base: TokenId, quote: TokenId) -> Result<f64, WorldError> {
        let fee = |x: U256| u256_f64(x) / WAD as f64;
        match (base, quote) {
            (b, q) if (b, q) == (self.gem, self.dai) => Ok(1.0 - fee(self.psm.tin)),
            (b, q) if (b, q) == (self.dai, self.gem) => Ok(1.0 / (1.0 + fee(self.psm.tout))),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("tokens {base} and {quote}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariant::InvariantCheck;
    use bankrun_chain::{Holder, Ledger};

    const GEM: TokenId = 0;
    const DAI: TokenId = 1;
    const H: Holder = Holder::Venue(0);

    #[test]
    fn books_agree_with_the_ledger_and_a_corruption_is_reported() {
        let wad = U256::from(WAD);
        let line = wad * wad * U256::from(1_000_000_000u64) * U256::from(1_000_000u64);
        let state = PsmState::new(
            6,
            wad / U256::from(1000u64),
            wad / U256::from(1000u64),
            line,
        );
        let mut psm = Psm::new("psm", state, GEM, DAI);
        let mut ledger = Ledger::new();
        ledger
            .mint(GEM, Holder::Agent(0), U256::from(1_000_000_000u64))
            .unwrap();
        let mut env = Env {
            now: 0,
            block: 0,
            ledger: &mut ledger,
            holder: H,
        };
        psm.swap_exact_in(
            &mut env,
            0,
            GEM,
            DAI,
            U256::from(1_000_000_000u64),
            U256::ZERO,
        )
        .unwrap();
        psm.swap_exact_in(&mut env, 0, DAI, GEM, wad * U256::from(300u64), U256::ZERO)
            .unwrap();
        let check = |l: &Ledger| {
            let mut c = InvariantCheck::new(0, l, H);
            psm.check_invariants(&mut c);
            c.finish().0
        };
        assert_eq!(check(&ledger), Vec::<String>::new());
        let gem = ledger.balance(GEM, H);
        ledger.corrupt_balance(GEM, H, gem + U256::from(1u8));
        let bad = check(&ledger);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("ledger gem"), "{bad:?}");
    }

    /// dss-auto-line: the ceiling rises to debt + gap once per ttl; a smaller gap filed by
    /// governance lowers it at once; a sale past the ceiling reverts.
    #[test]
    fn the_auto_line_limits_minting_per_ttl() {
        let wad = U256::from(WAD);
        let rad = wad * bankrun_maker::math::RAY;
        // The ceiling starts at the gap (100 DAI), raised last at time 0.
        let state = PsmState::new(6, U256::ZERO, U256::ZERO, rad * U256::from(100u64));
        let day = 86_400;
        let auto = AutoLine {
            line: rad * U256::from(10_000u64),
            gap: rad * U256::from(100u64),
            ttl: day,
            last_inc: 0,
        };
        let mut psm = Psm::new("psm", state, GEM, DAI).with_autoline(auto);
        assert_eq!(psm.state().line, rad * U256::from(100u64));
        let mut ledger = Ledger::new();
        ledger
            .mint(GEM, Holder::Agent(0), U256::from(1_000_000_000u64))
            .unwrap();
        let sell = |psm: &mut Psm, ledger: &mut Ledger, now: u64, usdc: u64| {
            psm.advance(now).unwrap();
            let mut env = Env {
                now,
                block: 0,
                ledger,
                holder: H,
            };
            psm.swap_exact_in(
                &mut env,
                0,
                GEM,
                DAI,
                U256::from(usdc * 1_000_000),
                U256::ZERO,
            )
        };
        assert!(sell(&mut psm, &mut ledger, 10, 90).is_ok());
        assert!(sell(&mut psm, &mut ledger, 20, 20).is_err(), "past the gap");
        assert!(
            sell(&mut psm, &mut ledger, day - 1, 20).is_err(),
            "before ttl"
        );
        assert!(sell(&mut psm, &mut ledger, day, 20).is_ok(), "after ttl");
        assert_eq!(psm.state().line, rad * U256::from(190u64));
        psm.file(
            day + 1,
            &VenueParam::AutoLine {
                line: rad * U256::from(10_000u64),
                gap: rad * U256::from(25u64),
                ttl: day,
            },
        )
        .unwrap();
        assert_eq!(
            psm.state().line,
            rad * U256::from(135u64),
            "lowered at once"
        );
        psm.file(day + 2, &VenueParam::PsmTin(wad / U256::from(100u64)))
            .unwrap();
        let q = psm
            .quote_exact_in(GEM, DAI, U256::from(10_000_000u64))
            .unwrap();
        assert_eq!(
            q.out,
            wad * U256::from(99u64) / U256::from(10u64),
            "1 % tin"
        );
    }
}
