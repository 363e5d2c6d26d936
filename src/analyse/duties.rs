//! Who answers for what: callbacks per channel, escalations that reach nobody with authority or
//! fire too late, stages without separation of duties, calendars with no open time.

use crate::check::{EscalationStep, Policy, Target, Trigger, Whom};
use crate::diagnostic::{Diagnostic, Kind};
use crate::time::{Clock, Span as Duration, Unit};
use crate::vocabulary::AuthorityLevel;

use super::space::Space;

/// A channel whose cases no callback rule can apply to.
pub(crate) fn callbacks(policy: &Policy, space: &Space<'_>, out: &mut Vec<Diagnostic>) {
    if policy.callbacks.is_empty() {
        if !policy.channels.is_empty() {
            out.push(
                Diagnostic::warning(
                    Kind::LintNoCallback,
                    policy.span,
                    "the policy has no callback rule: no customer is called back",
                )
                .with_help(
                    "add a `callback NAME \"…\" { within … from resolved; via original }` block",
                ),
            );
        }
        return;
    }
    for (i, channel) in policy.channels.iter().enumerate() {
        let cases = space.channel(i);
        let covered = policy
            .callbacks
            .iter()
            .any(|cb| space.may_apply(cb.when.as_ref(), &cases));
        if !covered {
            out.push(
                Diagnostic::warning(
                    Kind::LintNoCallback,
                    channel.named.span,
                    format!(
                        "no callback rule applies to cases received through `{}`",
                        channel.named.name
                    ),
                )
                .with_help("add a callback rule without `when`, or widen one so that it admits this channel"),
            );
        }
    }
}

/// How far along a target's clock something happens, when two such positions can be compared
/// without a calendar: (unit family, amount). Percentages of day counts are fractional days.
fn position(span: Duration, share: f64) -> (u8, f64) {
    let family = match span.unit {
        Unit::Minutes | Unit::Hours => 0,
        Unit::WorkingMinutes | Unit::WorkingHours => 1,
        Unit::Days => 2,
        Unit::Weeks => 2,
        Unit::WorkingDays => 3,
    };
    let amount = (span.fixed_seconds().map(|s| s as f64))
        .or(span.calendar_days().map(f64::from))
        .unwrap_or(f64::from(span.amount));
    (family, amount * share)
}

/// When a step fires on its target's clock, if that can be told without a calendar.
fn fires_at(step: &EscalationStep, target: &Target) -> Option<(u8, f64)> {
    let base = position(target.span, 1.0);
    match &step.trigger {
        Trigger::Immediately => None,
        Trigger::Percent(p) => Some(position(target.span, p / 100.0)),
        Trigger::Breach(None) => Some(base),
        Trigger::Breach(Some(extra)) => {
            let (family, more) = position(*extra, 1.0);
            (family == base.0).then_some((family, base.1 + more))
        }
    }
}

