//! The decision: the JSON contract of PRODUCT.md ("Cases and decisions"). Every string borrows
//! from the policy or the case, and the explanation is kept as structured reasons that are
//! rendered to text only when serialized, so deciding allocates little.

use std::fmt;

use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use crate::check::RuleRef;
use crate::check::Trigger;
use crate::decide::reason::Reason;
use crate::decide::stamp::{DecisionId, InputDigest};
use crate::decide::text::{Piece, Sink, display, put};
pub use crate::time::At;
use crate::time::{Clock, Span};

/// A decision on one case.
///
/// ```
/// use charter::decide::{Outcome, State};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let decision = engine.decide(&case, now)?;
/// assert_eq!(decision.case, "C-1001");
/// assert_eq!(decision.acceptance.outcome, Outcome::Accepted);
/// assert_eq!(decision.route.as_ref().and_then(|r| r.role), Some("office_director"));
/// let states: Vec<(&str, State)> = (decision.targets.iter())
///     .map(|t| (t.target.name.as_str(), t.state))
///     .collect();
/// assert_eq!(
///     states,
///     [("acknowledge", State::Met), ("resolve", State::Met), ("update", State::Breached)]
/// );
/// // serde gives the JSON `charter decide` writes.
/// let json = serde_json::to_value(&decision)?;
/// assert_eq!(json["route"]["rule"]["line"], 66);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "charter decision",
        description = "What a charter policy decides for one case at one instant."
    )
)]
pub struct Decision<'a> {
    /// The case's id.
    pub case: String,
    /// The decision's own id, given by the front end that answered (`charter decide`,
    /// `charter serve`) and absent with `--no-id`; the engine leaves it empty.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "Option::is_none"),
        schemars(with = "DecisionId")
    )]
    pub decision_id: Option<DecisionId>,
    /// SHA-256 of the case as charter read it, in canonical form, given with the id.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "Option::is_none"),
        schemars(with = "InputDigest")
    )]
    pub input_digest: Option<InputDigest>,
    /// The policy version that decided it.
    pub policy: PolicyId<'a>,
    /// The instant the states are evaluated at (`--now`).
    pub evaluated_at: At,
    /// Present and `true` when the decision needed dates past a calendar's `valid` range and
    /// the policy lets it decide there from the weekly hours and yearly holidays only (a
    /// `provisional` finding names the calendar and the date its range ends).
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub provisional: bool,
    /// Accepted, redirected or incomplete.
    pub acceptance: Acceptance<'a>,
    /// Who handles it; `null` for redirected cases.
    pub route: Option<Route<'a>>,
    /// One entry per SLA target that applies.
    pub targets: Vec<TargetState<'a>>,
    /// Every escalation step that applies.
    pub escalations: Vec<EscalationStep<'a>>,
    /// The customer callback, if a callback rule applies.
    pub callback: Option<CallbackState<'a>>,
    /// The stages the case has entered.
    pub stages: Vec<StageState<'a>>,
    /// Violations and gaps found in the case: extensions, separation of duties, missing
    /// attributes, fallback routing.
    pub findings: Vec<Finding>,
    /// Why: the reasons, in order; `None` when the caller did not ask for them.
    /// [`Engine::decide`](crate::decide::Engine::decide) and the front ends (`charter decide`,
    /// the batch, the service) always give them; [`Engine::decide_into`](crate::decide::Engine::decide_into)
    /// records them only into a decision that asks ([`Decision::with_reasons`]), so that a
    /// loop that only routes and times cases does not pay for an explanation nobody reads.
    /// A decision without them is written without the `explain` key.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub explain: Option<Vec<Reason<'a>>>,
}

/// Which policy version decided.
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
/// assert_eq!(decision.policy.name, "complaint_office");
/// assert_eq!(decision.policy.version, "2026.1");
/// assert_eq!(decision.policy.effective.map(|d| d.to_string()), Some("2026-01-01".into()));
/// assert_eq!(decision.policy.digest.len(), 64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "Which policy version decided.")
)]
pub struct PolicyId<'a> {
    /// The policy's name.
    pub name: &'a str,
    /// The version.
    pub version: &'a str,
    /// The date the version took effect.
    pub effective: Option<chrono::NaiveDate>,
    /// sha256 of the version's source files, lowercase hex.
    pub digest: &'a str,
}

