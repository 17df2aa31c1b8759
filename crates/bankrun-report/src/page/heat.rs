//! Heatmaps (with a colour bar and `value ± se` per cell), histograms, and exceedance
//! curves.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot::{DrawResult, PALETTE, chart_err, finish_svg};
use super::{Figure, Heatmap, Histogram};
use crate::error::ReportError;

/// Heatmap size (map and colour bar), pixels.
const HEAT_SIZE: (u32, u32) = (760, 440);
/// Width of the colour-bar area on the right, pixels.
const BAR_AREA: u32 = 130;
/// Histogram size, pixels.
const HIST_SIZE: (u32, u32) = (560, 300);

/// Viridis-like colour ramp at t ∈ [0, 1] (non-finite: 0).
fn ramp(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The finite min and max of the map's values (`None` if it has none).
fn value_range(h: &Heatmap) -> Option<(f64, f64)> {
    let finite = h
        .cells
        .iter()
        .filter_map(|c| c.value)
        .filter(|v| v.is_finite());
    finite.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Position of `v` on the colour scale `[lo, hi]`.
fn scale(v: f64, (lo, hi): (f64, f64)) -> f64 {
    if hi > lo { (v - lo) / (hi - lo) } else { 0.5 }
}

/// `value ± se` (or `value`, or `–` when undefined).
fn cell_label(h: &Heatmap, value: Option<f64>, se: Option<f64>) -> String {
    match (value, se) {
        (Some(v), Some(se)) => format!("{} ± {}", (h.fmt)(v), (h.fmt)(se)),
        (Some(v), None) => (h.fmt)(v),
        _ => "–".to_owned(),
    }
}

/// Renders a heatmap figure.
pub(crate) fn render_heatmap(h: &Heatmap) -> Result<Figure, ReportError> {
    let mut svg = String::new();
    draw_heatmap(h, &mut svg).map_err(|e| chart_err(&h.id, &e))?;
    Ok(Figure {
        id: h.id.clone(),
        title: h.title.clone(),
        caption: h.caption.clone(),
        svg: finish_svg(svg, false),
    })
}

fn draw_heatmap(h: &Heatmap, svg: &mut String) -> DrawResult {
    let root = SVGBackend::with_string(svg, HEAT_SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (map, bar) = root.split_horizontally(HEAT_SIZE.0 - BAR_AREA);
    let range = value_range(h);
    let nx = h.x_levels.len().max(1) as i32;
    let ny = h.y_levels.len().max(1) as i32;
    let mut chart = ChartBuilder::on(&map)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(90)
        // A segmented range a..b has b − a + 1 segments.
        .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
    let lab = |v: &SegmentValue<i32>, l: &[String]| match v {
        SegmentValue::CenterOf(i) => l.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let x_fmt = |v: &SegmentValue<i32>| lab(v, &h.x_levels);
    let y_fmt = |v: &SegmentValue<i32>| lab(v, &h.y_levels);
    chart
        .configure_mesh()
        .disable_mesh()
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .x_desc(h.x_label.as_str())
        .y_desc(h.y_label.as_str())
        .x_labels(h.x_levels.len())
        .y_labels(h.y_levels.len())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    for c in &h.cells {
        let (i, j) = (c.x as i32, c.y as i32);
        let t = c
            .value
            .filter(|v| v.is_finite())
            .zip(range)
            .map(|(v, r)| scale(v, r));
        let fill = t.map_or(RGBColor(220, 220, 220), ramp);
        chart.draw_series(std::iter::once(Rectangle::new(
            [
                (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
            ],
            fill.filled(),
        )))?;
        let ink = if t.is_none_or(|t| t > 0.6) {
            BLACK
        } else {
            WHITE
        };
        let style = TextStyle::from(("sans-serif", 12))
            .color(&ink)
            .pos(Pos::new(HPos::Center, VPos::Center));
        chart.draw_series(std::iter::once(Text::new(
            cell_label(h, c.value, c.se),
            (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
            style,
        )))?;
    }
    draw_color_bar(&bar, h, range)?;
    root.present()?;
    Ok(())
}

/// The colour bar: a vertical gradient with the maximum at the top and the minimum at the
/// bottom, labelled with the formatted values.
fn draw_color_bar(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    h: &Heatmap,
    range: Option<(f64, f64)>,
) -> DrawResult {
    let (x0, x1) = (16, 40);
    let (top, bottom) = (30, HEAT_SIZE.1 as i32 - 70);
    let steps = 40;
    for k in 0..steps {
        let t = 1.0 - f64::from(k) / f64::from(steps - 1);
        let y0 = top + (bottom - top) * k / steps;
        let y1 = top + (bottom - top) * (k + 1) / steps;
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], ramp(t).filled()))?;
    }
    area.draw(&Rectangle::new([(x0, top), (x1, bottom)], BLACK.mix(0.5)))?;
    let style = TextStyle::from(("sans-serif", 12)).pos(Pos::new(HPos::Left, VPos::Center));
    let (lo, hi) = match range {
        Some((lo, hi)) => ((h.fmt)(lo), (h.fmt)(hi)),
        None => ("n/a".to_owned(), "n/a".to_owned()),
    };
    area.draw(&Text::new(
        format!("max {hi}"),
        (x1 + 6, top),
        style.clone(),
    ))?;
    area.draw(&Text::new(
        format!("min {lo}"),
        (x1 + 6, bottom),
        style.clone(),
    ))?;
    area.draw(&Text::new("colour scale", (x0, top - 16), style))?;
    Ok(())
}

/// Equal-width bins over the finite samples: `(left edge, right edge, count)`.
fn bins(samples: &[f64], n: usize) -> Vec<(f64, f64, u64)> {
    let finite: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    let Some(lo) = finite.iter().copied().reduce(f64::min) else {
        return Vec::new();
    };
    let hi = finite.iter().copied().fold(lo, f64::max);
    let n = n.max(1);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let width = (hi - lo) / n as f64;
    let mut counts = vec![0_u64; n];
    for v in finite {
        let k = (((v - lo) / width).floor() as usize).min(n - 1);
        counts[k] += 1;
    }
    let edges = counts.into_iter().enumerate();
    edges
        .map(|(k, c)| (lo + k as f64 * width, lo + (k + 1) as f64 * width, c))
        .collect()
}

/// Renders a histogram figure.
pub(crate) fn render_histogram(h: &Histogram) -> Result<Figure, ReportError> {
    let mut svg = String::new();
    draw_histogram(h, &mut svg).map_err(|e| chart_err(&h.id, &e))?;
    Ok(Figure {
        id: h.id.clone(),
        title: h.title.clone(),
        caption: h.caption.clone(),
        svg: finish_svg(svg, false),
    })
}

fn draw_histogram(h: &Histogram, svg: &mut String) -> DrawResult {
    let root = SVGBackend::with_string(svg, HIST_SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let bins = bins(&h.samples, h.bins);
    let x0 = bins.first().map_or(0.0, |b| b.0);
    let x1 = bins.last().map_or(1.0, |b| b.1);
    let top = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .margin_right(20)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, 0.0..top)?;
    let x_fmt = |x: &f64| (h.x_fmt)(*x);
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .x_desc(h.x_label.as_str())
        .y_desc("paths")
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let fill = PALETTE[0].mix(0.8).filled();
    chart.draw_series(
        bins.iter()
            .map(|&(a, b, c)| Rectangle::new([(a, 0.0), (b, c as f64)], fill)),
    )?;
    root.present()?;
    Ok(())
}

/// The exceedance curve `P(X > x)` of `samples` as step-line points: from `(min, 1)` down
/// to `(max, 0)`, one step per distinct value. Non-finite samples are ignored; no samples
/// give no points.
pub fn exceedance(samples: &[f64]) -> Vec<(f64, f64)> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    let Some(&first) = s.first() else {
        return Vec::new();
    };
    let mut out = vec![(first, 1.0)];
    let mut i = 0;
    while i < s.len() {
        let v = s[i];
        while i < s.len() && s[i] == v {
            i += 1;
        }
        let above = (s.len() - i) as f64 / n;
        if let Some(&(_, prev)) = out.last() {
            out.push((v, prev));
        }
        out.push((v, above));
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::super::HeatCell;
    use super::*;

    #[test]
    fn exceedance_steps_down_to_zero() {
        let e = exceedance(&[3.0, 1.0, 1.0, 2.0]);
        assert_eq!(e.first(), Some(&(1.0, 1.0)));
        assert!(e.contains(&(1.0, 0.5)), "{e:?}");
        assert!(e.contains(&(2.0, 0.25)), "{e:?}");
        assert_eq!(e.last(), Some(&(3.0, 0.0)));
        assert!(e.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 >= w[1].1));
        assert!(exceedance(&[f64::NAN]).is_empty());
    }

    #[test]
    fn bins_count_every_sample() {
        let b = bins(&[0.0, 0.5, 1.0, 1.0, f64::NAN], 2);
        assert_eq!(b.iter().map(|x| x.2).sum::<u64>(), 4);
        assert_eq!(b[1].2, 3, "the maximum falls in the last bin");
        assert_eq!(bins(&[2.0, 2.0], 4).iter().map(|x| x.2).sum::<u64>(), 2);
    }

    #[test]
    fn heatmap_shows_value_and_se_and_a_colour_bar() {
        let h = Heatmap {
            id: "h".into(),
            title: "VaR".into(),
            caption: String::new(),
            x_label: "a".into(),
            y_label: "b".into(),
            x_levels: vec!["1".into(), "2".into()],
            y_levels: vec!["x".into()],
            cells: vec![
                HeatCell {
                    x: 0,
                    y: 0,
                    value: Some(12.3),
                    se: Some(0.4),
                },
                HeatCell {
                    x: 1,
                    y: 0,
                    value: None,
                    se: None,
                },
            ],
            fmt: |v| format!("{v:.1}"),
        };
        let f = render_heatmap(&h).unwrap();
        assert!(f.svg.contains("12.3 ± 0.4"), "{}", f.svg);
        assert!(f.svg.contains("max 12.3") && f.svg.contains("min 12.3"));
        assert!(f.svg.contains("–"));
    }
}
