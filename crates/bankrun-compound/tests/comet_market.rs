//! The runnable Comet market (`comet_market`): vectors, round trips, accrual,
//! liquidation (absorb), the collateral store front, and an accounting property.
//!
//! Market used throughout: USDC base (6 decimals, $1), WETH collateral (18 decimals,
//! $2000), borrow curve of vector K3 (kink 90 %, base 1.5 %, low 3.5 %, high 250 % per
//! year), supply curve kink 90 %, low 3 %, high 200 %; borrowCF 0.80, liquidateCF 0.85,
//! liquidationFactor 0.90, storeFrontPriceFactor 0.5, baseBorrowMin 100 USDC.

use bankrun_compound::comet_market::{AbsorbCollateral, LiquidatorPoints};
use bankrun_compound::{
    AssetConfig, Comet, CometAsset, CometConfiguration, CometError, CometPriceTable, CompoundError,
    I256, U256,
};
use proptest::prelude::*;

const T0: u64 = 1_700_000_000;
const YEAR: u64 = 31_536_000;
const BOB: u32 = 1;
const ALICE: u32 = 2;
const CAROL: u32 = 3;
const KEEPER: u32 = 9;
const WETH: u8 = 0;
const BASE: CometAsset = CometAsset::Base;
const COLL: CometAsset = CometAsset::Collateral(WETH);

fn e(x: u64, d: u32) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(d))
}

fn pct(x: u64) -> U256 {
    e(x, 16)
}

fn config() -> CometConfiguration {
    CometConfiguration {
        base_decimals: 6,
        supply_kink: pct(90),
        supply_per_year_interest_rate_slope_low: pct(3),
        supply_per_year_interest_rate_slope_high: pct(200),
        supply_per_year_interest_rate_base: U256::ZERO,
        borrow_kink: pct(90),
        borrow_per_year_interest_rate_slope_low: e(35, 15),
        borrow_per_year_interest_rate_slope_high: pct(250),
        borrow_per_year_interest_rate_base: e(15, 15),
        store_front_price_factor: pct(50),
        base_borrow_min: e(100, 6),
        target_reserves: e(1_000_000, 6),
        asset_configs: vec![AssetConfig {
            decimals: 18,
            borrow_collateral_factor: pct(80),
            liquidate_collateral_factor: pct(85),
            liquidation_factor: pct(90),
            supply_cap: e(1000, 18),
        }],
    }
}

fn prices(weth_usd: u64) -> CometPriceTable {
    CometPriceTable {
        base: e(1, 8),
        collateral: vec![e(weth_usd, 8)],
    }
}

fn err(e: CometError) -> CompoundError {
    CompoundError::Comet(e)
}

/// Bob supplies `bob` USDC; Alice posts 1 WETH and borrows `alice` USDC (at T0).
fn book(bob: u64, alice: u64) -> Comet {
    let mut c = Comet::new(&config(), T0).unwrap();
    c.supply(BOB, BASE, e(bob, 6), T0).unwrap();
    c.supply(ALICE, COLL, e(1, 18), T0).unwrap();
    if alice > 0 {
        c.withdraw(ALICE, BASE, e(alice, 6), T0, &prices(2000))
            .unwrap();
    }
    c
}

fn int(x: i64) -> I256 {
    I256::try_from(x).unwrap()
}

#[test]
fn k3_through_the_market() {
    // u = 950/1000 = 95 % exactly at indexes 1e15.
    let mut c = book(1000, 950);
    let u = c.get_utilization().unwrap();
    assert_eq!(u, pct(95));
    assert_eq!(c.get_borrow_rate(u).unwrap(), U256::from(5438229323u64));
    c.accrue(T0 + 86_400).unwrap();
    assert_eq!(c.totals.base_borrow_index, U256::from(1000469863013507u64));
    // Supply side, recomputed here from the constructor's floors.
    let (low, high) = (3e16 as u128 / 31_536_000, 2e18 as u128 / 31_536_000);
    let rate = low * 9 / 10 + high * 5 / 100;
    assert_eq!(c.get_supply_rate(u).unwrap(), U256::from(rate));
    let supply_index = 10u128.pow(15) + 10u128.pow(15) * (rate * 86_400) / 10u128.pow(18);
    assert_eq!(c.totals.base_supply_index, U256::from(supply_index));
    // borrowBalanceOf = principal·index/1e15 (floor).
    let debt = 950_000_000u128 * 1000469863013507 / 10u128.pow(15);
    assert_eq!(
        c.borrow_balance_of(ALICE, T0 + 86_400).unwrap(),
        U256::from(debt)
    );
}

