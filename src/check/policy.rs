//! The compiled policy: every name resolved to an index, every reference checked, spans kept
//! (but left out of serialization, so two policies that differ only in layout serialize alike).

use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use crate::source::Span;
use crate::time::{Calendar, Span as Duration};
use crate::vocabulary::{
    AttrType, AuthorityKind, AuthorityLevel, CompareOp, IfClosed, Label, Schedule,
};

fn tz_name<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

/// A checked policy version, ready to decide cases against.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// assert_eq!((policy.name.as_str(), policy.version.as_str()), ("complaint_office", "2026.1"));
/// assert_eq!(policy.timezone, chrono_tz::Asia::Shanghai);
/// assert_eq!((policy.at_risk, policy.satisfaction), (75.0, Some(90.0)));
/// assert!(policy.fallback_allowed);
/// assert_eq!(policy.routes.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// The policy's identifier.
    pub name: String,
    /// Its title.
    pub label: Label,
    /// Its version string.
    pub version: String,
    /// The date from which this version is in force.
    pub effective: Option<NaiveDate>,
    /// The policy's time zone.
    #[serde(serialize_with = "tz_name")]
    pub timezone: Tz,
    /// Its locale, e.g. `zh-CN`.
    pub locale: String,
    /// Share of a budget past which a running target is `at_risk` (percent).
    pub at_risk: f64,
    /// Whether cases may rely on the `otherwise` route.
    pub fallback_allowed: bool,
    /// The satisfaction target (percent), if stated.
    pub satisfaction: Option<f64>,
    /// Who issues the documents (`organisation`), named in their header.
    pub organisation: Option<Label>,
    /// The procedure document's number (`document`).
    pub document: Option<String>,
    /// What this version changed (`changes`), for the revision record.
    pub changes: Option<Label>,
    /// Index into `calendars` of the default calendar.
    pub default_calendar: Option<usize>,
    /// Calendars.
    pub calendars: Vec<CalendarDef>,
    /// Intake channels.
    pub channels: Vec<Channel>,
    /// Record fields.
    pub fields: Vec<Field>,
    /// Typed case attributes.
    pub attributes: Vec<Attribute>,
    /// Severities, lowest first.
    pub severities: Vec<Named>,
    /// Categories.
    pub categories: Vec<Named>,
    /// What each category and severity means, where the policy says (`means`).
    pub definitions: Definitions,
    /// Departments.
    pub departments: Vec<Named>,
    /// Event kinds the policy declares (`event NAME`), beside the engine's own.
    pub events: Vec<Named>,
    /// What is accepted, redirected, and how incomplete records are handled.
    pub scope: Scope,
    /// Route rules in order.
    pub routes: Vec<Rule>,
    /// The role of cases no rule takes.
    pub otherwise: Option<Fallback>,
    /// Calendar choice rules in order.
    pub calendar_rules: Vec<Rule>,
    /// The calendar when no calendar rule matches.
    pub calendar_otherwise: Option<Fallback>,
    /// SLA blocks in order (later matching blocks override earlier targets of the same name).
    pub slas: Vec<Sla>,
    /// Extension limits per target.
    pub extensions: Vec<Extension>,
    /// Escalation ladders.
    pub escalations: Vec<Escalation>,
    /// Callback rules.
    pub callbacks: Vec<Callback>,
    /// Stages.
    pub stages: Vec<Stage>,
    /// Scheduled reports.
    pub reports: Vec<Report>,
    /// Roles (position descriptions).
    pub roles: Vec<Role>,
    /// Procedures.
    pub procedures: Vec<Procedure>,
    /// Where the policy header is.
    #[serde(skip)]
    pub span: Span,
    /// sha256 of the files this version is compiled from (its own file, then the shared
    /// files), lowercase hex: a decision names the exact text it was made under.
    #[serde(skip)]
    pub digest: String,
}

/// A declared name with its label.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let severities: Vec<&str> = policy.severities.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(severities, ["minor", "normal", "major", "critical"]);
/// assert_eq!(policy.severities[3].label.text, "特别重大");
/// assert_eq!(policy.severities[3].label.en.as_deref(), Some("Critical"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Serialize)]
pub struct Named {
    /// Identifier.
    pub name: String,
    /// Label.
    pub label: Label,
    /// Where declared.
    #[serde(skip)]
    pub span: Span,
}

