//! Recording: per-block reserve rows, class samples, liquidations, scripted events, and the
//! summary built at the end. Integer state becomes `f64` only here, for output.

use bankrun_metrics::{
    ClassSeriesRow, ClassSummary, DepositorOutcome, EventRecord, GraphEdge, GraphNode,
    LiquidationRecord, LiquidationSummary, ReserveBlockRow, ReserveSummary, RunResult, Summary,
    TxSummary,
};

use bankrun_aave::U256;
use bankrun_chain::units::{ray_to_f64, units_to_tokens};

use crate::population::Population;

/// Withdrawal flows of one reserve in one block.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flows {
    requested: f64,
    served: f64,
    reverted: f64,
    reverted_count: u32,
}

/// Run totals of one reserve.
#[derive(Debug, Clone, Default)]
struct Totals {
    requested: f64,
    served: f64,
    reverted: f64,
    requested_usd: f64,
    served_usd: f64,
    reverted_usd: f64,
    reverted_txs: u64,
    initial_utilization: f64,
    peak_utilization: f64,
    first_99: Option<u64>,
    initial_available: f64,
    min_available: f64,
    start_price: f64,
    blocks_at_99: u64,
    peak_borrow_apr: f64,
    peak_supply_apr: f64,
    initial_supplied: f64,
    /// Served withdrawals, tokens, at the end of the first block 24 h / 96 h into the window.
    served_by: [Option<f64>; 2],
}

/// The checkpoints of [`Totals::served_by`], hours from the start.
pub(crate) const SERVED_CHECKPOINTS_H: [i64; 2] = [24, 96];

/// A reserve's utilization inputs as `f64`, taken when its stored state last changed:
/// utilization is a statistic here (the pool computes its own exactly, in ray, for rates), and
/// recomputing the exact compounded debt of every reserve in every block would dominate a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauge {
    key: (u64, U256, U256, U256, U256, U256),
    /// Total variable debt at the last update, tokens.
    debt: f64,
    /// Available liquidity (virtual balance), tokens.
    pub available: f64,
    /// Variable borrow rate, fraction per year.
    pub borrow_apr: f64,
    /// Supply rate, fraction per year.
    pub supply_apr: f64,
    last_update: u64,
}

impl Gauge {
    /// Refreshes the figures if the reserve's stored state changed; returns them.
    fn refresh(&mut self, r: &bankrun_aave::reserve::ReserveData, decimals: u8) -> Gauge {
        let key = (
            r.last_update_timestamp,
            r.virtual_underlying_balance,
            r.scaled_total_variable_debt,
            r.variable_borrow_index,
            r.current_variable_borrow_rate,
            r.current_liquidity_rate,
        );
        if key != self.key {
            let scaled = units_to_tokens(r.scaled_total_variable_debt, decimals);
            *self = Gauge {
                key,
                debt: scaled * ray_to_f64(r.variable_borrow_index),
                available: units_to_tokens(r.virtual_underlying_balance, decimals),
                borrow_apr: ray_to_f64(r.current_variable_borrow_rate),
                supply_apr: ray_to_f64(r.current_liquidity_rate),
                last_update: r.last_update_timestamp,
            };
        }
        *self
    }

    /// `debt / (debt + available)` at `now`, the debt compounded continuously at the stored
    /// rate since the last update (Aave's per-second compounding agrees to ~1e-12 over a day).
    pub fn utilization(&self, now: u64) -> f64 {
        let dt = now.saturating_sub(self.last_update) as f64;
        let debt = self.debt * (self.borrow_apr * dt / SECONDS_PER_YEAR).exp();
        if debt <= 0.0 {
            0.0
        } else {
            debt / (debt + self.available)
        }
    }
}

/// Seconds per year in Aave's interest formulas (365 days).
const SECONDS_PER_YEAR: f64 = 31_536_000.0;

/// Collects outputs during the run.
#[derive(Debug, Default)]
pub struct Recorder {
    rows: Vec<ReserveBlockRow>,
    flows: Vec<Flows>,
    totals: Vec<Totals>,
    class_usd: Vec<f64>,
    /// Exit demand not yet served per depositor class, token units of the class's reserve.
    pub class_pending: Vec<U256>,
    /// Initial deposits per depositor class, USD at the starting prices.
    class_initial_usd: Vec<f64>,
    /// Per-reserve figures for the utilization gauge, refreshed when the reserve changes.
    gauges: Vec<Gauge>,
    class_series: Vec<ClassSeriesRow>,
    pub(crate) liquidations: Vec<LiquidationRecord>,
    pub(crate) events: Vec<EventRecord>,
    /// Backstop payments (rescue repayments, deficit covers) as they took effect.
    pub(crate) backstops: Vec<crate::losses::Backstop>,
    /// The exposure graph at the start.
    pub(crate) graph_start: (Vec<GraphNode>, Vec<GraphEdge>),
    /// Transaction totals.
    pub tx: TxSummary,
}

