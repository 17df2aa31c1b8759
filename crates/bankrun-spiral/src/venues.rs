//! Where collateral is sold: an exact Uniswap v2 pool (ETH/stable) and the external CEX
//! venue, around an exogenous fundamental price.
//!
//! # Price model
//! - The **fundamental** ETH/USD price is the scenario's real path (10-minute or hourly
//!   closes, linear in between): the CEX mid without the simulated agents.
//! - Simulated sales on the CEX move its mid by the fitted square-root law
//!   ([`bankrun_dex::cex`]: `k·√Q`) and that **endogenous impact decays**: the CEX mid is
//!   `fundamental × m`, where each sale multiplies `m` by `(1 − k√Q)` (a buy by `1 + k√Q`)
//!   and `1 − m` halves every `impact_half_life_s` (transient impact as order books refill;
//!   Bouchaud et al., *Trades, Quotes and Prices*, ch. 13 — the half-life is a scenario
//!   assumption).
//! - The **Uniswap pool** is exact ([`bankrun_dex::uniswap_v2::Pair`]); its price moves only
//!   through trades. Arbitrageurs (see the runners) trade it back to the CEX mid when the
//!   profit beats gas, after a latency, hedging on the CEX (which adds impact there).
//! - The **market price** that oracles read is the CEX mid (the deepest venue).
//!
//! Token amounts are integer wei; the CEX converts at `f64` prices and rounds down to wei
//! (it is a model venue, not a contract) and holds a large inventory of both tokens so that
//! every transfer is a conserved integer move.

use bankrun_dex::U256;
use bankrun_dex::cex::CexVenue;
use bankrun_dex::uniswap_v2::{Pair, Side, get_amount_out};

use crate::error::SpiralError;

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

/// One executed sale of ETH for the stablecoin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sale {
    /// Venue used.
    pub venue: Venue,
    /// ETH sold (wei).
    pub eth_in: U256,
    /// Stablecoin received (its wei).
    pub stable_out: U256,
    /// Relative move of that venue's price caused by the sale (positive = down).
    pub impact: f64,
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

/// Whole tokens → wei (floor; negative and non-finite → 0).
pub fn to_wei(x: f64, decimals: u32) -> U256 {
    if !(x.is_finite() && x > 0.0) {
        return U256::ZERO;
    }
    let scaled = x * pow10(decimals);
    if scaled < 1e18 {
        U256::from(scaled as u128)
    } else {
        let e = (scaled.log10().floor() as u32).saturating_sub(17);
        U256::from((scaled / pow10(e)) as u128) * U256::from(10u64).pow(U256::from(e))
    }
}

/// The ETH/stable market: a Uniswap v2 pool beside the external (CEX) market.
#[derive(Debug, Clone)]
pub struct EthMarket {
    /// Uniswap v2 pair, token0 = ETH (18 decimals), token1 = the stablecoin.
    pub pair: Pair,
    /// Stablecoin decimals (18 DAI, 6 USDC).
    pub stable_decimals: u32,
    /// The external market: CEX venue, fundamental price and endogenous impact.
    pub external: CexMarket,
    /// CEX inventory of ETH (wei).
    pub cex_eth: U256,
    /// CEX inventory of the stablecoin (wei).
    pub cex_stable: U256,
    /// Time of the last update (s).
    pub now: i64,
}

impl EthMarket {
    /// A market at `price` with a pool of `pool_eth` ETH (and the matching stable
    /// reserve), the CEX fitted to `cex` coefficients, and CEX inventories.
    ///
    /// # Errors
    /// [`SpiralError::Run`] if the pool cannot be minted.
    pub fn new(
        price: f64,
        pool_eth: f64,
        stable_decimals: u32,
        cex: CexVenue,
        impact_half_life_s: f64,
        now: i64,
    ) -> Result<Self, SpiralError> {
        let mut pair = Pair::new(false);
        pair.mint(
            to_wei(pool_eth, 18),
            to_wei(pool_eth * price, stable_decimals),
            now.max(0) as u64,
        )
        .map_err(|e| SpiralError::Run(format!("pool mint: {e}")))?;
        Ok(EthMarket {
            pair,
            stable_decimals,
            external: CexMarket {
                cex: CexVenue { mid: price, ..cex },
                fundamental: price,
                impact_factor: 1.0,
                impact_half_life_s,
                now,
            },
            cex_eth: to_wei(1e9, 18),
            cex_stable: to_wei(1e13, stable_decimals),
            now,
        })
    }

    /// Moves time to `now` with the fundamental at `fundamental`: decays the impact and
    /// resets the CEX mid.
    pub fn advance(&mut self, now: i64, fundamental: f64) {
        self.external.advance(now, fundamental);
        self.now = now;
    }

