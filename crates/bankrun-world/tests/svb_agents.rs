//! The agents of the USDC/SVB event (March 2023): the PSM arbitrageur, which sells USDC cheap
//! in 3pool to Maker's PSM (or buys it there when it is rich in the pool) and so pulls the
//! pool back into the PSM's fee band; the discount repayer, whose borrowers buy their USDC
//! debt below par and repay it on Aave; and the collateral arbitrageur, who supplies USDC
//! bought below par to Compound v2 (whose oracle fixes it at $1) and borrows USDT against it.

use bankrun_aave::{InterestRateData, Pool, ProtocolVersion, ReserveConfig, U256};
use bankrun_chain::{Holder, TokenId};
use bankrun_dex::curve::StableSwap;
use bankrun_maker::psm::Psm as PsmState;
use bankrun_world::agents::{
    DiscountRepayer, DiscountRepayerSpec, PsmArbitrageur, PsmArbitrageurSpec,
};
use bankrun_world::protocols::AaveV3;
use bankrun_world::venues::{Curve, Psm};
use bankrun_world::{Agent, Call, ChainConfig, GasSchedule, Publisher, Source, Target, World};

const T0: u64 = 1_678_406_400; // 2023-03-10T00:00Z

fn tok(x: u64, dec: u8) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(dec))
}

fn wad_fraction(x: f64) -> U256 {
    U256::from((x * 1e18).round() as u128)
}

fn empty_world() -> World {
    World::new(
        ChainConfig {
            start: T0,
            block_time_s: 12,
            block_gas: 30_000_000,
            gas: GasSchedule::default(),
        },
        3,
    )
}

// ---------------------------------------------------------------------------------------
// PSM arbitrage: 3pool (DAI, USDC, USDT) and the PSM (USDC → DAI at par less tin).

const DAI: TokenId = 0;
const USDC: TokenId = 1;
const USDT: TokenId = 2;
const POOL: u32 = 0;
const PSM: u32 = 1;
/// The arbitrageur's agent id (agent 0).
const ARB: u32 = 0;
/// The account that unbalances the pool at setup.
const DUMPER: u32 = 9;
/// The PSM's fees, 0.1 % each.
const TIN: f64 = 0.001;
const TOUT: f64 = 0.001;
/// 3pool's fee, 4 bp (1e10 denominator: 4,000,000).
const POOL_FEE: f64 = 0.0004;
const MIN_PROFIT: f64 = 0.0005;

/// 3pool at A = 100 with 100M of each coin, and a PSM with a 10B DAI ceiling holding `psm_gem`
/// USDC (sold to it by the dumper at setup).
fn psm_world(psm_gem: u64) -> World {
    let mut w = empty_world();
    let pool = StableSwap::three_pool(
        U256::from(100u64),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let c = Curve::new("3pool", pool, vec![(DAI, 18), (USDC, 6), (USDT, 6)]).unwrap();
    assert_eq!(w.add_venue(Box::new(c)), POOL);
    for (t, d) in [(DAI, 18), (USDC, 6), (USDT, 6)] {
        w.ledger_mut()
            .mint(t, Holder::Venue(POOL), tok(100_000_000, d))
            .unwrap();
    }
    w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
    // line: 10B DAI, in rad (wad · RAY).
    let line = tok(10_000_000_000, 18 + 27);
    let state = PsmState::new(6, wad_fraction(TIN), wad_fraction(TOUT), line);
    assert_eq!(
        w.add_venue(Box::new(Psm::new("psm-usdc-a", state, USDC, DAI))),
        PSM
    );
    if psm_gem > 0 {
        w.ledger_mut()
            .mint(USDC, Holder::Agent(DUMPER), tok(psm_gem, 6))
            .unwrap();
        swap_now(&mut w, PSM, USDC, DAI, tok(psm_gem, 6));
    }
    // The arbitrageur's inventory: 20M of each.
    w.ledger_mut()
        .mint(USDC, Holder::Agent(ARB), tok(20_000_000, 6))
        .unwrap();
    w.ledger_mut()
        .mint(DAI, Holder::Agent(ARB), tok(20_000_000, 18))
        .unwrap();
    w
}

/// The dumper sells `amount` of `token_in` on `venue` at once (minted to it first if short).
fn swap_now(w: &mut World, venue: u32, token_in: TokenId, token_out: TokenId, amount: U256) {
    let have = w.ledger().balance(token_in, Holder::Agent(DUMPER));
    if have < amount {
        w.ledger_mut()
            .mint(token_in, Holder::Agent(DUMPER), amount - have)
            .unwrap();
    }
    let call = Call::SwapExactIn {
        token_in,
        token_out,
        amount_in: amount,
        min_out: U256::ZERO,
    };
    w.execute_now(DUMPER, Target::Venue(venue), &call).unwrap();
}

/// USDC's marginal price in DAI in 3pool.
fn usdc_in_dai(w: &World) -> f64 {
    w.view().venue(POOL).unwrap().price(USDC, DAI).unwrap()
}

fn arbitrageur() -> PsmArbitrageur {
    PsmArbitrageur::new(PsmArbitrageurSpec {
        name: "psm-arb".into(),
        psm: PSM,
        pool: POOL,
        gem: USDC,
        dai: DAI,
        max_clip: tok(5_000_000, 6),
        min_clip: tok(1_000, 6),
        min_profit: MIN_PROFIT,
        every_blocks: 1,
        priority_gwei: 1.0,
    })
}

/// Runs the arbitrageur `blocks` blocks; returns it.
fn run_arb(w: &mut World, blocks: u64) -> PsmArbitrageur {
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(arbitrageur())];
    for _ in 0..blocks {
        w.step(&mut agents).unwrap();
    }
    w.ledger().check_conservation().unwrap();
    w.check_invariants().unwrap();
    agents[0]
        .as_any()
        .downcast_ref::<PsmArbitrageur>()
        .unwrap()
        .clone()
}

