//! A checked condition written back in the policy language, so that a region of a comparison
//! can be pasted into a rule (and is checked that way in the tests).

use crate::check::{AttrTest, Cond, Policy};
use crate::format::quote;
use crate::vocabulary::CompareOp;

/// `cond` in the policy language, with the names of `policy`.
pub(super) fn cond_text(policy: &Policy, cond: &Cond) -> String {
    text(policy, cond, false)
}

/// `nested`: inside `and`, where an `or` needs brackets.
fn text(p: &Policy, cond: &Cond, nested: bool) -> String {
    let names = |items: &[usize], all: &dyn Fn(usize) -> Option<String>| -> Vec<String> {
        items.iter().filter_map(|&i| all(i)).collect()
    };
    let category = |i: usize| p.categories.get(i).map(|c| c.name.clone());
    let channel = |i: usize| p.channels.get(i).map(|c| c.named.name.clone());
    let severity = |i: usize| p.severities.get(i).map(|s| s.name.clone());
    let member = |subject: &str, list: Vec<String>| match list.as_slice() {
        [one] => format!("{subject} = {one}"),
        _ => format!("{subject} in [{}]", list.join(", ")),
    };
    match cond {
        Cond::And(parts) if parts.is_empty() => "true".to_string(),
        // `and` binds tighter than `or`: a conjunction never needs brackets.
        Cond::And(parts) => (parts.iter().map(|c| text(p, c, true)))
            .collect::<Vec<_>>()
            .join(" and "),
        Cond::Or(parts) => {
            let joined = (parts.iter().map(|c| text(p, c, true)))
                .collect::<Vec<_>>()
                .join(" or ");
            if nested && parts.len() > 1 {
                format!("({joined})")
            } else {
                joined
            }
        }
        Cond::Not(inner) => format!("not ({})", text(p, inner, false)),
        Cond::Category(items) => member("category", names(items, &category)),
        Cond::Channel(items) => member("channel", names(items, &channel)),
        Cond::SeverityIn(items) => member("severity", names(items, &severity)),
        Cond::Severity(op, rank) => {
            format!(
                "severity {} {}",
                op_text(*op),
                severity(*rank).unwrap_or_default()
            )
        }
        Cond::Attribute(i, test) => {
            let name = p.attributes.get(*i).map_or("", |a| a.named.name.as_str());
            match test {
                AttrTest::True => name.to_string(),
                AttrTest::Bool(eq, b) => {
                    format!("{name} {} {b}", if *eq { "=" } else { "!=" })
                }
                AttrTest::Number(op, n) => format!("{name} {} {}", op_text(*op), number(*n)),
                AttrTest::Text(eq, s) => {
                    format!("{name} {} {}", if *eq { "=" } else { "!=" }, quote(s))
                }
                AttrTest::TextIn(list) => {
                    let list: Vec<String> = list.iter().map(|s| quote(s)).collect();
                    format!("{name} in [{}]", list.join(", "))
                }
                AttrTest::NumberIn(list) => {
                    let list: Vec<String> = list.iter().map(|n| number(*n)).collect();
                    format!("{name} in [{}]", list.join(", "))
                }
                AttrTest::Contains(s) => format!("{name} contains {}", quote(s)),
            }
        }
    }
}

fn op_text(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "!=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    }
}

fn number(n: f64) -> String {
    format!("{n}")
}
