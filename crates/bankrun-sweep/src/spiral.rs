//! Sweeps of liquidation-spiral scenarios (`bankrun_spiral`: Maker Liquidations 1.2 and
//! Compound v2, the Terra mint-burn spiral, the stETH discount and the USDC/SVB depeg,
//! `[scenario] protocol = "maker" | "compound-v2" | "terra" | "steth" | "usdc-svb"`; a Terra,
//! stETH or USDC/SVB scenario's variants are its modes, `replay` and `spiral`).
//!
//! Cells, seeds, chunks, resume, shards and merge are those of every sweep ([`crate::run`]):
//! a cell is the scenario text with its `--vary` keys set (`stress.drop`,
//! `compound.markets.ETH.collateral_factor`, `keepers.liquidator.count`, … — array entries
//! by `name`), re-validated by `bankrun_spiral::spec::parse`; a path runs
//! `bankrun_spiral::simulate(cell, path seed)`, i.e. every variant the scenario defines (Maker:
//! `real`; Compound v2: `real` and, with `[stress]`, `stress`), each with the path seed.
//! Distributions (`--vary KEY=normal(..)`) need the Aave format's `[stochastic]` table and
//! are refused.
//!
//! Path columns, one set per variant V, named `V:<metric>` (all `f64`; source:
//! `bankrun_spiral::Summary` of that variant's run):
//!
//! | column | definition |
//! |---|---|
//! | `V:bad_debt_usd` | bad debt at the end: Maker `sin − dai` of the Vow (DAI, taken at $1); Compound Σ max(0, debt − collateral) over accounts at the oracle (USD) |
//! | `V:liquidated_debt_usd` | debt liquidated: Maker debt booked by `bite`s (DAI); Compound borrow repaid by `liquidateBorrow` (USD) |
//! | `V:liquidations` | Maker `bite`s; Compound `liquidateBorrow` calls |
//! | `V:median_delay_s` | median seconds from a position becoming unsafe to its liquidation; null without liquidations |
//! | `V:txs_submitted`, `V:txs_reverted`, `V:txs_dropped` | agents' transactions submitted, included but reverted, dropped unmined |
//! | `V:gas_paid_eth` | gas paid by agents, ETH |
//! | `V:min_market_price_usd` | lowest CEX ETH price, USD |
//! | `V:max_endogenous_impact` | largest endogenous impact of agents' sales on the CEX mid, relative |
//! | `V:auctions`, `V:auctions_open` | Maker only: Flipper auctions kicked; still open at the end |
//! | `V:zero_bid_wins`, `V:zero_bid_collateral_usd` | Maker only: settled auctions won with a bid below 1 % of the tab; the collateral they gave away at the market price, USD |
//! | `V:auction_deficit_usd` | Maker only: debt left uncovered by settled auctions, Σ max(0, debt − winning bid), DAI |
//! | `V:ust_min_usd`, `V:ust_end_usd`, `V:luna_min_usd`, `V:luna_end_usd` | Terra only: UST's lowest and last CEX price, LUNA's lowest and last price, USD |
//! | `V:ust_supply_end`, `V:luna_supply_end`, `V:ust_burned` | Terra only: supplies at the end and UST burned through the market module, tokens |
//! | `V:anchor_outflow_24h`, `V:anchor_outflow_72h`, `V:anchor_outflow_end` | Terra only: share of Anchor's starting deposits gone |
//! | `V:yield_reserve_end` | Terra only: Anchor's yield reserve at the end, UST |
//!
//! Cell metrics per variant (see [`crate::report`]): `V:bad_debt_mean_usd`, VaR / ES at 95 %
//! and 99 % (`V:bad_debt_var95_usd`, …), `V:p_bad_debt` (probability of bad debt > 0),
//! `V:liquidations_at_risk_p95_usd`, and `V:<column>_mean` for every other column.

use std::path::{Path, PathBuf};

use bankrun_spiral::{Loaded, SpiralError, Summary};
use toml_edit::DocumentMut;

use crate::chunks::SweepSpec;
use crate::design::{self, Cell};
use crate::error::{Result, SweepError};
use crate::keys;
use crate::metrics::PathRow;
use crate::run::{
    Outcome, PathSource, Progress, SweepConfig, check_config, complete_spec, drive, new_spec,
};
use crate::seed::{path_seed, scenario_hash};
use crate::vary::Spec;

/// Metrics of every spiral variant, in column order.
pub const SPIRAL_METRICS: [&str; 10] = [
    "bad_debt_usd",
    "liquidated_debt_usd",
    "liquidations",
    "median_delay_s",
    "txs_submitted",
    "txs_reverted",
    "txs_dropped",
    "gas_paid_eth",
    "min_market_price_usd",
    "max_endogenous_impact",
];
/// Further metrics of Maker variants, in column order.
pub const MAKER_METRICS: [&str; 5] = [
    "auctions",
    "auctions_open",
    "zero_bid_wins",
    "zero_bid_collateral_usd",
    "auction_deficit_usd",
];

