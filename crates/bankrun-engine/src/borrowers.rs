//! Borrowers in the block loop: rate-elastic repayment and HF management
//! (model: `bankrun_agents::borrower`, reference/behaviour.md §2.2). Repayments come from
//! outside funds (the carry strategy's proceeds). Loopers (books in an e-mode) that repay
//! because the rate exceeds their carry unwind: after the repayment they withdraw the same
//! fraction of their collateral, which keeps their health factor and takes the LST out of the
//! pool (§2.2(c)); selling it on a DEX comes with the venues of a later version.

use bankrun_aave::U256;
use bankrun_agents::{exp_blocks, hf_rescue_repay_fraction, rate_repay_fraction};
use bankrun_chain::units::u256_to_f64;

use bankrun_chain::TokenId;
use bankrun_world::Call;

use crate::population::{Borrower, Population, Sender};

/// Health factor below which a looper repays without withdrawing collateral.
const UNWIND_MIN_HF: f64 = 1.01;
/// Debt left after a repayment below which a borrower repays everything instead, USD.
const CLOSE_OUT_USD: f64 = 10.0;
/// Repayment fraction below which a borrower does nothing.
const MIN_REPAY_FRACTION: f64 = 1e-4;
/// Relative margin above the HF threshold that the liquidation index's `f64` screen must
/// clear before a review skips the pool's exact health factor.
const SCREEN_MARGIN: f64 = 1e-3;

impl Population {
    /// An active borrower reviews its position.
    pub fn wake_borrower(&mut self, i: usize) {
        let t = self.t();
        let scn = std::rc::Rc::clone(&self.scn);
        let b = self.borrowers[i].clone();
        let book = &scn.scenario.borrowers[b.book];
        if b.pending {
            return;
        }
        let f_rate = rate_repay_fraction(
            self.borrow_apr(b.debt),
            book.carry_bps as f64 / 10_000.0,
            book.repay_speed,
        );
        if f_rate <= MIN_REPAY_FRACTION && self.surely_above(&b, b.hf_act) {
            // No reason to repay (most wake-ups): the same decision as the full review
            // below, without reading balances.
            return self.schedule_borrower(i, book.attention_per_hour);
        }
        let debt = self.pool.get().debt_balance(t, b.user, b.debt);
        if debt.is_zero() {
            return;
        }
        let hf = u256_to_f64(self.pool.get().user_account_data(t, b.user).health_factor) / 1e18;
        let f_hf = hf_rescue_repay_fraction(hf, b.hf_act, b.hf_target);
        let mut f = f_rate.max(f_hf);
        // A borrower closes out rather than leave dust: below a few dollars, a position's
        // debt (valued rounding up) outweighs its collateral (rounding down) in the pool's
        // health check, and it could never withdraw its collateral.
        let debt_usd = self.tokens(b.debt, debt) * self.price_usd(b.debt);
        if f > MIN_REPAY_FRACTION && debt_usd * (1.0 - f) < CLOSE_OUT_USD {
            f = 1.0;
        }
        let unwinds = book.emode != 0 && f_rate >= f_hf;
        if f > MIN_REPAY_FRACTION {
            let amount = if f > 0.9999 {
                U256::MAX
            } else {
                debt * U256::from((f * 1e6) as u64) / U256::from(1_000_000u64)
            };
            self.borrowers[i].pending = true;
            self.borrowers[i].unwind = unwinds.then_some(f);
            let call = Call::Repay {
                token: b.debt as TokenId,
                amount,
            };
            let fee = book.priority_fee_gwei;
            self.submit(Sender::Borrower(i as u32), call, fee, 0);
        }
        self.schedule_borrower(i, book.attention_per_hour);
    }

    /// Draws borrower `i`'s next review (Poisson attention, `rate` per hour).
    fn schedule_borrower(&mut self, i: usize, rate: f64) {
        let wait = exp_blocks(rate, self.block_time(), &mut self.rng.borrowers);
        self.schedule(
            self.block.saturating_add(wait),
            Sender::Borrower(i as u32),
            0,
        );
    }

    /// Whether borrower `b` still owes its debt reserve and its health factor is surely at
    /// least `act`, judged from the liquidation index ([`crate::liq_index`]) with a margin
    /// of [`SCREEN_MARGIN`] far above the screen's error; `false` means "read the pool".
    /// Debug builds confirm every `true` against the pool's exact values.
    fn surely_above(&self, b: &Borrower, act: f64) -> bool {
        let t = self.t();
        let pool = self.pool.get();
        let Some((c, d, hf)) = self.index.pair_health(&pool, t, b.user) else {
            return false;
        };
        let enabled = pool
            .user(b.user)
            .is_some_and(|u| u.is_using_as_collateral(c));
        let sure = d == b.debt && enabled && act.is_finite() && hf > act * (1.0 + SCREEN_MARGIN);
        if cfg!(debug_assertions) && sure {
            let exact = u256_to_f64(pool.user_account_data(t, b.user).health_factor) / 1e18;
            debug_assert!(
                exact >= act && !pool.debt_balance(t, b.user, b.debt).is_zero(),
                "liquidation index screen: user {} HF {hf} vs exact {exact} (act {act})",
                b.user
            );
        }
        sure
    }
}

impl Population {
    /// A borrower's transaction was included (`ok`) or reverted / dropped. After a looper's
    /// repayment, sends the matching collateral withdrawal.
    pub fn borrower_outcome(&mut self, i: usize, ok: bool) {
        let b = &mut self.borrowers[i];
        b.pending = false;
        let unwind = b.unwind.take();
        let (user, collateral) = (b.user, b.collateral);
        if ok {
            self.reindex(user);
        }
        let Some(f) = unwind.filter(|_| ok) else {
            return;
        };
        // An underwater or barely healthy looper cannot take collateral out (the withdrawal
        // would fail its health-factor check), so it does not try.
        let hf = u256_to_f64(
            self.pool
                .get()
                .user_account_data(self.t(), user)
                .health_factor,
        ) / 1e18;
        if hf < UNWIND_MIN_HF {
            return;
        }
        let balance = self.pool.get().supply_balance(self.t(), user, collateral);
        let amount = if f > 0.9999 {
            U256::MAX
        } else {
            balance * U256::from((f * 1e6) as u64) / U256::from(1_000_000u64)
        };
        if amount.is_zero() {
            return;
        }
        let fee = self.scn.scenario.borrowers[self.borrowers[i].book].priority_fee_gwei;
        self.borrowers[i].pending = true;
        let call = Call::Withdraw {
            token: collateral as TokenId,
            amount,
        };
        // Sent from the outcome of the repayment: it enters the mempool after this block.
        self.submit(Sender::Borrower(i as u32), call, fee, 0);
    }
}
