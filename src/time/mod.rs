//! Business time: calendars and the arithmetic of the five duration kinds.
//!
//! This module knows nothing of policies. A [`CalendarSpec`] (zone, weekly open intervals,
//! holidays, extra working days, valid range) becomes a [`Calendar`], which adds [`Span`]s to
//! instants, measures clock time between instants and computes deadlines with [`Pause`]s.
//! Instants are UTC seconds; the rules are those of "Business time" in the README.
//!
//! ```
//! use chrono::Weekday;
//! use charter::time::{Calendar, CalendarSpec, OpenInterval};
//! let spec = CalendarSpec::new("office", chrono_tz::Asia::Shanghai)
//!     .open(Weekday::Mon, Weekday::Fri, &[OpenInterval::new(9 * 60, 18 * 60)]);
//! let office = Calendar::new(spec).map_err(|e| format!("{e:?}"))?;
//! let friday = charter::decide::Timestamp::parse("2026-11-20T17:00:00+08:00")?.secs;
//! let due = office.add(friday, "3 working hours".parse()?)?;
//! assert_eq!(office.format(due), "2026-11-23T11:00:00+08:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod clock;
mod index;
mod instant;
mod span;

pub use calendar::{
    Calendar, CalendarSpec, MAX_YEAR, MIN_YEAR, OpenInterval, SpecError, SpecPlace, YEARS, hhmm,
    supported_range,
};
pub use clock::{NeverOpen, OutOfRange, Pause, Started, TimeError, normalise_pauses};
pub use index::resolve_local;
pub use instant::At;
pub(crate) use instant::date_text;
pub use span::{Clock, Span, SpanParseError, Unit, unit_word};
