//! One policy folder as the editor sees it: its files (the unsaved texts of open ones instead
//! of what is on disk), parsed and checked, with every name and its uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::Location;

use crate::check::Checked;
use crate::source::{FileId, Span};
use crate::syntax::Loaded;
use crate::syntax::ast::{Head, Item};

/// A checked policy folder.
pub struct Analysis {
    /// Its files, parsed as far as they go.
    pub loaded: Loaded,
    /// What the checker said, and the names.
    pub checked: Checked,
    /// The canonical path of each file, by id.
    paths: Vec<PathBuf>,
}

impl Analysis {
    /// Loads and checks the policy in `folder`, reading `unsaved` texts (by canonical path)
    /// instead of the files on disk.
    pub fn run(folder: &Path, unsaved: &HashMap<PathBuf, String>) -> Analysis {
        let roots = [crate::syntax::import_root(folder)];
        let loaded =
            crate::syntax::load_overlay(folder, &roots, &|path| unsaved.get(path).cloned());
        let checked = crate::check::check(&loaded);
        let paths = (loaded.sources.ids())
            .map(|id| {
                let given = PathBuf::from(loaded.sources.path(id));
                given.canonicalize().unwrap_or(given)
            })
            .collect();
        Analysis {
            loaded,
            checked,
            paths,
        }
    }

    /// The id of the file at canonical `path`, if the policy holds it.
    pub fn file(&self, path: &Path) -> Option<FileId> {
        let i = self.paths.iter().position(|p| p == path)?;
        Some(FileId(i as u32))
    }

    /// The canonical path of `file`.
    pub fn path(&self, file: FileId) -> &Path {
        (self.paths.get(file.0 as usize)).map_or(Path::new(""), PathBuf::as_path)
    }

    /// The text of `file`.
    pub fn text(&self, file: FileId) -> &str {
        self.loaded.sources.text(file)
    }

    /// Every file of the policy, with its canonical path.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &Path)> {
        (self.loaded.sources.ids()).zip(self.paths.iter().map(PathBuf::as_path))
    }

    /// The 1-based line `span` starts on.
    pub fn line(&self, span: Span) -> usize {
        self.loaded.sources.line_col(span.file, span.start).0
    }

    /// Where `span` is, for the editor.
    pub fn location(&self, span: Span) -> Option<Location> {
        let uri = super::text::uri_of(self.path(span.file))?;
        let text = self.text(span.file);
        let range = super::text::range(text, span.start as usize, span.end as usize);
        Some(Location::new(uri, range))
    }

    /// The declarations of `file`, in order.
    pub fn items(&self, file: FileId) -> impl Iterator<Item = &crate::syntax::ast::Node<Item>> {
        (self.loaded.files.iter())
            .filter(move |(id, _)| *id == file)
            .flat_map(|(_, f)| &f.items)
    }

    /// The head (name and label) declared at `span`, and the declaration that holds it.
    pub fn head(&self, span: Span) -> Option<(&Head, &crate::syntax::ast::Node<Item>)> {
        self.items(span.file).find_map(|item| {
            let head = heads(&item.node)
                .into_iter()
                .find(|h| h.name.span == span)?;
            Some((head, item))
        })
    }
}

/// The heads (names and labels) a declaration declares.
pub fn heads(item: &Item) -> Vec<&Head> {
    match item {
        Item::Policy(h, _)
        | Item::Calendar(h, _)
        | Item::Channel(h, _)
        | Item::Field(h, ..)
        | Item::Attribute(h, ..)
        | Item::Category(h, _)
        | Item::Department(h)
        | Item::Event(h)
        | Item::Callback(h, ..)
        | Item::Stage(h, _)
        | Item::Report(h, _)
        | Item::Role(h, _)
        | Item::Procedure(h, _) => vec![h],
        Item::Sla(sla) => vec![&sla.head],
        Item::Escalate(e) => vec![&e.head],
        Item::Severities(levels) => levels.iter().map(|(h, _)| h).collect(),
        Item::Import(_)
        | Item::Scope(_)
        | Item::Route(_)
        | Item::Calendars(_)
        | Item::Extension(_) => Vec::new(),
    }
}
