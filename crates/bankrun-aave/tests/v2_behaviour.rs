//! Behaviour of the Aave v2 mode (protocol-math-aave-v2-uniswap-v3.md §A.5–§A.12):
//! liquidity shortfall, collateral rules, close factor, pause, stable debt, rate swap,
//! rebalance, the stale variable index at a 100 % reserve factor, liquidation errors and
//! the v2 revert reasons.

mod common;
use bankrun_aave::{EModeCategory, InterestRateMode, PoolError, U256};
use common::v2::*;
use common::{cfg, rate, snapshot};

const STABLE: InterestRateMode = InterestRateMode::Stable;
const VARIABLE: InterestRateMode = InterestRateMode::Variable;

/// The stable rate a user without stable debt gets when minting `amount` at `rate`
/// (§A.7: `rayDiv(rayMul(wadToRay(amount), rate), wadToRay(amount))`).
fn as_user_rate(amount: U256, rate: U256) -> U256 {
    use bankrun_math::wad_ray::{ray_div, ray_mul, wad_to_ray};
    let r = wad_to_ray(amount).unwrap();
    ray_div(ray_mul(r, rate).unwrap(), r).unwrap()
}

/// §A.12 / §A.15: a withdraw of exactly the available liquidity succeeds; one wei more
/// reverts with `"SafeMath: subtraction overflow"` even though the user holds it.
#[test]
fn withdraw_exactly_available_liquidity() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(400)).unwrap();
    let t = T0 + 3600;
    assert_eq!(p.available_liquidity(USDC), usdc(600));
    assert!(p.supply_balance(t, LP, USDC) > usdc(1000));
    let before = snapshot(&p);
    let err = p
        .withdraw(t, LP, USDC, usdc(600) + U256::from(1u8))
        .unwrap_err();
    assert_eq!(err, PoolError::SafeMathSubtractionOverflow);
    assert_eq!(err.v2_revert_reason(), "SafeMath: subtraction overflow");
    assert_eq!(snapshot(&p), before, "a revert changes nothing");
    assert_eq!(p.withdraw(t, LP, USDC, usdc(600)), Ok(usdc(600)));
    assert_eq!(p.available_liquidity(USDC), U256::ZERO);
    // A variable borrow above the liquidity fails the same way (after the debt mint).
    let err = p.borrow(t, ALICE, USDC, U256::from(1u8)).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "SafeMath: subtraction overflow");
}

/// §A.12: the first deposit always enables collateral, even with LTV 0 (and LT 0).
#[test]
fn first_deposit_enables_collateral_even_at_ltv_zero() {
    let mut p = v2_pool();
    let gov = p
        .init_reserve(T0, cfg("GOV", 18, 0, 0, 0, 0, rate(8000, 0, 400, 6000)))
        .unwrap();
    p.set_asset_price(gov, e18(1));
    p.supply(T0, ALICE, gov, e18(5)).unwrap();
    assert!(p.user(ALICE).unwrap().is_using_as_collateral(gov));
    // LTV 0 with a threshold: also enabled, and it counts toward HF but not borrow power.
    p.configure_reserve_as_collateral(DAI, 0, 7700, 10500)
        .unwrap();
    p.supply(T0, ALICE, DAI, e18(100)).unwrap();
    assert!(p.user(ALICE).unwrap().is_using_as_collateral(DAI));
    let d = p.user_account_data(T0, ALICE);
    assert_eq!(
        d.total_collateral_base,
        U256::from(50_000_000_000_000_000u64)
    );
    assert_eq!(d.ltv, U256::ZERO);
    // Borrowing with average LTV 0 divides by zero in percentDiv: `50`.
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    let err = p.borrow(T0, ALICE, USDC, usdc(1)).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "50");
    // A second deposit does not re-enable collateral the user switched off.
    p.set_user_use_reserve_as_collateral(T0, ALICE, DAI, false)
        .unwrap();
    p.supply(T0, ALICE, DAI, e18(1)).unwrap();
    assert!(!p.user(ALICE).unwrap().is_using_as_collateral(DAI));
}