/// A calendar of the policy.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let office = &policy.calendars[policy.default_calendar.ok_or("a default calendar")?];
/// assert_eq!(office.named.name, "office");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDef {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// The business-time calendar.
    #[serde(serialize_with = "calendar_spec")]
    pub calendar: Arc<Calendar>,
    /// Under `beyond valid provisional`: the calendar without its valid range (weekly hours
    /// and yearly holidays), for provisional decisions past it.
    #[serde(rename = "beyond_valid_provisional", serialize_with = "is_some")]
    pub beyond: Option<Arc<Calendar>>,
    /// Where its `valid` range is written (perhaps in a calendar it uses).
    #[serde(skip)]
    pub valid_at: Option<Span>,
    /// The labels of its dated holidays (with those of the calendars it uses): first and last
    /// date, label.
    #[serde(skip)]
    pub holiday_labels: Vec<(NaiveDate, NaiveDate, Label)>,
    /// The labels of its yearly holidays.
    #[serde(skip)]
    pub yearly_labels: Vec<YearlyLabel>,
}

/// The label of a yearly holiday: its first and last (month, day), and the label.
pub type YearlyLabel = ((u32, u32), (u32, u32), Label);

/// Why a date is not a working day on a calendar.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// use chrono::{NaiveDate, Weekday};
/// use charter::check::Closed;
/// let office = &policy.calendars[policy.default_calendar.ok_or("a default calendar")?];
/// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("a date");
/// assert_eq!(office.closed_on(day(11, 20)?), None);
/// assert_eq!(office.closed_on(day(11, 21)?), Some(Closed::Weekday(Weekday::Sat)));
/// // National Day, from the imported cn_2026 calendar.
/// assert!(matches!(office.closed_on(day(10, 1)?), Some(Closed::Holiday(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// A holiday (dated or yearly), with its label if it has one.
    Holiday(Option<Label>),
    /// The weekday has no open hours.
    Weekday(chrono::Weekday),
}

impl CalendarDef {
    /// Why `date` has no open hours, or `None` when it has some (a working day).
    pub fn closed_on(&self, date: NaiveDate) -> Option<Closed> {
        use chrono::Datelike;
        if !self.calendar.hours_on(date).is_empty() {
            return None;
        }
        let dated = self
            .holiday_labels
            .iter()
            .find(|(a, b, _)| *a <= date && date <= *b)
            .map(|(.., l)| l.clone());
        if dated.is_some() || self.calendar.spec().holidays.contains(&date) {
            return Some(Closed::Holiday(dated));
        }
        let day = (date.month(), date.day());
        if self
            .calendar
            .spec()
            .yearly
            .iter()
            .any(|&(a, b)| a <= day && day <= b)
        {
            let yearly = self
                .yearly_labels
                .iter()
                .find(|(a, b, _)| *a <= day && day <= *b)
                .map(|(.., l)| l.clone());
            return Some(Closed::Holiday(yearly));
        }
        Some(Closed::Weekday(date.weekday()))
    }
}

fn is_some<T, S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(value.is_some())
}

fn calendar_spec<S: Serializer>(c: &Arc<Calendar>, s: S) -> Result<S::Ok, S::Error> {
    let spec = c.spec();
    let week: Vec<Vec<String>> = spec
        .week
        .iter()
        .map(|d| d.iter().map(ToString::to_string).collect())
        .collect();
    let mut holidays = spec.holidays.clone();
    holidays.sort_unstable();
    let mut workdays: Vec<(NaiveDate, Vec<String>)> = spec
        .workdays
        .iter()
        .map(|(d, h)| (*d, h.iter().map(ToString::to_string).collect()))
        .collect();
    workdays.sort();
    let yearly: Vec<String> = (spec.yearly.iter())
        .map(|((m1, d1), (m2, d2))| format!("{m1:02}-{d1:02}..{m2:02}-{d2:02}"))
        .collect();
    serde_json::json!({
        "timezone": spec.tz.name(), "week": week, "holidays": holidays,
        "workdays": workdays, "valid": spec.valid, "yearly": yearly,
    })
    .serialize(s)
}

