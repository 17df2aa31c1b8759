//! The time charts of the Aave `simulate` report, assembled from the run result: x is UTC
//! time, scripted events are numbered markers.

use bankrun_metrics::{ReserveBlockRow, RunResult};

use crate::format::usd;
use crate::page::{Agg, Chart, Marker, Series};
use crate::series::{
    Points, class_names, class_points, normalise_to_start, reserve_names, reserve_points,
    start_unix,
};

/// Seconds per hour.
const HOUR_S: f64 = 3600.0;

fn pct_label(y: f64) -> String {
    format!("{y:.0} %")
}

/// How one chart is titled, labelled and fed.
struct FigureDef {
    id: &'static str,
    title: &'static str,
    caption: &'static str,
    y_desc: &'static str,
    y_fmt: fn(f64) -> String,
    lines: fn(&RunResult) -> Vec<Series>,
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
        caption: "Withdrawals requested, served and reverted per UTC hour (USD at the oracle \
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
        title: "Bad debt: booked deficit per reserve",
        caption: "Reserve deficit (booked bad debt) in USD: deficit tokens × oracle price \
                  (bucket maximum), per reserve and in total. Latent bad debt (underwater \
                  accounts nobody liquidated) is only measured at the end: see the \
                  Liquidations table.",
        y_desc: "deficit, USD",
        y_fmt: usd,
        lines: deficit_lines,
    },
];

/// The charts, in order: utilization, available liquidity (start = 100 %), borrow and
/// supply APR, hourly withdrawals of the most reverted reserve, cumulative outflow by
/// depositor class, and booked deficit (bad debt) in USD.
pub(crate) fn charts(result: &RunResult) -> Vec<Chart> {
    let markers = event_markers(result);
    let range = x_range(result);
    let chart = |def: &FigureDef| {
        let mut c = Chart::time(def.id, def.title, def.y_desc, def.y_fmt)
            .caption(def.caption)
            .series((def.lines)(result))
            .markers(markers.clone());
        c.x_range = Some(range);
        c
    };
    DEFS.iter().map(chart).collect()
}

/// Scripted events as markers numbered 1, 2, … as in the event table.
fn event_markers(result: &RunResult) -> Vec<Marker> {
    let events = result.events.iter().enumerate();
    events
        .map(|(i, e)| Marker {
            x: e.timestamp as f64,
            label: (i + 1).to_string(),
        })
        .collect()
}

/// The x range: from the start to the simulated end or the last recorded point, whichever
/// is later.
fn x_range(result: &RunResult) -> (f64, f64) {
    let start = start_unix(result) as f64;
    let reserves = result.reserve_series.iter().map(|r| r.timestamp as f64);
    let classes = result.class_series.iter().map(|r| r.timestamp as f64);
    let end = start + result.summary.hours.max(0.0) * HOUR_S;
    let end = reserves.chain(classes).fold(end, f64::max);
    (start, if end > start { end } else { start + HOUR_S })
}

/// One line per reserve of `value`, passed through `transform`.
fn per_reserve(
    result: &RunResult,
    agg: Agg,
    value: impl Fn(&ReserveBlockRow) -> f64,
    transform: fn(Points) -> Points,
) -> Vec<Series> {
    let names = reserve_names(result).into_iter().enumerate();
    names
        .map(|(color, name)| {
            let points = transform(reserve_points(result, &name, &value));
            Series::new(name, color, agg, points)
        })
        .collect()
}

fn same(points: Points) -> Points {
    points
}

fn utilization_lines(result: &RunResult) -> Vec<Series> {
    per_reserve(result, Agg::Max, |r| r.utilization * 100.0, same)
}

fn liquidity_lines(result: &RunResult) -> Vec<Series> {
    per_reserve(
        result,
        Agg::Min,
        |r| r.available_liquidity,
        normalise_to_start,
    )
}

fn apr_lines(result: &RunResult) -> Vec<Series> {
    let borrow = per_reserve(result, Agg::Max, |r| r.borrow_apr * 100.0, same);
    let supply = per_reserve(result, Agg::Max, |r| r.supply_apr * 100.0, same);
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

/// Sums of withdrawals requested / served / reverted (USD) per UTC hour for the reserve with
/// the most reverted withdrawal transactions (the first reserve if none reverted).
fn withdrawal_lines(result: &RunResult) -> Vec<Series> {
    let reserves = &result.summary.reserves;
    let Some(worst) = reserves.iter().max_by_key(|r| r.reverted_withdraw_txs) else {
        return Vec::new();
    };
    let rows = result
        .reserve_series
        .iter()
        .filter(|r| r.reserve == worst.symbol);
    let mut hours: Vec<(f64, [f64; 3])> = Vec::new();
    for r in rows {
        let h = (r.timestamp as f64 / HOUR_S).floor() * HOUR_S;
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
        .map(|(k, name)| {
            let points = hours.iter().map(|(h, v)| (*h, v[k])).collect();
            Series::new(format!("{} {name}", worst.symbol), k, Agg::Max, points)
        })
        .collect()
}

/// Booked deficit per reserve (USD) and, with more than one reserve, their total.
fn deficit_lines(result: &RunResult) -> Vec<Series> {
    let mut lines = per_reserve(result, Agg::Max, |r| r.deficit * r.oracle_price_usd, same);
    if lines.len() > 1 {
        let mut total = std::collections::BTreeMap::<i64, f64>::new();
        for r in &result.reserve_series {
            *total.entry(r.timestamp).or_default() += r.deficit * r.oracle_price_usd;
        }
        let total = total.into_iter().map(|(t, v)| (t as f64, v)).collect();
        let color = lines.len();
        lines.push(Series::new("total", color, Agg::Max, total));
    }
    lines
}

fn class_lines(result: &RunResult) -> Vec<Series> {
    let names = class_names(result).into_iter().enumerate();
    names
        .map(|(color, name)| {
            let points = class_points(result, &name);
            Series::new(name, color, Agg::Last, points)
        })
        .collect()
}
