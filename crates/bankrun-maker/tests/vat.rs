//! The Vat's own functions (`init`, `file`, `slip`, `frob`, `fold`), the adapters, the
//! Jug and `Spotter.poke`: reverts as in `vat.sol`, and the accounting identities.

use bankrun_maker::math::{RAY, WAD};
use bankrun_maker::spot::Spotter;
use bankrun_maker::{DaiJoin, GemJoin, Jug, MakerError, U256, Vat};
use proptest::prelude::*;

const ETH: usize = 0;
const A: u32 = 1;
const B: u32 = 2;
const VOW: u32 = 900;

fn wad(x: u64) -> U256 {
    U256::from(x) * WAD
}

fn rad(x: u64) -> U256 {
    wad(x) * RAY
}

fn w(x: i128) -> i128 {
    x * 1_000_000_000_000_000_000
}

/// ETH-A with spot 100 DAI/ETH (ray), line 1,000 DAI, Line 1,500, dust 20; A holds 10 ETH.
fn vat() -> Vat {
    let mut v = Vat::default();
    v.init(ETH).unwrap();
    v.file_spot(ETH, U256::from(100) * RAY).unwrap();
    v.file_line(ETH, rad(1_000)).unwrap();
    v.file_global_line(rad(1_500));
    v.file_dust(ETH, rad(20)).unwrap();
    GemJoin::new(ETH, 18).join(&mut v, A, wad(10)).unwrap();
    v
}

#[test]
fn init_sets_rate_once_and_frob_needs_it() {
    let mut v = Vat::default();
    assert_eq!(v.frob(0, A, A, A, 0, 0), Err(MakerError::UnknownId));
    v.init(1).unwrap();
    assert_eq!(v.ilk(1).unwrap().rate, RAY);
    assert_eq!(v.frob(0, A, A, A, 0, 0), Err(MakerError::IlkNotInit));
    assert_eq!(v.init(1), Err(MakerError::IlkAlreadyInit));
    assert_eq!(v.file_spot(2, RAY), Err(MakerError::UnknownId));
}

#[test]
fn frob_locks_gem_and_draws_dai() {
    let mut v = vat();
    v.frob(ETH, A, A, A, w(5), w(300)).unwrap();
    let u = v.urn(ETH, A);
    assert_eq!((u.ink, u.art), (wad(5), wad(300)));
    assert_eq!(v.gem_of(ETH, A), wad(5));
    assert_eq!(v.dai_of(A), rad(300));
    assert_eq!(v.debt, rad(300));
    assert_eq!(v.ilk(ETH).unwrap().art, wad(300));
    // Repay and free everything: the urn is empty again.
    v.frob(ETH, A, A, A, -w(5), -w(300)).unwrap();
    assert_eq!(v.urn(ETH, A).art, U256::ZERO);
    assert_eq!(
        (v.gem_of(ETH, A), v.dai_of(A), v.debt),
        (wad(10), U256::ZERO, U256::ZERO)
    );
}

