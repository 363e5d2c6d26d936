//! Calendar definitions: weekly open hours, holidays, extra working days and a valid range.
//!
//! A [`CalendarSpec`] is plain data; [`Calendar::new`] validates it and returns a calendar that
//! answers business-time questions (see [`crate::time::Calendar`] methods in `clock.rs`).

use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;

use crate::time::index::{YearIndex, resolve_local};

/// The first and last date of the years charter computes in.
pub fn supported_range() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// The first and last local years a calendar without a valid range can compute in.
pub const MIN_YEAR: i32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 2199;

/// 00:00 UTC on 1 January of [`MIN_YEAR`] and of the year after [`MAX_YEAR`], as seconds
/// since 1970: the years charter computes, as UTC instants (a local time adds its offset).
pub const YEARS: std::ops::Range<i64> =
    new_year(MIN_YEAR as i64) * 86_400..new_year(MAX_YEAR as i64 + 1) * 86_400;

/// The day of 1 January of `year` (from 1601 on), counted from 1 January 1970.
const fn new_year(year: i64) -> i64 {
    let (y, e) = (year - 1, 1969);
    365 * (year - 1970) + (y / 4 - e / 4) - (y / 100 - e / 100) + (y / 400 - e / 400)
}

/// An open interval of one local day, in minutes after midnight: `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpenInterval {
    /// Opening minute (0..1440).
    pub start: u16,
    /// Closing minute (1..=1440); 1440 means 24:00.
    pub end: u16,
}

impl OpenInterval {
    /// An interval from `start` to `end` minutes after midnight (not validated).
    pub const fn new(start: u16, end: u16) -> Self {
        OpenInterval { start, end }
    }

    /// Open minutes in the interval.
    pub fn minutes(self) -> u32 {
        u32::from(self.end.saturating_sub(self.start))
    }
}

impl fmt::Display for OpenInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

/// `HH:MM` for a minute of the day (1440 prints as `24:00`).
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Everything a calendar declares, before validation.
///
/// ```
/// use chrono::Weekday;
/// use charter::time::{Calendar, CalendarSpec, OpenInterval};
/// // Monday to Friday, 09:00-12:00 and 13:30-18:00, in Shanghai.
/// let office = Calendar::new(CalendarSpec::new("office", chrono_tz::Asia::Shanghai).open(
///     Weekday::Mon,
///     Weekday::Fri,
///     &[OpenInterval::new(9 * 60, 12 * 60), OpenInterval::new(13 * 60 + 30, 18 * 60)],
/// ))
/// .map_err(|e| format!("{e:?}"))?;
/// let at = |text: &str| charter::decide::Timestamp::parse(text).map(|t| t.secs);
/// // Friday 17:45 plus two working hours: 15 minutes on Friday, then Monday from 09:00.
/// let due = office.add(at("2026-11-20T17:45:00+08:00")?, "2 working hours".parse()?)?;
/// assert_eq!(office.format(due), "2026-11-23T10:45:00+08:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSpec {
    /// The calendar's name, used in error messages.
    pub name: String,
    /// The IANA zone all local times are read in.
    pub tz: Tz,
    /// Open intervals for each weekday, Monday first.
    pub week: [Vec<OpenInterval>; 7],
    /// Dates closed all day.
    pub holidays: Vec<NaiveDate>,
    /// Dates open with their own hours (make-up working days), overriding the weekday.
    pub workdays: Vec<(NaiveDate, Vec<OpenInterval>)>,
    /// The first and last date the calendar is defined for, when it declares them.
    pub valid: Option<(NaiveDate, NaiveDate)>,
    /// Days closed every year, as inclusive ranges of (month, day) within one year.
    pub yearly: Vec<((u32, u32), (u32, u32))>,
}

impl CalendarSpec {
    /// A calendar in `tz` that is closed every day until open hours are added.
    pub fn new(name: impl Into<String>, tz: Tz) -> Self {
        CalendarSpec {
            name: name.into(),
            tz,
            week: Default::default(),
            holidays: Vec::new(),
            workdays: Vec::new(),
            valid: None,
            yearly: Vec::new(),
        }
    }

    /// Sets the same open intervals on every day from `first` to `last` (inclusive, Monday first).
    pub fn open(mut self, first: Weekday, last: Weekday, hours: &[OpenInterval]) -> Self {
        let (a, b) = (
            first.num_days_from_monday() as usize,
            last.num_days_from_monday() as usize,
        );
        for day in a..=b {
            self.week[day] = hours.to_vec();
        }
        self
    }
}

