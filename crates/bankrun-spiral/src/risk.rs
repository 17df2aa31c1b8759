//! Collateral at risk: the debt that becomes liquidatable as every volatile price drops by
//! 0–90 %, without feedback (static revaluation) and with the spiral's feedback.
//!
//! # Feedback model
//! At a drop `d`, liquidatable positions are liquidated and their volatile collateral is
//! sold on the CEX (Maker: the whole auctioned collateral, `ink`; Compound: the seizure of
//! one close-factor repayment, `close_factor × debt × incentive`, capped at the collateral).
//! The sold notional `Q` moves the price by the fitted square-root law, `f = (1 − d)(1 −
//! k√Q)`, which may make more positions liquidatable; the iteration runs to its fixed point
//! (monotone, so it terminates). The impact is taken as permanent within the drop (no decay,
//! no arbitrage inflow): an upper bound of the feedback.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bankrun_dex::cex::{VenueSet, fitted_params};
use bankrun_report::page::{Agg, Block, Chart, Page, Section, Series, Table};

use crate::error::SpiralError;
use crate::spec::Loaded;

pub use bankrun_metrics::Exposure;

/// One point of the curve.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Point {
    /// Price drop (0..0.9).
    pub drop: f64,
    /// Debt liquidatable without feedback (USD at the prices after the drop).
    pub static_debt: f64,
    /// Debt liquidatable with the spiral (USD at the prices after the drop and the spiral's
    /// extra drop). Debt borrowed in volatile assets is worth less after the extra drop, so
    /// where no further account crosses, this can sit slightly below `static_debt`.
    pub spiral_debt: f64,
    /// Extra price drop caused by the spiral (relative).
    pub spiral_extra_drop: f64,
}

/// The curve of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Total debt (USD).
    pub total_debt: f64,
    /// Points at 0, 5, …, 90 % drops.
    pub points: Vec<Point>,
}

/// Exposures of the scenario's book at its starting prices, and the CEX `k` (1/√USD).
///
/// # Errors
/// [`SpiralError`].
pub fn exposures(l: &Loaded) -> Result<(Vec<Exposure>, f64, f64), SpiralError> {
    let v = &l.spec.venues;
    let set = if v.cex_depth == "all" {
        VenueSet::All
    } else {
        VenueSet::Major
    };
    let k = fitted_params(set)
        .map_err(|e| SpiralError::Run(e.to_string()))?
        .k_sell
        / v.cex_depth_scale.sqrt();
    if l.spec.scenario.protocol == "maker" {
        let inp = crate::maker::inputs(l)?;
        let book = crate::maker::book(l, &inp, l.spec.scenario.seed)?;
        let mat = l.spec.maker.as_ref().map_or(1.5, |m| m.mat);
        let p0 = inp.eth.price_at(inp.start);
        // The ETH-A book (the stand-in vault behind the DAI outside the book is not exposed
        // to the ETH price, and is not part of it).
        let ex = book
            .iter()
            .map(|&(ink, art)| {
                let coll = crate::venues::to_units(ink, 18) * p0;
                Exposure {
                    vol_coll_adj: coll / mat,
                    fixed_coll_adj: 0.0,
                    vol_coll: coll,
                    vol_debt: 0.0,
                    fixed_debt: crate::venues::to_units(art, 18),
                }
            })
            .collect();
        Ok((ex, k, 1.0))
    } else {
        let c = l
            .spec
            .compound
            .as_ref()
            .ok_or_else(|| l.err("protocol", "no [compound]"))?;
        let book = crate::compound::read_book(l)?;
        let paths = crate::compound::price_paths(l)?;
        let start = bankrun_chain::time::parse_time(&l.spec.scenario.start)
            .map_err(|_| l.err("start", "not an RFC 3339 time"))?;
        let ex = book
            .values()
            .map(|rows| {
                let mut e = Exposure {
                    vol_coll_adj: 0.0,
                    fixed_coll_adj: 0.0,
                    vol_coll: 0.0,
                    vol_debt: 0.0,
                    fixed_debt: 0.0,
                };
                for (&m, r) in rows {
                    let ms = &c.markets[m];
                    let fixed = ms.oracle_fixed || ms.price_column.is_none();
                    let p = paths[m]
                        .as_ref()
                        .map_or(ms.fixed_usd.unwrap_or(1.0), |s| s.price_at(start));
                    let (coll, debt) = (r.supply * p, r.borrow * p);
                    if fixed {
                        e.fixed_coll_adj += coll * ms.collateral_factor;
                        e.fixed_debt += debt;
                    } else {
                        e.vol_coll_adj += coll * ms.collateral_factor;
                        e.vol_coll += coll;
                        e.vol_debt += debt;
                    }
                }
                e
            })
            .collect();
        Ok((ex, k, c.close_factor * c.liquidation_incentive))
    }
}

