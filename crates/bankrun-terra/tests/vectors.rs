//! Market-module vectors: T1–T3 of `protocol-math.md` §8, ports of the Go unit tests of
//! `classic-terra/core` v0.5.18 / v0.5.20 (`x/market/keeper/swap_test.go`,
//! `keeper_test.go`, `x/market/abci_test.go`, `x/market/handler_test.go`), swap
//! accounting, replenishment, governance and the swap halt.

use bankrun_terra::market::{MAX_OFFER_BITS, SWAP_DISABLE_FORK_HEIGHT};
use bankrun_terra::{Dec, DecError, Denom, Market, MarketParams, OracleRates, TerraError};

fn d(s: &str) -> Dec {
    s.parse().expect("valid decimal")
}

/// `n` SDR in usdr micro-units.
fn sdr(n: i128) -> Dec {
    Dec::from_int(n * 1_000_000)
}

/// LUNA = 70 USD = 50 SDR, so 1 SDR = 1.4 USD and 1.4 M UST is exactly 1 M SDR.
fn t_rates() -> OracleRates {
    OracleRates::new()
        .with_rate(Denom::Uusd, Dec::from_int(70))
        .with_rate(Denom::Usdr, Dec::from_int(50))
}

const OFFER_1M_SDR_IN_UUSD: u128 = 1_400_000_000_000;

fn may_2022() -> Market {
    Market::new(MarketParams::columbus5_may_2022()).expect("valid params")
}

/// `|x·den − num| ≤ tol` in atto-units: `x` is within `tol/den` ulp of `num/den`.
fn close_to_ratio(x: Dec, num: i64, den: i64, tol_atto: i128) -> bool {
    let lhs = x
        .mul_int64(den)
        .and_then(|v| v.checked_sub(Dec::from_int(num.into())));
    match lhs.map(|v| v.abs().atto_i128()) {
        Ok(Some(diff)) => diff <= tol_atto,
        _ => false,
    }
}

#[test]
fn t1_base_pool_50m_delta_0() {
    let m = may_2022();
    let q = m
        .quote(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &t_rates())
        .expect("quote");
    println!(
        "T1: base_offer {} usdr, ret {} uluna, ask_base {:?} usdr, spread {}",
        q.base_offer, q.ret, q.ask_base, q.spread
    );
    assert_eq!(q.base_offer, sdr(1_000_000));
    assert_eq!(q.ret, Dec::from_int(20_000_000_000)); // 20,000 LUNA
    // askBase = 5e13 − 2.5e27/5.1e13 = 980,392.156862745… SDR (exact: 1e12·50/51)
    assert_eq!(q.ask_base, Some(d("980392156862.745098039215686275")));
    // spread = 1/51 = 1.9608 %
    assert_eq!(q.spread.to_string(), "0.019607843137254902");
    assert!(close_to_ratio(q.spread, 1, 51, 51));
    assert_eq!(
        m.compute_swap(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &t_rates()),
        Ok((q.ret, q.spread))
    );
}

#[test]
fn t2_delta_plus_20m_sdr() {
    let mut m = may_2022();
    m.set_terra_pool_delta(sdr(20_000_000));
    let q = m
        .quote(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &t_rates())
        .expect("quote");
    println!("T2: ask_base {:?} usdr, spread {}", q.ask_base, q.spread);
    // askBase = 2.5e27/7e13 − 2.5e27/7.1e13 = 503,018.1… SDR
    assert_eq!(q.ask_base, Some(d("503018108651.911468812877263582")));
    // spread = 1 − 2500/(70·71) = 247/497 = 49.70 %
    assert_eq!(q.spread.to_string(), "0.496981891348088531");
    assert!(close_to_ratio(q.spread, 247, 497, 497 * 2));
}

