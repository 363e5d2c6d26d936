//! The category × severity table of the limit that applies, when the SLA conditions only ask
//! about category and severity.

use crate::check::{Cond, Policy};

use super::super::words::{deadline_words, span_words, target_name};
use super::super::{Block, Lang};

/// Whether `cond` holds for a case of `category` at `severity`; `None` when it asks about
/// anything else (channel, attributes).
fn holds(cond: &Cond, category: usize, severity: Option<usize>) -> Option<bool> {
    Some(match cond {
        Cond::And(parts) => {
            let mut all = true;
            for p in parts {
                all &= holds(p, category, severity)?;
            }
            all
        }
        Cond::Or(parts) => {
            let mut any = false;
            for p in parts {
                any |= holds(p, category, severity)?;
            }
            any
        }
        Cond::Not(inner) => !holds(inner, category, severity)?,
        Cond::Category(list) => list.contains(&category),
        Cond::Severity(op, rank) => op.holds(severity? as f64, *rank as f64),
        Cond::SeverityIn(list) => list.contains(&severity?),
        Cond::Channel(_) | Cond::Attribute(..) => return None,
    })
}

/// Which limit applies to each accepted category at each severity, when the SLA conditions
/// only ask about category and severity (later blocks override earlier targets of the same
/// name, as when deciding), as one or more tables. `None` when a condition asks about
/// anything else.
pub(super) fn sla_matrix(policy: &Policy, lang: Lang) -> Option<Vec<Block>> {
    if policy.slas.iter().all(|s| s.when.is_none()) {
        return None;
    }
    let scope = &policy.scope;
    let accepted: Vec<usize> = if scope.accepted.is_empty() && scope.redirects.is_empty() {
        (0..policy.categories.len()).collect()
    } else {
        scope.accepted.clone()
    };
    let severities: Vec<Option<usize>> = if policy.severities.is_empty() {
        vec![None]
    } else {
        (0..policy.severities.len()).map(Some).collect()
    };
    let mut names: Vec<&str> = Vec::new();
    for t in policy.slas.iter().flat_map(|s| &s.targets) {
        if !names.contains(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    // At most four targets to a table, so that limits such as 第10个工作日下班前 have the
    // room of about seven characters on an A4 page; more are split evenly over tables that
    // each repeat the category and severity.
    let tables = names.len().div_ceil(MOST_TARGETS).max(1);
    let per = names.len().div_ceil(tables).max(1);
    let mut blocks = Vec::new();
    for names in names.chunks(per) {
        let mut rows = Vec::new();
        for &c in &accepted {
            for &s in &severities {
                // A policy without severities has no severity column.
                let mut row = vec![lang.pick(&policy.categories[c].label).to_string()];
                row.extend(s.map(|s| lang.pick(&policy.severities[s].label).to_string()));
                for name in names {
                    row.push(matrix_cell(policy, name, c, s, lang)?);
                }
                rows.push(row);
            }
        }
        let mut header = vec![lang.say("类别", "Category").to_string()];
        if !policy.severities.is_empty() {
            header.push(lang.say("严重程度", "Severity").to_string());
        }
        header.extend(names.iter().map(|n| target_name(policy, n, lang)));
        blocks.push(Block::Table { header, rows });
    }
    Some(blocks)
}

/// The most targets one table of the matrix shows.
const MOST_TARGETS: usize = 4;

/// The limit of target `name` for a case of `category` at `severity`: that of the last SLA
/// block that applies and sets it, or "—".
fn matrix_cell(
    policy: &Policy,
    name: &str,
    category: usize,
    severity: Option<usize>,
    lang: Lang,
) -> Option<String> {
    let mut cell = String::from("—");
    for sla in &policy.slas {
        let applies = match &sla.when {
            None => true,
            Some(c) => holds(c, category, severity)?,
        };
        if let Some(t) = (sla.targets.iter())
            .find(|t| t.name == name)
            .filter(|_| applies)
        {
            cell = if t.recurring {
                format!("{}{}", lang.say("每", "every "), span_words(t.span, lang))
            } else {
                deadline_words(t.span, lang)
            };
        }
    }
    Some(cell)
}
