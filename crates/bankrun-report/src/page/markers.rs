//! Event-marker labels that never overlap: each label goes to the first row in which it
//! keeps a gap to the label before it; labels closer than their width are staggered.

/// Pixel width of one character of a marker label (12 px sans-serif, generous).
pub(crate) const CHAR_W: f64 = 7.5;
/// Horizontal padding inside a label box, pixels (both sides together).
pub(crate) const PAD_W: f64 = 8.0;
/// Height of one row of labels, pixels.
pub(crate) const ROW_H: f64 = 17.0;
/// Minimum gap between two labels of one row, pixels.
const GAP: f64 = 3.0;

/// A placed label box: horizontal extent in pixels and its row (0 = top row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LabelBox {
    /// Left edge, pixels.
    pub x0: f64,
    /// Right edge, pixels.
    pub x1: f64,
    /// Row, 0-based.
    pub row: usize,
}

impl LabelBox {
    /// Whether two boxes overlap (same row and intersecting extents).
    #[cfg(test)]
    pub(crate) fn overlaps(&self, other: &LabelBox) -> bool {
        self.row == other.row && self.x0 < other.x1 && other.x0 < self.x1
    }
}

/// Width in pixels of a label box holding `text`.
pub(crate) fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W + PAD_W
}

/// Places labels centred on pixel positions `xs` (with the given `widths`), clamped into
/// `[left, right]`. Returns one box per label, in input order; the number of rows used is
/// one more than the largest `row`.
pub(crate) fn place(xs: &[f64], widths: &[f64], left: f64, right: f64) -> Vec<LabelBox> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]).then(a.cmp(b)));
    let mut row_ends: Vec<f64> = Vec::new();
    let mut out = vec![
        LabelBox {
            x0: 0.0,
            x1: 0.0,
            row: 0
        };
        xs.len()
    ];
    for i in order {
        let w = widths[i];
        let x0 = (xs[i] - w / 2.0).max(left).min((right - w).max(left));
        let row = row_ends
            .iter()
            .position(|end| *end + GAP <= x0)
            .unwrap_or(row_ends.len());
        if row == row_ends.len() {
            row_ends.push(x0 + w);
        } else {
            row_ends[row] = x0 + w;
        }
        out[i] = LabelBox {
            x0,
            x1: x0 + w,
            row,
        };
    }
    out
}

/// Label rows above which nearby markers share one label.
pub(crate) const MAX_ROWS: usize = 4;

/// Labels for markers at pixel positions `xs`: one per marker, unless that needs more than
/// [`MAX_ROWS`] rows; then markers within `merge_px` of the first marker of a group share
/// one label `first–last`, centred on the group. Returns `(pixel x, label)` in x order.
pub(crate) fn labels(xs: &[f64], texts: &[String], merge_px: f64) -> Vec<(f64, String)> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]).then(a.cmp(b)));
    let single: Vec<(f64, String)> = order.iter().map(|&i| (xs[i], texts[i].clone())).collect();
    let widths: Vec<f64> = single.iter().map(|l| label_width(&l.1)).collect();
    let x: Vec<f64> = single.iter().map(|l| l.0).collect();
    if rows(&place(&x, &widths, f64::MIN, f64::MAX)) <= MAX_ROWS {
        return single;
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match groups.last_mut() {
            Some(g) if xs[i] - xs[g[0]] <= merge_px => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let (first, last) = (g[0], g[g.len() - 1]);
            let text = if g.len() == 1 {
                texts[first].clone()
            } else {
                format!("{}–{}", texts[first], texts[last])
            };
            ((xs[first] + xs[last]) / 2.0, text)
        })
        .collect()
}

/// Rows used by `boxes` (0 when there are none).
pub(crate) fn rows(boxes: &[LabelBox]) -> usize {
    boxes.iter().map(|b| b.row + 1).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixel position of unix second `t` on an 840 px plot spanning `[t0, t1]`.
    fn px(t: f64, t0: f64, t1: f64) -> f64 {
        100.0 + (t - t0) / (t1 - t0) * 840.0
    }

    #[test]
    fn events_one_minute_apart_get_disjoint_boxes() {
        let (t0, t1) = (0.0, 86_400.0);
        let xs = [px(36_000.0, t0, t1), px(36_060.0, t0, t1)];
        let widths = [label_width("1"), label_width("2")];
        let boxes = place(&xs, &widths, 100.0, 940.0);
        assert!(!boxes[0].overlaps(&boxes[1]), "{boxes:?}");
        assert_eq!(rows(&boxes), 2, "the second label moves to a new row");
    }

    #[test]
    fn crowded_events_share_a_label() {
        // Eleven events within two minutes on a seven-day axis, and one a day later.
        let (t0, t1) = (0.0, 7.0 * 86_400.0);
        let mut xs: Vec<f64> = (0..11).map(|i| px(f64::from(i) * 12.0, t0, t1)).collect();
        xs.push(px(86_400.0, t0, t1));
        let texts: Vec<String> = (1..=12).map(|i: i32| i.to_string()).collect();
        let l = labels(&xs, &texts, 24.0);
        assert_eq!(l.len(), 2, "{l:?}");
        assert_eq!(l[0].1, "1–11");
        assert_eq!(l[1].1, "12");
        // Few events keep one label each.
        let two = labels(&xs[..2], &texts[..2], 24.0);
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn distant_events_share_a_row_and_many_close_ones_never_overlap() {
        let boxes = place(&[100.0, 500.0], &[20.0, 20.0], 0.0, 1000.0);
        assert_eq!(rows(&boxes), 1);
        let xs: Vec<f64> = (0..30).map(|i| 400.0 + f64::from(i) * 2.0).collect();
        let widths: Vec<f64> = (0..30).map(|i| label_width(&i.to_string())).collect();
        let boxes = place(&xs, &widths, 0.0, 1000.0);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} {b:?}");
            }
        }
        // Clamped into the plot.
        let edge = place(&[0.0], &[40.0], 10.0, 1000.0);
        assert_eq!(edge[0].x0, 10.0);
    }
}
