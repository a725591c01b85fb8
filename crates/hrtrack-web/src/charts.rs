//! Charts drawn on the server as SVG: a horizontal bar chart and a stacked horizontal bar
//! chart. Each chart is a `<figure>` holding the SVG (`role="img"`, a `<title>` naming it)
//! and, beside it, a `<table>` with the same numbers, for screen readers, for copying and for
//! anyone who prefers figures to bars. Colours come from CSS classes (the CSP allows no
//! inline style); every label is escaped.

use std::fmt::Write as _;

use crate::html::escape;

/// Width of the drawing, in SVG units.
const WIDTH: i64 = 640;
/// Room for the labels on the left.
const LABEL_WIDTH: i64 = 200;
/// Room for the number after the longest bar.
const VALUE_WIDTH: i64 = 60;
/// Height of one row, and of one bar within it.
const ROW_HEIGHT: i64 = 26;
const BAR_HEIGHT: i64 = 18;

/// One bar: a label and its value.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

/// One series of a stacked chart: its CSS class suffix and its name in the page language.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub class: &'static str,
    pub name: &'a str,
}

/// One stacked bar: a label and one value per series, in the order of the series.
#[derive(Debug, Clone)]
pub struct StackedBar {
    pub label: String,
    pub values: Vec<i64>,
}

/// The length of a bar of `value` when `max` fills the drawing.
fn bar_length(value: i64, max: i64) -> i64 {
    let room = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    if max <= 0 {
        0
    } else {
        value.max(0) * room / max
    }
}

/// Labels longer than this are shortened in the drawing (the table keeps them whole).
const MAX_LABEL_CHARS: usize = 28;

fn short_label(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// The opening of the SVG with its accessible name.
fn svg_start(id: &str, title: &str, rows: usize) -> String {
    let height = ROW_HEIGHT * i64::try_from(rows).unwrap_or(0) + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\
         <title id=\"{id}-title\">{title}</title>",
        title = escape(title)
    )
}

/// A horizontal bar chart of `bars`, with a table whose columns are `label_header` and
/// `value_header`.
pub fn bar_chart(
    id: &str,
    title: &str,
    label_header: &str,
    value_header: &str,
    bars: &[Bar],
) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let mut svg = svg_start(id, title, bars.len());
    let mut rows = String::new();
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW_HEIGHT * i64::try_from(i).unwrap_or(0) + 4;
        let length = bar_length(bar.value, max);
        let _ = write!(
            svg,
            "<g><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"bar\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" data-value=\"{value}\"/>\
             <text x=\"{vx}\" y=\"{ty}\">{value}</text></g>",
            lx = LABEL_WIDTH - 6,
            ty = y + 13,
            vx = LABEL_WIDTH + length + 4,
            label = escape(&short_label(&bar.label)),
            value = bar.value,
        );
        let _ = write!(
            rows,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            escape(&bar.label),
            bar.value
        );
    }
    svg.push_str("</svg>");
    format!(
        "<figure class=\"chart\" id=\"{id}\">{svg}<table><caption>{title}</caption>\
         <thead><tr><th scope=\"col\">{lh}</th><th scope=\"col\" class=\"num\">{vh}</th></tr></thead>\
         <tbody>{rows}</tbody></table></figure>",
        title = escape(title),
        lh = escape(label_header),
        vh = escape(value_header),
    )
}

/// A stacked horizontal bar chart: one bar per row, one segment per series, with a legend
/// and a table holding every value and the row's total.
pub fn stacked_chart(
    id: &str,
    title: &str,
    label_header: &str,
    total_header: &str,
    series: &[Series<'_>],
    bars: &[StackedBar],
) -> String {
    let max = bars
        .iter()
        .map(|b| b.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    let mut svg = svg_start(id, title, bars.len());
    let mut rows = String::new();
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW_HEIGHT * i64::try_from(i).unwrap_or(0) + 4;
        let total: i64 = bar.values.iter().sum();
        let _ = write!(
            svg,
            "<g><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>",
            lx = LABEL_WIDTH - 6,
            ty = y + 13,
            label = escape(&short_label(&bar.label)),
        );
        let mut x = LABEL_WIDTH;
        let mut cumulative = 0;
        let mut cells = String::new();
        for (serie, value) in series.iter().zip(&bar.values) {
            // Segments end where the running total ends, so rounding never leaves gaps.
            cumulative += value;
            let end = LABEL_WIDTH + bar_length(cumulative, max);
            if *value > 0 {
                let _ = write!(
                    svg,
                    "<rect class=\"seg-{class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{BAR_HEIGHT}\" data-value=\"{value}\"><title>{name}: {value}</title></rect>",
                    class = serie.class,
                    w = end - x,
                    name = escape(serie.name),
                );
            }
            x = end;
            let _ = write!(cells, "<td class=\"num\">{value}</td>");
        }
        let _ = write!(
            svg,
            "<text x=\"{vx}\" y=\"{ty}\">{total}</text></g>",
            vx = x + 4,
            ty = y + 13
        );
        let _ = write!(
            rows,
            "<tr><th scope=\"row\">{}</th>{cells}<td class=\"num\">{total}</td></tr>",
            escape(&bar.label)
        );
    }
    svg.push_str("</svg>");
    let mut legend = String::from("<ul class=\"legend\">");
    let mut heads = String::new();
    for serie in series {
        let _ = write!(
            legend,
            "<li><span class=\"swatch seg-{}\" aria-hidden=\"true\"></span>{}</li>",
            serie.class,
            escape(serie.name)
        );
        let _ = write!(
            heads,
            "<th scope=\"col\" class=\"num\">{}</th>",
            escape(serie.name)
        );
    }
    legend.push_str("</ul>");
    format!(
        "<figure class=\"chart\" id=\"{id}\"><div>{svg}{legend}</div><table><caption>{title}</caption>\
         <thead><tr><th scope=\"col\">{lh}</th>{heads}<th scope=\"col\" class=\"num\">{th}</th></tr></thead>\
         <tbody>{rows}</tbody></table></figure>",
        title = escape(title),
        lh = escape(label_header),
        th = escape(total_header),
    )
}
