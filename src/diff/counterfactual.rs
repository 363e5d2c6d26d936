//! What would have changed a decision: for the route, each single fact of the case that, set
//! otherwise, sends it to another role (found exactly over the case space, not by trying
//! values); for each breached target, the latest stop that would have met it; for each running
//! target, when it breaches if nothing happens and the escalation steps that will fire; and on
//! request, why the case did not go to a given role.
//!
//! Computed after the decision, from the policy and the decision, only when asked for: a
//! decision without them pays nothing.

use serde::Serialize;

use crate::analyse::{Region, Space};
use crate::check::{Cond, Policy};
use crate::decide::{Case, Decision, State, StepState};
use crate::diff::acceptance::accepts;
use crate::diff::routing::first_match;
use crate::diff::text::cond_text;
use crate::render::{Lang, cond_words};

/// What would have changed a decision.
#[derive(Debug, Clone, Serialize)]
pub struct Counterfactuals {
    /// Single facts of the case that, set otherwise, route it to another role (or to none).
    pub route: Vec<Alternative>,
    /// Each breached target: the latest stop that would have met it.
    pub breached: Vec<Missed>,
    /// Each running target: when it breaches if nothing happens, and the steps that fire.
    pub running: Vec<Ahead>,
    /// With `--why-not ROLE`: why the case did not go to that role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<WhyNot>,
}

/// One fact set otherwise, and where the case would go.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    /// The fact, in the policy language: `severity >= major`, `amount > 5000`.
    pub condition: String,
    /// The same in words.
    pub words: String,
    /// The role the case would go to (`null`: no rule would take it).
    pub role: Option<String>,
    /// Its title.
    pub title: Option<String>,
}

/// A breached target and what would have met it.
#[derive(Debug, Clone, Serialize)]
pub struct Missed {
    /// The target (`resolve`, or `STAGE.TARGET`).
    pub target: String,
    /// For a recurring target (`every`), the breached cycle (1-based): a stop by
    /// `latest_stop` would have met that cycle, and the next would have started from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<usize>,
    /// The latest stop that would have met it (or its cycle): its deadline (RFC 3339).
    pub latest_stop: String,
    /// When it stopped, or `null` while it is still open.
    pub stopped_at: Option<String>,
}

/// A running target, if nothing happens.
#[derive(Debug, Clone, Serialize)]
pub struct Ahead {
    /// The target.
    pub target: String,
    /// Its state now (`running`, `at_risk`, `paused`).
    pub state: &'static str,
    /// When it breaches unless it stops first (RFC 3339); while paused, if the pause ended
    /// at the evaluation instant.
    pub breaches_at: Option<String>,
    /// The escalation steps still to fire on it, in order.
    pub steps: Vec<Upcoming>,
}

/// An escalation step still to fire.
#[derive(Debug, Clone, Serialize)]
pub struct Upcoming {
    /// When (RFC 3339).
    pub at: String,
    /// The ladder.
    pub ladder: String,
    /// `notify` or `escalate`.
    pub action: String,
    /// To whom (a role), if named.
    pub to: Option<String>,
}

/// Why a case did not go to a role.
#[derive(Debug, Clone, Serialize)]
pub struct WhyNot {
    /// The role asked about.
    pub role: String,
    /// Whether the case went there after all.
    pub routed_there: bool,
    /// Each rule that names the role, and what kept the case from it.
    pub rules: Vec<Obstacle>,
    /// Whether the role is the `otherwise` fallback's: it takes the cases no rule takes.
    pub fallback: bool,
}

/// A rule that names a role, and why it did not route the case there.
#[derive(Debug, Clone, Serialize)]
pub struct Obstacle {
    /// The rule's line.
    pub line: usize,
    /// The rule as written.
    pub rule: String,
    /// The parts of its condition the case does not meet, in the policy language and in
    /// words; empty when it meets them all.
    pub unmet: Vec<Unmet>,
    /// When the case meets the rule: the line of the earlier rule that took it first.
    pub taken_first_by: Option<usize>,
}

/// A part of a condition a case does not meet.
#[derive(Debug, Clone, Serialize)]
pub struct Unmet {
    /// In the policy language.
    pub condition: String,
    /// In words.
    pub words: String,
}

/// A role asked about that the policy does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the policy has no role `{asked}`; its roles are {known}")]
pub struct UnknownRole {
    /// The name asked for.
    pub asked: String,
    /// The roles it has, listed.
    pub known: String,
}