/// Where in a [`CalendarSpec`] a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecPlace {
    /// The hours of a weekday.
    Week(Weekday),
    /// The hours of the extra working day at this index of `workdays`.
    Workday(usize),
}

/// A calendar that cannot be built, with the place in the spec that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// An interval whose end is not after its start, or past 24:00.
    #[error("open interval `{interval}` is empty, reversed or past 24:00")]
    BadInterval {
        /// Where the interval is.
        place: SpecPlace,
        /// Its index in that day's list.
        index: usize,
        /// The interval.
        interval: OpenInterval,
    },
    /// Two intervals of one day share open time.
    #[error("open intervals `{first}` and `{second}` overlap")]
    Overlap {
        /// Where the day is.
        place: SpecPlace,
        /// Index of the later interval in that day's list.
        index: usize,
        /// The earlier interval.
        first: OpenInterval,
        /// The later interval.
        second: OpenInterval,
    },
    /// The valid range ends before it starts.
    #[error("valid range {0}..{1} ends before it starts")]
    ReversedRange(NaiveDate, NaiveDate),
    /// A date is both a holiday and an extra working day.
    #[error("{date} is both a holiday and a working day")]
    HolidayAndWorkday {
        /// The date.
        date: NaiveDate,
        /// Index of the workday in `workdays`.
        workday: usize,
    },
    /// The same extra working day is declared twice.
    #[error("working day {date} is declared twice")]
    DuplicateWorkday {
        /// The date.
        date: NaiveDate,
        /// Index of the second declaration in `workdays`.
        workday: usize,
    },
}

/// A validated calendar. Business-time questions are answered in `clock.rs`; a per-year index
/// of open intervals is built the first time a year is needed and kept.
#[derive(Debug)]
pub struct Calendar {
    pub(crate) spec: CalendarSpec,
    pub(crate) holidays: Vec<NaiveDate>,
    pub(crate) workdays: Vec<(NaiveDate, Vec<OpenInterval>)>,
    pub(crate) first_year: i32,
    pub(crate) last_year: i32,
    pub(crate) years: Box<[OnceLock<YearIndex>]>,
    /// `year_starts[k]`: the UTC instant at which local year `first_year + k` begins (or the
    /// valid range does); one longer than the years (the last is the end of coverage).
    pub(crate) year_starts: Box<[i64]>,
    /// A number no other calendar of this process has, so that per-thread memos of lookups
    /// (`clock.rs`) can tell calendars apart.
    pub(crate) id: u64,
}

