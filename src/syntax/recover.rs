//! Syntax error recovery: every syntax error of a file, not just the first.
//!
//! The grammar stops at its first error. To find the next, the text in error is blanked (its
//! bytes made spaces, line breaks kept, so every offset stays true) and the file is parsed again
//! from the start of the declaration that held the error:
//!
//! - an error on a statement line inside a block blanks that line only (one bad line costs one
//!   diagnostic, and the declaration keeps its other statements);
//! - anything else, or an error that blanking the line only moved to just after it (a statement
//!   spread over several lines), blanks the whole declaration;
//! - an error at a declaration keyword that stands inside an unclosed block closes the block:
//!   a `}` takes the place of the line break after its last line (offsets still hold).
//!
//! Declarations are found by their lines, not by the grammar: a line that starts at column 0
//! outside every block, or with a declaration keyword at column 0 or outside every block,
//! begins one. Work is bounded: at most [`MAX_REPORTED`] errors are reported, the rest counted
//! up to a limit of rounds and of bytes parsed.

use std::ops::Range;

/// The most syntax errors reported for one file; the rest are counted.
///
/// ```
/// use charter::syntax::{parse_all, FileId, SyntaxError, MAX_REPORTED};
/// let text = "role {\n".repeat(MAX_REPORTED + 20);
/// let parsed = parse_all(FileId(0), &text);
/// // The first errors are listed, the rest counted in one last error.
/// assert_eq!(parsed.errors.len(), MAX_REPORTED + 1);
/// assert!(matches!(parsed.errors.last(), Some(SyntaxError::More { .. })));
/// ```
pub const MAX_REPORTED: usize = 50;
/// The most rounds of parsing one file gets (each finds one error).
const MAX_ROUNDS: usize = 1000;
/// The most bytes parsed in all rounds of recovery of one file.
pub const MAX_WORK: usize = 256 << 20;

/// The words that begin a declaration (the grammar's `item`).
const DECLARATIONS: &[&str] = &[
    "policy",
    "import",
    "calendar",
    "calendars",
    "channel",
    "field",
    "attribute",
    "severities",
    "category",
    "department",
    "event",
    "scope",
    "route",
    "sla",
    "escalate",
    "callback",
    "stage",
    "extension",
    "report",
    "role",
    "procedure",
];

/// What recovery found in one file.
pub(super) struct Recovered<E> {
    /// The text with every part in error blanked; it parses.
    pub text: String,
    /// The errors reported, in the order of the text.
    pub errors: Vec<E>,
    /// The declarations that held an error (byte ranges).
    pub damaged: Vec<Range<usize>>,
    /// Errors found after the first [`MAX_REPORTED`]: where the first of them is, and how many.
    pub unreported: Option<(usize, usize)>,
    /// Whether the search stopped at its limits before the end of the file.
    pub cut_short: bool,
    /// Errors (index into `errors`) at a declaration keyword inside a block left open, with
    /// the start of that block's declaration.
    pub unclosed: Vec<(usize, usize)>,
}

/// One line of the text, as recovery needs it.
struct Line {
    start: usize,
    /// Brace depth at the line's start (strings and comments skipped).
    depth: u32,
    /// The first word, when the line starts with one.
    word: Option<Range<usize>>,
    /// Whether a brace stands on the line outside strings and comments.
    braces: bool,
    /// Where the line's comment starts, if it has one.
    comment: Option<usize>,
}

/// What one round changes in the text.
enum Fix {
    /// Blank these bytes.
    Blank(Range<usize>),
    /// A `}` in place of this white space.
    Close(usize),
}

