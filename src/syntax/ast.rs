//! The abstract syntax tree of one `.charter` file. Every node carries the [`Span`] it was
//! parsed from; nothing here refers to pest.

use chrono::NaiveDate;

pub use crate::source::{FileId, Span};
use crate::time::{OpenInterval, Span as Duration};
pub use crate::vocabulary::{
    AttrType, AuthorityKind, AuthorityLevel, CompareOp, IfClosed, Label, Schedule,
};

/// A node with its source span.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"channel web "Web""#).map_err(|e| format!("{e:?}"))?;
/// let item: &Node<Item> = &file.items[0];
/// // The span covers the declaration, in bytes of the text.
/// assert_eq!((item.span.start, item.span.end), (0, 17));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    /// Where it was written.
    pub span: Span,
    /// What was written.
    pub node: T,
}

/// A name: a declaration's identifier or a reference to one.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"channel web "Web" { callback phone }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Channel(head, Some(callback)) = &file.items[0].node else { panic!("a channel") };
/// assert_eq!((head.name.name.as_str(), callback.name.as_str()), ("web", "phone"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A parsed file: its top-level declarations in order.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"import "../calendars/cn-2026.charter"
/// category billing "Billing""#).map_err(|e| format!("{e:?}"))?;
/// assert_eq!(file.items.len(), 2);
/// assert!(matches!(&file.items[0].node, Item::Import(path) if path == "../calendars/cn-2026.charter"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct File {
    /// The declarations.
    pub items: Vec<Node<Item>>,
}

/// A declaration's head: `KIND name "label"`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"department finance "财务部" en "Finance""#).map_err(|e| format!("{e:?}"))?;
/// let Item::Department(head) = &file.items[0].node else { panic!("a department") };
/// let label = head.label.as_ref().ok_or("a label")?;
/// assert_eq!((label.text.as_str(), label.en.as_deref()), ("财务部", Some("Finance")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Its name.
    pub name: Ident,
    /// Its label, if written.
    pub label: Option<Label>,
}

/// A top-level declaration.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"severities { minor "Minor"  major "Major" }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Severities(levels) = &file.items[0].node else { panic!("severities") };
/// let names: Vec<&str> = levels.iter().map(|(head, _)| head.name.name.as_str()).collect();
/// assert_eq!(names, ["minor", "major"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `policy ID { ... }`
    Policy(Head, Vec<Node<PolicyStmt>>),
    /// `import "path"`
    Import(String),
    /// `calendar ID { ... }`
    Calendar(Head, Vec<Node<CalendarStmt>>),
    /// `channel ID { callback ID }`
    Channel(Head, Option<Ident>),
    /// `field ID { required | optional }`
    Field(Head, Option<bool>, Option<FieldScope>, bool),
    /// `attribute ID { type T [unit LABEL] }`, with where the unit is written.
    /// `attribute ID { type T  unit "…"  means "…" }`
    Attribute(Head, AttrType, Option<(Label, Span)>, Option<Label>),
    /// `severities { ... }`, lowest first, each with what it means when written.
    Severities(Vec<(Head, Option<Label>)>),
    /// `category ID { means "..." }`
    Category(Head, Option<Label>),
    /// `department ID`
    Department(Head),
    /// `event ID`: an event kind cases may record.
    Event(Head),
    /// `scope { ... }`
    Scope(Vec<Node<ScopeStmt>>),
    /// `route { ... }`
    Route(Rules),
    /// `calendars { ... }`
    Calendars(Rules),
    /// `sla ID when C on CAL { targets }`
    Sla(Sla),
    /// `escalate ID for T when C { steps }`
    Escalate(Escalate),
    /// `callback ID when C { ... }`
    Callback(Head, Option<Node<Condition>>, Vec<Node<CallbackStmt>>),
    /// `stage ID { ... }`
    Stage(Head, Vec<Node<StageStmt>>),
    /// `extension TARGET { max SPAN }`
    Extension(Extension),
    /// `report ID { ... }`
    Report(Head, Vec<Node<ReportStmt>>),
    /// `role ID { ... }`
    Role(Head, Vec<Node<RoleStmt>>),
    /// `procedure ID { ... }`
    Procedure(Head, Vec<Node<ProcedureStmt>>),
}

