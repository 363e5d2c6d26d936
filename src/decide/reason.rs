//! The reasons of a decision, kept as data while deciding (a few words each): what the engine
//! considered, in order. `explain.rs` renders them as sentences.

use crate::check::{Rule, RuleRef};
use crate::time::{At, Span};

/// How the case's calendar was chosen.
///
/// ```
/// use charter::decide::{CalendarChoice, Reason};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let calendar = decision.reasons().iter().find_map(|r| match r {
///     Reason::Calendar { calendar, choice } => Some((*calendar, *choice)),
///     _ => None,
/// });
/// assert_eq!(calendar, Some(("office", CalendarChoice::Default)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarChoice {
    /// A `calendars` rule matched.
    Rule,
    /// No rule matched; the `otherwise` of the `calendars` block.
    Otherwise,
    /// The policy's default calendar.
    Default,
}

/// One reason, in the order the engine considered it. A reason holds only what the rest of
/// its decision does not: it is rendered with the decision ([`Decision::sentences`](crate::decide::Decision::sentences)), so that
/// deciding writes a few words per reason, not a copy of the target or callback it is about.
///
/// ```
/// use charter::decide::Reason;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// assert!(matches!(decision.reasons()[0], Reason::Version { .. }));
/// assert!(decision.reasons().iter().any(|r| matches!(r, Reason::RuleMatched { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Reason<'a> {
    /// The version in force at receipt (the decision's `policy`).
    Version {
        /// When the case was received.
        received: At,
    },
    /// Events after `evaluated_at` were left out.
    LaterEvents {
        /// How many.
        count: usize,
        /// The evaluation instant.
        now: At,
    },
    /// The calendar used for the case's targets.
    Calendar {
        /// Its name.
        calendar: &'a str,
        /// How it was chosen.
        choice: CalendarChoice,
    },
    /// The category is accepted.
    Accepted {
        /// The category.
        category: &'a str,
        /// Whether the policy accepts every category (no scope).
        everything: bool,
    },
    /// The category is redirected.
    Redirected {
        /// The category.
        category: &'a str,
        /// Where to.
        to: &'a str,
    },
    /// The category is outside the scope.
    OutOfScope {
        /// The category.
        category: &'a str,
    },
    /// Required fields are missing (the decision's `acceptance` names them and the time to
    /// ask by).
    Incomplete {
        /// The time allowed to ask for them.
        within: Option<Span>,
    },
    /// Route rules that did not match, in rule order: the rules before the one that decided
    /// (or all of them). Kept as one reason so that a plain decision does not write an entry
    /// per rule passed; [`Decision::sentences`](crate::decide::Decision::sentences) gives one
    /// [`Reason::RuleNotMatched`] sentence per rule.
    RulesNotMatched {
        /// The rules.
        rules: &'a [Rule],
    },
    /// A route rule did not match (a sentence of [`Reason::RulesNotMatched`]).
    RuleNotMatched {
        /// The rule.
        rule: &'a RuleRef,
    },
    /// A route rule could not be decided (the decision's `route.missing` says what it needs).
    RuleUnknown {
        /// The rule.
        rule: &'a RuleRef,
    },
    /// A route rule matched.
    RuleMatched {
        /// The rule.
        rule: &'a RuleRef,
        /// The role.
        role: &'a str,
    },
    /// No rule matched; `otherwise`.
    Otherwise {
        /// The `otherwise` rule.
        rule: &'a RuleRef,
        /// The role.
        role: &'a str,
    },
    /// No rule matched and there is no `otherwise`.
    NoRoute,
    /// An SLA block applies.
    SlaApplies {
        /// Its name.
        sla: &'a str,
        /// Whether it has a `when`.
        conditional: bool,
    },
    /// How a target's deadline was computed.
    Target {
        /// The target: its index in the decision's `targets`, which hold its definition and
        /// its current state.
        target: usize,
        /// Start of the latest cycle that ran.
        started_at: Option<At>,
        /// Budget in clock seconds (extensions included).
        budget: i64,
        /// Pauses in that cycle.
        pauses: u32,
        /// Number of cycles.
        cycles: u32,
    },
    /// A target whose start event has not happened.
    TargetNotStarted {
        /// Target name.
        name: &'a str,
        /// The event it waits for.
        start_event: &'a str,
    },
    /// A pause recorded before a target started was still open when it started: the
    /// target's clock is paused from its start.
    PausedAtStart {
        /// Target name.
        name: &'a str,
        /// When the pause was recorded.
        paused: At,
        /// When the target started.
        start: At,
    },
    /// The case was reopened.
    Reopened {
        /// When.
        at: At,
        /// The round it starts (2 for the first reopening).
        round: usize,
        /// Whether a dissatisfied callback reopened it.
        by_callback: bool,
    },
    /// An escalation ladder follows a target that does not apply.
    LadderIdle {
        /// The ladder.
        ladder: &'a str,
        /// Its target.
        target: &'a str,
    },
    /// Escalation summary.
    Escalations {
        /// Steps that apply.
        steps: usize,
        /// Steps fired.
        fired: usize,
        /// The next pending step.
        next: Option<At>,
    },
    /// The callback (the decision's `callback`).
    Callback,
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Reason<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Reason".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "One reason of the decision, in English.",
        })
    }
}
