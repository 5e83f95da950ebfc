//! PNG charts drawn in-process with plotters and the bundled Japanese font
//! (`data/fonts/`, Noto Sans CJK JP subset, SIL OFL 1.1), so no glyph depends on the
//! reader's machine. Drawn at twice the size they are shown (600 px wide in the email)
//! so they stay sharp on high-density screens.

use std::sync::OnceLock;

use anyhow::Context;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::domain::yen::group_thousands;

/// The bundled font (CP932 repertoire plus symbols).
pub const FONT: &[u8] = include_bytes!("../../data/fonts/NotoSansCJKjp-Regular-subset.otf");

/// Pixel width of every chart; shown at half this width.
pub const WIDTH: u32 = 1200;

const FAMILY: &str = "sans-serif";
const INK: RGBColor = RGBColor(31, 41, 51);
const GRID: RGBColor = RGBColor(203, 210, 217);
const BLUE: RGBColor = RGBColor(47, 111, 159);
const LIGHT_BLUE: RGBColor = RGBColor(150, 190, 220);
const ORANGE: RGBColor = RGBColor(217, 130, 43);

/// Registers the bundled font once; a failure is remembered, not retried or forgotten.
fn register_font() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok()) {
        Ok(())
    } else {
        anyhow::bail!("the bundled font data/fonts/NotoSansCJKjp-Regular-subset.otf is unreadable")
    }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// The label left of the bar.
    pub label: String,
    /// The bar's length.
    pub value: f64,
    /// A second part stacked after the first (0 for none).
    pub stacked: f64,
    /// Drawn in the warning colour.
    pub highlight: bool,
}

/// What a chart shows.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// The caption above the chart.
    pub title: &'a str,
    /// The unit of the values, e.g. `件` or `円`.
    pub unit: &'a str,
    /// Legend text of the first and the stacked part (empty: no legend).
    pub legend: (&'a str, &'a str),
    /// A vertical reference line (threshold) and its label.
    pub reference: Option<(f64, &'a str)>,
}

/// Pixels the longest bar label needs at 26 px (full-width characters are square, others
/// about half), capped at 40% of the width; longer labels are shortened with "…".
fn label_area(bars: &[Bar]) -> u32 {
    let widest = bars.iter().map(|b| text_width(&b.label)).max().unwrap_or(0);
    (widest + 24).clamp(120, MAX_LABEL)
}

const MAX_LABEL: u32 = WIDTH * 2 / 5;

