//! The ledger at genesis, minted to match the imported book: the pool holds each reserve's
//! virtual balance (its underlying cash); every borrowing account holds what it borrowed and
//! as much again from outside (a carry strategy's proceeds, from which borrowers repay);
//! liquidators' wallets hold each reserve token worth 100 times their USD capital (flash
//! liquidity: the agent's capital, not the wallet, bounds what it takes on); attackers hold
//! the collateral they will supply; the rescue fund holds what its events supply and repay.

use bankrun_aave::U256;
use bankrun_chain::units::tokens_to_units;
use bankrun_chain::{Holder, TokenId};
use bankrun_scenario::Event;

use crate::EngineError;
use crate::population::{AAVE, Population};

/// Flash liquidity of a liquidator's wallet, in multiples of its capital.
const LIQUIDATOR_FLASH: f64 = 100.0;

/// Mints the starting balances into `chain`'s ledger.
///
/// # Errors
/// [`EngineError::Setup`] on a ledger overflow.
pub fn mint_ledger(w: &Population, chain: &mut bankrun_world::World) -> Result<(), EngineError> {
    let t = w.t();
    let mut mints: Vec<(TokenId, Holder, U256)> = Vec::new();
    {
        let pool = w.pool.get();
        for a in 0..w.assets.len() {
            mints.push((
                a as TokenId,
                Holder::Protocol(AAVE),
                pool.available_liquidity(a),
            ));
        }
        for user in 0..pool.user_count() as u32 {
            for a in 0..w.assets.len() {
                // Most accounts owe nothing: the scaled balance says so without the index.
                if pool.scaled_balances(user, a).1.is_zero() {
                    continue;
                }
                let debt = pool.debt_balance(t, user, a);
                if !debt.is_zero() {
                    mints.push((a as TokenId, Holder::Agent(user), debt * U256::from(2u8)));
                }
            }
        }
    }
    for l in &w.liquidators {
        for a in 0..w.assets.len() {
            let tokens = LIQUIDATOR_FLASH * l.capital / w.price_usd(a).max(1e-12);
            let units = tokens_to_units(tokens, w.assets[a].decimals);
            mints.push((a as TokenId, Holder::Agent(l.user), units));
        }
    }
    let n = w.attackers.len().max(1) as f64;
    for e in &w.scn.scenario.events {
        let (asset, amount, to) = match e {
            Event::Attack {
                collateral,
                collateral_amount,
                ..
            } => {
                let Some(c) = w.asset_id(collateral) else {
                    continue;
                };
                for &u in &w.attackers {
                    let x = tokens_to_units(collateral_amount / n, w.assets[c].decimals);
                    mints.push((c as TokenId, Holder::Agent(u), x));
                }
                continue;
            }
            Event::RescueSupply { asset, amount, .. }
            | Event::RescueRepay { asset, amount, .. } => (asset, *amount, w.rescuer),
            _ => continue,
        };
        // An unknown reserve fails the event at its time (logged), not the build.
        let Some(a) = w.asset_id(asset) else {
            continue;
        };
        let x = tokens_to_units(amount, w.assets[a].decimals);
        mints.push((a as TokenId, Holder::Agent(to), x));
    }
    let ledger = chain.ledger_mut();
    for (token, holder, amount) in mints {
        if !amount.is_zero() {
            ledger
                .mint(token, holder, amount)
                .map_err(|e| EngineError::setup(format!("genesis ledger: {e}")))?;
        }
    }
    Ok(())
}