/// An intake channel.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// // A letter is answered by phone.
/// let channel = |name: &str| policy.channels.iter().position(|c| c.named.name == name);
/// let letter = &policy.channels[channel("letter").ok_or("letter")?];
/// assert_eq!(letter.callback, channel("phone"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// Index of the channel callbacks for it go through.
    pub callback: Option<usize>,
}

/// A record field.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let contact = policy.fields.iter().find(|f| f.named.name == "contact").ok_or("contact")?;
/// assert!(contact.required && contact.personal);
/// let business = policy.fields.iter().find(|f| f.named.name == "business").ok_or("business")?;
/// assert!(!business.required_for(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// Whether a case must have it.
    pub required: bool,
    /// The categories it is required for, when not all: `(false, list)` only these,
    /// `(true, list)` all but these.
    pub categories: Option<(bool, Vec<usize>)>,
    /// Personal data (`personal`): a decision log keeps its value as a keyed hash.
    pub personal: bool,
}

impl Field {
    /// Whether a case of `category` must have the field.
    pub fn required_for(&self, category: usize) -> bool {
        self.required
            && match &self.categories {
                None => true,
                Some((except, list)) => list.contains(&category) != *except,
            }
    }
}

/// A typed case attribute.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::vocabulary::AttrType;
/// let amount = &policy.attributes[0];
/// assert_eq!((amount.named.name.as_str(), amount.ty), ("amount", AttrType::Number));
/// assert_eq!(amount.unit.as_ref().map(|u| u.text.as_str()), Some("元"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// Its type.
    pub ty: AttrType,
    /// What a number counts in (`unit "元" en "CNY"`), written after it in documents.
    pub unit: Option<Label>,
    /// What it means (`means "…"`), defined in the procedure's terms.
    pub means: Option<Label>,
}

/// The acceptance scope.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// assert_eq!(policy.scope.accepted.len(), 3);
/// assert_eq!(policy.scope.redirects.len(), 1);
/// let (within, _calendar) = policy.scope.incomplete.as_ref().ok_or("incomplete")?;
/// assert_eq!(within.to_string(), "1 working day");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    /// Accepted categories.
    pub accepted: Vec<usize>,
    /// Redirections.
    pub redirects: Vec<Redirect>,
    /// The time to ask the customer for missing fields, and on which calendar.
    pub incomplete: Option<(Duration, Option<usize>)>,
}

/// `redirect … to … because …`
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let redirect = &policy.scope.redirects[0];
/// assert_eq!(redirect.to.text, "信息技术部服务台");
/// assert_eq!(redirect.reason.en.as_deref(), Some("system failures are handled by IT"));
/// assert!(redirect.notice.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Redirect {
    /// Categories redirected.
    pub categories: Vec<usize>,
    /// Where to.
    pub to: Label,
    /// Why.
    pub reason: Label,
    /// The time allowed to tell the complainant where to go (`within`), as a target named
    /// `redirect` from receipt to the `redirected` event.
    pub notice: Option<Target>,
    /// Where written.
    #[serde(skip)]
    pub span: Span,
}

/// A `when C -> X` rule; `target` indexes roles (routes) or calendars (calendar rules).
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let first = &policy.routes[0];
/// assert_eq!(Some(first.target), role("office_director"));
/// assert_eq!(first.cited.text, "when severity >= major -> office_director");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// The condition.
    pub when: Cond,
    /// The role or calendar.
    pub target: usize,
    /// Where written.
    #[serde(skip)]
    pub span: Span,
    /// The rule as a decision cites it.
    #[serde(skip)]
    pub cited: RuleRef,
}

/// `otherwise -> X`
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let otherwise = policy.otherwise.as_ref().ok_or("otherwise")?;
/// assert_eq!(Some(otherwise.target), role("complaint_officer"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Fallback {
    /// The role or calendar.
    pub target: usize,
    /// Where written.
    #[serde(skip)]
    pub span: Span,
    /// The rule as a decision cites it.
    #[serde(skip)]
    pub cited: RuleRef,
}

/// A rule as a decision cites it: where it is written and what it says.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let cited = &policy.routes[1].cited;
/// // Files are named as they were given to `Engine::from_sources`.
/// assert_eq!((cited.file.as_str(), cited.line), ("office/policy.charter", 67));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "A rule as a decision cites it: where it is written and what it says.")
)]
pub struct RuleRef {
    /// The file, relative to the policy's import root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The rule's text.
    pub text: String,
}

