//! The six time charts of the HTML report, assembled from the run result.

use bankrun_metrics::{ReserveBlockRow, RunResult};

use crate::charts::{ChartSpec, render_svg};
use crate::error::ReportError;
use crate::format::usd;
use crate::series::{
    Agg, Line, Points, class_names, class_points, downsample, hours_since, normalise_to_start,
    reserve_names, reserve_points, start_unix,
};

/// Maximum points per line in an SVG chart.
pub(crate) const MAX_POINTS: usize = 2_000;

/// One rendered chart (its title is drawn inside the SVG).
pub(crate) struct Figure {
    /// Stable identifier, used as the HTML `id` of the figure.
    pub id: &'static str,
    /// Explanation shown below the chart.
    pub caption: &'static str,
    /// The `<svg>` element.
    pub svg: String,
}

/// How one chart is titled, labelled and fed.
struct FigureDef {
    id: &'static str,
    title: &'static str,
    caption: &'static str,
    y_desc: &'static str,
    y_fmt: fn(f64) -> String,
    lines: fn(&RunResult) -> Vec<Line>,
}

fn pct_label(y: f64) -> String {
    format!("{y:.0} %")
}

/// The charts, in report order.
const DEFS: [FigureDef; 6] = [
    FigureDef {
        id: "utilization",
        title: "Utilization",
        caption: "End-of-block utilization per reserve, % (bucket maximum when downsampled).",
        y_desc: "utilization, %",
        y_fmt: pct_label,
        lines: utilization_lines,
    },
    FigureDef {
        id: "liquidity",
        title: "Available liquidity (start = 100 %)",
        caption: "Virtual underlying balance per reserve, % of its first non-zero value \
                  (bucket minimum when downsampled).",
        y_desc: "% of start",
        y_fmt: pct_label,
        lines: liquidity_lines,
    },
    FigureDef {
        id: "apr",
        title: "Borrow and supply APR",
        caption: "Variable borrow APR (thick) and supply APR (thin) per reserve, % per year \
                  (bucket maximum).",
        y_desc: "APR, % per year",
        y_fmt: pct_label,
        lines: apr_lines,
    },
    FigureDef {
        id: "withdrawals",
        title: "Withdrawals per hour, most reverted reserve",
        caption: "Withdrawals requested, served and reverted per hour (USD at the oracle \
                  price) in the reserve with the most reverted withdrawals: the race for \
                  liquidity at 100 % utilization.",
        y_desc: "USD per hour",
        y_fmt: usd,
        lines: withdrawal_lines,
    },
    FigureDef {
        id: "outflow",
        title: "Cumulative outflow by depositor class",
        caption: "Cumulative withdrawals per depositor class, % of the class's initial \
                  deposits by value.",
        y_desc: "% of initial deposits",
        y_fmt: pct_label,
        lines: class_lines,
    },
    FigureDef {
        id: "deficit",
        title: "Deficit per reserve",
        caption: "Reserve deficit (bad debt) in USD: deficit tokens × oracle price \
                  (bucket maximum).",
        y_desc: "deficit, USD",
        y_fmt: usd,
        lines: deficit_lines,
    },
];

/// Renders, in order: utilization, available liquidity (start = 100 %), borrow and supply
/// APR, hourly withdrawals of the most reverted reserve, cumulative outflow by depositor
/// class, and deficit in USD.
pub(crate) fn figures(result: &RunResult) -> Result<Vec<Figure>, ReportError> {
    let events = event_marks(result);
    let x_max = x_max(result);
    let render = |def: &FigureDef| {
        let lines = (def.lines)(result);
        let spec = ChartSpec {
            id: def.id,
            title: def.title,
            y_desc: def.y_desc,
            y_fmt: def.y_fmt,
            lines: &lines,
            events: &events,
            x_max,
        };
        let svg = render_svg(&spec)?;
        Ok(Figure {
            id: def.id,
            caption: def.caption,
            svg,
        })
    };
    DEFS.iter().map(render).collect()
}

/// Scripted events as (1-based number, hours since start), matching the event log table.
fn event_marks(result: &RunResult) -> Vec<(String, f64)> {
    let start = start_unix(result);
    let events = result.events.iter().enumerate();
    events
        .map(|(i, e)| ((i + 1).to_string(), hours_since(e.timestamp, start)))
        .collect()
}

