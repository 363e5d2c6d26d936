//! Where things were written: the text of every file of a policy, and byte spans into them.
//! Syntax produces spans, every later stage cites them, and diagnostics print them; this module
//! knows nothing of the language.

/// Which source file a span belongs to: an index into the [`Sources`] it was
/// parsed with.
///
/// ```
/// use charter::syntax::Sources;
/// let mut sources = Sources::default();
/// let a = sources.add("a.charter", "");
/// let b = sources.add("b.charter", "");
/// assert_ne!(a, b);
/// assert_eq!(sources.ids().collect::<Vec<_>>(), [a, b]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// ```
/// use charter::syntax::{Sources, Span};
/// let mut sources = Sources::default();
/// let file = sources.add("p.charter", "channel web \"Web\"");
/// let span = Span { file, start: 8, end: 11 };
/// assert_eq!((span.len(), span.is_empty()), (3, false));
/// assert_eq!(sources.slice(span), "web");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The span's length in bytes.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert_eq!(Span { file, start: 8, end: 11 }.len(), 3);
    /// ```
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span is empty.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert!(Span { file, start: 8, end: 8 }.is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// The text of every file of a policy.
///
/// ```
/// use charter::syntax::{Sources, Span};
/// let mut sources = Sources::default();
/// let file = sources.add("p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
/// assert_eq!(sources.path(file), "p.charter");
/// // Columns count characters, not bytes: `单` is byte 21 of line 2, and column 20.
/// assert_eq!(sources.line_col(file, 39), (2, 20));
/// assert_eq!(sources.slice(Span { file, start: 8, end: 11 }), "web");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
struct SourceFile {
    path: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Sources {
    /// Adds a file and returns its id.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// let other = sources.add("office/q.charter", "");
    /// assert_ne!(file, other);
    /// ```
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = lone_cr_as_lf(text.into());
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(SourceFile {
            path: path.into(),
            text,
            line_starts,
        });
        FileId(self.files.len() as u32 - 1)
    }

    /// The path of a file, as given.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert_eq!(sources.path(file), "office/p.charter");
    /// ```
    pub fn path(&self, file: FileId) -> &str {
        self.files
            .get(file.0 as usize)
            .map_or("<unknown>", |f| &f.path)
    }

    /// The text of a file.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert!(sources.text(file).starts_with("channel web"));
    /// ```
    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |f| &f.text)
    }

    /// All file ids.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert_eq!(sources.ids().count(), 1);
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = FileId> + use<> {
        (0..self.files.len() as u32).map(FileId)
    }

    /// 1-based line and column (in characters) of a byte offset.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// // Byte 39 is `单`, the 20th character of line 2.
    /// assert_eq!(sources.line_col(file, 39), (2, 20));
    /// assert_eq!(sources.line_col(file, 0), (1, 1));
    /// ```
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        let Some(f) = self.files.get(file.0 as usize) else {
            return (1, 1);
        };
        let offset = (offset as usize).min(f.text.len());
        let line = f.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = f.line_starts[line - 1];
        let col = f
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// The text of a 1-based line, without its newline.
    ///
    /// ```
    /// use charter::syntax::Sources;
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "channel web \"Web\"\ncategory billing \"账单\"\n");
    /// assert_eq!(sources.line_text(file, 2), "category billing \"账单\"");
    /// assert_eq!(sources.text(file).lines().count(), 2);
    /// ```
    pub fn line_text(&self, file: FileId, line: usize) -> &str {
        let Some(f) = self.files.get(file.0 as usize) else {
            return "";
        };
        let start = f.line_starts.get(line - 1).copied().unwrap_or(f.text.len());
        let end = f.line_starts.get(line).map_or(f.text.len(), |e| e - 1);
        f.text.get(start..end.max(start)).unwrap_or("")
    }

    /// The text a span covers.
    ///
    /// ```
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("office/p.charter", "channel web \"Web\"\ncategory billing \"账单\"");
    /// assert_eq!(sources.slice(Span { file, start: 27, end: 34 }), "billing");
    /// ```
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// `text` with every carriage return that is not followed by a line feed (a line break of old
/// Mac files, and one of the three the LSP counts) made a line feed: one byte for one, so every
/// offset stays where it was, while lines, columns and comments end where an editor ends them.
///
/// ```
/// use charter::syntax::Sources;
/// let mut sources = Sources::default();
/// let file = sources.add("p.charter", "role a \"A\" {}\rrole b \"B\" {}\r\nrole c \"C\" {}");
/// // Byte 14 starts line 2, after a lone CR; byte 29 starts line 3, after CR LF.
/// assert_eq!(sources.line_col(file, 14), (2, 1));
/// assert_eq!(sources.line_col(file, 29), (3, 1));
/// assert_eq!(sources.line_text(file, 1), "role a \"A\" {}");
/// ```
pub fn lone_cr_as_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        let next = bytes.get(i + 1).copied();
        if let Some(byte) = bytes.get_mut(i)
            && *byte == b'\r'
            && next != Some(b'\n')
        {
            *byte = b'\n';
        }
    }
    // ASCII for ASCII: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The bytes of the regular file at `path`, of at most `max` bytes: a FIFO (whose opening