/// Statements of a `policy` header.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"policy p "P" { version "2" effective 2026-07-01 at_risk 80% }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Policy(_, stmts) = &file.items[0].node else { panic!("a policy") };
/// assert!(stmts.iter().any(|s| matches!(s.node, PolicyStmt::AtRisk(p) if p == 80.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyStmt {
    /// `version "2026.1"`
    Version(String),
    /// `effective 2026-01-01`
    Effective(NaiveDate),
    /// `timezone "Asia/Shanghai"`
    Timezone(String),
    /// `locale "zh-CN"`
    Locale(String),
    /// `calendar office`: the default calendar of targets.
    Calendar(Ident),
    /// `at_risk 75%`
    AtRisk(f64),
    /// `fallback allowed | forbidden`
    Fallback(bool),
    /// `satisfaction 90%`: the satisfaction target.
    Satisfaction(f64),
    /// `organisation "某某公司" en "Example Co."`: who issues the documents.
    Organisation(Label),
    /// `document "QP-CS-001"`: the procedure document's number.
    Document(String),
    /// `changes "首次响应时限缩短" en "…"`: what this version changed, for the revision record.
    Changes(Label),
}

/// Statements of a `calendar`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"calendar office "Office" { week mon..fri 09:00-12:00, 13:30-18:00  holiday 2026-10-01..2026-10-07 "National Day" }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Calendar(_, stmts) = &file.items[0].node else { panic!("a calendar") };
/// let CalendarStmt::Week(days, hours) = &stmts[0].node else { panic!("a week") };
/// assert_eq!((days.as_slice(), hours.len()), (&[(0, 4)][..], 2));
/// assert!(matches!(&stmts[1].node, CalendarStmt::Holiday(_, _, Some(label)) if label.text == "National Day"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarStmt {
    /// `timezone "Asia/Shanghai"`
    Timezone(String),
    /// `valid 2026-01-01..2026-12-31`
    Valid(NaiveDate, NaiveDate),
    /// `use cn_2026`: take another calendar's holidays and working days.
    Use(Ident),
    /// `week mon..fri 09:00-12:00, 13:30-18:00` (days as Monday-first ranges).
    Week(Vec<(u8, u8)>, Vec<Node<OpenInterval>>),
    /// `holiday 2026-10-01..2026-10-07 "National Day"`
    Holiday(NaiveDate, NaiveDate, Option<Label>),
    /// `yearly 10-01..10-03 "国庆节"`: closed on these dates every year, as (month, day).
    Yearly((u32, u32), (u32, u32), Option<Label>),
    /// `beyond valid provisional|refuse`: `true` for provisional.
    Beyond(bool),
    /// `workday 2026-10-10 09:00-18:00 "make-up day"` (no hours: a regular day's hours).
    Workday(NaiveDate, Option<Vec<Node<OpenInterval>>>, Option<Label>),
}

/// Statements of `scope`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"scope { accept billing, service  incomplete within 1 working day }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Scope(stmts) = &file.items[0].node else { panic!("a scope") };
/// assert!(matches!(&stmts[0].node, ScopeStmt::Accept(names) if names.len() == 2));
/// assert!(matches!(&stmts[1].node, ScopeStmt::Incomplete(span, None) if span.to_string() == "1 working day"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ScopeStmt {
    /// `accept a, b`
    Accept(Vec<Ident>),
    /// `redirect a to "dest" because "reason"`
    Redirect(Vec<Ident>, Label, Label, Option<(Duration, Option<Ident>)>),
    /// `incomplete within 1 working day on office`
    Incomplete(Duration, Option<Ident>),
}

/// An ordered list of `when C -> X` rules with an optional `otherwise -> X`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"route { when vip -> director  otherwise -> clerk }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// assert_eq!(rules.rules.len(), 1);
/// assert_eq!(rules.otherwise.as_ref().map(|o| o.node.name.as_str()), Some("clerk"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// The rules in order.
    pub rules: Vec<Node<RouteRule>>,
    /// The fallback.
    pub otherwise: Option<Node<Ident>>,
}

/// `when C -> X`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"route { when vip -> director }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// let rule = &rules.rules[0].node;
/// assert_eq!(rule.to.name, "director");
/// assert!(matches!(&rule.when.node, Condition::Test(attribute, Test::Truthy) if attribute.name == "vip"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRule {
    /// The condition.
    pub when: Node<Condition>,
    /// Where matching cases go.
    pub to: Ident,
}

/// A condition over a case.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"route { when not (vip or amount > 100) -> clerk }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// let Condition::Not(inner) = &rules.rules[0].node.when.node else { panic!("a `not`") };
/// assert!(matches!(&inner.node, Condition::Or(parts) if parts.len() == 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All of these.
    And(Vec<Node<Condition>>),
    /// Any of these.
    Or(Vec<Node<Condition>>),
    /// Not this.
    Not(Box<Node<Condition>>),
    /// A test of one subject: `category`, `channel`, `severity` or an attribute.
    Test(Ident, Test),
}

