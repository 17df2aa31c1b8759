//! Property tests over random action sequences: token conservation, virtual-balance
//! flow accounting, utilization bounds, index monotonicity, atomic reverts and the
//! liquidation rules.

mod common;
use bankrun_aave::{AssetId, Pool, PoolError, U256, UserId};
use bankrun_math::RAY;
use bankrun_math::percentage::percent_mul;
use common::*;
use proptest::prelude::*;

const USERS: u32 = 5;
const ASSETS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Supply(UserId, AssetId, u64),
    Withdraw(UserId, AssetId, Option<u64>),
    Borrow(UserId, AssetId, u64),
    BorrowFrac(UserId, AssetId, u8),
    Repay(UserId, UserId, AssetId, Option<u64>),
    Advance(u64),
    Price(AssetId, u16),
    Liquidate(UserId, UserId, AssetId, AssetId, Option<u64>, bool),
    Collateral(UserId, AssetId, bool),
    CoverDeficit(UserId, AssetId, u64),
}

fn user() -> impl Strategy<Value = UserId> {
    0..USERS
}
fn asset() -> impl Strategy<Value = AssetId> {
    0..ASSETS
}
/// Amount in hundredths of a token.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..100, 100u64..500_000]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (user(), asset(), amount()).prop_map(|(u, a, x)| Op::Supply(u, a, x)),
        2 => (user(), asset(), proptest::option::of(amount())).prop_map(|(u, a, x)| Op::Withdraw(u, a, x)),
        2 => (user(), asset(), amount()).prop_map(|(u, a, x)| Op::Borrow(u, a, x)),
        4 => (user(), asset(), 50u8..=100).prop_map(|(u, a, f)| Op::BorrowFrac(u, a, f)),
        2 => (user(), asset(), proptest::option::of(amount())).prop_map(|(u, a, x)| Op::Repay(u, u, a, x)),
        1 => (user(), user(), asset(), proptest::option::of(amount())).prop_map(|(p, u, a, x)| Op::Repay(p, u, a, x)),
        2 => (1u64..40 * 86_400).prop_map(Op::Advance),
        3 => (asset(), 50u16..110).prop_map(|(a, pct)| Op::Price(a, pct)),
        6 => (user(), user(), asset(), asset(), proptest::option::of(amount()), any::<bool>())
            .prop_map(|(l, u, c, d, x, r)| Op::Liquidate(l, u, c, d, x, r)),
        1 => (user(), asset(), any::<bool>()).prop_map(|(u, a, on)| Op::Collateral(u, a, on)),
        1 => (user(), asset(), amount()).prop_map(|(u, a, x)| Op::CoverDeficit(u, a, x)),
    ]
}

fn hundredths(p: &Pool, a: AssetId, x: u64) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(p.reserve(a).config.decimals - 2))
}

struct Model {
    pool: Pool,
    now: u64,
    vbal: [U256; ASSETS],
    last_idx: [(U256, U256); ASSETS],
}

