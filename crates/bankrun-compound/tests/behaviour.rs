//! Behaviour of markets, Comptroller and oracle on a two-market book (ETH collateral,
//! USDC debt at the oracle's fixed $1).

use bankrun_compound::ctoken::BORROW_RATE_MAX_MANTISSA;
use bankrun_compound::{
    CToken, CompoundError, Comptroller, ComptrollerError, JumpRateModelV2, PriceOracle,
    PriceSource, TokenConfig, U256,
};

const ETH: usize = 0;
const USDC: usize = 1;
const ALICE: u32 = 1;
const BOB: u32 = 2;
const LIQ: u32 = 3;

fn e(x: u64, d: u32) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(d))
}

fn model() -> JumpRateModelV2 {
    JumpRateModelV2::from_per_year(e(2, 16), e(18, 16), e(4, 18), e(8, 17)).unwrap()
}

/// ETH at $2000 (reporter), USDC fixed at $1; CF 75 % / 80 %; close factor 50 %; LI 1.08.
fn book() -> Comptroller {
    let mut oracle = PriceOracle::new(e(15, 16));
    oracle.push(TokenConfig {
        base_unit: e(1, 18),
        source: PriceSource::Reporter,
    });
    oracle.push(TokenConfig {
        base_unit: e(1, 6),
        source: PriceSource::FixedUsd(e(1, 6)),
    });
    assert!(oracle.validate(ETH, e(2000, 6), e(2000, 6)).unwrap());
    let mut c = Comptroller::new(e(5, 17), e(108, 16), oracle);
    c.support_market(CToken::new(model(), e(2, 26), e(2, 17), 100), e(75, 16));
    c.support_market(CToken::new(model(), e(2, 14), e(1, 17), 100), e(80, 16));
    c.mint(BOB, USDC, e(100_000, 6), 100).unwrap();
    c.mint(ALICE, ETH, e(10, 18), 100).unwrap();
    c.enter_markets(ALICE, &[ETH]).unwrap();
    c
}

#[test]
fn prices_follow_the_underlying_decimals() {
    let c = book();
    assert_eq!(c.oracle.get_underlying_price(ETH).unwrap(), e(2000, 18));
    assert_eq!(c.oracle.get_underlying_price(USDC).unwrap(), e(1, 30));
}

#[test]
fn collateral_value_uses_cf_exchange_rate_and_price() {
    let c = book();
    assert_eq!(c.markets[ETH].ctoken.balance_of(ALICE), e(5, 10));
    assert_eq!(
        c.account_liquidity(ALICE).unwrap(),
        (e(15_000, 18), U256::ZERO)
    );
}

#[test]
fn borrow_up_to_the_limit_and_not_one_wei_more() {
    let mut c = book();
    let before = c.clone();
    let r = c.borrow(ALICE, USDC, e(15_000, 6) + U256::from(1), 100);
    assert_eq!(
        r,
        Err(CompoundError::ComptrollerRejection(
            ComptrollerError::InsufficientLiquidity
        ))
    );
    assert_eq!(c, before, "a rejected borrow leaves no trace");
    c.borrow(ALICE, USDC, e(15_000, 6), 100).unwrap();
    assert_eq!(
        c.account_liquidity(ALICE).unwrap(),
        (U256::ZERO, U256::ZERO)
    );
    assert!(c.is_member(ALICE, USDC), "borrowing enters the market");
}

#[test]
fn cash_shortage_reverts_borrow_and_redeem() {
    let mut c = book();
    c.mint(ALICE, ETH, e(1_000, 18), 100).unwrap();
    assert_eq!(
        c.borrow(ALICE, USDC, e(100_001, 6), 101),
        Err(CompoundError::BorrowCashNotAvailable)
    );
    c.borrow(ALICE, USDC, e(90_000, 6), 101).unwrap();
    let bob_tokens = c.markets[USDC].ctoken.balance_of(BOB);
    assert_eq!(
        c.redeem(BOB, USDC, bob_tokens, U256::ZERO, 102),
        Err(CompoundError::RedeemTransferOutNotPossible)
    );
    let (_, paid) = c.redeem(BOB, USDC, U256::ZERO, e(10_000, 6), 102).unwrap();
    assert_eq!(paid, e(10_000, 6));
    assert_eq!(c.markets[USDC].ctoken.cash, U256::ZERO);
}

