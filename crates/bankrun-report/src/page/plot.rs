//! Line charts drawn with `plotters` into SVG: a band of staggered event-marker labels
//! above the plot, the plot (UTC or numeric x axis), and the legend below it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::markers::{self, LabelBox, ROW_H};
use super::time::{HOUR_S, tick_label, ticks};
use super::{Agg, Chart, Figure, MAX_POINTS, XAxis};
use crate::error::ReportError;

/// SVG width, pixels.
pub(crate) const W: u32 = 960;
/// Height of the plot (axes included), pixels.
const PLOT_H: u32 = 330;
/// Left margin and y-label area, pixels.
const MARGIN_L: u32 = 10;
const Y_AREA: u32 = 84;
/// Right margin, pixels.
const MARGIN_R: u32 = 48;
/// X-label area (tick labels and axis title), pixels.
const X_AREA: u32 = 50;
/// Markers closer than this (pixels) share a label when labels would need too many rows.
const MERGE_PX: f64 = 24.0;
/// Legend: height of one row, pixels.
const LEGEND_ROW: u32 = 20;
/// Pixels per character of 13 px text (generous, so estimates never overlap).
const CHAR_W: f64 = 7.5;

/// Line colours (Tableau 10), indexed by [`super::Series::color`] modulo the length.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

const GRID: RGBColor = RGBColor(225, 225, 225);
const MARK: RGBColor = RGBColor(110, 110, 110);

pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Wraps a plotters error as a [`ReportError::Chart`] of chart `id`.
pub(crate) fn chart_err(id: &str, e: &dyn std::fmt::Display) -> ReportError {
    ReportError::Chart {
        chart: id.to_owned(),
        message: e.to_string(),
    }
}

/// Removes the XML namespace (inline SVG in HTML does not need it, so the page names no URL)
/// unless `standalone`.
pub(crate) fn finish_svg(svg: String, standalone: bool) -> String {
    if standalone {
        svg
    } else {
        svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
    }
}

/// The chart's x range: `x_range`, else the extent of its points and markers (at least one
/// hour wide on a time axis, one unit otherwise).
pub(crate) fn x_extent(chart: &Chart) -> (f64, f64) {
    if let Some(r) = chart.x_range {
        return r;
    }
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let xs = xs.chain(chart.markers.iter().map(|m| m.x));
    let (lo, hi) = xs
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    let min_span = match chart.x {
        XAxis::Time => HOUR_S,
        XAxis::Value { .. } => 1.0,
    };
    if !lo.is_finite() {
        (0.0, min_span)
    } else if hi - lo < min_span {
        (lo, lo + min_span)
    } else {
        (lo, hi)
    }
}

/// The chart's figures: the whole range, and for a time chart spanning more than 24 h a
/// second figure of its first 24 h.
pub(crate) fn render_chart(chart: &Chart) -> Result<Vec<Figure>, ReportError> {
    let (x0, x1) = x_extent(chart);
    let mut out = vec![Figure {
        id: chart.id.clone(),
        title: chart.title.clone(),
        caption: chart.caption.clone(),
        svg: render_panel(chart, x0, x1, false)?,
    }];
    let day = 24.0 * HOUR_S;
    if matches!(chart.x, XAxis::Time) && x1 - x0 > day {
        out.push(Figure {
            id: format!("{}-24h", chart.id),
            title: format!("{} — zoom: first 24 h", chart.title),
            caption: format!(
                "The first 24 h of the chart above (full resolution). {}",
                chart.caption
            ),
            svg: render_panel(chart, x0, x0 + day, false)?,
        });
    }
    Ok(out)
}

/// Downsamples `points` to at most `max_points` with equal-count buckets, keeping one point
/// per bucket according to `agg`. Shorter inputs are returned unchanged.
pub(crate) fn downsample(points: Vec<(f64, f64)>, max_points: usize, agg: Agg) -> Vec<(f64, f64)> {
    if points.len() <= max_points || max_points == 0 {
        return points;
    }
    let bucket = points.len().div_ceil(max_points);
    let pick = |chunk: &[(f64, f64)]| {
        let better = |c: f64, best: f64| match agg {
            Agg::Max => c > best,
            Agg::Min => c < best,
            Agg::Last => true,
        };
        let mut best = chunk[0];
        for &p in &chunk[1..] {
            if better(p.1, best.1) {
                best = p;
            }
        }
        best
    };
    points.chunks(bucket).map(pick).collect()
}

