//! `bankrun simulate` for one-world scenarios (`[scenario] engine = "world"`, crate
//! `bankrun-world`): every protocol, venue, oracle and agent of the scenario in one block
//! loop. Writes `txs.csv`, `oracles.csv`, `summary.json` and `report.html` through the
//! shared atomic output-directory writer.

mod report;

use std::path::{Path, PathBuf};

use bankrun_world::scenario::{self, Loaded, WorldRun};

use crate::{Failure, progress, stdout};

/// The scenario `spec` names, if it is a one-world scenario (an embedded name, or a TOML file
/// with `engine = "world"`).
///
/// # Errors
/// A located scenario error (bad input).
pub fn load(spec: &str) -> Result<Option<Loaded>, Failure> {
    if scenario::EMBEDDED.iter().any(|(n, _)| *n == spec) {
        return scenario::load_embedded(spec)
            .map(Some)
            .map_err(|e| Failure::BadInput(e.to_string()));
    }
    let path = Path::new(spec);
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    if !scenario::is_world(&text) {
        return Ok(None);
    }
    let loaded = scenario::load_str(&text, &path.display().to_string())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    // Values and references are checked now, before `sweep` writes its manifest.
    scenario::validate(&loaded).map_err(|e| Failure::BadInput(e.to_string()))?;
    Ok(Some(loaded))
}

/// Runs a loaded one-world scenario: prints the summary and writes the output directory.
pub fn simulate(
    loaded: &Loaded,
    seed: Option<u64>,
    out: Option<PathBuf>,
    json: bool,
    no_write: bool,
) -> Result<(), Failure> {
    let seed_used = seed.unwrap_or(loaded.spec.scenario.seed);
    let out = crate::output_dir(out, &loaded.spec.scenario.name, seed_used, no_write)?;
    let bar = progress::progress_bar(loaded.spec.scenario.blocks, "simulating block");
    let run =
        scenario::run(loaded, seed, &mut |done, _| bar.set_position(done)).map_err(
            |e| match e {
                scenario::run::RunError::Scenario(s) => Failure::BadInput(s.to_string()),
                other => Failure::Other(anyhow::anyhow!("{}: {other}", loaded.origin)),
            },
        )?;
    bar.finish_and_clear();
    let json_text =
        serde_json::to_string_pretty(&run.summary).map_err(|e| Failure::Other(e.into()))?;
    if json {
        stdout::println(&json_text)?;
    } else {
        stdout::print(&table(&run))?;
    }
    let Some(out) = out else { return Ok(()) };
    let command = format!("simulate {} --seed {seed_used}", loaded.spec.scenario.name);
    let files =
        bankrun_report::write_atomically(&out, &command, |dir| -> Result<usize, Failure> {
            let csv = |name: &str, e: bankrun_report::ReportError| {
                Failure::Other(anyhow::anyhow!("{name}: {e}"))
            };
            bankrun_report::write_csv(&dir.join("txs.csv"), &run.txs)
                .map_err(|e| csv("txs.csv", e))?;
            bankrun_report::write_csv(&dir.join("oracles.csv"), &run.oracles)
                .map_err(|e| csv("oracles.csv", e))?;
            std::fs::write(dir.join("summary.json"), format!("{json_text}\n"))
                .map_err(|e| Failure::Other(e.into()))?;
            let html = report::render(loaded, &run)
                .map_err(|e| Failure::Other(anyhow::anyhow!("report.html: {e}")))?;
            std::fs::write(dir.join("report.html"), html).map_err(|e| Failure::Other(e.into()))?;
            Ok(4)
        })?;
    eprintln!("wrote {files} files to {}", out.display());
    Ok(())
}

/// The stdout summary, in the house table style.
fn table(run: &WorldRun) -> String {
    let s = &run.summary;
    let mut out = format!(
        "Scenario {} (seed {}) — {} blocks, {} transactions mined ({} reverted), {} gas; ledger conserved after every block\n\n",
        s.scenario, s.seed, s.blocks, s.txs_mined, s.txs_reverted, s.gas_used
    );
    let mut t = bankrun_report::new_table(&[
        "protocol",
        "liquidations",
        "debt repaid",
        "collateral seized",
        "deficit",
        "liquidatable at end",
    ]);
    let list = |m: &std::collections::BTreeMap<String, f64>| {
        if m.is_empty() {
            "—".to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{v:.2} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for p in &s.protocols {
        t.add_row(vec![
            p.protocol.clone(),
            p.liquidations.to_string(),
            list(&p.debt_repaid),
            list(&p.collateral_seized),
            list(&p.deficit),
            p.liquidatable_at_end.to_string(),
        ]);
    }
    out.push_str(&format!("Protocols\n{t}\n\n"));
    if !s.issuers.is_empty() {
        let mut t = bankrun_report::new_table(&[
            "issuer",
            "minted",
            "redeemed",
            "backing paid",
            "owed at end",
            "requests waiting",
        ]);
        for i in &s.issuers {
            t.add_row(vec![
                i.issuer.clone(),
                format!("{:.2} {}", i.minted, i.token),
                format!("{:.2} {}", i.redeemed, i.token),
                format!("{:.2} {}", i.paid, i.backing),
                format!("{:.2} {}", i.owed_at_end, i.backing),
                i.waiting_at_end.to_string(),
            ]);
        }
        out.push_str(&format!("Issuers (primary market)\n{t}\n\n"));
    }
    let mut f = bankrun_report::new_table(&["feed", "first (USD)", "low (USD)", "last (USD)"]);
    for (name, first, min, last) in &s.feeds {
        f.add_row(vec![
            name.clone(),
            format!("{first:.4}"),
            format!("{min:.4}"),
            format!("{last:.4}"),
        ]);
    }
    out.push_str(&format!("Oracle feeds\n{f}\n"));
    out
}