/// An escalation on an earlier target (acknowledge, update) that fires only after the case
/// should already be resolved.
pub(crate) fn late_escalations(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for ladder in &policy.escalations {
        let Some(name) = &ladder.target else { continue };
        if name == "resolve" || name == "callback" {
            continue;
        }
        for sla in &policy.slas {
            let find = |n: &str| sla.targets.iter().find(|t| t.name == n);
            let (Some(target), Some(resolve)) = (find(name), find("resolve")) else {
                continue;
            };
            if target.start != resolve.start {
                continue;
            }
            let deadline = position(resolve.span, 1.0);
            for step in &ladder.steps {
                match fires_at(step, target) {
                    Some((family, at)) if family == deadline.0 && at > deadline.1 => {
                        out.push(
                            Diagnostic::warning(
                                Kind::LintLateEscalation,
                                step.span,
                                format!(
                                    "this step on `{name}` fires after the `resolve` deadline of sla `{}` ({})",
                                    sla.named.name, resolve.span
                                ),
                            )
                            .with_related(resolve.span_at, "the case should be resolved by then")
                            .with_help("escalate earlier, or drive this step by the `resolve` target"),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Working-time targets on a calendar that is never open.
pub(crate) fn closed_calendars(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let closed: Vec<bool> = policy
        .calendars
        .iter()
        .map(|c| !has_open_time(&c.calendar))
        .collect();
    if !closed.contains(&true) {
        return;
    }
    // Calendars a target without its own may run on.
    let mut chosen: Vec<usize> = policy.calendar_rules.iter().map(|r| r.target).collect();
    chosen.extend(policy.calendar_otherwise.as_ref().map(|o| o.target));
    if chosen.is_empty() {
        chosen.extend(policy.default_calendar);
    }
    let targets = policy
        .slas
        .iter()
        .flat_map(|s| &s.targets)
        .chain(policy.stages.iter().flat_map(|s| &s.targets));
    for target in targets.filter(|t| t.span.clock() == Clock::Working) {
        let candidates = target.calendar.map_or(chosen.clone(), |c| vec![c]);
        for c in candidates.into_iter().filter(|&c| closed[c]) {
            let calendar = &policy.calendars[c].named;
            out.push(
                Diagnostic::warning(
                    Kind::LintNoOpenTime,
                    target.span_at,
                    format!(
                        "`{}` counts working time on calendar `{}`, which has no open time in its range: the deadline can never be reached",
                        target.name, calendar.name
                    ),
                )
                .with_related(calendar.span, "the calendar")
                .with_help("give the calendar opening hours (`week mon..fri 09:00-18:00`), or count elapsed time (`hours`, `days`)"),
            );
        }
    }
}

fn has_open_time(calendar: &crate::time::Calendar) -> bool {
    match calendar.valid_range() {
        Some((from, to)) => from
            .iter_days()
            .take_while(|d| *d <= to)
            .any(|d| !calendar.hours_on(d).is_empty()),
        None => {
            let spec = calendar.spec();
            spec.week.iter().any(|d| !d.is_empty())
                || spec.workdays.iter().any(|(_, h)| !h.is_empty())
        }
    }
}

/// Escalations (not notifications) to a role that can decide nothing, or to the superior of a
/// routed role that reports to no one.
pub(crate) fn escalation_authority(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let decides = |r: usize| {
        policy.roles[r]
            .authorities
            .iter()
            .any(|a| a.levels.iter().any(|l| *l >= AuthorityLevel::Review))
    };
    let mut routed: Vec<usize> = policy.routes.iter().map(|r| r.target).collect();
    routed.extend(policy.otherwise.as_ref().map(|o| o.target));
    routed.sort_unstable();
    routed.dedup();
    for ladder in &policy.escalations {
        for step in ladder.steps.iter().filter(|s| s.escalate) {
            match step.whom {
                Whom::Role(r) if !decides(r) => {
                    let role = &policy.roles[r].named;
                    out.push(
                        Diagnostic::warning(
                            Kind::LintNoAuthority,
                            step.span,
                            format!(
                                "escalation `{}` escalates to `{}`, whose position description gives no authority to review or approve",
                                ladder.named.name, role.name
                            ),
                        )
                        .with_related(role.span, "the role")
                        .with_help("add an `authority review|approve \"…\"` line to the role, or escalate to a role that has one"),
                    );
                }
                Whom::Superior => {
                    for &r in &routed {
                        let role = &policy.roles[r];
                        match role.reports_to {
                            None => out.push(
                                Diagnostic::warning(
                                    Kind::LintNoSuperior,
                                    step.span,
                                    format!(
                                        "escalation `{}` escalates to the superior, but `{}` (complaints are routed to it) reports to no one",
                                        ladder.named.name, role.named.name
                                    ),
                                )
                                .with_related(role.named.span, "the role")
                                .with_help("give the role `reports_to ROLE`, or escalate to a named role"),
                            ),
                            Some(s) if !decides(s) => out.push(
                                Diagnostic::warning(
                                    Kind::LintNoAuthority,
                                    step.span,
                                    format!(
                                        "escalation `{}` escalates to the superior of `{}`, `{}`, whose position description gives no authority to review or approve",
                                        ladder.named.name, role.named.name, policy.roles[s].named.name
                                    ),
                                )
                                .with_related(policy.roles[s].named.span, "the superior")
                                .with_help("add an `authority review|approve \"…\"` line to the superior's role"),
                            ),
                            Some(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A stage that follows another without being kept apart from it: the same person may do both.
pub(crate) fn stage_separation(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for stage in &policy.stages {
        let Some(before) = stage.after else { continue };
        if stage.separate_from.contains(&before) {
            continue;
        }
        let earlier = &policy.stages[before].named;
        out.push(
            Diagnostic::warning(
                Kind::LintStageSeparation,
                stage.named.span,
                format!(
                    "stage `{}` follows `{}`, and the handler of `{}` may also handle `{}`",
                    stage.named.name, earlier.name, earlier.name, stage.named.name
                ),
            )
            .with_related(earlier.span, "the earlier stage")
            .with_help(format!(
                "add `separate_from {}` so that a second person reviews the first one's work",
                earlier.name
            )),
        );
    }
}
