//! Scripted actors: the attacker, the guardian, governance (with its execution delay), the
//! rescue fund, the Umbrella safety module, large suppliers' withdrawals, exchange-rate
//! changes and news.
//!
//! Their calls are the world's scheduled actions: they execute at the top of the block in
//! which their time falls, in order, outside the mempool (guardian and governance calls go
//! through private or privileged paths, not the public race). Each event's calls are queued as
//! [`Step`]s; the outcomes come back in order and each event is logged once, with `ok = false`
//! and the pool's error when a call reverted. The exchange-rate changes are points of the CAPO
//! feed's ratio path, read by the world's oracle registry; here they are only logged.

use bankrun_aave::{InterestRateData, U256, UserId};
use bankrun_chain::TokenId;
use bankrun_chain::units::tokens_to_units;
use bankrun_scenario::Event;
use bankrun_world::{AaveCall, AaveConfig, Call, CompoundCall, Submission, Target, TxRecord};

use crate::population::{AAVE, News, Population};

/// A scripted call awaiting its outcome, and how the event is logged.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the event does, as logged on success.
    what: String,
    /// How the outcome is logged.
    kind: StepKind,
    /// The last call of its event: the event is logged now, in the row reserved for it when
    /// the event ran (so rows keep the events' order).
    last: Option<usize>,
}

/// How a scripted call's outcome is logged.
#[derive(Debug, Clone)]
enum StepKind {
    /// Part of an all-or-nothing event: logged once at its last call, failed with the first
    /// revert. `reindex`: an account whose position changes.
    Chain { reindex: Option<UserId> },
    /// One of the rescue fund's repayments: a revert is logged at once; the last logs the
    /// total repaid (`asset`, decimals).
    Rescue {
        account: UserId,
        asset: usize,
        label: String,
    },
    /// The Umbrella's deficit cover: logs the amount covered.
    Cover { asset: usize, label: String },
}

/// Outcome state of the event being reported.
#[derive(Debug, Clone, Default)]
pub struct ScriptState {
    first_error: Option<String>,
    repaid: U256,
}

