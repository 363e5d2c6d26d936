//! Who does each step of a procedure.

use crate::check::{Policy, Procedure, Whom};

/// Who owns each step of one procedure: the roles whose duties own it, and the step's `by`.
pub(super) struct Owners<'a> {
    policy: &'a Policy,
    p_index: usize,
    procedure: &'a Procedure,
    /// Every role complaints are routed to (for `by routed`), in the order the route rules
    /// first name them, the fallback last.
    pub(super) routed: Vec<usize>,
}

impl<'a> Owners<'a> {
    pub(super) fn new(policy: &'a Policy, p_index: usize, procedure: &'a Procedure) -> Owners<'a> {
        let mut routed: Vec<usize> = Vec::new();
        for r in (policy.routes.iter().map(|r| r.target))
            .chain(policy.otherwise.as_ref().map(|o| o.target))
        {
            if !routed.contains(&r) {
                routed.push(r);
            }
        }
        Owners {
            policy,
            p_index,
            procedure,
            routed,
        }
    }

    /// The direct superiors of the roles complaints are routed to (for `by superior`).
    pub(super) fn superiors(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for r in (self.routed.iter()).filter_map(|&r| self.policy.roles[r].reports_to) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// Whether step `s` is done `by superior`.
    pub(super) fn by_superior(&self, s: usize) -> bool {
        (self.procedure.steps.get(s)).is_some_and(|step| step.by == Some(Whom::Superior))
    }

    /// The owners of step `s`, sorted.
    pub(super) fn of(&self, s: usize) -> Vec<usize> {
        let Some(step) = self.procedure.steps.get(s) else {
            return Vec::new();
        };
        let mut list: Vec<usize> = (self.policy.roles.iter().enumerate())
            .filter(|(_, r)| r.duties.iter().any(|d| d.owns.contains(&(self.p_index, s))))
            .map(|(i, _)| i)
            .collect();
        match step.by {
            Some(Whom::Role(r)) => list.push(r),
            Some(Whom::Handler) => list.extend(&self.routed),
            Some(Whom::Superior) => list.extend(self.superiors()),
            None => {}
        }
        list.sort_unstable();
        list.dedup();
        list
    }
}
