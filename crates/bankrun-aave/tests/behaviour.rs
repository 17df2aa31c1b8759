//! Behaviour of the v3.6 pool: liquidity reverts, rates, indexes, freeze/pause, caps,
//! e-mode, close factor, deficit.

mod common;
use bankrun_aave::rate_strategy::bps_to_ray;
use bankrun_aave::{PoolError, U256};
use bankrun_math::RAY;
use common::*;

#[test]
fn withdraw_above_virtual_liquidity_is_panic_0x11() {
    let mut p = pool();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(900)).unwrap();
    assert_eq!(p.available_liquidity(USDC), usdc(100));
    let before = snapshot(&p);
    let t = T0 + 60;
    assert_eq!(
        p.withdraw(t, LP, USDC, usdc(101)),
        Err(PoolError::InsufficientLiquidity)
    );
    assert_eq!(
        p.withdraw(t, LP, USDC, U256::MAX),
        Err(PoolError::InsufficientLiquidity)
    );
    assert_eq!(
        snapshot(&p),
        before,
        "a reverted withdraw must not change state (not even indexes)"
    );
    assert_eq!(p.withdraw(t, LP, USDC, usdc(100)).unwrap(), usdc(100));
    assert_eq!(p.available_liquidity(USDC), U256::ZERO);
    assert_eq!(
        p.withdraw(t, LP, USDC, U256::from(1u8)),
        Err(PoolError::InsufficientLiquidity)
    );
    // a borrow above liquidity fails the same way (after validation passed)
    p.supply(t, BOB, WETH, eth(10)).unwrap();
    assert_eq!(
        p.borrow(t, BOB, USDC, U256::from(1u8)),
        Err(PoolError::InsufficientLiquidity)
    );
}

#[test]
fn full_utilization_rate_is_base_plus_both_slopes() {
    let mut p = pool();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(1000)).unwrap();
    let r = p.reserve(USDC);
    assert_eq!(r.current_variable_borrow_rate, bps_to_ray(400 + 6000));
    assert_eq!(p.utilization(T0, USDC), RAY);
    // liquidity rate = var · 1 · (1 − RF)
    assert_eq!(
        r.current_liquidity_rate,
        bps_to_ray(6400) * U256::from(9u8) / U256::from(10u8)
    );
}

#[test]
fn rates_follow_utilization_and_indexes_grow() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(400)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(450_000)).unwrap();
    // U = 45 % < optimal 90 %: var = slope1·U/opt = 4 %·0.5 = 2 %
    assert_eq!(
        p.reserve(USDC).current_variable_borrow_rate,
        bps_to_ray(200)
    );
    let mut last = (RAY, RAY);
    for k in 1..20u64 {
        let t = T0 + k * 86_400;
        let li = p.normalized_income(t, USDC);
        let vi = p.normalized_debt(t, USDC);
        assert!(li >= last.0 && vi >= last.1 && vi > li);
        last = (li, vi);
        if k % 5 == 0 {
            p.repay(t, ALICE, ALICE, USDC, usdc(1)).unwrap();
            assert_eq!(p.reserve(USDC).liquidity_index, li);
            assert_eq!(p.reserve(USDC).variable_borrow_index, vi);
        }
    }
    // debt grew, supply grew, treasury accrued
    let t = T0 + 20 * 86_400;
    assert!(p.debt_balance(t, ALICE, USDC) > usdc(450_000 - 3));
    assert!(p.supply_balance(t, LP, USDC) > usdc(1_000_000));
    assert!(p.treasury_balance(t, USDC) > U256::ZERO);
}

#[test]
fn same_timestamp_updates_state_once() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(400)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(500_000)).unwrap();
    let t = T0 + 3600;
    p.supply(t, BOB, USDC, usdc(10)).unwrap();
    let (li, vi, acc) = {
        let r = p.reserve(USDC);
        (
            r.liquidity_index,
            r.variable_borrow_index,
            r.accrued_to_treasury,
        )
    };
    p.supply(t, BOB, USDC, usdc(10)).unwrap();
    let r = p.reserve(USDC);
    assert_eq!(
        (
            r.liquidity_index,
            r.variable_borrow_index,
            r.accrued_to_treasury
        ),
        (li, vi, acc)
    );
    assert_eq!(r.last_update_timestamp, t);
    assert_eq!(
        p.withdraw(t - 1, BOB, USDC, usdc(1)),
        Err(PoolError::InvalidTimestamp)
    );
}