#[test]
fn t3_base_pool_100m_prop_1164() {
    let mut m = may_2022();
    m.apply_prop_1164().expect("valid");
    assert_eq!(m.params().base_pool, sdr(100_000_000));
    assert_eq!(m.params().pool_recovery_period, 18);
    let q = m
        .quote(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &t_rates())
        .expect("quote");
    println!("T3: ask_base {:?} usdr, spread {}", q.ask_base, q.spread);
    assert_eq!(q.ask_base, Some(d("990099009900.990099009900990099")));
    // spread = 1/101 = 0.9901 %
    assert_eq!(q.spread.to_string(), "0.009900990099009901");
    assert!(close_to_ratio(q.spread, 1, 101, 101));
}

#[test]
fn t1_swap_execution_and_supply_accounting() {
    let mut m = may_2022();
    let o = m
        .swap(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &t_rates())
        .expect("swap");
    println!(
        "T1 swap: fee {} out {} swap_coin {} fee_coin {} minted {}",
        o.fee, o.out, o.swap_coin, o.fee_coin, o.minted
    );
    // fee = 0.019607843137254902 · 2e10 = 392,156,862.74509804 uluna
    assert_eq!(o.fee, d("392156862.745098040000000000"));
    assert_eq!(o.out, d("19607843137.254901960000000000"));
    assert_eq!(o.swap_coin, 19_607_843_137);
    // trunc(392,156,862.74509804 + 0.25490196) = 392,156,863
    assert_eq!(o.fee_coin, 392_156_863);
    assert_eq!(o.minted, 20_000_000_000);
    assert_eq!(o.pool_delta_change, sdr(1_000_000));
    assert_eq!(m.terra_pool_delta(), sdr(1_000_000));
    let t = m.totals();
    assert_eq!(t.terra_burned, OFFER_1M_SDR_IN_UUSD);
    assert_eq!(t.luna_minted, 20_000_000_000);
    assert_eq!(t.luna_to_oracle_pool, 392_156_863);
    assert_eq!(
        (t.luna_burned, t.terra_minted, t.terra_to_oracle_pool),
        (0, 0, 0)
    );

    // The reverse swap now sees TerraPool = 51 M SDR: spread below the floor, 0.5 %.
    let o2 = m
        .swap(Denom::Uluna, 10_000_000_000, Denom::Uusd, &t_rates())
        .expect("swap back");
    // ret = 1e10 · 70 = 7e11 uusd; fee = 0.5 % of it.
    assert_eq!(o2.ret, Dec::from_int(700_000_000_000));
    assert_eq!(o2.spread, d("0.005"));
    assert_eq!(o2.swap_coin, 696_500_000_000);
    assert_eq!(o2.fee_coin, 3_500_000_000);
    // delta −= base(out) = 6.965e11 · 50 / 70 = 4.975e11 usdr
    assert_eq!(o2.pool_delta_change, -sdr(497_500));
    assert_eq!(m.terra_pool_delta(), sdr(502_500));
    let t = m.totals();
    assert_eq!(t.luna_burned, 10_000_000_000);
    assert_eq!(t.terra_minted, 700_000_000_000);
    assert_eq!(t.terra_to_oracle_pool, 3_500_000_000);
}

#[test]
fn replenish_decays_geometrically_with_truncation() {
    let mut m = may_2022();
    let d0 = sdr(20_000_000);
    m.set_terra_pool_delta(d0);
    m.replenish_pools().expect("replenish");
    // 2e31 atto / 36 = 555…555.5 → truncated
    assert_eq!(m.terra_pool_delta(), d("19444444444444.444444444444444445"));
    for _ in 1..36 {
        m.replenish_pools().expect("replenish");
    }
    // (35/36)^36 = 0.3628…; truncation keeps it within a few atto of the real value
    let expect = 20_000_000.0e6 * (35.0f64 / 36.0).powi(36);
    let got = m.terra_pool_delta().to_f64();
    println!("delta after 36 blocks: {got} usdr (continuous {expect})");
    assert!((got - expect).abs() / expect < 1e-12);
    // negative deltas decay toward zero too (QuoInt64 truncates toward zero)
    m.set_terra_pool_delta(Dec::from_atto_i128(-71));
    m.replenish_pools().expect("replenish");
    assert_eq!(m.terra_pool_delta(), Dec::from_atto_i128(-70));
    m.set_terra_pool_delta(Dec::from_atto_i128(-35));
    m.replenish_pools().expect("replenish");
    assert_eq!(
        m.terra_pool_delta(),
        Dec::from_atto_i128(-35),
        "|delta| < PRP atto never decays"
    );
}

