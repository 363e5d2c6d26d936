//! Symbol tables: declared names, duplicates, and "did you mean" for unknown names.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Kind};
use crate::source::Span;
use crate::spelling::nearest;
use crate::syntax::ast::Ident;

/// The names of one kind of declaration (roles, categories, …), in declaration order.
#[derive(Debug, Default)]
pub struct Table {
    /// What the names are, for messages: "role", "category".
    pub what: &'static str,
    index: HashMap<String, usize>,
    spans: Vec<Span>,
    names: Vec<String>,
    /// Where each name is used: (the place, the name's index).
    uses: RefCell<Vec<(Span, usize)>>,
}

impl Table {
    /// An empty table of `what`s.
    pub fn new(what: &'static str) -> Self {
        Table {
            what,
            ..Table::default()
        }
    }

    /// Declares `ident`; a second declaration of the name is reported and ignored.
    pub fn declare(&mut self, ident: &Ident, out: &mut Vec<Diagnostic>) -> Option<usize> {
        if let Some(&i) = self.index.get(&ident.name) {
            out.push(
                Diagnostic::error(
                    Kind::Duplicate,
                    ident.span,
                    format!("{} `{}` is declared twice", self.what, ident.name),
                )
                .with_label("declared again here")
                .with_related(self.spans[i], "first declared here")
                .with_help(format!(
                    "rename one of them or remove the second; each {} needs a unique name",
                    self.what
                )),
            );
            return None;
        }
        let i = self.names.len();
        self.index.insert(ident.name.clone(), i);
        self.spans.push(ident.span);
        self.names.push(ident.name.clone());
        Some(i)
    }

    /// The index of a name, if declared.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The index of `ident`, if declared, noted as a use of the name.
    pub fn find(&self, ident: &Ident) -> Option<usize> {
        let i = self.get(&ident.name)?;
        self.uses.borrow_mut().push((ident.span, i));
        Some(i)
    }

    /// The index of `ident` (noted as a use), or an unknown-name error with the nearest name
    /// as help.
    pub fn resolve(&self, ident: &Ident, out: &mut Vec<Diagnostic>) -> Option<usize> {
        if let Some(i) = self.find(ident) {
            return Some(i);
        }
        out.push(unknown(
            self.what,
            ident,
            self.names.iter().map(String::as_str),
        ));
        None
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names in declaration order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Where each name is declared, in declaration order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Where the names are used: (the place, the name's index).
    pub fn uses(&self) -> Vec<(Span, usize)> {
        self.uses.borrow().clone()
    }
}

/// An unknown-name error for `ident`, suggesting the nearest of `candidates`.
pub fn unknown<'a>(
    what: &str,
    ident: &Ident,
    candidates: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let candidates: Vec<&str> = candidates.collect();
    let d = Diagnostic::error(
        Kind::UnknownName,
        ident.span,
        format!("unknown {what} `{}`", ident.name),
    );
    match nearest(&ident.name, candidates.iter().copied()) {
        Some(best) => d
            .with_label(format!("did you mean `{best}`?"))
            .with_help(format!("declare `{}` or use `{best}`", ident.name)),
        None if candidates.is_empty() => d.with_help(format!(
            "no {what} is declared; declare `{}` first",
            ident.name
        )),
        None => d.with_help(format!("declared {what} names: {}", list(&candidates))),
    }
}

fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 8 {
        format!(" and {} more", names.len() - 8)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}
