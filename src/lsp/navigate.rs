//! Going from a name to where it is declared and used, renaming it, outlines, and the fixes
//! the checker suggests.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, DocumentSymbol, Location, SymbolInformation, SymbolKind, TextEdit,
    Uri, WorkspaceEdit,
};

use crate::source::{FileId, Span};
use crate::syntax::ast::Item;

use super::analysis::{Analysis, heads};
use super::text;

/// Where name `index` is declared.
pub fn definition(analysis: &Analysis, index: usize) -> Option<Location> {
    analysis.location(analysis.checked.symbols.names.get(index)?.span)
}

/// Where name `index` is used, and its declaration when `declaration` is set.
pub fn references(analysis: &Analysis, index: usize, declaration: bool) -> Vec<Location> {
    let symbols = &analysis.checked.symbols;
    let mut spans: Vec<Span> = symbols.uses_of(index).collect();
    if declaration && let Some(name) = symbols.names.get(index) {
        spans.insert(0, name.span);
    }
    spans.iter().filter_map(|s| analysis.location(*s)).collect()
}

/// Whether `name` can be a charter name: what the grammar takes as the name of a declaration
/// (a letter or `_`, then letters, digits and `_` as Unicode's identifiers count them, and no
/// keyword).
pub fn is_name(name: &str) -> bool {
    let probe = format!("department {name}");
    crate::syntax::parse(FileId(0), &probe).is_ok_and(|file| {
        matches!(file.items.as_slice(), [item] if matches!(&item.node, Item::Department(h) if h.name.name == name))
    })
}

/// The edits that rename name `index` to `new_name`, in every file of the policy.
pub fn rename(analysis: &Analysis, index: usize, new_name: &str) -> Result<WorkspaceEdit, String> {
    if !is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: start with a letter or `_`, then letters, digits and `_`, and not a keyword"
        ));
    }
    let symbols = &analysis.checked.symbols;
    let name = symbols.names.get(index).ok_or("nothing to rename here")?;
    if name.kind == "attribute" && ["category", "channel", "severity"].contains(&new_name) {
        return Err(format!(
            "`{new_name}` is what conditions test of every case; an attribute cannot be called so"
        ));
    }
    if let Some(other) = symbols.declared(name.kind, new_name) {
        let line = analysis.line(symbols.names[other].span);
        return Err(format!(
            "{} `{new_name}` is already declared (line {line})",
            name.kind
        ));
    }
    #[allow(
        clippy::mutable_key_type,
        reason = "the protocol's Uri caches its parts inside; its hash and equality are of its text, which does not change"
    )]
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for location in references(analysis, index, true) {
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Ok(WorkspaceEdit::new(changes))
}

fn kind_of(item: &Item) -> SymbolKind {
    match item {
        Item::Policy(..) => SymbolKind::NAMESPACE,
        Item::Import(_) => SymbolKind::FILE,
        Item::Calendar(..) | Item::Calendars(_) => SymbolKind::OBJECT,
        Item::Channel(..) | Item::Department(_) => SymbolKind::ENUM_MEMBER,
        Item::Field(..) | Item::Attribute(..) => SymbolKind::FIELD,
        Item::Severities(_) | Item::Category(..) => SymbolKind::ENUM,
        Item::Event(_) => SymbolKind::EVENT,
        Item::Scope(_) | Item::Route(_) => SymbolKind::OPERATOR,
        Item::Sla(_) | Item::Extension(_) => SymbolKind::CONSTANT,
        Item::Escalate(_) | Item::Callback(..) | Item::Stage(..) => SymbolKind::FUNCTION,
        Item::Report(..) => SymbolKind::INTERFACE,
        Item::Role(..) => SymbolKind::CLASS,
        Item::Procedure(..) => SymbolKind::MODULE,
    }
}

