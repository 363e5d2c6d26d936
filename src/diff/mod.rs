//! Two versions of a policy -> what the change does to cases, in plain words (`charter diff`).
//!
//! The parts that decide cases are compared exactly over the case space of
//! [`crate::analyse`]: the cases whose role changes ([`RouteChange`]), the categories whose
//! acceptance changes ([`AcceptanceChange`]) and the cases whose time limits change
//! ([`DeadlineChange`]), each as regions described in words with an example case. Every other
//! declaration (calendars, ladders, callbacks, stages, extensions, reports, roles, fields…) is
//! compared in canonical form, so layout, comments and the order of declarations never count
//! as a change, and labels count as wording, not behaviour. [`count_cases`] counts how many
//! real cases each change affects.
//!
//! The same algebra answers the other question of change control, per decision: what would
//! have changed it ([`counterfactuals`], [`Explainer`]).
//!
//! ```
//! use charter::check::check;
//! use charter::diff::{Version, compare};
//! use charter::render::Lang;
//! use charter::syntax::load_text;
//!
//! let head = "policy p \"P\" { version \"1\" timezone \"Asia/Shanghai\" }\n\
//!             category a \"A\"\ncategory b \"B\"\n";
//! let old = load_text("old.charter", &format!("{head}role x \"X\" {{}}\nrole y \"Y\" {{}}\nroute {{ otherwise -> x }}"));
//! let new = load_text("new.charter", &format!("{head}role x \"X\" {{}}\nrole y \"Y\" {{}}\nroute {{\n  when category = b -> y\n  otherwise -> x\n}}"));
//! let (old_checked, new_checked) = (check(&old), check(&new));
//! let diff = compare(
//!     &Version::of(&old, &old_checked.versions[0]),
//!     &Version::of(&new, &new_checked.versions[0]),
//!     Lang::En,
//! );
//! assert!(diff.behavioural());
//! assert_eq!(diff.routing[0].regions[0].condition, "category = b");
//! ```

mod acceptance;
#[cfg(feature = "batch")]
mod cases;
mod counterfactual;
mod deadlines;
mod declarations;
mod joint;
mod report;
mod routing;
mod text;

use serde::Serialize;

use crate::analyse::{Example, Space};
use crate::check::Policy;
use crate::render::Lang;
use crate::syntax::Loaded;
use crate::syntax::ast::{File, Item};

#[cfg(feature = "batch")]
pub use cases::{CaseCounts, CaseFailure, count_cases};
pub use counterfactual::{
    Ahead, Alternative, Counterfactuals, Explainer, Missed, Obstacle, UnknownRole, Unmet, Upcoming,
    WhyNot, counterfactuals,
};
pub use report::{document, plain};

/// One version of a policy, with the files it is compiled from.
pub struct Version<'a> {
    /// The compiled version.
    pub policy: &'a Policy,
    /// Its own file and the files it shares with other versions: each file's text and
    /// declarations.
    pub files: Vec<(&'a str, &'a File)>,
}

impl<'a> Version<'a> {
    /// `policy` with the files of `loaded` it is compiled from: the file that declares it,
    /// and every file that declares no policy (shared by every version).
    ///
    /// ```
    /// // The e-commerce folder holds two versions and a file they share.
    /// let loaded = charter::syntax::load("policies/ecommerce-after-sales".as_ref());
    /// let checked = charter::check::check(&loaded);
    /// let first = charter::diff::Version::of(&loaded, &checked.versions[0]);
    /// // Its own file, the shared one and the calendar they import; not the other version's.
    /// assert_eq!(first.files.len(), loaded.files.len() - 1);
    /// ```
    pub fn of(loaded: &'a Loaded, policy: &'a Policy) -> Version<'a> {
        let files = (loaded.files.iter())
            .filter(|(id, file)| {
                *id == policy.span.file
                    || !file
                        .items
                        .iter()
                        .any(|i| matches!(i.node, Item::Policy(..)))
            })
            .map(|(id, file)| (loaded.sources.text(*id), file))
            .collect();
        Version { policy, files }
    }
}

/// What a change of policy does, in the words of one language.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The version compared from.
    pub old: Header,
    /// The version compared to.
    pub new: Header,
    /// Cases whose role changes.
    pub routing: Vec<RouteChange>,
    /// Categories whose acceptance changes.
    pub acceptance: Vec<AcceptanceChange>,
    /// Cases whose time limits change.
    pub deadlines: Vec<DeadlineChange>,
    /// Declarations added, removed or changed in what they do.
    pub declarations: Vec<DeclarationChange>,
    /// Labels changed: titles, descriptions and duties in words, nothing that decides.
    pub wording: Vec<DeclarationChange>,
    /// What the comparison could not settle exactly (a condition too large to analyse): such
    /// a part counts as changed.
    pub unsettled: Vec<String>,
    /// With a file of cases: what they show of the change.
    #[cfg(feature = "batch")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<CaseCounts>,
}

