//! Published vectors U1–U8 (Uniswap v2) and C1–C7 (Curve 3pool), protocol-math.md §8.

use bankrun_dex::curve::StableSwap;
use bankrun_dex::uniswap_v2::{get_amount_in, get_amount_out};
use bankrun_dex::{DexError, U256};

fn n(s: &str) -> U256 {
    s.parse().unwrap()
}

fn e18(x: u64) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(18))
}

fn e6(x: u64) -> U256 {
    U256::from(x) * U256::from(1_000_000u64)
}

#[test]
fn u1_to_u7_get_amount_out_matches_v2_core_swap_test_cases() {
    let cases = [
        ((1, 5, 10), "1662497915624478906"),
        ((1, 10, 5), "453305446940074565"),
        ((2, 5, 10), "2851015155847869602"),
        ((2, 10, 5), "831248957812239453"),
        ((1, 10, 10), "906610893880149131"),
        ((1, 100, 100), "987158034397061298"),
        ((1, 1000, 1000), "996006981039903216"),
    ];
    for ((a, r_in, r_out), expected) in cases {
        assert_eq!(
            get_amount_out(e18(a), e18(r_in), e18(r_out)).unwrap(),
            n(expected)
        );
    }
}

#[test]
fn u8_router_vectors() {
    let h = U256::from(100);
    assert_eq!(get_amount_in(U256::from(1), h, h).unwrap(), U256::from(2));
    assert_eq!(get_amount_out(U256::from(2), h, h).unwrap(), U256::from(1));
}

#[test]
fn u_vectors_are_the_largest_output_the_pair_accepts() {
    use bankrun_dex::uniswap_v2::Pair;
    let mut pair = Pair::new(false);
    pair.mint(e18(5), e18(10), 0).unwrap();
    let out = get_amount_out(e18(1), e18(5), e18(10)).unwrap();
    let mut too_much = pair.clone();
    assert_eq!(
        too_much.swap(e18(1), U256::ZERO, U256::ZERO, out + U256::from(1), 1),
        Err(DexError::K)
    );
    pair.swap(e18(1), U256::ZERO, U256::ZERO, out, 1).unwrap();
}

fn balanced_3pool() -> StableSwap {
    let mut pool = StableSwap::three_pool(
        U256::from(2000),
        U256::from(1_000_000),
        U256::from(5_000_000_000u64),
    );
    pool.add_liquidity(&[e18(1_000_000), e6(1_000_000), e6(1_000_000)], U256::ZERO)
        .unwrap();
    pool
}

fn imbalanced_3pool() -> StableSwap {
    let mut pool = StableSwap::three_pool(
        U256::from(2000),
        U256::from(1_000_000),
        U256::from(5_000_000_000u64),
    );
    pool.add_liquidity(&[e18(1_000_000), e6(100_000), e6(10_000_000)], U256::ZERO)
        .unwrap();
    pool
}

#[test]
fn c1_first_deposit_mints_d() {
    let pool = balanced_3pool();
    assert_eq!(pool.total_supply, n("3000000000000000000000000"));
    assert_eq!(pool.d().unwrap(), n("3000000000000000000000000"));
}

#[test]
fn c2_c3_get_dy_balanced() {
    let pool = balanced_3pool();
    assert_eq!(
        pool.get_dy(0, 1, e18(1000)).unwrap(),
        U256::from(999899501u64)
    );
    assert_eq!(
        pool.get_dy(1, 2, e6(1000)).unwrap(),
        U256::from(999899501u64)
    );
    assert_eq!(
        pool.get_dy(0, 1, e18(500_000)).unwrap(),
        U256::from(499783571830u64)
    );
    assert_eq!(
        pool.get_dy(2, 0, e6(5_000_000)).unwrap(),
        n("999879171462035090837083")
    );
}

#[test]
fn c4_calc_withdraw_one_coin_balanced() {
    let pool = balanced_3pool();
    let amt = e18(30_000);
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 0).unwrap(),
        n("29998347512572557582964")
    );
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 1).unwrap(),
        U256::from(29998347512u64)
    );
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 2).unwrap(),
        U256::from(29998347512u64)
    );
}

#[test]
fn c5_d_imbalanced() {
    assert_eq!(
        imbalanced_3pool().d().unwrap(),
        n("11011093507917405627240323")
    );
}

#[test]
fn c6_get_dy_imbalanced() {
    let pool = imbalanced_3pool();
    assert_eq!(
        pool.get_dy(0, 1, e18(1000)).unwrap(),
        U256::from(570453166u64)
    );
    assert_eq!(
        pool.get_dy(1, 2, e6(1000)).unwrap(),
        U256::from(1881336855u64)
    );
    assert_eq!(
        pool.get_dy(0, 1, e18(500_000)).unwrap(),
        U256::from(87959063150u64)
    );
    assert_eq!(
        pool.get_dy(2, 0, e6(5_000_000)).unwrap(),
        n("985166412645225401891938")
    );
}

#[test]
fn c7_calc_withdraw_one_coin_imbalanced() {
    let pool = imbalanced_3pool();
    let amt = n("110110935079174056272403");
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 0).unwrap(),
        n("103587671817612755109076")
    );
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 1).unwrap(),
        U256::from(44308331614u64)
    );
    assert_eq!(
        pool.calc_withdraw_one_coin(amt, 2).unwrap(),
        U256::from(112673882743u64)
    );
}

#[test]
fn exchange_matches_get_dy_up_to_fee_rounding() {
    let mut pool = imbalanced_3pool();
    let view = pool.get_dy(0, 1, e18(1000)).unwrap();
    let out = pool
        .exchange(0, 1, e18(1000), view - U256::from(1))
        .unwrap();
    assert!(out.dy.abs_diff(view) <= U256::from(1));
    assert_eq!(
        pool.exchange(0, 1, e18(1000), e18(1)),
        Err(DexError::Slippage)
    );
}

#[test]
fn invalid_indices_revert() {
    let pool = balanced_3pool();
    assert_eq!(pool.get_dy(0, 0, e18(1)), Err(DexError::InvalidCoinIndex));
    assert_eq!(pool.get_dy(0, 3, e18(1)), Err(DexError::InvalidCoinIndex));
    assert_eq!(
        pool.calc_withdraw_one_coin(e18(1), 3),
        Err(DexError::InvalidCoinIndex)
    );
}
