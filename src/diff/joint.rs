//! One vocabulary for two versions: the names both declare, so that a condition of either can
//! be asked of the same cases.
//!
//! The joint vocabulary is the new version's categories, channels, severities and attributes,
//! followed by what only the old one declares. Each version's conditions are rewritten onto it
//! by name; a severity comparison becomes the list of that version's severities it admits, so
//! that "at least major" never takes in a severity the version does not have.

use crate::check::{Cond, Policy};

/// Where each of a version's names sits in the joint vocabulary.
pub(crate) struct Map {
    category: Vec<usize>,
    channel: Vec<usize>,
    severity: Vec<usize>,
    attribute: Vec<usize>,
}

impl Map {
    /// `cond`, written against the joint vocabulary.
    pub(crate) fn cond(&self, cond: &Cond) -> Cond {
        let list = |map: &[usize], items: &[usize]| -> Vec<usize> {
            items.iter().filter_map(|&i| map.get(i).copied()).collect()
        };
        match cond {
            Cond::And(parts) => Cond::And(parts.iter().map(|p| self.cond(p)).collect()),
            Cond::Or(parts) => Cond::Or(parts.iter().map(|p| self.cond(p)).collect()),
            Cond::Not(inner) => Cond::Not(Box::new(self.cond(inner))),
            Cond::Category(items) => Cond::Category(list(&self.category, items)),
            Cond::Channel(items) => Cond::Channel(list(&self.channel, items)),
            Cond::Severity(op, rank) => Cond::SeverityIn(
                (0..self.severity.len())
                    .filter(|&s| op.holds(s as f64, *rank as f64))
                    .map(|s| self.severity[s])
                    .collect(),
            ),
            Cond::SeverityIn(items) => Cond::SeverityIn(list(&self.severity, items)),
            Cond::Attribute(a, test) => {
                Cond::Attribute(self.attribute.get(*a).copied().unwrap_or(*a), test.clone())
            }
        }
    }

    /// The joint index of the version's category `i`.
    pub(crate) fn category(&self, i: usize) -> usize {
        self.category[i]
    }
}

/// The joint vocabulary, as a policy that declares every name of both versions (its other
/// contents are the new version's), and each version's place in it.
pub(crate) struct Joint {
    pub(crate) policy: Policy,
    pub(crate) old: Map,
    pub(crate) new: Map,
}

impl Joint {
    pub(crate) fn new(old: &Policy, new: &Policy) -> Joint {
        let mut policy = new.clone();
        let identity = |n: usize| (0..n).collect::<Vec<usize>>();
        let new_map = Map {
            category: identity(new.categories.len()),
            channel: identity(new.channels.len()),
            severity: identity(new.severities.len()),
            attribute: identity(new.attributes.len()),
        };
        let category = place(&mut policy.categories, &old.categories, |a, b| {
            a.name == b.name
        });
        let channel = place(&mut policy.channels, &old.channels, |a, b| {
            a.named.name == b.named.name
        });
        let severity = place(&mut policy.severities, &old.severities, |a, b| {
            a.name == b.name
        });
        // An attribute whose type changed is another attribute: no test of one means the same
        // of the other.
        let attribute = place(&mut policy.attributes, &old.attributes, |a, b| {
            a.named.name == b.named.name && a.ty == b.ty
        });
        Joint {
            policy,
            old: Map {
                category,
                channel,
                severity,
                attribute,
            },
            new: new_map,
        }
    }
}

impl Joint {
    /// The attributes (joint indices) only one version declares with their type: a case
    /// that gives one is refused by the other version.
    pub(crate) fn one_sided_attributes(&self) -> Vec<usize> {
        let shared: Vec<usize> = (self.old.attribute.iter())
            .copied()
            .filter(|&j| j < self.new.attribute.len())
            .collect();
        (0..self.policy.attributes.len())
            .filter(|j| !shared.contains(j))
            .collect()
    }

    /// Whether both versions list the same severities in the same order.
    pub(crate) fn same_severities(old: &Policy, new: &Policy) -> bool {
        old.severities.len() == new.severities.len()
            && (old.severities.iter())
                .zip(&new.severities)
                .all(|(a, b)| a.name == b.name)
    }
}

/// The joint index of each of `old`'s items: the item of `joint` it is the same as, or a new
/// one appended.
fn place<T: Clone>(joint: &mut Vec<T>, old: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<usize> {
    let shared = joint.len();
    old.iter()
        .map(
            |item| match joint[..shared].iter().position(|j| same(j, item)) {
                Some(i) => i,
                None => {
                    joint.push(item.clone());
                    joint.len() - 1
                }
            },
        )
        .collect()
}