fn psm_ink(w: &World) -> U256 {
    w.view()
        .venue(PSM)
        .unwrap()
        .as_any()
        .downcast_ref::<Psm>()
        .unwrap()
        .state()
        .ink
}

#[test]
fn usdc_cheap_in_3pool_is_sold_to_the_psm_until_the_pool_is_back_in_the_band() {
    let mut w = psm_world(0);
    // A run on USDC: 70M USDC dumped for DAI (USDC at about 0.95 DAI).
    swap_now(&mut w, POOL, USDC, DAI, tok(70_000_000, 6));
    let p0 = usdc_in_dai(&w);
    assert!(p0 < 0.97, "USDC depegged in the pool: {p0}");
    let (usdc0, dai0) = (
        w.ledger().balance(USDC, Holder::Agent(ARB)),
        w.ledger().balance(DAI, Holder::Agent(ARB)),
    );
    let arb = run_arb(&mut w, 60);
    let p = usdc_in_dai(&w);
    // Break-even of gem → PSM → DAI → pool → gem: (1 − tin)(1 − fee) / p = 1 + min_profit.
    let floor = (1.0 - TIN) * (1.0 - POOL_FEE) / (1.0 + MIN_PROFIT);
    assert!(
        p > floor - 0.0005 && p < 1.0 - TIN + 0.0005,
        "USDC back in the band: {p0} → {p} (break-even {floor}, PSM {})",
        1.0 - TIN
    );
    assert!(arb.rounds > 0);
    assert!(!arb.gem_to_psm.is_zero());
    assert!(arb.gem_from_psm.is_zero());
    assert!(!arb.pending(), "its last round mined");
    // The PSM holds what it was sold: ink (wad) = gem sold · 1e12.
    assert_eq!(psm_ink(&w), arb.gem_to_psm * tok(1, 12));
    // Each round gives back the PSM's DAI to the pool: DAI flat, USDC up by the profit.
    let (usdc1, dai1) = (
        w.ledger().balance(USDC, Holder::Agent(ARB)),
        w.ledger().balance(DAI, Holder::Agent(ARB)),
    );
    assert_eq!(dai1, dai0);
    let gain = usdc1 - usdc0;
    let floor_gain = arb.gem_to_psm * U256::from(5u64) / U256::from(10_000u64);
    assert!(
        gain >= floor_gain,
        "profit ≥ min_profit: {gain} on {}",
        arb.gem_to_psm
    );
    // Once in the band, it stops.
    let rounds = arb.rounds;
    let more = {
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(arbitrageur())];
        for _ in 0..5 {
            w.step(&mut agents).unwrap();
        }
        agents[0]
            .as_any()
            .downcast_ref::<PsmArbitrageur>()
            .unwrap()
            .rounds
    };
    assert_eq!(more, 0, "no round left in the band after {rounds}");
}

