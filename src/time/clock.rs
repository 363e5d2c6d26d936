//! Business-time arithmetic on a [`Calendar`]: adding spans, measuring clock time between two
//! instants, and deadlines with pauses. Instants are UTC seconds (`i64`); see `mod.rs` for the
//! `DateTime` front door.

use std::cell::Cell;

use chrono::{Datelike, Days, NaiveDate};

use crate::time::calendar::Calendar;
use crate::time::index::{YearIndex, local_date, resolve_local};
use crate::time::span::{Clock, Span, Unit};

/// Why a business-time computation has no answer.
///
/// ```
/// use chrono::NaiveDate;
/// use charter::time::{Calendar, CalendarSpec, TimeError};
/// let mut spec = CalendarSpec::new("short", chrono_tz::UTC);
/// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("a date");
/// spec.valid = Some((day(1, 1)?, day(1, 31)?));
/// let calendar = Calendar::new(spec).map_err(|e| format!("{e:?}"))?;
/// let from = charter::decide::Timestamp::parse("2026-01-10T09:00:00Z")?.secs;
/// // Forty days from 10 January need February, which the calendar does not cover.
/// let error = calendar.add(from, "40 days".parse()?).unwrap_err();
/// assert!(matches!(error, TimeError::OutOfRange(_)));
/// assert!(error.to_string().contains("extend the calendar's `valid` range"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The computation needs a date the calendar does not cover.
    #[error(
        "calendar `{}` covers {} to {}, but this computation reaches {}; extend the calendar's `valid` range (and its holidays) to cover it (charter computes from 1900-01-01 to 2199-12-31)",
        .0.calendar, .0.first, .0.last, .0.date
    )]
    OutOfRange(Box<OutOfRange>),
    /// Working time never passes on this calendar.
    #[error(
        "calendar `{}` has no open time after {}, so a working-time deadline is never reached; give it open hours",
        .0.calendar, .0.date
    )]
    NeverOpen(Box<NeverOpen>),
}

/// Details of [`TimeError::OutOfRange`] (boxed: every business-time answer is a `Result`, and
/// a small error keeps the answers in registers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    /// The calendar's name.
    pub calendar: String,
    /// First covered date.
    pub first: NaiveDate,
    /// Last covered date.
    pub last: NaiveDate,
    /// The date the computation needed.
    pub date: NaiveDate,
}

/// Details of [`TimeError::NeverOpen`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverOpen {
    /// The calendar's name.
    pub calendar: String,
    /// The date from which it is closed.
    pub date: NaiveDate,
}

/// A span of time during which a target's clock is stopped: from `from` until `to`
/// (`None`: not resumed yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// When the clock stopped (UTC seconds).
    pub from: i64,
    /// When it started again, if it has.
    pub to: Option<i64>,
}

/// One remembered lookup: on calendar `calendar`, instant `t` lies in local `year`, with `open`
/// seconds of that year's open time before it and `hint` the first interval ending after it.
#[derive(Clone, Copy)]
struct Seen {
    calendar: u64,
    t: i64,
    year: i32,
    hint: u32,
    open: i64,
}

/// Slots of the memo (a power of two).
const SEEN_SLOTS: usize = 32;

thread_local! {
    /// The last lookups of this thread, by instant. Deciding one case asks for the open time
    /// before the same few instants (the receipt, `now`, the deadlines) a dozen times or more.
    /// Calendars never change once built, so a remembered answer stays true.
    static SEEN: [Cell<Seen>; SEEN_SLOTS] = const {
        [const { Cell::new(Seen { calendar: 0, t: 0, year: 0, hint: 0, open: 0 }) }; SEEN_SLOTS]
    };
}

/// The local year of a calendar that a lookup last found, and the instants its index holds.
#[derive(Clone, Copy)]
struct LastYear {
    calendar: u64,
    from: i64,
    to: i64,
    year: i32,
}

thread_local! {
    /// The year this thread last looked up: a case's instants (its receipt, events, deadlines
    /// and `now`) mostly lie in one year.
    static LAST_YEAR: Cell<LastYear> = const {
        Cell::new(LastYear { calendar: 0, from: 0, to: 0, year: 0 })
    };
}

