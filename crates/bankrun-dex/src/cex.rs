//! External (centralised-exchange) venue with an aggregate square-root impact law.
//!
//! # Model
//! A market order of `Q` USD notional (at the pre-trade mid) moves the aggregate mid by
//! the relative amount
//! `impact(Q) = Y·σ·√(Q/V) = k·√Q`
//! (the square-root law of behaviour.md §3.2). Equivalently the resting depth within a
//! relative distance `x` of the mid is `Q(x) = (x/k)²`, so a sale walks that book: the mid
//! ends at `P·(1 − k√Q)` and the average fill is `P·(1 − ⅔·k√Q)`. Orders of `Q ≥ 1/k²`
//! would exhaust the book and are rejected.
//!
//! # Why square-root and not piecewise-linear
//! The data (CoinGecko's ETH order-book snapshot of October 2022, one row per venue and
//! pair) gives a single point per side of each venue's depth curve: the USD resting within
//! ±2 %. Summed over venues it fixes one point `D2` of the aggregate curve; a
//! piecewise-linear curve would need several levels per venue. The square-root shape is
//! the empirically robust law (Donier–Bonart, four decades of order size), so the one
//! identified number is `k = 0.02/√D2`. The derived parameters ship as
//! `data/venues/eth_cex_sqrt_impact_2022-10.csv` (derivation: `data/derive/cex_depth.py`,
//! source and licence: `data/SOURCES.md`).
//!
//! This is a model, not a contract: it uses `f64`, prices in quote per base (USD per
//! ETH), amounts in whole units (not wei). It is deterministic and never panics.

use crate::DexError;

/// The shipped parameters (`data/venues/eth_cex_sqrt_impact_2022-10.csv`).
const PARAMS_CSV: &str = include_str!("../../../data/venues/eth_cex_sqrt_impact_2022-10.csv");

/// Which venues the aggregate depth sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenueSet {
    /// Every centralised-exchange pair of the snapshot (197 pairs; deepest).
    All,
    /// Large, long-standing venues only (72 pairs; conservative, shallower).
    Major,
}

impl VenueSet {
    fn key(self) -> &'static str {
        match self {
            VenueSet::All => "all",
            VenueSet::Major => "major",
        }
    }
}

/// Fitted parameters of one venue set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SqrtImpactParams {
    /// USD resting within 2 % below the mid (bids), summed over venues.
    pub depth_sell_usd: f64,
    /// USD resting within 2 % above the mid (asks), summed over venues.
    pub depth_buy_usd: f64,
    /// Summed 24 h volume (USD), for reference (`V` of the law).
    pub volume_24h_usd: f64,
    /// `k` for sells (1/√USD): `0.02/√depth_sell_usd`.
    pub k_sell: f64,
    /// `k` for buys (1/√USD): `0.02/√depth_buy_usd`.
    pub k_buy: f64,
}

/// Reads the shipped parameters of `set`.
///
/// # Errors
/// [`DexError::InvalidInput`] if the embedded CSV lacks the rows (a build defect).
pub fn fitted_params(set: VenueSet) -> Result<SqrtImpactParams, DexError> {
    let mut sell = None;
    let mut buy = None;
    for line in PARAMS_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 6 || f[0] != set.key() {
            continue;
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| DexError::InvalidInput);
        let row = (num(f[3])?, num(f[4])?, num(f[5])?);
        match f[1] {
            "sell" => sell = Some(row),
            "buy" => buy = Some(row),
            _ => {}
        }
    }
    let (s, b) = (
        sell.ok_or(DexError::InvalidInput)?,
        buy.ok_or(DexError::InvalidInput)?,
    );
    Ok(SqrtImpactParams {
        depth_sell_usd: s.0,
        depth_buy_usd: b.0,
        volume_24h_usd: s.1,
        k_sell: s.2,
        k_buy: b.2,
    })
}

/// The relative mid move `k·√Q` of an order of `notional` USD.
///
/// # Errors
/// [`DexError::InvalidInput`] for a negative or non-finite input,
/// [`DexError::InsufficientLiquidity`] if `k·√Q ≥ 1` (the book is exhausted).
pub fn impact(k: f64, notional: f64) -> Result<f64, DexError> {
    if !(k.is_finite() && notional.is_finite()) || k <= 0.0 || notional < 0.0 {
        return Err(DexError::InvalidInput);
    }
    let x = k * notional.sqrt();
    if x >= 1.0 {
        Err(DexError::InsufficientLiquidity)
    } else {
        Ok(x)
    }
}

/// A CEX venue: the current aggregate mid and the impact coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CexVenue {
    /// Mid price (quote per base, e.g. USD per ETH).
    pub mid: f64,
    /// `k` for sells (1/√USD).
    pub k_sell: f64,
    /// `k` for buys (1/√USD).
    pub k_buy: f64,
}

/// A fill on the venue (whole units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    /// Base traded.
    pub base: f64,
    /// Quote received (sell) or paid (buy).
    pub quote: f64,
    /// Relative mid move `k·√Q`.
    pub impact: f64,
    /// Mid after the trade.
    pub new_mid: f64,
}