// ---- ports of the Go tests (classic-terra/core v0.5.18) ----

/// A simple deterministic generator standing in for Go's `math/rand`.
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 1
}

fn test_input_rates() -> OracleRates {
    OracleRates::new().with_rate(Denom::Usdr, d("1.7"))
}

/// `swap_test.go` `TestApplySwapToPool`.
#[test]
fn go_apply_swap_to_pool() {
    let mut m = Market::new(MarketParams::code_default()).expect("params");
    let rates = test_input_rates();
    m.apply_swap_to_pool(Denom::Uluna, 1000, Denom::Usdr, Dec::from_int(1700), &rates)
        .expect("apply");
    assert_eq!(m.terra_pool_delta(), Dec::from_int(-1700));
    m.apply_swap_to_pool(Denom::Usdr, 1700, Denom::Uluna, Dec::from_int(1000), &rates)
        .expect("apply");
    assert_eq!(m.terra_pool_delta(), Dec::ZERO);
    m.apply_swap_to_pool(Denom::Usdr, 1700, Denom::Ukrw, Dec::from_int(3400), &rates)
        .expect("apply");
    assert_eq!(m.terra_pool_delta(), Dec::ZERO);
}

/// `swap_test.go` `TestComputeSwap`.
#[test]
fn go_compute_swap() {
    let m = Market::new(MarketParams::code_default()).expect("params");
    let price = d("1.7");
    let rates = test_input_rates();
    let mut s = 42;
    for _ in 0..100 {
        let k = (lcg(&mut s) % 10_000 + 2) as i64;
        let offer = price
            .mul_int64(k)
            .expect("mul")
            .truncate_u128()
            .expect("int");
        let (ret, spread) = m
            .compute_swap(Denom::Usdr, offer, Denom::Uluna, &rates)
            .expect("swap");
        assert!(spread >= m.params().min_stability_spread);
        assert_eq!(ret, Dec::from_u128(offer).checked_quo(price).expect("quo"));
    }
    let offer = price
        .quo_int64(2)
        .expect("quo")
        .truncate_u128()
        .expect("int");
    assert_eq!(
        m.compute_swap(Denom::Usdr, offer, Denom::Uluna, &rates),
        Err(TerraError::InvalidCoins(
            "internal swap result is not positive"
        ))
    );
}

/// `swap_test.go` `TestComputeInternalSwap`.
#[test]
fn go_compute_internal_swap() {
    let price = d("1.7");
    let rates = test_input_rates();
    let mut s = 7;
    let mut ks: Vec<i64> = (0..100).map(|_| (lcg(&mut s) >> 1) as i64).collect();
    ks.push(i64::MAX - 1);
    for k in ks {
        let offer = price.mul_int64(k + 1).expect("mul").truncate_dec();
        let ret = bankrun_terra::compute_internal_swap(Denom::Usdr, offer, Denom::Uluna, &rates)
            .expect("swap");
        assert_eq!(ret, offer.checked_quo(price).expect("quo"));
    }
    let offer = price.quo_int64(2).expect("quo").truncate_dec();
    assert!(matches!(
        bankrun_terra::compute_internal_swap(Denom::Usdr, offer, Denom::Uluna, &rates),
        Err(TerraError::InvalidCoins(_))
    ));
}