#[test]
fn usdc_rich_in_3pool_is_bought_from_the_psm() {
    // The PSM holds 100M USDC; DAI is dumped into the pool, so USDC is rich there.
    let mut w = psm_world(100_000_000);
    swap_now(&mut w, POOL, DAI, USDC, tok(70_000_000, 18));
    let p0 = usdc_in_dai(&w);
    assert!(p0 > 1.03, "USDC rich in the pool: {p0}");
    let ink0 = psm_ink(&w);
    let arb = run_arb(&mut w, 60);
    let p = usdc_in_dai(&w);
    // Break-even of gem → pool → DAI → PSM → gem: p (1 − fee) / (1 + tout) = 1 + min_profit.
    let ceiling = (1.0 + TOUT) * (1.0 + MIN_PROFIT) / (1.0 - POOL_FEE);
    assert!(
        p < ceiling + 0.0005 && p > 1.0 + TOUT - 0.0005,
        "USDC back in the band: {p0} → {p} (break-even {ceiling})"
    );
    assert!(arb.rounds > 0);
    assert!(arb.gem_to_psm.is_zero());
    assert!(!arb.gem_from_psm.is_zero());
    assert_eq!(psm_ink(&w), ink0 - arb.gem_from_psm * tok(1, 12));
}

#[test]
fn a_psm_short_of_gem_is_not_asked_for_more_than_it_holds() {
    // The PSM holds 1M USDC only; USDC is rich in the pool far beyond it.
    let mut w = psm_world(1_000_000);
    swap_now(&mut w, POOL, DAI, USDC, tok(70_000_000, 18));
    let arb = run_arb(&mut w, 30);
    assert!(arb.rounds > 0);
    assert!(arb.gem_from_psm <= tok(1_000_000, 6));
    let reverts = w.log().txs.iter().filter(|t| t.outcome.is_err()).count();
    assert_eq!(reverts, 0, "no buyGem above the PSM's ink");
}

#[test]
fn a_balanced_pool_gives_no_round() {
    let mut w = psm_world(10_000_000);
    let p0 = usdc_in_dai(&w);
    let (usdc0, dai0) = (
        w.ledger().balance(USDC, Holder::Agent(ARB)),
        w.ledger().balance(DAI, Holder::Agent(ARB)),
    );
    let arb = run_arb(&mut w, 20);
    assert_eq!(arb.rounds, 0);
    assert!(arb.gem_to_psm.is_zero() && arb.gem_from_psm.is_zero());
    assert_eq!(w.log().submitted, 0);
    assert_eq!(usdc_in_dai(&w), p0);
    assert_eq!(w.ledger().balance(USDC, Holder::Agent(ARB)), usdc0);
    assert_eq!(w.ledger().balance(DAI, Holder::Agent(ARB)), dai0);
}

#[test]
fn the_psm_ceiling_stops_the_arbitrage_without_an_error() {
    // A ceiling of 2M DAI: the arbitrageur sells at most that much gem to the PSM.
    let mut w = empty_world();
    let pool = StableSwap::three_pool(
        U256::from(100u64),
        U256::from(4_000_000u64),
        U256::from(5_000_000_000u64),
    );
    let c = Curve::new("3pool", pool, vec![(DAI, 18), (USDC, 6), (USDT, 6)]).unwrap();
    w.add_venue(Box::new(c));
    for (t, d) in [(DAI, 18), (USDC, 6), (USDT, 6)] {
        w.ledger_mut()
            .mint(t, Holder::Venue(POOL), tok(100_000_000, d))
            .unwrap();
    }
    w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
    let state = PsmState::new(
        6,
        wad_fraction(TIN),
        wad_fraction(TOUT),
        tok(2_000_000, 18 + 27),
    );
    w.add_venue(Box::new(Psm::new("psm-usdc-a", state, USDC, DAI)));
    w.ledger_mut()
        .mint(USDC, Holder::Agent(ARB), tok(20_000_000, 6))
        .unwrap();
    w.ledger_mut()
        .mint(DAI, Holder::Agent(ARB), tok(20_000_000, 18))
        .unwrap();
    swap_now(&mut w, POOL, USDC, DAI, tok(70_000_000, 6));
    let p0 = usdc_in_dai(&w);
    let arb = run_arb(&mut w, 30);
    assert!(arb.rounds > 0);
    assert!(arb.gem_to_psm <= tok(2_000_000, 6));
    assert!(arb.gem_to_psm > tok(1_000_000, 6), "{}", arb.gem_to_psm);
    let p = usdc_in_dai(&w);
    assert!(
        p > p0 && p < 0.99,
        "the ceiling leaves the depeg: {p0} → {p}"
    );
    let reverts = w.log().txs.iter().filter(|t| t.outcome.is_err()).count();
    assert_eq!(reverts, 0);
}

// ---------------------------------------------------------------------------------------
// Discount repayment: Aave v3.6 (USDC borrowable, WETH collateral) and a USDC/USDT pool.