/// The y range of `lines`: from min(0, lowest) to 5 % above the highest (at least 1 wide).
pub(crate) fn y_range<'a>(lines: impl Iterator<Item = &'a Vec<(f64, f64)>>) -> (f64, f64) {
    let values = lines.flat_map(|l| l.iter().map(|p| p.1));
    let finite: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    let lo = finite.iter().copied().fold(0.0_f64, f64::min);
    let hi = finite.iter().copied().fold(lo, f64::max);
    let span = hi - lo;
    if span <= 0.0 {
        (lo, lo + 1.0)
    } else {
        (lo, hi + span * 0.05)
    }
}

/// One legend entry placed at pixel `(x, y)` (the top-left of its row).
struct LegendItem {
    x: i32,
    y: i32,
    series: usize,
}

/// Lays legend entries out left to right below the plot, wrapping into rows; returns the
/// entries and the legend's height.
fn legend_layout(names: &[&str], top: i32) -> (Vec<LegendItem>, u32) {
    let (left, right) = ((MARGIN_L + Y_AREA) as i32, (W - MARGIN_R) as i32);
    let mut items = Vec::new();
    let (mut x, mut row) = (left, 0);
    for (series, name) in names.iter().enumerate() {
        let w = 30 + (name.chars().count() as f64 * CHAR_W) as i32 + 18;
        if x + w > right && x > left {
            x = left;
            row += 1;
        }
        let y = top + row * LEGEND_ROW as i32;
        items.push(LegendItem { x, y, series });
        x += w;
    }
    let rows = if names.is_empty() { 0 } else { row as u32 + 1 };
    (items, rows * LEGEND_ROW + 10)
}

/// Draws the chart over `[x0, x1]` as one `<svg>` element.
pub(crate) fn render_panel(
    chart: &Chart,
    x0: f64,
    x1: f64,
    standalone: bool,
) -> Result<String, ReportError> {
    let lines: Vec<Vec<(f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            let inside = s.points.iter().filter(|p| p.0 >= x0 && p.0 <= x1);
            downsample(inside.copied().collect(), MAX_POINTS, s.agg)
        })
        .collect();
    let (left, right) = (f64::from(MARGIN_L + Y_AREA), f64::from(W - MARGIN_R));
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (right - left);
    let marks: Vec<&super::Marker> = chart
        .markers
        .iter()
        .filter(|m| m.x >= x0 && m.x <= x1)
        .collect();
    let xs: Vec<f64> = marks.iter().map(|m| px(m.x)).collect();
    let texts: Vec<String> = marks.iter().map(|m| m.label.clone()).collect();
    let labels = markers::labels(&xs, &texts, MERGE_PX);
    let label_xs: Vec<f64> = labels.iter().map(|l| l.0).collect();
    let widths: Vec<f64> = labels.iter().map(|l| markers::label_width(&l.1)).collect();
    let boxes = markers::place(&label_xs, &widths, left, right);
    let top_h = 8 + (markers::rows(&boxes) as f64 * ROW_H) as u32;
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    let (legend, legend_h) = legend_layout(&names, (top_h + PLOT_H + 4) as i32);
    let size = (W, top_h + PLOT_H + legend_h);
    let mut svg = String::new();
    let panel = Panel {
        chart,
        lines: &lines,
        x: (x0, x1),
        marks: &marks,
        labels: &labels,
        boxes: &boxes,
        legend: &legend,
        top_h,
    };
    draw(&panel, &mut svg, size).map_err(|e| chart_err(&chart.id, &e))?;
    Ok(finish_svg(svg, standalone))
}

