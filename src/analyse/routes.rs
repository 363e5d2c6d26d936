//! Route rules over the case space: rules that can never match, rules that compete for the same
//! cases, and accepted cases that no rule takes.

use crate::analyse::rivals::Rivals;
use crate::analyse::space::{Cube, Region, Space};
use crate::check::Policy;
use crate::diagnostic::{Diagnostic, Kind};

/// Examples quoted in a finding, at most.
const EXAMPLES: usize = 3;

/// Shadowed and overlapping rules, and accepted cases only the fallback (or nothing) takes.
pub(crate) fn routes(policy: &Policy, space: &Space<'_>, out: &mut Vec<Diagnostic>) {
    let accepted = accepted(policy);
    let regions = rule_regions(policy, space);
    let rivals = Rivals::new(space, &regions, policy.categories.len());
    for (i, rule) in policy.routes.iter().enumerate() {
        let Some(mine) = &regions[i] else { continue };
        if mine.is_empty() {
            out.push(
                Diagnostic::warning(
                    Kind::LintShadowed,
                    rule.span,
                    "this route rule can never match: no accepted case satisfies its condition",
                )
                .with_help("the condition contradicts itself or names only categories the scope does not accept; fix the condition or remove the rule"),
            );
            continue;
        }
        // What is left of this rule's cases after every earlier rule took its share; `None`
        // when an earlier rule is too large to analyse.
        let mut left = Some(mine.clone());
        let earlier_rules = rivals.earlier(i);
        for earlier in earlier_rules.iter().map(|&j| &regions[j]) {
            left = match (earlier, left) {
                (Some(region), Some(rest)) => space.subtract_all(rest, region),
                _ => None,
            };
            if left.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        match left {
            Some(rest) if rest.is_empty() => {
                let mut d = Diagnostic::warning(
                    Kind::LintShadowed,
                    rule.span,
                    "this route rule can never match: earlier rules take every case it would",
                )
                .with_help(
                    "move it above the rules that take its cases, narrow those, or remove it",
                );
                let takers = (earlier_rules.iter().copied())
                    .filter(|&j| regions[j].as_ref().is_some_and(|r| touches(space, mine, r)));
                for j in takers.take(EXAMPLES) {
                    d = d.with_related(policy.routes[j].span, "takes its cases first");
                }
                out.push(d);
            }
            _ => overlap(policy, space, &regions, (i, &earlier_rules), out),
        }
    }
    coverage(policy, space, (&regions, &rivals), &accepted, out);
}

/// The accepted cases each route rule's condition admits (routing only ever sees accepted
/// cases), or `None` where the condition is too large to analyse.
pub(crate) fn rule_regions(policy: &Policy, space: &Space<'_>) -> Vec<Option<Region>> {
    let universe = [space.categories(&accepted(policy))];
    (policy.routes.iter())
        .map(|r| {
            let region = space.region(&r.when)?;
            space.intersect(&region, &universe)
        })
        .collect()
}

/// Whether two unions share a case.
fn touches(space: &Space<'_>, a: &[Cube], b: &[Cube]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| space.meet(x, y).is_some()))
}

/// The first earlier rule (of those that may share cases with rule `i`) that sends some of
/// rule `i`'s cases to another role (info).
fn overlap(
    policy: &Policy,
    space: &Space<'_>,
    regions: &[Option<Region>],
    (i, earlier): (usize, &[usize]),
    out: &mut Vec<Diagnostic>,
) {
    let rule = &policy.routes[i];
    let Some(mine) = &regions[i] else { return };
    let mut competing = (earlier.iter().copied())
        .filter(|&j| policy.routes[j].target != rule.target)
        .filter_map(|j| {
            let both = space.intersect(mine, regions[j].as_ref()?)?;
            (!both.is_empty()).then_some((j, both))
        });
    let Some((j, both)) = competing.next() else {
        return;
    };
    let others = competing.count();
    let role = |r: usize| policy.roles[r].named.name.as_str();
    let earlier = &policy.routes[j];
    let mut message = format!(
        "some cases match this rule and an earlier one that sends them to `{}`, e.g. {}; they go to `{}`, never to `{}`",
        role(earlier.target),
        examples(space, &both, &space.categories(&accepted(policy))),
        role(earlier.target),
        role(rule.target)
    );
    if others > 0 {
        message.push_str(&format!(
            " ({others} more earlier rule{} also overlap{})",
            if others == 1 { "" } else { "s" },
            if others == 1 { "s" } else { "" }
        ));
    }
    out.push(
        Diagnostic::info(Kind::LintOverlap, rule.span, message)
            .with_related(earlier.span, "matches first")
            .with_help("rules are tried in order and the first match routes the case; if these cases belong here, move this rule up or narrow the earlier one"),
    );
}

/// Accepted cases no rule takes: a warning when the policy forbids relying on `otherwise`, or
/// has none.
fn coverage(
    policy: &Policy,
    space: &Space<'_>,
    (regions, rivals): (&[Option<Region>], &Rivals),
    accepted: &[usize],
    out: &mut Vec<Diagnostic>,
) {
    // A rule too large to analyse might cover anything: say nothing.
    if (policy.fallback_allowed && policy.otherwise.is_some())
        || regions.iter().any(Option::is_none)
    {
        return;
    }
    for &category in accepted {
        let cases = space.categories(&[category]);
        let mut left = Some(vec![cases.clone()]);
        for j in rivals.of_category(category) {
            let Some(region) = &regions[j] else { return };
            for cube in region {
                left = left.and_then(|l| space.subtract(l, cube));
            }
        }
        let Some(left) = left else { continue };
        if left.is_empty() {
            continue;
        }
        let name = &policy.categories[category].name;
        let d = match &policy.otherwise {
            Some(fallback) => Diagnostic::warning(
                Kind::LintUncovered,
                policy.categories[category].span,
                format!(
                    "some accepted `{name}` cases only reach the fallback route, which the policy forbids relying on: {}",
                    examples(space, &left, &cases)
                ),
            )
            .with_related(fallback.span, "the fallback")
            .with_help("add a route rule for these cases, or write `fallback allowed` in the policy header"),
            None => Diagnostic::warning(
                Kind::LintUncovered,
                policy.categories[category].span,
                format!(
                    "some accepted `{name}` cases match no route rule and cannot be routed: {}",
                    examples(space, &left, &cases)
                ),
            )
            .with_help("add a route rule for these cases, or an `otherwise -> ROLE` line to the route block"),
        };
        out.push(d);
    }
}

/// Up to three cubes of a union in words, and how many more there are.
fn examples(space: &Space<'_>, region: &[Cube], within: &Cube) -> String {
    let mut text: Vec<String> = region
        .iter()
        .take(EXAMPLES)
        .map(|c| format!("`{}`", space.describe(c, within)))
        .collect();
    if region.len() > EXAMPLES {
        text.push(format!("and {} more", region.len() - EXAMPLES));
    }
    text.join("; ")
}

/// The categories routing sees: the accepted ones, or all when the scope lists none.
pub(crate) fn accepted(policy: &Policy) -> Vec<usize> {
    let scope = &policy.scope;
    if scope.accepted.is_empty() && scope.redirects.is_empty() {
        (0..policy.categories.len()).collect()
    } else {
        scope.accepted.clone()
    }
}
