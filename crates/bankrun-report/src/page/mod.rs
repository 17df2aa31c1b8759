//! The one report template of every `bankrun` command: a [`Page`] with a title, a
//! description, a metadata list and ordered [`Section`]s of [`Block`]s (tables, line charts
//! with a UTC or numeric x axis, heatmaps, histograms), rendered by one renderer with one
//! stylesheet into a self-contained HTML file (inline CSS and SVG, no scripts, no external
//! resources).
//!
//! The page skeleton is a `minijinja` template (HTML auto-escaping, so every text given here
//! is plain text); charts are drawn with `plotters` into inline SVG. Time axes are UTC with
//! tick labels like `03-12 06:00`; a time chart spanning more than 24 h gets a second chart of
//! its first 24 h; event markers are vertical lines whose labels are staggered into rows so
//! they never overlap; legends sit below the data area; wide tables scroll horizontally
//! inside their own container.

mod heat;
mod markers;
mod network;
mod plot;
mod time;

use serde::Serialize;

use crate::error::ReportError;
pub use heat::exceedance;
pub use time::{parse_rfc3339, utc};

/// Formats an axis tick or a table value.
pub type Fmt = fn(f64) -> String;

/// How a downsampling bucket of a line is reduced to one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Keep the point with the largest value (spikes stay visible).
    Max,
    /// Keep the point with the smallest value (dips stay visible).
    Min,
    /// Keep the last point of the bucket (cumulative series, prices).
    Last,
}

/// One named line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Palette index (Tableau 10, modulo its length).
    pub color: usize,
    /// Drawn thinner and lighter (e.g. supply APR next to borrow APR).
    pub secondary: bool,
    /// How the renderer downsamples the line to at most [`MAX_POINTS`] points.
    pub agg: Agg,
    /// `(x, y)` points in x order; x is unix seconds (UTC) on a time chart.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A primary line downsampled with `agg`.
    pub fn new(name: impl Into<String>, color: usize, agg: Agg, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            color,
            secondary: false,
            agg,
            points,
        }
    }
}

/// Maximum points per drawn line (per chart panel).
pub const MAX_POINTS: usize = 2_000;

/// A vertical event marker: a line at `x` with a short label above the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Position (unix seconds on a time chart).
    pub x: f64,
    /// Label, e.g. the event's number in the event table.
    pub label: String,
}

/// The x axis of a [`Chart`].
#[derive(Debug, Clone)]
pub enum XAxis {
    /// Unix seconds, shown as UTC `MM-DD HH:MM` with the title `time (UTC)`.
    Time,
    /// A numeric axis with a title (with unit) and a tick formatter.
    Value {
        /// Axis title.
        label: String,
        /// Tick formatter.
        fmt: Fmt,
    },
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// HTML id of the figure (a second, zoomed figure gets `<id>-24h`).
    pub id: String,
    /// Title shown above the chart.
    pub title: String,
    /// Explanation shown below the chart.
    pub caption: String,
    /// The x axis.
    pub x: XAxis,
    /// Fixed x range; `None`: the extent of the series and markers.
    pub x_range: Option<(f64, f64)>,
    /// Y-axis title, with unit.
    pub y_label: String,
    /// Y tick formatter.
    pub y_fmt: Fmt,
    /// The lines.
    pub series: Vec<Series>,
    /// Event markers.
    pub markers: Vec<Marker>,
}

impl Chart {
    /// A chart over UTC time (x in unix seconds).
    pub fn time(id: &str, title: &str, y_label: &str, y_fmt: Fmt) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            caption: String::new(),
            x: XAxis::Time,
            x_range: None,
            y_label: y_label.to_owned(),
            y_fmt,
            series: Vec::new(),
            markers: Vec::new(),
        }
    }

    /// A chart over a numeric x axis.
    pub fn xy(id: &str, title: &str, x_label: &str, x_fmt: Fmt, y_label: &str, y_fmt: Fmt) -> Self {
        Self {
            x: XAxis::Value {
                label: x_label.to_owned(),
                fmt: x_fmt,
            },
            ..Self::time(id, title, y_label, y_fmt)
        }
    }

    /// Sets the caption.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = caption.into();
        self
    }

    /// Sets the lines.
    pub fn series(mut self, series: Vec<Series>) -> Self {
        self.series = series;
        self
    }

    /// Sets the event markers.
    pub fn markers(mut self, markers: Vec<Marker>) -> Self {
        self.markers = markers;
        self
    }

    /// The whole chart as a standalone SVG document (with its XML namespace), for an
    /// `.svg` file next to the report.
    ///
    /// # Errors
    /// [`ReportError::Chart`] if drawing fails.
    pub fn standalone_svg(&self) -> Result<String, ReportError> {
        let (x0, x1) = plot::x_extent(self);
        plot::render_panel(self, x0, x1, true)
    }
}