fn text_width(text: &str) -> u32 {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> u32 {
    if c.is_ascii() || ('\u{ff61}'..='\u{ff9f}').contains(&c) { 14 } else { 26 }
}

fn fit_label(text: &str) -> String {
    // Full-width brackets carry wide side bearings in the font; half-width ones read better.
    let text = &text.replace('（', "(").replace('）', ")");
    if text_width(text) + 24 <= MAX_LABEL {
        return text.to_string();
    }
    // Keep characters while they and the "…" fit in the label area.
    let mut room = MAX_LABEL - 24 - char_width('…');
    let mut out = String::new();
    for c in text.chars() {
        if char_width(c) > room {
            break;
        }
        room -= char_width(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// Axis labels: yen from a million up in 万円, so the axis stays short.
/// An axis tick's label: counts are whole, so a tick between two whole numbers (drawn
/// when the largest value is small) gets no label rather than a repeated rounded one.
fn axis_value(v: f64, unit: &str, max: f64) -> String {
    if (v - v.round()).abs() > 1e-9 {
        String::new()
    } else if unit == "円" && max >= 1e6 {
        format!("{}万円", group_thousands((v / 1e4).round() as i64))
    } else {
        label_value(v, unit)
    }
}

fn label_value(v: f64, unit: &str) -> String {
    format!("{}{unit}", group_thousands(v.round() as i64))
}

fn encode(pixels: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().context("PNG header")?;
    writer.write_image_data(pixels).context("PNG data")?;
    writer.finish().context("PNG end")?;
    Ok(out)
}

fn draw(
    width: u32,
    height: u32,
    paint: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<u8>> {
    register_font()?;
    let mut pixels = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        paint(&root)?;
        root.present().map_err(|e| anyhow::anyhow!("chart: {e}"))?;
    }
    encode(&pixels, width, height)
}

fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("chart: {e:?}")
}

/// A chart of periods along the bottom and values up the side, its caption, grid and axis
/// labels drawn: the frame the trend bars and the forecast fan share.
fn over_time<'a, 'b, X>(
    root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    spec: &Spec,
    x: X,
    ticks: usize,
    max: f64,
    x_label: &dyn Fn(&X::ValueType) -> String,
) -> anyhow::Result<ChartContext<'a, BitMapBackend<'b>, Cartesian2d<X, RangedCoordf64>>>
where
    X: Ranged + ValueFormatter<X::ValueType>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(spec.title, (FAMILY, 36).into_font().color(&INK))
        .margin(24)
        .x_label_area_size(56)
        .y_label_area_size(150)
        .build_cartesian_2d(x, 0f64..max)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(ticks)
        .x_label_formatter(x_label)
        .y_labels(6)
        .y_label_formatter(&|v| axis_value(*v, spec.unit, max))
        .label_style((FAMILY, 26).into_font().color(&INK))
        .axis_style(GRID)
        .draw()
        .map_err(plot_err)?;
    Ok(chart)
}

/// Horizontal bars, first item at the top, values written at the bar ends.
pub fn horizontal_bars(spec: &Spec, bars: &[Bar]) -> anyhow::Result<Vec<u8>> {
    let n = bars.len().max(1);
    let height = 150 + 56 * n as u32;
    let max = bars.iter().map(|b| b.value + b.stacked).fold(0.0, f64::max);
    let max = max.max(spec.reference.map_or(0.0, |r| r.0)).max(1.0) * 1.3;
    draw(WIDTH, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(spec.title, (FAMILY, 36).into_font().color(&INK))
            .margin(24)
            .x_label_area_size(50)
            .y_label_area_size(label_area(bars))
            .build_cartesian_2d(0f64..max, (0..n as i32 - 1).into_segmented())
            .map_err(plot_err)?;
        let top = |i: i32| n as i32 - 1 - i;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    bars.get(top(*i) as usize).map(|b| fit_label(&b.label)).unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_labels(5)
            .x_label_formatter(&|v| axis_value(*v, spec.unit, max))
            .label_style((FAMILY, 26).into_font().color(&INK))
            .axis_style(GRID)
            .draw()
            .map_err(plot_err)?;
        if let Some((x, label)) = spec.reference {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(x, SegmentValue::Exact(0)), (x, SegmentValue::Last)],
                    ORANGE.stroke_width(3),
                )))
                .map_err(plot_err)?
                .label(label)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], ORANGE.stroke_width(3)));
        }
        let first = chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .margin(10)
                    .style_func(|y, _| {
                        let i = match y {
                            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => top(*i) as usize,
                            SegmentValue::Last => 0,
                        };
                        if bars.get(i).is_some_and(|b| b.highlight) { ORANGE.filled() } else { BLUE.filled() }
                    })
                    .data(bars.iter().enumerate().map(|(i, b)| (top(i as i32), b.value))),
            )
            .map_err(plot_err)?;
        if !spec.legend.0.is_empty() {
            first.label(spec.legend.0).legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], BLUE.filled()));
        }
        if bars.iter().any(|b| b.stacked > 0.0) {
            let base: Vec<f64> = bars.iter().map(|b| b.value).collect();
            chart
                .draw_series(
                    Histogram::horizontal(&chart)
                        .margin(10)
                        .style(LIGHT_BLUE.filled())
                        .baseline_func(move |y| match y {
                            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => base[top(*i) as usize],
                            SegmentValue::Last => 0.0,
                        })
                        .data(bars.iter().enumerate().map(|(i, b)| (top(i as i32), b.value + b.stacked))),
                )
                .map_err(plot_err)?
                .label(spec.legend.1)
                .legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], LIGHT_BLUE.filled()));
        }
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                Text::new(
                    format!(" {}", label_value(b.value + b.stacked, spec.unit)),
                    (b.value + b.stacked, SegmentValue::CenterOf(top(i as i32))),
                    (FAMILY, 26).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))
            .map_err(plot_err)?;
        if !spec.legend.0.is_empty() || spec.reference.is_some() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .label_font((FAMILY, 22).into_font().color(&INK))
                .background_style(WHITE.mix(0.9))
                .border_style(GRID)
                .draw()
                .map_err(plot_err)?;
        }
        Ok(())
    })
}

/// Vertical bars over labelled periods (the 13-month trend).
pub fn vertical_bars(spec: &Spec, labels: &[String], values: &[Option<f64>]) -> anyhow::Result<Vec<u8>> {
    let n = labels.len().max(1);
    let max = values.iter().flatten().copied().fold(0.0, f64::max).max(1.0) * 1.15;
    draw(WIDTH, 560, |root| {
        let label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let mut chart = over_time(root, spec, (0..n as i32 - 1).into_segmented(), n, max, &label)?;
        let last = n as i32 - 1;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .margin(8)
                    .style_func(move |x, _| match x {
                        SegmentValue::Exact(i) | SegmentValue::CenterOf(i) if *i == last => BLUE.filled(),
                        _ => LIGHT_BLUE.filled(),
                    })
                    .data(values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as i32, v)))),
            )
            .map_err(plot_err)?;
        // A month without data gets a dash on the axis, not a bar of zero.
        let dash = (FAMILY, 30).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_none())
                    .map(|(i, _)| Text::new("—", (SegmentValue::CenterOf(i as i32), max * 0.01), dash.clone())),
            )
            .map_err(plot_err)?;
        Ok(())
    })
}

