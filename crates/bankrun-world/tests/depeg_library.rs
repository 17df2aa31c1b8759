//! The depeg library's issuer (`bankrun_world::depeg`): primary mint and redemption at an
//! exchange rate, through rails that open on a schedule, after a delay, within a daily
//! capacity and the reserve; and the redemption arbitrageur who closes a venue's discount only
//! while the rails are open (reference/behaviour.md §4.1, "Stablecoin primary-market
//! arbitrage": the SVB weekend, when USD rails were closed from Friday night to Monday).

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};
use bankrun_world::agents::RedemptionArbitrageurSpec;
use bankrun_world::depeg::{
    Issuer, IssuerCall, IssuerSpec, Rails, RedemptionArbitrageur, UniswapV2,
};
use bankrun_world::{Agent, Call, ChainConfig, GasSchedule, Protocol, Target, World, WorldError};

/// 2023-03-10T00:00Z, a Friday.
const FRI: u64 = 1_678_406_400;
const DAY: u64 = 86_400;
const SAT: u64 = FRI + DAY;
const MON: u64 = FRI + 3 * DAY;

const USDC: TokenId = 0;
const USD: TokenId = 1;
const USDT: TokenId = 2;
/// The issuer's protocol id, and the pool's venue id.
const ISSUER: u32 = 0;
const POOL: u32 = 0;
const ALICE: u32 = 5;
const BOB: u32 = 6;

fn tok(x: u64, dec: u8) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(dec))
}

fn wad(x: f64) -> U256 {
    U256::from((x * 1e18).round() as u128)
}

/// A world starting at `start` with `block_s`-second blocks.
fn world(start: u64, block_s: u64) -> World {
    World::new(
        ChainConfig {
            start,
            block_time_s: block_s,
            block_gas: 30_000_000,
            gas: GasSchedule::default(),
        },
        3,
    )
}

/// Circle's USDC (6 decimals) against off-chain dollars (18 decimals, to exercise the
/// rescaling) at par, no fee, weekday rails, paid the same day.
fn usdc_spec() -> IssuerSpec {
    IssuerSpec {
        name: "circle".into(),
        token: (USDC, 6),
        backing: (USD, 18),
        rate: wad(1.0),
        mint_fee: U256::ZERO,
        redeem_fee: U256::ZERO,
        delay_s: 0,
        capacity_per_day: None,
        rails: Rails::weekdays(),
        redeem: true,
        mint: true,
    }
}

/// Adds `spec` as protocol 0 with `reserve` of backing (whole tokens).
fn with_issuer(w: &mut World, spec: IssuerSpec, reserve: u64) {
    let (backing, dec) = spec.backing;
    assert_eq!(w.add_protocol(Box::new(Issuer::new(spec).unwrap())), ISSUER);
    w.ledger_mut()
        .mint(backing, Holder::Protocol(ISSUER), tok(reserve, dec))
        .unwrap();
}

fn swap(token_in: TokenId, token_out: TokenId, amount_in: U256) -> Call {
    Call::SwapExactIn {
        token_in,
        token_out,
        amount_in,
        min_out: U256::ZERO,
    }
}

fn issuer(w: &World) -> &Issuer {
    w.protocol(ISSUER)
        .unwrap()
        .as_any()
        .downcast_ref::<Issuer>()
        .unwrap()
}

fn reason(e: WorldError) -> String {
    match e {
        WorldError::Reverted { reason, .. } => reason,
        other => panic!("expected a revert, got {other:?}"),
    }
}

#[test]
fn weekday_rails_are_closed_from_saturday_to_sunday_and_in_closures() {
    let mut rails = Rails::weekdays();
    assert!(rails.open_at(FRI), "Friday 00:00");
    assert!(rails.open_at(FRI + DAY - 1), "Friday 23:59:59");
    assert!(!rails.open_at(SAT), "Saturday");
    assert!(!rails.open_at(SAT + DAY + 12 * 3_600), "Sunday noon");
    assert!(rails.open_at(MON), "Monday 00:00");
    rails.open_hour = 13;
    rails.close_hour = 22;
    assert!(!rails.open_at(MON + 12 * 3_600) && rails.open_at(MON + 13 * 3_600));
    assert!(!rails.open_at(MON + 22 * 3_600));
    rails.closures.push((MON + 14 * 3_600, MON + 15 * 3_600));
    assert!(!rails.open_at(MON + 14 * 3_600) && rails.open_at(MON + 15 * 3_600));
    assert!(Rails::always().open_at(SAT));
}

