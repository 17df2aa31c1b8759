//! Names of the venues where collateral is sold, and the unit conversions of the spiral
//! runners' records.
//!
//! The venues themselves are the world's (`bankrun_world::venues`): an exact Uniswap v2 pool
//! (ETH/stable), CEX books following the scenario's fundamental path with the fitted
//! square-root impact law ([`bankrun_dex::cex`]: `k·√Q`) whose endogenous impact decays
//! (`1 − m` halves every `impact_half_life_s`: transient impact as order books refill;
//! Bouchaud et al., *Trades, Quotes and Prices*, ch. 13 — the half-life is a scenario
//! assumption), and the Curve pool of [`crate::stable`]. Arbitrageurs trade the pool back to
//! the CEX mid; the oracles read the CEX mid (the deepest venue).

use bankrun_dex::U256;

/// Which venue a trade used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Venue {
    /// The Uniswap v2 pool.
    Uniswap,
    /// The external (CEX) venue.
    Cex,
    /// The Curve StableSwap pool.
    Curve,
    /// No venue (collateral kept or valued at the oracle).
    None,
}

impl Venue {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Venue::Uniswap => "uniswap_v2",
            Venue::Cex => "cex",
            Venue::Curve => "curve",
            Venue::None => "none",
        }
    }
}

/// `10^d` as `f64`.
fn pow10(d: u32) -> f64 {
    10f64.powi(d as i32)
}

/// Wei → whole tokens.
///
/// Below 2^128 the integer is converted by `u128 as f64` (round to nearest, as parsing its
/// decimal string would give, without the formatting); larger values go through the string.
pub fn to_units(x: U256, decimals: u32) -> f64 {
    let v: f64 = match u128::try_from(x) {
        Ok(small) => small as f64,
        Err(_) => x.to_string().parse().unwrap_or(f64::MAX),
    };
    v / pow10(decimals)
}

/// Whole tokens → wei (floor to 18 significant digits; negative and non-finite → 0):
/// [`bankrun_chain::units::f64_to_fixed`].
pub use bankrun_chain::units::f64_to_fixed as to_wei;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_units_fast_path_matches_the_decimal_parse() {
        let mut x = 1u128;
        for i in 0..127u32 {
            let v = x
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(i as u128)
                >> (i % 64);
            let u = U256::from(v);
            let slow = v.to_string().parse::<f64>().unwrap() / pow10(18);
            assert_eq!(to_units(u, 18).to_bits(), slow.to_bits());
            x = x.wrapping_mul(3).wrapping_add(1);
        }
        let big = U256::from(u128::MAX) * U256::from(1000u64);
        assert!((to_units(big, 18) / (u128::MAX as f64 * 1000.0 / 1e18) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn wei_round_trip() {
        assert_eq!(to_wei(1.5, 18), U256::from(1_500_000_000_000_000_000u128));
        assert_eq!(to_wei(1e12, 18).to_string().len(), 31);
        assert!((to_units(to_wei(123.456, 6), 6) - 123.456).abs() < 1e-6);
    }
}
