//! Properties: `Dec` arithmetic against an independent `i128`/`u128` reference of the
//! SDK rules, and swap invariants (never more minted than the oracle value; errors
//! leave the market unchanged).

use bankrun_terra::{Dec, Denom, Market, MarketParams, OracleRates, TerraError};
use proptest::prelude::*;

const E18: u128 = 1_000_000_000_000_000_000;

/// Banker's rounding of `int + rem/1e18` (non-negative), the SDK's
/// `chopPrecisionAndRound` applied to the magnitude.
fn round_half_even(int: u128, rem: u128) -> u128 {
    let half = E18 / 2;
    if rem > half || (rem == half && int % 2 == 1) {
        int + 1
    } else {
        int
    }
}

fn signed(neg: bool, mag: u128) -> i128 {
    let m = i128::try_from(mag).expect("fits");
    if neg { -m } else { m }
}

/// Reference `Mul` on atto values with |a|, |b| < 2^63: the product fits a u128.
fn ref_mul(a: i128, b: i128) -> i128 {
    let p = a
        .unsigned_abs()
        .checked_mul(b.unsigned_abs())
        .expect("reference range");
    signed((a < 0) != (b < 0), round_half_even(p / E18, p % E18))
}

/// Reference `Quo` on atto values with |a|, |b| < 2^64, by long division in base 1e18:
/// `a·1e36/b = q1·1e18 + q2 (+ fraction)`, `q1 = ⌊a·1e18/b⌋`, `q2 = ⌊(a·1e18 mod b)·1e18/b⌋`,
/// then truncation (dropping the fraction) and banker's rounding of `q2`.
fn ref_quo(a: i128, b: i128) -> i128 {
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    let x = ua.checked_mul(E18).expect("reference range");
    let (q1, r1) = (x / ub, x % ub);
    let q2 = r1.checked_mul(E18).expect("reference range") / ub;
    signed((a < 0) != (b < 0), round_half_even(q1, q2))
}

fn small() -> impl Strategy<Value = i128> {
    prop_oneof![
        -1000i128..1000,
        -(1i128 << 40)..(1i128 << 40),
        -(1i128 << 63) + 1..(1i128 << 63),
        // multiples of 1e17 and 5e17 (all below 2^63) hit exact ties often
        (-90i128..90).prop_map(|k| k * 100_000_000_000_000_000),
        (-18i128..18).prop_map(|k| k * 500_000_000_000_000_000 + 5),
    ]
}

