//! Cross-venue arbitrage between a constant-product pool and an external venue.
//!
//! An arbitrageur trades the pool towards the external mid until the marginal pool price,
//! net of the 0.3 % fee, equals it (the closed form for `x·y = k`), and does so only when
//! the expected profit beats the gas cost (reference/behaviour.md §3: arbitrage closes gaps
//! "when profit beats gas"). Amounts in whole tokens, prices in quote per base, gas in USD.

/// The base amount to trade against a pool with reserves `base`, `quote` (whole tokens) so
/// that its price moves to `target` (quote per base), net of `fee` (e.g. 0.003): positive =
/// sell base into the pool, negative = buy base from it, 0 when the gap is within the fee.
pub fn pool_rebalance_base(base: f64, quote: f64, target: f64, fee: f64) -> f64 {
    if base <= 0.0 || quote <= 0.0 || target <= 0.0 {
        return 0.0;
    }
    let k = base * quote;
    let price = quote / base;
    if price > target / (1.0 - fee) {
        // The pool is dear: sell base until quote/base = target / (1 − fee).
        ((k / (target / (1.0 - fee))).sqrt() - base).max(0.0)
    } else if price < target * (1.0 - fee) {
        -((base - (k / (target * (1.0 - fee))).sqrt()).max(0.0))
    } else {
        0.0
    }
}

/// Expected profit (USD) of moving `base_traded` (absolute, whole tokens) across a gap of
/// relative size `gap` (|pool/external − 1|) at `price` (USD per base), net of the pool fee
/// `fee` and `gas_usd`: `½·gap·|Δ|·price − fee·|Δ|·price − gas` (half the gap is captured
/// on average along the path to the target).
pub fn arbitrage_profit_usd(base_traded: f64, gap: f64, price: f64, fee: f64, gas_usd: f64) -> f64 {
    let notional = base_traded.abs() * price;
    0.5 * gap * notional - fee * notional - gas_usd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebalance_direction_and_dead_band() {
        assert!(pool_rebalance_base(100.0, 21_000.0, 200.0, 0.003) > 0.0);
        assert!(pool_rebalance_base(100.0, 19_000.0, 200.0, 0.003) < 0.0);
        assert_eq!(pool_rebalance_base(100.0, 20_000.0, 200.0, 0.003), 0.0);
    }

    #[test]
    fn profit_must_beat_gas() {
        assert!(arbitrage_profit_usd(10.0, 0.05, 200.0, 0.003, 10.0) > 0.0);
        assert!(arbitrage_profit_usd(10.0, 0.05, 200.0, 0.003, 100.0) < 0.0);
    }
}
