//! Policy facts in plain words, in Chinese or English: spans, deadlines, conditions, target
//! names, schedules.

use crate::check::{AttrTest, Cond, Policy, Target};
use crate::time::{Span, Unit};
use crate::vocabulary::{CompareOp, Schedule};

use super::Lang;

/// A target in words: the label the policy gives it, or the language's words for its own
/// targets, or else its name. A bare name is an SLA target's: a stage's target of the same
/// name (a review stage's `resolve "复核完成"`) never lends it its label.
pub(crate) fn target_name(policy: &Policy, name: &str, lang: Lang) -> String {
    let slas: Vec<&Target> = (policy.slas.iter().flat_map(|s| &s.targets))
        .filter(|t| t.name == name)
        .collect();
    let candidates = if slas.is_empty() {
        (policy.stages.iter().flat_map(|s| &s.targets))
            .filter(|t| t.name == name)
            .collect()
    } else {
        slas
    };
    match candidates.iter().find(|t| !lang.pick(&t.label).is_empty()) {
        Some(t) => lang.pick(&t.label).to_string(),
        None => builtin_target(name, lang),
    }
}

/// One target in words: its own label, or the language's words for the engine's targets.
pub(crate) fn target_label(target: &Target, lang: Lang) -> String {
    match lang.pick(&target.label) {
        "" => builtin_target(&target.name, lang),
        label => label.to_string(),
    }
}

fn builtin_target(name: &str, lang: Lang) -> String {
    let words = match name {
        "acknowledge" => Some(("受理确认", "Acknowledgement")),
        "resolve" => Some(("处理完成", "Resolution")),
        "update" => Some(("进展通报", "Progress update")),
        "callback" => Some(("回访", "Callback")),
        "redirect" => Some(("告知转办去向", "Redirection notice")),
        _ => None,
    };
    words.map_or_else(|| name.to_string(), |(zh, en)| lang.say(zh, en).to_string())
}

/// A time unit of a duty's time budget in Chinese.
pub(crate) fn unit_zh(unit: &str) -> &str {
    match unit.trim_end_matches('s') {
        "minute" => "分钟",
        "hour" => "小时",
        "day" => "天",
        "week" => "周",
        "month" => "月",
        "quarter" => "季度",
        "year" => "年",
        _ => unit,
    }
}

/// A span in plain words: "2 working hours", "2个工作小时".
pub(crate) fn span_words(span: Span, lang: Lang) -> String {
    match lang {
        Lang::En => span.to_string(),
        Lang::Zh => {
            let unit = match span.unit {
                Unit::Minutes => "分钟",
                Unit::Hours => "小时",
                Unit::Days => "天",
                Unit::Weeks => "周",
                // 个工作分钟 is not said; 分钟（工作时间） is.
                Unit::WorkingMinutes => "分钟（工作时间）",
                Unit::WorkingHours => "个工作小时",
                Unit::WorkingDays => "个工作日",
            };
            format!("{}{unit}", span.amount)
        }
    }
}

