//! Stage 3, Policy -> documents: a small document model (headings, paragraphs, tables, lists)
//! built from the compiled policy and written as Markdown or self-contained HTML. Every
//! derived section (the steps a role owns, the cases routed to it, the deadlines it answers
//! for) is computed from the same policy that decides cases, so the documents cannot drift.

mod breaks;
mod chart;
mod control;
#[cfg(feature = "docx")]
mod docx;
mod flowchart;
mod layout;
#[cfg(feature = "docx")]
mod picture;
mod procedure;
#[cfg(feature = "docx")]
mod reference;
mod role;
mod typography;
mod words;

pub use chart::{Chart, bar_chart};
pub use control::{Control, Revision, revisions};
#[cfg(feature = "docx")]
pub use docx::to_docx;
pub use flowchart::{FlowEdge, FlowNode, Flowchart, Shape};
pub use layout::{Gaps, Layout, layout};
pub use procedure::{org_chart, procedure};
#[cfg(feature = "docx")]
pub use reference::Reference;
pub use role::position_description;
#[cfg(feature = "batch")]
pub(crate) use words::target_label;
pub(crate) use words::{cond_words, deadline_words, target_name};

use crate::vocabulary::Label;

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
    /// An org chart.
    Chart(Chart),
    /// A flowchart with decisions, laid out in layers: SVG in HTML, Mermaid in Markdown, a
    /// picture in Word.
    Flowchart {
        /// The caption, also the picture's title.
        title: String,
        /// The chart.
        chart: Flowchart,
    },
    /// The next block starts a new page (a horizontal rule in Markdown).
    PageBreak,
    /// A figure drawn as SVG (HTML); Markdown and Word give its title, the figures being in
    /// a table beside it.
    Figure {
        /// The caption.
        title: String,
        /// The drawing.
        svg: String,
    },
    /// Blocks printed on one page, moved to the next as a whole rather than split (the
    /// revision record with the sign-off block, so that the signatures never stand alone).
    Together(Vec<Block>),
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
    /// Document control, for a document that is filed and signed.
    pub control: Option<Control>,
    /// What templates see by name besides the blocks: for a position description `role`
    /// (the role as the policy declares it) and `sections` (each numbered section's `title`
    /// and `blocks`, by key); for a bundle `documents`, each part's. Null for others.
    pub fields: serde_json::Value,
}

/// The text formats written through templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Markdown (CommonMark, pipe tables, Mermaid charts).
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// The built-in Markdown template, the default of `--template`.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/document.md.j2");
/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/document.html.j2");

/// A template that does not parse or render, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// 1-based line in the template, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Block {
    /// Blocks as templates see them, each a `kind` and its fields. A [`Block::Together`]
    /// comes out as its blocks between `together_start` and `together_end`, markers with no
    /// content, so a template that knows nothing of them loses nothing.
    pub fn contexts(blocks: &[Block]) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Together(inner) => {
                    out.push(serde_json::json!({ "kind": "together_start" }));
                    out.extend(Block::contexts(inner));
                    out.push(serde_json::json!({ "kind": "together_end" }));
                }
                block => out.push(block.context()),
            }
        }
        out
    }

    /// The block as templates see it: a `kind` and its fields.
    fn context(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Block::Heading(level, text) => {
                json!({ "kind": "heading", "level": level, "text": text })
            }
            Block::Paragraph(text) => json!({ "kind": "paragraph", "text": text }),
            Block::List(items) => json!({ "kind": "list", "items": items }),
            Block::Table { header, rows } => {
                json!({ "kind": "table", "header": header, "rows": rows })
            }
            Block::Chart(chart) => {
                json!({ "kind": "chart", "mermaid": chart.mermaid(), "svg": chart.svg() })
            }
            Block::Flowchart { title, chart } => json!({
                "kind": "flowchart",
                "title": title,
                "mermaid": chart.mermaid(),
                "svg": chart.svg(title),
                "words": chart.words(),
            }),
            Block::PageBreak => json!({ "kind": "page_break" }),
            Block::Figure { title, svg } => {
                json!({ "kind": "figure", "title": title, "svg": svg })
            }
            Block::Together(blocks) => {
                json!({ "kind": "together", "blocks": Block::contexts(blocks) })
            }
        }
    }
}

impl Document {
    /// Several documents as one, each starting on a new page under its title.
    /// Each keeps its own control table, revision record and sign-off block; the running
    /// header and footer of the whole carry what the parts share (the organisation).
    pub fn bundle(title: String, lang: Lang, documents: Vec<Document>) -> Document {
        let control = documents
            .first()
            .and_then(|d| d.control.as_ref())
            .map(Control::shared);
        let mut blocks = Vec::new();
        let mut parts = Vec::new();
        for (i, d) in documents.into_iter().enumerate() {
            if i > 0 {
                blocks.push(Block::PageBreak);
            }
            blocks.push(Block::Heading(1, d.title.clone()));
            blocks.extend(d.body());
            let mut part = serde_json::json!({ "title": d.title });
            if let (Some(part), serde_json::Value::Object(fields)) =
                (part.as_object_mut(), d.fields)
            {
                part.extend(fields);
            }
            parts.push(part);
        }
        Document {
            title,
            lang,
            blocks,
            control,
            fields: serde_json::json!({ "documents": parts }),
        }
    }

