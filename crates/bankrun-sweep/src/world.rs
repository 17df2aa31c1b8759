//! Sweeps of one-world scenarios (`bankrun_world::scenario`, `[scenario] engine = "world"`).
//!
//! Cells, seeds, chunks, resume, shards and merge are those of every sweep ([`crate::run`]):
//! a cell is the scenario text with its `--vary` keys set (array entries by `name`, e.g.
//! `agents.seller.amount`, `protocols.aave.reserves.XYZ.liquidation_threshold_bps` where the
//! scenario has such keys), re-validated by `bankrun_world::scenario::load_str`; a path runs
//! `bankrun_world::scenario::run(cell, path seed)`. The world's randomness is the mempool's
//! tie-break, so paths of one cell differ only where transactions tie; the sweep's use is the
//! grid over `--vary` keys. Distributions (`--vary KEY=normal(..)`) are refused.
//!
//! Path columns (all `f64`, named `world:<metric>` so that the report treats the world as
//! one variant; source: the run's `WorldSummary`, amounts valued at each token's feed's last
//! answer):
//!
//! | column | definition |
//! |---|---|
//! | `world:bad_debt_usd` | deficit booked by liquidations in every protocol, USD |
//! | `world:liquidated_debt_usd` | debt repaid by liquidations in every protocol, USD |
//! | `world:liquidations` | successful liquidations, all protocols |
//! | `world:liquidatable_at_end` | positions liquidatable after the last block, all protocols |
//! | `world:txs_mined`, `world:txs_reverted` | transactions mined; of which reverted |
//! | `world:min_<feed>_usd` | lowest answer of each feed, USD |
//!
//! Cell metrics as for a spiral variant ([`crate::report`]): `world:bad_debt_mean_usd`, VaR
//! and ES at 95 % and 99 %, `world:p_bad_debt`, `world:liquidations_at_risk_p95_usd`, and
//! `world:<column>_mean` for the others.

use std::collections::BTreeMap;

use bankrun_world::scenario::{self, Loaded, WorldRun};
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

/// The path columns of a sweep of `l`.
pub fn columns(l: &Loaded) -> Vec<String> {
    let mut cols: Vec<String> = [
        "bad_debt_usd",
        "liquidated_debt_usd",
        "liquidations",
        "liquidatable_at_end",
        "txs_mined",
        "txs_reverted",
    ]
    .iter()
    .map(|m| format!("world:{m}"))
    .collect();
    cols.extend(
        l.spec
            .feeds
            .iter()
            .map(|f| format!("world:min_{}_usd", f.name)),
    );
    cols
}

/// A path's values, in [`columns`] order.
///
/// # Errors
/// A token with an amount but no feed to value it (never valued at zero).
fn values(l: &Loaded, run: &WorldRun) -> std::result::Result<Vec<Option<f64>>, String> {
    let s = &run.summary;
    let last: BTreeMap<&str, f64> = s.feeds.iter().map(|f| (f.0.as_str(), f.3)).collect();
    let price: BTreeMap<&str, f64> = l
        .spec
        .feeds
        .iter()
        .filter_map(|f| last.get(f.name.as_str()).map(|p| (f.token.as_str(), *p)))
        .collect();
    let usd = |amounts: &BTreeMap<String, f64>| -> std::result::Result<f64, String> {
        amounts.iter().try_fold(0.0, |acc, (token, x)| {
            if *x == 0.0 {
                return Ok(acc);
            }
            price
                .get(token.as_str())
                .map(|p| acc + x * p)
                .ok_or_else(|| format!("no feed prices token {token}: its amount cannot be valued"))
        })
    };
    let (mut bad, mut repaid, mut liqs, mut open) = (0.0, 0.0, 0u64, 0u64);
    for p in &s.protocols {
        bad += usd(&p.deficit)?;
        repaid += usd(&p.debt_repaid)?;
        liqs += p.liquidations;
        open += p.liquidatable_at_end;
    }
    let mut v = vec![
        Some(bad),
        Some(repaid),
        Some(liqs as f64),
        Some(open as f64),
        Some(s.txs_mined as f64),
        Some(s.txs_reverted as f64),
    ];
    let min: BTreeMap<&str, f64> = s.feeds.iter().map(|f| (f.0.as_str(), f.2)).collect();
    v.extend(
        l.spec
            .feeds
            .iter()
            .map(|f| min.get(f.name.as_str()).copied()),
    );
    Ok(v)
}

/// A planned sweep of a one-world scenario.
pub struct WorldPlan {
    base_doc: DocumentMut,
    origin: String,
    master_seed: u64,
    cells: Vec<Cell>,
    hashes: Vec<u64>,
    spec: SweepSpec,
}

impl WorldPlan {
    /// Plans a sweep of `base`: builds and validates every cell's scenario, so a bad override
    /// fails before any path runs.
    ///
    /// # Errors
    /// [`SweepError::BadInput`] naming the `--vary` argument, or the located scenario error of
    /// the overridden text.
    pub fn new(base: &Loaded, cfg: &SweepConfig) -> Result<Self> {
        check_config(cfg)?;
        if let Some(v) = cfg.varies.iter().find(|v| matches!(v.spec, Spec::Draw(..))) {
            return Err(SweepError::bad(format!(
                "--vary `{}`: expected levels or a range for a one-world scenario, found a distribution (drawn parameters need the Aave format's [stochastic] table)",
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
        let mut plan = WorldPlan {
            base_doc,
            origin: base.origin.clone(),
            master_seed,
            cells,
            hashes: Vec::new(),
            spec: new_spec(&base.spec.scenario.name, &base.text, master_seed, cfg),
        };
        for id in 0..plan.cells.len() {
            let text = plan.cell_text(id)?;
            let loaded = plan.load(&text, id)?;
            if columns(&loaded) != columns(base) {
                return Err(SweepError::bad(format!(
                    "--vary: expected every cell to keep the scenario's feeds, found a change in cell {id}"
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

    /// Parses and validates cell `id`'s text.
    fn load(&self, text: &str, id: usize) -> Result<Loaded> {
        scenario::load_str(text, &self.origin)
            .map_err(|e| SweepError::bad(format!("{e} ({})", self.context(id))))
    }

    fn context(&self, id: usize) -> String {
        let shown: Vec<String> = self.cells[id]
            .iter()
            .map(|(k, v)| format!("{k}={}", v.display()))
            .collect();
        if shown.is_empty() {
            format!("cell {id}: the scenario as written")
        } else {
            format!("cell {id}: {}", shown.join(", "))
        }
    }

    /// The sweep spec.
    pub fn spec(&self) -> &SweepSpec {
        &self.spec
    }
}

impl PathSource for WorldPlan {
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
        let run = scenario::run(l, Some(seed), &mut |_, _| {})
            .map_err(|e| SweepError::io("world run", format!("{e} ({context})")))?;
        let values =
            values(l, &run).map_err(|e| SweepError::io("world run", format!("{e} ({context})")))?;
        Ok(PathRow {
            cell,
            path: index,
            seed,
            values,
        })
    }
}

/// Runs (or resumes) a sweep of the one-world scenario `base` into `cfg.out`: the same files
/// as every sweep, with the columns above.
///
/// # Errors
/// As [`crate::run::sweep`].
pub fn sweep(base: &Loaded, cfg: &SweepConfig, progress: &Progress<'_>) -> Result<Outcome> {
    let plan = WorldPlan::new(base, cfg)?;
    drive(&plan, cfg, progress)
}