#[test]
fn frozen_reserve_blocks_supply_and_borrow_and_zeroes_ltv() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(10_000)).unwrap();
    p.supply(T0, BOB, DAI, dai(1_000)).unwrap();
    p.set_reserve_freeze(T0, WETH, true).unwrap();
    assert_eq!(
        p.set_reserve_freeze(T0, WETH, true),
        Err(PoolError::InvalidFreezeState)
    );
    let r = p.reserve(WETH);
    assert_eq!((r.config.ltv, r.pending_ltv), (0, 8000));
    assert_eq!(
        p.supply(T0, ALICE, WETH, eth(1)),
        Err(PoolError::ReserveFrozen)
    );
    assert_eq!(
        p.borrow(T0, BOB, WETH, eth(1)),
        Err(PoolError::ReserveFrozen)
    );
    // frozen collateral still counts for HF, gives no borrowing power
    let d = p.user_account_data(T0, ALICE);
    assert_eq!(d.ltv, U256::ZERO);
    assert_eq!(d.current_liquidation_threshold, U256::from(8250u32));
    assert_eq!(d.available_borrows_base, U256::ZERO);
    assert_eq!(
        p.borrow(T0, ALICE, USDC, usdc(1)),
        Err(PoolError::LtvValidationFailed)
    );
    // withdraw and repay still work
    p.repay(T0, ALICE, ALICE, USDC, usdc(5_000)).unwrap();
    p.withdraw(T0, ALICE, WETH, eth(1)).unwrap();
    // LTV-0 collateral must be withdrawn first: Alice adds DAI, cannot withdraw it
    p.supply(T0, ALICE, DAI, dai(100)).unwrap();
    assert_eq!(
        p.withdraw(T0, ALICE, DAI, dai(1)),
        Err(PoolError::LtvValidationFailed)
    );
    // cannot enable frozen LTV-0 asset as collateral
    p.set_user_use_reserve_as_collateral(T0, BOB, DAI, false)
        .unwrap();
    // liquidation of frozen collateral is allowed
    p.set_asset_price(WETH, usd(600));
    assert!(p.user_account_data(T0, ALICE).health_factor < wad());
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(1000), false)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(1000));
    // v3.6: unfreezing does NOT restore LTV; setReserveLtvzero(false) does
    p.set_reserve_freeze(T0, WETH, false).unwrap();
    assert_eq!(p.reserve(WETH).config.ltv, 0);
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.set_reserve_ltvzero(WETH, false).unwrap();
    assert_eq!(
        (p.reserve(WETH).config.ltv, p.reserve(WETH).pending_ltv),
        (8000, 0)
    );
    assert_eq!(
        p.set_reserve_ltvzero(WETH, false),
        Err(PoolError::InvalidLtvzeroState)
    );
}

#[test]
fn set_ltv_while_frozen_goes_to_pending() {
    let mut p = pool();
    p.set_reserve_freeze(T0, USDC, true).unwrap();
    p.set_reserve_ltv(T0, USDC, 7000).unwrap();
    assert_eq!(
        (p.reserve(USDC).config.ltv, p.reserve(USDC).pending_ltv),
        (0, 7000)
    );
    assert_eq!(
        p.set_reserve_ltv(T0, USDC, 7900),
        Err(PoolError::InvalidReserveParams)
    );
    p.set_reserve_freeze(T0, USDC, false).unwrap();
    p.set_reserve_ltv(T0, USDC, 7100).unwrap();
    assert_eq!(
        (p.reserve(USDC).config.ltv, p.reserve(USDC).pending_ltv),
        (7100, 0)
    );
}

