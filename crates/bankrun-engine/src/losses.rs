//! Who bore the losses of an Aave run, and the exposure graph of its book (issue "The April
//! 2026 run as it happened", items 6 and 7).
//!
//! Every pool account belongs to a *cohort*: its depositor class (`depositors/<class>`), its
//! borrower book (`borrowers/<label>`), `attacker`, `liquidators/<label>`, `rescue-fund`,
//! `umbrella`, or `passive` (the accounts the engine adds to fill each reserve to its
//! published totals). Losses are attributed to the cohort whose positions caused them and to
//! who bears them; the graph links cohorts to the reserves they supply and borrow, reserves
//! to their protocol (the pool or a Compound III market) and to their oracle feeds.

use std::collections::BTreeMap;

use bankrun_aave::{AssetId, U256, UserId};
use bankrun_chain::TokenId;
use bankrun_chain::units::{base_to_usd, u256_to_f64, units_to_tokens};
use bankrun_metrics::{GraphEdge, GraphNode, LossRow, LossSummary};
use bankrun_world::World;
use bankrun_world::protocols::Comet;

use crate::population::{Population, Sender};

/// Node id of the Aave pool in the exposure graph.
const PROTOCOL: &str = "protocol/aave";

/// A backstop payment as it took effect.
#[derive(Debug, Clone)]
pub struct Backstop {
    /// `repaid by rescue` or `deficit covered`.
    pub loss: &'static str,
    /// The event's label (who paid).
    pub label: String,
    /// Reserve.
    pub asset: AssetId,
    /// Cohort of the account repaid for (empty for a deficit cover).
    pub source: String,
    /// Whole tokens.
    pub tokens: f64,
    /// USD at the oracle price of the moment.
    pub usd: f64,
}

/// An account below health factor 1 at the end.
struct Underwater {
    user: UserId,
    /// Debt, USD (the pool's `totalDebtBase`).
    debt_usd: f64,
    /// Debt by reserve, USD at the oracle prices (the weights of the split by reserve).
    debt_by_reserve: Vec<f64>,
    /// Collateral, USD (the pool's `totalCollateralBase`).
    collateral_usd: f64,
}

impl Population {
    /// The cohort of pool account `user` (see the module docs).
    pub fn cohort_of(&self, user: UserId) -> String {
        let s = &self.scn.scenario;
        match self.owner.get(user as usize).copied().flatten() {
            Some(Sender::Depositor(i)) => {
                format!(
                    "depositors/{}",
                    s.depositors[self.depositors[i as usize].class].class
                )
            }
            Some(Sender::Borrower(i)) => {
                format!(
                    "borrowers/{}",
                    s.borrowers[self.borrowers[i as usize].book].label
                )
            }
            Some(Sender::Liquidator(j)) => {
                format!(
                    "liquidators/{}",
                    s.liquidators[self.liquidators[j as usize].spec].label
                )
            }
            None if self.attackers.contains(&user) => "attacker".to_owned(),
            None if user == self.rescuer => "rescue-fund".to_owned(),
            None if self.umbrella.values().any(|&u| u == user) => "umbrella".to_owned(),
            None => match self.large_suppliers.iter().find(|(_, u)| **u == user) {
                Some(((_, label), _)) => format!("large-supplier/{label}"),
                None => "passive".to_owned(),
            },
        }
    }

    /// Records a backstop payment of `units` of reserve `asset`.
    pub(crate) fn record_backstop(
        &mut self,
        loss: &'static str,
        label: &str,
        asset: AssetId,
        source: String,
        units: U256,
    ) {
        let tokens = self.tokens(asset, units);
        let usd = tokens * self.price_usd(asset);
        self.rec.backstops.push(Backstop {
            loss,
            label: label.to_owned(),
            asset,
            source,
            tokens,
            usd,
        });
    }

    /// Accounts below health factor 1 at the end (found through the liquidation index,
    /// confirmed with the pool's exact health factor), in account order.
    fn underwater(&self) -> Vec<Underwater> {
        let pool = self.pool.get();
        let t = self.t();
        let mut users: Vec<UserId> = (self.index.candidates(&pool, t).into_iter())
            .map(|(u, _)| u)
            .collect();
        users.sort_unstable();
        users.dedup();
        let one = U256::from(1_000_000_000_000_000_000u64);
        users
            .into_iter()
            .filter_map(|user| {
                let a = pool.user_account_data(t, user);
                (a.health_factor < one).then(|| Underwater {
                    user,
                    debt_usd: base_to_usd(a.total_debt_base),
                    debt_by_reserve: (0..self.assets.len())
                        .map(|r| self.tokens(r, pool.debt_balance(t, user, r)) * self.price_usd(r))
                        .collect(),
                    collateral_usd: base_to_usd(a.total_collateral_base),
                })
            })
            .collect()
    }

