//! The native `bankrun_dex::uniswap_v2::get_amount_out` against the real
//! `UniswapV2Pair.swap` (`@uniswap/v2-core@1.0.1`): the native output is accepted and
//! one more wei reverts with `UniswapV2: K`. v2-core's own swap vectors (U1–U7) plus
//! random reserves and inputs.

use alloy_primitives::U256;
use bankrun_conformance::evm::{Outcome, describe_revert};
use bankrun_conformance::strategy::{cases, config};
use bankrun_conformance::uniswap::UniPair;
use bankrun_dex::uniswap_v2::get_amount_out;
use proptest::test_runner::{TestCaseError, TestRunner};

fn check(amount_in: U256, r_in: U256, r_out: U256) -> Result<(), String> {
    let out = get_amount_out(amount_in, r_in, r_out).map_err(|e| format!("native: {e:?}"))?;
    if !out.is_zero() {
        let mut p = UniPair::deploy(r_in, r_out).map_err(|e| e.to_string())?;
        match p.swap(amount_in, out).map_err(|e| e.to_string())? {
            Outcome::Success(_) => {}
            o => {
                return Err(format!(
                    "swap({amount_in}, {out}) on ({r_in}, {r_out}) failed: {o:?}"
                ));
            }
        }
    }
    let mut p = UniPair::deploy(r_in, r_out).map_err(|e| e.to_string())?;
    let plus_one = out + U256::from(1u8);
    match p.swap(amount_in, plus_one).map_err(|e| e.to_string())? {
        Outcome::Revert(d) => {
            let why = describe_revert(&d);
            // At or above the out-reserve the pair stops earlier with INSUFFICIENT_LIQUIDITY.
            if why == "Error(\"UniswapV2: K\")"
                || (plus_one >= r_out && why == "Error(\"UniswapV2: INSUFFICIENT_LIQUIDITY\")")
            {
                Ok(())
            } else {
                Err(format!("native output + 1 wei reverted with {why}"))
            }
        }
        o => Err(format!("native output + 1 wei was accepted: {o:?}")),
    }
}

fn e18(x: u64) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(18u8))
}

#[test]
fn v2_core_swap_vectors() {
    for (a, r_in, r_out, expected) in [
        (1, 5, 10, "1662497915624478906"),
        (1, 10, 5, "453305446940074565"),
        (2, 5, 10, "2851015155847869602"),
        (2, 10, 5, "831248957812239453"),
        (1, 10, 10, "906610893880149131"),
        (1, 100, 100, "987158034397061298"),
        (1, 1000, 1000, "996006981039903216"),
    ] {
        let out = get_amount_out(e18(a), e18(r_in), e18(r_out)).unwrap();
        assert_eq!(out.to_string(), expected);
        check(e18(a), e18(r_in), e18(r_out)).unwrap();
    }
}

#[test]
fn random_swaps_match_pair() {
    let mut runner = TestRunner::new(config(cases(300)));
    let strat = (
        1u128..1u128 << 100,
        10_000u128..1u128 << 100,
        10_000u128..1u128 << 100,
    );
    runner
        .run(&strat, |(a, r_in, r_out)| {
            check(U256::from(a), U256::from(r_in), U256::from(r_out)).map_err(TestCaseError::fail)
        })
        .unwrap();
}
