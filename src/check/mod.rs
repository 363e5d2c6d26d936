//! Stage 2, AST -> [`Policy`]: resolves every name, checks types and semantics, and collects
//! every diagnostic of the input instead of stopping at the first.
//!
//! Files of a policy that carry a `policy` header are versions; files without one (shared
//! calendars, roles) belong to every version. Each version compiles on its own.

mod calendars;
mod cite;
mod conditions;
mod expiry;
mod names;
mod policy;
mod procedures;
mod roles;
mod symbols;

use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::{self, Item, Node, PolicyStmt};
use crate::syntax::{FileId, Loaded, Span};

pub use expiry::{Validity, WARN_DAYS, calendar_validity, calendars_ending};
pub use policy::*;
pub use symbols::{Name, Symbols};

use crate::spelling::nearest;
use names::Table;

/// The outcome of checking: the versions that compiled and every diagnostic.
///
/// ```
/// let loaded = charter::syntax::load("policies/renovation".as_ref());
/// let checked = charter::check::check(&loaded);
/// assert!(!checked.has_errors());
/// assert_eq!(checked.versions[0].name, "renovation");
/// ```
#[derive(Debug, Default)]
pub struct Checked {
    /// Compiled versions, ordered by effective date (only when there are no errors).
    pub versions: Vec<Policy>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Every declared name and its uses, as far as the policy parsed (also when it has errors).
    pub symbols: Symbols,
}

impl Checked {
    /// Whether any diagnostic is an error.
    ///
    /// ```
    /// let loaded = charter::syntax::load_text("p.charter", "route { otherwise -> nobody }");
    /// assert!(charter::check::check(&loaded).has_errors());
    /// ```
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Events the engine knows; other names are allowed (a policy may define its own), but a
/// name one typo away from one of these is flagged.
pub const KNOWN_EVENTS: &[&str] = &[
    "received",
    "redirected",
    "acknowledged",
    "updated",
    "resolved",
    "callback",
    "reopened",
    "paused",
    "resumed",
    "extended",
    "stage",
    "closed",
    "completed",
    "installed",
];

/// Checks a loaded policy: names resolved, types and cycles checked, each version compiled.
///
/// ```
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// for d in &checked.diagnostics {
///     eprintln!("{}", d.render(&loaded.sources));
/// }
/// assert_eq!(checked.versions.len(), 1);
/// ```
pub fn check(loaded: &Loaded) -> Checked {
    let mut checked = Checked {
        diagnostics: loaded.diagnostics.clone(),
        ..Checked::default()
    };
    let has_header = |f: &ast::File| f.items.iter().any(|i| matches!(i.node, Item::Policy(..)));
    let shared: Vec<&Node<Item>> = loaded
        .files
        .iter()
        .filter(|(_, f)| !has_header(f))
        .flat_map(|(_, f)| &f.items)
        .collect();
    let headers: Vec<&ast::File> = loaded
        .files
        .iter()
        .map(|(_, f)| f)
        .filter(|f| has_header(f))
        .collect();
    if headers.is_empty() {
        // A library of calendars can be checked on its own; anything else needs a header.
        let mut compiler = Compiler::new(shared.clone());
        compiler.library_only();
        compiler.t.symbols(&mut checked.symbols);
        checked.symbols.finish();
        checked.diagnostics.extend(compiler.out);
        quiet_in_damaged(&mut checked.diagnostics, loaded);
        return checked;
    }
    let shared_files: Vec<FileId> = loaded
        .files
        .iter()
        .filter(|(_, f)| !has_header(f))
        .map(|(id, _)| *id)
        .collect();
    for header in headers {
        let mut items: Vec<&Node<Item>> = header.items.iter().collect();
        items.extend(shared.iter().copied());
        let compiler = Compiler::new(items);
        let (policy, diagnostics) = compiler.compile(&mut checked.symbols);
        for d in diagnostics {
            if !checked.diagnostics.contains(&d) {
                checked.diagnostics.push(d);
            }
        }
        if let Some(mut policy) = policy {
            cite::cite(loaded, &shared_files, &mut policy);
            checked.versions.push(policy);
        }
    }
    checked.versions.sort_by_key(|p| p.effective);
    for pair in checked.versions.windows(2) {
        if pair[0].name == pair[1].name && pair[0].version == pair[1].version {
            checked.diagnostics.push(
                Diagnostic::error(
                    Kind::Duplicate,
                    pair[1].span,
                    format!(
                        "version `{}` of policy `{}` is declared twice",
                        pair[1].version, pair[1].name
                    ),
                )
                .with_related(pair[0].span, "first declared here")
                .with_help("give each version its own `version` string"),
            );
        }
    }
    checked.symbols.finish();
    quiet_in_damaged(&mut checked.diagnostics, loaded);
    if checked.has_errors() {
        checked.versions.clear();
    }
    checked
}

/// Drops what the checker says inside a declaration that holds a syntax error: what it would
/// say there is about text that did not parse, and the syntax error already stands.
fn quiet_in_damaged(diagnostics: &mut Vec<Diagnostic>, loaded: &Loaded) {
    if loaded.damaged.is_empty() {
        return;
    }
    let from_loading = loaded.diagnostics.len();
    let inside = |span: Span| {
        (loaded.damaged.iter())
            .any(|d| d.file == span.file && d.start <= span.start && span.end <= d.end)
    };
    let mut index = 0;
    diagnostics.retain(|d| {
        index += 1;
        index <= from_loading || !d.span.is_some_and(inside)
    });
}

/// Symbol tables of one version.
struct Tables {
    calendars: Table,
    channels: Table,
    fields: Table,
    attributes: Table,
    severities: Table,
    categories: Table,
    departments: Table,
    events: Table,
    roles: Table,
    procedures: Table,
    stages: Table,
    escalations: Table,
    callbacks: Table,
    reports: Table,
    slas: Table,
}

impl Tables {
    fn all(&self) -> [&Table; 15] {
        [
            &self.calendars,
            &self.channels,
            &self.fields,
            &self.attributes,
            &self.severities,
            &self.categories,
            &self.departments,
            &self.events,
            &self.roles,
            &self.procedures,
            &self.stages,
            &self.escalations,
            &self.callbacks,
            &self.reports,
            &self.slas,
        ]
    }

