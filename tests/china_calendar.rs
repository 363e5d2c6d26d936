//! The shipped China 2026 calendar, day by day, against the `chinese_holiday` crate.

use charter::check::check;
use charter::syntax::load;
use chrono::{Datelike, NaiveDate};

#[test]
fn the_shipped_china_calendar_matches_an_independent_source_every_day() {
    let checked = check(&load(std::path::Path::new("policies/complaint-office")));
    let policy = &checked.versions[0];
    let office = &policy.calendars[policy.default_calendar.unwrap()].calendar;
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut checked_days = 0;
    // chinese_holiday covers up to 2026-12-25 (it asserts beyond).
    while day <= NaiveDate::from_ymd_opt(2026, 12, 25).unwrap() {
        let kind = chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
            day.year() as u16,
            day.month() as u8,
            day.day() as u8,
        ));
        let open = !office.hours_on(day).is_empty();
        assert_eq!(
            open,
            kind.is_workday(),
            "{day}: charter says open={open}, chinese_holiday says {kind:?}"
        );
        checked_days += 1;
        day = day.succ_opt().unwrap();
    }
    assert_eq!(checked_days, 359);
}
