//! The series a Maker scenario reads: the ETH/USD path and the gas model.

use bankrun_chain::gas::GasModel;
use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_chain::time::{format_time, parse_time};

use crate::error::SpiralError;
use crate::spec::Loaded;

/// Inputs read from the scenario.
pub struct MakerInputs {
    /// Fundamental ETH/USD path.
    pub eth: PricePath,
    /// Gas model.
    pub gas: GasModel,
    /// Start (s).
    pub start: i64,
    /// End (s).
    pub end: i64,
}

/// Reads the price and gas series of a Maker scenario.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn inputs(l: &Loaded) -> Result<MakerInputs, SpiralError> {
    let s = &l.spec;
    let rel = s.eth_prices.as_deref().unwrap_or_default();
    let (o, t) = l.read_data("eth_prices", rel)?;
    let eth = read_csv(&t, &o, &CsvFormat::columns(&["price_usd"]))?.remove(0);
    let gas = crate::runner::gas_model(l)?;
    let start = parse_time(&s.scenario.start).map_err(|_| l.err("start", "bad time"))?;
    let end = eth.end() + (s.scenario.tail_hours * 3600.0) as i64;
    if end <= start {
        return Err(l.err("start", "the price path ends before the start"));
    }
    for (i, sp) in s.spells.iter().enumerate() {
        // A spell outside the run would silently never be cast.
        match parse_time(&sp.at) {
            Ok(at) if (start..=end).contains(&at) => {}
            _ => {
                return Err(l.err_in(
                    "spells",
                    i,
                    "at",
                    format!(
                        "an RFC 3339 time within the run ({} to {}), found {:?}",
                        format_time(start),
                        format_time(end),
                        sp.at
                    ),
                ));
            }
        }
    }
    Ok(MakerInputs {
        eth,
        gas,
        start,
        end,
    })
}
