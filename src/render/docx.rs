//! Word documents (`.docx`, feature `docx`): headings with Word's built-in heading styles,
//! bulleted lists as Word lists,
//! tables with column widths from their content, a header row repeated on every page and rows
//! that do not split, page breaks, A4 pages, a running header (organisation, number, version)
//! and a footer with the page number and the page count, language tags (zh-CN / en-US) and
//! file properties (title, organisation, version, created on the effective date).
//! The org chart and the procedure's flowchart become PNG pictures drawn from their SVG, each
//! with its text alternative (the org chart's arrows in words, `A → B`).
//!
//! docx-rs 0.4 writes neither `w:tblHeader`, `w:lang` nor a title in `docProps/core.xml`;
//! those are added to the parts it builds, before they are packed ([`finish`]).

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, FieldCharType, Footer, Header, IndentLevel,
    InstrNUMPAGES, InstrPAGE, InstrText, Level, LevelJc, LevelText, LineSpacing, NumberFormat,
    Numbering, NumberingId, PageMargin, Paragraph, Pic, Run, RunFonts, SpecialIndentType, Start,
    Style, StyleType, Table, TableCell, TableLayoutType, TableRow, WidthType, XMLDocx,
};

use super::reference::Reference;
use super::{Block, Chart, Document, Lang};

/// The width of an A4 page between the margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 2 * 1020;

fn text(run: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(run))
        .line_spacing(LineSpacing::new().after(80))
}

fn heading(level: u8, content: &str) -> Paragraph {
    text(content)
        .style(&format!("Heading{}", level.clamp(1, 3)))
        .outline_lvl(usize::from(level.clamp(1, 3)) - 1)
        .keep_next(true)
}

/// A table cell; `keep` keeps its row on the page of the next row. A term too wide for its
/// column (a role's name in a narrow heading) is broken between its segments with line
/// breaks: Word and LibreOffice would break Chinese anywhere, 投诉处理与协 | 调岗.
fn cell(content: &str, bold: bool, width: usize, keep: bool) -> TableCell {
    let scale = if bold { 11 } else { 10 };
    let fits = |text: &str| text_width(text) * scale / 10 + PADDING <= width;
    // Lines are packed a little short of the column, so that the word processor, whose
    // measure differs a little from this one, does not break a line before its end.
    let packs = |text: &str| (text_width(text) * scale / 10 + PADDING) * 20 <= width * 19;
    let content = super::breaks::unbroken_dates(content);
    let lines = match super::breaks::segments(&content) {
        Some(segments) if !fits(&content) => {
            let mut lines: Vec<String> = Vec::new();
            for segment in segments {
                match lines.last_mut() {
                    Some(line) if packs(&format!("{line}{segment}")) => line.push_str(&segment),
                    _ => lines.push(segment),
                }
            }
            lines
        }
        _ => vec![content],
    };
    let mut run = Run::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    if bold {
        run = run.bold();
    }
    TableCell::new()
        .add_paragraph(Paragraph::new().add_run(run).keep_next(keep))
        .width(width, WidthType::Dxa)
}

