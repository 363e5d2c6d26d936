//! Clocks and targets: which targets apply, their rounds (reopenings) and cycles (`every`),
//! pauses, and each cycle's deadline, budget and state at the decision's instant.

use smallvec::{SmallVec, smallvec};

use crate::check::{Callback, Target};
use crate::decide::decision::*;
use crate::decide::eval::Truth;
use crate::decide::names::Kind;
use crate::decide::reason::Reason;
use crate::decide::run::{
    Choice, Clocked, ClockedList, Ctx, Pauses, Plan, Round, Rounds, reason, room_for,
};
use crate::decide::validate::Ev;
use crate::time::{Calendar, Clock, Pause, TimeError, normalise_pauses};

/// `p` percent of `budget`, to the second (a half rounds away from zero), as
/// `(budget as f64 * p / 100.0).round()` gives it, but by integer arithmetic when `p` is a
/// whole number up to 1,000 and the budget below 2^41 seconds: the product is then exact, and
/// a hundredth that is not a half lies at least 0.01 from one, far more than the rounding
/// error of the division.
pub(super) fn share(budget: i64, p: f64) -> i64 {
    let whole = p as i64;
    if whole as f64 == p && (0..=1000).contains(&whole) && (0..1 << 41).contains(&budget) {
        (budget * whole + 50) / 100
    } else {
        (budget as f64 * p / 100.0).round() as i64
    }
}

/// A target's clock before extensions.
pub(super) struct Base<'c> {
    pub(super) cal: &'c Calendar,
    pub(super) clock: Clock,
    pub(super) start: i64,
    pub(super) budget: i64,
    pub(super) pauses: &'c [Pause],
    /// When the cycle stopped, if it has.
    pub(super) stop: Option<i64>,
}

