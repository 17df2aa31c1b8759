//! Per-path metric rows: what each path contributes to its cell, one Parquet row per path.
//!
//! Columns (all `f64`, null where undefined), after `cell` (u32), `path` (u64, index within
//! the cell) and `seed` (u64, the engine seed, see [`crate::seed`]):
//!
//! | column | definition (source: `bankrun_metrics::Summary`) |
//! |---|---|
//! | `bad_debt_usd` | Σ reserves' `deficit_usd` at the end + `latent_bad_debt_usd_at_end` (underwater accounts nobody liquidated: Σ max(0, debt − collateral)), USD |
//! | `deficit_usd` | Σ reserves' booked deficit at the end, USD |
//! | `latent_bad_debt_usd` | latent bad debt at the end, USD |
//! | `liquidated_debt_usd` | debt repaid by liquidations, USD |
//! | `liquidations` | successful liquidation calls |
//! | `deficit_covered_usd` | deficit eliminated by backstops (Umbrella), USD (`losses.deficit_covered_usd`) |
//! | `rescued_usd` | debt repaid by rescue funds on others' behalf, USD (`losses.rescued_usd`) |
//! | `withdrawn_24h_share`, `withdrawn_96h_share` | deposits withdrawn from every reserve in the first 24 h / 96 h over the starting supply, both at the starting prices; null if the window is shorter |
//! | `<R>_peak_utilization` | highest end-of-block utilization of reserve R, [0, 1] |
//! | `<R>_hours_ge_99pct` | hours with end-of-block utilization ≥ 99 % |
//! | `<R>_hours_to_99pct` | hours to the first block at ≥ 99 %; null if never |
//! | `<R>_fill_ratio` | withdrawals served / requested (USD); null if none requested |
//! | `<R>_liquidity_drop` | deepest drop of available liquidity, 1 − min / initial; null if initial = 0 |
//! | `<R>_peak_borrow_apr`, `<R>_peak_supply_apr` | highest variable borrow / supply APR, fraction a year |
//! | `<R>_withdrawn_24h_share`, `<R>_withdrawn_96h_share` | withdrawals served from R in the first 24 h / 96 h over R's starting supply; null if the window is shorter |
//! | `<C>_share_exited` | class C's share of initial deposits withdrawn by the end |
//! | `<C>_share_trapped` | share of C's exit demand still trapped at the end |
//! | `<C>_exit_p50_h`, `<C>_exit_p90_h` | 50th / 90th percentile of hours from the start to a completed exit among C's depositors that decided to exit; one that never completed counts as the horizon (censored: a lower bound); null if nobody decided |
//! | `<M>_peak_utilization`, `<M>_hours_ge_99pct` | Compound III market M (`[[comets]]`): highest utilization, hours at ≥ 99 % |
//! | `<M>_absorbs`, `<M>_reserves_end`, `<M>_latent_bad_debt_usd` | its absorbs, base reserves at the end (tokens, negative after bad debt) and latent bad debt at the feeds' prices (USD) |
//! | `<F>_price_min_ratio`, `<F>_price_end_ratio` | for feed F with a stochastic process: lowest / final market price over the start price |
//! | `draw:<key>` | the value drawn for a `[[stochastic.parameters]]` key |

use bankrun_metrics::RunResult;
use bankrun_scenario::LoadedScenario;

use crate::stats::lower_quantile;
use crate::stochastic::FeedOutcome;

/// Per-reserve metric names, in column order.
pub const RESERVE_METRICS: [&str; 9] = [
    "peak_utilization",
    "hours_ge_99pct",
    "hours_to_99pct",
    "fill_ratio",
    "liquidity_drop",
    "peak_borrow_apr",
    "peak_supply_apr",
    "withdrawn_24h_share",
    "withdrawn_96h_share",
];
/// Per-class metric names, in column order.
pub const CLASS_METRICS: [&str; 4] = ["share_exited", "share_trapped", "exit_p50_h", "exit_p90_h"];
/// Per-Compound-III-market metric names, in column order.
pub const COMET_METRICS: [&str; 5] = [
    "peak_utilization",
    "hours_ge_99pct",
    "absorbs",
    "reserves_end",
    "latent_bad_debt_usd",
];
/// Pool-wide metric names, in column order.
pub const POOL_METRICS: [&str; 9] = [
    "bad_debt_usd",
    "deficit_usd",
    "latent_bad_debt_usd",
    "liquidated_debt_usd",
    "liquidations",
    "deficit_covered_usd",
    "rescued_usd",
    "withdrawn_24h_share",
    "withdrawn_96h_share",
];

/// The metric columns of a sweep (fixed by the base scenario and the drawn keys).
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Reserve symbols, scenario order.
    pub reserves: Vec<String>,
    /// Depositor classes, first-appearance order.
    pub classes: Vec<String>,
    /// Feeds with a stochastic process, `[[stochastic.prices]]` order.
    pub feeds: Vec<String>,
    /// Drawn parameter keys, in draw order.
    pub draws: Vec<String>,
    /// Compound III market names (`[[comets]]`), scenario order.
    pub comets: Vec<String>,
    /// Every metric column name, in order.
    pub columns: Vec<String>,
}

