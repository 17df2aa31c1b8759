//! The world's block mechanics: the gas market's inclusion price, submission latency, time to
//! live, oracle gas taken ahead of agents, the scheduled and after-block phases, exact-output
//! buys and quotes on venues, and the OSM reading another feed.

use std::cell::RefCell;
use std::rc::Rc;

use bankrun_aave::U256;
use bankrun_chain::Holder;
use bankrun_chain::gas::{GasMarket, GasModel};
use bankrun_chain::prices::PricePath;
use bankrun_world::venues::UniswapV2;
use bankrun_world::{
    Agent, AgentId, Call, ChainConfig, GasSchedule, Publisher, Source, Submission, Target,
    TxRecord, View, World, WorldError,
};

const T0: u64 = 1_700_000_000;
const WETH: u32 = 0;
const USD: u32 = 1;

fn tok(x: u64) -> U256 {
    U256::from(x) * U256::from(10u8).pow(U256::from(18u8))
}

/// A world with one WETH/USD pool of 1,000 WETH at 2,000 USD.
fn world() -> World {
    let mut w = World::new(
        ChainConfig {
            start: T0,
            block_time_s: 12,
            block_gas: 1_000_000,
            gas: GasSchedule::default(),
        },
        3,
    );
    let v = w.add_venue(Box::new(UniswapV2::new(
        "pool",
        (WETH, 18),
        (USD, 18),
        false,
    )));
    w.ledger_mut()
        .mint(WETH, Holder::Venue(v), tok(1_000))
        .unwrap();
    w.ledger_mut()
        .mint(USD, Holder::Venue(v), tok(2_000_000))
        .unwrap();
    w.with_venue(v, |venue, env| venue.sync_liquidity(env))
        .unwrap();
    w
}

/// What an agent saw: (block, outcome ok, direct) per record, and drops.
#[derive(Default)]
struct Seen {
    mined: Vec<(u64, bool, bool)>,
    dropped: u32,
}

/// Sends `plan[block]` submissions in `act`, `direct` ones in the two direct phases, and
/// records what happens to them.
struct Scripted {
    plan: Vec<(u64, Submission)>,
    scheduled: Vec<(u64, Submission)>,
    after: Vec<(u64, Submission)>,
    seen: Rc<RefCell<Seen>>,
}

impl Scripted {
    fn new(seen: &Rc<RefCell<Seen>>) -> Self {
        Scripted {
            plan: Vec::new(),
            scheduled: Vec::new(),
            after: Vec::new(),
            seen: Rc::clone(seen),
        }
    }
}

fn due(list: &[(u64, Submission)], block: u64, out: &mut Vec<Submission>) {
    out.extend(list.iter().filter(|(b, _)| *b == block).map(|(_, s)| *s));
}

impl Agent for Scripted {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        "scripted"
    }

    fn act(
        &mut self,
        _: AgentId,
        v: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        due(&self.plan, v.block, out);
        Ok(())
    }

    fn scheduled(
        &mut self,
        _: AgentId,
        v: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        due(&self.scheduled, v.block, out);
        Ok(())
    }

    fn after_block(
        &mut self,
        _: AgentId,
        v: &View<'_>,
        out: &mut Vec<Submission>,
    ) -> Result<(), WorldError> {
        due(&self.after, v.block, out);
        Ok(())
    }

    fn on_mined(&mut self, r: &TxRecord) {
        self.seen
            .borrow_mut()
            .mined
            .push((r.block, r.outcome.is_ok(), r.direct));
    }

    fn on_dropped(&mut self, _: &Submission) {
        self.seen.borrow_mut().dropped += 1;
    }
}

fn sell(weth: u64, gwei: f64) -> Submission {
    Submission::new(
        Target::Venue(0),
        Call::SwapExactIn {
            token_in: WETH,
            token_out: USD,
            amount_in: tok(weth),
            min_out: U256::ZERO,
        },
        gwei,
    )
}

fn run(w: &mut World, agent: Scripted, blocks: u64) {
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(agent)];
    for _ in 0..blocks {
        w.step(&mut agents).unwrap();
    }
}