impl Diff {
    /// Whether the change alters what any case is decided, or any declaration other than in
    /// its wording.
    ///
    /// ```
    /// use charter::diff::{Version, compare};
    /// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
    /// let checked = charter::check::check(&loaded);
    /// let version = Version::of(&loaded, &checked.versions[0]);
    /// // A version against itself changes nothing.
    /// let diff = compare(&version, &version, charter::render::Lang::En);
    /// assert!(!diff.behavioural() && diff.wording.is_empty());
    /// ```
    pub fn behavioural(&self) -> bool {
        !(self.routing.is_empty()
            && self.acceptance.is_empty()
            && self.deadlines.is_empty()
            && self.declarations.is_empty()
            && self.unsettled.is_empty())
    }
}

/// A version as the comparison names it.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// The policy's identifier.
    pub name: String,
    /// Its title, in the comparison's language.
    pub title: String,
    /// Its version string.
    pub version: String,
    /// The date it is in force from.
    pub effective: Option<String>,
    /// What it says it changed (`changes`).
    pub changes: Option<String>,
    /// sha256 of its files.
    pub digest: String,
}

impl Header {
    fn of(policy: &Policy, lang: Lang) -> Header {
        Header {
            name: policy.name.clone(),
            title: lang.pick(&policy.label).to_string(),
            version: policy.version.clone(),
            effective: policy.effective.map(|d| d.to_string()),
            changes: policy.changes.as_ref().map(|l| lang.pick(l).to_string()),
            digest: policy.digest.clone(),
        }
    }
}

/// A set of cases, exactly: a condition in the policy language, in words, and one case of it.
#[derive(Debug, Clone, Serialize)]
pub struct Cases {
    /// The cases as a condition in the policy language (`category = billing and amount >
    /// 5000`); `true`-like `any case` is the empty string.
    pub condition: String,
    /// The same in words.
    pub words: String,
    /// One case of them, as `charter decide` reads it: received at 10:00 on the new
    /// version's effective date, with every required field and the attributes asked about.
    pub example: serde_json::Value,
}

/// Regions listed per change, at most; the rest are counted.
pub const REGIONS: usize = 40;

/// Cases whose role changes from one role to another.
#[derive(Debug, Clone, Serialize)]
pub struct RouteChange {
    /// The role before, or `None` when no rule took these cases.
    pub from: Option<Role>,
    /// The role after, or `None` when no rule takes them.
    pub to: Option<Role>,
    /// The cases, as disjoint regions (at most [`REGIONS`]).
    pub regions: Vec<Cases>,
    /// Regions not listed.
    pub more: usize,
    /// With a file of cases: how many of them change so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<u64>,
}

/// A role named in a change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Role {
    /// Its identifier.
    pub name: String,
    /// Its title.
    pub title: String,
}

/// How a category is taken in.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Intake {
    /// Accepted and routed.
    Accepted,
    /// Sent elsewhere, with where to.
    Redirected {
        /// Where to, as a decision states it (the label as first written).
        to: String,
        /// Where to, in the comparison's language.
        title: String,
    },
    /// Neither accepted nor redirected: a case of it is turned away as out of scope.
    OutOfScope,
    /// The version does not declare the category.
    Undeclared,
}

impl PartialEq for Intake {
    /// The same intake as decisions state it: a redirection's destination compares as a
    /// decision gives it, so a change of its translation alone is wording.
    fn eq(&self, other: &Intake) -> bool {
        match (self, other) {
            (Intake::Redirected { to: a, .. }, Intake::Redirected { to: b, .. }) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for Intake {}

/// A category whose intake changes.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceChange {
    /// The category's identifier.
    pub category: String,
    /// Its title.
    pub title: String,
    /// Before.
    pub from: Intake,
    /// After.
    pub to: Intake,
}

/// A time limit as it applies to some cases.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Limit {
    /// The limit.
    #[serde(skip)]
    pub(crate) span: crate::time::Span,
    /// The limit as written (`30 working minutes`).
    pub within: String,
    /// In words (`30分钟（工作时间）内`).
    pub words: String,
    /// The calendar it counts on (its identifier), when the change concerns it: the cases
    /// move to another calendar (or to elapsed time), or their calendar's hours or holidays
    /// change. `None` otherwise: the same, unchanged calendar before and after (named in
    /// `typical`), or elapsed time on both sides.
    pub calendar: Option<String>,
    /// That calendar's title.
    pub calendar_title: Option<String>,
    /// Anything else that sets it apart: `every`, `aim`, `each`, its start and stop events.
    pub terms: String,
}

/// Where a typical case's deadline moves.
#[derive(Debug, Clone, Serialize)]
pub struct Shift {
    /// The calendar counted on (`online`, or `online -> repair_centre` when it changes;
    /// `None` for elapsed time).
    pub calendar: Option<String>,
    /// Its title (`在线客服时间`, or `在线客服时间 → 维修中心工作时间`).
    pub calendar_title: Option<String>,
    /// The example start (RFC 3339).
    pub start: String,
    /// The deadline before.
    pub before: String,
    /// The deadline after.
    pub after: String,
    /// After minus before, in minutes: negative is earlier.
    pub minutes: i64,
}

/// Cases for which a target's limit changes.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineChange {
    /// The target's name (`acknowledge`, `resolve`…).
    pub target: String,
    /// Its name in words.
    pub title: String,
    /// The limit before, or `None` when the target did not apply to these cases.
    pub from: Option<Limit>,
    /// The limit after, or `None` when it no longer applies.
    pub to: Option<Limit>,
    /// The cases (at most [`REGIONS`]).
    pub regions: Vec<Cases>,
    /// Regions not listed.
    pub more: usize,
    /// With a file of cases: how many of them change so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<u64>,
    /// For each calendar these cases count on, the deadline of a case received at a typical
    /// time (10:00 on the first working day from the new version's effective date), before
    /// and after; empty when the target does not apply on one side.
    pub typical: Vec<Shift>,
}

