//! The SVG charts of the SDG indicator pages, drawn on the server: a line chart (periods
//! along the x axis, one line per breakdown code, axis ticks, a legend, every value in a
//! `<title>` tooltip) and, when the data has a single period, a bar chart. The SVG has
//! `role="img"` and a `<title>`; the page puts the table of the same numbers beside it.
//! Colours come from the classes `line-0` … `line-11` (the CSP allows no inline style);
//! every label is escaped.

use std::fmt::Write as _;

use crate::html::escape;

/// The most lines (or bars) a chart draws; the page says when there were more.
pub const MAX_LINES: usize = 12;

/// Size of the drawing and its margins, in SVG units.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// Ticks on the value axis (about).
const VALUE_TICKS: usize = 5;
/// The most period labels along the x axis.
const MAX_PERIOD_LABELS: usize = 12;
/// Height of one bar row of the bar chart.
const BAR_ROW: f64 = 26.0;
/// Room for the labels of the bar chart.
const BAR_LABEL_WIDTH: f64 = 220.0;

/// One line: its label and its values, as (index into the periods, value).
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub points: Vec<(usize, f64)>,
}

/// A value as the pages print it: the shortest text that reads back the same number.
pub fn number(value: f64) -> String {
    format!("{value}")
}

/// A round step between ticks covering `span` in about `ticks` steps.
fn tick_step(span: f64, ticks: usize) -> f64 {
    let raw = span / ticks.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The value axis: (low, high, step), from zero (or the lowest value when negative) to a
/// round value at or above the highest.
fn value_axis(lines: &[Line]) -> (f64, f64, f64) {
    let values = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let (min, max) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = if max > min { max - min } else { 1.0 };
    let step = tick_step(span, VALUE_TICKS);
    let low = (min / step).floor() * step;
    let high = ((max / step).ceil() * step).max(low + step);
    (low, high, step)
}

/// The opening of the SVG with its accessible name.
fn svg_start(id: &str, title: &str, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" class=\"sdg-chart\">\
         <title id=\"{id}-title\">{title}</title>",
        title = escape(title)
    )
}

/// The legend: one swatch and label per line.
fn legend(labels: &[&str]) -> String {
    let mut html = String::from("<ul class=\"legend\">");
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            html,
            "<li><span class=\"swatch line-{i}\" aria-hidden=\"true\"></span>{}</li>",
            escape(label)
        );
    }
    html.push_str("</ul>");
    html
}

/// A line chart of `lines` over `periods` (at most [`MAX_LINES`] are drawn), with its legend.
pub fn line_chart(id: &str, title: &str, periods: &[String], lines: &[Line]) -> String {
    let lines = &lines[..lines.len().min(MAX_LINES)];
    let (low, high, step) = value_axis(lines);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x_of = |index: usize| {
        if periods.len() <= 1 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * index as f64 / (periods.len() - 1) as f64
        }
    };
    let y_of = |value: f64| TOP + plot_height * (high - value) / (high - low);
    let mut svg = svg_start(id, title, HEIGHT);
    svg.push_str("<g class=\"axis\">");
    let mut tick = low;
    while tick <= high + step / 2.0 {
        let y = y_of(tick);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>",
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            label = number((tick / step).round() * step),
        );
        tick += step;
    }
    let every = periods.len().div_ceil(MAX_PERIOD_LABELS).max(1);
    for (i, period) in periods.iter().enumerate() {
        if i % every == 0 || i + 1 == periods.len() {
            let x = x_of(i);
            let _ = write!(
                svg,
                "<line class=\"tick\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y1}\" y2=\"{y2}\"/>\
                 <text x=\"{x:.1}\" y=\"{ty}\" text-anchor=\"middle\">{label}</text>",
                y1 = HEIGHT - BOTTOM,
                y2 = HEIGHT - BOTTOM + 5.0,
                ty = HEIGHT - BOTTOM + 18.0,
                label = escape(period),
            );
        }
    }
    svg.push_str("</g>");
    for (i, line) in lines.iter().enumerate() {
        let mut path = String::new();
        for (n, (period, value)) in line.points.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if n == 0 { "M" } else { " L" },
                x_of(*period),
                y_of(*value)
            );
        }
        let _ = write!(
            svg,
            "<g class=\"series\"><path class=\"line line-{i}\" d=\"{path}\"/>"
        );
        for (period, value) in &line.points {
            let _ = write!(
                svg,
                "<circle class=\"point line-{i}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"><title>{label}, {when}: {value}</title></circle>",
                x = x_of(*period),
                y = y_of(*value),
                label = escape(&line.label),
                when = escape(periods.get(*period).map_or("", String::as_str)),
                value = number(*value),
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    format!("<div class=\"sdg-figure\">{svg}{}</div>", legend(&labels))
}

/// A horizontal bar chart of one period's values (at most [`MAX_LINES`] bars), each bar in
/// the colour its line would have.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, f64)]) -> String {
    let bars = &bars[..bars.len().min(MAX_LINES)];
    let height = BAR_ROW * bars.len() as f64 + 8.0;
    let (low, high) = bars.iter().fold((0.0_f64, 0.0_f64), |(lo, hi), (_, v)| {
        (lo.min(*v), hi.max(*v))
    });
    let span = if high > low { high - low } else { 1.0 };
    let room = WIDTH - BAR_LABEL_WIDTH - 70.0;
    let x_of = |value: f64| BAR_LABEL_WIDTH + room * (value - low) / span;
    let mut svg = svg_start(id, title, height);
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = BAR_ROW * i as f64 + 4.0;
        let (from, to) = (x_of(0.0), x_of(*value));
        let _ = write!(
            svg,
            "<g><text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"bar line-{i}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\"><title>{label}: {text}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\">{text}</text></g>",
            lx = BAR_LABEL_WIDTH - 6.0,
            ty = y + 13.0,
            x = from.min(to),
            w = (to - from).abs(),
            vx = from.max(to) + 4.0,
            label = escape(label),
            text = number(*value),
        );
    }
    svg.push_str("</svg>");
    format!("<div class=\"sdg-figure\">{svg}</div>")
}