mod repay {
    use super::*;

    const USDC: TokenId = 0;
    const USDT: TokenId = 1;
    const WETH: TokenId = 2;
    const AAVE: u32 = 0;
    const POOL: u32 = 0;
    const SUPPLIER: u32 = 50;
    const SINK: u32 = 60;
    const BORROWERS: [u32; 2] = [10, 11];

    fn aave() -> AaveV3 {
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
        let mut pool = Pool::new(ProtocolVersion::V3_6, T0);
        pool.init_reserve(T0, reserve("USDC", 6, 7500, 7800, 10450))
            .unwrap();
        pool.init_reserve(T0, reserve("WETH", 18, 8000, 8250, 10500))
            .unwrap();
        // AaveOracle: USD, 8 decimals. USDC counted at $1 (the oracle did not follow the
        // depeg far: the debt is repaid at face value).
        pool.set_asset_price(0, U256::from(100_000_000u64));
        pool.set_asset_price(1, U256::from(200_000_000_000u64));
        AaveV3::new("aave-v3", pool, vec![USDC, WETH]).unwrap()
    }

    /// The world: Aave with 10M USDC supplied; each borrower with 10 WETH supplied, 10,000 USDC
    /// borrowed (sent away) and 10,000 USDT in its wallet; a USDC/USDT pool with USDC at about
    /// 0.9 USDT; a direct feed of USDC's price on the pool. Returns the world and the feed.
    pub(super) fn world() -> (World, u32) {
        let mut w = empty_world();
        assert_eq!(w.add_protocol(Box::new(aave())), AAVE);
        // A = 100, fee 4 bp; coins 6 decimals (rates 1e30).
        let pool = StableSwap::new(
            vec![tok(1, 30), tok(1, 30)],
            U256::from(100u64),
            U256::from(4_000_000u64),
            U256::from(5_000_000_000u64),
        );
        let c = Curve::new("usdc-usdt", pool, vec![(USDC, 6), (USDT, 6)]).unwrap();
        assert_eq!(w.add_venue(Box::new(c)), POOL);
        w.ledger_mut()
            .mint(USDC, Holder::Venue(POOL), tok(448_000_000, 6))
            .unwrap();
        w.ledger_mut()
            .mint(USDT, Holder::Venue(POOL), tok(52_000_000, 6))
            .unwrap();
        w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
        let feed = w
            .oracles_mut()
            .add_feed(
                "USDC/USD",
                Source::Venue {
                    venue: POOL,
                    token: USDC,
                    quote_token: USDT,
                    quote_feed: None,
                },
                Publisher::Direct,
            )
            .unwrap();
        w.ledger_mut()
            .mint(USDC, Holder::Agent(SUPPLIER), tok(10_000_000, 6))
            .unwrap();
        let supply = Call::Supply {
            token: USDC,
            amount: tok(10_000_000, 6),
        };
        w.execute_now(SUPPLIER, Target::Protocol(AAVE), &supply)
            .unwrap();
        for b in BORROWERS {
            w.ledger_mut()
                .mint(WETH, Holder::Agent(b), tok(10, 18))
                .unwrap();
            let supply = Call::Supply {
                token: WETH,
                amount: tok(10, 18),
            };
            w.execute_now(b, Target::Protocol(AAVE), &supply).unwrap();
            let borrow = Call::Borrow {
                token: USDC,
                amount: tok(10_000, 6),
            };
            w.execute_now(b, Target::Protocol(AAVE), &borrow).unwrap();
            // The loan was spent: its USDC is gone from the wallet.
            w.ledger_mut()
                .transfer(USDC, Holder::Agent(b), Holder::Agent(SINK), tok(10_000, 6))
                .unwrap();
            w.ledger_mut()
                .mint(USDT, Holder::Agent(b), tok(10_000, 6))
                .unwrap();
        }
        (w, feed)
    }

    pub(super) fn spec(feed: u32) -> DiscountRepayerSpec {
        DiscountRepayerSpec {
            name: "usdc-borrowers".into(),
            protocol: AAVE,
            debt: USDC,
            pay: USDT,
            venue: POOL,
            accounts: BORROWERS.to_vec(),
            thresholds: vec![0.95, 0.85],
            price_feed: feed,
            every_blocks: 1,
            priority_gwei: 1.0,
        }
    }

    fn debt(w: &World, account: u32) -> U256 {
        w.protocol(AAVE)
            .unwrap()
            .debt_of(account, USDC, w.now())
            .unwrap()
    }

