//! Third-party artifacts: fetched from the npm registry by
//! `scripts/fetch-artifacts.mjs` (pinned version + sha512 integrity), cached under
//! `target/conformance-cache` (or `$BANKRUN_CONFORMANCE_CACHE`), loaded here.

use alloy_primitives::{Address, hex};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The cache directory: `$BANKRUN_CONFORMANCE_CACHE`, else `<workspace>/target/conformance-cache`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BANKRUN_CONFORMANCE_CACHE") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/conformance-cache")
}

/// Runs the fetch script once per process. A failure (no node, no network, integrity
/// mismatch, compile error) is an error: the conformance tests fail, they never skip.
pub fn ensure_fetched() -> Result<&'static Path> {
    static DONE: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let r = DONE.get_or_init(|| {
        let dir = cache_dir();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-artifacts.mjs");
        let status = Command::new("node")
            .arg(&script)
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Ok(dir),
            Ok(s) => Err(format!("{} exited with {s}", script.display())),
            Err(e) => Err(format!("cannot run node {}: {e}", script.display())),
        }
    });
    r.as_deref()
        .map_err(|e| anyhow!("conformance artifacts unavailable: {e}"))
}

/// A contract's creation code with its unresolved library placeholders.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Contract name.
    pub name: String,
    /// Creation bytecode (placeholders zeroed).
    pub bytecode: Vec<u8>,
    /// Library name → byte offsets of its 20-byte placeholders.
    pub links: BTreeMap<String, Vec<usize>>,
}

impl Artifact {
    /// Parses `bytecode` (hex, with or without `0x`, `__$…$__` placeholders allowed) and
    /// solc/hardhat `linkReferences`.
    pub fn from_parts(name: &str, bytecode: &str, link_refs: Option<&Value>) -> Result<Self> {
        let hexstr = bytecode.trim_start_matches("0x");
        let mut clean = String::with_capacity(hexstr.len());
        let mut i = 0;
        let b = hexstr.as_bytes();
        while i < b.len() {
            if b[i] == b'_' {
                clean.push_str(&"0".repeat(40));
                i += 40;
            } else {
                clean.push(b[i] as char);
                i += 1;
            }
        }
        let bytecode = hex::decode(&clean).with_context(|| format!("bytecode of {name}"))?;
        let mut links: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        if let Some(Value::Object(files)) = link_refs {
            for libs in files.values() {
                for (lib, refs) in libs.as_object().into_iter().flatten() {
                    for r in refs.as_array().into_iter().flatten() {
                        let start = r["start"].as_u64().context("link start")? as usize;
                        links.entry(lib.clone()).or_default().push(start);
                    }
                }
            }
        }
        Ok(Artifact {
            name: name.to_string(),
            bytecode,
            links,
        })
    }

    /// The bytecode with every library placeholder replaced by its address.
    pub fn linked(&self, libs: &BTreeMap<String, Address>) -> Result<Vec<u8>> {
        let mut code = self.bytecode.clone();
        for (lib, offsets) in &self.links {
            let addr = libs
                .get(lib)
                .ok_or_else(|| anyhow!("{} needs library {lib}", self.name))?;
            for &o in offsets {
                code[o..o + 20].copy_from_slice(addr.as_slice());
            }
        }
        Ok(code)
    }
}

/// Loads a Hardhat artifact of `@aave/core-v3@1.19.3` by its path under
/// `artifacts/contracts/` (e.g. `protocol/pool/Pool.sol/Pool.json`).
pub fn aave_v302(rel: &str) -> Result<Artifact> {
    hardhat("aave-core-v3", rel)
}

/// Loads a Hardhat artifact of `@aave/protocol-v2@1.0.1` (solc 0.6.12, Aave v2) by its
/// path under `artifacts/contracts/` (e.g.
/// `protocol/lendingpool/LendingPool.sol/LendingPool.json`).
pub fn aave_v2(rel: &str) -> Result<Artifact> {
    hardhat("aave-protocol-v2", rel)
}

/// A Hardhat artifact (`bytecode`, `linkReferences`) of the package unpacked in
/// `pkg/<pkg_dir>`.
fn hardhat(pkg_dir: &str, rel: &str) -> Result<Artifact> {
    let dir = ensure_fetched()?;
    let path = dir
        .join("pkg")
        .join(pkg_dir)
        .join("artifacts/contracts")
        .join(rel);
    let v: Value = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("read {}", path.display()))?,
    )?;
    let name = v["contractName"].as_str().unwrap_or(rel);
    Artifact::from_parts(
        name,
        v["bytecode"].as_str().context("bytecode")?,
        v.get("linkReferences"),
    )
}

/// Loads a contract of the solc-js build of `@aave-dao/aave-v3-origin@3.6.0`.
pub fn aave_v36(name: &str) -> Result<Artifact> {
    static BUILD: OnceLock<std::result::Result<Value, String>> = OnceLock::new();
    let build = BUILD.get_or_init(|| {
        let dir = ensure_fetched().map_err(|e| e.to_string())?;
        let path = dir.join("aave-v3.6-build/contracts.json");
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    });
    let build = build.as_ref().map_err(|e| anyhow!("{e}"))?;
    let c = &build[name];
    if c.is_null() {
        bail!("contract {name} not in the v3.6 build");
    }
    Artifact::from_parts(
        name,
        c["bytecode"].as_str().context("bytecode")?,
        c.get("linkReferences"),
    )
}

/// Loads a Waffle artifact of `@uniswap/v2-core@1.0.1` (`build/<name>.json`).
pub fn uniswap_v2(name: &str) -> Result<Artifact> {
    let dir = ensure_fetched()?;
    let path = dir.join(format!("pkg/uniswap-v2-core/build/{name}.json"));
    let v: Value = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("read {}", path.display()))?,
    )?;
    let code = v["evm"]["bytecode"]["object"]
        .as_str()
        .or_else(|| v["bytecode"].as_str())
        .context("bytecode")?;
    Artifact::from_parts(name, code, None)
}
