//! Stage 3, Policy -> findings: the analysis compliance staff would do by hand, as warnings
//! with stable `L` codes, rendered like the compiler's diagnostics. It reads only the compiled
//! [`Policy`]; it does not decide cases.
//!
//! Questions about which cases a condition admits (shadowed route rules, coverage) are answered
//! exactly over the case space of `space`; the rest reads the declarations.

mod descriptions;
mod duties;
mod own_work;
mod responsibility;
mod rivals;
mod routes;
mod settings;
mod space;
mod wording;

pub use responsibility::{Answers, answers};
pub use settings::{Level, LintCode, Settings, SettingsError};

use crate::check::{Policy, Trigger};
use crate::diagnostic::{Diagnostic, Kind};
use crate::time::{Span as Duration, Unit};
#[cfg(not(feature = "render"))]
use space::Space;
#[cfg(feature = "render")]
pub(crate) use space::{Cube, Example, Region, Space};

/// Every finding of `policy` with the default settings, in a stable order (by analysis, then
/// by declaration).
///
/// ```
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// let policy = checked.versions.first().ok_or("a version")?;
/// let findings = charter::analyse::lint(policy);
/// // The shipped policy has no error; each finding has its stable `L` code.
/// assert!(findings.iter().all(|d| !d.is_error()));
/// assert!(findings.iter().all(|d| d.kind.code().starts_with('L')));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint(policy: &Policy) -> Vec<Diagnostic> {
    lint_with(policy, &Settings::default())
}

/// Every finding of `policy` under `settings`: its vague phrases, and its levels (an allowed
/// code's findings are dropped, the others take the level set for their code).
///
/// ```
/// use charter::analyse::{lint, lint_with, Settings};
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// let policy = checked.versions.first().ok_or("a version")?;
/// let all = lint(policy);
/// let code = all.first().map(|d| d.kind.code()).ok_or("a finding")?;
/// // Allowing a code drops its findings.
/// let settings = Settings::from_toml(&format!("[levels]\n{code} = \"allow\""))?;
/// assert!(lint_with(policy, &settings).iter().all(|d| d.kind.code() != code));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint_with(policy: &Policy, settings: &Settings) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let space = Space::new(policy);
    scope_coverage(policy, &mut out);
    sla_coverage(policy, &space, &mut out);
    routes::routes(policy, &space, &mut out);
    deadline_order(policy, &mut out);
    step_order(policy, &mut out);
    step_owners(policy, &mut out);
    duties(policy, &mut out);
    descriptions::unfinished(policy, &mut out);
    duties::callbacks(policy, &space, &mut out);
    duties::late_escalations(policy, &mut out);
    duties::closed_calendars(policy, &mut out);
    duties::escalation_authority(policy, &mut out);
    duties::stage_separation(policy, &mut out);
    own_work::impossible_separation(policy, &space, &mut out);
    own_work::escalation_to_handler(policy, &space, &mut out);
    wording::vague(policy, settings, &mut out);
    settings.apply_levels(&mut out);
    out
}

/// A category neither accepted nor redirected by a scope that lists some.
fn scope_coverage(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let scope = &policy.scope;
    if scope.accepted.is_empty() && scope.redirects.is_empty() {
        return;
    }
    for (i, category) in policy.categories.iter().enumerate() {
        let redirected = scope.redirects.iter().any(|r| r.categories.contains(&i));
        if !scope.accepted.contains(&i) && !redirected {
            out.push(
                Diagnostic::warning(
                    Kind::LintOutOfScope,
                    category.span,
                    format!(
                        "category `{}` is neither accepted nor redirected by the scope",
                        category.name
                    ),
                )
                .with_help("add it to `accept` or to a `redirect … to … because …` line; cases of it are otherwise turned away with no destination"),
            );
        }
    }
}

/// An accepted category no SLA block can apply to.
fn sla_coverage(policy: &Policy, space: &Space<'_>, out: &mut Vec<Diagnostic>) {
    // The categories some block admits, found once for all of them (a block too large to
    // analyse counts as admitting every category).
    let mut covered = vec![false; policy.categories.len()];
    for sla in &policy.slas {
        match space.categories_admitted(sla.when.as_ref()) {
            Some(admitted) => (covered.iter_mut().zip(admitted)).for_each(|(c, a)| *c |= a),
            None => covered.fill(true),
        }
    }
    for i in routes::accepted(policy) {
        let category = &policy.categories[i];
        if !covered.get(i).copied().unwrap_or(true) {
            out.push(
                Diagnostic::warning(
                    Kind::LintNoSla,
                    category.span,
                    format!(
                        "accepted category `{}` has no SLA: no `sla` block can apply to it",
                        category.name
                    ),
                )
                .with_help("add an `sla` block without `when`, or one whose condition admits this category"),
            );
        }
    }
}

/// Seconds of a span when two spans of it can be compared without a calendar: elapsed minutes
/// and hours, and working minutes and hours among themselves. `None` for day counts, whose
/// length depends on the calendar.
fn comparable(span: Duration) -> Option<(bool, i64)> {
    let working = matches!(span.unit, Unit::WorkingMinutes | Unit::WorkingHours);
    span.fixed_seconds().map(|s| (working, s))
}

