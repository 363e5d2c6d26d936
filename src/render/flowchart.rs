//! A flowchart: terminals, process boxes and decision diamonds with labelled arrows, laid out
//! by [`super::layout`] and drawn as SVG (HTML, and the picture in Word), as Mermaid text
//! (Markdown), and in words (the text alternative under the picture).

use std::fmt::Write as _;

use serde::Serialize;

use super::escape;
use super::layout::{Gaps, layout};
use crate::diagnostic::display_width;
use crate::render::breaks::wrap;

/// The shape of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Shape {
    /// Where the procedure starts or ends (rounded).
    Terminal,
    /// A step (a box).
    Process,
    /// A question with several ways out (a diamond).
    Decision,
}

/// A node: its shape and its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowNode {
    /// Its shape.
    pub shape: Shape,
    /// Its text: the title, then details in a smaller size; each wrapped when drawn.
    pub lines: Vec<String>,
}

impl FlowNode {
    /// The lines as drawn, each with whether it belongs to the title; a question is wrapped
    /// narrower, since a diamond widens fast with its text.
    fn drawn(&self) -> Vec<(bool, String)> {
        let width = match self.shape {
            Shape::Decision => WRAP_QUESTION,
            Shape::Terminal | Shape::Process => WRAP,
        };
        (self.lines.iter().enumerate())
            .flat_map(|(i, l)| wrap(l, width).into_iter().map(move |w| (i == 0, w)))
            .collect()
    }
}

/// An arrow, from → to, with an optional label (是 / 否).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowEdge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// The answer or branch it stands for.
    pub label: Option<String>,
}

/// A flowchart.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flowchart {
    /// Its nodes, in reading order.
    pub nodes: Vec<FlowNode>,
    /// Its arrows.
    pub edges: Vec<FlowEdge>,
    /// Whether its text is Chinese (for the punctuation of the chart in words).
    pub chinese: bool,
}

/// Font size of a node's first line, and of the others.
const TITLE: f64 = 13.0;
const SMALL: f64 = 12.0;
/// Widest text line, in display columns (a CJK character is two).
pub const WRAP: usize = 26;
/// Widest line of a question in a diamond.
pub const WRAP_QUESTION: usize = 18;
/// Fonts tried in order: CJK fonts first so that Chinese never falls back to boxes.
pub const FONTS: &str = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', SimSun, 'DejaVu Sans', Arial, sans-serif";

impl Flowchart {
    /// Adds a node and returns its index.
    pub fn node(&mut self, shape: Shape, lines: Vec<String>) -> usize {
        self.nodes.push(FlowNode { shape, lines });
        self.nodes.len() - 1
    }

    /// Adds an arrow.
    pub fn edge(&mut self, from: usize, to: usize, label: Option<String>) {
        self.edges.push(FlowEdge { from, to, label });
    }

    /// The width and height of each node's shape, from its text.
    fn sizes(&self) -> Vec<(f64, f64)> {
        (self.nodes.iter())
            .map(|n| {
                let lines = n.drawn();
                let text_w = (lines.iter())
                    .map(|(t, l)| display_width(l) as f64 * font(*t) * 0.55)
                    .fold(0.0, f64::max);
                let text_h = lines.iter().map(|(t, _)| font(*t) + 4.0).sum::<f64>();
                match n.shape {
                    Shape::Decision => {
                        let h = text_h + 24.0;
                        (text_w * h / (h - text_h) + 16.0, h)
                    }
                    Shape::Terminal | Shape::Process => (text_w + 28.0, text_h + 16.0),
                }
            })
            .collect()
    }

