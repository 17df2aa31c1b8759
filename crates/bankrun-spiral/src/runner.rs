//! Dispatch: runs a loaded scenario's variants (Maker: the real path; Compound: the real
//! path and, with `[stress]`, a stressed one).

use crate::error::SpiralError;
use crate::gas::GasModel;
use crate::record::RunOutput;
use crate::series::read_columns;
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
        let mut c = read_columns(&o, &t, &["p30_gwei", "p60_gwei", "p90_gwei"], None)?;
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
    if l.spec.scenario.protocol == "maker" {
        Ok(vec![crate::maker::run(l, seed, None)?])
    } else {
        let mut v = vec![crate::compound::run(l, seed, false)?];
        if l.spec.stress.is_some() {
            v.push(crate::compound::run(l, seed, true)?);
        }
        Ok(v)
    }
}
