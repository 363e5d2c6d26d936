//! Scheduled reports follow the calendar, as specifications: a small policy whose calendar
//! carries China's September and October 2026 holidays, and the due dates a person works out
//! on a wall calendar.
//!
//! September and October 2026: Sunday 20 September is a make-up working day; 25–27 September
//! (Friday to Sunday) is Mid-Autumn Festival; 1–7 October (Thursday to Wednesday) is National
//! Day; Saturday 10 October is a make-up working day.

use charter::audit::{Due, due_dates};
use charter::check::{Closed, Policy, check};
use charter::syntax::ast::Label;
use charter::syntax::load_text;
use chrono::NaiveDate;

/// A policy whose default calendar `office` is open Monday to Friday with the holidays above,
/// and a calendar `online` open every day; `reports` holds the report declarations.
fn policy(reports: &str) -> Policy {
    let text = format!(
        r#"policy t "T" {{ version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office }}
calendar office {{
  valid 2026-01-01..2026-12-31
  week mon..fri 09:00-18:00
  workday 2026-09-20 "国庆节调休上班" en "National Day make-up working day"
  holiday 2026-09-25..2026-09-27 "中秋节" en "Mid-Autumn Festival"
  holiday 2026-10-01..2026-10-07 "国庆节" en "National Day"
  workday 2026-10-10
}}
calendar online {{ week mon..sun 09:00-22:00 }}
role manager "Manager" {{}}
{reports}"#
    );
    let checked = check(&load_text("t.charter", &text));
    let errors: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(checked.diagnostics.is_empty(), "{errors:?}");
    checked.versions.into_iter().next().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The due dates of the policy's only report between two dates, as
/// (scheduled, due) pairs.
fn dues(policy: &Policy, from: &str, to: &str) -> Vec<Due> {
    due_dates(policy, &policy.reports[0], date(from), date(to))
}

fn pairs(dues: &[Due]) -> Vec<(String, String)> {
    dues.iter()
        .map(|d| (d.scheduled.to_string(), d.date.to_string()))
        .collect()
}

fn national_day() -> Closed {
    Closed::Holiday(Some(Label {
        text: "国庆节".into(),
        zh: None,
        en: Some("National Day".into()),
    }))
}

const WEEKLY: &str =
    "report weekly { every week on monday before 10:00  covering previous week  to manager }";

/// Monday 5 October is National Day; the next working day is Thursday 8 October (6 and 7
/// October are holidays too). The report still covers the week of 28 September.
#[test]
fn a_weekly_report_due_on_a_holiday_moves_to_the_next_working_day() {
    let p = policy(WEEKLY);
    let due = dues(&p, "2026-09-28", "2026-10-12");
    assert_eq!(
        pairs(&due),
        [
            ("2026-09-28".into(), "2026-09-28".into()),
            ("2026-10-05".into(), "2026-10-08".into()),
            ("2026-10-12".into(), "2026-10-12".into()),
        ]
    );
    let moved = &due[1];
    assert!(moved.moved());
    assert_eq!(moved.before, 10 * 60);
    assert_eq!(moved.covering, (date("2026-09-28"), date("2026-10-04")));
    assert_eq!(moved.closed, Some(national_day()));
    assert!(!moved.provisional);
    assert_eq!(due[0].closed, None);
}

#[test]
fn keep_keeps_the_date() {
    let p = policy(
        "report weekly { every week on monday before 10:00  covering previous week  to manager  if_closed keep }",
    );
    let due = dues(&p, "2026-10-05", "2026-10-05");
    assert_eq!(pairs(&due), [("2026-10-05".into(), "2026-10-05".into())]);
    assert!(!due[0].moved());
    assert_eq!(due[0].closed, Some(national_day()));
}

/// Thursday 1 October is the first day of National Day; 2–7 October are holidays as well
/// (with the weekend of 3–4 October), so the monthly report moves over all of them.
#[test]
fn a_report_moves_over_a_whole_holiday() {
    let p = policy(
        "report monthly { every month on day 1 before 10:00  covering previous month  to manager }",
    );
    let due = dues(&p, "2026-10-01", "2026-10-31");
    assert_eq!(pairs(&due), [("2026-10-01".into(), "2026-10-08".into())]);
    assert_eq!(due[0].covering, (date("2026-09-01"), date("2026-09-30")));
}

/// Saturday 10 October is a make-up working day: the daily report due then stays; Sunday 11
/// October is not, and its report is due on Monday 12 October, beside Monday's own.
#[test]
fn make_up_working_days_on_a_weekend_are_working_days() {
    let p = policy("report daily { every day before 17:30  covering current day  to manager }");
    let due = dues(&p, "2026-10-09", "2026-10-12");
    assert_eq!(
        pairs(&due),
        [
            ("2026-10-09".into(), "2026-10-09".into()),
            ("2026-10-10".into(), "2026-10-10".into()),
            ("2026-10-11".into(), "2026-10-12".into()),
            ("2026-10-12".into(), "2026-10-12".into()),
        ]
    );
    assert_eq!(due[2].closed, Some(Closed::Weekday(chrono::Weekday::Sun)));
    // Sunday 20 September is a make-up working day; Sunday 27 September is Mid-Autumn
    // Festival, and Monday 28 September the next working day.
    let p = policy(
        "report weekly { every week on sunday before 12:00  covering previous week  to manager }",
    );
    assert_eq!(
        pairs(&dues(&p, "2026-09-20", "2026-09-28")),
        [
            ("2026-09-20".into(), "2026-09-20".into()),
            ("2026-09-27".into(), "2026-09-28".into()),
        ]
    );
}

/// `previous`: Sunday 5 July is not a working day, nor Saturday 4 July; Friday 3 July is, and
/// it is after June, the month the report covers. Monday 5 October has no working day between
/// the end of September and itself (1–4 October are holidays), so it goes forward to 8 October.
#[test]
fn previous_moves_back_but_not_into_the_period_covered() {
    let p = policy(
        "report monthly { every month on day 5 before 10:00  covering previous month  to manager  if_closed previous }",
    );
    assert_eq!(
        pairs(&dues(&p, "2026-07-01", "2026-10-31")),
        [
            ("2026-07-05".into(), "2026-07-03".into()),
            ("2026-08-05".into(), "2026-08-05".into()),
            ("2026-09-05".into(), "2026-09-04".into()),
            ("2026-10-05".into(), "2026-10-08".into()),
        ]
    );
}

/// A report names its own calendar after the schedule; without one it follows the policy's.
#[test]
fn the_report_calendar_decides_what_is_a_working_day() {
    let p = policy(
        "report weekly { every week on monday before 10:00 on online  covering previous week  to manager }",
    );
    assert_eq!(
        pairs(&dues(&p, "2026-10-05", "2026-10-05")),
        [("2026-10-05".into(), "2026-10-05".into())]
    );
}

/// A date moved into the range from outside it is listed; one moved out of it is not.
#[test]
fn the_range_is_of_the_dates_due() {
    let p = policy(WEEKLY);
    assert_eq!(
        pairs(&dues(&p, "2026-10-06", "2026-10-08")),
        [("2026-10-05".into(), "2026-10-08".into())]
    );
    assert!(dues(&p, "2026-10-05", "2026-10-07").is_empty());
}

/// Past the calendar's valid range only the weekly hours are known: the move is provisional.
#[test]
fn past_the_valid_range_a_move_is_provisional() {
    let p = policy(WEEKLY);
    let due = dues(&p, "2027-01-04", "2027-01-04");
    assert_eq!(pairs(&due), [("2027-01-04".into(), "2027-01-04".into())]);
    assert!(due[0].provisional);
}
