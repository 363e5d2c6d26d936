//! Roles (position descriptions) and procedures: references, duty weights, owned steps and
//! `reports_to` cycles.

use crate::check::{
    Authority, Compiler, Duty, Named, Policy, Procedure, Recipient, Requirement, Role, WorkItem,
    WorkTime, named,
};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::Span;
use crate::syntax::ast::{self, DutyStmt, Item, ItemTime, RoleStmt};
use crate::vocabulary::AuthorityKind;

impl Compiler<'_> {
    pub(crate) fn roles_and_procedures(&mut self, policy: &mut Policy) {
        let items = self.items.clone();
        for item in &items {
            if let Item::Procedure(head, stmts) = &item.node {
                let procedure = self.procedure(head, stmts, policy);
                policy.procedures.push(procedure);
            }
        }
        let mut reports_spans: Vec<Option<Span>> = Vec::new();
        for item in &items {
            if let Item::Role(head, stmts) = &item.node {
                let (role, span) = self.role(head, stmts, &policy.procedures);
                policy.roles.push(role);
                reports_spans.push(span);
            }
        }
        self.reports_to_cycles(policy, &reports_spans);
    }

    fn role(
        &mut self,
        head: &ast::Head,
        stmts: &[ast::Node<RoleStmt>],
        procedures: &[Procedure],
    ) -> (Role, Option<Span>) {
        let mut role = Role {
            named: named(head),
            ..Role::default()
        };
        let mut reports_span = None;
        let mut document_span: Option<Span> = None;
        let (mut pay_span, mut office_span, mut other_span) = (None, None, None);
        let mut promotion_span = None;
        for stmt in stmts {
            match &stmt.node {
                RoleStmt::Code(c) => role.code = Some(c.clone()),
                RoleStmt::Document(d) => {
                    // A second number would silently replace the first.
                    if let Some(first) = document_span {
                        self.out.push(
                            Diagnostic::error(
                                Kind::Repeated,
                                stmt.span,
                                format!("role `{}` has two document numbers", head.name.name),
                            )
                            .with_related(first, "first given here")
                            .with_help("keep one `document`"),
                        );
                    }
                    document_span = Some(stmt.span);
                    role.document = Some(d.clone());
                }
                RoleStmt::Department(d) => {
                    role.department = self.t.departments.resolve(d, &mut self.out)
                }
                RoleStmt::ReportsTo(r) => {
                    if r.name == head.name.name {
                        self.error(Kind::Cycle, r.span, format!("role `{}` reports to itself", r.name)).help = Some("name the direct superior, or leave `reports_to` out for the top of the organisation".into());
                        continue;
                    }
                    role.reports_to = self.t.roles.resolve(r, &mut self.out);
                    reports_span = Some(r.span);
                }
                RoleStmt::Headcount(n) => role.headcount = Some(*n),
                RoleStmt::Grade(g) => role.grade = Some(g.clone()),
                RoleStmt::PayGrade(l) => {
                    self.role_once(&mut pay_span, stmt.span, head, "pay grades", "pay_grade");
                    role.pay_grade = Some(l.clone());
                }
                RoleStmt::OfficeGrade(l) => {
                    self.role_once(
                        &mut office_span,
                        stmt.span,
                        head,
                        "office grades",
                        "office_grade",
                    );
                    role.office_grade = Some(l.clone());
                }
                RoleStmt::Location(l) => role.location = Some(l.clone()),
                RoleStmt::Hours(l) => role.hours = Some(l.clone()),
                RoleStmt::Purpose(l) => role.purpose = Some(l.clone()),
                RoleStmt::Relation(internal, l) => role.relations.push((*internal, l.clone())),
                RoleStmt::Related(list) => role.related.extend(
                    list.iter()
                        .filter_map(|r| self.t.roles.resolve(r, &mut self.out)),
                ),
                RoleStmt::Duty(d) => {
                    if d.other {
                        self.role_once(
                            &mut other_span,
                            stmt.span,
                            head,
                            "catch-all duties",
                            "duty other",
                        );
                    }
                    let duty = self.duty(d, procedures);
                    role.duties.push(duty);
                }
                RoleStmt::Authority(a) => {
                    let authority = self.authority(a);
                    role.authorities.push(authority);
                }
                RoleStmt::Right(l) => role.rights.push(l.clone()),
                RoleStmt::Obligation(l) => role.obligations.push(l.clone()),
                RoleStmt::Requires(ast::Requirement::Experience(years, l)) => {
                    role.requirements.push(Requirement {
                        kind: "experience".into(),
                        years: Some(*years),
                        text: l.clone(),
                    })
                }
                RoleStmt::Requires(ast::Requirement::Other(kind, l)) => {
                    role.requirements.push(Requirement {
                        kind: kind.clone(),
                        years: None,
                        text: Some(l.clone()),
                    })
                }
                RoleStmt::Training(l) => role.training.push(l.clone()),
                RoleStmt::PromotesTo(path) => {
                    self.role_once(
                        &mut promotion_span,
                        stmt.span,
                        head,
                        "promotion paths",
                        "promotes_to",
                    );
                    role.promotes_to = self.promotion(head, path);
                }
                RoleStmt::RotatesWith(list) => role.rotates_with.extend(
                    list.iter()
                        .filter_map(|r| self.t.roles.resolve(r, &mut self.out)),
                ),
                RoleStmt::Deputy(r) => role.deputy = self.t.roles.resolve(r, &mut self.out),
            }
        }
        self.weights(head, stmts);
        (role, reports_span)
    }

    /// Reports a statement given twice in one role, whose second would replace the first.
    fn role_once(
        &mut self,
        seen: &mut Option<Span>,
        span: Span,
        head: &ast::Head,
        what: &str,
        keyword: &str,
    ) {
        if let Some(first) = *seen {
            self.out.push(
                Diagnostic::error(
                    Kind::Repeated,
                    span,
                    format!("role `{}` has two {what}", head.name.name),
                )
                .with_related(first, "first given here")
                .with_help(format!("keep one `{keyword}`")),
            );
        }
        *seen = Some(span);
    }

    /// An authority: its kind (other when left out) and its levels, each held once.
    fn authority(&mut self, a: &ast::Authority) -> Authority {
        let mut levels = Vec::new();
        for level in &a.levels {
            if levels.contains(&level.node) {
                self.error(
                    Kind::Repeated,
                    level.span,
                    format!("level `{}` is given twice", level.node.name()),
                )
                .help = Some("name each of `submit`, `review` and `approve` at most once".into());
                continue;
            }
            levels.push(level.node);
        }
        levels.sort();
        Authority {
            kind: a.kind.unwrap_or(AuthorityKind::Other),
            levels,
            matter: a.matter.clone(),
            limit: a.limit.clone(),
        }
    }

    /// The promotion path: each step a role of the policy or a named position, never the role
    /// itself.
    fn promotion(&mut self, head: &ast::Head, path: &[ast::Recipient]) -> Vec<Recipient> {
        let mut steps = Vec::new();
        for step in path {
            match step {
                ast::Recipient::Role(r) if r.name == head.name.name => {
                    self.error(
                        Kind::Cycle,
                        r.span,
                        format!("role `{}` is promoted to itself", r.name),
                    )
                    .help = Some("name the positions above this one".into());
                }
                ast::Recipient::Role(r) => {
                    if let Some(i) = self.t.roles.resolve(r, &mut self.out) {
                        steps.push(Recipient::Role(i));
                    }
                }
                ast::Recipient::External(l) => steps.push(Recipient::External(l.clone())),
            }
        }
        steps
    }

    fn duty(&mut self, d: &ast::Duty, procedures: &[Procedure]) -> Duty {
        let mut duty = Duty {
            named: Named {
                name: d.name.name.clone(),
                label: d.label.clone(),
                span: d.name.span,
            },
            weight: None,
            time: None,
            ad_hoc: false,
            measure: None,
            process: Vec::new(),
            result: None,
            owns: Vec::new(),
            items: Vec::new(),
            other: d.other,
        };
        for stmt in &d.stmts {
            match &stmt.node {
                DutyStmt::Weight(w) => duty.weight = Some(self.percent(w.node, w.span)),
                DutyStmt::Time(Some(t)) => duty.time = Some(t.clone()),
                DutyStmt::Time(None) => duty.ad_hoc = true,
                DutyStmt::Measure(l) => duty.measure = Some(l.clone()),
                DutyStmt::Process(chain) => duty.process = chain.clone(),
                DutyStmt::Result(l) => duty.result = Some(l.clone()),
                DutyStmt::Item(text, time) => duty.items.push(WorkItem {
                    text: text.clone(),
                    time: time.as_ref().map(|t| match t {
                        ItemTime::AdHoc => WorkTime::AdHoc,
                        ItemTime::Per(n, unit, per) => WorkTime::Per(*n, unit.clone(), per.clone()),
                    }),
                }),
                DutyStmt::Owns(refs) => {
                    for r in refs {
                        if let Some(owned) = self.step_ref(r, procedures) {
                            duty.owns.push(owned);
                        }
                    }
                }
            }
        }
        duty
    }

    fn step_ref(&mut self, r: &ast::StepRef, procedures: &[Procedure]) -> Option<(usize, usize)> {
        let candidates: Vec<(usize, usize)> = procedures
            .iter()
            .enumerate()
            .filter(|(_, p)| r.procedure.as_ref().is_none_or(|q| q.name == p.named.name))
            .filter_map(|(i, p)| {
                p.steps
                    .iter()
                    .position(|s| s.named.name == r.step.name)
                    .map(|j| (i, j))
            })
            .collect();
        if let Some(q) = &r.procedure
            && self.t.procedures.resolve(q, &mut self.out).is_none()
        {
            return None;
        }
        match candidates[..] {
            [one] => Some(one),
            [] => {
                let names: Vec<String> = procedures
                    .iter()
                    .flat_map(|p| p.steps.iter().map(|s| s.named.name.clone()))
                    .collect();
                self.out.push(super::names::unknown(
                    "procedure step",
                    &r.step,
                    names.iter().map(String::as_str),
                ));
                None
            }
            _ => {
                self.error(
                    Kind::UnknownName,
                    r.step.span,
                    format!("step `{}` is in more than one procedure", r.step.name),
                )
                .help = Some(format!("qualify it: `PROCEDURE.{}`", r.step.name));
                None
            }
        }
    }

    fn weights(&mut self, head: &ast::Head, stmts: &[ast::Node<RoleStmt>]) {
        let weights: Vec<(f64, Span)> = stmts
            .iter()
            .filter_map(|s| match &s.node {
                RoleStmt::Duty(d) => d.stmts.iter().find_map(|x| match &x.node {
                    DutyStmt::Weight(w) => Some((w.node, w.span)),
                    _ => None,
                }),
                _ => None,
            })
            .collect();
        let total: f64 = weights.iter().map(|w| w.0).sum();
        if !weights.is_empty() && (total - 100.0).abs() > 0.001 {
            let mut d = Diagnostic::error(
                Kind::WeightSum,
                head.name.span,
                format!(
                    "the duty weights of role `{}` add up to {total}%, not 100%",
                    head.name.name
                ),
            )
            .with_help("adjust the weights so that together they make 100%");
            for (w, span) in &weights {
                d = d.with_related(*span, format!("{w}%"));
            }
            self.out.push(d);
        }
    }

    fn reports_to_cycles(&mut self, policy: &Policy, spans: &[Option<Span>]) {
        let n = policy.roles.len();
        let mut reported = vec![false; n];
        for start in 0..n {
            let mut path = vec![start];
            let mut current = start;
            while let Some(next) = policy.roles[current].reports_to {
                if next == start {
                    if !path.iter().any(|&r| reported[r]) {
                        let names: Vec<&str> = path
                            .iter()
                            .chain(std::iter::once(&start))
                            .map(|&r| policy.roles[r].named.name.as_str())
                            .collect();
                        let span = spans
                            .get(start)
                            .copied()
                            .flatten()
                            .unwrap_or(policy.roles[start].named.span);
                        self.error(
                            Kind::Cycle,
                            span,
                            format!(
                                "`reports_to` goes round in a circle: {}",
                                names.join(" -> ")
                            ),
                        )
                        .help = Some(
                            "the chain of superiors must end at a role with no `reports_to`".into(),
                        );
                        for &r in &path {
                            reported[r] = true;
                        }
                    }
                    break;
                }
                if path.contains(&next) || path.len() > n {
                    break;
                }
                path.push(next);
                current = next;
            }
        }
    }
}