impl Population {
    /// Runs every scripted event whose time has come.
    pub fn run_scripted(&mut self) {
        let s = std::rc::Rc::clone(&self.scn);
        if self.now >= self.next_event_at {
            for i in 0..s.scenario.events.len() {
                if !self.event_done[i] && self.event_time[i] <= self.now {
                    self.event_done[i] = true;
                    self.apply_event(i);
                }
            }
            self.next_event_at = (0..s.scenario.events.len())
                .filter(|&i| !self.event_done[i])
                .map(|i| self.event_time[i])
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

    /// Fills the event row reserved at `row` with the outcome.
    fn log_at(&mut self, row: usize, description: String, ok: bool) {
        if let Some(e) = self.rec.events.get_mut(row) {
            e.description = description;
            e.ok = ok;
        }
    }

    /// `", N min after the alert"` for an event whose time was delayed by a drawn Guardian
    /// reaction time, else empty.
    fn reaction_note(&self, i: usize) -> String {
        let delay = self.event_time[i] - self.scn.event_at[i];
        if delay > 0 {
            format!(", {:.0} min after the alert", delay as f64 / 60.0)
        } else {
            String::new()
        }
    }

    fn apply_event(&mut self, i: usize) {
        let e = self.scn.scenario.events[i].clone();
        match e {
            Event::News {
                intensity,
                half_life_hours,
                label,
                source,
                ..
            } => {
                let source = source.as_deref().and_then(|s| self.asset_id(s));
                self.news.push(News {
                    at: self.now,
                    intensity,
                    half_life_s: half_life_hours * 3600.0,
                    source,
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
                comet: None,
                ..
            } => {
                self.attack(emode, &collateral, collateral_amount, &debt, debt_amount);
            }
            Event::Attack {
                collateral,
                collateral_amount,
                debt,
                debt_amount,
                comet: Some(comet),
                ..
            } => self.comet_attack(
                &comet,
                (&collateral, collateral_amount),
                (&debt, debt_amount),
            ),
            Event::CometPause {
                comet,
                supply,
                withdraw,
                absorb,
                buy,
                label,
                ..
            } => {
                let paused: Vec<&str> = [
                    ("supply", supply),
                    ("withdraw", withdraw),
                    ("absorb", absorb),
                    ("buyCollateral", buy),
                ]
                .into_iter()
                .filter(|(_, on)| *on)
                .map(|(what, _)| what)
                .collect();
                let paused = if paused.is_empty() {
                    "nothing".to_string()
                } else {
                    paused.join(", ")
                };
                let what = format!("{label}: {comet} pauses {paused}");
                let call = Call::Compound(CompoundCall::CometPause {
                    supply,
                    withdraw,
                    absorb,
                    buy,
                });
                self.comet_call(&comet, call, what);
            }
            Event::CometPriceFeed {
                comet,
                asset,
                constant,
                label,
                ..
            } => {
                let what = if constant {
                    format!("{label}: {comet} holds the {asset} price constant")
                } else {
                    format!("{label}: {comet} reads the {asset} feed again")
                };
                let Some(a) = self.asset_id(&asset) else {
                    return self.log("compound", format!("{what}: unknown asset"), false);
                };
                let call = Call::Compound(CompoundCall::CometHoldPrice {
                    token: a as TokenId,
                    hold: constant,
                });
                self.comet_call(&comet, call, what);
            }
            Event::ExchangeRate { adapter, ratio, .. } => {
                // The ratio path of the CAPO feed holds this point (built with the world).
                let ok = self.capo_names.contains(&adapter);
                self.log(
                    "oracle",
                    format!("{adapter} exchange ratio set to {ratio}"),
                    ok,
                );
            }
            Event::Freeze { asset, frozen, .. } => {
                let what = if frozen { "freezes" } else { "unfreezes" };
                let what = format!("{what} {asset}{}", self.reaction_note(i));
                self.configure("guardian", what, &asset, &[AaveConfig::Freeze(frozen)]);
            }
            Event::Pause {
                asset,
                paused,
                grace_period_s,
                ..
            } => {
                let what = if paused { "pauses" } else { "unpauses" };
                let what = format!("{what} {asset}{}", self.reaction_note(i));
                let change = AaveConfig::Pause(paused, grace_period_s);
                self.configure("guardian", what, &asset, &[change]);
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
                let what = format!("{label} supplies {amount} {asset}");
                let Some(a) = self.asset_id(&asset) else {
                    return self.log("rescue", format!("{what}: unknown reserve"), false);
                };
                let x = tokens_to_units(amount, self.assets[a].decimals);
                let call = Call::Supply {
                    token: a as TokenId,
                    amount: x,
                };
                let rescuer = self.rescuer;
                let kind = StepKind::Chain { reindex: None };
                self.script_call(rescuer, call, "rescue", what, kind, true);
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
            Event::Withdraw {
                asset,
                amount,
                label,
                visible,
                ..
            } => self.large_withdrawal(&asset, amount, &label, visible),
        }
    }

    /// A scripted large supplier withdraws `amount` of `asset`, or what is available when the
    /// pool holds less (a holder takes what it can rather than send a withdrawal that reverts).
    fn large_withdrawal(&mut self, asset: &str, amount: f64, label: &str, visible: bool) {
        let Some(a) = self.asset_id(asset) else {
            return self.log(
                "supplier",
                format!("{label}: unknown reserve {asset}"),
                false,
            );
        };
        let Some(&u) = self.large_suppliers.get(&(a, label.to_string())) else {
            return;
        };
        let wanted = tokens_to_units(amount, self.assets[a].decimals);
        let x = wanted.min(self.pool.get().available_liquidity(a));
        let tokens = self.tokens(a, x);
        let what = if x < wanted {
            format!(
                "{label} withdraws {tokens:.2} of the {amount} {asset} it wanted (all the pool had)"
            )
        } else {
            format!("{label} withdraws {amount} {asset}")
        };
        if x.is_zero() {
            return self.log("supplier", what, false);
        }
        if visible {
            self.record_visible(a, tokens);
        }
        let call = Call::Withdraw {
            token: a as TokenId,
            amount: x,
        };
        let kind = StepKind::Chain { reindex: None };
        self.script_call(u, call, "supplier", what, kind, true);
    }

    /// Queues one scripted call from pool account `account` to the Aave pool.
    fn script_call(
        &mut self,
        account: UserId,
        call: Call,
        actor: &'static str,
        what: String,
        kind: StepKind,
        last: bool,
    ) {
        let target = Target::Protocol(AAVE);
        self.script_call_to(target, account, call, actor, what, kind, last);
    }

    /// Queues one scripted call from account `account` to `target`.
    #[allow(clippy::too_many_arguments)]
    fn script_call_to(
        &mut self,
        target: Target,
        account: UserId,
        call: Call,
        actor: &'static str,
        what: String,
        kind: StepKind,
        last: bool,
    ) {
        let mut sub = Submission::new(target, call, 0.0);
        sub.account = Some(account);
        self.script_out.push(sub);
        let last = last.then(|| {
            self.log(actor, format!("{what} (pending)"), false);
            self.rec.events.len() - 1
        });
        self.script.push_back(Step { what, kind, last });
    }

    /// Queues configurator calls on `asset`, logged as one event.
    fn configure(
        &mut self,
        actor: &'static str,
        what: String,
        asset: &str,
        changes: &[AaveConfig],
    ) {
        let Some(a) = self.asset_id(asset) else {
            return self.log(actor, format!("{what}: unknown reserve"), false);
        };
        let admin = self.rescuer;
        for (k, &change) in changes.iter().enumerate() {
            let call = Call::Aave(AaveCall::Configure {
                token: a as TokenId,
                change,
            });
            let kind = StepKind::Chain { reindex: None };
            let last = k + 1 == changes.len();
            self.script_call(admin, call, actor, what.clone(), kind, last);
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
        let n = self.attackers.len().max(1) as f64;
        let attackers = self.attackers.clone();
        for u in attackers {
            let x = tokens_to_units(coll / n, self.assets[c].decimals);
            let y = tokens_to_units(debt_amount / n, self.assets[d].decimals);
            // E-mode first: collateral with LTV 0 outside the category (rsETH) is enabled as
            // collateral on supply only if its LTV in the user's e-mode is non-zero.
            let what = format!(
                "account {u} supplies {:.2} {collateral}, borrows {:.2} {debt} in e-mode {emode}",
                coll / n,
                debt_amount / n
            );
            let calls = [
                Call::Aave(AaveCall::SetUserEMode { category: emode }),
                Call::Supply {
                    token: c as TokenId,
                    amount: x,
                },
                Call::Borrow {
                    token: d as TokenId,
                    amount: y,
                },
            ];
            for (k, call) in calls.into_iter().enumerate() {
                let kind = StepKind::Chain { reindex: Some(u) };
                self.script_call(u, call, "attacker", what.clone(), kind, k == 2);
            }
        }
    }

    /// The protocol id of the `[[comets]]` market `name`.
    fn comet_id(&self, name: &str) -> Option<u32> {
        self.comets
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.protocol)
    }

    /// A Compound III governance call on market `comet`, logged as one event.
    fn comet_call(&mut self, comet: &str, call: Call, what: String) {
        let Some(id) = self.comet_id(comet) else {
            return self.log("compound", format!("{what}: unknown market"), false);
        };
        let admin = self.rescuer;
        let kind = StepKind::Chain { reindex: None };
        self.script_call_to(
            Target::Protocol(id),
            admin,
            call,
            "compound",
            what,
            kind,
            true,
        );
    }

    /// The attacker's positions on a Compound III market: each address supplies its share of
    /// the collateral and borrows its share of the base.
    fn comet_attack(
        &mut self,
        comet: &str,
        (coll, amount): (&str, f64),
        (debt, borrow): (&str, f64),
    ) {
        let (Some(id), Some(c), Some(d)) = (
            self.comet_id(comet),
            self.asset_id(coll),
            self.asset_id(debt),
        ) else {
            return self.log(
                "attacker",
                format!("{comet}: unknown market or asset {coll} / {debt}"),
                false,
            );
        };
        let n = self.attackers.len().max(1) as f64;
        for u in self.attackers.clone() {
            let what = format!(
                "account {u} supplies {:.2} {coll}, borrows {:.2} {debt} on {comet}",
                amount / n,
                borrow / n
            );
            let calls = [
                Call::Supply {
                    token: c as TokenId,
                    amount: tokens_to_units(amount / n, self.assets[c].decimals),
                },
                Call::Borrow {
                    token: d as TokenId,
                    amount: tokens_to_units(borrow / n, self.assets[d].decimals),
                },
            ];
            for (k, call) in calls.into_iter().enumerate() {
                let kind = StepKind::Chain { reindex: None };
                let target = Target::Protocol(id);
                self.script_call_to(target, u, call, "attacker", what.clone(), kind, k == 1);
            }
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
            .map(|&u| (u, self.pool.get().debt_balance(t, u, a)))
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
        let shares: Vec<(UserId, U256)> = debts
            .into_iter()
            .map(|(u, debt)| (u, budget * debt / total))
            .filter(|(_, share)| !share.is_zero())
            .collect();
        let rescuer = self.rescuer;
        let n = shares.len();
        for (k, (u, share)) in shares.into_iter().enumerate() {
            let call = Call::Aave(AaveCall::RepayOnBehalf {
                token: a as TokenId,
                amount: share,
                on_behalf: u,
            });
            let kind = StepKind::Rescue {
                account: u,
                asset: a,
                label: label.to_string(),
            };
            self.script_call(rescuer, call, "rescue", String::new(), kind, k + 1 == n);
        }
    }

    fn cover_deficit(&mut self, asset: &str, amount: f64, label: &str) {
        let Some(a) = self.asset_id(asset) else {
            return self.log("rescue", format!("{label}: unknown reserve {asset}"), false);
        };
        let Some(&u) = self.umbrella.get(&a) else {
            return;
        };
        let deficit = self.pool.get().reserve(a).deficit;
        let x = tokens_to_units(amount, self.assets[a].decimals).min(deficit);
        if x.is_zero() {
            return self.log(
                "umbrella",
                format!("{label}: no {asset} deficit to cover"),
                true,
            );
        }
        let call = Call::Aave(AaveCall::EliminateDeficit {
            token: a as TokenId,
            amount: x,
        });
        let kind = StepKind::Cover {
            asset: a,
            label: label.to_string(),
        };
        self.script_call(u, call, "umbrella", String::new(), kind, true);
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
            steward,
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
        // A risk steward moves each rate parameter at most `max_change_bps` per update.
        let max = steward.map(|b| i64::from(b.max_change_bps));
        let toward = |cur: i64, target: Option<i64>| {
            let target = target.unwrap_or(cur);
            max.map_or(target, |m| cur + (target - cur).clamp(-m, m))
        };
        let cur = self.pool.get().reserve(a).config.rate;
        let rate = InterestRateData {
            optimal_usage_ratio: toward(
                cur.optimal_usage_ratio.into(),
                optimal_usage_ratio_bps.map(i64::from),
            ) as u16,
            base_variable_borrow_rate: toward(
                cur.base_variable_borrow_rate.into(),
                base_variable_borrow_rate_bps.map(i64::from),
            ) as u32,
            variable_rate_slope1: toward(
                cur.variable_rate_slope1.into(),
                variable_rate_slope1_bps.map(i64::from),
            ) as u32,
            variable_rate_slope2: toward(
                cur.variable_rate_slope2.into(),
                variable_rate_slope2_bps.map(i64::from),
            ) as u32,
        };
        let reached = optimal_usage_ratio_bps.is_none_or(|x| x == rate.optimal_usage_ratio)
            && base_variable_borrow_rate_bps.is_none_or(|x| x == rate.base_variable_borrow_rate)
            && variable_rate_slope1_bps.is_none_or(|x| x == rate.variable_rate_slope1)
            && variable_rate_slope2_bps.is_none_or(|x| x == rate.variable_rate_slope2);
        // One payload: the rate data, then the LTV and caps it sets.
        let mut changes = vec![AaveConfig::RateData(rate)];
        changes.extend(ltv_bps.map(AaveConfig::Ltv));
        changes.extend(supply_cap.map(AaveConfig::SupplyCap));
        changes.extend(borrow_cap.map(AaveConfig::BorrowCap));
        let what = match steward {
            None => format!("executes on {asset}: {label}"),
            Some(b) => {
                let next = if reached {
                    "target reached".to_owned()
                } else {
                    // The next bounded step, after the steward's minimum delay.
                    let at = self.now + (b.min_delay_hours * 3600.0).round() as i64;
                    self.queued.push((at, i));
                    format!("next step in {} h", b.min_delay_hours)
                };
                format!(
                    "risk steward step on {asset}: {label} (slope1 {} bps, slope2 {} bps, optimal {} bps; {next})",
                    rate.variable_rate_slope1, rate.variable_rate_slope2, rate.optimal_usage_ratio
                )
            }
        };
        self.configure("governance", what, &asset, &changes);
    }

    /// The outcome of a scripted call (in the order they were queued): logs its event when
    /// the event's last call is back.
    pub fn script_outcome(&mut self, record: &TxRecord) {
        let Some(step) = self.script.pop_front() else {
            return;
        };
        let error = record.outcome.as_ref().err().map(|r| r.reason.clone());
        let amount = record
            .outcome
            .as_ref()
            .map_or(U256::ZERO, |r| r.effect.amount);
        match step.kind {
            StepKind::Chain { reindex } => {
                if let Some(u) = reindex {
                    self.reindex(u);
                }
                if self.script_state.first_error.is_none() {
                    self.script_state.first_error = error;
                }
                if let Some(row) = step.last {
                    match self.script_state.first_error.take() {
                        None => self.log_at(row, step.what, true),
                        Some(e) => {
                            self.log_at(row, format!("{}: reverted ({e})", step.what), false)
                        }
                    }
                }
            }
            StepKind::Rescue {
                account,
                asset,
                label,
            } => {
                let symbol = self.assets[asset].symbol.clone();
                match error {
                    None => {
                        self.script_state.repaid += amount;
                        let source = self.cohort_of(account);
                        self.record_backstop("repaid by rescue", &label, asset, source, amount);
                    }
                    Some(e) => self.log(
                        "rescue",
                        format!("{label}: repay for account {account} reverted ({e})"),
                        false,
                    ),
                }
                self.reindex(account);
                if let Some(row) = step.last {
                    let repaid = std::mem::take(&mut self.script_state.repaid);
                    let tokens = self.tokens(asset, repaid);
                    let what = format!("{label} repays {tokens:.2} {symbol} of attacker debt");
                    self.log_at(row, what, true);
                }
            }
            StepKind::Cover { asset, label } => {
                let symbol = self.assets[asset].symbol.clone();
                let row = step.last.unwrap_or(usize::MAX);
                match error {
                    None => {
                        self.record_backstop(
                            "deficit covered",
                            &label,
                            asset,
                            String::new(),
                            amount,
                        );
                        let tokens = self.tokens(asset, amount);
                        let what = format!("{label} covers {tokens:.2} {symbol} of deficit");
                        self.log_at(row, what, true)
                    }
                    Some(e) => {
                        let what = format!("{label}: eliminateReserveDeficit reverted ({e})");
                        self.log_at(row, what, false)
                    }
                }
            }
        }
    }
}
