//! The route rules indexed by the case's category and channel, which every case gives and a
//! policy declares in full. For each (category, channel) the index lists, in rule order, the
//! rules that can hold for a case of that category and channel; the rules that test neither
//! are kept in one shared list. Routing walks the two lists merged, in rule order, so it meets
//! exactly the rules a scan would evaluate short of a rule that is false for every such case:
//! the first that holds (or cannot be told) is the scan's, and first-match semantics are kept.

use crate::check::{Cond, Policy};

/// At most this many (category, channel) keys get lists of their own; a policy with more
/// is keyed by category alone.
const MOST_KEYS: usize = 1 << 16;
/// At most this many entries in all the lists; past it the index is not built and routing
/// scans (a policy whose rules each name all but a few of many categories).
const MOST_ENTRIES: usize = 1 << 22;

/// The candidates of each key, as ranges of one list of rule numbers.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteIndex {
    /// Whether keys are (category, channel); else category.
    by_channel: bool,
    channels: usize,
    /// `starts[k]..starts[k + 1]` are key `k`'s entries in `rules`.
    starts: Vec<u32>,
    rules: Vec<u32>,
    /// The rules that test neither category nor channel, in order.
    general: Vec<u32>,
    /// Whether the index was built (else every rule is a candidate).
    built: bool,
}

/// What a condition can be for the cases of one key: false for all of them, true for all,
/// or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Can {
    False,
    True,
    Either,
}

/// `cond` for cases of `category` and, when given, `channel`: [`Can::False`] only when
/// evaluating it gives false whatever else the case holds (Kleene's logic: a false part makes
/// an `and` false even when another part cannot be told).
fn can(cond: &Cond, category: usize, channel: Option<usize>) -> Can {
    match cond {
        Cond::And(parts) => {
            let mut all = Can::True;
            for part in parts {
                match can(part, category, channel) {
                    Can::False => return Can::False,
                    Can::Either => all = Can::Either,
                    Can::True => {}
                }
            }
            all
        }
        Cond::Or(parts) => {
            let mut any = Can::False;
            for part in parts {
                match can(part, category, channel) {
                    Can::True => return Can::True,
                    Can::Either => any = Can::Either,
                    Can::False => {}
                }
            }
            any
        }
        Cond::Not(inner) => match can(inner, category, channel) {
            Can::False => Can::True,
            Can::True => Can::False,
            Can::Either => Can::Either,
        },
        Cond::Category(list) => {
            if list.contains(&category) {
                Can::True
            } else {
                Can::False
            }
        }
        Cond::Channel(list) => match channel {
            Some(c) if list.contains(&c) => Can::True,
            Some(_) => Can::False,
            None => Can::Either,
        },
        Cond::Severity(..) | Cond::SeverityIn(_) | Cond::Attribute(..) => Can::Either,
    }
}

/// Whether `cond` tests the category or the channel anywhere.
fn keyed(cond: &Cond) -> bool {
    match cond {
        Cond::And(parts) | Cond::Or(parts) => parts.iter().any(keyed),
        Cond::Not(inner) => keyed(inner),
        Cond::Category(_) | Cond::Channel(_) => true,
        _ => false,
    }
}

impl RouteIndex {
    /// The index of `policy`'s route rules (not built when it would be too large).
    pub(crate) fn new(policy: &Policy) -> RouteIndex {
        RouteIndex::within(policy, MOST_KEYS, MOST_ENTRIES)
    }

    /// [`RouteIndex::new`] with the limits given.
    fn within(policy: &Policy, most_keys: usize, most_entries: usize) -> RouteIndex {
        let (categories, channels) = (policy.categories.len(), policy.channels.len().max(1));
        let by_channel = categories.saturating_mul(channels) <= most_keys;
        let keys = if by_channel {
            categories * channels
        } else {
            categories
        };
        let mut index = RouteIndex {
            by_channel,
            channels,
            ..RouteIndex::default()
        };
        let (general, specific): (Vec<usize>, Vec<usize>) =
            (0..policy.routes.len()).partition(|&i| !keyed(&policy.routes[i].when));
        index.general = general.iter().map(|&i| i as u32).collect();
        index.starts.reserve(keys + 1);
        index.starts.push(0);
        for key in 0..keys {
            let (category, channel) = if by_channel {
                (key / channels, Some(key % channels))
            } else {
                (key, None)
            };
            for &i in &specific {
                if can(&policy.routes[i].when, category, channel) != Can::False {
                    if index.rules.len() >= most_entries {
                        return RouteIndex::default();
                    }
                    index.rules.push(i as u32);
                }
            }
            index.starts.push(index.rules.len() as u32);
        }
        index.built = true;
        index
    }

    /// The rules to evaluate, in rule order, for a case of `category` and `channel`: every
    /// rule that can hold for it; `None` when the index was not built (evaluate them all).
    pub(crate) fn candidates(
        &self,
        category: usize,
        channel: usize,
    ) -> Option<impl Iterator<Item = usize> + '_> {
        if !self.built {
            return None;
        }
        let key = if self.by_channel {
            category * self.channels + channel
        } else {
            category
        };
        let (from, to) = (self.starts.get(key)?, self.starts.get(key + 1)?);
        let specific = &self.rules[*from as usize..*to as usize];
        Some(Merged {
            a: specific,
            b: &self.general,
        })
    }
}

