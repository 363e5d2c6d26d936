//! The reasons of a decision rendered as English sentences, only when shown (by `json.rs` and
//! `charter decide --explain`), so that a decision nobody reads the explanation of costs little.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::check::{Rule, RuleRef};
use crate::decide::decision::{At, Decision, TargetState};
use crate::decide::reason::{CalendarChoice, Reason};
use crate::decide::text::{Piece, Sink, display, put};

/// A reason with the decision it belongs to: one sentence of the explanation.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let first = decision.sentences().next().map(|s| s.to_string());
/// assert_eq!(
///     first.as_deref(),
///     Some("received 2026-11-20T17:45:00+08:00: decided by `complaint_office` version 2026.1 (in force from 2026-01-01)")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sentence<'d, 'a> {
    decision: &'d Decision<'a>,
    reason: Reason<'a>,
}

impl<'a> Decision<'a> {
    /// The reasons, in order: none when the decision was made without them (see
    /// [`Decision::with_reasons`]).
    ///
    /// ```
    /// use charter::decide::{Decision, Reason};
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
    /// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json`.
    /// let decision = engine.decide(&case, case.received_at.secs)?;
    /// assert!(matches!(decision.reasons().first(), Some(Reason::Version { .. })));
    /// let mut plain = Decision::default();
    /// engine.decide_into(&case, case.received_at.secs, &mut plain)?;
    /// assert!(plain.reasons().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reasons(&self) -> &[Reason<'a>] {
        self.explain.as_deref().unwrap_or(&[])
    }

    /// The explanation, one sentence per reason, in order (none for a decision made without
    /// reasons); a run of route rules that did not match ([`Reason::RulesNotMatched`]) is one
    /// sentence per rule.
    ///
    /// ```
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/otherwise-officer.json")))?;
    /// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
    /// # let decision = engine.decide(&case, now)?;
    /// // The complaint office's policy; the case `examples/cases/complaint-office/otherwise-officer.json` at noon on 30 November 2026.
    /// // The case passed both route rules before `otherwise`: one sentence each.
    /// let passed = decision.sentences().filter(|s| s.to_string().contains("does not match")).count();
    /// assert_eq!(passed, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sentences(&self) -> impl Iterator<Item = Sentence<'_, 'a>> {
        (self.reasons().iter())
            .flat_map(|&reason| {
                let (one, passed): (_, &[Rule]) = match reason {
                    Reason::RulesNotMatched { rules } => (None, rules),
                    other => (Some(other), &[]),
                };
                let passed = passed
                    .iter()
                    .map(|rule| Reason::RuleNotMatched { rule: &rule.cited });
                one.into_iter().chain(passed)
            })
            .map(move |reason| Sentence {
                decision: self,
                reason,
            })
    }
}

/// Clock seconds as `37 h 45 min`.
struct ClockTime(i64);

impl Piece for ClockTime {
    fn put(&self, s: &mut impl Sink) {
        let minutes = self.0 / 60;
        match (minutes / 60, minutes % 60) {
            (0, m) => put!(s, m, " min"),
            (h, 0) => put!(s, h, " h"),
            (h, m) => put!(s, h, " h ", m, " min"),
        }
    }
}

/// A rule as `file:line `text``.
struct Cited<'r>(&'r RuleRef);

impl Piece for Cited<'_> {
    fn put(&self, s: &mut impl Sink) {
        put!(s, self.0.file, ":", self.0.line, " `", self.0.text, "`");
    }
}

/// Names joined with `, `.
struct Joined<'n, 'a>(&'n [&'a str]);

impl Piece for Joined<'_, '_> {
    fn put(&self, s: &mut impl Sink) {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                s.text(", ");
            }
            s.text(name);
        }
    }
}

