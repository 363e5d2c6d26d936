//! The canonical formatter: AST -> text, comments kept.
//!
//! Layout: two-space indentation; short declarations (channels, fields, attributes,
//! categories, departments, extensions, procedure steps) on one line; everything else as a
//! block with one statement per line; one blank line between top-level declarations, none
//! between consecutive one-line declarations of the same kind unless the source had one; at
//! most one blank line kept between statements. Comments are re-attached by position: a
//! comment alone on its line stays on its own line before the next statement, a comment after
//! code stays at the end of that line.

use std::fmt::Write as _;

use crate::syntax::ast::*;
use crate::syntax::{Comment, FileId, SyntaxError, comments, parse};
use crate::time::hhmm;

/// Formats `text`; an error when it does not parse (formatting needs a valid file).
///
/// ```
/// let formatted = charter::format::format_text("role clerk \"Clerk\" {headcount 2\n}").map_err(|e| format!("{e:?}"))?;
/// assert_eq!(formatted, "role clerk \"Clerk\" {\n  headcount 2\n}\n");
/// // Formatting is stable.
/// assert_eq!(charter::format::format_text(&formatted).map_err(|e| format!("{e:?}"))?, formatted);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_text(text: &str) -> Result<String, Vec<SyntaxError>> {
    // A lone carriage return ends a line (and a comment), as for the loader.
    let text = crate::source::lone_cr_as_lf(text.to_string());
    let file = parse(FileId(0), &text)?;
    Ok(format_file(&text, &file))
}

/// Formats a parsed file; `text` is its source, for comments and blank lines.
///
/// ```
/// use charter::syntax::{parse, FileId};
/// let text = "# roles\nrole clerk \"Clerk\" {headcount 2}";
/// let file = parse(FileId(0), text).map_err(|e| format!("{e:?}"))?;
/// // Comments are kept.
/// assert_eq!(charter::format::format_file(text, &file), "# roles\nrole clerk \"Clerk\" {\n  headcount 2\n}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_file(text: &str, file: &File) -> String {
    let mut p = Printer {
        text,
        comments: comments(text),
        next: 0,
        out: String::new(),
        indent: 0,
    };
    let mut previous: Option<(&Node<Item>, bool)> = None;
    for item in &file.items {
        p.trailing(item.span.start);
        let one_line = is_one_line(&item.node);
        if let Some((prev, prev_one)) = previous {
            let same_kind =
                std::mem::discriminant(&prev.node) == std::mem::discriminant(&item.node);
            if !(one_line && prev_one && same_kind)
                || p.blank_between(prev.span.end, item.span.start)
            {
                p.out.push('\n');
            }
        }
        p.leading(item.span.start);
        p.item(item);
        previous = Some((item, one_line));
    }
    p.trailing(text.len() as u32);
    p.leading(text.len() as u32);
    let mut out = p.out.trim_end().to_string();
    out.push('\n');
    if file.items.is_empty() && out.trim().is_empty() {
        return String::new();
    }
    out
}

/// One declaration in canonical form, without its comments: two versions of a declaration
/// compare equal here exactly when they differ only in layout and comments. `text` is the
/// source the declaration was parsed from.
///
/// ```
/// use charter::syntax::{parse, FileId};
/// let a = "role clerk \"Clerk\" { headcount 2 }";
/// let b = "# the clerks\nrole clerk \"Clerk\" {\n\n  headcount   2\n}";
/// let (fa, fb) = (parse(FileId(0), a), parse(FileId(0), b));
/// let (fa, fb) = (fa.map_err(|e| format!("{e:?}"))?, fb.map_err(|e| format!("{e:?}"))?);
/// // The same declaration, laid out and commented differently.
/// assert_eq!(charter::format::format_item(a, &fa.items[0]), charter::format::format_item(b, &fb.items[0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_item(text: &str, item: &Node<Item>) -> String {
    let mut p = Printer {
        text,
        comments: Vec::new(),
        next: 0,
        out: String::new(),
        indent: 0,
    };
    p.item(item);
    p.out
}

fn is_one_line(item: &Item) -> bool {
    matches!(
        item,
        Item::Import(_)
            | Item::Channel(..)
            | Item::Field(..)
            | Item::Attribute(..)
            | Item::Category(..)
            | Item::Department(_)
            | Item::Event(_)
            | Item::Extension(..)
    ) || matches!(item, Item::Stage(_, stmts) if stmts.is_empty())
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    next: usize,
    out: String,
    indent: usize,
}