/// Further metrics of Terra variants (modes), in column order (source:
/// `bankrun_spiral::terra::TerraSummary`): UST's lowest and last CEX price (USD), LUNA's lowest
/// and last price (USD), the UST and LUNA supplies at the end, the UST burned through the
/// market module, the share of Anchor's deposits gone after 24 h, 72 h and at the end, and
/// the yield reserve at the end (UST).
pub const TERRA_METRICS: [&str; 11] = [
    "ust_min_usd",
    "ust_end_usd",
    "luna_min_usd",
    "luna_end_usd",
    "ust_supply_end",
    "luna_supply_end",
    "ust_burned",
    "anchor_outflow_24h",
    "anchor_outflow_72h",
    "anchor_outflow_end",
    "yield_reserve_end",
];

/// Further metrics of stETH variants (modes), in column order (source:
/// `bankrun_spiral::steth::StethSummary`): stETH/ETH lowest on Aave's oracle, lowest and last
/// on the Curve pool, the pool's highest stETH share, Aave v2's highest WETH utilization,
/// stETH seized by liquidators, sold by holders and bought by dip buyers, and the scripted
/// sellers' loss against par (ETH).
pub const STETH_METRICS: [&str; 9] = [
    "steth_min_oracle",
    "steth_min_curve",
    "steth_end_curve",
    "curve_steth_share_max",
    "weth_utilization_max",
    "steth_seized",
    "holders_sold",
    "buyers_bought",
    "forced_loss_eth",
];

/// Further metrics of USDC/SVB variants (modes), in column order (source:
/// `bankrun_spiral::svb::SvbSummary`): USDC/USDT lowest and last on 3pool, USDC's lowest price
/// on Aave's oracle (USD), DAI/USDT lowest on 3pool, 3pool's highest USDC share, USDC in the
/// PSM and DAI supply at the end, Aave v2's highest utilization and borrow APR of USDC, USDT
/// and DAI, its USDC debt at the end, USDC repaid below par, USDC seized by liquidators, sold
/// by holders and bought by buyers; then, with the
/// Compound v2 lender (empty without it), Compound v2's highest USDT and DAI utilization, its
/// USDT and DAI cash at the end, the USDC the collateral arbitrageurs supplied at its $1
/// oracle price, and its debt above collateral at the end with USDC at 3pool's price. In these runs
/// `V:bad_debt_usd` is Aave v2's debt above collateral at the end (USD) and
/// `V:min_market_price_usd` USDC's lowest on 3pool (USDT).
pub const SVB_METRICS: [&str; 24] = [
    "usdc_min_curve",
    "usdc_end_curve",
    "usdc_min_oracle",
    "dai_min_curve",
    "curve_usdc_share_max",
    "psm_usdc_end",
    "dai_supply_end",
    "usdc_utilization_max",
    "usdt_utilization_max",
    "dai_utilization_max",
    "usdc_borrow_apr_max",
    "usdt_borrow_apr_max",
    "dai_borrow_apr_max",
    "usdc_debt_end",
    "usdc_repaid",
    "usdc_seized",
    "holders_sold",
    "buyers_bought",
    "compound_usdt_utilization_max",
    "compound_dai_utilization_max",
    "compound_usdt_cash_end",
    "compound_dai_cash_end",
    "compound_arb_usdc_supplied",
    "compound_bad_debt_at_market_usd",
];

/// The variants `bankrun_spiral::simulate` runs for `l`, in its order.
pub fn variants(l: &Loaded) -> Vec<String> {
    if l.spec.scenario.protocol == "terra" {
        return bankrun_spiral::terra::modes(l);
    }
    if l.spec.scenario.protocol == "steth" {
        return bankrun_spiral::steth::modes(l);
    }
    if l.spec.scenario.protocol == "usdc-svb" {
        return bankrun_spiral::svb::modes(l);
    }
    let mut v = vec!["real".to_string()];
    if l.spec.scenario.protocol == "compound-v2" && l.spec.stress.is_some() {
        v.push("stress".into());
    }
    v
}