#[test]
fn paused_reserve_blocks_everything_and_grace_period_blocks_liquidation() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(1500)).unwrap();
    p.set_reserve_pause(T0, USDC, true, 0).unwrap();
    assert_eq!(
        p.supply(T0, BOB, USDC, usdc(1)),
        Err(PoolError::ReservePaused)
    );
    assert_eq!(
        p.withdraw(T0, LP, USDC, usdc(1)),
        Err(PoolError::ReservePaused)
    );
    assert_eq!(
        p.repay(T0, ALICE, ALICE, USDC, usdc(1)),
        Err(PoolError::ReservePaused)
    );
    p.set_asset_price(WETH, usd(1700));
    assert_eq!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(100), true),
        Err(PoolError::ReservePaused)
    );
    assert_eq!(
        p.set_reserve_pause(T0, USDC, false, 4 * 3600 + 1),
        Err(PoolError::InvalidGracePeriod)
    );
    p.set_reserve_pause(T0, USDC, false, 3600).unwrap();
    assert_eq!(p.reserve(USDC).liquidation_grace_period_until, T0 + 3600);
    assert_eq!(
        p.liquidation_call(T0 + 3600, LIQ, WETH, USDC, ALICE, usdc(100), true),
        Err(PoolError::LiquidationGraceSentinelCheckFailed)
    );
    assert!(
        p.liquidation_call(T0 + 3601, LIQ, WETH, USDC, ALICE, usdc(100), true)
            .is_ok()
    );
}

#[test]
fn supply_and_borrow_caps_in_whole_tokens() {
    let mut p = pool();
    p.set_supply_cap(USDC, 1000).unwrap();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    assert_eq!(
        p.supply(T0, LP, USDC, U256::from(1u8)),
        Err(PoolError::SupplyCapExceeded)
    );
    p.set_supply_cap(USDC, 0).unwrap();
    p.supply(T0, LP, USDC, usdc(1000)).unwrap();
    p.set_borrow_cap(USDC, 100).unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(100)).unwrap();
    assert_eq!(
        p.borrow(T0, ALICE, USDC, U256::from(1u8)),
        Err(PoolError::BorrowCapExceeded)
    );
    assert_eq!(
        p.set_borrow_cap(USDC, 1 << 36),
        Err(PoolError::InvalidBorrowCap)
    );
    // interest pushes total debt over the cap: further borrows fail
    p.set_borrow_cap(USDC, 1000).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(900)).unwrap();
    assert_eq!(
        p.borrow(T0 + 86_400, ALICE, USDC, U256::from(1u8)),
        Err(PoolError::BorrowCapExceeded)
    );
}

#[test]
fn emode_applies_only_to_bitmap_collateral_and_borrowables() {
    let mut p = funded_pool();
    p.set_emode_category(stable_emode()).unwrap();
    p.supply(T0, ALICE, DAI, dai(10_000)).unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.set_user_emode(T0, ALICE, 1).unwrap();
    let d = p.user_account_data(T0, ALICE);
    // (10000·9300 + 2000·8000) / 12000 and (10000·9500 + 2000·8250) / 12000
    assert_eq!(d.ltv, U256::from((10_000u64 * 9300 + 2000 * 8000) / 12_000));
    assert_eq!(
        d.current_liquidation_threshold,
        U256::from((10_000u64 * 9500 + 2000 * 8250) / 12_000)
    );
    assert_eq!(
        p.borrow(T0, ALICE, WETH, eth(1)),
        Err(PoolError::NotBorrowableInEMode)
    );
    p.borrow(T0, ALICE, USDC, usdc(10_000)).unwrap();
    // leaving e-mode would make HF < 1 ... (10000·7700+2000·8250)/10000 = 0.935
    assert_eq!(
        p.set_user_emode(T0, ALICE, 0),
        Err(PoolError::HealthFactorLowerThanLiquidationThreshold)
    );
    // a WETH borrower cannot enter the stable category
    p.supply(T0, BOB, DAI, dai(10_000)).unwrap();
    p.borrow(T0, BOB, WETH, eth(1)).unwrap();
    assert_eq!(
        p.set_user_emode(T0, BOB, 1),
        Err(PoolError::InvalidDebtInEmode {
            asset: WETH,
            category: 1
        })
    );
    assert_eq!(
        p.set_user_emode(T0, BOB, 7),
        Err(PoolError::InconsistentEModeCategory)
    );
    // e-mode liquidation bonus applies to in-category collateral (DAI), 1 % bonus
    p.set_asset_price(USDC, tok(125, 6)); // USDC at $1.25: debt 12500 > 11500·... HF < 1
    assert!(p.user_account_data(T0, ALICE).health_factor < wad());
    let out = p
        .liquidation_call(T0, LIQ, DAI, USDC, ALICE, usdc(1000), true)
        .unwrap();
    // base 1000 USDC·1.25 = 1250 DAI, ·1.01 = 1262.5 DAI; fee 10 % of 12.5 = 1.25 DAI
    assert_eq!(
        out.collateral_to_liquidator + out.protocol_fee,
        tok(12625, 17)
    );
    assert_eq!(out.protocol_fee, tok(125, 16));
}

