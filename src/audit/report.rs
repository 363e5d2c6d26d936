//! The audit's figures as a serializable report (JSON), and as a document (Markdown, HTML with
//! SVG charts) with the same figures.

use chrono::TimeZone;
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{Value, json};

use super::names::Names;
use super::{Attainment, Audit, schedule};
use crate::check::{Closed, Policy};
use crate::decide::Engine;
use crate::render::{Block, Document, Lang, bar_chart};

/// The audit report: every figure, ready for JSON.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The policy, its version(s), and the instant states are evaluated at.
    pub policy: Value,
    /// Records read, cases decided, malformed records (count and the first ones).
    pub input: Value,
    /// Cases by acceptance outcome.
    pub outcomes: Value,
    /// Attainment per target: overall, and by category, role, channel and month.
    pub attainment: Value,
    /// Answered callbacks, the share satisfied, and whether the policy's `satisfaction`
    /// target is met.
    pub satisfaction: Value,
    /// Breaches: how many, and the first ones.
    pub breaches: Value,
    /// Procedure problems by kind, with examples.
    pub procedure: Value,
    /// The scheduled reports due in the period, with the figures each would carry.
    pub reports: Value,
    /// What-if under the compared policy, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<Value>,
}

fn at(tz: Tz, secs: Option<i64>) -> Value {
    secs.and_then(|s| tz.timestamp_opt(s, 0).single())
        .map_or(Value::Null, |d| Value::from(d.to_rfc3339()))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn attainment_json(a: &Attainment) -> Value {
    json!({
        "met": a.met,
        "breached": a.breached,
        "open": a.open,
        "percent_met": a.percent_met().map(round1),
        "median_hours": a.hours.quantile(0.5).map(round1),
        "p90_hours": a.hours.quantile(0.9).map(round1),
    })
}

/// Why a day is not a working day, in Chinese and English.
fn closed_json(closed: &Closed) -> Value {
    let (zh, en) = match closed {
        Closed::Holiday(Some(label)) => (
            Lang::Zh.pick(label).to_string(),
            Lang::En.pick(label).to_string(),
        ),
        Closed::Holiday(None) => ("节假日".to_string(), "a holiday".to_string()),
        Closed::Weekday(day) => {
            let i = day.num_days_from_monday() as usize;
            (
                format!(
                    "{}休息",
                    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i]
                ),
                format!(
                    "{}, not a working day",
                    [
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                        "Sunday"
                    ][i]
                ),
            )
        }
    };
    json!({ "zh": zh, "en": en })
}

impl Report {
    /// The report of `audit` under the latest version of `engine` (the one that takes effect
    /// last), evaluated at `as_of`; `compared` names the other policy of a what-if. `None`
    /// when the engine has no version.
    pub fn of(
        audit: &Audit,
        engine: &Engine,
        as_of: i64,
        compared: Option<String>,
    ) -> Option<Report> {
        let latest = super::latest(engine)?;
        let versions: Vec<String> = (engine.versions().iter())
            .map(|v| v.policy.version.clone())
            .collect();
        Some(Report::new(audit, latest, &versions, as_of, compared))
    }

    /// The report of `audit` under `policy` (the latest version), evaluated at `as_of`;
    /// `compared` names the other policy of a what-if.
    pub fn new(
        audit: &Audit,
        policy: &Policy,
        versions: &[String],
        as_of: i64,
        compared: Option<String>,
    ) -> Report {
        let tz = policy.timezone;
        Report {
            policy: json!({
                "name": policy.name,
                "title": policy.label.text,
                "versions": versions,
                "as_of": at(tz, Some(as_of)),
            }),
            input: json!({
                "records": audit.records,
                "decided": audit.decided,
                "malformed": audit.malformed_count,
                "malformed_by_code": audit.malformed_by_code,
                "malformed_listed": audit.malformed.iter().map(|(line, id, code, e)| json!({ "line": line, "id": id, "code": code, "error": e })).collect::<Vec<_>>(),
            }),
            outcomes: json!(audit.outcomes),
            attainment: attainment_figures(audit),
            satisfaction: satisfaction_figures(audit, policy),
            breaches: breach_figures(audit, tz),
            procedure: problem_figures(audit),
            reports: report_figures(audit, policy, as_of),
            what_if: what_if_figures(audit, tz, compared),
        }
    }
}

