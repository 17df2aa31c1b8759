//! Overseer epoch operations (the yield-reserve subsidy at the May 2022 scale) and the
//! dynamic deposit rate.

use bankrun_anchor::params::{self, per_block_to_yearly, yearly_to_per_block};
use bankrun_anchor::{
    AnchorError, BLOCKS_PER_YEAR, Decimal256, Market, Overseer, TerraTax, U256, Uint256,
};
use proptest::prelude::*;

const UST: u128 = 1_000_000;
const BLOCK0: u64 = 7_500_000;

fn u(x: u128) -> Uint256 {
    Uint256::from(x)
}

fn to_f64(d: Decimal256) -> f64 {
    d.atomics().to::<u128>() as f64 / 1e18
}

fn ust(x: Uint256) -> f64 {
    x.0.to::<u128>() as f64 / 1e6
}

/// 6 May 2022 (terra-anchor-2022-05.md): deposits 14.0 B UST, borrows 2.9 B UST, yield
/// reserve 190 M UST (midpoint of the derived 180–200 M); aUST at 1.2 (assumption); the
/// overseer's epoch state in step with the market; May 2022 parameters (threshold = target =
/// 18 % APY).
fn may_2022() -> (Market, Overseer) {
    let m = Market::with_totals(
        BLOCK0,
        u(14_000_000_000 * UST),
        u(2_900_000_000 * UST),
        Decimal256::permille(1_200),
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
    o.balance = u(190_000_000 * UST);
    o.epoch_state.prev_aterra_supply = m.aterra_supply;
    o.epoch_state.prev_exchange_rate = m.state.prev_exchange_rate;
    o.epoch_state.prev_interest_buffer = o.balance;
    o.dynrate_state.prev_yield_reserve = Decimal256::from_uint256(o.balance).unwrap();
    (m, o)
}

/// Borrow rate and the deposit rate it earns, per block, from the spec formulas in f64:
/// `rb = (L/D)·multiplier + base`; depositors earn `L·rb/D` a block.
fn earned_per_block(d: f64, l: f64) -> f64 {
    let rb = (l / d) * 0.000000085601728176 + 0.000000004076272770;
    l * rb / d
}

#[test]
fn first_epoch_subsidy_is_the_missing_yield() {
    let (mut m, mut o) = may_2022();
    let n = o.config.epoch_period;
    let threshold = o.config.threshold_deposit_rate;
    let r = o
        .execute_epoch_operations(&mut m, BLOCK0 + n, Uint256::ZERO)
        .unwrap();
    // earned deposit rate: 2.9/14·(2.9/14·8.56e-8 + 4.08e-9) = 4.517e-9 a block (2.10 % a year)
    let earned = earned_per_block(14.0e9, 2.9e9);
    let got = to_f64(r.deposit_rate);
    assert!((got - earned).abs() / earned < 1e-6, "{got} vs {earned}");
    assert!(r.deposit_rate < threshold);
    // exact formula: ⌊⌊⌊supply·rate⌋·n⌋·(threshold − deposit_rate)⌋, below the 10 % buffer cap
    let prev_deposits = o_prev_deposits(&m);
    let missing = prev_deposits
        .checked_mul(Uint256::from(n))
        .unwrap()
        .mul_dec(threshold.checked_sub(r.deposit_rate).unwrap())
        .unwrap();
    assert_eq!(r.distributed_gross, missing);
    assert_eq!(r.distributed_interest, missing); // no tax
    // ≈ 14e9·1681·(3.8653e-8 − 4.517e-9) = 803 k UST per epoch
    let expect = 14.0e9 * n as f64 * (to_f64(threshold) - earned);
    assert!((ust(missing) - expect).abs() / expect < 1e-6);
    assert!(
        (ust(missing) - 803_000.0).abs() < 2_000.0,
        "{}",
        ust(missing)
    );
    // the reserve paid it, the market got it
    assert_eq!(
        o.balance,
        u(190_000_000 * UST).checked_sub(missing).unwrap()
    );
    // depositors earn the threshold over the epoch once the subsidy is in
    let e = to_f64(r.epoch_deposit_rate);
    assert!(
        (e - to_f64(threshold)).abs() / to_f64(threshold) < 1e-6,
        "{e}"
    );
    assert_eq!(r.anc_purchase_amount, Uint256::ZERO);
    assert_eq!(r.swept_reserves, Uint256::ZERO);
    assert!(!r.deposit_rate_updated);
}

/// `⌊prev_aterra_supply·prev_exchange_rate⌋` of the starting state (= the market's).
fn o_prev_deposits(m: &Market) -> Uint256 {
    // the starting market was built with prev = current at BLOCK0; supply unchanged since
    m.aterra_supply.mul_dec(exchange_rate_at_start()).unwrap()
}

fn exchange_rate_at_start() -> Decimal256 {
    may_2022().0.state.prev_exchange_rate
}

/// One day of epochs at 14 B UST deposits. The computation, per block: borrow rate
/// `0.2071·8.5602e-8 + 4.0763e-9 = 2.1808e-8` (10.2 % a year); depositors earn
/// `2.9/14·2.1808e-8 = 4.517e-9` (2.10 % a year); the 18 % threshold is `3.8653e-8`; the
/// subsidy is `14e9·(3.8653e-8 − 4.517e-9) = 478 UST` a block, `× 12,758` blocks a day
/// (`4,656,810/365`) ≈ **6.1 M UST a day** (6.6 M at 19.5 %), gross of bAsset rewards. The
/// observed drain was ~2 M/day in February 2022 (smaller book) and 323 → 176 M UST over the
/// 30 days to 9 May (≈ 4.9 M/day net of rewards and including two run days):
/// terra-anchor-2022-05.md.
fn daily_drain(threshold_apy: Decimal256) -> (f64, Market, Overseer, Uint256) {
    let (mut m, mut o) = may_2022();
    let rate = yearly_to_per_block(threshold_apy).unwrap();
    o.config.threshold_deposit_rate = rate;
    o.config.target_deposit_rate = rate;
    let n = o.config.epoch_period;
    let mut paid = Uint256::ZERO;
    let mut got = Uint256::ZERO;
    for k in 1..=8 {
        let r = o
            .execute_epoch_operations(&mut m, BLOCK0 + k * n, Uint256::ZERO)
            .unwrap();
        paid = paid.checked_add(r.distributed_gross).unwrap();
        got = got.checked_add(r.distributed_interest).unwrap();
        assert_eq!(r.anc_purchase_amount, Uint256::ZERO);
    }
    let blocks_per_day = BLOCKS_PER_YEAR as f64 / 365.0;
    let per_day = ust(paid) / (8.0 * n as f64) * blocks_per_day;
    // every uusd that left the reserve reached the market
    assert_eq!(paid, got);
    assert_eq!(o.balance, u(190_000_000 * UST).checked_sub(paid).unwrap());
    (per_day, m, o, paid)
}

#[test]
fn a_day_of_subsidy_drains_millions_from_the_yield_reserve() {
    let (per_day, m, o, _) = daily_drain(Decimal256::percent(18));
    let blocks_per_day = BLOCKS_PER_YEAR as f64 / 365.0;
    let thr = 0.18 / BLOCKS_PER_YEAR as f64;
    let expect = 14.0e9 * (thr - earned_per_block(14.0e9, 2.9e9)) * blocks_per_day;
    assert!(
        (per_day - expect).abs() / expect < 1e-3,
        "{per_day} vs {expect}"
    );
    assert!((5.9e6..6.3e6).contains(&per_day), "{per_day}");
    // depositors were paid 18 % a year: exchange rate over 8 epochs ≈ (1 + 8·1681·thr)
    let start = to_f64(exchange_rate_at_start());
    let end = to_f64(m.state.prev_exchange_rate);
    let growth = end / start - 1.0;
    let want = 8.0 * o.config.epoch_period as f64 * thr;
    assert!((growth - want).abs() / want < 1e-3, "{growth} vs {want}");

    let (per_day_195, ..) = daily_drain(Decimal256::permille(195));
    assert!((6.4e6..6.9e6).contains(&per_day_195), "{per_day_195}");
}

#[test]
fn buffer_distribution_factor_caps_the_subsidy() {
    let (mut m, mut o) = may_2022();
    o.balance = u(1_000_000 * UST);
    o.epoch_state.prev_interest_buffer = o.balance;
    let r = o
        .execute_epoch_operations(&mut m, BLOCK0 + 1_681, Uint256::ZERO)
        .unwrap();
    // ~803 k UST missing, but at most 10 % of 1 M UST
    assert_eq!(r.distributed_gross, u(100_000 * UST));
    assert_eq!(o.balance, u(900_000 * UST));
    assert!(to_f64(r.epoch_deposit_rate) < to_f64(o.config.threshold_deposit_rate));
}

#[test]
fn new_inflow_is_partly_sent_to_anc_purchase() {
    let (mut m, mut o) = may_2022();
    // 1 M UST of bAsset rewards arrive in epoch 1 (after the subsidy decision)
    let r1 = o
        .execute_epoch_operations(&mut m, BLOCK0 + 1_681, u(1_000_000 * UST))
        .unwrap();
    // the stored buffer excludes them
    assert_eq!(
        o.epoch_state.prev_interest_buffer,
        u(190_000_000 * UST)
            .checked_sub(r1.distributed_gross)
            .unwrap()
    );
    let before = o.balance;
    let r2 = o
        .execute_epoch_operations(&mut m, BLOCK0 + 2 * 1_681, Uint256::ZERO)
        .unwrap();
    // next epoch: 10 % (anc_purchase_factor, assumption) of the 1 M inflow goes to the
    // collector
    assert_eq!(r2.anc_purchase_amount, u(100_000 * UST));
    assert_eq!(
        o.balance,
        before
            .checked_sub(u(100_000 * UST))
            .unwrap()
            .checked_sub(r2.distributed_gross)
            .unwrap()
    );
}

#[test]
fn epoch_not_passed_changes_nothing() {
    let (mut m, mut o) = may_2022();
    let (m0, o0) = (m.clone(), o.clone());
    assert_eq!(
        o.execute_epoch_operations(&mut m, BLOCK0 + 1_680, Uint256::ZERO),
        Err(AnchorError::EpochNotPassed(BLOCK0))
    );
    assert_eq!((m, o), (m0, o0));
}

#[test]
fn excess_yield_is_swept_when_the_market_earns_above_target() {
    // a 1 % target with 2.1 % earned: the market keeps the excess as reserves and the
    // epoch sweeps them out; no subsidy
    let (mut m, mut o) = may_2022();
    let one = yearly_to_per_block(Decimal256::percent(1)).unwrap();
    o.config.threshold_deposit_rate = one;
    o.config.target_deposit_rate = one;
    let r = o
        .execute_epoch_operations(&mut m, BLOCK0 + 1_681, Uint256::ZERO)
        .unwrap();
    assert_eq!(r.distributed_gross, Uint256::ZERO);
    // reserves ≈ 14e9·1681·(4.517e-9 − 1/4,656,810) ≈ 55.7 k UST
    let expect = 14.0e9 * 1681.0 * (earned_per_block(14.0e9, 2.9e9) - 0.01 / 4_656_810.0);
    assert!(
        (ust(r.swept_reserves) - expect).abs() / expect < 1e-4,
        "{}",
        ust(r.swept_reserves)
    );
    assert_eq!(m.swept_reserves, r.swept_reserves);
    assert!(m.state.total_reserves < Decimal256::ONE);
    // and depositors earned the 1 % target
    assert!((to_f64(r.epoch_deposit_rate) - to_f64(one)).abs() / to_f64(one) < 1e-6);
}

/// Per-block 18 % (the 1 May 2022 rate).
fn r18() -> Decimal256 {
    params::deposit_rate_may_2022()
}

/// Overseer at rate `rate` whose dyn-rate epoch is due at `BLOCK0`, prev reserve `prev` UST
/// and reserve now `now` UST.
fn dyn_overseer(rate: Decimal256, prev: u128, now: u128) -> Overseer {
    let mut o = Overseer::new(
        BLOCK0 - 388_068,
        params::overseer_config(),
        params::dynrate_config(),
        TerraTax::ZERO,
    );
    o.config.threshold_deposit_rate = rate;
    o.config.target_deposit_rate = rate;
    o.dynrate_state.prev_yield_reserve = Decimal256::from_uint256(u(prev * UST)).unwrap();
    o.balance = u(now * UST);
    o
}

/// `⌊(rate·B ± Δ)/B⌋` in atoms, computed directly (Δ in atoms of the yearly rate).
fn expected_rate(rate: Decimal256, delta: i128) -> Decimal256 {
    let b = U256::from(BLOCKS_PER_YEAR);
    let yearly = rate.atomics() * b;
    let moved = if delta >= 0 {
        yearly + U256::from(delta as u128)
    } else {
        yearly - U256::from((-delta) as u128)
    };
    Decimal256::from_atomics(moved / b)
}

#[test]
fn dynamic_rate_moves_at_most_the_max_change() {
    // not yet due: one block early
    let mut o = dyn_overseer(r18(), 200_000_000, 100_000_000);
    assert!(!o.update_deposit_rate(BLOCK0 - 1).unwrap());
    assert_eq!(o.config.target_deposit_rate, r18());

    // reserve −50 %: change 0.5 + 0.001 capped at 0.015 → 16.5 %
    assert!(o.update_deposit_rate(BLOCK0).unwrap());
    assert_eq!(
        o.config.target_deposit_rate,
        expected_rate(r18(), -15_000_000_000_000_000)
    );
    assert_eq!(
        o.config.threshold_deposit_rate,
        o.config.target_deposit_rate
    );
    let apy = to_f64(per_block_to_yearly(o.config.target_deposit_rate).unwrap());
    assert!((apy - 0.165).abs() < 1e-9, "{apy}");
    assert_eq!(o.dynrate_state.last_executed_height, BLOCK0);
    assert_eq!(
        o.dynrate_state.prev_yield_reserve,
        Decimal256::from_uint256(u(100_000_000 * UST)).unwrap()
    );

    // reserve −0.5 %: 0.005 + 0.001 (expectation) = 0.006 → 17.4 %
    let mut o = dyn_overseer(r18(), 200_000_000, 199_000_000);
    o.update_deposit_rate(BLOCK0).unwrap();
    assert_eq!(
        o.config.target_deposit_rate,
        expected_rate(r18(), -6_000_000_000_000_000)
    );

    // reserve +0.05 %, below the 0.1 % expectation: the rate falls by 0.0005 → 17.95 %
    let mut o = dyn_overseer(r18(), 200_000_000, 200_100_000);
    o.update_deposit_rate(BLOCK0).unwrap();
    assert_eq!(
        o.config.target_deposit_rate,
        expected_rate(r18(), -500_000_000_000_000)
    );

    // reserve +1 %: +0.009 → 18.9 %
    let mut o = dyn_overseer(r18(), 200_000_000, 202_000_000);
    o.update_deposit_rate(BLOCK0).unwrap();
    assert_eq!(
        o.config.target_deposit_rate,
        expected_rate(r18(), 9_000_000_000_000_000)
    );
}

#[test]
fn dynamic_rate_clamps_to_15_and_20_percent() {
    let cfg = params::dynrate_config();
    // 19.5 % and the reserve +50 %: 21 % → 20 %
    let r195 = yearly_to_per_block(Decimal256::permille(195)).unwrap();
    let mut o = dyn_overseer(r195, 200_000_000, 300_000_000);
    o.update_deposit_rate(BLOCK0).unwrap();
    assert_eq!(o.config.target_deposit_rate, cfg.dyn_rate_max);
    assert!((to_f64(per_block_to_yearly(cfg.dyn_rate_max).unwrap()) - 0.20).abs() < 1e-9);

    // monthly re-evaluations while the reserve halves each month: 18 → 16.5 → 15 → 15
    let mut o = dyn_overseer(r18(), 400_000_000, 200_000_000);
    let mut seen = vec![];
    for k in 0..3u64 {
        o.update_deposit_rate(BLOCK0 + k * 388_068).unwrap();
        seen.push(to_f64(
            per_block_to_yearly(o.config.target_deposit_rate).unwrap(),
        ));
        o.balance = u(o.balance.0.to::<u128>() / 2);
    }
    assert!(
        (seen[0] - 0.165).abs() < 1e-9 && (seen[1] - 0.15).abs() < 1e-9,
        "{seen:?}"
    );
    assert_eq!(o.config.target_deposit_rate, cfg.dyn_rate_min);
    assert!((to_f64(per_block_to_yearly(cfg.dyn_rate_min).unwrap()) - 0.15).abs() < 1e-9);
}

#[test]
fn migration_sets_the_1_may_rate() {
    // before: 19.5 % (docs raw value); migrate with 18 % → both rates 18 %
    let mut o = Overseer::new(
        BLOCK0,
        params::overseer_config(),
        params::dynrate_config(),
        TerraTax::ZERO,
    );
    let r195: Decimal256 = "0.000000041874158490".parse().unwrap();
    o.config.threshold_deposit_rate = r195;
    o.config.target_deposit_rate = "0.000000044021551233".parse().unwrap();
    o.balance = u(300_000_000 * UST);
    let mut o2 = o.clone();
    o.migrate_dynrate(BLOCK0, params::dynrate_config(), r18())
        .unwrap();
    assert_eq!(o.config.target_deposit_rate, r18());
    assert_eq!(o.config.threshold_deposit_rate, r18());
    assert_eq!(
        o.dynrate_state.prev_yield_reserve,
        Decimal256::from_uint256(o.balance).unwrap()
    );
    // a proposed rate below the floor is lifted to the floor
    o2.migrate_dynrate(BLOCK0, params::dynrate_config(), Decimal256::ZERO)
        .unwrap();
    assert_eq!(
        o2.config.target_deposit_rate,
        params::dynrate_config().dyn_rate_min
    );
}

#[test]
fn dynamic_rate_update_inside_the_epoch_uses_the_old_target_for_the_market() {
    let (mut m, mut o) = may_2022();
    // due now; the reserve fell from 300 M to 190 M
    o.dynrate_state.last_executed_height = BLOCK0 + 1_681 - 388_068;
    o.dynrate_state.prev_yield_reserve = Decimal256::from_uint256(u(300_000_000 * UST)).unwrap();
    let r = o
        .execute_epoch_operations(&mut m, BLOCK0 + 1_681, Uint256::ZERO)
        .unwrap();
    assert!(r.deposit_rate_updated);
    assert_eq!(
        r.target_deposit_rate,
        expected_rate(r18(), -15_000_000_000_000_000)
    );
    // the subsidy and the stored epoch rate used 18 %
    let e = to_f64(r.epoch_deposit_rate);
    assert!((e - to_f64(r18())).abs() / to_f64(r18()) < 1e-6);
}

proptest! {
    #[test]
    fn dynamic_rate_bounded(apy_pm in 150u64..=200, prev in 1u128..1_000_000_000, now in 0u128..2_000_000_000) {
        let cfg = params::dynrate_config();
        let rate = yearly_to_per_block(Decimal256::permille(apy_pm)).unwrap();
        let mut o = dyn_overseer(rate, prev, now);
        o.update_deposit_rate(BLOCK0).unwrap();
        let new = o.config.target_deposit_rate;
        prop_assert!(new >= cfg.dyn_rate_min && new <= cfg.dyn_rate_max);
        // |new·B − rate·B| ≤ maxchange + B atoms (one floor division)
        let b = U256::from(BLOCKS_PER_YEAR);
        let (x, y) = (new.atomics() * b, rate.atomics() * b);
        let diff = if x > y { x - y } else { y - x };
        prop_assert!(diff <= cfg.dyn_rate_maxchange.atomics() + b);
    }
}
