//! charter (the sibling crate, `path = "../../main"`), in process through its library API.
//!
//! Each table becomes a charter policy text: the six channels, fifty categories, four
//! severities, the attributes `amount` (number) and `vip` (bool), and one `route` block whose
//! rules are the table's, in order, with the catch-all as `otherwise`:
//!
//! | condition              | charter                               |
//! |------------------------|---------------------------------------|
//! | `category == X`        | `category = cat07`                    |
//! | `category in {..}`     | `category in [cat01, cat07, cat33]`   |
//! | `channel == X` / `in`  | `channel = email` / `channel in [email, web]` |
//! | `severity == major`    | `severity = major`                    |
//! | `severity >= major`    | `severity >= major`                   |
//! | `amount > 15000`       | `amount > 15000`                      |
//! | `3000 < amount <= 5500`| `amount > 3000 and amount <= 5500`    |
//! | `vip == true`          | `vip`                                 |
//!
//! The text is compiled once with `Engine::from_sources`. A case becomes a `decide::Case`
//! (built as a struct, its names `CompactString`s and its attributes an `Attributes` map; the
//! marshalling step) with a `received_at` spread over three weeks of November 2026 and `now` two
//! days later. Three variants are measured:
//!
//! - `charter-route-call`: `Engine::route`, routing alone (validation, the acceptance scope and
//!   the first matching rule; no decision is filled), on the route-table policy.
//! - `charter-route`: `Engine::decide_into`, into one `Decision` reused across the pass, on a
//!   policy that holds the routing table and nothing else (no `sla`, `escalate` or `callback`):
//!   validation, acceptance, routing and the decision's bookkeeping, and no deadline.
//! - `charter-full`: `decide_into` on the same table plus the complaint office's time rules
//!   (standard and critical SLAs with a recurring update target, a resolution escalation
//!   ladder, an immediate escalation for critical cases, a callback), so every decision also
//!   computes deadlines, states and escalation instants on a working-hours calendar.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use charter::decide::{Attributes, Case, Decision, Engine as CharterEngine, Timestamp};

use crate::engine::Engine;
use crate::workload::{
    CATEGORY_COUNT, CHANNELS, Case as WorkCase, Cond, Rule, SEVERITIES, category_name,
    channel_name, severity_name,
};

/// The file name the generated policy is cited under (decisions cite `file:line`).
pub const POLICY_FILE: &str = "peers.charter";

/// 2026-11-02T00:00:00+08:00 (a Monday), the start of the span cases are received in.
const RECEIVED_FROM: i64 = 1_793_548_800;
/// Asia/Shanghai, the policy's zone: +08:00.
const OFFSET: i32 = 8 * 3600;
/// Cases are received within three weeks of `RECEIVED_FROM`...
const RECEIVED_SPAN_MINUTES: i64 = 21 * 24 * 60;
/// ...and decided as they stand two days after receipt.
const DECIDED_AFTER: i64 = 2 * 24 * 3600;

/// The timed variants: see the module documentation.
pub type CharterRoute = Charter<false>;
pub type CharterFull = Charter<true>;

pub struct Charter<const FULL: bool> {
    engine: CharterEngine,
}

/// A prepared case and the instant it is decided at.
pub struct CharterInput {
    case: Case,
    now: i64,
}

fn condition(cond: &Cond) -> String {
    let list = |names: Vec<String>| format!("[{}]", names.join(", "));
    match cond {
        Cond::CategoryEq(c) => format!("category = {}", category_name(*c)),
        Cond::CategoryIn(set) => format!(
            "category in {}",
            list(set.iter().map(|&c| category_name(c)).collect())
        ),
        Cond::ChannelEq(c) => format!("channel = {}", channel_name(*c)),
        Cond::ChannelIn(set) => format!(
            "channel in {}",
            list(set.iter().map(|&c| channel_name(c).to_string()).collect())
        ),
        Cond::SeverityEq(level) => format!("severity = {}", severity_name(*level)),
        Cond::SeverityAtLeast(level) => format!("severity >= {}", severity_name(*level)),
        Cond::AmountAbove(t) => format!("amount > {t}"),
        Cond::AmountIn { above, at_most } => format!("amount > {above} and amount <= {at_most}"),
        Cond::Vip => "vip".to_string(),
    }
}

/// The time rules of `charter-full`, after the complaint office's policy.
const TIME_RULES: &str = r#"
sla standard "Standard limits" {
  acknowledge within 2 working hours
  resolve within 5 working days
  update every 2 working days
}

sla critical "Critical complaints" when severity = critical {
  acknowledge within 30 minutes
  resolve within 2 working days
}

escalate resolve_ladder "Resolution escalation" for resolve {
  at 50% notify handler
  at 80% escalate superior
  at breach escalate head
}

escalate critical_now "Critical complaints reported at once" when severity = critical {
  immediately notify head
}