fn seen_slot(t: i64) -> usize {
    ((t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize % SEEN_SLOTS
}

impl Calendar {
    /// The year of `t`, its index, the open seconds of that year before `t` and the first
    /// interval ending after it, remembered per thread. Inlined into the start of a clock,
    /// which asks it: with the year remembered too, the call had come to cost more than the
    /// lookup (`benches/instructions.sh`).
    #[inline(always)]
    fn open_at(&self, t: i64) -> Result<(i32, &YearIndex, i64, usize), TimeError> {
        let slot = seen_slot(t);
        let hit = SEEN.with(|seen| {
            let s = seen[slot].get();
            (s.calendar == self.id && s.t == t).then_some(s)
        });
        if let Some(s) = hit
            && let Some(index) = self.year(s.year)
        {
            return Ok((s.year, index, s.open, s.hint as usize));
        }
        let (year, index) = self.year_of(t)?;
        let (open, hint) = index.open_before_at(t);
        self.remember(slot, year, t, open, hint);
        Ok((year, index, open, hint))
    }

    /// The open seconds of `year` (whose index is `index`) before `t`, which that year holds,
    /// and the first interval ending after it, remembered per thread.
    #[inline]
    fn open_in(&self, year: i32, index: &YearIndex, t: i64) -> (i64, usize) {
        let slot = seen_slot(t);
        let hit = SEEN.with(|seen| {
            let s = seen[slot].get();
            (s.calendar == self.id && s.t == t && s.year == year).then_some(s)
        });
        if let Some(s) = hit {
            return (s.open, s.hint as usize);
        }
        let (open, hint) = index.open_before_at(t);
        self.remember(slot, year, t, open, hint);
        (open, hint)
    }

    /// Remembers in `slot` of this thread's memo that `t` lies in `year`, after `open` seconds
    /// of its open time and before interval `hint`.
    fn remember(&self, slot: usize, year: i32, t: i64, open: i64, hint: usize) {
        SEEN.with(|seen| {
            seen[slot].set(Seen {
                calendar: self.id,
                t,
                year,
                hint: u32::try_from(hint).unwrap_or(u32::MAX),
                open,
            })
        });
    }

    fn out_of_range(&self, date: NaiveDate) -> TimeError {
        let (first, last) = self.coverage();
        TimeError::OutOfRange(Box::new(OutOfRange {
            calendar: self.name().to_string(),
            first,
            last,
            date,
        }))
    }

    /// The index of `year`, which a computation has run into from the year before it, or the
    /// error of running past the last year the calendar covers.
    /// The index of `year`, which a search for more open time has reached: an error when the
    /// calendar covers no more years, or has no open time in it or after (a week without
    /// hours, its made-up working days all past), so that the search does not go on to the
    /// end of the range only to report it out of range.
    fn next_year(&self, year: i32) -> Result<&YearIndex, TimeError> {
        if self.spec.week.iter().all(|day| day.is_empty()) {
            let last = self
                .workdays
                .iter()
                .rev()
                .find(|(_, hours)| !hours.is_empty());
            let since = match last {
                Some((date, _)) if date.year() >= year => None,
                Some(&(date, _)) => Some(date),
                None => NaiveDate::from_ymd_opt(self.first_year, 1, 1),
            };
            if let Some(date) = since {
                return Err(TimeError::NeverOpen(Box::new(NeverOpen {
                    calendar: self.name().to_string(),
                    date,
                })));
            }
        }
        self.year(year)
            .ok_or_else(|| self.out_of_range(self.last_date().succ_opt().unwrap_or(NaiveDate::MAX)))
    }

    fn year(&self, year: i32) -> Option<&YearIndex> {
        let slot = usize::try_from(year - self.first_year).ok()?;
        let cell = self.years.get(slot)?;
        Some(cell.get_or_init(|| YearIndex::build(self, year)))
    }

    /// The local year of `t` and its index: the year last found when it holds `t`, or else
    /// searched for.
    #[inline]
    fn year_of(&self, t: i64) -> Result<(i32, &YearIndex), TimeError> {
        let last = LAST_YEAR.with(Cell::get);
        if last.calendar == self.id
            && last.from <= t
            && t < last.to
            && let Some(index) = self.year(last.year)
        {
            return Ok((last.year, index));
        }
        let (year, index) = self.find_year(t)?;
        let (from, to) = index.bounds();
        LAST_YEAR.with(|last| {
            last.set(LastYear {
                calendar: self.id,
                from,
                to,
                year,
            })
        });
        Ok((year, index))
    }

    /// [`Calendar::year_of`] when the year last found does not hold `t`.
    #[inline(never)]
    fn find_year(&self, t: i64) -> Result<(i32, &YearIndex), TimeError> {
        // Fast path: the local year from the precomputed UTC year boundaries, guessed from the
        // mean length of a year and corrected by a step at most.
        let starts = &self.year_starts;
        if let (Some(&first), Some(&end)) = (starts.first(), starts.last())
            && first <= t
            && t < end
        {
            let years = starts.len() - 1;
            let mut k = usize::try_from((t - first) / 31_556_952)
                .unwrap_or(0)
                .min(years.saturating_sub(1));
            while k > 0 && starts[k] > t {
                k -= 1;
            }
            while k + 1 < years && starts[k + 1] <= t {
                k += 1;
            }
            let year = self.first_year + k as i32;
            if let Some(index) = self.year(year) {
                return Ok((year, index));
            }
        }
        self.year_of_slow(t)
    }

    /// [`Calendar::year_of`] outside the precomputed years: by a date conversion, or an error.
    #[cold]
    #[inline(never)]
    fn year_of_slow(&self, t: i64) -> Result<(i32, &YearIndex), TimeError> {
        let date = local_date(self.tz(), t);
        if !self.covers(date) {
            return Err(self.out_of_range(date));
        }
        let year = date.year();
        self.year(year)
            .map(|index| (year, index))
            .ok_or_else(|| self.out_of_range(date))
    }

    fn has_open_time(&self) -> bool {
        self.spec.week.iter().any(|day| !day.is_empty()) || !self.workdays.is_empty()
    }

    fn never_open(&self, t: i64) -> TimeError {
        TimeError::NeverOpen(Box::new(NeverOpen {
            calendar: self.name().to_string(),
            date: local_date(self.tz(), t),
        }))
    }

    /// The last date the index can reach, for error messages.
    fn last_date(&self) -> NaiveDate {
        match self.valid_range() {
            Some((_, hi)) => hi,
            None => NaiveDate::from_ymd_opt(self.last_year, 12, 31).unwrap_or(NaiveDate::MAX),
        }
    }

    /// Open seconds between `a` and `b` (zero when `b <= a`).
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
    /// // From Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday.
    /// let open = office.open_between(at("2026-11-20T17:00:00+08:00")?, at("2026-11-23T10:00:00+08:00")?)?;
    /// assert_eq!(open, 2 * 3600);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_between(&self, a: i64, b: i64) -> Result<i64, TimeError> {
        self.start_at(a).open_until(b)
    }

    /// The earliest instant at which `secs` open seconds have passed since `from`. A start
    /// outside open time counts from the next opening; a result on a closing time stays there.
    pub fn add_open(&self, from: i64, secs: i64) -> Result<i64, TimeError> {
        self.start_at(from).add_open(secs)
    }

    /// The close of business of the `n`-th working day after the local day of `from`
    /// (the day of `from` never counts). `n = 0` is `from` itself.
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
    /// // The day of receipt does not count: five working days from a Friday end next Friday.
    /// let due = office.add_working_days(at("2026-11-20T10:00:00+08:00")?, 5)?;
    /// assert_eq!(office.format(due), "2026-11-27T18:00:00+08:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_working_days(&self, from: i64, n: u32) -> Result<i64, TimeError> {
        self.start_at(from)
            .working_days(n, false)
            .map(|(close, _)| close)
    }

    /// The end (24:00 local) of the `n`-th calendar day after the local day of `from`.
    pub fn add_calendar_days(&self, from: i64, n: u32) -> Result<i64, TimeError> {
        let date = match self.year_of(from) {
            Ok((_, index)) => index
                .first_day
                .checked_add_days(Days::new(u64::from(index.day_of(from))))
                .unwrap_or(index.first_day),
            Err(_) => local_date(self.tz(), from),
        };
        let last = date
            .checked_add_days(Days::new(u64::from(n)))
            .ok_or_else(|| self.out_of_range(date))?;
        for day in [date, last] {
            if !self.covers(day) {
                return Err(self.out_of_range(day));
            }
        }
        Ok(resolve_local(self.tz(), last, 1440))
    }

    /// `from` advanced by `span`, by the business-time rules.
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
    /// let from = at("2026-11-20T11:30:00+08:00")?;
    /// // Working time skips lunch; elapsed time does not.
    /// assert_eq!(office.format(office.add(from, "1 working hour".parse()?)?), "2026-11-20T14:00:00+08:00");
    /// assert_eq!(office.format(office.add(from, "1 hour".parse()?)?), "2026-11-20T12:30:00+08:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(&self, from: i64, span: Span) -> Result<i64, TimeError> {
        let amount = i64::from(span.amount);
        match span.unit {
            Unit::Minutes => self.elapsed(from, amount * 60),
            Unit::Hours => self.elapsed(from, amount * 3600),
            Unit::Days => self.add_calendar_days(from, span.amount),
            Unit::Weeks => self.add_calendar_days(from, span.amount.saturating_mul(7)),
            Unit::WorkingMinutes => self.add_open(from, amount * 60),
            Unit::WorkingHours => self.add_open(from, amount * 3600),
            Unit::WorkingDays => self.add_working_days(from, span.amount),
        }
    }

    /// `from` plus `secs` of elapsed time, which needs no calendar but must stay within the
    /// years charter computes (1900 to 2199, the zone's offset aside).
    fn elapsed(&self, from: i64, secs: i64) -> Result<i64, TimeError> {
        const DAY: i64 = 86_400;
        let t = from.saturating_add(secs);
        if (crate::time::YEARS.start - DAY..crate::time::YEARS.end + DAY).contains(&t) {
            Ok(t)
        } else {
            Err(self.out_of_range(local_date(self.tz(), t)))
        }
    }

    /// `span` counted from a deadline (an `at breach + D` step, an extension): as
    /// [`Calendar::add`], except that a deadline at 24:00, which is also 00:00 of the next
    /// day, counts days from the day it ends, as "24:00 on Wednesday" reads.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use charter::time::{Calendar, CalendarSpec, OpenInterval};
    /// let office = Calendar::new(CalendarSpec::new("office", chrono_tz::Asia::Shanghai).open(
    ///     Weekday::Mon,
    ///     Weekday::Fri,
    ///     &[OpenInterval::new(9 * 60, 18 * 60)],
    /// ))
    /// .map_err(|e| format!("{e:?}"))?;
    /// let at = |text: &str| charter::decide::Timestamp::parse(text).map(|t| t.secs);
    /// // A deadline at 24:00 on Wednesday 18 March 2026.
    /// let deadline = at("2026-03-19T00:00:00+08:00")?;
    /// let next = office.add_after(deadline, "1 working day".parse()?)?;
    /// assert_eq!(office.format(next), "2026-03-19T18:00:00+08:00");
    /// assert_eq!(office.format(office.add_after(deadline, "2 days".parse()?)?), "2026-03-21T00:00:00+08:00");
    /// // A case received at that instant is received on Thursday, which does not count.
    /// assert_eq!(office.format(office.add(deadline, "1 working day".parse()?)?), "2026-03-20T18:00:00+08:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn add_after(&self, deadline: i64, span: Span) -> Result<i64, TimeError> {
        // From the last second of the day the deadline ends. Working days are counted from
        // the day `from` lies in, whatever its time: one second before any deadline that is
        // not a midnight lies in the deadline's own day, so it needs no test. (None of them
        // is the deadline itself.)
        let from = match span.unit {
            Unit::WorkingDays if span.amount > 0 => deadline - 1,
            Unit::Days | Unit::Weeks => deadline - i64::from(self.is_midnight(deadline)),
            _ => deadline,
        };
        self.add(from, span)
    }

    /// Whether `t` is a local midnight, where one day ends and the next begins.
    fn is_midnight(&self, t: i64) -> bool {
        self.year_of(t)
            .is_ok_and(|(_, index)| index.day_starts.get(index.day_of(t) as usize) == Some(&t))
    }

    /// Seconds `clock` counts between `a` and `b` (zero when `b <= a`).
    pub fn clock_between(&self, clock: Clock, a: i64, b: i64) -> Result<i64, TimeError> {
        self.start_at(a).clock_until(clock, b)
    }

    /// The earliest instant at which `clock` has counted `secs` since `from`.
    pub fn clock_add(&self, clock: Clock, from: i64, secs: i64) -> Result<i64, TimeError> {
        self.start_at(from).clock_add(clock, secs)
    }

    /// The budget of a target: the clock time from `start` to its un-paused deadline.
    pub fn budget(&self, start: i64, span: Span) -> Result<i64, TimeError> {
        match span.fixed_seconds() {
            Some(secs) => Ok(secs),
            None => {
                let deadline = self.add(start, span)?;
                self.clock_between(span.clock(), start, deadline)
            }
        }
    }

    /// The un-paused deadline of `span` from `start`, and its budget (the clock time between
    /// them): [`Calendar::add`] and [`Calendar::budget`] in one pass.
    pub fn deadline_and_budget(&self, start: i64, span: Span) -> Result<(i64, i64), TimeError> {
        self.start_at(start).deadline_and_budget(span)
    }

    /// The instant at which `clock`, started at `start` and stopped during `pauses`, has
    /// counted `budget` seconds; `None` while a pause that would hold it is not resumed.
    /// `pauses` must be sorted by `from` and must not overlap.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use charter::time::{Calendar, CalendarSpec, Clock, OpenInterval, Pause};
    /// // Monday to Friday, 09:00-12:00 and 13:30-18:00, in Shanghai.
    /// let office = Calendar::new(CalendarSpec::new("office", chrono_tz::Asia::Shanghai).open(
    ///     Weekday::Mon,
    ///     Weekday::Fri,
    ///     &[OpenInterval::new(9 * 60, 12 * 60), OpenInterval::new(13 * 60 + 30, 18 * 60)],
    /// ))
    /// .map_err(|e| format!("{e:?}"))?;
    /// let at = |text: &str| charter::decide::Timestamp::parse(text).map(|t| t.secs);
    /// let start = at("2026-11-23T09:00:00+08:00")?;
    /// // One working day from Monday morning is due at Tuesday's close (the day of the start
    /// // does not count); paused for the whole of Tuesday, it is due at Wednesday's close.
    /// let pause = Pause { from: at("2026-11-24T00:00:00+08:00")?, to: Some(at("2026-11-25T00:00:00+08:00")?) };
    /// let budget = office.budget(start, "1 working day".parse()?)?;
    /// let due = office.reach(Clock::Working, start, budget, &[pause])?.ok_or("a resumed pause")?;
    /// assert_eq!(office.format(due), "2026-11-25T18:00:00+08:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reach(
        &self,
        clock: Clock,
        start: i64,
        budget: i64,
        pauses: &[Pause],
    ) -> Result<Option<i64>, TimeError> {
        self.start_at(start).reach(clock, budget, pauses)
    }

    /// Clock time counted from `start` to `now`, pauses excluded.
    pub fn consumed(
        &self,
        clock: Clock,
        start: i64,
        now: i64,
        pauses: &[Pause],
    ) -> Result<i64, TimeError> {
        self.start_at(start).consumed(clock, now, pauses)
    }

    /// A clock started at `start` on this calendar, for asking several questions from the
    /// same start.
    pub fn start_at(&self, start: i64) -> Started<'_> {
        Started {
            calendar: self,
            start,
            mark: None,
        }
    }

    /// `t` as RFC 3339 in the calendar's zone.
    pub fn format(&self, t: i64) -> String {
        match chrono::DateTime::from_timestamp(t, 0) {
            Some(utc) => utc.with_timezone(&self.tz()).to_rfc3339(),
            None => t.to_string(),
        }
    }
}

