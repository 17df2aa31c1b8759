//! The real Aave v2 market (`@aave/protocol-v2@1.0.1`) in revm, on its own: deployment
//! per §A.2 of `protocol-math-aave-v2-uniswap-v3.md`, a deposit / borrow (both modes) /
//! repay / swap / withdraw / liquidation flow, and the §A.14 vectors checked against the
//! bytecode: strategy R1–R6 (§A.15 step 1, bare strategy with stub oracles), compounded
//! interest V1–V8 (read through stable-debt balances), the reserve-update vector, the
//! health-factor / borrow-power vectors and both liquidation vectors.

use alloy_primitives::U256;
use bankrun_conformance::aave_v2::{
    EvmAaveV2, RateMode, ReserveSpecV2, USD_IN_WEI, bps_ray, default_reserves_v2,
    deploy_bare_strategy, revert_reason, spec_v2, strategy_rates,
};
use bankrun_conformance::driver::pow10;
use bankrun_conformance::evm::{Evm, Outcome};
use bankrun_conformance::lending_pool::LendingPool;

const T: u64 = 1_700_000_000;

fn u(s: &str) -> U256 {
    s.parse().unwrap()
}

#[track_caller]
fn ok(o: Outcome) {
    if let Outcome::Revert(d) = &o {
        panic!("reverted: {:?}", revert_reason(d));
    }
    assert!(matches!(o, Outcome::Success(_)), "{o:?}");
}

#[track_caller]
fn reverts_with(o: Outcome, reason: &str) {
    match &o {
        Outcome::Revert(d) => assert_eq!(revert_reason(d).as_deref(), Some(reason)),
        other => panic!("expected revert {reason:?}, got {other:?}"),
    }
}

/// WETH (price 1 ETH, LTV 80 %, LT 82.5 %, bonus 5 %), USDC with the §A.14 strategy
/// (opt 90 %, base 0, 4 % / 60 %, stable 2 % / 60 %, market rate 3.5 %, RF 10 %) at
/// ETH = $2,000, DAI likewise: the differential market with DAI at exactly $1.
fn vector_market() -> Vec<ReserveSpecV2> {
    let mut reserves = default_reserves_v2();
    reserves[DAI].price = U256::from(USD_IN_WEI);
    reserves
}

const WETH: usize = 0;
const USDC: usize = 1;
const DAI: usize = 2;

/// A fresh [`vector_market`] with `n_users` users: `lp` deposits 1,000,000 USDC and `b`
/// deposits `weth` wei of WETH.
fn market_with_collateral(n_users: usize, lp: usize, b: usize, weth: U256) -> EvmAaveV2 {
    let mut m = EvmAaveV2::deploy(&vector_market(), n_users, T).unwrap();
    ok(m.deposit(lp, USDC, U256::from(1_000_000u32) * pow10(6))
        .unwrap());
    ok(m.deposit(b, WETH, weth).unwrap());
    m
}

/// `user` borrows `usdc` whole USDC in `mode`, which must succeed.
#[track_caller]
fn borrow_usdc(m: &mut EvmAaveV2, user: usize, usdc: u64, mode: RateMode) {
    ok(
        m.borrow_with_mode(user, USDC, U256::from(usdc) * pow10(6), mode)
            .unwrap(),
    );
}

#[test]
fn strategy_vectors_r1_r6() {
    let mut evm = Evm::new();
    let s = deploy_bare_strategy(
        &mut evm,
        u("900000000000000000000000000"),
        U256::ZERO,
        bps_ray(400),
        bps_ray(6000),
        bps_ray(200),
        bps_ray(6000),
        bps_ray(350),
    )
    .unwrap();
    let e6 = pow10(6);
    let rf = U256::from(1000u32);
    let cases: [(u64, u64, u64, &str, [&str; 3]); 6] = [
        (
            500,
            0,
            500,
            "0",
            [
                "9999999999999999900000000",
                "46111111111111111111111111",
                "22222222222222222222222222",
            ],
        ),
        (
            100,
            0,
            900,
            "0",
            [
                "32400000000000000000000000",
                "55000000000000000000000000",
                "40000000000000000000000000",
            ],
        ),
        (
            50,
            0,
            950,
            "0",
            [
                "290700000000000000000000000",
                "355000000000000000000000000",
                "340000000000000000000000000",
            ],
        ),
        (
            0,
            0,
            1000,
            "0",
            [
                "576000000000000000000000000",
                "655000000000000000000000000",
                "640000000000000000000000000",
            ],
        ),
        (
            200,
            200,
            600,
            "50000000000000000000000000",
            [
                "28199999999999999700000000",
                "52777777777777777777777778",
                "35555555555555555555555556",
            ],
        ),
        (1000, 0, 0, "0", ["0", "35000000000000000000000000", "0"]),
    ];
    for (i, (avail, st, var, avg, want)) in cases.iter().enumerate() {
        let got = strategy_rates(
            &mut evm,
            s,
            alloy_primitives::Address::ZERO,
            U256::from(*avail) * e6,
            U256::from(*st) * e6,
            U256::from(*var) * e6,
            u(avg),
            rf,
        )
        .unwrap();
        assert_eq!(
            got,
            (u(want[0]), u(want[1]), u(want[2])),
            "R{} (LR, SR, VR)",
            i + 1
        );
    }
    // RF > 100 %: `PERCENTAGE_FACTOR.sub(reserveFactor)` underflows.
    let err = strategy_rates(
        &mut evm,
        s,
        alloy_primitives::Address::ZERO,
        U256::from(500u32) * e6,
        U256::ZERO,
        U256::from(500u32) * e6,
        U256::ZERO,
        U256::from(10_001u32),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("SafeMath: subtraction overflow"),
        "{err}"
    );
}