/// Attainment per target: `overall`, and `by_category`, `by_role`, … per group.
fn attainment_figures(audit: &Audit) -> Value {
    let mut attainment = serde_json::Map::new();
    for ((dimension, group), targets) in &audit.attainment {
        let by: serde_json::Map<String, Value> = targets
            .iter()
            .map(|(t, a)| (t.clone(), attainment_json(a)))
            .collect();
        if *dimension == "all" {
            attainment.insert("overall".to_string(), Value::Object(by));
        } else {
            let entry = attainment
                .entry(format!("by_{dimension}"))
                .or_insert_with(|| json!({}));
            if let Some(map) = entry.as_object_mut() {
                map.insert(group.clone(), Value::Object(by));
            }
        }
    }
    Value::Object(attainment)
}

/// Breaches: how many, and the first ones with deadline, actual time and overrun.
fn breach_figures(audit: &Audit, tz: Tz) -> Value {
    let listed: Vec<Value> = audit
        .breaches
        .iter()
        .map(|b| {
            json!({
                "case": b.case,
                "target": b.target,
                "deadline": at(tz, b.deadline),
                "actual": at(tz, b.stopped),
                "overrun_hours": b.overrun_hours.map(round1),
                "escalations": b.escalations,
            })
        })
        .collect();
    json!({ "count": audit.breach_count, "listed": listed })
}

/// Procedure problems by kind, with their count and examples.
fn problem_figures(audit: &Audit) -> Value {
    let procedure: serde_json::Map<String, Value> = audit
        .problems
        .iter()
        .map(|(kind, (count, examples))| {
            let examples: Vec<Value> = examples
                .iter()
                .map(|(case, message)| json!({ "case": case, "message": message }))
                .collect();
            (
                kind.to_string(),
                json!({ "count": count, "examples": examples }),
            )
        })
        .collect();
    Value::Object(procedure)
}

/// The scheduled reports due between the first day of the audit and `as_of`, each with the
/// figures of the period it covers.
fn report_figures(audit: &Audit, policy: &Policy, as_of: i64) -> Value {
    let tz = policy.timezone;
    let mut reports = Vec::new();
    let (Some((&first, _)), Some(end)) = (
        audit.days.first_key_value(),
        tz.timestamp_opt(as_of, 0).single().map(|d| d.date_naive()),
    ) else {
        return Value::from(reports);
    };
    for r in &policy.reports {
        if r.schedule.is_none() {
            continue;
        }
        let due: Vec<Value> = schedule::due_dates(policy, r, first, end)
            .into_iter()
            .map(|due| due_figures(audit, &due))
            .collect();
        reports.push(json!({ "report": r.named.name, "title": r.named.label.text, "due": due }));
    }
    Value::from(reports)
}

/// One due date of a report, and the sums of the days it covers.
fn due_figures(audit: &Audit, due: &schedule::Due) -> Value {
    let (from, to) = due.covering;
    let mut sums = [0u64; 4];
    for (_, d) in audit.days.range(from..=to) {
        sums[0] += d.received;
        sums[1] += d.resolve_met;
        sums[2] += d.resolve_breached;
        sums[3] += d.breaches;
    }
    json!({
        "due": format!("{} {}", due.date, crate::time::hhmm(due.before)),
        "moved_from": due.moved().then(|| due.scheduled.to_string()),
        "closed": due.closed.as_ref().map(closed_json),
        "provisional": due.provisional,
        "covering": [from.to_string(), to.to_string()],
        "received": sums[0],
        "resolved_on_time": sums[1],
        "resolved_late_or_overdue": sums[2],
        "breaches": sums[3],
    })
}