/// waits for a writer that may never come), a device (which may never end) and a larger file
/// are refused before anything is read, with what is wrong in the error.
pub(crate) fn read_regular(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let most = if max.is_multiple_of(1 << 20) {
        format!("{} MiB", max >> 20)
    } else {
        format!("{max} bytes")
    };
    if meta.len() > max {
        return Err(std::io::Error::other(format!(
            "it is {} bytes, more than the {most} such a file may have",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "it grew past the {most} such a file may have"
        )));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub(crate) fn read_regular_text(path: &std::path::Path, max: u64) -> std::io::Result<String> {
    String::from_utf8(read_regular(path, max)?).map_err(|e| {
        let (line, column, _) = not_utf8_place(&e);
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is not UTF-8 (the byte at {line}:{column}); save it as UTF-8"),
        )
    })
}

/// Where in `text` a TOML error is (a byte offset) and what it says. The reader's depth limit
/// comes without a place: the line that nests deepest (the most dots, brackets and braces) is
/// where it was met, and the message says what it means.
///
/// ```
/// let text = format!("id = \"x\"\n{} = 1\n", vec!["a"; 200].join("."));
/// let e = toml::from_str::<toml::Table>(&text).unwrap_err();
/// let (at, message) = charter::source::toml_error(&text, &e);
/// assert_eq!(at, Some(9));
/// assert!(message.starts_with("nested deeper than the TOML reader goes"), "{message}");
/// ```
pub fn toml_error(text: &str, e: &toml::de::Error) -> (Option<usize>, String) {
    let message = e.message().trim_end();
    match e.span() {
        Some(span) => (Some(span.start.min(text.len())), message.to_string()),
        None if message.contains("recursion") => {
            let nesting = |line: &str| line.bytes().filter(|b| b"[{.".contains(b)).count();
            let mut at = 0;
            let mut deepest = (0, 0);
            for line in text.split_inclusive('\n') {
                if nesting(line) > deepest.1 {
                    deepest = (at, nesting(line));
                }
                at += line.len();
            }
            (
                Some(deepest.0),
                "nested deeper than the TOML reader goes (a dotted key of many parts, or arrays and tables inside each other)".to_string(),
            )
        }
        None => (None, message.to_string()),
    }
}

/// Where the text after `before` starts: its line and column, both from 1, columns counted
/// in characters.
pub(crate) fn place_after(before: &str) -> (usize, usize) {
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where the first byte that is not UTF-8 is in bytes that are not: its line, column and
/// offset.
pub(crate) fn not_utf8_place(e: &std::string::FromUtf8Error) -> (usize, usize, usize) {
    let at = e.utf8_error().valid_up_to();
    let valid = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or_default();
    let (line, column) = place_after(valid);
    (line, column, at)
}
