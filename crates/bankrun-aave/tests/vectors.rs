//! Published vectors of protocol-math.md §8 for the Aave pool: A6–A8 (V2 strategy),
//! A15–A16 (liquidation amounts), A17 (health factor).

mod common;
use bankrun_aave::U256;
use bankrun_aave::liquidation::{CollateralCalcInput, calculate_available_collateral_to_liquidate};
use bankrun_aave::rate_strategy::{RateInputs, calculate_interest_rates};
use common::*;

fn n(s: &str) -> U256 {
    s.parse().unwrap()
}

#[test]
fn a6_a7_a8_strategy_v2() {
    let d = rate(8000, 100, 400, 6000);
    let run = |debt: &str, vbal: &str, unbacked: &str| {
        calculate_interest_rates(
            &d,
            &RateInputs {
                unbacked: n(unbacked),
                liquidity_added: U256::ZERO,
                liquidity_taken: U256::ZERO,
                total_debt: n(debt),
                reserve_factor: 1000,
                virtual_underlying_balance: n(vbal),
            },
        )
        .unwrap()
    };
    assert_eq!(
        run("800000000000000000", "200000000000000000", "0"),
        (
            n("36000000000000000000000000"),
            n("50000000000000000000000000")
        )
    );
    assert_eq!(
        run("1000000000000000000", "0", "0"),
        (
            n("585000000000000000000000000"),
            n("650000000000000000000000000")
        )
    );
    assert_eq!(
        run(
            "800000000000000000",
            "200000000000000000",
            "600000000000000000"
        ),
        (
            n("22500000000000000000000000"),
            n("50000000000000000000000000")
        )
    );
}

fn a15_input(coll: &str) -> CollateralCalcInput {
    CollateralCalcInput {
        collateral_price: usd(2000),
        collateral_unit: eth(1),
        debt_price: usd(1),
        debt_unit: usdc(1),
        debt_to_cover: usdc(1000),
        borrower_collateral_balance: n(coll),
        liquidation_bonus: 10500,
        protocol_fee_bps: 1000,
    }
}

#[test]
fn a15_liquidation_amounts() {
    let out =
        calculate_available_collateral_to_liquidate(&a15_input("10000000000000000000")).unwrap();
    assert_eq!(out.collateral_to_liquidator, n("522500000000000000"));
    assert_eq!(out.debt_amount_needed, n("1000000000"));
    assert_eq!(out.protocol_fee, n("2500000000000000"));
}

#[test]
fn a16_collateral_limited_v3_6_percent_div_ceil() {
    let out =
        calculate_available_collateral_to_liquidate(&a15_input("300000000000000000")).unwrap();
    assert_eq!(out.collateral_to_liquidator, n("298571428571428571"));
    assert_eq!(out.protocol_fee, n("1428571428571429"));
    // §8 A16 gives debtRepaid = 571428571 (half-up `percentDiv`, v3.0–v3.5).
    // v3.6 uses `percentDivCeil`: ⌈600e6·1e4 / 10500⌉ = ⌈571428571.43⌉ = 571428572.
    assert_eq!(out.debt_amount_needed, n("571428572"));
    assert_ne!(out.debt_amount_needed, n("571428571"));
}

#[test]
fn a17_health_factor() {
    let mut p = funded_pool();
    p.configure_reserve_as_collateral(WETH, 8000, 8250, 10500)
        .unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(1500)).unwrap();
    let data = p.user_account_data(T0, ALICE);
    assert_eq!(data.health_factor, n("1100000000000000000"));
    assert_eq!(data.total_collateral_base, usd(2000));
    assert_eq!(data.total_debt_base, usd(1500));
    assert_eq!(data.current_liquidation_threshold, U256::from(8250u32));
    assert_eq!(data.ltv, U256::from(8000u32));
    assert_eq!(data.available_borrows_base, usd(100));
}