/// V1–V8: a borrower holding a stable principal of exactly 1e27 wei at rate r has
/// `balanceOf = rayMul(1e27, calculateCompoundedInterest(r, ts, now))`, which is the
/// compounded factor itself.
#[test]
fn compounded_interest_vectors_v1_v8() {
    let flat = |sym: &str| {
        spec_v2(
            sym,
            18,
            pow10(18),
            (8000, 8250, 10500),
            1000,
            (9000, 0, 400, 6000),
            (0, 0),
            500,
            true,
        )
    };
    let mut m = EvmAaveV2::deploy(&[flat("X"), flat("Y")], 5, T).unwrap();
    let (x, y) = (0, 1);
    let e27 = pow10(27);
    ok(m.deposit(0, x, U256::from(20u8) * e27).unwrap());
    let rates = [
        u("1000500000000000000000000000"),
        u("50000000000000000000000000"),
        u("80000000000000000000000000"),
        u("3000000000000000000000000000"),
    ];
    for (k, &rate) in rates.iter().enumerate() {
        let b = k + 1;
        ok(m.deposit(b, y, U256::from(2u8) * e27).unwrap());
        m.set_market_borrow_rate(x, rate).unwrap();
        // Any action re-runs the strategy: SR = market rate (stable slopes 0).
        ok(m.deposit(0, x, pow10(18)).unwrap());
        assert_eq!(m.reserve(x).unwrap().stable_borrow_rate, rate);
        ok(m.borrow_with_mode(b, x, e27, RateMode::Stable).unwrap());
        let us = &m.user(b).unwrap().reserves[x];
        assert_eq!((us.stable_principal, us.stable_rate), (e27, rate));
    }
    let year = 31_536_000u64;
    let vectors: [(&str, usize, u64, &str); 8] = [
        ("V1", 1, year / 2, "1646239361880034706410612000"),
        ("V2", 2, 3600, "1000005707778841860607690600"),
        ("V3", 2, 86_400, "1000136995684314615598974400"),
        ("V4", 2, year, "1051270908731986166777656000"),
        ("V5", 3, 7 * year, "1745486836387989778999000000"),
        ("V6", 4, year, "13000001382020794914625384000"),
        ("V7", 2, 1, "1000000001585489599188229325"),
        ("V8", 2, 2, "1000000003170979200890235919"),
    ];
    for (name, user, dt, want) in vectors {
        m.evm.set_timestamp(T + dt);
        let got = m.user(user).unwrap().reserves[x].stable_balance;
        assert_eq!(got, u(want), "{name}");
    }
}

/// §A.14 "Reserve update": R2 rates, indices 1e27, 900e6 scaled variable debt, 1000e6
/// supplied, RF 10 %, one day.
#[test]
fn reserve_update_vector() {
    let mut m = EvmAaveV2::deploy(&vector_market(), 3, T).unwrap();
    let e6 = pow10(6);
    ok(m.deposit(0, USDC, U256::from(1000u32) * e6).unwrap());
    ok(m.deposit(1, WETH, U256::from(10u8) * pow10(18)).unwrap());
    borrow_usdc(&mut m, 1, 900, RateMode::Variable);
    let r = m.reserve(USDC).unwrap();
    assert_eq!(
        (
            r.liquidity_rate,
            r.stable_borrow_rate,
            r.variable_borrow_rate
        ),
        (
            u("32400000000000000000000000"),
            u("55000000000000000000000000"),
            u("40000000000000000000000000")
        ),
        "R2 in the market"
    );
    m.evm.set_timestamp(T + 86_400);
    ok(m.deposit(2, USDC, U256::from(1000u32) * e6).unwrap());
    let r = m.reserve(USDC).unwrap();
    assert_eq!(r.liquidity_index, u("1000088767123287671232876712"));
    assert_eq!(r.variable_borrow_index, u("1000109595046120336121075200"));
    assert_eq!(r.treasury_scaled, U256::from(9863u32));
    assert_eq!(r.last_update, T + 86_400);
    let u2 = &m.user(2).unwrap().reserves[USDC];
    assert_eq!(
        (u2.scaled_a, u2.a_balance),
        (U256::from(999_911_241u64), U256::from(1_000_000_000u64))
    );
    let u0 = &m.user(0).unwrap().reserves[USDC];
    assert_eq!(u0.a_balance, U256::from(1_000_088_767u64));
    let u1 = &m.user(1).unwrap().reserves[USDC];
    assert_eq!(u1.variable_balance, U256::from(900_098_636u64));
}

