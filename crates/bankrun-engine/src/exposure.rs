//! The starting book of an Aave scenario reduced to per-account price exposures, for the
//! collateral-at-risk curve (`bankrun collateral-at-risk`).
//!
//! Every pool account with debt at block 0 becomes one [`Exposure`]: its collateral and debt
//! in USD at the starting oracle prices, split into a *volatile* and a *fixed-price* part.
//!
//! # Assumptions
//! - A reserve is **fixed-price** when its starting oracle price is within 2 % of $1 (the USD
//!   stablecoins); every other reserve is **volatile**. The curve moves all volatile prices
//!   together by the same factor (one "price drop"), so correlated assets (ETH and its
//!   liquid-staking tokens) are treated as perfectly correlated, and a non-USD stablecoin
//!   would count as volatile.
//! - Only supply the account has enabled as collateral (`UserConfiguration`'s collateral
//!   flag) counts as collateral; it is weighted by the account's effective liquidation
//!   threshold (e-mode aware, [`Population::effective_lt`](crate::population::Population::effective_lt)).
//! - Balances are read at the scenario's start (block 0), with the pool's interest indices
//!   as the starting book sets them.

use bankrun_aave::{AssetId, UserId};
use bankrun_chain::units::units_to_tokens;
use bankrun_scenario::LoadedScenario;

use crate::EngineError;
use crate::population::Population;

/// Oracle prices within this relative distance of $1 at the start are fixed-price reserves.
pub const FIXED_PRICE_TOLERANCE: f64 = 0.02;

pub use bankrun_metrics::Exposure;

/// Whether a reserve with starting oracle price `price_usd` is fixed-price (see the module
/// docs).
pub fn is_fixed_price(price_usd: f64) -> bool {
    (price_usd - 1.0).abs() <= FIXED_PRICE_TOLERANCE
}

/// The exposures of every account with debt in the starting book of `s` (built with master
/// seed `seed`, which draws the borrowers' health factors), in pool account order.
///
/// # Errors
/// [`EngineError::Setup`] when the starting book cannot be built from the scenario (as
/// [`crate::simulate`]); [`EngineError::Setup`] naming the reserve when a reserve has no
/// positive starting oracle price (it would silently read as worthless).
pub fn exposures(s: &LoadedScenario, seed: u64) -> Result<Vec<Exposure>, EngineError> {
    let sim = crate::setup::build(s, seed)?;
    let w = sim.population();
    let prices = reserve_prices(&w)?;
    let pool = w.pool.get();
    let t = w.t();
    let mut out = Vec::new();
    for u in 0..pool.user_count() {
        let user = u as UserId;
        let Some(acc) = pool.user(user) else {
            continue;
        };
        let mut e = Exposure::default();
        for (a, &(price, fixed)) in prices.iter().enumerate() {
            let decimals = w.assets[a].decimals;
            let debt = units_to_tokens(pool.debt_balance(t, user, a), decimals) * price;
            if fixed {
                e.fixed_debt += debt;
            } else {
                e.vol_debt += debt;
            }
            if !acc.is_using_as_collateral(a) {
                continue;
            }
            let coll = units_to_tokens(pool.supply_balance(t, user, a), decimals) * price;
            let adj = coll * f64::from(w.effective_lt(user, a)) / 1e4;
            if fixed {
                e.fixed_coll_adj += adj;
            } else {
                e.vol_coll_adj += adj;
                e.vol_coll += coll;
            }
        }
        if e.debt(1.0) > 0.0 {
            out.push(e);
        }
    }
    Ok(out)
}

/// `(starting USD price, fixed-price?)` of every reserve, by asset id.
fn reserve_prices(w: &Population) -> Result<Vec<(f64, bool)>, EngineError> {
    (0..w.assets.len())
        .map(|a: AssetId| {
            let p = w.price_usd(a);
            if p.is_finite() && p > 0.0 {
                Ok((p, is_fixed_price(p)))
            } else {
                Err(EngineError::setup(format!(
                    "market.reserves.{}: no positive oracle price at the start ({p})",
                    w.assets[a].symbol
                )))
            }
        })
        .collect()
}