/// What is tested of a subject.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"route { when channel in [web, app] -> clerk }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// let Condition::Test(_, Test::In(values)) = &rules.rules[0].node.when.node else { panic!("an `in`") };
/// assert!(matches!(&values[1].node, Value::Name(n) if n == "app"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The bare subject: a boolean attribute that is true.
    Truthy,
    /// `x in [a, b]`
    In(Vec<Node<Value>>),
    /// `x contains v`
    Contains(Node<Value>),
    /// `x OP v`
    Compare(CompareOp, Node<Value>),
}

/// A literal in a condition.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"route { when amount >= 5000 -> clerk }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// let Condition::Test(_, Test::Compare(op, value)) = &rules.rules[0].node.when.node else { panic!("a comparison") };
/// assert_eq!(*op, CompareOp::Ge);
/// assert_eq!(value.node, Value::Number(5000.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` / `false`
    Bool(bool),
    /// `"text"`
    String(String),
    /// `5000`, `0.5`
    Number(f64),
    /// A name: a category, channel or severity.
    Name(String),
}

/// `for A, B` or `except A, B` after a field's presence: the categories it applies to.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"field invoice "Invoice" { required for billing }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Field(_, Some(true), Some(scope), _) = &file.items[0].node else { panic!("a required field") };
/// assert!(!scope.except);
/// assert_eq!(scope.categories[0].name, "billing");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FieldScope {
    /// `true` for `except` (every category but these), `false` for `for` (only these).
    pub except: bool,
    /// The categories.
    pub categories: Vec<Ident>,
}

/// `extension TARGET when C { max SPAN  count N }`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"extension resolve { max 5 working days  count 2 }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Extension(extension) = &file.items[0].node else { panic!("an extension") };
/// assert_eq!(extension.target.name, "resolve");
/// assert!(matches!(extension.stmts[1].node, ExtensionStmt::Count(2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    /// The target it extends.
    pub target: Ident,
    /// The cases it is allowed for.
    pub when: Option<Node<Condition>>,
    /// Its statements.
    pub stmts: Vec<Node<ExtensionStmt>>,
}

/// A statement of an `extension` block.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"extension resolve { max 5 working days }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Extension(extension) = &file.items[0].node else { panic!("an extension") };
/// assert!(matches!(&extension.stmts[0].node, ExtensionStmt::Max(span) if span.to_string() == "5 working days"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionStmt {
    /// `max SPAN`: the most the deadline may move in all.
    Max(Duration),
    /// `count N`: how many extensions are allowed.
    Count(u32),
}

/// `sla ID "label" when C on CAL { targets }`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"sla critical "Critical" when severity = critical { acknowledge within 30 minutes }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Sla(sla) = &file.items[0].node else { panic!("an sla") };
/// assert_eq!(sla.head.name.name, "critical");
/// assert!(sla.when.is_some());
/// assert_eq!(sla.targets[0].node.name.name, "acknowledge");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sla {
    /// Name and label.
    pub head: Head,
    /// The condition under which the block applies.
    pub when: Option<Node<Condition>>,
    /// The calendar of its targets.
    pub on: Option<Ident>,
    /// The targets.
    pub targets: Vec<Node<Target>>,
}

/// `resolve within 5 working days from received until resolved on office`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"sla standard "Standard" { update every 2 working days  resolve within 5 working days until resolved or closed }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Sla(sla) = &file.items[0].node else { panic!("an sla") };
/// let update = &sla.targets[0].node;
/// assert!(update.recurring);
/// let resolve = &sla.targets[1].node;
/// let stops: Vec<&str> = resolve.until.iter().map(|i| i.name.as_str()).collect();
/// assert_eq!(stops, ["resolved", "closed"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target's name.
    pub name: Ident,
    /// Its label (`return_call "回电" en "Call back" within …`).
    pub label: Option<Label>,
    /// The budget.
    pub span: Duration,
    /// Whether it recurs (`every`).
    pub recurring: bool,
    /// Whether it is an aim (`aim NAME …`): met or missed, never breached or escalated.
    pub aim: bool,
    /// Whether every occurrence of the start event opens a clock (`from each EVENT`).
    pub each: bool,
    /// The start event.
    pub from: Option<Ident>,
    /// The stop events (`until A or B`); empty for the default.
    pub until: Vec<Ident>,
    /// Its calendar.
    pub on: Option<Ident>,
}