/// The path columns of a sweep of `l`.
pub fn columns(l: &Loaded) -> Vec<String> {
    let maker = l.spec.scenario.protocol == "maker";
    let mut cols = Vec::new();
    for v in variants(l) {
        cols.extend(SPIRAL_METRICS.iter().map(|m| format!("{v}:{m}")));
        if maker {
            cols.extend(MAKER_METRICS.iter().map(|m| format!("{v}:{m}")));
        }
        if l.spec.scenario.protocol == "terra" {
            cols.extend(TERRA_METRICS.iter().map(|m| format!("{v}:{m}")));
        }
        if l.spec.scenario.protocol == "steth" {
            cols.extend(STETH_METRICS.iter().map(|m| format!("{v}:{m}")));
        }
        if l.spec.scenario.protocol == "usdc-svb" {
            cols.extend(SVB_METRICS.iter().map(|m| format!("{v}:{m}")));
        }
    }
    cols
}

/// One variant's values, in [`columns`] order.
fn values(s: &Summary, maker: bool, v: &mut Vec<Option<f64>>) {
    v.extend([
        Some(s.bad_debt),
        Some(s.debt_liquidated),
        Some(s.liquidations as f64),
        (s.liquidations > 0).then_some(s.median_delay_s),
        Some(s.txs_submitted as f64),
        Some(s.txs_reverted as f64),
        Some(s.txs_dropped as f64),
        Some(s.gas_paid_eth),
        Some(s.min_market_price),
        Some(s.max_endogenous_impact),
    ]);
    if maker {
        v.extend([
            Some(s.auctions as f64),
            Some(s.auctions_open as f64),
            Some(s.zero_bid_wins as f64),
            Some(s.zero_bid_collateral_usd),
            Some(s.deficit_settled),
        ]);
    }
    if let Some(t) = &s.terra {
        v.extend([
            Some(t.ust_min_usd),
            Some(t.ust_end_usd),
            Some(t.luna_min_usd),
            Some(t.luna_end_usd),
            Some(t.ust_supply[1]),
            Some(t.luna_supply[1]),
            Some(t.ust_burned),
            Some(t.anchor_outflow_share[0]),
            Some(t.anchor_outflow_share[1]),
            Some(t.anchor_outflow_share[2]),
            Some(t.yield_reserve_end),
        ]);
    }
    if let Some(t) = &s.steth {
        v.extend([
            Some(t.steth_min_oracle),
            Some(t.steth_min_curve),
            Some(t.steth_end_curve),
            Some(t.curve_steth_share_max),
            Some(t.weth_utilization_max),
            Some(t.steth_seized),
            Some(t.holders_sold),
            Some(t.buyers_bought),
            Some(t.forced_loss_eth),
        ]);
    }
    if let Some(t) = &s.svb {
        v.extend([
            Some(t.usdc_min_curve),
            Some(t.usdc_end_curve),
            Some(t.usdc_min_oracle),
            Some(t.dai_min_curve),
            Some(t.curve_usdc_share_max),
            Some(t.psm_usdc[1]),
            Some(t.dai_supply[1]),
            Some(t.utilization_max[0]),
            Some(t.utilization_max[1]),
            Some(t.utilization_max[2]),
            Some(t.borrow_apr_max[0]),
            Some(t.borrow_apr_max[1]),
            Some(t.borrow_apr_max[2]),
            Some(t.usdc_debt[1]),
            Some(t.usdc_repaid),
            Some(t.usdc_seized),
            Some(t.holders_sold),
            Some(t.buyers_bought),
        ]);
        // Empty without the Compound v2 lender.
        let c = t.compound.as_ref();
        v.extend([
            c.map(|c| c.utilization_max[1]),
            c.map(|c| c.utilization_max[2]),
            c.map(|c| c.cash[0][1]),
            c.map(|c| c.cash[1][1]),
            c.map(|c| c.arb_usdc_supplied),
            c.map(|c| c.bad_debt_at_market_usd),
        ]);
    }
}

/// A planned sweep of a spiral scenario.
pub struct SpiralPlan {
    base_doc: DocumentMut,
    origin: String,
    dir: Option<PathBuf>,
    master_seed: u64,
    cells: Vec<Cell>,
    variants: Vec<String>,
    maker: bool,
    hashes: Vec<u64>,
    spec: SweepSpec,
}

fn located(e: SpiralError, context: &str) -> SweepError {
    match e {
        SpiralError::Run(m) => SweepError::io("spiral run", format!("{m} ({context})")),
        other => SweepError::bad(format!("{other} ({context})")),
    }
}

