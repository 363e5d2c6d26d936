//! Declarations compared in canonical form: each version's declarations by kind and name,
//! printed by the formatter without comments, so layout, comments and order never count.
//! Where two forms differ only inside labels, the change is wording; anything else is a change
//! of what the declaration does, listed line by line.
//!
//! Route tables, calendar rules and SLA blocks are left to the exact comparison of the cases
//! they decide (a reordering that changes nothing is no change); only their wording is listed
//! here.

use crate::diff::{Change, DeclarationChange, Version};
use crate::format::format_item;
use crate::syntax::ast::Item;
use crate::syntax::label_spans;

/// Statements of the policy header that record the version rather than decide anything: the
/// comparison's header states them.
const RECORD: [&str; 4] = ["version ", "effective ", "changes ", "document "];

/// How a declaration takes part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Compared in full.
    Whole,
    /// Compared elsewhere, exactly: only its wording is listed here.
    WordingOnly,
}

/// One declaration: kind, name, canonical lines, the same with labels blanked, and how it
/// takes part.
struct Declared {
    kind: &'static str,
    name: String,
    lines: Vec<String>,
    wordless: Vec<String>,
    part: Part,
}

fn declarations(version: &Version<'_>) -> Vec<Declared> {
    let mut out: Vec<Declared> = Vec::new();
    for (text, file) in &version.files {
        for item in &file.items {
            let (kind, name, part) = match &item.node {
                Item::Import(_) => continue,
                Item::Route(_) | Item::Calendars(_) => continue,
                Item::Policy(..) => ("policy", String::new(), Part::Whole),
                Item::Calendar(h, _) => ("calendar", h.name.name.clone(), Part::Whole),
                Item::Channel(h, _) => ("channel", h.name.name.clone(), Part::Whole),
                Item::Field(h, ..) => ("field", h.name.name.clone(), Part::Whole),
                Item::Attribute(h, ..) => ("attribute", h.name.name.clone(), Part::Whole),
                Item::Severities(_) => ("severities", String::new(), Part::Whole),
                Item::Category(h, _) => ("category", h.name.name.clone(), Part::Whole),
                Item::Department(h) => ("department", h.name.name.clone(), Part::Whole),
                Item::Event(h) => ("event", h.name.name.clone(), Part::Whole),
                Item::Scope(_) => ("scope", String::new(), Part::Whole),
                Item::Sla(s) => ("sla", s.head.name.name.clone(), Part::WordingOnly),
                Item::Escalate(e) => ("escalate", e.head.name.name.clone(), Part::Whole),
                Item::Callback(h, ..) => ("callback", h.name.name.clone(), Part::Whole),
                Item::Stage(h, _) => ("stage", h.name.name.clone(), Part::Whole),
                Item::Extension(e) => ("extension", e.target.name.clone(), Part::Whole),
                Item::Report(h, _) => ("report", h.name.name.clone(), Part::Whole),
                Item::Role(h, _) => ("role", h.name.name.clone(), Part::Whole),
                Item::Procedure(h, _) => ("procedure", h.name.name.clone(), Part::Whole),
            };
            let form = format_item(text, item);
            let wordless = without_labels(&form);
            let keep = |t: &str| {
                let line = t.trim_start();
                let record = kind == "policy" && RECORD.iter().any(|r| line.starts_with(r));
                !(line.is_empty() || record)
            };
            let lines: Vec<String> = form
                .lines()
                .filter(|l| keep(l))
                .map(str::to_string)
                .collect();
            let wordless: Vec<String> = wordless
                .lines()
                .filter(|l| keep(l))
                .map(str::to_string)
                .collect();
            // A second declaration of the same kind and name (two `scope` blocks) is its own.
            let same = out
                .iter()
                .filter(|d| d.kind == kind && d.name.split('#').next() == Some(&name))
                .count();
            let name = if same == 0 {
                name
            } else {
                format!("{name}#{}", same + 1)
            };
            out.push(Declared {
                kind,
                name,
                lines,
                wordless,
                part,
            });
        }
    }
    out
}

/// `form` with every label replaced by `"…"`.
fn without_labels(form: &str) -> String {
    let mut out = String::with_capacity(form.len());
    let mut at = 0;
    for span in label_spans(form) {
        // The label's pair may end after the blank that follows it.
        let end = span.start + form[span.clone()].trim_end().len();
        out.push_str(&form[at..span.start]);
        out.push_str("\"…\"");
        at = end;
    }
    out.push_str(&form[at..]);
    out
}

/// The declarations that changed in what they do, and those whose wording alone changed.
pub(super) fn changes(
    old: &Version<'_>,
    new: &Version<'_>,
) -> (Vec<DeclarationChange>, Vec<DeclarationChange>) {
    let (before, after) = (declarations(old), declarations(new));
    let (mut behaviour, mut wording) = (Vec::new(), Vec::new());
    let find = |list: &'_ [Declared], d: &Declared| -> Option<usize> {
        list.iter()
            .position(|x| x.kind == d.kind && x.name == d.name)
    };
    for d in &after {
        match find(&before, d) {
            None if d.part == Part::Whole => {
                behaviour.push(change(d, Change::Added, &[], &d.lines))
            }
            None => {}
            Some(i) => {
                let o = &before[i];
                if o.lines == d.lines {
                    continue;
                }
                let c = change(d, Change::Changed, &o.lines, &d.lines);
                if o.wordless != d.wordless {
                    if d.part == Part::Whole {
                        behaviour.push(c);
                    }
                } else {
                    wording.push(c);
                }
            }
        }
    }
    for o in &before {
        if find(&after, o).is_none() && o.part == Part::Whole {
            behaviour.push(change(o, Change::Removed, &o.lines, &[]));
        }
    }
    (behaviour, wording)
}

fn change(d: &Declared, change: Change, old: &[String], new: &[String]) -> DeclarationChange {
    let (removed, added) = line_diff(old, new);
    DeclarationChange {
        kind: d.kind.to_string(),
        name: d.name.clone(),
        change,
        removed,
        added,
    }
}

/// Lines only in `old` and lines only in `new`, by their longest common subsequence.
fn line_diff(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let (n, m) = (old.len(), new.len());
    // Declarations are small; a very long one is listed whole rather than aligned.
    if n.saturating_mul(m) > 4_000_000 {
        return (old.to_vec(), new.to_vec());
    }
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if old[i] == new[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if old[i] == new[j] {
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            removed.push(old[i].clone());
            i += 1;
        } else {
            added.push(new[j].clone());
            j += 1;
        }
    }
    removed.extend(old[i..].iter().cloned());
    added.extend(new[j..].iter().cloned());
    (removed, added)
}

#[cfg(test)]
mod tests {
    use super::{line_diff, without_labels};

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn lines_in_common_are_not_listed() {
        let (removed, added) = line_diff(&lines("a\nb\nc\nd"), &lines("a\nc\nd\ne"));
        assert_eq!(removed, ["b"]);
        assert_eq!(added, ["e"]);
    }

    #[test]
    fn labels_are_blanked_and_values_kept() {
        let form = "category billing \"计费\" en \"Billing\" { means \"钱\" }\n";
        assert_eq!(
            without_labels(form),
            "category billing \"…\" { means \"…\" }\n"
        );
        let form =
            "escalate vip \"V\" for resolve when tier = \"gold\" {\n  at 50% notify handler\n}\n";
        assert!(without_labels(form).contains("tier = \"gold\""));
    }
}