/// A checked condition.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::check::{AttrTest, Cond};
/// // `when departments contains "finance" or amount > 5000`
/// let Cond::Or(parts) = &policy.routes[1].when else { panic!("an `or`") };
/// assert!(matches!(&parts[0], Cond::Attribute(_, AttrTest::Contains(d)) if d == "finance"));
/// assert!(matches!(&parts[1], Cond::Attribute(0, AttrTest::Number(_, n)) if *n == 5000.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cond {
    /// All of these.
    And(Vec<Cond>),
    /// Any of these.
    Or(Vec<Cond>),
    /// Not this.
    Not(Box<Cond>),
    /// The category is one of these.
    Category(Vec<usize>),
    /// The channel is one of these.
    Channel(Vec<usize>),
    /// The severity compares so with this one (by rank).
    Severity(CompareOp, usize),
    /// The severity is one of these.
    SeverityIn(Vec<usize>),
    /// A test of an attribute.
    Attribute(usize, AttrTest),
}

/// A test of a typed attribute.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// use charter::check::{AttrTest, Cond};
/// use charter::vocabulary::CompareOp;
/// let Cond::Or(parts) = &policy.routes[1].when else { panic!("an `or`") };
/// let Cond::Attribute(amount, AttrTest::Number(op, limit)) = &parts[1] else { panic!("a number test") };
/// assert_eq!((policy.attributes[*amount].named.name.as_str(), *op, *limit), ("amount", CompareOp::Gt, 5000.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrTest {
    /// A boolean attribute is true.
    True,
    /// Compares with a number.
    Number(CompareOp, f64),
    /// Equals (or not) a string.
    Text(bool, String),
    /// Equals (or not) a boolean.
    Bool(bool, bool),
    /// Is one of these strings.
    TextIn(Vec<String>),
    /// Is one of these numbers.
    NumberIn(Vec<f64>),
    /// A set attribute contains this string.
    Contains(String),
}

/// An SLA block.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let critical = &policy.slas[1];
/// assert_eq!(critical.named.name, "critical");
/// assert!(critical.when.is_some());
/// let names: Vec<&str> = critical.targets.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names, ["acknowledge", "resolve"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Sla {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// When it applies (always, when absent).
    pub when: Option<Cond>,
    /// Its targets.
    pub targets: Vec<Target>,
}

/// A time target.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let update = &policy.slas[0].targets[2];
/// assert_eq!((update.name.as_str(), update.recurring), ("update", true));
/// assert_eq!(update.span.to_string(), "2 working days");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// `acknowledge`, `resolve`, `update`, `callback` or a custom name.
    pub name: String,
    /// Its label (empty when the policy gives none).
    pub label: Label,
    /// The budget.
    pub span: Duration,
    /// Whether it recurs (`every`).
    pub recurring: bool,
    /// Whether it is an aim: met or missed, never breached or escalated.
    pub aim: bool,
    /// Whether every occurrence of the start event opens a clock of its own.
    pub each: bool,
    /// The event that starts the clock.
    pub start: String,
    /// The events that stop it, whichever comes first (at least one).
    pub stop: Vec<String>,
    /// Its calendar, if set on the target or its block.
    pub calendar: Option<usize>,
    /// Where written.
    #[serde(skip)]
    pub span_at: Span,
}

/// `extension TARGET { max SPAN }`
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let extension = &policy.extensions[0];
/// assert_eq!(extension.target, "resolve");
/// assert_eq!(extension.max.to_string(), "5 working days");
/// assert_eq!(extension.count, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Extension {
    /// The target.
    pub target: String,
    /// The most it may be extended by, in total.
    pub max: Duration,
    /// How many extensions are allowed (`None`: any number within `max`).
    pub count: Option<u32>,
    /// The cases it is allowed for (`None`: every case).
    pub when: Option<Cond>,
    /// Where written.
    #[serde(skip)]
    pub span: Span,
}