/// Everything [`draw`] needs.
struct Panel<'a> {
    chart: &'a Chart,
    lines: &'a [Vec<(f64, f64)>],
    x: (f64, f64),
    marks: &'a [&'a super::Marker],
    /// `(pixel x, text)` of the marker labels, one per [`LabelBox`].
    labels: &'a [(f64, String)],
    boxes: &'a [LabelBox],
    legend: &'a [LegendItem],
    top_h: u32,
}

type Cart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw(p: &Panel, svg: &mut String, size: (u32, u32)) -> DrawResult {
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, rest) = root.split_vertically(p.top_h);
    let (plot_area, _) = rest.split_vertically(PLOT_H);
    let (y_lo, y_hi) = y_range(p.lines.iter());
    let (x0, x1) = p.x;
    let mut cc = ChartBuilder::on(&plot_area)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(6)
        .x_label_area_size(X_AREA)
        .y_label_area_size(Y_AREA)
        .build_cartesian_2d(x0..x1, y_lo..y_hi)?;
    let y_fmt = |y: &f64| (p.chart.y_fmt)(*y);
    let x_fmt = |x: &f64| match &p.chart.x {
        XAxis::Value { fmt, .. } => fmt(*x),
        XAxis::Time => String::new(),
    };
    let mut mesh = cc.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .y_desc(p.chart.y_label.as_str())
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .x_label_formatter(&x_fmt);
    match &p.chart.x {
        XAxis::Time => {
            mesh.x_labels(0).disable_x_mesh();
        }
        XAxis::Value { label, .. } => {
            mesh.x_labels(8).x_desc(label.as_str());
        }
    }
    mesh.draw()?;
    if matches!(p.chart.x, XAxis::Time) {
        draw_time_axis(&root, &mut cc, (x0, x1), (y_lo, y_hi))?;
    }
    draw_markers(&root, &mut cc, p, (y_lo, y_hi))?;
    for (s, line) in p.chart.series.iter().zip(p.lines) {
        cc.draw_series(LineSeries::new(line.iter().copied(), style(s)))?;
        if line.len() == 1 {
            // A single point draws no line: show it as a dot.
            let dot = Circle::new(line[0], 3, style(s).filled());
            cc.draw_series(std::iter::once(dot))?;
        }
    }
    draw_legend(&root, p)?;
    root.present()?;
    Ok(())
}

fn style(s: &super::Series) -> ShapeStyle {
    let base = PALETTE[s.color % PALETTE.len()];
    if s.secondary {
        base.mix(0.55).stroke_width(1)
    } else {
        base.to_rgba().stroke_width(2)
    }
}

/// Grid lines and `MM-DD HH:MM` labels on round UTC times, and the title `time (UTC)`.
fn draw_time_axis(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    cc: &mut Cart,
    (x0, x1): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> DrawResult {
    let label = TextStyle::from(("sans-serif", 13))
        .color(&RGBColor(60, 60, 60))
        .pos(Pos::new(HPos::Center, VPos::Top));
    for t in ticks(x0, x1) {
        cc.draw_series(std::iter::once(PathElement::new(
            vec![(t, y_lo), (t, y_hi)],
            GRID,
        )))?;
        let (x, y) = cc.backend_coord(&(t, y_lo));
        root.draw(&PathElement::new(vec![(x, y), (x, y + 5)], BLACK))?;
        root.draw(&Text::new(tick_label(t), (x, y + 8), label.clone()))?;
    }
    let (a, y) = cc.backend_coord(&(x0, y_lo));
    let (b, _) = cc.backend_coord(&(x1, y_lo));
    let title = TextStyle::from(("sans-serif", 14)).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new("time (UTC)", ((a + b) / 2, y + 28), title))?;
    Ok(())
}

