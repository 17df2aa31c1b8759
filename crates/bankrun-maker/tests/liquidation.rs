//! Cat.bite, Flipper auctions, OSM and Spot on a Black-Thursday-style ETH vault.

use bankrun_maker::cat::{CatIlk, chop_13_percent};
use bankrun_maker::math::{RAY, WAD};
use bankrun_maker::osm::Osm;
use bankrun_maker::spot::Spotter;
use bankrun_maker::{Cat, Flipper, Ilk, MakerError, U256, Urn, Vat};
use proptest::prelude::*;

const ETH: usize = 0;
const OWNER: u32 = 1;
const K1: u32 = 10;
const K2: u32 = 11;
const CAT: u32 = 900;
const VOW: u32 = 901;
const FLIP: u32 = 902;
const T0: u64 = 1_583_971_200; // 2020-03-12 00:00 UTC

fn rad(dai: u64) -> U256 {
    U256::from(dai) * WAD * RAY
}

/// ETH at $200, mat 150 %, one urn with 10 ETH and 1400 DAI debt (unsafe).
fn setup() -> (Vat, Cat, Flipper) {
    let spot = Spotter::new(RAY * U256::from(3) / U256::from(2))
        .spot(U256::from(200) * WAD, true)
        .unwrap();
    let mut vat = Vat::default();
    vat.ilks.push(Ilk {
        art: U256::from(1400) * WAD,
        rate: RAY,
        spot,
        line: rad(1_000_000),
        dust: U256::ZERO,
    });
    vat.urns.insert(
        (ETH, OWNER),
        Urn {
            ink: U256::from(10) * WAD,
            art: U256::from(1400) * WAD,
        },
    );
    vat.dai.insert(K1, rad(10_000));
    vat.dai.insert(K2, rad(10_000));
    let cat = Cat {
        ilks: vec![CatIlk {
            chop: chop_13_percent(),
            lump: U256::from(50) * WAD,
        }],
        live: true,
        address: CAT,
        vow: VOW,
    };
    let mut flip = Flipper::new(ETH, FLIP);
    flip.ttl = 600; // 10-minute bids as reported for 12 March 2020
    flip.tau = 6 * 3600;
    (vat, cat, flip)
}

#[test]
fn spot_is_price_over_mat_in_ray() {
    let (vat, _, _) = setup();
    assert_eq!(vat.ilks[ETH].spot, n("133333333333333333333333333333"));
}

fn n(s: &str) -> U256 {
    s.parse().unwrap()
}

#[test]
fn bite_takes_lot_and_books_tab_with_chop() {
    let (mut vat, cat, mut flip) = setup();
    let b = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap();
    assert_eq!(b.lot, U256::from(10) * WAD);
    assert_eq!(b.art, U256::from(1400) * WAD);
    assert_eq!(b.debt, rad(1400));
    assert_eq!(b.tab, rad(1582));
    assert_eq!(vat.urn(ETH, OWNER), Urn::default());
    assert_eq!(vat.gem_of(ETH, FLIP), U256::from(10) * WAD);
    assert_eq!(vat.sin[&VOW], rad(1400));
    let auction = flip.bid(b.id).unwrap();
    assert_eq!(
        (auction.bid, auction.tic, auction.end),
        (U256::ZERO, 0, T0 + 6 * 3600)
    );
}

#[test]
fn lump_limits_the_lot_and_art_is_pro_rata() {
    let (mut vat, mut cat, mut flip) = setup();
    cat.ilks[ETH].lump = U256::from(3) * WAD;
    let b = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap();
    assert_eq!(b.lot, U256::from(3) * WAD);
    assert_eq!(b.art, U256::from(420) * WAD);
    assert_eq!(vat.urn(ETH, OWNER).ink, U256::from(7) * WAD);
}

#[test]
fn safe_urns_cannot_be_bitten() {
    let (mut vat, cat, mut flip) = setup();
    vat.urns.insert(
        (ETH, OWNER),
        Urn {
            ink: U256::from(11) * WAD,
            art: U256::from(1400) * WAD,
        },
    );
    let before = (vat.clone(), flip.clone());
    assert_eq!(
        cat.bite(&mut vat, &mut flip, ETH, OWNER, T0),
        Err(MakerError::NotUnsafe)
    );
    assert_eq!((vat, flip), before);
}