#[test]
fn a_bid_below_the_legacy_inclusion_price_waits_and_its_ttl_drops_it() {
    let mut w = world();
    w.ledger_mut()
        .mint(WETH, Holder::Agent(0), tok(10))
        .unwrap();
    // Every block's threshold is 50 gwei (p30 = p60 = p90, no noise).
    let flat = |x| PricePath::constant(0, x);
    w.set_gas_market(GasMarket::new(
        GasModel::Legacy {
            p30: flat(50.0),
            p60: flat(50.0),
            p90: flat(50.0),
            inclusion_percentile: 30.0,
            noise_sigma: 0.0,
        },
        1_000_000,
        1.0,
    ));
    w.set_tx_ttl(3);
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut a = Scripted::new(&seen);
    a.plan = vec![(1, sell(1, 10.0)), (1, sell(1, 60.0))];
    run(&mut w, a, 6);
    let s = seen.borrow();
    // The 60-gwei sale is mined at once; the 10-gwei one never, and is dropped after its ttl.
    assert_eq!(s.mined, vec![(1, true, false)]);
    assert_eq!(s.dropped, 1);
    assert_eq!((w.log().submitted, w.log().dropped), (2, 1));
    assert!(
        w.log()
            .blocks
            .iter()
            .all(|b| (b.min_price_gwei - 50.0).abs() < 1e-9)
    );
    assert_eq!(
        w.ledger().balance(WETH, Holder::Agent(0)),
        tok(9),
        "only one sale moved tokens"
    );
}

#[test]
fn latency_delays_inclusion_and_a_gas_limit_is_charged_on_a_revert() {
    let mut w = world();
    w.ledger_mut().mint(WETH, Holder::Agent(0), tok(1)).unwrap();
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut a = Scripted::new(&seen);
    let mut late = sell(1, 1.0);
    late.latency_blocks = 2;
    // Sells more than the sender holds: reverts, charged its own limit.
    let mut short = sell(5, 1.0);
    short.gas = Some(400_000);
    a.plan = vec![(1, late), (1, short)];
    run(&mut w, a, 4);
    assert_eq!(
        seen.borrow().mined,
        vec![(1, false, false), (3, true, false)]
    );
    let reverted = w.log().txs.iter().find(|t| t.outcome.is_err()).unwrap();
    assert_eq!(reverted.outcome.as_ref().unwrap_err().gas_used, 400_000);
}

#[test]
fn oracle_posts_take_their_gas_before_the_agents() {
    let mut w = world();
    w.ledger_mut().mint(WETH, Holder::Agent(0), tok(2)).unwrap();
    // A push feed of the pool's price: the first block's sale moves it 0.2 %, past the
    // 0.1 % deviation, so the next block has one post.
    w.oracles_mut()
        .add_feed(
            "WETH/USD",
            Source::Venue {
                venue: 0,
                token: WETH,
                quote_token: USD,
                quote_feed: None,
            },
            Publisher::Push {
                deviation_bps: 10,
                heartbeat_s: 86_400,
            },
        )
        .unwrap();
    w.publish_oracles().unwrap();
    w.set_oracle_update_gas(900_000);
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut a = Scripted::new(&seen);
    // 1,000,000 gas a block; a swap takes 120,000; after a 900,000-gas post only 100,000 is
    // left, so the second sale waits a block.
    a.plan = vec![(1, sell(1, 1.0)), (2, sell(1, 1.0))];
    run(&mut w, a, 3);
    let blocks = &w.log().blocks;
    assert_eq!(blocks[0].oracle_gas, 0);
    assert_eq!(blocks[1].oracle_gas, 900_000);
    assert_eq!(
        seen.borrow().mined,
        vec![(1, true, false), (3, true, false)]
    );
}

#[test]
fn scheduled_and_after_block_actions_run_at_once_in_order_and_are_recorded() {
    let mut w = world();
    w.ledger_mut().mint(WETH, Holder::Agent(0), tok(3)).unwrap();
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut a = Scripted::new(&seen);
    // A zero-gwei bid is fine for a direct action: it bypasses the mempool.
    a.scheduled = vec![(2, sell(1, 0.0))];
    a.after = vec![(2, sell(1, 0.0)), (2, sell(5, 0.0))];
    a.plan = vec![(2, sell(1, 1.0))];
    run(&mut w, a, 2);
    // Scheduled first, then the block's transaction, then the after-block ones in order (the
    // last one reverts: only 0 WETH left).
    assert_eq!(
        seen.borrow().mined,
        vec![
            (2, true, true),
            (2, true, false),
            (2, true, true),
            (2, false, true)
        ]
    );
    assert_eq!(w.ledger().balance(WETH, Holder::Agent(0)), U256::ZERO);
    let direct = w.log().txs.iter().filter(|t| t.direct).count();
    assert_eq!(direct, 3);
    assert!(w.log().txs.iter().filter(|t| t.direct).all(|t| {
        t.outcome
            .as_ref()
            .map_or_else(|r| r.gas_used, |r| r.gas_used)
            == 0
    }));
}