/// What happens to a case at intake.
///
/// ```
/// use charter::decide::Outcome;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/redirected-system-fault.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/redirected-system-fault.json` at noon on 30 November 2026.
/// assert_eq!(decision.acceptance.outcome, Outcome::Redirected);
/// assert_eq!(decision.acceptance.outcome.name(), "redirected");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(rename_all = "snake_case"))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "What happens to a case at intake.")
)]
pub enum Outcome {
    /// In scope and complete.
    Accepted,
    /// Out of scope: sent elsewhere (or nowhere the policy names).
    Redirected,
    /// In scope, but required fields are missing.
    Incomplete,
}

impl Outcome {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Redirected => "redirected",
            Outcome::Incomplete => "incomplete",
        }
    }
}

/// The acceptance decision.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/redirected-system-fault.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/redirected-system-fault.json` at noon on 30 November 2026.
/// let acceptance = &decision.acceptance;
/// assert_eq!(acceptance.redirect_to, Some("信息技术部服务台"));
/// assert_eq!(acceptance.reason, Some("系统故障由信息技术部处理"));
/// // A redirected case is not routed.
/// assert!(decision.route.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(description = "The acceptance decision."))]
pub struct Acceptance<'a> {
    /// The outcome.
    pub outcome: Outcome,
    /// For redirected cases: where to.
    pub redirect_to: Option<&'a str>,
    /// For redirected cases: why.
    pub reason: Option<&'a str>,
    /// For incomplete cases: the required fields the case lacks.
    pub missing_fields: Vec<&'a str>,
    /// For incomplete cases: by when the customer must be asked for them.
    pub ask_by: Option<At>,
}

/// The routing decision.
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
/// let route = decision.route.as_ref().expect("an accepted case is routed");
/// assert_eq!(route.role, Some("office_director"));
/// assert_eq!(route.title, Some("投诉办主任"));
/// assert_eq!(route.department, Some("complaint_office"));
/// let rule = route.rule.expect("a rule decided");
/// assert_eq!((rule.file.as_str(), rule.line), ("office/policy.charter", 66));
/// assert_eq!(rule.text, "when severity >= major -> office_director");
/// assert!(route.missing.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(description = "The routing decision."))]
pub struct Route<'a> {
    /// The handling role; `null` when no rule decides.
    pub role: Option<&'a str>,
    /// Its title.
    pub title: Option<&'a str>,
    /// Its department.
    pub department: Option<&'a str>,
    /// The rule that matched.
    pub rule: Option<&'a RuleRef>,
    /// Attributes (or `severity`) the rules needed and the case lacks.
    pub missing: Vec<&'a str>,
    /// This whole object as JSON, made when the engine was built (a matched rule's route is
    /// the same for every case).
    #[cfg_attr(feature = "schema", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) json: Option<&'a [u8]>,
}

/// The state of a target.
///
/// ```
/// use charter::decide::State;
/// assert_eq!(State::AtRisk.name(), "at_risk");
/// // The worst of several occurrences is the one shown.
/// let worst = [State::Met, State::Breached, State::Running]
///     .into_iter()
///     .max_by_key(|s| s.badness());
/// assert_eq!(worst, Some(State::Breached));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "schema", schemars(description = "The state of a target."))]
pub enum State {
    /// Stopped on or before the deadline.
    Met,
    /// Stopped after the deadline, or still running past it.
    Breached,
    /// Running, past the policy's at-risk share of the budget.
    AtRisk,
    /// Running.
    Running,
    /// Its clock is stopped by a pause.
    Paused,
    /// Its start event has not happened.
    NotStarted,
    /// An aim stopped after its deadline, or still running past it (an aim never breaches).
    Missed,
}

impl State {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            State::Met => "met",
            State::Breached => "breached",
            State::AtRisk => "at_risk",
            State::Running => "running",
            State::Paused => "paused",
            State::NotStarted => "not_started",
            State::Missed => "missed",
        }
    }

    /// How bad the state is, for the worst of a target's occurrences: breached or missed,
    /// then at risk, running, paused, met, not started.
    pub fn badness(self) -> u8 {
        match self {
            State::Breached | State::Missed => 5,
            State::AtRisk => 4,
            State::Running => 3,
            State::Paused => 2,
            State::Met => 1,
            State::NotStarted => 0,
        }
    }
}

