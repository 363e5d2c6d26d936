//! English typography: the documents set their double quotes as “ ”, so apostrophes are set
//! as ’ too (the handler’s superior), whether they come from charter's own words or from the
//! policy's labels. Chinese text is left as written.

use super::{Block, Document, Lang};

/// Sets every apostrophe of an English document's text as ’: a `'` that follows a letter or
/// digit (handler's, customers'). A `'` after a space or at the start opens a quotation and
/// is left alone. Pictures (`Figure`) keep their SVG as drawn.
pub(crate) fn apostrophes(document: &mut Document) {
    text(document.lang, &mut document.title);
    blocks(document.lang, &mut document.blocks);
}

/// [`apostrophes`] for blocks on their own (a section before it joins a document).
pub(crate) fn blocks(lang: Lang, blocks: &mut [Block]) {
    if lang == Lang::En {
        blocks.iter_mut().for_each(block_apostrophes);
    }
}

/// [`apostrophes`] for one text.
pub(crate) fn text(lang: Lang, text: &mut String) {
    if lang == Lang::En {
        set(text);
    }
}

fn block_apostrophes(block: &mut Block) {
    match block {
        Block::Heading(_, text) | Block::Paragraph(text) => set(text),
        Block::Table { header, rows } => {
            header.iter_mut().for_each(set);
            rows.iter_mut().flatten().for_each(set);
        }
        Block::List(items) => items.iter_mut().for_each(set),
        Block::Chart(chart) => chart.nodes.iter_mut().for_each(set),
        Block::Flowchart { title, chart } => {
            set(title);
            for node in &mut chart.nodes {
                node.lines.iter_mut().for_each(set);
            }
            chart
                .edges
                .iter_mut()
                .filter_map(|e| e.label.as_mut())
                .for_each(set);
        }
        Block::Together(blocks) => blocks.iter_mut().for_each(block_apostrophes),
        Block::PageBreak | Block::Figure { .. } => {}
    }
}

fn set(text: &mut String) {
    if !text.contains('\'') {
        return;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        out.push(match c {
            '\'' if previous.is_some_and(char::is_alphanumeric) => '’',
            c => c,
        });
        previous = Some(c);
    }
    *text = out;
}

#[cfg(test)]
mod tests {
    use super::set;

    #[test]
    fn apostrophes_after_a_word_are_typeset() {
        for (before, after) in [
            ("the handler's superior", "the handler’s superior"),
            ("the customers' calls", "the customers’ calls"),
            ("'quoted", "'quoted"),
            ("no apostrophe", "no apostrophe"),
            ("处理人's", "处理人’s"),
        ] {
            let mut text = before.to_string();
            set(&mut text);
            assert_eq!(text, after);
        }
    }
}