/// One path's row.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRow {
    /// Cell id.
    pub cell: u32,
    /// Path index within the cell.
    pub path: u64,
    /// Engine seed.
    pub seed: u64,
    /// Metric values, parallel to [`Layout::columns`].
    pub values: Vec<Option<f64>>,
}

impl Layout {
    /// The layout of sweeps of `s` drawing `draws`.
    pub fn new(s: &LoadedScenario, draws: Vec<String>) -> Self {
        let reserves: Vec<String> = s
            .scenario
            .market
            .reserves
            .iter()
            .map(|r| r.symbol.clone())
            .collect();
        let mut classes: Vec<String> = Vec::new();
        for d in &s.scenario.depositors {
            if !classes.contains(&d.class) {
                classes.push(d.class.clone());
            }
        }
        let feeds: Vec<String> = s
            .scenario
            .stochastic
            .as_ref()
            .map(|st| st.prices.iter().map(|p| p.feed.clone()).collect())
            .unwrap_or_default();
        let mut columns: Vec<String> = POOL_METRICS.iter().map(|m| m.to_string()).collect();
        for r in &reserves {
            columns.extend(RESERVE_METRICS.iter().map(|m| format!("{r}_{m}")));
        }
        for c in &classes {
            columns.extend(CLASS_METRICS.iter().map(|m| format!("{c}_{m}")));
        }
        let comets: Vec<String> = (s.scenario.comets.iter()).map(|c| c.name.clone()).collect();
        for c in &comets {
            columns.extend(COMET_METRICS.iter().map(|m| format!("{c}_{m}")));
        }
        for f in &feeds {
            columns.push(format!("{f}_price_min_ratio"));
            columns.push(format!("{f}_price_end_ratio"));
        }
        for k in &draws {
            columns.push(format!("draw:{k}"));
        }
        Self {
            reserves,
            classes,
            feeds,
            draws,
            comets,
            columns,
        }
    }

    /// Index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The row of one finished path.
    pub fn row(
        &self,
        cell: u32,
        path: u64,
        seed: u64,
        r: &RunResult,
        feeds: &[FeedOutcome],
        draws: &[(String, f64)],
    ) -> PathRow {
        let s = &r.summary;
        let mut v: Vec<Option<f64>> = Vec::with_capacity(self.columns.len());
        let deficit: f64 = s.reserves.iter().map(|x| x.deficit_usd).sum();
        let latent = s.liquidations.latent_bad_debt_usd_at_end;
        v.push(Some(deficit + latent));
        v.push(Some(deficit));
        v.push(Some(latent));
        v.push(Some(s.liquidations.debt_repaid_usd));
        v.push(Some(s.liquidations.count as f64));
        v.push(Some(s.losses.deficit_covered_usd));
        v.push(Some(s.losses.rescued_usd));
        v.push(s.withdrawn_share_24h);
        v.push(s.withdrawn_share_96h);
        for sym in &self.reserves {
            match s.reserves.iter().find(|x| &x.symbol == sym) {
                Some(x) => {
                    v.push(Some(x.peak_utilization));
                    v.push(Some(x.hours_at_or_above_99pct));
                    v.push(x.hours_to_99pct);
                    v.push(
                        (x.withdrawals_requested_usd > 0.0)
                            .then(|| x.withdrawals_served_usd / x.withdrawals_requested_usd),
                    );
                    v.push(
                        (x.initial_available_liquidity > 0.0).then(|| {
                            1.0 - x.min_available_liquidity / x.initial_available_liquidity
                        }),
                    );
                    v.push(Some(x.peak_borrow_apr));
                    v.push(Some(x.peak_supply_apr));
                    v.push(x.withdrawn_share_24h);
                    v.push(x.withdrawn_share_96h);
                }
                None => v.extend([None; RESERVE_METRICS.len()]),
            }
        }
        for class in &self.classes {
            match s.classes.iter().find(|x| &x.class == class) {
                Some(x) => {
                    v.push(Some(x.share_exited));
                    v.push(Some(x.share_trapped));
                }
                None => v.extend([None, None]),
            }
            let mut t: Vec<f64> = r
                .depositors
                .iter()
                .filter(|d| &d.class == class && d.first_exit_decision_s.is_some())
                .map(|d| d.exit_completed_s.map_or(s.hours, |x| x / 3600.0))
                .collect();
            if t.is_empty() {
                v.extend([None, None]);
            } else {
                t.sort_by(f64::total_cmp);
                v.push(Some(lower_quantile(&t, 0.5)));
                v.push(Some(lower_quantile(&t, 0.9)));
            }
        }
        for name in &self.comets {
            match s.comets.iter().find(|c| &c.name == name) {
                Some(c) => v.extend([
                    Some(c.peak_utilization),
                    Some(c.hours_at_or_above_99pct),
                    Some(c.absorbs as f64),
                    Some(c.reserves_end),
                    Some(c.latent_bad_debt_usd),
                ]),
                None => v.extend([None; COMET_METRICS.len()]),
            }
        }
        for f in &self.feeds {
            match feeds.iter().find(|o| &o.feed == f) {
                Some(o) => v.extend([Some(o.min_ratio), Some(o.end_ratio)]),
                None => v.extend([None, None]),
            }
        }
        for k in &self.draws {
            v.push(draws.iter().find(|(dk, _)| dk == k).map(|(_, x)| *x));
        }
        PathRow {
            cell,
            path,
            seed,
            values: v,
        }
    }
}
