//! Procedures: each step's limit, owner, condition, description (actions, records, forms) and
//! the decisions taken after it (`checks scope`, `back_to`).

use crate::check::{Compiler, Policy, Procedure, ProcedureStep, Whom, named};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::Span;
use crate::syntax::ast::{self, ProcedureStmt, StepStmt};

impl Compiler<'_> {
    /// `calls_back` once in the policy, and only where there are callbacks to make: checked
    /// once the `callback` blocks are compiled.
    pub(crate) fn callback_steps(&mut self, policy: &Policy) {
        let steps = (policy.procedures.iter())
            .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
            .filter(|(_, s)| s.calls_back);
        let mut first: Option<&crate::check::Named> = None;
        for (procedure, step) in steps {
            if policy.callbacks.is_empty() {
                self.out.push(
                    Diagnostic::error(
                        Kind::Missing,
                        step.named.span,
                        format!("step `{}` says `calls_back`, but the policy has no `callback` block", step.named.name),
                    )
                    .with_help("declare the callback: `callback feedback \"结果反馈\" { within 3 working days from resolved  via original }`, or remove `calls_back`"),
                );
            }
            match first {
                Some(earlier) => self.out.push(
                    Diagnostic::error(
                        Kind::Repeated,
                        step.named.span,
                        format!(
                            "step `{}` of procedure `{}` says `calls_back`, and so does step `{}`",
                            step.named.name, procedure.named.name, earlier.name
                        ),
                    )
                    .with_related(earlier.span, "callbacks are made here")
                    .with_help("callbacks are made in one step: keep `calls_back` in one of them"),
                ),
                None => first = Some(&step.named),
            }
        }
    }

    /// One procedure; `policy` already holds the scope, which `checks scope` decides.
    pub(crate) fn procedure(
        &mut self,
        head: &ast::Head,
        stmts: &[ast::Node<ProcedureStmt>],
        policy: &Policy,
    ) -> Procedure {
        let mut procedure = Procedure {
            named: named(head),
            purpose: None,
            applies_to: None,
            steps: Vec::new(),
        };
        let mut bodies = Vec::new();
        for stmt in stmts {
            match &stmt.node {
                ProcedureStmt::Purpose(l) => procedure.purpose = Some(l.clone()),
                ProcedureStmt::AppliesTo(l) => procedure.applies_to = Some(l.clone()),
                ProcedureStmt::Step(h, body) => {
                    if let Some(first) =
                        procedure.steps.iter().find(|s| s.named.name == h.name.name)
                    {
                        self.out.push(
                            Diagnostic::error(
                                Kind::Duplicate,
                                h.name.span,
                                format!(
                                    "step `{}` is declared twice in procedure `{}`",
                                    h.name.name, head.name.name
                                ),
                            )
                            .with_related(first.named.span, "first declared here")
                            .with_help("give each step a unique name"),
                        );
                        continue;
                    }
                    let step = self.step(h, body, policy);
                    procedure.steps.push(step);
                    bodies.push((h, body));
                }
            }
        }
        // `back_to` may name a step declared after it, so it is resolved once all are known.
        for (s, (h, body)) in bodies.into_iter().enumerate() {
            let back = self.back_to(&procedure, s, h, body);
            procedure.steps[s].back_to = back;
        }
        procedure
    }

    /// A step, with everything but `back_to`.
    fn step(
        &mut self,
        h: &ast::Head,
        body: &[ast::Node<StepStmt>],
        policy: &Policy,
    ) -> ProcedureStep {
        let mut step = ProcedureStep {
            named: named(h),
            within: None,
            by: None,
            when: None,
            does: Vec::new(),
            records: Vec::new(),
            forms: Vec::new(),
            checks_scope: false,
            calls_back: false,
            back_to: Vec::new(),
        };
        // Where `within`, `by`, `when`, `checks scope` and `calls_back` were first written.
        let mut seen: [Option<Span>; 5] = [None; 5];
        for stmt in body {
            let (slot, keyword) = match &stmt.node {
                StepStmt::Within(..) => (0, "within"),
                StepStmt::By(_) => (1, "by"),
                StepStmt::When(_) => (2, "when"),
                StepStmt::ChecksScope => (3, "checks scope"),
                StepStmt::CallsBack => (4, "calls_back"),
                StepStmt::Does(_)
                | StepStmt::Records(_)
                | StepStmt::Form(_)
                | StepStmt::BackTo(..) => (usize::MAX, ""),
            };
            if let Some(first) = seen.get(slot).copied().flatten() {
                self.out.push(
                    Diagnostic::error(
                        Kind::Repeated,
                        stmt.span,
                        format!("`{keyword}` is given twice in step `{}`", h.name.name),
                    )
                    .with_related(first, "first given here")
                    .with_help("give it once; write a second step if the work differs"),
                );
                continue;
            }
            if let Some(place) = seen.get_mut(slot) {
                *place = Some(stmt.span);
            }
            self.step_stmt(&mut step, stmt, policy);
        }
        step
    }

    fn step_stmt(&mut self, step: &mut ProcedureStep, stmt: &ast::Node<StepStmt>, policy: &Policy) {
        match &stmt.node {
            StepStmt::Within(d, on) => {
                let d = self.duration(stmt.span, *d);
                let on = on
                    .as_ref()
                    .and_then(|c| self.t.calendars.resolve(c, &mut self.out));
                step.within = Some((d, on));
            }
            StepStmt::By(r) => {
                step.by = match r.name.as_str() {
                    "routed" => Some(Whom::Handler),
                    "superior" => Some(Whom::Superior),
                    _ => self.t.roles.resolve(r, &mut self.out).map(Whom::Role),
                };
            }
            StepStmt::When(c) => step.when = self.condition(c),
            StepStmt::Does(l) => step.does.push(l.clone()),
            StepStmt::Records(l) => step.records.push(l.clone()),
            StepStmt::Form(l) => step.forms.push(l.clone()),
            StepStmt::ChecksScope => {
                let scope = &policy.scope;
                if scope.accepted.is_empty()
                    && scope.redirects.is_empty()
                    && scope.incomplete.is_none()
                {
                    self.out.push(
                        Diagnostic::error(
                            Kind::Missing,
                            stmt.span,
                            "`checks scope`, but the policy has no `scope` that decides anything",
                        )
                        .with_help("declare what is accepted, redirected or completed: `scope { accept a, b  redirect c to \"…\" because \"…\"  incomplete within 1 working day }`"),
                    );
                } else {
                    step.checks_scope = true;
                }
            }
            StepStmt::CallsBack => step.calls_back = true,
            StepStmt::BackTo(..) => {}
        }
    }

    /// The `back_to` statements of step `s`, resolved against the procedure's steps.
    fn back_to(
        &mut self,
        procedure: &Procedure,
        s: usize,
        h: &ast::Head,
        body: &[ast::Node<StepStmt>],
    ) -> Vec<(usize, ast::Label)> {
        let mut out = Vec::new();
        for stmt in body {
            let StepStmt::BackTo(target, question) = &stmt.node else {
                continue;
            };
            let Some(t) = (procedure.steps.iter()).position(|x| x.named.name == target.name) else {
                let names = procedure.steps.iter().map(|x| x.named.name.as_str());
                self.out
                    .push(super::names::unknown("procedure step", target, names));
                continue;
            };
            if t == s {
                self.out.push(
                    Diagnostic::error(
                        Kind::Cycle,
                        target.span,
                        format!("step `{}` sends cases back to itself", h.name.name),
                    )
                    .with_help("name the step the case goes back to, e.g. `back_to handle if \"结果不符合要求\"`"),
                );
                continue;
            }
            out.push((t, question.clone()));
        }
        out
    }
}