#[test]
fn emode_ltvzero_bitmap_and_freeze() {
    let mut p = funded_pool();
    p.set_emode_category(stable_emode()).unwrap();
    p.supply(T0, ALICE, DAI, dai(10_000)).unwrap();
    p.set_user_emode(T0, ALICE, 1).unwrap();
    p.set_reserve_freeze(T0, DAI, true).unwrap();
    let cat = p.emode_category(1).unwrap();
    assert_ne!(cat.ltvzero_bitmap & (1 << DAI), 0);
    assert_eq!(p.user_account_data(T0, ALICE).ltv, U256::ZERO);
    assert_eq!(
        p.borrow(T0, ALICE, USDC, usdc(1)),
        Err(PoolError::LtvValidationFailed)
    );
    assert_eq!(
        p.set_asset_ltvzero_in_emode(DAI, 1, false),
        Err(PoolError::ReserveFrozen)
    );
    p.set_reserve_freeze(T0, DAI, false).unwrap();
    p.set_asset_ltvzero_in_emode(DAI, 1, false).unwrap();
    assert_eq!(p.user_account_data(T0, ALICE).ltv, U256::from(9300u32));
    // in e-mode the category LTV applies although DAI's own LTV is still 0
    assert_eq!(p.reserve(DAI).config.ltv, 0);
    p.borrow(T0, ALICE, USDC, usdc(9000)).unwrap();
    assert_eq!(
        p.set_asset_ltvzero_in_emode(WETH, 1, true),
        Err(PoolError::MustBeEmodeCollateral {
            asset: WETH,
            category: 1
        })
    );
}

/// Alice: 10 WETH collateral, 15,000 USDC debt; WETH to $1,800 → HF = 18000·0.825/15000 = 0.99.
fn underwater_alice() -> bankrun_aave::Pool {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(15_000)).unwrap();
    p.set_asset_price(WETH, usd(1800));
    p
}

#[test]
fn close_factor_half_of_total_debt_when_large_and_hf_above_095() {
    let mut p = underwater_alice();
    let hf = p.user_account_data(T0, ALICE).health_factor;
    assert_eq!(hf, U256::from(990_000_000_000_000_000u128));
    assert_eq!(
        p.liquidation_call(T0, ALICE, WETH, USDC, ALICE, usdc(1), true),
        Err(PoolError::SelfLiquidation)
    );
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(7_500));
    assert_eq!(out.health_factor_before, hf);
    assert!(out.deficit_created.is_empty());
    assert_eq!(p.debt_balance(T0, ALICE, USDC), usdc(7_500));
    // liquidator got aTokens, not auto-enabled as collateral (v3.6)
    assert_eq!(
        p.supply_balance(T0, LIQ, WETH),
        out.collateral_to_liquidator
    );
    assert!(!p.user(LIQ).unwrap().is_using_as_collateral(WETH));
    assert!(p.treasury_balance(T0, WETH) >= out.protocol_fee);
}

#[test]
fn close_factor_full_when_hf_below_095() {
    let mut p = underwater_alice();
    p.set_asset_price(WETH, usd(1700)); // HF = 17000·0.825/15000 = 0.935
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(15_000));
    assert_eq!(p.debt_balance(T0, ALICE, USDC), U256::ZERO);
    assert!(!p.user(ALICE).unwrap().is_borrowing(USDC));
    // underlying payout lowered WETH virtual liquidity
    assert_eq!(
        p.available_liquidity(WETH),
        eth(1010) - out.collateral_to_liquidator
    );
}

