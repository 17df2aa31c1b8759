//! Venues through the world's one interface: balances move in the ledger, prices respond, and
//! an oracle reading a venue publishes the move.

use bankrun_aave::U256;
use bankrun_chain::Holder;
use bankrun_dex::cex::{CexMarket, CexVenue, VenueSet};
use bankrun_dex::curve::StableSwap;
use bankrun_world::venues::{Cex, Curve};
use bankrun_world::{Call, ChainConfig, GasSchedule, Publisher, Source, Target, World};

const T0: u64 = 1_700_000_000;

fn tok(x: u64, dec: u8) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(dec))
}

fn world() -> World {
    World::new(
        ChainConfig {
            start: T0,
            block_time_s: 12,
            block_gas: 30_000_000,
            gas: GasSchedule::default(),
        },
        1,
    )
}

#[test]
fn curve_swap_moves_the_ledger_and_the_feed() {
    let (dai, usdc, usdt) = (0, 1, 2);
    let mut w = world();
    let pool = StableSwap::three_pool(
        U256::from(100u64),
        U256::from(1_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let v = w.add_venue(Box::new(
        Curve::new("3pool", pool, vec![(dai, 18), (usdc, 6), (usdt, 6)]).unwrap(),
    ));
    for (t, d) in [(dai, 18), (usdc, 6), (usdt, 6)] {
        w.ledger_mut()
            .mint(t, Holder::Venue(v), tok(100_000_000, d))
            .unwrap();
    }
    w.with_venue(v, |venue, env| venue.sync_liquidity(env))
        .unwrap();
    let feed = w
        .oracles_mut()
        .add_feed(
            "USDC/USD",
            Source::Venue {
                venue: v,
                token: usdc,
                quote_token: usdt,
                quote_feed: None,
            },
            Publisher::Direct,
        )
        .unwrap();
    w.publish_oracles().unwrap();
    let before = w.oracles_mut().answer(feed).unwrap();
    assert!((99_900_000..=100_100_000).contains(&before), "{before}");

    // A holder dumps 80M USDC for USDT: the pool goes off balance and USDC trades below peg.
    w.ledger_mut()
        .mint(usdc, Holder::Agent(0), tok(80_000_000, 6))
        .unwrap();
    let sell = Call::SwapExactIn {
        token_in: usdc,
        token_out: usdt,
        amount_in: tok(80_000_000, 6),
        min_out: U256::ZERO,
    };
    let got = w.execute_now(0, Target::Venue(v), &sell).unwrap().amount;
    assert!(
        got < tok(80_000_000, 6) && got > tok(60_000_000, 6),
        "{got}"
    );
    assert_eq!(w.ledger().balance(usdt, Holder::Agent(0)), got);
    assert_eq!(w.ledger().balance(usdc, Holder::Agent(0)), U256::ZERO);
    w.ledger().check_conservation().unwrap();
    w.publish_oracles().unwrap();
    let after = w.oracles_mut().answer(feed).unwrap();
    assert!(
        after < before - 1_000_000,
        "USDC below $0.99 on the pool: {after}"
    );

    // A slippage limit above the output reverts and changes nothing.
    w.ledger_mut()
        .mint(usdc, Holder::Agent(0), tok(1_000, 6))
        .unwrap();
    let ledger = w.ledger().clone();
    let greedy = Call::SwapExactIn {
        token_in: usdc,
        token_out: usdt,
        amount_in: tok(1_000, 6),
        min_out: tok(1_001, 6),
    };
    assert!(w.execute_now(0, Target::Venue(v), &greedy).is_err());
    assert_eq!(w.ledger(), &ledger);
}

#[test]
fn cex_sale_lowers_the_mid_which_decays_back() {
    let (eth, usd) = (0, 1);
    let mut w = world();
    let fit = CexVenue::fitted(2000.0, VenueSet::Major).unwrap();
    let market = CexMarket::new(2000.0, fit, 1.0, 600.0, T0 as i64);
    let path = vec![(T0 as i64, 2000.0)];
    let v = w.add_venue(Box::new(
        Cex::new("eth-cex", market, path, (eth, 18), (usd, 6)).unwrap(),
    ));
    w.ledger_mut()
        .mint(usd, Holder::Venue(v), tok(1_000_000_000, 6))
        .unwrap();
    w.ledger_mut()
        .mint(eth, Holder::Agent(0), tok(10_000, 18))
        .unwrap();
    let view_mid = |w: &World| w.view().venue(v).unwrap().price(eth, usd).unwrap();
    assert_eq!(view_mid(&w), 2000.0);
    let sell = Call::SwapExactIn {
        token_in: eth,
        token_out: usd,
        amount_in: tok(10_000, 18),
        min_out: U256::ZERO,
    };
    let got = w.execute_now(0, Target::Venue(v), &sell).unwrap().amount;
    let low = view_mid(&w);
    assert!(low < 2000.0, "{low}");
    assert!(
        got < tok(20_000_000, 6),
        "a market sale fills below the mid: {got}"
    );
    w.ledger().check_conservation().unwrap();
    for _ in 0..100 {
        w.step(&mut []).unwrap();
    }
    let later = view_mid(&w);
    assert!(
        later > low && later < 2000.0,
        "impact decays: {low} → {later}"
    );
}

#[test]
fn psm_mints_and_burns_dai_at_par_less_fees() {
    use bankrun_maker::psm::Psm as PsmState;
    use bankrun_world::venues::Psm;
    let (usdc, dai) = (0, 1);
    let wad = U256::from(1_000_000_000_000_000_000u128);
    let tin = wad / U256::from(1000u64); // 0.1 %
    let line = tok(1_000_000_000, 45); // rad
    let mut w = world();
    let v = w.add_venue(Box::new(Psm::new(
        "psm-usdc-a",
        PsmState::new(6, tin, U256::ZERO, line),
        usdc,
        dai,
    )));
    w.ledger_mut()
        .mint(usdc, Holder::Agent(0), tok(1_000_000, 6))
        .unwrap();
    let sell = Call::SwapExactIn {
        token_in: usdc,
        token_out: dai,
        amount_in: tok(1_000_000, 6),
        min_out: U256::ZERO,
    };
    let got = w.execute_now(0, Target::Venue(v), &sell).unwrap().amount;
    assert_eq!(got, tok(999_000, 18), "par less 0.1 %");
    assert_eq!(
        w.ledger().supply(dai),
        tok(1_000_000, 18),
        "DAI minted = gem18, fee to the Vow"
    );
    let buy = Call::SwapExactIn {
        token_in: dai,
        token_out: usdc,
        amount_in: tok(500_000, 18),
        min_out: U256::ZERO,
    };
    let gem = w.execute_now(0, Target::Venue(v), &buy).unwrap().amount;
    assert_eq!(gem, tok(500_000, 6), "tout = 0: par");
    assert_eq!(w.ledger().supply(dai), tok(500_000, 18), "DAI burnt");
    w.ledger().check_conservation().unwrap();
    let too_much = Call::SwapExactIn {
        token_in: dai,
        token_out: usdc,
        amount_in: tok(499_000, 18),
        min_out: tok(499_001, 6),
    };
    assert!(w.execute_now(0, Target::Venue(v), &too_much).is_err());
}