/// Finds the errors of `text`, which `first_error(text, from)` parses from byte `from` (a
/// declaration's start) and answers with the first error and its byte offset, or `None`.
pub(super) fn recover<E>(
    text: &str,
    first: (E, usize),
    mut first_error: impl FnMut(&str, usize) -> Option<(E, usize)>,
) -> Recovered<E> {
    let lines = lines(text);
    let starts: Vec<usize> = lines
        .iter()
        .filter(|l| begins_declaration(text, l))
        .filter_map(|l| l.word.as_ref().map(|w| w.start))
        .collect();
    let mut masked = text.as_bytes().to_vec();
    let mut found = Recovered {
        text: String::new(),
        errors: Vec::new(),
        damaged: Vec::new(),
        unreported: None,
        cut_short: false,
        unclosed: Vec::new(),
    };
    // The last statement line or block blanked, the declaration that holds it, and whether an
    // error just after it is its consequence (the line goes on to the next, or the block was
    // emptied) rather than a new one.
    let mut last_line: Option<(Range<usize>, Range<usize>, bool)> = None;
    // Where the last block left open was reported: with blocks open inside it, the same error
    // comes back once for each `}` put in.
    let mut last_unclosed: Option<usize> = None;
    let mut work = 0usize;
    let mut next = Some(first);
    let mut rounds = 0;
    while let Some((error, at)) = next.take() {
        let at = at.min(text.len());
        let consequence = last_line.as_ref().is_some_and(|(line, _, goes_on)| {
            *goes_on
                && at >= line.start
                && (at < line.end || masked[line.end..at].iter().all(u8::is_ascii_whitespace))
        });
        let unclosed = open_block(text, &lines, &starts, at);
        let again = unclosed.is_some() && last_unclosed == Some(at);
        let (fix, from) =
            if let Some((_, declaration, _)) = last_line.take().filter(|_| consequence) {
                // Blanking the line moved the error to just after it: drop the declaration.
                (Fix::Blank(declaration.clone()), declaration.start)
            } else {
                let index = found.errors.len();
                if again {
                    // Reported already.
                } else if index < MAX_REPORTED {
                    found.errors.push(error);
                } else {
                    let (_, count) = found.unreported.get_or_insert((at, 0));
                    *count += 1;
                }
                let close =
                    unclosed.and_then(|block| Some((block, closing(&lines, &masked, block, at)?)));
                if let Some((block, space)) = close {
                    if !again && index < MAX_REPORTED {
                        found.unclosed.push((index, block));
                    }
                    last_unclosed = Some(at);
                    (Fix::Close(space), block)
                } else {
                    let declaration = around(&starts, text.len(), at, unclosed);
                    found.damaged.push(declaration.clone());
                    // The smallest part that holds the error: its statement line, or else the
                    // declaration's block (its head, and so its name, kept).
                    let line = statement_line(text, &lines, &declaration, at)
                        .filter(|line| !is_blank(&masked[line.clone()]));
                    let part = match line {
                        Some(line) => Some((goes_on(&text[line.clone()]), line)),
                        None => block(&masked, &declaration, at).map(|b| (true, b)),
                    }
                    .filter(|(_, part)| !is_blank(&masked[part.clone()]));
                    match part {
                        Some((goes_on, part)) => {
                            last_line = Some((part.clone(), declaration.clone(), goes_on));
                            (Fix::Blank(part), declaration.start)
                        }
                        None => (Fix::Blank(declaration.clone()), declaration.start),
                    }
                }
            };
        match fix {
            Fix::Blank(region) if is_blank(&masked[region.clone()]) => {
                // Nothing left to blank: the error cannot be stepped over.
                stop(
                    &mut found,
                    &mut masked,
                    around(&starts, text.len(), at, None).start,
                    None,
                );
                break;
            }
            Fix::Blank(region) => blank(&mut masked, region),
            Fix::Close(space) => masked[space] = b'}',
        }
        rounds += 1;
        next = std::str::from_utf8(&masked)
            .ok()
            .and_then(|current| first_error(current, from));
        // A round reads the text from `from` to the end: the parse up to its error, and the
        // report of the error (which the grammar crate finds the line of by scanning back
        // from the end of the text).
        work += text.len() - from;
        if let Some((_, at)) = &next
            && (rounds >= MAX_ROUNDS || work > MAX_WORK)
        {
            let at = (*at).min(text.len());
            stop(
                &mut found,
                &mut masked,
                around(&starts, text.len(), at, None).start,
                Some(at),
            );
            break;
        }
    }
    found.damaged.sort_by_key(|r| r.start);
    found.damaged.dedup();
    found.text = String::from_utf8(masked).unwrap_or_default();
    found
}

/// Stops the search at its limits: the rest of the text from `from` is blanked (so what came
/// before still parses), and the place where errors were no longer looked for is kept.
fn stop<E>(found: &mut Recovered<E>, masked: &mut [u8], from: usize, at: Option<usize>) {
    found.cut_short = true;
    found.unreported.get_or_insert((at.unwrap_or(from), 0));
    found.damaged.push(from..masked.len());
    let end = masked.len();
    blank(masked, from..end);
}

/// When the error at `at` is at a declaration keyword that begins its line inside a block
/// left open, the start of the declaration that left it open.
fn open_block(text: &str, lines: &[Line], starts: &[usize], at: usize) -> Option<usize> {
    let i = starts.partition_point(|&s| s <= at);
    if i == 0 || starts[i - 1] != at {
        return None;
    }
    let line = &lines[line_of(lines, at)];
    let keyword = line.word.clone().is_some_and(|w| is_declaration(&text[w]));
    (line.depth > 0 && keyword).then(|| if i >= 2 { starts[i - 2] } else { 0 })
}