#[test]
fn supply_withdraw_round_trip() {
    let mut c = book(1000, 0);
    assert_eq!(c.principal(BOB), 1_000_000_000);
    let out = c.withdraw(BOB, BASE, U256::MAX, T0, &prices(2000)).unwrap();
    assert_eq!(out, e(1000, 6));
    assert_eq!(c.principal(BOB), 0);
    assert_eq!(c.totals.total_supply_base, U256::ZERO);
    assert_eq!(c.totals.base_balance, U256::ZERO);
    assert_eq!(c.get_reserves(T0).unwrap(), I256::ZERO);
}

#[test]
fn supply_after_accrual_rounds_against_the_supplier() {
    let mut c = book(1000, 500);
    let t = T0 + 30 * 86_400;
    let amount = U256::from(123_456_789u64);
    c.supply(CAROL, BASE, amount, t).unwrap();
    let si = c.totals.base_supply_index;
    assert!(si > e(1, 15));
    // principal = ⌊pv·1e15/index⌋, balance = ⌊principal·index/1e15⌋ ≤ amount.
    let p = amount * e(1, 15) / si;
    assert_eq!(c.principal(CAROL), i128::try_from(p).unwrap());
    let back = c
        .withdraw(CAROL, BASE, U256::MAX, t, &prices(2000))
        .unwrap();
    assert!(back <= amount && back + U256::from(1) >= amount, "{back}");
    assert_eq!(c.principal(CAROL), 0);
}

#[test]
fn borrow_repay_round_trip_and_sign_crossing() {
    let mut c = book(1000, 500);
    assert_eq!(c.principal(ALICE), -500_000_000);
    assert_eq!(c.totals.total_borrow_base, e(500, 6));
    let t = T0 + 7 * 86_400;
    let owed = c.borrow_balance_of(ALICE, t).unwrap();
    assert!(owed > e(500, 6));
    let paid = c.supply(ALICE, BASE, U256::MAX, t).unwrap();
    assert_eq!(paid, owed);
    assert_eq!(c.principal(ALICE), 0);
    assert_eq!(c.totals.total_borrow_base, U256::ZERO);
    // Borrow again, then supply more than the debt: repay first, the rest is supply.
    c.withdraw(ALICE, BASE, e(200, 6), t, &prices(2000))
        .unwrap();
    let supply_before = c.totals.total_supply_base;
    c.supply(ALICE, BASE, e(300, 6), t).unwrap();
    assert!(c.principal(ALICE) > 0);
    assert_eq!(c.totals.total_borrow_base, U256::ZERO);
    let credited = U256::from(u128::try_from(c.principal(ALICE)).unwrap());
    assert_eq!(c.totals.total_supply_base, supply_before + credited);
}

#[test]
fn accrual_raises_the_borrow_balance_as_the_index_formula() {
    let mut c = book(1000, 500); // u = 50 %
    let base = 15e15 as u128 / 31_536_000;
    let low = 35e15 as u128 / 31_536_000;
    let rate = base + low / 2;
    assert_eq!(c.get_borrow_rate(pct(50)).unwrap(), U256::from(rate));
    let index = 10u128.pow(15) + 10u128.pow(15) * (rate * u128::from(YEAR)) / 10u128.pow(18);
    let debt = 500_000_000u128 * index / 10u128.pow(15);
    assert_eq!(
        c.borrow_balance_of(ALICE, T0 + YEAR).unwrap(),
        U256::from(debt)
    );
    c.accrue(T0 + YEAR).unwrap();
    assert_eq!(c.totals.base_borrow_index, U256::from(index));
    assert!(
        debt > 516_000_000 && debt < 517_000_000,
        "≈ 3.25 % a year: {debt}"
    );
    // Interest accrues to reserves: borrowers pay more than suppliers earn.
    assert!(c.get_reserves(T0 + YEAR).unwrap() > I256::ZERO);
}