/// One cell of a [`Heatmap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatCell {
    /// Column (index into `x_levels`).
    pub x: usize,
    /// Row (index into `y_levels`).
    pub y: usize,
    /// Value (`None`: undefined, drawn grey with `–`).
    pub value: Option<f64>,
    /// Standard error, shown as `value ± se`.
    pub se: Option<f64>,
}

/// A heatmap over two categorical axes, with a colour bar (min / max) and `value ± se` in
/// each cell.
#[derive(Debug, Clone)]
pub struct Heatmap {
    /// HTML id of the figure.
    pub id: String,
    /// Title shown above the map.
    pub title: String,
    /// Explanation shown below the map.
    pub caption: String,
    /// X-axis title.
    pub x_label: String,
    /// Y-axis title.
    pub y_label: String,
    /// Column labels, left to right.
    pub x_levels: Vec<String>,
    /// Row labels, bottom to top.
    pub y_levels: Vec<String>,
    /// The cells.
    pub cells: Vec<HeatCell>,
    /// Formats values, standard errors and the colour-bar ends.
    pub fmt: Fmt,
}

/// A histogram of samples (e.g. per-path losses).
#[derive(Debug, Clone)]
pub struct Histogram {
    /// HTML id of the figure.
    pub id: String,
    /// Title shown above the histogram.
    pub title: String,
    /// Explanation shown below it.
    pub caption: String,
    /// X-axis title, with unit.
    pub x_label: String,
    /// X tick formatter.
    pub x_fmt: Fmt,
    /// The samples (non-finite values are ignored).
    pub samples: Vec<f64>,
    /// Number of equal-width bins.
    pub bins: usize,
}

/// A node of a [`Network`].
#[derive(Debug, Clone, PartialEq)]
pub struct NetNode {
    /// Label (the value is appended, formatted).
    pub label: String,
    /// Column (index into [`Network::columns`]).
    pub column: usize,
    /// Value: the node's size grows with its square root.
    pub value: f64,
}

/// An edge of a [`Network`].
#[derive(Debug, Clone, PartialEq)]
pub struct NetEdge {
    /// Source node (index into [`Network::nodes`]).
    pub from: usize,
    /// Target node.
    pub to: usize,
    /// Kind (index into [`Network::kinds`]): the edge's colour.
    pub kind: usize,
    /// Value: the line's width grows with its square root.
    pub value: f64,
}

/// A network figure: nodes stacked in labelled columns, edges as lines.
#[derive(Debug, Clone)]
pub struct Network {
    /// HTML id of the figure.
    pub id: String,
    /// Title shown above it.
    pub title: String,
    /// Explanation shown below it.
    pub caption: String,
    /// Column titles, left to right.
    pub columns: Vec<String>,
    /// The nodes, stacked in each column in this order.
    pub nodes: Vec<NetNode>,
    /// The edges.
    pub edges: Vec<NetEdge>,
    /// Edge kinds, named in the legend.
    pub kinds: Vec<String>,
    /// Formats node values.
    pub fmt: Fmt,
}

/// A table. Every cell is plain text; numeric columns are right-aligned, the columns listed
/// in `text_columns` left-aligned and wrapping. Rendered inside a horizontally scrolling
/// container so it never widens the page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Title (an `h3`; may be empty).
    pub title: String,
    /// A note below the title (may be empty).
    pub note: String,
    /// Header cells.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Columns of free text.
    pub text_columns: Vec<usize>,
}

impl Table {
    /// A table with `header` and `rows`.
    pub fn new(title: &str, header: &[&str], rows: Vec<Vec<String>>) -> Self {
        Self {
            title: title.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            ..Self::default()
        }
    }

    /// A one-row table from `(label, value)` pairs.
    pub fn pairs(title: &str, pairs: Vec<(&str, String)>) -> Self {
        let (header, values): (Vec<&str>, Vec<String>) = pairs.into_iter().unzip();
        Self::new(title, &header, vec![values])
    }

    /// A two-column `(label, value)` table, one pair per row.
    pub fn key_values(title: &str, pairs: Vec<(String, String)>) -> Self {
        let rows = pairs.into_iter().map(|(k, v)| vec![k, v]).collect();
        Self::new(title, &["", ""], rows)
    }

