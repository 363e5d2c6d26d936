//! Deciding one case against one version, in the order a complaint office works: acceptance,
//! calendar, route, targets (with pauses, extensions, rounds and cycles), escalations, the
//! callback, stages. Each step records its reasons for `explain`.

use chrono_tz::Tz;
use smallvec::{SmallVec, smallvec};

use crate::check::{Callback, Cond, Escalation, Policy, Rule, Target, Trigger, Whom};
use crate::decide::DecideError;
use crate::decide::case::Case;
use crate::decide::decision::*;
use crate::decide::engine::{RuleRef, Version};
use crate::decide::eval::{Needed, Truth, eval};
use crate::decide::explain::{CalendarChoice, Reason};
use crate::decide::names::{Kind, numbered_targets};
use crate::decide::validate::{Ev, Facts};
use crate::time::{Calendar, Clock, Pause, Span, Started, TimeError, normalise_pauses};

/// A stretch of the case between reopenings: events `first..end`, starting at `start`.
#[derive(Debug, Clone, Copy)]
struct Round {
    start: i64,
    first: usize,
    end: usize,
}

/// The latest cycle of a target, kept for its escalation ladders.
struct Clocked<'a> {
    /// The number of the first target of its name (see `Names::target_names`).
    name: usize,
    stage: Option<usize>,
    calendar: &'a Calendar,
    clock: Clock,
    /// The clock from the cycle's start, which escalations ask again.
    start: Option<Started<'a>>,
    stop: Option<i64>,
    budget: i64,
    deadline: Option<i64>,
    pauses: Pauses,
    /// Whether an escalation ladder follows the target, so that its earlier plans are kept
    /// (in the context's `plans`, under `slot`).
    followed: bool,
    /// Its position in the list of clocks.
    slot: usize,
    /// When the current plan was made: its cycle's start, or its latest extension.
    since: i64,
    /// The instant the current cycle is judged at (the decision's, or its round's end).
    until: i64,
}

/// One plan of a target's clock, as an escalation step reads it.
struct Timing<'c, 's> {
    cal: &'c Calendar,
    clock: Clock,
    /// The clock from the plan's start (kept, as it caches what it has looked up).
    from: Option<&'s mut Started<'c>>,
    budget: i64,
    deadline: Option<i64>,
    stop: Option<i64>,
    pauses: &'s [Pause],
}

/// An earlier plan of a target's clock: made at `since`, it held until `until` (a later
/// extension, the end of its cycle, or the end of its round).
struct Plan {
    since: i64,
    start: i64,
    stop: Option<i64>,
    budget: i64,
    deadline: Option<i64>,
    pauses: Pauses,
    until: i64,
}

/// A cycle's pauses: usually none or one, so they live inline.
type Pauses = SmallVec<[Pause; 2]>;

/// The scratch lists of one decision are short (a round or two, a few targets); they live on
/// the stack unless a case is unusual.
type Rounds = SmallVec<[Round; 2]>;
type ClockedList<'a> = SmallVec<[Clocked<'a>; 4]>;

/// A target that applies.
#[derive(Clone, Copy)]
struct Choice<'a> {
    target: &'a Target,
    stage: Option<usize>,
    /// Its number among all the policy's targets (SLA targets in order, then stage targets),
    /// which names its shared definition.
    number: usize,
    /// The number of the first target of its name.
    name: usize,
}

struct Ctx<'a, 'e> {
    version: &'a Version,
    policy: &'a Policy,
    case: &'a Case,
    facts: &'e Facts<'a>,
    tz: Tz,
    /// Whether calendars that allow it are used past their valid range.
    provisional: bool,
    /// Earlier plans of the clocks that ladders follow, oldest first, each with its clock's
    /// slot: ended cycles and rounds, and a cycle before each extension re-planned it. Their
    /// fired steps stay in the decision.
    plans: Vec<(usize, Plan)>,
    reasons: Vec<Reason<'a>>,
    findings: Vec<Finding>,
}

/// Decides `case` (already validated into `facts`) under `version`, into `out`, whose lists
/// are emptied and refilled: their memory, and that of each target's list of cycles, is
/// reused.
///
/// A decision that needs a date past a calendar's `valid` range is refused, unless that
/// calendar says `beyond valid provisional`: then the case is decided again with such
/// calendars extended by their weekly hours and yearly holidays, and the decision is marked
/// provisional, with a finding that names the calendar and the end of its range.
pub(crate) fn decide_into<'a>(
    version: &'a Version,
    case: &'a Case,
    facts: &Facts<'a>,
    out: &mut Decision<'a>,
) -> Result<(), DecideError> {
    match attempt(version, case, facts, out, false) {
        Err(DecideError::Time {
            error: TimeError::OutOfRange(range),
            ..
        }) if has_beyond(version, &range.calendar) => {
            attempt(version, case, facts, out, true)?;
            out.provisional = true;
            out.findings.push(Finding {
                kind: FindingKind::Provisional,
                message: format!(
                    "calendar `{}` is valid to {}, and this decision needs {}: it is provisional, counting only the weekly hours and yearly holidays past that date; add the official holidays and working days to the calendar once published, and decide again",
                    range.calendar, range.last, range.date
                ),
            });
            Ok(())
        }
        other => other,
    }
}

/// Whether the calendar named `name` may be used past its valid range.
#[cold]
fn has_beyond(version: &Version, name: &str) -> bool {
    (version.policy.calendars.iter()).any(|c| c.named.name == name && c.beyond.is_some())
}

