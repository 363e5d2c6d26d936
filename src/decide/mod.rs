//! Stage 3, Policy + Case -> [`Decision`]: is the case accepted, who handles it, what is due
//! when, what has been breached, who is escalated to, when the customer is called back, and why.
//!
//! ```no_run
//! use charter::decide::{Case, Engine};
//! let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
//! let case = Case::from_json(&std::fs::read_to_string("examples/cases/complaint-office/accepted-phone.json")?)
//!     .map_err(|e| e.to_string())?;
//! let decision = engine.decide(&case, case.received_at.secs + 3600).map_err(|e| e.to_string())?;
//! let mut json = Vec::new();
//! decision.write_json(&mut json); // or serde: the same bytes
//! let mut pretty = Vec::new();
//! charter::decide::indent(&json, &mut pretty);
//! println!("{}", String::from_utf8_lossy(&pretty));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod batch;
mod case;
mod decision;
mod engine;
mod eval;
mod explain;
mod json;
mod names;
mod pretty;
mod problem;
mod run;
mod text;
mod validate;

use std::fmt;

pub use case::{Case, Event, ReadError, Timestamp};
pub use decision::*;
pub use engine::{Engine, EngineError, NoVersionInForce, RuleRef, Version};
pub use explain::{CalendarChoice, Reason, Sentence};
pub use pretty::indent;
pub use problem::{CaseError, Code, Problem};

use crate::time::TimeError;

/// Why a case could not be decided.
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
    pub fn field(&self) -> Option<&str> {
        match self {
            DecideError::Case(e) => e.problems.first().map(|p| p.field.as_str()),
            DecideError::NoVersion { .. } => Some("received_at"),
            DecideError::Time { .. } => None,
        }
    }
}

impl Engine {
    /// Decides `case` as it stands at `now` (UTC seconds), under the version in force when it
    /// was received.
    pub fn decide<'a>(&'a self, case: &'a Case, now: i64) -> Result<Decision<'a>, DecideError> {
        let mut decision = Decision::default();
        self.decide_into(case, now, &mut decision)?;
        Ok(decision)
    }

    /// [`Engine::decide`] into `decision`, replacing what it held and reusing the memory of its
    /// lists. A loop that decides many cases with one `Decision` allocates nothing once the
    /// lists have grown to fit. On an error `decision` holds an unspecified (but valid)
    /// decision.
    ///
    /// ```no_run
    /// use charter::decide::{Case, Decision, Engine};
    /// # fn cases() -> Vec<Case> { Vec::new() }
    /// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
    /// let cases: Vec<Case> = cases();
    /// let mut decision = Decision::default();
    /// for case in &cases {
    ///     engine.decide_into(case, case.received_at.secs + 3600, &mut decision)?;
    ///     println!("{}: {:?}", case.id, decision.acceptance.outcome);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_into<'a>(
        &'a self,
        case: &'a Case,
        now: i64,
        decision: &mut Decision<'a>,
    ) -> Result<(), DecideError> {
        let received = case.received_at.secs;
        let version = self
            .version_at(received)
            .map_err(|error| DecideError::NoVersion {
                id: case.id.clone(),
                error,
            })?;
        let mut facts = validate::Facts::new(received, now);
        validate::validate(case, version, &mut facts).map_err(DecideError::Case)?;
        run::decide_into(version, case, &facts, decision)
    }
}
