//! Liquidators: act when the bonus pays for gas and price risk, within their capital
//! (reference/behaviour.md §3.2):
//! `Π = x·LB·(1 − f_p) − G·(b + tip) − z·σ_C·√ℓ·x_coll` (no DEX slippage in this version: the
//! seized collateral is held for `ℓ` and its price risk is charged instead).

/// A liquidator's fixed traits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiquidatorTraits {
    /// Capital, USD.
    pub capital_usd: f64,
    /// Minimum expected profit, USD.
    pub min_profit_usd: f64,
    /// Holding horizon of seized collateral, hours.
    pub hold_hours: f64,
    /// Risk aversion z.
    pub risk_z: f64,
}

/// A candidate liquidation, valued in USD at oracle prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiquidationQuote {
    /// Debt to repay, USD.
    pub debt_usd: f64,
    /// Liquidation bonus as a fraction (0.05 for 10500 bps).
    pub bonus: f64,
    /// Protocol fee as a fraction of the bonus.
    pub protocol_fee: f64,
    /// Gas cost of the call, USD.
    pub gas_usd: f64,
    /// Annual volatility of the collateral.
    pub collateral_vol: f64,
}

/// Expected profit of a liquidation, USD.
pub fn expected_profit_usd(t: &LiquidatorTraits, q: &LiquidationQuote) -> f64 {
    let collateral_usd = q.debt_usd * (1.0 + q.bonus);
    let bonus = q.debt_usd * q.bonus * (1.0 - q.protocol_fee);
    let risk =
        t.risk_z * q.collateral_vol * (t.hold_hours / 8760.0).max(0.0).sqrt() * collateral_usd;
    bonus - q.gas_usd - risk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trader() -> LiquidatorTraits {
        LiquidatorTraits {
            capital_usd: 1e7,
            min_profit_usd: 100.0,
            hold_hours: 1.0,
            risk_z: 1.0,
        }
    }

    #[test]
    fn bonus_must_cover_gas_and_risk() {
        let q = LiquidationQuote {
            debt_usd: 100_000.0,
            bonus: 0.05,
            protocol_fee: 0.1,
            gas_usd: 20.0,
            collateral_vol: 0.6,
        };
        let p = expected_profit_usd(&trader(), &q);
        assert!(p > 0.0 && p < 4_500.0);
        // Tiny positions do not pay for gas.
        let tiny = LiquidationQuote {
            debt_usd: 100.0,
            ..q
        };
        assert!(expected_profit_usd(&trader(), &tiny) < 0.0);
        // A 1 % e-mode bonus on a very volatile collateral is not worth it.
        let toxic = LiquidationQuote {
            bonus: 0.01,
            collateral_vol: 3.0,
            ..q
        };
        assert!(expected_profit_usd(&trader(), &toxic) < 0.0);
    }
}