impl Printer<'_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Comments after code on the line before `pos`: appended to the last line printed.
    fn trailing(&mut self, pos: u32) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos as usize || c.own_line {
                break;
            }
            if self.out.ends_with('\n') && !self.out.ends_with("\n\n") && !self.out.is_empty() {
                self.out.pop();
                let _ = writeln!(self.out, " {}", c.text);
            } else {
                let text = c.text.clone();
                self.line(&text);
            }
            self.next += 1;
        }
    }

    /// Every comment before `pos` not printed yet, each on its own line.
    fn leading(&mut self, pos: u32) {
        self.trailing(pos);
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos as usize {
                break;
            }
            let (text, own_line, start) = (c.text.clone(), c.own_line, c.start);
            if !own_line {
                self.trailing(pos);
                continue;
            }
            if self.next > 0
                && !self.out.is_empty()
                && !self.out.ends_with("\n\n")
                && !self.out.ends_with("{\n")
            {
                let prev_end =
                    self.comments[self.next - 1].start + self.comments[self.next - 1].text.len();
                if self
                    .text
                    .get(prev_end.min(start)..start)
                    .is_some_and(has_blank_line)
                    && self.out.ends_with('\n')
                {
                    self.out.push('\n');
                }
            }
            self.line(&text);
            self.next += 1;
            let after = start + text.len();
            let upto = self
                .comments
                .get(self.next)
                .map_or(pos as usize, |c| c.start.min(pos as usize));
            if self
                .comments
                .get(self.next)
                .is_none_or(|c| c.start >= pos as usize)
                && self.text.get(after..upto).is_some_and(has_blank_line)
            {
                self.out.push('\n');
            }
        }
    }

    fn blank_between(&self, end: u32, start: u32) -> bool {
        let gap = self.text.get(end as usize..start as usize).unwrap_or("");
        // Only the part before the first comment counts.
        let gap = gap.split('#').next().unwrap_or("");
        has_blank_line(gap)
    }

    fn block<T>(
        &mut self,
        open: &str,
        stmts: &[Node<T>],
        end: u32,
        mut f: impl FnMut(&mut Self, &T),
    ) {
        self.line(&format!("{open} {{"));
        self.indent += 1;
        let mut prev_end: Option<u32> = None;
        for stmt in stmts {
            self.trailing(stmt.span.start);
            if let Some(e) = prev_end
                && self.blank_between(e, stmt.span.start)
            {
                self.out.push('\n');
            }
            self.leading(stmt.span.start);
            f(self, &stmt.node);
            prev_end = Some(stmt.span.end);
        }
        self.leading(end.saturating_sub(1));
        self.indent -= 1;
        self.line("}");
    }

    fn item(&mut self, item: &Node<Item>) {
        let end = item.span.end;
        match &item.node {
            Item::Policy(h, stmts) => {
                self.block(&format!("policy {}", head(h)), stmts, end, |p, s| {
                    p.line(&policy_stmt(s))
                })
            }
            Item::Import(path) => self.line(&format!("import {}", quote(path))),
            Item::Calendar(h, stmts) => {
                self.block(&format!("calendar {}", head(h)), stmts, end, |p, s| {
                    p.line(&calendar_stmt(s))
                })
            }
            Item::Channel(h, via) => {
                let body = via
                    .as_ref()
                    .map(|v| format!(" {{ callback {} }}", v.name))
                    .unwrap_or_default();
                self.line(&format!("channel {}{body}", head(h)));
            }
            Item::Field(h, req, scope, personal) => {
                let presence = match req {
                    Some(true) => " required",
                    Some(false) => " optional",
                    None => "",
                };
                let scope = scope
                    .as_ref()
                    .map(|s| {
                        let names: Vec<&str> =
                            s.categories.iter().map(|c| c.name.as_str()).collect();
                        format!(
                            " {} {}",
                            if s.except { "except" } else { "for" },
                            names.join(", ")
                        )
                    })
                    .unwrap_or_default();
                let personal = if *personal { " personal" } else { "" };
                let body = if presence.is_empty() && scope.is_empty() && personal.is_empty() {
                    String::new()
                } else {
                    format!(" {{{presence}{scope}{personal} }}")
                };
                self.line(&format!("field {}{body}", head(h)));
            }
            Item::Attribute(h, ty, unit, means) => {
                let mut unit = unit
                    .as_ref()
                    .map(|(u, _)| format!("  unit {}", label(u)))
                    .unwrap_or_default();
                // `means` after the unit, in the same braces.
                if let Some(m) = means {
                    unit.push_str(&format!("  means {}", label(m)));
                }
                self.line(&format!(
                    "attribute {} {{ type {}{unit} }}",
                    head(h),
                    ty.name()
                ))
            }
            Item::Severities(list) => {
                self.line("severities {");
                self.indent += 1;
                for (h, means) in list {
                    self.leading(h.name.span.start);
                    self.line(&format!("{}{}", head(h), definition(means.as_ref())));
                }
                self.leading(end.saturating_sub(1));
                self.indent -= 1;
                self.line("}");
            }
            Item::Category(h, means) => self.line(&format!(
                "category {}{}",
                head(h),
                definition(means.as_ref())
            )),
            Item::Department(h) => self.line(&format!("department {}", head(h))),
            Item::Event(h) => self.line(&format!("event {}", head(h))),
            Item::Scope(stmts) => self.block("scope", stmts, end, |p, s| p.line(&scope_stmt(s))),
            Item::Route(rules) => self.rules("route", rules, end),
            Item::Calendars(rules) => self.rules("calendars", rules, end),
            Item::Sla(sla) => {
                let mut open = format!("sla {}", head(&sla.head));
                if let Some(w) = &sla.when {
                    let _ = write!(open, " when {}", condition(&w.node));
                }
                if let Some(on) = &sla.on {
                    let _ = write!(open, " on {}", on.name);
                }
                self.block(&open, &sla.targets, end, |p, t| p.line(&target(t)));
            }
            Item::Escalate(e) => {
                let mut open = format!("escalate {}", head(&e.head));
                if let Some(t) = &e.target {
                    let _ = write!(open, " for {}", t.name);
                }
                if let Some(w) = &e.when {
                    let _ = write!(open, " when {}", condition(&w.node));
                }
                self.block(&open, &e.steps, end, |p, s| p.line(&step(s)));
            }
            Item::Callback(h, when, stmts) => {
                let mut open = format!("callback {}", head(h));
                if let Some(w) = when {
                    let _ = write!(open, " when {}", condition(&w.node));
                }
                self.block(&open, stmts, end, |p, s| p.line(&callback_stmt(s)));
            }
            Item::Stage(h, stmts) if stmts.is_empty() => {
                self.line(&format!("stage {} {{}}", head(h)))
            }
            Item::Stage(h, stmts) => {
                self.block(&format!("stage {}", head(h)), stmts, end, |p, s| {
                    p.line(&match s {
                        StageStmt::After(i) => format!("after {}", i.name),
                        StageStmt::SeparateFrom(i) => format!("separate_from {}", i.name),
                        StageStmt::By(i) => format!("by {}", i.name),
                        StageStmt::Target(t) => target(t),
                    })
                })
            }
            Item::Extension(x) => {
                let mut line = format!("extension {}", x.target.name);
                if let Some(w) = &x.when {
                    let _ = write!(line, " when {}", condition(&w.node));
                }
                let stmts: Vec<String> = (x.stmts.iter())
                    .map(|s| match s.node {
                        ExtensionStmt::Max(d) => format!("max {d}"),
                        ExtensionStmt::Count(n) => format!("count {n}"),
                    })
                    .collect();
                let _ = write!(line, " {{ {} }}", stmts.join("  "));
                self.line(&line)
            }
            Item::Report(h, stmts) => {
                self.block(&format!("report {}", head(h)), stmts, end, |p, s| {
                    p.line(&report_stmt(s))
                })
            }
            Item::Role(h, stmts) => self.block(&format!("role {}", head(h)), stmts, end, |p, s| {
                p.role_stmt(s)
            }),
            Item::Procedure(h, stmts) => self.block(
                &format!("procedure {}", head(h)),
                stmts,
                end,
                |p, s| match s {
                    ProcedureStmt::Purpose(l) => p.line(&format!("purpose {}", label(l))),
                    ProcedureStmt::AppliesTo(l) => p.line(&format!("applies_to {}", label(l))),
                    ProcedureStmt::Step(h, body) => p.step(h, body),
                },
            ),
        }
    }

    /// A step: on one line when it only has a limit and an owner, else as a block.
    fn step(&mut self, h: &Head, body: &[Node<StepStmt>]) {
        let short = body
            .iter()
            .all(|s| matches!(s.node, StepStmt::Within(..) | StepStmt::By(_)));
        if body.is_empty() {
            self.line(&format!("step {}", head(h)));
        } else if short {
            let parts: Vec<String> = body.iter().map(|s| step_stmt(&s.node)).collect();
            self.line(&format!("step {} {{ {} }}", head(h), parts.join("  ")));
        } else {
            let end = body.last().map_or(h.name.span.end, |s| s.span.end + 1);
            self.block(&format!("step {}", head(h)), body, end, |p, s| {
                p.line(&step_stmt(s))
            });
        }
    }

    fn rules(&mut self, keyword: &str, rules: &Rules, end: u32) {
        let mut all: Vec<Node<String>> = rules
            .rules
            .iter()
            .map(|r| Node {
                span: r.span,
                node: format!(
                    "when {} -> {}",
                    condition(&r.node.when.node),
                    r.node.to.name
                ),
            })
            .collect();
        if let Some(o) = &rules.otherwise {
            all.push(Node {
                span: o.span,
                node: format!("otherwise -> {}", o.node.name),
            });
        }
        self.block(keyword, &all, end, |p, s| p.line(s));
    }

    fn role_stmt(&mut self, s: &RoleStmt) {
        let text = match s {
            RoleStmt::Code(c) => format!("code {}", quote(c)),
            RoleStmt::Document(d) => format!("document {}", quote(d)),
            RoleStmt::Department(d) => format!("department {}", d.name),
            RoleStmt::ReportsTo(r) => format!("reports_to {}", r.name),
            RoleStmt::Headcount(n) => format!("headcount {n}"),
            RoleStmt::Grade(g) => format!("grade {}", quote(g)),
            RoleStmt::PayGrade(l) => format!("pay_grade {}", label(l)),
            RoleStmt::OfficeGrade(l) => format!("office_grade {}", label(l)),
            RoleStmt::Location(l) => format!("location {}", label(l)),
            RoleStmt::Hours(l) => format!("hours {}", label(l)),
            RoleStmt::Purpose(l) => format!("purpose {}", label(l)),
            RoleStmt::Relation(internal, l) => format!(
                "relation {} {}",
                if *internal { "internal" } else { "external" },
                label(l)
            ),
            RoleStmt::Related(list) => format!("related {}", names(list)),
            RoleStmt::Duty(d) if d.other && d.stmts.is_empty() => {
                format!("duty other {}", label(&d.label))
            }
            RoleStmt::Duty(d) => {
                let end = d.stmts.last().map_or(d.name.span.end, |s| s.span.end + 1);
                self.block(
                    &format!("duty {} {}", d.name.name, label(&d.label)),
                    &d.stmts,
                    end,
                    |p, s| p.line(&duty_stmt(s)),
                );
                return;
            }
            RoleStmt::Authority(a) => authority(a),
            RoleStmt::Right(l) => format!("right {}", label(l)),
            RoleStmt::Obligation(l) => format!("obligation {}", label(l)),
            RoleStmt::Requires(Requirement::Experience(years, l)) => {
                let unit = if *years == 1 { "year" } else { "years" };
                format!(
                    "requires experience {years} {unit}{}",
                    l.as_ref()
                        .map(|l| format!(" {}", label(l)))
                        .unwrap_or_default()
                )
            }
            RoleStmt::Requires(Requirement::Other(kind, l)) => {
                format!("requires {kind} {}", label(l))
            }
            RoleStmt::Training(l) => format!("training {}", label(l)),
            RoleStmt::PromotesTo(path) => format!(
                "promotes_to {}",
                path.iter().map(position).collect::<Vec<_>>().join(" -> ")
            ),
            RoleStmt::RotatesWith(list) => format!("rotates_with {}", names(list)),
            RoleStmt::Deputy(r) => format!("deputy {}", r.name),
        };
        self.line(&text);
    }
}