/// §A.11: the close factor is 50 % whatever the health factor (here HF 0.5, where v3.0
/// would allow 100 %).
#[test]
fn close_factor_is_half_even_at_very_low_hf() {
    let mut p = alice_borrowing(15_000);
    // 15,000 USDC worth 16.5 ETH against 10 WETH: HF = 8.25 / 16.5 = 0.5.
    p.set_asset_price(USDC, U256::from(1_100_000_000_000_000u64));
    let hf = p.user_account_data(T0, ALICE).health_factor;
    assert_eq!(hf, n("500000000000000000"));
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(7500));
    assert_eq!(out.health_factor_before, hf);
    // receiveAToken: the liquidator got aTokens and the collateral flag.
    assert_eq!(
        p.supply_balance(T0, LIQ, WETH),
        out.collateral_to_liquidator
    );
    assert!(p.user(LIQ).unwrap().is_using_as_collateral(WETH));
    assert_eq!(p.available_liquidity(WETH), e18(10));
    // The second call is limited by the 1.3375 WETH left, not by the close factor.
    let left = p.supply_balance(T0, ALICE, WETH);
    let out2 = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out2.collateral_to_liquidator, left);
    assert!(out2.debt_repaid < usdc(3750));
    assert!(!p.user(ALICE).unwrap().is_using_as_collateral(WETH));
    assert!(p.user(ALICE).unwrap().is_borrowing(USDC));
}

/// §A.12: the pause is global and blocks every entry point, liquidation included.
#[test]
fn pause_blocks_liquidation_and_everything_else() {
    let mut p = alice_borrowing(15_000);
    p.set_asset_price(USDC, n("666666666666667"));
    p.set_pool_pause(true);
    assert!(p.is_pool_paused());
    let err = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap_err();
    assert_eq!(err, PoolError::PoolPaused);
    assert_eq!(err.v2_revert_reason(), "64");
    let errs = [
        p.supply(T0, BOB, USDC, usdc(1)).unwrap_err(),
        p.withdraw(T0, LP, USDC, usdc(1)).unwrap_err(),
        p.borrow(T0, ALICE, USDC, usdc(1)).unwrap_err(),
        p.repay(T0, ALICE, ALICE, USDC, usdc(1))
            .map(|_| ())
            .unwrap_err(),
        p.set_user_use_reserve_as_collateral(T0, ALICE, WETH, false)
            .unwrap_err(),
        p.swap_borrow_rate_mode(T0, ALICE, USDC, VARIABLE)
            .unwrap_err(),
    ];
    assert!(errs.iter().all(|e| *e == PoolError::PoolPaused), "{errs:?}");
    p.set_pool_pause(false);
    assert!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
            .is_ok()
    );
}

/// §A.7: a stable borrow may take at most 25 % of the available liquidity (`14`).
#[test]
fn stable_borrow_above_a_quarter_of_liquidity_is_14() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(10)).unwrap();
    let err = p
        .borrow_with_mode(T0, ALICE, USDC, usdc(250) + U256::from(1u8), STABLE)
        .unwrap_err();
    assert_eq!(err, PoolError::AmountBiggerThanMaxLoanSizeStable);
    assert_eq!(err.v2_revert_reason(), "14");
    let rate = p.reserve(USDC).current_stable_borrow_rate;
    assert_eq!(rate, market_rate());
    p.borrow_with_mode(T0, ALICE, USDC, usdc(250), STABLE)
        .unwrap();
    assert_eq!(p.user_stable_debt(ALICE, USDC), (usdc(250), rate, T0));
    let s = p.stable_debt_supply_data(T0, USDC);
    assert_eq!((s.principal_supply, s.total_supply), (usdc(250), usdc(250)));
    assert_eq!((s.avg_rate, s.timestamp), (rate, T0));
    assert!(p.user(ALICE).unwrap().is_borrowing(USDC));
    assert_eq!(p.available_liquidity(USDC), usdc(750));
    // Utilisation 25 %: the stable rate moved up from the oracle's base.
    assert!(p.reserve(USDC).current_stable_borrow_rate > rate);
}

