//! The market both pools are set up with: three reserves (WETH-like 18 dp, USDC-like
//! 6 dp, DAI-like 18 dp) and one e-mode category over the two stablecoins; plus the
//! native [`bankrun_aave::Pool`] configured identically.

use crate::aave::{AaveVersion, EModeSpec, ReserveSpec};
use alloy_primitives::U256;
use bankrun_aave::{
    EModeCategory, InterestRateData, Pool, ProtocolVersion, ReserveConfig, StableRateParams,
};

/// Deployment timestamp of every conformance market.
pub const T0: u64 = 1_700_000_000;

fn stable() -> StableRateParams {
    StableRateParams {
        stable_rate_slope1: 50,
        stable_rate_slope2: 6000,
        base_stable_rate_offset: 100,
        stable_rate_excess_offset: 800,
        optimal_stable_to_total_debt_ratio: 2000,
    }
}

/// A listed reserve with borrowing enabled: `symbol`, `decimals`, `(ltv, lt, bonus)` bps,
/// reserve factor bps, variable strategy `(optimal, base, slope1, slope2)` bps; no caps,
/// no protocol fee, neither frozen nor paused.
pub fn reserve_config(
    symbol: &str,
    decimals: u8,
    (ltv, lt, bonus): (u16, u16, u16),
    reserve_factor: u16,
    (opt, base, s1, s2): (u16, u32, u32, u32),
) -> ReserveConfig {
    ReserveConfig {
        symbol: symbol.into(),
        decimals,
        ltv,
        liquidation_threshold: lt,
        liquidation_bonus: bonus,
        reserve_factor,
        borrowing_enabled: true,
        rate: InterestRateData {
            optimal_usage_ratio: opt,
            base_variable_borrow_rate: base,
            variable_rate_slope1: s1,
            variable_rate_slope2: s2,
        },
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn spec(
    symbol: &str,
    decimals: u8,
    price: u64,
    factors: (u16, u16, u16),
    reserve_factor: u16,
    fee: u16,
    rate: (u16, u32, u32, u32),
) -> ReserveSpec {
    ReserveSpec {
        config: ReserveConfig {
            liquidation_protocol_fee: fee,
            ..reserve_config(symbol, decimals, factors, reserve_factor, rate)
        },
        stable: stable(),
        price: U256::from(price),
    }
}

/// The three reserves.
pub fn default_reserves() -> Vec<ReserveSpec> {
    vec![
        spec(
            "WETH",
            18,
            2000_0000_0000,
            (8000, 8250, 10500),
            1500,
            1000,
            (8000, 0, 380, 8000),
        ),
        spec(
            "USDC",
            6,
            1_0000_0000,
            (7500, 7800, 10450),
            1000,
            1000,
            (9000, 0, 400, 6000),
        ),
        spec(
            "DAI",
            18,
            1_0000_0000,
            (7000, 7700, 10500),
            1000,
            0,
            (8000, 50, 500, 7500),
        ),
    ]
}

/// E-mode 1 over USDC and DAI.
pub fn default_emodes() -> Vec<EModeSpec> {
    vec![EModeSpec {
        id: 1,
        ltv: 9300,
        liquidation_threshold: 9500,
        liquidation_bonus: 10100,
        assets: vec![1, 2],
    }]
}

/// The native protocol version matching an EVM version.
pub fn native_version(v: AaveVersion) -> ProtocolVersion {
    match v {
        AaveVersion::V3_0_2 => ProtocolVersion::V3_0,
        AaveVersion::V3_6 => ProtocolVersion::V3_6,
    }
}

/// A native pool configured like [`crate::aave::EvmAave::deploy`] does.
pub fn native_pool(v: AaveVersion, reserves: &[ReserveSpec], emodes: &[EModeSpec]) -> Pool {
    let mut p = Pool::new(native_version(v), T0);
    for r in reserves {
        let id = p.init_reserve(T0, r.config.clone()).expect("valid reserve");
        p.set_asset_price(id, r.price);
        p.set_stable_rate_params(id, r.stable).expect("listed");
    }
    for e in emodes {
        let bitmap = e.assets.iter().fold(0u128, |b, &i| b | (1u128 << i));
        p.set_emode_category(EModeCategory {
            id: e.id,
            label: format!("e{}", e.id),
            ltv: e.ltv,
            liquidation_threshold: e.liquidation_threshold,
            liquidation_bonus: e.liquidation_bonus,
            collateral_bitmap: bitmap,
            borrowable_bitmap: bitmap,
            ltvzero_bitmap: 0,
        })
        .expect("valid e-mode");
    }
    p
}
