//! Where the policy has a person answer to themselves: an escalation that names the role
//! handling the very cases it escalates (L0020), and a review kept apart from the handling
//! that only the handler can do (L0021). Both read the routing exactly, as the position
//! descriptions do; a condition too large to analyse is given the benefit of the doubt.

use crate::check::{Policy, Whom};
use crate::diagnostic::{Diagnostic, Kind};

use super::responsibility::routed_where;
use super::space::Space;

/// An `escalate ROLE` step of a ladder that applies to cases routed to ROLE itself: for those
/// cases the handler is escalated to, and nobody above them hears of the delay.
pub(crate) fn escalation_to_handler(policy: &Policy, space: &Space<'_>, out: &mut Vec<Diagnostic>) {
    for ladder in &policy.escalations {
        // The conditions under which the ladder runs: its own `when`, and the blocks that
        // set the target it follows (every case, when it follows none or no block sets it).
        let blocks: Vec<_> = (ladder.target.as_deref())
            .map(|t| {
                (policy.slas.iter())
                    .filter(|sla| sla.targets.iter().any(|x| x.name == t))
                    .collect()
            })
            .unwrap_or_default();
        for step in ladder.steps.iter().filter(|s| s.escalate) {
            let Whom::Role(role) = step.whom else {
                continue;
            };
            let reaches = |sla_when| {
                routed_where(policy, space, role, &[ladder.when.as_ref(), sla_when])
                    .unwrap_or(false)
            };
            let handled = if blocks.is_empty() {
                reaches(None)
            } else {
                blocks.iter().any(|sla| reaches(sla.when.as_ref()))
            };
            if !handled {
                continue;
            }
            let role = &policy.roles[role];
            out.push(
                Diagnostic::warning(
                    Kind::LintEscalationToHandler,
                    step.span,
                    format!(
                        "escalation `{}` escalates to `{}`, but some of the cases it applies to are routed to `{}`: for those the handler is escalated to",
                        ladder.named.name, role.named.name, role.named.name
                    ),
                )
                .with_related(role.named.span, "the role")
                .with_help(format!(
                    "escalate to `superior`, or give the ladder a `when` that leaves out the cases routed to `{}` and write them a ladder of their own",
                    role.named.name
                )),
            );
        }
    }
}

/// A stage kept apart (`separate_from`) from an earlier one, where the same person must do
/// both: both are the handler's, or the later one is a role of one holder that also handles
/// the earlier one for some cases.
pub(crate) fn impossible_separation(policy: &Policy, space: &Space<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &policy.stages {
        for &other in &stage.separate_from {
            let earlier = &policy.stages[other];
            let by_handler = |by: Option<Whom>| matches!(by, None | Some(Whom::Handler));
            let why = match (stage.by, earlier.by) {
                (Some(Whom::Handler), e) if by_handler(e) => {
                    "both stages are done by the case's handler".to_string()
                }
                (Some(Whom::Role(r)), e) if policy.roles[r].headcount == Some(1) => {
                    let role = &policy.roles[r].named.name;
                    let both = match e {
                        Some(Whom::Role(e)) => e == r,
                        e if by_handler(e) => routed_where(policy, space, r, &[]).unwrap_or(false),
                        _ => false,
                    };
                    if !both {
                        continue;
                    }
                    format!(
                        "`{role}` has one holder (`headcount 1`) and also handles stage `{}` for the cases routed to it",
                        earlier.named.name
                    )
                }
                _ => continue,
            };
            out.push(
                Diagnostic::warning(
                    Kind::LintImpossibleSeparation,
                    stage.named.span,
                    format!(
                        "stage `{}` must be done by someone other than the handler of `{}`, but for some cases it cannot be: {why}",
                        stage.named.name, earlier.named.name
                    ),
                )
                .with_related(earlier.named.span, "the earlier stage")
                .with_help("have the stage done `by superior`, or by a role that is not routed the cases"),
            );
        }
    }
}
