//! Conditions, route and calendar rules, SLA targets, escalations, callbacks and stages.

use crate::check::names::unknown;
use crate::check::{
    AttrTest, Callback, Compiler, Cond, Escalation, EscalationStep, Fallback, Policy, Rule,
    RuleRef, Sla, Stage, Target, Trigger, Whom, named,
};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::{self, AttrType, CompareOp, Condition, Item, Node, Test, Value};

const SUBJECTS: [&str; 3] = ["category", "channel", "severity"];

impl Compiler<'_> {
    pub(crate) fn rules(&mut self, policy: &mut Policy) {
        let items = self.items.clone();
        for item in &items {
            match &item.node {
                Item::Route(rules) => {
                    if !policy.routes.is_empty() || policy.otherwise.is_some() {
                        self.error(Kind::Repeated, item.span, "`route` is declared twice")
                            .help = Some(
                            "keep all route rules in one `route` block: their order matters".into(),
                        );
                    }
                    let (list, otherwise) = self.rule_list(rules, false);
                    policy.routes = list;
                    policy.otherwise = otherwise;
                }
                Item::Calendars(rules) => {
                    let (list, otherwise) = self.rule_list(rules, true);
                    policy.calendar_rules = list;
                    policy.calendar_otherwise = otherwise;
                }
                _ => {}
            }
        }
    }

    /// Compiles `when C -> X` rules whose targets are roles, or calendars when `calendars`.
    fn rule_list(&mut self, rules: &ast::Rules, calendars: bool) -> (Vec<Rule>, Option<Fallback>) {
        let mut list = Vec::new();
        for r in &rules.rules {
            let when = self.condition(&r.node.when);
            let table = if calendars {
                &self.t.calendars
            } else {
                &self.t.roles
            };
            if let (Some(when), Some(target)) = (when, table.resolve(&r.node.to, &mut self.out)) {
                list.push(Rule {
                    when,
                    target,
                    span: r.span,
                    cited: RuleRef::default(),
                });
            }
        }
        let otherwise = rules.otherwise.as_ref().and_then(|o| {
            let table = if calendars {
                &self.t.calendars
            } else {
                &self.t.roles
            };
            table
                .resolve(&o.node, &mut self.out)
                .map(|target| Fallback {
                    target,
                    span: o.span,
                    cited: RuleRef::default(),
                })
        });
        (list, otherwise)
    }

    /// Checks a condition; `None` when it has errors (all reported).
    pub(crate) fn condition(&mut self, c: &Node<Condition>) -> Option<Cond> {
        match &c.node {
            Condition::And(parts) => self.conditions(parts).map(Cond::And),
            Condition::Or(parts) => self.conditions(parts).map(Cond::Or),
            Condition::Not(inner) => self.condition(inner).map(|c| Cond::Not(Box::new(c))),
            Condition::Test(subject, test) => self.test(subject, test),
        }
    }

    fn conditions(&mut self, parts: &[Node<Condition>]) -> Option<Vec<Cond>> {
        let checked: Vec<Option<Cond>> = parts.iter().map(|p| self.condition(p)).collect();
        checked.into_iter().collect()
    }

    fn test(&mut self, subject: &ast::Ident, test: &Test) -> Option<Cond> {
        match subject.name.as_str() {
            "category" => self.names_test(subject, test, true).map(Cond::Category),
            "channel" => self.names_test(subject, test, false).map(Cond::Channel),
            "severity" => self.severity_test(subject, test),
            _ => {
                let Some(attr) = self.t.attributes.find(subject) else {
                    let mut names: Vec<String> = SUBJECTS.iter().map(|s| s.to_string()).collect();
                    names.extend(self.t.attributes.names().iter().cloned());
                    self.out.push(unknown("attribute", subject, names.iter().map(String::as_str)).with_help(
                        "conditions test `category`, `channel`, `severity` or an attribute declared with `attribute NAME { type … }`",
                    ));
                    return None;
                };
                let ty = self
                    .attr_types
                    .get(attr)
                    .copied()
                    .unwrap_or(AttrType::String);
                self.attribute_test(subject, ty, test)
                    .map(|t| Cond::Attribute(attr, t))
            }
        }
    }

    fn mismatch(
        &mut self,
        subject: &ast::Ident,
        span: crate::syntax::Span,
        message: String,
        help: &str,
    ) -> Option<()> {
        self.out.push(
            Diagnostic::error(Kind::TypeMismatch, span, message)
                .with_related(subject.span, "tested here")
                .with_help(help),
        );
        None
    }

    /// `category = x`, `category != x`, `category in [x, y]`; channels alike.
    fn names_test(
        &mut self,
        subject: &ast::Ident,
        test: &Test,
        category: bool,
    ) -> Option<Vec<usize>> {
        let values: Vec<&Node<Value>> = match test {
            Test::Compare(CompareOp::Eq, v) => vec![v],
            Test::In(list) => list.iter().collect(),
            Test::Compare(op, v) => {
                let help = format!(
                    "a {} has no order: use `=`, `in [...]`, or `not (…)`",
                    subject.name
                );
                self.out.push(
                    Diagnostic::error(
                        Kind::BadComparison,
                        v.span,
                        format!(
                            "`{}` cannot be compared with `{}`",
                            subject.name,
                            op.symbol()
                        ),
                    )
                    .with_help(help),
                );
                return None;
            }
            Test::Truthy | Test::Contains(_) => {
                self.out.push(
                    Diagnostic::error(
                        Kind::TypeMismatch,
                        subject.span,
                        format!("`{}` needs a value to test against", subject.name),
                    )
                    .with_help(format!(
                        "write `{} = NAME` or `{} in [A, B]`",
                        subject.name, subject.name
                    )),
                );
                return None;
            }
        };
        let mut ids = Vec::new();
        let mut ok = true;
        for v in values {
            let Value::Name(name) = &v.node else {
                ok &= self
                    .mismatch(
                        subject,
                        v.span,
                        format!("`{}` is tested against a literal, not a name", subject.name),
                        "write the declared name without quotes",
                    )
                    .is_some();
                continue;
            };
            let ident = ast::Ident {
                name: name.clone(),
                span: v.span,
            };
            let table = if category {
                &self.t.categories
            } else {
                &self.t.channels
            };
            match table.resolve(&ident, &mut self.out) {
                Some(i) => ids.push(i),
                None => ok = false,
            }
        }
        if ok { Some(ids) } else { None }
    }

    fn severity_test(&mut self, subject: &ast::Ident, test: &Test) -> Option<Cond> {
        let resolve = |c: &mut Self, v: &Node<Value>| -> Option<usize> {
            let Value::Name(name) = &v.node else {
                c.out.push(
                    Diagnostic::error(
                        Kind::TypeMismatch,
                        v.span,
                        "severity is compared with a literal, not a severity name",
                    )
                    .with_help(
                        "write a declared severity without quotes, e.g. `severity >= major`",
                    ),
                );
                return None;
            };
            let ident = ast::Ident {
                name: name.clone(),
                span: v.span,
            };
            if c.t.severities.is_empty() {
                c.out.push(Diagnostic::error(Kind::BadComparison, v.span, format!("severity `{name}` is compared, but no severities are declared")).with_help("declare them lowest first: `severities { minor  normal  major  critical }`"));
                return None;
            }
            let found = c.t.severities.get(name);
            if found.is_none() {
                let names: Vec<String> = c.t.severities.names().to_vec();
                let d = unknown("severity", &ident, names.iter().map(String::as_str));
                c.out.push(Diagnostic {
                    kind: Kind::BadComparison,
                    ..d
                });
            }
            found
        };
        match test {
            Test::Compare(op, v) => resolve(self, v).map(|i| Cond::Severity(*op, i)),
            Test::In(list) => {
                let ids: Vec<Option<usize>> = list.iter().map(|v| resolve(self, v)).collect();
                ids.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Cond::SeverityIn)
            }
            _ => {
                self.out.push(
                    Diagnostic::error(
                        Kind::TypeMismatch,
                        subject.span,
                        "`severity` needs a comparison",
                    )
                    .with_help("write e.g. `severity >= major` or `severity in [major, critical]`"),
                );
                None
            }
        }
    }

    fn attribute_test(
        &mut self,
        subject: &ast::Ident,
        ty: AttrType,
        test: &Test,
    ) -> Option<AttrTest> {
        let name = &subject.name;
        let ty_help = format!("`{name}` is declared as a {}", ty.name());
        match (ty, test) {
            (AttrType::Bool, Test::Truthy) => Some(AttrTest::True),
            (AttrType::Bool, Test::Compare(op @ (CompareOp::Eq | CompareOp::Ne), v)) => {
                match v.node {
                    Value::Bool(b) => Some(AttrTest::Bool(*op == CompareOp::Eq, b)),
                    _ => self
                        .mismatch(
                            subject,
                            v.span,
                            format!(
                                "`{name}` is a bool and is compared with a {}",
                                value_type(&v.node)
                            ),
                            "compare with `true` or `false`",
                        )
                        .map(|_| AttrTest::True),
                }
            }
            (AttrType::Number, Test::Compare(op, v)) => match v.node {
                Value::Number(n) => Some(AttrTest::Number(*op, n)),
                _ => self
                    .mismatch(
                        subject,
                        v.span,
                        format!(
                            "`{name}` is a number and is compared with a {}",
                            value_type(&v.node)
                        ),
                        "compare with a number, e.g. `5000`",
                    )
                    .map(|_| AttrTest::True),
            },
            (AttrType::Number, Test::In(list)) => {
                let mut numbers = Vec::new();
                for v in list {
                    match v.node {
                        Value::Number(n) => numbers.push(n),
                        _ => {
                            self.mismatch(
                                subject,
                                v.span,
                                format!(
                                    "`{name}` is a number and the list holds a {}",
                                    value_type(&v.node)
                                ),
                                "list numbers only",
                            );
                            return None;
                        }
                    }
                }
                Some(AttrTest::NumberIn(numbers))
            }
            (AttrType::String, Test::Compare(op @ (CompareOp::Eq | CompareOp::Ne), v)) => {
                match &v.node {
                    Value::String(s) => Some(AttrTest::Text(*op == CompareOp::Eq, s.clone())),
                    other => self
                        .mismatch(
                            subject,
                            v.span,
                            format!(
                                "`{name}` is a string and is compared with a {}",
                                value_type(other)
                            ),
                            "put the text in double quotes",
                        )
                        .map(|_| AttrTest::True),
                }
            }
            (AttrType::String, Test::In(list)) => {
                let mut texts = Vec::new();
                for v in list {
                    match &v.node {
                        Value::String(s) => texts.push(s.clone()),
                        other => {
                            self.mismatch(
                                subject,
                                v.span,
                                format!(
                                    "`{name}` is a string and the list holds a {}",
                                    value_type(other)
                                ),
                                "list quoted strings only",
                            );
                            return None;
                        }
                    }
                }
                Some(AttrTest::TextIn(texts))
            }
            (AttrType::Set, Test::Contains(v)) => match &v.node {
                Value::String(s) => Some(AttrTest::Contains(s.clone())),
                other => self
                    .mismatch(
                        subject,
                        v.span,
                        format!(
                            "`{name}` is a set of strings and is tested for a {}",
                            value_type(other)
                        ),
                        "put the text in double quotes",
                    )
                    .map(|_| AttrTest::True),
            },
            (_, test) => {
                let (span, what) = match test {
                    Test::Truthy => (subject.span, "used as a condition on its own".to_string()),
                    Test::In(_) => (subject.span, "tested with `in`".to_string()),
                    Test::Contains(v) => (v.span, "tested with `contains`".to_string()),
                    Test::Compare(op, v) => (v.span, format!("compared with `{}`", op.symbol())),
                };
                let help = match ty {
                    AttrType::Bool => {
                        "a bool is tested on its own (`vip`), or with `= true` / `!= true`"
                    }
                    AttrType::Number => {
                        "a number is compared (`amount > 5000`) or tested with `in [1, 2]`"
                    }
                    AttrType::String => {
                        "a string is tested with `= \"…\"`, `!= \"…\"` or `in [\"…\"]`"
                    }
                    AttrType::Set => "a set is tested with `contains \"…\"`",
                };
                self.out.push(
                    Diagnostic::error(
                        Kind::TypeMismatch,
                        span,
                        format!("`{name}` is a {} and cannot be {what}", ty.name()),
                    )
                    .with_label(ty_help)
                    .with_help(help),
                );
                None
            }
        }
    }

    pub(crate) fn targets(&mut self, policy: &mut Policy) {
        let items = self.items.clone();
        for item in &items {
            match &item.node {
                Item::Sla(sla) => {
                    let when = sla.when.as_ref().and_then(|c| self.condition(c));
                    let calendar = sla
                        .on
                        .as_ref()
                        .and_then(|c| self.t.calendars.resolve(c, &mut self.out));
                    let mut targets: Vec<Target> = Vec::new();
                    for t in &sla.targets {
                        if let Some(first) = targets.iter().find(|x| x.name == t.node.name.name) {
                            self.out.push(Diagnostic::error(Kind::Duplicate, t.node.name.span, format!("target `{}` is given twice in one sla block", t.node.name.name)).with_related(first.span_at, "first here").with_help("give each target once per block; use another `sla … when …` block to override it"));
                            continue;
                        }
                        let target = self.target(&t.node, t.span, calendar, "received");
                        targets.push(target);
                    }
                    if sla.when.is_some() && when.is_none() {
                        continue;
                    }
                    policy.slas.push(Sla {
                        named: named(&sla.head),
                        when,
                        targets,
                    });
                }
                Item::Escalate(e) => {
                    if let Some(esc) = self.escalation(e) {
                        policy.escalations.push(esc);
                    }
                }
                Item::Callback(head, when, stmts) => {
                    let cb = self.callback(head, when.as_ref(), stmts);
                    policy.callbacks.push(cb);
                }
                Item::Stage(head, stmts) => {
                    let stage = self.stage(head, stmts);
                    policy.stages.push(stage);
                }
                _ => {}
            }
        }
        let all = || {
            (policy.slas.iter().flat_map(|s| &s.targets))
                .chain(policy.stages.iter().flat_map(|s| &s.targets))
        };
        for ladder in &policy.escalations {
            let Some(name) = &ladder.target else { continue };
            if let Some(aim) = all().find(|t| t.aim && t.name == *name) {
                self.out.push(
                    Diagnostic::error(Kind::BadEscalation, ladder.named.span, format!("escalation `{}` follows `{name}`, which is an aim", ladder.named.name))
                        .with_related(aim.span_at, "the aim")
                        .with_help("an aim reports met or missed and never escalates; remove `aim` to make it a target that can breach, or remove the ladder"),
                );
            }
        }
        let needs_calendar = policy
            .slas
            .iter()
            .flat_map(|s| &s.targets)
            .chain(policy.stages.iter().flat_map(|s| &s.targets))
            .find(|t| t.calendar.is_none());
        if let Some(t) = needs_calendar
            && policy.default_calendar.is_none()
            && policy.calendar_otherwise.is_none()
            && t.span.clock() == crate::time::Clock::Working
        {
            self.out.push(Diagnostic::error(Kind::Missing, t.span_at, format!("target `{}` counts working time, but no calendar applies to it", t.name)).with_help("add `calendar NAME` to the policy header, `on NAME` to the sla block, or a `calendars { … otherwise -> NAME }` block"));
        }
    }

    fn target(
        &mut self,
        t: &ast::Target,
        span: crate::syntax::Span,
        calendar: Option<usize>,
        default_start: &str,
    ) -> Target {
        let d = self.duration(span, t.span);
        let (start, stop) = match t.name.name.as_str() {
            "acknowledge" => ("received", "acknowledged"),
            "resolve" => ("received", "resolved"),
            "update" => ("received", "updated"),
            "callback" => ("resolved", "callback"),
            _ => ("received", t.name.name.as_str()),
        };
        let start = if default_start != "received" && start == "received" {
            default_start
        } else {
            start
        };
        let start = t
            .from
            .as_ref()
            .map(|e| self.event(e))
            .unwrap_or_else(|| start.to_string());
        let stop = match &t.until[..] {
            [] => vec![stop.to_string()],
            events => events.iter().map(|e| self.event(e)).collect(),
        };
        if t.each && start == "received" {
            self.error(
                Kind::BadEscalation,
                span,
                format!(
                    "target `{}` runs `from each received`, but a case is received once",
                    t.name.name
                ),
            )
            .help = Some(
                "name the event whose every occurrence opens a clock, e.g. `from each missed_call`"
                    .into(),
            );
        }
        if t.each && t.recurring {
            self.error(
                Kind::BadEscalation,
                span,
                format!("target `{}` cannot both recur (`every`) and run per occurrence (`from each`)", t.name.name),
            )
            .help = Some("`every` starts a new cycle at each stop event; `from each EVENT` opens a clock at every EVENT: choose one".into());
        }
        let calendar = match &t.on {
            Some(c) => self.t.calendars.resolve(c, &mut self.out),
            None => calendar,
        };
        Target {
            name: t.name.name.clone(),
            label: t.label.clone().unwrap_or_default(),
            span: d,
            recurring: t.recurring,
            aim: t.aim,
            each: t.each,
            start,
            stop,
            calendar,
            span_at: span,
        }
    }

    fn escalation(&mut self, e: &ast::Escalate) -> Option<Escalation> {
        if let Some(t) = &e.target {
            self.target_ref(t);
        }
        let when = e.when.as_ref().and_then(|c| self.condition(c));
        let mut steps = Vec::new();
        for s in &e.steps {
            let trigger = match &s.node.trigger {
                ast::Trigger::Immediately => Trigger::Immediately,
                ast::Trigger::Percent(p) => Trigger::Percent(self.percent(p.node, p.span)),
                ast::Trigger::Breach(d) => Trigger::Breach(d.map(|d| self.duration(s.span, d))),
            };
            if e.target.is_none() && trigger != Trigger::Immediately {
                self.out.push(Diagnostic::error(Kind::BadEscalation, s.span, format!("escalation `{}` has a timed step but no target", e.head.name.name)).with_related(e.head.name.span, "the ladder").with_help("add `for TARGET` (e.g. `for resolve`) so the step knows whose clock to follow, or make it `immediately`"));
            }
            let whom = match s.node.whom.name.as_str() {
                "handler" => Whom::Handler,
                "superior" => Whom::Superior,
                _ => match self.t.roles.get(&s.node.whom.name) {
                    Some(i) => Whom::Role(i),
                    None => {
                        let mut names = vec!["handler".to_string(), "superior".to_string()];
                        names.extend(self.t.roles.names().iter().cloned());
                        self.out.push(unknown("role", &s.node.whom, names.iter().map(String::as_str)).with_help("escalate to a declared role, to `handler` or to `superior` (the handler's `reports_to`)"));
                        continue;
                    }
                },
            };
            steps.push(EscalationStep {
                trigger,
                escalate: s.node.escalate,
                whom,
                span: s.span,
            });
        }
        if e.when.is_some() && when.is_none() {
            return None;
        }
        Some(Escalation {
            named: named(&e.head),
            target: e.target.as_ref().map(|t| t.name.clone()),
            when,
            steps,
        })
    }

    fn callback(
        &mut self,
        head: &ast::Head,
        when: Option<&Node<Condition>>,
        stmts: &[Node<ast::CallbackStmt>],
    ) -> Callback {
        let when = when.and_then(|c| self.condition(c));
        let mut cb = Callback {
            named: named(head),
            when,
            within: None,
            via: None,
            ask_satisfaction: false,
            reopen_if_dissatisfied: false,
        };
        for stmt in stmts {
            match &stmt.node {
                ast::CallbackStmt::Within(d, from, on) => {
                    let d = self.duration(stmt.span, *d);
                    let from = from
                        .as_ref()
                        .map_or_else(|| "resolved".to_string(), |e| self.event(e));
                    let on = on
                        .as_ref()
                        .and_then(|c| self.t.calendars.resolve(c, &mut self.out));
                    cb.within = Some((d, from, on));
                }
                ast::CallbackStmt::Via(channel) if channel.name == "original" => cb.via = None,
                ast::CallbackStmt::Via(channel) => {
                    cb.via = self.t.channels.resolve(channel, &mut self.out)
                }
                ast::CallbackStmt::AskSatisfaction => cb.ask_satisfaction = true,
                ast::CallbackStmt::DissatisfiedReopen => cb.reopen_if_dissatisfied = true,
            }
        }
        cb
    }

    fn stage(&mut self, head: &ast::Head, stmts: &[Node<ast::StageStmt>]) -> Stage {
        let mut stage = Stage {
            named: named(head),
            after: None,
            separate_from: Vec::new(),
            by: None,
            targets: Vec::new(),
        };
        for stmt in stmts {
            match &stmt.node {
                ast::StageStmt::After(s) => stage.after = self.t.stages.resolve(s, &mut self.out),
                ast::StageStmt::SeparateFrom(s) => {
                    if s.name == head.name.name {
                        self.error(
                            Kind::BadEscalation,
                            s.span,
                            format!("stage `{}` cannot be separate from itself", s.name),
                        )
                        .help = Some(
                            "name the earlier stage whose handler must not handle this one".into(),
                        );
                    } else if let Some(i) = self.t.stages.resolve(s, &mut self.out) {
                        stage.separate_from.push(i);
                    }
                }
                ast::StageStmt::By(role) => {
                    let whom = match role.name.as_str() {
                        "handler" => Some(Whom::Handler),
                        "superior" => Some(Whom::Superior),
                        _ => self.t.roles.resolve(role, &mut self.out).map(Whom::Role),
                    };
                    if stage.by.replace(whom.unwrap_or(Whom::Handler)).is_some() {
                        self.error(
                            Kind::Repeated,
                            stmt.span,
                            format!("stage `{}` names its role twice", head.name.name),
                        )
                        .help = Some("give one `by ROLE` per stage".into());
                    }
                }
                ast::StageStmt::Target(t) => {
                    let target = self.target(t, stmt.span, None, "stage");
                    stage.targets.push(target);
                }
            }
        }
        stage
    }
}

fn value_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Name(_) => "name",
    }
}