#[test]
fn small_positions_can_be_fully_liquidated_and_dust_reverts() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(1500)).unwrap();
    p.set_asset_price(WETH, usd(1800)); // HF = 1800·0.825/1500 = 0.99, debt < $2000
    // leaving $600 of debt (< $1000) reverts
    assert_eq!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(900), true),
        Err(PoolError::MustNotLeaveDust)
    );
    // leaving ≥ $1000 debt but < $1000 collateral also reverts: 450 USDC repaid seizes
    // 0.2625 WETH → 0.7375·1800 = $1327 collateral left (ok), 1050 debt left (ok)
    assert!(
        p.clone()
            .liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(450), true)
            .is_ok()
    );
    // the whole debt is fine (100 % close factor below $2000)
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(1500));
}

#[test]
fn healthy_user_cannot_be_liquidated() {
    let mut p = underwater_alice();
    p.set_asset_price(WETH, usd(2000));
    assert_eq!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(1), true),
        Err(PoolError::HealthFactorNotBelowThreshold)
    );
    p.set_asset_price(WETH, usd(1000));
    assert_eq!(
        p.liquidation_call(T0, LIQ, USDC, USDC, ALICE, usdc(1), true),
        Err(PoolError::CollateralCannotBeLiquidated)
    );
    assert_eq!(
        p.liquidation_call(T0, LIQ, WETH, DAI, ALICE, dai(1), true),
        Err(PoolError::SpecifiedCurrencyNotBorrowedByUser)
    );
}

#[test]
fn deficit_only_when_collateral_runs_out() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(8_000)).unwrap();
    p.borrow(T0, ALICE, DAI, dai(6_000)).unwrap();
    p.set_asset_price(WETH, usd(1000)); // collateral $10,000 < debt $14,000, HF 0.59
    // USDC: 100 % close factor, 8000 USDC seize 8.4 WETH < 10: collateral remains
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.debt_repaid, usdc(8_000));
    assert_eq!(out.collateral_to_liquidator + out.protocol_fee, tok(84, 17));
    assert!(out.deficit_created.is_empty());
    assert_eq!(p.debt_balance(T0, ALICE, DAI), dai(6_000));
    // DAI: the remaining 1.6 WETH ($1600) is all the collateral → deficit
    let out = p
        .liquidation_call(T0, LIQ, WETH, DAI, ALICE, U256::MAX, false)
        .unwrap();
    assert_eq!(out.collateral_to_liquidator + out.protocol_fee, tok(16, 17));
    // ⌈1600e18 · 1e4 / 10500⌉ (v3.6 percentDivCeil)
    let needed: U256 = "1523809523809523809524".parse().unwrap();
    assert_eq!(out.debt_repaid, needed);
    assert_eq!(out.deficit_created, vec![(DAI, dai(6_000) - needed)]);
    assert_eq!(p.reserve(DAI).deficit, dai(6_000) - needed);
    assert!(p.user(ALICE).unwrap().is_empty());
}

#[test]
fn deficit_in_liquidated_reserve_and_burn_bad_debt() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(12_000)).unwrap();
    p.borrow(T0, ALICE, DAI, dai(3_000)).unwrap();
    p.set_asset_price(WETH, usd(1000)); // collateral $10,000, debt $15,000
    let dai_rate_before = p.reserve(DAI).current_liquidity_rate;
    let out = p
        .liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
        .unwrap();
    let repaid = U256::from(9_523_809_524u64);
    assert_eq!(out.debt_repaid, repaid);
    let usdc_deficit = usdc(12_000) - repaid;
    assert_eq!(
        out.deficit_created,
        vec![(USDC, usdc_deficit), (DAI, dai(3_000))]
    );
    assert_eq!(p.reserve(USDC).deficit, usdc_deficit);
    assert_eq!(p.reserve(DAI).deficit, dai(3_000));
    let acc = p.user(ALICE).unwrap();
    assert!(acc.is_empty() && acc.positions.is_empty());
    assert_eq!(p.reserve(DAI).scaled_total_variable_debt, U256::ZERO);
    assert_eq!(p.reserve(DAI).current_liquidity_rate, U256::ZERO);
    assert!(dai_rate_before > U256::ZERO);
    // deficit counts as `unbacked` in the supply rate of USDC
    p.supply(T0, BOB, WETH, eth(100)).unwrap();
    p.borrow(T0, BOB, USDC, usdc(50_000)).unwrap();
    let r = p.reserve(USDC);
    let debt = p.total_debt(T0, USDC);
    let supply_usage =
        bankrun_math::wad_ray::ray_div(debt, r.virtual_underlying_balance + debt + r.deficit)
            .unwrap();
    let expected = bankrun_math::percentage::percent_mul(
        bankrun_math::wad_ray::ray_mul(r.current_variable_borrow_rate, supply_usage).unwrap(),
        U256::from(9000u16),
    )
    .unwrap();
    assert_eq!(r.current_liquidity_rate, expected);
}

