//! The pieces of a discount without redemption (the stETH scenario), on a Curve stETH/ETH
//! pool with `A_PRECISION` 100: the dip buyer buys only below its price and within its budget;
//! the liquidator holds what it seized below its floor; holders with a floor wait below it and
//! sell above it, reading a feed's market price.

use bankrun_aave::U256;
use bankrun_chain::rng::stream;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::curve::StableSwap;
use bankrun_world::agents::{
    DipBuyer, DipBuyerSpec, HolderCohortSpec, Liquidator, PegHolders, RiskWeights, Signals,
};
use bankrun_world::venues::Curve;
use bankrun_world::{Agent, ChainConfig, GasSchedule, Publisher, Source, World};

const T0: u64 = 1_654_646_400; // 2022-06-08T00:00Z
const ETH: TokenId = 0;
const STETH: TokenId = 1;
const CURVE: u32 = 0;

fn e18(x: u64) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(18u64))
}

/// A world with the pool at `eth` / `steth` coins (A = 50, fee 1 bp).
fn world(eth: u64, steth: u64) -> World {
    let mut w = World::new(
        ChainConfig {
            start: T0,
            block_time_s: 13,
            block_gas: 30_000_000,
            gas: GasSchedule::default(),
        },
        1,
    );
    let pool = StableSwap::new(
        vec![e18(1), e18(1)],
        U256::from(5000u64),
        U256::from(1_000_000u64),
        U256::from(5_000_000_000u64),
    )
    .with_a_precision(U256::from(100u64));
    let c = Curve::new("curve", pool, vec![(ETH, 18), (STETH, 18)]).unwrap();
    assert_eq!(w.add_venue(Box::new(c)), CURVE);
    w.ledger_mut()
        .mint(ETH, Holder::Venue(CURVE), e18(eth))
        .unwrap();
    w.ledger_mut()
        .mint(STETH, Holder::Venue(CURVE), e18(steth))
        .unwrap();
    w.with_venue(CURVE, |v, env| v.sync_liquidity(env)).unwrap();
    w
}

fn price(w: &World) -> f64 {
    w.view().venue(CURVE).unwrap().price(STETH, ETH).unwrap()
}

fn buyer(below: f64, budget: u64) -> DipBuyer {
    DipBuyer::new(DipBuyerSpec {
        name: "buyer".into(),
        venue: CURVE,
        tokens: (STETH, ETH),
        below,
        clip: e18(100),
        budget: e18(budget),
        every_blocks: 1,
        from: 0,
        priority_gwei: 1.0,
    })
}

#[test]
fn the_dip_buyer_buys_below_its_price_within_its_budget() {
    // An imbalanced pool: stETH trades below 0.96.
    let mut w = world(100_000, 900_000);
    let p0 = price(&w);
    assert!(p0 < 0.96, "{p0}");
    w.ledger_mut()
        .mint(ETH, Holder::Agent(0), e18(10_000))
        .unwrap();
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(buyer(0.96, 450))];
    for _ in 0..10 {
        w.step(&mut agents).unwrap();
    }
    let b = agents[0].as_any().downcast_ref::<DipBuyer>().unwrap();
    // 100 ETH a block until the 450 ETH budget: 4 clips of 100, then 50.
    assert_eq!(b.spent, e18(450));
    assert_eq!(b.buys, 5);
    assert_eq!(w.ledger().balance(ETH, Holder::Agent(0)), e18(10_000 - 450));
    assert_eq!(w.ledger().balance(STETH, Holder::Agent(0)), b.bought);
    assert!(b.bought > e18(450), "bought at a discount");
    assert!(price(&w) > p0);
    // Above its price it does nothing.
    let mut w = world(500_000, 500_000);
    w.ledger_mut()
        .mint(ETH, Holder::Agent(0), e18(10_000))
        .unwrap();
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(buyer(0.96, 450))];
    for _ in 0..5 {
        w.step(&mut agents).unwrap();
    }
    let b = agents[0].as_any().downcast_ref::<DipBuyer>().unwrap();
    assert_eq!((b.buys, b.spent), (0, U256::ZERO));
}

#[test]
fn the_liquidator_holds_seized_collateral_below_its_floor() {
    for (floor, sells) in [(0.99, false), (0.5, true)] {
        let mut w = world(100_000, 900_000);
        // It holds seized stETH (as after a liquidation) and watches no protocol: it only
        // unwinds.
        w.ledger_mut()
            .mint(STETH, Holder::Agent(0), e18(1_000))
            .unwrap();
        let l = Liquidator::new("liq", vec![], ETH, e18(1), 1.0)
            .selling_into(ETH)
            .selling_above(floor)
            .with_seized(STETH);
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(l)];
        w.step(&mut agents).unwrap();
        let left = w.ledger().balance(STETH, Holder::Agent(0));
        assert_eq!(left.is_zero(), sells, "floor {floor}");
    }
}

fn holders(hold_below: f64, feed: u32) -> PegHolders {
    let n = 20;
    PegHolders::new(
        HolderCohortSpec {
            name: "holders".into(),
            in_anchor: false,
            accounts: (100..100 + n).collect(),
            stake: 2_000.0,
            thresholds: vec![0.001; n as usize],
            contrarian: vec![false; n as usize],
            attention_per_hour: 1_000.0,
            news_multiplier: 1.0,
            alert_price: 0.95,
            exit_fraction: 1.0,
            sell_share: 1.0,
            hold_below,
            weights: RiskWeights {
                kink: 0.0,
                outflow: 0.0,
                coverage: 0.0,
            },
            news: Vec::new(),
            signals: Signals {
                token: STETH,
                quote: ETH,
                decimals: 18,
                par: 1.0,
                kink_below: 0.95,
                coverage: None,
                anchor: None,
                sell_venues: vec![CURVE],
                price_feed: Some(feed),
            },
            block_seconds: 13,
            priority_gwei: 1.0,
        },
        stream(1, "holders"),
    )
    .unwrap()
}

#[test]
fn holders_with_a_floor_wait_below_it_and_sell_above_it() {
    // The feed reads the pool: holders read its market price.
    for (hold_below, sells) in [(0.99, false), (0.90, true)] {
        let mut w = world(200_000, 800_000);
        let p = price(&w);
        assert!(p > 0.90 && p < 0.99, "{p}");
        let feed = w
            .oracles_mut()
            .add_feed(
                "stETH/ETH",
                Source::Venue {
                    venue: CURVE,
                    token: STETH,
                    quote_token: ETH,
                    quote_feed: None,
                },
                Publisher::Direct,
            )
            .unwrap();
        for a in 100..120 {
            w.ledger_mut()
                .mint(STETH, Holder::Agent(a), e18(100))
                .unwrap();
        }
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(holders(hold_below, feed))];
        for _ in 0..20 {
            w.step(&mut agents).unwrap();
        }
        let h = agents[0].as_any().downcast_ref::<PegHolders>().unwrap();
        assert_eq!(!h.sold.is_zero(), sells, "hold_below {hold_below}");
    }
}
