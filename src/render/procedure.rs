//! The procedure document (投诉处理程序) and the org chart, both built from the compiled policy.

mod closed_days;
mod definitions;
mod duties;
mod flow;
mod matrix;
mod org;
mod owners;
mod steps;

pub use org::org_chart;

use closed_days::closed_day_rules;
use matrix::sla_matrix;

use crate::check::{Cond, Policy, Procedure, Recipient, Trigger, Whom};
use crate::vocabulary::Label;

use super::words::{
    cond_words, covering_words, deadline_words, event_name, schedule_words, span_words,
    target_label, target_name,
};
use super::{Block, Control, Document, Lang, table_or};

/// The procedure document: `index` picks a procedure of the policy (the first when `None`);
/// a policy without procedures still gets everything but the steps.
pub fn procedure(policy: &Policy, index: Option<usize>, lang: Lang) -> Document {
    let index = index.or((!policy.procedures.is_empty()).then_some(0));
    let doc = Pr {
        policy,
        lang,
        procedure: index.and_then(|i| Some((i, policy.procedures.get(i)?))),
    };
    let sections = [
        doc.purpose_and_scope(),
        doc.definitions(),
        doc.responsibilities(),
        doc.steps(),
        doc.channels(),
        doc.categories(),
        doc.record_fields(),
        doc.routing(),
        doc.time_limits(),
        doc.escalation(),
        doc.callbacks(),
        doc.extensions_and_stages(),
        doc.reports(),
        doc.records(),
    ];
    let title = match doc.procedure {
        Some((_, p)) => doc.l(&p.named.label),
        None => doc.l(&policy.label),
    };
    let mut document = Document {
        title,
        lang,
        blocks: number_sections(sections.into_iter().flatten(), lang),
        control: Some(Control::new(policy, policy.document.as_deref(), lang)),
        fields: serde_json::Value::Null,
    };
    super::typography::apostrophes(&mut document);
    document
}

/// Numbers the sections (the level-2 headings) in order: 一、二、… in Chinese, 1. 2. … in
/// English, so that a section left out leaves no gap.
fn number_sections(blocks: impl Iterator<Item = Block>, lang: Lang) -> Vec<Block> {
    const ZH: [&str; 20] = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
        "十五", "十六", "十七", "十八", "十九", "二十",
    ];
    let mut n = 0;
    blocks
        .map(|b| match b {
            Block::Heading(2, text) => {
                n += 1;
                let number = match (lang, ZH.get(n - 1)) {
                    (Lang::Zh, Some(zh)) => format!("{zh}、"),
                    _ => format!("{n}. "),
                };
                Block::Heading(2, format!("{number}{text}"))
            }
            other => other,
        })
        .collect()
}

/// What every section of the procedure document reads from.
struct Pr<'a> {
    policy: &'a Policy,
    lang: Lang,
    /// The procedure documented, with its index, if the policy has one.
    procedure: Option<(usize, &'a Procedure)>,
}

impl<'a> Pr<'a> {
    fn l(&self, label: &Label) -> String {
        self.lang.pick(label).to_string()
    }

    fn say(&self, zh: &'static str, en: &'static str) -> String {
        self.lang.say(zh, en).to_string()
    }

    fn none(&self) -> String {
        self.say("无", "None")
    }

    fn role(&self, i: usize) -> String {
        self.l(&self.policy.roles[i].named.label)
    }

    fn heading(&self, level: u8, zh: &'static str, en: &'static str) -> Block {
        Block::Heading(level, self.say(zh, en))
    }

    /// A condition in words, or "every case" when there is none.
    fn applies(&self, cond: Option<&Cond>) -> String {
        cond.map_or_else(
            || self.say("所有投诉", "every case"),
            |c| cond_words(self.policy, c, self.lang),
        )
    }

