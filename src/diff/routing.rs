//! The cases whose role changes: each version's route table as the disjoint regions its rules
//! take (first match wins), then every pair of regions, one from each version, that meet and
//! name different roles.

use crate::analyse::{Cube, Region, Space};
use crate::check::{Cond, Policy};
use crate::diff::joint::Map;
use crate::diff::{RouteChange, Words};

/// One version's conditions, written against the joint vocabulary.
pub(super) struct Side<'a> {
    pub(super) policy: &'a Policy,
    pub(super) map: &'a Map,
    pub(super) routes: Vec<Cond>,
    pub(super) calendar_rules: Vec<Cond>,
    /// Each SLA block's condition (`None`: every case).
    pub(super) slas: Vec<Option<Cond>>,
}

impl<'a> Side<'a> {
    pub(super) fn new(policy: &'a Policy, map: &'a Map) -> Side<'a> {
        Side {
            policy,
            map,
            routes: policy.routes.iter().map(|r| map.cond(&r.when)).collect(),
            calendar_rules: (policy.calendar_rules.iter())
                .map(|r| map.cond(&r.when))
                .collect(),
            slas: (policy.slas.iter())
                .map(|s| s.when.as_ref().map(|c| map.cond(c)))
                .collect(),
        }
    }

    /// Every condition whose questions the space must tell apart.
    pub(super) fn conditions(&self) -> impl Iterator<Item = &Cond> {
        (self.routes.iter())
            .chain(&self.calendar_rules)
            .chain(self.slas.iter().flatten())
    }

    /// The cases of `universe` each route rule takes, with its role, and last those no rule
    /// takes, with the `otherwise` role if there is one; `None` when a condition is too large.
    fn routes(&self, space: &Space<'_>, universe: &Cube) -> Option<Vec<(Region, Option<usize>)>> {
        let (pieces, rest) = first_match(space, self.routes.iter().map(Some), universe)?;
        let roles = self.policy.routes.iter().map(|r| Some(r.target));
        let mut out: Vec<(Region, Option<usize>)> = pieces.into_iter().zip(roles).collect();
        out.push((rest, self.policy.otherwise.as_ref().map(|o| o.target)));
        Some(out)
    }

    /// The identifier and title of role `i`.
    fn role(&self, i: Option<usize>, words: &Words<'_>) -> Option<crate::diff::Role> {
        let role = self.policy.roles.get(i?)?;
        Some(crate::diff::Role {
            name: role.named.name.clone(),
            title: words.lang.pick(&role.named.label).to_string(),
        })
    }
}

/// The cases of `universe` each rule takes when the first rule that holds wins (a rule
/// without a condition holds for every case), and the cases none takes; `None` when a
/// condition is too large to analyse.
pub(super) fn first_match<'c>(
    space: &Space<'_>,
    rules: impl Iterator<Item = Option<&'c Cond>>,
    universe: &Cube,
) -> Option<(Vec<Region>, Region)> {
    let mut rest: Region = vec![universe.clone()];
    let mut pieces = Vec::new();
    for cond in rules {
        let Some(cond) = cond else {
            pieces.push(std::mem::take(&mut rest));
            continue;
        };
        let region = space.region(cond)?;
        pieces.push(space.intersect(&rest, &region)?);
        rest = space.subtract_all(rest, &region)?;
    }
    Some((pieces, rest))
}

/// Every set of cases accepted by both versions whose role differs, grouped by the pair of
/// roles, in the order of the old version's rules.
pub(super) fn changes(
    space: &Space<'_>,
    sides: &[Side<'_>; 2],
    universe: &Cube,
    words: &Words<'_>,
    unsettled: &mut Vec<String>,
) -> Vec<RouteChange> {
    let (Some(old), Some(new)) = (
        sides[0].routes(space, universe),
        sides[1].routes(space, universe),
    ) else {
        unsettled.push(
            words
                .lang
                .say(
                    "路由：有条件过于复杂，无法精确比较",
                    "routing: a condition is too large to compare exactly",
                )
                .to_string(),
        );
        return Vec::new();
    };
    fn name<'p>(side: &Side<'p>, role: Option<usize>) -> Option<&'p str> {
        role.and_then(|i| side.policy.roles.get(i))
            .map(|r| r.named.name.as_str())
    }
    // The cases of each pair of roles (before, after), in order of first appearance.
    type Roles = (Option<usize>, Option<usize>);
    let mut groups: Vec<(Roles, Vec<Cube>)> = Vec::new();
    for (a, role_a) in &old {
        for (b, role_b) in &new {
            if name(&sides[0], *role_a) == name(&sides[1], *role_b) {
                continue;
            }
            let met: Vec<Cube> = (a.iter())
                .flat_map(|x| b.iter().filter_map(|y| space.meet(x, y)))
                .collect();
            if met.is_empty() {
                continue;
            }
            let key = (*role_a, *role_b);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, cubes)) => cubes.extend(met),
                None => groups.push((key, met)),
            }
        }
    }
    groups
        .into_iter()
        .filter_map(|((a, b), cubes)| {
            let (regions, more) = words.cases(cubes, universe);
            // Every set left out (it asks about an attribute one version lacks): nothing
            // to say of this pair of roles that holds for a case.
            if regions.is_empty() {
                return None;
            }
            Some(RouteChange {
                from: sides[0].role(a, words),
                to: sides[1].role(b, words),
                regions,
                more,
                cases: None,
            })
        })
        .collect()
}