#[test]
fn a_near_zero_bid_wins_when_nobody_else_bids() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let lot = U256::from(10) * WAD;
    assert_eq!(
        flip.tend(&mut vat, K1, id, lot, U256::ZERO, T0 + 1),
        Err(MakerError::BidNotHigher)
    );
    flip.tend(&mut vat, K1, id, lot, U256::from(1), T0 + 1)
        .unwrap();
    assert_eq!(
        flip.deal(&mut vat, id, T0 + 600),
        Err(MakerError::NotFinished)
    );
    let won = flip.deal(&mut vat, id, T0 + 602).unwrap();
    assert_eq!(won.guy, K1);
    assert_eq!(vat.gem_of(ETH, K1), lot);
    assert_eq!(
        vat.dai_of(VOW),
        U256::from(1),
        "the Vow raised 1 rad-wei for 1582 DAI of debt"
    );
}

#[test]
fn a_competing_bid_before_ttl_beats_the_zero_bid() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let lot = U256::from(10) * WAD;
    flip.tend(&mut vat, K1, id, lot, U256::from(1), T0 + 1)
        .unwrap();
    flip.tend(&mut vat, K2, id, lot, rad(1000), T0 + 300)
        .unwrap();
    assert_eq!(vat.dai_of(K1), rad(10_000), "outbid keeper refunded");
    assert_eq!(
        flip.deal(&mut vat, id, T0 + 600),
        Err(MakerError::NotFinished)
    );
    flip.deal(&mut vat, id, T0 + 901).unwrap();
    assert_eq!(vat.gem_of(ETH, K2), lot);
    assert_eq!(vat.dai_of(VOW), rad(1000));
}

#[test]
fn beg_is_enforced_and_tab_is_the_cap() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let lot = U256::from(10) * WAD;
    flip.tend(&mut vat, K1, id, lot, rad(1000), T0 + 1).unwrap();
    assert_eq!(
        flip.tend(&mut vat, K2, id, lot, rad(1049), T0 + 2),
        Err(MakerError::InsufficientIncrease)
    );
    flip.tend(&mut vat, K2, id, lot, rad(1050), T0 + 2).unwrap();
    assert_eq!(
        flip.tend(&mut vat, K1, id, lot, rad(1583), T0 + 3),
        Err(MakerError::HigherThanTab)
    );
    // a bid equal to tab is allowed even below beg·prev
    flip.tend(&mut vat, K1, id, lot, rad(1582), T0 + 3).unwrap();
    assert_eq!(
        flip.tend(&mut vat, K2, id, lot, rad(1582), T0 + 4),
        Err(MakerError::BidNotHigher)
    );
}

#[test]
fn dent_phase_lowers_the_lot_and_returns_collateral_to_the_owner() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let lot = U256::from(10) * WAD;
    assert_eq!(
        flip.dent(&mut vat, K1, id, lot - WAD, U256::ZERO, T0 + 1),
        Err(MakerError::TendNotFinished)
    );
    flip.tend(&mut vat, K1, id, lot, rad(1582), T0 + 1).unwrap();
    let small_cut = lot * U256::from(99) / U256::from(100);
    assert_eq!(
        flip.dent(&mut vat, K2, id, small_cut, rad(1582), T0 + 2),
        Err(MakerError::InsufficientDecrease)
    );
    assert_eq!(
        flip.dent(&mut vat, K2, id, lot, rad(1582), T0 + 2),
        Err(MakerError::LotNotLower)
    );
    flip.dent(&mut vat, K2, id, U256::from(9) * WAD, rad(1582), T0 + 2)
        .unwrap();
    assert_eq!(vat.gem_of(ETH, OWNER), WAD);
    assert_eq!(vat.dai_of(K1), rad(10_000));
    assert_eq!(
        flip.yank(&mut vat, VOW, id),
        Err(MakerError::AlreadyDentPhase)
    );
    flip.deal(&mut vat, id, T0 + 603).unwrap();
    assert_eq!(vat.gem_of(ETH, K2), U256::from(9) * WAD);
}

