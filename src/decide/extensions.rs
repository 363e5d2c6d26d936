//! Extensions: how `extended` events move a target's deadline, within the policy's `max` and
//! `count`, and the findings when they cannot.

use crate::check::Target;
use crate::decide::decision::*;
use crate::decide::eval::Truth;
use crate::decide::run::{Ctx, Plan};
use crate::decide::targets::Base;
use crate::decide::validate::Ev;
use crate::time::{Pause, Span, TimeError};

/// The deadline of a target whose clock time allowed grew by `extra`, for an extension of
/// the deadline `from` whose deadline as written is `written` (`from` advanced by its
/// duration): that instant itself when no pause falls between the two (`2 days` on a
/// working-time target ends at 24:00, not at the last closing time, which the clock alone
/// would give), else where the clock reaches the new budget, so that later pauses push it on.
pub(super) fn moved_deadline(
    base: &Base<'_>,
    extra: i64,
    written: i64,
    from: i64,
) -> Result<Option<i64>, TimeError> {
    let reached = base
        .cal
        .reach(base.clock, base.start, base.budget + extra, base.pauses)?;
    Ok(match reached {
        Some(r) if !paused_between(base.pauses, from, written) => Some(r.max(written)),
        other => other,
    })
}

/// Whether one of `pauses` falls between the deadline `from` and the one an extension wrote,
/// `written`: then the clock, not the written instant, says where the deadline is.
fn paused_between<'p>(
    pauses: impl IntoIterator<Item = &'p Pause>,
    from: i64,
    written: i64,
) -> bool {
    (pauses.into_iter()).any(|p| p.from < written && p.to.is_none_or(|t| t > from))
}

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// Extra budget from `extended` events. Each moves the current deadline by its `by`,
    /// counted from that deadline by the rules of targets (`10 working days` from a deadline
    /// at close of business is the close of the 10th working day after it), as clock time of
    /// the target, so pauses keep their effect. An extension needs a reason, a case the
    /// policy's `when` allows, a deadline not yet passed and room in the policy's `count`;
    /// the total never exceeds the first deadline moved by `max`.
    pub(super) fn extensions(
        &mut self,
        target: &'a Target,
        base: &Base<'_>,
        mut deadline: Option<i64>,
        extensions: &[&Ev<'c>],
        state: &mut TargetState<'a>,
        mut plans: Option<(usize, &mut i64)>,
    ) -> Result<(i64, Option<i64>), TimeError> {
        let policy = self.policy;
        let (cal, clock) = (base.cal, base.clock);
        let mine = |ev: &&Ev<'c>| match ev.event.target.as_deref() {
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
        // As written on the events: the amounts of each unit summed.
        let mut written: Vec<Span> = Vec::new();
        // The deadline the last applied extension wrote, and the one it moved.
        let mut last_moved: Option<(i64, i64)> = None;
        // Whether the extensions so far reached the policy's `max`.
        let mut capped = false;
        for ev in mine {
            let at = self.at(ev.at);
            // The deadline as it stood when the extension was recorded: pauses after it, and
            // the part of an open pause after it, were not known then; and as the decision
            // states it (`2 days` on a working-time target moves it to 24:00, not to the last
            // closing time, while no pause falls between).
            let known = self
                .deadline_known_at(base, total, ev.at)?
                .map(|d| match last_moved {
                    Some((moved, from))
                        if !paused_between(
                            base.pauses.iter().filter(|p| p.from < ev.at),
                            from,
                            moved,
                        ) =>
                    {
                        d.max(moved)
                    }
                    _ => d,
                });
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
            let refuse = refuse.or_else(|| {
                capped.then(|| {
                    (
                        FindingKind::ExtensionBeyondMax,
                        format!(
                            "the extensions before it already moved the deadline by the policy's maximum of {}",
                            limit.max
                        ),
                    )
                })
            });
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
                    extended: true,
                };
                self.plans.push((*slot, plan));
            }
            let from = match known {
                Some(d) => d,
                None => cal.add(base.start, target.span)?,
            };
            let moved = cal.add_after(from, by)?;
            let extra = cal.start_at(from).consumed(clock, moved, &[])?;
            let (most_at, most) = match cap {
                Some(m) => m,
                None => {
                    let d0 = match self.deadline_known_at(base, 0, ev.at)? {
                        Some(d) => d,
                        None => cal.add(base.start, target.span)?,
                    };
                    let most_at = cal.add_after(d0, limit.max)?;
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
                granted += 1;
                written = vec![limit.max];
                deadline = moved_deadline(base, total, most_at, from)?;
                last_moved = Some((most_at, from));
                // Later extensions still get their findings, each saying why it is not applied.
                capped = true;
                continue;
            }
            total += extra;
            granted += 1;
            deadline = moved_deadline(base, total, moved, from)?;
            last_moved = Some((moved, from));
            match written.iter_mut().find(|w| w.unit == by.unit) {
                Some(w) => w.amount = w.amount.saturating_add(by.amount),
                None => written.push(by),
            }
        }
        state.extended_by = written;
        Ok((total, deadline))
    }
}
