//! Completion: the keywords that may stand where the cursor is, and the declared names of the
//! kind the place takes.

use lsp_types::{CompletionItem, CompletionItemKind, InsertTextFormat};

use super::analysis::Analysis;

/// Declarations, with a snippet of each.
const DECLARATIONS: &[(&str, &str)] = &[
    (
        "policy",
        "policy ${1:name} \"${2:名称}\" en \"${3:Name}\" {\n  version \"${4:1}\"\n  timezone \"${5:Asia/Shanghai}\"\n}",
    ),
    ("import", "import \"${1:../calendars/cn-2026.charter}\""),
    (
        "calendar",
        "calendar ${1:office} \"${2:办公时间}\" {\n  week mon..fri ${3:09:00-12:00, 13:30-18:00}\n}",
    ),
    ("channel", "channel ${1:phone} \"${2:投诉热线}\""),
    (
        "field",
        "field ${1:contact} \"${2:联系方式}\" { ${3|required,optional|} }",
    ),
    (
        "attribute",
        "attribute ${1:amount} \"${2:涉及金额}\" { type ${3|number,string,bool,set|} }",
    ),
    (
        "severities",
        "severities {\n  ${1:minor} \"${2:轻微}\"\n  ${3:major} \"${4:重大}\"\n}",
    ),
    ("category", "category ${1:billing} \"${2:收费问题}\""),
    ("department", "department ${1:complaints} \"${2:投诉办}\""),
    ("event", "event ${1:name} \"${2:名称}\""),
    ("scope", "scope {\n  accept ${1:categories}\n}"),
    (
        "route",
        "route {\n  when ${1:severity >= major} -> ${2:role}\n  otherwise -> ${3:role}\n}",
    ),
    (
        "sla",
        "sla ${1:standard} \"${2:标准时限}\" {\n  ${3:acknowledge} within ${4:2 working hours}\n}",
    ),
    (
        "escalate",
        "escalate ${1:overdue} \"${2:逾期升级}\" for ${3:resolve} {\n  at breach escalate superior\n}",
    ),
    (
        "callback",
        "callback ${1:follow_up} \"${2:回访}\" {\n  within ${3:2 working days}\n}",
    ),
    (
        "stage",
        "stage ${1:review} \"${2:复核}\" {\n  by ${3:role}\n}",
    ),
    (
        "extension",
        "extension ${1:resolve} {\n  max ${2:5 working days}\n}",
    ),
    (
        "report",
        "report ${1:weekly} \"${2:投诉周报}\" {\n  every week on monday before 10:00\n  to ${3:role}\n}",
    ),
    (
        "role",
        "role ${1:name} \"${2:岗位名称}\" en \"${3:Position title}\" {\n  department ${4:department}\n  reports_to ${5:role}\n}",
    ),
    (
        "procedure",
        "procedure ${1:handling} \"${2:投诉处理程序}\" {\n  step ${3:receive} \"${4:受理}\"\n}",
    ),
];

/// The statements each block takes, by the keyword of its declaration.
const STATEMENTS: &[(&str, &[&str])] = &[
    (
        "policy",
        &[
            "version",
            "effective",
            "timezone",
            "locale",
            "calendar",
            "at_risk",
            "fallback",
            "satisfaction",
            "organisation",
            "document",
            "changes",
        ],
    ),
    (
        "calendar",
        &[
            "timezone",
            "valid",
            "use",
            "week",
            "holiday",
            "workday",
            "yearly",
            "beyond valid",
        ],
    ),
    (
        "field",
        &["required", "optional", "for", "except", "personal"],
    ),
    ("attribute", &["type", "unit", "means"]),
    ("scope", &["accept", "redirect", "incomplete"]),
    ("route", &["when", "otherwise"]),
    ("calendars", &["when", "otherwise"]),
    (
        "callback",
        &["within", "via", "ask satisfaction", "dissatisfied reopen"],
    ),
    ("stage", &["after", "separate_from", "by"]),
    ("extension", &["max", "count"]),
    ("report", &["every", "covering", "to", "cc", "if_closed"]),
    (
        "role",
        &[
            "code",
            "document",
            "department",
            "reports_to",
            "headcount",
            "grade",
            "pay_grade",
            "office_grade",
            "location",
            "hours",
            "purpose",
            "relation",
            "related",
            "duty",
            "authority",
            "right",
            "obligation",
            "requires",
            "training",
            "promotes_to",
            "rotates_with",
            "deputy",
        ],
    ),
    ("procedure", &["purpose", "applies_to", "step"]),
];