#[test]
fn borrow_checks_and_liquidity() {
    let mut c = book(10_000, 0);
    let p = prices(2000);
    let before = c.clone();
    let r = c.withdraw(ALICE, BASE, e(50, 6), T0 + 10, &p);
    assert_eq!(r, Err(err(CometError::BorrowTooSmall)));
    assert_eq!(c, before, "a revert leaves no trace, not even the accrual");
    // 1 WETH × $2000 × 0.80 = 1600 USDC of borrowing power, exactly.
    let r = c.withdraw(ALICE, BASE, e(1600, 6) + U256::from(1), T0, &p);
    assert_eq!(r, Err(err(CometError::NotCollateralized)));
    c.withdraw(ALICE, BASE, e(1600, 6), T0, &p).unwrap();
    assert!(c.is_borrow_collateralized(ALICE, &p).unwrap());
    // Collateral cannot leave while it backs the debt.
    let r = c.withdraw(ALICE, COLL, U256::from(1), T0, &p);
    assert_eq!(r, Err(err(CometError::NotCollateralized)));
    // Bob cannot take out more than the market holds (8400 USDC left).
    let r = c.withdraw(BOB, BASE, e(8401, 6), T0, &p);
    assert_eq!(r, Err(err(CometError::TransferOutFailed)));
    assert_eq!(c.principal(BOB), 10_000_000_000);
    assert_eq!(c.withdraw(BOB, BASE, e(8400, 6), T0, &p), Ok(e(8400, 6)));
    assert_eq!(c.totals.base_balance, U256::ZERO);
}

#[test]
fn supply_cap_pause_and_time_errors() {
    let mut c = Comet::new(&config(), T0).unwrap();
    c.supply(ALICE, COLL, e(1000, 18), T0).unwrap();
    let r = c.supply(BOB, COLL, U256::from(1), T0);
    assert_eq!(r, Err(err(CometError::SupplyCapExceeded)));
    assert_eq!(c.collateral_balance_of(BOB, WETH), U256::ZERO);
    let r = c.supply(BOB, CometAsset::Collateral(7), U256::from(1), T0);
    assert_eq!(r, Err(err(CometError::BadAsset)));
    c.pause(true, false, false, false, false);
    assert!(c.is_supply_paused() && !c.is_withdraw_paused());
    assert_eq!(
        c.supply(BOB, BASE, e(1, 6), T0),
        Err(err(CometError::Paused))
    );
    c.pause(false, false, true, true, true);
    c.supply(BOB, BASE, e(1, 6), T0).unwrap();
    let r = c.withdraw(BOB, BASE, e(1, 6), T0, &prices(2000));
    assert_eq!(r, Err(err(CometError::Paused)));
    assert_eq!(c.accrue(T0 - 1), Err(err(CometError::TimestampInPast)));
    assert_eq!(c.accrue(1 << 40), Err(err(CometError::TimestampTooLarge)));
    let mut bad = config();
    bad.asset_configs[0].borrow_collateral_factor = pct(85);
    assert_eq!(Comet::new(&bad, T0), Err(err(CometError::BorrowCFTooLarge)));
    let mut bad = config();
    bad.store_front_price_factor = pct(101);
    assert_eq!(Comet::new(&bad, T0), Err(err(CometError::BadDiscount)));
}

#[test]
fn price_drop_makes_the_account_liquidatable() {
    let c = book(10_000, 1600);
    assert!(!c.is_liquidatable(ALICE, &prices(2000)).unwrap());
    // $1900: 1520 borrow power < 1600 debt, but 1615 liquidation power ≥ 1600.
    assert!(!c.is_borrow_collateralized(ALICE, &prices(1900)).unwrap());
    assert!(!c.is_liquidatable(ALICE, &prices(1900)).unwrap());
    // $1800: 1530 < 1600.
    assert!(c.is_liquidatable(ALICE, &prices(1800)).unwrap());
    assert!(
        !c.is_liquidatable(BOB, &prices(1)).unwrap(),
        "suppliers never are"
    );
    let zero = prices(0);
    assert_eq!(
        c.is_liquidatable(ALICE, &zero),
        Err(err(CometError::BadPrice))
    );
}

