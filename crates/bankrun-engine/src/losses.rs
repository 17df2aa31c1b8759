//! Who bore the losses of an Aave run, and the exposure graph of its book (issue "The April
//! 2026 run as it happened", items 6 and 7).
//!
//! Every pool account belongs to a *cohort*: its depositor class (`depositors/<class>`), its
//! borrower book (`borrowers/<label>`), `attacker`, `liquidators/<label>`, `rescue-fund`,
//! `umbrella`, or `passive` (the accounts the engine adds to fill each reserve to its
//! published totals). Losses are attributed to the cohort whose positions caused them and to
//! who bears them; the graph links cohorts to the reserves they supply and borrow, reserves
//! to the protocol and to their oracle feeds.

use std::collections::BTreeMap;

use bankrun_aave::{AssetId, U256, UserId};
use bankrun_chain::units::{base_to_usd, units_to_tokens};
use bankrun_metrics::{GraphEdge, GraphNode, LossRow, LossSummary};

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
            None => "passive".to_owned(),
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

    /// The exposure graph of the pool's book now, labelled `snapshot`.
    pub(crate) fn graph(&self, snapshot: &str) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let pool = self.pool.get();
        let t = self.t();
        let prices: Vec<f64> = (0..self.assets.len()).map(|a| self.price_usd(a)).collect();
        let mut cohorts: BTreeMap<String, f64> = BTreeMap::new();
        let mut edges: BTreeMap<(String, String, &'static str), f64> = BTreeMap::new();
        let mut supplied = vec![0.0; self.assets.len()];
        for user in 0..pool.user_count() as UserId {
            let Some(acc) = pool.user(user) else {
                continue;
            };
            let mut held = Vec::new();
            for (a, info) in self.assets.iter().enumerate() {
                let s = units_to_tokens(pool.supply_balance(t, user, a), info.decimals) * prices[a];
                let d = units_to_tokens(pool.debt_balance(t, user, a), info.decimals) * prices[a];
                let kind = if acc.is_using_as_collateral(a) {
                    "collateral"
                } else {
                    "supply"
                };
                supplied[a] += s;
                held.extend(
                    [(a, kind, s), (a, "debt", d)]
                        .into_iter()
                        .filter(|x| x.2 > 0.0),
                );
            }
            if held.is_empty() {
                continue;
            }
            let cohort = self.cohort_of(user);
            for (a, kind, usd) in held {
                *cohorts.entry(cohort.clone()).or_default() += usd;
                let target = format!("asset/{}", self.assets[a].symbol);
                *edges.entry((cohort.clone(), target, kind)).or_default() += usd;
            }
        }
        let node = |id: String, kind: &str, value_usd: f64| GraphNode {
            snapshot: snapshot.to_owned(),
            id,
            kind: kind.to_owned(),
            value_usd,
        };
        let total = supplied.iter().fold(0.0, |s, x| s + x);
        let mut nodes = vec![node(PROTOCOL.to_owned(), "protocol", total)];
        let mut oracles: BTreeMap<String, f64> = BTreeMap::new();
        for (a, info) in self.assets.iter().enumerate() {
            let id = format!("asset/{}", info.symbol);
            nodes.push(node(id.clone(), "asset", supplied[a]));
            edges.insert((id.clone(), PROTOCOL.to_owned(), "listing"), supplied[a]);
            let feed = format!("oracle/{}", self.scn.scenario.market.reserves[a].price);
            *oracles.entry(feed.clone()).or_default() += supplied[a];
            edges.insert((id, feed, "oracle"), supplied[a]);
        }
        for c in &self.scn.scenario.oracles.capo {
            let id = format!("oracle/{}", c.name);
            let usd = oracles.get(&id).copied().unwrap_or(0.0);
            *oracles
                .entry(format!("oracle/{}", c.base_feed))
                .or_default() += 0.0;
            edges.insert((id, format!("oracle/{}", c.base_feed), "base feed"), usd);
        }
        nodes.extend(oracles.into_iter().map(|(id, v)| node(id, "oracle", v)));
        nodes.extend(cohorts.into_iter().map(|(id, v)| node(id, "cohort", v)));
        let edges = edges
            .into_iter()
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
