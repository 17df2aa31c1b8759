//! Both real pools deploy and accept a supply and a borrow.

use alloy_primitives::U256;
use bankrun_conformance::aave::{AaveVersion, EvmAave};
use bankrun_conformance::market::{default_emodes, default_reserves};

fn smoke(v: AaveVersion) {
    let mut m =
        EvmAave::deploy(v, &default_reserves(), &default_emodes(), 3, 1_700_000_000).unwrap();
    let e18 = U256::from(10u8).pow(U256::from(18u8));
    m.supply(0, 0, U256::from(10u8) * e18)
        .unwrap()
        .ok()
        .unwrap();
    m.supply(1, 1, U256::from(100_000_000_000u64))
        .unwrap()
        .ok()
        .unwrap();
    m.borrow(0, 1, U256::from(1_000_000_000u64))
        .unwrap()
        .ok()
        .unwrap();
    m.evm.set_timestamp(1_700_003_600);
    let r = m.reserve(1).unwrap();
    assert!(r.variable_borrow_rate > U256::ZERO);
    let u = m.user(0).unwrap();
    assert!(u.account[5] > U256::from(10u8).pow(U256::from(18u8)));
}

#[test]
fn v302_deploys() {
    smoke(AaveVersion::V3_0_2);
}

#[test]
fn v36_deploys() {
    smoke(AaveVersion::V3_6);
}