/// `swap_test.go` `TestIlliquidTobinTaxListParams`.
#[test]
fn go_illiquid_tobin_tax() {
    let mut m = Market::new(MarketParams::code_default()).expect("params");
    let rates = test_input_rates().with_rate(Denom::Umnt, d("765.2"));
    let tobin = Dec::with_prec(25, 4).expect("dec");
    m.set_tobin_tax(Denom::Usdr, tobin).expect("tax");
    m.set_tobin_tax(Denom::Umnt, tobin.mul_int64(2).expect("mul"))
        .expect("tax");
    let offer = d("1.7")
        .mul_int64(1234)
        .expect("mul")
        .truncate_u128()
        .expect("int");
    let (_, spread) = m
        .compute_swap(Denom::Usdr, offer, Denom::Umnt, &rates)
        .expect("swap");
    assert_eq!(spread, d("0.005"));
    // a denom without a Tobin tax
    let mut p = m.params().clone();
    p.tobin_tax.remove(&Denom::Ukrw);
    m.set_params(p).expect("params");
    let rates = rates.with_rate(Denom::Ukrw, d("1700"));
    assert_eq!(
        m.compute_swap(Denom::Usdr, offer, Denom::Ukrw, &rates),
        Err(TerraError::NoTobinTax(Denom::Ukrw))
    );
}

/// `handler_test.go` `setup`: default params, usdr and ukrw at 1700 per LUNA.
fn handler_setup() -> (Market, OracleRates) {
    let m = Market::new(MarketParams::code_default()).expect("params");
    let rates = OracleRates::new()
        .with_rate(Denom::Usdr, Dec::from_int(1700))
        .with_rate(Denom::Ukrw, Dec::from_int(1700));
    (m, rates)
}

/// `handler_test.go` `TestSwapMsg`.
#[test]
fn go_swap_msg() {
    let (mut m, rates) = handler_setup();
    m.set_min_stability_spread(Dec::ZERO).expect("param");
    let before = m.terra_pool_delta();
    m.swap(Denom::Uluna, 10, Denom::Usdr, &rates).expect("swap");
    let diff = before.checked_sub(m.terra_pool_delta()).expect("sub");
    let bp = m.params().base_pool;
    let cp = bp.checked_mul(bp).expect("mul");
    let terra_pool = bp.checked_add(before).expect("add");
    let luna_pool = cp.checked_quo(terra_pool).expect("quo");
    let price = Dec::from_int(1700);
    let estimated = terra_pool
        .checked_sub(
            cp.checked_quo(
                luna_pool
                    .checked_add(price.mul_int64(10).expect("m"))
                    .expect("a"),
            )
            .expect("q"),
        )
        .expect("s");
    assert!(estimated.checked_sub(diff.abs()).expect("s") <= d("0.000001"));
    assert!(diff.is_positive());

    assert_eq!(
        m.swap(Denom::Uluna, 10, Denom::Uluna, &rates),
        Err(TerraError::RecursiveSwap(Denom::Uluna))
    );

    m.set_tobin_tax(Denom::Ukrw, Dec::ZERO).expect("tax");
    m.set_tobin_tax(Denom::Usdr, Dec::ZERO).expect("tax");
    let o = m
        .swap(Denom::Usdr, 10, Denom::Ukrw, &rates)
        .expect("terra swap");
    assert_eq!(
        (o.swap_coin, o.fee_coin, o.pool_delta_change),
        (10, 0, Dec::ZERO)
    );
}

/// `handler_test.go` `TestSwapSendMsg`.
#[test]
fn go_swap_send_msg() {
    let (mut m, rates) = handler_setup();
    let (ret, spread) = m
        .compute_swap(Denom::Uluna, 10, Denom::Usdr, &rates)
        .expect("compute");
    let expected = ret
        .checked_mul(Dec::ONE.checked_sub(spread).expect("s"))
        .expect("m")
        .truncate_u128()
        .expect("int");
    let o = m.swap(Denom::Uluna, 10, Denom::Usdr, &rates).expect("swap");
    assert_eq!(o.swap_coin, expected);
    assert_eq!(o.swap_coin, 16_660); // 17,000 less the 2 % floor
}

