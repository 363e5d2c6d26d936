//! The abstract syntax tree of one `.charter` file. Every node carries the [`Span`] it was
//! parsed from; nothing here refers to pest.

use chrono::NaiveDate;

pub use crate::source::{FileId, Span};
use crate::time::{OpenInterval, Span as Duration};
pub use crate::vocabulary::{
    AttrType, AuthorityKind, AuthorityLevel, CompareOp, IfClosed, Label, Schedule,
};

/// A node with its source span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    /// Where it was written.
    pub span: Span,
    /// What was written.
    pub node: T,
}

/// A name: a declaration's identifier or a reference to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A parsed file: its top-level declarations in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct File {
    /// The declarations.
    pub items: Vec<Node<Item>>,
}

/// A declaration's head: `KIND name "label"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Its name.
    pub name: Ident,
    /// Its label, if written.
    pub label: Option<Label>,
}

/// A top-level declaration.
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
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// The rules in order.
    pub rules: Vec<Node<RouteRule>>,
    /// The fallback.
    pub otherwise: Option<Node<Ident>>,
}

/// `when C -> X`
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRule {
    /// The condition.
    pub when: Node<Condition>,
    /// Where matching cases go.
    pub to: Ident,
}

/// A condition over a case.
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
#[derive(Debug, Clone, PartialEq)]
pub struct FieldScope {
    /// `true` for `except` (every category but these), `false` for `for` (only these).
    pub except: bool,
    /// The categories.
    pub categories: Vec<Ident>,
}

/// `extension TARGET when C { max SPAN  count N }`
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
#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionStmt {
    /// `max SPAN`: the most the deadline may move in all.
    Max(Duration),
    /// `count N`: how many extensions are allowed.
    Count(u32),
}

/// `sla ID "label" when C on CAL { targets }`
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
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    /// A role.
    Role(Ident),
    /// Someone outside the policy.
    External(Label),
}

/// Statements of a `role` block: the position description.
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
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// `experience N years "field"`
    Experience(u32, Option<Label>),
    /// `education`, `major`, `skill`, `knowledge` or `trait`, with its text.
    Other(String, Label),
}

/// `authority KIND? LEVEL, LEVEL "matter" up to N CUR`
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
#[derive(Debug, Clone, PartialEq)]
pub enum ItemTime {
    /// `ad_hoc`
    AdHoc,
    /// `for 0.5 hours per day`: amount, unit, period.
    Per(f64, String, String),
}

/// A reference to a procedure step: `step` or `procedure.step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    /// The procedure, when qualified.
    pub procedure: Option<Ident>,
    /// The step.
    pub step: Ident,
}

/// Statements of a `procedure`.
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
