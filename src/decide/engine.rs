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
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let version = &engine.versions()[0];
/// assert_eq!(version.policy.version, "2026.1");
/// assert_eq!(version.digest.len(), 64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    ///
    /// ```
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// let rules: Vec<String> = engine.versions()[0].route_rules().map(|r| r.text.clone()).collect();
    /// assert_eq!(rules.first().map(String::as_str), Some("when severity >= major -> office_director"));
    /// assert_eq!(rules.last().map(String::as_str), Some("otherwise -> complaint_officer"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route_rules(&self) -> impl Iterator<Item = &RuleRef> {
        let policy = &self.policy;
        let otherwise = policy.otherwise.as_ref().map(|o| &o.cited);
        policy.routes.iter().map(|r| &r.cited).chain(otherwise)
    }
}

/// Every version of a policy.
///
/// ```
/// use charter::decide::{Case, Engine, Timestamp};
/// let engine = Engine::from_sources(&[
///     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
///     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// ])?;
/// let case = Case::builder("C-7", "2026-11-16T10:00:00+08:00")
///     .channel("web")
///     .category("billing")
///     .severity("minor")
///     .attribute("amount", 8000)
///     .build()?;
/// let now = Timestamp::parse("2026-11-17T10:00:00+08:00")?.secs;
/// let decision = engine.decide(&case, now)?;
/// assert_eq!(decision.route.as_ref().and_then(|r| r.role), Some("coordinator"));
/// // Acknowledging takes 2 working hours: it was due at 12:00 on the day of receipt.
/// let acknowledge = &decision.targets[0];
/// assert_eq!(acknowledge.deadline.map(|d| d.to_string()), Some("2026-11-16T12:00:00+08:00".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
///
/// ```
/// use charter::decide::{Engine, EngineError};
/// // A route to a role the policy does not declare.
/// let loaded = charter::syntax::load_sources(&[(
///     "policy.charter",
///     "policy p \"P\" { version \"1\" }\nroute { otherwise -> nobody }",
/// )]);
/// let error = Engine::new(charter::check::check(&loaded)).unwrap_err();
/// let EngineError::Invalid(diagnostics) = &error else { panic!("{error}") };
/// assert!(diagnostics.iter().any(|d| d.is_error() && d.message.contains("nobody")));
/// assert!(error.to_string().ends_with("error(s); run `charter check` on it"), "{error}");
/// ```
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
    ///
    /// ```
    /// use charter::decide::Engine;
    /// let loaded = charter::syntax::load_sources(&[
    ///     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    ///     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// ]);
    /// let checked = charter::check::check(&loaded);
    /// let engine = Engine::new(checked).map_err(|e| e.to_string())?;
    /// assert_eq!(engine.versions().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// let names: Vec<&str> = engine.versions().iter().map(|v| v.policy.version.as_str()).collect();
    /// assert_eq!(names, ["2026.1"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version in force on `date` (in the policy's time zone): the latest whose effective
    /// date is on or before it. A version without an effective date is in force from the start.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// // The office's version takes effect on 1 January 2026.
    /// assert!(engine.version_on(NaiveDate::from_ymd_opt(2026, 3, 1).ok_or("date")?).is_some());
    /// assert!(engine.version_on(NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version_on(&self, date: NaiveDate) -> Option<&Version> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.policy.effective.is_none_or(|e| e <= date))
    }

    /// The version in force at UTC second `t`.
    ///
    /// ```
    /// use charter::decide::Timestamp;
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
    /// let t = Timestamp::parse("2026-01-01T00:00:00+08:00")?.secs;
    /// assert_eq!(engine.version_at(t)?.policy.version, "2026.1");
    /// // A second earlier, in Shanghai, it was still 2025.
    /// let error = engine.version_at(t - 1).unwrap_err();
    /// assert!(error.to_string().contains("2025-12-31"), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version_at(&self, t: i64) -> Result<&Version, NoVersionInForce> {
        if let Some(version) = self.version_from_start(t) {
            return Ok(version);
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

impl Engine {
    /// [`Engine::version_at`] for an instant in the years whose local dates the versions'
    /// starts tell apart, and at or after the first start; `None` otherwise. Inlined where a
    /// case is decided: the error a call returns goes through memory.
    #[inline]
    pub(crate) fn version_from_start(&self, t: i64) -> Option<&Version> {
        // A local date is on or after a version's effective date exactly when the instant is
        // at or after the start of that date.
        if !PLAIN_INSTANTS.contains(&t) {
            return None;
        }
        let i = self.starts.iter().rposition(|&start| start <= t)?;
        self.versions.get(i)
    }
}

/// No version of the policy was in force when a case was received.
///
/// ```
/// use charter::decide::{Case, DecideError};
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// let case = Case::builder("C-1", "2025-06-01T09:00:00+08:00").channel("web").category("billing").build()?;
/// match engine.decide(&case, case.received_at.secs) {
///     Err(DecideError::NoVersion { error, .. }) => {
///         assert_eq!(error.earliest.map(|d| d.to_string()), Some("2026-01-01".into()));
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoVersionInForce {
    /// The date of receipt (policy time zone).
    pub date: Option<NaiveDate>,
    /// When the first version takes effect.
    pub earliest: Option<NaiveDate>,
}

impl std::error::Error for NoVersionInForce {}

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
