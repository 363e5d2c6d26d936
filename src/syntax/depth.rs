//! A bound on nesting, checked before the grammar runs. The parser (and every stage after
//! it: the checker, the evaluator, the formatter, the document writers) follows nested
//! conditions by recursion, so a condition nested some thousands deep would overflow the
//! stack and abort the process. No real policy nests more than a few levels; anything past
//! [`MAX_DEPTH`] is a syntax error at the place it happens, and the stages after the parser
//! never see such a tree.

/// The deepest nesting accepted: parentheses, brackets and braces that are open, plus the
/// `not`s in a row before an operand.
///
/// ```
/// use charter::syntax::{parse, FileId, SyntaxError, MAX_DEPTH};
/// let deep = format!("route {{ when {}severity = major{} -> clerk }}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
/// let errors = parse(FileId(0), &deep).unwrap_err();
/// assert!(matches!(errors[0], SyntaxError::TooDeep { .. }));
/// ```
pub const MAX_DEPTH: usize = 256;

/// The byte offset where `text` first nests deeper than [`MAX_DEPTH`], if it does. Strings
/// and comments are skipped; the count is lexical, so it needs no parse.
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut open, mut nots) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                i = find(bytes, i, b'\n');
                continue;
            }
            b'"' => {
                i = string_end(bytes, i + 1);
                nots = 0;
                continue;
            }
            b'(' | b'[' | b'{' => open += 1,
            b')' | b']' | b'}' => {
                open = open.saturating_sub(1);
                nots = 0;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                let end = word_end(bytes, i);
                if &bytes[i..end] == b"not" {
                    nots += 1;
                } else {
                    nots = 0;
                }
                if open + nots > MAX_DEPTH {
                    return Some(i);
                }
                i = end;
                continue;
            }
            _ => nots = 0,
        }
        if open + nots > MAX_DEPTH {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the first `byte` at or after `from`, or the end.
fn find(bytes: &[u8], from: usize, byte: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map_or(bytes.len(), |n| from + n)
}

/// The index after the closing quote of a string whose text starts at `from` (or the end of
/// its line, for one left open: the grammar reports that).
fn string_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(&b) = bytes.get(from) {
        match b {
            b'\\' => from += 2,
            b'"' => return from + 1,
            b'\n' => return from,
            _ => from += 1,
        }
    }
    bytes.len()
}

/// The index after the word starting at `from`.
fn word_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
        .map_or(bytes.len(), |n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_from_brackets_and_nots() {
        let at = |depth: usize| {
            format!(
                "route {{ when {}category = x{} -> a }}",
                "(".repeat(depth),
                ")".repeat(depth)
            )
        };
        assert_eq!(
            too_deep(&at(MAX_DEPTH - 1)),
            None,
            "the route block is one level"
        );
        assert!(too_deep(&at(MAX_DEPTH)).is_some());
        let nots = |n: usize| format!("route {{ when {}vip -> a }}", "not ".repeat(n));
        assert_eq!(too_deep(&nots(MAX_DEPTH - 1)), None);
        // `route { when ` is 13 bytes; the 256th `not` is the 257th level with the brace.
        assert_eq!(too_deep(&nots(MAX_DEPTH)), Some(13 + 4 * (MAX_DEPTH - 1)));
        // Strings and comments do not count, and a `not` inside a word is no `not`.
        let quiet = format!(
            "# {}\nx \"{}\" nothing notice",
            "(".repeat(900),
            "(".repeat(900)
        );
        assert_eq!(too_deep(&quiet), None);
    }
}
