//! Property tests of the Aave v2 mode over random action sequences (both borrow modes,
//! repay, withdraw, rate swap, rebalance, liquidation with both `receiveAToken` values,
//! collateral toggles, reserve-factor changes, price moves, time jumps):
//! - Σ users' scaled aTokens + the treasury's = `scaledTotalSupply`, Σ scaled variable
//!   debt = its total, and every other book of [`bankrun_aave::Pool::check_books`]
//!   (protocol-math-aave-v2-uniswap-v3.md §A.15 step 4);
//! - `HF < 1` ⇔ `liquidationCall` is not rejected with `42`;
//! - a failed action changes nothing; indexes never decrease.

mod common;
use bankrun_aave::{AssetId, InterestRateMode, Pool, PoolError, U256, UserId};
use common::snapshot;
use common::v2::*;
use proptest::prelude::*;

const USERS: u32 = 5;
const ASSETS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Deposit(UserId, AssetId, u64),
    Withdraw(UserId, AssetId, Option<u64>),
    Borrow(UserId, AssetId, u8, bool),
    Repay(UserId, UserId, AssetId, Option<u64>, bool),
    Swap(UserId, AssetId, bool),
    Rebalance(UserId, AssetId),
    Advance(u64),
    Price(AssetId, u16),
    Liquidate(UserId, UserId, AssetId, AssetId, Option<u64>, bool),
    Collateral(UserId, AssetId, bool),
    ReserveFactor(AssetId, u16),
}

fn user() -> impl Strategy<Value = UserId> {
    1..USERS
}
fn anyone() -> impl Strategy<Value = UserId> {
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
    let stable = any::<bool>();
    prop_oneof![
        4 => (user(), asset(), amount()).prop_map(|(u, a, x)| Op::Deposit(u, a, x)),
        2 => (anyone(), asset(), proptest::option::of(amount())).prop_map(|(u, a, x)| Op::Withdraw(u, a, x)),
        6 => (user(), asset(), 30u8..=100, stable).prop_map(|(u, a, f, s)| Op::Borrow(u, a, f, s)),
        2 => (anyone(), user(), asset(), proptest::option::of(amount()), any::<bool>())
            .prop_map(|(p, u, a, x, s)| Op::Repay(p, u, a, x, s)),
        1 => (user(), asset(), any::<bool>()).prop_map(|(u, a, s)| Op::Swap(u, a, s)),
        1 => (user(), asset()).prop_map(|(u, a)| Op::Rebalance(u, a)),
        2 => prop_oneof![1u64..3600, 3600u64..40 * 86_400, Just(365 * 86_400)].prop_map(Op::Advance),
        3 => (asset(), 30u16..120).prop_map(|(a, pct)| Op::Price(a, pct)),
        5 => (anyone(), user(), asset(), asset(), proptest::option::of(amount()), any::<bool>())
            .prop_map(|(l, u, c, d, x, r)| Op::Liquidate(l, u, c, d, x, r)),
        1 => (user(), asset(), any::<bool>()).prop_map(|(u, a, on)| Op::Collateral(u, a, on)),
        1 => (asset(), prop_oneof![Just(0u16), Just(1000), Just(5000), Just(10_000)])
            .prop_map(|(a, rf)| Op::ReserveFactor(a, rf)),
    ]
}

fn mode(stable: bool) -> InterestRateMode {
    if stable {
        InterestRateMode::Stable
    } else {
        InterestRateMode::Variable
    }
}

fn hundredths(p: &Pool, a: AssetId, x: u64) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(p.reserve(a).config.decimals - 2))
}

fn base_price(a: AssetId) -> U256 {
    if a == WETH { e18(1) } else { stable_price() }
}

struct Model {
    pool: Pool,
    now: u64,
}

impl Model {
    fn new() -> Self {
        let mut pool = v2_pool();
        pool.supply(T0, LP, USDC, usdc(1_000_000)).unwrap();
        pool.supply(T0, LP, DAI, e18(1_000_000)).unwrap();
        pool.supply(T0, LP, WETH, e18(1000)).unwrap();
        // Every other user starts with collateral, so that borrows and liquidations happen.
        pool.supply(T0, 1, WETH, e18(10)).unwrap();
        pool.supply(T0, 2, DAI, e18(20_000)).unwrap();
        pool.supply(T0, 3, WETH, e18(5)).unwrap();
        pool.supply(T0, 3, USDC, usdc(10_000)).unwrap();
        pool.supply(T0, 4, USDC, usdc(50_000)).unwrap();
        Model { pool, now: T0 }
    }

    /// `frac` % of the user's borrow power, in `a`'s wei.
    fn borrow_amount(&self, u: UserId, a: AssetId, frac: u8) -> U256 {
        let d = self.pool.user_account_data(self.now, u);
        let price = self.pool.asset_price(a);
        if price.is_zero() {
            return U256::ZERO;
        }
        d.available_borrows_base * U256::from(frac) / U256::from(100u8)
            * self.pool.reserve(a).config.asset_unit()
            / price
    }

