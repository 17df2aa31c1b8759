//! Borrow limits and liquidation through the liquidation queue.

use bankrun_anchor::params;
use bankrun_anchor::{
    AnchorError, BidPool, Decimal256, LiquidationQueue, Market, Overseer, TerraTax, Uint256,
};

const UST: u128 = 1_000_000;
const BLOCK0: u64 = 7_500_000;
const B: u32 = 2;
const C: u32 = 3;
const BLUNA: usize = 0;
const BETH: usize = 1;

fn u(x: u128) -> Uint256 {
    Uint256::from(x)
}

fn p(s: &str) -> Decimal256 {
    s.parse().unwrap()
}

fn ust(x: Uint256) -> f64 {
    x.0.to::<u128>() as f64 / 1e6
}

/// A market with 1 M UST liquid; bLUNA (LTV 0.8) and bETH (0.6) whitelisted; bLUNA bids of
/// 1 M UST at 1 % and 10 M UST at 2 %; B locks 1,000 bLUNA and borrows 60,000 UST at $80.
fn book() -> (Market, Overseer, LiquidationQueue) {
    let mut m = Market::with_totals(
        BLOCK0,
        u(1_000_000 * UST),
        Uint256::ZERO,
        Decimal256::ONE,
        params::interest_model(),
        params::max_borrow_factor(),
        TerraTax::ZERO,
    )
    .unwrap();
    let mut o = Overseer::new(
        BLOCK0,
        params::overseer_config(),
        params::dynrate_config(),
        TerraTax::ZERO,
    );
    assert_eq!(o.register_whitelist(params::bluna()), BLUNA);
    assert_eq!(o.register_whitelist(params::beth()), BETH);
    let mut q = LiquidationQueue::new(params::liquidation_config(), TerraTax::ZERO);
    q.set_pools(
        BLUNA,
        vec![
            BidPool {
                premium_rate: Decimal256::percent(1),
                total_bid_amount: u(1_000_000 * UST),
            },
            BidPool {
                premium_rate: Decimal256::percent(2),
                total_bid_amount: u(10_000_000 * UST),
            },
        ],
    );
    o.lock_collateral(B, BLUNA, u(1_000 * UST)).unwrap();
    let prices = [p("80"), p("2500")];
    // limit = 1,000·80·0.8 = 64,000 UST
    assert_eq!(o.borrow_limit(B, &prices).unwrap(), u(64_000 * UST));
    o.borrow_stable(&mut m, B, u(60_000 * UST), BLOCK0, &prices)
        .unwrap();
    (m, o, q)
}

#[test]
fn borrow_limit_is_enforced() {
    let (mut m, o, _) = book();
    let prices = [p("80"), p("2500")];
    assert_eq!(
        o.borrow_stable(&mut m, B, u(4_001 * UST), BLOCK0, &prices),
        Err(AnchorError::BorrowExceedsLimit(u(64_000 * UST)))
    );
    assert_eq!(
        o.borrow_stable(&mut m, C, u(1), BLOCK0, &prices),
        Err(AnchorError::BorrowExceedsLimit(Uint256::ZERO))
    );
}

#[test]
fn unlock_respects_the_limit() {
    let (m, mut o, _) = book();
    let prices = [p("80"), p("2500")];
    let before = o.clone();
    // 100 bLUNA out leaves a 57,600 UST limit < 60,000 owed
    assert_eq!(
        o.unlock_collateral(&m, B, BLUNA, u(100 * UST), BLOCK0, &prices),
        Err(AnchorError::UnlockTooLarge(u(57_600 * UST)))
    );
    assert_eq!(
        o.unlock_collateral(&m, B, BLUNA, u(1_001 * UST), BLOCK0, &prices),
        Err(AnchorError::UnlockExceedsLocked)
    );
    assert_eq!(o, before);
    // 50 bLUNA out leaves 60,800 ≥ 60,000
    o.unlock_collateral(&m, B, BLUNA, u(50 * UST), BLOCK0, &prices)
        .unwrap();
    assert_eq!(o.collaterals_of(B)[&BLUNA], u(950 * UST));
}

#[test]
fn liquidation_only_above_the_limit() {
    let (mut m, mut o, mut q) = book();
    let block = BLOCK0 + 10;
    // after 10 blocks the loan is 60,000 UST plus ~0.002 UST of interest
    let loan = m.liability(B, block, o.target_deposit_rate()).unwrap();
    assert!(loan > u(60_000 * UST) && loan < u(60_001 * UST), "{loan}");
    let (m0, o0, q0) = (m.clone(), o.clone(), q.clone());
    // $80 (limit 64,000) and $75.01 (limit 60,008): safe, nothing moves
    for price in ["80", "75.01"] {
        assert_eq!(
            o.liquidate_collateral(&mut m, &mut q, B, block, &[p(price), p("2500")]),
            Err(AnchorError::CannotLiquidateSafeLoan)
        );
        assert_eq!((&m, &o, &q), (&m0, &o0, &q0));
    }
    // $75: limit exactly 60,000 < loan: collateral is seized
    let prices = [p("75"), p("2500")];
    assert_eq!(o.borrow_limit(B, &prices).unwrap(), u(60_000 * UST));
    let r = o
        .liquidate_collateral(&mut m, &mut q, B, block, &prices)
        .unwrap();
    assert!(r.collateral[0].1 > Uint256::ZERO);
    assert!(o.collaterals_of(B)[&BLUNA] < u(1_000 * UST));
    // and the position is safe again
    assert_eq!(
        o.liquidate_collateral(&mut m, &mut q, B, block, &prices),
        Err(AnchorError::CannotLiquidateSafeLoan)
    );
}

