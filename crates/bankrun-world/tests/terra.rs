//! The Terra parts of the world: the market module and Anchor as protocols, the Curve pool's
//! single-sided withdrawal, scripted calls with a price condition, and the peg arbitrageur.
//! Each test checks what moved in the ledger against the protocol crate's own figures.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::cex::{CexMarket, CexVenue, VenueSet};
use bankrun_dex::curve::StableSwap;
use bankrun_world::agents::{
    Condition, Outcome, PegArbitrageur, PegArbitrageurSpec, ScriptedCall, ScriptedCalls,
};
use bankrun_world::protocols::{Anchor, AnchorGenesis, TerraMarket};
use bankrun_world::venues::{Cex, Curve};
use bankrun_world::{
    Agent, Call, ChainConfig, GasSchedule, Publisher, Source, Target, TerraCall, World,
};

const T0: u64 = 1_651_881_600; // 2022-05-07T00:00Z
const UST: TokenId = 0;
const LUNA: TokenId = 1;
const USD: TokenId = 2;
const AUST: TokenId = 3;
const ANCHOR: u32 = 0;
const MARKET: u32 = 1;
const CURVE: u32 = 0;
const UST_BOOK: u32 = 1;
const LUNA_BOOK: u32 = 2;
const TRADER: u32 = 7;

fn units(x: u64) -> U256 {
    U256::from(x) * U256::from(1_000_000u64)
}

fn world() -> World {
    World::new(
        ChainConfig {
            start: T0,
            block_time_s: 6,
            block_gas: 100_000_000,
            gas: GasSchedule::default(),
        },
        1,
    )
}

/// Anchor with 1,000 UST of deposits at exchange rate 1.2, one borrower (id 100) owing 300 UST
/// against 10 LUNA at $80, and a 50 UST yield reserve; funded in the ledger.
fn anchor(w: &mut World) -> u32 {
    let g = AnchorGenesis {
        deposits: units(1_000),
        exchange_rate: 1.2,
        yield_reserve: units(50),
        deposit_rate: 0.18,
        epoch_blocks: 1_681,
        luna_price: 80.0,
        borrowers: vec![(100, units(10), units(300))],
        bid_premium: 0.05,
    };
    let a = Anchor::new("anchor", (UST, AUST, LUNA), g).unwrap();
    let held = a.genesis_holdings();
    let supply = a.a_ust_supply();
    let id = w.add_protocol(Box::new(a));
    for (t, x) in held {
        w.ledger_mut().mint(t, Holder::Protocol(id), x).unwrap();
    }
    w.ledger_mut()
        .mint(AUST, Holder::Agent(TRADER), supply)
        .unwrap();
    id
}

/// The market module at the May 2022 parameters, LUNA at $70 (posted directly).
fn market(w: &mut World) -> u32 {
    let mut m = TerraMarket::new("terra-market", (UST, LUNA), 1.4, 50e6, 36, 0.005).unwrap();
    use bankrun_world::Protocol;
    m.post_price(LUNA, 70 * 100_000_000, T0).unwrap();
    w.add_protocol(Box::new(m))
}

fn market_of(w: &World) -> &TerraMarket {
    w.protocol(MARKET)
        .and_then(|p| p.as_any().downcast_ref::<TerraMarket>())
        .unwrap()
}

#[test]
fn a_market_swap_burns_the_offer_and_mints_the_return_and_the_fee() {
    let mut w = world();
    anchor(&mut w);
    market(&mut w);
    w.ledger_mut()
        .mint(UST, Holder::Agent(TRADER), units(1_400_000))
        .unwrap();
    let quoted = market_of(&w)
        .quote_swap(UST, units(1_400_000), LUNA)
        .unwrap();
    let (ust0, luna0) = (w.ledger().supply(UST), w.ledger().supply(LUNA));
    let call = Call::SwapExactIn {
        token_in: UST,
        token_out: LUNA,
        amount_in: units(1_400_000),
        min_out: U256::ZERO,
    };
    let e = w
        .execute_now(TRADER, Target::Protocol(MARKET), &call)
        .unwrap();
    // 1.4M UST at $70/LUNA and 1.4 USD/SDR is 1M SDR: vector T1 of protocol-math §8 (spread
    // 1/51), so the trader gets 19,607.843137 LUNA and the oracle pool the rest of 20,000.
    assert_eq!(e.amount, U256::from(19_607_843_137u64));
    assert_eq!(e.amount, quoted, "the quote is what the swap pays");
    assert_eq!(w.ledger().supply(UST), ust0 - units(1_400_000));
    assert_eq!(
        w.ledger().supply(LUNA),
        luna0 + U256::from(20_000_000_000u64)
    );
    assert_eq!(
        w.ledger().balance(LUNA, Holder::Protocol(MARKET)),
        U256::from(392_156_863u64)
    );
    w.check_invariants().unwrap();
    assert!((market_of(&w).pool_delta_sdr() - 1e6).abs() < 1e-6);
    // The EndBlocker: one block replenishes 1/36 of the delta.
    w.step(&mut Vec::<Box<dyn Agent>>::new()).unwrap();
    assert!((market_of(&w).pool_delta_sdr() - 1e6 * 35.0 / 36.0).abs() < 1e-3);
}

