//! The comments of a file, found by a scan of their own so that the formatter can keep them
//! (the grammar skips them).

/// A `#` comment.
///
/// ```
/// let found = charter::syntax::comments("# a note\nrole clerk \"#1 clerk\" {} # after\n");
/// let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
/// // The `#` inside the string is not a comment.
/// assert_eq!(texts, ["# a note", "# after"]);
/// assert!(found[0].own_line && !found[1].own_line);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// The comment text, `#` included, trailing white space removed.
    pub text: String,
    /// Whether only white space precedes it on its line.
    pub own_line: bool,
}

/// Every comment of `text`, in order. `#` inside a string does not start a comment.
pub fn comments(text: &str) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = 0;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            if c == '\n' {
                line_start = i + 1;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\n' => line_start = i + 1,
            '#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                found.push(Comment {
                    start: i,
                    text: text[i..end].trim_end().to_string(),
                    own_line: is_layout(&text[line_start..i]),
                });
                // Skip to the end of the line.
                for (j, _) in chars.by_ref() {
                    if j + 1 >= end {
                        break;
                    }
                }
                line_start = end + 1;
            }
            _ => {}
        }
    }
    found
}

/// Whether `s` holds only what the grammar skips between tokens (its `WHITESPACE`: spaces,
/// tabs, line breaks, `;`, the ideographic space and a byte-order mark). Rust's `trim` is not
/// the same set: it keeps U+FEFF and `;`, which made the formatter place a comment after a BOM
/// differently on its second pass (found by the fuzzer).
pub fn is_layout(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}' | '\u{3000}' | ';'))
}