#[test]
fn interest_accrues_simply_within_an_accrual() {
    let mut c = book();
    c.borrow(ALICE, USDC, e(10_000, 6), 100).unwrap();
    let m = &c.markets[USDC].ctoken;
    let rate = m.borrow_rate_per_block().unwrap();
    c.repay_borrow(ALICE, USDC, U256::ZERO, 200).unwrap();
    let m = &c.markets[USDC].ctoken;
    let simple = rate * U256::from(100);
    let interest = simple * e(10_000, 6) / e(1, 18);
    assert_eq!(m.total_borrows, e(10_000, 6) + interest);
    assert_eq!(m.total_reserves, interest * e(1, 17) / e(1, 18));
    assert_eq!(m.borrow_index, e(1, 18) + simple);
    assert_eq!(
        m.borrow_balance_stored(ALICE).unwrap(),
        e(10_000, 6) + interest
    );
}

#[test]
fn absurd_borrow_rate_blocks_accrual() {
    let mut c = book();
    c.markets[USDC].ctoken.rate_model.base_rate_per_block =
        BORROW_RATE_MAX_MANTISSA + U256::from(1);
    assert_eq!(
        c.mint(BOB, USDC, e(1, 6), 101),
        Err(CompoundError::BorrowRateAbsurdlyHigh)
    );
}

#[test]
fn healthy_accounts_cannot_be_liquidated() {
    let mut c = book();
    c.borrow(ALICE, USDC, e(15_000, 6), 100).unwrap();
    let r = c.liquidate_borrow(LIQ, ALICE, USDC, e(1_000, 6), ETH, 100);
    assert_eq!(
        r,
        Err(CompoundError::ComptrollerRejection(
            ComptrollerError::InsufficientShortfall
        ))
    );
}

#[test]
fn liquidation_seizes_with_incentive_and_protocol_share() {
    let mut c = book();
    c.borrow(ALICE, USDC, e(15_000, 6), 100).unwrap();
    assert!(c.oracle.validate(ETH, e(1900, 6), e(1900, 6)).unwrap());
    assert_eq!(
        c.account_liquidity(ALICE).unwrap(),
        (U256::ZERO, e(750, 18))
    );
    let before = c.clone();
    let too_much = c.liquidate_borrow(LIQ, ALICE, USDC, e(7_500, 6) + U256::from(1), ETH, 100);
    assert_eq!(
        too_much,
        Err(CompoundError::ComptrollerRejection(
            ComptrollerError::TooMuchRepay
        ))
    );
    assert_eq!(c, before);
    let out = c
        .liquidate_borrow(LIQ, ALICE, USDC, e(7_500, 6), ETH, 100)
        .unwrap();
    assert_eq!(out.seize_tokens, U256::from(21315789473u64));
    assert_eq!(out.protocol_tokens, U256::from(596842105u64));
    assert_eq!(out.liquidator_tokens, U256::from(20718947368u64));
    assert_eq!(
        c.markets[ETH].ctoken.total_reserves,
        U256::from(119368421000000000u64)
    );
    assert_eq!(
        c.markets[USDC].ctoken.borrow_balance_stored(ALICE).unwrap(),
        e(7_500, 6)
    );
    assert_eq!(c.markets[ETH].ctoken.balance_of(LIQ), out.liquidator_tokens);
    // cTokens are conserved: borrower loss = liquidator gain + burnt protocol share
    assert_eq!(
        e(5, 10) - c.markets[ETH].ctoken.balance_of(ALICE),
        out.liquidator_tokens + out.protocol_tokens
    );
}

#[test]
fn stablecoin_price_is_fixed_and_reporter_is_anchored() {
    let mut c = book();
    assert_eq!(
        c.oracle.validate(USDC, e(87, 4), e(87, 4)),
        Err(CompoundError::InvalidParameter)
    );
    assert_eq!(c.oracle.get_underlying_price(USDC).unwrap(), e(1, 30));
    // a reporter price 20 % away from the anchor is guarded (tolerance 15 %)
    assert!(!c.oracle.validate(ETH, e(1600, 6), e(2000, 6)).unwrap());
    assert_eq!(c.oracle.price(ETH).unwrap(), e(2000, 6));
    assert!(c.oracle.validate(ETH, e(1750, 6), e(2000, 6)).unwrap());
}