/// One try at deciding: with `provisional`, calendars that allow it are used past their
/// valid range.
fn attempt<'a>(
    version: &'a Version,
    case: &'a Case,
    facts: &Facts<'a>,
    out: &mut Decision<'a>,
    provisional: bool,
) -> Result<(), DecideError> {
    let time = |error| DecideError::Time {
        id: case.id.clone(),
        error,
    };
    let policy = &version.policy;
    let tz = policy.timezone;
    out.provisional = false;
    let mut cx = Ctx {
        version,
        policy,
        case,
        facts,
        tz,
        provisional,
        plans: Vec::new(),
        reasons: std::mem::take(&mut out.explain),
        findings: std::mem::take(&mut out.findings),
    };
    empty_with_room(&mut cx.reasons, 16);
    cx.findings.clear();
    cx.reasons.push(Reason::Version {
        received: cx.at(cx.facts.received),
    });
    if cx.facts.later_events > 0 {
        cx.reasons.push(Reason::LaterEvents {
            count: cx.facts.later_events,
            now: cx.at(cx.facts.now),
        });
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
    out.case = &case.id;
    out.policy = PolicyId {
        name: &policy.name,
        version: &policy.version,
        effective: policy.effective,
        digest: &version.digest,
    };
    out.evaluated_at = cx.at(cx.facts.now);
    out.findings = cx.findings;
    out.explain = cx.reasons;
    Ok(())
}

/// Empties `list` and makes room for `n` entries.
fn empty_with_room<T>(list: &mut Vec<T>, n: usize) {
    list.clear();
    room_for(list, n);
}

/// Makes room in `list` for `n` entries in all: a list without memory gets it at once (not
/// through the growth path of `reserve`), one that has some keeps it and grows if it must.
fn room_for<T>(list: &mut Vec<T>, n: usize) {
    if list.capacity() == 0 {
        *list = Vec::with_capacity(n);
    } else {
        list.reserve(n.saturating_sub(list.len()));
    }
}

impl<'a, 'e> Ctx<'a, 'e> {
    fn finding(&mut self, kind: FindingKind, message: String) {
        self.findings.push(Finding { kind, message });
    }

    fn at(&self, secs: i64) -> At {
        At { secs, tz: self.tz }
    }

    /// The events up to `now`, oldest first.
    fn events(&self) -> &'e [Ev<'a>] {
        &self.facts.events
    }

    /// The first of events `from..end` whose kind is one of `kinds`: from the masks of where
    /// each kind is, or by a scan when they do not hold those kinds or events.
    #[inline]
    fn first_of(&self, kinds: &[Kind], from: usize, end: usize) -> Option<usize> {
        let known = &self.facts.kinds;
        let mut mask = 0;
        for &kind in kinds {
            match known.mask(kind, from, end) {
                Some(m) => mask |= m,
                None => {
                    let events = self.events().get(from..end)?;
                    return events
                        .iter()
                        .position(|e| kinds.contains(&e.kind))
                        .map(|i| from + i);
                }
            }
        }
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }

    /// Evaluates a condition; an unknown answer is a finding naming what is missing, and
    /// counts as not applying.
    fn applies(&mut self, when: Option<&Cond>, what: impl FnOnce() -> String) -> Truth {
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

    fn needed_names(&self, needed: &[Needed]) -> Vec<&'a str> {
        needed
            .iter()
            .map(|n| match n {
                Needed::Severity => "severity",
                Needed::Attribute(i) => self
                    .policy
                    .attributes
                    .get(*i)
                    .map_or("?", |a| a.named.name.as_str()),
            })
            .collect()
    }

    /// The calendar chosen for the case: a `calendars` rule, its `otherwise`, or the policy's
    /// default. `None` when the policy has no calendar (elapsed targets only).
    fn case_calendar(&mut self) -> Option<usize> {
        let policy = self.policy;
        let rules: &'a [Rule] = &policy.calendar_rules;
        for rule in rules {
            match self.applies(Some(&rule.when), || "the calendar choice".to_string()) {
                Truth::True => {
                    self.reasons.push(Reason::Calendar {
                        calendar: &policy.calendars[rule.target].named.name,
                        choice: CalendarChoice::Rule,
                    });
                    return Some(rule.target);
                }
                Truth::False => {}
                Truth::Unknown => break,
            }
        }
        let (index, choice) = match (&policy.calendar_otherwise, policy.default_calendar) {
            (Some(o), _) => (o.target, CalendarChoice::Otherwise),
            (None, Some(d)) => (d, CalendarChoice::Default),
            (None, None) => return None,
        };
        self.reasons.push(Reason::Calendar {
            calendar: &policy.calendars[index].named.name,
            choice,
        });
        Some(index)
    }

    fn calendar(&self, index: Option<usize>) -> (&'a Calendar, Option<&'a str>) {
        calendar_of(self.version, index, self.provisional)
    }

    fn acceptance(&mut self, calendar: Option<usize>) -> Result<Acceptance<'a>, TimeError> {
        let policy = self.policy;
        let scope = &policy.scope;
        let category = &policy.categories[self.facts.category].name;
        let mut acceptance = Acceptance {
            outcome: Outcome::Accepted,
            redirect_to: None,
            reason: None,
            missing_fields: Vec::new(),
            ask_by: None,
        };
        let everything = scope.accepted.is_empty() && scope.redirects.is_empty();
        if let Some(r) = scope
            .redirects
            .iter()
            .find(|r| r.categories.contains(&self.facts.category))
        {
            acceptance.outcome = Outcome::Redirected;
            acceptance.redirect_to = Some(&r.to.text);
            acceptance.reason = Some(&r.reason.text);
            self.reasons.push(Reason::Redirected {
                category,
                to: &r.to.text,
            });
            return Ok(acceptance);
        }
        if !everything && !scope.accepted.contains(&self.facts.category) {
            acceptance.outcome = Outcome::Redirected;
            acceptance.reason = Some("the category is outside the policy's scope");
            self.finding(FindingKind::OutOfScope, format!(
                    "category `{category}` is neither accepted nor redirected by the scope; add it to `accept` or `redirect`"
                ));
            self.reasons.push(Reason::OutOfScope { category });
            return Ok(acceptance);
        }
        self.reasons.push(Reason::Accepted {
            category,
            everything,
        });
        if !self.facts.missing_fields.is_empty() {
            acceptance.outcome = Outcome::Incomplete;
            acceptance.missing_fields = self
                .facts
                .missing_fields
                .iter()
                .map(|&i| policy.fields[i].named.name.as_str())
                .collect();
            if let Some((span, on)) = scope.incomplete {
                let (cal, _) = self.calendar(on.or(calendar));
                acceptance.ask_by = Some(self.at(cal.add(self.facts.received, span)?));
            }
            self.reasons.push(Reason::Incomplete {
                within: scope.incomplete.map(|(s, _)| s),
            });
        }
        Ok(acceptance)
    }

    /// The route, and the index of the handling role.
    fn route(&mut self) -> (Route<'a>, Option<usize>) {
        let policy = self.policy;
        let version = self.version;
        let mut route = Route {
            role: None,
            title: None,
            department: None,
            rule: None,
            missing: Vec::new(),
            json: None,
        };
        let mut chosen = None;
        for (i, rule) in policy.routes.iter().enumerate() {
            let cited = &rule.cited;
            let mut needed = Vec::new();
            match eval(&rule.when, self.facts, &mut needed) {
                Truth::True => {
                    chosen = Some((rule.target, cited, i));
                    self.reasons.push(Reason::RuleMatched {
                        rule: cited,
                        role: &policy.roles[rule.target].named.name,
                    });
                    break;
                }
                Truth::False => self.reasons.push(Reason::RuleNotMatched { rule: cited }),
                Truth::Unknown => {
                    let names = self.needed_names(&needed);
                    self.finding(FindingKind::MissingAttribute, format!(
                            "route rule at {}:{} needs {}, which the case does not give; the case cannot be routed until it does",
                            cited.file,
                            cited.line,
                            names.join(", ")
                        ));
                    self.reasons.push(Reason::RuleUnknown { rule: cited });
                    route.missing = names;
                    return (route, None);
                }
            }
        }
        if chosen.is_none() {
            match &policy.otherwise {
                Some(o) => {
                    let cited = &o.cited;
                    chosen = Some((o.target, cited, policy.routes.len()));
                    self.reasons.push(Reason::Otherwise {
                        rule: cited,
                        role: &policy.roles[o.target].named.name,
                    });
                    if !policy.fallback_allowed {
                        self.finding(FindingKind::Fallback, format!(
                                "no route rule matches, and the policy forbids relying on `otherwise` ({}:{}); add a rule for this case",
                                cited.file, cited.line
                            ));
                    }
                }
                _ => {
                    self.finding(FindingKind::Unrouted, "no route rule matches and the policy has no `otherwise`; add a rule or an `otherwise -> ROLE`".into());
                    self.reasons.push(Reason::NoRoute);
                }
            }
        }
        let handler = chosen.map(|(role, _, _)| role);
        if let Some((role, cited, i)) = chosen {
            route = route_shown(policy, role, cited);
            route.json = version.shared.route(i);
        }
        (route, handler)
    }

    /// The target of a redirected case: the time its redirection allows to tell the
    /// complainant where to go, if it gives one; otherwise none.
    fn redirect_notice(
        &mut self,
        calendar: Option<usize>,
        states: &mut Vec<TargetState<'a>>,
    ) -> Result<(), TimeError> {
        let policy = self.policy;
        let redirect =
            (policy.scope.redirects.iter()).find(|r| r.categories.contains(&self.facts.category));
        let Some(notice) = redirect.and_then(|r| r.notice.as_ref()) else {
            states.clear();
            return Ok(());
        };
        let Some(number) = numbered_targets(policy).position(|(t, _, _)| std::ptr::eq(t, notice))
        else {
            states.clear();
            return Ok(());
        };
        let choice = Choice {
            target: notice,
            stage: None,
            number,
            name: number,
        };
        let rounds: Rounds = smallvec![Round {
            start: self.facts.received,
            first: 0,
            end: self.events().len(),
        }];
        let mut clocked = ClockedList::new();
        let mut used = 0;
        room_for(states, 1);
        self.target(choice, calendar, &rounds, &mut clocked, states, &mut used)?;
        states.truncate(used);
        Ok(())
    }

    /// The first callback rule that applies, and its number.
    fn callback_rule(&mut self) -> Option<(usize, &'a Callback)> {
        let policy = self.policy;
        for (number, rule) in policy.callbacks.iter().enumerate() {
            let what = || format!("callback rule `{}`", rule.named.name);
            if self.applies(rule.when.as_ref(), what) == Truth::True {
                return Some((number, rule));
            }
        }
        None
    }

    /// Splits the events into rounds: a `reopened` event starts a new round (and belongs to
    /// it); so does a dissatisfied callback when the callback rule says `dissatisfied reopen`
    /// (the callback belongs to the round it closes). A case can only be reopened once it has
    /// been resolved or closed in the current round.
    fn rounds(&mut self, callback: Option<&Callback>) -> Rounds {
        let reopen_on_dissatisfied = callback.is_some_and(|c| c.reopen_if_dissatisfied);
        let mut rounds: Rounds = smallvec![Round {
            start: self.facts.received,
            first: 0,
            end: self.events().len(),
        }];
        let kinds = &self.facts.kinds;
        let may_reopen = kinds.may_have(Kind::REOPENED)
            || (reopen_on_dissatisfied && kinds.may_have(Kind::CALLBACK));
        if !may_reopen {
            return rounds;
        }
        let mut resolved = false;
        for (i, ev) in self.events().iter().enumerate() {
            let (starts_at, first) = match ev.kind {
                k if k.closing() => {
                    resolved = true;
                    continue;
                }
                Kind::REOPENED => (ev.at, i),
                Kind::CALLBACK if reopen_on_dissatisfied && ev.event.satisfied == Some(false) => {
                    (ev.at, i + 1)
                }
                _ => continue,
            };
            if !resolved {
                continue;
            }
            resolved = false;
            if let Some(last) = rounds.last_mut() {
                last.end = first;
            }
            rounds.push(Round {
                start: starts_at,
                first,
                end: self.events().len(),
            });
            self.reasons.push(Reason::Reopened {
                at: self.at(starts_at),
                round: rounds.len(),
                by_callback: ev.kind == Kind::CALLBACK,
            });
        }
        rounds
    }

    /// The targets that apply: SLA blocks in order (a later block's target replaces an
    /// earlier one of the same name), then the targets of each stage entered.
    fn targets(
        &mut self,
        calendar: Option<usize>,
        rounds: &[Round],
        clocked: &mut ClockedList<'a>,
        states: &mut Vec<TargetState<'a>>,
    ) -> Result<(), TimeError> {
        let policy = self.policy;
        // The number of a target names its shared definition.
        let mut chosen: SmallVec<[Choice<'a>; 4]> = SmallVec::new();
        let mut number = 0;
        for sla in &policy.slas {
            let first = number;
            number += sla.targets.len();
            let what = || format!("sla `{}`", sla.named.name);
            match self.applies(sla.when.as_ref(), what) {
                Truth::True => {
                    self.reasons.push(Reason::SlaApplies {
                        sla: &sla.named.name,
                        conditional: sla.when.is_some(),
                    });
                    let names = &self.version.names.target_names;
                    for (j, t) in sla.targets.iter().enumerate() {
                        let number = first + j;
                        let name = names.get(number).copied().unwrap_or(number);
                        let choice = Choice {
                            target: t,
                            stage: None,
                            number,
                            name,
                        };
                        match chosen.iter_mut().find(|c| c.name == name) {
                            Some(slot) => *slot = choice,
                            None => chosen.push(choice),
                        }
                    }
                }
                Truth::False | Truth::Unknown => {}
            }
        }
        for (i, stage) in policy.stages.iter().enumerate() {
            let first = number;
            number += stage.targets.len();
            if self.facts.kinds.may_have(Kind::STAGE)
                && self
                    .events()
                    .iter()
                    .any(|e| e.stage == Some(i) && e.kind == Kind::STAGE)
            {
                for (j, t) in stage.targets.iter().enumerate() {
                    chosen.push(Choice {
                        target: t,
                        stage: Some(i),
                        number: first + j,
                        name: first + j,
                    });
                }
            }
        }
        // The list's earlier entries are overwritten in place, keeping their lists of cycles.
        let mut used = 0;
        room_for(states, chosen.len());
        for &choice in &chosen {
            self.target(choice, calendar, rounds, clocked, states, &mut used)?;
        }
        states.truncate(used);
        if self.facts.kinds.may_have(Kind::EXTENDED) {
            self.extensions_of_nothing(states);
        }
        Ok(())
    }

    /// Extensions that move no target: of a target that does not apply to the case, or
    /// naming none when the policy lets none be extended. Each is a finding, never dropped.
    #[cold]
    fn extensions_of_nothing(&mut self, states: &[TargetState<'a>]) {
        for e in self.events().iter().filter(|e| e.kind == Kind::EXTENDED) {
            let at = self.at(e.at);
            let why = match e.event.target.as_deref() {
                None if self.policy.extensions.is_empty() => {
                    "the policy lets no target be extended".to_string()
                }
                Some(t) if !states.iter().any(|s| s.target.name == t) => {
                    format!("target `{t}` does not apply to this case")
                }
                _ => continue,
            };
            self.finding(
                FindingKind::ExtensionRefused,
                format!("the extension at {at} is not applied: {why}"),
            );
        }
    }

    fn target(
        &mut self,
        Choice {
            target,
            stage,
            number: slot,
            name,
        }: Choice<'a>,
        calendar: Option<usize>,
        rounds: &[Round],
        clocked: &mut ClockedList<'a>,
        states: &mut Vec<TargetState<'a>>,
        used: &mut usize,
    ) -> Result<(), TimeError> {
        let resolved = target.calendar.or(calendar);
        let (cal, _) = self.calendar(resolved);
        let clock = target.span.clock();
        // The state and the run are filled where they lie in their lists, cycle by cycle,
        // rather than built and moved: together they are a few hundred bytes.
        let index = *used;
        let Some(def) = self.version.shared.target(slot, resolved) else {
            return Ok(());
        };
        match states.get_mut(index) {
            Some(state) => state.reset(def),
            None => states.push(TargetState::new(def)),
        }
        *used += 1;
        clocked.push(Clocked {
            name,
            stage,
            calendar: cal,
            clock,
            start: None,
            stop: None,
            budget: 0,
            deadline: None,
            pauses: Pauses::new(),
            followed: self.version.names.ladder_targets.contains(&Some(name)),
            slot: clocked.len(),
            since: 0,
            until: 0,
        });
        let (Some(state), Some(run)) = (states.get_mut(index), clocked.last_mut()) else {
            return Ok(());
        };
        let (start_kind, stop_kinds) = self.version.names.kinds.target(slot);
        // Cycles recorded so far; the current one is in the state's own fields, and the list
        // of cycles is kept only once there are two.
        let mut cycles = 0usize;
        let mut ran = false;
        let events = self.events();
        for (r, round) in rounds.iter().enumerate() {
            let (first, end) = (round.first, round.end);
            // A round that a reopening ended is judged as it stood then.
            let horizon = rounds
                .get(r + 1)
                .map_or(self.facts.now, |next| next.start.min(self.facts.now));
            // A stage's target runs only once the stage is entered in this round; its start
            // event (the entry itself unless it says `from`) is looked for from there on.
            let entry = stage.map(|s| {
                events[first..end]
                    .iter()
                    .position(|e| e.kind == Kind::STAGE && e.stage == Some(s))
                    .map(|i| first + i)
            });
            // The start instant, and the index of the first event that can stop the cycle.
            let start = match (start_kind, entry) {
                (_, Some(None)) => None,
                (Kind::STAGE, Some(Some(i))) => Some(i),
                (Kind::RECEIVED, _) => None,
                (kind, Some(Some(i))) => self.first_of(&[kind], i + 1, end),
                (kind, None) => self.first_of(&[kind], first, end),
            };
            // The index of the event that started the current cycle, for `from each`.
            let mut started_by = start;
            let (mut start, mut from) = match (start, start_kind, entry) {
                (Some(i), _, _) => (events[i].at, i + 1),
                (None, Kind::RECEIVED, None | Some(Some(_))) => (round.start, first),
                (None, _, _) => {
                    next_cycle(state, &mut cycles);
                    state.set_current(Cycle::not_started());
                    continue;
                }
            };
            loop {
                // One stop event is the common case, and a one-kind search the cheapest.
                let stop = match stop_kinds {
                    [one] => self.first_of(&[*one], from, end),
                    many => self.first_of(many, from, end),
                };
                let closed = if target.recurring {
                    self.first_of(&[Kind::RESOLVED, Kind::CLOSED], from, end)
                } else {
                    None
                };
                // A recurring target's cycle ends at its stop event, or for good when the case
                // is resolved or closed.
                let (stop, ends_round) = match (stop, closed) {
                    (Some(s), Some(c)) if c < s => (Some(c), true),
                    (None, Some(c)) => (Some(c), true),
                    (s, _) => (s, false),
                };
                let stop_at = stop.map(|i| events[i].at);
                next_cycle(state, &mut cycles);
                self.cycle(target, state, run, (start, stop_at), horizon)?;
                ran = true;
                match (stop, stop_at) {
                    (Some(i), Some(at)) if target.recurring && !ends_round => {
                        start = at;
                        from = i + 1;
                    }
                    // Per occurrence: the next start event opens the next clock, whether or not
                    // this one has stopped.
                    _ if target.each => {
                        let next =
                            started_by.and_then(|s| self.first_of(&[start_kind], s + 1, end));
                        let Some(j) = next else { break };
                        started_by = Some(j);
                        start = events[j].at;
                        from = j + 1;
                    }
                    _ => break,
                }
            }
        }
        if cycles > 1 {
            state.cycles.push(state.current());
            if target.each {
                // The target is its worst occurrence (the first of them).
                let worst = (state.cycles.iter())
                    .enumerate()
                    .max_by_key(|(i, c)| (c.state.badness(), std::cmp::Reverse(*i)))
                    .map(|(_, c)| c.clone());
                if let Some(worst) = worst {
                    state.set_current(worst);
                }
            }
        }
        if ran {
            self.reasons.push(Reason::Target {
                target: index,
                started_at: run.start.map(|s| self.at(s.start())),
                budget: run.budget,
                pauses: u32::try_from(run.pauses.len()).unwrap_or(u32::MAX),
                cycles: u32::try_from(cycles.max(1)).unwrap_or(u32::MAX),
            });
        } else {
            self.reasons.push(Reason::TargetNotStarted {
                name: &target.name,
                start_event: &target.start,
            });
        }
        Ok(())
    }

    /// One run of a target's clock from `start`, stopped at `stop` (if it has stopped), as it
    /// stands at `now` (the decision's instant, or the end of its round): its cycle is
    /// written into the state's current fields, its clock into `run`.
    fn cycle(
        &mut self,
        target: &'a Target,
        state: &mut TargetState<'a>,
        run: &mut Clocked<'a>,
        (start, stop): (i64, Option<i64>),
        now: i64,
    ) -> Result<(), TimeError> {
        let (cal, clock) = (run.calendar, run.clock);
        let end = stop.unwrap_or(now);
        if run.followed
            && let Some(from) = run.start
        {
            // The cycle before this one is history for the ladders.
            let plan = Plan {
                since: run.since,
                start: from.start(),
                stop: run.stop,
                budget: run.budget,
                deadline: run.deadline,
                pauses: run.pauses.clone(),
                // A cycle held until the next began; occurrences of a target per occurrence
                // run side by side, each until the instant it is judged at.
                until: if target.each { run.until } else { start },
            };
            self.plans.push((run.slot, plan));
        }
        run.since = start;
        run.until = now;
        let pauses = &mut run.pauses;
        pauses.clear();
        let mut extensions: SmallVec<[&Ev<'a>; 2]> = SmallVec::new();
        // Only pauses, resumptions and extensions matter here.
        let kinds = &self.facts.kinds;
        let interrupted = [Kind::PAUSED, Kind::RESUMED, Kind::EXTENDED]
            .into_iter()
            .any(|k| kinds.may_have(k));
        let events = if interrupted { self.events() } else { &[] };
        // Events are in time order (validation refuses others). A pause still open when the
        // cycle starts counts from the start: the clock is stopped from its first instant.
        let mut open_at_start = None;
        for e in events {
            if e.at > end {
                break;
            }
            let mine = || e.event.target.as_deref().is_none_or(|t| t == target.name);
            if e.at < start {
                match e.kind {
                    Kind::PAUSED if mine() => open_at_start = Some(e.at),
                    // A resolved or closed case is no longer paused.
                    Kind::RESUMED if mine() => open_at_start = None,
                    k if k.closing() => open_at_start = None,
                    _ => {}
                }
                continue;
            }
            if let Some(paused) = open_at_start.take() {
                self.paused_at_start(target, paused, start, pauses);
            }
            match e.kind {
                Kind::PAUSED if mine() => pauses.push(Pause {
                    from: e.at,
                    to: None,
                }),
                Kind::RESUMED if mine() => {
                    if let Some(p) = pauses.iter_mut().rev().find(|p| p.to.is_none()) {
                        p.to = Some(e.at);
                    }
                }
                Kind::EXTENDED => extensions.push(e),
                _ => {}
            }
        }
        if let Some(paused) = open_at_start {
            self.paused_at_start(target, paused, start, pauses);
        }
        if let Some(stop) = stop {
            for p in pauses.iter_mut().filter(|p| p.to.is_none()) {
                p.to = Some(stop);
            }
        }
        if pauses.len() > 1 {
            *pauses = normalise_pauses(std::mem::take(pauses).into_vec()).into();
        }
        let mut from = cal.start_at(start);
        let (unpaused, mut budget) = from.deadline_and_budget(target.span)?;
        let mut deadline = if pauses.is_empty() {
            Some(unpaused)
        } else {
            from.reach(clock, budget, pauses)?
        };
        if !extensions.is_empty() {
            let base = Base {
                cal,
                clock,
                start,
                budget,
                pauses,
                stop,
            };
            let plans = run.followed.then_some((run.slot, &mut run.since));
            let (extra, moved) =
                self.extensions(target, &base, deadline, &extensions, state, plans)?;
            budget += extra;
            deadline = moved;
        }
        let consumed = from.consumed(clock, end, pauses)?;
        let percent = percent_used(consumed, budget);
        let paused_now = stop.is_none() && pauses.iter().any(|p| p.from <= now && p.to.is_none());
        let late = if target.aim {
            State::Missed
        } else {
            State::Breached
        };
        state.state = match (stop, deadline) {
            (Some(s), Some(d)) if s <= d => State::Met,
            (Some(_), _) => late,
            (None, Some(d)) if now > d => late,
            (None, _) if paused_now => State::Paused,
            (None, _) if percent >= self.policy.at_risk && !target.aim => State::AtRisk,
            (None, _) => State::Running,
        };
        state.started_at = Some(self.at(start));
        state.budget_seconds = Some(budget);
        state.deadline = deadline.map(|d| self.at(d));
        state.stopped_at = stop.map(|s| self.at(s));
        state.consumed_percent = Some(percent);
        run.start = Some(from);
        run.stop = stop;
        run.budget = budget;
        run.deadline = deadline;
        Ok(())
    }

    /// A target's deadline with `extra` clock time, as known at instant `at`: from the pauses
    /// begun before `at`, an open one counted as ending there.
    fn deadline_known_at(
        &self,
        base: &Base<'_>,
        extra: i64,
        at: i64,
    ) -> Result<Option<i64>, TimeError> {
        let known: Pauses = (base.pauses.iter())
            .filter(|p| p.from < at)
            .map(|p| Pause {
                from: p.from,
                to: Some(p.to.map_or(at, |t| t.min(at))),
            })
            .collect();
        base.cal
            .reach(base.clock, base.start, base.budget + extra, &known)
    }

    /// A pause recorded at `paused`, before the cycle's `start` and still open then: the
    /// cycle's clock is paused from its start.
    fn paused_at_start(
        &mut self,
        target: &'a Target,
        paused: i64,
        start: i64,
        pauses: &mut Pauses,
    ) {
        self.reasons.push(Reason::PausedAtStart {
            name: &target.name,
            paused: self.at(paused),
            start: self.at(start),
        });
        pauses.push(Pause {
            from: start,
            to: None,
        });
    }

    /// Extra budget from `extended` events. Each moves the current deadline by its `by`,
    /// counted from that deadline by the rules of targets (`10 working days` from a deadline
    /// at close of business is the close of the 10th working day after it), as clock time of
    /// the target, so pauses keep their effect. An extension needs a reason, a case the
    /// policy's `when` allows, a deadline not yet passed and room in the policy's `count`;
    /// the total never exceeds the first deadline moved by `max`.
    fn extensions(
        &mut self,
        target: &'a Target,
        base: &Base<'_>,
        mut deadline: Option<i64>,
        extensions: &[&Ev<'a>],
        state: &mut TargetState<'a>,
        mut plans: Option<(usize, &mut i64)>,
    ) -> Result<(i64, Option<i64>), TimeError> {
        let policy = self.policy;
        let (cal, clock) = (base.cal, base.clock);
        let mine = |ev: &&Ev<'a>| match ev.event.target.as_deref() {
            Some(t) => t == target.name,
            None => policy.extensions.len() == 1 && policy.extensions[0].target == target.name,
        };
        let mut mine = extensions.iter().copied().filter(mine).peekable();
        if mine.peek().is_none() {
            return Ok((0, deadline));
        }
        let name = &target.name;
        let Some(limit) = policy.extensions.iter().find(|x| x.target == *name) else {
            for ev in mine {
                let at = self.at(ev.at);
                self.finding(FindingKind::ExtensionRefused, format!(
                    "the extension of `{name}` at {at} is not applied: the policy does not let `{name}` be extended (add `extension {name} {{ max … }}`)"
                ));
            }
            return Ok((0, deadline));
        };
        let allowed = self.applies(limit.when.as_ref(), || format!("the extension of `{name}`"));
        // The first deadline moved by `max`, and the clock time to it: found once needed.
        let mut cap: Option<(i64, i64)> = None;
        let (mut total, mut granted) = (0, 0u32);
        let mut written: Option<Span> = None;
        for ev in mine {
            let at = self.at(ev.at);
            // The deadline as it stood when the extension was recorded: pauses after it, and
            // the part of an open pause after it, were not known then.
            let known = self.deadline_known_at(base, total, ev.at)?;
            let refuse = if allowed != Truth::True {
                Some((
                    FindingKind::ExtensionRefused,
                    "the policy's `when` for extending it does not hold for this case".to_string(),
                ))
            } else if ev
                .event
                .reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
            {
                Some((
                    FindingKind::ExtensionWithoutReason,
                    "it has no reason; record why the deadline moves".to_string(),
                ))
            } else if let Some(d) = known.filter(|&d| ev.at > d) {
                Some((
                    FindingKind::ExtensionAfterBreach,
                    format!(
                        "it was recorded after the deadline of {} had passed, and the target stays breached from then",
                        self.at(d)
                    ),
                ))
            } else if limit.count.is_some_and(|n| granted >= n) {
                let n = limit.count.unwrap_or(0);
                Some((
                    FindingKind::ExtensionRefused,
                    format!(
                        "the policy allows {n} extension{} of `{name}`",
                        if n == 1 { "" } else { "s" }
                    ),
                ))
            } else {
                None
            };
            if let Some((kind, why)) = refuse {
                self.finding(
                    kind,
                    format!("the extension of `{name}` at {at} is not applied: {why}"),
                );
                continue;
            }
            let Some(by) = ev.by else { continue };
            if let Some((slot, since)) = plans.as_mut() {
                // The clock as planned until this extension re-plans it.
                let plan = Plan {
                    since: std::mem::replace(*since, ev.at),
                    start: base.start,
                    stop: base.stop,
                    budget: base.budget + total,
                    deadline,
                    pauses: base.pauses.into(),
                    until: ev.at,
                };
                self.plans.push((*slot, plan));
            }
            let from = match known {
                Some(d) => d,
                None => cal.add(base.start, target.span)?,
            };
            let moved = cal.add(from, by)?;
            let extra = cal.start_at(from).consumed(clock, moved, &[])?;
            let (most_at, most) = match cap {
                Some(m) => m,
                None => {
                    let d0 = match self.deadline_known_at(base, 0, ev.at)? {
                        Some(d) => d,
                        None => cal.add(base.start, target.span)?,
                    };
                    let most_at = cal.add(d0, limit.max)?;
                    let m = (most_at, cal.start_at(d0).consumed(clock, most_at, &[])?);
                    cap = Some(m);
                    m
                }
            };
            if total + extra > most {
                self.finding(FindingKind::ExtensionBeyondMax, format!(
                    "extensions of `{name}` reach beyond the policy's maximum of {}; the deadline moves by {} only",
                    limit.max, limit.max
                ));
                total = most;
                written = Some(limit.max);
                deadline = moved_deadline(base, total, most_at, from)?;
                break;
            }
            total += extra;
            granted += 1;
            deadline = moved_deadline(base, total, moved, from)?;
            written = Some(match written {
                Some(w) if w.unit == by.unit => Span::new(w.amount + by.amount, w.unit),
                Some(w) => w,
                None => by,
            });
        }
        state.extended_by = written;
        Ok((total, deadline))
    }

    fn escalations(
        &mut self,
        handler: Option<usize>,
        clocked: &[Clocked<'a>],
        steps: &mut Vec<EscalationStep<'a>>,
    ) -> Result<(), TimeError> {
        let policy = self.policy;
        let now = self.facts.now;
        // Room for every step of every ladder, so the list grows once at most.
        empty_with_room(
            steps,
            policy.escalations.iter().map(|l| l.steps.len()).sum(),
        );
        // Counted as the steps are added: the fired ones, and the earliest pending.
        let (mut fired_steps, mut next) = (0, None);
        for (li, ladder) in policy.escalations.iter().enumerate() {
            let what = || format!("escalation `{}`", ladder.named.name);
            if self.applies(ladder.when.as_ref(), what) != Truth::True {
                continue;
            }
            // The ladder's target, found by the number of its name.
            let found = (self.version.names.ladder_targets.get(li).copied().flatten())
                .and_then(|name| clocked.iter().find(|c| c.name == name && c.stage.is_none()));
            let run = match (&ladder.target, found) {
                (Some(_), Some(run)) => Some(run),
                (Some(t), None) => {
                    self.reasons.push(Reason::LadderIdle {
                        ladder: &ladder.named.name,
                        target: t,
                    });
                    continue;
                }
                (None, _) => None,
            };
            for (si, step) in ladder.steps.iter().enumerate() {
                let to = match step.whom {
                    Whom::Role(r) => Some(r),
                    Whom::Handler => handler,
                    Whom::Superior => {
                        let sup = handler.and_then(|h| policy.roles[h].reports_to);
                        if sup.is_none()
                            && let Some(h) = handler
                        {
                            self.finding(FindingKind::NoSuperior, format!(
                                    "escalation `{}` goes to the handler's superior, but `{}` has no `reports_to`",
                                    ladder.named.name, policy.roles[h].named.name
                                ));
                        }
                        sup
                    }
                };
                let Some(def) = self.version.shared.step(li, si, to) else {
                    continue;
                };
                // Steps that fired under an earlier plan of the clock are history: they stay,
                // each at the instant it fired. A plan holds from `since` (when the one before
                // it was replaced) to its `until`; a step whose instant under a plan is before
                // that plan was made had already passed (it fired under an earlier one).
                let mut fired_at: Option<i64> = None;
                let plans = (self.plans.iter())
                    .filter_map(|(slot, plan)| run.filter(|r| r.slot == *slot).map(|r| (r, plan)));
                for (run, plan) in plans {
                    let mut from = run.calendar.start_at(plan.start);
                    let clock = Timing {
                        cal: run.calendar,
                        clock: run.clock,
                        from: Some(&mut from),
                        budget: plan.budget,
                        deadline: plan.deadline,
                        stop: plan.stop,
                        pauses: &plan.pauses,
                    };
                    let (at, cancelled) = self.step_time(&step.trigger, Some(clock))?;
                    if let Some(a) = at
                        && !cancelled
                        && (plan.since..=plan.until.min(now)).contains(&a)
                        && fired_at.is_none_or(|f| a > f)
                    {
                        steps.push(EscalationStep {
                            step: def,
                            at: Some(self.at(a)),
                            fired: true,
                            state: StepState::Fired,
                            replanned: fired_at.is_some(),
                        });
                        fired_steps += 1;
                        fired_at = Some(a);
                    }
                }
                let mut from = run.and_then(|r| r.start);
                let current = run.map(|run| Timing {
                    cal: run.calendar,
                    clock: run.clock,
                    from: from.as_mut(),
                    budget: run.budget,
                    deadline: run.deadline,
                    stop: run.stop,
                    pauses: &run.pauses,
                });
                let (at, cancelled) = self.step_time(&step.trigger, current)?;
                let since = run.map_or(i64::MIN, |r| r.since);
                if let Some(f) = fired_at
                    && at.is_none_or(|a| a <= f || a < since)
                {
                    continue;
                }
                let fired = !cancelled && at.is_some_and(|a| a <= now);
                let state = if cancelled {
                    StepState::Cancelled
                } else if fired {
                    StepState::Fired
                } else {
                    StepState::Pending
                };
                steps.push(EscalationStep {
                    step: def,
                    at: at.map(|a| self.at(a)),
                    fired,
                    state,
                    replanned: fired_at.is_some(),
                });
                fired_steps += usize::from(fired);
                if let (StepState::Pending, Some(a)) = (state, at) {
                    next = Some(next.map_or(a, |n: i64| n.min(a)));
                }
            }
        }
        if !steps.is_empty() {
            self.reasons.push(Reason::Escalations {
                steps: steps.len(),
                fired: fired_steps,
                next: next.map(|n| self.at(n)),
            });
        }
        Ok(())
    }

    /// When a step with `trigger` fires on a target's clock (none for a ladder without a
    /// target), and whether it is cancelled: the target stopped before it was due.
    #[inline]
    fn step_time(
        &self,
        trigger: &Trigger,
        clock: Option<Timing<'_, '_>>,
    ) -> Result<(Option<i64>, bool), TimeError> {
        Ok(match (trigger, clock) {
            (Trigger::Immediately, _) => (Some(self.facts.received), false),
            (_, None) => (None, false),
            (Trigger::Percent(p), Some(t)) => match t.from {
                Some(from) => {
                    let part = share(t.budget, *p);
                    let at = from.reach(t.clock, part, t.pauses)?;
                    let cancelled = matches!((t.stop, at), (Some(s), Some(a)) if s <= a);
                    (at, cancelled)
                }
                None => (None, false),
            },
            (Trigger::Breach(extra), Some(t)) => match t.deadline {
                Some(d) => {
                    let at = match extra {
                        Some(span) => t.cal.add(d, *span)?,
                        None => d,
                    };
                    (Some(at), t.stop.is_some_and(|s| s <= d))
                }
                None => (None, false),
            },
        })
    }

    /// The callback by rule `rule`, number `number` of the policy's callback rules.
    fn callback(
        &mut self,
        number: usize,
        rule: &'a Callback,
        calendar: Option<usize>,
        rounds: &[Round],
    ) -> Result<CallbackState<'a>, TimeError> {
        let policy = self.policy;
        let channel = &policy.channels[self.facts.channel];
        let via_index = rule.via.or(channel.callback).unwrap_or(self.facts.channel);
        let via = policy.channels[via_index].named.name.as_str();
        let from_event = rule
            .within
            .as_ref()
            .map_or("resolved", |(_, e, _)| e.as_str());
        let mut state = CallbackState {
            rule: &rule.named.name,
            via,
            from_event,
            due: None,
            done_at: None,
            state: State::NotStarted,
            ask_satisfaction: rule.ask_satisfaction,
            satisfied: None,
            reopened: false,
            earlier: Vec::new(),
        };
        // Each round has its own callback; the decision shows the latest, and the earlier ones
        // (those that reopened the case) under `earlier`.
        let from_kind = self.version.names.kinds.callback(number);
        for (n, round) in rounds.iter().enumerate() {
            let one = self.callback_round(rule, from_kind, calendar, round, via)?;
            if n + 1 < rounds.len() {
                if one.due.is_some() || one.done_at.is_some() {
                    state.earlier.push(one);
                }
            } else {
                state.due = one.due;
                state.done_at = one.done_at;
                state.state = one.state;
                state.satisfied = one.satisfied;
                state.reopened = one.reopened;
            }
        }
        self.reasons.push(Reason::Callback);
        Ok(state)
    }

    /// The callback of round `of`, whose time runs from its first event of kind `from_kind`.
    fn callback_round(
        &mut self,
        rule: &'a Callback,
        from_kind: Kind,
        calendar: Option<usize>,
        of: &Round,
        via: &str,
    ) -> Result<CallbackRound, TimeError> {
        let policy = self.policy;
        let (first, end) = (of.first, of.end);
        let now = self.facts.now;
        let mut round = CallbackRound {
            due: None,
            done_at: None,
            state: State::NotStarted,
            satisfied: None,
            reopened: false,
        };
        if !self.facts.kinds.may_have(from_kind) {
            return Ok(round);
        }
        let events = self.events();
        let Some(from) = self.first_of(&[from_kind], first, end) else {
            return Ok(round);
        };
        let from_at = events[from].at;
        let done = self
            .first_of(&[Kind::CALLBACK], from, end)
            .map(|i| &events[i]);
        let within = rule.within.as_ref().map(|(span, _, on)| {
            let (cal, _) = self.calendar(on.or(calendar));
            (cal, *span)
        });
        let due = match within {
            Some((cal, span)) => Some(cal.add(from_at, span)?),
            None => None,
        };
        round.due = due.map(|d| self.at(d));
        round.done_at = done.map(|d| self.at(d.at));
        round.state = match (done, due, within) {
            (Some(d), Some(due), _) if d.at <= due => State::Met,
            (Some(_), None, _) => State::Met,
            (Some(_), Some(_), _) => State::Breached,
            (None, Some(due), _) if now > due => State::Breached,
            (None, Some(due), Some((cal, span))) => {
                // The share of the allowed time used so far, on the callback's own clock.
                let used = cal.clock_between(span.clock(), from_at, now)?;
                let allowed = cal.clock_between(span.clock(), from_at, due)?.max(1);
                if used as f64 * 100.0 / allowed as f64 >= policy.at_risk {
                    State::AtRisk
                } else {
                    State::Running
                }
            }
            (None, _, _) => State::Running,
        };
        if let Some(done) = done {
            round.satisfied = done.event.satisfied;
            round.reopened = done.event.satisfied == Some(false) && rule.reopen_if_dissatisfied;
            if let Some(used) = done.event.via.as_deref()
                && used != via
            {
                self.finding(
                    FindingKind::CallbackChannel,
                    format!(
                        "the callback at {} went through `{used}`, but the policy says `{via}`",
                        self.at(done.at)
                    ),
                );
            }
            if rule.ask_satisfaction && done.event.satisfied.is_none() {
                self.finding(FindingKind::SatisfactionNotRecorded, format!(
                        "the callback at {} does not record whether the customer was satisfied, which callback rule `{}` asks for; add `\"satisfied\": true|false`",
                        self.at(done.at),
                        rule.named.name
                    ));
            }
        }
        Ok(round)
    }

    /// The stages entered, with separation of duties and order checked.
    /// The stages entered, with their handlers and roles; `handler` is the routed role.
    fn stages(&mut self, handler_role: Option<usize>) -> Vec<StageState<'a>> {
        let policy = self.policy;
        let case = self.case;
        if !self.facts.kinds.may_have(Kind::STAGE) {
            return Vec::new();
        }
        let mut entered: Vec<(usize, StageState<'a>)> = Vec::new();
        for ev in self.events() {
            let (Some(s), Kind::STAGE) = (ev.stage, ev.kind) else {
                continue;
            };
            let stage = &policy.stages[s];
            let handler = ev.event.handler.as_deref().or(if entered.is_empty() {
                case.handler.as_deref()
            } else {
                None
            });
            if let Some(after) = stage.after
                && !entered.iter().any(|(i, _)| *i == after)
            {
                self.finding(
                    FindingKind::StageOrder,
                    format!(
                        "stage `{}` was entered at {} before stage `{}`, which it follows",
                        stage.named.name,
                        self.at(ev.at),
                        policy.stages[after].named.name
                    ),
                );
            }
            for &other in &stage.separate_from {
                let earlier = entered.iter().find(|(i, _)| *i == other);
                if let (Some(h), Some((_, e))) = (handler, earlier)
                    && e.handler == Some(h)
                {
                    self.finding(FindingKind::SeparationOfDuties, format!(
                            "`{h}` handles stage `{}` and also handled stage `{}`; the policy requires different people",
                            stage.named.name, policy.stages[other].named.name
                        ));
                }
            }
            let role = match stage.by {
                Some(Whom::Role(r)) => Some(r),
                Some(Whom::Handler) => handler_role,
                Some(Whom::Superior) => handler_role.and_then(|h| policy.roles[h].reports_to),
                None => None,
            };
            entered.push((
                s,
                StageState {
                    name: &stage.named.name,
                    entered_at: self.at(ev.at),
                    handler,
                    role: role.map(|r| policy.roles[r].named.name.as_str()),
                },
            ));
        }
        entered.into_iter().map(|(_, s)| s).collect()
    }
}

/// `consumed` as a percentage of `budget`, to a tenth (half a tenth rounds up), as
/// `(consumed * 1000 / budget).round() / 10` in floating point would give it, but by integer
/// division, which is a few times cheaper than `f64::round`. Below 2^41 seconds consumed (some
/// 70,000 years) the two are the same: a quotient of integers that is not exactly a half is
/// at least `1 / (2 * budget)` from one, more than the rounding error of the division. An
/// empty budget is used up.
fn percent_used(consumed: i64, budget: i64) -> f64 {
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

/// `p` percent of `budget`, to the second (a half rounds away from zero), as
/// `(budget as f64 * p / 100.0).round()` gives it, but by integer arithmetic when `p` is a
/// whole number up to 1,000 and the budget below 2^41 seconds: the product is then exact, and
/// a hundredth that is not a half lies at least 0.01 from one, far more than the rounding
/// error of the division.
fn share(budget: i64, p: f64) -> i64 {
    let whole = p as i64;
    if whole as f64 == p && (0..=1000).contains(&whole) && (0..1 << 41).contains(&budget) {
        (budget * whole + 50) / 100
    } else {
        (budget as f64 * p / 100.0).round() as i64
    }
}

/// A target's clock before extensions.
struct Base<'c> {
    cal: &'c Calendar,
    clock: Clock,
    start: i64,
    budget: i64,
    pauses: &'c [Pause],
    /// When the cycle stopped, if it has.
    stop: Option<i64>,
}

/// The deadline of a target whose clock time allowed grew by `extra`, for an extension of
/// the deadline `from` whose deadline as written is `written` (`from` advanced by its
/// duration): that instant itself when no pause falls between the two (`2 days` on a
/// working-time target ends at 24:00, not at the last closing time, which the clock alone
/// would give), else where the clock reaches the new budget, so that later pauses push it on.
fn moved_deadline(
    base: &Base<'_>,
    extra: i64,
    written: i64,
    from: i64,
) -> Result<Option<i64>, TimeError> {
    let reached = base
        .cal
        .reach(base.clock, base.start, base.budget + extra, base.pauses)?;
    let pauses_after =
        (base.pauses.iter()).any(|p| p.from < written && p.to.is_none_or(|t| t > from));
    Ok(match reached {
        Some(r) if !pauses_after => Some(r.max(written)),
        other => other,
    })
}

/// Makes room for the next cycle of a target: the current one joins the list of cycles
/// when there is one before it.
fn next_cycle(state: &mut TargetState<'_>, cycles: &mut usize) {
    if *cycles > 0 {
        state.cycles.push(state.current());
    }
    *cycles += 1;
}

/// Calendar `index` of the version and its name, or the elapsed calendar (no name) when there
/// is none.
/// With `provisional`, a calendar that may be used past its valid range is.
fn calendar_of(
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

/// The route to `role` by rule `cited`, as a decision shows it.
fn route_shown<'a>(policy: &'a Policy, role: usize, cited: &'a RuleRef) -> Route<'a> {
    let role = &policy.roles[role];
    Route {
        role: Some(&role.named.name),
        title: Some(&role.named.label.text),
        department: role
            .department
            .and_then(|d| policy.departments.get(d))
            .map(|d| d.name.as_str()),
        rule: Some(cited),
        missing: Vec::new(),
        json: None,
    }
}

/// What a decision shows of `target` (of SLA or stage `sla`, in stage `stage`) on calendar
/// `calendar` (an index of the version's calendars), before its clock is read.
fn target_def(
    version: &Version,
    target: &Target,
    sla: &str,
    stage: Option<usize>,
    calendar: Option<usize>,
) -> TargetDef {
    let (_, cal_name) = calendar_of(version, calendar, false);
    let clock = target.span.clock();
    let mut def = TargetDef {
        name: target.name.clone(),
        stage: stage.map(|s| version.policy.stages[s].named.name.clone()),
        sla: sla.to_string(),
        clock,
        calendar: if target.span.fixed_seconds().is_some() && clock == Clock::Elapsed {
            None
        } else {
            cal_name.map(str::to_string)
        },
        within: target.span,
        recurring: target.recurring,
        aim: target.aim,
        each: target.each,
        start_event: target.start.clone(),
        stop_event: target.stop.join(" or "),
        head: Vec::new(),
    };
    def.head = crate::decide::json::target_head_json(&def);
    def
}

/// What a decision shows of `step` of `ladder` going to role `to` (an index of the policy's
/// roles), before its time is known.
fn step_def(
    policy: &Policy,
    ladder: &Escalation,
    step: &crate::check::EscalationStep,
    to: Option<usize>,
) -> StepDef {
    let role = to.map(|r| &policy.roles[r]);
    let mut def = StepDef {
        ladder: ladder.named.name.clone(),
        target: ladder.target.clone(),
        trigger: TriggerText(&step.trigger).to_string(),
        to: role.map(|r| r.named.name.clone()),
        to_title: role.map(|r| r.named.label.text.clone()),
        action: if step.escalate {
            Action::Escalate
        } else {
            Action::Notify
        },
        json: (Vec::new(), Vec::new()),
    };
    def.json = crate::decide::json::step_json(&def);
    def
}

/// What a version's decisions share, made once when the engine is built: each route's JSON,
/// the definition of each target on each calendar, and of each escalation step for each role
/// it can go to. Decisions point at the definitions instead of copying the policy's names for
/// every case, and the writer copies their JSON instead of writing and escaping those names.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// By route rule, `otherwise` last.
    routes: Vec<Vec<u8>>,
    /// By target number (see `targets`) times calendars + 1, then calendar (0: none).
    targets: Vec<TargetDef>,
    calendars: usize,
    /// By ladder, step, then role (0: none).
    steps: Vec<Vec<Vec<StepDef>>>,
}

impl Shared {
    pub(crate) fn new(version: &Version) -> Shared {
        let policy = &version.policy;
        let routes = policy
            .routes
            .iter()
            .map(|r| r.target)
            .chain(policy.otherwise.as_ref().map(|o| o.target))
            .zip(version.route_rules())
            .map(|(role, cited)| crate::decide::json::route_json(&route_shown(policy, role, cited)))
            .collect();
        let calendars = policy.calendars.len();
        let mut targets = Vec::new();
        for (target, sla, stage) in numbered_targets(policy) {
            for calendar in std::iter::once(None).chain((0..calendars).map(Some)) {
                targets.push(target_def(version, target, sla, stage, calendar));
            }
        }
        let roles = policy.roles.len();
        let steps = policy
            .escalations
            .iter()
            .map(|ladder| {
                ladder
                    .steps
                    .iter()
                    .map(|step| {
                        std::iter::once(None)
                            .chain((0..roles).map(Some))
                            .map(|to| step_def(policy, ladder, step, to))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Shared {
            routes,
            targets,
            calendars,
            steps,
        }
    }

    fn route(&self, rule: usize) -> Option<&[u8]> {
        self.routes.get(rule).map(Vec::as_slice)
    }

    /// Target `number` on calendar `calendar`.
    fn target(&self, number: usize, calendar: Option<usize>) -> Option<&TargetDef> {
        // A calendar the version does not have is no calendar, as in `calendar_of`.
        let calendar = calendar
            .filter(|&i| i < self.calendars)
            .map_or(0, |i| i + 1);
        self.targets.get(number * (self.calendars + 1) + calendar)
    }

    /// Step `step` of ladder `ladder` going to role `to`.
    fn step(&self, ladder: usize, step: usize, to: Option<usize>) -> Option<&StepDef> {
        self.steps
            .get(ladder)?
            .get(step)?
            .get(to.map_or(0, |r| r + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::{percent_used, share};
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

        /// The share of a budget an escalation step fires at is the floating-point formula's,
        /// for whole percentages (the integer path), exact halves among them, and fractional
        /// ones (the fallback).
        #[test]
        fn share_is_the_floating_point_formula(
            budget in prop_oneof![0i64..100_000, 0i64..(1 << 41)],
            p in prop_oneof![(0i64..=1000).prop_map(|p| p as f64), 0.0f64..150.0],
        ) {
            prop_assert_eq!(share(budget, p), (budget as f64 * p / 100.0).round() as i64);
        }

        #[test]
        fn share_agrees_on_halves(k in 0i64..(1 << 30), p in 1i64..=100) {
            // budget * p ends in 50: a hundredth that is exactly a half.
            let budget = k * 100 + 50;
            prop_assert_eq!(share(budget, 1.0), (budget as f64 / 100.0).round() as i64);
            prop_assert_eq!(share(budget * p, 1.0), (budget as f64 * p as f64 / 100.0).round() as i64);
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
