//! Property tests: invariants never decrease on swaps, outputs are bounded, tokens are
//! conserved across swaps and liquidity operations, price impact is monotone.

#![allow(clippy::needless_range_loop)]

use bankrun_dex::U256;
use bankrun_dex::curve::StableSwap;
use bankrun_dex::uniswap_v2::{Pair, Side, get_amount_out};
use proptest::prelude::*;

fn wei(x: u128) -> U256 {
    U256::from(x)
}

fn pair(r0: u128, r1: u128) -> Pair {
    let mut p = Pair::new(true);
    p.mint(wei(r0), wei(r1), 0).unwrap();
    p
}

fn pool(b: [u128; 3]) -> StableSwap {
    let mut p = StableSwap::three_pool(
        U256::from(2000),
        U256::from(4_000_000),
        U256::from(5_000_000_000u64),
    );
    p.add_liquidity(
        &[wei(b[0]) * wei(10u128.pow(12)), wei(b[1]), wei(b[2])],
        U256::ZERO,
    )
    .unwrap();
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn uniswap_k_never_decreases_and_tokens_are_conserved(
        r0 in 10u128.pow(6)..10u128.pow(27), r1 in 10u128.pow(6)..10u128.pow(27),
        trades in prop::collection::vec((any::<bool>(), 1u128..10u128.pow(26)), 1..8),
    ) {
        let mut p = pair(r0, r1);
        let (mut in0, mut in1) = (wei(r0), wei(r1));
        for (zero, amt) in trades {
            let k = p.reserve0 * p.reserve1;
            let side = if zero { Side::Token0 } else { Side::Token1 };
            if let Ok(out) = p.swap_exact_in(side, wei(amt), 1) {
                if zero { in0 += wei(amt); in1 -= out } else { in1 += wei(amt); in0 -= out }
                prop_assert!(p.reserve0 * p.reserve1 >= k);
            }
            prop_assert_eq!((p.reserve0, p.reserve1), (in0, in1));
        }
    }

    #[test]
    fn uniswap_price_impact_is_monotone(
        r_in in 10u128.pow(9)..10u128.pow(27), r_out in 10u128.pow(9)..10u128.pow(27),
        a in 1u128..10u128.pow(27), b in 1u128..10u128.pow(27),
    ) {
        let (small, large) = (a.min(b), a.max(b));
        let out_s = get_amount_out(wei(small), wei(r_in), wei(r_out)).unwrap();
        let out_l = get_amount_out(wei(large), wei(r_in), wei(r_out)).unwrap();
        prop_assert!(out_l >= out_s);
        prop_assert!(out_l < wei(r_out));
        // average execution price (out per in) does not improve with size
        prop_assert!(out_l * wei(small) <= out_s * wei(large));
    }

    #[test]
    fn uniswap_mint_burn_conserves_tokens(
        r0 in 10u128.pow(6)..10u128.pow(24), r1 in 10u128.pow(6)..10u128.pow(24),
        frac in 1u128..1000,
    ) {
        let mut p = pair(r0, r1);
        let lp = p.total_supply - U256::from(1000);
        let burn = lp * wei(frac) / wei(1000);
        if let Ok((a0, a1)) = p.burn(burn, 2) {
            prop_assert_eq!(p.reserve0 + a0, wei(r0));
            prop_assert_eq!(p.reserve1 + a1, wei(r1));
            prop_assert!(a0 <= wei(r0) && a1 <= wei(r1));
        }
    }

    #[test]
    fn curve_get_dy_bounded_and_exchange_conserves(
        b in prop::array::uniform3(10u128.pow(9)..10u128.pow(14)),
        trades in prop::collection::vec((0usize..3, 0usize..3, 1u128..10u128.pow(13)), 1..5),
    ) {
        let mut p = pool(b);
        for (i, j, dx) in trades {
            if i == j { continue; }
            let dx = if i == 0 { wei(dx) * wei(10u128.pow(12)) } else { wei(dx) };
            let held: Vec<U256> = (0..3).map(|k| p.balances[k] + p.admin_balances[k]).collect();
            let d_before = p.d().unwrap();
            if let Ok(dy) = p.get_dy(i, j, dx) {
                prop_assert!(dy <= p.balances[j]);
                let out = p.exchange(i, j, dx, U256::ZERO).unwrap();
                prop_assert!(out.dy.abs_diff(dy) <= U256::from(1));
                for k in 0..3 {
                    let expected = if k == i { held[k] + dx } else if k == j { held[k] - out.dy } else { held[k] };
                    prop_assert_eq!(p.balances[k] + p.admin_balances[k], expected);
                }
                prop_assert!(p.d().unwrap() + U256::from(2) >= d_before);
            }
        }
    }

    #[test]
    fn curve_liquidity_ops_conserve_tokens(
        b in prop::array::uniform3(10u128.pow(9)..10u128.pow(14)),
        dep in prop::array::uniform3(0u128..10u128.pow(12)),
        frac in 1u128..500,
    ) {
        let mut p = pool(b);
        let amounts = [wei(dep[0]) * wei(10u128.pow(12)), wei(dep[1]), wei(dep[2])];
        let held = |p: &StableSwap| -> Vec<U256> { (0..3).map(|k| p.balances[k] + p.admin_balances[k]).collect() };
        let before = held(&p);
        let ts0 = p.total_supply;
        if let Ok(minted) = p.add_liquidity(&amounts, U256::ZERO) {
            prop_assert_eq!(p.total_supply, ts0 + minted);
            for k in 0..3 { prop_assert_eq!(held(&p)[k], before[k] + amounts[k]); }
        }
        let before = held(&p);
        let burn = p.total_supply * wei(frac) / wei(1000);
        let out = p.remove_liquidity(burn, &[U256::ZERO; 3]).unwrap();
        for k in 0..3 { prop_assert_eq!(held(&p)[k] + out[k], before[k]); }
        let before = held(&p);
        let ts = p.total_supply;
        if let Ok(dy) = p.remove_liquidity_one_coin(burn / wei(2), 1, U256::ZERO) {
            prop_assert_eq!(held(&p)[1] + dy, before[1]);
            prop_assert_eq!(p.total_supply + burn / wei(2), ts);
        }
    }
}
