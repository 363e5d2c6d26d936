//! Business-time arithmetic: adding working days and hours on a calendar with ~30 holidays a

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]
//! year, with and without pauses. The baseline is one chrono-tz UTC -> local conversion, the
//! cheapest thing every call must do, measured in the same run.

use std::hint::black_box;

use charter::time::{Calendar, CalendarSpec, Clock, OpenInterval, Pause, Span, Unit};
use chrono::{NaiveDate, TimeZone, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};

fn calendar() -> Calendar {
    let tz = chrono_tz::Asia::Shanghai;
    let day = [OpenInterval::new(540, 720), OpenInterval::new(810, 1080)];
    let mut spec = CalendarSpec::new("bench", tz).open(Weekday::Mon, Weekday::Fri, &day);
    // 30 holidays spread over the year, and 5 make-up Saturdays.
    for i in 0..30 {
        spec.holidays
            .push(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap() + chrono::Duration::days(i * 12));
    }
    for i in 0..5 {
        spec.workdays.push((
            NaiveDate::from_ymd_opt(2026, 1, 3).unwrap() + chrono::Duration::weeks(i * 10),
            day.to_vec(),
        ));
    }
    Calendar::new(spec).unwrap()
}

fn bench(c: &mut Criterion) {
    let cal = calendar();
    let tz = chrono_tz::Asia::Shanghai;
    let starts: Vec<i64> = (0..64)
        .map(|i| {
            tz.with_ymd_and_hms(2026, 3, 1, 8, 0, 0)
                .unwrap()
                .timestamp()
                + i * 97_331
        })
        .collect();
    // Build the index outside the measurement, as a long-running process would.
    let _ = cal.add(starts[0], Span::new(1, Unit::WorkingDays));
    let mut i = 0usize;
    let mut next = move || {
        i = (i + 1) & 63;
        starts[i]
    };
    c.bench_function("baseline: utc->local conversion", |b| {
        b.iter(|| {
            black_box(
                chrono::DateTime::from_timestamp(black_box(next()), 0)
                    .unwrap()
                    .with_timezone(&tz)
                    .date_naive(),
            )
        })
    });
    c.bench_function("add 10 working days", |b| {
        b.iter(|| black_box(cal.add(black_box(next()), Span::new(10, Unit::WorkingDays))))
    });
    c.bench_function("add 40 working hours", |b| {
        b.iter(|| black_box(cal.add(black_box(next()), Span::new(40, Unit::WorkingHours))))
    });
    c.bench_function("deadline 40 working hours, 3 pauses", |b| {
        b.iter(|| {
            let start = black_box(next());
            let pauses = [
                Pause {
                    from: start + 3_600,
                    to: Some(start + 7_200),
                },
                Pause {
                    from: start + 86_400,
                    to: Some(start + 2 * 86_400),
                },
                Pause {
                    from: start + 4 * 86_400,
                    to: Some(start + 4 * 86_400 + 5_400),
                },
            ];
            let budget = cal
                .budget(start, Span::new(40, Unit::WorkingHours))
                .unwrap();
            black_box(cal.reach(Clock::Working, start, budget, &pauses))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
