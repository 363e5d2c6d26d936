//! The position description (职位说明书) of one role: the sections of the source documents,
//! then what the policy makes this role answer for.

use crate::check::{Policy, Recipient, Trigger, Whom};
use crate::vocabulary::AuthorityLevel;

use super::words::{cond_words, deadline_words, span_words, target_name, unit_zh};
use super::{Block, Document, Lang, table_or};

/// The position description of `policy.roles[index]`.
pub fn position_description(policy: &Policy, index: usize, lang: Lang) -> Document {
    let role = &policy.roles[index];
    let l = |label| lang.pick(label);
    let say = |zh, en| lang.say(zh, en).to_string();
    let role_name = |i: usize| l(&policy.roles[i].named.label).to_string();
    let none = || "—".to_string();
    let mut blocks = Vec::new();

    // 一、基本信息
    blocks.push(Block::Heading(
        2,
        say("一、基本信息", "1. Basic information"),
    ));
    let subordinates: Vec<String> = policy
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.reports_to == Some(index))
        .map(|(i, _)| role_name(i))
        .collect();
    let join = |list: Vec<String>| {
        if list.is_empty() {
            none()
        } else {
            list.join(lang.say("、", ", "))
        }
    };
    let rows = vec![
        (say("职位名称", "Title"), l(&role.named.label).to_string()),
        (
            say("职位编号", "Code"),
            role.code.clone().unwrap_or_else(none),
        ),
        (
            say("所属部门", "Department"),
            role.department
                .map(|d| l(&policy.departments[d].label).to_string())
                .unwrap_or_else(none),
        ),
        (
            say("直接上级", "Reports to"),
            role.reports_to.map(role_name).unwrap_or_else(none),
        ),
        (say("直接下级", "Direct subordinates"), join(subordinates)),
        (
            say("相关职位", "Related positions"),
            join(role.related.iter().map(|&i| role_name(i)).collect()),
        ),
        (
            say("编制人数", "Headcount"),
            role.headcount.map(|n| n.to_string()).unwrap_or_else(none),
        ),
        (
            say("职等", "Grade"),
            role.grade.clone().unwrap_or_else(none),
        ),
        (
            say("工作地点", "Location"),
            role.location
                .as_ref()
                .map(|x| l(x).to_string())
                .unwrap_or_else(none),
        ),
        (
            say("工作时间", "Working hours"),
            role.hours
                .as_ref()
                .map(|x| l(x).to_string())
                .unwrap_or_else(none),
        ),
        (
            say("职务代理人", "Deputy"),
            role.deputy.map(role_name).unwrap_or_else(none),
        ),
        (
            say("可轮换职位", "Rotation"),
            join(role.rotates_with.iter().map(|&i| role_name(i)).collect()),
        ),
        (
            say("晋升方向", "Promotion"),
            role.promotes_to.map(role_name).unwrap_or_else(none),
        ),
    ];
    blocks.push(Block::Table {
        header: vec![say("项目", "Item"), say("内容", "Details")],
        rows: rows.into_iter().map(|(k, v)| vec![k, v]).collect(),
    });

    // 二、职位目的
    blocks.push(Block::Heading(2, say("二、职位目的", "2. Purpose")));
    blocks.push(Block::Paragraph(
        role.purpose
            .as_ref()
            .map_or_else(|| say("无", "None"), |p| l(p).to_string()),
    ));

    // 三、工作关系
    blocks.push(Block::Heading(
        2,
        say("三、工作关系", "3. Working relations"),
    ));
    let relations: Vec<String> = role
        .relations
        .iter()
        .map(|(internal, text)| {
            let kind = if *internal {
                lang.say("内部", "Internal")
            } else {
                lang.say("外部", "External")
            };
            format!("{kind}{}{}", lang.say("：", ": "), l(text))
        })
        .collect();
    blocks.push(list_or_none(relations, lang));

    // 四、职责
    blocks.push(Block::Heading(2, say("四、工作职责", "4. Duties")));
    if role.duties.is_empty() {
        blocks.push(Block::Paragraph(say("无", "None")));
    } else {
        blocks.push(Block::Table {
            header: vec![
                say("职责", "Duty"),
                say("权重", "Weight"),
                say("时间", "Time"),
                say("衡量标准", "Measure"),
                say("关键流程", "Key process"),
                say("关键结果", "Key result"),
            ],
            rows: role
                .duties
                .iter()
                .map(|d| {
                    let time = match (&d.time, d.ad_hoc) {
                        (_, true) => say("不定期", "ad hoc"),
                        (Some((amount, unit, period)), false) => match lang {
                            Lang::Zh => format!("每{}{amount}{}", unit_zh(period), unit_zh(unit)),
                            Lang::En if *amount == 1.0 => {
                                format!("1 {} per {period}", unit.trim_end_matches('s'))
                            }
                            Lang::En => format!("{amount} {unit} per {period}"),
                        },
                        (None, false) => none(),
                    };
                    vec![
                        l(&d.named.label).to_string(),
                        d.weight.map(|w| format!("{w}%")).unwrap_or_else(none),
                        time,
                        d.measure
                            .as_ref()
                            .map(|m| l(m).to_string())
                            .unwrap_or_else(none),
                        if d.process.is_empty() {
                            none()
                        } else {
                            d.process
                                .iter()
                                .map(|p| lang.pick(p))
                                .collect::<Vec<_>>()
                                .join(" → ")
                        },
                        d.result
                            .as_ref()
                            .map(|r| l(r).to_string())
                            .unwrap_or_else(none),
                    ]
                })
                .collect(),
        });
    }

    // 五、工作权限
    blocks.push(Block::Heading(2, say("五、工作权限", "5. Authorities")));
    if role.authorities.is_empty() {
        blocks.push(Block::Paragraph(say("无", "None")));
    } else {
        blocks.push(Block::Table {
            header: vec![
                say("事项", "Matter"),
                say("权限", "Authority"),
                say("限额", "Limit"),
            ],
            rows: role
                .authorities
                .iter()
                .map(|a| {
                    let level = match a.level {
                        AuthorityLevel::Submit => say("申报", "submit"),
                        AuthorityLevel::Review => say("审核", "review"),
                        AuthorityLevel::Approve => say("批准", "approve"),
                    };
                    let limit = a
                        .limit
                        .as_ref()
                        .map(|(n, currency)| format!("{n} {currency}"))
                        .unwrap_or_else(none);
                    vec![l(&a.matter).to_string(), level, limit]
                })
                .collect(),
        });
    }

    // 六、权利 七、义务
    blocks.push(Block::Heading(2, say("六、权利", "6. Rights")));
    blocks.push(list_or_none(
        role.rights.iter().map(|r| l(r).to_string()).collect(),
        lang,
    ));
    blocks.push(Block::Heading(2, say("七、义务", "7. Obligations")));
    blocks.push(list_or_none(
        role.obligations.iter().map(|r| l(r).to_string()).collect(),
        lang,
    ));

    // 八、任职资格 九、培训
    blocks.push(Block::Heading(2, say("八、任职资格", "8. Qualifications")));
    if role.requirements.is_empty() {
        blocks.push(Block::Paragraph(say("无", "None")));
    } else {
        blocks.push(Block::Table {
            header: vec![say("类别", "Kind"), say("要求", "Requirement")],
            rows: role
                .requirements
                .iter()
                .map(|r| {
                    let kind = match r.kind.as_str() {
                        "education" => say("学历", "Education"),
                        "major" => say("专业", "Field of study"),
                        "experience" => say("工作经验", "Experience"),
                        "skill" => say("技能", "Skills"),
                        "knowledge" => say("知识", "Knowledge"),
                        "trait" => say("个性特征", "Personal traits"),
                        other => other.to_string(),
                    };
                    let mut text = r
                        .text
                        .as_ref()
                        .map(|t| l(t).to_string())
                        .unwrap_or_default();
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
                })
                .collect(),
        });
    }
    blocks.push(Block::Heading(2, say("九、培训", "9. Training")));
    blocks.push(list_or_none(
        role.training.iter().map(|t| l(t).to_string()).collect(),
        lang,
    ));

    // 十、程序中的职责 (derived from the policy)
    blocks.push(Block::Heading(
        2,
        say(
            "十、本职位在投诉处理程序中的职责（由程序生成）",
            "10. In the procedure (derived from the policy)",
        ),
    ));
    let routed: Vec<&crate::check::Rule> =
        policy.routes.iter().filter(|r| r.target == index).collect();
    let fallback = policy.otherwise.as_ref().is_some_and(|o| o.target == index);
    let handles = !routed.is_empty() || fallback;

    blocks.push(Block::Heading(
        3,
        say("负责的程序步骤", "Procedure steps owned"),
    ));
    let mut steps = Vec::new();
    for (p, procedure) in policy.procedures.iter().enumerate() {
        for (s, step) in procedure.steps.iter().enumerate() {
            let owns = role.duties.iter().any(|d| d.owns.contains(&(p, s)));
            let by = match step.by {
                Some(Some(r)) => r == index,
                Some(None) => handles,
                None => false,
            };
            if owns || by {
                let within = step
                    .within
                    .as_ref()
                    .map(|(span, _)| {
                        format!(
                            "{}{}",
                            lang.say("，时限：", "; "),
                            deadline_words(*span, lang)
                        )
                    })
                    .unwrap_or_default();
                steps.push(format!(
                    "{} / {}{within}",
                    l(&procedure.named.label),
                    l(&step.named.label)
                ));
            }
        }
    }
    blocks.push(list_or_none(steps, lang));

    blocks.push(Block::Heading(
        3,
        say("分派给本职位的投诉", "Complaints routed to this role"),
    ));
    let mut routes: Vec<String> = routed
        .iter()
        .map(|r| cond_words(policy, &r.when, lang))
        .collect();
    if fallback {
        routes.push(say(
            "其他规则未分派的投诉",
            "complaints no other rule routes",
        ));
    }
    blocks.push(list_or_none(routes, lang));

    blocks.push(Block::Heading(
        3,
        say("须遵守的时限", "Deadlines this role answers for"),
    ));
    // Exactly the targets and callbacks that apply to some case routed to this role, and the
    // targets of the stages it handles.
    let answers = crate::analyse::answers(policy, index);
    let superior_of_handler = policy
        .routes
        .iter()
        .map(|r| r.target)
        .chain(policy.otherwise.as_ref().map(|o| o.target))
        .any(|h| policy.roles[h].reports_to == Some(index));
    let mut deadlines = Vec::new();
    for &(s, t) in &answers.targets {
        let (sla, t) = (&policy.slas[s], &policy.slas[s].targets[t]);
        let when = sla
            .when
            .as_ref()
            .map(|c| format!(" ({})", cond_words(policy, c, lang)))
            .unwrap_or_default();
        let limit = if t.recurring {
            format!("{}{}", lang.say("每", "every "), span_words(t.span, lang))
        } else {
            deadline_words(t.span, lang)
        };
        deadlines.push(vec![
            target_name(policy, &t.name, lang),
            limit,
            format!("{}{when}", l(&sla.named.label)),
        ]);
    }
    for &c in &answers.callbacks {
        let rule = &policy.callbacks[c];
        if let Some((span, from, _)) = &rule.within {
            deadlines.push(vec![
                l(&rule.named.label).to_string(),
                deadline_words(*span, lang),
                match lang {
                    Lang::Zh => format!(
                        "回访（自{}起）",
                        crate::render::words::event_name(policy, from, lang)
                    ),
                    Lang::En => format!(
                        "callback (from {})",
                        crate::render::words::event_name(policy, from, lang)
                    ),
                },
            ]);
        }
    }
    for stage in &policy.stages {
        let handled = match stage.by {
            Some(Whom::Role(r)) => r == index,
            Some(Whom::Handler) | None => handles,
            Some(Whom::Superior) => superior_of_handler,
        };
        for t in &stage.targets {
            if handled {
                deadlines.push(vec![
                    target_name(policy, &t.name, lang),
                    deadline_words(t.span, lang),
                    l(&stage.named.label).to_string(),
                ]);
            }
        }
    }
    blocks.push(table_or(
        vec![
            say("目标", "Target"),
            say("时限", "Limit"),
            say("适用", "Applies to"),
        ],
        deadlines,
        say("无", "None"),
    ));

    blocks.push(Block::Heading(3, say("升级与通知", "Escalations")));
    let mut escalations = Vec::new();
    for ladder in &policy.escalations {
        for step in &ladder.steps {
            let concerned = match step.whom {
                Whom::Role(r) => r == index,
                Whom::Handler => handles,
                Whom::Superior => superior_of_handler,
            };
            if !concerned {
                continue;
            }
            let when = match &step.trigger {
                Trigger::Immediately => say("立即", "immediately"),
                Trigger::Percent(p) => match lang {
                    Lang::Zh => format!("时限用去 {p}% 时"),
                    Lang::En => format!("at {p}% of the time allowed"),
                },
                Trigger::Breach(None) => say("超时时", "at breach"),
                Trigger::Breach(Some(d)) => match lang {
                    Lang::Zh => format!("超时后 {}", span_words(*d, lang)),
                    Lang::En => format!("{} after breach", span_words(*d, lang)),
                },
            };
            let action = if step.escalate {
                say("升级", "escalated")
            } else {
                say("通知", "notified")
            };
            let target = ladder
                .target
                .as_deref()
                .map_or_else(none, |t| target_name(policy, t, lang));
            escalations.push(vec![
                l(&ladder.named.label).to_string(),
                target,
                when,
                action,
            ]);
        }
    }
    blocks.push(table_or(
        vec![
            say("升级规则", "Ladder"),
            say("目标", "Target"),
            say("时机", "When"),
            say("动作", "Action"),
        ],
        escalations,
        say("无", "None"),
    ));

    blocks.push(Block::Heading(3, say("接收的报告", "Reports received")));
    let reports: Vec<String> = policy
        .reports
        .iter()
        .filter_map(|r| {
            let to =
                r.to.iter()
                    .any(|x| matches!(x, Recipient::Role(i) if *i == index));
            let cc =
                r.cc.iter()
                    .any(|x| matches!(x, Recipient::Role(i) if *i == index));
            match (to, cc) {
                (true, _) => Some(l(&r.named.label).to_string()),
                (false, true) => Some(format!(
                    "{}{}",
                    l(&r.named.label),
                    lang.say("（抄送）", " (copy)")
                )),
                _ => None,
            }
        })
        .collect();
    blocks.push(list_or_none(reports, lang));

    let title = match lang {
        Lang::Zh => format!("职位说明书：{}", l(&role.named.label)),
        Lang::En => format!("Position description: {}", l(&role.named.label)),
    };
    Document {
        title,
        lang,
        blocks,
    }
}

pub(crate) fn list_or_none(items: Vec<String>, lang: Lang) -> Block {
    if items.is_empty() {
        Block::Paragraph(lang.say("无", "None").to_string())
    } else {
        Block::List(items)
    }
}