/// Makes room for the next cycle of a target: the current one joins the list of cycles
/// when there is one before it.
pub(super) fn next_cycle(state: &mut TargetState<'_>, cycles: &mut usize) {
    if *cycles > 0 {
        state.cycles.push(state.current());
    }
    *cycles += 1;
}

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// Splits the events into rounds: a `reopened` event starts a new round (and belongs to
    /// it); so does a dissatisfied callback when the callback rule says `dissatisfied reopen`
    /// (the callback belongs to the round it closes). A case can only be reopened once it has
    /// been resolved or closed in the current round.
    pub(super) fn rounds(&mut self, callback: Option<&Callback>) -> Rounds {
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
            reason!(
                self,
                Reason::Reopened {
                    at: self.at(starts_at),
                    round: rounds.len(),
                    by_callback: ev.kind == Kind::CALLBACK,
                }
            );
        }
        rounds
    }

    /// The targets that apply: SLA blocks in order (a later block's target replaces an
    /// earlier one of the same name), then the targets of each stage entered.
    pub(super) fn targets(
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
                    reason!(
                        self,
                        Reason::SlaApplies {
                            sla: &sla.named.name,
                            conditional: sla.when.is_some(),
                        }
                    );
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
    /// naming none when the policy lets none be extended, or recorded while the target was
    /// not running (before it started, or after it stopped). Each is a finding, never dropped.
    #[cold]
    pub(super) fn extensions_of_nothing(&mut self, states: &[TargetState<'a>]) {
        let now = self.facts.now;
        for e in self.events().iter().filter(|e| e.kind == Kind::EXTENDED) {
            let at = self.at(e.at);
            let named = e.event.target.as_deref();
            let Some(name) = named.or(self.policy.extensions.first().map(|x| x.target.as_str()))
            else {
                self.finding(
                    FindingKind::ExtensionRefused,
                    format!(
                        "the extension at {at} is not applied: the policy lets no target be extended"
                    ),
                );
                continue;
            };
            let mine = || states.iter().filter(|s| s.target.name == name);
            if mine().next().is_none() {
                self.finding(
                    FindingKind::ExtensionRefused,
                    format!(
                        "the extension at {at} is not applied: target `{name}` does not apply to this case"
                    ),
                );
                continue;
            }
            // The cycles of the target (the current one is also in the list when there is
            // one): a cycle takes the extensions recorded from its start to its stop, or to now.
            let cycles = || {
                mine().flat_map(|s| std::iter::once(s.current()).chain(s.cycles.iter().cloned()))
            };
            let running = cycles().any(|c| {
                c.started_at.is_some_and(|a| a.secs <= e.at)
                    && c.stopped_at.map_or(now, |t| t.secs) >= e.at
            });
            if running {
                continue;
            }
            let stopped = (cycles().filter_map(|c| c.stopped_at))
                .filter(|t| t.secs < e.at)
                .max_by_key(|t| t.secs);
            let why = match stopped {
                Some(t) => format!("`{name}` was not running then; it had stopped at {t}"),
                None => format!("`{name}` had not started then"),
            };
            self.finding(
                FindingKind::ExtensionRefused,
                format!("the extension at {at} is not applied: {why}"),
            );
        }
    }

    pub(super) fn target(
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
            calendar: cal,
            clock,
            start: None,
            stop: None,
            budget: 0,
            deadline: None,
            pauses: Pauses::new(),
            followed: (self.version.names.followed.get(name)).is_some_and(|&f| f),
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
            reason!(
                self,
                Reason::Target {
                    target: index,
                    started_at: run.start.map(|s| self.at(s.start())),
                    budget: run.budget,
                    pauses: u32::try_from(run.pauses.len()).unwrap_or(u32::MAX),
                    cycles: u32::try_from(cycles.max(1)).unwrap_or(u32::MAX),
                }
            );
        } else {
            reason!(
                self,
                Reason::TargetNotStarted {
                    name: &target.name,
                    start_event: &target.start,
                }
            );
        }
        Ok(())
    }

    /// One run of a target's clock from `start`, stopped at `stop` (if it has stopped), as it
    /// stands at `now` (the decision's instant, or the end of its round): its cycle is
    /// written into the state's current fields, its clock into `run`.
    pub(super) fn cycle(
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
                extended: false,
            };
            self.plans.push((run.slot, plan));
        }
        run.since = start;
        run.until = now;
        let pauses = &mut run.pauses;
        pauses.clear();
        let mut extensions: SmallVec<[&Ev<'c>; 2]> = SmallVec::new();
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
            // Pauses do not nest: a `paused` while the clock is stopped changes nothing, and
            // one `resumed` starts it again.
            match e.kind {
                Kind::PAUSED if mine() && pauses.last().is_none_or(|p| p.to.is_some()) => pauses
                    .push(Pause {
                        from: e.at,
                        to: None,
                    }),
                Kind::RESUMED if mine() => {
                    if let Some(p) = pauses.last_mut().filter(|p| p.to.is_none()) {
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
            // At risk from the second the clock reaches the share, as a step `at P%` fires
            // (not from the rounded percentage, which gets there up to 0.05 % early).
            (None, _) if consumed >= share(budget, self.policy.at_risk) && !target.aim => {
                State::AtRisk
            }
            (None, _) => State::Running,
        };
        state.started_at = Some(self.at(start));
        state.budget_seconds = Some(budget);
        state.deadline = deadline.map(|d| self.at(d));
        state.stopped_at = stop.map(|s| self.at(s));
        state.consumed_seconds = Some(consumed);
        run.start = Some(from);
        run.stop = stop;
        run.budget = budget;
        run.deadline = deadline;
        Ok(())
    }

    /// A target's deadline with `extra` clock time, as known at instant `at`: from the pauses
    /// begun before `at`, an open one counted as ending there.
    pub(super) fn deadline_known_at(
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
    pub(super) fn paused_at_start(
        &mut self,
        target: &'a Target,
        paused: i64,
        start: i64,
        pauses: &mut Pauses,
    ) {
        reason!(
            self,
            Reason::PausedAtStart {
                name: &target.name,
                paused: self.at(paused),
                start: self.at(start),
            }
        );
        pauses.push(Pause {
            from: start,
            to: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::share;
    use proptest::prelude::*;

    proptest! {
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
    }
}