/// Within one SLA block, `acknowledge` allowed longer than `resolve`.
fn deadline_order(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for sla in &policy.slas {
        let find = |name: &str| sla.targets.iter().find(|t| t.name == name);
        let (Some(ack), Some(resolve)) = (find("acknowledge"), find("resolve")) else {
            continue;
        };
        let later = match (ack.span.unit, resolve.span.unit) {
            (a, r) if a == r => ack.span.amount > resolve.span.amount,
            _ => matches!(
                (comparable(ack.span), comparable(resolve.span)),
                (Some((wa, a)), Some((wr, r))) if wa == wr && a > r
            ),
        };
        if later {
            out.push(
                Diagnostic::warning(
                    Kind::LintDeadlineOrder,
                    ack.span_at,
                    format!(
                        "in sla `{}`, acknowledging may take longer ({}) than resolving ({})",
                        sla.named.name, ack.span, resolve.span
                    ),
                )
                .with_related(resolve.span_at, "the resolve target")
                .with_help("a case is acknowledged before it is resolved; shorten `acknowledge` or lengthen `resolve`"),
            );
        }
    }
}

/// Escalation steps that fire in another order than written: a lower percentage after a
/// higher one, or a percentage after a breach step.
fn step_order(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for ladder in &policy.escalations {
        // Position of each step on the target's clock: percent of budget, breach = 100+.
        let mut previous: Option<(f64, &crate::check::EscalationStep)> = None;
        for step in &ladder.steps {
            let position = match step.trigger {
                Trigger::Immediately => continue,
                Trigger::Percent(p) => p,
                Trigger::Breach(None) => 100.0,
                Trigger::Breach(Some(_)) => 100.5,
            };
            if let Some((before, earlier)) = previous
                && position < before
            {
                out.push(
                    Diagnostic::warning(
                        Kind::LintStepOrder,
                        step.span,
                        format!(
                            "escalation `{}`: this step fires before the step written above it",
                            ladder.named.name
                        ),
                    )
                    .with_related(earlier.span, "written first, fires later")
                    .with_help("list the steps in the order they fire: percentages rising, then `at breach`, then `at breach + …`"),
                );
            }
            if previous.is_none_or(|(before, _)| position >= before) {
                previous = Some((position, step));
            }
        }
    }
}

/// Procedure steps nobody owns, or two roles own. A step `by routed` belongs to whoever the
/// case is routed to, and one `by ROLE` to that role.
fn step_owners(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for (p, procedure) in policy.procedures.iter().enumerate() {
        for (s, step) in procedure.steps.iter().enumerate() {
            let owners: Vec<&str> = policy
                .roles
                .iter()
                .filter(|r| r.duties.iter().any(|d| d.owns.contains(&(p, s))))
                .map(|r| r.named.name.as_str())
                .collect();
            let by = step.by.is_some();
            if owners.is_empty() && !by {
                out.push(
                    Diagnostic::warning(
                        Kind::LintStepUnowned,
                        step.named.span,
                        format!(
                            "step `{}` of procedure `{}` is owned by no role",
                            step.named.name, procedure.named.name
                        ),
                    )
                    .with_help(
                        "name it in a duty's `owns`, or give the step `by ROLE` or `by routed`",
                    ),
                );
            }
            if owners.len() > 1 {
                out.push(
                    Diagnostic::warning(
                        Kind::LintStepOwnedTwice,
                        step.named.span,
                        format!(
                            "step `{}` of procedure `{}` is owned by {} roles: {}",
                            step.named.name,
                            procedure.named.name,
                            owners.len(),
                            owners
                                .iter()
                                .map(|o| format!("`{o}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_help("give each step one owner; split the step if the work is shared"),
                );
            }
        }
    }
}

/// Duties without a measure, and roles complaints are routed to that have no duty at all.
fn duties(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for role in &policy.roles {
        // The catch-all duty (其他临时性工作) is judged by the superior who assigns the work.
        for duty in role.duties.iter().filter(|d| !d.other) {
            if duty.measure.is_none() {
                out.push(
                    Diagnostic::warning(
                        Kind::LintUnmeasured,
                        duty.named.span,
                        format!(
                            "duty `{}` of role `{}` has no measure",
                            duty.named.name, role.named.name
                        ),
                    )
                    .with_help("add `measure \"…\"`: how anyone can tell the duty is done well (a time limit, a rate, a record)"),
                );
            }
        }
    }
    let routed = policy
        .routes
        .iter()
        .map(|r| r.target)
        .chain(policy.otherwise.as_ref().map(|o| o.target));
    let mut seen = Vec::new();
    for r in routed {
        if seen.contains(&r) {
            continue;
        }
        seen.push(r);
        let role = &policy.roles[r];
        if role.duties.is_empty() {
            out.push(
                Diagnostic::warning(
                    Kind::LintRoutedWithoutDuty,
                    role.named.span,
                    format!(
                        "complaints are routed to `{}`, whose position description lists no duty",
                        role.named.name
                    ),
                )
                .with_help("add a `duty` for handling the complaints routed to this role"),
            );
        }
    }
}