#[test]
fn mint_and_redemption_pay_the_rate_rounded_down_across_decimals() {
    let mut w = world(FRI, 12);
    let mut spec = usdc_spec();
    spec.mint_fee = wad(0.001);
    spec.redeem_fee = wad(0.002);
    with_issuer(&mut w, spec, 1_000);
    // Mint: 1,000.0000009 USD → 999 USDC (1,000 less 0.1 %), the sub-unit dust kept.
    let paid = tok(1_000, 18) + U256::from(900_000_000_000u64);
    w.ledger_mut()
        .mint(USD, Holder::Agent(ALICE), paid)
        .unwrap();
    let minted = w
        .execute_now(ALICE, Target::Protocol(ISSUER), &swap(USD, USDC, paid))
        .unwrap()
        .amount;
    assert_eq!(minted, U256::from(999_000_000u64));
    assert_eq!(w.ledger().balance(USDC, Holder::Agent(ALICE)), minted);
    assert_eq!(
        w.ledger().supply(USDC),
        minted,
        "the token is minted, not moved"
    );
    // Redeem 999 USDC at a 0.9 haircut less 0.2 %: 999 · 0.9 · 0.998 = 897.3018 USD, burnt.
    w.execute_now(ALICE, Target::Protocol(ISSUER), &call_rate(0.9))
        .unwrap();
    let owed = w
        .execute_now(ALICE, Target::Protocol(ISSUER), &swap(USDC, USD, minted))
        .unwrap()
        .amount;
    assert_eq!(
        owed,
        U256::from(8_973_018u64) * U256::from(10u64).pow(U256::from(14))
    );
    assert_eq!(
        w.ledger().supply(USDC),
        U256::ZERO,
        "redeemed tokens are burnt"
    );
    let i = issuer(&w);
    assert_eq!((i.minted, i.burnt, i.queued), (minted, minted, owed));
    assert_eq!(i.deposit_of(ALICE, USD, FRI).unwrap(), owed);
    // A wrong pair is not a swap the issuer offers.
    let other = w.execute_now(
        ALICE,
        Target::Protocol(ISSUER),
        &swap(USDT, USD, U256::from(1u8)),
    );
    assert!(matches!(other, Err(WorldError::Unsupported { .. })));
}

fn call_rate(x: f64) -> Call {
    Call::Issuer(IssuerCall::Rate(wad(x)))
}

#[test]
fn the_queue_is_paid_in_order_after_the_delay_within_capacity_and_reserve() {
    // Hourly blocks from Friday 00:00; a 2-hour delay; 1,500 USD a day; a 2,000 USD reserve.
    let mut w = world(FRI, 3_600);
    let mut spec = usdc_spec();
    spec.delay_s = 2 * 3_600;
    spec.capacity_per_day = Some(tok(1_500, 18));
    with_issuer(&mut w, spec, 2_000);
    for (who, amount) in [(ALICE, 1_000), (BOB, 1_000)] {
        w.ledger_mut()
            .mint(USDC, Holder::Agent(who), tok(amount, 6))
            .unwrap();
        let call = swap(USDC, USD, tok(amount, 6));
        w.execute_now(who, Target::Protocol(ISSUER), &call).unwrap();
    }
    let usd = |w: &World, who| w.ledger().balance(USD, Holder::Agent(who));
    let mut agents: Vec<Box<dyn Agent>> = Vec::new();
    w.step(&mut agents).unwrap(); // 01:00: not due
    assert_eq!((usd(&w, ALICE), usd(&w, BOB)), (U256::ZERO, U256::ZERO));
    w.step(&mut agents).unwrap(); // 02:00: Alice due and paid; Bob would pass the capacity
    assert_eq!(usd(&w, ALICE), tok(1_000, 18));
    assert_eq!(usd(&w, BOB), U256::ZERO);
    // Friday 23:00 still the same day; Saturday and Sunday the rails are closed.
    for _ in 0..(21 + 48) {
        w.step(&mut agents).unwrap();
        assert_eq!(usd(&w, BOB), U256::ZERO, "at {}", w.now());
    }
    w.step(&mut agents).unwrap(); // Monday 00:00: a new day, rails open
    assert_eq!(w.now(), MON);
    assert_eq!(usd(&w, BOB), tok(1_000, 18));
    assert!(issuer(&w).queue().is_empty() && issuer(&w).queued.is_zero());
    assert_eq!(issuer(&w).paid, tok(2_000, 18));

    // A reserve short of the first request holds back the whole queue (first in, first out).
    let mut w = world(MON, 3_600);
    with_issuer(&mut w, usdc_spec(), 500);
    for (who, amount) in [(ALICE, 600), (BOB, 100)] {
        w.ledger_mut()
            .mint(USDC, Holder::Agent(who), tok(amount, 6))
            .unwrap();
        let call = swap(USDC, USD, tok(amount, 6));
        w.execute_now(who, Target::Protocol(ISSUER), &call).unwrap();
    }
    w.step(&mut agents).unwrap();
    assert_eq!((usd(&w, ALICE), usd(&w, BOB)), (U256::ZERO, U256::ZERO));
    w.ledger_mut()
        .mint(USD, Holder::Protocol(ISSUER), tok(200, 18))
        .unwrap();
    w.step(&mut agents).unwrap();
    assert_eq!((usd(&w, ALICE), usd(&w, BOB)), (tok(600, 18), tok(100, 18)));
}