/// Alice's 10 WETH against 12,000 USDC, WETH at $1,000, liquidated in full: a USDC deficit.
fn usdc_deficit_pool() -> bankrun_aave::Pool {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(12_000)).unwrap();
    p.set_asset_price(WETH, usd(1000));
    p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, true)
        .unwrap();
    p
}

#[test]
fn eliminate_reserve_deficit_burns_a_tokens() {
    let mut p = usdc_deficit_pool();
    let deficit = p.reserve(USDC).deficit;
    assert!(deficit > U256::ZERO);
    assert_eq!(
        p.eliminate_reserve_deficit(T0, LP, DAI, dai(1)),
        Err(PoolError::ReserveNotInDeficit)
    );
    assert_eq!(
        p.eliminate_reserve_deficit(T0, LP, USDC, U256::ZERO),
        Err(PoolError::InvalidAmount)
    );
    p.supply(T0, BOB, WETH, eth(1)).unwrap();
    p.borrow(T0, BOB, USDC, usdc(1)).unwrap();
    assert_eq!(
        p.eliminate_reserve_deficit(T0, BOB, USDC, usdc(1)),
        Err(PoolError::UserCannotHaveDebt)
    );
    assert_eq!(
        p.eliminate_reserve_deficit(T0, LIQ, USDC, usdc(1)),
        Err(PoolError::NotEnoughAvailableUserBalance)
    );
    let vbal = p.available_liquidity(USDC);
    let lp_before = p.supply_balance(T0, LP, USDC);
    let covered = p
        .eliminate_reserve_deficit(T0, LP, USDC, usdc(1000))
        .unwrap();
    assert_eq!(covered, usdc(1000));
    assert_eq!(p.reserve(USDC).deficit, deficit - usdc(1000));
    assert_eq!(p.available_liquidity(USDC), vbal);
    assert!(lp_before - p.supply_balance(T0, LP, USDC) >= usdc(1000));
    let covered = p
        .eliminate_reserve_deficit(T0, LP, USDC, U256::MAX)
        .unwrap();
    assert_eq!(covered, deficit - usdc(1000));
    assert_eq!(p.reserve(USDC).deficit, U256::ZERO);
}

#[test]
fn borrow_and_withdraw_health_checks() {
    let mut p = funded_pool();
    assert_eq!(
        p.borrow(T0, ALICE, USDC, usdc(1)),
        Err(PoolError::LtvValidationFailed)
    );
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    assert!(p.user(ALICE).unwrap().is_using_as_collateral(WETH));
    assert_eq!(
        p.borrow(T0, ALICE, USDC, usdc(1601)),
        Err(PoolError::CollateralCannotCoverNewBorrow)
    );
    p.borrow(T0, ALICE, USDC, usdc(1600)).unwrap();
    assert_eq!(
        p.withdraw(T0, ALICE, WETH, eth(1) / U256::from(10u8)),
        Err(PoolError::HealthFactorLowerThanLiquidationThreshold)
    );
    assert_eq!(
        p.set_user_use_reserve_as_collateral(T0, ALICE, WETH, false),
        Err(PoolError::HealthFactorLowerThanLiquidationThreshold)
    );
    assert_eq!(
        p.withdraw(T0, ALICE, WETH, eth(2)),
        Err(PoolError::NotEnoughAvailableUserBalance)
    );
    assert_eq!(
        p.withdraw(T0, ALICE, WETH, U256::ZERO),
        Err(PoolError::InvalidAmount)
    );
    assert_eq!(
        p.repay(T0, BOB, ALICE, USDC, U256::MAX),
        Err(PoolError::NoExplicitAmountToRepayOnBehalf)
    );
    assert_eq!(
        p.repay(T0, BOB, BOB, USDC, usdc(1)),
        Err(PoolError::NoDebtOfSelectedType)
    );
    assert_eq!(
        p.repay(T0 + 10, BOB, ALICE, USDC, usdc(600)).unwrap(),
        usdc(600)
    );
    let all = p.repay(T0 + 100, ALICE, ALICE, USDC, U256::MAX).unwrap();
    assert!(all > usdc(1000));
    assert!(!p.user(ALICE).unwrap().is_borrowing(USDC));
    assert_eq!(
        p.withdraw(T0 + 100, ALICE, WETH, U256::MAX).unwrap(),
        eth(1)
    );
    assert!(p.user(ALICE).unwrap().is_empty());
}

