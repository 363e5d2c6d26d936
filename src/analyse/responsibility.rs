//! What a role answers for, derived exactly from the policy: the cases routed to it (each
//! route rule takes the accepted cases that no earlier rule took; `otherwise` the rest), and
//! of those, the ones each SLA target and callback rule applies to (a later block's target of
//! the same name replaces an earlier one where both apply). Position descriptions list
//! exactly these; a condition too large to analyse counts as applying, so nothing a role
//! may answer for is left out.

use crate::check::{Cond, Policy, Whom};

use super::rivals::Rivals;
use super::routes::{accepted, rule_regions};
use super::space::{Region, Space};

/// What one role answers for.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name).ok_or(name.to_string());
/// let officer = charter::analyse::answers(policy, role("complaint_officer")?);
/// assert!(officer.routed);
/// // The general manager handles no case, so answers for no deadline.
/// let manager = charter::analyse::answers(policy, role("general_manager")?);
/// assert!(!manager.routed && manager.targets.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Whether any accepted case is routed to the role.
    pub routed: bool,
    /// The SLA targets that apply to some case routed to it: (block, target) indices.
    pub targets: Vec<(usize, usize)>,
    /// The callback rules that apply to some case routed to it (the first matching rule of
    /// a case applies).
    pub callbacks: Vec<usize>,
}

/// What `policy.roles[role]` answers for: as the handler of the cases routed to it, and for
/// callbacks, as the one who makes them. When a procedure step says `calls_back` and is not
/// `by routed`, the callbacks are answered for by whoever performs that step (its `by`, or the
/// roles that own it): every callback rule that applies to some accepted case; the handlers
/// then answer for none. Otherwise the handler answers for the callbacks of its cases.
pub fn answers(policy: &Policy, role: usize) -> Answers {
    let mut out = as_handler(policy, role);
    if let Some((p, s)) = callback_step(policy) {
        out.callbacks = if performs(policy, role, p, s) {
            let mut all: Vec<usize> = (0..policy.roles.len())
                .flat_map(|r| as_handler(policy, r).callbacks)
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        } else {
            Vec::new()
        };
    }
    out
}

/// The step that says `calls_back`, unless the handler performs it (`by routed`).
fn callback_step(policy: &Policy) -> Option<(usize, usize)> {
    let (p, s) = (policy.procedures.iter().enumerate())
        .flat_map(|(p, proc)| (proc.steps.iter().enumerate()).map(move |(s, step)| (p, s, step)))
        .find(|(_, _, step)| step.calls_back)
        .map(|(p, s, _)| (p, s))?;
    let routed = policy.procedures[p].steps[s].by == Some(Whom::Handler);
    (!routed).then_some((p, s))
}

/// Whether `role` performs step `s` of procedure `p`: it is the step's `by` (as a role, or as
/// the superior of a role complaints are routed to), or owns it.
fn performs(policy: &Policy, role: usize, p: usize, s: usize) -> bool {
    let by = match policy.procedures[p].steps[s].by {
        Some(Whom::Role(r)) => r == role,
        Some(Whom::Superior) => (policy.routes.iter().map(|r| r.target))
            .chain(policy.otherwise.as_ref().map(|o| o.target))
            .any(|h| policy.roles[h].reports_to == Some(role)),
        _ => false,
    };
    by || (policy.roles.get(role))
        .is_some_and(|r| r.duties.iter().any(|d| d.owns.contains(&(p, s))))
}

/// What `policy.roles[role]` answers for as the handler of the cases routed to it.
fn as_handler(policy: &Policy, role: usize) -> Answers {
    let space = Space::new(policy);
    let Some(mine) = routed_to(&space, policy, role) else {
        // Too large to analyse: everything may apply.
        return Answers {
            routed: true,
            targets: all_targets(policy),
            callbacks: (0..policy.callbacks.len()).collect(),
        };
    };
    if mine.is_empty() {
        return Answers::default();
    }
    let mut out = Answers {
        routed: true,
        ..Answers::default()
    };
    for (s, sla) in policy.slas.iter().enumerate() {
        for (t, target) in sla.targets.iter().enumerate() {
            let mut region = within(&space, sla.when.as_ref(), &mine);
            for later in &policy.slas[s + 1..] {
                if later.targets.iter().any(|x| x.name == target.name) {
                    region = region.and_then(|r| without(&space, r, later.when.as_ref()));
                }
            }
            if region.is_none_or(|r| !r.is_empty()) {
                out.targets.push((s, t));
            }
        }
    }
    for (c, rule) in policy.callbacks.iter().enumerate() {
        let mut region = within(&space, rule.when.as_ref(), &mine);
        for earlier in &policy.callbacks[..c] {
            region = region.and_then(|r| without(&space, r, earlier.when.as_ref()));
        }
        if region.is_none_or(|r| !r.is_empty()) {
            out.callbacks.push(c);
        }
    }
    out
}

fn all_targets(policy: &Policy) -> Vec<(usize, usize)> {
    (policy.slas.iter().enumerate())
        .flat_map(|(s, sla)| (0..sla.targets.len()).map(move |t| (s, t)))
        .collect()
}

/// The accepted cases routed to `role` (each rule's cases that no earlier rule took, and for
/// `otherwise` the rest), or `None` when too large to analyse.
fn routed_to(space: &Space<'_>, policy: &Policy, role: usize) -> Option<Region> {
    let regions = rule_regions(policy, space);
    if regions.iter().any(Option::is_none) {
        return None;
    }
    let rivals = Rivals::new(space, &regions, policy.categories.len());
    let cubes = |rules: &[usize]| -> Region {
        let of = |j: usize| regions[j].iter().flatten().cloned();
        rules.iter().flat_map(|&j| of(j)).collect()
    };
    let mut mine: Region = Vec::new();
    for (i, rule) in policy.routes.iter().enumerate() {
        if let (true, Some(region)) = (rule.target == role, &regions[i]) {
            mine.extend(space.subtract_all(region.clone(), &cubes(&rivals.earlier(i)))?);
        }
    }
    if policy.otherwise.as_ref().is_some_and(|o| o.target == role) {
        let all = vec![space.categories(&accepted(policy))];
        let every: Vec<usize> = (0..regions.len()).collect();
        mine.extend(space.subtract_all(all, &cubes(&every))?);
    }
    Some(mine)
}

/// Whether some accepted case routed to `role` meets every condition of `when` (`None`s are
/// no condition), or `None` when too large to analyse.
pub(crate) fn routed_where(
    policy: &Policy,
    space: &Space<'_>,
    role: usize,
    when: &[Option<&Cond>],
) -> Option<bool> {
    let mut cases = routed_to(space, policy, role)?;
    for &cond in when {
        cases = within(space, cond, &cases)?;
    }
    Some(!cases.is_empty())
}

/// The cases of `cases` for which `when` holds (all of them when `None`).
fn within(space: &Space<'_>, when: Option<&Cond>, cases: &Region) -> Option<Region> {
    match when {
        None => Some(cases.clone()),
        Some(cond) => space.intersect(&space.region(cond)?, cases),
    }
}

/// `region` without the cases for which `when` holds (none left when `None`).
fn without(space: &Space<'_>, region: Region, when: Option<&Cond>) -> Option<Region> {
    match when {
        None => Some(Vec::new()),
        Some(cond) => space.subtract_all(region, &space.region(cond)?),
    }
}
