//! Business time against a naive reference that walks minute by minute.
//!
//! The reference shares nothing with `src/time` but the written rules: it marks every open UTC
//! minute of a window in a bitmap (local intervals turned into instants, an ambiguous local time
//! taken at its first occurrence, a local time in a DST gap at the end of the gap), then answers
//! each question by walking the bitmap one minute at a time.

use std::collections::BTreeSet;

use charter::time::{Calendar, CalendarSpec, Clock, OpenInterval, Pause, Span, Unit};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use proptest::prelude::*;

const ZONES: [Tz; 4] = [
    chrono_tz::Asia::Shanghai,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::UTC,
];
/// Days of the window before and after the anchor date.
const BEFORE: i64 = 3;
const AFTER: i64 = 60;

#[derive(Debug, Clone)]
struct World {
    tz: Tz,
    anchor: NaiveDate,
    week: Vec<Vec<(u16, u16)>>,
    holidays: BTreeSet<i64>,
    workdays: Vec<(i64, Vec<(u16, u16)>)>,
}

impl World {
    fn date(&self, offset: i64) -> NaiveDate {
        self.anchor + Duration::days(offset)
    }

    fn hours(&self, date: NaiveDate) -> Vec<(u16, u16)> {
        let offset = (date - self.anchor).num_days();
        if self.holidays.contains(&offset) {
            return Vec::new();
        }
        if let Some((_, hours)) = self.workdays.iter().find(|(o, _)| *o == offset) {
            return hours.clone();
        }
        self.week[date.weekday().num_days_from_monday() as usize].clone()
    }

    fn calendar(&self) -> Calendar {
        let mut spec = CalendarSpec::new("random", self.tz);
        for (day, hours) in self.week.iter().enumerate() {
            spec.week[day] = hours
                .iter()
                .map(|&(a, b)| OpenInterval::new(a, b))
                .collect();
        }
        spec.holidays = self.holidays.iter().map(|&o| self.date(o)).collect();
        spec.workdays = self
            .workdays
            .iter()
            .map(|(o, hours)| {
                (
                    self.date(*o),
                    hours
                        .iter()
                        .map(|&(a, b)| OpenInterval::new(a, b))
                        .collect(),
                )
            })
            .collect();
        Calendar::new(spec).expect("generated calendars are valid")
    }
}

/// The instant of a local wall-clock time: first occurrence, or the end of a gap.
fn instant(tz: Tz, date: NaiveDate, minute: u16) -> i64 {
    let mut local = NaiveDateTime::new(date, NaiveTime::MIN) + Duration::minutes(i64::from(minute));
    loop {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.timestamp();
        }
        local += Duration::minutes(1);
    }
}

/// The local date of instant `t`.
fn local_day(tz: Tz, t: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .with_timezone(&tz)
        .date_naive()
}

/// A span of calendar days from `from`: the end (24:00) of that many days after its local day.
fn days_after(tz: Tz, from: i64, span: Span) -> i64 {
    let days = i64::from(span.calendar_days().unwrap_or(0)) + 1;
    instant(tz, local_day(tz, from) + Duration::days(days), 0)
}

/// Every minute of the window: open or not, and the working days with their closes.
struct Reference {
    tz: Tz,
    origin: i64,
    open: Vec<bool>,
    /// (local date, close of business) of each working day in the window, in order.
    working_days: Vec<(NaiveDate, i64)>,
}

impl Reference {
    fn new(world: &World) -> Reference {
        let origin = instant(world.tz, world.date(-BEFORE), 0);
        let end = instant(world.tz, world.date(AFTER + 1), 0);
        let mut open = vec![false; ((end - origin) / 60) as usize];
        let mut working_days = Vec::new();
        for offset in -BEFORE..=AFTER {
            let date = world.date(offset);
            let mut close = None;
            for (a, b) in world.hours(date) {
                let (s, e) = (instant(world.tz, date, a), instant(world.tz, date, b));
                for m in (s..e).step_by(60) {
                    open[((m - origin) / 60) as usize] = true;
                }
                if e > s {
                    close = Some(close.map_or(e, |c: i64| c.max(e)));
                }
            }
            if let Some(close) = close {
                working_days.push((date, close));
            }
        }
        Reference {
            tz: world.tz,
            origin,
            open,
            working_days,
        }
    }

    fn minute(&self, t: i64) -> usize {
        ((t - self.origin) / 60) as usize
    }

    fn is_open(&self, t: i64, pauses: &[(i64, i64)]) -> bool {
        self.open[self.minute(t)] && !pauses.iter().any(|&(a, b)| a <= t && t < b)
    }

    /// The earliest instant by which `minutes` open, un-paused minutes have passed.
    fn add_open(&self, from: i64, minutes: i64, pauses: &[(i64, i64)]) -> Option<i64> {
        let (mut t, mut left) = (from, minutes);
        while left > 0 {
            if self.minute(t) >= self.open.len() {
                return None;
            }
            if self.is_open(t, pauses) {
                left -= 1;
            }
            t += 60;
        }
        Some(t)
    }

