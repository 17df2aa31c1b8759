//! The cross-protocol contagion test of issue "One world": two lending protocols (Aave v3.6 and
//! Compound v2) take one collateral token, XYZ, whose oracle reads a shared Uniswap v2
//! XYZ/USDC pool. A forced seller pushes XYZ down far enough to make the Aave positions
//! liquidatable but not the Compound ones; the liquidator's sales of the XYZ seized on Aave
//! push the pool lower, the feed follows, and the Compound positions become liquidatable.
//! The control run, whose liquidator leaves Aave alone, shows the Compound positions stay
//! safe without that channel.

use bankrun_aave::{InterestRateData, Pool, ProtocolVersion, ReserveConfig, U256};
use bankrun_chain::Holder;
use bankrun_compound::comet_market::{AssetConfig, Comet as CometState, CometConfiguration};
use bankrun_compound::{
    CToken, Comptroller, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig,
};
use bankrun_world::agents::{Liquidator, Passive, ScriptedTrade};
use bankrun_world::protocols::{AaveV3, Comet, CompoundV2};
use bankrun_world::venues::UniswapV2;
use bankrun_world::{
    Agent, Call, ChainConfig, GasSchedule, Publisher, Source, Target, TxRecord, World,
};

const T0: u64 = 1_700_000_000;
const USDC: u32 = 0;
const XYZ: u32 = 1;
const AAVE: u32 = 0;
const COMP: u32 = 1;
const POOL: u32 = 0;
const LIQUIDATOR: u32 = 0;
const SELLER: u32 = 1;
const SUPPLIER: u32 = 2;
const BORROWERS: u32 = 10;

fn tok(x: u64, dec: u8) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(dec))
}

fn e18(x: u64, d: u32) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(d))
}

/// Aave v3.6: USDC (borrowable) and XYZ (LTV 80 %, LT 85 %, bonus 5 %).
fn aave(version: ProtocolVersion) -> AaveV3 {
    let rate = InterestRateData {
        optimal_usage_ratio: 9000,
        base_variable_borrow_rate: 0,
        variable_rate_slope1: 400,
        variable_rate_slope2: 6000,
    };
    let reserve = |symbol: &str, decimals, ltv, lt, bonus| ReserveConfig {
        symbol: symbol.into(),
        decimals,
        ltv,
        liquidation_threshold: lt,
        liquidation_bonus: bonus,
        reserve_factor: 1000,
        liquidation_protocol_fee: 1000,
        supply_cap: 0,
        borrow_cap: 0,
        borrowing_enabled: true,
        frozen: false,
        paused: false,
        rate,
    };
    let mut pool = Pool::new(version, T0);
    pool.init_reserve(T0, reserve("USDC", 6, 7500, 7800, 10450))
        .unwrap();
    pool.init_reserve(T0, reserve("XYZ", 18, 8000, 8500, 10500))
        .unwrap();
    AaveV3::new("aave-v3.6", pool, vec![USDC, XYZ]).unwrap()
}

/// Compound v2: XYZ (reporter price, collateral factor 70 %) and USDC (fixed $1, CF 80 %);
/// close factor 50 %, liquidation incentive 1.08.
fn compound() -> CompoundV2 {
    let mut oracle = PriceOracle::new(e18(15, 16));
    oracle.push(TokenConfig {
        base_unit: e18(1, 6),
        source: PriceSource::FixedUsd(e18(1, 6)),
    });
    oracle.push(TokenConfig {
        base_unit: e18(1, 18),
        source: PriceSource::Reporter,
    });
    let model =
        JumpRateModelV2::from_per_year(e18(2, 16), e18(18, 16), e18(4, 18), e18(8, 17)).unwrap();
    let mut c = Comptroller::new(e18(5, 17), e18(108, 16), oracle);
    c.support_market(CToken::new(model, e18(2, 14), e18(1, 17), 0), e18(80, 16));
    c.support_market(CToken::new(model, e18(2, 26), e18(2, 17), 0), e18(70, 16));
    CompoundV2::new("compound-v2", c, vec![USDC, XYZ]).unwrap()
}

/// Compound III: a USDC Comet with XYZ as collateral (borrow CF 65 %, liquidate CF 70 %,
/// liquidation factor 93 %): liquidatable below $90 for the positions below.
fn comet() -> Comet {
    let pct = |x: u64| e18(x, 16);
    let cfg = CometConfiguration {
        base_decimals: 6,
        supply_kink: pct(90),
        supply_per_year_interest_rate_slope_low: pct(3),
        supply_per_year_interest_rate_slope_high: pct(200),
        supply_per_year_interest_rate_base: U256::ZERO,
        borrow_kink: pct(90),
        borrow_per_year_interest_rate_slope_low: e18(35, 15),
        borrow_per_year_interest_rate_slope_high: pct(250),
        borrow_per_year_interest_rate_base: e18(15, 15),
        store_front_price_factor: pct(50),
        base_borrow_min: e18(100, 6),
        target_reserves: e18(1_000_000_000, 6),
        asset_configs: vec![AssetConfig {
            decimals: 18,
            borrow_collateral_factor: pct(65),
            liquidate_collateral_factor: pct(70),
            liquidation_factor: pct(93),
            supply_cap: e18(1_000_000, 18),
        }],
    };
    Comet::new(
        "compound-iii",
        CometState::new(&cfg, T0).unwrap(),
        USDC,
        vec![XYZ],
    )
    .unwrap()
}

