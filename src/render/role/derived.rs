//! The position description (职位说明书) of one role: the sections of the source documents,
//! then what the policy makes this role answer for. One function per section; each returns
//! the section's blocks, heading included.

use crate::check::{Duty, Policy, Recipient, Requirement, Role, Rule, Trigger, Whom};
use crate::vocabulary::AuthorityLevel;

use super::words::{
    cond_words, deadline_words, event_name, money, span_words, target_name, unit_zh,
};
use super::{Block, Control, Document, Lang, table_or};

/// The position description of `policy.roles[index]`.
pub fn position_description(policy: &Policy, index: usize, lang: Lang) -> Document {
    let pd = Pd::new(policy, index, lang);
    let sections = [
        pd.basic_information(),
        pd.purpose(),
        pd.relations(),
        pd.duties(),
        pd.authorities(),
        pd.rights_and_obligations(),
        pd.qualifications(),
        pd.training(),
        pd.in_the_procedure(),
        pd.steps_owned(),
        pd.complaints_routed(),
        pd.deadlines(),
        pd.escalations(),
        pd.reports_received(),
    ];
    let title = match lang {
        Lang::Zh => format!("职位说明书：{}", pd.l(&pd.role.named.label)),
        Lang::En => format!("Position description: {}", pd.l(&pd.role.named.label)),
    };
    Document {
        title,
        lang,
        blocks: sections.into_iter().flatten().collect(),
        control: Some(Control::new(policy, pd.role.document.as_deref(), lang)),
    }
}

/// What every section of one position description reads from.
struct Pd<'a> {
    policy: &'a Policy,
    index: usize,
    role: &'a Role,
    lang: Lang,
    /// The route rules that send complaints to this role.
    routed: Vec<&'a Rule>,
    /// Whether the `otherwise` route sends complaints to this role.
    fallback: bool,
}

