//! Deciding one case against one version, in the order a complaint office works: acceptance,
//! calendar, route, targets (with pauses, extensions, rounds and cycles), escalations, the
//! callback, stages. Each step records its reasons for `explain`.

use chrono_tz::Tz;
use smallvec::SmallVec;

use crate::check::{Cond, Policy, Rule, Target};
use crate::decide::case::Case;
use crate::decide::decision::*;
use crate::decide::engine::Version;
use crate::decide::eval::{Needed, Truth, eval};
use crate::decide::names::Kind;
use crate::decide::problem::DecideError;
use crate::decide::reason::{CalendarChoice, Reason};
use crate::decide::validate::{Ev, Facts};
use crate::time::{Calendar, Clock, Pause, Started, TimeError};

/// Records a reason with the context `$cx`, when the caller asked for reasons: the reason is
/// built inside the test, so that a decision without reasons does not even gather its fields
/// (a method taking the reason built it first, on the stack: some 200 instructions a case,
/// `benches/instructions.sh`).
macro_rules! reason {
    ($cx:expr, $reason:expr) => {
        if $cx.reasons_asked() {
            $cx.reasons.push($reason);
        }
    };
}
pub(super) use reason;

/// A stretch of the case between reopenings: events `first..end`, starting at `start`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Round {
    pub(super) start: i64,
    pub(super) first: usize,
    pub(super) end: usize,
}

/// The latest cycle of a target, kept for its escalation ladders.
pub(super) struct Clocked<'a> {
    /// The number of the first target of its name (see `Names::target_names`); a stage's
    /// target has its own number, so a ladder follows the SLA target of a name before a
    /// stage's target of the same name.
    pub(super) name: usize,
    pub(super) calendar: &'a Calendar,
    pub(super) clock: Clock,
    /// The clock from the cycle's start, which escalations ask again.
    pub(super) start: Option<Started<'a>>,
    pub(super) stop: Option<i64>,
    pub(super) budget: i64,
    pub(super) deadline: Option<i64>,
    pub(super) pauses: Pauses,
    /// Whether an escalation ladder follows the target, so that its earlier plans are kept
    /// (in the context's `plans`, under `slot`).
    pub(super) followed: bool,
    /// Its position in the list of clocks.
    pub(super) slot: usize,
    /// When the current plan was made: its cycle's start, or its latest extension.
    pub(super) since: i64,
    /// The instant the current cycle is judged at (the decision's, or its round's end).
    pub(super) until: i64,
}

/// One plan of a target's clock, as an escalation step reads it.
pub(super) struct Timing<'c, 's> {
    pub(super) cal: &'c Calendar,
    pub(super) clock: Clock,
    /// The clock from the plan's start (kept, as it caches what it has looked up).
    pub(super) from: Option<&'s mut Started<'c>>,
    pub(super) budget: i64,
    pub(super) deadline: Option<i64>,
    pub(super) stop: Option<i64>,
    pub(super) pauses: &'s [Pause],
}

/// An earlier plan of a target's clock: made at `since`, it held until `until` (a later
/// extension, the end of its cycle, or the end of its round).
pub(super) struct Plan {
    pub(super) since: i64,
    pub(super) start: i64,
    pub(super) stop: Option<i64>,
    pub(super) budget: i64,
    pub(super) deadline: Option<i64>,
    pub(super) pauses: Pauses,
    pub(super) until: i64,
    /// Whether an extension replaced it at `until`: granted by then, it came in time, so a
    /// step due at that very instant did not fire under this plan.
    pub(super) extended: bool,
}

/// A cycle's pauses: usually none or one, so they live inline.
pub(super) type Pauses = SmallVec<[Pause; 2]>;

/// The scratch lists of one decision are short (a round or two, a few targets); they live on
/// the stack unless a case is unusual.
pub(super) type Rounds = SmallVec<[Round; 2]>;
pub(super) type ClockedList<'a> = SmallVec<[Clocked<'a>; 4]>;

