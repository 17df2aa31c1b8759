//! The sweep runner: cells, path seeds, parallel chunks, resume, shards, merge, finalise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bankrun_engine::SimOptions;
use bankrun_scenario::{DrawDistribution, LoadedScenario};
use rayon::prelude::*;
use toml_edit::DocumentMut;

use crate::chunks::{self, CellSpec, ChunkEntry, MANIFEST_FORMAT, Manifest, SweepSpec, hex};
use crate::design::{self, Cell, Design};
use crate::error::{Result, SweepError};
use crate::keys::{self, Val};
use crate::metrics::{Layout, PathRow};
use crate::report::{self, CellResult};
use crate::seed::{path_seed, scenario_hash};
use crate::stochastic;
use crate::vary::{Spec, Vary};

/// Default paths per chunk file.
pub const DEFAULT_CHUNK_SIZE: u64 = 64;

/// What to sweep and how.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// Paths per cell (`--paths`).
    pub paths: u64,
    /// `--vary` arguments.
    pub varies: Vec<Vary>,
    /// Design.
    pub design: Design,
    /// Cells of an `lhs` / `sobol` design.
    pub cells: usize,
    /// Master seed (default: the scenario's `seed`).
    pub seed: Option<u64>,
    /// Worker threads (0 = rayon's default: one per core).
    pub threads: usize,
    /// `(index, count)`: run only chunks `c` with `c % count == index`.
    pub shard: Option<(u64, u64)>,
    /// Continue the sweep recorded in `out`.
    pub resume: bool,
    /// Output directory.
    pub out: PathBuf,
    /// Paths per chunk file.
    pub chunk_size: u64,
    /// Test hook: start no chunk after this many (simulates a kill).
    pub stop_after_chunks: Option<usize>,
}

/// Progress callbacks (called from worker threads).
pub struct Progress<'a> {
    /// `(paths to run now, paths already done)` once the plan is known.
    pub start: &'a (dyn Fn(u64, u64) + Sync),
    /// One path finished.
    pub path_done: &'a (dyn Fn() + Sync),
}

impl Progress<'_> {
    /// No progress output.
    pub fn none() -> Progress<'static> {
        Progress {
            start: &|_, _| {},
            path_done: &|| {},
        }
    }
}

/// How a sweep call ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every chunk is done and the cell outputs are written.
    Complete {
        /// Cell results, in cell order.
        cells: Vec<CellResult>,
        /// Files written (relative to the output directory).
        files: Vec<String>,
    },
    /// This shard's chunks are done; merge the shard directories.
    ShardComplete {
        /// Chunks in this shard.
        chunks: u64,
    },
    /// Stopped early (test hook); `--resume` continues.
    Interrupted {
        /// Chunks completed so far.
        done: u64,
        /// Chunks of this run (shard).
        total: u64,
    },
}