#[test]
fn governance_changes_the_spread_and_the_halt_stops_swaps() {
    let mut w = world();
    anchor(&mut w);
    market(&mut w);
    let before = market_of(&w).spread_of_sdr(1e6).unwrap();
    w.execute_now(
        0,
        Target::Protocol(MARKET),
        &Call::Terra(TerraCall::BasePool(100_000_000)),
    )
    .unwrap();
    let after = market_of(&w).spread_of_sdr(1e6).unwrap();
    // T1 → T3: 1/51 → 1/101.
    assert!((before - 1.0 / 51.0).abs() < 1e-12, "{before}");
    assert!((after - 1.0 / 101.0).abs() < 1e-12, "{after}");
    w.execute_now(
        0,
        Target::Protocol(MARKET),
        &Call::Terra(TerraCall::MinSpread(1_000_000)),
    )
    .unwrap();
    w.ledger_mut()
        .mint(UST, Holder::Agent(TRADER), units(10))
        .unwrap();
    let swap = Call::SwapExactIn {
        token_in: UST,
        token_out: LUNA,
        amount_in: units(10),
        min_out: U256::ZERO,
    };
    let err = w
        .execute_now(TRADER, Target::Protocol(MARKET), &swap)
        .unwrap_err();
    assert!(err.to_string().contains("ZeroSwapCoin"), "{err}");
    assert_eq!(w.ledger().balance(UST, Holder::Agent(TRADER)), units(10));
}

#[test]
fn anchor_deposit_and_redeem_move_ust_and_aust_at_the_exchange_rate() {
    let mut w = world();
    anchor(&mut w);
    market(&mut w);
    w.check_invariants().unwrap();
    w.ledger_mut()
        .mint(UST, Holder::Agent(1), units(120))
        .unwrap();
    let anchor_of = |w: &World| {
        let a = w.protocol(ANCHOR).unwrap();
        let a = a.as_any().downcast_ref::<Anchor>().unwrap();
        let target = a.overseer().target_deposit_rate();
        a.market().exchange_rate(0, target).unwrap()
    };
    // The genesis aUST supply is ⌊1,000 / 1.2⌋, so the rate is a hair above 1.2.
    let rate = anchor_of(&w);
    assert!(rate > bankrun_anchor::Decimal256::permille(1_200));
    let e = w
        .execute_now(
            1,
            Target::Protocol(ANCHOR),
            &Call::Supply {
                token: UST,
                amount: units(120),
            },
        )
        .unwrap();
    // ⌊120 / rate⌋ aUST: one micro-unit short of 100.
    let minted = bankrun_anchor::Uint256(units(120)).div_dec(rate).unwrap().0;
    assert_eq!(e.amount, minted);
    assert_eq!(minted, units(100) - U256::from(1u8));
    assert_eq!(w.ledger().balance(AUST, Holder::Agent(1)), minted);
    let r = w
        .execute_now(
            1,
            Target::Protocol(ANCHOR),
            &Call::Withdraw {
                token: AUST,
                amount: units(50),
            },
        )
        .unwrap();
    // ⌊50 · rate⌋ UST back.
    let back = bankrun_anchor::Uint256(units(50))
        .mul_dec(anchor_of(&w))
        .unwrap()
        .0;
    assert_eq!(r.amount, back);
    assert!(back >= units(60) && back < units(60) + U256::from(10u8));
    assert_eq!(w.ledger().balance(UST, Holder::Agent(1)), back);
    w.check_invariants().unwrap();
    // More than the market holds less its reserves: "not enough stable", nothing moves.
    let all = w.ledger().balance(AUST, Holder::Agent(TRADER));
    let before = w.ledger().balance(UST, Holder::Protocol(ANCHOR));
    let err = w
        .execute_now(
            TRADER,
            Target::Protocol(ANCHOR),
            &Call::Withdraw {
                token: AUST,
                amount: all,
            },
        )
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("stable"), "{err}");
    assert_eq!(w.ledger().balance(UST, Holder::Protocol(ANCHOR)), before);
    assert_eq!(w.ledger().balance(AUST, Holder::Agent(TRADER)), all);
}