impl SpiralPlan {
    /// Plans a sweep of `base` (loaded from `file`, or embedded when `None`): builds and
    /// validates every cell's scenario, so a bad override fails before any path runs.
    ///
    /// # Errors
    /// [`SweepError::BadInput`] naming the `--vary` argument, or the located scenario error of
    /// the overridden text.
    pub fn new(base: &Loaded, file: Option<&Path>, cfg: &SweepConfig) -> Result<Self> {
        check_config(cfg)?;
        if let Some(v) = cfg.varies.iter().find(|v| matches!(v.spec, Spec::Draw(..))) {
            return Err(SweepError::bad(format!(
                "--vary `{}`: expected levels or a range for a spiral scenario, found a distribution (drawn parameters need the Aave format's [stochastic] table)",
                v.text
            )));
        }
        let base_doc: DocumentMut = base
            .text
            .parse()
            .map_err(|e| SweepError::bad(format!("{}: {e}", base.origin)))?;
        let master_seed = cfg.seed.unwrap_or(base.spec.scenario.seed);
        let cells = design::cells(&cfg.varies, cfg.design, cfg.cells, master_seed)?;
        if cells.len() > u32::MAX as usize {
            return Err(SweepError::bad("--vary: too many cells"));
        }
        let mut plan = SpiralPlan {
            base_doc,
            origin: base.origin.clone(),
            dir: file.map(|f| f.parent().unwrap_or(Path::new(".")).to_path_buf()),
            master_seed,
            cells,
            variants: variants(base),
            maker: base.spec.scenario.protocol == "maker",
            hashes: Vec::new(),
            spec: new_spec(&base.spec.scenario.name, &base.text, master_seed, cfg),
        };
        for id in 0..plan.cells.len() {
            let text = plan.cell_text(id)?;
            let loaded = plan.load(&text, id)?;
            if variants(&loaded) != plan.variants
                || loaded.spec.scenario.protocol != base.spec.scenario.protocol
            {
                return Err(SweepError::bad(format!(
                    "--vary: expected every cell to keep the scenario's protocol and variants ({}), found a change in cell {id}",
                    plan.variants.join(", ")
                )));
            }
            plan.hashes.push(scenario_hash(&text));
        }
        complete_spec(&mut plan.spec, &plan.cells, &plan.hashes, columns(base))?;
        Ok(plan)
    }

    /// The overridden TOML text of cell `id`.
    fn cell_text(&self, id: usize) -> Result<String> {
        let mut doc = self.base_doc.clone();
        for (k, v) in &self.cells[id] {
            keys::set(&mut doc, k, v).map_err(|e| SweepError::bad(format!("--vary {e}")))?;
        }
        Ok(doc.to_string())
    }

    /// Parses and validates cell `id`'s text (data files relative to the base scenario).
    fn load(&self, text: &str, id: usize) -> Result<Loaded> {
        let shown: Vec<String> = self.cells[id]
            .iter()
            .map(|(k, v)| format!("{k}={}", v.display()))
            .collect();
        let context = if shown.is_empty() {
            format!("cell {id}: the scenario as written")
        } else {
            format!("cell {id}: {}", shown.join(", "))
        };
        bankrun_spiral::spec::parse(text, &self.origin, self.dir.clone())
            .map_err(|e| located(e, &context))
    }

    /// The sweep spec.
    pub fn spec(&self) -> &SweepSpec {
        &self.spec
    }
}

impl PathSource for SpiralPlan {
    type Cell = Loaded;

    fn spec(&self) -> &SweepSpec {
        &self.spec
    }

    fn load_cell(&self, id: usize) -> Result<Loaded> {
        self.load(&self.cell_text(id)?, id)
    }

    fn run_path(&self, cell: u32, index: u64, l: &Loaded) -> Result<PathRow> {
        let seed = path_seed(self.hashes[cell as usize], self.master_seed, index);
        let context = format!("cell {cell}, path {index}, seed {seed}");
        let runs = bankrun_spiral::simulate(l, seed).map_err(|e| located(e, &context))?;
        let got: Vec<&str> = runs.iter().map(|r| r.summary.variant.as_str()).collect();
        if got != self.variants {
            return Err(SweepError::io(
                &self.origin,
                format!(
                    "expected the variants {:?}, the simulator ran {got:?} ({context})",
                    self.variants
                ),
            ));
        }
        let mut v = Vec::with_capacity(self.spec.columns.len());
        for r in &runs {
            values(&r.summary, self.maker, &mut v);
        }
        Ok(PathRow {
            cell,
            path: index,
            seed,
            values: v,
        })
    }
}

/// Runs (or resumes) a sweep of the spiral scenario `base` (loaded from `file`, or embedded
/// when `None`) into `cfg.out`: the same files as an Aave sweep, with the columns above.
///
/// # Errors
/// As [`crate::run::sweep`].
pub fn sweep(
    base: &Loaded,
    file: Option<&Path>,
    cfg: &SweepConfig,
    progress: &Progress<'_>,
) -> Result<Outcome> {
    let plan = SpiralPlan::new(base, file, cfg)?;
    drive(&plan, cfg, progress)
}