    /// The first `limit` of `rows` as a table: the header is the field names of `T`, numbers
    /// with a fraction are shown compact (three significant digits, [`crate::compact`]),
    /// integers and text as they are; a note says how many rows are left out.
    ///
    /// # Errors
    /// [`ReportError::Csv`] if `T` does not serialise to a flat record.
    pub fn from_serialize<T: Serialize + Default>(
        title: &str,
        rows: &[T],
        limit: usize,
    ) -> Result<Self, ReportError> {
        let shown = &rows[..rows.len().min(limit)];
        let text = crate::csv_string(shown)?;
        let csv_err = |source| ReportError::Csv {
            path: "<memory>".into(),
            source,
        };
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut out = Vec::with_capacity(shown.len());
        for record in reader.records() {
            out.push(record.map_err(csv_err)?.iter().map(table_cell).collect());
        }
        let mut table = Self {
            title: title.to_owned(),
            header,
            rows: out,
            ..Self::default()
        };
        if rows.is_empty() {
            table.note = "No rows.".to_owned();
        } else if rows.len() > limit {
            table.note = format!(
                "Showing the first {} of {} rows; all are in the CSV file.",
                crate::count(limit as u64),
                crate::count(rows.len() as u64)
            );
        }
        Ok(table)
    }
}

/// A CSV field as a table cell: numbers written with a fraction or exponent are shown
/// compact, the rest (integers, text, times) unchanged.
fn table_cell(field: &str) -> String {
    let fractional = field.contains(['.', 'e', 'E']);
    match field.parse::<f64>() {
        Ok(v) if fractional => crate::compact(v),
        _ => field.to_owned(),
    }
}

/// One element of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A table.
    Table(Table),
    /// A line chart (and, for a time chart longer than 24 h, its first-24-h zoom).
    Chart(Chart),
    /// A heatmap.
    Heatmap(Heatmap),
    /// A histogram.
    Histogram(Histogram),
    /// A network figure.
    Network(Network),
    /// A paragraph of plain text.
    Text(String),
}

/// A titled section of the page.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Title (an `h2`).
    pub title: String,
    /// A paragraph under the title (may be empty).
    pub description: String,
    /// Blocks, in order.
    pub blocks: Vec<Block>,
    /// Lay the figures out side by side (small multiples) instead of one per row.
    pub grid: bool,
}

impl Section {
    /// A section with `blocks`.
    pub fn new(title: &str, description: &str, blocks: Vec<Block>) -> Self {
        Self {
            title: title.to_owned(),
            description: description.to_owned(),
            blocks,
            grid: false,
        }
    }
}

/// A report page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Title (`<title>` and `h1`).
    pub title: String,
    /// Paragraph under the title (may be empty).
    pub description: String,
    /// `(label, value)` metadata shown as a definition list.
    pub meta: Vec<(String, String)>,
    /// Sections, in order.
    pub sections: Vec<Section>,
    /// Footer text, e.g. `Generated by bankrun 0.1.0.`.
    pub footer: String,
}

/// The stylesheet of every report.
const CSS: &str = include_str!("page.css");

/// The page skeleton.
const TEMPLATE: &str = include_str!("page.html");

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    meta: &'a [(String, String)],
    css: &'static str,
    sections: Vec<SectionView<'a>>,
    footer: &'a str,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    description: &'a str,
    grid: bool,
    blocks: Vec<BlockView>,
}

/// A rendered block: `kind` is `table`, `figure` or `text`.
#[derive(Serialize, Default)]
struct BlockView {
    kind: &'static str,
    id: String,
    title: String,
    note: String,
    header: Vec<String>,
    rows: Vec<Vec<CellView>>,
    svg: String,
    caption: String,
}

#[derive(Serialize)]
struct CellView {
    text: String,
    wrap: bool,
}