/// A target that applies.
#[derive(Clone, Copy)]
pub(super) struct Choice<'a> {
    pub(super) target: &'a Target,
    pub(super) stage: Option<usize>,
    /// Its number among all the policy's targets (SLA targets in order, then stage targets),
    /// which names its shared definition.
    pub(super) number: usize,
    /// The number of the first target of its name.
    pub(super) name: usize,
}

/// The context of one decision; with `REASONS`, it records the reasons (a decision without
/// them is compiled without the code that gathers them).
pub(super) struct Ctx<'a, 'e, 'c, const REASONS: bool> {
    pub(super) version: &'a Version,
    pub(super) policy: &'a Policy,
    pub(super) case: &'c Case,
    pub(super) facts: &'e Facts<'c>,
    pub(super) tz: Tz,
    /// Whether calendars that allow it are used past their valid range.
    pub(super) provisional: bool,
    /// Earlier plans of the clocks that ladders follow, oldest first, each with its clock's
    /// slot: ended cycles and rounds, and a cycle before each extension re-planned it. Their
    /// fired steps stay in the decision.
    pub(super) plans: Vec<(usize, Plan)>,
    pub(super) reasons: Vec<Reason<'a>>,
    pub(super) findings: Vec<Finding>,
}

/// Decides `case` (already validated into `facts`) under `version`, into `out`, whose lists
/// are emptied and refilled: their memory, and that of each target's list of cycles, is
/// reused.
///
/// A decision that needs a date past a calendar's `valid` range is refused, unless that
/// calendar says `beyond valid provisional`: then the case is decided again with such
/// calendars extended by their weekly hours and yearly holidays, and the decision is marked
/// provisional, with a finding that names the calendar and the end of its range.
pub(crate) fn decide_into<'a, 'c>(
    version: &'a Version,
    case: &'c Case,
    facts: &Facts<'c>,
    out: &mut Decision<'a>,
) -> Result<(), DecideError> {
    // Deciding without reasons is compiled on its own, without the code that gathers them.
    match out.explain {
        Some(_) => decide_with::<true>(version, case, facts, out),
        None => decide_with::<false>(version, case, facts, out),
    }
}

/// [`decide_into`], recording the reasons or not.
fn decide_with<'a, 'c, const REASONS: bool>(
    version: &'a Version,
    case: &'c Case,
    facts: &Facts<'c>,
    out: &mut Decision<'a>,
) -> Result<(), DecideError> {
    match attempt::<REASONS>(version, case, facts, out, false) {
        Err(DecideError::Time {
            error: TimeError::OutOfRange(range),
            ..
        }) if has_beyond(version, &range.calendar) => {
            attempt::<REASONS>(version, case, facts, out, true)?;
            out.provisional = true;
            let message = if range.date < range.first {
                format!(
                    "calendar `{}` is valid from {}, and this decision needs {}: it is provisional, counting only the weekly hours and yearly holidays before that date; add that year's holidays and working days to the calendar, and decide again",
                    range.calendar, range.first, range.date
                )
            } else {
                format!(
                    "calendar `{}` is valid to {}, and this decision needs {}: it is provisional, counting only the weekly hours and yearly holidays past that date; add the official holidays and working days to the calendar once published, and decide again",
                    range.calendar, range.last, range.date
                )
            };
            out.findings.push(Finding {
                kind: FindingKind::Provisional,
                message,
            });
            Ok(())
        }
        other => other,
    }
}

/// Whether the calendar named `name` may be used past its valid range.
#[cold]
pub(super) fn has_beyond(version: &Version, name: &str) -> bool {
    (version.policy.calendars.iter()).any(|c| c.named.name == name && c.beyond.is_some())
}