/// The x-axis end: the simulated hours or the last recorded point, whichever is later.
fn x_max(result: &RunResult) -> f64 {
    let start = start_unix(result);
    let reserves = result.reserve_series.iter().map(|r| r.timestamp);
    let classes = result.class_series.iter().map(|r| r.timestamp);
    let last = reserves.chain(classes).map(|t| hours_since(t, start));
    last.fold(result.summary.hours, f64::max)
}

/// One downsampled line per reserve of `value`.
fn per_reserve(result: &RunResult, agg: Agg, value: impl Fn(&ReserveBlockRow) -> f64) -> Vec<Line> {
    per_reserve_with(result, agg, value, |points| points)
}

/// One line per reserve of `value`, passed through `transform` before downsampling.
fn per_reserve_with(
    result: &RunResult,
    agg: Agg,
    value: impl Fn(&ReserveBlockRow) -> f64,
    transform: fn(Points) -> Points,
) -> Vec<Line> {
    let names = reserve_names(result).into_iter().enumerate();
    names
        .map(|(color, name)| {
            let points = transform(reserve_points(result, &name, &value));
            let points = downsample(points, MAX_POINTS, agg);
            Line {
                name,
                color,
                secondary: false,
                points,
            }
        })
        .collect()
}

fn utilization_lines(result: &RunResult) -> Vec<Line> {
    per_reserve(result, Agg::Max, |r| r.utilization * 100.0)
}

fn liquidity_lines(result: &RunResult) -> Vec<Line> {
    per_reserve_with(
        result,
        Agg::Min,
        |r| r.available_liquidity,
        normalise_to_start,
    )
}

fn apr_lines(result: &RunResult) -> Vec<Line> {
    let borrow = per_reserve(result, Agg::Max, |r| r.borrow_apr * 100.0);
    let supply = per_reserve(result, Agg::Max, |r| r.supply_apr * 100.0);
    let pairs = borrow.into_iter().zip(supply);
    pairs
        .flat_map(|(mut b, mut s)| {
            s.name = format!("{} supply", s.name);
            s.secondary = true;
            b.name = format!("{} borrow", b.name);
            [b, s]
        })
        .collect()
}

/// Hourly sums of withdrawals requested / served / reverted (USD) for the reserve with the
/// most reverted withdrawal transactions (the first reserve if none reverted).
fn withdrawal_lines(result: &RunResult) -> Vec<Line> {
    let reserves = &result.summary.reserves;
    let Some(worst) = reserves.iter().max_by_key(|r| r.reverted_withdraw_txs) else {
        return Vec::new();
    };
    let start = start_unix(result);
    let rows = result
        .reserve_series
        .iter()
        .filter(|r| r.reserve == worst.symbol);
    let mut hours: Vec<(f64, [f64; 3])> = Vec::new();
    for r in rows {
        let h = hours_since(r.timestamp, start).floor();
        let v = [
            r.withdrawals_requested * r.oracle_price_usd,
            r.withdrawals_served * r.oracle_price_usd,
            r.withdrawals_reverted * r.oracle_price_usd,
        ];
        match hours.last_mut() {
            Some((last, acc)) if *last == h => acc.iter_mut().zip(v).for_each(|(a, x)| *a += x),
            _ => hours.push((h, v)),
        }
    }
    let names = ["requested", "served", "reverted"];
    names
        .iter()
        .enumerate()
        .map(|(k, name)| Line {
            name: format!("{} {name}", worst.symbol),
            color: k,
            secondary: false,
            points: downsample(
                hours.iter().map(|(h, v)| (*h, v[k])).collect(),
                MAX_POINTS,
                Agg::Max,
            ),
        })
        .collect()
}

fn deficit_lines(result: &RunResult) -> Vec<Line> {
    per_reserve(result, Agg::Max, |r| r.deficit * r.oracle_price_usd)
}

fn class_lines(result: &RunResult) -> Vec<Line> {
    let names = class_names(result).into_iter().enumerate();
    names
        .map(|(color, name)| {
            let points = downsample(class_points(result, &name), MAX_POINTS, Agg::Last);
            Line {
                name,
                color,
                secondary: false,
                points,
            }
        })
        .collect()
}