#[test]
fn absorb_books_collateral_and_debt_on_the_protocol() {
    let mut c = book(10_000, 1600);
    let p = prices(1800);
    let r0 = c.get_reserves(T0).unwrap();
    assert_eq!(r0, I256::ZERO);
    let out = c.absorb(KEEPER, &[ALICE], T0, &p).unwrap();
    // value 1800 × 0.90 = 1620 USDC credited against a 1600 debt → +20 supply.
    assert_eq!(out.len(), 1);
    let a = &out[0];
    assert_eq!(
        a.collateral,
        vec![AbsorbCollateral {
            asset: WETH,
            collateral_absorbed: e(1, 18),
            usd_value: e(1800, 8),
        }]
    );
    assert_eq!(a.base_paid_out, e(1620, 6));
    assert_eq!(a.usd_value, e(1620, 8));
    assert_eq!(a.debt_absorbed, e(1600, 6));
    assert_eq!(c.principal(ALICE), 20_000_000);
    assert_eq!(c.collateral_balance_of(ALICE, WETH), U256::ZERO);
    assert_eq!(c.account(ALICE).assets_in, 0);
    assert_eq!(c.totals.total_borrow_base, U256::ZERO);
    assert_eq!(c.totals.total_supply_asset[0], U256::ZERO);
    assert_eq!(c.get_collateral_reserves(WETH).unwrap(), e(1, 18));
    assert_eq!(c.get_reserves(T0).unwrap(), r0 - int(1_620_000_000));
    let points = c.liquidator_points[&KEEPER];
    assert_eq!(
        points,
        LiquidatorPoints {
            num_absorbs: 1,
            num_absorbed: 1
        }
    );
}

#[test]
fn absorb_with_a_deficit_floors_the_balance_at_zero() {
    let mut c = book(10_000, 1600);
    // $1000: 900 USDC of value for 1600 of debt; 700 is written off by reserves.
    let out = c.absorb(KEEPER, &[ALICE], T0, &prices(1000)).unwrap();
    assert_eq!(out[0].base_paid_out, e(1600, 6));
    assert_eq!(c.principal(ALICE), 0);
    assert_eq!(c.get_reserves(T0).unwrap(), int(-1_600_000_000));
    // Selling the seized WETH at the store front brings back 0.95 × $1000 each.
    let got = c
        .buy_collateral(WETH, U256::ZERO, e(950, 6), T0, &prices(1000))
        .unwrap();
    assert_eq!(got, e(1, 18));
    assert_eq!(c.get_reserves(T0).unwrap(), int(-650_000_000));
}

#[test]
fn absorb_reverts_as_a_whole() {
    let mut c = book(10_000, 1600);
    c.supply(CAROL, COLL, e(1, 18), T0).unwrap();
    c.withdraw(CAROL, BASE, e(500, 6), T0, &prices(2000))
        .unwrap();
    let p = prices(1800);
    let before = c.clone();
    let r = c.absorb(KEEPER, &[ALICE, CAROL], T0 + 60, &p);
    assert_eq!(r, Err(err(CometError::NotLiquidatable)));
    assert_eq!(c, before);
    let r = c.absorb(KEEPER, &[ALICE, ALICE], T0, &p);
    assert_eq!(
        r,
        Err(err(CometError::NotLiquidatable)),
        "twice in one call"
    );
    assert_eq!(c, before);
    c.pause(false, false, false, true, false);
    assert_eq!(
        c.absorb(KEEPER, &[ALICE], T0, &p),
        Err(err(CometError::Paused))
    );
}