/// The document as the bytes of a `.docx` file; with a `reference`, its styles, header and
/// footer.
pub fn to_docx(document: &Document, reference: Option<&Reference>) -> Result<Vec<u8>, String> {
    let mut docx = page_setup(document);
    docx = docx.add_paragraph(heading(1, &document.title));
    // The text alternative of each picture, in order.
    let mut alts = Vec::new();
    let mut after_table = false;
    let blocks: Vec<Block> = document.body();
    for (i, block) in blocks.iter().enumerate() {
        // A lead-in (the line that introduces a table or a list) stays on its page.
        let introduces = matches!(
            blocks.get(i + 1),
            Some(Block::Table { .. } | Block::List(_))
        );
        // Word and LibreOffice join two tables with nothing between them into one.
        let is_table = matches!(block, Block::Table { .. });
        if is_table && after_table {
            docx = docx.add_paragraph(text(""));
        }
        after_table = is_table;
        // The revision record and sign-off never stand alone on a page: the end of what
        // comes before them is kept with them.
        let before_together = matches!(blocks.get(i + 1), Some(Block::Together(_)));
        docx = match block {
            Block::Paragraph(content) if introduces || before_together => {
                docx.add_paragraph(text(content).keep_next(true))
            }
            Block::Table { header, rows } if before_together => {
                docx.add_table(table(header, rows, Keep::Last))
            }
            Block::List(items) if before_together => {
                // A short list moves whole (with its heading); a long one by its last item.
                let (last, short) = (items.len().saturating_sub(1), items.len() <= KEEP_TOGETHER);
                (items.iter().enumerate()).fold(docx, |d, (i, item)| {
                    d.add_paragraph(bullet(item).keep_next(short || i == last))
                })
            }
            Block::Flowchart { title, chart } => {
                let (colon, space) = if chart.chinese {
                    ("：", "")
                } else {
                    (": ", " ")
                };
                let alt = format!("{title}{colon}{}", chart.words().join(space));
                match picture(&chart.svg(title)) {
                    Some(paragraph) => {
                        alts.push(alt);
                        let caption = text(title).align(AlignmentType::Center);
                        docx.add_paragraph(paragraph.keep_next(true))
                            .add_paragraph(caption)
                    }
                    None => docx.add_paragraph(text(title)),
                }
            }
            // The org chart as a picture, its arrows in words as the text alternative (and
            // as the text itself when it cannot be drawn).
            Block::Chart(chart) => match picture(&chart.svg()) {
                Some(paragraph) => {
                    alts.push(chart_in_words(chart).join("; "));
                    docx.add_paragraph(paragraph)
                }
                None => add_block(docx, block),
            },
            _ => add_block(docx, block),
        };
    }
    let mut out = Cursor::new(Vec::new());
    let mut xml = docx.build();
    xml.document = describe_pictures(&String::from_utf8_lossy(&xml.document), &alts).into_bytes();
    let mut xml = finish(xml, document);
    if let Some(reference) = reference {
        xml = with_reference(xml, document, reference)?;
    }
    xml.pack(&mut out)
        .map_err(|e| format!("the .docx could not be written: {e}"))?;
    Ok(out.into_inner())
}

/// A4 pages, fonts, heading styles, the running header and footer, and the file properties
/// docx-rs can set.
fn page_setup(document: &Document) -> Docx {
    let fonts = RunFonts::new()
        .ascii("Arial")
        .hi_ansi("Arial")
        .east_asia("SimSun");
    let margin = PageMargin::new()
        .top(1020)
        .bottom(1020)
        .left(1020)
        .right(1020)
        .header(567)
        .footer(567);
    let mut docx = Docx::new()
        .page_size(11906, 16838)
        .page_margin(margin)
        .default_fonts(fonts)
        .default_size(21)
        .header(Header::new().add_paragraph(small(&document.running_header())))
        .footer(Footer::new().add_paragraph(page_of(document.lang)))
        .add_abstract_numbering(bullets())
        .add_numbering(Numbering::new(BULLETS, BULLETS));
    for (level, size, before, after) in [(1, 32, 360, 160), (2, 28, 280, 120), (3, 24, 200, 80)] {
        docx = docx.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("Heading {level}"))
                .line_spacing(LineSpacing::new().before(before).after(after))
                .size(size)
                .bold(),
        );
    }
    if let Some(control) = &document.control {
        if let Some(date) = control.effective {
            let instant = format!("{date}T00:00:00Z");
            docx = docx.created_at(&instant).updated_at(&instant);
        }
        docx = docx.custom_property("Version", &control.version);
        if let Some(number) = &control.number {
            docx = docx.custom_property("DocumentNumber", number);
        }
        if let Some(organisation) = &control.organisation {
            docx = docx.custom_property("Organisation", organisation);
        }
    }
    docx
}

/// The numbering of bulleted lists (docx-rs declares a decimal numbering 1 of its own).
const BULLETS: usize = 2;

/// A Word bulleted list: "•" hanging a little left of the text.
fn bullets() -> AbstractNumbering {
    let level = Level::new(
        0,
        Start::new(1),
        NumberFormat::new("bullet"),
        LevelText::new("•"),
        LevelJc::new("left"),
    )
    .indent(Some(420), Some(SpecialIndentType::Hanging(300)), None, None);
    AbstractNumbering::new(BULLETS).add_level(level)
}

/// One item of a bulleted list.
fn bullet(content: &str) -> Paragraph {
    text(content).numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
}