/// `consumed` as a percentage of `budget`, to a tenth (half a tenth rounds up), as
/// `(consumed * 1000 / budget).round() / 10` in floating point would give it, but by integer
/// division, which is a few times cheaper than `f64::round`. Below 2^41 seconds consumed (some
/// 70,000 years) the two are the same: a quotient of integers that is not exactly a half is
/// at least `1 / (2 * budget)` from one, more than the rounding error of the division. An
/// empty budget is used up.
pub(crate) fn percent_used(consumed: i64, budget: i64) -> f64 {
    if budget <= 0 {
        return 100.0;
    }
    match u64::try_from(consumed) {
        Ok(c) if c < 1 << 41 => {
            let b = budget.unsigned_abs();
            ((c * 2000 + b) / (2 * b)) as f64 / 10.0
        }
        _ => (consumed as f64 * 1000.0 / budget as f64).round() / 10.0,
    }
}

/// One cycle of a target: one run of its clock from a start event to a stop event.
///
/// ```
/// use charter::decide::{Cycle, State};
/// assert_eq!(Cycle::not_started().state, State::NotStarted);
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let resolve = decision.targets[1].current();
/// assert_eq!(resolve.state, State::Met);
/// assert_eq!(resolve.deadline.map(|d| d.to_string()), Some("2026-11-30T17:30:00+08:00".into()));
/// assert_eq!(resolve.stopped_at.map(|d| d.to_string()), Some("2026-11-27T16:00:00+08:00".into()));
/// assert_eq!(resolve.consumed_percent(), Some(76.2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        description = "One cycle of a target: one run of its clock from a start event to a stop event."
    )
)]
pub struct Cycle {
    /// When the clock started.
    pub started_at: Option<At>,
    /// Its budget: the clock time allowed (extensions included), in seconds of the target's
    /// clock (working seconds for working targets).
    pub budget_seconds: Option<i64>,
    /// When it is (or was) due, pauses and extensions applied; `null` while paused before it.
    pub deadline: Option<At>,
    /// When it stopped.
    pub stopped_at: Option<At>,
    /// Clock time used, in seconds of the target's clock, at the stop or at `evaluated_at`;
    /// the JSON gives it as a percentage of the budget ([`Cycle::consumed_percent`]).
    #[cfg_attr(
        feature = "schema",
        serde(rename = "consumed_percent"),
        schemars(
            with = "Option<f64>",
            description = "Clock time used, as a percentage of the budget (to a tenth; half a tenth rounds up), at the stop or at `evaluated_at`."
        )
    )]
    pub consumed_seconds: Option<i64>,
    /// The state.
    pub state: State,
}

impl Cycle {
    /// A cycle whose start event has not happened.
    pub fn not_started() -> Cycle {
        Cycle {
            started_at: None,
            budget_seconds: None,
            deadline: None,
            stopped_at: None,
            consumed_seconds: None,
            state: State::NotStarted,
        }
    }

    /// Clock time used as a percentage of the budget, to a tenth (half a tenth rounds up), as
    /// the JSON gives it; an empty budget is used up.
    ///
    /// ```
    /// use charter::decide::Cycle;
    /// let cycle = Cycle { budget_seconds: Some(2000), consumed_seconds: Some(1), ..Cycle::not_started() };
    /// assert_eq!(cycle.consumed_percent(), Some(0.1));
    /// assert_eq!(Cycle::not_started().consumed_percent(), None);
    /// ```
    pub fn consumed_percent(&self) -> Option<f64> {
        Some(percent_used(self.consumed_seconds?, self.budget_seconds?))
    }
}