    /// Adds the declared names and their uses to `symbols`.
    fn symbols(&self, symbols: &mut Symbols) {
        for table in self.all() {
            let indices: Vec<usize> = (table.names().iter().zip(table.spans()))
                .map(|(name, span)| symbols.add(table.what, name, *span))
                .collect();
            for (span, i) in table.uses() {
                symbols.add_use(span, indices[i]);
            }
        }
    }
}

pub(crate) struct Compiler<'a> {
    items: Vec<&'a Node<Item>>,
    out: Vec<Diagnostic>,
    t: Tables,
    attr_types: Vec<ast::AttrType>,
    target_names: Vec<String>,
    /// Where targets are declared (in SLA blocks and stages) and used, for the symbols.
    target_idents: Vec<ast::Ident>,
    target_uses: Vec<ast::Ident>,
    /// Targets given an `extension` block so far, and where.
    extension_targets: Vec<(String, Span)>,
}

impl<'a> Compiler<'a> {
    fn new(items: Vec<&'a Node<Item>>) -> Self {
        Compiler {
            items,
            out: Vec::new(),
            t: Tables {
                calendars: Table::new("calendar"),
                channels: Table::new("channel"),
                fields: Table::new("field"),
                attributes: Table::new("attribute"),
                severities: Table::new("severity"),
                categories: Table::new("category"),
                departments: Table::new("department"),
                events: Table::new("event"),
                roles: Table::new("role"),
                procedures: Table::new("procedure"),
                stages: Table::new("stage"),
                escalations: Table::new("escalation"),
                callbacks: Table::new("callback rule"),
                reports: Table::new("report"),
                slas: Table::new("sla block"),
            },
            attr_types: Vec::new(),
            target_names: Vec::new(),
            target_idents: Vec::new(),
            target_uses: Vec::new(),
            extension_targets: Vec::new(),
        }
    }

