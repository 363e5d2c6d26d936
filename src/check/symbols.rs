//! Every declared name and every place it is used, as the checker resolved them: what an editor
//! needs for go to definition, find references, rename and hover.

use crate::source::{FileId, Span};

/// One declared name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// What it names: "role", "category", "calendar", …
    pub kind: &'static str,
    /// The name as written.
    pub name: String,
    /// Where it is declared: the identifier in its declaration.
    pub span: Span,
}

/// The names of a policy and their uses (the identifiers that refer to them).
///
/// ```
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// let director = checked.symbols.declared("role", "office_director").unwrap();
/// // The route table sends major complaints to the director: a use of the name.
/// assert!(checked.symbols.uses_of(director).count() >= 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    /// Every declared name, in the order the checker met them.
    pub names: Vec<Name>,
    /// Every use: (the identifier, the index of its name in `names`), in text order.
    pub uses: Vec<(Span, usize)>,
}

impl Symbols {
    /// Adds a name; the index of the name declared at `span` when it is already there.
    pub(crate) fn add(&mut self, kind: &'static str, name: &str, span: Span) -> usize {
        if let Some(i) = self
            .names
            .iter()
            .position(|n| n.span == span && n.kind == kind)
        {
            return i;
        }
        self.names.push(Name {
            kind,
            name: name.to_string(),
            span,
        });
        self.names.len() - 1
    }

    /// Adds a use of name `index` at `span` (once per place).
    pub(crate) fn add_use(&mut self, span: Span, index: usize) {
        self.uses.push((span, index));
    }

    /// Sorts the uses by place and drops repeats (several versions of a policy share files).
    pub(crate) fn finish(&mut self) {
        self.uses.sort_by_key(|(s, i)| (s.file, s.start, s.end, *i));
        self.uses.dedup();
    }

    /// The index of the name of `kind` called `name`.
    pub fn declared(&self, kind: &str, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.kind == kind && n.name == name)
    }

    /// The name at byte `offset` of `file`: a declaration's identifier or a use.
    pub fn at(&self, file: FileId, offset: u32) -> Option<usize> {
        let inside = |s: &Span| s.file == file && s.start <= offset && offset <= s.end;
        (self.names.iter().position(|n| inside(&n.span)))
            .or_else(|| self.uses.iter().find(|(s, _)| inside(s)).map(|(_, i)| *i))
    }

    /// Where name `index` is used.
    pub fn uses_of(&self, index: usize) -> impl Iterator<Item = Span> + '_ {
        (self.uses.iter())
            .filter(move |(_, i)| *i == index)
            .map(|(s, _)| *s)
    }
}