    /// The market price (CEX mid, USD per ETH).
    pub fn mid(&self) -> f64 {
        self.external.mid()
    }

    /// The fundamental price (USD per ETH).
    pub fn fundamental(&self) -> f64 {
        self.external.fundamental
    }

    /// Endogenous impact factor `m` of the external market (1 = none).
    pub fn impact_factor(&self) -> f64 {
        self.external.impact_factor
    }

    /// The pool's marginal price (stable per ETH).
    pub fn pool_price(&self) -> f64 {
        let (r0, r1) = self.pair.reserves();
        to_units(r1, self.stable_decimals) / to_units(r0, 18)
    }

    /// Stablecoin out (wei) of selling `eth` wei on the pool, if possible.
    pub fn quote_pool(&self, eth: U256) -> Option<U256> {
        let (r0, r1) = self.pair.reserves();
        get_amount_out(eth, r0, r1).ok()
    }

    /// Sells `eth` wei on the venue that pays more; returns the sale.
    ///
    /// # Errors
    /// [`SpiralError::Run`] if neither venue can take it.
    pub fn sell_eth(&mut self, eth: U256) -> Result<Sale, SpiralError> {
        let units = to_units(eth, 18);
        let cex_q = self.external.cex.quote_sell(units).ok();
        let pool_q = self.quote_pool(eth);
        let cex_out = cex_q.map(|f| to_wei(f.quote, self.stable_decimals));
        match (pool_q, cex_out) {
            (Some(p), c) if c.is_none_or(|c| p >= c) => {
                let before = self.pool_price();
                let out = self
                    .pair
                    .swap_exact_in(Side::Token0, eth, self.now.max(0) as u64)
                    .map_err(|e| SpiralError::Run(format!("pool swap: {e}")))?;
                debug_assert_eq!(out, p);
                Ok(Sale {
                    venue: Venue::Uniswap,
                    eth_in: eth,
                    stable_out: out,
                    impact: 1.0 - self.pool_price() / before,
                })
            }
            (_, Some(c)) => {
                let f = cex_q.ok_or_else(|| SpiralError::Run("cex".into()))?;
                self.cex_trade(eth, c, true, f.impact)?;
                Ok(Sale {
                    venue: Venue::Cex,
                    eth_in: eth,
                    stable_out: c,
                    impact: f.impact,
                })
            }
            _ => Err(SpiralError::Run("no venue can absorb the sale".into())),
        }
    }

    /// Books a CEX trade: `sell` = ETH in / stable out, else ETH out / stable in; applies
    /// `impact` to the factor.
    fn cex_trade(
        &mut self,
        eth: U256,
        stable: U256,
        sell: bool,
        impact: f64,
    ) -> Result<(), SpiralError> {
        let short = || SpiralError::Run("cex inventory exhausted".into());
        if sell {
            self.cex_stable = self.cex_stable.checked_sub(stable).ok_or_else(short)?;
            self.cex_eth += eth;
            self.external.impact_factor *= 1.0 - impact;
        } else {
            self.cex_eth = self.cex_eth.checked_sub(eth).ok_or_else(short)?;
            self.cex_stable += stable;
            self.external.impact_factor *= 1.0 + impact;
        }
        self.external.cex.mid = self.external.fundamental * self.external.impact_factor;
        Ok(())
    }

    /// Arbitrage of `base` ETH (positive: sell ETH to the pool and buy it back on the CEX;
    /// negative: the reverse), with the arbitrageur's wallets `eth`, `stable` (wei). Returns
    /// the arbitrageur's stable profit (may be negative, as `f64` whole tokens).
    ///
    /// # Errors
    /// [`SpiralError::Run`] on a venue failure or short wallet (state unchanged).
    pub fn arbitrage(
        &mut self,
        base: f64,
        eth: &mut U256,
        stable: &mut U256,
    ) -> Result<f64, SpiralError> {
        let amount = to_wei(base.abs(), 18);
        if amount.is_zero() {
            return Ok(0.0);
        }
        let now = self.now.max(0) as u64;
        let (e0, s0) = (*eth, *stable);
        if base > 0.0 {
            let f = self
                .external
                .cex
                .quote_buy(base)
                .map_err(|e| SpiralError::Run(format!("cex: {e}")))?;
            let pay = to_wei(f.quote, self.stable_decimals) + U256::from(1);
            let mut next = self.pair.clone();
            let got = next
                .swap_exact_in(Side::Token0, amount, now)
                .map_err(|e| SpiralError::Run(format!("pool: {e}")))?;
            let e1 = eth
                .checked_sub(amount)
                .ok_or(SpiralError::Run("wallet".into()))?;
            let s1 = (*stable + got)
                .checked_sub(pay)
                .ok_or(SpiralError::Run("wallet".into()))?;
            self.cex_trade(amount, pay, false, f.impact)?;
            self.pair = next;
            *eth = e1 + amount;
            *stable = s1;
        } else {
            let f = self
                .external
                .cex
                .quote_sell(-base)
                .map_err(|e| SpiralError::Run(format!("cex: {e}")))?;
            let recv = to_wei(f.quote, self.stable_decimals);
            let (r0, r1) = self.pair.reserves();
            let pay = bankrun_dex::uniswap_v2::get_amount_in(amount, r1, r0)
                .map_err(|e| SpiralError::Run(format!("pool: {e}")))?;
            let s1 = stable
                .checked_sub(pay)
                .ok_or(SpiralError::Run("wallet".into()))?;
            let mut next = self.pair.clone();
            next.swap(U256::ZERO, pay, amount, U256::ZERO, now)
                .map_err(|e| SpiralError::Run(format!("pool: {e}")))?;
            let e1 = *eth + amount - amount;
            self.cex_trade(amount, recv, true, f.impact)?;
            self.pair = next;
            *eth = e1;
            *stable = s1 + recv;
        }
        Ok(
            to_units(*stable, self.stable_decimals) - to_units(s0, self.stable_decimals)
                + (to_units(*eth, 18) - to_units(e0, 18)) * self.mid(),
        )
    }
}