/// Where an instant lies in a calendar's index: its local year, that year's index, the open
/// seconds of the year before it and the first interval ending after it.
#[derive(Debug, Clone, Copy)]
struct Mark<'c> {
    year: i32,
    index: &'c YearIndex,
    open: i64,
    hint: usize,
}

/// A clock started at one instant on one calendar ([`Calendar::start_at`]). A target asks
/// several questions from its start (its deadline and budget, the time it has used, when it
/// reaches each escalation step): the start is looked up in the calendar's index once, when
/// first needed, and the answers are those of the [`Calendar`] methods of the same names.
#[derive(Debug, Clone, Copy)]
pub struct Started<'c> {
    calendar: &'c Calendar,
    start: i64,
    mark: Option<Mark<'c>>,
}

impl<'c> Started<'c> {
    /// The start.
    pub fn start(&self) -> i64 {
        self.start
    }

    #[inline]
    fn mark(&mut self) -> Result<Mark<'c>, TimeError> {
        match self.mark {
            Some(mark) => Ok(mark),
            None => self.find_mark(),
        }
    }

    // `find_mark`, `open_until`, `clock_until`, `add_open`, `working_days`,
    // `deadline_and_budget` and `consumed` are inlined into their callers: deciding a case
    // asks a dozen such questions, each a few loads from the index, and the saving and
    // restoring of registers around their calls was some 4 % of the instructions of a
    // decision (`benches/instructions.sh`).
    #[inline(always)]
    fn find_mark(&mut self) -> Result<Mark<'c>, TimeError> {
        let (year, index, open, hint) = self.calendar.open_at(self.start)?;
        let mark = Mark {
            year,
            index,
            open,
            hint,
        };
        self.mark = Some(mark);
        Ok(mark)
    }

    /// Open seconds from the start to `b` (zero when `b` is not after it).
    #[inline(always)]
    pub fn open_until(&mut self, b: i64) -> Result<i64, TimeError> {
        let (cal, a) = (self.calendar, self.start);
        if b <= a {
            return Ok(0);
        }
        let Mark {
            year: year_a,
            index,
            open: open_a,
            ..
        } = self.mark()?;
        let end = index.bounds().1;
        if b < end {
            return Ok(cal.open_in(year_a, index, b).0 - open_a);
        }
        if b == end {
            return Ok(index.total_open() - open_a);
        }
        // `b` may be the midnight that ends the last covered day.
        let (year_b, _) = cal.year_of(b - 1)?;
        let mut open = 0;
        for year in year_a..=year_b {
            if let Some(index) = cal.year(year) {
                open += index.open_before(b) - index.open_before(a);
            }
        }
        Ok(open)
    }

    /// The earliest instant at which `secs` open seconds have passed since the start.
    #[inline]
    pub fn add_open(&mut self, secs: i64) -> Result<i64, TimeError> {
        let cal = self.calendar;
        if secs <= 0 {
            return Ok(self.start);
        }
        if !cal.has_open_time() {
            return Err(cal.never_open(self.start));
        }
        let Mark {
            mut year,
            mut index,
            open: before,
            mut hint,
        } = self.mark()?;
        let mut wanted = before + secs;
        loop {
            if wanted <= index.total_open() {
                return Ok(index.instant_of_open(wanted, hint));
            }
            wanted -= index.total_open();
            hint = 0;
            year += 1;
            index = cal.next_year(year)?;
        }
    }

    /// [`Calendar::add_working_days`] from the start, and with `budget` the open seconds from
    /// the start to the close it reaches, read from the index instead of searched for.
    #[inline]
    fn working_days(&mut self, n: u32, budget: bool) -> Result<(i64, i64), TimeError> {
        let (cal, from) = (self.calendar, self.start);
        if n == 0 {
            return Ok((from, 0));
        }
        if !cal.has_open_time() {
            return Err(cal.never_open(from));
        }
        // Open seconds from `from` to the start of the year being searched (negative: `from`
        // is inside it).
        // The year is found with the open time before `from` when that is known or wanted.
        let (mut year, mut index, mut open) = if budget || self.mark.is_some() {
            let mark = self.mark()?;
            (mark.year, mark.index, -mark.open)
        } else {
            let (year, index) = cal.year_of(from)?;
            (year, index, 0)
        };
        let day = index.day_of(from);
        // Working days up to and including the start's day do not count.
        let mut skip = index.working_upto[day as usize + 1] as usize;
        let mut n = n as usize;
        loop {
            let ordinal = skip + n - 1;
            if let (Some(&close), Some(&before)) =
                (index.closes.get(ordinal), index.close_open.get(ordinal))
            {
                return Ok((close, open + before));
            }
            open += index.total_open();
            n -= index.closes.len() - skip;
            skip = 0;
            year += 1;
            index = cal.next_year(year)?;
        }
    }

    /// Seconds `clock` counts from the start to `b`.
    #[inline(always)]
    pub fn clock_until(&mut self, clock: Clock, b: i64) -> Result<i64, TimeError> {
        match clock {
            Clock::Elapsed => Ok((b - self.start).max(0)),
            Clock::Working => self.open_until(b),
        }
    }

    /// The earliest instant at which `clock` has counted `secs` since the start.
    pub fn clock_add(&mut self, clock: Clock, secs: i64) -> Result<i64, TimeError> {
        match clock {
            Clock::Elapsed => Ok(self.start + secs.max(0)),
            Clock::Working => self.add_open(secs),
        }
    }

    /// [`Calendar::deadline_and_budget`] from the start.
    #[inline(always)]
    pub fn deadline_and_budget(&mut self, span: Span) -> Result<(i64, i64), TimeError> {
        let (cal, start) = (self.calendar, self.start);
        match (span.fixed_seconds(), span.clock()) {
            (Some(secs), Clock::Elapsed) => Ok((start + secs, secs)),
            (Some(secs), Clock::Working) => Ok((self.add_open(secs)?, secs)),
            (None, Clock::Working) if span.unit == Unit::WorkingDays => {
                self.working_days(span.amount, true)
            }
            (None, clock) => {
                let deadline = cal.add(start, span)?;
                Ok((deadline, self.clock_until(clock, deadline)?))
            }
        }
    }

    /// [`Calendar::reach`] from the start.
    pub fn reach(
        &mut self,
        clock: Clock,
        budget: i64,
        pauses: &[Pause],
    ) -> Result<Option<i64>, TimeError> {
        if pauses.is_empty() {
            return self.clock_add(clock, budget).map(Some);
        }
        let cal = self.calendar;
        let mut remaining = budget;
        // The clock runs from the start, then from the end of each pause it has waited out.
        let mut resumed: Option<Started<'c>> = None;
        for pause in pauses {
            let from = match &mut resumed {
                Some(resumed) => resumed,
                None => &mut *self,
            };
            if pause.to.is_some_and(|to| to <= from.start) {
                continue;
            }
            let segment_end = pause.from.max(from.start);
            let available = from.clock_until(clock, segment_end)?;
            if remaining <= available {
                return from.clock_add(clock, remaining).map(Some);
            }
            remaining -= available;
            match pause.to {
                Some(to) => resumed = Some(cal.start_at(to)),
                None => return Ok(None),
            }
        }
        let from = match &mut resumed {
            Some(resumed) => resumed,
            None => self,
        };
        from.clock_add(clock, remaining).map(Some)
    }

    /// [`Calendar::consumed`] from the start to `now`.
    #[inline(always)]
    pub fn consumed(&mut self, clock: Clock, now: i64, pauses: &[Pause]) -> Result<i64, TimeError> {
        let cal = self.calendar;
        let start = self.start;
        let mut total = self.clock_until(clock, now)?;
        for pause in pauses {
            let from = pause.from.max(start);
            let to = pause.to.unwrap_or(now).min(now);
            total -= cal.clock_between(clock, from, to)?;
        }
        Ok(total.max(0))
    }
}

/// Sorts pauses and merges overlapping ones, so that [`Calendar::reach`] can use them.
pub fn normalise_pauses(mut pauses: Vec<Pause>) -> Vec<Pause> {
    pauses.sort_by_key(|p| p.from);
    let mut merged: Vec<Pause> = Vec::with_capacity(pauses.len());
    for pause in pauses {
        if let Some(last) = merged.last_mut() {
            match last.to {
                None => continue,
                Some(to) if pause.from <= to => {
                    last.to = pause.to.map(|t| t.max(to));
                    continue;
                }
                Some(_) => {}
            }
        }
        merged.push(pause);
    }
    merged
}