/// What the policy says of a target on the calendar it runs on: the same in every decision
/// of a version, which made it once and which every decision's [`TargetState`] points at.
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
/// let resolve = decision.targets[1].target;
/// assert_eq!(resolve.name, "resolve");
/// assert_eq!(resolve.within.to_string(), "5 working days");
/// assert_eq!((resolve.start_event.as_str(), resolve.stop_event.as_str()), ("received", "resolved"));
/// assert_eq!(resolve.calendar.as_deref(), Some("office"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TargetDef {
    /// The target's name.
    pub name: String,
    /// The stage it belongs to, for stage targets.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Option::is_none"))]
    pub stage: Option<String>,
    /// The `sla` block (or stage) it comes from.
    pub sla: String,
    /// `elapsed` or `working`.
    pub clock: Clock,
    /// The calendar, when the clock counts working time or calendar days.
    pub calendar: Option<String>,
    /// The time allowed, as written.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub within: Span,
    /// Whether it recurs (`every`).
    pub recurring: bool,
    /// Present and `true` for an aim: met or missed, never breached or escalated.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub aim: bool,
    /// Present and `true` when every occurrence of the start event opens a clock of its own
    /// (`from each`): `cycles` lists the occurrences, and the target shows the worst of them.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub each: bool,
    /// The event that starts its clock.
    pub start_event: String,
    /// The event that stops it (`a or b` when either does).
    pub stop_event: String,
    /// These fields as JSON, `{"name":…` to `stop_event`, for the decision writer.
    #[cfg_attr(feature = "schema", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) head: Vec<u8>,
}

/// A time target as it stands.
///
/// ```
/// use charter::decide::State;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let update = &decision.targets[2];
/// assert_eq!(update.target.name, "update");
/// assert_eq!(update.state, State::Breached);
/// assert_eq!(update.deadline.map(|d| d.to_string()), Some("2026-11-25T17:30:00+08:00".into()));
/// assert!(update.consumed_percent().is_some_and(|p| p > 100.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "A time target as it stands.")
)]
pub struct TargetState<'a> {
    /// What the policy says of the target (its fields appear in the target's JSON object).
    #[cfg_attr(feature = "schema", serde(flatten))]
    pub target: &'a TargetDef,
    /// Extension granted, as written on the events: the amounts of each unit summed, the units
    /// in the order they first appear (`2 days` then `1 working day` is `[2 days, 1 working
    /// day]`, written `2 days + 1 working day`); empty when none was granted.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Vec::is_empty"))]
    #[cfg_attr(
        feature = "schema",
        schemars(
            with = "Option<String>",
            description = "Extension granted, as written on the events (summed)."
        )
    )]
    pub extended_by: Vec<Span>,
    /// The current cycle: when it started.
    pub started_at: Option<At>,
    /// The current cycle: its budget in seconds of the target's clock.
    pub budget_seconds: Option<i64>,
    /// The current cycle: its deadline.
    pub deadline: Option<At>,
    /// The current cycle: when it stopped.
    pub stopped_at: Option<At>,
    /// The current cycle: clock time used, in seconds of the target's clock; the JSON gives
    /// it as a percentage of the budget ([`TargetState::consumed_percent`]).
    #[cfg_attr(
        feature = "schema",
        serde(rename = "consumed_percent"),
        schemars(
            with = "Option<f64>",
            description = "Clock time used, as a percentage of the budget (to a tenth; half a tenth rounds up), at the stop or at `evaluated_at`."
        )
    )]
    pub consumed_seconds: Option<i64>,
    /// The current cycle's state.
    pub state: State,
    /// Every cycle, oldest first, when there is more than one (recurring targets, reopened
    /// cases).
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Vec::is_empty"))]
    pub cycles: Vec<Cycle>,
}

