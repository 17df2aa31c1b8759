//! The "Losses and exposure" part of the Aave report and summary: who bore the losses
//! (deficit booked, covered, not covered, latent bad debt, rescues, liquidation bonus) and
//! the exposure graph of the book at the start and the end, with the flows between them.

use std::collections::BTreeMap;

use bankrun_metrics::{GraphEdge, GraphNode, LossRow, LossSummary, RunResult};

use crate::format::{tokens_usd, usd};
use crate::page::{Block, NetEdge, NetNode, Network, Section, Table};

/// Edge kinds of the exposure graph, in legend order.
const KINDS: [&str; 6] = [
    "supply",
    "collateral",
    "debt",
    "listing",
    "oracle",
    "base feed",
];

/// Label / value pairs of the loss totals.
pub(crate) fn loss_pairs(l: &LossSummary) -> Vec<(&'static str, String)> {
    vec![
        ("Deficit booked", usd(l.deficit_booked_usd)),
        ("Covered", usd(l.deficit_covered_usd)),
        ("Not covered", usd(l.deficit_not_covered_usd)),
        ("Latent bad debt", usd(l.latent_bad_debt_usd)),
        ("Repaid by rescue", usd(l.rescued_usd)),
        ("Liquidation bonus", usd(l.liquidation_bonus_usd)),
    ]
}

/// Column headers matching [`loss_cells`].
pub(crate) const LOSS_HEADER: [&str; 5] = ["Loss", "Reserve", "From", "Borne by", "Amount"];

/// Cell texts of one loss row.
pub(crate) fn loss_cells(r: &LossRow) -> Vec<String> {
    let dash = |s: &str| {
        if s.is_empty() {
            "–".to_owned()
        } else {
            s.to_owned()
        }
    };
    vec![
        r.loss.clone(),
        r.reserve.clone(),
        dash(&r.source),
        dash(&r.borne_by),
        tokens_usd(r.tokens, r.usd),
    ]
}

/// The report section: loss totals and rows, the graph at the start and the end, and the
/// flow table.
pub(crate) fn losses_section(result: &RunResult) -> Section {
    let l = &result.summary.losses;
    let mut rows = Table::new("", &LOSS_HEADER, l.rows.iter().map(loss_cells).collect());
    rows.text_columns = vec![2, 3];
    let mut blocks = vec![
        Block::Table(Table::pairs("Who bears the losses", loss_pairs(l))),
        Block::Table(rows),
    ];
    for snapshot in ["start", "end"] {
        let n = network(&result.graph_nodes, &result.graph_edges, snapshot);
        if !n.nodes.is_empty() {
            blocks.push(Block::Network(n));
        }
    }
    blocks.push(Block::Table(flow_table(&result.graph_edges)));
    Section::new(
        "Losses and exposure",
        "Deficit is the pool's reserve deficit: booked when a liquidation exhausts an \
         account's collateral, covered by a backstop or left to the reserve's suppliers. \
         Latent bad debt is debt above collateral on accounts below health factor 1 that \
         nobody liquidated. \"From\" is the cohort whose positions caused the loss. Tables \
         of the graph: exposure_nodes.* and exposure_edges.*.",
        blocks,
    )
}

/// The exposure graph of one snapshot as a figure: cohorts, then assets, then the protocol
/// and the oracle feeds.
fn network(nodes: &[GraphNode], edges: &[GraphEdge], snapshot: &str) -> Network {
    let column = |kind: &str| match kind {
        "cohort" => 0,
        "asset" => 1,
        "protocol" => 2,
        _ => 3,
    };
    let mut picked: Vec<&GraphNode> = nodes.iter().filter(|n| n.snapshot == snapshot).collect();
    // Largest first within a column; ids break ties.
    picked.sort_by(|a, b| {
        (column(&a.kind).cmp(&column(&b.kind)))
            .then(b.value_usd.total_cmp(&a.value_usd))
            .then(a.id.cmp(&b.id))
    });
    let index: BTreeMap<&str, usize> = (picked.iter().enumerate())
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let edges = (edges.iter())
        .filter(|e| e.snapshot == snapshot)
        .filter_map(|e| {
            Some(NetEdge {
                from: *index.get(e.source.as_str())?,
                to: *index.get(e.target.as_str())?,
                kind: KINDS.iter().position(|k| *k == e.kind)?,
                value: e.usd,
            })
        })
        .collect();
    // The last segment names a node, except a Comet's reserves (`asset/<market>/<symbol>`),
    // which keep their market so that they do not read as the pool's reserve of that symbol.
    let label = |id: &str| match id.strip_prefix("asset/") {
        Some(rest) if rest.contains('/') => rest.to_owned(),
        _ => id.rsplit('/').next().unwrap_or(id).to_owned(),
    };
    Network {
        id: format!("exposure-{snapshot}"),
        title: format!("Exposure graph at the {snapshot}"),
        caption: "Cohorts (left) supply, pledge as collateral and borrow the reserves, \
                  listed on the protocol and priced by the oracle feeds (right; a CAPO feed \
                  links to the feed it multiplies). Node size and line width grow with the \
                  USD value at the snapshot's oracle prices."
            .to_owned(),
        columns: ["cohorts", "reserves", "protocols", "oracle feeds"]
            .map(String::from)
            .to_vec(),
        nodes: (picked.iter())
            .map(|n| NetNode {
                label: label(&n.id),
                column: column(&n.kind),
                value: n.value_usd,
            })
            .collect(),
        edges,
        kinds: KINDS.map(String::from).to_vec(),
        fmt: usd,
    }
}