    /// `(accounts, debt USD, latent bad debt USD)` of the accounts underwater at the end.
    pub(crate) fn underwater_totals(&self) -> (u64, f64, f64) {
        let u = self.underwater();
        let bad = (u.iter()).fold(0.0, |s, x| s + (x.debt_usd - x.collateral_usd).max(0.0));
        (
            u.len() as u64,
            u.iter().fold(0.0, |s, x| s + x.debt_usd),
            bad,
        )
    }

    /// The loss-bearing summary at the end of the run.
    pub(crate) fn loss_summary(&self) -> LossSummary {
        let mut rows: BTreeMap<(String, String, String, String), (f64, f64)> = BTreeMap::new();
        let mut add = |loss: &str, reserve: &str, source: &str, borne_by: &str, tok, usd| {
            let k = (loss.into(), reserve.into(), source.into(), borne_by.into());
            let e = rows.entry(k).or_insert((0.0, 0.0));
            e.0 += tok;
            e.1 += usd;
        };
        let mut out = LossSummary::default();
        self.deficit_rows(&mut add, &mut out);
        for b in &self.rec.backstops {
            let sym = &self.assets[b.asset].symbol;
            add(b.loss, sym, &b.source, &b.label, b.tokens, b.usd);
            match b.loss {
                "deficit covered" => out.deficit_covered_usd += b.usd,
                _ => out.rescued_usd += b.usd,
            }
        }
        for w in self.underwater() {
            let bad = (w.debt_usd - w.collateral_usd).max(0.0);
            let weights = w.debt_by_reserve.iter().fold(0.0, |s, x| s + x);
            if bad <= 0.0 || weights <= 0.0 {
                continue;
            }
            out.latent_bad_debt_usd += bad;
            let source = self.cohort_of(w.user);
            for (r, d) in w
                .debt_by_reserve
                .iter()
                .enumerate()
                .filter(|(_, d)| **d > 0.0)
            {
                let usd = bad * d / weights;
                let sym = &self.assets[r].symbol;
                let bearer = format!("{sym} suppliers, unless recovered");
                add(
                    "latent bad debt",
                    sym,
                    &source,
                    &bearer,
                    usd / self.price_usd(r),
                    usd,
                );
            }
        }
        for l in &self.rec.liquidations {
            let seized = l.debt_repaid_usd + l.bonus_usd;
            if l.bonus_usd <= 0.0 || seized <= 0.0 {
                continue;
            }
            out.liquidation_bonus_usd += l.bonus_usd;
            let tokens = (l.collateral_to_liquidator + l.protocol_fee) * l.bonus_usd / seized;
            let source = self.cohort_of(l.user);
            let bearer = "liquidated borrowers (to liquidators and the treasury)";
            add(
                "liquidation bonus",
                &l.collateral_asset,
                &source,
                bearer,
                tokens,
                l.bonus_usd,
            );
        }
        out.rows = rows
            .into_iter()
            .map(
                |((loss, reserve, source, borne_by), (tokens, usd))| LossRow {
                    loss,
                    reserve,
                    source,
                    borne_by,
                    tokens,
                    usd,
                },
            )
            .collect();
        out.rows.sort_by_key(|r| loss_order(&r.loss));
        out
    }