impl<'a> TargetState<'a> {
    /// Target `target` as it stands before its start event.
    pub fn new(target: &'a TargetDef) -> TargetState<'a> {
        let Cycle {
            started_at,
            budget_seconds,
            deadline,
            stopped_at,
            consumed_seconds,
            state,
        } = Cycle::not_started();
        TargetState {
            target,
            extended_by: Vec::new(),
            started_at,
            budget_seconds,
            deadline,
            stopped_at,
            consumed_seconds,
            state,
            cycles: Vec::new(),
        }
    }

    /// Makes this the state of `target` before its start event, keeping the memory of its
    /// list of cycles.
    pub(crate) fn reset(&mut self, target: &'a TargetDef) {
        let mut cycles = std::mem::take(&mut self.cycles);
        cycles.clear();
        *self = TargetState::new(target);
        self.cycles = cycles;
    }

    /// The current cycle, from the target's own fields.
    pub fn current(&self) -> Cycle {
        Cycle {
            started_at: self.started_at,
            budget_seconds: self.budget_seconds,
            deadline: self.deadline,
            stopped_at: self.stopped_at,
            consumed_seconds: self.consumed_seconds,
            state: self.state,
        }
    }

    /// The current cycle's clock time used as a percentage of the budget
    /// ([`Cycle::consumed_percent`]).
    pub fn consumed_percent(&self) -> Option<f64> {
        Some(percent_used(self.consumed_seconds?, self.budget_seconds?))
    }

    /// Makes `cycle` the current one.
    pub(crate) fn set_current(&mut self, cycle: Cycle) {
        self.started_at = cycle.started_at;
        self.budget_seconds = cycle.budget_seconds;
        self.deadline = cycle.deadline;
        self.stopped_at = cycle.stopped_at;
        self.consumed_seconds = cycle.consumed_seconds;
        self.state = cycle.state;
    }
}

/// `notify` or `escalate`.
///
/// ```
/// use charter::decide::Action;
/// assert_eq!(Action::Escalate.name(), "escalate");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "schema", schemars(description = "`notify` or `escalate`."))]
pub enum Action {
    /// Tell someone.
    Notify,
    /// Hand over to someone.
    Escalate,
}

impl Action {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Action::Notify => "notify",
            Action::Escalate => "escalate",
        }
    }
}

/// Whether an escalation step has fired.
///
/// ```
/// use charter::decide::StepState;
/// assert_eq!(StepState::Cancelled.name(), "cancelled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(rename_all = "snake_case"))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "Whether an escalation step has fired.")
)]
pub enum StepState {
    /// It fired at `at`.
    Fired,
    /// It fires at `at` if the target is still running then.
    Pending,
    /// The target stopped before it was due.
    Cancelled,
}

impl StepState {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            StepState::Fired => "fired",
            StepState::Pending => "pending",
            StepState::Cancelled => "cancelled",
        }
    }
}

/// What the policy says of one escalation step going to one role: the same in every decision
/// of a version, which made it once and which every decision's [`EscalationStep`] points at.
///
/// ```
/// use charter::decide::Action;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let step = decision.escalations[1].step;
/// assert_eq!(step.ladder, "resolve_ladder");
/// assert_eq!(step.target.as_deref(), Some("resolve"));
/// assert_eq!(step.trigger, "at 80%");
/// assert_eq!(step.to.as_deref(), Some("general_manager"));
/// assert_eq!(step.action, Action::Escalate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StepDef {
    /// The ladder's name.
    pub ladder: String,
    /// The target whose clock drives it.
    pub target: Option<String>,
    /// As written: `at 80%`, `at breach + 1 working day`, `immediately`.
    #[cfg_attr(feature = "schema", schemars(with = "TriggerText<'static>"))]
    pub trigger: String,
    /// The role it goes to; `null` when the handler has no superior.
    pub to: Option<String>,
    /// That role's title.
    pub to_title: Option<String>,
    /// `notify` or `escalate`.
    pub action: Action,
    /// The JSON of `ladder`, `target` and `trigger` (`{"ladder":…`), and of `to`, `to_title`
    /// and `action` (`,"to":…`), for the decision writer.
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) json: (Vec<u8>, Vec<u8>),
}

/// One escalation step.
///
/// ```
/// use charter::decide::StepState;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// // The resolve ladder: its 50% notice fired; the case was resolved before 80%.
/// let fired = &decision.escalations[0];
/// assert_eq!((fired.step.trigger.as_str(), fired.state), ("at 50%", StepState::Fired));
/// assert_eq!(fired.at.map(|a| a.to_string()), Some("2026-11-26T13:37:30+08:00".into()));
/// assert_eq!(decision.escalations[1].state, StepState::Cancelled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(description = "One escalation step."))]
pub struct EscalationStep<'a> {
    /// What the policy says of the step (its fields appear in the step's JSON object).
    #[cfg_attr(feature = "schema", serde(flatten))]
    pub step: &'a StepDef,
    /// When it fires (or fired, or would have).
    pub at: Option<At>,
    /// Whether it has fired by `evaluated_at`.
    pub fired: bool,
    /// Fired, pending or cancelled.
    pub state: StepState,
    /// Present and `true` for a later plan of a step that fired before (listed earlier, at
    /// the instant it fired): in a new cycle or round of its target, or after an extension
    /// moved the target's deadline.
    #[cfg_attr(
        feature = "schema",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub replanned: bool,
}