impl<'a> Pd<'a> {
    fn new(policy: &'a Policy, index: usize, lang: Lang) -> Pd<'a> {
        Pd {
            policy,
            index,
            role: &policy.roles[index],
            lang,
            routed: policy.routes.iter().filter(|r| r.target == index).collect(),
            fallback: policy.otherwise.as_ref().is_some_and(|o| o.target == index),
        }
    }

    fn l(&self, label: &'a crate::vocabulary::Label) -> String {
        self.lang.pick(label).to_string()
    }

    fn say(&self, zh: &'static str, en: &'static str) -> String {
        self.lang.say(zh, en).to_string()
    }

    fn role_name(&self, i: usize) -> String {
        self.l(&self.policy.roles[i].named.label)
    }

    /// Names joined with the language's list separator, or "—".
    fn join(&self, list: Vec<String>) -> String {
        if list.is_empty() {
            none()
        } else {
            list.join(self.lang.say("、", ", "))
        }
    }

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

    fn heading(&self, level: u8, zh: &'static str, en: &'static str) -> Block {
        Block::Heading(level, self.say(zh, en))
    }

    /// 一、基本信息: a two-column table of the role's particulars.
    fn basic_information(&self) -> Vec<Block> {
        let (role, lang) = (self.role, self.lang);
        let l_opt = |x: &Option<crate::vocabulary::Label>| {
            x.as_ref()
                .map(|x| lang.pick(x).to_string())
                .unwrap_or_else(none)
        };
        let subordinates: Vec<String> = (self.policy.roles.iter().enumerate())
            .filter(|(_, r)| r.reports_to == Some(self.index))
            .map(|(i, _)| self.role_name(i))
            .collect();
        let names = |list: &[usize]| self.join(list.iter().map(|&i| self.role_name(i)).collect());
        let one = |r: Option<usize>| r.map(|i| self.role_name(i)).unwrap_or_else(none);
        let department = role.department;
        let rows = [
            (self.say("职位名称", "Title"), self.l(&role.named.label)),
            (
                self.say("职位编号", "Code"),
                role.code.clone().unwrap_or_else(none),
            ),
            (
                self.say("所属部门", "Department"),
                department
                    .map(|d| self.l(&self.policy.departments[d].label))
                    .unwrap_or_else(none),
            ),
            (self.say("直接上级", "Reports to"), one(role.reports_to)),
            (
                self.say("直接下级", "Direct subordinates"),
                self.join(subordinates),
            ),
            (
                self.say("相关职位", "Related positions"),
                names(&role.related),
            ),
            (
                self.say("编制人数", "Headcount"),
                role.headcount.map(|n| n.to_string()).unwrap_or_else(none),
            ),
            (
                self.say("职等", "Grade"),
                role.grade.clone().unwrap_or_else(none),
            ),
            (self.say("工作地点", "Location"), l_opt(&role.location)),
            (self.say("工作时间", "Working hours"), l_opt(&role.hours)),
            (self.say("职务代理人", "Deputy"), one(role.deputy)),
            (
                self.say("可轮换职位", "Rotation"),
                names(&role.rotates_with),
            ),
            (self.say("晋升方向", "Promotion"), one(role.promotes_to)),
        ];
        vec![
            self.heading(2, "一、基本信息", "1. Basic information"),
            Block::Table {
                header: vec![self.say("项目", "Item"), self.say("内容", "Details")],
                rows: rows.into_iter().map(|(k, v)| vec![k, v]).collect(),
            },
        ]
    }

    /// 二、职位目的
    fn purpose(&self) -> Vec<Block> {
        let text =
            (self.role.purpose.as_ref()).map_or_else(|| self.say("无", "None"), |p| self.l(p));
        vec![
            self.heading(2, "二、职位目的", "2. Purpose"),
            Block::Paragraph(text),
        ]
    }

    /// 三、工作关系: internal and external relations.
    fn relations(&self) -> Vec<Block> {
        let lang = self.lang;
        let relations: Vec<String> = (self.role.relations.iter())
            .map(|(internal, text)| {
                let kind = if *internal {
                    lang.say("内部", "Internal")
                } else {
                    lang.say("外部", "External")
                };
                format!("{kind}{}{}", lang.say("：", ": "), self.l(text))
            })
            .collect();
        vec![
            self.heading(2, "三、工作关系", "3. Working relations"),
            list_or_none(relations, lang),
        ]
    }

    /// 四、工作职责: the duties table.
    fn duties(&self) -> Vec<Block> {
        let mut blocks = vec![self.heading(2, "四、工作职责", "4. Duties")];
        if self.role.duties.is_empty() {
            blocks.push(Block::Paragraph(self.say("无", "None")));
            return blocks;
        }
        blocks.push(Block::Table {
            header: vec![
                self.say("职责", "Duty"),
                self.say("权重", "Weight"),
                self.say("时间", "Time"),
                self.say("衡量标准", "Measure"),
                self.say("关键流程", "Key process"),
                self.say("关键结果", "Key result"),
            ],
            rows: self.role.duties.iter().map(|d| self.duty_row(d)).collect(),
        });
        blocks
    }

    fn duty_row(&self, d: &'a Duty) -> Vec<String> {
        let lang = self.lang;
        let process = if d.process.is_empty() {
            none()
        } else {
            (d.process.iter().map(|p| lang.pick(p)))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        vec![
            self.l(&d.named.label),
            d.weight.map(|w| format!("{w}%")).unwrap_or_else(none),
            self.duty_time(d),
            d.measure.as_ref().map(|m| self.l(m)).unwrap_or_else(none),
            process,
            d.result.as_ref().map(|r| self.l(r)).unwrap_or_else(none),
        ]
    }

    /// A duty's time budget: "每周1天", "1 day per week", "ad hoc".
    fn duty_time(&self, d: &Duty) -> String {
        match (&d.time, d.ad_hoc) {
            (_, true) => self.say("不定期", "ad hoc"),
            (Some((amount, unit, period)), false) => match self.lang {
                Lang::Zh => format!("每{}{amount}{}", unit_zh(period), unit_zh(unit)),
                Lang::En if *amount == 1.0 => {
                    format!("1 {} per {period}", unit.trim_end_matches('s'))
                }
                Lang::En => format!("{amount} {unit} per {period}"),
            },
            (None, false) => none(),
        }
    }

    /// 五、工作权限: matter, level (申报 / 审核 / 批准) and limit.
    fn authorities(&self) -> Vec<Block> {
        let mut blocks = vec![self.heading(2, "五、工作权限", "5. Authorities")];
        if self.role.authorities.is_empty() {
            blocks.push(Block::Paragraph(self.say("无", "None")));
            return blocks;
        }
        let rows = (self.role.authorities.iter())
            .map(|a| {
                let level = match a.level {
                    AuthorityLevel::Submit => self.say("申报", "submit"),
                    AuthorityLevel::Review => self.say("审核", "review"),
                    AuthorityLevel::Approve => self.say("批准", "approve"),
                };
                let limit = (a.limit.as_ref())
                    .map(|(n, currency)| money(*n, currency, self.lang))
                    .unwrap_or_else(none);
                vec![self.l(&a.matter), level, limit]
            })
            .collect();
        blocks.push(Block::Table {
            header: vec![
                self.say("事项", "Matter"),
                self.say("权限", "Authority"),
                self.say("限额", "Limit"),
            ],
            rows,
        });
        blocks
    }

    /// 六、权利 七、义务
    fn rights_and_obligations(&self) -> Vec<Block> {
        let texts = |list: &'a [crate::vocabulary::Label]| -> Vec<String> {
            list.iter().map(|r| self.l(r)).collect()
        };
        vec![
            self.heading(2, "六、权利", "6. Rights"),
            list_or_none(texts(&self.role.rights), self.lang),
            self.heading(2, "七、义务", "7. Obligations"),
            list_or_none(texts(&self.role.obligations), self.lang),
        ]
    }

    /// 八、任职资格: education, experience, skills and the rest.
    fn qualifications(&self) -> Vec<Block> {
        let mut blocks = vec![self.heading(2, "八、任职资格", "8. Qualifications")];
        if self.role.requirements.is_empty() {
            blocks.push(Block::Paragraph(self.say("无", "None")));
            return blocks;
        }
        blocks.push(Block::Table {
            header: vec![self.say("类别", "Kind"), self.say("要求", "Requirement")],
            rows: (self.role.requirements.iter())
                .map(|r| self.requirement_row(r))
                .collect(),
        });
        blocks
    }

    fn requirement_row(&self, r: &'a Requirement) -> Vec<String> {
        let lang = self.lang;
        let kind = match r.kind.as_str() {
            "education" => self.say("学历", "Education"),
            "major" => self.say("专业", "Field of study"),
            "experience" => self.say("工作经验", "Experience"),
            "skill" => self.say("技能", "Skills"),
            "knowledge" => self.say("知识", "Knowledge"),
            "trait" => self.say("个性特征", "Personal traits"),
            other => other.to_string(),
        };
        let mut text = r.text.as_ref().map(|t| self.l(t)).unwrap_or_default();
        if let Some(years) = r.years {
            let y = match lang {
                Lang::Zh => format!("{years}年以上"),
                Lang::En => format!("{years}+ years"),
            };
            text = if text.is_empty() {
                y
            } else {
                format!("{y}{}{text}", lang.say("，", ", "))
            };
        }
        vec![kind, text]
    }

    /// 九、培训
    fn training(&self) -> Vec<Block> {
        vec![
            self.heading(2, "九、培训", "9. Training"),
            list_or_none(
                self.role.training.iter().map(|t| self.l(t)).collect(),
                self.lang,
            ),
        ]
    }

    /// 十、the heading of the sections derived from the policy.
    fn in_the_procedure(&self) -> Vec<Block> {
        vec![self.heading(
            2,
            "十、本职位在投诉处理程序中的职责（依据投诉处理制度）",
            "10. In the procedure (derived from the policy)",
        )]
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
                    Some(Some(r)) => r == self.index,
                    Some(None) => self.handles(),
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
                steps.push(format!(
                    "{} / {}{within}",
                    self.l(&procedure.named.label),
                    self.l(&step.named.label)
                ));
            }
        }
        vec![
            self.heading(3, "负责的程序步骤", "Procedure steps owned"),
            list_or_none(steps, lang),
        ]
    }

    /// The complaints routed to this role: each route rule's condition in words.
    fn complaints_routed(&self) -> Vec<Block> {
        let mut routes: Vec<String> = (self.routed.iter())
            .map(|r| cond_words(self.policy, &r.when, self.lang))
            .collect();
        if self.fallback {
            routes.push(self.say("其他规则未分派的投诉", "complaints no other rule routes"));
        }
        vec![
            self.heading(3, "分派给本职位的投诉", "Complaints routed to this role"),
            list_or_none(routes, self.lang),
        ]
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
        vec![
            self.heading(3, "须遵守的时限", "Deadlines this role answers for"),
            table_or(
                vec![
                    self.say("目标", "Target"),
                    self.say("时限", "Limit"),
                    self.say("适用", "Applies to"),
                ],
                rows,
                self.say("无", "None"),
            ),
        ]
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
            target_name(policy, &t.name, lang),
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
                    target_name(policy, &t.name, lang),
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
        vec![
            self.heading(3, "升级与通知", "Escalations"),
            table_or(
                vec![
                    self.say("升级规则", "Ladder"),
                    self.say("目标", "Target"),
                    self.say("时机", "When"),
                    self.say("动作", "Action"),
                ],
                rows,
                self.say("无", "None"),
            ),
        ]
    }

    fn trigger_words(&self, trigger: &Trigger) -> String {
        let lang = self.lang;
        match trigger {
            Trigger::Immediately => self.say("立即", "immediately"),
            Trigger::Percent(p) => match lang {
                Lang::Zh => format!("时限用去{p}%时"),
                Lang::En => format!("at {p}% of the time allowed"),
            },
            Trigger::Breach(None) => self.say("超时即", "at breach"),
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
        vec![
            self.heading(3, "接收的报告", "Reports received"),
            list_or_none(reports, self.lang),
        ]
    }
}

fn none() -> String {
    "—".to_string()
}

pub(crate) fn list_or_none(items: Vec<String>, lang: Lang) -> Block {
    if items.is_empty() {
        Block::Paragraph(lang.say("无", "None").to_string())
    } else {
        Block::List(items)
    }
}
