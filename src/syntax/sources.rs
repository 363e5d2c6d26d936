//! Reading a policy path (a file or a folder) and following its imports.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Kind};
use crate::source::{FileId, Sources, Span};
use crate::syntax::ast::{File, Item};
use crate::syntax::parser::parse_all;

/// Every file of a policy, parsed, with the problems met on the way.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The texts.
    pub sources: Sources,
    /// The files read, in load order, each as far as it parsed (see [`Loaded::damaged`]).
    pub files: Vec<(FileId, File)>,
    /// Problems reading or parsing.
    pub diagnostics: Vec<Diagnostic>,
    /// The declarations that hold a syntax error: what parsed of them is in `files`, and the
    /// checker says nothing more about them.
    pub damaged: Vec<Span>,
    /// The folder imports stay in, when read from disk: paths shown to others (a rule's
    /// citation in a decision) are relative to it.
    pub root: Option<PathBuf>,
}

impl Loaded {
    /// Parses the text of `id`, keeping its errors and damaged declarations.
    fn parsed(&mut self, id: FileId) -> File {
        // The text as kept (line breaks made LF), which spans and lines are counted in.
        let parsed = parse_all(id, self.sources.text(id));
        self.keep(parsed)
    }

    /// Keeps the errors and damaged declarations of a parse; returns its file.
    fn keep(&mut self, parsed: crate::syntax::Parsed) -> File {
        (self.diagnostics).extend(parsed.errors.into_iter().map(Diagnostic::from));
        self.damaged.extend(parsed.damaged);
        parsed.file
    }

    /// The path of `file` as shown in answers to others: relative to the import root (never
    /// the absolute path of the machine that decided), or as given when it is not under it.
    pub fn cited_path(&self, file: FileId) -> String {
        let given = self.sources.path(file);
        let relative = self.root.as_ref().and_then(|root| {
            let path = Path::new(given).canonicalize().ok()?;
            let rest = path.strip_prefix(root).ok()?;
            Some(rest.to_string_lossy().replace('\\', "/"))
        });
        relative.unwrap_or_else(|| given.to_string())
    }
}

/// A policy file is read up to this size (a larger one is an error).
pub const MAX_FILE: u64 = 16 << 20;

/// The folder imports of the policy at `path` must stay in: the folder that holds the
/// policy's folder (so `policies/complaint-office` may import `policies/calendars/…`).
pub fn import_root(path: &Path) -> PathBuf {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let folder = if path.is_dir() {
        path.as_path()
    } else {
        path.parent().unwrap_or(&path)
    };
    folder.parent().unwrap_or(folder).to_path_buf()
}

/// Reads a policy: one `.charter` file, or every `.charter` file under a folder (sorted by
/// path), and every file they `import`, each once. Imports stay inside [`import_root`].
///
/// ```
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// // The policy's file and the calendar it imports.
/// assert!(loaded.files.len() >= 2);
/// assert!(!loaded.diagnostics.iter().any(|d| d.is_error()));
/// ```
pub fn load(path: &Path) -> Loaded {
    load_within(path, &[import_root(path)])
}

/// [`load`], with imports confined to `roots`: an import that resolves (links followed)
/// outside every root, to something other than a regular `.charter` file, or to a file
/// larger than [`MAX_FILE`] is an error that names the path and never shows its content.
/// Roots may be relative (to the working directory): they are compared as canonical paths.
pub fn load_within(path: &Path, roots: &[PathBuf]) -> Loaded {
    load_overlay(path, roots, &|_| None)
}