    /// 一、目的和适用范围: the procedure's purpose and scope, and the policy version it
    /// follows.
    fn purpose_and_scope(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let mut blocks = vec![self.heading(2, "目的和适用范围", "Purpose and scope")];
        if let Some((_, p)) = self.procedure {
            if let Some(purpose) = &p.purpose {
                blocks.push(Block::Paragraph(self.l(purpose)));
            }
            if let Some(applies) = &p.applies_to {
                blocks.push(Block::Paragraph(format!(
                    "{}{}",
                    self.say("适用范围：", "Applies to: "),
                    self.l(applies)
                )));
            }
        }
        let since = policy.effective.map_or_else(String::new, |d| {
            let d = super::control::date(d, lang);
            match lang {
                Lang::Zh => format!("，自{d}起施行"),
                Lang::En => format!(", in force from {d}"),
            }
        });
        let sentence = match lang {
            Lang::Zh => format!(
                "本程序依据《{}》（版本 {}{since}）。",
                self.l(&policy.label),
                policy.version
            ),
            Lang::En => format!(
                "This procedure follows “{}”, version {}{since}.",
                self.l(&policy.label),
                policy.version
            ),
        };
        blocks.push(Block::Paragraph(sentence));
        blocks
    }

    /// 二、受理渠道: each channel and the channel its callback goes through.
    fn channels(&self) -> Vec<Block> {
        let policy = self.policy;
        let rows = (policy.channels.iter())
            .map(|c| {
                let back = (c.callback).map_or_else(
                    || self.l(&c.named.label),
                    |b| self.l(&policy.channels[b].named.label),
                );
                vec![self.l(&c.named.label), back]
            })
            .collect();
        vec![
            self.heading(2, "受理渠道", "Intake channels"),
            Block::Table {
                header: vec![
                    self.say("渠道", "Channel"),
                    self.say("回访渠道", "Callback through"),
                ],
                rows,
            },
        ]
    }

    /// 三、投诉类别与受理范围: each category accepted, redirected or not accepted, and the
    /// time to ask for missing fields.
    fn categories(&self) -> Vec<Block> {
        let scope = &self.policy.scope;
        let everything = scope.accepted.is_empty() && scope.redirects.is_empty();
        let mut rows = Vec::new();
        for (i, c) in self.policy.categories.iter().enumerate() {
            let redirect = scope.redirects.iter().find(|r| r.categories.contains(&i));
            let handling = match redirect {
                Some(r) => format!(
                    "{}{}{}{}",
                    self.say("转交", "redirected to "),
                    self.l(&r.to),
                    self.say("，原因：", ", because "),
                    self.l(&r.reason)
                ),
                None if everything || scope.accepted.contains(&i) => self.say("受理", "accepted"),
                None => self.say("不受理", "not accepted"),
            };
            rows.push(vec![self.l(&c.label), handling]);
        }
        let mut blocks = vec![
            self.heading(2, "投诉类别与受理范围", "Categories and scope"),
            Block::Table {
                header: vec![self.say("类别", "Category"), self.say("处理", "Handling")],
                rows,
            },
        ];
        if let Some((span, _)) = scope.incomplete {
            blocks.push(Block::Paragraph(format!(
                "{}{}{}",
                self.say(
                    "记录缺少必填字段时，",
                    "When a record lacks a required field, the customer is asked for it "
                ),
                deadline_words(span, self.lang),
                self.say("联系客户补充。", ".")
            )));
        }
        blocks
    }

    /// 记录字段: each record field and whether it is required (for which categories).
    fn record_fields(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let required = |f: &crate::check::Field| match (&f.categories, f.required) {
            (_, false) => self.say("否", "no"),
            (None, true) => self.say("是", "yes"),
            (Some((except, list)), true) => {
                let names: Vec<String> = (list.iter())
                    .map(|&c| self.l(&policy.categories[c].label))
                    .collect();
                let names = names.join(lang.say("、", ", "));
                match (except, lang) {
                    (true, Lang::Zh) => format!("是（{names}除外）"),
                    (true, Lang::En) => format!("yes, except {names}"),
                    (false, Lang::Zh) => format!("仅{names}"),
                    (false, Lang::En) => format!("only for {names}"),
                }
            }
        };
        // The fields the policy marks `personal` get a column of their own, and a word on
        // what that asks of whoever handles them; a policy that marks none has neither.
        let personal = policy.fields.iter().any(|f| f.personal);
        let mut header = vec![self.say("字段", "Field"), self.say("必填", "Required")];
        if personal {
            header.push(self.say("个人信息", "Personal data"));
        }
        let rows = (policy.fields.iter())
            .map(|f| {
                let mut row = vec![self.l(&f.named.label), required(f)];
                if personal {
                    row.push(if f.personal {
                        self.say("是", "yes")
                    } else {
                        self.say("否", "no")
                    });
                }
                row
            })
            .collect();
        let mut blocks = vec![
            self.heading(3, "记录字段", "Record fields"),
            Block::Table { header, rows },
        ];
        if personal {
            blocks.push(Block::Paragraph(self.say(
                "“个人信息”一栏为“是”的字段记录的是个人信息（如姓名、联系方式），其收集、使用和保存须符合个人信息保护的要求。",
                "Fields marked “yes” under Personal data hold information that identifies a person; they are collected, used and kept as the rules on personal information require.",
            )));
        }
        blocks
    }

