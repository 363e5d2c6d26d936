//! Hand-computed business-time examples, each named for the rule it shows.

use charter::time::{Calendar, CalendarSpec, Clock, OpenInterval, Pause, Span, TimeError, Unit};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;

const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

fn iv(a: &str, b: &str) -> OpenInterval {
    let m = |s: &str| {
        let (h, m) = s.split_once(':').unwrap();
        h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
    };
    OpenInterval::new(m(a), m(b))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Weekdays 09:00-12:00 and 13:30-18:00 in Shanghai.
fn office() -> Calendar {
    Calendar::new(CalendarSpec::new("office", SHANGHAI).open(
        Weekday::Mon,
        Weekday::Fri,
        &[iv("09:00", "12:00"), iv("13:30", "18:00")],
    ))
    .unwrap()
}

/// The office calendar with China's 2026 National Day holidays and make-up days.
fn office_2026() -> Calendar {
    let mut spec = CalendarSpec::new("cn_office", SHANGHAI).open(
        Weekday::Mon,
        Weekday::Fri,
        &[iv("09:00", "12:00"), iv("13:30", "18:00")],
    );
    for d in 1..=7 {
        spec.holidays
            .push(NaiveDate::from_ymd_opt(2026, 10, d).unwrap());
    }
    for d in ["2026-09-20", "2026-10-10"] {
        spec.workdays
            .push((date(d), vec![iv("09:00", "12:00"), iv("13:30", "18:00")]));
    }
    spec.valid = Some((date("2026-01-01"), date("2026-12-31")));
    Calendar::new(spec).unwrap()
}

/// A local wall-clock time in `tz` (earliest when ambiguous) as UTC seconds.
fn local(tz: Tz, s: &str) -> i64 {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .timestamp()
}

fn add(cal: &Calendar, from: &str, span: &str) -> String {
    let span: Span = span.parse().unwrap();
    cal.format(cal.add(local(cal.tz(), from), span).unwrap())
}

#[test]
fn working_hours_carry_over_the_weekend() {
    assert_eq!(
        add(&office(), "2026-11-20 17:45", "2 working hours"),
        "2026-11-23T10:45:00+08:00"
    );
}

#[test]
fn a_deadline_on_a_closing_time_stays_there() {
    assert_eq!(
        add(&office(), "2026-11-23 16:00", "2 working hours"),
        "2026-11-23T18:00:00+08:00"
    );
}

#[test]
fn working_hours_skip_the_lunch_break() {
    assert_eq!(
        add(&office(), "2026-11-23 11:00", "2 working hours"),
        "2026-11-23T14:30:00+08:00"
    );
}

#[test]
fn a_start_outside_open_time_counts_from_the_next_opening() {
    assert_eq!(
        add(&office(), "2026-11-21 23:00", "30 working minutes"),
        "2026-11-23T09:30:00+08:00"
    );
    assert_eq!(
        add(&office(), "2026-11-23 12:10", "30 working minutes"),
        "2026-11-23T14:00:00+08:00"
    );
}

#[test]
fn working_days_skip_holidays_and_count_make_up_saturdays() {
    assert_eq!(
        add(&office_2026(), "2026-09-30 15:00", "3 working days"),
        "2026-10-10T18:00:00+08:00"
    );
}

#[test]
fn working_days_never_count_the_start_day() {
    // Even a start before opening on a working day does not make that day count.
    assert_eq!(
        add(&office(), "2026-11-23 08:00", "1 working day"),
        "2026-11-24T18:00:00+08:00"
    );
    assert_eq!(
        add(&office(), "2026-11-20 10:00", "1 working day"),
        "2026-11-23T18:00:00+08:00"
    );
    assert_eq!(
        add(&office(), "2026-11-22 10:00", "1 working day"),
        "2026-11-23T18:00:00+08:00"
    );
}

#[test]
fn calendar_days_end_at_midnight_of_the_nth_day() {
    assert_eq!(
        add(&office(), "2026-11-20 17:45", "3 days"),
        "2026-11-24T00:00:00+08:00"
    );
    assert_eq!(
        add(&office(), "2026-11-20 00:00", "1 day"),
        "2026-11-22T00:00:00+08:00"
    );
}

#[test]
fn elapsed_hours_ignore_the_calendar() {
    assert_eq!(
        add(&office(), "2026-11-21 22:00", "8 hours"),
        "2026-11-22T06:00:00+08:00"
    );
    assert_eq!(
        add(&office(), "2026-11-21 22:00", "5 minutes"),
        "2026-11-21T22:05:00+08:00"
    );
}

#[test]
fn working_time_between_counts_only_open_time() {
    let cal = office();
    let open = cal
        .open_between(
            local(SHANGHAI, "2026-11-20 17:00"),
            local(SHANGHAI, "2026-11-23 10:00"),
        )
        .unwrap();
    assert_eq!(open, 2 * 3600);
}

/// Lookups are remembered per thread by instant; asking two calendars about the same instants
/// in turn, and a calendar built again after one is dropped, still gets each calendar's own
/// answer.
#[test]
fn calendars_asked_in_turn_each_answer_for_themselves() {
    let a = local(SHANGHAI, "2026-09-30 10:00");
    let b = local(SHANGHAI, "2026-10-09 10:00");
    let (plain, holidays) = (office(), office_2026());
    for _ in 0..3 {
        // Plain office: Sept 30 10:00 to Oct 9 10:00 is 7 working days (7.5 h each).
        assert_eq!(plain.open_between(a, b).unwrap(), 7 * 27_000);
        // With National Day: Sept 30 (6.5 h left), Oct 8, and Oct 9 until 10:00 (1 h).
        assert_eq!(holidays.open_between(a, b).unwrap(), 23_400 + 27_000 + 3600);
    }
    drop(plain);
    let night = Calendar::new(CalendarSpec::new("night", SHANGHAI).open(
        Weekday::Mon,
        Weekday::Sun,
        &[iv("20:00", "22:00")],
    ))
    .unwrap();
    assert_eq!(night.open_between(a, b).unwrap(), 9 * 7200);
}

#[test]
fn a_pause_moves_a_working_deadline_by_the_open_time_it_covers() {
    let cal = office();
    let start = local(SHANGHAI, "2026-11-23 09:00");
    let span: Span = "4 working hours".parse().unwrap();
    let budget = cal.budget(start, span).unwrap();
    assert_eq!(budget, 4 * 3600);
    // Paused 10:00-14:30: 2h of open time (10-12, 13:30-14:30) stop the clock.
    let pause = Pause {
        from: local(SHANGHAI, "2026-11-23 10:00"),
        to: Some(local(SHANGHAI, "2026-11-23 14:30")),
    };
    let deadline = cal
        .reach(Clock::Working, start, budget, &[pause])
        .unwrap()
        .unwrap();
    assert_eq!(cal.format(deadline), "2026-11-23T17:30:00+08:00");
}

#[test]
fn a_working_days_budget_is_the_open_time_to_the_unpaused_deadline() {
    let cal = office();
    let start = local(SHANGHAI, "2026-11-23 14:00");
    let span = Span::new(1, Unit::WorkingDays);
    // Monday 14:00-18:00 (4h) plus Tuesday (7.5h).
    assert_eq!(cal.budget(start, span).unwrap(), 11 * 3600 + 1800);
    let pause = Pause {
        from: local(SHANGHAI, "2026-11-23 15:00"),
        to: Some(local(SHANGHAI, "2026-11-24 09:00")),
    };
    let deadline = cal
        .reach(
            Clock::Working,
            start,
            cal.budget(start, span).unwrap(),
            &[pause],
        )
        .unwrap();
    // Three hours of Monday were paused: they run on into Wednesday.
    assert_eq!(cal.format(deadline.unwrap()), "2026-11-25T12:00:00+08:00");
}

#[test]
fn an_open_pause_holds_the_deadline() {
    let cal = office();
    let start = local(SHANGHAI, "2026-11-23 09:00");
    let pause = Pause {
        from: local(SHANGHAI, "2026-11-23 10:00"),
        to: None,
    };
    assert_eq!(
        cal.reach(Clock::Working, start, 7200, &[pause]).unwrap(),
        None
    );
    let consumed = cal
        .consumed(
            Clock::Working,
            start,
            local(SHANGHAI, "2026-11-24 10:00"),
            &[pause],
        )
        .unwrap();
    assert_eq!(consumed, 3600);
}

#[test]
fn an_elapsed_pause_adds_its_length() {
    let cal = office();
    let start = local(SHANGHAI, "2026-11-21 20:00");
    let pause = Pause {
        from: local(SHANGHAI, "2026-11-21 21:00"),
        to: Some(local(SHANGHAI, "2026-11-21 23:00")),
    };
    let deadline = cal
        .reach(Clock::Elapsed, start, 8 * 3600, &[pause])
        .unwrap()
        .unwrap();
    assert_eq!(cal.format(deadline), "2026-11-22T06:00:00+08:00");
}

#[test]
fn the_instant_at_eighty_percent_of_a_budget() {
    let cal = office();
    let start = local(SHANGHAI, "2026-11-23 09:00");
    let budget = cal
        .budget(start, "10 working hours".parse().unwrap())
        .unwrap();
    let at = cal
        .reach(Clock::Working, start, budget * 80 / 100, &[])
        .unwrap()
        .unwrap();
    // 8 working hours: 09-12 (3h), 13:30-18 (4.5h), Tuesday 09:00-09:30.
    assert_eq!(cal.format(at), "2026-11-24T09:30:00+08:00");
}

#[test]
fn leaving_the_valid_range_is_an_error() {
    let cal = office_2026();
    let err = cal
        .add(
            local(SHANGHAI, "2026-12-30 10:00"),
            "3 working days".parse().unwrap(),
        )
        .unwrap_err();
    assert!(matches!(err, TimeError::OutOfRange(_)), "{err}");
    assert!(
        err.to_string().contains("covers 2026-01-01 to 2026-12-31"),
        "{err}"
    );
    let before = cal.add(
        local(SHANGHAI, "2025-12-30 10:00"),
        "1 working hour".parse().unwrap(),
    );
    assert!(before.is_err());
    let days = cal.add(
        local(SHANGHAI, "2026-12-30 10:00"),
        "5 days".parse().unwrap(),
    );
    assert!(days.is_err());
}

#[test]
fn a_calendar_with_no_open_hours_is_an_error_not_a_hang() {
    let cal = Calendar::new(CalendarSpec::new("closed", SHANGHAI)).unwrap();
    let err = cal.add(0, "1 working hour".parse().unwrap()).unwrap_err();
    assert!(matches!(err, TimeError::NeverOpen(_)));
}

#[test]
fn overlapping_and_reversed_intervals_are_rejected() {
    let spec = CalendarSpec::new("bad", SHANGHAI).open(
        Weekday::Mon,
        Weekday::Mon,
        &[
            iv("09:00", "12:00"),
            iv("11:00", "13:00"),
            iv("15:00", "14:00"),
        ],
    );
    let errors = Calendar::new(spec).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
}

// DST: the spring-forward gap and the fall-back overlap.

fn night_calendar(tz: Tz, day: Weekday, hours: &[OpenInterval]) -> Calendar {
    Calendar::new(CalendarSpec::new("night", tz).open(day, day, hours)).unwrap()
}

#[test]
fn berlin_spring_forward_shortens_an_interval_over_the_gap() {
    // 2026-03-29 is a Sunday; 02:00 CET jumps to 03:00 CEST.
    let tz = chrono_tz::Europe::Berlin;
    let cal = night_calendar(tz, Weekday::Sun, &[iv("01:00", "05:00")]);
    let open = cal
        .open_between(local(tz, "2026-03-28 00:00"), local(tz, "2026-03-30 00:00"))
        .unwrap();
    assert_eq!(
        open,
        3 * 3600,
        "01:00-05:00 on the change night is three real hours"
    );
    assert_eq!(
        add(&cal, "2026-03-29 00:00", "2 working hours"),
        "2026-03-29T04:00:00+02:00"
    );
}

#[test]
fn berlin_an_interval_starting_in_the_gap_opens_when_the_gap_ends() {
    let tz = chrono_tz::Europe::Berlin;
    let cal = night_calendar(tz, Weekday::Sun, &[iv("02:30", "04:00")]);
    // 02:30 does not exist: the interval opens at 03:00 CEST.
    assert_eq!(
        add(&cal, "2026-03-29 00:00", "30 working minutes"),
        "2026-03-29T03:30:00+02:00"
    );
    assert_eq!(
        add(&cal, "2026-03-29 00:00", "60 working minutes"),
        "2026-03-29T04:00:00+02:00"
    );
}

#[test]
fn new_york_fall_back_an_interval_ending_in_the_repeated_hour_ends_the_first_time() {
    // 2026-11-01 is a Sunday; 02:00 EDT falls back to 01:00 EST.
    let tz = chrono_tz::America::New_York;
    let cal = night_calendar(tz, Weekday::Sun, &[iv("00:00", "01:30")]);
    let day = (local(tz, "2026-11-01 00:00"), local(tz, "2026-11-02 00:00"));
    assert_eq!(cal.open_between(day.0, day.1).unwrap(), 90 * 60);
    assert_eq!(
        add(&cal, "2026-11-01 00:00", "90 working minutes"),
        "2026-11-01T01:30:00-04:00"
    );
}

#[test]
fn new_york_fall_back_an_interval_starting_in_the_repeated_hour_starts_the_first_time() {
    let tz = chrono_tz::America::New_York;
    let cal = night_calendar(tz, Weekday::Sun, &[iv("01:30", "03:00")]);
    let day = (local(tz, "2026-11-01 00:00"), local(tz, "2026-11-02 00:00"));
    // 01:30 EDT to 03:00 EST is two and a half real hours.
    assert_eq!(cal.open_between(day.0, day.1).unwrap(), 150 * 60);
    assert_eq!(
        add(&cal, "2026-11-01 00:00", "2 working hours"),
        "2026-11-01T02:30:00-05:00"
    );
}

#[test]
fn new_york_calendar_days_across_the_change_end_at_local_midnight() {
    let tz = chrono_tz::America::New_York;
    let cal = night_calendar(tz, Weekday::Mon, &[iv("09:00", "17:00")]);
    assert_eq!(
        add(&cal, "2026-10-31 12:00", "1 day"),
        "2026-11-02T00:00:00-05:00"
    );
    assert_eq!(
        add(&cal, "2026-03-07 12:00", "1 day"),
        "2026-03-09T00:00:00-04:00"
    );
}

#[test]
fn working_days_across_a_year_boundary() {
    let cal = office();
    assert_eq!(
        add(&cal, "2026-12-30 10:00", "3 working days"),
        "2027-01-04T18:00:00+08:00"
    );
    assert_eq!(
        add(&cal, "2026-12-31 17:00", "2 working hours"),
        "2027-01-01T10:00:00+08:00"
    );
}

#[test]
fn spans_parse_and_print_round_trip() {
    for text in [
        "1 working day",
        "3 working days",
        "30 minutes",
        "1 hour",
        "5 days",
        "2 working hours",
        "15 working minutes",
    ] {
        let span: Span = text.parse().unwrap();
        assert_eq!(span.to_string(), text);
    }
    assert!("three days".parse::<Span>().is_err());
    assert!("3 working fortnights".parse::<Span>().is_err());
    assert!("-3 days".parse::<Span>().is_err());
}

/// Time has one range: a computation never answers outside 1900-01-01..2199-12-31 (the
/// years charter computes), whatever the calendar's `valid` says, and a `valid` range
/// beyond them is a compile error.
#[test]
fn no_computation_answers_outside_the_supported_years() {
    use charter::time::{Calendar, CalendarSpec, OpenInterval, Span, Unit};
    let tz = chrono_tz::Asia::Shanghai;
    let wide = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
    let far = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let mut spec = CalendarSpec::new("wide", tz).open(
        chrono::Weekday::Mon,
        chrono::Weekday::Fri,
        &[OpenInterval::new(540, 1080)],
    );
    spec.valid = Some((wide, far));
    let calendar = Calendar::new(spec).unwrap();
    let late = chrono::DateTime::parse_from_rfc3339("9999-12-29T10:00:00Z")
        .unwrap()
        .timestamp();
    for span in [
        Span::new(1, Unit::Days),
        Span::new(1, Unit::WorkingDays),
        Span::new(2, Unit::Weeks),
    ] {
        let error = calendar.add(late, span).unwrap_err().to_string();
        assert!(
            error.contains("covers 1900-01-01 to 2199-12-31"),
            "{span}: {error}"
        );
    }
    let early = chrono::DateTime::parse_from_rfc3339("1850-06-01T10:00:00Z")
        .unwrap()
        .timestamp();
    assert!(
        calendar
            .add(early, Span::new(3, Unit::WorkingDays))
            .is_err()
    );
    let edge = chrono::DateTime::parse_from_rfc3339("2199-12-30T10:00:00+08:00")
        .unwrap()
        .timestamp();
    assert!(
        calendar.add(edge, Span::new(1, Unit::Days)).is_ok(),
        "the last day is covered"
    );
    assert!(calendar.add(edge, Span::new(2, Unit::Days)).is_err());
    let loaded = charter::syntax::load_text(
        "t.charter",
        "calendar c { timezone \"Asia/Shanghai\" valid 0001-01-01..9999-12-31 }",
    );
    let diagnostics = charter::check::check(&loaded).diagnostics;
    assert!(
        diagnostics.iter().any(|d| d
            .message
            .contains("reaches beyond the dates charter computes")),
        "{diagnostics:?}"
    );
}