impl Model {
    fn new() -> Self {
        Model {
            pool: pool(),
            now: T0,
            vbal: [U256::ZERO; ASSETS],
            last_idx: [(RAY, RAY); ASSETS],
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), PoolError> {
        let t = self.now;
        match *op {
            Op::Supply(u, a, x) => {
                let amt = hundredths(&self.pool, a, x);
                self.pool.supply(t, u, a, amt)?;
                self.vbal[a] += amt;
            }
            Op::Withdraw(u, a, x) => {
                let amt = x.map_or(U256::MAX, |x| hundredths(&self.pool, a, x));
                let got = self.pool.withdraw(t, u, a, amt)?;
                self.vbal[a] -= got;
            }
            Op::Borrow(u, a, x) => {
                let amt = hundredths(&self.pool, a, x);
                self.pool.borrow(t, u, a, amt)?;
                self.vbal[a] -= amt;
            }
            Op::BorrowFrac(u, a, f) => {
                let avail = self.pool.user_account_data(t, u).available_borrows_base;
                let unit = U256::from(10u8).pow(U256::from(self.pool.reserve(a).config.decimals));
                let amt =
                    avail * U256::from(f) / U256::from(100u8) * unit / self.pool.asset_price(a);
                self.pool.borrow(t, u, a, amt)?;
                self.vbal[a] -= amt;
            }
            Op::Repay(payer, u, a, x) => {
                let amt = x.map_or(U256::MAX, |x| hundredths(&self.pool, a, x));
                let paid = self.pool.repay(t, payer, u, a, amt)?;
                self.vbal[a] += paid;
            }
            Op::Advance(dt) => self.now += dt,
            Op::Price(a, pct) => {
                let p = self.pool.asset_price(a) * U256::from(pct) / U256::from(100u8);
                self.pool.set_asset_price(a, p.max(U256::from(1u8)));
            }
            Op::Liquidate(l, u, c, d, x, receive) => self.liquidate(l, u, c, d, x, receive)?,
            Op::Collateral(u, a, on) => {
                self.pool.set_user_use_reserve_as_collateral(t, u, a, on)?
            }
            Op::CoverDeficit(u, a, x) => {
                let amt = hundredths(&self.pool, a, x);
                self.pool.eliminate_reserve_deficit(t, u, a, amt)?;
            }
        }
        Ok(())
    }

    fn liquidate(
        &mut self,
        l: UserId,
        u: UserId,
        c: AssetId,
        d: AssetId,
        x: Option<u64>,
        receive: bool,
    ) -> Result<(), PoolError> {
        let t = self.now;
        let (u, c, d) = self.pick_target(u, c, d);
        let amt = x.map_or(U256::MAX, |x| hundredths(&self.pool, d, x));
        let before = self.pool.user_account_data(t, u);
        let debt_before = self.pool.debt_balance(t, u, d);
        let coll_before = self.pool.supply_balance(t, u, c);
        let out = self.pool.liquidation_call(t, l, c, d, u, amt, receive)?;
        // a liquidation only ever happens below HF 1, with the HF seen before
        assert_eq!(out.health_factor_before, before.health_factor);
        assert!(out.health_factor_before < wad());
        assert!(out.debt_repaid <= debt_before && out.debt_repaid <= amt);
        assert!(out.collateral_to_liquidator + out.protocol_fee <= coll_before);
        let (pd, ud) = (
            self.pool.asset_price(d),
            U256::from(10u8).pow(U256::from(self.pool.reserve(d).config.decimals)),
        );
        let (pc, uc) = (
            self.pool.asset_price(c),
            U256::from(10u8).pow(U256::from(self.pool.reserve(c).config.decimals)),
        );
        let debt_base = (debt_before * pd).div_ceil(ud);
        let coll_base = coll_before * pc / uc;
        let big = U256::from(200_000_000_000u64);
        if before.health_factor > U256::from(950_000_000_000_000_000u128)
            && debt_base >= big
            && coll_base >= big
        {
            // close factor: at most 50 % of the total debt (in base currency)
            let half = percent_mul(before.total_debt_base, U256::from(5000u16)).unwrap();
            assert!(out.debt_repaid * pd / ud <= half);
        }
        self.vbal[d] += out.debt_repaid;
        if !receive {
            self.vbal[c] -= out.collateral_to_liquidator;
        }
        Ok(())
    }

    /// Steers a random liquidation towards an unhealthy user's actual positions (falls
    /// back to the raw random choice when nobody is liquidatable).
    fn pick_target(&self, u: UserId, c: AssetId, d: AssetId) -> (UserId, AssetId, AssetId) {
        let p = &self.pool;
        let bad: Vec<UserId> = (0..p.user_count() as u32)
            .filter(|&v| p.user_account_data(self.now, v).health_factor < wad())
            .collect();
        if bad.is_empty() {
            return (u, c, d);
        }
        let v = bad[u as usize % bad.len()];
        let acc = p.user(v).unwrap();
        let pick = |bm: u128, seed: usize| {
            let ids: Vec<usize> = (0..ASSETS).filter(|&i| bm & (1 << i) != 0).collect();
            if ids.is_empty() {
                seed
            } else {
                ids[seed % ids.len()]
            }
        };
        (
            v,
            pick(acc.collateral_bitmap, c),
            pick(acc.borrowing_bitmap, d),
        )
    }

    fn check(&mut self) {
        let p = &self.pool;
        let books = p.check_books(self.now);
        assert!(books.is_empty(), "{books:?}");
        for a in 0..ASSETS {
            let r = p.reserve(a);
            let (mut s, mut d) = (r.treasury_scaled, U256::ZERO);
            for u in 0..p.user_count() as u32 {
                let (su, du) = p.scaled_balances(u, a);
                s += su;
                d += du;
                let acc = p.user(u).unwrap();
                assert_eq!(
                    acc.is_borrowing(a),
                    !du.is_zero(),
                    "borrow flag of user {u} asset {a}"
                );
            }
            assert_eq!(s, r.scaled_total_supply, "aToken conservation, asset {a}");
            assert_eq!(
                d, r.scaled_total_variable_debt,
                "debt conservation, asset {a}"
            );
            assert_eq!(
                r.virtual_underlying_balance, self.vbal[a],
                "virtual balance flows, asset {a}"
            );
            assert!(p.utilization(self.now, a) <= RAY);
            let (li, vi) = (r.liquidity_index, r.variable_borrow_index);
            assert!(
                li >= self.last_idx[a].0 && vi >= self.last_idx[a].1,
                "indexes monotone"
            );
            assert!(p.normalized_income(self.now, a) >= li && p.normalized_debt(self.now, a) >= vi);
            self.last_idx[a] = (li, vi);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_invariants(ops in proptest::collection::vec(op(), 1..80)) {
        let mut m = Model::new();
        // seed liquidity so borrows and liquidations can happen
        for a in 0..ASSETS {
            m.apply(&Op::Supply(4, a, 10_000_000)).unwrap();
        }
        for op in &ops {
            let before = snapshot(&m.pool);
            let vbal = m.vbal;
            if m.apply(op).is_err() {
                prop_assert!(snapshot(&m.pool) == before, "failed op {:?} changed state", op);
                prop_assert_eq!(m.vbal, vbal);
            }
            m.check();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Focused liquidation property: random position, price drop and `debtToCover`.
    #[test]
    fn liquidation_follows_close_factor_dust_and_deficit_rules(
        coll_eth_centi in 10u64..20_000,
        borrow_pct in 50u64..=100,
        dai_share in 0u64..=100,
        price_pct in 40u64..110,
        cover in proptest::option::of(1u64..5_000_000),
        receive in any::<bool>(),
        dt in 0u64..(200 * 86_400),
    ) {
        let mut p = funded_pool();
        let t = T0 + dt;
        p.supply(T0, ALICE, WETH, eth(coll_eth_centi) / U256::from(100u8)).unwrap();
        let avail = p.user_account_data(T0, ALICE).available_borrows_base;
        let budget = avail * U256::from(borrow_pct) / U256::from(100u8);
        let dai_base = budget * U256::from(dai_share) / U256::from(100u8);
        let usdc_base = budget - dai_base;
        // base (8 dp) → token wei at $1
        let usdc_amt = usdc_base / U256::from(100u8);
        let dai_amt = dai_base * U256::from(10_000_000_000u64);
        if !usdc_amt.is_zero() { p.borrow(T0, ALICE, USDC, usdc_amt).unwrap(); }
        if !dai_amt.is_zero() { p.borrow(T0, ALICE, DAI, dai_amt).unwrap(); }
        p.set_asset_price(WETH, usd(2000) * U256::from(price_pct) / U256::from(100u8));
        let debt_asset = if usdc_amt >= dai_amt / U256::from(1_000_000_000_000u64) { USDC } else { DAI };
        let before = p.user_account_data(t, ALICE);
        let debt_before = p.debt_balance(t, ALICE, debt_asset);
        let coll_before = p.supply_balance(t, ALICE, WETH);
        let unit = if debt_asset == USDC { usdc(1) } else { dai(1) };
        let to_cover = cover.map_or(U256::MAX, |c| unit * U256::from(c) / U256::from(100u8));
        let snap = snapshot(&p);
        match p.liquidation_call(t, LIQ, WETH, debt_asset, ALICE, to_cover, receive) {
            Err(e) => {
                prop_assert!(snapshot(&p) == snap);
                if before.health_factor >= wad() {
                    prop_assert_eq!(e, PoolError::HealthFactorNotBelowThreshold);
                }
            }
            Ok(out) => {
                prop_assert!(before.health_factor < wad());
                prop_assert!(out.debt_repaid <= debt_before && out.debt_repaid <= to_cover);
                let seized = out.collateral_to_liquidator + out.protocol_fee;
                prop_assert!(seized <= coll_before);
                let debt_after = p.debt_balance(t, ALICE, debt_asset);
                let coll_after = p.supply_balance(t, ALICE, WETH);
                let debt_price = p.asset_price(debt_asset);
                let coll_price = p.asset_price(WETH);
                let debt_base = (debt_before * debt_price).div_ceil(unit);
                let coll_base = coll_before * coll_price / eth(1);
                let big = U256::from(200_000_000_000u64);
                if before.health_factor > U256::from(950_000_000_000_000_000u128) && debt_base >= big && coll_base >= big {
                    let half = percent_mul(before.total_debt_base, U256::from(5000u16)).unwrap();
                    prop_assert!(out.debt_repaid * debt_price / unit <= half);
                }
                if seized == coll_before {
                    // all collateral gone: no debt left anywhere, remainder is deficit
                    prop_assert!(p.user(ALICE).unwrap().is_empty());
                    let deficit: U256 = out.deficit_created.iter().map(|(_, d)| *d).sum();
                    prop_assert!(deficit >= debt_before - out.debt_repaid);
                } else if out.debt_repaid < debt_before {
                    // dust rule: ≥ $1000 of debt and collateral left
                    let min = U256::from(100_000_000_000u64);
                    prop_assert!((debt_after * debt_price).div_ceil(unit) >= min);
                    prop_assert!(coll_after * coll_price / eth(1) >= min);
                    prop_assert!(out.deficit_created.is_empty());
                }
            }
        }
    }
}