/// Two ascending lists of rule numbers, walked as one.
struct Merged<'i> {
    a: &'i [u32],
    b: &'i [u32],
}

impl Iterator for Merged<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x < y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_a { &mut self.a } else { &mut self.b };
        let (&first, rest) = list.split_first()?;
        *list = rest;
        Some(first as usize)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use proptest::prelude::*;

    use super::RouteIndex;
    use crate::decide::routing::{FirstMatch, first_of};
    use crate::decide::validate::{Facts, validate};
    use crate::decide::{Case, Engine};

    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec!["a", "b", "c"]).prop_map(|c| format!("category = {c}")),
            Just("category in [a, c]".to_string()),
            prop::sample::select(vec!["phone", "web", "mail"])
                .prop_map(|c| format!("channel = {c}")),
            Just("channel in [web, mail]".to_string()),
            (
                prop::sample::select(vec!["=", ">=", "<", "!="]),
                prop::sample::select(vec!["minor", "major"])
            )
                .prop_map(|(op, s)| format!("severity {op} {s}")),
            (
                prop::sample::select(vec!["<", ">=", "="]),
                prop::sample::select(vec![100, 200])
            )
                .prop_map(|(op, n)| format!("amount {op} {n}")),
            Just("vip".to_string()),
            Just("tags contains \"x\"".to_string()),
        ]
    }

    fn condition() -> impl Strategy<Value = String> {
        atom().prop_recursive(3, 8, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| format!("not ({c})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) or ({b})")),
            ]
        })
    }

    fn case() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["a", "b", "c"]),
            prop::sample::select(vec!["phone", "web", "mail"]),
            prop::option::of(prop::sample::select(vec!["minor", "normal", "major"])),
            prop::option::of(prop::sample::select(vec![50, 100, 150, 200, 250])),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(category, channel, severity, amount, vip, tags)| {
                let mut attributes = Vec::new();
                attributes.extend(amount.map(|a| format!("\"amount\":{a}")));
                attributes.extend(vip.map(|v| format!("\"vip\":{v}")));
                attributes.extend(tags.map(|t| format!("\"tags\":{}", if t { "[\"x\"]" } else { "[]" })));
                let severity = severity.map(|s| format!(",\"severity\":\"{s}\"")).unwrap_or_default();
                format!(
                    r#"{{"id":"c","received_at":"2026-03-02T10:00:00+08:00","channel":"{channel}","category":"{category}"{severity},"attributes":{{{}}}}}"#,
                    attributes.join(",")
                )
            })
    }

    const HEAD: &str = r#"policy p "P" {
  version "1"
  timezone "Asia/Shanghai"
}
channel phone "Phone" { callback phone }
channel web "Web" { callback web }
channel mail "Mail" { callback mail }
attribute amount "Amount" { type number }
attribute vip "VIP" { type bool }
attribute tags "Tags" { type set }
severities {
  minor "Minor"
  normal "Normal"
  major "Major"
}
category a "A"
category b "B"
category c "C"
role r0 "R0" {}
role r1 "R1" {}
"#;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// The index finds the rule a scan of every rule finds, and the same missing
        /// attributes, keyed by category and channel, by category alone, and not built.
        #[test]
        fn the_index_routes_as_a_scan(
            rules in prop::collection::vec(condition(), 1..12),
            cases in prop::collection::vec(case(), 1..24),
        ) {
            let mut text = HEAD.to_string();
            text.push_str("route {\n");
            for (i, rule) in rules.iter().enumerate() {
                text.push_str(&format!("  when {rule} -> r{}\n", i % 2));
            }
            text.push_str("}\n");
            let engine = Engine::from_text(&text).unwrap();
            let version = &engine.versions()[0];
            let policy = &version.policy;
            let indexes = [
                RouteIndex::new(policy),
                RouteIndex::within(policy, 1, usize::MAX),
                RouteIndex::within(policy, usize::MAX, 0),
            ];
            for case in &cases {
                let case = Case::from_json(case).unwrap();
                let mut facts = Facts::new(case.received_at.secs, case.received_at.secs);
                validate(&case, version, &mut facts).unwrap();
                let mut scanned = Vec::new();
                let expected: FirstMatch = first_of(policy, 0..policy.routes.len(), &facts, &mut scanned);
                for index in &indexes {
                    let mut needed = Vec::new();
                    let found = match index.candidates(facts.category, facts.channel) {
                        Some(candidates) => first_of(policy, candidates, &facts, &mut needed),
                        None => first_of(policy, 0..policy.routes.len(), &facts, &mut needed),
                    };
                    prop_assert_eq!(found, expected, "{}", text);
                    if matches!(expected, FirstMatch::Unknown(_)) {
                        prop_assert_eq!(&needed, &scanned);
                    }
                }
            }
        }
    }
}