/// The second lending protocol of the test.
#[derive(Clone, Copy)]
enum Second {
    CompoundV2,
    CompoundIII,
}

/// The world at block 0 with its positions open, and its agents. `watch` is what the
/// liquidator watches.
fn setup(watch: Vec<u32>) -> (World, Vec<Box<dyn Agent>>) {
    setup_with(watch, ProtocolVersion::V3_6, Second::CompoundV2)
}

fn setup_with(
    watch: Vec<u32>,
    version: ProtocolVersion,
    second: Second,
) -> (World, Vec<Box<dyn Agent>>) {
    let cfg = ChainConfig {
        start: T0,
        block_time_s: 12,
        block_gas: 30_000_000,
        gas: GasSchedule::default(),
    };
    let mut w = World::new(cfg, 7);
    assert_eq!(w.add_protocol(Box::new(aave(version))), AAVE);
    let other: Box<dyn bankrun_world::Protocol> = match second {
        Second::CompoundV2 => Box::new(compound()),
        Second::CompoundIII => Box::new(comet()),
    };
    assert_eq!(w.add_protocol(other), COMP);
    let pool = w.add_venue(Box::new(UniswapV2::new(
        "xyz-usdc",
        (USDC, 6),
        (XYZ, 18),
        false,
    )));
    assert_eq!(pool, POOL);
    // The pool: 10,000 XYZ against 1,000,000 USDC, $100.
    w.ledger_mut()
        .mint(USDC, Holder::Venue(POOL), tok(1_000_000, 6))
        .unwrap();
    w.ledger_mut()
        .mint(XYZ, Holder::Venue(POOL), tok(10_000, 18))
        .unwrap();
    w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
    let usd = w
        .oracles_mut()
        .add_feed(
            "USDC/USD",
            Source::steps("USDC/USD", vec![(0, 1.0)]).unwrap(),
            Publisher::Direct,
        )
        .unwrap();
    let xyz = w
        .oracles_mut()
        .add_feed(
            "XYZ/USD",
            Source::Venue {
                venue: POOL,
                token: XYZ,
                quote_token: USDC,
                quote_feed: Some(usd),
            },
            Publisher::Push {
                deviation_bps: 50,
                heartbeat_s: 3600,
            },
        )
        .unwrap();
    for p in [AAVE, COMP] {
        w.oracles_mut().bind(usd, p, USDC).unwrap();
        w.oracles_mut().bind(xyz, p, XYZ).unwrap();
    }
    w.publish_oracles().unwrap();
    open_positions(&mut w);
    let mut agents: Vec<Box<dyn Agent>> = vec![
        Box::new(Liquidator::new(
            "liquidator",
            watch,
            USDC,
            tok(100_000, 6),
            5.0,
        )),
        // 380 XYZ take the pool from $100 to about $92.7.
        Box::new(ScriptedTrade::new(
            "forced seller",
            POOL,
            (XYZ, USDC),
            tok(380, 18),
            2,
        )),
        Box::new(Passive::new("supplier")),
    ];
    for i in 0..2 * BORROWERS {
        agents.push(Box::new(Passive::new(&format!("borrower-{i}"))));
    }
    (w, agents)
}

/// Liquidator capital, the seller's XYZ, USDC supplied to both protocols, and the borrowers:
/// on Aave 100 XYZ against 8,000 USDC (HF 1.0625 at $100, < 1 below $94.1); on Compound 100 XYZ
/// against 6,300 USDC (shortfall below $90).
fn open_positions(w: &mut World) {
    let l = w.ledger_mut();
    l.mint(USDC, Holder::Agent(LIQUIDATOR), tok(1_000_000, 6))
        .unwrap();
    l.mint(XYZ, Holder::Agent(SELLER), tok(380, 18)).unwrap();
    l.mint(USDC, Holder::Agent(SUPPLIER), tok(400_000, 6))
        .unwrap();
    for p in [AAVE, COMP] {
        let call = Call::Supply {
            token: USDC,
            amount: tok(200_000, 6),
        };
        w.execute_now(SUPPLIER, Target::Protocol(p), &call).unwrap();
    }
    for i in 0..2 * BORROWERS {
        let (agent, p, debt) = if i < BORROWERS {
            (3 + i, AAVE, 8_000)
        } else {
            (3 + i, COMP, 6_300)
        };
        w.ledger_mut()
            .mint(XYZ, Holder::Agent(agent), tok(100, 18))
            .unwrap();
        let supply = Call::Supply {
            token: XYZ,
            amount: tok(100, 18),
        };
        w.execute_now(agent, Target::Protocol(p), &supply).unwrap();
        let borrow = Call::Borrow {
            token: USDC,
            amount: tok(debt, 6),
        };
        w.execute_now(agent, Target::Protocol(p), &borrow).unwrap();
    }
}

