//! Word documents (`.docx`, feature `docx`): headings with Word's built-in heading styles,
//! tables with a bold header row, page breaks, A4 pages and a Chinese font for East Asian text.
//! Charts become their arrows in words (`A → B`), since Word cannot show SVG without images.

use std::io::Cursor;

use docx_rs::{
    BreakType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, Style, StyleType, Table,
    TableCell, TableRow, WidthType,
};

use super::{Block, Document};

fn text(run: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(run))
        .line_spacing(LineSpacing::new().after(80))
}

fn heading(level: u8, content: &str) -> Paragraph {
    text(content)
        .style(&format!("Heading{}", level.clamp(1, 3)))
        .outline_lvl(usize::from(level.clamp(1, 3)) - 1)
}

fn cell(content: &str, bold: bool) -> TableCell {
    let mut run = Run::new().add_text(content);
    if bold {
        run = run.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(run))
}

/// The document as the bytes of a `.docx` file.
pub fn to_docx(document: &Document) -> Result<Vec<u8>, String> {
    let fonts = RunFonts::new()
        .ascii("Arial")
        .hi_ansi("Arial")
        .east_asia("SimSun");
    let mut docx = Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(1020)
                .bottom(1020)
                .left(1020)
                .right(1020),
        )
        .default_fonts(fonts)
        .default_size(21)
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .line_spacing(LineSpacing::new().before(360).after(160))
                .size(32)
                .bold(),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("Heading 2")
                .line_spacing(LineSpacing::new().before(280).after(120))
                .size(28)
                .bold(),
        )
        .add_style(
            Style::new("Heading3", StyleType::Paragraph)
                .name("Heading 3")
                .line_spacing(LineSpacing::new().before(200).after(80))
                .size(24)
                .bold(),
        );
    docx = docx.add_paragraph(heading(1, &document.title));
    for block in &document.body() {
        docx = match block {
            Block::Heading(level, content) => docx.add_paragraph(heading(*level, content)),
            Block::Paragraph(content) => docx.add_paragraph(text(content)),
            Block::List(items) => items
                .iter()
                .fold(docx, |d, item| d.add_paragraph(text(&format!("• {item}")))),
            Block::Table { header, rows } => {
                let mut table_rows = vec![TableRow::new(
                    header.iter().map(|h| cell(h, true)).collect(),
                )];
                table_rows.extend(
                    rows.iter()
                        .map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect())),
                );
                docx.add_table(Table::new(table_rows).width(5000, WidthType::Pct))
            }
            Block::Chart(chart) => {
                let mut d = docx;
                let mut linked = vec![false; chart.nodes.len()];
                for &(a, b) in &chart.edges {
                    if let (Some(x), Some(y)) = (chart.nodes.get(a), chart.nodes.get(b)) {
                        d = d.add_paragraph(text(&format!("{x} → {y}")));
                        linked[a] = true;
                        linked[b] = true;
                    }
                }
                for (i, node) in chart.nodes.iter().enumerate() {
                    if !linked[i] {
                        d = d.add_paragraph(text(node));
                    }
                }
                d
            }
            Block::Figure { title, .. } => docx.add_paragraph(text(title)),
            Block::PageBreak => {
                docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
        };
    }
    let mut out = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| format!("the .docx could not be written: {e}"))?;
    Ok(out.into_inner())
}