/// Vertical marker lines with their labels in staggered rows above the plot, each label
/// joined to its line.
fn draw_markers(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    cc: &mut Cart,
    p: &Panel,
    (y_lo, y_hi): (f64, f64),
) -> DrawResult {
    let text = TextStyle::from(("sans-serif", 12))
        .color(&MARK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for m in p.marks {
        cc.draw_series(std::iter::once(PathElement::new(
            vec![(m.x, y_lo), (m.x, y_hi)],
            MARK.mix(0.7).stroke_width(1),
        )))?;
    }
    let plot_top = cc.backend_coord(&(p.x.0, y_hi)).1;
    for ((x, label), b) in p.labels.iter().zip(p.boxes) {
        let x = x.round() as i32;
        let top = 4 + (b.row as f64 * ROW_H) as i32;
        let bottom = top + ROW_H as i32 - 3;
        root.draw(&PathElement::new(
            vec![(x, bottom), (x, plot_top)],
            MARK.mix(0.35).stroke_width(1),
        ))?;
        let (bx0, bx1) = (b.x0.round() as i32, b.x1.round() as i32);
        root.draw(&Rectangle::new(
            [(bx0, top), (bx1, bottom)],
            RGBColor(245, 245, 245).filled(),
        ))?;
        root.draw(&Rectangle::new([(bx0, top), (bx1, bottom)], MARK.mix(0.6)))?;
        root.draw(&Text::new(
            label.clone(),
            ((bx0 + bx1) / 2, (top + bottom) / 2),
            text.clone(),
        ))?;
    }
    Ok(())
}

/// The legend below the plot: a line sample and the series name per entry.
fn draw_legend(root: &DrawingArea<SVGBackend, plotters::coord::Shift>, p: &Panel) -> DrawResult {
    let text = TextStyle::from(("sans-serif", 13)).pos(Pos::new(HPos::Left, VPos::Center));
    for item in p.legend {
        let s = &p.chart.series[item.series];
        let mid = item.y + LEGEND_ROW as i32 / 2;
        root.draw(&PathElement::new(
            vec![(item.x, mid), (item.x + 24, mid)],
            style(s),
        ))?;
        root.draw(&Text::new(s.name.clone(), (item.x + 30, mid), text.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Marker, Series};
    use super::*;

    #[test]
    fn downsample_keeps_spikes_and_bounds_length() {
        let mut points: Vec<(f64, f64)> = (0..10_001).map(|i| (f64::from(i), 0.5)).collect();
        points[4_321].1 = 1.0;
        let out = downsample(points, 2_000, Agg::Max);
        assert!(out.len() <= 2_000, "{} points", out.len());
        assert!(out.iter().any(|p| p == &(4_321.0, 1.0)));
        let points = vec![(0.0, 3.0), (1.0, 1.0), (2.0, 2.0), (3.0, 5.0)];
        assert_eq!(
            downsample(points.clone(), 2, Agg::Min),
            vec![(1.0, 1.0), (2.0, 2.0)]
        );
        assert_eq!(
            downsample(points, 2, Agg::Last),
            vec![(1.0, 1.0), (3.0, 5.0)]
        );
    }

    #[test]
    fn y_range_covers_values() {
        assert_eq!(y_range([vec![(0.0, 2.0), (1.0, 4.0)]].iter()), (0.0, 4.2));
        assert_eq!(y_range(std::iter::empty()), (0.0, 1.0));
    }

    #[test]
    fn panel_has_markers_legend_below_and_utc_axis() {
        let chart = Chart::time("t", "Utilization", "%", |y| format!("{y:.0}"))
            .series(vec![Series::new(
                "WETH",
                0,
                Agg::Max,
                vec![(0.0, 10.0), (7_200.0, 99.0)],
            )])
            .markers(vec![
                Marker {
                    x: 3_600.0,
                    label: "1".into(),
                },
                Marker {
                    x: 3_660.0,
                    label: "2".into(),
                },
            ]);
        let svg = render_panel(&chart, 0.0, 7_200.0, false).unwrap();
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("time (UTC)"));
        assert!(svg.contains("01-01 01:00"), "{svg}");
        assert!(svg.contains(">\nWETH\n</text>") || svg.contains(">WETH</text>"));
        assert!(!svg.contains("http"));
        let standalone = chart.standalone_svg().unwrap();
        assert!(standalone.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    }
}
