//! 职责: what each role does in the procedure, derived from the policy: the steps it owns,
//! the complaints routed to it and the limits it answers for (the analysis position
//! descriptions use), the stages it handles, the escalations that reach it and the reports
//! it receives.

use crate::check::{Recipient, Whom};

use super::super::words::target_name;
use super::super::{Block, Lang, table_or};
use super::Pr;
use super::owners::Owners;

impl Pr<'_> {
    /// One row per role with any part in the procedure.
    pub(super) fn responsibilities(&self) -> Vec<Block> {
        let rows: Vec<Vec<String>> = (0..self.policy.roles.len())
            .filter_map(|r| {
                let duties = self.duties_of(r);
                (!duties.is_empty())
                    .then(|| vec![self.role(r), duties.join(self.lang.say("；", "; "))])
            })
            .collect();
        vec![
            self.heading(2, "职责", "Responsibilities"),
            table_or(
                vec![
                    self.say("职位", "Position"),
                    self.say("职责", "Responsibilities"),
                ],
                rows,
                self.none(),
            ),
        ]
    }

    /// What role `r` does in the procedure, one phrase each.
    fn duties_of(&self, r: usize) -> Vec<String> {
        let (policy, lang) = (self.policy, self.lang);
        let mut out = Vec::new();
        if let Some((p_index, p)) = self.procedure {
            let owners = Owners::new(policy, p_index, p);
            let steps: Vec<String> = (0..p.steps.len())
                .filter(|&s| owners.of(s).contains(&r))
                .map(|s| self.l(&p.steps[s].named.label))
                .collect();
            if !steps.is_empty() {
                // English labels are capitalised titles: quoted, they read as the names of
                // steps rather than as verbs of the sentence.
                out.push(match lang {
                    Lang::Zh => format!("负责{}", steps.join("、")),
                    Lang::En => format!(
                        "carries out the step{} “{}”",
                        if steps.len() == 1 { "" } else { "s" },
                        steps.join("”, “")
                    ),
                });
            }
        }
        let answers = crate::analyse::answers(policy, r);
        if answers.routed {
            let mut limits: Vec<String> = Vec::new();
            for &(s, t) in &answers.targets {
                let name = target_name(policy, &policy.slas[s].targets[t].name, lang);
                if !limits.contains(&name) {
                    limits.push(name);
                }
            }
            out.push(if limits.is_empty() {
                self.say("承办分派的投诉", "handles the complaints routed to it")
            } else {
                match lang {
                    Lang::Zh => format!("承办分派的投诉，遵守{}时限", limits.join("、")),
                    Lang::En => format!(
                        "handles the complaints routed to it within the limits for {}",
                        limits.join(", ")
                    ),
                }
            });
        }
        out.extend(self.stages_of(r, answers.routed));
        out.extend(self.escalations_to(r, answers.routed));
        let reports: Vec<String> = (policy.reports.iter())
            .filter(|rep| {
                rep.to
                    .iter()
                    .chain(&rep.cc)
                    .any(|x| matches!(x, Recipient::Role(i) if *i == r))
            })
            .map(|rep| match lang {
                Lang::Zh => format!("《{}》", self.l(&rep.named.label)),
                Lang::En => format!("“{}”", self.l(&rep.named.label)),
            })
            .collect();
        if !reports.is_empty() {
            out.push(format!(
                "{}{}",
                self.say("接收", "receives "),
                reports.join(lang.say("、", ", "))
            ));
        }
        out
    }

    /// Whether role `r` is the direct superior of a role complaints are routed to.
    fn superior_of_handler(&self, r: usize) -> bool {
        let policy = self.policy;
        (policy.routes.iter().map(|x| x.target))
            .chain(policy.otherwise.as_ref().map(|o| o.target))
            .any(|h| policy.roles[h].reports_to == Some(r))
    }

    /// The stages role `r` handles.
    fn stages_of(&self, r: usize, handles: bool) -> Option<String> {
        let superior = self.superior_of_handler(r);
        let stages: Vec<String> = (self.policy.stages.iter())
            .filter(|st| match st.by {
                Some(Whom::Role(x)) => x == r,
                Some(Whom::Handler) => handles,
                None => false,
                Some(Whom::Superior) => superior,
            })
            .map(|st| self.l(&st.named.label))
            .collect();
        // Named as stages, in quotes: a stage may share words with a step (质量监督 and
        // 质量监督复核), and the two must not read as one duty said twice.
        (!stages.is_empty()).then(|| match self.lang {
            Lang::Zh => format!("负责“{}”阶段", stages.join("”“")),
            Lang::En => format!(
                "responsible for the “{}” stage{}",
                stages.join("”, “"),
                if stages.len() == 1 { "" } else { "s" }
            ),
        })
    }

    /// The escalation ladders whose steps reach role `r`.
    fn escalations_to(&self, r: usize, handles: bool) -> Option<String> {
        let superior = self.superior_of_handler(r);
        let mut notified = false;
        let mut escalated = false;
        for step in self.policy.escalations.iter().flat_map(|l| &l.steps) {
            let reaches = match step.whom {
                Whom::Role(x) => x == r,
                Whom::Handler => handles,
                Whom::Superior => superior,
            };
            if reaches {
                if step.escalate {
                    escalated = true;
                } else {
                    notified = true;
                }
            }
        }
        match (escalated, notified) {
            (true, _) => Some(self.say(
                "处理升级至本职位的投诉",
                "takes over complaints escalated to it",
            )),
            (false, true) => Some(self.say(
                "接收超时预警通知并督办",
                "is notified of complaints at risk and follows them up",
            )),
            (false, false) => None,
        }
    }
}
