//! Source files: reading a policy path (a file or a folder), following imports, and mapping
//! byte offsets to lines and columns.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::{File, FileId, Item, Span};
use crate::syntax::parser::parse;

/// The text of every file of a policy.
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
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
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
    pub fn path(&self, file: FileId) -> &str {
        self.files
            .get(file.0 as usize)
            .map_or("<unknown>", |f| &f.path)
    }

    /// The text of a file.
    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |f| &f.text)
    }

    /// All file ids.
    pub fn ids(&self) -> impl Iterator<Item = FileId> + use<> {
        (0..self.files.len() as u32).map(FileId)
    }

    /// 1-based line and column (in characters) of a byte offset.
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
    pub fn line_text(&self, file: FileId, line: usize) -> &str {
        let Some(f) = self.files.get(file.0 as usize) else {
            return "";
        };
        let start = f.line_starts.get(line - 1).copied().unwrap_or(f.text.len());
        let end = f.line_starts.get(line).map_or(f.text.len(), |e| e - 1);
        f.text.get(start..end.max(start)).unwrap_or("")
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// Every file of a policy, parsed, with the problems met on the way.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The texts.
    pub sources: Sources,
    /// The files that parsed, in load order.
    pub files: Vec<(FileId, File)>,
    /// Problems reading or parsing.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a policy: one `.charter` file, or every `.charter` file under a folder (sorted by
/// path), and every file they `import`, each once.
pub fn load(path: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut queue: Vec<(PathBuf, Option<Span>)> = Vec::new();
    if path.is_dir() {
        let mut found = Vec::new();
        collect(path, &mut found, &mut loaded.diagnostics);
        found.sort();
        if found.is_empty() {
            loaded.diagnostics.push(
                Diagnostic::general(
                    Kind::NoPolicyFiles,
                    format!("no `.charter` files in `{}`", path.display()),
                )
                .with_help("a policy folder holds files ending in `.charter`; check the path"),
            );
        }
        queue.extend(found.into_iter().map(|p| (p, None)));
    } else {
        queue.push((path.to_path_buf(), None));
    }
    let mut next = 0;
    while next < queue.len() {
        let (file, from) = queue[next].clone();
        next += 1;
        let key = file.canonicalize().unwrap_or_else(|_| file.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Some(parsed) = read_one(&file, from, &mut loaded) {
            let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
            for item in &parsed.1.items {
                if let Item::Import(target) = &item.node
                    && !target.is_empty()
                {
                    queue.push((dir.join(target), Some(item.span)));
                }
            }
            loaded.files.push(parsed);
        }
    }
    loaded
}

/// Parses one text as a policy of one file (for tests, fuzzing and standard input).
pub fn load_text(path: &str, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let id = loaded.sources.add(path, text);
    match parse(id, text) {
        Ok(file) => loaded.files.push((id, file)),
        Err(errors) => loaded
            .diagnostics
            .extend(errors.into_iter().map(Diagnostic::from)),
    }
    loaded
}

fn collect(dir: &Path, found: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::general(
                Kind::Io,
                format!("cannot read folder `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, found, diagnostics);
        } else if path.extension().is_some_and(|e| e == "charter") {
            found.push(path);
        }
    }
}

fn read_one(path: &Path, from: Option<Span>, loaded: &mut Loaded) -> Option<(FileId, File)> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let message = format!("cannot read `{shown}`: {e}");
            let diagnostic = match from {
                Some(span) => Diagnostic::error(Kind::BadImport, span, message)
                    .with_help("import paths are relative to the importing file"),
                None => Diagnostic::general(Kind::Io, message)
                    .with_help("check the path and its permissions"),
            };
            loaded.diagnostics.push(diagnostic);
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            loaded.diagnostics.push(
                Diagnostic::general(
                    Kind::NotUtf8,
                    format!("`{shown}` is not UTF-8 text (invalid byte at offset {at})"),
                )
                .with_help("save the file as UTF-8"),
            );
            return None;
        }
    };
    let id = loaded.sources.add(shown, text);
    match parse(id, loaded.sources.text(id)) {
        Ok(file) => Some((id, file)),
        Err(errors) => {
            loaded
                .diagnostics
                .extend(errors.into_iter().map(Diagnostic::from));
            None
        }
    }
}
