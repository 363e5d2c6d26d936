//! Durations of the five kinds the language knows, and the clock each one runs on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The unit of a [`Span`]; the five duration kinds of the business-time rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Elapsed wall-clock minutes.
    Minutes,
    /// Elapsed wall-clock hours.
    Hours,
    /// Calendar days: to the end (24:00 local) of the N-th day after the start's day.
    Days,
    /// Weeks of seven calendar days, by the rule of days (`8 weeks` is `56 days`).
    Weeks,
    /// Minutes inside open intervals.
    WorkingMinutes,
    /// Hours inside open intervals.
    WorkingHours,
    /// To the close of business of the N-th working day after the start's day.
    WorkingDays,
}

/// What a target's clock counts: all time, or open time only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Every second counts.
    Elapsed,
    /// Only seconds inside the calendar's open intervals count.
    Working,
}

impl Clock {
    /// The clock's name, as written in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Clock::Elapsed => "elapsed",
            Clock::Working => "working",
        }
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An amount of business time: `3 working days`, `30 minutes`.
///
/// ```
/// use charter::time::{Clock, Span, Unit};
/// let span: Span = "3 working days".parse()?;
/// assert_eq!((span.amount, span.unit), (3, Unit::WorkingDays));
/// assert_eq!(span.clock(), Clock::Working);
/// assert_eq!(span.to_string(), "3 working days");
/// assert!("3 fortnights".parse::<Span>().is_err());
/// # Ok::<(), charter::time::SpanParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: Unit,
}

impl Span {
    /// A span of `amount` `unit`s.
    pub const fn new(amount: u32, unit: Unit) -> Self {
        Span { amount, unit }
    }

    /// The clock the span is measured on.
    pub fn clock(self) -> Clock {
        match self.unit {
            Unit::Minutes | Unit::Hours | Unit::Days | Unit::Weeks => Clock::Elapsed,
            Unit::WorkingMinutes | Unit::WorkingHours | Unit::WorkingDays => Clock::Working,
        }
    }

    /// The span in seconds, for the units that are a fixed number of seconds.
    pub fn fixed_seconds(self) -> Option<i64> {
        let amount = i64::from(self.amount);
        match self.unit {
            Unit::Minutes | Unit::WorkingMinutes => Some(amount * 60),
            Unit::Hours | Unit::WorkingHours => Some(amount * 3600),
            Unit::Days | Unit::Weeks | Unit::WorkingDays => None,
        }
    }

    /// The number of calendar days of a `days` or `weeks` span.
    pub fn calendar_days(self) -> Option<u32> {
        match self.unit {
            Unit::Days => Some(self.amount),
            Unit::Weeks => Some(self.amount.saturating_mul(7)),
            _ => None,
        }
    }
}

impl Span {
    /// The unit as written after the amount: `working day`, `minutes`.
    pub fn unit_word(self) -> &'static str {
        let one = self.amount == 1;
        match (self.unit, one) {
            (Unit::Minutes, true) => "minute",
            (Unit::Minutes, false) => "minutes",
            (Unit::Hours, true) => "hour",
            (Unit::Hours, false) => "hours",
            (Unit::Days, true) => "day",
            (Unit::Days, false) => "days",
            (Unit::Weeks, true) => "week",
            (Unit::Weeks, false) => "weeks",
            (Unit::WorkingMinutes, true) => "working minute",
            (Unit::WorkingMinutes, false) => "working minutes",
            (Unit::WorkingHours, true) => "working hour",
            (Unit::WorkingHours, false) => "working hours",
            (Unit::WorkingDays, true) => "working day",
            (Unit::WorkingDays, false) => "working days",
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit_word())
    }
}

/// Why a text is not a span.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct SpanParseError {
    /// The text given.
    pub text: String,
}

impl SpanParseError {
    /// What is wrong with the text: a number too large for a span, or not a duration at all.
    fn message(&self) -> String {
        let number = self.text.split_whitespace().next().unwrap_or("");
        if !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && number.parse::<u32>().is_err()
        {
            return format!(
                "`{number}` in `{}` is too large for a duration; use a number below {}",
                self.text,
                u64::from(u32::MAX) + 1
            );
        }
        format!(
            "`{}` is not a duration: write a whole number and a unit, e.g. `3 working days`, `2 working hours`, `30 minutes`, `5 days` or `8 weeks`",
            self.text
        )
    }
}

impl FromStr for Span {
    type Err = SpanParseError;

    fn from_str(text: &str) -> Result<Span, SpanParseError> {
        let error = || SpanParseError {
            text: text.to_string(),
        };
        let mut words = text.split_whitespace();
        let amount: u32 = words
            .next()
            .and_then(|w| w.parse().ok())
            .ok_or_else(error)?;
        let rest: Vec<&str> = words.collect();
        let unit = match rest.as_slice() {
            [u] => unit_word(u).map(|(u, _)| u),
            ["working", u] => unit_word(u).and_then(|(_, w)| w),
            _ => None,
        };
        unit.map(|unit| Span { amount, unit }).ok_or_else(error)
    }
}

/// The elapsed and working unit for a unit word (singular or plural).
pub fn unit_word(word: &str) -> Option<(Unit, Option<Unit>)> {
    match word {
        "minute" | "minutes" => Some((Unit::Minutes, Some(Unit::WorkingMinutes))),
        "hour" | "hours" => Some((Unit::Hours, Some(Unit::WorkingHours))),
        "day" | "days" => Some((Unit::Days, Some(Unit::WorkingDays))),
        "week" | "weeks" => Some((Unit::Weeks, None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    /// A number past a span's range is called too large, naming the bound, as the policy
    /// checker says of one in a policy; anything else is not a duration.
    #[test]
    fn what_is_wrong_with_a_span_is_said() {
        let error = |text: &str| text.parse::<Span>().err().map(|e| e.to_string());
        assert_eq!(
            error("99999999999 working days").as_deref(),
            Some(
                "`99999999999` in `99999999999 working days` is too large for a duration; use a number below 4294967296"
            )
        );
        assert!(
            error("3 fortnights")
                .is_some_and(|e| e.starts_with("`3 fortnights` is not a duration"))
        );
        assert_eq!(error("4294967295 minutes"), None);
    }
}