fn small64() -> impl Strategy<Value = i128> {
    prop_oneof![small(), -((1i128 << 64) - 1)..(1i128 << 64),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mul_matches_reference(a in small(), b in small()) {
        let got = Dec::from_atto_i128(a).checked_mul(Dec::from_atto_i128(b));
        prop_assert_eq!(got, Ok(Dec::from_atto_i128(ref_mul(a, b))));
    }

    #[test]
    fn quo_matches_reference(a in small64(), b in small64()) {
        prop_assume!(b != 0);
        let got = Dec::from_atto_i128(a).checked_quo(Dec::from_atto_i128(b));
        prop_assert_eq!(got, Ok(Dec::from_atto_i128(ref_quo(a, b))));
    }

    #[test]
    fn mul_by_ties(k in -1_000_000i128..1_000_000, neg in any::<bool>()) {
        // k atto · ±0.5: an exact tie at 1e-18 whenever k is odd
        let half = if neg { -500_000_000_000_000_000 } else { 500_000_000_000_000_000 };
        let got = Dec::from_atto_i128(k).checked_mul(Dec::from_atto_i128(half));
        prop_assert_eq!(got, Ok(Dec::from_atto_i128(ref_mul(k, half))));
        let even = if (k / 2) % 2 == 0 { k / 2 } else { k / 2 + k.signum() };
        let expect = if k % 2 == 0 { k / 2 } else { even };
        prop_assert_eq!(got.map(|x| x.atto_i128()), Ok(Some(if neg { -expect } else { expect })));
    }

    #[test]
    fn quo_by_ties(k in -10_000i128..10_000, den in prop_oneof![Just(2i128), Just(4), Just(8), Just(-2)]) {
        // k atto / den: exact ties at 1e-18 for odd k with den = 2
        let got = Dec::from_atto_i128(k).checked_quo(Dec::from_int(den));
        prop_assert_eq!(got, Ok(Dec::from_atto_i128(ref_quo(k, den * E18 as i128))));
    }

    #[test]
    fn add_sub_quo_int64_match_i128(a in any::<i64>(), b in any::<i64>(), i in any::<i64>()) {
        let (a, b) = (i128::from(a) << 40, i128::from(b) << 40);
        let (da, db) = (Dec::from_atto_i128(a), Dec::from_atto_i128(b));
        prop_assert_eq!(da.checked_add(db), Ok(Dec::from_atto_i128(a + b)));
        prop_assert_eq!(da.checked_sub(db), Ok(Dec::from_atto_i128(a - b)));
        prop_assert_eq!(da < db, a < b);
        if i != 0 {
            // Rust's `/` on integers truncates toward zero, as Go's big.Int.Quo
            prop_assert_eq!(da.quo_int64(i), Ok(Dec::from_atto_i128(a / i128::from(i))));
        }
        let a64 = a >> 40;
        prop_assert_eq!(
            Dec::from_atto_i128(a64).mul_int64(i),
            Ok(Dec::from_atto_i128(a64 * i128::from(i)))
        );
    }

    #[test]
    fn large_whole_numbers_are_exact(a in any::<i64>(), b in any::<i64>()) {
        prop_assume!(b != 0);
        let (a, b) = (i128::from(a), i128::from(b));
        let prod = Dec::from_int(a).checked_mul(Dec::from_int(b));
        prop_assert_eq!(prod, Ok(Dec::from_int(a * b)));
        let back = Dec::from_int(a * b).checked_quo(Dec::from_int(b));
        prop_assert_eq!(back, Ok(Dec::from_int(a)));
    }

    #[test]
    fn string_round_trip(a in any::<i128>()) {
        let x = Dec::from_atto_i128(a);
        let s = x.to_string();
        prop_assert_eq!(s.parse::<Dec>(), Ok(x));
        let frac = s.rsplit('.').next().unwrap_or("");
        prop_assert_eq!(frac.len(), 18);
        prop_assert_eq!(x.truncate_int().to_string(), (a / E18 as i128).to_string());
    }
}

const DENOMS: [Denom; 3] = [Denom::Uluna, Denom::Uusd, Denom::Usdr];

/// A market with random state: May 2022 or code-default parameters, or Prop 1164, a
/// random pool delta, a random min spread and possibly the fork rule.
fn arb_market() -> impl Strategy<Value = Market> {
    (
        0u8..3,
        -40_000_000i64..40_000_000,
        0u32..=1000,
        any::<bool>(),
    )
        .prop_map(|(which, delta_sdr, spread_permille, fork)| {
            let params = match which {
                0 => MarketParams::code_default(),
                _ => MarketParams::columbus5_may_2022(),
            };
            let mut m = Market::new(params).expect("valid");
            if which == 2 {
                m.apply_prop_1164().expect("valid");
            }
            let delta = Dec::from_int(i128::from(delta_sdr) * 1_000_000);
            // keep TerraPool positive for the code default (BasePool 1 M SDR)
            let base = m.params().base_pool;
            if delta
                .checked_add(base)
                .map(|t| t.is_positive())
                .unwrap_or(false)
            {
                m.set_terra_pool_delta(delta);
            }
            m.set_min_stability_spread(Dec::with_prec(i64::from(spread_permille), 3).expect("dec"))
                .expect("valid");
            if fork {
                m.activate_swap_disable_fork();
            }
            m
        })
}

fn arb_rates() -> impl Strategy<Value = OracleRates> {
    (
        1u64..200_000_000,
        1u64..200_000_000,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(usd_atto_e9, sdr_atto_e9, drop_usd, drop_sdr)| {
            // rates from 1e-9 to 0.2 … scaled by 1e3: 1e-6 to 200 denom per LUNA
            let mut r = OracleRates::new()
                .with_rate(
                    Denom::Uusd,
                    Dec::from_atto_i128(i128::from(usd_atto_e9) * 1_000_000_000_000),
                )
                .with_rate(
                    Denom::Usdr,
                    Dec::from_atto_i128(i128::from(sdr_atto_e9) * 1_000_000_000_000),
                );
            if drop_usd {
                r.remove(Denom::Uusd);
            }
            if drop_sdr {
                r.remove(Denom::Usdr);
            }
            r
        })
}

fn arb_amount() -> impl Strategy<Value = u128> {
    prop_oneof![
        0u128..10,
        1u128..1_000_000_000,
        1u128..10_000_000_000_000_000,
        Just((1u128 << 100) - 1),
        Just(1u128 << 100),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn swap_never_mints_more_than_oracle_value_and_errors_are_atomic(
        mut m in arb_market(),
        rates in arb_rates(),
        steps in prop::collection::vec((0usize..3, 0usize..3, arb_amount(), any::<bool>()), 1..8),
    ) {
        for (i, j, amount, replenish) in steps {
            let (offer, ask) = (DENOMS[i], DENOMS[j]);
            let before = m.clone();
            let sim = m.simulate_swap(offer, amount, ask, &rates);
            match m.swap(offer, amount, ask, &rates) {
                Ok(o) => {
                    prop_assert!(o.out <= o.ret);
                    prop_assert!(Dec::from_u128(o.swap_coin) <= o.out);
                    prop_assert!(Dec::from_u128(o.minted) <= o.ret, "minted {} > ret {}", o.minted, o.ret);
                    prop_assert!(!o.spread.is_negative());
                    prop_assert_eq!(o.minted, o.swap_coin + o.fee_coin);
                    prop_assert_eq!(sim, Ok(o.swap_coin));
                    prop_assert_eq!(
                        m.terra_pool_delta(),
                        before.terra_pool_delta().checked_add(o.pool_delta_change).expect("add")
                    );
                    // Terra→LUNA raises the delta, LUNA→Terra lowers it
                    if ask.is_luna() {
                        prop_assert!(o.pool_delta_change.is_positive());
                    } else if offer.is_luna() {
                        prop_assert!(!o.pool_delta_change.is_positive());
                    }
                    let (t0, t1) = (before.totals(), m.totals());
                    prop_assert_eq!(
                        t1.luna_minted + t1.terra_minted - t0.luna_minted - t0.terra_minted,
                        o.minted
                    );
                    prop_assert_eq!(
                        t1.luna_burned + t1.terra_burned - t0.luna_burned - t0.terra_burned,
                        amount
                    );
                    if m.zero_swap_coin_check() {
                        prop_assert!(o.swap_coin > 0);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(&m, &before, "error {:?} changed the state", e);
                    if amount == 0 || amount >> 100 != 0 {
                        prop_assert!(matches!(e, TerraError::InvalidCoins(_)));
                    }
                }
            }
            if replenish {
                let delta = m.terra_pool_delta();
                m.replenish_pools().expect("replenish");
                prop_assert!(m.terra_pool_delta().abs() <= delta.abs());
                prop_assert!(!(m.terra_pool_delta().is_negative() && delta.is_positive()));
            }
        }
    }
}