/// `handler_test.go` `TestSwapMsg_FailZeroReturn` (v0.5.20).
#[test]
fn go_swap_msg_fail_zero_return() {
    let (mut m, rates) = handler_setup();
    assert_eq!(SWAP_DISABLE_FORK_HEIGHT, 7_607_790);
    m.activate_swap_disable_fork();
    assert_eq!(m.params().min_stability_spread, Dec::ONE);
    let before = m.clone();
    assert_eq!(
        m.swap(Denom::Uluna, 10, Denom::Usdr, &rates),
        Err(TerraError::ZeroSwapCoin)
    );
    assert_eq!(m, before);
}

/// `abci_test.go` `TestReplenishPools`.
#[test]
fn go_abci_replenish_pools() {
    let mut m = Market::new(MarketParams::code_default()).expect("params");
    m.set_terra_pool_delta(Dec::with_prec(17_987_573_223_725_367, 3).expect("dec"));
    for _ in 0..100 {
        let delta = m.terra_pool_delta();
        let regression = delta
            .quo_int64(m.params().pool_recovery_period)
            .expect("quo");
        m.replenish_pools().expect("replenish");
        assert_eq!(
            m.terra_pool_delta(),
            delta.checked_sub(regression).expect("sub")
        );
        assert!(m.terra_pool_delta() < delta);
    }
}

/// `keeper_test.go` `TestReplenishPools` (positive and negative delta).
#[test]
fn go_keeper_replenish_pools() {
    let mut m = Market::new(MarketParams::code_default()).expect("params");
    assert!(m.terra_pool_delta().is_zero());
    let diff = m.params().base_pool.quo_int64(14_400).expect("quo");
    for start in [diff, -diff] {
        m.set_terra_pool_delta(start);
        m.replenish_pools().expect("replenish");
        let expect = start
            .checked_sub(start.quo_int64(14_400).expect("quo"))
            .expect("sub");
        assert_eq!(m.terra_pool_delta(), expect);
        assert!(m.terra_pool_delta().abs() < start.abs());
    }
}

// ---- the v0.5.20 halt, validation, atomicity ----

#[test]
fn swap_halt_by_min_spread_one() {
    // Before the fork rule, a 100 % spread swap succeeds and pays the trader nothing.
    let mut m = may_2022();
    m.set_min_stability_spread(Dec::ONE).expect("param");
    let o = m
        .swap(Denom::Uusd, 1_000_000, Denom::Uluna, &t_rates())
        .expect("pre-fork swap succeeds");
    assert_eq!(o.swap_coin, 0);
    assert_eq!(o.fee_coin, o.minted);
    assert_eq!(Dec::from_u128(o.minted), o.ret.truncate_dec());

    let mut m = may_2022();
    m.activate_swap_disable_fork();
    let rates = t_rates();
    let before = m.clone();
    assert_eq!(
        m.swap(Denom::Uusd, OFFER_1M_SDR_IN_UUSD, Denom::Uluna, &rates),
        Err(TerraError::ZeroSwapCoin)
    );
    assert_eq!(
        m.swap(Denom::Uluna, 1_000_000, Denom::Usdr, &rates),
        Err(TerraError::ZeroSwapCoin)
    );
    assert_eq!(
        m.swap(Denom::Uluna, 1_000_000, Denom::Uusd, &rates),
        Err(TerraError::InvalidCoins(
            "internal swap result is not positive"
        ))
    );
    assert_eq!(m, before);
    // Terra⇄Terra swaps pay only the Tobin tax and still work.
    let o = m
        .swap(Denom::Uusd, 1_400_000, Denom::Usdr, &rates)
        .expect("terra swap");
    assert_eq!(o.spread, d("0.0025"));
    assert_eq!(o.swap_coin, 997_500);
}