/// `escalate ID for TARGET when C { steps }`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"escalate ladder "Ladder" for resolve { at 80% escalate superior  at breach + 1 working day notify head }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Escalate(ladder) = &file.items[0].node else { panic!("a ladder") };
/// assert_eq!(ladder.target.as_ref().map(|t| t.name.as_str()), Some("resolve"));
/// let step: &Step = &ladder.steps[0].node;
/// assert!(step.escalate && step.whom.name == "superior");
/// assert!(matches!(&step.trigger, Trigger::Percent(p) if p.node == 80.0));
/// assert!(matches!(&ladder.steps[1].node.trigger, Trigger::Breach(Some(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Escalate {
    /// Name and label.
    pub head: Head,
    /// The target whose clock drives the steps.
    pub target: Option<Ident>,
    /// The condition under which the ladder applies.
    pub when: Option<Node<Condition>>,
    /// The steps.
    pub steps: Vec<Node<Step>>,
}

/// `at 80% escalate superior`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"escalate now "Now" { immediately notify head }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Escalate(ladder) = &file.items[0].node else { panic!("a ladder") };
/// let step: &Step = &ladder.steps[0].node;
/// assert!(!step.escalate && step.whom.name == "head");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// When it fires.
    pub trigger: Trigger,
    /// `true` for `escalate`, `false` for `notify`.
    pub escalate: bool,
    /// To whom: a role, `handler` or `superior`.
    pub whom: Ident,
}

/// When an escalation step fires.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"escalate now "Now" { immediately notify head }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Escalate(ladder) = &file.items[0].node else { panic!("a ladder") };
/// assert!(matches!(ladder.steps[0].node.trigger, Trigger::Immediately));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// As soon as the ladder applies.
    Immediately,
    /// At this share of the budget (percent).
    Percent(Node<f64>),
    /// At the deadline, or this long after it.
    Breach(Option<Duration>),
}

/// Statements of a `callback` block.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"callback feedback "Feedback" { within 3 working days from resolved  via original  ask satisfaction }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Callback(_, None, stmts) = &file.items[0].node else { panic!("a callback") };
/// assert!(matches!(&stmts[0].node, CallbackStmt::Within(_, Some(from), None) if from.name == "resolved"));
/// assert!(matches!(stmts[2].node, CallbackStmt::AskSatisfaction));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CallbackStmt {
    /// `within 3 days from resolved on office`
    Within(Duration, Option<Ident>, Option<Ident>),
    /// `via original` or `via CHANNEL`
    Via(Ident),
    /// `ask satisfaction`
    AskSatisfaction,
    /// `dissatisfied reopen`
    DissatisfiedReopen,
}

/// Statements of a `stage` block.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"stage review "Review" { after handling  separate_from handling  by superior }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Stage(_, stmts) = &file.items[0].node else { panic!("a stage") };
/// assert!(matches!(&stmts[0].node, StageStmt::After(s) if s.name == "handling"));
/// assert!(matches!(&stmts[2].node, StageStmt::By(w) if w.name == "superior"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StageStmt {
    /// `after first`
    After(Ident),
    /// `separate_from first`
    SeparateFrom(Ident),
    /// `by ROLE` (or `handler`, `superior`): the role that handles the stage.
    By(Ident),
    /// A target that starts when the stage is entered.
    Target(Target),
}

/// Statements of a `report` block.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"report monthly "Monthly" { every month on day 5 before 10:00  covering previous month  to general_manager }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Report(_, stmts) = &file.items[0].node else { panic!("a report") };
/// assert!(matches!(&stmts[1].node, ReportStmt::Covering(c) if c == "previous month"));
/// assert!(matches!(&stmts[2].node, ReportStmt::To(to) if matches!(&to[0], Recipient::Role(r) if r.name == "general_manager")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ReportStmt {
    /// `every week on monday before 10:00`, with `on CAL` when given.
    Schedule(Schedule, Option<Ident>),
    /// `covering previous week`
    Covering(String),
    /// `to a, "external"`
    To(Vec<Recipient>),
    /// `cc b`
    Cc(Vec<Recipient>),
    /// `if_closed next`
    IfClosed(IfClosed),
}

