//! `bankrun scenarios --export NAME DIR`: a runnable copy of an embedded scenario, with the
//! data files it reads, so that what `--print` shows can be edited and run as it is.

use std::path::{Path, PathBuf};

use crate::Failure;

/// The embedded scenario `name` as `(TOML, [(relative path in the TOML, content)])`, from
/// whichever scenario format holds it.
fn embedded(name: &str) -> Option<(&'static str, Vec<(&'static str, &'static str)>)> {
    bankrun_scenario::embedded_files(name)
        .or_else(|| bankrun_spiral::spec::embedded_files(name))
        .or_else(|| {
            bankrun_world::scenario::EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| (*t, Vec::new()))
        })
}

/// Where a data file goes in the export: `data/<file name>`, so that a path that climbs out of
/// the scenario's folder (`../data/…`) stays inside `dir`.
fn target(rel: &str) -> String {
    let file = Path::new(rel)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("data.csv");
    format!("data/{file}")
}

/// Writes `dir/<name>.toml` and its data files through the atomic output-directory writer
/// (refusing a non-empty directory bankrun did not create).
pub fn export(name: &str, dir: &Path) -> Result<(), Failure> {
    let (toml, files) = embedded(name).ok_or_else(|| {
        Failure::BadInput(format!(
            "no embedded scenario `{name}` (see `bankrun scenarios`)"
        ))
    })?;
    let mut text = toml.to_string();
    for (rel, _) in &files {
        text = text.replace(&format!("\"{rel}\""), &format!("\"{}\"", target(rel)));
    }
    let command = format!("scenarios --export {name}");
    let written: Vec<PathBuf> =
        bankrun_report::write_atomically(dir, &command, |d| -> Result<Vec<PathBuf>, Failure> {
            let mut out = Vec::new();
            let write = |p: PathBuf, content: &str| -> Result<PathBuf, Failure> {
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Failure::Other(e.into()))?;
                }
                std::fs::write(&p, content)
                    .map_err(|e| Failure::Other(anyhow::anyhow!("{}: {e}", p.display())))?;
                Ok(p)
            };
            out.push(write(d.join(format!("{name}.toml")), &text)?);
            for (rel, content) in &files {
                out.push(write(d.join(target(rel)), content)?);
            }
            Ok(out)
        })?;
    eprintln!(
        "wrote {} files to {}; run it with `bankrun simulate {}`",
        written.len(),
        dir.display(),
        dir.join(format!("{name}.toml")).display()
    );
    Ok(())
}