impl Recorder {
    /// Sizes the per-reserve and per-class accumulators.
    pub fn init(&mut self, reserves: usize, classes: usize) {
        self.flows = vec![Flows::default(); reserves];
        self.totals = vec![Totals::default(); reserves];
        self.class_usd = vec![0.0; classes];
        self.class_pending = vec![U256::ZERO; classes];
        self.gauges = vec![Gauge::default(); reserves];
    }

    /// A depositor class withdrew `usd`.
    pub fn class_withdrawn(&mut self, class: usize, usd: f64) {
        self.class_usd[class] += usd;
    }

    /// A withdrawal transaction was included: `served = None` if it reverted.
    pub fn withdrawal(&mut self, asset: usize, requested: f64, served: Option<f64>, price: f64) {
        let f = &mut self.flows[asset];
        let t = &mut self.totals[asset];
        f.requested += requested;
        t.requested += requested;
        t.requested_usd += requested * price;
        match served {
            Some(x) => {
                f.served += x;
                t.served += x;
                t.served_usd += x * price;
            }
            None => {
                f.reverted += requested;
                f.reverted_count += 1;
                t.reverted += requested;
                t.reverted_usd += requested * price;
                t.reverted_txs += 1;
            }
        }
    }

    /// A scripted event took effect (or failed).
    pub fn event(
        &mut self,
        block: u64,
        timestamp: i64,
        actor: &str,
        description: String,
        ok: bool,
    ) {
        self.events.push(EventRecord {
            block,
            timestamp,
            actor: actor.into(),
            description,
            ok,
        });
    }

    /// A liquidation happened.
    pub fn liquidation(&mut self, r: LiquidationRecord) {
        self.liquidations.push(r);
    }
}

impl Population {
    /// Records the end-of-block state of every reserve.
    pub fn record_block(&mut self) {
        let t = self.t();
        for a in 0..self.assets.len() {
            let dec = self.assets[a].decimals;
            let g = self.rec.gauges[a].refresh(self.pool.get().reserve(a), dec);
            let utilization = g.utilization(t);
            let available = g.available;
            self.update_totals(a, utilization, available, g.borrow_apr, g.supply_apr);
            if !self.record_series {
                self.rec.flows[a] = Flows::default();
                continue;
            }
            let pool = self.pool.get();
            let r = pool.reserve(a);
            let row = ReserveBlockRow {
                block: self.block,
                timestamp: self.now,
                reserve: self.assets[a].symbol.clone(),
                utilization,
                available_liquidity: available,
                total_supplied: units_to_tokens(self.pool.get().total_supply(t, a), dec),
                total_borrowed: units_to_tokens(self.pool.get().total_debt(t, a), dec),
                supply_apr: ray_to_f64(r.current_liquidity_rate),
                borrow_apr: ray_to_f64(r.current_variable_borrow_rate),
                liquidity_index: self.pool.get().normalized_income(t, a).to_string(),
                variable_borrow_index: self.pool.get().normalized_debt(t, a).to_string(),
                withdrawals_requested: self.rec.flows[a].requested,
                withdrawals_served: self.rec.flows[a].served,
                withdrawals_reverted: self.rec.flows[a].reverted,
                withdrawals_reverted_count: self.rec.flows[a].reverted_count,
                deficit: units_to_tokens(r.deficit, dec),
                oracle_price_usd: self.price_usd(a),
                frozen: r.config.frozen,
            };
            self.rec.flows[a] = Flows::default();
            self.rec.rows.push(row);
        }
    }

    /// Updates the run totals of reserve `a` with this block's end state.
    fn update_totals(
        &mut self,
        a: usize,
        utilization: f64,
        available: f64,
        borrow_apr: f64,
        supply_apr: f64,
    ) {
        let price = self.price_usd(a);
        let block = self.block;
        let tot = &mut self.rec.totals[a];
        let elapsed = self.now - self.scn.start_unix;
        if block == 0 {
            tot.initial_utilization = utilization;
            tot.initial_available = available;
            tot.min_available = available;
            tot.start_price = price;
            tot.initial_supplied = self.assets[a].initial_supply;
        }
        for (k, h) in SERVED_CHECKPOINTS_H.iter().enumerate() {
            if elapsed >= h * 3600 && tot.served_by[k].is_none() {
                tot.served_by[k] = Some(tot.served);
            }
        }
        tot.min_available = tot.min_available.min(available);
        if utilization >= 0.99 && tot.first_99.is_none() {
            tot.first_99 = Some(block);
        }
        tot.peak_utilization = tot.peak_utilization.max(utilization);
        tot.peak_borrow_apr = tot.peak_borrow_apr.max(borrow_apr);
        tot.peak_supply_apr = tot.peak_supply_apr.max(supply_apr);
        if utilization >= 0.99 && block > 0 {
            tot.blocks_at_99 += 1;
        }
    }