/// A declaration added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct DeclarationChange {
    /// Its kind (`calendar`, `escalate`, `role`…).
    pub kind: String,
    /// Its identifier (empty for a block without one, such as `severities`).
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: Change,
    /// Lines of its canonical form only the old version has.
    pub removed: Vec<String>,
    /// Lines only the new version has.
    pub added: Vec<String>,
}

/// What happened to a declaration.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only the new version has it.
    Added,
    /// Only the old version has it.
    Removed,
    /// Both have it, differently.
    Changed,
}

/// Compares two versions, exactly where they decide cases; words in `lang`.
///
/// ```
/// use charter::diff::{Version, compare};
/// let loaded = charter::syntax::load("policies/ecommerce-after-sales".as_ref());
/// let checked = charter::check::check(&loaded);
/// let (old, new) = (&checked.versions[0], &checked.versions[1]);
/// let diff = compare(&Version::of(&loaded, old), &Version::of(&loaded, new), charter::render::Lang::En);
/// // 2026.2 shortens the first response for normal cases: 30 -> 15 working minutes.
/// let acknowledge = &diff.deadlines[0];
/// assert_eq!(acknowledge.target, "acknowledge");
/// assert_eq!(acknowledge.regions[0].condition, "severity = normal");
/// assert_eq!(acknowledge.typical[0].minutes, -15);
/// ```
pub fn compare(old: &Version<'_>, new: &Version<'_>, lang: Lang) -> Diff {
    let joint = joint::Joint::new(old.policy, new.policy);
    let sides = [
        routing::Side::new(old.policy, &joint.old),
        routing::Side::new(new.policy, &joint.new),
    ];
    let space = Space::over(&joint.policy, sides.iter().flat_map(|s| s.conditions()));
    // Two orders of severities: a range would read differently in each version.
    let space = if joint::Joint::same_severities(old.policy, new.policy) {
        space
    } else {
        space.unranked()
    };
    let mut unsettled = Vec::new();
    // An attribute only one version declares (or types alike): no case valid under both gives
    // it, so no set of cases that asks about it is listed, and the comparison says so.
    let one_sided = joint.one_sided_attributes();
    let asked: Vec<usize> = (one_sided.iter().copied())
        .filter(|&a| (sides.iter().flat_map(|s| s.conditions())).any(|c| mentions(c, a)))
        .collect();
    for &a in &asked {
        let name = &joint.policy.attributes[a].named.name;
        unsettled.push(match lang {
            Lang::Zh => format!(
                "属性 `{name}` 只在一个版本中定义（或两版本类型不同），给出该属性的案件会被另一版本拒绝；下文不列出涉及该属性的案件集合，这部分变化须人工核对"
            ),
            Lang::En => format!(
                "attribute `{name}` is declared by one version only (or with another type): a case that gives it is refused by the other version, so no set of cases that asks about it is listed; check that part by hand"
            ),
        });
    }
    let words = Words {
        space: &space,
        joint: &joint.policy,
        lang,
        received_at: typical_receipt(old.policy, new.policy),
        one_sided: asked,
        fields: required_fields(old.policy, new.policy),
    };
    let universe = acceptance::both_accept(&space, &sides);
    let routing = routing::changes(&space, &sides, &universe, &words, &mut unsettled);
    let deadlines = deadlines::changes(&space, &sides, &universe, &words, &mut unsettled);
    let acceptance = acceptance::changes(old.policy, new.policy, lang);
    let (declarations, wording) = declarations::changes(old, new);
    Diff {
        old: Header::of(old.policy, lang),
        new: Header::of(new.policy, lang),
        routing,
        acceptance,
        deadlines,
        declarations,
        wording,
        unsettled,
        #[cfg(feature = "batch")]
        cases: None,
    }
}