/// The completions at byte `offset` of `text` (a file of `analysis`'s policy).
pub fn complete(analysis: &Analysis, text: &str, offset: usize) -> Vec<CompletionItem> {
    let before = &text[..offset.min(text.len())];
    let line = &before[before.rfind('\n').map_or(0, |n| n + 1)..];
    // The word being typed is replaced by the editor; what comes before it sets the context.
    let typed = line.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
    let context = typed.trim_end();
    let (depth, block) = enclosing(before);
    if depth == 0 && context.is_empty() {
        return DECLARATIONS
            .iter()
            .map(|(word, snippet)| CompletionItem {
                label: (*word).to_string(),
                kind: Some(CompletionItemKind::KEYWORD),
                insert_text: Some((*snippet).to_string()),
                insert_text_format: Some(InsertTextFormat::SNIPPET),
                ..CompletionItem::default()
            })
            .collect();
    }
    let last = context
        .rsplit(|c: char| c.is_whitespace() || c == '[' || c == '(' || c == ',')
        .find(|w| !w.is_empty())
        .unwrap_or("");
    let subject = condition_subject(context);
    let kinds: &[&str] = match last {
        "->" | "reports_to" | "deputy" | "by" | "rotates_with" | "to" | "cc" => &["role"],
        "department" if block.as_deref() == Some("role") => &["department"],
        "calendar" | "on" | "use" => &["calendar"],
        "callback" | "via" => &["channel"],
        "after" | "separate_from" => &["stage"],
        "accept" | "redirect" => &["category"],
        "when" | "and" | "or" | "not" => &["attribute"],
        _ => match subject.as_deref() {
            Some("category") => &["category"],
            Some("severity") => &["severity"],
            Some("channel") => &["channel"],
            _ => &[],
        },
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    if matches!(last, "when" | "and" | "or" | "not") {
        for subject in ["category", "channel", "severity"] {
            items.push(CompletionItem {
                label: subject.to_string(),
                kind: Some(CompletionItemKind::KEYWORD),
                ..CompletionItem::default()
            });
        }
    }
    let symbols = &analysis.checked.symbols;
    for name in &symbols.names {
        if kinds.is_empty() || kinds.contains(&name.kind) {
            let label = (analysis.head(name.span))
                .and_then(|(h, _)| h.label.as_ref())
                .map(|l| l.text.clone());
            items.push(CompletionItem {
                label: name.name.clone(),
                kind: Some(CompletionItemKind::VARIABLE),
                detail: Some(match label {
                    Some(l) => format!("{} {l}", name.kind),
                    None => name.kind.to_string(),
                }),
                ..CompletionItem::default()
            });
        }
    }
    if kinds.is_empty() && context.is_empty() {
        let words = (STATEMENTS.iter())
            .find(|(k, _)| Some(*k) == block.as_deref())
            .map_or(&[][..], |(_, w)| *w);
        items.extend(words.iter().map(|w| CompletionItem {
            label: (*w).to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        }));
    }
    items
}

/// The subject of the comparison being written (`category =`, `severity >=`, `channel in [`).
fn condition_subject(context: &str) -> Option<String> {
    let words: Vec<&str> = context
        .split(|c: char| c.is_whitespace() || c == '[' || c == '(' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let operator = words
        .iter()
        .rposition(|w| matches!(*w, "=" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "contains"))?;
    // Only the values after the operator may stand between it and the cursor.
    if words[operator + 1..]
        .iter()
        .any(|w| matches!(*w, "and" | "or" | "->" | "when"))
    {
        return None;
    }
    operator.checked_sub(1).map(|s| words[s].to_string())
}

/// The brace depth at the end of `before`, and the keyword of the outermost open declaration.
fn enclosing(before: &str) -> (u32, Option<String>) {
    let mut depth = 0u32;
    let mut block = None;
    for line in before.split_inclusive('\n') {
        let mut in_string = false;
        let starts_declaration = depth == 0;
        for c in line.chars() {
            match c {
                '"' => in_string = !in_string,
                '#' if !in_string => break,
                '{' if !in_string => {
                    if depth == 0 && starts_declaration {
                        block = line.split_whitespace().next().map(str::to_string);
                    }
                    depth += 1;
                }
                '}' if !in_string => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth == 0 {
            block = None;
        }
    }
    (depth, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_of_a_comparison_is_found() {
        assert_eq!(
            condition_subject("  when category = ").as_deref(),
            Some("category")
        );
        assert_eq!(
            condition_subject("  when channel in [phone,").as_deref(),
            Some("channel")
        );
        assert_eq!(
            condition_subject("  when severity >= major and").as_deref(),
            None
        );
    }

    #[test]
    fn the_enclosing_block_is_the_outermost_open_one() {
        assert_eq!(
            enclosing("role a \"A\" {\n  duty d \"D\" {\n    "),
            (2, Some("role".into()))
        );
        assert_eq!(enclosing("role a { }\n"), (0, None));
        assert_eq!(enclosing("sla s \"{\" {\n"), (1, Some("sla".into())));
    }
}