/// One try at deciding: with `provisional`, calendars that allow it are used past their
/// valid range.
pub(super) fn attempt<'a, 'c, const REASONS: bool>(
    version: &'a Version,
    case: &'c Case,
    facts: &Facts<'c>,
    out: &mut Decision<'a>,
    provisional: bool,
) -> Result<(), DecideError> {
    let time = |error| DecideError::Time {
        id: case.id.to_string(),
        error,
    };
    let policy = &version.policy;
    let tz = policy.timezone;
    out.provisional = false;
    let mut cx = Ctx::<REASONS> {
        version,
        policy,
        case,
        facts,
        tz,
        provisional,
        plans: Vec::new(),
        // The list is borrowed, not the request: a decision that asked for reasons still
        // asks after an error.
        reasons: out.explain.as_mut().map(std::mem::take).unwrap_or_default(),
        findings: std::mem::take(&mut out.findings),
    };
    if REASONS {
        empty_with_room(&mut cx.reasons, 16);
    }
    cx.findings.clear();
    reason!(
        cx,
        Reason::Version {
            received: cx.at(cx.facts.received),
        }
    );
    if cx.facts.later_events > 0 {
        reason!(
            cx,
            Reason::LaterEvents {
                count: cx.facts.later_events,
                now: cx.at(cx.facts.now),
            }
        );
    }
    let calendar = cx.case_calendar();
    out.acceptance = cx.acceptance(calendar).map_err(time)?;
    out.route = None;
    out.callback = None;
    out.stages.clear();
    if out.acceptance.outcome == Outcome::Redirected {
        out.escalations.clear();
        cx.redirect_notice(calendar, &mut out.targets)
            .map_err(time)?;
    } else {
        let (shown, handler) = cx.route();
        out.route = Some(shown);
        let rule = cx.callback_rule();
        let rounds = cx.rounds(rule.map(|(_, rule)| rule));
        let mut clocked = ClockedList::new();
        cx.targets(calendar, &rounds, &mut clocked, &mut out.targets)
            .map_err(time)?;
        cx.escalations(handler, &clocked, &mut out.escalations)
            .map_err(time)?;
        if let Some((number, rule)) = rule {
            out.callback = Some(cx.callback(number, rule, calendar, &rounds).map_err(time)?);
        }
        out.stages = cx.stages(handler);
    }
    out.case.clear();
    out.case.push_str(&case.id);
    // A reused decision never keeps the stamp of the case it held before.
    out.decision_id = None;
    out.input_digest = None;
    out.policy = PolicyId {
        name: &policy.name,
        version: &policy.version,
        effective: policy.effective,
        digest: &version.digest,
    };
    out.evaluated_at = cx.at(cx.facts.now);
    out.findings = cx.findings;
    out.explain = REASONS.then_some(cx.reasons);
    Ok(())
}

/// Empties `list` and makes room for `n` entries.
pub(super) fn empty_with_room<T>(list: &mut Vec<T>, n: usize) {
    list.clear();
    room_for(list, n);
}

/// Makes room in `list` for `n` entries in all: a list without memory gets it at once (not
/// through the growth path of `reserve`), one that has some keeps it and grows if it must.
#[inline(always)]
pub(super) fn room_for<T>(list: &mut Vec<T>, n: usize) {
    // A reused decision's lists usually have room already.
    if list.capacity() < n {
        grow_to(list, n);
    }
}