    fn open_between(&self, a: i64, b: i64, pauses: &[(i64, i64)]) -> i64 {
        (a..b)
            .step_by(60)
            .filter(|&t| self.is_open(t, pauses))
            .count() as i64
            * 60
    }

    fn add_working_days(&self, from: i64, n: usize) -> Option<i64> {
        let day = chrono::DateTime::from_timestamp(from, 0)?
            .with_timezone(&self.tz)
            .date_naive();
        self.working_days
            .iter()
            .filter(|(d, _)| *d > day)
            .nth(n - 1)
            .map(|(_, c)| *c)
    }

    /// Elapsed seconds from `from` until `secs` un-paused seconds have passed.
    fn add_elapsed(&self, from: i64, secs: i64, pauses: &[(i64, i64)]) -> i64 {
        let (mut t, mut left) = (from, secs / 60);
        while left > 0 {
            if !pauses.iter().any(|&(a, b)| a <= t && t < b) {
                left -= 1;
            }
            t += 60;
        }
        t
    }
}

fn day_hours() -> impl Strategy<Value = Vec<(u16, u16)>> {
    proptest::collection::btree_set(0u16..=96, 0..=6).prop_map(|cuts| {
        let cuts: Vec<u16> = cuts.into_iter().collect();
        cuts.chunks_exact(2)
            .map(|p| (p[0] * 15, p[1] * 15))
            .collect()
    })
}

fn world() -> impl Strategy<Value = World> {
    let anchors = prop_oneof![
        Just(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        Just(NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()),
        (0i64..330).prop_map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(d)),
    ];
    (
        0usize..ZONES.len(),
        anchors,
        proptest::collection::vec(day_hours(), 7),
        proptest::collection::btree_set(0i64..AFTER, 0..8),
        proptest::collection::vec((0i64..AFTER, day_hours()), 0..3),
    )
        .prop_map(|(zone, anchor, week, holidays, workdays)| {
            let workdays = dedup_workdays(workdays, &holidays);
            World {
                tz: ZONES[zone],
                anchor,
                week,
                holidays,
                workdays,
            }
        })
}

fn dedup_workdays(
    workdays: Vec<(i64, Vec<(u16, u16)>)>,
    holidays: &BTreeSet<i64>,
) -> Vec<(i64, Vec<(u16, u16)>)> {
    let mut seen = BTreeSet::new();
    workdays
        .into_iter()
        .filter(|(o, _)| !holidays.contains(o) && seen.insert(*o))
        .collect()
}

#[derive(Debug, Clone)]
struct Question {
    start_minute: i64,
    span: Span,
    pauses: Vec<(i64, i64)>,
}

fn question() -> impl Strategy<Value = Question> {
    let span = prop_oneof![
        (1u32..=600).prop_map(|n| Span::new(n, Unit::WorkingMinutes)),
        (1u32..=40).prop_map(|n| Span::new(n, Unit::WorkingHours)),
        (1u32..=10).prop_map(|n| Span::new(n, Unit::WorkingDays)),
        (1u32..=2000).prop_map(|n| Span::new(n, Unit::Minutes)),
        (1u32..=10).prop_map(|n| Span::new(n, Unit::Days)),
        (1u32..=2).prop_map(|n| Span::new(n, Unit::Weeks)),
    ];
    (
        0i64..(20 * 1440),
        span,
        proptest::collection::vec((0i64..(20 * 1440), 1i64..(3 * 1440)), 0..=3),
    )
        .prop_map(|(start_minute, span, pauses)| Question {
            start_minute,
            span,
            pauses,
        })
}

