//! Network figures: nodes in labelled columns, edges as lines whose width grows with their
//! value and whose colour names their kind (the exposure graph of a run).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot::{DrawResult, PALETTE, chart_err, finish_svg};
use super::{Figure, Network};
use crate::error::ReportError;

/// Figure width, pixels.
const WIDTH: u32 = 1000;
/// Vertical space per node, pixels.
const ROW: i32 = 30;
/// Space above the first node (column titles) and below the last (legend), pixels.
const TOP: i32 = 46;
const BOTTOM: i32 = 44;
/// Horizontal margins left of the first column and right of the last (labels), pixels.
const LEFT: i32 = 270;
const RIGHT: i32 = 170;
/// Largest node radius and edge width, pixels.
const MAX_RADIUS: f64 = 14.0;
const MAX_WIDTH: f64 = 12.0;

/// Renders a network figure.
pub(crate) fn render_network(n: &Network) -> Result<Figure, ReportError> {
    let mut svg = String::new();
    draw_network(n, &mut svg).map_err(|e| chart_err(&n.id, &e))?;
    Ok(Figure {
        id: n.id.clone(),
        title: n.title.clone(),
        caption: n.caption.clone(),
        svg: finish_svg(svg, false),
    })
}

/// Pixel position of every node: columns evenly spaced, each column's nodes spread evenly
/// over the height of the tallest, in their order.
fn layout(n: &Network) -> (Vec<(i32, i32)>, u32) {
    let cols = n.columns.len().max(1);
    let mut counts = vec![0i32; cols];
    for node in &n.nodes {
        counts[node.column.min(cols - 1)] += 1;
    }
    let tallest = counts.iter().copied().max().unwrap_or(0);
    let span = WIDTH as i32 - LEFT - RIGHT;
    let mut seen = vec![0i32; cols];
    let pos = (n.nodes.iter())
        .map(|node| {
            let c = node.column.min(cols - 1);
            let x = if cols == 1 {
                LEFT + span / 2
            } else {
                LEFT + span * c as i32 / (cols as i32 - 1)
            };
            let y = TOP + (2 * seen[c] + 1) * ROW * tallest / (2 * counts[c]);
            seen[c] += 1;
            (x, y)
        })
        .collect();
    (pos, (TOP + ROW * tallest + BOTTOM) as u32)
}

/// `value / max` mapped to [0, 1] by square root (areas and widths grow with the value).
fn size(value: f64, max: f64) -> f64 {
    if max > 0.0 && value.is_finite() && value > 0.0 {
        (value / max).sqrt().min(1.0)
    } else {
        0.0
    }
}

fn draw_network(n: &Network, svg: &mut String) -> DrawResult {
    let (pos, height) = layout(n);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let centre = TextStyle::from(("sans-serif", 13)).pos(Pos::new(HPos::Center, VPos::Center));
    for (c, title) in n.columns.iter().enumerate() {
        let x = (n.nodes.iter().zip(&pos))
            .find(|(node, _)| node.column == c)
            .map(|(_, p)| p.0);
        if let Some(x) = x {
            root.draw(&Text::new(title.clone(), (x, TOP / 2), centre.clone()))?;
        }
    }
    let max_edge = n.edges.iter().map(|e| e.value).fold(0.0, f64::max);
    for e in &n.edges {
        let (Some(&a), Some(&b)) = (pos.get(e.from), pos.get(e.to)) else {
            continue;
        };
        let w = 1.0 + MAX_WIDTH * size(e.value, max_edge);
        let colour = PALETTE[e.kind % PALETTE.len()].mix(0.45);
        root.draw(&PathElement::new(vec![a, b], colour.stroke_width(w as u32)))?;
    }
    let max_node = n.nodes.iter().map(|x| x.value).fold(0.0, f64::max);
    let last = n.columns.len().saturating_sub(1);
    for (node, &(x, y)) in n.nodes.iter().zip(&pos) {
        let r = 3.0 + MAX_RADIUS * size(node.value, max_node);
        root.draw(&Circle::new(
            (x, y),
            r as i32,
            RGBColor(60, 60, 60).filled(),
        ))?;
        let label = format!("{} {}", node.label, (n.fmt)(node.value));
        // Left of the first column's nodes, right of the others'.
        let (dx, anchor) = match node.column {
            0 if last > 0 => (-(r as i32) - 6, HPos::Right),
            _ => (r as i32 + 6, HPos::Left),
        };
        let style = TextStyle::from(("sans-serif", 12)).pos(Pos::new(anchor, VPos::Center));
        root.draw(&Text::new(label, (x + dx, y), style))?;
    }
    let legend = TextStyle::from(("sans-serif", 12)).pos(Pos::new(HPos::Left, VPos::Center));
    let y = height as i32 - BOTTOM / 2;
    for (k, kind) in n.kinds.iter().enumerate() {
        let x = 20 + 150 * k as i32;
        let colour = PALETTE[k % PALETTE.len()].mix(0.8);
        root.draw(&PathElement::new(
            vec![(x, y), (x + 24, y)],
            colour.stroke_width(4),
        ))?;
        root.draw(&Text::new(kind.clone(), (x + 30, y), legend.clone()))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{NetEdge, NetNode};

    fn net() -> Network {
        let node = |label: &str, column, value| NetNode {
            label: label.to_owned(),
            column,
            value,
        };
        Network {
            id: "g".into(),
            title: "t".into(),
            caption: "c".into(),
            columns: vec!["cohorts".into(), "assets".into(), "oracles".into()],
            nodes: vec![
                node("whales", 0, 5.0),
                node("loopers", 0, 1.0),
                node("WETH", 1, 6.0),
                node("ETH", 2, 6.0),
            ],
            edges: vec![
                NetEdge {
                    from: 0,
                    to: 2,
                    kind: 0,
                    value: 5.0,
                },
                NetEdge {
                    from: 1,
                    to: 2,
                    kind: 1,
                    value: 1.0,
                },
                NetEdge {
                    from: 2,
                    to: 3,
                    kind: 2,
                    value: 6.0,
                },
            ],
            kinds: vec!["supply".into(), "debt".into(), "oracle".into()],
            fmt: |v| format!("{v:.0}"),
        }
    }

    #[test]
    fn draws_every_node_label_and_edge_kind() {
        let f = render_network(&net()).unwrap();
        for text in [
            "whales 5",
            "loopers 1",
            "WETH 6",
            "ETH 6",
            "supply",
            "debt",
            "oracle",
        ] {
            assert!(f.svg.contains(text), "missing {text}");
        }
        // Three edges and three legend swatches.
        assert_eq!(f.svg.matches("<polyline").count(), 6, "{}", f.svg);
    }

    #[test]
    fn layout_stacks_columns_and_sizes_the_height() {
        let (pos, h) = layout(&net());
        assert_eq!(pos[0].0, pos[1].0, "same column, same x");
        assert!(pos[1].1 > pos[0].1, "stacked downwards");
        assert!(
            pos[2].0 > pos[0].0 && pos[3].0 > pos[2].0,
            "columns left to right"
        );
        // A lone node sits half-way down the tallest column.
        assert_eq!(pos[2].1, (pos[0].1 + pos[1].1) / 2);
        assert_eq!(h as i32, TOP + 2 * ROW + BOTTOM);
    }
}
