//! Hover: what a name is, in words: its kind, labels (Chinese and English), where it is
//! declared, and for some kinds what the policy says about it.

use std::fmt::Write as _;

use crate::source::Span;
use crate::syntax::ast::{CalendarStmt, Item, RoleStmt, StageStmt, Target};
use crate::vocabulary::Label;

use super::analysis::Analysis;

/// The hover text (Markdown) for name `index` of the analysis.
pub fn hover(analysis: &Analysis, index: usize) -> Option<String> {
    let symbols = &analysis.checked.symbols;
    let name = symbols.names.get(index)?;
    let mut out = format!("**{}** `{}`", name.kind, name.name);
    let found = analysis.head(name.span);
    if let Some((head, _)) = found
        && let Some(label) = &head.label
    {
        let _ = write!(out, " — {}", labels(label));
    }
    let line = analysis.line(name.span);
    let _ = write!(
        out,
        "\n\ndeclared in `{}` line {line}",
        analysis
            .path(name.span.file)
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
    );
    if let Some((_, item)) = found {
        match &item.node {
            Item::Role(_, stmts) => {
                for stmt in stmts {
                    match &stmt.node {
                        RoleStmt::Department(d) => {
                            let _ = write!(
                                out,
                                "\n\n- department: `{}`{}",
                                d.name,
                                label_of(analysis, "department", &d.name)
                            );
                        }
                        RoleStmt::ReportsTo(r) => {
                            let _ = write!(
                                out,
                                "\n- reports to: `{}`{}",
                                r.name,
                                label_of(analysis, "role", &r.name)
                            );
                        }
                        _ => {}
                    }
                }
                let routes: Vec<usize> = (symbols.uses_of(index))
                    .filter(|span| in_route(analysis, *span))
                    .map(|span| analysis.line(span))
                    .collect();
                if routes.is_empty() {
                    out.push_str("\n\nno route rule sends cases to it");
                } else {
                    let lines: Vec<String> = routes.iter().map(usize::to_string).collect();
                    let _ = write!(
                        out,
                        "\n\nroute rules that send cases to it: line{} {}",
                        if lines.len() == 1 { "" } else { "s" },
                        lines.join(", ")
                    );
                }
            }
            Item::Calendar(_, stmts) => {
                let shown: Vec<&str> = (stmts.iter())
                    .filter(|s| {
                        matches!(
                            s.node,
                            CalendarStmt::Week(..)
                                | CalendarStmt::Use(_)
                                | CalendarStmt::Timezone(_)
                        )
                    })
                    .map(|s| {
                        analysis
                            .text(s.span.file)
                            .get(s.span.start as usize..s.span.end as usize)
                            .unwrap_or("")
                    })
                    .collect();
                if !shown.is_empty() {
                    let _ = write!(out, "\n\n```charter\n{}\n```", shown.join("\n"));
                }
            }
            _ => {}
        }
    }
    if name.kind == "target" {
        out.push_str(&limits(analysis, &name.name));
    }
    let uses = symbols.uses_of(index).count();
    let _ = write!(
        out,
        "\n\nused {uses} time{}",
        if uses == 1 { "" } else { "s" }
    );
    Some(out)
}

/// Where target `name` gets a limit: each SLA block (with its condition) and stage, and the
/// limit as written.
fn limits(analysis: &Analysis, name: &str) -> String {
    let mut out = String::new();
    let source = |span: Span| {
        let text = analysis.text(span.file);
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .to_string()
    };
    for (_, file) in &analysis.loaded.files {
        for item in &file.items {
            let (head, when, targets): (_, _, Vec<(&Target, Span)>) = match &item.node {
                Item::Sla(sla) => (
                    &sla.head,
                    sla.when.as_ref(),
                    sla.targets.iter().map(|t| (&t.node, t.span)).collect(),
                ),
                Item::Stage(head, stmts) => (
                    head,
                    None,
                    (stmts.iter())
                        .filter_map(|s| match &s.node {
                            StageStmt::Target(t) => Some((t, s.span)),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => continue,
            };
            for (_, span) in targets.iter().filter(|(t, _)| t.name.name == name) {
                let label = head
                    .label
                    .as_ref()
                    .map(|l| format!(" ({})", labels(l)))
                    .unwrap_or_default();
                let when = when
                    .map(|w| format!(", when {}", source(w.span)))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "\n- `{}`{label}{when}: `{}`",
                    head.name.name,
                    source(*span)
                );
            }
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("\n\nlimits:{out}")
    }
}

fn labels(label: &Label) -> String {
    let zh = label.zh.as_deref().unwrap_or(&label.text);
    match &label.en {
        Some(en) if en != zh => format!("{zh} / {en}"),
        _ => zh.to_string(),
    }
}

fn label_of(analysis: &Analysis, kind: &str, name: &str) -> String {
    let symbols = &analysis.checked.symbols;
    (symbols.declared(kind, name))
        .and_then(|i| analysis.head(symbols.names[i].span))
        .and_then(|(head, _)| head.label.as_ref())
        .map(|l| format!(" ({})", labels(l)))
        .unwrap_or_default()
}

fn in_route(analysis: &Analysis, span: Span) -> bool {
    (analysis.items(span.file)).any(|item| {
        matches!(item.node, Item::Route(_))
            && item.span.start <= span.start
            && span.end <= item.span.end
    })
}