/// [`load_within`], with texts not yet saved: `unsaved(path)` gives the text of a file (by its
/// canonical path) that an editor holds, read instead of the file on disk.
pub fn load_overlay(
    path: &Path,
    roots: &[PathBuf],
    unsaved: &dyn Fn(&Path) -> Option<String>,
) -> Loaded {
    // Imports resolve to canonical paths; a relative root would hold none of them.
    let roots: Vec<PathBuf> = (roots.iter())
        .map(|r| r.canonicalize().unwrap_or_else(|_| r.clone()))
        .collect();
    let roots = roots.as_slice();
    let mut loaded = Loaded {
        root: roots.first().cloned(),
        ..Loaded::default()
    };
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut queue: Vec<(PathBuf, Option<Span>)> = Vec::new();
    if path.is_dir() {
        let mut found = Vec::new();
        let before = loaded.diagnostics.len();
        collect(path, &mut found, &mut loaded.diagnostics);
        found.sort();
        // Unless the folder could not be read, or held too many to read.
        if found.is_empty() && loaded.diagnostics.len() == before {
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
        if let Some(span) = from
            && let Err(why) = importable(&file, &key, roots)
        {
            loaded.diagnostics.push(
                Diagnostic::error(Kind::BadImport, span, format!("cannot import `{}`: {why}", file.display()))
                    .with_help("an import names a `.charter` file under the folder that holds the policy's folder (or a root given with `--import-root`); move the shared file there"),
            );
            continue;
        }
        let held = unsaved(&key);
        seen.push(key);
        let read = match held {
            Some(text) if text.len() as u64 > MAX_FILE => {
                loaded.diagnostics.push(Diagnostic::general(
                    Kind::Io,
                    format!(
                        "`{}` is {} bytes, more than the {} MiB a policy file may have",
                        file.display(),
                        text.len(),
                        MAX_FILE >> 20
                    ),
                ));
                None
            }
            Some(text) => {
                let id = loaded.sources.add(file.display().to_string(), text);
                let parsed = parse_all(id, loaded.sources.text(id));
                Some((id, loaded.keep(parsed)))
            }
            None => read_one(&file, from, &mut loaded),
        };
        if let Some(parsed) = read {
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
///
/// ```
/// let loaded = charter::syntax::load_text("p.charter", "channel web \"Web\"\ncategory billing \"Billing\"");
/// assert!(loaded.diagnostics.is_empty());
/// assert_eq!(loaded.files[0].1.items.len(), 2);
/// ```
pub fn load_text(path: &str, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let id = loaded.sources.add(path, text);
    let file = loaded.parsed(id);
    loaded.files.push((id, file));
    loaded
}

/// Reads a policy held in memory: `files` are (path, text) pairs, all of them the policy's
/// files, as a folder's would be (in path order). An `import` is resolved against the
/// importing file's path among the given paths (`./` and `../` followed), never on disk; a
/// path that is not among them is an error that names it. Texts longer than [`MAX_FILE`]
/// are refused like files on disk.
///
/// ```
/// let loaded = charter::syntax::load_sources(&[
///     ("office/policy.charter", "import \"../shared/channels.charter\""),
///     ("shared/channels.charter", "channel web \"Web\""),
/// ]);
/// assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
/// // An import of a file not given is an error that names it.
/// let missing = charter::syntax::load_sources(&[("p.charter", "import \"other.charter\"")]);
/// assert!(missing.diagnostics.iter().any(|d| d.is_error() && d.message.contains("other.charter")));
/// ```
pub fn load_sources(files: &[(&str, &str)]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut given: Vec<(String, &str)> = (files.iter())
        .map(|&(path, text)| (normal(Path::new(path)), text))
        .collect();
    given.sort_by(|a, b| a.0.cmp(&b.0));
    given.dedup_by(|a, b| a.0 == b.0);
    if given.is_empty() {
        loaded.diagnostics.push(
            Diagnostic::general(Kind::NoPolicyFiles, "no policy files were given")
                .with_help("pass at least one (path, text) pair"),
        );
    }
    let mut queue: Vec<(String, Option<Span>)> =
        given.iter().map(|(p, _)| (p.clone(), None)).collect();
    let mut seen: Vec<String> = Vec::new();
    let mut next = 0;
    while next < queue.len() {
        let (path, from) = queue[next].clone();
        next += 1;
        if seen.contains(&path) {
            continue;
        }
        let Some(&(_, text)) = given.iter().find(|(p, _)| *p == path) else {
            if let Some(span) = from {
                let known: Vec<String> = given.iter().map(|(p, _)| format!("`{p}`")).collect();
                loaded.diagnostics.push(
                    Diagnostic::error(
                        Kind::BadImport,
                        span,
                        format!("cannot import `{path}`: it is not among the files given ({})", known.join(", ")),
                    )
                    .with_help("import paths are relative to the importing file; give the imported file too"),
                );
            }
            continue;
        };
        seen.push(path.clone());
        if text.len() as u64 > MAX_FILE {
            loaded.diagnostics.push(Diagnostic::general(
                Kind::Io,
                format!(
                    "`{path}` is {} bytes, more than the {} MiB a policy file may have",
                    text.len(),
                    MAX_FILE >> 20
                ),
            ));
            continue;
        }
        let id = loaded.sources.add(&path, text);
        let file = loaded.parsed(id);
        let dir = Path::new(&path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for item in &file.items {
            if let Item::Import(target) = &item.node
                && !target.is_empty()
            {
                queue.push((normal(&dir.join(target)), Some(item.span)));
            }
        }
        loaded.files.push((id, file));
    }
    loaded
}

/// `path` with `.` and `..` taken out, without touching the disk, written with `/`.
fn normal(path: &Path) -> String {
    use std::path::Component;
    let mut parts: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// How deep below a policy folder its files are looked for.
const MAX_FOLDER_DEPTH: usize = 16;

/// The most `.charter` files, and the most folders, a policy folder may hold: a policy has a
/// handful, and a folder with thousands (a home folder, `/`, given by mistake or holding a file
/// an editor opened) is not one, and is not walked to the end.
pub const MAX_FOLDER_FILES: usize = 1000;

/// The `.charter` files under `dir`. Links to folders are not followed (a link back up would
/// never end), and no deeper than [`MAX_FOLDER_DEPTH`] folders; a folder that cannot be read
/// is a diagnostic. Every command that looks through a policy folder (loading, `fmt`, the
/// service's watch for changes) finds its files here.
pub(crate) fn collect(dir: &Path, found: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let before = found.len();
    let noted = diagnostics.len();
    let mut folders = 0;
    collect_below(
        dir,
        0,
        (before + MAX_FOLDER_FILES, &mut folders),
        found,
        diagnostics,
    );
    if found.len() - before > MAX_FOLDER_FILES || folders > MAX_FOLDER_FILES {
        found.truncate(before);
        // What could not be read of it does not matter either.
        diagnostics.truncate(noted);
        diagnostics.push(
            Diagnostic::general(
                Kind::Io,
                format!(
                    "`{}` holds more than {MAX_FOLDER_FILES} `.charter` files or folders, which no policy has; nothing of it is read",
                    dir.display()
                ),
            )
            .with_help("give the folder that holds the policy's files"),
        );
    }
}

/// [`collect`] below `dir` at `depth`, stopping once `found` holds more than `cap` files or
/// more than [`MAX_FOLDER_FILES`] folders were read (counted in `folders`).
fn collect_below(
    dir: &Path,
    depth: usize,
    (cap, folders): (usize, &mut usize),
    found: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    *folders += 1;
    if *folders > MAX_FOLDER_FILES {
        return;
    }
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
        if found.len() > cap || *folders > MAX_FOLDER_FILES {
            return;
        }
        let path = entry.path();
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && depth < MAX_FOLDER_DEPTH {
            collect_below(&path, depth + 1, (cap, &mut *folders), found, diagnostics);
        } else if !is_folder && path.extension().is_some_and(|e| e == "charter") {
            found.push(path);
        }
    }
}

/// Why the file an import names (`canonical` with links followed) may not be read, if so.
fn importable(file: &Path, canonical: &Path, roots: &[PathBuf]) -> Result<(), String> {
    if file.extension().is_none_or(|e| e != "charter")
        || canonical.extension().is_none_or(|e| e != "charter")
    {
        return Err("only `.charter` files can be imported".into());
    }
    // A path that does not resolve (missing, or behind a folder it may not look into) is
    // judged by where it would be: whether a file outside exists is not told.
    let resolved;
    let canonical = if canonical.exists() {
        canonical
    } else {
        resolved = resolve_missing(canonical);
        &resolved
    };
    if !roots.iter().any(|root| canonical.starts_with(root)) {
        let roots: Vec<String> = roots.iter().map(|r| format!("`{}`", r.display())).collect();
        return Err(format!("it is outside {}", roots.join(", ")));
    }
    Ok(())
}

/// Where `path`, which does not resolve, would be: `.` and `..` taken away by their names,
/// then the longest part that exists followed through its links.
fn resolve_missing(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut plain = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                plain.pop();
            }
            other => plain.push(other),
        }
    }
    let mut rest = Vec::new();
    let mut head = plain.as_path();
    loop {
        if let Ok(real) = head.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (head.parent(), head.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                head = parent;
            }
            _ => return plain,
        }
    }
}

/// The bytes of a regular file of at most [`MAX_FILE`] bytes.
pub(crate) fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::source::read_regular(path, MAX_FILE)
}

fn read_one(path: &Path, from: Option<Span>, loaded: &mut Loaded) -> Option<(FileId, File)> {
    let shown = path.display().to_string();
    let bytes = match read_bounded(path) {
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
            let (line, column, at) = crate::source::not_utf8_place(&e);
            loaded.diagnostics.push(
                Diagnostic::general(
                    Kind::NotUtf8,
                    format!(
                        "`{shown}` is not UTF-8 text: the byte at {line}:{column} (offset {at}) is not"
                    ),
                )
                .with_help("save the file as UTF-8"),
            );
            return None;
        }
    };
    let id = loaded.sources.add(shown, text);
    let parsed = parse_all(id, loaded.sources.text(id));
    Some((id, loaded.keep(parsed)))
}