    /// 四、分派规则: the route rules in order, and the fallback.
    fn routing(&self) -> Vec<Block> {
        let policy = self.policy;
        let mut rows: Vec<Vec<String>> = (policy.routes.iter().enumerate())
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    cond_words(policy, &r.when, self.lang),
                    self.role(r.target),
                ]
            })
            .collect();
        if let Some(o) = &policy.otherwise {
            let note = if policy.fallback_allowed {
                self.say("其他情况", "any other case")
            } else {
                self.say(
                    "其他情况（程序不允许依赖此项，须补充规则）",
                    "any other case (the policy forbids relying on this; add a rule)",
                )
            };
            rows.push(vec![
                (rows.len() + 1).to_string(),
                note,
                self.role(o.target),
            ]);
        }
        vec![
            self.heading(2, "分派规则", "Routing"),
            Block::Paragraph(self.say(
                "按顺序逐条判断，第一条符合的规则决定处理职位。",
                "Rules are tried in order; the first that matches decides who handles the case.",
            )),
            Block::Table {
                header: vec![
                    "#".into(),
                    self.say("条件", "When"),
                    self.say("处理职位", "Handled by"),
                ],
                rows,
            },
        ]
    }

    /// 五、处理时限: every target of every SLA block, then the category × severity matrix
    /// when the conditions allow one.
    fn time_limits(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let mut rows = Vec::new();
        for sla in &policy.slas {
            let when = self.applies(sla.when.as_ref());
            for t in &sla.targets {
                let limit = if t.recurring {
                    format!("{}{}", self.say("每", "every "), span_words(t.span, lang))
                } else {
                    deadline_words(t.span, lang)
                };
                let each = if t.each {
                    lang.say("每次", "each ")
                } else {
                    ""
                };
                let stops = (t.stop.iter())
                    .map(|e| event_name(policy, e, lang))
                    .collect::<Vec<_>>()
                    .join(lang.say("或", " or "));
                rows.push(vec![
                    self.l(&sla.named.label),
                    when.clone(),
                    target_label(t, lang),
                    limit,
                    format!("{each}{} → {stops}", event_name(policy, &t.start, lang)),
                ]);
            }
        }
        let mut blocks = vec![
            self.heading(2, "处理时限", "Time limits"),
            Block::Table {
                header: vec![
                    self.say("时限", "SLA"),
                    self.say("适用", "Applies to"),
                    self.say("目标", "Target"),
                    self.say("时限要求", "Limit"),
                    self.say("起止事件", "From → until"),
                ],
                rows,
            },
        ];
        if let Some(matrix) = sla_matrix(policy, lang) {
            blocks.push(if policy.severities.is_empty() {
                self.heading(3, "按类别", "By category")
            } else {
                self.heading(3, "按类别和严重程度", "By category and severity")
            });
            blocks.extend(matrix);
        }
        blocks
    }

    /// 六、升级: every step of every escalation ladder.
    fn escalation(&self) -> Vec<Block> {
        let mut rows = Vec::new();
        for ladder in &self.policy.escalations {
            let target = (ladder.target.as_deref())
                .map(|t| target_name(self.policy, t, self.lang))
                .unwrap_or_else(|| "—".into());
            let when = self.applies(ladder.when.as_ref());
            for step in &ladder.steps {
                let whom = match step.whom {
                    Whom::Handler => self.say("处理人", "the handler"),
                    Whom::Superior => self.say("处理人的直接上级", "the handler's superior"),
                    Whom::Role(r) => self.role(r),
                };
                let action = if step.escalate {
                    self.say("升级至", "escalate to")
                } else {
                    self.say("通知", "notify")
                };
                rows.push(vec![
                    self.l(&ladder.named.label),
                    when.clone(),
                    target.clone(),
                    self.trigger_words(&step.trigger),
                    match self.lang {
                        Lang::Zh => format!("{action}{whom}"),
                        Lang::En => format!("{action} {whom}"),
                    },
                ]);
            }
        }
        vec![
            self.heading(2, "升级", "Escalation"),
            table_or(
                vec![
                    self.say("升级规则", "Ladder"),
                    self.say("适用", "Applies to"),
                    self.say("目标", "Target"),
                    self.say("时机", "When"),
                    self.say("动作", "Action"),
                ],
                rows,
                self.none(),
            ),
        ]
    }

    fn trigger_words(&self, trigger: &Trigger) -> String {
        match trigger {
            Trigger::Immediately => self.say("立即", "immediately"),
            Trigger::Percent(p) => format!("{}{p}%", self.say("时限已过", "at ")),
            Trigger::Breach(None) => self.say("超时", "at breach"),
            Trigger::Breach(Some(d)) => match self.lang {
                Lang::Zh => format!("超时后{}", span_words(*d, self.lang)),
                Lang::En => format!("{d} after breach"),
            },
        }
    }

    /// 七、回访: each callback rule, when, through which channel, and what it asks.
    fn callbacks(&self) -> Vec<Block> {
        let rows: Vec<Vec<String>> = (self.policy.callbacks.iter())
            .map(|c| self.callback_row(c))
            .collect();
        vec![
            self.heading(2, "回访", "Callbacks"),
            table_or(
                vec![
                    self.say("回访", "Callback"),
                    self.say("适用", "Applies to"),
                    self.say("时限", "When"),
                    self.say("渠道", "Through"),
                    self.say("要求", "Also"),
                ],
                rows,
                self.none(),
            ),
        ]
    }

    /// A callback's time limit with the event it counts from: 自处理完毕起第3个工作日下班前;
    /// `None` when it has none.
    pub(super) fn callback_within(&self, c: &crate::check::Callback) -> Option<String> {
        let (policy, lang) = (self.policy, self.lang);
        let (span, from, _) = c.within.as_ref()?;
        Some(match lang {
            Lang::Zh => format!(
                "自{}起{}",
                event_name(policy, from, lang),
                deadline_words(*span, lang)
            ),
            Lang::En => format!(
                "{} after {}",
                deadline_words(*span, lang),
                event_name(policy, from, lang)
            ),
        })
    }

    fn callback_row(&self, c: &crate::check::Callback) -> Vec<String> {
        let (policy, lang) = (self.policy, self.lang);
        let within = self.callback_within(c).unwrap_or_else(|| "—".into());
        let via = c.via.map_or_else(
            || self.say("原渠道", "the original channel"),
            |v| self.l(&policy.channels[v].named.label),
        );
        let mut extra = Vec::new();
        if c.ask_satisfaction {
            extra.push(self.say("了解满意度", "ask satisfaction"));
        }
        if c.reopen_if_dissatisfied {
            extra.push(self.say("不满意则重新处理", "reopen if dissatisfied"));
        }
        vec![
            self.l(&c.named.label),
            self.applies(c.when.as_ref()),
            within,
            via,
            extra.join(lang.say("；", "; ")),
        ]
    }

    /// 八、延期与处理阶段: the extension limits, then each stage with its order, owner,
    /// separation of duties and targets.
    fn extensions_and_stages(&self) -> Vec<Block> {
        let mut items: Vec<String> = (self.policy.extensions.iter())
            .map(|e| self.extension_words(e))
            .collect();
        items.extend(self.policy.stages.iter().map(|s| self.stage_words(s)));
        vec![
            self.heading(2, "延期与处理阶段", "Extensions and stages"),
            if items.is_empty() {
                Block::Paragraph(self.none())
            } else {
                Block::List(items)
            },
        ]
    }

    fn extension_words(&self, e: &crate::check::Extension) -> String {
        let (policy, lang) = (self.policy, self.lang);
        let when = e.when.as_ref().map(|c| cond_words(policy, c, lang));
        match lang {
            Lang::Zh => format!(
                "{}{}可延期，须说明理由，累计不超过{}{}",
                when.map(|w| format!("{w}时，")).unwrap_or_default(),
                target_name(policy, &e.target, lang),
                span_words(e.max, lang),
                e.count.map(|n| format!("，最多{n}次")).unwrap_or_default()
            ),
            Lang::En => format!(
                "{} may be extended{}, with a reason, by at most {} in total{}",
                target_name(policy, &e.target, lang),
                when.map(|w| format!(" when {w}")).unwrap_or_default(),
                e.max,
                e.count
                    .map(|n| format!(", at most {n} time{}", if n == 1 { "" } else { "s" }))
                    .unwrap_or_default()
            ),
        }
    }

    fn stage_words(&self, stage: &crate::check::Stage) -> String {
        let (policy, lang) = (self.policy, self.lang);
        let stage_name = |s: usize| self.l(&policy.stages[s].named.label);
        let mut text = self.l(&stage.named.label);
        // Notes in one bracket: when it comes, and who handles it.
        let mut notes: Vec<String> = Vec::new();
        if let Some(after) = stage.after.map(stage_name) {
            notes.push(match lang {
                Lang::Zh => format!("在{after}之后"),
                Lang::En => format!("after {after}"),
            });
        }
        if let Some(by) = &stage.by {
            let who = match by {
                Whom::Role(r) => self.role(*r),
                Whom::Handler => self.say("承办岗位", "handling role"),
                Whom::Superior => self.say("承办岗位的上级", "handling role's superior"),
            };
            notes.push(match lang {
                Lang::Zh => format!("由{who}负责"),
                Lang::En => format!("by the {who}"),
            });
        } else {
            // A stage without `by` names no role: say so, rather than print its bare name
            // (or suggest that any role may do it).
            notes.push(self.say("未指定负责岗位", "no role named"));
        }
        if !notes.is_empty() {
            text.push_str(&match lang {
                Lang::Zh => format!("（{}）", notes.join("，")),
                Lang::En => format!(" ({})", notes.join(", ")),
            });
        }
        let separate: Vec<String> = stage.separate_from.iter().map(|&s| stage_name(s)).collect();
        if !separate.is_empty() {
            let stages = separate.join(lang.say("、", ", "));
            text.push_str(&match lang {
                Lang::Zh => format!("：不得由“{stages}”阶段的处理人担任"),
                Lang::En => format!(": not by whoever handled “{stages}”"),
            });
        }
        for t in &stage.targets {
            text.push_str(&format!(
                "{}{}{}{}",
                lang.say("；", "; "),
                target_label(t, lang),
                lang.say("：", " "),
                deadline_words(t.span, lang)
            ));
        }
        text
    }

    /// 九、报告: the report schedule, and what happens to a report due on a closed day.
    fn reports(&self) -> Vec<Block> {
        let (policy, lang) = (self.policy, self.lang);
        let recipients = |list: &[Recipient]| -> String {
            let names: Vec<String> = (list.iter())
                .map(|r| match r {
                    Recipient::Role(i) => self.role(*i),
                    Recipient::External(label) => self.l(label),
                })
                .collect();
            if names.is_empty() {
                "—".into()
            } else {
                names.join(lang.say("、", ", "))
            }
        };
        let rows: Vec<Vec<String>> = (policy.reports.iter())
            .map(|r| {
                vec![
                    self.l(&r.named.label),
                    (r.schedule.as_ref()).map_or_else(|| "—".into(), |s| schedule_words(s, lang)),
                    (r.covering.as_deref()).map_or_else(|| "—".into(), |c| covering_words(c, lang)),
                    recipients(&r.to),
                    recipients(&r.cc),
                ]
            })
            .collect();
        let mut blocks = vec![
            self.heading(2, "报告", "Reports"),
            table_or(
                vec![
                    self.say("报告", "Report"),
                    self.say("提交时间", "Due"),
                    self.say("范围", "Covering"),
                    self.say("报送", "To"),
                    self.say("抄送", "Copy"),
                ],
                rows,
                self.none(),
            ),
        ];
        blocks.extend(
            closed_day_rules(policy, lang)
                .into_iter()
                .map(Block::Paragraph),
        );
        blocks
    }
}