/// An escalation trigger, shown as written in the policy.
///
/// ```
/// use charter::check::Trigger;
/// use charter::decide::TriggerText;
/// assert_eq!(TriggerText(&Trigger::Percent(80.0)).to_string(), "at 80%");
/// assert_eq!(TriggerText(&Trigger::Breach(None)).to_string(), "at breach");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TriggerText<'a>(pub &'a Trigger);

impl Piece for TriggerText<'_> {
    fn put(&self, s: &mut impl Sink) {
        match self.0 {
            Trigger::Immediately => s.text("immediately"),
            Trigger::Percent(p) => put!(s, "at ", p, "%"),
            Trigger::Breach(None) => s.text("at breach"),
            Trigger::Breach(Some(span)) => put!(s, "at breach + ", span),
        }
    }
}

impl fmt::Display for TriggerText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(f, |s| self.put(s))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for TriggerText<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Trigger".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "When the step fires, as written: `immediately`, `at 80%`, `at breach`, `at breach + 1 working day`",
        })
    }
}

/// The customer callback.
///
/// ```
/// use charter::decide::State;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
/// let callback = decision.callback.as_ref().expect("the office calls back");
/// assert_eq!((callback.rule, callback.via, callback.from_event), ("feedback", "phone", "resolved"));
/// // The third working day after the resolution on Friday 27 November.
/// assert_eq!(callback.due.map(|d| d.to_string()), Some("2026-12-02T18:00:00+08:00".into()));
/// assert_eq!((callback.state, callback.satisfied), (State::Met, Some(true)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(description = "The customer callback."))]
pub struct CallbackState<'a> {
    /// The callback rule.
    pub rule: &'a str,
    /// The channel to call back through.
    pub via: &'a str,
    /// The event the time runs from.
    pub from_event: &'a str,
    /// When it is due; `null` until the event it runs from happens.
    pub due: Option<At>,
    /// When the callback was made.
    pub done_at: Option<At>,
    /// met, breached, at_risk, running or not_started.
    pub state: State,
    /// Whether satisfaction must be asked.
    pub ask_satisfaction: bool,
    /// The customer's answer.
    pub satisfied: Option<bool>,
    /// Whether the answer reopened the case.
    pub reopened: bool,
    /// The callbacks of earlier rounds (before the case was reopened), oldest first.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Vec::is_empty"))]
    pub earlier: Vec<CallbackRound>,
}

/// The callback of one round of a reopened case.
///
/// ```
/// use charter::decide::State;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/dissatisfied-callback.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/dissatisfied-callback.json` at noon on 30 November 2026.
/// // The customer was not satisfied: the case was reopened, and this round waits for its
/// // resolution.
/// let callback = decision.callback.as_ref().expect("the office calls back");
/// assert_eq!(callback.state, State::NotStarted);
/// let first = &callback.earlier[0];
/// assert_eq!((first.state, first.satisfied, first.reopened), (State::Met, Some(false), true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "The callback of one round of a reopened case.")
)]
pub struct CallbackRound {
    /// When it was due.
    pub due: Option<At>,
    /// When it was made.
    pub done_at: Option<At>,
    /// Its state.
    pub state: State,
    /// The customer's answer.
    pub satisfied: Option<bool>,
    /// Whether the answer reopened the case.
    pub reopened: bool,
}

/// A stage the case entered.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/stages-same-handler.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/stages-same-handler.json` at noon on 30 November 2026.
/// let review = &decision.stages[1];
/// assert_eq!(review.name, "review");
/// assert_eq!(review.handler.as_deref(), Some("张三"));
/// assert_eq!(review.role, Some("office_director"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "A stage the case entered.")
)]
pub struct StageState<'a> {
    /// The stage.
    pub name: &'a str,
    /// When.
    pub entered_at: At,
    /// Who handled it.
    pub handler: Option<String>,
    /// The role that handles it, when the policy names one (`by`): a role, the case's
    /// handling role, or that role's superior.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Option::is_none"))]
    pub role: Option<&'a str>,
}