impl Piece for Sentence<'_, '_> {
    fn put(&self, s: &mut impl Sink) {
        let d = self.decision;
        match self.reason {
            Reason::Version { received } => {
                put!(
                    s,
                    "received ",
                    received,
                    ": decided by `",
                    d.policy.name,
                    "` version ",
                    d.policy.version
                );
                if let Some(e) = d.policy.effective {
                    put!(s, " (in force from ", e, ")");
                }
            }
            Reason::LaterEvents { count, now } => put!(
                s,
                count,
                " event(s) after the evaluation time ",
                now,
                " are left out"
            ),
            Reason::Calendar { calendar, choice } => {
                put!(s, "calendar `", calendar);
                s.text(match choice {
                    CalendarChoice::Rule => "`, chosen by a `calendars` rule",
                    CalendarChoice::Otherwise => "`: no `calendars` rule matched (otherwise)",
                    CalendarChoice::Default => "`, the policy's default",
                });
            }
            Reason::Accepted {
                category,
                everything: true,
            } => put!(
                s,
                "accepted: the policy has no scope, so every category (here `",
                category,
                "`) is accepted"
            ),
            Reason::Accepted { category, .. } => {
                put!(s, "accepted: category `", category, "` is in the scope");
            }
            Reason::Redirected { category, to } => {
                put!(s, "redirected: category `", category, "` goes to ", to);
            }
            Reason::OutOfScope { category } => put!(
                s,
                "redirected: category `",
                category,
                "` is neither accepted nor redirected by the scope"
            ),
            Reason::Incomplete { within } => {
                let acceptance = &d.acceptance;
                put!(
                    s,
                    "incomplete: missing required field(s) ",
                    Joined(&acceptance.missing_fields)
                );
                match (within, acceptance.ask_by) {
                    (Some(w), Some(a)) => put!(s, "; ask the customer within ", w, ", by ", a),
                    _ => s.text("; the policy sets no time to ask for them"),
                }
            }
            // `sentences` gives one sentence per rule of a run; a run shown whole is one line.
            Reason::RulesNotMatched { rules } => {
                for (i, rule) in rules.iter().enumerate() {
                    if i > 0 {
                        s.text("; ");
                    }
                    put!(s, "route rule ", Cited(&rule.cited), " does not match");
                }
            }
            Reason::RuleNotMatched { rule } => {
                put!(s, "route rule ", Cited(rule), " does not match");
            }
            Reason::RuleUnknown { rule } => put!(
                s,
                "route rule ",
                Cited(rule),
                " needs ",
                Joined(d.route.as_ref().map_or(&[], |r| &r.missing[..])),
                ", which the case lacks: routing stops here"
            ),
            Reason::RuleMatched { rule, role } => put!(
                s,
                "route rule ",
                Cited(rule),
                " matches: handled by `",
                role,
                "`"
            ),
            Reason::Otherwise { rule, role } => put!(
                s,
                "no route rule matches; ",
                Cited(rule),
                ": handled by `",
                role,
                "`"
            ),
            Reason::NoRoute => s.text("no route rule matches and there is no `otherwise`"),
            Reason::SlaApplies { sla, conditional } => {
                put!(s, "sla `", sla);
                s.text(if conditional {
                    "` applies: its condition holds"
                } else {
                    "` applies to every case"
                });
            }
            Reason::Target {
                target,
                started_at,
                budget,
                pauses,
                cycles,
            } => {
                if let Some(t) = d.targets.get(target) {
                    target_sentence(s, t, started_at, budget, pauses, cycles);
                }
            }
            Reason::TargetNotStarted { name, start_event } => put!(
                s,
                "target `",
                name,
                "`: not started, it waits for a `",
                start_event,
                "` event"
            ),
            Reason::PausedAtStart {
                name,
                paused,
                start,
            } => put!(
                s,
                "target `",
                name,
                "`: the pause recorded at ",
                paused,
                " was still open when the target started at ",
                start,
                ", so its clock is paused from its start"
            ),
            Reason::Reopened {
                at,
                round,
                by_callback: true,
            } => put!(
                s,
                "the customer was dissatisfied at ",
                at,
                ": the case reopens (round ",
                round,
                ") and its targets start again"
            ),
            Reason::Reopened { at, round, .. } => put!(
                s,
                "reopened at ",
                at,
                " (round ",
                round,
                "): its targets start again"
            ),
            Reason::LadderIdle { ladder, target } => put!(
                s,
                "escalation `",
                ladder,
                "` follows target `",
                target,
                "`, which does not apply to this case"
            ),
            Reason::Escalations { steps, fired, next } => {
                put!(s, "escalation: ", fired, " of ", steps, " step(s) fired");
                if let Some(n) = next {
                    put!(s, "; next at ", n);
                }
            }
            Reason::Callback => {
                if let Some(c) = &d.callback {
                    put!(s, "callback `", c.rule, "` via `", c.via, "`");
                    match c.due {
                        Some(due) => put!(s, ", due ", due, "; ", c.state),
                        None => s.text(": not due yet, the event it runs from has not happened"),
                    }
                }
            }
        }
    }
}

/// How target `t`'s deadline was computed, from its latest cycle that ran.
fn target_sentence(
    s: &mut impl Sink,
    t: &TargetState<'_>,
    started_at: Option<At>,
    budget: i64,
    pauses: u32,
    cycles: u32,
) {
    let def = t.target;
    put!(s, "target `", def.name.as_str());
    if let Some(stage) = &def.stage {
        put!(s, "` of stage `", stage.as_str());
    }
    put!(s, "`: ", def.within);
    if let Some(c) = &def.calendar {
        put!(s, " on `", c.as_str(), "`");
    }
    match started_at {
        Some(at) if cycles > 1 => put!(s, ", cycle ", cycles, " from ", at),
        Some(at) => put!(s, " from `", def.start_event.as_str(), "` at ", at),
        None => {}
    }
    put!(s, " = ", ClockTime(budget), " of ", def.clock, " time");
    if !t.extended_by.is_empty() {
        put!(s, " (extended by ", t.extended_by.as_slice(), ")");
    }
    if pauses > 0 {
        put!(s, ", ", pauses, " pause(s) applied");
    }
    match t.deadline {
        Some(d) => put!(s, "; deadline ", d),
        None => s.text("; no deadline while paused"),
    }
    if let Some(p) = t.consumed_percent() {
        put!(s, "; ", p, "% used");
    }
    put!(s, "; ", t.state);
}

impl fmt::Display for Sentence<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(f, |s| self.put(s))
    }
}

impl Serialize for Sentence<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