#[test]
fn requests_are_refused_while_the_rails_are_closed_halted_or_without_redemption() {
    let mut w = world(SAT, 12);
    with_issuer(&mut w, usdc_spec(), 1_000);
    w.ledger_mut()
        .mint(USDC, Holder::Agent(ALICE), tok(10, 6))
        .unwrap();
    let redeem = swap(USDC, USD, tok(10, 6));
    let e = w.execute_now(ALICE, Target::Protocol(ISSUER), &redeem);
    assert_eq!(reason(e.unwrap_err()), "rails closed");
    assert_eq!(w.ledger().balance(USDC, Holder::Agent(ALICE)), tok(10, 6));

    // An on-chain queue, halted by governance, then an LST without withdrawals.
    let mut w = world(SAT, 12);
    let mut spec = usdc_spec();
    spec.rails = Rails::always();
    with_issuer(&mut w, spec.clone(), 1_000);
    w.ledger_mut()
        .mint(USDC, Holder::Agent(ALICE), tok(10, 6))
        .unwrap();
    let halt = |on| Call::Issuer(IssuerCall::Halt(on));
    w.execute_now(0, Target::Protocol(ISSUER), &halt(true))
        .unwrap();
    let e = w.execute_now(ALICE, Target::Protocol(ISSUER), &redeem);
    assert_eq!(reason(e.unwrap_err()), "redemptions halted");
    w.execute_now(0, Target::Protocol(ISSUER), &halt(false))
        .unwrap();
    w.execute_now(ALICE, Target::Protocol(ISSUER), &redeem)
        .unwrap();
    let e = w.execute_now(0, Target::Protocol(ISSUER), &call_rate(0.0));
    assert_eq!(reason(e.unwrap_err()), "a zero exchange rate");

    let mut w = world(SAT, 12);
    spec.redeem = false;
    with_issuer(&mut w, spec, 0);
    w.ledger_mut()
        .mint(USDC, Holder::Agent(ALICE), tok(10, 6))
        .unwrap();
    let e = w.execute_now(ALICE, Target::Protocol(ISSUER), &redeem);
    assert_eq!(reason(e.unwrap_err()), "no redemption");
}