#[test]
fn frob_respects_ceilings_safety_consent_and_dust() {
    let mut v = vat();
    // line: 1,000 DAI for the ilk.
    assert_eq!(
        v.frob(ETH, A, A, A, w(10), w(1_001)),
        Err(MakerError::CeilingExceeded)
    );
    // Line: 900 + 700 > 1,500 with each ilk below its own line.
    v.init(1).unwrap();
    v.file_spot(1, RAY * U256::from(1_000)).unwrap();
    v.file_line(1, rad(1_000)).unwrap();
    GemJoin::new(1, 18).join(&mut v, B, wad(10)).unwrap();
    v.frob(1, B, B, B, w(10), w(900)).unwrap();
    assert_eq!(
        v.frob(ETH, A, A, A, w(10), w(700)),
        Err(MakerError::CeilingExceeded)
    );
    // safe: 5 ETH at spot 100 carry at most 500 DAI.
    assert_eq!(v.frob(ETH, A, A, A, w(5), w(501)), Err(MakerError::NotSafe));
    v.frob(ETH, A, A, A, w(5), w(500)).unwrap();
    // Freeing collateral is riskier: refused; a repayment is not checked for safety.
    v.file_spot(ETH, U256::from(50) * RAY).unwrap();
    assert_eq!(v.frob(ETH, A, A, A, -1, 0), Err(MakerError::NotSafe));
    v.frob(ETH, A, A, A, 0, -w(10)).unwrap();
    // dust: a debt left between 0 and 20 DAI.
    v.file_spot(ETH, U256::from(100) * RAY).unwrap();
    assert_eq!(v.frob(ETH, A, A, A, 0, -w(475)), Err(MakerError::Dust));
    // Consent: B's gem cannot be locked into A's urn, nor A's urn repaid from B's DAI.
    assert_eq!(v.frob(ETH, A, B, A, 1, 0), Err(MakerError::NotAllowedV));
    assert_eq!(v.frob(ETH, A, A, B, 0, -1), Err(MakerError::NotAllowedW));
    // Failed frobs changed nothing.
    assert_eq!(v.urn(ETH, A).art, wad(490));
    assert_eq!(v.debt, rad(900 + 490));
}

#[test]
fn joins_and_exits_round_trip() {
    let mut v = vat();
    // A 6-decimal token: 2.5 units are 2.5e18 wad of gem.
    let usdc = GemJoin::new(3, 6);
    usdc.join(&mut v, B, U256::from(2_500_000u64)).unwrap();
    assert_eq!(v.gem_of(3, B), U256::from(2_500_000_000_000_000_000u128));
    assert_eq!(
        usdc.exit(&mut v, B, U256::from(2_500_001u64)),
        Err(MakerError::Underflow)
    );
    usdc.exit(&mut v, B, U256::from(2_500_000u64)).unwrap();
    assert_eq!(v.gem_of(3, B), U256::ZERO);
    // DAI: drawn, exited to ERC-20 (the adapter holds the Vat DAI), joined back by B.
    let dj = DaiJoin { address: 77 };
    v.frob(ETH, A, A, A, w(5), w(300)).unwrap();
    dj.exit(&mut v, A, wad(300)).unwrap();
    assert_eq!((v.dai_of(A), v.dai_of(77)), (U256::ZERO, rad(300)));
    assert_eq!(dj.join(&mut v, B, wad(301)), Err(MakerError::Underflow));
    dj.join(&mut v, B, wad(300)).unwrap();
    assert_eq!((v.dai_of(B), v.dai_of(77)), (rad(300), U256::ZERO));
    assert_eq!(v.debt, rad(300));
}

#[test]
fn drip_raises_debt_by_the_duty() {
    let mut v = vat();
    v.frob(ETH, A, A, A, w(10), w(500)).unwrap();
    let mut jug = Jug::new(VOW);
    jug.init(ETH, 1_000).unwrap();
    assert_eq!(jug.init(ETH, 1_000), Err(MakerError::JugIlkAlreadyInit));
    // 8 % a year: the per-second duty governance filed for ETH-A (1.08^(1/31536000)).
    let duty = U256::from(1_000_000_002_440_418_608_258_400_030u128);
    jug.file_duty(ETH, duty, 1_000).unwrap();
    assert_eq!(
        jug.file_duty(ETH, duty, 1_001),
        Err(MakerError::JugRhoNotUpdated)
    );
    // One second: rate = duty; the Vow gets Art·(duty − 1) rad.
    let rate = jug.drip(&mut v, ETH, 1_001).unwrap();
    assert_eq!(rate, duty);
    assert_eq!(v.dai_of(VOW), wad(500) * (duty - RAY));
    // A year later the rate is 1.08 on top of that second (to 1e-9).
    let rate = jug.drip(&mut v, ETH, 1_001 + 31_536_000).unwrap();
    let x = rate.to_string().parse::<f64>().unwrap() / 1e27;
    assert!((x - 1.08 * (1.0 + 2.440_418_6e-9)).abs() < 1e-9, "{x}");
    assert_eq!(v.debt, wad(500) * rate);
    assert_eq!(jug.drip(&mut v, ETH, 5), Err(MakerError::JugInvalidNow));
}