/// What kind of finding.
///
/// ```
/// use charter::decide::FindingKind;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/stages-same-handler.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/stages-same-handler.json` at noon on 30 November 2026.
/// // One person handled both stages the policy keeps apart.
/// assert_eq!(decision.findings[0].kind, FindingKind::SeparationOfDuties);
/// assert_eq!(decision.findings[0].kind.name(), "separation_of_duties");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "schema", schemars(description = "What kind of finding."))]
pub enum FindingKind {
    /// A rule needs an attribute (or the severity) the case lacks.
    MissingAttribute,
    /// The category is neither accepted nor redirected by the scope.
    OutOfScope,
    /// No route rule takes the case and there is no `otherwise`.
    Unrouted,
    /// The case relies on `otherwise`, which the policy forbids.
    Fallback,
    /// An extension without a reason.
    ExtensionWithoutReason,
    /// Extensions beyond the policy's maximum.
    ExtensionBeyondMax,
    /// An extension of a target the policy does not let extend, for a case its `when` does not
    /// allow, past its `count`, or of no target when the policy lets none be extended.
    ExtensionRefused,
    /// An extension recorded after the deadline it would move had passed.
    ExtensionAfterBreach,
    /// The same person handled two stages that must be separate.
    SeparationOfDuties,
    /// A stage entered before the stage it follows.
    StageOrder,
    /// An escalation to the superior of a role with no `reports_to`.
    NoSuperior,
    /// A callback through another channel than the policy says.
    CallbackChannel,
    /// A callback without the satisfaction answer the policy asks for.
    SatisfactionNotRecorded,
    /// The decision needed dates past a calendar's valid range and is provisional.
    Provisional,
}

impl FindingKind {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::MissingAttribute => "missing_attribute",
            FindingKind::OutOfScope => "out_of_scope",
            FindingKind::Unrouted => "unrouted",
            FindingKind::Fallback => "fallback",
            FindingKind::ExtensionWithoutReason => "extension_without_reason",
            FindingKind::ExtensionBeyondMax => "extension_beyond_max",
            FindingKind::ExtensionRefused => "extension_refused",
            FindingKind::ExtensionAfterBreach => "extension_after_breach",
            FindingKind::SeparationOfDuties => "separation_of_duties",
            FindingKind::StageOrder => "stage_order",
            FindingKind::NoSuperior => "no_superior",
            FindingKind::CallbackChannel => "callback_channel",
            FindingKind::SatisfactionNotRecorded => "satisfaction_not_recorded",
            FindingKind::Provisional => "provisional",
        }
    }
}

/// A violation or gap in the case.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/stages-same-handler.json")))?;
/// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
/// # let decision = engine.decide(&case, now)?;
/// // The complaint office's policy; the case `examples/cases/complaint-office/stages-same-handler.json` at noon on 30 November 2026.
/// let finding = &decision.findings[0];
/// assert!(finding.message.contains("张三"), "{}", finding.message);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "A violation or gap in the case.")
)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// What, in words.
    pub message: String,
}

/// An empty decision (no case, no policy, accepted, nothing else), for
/// [`Engine::decide_into`](crate::decide::Engine::decide_into) to fill, without reasons
/// (see [`Decision::with_reasons`]).
impl Default for Decision<'_> {
    fn default() -> Self {
        Decision {
            case: String::new(),
            decision_id: None,
            input_digest: None,
            policy: PolicyId {
                name: "",
                version: "",
                effective: None,
                digest: "",
            },
            evaluated_at: At {
                secs: 0,
                tz: Tz::UTC,
            },
            provisional: false,
            acceptance: Acceptance {
                outcome: Outcome::Accepted,
                redirect_to: None,
                reason: None,
                missing_fields: Vec::new(),
                ask_by: None,
            },
            route: None,
            targets: Vec::new(),
            escalations: Vec::new(),
            callback: None,
            stages: Vec::new(),
            findings: Vec::new(),
            explain: None,
        }
    }
}