/// When an example case is received: 10:00 on the new version's effective date (else the
/// old one's, else 5 January 2026), in the new version's time zone, as RFC 3339.
fn typical_receipt(old: &Policy, new: &Policy) -> String {
    use chrono::TimeZone;
    let day = (new.effective.or(old.effective))
        .or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 1, 5))
        .unwrap_or_default();
    let local = day.and_hms_opt(10, 0, 0).unwrap_or_default();
    match new.timezone.from_local_datetime(&local).earliest() {
        Some(t) => t.to_rfc3339(),
        None => format!("{day}T10:00:00Z"),
    }
}

/// The fields either version requires of some case, by name: an example case gives each, so
/// that it is decided rather than held as incomplete.
fn required_fields(old: &Policy, new: &Policy) -> Vec<String> {
    let mut names: Vec<String> = (new.fields.iter().chain(&old.fields))
        .filter(|f| f.required)
        .map(|f| f.named.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Regions in words, over the joint vocabulary.
struct Words<'a> {
    space: &'a Space<'a>,
    joint: &'a Policy,
    lang: Lang,
    /// When example cases are received.
    received_at: String,
    /// The fields example cases give.
    fields: Vec<String>,
    /// Attributes no case valid under both versions gives: sets that ask about them are
    /// left out.
    one_sided: Vec<usize>,
}

/// Whether `cond` tests attribute `attribute` (joint index).
fn mentions(cond: &crate::check::Cond, attribute: usize) -> bool {
    use crate::check::Cond;
    match cond {
        Cond::And(parts) | Cond::Or(parts) => parts.iter().any(|p| mentions(p, attribute)),
        Cond::Not(inner) => mentions(inner, attribute),
        Cond::Attribute(a, _) => *a == attribute,
        _ => false,
    }
}

impl Words<'_> {
    /// The regions of `cubes`, merged where they can be, at most [`REGIONS`] of them, and how
    /// many more.
    fn cases(
        &self,
        cubes: Vec<crate::analyse::Cube>,
        within: &crate::analyse::Cube,
    ) -> (Vec<Cases>, usize) {
        // Disjoint first, so that each case lies in one listed set; too large to make
        // disjoint, the cubes are listed as they are (sets may then share cases).
        let cubes = match self.space.disjoint(cubes.clone()) {
            Some(disjoint) => disjoint,
            None => cubes,
        };
        let cubes: Vec<crate::analyse::Cube> = (cubes.into_iter())
            .filter(|c| !self.one_sided.iter().any(|&a| self.space.asks_about(c, a)))
            .collect();
        let merged = self.space.merged(cubes);
        let more = merged.len().saturating_sub(REGIONS);
        let listed = merged
            .iter()
            .take(REGIONS)
            .map(|cube| {
                let narrowed = self.space.relative(cube, within);
                let cond = self.space.cube_cond(&narrowed);
                Cases {
                    condition: cond
                        .as_ref()
                        .map(|c| text::cond_text(self.joint, c))
                        .unwrap_or_default(),
                    words: match &cond {
                        Some(c) => crate::render::cond_words(self.joint, c, self.lang),
                        None => self.lang.say("所有案件", "every case").to_string(),
                    },
                    example: self.example(&self.space.example(cube)),
                }
            })
            .collect();
        (listed, more)
    }

    fn example(&self, e: &Example) -> serde_json::Value {
        let p = self.joint;
        let mut attributes = serde_json::Map::new();
        for (i, value) in &e.attributes {
            // A whole number is written as one: 2000, not 2000.0.
            let value = match value.as_f64() {
                Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => serde_json::json!(n as i64),
                _ => value.clone(),
            };
            attributes.insert(p.attributes[*i].named.name.clone(), value);
        }
        let mut case = serde_json::json!({
            "id": "example",
            "received_at": self.received_at,
            "category": p.categories.get(e.category).map(|c| c.name.as_str()),
            "channel": p.channels.get(e.channel).map(|c| c.named.name.as_str()),
        });
        if !self.fields.is_empty() {
            let fields: serde_json::Map<String, serde_json::Value> = (self.fields.iter())
                .map(|f| (f.clone(), serde_json::Value::String("example".into())))
                .collect();
            case["fields"] = serde_json::Value::Object(fields);
        }
        if let Some(s) = p.severities.get(e.severity) {
            case["severity"] = serde_json::Value::String(s.name.clone());
        }
        if !attributes.is_empty() {
            case["attributes"] = serde_json::Value::Object(attributes);
        }
        case
    }
}
