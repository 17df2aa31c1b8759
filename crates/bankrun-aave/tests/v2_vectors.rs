//! The Aave v2 vectors of protocol-math-aave-v2-uniswap-v3.md §A.14 through the public
//! API: strategy R1–R6 (with SR), the reserve update example, health factor and borrow
//! power, withdraw 0.9 vs 0.92 WETH, the liquidation examples including the 3-WETH case.
//! (V1–V8 are unit tests of `bankrun-math`; the stable mint vector is a unit test of
//! `v2::stable_debt`.)

mod common;
use bankrun_aave::liquidation::CollateralCalcInput;
use bankrun_aave::rate_strategy::bps_to_ray;
use bankrun_aave::v2::liquidation::calculate_available_collateral_to_liquidate_v2;
use bankrun_aave::v2::strategy::{RateInputsV2, StrategyParamsV2, calculate_interest_rates_v2};
use bankrun_aave::{PoolError, U256};
use common::rate;
use common::v2::*;

/// §A.14 "Strategy" R1–R6: opt 90 %, base 0, vS1 4 %, vS2 60 %, sS1 2 %, sS2 60 %,
/// oracle 3.5 %, RF 10 %; amounts in 6-decimal units.
#[test]
fn strategy_r1_to_r6() {
    let params = StrategyParamsV2::from_bps(&rate(9000, 0, 400, 6000), &stable_params());
    let run = |avail: u64, stable: u64, avg: U256, var: u64| {
        let r = calculate_interest_rates_v2(
            &params,
            &RateInputsV2 {
                available_liquidity: usdc(avail),
                total_stable_debt: usdc(stable),
                total_variable_debt: usdc(var),
                average_stable_borrow_rate: avg,
                reserve_factor: 1000,
                market_borrow_rate: market_rate(),
            },
        )
        .unwrap();
        [
            r.liquidity_rate.to_string(),
            r.stable_borrow_rate.to_string(),
            r.variable_borrow_rate.to_string(),
        ]
    };
    let z = U256::ZERO;
    let cases = [
        (
            run(500, 0, z, 500),
            [
                "9999999999999999900000000",
                "46111111111111111111111111",
                "22222222222222222222222222",
            ],
        ),
        (
            run(100, 0, z, 900),
            [
                "32400000000000000000000000",
                "55000000000000000000000000",
                "40000000000000000000000000",
            ],
        ),
        (
            run(50, 0, z, 950),
            [
                "290700000000000000000000000",
                "355000000000000000000000000",
                "340000000000000000000000000",
            ],
        ),
        (
            run(0, 0, z, 1000),
            [
                "576000000000000000000000000",
                "655000000000000000000000000",
                "640000000000000000000000000",
            ],
        ),
        (
            run(200, 200, bps_to_ray(500), 600),
            [
                "28199999999999999700000000",
                "52777777777777777777777778",
                "35555555555555555555555556",
            ],
        ),
        (
            run(1_000, 0, z, 0),
            ["0", "35000000000000000000000000", "0"],
        ),
    ];
    for (i, (got, want)) in cases.iter().enumerate() {
        assert_eq!(got, &want.map(String::from), "R{}", i + 1);
    }
}

/// Reserve factor above 100 % and an optimal point above 100 % revert with SafeMath.
#[test]
fn strategy_safemath_reverts() {
    let mut params = StrategyParamsV2::from_bps(&rate(9000, 0, 400, 6000), &stable_params());
    let mut inputs = RateInputsV2 {
        available_liquidity: usdc(100),
        total_stable_debt: U256::ZERO,
        total_variable_debt: usdc(900),
        average_stable_borrow_rate: U256::ZERO,
        reserve_factor: 10_001,
        market_borrow_rate: market_rate(),
    };
    let err = calculate_interest_rates_v2(&params, &inputs).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "SafeMath: subtraction overflow");
    inputs.reserve_factor = 1000;
    params.optimal_utilization_rate = bps_to_ray(10_001);
    assert_eq!(
        calculate_interest_rates_v2(&params, &inputs),
        Err(PoolError::SafeMathSubtractionOverflow)
    );
}

/// §A.14 "Reserve update", driven through the pool: R2 state (1000 USDC supplied, 900
/// borrowed at variable rate, indexes 1), one day, then a 1000 USDC deposit.
#[test]
fn reserve_update_example() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(900)).unwrap();
    let r = p.reserve(USDC);
    assert_eq!(r.current_liquidity_rate, n("32400000000000000000000000"));
    assert_eq!(
        r.current_stable_borrow_rate,
        n("55000000000000000000000000")
    );
    assert_eq!(
        r.current_variable_borrow_rate,
        n("40000000000000000000000000")
    );
    assert_eq!(p.scaled_balances(ALICE, USDC).1, usdc(900));
    assert_eq!(p.treasury_scaled_balance(USDC), U256::ZERO);

    let t1 = T0 + 86_400;
    // The views already see the accrual the update will store.
    let li = n("1000088767123287671232876712");
    let vi = n("1000109595046120336121075200");
    assert_eq!(p.normalized_income(t1, USDC), li);
    assert_eq!(p.normalized_debt(t1, USDC), vi);
    assert_eq!(
        p.supply_balance(t1, LP, USDC) - usdc(1000),
        U256::from(88_767u32)
    );
    p.supply(t1, BOB, USDC, usdc(1000)).unwrap();
    let r = p.reserve(USDC);
    assert_eq!((r.liquidity_index, r.variable_borrow_index), (li, vi));
    assert_eq!(r.last_update_timestamp, t1);
    // accrued 98,636 → percentMul(·, 10 %) = 9,864 → rayDiv(9,864, LI') = 9,863 scaled.
    assert_eq!(
        p.debt_balance(t1, ALICE, USDC) - usdc(900),
        U256::from(98_636u32)
    );
    assert_eq!(p.treasury_scaled_balance(USDC), U256::from(9_863u32));
    assert_eq!(p.scaled_balances(BOB, USDC).0, U256::from(999_911_241u64));
    assert_eq!(p.supply_balance(t1, BOB, USDC), usdc(1000));
    assert_eq!(
        r.scaled_total_supply,
        usdc(1000) + U256::from(9_863u32) + U256::from(999_911_241u64)
    );
}