    /// The blocks as written: with document control, the control table first, then the
    /// content, then the revision record and the sign-off block.
    pub fn body(&self) -> Vec<Block> {
        match &self.control {
            Some(c) if c.in_body => {
                let mut blocks = c.head(self.lang);
                blocks.extend(self.blocks.iter().cloned());
                blocks.extend(c.tail(self.lang));
                blocks
            }
            _ => self.blocks.clone(),
        }
    }

    /// The running header of printed pages: organisation, document number and version.
    pub fn running_header(&self) -> String {
        self.control
            .as_ref()
            .map(|c| c.running_header(self.lang))
            .unwrap_or_default()
    }

    /// What templates see: `title`, `lang` (`zh-CN` or `en`), `running_header` (text for
    /// the top of printed pages, empty without document control), `control` (`organisation`,
    /// `number`, `version`, `effective`, `revisions`; null without document control) and
    /// `blocks`, each with a `kind` (`heading` with `level` and `text`, `paragraph` with
    /// `text`, `list` with `items`, `table` with `header` and `rows`, `chart` with `mermaid`
    /// and `svg`, `flowchart` with `title`, `mermaid`, `svg` and `words` (the text alternative), `figure` with `title` and `svg`, `page_break`, and `together_start` and `together_end`
    /// around blocks that print on one page).
    pub fn context(&self) -> serde_json::Value {
        use serde_json::json;
        let blocks = Block::contexts(&self.body());
        let mut context = json!({
            "title": self.title,
            "lang": self.lang.code(),
            "running_header": self.running_header(),
            "control": self.control.as_ref().map(Control::context),
            "blocks": blocks,
        });
        if let (Some(context), serde_json::Value::Object(fields)) =
            (context.as_object_mut(), &self.fields)
        {
            context.extend(fields.clone());
        }
        context
    }

    /// Writes the document through `template` (minijinja), or the built-in one. HTML templates
    /// escape every value unless marked `|safe`.
    pub fn render(
        &self,
        format: TextFormat,
        template: Option<&str>,
    ) -> Result<String, TemplateError> {
        let (name, builtin) = match format {
            TextFormat::Markdown => ("document.md", MARKDOWN_TEMPLATE),
            TextFormat::Html => ("document.html", HTML_TEMPLATE),
        };
        let mut env = minijinja::Environment::new();
        // A misspelt name is an error with its line, not an empty string in a signed document.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // Errors name what was undefined in release builds too (the default is debug builds
        // only).
        env.set_debug(true);
        env.add_filter("md_cell", |s: String| {
            s.replace('|', "\\|").replace('\n', " ")
        });
        env.add_filter("cell", |s: String| {
            minijinja::Value::from_safe_string(html_cell(&s))
        });
        env.add_filter("inline", |s: String| {
            minijinja::Value::from_safe_string(inline_html(&s))
        });
        env.add_filter("css_string", |s: String| {
            minijinja::Value::from_safe_string(css_string(&s))
        });
        let error = |e: minijinja::Error| TemplateError {
            line: e.line(),
            message: match e.detail() {
                Some(detail) => format!("{}: {detail}", e.kind()),
                None => e.kind().to_string(),
            },
        };
        env.add_template_owned(name, template.unwrap_or(builtin).to_string())
            .map_err(error)?;
        let template = env.get_template(name).map_err(error)?;
        template
            .render(minijinja::Value::from(minijinja::value::Serde(
                self.context(),
            )))
            .map_err(error)
    }

    /// Markdown through the built-in template.
    pub fn to_markdown(&self) -> String {
        self.render(TextFormat::Markdown, None)
            .unwrap_or_else(|e| format!("(the built-in template failed: {e})"))
    }

    /// HTML through the built-in template.
    pub fn to_html(&self) -> String {
        self.render(TextFormat::Html, None)
            .unwrap_or_else(|e| format!("(the built-in template failed: {e})"))
    }
}

/// A table, or the paragraph `empty` when it has no rows.
pub(crate) fn table_or(header: Vec<String>, rows: Vec<Vec<String>>, empty: String) -> Block {
    if rows.is_empty() {
        Block::Paragraph(empty)
    } else {
        Block::Table { header, rows }
    }
}

/// A table cell's text as HTML: escaped, and a term (a name, a time limit) cut into
/// segments that do not wrap inside, with a break allowed between them, so that a narrow
/// column wraps 投诉处理 | 与协调岗 and never 投诉处理与协 | 调岗.
fn html_cell(text: &str) -> String {
    let seg = |s: &str| format!("<span class=\"seg\">{}</span>", escape(s));
    match breaks::segments(text) {
        Some(segments) => segments
            .iter()
            .map(|s| seg(s))
            .collect::<Vec<_>>()
            .join("<wbr>"),
        // Latin text wraps at its spaces; an ISO date is kept whole (2026-12-/31).
        None => text
            .split(' ')
            .map(|word| match breaks::unbroken_dates(word) == word {
                true => escape(word),
                false => seg(word),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Text as a quoted CSS string, safe inside a `<style>` element: `"`, `\\` and line breaks
/// escaped, and `<` written as `\\3C ` so that no `</style>` can end the element.
pub fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\3C "),
            '\n' | '\r' => out.push_str("\\A "),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for an HTML element, escaped, with `code` between paired backticks set as code (the
/// names of the policy language a text quotes); an unpaired backtick stays as written.
fn inline_html(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

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