#[test]
fn a_paused_mint_is_refused_without_a_trace_until_unpaused() {
    let mut c = book();
    c.set_mint_paused(USDC, true).unwrap();
    assert!(c.markets[USDC].mint_paused);
    let before = c.clone();
    // A later block: the accrual `mint` starts with is undone too.
    assert_eq!(
        c.mint(BOB, USDC, e(1_000, 6), 150),
        Err(CompoundError::InvalidParameter)
    );
    assert_eq!(c, before, "a refused mint leaves no trace");
    // Only that market is paused.
    c.mint(ALICE, ETH, e(1, 18), 150).unwrap();
    c.set_mint_paused(USDC, false).unwrap();
    let tokens = c.markets[USDC].ctoken.balance_of(BOB);
    let minted = c.mint(BOB, USDC, e(1_000, 6), 150).unwrap();
    assert!(!minted.is_zero());
    assert_eq!(c.markets[USDC].ctoken.balance_of(BOB), tokens + minted);
    assert_eq!(
        c.set_mint_paused(7, true),
        Err(CompoundError::UnknownMarket)
    );
}

#[test]
fn redeem_repay_and_liquidate_work_while_mint_is_paused() {
    let mut c = book();
    c.borrow(ALICE, USDC, e(15_000, 6), 100).unwrap();
    c.set_mint_paused(ETH, true).unwrap();
    c.set_mint_paused(USDC, true).unwrap();
    let (_, paid) = c.redeem(BOB, USDC, U256::ZERO, e(1_000, 6), 100).unwrap();
    assert_eq!(paid, e(1_000, 6));
    assert_eq!(
        c.repay_borrow(ALICE, USDC, e(1_000, 6), 100).unwrap(),
        e(1_000, 6)
    );
    c.borrow(ALICE, USDC, e(1_000, 6), 100).unwrap();
    assert!(c.oracle.validate(ETH, e(1900, 6), e(1900, 6)).unwrap());
    let out = c
        .liquidate_borrow(LIQ, ALICE, USDC, e(7_500, 6), ETH, 100)
        .unwrap();
    assert_eq!(out.repaid, e(7_500, 6));
    assert_eq!(c.markets[ETH].ctoken.balance_of(LIQ), out.liquidator_tokens);
    // The liquidator redeems the seized cTokens with the mint still paused.
    c.redeem(LIQ, ETH, out.liquidator_tokens, U256::ZERO, 100)
        .unwrap();
    assert_eq!(c.markets[ETH].ctoken.balance_of(LIQ), U256::ZERO);
}

#[test]
fn a_paused_borrow_is_refused_and_a_collateral_factor_is_capped_at_90_percent() {
    let mut c = book();
    c.set_borrow_paused(USDC, true).unwrap();
    let before = c.clone();
    assert_eq!(
        c.borrow(ALICE, USDC, e(1_000, 6), 100),
        Err(CompoundError::InvalidParameter)
    );
    assert_eq!(c, before);
    c.set_borrow_paused(USDC, false).unwrap();
    c.borrow(ALICE, USDC, e(1_000, 6), 100).unwrap();

    let max = bankrun_compound::comptroller::COLLATERAL_FACTOR_MAX;
    assert_eq!(max, e(9, 17));
    let before = c.clone();
    assert_eq!(
        c.set_collateral_factor(ETH, max + U256::from(1)),
        Err(CompoundError::InvalidParameter)
    );
    assert_eq!(c, before, "a refused collateral factor leaves no trace");
    assert_eq!(
        c.set_collateral_factor(9, e(5, 17)),
        Err(CompoundError::UnknownMarket)
    );
    c.set_collateral_factor(ETH, max).unwrap();
    assert_eq!(c.markets[ETH].collateral_factor, max);
    // 10 ETH at $2000 at 90 %, less the 1000 USDC borrowed.
    assert_eq!(
        c.account_liquidity(ALICE).unwrap(),
        (e(17_000, 18), U256::ZERO)
    );
    c.set_collateral_factor(ETH, U256::ZERO).unwrap();
    assert_eq!(
        c.account_liquidity(ALICE).unwrap(),
        (U256::ZERO, e(1_000, 18))
    );
}

#[test]
fn a_collateral_factor_needs_a_price() {
    let mut oracle = PriceOracle::new(e(15, 16));
    oracle.push(TokenConfig {
        base_unit: e(1, 18),
        source: PriceSource::Reporter,
    });
    let mut c = Comptroller::new(e(5, 17), e(108, 16), oracle);
    c.support_market(CToken::new(model(), e(2, 26), e(2, 17), 100), U256::ZERO);
    assert_eq!(
        c.set_collateral_factor(ETH, e(5, 17)),
        Err(CompoundError::ComptrollerRejection(
            ComptrollerError::PriceError
        ))
    );
    c.set_collateral_factor(ETH, U256::ZERO).unwrap();
}