/// What would have changed `decision`, made under `policy` for `case`; words in `lang`.
/// `why_not`: a role to say why the case did not go to. For many decisions under one policy,
/// prepare an [`Explainer`] once.
///
/// ```
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref())
///     .map_err(|(e, _)| e.to_string())?;
/// let text = std::fs::read_to_string("examples/cases/complaint-office/accepted-phone.json")?;
/// let case = charter::decide::Case::from_json(&text)?;
/// let decision = engine.decide(&case, 1_796_011_200)?; // 2026-12-01
/// let policy = &engine.versions()[0].policy;
/// let what_if = charter::diff::counterfactuals(policy, &case, &decision, None, charter::render::Lang::En)?;
/// // A major case goes to the director; at most normal severity, to the officer.
/// assert_eq!(what_if.route[0].condition, "severity <= normal");
/// assert_eq!(what_if.route[0].role.as_deref(), Some("complaint_officer"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn counterfactuals(
    policy: &Policy,
    case: &Case,
    decision: &Decision<'_>,
    why_not: Option<&str>,
    lang: Lang,
) -> Result<Counterfactuals, UnknownRole> {
    Explainer::new(policy).explain(case, decision, why_not, lang)
}

/// A policy version's route table laid over its case space, prepared once for the
/// counterfactuals of many decisions (it is `Sync`: one serves every deciding thread).
pub struct Explainer<'p> {
    policy: &'p Policy,
    /// `None` when a route condition is too large to analyse: no route alternatives then.
    table: Option<Table<'p>>,
}

impl<'p> Explainer<'p> {
    /// Prepares `policy`'s route table.
    ///
    /// ```
    /// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref())
    ///     .map_err(|(e, _)| e.to_string())?;
    /// let explainer = charter::diff::Explainer::new(&engine.versions()[0].policy);
    /// for name in ["accepted-phone.json", "routed-by-amount.json"] {
    ///     let text = std::fs::read_to_string(format!("examples/cases/complaint-office/{name}"))?;
    ///     let case = charter::decide::Case::from_json(&text)?;
    ///     let decision = engine.decide(&case, 1_796_011_200)?;
    ///     let what_if = explainer.explain(&case, &decision, Some("office_director"), charter::render::Lang::Zh)?;
    ///     assert!(what_if.why_not.is_some());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(policy: &'p Policy) -> Explainer<'p> {
        Explainer {
            policy,
            table: Table::new(policy),
        }
    }

    /// The policy it explains.
    ///
    /// ```
    /// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
    /// let policy = &engine.versions()[0].policy;
    /// assert!(std::ptr::eq(charter::diff::Explainer::new(policy).policy(), policy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// What would have changed `decision`, made under this policy for `case`; see
    /// [`counterfactuals`].
    ///
    /// ```
    /// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
    /// # let text = std::fs::read_to_string("examples/cases/complaint-office/accepted-phone.json")?;
    /// # let case = charter::decide::Case::from_json(&text)?;
    /// let decision = engine.decide(&case, 1_796_011_200)?;
    /// let explainer = charter::diff::Explainer::new(&engine.versions()[0].policy);
    /// // An unknown role is an error that lists the roles.
    /// let unknown = explainer.explain(&case, &decision, Some("nobody"), charter::render::Lang::En);
    /// assert!(unknown.unwrap_err().to_string().contains("`office_director`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(
        &self,
        case: &Case,
        decision: &Decision<'_>,
        why_not: Option<&str>,
        lang: Lang,
    ) -> Result<Counterfactuals, UnknownRole> {
        let policy = self.policy;
        let asked = match why_not {
            Some(name) => Some(
                (policy.roles.iter())
                    .position(|r| r.named.name == name)
                    .ok_or_else(|| UnknownRole {
                        asked: name.to_string(),
                        known: (policy.roles.iter())
                            .map(|r| format!("`{}`", r.named.name))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?,
            ),
            None => None,
        };
        let located = (self.table.as_ref()).and_then(|t| Some((t, t.point(case)?)));
        // The role the decision gave (none for a redirected or unrouted case).
        let current = (decision.route.as_ref()).and_then(|r| r.role);
        let route = match &located {
            Some((t, point)) => t.alternatives(point, current, lang),
            None => Vec::new(),
        };
        let why_not = asked.map(|role| match &located {
            Some((t, point)) => t.why_not(point, role, decision, lang),
            None => WhyNot {
                role: policy.roles[role].named.name.clone(),
                routed_there: (decision.route.as_ref()).and_then(|r| r.role)
                    == Some(policy.roles[role].named.name.as_str()),
                rules: Vec::new(),
                fallback: policy.otherwise.as_ref().is_some_and(|o| o.target == role),
            },
        });
        let (breached, running) = clocks(decision);
        Ok(Counterfactuals {
            route,
            breached,
            running,
            why_not,
        })
    }
}

/// The breached targets and the running ones, with what is ahead of them.
fn clocks(decision: &Decision<'_>) -> (Vec<Missed>, Vec<Ahead>) {
    let mut breached = Vec::new();
    let mut running = Vec::new();
    for t in &decision.targets {
        let name = match &t.target.stage {
            Some(stage) => format!("{stage}.{}", t.target.name),
            None => t.target.name.clone(),
        };
        let missed = |s: State| matches!(s, State::Breached | State::Missed);
        if t.cycles.is_empty() {
            if missed(t.state) {
                breached.push(Missed {
                    target: name.clone(),
                    cycle: None,
                    latest_stop: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    stopped_at: t.stopped_at.map(|s| s.to_string()),
                });
            }
        } else {
            // A recurring target: each breached cycle on its own. A stop in time would have
            // met that cycle; the next starts from that stop, so nothing is said of them.
            for (k, c) in t.cycles.iter().enumerate().filter(|(_, c)| missed(c.state)) {
                breached.push(Missed {
                    target: name.clone(),
                    cycle: Some(k + 1),
                    latest_stop: c.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    stopped_at: c.stopped_at.map(|s| s.to_string()),
                });
            }
        }
        if matches!(t.state, State::Running | State::AtRisk | State::Paused) {
            // Ladders run on the SLA's targets, never on a stage's; only the steps still
            // pending are ahead.
            let steps = (decision.escalations.iter())
                .filter(|s| t.target.stage.is_none() && s.state == StepState::Pending)
                .filter(|s| s.step.target.as_deref() == Some(&t.target.name))
                .filter_map(|s| {
                    Some(Upcoming {
                        at: s.at?.to_string(),
                        ladder: s.step.ladder.clone(),
                        action: s.step.action.name().to_string(),
                        to: s.step.to.clone(),
                    })
                })
                .collect();
            running.push(Ahead {
                target: name,
                state: t.state.name(),
                breaches_at: t.deadline.map(|d| d.to_string()),
                steps,
            });
        }
    }
    (breached, running)
}

/// The policy's route table over its case space.
struct Table<'p> {
    policy: &'p Policy,
    space: Space<'p>,
    /// The cases each rule takes, then those none takes.
    pieces: Vec<Region>,
    /// Each piece's role.
    roles: Vec<Option<usize>>,
}

