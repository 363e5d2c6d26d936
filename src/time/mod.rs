//! Business time: calendars and the arithmetic of the five duration kinds.
//!
//! This module knows nothing of policies. A [`CalendarSpec`] (zone, weekly open intervals,
//! holidays, extra working days, valid range) becomes a [`Calendar`], which adds [`Span`]s to
//! instants, measures clock time between instants and computes deadlines with [`Pause`]s.
//! Instants are UTC seconds; the rules are those of "Business time" in the README.

mod calendar;
mod clock;
mod index;
mod instant;
mod span;

pub use calendar::{
    Calendar, CalendarSpec, MAX_YEAR, MIN_YEAR, OpenInterval, SpecError, SpecPlace, hhmm,
    supported_range,
};
pub use clock::{NeverOpen, OutOfRange, Pause, Started, TimeError, normalise_pauses};
pub use index::resolve_local;
pub use instant::At;
pub(crate) use instant::date_text;
pub use span::{Clock, Span, SpanParseError, Unit, unit_word};