/// The what-if figures, when another policy was compared.
fn what_if_figures(audit: &Audit, tz: Tz, compared: Option<String>) -> Option<Value> {
    let w = audit.what_if.as_ref()?;
    let moves: serde_json::Map<String, Value> = w
        .moves
        .iter()
        .map(|(t, (earlier, later, e, l))| {
            (
                t.clone(),
                json!({
                    "earlier": earlier,
                    "later": later,
                    "median_hours_earlier": e.quantile(0.5).map(round1),
                    "median_hours_later": l.quantile(0.5).map(round1),
                }),
            )
        })
        .collect();
    let after: serde_json::Map<String, Value> = w
        .after
        .iter()
        .map(|(t, a)| (t.clone(), attainment_json(a)))
        .collect();
    Some(json!({
        "compared_with": compared,
        "cases": w.compared,
        "not_decided": w.failed,
        "route_changes": w.route_changes,
        "route_examples": w.route_examples.iter().map(|(c, a, b)| json!({ "case": c, "before": a, "after": b })).collect::<Vec<_>>(),
        "deadline_moves": moves,
        "move_examples": w.move_examples.iter().map(|(c, t, a, b)| json!({ "case": c, "target": t, "before": at(tz, Some(*a)), "after": at(tz, Some(*b)) })).collect::<Vec<_>>(),
        "attainment_after": after,
    }))
}

/// Answered callbacks, the share satisfied, and the policy's target met or not.
fn satisfaction_figures(audit: &Audit, policy: &Policy) -> Value {
    let (satisfied, answered) = audit.satisfaction;
    let percent = (answered > 0).then(|| satisfied as f64 * 100.0 / answered as f64);
    json!({
        "answered": answered,
        "satisfied": satisfied,
        "percent_satisfied": percent.map(round1),
        "target_percent": policy.satisfaction,
        "met": match (percent, policy.satisfaction) {
            (Some(p), Some(t)) => Some(p >= t),
            _ => None,
        },
    })
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number without a needless `.0`: `90`, `92.5`.
fn number(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        _ => cell(v),
    }
}

/// The satisfaction figures in a sentence: answered callbacks, the share satisfied, and the
/// policy's target met or not.
fn satisfaction_words(s: &Value, lang: Lang) -> String {
    let answered = s["answered"].as_u64().unwrap_or(0);
    let target = match (&s["target_percent"], &s["met"]) {
        (Value::Null, _) => lang
            .say(
                "制度未设满意度目标（政策头部的 `satisfaction`）。",
                "The policy sets no satisfaction target (`satisfaction` in its header).",
            )
            .to_string(),
        (t, Value::Bool(true)) => match lang {
            Lang::Zh => format!("目标 {}%：达标。", number(t)),
            Lang::En => format!("Target {}%: met.", number(t)),
        },
        (t, Value::Bool(false)) => match lang {
            Lang::Zh => format!("目标 {}%：未达标。", number(t)),
            Lang::En => format!("Target {}%: not met.", number(t)),
        },
        (t, _) => match lang {
            Lang::Zh => format!("目标 {}%：无可衡量的回访。", number(t)),
            Lang::En => format!("Target {}%: nothing to measure it by.", number(t)),
        },
    };
    if answered == 0 {
        return format!(
            "{}{target}",
            lang.say(
                "没有记录客户是否满意的回访。",
                "No callback recorded whether the customer was satisfied. "
            )
        );
    }
    match lang {
        Lang::Zh => format!(
            "记录了满意与否的回访 {answered} 次，满意 {} 次（{}%）。{target}",
            cell(&s["satisfied"]),
            cell(&s["percent_satisfied"])
        ),
        Lang::En => format!(
            "Callbacks that recorded an answer: {answered}; satisfied: {} ({}%). {target}",
            cell(&s["satisfied"]),
            cell(&s["percent_satisfied"])
        ),
    }
}