/// Whom an escalation step addresses.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Whom;
/// let ladder = &policy.escalations[0];
/// assert_eq!(ladder.steps[0].whom, Whom::Handler);
/// assert_eq!(ladder.steps[1].whom, Whom::Superior);
/// assert_eq!(ladder.steps[3].whom, Whom::Role(role("general_manager").ok_or("general_manager")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Whom {
    /// The handler of the case.
    Handler,
    /// The handler's superior (through `reports_to`).
    Superior,
    /// A role.
    Role(usize),
}

/// When an escalation step fires.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Trigger;
/// let steps = &policy.escalations[0].steps;
/// assert!(matches!(steps[2].trigger, Trigger::Breach(None)));
/// assert!(matches!(steps[3].trigger, Trigger::Breach(Some(span)) if span.to_string() == "1 working day"));
/// // The critical complaints' ladder fires at once.
/// assert!(matches!(policy.escalations[1].steps[0].trigger, Trigger::Immediately));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// As soon as the ladder applies.
    Immediately,
    /// At this percentage of the target's budget.
    Percent(f64),
    /// At the deadline, plus this.
    Breach(Option<Duration>),
}

/// One step of a ladder.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationStep {
    /// When.
    pub trigger: Trigger,
    /// `escalate` (true) or `notify` (false).
    pub escalate: bool,
    /// To whom.
    pub whom: Whom,
    /// Where written.
    #[serde(skip)]
    pub span: Span,
}

/// An escalation ladder.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Trigger;
/// let ladder = &policy.escalations[0];
/// assert_eq!((ladder.named.name.as_str(), ladder.target.as_deref()), ("resolve_ladder", Some("resolve")));
/// assert!(matches!(ladder.steps[0].trigger, Trigger::Percent(p) if p == 50.0));
/// assert!(ladder.steps[1].escalate && !ladder.steps[0].escalate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// The target whose clock drives it.
    pub target: Option<String>,
    /// When it applies.
    pub when: Option<Cond>,
    /// The steps.
    pub steps: Vec<EscalationStep>,
}

/// A callback rule.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let feedback = &policy.callbacks[0];
/// let (within, from, _) = feedback.within.as_ref().ok_or("a time limit")?;
/// assert_eq!((within.to_string().as_str(), from.as_str()), ("3 working days", "resolved"));
/// // `via original`: the channel the complaint came in by.
/// assert_eq!(feedback.via, None);
/// assert!(feedback.ask_satisfaction && feedback.reopen_if_dissatisfied);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Callback {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// When it applies.
    pub when: Option<Cond>,
    /// Time allowed, the event it runs from, and the calendar.
    pub within: Option<(Duration, String, Option<usize>)>,
    /// A fixed channel, or `None` for the original channel's callback channel.
    pub via: Option<usize>,
    /// Whether satisfaction is asked.
    pub ask_satisfaction: bool,
    /// Whether a dissatisfied customer reopens the case.
    pub reopen_if_dissatisfied: bool,
}

/// A handling stage.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Whom;
/// let stage = |name: &str| policy.stages.iter().position(|s| s.named.name == name);
/// let review = &policy.stages[stage("review").ok_or("review")?];
/// assert_eq!(review.after, stage("handling"));
/// assert_eq!(review.separate_from, [stage("handling").ok_or("handling")?]);
/// assert_eq!(review.by, Some(Whom::Superior));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// The stage it follows.
    pub after: Option<usize>,
    /// Stages whose handler may not handle this one.
    pub separate_from: Vec<usize>,
    /// The role that handles it (`by`), if the policy names one.
    pub by: Option<Whom>,
    /// Targets that start when the stage is entered.
    pub targets: Vec<Target>,
}

/// A scheduled report.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Recipient;
/// let monthly = &policy.reports[0];
/// assert_eq!(monthly.covering.as_deref(), Some("previous month"));
/// assert!(matches!(monthly.to[..], [Recipient::Role(r)] if Some(r) == role("general_manager")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// When it is due.
    pub schedule: Option<Schedule>,
    /// What it covers.
    pub covering: Option<String>,
    /// Recipients.
    pub to: Vec<Recipient>,
    /// Copies.
    pub cc: Vec<Recipient>,
    /// The calendar that tells working days from the others: the report's `on CAL`, else the
    /// policy's default calendar.
    pub calendar: Option<usize>,
    /// Where the report goes when due on a day that is not a working day.
    pub if_closed: IfClosed,
    /// Whether `if_closed` is written (documents state an explicit `keep`).
    #[serde(skip)]
    pub if_closed_written: bool,
}