    fn apply(&mut self, op: &Op) -> Result<(), PoolError> {
        let t = self.now;
        let p = &mut self.pool;
        match *op {
            Op::Deposit(u, a, x) => p.supply(t, u, a, hundredths(p, a, x)),
            Op::Withdraw(u, a, x) => {
                let amt = x.map_or(U256::MAX, |x| hundredths(p, a, x));
                p.withdraw(t, u, a, amt).map(|_| ())
            }
            Op::Borrow(u, a, f, s) => {
                let amt = self.borrow_amount(u, a, f);
                self.pool.borrow_with_mode(t, u, a, amt, mode(s))
            }
            Op::Repay(payer, u, a, x, s) => {
                let amt = x.map_or(U256::MAX, |x| hundredths(p, a, x));
                p.repay_with_mode(t, payer, u, a, amt, mode(s)).map(|_| ())
            }
            Op::Swap(u, a, s) => p.swap_borrow_rate_mode(t, u, a, mode(s)),
            Op::Rebalance(u, a) => p.rebalance_stable_borrow_rate(t, u, a),
            Op::Advance(dt) => {
                self.now += dt;
                Ok(())
            }
            Op::Price(a, pct) => {
                p.set_asset_price(a, base_price(a) * U256::from(pct) / U256::from(100u8));
                Ok(())
            }
            Op::Liquidate(l, u, c, d, x, receive) => {
                let amt = x.map_or(U256::MAX, |x| hundredths(p, d, x));
                let hf = p.user_account_data(t, u).health_factor;
                let r = p.liquidation_call(t, l, c, d, u, amt, receive).map(|_| ());
                let rejected_42 = r == Err(PoolError::HealthFactorNotBelowThreshold);
                assert_eq!(rejected_42, hf >= e18(1), "HF {hf}: {r:?}");
                r
            }
            Op::Collateral(u, a, on) => p.set_user_use_reserve_as_collateral(t, u, a, on),
            Op::ReserveFactor(a, rf) => p.set_reserve_factor(t, a, rf),
        }
    }

    /// Σ scaled aToken balances + treasury = scaled total supply, for every reserve.
    fn check_scaled_supply(&self) {
        let p = &self.pool;
        for a in 0..ASSETS {
            let users: U256 = (0..USERS).map(|u| p.scaled_balances(u, a).0).sum();
            assert_eq!(
                users + p.treasury_scaled_balance(a),
                p.reserve(a).scaled_total_supply,
                "reserve {a}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn v2_books_hold_over_random_sequences(ops in proptest::collection::vec(op(), 1..80)) {
        let mut m = Model::new();
        let mut last_idx: Vec<(U256, U256)> = (0..ASSETS)
            .map(|a| (m.pool.reserve(a).liquidity_index, m.pool.reserve(a).variable_borrow_index))
            .collect();
        for op in &ops {
            let before = snapshot(&m.pool);
            if m.apply(op).is_err() {
                prop_assert_eq!(snapshot(&m.pool), before, "{:?} failed but changed state", op);
            }
            m.check_scaled_supply();
            let broken = m.pool.check_books(m.now);
            prop_assert!(broken.is_empty(), "after {:?}: {:?}", op, broken);
            for (a, last) in last_idx.iter_mut().enumerate() {
                let r = m.pool.reserve(a);
                prop_assert!(r.liquidity_index >= last.0 && r.variable_borrow_index >= last.1);
                *last = (r.liquidity_index, r.variable_borrow_index);
            }
        }
    }
}

/// The same books after a fixed busy sequence with every kind of action succeeding at
/// least once (guards against a random suite that only exercises reverts).
#[test]
fn busy_sequence_keeps_books() {
    let mut m = Model::new();
    let ops = [
        Op::Deposit(1, WETH, 1_000),
        Op::Deposit(2, WETH, 2_000),
        Op::Deposit(3, USDC, 5_000_000),
        Op::Borrow(1, USDC, 60, true),
        Op::Borrow(1, DAI, 90, false),
        Op::Borrow(2, USDC, 95, false),
        Op::Advance(30 * 86_400),
        Op::Repay(3, 1, DAI, Some(10_000), false),
        Op::Swap(1, DAI, false),
        Op::Price(WETH, 60),
        Op::Liquidate(3, 2, WETH, USDC, None, true),
        Op::Liquidate(3, 1, WETH, USDC, None, false),
        Op::Advance(86_400),
        Op::Withdraw(3, WETH, None),
        Op::Collateral(3, USDC, false),
    ];
    for op in &ops {
        let r = m.apply(op);
        assert!(r.is_ok(), "{op:?}: {r:?}");
        m.check_scaled_supply();
        assert_eq!(m.pool.check_books(m.now), Vec::<String>::new(), "{op:?}");
    }
    assert!(m.pool.treasury_scaled_balance(USDC) > U256::ZERO);
    for a in [USDC, DAI] {
        assert!(m.pool.stable_debt_supply_data(m.now, a).principal_supply > U256::ZERO);
    }
}
