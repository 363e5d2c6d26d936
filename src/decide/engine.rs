//! The compiled versions of one policy, ready to decide cases: the version in force is chosen
//! by `received_at`, and each version carries the sha256 digest of its source and the file,
//! line and text of every route rule (a decision cites them).

use std::fmt;

use chrono::NaiveDate;

pub use crate::check::RuleRef;
use crate::check::{Checked, Policy};
use crate::diagnostic::Diagnostic;
use crate::time::Calendar;

/// One version of the policy with what a decision needs to cite it.
#[derive(Debug)]
pub struct Version {
    /// The compiled policy.
    pub policy: Policy,
    /// sha256 of the files this version is compiled from, lowercase hex.
    pub digest: String,
    /// A calendar with no open time in the policy's zone, for elapsed targets when the policy
    /// has no calendar.
    pub(crate) elapsed: Calendar,
    /// What its decisions share: route JSON, target and step definitions.
    pub(crate) shared: crate::decide::shared::Shared,
    /// The names a case uses, hashed, and the event kinds it knows, numbered.
    pub(crate) names: crate::decide::names::Names,
    /// The route rules by category and channel.
    pub(crate) routes: crate::decide::route_index::RouteIndex,
}

impl Version {
    /// The route rules in order, then `otherwise`, as decisions cite them.
    pub fn route_rules(&self) -> impl Iterator<Item = &RuleRef> {
        let policy = &self.policy;
        let otherwise = policy.otherwise.as_ref().map(|o| &o.cited);
        policy.routes.iter().map(|r| &r.cited).chain(otherwise)
    }
}

/// Every version of a policy.
#[derive(Debug)]
pub struct Engine {
    versions: Vec<Version>,
    /// `starts[i]`: the UTC instant at which version `i` takes effect (the start of its
    /// effective date in the first version's zone; `i64::MIN` without a date), so that the
    /// version of an instant is found without converting it to a local date.
    starts: Vec<i64>,
}

/// Instants the engine picks a version for without a date conversion (about years 5 to 5100);
/// outside them `version_at` takes the slow path, which reports an error.
const PLAIN_INSTANTS: std::ops::Range<i64> = -62_000_000_000..100_000_000_000;

/// A policy that cannot decide cases.
#[derive(Debug)]
pub enum EngineError {
    /// The policy has errors; the diagnostics say which.
    Invalid(Vec<Diagnostic>),
    /// The policy compiled but has no `policy` header, so there is nothing to decide with.
    NoVersion,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Invalid(d) => write!(
                f,
                "the policy has {} error(s); run `charter check` on it",
                d.iter().filter(|d| d.is_error()).count()
            ),
            EngineError::NoVersion => f.write_str(
                "the policy has no `policy` header, so it cannot decide cases; add `policy NAME \"title\" { version \"1\" … }`",
            ),
        }
    }
}

impl Engine {
    /// Builds the engine from a checked policy (see [`crate::load::engine`] to read one from
    /// disk).
    pub fn new(checked: Checked) -> Result<Engine, EngineError> {
        if checked.has_errors() {
            return Err(EngineError::Invalid(checked.diagnostics));
        }
        if checked.versions.is_empty() {
            return Err(EngineError::NoVersion);
        }
        let versions = checked
            .versions
            .into_iter()
            .map(|policy| {
                let mut version = Version {
                    shared: Default::default(),
                    names: crate::decide::names::Names::new(&policy),
                    routes: crate::decide::route_index::RouteIndex::new(&policy),
                    elapsed: Calendar::closed("elapsed", policy.timezone),
                    digest: policy.digest.clone(),
                    policy,
                };
                version.shared = crate::decide::shared::Shared::new(&version.policy);
                version
            })
            .collect::<Vec<Version>>();
        let tz = versions.first().map(|v| v.policy.timezone);
        let starts = versions
            .iter()
            .map(|v| match (v.policy.effective, tz) {
                (Some(date), Some(tz)) => crate::time::resolve_local(tz, date, 0),
                _ => i64::MIN,
            })
            .collect();
        Ok(Engine { versions, starts })
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version in force on `date` (in the policy's time zone): the latest whose effective
    /// date is on or before it. A version without an effective date is in force from the start.
    pub fn version_on(&self, date: NaiveDate) -> Option<&Version> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.policy.effective.is_none_or(|e| e <= date))
    }

    /// The version in force at UTC second `t`.
    pub fn version_at(&self, t: i64) -> Result<&Version, NoVersionInForce> {
        // A local date is on or after a version's effective date exactly when the instant is
        // at or after the start of that date.
        if PLAIN_INSTANTS.contains(&t)
            && let Some(i) = self.starts.iter().rposition(|&start| start <= t)
        {
            return Ok(&self.versions[i]);
        }
        let tz = self.versions.first().map(|v| v.policy.timezone);
        let date = tz
            .and_then(|tz| chrono::DateTime::from_timestamp(t, 0).map(|d| d.with_timezone(&tz)))
            .map(|d| d.date_naive());
        date.and_then(|d| self.version_on(d))
            .ok_or_else(|| NoVersionInForce {
                date,
                earliest: self.versions.first().and_then(|v| v.policy.effective),
            })
    }
}

/// No version of the policy was in force when a case was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoVersionInForce {
    /// The date of receipt (policy time zone).
    pub date: Option<NaiveDate>,
    /// When the first version takes effect.
    pub earliest: Option<NaiveDate>,
}

impl fmt::Display for NoVersionInForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.date, self.earliest) {
            (Some(d), Some(e)) => write!(
                f,
                "no version of the policy was in force on {d}: the earliest takes effect on {e}; check `received_at` or add an older version"
            ),
            _ => f.write_str("`received_at` is out of the range of dates the engine handles"),
        }
    }
}