/// §A.14 "Health factor and borrow power": 10 WETH, 15,000 USDC of debt at ETH = $2000.
#[test]
fn health_factor_and_borrow_power() {
    let p = alice_borrowing(15_000);
    let d = p.user_account_data(T0, ALICE);
    assert_eq!(d.total_collateral_base, e18(10));
    assert_eq!(d.total_debt_base, n("7500000000000000000"));
    assert_eq!(d.health_factor, n("1100000000000000000"));
    assert_eq!(d.available_borrows_base, n("500000000000000000"));
    assert_eq!(
        (d.ltv, d.current_liquidation_threshold),
        (U256::from(8000u16), U256::from(8250u16))
    );

    // percentDiv(7.5e18 + 5e17, 8000) = 10e18 ≤ 10e18: allowed; one wei more is `11`.
    let mut q = p.clone();
    let err = q
        .borrow(T0, ALICE, USDC, usdc(1000) + U256::from(1u8))
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "11");
    q.borrow(T0, ALICE, USDC, usdc(1000)).unwrap();
    assert_eq!(
        q.user_account_data(T0, ALICE).available_borrows_base,
        U256::ZERO
    );
}

/// §A.14: withdrawing 0.92 WETH would leave HF 0.9988 (refused with `6`), 0.9 WETH
/// leaves 1.001.
#[test]
fn withdraw_0_9_vs_0_92() {
    let mut p = alice_borrowing(15_000);
    let e = |milli: u64| U256::from(milli) * U256::from(1_000_000_000_000_000u64);
    let err = p.withdraw(T0, ALICE, WETH, e(920)).unwrap_err();
    assert_eq!(err, PoolError::TransferNotAllowed);
    assert_eq!(err.v2_revert_reason(), "6");
    assert_eq!(p.withdraw(T0, ALICE, WETH, e(900)), Ok(e(900)));
    assert_eq!(
        p.user_account_data(T0, ALICE).health_factor,
        n("1001000000000000000")
    );
}

/// §A.14 "Liquidation": USDC at 666666666666667 wei (ETH = $1500), bonus 10500.
#[test]
fn liquidation_example() {
    let mut p = alice_borrowing(15_000);
    p.set_asset_price(USDC, n("666666666666667"));
    let d = p.user_account_data(T0, ALICE);
    assert_eq!(d.total_debt_base, n("10000000000000005000"));
    assert_eq!(d.health_factor, n("824999999999999588"));
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(7500));
    assert_eq!(out.collateral_to_liquidator, n("5250000000000002625"));
    assert_eq!(out.protocol_fee, U256::ZERO);
    assert!(out.deficit_created.is_empty());
    assert_eq!(p.debt_balance(T0, ALICE, USDC), usdc(7500));
    assert_eq!(
        p.supply_balance(T0, ALICE, WETH),
        e18(10) - n("5250000000000002625")
    );
    assert_eq!(
        p.available_liquidity(WETH),
        e18(10) - n("5250000000000002625")
    );
}

/// §A.14 "With only 3 WETH of collateral": the whole 3 WETH is seized for 4285714285 of
/// debt. Alice's other collateral (DAI) has become worthless.
#[test]
fn liquidation_example_three_weth() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(100_000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(3)).unwrap();
    p.supply(T0, ALICE, DAI, e18(14_000)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(15_000)).unwrap();
    p.set_asset_price(DAI, U256::from(1u8));
    p.set_asset_price(USDC, n("666666666666667"));
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.collateral_to_liquidator, e18(3));
    assert_eq!(out.debt_repaid, U256::from(4_285_714_285u64));
    let acc = p.user(ALICE).unwrap();
    assert!(!acc.is_using_as_collateral(WETH));
    assert!(acc.is_borrowing(USDC));

    // The same numbers from the collateral calculation alone.
    let calc = calculate_available_collateral_to_liquidate_v2(&CollateralCalcInput {
        collateral_price: e18(1),
        collateral_unit: e18(1),
        debt_price: n("666666666666667"),
        debt_unit: usdc(1),
        debt_to_cover: usdc(7500),
        borrower_collateral_balance: e18(3),
        liquidation_bonus: 10500,
        protocol_fee_bps: 1000,
    })
    .unwrap();
    assert_eq!(calc, (e18(3), U256::from(4_285_714_285u64)));
}

/// `percentMul(bonus)` before the division: a case where v3.0's order (division first)
/// gives one wei less (1521766729635362415).
#[test]
fn liquidation_bonus_before_division() {
    let calc = calculate_available_collateral_to_liquidate_v2(&CollateralCalcInput {
        collateral_price: e18(1),
        collateral_unit: e18(1),
        debt_price: n("232762829599804"),
        debt_unit: usdc(1),
        debt_to_cover: U256::from(6_226_516_707u64),
        borrower_collateral_balance: e18(100),
        liquidation_bonus: 10500,
        protocol_fee_bps: 0,
    })
    .unwrap();
    assert_eq!(
        calc,
        (n("1521766729635362416"), U256::from(6_226_516_707u64))
    );
}