/// A report's due date, and when its scheduled date is not a working day, whether and where
/// from it moved and why: `2026-10-08 10:00 (moved from 2026-10-05: National Day)`.
fn due_cell(due: &Value, lang: Lang) -> String {
    let mut text = cell(&due["due"]);
    let why = match lang {
        Lang::Zh => cell(&due["closed"]["zh"]),
        Lang::En => cell(&due["closed"]["en"]),
    };
    match (&due["moved_from"], due["closed"].is_null()) {
        (Value::String(from), _) => {
            let later = from.as_str() < cell(&due["due"]).as_str();
            text.push_str(&match (lang, later) {
                (Lang::Zh, true) => format!("（原定 {from}，{why}，顺延）"),
                (Lang::Zh, false) => format!("（原定 {from}，{why}，提前）"),
                (Lang::En, _) => format!(" (moved from {from}: {why})"),
            });
        }
        (_, false) => text.push_str(&match lang {
            Lang::Zh => format!("（非工作日：{why}，不调整）"),
            Lang::En => format!(" (not a working day: {why}; kept)"),
        }),
        _ => {}
    }
    if due["provisional"] == Value::Bool(true) {
        text.push_str(lang.say(
            "（超出日历有效期，仅按每周工作时间和每年固定假日推算）",
            " (past the calendar's valid range: by its weekly hours and yearly holidays only)",
        ));
    }
    text
}

fn attainment_table(rows: Vec<(String, &Value)>, names: &Names<'_>, first: &str) -> Block {
    let lang = names.lang;
    let header = vec![
        first.to_string(),
        lang.say("目标", "Target").into(),
        lang.say("按时", "Met").into(),
        lang.say("超时", "Breached").into(),
        lang.say("未完成", "Open").into(),
        lang.say("达标率", "% met").into(),
        lang.say("中位用时（小时）", "Median hours").into(),
        lang.say("P90用时（小时）", "P90 hours").into(),
    ];
    let mut table = Vec::new();
    for (group, targets) in rows {
        if let Some(map) = targets.as_object() {
            for (target, a) in map {
                table.push(vec![
                    group.clone(),
                    names.target(target),
                    cell(&a["met"]),
                    cell(&a["breached"]),
                    cell(&a["open"]),
                    cell(&a["percent_met"]),
                    cell(&a["median_hours"]),
                    cell(&a["p90_hours"]),
                ]);
            }
        }
    }
    Block::Table {
        header,
        rows: table,
    }
}

/// The report as a document: the same figures as the JSON, with charts in HTML.
/// Categories, roles, channels, targets, ladders and problems are named by the labels of
/// `policy` (the version audited against), not by identifier.
pub fn document(report: &Report, audit: &Audit, policy: &Policy, lang: Lang) -> Document {
    let names = Names { policy, lang };
    let sections = [
        summary(report, lang),
        attainment_section(report, &names),
        attainment_figures_drawn(report, audit, &names),
        satisfaction_section(report, lang),
        breaches_section(report, &names),
        procedure_section(report, &names),
        reports_section(report, lang),
        what_if_section(report, &names),
        malformed_section(report, lang),
    ];
    let title = cell(&report.policy["title"]);
    Document {
        title: match lang {
            Lang::Zh => format!("投诉处理审计报告：{title}"),
            Lang::En => format!("Complaint handling audit: {title}"),
        },
        lang,
        blocks: sections.into_iter().flatten().collect(),
        control: None,
        fields: serde_json::Value::Null,
    }
}

fn say(lang: Lang, zh: &'static str, en: &'static str) -> String {
    lang.say(zh, en).to_string()
}

/// The policy and version(s), the instant of evaluation, and the records read.
fn summary(report: &Report, lang: Lang) -> Vec<Block> {
    let say = |zh, en| say(lang, zh, en);
    let p = &report.policy;
    let input = &report.input;
    vec![
        Block::Paragraph(format!(
            "{}{}{}{}{}{}",
            say("制度：", "Policy: "),
            cell(&p["title"]),
            say("（版本 ", " (versions "),
            p["versions"]
                .as_array()
                .map(|v| v
                    .iter()
                    .map(cell)
                    .collect::<Vec<_>>()
                    .join(lang.say("、", ", ")))
                .unwrap_or_default(),
            say("）；评估时点：", "); evaluated at "),
            cell(&p["as_of"]),
        )),
        Block::Paragraph(format!(
            "{}{}{}{}{}{}",
            say("读取记录 ", "Records read: "),
            cell(&input["records"]),
            say("，判定案件 ", "; cases decided: "),
            cell(&input["decided"]),
            say("，格式错误并已排除 ", "; malformed and excluded: "),
            cell(&input["malformed"]),
        )),
    ]
}

