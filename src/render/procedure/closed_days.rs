//! What happens to a report due on a day its calendar is closed, in words.

use crate::check::{Policy, Report};
use crate::vocabulary::IfClosed;

use super::super::Lang;

/// Whether `report` can fall on a day its calendar has no open hours: a weekday it may be
/// scheduled on is closed, or the calendar has holidays.
fn can_fall_on_closed_day(policy: &Policy, report: &Report) -> bool {
    let (Some(schedule), Some(cal)) = (
        &report.schedule,
        report.calendar.and_then(|i| policy.calendars.get(i)),
    ) else {
        return false;
    };
    let spec = cal.calendar.spec();
    if !spec.holidays.is_empty() || !spec.yearly.is_empty() {
        return true;
    }
    let weekday = match (schedule.period.as_str(), schedule.on.as_deref()) {
        ("week", on) => Some(
            [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ]
            .iter()
            .position(|d| Some(*d) == on)
            .unwrap_or(0),
        ),
        _ => None,
    };
    match weekday {
        Some(day) => spec.week[day].is_empty(),
        None => spec.week.iter().any(Vec::is_empty),
    }
}

/// The rule for reports due on a non-working day, in words: one sentence per calendar and
/// `if_closed` mode, naming the reports unless it is every report of the policy.
pub(super) fn closed_day_rules(policy: &Policy, lang: Lang) -> Vec<String> {
    let mut groups: Vec<((IfClosed, usize), Vec<&Report>)> = Vec::new();
    for r in &policy.reports {
        let Some(cal) = r.calendar else { continue };
        // An explicit `keep` is stated; a report that keeps its date by default is not.
        if !can_fall_on_closed_day(policy, r)
            || (r.if_closed == IfClosed::Keep && !r.if_closed_written)
        {
            continue;
        }
        match groups.iter_mut().find(|(k, _)| *k == (r.if_closed, cal)) {
            Some((_, list)) => list.push(r),
            None => groups.push(((r.if_closed, cal), vec![r])),
        }
    }
    let every = groups.len() == 1 && groups[0].1.len() == policy.reports.len();
    groups
        .iter()
        .map(|((mode, cal), reports)| {
            let calendar = lang.pick(&policy.calendars[*cal].named.label);
            let names = reports
                .iter()
                .map(|r| match lang {
                    Lang::Zh => format!("《{}》", lang.pick(&r.named.label)),
                    Lang::En => format!("“{}”", lang.pick(&r.named.label)),
                })
                .collect::<Vec<_>>()
                .join(lang.say("、", ", "));
            match (lang, mode) {
                (Lang::Zh, _) => {
                    let subject = if every { "报告".to_string() } else { names };
                    let what = match mode {
                        IfClosed::Next => "顺延至下一个工作日的同一时间前提交",
                        IfClosed::Previous => "提前至前一个工作日的同一时间前提交（该工作日须在报告所涵盖的期间结束之后，否则顺延至下一个工作日）",
                        IfClosed::Keep => "仍在原定日期提交，不调整",
                    };
                    format!("{subject}的提交日不是工作日（以“{calendar}”日历为准）的，{what}。")
                }
                (Lang::En, _) => {
                    let what = match mode {
                        IfClosed::Next => "due at the same time on the next working day",
                        IfClosed::Previous => "due at the same time on the working day before, provided that day is after the period the report covers (otherwise on the next working day)",
                        IfClosed::Keep => "still due on that day",
                    };
                    let closed = format!("a day that is not a working day on the “{calendar}” calendar");
                    if every {
                        format!("A report due on {closed} is {what}.")
                    } else if reports.len() == 1 {
                        format!("{names}: when due on {closed}, the report is {what}.")
                    } else {
                        format!("{names}: when due on {closed}, the reports are {what}.")
                    }
                }
            }
        })
        .collect()
}