#[test]
fn an_anchor_liquidation_after_a_luna_fall_pays_the_loan_and_hands_over_collateral() {
    let mut w = world();
    anchor(&mut w);
    market(&mut w);
    let safe = w.protocol(ANCHOR).unwrap().candidates(T0).unwrap();
    assert!(
        safe.is_empty(),
        "300 UST against 10 LUNA at $80 (limit 640)"
    );
    w.with_protocol(ANCHOR, |p, _| p.post_price(LUNA, 30 * 100_000_000, T0))
        .unwrap();
    let c = w.protocol(ANCHOR).unwrap().candidates(T0).unwrap();
    assert_eq!(c.len(), 1, "limit 10 · $30 · 0.8 = 240 < 300");
    w.ledger_mut()
        .mint(UST, Holder::Agent(5), c[0].max_repay)
        .unwrap();
    let call = Call::Liquidate {
        borrower: 100,
        debt: UST,
        collateral: LUNA,
        repay: c[0].max_repay,
    };
    let e = w.execute_now(5, Target::Protocol(ANCHOR), &call).unwrap();
    let (_, seized) = e.seized.unwrap();
    assert!(!seized.is_zero() && seized <= units(10));
    assert_eq!(w.ledger().balance(LUNA, Holder::Agent(5)), seized);
    let spent = c[0].max_repay - w.ledger().balance(UST, Holder::Agent(5));
    // The bidder pays the collateral at the premium price: 30 · 0.95 per LUNA (less the
    // liquidator fee it gets back), and the loan falls by what was repaid.
    let paid_per_luna = spent.to::<u128>() as f64 / seized.to::<u128>() as f64;
    assert!(
        paid_per_luna < 30.0 * 0.95 && paid_per_luna > 27.0,
        "{paid_per_luna}"
    );
    let debt = w.protocol(ANCHOR).unwrap().debt_of(100, UST, T0).unwrap();
    assert_eq!(debt, units(300) - e.amount);
    w.check_invariants().unwrap();
}