#[test]
fn buy_collateral_at_the_store_front_price() {
    let mut c = book(10_000, 1600);
    let p = prices(1800);
    c.absorb(KEEPER, &[ALICE], T0, &p).unwrap();
    // discount = 0.5 × (1 − 0.9) = 5 %: 1710 USDC per WETH.
    assert_eq!(c.quote_collateral(WETH, e(855, 6), &p).unwrap(), e(5, 17));
    let r = c.buy_collateral(WETH, e(5, 17) + U256::from(1), e(855, 6), T0, &p);
    assert_eq!(r, Err(err(CometError::TooMuchSlippage)));
    let reserves = c.get_reserves(T0).unwrap();
    let got = c.buy_collateral(WETH, e(5, 17), e(855, 6), T0, &p).unwrap();
    assert_eq!(got, e(5, 17));
    assert_eq!(c.get_collateral_reserves(WETH).unwrap(), e(5, 17));
    assert_eq!(c.get_reserves(T0).unwrap(), reserves + int(855_000_000));
    let before = c.clone();
    let r = c.buy_collateral(WETH, U256::ZERO, e(856, 6), T0, &p);
    assert_eq!(r, Err(err(CometError::InsufficientReserves)));
    assert_eq!(c, before);
    // Negative reserves are always below target; positive ones at target are not.
    c.target_reserves = U256::ZERO;
    assert!(c.buy_collateral(WETH, U256::ZERO, e(1, 6), T0, &p).is_ok());
}

#[test]
fn buy_collateral_stops_once_reserves_reach_target() {
    let mut c = book(1000, 500);
    let t = T0 + YEAR;
    let reserves = c.get_reserves(t).unwrap();
    assert!(reserves > I256::ZERO);
    c.target_reserves = reserves.unsigned_abs();
    let r = c.buy_collateral(WETH, U256::ZERO, e(1, 6), t, &prices(2000));
    assert_eq!(r, Err(err(CometError::NotForSale)));
    c.target_reserves = reserves.unsigned_abs() + U256::from(1);
    let r = c.buy_collateral(WETH, U256::ZERO, e(1, 6), t, &prices(2000));
    assert_eq!(
        r,
        Err(err(CometError::InsufficientReserves)),
        "nothing seized yet"
    );
    // Reserves can be withdrawn only up to their amount.
    let r = c.withdraw_reserves(reserves.unsigned_abs() + U256::from(1), t);
    assert_eq!(r, Err(err(CometError::InsufficientReserves)));
    c.withdraw_reserves(reserves.unsigned_abs(), t).unwrap();
    assert_eq!(c.get_reserves(t).unwrap(), I256::ZERO);
}

/// cWETHv3 (`comet@d5a30b0a:deployments/mainnet/weth/configuration.json`): the decimal
/// parameters written as 1e18 integers.
#[test]
fn mainnet_weth_configuration() {
    let cf = |x: u64| U256::from(x) * e(1, 14);
    let lst = AssetConfig {
        decimals: 18,
        borrow_collateral_factor: cf(9000),
        liquidate_collateral_factor: cf(9300),
        liquidation_factor: cf(9500),
        supply_cap: e(64_500, 18) + U256::from(123), // kept in whole tokens
    };
    let cfg = CometConfiguration {
        base_decimals: 18,
        supply_kink: pct(90),
        supply_per_year_interest_rate_slope_low: U256::from(28_382_400_000_000_000u64),
        supply_per_year_interest_rate_slope_high: U256::from(606_656_770_600_000_000u64),
        supply_per_year_interest_rate_base: U256::ZERO,
        borrow_kink: pct(90),
        borrow_per_year_interest_rate_slope_low: U256::from(51_715_000_020_000_000u64),
        borrow_per_year_interest_rate_slope_high: U256::from(517_150_033_900_000_000u64),
        borrow_per_year_interest_rate_base: U256::from(9_945_209_674_000_000u64),
        store_front_price_factor: pct(50),
        base_borrow_min: e(1, 17),
        target_reserves: e(5000, 18),
        asset_configs: vec![lst],
    };
    let c = Comet::new(&cfg, T0).unwrap();
    assert_eq!(
        c.borrow_curve.slope_low,
        U256::from(51_715_000_020_000_000u64 / YEAR)
    );
    assert_eq!(
        c.borrow_curve.base,
        U256::from(9_945_209_674_000_000u64 / YEAR)
    );
    let info = c.get_asset_info(0).unwrap();
    assert_eq!(info.supply_cap, e(64_500, 18));
    assert_eq!(info.liquidation_factor, cf(9500));
    // Borrow APR at the kink ≈ 0.9945 % + 0.9 × 5.1715 % = 5.649 %.
    let r = c.get_borrow_rate(pct(90)).unwrap();
    let apr = f64::from(u32::try_from(r).unwrap()) * YEAR as f64 / 1e18;
    assert!((apr - 0.056489).abs() < 1e-5, "{apr}");
    let mut bad = cfg.clone();
    bad.asset_configs[0].liquidate_collateral_factor = pct(101);
    assert_eq!(
        Comet::new(&bad, T0),
        Err(err(CometError::LiquidateCFTooLarge))
    );
}

