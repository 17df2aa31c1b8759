//! Shared fixture: a three-reserve v3.6 pool (WETH, USDC, DAI) with Ethereum-like
//! parameters.
#![allow(dead_code)]

pub mod v2;

use bankrun_aave::{
    AssetId, EModeCategory, InterestRateData, Pool, ProtocolVersion, ReserveConfig, U256, UserId,
};

pub const T0: u64 = 1_700_000_000;
pub const WETH: AssetId = 0;
pub const USDC: AssetId = 1;
pub const DAI: AssetId = 2;
pub const LP: UserId = 0;
pub const ALICE: UserId = 1;
pub const BOB: UserId = 2;
pub const LIQ: UserId = 3;
pub const WAD_U: u128 = 1_000_000_000_000_000_000;

/// `x` whole tokens with `dec` decimals, in wei.
pub fn tok(x: u64, dec: u8) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(dec))
}
pub fn eth(x: u64) -> U256 {
    tok(x, 18)
}
pub fn usdc(x: u64) -> U256 {
    tok(x, 6)
}
pub fn dai(x: u64) -> U256 {
    tok(x, 18)
}
/// USD price with 8 decimals.
pub fn usd(x: u64) -> U256 {
    tok(x, 8)
}
pub fn wad() -> U256 {
    U256::from(WAD_U)
}

pub fn rate(opt: u16, base: u32, s1: u32, s2: u32) -> InterestRateData {
    InterestRateData {
        optimal_usage_ratio: opt,
        base_variable_borrow_rate: base,
        variable_rate_slope1: s1,
        variable_rate_slope2: s2,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn cfg(
    symbol: &str,
    decimals: u8,
    ltv: u16,
    lt: u16,
    bonus: u16,
    rf: u16,
    r: InterestRateData,
) -> ReserveConfig {
    ReserveConfig {
        symbol: symbol.into(),
        decimals,
        ltv,
        liquidation_threshold: lt,
        liquidation_bonus: bonus,
        reserve_factor: rf,
        liquidation_protocol_fee: 1000,
        supply_cap: 0,
        borrow_cap: 0,
        borrowing_enabled: true,
        frozen: false,
        paused: false,
        rate: r,
    }
}

pub fn pool() -> Pool {
    let mut p = Pool::new(ProtocolVersion::V3_6, T0);
    let w = p
        .init_reserve(
            T0,
            cfg(
                "WETH",
                18,
                8000,
                8250,
                10500,
                1500,
                rate(8000, 0, 270, 8000),
            ),
        )
        .unwrap();
    let u = p
        .init_reserve(
            T0,
            cfg("USDC", 6, 7500, 7800, 10450, 1000, rate(9000, 0, 400, 6000)),
        )
        .unwrap();
    let d = p
        .init_reserve(
            T0,
            cfg("DAI", 18, 6300, 7700, 10500, 1000, rate(9000, 0, 400, 7500)),
        )
        .unwrap();
    assert_eq!((w, u, d), (WETH, USDC, DAI));
    p.set_asset_price(WETH, usd(2000));
    p.set_asset_price(USDC, usd(1));
    p.set_asset_price(DAI, usd(1));
    p
}

/// Pool with an LP supplying 1M USDC, 1M DAI and 1000 WETH.
pub fn funded_pool() -> Pool {
    let mut p = pool();
    p.supply(T0, LP, USDC, usdc(1_000_000)).unwrap();
    p.supply(T0, LP, DAI, dai(1_000_000)).unwrap();
    p.supply(T0, LP, WETH, eth(1000)).unwrap();
    p
}

pub fn stable_emode() -> EModeCategory {
    EModeCategory {
        id: 1,
        label: "stables".into(),
        ltv: 9300,
        liquidation_threshold: 9500,
        liquidation_bonus: 10100,
        collateral_bitmap: (1 << USDC) | (1 << DAI),
        borrowable_bitmap: (1 << USDC) | (1 << DAI),
        ltvzero_bitmap: 0,
    }
}

/// Snapshot of everything observable, for "a failed call changes nothing" checks.
pub fn snapshot(
    p: &Pool,
) -> (
    Vec<bankrun_aave::ReserveData>,
    Vec<(UserId, bankrun_aave::UserAccount)>,
) {
    let r = (0..p.reserve_count())
        .map(|i| p.reserve(i).clone())
        .collect();
    // untouched (default) accounts are equivalent to absent ones
    let u = (0..p.user_count() as u32)
        .filter_map(|i| {
            p.user(i)
                .filter(|a| **a != bankrun_aave::UserAccount::default())
                .map(|a| (i, a.clone()))
        })
        .collect();
    (r, u)
}