/// The curve from exposures, CEX `k` and the share of debt a liquidation sells
/// (`sell_share` ≥ 1 means "all the collateral", Maker).
pub fn curve_of(ex: &[Exposure], k: f64, sell_share: f64, maker: bool) -> Curve {
    curve_of_with_progress(ex, k, sell_share, maker, &mut |_, _| {})
}

/// Points of the curve (0, 5, …, 90 % drops).
const POINTS: u64 = 19;

/// [`curve_of`], calling `progress(points done, points)` after every point.
fn curve_of_with_progress(
    ex: &[Exposure],
    k: f64,
    sell_share: f64,
    maker: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Curve {
    let total_debt = ex.iter().map(|e| e.debt(1.0)).sum();
    let points = (0..POINTS)
        .map(|i| {
            progress(i, POINTS);
            let drop = i as f64 * 0.05;
            let f0 = 1.0 - drop;
            let static_debt: f64 = ex
                .iter()
                .filter(|e| e.liquidatable(f0))
                .map(|e| e.debt(f0))
                .sum();
            let mut f = f0;
            for _ in 0..200 {
                let sold: f64 = ex
                    .iter()
                    .filter(|e| e.liquidatable(f))
                    .map(|e| {
                        if maker {
                            e.vol_coll * f
                        } else {
                            (e.debt(f) * sell_share).min(e.vol_coll * f)
                        }
                    })
                    .sum();
                let nf = f0 * (1.0 - (k * sold.sqrt()).min(0.99));
                if (nf - f).abs() < 1e-9 {
                    break;
                }
                f = nf;
            }
            let spiral_debt: f64 = ex
                .iter()
                .filter(|e| e.liquidatable(f))
                .map(|e| e.debt(f))
                .sum();
            // `+ 0.0`: an empty sum is −0.0, printed "-0".
            Point {
                drop,
                static_debt: static_debt + 0.0,
                spiral_debt: spiral_debt + 0.0,
                spiral_extra_drop: 1.0 - f / f0,
            }
        })
        .collect();
    Curve { total_debt, points }
}

/// The curve of a scenario.
///
/// # Errors
/// [`SpiralError`].
pub fn curve(l: &Loaded) -> Result<Curve, SpiralError> {
    curve_with_progress(l, &mut |_, _| {})
}

/// [`curve`], calling `progress(steps done, steps)`: reading the book is the first step,
/// each point of the curve one more.
///
/// # Errors
/// [`SpiralError`].
pub fn curve_with_progress(
    l: &Loaded,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Curve, SpiralError> {
    progress(0, POINTS + 1);
    let (ex, k, share) = exposures(l)?;
    let maker = l.spec.scenario.protocol == "maker";
    let curve = curve_of_with_progress(&ex, k, share, maker, &mut |i, n| progress(i + 1, n + 1));
    progress(POINTS + 1, POINTS + 1);
    Ok(curve)
}

/// The printed table.
pub fn table(c: &Curve) -> String {
    let mut s = format!(
        "total debt ${:.0}\n{:>6} {:>18} {:>18} {:>12}\n",
        c.total_debt, "drop", "liquidatable", "with spiral", "extra drop"
    );
    for p in &c.points {
        let _ = writeln!(
            s,
            "{:>5.0}% {:>18.0} {:>18.0} {:>11.2}%",
            p.drop * 100.0,
            p.static_debt,
            p.spiral_debt,
            p.spiral_extra_drop * 100.0
        );
    }
    s
}

fn report_err(e: bankrun_report::ReportError) -> SpiralError {
    SpiralError::Run(format!("collateral-at-risk report: {e}"))
}

fn drop_label(x: f64) -> String {
    format!("{x:.0} %")
}

/// The curve as a chart: debt liquidatable against the price drop, without and with the
/// spiral's feedback.
fn curve_chart(name: &str, c: &Curve) -> Chart {
    let line = |label: &str, color: usize, f: fn(&Point) -> f64| {
        let points = c.points.iter().map(|p| (p.drop * 100.0, f(p)));
        Series::new(label, color, Agg::Last, points.collect())
    };
    Chart::xy(
        "curve",
        &format!("{name}: debt liquidatable vs price drop"),
        "price drop of every volatile asset, %",
        drop_label,
        "debt liquidatable, USD (Maker: DAI)",
        bankrun_report::usd,
    )
    .caption(
        "Debt that becomes liquidatable as every volatile price drops, without feedback \
         (static revaluation) and with the liquidation spiral's extra drop (liquidated \
         collateral sold on the CEX, square-root impact, iterated to its fixed point).",
    )
    .series(vec![
        line("without feedback", 0, |p| p.static_debt),
        line("with spiral feedback", 3, |p| p.spiral_debt),
    ])
}

/// The collateral-at-risk report page: the chart and the curve as a table.
fn report_page(name: &str, c: &Curve, chart: Chart) -> Page {
    let rows = c.points.iter().map(|p| {
        vec![
            drop_label(p.drop * 100.0),
            bankrun_report::usd(p.static_debt),
            bankrun_report::usd(p.spiral_debt),
            format!("{:.2} %", p.spiral_extra_drop * 100.0),
        ]
    });
    let table = Table::new(
        "Curve",
        &[
            "price drop",
            "liquidatable",
            "with spiral",
            "extra drop (spiral)",
        ],
        rows.collect(),
    );
    Page {
        title: format!("{name}: collateral at risk"),
        description: "Debt liquidatable as volatile prices drop by 0–90 %, without and with \
                      the liquidation spiral's feedback (an upper bound: the impact is taken \
                      as permanent within the drop)."
            .to_owned(),
        meta: vec![
            ("Scenario".to_owned(), name.to_owned()),
            ("Total debt".to_owned(), bankrun_report::usd(c.total_debt)),
            ("Points".to_owned(), c.points.len().to_string()),
        ],
        sections: vec![Section::new(
            "Collateral at risk",
            "",
            vec![Block::Chart(chart), Block::Table(table)],
        )],
        footer: format!("Generated by bankrun {}.", env!("CARGO_PKG_VERSION")),
    }
}

/// Writes `curve.csv`, `curve.svg` and `report.html` to `dir`; returns their paths. Follows
/// the output-directory contract of [`bankrun_report::write_atomically`] (marker file,
/// appears only when complete, replaces only an empty or bankrun-written `dir`).
///
/// # Errors
/// [`SpiralError::OutputRefused`] if `dir` is not bankrun's to replace, [`SpiralError::Run`]
/// on I/O failure.
pub fn write(dir: &Path, name: &str, c: &Curve) -> Result<Vec<PathBuf>, SpiralError> {
    let chart = curve_chart(name, c);
    let svg = chart.standalone_svg().map_err(report_err)?;
    let html = report_page(name, c, chart).render().map_err(report_err)?;
    let files = [
        ("curve.csv", crate::output::to_csv(&c.points)?),
        ("curve.svg", svg),
        ("report.html", html),
    ];
    let command = format!("collateral-at-risk {name}");
    bankrun_report::write_atomically(dir, &command, |partial| {
        for (file, text) in &files {
            let path = partial.join(file);
            std::fs::write(&path, text)
                .map_err(|e| SpiralError::Run(format!("{}: {e}", path.display())))?;
        }
        Ok::<_, SpiralError>(())
    })?;
    Ok(files.iter().map(|f| dir.join(f.0)).collect())
}