fn has_blank_line(gap: &str) -> bool {
    let mut lines = gap.split('\n');
    lines.next();
    let rest: Vec<&str> = lines.collect();
    rest.len() >= 2
        && rest[..rest.len() - 1]
            .iter()
            .any(|l| crate::syntax::is_layout(l))
}

fn head(h: &Head) -> String {
    match &h.label {
        Some(l) => format!("{} {}", h.name.name, label(l)),
        None => h.name.name.clone(),
    }
}

fn names(list: &[Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A label as source: `"text" zh "…" en "…"`.
///
/// ```
/// use charter::vocabulary::Label;
/// let label = Label { text: "收费问题".into(), zh: None, en: Some("Charges".into()) };
/// assert_eq!(charter::format::label(&label), "\"收费问题\" en \"Charges\"");
/// ```
pub fn label(l: &Label) -> String {
    let mut out = quote(&l.text);
    if let Some(zh) = &l.zh {
        let _ = write!(out, " zh {}", quote(zh));
    }
    if let Some(en) = &l.en {
        let _ = write!(out, " en {}", quote(en));
    }
    out
}

/// A string literal with `\\`, `\"`, newline and tab escaped.
///
/// ```
/// assert_eq!(charter::format::quote("say \"hi\""), "\"say \\\"hi\\\"\"");
/// ```
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn policy_stmt(s: &PolicyStmt) -> String {
    match s {
        PolicyStmt::Version(v) => format!("version {}", quote(v)),
        PolicyStmt::Effective(d) => format!("effective {d}"),
        PolicyStmt::Timezone(t) => format!("timezone {}", quote(t)),
        PolicyStmt::Locale(l) => format!("locale {}", quote(l)),
        PolicyStmt::Calendar(c) => format!("calendar {}", c.name),
        PolicyStmt::AtRisk(p) => format!("at_risk {}%", number(*p)),
        PolicyStmt::Fallback(a) => format!("fallback {}", if *a { "allowed" } else { "forbidden" }),
        PolicyStmt::Satisfaction(p) => format!("satisfaction {}%", number(*p)),
        PolicyStmt::Organisation(l) => format!("organisation {}", label(l)),
        PolicyStmt::Document(d) => format!("document {}", quote(d)),
        PolicyStmt::Changes(l) => format!("changes {}", label(l)),
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn hours(list: &[Node<crate::time::OpenInterval>]) -> String {
    if list.is_empty() {
        return "closed".into();
    }
    list.iter()
        .map(|i| format!("{}-{}", hhmm(i.node.start), hhmm(i.node.end)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn calendar_stmt(s: &CalendarStmt) -> String {
    match s {
        CalendarStmt::Timezone(t) => format!("timezone {}", quote(t)),
        CalendarStmt::Valid(a, b) => format!("valid {a}..{b}"),
        CalendarStmt::Use(c) => format!("use {}", c.name),
        CalendarStmt::Week(days, h) => {
            let days: Vec<String> = days
                .iter()
                .map(|&(a, b)| {
                    let name = |d: u8| DAYS.get(usize::from(d)).copied().unwrap_or("mon");
                    if a == b {
                        name(a).to_string()
                    } else {
                        format!("{}..{}", name(a), name(b))
                    }
                })
                .collect();
            format!("week {} {}", days.join(", "), hours(h))
        }
        CalendarStmt::Holiday(a, b, l) => {
            let range = if a == b {
                a.to_string()
            } else {
                format!("{a}..{b}")
            };
            format!(
                "holiday {range}{}",
                l.as_ref()
                    .map(|l| format!(" {}", label(l)))
                    .unwrap_or_default()
            )
        }
        CalendarStmt::Yearly(a, b, l) => {
            let day = |(m, d): (u32, u32)| format!("{m:02}-{d:02}");
            let range = if a == b {
                day(*a)
            } else {
                format!("{}..{}", day(*a), day(*b))
            };
            format!(
                "yearly {range}{}",
                l.as_ref()
                    .map(|l| format!(" {}", label(l)))
                    .unwrap_or_default()
            )
        }
        CalendarStmt::Beyond(provisional) => format!(
            "beyond valid {}",
            if *provisional {
                "provisional"
            } else {
                "refuse"
            }
        ),
        CalendarStmt::Workday(d, h, l) => {
            let h = h
                .as_ref()
                .map(|h| format!(" {}", hours(h)))
                .unwrap_or_default();
            format!(
                "workday {d}{h}{}",
                l.as_ref()
                    .map(|l| format!(" {}", label(l)))
                    .unwrap_or_default()
            )
        }
    }
}

fn scope_stmt(s: &ScopeStmt) -> String {
    match s {
        ScopeStmt::Accept(list) => format!("accept {}", names(list)),
        ScopeStmt::Redirect(list, to, why, within) => format!(
            "redirect {} to {} because {}{}",
            names(list),
            label(to),
            label(why),
            within
                .as_ref()
                .map(|(d, on)| format!(
                    " within {d}{}",
                    on.as_ref()
                        .map(|o| format!(" on {}", o.name))
                        .unwrap_or_default()
                ))
                .unwrap_or_default()
        ),
        ScopeStmt::Incomplete(d, on) => format!(
            "incomplete within {d}{}",
            on.as_ref()
                .map(|o| format!(" on {}", o.name))
                .unwrap_or_default()
        ),
    }
}

/// A condition as source, with the fewest parentheses that keep its meaning.
///
/// ```
/// use charter::syntax::ast::Item;
/// use charter::syntax::{parse, FileId};
/// let file = parse(FileId(0), "route { when (severity >= major) and (amount > 5000 or vip) -> clerk }")
///     .map_err(|e| format!("{e:?}"))?;
/// let Item::Route(rules) = &file.items[0].node else { panic!("a route block") };
/// assert_eq!(
///     charter::format::condition(&rules.rules[0].node.when.node),
///     "severity >= major and (amount > 5000 or vip)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn condition(c: &Condition) -> String {
    match c {
        Condition::Or(parts) => parts
            .iter()
            .map(|p| condition(&p.node))
            .collect::<Vec<_>>()
            .join(" or "),
        Condition::And(parts) => parts
            .iter()
            .map(|p| match &p.node {
                Condition::Or(_) => format!("({})", condition(&p.node)),
                other => condition(other),
            })
            .collect::<Vec<_>>()
            .join(" and "),
        Condition::Not(inner) => match &inner.node {
            Condition::Test(..) | Condition::Not(_) => format!("not {}", condition(&inner.node)),
            other => format!("not ({})", condition(other)),
        },
        Condition::Test(subject, test) => match test {
            Test::Truthy => subject.name.clone(),
            Test::In(list) => format!(
                "{} in [{}]",
                subject.name,
                list.iter()
                    .map(|v| value(&v.node))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Test::Contains(v) => format!("{} contains {}", subject.name, value(&v.node)),
            Test::Compare(op, v) => format!("{} {} {}", subject.name, op.symbol(), value(&v.node)),
        },
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::String(s) => quote(s),
        Value::Number(n) => number(*n),
        Value::Name(n) => n.clone(),
    }
}

fn target(t: &Target) -> String {
    let mut out = format!(
        "{}{}{} {} {}",
        if t.aim { "aim " } else { "" },
        t.name.name,
        t.label
            .as_ref()
            .map(|l| format!(" {}", label(l)))
            .unwrap_or_default(),
        if t.recurring { "every" } else { "within" },
        t.span
    );
    if let Some(f) = &t.from {
        let each = if t.each { "each " } else { "" };
        let _ = write!(out, " from {each}{}", f.name);
    }
    if !t.until.is_empty() {
        let names: Vec<&str> = t.until.iter().map(|u| u.name.as_str()).collect();
        let _ = write!(out, " until {}", names.join(" or "));
    }
    if let Some(o) = &t.on {
        let _ = write!(out, " on {}", o.name);
    }
    out
}

fn step(s: &Step) -> String {
    let trigger = match &s.trigger {
        Trigger::Immediately => "immediately".to_string(),
        Trigger::Percent(p) => format!("at {}%", number(p.node)),
        Trigger::Breach(None) => "at breach".to_string(),
        Trigger::Breach(Some(d)) => format!("at breach + {d}"),
    };
    format!(
        "{trigger} {} {}",
        if s.escalate { "escalate" } else { "notify" },
        s.whom.name
    )
}

fn callback_stmt(s: &CallbackStmt) -> String {
    match s {
        CallbackStmt::Within(d, from, on) => {
            let mut out = format!("within {d}");
            if let Some(f) = from {
                let _ = write!(out, " from {}", f.name);
            }
            if let Some(o) = on {
                let _ = write!(out, " on {}", o.name);
            }
            out
        }
        CallbackStmt::Via(c) => format!("via {}", c.name),
        CallbackStmt::AskSatisfaction => "ask satisfaction".into(),
        CallbackStmt::DissatisfiedReopen => "dissatisfied reopen".into(),
    }
}

fn report_stmt(s: &ReportStmt) -> String {
    let recipients = |list: &[Recipient]| {
        list.iter()
            .map(|r| match r {
                Recipient::Role(i) => i.name.clone(),
                Recipient::External(l) => label(l),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s {
        ReportStmt::Schedule(s, calendar) => {
            let on =
                s.on.as_ref()
                    .map(|o| format!(" on {o}"))
                    .unwrap_or_default();
            let calendar = calendar
                .as_ref()
                .map(|c| format!(" on {}", c.name))
                .unwrap_or_default();
            format!("every {}{on} before {}{calendar}", s.period, hhmm(s.before))
        }
        ReportStmt::Covering(c) => format!("covering {c}"),
        ReportStmt::To(list) => format!("to {}", recipients(list)),
        ReportStmt::Cc(list) => format!("cc {}", recipients(list)),
        ReportStmt::IfClosed(m) => format!("if_closed {}", m.word()),
    }
}

/// ` { means "..." }` after a category or severity, or nothing.
fn definition(means: Option<&Label>) -> String {
    means.map_or_else(String::new, |m| format!(" {{ means {} }}", label(m)))
}

fn step_stmt(s: &StepStmt) -> String {
    match s {
        StepStmt::Within(d, on) => format!(
            "within {d}{}",
            on.as_ref()
                .map(|o| format!(" on {}", o.name))
                .unwrap_or_default()
        ),
        StepStmt::By(r) => format!("by {}", r.name),
        StepStmt::When(c) => format!("when {}", condition(&c.node)),
        StepStmt::Does(l) => format!("does {}", label(l)),
        StepStmt::Records(l) => format!("records {}", label(l)),
        StepStmt::Form(l) => format!("form {}", label(l)),
        StepStmt::ChecksScope => "checks scope".into(),
        StepStmt::CallsBack => "calls_back".into(),
        StepStmt::BackTo(step, question) => format!("back_to {} if {}", step.name, label(question)),
    }
}

fn authority(a: &Authority) -> String {
    let kind = a.kind.map(|k| format!("{} ", k.name())).unwrap_or_default();
    let levels: Vec<&str> = a.levels.iter().map(|l| l.node.name()).collect();
    let limit = (a.limit.as_ref())
        .map(|(n, c)| format!(" up to {} {c}", number(*n)))
        .unwrap_or_default();
    format!(
        "authority {kind}{} {}{limit}",
        levels.join(", "),
        label(&a.matter)
    )
}

fn position(p: &Recipient) -> String {
    match p {
        Recipient::Role(i) => i.name.clone(),
        Recipient::External(l) => label(l),
    }
}

fn duty_stmt(s: &DutyStmt) -> String {
    match s {
        DutyStmt::Weight(w) => format!("weight {}%", number(w.node)),
        DutyStmt::Time(None) => "time ad_hoc".into(),
        DutyStmt::Time(Some((n, unit, per))) => format!("time {} {unit} per {per}", number(*n)),
        DutyStmt::Measure(l) => format!("measure {}", label(l)),
        DutyStmt::Process(chain) => format!(
            "process {}",
            chain.iter().map(label).collect::<Vec<_>>().join(" -> ")
        ),
        DutyStmt::Result(l) => format!("result {}", label(l)),
        DutyStmt::Item(l, None) => format!("item {}", label(l)),
        DutyStmt::Item(l, Some(ItemTime::AdHoc)) => format!("item {} ad_hoc", label(l)),
        DutyStmt::Item(l, Some(ItemTime::Per(n, unit, per))) => {
            format!("item {} for {} {unit} per {per}", label(l), number(*n))
        }
        DutyStmt::Owns(refs) => format!(
            "owns {}",
            refs.iter()
                .map(|r| match &r.procedure {
                    Some(p) => format!("{}.{}", p.name, r.step.name),
                    None => r.step.name.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