/// Stable-only checks: `12` (stable disabled) and `13` (borrowing against the same
/// asset as collateral, unless the amount exceeds the user's deposit).
#[test]
fn stable_borrow_checks_12_and_13() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(10_000)).unwrap();
    p.supply(T0, ALICE, USDC, usdc(1000)).unwrap();
    let err = p
        .borrow_with_mode(T0, ALICE, USDC, usdc(100), STABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "13");
    p.borrow_with_mode(T0, ALICE, USDC, usdc(100), VARIABLE)
        .unwrap();
    p.set_reserve_stable_rate_borrowing(USDC, false).unwrap();
    let err = p
        .borrow_with_mode(T0, ALICE, USDC, usdc(100), STABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "12");
    let err = p
        .swap_borrow_rate_mode(T0, ALICE, USDC, VARIABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "12");
}

/// Stable debt accrues at the user's rate; repaying both modes in full clears the
/// borrowing flag; a swap moves the whole balance between modes.
#[test]
fn stable_repay_and_rate_swap() {
    let mut p = alice_borrowing(1000);
    p.borrow_with_mode(T0, ALICE, USDC, usdc(2000), STABLE)
        .unwrap();
    let t = T0 + 30 * 86_400;
    let stable = p.stable_debt_balance(t, ALICE, USDC);
    assert!(stable > usdc(2000));
    // Repaying the stable part alone keeps the flag (variable debt remains).
    let err = p
        .repay_with_mode(t, BOB, ALICE, USDC, U256::MAX, STABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "16");
    let paid = p
        .repay_with_mode(t, ALICE, ALICE, USDC, U256::MAX, STABLE)
        .unwrap();
    assert_eq!(paid, stable);
    assert_eq!(p.user_stable_debt(ALICE, USDC), (U256::ZERO, U256::ZERO, 0));
    assert!(p.user(ALICE).unwrap().is_borrowing(USDC));
    let err = p
        .repay_with_mode(t, ALICE, ALICE, USDC, usdc(1), STABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "15");

    // Variable → stable: the whole variable balance becomes stable at the current rate
    // (as the user's rate: `rayDiv(rayMul(wadToRay(x), rate), wadToRay(x))`, which for a
    // 6-decimal token is not exactly `rate`).
    let variable = p.debt_balance(t, ALICE, USDC);
    let rate = p.reserve(USDC).current_stable_borrow_rate;
    p.swap_borrow_rate_mode(t, ALICE, USDC, VARIABLE).unwrap();
    assert_eq!(p.scaled_balances(ALICE, USDC).1, U256::ZERO);
    let user_rate = as_user_rate(variable, rate);
    assert_ne!(user_rate, rate);
    assert_eq!(p.user_stable_debt(ALICE, USDC), (variable, user_rate, t));
    let err = p
        .swap_borrow_rate_mode(t, ALICE, USDC, VARIABLE)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "18");
    // And back.
    p.swap_borrow_rate_mode(t, ALICE, USDC, STABLE).unwrap();
    assert_eq!(p.user_stable_debt(ALICE, USDC).0, U256::ZERO);
    assert_eq!(p.debt_balance(t, ALICE, USDC), variable);
    let err = p.swap_borrow_rate_mode(t, ALICE, USDC, STABLE).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "17");
    p.repay(t, ALICE, ALICE, USDC, U256::MAX).unwrap();
    assert!(!p.user(ALICE).unwrap().is_borrowing(USDC));
    assert_eq!(p.check_books(t), Vec::<String>::new());
}

/// §A.5: the treasury receives aTokens at every `updateState`, including the stable
/// debt's accrual.
#[test]
fn treasury_minted_at_every_update_including_stable_accrual() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(100_000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(10)).unwrap();
    p.borrow_with_mode(T0, ALICE, USDC, usdc(10_000), STABLE)
        .unwrap();
    assert_eq!(p.reserve(USDC).scaled_total_variable_debt, U256::ZERO);
    let t = T0 + 365 * 86_400;
    p.supply(t, BOB, USDC, usdc(1)).unwrap();
    let minted = p.treasury_scaled_balance(USDC);
    // 10 % of a year of stable interest at the borrow rate (≈ 3.5 % + slope).
    let accrued = p.stable_debt_supply_data(t, USDC).total_supply - usdc(10_000);
    assert!(minted > U256::ZERO);
    let ten_percent = accrued / U256::from(10u8);
    assert!(
        minted <= ten_percent && minted + usdc(1) > ten_percent,
        "{minted} vs {ten_percent}"
    );
    // Same block again: no new accrual, nothing minted.
    p.supply(t, BOB, USDC, usdc(1)).unwrap();
    assert_eq!(p.treasury_scaled_balance(USDC), minted);
    assert_eq!(p.check_books(t), Vec::<String>::new());
}