#[test]
fn an_exact_output_buy_pays_what_the_quote_of_its_inverse_implies() {
    let mut w = world();
    w.ledger_mut()
        .mint(USD, Holder::Agent(0), tok(10_000))
        .unwrap();
    let before = w.view().venue(0).unwrap().price(WETH, USD).unwrap();
    let buy = Call::BuyExactOut {
        token_in: USD,
        token_out: WETH,
        amount_out: tok(2),
        max_in: tok(10_000),
    };
    let paid = w.execute_now(0, Target::Venue(0), &buy).unwrap().amount;
    assert_eq!(w.ledger().balance(WETH, Holder::Agent(0)), tok(2));
    assert_eq!(
        w.ledger().balance(USD, Holder::Agent(0)),
        tok(10_000) - paid
    );
    // 2 WETH at ~2,000 with a 0.3 % fee and a little impact.
    let paid_usd = bankrun_chain::units::units_to_tokens(paid, 18);
    assert!(paid_usd > 4_012.0 && paid_usd < 4_030.0, "{paid_usd}");
    assert!(w.view().venue(0).unwrap().price(WETH, USD).unwrap() > before);
    // A limit below the cost reverts and changes nothing.
    let tight = Call::BuyExactOut {
        token_in: USD,
        token_out: WETH,
        amount_out: tok(2),
        max_in: paid - U256::from(1u8),
    };
    assert!(w.execute_now(0, Target::Venue(0), &tight).is_err());
    assert_eq!(w.ledger().balance(WETH, Holder::Agent(0)), tok(2));
    // The quote of a sale matches the sale, and its impact is the price's fall.
    let q = w
        .view()
        .venue(0)
        .unwrap()
        .quote_exact_in(WETH, USD, tok(1))
        .unwrap();
    let p0 = w.view().venue(0).unwrap().price(WETH, USD).unwrap();
    let got = w
        .execute_now(
            0,
            Target::Venue(0),
            &Call::SwapExactIn {
                token_in: WETH,
                token_out: USD,
                amount_in: tok(1),
                min_out: U256::ZERO,
            },
        )
        .unwrap()
        .amount;
    assert_eq!(got, q.out);
    let p1 = w.view().venue(0).unwrap().price(WETH, USD).unwrap();
    assert!(
        (q.impact - (1.0 - p1 / p0)).abs() < 1e-12,
        "{} vs {}",
        q.impact,
        1.0 - p1 / p0
    );
}

#[test]
fn a_warm_osm_reading_a_feed_releases_the_start_price_at_once_and_lags_one_hop() {
    let mut w = world();
    let reg = w.oracles_mut();
    let median = reg
        .add_feed(
            "median",
            Source::steps("median", vec![(0, 100.0), ((T0 + 1800) as i64, 80.0)]).unwrap(),
            Publisher::Push {
                deviation_bps: 100,
                heartbeat_s: 3600,
            },
        )
        .unwrap();
    let osm = reg
        .add_feed(
            "osm",
            Source::Feed(median),
            Publisher::Osm {
                hop_s: 3600,
                warm: true,
            },
        )
        .unwrap();
    // A feed may only read an earlier one.
    assert!(
        w.oracles_mut()
            .add_feed("bad", Source::Feed(9), Publisher::Direct)
            .is_err()
    );
    w.publish_oracles().unwrap();
    assert_eq!(w.oracles_mut().answer(osm).unwrap(), 100 * 100_000_000);
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut agents: Vec<Box<dyn Agent>> = vec![Box::new(Scripted::new(&seen))];
    // Two hours of 12 s blocks. T0 is 800 s into an hour. The median falls to 80 at
    // T0 + 1800; the OSM pokes it at the first block of the next hop (T0 + 2808, hop start
    // T0 + 2800) and releases it at the first block of the hop after (T0 + 6408).
    let mut answers = Vec::new();
    for _ in 0..600 {
        w.step(&mut agents).unwrap();
        answers.push((
            w.now() - T0,
            w.view().oracles.answer(osm).unwrap() / 100_000_000,
        ));
    }
    assert_eq!(T0 % 3600, 800);
    assert!(
        answers
            .iter()
            .all(|(t, a)| *a == if *t < 6408 { 100 } else { 80 }),
        "{answers:?}"
    );
}