/// A condition in plain words, with the policy's labels.
pub(crate) fn cond_words(policy: &Policy, cond: &Cond, lang: Lang) -> String {
    let l = |label| lang.pick(label).to_string();
    // 产品质量、退换货或价格咨询 / Product quality, Returns or Price enquiry.
    let list = |names: Vec<String>| match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!(
                "{}{}{last}",
                rest.join(lang.say("、", ", ")),
                lang.say("或", " or ")
            )
        }
        _ => names.concat(),
    };
    match cond {
        // An alternative inside a conjunction is bracketed; alternatives are joined with a
        // comma (English: a plain "or"), or a semicolon when one of them is itself compound,
        // so the reading is never in doubt: 严重程度不低于重大，或涉及金额超过5,000元; the
        // severity is at least Major or the amount is more than 5,000 CNY.
        // An interval of one number reads once: 涉及金额超过5,000元且不超过8,000元; the amount is
        // more than 5,000 CNY and at most 8,000 CNY.
        Cond::And(parts)
            if matches!(parts.as_slice(), [
                Cond::Attribute(a, AttrTest::Number(..)),
                Cond::Attribute(b, AttrTest::Number(..)),
            ] if a == b) =>
        {
            let mut halves = parts.iter().filter_map(|p| match p {
                Cond::Attribute(i, AttrTest::Number(op, n)) => Some((*i, *op, *n)),
                _ => None,
            });
            match (halves.next(), halves.next()) {
                (Some((i, op1, n1)), Some((_, op2, n2))) => {
                    let name = l(&policy.attributes[i].named.label);
                    let (a, b) = (measured(policy, i, n1, lang), measured(policy, i, n2, lang));
                    match lang {
                        Lang::Zh => {
                            format!(
                                "{name}{}{a}且{}{b}",
                                op_words(op1, lang),
                                op_words(op2, lang)
                            )
                        }
                        Lang::En => format!(
                            "{name} {} {a} and {} {b}",
                            op_words(op1, lang),
                            op_words(op2, lang)
                        ),
                    }
                }
                _ => String::new(),
            }
        }
        Cond::And(parts) => parts
            .iter()
            .map(|p| match p {
                Cond::Or(_) => match lang {
                    Lang::Zh => format!("（{}）", cond_words(policy, p, lang)),
                    Lang::En => format!("({})", cond_words(policy, p, lang)),
                },
                _ => cond_words(policy, p, lang),
            })
            .collect::<Vec<_>>()
            .join(lang.say("，且", " and ")),
        // `category = a or category = b` reads as 类别为A或B.
        Cond::Or(parts)
            if parts.len() > 1 && parts.iter().all(|p| matches!(p, Cond::Category(_))) =>
        {
            let all: Vec<usize> = (parts.iter())
                .flat_map(|p| match p {
                    Cond::Category(items) => items.clone(),
                    _ => Vec::new(),
                })
                .collect();
            cond_words(policy, &Cond::Category(all), lang)
        }
        Cond::Or(parts) => {
            let compound = (parts.iter()).any(|p| matches!(p, Cond::And(_) | Cond::Or(_)));
            parts
                .iter()
                .map(|p| cond_words(policy, p, lang))
                .collect::<Vec<_>>()
                .join(match (compound, lang) {
                    (true, Lang::Zh) => "；或",
                    (true, Lang::En) => "; or ",
                    (false, Lang::Zh) => "，或",
                    (false, Lang::En) => " or ",
                })
        }
        // 涉及部门不包含“财务部”; the category is not Billing.
        Cond::Not(inner) => match inner.as_ref() {
            Cond::Attribute(i, AttrTest::Contains(s)) => format!(
                "{}{}“{}”",
                l(&policy.attributes[*i].named.label),
                lang.say("不包含", " do not include "),
                value_name(policy, s, lang)
            ),
            Cond::Category(items) => format!(
                "{}{}",
                lang.say("类别不为", "the category is not "),
                list(
                    items
                        .iter()
                        .map(|&i| l(&policy.categories[i].label))
                        .collect()
                )
            ),
            Cond::Channel(items) => format!(
                "{}{}",
                lang.say("渠道不为", "the channel is not "),
                list(
                    items
                        .iter()
                        .map(|&i| l(&policy.channels[i].named.label))
                        .collect()
                )
            ),
            _ => format!(
                "{}{}",
                lang.say("并非：", "not: "),
                cond_words(policy, inner, lang)
            ),
        },
        Cond::Category(items) => format!(
            "{}{}",
            lang.say("类别为", "the category is "),
            list(
                items
                    .iter()
                    .map(|&i| l(&policy.categories[i].label))
                    .collect()
            )
        ),
        Cond::Channel(items) => format!(
            "{}{}",
            lang.say("渠道为", "the channel is "),
            list(
                items
                    .iter()
                    .map(|&i| l(&policy.channels[i].named.label))
                    .collect()
            )
        ),
        Cond::SeverityIn(items) => format!(
            "{}{}",
            lang.say("严重程度为", "the severity is "),
            list(
                items
                    .iter()
                    .map(|&i| l(&policy.severities[i].label))
                    .collect()
            )
        ),
        Cond::Severity(op, rank) => {
            let name = l(&policy.severities[*rank].label);
            let words = match (op, lang) {
                (CompareOp::Eq, Lang::Zh) => "为",
                (CompareOp::Ne, Lang::Zh) => "不为",
                (CompareOp::Lt, Lang::Zh) => "低于",
                (CompareOp::Le, Lang::Zh) => "不高于",
                (CompareOp::Gt, Lang::Zh) => "高于",
                (CompareOp::Ge, Lang::Zh) => "不低于",
                (CompareOp::Eq, Lang::En) => "is",
                (CompareOp::Ne, Lang::En) => "is not",
                (CompareOp::Lt, Lang::En) => "is below",
                (CompareOp::Le, Lang::En) => "is at most",
                (CompareOp::Gt, Lang::En) => "is above",
                (CompareOp::Ge, Lang::En) => "is at least",
            };
            match lang {
                Lang::Zh => format!("严重程度{words}{name}"),
                Lang::En => format!("the severity {words} {name}"),
            }
        }
        Cond::Attribute(i, test) => {
            let name = l(&policy.attributes[*i].named.label);
            let sep = lang.say("", " ");
            match test {
                // 为会员 / 非会员: a yes-or-no attribute reads as a predicate in Chinese.
                AttrTest::True => format!("{}{name}", lang.say("为", "")),
                AttrTest::Bool(eq, b) => {
                    if eq == b {
                        format!("{}{name}", lang.say("为", ""))
                    } else {
                        format!("{}{name}", lang.say("非", "not "))
                    }
                }
                AttrTest::Number(op, n) => {
                    let n = measured(policy, *i, *n, lang);
                    match lang {
                        Lang::Zh => format!("{name}{}{n}", op_words(*op, lang)),
                        Lang::En => format!("{name} {} {n}", op_words(*op, lang)),
                    }
                }
                AttrTest::Text(eq, s) => {
                    format!("{name}{sep}{}{sep}“{s}”", if *eq { "=" } else { "≠" })
                }
                AttrTest::TextIn(items) => format!(
                    "{name}{sep}{}{sep}{}",
                    lang.say("为", "is"),
                    items
                        .iter()
                        .map(|s| format!("“{s}”"))
                        .collect::<Vec<_>>()
                        .join(lang.say("或", " or "))
                ),
                AttrTest::NumberIn(items) => format!(
                    "{name}{sep}{}{sep}{}",
                    lang.say("为", "is"),
                    items
                        .iter()
                        .map(|n| measured(policy, *i, *n, lang))
                        .collect::<Vec<_>>()
                        .join(lang.say("或", " or "))
                ),
                AttrTest::Contains(s) => format!(
                    "{name}{}“{}”",
                    lang.say("包含", " include "),
                    value_name(policy, s, lang)
                ),
            }
        }
    }
}