/// Where a `}` can close the block of the declaration at `block` before `at`: in the white
/// space after the last line before `at` (its line break, or before its comment).
fn closing(lines: &[Line], masked: &[u8], block: usize, at: usize) -> Option<usize> {
    let first = line_start(lines, block);
    let n = line_of(lines, at);
    (0..n)
        .rev()
        .take_while(|&k| lines[k].start >= first)
        .find_map(|k| {
            let end = match lines[k].comment {
                Some(hash) => hash.checked_sub(1).filter(|&b| b >= lines[k].start)?,
                None => lines.get(k + 1)?.start - 1,
            };
            matches!(masked[end], b'\n' | b' ' | b'\t').then_some(end)
        })
}

fn line_start(lines: &[Line], at: usize) -> usize {
    lines[line_of(lines, at)].start
}

/// The declaration that holds the error at `at`: from the last declaration start at or before
/// it to the next one; or, for an error at a declaration inside a block left `open`, the block.
fn around(starts: &[usize], len: usize, at: usize, open: Option<usize>) -> Range<usize> {
    if let Some(block) = open {
        return block..at;
    }
    let i = starts.partition_point(|&s| s <= at);
    let start = if i > 0 { starts[i - 1] } else { 0 };
    let end = starts.get(i).copied().unwrap_or(len);
    start..end
}