    /// Deficit booked per reserve (`covered + still on the reserve`), split by the cohorts
    /// whose liquidations created it, and the deficit not covered.
    fn deficit_rows(
        &self,
        add: &mut impl FnMut(&str, &str, &str, &str, f64, f64),
        out: &mut LossSummary,
    ) {
        let pool = self.pool.get();
        for (a, info) in self.assets.iter().enumerate() {
            let left = self.tokens(a, pool.reserve(a).deficit);
            let covered = (self.rec.backstops.iter())
                .filter(|b| b.asset == a && b.loss == "deficit covered")
                .fold(0.0, |s, b| s + b.tokens);
            let booked = left + covered;
            let mut by_source: BTreeMap<String, f64> = BTreeMap::new();
            for l in self.rec.liquidations.iter() {
                if l.debt_asset == info.symbol && l.deficit_created_usd > 0.0 {
                    *by_source.entry(self.cohort_of(l.user)).or_default() += l.deficit_created_usd;
                    out.deficit_booked_usd += l.deficit_created_usd;
                }
            }
            if booked > 0.0 {
                if by_source.is_empty() {
                    by_source.insert(String::new(), booked * self.price_usd(a));
                }
                let sum = by_source.values().fold(0.0, |s, x| s + x);
                for (source, usd) in &by_source {
                    let tokens = booked * usd / sum;
                    add("deficit booked", &info.symbol, source, "", tokens, *usd);
                }
            }
            if left > 0.0 {
                let usd = left * self.price_usd(a);
                out.deficit_not_covered_usd += usd;
                let bearer = format!("{} suppliers", info.symbol);
                add("deficit not covered", &info.symbol, "", &bearer, left, usd);
            }
        }
    }

    /// The exposure graph of the book now, labelled `snapshot`: the pool's and each
    /// Compound III market's of `chain` (see [`Sums`] for the ids and edge kinds).
    pub(crate) fn graph(&self, chain: &World, snapshot: &str) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let mut g = Sums::default();
        self.aave_graph(&mut g);
        self.comet_graph(chain, &mut g);
        for c in &self.scn.scenario.oracles.capo {
            let id = format!("oracle/{}", c.name);
            let usd = g.oracles.get(&id).copied().unwrap_or(0.0);
            let base = format!("oracle/{}", c.base_feed);
            *g.oracles.entry(base.clone()).or_default() += 0.0;
            g.edges.insert((id, base, "base feed"), usd);
        }
        g.into_graph(snapshot)
    }

    /// The pool's positions (cohort → `asset/<symbol>`) and its reserves, listed on
    /// [`PROTOCOL`], into `g`; USD at the pool's oracle prices.
    fn aave_graph(&self, g: &mut Sums) {
        let pool = self.pool.get();
        let t = self.t();
        let prices: Vec<f64> = (0..self.assets.len()).map(|a| self.price_usd(a)).collect();
        let ids: Vec<String> = (self.assets.iter())
            .map(|info| format!("asset/{}", info.symbol))
            .collect();
        let mut supplied = vec![0.0; self.assets.len()];
        for user in 0..pool.user_count() as UserId {
            let Some(acc) = pool.user(user) else {
                continue;
            };
            let mut cohort = None;
            for (a, info) in self.assets.iter().enumerate() {
                let s = units_to_tokens(pool.supply_balance(t, user, a), info.decimals) * prices[a];
                let d = units_to_tokens(pool.debt_balance(t, user, a), info.decimals) * prices[a];
                let kind = if acc.is_using_as_collateral(a) {
                    "collateral"
                } else {
                    "supply"
                };
                supplied[a] += s;
                for (kind, usd) in [(kind, s), ("debt", d)].into_iter().filter(|x| x.1 > 0.0) {
                    let c = cohort.get_or_insert_with(|| self.cohort_of(user));
                    g.position(c, &ids[a], kind, usd);
                }
            }
        }
        let reserves = (self.scn.scenario.market.reserves.iter().enumerate())
            .map(|(a, r)| (ids[a].clone(), r.price.as_str(), supplied[a]))
            .collect();
        g.protocol(PROTOCOL, reserves);
    }

    /// Each Compound III market of `chain` into `g`, as the pool is: node
    /// `protocol/<market>`, reserves `asset/<market>/<symbol>` (the base and each collateral,
    /// priced by the feed the market reads), cohorts' base supply (`supply`), collateral
    /// (`collateral`) and base borrowed (`debt`); USD at the market's own prices (its feeds'
    /// last answers, or the price governance holds).
    fn comet_graph(&self, chain: &World, g: &mut Sums) {
        let now = chain.now();
        for (info, spec) in self.comets.iter().zip(&self.scn.scenario.comets) {
            let Some(c) = crate::comets::market(chain, info.protocol) else {
                continue;
            };
            let feeds =
                std::iter::once(&spec.base_price).chain(spec.collateral.iter().map(|x| &x.price));
            let assets: Vec<(AssetId, &str)> = std::iter::once(info.base)
                .chain(info.collateral.iter().map(|x| x.0))
                .zip(feeds.map(String::as_str))
                .collect();
            let ids: Vec<String> = (assets.iter())
                .map(|(a, _)| format!("asset/{}/{}", info.name, self.assets[*a].symbol))
                .collect();
            let supplied = self.comet_positions(g, c, &assets, &ids, now);
            let reserves = (assets.iter().zip(ids).zip(supplied))
                .map(|(((_, feed), id), usd)| (id, *feed, usd))
                .collect();
            g.protocol(&format!("protocol/{}", info.name), reserves);
        }
    }

    /// The positions of market `c`'s accounts into `g`, on reserve nodes `ids` (of `assets`:
    /// the base, then the collaterals by offset); returns each reserve's supplied USD.
    fn comet_positions(
        &self,
        g: &mut Sums,
        c: &Comet,
        assets: &[(AssetId, &str)],
        ids: &[String],
        now: u64,
    ) -> Vec<f64> {
        let m = c.market();
        let usd = |k: usize, units: U256| {
            let (a, _) = assets[k];
            let price = c.price(a as TokenId).map_or(0.0, |p| u256_to_f64(p) / 1e8);
            self.tokens(a, units) * price
        };
        let mut supplied = vec![0.0; assets.len()];
        for &account in m.accounts.keys() {
            let base = [
                (0, "supply", m.balance_of(account, now)),
                (0, "debt", m.borrow_balance_of(account, now)),
            ];
            let collateral = (1..assets.len()).map(|k| {
                (
                    k,
                    "collateral",
                    Ok(m.collateral_balance_of(account, (k - 1) as u8)),
                )
            });
            let mut cohort = None;
            for (k, kind, units) in base.into_iter().chain(collateral) {
                let v = usd(k, units.unwrap_or_default());
                if kind != "debt" {
                    supplied[k] += v;
                }
                if v > 0.0 {
                    let c = cohort.get_or_insert_with(|| self.cohort_of(account));
                    g.position(c, &ids[k], kind, v);
                }
            }
        }
        supplied
    }
}

