//! The sections of a position description derived from the policy: the procedure steps the
//! role owns, the complaints routed to it, the deadlines it answers for, the escalations that
//! reach it and the reports it receives. Each part is left out when it has nothing to list.

use crate::check::{Recipient, Trigger, Whom};

use super::super::words::{
    cond_words, deadline_words, event_name, span_words, target_label, target_name,
};
use super::super::{Block, Lang};
use super::{Pd, Section};

impl Pd<'_> {
    /// Whether complaints are routed to this role (by a rule or the fallback).
    fn handles(&self) -> bool {
        !self.routed.is_empty() || self.fallback
    }

    /// Whether this role is the direct superior of some role complaints are routed to.
    fn superior_of_handler(&self) -> bool {
        let policy = self.policy;
        policy
            .routes
            .iter()
            .map(|r| r.target)
            .chain(policy.otherwise.as_ref().map(|o| o.target))
            .any(|h| policy.roles[h].reports_to == Some(self.index))
    }

    /// 本职位在投诉处理程序中的职责: the parts below that have something to say, left out
    /// altogether when none has.
    pub(super) fn in_the_procedure(&self) -> Option<Section> {
        let blocks: Vec<Block> = [
            self.steps_owned(),
            self.complaints_routed(),
            self.deadlines(),
            self.escalations(),
            self.reports_received(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if blocks.is_empty() {
            return None;
        }
        // Named after the procedure the policy writes (客诉处理流程, 售后处理流程, …).
        let procedure = (self.policy.procedures.first())
            .map_or_else(|| self.l(&self.policy.label), |p| self.l(&p.named.label));
        Some(Section {
            title: match self.lang {
                Lang::Zh => format!("本职位在《{procedure}》中的职责"),
                Lang::En => format!("In “{procedure}”"),
            },
            blocks,
        })
    }

    /// A level-3 heading and its block, or nothing when there is nothing to list.
    fn part(&self, zh: &'static str, en: &'static str, block: Option<Block>) -> Vec<Block> {
        match block {
            Some(block) => vec![Block::Heading(3, self.say(zh, en)), block],
            None => Vec::new(),
        }
    }

    /// The procedure steps this role owns: through a duty's `owns`, a step's `by ROLE`, or
    /// `by routed` when complaints are routed to it.
    fn steps_owned(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let mut steps = Vec::new();
        for (p, procedure) in policy.procedures.iter().enumerate() {
            for (s, step) in procedure.steps.iter().enumerate() {
                let owns = self.role.duties.iter().any(|d| d.owns.contains(&(p, s)));
                let by = match step.by {
                    Some(Whom::Role(r)) => r == self.index,
                    Some(Whom::Handler) => self.handles(),
                    Some(Whom::Superior) => self.superior_of_handler(),
                    None => false,
                };
                if !(owns || by) {
                    continue;
                }
                let within = (step.within.as_ref())
                    .map(|(span, _)| {
                        let limit = deadline_words(*span, lang);
                        format!("{}{limit}", lang.say("，时限：", "; "))
                    })
                    .unwrap_or_default();
                // 《投诉处理程序》受理登记 / Complaint handling procedure: Receive.
                let (procedure, step) = (self.l(&procedure.named.label), self.l(&step.named.label));
                steps.push(match lang {
                    Lang::Zh => format!("《{procedure}》{step}{within}"),
                    Lang::En => format!("{procedure}: {step}{within}"),
                });
            }
        }
        self.part("负责的程序步骤", "Procedure steps owned", list(steps))
    }

    /// The complaints routed to this role: each route rule's condition in words.
    fn complaints_routed(&self) -> Vec<Block> {
        let mut routes: Vec<String> = (self.routed.iter())
            .map(|r| cond_words(self.policy, &r.when, self.lang))
            .collect();
        if self.fallback {
            routes.push(self.say("其他规则未分派的投诉", "complaints no other rule routes"));
        }
        self.part(
            "分派给本职位的投诉",
            "Complaints routed to this role",
            list(routes),
        )
    }

    /// The deadlines this role answers for: exactly the targets and callbacks that apply to
    /// some case routed to it, and the targets of the stages it handles.
    fn deadlines(&self) -> Vec<Block> {
        let answers = crate::analyse::answers(self.policy, self.index);
        let mut rows: Vec<Vec<String>> = (answers.targets.iter())
            .map(|&(s, t)| self.target_row(s, t))
            .collect();
        rows.extend(
            answers
                .callbacks
                .iter()
                .filter_map(|&c| self.callback_row(c)),
        );
        rows.extend(self.stage_rows());
        self.part(
            "须遵守的时限",
            "Deadlines this role answers for",
            table(
                vec![
                    self.say("目标", "Target"),
                    self.say("时限", "Limit"),
                    self.say("适用", "Applies to"),
                ],
                rows,
            ),
        )
    }

    fn target_row(&self, s: usize, t: usize) -> Vec<String> {
        let (policy, lang) = (self.policy, self.lang);
        let (sla, t) = (&policy.slas[s], &policy.slas[s].targets[t]);
        let when = (sla.when.as_ref())
            .map(|c| match lang {
                Lang::Zh => format!("（{}）", cond_words(policy, c, lang)),
                Lang::En => format!(" ({})", cond_words(policy, c, lang)),
            })
            .unwrap_or_default();
        let limit = if t.recurring {
            format!("{}{}", lang.say("每", "every "), span_words(t.span, lang))
        } else {
            deadline_words(t.span, lang)
        };
        vec![
            target_label(t, lang),
            limit,
            format!("{}{when}", self.l(&sla.named.label)),
        ]
    }

    fn callback_row(&self, c: usize) -> Option<Vec<String>> {
        let (policy, lang) = (self.policy, self.lang);
        let rule = &policy.callbacks[c];
        let (span, from, _) = rule.within.as_ref()?;
        let from = event_name(policy, from, lang);
        Some(vec![
            self.l(&rule.named.label),
            deadline_words(*span, lang),
            match lang {
                Lang::Zh => format!("回访（自{from}起）"),
                Lang::En => format!("callback (from {from})"),
            },
        ])
    }

    /// The targets of the stages this role handles.
    fn stage_rows(&self) -> Vec<Vec<String>> {
        let (policy, lang) = (self.policy, self.lang);
        let superior = self.superior_of_handler();
        let mut rows = Vec::new();
        for stage in &policy.stages {
            let handled = match stage.by {
                Some(Whom::Role(r)) => r == self.index,
                Some(Whom::Handler) | None => self.handles(),
                Some(Whom::Superior) => superior,
            };
            if !handled {
                continue;
            }
            for t in &stage.targets {
                rows.push(vec![
                    target_label(t, lang),
                    deadline_words(t.span, lang),
                    self.l(&stage.named.label),
                ]);
            }
        }
        rows
    }

    /// The escalation steps that reach this role: as a named role, as the handler, or as the
    /// handler's superior.
    fn escalations(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let superior = self.superior_of_handler();
        let mut rows = Vec::new();
        for ladder in &policy.escalations {
            for step in &ladder.steps {
                let concerned = match step.whom {
                    Whom::Role(r) => r == self.index,
                    Whom::Handler => self.handles(),
                    Whom::Superior => superior,
                };
                if !concerned {
                    continue;
                }
                let action = if step.escalate {
                    self.say("升级", "escalated")
                } else {
                    self.say("通知", "notified")
                };
                let target =
                    (ladder.target.as_deref()).map_or_else(none, |t| target_name(policy, t, lang));
                rows.push(vec![
                    self.l(&ladder.named.label),
                    target,
                    self.trigger_words(&step.trigger),
                    action,
                ]);
            }
        }
        self.part(
            "升级与通知",
            "Escalations",
            table(
                vec![
                    self.say("升级规则", "Ladder"),
                    self.say("目标", "Target"),
                    self.say("时机", "When"),
                    self.say("动作", "Action"),
                ],
                rows,
            ),
        )
    }

    fn trigger_words(&self, trigger: &Trigger) -> String {
        let lang = self.lang;
        match trigger {
            Trigger::Immediately => self.say("立即", "immediately"),
            Trigger::Percent(p) => match lang {
                Lang::Zh => format!("时限已过{p}%时"),
                Lang::En => format!("at {p}% of the time allowed"),
            },
            Trigger::Breach(None) => self.say("期限届满时", "at breach"),
            Trigger::Breach(Some(d)) => match lang {
                Lang::Zh => format!("超时后{}", span_words(*d, lang)),
                Lang::En => format!("{} after breach", span_words(*d, lang)),
            },
        }
    }

    /// The reports sent to this role, or copied to it.
    fn reports_received(&self) -> Vec<Block> {
        let is_me = |list: &[Recipient]| {
            list.iter()
                .any(|x| matches!(x, Recipient::Role(i) if *i == self.index))
        };
        let reports: Vec<String> = (self.policy.reports.iter())
            .filter_map(|r| match (is_me(&r.to), is_me(&r.cc)) {
                (true, _) => Some(self.l(&r.named.label)),
                (false, true) => Some(format!(
                    "{}{}",
                    self.l(&r.named.label),
                    self.lang.say("（抄送）", " (copy)")
                )),
                _ => None,
            })
            .collect();
        self.part("接收的报告", "Reports received", list(reports))
    }
}

fn none() -> String {
    "—".to_string()
}

fn list(items: Vec<String>) -> Option<Block> {
    (!items.is_empty()).then_some(Block::List(items))
}

fn table(header: Vec<String>, rows: Vec<Vec<String>>) -> Option<Block> {
    (!rows.is_empty()).then_some(Block::Table { header, rows })
}