/// A report recipient.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A role.
    Role(usize),
    /// Someone outside the policy.
    External(Label),
}

/// A position description.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// # let role = |name: &str| policy.roles.iter().position(|r| r.named.name == name);
/// // `policy` is the complaint office's, compiled.
/// let officer = &policy.roles[role("complaint_officer").ok_or("complaint_officer")?];
/// assert_eq!(officer.named.label.text, "投诉处理与协调岗");
/// assert_eq!((officer.headcount, officer.reports_to), (Some(4), role("office_director")));
/// assert_eq!(officer.duties[0].weight, Some(40.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Default)]
pub struct Role {
    /// Identifier and title.
    #[serde(flatten)]
    pub named: Named,
    /// Position code.
    pub code: Option<String>,
    /// The position description's document number.
    pub document: Option<String>,
    /// Department index.
    pub department: Option<usize>,
    /// Direct superior.
    pub reports_to: Option<usize>,
    /// Headcount.
    pub headcount: Option<u32>,
    /// Grade (职位等级).
    pub grade: Option<String>,
    /// Pay grade (薪酬等级).
    pub pay_grade: Option<Label>,
    /// Office grade (办公等级).
    pub office_grade: Option<Label>,
    /// Office location.
    pub location: Option<Label>,
    /// Working hours.
    pub hours: Option<Label>,
    /// Purpose of the position.
    pub purpose: Option<Label>,
    /// Working relations: (internal?, text).
    pub relations: Vec<(bool, Label)>,
    /// Related positions.
    pub related: Vec<usize>,
    /// Duties.
    pub duties: Vec<Duty>,
    /// Authorities.
    pub authorities: Vec<Authority>,
    /// Rights.
    pub rights: Vec<Label>,
    /// Obligations.
    pub obligations: Vec<Label>,
    /// Qualifications: (kind, years of experience, text).
    pub requirements: Vec<Requirement>,
    /// Training.
    pub training: Vec<Label>,
    /// Promotion path, nearest step first: roles of the policy or named positions.
    pub promotes_to: Vec<Recipient>,
    /// Rotation positions.
    pub rotates_with: Vec<usize>,
    /// Deputy.
    pub deputy: Option<usize>,
}

/// A duty of a role.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// let officer = policy.roles.iter().find(|r| r.named.name == "complaint_officer").ok_or("officer")?;
/// let records = officer.duties.iter().find(|d| d.named.name == "records").ok_or("records")?;
/// assert_eq!(records.weight, Some(20.0));
/// assert_eq!(records.time, Some((1.0, "day".into(), "month".into())));
/// assert_eq!(records.process.len(), 3);
/// // It owns the procedure's `archive` step.
/// let (p, s) = records.owns[0];
/// assert_eq!(policy.procedures[p].steps[s].named.name, "archive");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Duty {
    /// Identifier and text.
    #[serde(flatten)]
    pub named: Named,
    /// Weight in percent.
    pub weight: Option<f64>,
    /// Time budget: (amount, unit, per period); `None` with `ad_hoc` true for ad hoc.
    pub time: Option<(f64, String, String)>,
    /// Whether the time is ad hoc.
    pub ad_hoc: bool,
    /// Measure.
    pub measure: Option<Label>,
    /// Key process.
    pub process: Vec<Label>,
    /// Key result.
    pub result: Option<Label>,
    /// Procedure steps owned: (procedure index, step index).
    pub owns: Vec<(usize, usize)>,
    /// Work items, each with its own time.
    pub items: Vec<WorkItem>,
    /// Whether this is the catch-all duty (`duty other`), listed last.
    pub other: bool,
}

/// A work item under a duty.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// What is done.
    pub text: Label,
    /// Its time: `None` when not given.
    pub time: Option<WorkTime>,
}

/// The time a work item takes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkTime {
    /// As it comes (不定时).
    AdHoc,
    /// Amount, unit (`hours` or `days`) and period (`day`, `week`, ...).
    Per(f64, String, String),
}