/// The exposure graph as it is summed, USD at the snapshot's oracle prices. Node ids:
/// `protocol/aave` and `protocol/<market>` (a Compound III market); reserves `asset/<symbol>`
/// (the pool's) and `asset/<market>/<symbol>`; `oracle/<feed>`; cohorts (see the module
/// docs). Edge kinds: `supply`, `collateral`, `debt` (cohort → reserve), `listing` (reserve
/// → protocol), `oracle` (reserve → the feed pricing it), `base feed` (CAPO feed → the feed
/// it multiplies).
#[derive(Default)]
struct Sums {
    /// Protocol and reserve nodes in order: `(id, kind, supplied USD)`.
    listed: Vec<(String, &'static str, f64)>,
    /// Cohort node id → supplied plus borrowed, USD.
    cohorts: BTreeMap<String, f64>,
    /// Oracle node id → the supply it prices, USD.
    oracles: BTreeMap<String, f64>,
    /// `(source, target, kind)` → USD.
    edges: BTreeMap<(String, String, &'static str), f64>,
}

impl Sums {
    /// Adds `usd` (USD) of `cohort`'s `kind` position on reserve node `reserve`.
    fn position(&mut self, cohort: &str, reserve: &str, kind: &'static str, usd: f64) {
        *self.cohorts.entry(cohort.to_owned()).or_default() += usd;
        let key = (cohort.to_owned(), reserve.to_owned(), kind);
        *self.edges.entry(key).or_default() += usd;
    }

    /// Protocol node `protocol` (worth its reserves' supply) and its reserves `(id, feed,
    /// supplied USD)`, each with its `listing` and `oracle` edges.
    fn protocol(&mut self, protocol: &str, reserves: Vec<(String, &str, f64)>) {
        let total = reserves.iter().fold(0.0, |s, r| s + r.2);
        self.listed.push((protocol.to_owned(), "protocol", total));
        for (id, feed, usd) in reserves {
            self.listed.push((id.clone(), "asset", usd));
            self.edges
                .insert((id.clone(), protocol.to_owned(), "listing"), usd);
            let feed = format!("oracle/{feed}");
            *self.oracles.entry(feed.clone()).or_default() += usd;
            self.edges.insert((id, feed, "oracle"), usd);
        }
    }

    /// The nodes (protocols and reserves, oracles, cohorts) and the edges worth more than
    /// zero, labelled `snapshot`.
    fn into_graph(self, snapshot: &str) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let node = |(id, kind, value_usd): (String, &str, f64)| GraphNode {
            snapshot: snapshot.to_owned(),
            id,
            kind: kind.to_owned(),
            value_usd,
        };
        let oracles = self.oracles.into_iter().map(|(id, v)| (id, "oracle", v));
        let cohorts = self.cohorts.into_iter().map(|(id, v)| (id, "cohort", v));
        let nodes = (self.listed.into_iter().chain(oracles).chain(cohorts))
            .map(node)
            .collect();
        let edges = (self.edges.into_iter())
            .filter(|(_, usd)| *usd > 0.0)
            .map(|((source, target, kind), usd)| GraphEdge {
                snapshot: snapshot.to_owned(),
                source,
                target,
                kind: kind.to_owned(),
                usd,
            })
            .collect();
        (nodes, edges)
    }
}

/// Order of the loss kinds in the table.
fn loss_order(loss: &str) -> usize {
    [
        "deficit booked",
        "deficit covered",
        "deficit not covered",
        "latent bad debt",
        "repaid by rescue",
        "liquidation bonus",
    ]
    .iter()
    .position(|l| *l == loss)
    .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use bankrun_metrics::{GraphEdge, GraphNode};
    use bankrun_scenario::{DEFAULT_SCENARIO, load_embedded};

    /// The exposure graph of the default scenario's starting book.
    fn start_graph() -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let s = load_embedded(DEFAULT_SCENARIO).expect("the default scenario loads");
        let sim = crate::setup::build(&s, s.scenario.scenario.seed).expect("builds");
        let w = sim.population();
        w.graph(sim.chain(), "start")
    }