callback feedback "Result feedback" {
  within 3 working days from resolved
  via original
  ask satisfaction
}
"#;

/// The 1-based line of the first route rule in a text made by [`policy_text`]; rule `i` is on
/// line `route_line(text) + i` (the catch-all's `otherwise` included).
#[cfg(test)]
pub fn route_line(text: &str) -> usize {
    text.lines()
        .position(|l| l == "route {")
        .map_or(0, |i| i + 2)
}

/// The charter policy for `rules` (first-hit order, the last one the condition-free catch-all);
/// `full` adds the time rules.
pub fn policy_text(rules: &[Rule], full: bool) -> Result<String, String> {
    let (catch_all, table) = rules
        .split_last()
        .ok_or("a table needs at least its catch-all")?;
    if !catch_all.conds.is_empty() {
        return Err("the last rule must be the condition-free catch-all".into());
    }
    let mut s = String::from(
        "policy peers \"Peers routing benchmark\" {\n  version \"1\"\n  timezone \"Asia/Shanghai\"\n  calendar office\n}\n\n\
         calendar office \"Office hours\" {\n  week mon..fri 09:00-12:00, 13:30-18:00\n}\n\n",
    );
    for c in CHANNELS {
        let _ = writeln!(s, "channel {c} \"{c}\" {{ callback {c} }}");
    }
    s.push_str("\nattribute amount \"Amount\" { type number }\nattribute vip \"VIP\" { type bool }\n\nseverities {\n");
    for v in SEVERITIES {
        let _ = writeln!(s, "  {v} \"{v}\"");
    }
    s.push_str("}\n\n");
    for c in 0..CATEGORY_COUNT {
        let name = category_name(c);
        let _ = writeln!(s, "category {name} \"{name}\"");
    }
    s.push_str("\nroute {\n");
    for (i, rule) in table.iter().enumerate() {
        if rule.conds.is_empty() {
            return Err(format!("rule {i} has no condition but is not last"));
        }
        let when: Vec<String> = rule.conds.iter().map(condition).collect();
        let _ = writeln!(s, "  when {} -> {}", when.join(" and "), rule.role);
    }
    let _ = writeln!(s, "  otherwise -> {}\n}}", catch_all.role);
    let mut roles: Vec<&str> = rules.iter().map(|r| r.role.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    for role in roles {
        let reports = if full { " reports_to head " } else { "" };
        let _ = write!(s, "\nrole {role} \"{role}\" {{{reports}}}");
    }
    s.push('\n');
    if full {
        s.push_str("\nrole head \"Head of office\" {}\n");
        s.push_str(TIME_RULES);
    }
    Ok(s)
}

/// Compiles a policy text into a decision engine, with charter's own diagnostics on failure.
pub fn compile(text: &str) -> Result<CharterEngine, String> {
    CharterEngine::from_sources(&[(POLICY_FILE, text)]).map_err(|e| e.to_string())
}

/// `charter-route-call`: the route table alone, asked through `Engine::route` (routing only:
/// validation, acceptance scope and the first matching rule; no decision is filled).
pub struct CharterRouteCall {
    engine: CharterEngine,
}

impl Engine for CharterRouteCall {
    type Input = CharterInput;

    fn name() -> &'static str {
        "charter-route-call"
    }

    fn prepare(rules: &[Rule]) -> Result<Self, String> {
        let engine = compile(&policy_text(rules, false)?)?;
        Ok(CharterRouteCall { engine })
    }

    fn marshal(&self, case: &WorkCase) -> CharterInput {
        charter_case(case)
    }

    fn decide(&self, input: &CharterInput) -> String {
        match self.engine.route(&input.case) {
            Ok(Some(route)) => match route.role {
                Some(role) => role.to_owned(),
                None => panic!("charter routed no role: {route:?}"),
            },
            Ok(None) => panic!("charter did not accept the case"),
            Err(e) => panic!("charter could not route: {e}"),
        }
    }
}

/// The case as charter takes it; `received_at` is spread deterministically over three weeks.
pub fn charter_case(case: &WorkCase) -> CharterInput {
    let minute = (i64::from(case.amount) * 7
        + i64::from(case.category) * 131
        + i64::from(case.channel) * 977
        + i64::from(case.severity) * 1013)
        % RECEIVED_SPAN_MINUTES;
    let received = RECEIVED_FROM + minute * 60;
    let attributes = Attributes::from_iter([
        ("amount", serde_json::Value::from(case.amount)),
        ("vip", serde_json::Value::from(case.vip)),
    ]);
    CharterInput {
        case: Case {
            id: format!(
                "{}-{}-{}-{}",
                category_name(case.category),
                channel_name(case.channel),
                severity_name(case.severity),
                case.amount
            )
            .into(),
            received_at: Timestamp {
                secs: received,
                offset: OFFSET,
            },
            channel: channel_name(case.channel).into(),
            category: category_name(case.category).into(),
            severity: Some(severity_name(case.severity).into()),
            handler: None,
            fields: BTreeMap::new(),
            attributes,
            events: Vec::new(),
        },
        now: received + DECIDED_AFTER,
    }
}

