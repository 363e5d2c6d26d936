//! Stages: the stages entered, by whom, in what order, with separation of duties.

use crate::check::Whom;
use crate::decide::decision::*;
use crate::decide::names::Kind;
use crate::decide::run::Ctx;

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    /// The stages entered, with separation of duties and order checked.
    /// The stages entered, with their handlers and roles; `handler` is the routed role.
    pub(super) fn stages(&mut self, handler_role: Option<usize>) -> Vec<StageState<'a>> {
        let policy = self.policy;
        let case = self.case;
        if !self.facts.kinds.may_have(Kind::STAGE) {
            return Vec::new();
        }
        let mut entered: Vec<(usize, StageState<'a>)> = Vec::new();
        for ev in self.events() {
            let (Some(s), Kind::STAGE) = (ev.stage, ev.kind) else {
                continue;
            };
            let stage = &policy.stages[s];
            let handler = ev.event.handler.as_deref().or(if entered.is_empty() {
                case.handler.as_deref()
            } else {
                None
            });
            if let Some(after) = stage.after
                && !entered.iter().any(|(i, _)| *i == after)
            {
                self.finding(
                    FindingKind::StageOrder,
                    format!(
                        "stage `{}` was entered at {} before stage `{}`, which it follows",
                        stage.named.name,
                        self.at(ev.at),
                        policy.stages[after].named.name
                    ),
                );
            }
            // Kept apart either way round, and from every earlier entry of the other stage (a
            // case sent back is handled again, perhaps by someone else).
            let apart = |other: usize| {
                other != s
                    && (stage.separate_from.contains(&other)
                        || policy.stages[other].separate_from.contains(&s))
            };
            for other in (0..policy.stages.len()).filter(|&o| apart(o)) {
                if let Some(h) = handler
                    && (entered.iter()).any(|(i, e)| *i == other && e.handler.as_deref() == Some(h))
                {
                    self.finding(FindingKind::SeparationOfDuties, format!(
                            "`{h}` handles stage `{}` and also handled stage `{}`; the policy requires different people",
                            stage.named.name, policy.stages[other].named.name
                        ));
                }
            }
            let role = match stage.by {
                Some(Whom::Role(r)) => Some(r),
                Some(Whom::Handler) => handler_role,
                Some(Whom::Superior) => handler_role.and_then(|h| policy.roles[h].reports_to),
                None => None,
            };
            entered.push((
                s,
                StageState {
                    name: &stage.named.name,
                    entered_at: self.at(ev.at),
                    handler: handler.map(str::to_owned),
                    role: role.map(|r| policy.roles[r].named.name.as_str()),
                },
            ));
        }
        entered.into_iter().map(|(_, s)| s).collect()
    }
}