/// A forecast fan: what happened (a line), then the point forecast (a dashed line) inside its
/// 80 % band (darker) and 95 % band (lighter). `labels[i]` names x position `i` (empty: no
/// tick label); `history` fills the first positions, the forecast the rest.
pub struct Fan<'a> {
    /// One label per position, history then forecast.
    pub labels: &'a [String],
    /// The months that happened (`None`: no data, a gap in the line).
    pub history: &'a [Option<f64>],
    /// The point forecast.
    pub point: &'a [f64],
    /// The 80 % band (lower, upper).
    pub b80: (&'a [f64], &'a [f64]),
    /// The 95 % band (lower, upper).
    pub b95: (&'a [f64], &'a [f64]),
}

/// Draws a [`Fan`].
pub fn fan(spec: &Spec, f: &Fan) -> anyhow::Result<Vec<u8>> {
    let start = f.history.len();
    let n = start + f.point.len();
    let max = f.history.iter().flatten().chain(f.b95.1).copied().fold(0.0, f64::max).max(1.0) * 1.1;
    let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
        let top = hi.iter().enumerate().map(|(i, v)| ((start + i) as f64, *v));
        let bottom = lo.iter().enumerate().rev().map(|(i, v)| ((start + i) as f64, *v));
        top.chain(bottom).collect()
    };
    draw(WIDTH, 600, |root| {
        let label = |v: &f64| {
            let i = v.round() as usize;
            if (v - i as f64).abs() < 1e-6 { f.labels.get(i).cloned().unwrap_or_default() } else { String::new() }
        };
        let x = RangedCoordf64::from(0f64..(n.max(2) - 1) as f64);
        let mut chart = over_time(root, spec, x, n, max, &label)?;
        let pale = RGBColor(222, 235, 247);
        chart.draw_series(std::iter::once(Polygon::new(band(f.b95.0, f.b95.1), pale.filled()))).map_err(plot_err)?;
        chart
            .draw_series(std::iter::once(Polygon::new(band(f.b80.0, f.b80.1), LIGHT_BLUE.mix(0.7).filled())))
            .map_err(plot_err)?;
        // The line breaks where a month has no data instead of dropping to zero.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, v) in f.history.iter().enumerate() {
            match v {
                Some(v) => run.push((i as f64, *v)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.into_iter().filter(|r| !r.is_empty()) {
            chart.draw_series(LineSeries::new(r, BLUE.stroke_width(4))).map_err(plot_err)?;
        }
        let joined = f.history.last().copied().flatten().map(|v| ((start - 1) as f64, v));
        let ahead = f.point.iter().enumerate().map(|(i, v)| ((start + i) as f64, *v));
        chart
            .draw_series(DashedLineSeries::new(joined.into_iter().chain(ahead), 14, 8, ORANGE.stroke_width(4)))
            .map_err(plot_err)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_png(bytes: &[u8]) -> bool {
        bytes.starts_with(b"\x89PNG\r\n\x1a\n")
    }

    #[test]
    fn small_counts_label_only_whole_ticks() {
        // A month of one view: ticks at 0.2, 0.4… were all labelled 0件 or 1件.
        assert_eq!(axis_value(0.4, "件", 1.15), "");
        assert_eq!(axis_value(1.0, "件", 1.15), "1件");
        assert_eq!(axis_value(3000.0, "件", 3500.0), "3,000件");
        assert_eq!(axis_value(2_000_000.0, "円", 5e6), "200万円");
    }

    #[test]
    fn draws_png_with_the_bundled_font() {
        let spec =
            Spec { title: "画像閲覧回数（直近12か月）", unit: "回", legend: ("", ""), reference: None };
        let bars = [
            Bar { label: "魚沼基幹病院".into(), value: 1200.0, stacked: 0.0, highlight: false },
            Bar { label: "齋藤記念病院".into(), value: 30.0, stacked: 0.0, highlight: true },
        ];
        let png = horizontal_bars(&spec, &bars).unwrap();
        assert!(is_png(&png) && png.len() > 5_000, "{} bytes", png.len());
        let trend =
            vertical_bars(&spec, &["7月".into(), "8月".into(), "9月".into()], &[Some(10.0), None, Some(12.0)]).unwrap();
        assert!(is_png(&trend));
        let labels: Vec<String> =
            (0..6).map(|i| if i % 3 == 0 { format!("R{}", 7 + i / 3) } else { String::new() }).collect();
        let (lo, hi) = ([9.0, 8.0, 7.0], [13.0, 14.0, 15.0]);
        let f = Fan {
            labels: &labels,
            history: &[Some(10.0), None, Some(11.0)],
            point: &[11.0, 11.0, 11.0],
            b80: (&lo, &hi),
            b95: (&lo, &hi),
        };
        assert!(is_png(&fan(&spec, &f).unwrap()));
    }
}