    /// Values each depositor class's initial deposits at the starting prices (once, at the
    /// start of recording).
    pub fn record_class_initials(&mut self) {
        let mut initial = vec![0.0; self.scn.scenario.depositors.len()];
        for d in &self.depositors {
            initial[d.class] += self.tokens(d.asset, d.initial) * self.price_usd(d.asset);
        }
        self.rec.class_initial_usd = initial;
    }

    /// Samples cumulative outflow per depositor class.
    pub fn record_classes(&mut self) {
        let t = self.t();
        let classes = &self.scn.scenario.depositors;
        let pending: Vec<f64> = classes
            .iter()
            .zip(&self.rec.class_pending)
            .map(|(spec, x)| match self.asset_id(&spec.asset) {
                Some(a) => self.tokens(a, *x) * self.price_usd(a),
                None => 0.0,
            })
            .collect();
        for (c, spec) in classes.iter().enumerate() {
            let usd = self.rec.class_usd[c];
            self.rec.class_series.push(ClassSeriesRow {
                block: self.block,
                timestamp: t as i64,
                class: spec.class.clone(),
                cumulative_withdrawn_usd: usd,
                share_withdrawn: if self.rec.class_initial_usd[c] > 0.0 {
                    usd / self.rec.class_initial_usd[c]
                } else {
                    0.0
                },
                pending_exit_usd: pending[c],
            });
        }
    }

    /// Builds the run result from the mempool's counts at the end: transactions pending,
    /// those still held back by their sender's latency (they had not reached the public
    /// mempool: not counted as submitted), and all submitted; the exposure graph at the end
    /// includes the Compound III markets of `chain`.
    pub fn finish(
        &mut self,
        chain: &bankrun_world::World,
        pending: u64,
        held: u64,
        submitted: u64,
    ) -> RunResult {
        self.rec.tx.pending_at_end = pending;
        self.rec.tx.submitted = submitted - held;
        let depositors = self.depositor_outcomes();
        let summary = Summary {
            scenario: self.scn.scenario.scenario.name.clone(),
            seed: 0,
            start: self.scn.scenario.scenario.start.clone(),
            blocks: self.block,
            hours: self.block as f64 * self.block_time() as f64 / 3600.0,
            reserves: self.reserve_summaries(),
            classes: self.class_summaries(&depositors),
            liquidations: self.liquidation_summary(),
            transactions: self.rec.tx.clone(),
            losses: self.loss_summary(),
            withdrawn_share_24h: self.withdrawn_share(0),
            withdrawn_share_96h: self.withdrawn_share(1),
            comets: Vec::new(),
        };
        let (mut graph_nodes, mut graph_edges) = std::mem::take(&mut self.rec.graph_start);
        let (nodes, edges) = self.graph(chain, "end");
        graph_nodes.extend(nodes);
        graph_edges.extend(edges);
        RunResult {
            summary,
            reserve_series: std::mem::take(&mut self.rec.rows),
            class_series: std::mem::take(&mut self.rec.class_series),
            depositors,
            liquidations: std::mem::take(&mut self.rec.liquidations),
            events: std::mem::take(&mut self.rec.events),
            graph_nodes,
            graph_edges,
        }
    }

    fn depositor_outcomes(&self) -> Vec<DepositorOutcome> {
        let secs = |b: u64| (b * self.block_time()) as f64;
        self.depositors
            .iter()
            .enumerate()
            .map(|(i, d)| DepositorOutcome {
                id: i as u32,
                class: self.scn.scenario.depositors[d.class].class.clone(),
                asset: self.assets[d.asset].symbol.clone(),
                initial_balance: self.tokens(d.asset, d.initial),
                initial_usd: self.tokens(d.asset, d.initial) * self.rec_start_price(d.asset),
                exit_target: self.tokens(d.asset, d.demand),
                withdrawn: self.tokens(d.asset, d.withdrawn),
                withdraw_txs: d.txs,
                reverted_txs: d.reverted,
                first_exit_decision_s: d.first_decision.map(secs),
                exit_completed_s: d.completed.filter(|_| d.target.is_zero()).map(secs),
                trapped_at_end: self.tokens(d.asset, d.target),
                gas_paid_eth: d.gas_eth,
            })
            .collect()
    }

    /// Oracle price of an asset at the start (first recorded row), USD.
    fn rec_start_price(&self, a: usize) -> f64 {
        self.rec
            .rows
            .get(a)
            .map_or(self.price_usd(a), |r| r.oracle_price_usd)
    }

