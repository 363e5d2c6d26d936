//! The per-year index behind the arithmetic: every open interval of one local year as UTC
//! seconds, sorted, with prefix sums of open time and the ordinal of every working day.
//!
//! Local times are turned into instants by one rule, [`resolve_local`]: an ambiguous local time
//! (a DST fall-back) is its earliest instant; a local time that does not exist (a DST
//! spring-forward gap) is the first instant after the gap.

use chrono::{Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::time::calendar::Calendar;

/// One local year of a calendar, ready for binary search.
#[derive(Debug)]
pub(crate) struct YearIndex {
    /// The first local date the index holds (1 January, or the start of the valid range).
    pub first_day: NaiveDate,
    /// How many days the index holds.
    pub days: u32,
    /// Every day of the index is 86,400 seconds long (no DST change), so the day of an
    /// instant is a division.
    pub even_days: bool,
    /// Open intervals `[start, end)` in UTC seconds, sorted and disjoint.
    pub intervals: Vec<(i64, i64)>,
    /// `prefix[i]`: open seconds in `intervals[..i]`; one longer than `intervals`.
    pub prefix: Vec<i64>,
    /// `day_first[k]`: the index of the first interval of local day `k`; one longer than the
    /// days (the last is the number of intervals).
    pub day_first: Vec<u32>,
    /// The close of business (end of the last interval) of each working day, in order.
    pub closes: Vec<i64>,
    /// `close_open[k]`: open seconds of the year before `closes[k]`.
    pub close_open: Vec<i64>,
    /// `working_upto[k]`: working days among the first `k` days; one longer than the days.
    pub working_upto: Vec<u32>,
    /// `day_starts[k]`: the UTC instant at which local day `k` begins; one longer than the
    /// days (the last is the end of the last day).
    pub day_starts: Vec<i64>,
    /// The first and the last of `day_starts`, which every lookup asks for first.
    bounds: (i64, i64),
}

impl YearIndex {
    /// Builds the index of local `year`, clipped to the calendar's valid range.
    pub fn build(calendar: &Calendar, year: i32) -> YearIndex {
        let tz = calendar.tz();
        let mut first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let mut last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MIN);
        if let Some((lo, hi)) = calendar.valid_range() {
            first = first.max(lo);
            last = last.min(hi);
        }
        let mut index = YearIndex {
            first_day: first,
            days: 0,
            even_days: false,
            intervals: Vec::new(),
            prefix: vec![0],
            day_first: Vec::with_capacity(367),
            closes: Vec::new(),
            close_open: Vec::new(),
            working_upto: vec![0],
            day_starts: Vec::with_capacity(367),
            bounds: (i64::MIN, i64::MIN),
        };
        let mut date = first;
        while date <= last {
            index.day_starts.push(resolve_local(tz, date, 0));
            index.push_day(tz, date, calendar);
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        index.day_starts.push(resolve_local(tz, last, 1440));
        index.day_first.push(index.intervals.len() as u32);
        index.even_days = index.day_starts.windows(2).all(|w| w[1] - w[0] == 86_400);
        index.bounds = (
            index.day_starts.first().copied().unwrap_or(i64::MIN),
            index.day_starts.last().copied().unwrap_or(i64::MIN),
        );
        index
    }

    fn push_day(&mut self, tz: Tz, date: NaiveDate, calendar: &Calendar) {
        self.day_first.push(self.intervals.len() as u32);
        let mut hours = calendar.hours_on(date).to_vec();
        hours.sort_unstable();
        let mut close = None;
        for interval in hours {
            let start = resolve_local(tz, date, interval.start);
            let end = resolve_local(tz, date, interval.end);
            // A gap can swallow an interval whole; the previous interval can only end earlier.
            let start = start.max(self.intervals.last().map_or(i64::MIN, |iv| iv.1));
            if end > start {
                let total = self.prefix.last().copied().unwrap_or(0);
                self.intervals.push((start, end));
                self.prefix.push(total + (end - start));
                close = Some(end);
            }
        }
        if let Some(close) = close {
            self.closes.push(close);
            self.close_open.push(self.total_open());
        }
        self.days += 1;
        self.working_upto.push(self.closes.len() as u32);
    }

    /// The first instant the index holds, and the end of its last day.
    pub fn bounds(&self) -> (i64, i64) {
        self.bounds
    }

    /// Open seconds in this year before instant `t`, and the index of the first interval that
    /// ends after `t`. The day of `t` is found by arithmetic (local days are 86,400 seconds
    /// give or take a DST change), then its few intervals are scanned.
    pub fn open_before_at(&self, t: i64) -> (i64, usize) {
        let (first, end) = self.bounds();
        if t <= first {
            return (0, 0);
        }
        if t >= end {
            return (self.total_open(), self.intervals.len());
        }
        let day = self.day_of(t) as usize;
        let from = self.day_first.get(day).map_or(0, |&i| i as usize);
        let mut i = from
            + self.intervals[from..]
                .iter()
                .take_while(|iv| iv.1 <= t)
                .count();
        i = i.min(self.intervals.len());
        let mut open = self.prefix[i];
        if let Some(&(start, _)) = self.intervals.get(i)
            && start < t
        {
            open += t - start;
        }
        (open, i)
    }

    /// Open seconds in this year before instant `t`.
    pub fn open_before(&self, t: i64) -> i64 {
        self.open_before_at(t).0
    }

    /// Total open seconds of the year.
    pub fn total_open(&self) -> i64 {
        self.prefix.last().copied().unwrap_or(0)
    }

    /// The earliest instant at which `target` open seconds of the year have passed
    /// (`0 < target <= total_open()`), searching forward from interval `hint` (which must not
    /// be past the answer): a deadline is usually a few intervals after its start. A target
    /// reached at a closing time stays there.
    pub fn instant_of_open(&self, target: i64, hint: usize) -> i64 {
        let ends = &self.prefix[1..];
        let len = ends.len();
        // Gallop from the hint to a window holding the answer, then search the window.
        let (mut lo, mut hi, mut step) = (hint.min(len), hint.min(len), 1);
        while hi < len && ends[hi] < target {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        let hi = hi.min(len);
        let j = lo + ends[lo..hi].partition_point(|&p| p < target);
        let j = j.min(len.saturating_sub(1));
        self.intervals[j].0 + (target - self.prefix[j])
    }

    /// The number of the local day holding instant `t` (which the index must hold).
    pub fn day_of(&self, t: i64) -> u32 {
        let days = self.days as usize;
        let (first, _) = self.bounds();
        // From the first day on, and the division of a non-negative number by a constant is a
        // multiplication.
        let guess =
            ((t - first).max(0) as u64 / 86_400).min(u64::from(self.days.saturating_sub(1)));
        if self.even_days {
            return guess as u32;
        }
        let mut k = guess as usize;
        while k > 0 && self.day_starts[k] > t {
            k -= 1;
        }
        while k + 1 < days && self.day_starts[k + 1] <= t {
            k += 1;
        }
        k as u32
    }
}

/// The instant of local `minute` (0..=1440) on `date` in `tz`, by the module's DST rule.
///
/// ```
/// use chrono::NaiveDate;
/// use charter::time::resolve_local;
/// let day = NaiveDate::from_ymd_opt(2026, 3, 8).ok_or("a date")?;
/// // 02:30 does not exist in New York on 8 March 2026: it is the first instant after the gap.
/// let t = resolve_local(chrono_tz::America::New_York, day, 2 * 60 + 30);
/// assert_eq!(t, resolve_local(chrono_tz::America::New_York, day, 3 * 60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn resolve_local(tz: Tz, date: NaiveDate, minute: u16) -> i64 {
    let midnight = NaiveDateTime::new(date, NaiveTime::MIN);
    let local = midnight + Duration::minutes(i64::from(minute));
    earliest_at_or_after(tz, local)
}

fn earliest_at_or_after(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, _) => a.timestamp(),
        LocalResult::None => {
            // Inside a gap: the first local minute that exists is the end of the gap.
            let mut probe = local;
            for _ in 0..(48 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.timestamp();
                }
            }
            local.and_utc().timestamp()
        }
    }
}

/// The local date of UTC second `t` in `tz`.
pub fn local_date(tz: Tz, t: i64) -> NaiveDate {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(utc) => utc.with_timezone(&tz).date_naive(),
        None => NaiveDate::MIN,
    }
}
