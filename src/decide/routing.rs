//! Routing: the first route rule whose condition holds (or `otherwise`) gives the handler, and
//! a case a rule needs more attributes for is left unrouted, saying which.

use smallvec::smallvec;

use crate::check::Policy;
use crate::decide::decision::*;
use crate::decide::engine::Version;
use crate::decide::eval::{Needed, Truth, eval};
use crate::decide::names::numbered_targets;
use crate::decide::reason::Reason;
use crate::decide::run::{Choice, ClockedList, Ctx, Round, Rounds, reason, room_for};
use crate::decide::shared::route_shown;
use crate::decide::validate::Facts;
use crate::time::TimeError;

/// The first route rule whose condition holds for a case, in rule order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstMatch {
    /// Rule `i` holds, and none before it.
    Rule(usize),
    /// Rule `i` needs what the case does not give (left in `needed`), and none before it
    /// holds: the case cannot be routed yet.
    Unknown(usize),
    /// No rule holds (the `otherwise` decides, if there is one).
    None,
}

/// Route tables of at most this many rules are scanned, not looked up in the index.
const SHORT_TABLE: usize = 8;

/// The first route rule of `version` that holds for `facts`; every rule before it is false.
/// The rules the index rules out for the case's category and channel are false for it, so
/// they are not evaluated.
#[inline]
pub(crate) fn first_match(
    version: &Version,
    facts: &Facts<'_>,
    needed: &mut Vec<Needed>,
) -> FirstMatch {
    let policy = &version.policy;
    // A short table is scanned: walking it costs less than looking its key up.
    if policy.routes.len() <= SHORT_TABLE {
        return first_of(policy, 0..policy.routes.len(), facts, needed);
    }
    match version.routes.candidates(facts.category, facts.channel) {
        Some(candidates) => first_of(policy, candidates, facts, needed),
        None => first_of(policy, 0..policy.routes.len(), facts, needed),
    }
}

/// The first of `rules` (ascending) that holds for `facts`, or cannot be told.
#[inline]
pub(crate) fn first_of(
    policy: &Policy,
    rules: impl Iterator<Item = usize>,
    facts: &Facts<'_>,
    needed: &mut Vec<Needed>,
) -> FirstMatch {
    for i in rules {
        // A rule that turned out false may have noted what it lacked on the way.
        needed.clear();
        match eval(&policy.routes[i].when, facts, needed) {
            Truth::True => return FirstMatch::Rule(i),
            Truth::False => {}
            Truth::Unknown => return FirstMatch::Unknown(i),
        }
    }
    FirstMatch::None
}

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// The route, and the index of the handling role.
    pub(super) fn route(&mut self) -> (Route<'a>, Option<usize>) {
        let policy = self.policy;
        let version = self.version;
        let mut route = Route::none();
        let mut chosen = None;
        let mut needed = Vec::new();
        let first = first_match(version, self.facts, &mut needed);
        // The rules before the first that holds (or cannot be told) did not match.
        let passed = match first {
            FirstMatch::Rule(i) | FirstMatch::Unknown(i) => i,
            FirstMatch::None => policy.routes.len(),
        };
        if passed > 0 {
            reason!(
                self,
                Reason::RulesNotMatched {
                    rules: &policy.routes[..passed],
                }
            );
        }
        match first {
            FirstMatch::Rule(i) => {
                let rule = &policy.routes[i];
                chosen = Some((rule.target, &rule.cited, i));
                reason!(
                    self,
                    Reason::RuleMatched {
                        rule: &rule.cited,
                        role: &policy.roles[rule.target].named.name,
                    }
                );
            }
            FirstMatch::Unknown(i) => {
                let cited = &policy.routes[i].cited;
                let names = self.needed_names(&needed);
                self.finding(FindingKind::MissingAttribute, format!(
                        "route rule at {}:{} needs {}, which the case does not give; the case cannot be routed until it does",
                        cited.file,
                        cited.line,
                        names.join(", ")
                    ));
                reason!(self, Reason::RuleUnknown { rule: cited });
                route.missing = names;
                return (route, None);
            }
            FirstMatch::None => {}
        }
        if chosen.is_none() {
            match &policy.otherwise {
                Some(o) => {
                    let cited = &o.cited;
                    chosen = Some((o.target, cited, policy.routes.len()));
                    reason!(
                        self,
                        Reason::Otherwise {
                            rule: cited,
                            role: &policy.roles[o.target].named.name,
                        }
                    );
                    if !policy.fallback_allowed {
                        self.finding(FindingKind::Fallback, format!(
                                "no route rule matches, and the policy forbids relying on `otherwise` ({}:{}); add a rule for this case",
                                cited.file, cited.line
                            ));
                    }
                }
                _ => {
                    self.finding(FindingKind::Unrouted, "no route rule matches and the policy has no `otherwise`; add a rule or an `otherwise -> ROLE`".into());
                    reason!(self, Reason::NoRoute);
                }
            }
        }
        let handler = chosen.map(|(role, _, _)| role);
        if let Some((role, cited, i)) = chosen {
            route = route_shown(policy, role, cited);
            route.json = version.shared.route(i);
        }
        (route, handler)
    }

    /// The target of a redirected case: the time its redirection allows to tell the
    /// complainant where to go, if it gives one; otherwise none.
    pub(super) fn redirect_notice(
        &mut self,
        calendar: Option<usize>,
        states: &mut Vec<TargetState<'a>>,
    ) -> Result<(), TimeError> {
        let policy = self.policy;
        let redirect =
            (policy.scope.redirects.iter()).find(|r| r.categories.contains(&self.facts.category));
        let Some(notice) = redirect.and_then(|r| r.notice.as_ref()) else {
            states.clear();
            return Ok(());
        };
        let Some(number) = numbered_targets(policy).position(|(t, _, _)| std::ptr::eq(t, notice))
        else {
            states.clear();
            return Ok(());
        };
        let choice = Choice {
            target: notice,
            stage: None,
            number,
            name: number,
        };
        let rounds: Rounds = smallvec![Round {
            start: self.facts.received,
            first: 0,
            end: self.events().len(),
        }];
        let mut clocked = ClockedList::new();
        let mut used = 0;
        room_for(states, 1);
        self.target(choice, calendar, &rounds, &mut clocked, states, &mut used)?;
        states.truncate(used);
        Ok(())
    }
}