impl Decision<'_> {
    /// An empty decision that asks for its reasons: [`Engine::decide_into`](crate::decide::Engine::decide_into)
    /// records them into it, as [`Engine::decide`](crate::decide::Engine::decide) does.
    ///
    /// ```
    /// use charter::decide::Decision;
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
    /// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json`.
    /// let now = case.received_at.secs + 3600;
    /// let mut plain = Decision::default();
    /// engine.decide_into(&case, now, &mut plain)?;
    /// assert!(plain.explain.is_none());
    /// let mut explained = Decision::with_reasons();
    /// engine.decide_into(&case, now, &mut explained)?;
    /// assert!(explained.explain_text().contains("handled by `office_director`"));
    /// // Everything else is the same decision.
    /// assert_eq!(format!("{:?}", plain.targets), format!("{:?}", explained.targets));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_reasons() -> Self {
        Decision {
            explain: Some(Vec::new()),
            ..Decision::default()
        }
    }

    /// Why a case that is not redirected has no role, if it has none: the route rule that
    /// needs attributes the case lacks, or no rule matching and no `otherwise`.
    ///
    /// ```
    /// use charter::decide::{Case, FindingKind};
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// // The first route rule asks for the severity, which this case does not give.
    /// let case = Case::builder("C-9", "2026-11-16T10:00:00+08:00")
    ///     .channel("web")
    ///     .category("billing")
    ///     .attribute("amount", 200)
    ///     .build()?;
    /// let decision = engine.decide(&case, case.received_at.secs)?;
    /// let route = decision.route.as_ref().expect("billing is accepted");
    /// assert_eq!((route.role, route.missing.as_slice()), (None, &["severity"][..]));
    /// assert_eq!(decision.unrouted().map(|f| f.kind), Some(FindingKind::MissingAttribute));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unrouted(&self) -> Option<&Finding> {
        let route = self.route.as_ref()?;
        if route.role.is_some() {
            return None;
        }
        let kind = if route.missing.is_empty() {
            FindingKind::Unrouted
        } else {
            FindingKind::MissingAttribute
        };
        self.findings.iter().find(|f| f.kind == kind)
    }

    /// The explanation as text, one reason per line.
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
    /// let text = decision.explain_text();
    /// assert!(text.starts_with(" 1. received 2026-11-20T17:45:00+08:00"), "{text}");
    /// assert!(text.contains("handled by `office_director`"), "{text}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain_text(&self) -> String {
        let mut out = String::new();
        for (i, sentence) in self.sentences().enumerate() {
            out.push_str(&format!("{:>2}. {sentence}\n", i + 1));
        }
        out
    }
}

/// A decision serializes as the one JSON writer writes it (`json.rs`): the bytes are handed
/// to the serializer as a raw JSON value, so a program that serializes a decision with serde
/// gets exactly what `charter decide`, the batch and the service write.
impl Serialize for Decision<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::new();
        self.write_json(&mut out);
        let text = String::from_utf8(out).map_err(serde::ser::Error::custom)?;
        let raw =
            serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl Piece for State {
    fn put(&self, sink: &mut impl Sink) {
        sink.text(self.name());
    }
}

#[cfg(test)]
mod tests {
    use super::percent_used;
    use proptest::prelude::*;

    fn by_float(consumed: i64, budget: i64) -> f64 {
        (consumed as f64 * 1000.0 / budget as f64).round() / 10.0
    }

    #[test]
    fn percent_used_rounds_halves_up() {
        assert_eq!(percent_used(1, 2000), 0.1);
        assert_eq!(percent_used(1, 2001), 0.0);
        assert_eq!(percent_used(3, 4), 75.0);
        assert_eq!(percent_used(0, 60), 0.0);
        assert_eq!(percent_used(120, 60), 200.0);
        assert_eq!(percent_used(5, 0), 100.0);
    }

    proptest! {
        /// The integer division gives what the floating-point formula gives, for budgets up to
        /// a century and anything consumed, over the budget included.
        #[test]
        fn percent_used_is_the_floating_point_formula(
            budget in 1i64..3_155_760_000,
            consumed in prop_oneof![0i64..10_000, 0i64..3_155_760_000, 0i64..(1 << 41)],
        ) {
            prop_assert_eq!(percent_used(consumed, budget), by_float(consumed, budget));
        }

        /// Exact halves, where a careless rounding would differ: with a budget of 2000 m,
        /// (2k + 1) m consumed is k + 1/2 tenths of a percent.
        #[test]
        fn percent_used_agrees_on_halves(k in 0i64..100_000, m in 1i64..1_000_000) {
            let (consumed, budget) = ((2 * k + 1) * m, 2000 * m);
            prop_assert_eq!(percent_used(consumed, budget), by_float(consumed, budget));
            prop_assert_eq!(percent_used(consumed, budget), (k + 1) as f64 / 10.0);
        }
    }
}