/// §A.5: at a 100 % reserve factor the liquidity rate is 0, the stored variable index
/// stops while the view keeps growing, and a full repay burns more scaled debt than
/// exists: `"SafeMath: subtraction overflow"` on the total supply for a sole borrower,
/// `"ERC20: burn amount exceeds balance"` when others borrow too.
#[test]
fn full_reserve_factor_freezes_the_variable_index() {
    let mut p = alice_borrowing(10_000);
    p.supply(T0, BOB, WETH, e18(10)).unwrap();
    p.set_reserve_factor(T0, USDC, 10_000).unwrap();
    p.supply(T0, LP, USDC, usdc(1)).unwrap();
    assert_eq!(p.reserve(USDC).current_liquidity_rate, U256::ZERO);
    let t = T0 + 30 * 86_400;
    let mut q = p.clone();
    p.supply(t, LP, USDC, usdc(1)).unwrap();
    let r = p.reserve(USDC);
    assert_eq!(r.variable_borrow_index, bankrun_math::RAY);
    assert!(p.normalized_debt(t + 1, USDC) > r.variable_borrow_index);
    let t2 = t + 86_400;
    let err = p.repay(t2, ALICE, ALICE, USDC, U256::MAX).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "SafeMath: subtraction overflow");
    // Within the block of an update the view is the stored index: the repay works.
    let mut same_block = p.clone();
    same_block.supply(t2, LP, USDC, usdc(1)).unwrap();
    assert_eq!(
        same_block.repay(t2, ALICE, ALICE, USDC, U256::MAX),
        Ok(usdc(10_000))
    );
    // With another borrower the total supply covers the burn, Alice's balance does not.
    q.borrow(t, BOB, USDC, usdc(10)).unwrap();
    let err = q.repay(t2, ALICE, ALICE, USDC, U256::MAX).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "ERC20: burn amount exceeds balance");
    // A reserve factor above 100 % is accepted, and every later rate update reverts.
    p.set_reserve_factor(t2, USDC, 10_001).unwrap();
    let err = p.supply(t2, LP, USDC, usdc(1)).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "SafeMath: subtraction overflow");
}

/// §A.10/§A.11: liquidation validation codes `42`, `43`, `44`, `45`, and `23` for a
/// revert inside the collateral manager.
#[test]
fn liquidation_errors() {
    let mut p = alice_borrowing(15_000);
    let code =
        |r: Result<bankrun_aave::LiquidationOutcome, PoolError>| r.unwrap_err().v2_revert_reason();
    assert_eq!(
        code(p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)),
        "42"
    );
    p.set_asset_price(USDC, n("666666666666667"));
    assert_eq!(
        code(p.liquidation_call(T0, LIQ, DAI, USDC, ALICE, U256::MAX, false)),
        "43"
    );
    assert_eq!(
        code(p.liquidation_call(T0, LIQ, WETH, DAI, ALICE, U256::MAX, false)),
        "44"
    );
    // Bob borrows 9 of the 10 WETH: not enough underlying to pay 5.25 WETH out (`45`),
    // while receiving aTokens works.
    p.supply(T0, BOB, USDC, usdc(100_000)).unwrap();
    p.borrow(T0, BOB, WETH, e18(9)).unwrap();
    assert_eq!(
        code(p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)),
        "45"
    );
    // A zero collateral price: HF 0 passes validation, then the manager divides by zero.
    let mut q = p.clone();
    q.set_asset_price(WETH, U256::ZERO);
    let err = q
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
        .unwrap_err();
    assert_eq!(
        err,
        PoolError::LiquidationCallFailed(Box::new(PoolError::SafeMathDivisionByZero))
    );
    assert_eq!(err.v2_revert_reason(), "23");
    assert!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
            .is_ok()
    );
}

