//! Maker auction keepers (Liquidations 1.2 `Flipper`): gas pricing and bidding rules.
//!
//! Models of the `auction-keeper` behaviour on Black Thursday (reference/protocol-math.md
//! §4.1; MakerDAO blog "The Market Collapse of March 12-13, 2020"): a keeper values the lot
//! at the market price less a margin, bids in `tend` up to the tab, in `dent` down to the
//! lot its DAI buys, and prices gas either statically (the default keeper configuration that
//! was priced out) or from the market with a cap. Pure functions: the caller supplies what
//! the keeper observes. Units: prices USD (= DAI) per ETH, amounts in whole tokens, gas in
//! gwei.

/// How a keeper prices gas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GasStrategy {
    /// A fixed gas price (gwei), whatever the market does.
    Fixed(f64),
    /// `multiplier` × the observed market gas price (gwei), capped at `cap_gwei`.
    Market {
        /// Multiple of the observed price.
        multiplier: f64,
        /// Highest gas price the keeper pays (gwei).
        cap_gwei: f64,
    },
}

/// The gas price (gwei) a keeper bids given the market gas price it observes (gwei).
pub fn gas_price_gwei(strategy: GasStrategy, observed_gwei: f64) -> f64 {
    match strategy {
        GasStrategy::Fixed(g) => g.max(0.0),
        GasStrategy::Market {
            multiplier,
            cap_gwei,
        } => (observed_gwei * multiplier).min(cap_gwei).max(0.0),
    }
}

/// What a keeper sees of one `Flipper` auction (whole DAI and ETH).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuctionView {
    /// Collateral for sale (ETH).
    pub lot: f64,
    /// Current high bid (DAI).
    pub bid: f64,
    /// DAI wanted (DAI).
    pub tab: f64,
    /// Minimum increase factor (`beg`, e.g. 1.03).
    pub beg: f64,
}

/// A keeper's decision on one auction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlipBid {
    /// `tend` with this DAI bid for the whole lot.
    Tend(f64),
    /// `dent` with this (smaller) lot for `tab` DAI.
    Dent(f64),
}

/// The bid of a keeper that values ETH at `price` (USD), wants a `margin` discount (e.g.
/// 0.05) and holds `capital` DAI, or `None` if no profitable, affordable, valid bid exists.
///
/// Tend phase (`bid < tab`): offer `min(tab, lot·price·(1 − margin), capital)`, which must be
/// at least `beg·bid` (the contract's increment rule) unless it equals the tab. Dent phase
/// (`bid == tab`): offer the lot `tab/(price·(1 − margin))`, which must be at most `lot/beg`.
pub fn flip_bid(view: AuctionView, price: f64, margin: f64, capital: f64) -> Option<FlipBid> {
    let value = view.lot * price * (1.0 - margin);
    if view.bid < view.tab {
        let offer = view.tab.min(value).min(capital);
        let valid = offer >= view.tab || offer >= view.bid * view.beg;
        (offer > view.bid && offer > 0.0 && valid).then_some(FlipBid::Tend(offer))
    } else {
        if capital < view.tab || price <= 0.0 {
            return None;
        }
        let lot = view.tab / (price * (1.0 - margin));
        (lot * view.beg <= view.lot && lot > 0.0).then_some(FlipBid::Dent(lot))
    }
}

/// Whether a keeper with a gas budget of `budget_eth` left can afford a transaction of
/// `gas` units at `gwei`.
pub fn can_afford_gas(budget_eth: f64, gas: u64, gwei: f64) -> bool {
    budget_eth >= gas as f64 * gwei * 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: AuctionView = AuctionView {
        lot: 50.0,
        bid: 0.0,
        tab: 10_000.0,
        beg: 1.03,
    };

    #[test]
    fn tend_is_capped_by_value_tab_and_capital() {
        assert_eq!(flip_bid(V, 100.0, 0.0, 1e9), Some(FlipBid::Tend(5_000.0)));
        assert_eq!(
            flip_bid(V, 1_000.0, 0.0, 1e9),
            Some(FlipBid::Tend(10_000.0))
        );
        assert_eq!(flip_bid(V, 1_000.0, 0.0, 700.0), Some(FlipBid::Tend(700.0)));
        assert_eq!(flip_bid(V, 100.0, 0.0, 0.0), None);
    }

    #[test]
    fn tend_respects_beg_and_dent_lot_shrinks() {
        let v = AuctionView { bid: 4_900.0, ..V };
        assert_eq!(flip_bid(v, 100.0, 0.0, 1e9), None);
        let v = AuctionView { bid: 10_000.0, ..V };
        match flip_bid(v, 1_000.0, 0.0, 1e9) {
            Some(FlipBid::Dent(l)) => assert!((l - 10.0).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gas_strategies() {
        assert_eq!(gas_price_gwei(GasStrategy::Fixed(10.0), 200.0), 10.0);
        let m = GasStrategy::Market {
            multiplier: 1.5,
            cap_gwei: 100.0,
        };
        assert_eq!(gas_price_gwei(m, 20.0), 30.0);
        assert_eq!(gas_price_gwei(m, 200.0), 100.0);
        assert!(can_afford_gas(0.01, 100_000, 100.0));
        assert!(!can_afford_gas(0.009, 100_000, 100.0));
    }
}
