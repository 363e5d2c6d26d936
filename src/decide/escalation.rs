//! Escalation: each ladder's steps on the plans of the clock it follows, fired, pending or
//! cancelled; steps fired on an earlier plan stay.

use crate::check::{Trigger, Whom};
use crate::decide::decision::*;
use crate::decide::eval::Truth;
use crate::decide::reason::Reason;
use crate::decide::run::{Clocked, Ctx, Timing, empty_with_room, reason};
use crate::decide::targets::share;
use crate::time::TimeError;

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    pub(super) fn escalations(
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
                .and_then(|name| clocked.iter().find(|c| c.name == name));
            let run = match (&ladder.target, found) {
                (Some(_), Some(run)) => Some(run),
                (Some(t), None) => {
                    reason!(
                        self,
                        Reason::LadderIdle {
                            ladder: &ladder.named.name,
                            target: t,
                        }
                    );
                    continue;
                }
                (None, _) => None,
            };
            // The clock of the current plan, shared by the steps (it keeps what it looked up).
            let mut from = run.and_then(|r| r.start);
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
                    // Due while the plan held: from when it was made to when it ended (an
                    // extension granted at a step's instant came in time for it) or now.
                    let held = |a: i64| {
                        plan.since <= a
                            && a <= now
                            && (a < plan.until || (a == plan.until && !plan.extended))
                    };
                    if let Some(a) = at
                        && !cancelled
                        && held(a)
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
            reason!(
                self,
                Reason::Escalations {
                    steps: steps.len(),
                    fired: fired_steps,
                    next: next.map(|n| self.at(n)),
                }
            );
        }
        Ok(())
    }

    /// When a step with `trigger` fires on a target's clock (none for a ladder without a
    /// target), and whether it is cancelled: the target stopped before it was due. Inlined
    /// into the ladders' loop: called out of line it cost some 230 instructions a decided
    /// case (`benches/instructions.sh`).
    #[inline(always)]
    pub(super) fn step_time(
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
                        Some(span) => t.cal.add_after(d, *span)?,
                        None => d,
                    };
                    // Cancelled when the target stopped before the step was due: met by
                    // the deadline, or (with `+ D`) stopped after the breach but before the
                    // step's own instant.
                    (Some(at), t.stop.is_some_and(|s| s <= at))
                }
                None => (None, false),
            },
        })
    }
}