    #[test]
    fn a_borrower_below_its_threshold_buys_its_debt_at_a_discount_and_repays_it() {
        let (mut w, feed) = world();
        let p = w.view().venue(POOL).unwrap().price(USDC, USDT).unwrap();
        assert!(p > 0.88 && p < 0.92, "USDC at about 0.9 USDT: {p}");
        let debt0 = debt(&w, BORROWERS[1]);
        let mut agents: Vec<Box<dyn Agent>> =
            vec![Box::new(DiscountRepayer::new(spec(feed)).unwrap())];
        for _ in 0..5 {
            w.step(&mut agents).unwrap();
        }
        w.ledger().check_conservation().unwrap();
        w.check_invariants().unwrap();
        let r = agents[0]
            .as_any()
            .downcast_ref::<DiscountRepayer>()
            .unwrap();
        assert_eq!((r.swaps, r.repayers), (1, 1));
        // The first account: its whole USDT sold, its whole debt repaid, USDC left over.
        let first = BORROWERS[0];
        assert!(r.started(first));
        assert!(debt(&w, first).is_zero(), "{}", debt(&w, first));
        assert!(w.ledger().balance(USDT, Holder::Agent(first)).is_zero());
        let left = w.ledger().balance(USDC, Holder::Agent(first));
        assert!(left > tok(1_000, 6), "profit of the discount: {left}");
        // `repaid` is what Aave took (the debt with its interest), not the USDC bought.
        assert!(r.repaid >= tok(10_000, 6) && r.repaid < tok(10_001, 6));
        let bought = w
            .log()
            .txs
            .iter()
            .find(|t| matches!(t.call, Call::SwapExactIn { .. }))
            .and_then(|t| t.outcome.as_ref().ok())
            .unwrap()
            .effect
            .amount;
        assert_eq!(left, bought - r.repaid);
        // The second account: threshold 0.85 below the price, untouched.
        let second = BORROWERS[1];
        assert!(!r.started(second));
        assert_eq!(
            w.ledger().balance(USDT, Holder::Agent(second)),
            tok(10_000, 6)
        );
        assert!(w.ledger().balance(USDC, Holder::Agent(second)).is_zero());
        let d = debt(&w, second);
        assert!(d >= debt0 && d < debt0 + tok(1, 6), "{debt0} → {d}");
    }

    #[test]
    fn an_empty_wallet_is_done_and_a_price_above_every_threshold_does_nothing() {
        // Price above both thresholds: nothing.
        let (mut w, feed) = world();
        let mut s = spec(feed);
        s.thresholds = vec![0.80, 0.85];
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(DiscountRepayer::new(s).unwrap())];
        for _ in 0..3 {
            w.step(&mut agents).unwrap();
        }
        assert_eq!(w.log().submitted, 0);
        // Both below their thresholds, the first with no USDT: only the second swaps.
        let (mut w, feed) = world();
        let first = BORROWERS[0];
        w.ledger_mut()
            .burn(USDT, Holder::Agent(first), tok(10_000, 6))
            .unwrap();
        let mut s = spec(feed);
        s.thresholds = vec![0.95, 0.95];
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(DiscountRepayer::new(s).unwrap())];
        for _ in 0..5 {
            w.step(&mut agents).unwrap();
        }
        let r = agents[0]
            .as_any()
            .downcast_ref::<DiscountRepayer>()
            .unwrap();
        assert!(r.started(first));
        assert_eq!((r.swaps, r.repayers), (1, 1));
        assert!(!debt(&w, first).is_zero());
        assert!(debt(&w, BORROWERS[1]).is_zero());
        // Swap and repay, once each.
        assert_eq!(w.log().submitted, 2);
    }

    #[test]
    fn the_cohort_needs_one_threshold_per_account_and_consecutive_accounts() {
        let mut s = spec(0);
        s.thresholds = vec![0.95];
        assert!(DiscountRepayer::new(s).is_err());
        let mut s = spec(0);
        s.accounts = vec![10, 12];
        assert!(DiscountRepayer::new(s).is_err());
        assert!(DiscountRepayer::new(spec(0)).is_ok());
    }
}

// ---------------------------------------------------------------------------------------
// Collateral arbitrage: Compound v2 (USDC and USDT fixed at $1 by the oracle) and a
// USDC/USDT pool where USDC trades below par.

mod collateral {
    use super::*;
    use bankrun_compound::{
        CToken, Comptroller, JumpRateModelV2, PriceOracle, PriceSource, TokenConfig,
    };
    use bankrun_world::agents::{CollateralArbitrageur, CollateralArbitrageurSpec};
    use bankrun_world::protocols::CompoundV2;
    use bankrun_world::{CompoundCall, Protocol, TxRecord};

