//! What can be wrong with a case, each with a stable code (`C0001`…) that other tools can act
//! on: `decide` prints it, batch error records and the service's refusals carry it, and the
//! audit counts malformed records by it. `docs/decide.md` lists them with an example each.

use std::fmt;

use crate::decide::engine::NoVersionInForce;
use crate::time::TimeError;

/// The kind of a case problem. The codes are a contract: a code keeps its meaning, new kinds
/// get new codes.
///
/// ```
/// use charter::decide::{Case, Code, DecideError};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let case = Case::builder("C-13", "2026-11-16T10:00:00+08:00")
///     .channel("fax")
///     .category("billing")
///     .attribute("amuont", 100)
///     .build()?;
/// let error = engine.decide(&case, case.received_at.secs).unwrap_err();
/// assert_eq!(error.code(), Code::UnknownName);
/// assert_eq!(error.code().to_string(), "C0004");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "&'static str")]
pub enum Code {
    /// The record is not a JSON (or TOML) document: bad syntax, cut short, not UTF-8, too
    /// long, or text after the case.
    Unreadable,
    /// A field of the case is missing, has the wrong type, or is not a field of a case.
    Shape,
    /// The case's `id` is empty.
    BlankId,
    /// A channel, category, severity, stage or `via` the policy does not declare.
    UnknownName,
    /// An attribute the policy does not declare.
    UnknownAttribute,
    /// An attribute of another type than the policy declares.
    AttributeType,
    /// An event before `received_at`.
    EventBeforeReceipt,
    /// An event earlier than the event before it.
    EventsOutOfOrder,
    /// An event kind neither the language nor the policy names.
    UnknownEventKind,
    /// An event lacks what its kind needs (`stage` for `stage`, `by` for `extended`, a
    /// `target` for `extended` when several targets can be extended).
    EventIncomplete,
    /// An extension's `by` is not a duration.
    BadDuration,
    /// A `target` the policy does not define.
    UnknownTarget,
    /// No version of the policy was in force when the case was received.
    NoVersion,
    /// A deadline falls outside the dates the policy's calendars cover.
    BeyondCalendar,
    /// A batch holds two records with the same `id`.
    DuplicateId,
    /// The case is accepted but no route rule (and no `otherwise`) gives it a handler.
    Unrouted,
    /// `received_at` is outside the years charter computes (1900 to 2199).
    OutsideYears,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 17] = [
        Code::Unreadable,
        Code::Shape,
        Code::BlankId,
        Code::UnknownName,
        Code::UnknownAttribute,
        Code::AttributeType,
        Code::EventBeforeReceipt,
        Code::EventsOutOfOrder,
        Code::UnknownEventKind,
        Code::EventIncomplete,
        Code::BadDuration,
        Code::UnknownTarget,
        Code::NoVersion,
        Code::BeyondCalendar,
        Code::DuplicateId,
        Code::Unrouted,
        Code::OutsideYears,
    ];

    /// The stable code, `C0001`….
    ///
    /// ```
    /// use charter::decide::Code;
    /// assert_eq!(Code::AttributeType.code(), "C0006");
    /// // Every code is distinct.
    /// let mut codes: Vec<&str> = Code::ALL.iter().map(|c| c.code()).collect();
    /// codes.dedup();
    /// assert_eq!(codes.len(), Code::ALL.len());
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Code::Unreadable => "C0001",
            Code::Shape => "C0002",
            Code::BlankId => "C0003",
            Code::UnknownName => "C0004",
            Code::UnknownAttribute => "C0005",
            Code::AttributeType => "C0006",
            Code::EventBeforeReceipt => "C0007",
            Code::EventsOutOfOrder => "C0008",
            Code::UnknownEventKind => "C0009",
            Code::EventIncomplete => "C0010",
            Code::BadDuration => "C0011",
            Code::UnknownTarget => "C0012",
            Code::NoVersion => "C0013",
            Code::BeyondCalendar => "C0014",
            Code::DuplicateId => "C0015",
            Code::Unrouted => "C0016",
            Code::OutsideYears => "C0017",
        }
    }
}