    fn error(&mut self, kind: Kind, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic::error(kind, span, message));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// Checks a header-less set of files: calendars only.
    fn library_only(&mut self) {
        let items = self.items.clone();
        for item in &items {
            match &item.node {
                Item::Calendar(head, _) => {
                    self.t.calendars.declare(&head.name, &mut self.out);
                }
                Item::Import(_) => {}
                _ => {
                    self.out.push(
                        Diagnostic::error(Kind::Missing, item.span, "this declaration needs a `policy` header")
                            .with_label("declared outside any policy")
                            .with_help("add `policy NAME { version \"…\" timezone \"…\" }` to one file of the policy, or check the policy's folder instead of this file"),
                    );
                    return;
                }
            }
        }
        let _ = self.calendars(chrono_tz::Asia::Shanghai);
    }

    fn compile(mut self, symbols: &mut Symbols) -> (Option<Policy>, Vec<Diagnostic>) {
        self.declare();
        let mut policy = self.header();
        policy.calendars = self.calendars(policy.timezone);
        if let Some(name) = self.default_calendar_name()
            && let Some(i) = self.t.calendars.resolve(&name, &mut self.out)
        {
            policy.default_calendar = Some(i);
        }
        self.simple_declarations(&mut policy);
        self.roles_and_procedures(&mut policy);
        self.rules(&mut policy);
        self.targets(&mut policy);
        self.callback_steps(&policy);
        self.t.symbols(symbols);
        self.target_symbols(symbols);
        if self.out.iter().any(Diagnostic::is_error) {
            (None, self.out)
        } else {
            (Some(policy), self.out)
        }
    }

    /// Pass 1: every declared name.
    fn declare(&mut self) {
        let items = self.items.clone();
        for item in &items {
            let (table, ident) = match &item.node {
                Item::Calendar(h, _) => (&mut self.t.calendars, &h.name),
                Item::Channel(h, _) => (&mut self.t.channels, &h.name),
                Item::Field(h, ..) => (&mut self.t.fields, &h.name),
                Item::Attribute(h, ty, ..) => {
                    if self.t.attributes.declare(&h.name, &mut self.out).is_some() {
                        self.attr_types.push(*ty);
                    }
                    continue;
                }
                Item::Severities(list) => {
                    for (h, _) in list {
                        self.t.severities.declare(&h.name, &mut self.out);
                    }
                    continue;
                }
                Item::Category(h, _) => (&mut self.t.categories, &h.name),
                Item::Department(h) => (&mut self.t.departments, &h.name),
                Item::Event(h) => (&mut self.t.events, &h.name),
                Item::Role(h, _) => (&mut self.t.roles, &h.name),
                Item::Procedure(h, _) => (&mut self.t.procedures, &h.name),
                Item::Stage(h, stmts) => {
                    for s in stmts {
                        if let ast::StageStmt::Target(t) = &s.node {
                            self.target_names.push(t.name.name.clone());
                            self.target_idents.push(t.name.clone());
                        }
                    }
                    (&mut self.t.stages, &h.name)
                }
                Item::Escalate(e) => (&mut self.t.escalations, &e.head.name),
                Item::Callback(h, ..) => (&mut self.t.callbacks, &h.name),
                Item::Report(h, _) => (&mut self.t.reports, &h.name),
                Item::Sla(s) => {
                    self.target_names
                        .extend(s.targets.iter().map(|t| t.node.name.name.clone()));
                    (self.target_idents).extend(s.targets.iter().map(|t| t.node.name.clone()));
                    (&mut self.t.slas, &s.head.name)
                }
                Item::Policy(..)
                | Item::Import(_)
                | Item::Scope(_)
                | Item::Route(_)
                | Item::Calendars(_)
                | Item::Extension(..) => continue,
            };
            table.declare(ident, &mut self.out);
        }
        let severity_blocks: Vec<Span> = items
            .iter()
            .filter(|i| matches!(i.node, Item::Severities(_)))
            .map(|i| i.span)
            .collect();
        if let [first, second, ..] = severity_blocks[..] {
            self.out.push(
                Diagnostic::error(Kind::Repeated, second, "`severities` is declared twice")
                    .with_related(first, "first declared here")
                    .with_help("list every severity, lowest first, in one `severities` block"),
            );
        }
    }