/// §A.14 "Health factor and borrow power" and the 50 % liquidation vector.
#[test]
fn health_factor_and_liquidation_vectors() {
    let e18 = pow10(18);
    let (lp, b) = (0, 1);
    let mut m = market_with_collateral(3, lp, b, U256::from(10u8) * e18);
    let cfg = m.user(b).unwrap();
    assert_eq!(cfg.collateral_bitmap, 1, "first deposit enables collateral");
    borrow_usdc(&mut m, b, 15_000, RateMode::Variable);
    let acc = m.user(b).unwrap().account;
    assert_eq!(
        acc,
        [
            U256::from(10u8) * e18,
            u("7500000000000000000"),
            u("500000000000000000"),
            U256::from(8250u32),
            U256::from(8000u32),
            u("1100000000000000000"),
        ]
    );
    // Withdraw 0.92 ETH: HF after 0.9988 → refused with 6; 0.9 ETH: HF 1.001, allowed.
    reverts_with(m.withdraw(b, WETH, u("920000000000000000")).unwrap(), "6");
    ok(m.withdraw(b, WETH, u("900000000000000000")).unwrap());
    assert_eq!(m.user(b).unwrap().account[5], u("1001000000000000000"));
    ok(m.deposit(b, WETH, u("900000000000000000")).unwrap());
    // Borrow power: percentDiv(7.5e18 + 5e17, 8000) = 10e18 ≤ collateral; one more unit: 11.
    reverts_with(
        m.borrow_with_mode(b, USDC, U256::from(1_000_000_001u64), RateMode::Variable)
            .unwrap(),
        "11",
    );
    // HF ≥ 1: not liquidatable (42).
    reverts_with(
        m.liquidate(lp, WETH, USDC, b, U256::MAX, false).unwrap(),
        "42",
    );
    // ETH = $1,500.
    m.set_price(USDC, U256::from(666_666_666_666_667u64))
        .unwrap();
    let acc = m.user(b).unwrap().account;
    assert_eq!(acc[1], u("10000000000000005000"), "debt ETH");
    assert_eq!(acc[5], u("824999999999999588"), "HF");
    let (w0, u0) = (m.wallet(lp, WETH).unwrap(), m.wallet(lp, USDC).unwrap());
    ok(m.liquidate(lp, WETH, USDC, b, U256::MAX, false).unwrap());
    let (w1, u1) = (m.wallet(lp, WETH).unwrap(), m.wallet(lp, USDC).unwrap());
    assert_eq!(w1 - w0, u("5250000000000002625"), "collateral seized");
    assert_eq!(u0 - u1, U256::from(7_500_000_000u64), "debt repaid (50 %)");
    let ub = m.user(b).unwrap();
    assert_eq!(
        ub.reserves[WETH].a_balance,
        U256::from(10u8) * e18 - u("5250000000000002625")
    );
    assert_eq!(
        ub.reserves[USDC].variable_balance,
        U256::from(7_500_000_000u64)
    );
    // The borrow that was allowed at 15,000 USDC of debt (fresh market).
    let mut m = market_with_collateral(3, lp, b, U256::from(10u8) * e18);
    borrow_usdc(&mut m, b, 15_000, RateMode::Variable);
    borrow_usdc(&mut m, b, 1_000, RateMode::Variable);
    assert_eq!(m.user(b).unwrap().account[2], U256::ZERO);
}