    const USDC: TokenId = 0;
    const USDT: TokenId = 1;
    const COMP: u32 = 0;
    const POOL: u32 = 0;
    /// The arbitrageur's agent id (agent 0).
    const ARB: u32 = 0;
    /// The account whose USDT funds Compound's USDT market.
    const SUPPLIER: u32 = 50;
    /// The pause guardian.
    const GUARDIAN: u32 = 60;
    /// USDC's collateral factor, 85.5 %; USDT is not collateral.
    const USDC_CF: u64 = 855; // per mille
    const USE_FRACTION: f64 = 0.9;
    const BELOW: f64 = 0.98;
    /// The arbitrageur's own USDC at the start.
    const WALLET: u64 = 1_000_000;
    /// The USDT market's rate model (per year, 1e18): base 2 %, 18 % at the 80 % kink, jump
    /// 400 %.
    fn rate_model() -> JumpRateModelV2 {
        JumpRateModelV2::from_per_year(tok(2, 16), tok(18, 16), tok(4, 18), tok(8, 17)).unwrap()
    }

    /// Compound v2 with a USDC market (CF 85.5 %) and a USDT market (CF 0), both priced at a
    /// fixed $1; close factor 50 %, incentive 1.08; an accrual every block.
    fn compound() -> CompoundV2 {
        let mut oracle = PriceOracle::new(tok(15, 16));
        for _ in [USDC, USDT] {
            oracle.push(TokenConfig {
                base_unit: tok(1, 6),
                source: PriceSource::FixedUsd(tok(1, 6)),
            });
        }
        let mut c = Comptroller::new(tok(5, 17), tok(108, 16), oracle);
        c.support_market(
            CToken::new(rate_model(), tok(2, 14), tok(1, 17), 0),
            tok(USDC_CF, 15),
        );
        c.support_market(
            CToken::new(rate_model(), tok(2, 14), tok(1, 17), 0),
            U256::ZERO,
        );
        CompoundV2::new("compound-v2", c, vec![USDC, USDT])
            .unwrap()
            .with_accrual(12, T0)
    }

    /// The world: Compound with `usdt_cash` USDT supplied by the supplier; a USDC/USDT pool
    /// (A = 100, fee 4 bp) holding `pool_usdc` and `pool_usdt`; the arbitrageur with
    /// `WALLET` USDC.
    fn world(pool_usdc: u64, pool_usdt: u64, usdt_cash: u64) -> World {
        let mut w = empty_world();
        assert_eq!(w.add_protocol(Box::new(compound())), COMP);
        let pool = StableSwap::new(
            vec![tok(1, 30), tok(1, 30)],
            U256::from(100u64),
            U256::from(4_000_000u64),
            U256::from(5_000_000_000u64),
        );
        let c = Curve::new("usdc-usdt", pool, vec![(USDC, 6), (USDT, 6)]).unwrap();
        assert_eq!(w.add_venue(Box::new(c)), POOL);
        w.ledger_mut()
            .mint(USDC, Holder::Venue(POOL), tok(pool_usdc, 6))
            .unwrap();
        w.ledger_mut()
            .mint(USDT, Holder::Venue(POOL), tok(pool_usdt, 6))
            .unwrap();
        w.with_venue(POOL, |v, env| v.sync_liquidity(env)).unwrap();
        w.ledger_mut()
            .mint(USDT, Holder::Agent(SUPPLIER), tok(usdt_cash, 6))
            .unwrap();
        let supply = Call::Supply {
            token: USDT,
            amount: tok(usdt_cash, 6),
        };
        w.execute_now(SUPPLIER, Target::Protocol(COMP), &supply)
            .unwrap();
        w.ledger_mut()
            .mint(USDC, Holder::Agent(ARB), tok(WALLET, 6))
            .unwrap();
        w
    }

    /// USDC at about 0.9 USDT (the pool of the discount repayers).
    fn depegged_world(usdt_cash: u64) -> World {
        let w = world(448_000_000, 52_000_000, usdt_cash);
        let p = usdc_price(&w);
        assert!(p < BELOW - 0.05, "USDC well below `below`: {p}");
        w
    }

    fn spec() -> CollateralArbitrageurSpec {
        CollateralArbitrageurSpec {
            name: "usdc-loop".into(),
            protocol: COMP,
            venue: POOL,
            collateral: (USDC, 6),
            borrow: (USDT, 6),
            below: BELOW,
            use_fraction: USE_FRACTION,
            min_clip: tok(1_000, 6),
            max_supply: tok(100_000_000, 6),
            max_debt: tok(3_000_000, 6),
            every_blocks: 1,
            priority_gwei: 1.0,
        }
    }