/// An authority of a role.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// use charter::vocabulary::AuthorityLevel;
/// let officer = policy.roles.iter().find(|r| r.named.name == "complaint_officer").ok_or("officer")?;
/// let compensation = &officer.authorities[1];
/// assert_eq!(compensation.matter.text, "赔偿");
/// assert_eq!(compensation.levels, [AuthorityLevel::Approve]);
/// assert_eq!(compensation.limit, Some((500.0, "CNY".into())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Authority {
    /// Management, expense, personnel or other.
    pub kind: AuthorityKind,
    /// The levels held (submit, review, approve), lowest first.
    pub levels: Vec<AuthorityLevel>,
    /// Over what.
    pub matter: Label,
    /// Monetary limit and currency.
    pub limit: Option<(f64, String)>,
}

/// A qualification.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// let officer = policy.roles.iter().find(|r| r.named.name == "complaint_officer").ok_or("officer")?;
/// let experience = officer.requirements.iter().find(|r| r.kind == "experience").ok_or("experience")?;
/// assert_eq!(experience.years, Some(1));
/// assert_eq!(experience.text.as_ref().map(|t| t.text.as_str()), Some("客服工作"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// `education`, `major`, `experience`, `skill`, `knowledge` or `trait`.
    pub kind: String,
    /// Years, for experience.
    pub years: Option<u32>,
    /// The text.
    pub text: Option<Label>,
}

/// A procedure.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// let procedure = &policy.procedures[0];
/// assert_eq!(procedure.named.name, "complaint_handling");
/// let steps: Vec<&str> = procedure.steps.iter().map(|s| s.named.name.as_str()).collect();
/// assert_eq!(steps, ["receive", "classify", "handle", "review", "callback", "archive"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Procedure {
    /// Identifier and title.
    #[serde(flatten)]
    pub named: Named,
    /// Purpose.
    pub purpose: Option<Label>,
    /// Scope of application.
    pub applies_to: Option<Label>,
    /// Ordered steps.
    pub steps: Vec<ProcedureStep>,
}

/// A procedure step.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// use charter::check::Whom;
/// let steps = &policy.procedures[0].steps;
/// let (within, _calendar) = steps[0].within.as_ref().ok_or("a time limit")?;
/// assert_eq!(within.to_string(), "1 working hour");
/// assert_eq!(steps[3].by, Some(Whom::Superior));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct ProcedureStep {
    /// Identifier and label.
    #[serde(flatten)]
    pub named: Named,
    /// Time limit and calendar.
    pub within: Option<(Duration, Option<usize>)>,
    /// Who does it (`by`): the routed handler (`routed`), the handler's superior
    /// (`superior`), or a role.
    #[serde(serialize_with = "owner")]
    pub by: Option<Whom>,
    /// Only cases for which this holds go through the step (`when`).
    pub when: Option<Cond>,
    /// What is done, in order (`does`).
    pub does: Vec<Label>,
    /// What is written down (`records`).
    pub records: Vec<Label>,
    /// Forms and registers kept (`form`).
    pub forms: Vec<Label>,
    /// Whether the case is accepted, redirected or completed after this step (`checks scope`).
    pub checks_scope: bool,
    /// `calls_back`: the customer callbacks are made in this step.
    pub calls_back: bool,
    /// Questions asked after the step, each sending the case back to an earlier or later step
    /// of the same procedure when it holds (`back_to STEP if "..."`).
    pub back_to: Vec<(usize, Label)>,
}

/// A step's owner as `null` (none), `"routed"` or the role's index.
fn owner<S: serde::Serializer>(by: &Option<Whom>, s: S) -> Result<S::Ok, S::Error> {
    match by {
        None => s.serialize_none(),
        Some(Whom::Handler) => s.serialize_str("routed"),
        Some(Whom::Superior) => s.serialize_str("superior"),
        Some(Whom::Role(role)) => s.serialize_u64(*role as u64),
    }
}

/// What the categories and severities mean, by index, where the policy says.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Definitions {
    /// One per category.
    pub categories: Vec<Option<Label>>,
    /// One per severity.
    pub severities: Vec<Option<Label>>,
}

impl Policy {
    /// Index of a role by name.
    pub fn role(&self, name: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.named.name == name)
    }
}
