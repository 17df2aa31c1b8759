//! Borrowers in the block loop: rate-elastic repayment and HF management
//! (model: `bankrun_agents::borrower`, reference/behaviour.md §2.2). Repayments come from
//! outside funds (the carry strategy's proceeds); loopers unwinding through a DEX come with
//! the venues of a later version.

use bankrun_aave::U256;
use bankrun_agents::{exp_blocks, hf_rescue_repay_fraction, rate_repay_fraction};
use rand::RngExt;

use crate::mempool::{Action, Sender, Tx};
use crate::units::u256_to_f64;
use crate::world::World;

impl World<'_> {
    /// An active borrower reviews its position.
    pub fn wake_borrower(&mut self, i: usize) {
        let t = self.t();
        let b = &self.borrowers[i];
        let book = &self.scn.scenario.borrowers[b.book];
        if b.pending {
            return;
        }
        let debt = self.pool.debt_balance(t, b.user, b.debt);
        if debt.is_zero() {
            return;
        }
        let hf = u256_to_f64(self.pool.user_account_data(t, b.user).health_factor) / 1e18;
        let f_rate = rate_repay_fraction(
            self.borrow_apr(b.debt),
            book.carry_bps as f64 / 10_000.0,
            book.repay_speed,
        );
        let f_hf = hf_rescue_repay_fraction(hf, b.hf_act, b.hf_target);
        let f = f_rate.max(f_hf);
        if f > 1e-4 {
            let amount = if f > 0.9999 {
                U256::MAX
            } else {
                debt * U256::from((f * 1e6) as u64) / U256::from(1_000_000u64)
            };
            let tx = Tx {
                sender: Sender::Borrower(i as u32),
                user: b.user,
                action: Action::Repay {
                    asset: b.debt,
                    amount,
                },
                priority_gwei: book.priority_fee_gwei,
                tie: self.rng.mempool.random(),
                submitted: self.block,
                gas_limit: self.scn.scenario.chain.gas.repay,
            };
            self.borrowers[i].pending = true;
            self.mempool.submit(tx);
        }
        let wait = exp_blocks(
            book.attention_per_hour,
            self.block_time(),
            &mut self.rng.borrowers,
        );
        self.schedule(
            self.block.saturating_add(wait),
            Sender::Borrower(i as u32),
            0,
        );
    }
}