#[test]
fn spotter_poke_files_val_over_par_over_mat() {
    let mut v = vat();
    let s = Spotter::new(RAY * U256::from(3) / U256::from(2));
    let spot = s.poke(&mut v, ETH, wad(200), true).unwrap();
    // 200 / 1.5 = 133.33… DAI per ETH, floored at 27 decimals.
    let want = U256::from(200) * RAY * RAY / (RAY * U256::from(3) / U256::from(2));
    assert_eq!(spot, want);
    assert_eq!(spot / RAY, U256::from(133));
    assert_eq!(v.ilk(ETH).unwrap().spot, spot);
    // No current OSM value: spot 0 (the urn can no longer be bitten or drawn on).
    assert_eq!(s.poke(&mut v, ETH, wad(200), false).unwrap(), U256::ZERO);
    assert_eq!(v.ilk(ETH).unwrap().spot, U256::ZERO);
    assert_eq!(
        s.poke(&mut v, 9, wad(200), true),
        Err(MakerError::UnknownId)
    );
}

/// One random operation on three users.
#[derive(Debug, Clone)]
enum Op {
    Frob(u32, i64, i64),
    Grab(u32, u64, u64),
    Fold(i64),
    Exit(u32, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..3, -50i64..100, -500i64..1_000).prop_map(|(u, a, b)| Op::Frob(u, a, b)),
        (0u32..3, 0u64..50, 0u64..500).prop_map(|(u, a, b)| Op::Grab(u, a, b)),
        (-1_000i64..100_000).prop_map(Op::Fold),
        (0u32..3, 0u64..100).prop_map(|(u, x)| Op::Exit(u, x)),
    ]
}

proptest! {
    /// `debt = Σ dai`, `vice = Σ sin`, `debt = Art·rate + vice` and `Art = Σ art` after
    /// any sequence of frob/grab/fold/dai-exit, successful or reverted.
    #[test]
    fn accounting_identities_hold(ops in prop::collection::vec(op(), 1..60)) {
        let mut v = vat();
        v.file_line(ETH, rad(1_000_000)).unwrap();
        v.file_global_line(rad(1_000_000));
        v.file_dust(ETH, U256::ZERO).unwrap();
        for u in 0..3 {
            GemJoin::new(ETH, 18).join(&mut v, u, wad(1_000)).unwrap();
        }
        let dj = DaiJoin { address: 50 };
        for o in ops {
            let _ = match o {
                Op::Frob(u, a, b) => v.frob(ETH, u, u, u, w(a.into()) / 10, w(b.into()) / 10),
                Op::Grab(u, a, b) => {
                    let urn = v.urn(ETH, u);
                    let (dink, dart) = (urn.ink.min(wad(a)), urn.art.min(wad(b)));
                    v.grab_liquidate(ETH, u, 60, VOW, dink, dart)
                }
                Op::Fold(r) => v.fold(ETH, VOW, i128::from(r) * 1_000_000_000_000_000_000),
                Op::Exit(u, x) => dj.exit(&mut v, u, wad(x)),
            };
            let dai: U256 = v.dai.values().copied().sum();
            let sin: U256 = v.sin.values().copied().sum();
            let i = v.ilk(ETH).unwrap();
            let art: U256 = v.urns.values().map(|u| u.art).sum();
            prop_assert_eq!(v.debt, dai);
            prop_assert_eq!(v.vice, sin);
            prop_assert_eq!(v.debt, i.art * i.rate + v.vice);
            prop_assert_eq!(i.art, art);
        }
    }
}