impl From<Code> for &'static str {
    fn from(code: Code) -> &'static str {
        code.code()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What is wrong with one field of a case.
///
/// ```
/// use charter::decide::{Case, Code, DecideError};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let case = Case::builder("C-13", "2026-11-16T10:00:00+08:00")
///     .channel("fax")
///     .category("billing")
///     .attribute("amuont", 100)
///     .build()?;
/// let error = engine.decide(&case, case.received_at.secs).unwrap_err();
/// let DecideError::Case(case_error) = &error else { panic!("{error}") };
/// let fields: Vec<&str> = case_error.problems.iter().map(|p| p.field.as_str()).collect();
/// assert_eq!(fields, ["channel", "attributes.amuont"]);
/// assert!(case_error.problems[1].message.contains("did you mean `amount`?"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The kind, with its stable code.
    pub code: Code,
    /// The field: `category`, `attributes.amount`, `events[2].at`.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// A case that cannot be decided, with every problem found.
///
/// ```
/// use charter::decide::{Case, Code, DecideError};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let case = Case::builder("C-13", "2026-11-16T10:00:00+08:00")
///     .channel("fax")
///     .category("billing")
///     .attribute("amuont", 100)
///     .build()?;
/// let error = engine.decide(&case, case.received_at.secs).unwrap_err();
/// let DecideError::Case(case_error) = &error else { panic!("{error}") };
/// assert_eq!(case_error.id, "C-13");
/// assert!(case_error.to_string().starts_with("case `C-13`: channel: `fax` is not a channel of the policy"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    /// The case's id.
    pub id: String,
    /// The problems, in field order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "case `{}`: {}: {}", self.id, p.field, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseError {}

/// Why a case could not be decided.
///
/// ```
/// use charter::decide::{Case, Code, DecideError};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let case = Case::builder("C-13", "2026-11-16T10:00:00+08:00")
///     .channel("fax")
///     .category("billing")
///     .attribute("amuont", 100)
///     .build()?;
/// let error = engine.decide(&case, case.received_at.secs).unwrap_err();
/// assert!(matches!(error, DecideError::Case(_)));
/// // Every problem is reported, not only the first.
/// assert_eq!(error.to_string().matches("case `C-13`").count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum DecideError {
    /// The case does not fit the policy (unknown names, wrong types, events out of order).
    Case(CaseError),
    /// No version of the policy was in force when it was received.
    NoVersion {
        /// The case's id.
        id: String,
        /// Details.
        error: NoVersionInForce,
    },
    /// A deadline falls outside what a calendar covers.
    Time {
        /// The case's id.
        id: String,
        /// Details.
        error: TimeError,
    },
}

impl fmt::Display for DecideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecideError::Case(e) => e.fmt(f),
            DecideError::NoVersion { id, error } => {
                write!(f, "case `{id}`: received_at: {error}")
            }
            DecideError::Time { id, error } => write!(f, "case `{id}`: {error}"),
        }
    }
}

impl std::error::Error for DecideError {}

impl DecideError {
    /// The kind of the (first) problem, with its stable code.
    pub fn code(&self) -> Code {
        match self {
            DecideError::Case(e) => e.problems.first().map_or(Code::Shape, |p| p.code),
            DecideError::NoVersion { .. } => Code::NoVersion,
            DecideError::Time { .. } => Code::BeyondCalendar,
        }
    }

    /// The field the error is about, for batch error records.
    ///
    /// ```
    /// use charter::decide::{Case, Code, DecideError};
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// let case = Case::builder("C-13", "2026-11-16T10:00:00+08:00")
    ///     .channel("fax")
    ///     .category("billing")
    ///     .attribute("amuont", 100)
    ///     .build()?;
    /// let error = engine.decide(&case, case.received_at.secs).unwrap_err();
    /// assert_eq!(error.field(), Some("channel"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn field(&self) -> Option<&str> {
        match self {
            DecideError::Case(e) => e.problems.first().map(|p| p.field.as_str()),
            DecideError::NoVersion { .. } => Some("received_at"),
            DecideError::Time { .. } => None,
        }
    }
}