/// A comparison of numbers in words: "超过", "more than".
fn op_words(op: CompareOp, lang: Lang) -> &'static str {
    match op {
        CompareOp::Eq => lang.say("为", "is"),
        CompareOp::Ne => lang.say("不为", "is not"),
        CompareOp::Lt => lang.say("少于", "is less than"),
        CompareOp::Le => lang.say("不超过", "is at most"),
        CompareOp::Gt => lang.say("超过", "is more than"),
        CompareOp::Ge => lang.say("不少于", "is at least"),
    }
}

/// A string value of a condition in words: the label of the department it names
/// (`departments contains "finance"` with `department finance "财务部"`), else as written.
fn value_name(policy: &Policy, value: &str, lang: Lang) -> String {
    (policy.departments.iter())
        .find(|d| d.name == value)
        .map_or_else(|| value.to_string(), |d| lang.pick(&d.label).to_string())
}

/// A number with thousands separators: 5000 -> "5,000", 1234567.5 -> "1,234,567.5".
/// A number of attribute `attribute` with its unit, if the policy gives one: 5,000元,
/// 5,000 CNY.
fn measured(policy: &Policy, attribute: usize, n: f64, lang: Lang) -> String {
    let unit = (policy.attributes.get(attribute))
        .and_then(|a| a.unit.as_ref())
        .map(|u| lang.pick(u));
    match (unit, lang) {
        (None, _) => amount(n),
        (Some(u), Lang::Zh) => format!("{}{u}", amount(n)),
        (Some(u), Lang::En) => format!("{} {u}", amount(n)),
    }
}

pub(crate) fn amount(n: f64) -> String {
    let text = n.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{grouped}{point}{fraction}")
}

/// A sum of money: "5,000元", "CNY 5,000"; a currency other than CNY keeps its code.
pub(crate) fn money(n: f64, currency: &str, lang: Lang) -> String {
    match (lang, currency) {
        (Lang::Zh, "CNY") => format!("{}元", amount(n)),
        (Lang::Zh, _) => format!("{}{currency}", amount(n)),
        (Lang::En, _) => format!("{currency} {}", amount(n)),
    }
}

