//! Customer callbacks: which rule applies, the channel, and when each round's callback is due
//! (or was made).

use crate::check::Callback;
use crate::decide::decision::*;
use crate::decide::eval::Truth;
use crate::decide::names::Kind;
use crate::decide::reason::Reason;
use crate::decide::run::{Ctx, Round, reason};
use crate::time::TimeError;

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// The first callback rule that applies, and its number.
    pub(super) fn callback_rule(&mut self) -> Option<(usize, &'a Callback)> {
        let policy = self.policy;
        for (number, rule) in policy.callbacks.iter().enumerate() {
            let what = || format!("callback rule `{}`", rule.named.name);
            if self.applies(rule.when.as_ref(), what) == Truth::True {
                return Some((number, rule));
            }
        }
        None
    }

    /// The callback by rule `rule`, number `number` of the policy's callback rules.
    pub(super) fn callback(
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
            // A round that a reopening ended is judged as it stood then, as targets are.
            let horizon = rounds
                .get(n + 1)
                .map_or(self.facts.now, |next| next.start.min(self.facts.now));
            let one = self.callback_round(rule, from_kind, calendar, round, via, horizon)?;
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
        reason!(self, Reason::Callback);
        Ok(state)
    }

    /// The callback of round `of`, whose time runs from its first event of kind `from_kind`,
    /// as it stood at `now` (the decision's instant, or the end of its round).
    pub(super) fn callback_round(
        &mut self,
        rule: &'a Callback,
        from_kind: Kind,
        calendar: Option<usize>,
        of: &Round,
        via: &str,
        now: i64,
    ) -> Result<CallbackRound, TimeError> {
        let policy = self.policy;
        let (first, end) = (of.first, of.end);
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
}