/// A report recipient: a role, or a named outside party.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"report weekly "Weekly" { every week on monday before 09:00  to director, "董事会" en "The board" }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Report(_, stmts) = &file.items[0].node else { panic!("a report") };
/// let ReportStmt::To(to) = &stmts[1].node else { panic!("recipients") };
/// assert!(matches!(&to[0], Recipient::Role(r) if r.name == "director"));
/// assert!(matches!(&to[1], Recipient::External(l) if l.text == "董事会"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    /// A role.
    Role(Ident),
    /// Someone outside the policy.
    External(Label),
}

/// Statements of a `role` block: the position description.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { headcount 4  reports_to director  requires experience 2 years "客服" }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// assert!(matches!(stmts[0].node, RoleStmt::Headcount(4)));
/// assert!(matches!(&stmts[2].node, RoleStmt::Requires(Requirement::Experience(2, Some(_)))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum RoleStmt {
    /// `code "CS-03"`
    Code(String),
    /// `document "JD-CS-003"`: the position description's document number.
    Document(String),
    /// `department sales`
    Department(Ident),
    /// `reports_to cs_supervisor`
    ReportsTo(Ident),
    /// `headcount 3`
    Headcount(u32),
    /// `grade "P4"`
    Grade(String),
    /// `pay_grade "..."` (薪酬等级)
    PayGrade(Label),
    /// `office_grade "..."` (办公等级)
    OfficeGrade(Label),
    /// `location "..."`
    Location(Label),
    /// `hours "..."`
    Hours(Label),
    /// `purpose "..."`
    Purpose(Label),
    /// `relation internal "..."` (`true` for internal)
    Relation(bool, Label),
    /// `related a, b`
    Related(Vec<Ident>),
    /// `duty ID "..." { ... }`
    Duty(Duty),
    /// `authority expense submit, review "..." up to 500 CNY`
    Authority(Authority),
    /// `right "..."`
    Right(Label),
    /// `obligation "..."`
    Obligation(Label),
    /// `requires education "..."`, `requires experience 2 years "..."`
    Requires(Requirement),
    /// `training "..."`
    Training(Label),
    /// `promotes_to "senior specialist" -> ID`: the promotion path
    PromotesTo(Vec<Recipient>),
    /// `rotates_with a, b`
    RotatesWith(Vec<Ident>),
    /// `deputy ID`
    Deputy(Ident),
}

/// A qualification.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { requires education "大专及以上学历" }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// assert!(matches!(&stmts[0].node, RoleStmt::Requires(Requirement::Other(kind, text)) if kind == "education" && text.text == "大专及以上学历"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// `experience N years "field"`
    Experience(u32, Option<Label>),
    /// `education`, `major`, `skill`, `knowledge` or `trait`, with its text.
    Other(String, Label),
}

/// `authority KIND? LEVEL, LEVEL "matter" up to N CUR`
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { authority approve "赔偿" en "Compensation" up to 500 CNY }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// let RoleStmt::Authority(authority) = &stmts[0].node else { panic!("an authority") };
/// assert_eq!(authority.levels[0].node, AuthorityLevel::Approve);
/// assert_eq!(authority.limit, Some((500.0, "CNY".into())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Authority {
    /// Management, expense, personnel or other; `None` when left out.
    pub kind: Option<AuthorityKind>,
    /// The levels held, as written, each with its place.
    pub levels: Vec<Node<AuthorityLevel>>,
    /// Over what.
    pub matter: Label,
    /// Monetary limit and currency.
    pub limit: Option<(f64, String)>,
}

/// `duty ID "label" { ... }`, or the catch-all `duty other "label"`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { duty intake "受理" { weight 40%  time 3 hours per day  item "登记" ad_hoc } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// let RoleStmt::Duty(duty) = &stmts[0].node else { panic!("a duty") };
/// assert_eq!(duty.name.name, "intake");
/// assert!(matches!(&duty.stmts[1].node, DutyStmt::Time(Some((amount, unit, per))) if *amount == 3.0 && unit == "hours" && per == "day"));
/// assert!(matches!(&duty.stmts[2].node, DutyStmt::Item(_, Some(ItemTime::AdHoc))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    /// Name (`other` for the catch-all duty).
    pub name: Ident,
    /// Whether this is the catch-all duty (`duty other`).
    pub other: bool,
    /// What the duty is.
    pub label: Label,
    /// Its statements.
    pub stmts: Vec<Node<DutyStmt>>,
}