/// §A.14 liquidation with only 3 WETH of collateral: all of it is seized and 4285714285
/// USDC repaid; the borrower's WETH collateral flag is cleared; receiveAToken = true.
#[test]
fn liquidation_vector_collateral_exhausted() {
    let e18 = pow10(18);
    let (lp, b) = (0, 1);
    let mut m = market_with_collateral(3, lp, b, U256::from(3u8) * e18);
    ok(m.deposit(b, DAI, U256::from(30_000u32) * e18).unwrap());
    borrow_usdc(&mut m, b, 15_000, RateMode::Variable);
    m.set_price(DAI, U256::ZERO).unwrap();
    m.set_price(USDC, U256::from(666_666_666_666_667u64))
        .unwrap();
    let u0 = m.wallet(lp, USDC).unwrap();
    ok(m.liquidate(lp, WETH, USDC, b, U256::MAX, true).unwrap());
    assert_eq!(
        u0 - m.wallet(lp, USDC).unwrap(),
        U256::from(4_285_714_285u64)
    );
    let l = m.user(lp).unwrap();
    assert_eq!(l.reserves[WETH].a_balance, U256::from(3u8) * e18);
    assert_eq!(
        l.collateral_bitmap & 1,
        1,
        "liquidator's aWETH is collateral"
    );
    let ub = m.user(b).unwrap();
    assert_eq!(ub.reserves[WETH].a_balance, U256::ZERO);
    assert_eq!(ub.collateral_bitmap, 1 << DAI, "WETH flag cleared");
    assert_eq!(
        ub.reserves[USDC].variable_balance,
        U256::from(15_000_000_000u64 - 4_285_714_285)
    );
}

/// Deposit, both borrow modes, swap, partial and max repays, withdraw max, pause, freeze,
/// liquidity shortfall, collateral toggle.
#[test]
fn flow_both_modes() {
    let (e6, e18) = (pow10(6), pow10(18));
    let (lp, b) = (0, 3);
    let mut m = market_with_collateral(4, lp, b, U256::from(10u8) * e18);
    borrow_usdc(&mut m, b, 1000, RateMode::Stable);
    borrow_usdc(&mut m, b, 500, RateMode::Variable);
    let r = m.reserve(USDC).unwrap();
    assert_eq!(r.stable_principal_supply, U256::from(1000u32) * e6);
    assert_eq!(m.user(b).unwrap().borrowing_bitmap, 1 << USDC);
    m.evm.set_timestamp(T + 30 * 86_400);
    ok(
        m.repay_with_mode(b, b, USDC, U256::from(100u32) * e6, RateMode::Stable)
            .unwrap(),
    );
    ok(m.swap_rate_mode(b, USDC, RateMode::Variable).unwrap());
    let us = &m.user(b).unwrap().reserves[USDC];
    assert_eq!(us.scaled_variable, U256::ZERO);
    assert!(us.stable_balance > U256::from(1400u32) * e6);
    reverts_with(
        m.repay_with_mode(b, b, USDC, U256::MAX, RateMode::Variable)
            .unwrap(),
        "15",
    );
    reverts_with(
        m.repay_with_mode(lp, b, USDC, U256::MAX, RateMode::Stable)
            .unwrap(),
        "16",
    );
    ok(m.repay_with_mode(b, b, USDC, U256::MAX, RateMode::Stable)
        .unwrap());
    let ub = m.user(b).unwrap();
    assert_eq!(ub.reserves[USDC].stable_principal, U256::ZERO);
    assert_eq!(ub.borrowing_bitmap, 0);
    // Pause blocks everything with 64.
    ok(m.set_pause(true).unwrap());
    reverts_with(m.deposit(b, WETH, e18).unwrap(), "64");
    ok(m.set_pause(false).unwrap());
    // Freeze blocks deposit (3) and borrow, not withdraw.
    ok(m.set_freeze(WETH, true).unwrap());
    reverts_with(m.deposit(b, WETH, e18).unwrap(), "3");
    ok(m.withdraw(b, WETH, e18).unwrap());
    ok(m.set_freeze(WETH, false).unwrap());
    // Collateral toggle off and on.
    ok(m.set_collateral(b, WETH, false).unwrap());
    reverts_with(
        m.borrow_with_mode(b, USDC, e6, RateMode::Variable).unwrap(),
        "9",
    );
    ok(m.set_collateral(b, WETH, true).unwrap());
    ok(m.withdraw(b, WETH, U256::MAX).unwrap());
    assert_eq!(m.user(b).unwrap().reserves[WETH].a_balance, U256::ZERO);
    // Withdrawing more than the available liquidity: SafeMath in updateInterestRates.
    ok(m.deposit(b, WETH, U256::from(1000u32) * e18).unwrap());
    borrow_usdc(&mut m, b, 600_000, RateMode::Variable);
    let avail = m.reserve(USDC).unwrap().liquidity;
    reverts_with(
        m.withdraw(lp, USDC, avail + U256::from(1u8)).unwrap(),
        "SafeMath: subtraction overflow",
    );
    ok(m.withdraw(lp, USDC, avail).unwrap());
    assert_eq!(m.reserve(USDC).unwrap().liquidity, U256::ZERO);
}