#[test]
fn the_curve_pool_pays_a_single_sided_withdrawal_from_its_own_position() {
    let mut w = world();
    let pool = StableSwap::new(
        vec![U256::from(10u64).pow(U256::from(30u64)); 2],
        U256::from(100u64),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let id = w.add_venue(Box::new(
        Curve::new("ust-3crv", pool, vec![(UST, 6), (USD, 6)]).unwrap(),
    ));
    w.ledger_mut()
        .mint(UST, Holder::Venue(id), units(1_000))
        .unwrap();
    w.ledger_mut()
        .mint(USD, Holder::Venue(id), units(1_000))
        .unwrap();
    w.with_venue(id, |v, env| v.sync_liquidity(env)).unwrap();
    let p0 = w.view().venue(id).unwrap().price(UST, USD).unwrap();
    let call = Call::RemoveLiquidity {
        token: UST,
        amount: units(300),
    };
    let e = w.execute_now(9, Target::Venue(id), &call).unwrap();
    assert!(!e.amount.is_zero(), "LP burned");
    assert_eq!(w.ledger().balance(UST, Holder::Agent(9)), units(300));
    let p1 = w.view().venue(id).unwrap().price(UST, USD).unwrap();
    assert!(p1 > p0, "less UST in the pool: UST dearer ({p0} → {p1})");
    w.check_invariants().unwrap();
    let too_much = Call::RemoveLiquidity {
        token: UST,
        amount: units(800),
    };
    assert!(w.execute_now(9, Target::Venue(id), &too_much).is_err());
    assert_eq!(w.ledger().balance(UST, Holder::Agent(9)), units(300));
}

/// A world with the UST and LUNA books (LUNA at $70, UST at `ust`), the market module and the
/// Curve pool; the arbitrageur (agent 0) holds 10M dollars.
fn peg_world(ust: f64) -> World {
    let mut w = world();
    anchor(&mut w);
    market(&mut w);
    let pool = StableSwap::new(
        vec![U256::from(10u64).pow(U256::from(30u64)); 2],
        U256::from(100u64),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let c = w.add_venue(Box::new(
        Curve::new("curve", pool, vec![(UST, 6), (USD, 6)]).unwrap(),
    ));
    assert_eq!(c, CURVE);
    w.ledger_mut()
        .mint(UST, Holder::Venue(c), units(50_000_000))
        .unwrap();
    w.ledger_mut()
        .mint(USD, Holder::Venue(c), units(50_000_000))
        .unwrap();
    w.with_venue(c, |v, env| v.sync_liquidity(env)).unwrap();
    let book = |name: &str, price: f64, base| {
        let m = CexMarket::new(
            price,
            CexVenue::fitted(price, VenueSet::Major).unwrap(),
            1.0,
            0.0,
            T0 as i64,
        );
        Cex::new(name, m, vec![(T0 as i64, price)], (base, 6), (USD, 6)).unwrap()
    };
    assert_eq!(w.add_venue(Box::new(book("cex-ust", ust, UST))), UST_BOOK);
    assert_eq!(
        w.add_venue(Box::new(book("cex-luna", 70.0, LUNA))),
        LUNA_BOOK
    );
    for v in [UST_BOOK, LUNA_BOOK] {
        w.ledger_mut()
            .mint(USD, Holder::Venue(v), units(1_000_000_000))
            .unwrap();
    }
    w.ledger_mut()
        .mint(UST, Holder::Venue(UST_BOOK), units(1_000_000_000))
        .unwrap();
    w.ledger_mut()
        .mint(LUNA, Holder::Venue(LUNA_BOOK), units(10_000_000))
        .unwrap();
    let f = w
        .oracles_mut()
        .add_feed(
            "LUNA/USD",
            Source::Venue {
                venue: LUNA_BOOK,
                token: LUNA,
                quote_token: USD,
                quote_feed: None,
            },
            Publisher::Direct,
        )
        .unwrap();
    w.oracles_mut().bind(f, MARKET, LUNA).unwrap();
    w.ledger_mut()
        .mint(USD, Holder::Agent(0), units(10_000_000))
        .unwrap();
    w
}

fn arbitrageur() -> PegArbitrageur {
    PegArbitrageur::new(PegArbitrageurSpec {
        name: "arb".into(),
        market: MARKET,
        ust_venues: (CURVE, UST_BOOK),
        luna_venue: LUNA_BOOK,
        tokens: (UST, LUNA, USD),
        decimals: 6,
        capital_usd: 5e6,
        min_profit_usd: 100.0,
        latency_blocks: 1,
        priority_gwei: 1.0,
    })
}

#[test]
fn the_arbitrageur_burns_ust_below_its_peg_and_does_nothing_at_it() {
    for (ust, burns) in [(0.90, true), (1.0, false)] {
        let mut w = peg_world(ust);
        // The book at `ust`, the pool at $1: the cross trade comes first, then the burn.
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(arbitrageur())];
        let supply0 = w.ledger().supply(UST);
        for _ in 0..300 {
            w.step(&mut agents).unwrap();
        }
        let a = agents[0].as_any().downcast_ref::<PegArbitrageur>().unwrap();
        if burns {
            assert!(a.burns > 0 || a.cross_trades > 0, "UST at {ust}: a trade");
            assert!(
                a.burns > 0,
                "UST at {ust}: the book at 0.90 is below the market's $1"
            );
            assert!(w.ledger().supply(UST) < supply0, "UST burned");
            assert!(
                w.ledger().balance(USD, Holder::Agent(0)) > units(10_000_000),
                "profit"
            );
        } else {
            assert_eq!(
                (a.burns, a.mints),
                (0, 0),
                "UST at its peg: no mint-burn trade"
            );
            assert_eq!(w.ledger().supply(UST), supply0);
        }
        w.check_invariants().unwrap();
    }
}

#[test]
fn a_conditional_scripted_call_is_skipped_while_its_price_holds() {
    let mut w = peg_world(1.0);
    w.ledger_mut()
        .mint(USD, Holder::Agent(0), units(1_000))
        .unwrap();
    let buy = |at: u64, below: f64| ScriptedCall {
        label: format!("buy below {below}"),
        at,
        target: Target::Venue(CURVE),
        call: Call::SwapExactIn {
            token_in: USD,
            token_out: UST,
            amount_in: units(100),
            min_out: U256::ZERO,
        },
        condition: Some(Condition {
            venues: vec![CURVE, UST_BOOK],
            base: UST,
            quote: USD,
            below,
        }),
        account: None,
    };
    let s = ScriptedCalls::new("scripted", vec![buy(T0 + 6, 0.99), buy(T0 + 12, 1.5)]);
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(s)];
    for _ in 0..3 {
        w.step(&mut agents).unwrap();
    }
    let s = agents[0].as_any().downcast_ref::<ScriptedCalls>().unwrap();
    assert!(
        matches!(s.outcomes[0], Some((1, Outcome::Skipped(_)))),
        "{:?}",
        s.outcomes
    );
    assert!(
        matches!(s.outcomes[1], Some((2, Outcome::Done(_)))),
        "{:?}",
        s.outcomes
    );
}
