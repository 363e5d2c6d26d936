//! The reasons of a decision, kept as data while deciding and rendered to English sentences
//! only when shown, so that a decision nobody reads the explanation of costs little.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};

use crate::decide::decision::{At, State};
use crate::decide::engine::RuleRef;
use crate::time::{Clock, Span};

/// How the case's calendar was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarChoice {
    /// A `calendars` rule matched.
    Rule,
    /// No rule matched; the `otherwise` of the `calendars` block.
    Otherwise,
    /// The policy's default calendar.
    Default,
}

/// One reason, in the order the engine considered it.
#[derive(Debug, Clone)]
pub enum Reason<'a> {
    /// The version in force at receipt.
    Version {
        /// Policy name.
        name: &'a str,
        /// Version.
        version: &'a str,
        /// Effective date.
        effective: Option<NaiveDate>,
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
    /// Required fields are missing.
    Incomplete {
        /// Which.
        missing: Vec<&'a str>,
        /// The time allowed to ask for them.
        within: Option<Span>,
        /// By when.
        ask_by: Option<At>,
    },
    /// A route rule did not match.
    RuleNotMatched {
        /// The rule.
        rule: &'a RuleRef,
    },
    /// A route rule could not be decided.
    RuleUnknown {
        /// The rule.
        rule: &'a RuleRef,
        /// What it needs.
        missing: Vec<&'a str>,
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
        /// Target name.
        name: &'a str,
        /// Its stage.
        stage: Option<&'a str>,
        /// Time allowed.
        within: Span,
        /// Calendar.
        calendar: Option<&'a str>,
        /// Start event.
        start_event: &'a str,
        /// Start of the current cycle.
        started_at: Option<At>,
        /// Budget in clock seconds (extensions included).
        budget: i64,
        /// Clock.
        clock: Clock,
        /// Pauses in the current cycle.
        pauses: usize,
        /// Extension applied.
        extended_by: Option<Span>,
        /// Deadline.
        deadline: Option<At>,
        /// State.
        state: State,
        /// Percent used.
        consumed_percent: Option<f64>,
        /// Number of cycles.
        cycles: usize,
    },
    /// A target whose start event has not happened.
    TargetNotStarted {
        /// Target name.
        name: &'a str,
        /// The event it waits for.
        start_event: &'a str,
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
    /// The callback.
    Callback {
        /// The rule.
        rule: &'a str,
        /// The channel.
        via: &'a str,
        /// Due.
        due: Option<At>,
        /// State.
        state: State,
    },
}

/// Clock seconds as `37 h 45 min`.
fn clock_time(secs: i64) -> String {
    let minutes = secs / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Version {
                name,
                version,
                effective,
                received,
            } => {
                write!(
                    f,
                    "received {received}: decided by `{name}` version {version}"
                )?;
                match effective {
                    Some(e) => write!(f, " (in force from {e})"),
                    None => Ok(()),
                }
            }
            Reason::LaterEvents { count, now } => write!(
                f,
                "{count} event(s) after the evaluation time {now} are left out"
            ),
            Reason::Calendar { calendar, choice } => match choice {
                CalendarChoice::Rule => {
                    write!(f, "calendar `{calendar}`, chosen by a `calendars` rule")
                }
                CalendarChoice::Otherwise => {
                    write!(
                        f,
                        "calendar `{calendar}`: no `calendars` rule matched (otherwise)"
                    )
                }
                CalendarChoice::Default => write!(f, "calendar `{calendar}`, the policy's default"),
            },
            Reason::Accepted {
                category,
                everything: true,
            } => write!(
                f,
                "accepted: the policy has no scope, so every category (here `{category}`) is accepted"
            ),
            Reason::Accepted { category, .. } => {
                write!(f, "accepted: category `{category}` is in the scope")
            }
            Reason::Redirected { category, to } => {
                write!(f, "redirected: category `{category}` goes to {to}")
            }
            Reason::OutOfScope { category } => write!(
                f,
                "redirected: category `{category}` is neither accepted nor redirected by the scope"
            ),
            Reason::Incomplete {
                missing,
                within,
                ask_by,
            } => {
                write!(
                    f,
                    "incomplete: missing required field(s) {}",
                    missing.join(", ")
                )?;
                match (within, ask_by) {
                    (Some(w), Some(a)) => write!(f, "; ask the customer within {w}, by {a}"),
                    _ => f.write_str("; the policy sets no time to ask for them"),
                }
            }
            Reason::RuleNotMatched { rule } => write!(
                f,
                "route rule {}:{} `{}` does not match",
                rule.file, rule.line, rule.text
            ),
            Reason::RuleUnknown { rule, missing } => write!(
                f,
                "route rule {}:{} `{}` needs {}, which the case lacks: routing stops here",
                rule.file,
                rule.line,
                rule.text,
                missing.join(", ")
            ),
            Reason::RuleMatched { rule, role } => write!(
                f,
                "route rule {}:{} `{}` matches: handled by `{role}`",
                rule.file, rule.line, rule.text
            ),
            Reason::Otherwise { rule, role } => write!(
                f,
                "no route rule matches; {}:{} `{}`: handled by `{role}`",
                rule.file, rule.line, rule.text
            ),
            Reason::NoRoute => f.write_str("no route rule matches and there is no `otherwise`"),
            Reason::SlaApplies { sla, conditional } => {
                if *conditional {
                    write!(f, "sla `{sla}` applies: its condition holds")
                } else {
                    write!(f, "sla `{sla}` applies to every case")
                }
            }
            Reason::Target {
                name,
                stage,
                within,
                calendar,
                start_event,
                started_at,
                budget,
                clock,
                pauses,
                extended_by,
                deadline,
                state,
                consumed_percent,
                cycles,
            } => {
                match stage {
                    Some(s) => write!(f, "target `{name}` of stage `{s}`: ")?,
                    None => write!(f, "target `{name}`: ")?,
                }
                write!(f, "{within}")?;
                if let Some(c) = calendar {
                    write!(f, " on `{c}`")?;
                }
                match started_at {
                    Some(s) if *cycles > 1 => write!(f, ", cycle {cycles} from {s}")?,
                    Some(s) => write!(f, " from `{start_event}` at {s}")?,
                    None => {}
                }
                write!(f, " = {} of {clock} time", clock_time(*budget))?;
                if let Some(e) = extended_by {
                    write!(f, " (extended by {e})")?;
                }
                if *pauses > 0 {
                    write!(f, ", {pauses} pause(s) applied")?;
                }
                match deadline {
                    Some(d) => write!(f, "; deadline {d}")?,
                    None => f.write_str("; no deadline while paused")?,
                }
                if let Some(p) = consumed_percent {
                    write!(f, "; {p}% used")?;
                }
                write!(f, "; {}", state.name())
            }
            Reason::TargetNotStarted { name, start_event } => write!(
                f,
                "target `{name}`: not started, it waits for a `{start_event}` event"
            ),
            Reason::Reopened {
                at,
                round,
                by_callback,
            } => {
                if *by_callback {
                    write!(
                        f,
                        "the customer was dissatisfied at {at}: the case reopens (round {round}) and its targets start again"
                    )
                } else {
                    write!(
                        f,
                        "reopened at {at} (round {round}): its targets start again"
                    )
                }
            }
            Reason::LadderIdle { ladder, target } => write!(
                f,
                "escalation `{ladder}` follows target `{target}`, which does not apply to this case"
            ),
            Reason::Escalations { steps, fired, next } => {
                write!(f, "escalation: {fired} of {steps} step(s) fired")?;
                match next {
                    Some(n) => write!(f, "; next at {n}"),
                    None => Ok(()),
                }
            }
            Reason::Callback {
                rule,
                via,
                due,
                state,
            } => {
                write!(f, "callback `{rule}` via `{via}`")?;
                match due {
                    Some(d) => write!(f, ", due {d}; {}", state.name()),
                    None => f.write_str(": not due yet, the event it runs from has not happened"),
                }
            }
        }
    }
}

impl Serialize for Reason<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Reason<'_> {
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