/// Longest random sequence.
const MAX_OPS: usize = 60;

#[derive(Debug, Clone)]
enum Op {
    SupplyBase(u32, u64),
    SupplyColl(u32, u64),
    WithdrawBase(u32, u64),
    WithdrawColl(u32, u64),
    Borrow(u32, u64),
    Repay(u32),
    Advance(u64),
    Price(u64),
    Absorb,
    Buy(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 1u32..4;
    // Weighted so that leveraged positions, price drops and absorbs are common.
    prop_oneof![
        2 => (who.clone(), 1u64..5_000).prop_map(|(a, x)| Op::SupplyBase(a, x)),
        3 => (who.clone(), 1u64..2_000).prop_map(|(a, x)| Op::SupplyColl(a, x)),
        1 => (who.clone(), 1u64..5_000).prop_map(|(a, x)| Op::WithdrawBase(a, x)),
        1 => (who.clone(), 1u64..=100).prop_map(|(a, x)| Op::WithdrawColl(a, x)),
        3 => (who.clone(), 50u64..=100).prop_map(|(a, x)| Op::Borrow(a, x)),
        1 => who.clone().prop_map(Op::Repay),
        1 => (1u64..(90 * 86_400)).prop_map(Op::Advance),
        3 => (60u64..=110).prop_map(Op::Price),
        2 => Just(Op::Absorb),
        2 => (1u64..=100).prop_map(Op::Buy),
    ]
}

/// Token flows seen from outside the market.
struct Ledger {
    now: u64,
    price: u64,
    base_held: I256,
    coll_held: U256,
}

/// Applies `op`; returns whether the base/collateral totals may only move by rounding
/// (a supply or withdrawal at the already-accrued time).
fn apply(c: &mut Comet, l: &mut Ledger, op: &Op) -> Result<bool, CompoundError> {
    let p = prices(l.price);
    let milli = |x: u64| e(x, 15); // WETH amounts in 0.001 units
    match *op {
        Op::SupplyBase(a, x) => {
            let got = c.supply(a, BASE, e(x, 6), l.now)?;
            l.base_held += I256::try_from(got).unwrap();
            Ok(true)
        }
        Op::Repay(a) => {
            let got = c.supply(a, BASE, U256::MAX, l.now)?;
            l.base_held += I256::try_from(got).unwrap();
            Ok(true)
        }
        Op::WithdrawBase(a, x) => {
            let got = c.withdraw(a, BASE, e(x, 6), l.now, &p)?;
            l.base_held -= I256::try_from(got).unwrap();
            Ok(true)
        }
        Op::SupplyColl(a, x) => {
            l.coll_held += c.supply(a, COLL, milli(x), l.now)?;
            Ok(false)
        }
        Op::WithdrawColl(a, pct) => {
            let amount = c.collateral_balance_of(a, WETH) * U256::from(pct) / U256::from(100);
            l.coll_held -= c.withdraw(a, COLL, amount, l.now, &p)?;
            Ok(false)
        }
        Op::Borrow(a, pct) => {
            // `pct` % of the borrowing power left (collateral × price × 0.80 − debt).
            let power = c.collateral_balance_of(a, WETH) * U256::from(l.price) * U256::from(8)
                / U256::from(10)
                / e(1, 12);
            let debt = c.borrow_balance_of(a, l.now)? + U256::from(1);
            let room = power.saturating_sub(debt) * U256::from(pct) / U256::from(100);
            let got = c.withdraw(a, BASE, room, l.now, &p)?;
            l.base_held -= I256::try_from(got).unwrap();
            Ok(true)
        }
        Op::Advance(dt) => {
            c.accrue(l.now + dt)?;
            l.now += dt;
            Ok(false)
        }
        Op::Price(pct) => {
            // A move of pct − 100 % (drifting down), kept within $100 … $5000.
            l.price = (l.price * pct / 100).clamp(100, 5_000);
            Ok(false)
        }
        Op::Absorb => {
            // Every liquidatable account (Comet reverts the call if one is not).
            let mut under = Vec::new();
            for a in [BOB, ALICE, CAROL] {
                if c.is_liquidatable(a, &p)? {
                    under.push(a);
                }
            }
            let out = c.absorb(KEEPER, &under, l.now, &p)?;
            assert_eq!(out.len(), under.len());
            Ok(false)
        }
        Op::Buy(pct) => {
            // About `pct` % of the seized WETH at the 5 % store-front discount.
            let seized = c.get_collateral_reserves(WETH)?;
            let base = seized * U256::from(l.price * 95 * pct) / U256::from(10_000) / e(1, 12);
            let got = c.buy_collateral(WETH, U256::ZERO, base, l.now, &p)?;
            l.base_held += I256::try_from(base).unwrap();
            l.coll_held -= got;
            Ok(false)
        }
    }
}

fn check_invariants(c: &Comet, l: &Ledger) {
    // Base token held = reserves + totalSupply − totalBorrow.
    let reserves = c.get_reserves(l.now).unwrap();
    let supply = I256::try_from(c.total_supply(l.now).unwrap()).unwrap();
    let borrow = I256::try_from(c.total_borrow(l.now).unwrap()).unwrap();
    assert_eq!(l.base_held, reserves + supply - borrow);
    assert_eq!(I256::try_from(c.totals.base_balance).unwrap(), l.base_held);
    // Totals are the sums of the accounts.
    let (mut s, mut b, mut coll) = (0u128, 0u128, U256::ZERO);
    for acc in c.accounts.values() {
        if acc.principal > 0 {
            s += acc.principal.unsigned_abs();
        } else {
            b += acc.principal.unsigned_abs();
        }
        coll += acc.collateral[0];
        assert_eq!(acc.assets_in & 1 == 1, !acc.collateral[0].is_zero());
    }
    // Comet re-prices a principal on every base action; when that rounds the principal
    // toward zero with no supply/borrow delta (`repayAndSupplyAmount` returns (0, 0)),
    // the totals keep the wei the account lost. So totals ≥ Σ, by a few wei at most.
    let slack = U256::from(MAX_OPS);
    let (ts, tb) = (c.totals.total_supply_base, c.totals.total_borrow_base);
    assert!(
        ts >= U256::from(s) && ts <= U256::from(s) + slack,
        "{ts} vs {s}"
    );
    assert!(
        tb >= U256::from(b) && tb <= U256::from(b) + slack,
        "{tb} vs {b}"
    );
    assert_eq!(c.totals.total_supply_asset[0], coll);
    assert_eq!(c.totals.collateral_balance[0], l.coll_held);
    assert!(c.totals.collateral_balance[0] >= coll);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn accounting_holds_after_random_sequences(ops in prop::collection::vec(op(), 1..MAX_OPS)) {
        let mut c = Comet::new(&config(), T0).unwrap();
        let mut l = Ledger { now: T0, price: 2000, base_held: I256::ZERO, coll_held: U256::ZERO };
        for op in &ops {
            let before = c.clone();
            let reserves = c.get_reserves(l.now).unwrap();
            match apply(&mut c, &mut l, op) {
                Ok(rounding_only) => {
                    if rounding_only {
                        // Rounding favours the protocol up to 1 wei of aggregate
                        // rounding (totals are re-priced as one principal).
                        let after = c.get_reserves(l.now).unwrap();
                        prop_assert!(after + I256::ONE >= reserves, "{op:?}: {reserves} → {after}");
                    }
                }
                Err(_) => prop_assert_eq!(&c, &before, "a revert changed state: {:?}", op),
            }
            check_invariants(&c, &l);
        }
    }
}
