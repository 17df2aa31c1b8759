//! curvesim's integer StableSwap pool (PyPI `curvesim` 0.5.0, MIT) as a second reference
//! for the native Curve pool, whose vyper 0.2.4 bytecode cannot be built here (vyper 0.2.4
//! needs CPython 3.8).
//!
//! [`ensure_venv`] creates a virtual environment under the conformance cache and installs the
//! packages of `scripts/curvesim-requirements.txt` with `--require-hashes`; [`run`] sends cases
//! to `scripts/curvesim_driver.py` as JSON lines and reads its results back. A missing Python,
//! registry or package is an error: the tests fail, they never skip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::artifacts::cache_dir;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The Python interpreter of the curvesim environment, created on first use.
pub fn ensure_venv() -> Result<&'static Path> {
    static VENV: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(|| create_venv().map_err(|e| format!("{e:#}")))
        .as_deref()
        .map_err(|e| anyhow!("curvesim environment unavailable: {e}"))
}

fn create_venv() -> Result<PathBuf> {
    let requirements = script("curvesim-requirements.txt");
    let pinned = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let dir = cache_dir().join("curvesim-venv");
    let python = dir.join("bin/python");
    let marker = dir.join("installed-requirements.txt");
    if python.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m == pinned) {
        return Ok(python);
    }
    std::fs::create_dir_all(cache_dir())?;
    run_checked(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&dir),
    )?;
    run_checked(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "-r",
            ])
            .arg(&requirements),
    )?;
    std::fs::write(&marker, pinned)?;
    Ok(python)
}

fn run_checked(cmd: &mut Command) -> Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Runs `cases` (JSON objects as described in `scripts/curvesim_driver.py`) through
/// curvesim and returns one result object per case, in order.
pub fn run(cases: &[Value]) -> Result<Vec<Value>> {
    let python = ensure_venv()?;
    let mut child = Command::new(python)
        .arg(script("curvesim_driver.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting the curvesim driver")?;
    let mut input = String::new();
    for c in cases {
        input.push_str(&c.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().context("driver stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .context("waiting for the curvesim driver")?;
    writer
        .join()
        .map_err(|_| anyhow!("writer thread panicked"))??;
    if !out.status.success() {
        bail!(
            "curvesim driver failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let results: Vec<Value> = String::from_utf8(out.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<std::result::Result<_, _>>()?;
    if results.len() != cases.len() {
        bail!(
            "curvesim returned {} results for {} cases",
            results.len(),
            cases.len()
        );
    }
    Ok(results)
}
