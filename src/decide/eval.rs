//! Conditions over a case, in three-valued logic: a condition that needs an attribute (or the
//! severity) the case does not give is `Unknown`, never silently false. `and`/`or`/`not` follow
//! Kleene's rules, so `amount > 5000 or vip` is true when `vip` is, whatever `amount` is.

use crate::check::{AttrTest, Cond, Policy};
use crate::decide::validate::{AttrVal, Facts};

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    True,
    False,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// What a condition needed that the case lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Needed {
    Severity,
    Attribute(usize),
}

/// Evaluates `cond`, pushing onto `needed` whatever was missing.
pub(crate) fn eval(cond: &Cond, facts: &Facts<'_>, needed: &mut Vec<Needed>) -> Truth {
    match cond {
        Cond::And(parts) => {
            let mut result = Truth::True;
            for part in parts {
                match eval(part, facts, needed) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => result = Truth::Unknown,
                    Truth::True => {}
                }
            }
            result
        }
        Cond::Or(parts) => {
            let mut result = Truth::False;
            for part in parts {
                match eval(part, facts, needed) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => result = Truth::Unknown,
                    Truth::False => {}
                }
            }
            result
        }
        Cond::Not(inner) => match eval(inner, facts, needed) {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        },
        Cond::Category(list) => list.contains(&facts.category).into(),
        Cond::Channel(list) => list.contains(&facts.channel).into(),
        Cond::Severity(op, rank) => match facts.severity {
            Some(s) => op.holds(s as f64, *rank as f64).into(),
            None => unknown(Needed::Severity, needed),
        },
        Cond::SeverityIn(list) => match facts.severity {
            Some(s) => list.contains(&s).into(),
            None => unknown(Needed::Severity, needed),
        },
        Cond::Attribute(i, test) => match facts.attrs.get(*i).copied().flatten() {
            Some(value) => attribute(test, value).into(),
            None => unknown(Needed::Attribute(*i), needed),
        },
    }
}

/// The names of what `needed` lists: `severity`, or the attributes' names.
pub(crate) fn needed_names<'p>(policy: &'p Policy, needed: &[Needed]) -> Vec<&'p str> {
    (needed.iter())
        .map(|n| match n {
            Needed::Severity => "severity",
            Needed::Attribute(i) => {
                (policy.attributes.get(*i)).map_or("?", |a| a.named.name.as_str())
            }
        })
        .collect()
}

fn unknown(what: Needed, needed: &mut Vec<Needed>) -> Truth {
    if !needed.contains(&what) {
        needed.push(what);
    }
    Truth::Unknown
}

fn attribute(test: &AttrTest, value: AttrVal<'_>) -> bool {
    match (test, value) {
        (AttrTest::True, AttrVal::Bool(b)) => b,
        (AttrTest::Number(op, n), AttrVal::Number(v)) => op.holds(v, *n),
        (AttrTest::Text(eq, s), AttrVal::Text(v)) => (v == s) == *eq,
        (AttrTest::Bool(eq, b), AttrVal::Bool(v)) => (v == *b) == *eq,
        (AttrTest::TextIn(list), AttrVal::Text(v)) => list.iter().any(|s| s == v),
        (AttrTest::NumberIn(list), AttrVal::Number(v)) => list.contains(&v),
        (AttrTest::Contains(s), AttrVal::Set(items)) => {
            items.iter().any(|i| i.as_str() == Some(s.as_str()))
        }
        // The checker types every test against its attribute, and validation types every
        // value, so the two always agree; a mismatch cannot be true.
        _ => false,
    }
}