/// Statements of a duty.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { duty intake "受理" { measure "不遗漏"  process "接听" -> "登记" } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// let RoleStmt::Duty(duty) = &stmts[0].node else { panic!("a duty") };
/// assert!(matches!(&duty.stmts[0].node, DutyStmt::Measure(m) if m.text == "不遗漏"));
/// assert!(matches!(&duty.stmts[1].node, DutyStmt::Process(steps) if steps.len() == 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum DutyStmt {
    /// `weight 60%`
    Weight(Node<f64>),
    /// `time 1 hours per day` or `time ad_hoc`
    Time(Option<(f64, String, String)>),
    /// `measure "..."`
    Measure(Label),
    /// `process "a" -> "b"`
    Process(Vec<Label>),
    /// `result "..."`
    Result(Label),
    /// `owns receive, complaint_handling.classify`
    Owns(Vec<StepRef>),
    /// `item "..." for 0.5 hours per day`: a work item with its own time
    Item(Label, Option<ItemTime>),
}

/// The time a work item takes.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { duty intake "受理" { item "月报" for 2 hours per month } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// let RoleStmt::Duty(duty) = &stmts[0].node else { panic!("a duty") };
/// let DutyStmt::Item(_, Some(ItemTime::Per(amount, unit, per))) = &duty.stmts[0].node else { panic!("a timed item") };
/// assert_eq!((*amount, unit.as_str(), per.as_str()), (2.0, "hours", "month"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ItemTime {
    /// `ad_hoc`
    AdHoc,
    /// `for 0.5 hours per day`: amount, unit, period.
    Per(f64, String, String),
}

/// A reference to a procedure step: `step` or `procedure.step`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"role clerk "Clerk" { duty records "档案" { owns handling.archive, receive } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Role(_, stmts) = &file.items[0].node else { panic!("a role") };
/// let RoleStmt::Duty(duty) = &stmts[0].node else { panic!("a duty") };
/// let DutyStmt::Owns(steps) = &duty.stmts[0].node else { panic!("owns") };
/// assert_eq!(steps[0].procedure.as_ref().map(|p| p.name.as_str()), Some("handling"));
/// assert_eq!((steps[1].procedure.as_ref(), steps[1].step.name.as_str()), (None, "receive"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    /// The procedure, when qualified.
    pub procedure: Option<Ident>,
    /// The step.
    pub step: Ident,
}

/// Statements of a `procedure`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"procedure handling "处理程序" { purpose "规范处理"  step receive "受理" { within 1 working hour  checks scope } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Procedure(_, stmts) = &file.items[0].node else { panic!("a procedure") };
/// assert!(matches!(&stmts[0].node, ProcedureStmt::Purpose(p) if p.text == "规范处理"));
/// let ProcedureStmt::Step(head, steps) = &stmts[1].node else { panic!("a step") };
/// assert_eq!(head.name.name, "receive");
/// assert!(matches!(steps[1].node, StepStmt::ChecksScope));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ProcedureStmt {
    /// `purpose "..."`
    Purpose(Label),
    /// `applies_to "..."`
    AppliesTo(Label),
    /// `step ID "label" { within SPAN  by ROLE|routed  does "..." ... }`
    Step(Head, Vec<Node<StepStmt>>),
}

/// Statements of a procedure `step`.
///
/// ```
/// use charter::syntax::ast::*;
/// let file = charter::syntax::parse(charter::syntax::FileId(0), r#"procedure p "P" { step review "复核" { by superior  does "检查结果" } }"#).map_err(|e| format!("{e:?}"))?;
/// let Item::Procedure(_, stmts) = &file.items[0].node else { panic!("a procedure") };
/// let ProcedureStmt::Step(_, steps) = &stmts[0].node else { panic!("a step") };
/// assert!(matches!(&steps[0].node, StepStmt::By(w) if w.name == "superior"));
/// assert!(matches!(&steps[1].node, StepStmt::Does(d) if d.text == "检查结果"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StepStmt {
    /// `within SPAN on CAL`: the step's time limit.
    Within(Duration, Option<Ident>),
    /// `by ROLE` or `by routed`: who does it.
    By(Ident),
    /// `when CONDITION`: only cases for which the condition holds go through the step.
    When(Node<Condition>),
    /// `does "..."`: one action of the step.
    Does(Label),
    /// `records "..."`: what is written down.
    Records(Label),
    /// `form "..."`: a form or register kept.
    Form(Label),
    /// `checks scope`: the case is accepted, redirected or completed after this step.
    ChecksScope,
    /// `calls_back`: the customer callbacks are made in this step.
    CallsBack,
    /// `back_to STEP if "..."`: a case for which the question holds goes back to `STEP`.
    BackTo(Ident, Label),
}
