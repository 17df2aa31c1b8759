//! Scripted actors: the attacker, the guardian, governance (with its execution delay), the
//! rescue fund, the Umbrella safety module, exchange-rate changes and news.
//!
//! Their transactions execute at the top of the block in which their time falls (guardian and
//! governance calls go through private or privileged paths, not the public mempool). A call
//! the pool rejects is recorded with `ok = false` and the pool's error.

use bankrun_aave::{InterestRateData, U256, UserId};
use bankrun_chain::units::tokens_to_units;
use bankrun_scenario::Event;

use crate::world::{News, World};

impl World<'_> {
    /// Runs every scripted event whose time has come.
    pub fn run_scripted(&mut self) {
        let s = self.scn;
        if self.now >= self.next_event_at {
            for i in 0..s.scenario.events.len() {
                if !self.event_done[i] && s.event_at[i] <= self.now {
                    self.event_done[i] = true;
                    self.apply_event(i);
                }
            }
            self.next_event_at = (0..s.scenario.events.len())
                .filter(|&i| !self.event_done[i])
                .map(|i| s.event_at[i])
                .min()
                .unwrap_or(i64::MAX);
            // A scripted event may change what a liquidation pays (e-mode, bonus, freeze):
            // accounts the liquidators passed over are valued again.
            self.passed_over.clear();
        }
        if self.queued.is_empty() {
            return;
        }
        let due: Vec<usize> = self
            .queued
            .iter()
            .filter(|(at, _)| *at <= self.now)
            .map(|&(_, i)| i)
            .collect();
        self.queued.retain(|(at, _)| *at > self.now);
        if !due.is_empty() {
            self.passed_over.clear();
        }
        for i in due {
            self.execute_governance(i);
        }
    }

    fn log(&mut self, actor: &str, description: String, ok: bool) {
        self.rec.event(self.block, self.now, actor, description, ok);
    }

    fn apply_event(&mut self, i: usize) {
        let e = self.scn.scenario.events[i].clone();
        let t = self.t();
        match e {
            Event::News {
                intensity,
                half_life_hours,
                label,
                ..
            } => {
                self.news.push(News {
                    at: self.now,
                    intensity,
                    half_life_s: half_life_hours * 3600.0,
                });
                self.redraw_attention();
                self.log("news", format!("{label} (intensity {intensity})"), true);
            }
            Event::Attack {
                emode,
                collateral,
                collateral_amount,
                debt,
                debt_amount,
                ..
            } => {
                self.attack(emode, &collateral, collateral_amount, &debt, debt_amount);
            }
            Event::ExchangeRate { adapter, ratio, .. } => {
                let ok = self.market.set_ratio(&adapter, ratio);
                self.log(
                    "oracle",
                    format!("{adapter} exchange ratio set to {ratio}"),
                    ok,
                );
            }
            Event::Freeze { asset, frozen, .. } => {
                let r = self
                    .asset_id(&asset)
                    .map(|a| self.pool.set_reserve_freeze(t, a, frozen));
                let what = if frozen { "freezes" } else { "unfreezes" };
                self.log_result("guardian", format!("{what} {asset}"), r);
            }
            Event::Pause {
                asset,
                paused,
                grace_period_s,
                ..
            } => {
                let r = self
                    .asset_id(&asset)
                    .map(|a| self.pool.set_reserve_pause(t, a, paused, grace_period_s));
                let what = if paused { "pauses" } else { "unpauses" };
                self.log_result("guardian", format!("{what} {asset}"), r);
            }
            Event::Governance {
                delay_hours,
                asset,
                label,
                ..
            } => {
                let at = self.now + (delay_hours * 3600.0) as i64;
                self.queued.push((at, i));
                self.log(
                    "governance",
                    format!("proposal on {asset}: {label} (executes after {delay_hours} h)"),
                    true,
                );
            }
            Event::RescueSupply {
                asset,
                amount,
                label,
                ..
            } => {
                let u = self.rescuer;
                let r = self.asset_id(&asset).map(|a| {
                    let x = tokens_to_units(amount, self.assets[a].decimals);
                    self.pool.supply(t, u, a, x)
                });
                self.log_result("rescue", format!("{label} supplies {amount} {asset}"), r);
            }
            Event::RescueRepay {
                asset,
                amount,
                label,
                ..
            } => self.rescue_repay(&asset, amount, &label),
            Event::CoverDeficit {
                asset,
                amount,
                label,
                ..
            } => self.cover_deficit(&asset, amount, &label),
        }
    }

    fn log_result<E: std::fmt::Display>(
        &mut self,
        actor: &str,
        what: String,
        r: Option<Result<(), E>>,
    ) {
        match r {
            Some(Ok(())) => self.log(actor, what, true),
            Some(Err(e)) => self.log(actor, format!("{what}: reverted ({e})"), false),
            None => self.log(actor, format!("{what}: unknown reserve"), false),
        }
    }

    fn attack(&mut self, emode: u8, collateral: &str, coll: f64, debt: &str, debt_amount: f64) {
        let (Some(c), Some(d)) = (self.asset_id(collateral), self.asset_id(debt)) else {
            return self.log(
                "attacker",
                format!("unknown reserve {collateral} / {debt}"),
                false,
            );
        };
        let t = self.t();
        let n = self.attackers.len().max(1) as f64;
        let attackers = self.attackers.clone();
        for u in attackers {
            let x = tokens_to_units(coll / n, self.assets[c].decimals);
            let y = tokens_to_units(debt_amount / n, self.assets[d].decimals);
            // E-mode first: collateral with LTV 0 outside the category (rsETH) is enabled as
            // collateral on supply only if its LTV in the user's e-mode is non-zero.
            let r = self
                .pool
                .set_user_emode(t, u, emode)
                .and_then(|_| self.pool.supply(t, u, c, x))
                .and_then(|_| self.pool.borrow(t, u, d, y));
            let what = format!(
                "account {u} supplies {:.2} {collateral}, borrows {:.2} {debt} in e-mode {emode}",
                coll / n,
                debt_amount / n
            );
            self.log_result("attacker", what, Some(r));
            self.reindex(u);
        }
    }

    fn rescue_repay(&mut self, asset: &str, amount: f64, label: &str) {
        let Some(a) = self.asset_id(asset) else {
            return self.log("rescue", format!("{label}: unknown reserve {asset}"), false);
        };
        let t = self.t();
        let debts: Vec<(UserId, U256)> = self
            .attackers
            .iter()
            .map(|&u| (u, self.pool.debt_balance(t, u, a)))
            .collect();
        let total: U256 = debts.iter().map(|x| x.1).fold(U256::ZERO, |s, x| s + x);
        let budget = tokens_to_units(amount, self.assets[a].decimals).min(total);
        if budget.is_zero() {
            return self.log(
                "rescue",
                format!("{label}: no attacker debt in {asset} to repay"),
                false,
            );
        }
        let mut repaid = U256::ZERO;
        let rescuer = self.rescuer;
        for (u, debt) in debts {
            let share = budget * debt / total;
            if share.is_zero() {
                continue;
            }
            match self.pool.repay(t, rescuer, u, a, share) {
                Ok(x) => repaid += x,
                Err(e) => self.log(
                    "rescue",
                    format!("{label}: repay for account {u} reverted ({e})"),
                    false,
                ),
            }
            self.reindex(u);
        }
        let tokens = self.tokens(a, repaid);
        self.log(
            "rescue",
            format!("{label} repays {tokens:.2} {asset} of attacker debt"),
            true,
        );
    }

    fn cover_deficit(&mut self, asset: &str, amount: f64, label: &str) {
        let Some(a) = self.asset_id(asset) else {
            return self.log("rescue", format!("{label}: unknown reserve {asset}"), false);
        };
        let t = self.t();
        let Some(&u) = self.umbrella.get(&a) else {
            return;
        };
        let deficit = self.pool.reserve(a).deficit;
        let x = tokens_to_units(amount, self.assets[a].decimals).min(deficit);
        if x.is_zero() {
            return self.log(
                "umbrella",
                format!("{label}: no {asset} deficit to cover"),
                true,
            );
        }
        match self.pool.eliminate_reserve_deficit(t, u, a, x) {
            Ok(covered) => {
                let tokens = self.tokens(a, covered);
                self.log(
                    "umbrella",
                    format!("{label} covers {tokens:.2} {asset} of deficit"),
                    true,
                )
            }
            Err(e) => self.log(
                "umbrella",
                format!("{label}: eliminateReserveDeficit reverted ({e})"),
                false,
            ),
        }
    }

    fn execute_governance(&mut self, i: usize) {
        let Event::Governance {
            asset,
            optimal_usage_ratio_bps,
            base_variable_borrow_rate_bps,
            variable_rate_slope1_bps,
            variable_rate_slope2_bps,
            ltv_bps,
            supply_cap,
            borrow_cap,
            label,
            ..
        } = self.scn.scenario.events[i].clone()
        else {
            return;
        };
        let Some(a) = self.asset_id(&asset) else {
            return self.log(
                "governance",
                format!("{label}: unknown reserve {asset}"),
                false,
            );
        };
        let t = self.t();
        let cur = self.pool.reserve(a).config.rate;
        let rate = InterestRateData {
            optimal_usage_ratio: optimal_usage_ratio_bps.unwrap_or(cur.optimal_usage_ratio),
            base_variable_borrow_rate: base_variable_borrow_rate_bps
                .unwrap_or(cur.base_variable_borrow_rate),
            variable_rate_slope1: variable_rate_slope1_bps.unwrap_or(cur.variable_rate_slope1),
            variable_rate_slope2: variable_rate_slope2_bps.unwrap_or(cur.variable_rate_slope2),
        };
        let mut r = self.pool.set_interest_rate_data(t, a, rate);
        if let (Ok(()), Some(ltv)) = (&r, ltv_bps) {
            r = self.pool.set_reserve_ltv(t, a, ltv);
        }
        if let (Ok(()), Some(cap)) = (&r, supply_cap) {
            r = self.pool.set_supply_cap(a, cap);
        }
        if let (Ok(()), Some(cap)) = (&r, borrow_cap) {
            r = self.pool.set_borrow_cap(a, cap);
        }
        self.log_result(
            "governance",
            format!("executes on {asset}: {label}"),
            Some(r),
        );
    }
}