impl CexVenue {
    /// A venue at `mid` with the fitted parameters of `set`.
    ///
    /// # Errors
    /// As [`fitted_params`]; [`DexError::InvalidInput`] for a non-positive mid.
    pub fn fitted(mid: f64, set: VenueSet) -> Result<Self, DexError> {
        if !(mid.is_finite() && mid > 0.0) {
            return Err(DexError::InvalidInput);
        }
        let p = fitted_params(set)?;
        Ok(CexVenue {
            mid,
            k_sell: p.k_sell,
            k_buy: p.k_buy,
        })
    }

    /// The fill of selling `base` units at market, without changing the venue.
    ///
    /// # Errors
    /// As [`impact`].
    pub fn quote_sell(&self, base: f64) -> Result<Fill, DexError> {
        let i = impact(self.k_sell, base * self.mid)?;
        Ok(Fill {
            base,
            quote: base * self.mid * (1.0 - 2.0 / 3.0 * i),
            impact: i,
            new_mid: self.mid * (1.0 - i),
        })
    }

    /// The fill of buying `base` units at market, without changing the venue.
    ///
    /// # Errors
    /// As [`impact`].
    pub fn quote_buy(&self, base: f64) -> Result<Fill, DexError> {
        let i = impact(self.k_buy, base * self.mid)?;
        Ok(Fill {
            base,
            quote: base * self.mid * (1.0 + 2.0 / 3.0 * i),
            impact: i,
            new_mid: self.mid * (1.0 + i),
        })
    }

    /// Sells `base` units at market and moves the mid down by `k√Q`.
    ///
    /// # Errors
    /// As [`impact`]; the venue is unchanged on error.
    pub fn sell(&mut self, base: f64) -> Result<Fill, DexError> {
        let f = self.quote_sell(base)?;
        self.mid = f.new_mid;
        Ok(f)
    }

    /// Buys `base` units at market and moves the mid up by `k√Q`.
    ///
    /// # Errors
    /// As [`impact`]; the venue is unchanged on error.
    pub fn buy(&mut self, base: f64) -> Result<Fill, DexError> {
        let f = self.quote_buy(base)?;
        self.mid = f.new_mid;
        Ok(f)
    }
}

/// A CEX market that follows a fundamental price path: mid = fundamental × a decaying
/// endogenous impact factor, with the square-root impact law of [`CexVenue`]. Agents' sales
/// lower the factor; it decays back towards 1 with a half-life. Used for an asset's external
/// venue (the liquidation-spiral scenarios sell seized WBTC, LINK, … here; the world's
/// [`CexVenue`]-backed venue wraps it).
#[derive(Debug, Clone, PartialEq)]
pub struct CexMarket {
    /// The venue (its `mid` is `fundamental × impact_factor`).
    pub cex: CexVenue,
    /// The fundamental price (USD per unit).
    pub fundamental: f64,
    /// Endogenous impact factor (1 = none).
    pub impact_factor: f64,
    /// Half-life of the endogenous impact (s).
    pub impact_half_life_s: f64,
    /// Time of the last update (s).
    pub now: i64,
}

impl CexMarket {
    /// A market at `price` with the ETH fit `eth` scaled to `depth_scale` × its depth
    /// (`k / √depth_scale`).
    pub fn new(
        price: f64,
        eth: CexVenue,
        depth_scale: f64,
        impact_half_life_s: f64,
        now: i64,
    ) -> Self {
        let r = depth_scale.max(1e-12).sqrt();
        CexMarket {
            cex: CexVenue {
                mid: price,
                k_sell: eth.k_sell / r,
                k_buy: eth.k_buy / r,
            },
            fundamental: price,
            impact_factor: 1.0,
            impact_half_life_s,
            now,
        }
    }

    /// Moves time to `now` with the fundamental at `fundamental` (decays the impact).
    pub fn advance(&mut self, now: i64, fundamental: f64) {
        let dt = (now - self.now).max(0) as f64;
        if self.impact_half_life_s > 0.0 {
            let keep = 0.5f64.powf(dt / self.impact_half_life_s);
            self.impact_factor = 1.0 - (1.0 - self.impact_factor) * keep;
        }
        self.fundamental = fundamental;
        self.cex.mid = fundamental * self.impact_factor;
        self.now = now;
    }

    /// The market price (USD per unit).
    pub fn mid(&self) -> f64 {
        self.cex.mid
    }

    /// Sells `units` at market: returns (USD received, relative impact) and lowers the mid.
    ///
    /// # Errors
    /// As [`impact`] if the sale would exhaust the book (state unchanged).
    pub fn sell(&mut self, units: f64) -> Result<(f64, f64), DexError> {
        let f = self.cex.quote_sell(units)?;
        self.impact_factor *= 1.0 - f.impact;
        self.cex.mid = self.fundamental * self.impact_factor;
        Ok((f.quote, f.impact))
    }

    /// Buys `units` at market: returns (USD paid, relative impact) and raises the mid.
    ///
    /// # Errors
    /// As [`impact`] if the purchase would exhaust the book (state unchanged).
    pub fn buy(&mut self, units: f64) -> Result<(f64, f64), DexError> {
        let f = self.cex.quote_buy(units)?;
        self.impact_factor *= 1.0 + f.impact;
        self.cex.mid = self.fundamental * self.impact_factor;
        Ok((f.quote, f.impact))
    }
}