/// 一、时限达成情况: overall, then by category, role, channel and month.
fn attainment_section(report: &Report, names: &Names<'_>) -> Vec<Block> {
    let lang = names.lang;
    let mut blocks = vec![
        Block::Heading(2, say(lang, "一、时限达成情况", "1. Attainment")),
        attainment_table(
            vec![(say(lang, "全部", "all"), &report.attainment["overall"])],
            names,
            lang.say("范围", "Scope"),
        ),
    ];
    for (key, zh, en) in [
        ("by_category", "按类别", "By category"),
        ("by_role", "按处理职位", "By role"),
        ("by_channel", "按渠道", "By channel"),
        ("by_month", "按月份", "By month"),
    ] {
        if let Some(groups) = report.attainment[key].as_object() {
            blocks.push(Block::Heading(3, say(lang, zh, en)));
            blocks.push(attainment_table(
                groups
                    .iter()
                    .map(|(g, v)| (names.group(key, g), v))
                    .collect(),
                names,
                lang.say("分组", "Group"),
            ));
        }
    }
    blocks
}

/// The attainment charts: resolve attainment by month, breaches by category, and the
/// distribution of times to resolve (with its table).
fn attainment_figures_drawn(report: &Report, audit: &Audit, names: &Names<'_>) -> Vec<Block> {
    let lang = names.lang;
    let mut blocks = Vec::new();
    if let Some(months) = report.attainment["by_month"].as_object() {
        let labels: Vec<String> = months.keys().cloned().collect();
        let values: Vec<f64> = months
            .values()
            .map(|v| v["resolve"]["percent_met"].as_f64().unwrap_or(0.0))
            .collect();
        blocks.push(Block::Figure {
            title: say(
                lang,
                "各月处理时限达标率（%）",
                "Resolve attainment by month (%)",
            ),
            svg: bar_chart(&labels, &values, "%"),
        });
    }
    if let Some(cats) = report.attainment["by_category"].as_object() {
        let labels: Vec<String> = cats.keys().map(|c| names.group("by_category", c)).collect();
        let values: Vec<f64> = cats
            .values()
            .map(|v| {
                v.as_object().map_or(0.0, |m| {
                    m.values()
                        .map(|a| a["breached"].as_f64().unwrap_or(0.0))
                        .sum()
                })
            })
            .collect();
        blocks.push(Block::Figure {
            title: say(lang, "各类别超时次数", "Breaches by category"),
            svg: bar_chart(&labels, &values, ""),
        });
    }
    blocks.extend(resolve_distribution(audit, lang));
    blocks
}

/// How long cases took to resolve, in buckets of hours on the target's clock.
fn resolve_distribution(audit: &Audit, lang: Lang) -> Vec<Block> {
    let Some(resolve) =
        (audit.attainment.get(&("all", "all".to_string()))).and_then(|all| all.get("resolve"))
    else {
        return Vec::new();
    };
    let bounds = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];
    let counts = resolve.hours.buckets(&bounds);
    let labels: Vec<String> = [
        "≤1h", "1–2h", "2–4h", "4–8h", "8–16h", "16–32h", "32–64h", ">64h",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    vec![
        Block::Table {
            header: vec![
                say(lang, "处理用时", "Time to resolve"),
                say(lang, "案件数", "Cases"),
            ],
            rows: labels
                .iter()
                .zip(&counts)
                .map(|(l, c)| vec![l.clone(), c.to_string()])
                .collect(),
        },
        Block::Figure {
            title: say(
                lang,
                "处理用时分布（目标时钟小时）",
                "Time to resolve (hours on the target's clock)",
            ),
            svg: bar_chart(
                &labels,
                &counts.iter().map(|c| *c as f64).collect::<Vec<_>>(),
                "",
            ),
        },
    ]
}

/// 客户满意度
fn satisfaction_section(report: &Report, lang: Lang) -> Vec<Block> {
    vec![
        Block::Heading(3, say(lang, "客户满意度", "Customer satisfaction")),
        Block::Paragraph(satisfaction_words(&report.satisfaction, lang)),
    ]
}