    fn header(&mut self) -> Policy {
        let mut policy = Policy {
            name: String::new(),
            label: ast::Label::default(),
            version: String::new(),
            effective: None,
            timezone: chrono_tz::UTC,
            locale: "zh-CN".to_string(),
            at_risk: 75.0,
            fallback_allowed: true,
            satisfaction: None,
            organisation: None,
            document: None,
            changes: None,
            default_calendar: None,
            calendars: Vec::new(),
            channels: Vec::new(),
            fields: Vec::new(),
            attributes: Vec::new(),
            severities: Vec::new(),
            categories: Vec::new(),
            definitions: Definitions::default(),
            departments: Vec::new(),
            events: Vec::new(),
            scope: Scope::default(),
            routes: Vec::new(),
            otherwise: None,
            calendar_rules: Vec::new(),
            calendar_otherwise: None,
            slas: Vec::new(),
            extensions: Vec::new(),
            escalations: Vec::new(),
            callbacks: Vec::new(),
            stages: Vec::new(),
            reports: Vec::new(),
            roles: Vec::new(),
            procedures: Vec::new(),
            span: Span::default(),
            digest: String::new(),
        };
        let items = self.items.clone();
        let mut headers = items.iter().filter_map(|i| match &i.node {
            Item::Policy(h, stmts) => Some((i.span, h, stmts)),
            _ => None,
        });
        let Some((span, head, stmts)) = headers.next() else {
            return policy;
        };
        if let Some((second, ..)) = headers.next() {
            self.out.push(
                Diagnostic::error(
                    Kind::Repeated,
                    second,
                    "a policy version has two `policy` headers",
                )
                .with_related(span, "first header")
                .with_help("put each version's header in its own file"),
            );
        }
        policy.span = head.name.span;
        policy.name = head.name.name.clone();
        policy.label = head.label.clone().unwrap_or_default();
        let mut timezone = None;
        self.once(stmts);
        for stmt in stmts {
            match &stmt.node {
                PolicyStmt::Organisation(l) => policy.organisation = Some(l.clone()),
                PolicyStmt::Document(d) => policy.document = Some(d.clone()),
                PolicyStmt::Changes(l) => policy.changes = Some(l.clone()),
                PolicyStmt::Version(v) => policy.version = v.clone(),
                PolicyStmt::Effective(d) => policy.effective = Some(*d),
                PolicyStmt::Timezone(tz) => {
                    timezone = Some(stmt.span);
                    if let Some(tz) = self.timezone(tz, stmt.span) {
                        policy.timezone = tz;
                    }
                }
                PolicyStmt::Locale(l) => policy.locale = l.clone(),
                PolicyStmt::Calendar(_) => {}
                PolicyStmt::AtRisk(p) => policy.at_risk = self.percent(*p, stmt.span),
                PolicyStmt::Fallback(f) => policy.fallback_allowed = *f,
                PolicyStmt::Satisfaction(p) => {
                    policy.satisfaction = Some(self.percent(*p, stmt.span))
                }
            }
        }
        if policy.version.is_empty() {
            self.error(
                Kind::Missing,
                head.name.span,
                format!("policy `{}` has no `version`", policy.name),
            )
            .help = Some(
                "add `version \"2026.1\"` to the policy header; decisions name the version".into(),
            );
        }
        if timezone.is_none() {
            self.error(
                Kind::Missing,
                head.name.span,
                format!("policy `{}` has no `timezone`", policy.name),
            )
            .help =
                Some("add `timezone \"Asia/Shanghai\"` (an IANA name) to the policy header".into());
        }
        policy
    }

