//! How each category is taken in, before and after: accepted, redirected (and where), out of
//! scope, or not declared at all. The scope is read as deciding reads it: a redirection wins
//! over `accept`, and a policy whose scope says nothing accepts every category.

use crate::analyse::{Cube, Space};
use crate::check::Policy;
use crate::diff::routing::Side;
use crate::diff::{AcceptanceChange, Intake};
use crate::render::Lang;

/// How `policy` takes in its category `i`.
fn intake(policy: &Policy, i: usize, lang: Lang) -> Intake {
    let scope = &policy.scope;
    if let Some(r) = scope.redirects.iter().find(|r| r.categories.contains(&i)) {
        return Intake::Redirected {
            to: r.to.text.clone(),
            title: lang.pick(&r.to).to_string(),
        };
    }
    let everything = scope.accepted.is_empty() && scope.redirects.is_empty();
    if everything || scope.accepted.contains(&i) {
        Intake::Accepted
    } else {
        Intake::OutOfScope
    }
}

/// Whether `policy` accepts its category `i`.
pub(super) fn accepts(policy: &Policy, i: usize) -> bool {
    intake(policy, i, Lang::En) == Intake::Accepted
}

/// The cases both versions accept: routing and deadlines are compared over these.
pub(super) fn both_accept(space: &Space<'_>, sides: &[Side<'_>; 2]) -> Cube {
    let accepted = |side: &Side<'_>| -> Vec<usize> {
        (0..side.policy.categories.len())
            .filter(|&i| accepts(side.policy, i))
            .map(|i| side.map.category(i))
            .collect()
    };
    let old = accepted(&sides[0]);
    let both: Vec<usize> = accepted(&sides[1])
        .into_iter()
        .filter(|i| old.contains(i))
        .collect();
    space.categories(&both)
}

/// Every category, of either version, whose intake differs: the new version's in its order,
/// then those only the old one declares.
pub(super) fn changes(old: &Policy, new: &Policy, lang: Lang) -> Vec<AcceptanceChange> {
    let find = |p: &Policy, name: &str| p.categories.iter().position(|c| c.name == name);
    let names = (new.categories.iter()).chain(
        old.categories
            .iter()
            .filter(|c| find(new, &c.name).is_none()),
    );
    names
        .filter_map(|category| {
            let of = |p: &Policy| match find(p, &category.name) {
                Some(i) => intake(p, i, lang),
                None => Intake::Undeclared,
            };
            let (from, to) = (of(old), of(new));
            (from != to).then(|| AcceptanceChange {
                category: category.name.clone(),
                title: lang.pick(&category.label).to_string(),
                from,
                to,
            })
        })
        .collect()
}