/// A USDC/USDT pair holding 60M USDC and 40M USDT (USDC at 0.67 USDT), an issuer with 1B of
/// dollars, and an arbitrageur with a 10M USDT budget in 100k clips.
fn discount_world(start: u64) -> (World, RedemptionArbitrageur) {
    let mut w = world(start, 600);
    with_issuer(&mut w, usdc_spec(), 1_000_000_000);
    let pair = UniswapV2::new("usdc-usdt", (USDC, 6), (USDT, 6), false);
    assert_eq!(w.add_venue(Box::new(pair)), POOL);
    for (t, amount) in [(USDC, 60_000_000), (USDT, 40_000_000)] {
        w.ledger_mut()
            .mint(t, Holder::Venue(POOL), tok(amount, 6))
            .unwrap();
    }
    w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
    w.ledger_mut()
        .mint(USDT, Holder::Agent(0), tok(10_000_000, 6))
        .unwrap();
    let arb = RedemptionArbitrageur::new(RedemptionArbitrageurSpec {
        name: "authorised-arb".into(),
        issuer: ISSUER,
        venue: POOL,
        token: (USDC, 6),
        paid: (USDT, 6),
        paid_per_backing: 1.0,
        min_discount: 0.001,
        clip: tok(100_000, 6),
        min_clip: tok(1_000, 6),
        budget: tok(10_000_000, 6),
        every_blocks: 1,
        priority_gwei: 1.0,
    });
    (w, arb)
}

fn usdc_price(w: &World) -> f64 {
    w.view().venue(POOL).unwrap().price(USDC, USDT).unwrap()
}

#[test]
fn the_arbitrageur_waits_for_the_rails_then_buys_the_discount_and_redeems_it() {
    let (mut w, arb) = discount_world(SAT);
    let before = usdc_price(&w);
    assert!(before < 0.7, "USDC starts at {before}");
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(arb)];
    // Saturday and Sunday (10-minute blocks): the rails are closed, nothing moves.
    while w.now() + 600 < MON {
        w.step(&mut agents).unwrap();
    }
    assert_eq!(
        usdc_price(&w),
        before,
        "no trade while the rails are closed"
    );
    assert!(w.log().txs.is_empty(), "no transaction over the weekend");
    // Monday: it buys and redeems until the pool is back near the redemption price.
    for _ in 0..300 {
        w.step(&mut agents).unwrap();
    }
    let after = usdc_price(&w);
    let a = agents[0]
        .as_any()
        .downcast_ref::<RedemptionArbitrageur>()
        .unwrap();
    // It stops once a clip's average price (marginal, impact, the pair's 0.3 % fee) passes
    // the redemption price less 10 bp.
    assert!(after > 0.985, "USDC back near par, at {after}");
    assert!(
        after < 1.0,
        "it does not buy above the redemption price: {after}"
    );
    assert!(
        a.redeemed > U256::ZERO && a.redeemed == a.bought,
        "every USDC bought redeemed"
    );
    let bought = bankrun_chain::units::u256_to_f64(a.bought) / 1e6;
    let spent = bankrun_chain::units::u256_to_f64(a.spent) / 1e6;
    assert!(
        bought > spent,
        "bought below par: {bought} USDC for {spent} USDT"
    );
    // Paid at once (no delay): its dollars equal what the issuer owed it.
    let usd = w.ledger().balance(USD, Holder::Agent(0));
    assert_eq!(usd, a.owed);
    assert_eq!(a.owed, a.redeemed * U256::from(10u64).pow(U256::from(12u8)));
}

#[test]
fn a_haircut_lowers_the_price_the_arbitrageur_restores() {
    let (mut w, arb) = discount_world(MON);
    w.execute_now(0, Target::Protocol(ISSUER), &call_rate(0.9))
        .unwrap();
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(arb)];
    for _ in 0..300 {
        w.step(&mut agents).unwrap();
    }
    let after = usdc_price(&w);
    assert!(
        after > 0.88 && after < 0.9,
        "USDC restored to the 0.9 redemption price less the margin, at {after}"
    );
}

