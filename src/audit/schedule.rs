//! When scheduled reports are due: the dates a report's schedule names, each moved off the
//! days its calendar has no open hours (`if_closed`), with the period each covers.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::check::{Closed, Policy, Report};
use crate::vocabulary::{IfClosed, Schedule};

/// How far a due date is moved at most, in days; past that it stays where the schedule puts it.
const MAX_MOVE_DAYS: u64 = 366;

/// One due date of a scheduled report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The date the schedule names.
    pub scheduled: NaiveDate,
    /// The date the report is due: `scheduled`, or the working day it moved to.
    pub date: NaiveDate,
    /// The time it is due by, in minutes after midnight.
    pub before: u16,
    /// The first and last dates it covers (from the scheduled date).
    pub covering: (NaiveDate, NaiveDate),
    /// Why the scheduled date is not a working day on the report's calendar, when it is not.
    pub closed: Option<Closed>,
    /// Some date looked at is past the calendar's valid range, where only its weekly hours
    /// and yearly holidays are known.
    pub provisional: bool,
}

impl Due {
    /// Whether the report was moved off its scheduled date.
    pub fn moved(&self) -> bool {
        self.date != self.scheduled
    }
}

/// The due dates of `report` under `policy` that fall between `from` and `to` (inclusive, by
/// the date it is due after any move), in the order of their scheduled dates.
pub fn due_dates(policy: &Policy, report: &Report, from: NaiveDate, to: NaiveDate) -> Vec<Due> {
    let Some(schedule) = &report.schedule else {
        return Vec::new();
    };
    let calendar = report.calendar.and_then(|i| policy.calendars.get(i));
    let covering = report.covering.as_deref().unwrap_or("previous day");
    // A date scheduled outside the range may move into it.
    let margin = if calendar.is_some() && report.if_closed != IfClosed::Keep {
        MAX_MOVE_DAYS
    } else {
        0
    };
    let first = from.checked_sub_days(Days::new(margin)).unwrap_or(from);
    let last = to.checked_add_days(Days::new(margin)).unwrap_or(to);
    let mut out = Vec::new();
    let mut date = first;
    while date <= last {
        if scheduled_on(schedule, date) {
            let covers = covered(date, covering);
            let mut due = Due {
                scheduled: date,
                date,
                before: schedule.before,
                covering: covers,
                closed: None,
                provisional: false,
            };
            if let Some(cal) = calendar {
                due.closed = cal.closed_on(date);
                due.provisional = !cal.calendar.covers(date);
                if due.closed.is_some() {
                    let step = |d: NaiveDate, forward: bool| {
                        if forward { d.succ_opt() } else { d.pred_opt() }
                    };
                    let search = |forward: bool, floor: Option<NaiveDate>| {
                        let mut d = date;
                        let mut provisional = false;
                        for _ in 0..MAX_MOVE_DAYS {
                            d = step(d, forward)?;
                            if floor.is_some_and(|f| d <= f) {
                                return None;
                            }
                            provisional |= !cal.calendar.covers(d);
                            if !cal.calendar.hours_on(d).is_empty() {
                                return Some((d, provisional));
                            }
                        }
                        None
                    };
                    let found = match report.if_closed {
                        IfClosed::Keep => None,
                        IfClosed::Next => search(true, None),
                        // Never into the period the report covers: then the next working day.
                        IfClosed::Previous => {
                            search(false, Some(covers.1)).or_else(|| search(true, None))
                        }
                    };
                    if let Some((d, provisional)) = found {
                        due.date = d;
                        due.provisional |= provisional;
                    }
                }
            }
            if from <= due.date && due.date <= to {
                out.push(due);
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    out
}

/// Whether `schedule` names `date`.
fn scheduled_on(schedule: &Schedule, date: NaiveDate) -> bool {
    let on = schedule.on.as_deref();
    match schedule.period.as_str() {
        "day" => true,
        "week" => {
            let wanted = match on {
                Some("tuesday") => Weekday::Tue,
                Some("wednesday") => Weekday::Wed,
                Some("thursday") => Weekday::Thu,
                Some("friday") => Weekday::Fri,
                Some("saturday") => Weekday::Sat,
                Some("sunday") => Weekday::Sun,
                _ => Weekday::Mon,
            };
            date.weekday() == wanted
        }
        "month" | "quarter" => {
            let day = on
                .and_then(|o| o.strip_prefix("day "))
                .and_then(|d| d.parse::<u32>().ok())
                .unwrap_or(1);
            date.day() == day
                && (schedule.period == "month" || (date.month() - 1).is_multiple_of(3))
        }
        "year" => {
            let md = on.unwrap_or("01-01");
            format!("{:02}-{:02}", date.month(), date.day()) == md
        }
        _ => false,
    }
}

/// The dates a report scheduled on `due` covers.
fn covered(due: NaiveDate, covering: &str) -> (NaiveDate, NaiveDate) {
    let day = |d: NaiveDate, n: i64| d + chrono::Duration::days(n);
    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let prev_month = |d: NaiveDate| month_start(day(month_start(d), -1));
    match covering {
        "current day" => (due, due),
        "previous week" => {
            let monday = day(due, -i64::from(due.weekday().num_days_from_monday()));
            (day(monday, -7), day(monday, -1))
        }
        "previous month" => (prev_month(due), day(month_start(due), -1)),
        "previous quarter" => {
            let q_start = NaiveDate::from_ymd_opt(due.year(), (due.month() - 1) / 3 * 3 + 1, 1)
                .unwrap_or(due);
            let prev_end = day(q_start, -1);
            let prev_start =
                NaiveDate::from_ymd_opt(prev_end.year(), (prev_end.month() - 1) / 3 * 3 + 1, 1)
                    .unwrap_or(prev_end);
            (prev_start, prev_end)
        }
        "previous year" => (
            NaiveDate::from_ymd_opt(due.year() - 1, 1, 1).unwrap_or(due),
            NaiveDate::from_ymd_opt(due.year() - 1, 12, 31).unwrap_or(due),
        ),
        _ => (day(due, -1), day(due, -1)),
    }
}