/// A rendered figure.
pub(crate) struct Figure {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

impl From<Figure> for BlockView {
    fn from(f: Figure) -> Self {
        Self {
            kind: "figure",
            id: f.id,
            title: f.title,
            svg: f.svg,
            caption: f.caption,
            ..Self::default()
        }
    }
}

fn table_view(t: &Table) -> BlockView {
    let rows = t.rows.iter().map(|row| {
        let cells = row.iter().enumerate().map(|(i, c)| CellView {
            text: c.clone(),
            wrap: t.text_columns.contains(&i),
        });
        cells.collect()
    });
    BlockView {
        kind: "table",
        title: t.title.clone(),
        note: t.note.clone(),
        header: t.header.clone(),
        rows: rows.collect(),
        ..BlockView::default()
    }
}

fn block_views(block: &Block) -> Result<Vec<BlockView>, ReportError> {
    Ok(match block {
        Block::Table(t) => vec![table_view(t)],
        Block::Chart(c) => plot::render_chart(c)?
            .into_iter()
            .map(BlockView::from)
            .collect(),
        Block::Heatmap(h) => vec![heat::render_heatmap(h)?.into()],
        Block::Histogram(h) => vec![heat::render_histogram(h)?.into()],
        Block::Network(n) => vec![network::render_network(n)?.into()],
        Block::Text(text) => vec![BlockView {
            kind: "text",
            note: text.clone(),
            ..BlockView::default()
        }],
    })
}

impl Page {
    /// Renders the page: byte-identical for identical input.
    ///
    /// # Errors
    /// [`ReportError::Chart`] if a chart cannot be drawn, [`ReportError::Template`] if the
    /// page skeleton fails to render (a bug).
    pub fn render(&self) -> Result<String, ReportError> {
        let mut sections = Vec::with_capacity(self.sections.len());
        for s in &self.sections {
            let mut blocks = Vec::new();
            for b in &s.blocks {
                blocks.extend(block_views(b)?);
            }
            sections.push(SectionView {
                title: &s.title,
                description: &s.description,
                grid: s.grid,
                blocks,
            });
        }
        let view = PageView {
            title: &self.title,
            description: &self.description,
            meta: &self.meta,
            css: CSS,
            sections,
            footer: &self.footer,
        };
        let template_err = |e: minijinja::Error| ReportError::Template {
            message: e.to_string(),
        };
        let mut env = minijinja::Environment::new();
        env.add_template("page.html", TEMPLATE)
            .map_err(template_err)?;
        let template = env.get_template("page.html").map_err(template_err)?;
        template
            .render(minijinja::value::Serde(&view))
            .map_err(template_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        let mut chart = Chart::time("c", "Price <ETH>", "USD", crate::usd);
        chart.series = vec![Series::new(
            "ETH",
            0,
            Agg::Last,
            (0..100)
                .map(|i| (f64::from(i) * 3600.0, f64::from(i)))
                .collect(),
        )];
        chart.markers = vec![
            Marker {
                x: 36_000.0,
                label: "1".into(),
            },
            Marker {
                x: 36_060.0,
                label: "2".into(),
            },
        ];
        Page {
            title: "t & <b>".into(),
            description: "d".into(),
            meta: vec![("Seed".into(), "7".into())],
            sections: vec![Section::new(
                "S",
                "",
                vec![
                    Block::Chart(chart),
                    Block::Table(Table::pairs("T", vec![("a", "<x>".into())])),
                ],
            )],
            footer: "f".into(),
        }
    }

    #[test]
    fn page_escapes_text_and_zooms_long_time_charts() {
        let html = page().render().unwrap();
        assert!(html.contains("t &amp; &lt;b&gt;"), "title escaped");
        assert!(html.contains("&lt;x&gt;"), "cells escaped");
        assert_eq!(
            html.matches("<svg").count(),
            2,
            "99 h chart + first-24-h zoom"
        );
        assert!(html.contains("first 24 h"));
        assert!(html.contains("time (UTC)"));
        assert!(html.contains("01-01 12:00"), "UTC tick labels");
        assert!(html.contains("class=\"scroll\""));
        for forbidden in ["http://", "https://", "<script", "url("] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
        assert_eq!(html, page().render().unwrap(), "deterministic");
    }

    #[test]
    fn serialized_rows_become_formatted_cells() {
        #[derive(Serialize, Default, Clone)]
        struct Row {
            id: u64,
            time: String,
            usd: f64,
            name: String,
        }
        let rows = vec![
            Row {
                id: 1,
                time: "2020-03-12T00:00:00Z".into(),
                usd: 1_234_567.891,
                name: "a, b".into(),
            };
            3
        ];
        let t = Table::from_serialize("x", &rows, 2).unwrap();
        assert_eq!(t.header, ["id", "time", "usd", "name"]);
        assert_eq!(
            t.rows[0],
            ["1", "2020-03-12T00:00:00Z", "1.23M", "a, b"].map(String::from)
        );
        assert_eq!(t.rows.len(), 2);
        assert!(t.note.contains("first 2 of 3"));
    }
}