    /// Each Compound III market is a protocol node worth its reserves' listings, with its
    /// base supplied and borrowed, its collateral held, and each reserve priced by the feed
    /// the market reads; the pool's protocol node is still the sum of the pool's listings.
    #[test]
    fn the_graph_draws_each_comet_beside_the_pool() {
        let (nodes, edges) = start_graph();
        let node = |id: &str| {
            (nodes.iter())
                .find(|n| n.id == id)
                .unwrap_or_else(|| panic!("no node {id}"))
        };
        let edge = |source: &str, target: &str, kind: &str| {
            (edges.iter())
                .find(|e| e.source == source && e.target == target && e.kind == kind)
                .map_or(0.0, |e| e.usd)
        };
        let listed = |protocol: &str| {
            (edges.iter())
                .filter(|e| e.kind == "listing" && e.target == protocol)
                .fold(0.0, |s, e| s + e.usd)
        };
        for protocol in [
            "protocol/aave",
            "protocol/compound-v3-weth",
            "protocol/compound-v3-wsteth",
        ] {
            let n = node(protocol);
            assert_eq!(n.kind, "protocol");
            assert!(n.value_usd > 0.0, "{n:?}");
            assert!(
                (listed(protocol) - n.value_usd).abs() <= 1e-9 * n.value_usd,
                "{protocol}"
            );
        }
        let weth = "asset/compound-v3-weth/WETH";
        let rseth = "asset/compound-v3-weth/rsETH";
        assert_eq!(node(weth).kind, "asset");
        // 100,000 WETH supplied (`total_supplied`), at ~$2,367.
        let supplied = edge("passive", weth, "supply");
        assert!(supplied > 2.0e8 && supplied < 2.6e8, "{supplied}");
        assert!(edge("passive", weth, "debt") > 0.0);
        assert!(edge("passive", rseth, "collateral") > 0.0);
        assert!(edge("passive", "asset/compound-v3-wsteth/rsETH", "collateral") > 0.0);
        assert!(edge(weth, "oracle/ETH", "oracle") > 0.0);
        assert!(edge(rseth, "oracle/rsETH", "oracle") > 0.0);
        assert!(edge("asset/compound-v3-wsteth/wstETH", "oracle/wstETH", "oracle") > 0.0);
        // The pool's reserves keep their ids, and the attacker has not borrowed yet.
        assert!(edge("asset/WETH", "protocol/aave", "listing") > 0.0);
        assert_eq!(edge("attacker", weth, "debt"), 0.0);
    }
}