/// A centred line in a small size, for the header.
fn small(content: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(content).size(18))
        .align(AlignmentType::Center)
}

/// "第 PAGE 页 共 NUMPAGES 页" / "Page PAGE of NUMPAGES", with Word fields in the same small
/// size as the words around them (docx-rs's own field runs carry no size, so the numbers
/// came out larger than the text).
fn page_of(lang: Lang) -> Paragraph {
    let (before, middle, after) = match lang {
        Lang::Zh => ("第 ", " 页 共 ", " 页"),
        Lang::En => ("Page ", " of ", ""),
    };
    let field = |instr: InstrText| {
        Run::new()
            .size(18)
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(instr)
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false)
    };
    Paragraph::new()
        .add_run(Run::new().add_text(before).size(18))
        .add_run(field(InstrText::PAGE(InstrPAGE {})))
        .add_run(Run::new().add_text(middle).size(18))
        .add_run(field(InstrText::NUMPAGES(InstrNUMPAGES {})))
        .add_run(Run::new().add_text(after).size(18))
        .align(AlignmentType::Center)
}

fn add_block(docx: Docx, block: &Block) -> Docx {
    match block {
        Block::Heading(level, content) => docx.add_paragraph(heading(*level, content)),
        Block::Paragraph(content) => docx.add_paragraph(text(content)),
        Block::List(items) => items
            .iter()
            .fold(docx, |d, item| d.add_paragraph(bullet(item))),
        Block::Table { header, rows } => docx.add_table(table(header, rows, Keep::Short)),
        Block::Chart(chart) => chart_in_words(chart)
            .into_iter()
            .fold(docx, |d, line| d.add_paragraph(text(&line))),
        Block::Figure { title, .. } | Block::Flowchart { title, .. } => {
            docx.add_paragraph(text(title))
        }
        Block::PageBreak => {
            docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
        }
        // Every paragraph and row but the last kept with the next: Word moves them as one.
        Block::Together(blocks) => {
            let last = blocks.len().saturating_sub(1);
            (blocks.iter().enumerate()).fold(docx, |d, (i, block)| match block {
                Block::Paragraph(content) => d.add_paragraph(text(content).keep_next(i < last)),
                Block::Table { header, rows } => {
                    let keep = if i < last { Keep::All } else { Keep::Short };
                    d.add_table(table(header, rows, keep))
                }
                block => add_block(d, block),
            })
        }
    }
}

/// The height of an A4 page between the margins, less room for the heading above a chart and
/// the caption below it (kept on the chart's page: with 1,200 twips left, LibreOffice moved
/// the Chinese flowchart's caption alone to the next page), in twips.
const TEXT_HEIGHT: usize = 16838 - 2 * 1020 - 2000;

/// A drawing as a centred picture scaled to fit the page; `None` when it cannot be drawn.
fn picture(svg: &str) -> Option<Paragraph> {
    let (png, w, h) = super::picture::png(svg).ok()?;
    // 1 px at 96 dpi is 15 twips and 9525 EMU.
    let fit = (TEXT_WIDTH as f64 / (f64::from(w) * 15.0))
        .min(TEXT_HEIGHT as f64 / (f64::from(h) * 15.0))
        .min(1.0);
    let (cx, cy) = (
        (f64::from(w) * 9525.0 * fit) as u32,
        (f64::from(h) * 9525.0 * fit) as u32,
    );
    let pic = Pic::new_with_dimensions(png, w, h).size(cx, cy);
    Some(
        Paragraph::new()
            .add_run(Run::new().add_image(pic))
            .align(AlignmentType::Center),
    )
}

/// Gives the pictures their text alternative (`descr`) and title, in order: docx-rs writes
/// every picture as `<wp:docPr id=".." name="Figure" />`.
fn describe_pictures(xml: &str, alts: &[String]) -> String {
    let marker = "name=\"Figure\" />";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    for alt in alts {
        let Some(at) = rest.find(marker) else { break };
        out.push_str(&rest[..at]);
        out.push_str(&format!(
            "name=\"Figure\" descr=\"{}\" />",
            super::escape(alt)
        ));
        rest = &rest[at + marker.len()..];
    }
    out.push_str(rest);
    out
}