/// The keyword a declaration starts with.
fn keyword(item: &Item) -> &'static str {
    match item {
        Item::Policy(..) => "policy",
        Item::Import(_) => "import",
        Item::Calendar(..) => "calendar",
        Item::Calendars(_) => "calendars",
        Item::Channel(..) => "channel",
        Item::Field(..) => "field",
        Item::Attribute(..) => "attribute",
        Item::Severities(_) => "severities",
        Item::Category(..) => "category",
        Item::Department(_) => "department",
        Item::Event(_) => "event",
        Item::Scope(_) => "scope",
        Item::Route(_) => "route",
        Item::Sla(_) => "sla",
        Item::Escalate(_) => "escalate",
        Item::Callback(..) => "callback",
        Item::Stage(..) => "stage",
        Item::Extension(_) => "extension",
        Item::Report(..) => "report",
        Item::Role(..) => "role",
        Item::Procedure(..) => "procedure",
    }
}

/// The outline of `file`: each declaration, with the severities as children of theirs.
#[allow(
    deprecated,
    reason = "`deprecated` is a required field of the protocol's type"
)]
pub fn outline(analysis: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    let text = analysis.text(file);
    let range = |s: Span| text::range(text, s.start as usize, s.end as usize);
    (analysis.items(file))
        .map(|item| {
            let heads = heads(&item.node);
            let (name, detail, selection) = match (&item.node, heads.first()) {
                (Item::Severities(_), _) | (_, None) => {
                    (keyword(&item.node).to_string(), None, item.span)
                }
                (_, Some(head)) => (
                    head.name.name.clone(),
                    Some(match &head.label {
                        Some(l) => format!("{} {}", keyword(&item.node), l.text),
                        None => keyword(&item.node).to_string(),
                    }),
                    head.name.span,
                ),
            };
            let children = matches!(item.node, Item::Severities(_)).then(|| {
                (heads.iter())
                    .map(|h| DocumentSymbol {
                        name: h.name.name.clone(),
                        detail: h.label.as_ref().map(|l| l.text.clone()),
                        kind: SymbolKind::ENUM_MEMBER,
                        tags: None,
                        deprecated: None,
                        range: range(h.name.span),
                        selection_range: range(h.name.span),
                        children: None,
                    })
                    .collect()
            });
            DocumentSymbol {
                name,
                detail,
                kind: kind_of(&item.node),
                tags: None,
                deprecated: None,
                range: range(item.span),
                selection_range: range(selection),
                children,
            }
        })
        .collect()
}

/// The declared names of the policy that contain `query` (any case), for the editor's
/// workspace symbol search.
#[allow(
    deprecated,
    reason = "`deprecated` is a required field of the protocol's type"
)]
pub fn workspace_symbols(analysis: &Analysis, query: &str) -> Vec<SymbolInformation> {
    let query = query.to_lowercase();
    (analysis.checked.symbols.names.iter())
        .filter(|n| n.name.to_lowercase().contains(&query))
        .filter_map(|n| {
            Some(SymbolInformation {
                name: n.name.clone(),
                kind: SymbolKind::VARIABLE,
                tags: None,
                deprecated: None,
                location: analysis.location(n.span)?,
                container_name: Some(n.kind.to_string()),
            })
        })
        .collect()
}

/// The fixes the checker suggests ("did you mean `x`?") for its diagnostics in `file` that
/// touch bytes `start..end`.
pub fn fixes(analysis: &Analysis, file: FileId, start: u32, end: u32) -> Vec<CodeAction> {
    let Some(uri) = text::uri_of(analysis.path(file)) else {
        return Vec::new();
    };
    let text = analysis.text(file);
    (analysis.checked.diagnostics.iter())
        .filter_map(|d| {
            let span = d
                .span
                .filter(|s| s.file == file && s.start <= end && start <= s.end)?;
            let label = d.label.as_deref()?;
            let better = label.strip_prefix("did you mean `")?.strip_suffix("`?")?;
            let range = text::range(text, span.start as usize, span.end as usize);
            let edit = WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![TextEdit::new(range, better.to_string())],
            )]));
            Some(CodeAction {
                title: format!("Change to `{better}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: None,
                edit: Some(edit),
                command: None,
                is_preferred: Some(true),
                disabled: None,
                data: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_name_is_one_the_grammar_takes() {
        assert!(is_name("office_director"));
        assert!(is_name("投诉办"));
        assert!(is_name("_x1"));
        for bad in ["", "x²", "a①", "1a", "and", "a b", "a\"", "x{", "a#b"] {
            assert!(!is_name(bad), "{bad}");
        }
    }
}