impl<'p> Table<'p> {
    /// `None` when a condition is too large to analyse.
    fn new(policy: &'p Policy) -> Option<Table<'p>> {
        let space = Space::new(policy);
        let accepted: Vec<usize> = (0..policy.categories.len())
            .filter(|&i| accepts(policy, i))
            .collect();
        let universe = space.categories(&accepted);
        let (mut pieces, rest) = first_match(
            &space,
            policy.routes.iter().map(|r| Some(&r.when)),
            &universe,
        )?;
        pieces.push(rest);
        let mut roles: Vec<Option<usize>> = policy.routes.iter().map(|r| Some(r.target)).collect();
        roles.push(policy.otherwise.as_ref().map(|o| o.target));
        Some(Table {
            policy,
            space,
            pieces,
            roles,
        })
    }

    /// Where `case` lies: its atom in each dimension (`None` where it does not say); `None`
    /// when it names a category or channel the policy lacks.
    fn point(&self, case: &Case) -> Option<Vec<Option<usize>>> {
        let policy = self.policy;
        let category = (policy.categories.iter()).position(|c| c.name == case.category)?;
        let channel = (policy.channels.iter()).position(|c| c.named.name == case.channel)?;
        let severity = (case.severity.as_ref())
            .and_then(|s| policy.severities.iter().position(|v| v.name == s));
        let attribute = |i: usize| case.attributes.get(&policy.attributes[i].named.name);
        Some(self.space.locate(category, channel, severity, &attribute))
    }

    /// The piece the case at `point` lies in, if the facts it gives settle it.
    fn piece_of(&self, point: &[Option<usize>]) -> Option<usize> {
        (self.pieces.iter()).position(|region| lies_in(&self.space, region, point))
    }

    fn role(&self, role: Option<usize>, lang: Lang) -> (Option<String>, Option<String>) {
        match role.and_then(|i| self.policy.roles.get(i)) {
            Some(r) => (
                Some(r.named.name.clone()),
                Some(lang.pick(&r.named.label).to_string()),
            ),
            None => (None, None),
        }
    }

    /// Each single fact that, set otherwise, routes the case to a role other than `current`
    /// (by name; `None` when the case is not routed): a moved case counts only where the
    /// facts it gives settle its route (and, for another category, where it is accepted).
    /// Per fact, the other values grouped by the role they lead to.
    fn alternatives(
        &self,
        point: &[Option<usize>],
        current: Option<&str>,
        lang: Lang,
    ) -> Vec<Alternative> {
        let name = |role: Option<usize>| {
            role.and_then(|i| self.policy.roles.get(i))
                .map(|r| r.named.name.as_str())
        };
        let shape = self.space.shape();
        let mut out = Vec::new();
        for d in 0..shape.len() {
            let Some(at) = point[d] else { continue };
            let mut by_role: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
            for atom in (0..shape[d]).filter(|&a| a != at) {
                let mut moved = point.to_vec();
                moved[d] = Some(atom);
                let Some(piece) = self.piece_of(&moved) else {
                    continue;
                };
                let role = self.roles[piece];
                if name(role) == current {
                    continue;
                }
                match by_role.iter_mut().find(|(r, _)| *r == role) {
                    Some((_, atoms)) => atoms.push(atom),
                    None => by_role.push((role, vec![atom])),
                }
            }
            for (role, atoms) in by_role {
                let cond = self.space.one_fact(d, &atoms);
                let (name, title) = self.role(role, lang);
                out.push(Alternative {
                    condition: cond_text(self.policy, &cond),
                    words: cond_words(self.policy, &cond, lang),
                    role: name,
                    title,
                });
            }
        }
        out
    }

    /// Whether the case meets `cond`, as far as its facts settle it (`None`: the condition
    /// is too large to analyse).
    fn meets(&self, point: &[Option<usize>], cond: &Cond) -> Option<bool> {
        // One question of the many a prepared table answers: its own budget of work.
        self.space.renew();
        let region = self.space.region(cond)?;
        Some(lies_in(&self.space, &region, point))
    }

    fn why_not(
        &self,
        point: &[Option<usize>],
        role: usize,
        decision: &Decision<'_>,
        lang: Lang,
    ) -> WhyNot {
        let routed_there = (decision.route.as_ref()).and_then(|r| r.role)
            == Some(self.policy.roles[role].named.name.as_str());
        let taken_by = (decision.route.as_ref())
            .and_then(|r| r.rule)
            .map(|rule| rule.line);
        let mut rules = Vec::new();
        for rule in self.policy.routes.iter().filter(|r| r.target == role) {
            let parts: Vec<&Cond> = match &rule.when {
                Cond::And(parts) => parts.iter().collect(),
                other => vec![other],
            };
            let unmet: Vec<Unmet> = parts
                .into_iter()
                .filter(|c| self.meets(point, c) != Some(true))
                .map(|c| Unmet {
                    condition: cond_text(self.policy, c),
                    words: cond_words(self.policy, c, lang),
                })
                .collect();
            let taken_first_by = match (unmet.is_empty(), taken_by) {
                (true, Some(line)) if line != rule.cited.line => Some(line),
                _ => None,
            };
            rules.push(Obstacle {
                line: rule.cited.line,
                rule: rule.cited.text.clone(),
                unmet,
                taken_first_by,
            });
        }
        WhyNot {
            role: self.policy.roles[role].named.name.clone(),
            routed_there,
            rules,
            fallback: (self.policy.otherwise.as_ref()).is_some_and(|o| o.target == role),
        }
    }
}

/// Whether the case at `point` is one of `region`'s whatever the facts it does not give: some
/// cube holds it and asks nothing of those facts.
fn lies_in(space: &Space<'_>, region: &Region, point: &[Option<usize>]) -> bool {
    let known: Vec<usize> = point.iter().map(|a| a.unwrap_or(0)).collect();
    region.iter().any(|cube| {
        (0..point.len())
            .filter(|&d| point[d].is_none())
            .all(|d| space.asks_nothing(cube, d))
            && Space::holds(cube, &known)
    })
}