pub use bankrun_dex::cex::CexMarket;

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_dex::cex::VenueSet;

    fn market() -> EthMarket {
        let cex = CexVenue::fitted(200.0, VenueSet::Major).unwrap();
        EthMarket::new(200.0, 10_000.0, 18, cex, 1800.0, 0).unwrap()
    }

    #[test]
    fn impact_is_monotone_in_size_on_both_venues() {
        let mut last_cex = 0.0;
        let mut last_pool = 0.0;
        for eth in [1.0, 10.0, 100.0, 1_000.0] {
            let mut m = market();
            let i = m.external.cex.quote_sell(eth).unwrap().impact;
            assert!(i > last_cex);
            last_cex = i;
            let mut p = market();
            let before = p.pool_price();
            p.pair
                .swap_exact_in(Side::Token0, to_wei(eth, 18), 1)
                .unwrap();
            let pi = 1.0 - p.pool_price() / before;
            assert!(pi > last_pool);
            last_pool = pi;
            let s = m.sell_eth(to_wei(eth, 18)).unwrap();
            assert!(s.impact > 0.0 && m.mid() <= 200.0);
        }
    }

    #[test]
    fn selling_on_an_alt_venue_lowers_its_price_more_when_thinner_and_decays() {
        let eth = CexVenue::fitted(1600.0, VenueSet::All).unwrap();
        let mut deep = CexMarket::new(25_000.0, eth, 2.0, 1800.0, 0);
        let mut thin = CexMarket::new(25_000.0, eth, 0.5, 1800.0, 0);
        let (usd, i) = deep.sell(40.0).unwrap();
        let (_, j) = thin.sell(40.0).unwrap();
        assert!(i > 0.0 && j > i);
        assert!(deep.mid() < 25_000.0 && usd < 40.0 * 25_000.0);
        let after = deep.mid();
        deep.advance(1800, 25_000.0);
        assert!(deep.mid() > after && deep.mid() < 25_000.0);
    }

    #[test]
    fn impact_decays() {
        let mut m = market();
        m.cex_trade(to_wei(1.0, 18), U256::from(1), true, 0.1)
            .unwrap();
        assert!((m.mid() - 180.0).abs() < 1e-9);
        m.advance(1800, 200.0);
        assert!((m.mid() - 190.0).abs() < 1e-9);
    }

    #[test]
    fn arbitrage_conserves_tokens_and_closes_gap() {
        let mut m = market();
        m.pair
            .swap_exact_in(Side::Token0, to_wei(500.0, 18), 1)
            .unwrap();
        let (mut e, mut s) = (to_wei(1000.0, 18), to_wei(1e6, 18));
        let total = |m: &EthMarket, e: U256, s: U256| {
            let (r0, r1) = m.pair.reserves();
            (r0 + m.cex_eth + e, r1 + m.cex_stable + s)
        };
        let before = total(&m, e, s);
        let gap0 = (m.pool_price() / m.mid() - 1.0).abs();
        let (r0, r1) = m.pair.reserves();
        let base =
            bankrun_agents::pool_rebalance_base(to_units(r0, 18), to_units(r1, 18), m.mid(), 0.003);
        m.arbitrage(base, &mut e, &mut s).unwrap();
        assert_eq!(total(&m, e, s), before);
        let gap1 = (m.pool_price() / m.mid() - 1.0).abs();
        assert!(
            gap1 < gap0,
            "gap {gap0} -> {gap1}, base {base}, pool {} mid {}",
            m.pool_price(),
            m.mid()
        );
    }

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