#[test]
fn the_embedded_weekend_scenario_holds_the_discount_until_the_rails_open() {
    use bankrun_world::scenario::{load_embedded, run};
    let loaded = load_embedded("usdc-redemption-weekend").unwrap();
    let r = run(&loaded, None, &mut |_, _| {}).unwrap();
    let sale = r
        .txs
        .iter()
        .find(|t| t.sender == "weekend-seller")
        .expect("the weekend sale");
    assert!(sale.ok && sale.received / sale.amount < 0.8, "{sale:?}");
    let arb: Vec<_> = r
        .txs
        .iter()
        .filter(|t| t.sender == "authorised-arbitrageur" && t.ok)
        .collect();
    assert!(!arb.is_empty());
    assert!(
        arb.iter()
            .all(|t| t.time.as_str() >= "2023-03-13T00:00:00Z"),
        "nothing before Monday: {:?}",
        arb[0]
    );
    let buys: Vec<_> = arb.iter().filter(|t| t.target == "usdc-usdt").collect();
    let redeemed: f64 = arb
        .iter()
        .filter(|t| t.target == "circle")
        .map(|t| t.amount)
        .sum();
    let bought: f64 = buys.iter().map(|t| t.received).sum();
    assert!(
        (redeemed - bought).abs() < 1e-6,
        "{redeemed} redeemed, {bought} bought"
    );
    let first = buys[0].amount / buys[0].received;
    let last = buys[buys.len() - 1].amount / buys[buys.len() - 1].received;
    assert!(
        first < 0.8,
        "the first buy at the weekend's discount: {first}"
    );
    assert!(
        last > 0.98 && last <= 0.999,
        "the last buy near par: {last}"
    );
    let i = &r.summary.issuers[0];
    assert_eq!((i.issuer.as_str(), i.token.as_str()), ("circle", "USDC"));
    assert!(
        (i.redeemed - redeemed).abs() < 1e-6 && (i.paid - redeemed).abs() < 1e-6,
        "{i:?}"
    );
    assert_eq!((i.owed_at_end, i.waiting_at_end), (0.0, 0));

    // Bad input is located: rails other than the two schedules, an arbitrageur of a lender.
    let text = loaded
        .text
        .replace("rails = \"weekdays\"", "rails = \"weekends\"");
    let e = run(
        &bankrun_world::scenario::load_str(&text, "x.toml").unwrap(),
        None,
        &mut |_, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("x.toml:") && e.contains("protocols[0].rails"),
        "{e}"
    );
    assert!(e.contains("\"always\" or \"weekdays\""), "{e}");
    let text = loaded
        .text
        .replace("min_discount = 0.001", "min_discount = 0.001\nbudget = 1");
    let e = bankrun_world::scenario::load_str(&text, "x.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("budget"), "{e}");
}

#[test]
fn an_lrt_queue_pays_the_rate_of_the_request_after_its_wait() {
    // rsETH-like: 1.05 ETH per token, an always-open on-chain queue with a 7-day wait.
    const RSETH: TokenId = 0;
    const ETH: TokenId = 1;
    let mut w = world(MON, 3_600);
    let spec = IssuerSpec {
        name: "lrt".into(),
        token: (RSETH, 18),
        backing: (ETH, 18),
        rate: wad(1.05),
        mint_fee: U256::ZERO,
        redeem_fee: U256::ZERO,
        delay_s: 7 * DAY,
        capacity_per_day: None,
        rails: Rails::always(),
        redeem: true,
        mint: true,
    };
    with_issuer(&mut w, spec, 1_000);
    w.ledger_mut()
        .mint(RSETH, Holder::Agent(ALICE), tok(100, 18))
        .unwrap();
    let owed = w
        .execute_now(
            ALICE,
            Target::Protocol(ISSUER),
            &swap(RSETH, ETH, tok(100, 18)),
        )
        .unwrap()
        .amount;
    assert_eq!(owed, tok(105, 18));
    // A loss socialised after the request cuts the rate for later requests only.
    w.execute_now(0, Target::Protocol(ISSUER), &call_rate(0.95))
        .unwrap();
    w.ledger_mut()
        .mint(RSETH, Holder::Agent(BOB), tok(100, 18))
        .unwrap();
    let bob = w
        .execute_now(
            BOB,
            Target::Protocol(ISSUER),
            &swap(RSETH, ETH, tok(100, 18)),
        )
        .unwrap()
        .amount;
    assert_eq!(bob, tok(95, 18));
    let eth = |w: &World, who| w.ledger().balance(ETH, Holder::Agent(who));
    let mut agents: Vec<Box<dyn Agent>> = Vec::new();
    for _ in 0..(7 * 24 - 1) {
        w.step(&mut agents).unwrap();
    }
    assert_eq!(eth(&w, ALICE), U256::ZERO, "one hour short of the wait");
    w.step(&mut agents).unwrap();
    assert_eq!((eth(&w, ALICE), eth(&w, BOB)), (tok(105, 18), tok(95, 18)));
}