    /// Withdrawals served from every reserve by checkpoint `k` over the starting supply, both
    /// at the starting prices (`None` before the checkpoint is reached).
    fn withdrawn_share(&self, k: usize) -> Option<f64> {
        let mut served = 0.0;
        let mut supplied = 0.0;
        for t in &self.rec.totals {
            served += t.served_by[k]? * t.start_price;
            supplied += t.initial_supplied * t.start_price;
        }
        share(Some(served), supplied)
    }

    fn reserve_summaries(&self) -> Vec<ReserveSummary> {
        let hours_per_block = self.block_time() as f64 / 3600.0;
        self.rec
            .totals
            .iter()
            .enumerate()
            .map(|(a, t)| {
                let deficit = self.tokens(a, self.pool.get().reserve(a).deficit);
                ReserveSummary {
                    symbol: self.assets[a].symbol.clone(),
                    initial_utilization: t.initial_utilization,
                    peak_utilization: t.peak_utilization,
                    hours_at_or_above_99pct: t.blocks_at_99 as f64 * hours_per_block,
                    hours_to_99pct: t.first_99.map(|b| b as f64 * hours_per_block),
                    min_available_liquidity: t.min_available,
                    initial_available_liquidity: t.initial_available,
                    peak_borrow_apr: t.peak_borrow_apr,
                    peak_supply_apr: t.peak_supply_apr,
                    withdrawals_requested: t.requested,
                    withdrawals_served: t.served,
                    withdrawals_reverted: t.reverted,
                    withdrawals_requested_usd: t.requested_usd,
                    withdrawals_served_usd: t.served_usd,
                    withdrawals_reverted_usd: t.reverted_usd,
                    reverted_withdraw_txs: t.reverted_txs,
                    deficit,
                    deficit_usd: deficit * self.price_usd(a),
                    initial_supplied: t.initial_supplied,
                    withdrawn_share_24h: share(t.served_by[0], t.initial_supplied),
                    withdrawn_share_96h: share(t.served_by[1], t.initial_supplied),
                }
            })
            .collect()
    }

    fn class_summaries(&self, outcomes: &[DepositorOutcome]) -> Vec<ClassSummary> {
        self.scn
            .scenario
            .depositors
            .iter()
            .enumerate()
            .map(|(c, spec)| {
                let members: Vec<(&DepositorOutcome, f64)> = outcomes
                    .iter()
                    .zip(&self.depositors)
                    .filter(|(_, d)| d.class == c)
                    .map(|(o, d)| (o, self.rec_start_price(d.asset)))
                    .collect();
                let initial: f64 = members.iter().map(|(o, _)| o.initial_usd).sum();
                let withdrawn: f64 = members.iter().map(|(o, p)| o.withdrawn * p).sum();
                let demand: f64 = members.iter().map(|(o, p)| o.exit_target * p).sum();
                let trapped: f64 = members.iter().map(|(o, p)| o.trapped_at_end * p).sum();
                let mut times: Vec<f64> = members
                    .iter()
                    .filter_map(|(o, _)| o.exit_completed_s)
                    .map(|s| s / 3600.0)
                    .collect();
                times.sort_by(f64::total_cmp);
                let n = members.len().max(1) as f64;
                ClassSummary {
                    class: spec.class.clone(),
                    depositors: members.len() as u64,
                    initial_usd: initial,
                    share_exited: if initial > 0.0 {
                        withdrawn / initial
                    } else {
                        0.0
                    },
                    share_deciding: members
                        .iter()
                        .filter(|(o, _)| o.first_exit_decision_s.is_some())
                        .count() as f64
                        / n,
                    median_hours_to_exit: median(&times),
                    share_trapped: if demand > 0.0 { trapped / demand } else { 0.0 },
                }
            })
            .collect()
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

impl Population {
    /// Liquidation totals, plus the accounts left underwater at the end (found through the
    /// liquidation index, confirmed with the pool's exact health factor).
    fn liquidation_summary(&self) -> LiquidationSummary {
        let l = &self.rec.liquidations;
        let (underwater, debt, bad) = self.underwater_totals();
        LiquidationSummary {
            count: l.len() as u64,
            // `fold` from +0.0: `sum` of no floats is −0.0, which prints as "-0.0".
            debt_repaid_usd: l.iter().fold(0.0, |s, r| s + r.debt_repaid_usd),
            collateral_seized_usd: l
                .iter()
                .fold(0.0, |s, r| s + r.debt_repaid_usd + r.bonus_usd),
            deficit_created_usd: l.iter().fold(0.0, |s, r| s + r.deficit_created_usd),
            underwater_accounts_at_end: underwater,
            underwater_debt_usd_at_end: debt,
            latent_bad_debt_usd_at_end: bad,
        }
    }
}

/// `part / whole`, `None` without a part or with nothing to divide by.
fn share(part: Option<f64>, whole: f64) -> Option<f64> {
    part.filter(|_| whole > 0.0).map(|p| p / whole)
}