/// Tables of at most this many rows are kept on one page (the control table, the sign-off
/// block); longer ones only keep their header row with the first row.
const KEEP_TOGETHER: usize = 4;

/// Which rows of a table are kept with what follows them (the header row always is).
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// A short table (at most [`KEEP_TOGETHER`] rows) stays on one page; a longer one only
    /// keeps its header row with the first row.
    Short,
    /// Every row, the last too: the table moves with the next block.
    All,
    /// As `Short`, and the last row moves with the next block.
    Last,
}

/// A table with a bold header row, columns as wide as their content asks, and rows that do
/// not split across pages (the header row is marked to repeat in [`finish`]), kept with what
/// follows as `keep` says.
fn table(header: &[String], rows: &[Vec<String>], keep: Keep) -> Table {
    let widths = column_widths(header, rows);
    let row = |cells: &[String], bold: bool, keep: bool| {
        let cells = (cells.iter().enumerate())
            .map(|(i, c)| cell(c, bold, widths.get(i).copied().unwrap_or(0), keep))
            .collect();
        TableRow::new(cells).cant_split()
    };
    let short = rows.len() <= KEEP_TOGETHER;
    let mut table_rows = vec![row(header, true, true)];
    table_rows.extend((rows.iter().enumerate()).map(|(i, r)| {
        let last = i + 1 == rows.len();
        let kept = match keep {
            Keep::All => true,
            Keep::Last => last || short,
            Keep::Short => short && !last,
        };
        row(r, false, kept)
    }));
    Table::new(table_rows)
        .set_grid(widths.clone())
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// About how wide a text is on the page at the body size (10.5 pt), in twips: a CJK
/// character is a full em (210), a capital or a wide sign about 160, anything else 130 (wide
/// enough for the fallback fonts of LibreOffice), and
/// each change between CJK and Latin text 60 more (word processors space them apart).
fn text_width(text: &str) -> usize {
    let cjk = |c: char| (c as u32) >= 0x2E80;
    let glyphs: usize = (text.chars())
        .map(|c| match c {
            c if cjk(c) => 210,
            'A'..='Z' | 'm' | 'w' | '%' | '@' | '—' | '→' => 160,
            _ => 130,
        })
        .sum();
    let chars: Vec<char> = text.chars().collect();
    let changes = (chars.windows(2))
        .filter(|w| cjk(w[0]) != cjk(w[1]) && !w[0].is_whitespace() && !w[1].is_whitespace())
        .count();
    glyphs + 60 * changes
}

/// A cell's padding and border, in twips.
const PADDING: usize = 300;

/// The widest a word may ask a column to be (about seven CJK characters): longer words wrap.
const LONGEST_WORD: usize = 7 * 210;

/// The widest a cell's text counts when sharing out the page.
const LONGEST_CELL: usize = 30 * 210;

/// Column widths (twips) that add up to the text width: each column gets at least what its
/// longest word needs (Chinese text counts its widest segment, up to seven characters), so that "#" stays
/// narrow and no heading breaks inside a word; the rest is shared in proportion to what each
/// column's longest cell asks beyond that, capped so that one long cell cannot starve the
/// others.
fn column_widths(header: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let columns = header.len().max(1);
    let mut least = vec![0usize; columns];
    let mut wish = vec![0usize; columns];
    let rows = std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
    for (row, bold) in rows {
        for (i, c) in row.iter().enumerate().take(columns) {
            // Bold text (the header row) is about a tenth wider.
            let width = |text: &str| text_width(text) * if bold { 11 } else { 10 } / 10;
            // Chinese text wraps between its segments (see `cell`): its widest segment is its
            // longest word, up to seven characters; a Latin word cannot wrap and counts
            // whole, up to a third of the page.
            let cjk = |w: &str| w.chars().any(|c| (c as u32) >= 0x2E80);
            let segments = super::breaks::segments(c).unwrap_or_else(|| vec![c.clone()]);
            let word = (segments.iter())
                .flat_map(|s| s.split_whitespace())
                .map(|w| width(w).min(if cjk(w) { LONGEST_WORD } else { TEXT_WIDTH / 3 }))
                .max()
                .unwrap_or(0);
            least[i] = least[i].max(word + PADDING);
            wish[i] = wish[i].max(width(c).min(LONGEST_CELL) + PADDING);
        }
    }
    share(&least, &wish, TEXT_WIDTH)
}

/// What a column keeps when even the least widths do not fit: four CJK characters.
const FLOOR: usize = 4 * 210 + PADDING;

/// Widths adding up to about `total`: each column its `least`, and what is left in
/// proportion to what each wants beyond it; when every column can have what it wants, in
/// proportion to that. When even the least do not fit, every column keeps up to [`FLOOR`] and the wider
/// ones give up the difference.
fn share(least: &[usize], wish: &[usize], total: usize) -> Vec<usize> {
    let least_sum: usize = least.iter().sum::<usize>().max(1);
    if least_sum >= total {
        if least.iter().all(|l| *l <= FLOOR) {
            return least.iter().map(|l| total * l / least_sum).collect();
        }
        let floor: Vec<usize> = least.iter().map(|l| *l.min(&FLOOR)).collect();
        return share(&floor, least, total);
    }
    let wish_sum: usize = wish.iter().sum::<usize>().max(1);
    if wish_sum <= total {
        // Every column gets what it asks; the page's spare width goes by the same shares.
        return wish.iter().map(|w| total * w / wish_sum).collect();
    }
    let left = total - least_sum;
    let extra: Vec<usize> = (wish.iter().zip(least))
        .map(|(w, l)| w.saturating_sub(*l))
        .collect();
    let extra_sum: usize = extra.iter().sum();
    (least.iter().zip(&extra))
        .map(|(l, e)| match extra_sum {
            0 => total * l / least_sum,
            _ => l + left * e / extra_sum,
        })
        .collect()
}

/// A chart as lines of arrows: each edge `A → B`, then every node no edge touches.
fn chart_in_words(chart: &Chart) -> Vec<String> {
    let mut lines = Vec::new();
    let mut linked = vec![false; chart.nodes.len()];
    for &(a, b) in &chart.edges {
        if let (Some(x), Some(y)) = (chart.nodes.get(a), chart.nodes.get(b)) {
            lines.push(format!("{x} → {y}"));
            linked[a] = true;
            linked[b] = true;
        }
    }
    for (i, node) in chart.nodes.iter().enumerate() {
        if !linked[i] {
            lines.push(node.clone());
        }
    }
    lines
}

/// What docx-rs cannot write, added to the parts it built: the first row of every table
/// repeats on each page (`w:tblHeader`), the text is tagged with its language (`w:lang`), and
/// the core properties carry the title, the organisation as author, and the version; the
/// extended properties the organisation as company.
fn finish(mut xml: XMLDocx, document: &Document) -> XMLDocx {
    xml.document = repeat_header_rows(&String::from_utf8_lossy(&xml.document)).into_bytes();
    xml.styles = tag_language(&String::from_utf8_lossy(&xml.styles), document.lang).into_bytes();
    xml.doc_props.core =
        core_properties(&String::from_utf8_lossy(&xml.doc_props.core), document).into_bytes();
    if let Some(organisation) = document
        .control
        .as_ref()
        .and_then(|c| c.organisation.as_ref())
    {
        let app = String::from_utf8_lossy(&xml.doc_props.app).replacen(
            " />",
            &format!(
                "><Company>{}</Company></Properties>",
                super::escape(organisation)
            ),
            1,
        );
        // Only when docx-rs wrote the empty element this expects.
        if app.ends_with("</Properties>") {
            xml.doc_props.app = app.into_bytes();
        }
    }
    xml
}

/// The reference's styles (headings renamed to its identifiers, or ours added where it has
/// none), header and footer in place of the built-in ones.
fn with_reference(
    mut xml: XMLDocx,
    document: &Document,
    reference: &Reference,
) -> Result<XMLDocx, String> {
    let (styles, renames) = reference.styles(&String::from_utf8_lossy(&xml.styles));
    xml.styles = if styles.contains("<w:lang ") {
        styles.into_bytes()
    } else {
        tag_language(&styles, document.lang).into_bytes()
    };
    let mut body = String::from_utf8_lossy(&xml.document).into_owned();
    for (ours, theirs) in renames {
        body = body.replace(
            &format!("<w:pStyle w:val=\"{ours}\""),
            &format!("<w:pStyle w:val=\"{}\"", super::escape(&theirs)),
        );
    }
    if let Some((before, after)) = reference.around_body(document)? {
        if let Some(at) = body.find("<w:body>") {
            body.insert_str(at + "<w:body>".len(), &before);
        }
        if let Some(at) = body.rfind("<w:sectPr") {
            body.insert_str(at, &after);
        }
    }
    xml.document = body.into_bytes();
    let (header, footer) = reference.header_and_footer(document)?;
    if let (Some(header), Some(slot)) = (header, xml.headers.first_mut()) {
        *slot = header.into_bytes();
    }
    if let (Some(footer), Some(slot)) = (footer, xml.footers.first_mut()) {
        *slot = footer.into_bytes();
    }
    Ok(xml)
}

/// Marks the first row of each table as a header row, repeated at the top of every page the
/// table runs onto. Every row has a `<w:trPr>` (rows do not split), so the first one after
/// each `<w:tbl>` is the header row's.
fn repeat_header_rows(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest = xml;
    while let Some(start) = rest.find("<w:tbl>") {
        let (before, table) = rest.split_at(start);
        out.push_str(before);
        match table.find("<w:trPr>") {
            Some(at) => {
                let at = at + "<w:trPr>".len();
                out.push_str(&table[..at]);
                out.push_str("<w:tblHeader />");
                rest = &table[at..];
            }
            None => {
                out.push_str(table);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tags the document's default run properties with its language: zh-CN for a Chinese
/// document, en-US for an English one, Chinese for East Asian text in both (so that word
/// processors pick a Simplified Chinese font).
fn tag_language(styles: &str, lang: Lang) -> String {
    let tag = match lang {
        Lang::Zh => r#"<w:lang w:val="zh-CN" w:eastAsia="zh-CN" />"#,
        Lang::En => r#"<w:lang w:val="en-US" w:eastAsia="zh-CN" />"#,
    };
    if let Some(at) = styles.find("<w:rPrDefault><w:rPr>") {
        let at = at + "<w:rPrDefault><w:rPr>".len();
        format!("{}{tag}{}", &styles[..at], &styles[at..])
    } else {
        styles.replacen(
            "<w:rPrDefault><w:rPr />",
            &format!("<w:rPrDefault><w:rPr>{tag}</w:rPr>"),
            1,
        )
    }
}

/// The title, the organisation as author and last editor, the language and the version in
/// `docProps/core.xml`, where docx-rs writes "unknown" and no title.
fn core_properties(core: &str, document: &Document) -> String {
    let control = document.control.as_ref();
    let author = control
        .and_then(|c| c.organisation.as_deref())
        .unwrap_or("charter");
    let author = super::escape(author);
    let mut core = core
        .replace(
            "<dc:creator>unknown</dc:creator>",
            &format!("<dc:creator>{author}</dc:creator>"),
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            &format!("<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"),
        );
    let mut extra = format!(
        "<dc:title>{}</dc:title><dc:language>{}</dc:language>",
        super::escape(&document.title),
        match document.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en-US",
        }
    );
    if let Some(c) = control.filter(|c| !c.version.is_empty()) {
        extra.push_str(&format!(
            "<cp:version>{}</cp:version>",
            super::escape(&c.version)
        ));
    }
    if let Some(at) = core.rfind("</cp:coreProperties>") {
        core.insert_str(at, &extra);
    }
    core
}

#[cfg(test)]
mod tests {
    use super::{PADDING, column_widths, text_width};

    /// A Latin word is not wrapped, so its column is at least as wide as the word, where a
    /// Chinese run of the same width may wrap; the widths fill the page.
    #[test]
    fn a_latin_word_keeps_its_column_whole() {
        let header: Vec<String> = ["SLA", "Applies to", "Target", "Limit", "From → until"]
            .map(String::from)
            .to_vec();
        let rows = vec![
            [
                "Standard limits",
                "every case",
                "Acknowledgement",
                "within 2 working hours",
                "receipt → acknowledgement",
            ]
            .map(String::from)
            .to_vec(),
        ];
        let widths = column_widths(&header, &rows);
        assert!(
            widths[2] >= text_width("Acknowledgement") + PADDING,
            "{widths:?}"
        );
        let total: usize = widths.iter().sum();
        assert!(
            total <= super::TEXT_WIDTH && total + 10 >= super::TEXT_WIDTH,
            "{widths:?}"
        );
    }
}