#[cold]
fn grow_to<T>(list: &mut Vec<T>, n: usize) {
    if list.capacity() == 0 {
        *list = Vec::with_capacity(n);
    } else {
        list.reserve(n.saturating_sub(list.len()));
    }
}

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// Whether this decision records its reasons.
    #[inline(always)]
    pub(super) fn reasons_asked(&self) -> bool {
        REASONS
    }

    pub(super) fn finding(&mut self, kind: FindingKind, message: String) {
        self.findings.push(Finding { kind, message });
    }

    pub(super) fn at(&self, secs: i64) -> At {
        At { secs, tz: self.tz }
    }

    /// The events up to `now`, oldest first.
    pub(super) fn events(&self) -> &'e [Ev<'c>] {
        &self.facts.events
    }

    /// The first of events `from..end` whose kind is one of `kinds`: from the masks of where
    /// each kind is, or, for a case with more events than they hold, by a binary search of
    /// each kind's positions.
    #[inline]
    pub(super) fn first_of(&self, kinds: &[Kind], from: usize, end: usize) -> Option<usize> {
        let known = &self.facts.kinds;
        let mut mask = 0;
        for &kind in kinds {
            match known.mask(kind, from, end) {
                Some(m) => mask |= m,
                None => return self.first_of_many(kinds, from, end),
            }
        }
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }

    /// [`Ctx::first_of`] past the masks.
    #[inline(never)]
    fn first_of_many(&self, kinds: &[Kind], from: usize, end: usize) -> Option<usize> {
        let positions = &self.facts.by_kind;
        if positions.is_empty() {
            // Asked past the end of a case the masks hold: a scan of what there is.
            let events = self.events().get(from..end)?;
            return (events.iter())
                .position(|e| kinds.contains(&e.kind))
                .map(|i| from + i);
        }
        let next = |kind: Kind| {
            let i = positions.partition_point(|&p| p < (kind, from));
            (positions.get(i))
                .filter(|&&(k, at)| k == kind && at < end)
                .map(|&(_, at)| at)
        };
        kinds.iter().filter_map(|&kind| next(kind)).min()
    }

    /// Evaluates a condition; an unknown answer is a finding naming what is missing, and
    /// counts as not applying.
    pub(super) fn applies(&mut self, when: Option<&Cond>, what: impl FnOnce() -> String) -> Truth {
        let Some(cond) = when else {
            return Truth::True;
        };
        let mut needed = Vec::new();
        let truth = eval(cond, self.facts, &mut needed);
        if truth == Truth::Unknown {
            let names = self.needed_names(&needed);
            self.finding(
                FindingKind::MissingAttribute,
                format!(
                    "{} depends on {}, which the case does not give; add it to the case",
                    what(),
                    names.join(", ")
                ),
            );
        }
        truth
    }

    pub(super) fn needed_names(&self, needed: &[Needed]) -> Vec<&'a str> {
        crate::decide::eval::needed_names(self.policy, needed)
    }

    /// The calendar chosen for the case: a `calendars` rule, its `otherwise`, or the policy's
    /// default. `None` when the policy has no calendar (elapsed targets only).
    pub(super) fn case_calendar(&mut self) -> Option<usize> {
        let policy = self.policy;
        let rules: &'a [Rule] = &policy.calendar_rules;
        // A rule whose condition is unknown does not apply (with a finding), as for an `sla`
        // or `escalate` condition; the rules after it are still tried.
        for rule in rules {
            let what = || {
                let cited = &rule.cited;
                format!("the `calendars` rule at {}:{}", cited.file, cited.line)
            };
            if self.applies(Some(&rule.when), what) == Truth::True {
                reason!(
                    self,
                    Reason::Calendar {
                        calendar: &policy.calendars[rule.target].named.name,
                        choice: CalendarChoice::Rule,
                    }
                );
                return Some(rule.target);
            }
        }
        let (index, choice) = match (&policy.calendar_otherwise, policy.default_calendar) {
            (Some(o), _) => (o.target, CalendarChoice::Otherwise),
            (None, Some(d)) => (d, CalendarChoice::Default),
            (None, None) => return None,
        };
        reason!(
            self,
            Reason::Calendar {
                calendar: &policy.calendars[index].named.name,
                choice,
            }
        );
        Some(index)
    }

    pub(super) fn calendar(&self, index: Option<usize>) -> (&'a Calendar, Option<&'a str>) {
        calendar_of(self.version, index, self.provisional)
    }
}

/// Calendar `index` of the version and its name, or the elapsed calendar (no name) when there
/// is none.
/// With `provisional`, a calendar that may be used past its valid range is.
pub(super) fn calendar_of(
    version: &Version,
    index: Option<usize>,
    provisional: bool,
) -> (&Calendar, Option<&str>) {
    match index.and_then(|i| version.policy.calendars.get(i)) {
        Some(def) => {
            let cal = match &def.beyond {
                Some(beyond) if provisional => beyond,
                _ => &def.calendar,
            };
            (cal, Some(def.named.name.as_str()))
        }
        None => (&version.elapsed, None),
    }
}
