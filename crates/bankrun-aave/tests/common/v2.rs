//! Shared fixture of the Aave v2 tests: a v2 pool with WETH, USDC and DAI, prices in ETH
//! wei per whole token (ETH = $2000), the strategy parameters of
//! protocol-math-aave-v2-uniswap-v3.md §A.14 for USDC (optimal 90 %, slopes 4 % / 60 %,
//! stable slopes 2 % / 60 %, `LendingRateOracle` 3.5 %, RF 10 %).

// The v3 fixture's market layout and users (not every test binary uses all of them).
#[allow(unused_imports)]
pub use super::{ALICE, BOB, DAI, LIQ, LP, T0, USDC, WETH, usdc};
use super::{cfg, rate, tok};
use bankrun_aave::{Pool, ProtocolVersion, StableRateParams, U256};

/// 5e14 wei per USDC or DAI: ETH = $2000.
pub fn stable_price() -> U256 {
    U256::from(500_000_000_000_000u64)
}

pub fn n(s: &str) -> U256 {
    s.parse().unwrap()
}

/// `x` whole WETH / DAI (18 decimals).
pub fn e18(x: u64) -> U256 {
    tok(x, 18)
}

/// 3.5 % (RAY): the market borrow rate of §A.14.
pub fn market_rate() -> U256 {
    n("35000000000000000000000000")
}

pub fn stable_params() -> StableRateParams {
    StableRateParams {
        stable_rate_slope1: 200,
        stable_rate_slope2: 6000,
        ..StableRateParams::default()
    }
}

/// An empty v2 pool with the three reserves listed at `T0`.
pub fn v2_pool() -> Pool {
    let mut p = Pool::new(ProtocolVersion::V2, T0);
    let reserves = [
        cfg(
            "WETH",
            18,
            8000,
            8250,
            10500,
            1000,
            rate(8000, 0, 270, 8000),
        ),
        cfg("USDC", 6, 8000, 8500, 10500, 1000, rate(9000, 0, 400, 6000)),
        cfg("DAI", 18, 7500, 7700, 10500, 1000, rate(9000, 0, 400, 6000)),
    ];
    for c in reserves {
        let id = p.init_reserve(T0, c).unwrap();
        p.set_stable_rate_params(id, stable_params()).unwrap();
        p.set_market_borrow_rate(id, market_rate()).unwrap();
    }
    p.set_asset_price(WETH, e18(1));
    p.set_asset_price(USDC, stable_price());
    p.set_asset_price(DAI, stable_price());
    p
}

/// A v2 pool where the LP has supplied 100,000 USDC and Alice 10 WETH and borrowed
/// `borrowed` USDC at variable rate, all at `T0`.
pub fn alice_borrowing(borrowed: u64) -> Pool {
    let mut p = v2_pool();
    p.supply(T0, LP, USDC, usdc(100_000)).unwrap();
    p.supply(T0, ALICE, WETH, e18(10)).unwrap();
    p.borrow(T0, ALICE, USDC, usdc(borrowed)).unwrap();
    p
}