    /// The document-control statements of a header may each be given once: a second one
    /// would silently replace the first.
    fn once(&mut self, stmts: &[ast::Node<PolicyStmt>]) {
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for stmt in stmts {
            let keyword = match &stmt.node {
                PolicyStmt::Organisation(_) => "organisation",
                PolicyStmt::Document(_) => "document",
                PolicyStmt::Changes(_) => "changes",
                _ => continue,
            };
            match seen.iter().find(|(k, _)| *k == keyword) {
                Some(&(_, first)) => self.out.push(
                    Diagnostic::error(
                        Kind::Repeated,
                        stmt.span,
                        format!("`{keyword}` is given twice in the policy header"),
                    )
                    .with_related(first, "first given here")
                    .with_help(format!("keep one `{keyword}`")),
                ),
                None => seen.push((keyword, stmt.span)),
            }
        }
    }

    fn default_calendar_name(&self) -> Option<ast::Ident> {
        self.items.iter().find_map(|i| match &i.node {
            Item::Policy(_, stmts) => stmts.iter().find_map(|s| match &s.node {
                PolicyStmt::Calendar(c) => Some(c.clone()),
                _ => None,
            }),
            _ => None,
        })
    }

    fn timezone(&mut self, name: &str, span: Span) -> Option<chrono_tz::Tz> {
        match name.parse::<chrono_tz::Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                let near = nearest(name, chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()));
                let d = Diagnostic::error(
                    Kind::UnknownTimezone,
                    span,
                    format!("unknown time zone `{name}`"),
                );
                self.out.push(match near {
                    Some(n) => d
                        .with_label(format!("did you mean `{n}`?"))
                        .with_help("use an IANA time zone name"),
                    None => d.with_help(
                        "use an IANA time zone name such as `Asia/Shanghai` or `Europe/Berlin`",
                    ),
                });
                None
            }
        }
    }

    fn percent(&mut self, value: f64, span: Span) -> f64 {
        if !(0.0..=100.0).contains(&value) {
            self.error(
                Kind::BadPercent,
                span,
                format!("`{value}%` is not a percentage between 0% and 100%"),
            )
            .help = Some("write a share of the whole, from 0% to 100%".into());
        }
        value
    }

    /// Checks a duration is usable: not zero, and not absurdly long.
    fn duration(&mut self, span: Span, d: crate::time::Span) -> crate::time::Span {
        use crate::time::Unit;
        let days = match d.unit {
            Unit::Minutes | Unit::WorkingMinutes => u64::from(d.amount) / 1440,
            Unit::Hours | Unit::WorkingHours => u64::from(d.amount) / 24,
            Unit::Days | Unit::WorkingDays => u64::from(d.amount),
            Unit::Weeks => u64::from(d.amount) * 7,
        };
        if d.amount == 0 {
            self.error(Kind::OutOfRange, span, format!("`{d}` is no time at all"))
                .help = Some(
                "a time limit must be at least 1 minute; remove the target if there is none".into(),
            );
        } else if days > 3660 {
            self.error(
                Kind::OutOfRange,
                span,
                format!("`{d}` is longer than ten years"),
            )
            .help = Some("time limits are at most ten years; check the number and the unit".into());
        }
        d
    }

    fn simple_declarations(&mut self, policy: &mut Policy) {
        let items = self.items.clone();
        for item in &items {
            match &item.node {
                Item::Channel(h, via) => {
                    let callback = via
                        .as_ref()
                        .and_then(|v| self.t.channels.resolve(v, &mut self.out));
                    policy.channels.push(Channel {
                        named: named(h),
                        callback,
                    });
                }
                Item::Field(h, required, scope, personal) => {
                    let required = required.unwrap_or(true);
                    let categories = scope.as_ref().map(|s| {
                        let list = (s.categories.iter())
                            .filter_map(|c| self.t.categories.resolve(c, &mut self.out))
                            .collect();
                        (s.except, list)
                    });
                    if scope.is_some() && !required {
                        self.error(Kind::BadEscalation, item.span, format!("field `{}` is optional, so it needs no categories", h.name.name))
                            .help = Some("write `required for A, B` (required only for those) or `required except A, B` (for every other category)".into());
                    }
                    policy.fields.push(Field {
                        named: named(h),
                        required,
                        categories,
                        personal: *personal,
                    });
                }
                Item::Attribute(h, ty, unit, means) => {
                    if let (Some((_, span)), false) =
                        (unit, *ty == crate::vocabulary::AttrType::Number)
                    {
                        self.out.push(
                            Diagnostic::error(
                                Kind::TypeMismatch,
                                *span,
                                format!(
                                    "`unit` on attribute `{}`, which is a {}: only numbers have units",
                                    h.name.name,
                                    ty.name()
                                ),
                            )
                            .with_help("remove `unit`, or declare the attribute `type number`"),
                        );
                    }
                    policy.attributes.push(Attribute {
                        named: named(h),
                        ty: *ty,
                        unit: unit.as_ref().map(|(u, _)| u.clone()),
                        means: means.clone(),
                    });
                }
                Item::Severities(list) => {
                    policy.severities.extend(list.iter().map(|(h, _)| named(h)));
                    (policy.definitions.severities).extend(list.iter().map(|(_, m)| m.clone()));
                }
                Item::Category(h, means) => {
                    policy.categories.push(named(h));
                    policy.definitions.categories.push(means.clone());
                }
                Item::Department(h) => policy.departments.push(named(h)),
                Item::Event(h) => policy.events.push(named(h)),
                Item::Scope(stmts) => self.scope(stmts, policy),
                Item::Extension(x) => {
                    if let Some(extension) = self.extension(x, item.span) {
                        policy.extensions.push(extension);
                    }
                }
                Item::Report(h, stmts) => {
                    let report = self.report(h, stmts, policy.default_calendar);
                    policy.reports.push(report);
                }
                _ => {}
            }
        }
    }

    fn scope(&mut self, stmts: &[Node<ast::ScopeStmt>], policy: &mut Policy) {
        let mut seen: Vec<(usize, Span)> = Vec::new();
        for stmt in stmts {
            match &stmt.node {
                ast::ScopeStmt::Accept(list) => {
                    let ids = self.categories_in_scope(list, &mut seen);
                    policy.scope.accepted.extend(ids);
                }
                ast::ScopeStmt::Redirect(list, to, reason, within) => {
                    let categories = self.categories_in_scope(list, &mut seen);
                    // The notice to the complainant, timed like a target from receipt to the
                    // `redirected` event.
                    let notice = within.as_ref().map(|(d, on)| Target {
                        name: "redirect".into(),
                        label: ast::Label::default(),
                        span: self.duration(stmt.span, *d),
                        recurring: false,
                        aim: false,
                        each: false,
                        start: "received".into(),
                        stop: vec!["redirected".into()],
                        calendar: on
                            .as_ref()
                            .and_then(|c| self.t.calendars.resolve(c, &mut self.out)),
                        span_at: stmt.span,
                    });
                    policy.scope.redirects.push(Redirect {
                        categories,
                        to: to.clone(),
                        reason: reason.clone(),
                        notice,
                        span: stmt.span,
                    });
                }
                ast::ScopeStmt::Incomplete(d, on) => {
                    let d = self.duration(stmt.span, *d);
                    let calendar = on
                        .as_ref()
                        .and_then(|c| self.t.calendars.resolve(c, &mut self.out));
                    policy.scope.incomplete = Some((d, calendar));
                }
            }
        }
    }

    fn categories_in_scope(
        &mut self,
        list: &[ast::Ident],
        seen: &mut Vec<(usize, Span)>,
    ) -> Vec<usize> {
        let mut ids = Vec::new();
        for ident in list {
            let Some(i) = self.t.categories.resolve(ident, &mut self.out) else {
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(c, _)| *c == i) {
                self.out.push(
                    Diagnostic::error(
                        Kind::Duplicate,
                        ident.span,
                        format!("category `{}` is given a scope twice", ident.name),
                    )
                    .with_related(*first, "first here")
                    .with_help("a category is either accepted or redirected, once"),
                );
                continue;
            }
            seen.push((i, ident.span));
            ids.push(i);
        }
        ids
    }

    /// An `extension` block: its target, condition, `max` (required) and `count`.
    fn extension(&mut self, x: &ast::Extension, span: Span) -> Option<Extension> {
        self.target_ref(&x.target);
        if let Some(first) = self
            .extension_targets
            .iter()
            .find(|(t, _)| *t == x.target.name)
        {
            let first = first.1;
            self.out.push(
                Diagnostic::error(Kind::Duplicate, x.target.span, format!("target `{}` is given two `extension` blocks", x.target.name))
                    .with_related(first, "first here")
                    .with_help("give one block per target; use `when` in it to limit which cases may be extended"),
            );
            return None;
        }
        self.extension_targets
            .push((x.target.name.clone(), x.target.span));
        let when = x.when.as_ref().and_then(|c| self.condition(c));
        let (mut max, mut count) = (None, None);
        for stmt in &x.stmts {
            let repeated = match stmt.node {
                ast::ExtensionStmt::Max(d) => max.replace(self.duration(stmt.span, d)).is_some(),
                ast::ExtensionStmt::Count(0) => {
                    self.error(Kind::OutOfRange, stmt.span, "`count 0` allows no extension")
                        .help = Some("remove the `extension` block, or allow at least one".into());
                    false
                }
                ast::ExtensionStmt::Count(n) => count.replace(n).is_some(),
            };
            if repeated {
                self.error(
                    Kind::Repeated,
                    stmt.span,
                    "this statement is given twice in one `extension` block",
                )
                .help = Some("give `max` and `count` once each".into());
            }
        }
        let Some(max) = max else {
            self.error(
                Kind::Missing,
                span,
                format!("the extension of `{}` has no `max`", x.target.name),
            )
            .help =
                Some("say how far the deadline may move in all, e.g. `max 10 working days`".into());
            return None;
        };
        if x.when.is_some() && when.is_none() {
            return None;
        }
        Some(Extension {
            target: x.target.name.clone(),
            max,
            count,
            when,
            span,
        })
    }

    /// Targets as symbols: a target is one name however many SLA blocks and stages give it
    /// a limit; its first declaration is the name, the others are uses with the references.
    fn target_symbols(&self, symbols: &mut Symbols) {
        let mut first: Vec<(&str, usize)> = Vec::new();
        for ident in &self.target_idents {
            match first.iter().find(|(name, _)| *name == ident.name) {
                Some(&(_, i)) => symbols.add_use(ident.span, i),
                None => first.push((&ident.name, symbols.add("target", &ident.name, ident.span))),
            }
        }
        for ident in &self.target_uses {
            if let Some(&(_, i)) = first.iter().find(|(name, _)| *name == ident.name) {
                symbols.add_use(ident.span, i);
            }
        }
    }

    fn target_ref(&mut self, ident: &ast::Ident) {
        self.target_uses.push(ident.clone());
        if !self.target_names.contains(&ident.name) {
            let names = self.target_names.clone();
            self.out.push(names::unknown(
                "target",
                ident,
                names.iter().map(String::as_str),
            ));
        }
    }

    fn event(&mut self, ident: &ast::Ident) -> String {
        if !KNOWN_EVENTS.contains(&ident.name.as_str())
            && self.t.events.find(ident).is_none()
            && let Some(near) = nearest(&ident.name, KNOWN_EVENTS.iter().copied())
        {
            self.out.push(
                Diagnostic::warning(
                    Kind::UnknownName,
                    ident.span,
                    format!("event `{}` is not one the engine records", ident.name),
                )
                .with_label(format!("did you mean `{near}`?"))
                .with_help("custom events are allowed, but this one looks like a typo"),
            );
        }
        ident.name.clone()
    }

    fn report(
        &mut self,
        head: &ast::Head,
        stmts: &[Node<ast::ReportStmt>],
        default_calendar: Option<usize>,
    ) -> Report {
        let mut report = Report {
            named: named(head),
            schedule: None,
            covering: None,
            to: Vec::new(),
            cc: Vec::new(),
            calendar: default_calendar,
            if_closed: ast::IfClosed::default(),
            if_closed_written: false,
        };
        let mut if_closed: Option<Span> = None;
        let mut covering_span = None;
        for stmt in stmts {
            match &stmt.node {
                ast::ReportStmt::IfClosed(mode) => {
                    if let Some(first) = if_closed {
                        self.out.push(
                            Diagnostic::error(
                                Kind::Repeated,
                                stmt.span,
                                format!("report `{}` says `if_closed` twice", head.name.name),
                            )
                            .with_related(first, "first said here")
                            .with_help("keep one: `if_closed next`, `previous` or `keep`"),
                        );
                        continue;
                    }
                    if_closed = Some(stmt.span);
                    report.if_closed = *mode;
                    report.if_closed_written = true;
                }
                ast::ReportStmt::Schedule(s, calendar) => {
                    if let Some(c) = calendar {
                        report.calendar = self.t.calendars.resolve(c, &mut self.out);
                    }
                    if let Some(day) = s.on.as_deref().and_then(|o| o.strip_prefix("day ")) {
                        let limit = if s.period == "quarter" { 92 } else { 31 };
                        if !day.parse::<u32>().is_ok_and(|d| (1..=limit).contains(&d))
                            || !matches!(s.period.as_str(), "month" | "quarter")
                        {
                            self.error(Kind::OutOfRange, stmt.span, format!("`day {day}` does not fit a {} schedule", s.period))
                                .help = Some("use `every month on day 1` … `day 31`, or `every quarter on day N`".into());
                        }
                    }
                    report.schedule = Some(s.clone());
                }
                ast::ReportStmt::Covering(c) => {
                    report.covering = Some(c.clone());
                    covering_span = Some(stmt.span);
                }
                ast::ReportStmt::To(list) => report.to = self.recipients(list),
                ast::ReportStmt::Cc(list) => report.cc = self.recipients(list),
            }
        }
        let on_calendar = stmts
            .iter()
            .any(|s| matches!(&s.node, ast::ReportStmt::Schedule(_, Some(_))));
        if let Some(span) = if_closed
            && report.calendar.is_none()
            && !on_calendar
        {
            self.error(
                Kind::Missing,
                span,
                format!(
                    "report `{}` says what to do on a non-working day, but no calendar says which days those are",
                    head.name.name
                ),
            )
            .help = Some(
                "name the calendar on the schedule (`every week on monday before 10:00 on office`) or give the policy a default `calendar`"
                    .into(),
            );
        }
        if report.if_closed == ast::IfClosed::Previous
            && let Some(covering) = report.covering.as_deref()
            && covering.starts_with("current")
        {
            let d = Diagnostic::error(
                Kind::OutOfRange,
                if_closed.unwrap_or(head.name.span),
                format!(
                    "`if_closed previous` would make report `{}` due before the {} it covers has ended",
                    head.name.name,
                    covering.trim_start_matches("current ")
                ),
            )
            .with_help("use `if_closed next` (the default) or `keep`, or let the report cover a `previous` period");
            self.out.push(match covering_span {
                Some(c) => d.with_related(c, "the period it covers"),
                None => d,
            });
        }
        if report.to.is_empty() {
            self.error(
                Kind::Missing,
                head.name.span,
                format!("report `{}` has no recipients", head.name.name),
            )
            .help = Some("add `to ROLE` (or a quoted name for someone outside the policy)".into());
        }
        report
    }

    fn recipients(&mut self, list: &[ast::Recipient]) -> Vec<Recipient> {
        list.iter()
            .filter_map(|r| match r {
                ast::Recipient::Role(id) => {
                    self.t.roles.resolve(id, &mut self.out).map(Recipient::Role)
                }
                ast::Recipient::External(l) => Some(Recipient::External(l.clone())),
            })
            .collect()
    }
}

fn named(head: &ast::Head) -> Named {
    Named {
        name: head.name.name.clone(),
        label: head.label.clone().unwrap_or_else(|| ast::Label {
            text: head.name.name.clone(),
            ..ast::Label::default()
        }),
        span: head.name.span,
    }
}
