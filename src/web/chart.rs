//! Charts in the console as inline SVG drawn on the server: the browser's own Japanese
//! fonts draw the labels, no script is needed, and presentation attributes (never `style=`)
//! keep the strict content security policy. A missing value breaks the line; it is never
//! drawn as 0.

use std::fmt::Write;

const W: f64 = 880.0;
const H: f64 = 300.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLOURS: [&str; 4] = ["#1f5fa8", "#d0771e", "#2e8540", "#8e3b9e"];

/// One series: its name and a value per x label (None: no data).
pub type Series = (String, Vec<Option<f64>>);

/// A line (`line`) or grouped bar (`bar`) chart as SVG markup.
pub fn svg(kind: &str, title: &str, x: &[String], series: &[Series]) -> String {
    let max = series.iter().flat_map(|(_, v)| v.iter().flatten()).fold(0.0_f64, |a, b| a.max(*b));
    let top = nice_ceiling(max);
    let (plot_w, plot_h) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let n = x.len().max(1) as f64;
    let step = plot_w / n;
    let x_at = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y_at = |v: f64| TOP + plot_h - plot_h * v / top;
    let mut s = String::new();
    let names: Vec<&str> = series.iter().map(|(n, _)| n.as_str()).collect();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {H}" xmlns="http://www.w3.org/2000/svg"><title>{}</title><desc>{}（{}）。表でも同じ値を示しています</desc>"#,
        escape(title),
        escape(&names.join("・")),
        escape(&format!("{}〜{}", x.first().map_or("", |s| s.as_str()), x.last().map_or("", |s| s.as_str())))
    );
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let y = y_at(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d8dde3" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#333">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            crate::report::format::count(v.round() as i64)
        );
    }
    let every = (x.len() / 12).max(1);
    for (i, label) in x.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="12" fill="#333">{}</text>"##,
            x_at(i),
            H - BOTTOM + 18.0,
            escape(label)
        );
    }
    for (k, (_, values)) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        if kind == "bar" {
            let bw = step * 0.8 / series.len() as f64;
            for (i, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    let x0 = x_at(i) - step * 0.4 + bw * k as f64;
                    let _ = write!(
                        s,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{colour}"/>"#,
                        y_at(*v),
                        TOP + plot_h - y_at(*v)
                    );
                }
            }
        } else {
            // Each run of months with data is its own line: a gap is not drawn across.
            let mut run: Vec<String> = Vec::new();
            let flush = |run: &mut Vec<String>, s: &mut String| {
                if run.len() == 1 {
                    let _ = write!(s, r#"<circle cx="{}" r="3" fill="{colour}"/>"#, run[0].replace(',', "\" cy=\""));
                } else if run.len() > 1 {
                    let _ = write!(
                        s,
                        r#"<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{}"/>"#,
                        run.join(" ")
                    );
                }
                run.clear();
            };
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => run.push(format!("{:.1},{:.1}", x_at(i), y_at(*v))),
                    None => flush(&mut run, &mut s),
                }
            }
            flush(&mut run, &mut s);
        }
    }
    for (k, name) in names.iter().enumerate() {
        let x0 = LEFT + 200.0 * k as f64;
        let _ = write!(
            s,
            r##"<rect x="{x0}" y="8" width="14" height="14" fill="{}"/><text x="{}" y="20" font-size="13" fill="#222">{}</text>"##,
            COLOURS[k % COLOURS.len()],
            x0 + 20.0,
            escape(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// The smallest of 1, 2, 2.5 or 5 × 10ⁿ at or above `v` (an axis that ends on a round number).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v).unwrap_or(10.0 * p)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(1_830.0), 2_000.0);
        assert_eq!(nice_ceiling(2_100.0), 2_500.0);
        assert_eq!(nice_ceiling(2_500.0), 2_500.0);
    }

    #[test]
    fn a_missing_month_breaks_the_line_and_labels_are_escaped() {
        let x: Vec<String> = ["2025-04", "2025-05", "2025-06", "2025-07"].map(String::from).to_vec();
        let out = svg("line", "<月別>", &x, &[("閲覧件数".into(), vec![Some(10.0), Some(20.0), None, Some(5.0)])]);
        assert_eq!(out.matches("<polyline").count(), 1, "two months joined, then a gap");
        assert_eq!(out.matches("<circle").count(), 1, "the month after the gap stands alone");
        assert!(out.contains("&lt;月別&gt;") && !out.contains("<月別>"));
        assert!(!out.contains("style="), "no inline style under the CSP");
    }
}