/// A time limit as a deadline in plain words: "within 2 working hours", "by close of business
/// on the 5th working day"; "2个工作小时内", "第5个工作日下班前".
pub(crate) fn deadline_words(span: Span, lang: Lang) -> String {
    let n = span.amount;
    match (span.unit, lang) {
        (Unit::WorkingDays, Lang::En) => {
            format!("by close of business on the {} working day", ordinal(n))
        }
        (Unit::WorkingDays, Lang::Zh) => format!("第{n}个工作日下班前"),
        (Unit::Days, Lang::En) => format!("by the end of the {} day", ordinal(n)),
        (Unit::Days, Lang::Zh) => format!("第{n}天结束前"),
        (Unit::Weeks, Lang::En) => format!(
            "within {span} (by the end of the {} day)",
            ordinal(n.saturating_mul(7))
        ),
        (Unit::Weeks, Lang::Zh) => format!("{n}周内（第{}天结束前）", n.saturating_mul(7)),
        (_, Lang::En) => format!("within {span}"),
        (_, Lang::Zh) => format!("{}内", span_words(span, lang)),
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `HH:MM` of minutes after midnight.
pub(crate) fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A report schedule in words: "every month on day 5 before 10:00", "每月5日10:00前".
pub(crate) fn schedule_words(schedule: &Schedule, lang: Lang) -> String {
    let before = clock(schedule.before);
    match lang {
        Lang::En => {
            // "on Monday", "on the 5th", "on 15 January".
            let on = (schedule.on.as_deref())
                .map(|o| match o.strip_prefix("day ") {
                    Some(n) => format!(" on the {}", english_ordinal(n)),
                    None => match o.split_once('-') {
                        Some((m, d)) => {
                            const MONTHS: [&str; 12] = [
                                "January",
                                "February",
                                "March",
                                "April",
                                "May",
                                "June",
                                "July",
                                "August",
                                "September",
                                "October",
                                "November",
                                "December",
                            ];
                            let month = (m.parse::<usize>().ok())
                                .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
                                .map_or(m.to_string(), |m| m.to_string());
                            format!(" on {} {month}", d.trim_start_matches('0'))
                        }
                        None => {
                            let mut day = o.chars();
                            let first = day.next().map(|c| c.to_uppercase().collect::<String>());
                            format!(" on {}{}", first.unwrap_or_default(), day.as_str())
                        }
                    },
                })
                .unwrap_or_default();
            format!("every {}{on} before {before}", schedule.period)
        }
        Lang::Zh => {
            let period = match schedule.period.as_str() {
                "day" => "每天",
                "week" => "每周",
                "month" => "每月",
                "quarter" => "每季度",
                "year" => "每年",
                other => other,
            };
            let on = match schedule.on.as_deref() {
                None => String::new(),
                Some(day) if day.starts_with("day ") => format!("第{}日", &day[4..]),
                Some(day) => match day {
                    "monday" => "一".to_string(),
                    "tuesday" => "二".to_string(),
                    "wednesday" => "三".to_string(),
                    "thursday" => "四".to_string(),
                    "friday" => "五".to_string(),
                    "saturday" => "六".to_string(),
                    "sunday" => "日".to_string(),
                    // `01-15`: 1月15日, without the leading zeros.
                    other => match other.split_once('-') {
                        Some((m, d)) => format!(
                            "{}月{}日",
                            m.trim_start_matches('0'),
                            d.trim_start_matches('0')
                        ),
                        None => other.to_string(),
                    },
                },
            };
            format!("{period}{on}{before}前")
        }
    }
}

/// The usual case events by their names in the language; others as written.
/// An event in words: the label the policy gives it (`event installed "安装完成"`), or the
/// language's own words for its own events, or else its name.
pub(crate) fn event_name(policy: &Policy, event: &str, lang: Lang) -> String {
    if let Some(declared) = policy.events.iter().find(|e| e.name == event)
        && !lang.pick(&declared.label).is_empty()
    {
        return lang.pick(&declared.label).to_string();
    }
    let (zh, en) = match event {
        "received" => ("收到投诉", "receipt"),
        "acknowledged" => ("确认受理", "acknowledgement"),
        "resolved" => ("处理完毕", "resolution"),
        "updated" => ("进展通报", "an update"),
        "callback" => ("回访", "the callback"),
        "closed" => ("结案", "closing"),
        "reopened" => ("重新处理", "reopening"),
        _ => return event.to_string(),
    };
    lang.say(zh, en).to_string()
}

/// `previous month` and the like in the language.
pub(crate) fn covering_words(covering: &str, lang: Lang) -> String {
    match (lang, covering) {
        (Lang::Zh, "previous day") => "前一天".into(),
        (Lang::Zh, "current day") => "当天".into(),
        (Lang::Zh, "previous week") => "上周".into(),
        (Lang::Zh, "previous month") => "上月".into(),
        (Lang::Zh, "previous quarter") => "上季度".into(),
        (Lang::Zh, "previous year") => "上年度".into(),
        _ => covering.to_string(),
    }
}

/// "1st", "2nd", "3rd", "4th", "11th", "21st" for a number written as text.
fn english_ordinal(n: &str) -> String {
    let suffix = match n.parse::<u32>() {
        Ok(k) if (11..=13).contains(&(k % 100)) => "th",
        Ok(k) if k % 10 == 1 => "st",
        Ok(k) if k % 10 == 2 => "nd",
        Ok(k) if k % 10 == 3 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