    fn usdc_price(w: &World) -> f64 {
        w.view().venue(POOL).unwrap().price(USDC, USDT).unwrap()
    }

    fn comp(w: &World) -> &CompoundV2 {
        w.protocol(COMP)
            .unwrap()
            .as_any()
            .downcast_ref::<CompoundV2>()
            .unwrap()
    }

    fn arb(agents: &[Box<dyn Agent>]) -> &CollateralArbitrageur {
        agents[0]
            .as_any()
            .downcast_ref::<CollateralArbitrageur>()
            .unwrap()
    }

    fn run(w: &mut World, agents: &mut [Box<dyn Agent>], blocks: u64) {
        for _ in 0..blocks {
            w.step(agents).unwrap();
        }
        w.ledger().check_conservation().unwrap();
        w.check_invariants().unwrap();
    }

    /// The arbitrageur's mined transactions.
    fn txs(w: &World) -> impl Iterator<Item = &TxRecord> {
        w.log().txs.iter().filter(|t| t.sender == ARB)
    }

    fn balance(w: &World, token: TokenId) -> U256 {
        w.ledger().balance(token, Holder::Agent(ARB))
    }

    /// The most interest `borrowed` can owe after `blocks`: the rate model's rate at 100 %
    /// utilisation, per block, twice over (a bound on compounding at these rates).
    fn interest_bound(borrowed: U256, blocks: u64) -> U256 {
        let e18 = tok(1, 18);
        let top = rate_model()
            .get_borrow_rate(U256::ZERO, e18, U256::ZERO)
            .unwrap();
        borrowed * top * U256::from(2 * blocks) / e18 + U256::from(1u64)
    }