/// Cohort → reserve positions at the start and the end, and the change: where the run's
/// outflows came from.
fn flow_table(edges: &[GraphEdge]) -> Table {
    let mut flows: BTreeMap<(&str, &str, &str), (f64, f64)> = BTreeMap::new();
    for e in edges
        .iter()
        .filter(|e| KINDS[..3].contains(&e.kind.as_str()))
    {
        let f = flows.entry((&e.source, &e.target, &e.kind)).or_default();
        match e.snapshot.as_str() {
            "start" => f.0 += e.usd,
            _ => f.1 += e.usd,
        }
    }
    let rows = flows
        .into_iter()
        .map(|((cohort, asset, kind), (start, end))| {
            vec![
                cohort.to_owned(),
                asset.trim_start_matches("asset/").to_owned(),
                kind.to_owned(),
                usd(start),
                usd(end),
                usd(end - start),
            ]
        })
        .collect();
    let header = ["Cohort", "Reserve", "Position", "Start", "End", "Change"];
    let mut t = Table::new("Flows: positions by cohort", &header, rows);
    t.note =
        "USD at each snapshot's oracle prices, so a price change moves a position too.".to_owned();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(snapshot: &str, source: &str, target: &str, kind: &str, usd: f64) -> GraphEdge {
        GraphEdge {
            snapshot: snapshot.into(),
            source: source.into(),
            target: target.into(),
            kind: kind.into(),
            usd,
        }
    }

    #[test]
    fn flow_table_pairs_start_and_end_positions() {
        let edges = [
            edge("start", "depositors/whale", "asset/WETH", "supply", 100.0),
            edge("end", "depositors/whale", "asset/WETH", "supply", 40.0),
            edge("start", "asset/WETH", "protocol/aave", "listing", 100.0),
            edge("end", "attacker", "asset/WETH", "debt", 7.0),
        ];
        let t = flow_table(&edges);
        assert_eq!(t.rows.len(), 2, "listing edges are not cohort positions");
        assert_eq!(t.rows[0][0], "attacker");
        assert_eq!(t.rows[0][5], usd(7.0));
        assert_eq!(t.rows[1][1], "WETH");
        assert_eq!(t.rows[1][5], usd(-60.0));
    }

    #[test]
    fn network_keeps_one_snapshot_and_orders_columns() {
        let node = |snapshot: &str, id: &str, kind: &str, v| GraphNode {
            snapshot: snapshot.into(),
            id: id.into(),
            kind: kind.into(),
            value_usd: v,
        };
        let nodes = [
            node("start", "protocol/aave", "protocol", 10.0),
            node("start", "asset/WETH", "asset", 10.0),
            node("start", "depositors/mid", "cohort", 2.0),
            node("start", "depositors/whale", "cohort", 8.0),
            node("end", "depositors/whale", "cohort", 1.0),
        ];
        let edges = [
            edge("start", "depositors/whale", "asset/WETH", "supply", 8.0),
            edge("start", "asset/WETH", "protocol/aave", "listing", 10.0),
            edge("end", "depositors/whale", "asset/WETH", "supply", 1.0),
        ];
        let n = network(&nodes, &edges, "start");
        let labels: Vec<&str> = n.nodes.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(labels, ["whale", "mid", "WETH", "aave"]);
        assert_eq!(n.edges.len(), 2);
        assert_eq!((n.edges[0].from, n.edges[0].to, n.edges[0].kind), (0, 2, 0));
    }
}