/// The next calendar's `id`; 0 is never given out (an empty memo slot).
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Clone for Calendar {
    fn clone(&self) -> Self {
        // The index is a cache: a clone rebuilds it on demand.
        Calendar::from_valid_spec(self.spec.clone())
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for Calendar {}

impl Calendar {
    /// Validates `spec` and returns the calendar, or every problem found.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use charter::time::{Calendar, CalendarSpec, OpenInterval};
    /// // Closing before opening is refused, and the error says where.
    /// let spec = CalendarSpec::new("night", chrono_tz::UTC)
    ///     .open(Weekday::Mon, Weekday::Mon, &[OpenInterval::new(18 * 60, 9 * 60)]);
    /// let errors = Calendar::new(spec).unwrap_err();
    /// assert_eq!(errors.len(), 1);
    /// ```
    pub fn new(spec: CalendarSpec) -> Result<Calendar, Vec<SpecError>> {
        let errors = validate(&spec);
        if errors.is_empty() {
            Ok(Calendar::from_valid_spec(spec))
        } else {
            Err(errors)
        }
    }

    /// A calendar with no open time at all, for elapsed-time arithmetic in a zone (`N minutes`,
    /// `N days`) where no business calendar applies. Always valid.
    pub fn closed(name: impl Into<String>, tz: Tz) -> Calendar {
        Calendar::from_valid_spec(CalendarSpec::new(name, tz))
    }

    fn from_valid_spec(spec: CalendarSpec) -> Calendar {
        let mut holidays = spec.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let mut workdays = spec.workdays.clone();
        workdays.sort_by_key(|(date, _)| *date);
        let (first_year, last_year) = match spec.valid {
            Some((lo, hi)) => (lo.year().max(MIN_YEAR), hi.year().min(MAX_YEAR)),
            None => (MIN_YEAR, MAX_YEAR),
        };
        let count = usize::try_from(last_year - first_year + 1).unwrap_or(0);
        let years = (0..count).map(|_| OnceLock::new()).collect();
        let tz = spec.tz;
        let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
        let mut year_starts: Vec<i64> = (first_year..=last_year)
            .map(|y| resolve_local(tz, jan1(y), 0))
            .collect();
        let end = match spec.valid {
            Some((lo, hi)) => {
                if let Some(first) = year_starts.first_mut() {
                    *first = resolve_local(tz, lo.max(jan1(first_year)), 0);
                }
                resolve_local(tz, hi, 1440)
            }
            None => resolve_local(
                tz,
                NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap_or(NaiveDate::MAX),
                1440,
            ),
        };
        year_starts.push(end);
        Calendar {
            spec,
            holidays,
            workdays,
            first_year,
            last_year,
            years,
            year_starts: year_starts.into_boxed_slice(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The calendar's time zone.
    pub fn tz(&self) -> Tz {
        self.spec.tz
    }

    /// The definition the calendar was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// The declared valid range, if any.
    pub fn valid_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.spec.valid
    }

    /// The open intervals of a local date, holidays, extra working days and yearly holidays
    /// applied (a dated working day wins over a yearly holiday).
    pub fn hours_on(&self, date: NaiveDate) -> &[OpenInterval] {
        if self.holidays.binary_search(&date).is_ok() {
            return &[];
        }
        if let Ok(i) = self.workdays.binary_search_by_key(&date, |(d, _)| *d) {
            return &self.workdays[i].1;
        }
        let day = (date.month(), date.day());
        if self.spec.yearly.iter().any(|&(a, b)| a <= day && day <= b) {
            return &[];
        }
        &self.spec.week[date.weekday().num_days_from_monday() as usize]
    }

    /// The same calendar without its valid range, for provisional answers past it: the
    /// weekly hours and the yearly holidays (dated holidays and working days stay where they
    /// are, all inside the range). `None` when the calendar declares no range.
    pub fn beyond_valid(&self) -> Option<Calendar> {
        self.spec.valid?;
        let mut spec = self.spec.clone();
        spec.valid = None;
        Some(Calendar::from_valid_spec(spec))
    }

    /// Whether the calendar computes on `date`: inside its valid range, and inside the
    /// years charter computes at all ([`MIN_YEAR`] to [`MAX_YEAR`]).
    pub fn covers(&self, date: NaiveDate) -> bool {
        let (first, last) = self.coverage();
        first <= date && date <= last
    }

    /// The first and last date the calendar computes on: its valid range within the years
    /// charter computes.
    pub fn coverage(&self) -> (NaiveDate, NaiveDate) {
        let (min, max) = supported_range();
        match self.spec.valid {
            Some((lo, hi)) => (lo.max(min), hi.min(max)),
            None => (min, max),
        }
    }
}

fn validate(spec: &CalendarSpec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for day in 0..7u8 {
        let weekday = Weekday::try_from(day).unwrap_or(Weekday::Mon);
        check_day(
            SpecPlace::Week(weekday),
            &spec.week[usize::from(day)],
            &mut errors,
        );
    }
    let mut seen: Vec<NaiveDate> = Vec::new();
    for (i, (date, hours)) in spec.workdays.iter().enumerate() {
        check_day(SpecPlace::Workday(i), hours, &mut errors);
        if spec.holidays.contains(date) {
            errors.push(SpecError::HolidayAndWorkday {
                date: *date,
                workday: i,
            });
        }
        if seen.contains(date) {
            errors.push(SpecError::DuplicateWorkday {
                date: *date,
                workday: i,
            });
        }
        seen.push(*date);
    }
    if let Some((lo, hi)) = spec.valid
        && hi < lo
    {
        errors.push(SpecError::ReversedRange(lo, hi));
    }
    errors
}

fn check_day(place: SpecPlace, hours: &[OpenInterval], errors: &mut Vec<SpecError>) {
    for (index, interval) in hours.iter().enumerate() {
        if interval.start >= interval.end || interval.end > 1440 {
            errors.push(SpecError::BadInterval {
                place,
                index,
                interval: *interval,
            });
        }
    }
    let mut sorted: Vec<(usize, OpenInterval)> = hours.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(_, iv)| iv.start);
    for pair in sorted.windows(2) {
        let ((_, first), (index, second)) = (pair[0], pair[1]);
        if second.start < first.end {
            errors.push(SpecError::Overlap {
                place,
                index,
                first,
                second,
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn new_year_agrees_with_chrono() {
        for year in 1601..=2600 {
            let day = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            assert_eq!(
                new_year(i64::from(year)),
                (day - epoch).num_days(),
                "{year}"
            );
        }
    }
}