/// The inside of the declaration's first block, when the error at `at` is in it: from after
/// its `{` to its `}` (strings and comments skipped).
fn block(masked: &[u8], declaration: &Range<usize>, at: usize) -> Option<Range<usize>> {
    let mut depth = 0u32;
    let mut open = None;
    let mut in_string = false;
    let mut escaped = false;
    let mut comment = false;
    for (i, &b) in masked[declaration.clone()].iter().enumerate() {
        let i = declaration.start + i;
        match b {
            b'\n' => {
                in_string = false;
                comment = false;
            }
            _ if comment => {}
            _ if in_string => match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            },
            b'"' => in_string = true,
            b'#' => comment = true,
            b'{' => {
                depth += 1;
                open.get_or_insert(i + 1);
            }
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let open = open?;
                    return (open <= at && at <= i).then_some(open..i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The statement line the error at `at` is on, when it can be blanked alone: inside a block,
/// not the declaration's first line, and without braces.
fn statement_line(
    text: &str,
    lines: &[Line],
    declaration: &Range<usize>,
    at: usize,
) -> Option<Range<usize>> {
    let n = line_of(lines, at);
    let line = &lines[n];
    let end = lines.get(n + 1).map_or(text.len(), |l| l.start);
    let first = line.word.as_ref().map_or(line.start, |w| w.start);
    if line.depth == 0 || line.braces || line.start <= declaration.start || at >= end {
        return None;
    }
    Some(first..end)
}

/// Whether a statement line goes on to the next: it ends (before any comment) with an
/// operator, a separator or a word that needs what follows.
fn goes_on(line: &str) -> bool {
    let mut in_string = false;
    let mut code = line.len();
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => {
                code = i;
                break;
            }
            _ => {}
        }
    }
    let code = line[..code].trim_end();
    let last_word = code
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    ["->", ",", "(", "[", "+", "..", "=", "<", ">", "-"]
        .iter()
        .any(|end| code.ends_with(end))
        || [
            "and", "or", "not", "in", "contains", "when", "within", "every", "from", "until", "on",
            "to",
        ]
        .contains(&last_word)
}

fn line_of(lines: &[Line], at: usize) -> usize {
    lines.partition_point(|l| l.start <= at).saturating_sub(1)
}

fn begins_declaration(text: &str, line: &Line) -> bool {
    let Some(word) = &line.word else {
        return false;
    };
    let keyword = is_declaration(&text[word.clone()]);
    (word.start == line.start && (line.depth == 0 || keyword)) || (line.depth == 0 && keyword)
}

fn is_declaration(word: &str) -> bool {
    DECLARATIONS.contains(&word)
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Makes every byte of `region` a space, line breaks kept: offsets and lines stay as they were,
/// and the text stays UTF-8 when the region starts and ends between characters.
fn blank(bytes: &mut [u8], region: Range<usize>) {
    for b in &mut bytes[region] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// The lines of `text`, with the brace depth at each start (strings and comments skipped).
fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut depth: u32 = 0;
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let mut line = Line {
            start,
            depth,
            word: None,
            braces: false,
            comment: None,
        };
        let mut in_string = false;
        let mut escaped = false;
        let mut leading = true;
        for (i, c) in piece.char_indices() {
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            if leading {
                if matches!(c, ' ' | '\t' | '\r' | '\u{FEFF}' | '\u{3000}') {
                    continue;
                }
                leading = false;
                if c.is_alphabetic() || c == '_' {
                    let len = piece[i..]
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(piece.len() - i);
                    line.word = Some(start + i..start + i + len);
                }
            }
            match c {
                '"' => in_string = true,
                '#' => {
                    line.comment = Some(start + i);
                    break;
                }
                '{' => {
                    depth += 1;
                    line.braces = true;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    line.braces = true;
                }
                _ => {}
            }
        }
        out.push(line);
        start += piece.len();
    }
    if out.is_empty() {
        out.push(Line {
            start: 0,
            depth: 0,
            word: None,
            braces: false,
            comment: None,
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    /// Recovery with a toy grammar: a line `bad` anywhere is an error at its start.
    fn errors(text: &str) -> (Vec<usize>, String) {
        let find = |t: &str, from: usize| t[from..].find("bad").map(|i| (from + i, from + i));
        let first = find(text, 0).unwrap();
        let found = recover(text, first, find);
        (found.errors, found.text)
    }

    #[test]
    fn a_bad_statement_blanks_its_line_only() {
        let text = "sla a {\n  bad one\n  resolve\n}\nsla b {\n  bad two\n}\n";
        let (errors, masked) = errors(text);
        assert_eq!(errors.len(), 2);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("  resolve\n"), "{masked}");
        assert!(masked.contains("sla b {"), "{masked}");
        assert_eq!(masked.lines().count(), text.lines().count());
    }

    #[test]
    fn a_bad_declaration_blanks_up_to_the_next() {
        let text = "bad a { x }\nchannel b\n";
        let (errors, masked) = errors(text);
        assert_eq!(errors, vec![0]);
        assert_eq!(masked, "           \nchannel b\n");
    }

    #[test]
    fn declarations_start_at_column_0_or_with_a_keyword_outside_blocks() {
        let text =
            "policy p {\n  calendar x\n}\n  sla a \"s\"\n  when x {\n}\nroute {\n  callback y\n";
        let lines = lines(text);
        let starts: Vec<&str> = (lines.iter())
            .filter(|l| begins_declaration(text, l))
            .map(|l| &text[l.word.clone().unwrap()])
            .collect();
        assert_eq!(starts, ["policy", "sla", "route"]);
    }

    #[test]
    fn an_error_in_a_one_line_block_blanks_the_block_and_keeps_the_head() {
        let text = "role a \"}\" { bad } # {\nrole b\n";
        assert_eq!(block(text.as_bytes(), &(0..25), 13), Some(12..17));
        let (errors, masked) = errors(text);
        assert_eq!(errors, vec![13]);
        assert!(masked.starts_with("role a \"}\" {     }"), "{masked}");
        // An error before the block is not in it.
        assert_eq!(block(text.as_bytes(), &(0..25), 5), None);
    }

    #[test]
    fn two_bad_lines_in_a_row_are_two_errors() {
        let text = "sla a {\n  bad one\n  bad two\n}\n";
        assert_eq!(errors(text).0.len(), 2);
        assert!(goes_on("  when a or  # more"));
        assert!(goes_on("  owns a,"));
        assert!(!goes_on("  acknowledge within 2 hours"));
        assert!(!goes_on("  purpose \"a or\" # b or"));
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_count() {
        let text = "a \"{\" # {\nb\n";
        let lines = lines(text);
        assert_eq!(lines[1].depth, 0);
        assert!(!lines[0].braces);
    }

    #[test]
    fn an_error_at_a_keyword_inside_an_open_block_is_the_block_s() {
        let text = "sla a {\n  x\nsla b { y }\n";
        let lines = lines(text);
        let starts = vec![0, 12];
        assert_eq!(open_block(text, &lines, &starts, 12), Some(0));
        assert_eq!(open_block(text, &lines, &starts, 0), None);
        // The `}` takes the place of the line break after `x`, or of the space before a comment.
        assert_eq!(closing(&lines, text.as_bytes(), 0, 12), Some(11));
        let commented = "sla a {\n  x # note\n# more\nsla b { y }\n";
        let scanned = super::lines(commented);
        assert_eq!(closing(&scanned, commented.as_bytes(), 0, 26), Some(11));
    }

    #[test]
    fn a_block_left_open_is_closed_and_its_statements_kept() {
        let text = "sla a {\n  x\nsla b {\n  bad\n}\n";
        // The toy grammar: `bad` is an error, and so is `sla` at depth 1 until the `}` is put in.
        let find = |t: &str, from: usize| {
            if !t[..12].contains('}') && from == 0 {
                return Some((12, 12));
            }
            t[from..].find("bad").map(|i| (from + i, from + i))
        };
        let found = recover(text, (12, 12), find);
        assert_eq!(found.errors, vec![12, 22]);
        assert_eq!(&found.text[..17], "sla a {\n  x}sla b");
        assert_eq!(found.unclosed, vec![(0, 0)]);
    }
}