/// §A.11: variable debt is burned first, the rest from stable debt; the borrowing flag
/// is never cleared by a liquidation.
#[test]
fn liquidation_burns_variable_then_stable() {
    let mut p = alice_borrowing(5_000);
    p.borrow_with_mode(T0, ALICE, USDC, usdc(10_000), STABLE)
        .unwrap();
    p.set_asset_price(USDC, n("666666666666667"));
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(7500));
    assert_eq!(p.scaled_balances(ALICE, USDC).1, U256::ZERO);
    assert_eq!(p.stable_debt_balance(T0, ALICE, USDC), usdc(7500));
    assert_eq!(p.user_stable_debt(ALICE, USDC).0, usdc(7500));
    assert_eq!(p.check_books(T0), Vec::<String>::new());
}

/// §A.9: `balanceDecreaseAllowed` is not a re-run of the account data. Here a withdraw
/// of 4.274766129032258064 WETH is refused (`6`) although an account already holding the
/// collateral left after it has HF 1.000087 (v3 would allow it).
#[test]
fn balance_decrease_allowed_is_not_a_rerun() {
    let dec = n("4274766129032258064");
    let setup = |weth: U256| {
        let mut p = v2_pool();
        // LTV = LT so that the second account can borrow at HF ≈ 1 (LTV plays no part in
        // the health factor).
        p.configure_reserve_as_collateral(WETH, 8250, 8250, 10500)
            .unwrap();
        p.configure_reserve_as_collateral(DAI, 7700, 7700, 10500)
            .unwrap();
        p.supply(T0, LP, USDC, usdc(100_000)).unwrap();
        p.supply(T0, ALICE, WETH, weth).unwrap();
        p.supply(T0, ALICE, DAI, e18(3333)).unwrap();
        p.borrow(T0, ALICE, USDC, usdc(12_012)).unwrap();
        p
    };
    let mut p = setup(e18(10));
    let err = p.withdraw(T0, ALICE, WETH, dec).unwrap_err();
    assert_eq!(err, PoolError::TransferNotAllowed);
    let after = setup(e18(10) - dec);
    assert_eq!(
        after.user_account_data(T0, ALICE).health_factor,
        n("1000087070187876640")
    );
    // Disabling collateral uses the same rule (`20`).
    let err = p
        .set_user_use_reserve_as_collateral(T0, ALICE, WETH, false)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "20");
    let err = p
        .set_user_use_reserve_as_collateral(T0, BOB, WETH, true)
        .unwrap_err();
    assert_eq!(err.v2_revert_reason(), "19");
}

/// §A.7: rebalancing needs usage ≥ 95 % and a liquidity rate ≤ 40 % of the max variable
/// rate (`22`); when allowed it re-mints the stable debt at the current stable rate.
#[test]
fn rebalance_conditions() {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(10_000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(100)).unwrap();
    p.borrow_with_mode(T0, ALICE, USDC, usdc(2_000), STABLE)
        .unwrap();
    let err = p.rebalance_stable_borrow_rate(T0, ALICE, USDC).unwrap_err();
    assert_eq!(err.v2_revert_reason(), "22");
    // Usage ≥ 95 % with a low liquidity rate: a zero-slope strategy whose rates come
    // from the oracle only, and a high reserve factor.
    p.supply(T0, BOB, WETH, e18(100)).unwrap();
    p.borrow(T0, BOB, USDC, usdc(7_600)).unwrap();
    p.set_interest_rate_data(T0, USDC, rate(9000, 0, 0, 0))
        .unwrap();
    p.set_reserve_factor(T0, USDC, 9_000).unwrap();
    p.set_market_borrow_rate(USDC, n("200000000000000000000000000"))
        .unwrap();
    p.supply(T0 + 1, LP, USDC, U256::from(1u8)).unwrap();
    let high = p.reserve(USDC).current_stable_borrow_rate;
    assert!(high > p.user_stable_debt(ALICE, USDC).1);
    // Max variable rate 0: the condition `LR ≤ 0` fails while the stable debt earns.
    assert_eq!(
        p.rebalance_stable_borrow_rate(T0 + 1, ALICE, USDC)
            .unwrap_err()
            .v2_revert_reason(),
        "22"
    );
    p.set_interest_rate_data(T0 + 1, USDC, rate(9000, 0, 400, 100_000))
        .unwrap();
    let balance = p.stable_debt_balance(T0 + 2, ALICE, USDC);
    p.rebalance_stable_borrow_rate(T0 + 2, ALICE, USDC).unwrap();
    assert_eq!(
        p.user_stable_debt(ALICE, USDC),
        (balance, as_user_rate(balance, high), T0 + 2)
    );
}