#[test]
fn tick_restarts_only_unbid_expired_auctions() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let end = T0 + 6 * 3600;
    assert_eq!(flip.tick(id, end), Err(MakerError::NotFinished));
    assert_eq!(
        flip.tend(&mut vat, K1, id, U256::from(10) * WAD, rad(1), end),
        Err(MakerError::AlreadyFinishedEnd)
    );
    assert_eq!(
        flip.deal(&mut vat, id, end + 1),
        Err(MakerError::NotFinished),
        "no bid, nothing to deal"
    );
    flip.tick(id, end + 1).unwrap();
    assert_eq!(flip.bid(id).unwrap().end, end + 1 + 6 * 3600);
    flip.tend(&mut vat, K1, id, U256::from(10) * WAD, rad(1), end + 2)
        .unwrap();
    assert_eq!(
        flip.tick(id, end + 7 * 3600),
        Err(MakerError::BidAlreadyPlaced)
    );
}

#[test]
fn keeper_without_dai_cannot_bid() {
    let (mut vat, cat, mut flip) = setup();
    let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
    let before = (vat.clone(), flip.clone());
    assert_eq!(
        flip.tend(&mut vat, 77, id, U256::from(10) * WAD, rad(1), T0 + 1),
        Err(MakerError::Underflow)
    );
    assert_eq!((vat, flip), before);
}

#[test]
fn osm_releases_prices_one_hop_late() {
    let mut osm = Osm::default();
    let p = |x: u64| U256::from(x) * WAD;
    osm.poke(T0, p(190), true).unwrap();
    assert_eq!(osm.peek(), (U256::ZERO, false));
    assert_eq!(
        osm.poke(T0 + 1800, p(150), true),
        Err(MakerError::OsmNotPassed)
    );
    osm.poke(T0 + 3600, p(120), true).unwrap();
    assert_eq!(osm.peek(), (p(190), true));
    assert_eq!(osm.peep(), (p(120), true));
    // a poke late in the hop still aligns zzz to the hop start
    osm.poke(T0 + 2 * 3600 + 3599, p(110), true).unwrap();
    assert_eq!(osm.zzz, T0 + 2 * 3600);
    assert_eq!(osm.read().unwrap(), p(120));
    osm.poke(T0 + 3 * 3600, p(100), false).unwrap();
    assert_eq!(
        osm.read().unwrap(),
        p(120),
        "no source value: nothing moves"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn accepted_bids_rise_by_beg_then_lots_fall_by_beg(
        bids in prop::collection::vec(1u64..2000, 1..12),
        lots in prop::collection::vec(1u64..10_000, 0..8),
    ) {
        let (mut vat, cat, mut flip) = setup();
        let id = cat.bite(&mut vat, &mut flip, ETH, OWNER, T0).unwrap().id;
        let lot = U256::from(10) * WAD;
        let mut t = T0;
        for (k, b) in bids.iter().enumerate() {
            t += 1;
            let prev = flip.bid(id).unwrap();
            let who = if k % 2 == 0 { K1 } else { K2 };
            if flip.tend(&mut vat, who, id, lot, rad(*b), t).is_ok() {
                let now = flip.bid(id).unwrap();
                prop_assert!(now.bid > prev.bid && now.bid <= now.tab);
                prop_assert!(now.bid * WAD >= flip.beg * prev.bid || now.bid == now.tab);
            }
        }
        for (k, l) in lots.iter().enumerate() {
            t += 1;
            let prev = flip.bid(id).unwrap();
            let who = if k % 2 == 0 { K1 } else { K2 };
            let new_lot = U256::from(*l) * WAD / U256::from(1000);
            if flip.dent(&mut vat, who, id, new_lot, prev.bid, t).is_ok() {
                let now = flip.bid(id).unwrap();
                prop_assert!(now.lot < prev.lot && flip.beg * now.lot <= prev.lot * WAD);
                prop_assert_eq!(now.bid, now.tab);
            }
        }
        // collateral is conserved: Flipper + owner hold the 10 ETH
        prop_assert_eq!(vat.gem_of(ETH, FLIP) + vat.gem_of(ETH, OWNER), lot);
        // DAI is conserved among keepers and the Vow
        prop_assert_eq!(vat.dai_of(K1) + vat.dai_of(K2) + vat.dai_of(VOW), rad(20_000));
    }
}