/// 二、超时清单: how many breaches, and the first ones.
fn breaches_section(report: &Report, names: &Names<'_>) -> Vec<Block> {
    let lang = names.lang;
    let say = |zh, en| say(lang, zh, en);
    let b = &report.breaches;
    let listed = b["listed"].as_array().cloned().unwrap_or_default();
    let mut blocks = vec![
        Block::Heading(2, say("二、超时清单", "2. Breaches")),
        Block::Paragraph(format!(
            "{}{}{}{}",
            say("超时共 ", "Breaches in all: "),
            cell(&b["count"]),
            say("，列出 ", "; listed: "),
            listed.len()
        )),
    ];
    if listed.is_empty() {
        return blocks;
    }
    let row = |x: &Value| {
        vec![
            cell(&x["case"]),
            names.target(&cell(&x["target"])),
            cell(&x["deadline"]),
            if x["actual"].is_null() {
                say("未完成", "open")
            } else {
                cell(&x["actual"])
            },
            cell(&x["overrun_hours"]),
            x["escalations"]
                .as_array()
                .map(|e| {
                    let fired: Vec<String> = e.iter().map(|f| names.escalation(&cell(f))).collect();
                    fired.join(lang.say("；", "; "))
                })
                .unwrap_or_default(),
        ]
    };
    blocks.push(Block::Table {
        header: vec![
            say("案件", "Case"),
            say("目标", "Target"),
            say("期限", "Deadline"),
            say("实际", "Actual"),
            say("超出（小时）", "Overrun (hours)"),
            say("应触发的升级", "Escalations due"),
        ],
        rows: listed.iter().map(row).collect(),
    });
    blocks
}

/// 三、程序执行检查: procedure problems by kind, with up to three examples each.
fn procedure_section(report: &Report, names: &Names<'_>) -> Vec<Block> {
    let lang = names.lang;
    let say = |zh, en| say(lang, zh, en);
    let heading = Block::Heading(2, say("三、程序执行检查", "3. Procedure checks"));
    let problems = report.procedure.as_object().cloned().unwrap_or_default();
    if problems.is_empty() {
        return vec![
            heading,
            Block::Paragraph(say("未发现问题。", "No problems found.")),
        ];
    }
    let rows = problems
        .iter()
        .map(|(kind, v)| {
            let examples = v["examples"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .take(3)
                        // The engine's messages are English and name things by identifier:
                        // a Chinese report gives the cases, the JSON report their messages.
                        .map(|x| match lang {
                            Lang::Zh => cell(&x["case"]),
                            Lang::En => format!("{}: {}", cell(&x["case"]), cell(&x["message"])),
                        })
                        .collect::<Vec<_>>()
                        .join(lang.say("、", "; "))
                })
                .unwrap_or_default();
            vec![names.problem(kind), cell(&v["count"]), examples]
        })
        .collect();
    vec![
        heading,
        Block::Table {
            header: vec![
                say("问题", "Problem"),
                say("案件数", "Cases"),
                say("示例案件", "Examples"),
            ],
            rows,
        },
    ]
}

/// 四、定期报告: each scheduled report's due dates in the period (the latest 60), with the
/// figures of what it covers.
fn reports_section(report: &Report, lang: Lang) -> Vec<Block> {
    let say = |zh, en| say(lang, zh, en);
    let mut blocks = vec![Block::Heading(
        2,
        say("四、定期报告", "4. Scheduled reports"),
    )];
    for r in report.reports.as_array().into_iter().flatten() {
        blocks.push(Block::Heading(3, cell(&r["title"])));
        let due = r["due"].as_array().cloned().unwrap_or_default();
        let shown = due.len().min(60);
        if due.len() > shown {
            blocks.push(Block::Paragraph(format!(
                "{}{}{}",
                say("共 ", ""),
                due.len(),
                say(
                    " 期，列出最近 60 期。",
                    " due in the period; the latest 60 are listed."
                )
            )));
        }
        if due.is_empty() {
            blocks.push(Block::Paragraph(say(
                "期间内没有到期的报告。",
                "None due in the period.",
            )));
            continue;
        }
        blocks.push(Block::Table {
            header: vec![
                say("截止", "Due"),
                say("覆盖期间", "Covering"),
                say("收到", "Received"),
                say("按时处理", "Resolved on time"),
                say("超时处理或逾期", "Resolved late or overdue"),
                say("超时", "Breaches"),
            ],
            rows: due[due.len() - shown..]
                .iter()
                .map(|d| due_row(d, lang))
                .collect(),
        });
    }
    blocks
}

