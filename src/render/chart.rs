//! Charts (the org chart, the procedure's flowchart) as Mermaid text for Markdown and as SVG
//! drawn here for HTML, so that an HTML document needs no script and no network.

use std::fmt::Write as _;

use serde::Serialize;

use super::escape;
use crate::diagnostic::display_width;

/// A directed graph of labelled boxes, drawn top to bottom in layers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// Box labels.
    pub nodes: Vec<String>,
    /// Arrows, from → to, as indices into `nodes`.
    pub edges: Vec<(usize, usize)>,
}

const BOX_HEIGHT: f64 = 34.0;
const LAYER_GAP: f64 = 46.0;
const BOX_GAP: f64 = 16.0;
const MARGIN: f64 = 10.0;
const CHAR: f64 = 7.0;

impl Chart {
    /// Mermaid `flowchart TD` text.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (i, label) in self.nodes.iter().enumerate() {
            let label = label.replace('"', "#quot;");
            let _ = writeln!(out, "  n{i}[\"{label}\"]");
        }
        for (a, b) in &self.edges {
            let _ = writeln!(out, "  n{a} --> n{b}");
        }
        out
    }

    /// Each node's layer: the longest path to it from a node nothing points to. A cycle (which
    /// the checker forbids in `reports_to`) is cut where it closes.
    fn layers(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut layer = vec![0usize; n];
        // Bellman-Ford style relaxation, at most n rounds, so a cycle cannot loop forever.
        for _ in 0..n {
            let mut changed = false;
            for &(a, b) in &self.edges {
                if a < n && b < n && layer[b] < layer[a] + 1 && layer[a] + 1 < n {
                    layer[b] = layer[a] + 1;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        layer
    }

    /// An SVG drawing: boxes in layers, arrows between them. Text widths are estimated (CJK
    /// characters count double), which is enough for boxes to fit their labels.
    pub fn svg(&self) -> String {
        let layers = self.layers();
        let depth = layers.iter().copied().max().map_or(0, |d| d + 1);
        let width_of = |label: &str| display_width(label) as f64 * CHAR + 24.0;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for (i, &l) in layers.iter().enumerate() {
            rows[l].push(i);
        }
        // Order each layer under its parents (by their mean position) to keep arrows from
        // crossing.
        let mut position = vec![0.0f64; self.nodes.len()];
        for row in &mut rows {
            let key = |i: usize| {
                let parents: Vec<f64> = self
                    .edges
                    .iter()
                    .filter(|(_, b)| *b == i)
                    .filter_map(|(a, _)| position.get(*a).copied())
                    .collect();
                if parents.is_empty() {
                    f64::MAX
                } else {
                    parents.iter().sum::<f64>() / parents.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = row.iter().map(|&i| (key(i), i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            *row = keyed.into_iter().map(|(_, i)| i).collect();
            for (k, &i) in row.iter().enumerate() {
                position[i] = k as f64;
            }
        }
        let row_width = |row: &[usize]| {
            row.iter().map(|&i| width_of(&self.nodes[i])).sum::<f64>()
                + BOX_GAP * row.len().saturating_sub(1) as f64
        };
        let total_width = rows.iter().map(|r| row_width(r)).fold(0.0, f64::max) + 2.0 * MARGIN;
        let total_height = depth as f64 * (BOX_HEIGHT + LAYER_GAP) - LAYER_GAP + 2.0 * MARGIN;
        // Top-left corner and width of every box.
        let mut boxes = vec![(0.0, 0.0, 0.0); self.nodes.len()];
        for (l, row) in rows.iter().enumerate() {
            let mut x = (total_width - row_width(row)) / 2.0;
            let y = MARGIN + l as f64 * (BOX_HEIGHT + LAYER_GAP);
            for &i in row {
                let w = width_of(&self.nodes[i]);
                boxes[i] = (x, y, w);
                x += w + BOX_GAP;
            }
        }
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{total_width:.0}\" height=\"{:.0}\" viewBox=\"0 0 {total_width:.0} {:.0}\" role=\"img\">",
            total_height.max(0.0),
            total_height.max(0.0)
        );
        out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#444\"/></marker></defs>");
        for &(a, b) in &self.edges {
            let (Some(&(ax, ay, aw)), Some(&(bx, by, bw))) = (boxes.get(a), boxes.get(b)) else {
                continue;
            };
            let (x1, y1) = (ax + aw / 2.0, ay + BOX_HEIGHT);
            let (x2, y2) = (bx + bw / 2.0, by);
            let mid = (y1 + y2) / 2.0;
            let _ = write!(
                out,
                "<path d=\"M {x1:.1} {y1:.1} L {x1:.1} {mid:.1} L {x2:.1} {mid:.1} L {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"#444\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>"
            );
        }
        for (i, label) in self.nodes.iter().enumerate() {
            let (x, y, w) = boxes[i];
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BOX_HEIGHT}\" rx=\"4\" fill=\"#f4f6fa\" stroke=\"#333\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
                x + w / 2.0,
                y + BOX_HEIGHT / 2.0 + 4.5,
                escape(label)
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// A step for about four ticks up to `max`: 1, 2 or 5 times a power of ten, at least 1.
fn tick_step(max: f64) -> f64 {
    let rough = (max / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

/// A vertical bar chart as SVG: a value axis with ticks and light grid lines (in `unit`), the
/// category axis, and one bar per label with its value written above it.
pub fn bar_chart(labels: &[String], values: &[f64], unit: &str) -> String {
    let n = labels.len().max(1);
    let bar = 36.0;
    let gap = 14.0;
    let (top, height) = (20.0, 180.0);
    let label_room = labels
        .iter()
        .map(|l| display_width(l) as f64 * 6.5)
        .fold(0.0, f64::max)
        .clamp(20.0, 120.0);
    let max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    // A share is drawn against the whole: the axis of percentages reaches 100 %.
    let max = if unit == "%" { max.max(100.0) } else { max };
    let step = tick_step(max);
    // The axis reaches the first tick at or above the largest value.
    let top_value = (max / step).ceil().max(1.0) * step;
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize).min(20))
        .map(|i| i as f64 * step)
        .collect();
    let shown = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}{unit}")
        } else {
            format!("{v:.1}{unit}")
        }
    };
    let tick_width = ticks
        .iter()
        .map(|t| display_width(&shown(*t)))
        .max()
        .unwrap_or(1) as f64;
    let left = 12.0 + tick_width * 6.5;
    let width = left + n as f64 * (bar + gap) + gap;
    let total_height = top + height + label_room + 10.0;
    let scale = height / top_value;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width:.0}\" height=\"{total_height:.0}\" viewBox=\"0 0 {width:.0} {total_height:.0}\" role=\"img\">"
    );
    let base = top + height;
    for t in &ticks {
        let y = base - t * scale;
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{width:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{left}\" y2=\"{y:.1}\" stroke=\"#333\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
            left - 4.0,
            left - 6.0,
            y + 3.5,
            escape(&shown(*t))
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{base}\" stroke=\"#333\"/><line x1=\"{left}\" y1=\"{base}\" x2=\"{width:.1}\" y2=\"{base}\" stroke=\"#333\"/>"
    );
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let x = left + gap + i as f64 * (bar + gap);
        let h = if value.is_finite() {
            value.max(0.0) * scale
        } else {
            0.0
        };
        let y = base - h;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar}\" height=\"{h:.1}\" fill=\"#4a78b5\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text><text transform=\"translate({:.1},{:.1}) rotate(-40)\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            x + bar / 2.0,
            y - 4.0,
            escape(&shown(*value)),
            x + bar / 2.0,
            base + 14.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::{bar_chart, tick_step};

    #[test]
    fn ticks_are_round_and_cover_the_largest_value() {
        assert_eq!(tick_step(100.0), 50.0);
        assert_eq!(tick_step(7.0), 2.0);
        assert_eq!(tick_step(0.0), 1.0);
        assert_eq!(tick_step(2_400.0), 1_000.0);
        let svg = bar_chart(&["一月".into(), "二月".into()], &[93.8, 50.0], "%");
        // The value axis: 0 % to 100 % in steps of 50, each with its grid line.
        for tick in [">0%<", ">50%<", ">100%<"] {
            assert!(svg.contains(tick), "{tick} missing in {svg}");
        }
        assert!(svg.contains(">93.8%<") && svg.contains(">一月<"));
    }
}