#[test]
fn borrowing_disabled_and_config_validation() {
    let mut p = funded_pool();
    p.set_reserve_borrowing(DAI, false).unwrap();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    assert_eq!(
        p.borrow(T0, ALICE, DAI, dai(1)),
        Err(PoolError::BorrowingNotEnabled)
    );
    let mut bad = cfg("X", 18, 9000, 8000, 10500, 0, rate(8000, 0, 100, 200));
    assert_eq!(
        p.init_reserve(T0, bad.clone()),
        Err(PoolError::InvalidReserveParams)
    );
    bad.ltv = 7000;
    bad.liquidation_bonus = 12600; // 8000 · 1.26 > 100 %
    assert_eq!(
        p.init_reserve(T0, bad.clone()),
        Err(PoolError::InvalidReserveParams)
    );
    bad.liquidation_bonus = 10500;
    bad.decimals = 5;
    assert_eq!(
        p.init_reserve(T0, bad.clone()),
        Err(PoolError::InvalidDecimals)
    );
    bad.decimals = 8;
    bad.rate.variable_rate_slope1 = 300;
    assert_eq!(
        p.init_reserve(T0, bad.clone()),
        Err(PoolError::Slope2MustBeGteSlope1)
    );
    assert_eq!(
        p.set_interest_rate_data(T0, USDC, rate(50, 0, 1, 2)),
        Err(PoolError::InvalidOptimalUsageRatio)
    );
    p.set_interest_rate_data(T0 + 5, USDC, rate(8000, 100, 400, 6000))
        .unwrap();
    assert_eq!(p.reserve(USDC).last_update_timestamp, T0 + 5);
    assert_eq!(
        p.reserve(USDC).current_variable_borrow_rate,
        bps_to_ray(100)
    );
}

#[test]
fn tiny_repay_rounds_to_zero_scaled_and_reverts() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(10_000)).unwrap();
    let t = T0 + 365 * 86_400;
    assert!(p.normalized_debt(t, USDC) > RAY);
    assert_eq!(
        p.repay(t, ALICE, ALICE, USDC, U256::from(1u8)),
        Err(PoolError::InvalidBurnAmount)
    );
}

#[test]
fn same_asset_liquidation_accrues_treasury_twice() {
    // Both reserve caches are taken before either `updateState`, so when
    // collateral == debt the reserve-factor accrual runs twice (v3.6 behaviour).
    let mut p = funded_pool();
    p.set_emode_category(stable_emode()).unwrap();
    p.supply(T0, ALICE, USDC, usdc(10_000)).unwrap();
    p.set_user_emode(T0, ALICE, 1).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(9_300)).unwrap();
    p.set_interest_rate_data(T0, USDC, rate(9000, 5000, 400, 6000))
        .unwrap();
    let t = T0 + 60 * 86_400; // 50 % borrow rate at ~1 % usage: HF falls below 1
    assert!(p.user_account_data(t, ALICE).health_factor < wad());
    let acc0 = p.reserve(USDC).accrued_to_treasury;
    let mut single = p.clone();
    single.set_reserve_factor(t, USDC, 1000).unwrap(); // syncIndexesState only
    let once = single.reserve(USDC).accrued_to_treasury - acc0;
    assert!(once > U256::ZERO);
    p.liquidation_call(t, LIQ, USDC, USDC, ALICE, usdc(100), true)
        .unwrap();
    assert_eq!(p.reserve(USDC).accrued_to_treasury - acc0, once + once);
}

