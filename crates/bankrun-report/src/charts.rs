//! Inline SVG line charts rendered with `plotters` (SVG backend, no system fonts needed:
//! text is emitted as SVG `<text>` elements and laid out by the browser).

use plotters::prelude::*;

use crate::error::ReportError;
use crate::series::Line;

/// Chart size in SVG user units (pixels).
const SIZE: (u32, u32) = (960, 360);

/// Line colours (Tableau 10), indexed by [`Line::color`] modulo the length.
const PALETTE: [RGBColor; 10] = [
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

/// Everything needed to draw one time chart.
pub(crate) struct ChartSpec<'a> {
    /// Name used in error messages.
    pub id: &'static str,
    /// Caption drawn above the plot.
    pub title: &'a str,
    /// Y-axis description, with unit.
    pub y_desc: &'a str,
    /// Formats y-axis tick labels.
    pub y_fmt: fn(f64) -> String,
    /// The lines, already downsampled, x in hours since start.
    pub lines: &'a [Line],
    /// Scripted events as (label, hours since start), drawn as vertical lines.
    pub events: &'a [(String, f64)],
    /// Right end of the x axis, hours.
    pub x_max: f64,
}

/// Renders `spec` as one `<svg>` element (without the `xmlns` attribute, which inline SVG
/// in HTML does not need, so the page references no URL).
pub(crate) fn render_svg(spec: &ChartSpec) -> Result<String, ReportError> {
    let mut svg = String::new();
    draw(spec, &mut svg).map_err(|e| ReportError::Chart {
        chart: spec.id,
        message: e.to_string(),
    })?;
    Ok(svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

/// The y range: from min(0, lowest value) to 5 % above the highest value (at least 1 wide).
fn y_range(lines: &[Line]) -> (f64, f64) {
    let values = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
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

/// Decimals of the hour tick labels, so that ticks on short runs stay distinct.
fn x_decimals(x_max: f64) -> usize {
    if x_max >= 20.0 {
        0
    } else if x_max >= 2.0 {
        1
    } else {
        2
    }
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(spec: &ChartSpec, svg: &mut String) -> DrawResult {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (y_lo, y_hi) = y_range(spec.lines);
    let x_max = if spec.x_max > 0.0 { spec.x_max } else { 1.0 };
    let mut chart = ChartBuilder::on(&root)
        .caption(spec.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .x_desc("hours since start")
        .y_desc(spec.y_desc)
        .x_label_formatter(&|x| format!("{x:.decimals$}", decimals = x_decimals(x_max)))
        .y_label_formatter(&|y| (spec.y_fmt)(*y))
        .draw()?;
    draw_events(&mut chart, spec.events, (y_lo, y_hi))?;
    for line in spec.lines {
        draw_line(&mut chart, line)?;
    }
    if !spec.lines.is_empty() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 15))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws one line with its legend entry.
fn draw_line(chart: &mut Chart, line: &Line) -> DrawResult {
    let base = PALETTE[line.color % PALETTE.len()];
    let style = if line.secondary {
        base.mix(0.55).stroke_width(1)
    } else {
        base.to_rgba().stroke_width(2)
    };
    chart
        .draw_series(LineSeries::new(line.points.iter().copied(), style))?
        .label(line.name.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    Ok(())
}

/// Draws each event as a dashed-looking grey vertical line with its label at the top.
fn draw_events(
    chart: &mut Chart,
    events: &[(String, f64)],
    (y_lo, y_hi): (f64, f64),
) -> DrawResult {
    let grey = RGBColor(120, 120, 120);
    for (label, x) in events {
        let line = PathElement::new(vec![(*x, y_lo), (*x, y_hi)], grey.mix(0.8).stroke_width(1));
        chart.draw_series(std::iter::once(line))?;
        let style = TextStyle::from(("sans-serif", 14)).color(&grey);
        chart.draw_series(std::iter::once(Text::new(label.clone(), (*x, y_hi), style)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_svg_with_text_and_no_namespace_url() {
        let lines = [Line {
            name: "WETH".into(),
            color: 0,
            secondary: false,
            points: vec![(0.0, 10.0), (1.0, 50.0), (2.0, 99.0)],
        }];
        let events = [("1".to_owned(), 1.5)];
        let spec = ChartSpec {
            id: "test",
            title: "Utilization",
            y_desc: "%",
            y_fmt: |y| format!("{y:.0}"),
            lines: &lines,
            events: &events,
            x_max: 2.0,
        };
        let svg = render_svg(&spec).unwrap();
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("<text"), "text is emitted without ttf");
        assert!(svg.contains(">\nWETH\n</text>"), "legend label present");
        assert!(svg.contains("hours since start"));
        assert!(!svg.contains("http"));
    }

    #[test]
    fn y_range_covers_values() {
        let line = Line {
            name: String::new(),
            color: 0,
            secondary: false,
            points: vec![(0.0, 2.0), (1.0, 4.0)],
        };
        assert_eq!(y_range(&[line]), (0.0, 4.2));
        assert_eq!(y_range(&[]), (0.0, 1.0));
    }
}