    /// An SVG drawing with its text alternative as `<title>` and `<desc>`.
    pub fn svg(&self, title: &str) -> String {
        let sizes = self.sizes();
        let edges: Vec<(usize, usize)> = self.edges.iter().map(|e| (e.from, e.to)).collect();
        let gaps = Gaps {
            // Layers close together: a procedure's chart is tall, and a page scales it to its
            // height (at 36 the complaint office's chart printed its text at 6 to 7 pt).
            node: 30.0,
            layer: 26.0,
            margin: 12.0,
        };
        let at = layout(&sizes, &edges, gaps);
        let mut out = String::new();
        let (w, h) = (at.width, at.height);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart flowchart\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" font-family=\"{}\"><title>{}</title><desc>{}</desc>",
            escape(FONTS),
            escape(title),
            escape(&self.words().join(" "))
        );
        out.push_str("<defs><marker id=\"flow-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#333\"/></marker></defs><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        for (e, points) in self.edges.iter().zip(&at.edges) {
            draw_edge(&mut out, e, points);
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let ((x, y), (w, h)) = (at.centres[i], sizes[i]);
            draw_node(&mut out, node, x, y, w, h);
        }
        out.push_str("</svg>");
        out
    }

    /// Mermaid `flowchart TD` text.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let text = n.lines.join("<br/>").replace('"', "#quot;");
            let text = text.as_str();
            let _ = match n.shape {
                Shape::Terminal => writeln!(out, "  n{i}([\"{text}\"])"),
                Shape::Process => writeln!(out, "  n{i}[\"{text}\"]"),
                Shape::Decision => writeln!(out, "  n{i}{{\"{text}\"}}"),
            };
        }
        for e in &self.edges {
            let _ = match &e.label {
                Some(l) => writeln!(
                    out,
                    "  n{} -->|\"{}\"| n{}",
                    e.from,
                    l.replace('"', "#quot;"),
                    e.to
                ),
                None => writeln!(out, "  n{} --> n{}", e.from, e.to),
            };
        }
        out
    }

    /// The chart in words, one entry per node: its number, its text, and where each arrow
    /// leaving it goes ("（3）属于受理范围？ [否 → 4；是 → 5]").
    pub fn words(&self) -> Vec<String> {
        (self.nodes.iter().enumerate())
            .map(|(i, n)| {
                let exits: Vec<String> = (self.edges.iter())
                    .filter(|e| e.from == i)
                    .map(|e| match &e.label {
                        Some(l) => format!("{l} → {}", e.to + 1),
                        None => format!("→ {}", e.to + 1),
                    })
                    .collect();
                let (comma, semicolon) = if self.chinese {
                    ("，", "；")
                } else {
                    (", ", "; ")
                };
                let text = n.lines.join(comma);
                let number = if self.chinese {
                    format!("（{}）", i + 1)
                } else {
                    format!("({}) ", i + 1)
                };
                match (exits.is_empty(), self.chinese) {
                    (true, _) => format!("{number}{text}"),
                    // Full-width brackets in Chinese text, with no space before them.
                    (false, true) => format!("{number}{text}【{}】", exits.join(semicolon)),
                    (false, false) => format!("{number}{text} [{}]", exits.join(semicolon)),
                }
            })
            .collect()
    }
}

fn font(title: bool) -> f64 {
    if title { TITLE } else { SMALL }
}

fn draw_edge(out: &mut String, e: &FlowEdge, points: &[(f64, f64)]) {
    let Some(&(x0, y0)) = points.first() else {
        return;
    };
    let mut d = format!("M {x0:.1} {y0:.1}");
    for (x, y) in &points[1..] {
        let _ = write!(d, " L {x:.1} {y:.1}");
    }
    let _ = write!(
        out,
        "<path d=\"{d}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\" marker-end=\"url(#flow-arrow)\"/>"
    );
    if let Some(label) = &e.label {
        // An arrow leaving sideways (going back) is labelled where it leaves; one going down
        // just above the box it reaches, where no other arrow ends.
        let (x1, y1) = points.get(1).copied().unwrap_or((x0, y0));
        let (xn, yn) = points.last().copied().unwrap_or((x0, y0));
        let (lx, ly, anchor) = if (x1 - x0).abs() > (y1 - y0).abs() {
            let anchor = if x1 > x0 { "start" } else { "end" };
            (x0 + (x1 - x0).signum() * 4.0, y0 - 4.0, anchor)
        } else {
            (xn + 5.0, yn - 6.0, "start")
        };
        let _ = write!(
            out,
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\" font-size=\"{SMALL}\" fill=\"#1a4f8b\">{}</text>",
            escape(label)
        );
    }
}

fn draw_node(out: &mut String, node: &FlowNode, x: f64, y: f64, w: f64, h: f64) {
    let (left, top) = (x - w / 2.0, y - h / 2.0);
    let _ = match node.shape {
        Shape::Terminal => write!(
            out,
            "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{:.1}\" fill=\"#e8f0e8\" stroke=\"#333\"/>",
            h / 2.0
        ),
        Shape::Process => write!(
            out,
            "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"3\" fill=\"#f4f6fa\" stroke=\"#333\"/>"
        ),
        Shape::Decision => write!(
            out,
            "<path d=\"M {x:.1} {top:.1} L {:.1} {y:.1} L {x:.1} {:.1} L {left:.1} {y:.1} Z\" fill=\"#fdf6e3\" stroke=\"#333\"/>",
            x + w / 2.0,
            y + h / 2.0
        ),
    };
    let lines = node.drawn();
    let text_h = lines.iter().map(|(t, _)| font(*t) + 4.0).sum::<f64>();
    let mut baseline = y - text_h / 2.0;
    for (title, line) in &lines {
        baseline += font(*title) + 4.0;
        let weight = if *title && node.lines.len() > 1 {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{}\"{weight}>{}</text>",
            baseline - 3.5,
            font(*title),
            escape(line)
        );
    }
}