/// §A.12: frozen reserves refuse deposit, borrow and rate swap but allow withdraw and
/// repay; deactivation needs an empty reserve (`34`); v3-only features are refused.
#[test]
fn freeze_deactivate_and_unsupported_features() {
    let mut p = alice_borrowing(1000);
    p.set_reserve_freeze(T0, USDC, true).unwrap();
    let code = |e: PoolError| e.v2_revert_reason();
    assert_eq!(code(p.supply(T0, LP, USDC, usdc(1)).unwrap_err()), "3");
    assert_eq!(code(p.borrow(T0, ALICE, USDC, usdc(1)).unwrap_err()), "3");
    assert_eq!(
        code(
            p.swap_borrow_rate_mode(T0, ALICE, USDC, VARIABLE)
                .unwrap_err()
        ),
        "3"
    );
    p.repay(T0, ALICE, ALICE, USDC, usdc(1)).unwrap();
    p.withdraw(T0, LP, USDC, usdc(1)).unwrap();
    p.set_reserve_freeze(T0, USDC, false).unwrap();
    assert_eq!(code(p.set_reserve_active(USDC, false).unwrap_err()), "34");
    let empty = p
        .init_reserve(T0, cfg("X", 18, 0, 0, 0, 0, rate(8000, 0, 1, 2)))
        .unwrap();
    p.set_reserve_active(empty, false).unwrap();
    assert_eq!(code(p.supply(T0, LP, empty, e18(1)).unwrap_err()), "2");
    assert_eq!(code(p.supply(T0, LP, USDC, U256::ZERO).unwrap_err()), "1");
    let unsupported = [
        p.set_user_emode(T0, ALICE, 1).unwrap_err(),
        p.set_emode_category(EModeCategory::default()).unwrap_err(),
        p.set_reserve_pause(T0, USDC, true, 0).unwrap_err(),
        p.eliminate_reserve_deficit(T0, LP, USDC, usdc(1))
            .unwrap_err(),
        p.set_reserve_ltvzero(USDC, true).unwrap_err(),
    ];
    assert!(
        unsupported
            .iter()
            .all(|e| *e == PoolError::UnsupportedInVersion)
    );
    let mut paused = cfg("P", 18, 0, 0, 0, 0, rate(8000, 0, 1, 2));
    paused.paused = true;
    assert_eq!(
        p.init_reserve(T0, paused),
        Err(PoolError::UnsupportedInVersion)
    );
    // Caps are ignored: a 1-token supply cap does not stop a larger deposit.
    p.set_supply_cap(USDC, 1).unwrap();
    p.supply(T0, LP, USDC, usdc(10)).unwrap();
}

/// The stable mode is v2 only; v3 pools refuse it and keep their behaviour.
#[test]
fn v3_pools_refuse_stable_mode() {
    let mut p = common::funded_pool();
    p.supply(common::T0, common::ALICE, common::WETH, e18(10))
        .unwrap();
    let err = p
        .borrow_with_mode(common::T0, common::ALICE, common::USDC, usdc(1), STABLE)
        .unwrap_err();
    assert_eq!(err, PoolError::UnsupportedInVersion);
    p.borrow_with_mode(common::T0, common::ALICE, common::USDC, usdc(1), VARIABLE)
        .unwrap();
    assert_eq!(
        p.repay_with_mode(
            common::T0,
            common::ALICE,
            common::ALICE,
            common::USDC,
            U256::MAX,
            VARIABLE
        ),
        Ok(usdc(1))
    );
}
