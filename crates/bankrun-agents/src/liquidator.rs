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

/// Expected profit per USD of debt covered, before gas: the bonus net of the protocol fee,
/// less the price risk of holding the seized collateral (`z · σ · √(hold / 1 y)` of its value).
/// [`expected_profit_usd`] is `debt_usd` times this, less gas; when it is not positive, no size
/// of the call pays. Fraction (USD per USD); model of reference/behaviour.md §3.2.
pub fn profit_margin(t: &LiquidatorTraits, bonus: f64, protocol_fee: f64, vol: f64) -> f64 {
    bonus * (1.0 - protocol_fee)
        - t.risk_z * vol * (t.hold_hours / 8760.0).max(0.0).sqrt() * (1.0 + bonus)
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
    fn profit_is_debt_times_margin_less_gas() {
        let t = trader();
        for (bonus, vol) in [(0.05, 0.6), (0.01, 1.5), (0.10, 0.2)] {
            let m = profit_margin(&t, bonus, 0.1, vol);
            for debt in [1e3, 1e5, 1e7] {
                let q = LiquidationQuote {
                    debt_usd: debt,
                    bonus,
                    protocol_fee: 0.1,
                    gas_usd: 20.0,
                    collateral_vol: vol,
                };
                let p = expected_profit_usd(&t, &q);
                assert!((p - (debt * m - 20.0)).abs() < 1e-6 * debt, "{p} vs {m}");
            }
        }
        // A 1 % bonus does not cover 150 % volatility over an hour at any size.
        assert!(profit_margin(&t, 0.01, 0.1, 1.5) < 0.0);
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
