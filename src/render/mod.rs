//! Stage 3, Policy -> documents: a small document model (headings, paragraphs, tables, lists)
//! built from the compiled policy and written as Markdown or self-contained HTML. Every
//! derived section (the steps a role owns, the cases routed to it, the deadlines it answers
//! for) is computed from the same policy that decides cases, so the documents cannot drift.

mod role;

use std::fmt::Write as _;

pub use role::position_description;

use crate::syntax::ast::Label;

/// The language of headings and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// A label in this language: its explicit form, else the form as first written.
    pub fn pick(self, label: &Label) -> &str {
        let explicit = match self {
            Lang::Zh => label.zh.as_deref(),
            Lang::En => label.en.as_deref(),
        };
        explicit.unwrap_or(&label.text)
    }

    /// One of two fixed texts.
    pub fn say(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A part of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading of level 1–3.
    Heading(u8, String),
    /// A paragraph.
    Paragraph(String),
    /// A table with a header row.
    Table {
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List(Vec<String>),
}

/// A document: a title and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The title (also the first heading).
    pub title: String,
    /// Its language.
    pub lang: Lang,
    /// The content.
    pub blocks: Vec<Block>,
}

impl Document {
    /// Markdown (CommonMark with pipe tables).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading(level, text) => {
                    let _ = writeln!(
                        out,
                        "{} {text}",
                        "#".repeat(usize::from(*level).clamp(1, 6))
                    );
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "{text}");
                }
                Block::List(items) => {
                    for item in items {
                        let _ = writeln!(out, "- {item}");
                    }
                }
                Block::Table { header, rows } => {
                    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
                    let _ = writeln!(
                        out,
                        "| {} |",
                        header
                            .iter()
                            .map(|h| cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
                    for row in rows {
                        let _ = writeln!(
                            out,
                            "| {} |",
                            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                        );
                    }
                }
            }
        }
        out
    }

    /// One self-contained HTML file: no scripts, no network, print CSS for A4, CJK fonts.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<article>\n<h1>{}</h1>\n",
            self.lang.code(),
            escape(&self.title),
            escape(&self.title)
        );
        for block in &self.blocks {
            match block {
                Block::Heading(level, text) => {
                    let level = (*level).clamp(1, 6);
                    let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "<p>{}</p>", escape(text));
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        let _ = writeln!(out, "<li>{}</li>", escape(item));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table { header, rows } => {
                    out.push_str("<table>\n<thead><tr>");
                    for h in header {
                        let _ = write!(out, "<th>{}</th>", escape(h));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for row in rows {
                        out.push_str("<tr>");
                        for c in row {
                            let _ = write!(out, "<td>{}</td>", escape(c));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
            }
        }
        out.push_str("</article>\n</body>\n</html>\n");
        out
    }
}

const CSS: &str = "
body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", \"WenQuanYi Micro Hei\", sans-serif; line-height: 1.5; margin: 2em auto; max-width: 60em; color: #111; }
h1 { font-size: 1.6em; border-bottom: 2px solid #333; padding-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 1.4em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #777; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #eee; }
@page { size: A4; margin: 18mm; }
@media print { body { margin: 0; max-width: none; } article { break-after: page; } tr { break-inside: avoid; } }
";

/// Text safe inside HTML elements and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