/// Runs `blocks` blocks, checking ledger conservation after each.
fn run(w: &mut World, agents: &mut [Box<dyn Agent>], blocks: u64) -> Vec<(u64, usize, usize)> {
    let mut candidates = Vec::new();
    for _ in 0..blocks {
        w.step(agents).unwrap();
        w.ledger().check_conservation().unwrap();
        let now = w.now();
        let v = w.view();
        let count = |p: u32| v.protocol(p).unwrap().candidates(now).unwrap().len();
        candidates.push((w.block(), count(AAVE), count(COMP)));
    }
    candidates
}

fn liquidations(txs: &[TxRecord], protocol: u32) -> Vec<&TxRecord> {
    txs.iter()
        .filter(|t| {
            t.target == Target::Protocol(protocol)
                && matches!(t.call, Call::Liquidate { .. })
                && t.outcome.is_ok()
        })
        .collect()
}

#[test]
fn aave_liquidation_sales_make_compound_positions_liquidatable() {
    check_contagion(ProtocolVersion::V3_6, Second::CompoundV2);
}

#[test]
fn the_same_chain_with_aave_v3_0() {
    check_contagion(ProtocolVersion::V3_0, Second::CompoundV2);
}

#[test]
fn the_same_chain_into_compound_iii() {
    check_contagion(ProtocolVersion::V3_6, Second::CompoundIII);
}

fn check_contagion(version: ProtocolVersion, second: Second) {
    let (mut w, mut agents) = setup_with(vec![AAVE, COMP], version, second);
    let counts = run(&mut w, &mut agents, 40);
    let txs = &w.log().txs;

    // The shock alone: after the seller's block, Aave accounts are liquidatable and
    // Compound accounts are not.
    let sale = txs
        .iter()
        .find(|t| t.sender == SELLER)
        .expect("the seller traded");
    assert!(sale.outcome.is_ok(), "{:?}", sale.outcome);
    let after_shock = counts.iter().find(|c| c.0 == sale.block + 1).unwrap();
    assert!(
        after_shock.1 > 0,
        "Aave accounts liquidatable after the shock: {counts:?}"
    );
    assert_eq!(
        after_shock.2, 0,
        "Compound accounts safe after the shock: {counts:?}"
    );

    // The chain: Aave liquidations, then the liquidator's XYZ sales on the shared pool, then
    // Compound liquidations.
    let aave = liquidations(txs, AAVE);
    let comp = liquidations(txs, COMP);
    assert!(
        !aave.is_empty() && !comp.is_empty(),
        "both protocols liquidated"
    );
    let first_comp = comp[0].block;
    assert!(aave[0].block < first_comp);
    let sales_between = txs.iter().filter(|t| {
        t.sender == LIQUIDATOR
            && matches!(t.call, Call::SwapExactIn { token_in: XYZ, .. })
            && t.outcome.is_ok()
            && t.block > aave[0].block
            && t.block < first_comp
    });
    assert!(
        sales_between.count() > 0,
        "seized XYZ was sold before Compound liquidations"
    );
    let first_comp_candidate = counts.iter().find(|c| c.2 > 0).unwrap().0;
    assert!(first_comp_candidate > aave[0].block);

    // The feed that Compound reads fell below its liquidation price ($90).
    let xyz_answers: Vec<u128> = w
        .log()
        .oracles
        .iter()
        .filter(|o| o.feed == 1)
        .map(|o| o.answer)
        .collect();
    assert!(
        xyz_answers.iter().any(|a| *a < 90 * 100_000_000),
        "{xyz_answers:?}"
    );
}

#[test]
fn without_the_aave_sales_compound_stays_safe() {
    let (mut w, mut agents) = setup(vec![COMP]);
    let counts = run(&mut w, &mut agents, 40);
    assert!(counts.iter().all(|c| c.2 == 0), "{counts:?}");
    assert!(
        counts.iter().any(|c| c.1 > 0),
        "Aave accounts stay underwater, unliquidated"
    );
    assert!(liquidations(&w.log().txs, COMP).is_empty());
}

#[test]
fn same_seed_same_log() {
    let (mut a, mut aa) = setup(vec![AAVE, COMP]);
    let (mut b, mut ba) = setup(vec![AAVE, COMP]);
    run(&mut a, &mut aa, 30);
    run(&mut b, &mut ba, 30);
    assert_eq!(a.log(), b.log());
    assert_eq!(a.ledger(), b.ledger());
}
