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

mod acceptance;
mod attributes;
#[cfg(feature = "batch")]
pub mod batch;
mod builder;
mod callbacks;
mod case;
mod decision;
mod engine;
mod escalation;
mod eval;
mod explain;
mod extensions;
mod json;
mod names;
mod pretty;
mod problem;
mod reason;
mod route_index;
mod route_only;
mod routing;
mod run;
mod shared;
mod stages;
mod stamp;
mod targets;
mod text;
mod validate;

pub use attributes::{Attributes, AttributesIter};
pub use builder::CaseBuilder;
pub(crate) use case::outside_years;
pub use case::{Case, Event, ReadError, Timestamp};
/// The inline string of a case's names (re-exported from `compact_str`): a `String` that keeps
/// up to 24 bytes in place. It reads as a `&str` and is made with `.into()`.
pub use compact_str::CompactString;
pub use decision::*;
pub use engine::{Engine, EngineError, NoVersionInForce, RuleRef, Version};
pub use explain::Sentence;
pub use pretty::indent;
pub use problem::{CaseError, Code, DecideError, Problem};
pub use reason::{CalendarChoice, Reason};
pub use stamp::{BadId, DecisionId, InputDigest};

impl Engine {
    /// Decides `case` as it stands at `now` (UTC seconds), under the version in force when it
    /// was received, with the reasons ([`Decision::explain`]): the full record that
    /// `charter decide`, the batch and the service write.
    ///
    /// ```
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/just-received.json")))?;
    /// // The complaint office's policy; the case `examples/cases/complaint-office/just-received.json`.
    /// let decision = engine.decide(&case, case.received_at.secs)?;
    /// assert_eq!(decision.evaluated_at.secs, case.received_at.secs);
    /// assert_eq!(decision.case, case.id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(&self, case: &Case, now: i64) -> Result<Decision<'_>, DecideError> {
        let mut decision = Decision::with_reasons();
        self.decide_into(case, now, &mut decision)?;
        Ok(decision)
    }

    /// [`Engine::decide`] into `decision`, replacing what it held and reusing the memory of its
    /// lists. A loop that decides many cases with one `Decision` allocates nothing once the
    /// lists have grown to fit. The reasons are recorded only when `decision` asks for them
    /// ([`Decision::with_reasons`]); [`Decision::default`] does not, so that a loop that
    /// routes and times cases pays nothing for an explanation it does not read (deciding
    /// without them takes some 4 % fewer instructions). The decision borrows the engine, never the case: each case
    /// may be dropped as soon as it is decided (`examples/embed.rs` streams cases this way).
    /// On an error `decision` holds an unspecified (but valid) decision.
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
        case: &Case,
        now: i64,
        decision: &mut Decision<'a>,
    ) -> Result<(), DecideError> {
        let mut facts = validate::Facts::new(case.received_at.secs, now);
        let version = self.facts_into(case, &mut facts)?;
        validate::note_missing_fields(case, version, &mut facts);
        run::decide_into(version, case, &facts, decision)
    }

    /// The version in force when `case` was received, with the case checked against it and
    /// read into `facts` (made by `Facts::new`), in place: the facts are too large to be
    /// returned by value on every case (moving them out costs a copy of a few hundred bytes).
    #[inline]
    pub(crate) fn facts_into<'c>(
        &self,
        case: &'c Case,
        facts: &mut validate::Facts<'c>,
    ) -> Result<&Version, DecideError> {
        let at = case.received_at.secs;
        let version = match self.version_from_start(at) {
            Some(version) => version,
            None => self
                .version_at(at)
                .map_err(|error| DecideError::NoVersion {
                    id: case.id.to_string(),
                    error,
                })?,
        };
        validate::validate(case, version, facts).map_err(DecideError::Case)?;
        Ok(version)
    }
}
