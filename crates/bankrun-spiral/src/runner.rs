//! Dispatch: runs a loaded scenario's variants (Maker: the real path; Compound: the real
//! path and, with `[stress]`, a stressed one).

use bankrun_chain::gas::GasModel;
use bankrun_chain::prices::{CsvFormat, read_csv};

use crate::error::SpiralError;
use crate::record::RunOutput;
use crate::spec::Loaded;

/// The gas model of a scenario.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn gas_model(l: &Loaded) -> Result<GasModel, SpiralError> {
    let g = &l.spec.gas;
    if g.model == "legacy" {
        let rel = g.series.as_deref().unwrap_or_default();
        let (o, t) = l.read_data("series", rel)?;
        let mut c = read_csv(
            &t,
            &o,
            &CsvFormat::columns(&["p30_gwei", "p60_gwei", "p90_gwei"]),
        )?;
        let p90 = c.remove(2);
        let p60 = c.remove(1);
        let p30 = c.remove(0);
        Ok(GasModel::Legacy {
            p30,
            p60,
            p90,
            inclusion_percentile: g.inclusion_percentile,
            noise_sigma: g.noise_sigma,
        })
    } else {
        Ok(GasModel::Eip1559 {
            base_fee_wei: (g.base_fee_gwei * 1e9) as u128,
            utilisation: g.utilisation,
            elasticity: g.demand_elasticity,
        })
    }
}

/// Runs every variant of the scenario with `seed`.
///
/// # Errors
/// [`SpiralError`].
pub fn simulate(l: &Loaded, seed: u64) -> Result<Vec<RunOutput>, SpiralError> {
    simulate_with_progress(l, seed, &mut |_, _| {})
}

/// [`simulate`], calling `progress(blocks done, blocks)` over all variants together (a
/// stressed Compound run counts its blocks after the real path's).
///
/// # Errors
/// [`SpiralError`].
pub fn simulate_with_progress(
    l: &Loaded,
    seed: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<RunOutput>, SpiralError> {
    let protocol = l.spec.scenario.protocol.as_str();
    if crate::spec::WORLD_PROTOCOLS.contains(&protocol) {
        let modes = match protocol {
            "terra" => crate::terra::modes(l),
            "steth" => crate::steth::modes(l),
            _ => crate::svb::modes(l),
        };
        let n = modes.len() as u64;
        let mut v = Vec::new();
        for (i, mode) in modes.iter().enumerate() {
            let mut each = |done: u64, total: u64| progress(i as u64 * total + done, n * total);
            v.push(match protocol {
                "terra" => crate::terra::run_with_progress(l, seed, mode, &mut each)?,
                "steth" => crate::steth::run_with_progress(l, seed, mode, &mut each)?,
                _ => crate::svb::run_with_progress(l, seed, mode, &mut each)?,
            });
        }
        return Ok(v);
    }
    if l.spec.scenario.protocol == "maker" {
        Ok(vec![crate::maker::run_with_progress(
            l, seed, None, progress,
        )?])
    } else {
        let variants: &[bool] = if l.spec.stress.is_some() {
            &[false, true]
        } else {
            &[false]
        };
        let n = variants.len() as u64;
        let mut v = Vec::new();
        for (i, &stressed) in variants.iter().enumerate() {
            let mut each = |done: u64, total: u64| progress(i as u64 * total + done, n * total);
            v.push(crate::compound_world::run_with_progress(
                l, seed, stressed, &mut each,
            )?);
        }
        Ok(v)
    }
}