fn due_row(d: &Value, lang: Lang) -> Vec<String> {
    vec![
        due_cell(d, lang),
        format!("{} – {}", cell(&d["covering"][0]), cell(&d["covering"][1])),
        cell(&d["received"]),
        cell(&d["resolved_on_time"]),
        cell(&d["resolved_late_or_overdue"]),
        cell(&d["breaches"]),
    ]
}

/// 五、制度变更影响（对比）: what the compared policy would change, when one was given.
fn what_if_section(report: &Report, names: &Names<'_>) -> Vec<Block> {
    let lang = names.lang;
    let say = |zh, en| say(lang, zh, en);
    let Some(w) = &report.what_if else {
        return Vec::new();
    };
    let mut blocks = vec![
        Block::Heading(2, say("五、制度变更影响（对比）", "5. What-if")),
        Block::Paragraph(format!(
            "{}{}{}{}{}{}",
            say("对比制度：", "Compared with "),
            cell(&w["compared_with"]),
            say("；案件 ", ": cases "),
            cell(&w["cases"]),
            say("，处理职位改变 ", "; route changes "),
            cell(&w["route_changes"]),
        )),
    ];
    let mut rows = Vec::new();
    for (t, m) in w["deadline_moves"].as_object().into_iter().flatten() {
        rows.push(vec![
            names.target(t),
            cell(&m["earlier"]),
            cell(&m["median_hours_earlier"]),
            cell(&m["later"]),
            cell(&m["median_hours_later"]),
        ]);
    }
    if !rows.is_empty() {
        blocks.push(Block::Table {
            header: vec![
                say("目标", "Target"),
                say("提前", "Earlier"),
                say("中位提前（小时）", "Median hours earlier"),
                say("推后", "Later"),
                say("中位推后（小时）", "Median hours later"),
            ],
            rows,
        });
    }
    blocks.push(what_if_attainment(report, w, names));
    let examples: Vec<String> = (w["route_examples"].as_array().into_iter().flatten())
        .map(|e| {
            format!(
                "{}: {} → {}",
                cell(&e["case"]),
                names.group("by_role", &cell(&e["before"])),
                names.group("by_role", &cell(&e["after"]))
            )
        })
        .collect();
    if !examples.is_empty() {
        blocks.push(Block::List(examples));
    }
    blocks
}

/// Attainment now and under the compared policy, per target.
fn what_if_attainment(report: &Report, w: &Value, names: &Names<'_>) -> Block {
    let lang = names.lang;
    let before = &report.attainment["overall"];
    let rows: Vec<Vec<String>> = (w["attainment_after"].as_object().into_iter().flatten())
        .map(|(t, a)| {
            vec![
                names.target(t),
                cell(&before[t]["percent_met"]),
                cell(&a["percent_met"]),
            ]
        })
        .collect();
    Block::Table {
        header: vec![
            say(lang, "目标", "Target"),
            say(lang, "现行达标率", "% met now"),
            say(lang, "对比制度达标率", "% met under the other"),
        ],
        rows,
    }
}

/// 附：格式错误的记录, when there were any.
fn malformed_section(report: &Report, lang: Lang) -> Vec<Block> {
    let malformed = report.input["malformed_listed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if malformed.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading(
            2,
            say(
                lang,
                "附：格式错误的记录（已排除）",
                "Appendix: malformed records (excluded)",
            ),
        ),
        Block::Table {
            header: vec![
                say(lang, "行", "Line"),
                "id".into(),
                say(lang, "错误", "Error"),
            ],
            rows: malformed
                .iter()
                .map(|m| vec![cell(&m["line"]), cell(&m["id"]), cell(&m["error"])])
                .collect(),
        },
    ]
}
