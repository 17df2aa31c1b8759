//! Stablecoin conversions through an exact Curve 3pool (DAI/USDC/USDT): a Compound
//! liquidator who seizes one stablecoin and repays another swaps on it.

use bankrun_dex::U256;
use bankrun_dex::curve::StableSwap;

use crate::error::SpiralError;
use crate::venues::to_wei;

/// Coin index of a stablecoin in 3pool, if it is one.
pub fn coin(name: &str) -> Option<usize> {
    match name {
        "DAI" => Some(0),
        "USDC" => Some(1),
        "USDT" => Some(2),
        _ => None,
    }
}

/// Decimals of 3pool coin `i`.
pub fn decimals(i: usize) -> u32 {
    if i == 0 { 18 } else { 6 }
}

/// A balanced 3pool with `per_coin` whole coins each, amplification `a` (stored
/// convention), fee 4 bp and admin fee 50 % (3pool's values).
///
/// # Errors
/// [`SpiralError::Run`] if the deposit fails.
pub fn three_pool(per_coin: f64, a: u64) -> Result<StableSwap, SpiralError> {
    let mut p = StableSwap::three_pool(
        U256::from(a),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let amounts: Vec<U256> = (0..3).map(|i| to_wei(per_coin, decimals(i))).collect();
    p.add_liquidity(&amounts, U256::ZERO)
        .map_err(|e| SpiralError::Run(format!("curve: {e}")))?;
    Ok(p)
}
