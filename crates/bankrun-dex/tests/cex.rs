//! The fitted CEX venue: shipped parameters, monotone impact, fills between mids.

use bankrun_dex::DexError;
use bankrun_dex::cex::{CexVenue, VenueSet, fitted_params, impact};
use proptest::prelude::*;

#[test]
fn shipped_parameters_reproduce_two_percent_at_the_summed_depth() {
    for set in [VenueSet::All, VenueSet::Major] {
        let p = fitted_params(set).unwrap();
        assert!((impact(p.k_sell, p.depth_sell_usd).unwrap() - 0.02).abs() < 1e-6);
        assert!((impact(p.k_buy, p.depth_buy_usd).unwrap() - 0.02).abs() < 1e-6);
    }
    let all = fitted_params(VenueSet::All).unwrap();
    let major = fitted_params(VenueSet::Major).unwrap();
    assert!(major.k_sell > all.k_sell, "fewer venues, shallower book");
    assert!((all.depth_sell_usd - 459_177_985.0).abs() < 1.0);
}

#[test]
fn a_ten_million_dollar_sale_moves_eth_about_a_third_of_a_percent() {
    let mut v = CexVenue::fitted(1565.0, VenueSet::All).unwrap();
    let f = v.sell(1e7 / 1565.0).unwrap();
    assert!((f.impact - 0.00295).abs() < 0.0001, "{}", f.impact);
    assert!(v.mid < 1565.0);
}

#[test]
fn exhausting_the_book_is_rejected() {
    let v = CexVenue::fitted(1565.0, VenueSet::Major).unwrap();
    assert_eq!(
        v.quote_sell(1e12).unwrap_err(),
        DexError::InsufficientLiquidity
    );
    assert_eq!(v.quote_sell(-1.0).unwrap_err(), DexError::InvalidInput);
}

proptest! {
    #[test]
    fn price_impact_is_monotone_and_fills_lie_between_mids(a in 0.0f64..50_000.0, b in 0.0f64..50_000.0) {
        let v = CexVenue::fitted(1565.0, VenueSet::Major).unwrap();
        let (small, large) = (a.min(b), a.max(b));
        let (fs, fl) = (v.quote_sell(small).unwrap(), v.quote_sell(large).unwrap());
        prop_assert!(fl.impact >= fs.impact);
        prop_assert!(fl.new_mid <= fs.new_mid);
        if large > 0.0 {
            let avg = fl.quote / large;
            prop_assert!(avg <= v.mid && avg >= fl.new_mid);
            // average price worsens with size
            if small > 0.0 { prop_assert!(avg <= fs.quote / small + 1e-9); }
        }
        let (bs, bl) = (v.quote_buy(small).unwrap(), v.quote_buy(large).unwrap());
        prop_assert!(bl.impact >= bs.impact && bl.new_mid >= bs.new_mid);
    }
}