/// The dust rule needs both sides above $1,000: a liquidation that leaves $1,000 of debt but
/// $880.50 of collateral reverts (a mutation of `&&` to `||` in `check_dust` survived the
/// suite before this test).
#[test]
fn dust_rule_refuses_collateral_dust_even_when_the_debt_left_is_large_enough() {
    let mut p = funded_pool();
    p.supply(T0, ALICE, WETH, eth(1)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(1590)).unwrap();
    p.set_asset_price(WETH, usd(1500)); // HF = 1500·0.825/1590 = 0.78
    // 590 USDC repaid seizes 590·1.05/1500 = 0.413 WETH: $1,000 of debt and $880.50 of
    // collateral would be left.
    assert_eq!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, usdc(590), false),
        Err(PoolError::MustNotLeaveDust)
    );
    // Taking everything leaves no dust.
    assert!(
        p.liquidation_call(T0, LIQ, WETH, USDC, ALICE, U256::MAX, false)
            .is_ok()
    );
}

/// Covering a deficit with exactly the whole aToken balance is allowed and turns the reserve
/// off as the caller's collateral; a partial cover leaves it on (two mutations of the
/// comparisons in `execute_eliminate_deficit` survived the suite before this test).
#[test]
fn covering_a_deficit_with_the_whole_balance_clears_the_collateral_flag() {
    let mut p = usdc_deficit_pool();
    assert!(p.reserve(USDC).deficit > usdc(300));
    // The Umbrella stand-in supplies 300 USDC; no time passes, so the index is 1 (RAY) and
    // its balance is exactly 300 USDC of scaled aTokens.
    let umbrella = 6;
    p.supply(T0, umbrella, USDC, usdc(300)).unwrap();
    assert!(p.user(umbrella).unwrap().is_using_as_collateral(USDC));
    p.eliminate_reserve_deficit(T0, umbrella, USDC, usdc(100))
        .unwrap();
    assert!(
        p.user(umbrella).unwrap().is_using_as_collateral(USDC),
        "a partial cover keeps the collateral flag"
    );
    let rest = p.supply_balance(T0, umbrella, USDC);
    assert_eq!(rest, usdc(200));
    assert_eq!(
        p.eliminate_reserve_deficit(T0, umbrella, USDC, rest),
        Ok(usdc(200))
    );
    assert_eq!(p.scaled_balances(umbrella, USDC).0, U256::ZERO);
    assert!(!p.user(umbrella).unwrap().is_using_as_collateral(USDC));
}

/// `validateInterestRateData` accepts its bounds and refuses one past them: optimal usage
/// from 1 % to 99 %, slope 2 ≥ slope 1, base + slope 1 + slope 2 ≤ 1,000 % (four boundary
/// mutations survived the suite before this test).
#[test]
fn interest_rate_data_bounds_are_inclusive() {
    use bankrun_aave::InterestRateData;
    use bankrun_aave::rate_strategy::validate_interest_rate_data as validate;
    let d = |opt: u16, base: u32, s1: u32, s2: u32| InterestRateData {
        optimal_usage_ratio: opt,
        base_variable_borrow_rate: base,
        variable_rate_slope1: s1,
        variable_rate_slope2: s2,
    };
    assert_eq!(validate(&d(100, 0, 400, 6000)), Ok(()));
    assert_eq!(validate(&d(9900, 0, 400, 6000)), Ok(()));
    assert_eq!(
        validate(&d(99, 0, 400, 6000)),
        Err(PoolError::InvalidOptimalUsageRatio)
    );
    assert_eq!(
        validate(&d(9901, 0, 400, 6000)),
        Err(PoolError::InvalidOptimalUsageRatio)
    );
    assert_eq!(validate(&d(8000, 0, 500, 500)), Ok(()));
    assert_eq!(
        validate(&d(8000, 0, 501, 500)),
        Err(PoolError::Slope2MustBeGteSlope1)
    );
    assert_eq!(validate(&d(8000, 0, 50_000, 50_000)), Ok(()));
    assert_eq!(
        validate(&d(8000, 1, 50_000, 50_000)),
        Err(PoolError::InvalidMaxRate)
    );
}