    #[test]
    fn usdc_below_par_is_looped_into_compound_within_the_debt_budget() {
        let mut w = depegged_world(50_000_000);
        let s = spec();
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(CollateralArbitrageur::new(s.clone()))];
        let blocks = 60;
        run(&mut w, &mut agents, blocks);
        let a = arb(&agents);
        assert!(!a.supplied.is_zero() && !a.borrowed.is_zero());
        assert!(!a.sold.is_zero() && !a.bought.is_zero());
        // Its wallet's USDC and what it bought were supplied; its loans were sold.
        assert_eq!(tok(WALLET, 6) + a.bought, a.supplied + balance(&w, USDC));
        assert_eq!(a.borrowed, a.sold + balance(&w, USDT));
        assert!(
            a.supplied > tok(WALLET, 6),
            "it bought more: {}",
            a.supplied
        );
        // At least one USDC per USDT (its min_out), and below par more than that.
        assert!(a.bought > a.sold, "{} USDC for {} USDT", a.bought, a.sold);
        // The debt budget binds: within a clip below it, never above.
        assert!(a.borrowed <= s.max_debt, "{} > {}", a.borrowed, s.max_debt);
        assert!(
            a.borrowed + s.min_clip > s.max_debt,
            "budget used: {}",
            a.borrowed
        );
        // Compound's books: the deposit is what it supplied (no USDC borrowed: the exchange
        // rate stays), the debt is what it borrowed plus interest.
        let c = comp(&w);
        let supplies = txs(&w)
            .filter(|t| matches!(t.call, Call::Supply { .. }) && t.outcome.is_ok())
            .count() as u64;
        let deposit = c.deposit_of(ARB, USDC, w.now()).unwrap();
        assert!(deposit <= a.supplied && a.supplied - deposit <= U256::from(supplies));
        let debt = c.debt_of(ARB, USDT, w.now()).unwrap();
        assert!(
            debt >= a.borrowed && debt <= a.borrowed + interest_bound(a.borrowed, blocks),
            "debt {debt} for {} borrowed",
            a.borrowed
        );
        // Solvent at the oracle's $1: no shortfall, debt within the collateral's factor.
        let (_, shortfall) = c.comptroller().account_liquidity(ARB).unwrap();
        assert!(shortfall.is_zero(), "shortfall {shortfall}");
        assert!(debt <= deposit * U256::from(USDC_CF) / U256::from(1_000u64));
        // No transaction of its reverted.
        let reverts: Vec<_> = txs(&w).filter(|t| t.outcome.is_err()).collect();
        assert!(reverts.is_empty(), "{reverts:?}");
    }

    #[test]
    fn a_small_usdt_market_is_borrowed_to_its_cash_and_no_further() {
        let cash0 = 200_000;
        let mut w = depegged_world(cash0);
        let s = spec();
        let f = |x: U256| x.to::<u128>() as f64;
        // Its own USDC alone could borrow more than the market holds.
        let could = tok(WALLET, 6) * U256::from(USDC_CF) / U256::from(1_000u64);
        assert!(f(could) * USE_FRACTION > f(tok(cash0, 6)));
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(CollateralArbitrageur::new(s.clone()))];
        run(&mut w, &mut agents, 30);
        let a = arb(&agents);
        assert!(!a.borrowed.is_zero());
        assert!(a.borrowed <= tok(cash0, 6), "{} > cash {cash0}", a.borrowed);
        // Its first borrow, against its own USDC, was cut to the whole cash.
        let first = txs(&w)
            .find_map(|t| match t.call {
                Call::Borrow { amount, .. } => Some(amount),
                _ => None,
            })
            .unwrap();
        assert_eq!(first, tok(cash0, 6));
        let c = comp(&w);
        let m = &c.comptroller().markets[c.market_of(USDT).unwrap()].ctoken;
        assert!(m.cash < s.min_clip, "cash left: {}", m.cash);
        let util = f(m.total_borrows) / f(m.cash + m.total_borrows - m.total_reserves);
        assert!(util > 0.99, "utilisation {util}");
        // It asked for no borrow the cash could not pay.
        let reverts: Vec<_> = txs(&w).filter(|t| t.outcome.is_err()).collect();
        assert!(reverts.is_empty(), "{reverts:?}");
        let (_, shortfall) = c.comptroller().account_liquidity(ARB).unwrap();
        assert!(shortfall.is_zero());
    }

    #[test]
    fn a_paused_usdc_market_gets_no_more_supplies() {
        let mut w = depegged_world(50_000_000);
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(CollateralArbitrageur::new(spec()))];
        // Run until it holds USDC it bought and has not supplied yet.
        let mut steps = 0;
        while arb(&agents).bought.is_zero() {
            w.step(&mut agents).unwrap();
            steps += 1;
            assert!(steps < 20, "no purchase in {steps} blocks");
        }
        let held = balance(&w, USDC);
        assert!(!held.is_zero());
        let (supplied0, borrowed0, bought0) = {
            let a = arb(&agents);
            (a.supplied, a.borrowed, a.bought)
        };
        assert!(!supplied0.is_zero() && !borrowed0.is_zero());
        let deposit0 = comp(&w).deposit_of(ARB, USDC, w.now()).unwrap();
        let pause = Call::Compound(CompoundCall::MintPaused {
            token: USDC,
            paused: true,
        });
        w.execute_now(GUARDIAN, Target::Protocol(COMP), &pause)
            .unwrap();
        let paused_at = w.block();
        run(&mut w, &mut agents, 20);
        let a = arb(&agents);
        assert_eq!(a.supplied, supplied0, "no supply after the pause");
        let after: Vec<_> = txs(&w)
            .filter(|t| t.block > paused_at && matches!(t.call, Call::Supply { .. }))
            .collect();
        assert!(after.is_empty(), "supplies after the pause: {after:?}");
        // Its USDC stays in its wallet: held, plus anything bought since.
        assert_eq!(balance(&w, USDC), held + (a.bought - bought0));
        assert_eq!(
            comp(&w).deposit_of(ARB, USDC, w.now()).unwrap(),
            deposit0,
            "the deposit did not grow"
        );
        let (_, shortfall) = comp(&w).comptroller().account_liquidity(ARB).unwrap();
        assert!(shortfall.is_zero());
    }

    #[test]
    fn usdc_at_par_is_not_bought() {
        let mut w = world(100_000_000, 100_000_000, 50_000_000);
        let p0 = usdc_price(&w);
        assert!(p0 > BELOW, "USDC at par: {p0}");
        // USDT of its own to sell, besides what it borrows.
        let own = tok(100_000, 6);
        w.ledger_mut().mint(USDT, Holder::Agent(ARB), own).unwrap();
        let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(CollateralArbitrageur::new(spec()))];
        run(&mut w, &mut agents, 20);
        let a = arb(&agents);
        assert!(
            a.sold.is_zero() && a.bought.is_zero(),
            "{} → {}",
            a.sold,
            a.bought
        );
        assert!(!txs(&w).any(|t| matches!(t.call, Call::SwapExactIn { .. })));
        // A loan it could not turn into cheap USDC would only cost interest: none is taken.
        assert!(a.borrowed.is_zero(), "borrowed {}", a.borrowed);
        assert_eq!(balance(&w, USDT), own);
        assert_eq!(usdc_price(&w), p0);
    }
}