#[test]
fn validate_basic_and_oracle_errors() {
    let mut m = may_2022();
    let rates = t_rates();
    let before = m.clone();
    let max_ok = (1u128 << MAX_OFFER_BITS) - 1;
    assert!(matches!(
        m.swap(Denom::Uusd, 0, Denom::Uluna, &rates),
        Err(TerraError::InvalidCoins(_))
    ));
    assert!(matches!(
        m.swap(Denom::Uusd, max_ok + 1, Denom::Uluna, &rates),
        Err(TerraError::InvalidCoins(_))
    ));
    assert!(matches!(
        m.simulate_swap(Denom::Uusd, max_ok + 1, Denom::Uluna, &rates),
        Err(TerraError::InvalidCoins(_))
    ));
    assert_eq!(
        m.swap(Denom::Ukrw, 10, Denom::Uluna, &rates),
        Err(TerraError::NoEffectivePrice(Denom::Ukrw))
    );
    let no_sdr = OracleRates::new().with_rate(Denom::Uusd, Dec::from_int(70));
    assert_eq!(
        m.swap(Denom::Uusd, 10, Denom::Uluna, &no_sdr),
        Err(TerraError::NoEffectivePrice(Denom::Usdr))
    );
    let zero_rate = t_rates().with_rate(Denom::Uusd, Dec::ZERO);
    assert_eq!(
        m.swap(Denom::Uusd, 10, Denom::Uluna, &zero_rate),
        Err(TerraError::Math(DecError::DivisionByZero))
    );
    assert_eq!(m, before);
    // The largest valid offer goes through (a very large swap; the pool absorbs it).
    let o = m
        .swap(Denom::Uusd, max_ok, Denom::Uluna, &rates)
        .expect("100-bit offer");
    assert!(o.spread > d("0.999"));
    assert!(Dec::from_u128(o.minted) <= o.ret);
}

#[test]
fn simulate_matches_swap() {
    let mut m = may_2022();
    m.set_terra_pool_delta(sdr(-3_000_000));
    let rates = t_rates();
    for (offer, amount, ask) in [
        (Denom::Uusd, 12_345_678_901u128, Denom::Uluna),
        (Denom::Uluna, 98_765_432_109, Denom::Uusd),
        (Denom::Uusd, 5_555_555, Denom::Usdr),
    ] {
        let sim = m.simulate_swap(offer, amount, ask, &rates).expect("sim");
        let o = m.clone().swap(offer, amount, ask, &rates).expect("swap");
        assert_eq!(sim, o.swap_coin);
    }
}

#[test]
fn params_validation() {
    let mut m = may_2022();
    let before = m.clone();
    assert!(m.set_base_pool(Dec::from_int(-1)).is_err());
    assert!(m.set_pool_recovery_period(0).is_err());
    assert!(m.set_pool_recovery_period(-36).is_err());
    assert!(
        m.set_min_stability_spread(d("1.000000000000000001"))
            .is_err()
    );
    assert!(m.set_min_stability_spread(d("-0.01")).is_err());
    assert!(m.set_tobin_tax(Denom::Uluna, d("0.01")).is_err());
    assert!(m.set_tobin_tax(Denom::Uusd, d("1.5")).is_err());
    assert_eq!(m, before);
    m.set_base_pool(sdr(75_000_000)).expect("ok");
    m.set_pool_recovery_period(24).expect("ok");
    assert_eq!(m.params().base_pool, sdr(75_000_000));
    assert_eq!(m.params().pool_recovery_period, 24);
    assert!(
        Market::new(MarketParams {
            pool_recovery_period: 0,
            ..MarketParams::code_default()
        })
        .is_err()
    );
    let p = MarketParams::code_default();
    assert_eq!(p.base_pool, sdr(1_000_000));
    assert_eq!(p.pool_recovery_period, 14_400);
    assert_eq!(p.min_stability_spread, d("0.02"));
    assert_eq!(p.tobin_tax.get(&Denom::Umnt), Some(&d("0.02")));
}

#[test]
fn denom_strings() {
    for dn in [
        Denom::Uluna,
        Denom::Uusd,
        Denom::Usdr,
        Denom::Ukrw,
        Denom::Umnt,
    ] {
        assert_eq!(dn.as_str().parse::<Denom>(), Ok(dn));
        assert_eq!(dn.to_string(), dn.as_str());
    }
    assert!("ueur".parse::<Denom>().is_err());
}