/// Reloads scenario texts with the base scenario's price files.
pub struct Loader {
    origin: String,
    base_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Loader {
    /// A loader for `base`, loaded from `file` (`None`: an embedded scenario, whose price
    /// files are written to a temporary directory so the overridden text can be re-validated
    /// through `bankrun_scenario::load_str` unchanged).
    ///
    /// # Errors
    /// I/O failures creating the temporary copies.
    pub fn new(base: &LoadedScenario, file: Option<&Path>) -> Result<Self> {
        if let Some(f) = file {
            return Ok(Self {
                origin: base.origin.clone(),
                base_dir: f.parent().unwrap_or(Path::new("")).to_path_buf(),
                _tmp: None,
            });
        }
        let tmp = tempfile::tempdir().map_err(|e| SweepError::io(std::env::temp_dir(), e))?;
        // Deep enough that `../` in a relative price path stays inside.
        let mut base_dir = tmp.path().to_path_buf();
        let depth = base
            .scenario
            .oracles
            .feeds
            .iter()
            .filter_map(|f| f.path.as_ref())
            .map(|p| p.matches("..").count())
            .max()
            .unwrap_or(0);
        for i in 0..depth {
            base_dir.push(format!("d{i}"));
        }
        for f in &base.scenario.oracles.feeds {
            let (Some(rel), Some(pp)) = (&f.path, base.feeds.get(&f.name)) else {
                continue;
            };
            let p = base_dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| SweepError::io(parent, e))?;
            }
            let mut csv = String::from("timestamp,price_usd\n");
            for (t, x) in pp.points() {
                csv.push_str(&format!("{t},{x}\n"));
            }
            std::fs::write(&p, csv).map_err(|e| SweepError::io(&p, e))?;
        }
        Ok(Self {
            origin: base.origin.clone(),
            base_dir,
            _tmp: Some(tmp),
        })
    }

    /// Loads and validates `text`; errors are located in it (file:line:col: `key`).
    ///
    /// # Errors
    /// [`SweepError::BadInput`] with the located scenario error and `context`.
    pub fn load(&self, text: &str, context: &str) -> Result<LoadedScenario> {
        bankrun_scenario::load_str(text, &self.origin, Some(&self.base_dir)).map_err(|e| {
            if context.is_empty() {
                SweepError::bad(e.to_string())
            } else {
                SweepError::bad(format!("{e} ({context})"))
            }
        })
    }
}

/// A planned sweep: cells, layout, seeds.
pub struct Plan {
    base_doc: DocumentMut,
    loader: Loader,
    master_seed: u64,
    cells: Vec<Cell>,
    draws: Vec<(String, DrawDistribution, f64, f64)>,
    /// Cell hashes.
    pub hashes: Vec<u64>,
    /// Metric layout.
    pub layout: Layout,
    /// The manifest's sweep spec.
    pub spec: SweepSpec,
}