impl<const FULL: bool> Charter<FULL> {
    /// Decides one case into `decision` and returns the routed role.
    fn decide_with<'a>(&'a self, input: &CharterInput, decision: &mut Decision<'a>) -> String {
        if let Err(e) = self.engine.decide_into(&input.case, input.now, decision) {
            panic!("charter could not decide: {e}");
        }
        match decision.route.as_ref().and_then(|r| r.role) {
            Some(role) => role.to_owned(),
            None => panic!("charter routed no role: {:?}", decision.route),
        }
    }

    /// The route rule a decision cites, as a 0-based index into the table (tests).
    #[cfg(test)]
    fn cited_rule(&self, input: &CharterInput, first_line: usize) -> usize {
        let mut decision = Decision::default();
        self.decide_with(input, &mut decision);
        let line = decision
            .route
            .as_ref()
            .and_then(|r| r.rule)
            .map(|r| r.line)
            .expect("a routed decision cites its rule");
        line - first_line
    }
}

impl<const FULL: bool> Engine for Charter<FULL> {
    type Input = CharterInput;

    fn name() -> &'static str {
        if FULL {
            "charter-full"
        } else {
            "charter-route"
        }
    }

    fn prepare(rules: &[Rule]) -> Result<Self, String> {
        let engine = compile(&policy_text(rules, FULL)?)?;
        Ok(Charter { engine })
    }

    fn marshal(&self, case: &WorkCase) -> CharterInput {
        charter_case(case)
    }

    fn decide(&self, input: &CharterInput) -> String {
        self.decide_with(input, &mut Decision::default())
    }

    /// One `Decision` refilled for every case of the pass, as a caller deciding in a loop holds
    /// it (charter's `decide_into`); it borrows from the engine and the cases, so it cannot be
    /// kept in `self`.
    fn decide_all(&self, inputs: &[CharterInput], mut sink: impl FnMut(String)) {
        let mut decision = Decision::default();
        for input in inputs {
            sink(self.decide_with(input, &mut decision));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{generate_cases, generate_rules, reference_decide};

    #[test]
    fn both_policies_compile_and_cite_the_reference_rule() {
        let rules = generate_rules(200, 4);
        for full in [false, true] {
            let text = policy_text(&rules, full).unwrap();
            let first = route_line(&text);
            let engine = CharterFull {
                engine: compile(&text).unwrap(),
            };
            for case in generate_cases(500, 4) {
                let input = charter_case(&case);
                let (index, role) = reference_decide(&rules, &case);
                assert_eq!(engine.cited_rule(&input, first), index, "{case:?}");
                assert_eq!(engine.decide(&input), role, "{case:?}");
            }
        }
    }

    #[test]
    fn the_full_policy_computes_deadlines_and_the_route_policy_none() {
        let rules = generate_rules(20, 9);
        let case = charter_case(&generate_cases(1, 9)[0]);
        for (full, targets) in [(false, 0), (true, 3)] {
            let engine = compile(&policy_text(&rules, full).unwrap()).unwrap();
            let decision = engine.decide(&case.case, case.now).unwrap();
            assert_eq!(decision.targets.len(), targets, "full: {full}");
            assert!(decision.findings.is_empty(), "{:?}", decision.findings);
            if full {
                assert!(
                    decision
                        .targets
                        .iter()
                        .all(|t| t.current().deadline.is_some())
                );
                assert!(!decision.escalations.is_empty());
                assert!(decision.callback.is_some());
            }
        }
    }

    #[test]
    fn policy_text_is_what_the_readme_shows() {
        let rules = vec![
            Rule {
                conds: vec![
                    Cond::CategoryEq(7),
                    Cond::ChannelEq(1),
                    Cond::SeverityEq(2),
                    Cond::AmountIn {
                        above: 3000,
                        at_most: 5500,
                    },
                ],
                role: "role03".into(),
            },
            Rule {
                conds: vec![Cond::CategoryIn(vec![1, 7]), Cond::SeverityAtLeast(1)],
                role: "role11".into(),
            },
            Rule {
                conds: vec![],
                role: "role_default".into(),
            },
        ];
        let text = policy_text(&rules, false).unwrap();
        let first = route_line(&text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            &lines[first - 1..first + 2],
            [
                "  when category = cat07 and channel = email and severity = major and amount > 3000 and amount <= 5500 -> role03",
                "  when category in [cat01, cat07] and severity >= normal -> role11",
                "  otherwise -> role_default",
            ]
        );
    }
}