#[test]
fn partial_liquidation_to_the_safe_ratio() {
    let (mut m, mut o, mut q) = book();
    let block = BLOCK0 + 10;
    let prices = [p("70"), p("2500")];
    let target = o.target_deposit_rate();
    let loan = m.liability(B, block, target).unwrap();
    let limit = o.borrow_limit(B, &prices).unwrap();
    assert_eq!(limit, u(56_000 * UST));
    let (reserve0, balance0) = (o.balance, m.balance);

    let r = o
        .liquidate_collateral(&mut m, &mut q, B, block, &prices)
        .unwrap();
    let (id, sold) = r.collateral[0];
    assert_eq!(id, BLUNA);
    // docs (loan-liquidation.md): amount = (loan − SR·limit)/(price·((1 − premium)·fd − SR·LTV)),
    // fd = (1 − 1 %)(1 − 1 %); the contract adds 1 uusd and 1 micro-unit
    let fd = 0.99 * 0.99;
    let denom = 70.0 * (0.99 * fd - 0.8 * 0.8);
    let want = (ust(loan) - 0.8 * ust(limit) + 1e-6) / denom * 1e6 + 1.0;
    let got = sold.0.to::<u128>() as f64;
    assert!((got - want).abs() <= 2.0, "{got} vs {want}");
    // bids: the 1 % slot pays 70·0.99 per bLUNA; 1 % bid fee, 1 % liquidator fee
    let used = ust(sold) * 70.0 * 0.99;
    assert!((ust(r.bid_fee) - 0.01 * used).abs() < 1e-5);
    assert!((ust(r.liquidator_fee) - 0.01 * used).abs() < 1e-5);
    assert!((ust(r.repaid) - 0.98 * used).abs() < 2e-5);
    assert_eq!(r.refund, Uint256::ZERO);
    assert_eq!(
        q.pools[BLUNA][1].total_bid_amount,
        u(10_000_000 * UST),
        "the 2 % slot is untouched"
    );
    assert!((ust(q.pools[BLUNA][0].total_bid_amount) - (1_000_000.0 - used)).abs() < 1e-5);
    // the yield reserve got the bid fee, the market the repayment
    assert_eq!(o.balance, reserve0.checked_add(r.bid_fee).unwrap());
    assert_eq!(m.balance, balance0.checked_add(r.repaid).unwrap());
    let left = o.collaterals_of(B)[&BLUNA];
    assert_eq!(left, u(1_000 * UST).checked_sub(sold).unwrap());
    assert_eq!(
        m.borrower(B).loan_amount,
        loan.checked_sub(r.repaid).unwrap()
    );
    // re-reading applies ⌊⌊loan·I⌋/I⌋ at the same index, which can drop 1 uusd
    let loan_after = m.liability(B, block, target).unwrap();
    assert!(m.borrower(B).loan_amount.checked_sub(loan_after).unwrap() <= u(1));
    // the loan is back near the safe ratio 0.8: slightly above, as the fees come off
    // additively (0.98) while the amount assumed (0.99·0.99 = 0.9801)
    let ratio = ust(loan_after) / ust(o.borrow_limit(B, &prices).unwrap());
    let sold_f = ust(sold);
    let want_ratio = (ust(loan) - sold_f * 70.0 * 0.99 * 0.98) / ((1_000.0 - sold_f) * 70.0 * 0.8);
    assert!((ratio - want_ratio).abs() < 1e-6, "{ratio} vs {want_ratio}");
    assert!(ratio > 0.8 && ratio < 0.801, "{ratio}");
    assert_eq!(q.bought[BLUNA], sold);
}

#[test]
fn thin_bids_revert_the_liquidation() {
    // with only 10 k UST of bids the query asks for bids/(price·(1 − premium)·fd) collateral,
    // more than the bids can buy at price·(1 − premium): "Not enough bids"
    let (mut m, mut o, mut q) = book();
    q.set_pools(
        BLUNA,
        vec![BidPool {
            premium_rate: Decimal256::percent(1),
            total_bid_amount: u(10_000 * UST),
        }],
    );
    let (m0, o0, q0) = (m.clone(), o.clone(), q.clone());
    assert_eq!(
        o.liquidate_collateral(&mut m, &mut q, B, BLOCK0 + 10, &[p("70"), p("2500")]),
        Err(AnchorError::NotEnoughBids)
    );
    assert_eq!((m, o, q), (m0, o0, q0));
}

#[test]
fn small_positions_are_fully_liquidated_and_can_leave_bad_debt() {
    let (mut m, mut o, mut q) = book();
    // C: 30 bLUNA ($2,400 at $80), borrows 1,900 of its 1,920 limit
    o.lock_collateral(C, BLUNA, u(30 * UST)).unwrap();
    o.borrow_stable(&mut m, C, u(1_900 * UST), BLOCK0, &[p("80"), p("2500")])
        .unwrap();
    // at $65 the collateral ($1,950) is under the 2,000 UST threshold: safe ratio 0, so the
    // whole loan is to be covered: 1,900/(65·0.99·0.9801) ≈ 30.12 bLUNA > 30 held → all 30
    let r = o
        .liquidate_collateral(&mut m, &mut q, C, BLOCK0, &[p("65"), p("2500")])
        .unwrap();
    assert_eq!(r.collateral, vec![(BLUNA, u(30 * UST))]);
    assert!(!o.collaterals_of(C).contains_key(&BLUNA));
    // repaid 30·65·0.99·0.98 = 1,891.89 UST; 8.11 UST stays owed with no collateral
    assert!((ust(r.repaid) - 1_891.89).abs() < 1e-5, "{}", ust(r.repaid));
    let left = m.liability(C, BLOCK0, o.target_deposit_rate()).unwrap();
    assert!((ust(left) - 8.11).abs() < 1e-5, "{}", ust(left));
}