fn describe(cell: &Cell) -> String {
    if cell.is_empty() {
        return "the scenario as written".into();
    }
    cell.iter()
        .map(|(k, v)| format!("{k}={}", v.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends the CLI distributions as `[[stochastic.parameters]]` entries.
fn append_draws(
    doc: &mut DocumentMut,
    draws: &[(String, DrawDistribution, f64, f64)],
) -> Result<()> {
    if draws.is_empty() {
        return Ok(());
    }
    let root = doc.as_table_mut();
    if !root.contains_key("stochastic") {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        root.insert("stochastic", toml_edit::Item::Table(t));
    }
    let Some(st) = root.get_mut("stochastic").and_then(|i| i.as_table_mut()) else {
        return Err(SweepError::bad(
            "--vary with a distribution: expected `stochastic` to be a table in the scenario",
        ));
    };
    if !st.contains_key("parameters") {
        st.insert(
            "parameters",
            toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let Some(arr) = st
        .get_mut("parameters")
        .and_then(|i| i.as_array_of_tables_mut())
    else {
        return Err(SweepError::bad(
            "--vary with a distribution: expected `stochastic.parameters` to be written as [[stochastic.parameters]] tables",
        ));
    };
    for (key, dist, a, b) in draws {
        let mut t = toml_edit::Table::new();
        t.insert("key", toml_edit::value(key.as_str()));
        let (name, ka, kb) = match dist {
            DrawDistribution::Normal => ("normal", "mean", "sd"),
            DrawDistribution::Lognormal => ("lognormal", "mu", "sigma"),
            DrawDistribution::Uniform => ("uniform", "lo", "hi"),
        };
        t.insert("dist", toml_edit::value(name));
        t.insert(ka, toml_edit::value(*a));
        t.insert(kb, toml_edit::value(*b));
        arr.push(t);
    }
    Ok(())
}

impl Plan {
    /// Plans a sweep of `base` (loaded from `file`, or embedded when `None`): builds and
    /// validates every cell's scenario, so a bad override fails before any path runs.
    ///
    /// # Errors
    /// [`SweepError::BadInput`] naming the `--vary` argument, or the located scenario error of
    /// the overridden text.
    pub fn new(base: &LoadedScenario, file: Option<&Path>, cfg: &SweepConfig) -> Result<Self> {
        check_config(cfg)?;
        let loader = Loader::new(base, file)?;
        let base_doc: DocumentMut = base
            .text
            .parse()
            .map_err(|e| SweepError::bad(format!("{}: {e}", base.origin)))?;
        let master_seed = cfg.seed.unwrap_or(base.scenario.scenario.seed);
        let cells = design::cells(&cfg.varies, cfg.design, cfg.cells, master_seed)?;
        if cells.len() > u32::MAX as usize {
            return Err(SweepError::bad("--vary: too many cells"));
        }
        let draws: Vec<(String, DrawDistribution, f64, f64)> = cfg
            .varies
            .iter()
            .filter_map(|v| match v.spec {
                Spec::Draw(d, a, b) => Some((v.key.clone(), d, a, b)),
                _ => None,
            })
            .collect();
        let mut plan = Plan {
            base_doc,
            loader,
            master_seed,
            cells,
            draws,
            hashes: Vec::new(),
            layout: Layout::new(base, Vec::new()),
            spec: new_spec(&base.scenario.scenario.name, &base.text, master_seed, cfg),
        };
        let mut draw_keys: Option<Vec<String>> = None;
        for id in 0..plan.cells.len() {
            let (text, doc) = plan.cell_text(id)?;
            let ctx = format!("cell {id}: {}", describe(&plan.cells[id]));
            let loaded = plan.loader.load(&text, &ctx)?;
            let keys_here: Vec<String> = loaded
                .scenario
                .stochastic
                .as_ref()
                .map(|s| s.parameters.iter().map(|p| p.key.clone()).collect())
                .unwrap_or_default();
            // Each drawn key must exist with a numeric type: apply a typical value and reload.
            if let Some(st) = &loaded.scenario.stochastic
                && !st.parameters.is_empty()
            {
                let mut d2 = doc.clone();
                for p in &st.parameters {
                    let typical = match p.dist {
                        DrawDistribution::Normal => p.mean.unwrap_or(0.0),
                        DrawDistribution::Lognormal => p.mu.unwrap_or(0.0).exp(),
                        DrawDistribution::Uniform => {
                            0.5 * (p.lo.unwrap_or(0.0) + p.hi.unwrap_or(0.0))
                        }
                    };
                    keys::set(&mut d2, &p.key, &Val::Num(typical)).map_err(|e| {
                        SweepError::bad(format!("{}: `stochastic.parameters`: {e}", loaded.origin))
                    })?;
                }
                plan.loader.load(
                    &d2.to_string(),
                    &format!("{ctx}; with every drawn parameter at its typical value"),
                )?;
            }
            match &draw_keys {
                None => draw_keys = Some(keys_here),
                Some(k) if *k != keys_here => {
                    return Err(SweepError::bad(format!(
                        "--vary: expected the same drawn parameters in every cell, found a difference in cell {id}"
                    )));
                }
                _ => {}
            }
            plan.hashes.push(scenario_hash(&text));
            if id == 0 {
                plan.layout = Layout::new(&loaded, draw_keys.clone().unwrap_or_default());
            }
        }
        complete_spec(
            &mut plan.spec,
            &plan.cells,
            &plan.hashes,
            plan.layout.columns.clone(),
        )?;
        Ok(plan)
    }

    /// The overridden TOML text (and document) of cell `id`.
    fn cell_text(&self, id: usize) -> Result<(String, DocumentMut)> {
        let mut doc = self.base_doc.clone();
        for (k, v) in &self.cells[id] {
            keys::set(&mut doc, k, v).map_err(|e| SweepError::bad(format!("--vary {e}")))?;
        }
        append_draws(&mut doc, &self.draws)?;
        Ok((doc.to_string(), doc))
    }

    /// Number of cells.
    pub fn n_cells(&self) -> usize {
        self.cells.len()
    }

    /// Runs path `index` of cell `cell` (loaded as `sc`, document `doc`).
    fn run_path(
        &self,
        cell: u32,
        index: u64,
        sc: &LoadedScenario,
        doc: &DocumentMut,
    ) -> Result<PathRow> {
        let seed = path_seed(self.hashes[cell as usize], self.master_seed, index);
        let ctx = || format!("cell {cell}, path {index}");
        let mut draws = Vec::new();
        let mut s = match &sc.scenario.stochastic {
            Some(st) if !st.parameters.is_empty() => {
                draws = stochastic::draw_parameters(&st.parameters, seed);
                let mut d2 = doc.clone();
                for (k, v) in &draws {
                    keys::set(&mut d2, k, &Val::Num(*v)).map_err(|e| {
                        SweepError::bad(format!("{}: `stochastic.parameters`: {e}", sc.origin))
                    })?;
                }
                let shown: Vec<String> = draws.iter().map(|(k, v)| format!("{k}={v}")).collect();
                self.loader.load(
                    &d2.to_string(),
                    &format!("{}: drawn {}", ctx(), shown.join(", ")),
                )?
            }
            _ => sc.clone(),
        };
        let feeds = match sc.scenario.stochastic.as_ref() {
            Some(st) => stochastic::realise_prices(&mut s, st, seed)?,
            None => Vec::new(),
        };
        let result = bankrun_engine::simulate_with(
            &s,
            seed,
            SimOptions {
                record_series: false,
            },
            &mut |_, _| {},
        )
        .map_err(|e| SweepError::bad(format!("{}: {e} ({})", sc.origin, ctx())))?;
        Ok(self.layout.row(cell, index, seed, &result, &feeds, &draws))
    }
}

impl PathSource for Plan {
    type Cell = (LoadedScenario, DocumentMut);

    fn spec(&self) -> &SweepSpec {
        &self.spec
    }

    fn load_cell(&self, id: usize) -> Result<Self::Cell> {
        let (text, doc) = self.cell_text(id)?;
        let sc = self.loader.load(&text, &format!("cell {id}"))?;
        Ok((sc, doc))
    }

    fn run_path(&self, cell: u32, index: u64, (sc, doc): &Self::Cell) -> Result<PathRow> {
        Plan::run_path(self, cell, index, sc, doc)
    }
}

/// The worker pool of `--threads` (0 = rayon's default: one per core).
///
/// # Errors
/// [`SweepError::BadInput`] naming `--threads` when the pool cannot be built.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if threads > 0 {
        builder = builder.num_threads(threads);
    }
    builder
        .build()
        .map_err(|e| SweepError::bad(format!("--threads: {e}")))
}

/// Checks the options every sweep shares: paths, chunk size, shard, each key varied once.
///
/// # Errors
/// [`SweepError::BadInput`] naming the option.
pub(crate) fn check_config(cfg: &SweepConfig) -> Result<()> {
    if cfg.paths == 0 {
        return Err(SweepError::bad(
            "--paths: expected at least 1 path per cell, found 0",
        ));
    }
    if cfg.chunk_size == 0 {
        return Err(SweepError::bad(
            "--chunk-size: expected at least 1, found 0",
        ));
    }
    if let Some((i, n)) = cfg.shard
        && (n == 0 || i >= n)
    {
        return Err(SweepError::bad(format!(
            "--shard: expected i/N with 0 <= i < N, found {i}/{n}"
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for v in &cfg.varies {
        if !seen.insert(v.key.as_str()) {
            return Err(SweepError::bad(format!(
                "--vary `{}`: expected each key once, found `{}` again",
                v.text, v.key
            )));
        }
    }
    Ok(())
}

/// The sweep spec of scenario `name` (text `text`) before its cells and columns are known.
pub(crate) fn new_spec(name: &str, text: &str, master_seed: u64, cfg: &SweepConfig) -> SweepSpec {
    SweepSpec {
        scenario: name.to_string(),
        scenario_hash: hex(scenario_hash(text)),
        master_seed,
        paths_per_cell: cfg.paths,
        chunk_size: cfg.chunk_size,
        design: cfg.design.name().into(),
        vary: cfg.varies.iter().map(|v| v.text.clone()).collect(),
        cells: Vec::new(),
        columns: Vec::new(),
        total_paths: 0,
        total_chunks: 0,
        bankrun_version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Fills in the cells (with their text hashes), the metric columns and the path and chunk
/// totals of `spec`.
///
/// # Errors
/// [`SweepError::BadInput`] when cells × paths overflows.
pub(crate) fn complete_spec(
    spec: &mut SweepSpec,
    cells: &[Cell],
    hashes: &[u64],
    columns: Vec<String>,
) -> Result<()> {
    spec.cells = cells
        .iter()
        .enumerate()
        .map(|(id, c)| CellSpec {
            id: id as u32,
            values: c.iter().map(|(k, v)| (k.clone(), v.display())).collect(),
            scenario_hash: hex(hashes[id]),
        })
        .collect();
    spec.columns = columns;
    spec.total_paths = (cells.len() as u64)
        .checked_mul(spec.paths_per_cell)
        .ok_or_else(|| SweepError::bad("--paths: too many paths"))?;
    spec.total_chunks = spec.total_paths.div_ceil(spec.chunk_size);
    Ok(())
}

/// A planned sweep of one scenario format: how to load a cell and run one of its paths. The
/// driver ([`drive`]) does the rest (chunks, manifest, resume, shards, finalising) the same
/// way for every format.
pub(crate) trait PathSource: Sync {
    /// A loaded cell, shared by the paths of a chunk.
    type Cell: Sync;
    /// The sweep spec (cells, columns, totals).
    fn spec(&self) -> &SweepSpec;
    /// Loads cell `id`.
    fn load_cell(&self, id: usize) -> Result<Self::Cell>;
    /// Runs path `index` of cell `cell`.
    fn run_path(&self, cell: u32, index: u64, loaded: &Self::Cell) -> Result<PathRow>;
}

/// Computes chunk `c`'s rows (paths in parallel, collected in path order).
fn run_chunk<P: PathSource>(plan: &P, c: u64, progress: &Progress<'_>) -> Result<Vec<PathRow>> {
    let spec = plan.spec();
    let n = spec.paths_per_cell;
    let lo = c * spec.chunk_size;
    let hi = (lo + spec.chunk_size).min(spec.total_paths);
    // The cells this chunk touches, loaded once.
    let first = (lo / n) as usize;
    let last = ((hi - 1) / n) as usize;
    let mut loaded = BTreeMap::new();
    for id in first..=last {
        loaded.insert(id, plan.load_cell(id)?);
    }
    (lo..hi)
        .into_par_iter()
        .map(|g| {
            let cell = (g / n) as usize;
            let row = plan.run_path(cell as u32, g % n, &loaded[&cell]);
            (progress.path_done)();
            row
        })
        .collect()
}

/// Whether `out` holds no sweep yet: absent, empty, or only the empty `paths/` directory a run
/// killed before its first `manifest.json` leaves. `--resume` then starts the sweep afresh
/// (there is nothing to lose) instead of asking for a manifest that was never written.
fn never_started(out: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(out) else {
        return !out.exists();
    };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            e.file_name() == "paths"
                && std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_none())
        })
    })
}

/// Runs (or resumes) a sweep of `base` into `cfg.out`.
///
/// # Errors
/// [`SweepError::BadInput`] for bad options, overrides or output directories, and scenario /
/// engine errors of a path; [`SweepError::Io`] for file failures.
pub fn sweep(
    base: &LoadedScenario,
    file: Option<&Path>,
    cfg: &SweepConfig,
    progress: &Progress<'_>,
) -> Result<Outcome> {
    let plan = Plan::new(base, file, cfg)?;
    drive(&plan, cfg, progress)
}

/// Runs (or resumes) the planned sweep `plan` into `cfg.out`: the chunks this shard owns and
/// has not completed, then (unsharded) the cell outputs.
///
/// # Errors
/// As [`sweep`].
pub(crate) fn drive<P: PathSource>(
    plan: &P,
    cfg: &SweepConfig,
    progress: &Progress<'_>,
) -> Result<Outcome> {
    let spec = plan.spec();
    let out = &cfg.out;
    let shard = cfg.shard.map(|(i, n)| [i, n]);
    let mut manifest = if cfg.resume && !never_started(out) {
        let m = Manifest::read(out)?;
        if m.sweep != *spec {
            return Err(SweepError::bad(format!(
                "--resume: expected {}/manifest.json to record this sweep, found a different one ({}); use another --out",
                out.display(),
                first_difference(&m.sweep, spec)
            )));
        }
        if m.shard != shard {
            return Err(SweepError::bad(format!(
                "--resume: expected the shard recorded in {}/manifest.json ({}), found {}",
                out.display(),
                shard_text(m.shard),
                shard_text(shard)
            )));
        }
        m
    } else {
        if !cfg.resume
            && out.exists()
            && std::fs::read_dir(out)
                .map_err(|e| SweepError::io(out, e))?
                .next()
                .is_some()
        {
            return Err(SweepError::bad(format!(
                "--out {}: expected a new or empty directory, found one with files (pass --resume to continue the sweep recorded there, or choose another --out)",
                out.display()
            )));
        }
        Manifest {
            format: MANIFEST_FORMAT,
            sweep: spec.clone(),
            shard,
            completed: BTreeMap::new(),
        }
    };
    let existed = out.exists();
    std::fs::create_dir_all(out.join("paths")).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotADirectory {
            SweepError::bad(format!(
                "--out {}: expected a directory path, found a regular file on the way ({e})",
                out.display()
            ))
        } else {
            SweepError::io(out.join("paths"), e)
        }
    })?;
    let paths_dir = out.join("paths");
    // Leftover temp files of a killed run, and completed entries whose file is gone or altered.
    for e in std::fs::read_dir(&paths_dir).map_err(|e| SweepError::io(&paths_dir, e))? {
        let p = e.map_err(|e| SweepError::io(&paths_dir, e))?.path();
        if p.extension().is_some_and(|x| x == "tmp") {
            std::fs::remove_file(&p).map_err(|e| SweepError::io(&p, e))?;
        }
    }
    manifest.completed.retain(|c, entry| {
        std::fs::read(paths_dir.join(chunks::chunk_name(*c)))
            .is_ok_and(|b| hex(bankrun_chain::rng::fnv1a64(&b)) == entry.fnv1a64)
    });
    manifest.write(out)?;

    let mine: Vec<u64> = (0..spec.total_chunks)
        .filter(|c| cfg.shard.is_none_or(|(i, n)| c % n == i))
        .collect();
    let todo: Vec<u64> = mine
        .iter()
        .copied()
        .filter(|c| !manifest.completed.contains_key(c))
        .collect();
    let rows_of = |c: u64| {
        let lo = c * spec.chunk_size;
        (lo + spec.chunk_size).min(spec.total_paths) - lo
    };
    let todo_paths: u64 = todo.iter().map(|&c| rows_of(c)).sum();
    let done_paths: u64 = mine.iter().map(|&c| rows_of(c)).sum::<u64>() - todo_paths;
    (progress.start)(todo_paths, done_paths);

    let manifest = Mutex::new(manifest);
    let started = AtomicUsize::new(0);
    let pool = thread_pool(cfg.threads)?;
    let ran = pool.install(|| {
        todo.par_iter().try_for_each(|&c| -> Result<()> {
            if let Some(k) = cfg.stop_after_chunks
                && started.fetch_add(1, Ordering::SeqCst) >= k
            {
                return Ok(());
            }
            let rows = run_chunk(plan, c, progress)?;
            let path = paths_dir.join(chunks::chunk_name(c));
            let bytes = chunks::encode(&rows, &spec.columns, &path)?;
            chunks::write_atomic(&path, &bytes)?;
            let mut m = manifest
                .lock()
                .map_err(|_| SweepError::io(out, "manifest lock poisoned"))?;
            m.completed.insert(
                c,
                ChunkEntry {
                    rows: rows.len() as u64,
                    fnv1a64: hex(bankrun_chain::rng::fnv1a64(&bytes)),
                },
            );
            m.write(out)
        })
    });
    if let Err(SweepError::BadInput(_)) = &ran
        && !cfg.resume
    {
        // Bad input found in a run (a cell's scenario): a fresh sweep that cannot succeed
        // leaves nothing behind (an empty --out it was given stays, empty).
        let _ = std::fs::remove_dir_all(&paths_dir);
        let _ = std::fs::remove_file(out.join("manifest.json"));
        if !existed {
            let _ = std::fs::remove_dir(out);
        }
    }
    ran?;
    let manifest = manifest
        .into_inner()
        .map_err(|_| SweepError::io(out, "manifest lock poisoned"))?;
    let done = mine
        .iter()
        .filter(|c| manifest.completed.contains_key(c))
        .count() as u64;
    if done < mine.len() as u64 {
        return Ok(Outcome::Interrupted {
            done,
            total: mine.len() as u64,
        });
    }
    if cfg.shard.is_some() {
        return Ok(Outcome::ShardComplete { chunks: done });
    }
    let (cells, files) = finalize(out, &manifest)?;
    Ok(Outcome::Complete { cells, files })
}

fn shard_text(s: Option<[u64; 2]>) -> String {
    s.map_or("no shard".into(), |[i, n]| format!("--shard {i}/{n}"))
}

/// The first field in which two sweep specs differ (for messages).
fn first_difference(a: &SweepSpec, b: &SweepSpec) -> String {
    let fields = [
        ("scenario", a.scenario != b.scenario),
        (
            "scenario_hash (the scenario text changed)",
            a.scenario_hash != b.scenario_hash,
        ),
        ("master_seed", a.master_seed != b.master_seed),
        ("paths_per_cell", a.paths_per_cell != b.paths_per_cell),
        ("chunk_size", a.chunk_size != b.chunk_size),
        ("design", a.design != b.design),
        ("vary", a.vary != b.vary),
        ("cells", a.cells != b.cells),
        ("columns", a.columns != b.columns),
        ("bankrun_version", a.bankrun_version != b.bankrun_version),
    ];
    fields
        .iter()
        .find(|(_, d)| *d)
        .map_or("no difference".into(), |(f, _)| format!("`{f}` differs"))
}

/// Reads every chunk of a complete sweep directory in order and writes `cells.parquet`,
/// `cells.csv` and `report.html`. Returns the cell results and the files written.
///
/// # Errors
/// [`SweepError::BadInput`] when a chunk is missing, altered, or its rows are not exactly the
/// sweep's (cell, path) sequence — nothing is written then.
pub fn finalize(out: &Path, m: &Manifest) -> Result<(Vec<CellResult>, Vec<String>)> {
    let spec = &m.sweep;
    let n = spec.paths_per_cell;
    let mut cells: Vec<CellResult> = Vec::with_capacity(spec.cells.len());
    let mut acc = report::CellAccumulator::new(spec);
    let mut expect: u64 = 0;
    for c in 0..spec.total_chunks {
        let entry = m.completed.get(&c).ok_or_else(|| {
            SweepError::bad(format!(
                "{}: expected chunk {c} of {} in the manifest, found it missing",
                out.display(),
                spec.total_chunks
            ))
        })?;
        let path = out.join("paths").join(chunks::chunk_name(c));
        let bytes = std::fs::read(&path).map_err(|e| SweepError::io(&path, e))?;
        if hex(bankrun_chain::rng::fnv1a64(&bytes)) != entry.fnv1a64 {
            return Err(SweepError::bad(format!(
                "{}: expected the bytes recorded in the manifest (fnv1a64 {}), found different ones",
                path.display(),
                entry.fnv1a64
            )));
        }
        for row in chunks::read(&path, &spec.columns)? {
            let (cell, p) = (expect / n, expect % n);
            if u64::from(row.cell) != cell || row.path != p {
                return Err(SweepError::bad(format!(
                    "{}: expected the row of cell {cell} path {p}, found cell {} path {}",
                    path.display(),
                    row.cell,
                    row.path
                )));
            }
            acc.push(&row);
            expect += 1;
            if expect.is_multiple_of(n) {
                cells.push(acc.finish(cell as u32));
            }
        }
    }
    if expect != spec.total_paths {
        return Err(SweepError::bad(format!(
            "{}: expected {} paths, found {expect}",
            out.display(),
            spec.total_paths
        )));
    }
    let files = report::write_outputs(out, spec, &cells)?;
    Ok((cells, files))
}

/// Merges shard directories into `out` (a new or empty directory): copies every chunk once
/// and finalises. The result is byte-identical to an unsharded run.
///
/// # Errors
/// [`SweepError::BadInput`] when the directories are not shards of one sweep, a chunk is
/// missing or two copies of a chunk differ.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Outcome> {
    if dirs.is_empty() {
        return Err(SweepError::bad(
            "merge: expected at least one sweep directory",
        ));
    }
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| SweepError::io(out, e))?
            .next()
            .is_some()
    {
        return Err(SweepError::bad(format!(
            "--out {}: expected a new or empty directory, found one with files",
            out.display()
        )));
    }
    let mut spec: Option<SweepSpec> = None;
    let mut sources: BTreeMap<u64, (PathBuf, ChunkEntry)> = BTreeMap::new();
    for d in dirs {
        let m = Manifest::read(d)?;
        match &spec {
            None => spec = Some(m.sweep.clone()),
            Some(s) if *s != m.sweep => {
                return Err(SweepError::bad(format!(
                    "{}/manifest.json: expected a shard of the same sweep as {}, found a different sweep ({})",
                    d.display(),
                    dirs[0].display(),
                    first_difference(s, &m.sweep)
                )));
            }
            _ => {}
        }
        for (c, e) in m.completed {
            if let Some((other, e2)) = sources.get(&c) {
                if *e2 != e {
                    return Err(SweepError::bad(format!(
                        "{}: chunk {c}: expected the same bytes as in {}, found different ones",
                        d.display(),
                        other.display()
                    )));
                }
                continue;
            }
            sources.insert(c, (d.clone(), e));
        }
    }
    let spec = spec.unwrap_or_else(|| unreachable!("dirs is not empty"));
    if let Some(missing) = (0..spec.total_chunks).find(|c| !sources.contains_key(c)) {
        return Err(SweepError::bad(format!(
            "merge: expected every chunk of the sweep (0..{}), found chunk {missing} in none of the directories (an unfinished shard? run it with --resume)",
            spec.total_chunks
        )));
    }
    let paths_dir = out.join("paths");
    std::fs::create_dir_all(&paths_dir).map_err(|e| SweepError::io(&paths_dir, e))?;
    let mut completed = BTreeMap::new();
    for (c, (d, e)) in sources {
        let name = chunks::chunk_name(c);
        let src = d.join("paths").join(&name);
        let bytes = std::fs::read(&src).map_err(|e| SweepError::io(&src, e))?;
        if hex(bankrun_chain::rng::fnv1a64(&bytes)) != e.fnv1a64 {
            return Err(SweepError::bad(format!(
                "{}: expected the bytes recorded in its manifest, found different ones",
                src.display()
            )));
        }
        chunks::write_atomic(&paths_dir.join(&name), &bytes)?;
        completed.insert(c, e);
    }
    let m = Manifest {
        format: MANIFEST_FORMAT,
        sweep: spec,
        shard: None,
        completed,
    };
    m.write(out)?;
    let (cells, files) = finalize(out, &m)?;
    Ok(Outcome::Complete { cells, files })
}