fn check(world: &World, q: &Question) -> Result<(), TestCaseError> {
    let reference = Reference::new(world);
    let calendar = world.calendar();
    let start = instant(world.tz, world.date(0), 0) + q.start_minute * 60;
    let pauses: Vec<(i64, i64)> = q
        .pauses
        .iter()
        .map(|&(o, len)| (start + o * 60, start + (o + len) * 60))
        .collect();
    let merged = charter::time::normalise_pauses(
        pauses
            .iter()
            .map(|&(a, b)| Pause {
                from: a,
                to: Some(b),
            })
            .collect(),
    );

    // The un-paused deadline.
    let expected = match q.span.unit {
        Unit::WorkingMinutes | Unit::WorkingHours => {
            reference.add_open(start, q.span.fixed_seconds().unwrap_or(0) / 60, &[])
        }
        Unit::WorkingDays => reference.add_working_days(start, q.span.amount as usize),
        Unit::Minutes | Unit::Hours => Some(start + q.span.fixed_seconds().unwrap_or(0)),
        Unit::Days | Unit::Weeks => Some(days_after(world.tz, start, q.span)),
    };
    let Some(expected) = expected else {
        // Beyond the reference's window: nothing to compare.
        return Ok(());
    };
    let actual = calendar
        .add(start, q.span)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        actual,
        expected,
        "deadline of {} from {}",
        q.span,
        calendar.format(start)
    );

    // The same span counted again from the deadline (an `at breach + D` step): days are
    // counted from the day the deadline ends, which for a deadline at a day's first instant
    // (24:00) is the day before.
    if matches!(q.span.unit, Unit::WorkingDays | Unit::Days | Unit::Weeks) {
        let ends_day = instant(world.tz, local_day(world.tz, actual), 0) == actual;
        let from = if ends_day { actual - 60 } else { actual };
        let expected = match q.span.unit {
            Unit::WorkingDays if q.span.amount == 0 => Some(actual),
            Unit::WorkingDays => reference.add_working_days(from, q.span.amount as usize),
            _ => Some(days_after(world.tz, from, q.span)),
        };
        if let Some(expected) = expected {
            let after = calendar
                .add_after(actual, q.span)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(
                after,
                expected,
                "{} after {}",
                q.span,
                calendar.format(actual)
            );
        }
    }

    // The budget and the deadline with pauses.
    let budget = calendar
        .budget(start, q.span)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // The one-pass form agrees with the two steps.
    prop_assert_eq!(
        calendar
            .deadline_and_budget(start, q.span)
            .map_err(|e| TestCaseError::fail(e.to_string()))?,
        (actual, budget),
        "deadline and budget of {}",
        q.span
    );
    let paused = match calendar.reach(q.span.clock(), start, budget, &merged) {
        // Paused, the budget needs open time after the last there is: never reached, and
        // the reference finds no such instant either.
        Err(charter::time::TimeError::NeverOpen(_)) => {
            prop_assert_eq!(q.span.clock(), Clock::Working);
            prop_assert_eq!(reference.add_open(start, budget / 60, &pauses), None);
            return Ok(());
        }
        paused => paused.map_err(|e| TestCaseError::fail(e.to_string()))?,
    };
    // One clock started once answers every question from its start as the calendar does,
    // though it looks the start up only for the first.
    let mut started = calendar.start_at(start);
    let fail = |e: charter::time::TimeError| TestCaseError::fail(e.to_string());
    prop_assert_eq!(
        started.deadline_and_budget(q.span).map_err(fail)?,
        (actual, budget)
    );
    prop_assert_eq!(
        started
            .reach(q.span.clock(), budget, &merged)
            .map_err(fail)?,
        paused
    );
    prop_assert_eq!(
        started
            .reach(q.span.clock(), budget / 2, &merged)
            .map_err(fail)?,
        calendar
            .reach(q.span.clock(), start, budget / 2, &merged)
            .map_err(fail)?
    );
    for end in [start, actual, actual + 7 * 86_400] {
        prop_assert_eq!(
            started
                .consumed(q.span.clock(), end, &merged)
                .map_err(fail)?,
            calendar
                .consumed(q.span.clock(), start, end, &merged)
                .map_err(fail)?
        );
    }
    let expected_paused = match q.span.clock() {
        Clock::Working => {
            prop_assert_eq!(budget, reference.open_between(start, expected, &[]));
            reference.add_open(start, budget / 60, &pauses)
        }
        Clock::Elapsed => {
            prop_assert_eq!(budget, expected - start);
            Some(reference.add_elapsed(start, budget, &pauses))
        }
    };
    if let Some(expected_paused) = expected_paused {
        prop_assert_eq!(
            paused,
            Some(expected_paused),
            "paused deadline of {}",
            q.span
        );
        if q.span.clock() == Clock::Working {
            let consumed = calendar
                .consumed(Clock::Working, start, expected_paused, &merged)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(
                consumed,
                reference.open_between(start, expected_paused, &pauses)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn business_time_matches_a_minute_by_minute_reference(world in world(), q in question()) {
        check(&world, &q)?;
    }
}

/// Found by the property test: a calendar whose only open time is two made-up working days,
/// and a budget used up exactly at the close of the last of them, with a pause before it.
#[test]
fn a_budget_used_up_at_the_last_close_there_will_ever_be() {
    let world = World {
        tz: chrono_tz::Asia::Shanghai,
        anchor: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        week: vec![Vec::new(); 7],
        holidays: BTreeSet::new(),
        workdays: vec![(9, vec![(0, 60)]), (6, vec![(120, 345), (420, 1275)])],
    };
    let q = Question {
        start_minute: 1885,
        span: Span::new(19, Unit::WorkingHours),
        pauses: vec![(5015, 1861)],
    };
    check(&world, &q).unwrap();
    // The calendar says why, and where its open time ends.
    let start = instant(world.tz, world.date(0), 0) + q.start_minute * 60;
    let error = world
        .calendar()
        .reach(
            Clock::Working,
            start,
            19 * 3600,
            &[Pause {
                from: start + 5015 * 60,
                to: Some(start + 6876 * 60),
            }],
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "calendar `random` has no open time after 2026-03-10, so a working-time deadline is never reached; give it open hours"
    );
}
