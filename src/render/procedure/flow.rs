//! The procedure's flowchart: a box per step, and the decisions between them: the steps that
//! only some cases go through (`when`), accept / redirect / incomplete after `checks scope`,
//! one branch per routed role at a `by routed` step, and `back_to` (review send-back, reopen
//! when the customer is dissatisfied).

use crate::check::{Procedure, ProcedureStep, Whom};

use super::super::flowchart::{Flowchart, Shape};
use super::super::words::{cond_words, span_words};
use super::super::{Block, Lang};
use super::Pr;
use super::owners::Owners;

/// At most this many branches at a routing decision; the rest share one box.
const BRANCHES: usize = 6;

/// Arrows still to be drawn: from these nodes, with these labels, to whatever comes next.
type Pending = Vec<(usize, Option<String>)>;

impl Pr<'_> {
    /// The flowchart and, under it, the same in words.
    pub(super) fn flowchart(&self, p: &Procedure, owners: &Owners) -> Vec<Block> {
        let chart = self.chart(p, owners);
        // Named after the procedure itself (客诉处理流程, 售后处理流程, …).
        let name = self.l(&p.named.label);
        let title = match self.lang {
            // 售后处理流程 → 售后处理流程图, not 售后处理流程流程图.
            Lang::Zh if name.ends_with("流程") => format!("{name}图"),
            Lang::Zh => format!("{name}流程图"),
            Lang::En => format!("{name}: flowchart"),
        };
        let words = chart.words();
        vec![
            Block::Flowchart { title, chart },
            Block::Paragraph(self.say(
                "流程图文字说明（编号对应图中各框，【】内为去向）：",
                "The flowchart in words (numbers are the boxes; where each leads in brackets):",
            )),
            Block::List(words),
        ]
    }

    fn chart(&self, p: &Procedure, owners: &Owners) -> Flowchart {
        let mut chart = Flowchart {
            chinese: self.lang == Lang::Zh,
            ..Flowchart::default()
        };
        let start = chart.node(
            Shape::Terminal,
            vec![self.say("收到投诉", "A complaint comes in")],
        );
        let mut pending: Pending = vec![(start, None)];
        // The node each step starts at, for `back_to`; filled as steps are drawn.
        let mut entry: Vec<Option<usize>> = vec![None; p.steps.len()];
        let mut back: Vec<(usize, usize, String)> = Vec::new();
        // The question of the steps being drawn under a `when`, and the arrow that skips
        // them: consecutive steps under the same condition share one decision.
        let mut open: Option<(Vec<String>, Pending)> = None;
        for (s, step) in p.steps.iter().enumerate() {
            let question = (step.when.as_ref())
                .map(|when| self.question(&cond_words(self.policy, when, self.lang)));
            let same = matches!((&question, &open), (Some(q), Some((o, _))) if q == o);
            if !same && let Some((_, skipped)) = open.take() {
                pending.extend(skipped);
            }
            if let (Some(question), false) = (question, same) {
                let d = self.attach(&mut chart, &mut pending, Shape::Decision, question.clone());
                entry[s] = Some(d);
                pending = vec![(d, Some(self.yes()))];
                open = Some((question, vec![(d, Some(self.no()))]));
            }
            let (first, last) = self.step_nodes(&mut chart, &mut pending, owners, s, step);
            entry[s] = entry[s].or(Some(first));
            pending = last;
            if step.checks_scope {
                self.scope_decisions(&mut chart, &mut pending, first);
            }
            for (target, question) in &step.back_to {
                let q = self.question(&self.l(question));
                let d = self.attach(&mut chart, &mut pending, Shape::Decision, q);
                // A step of the routed handler starts at the routing decision; the case goes
                // back to the role that handled it, not to be routed again: the arrow says so.
                let routed = (p.steps.get(*target)).is_some_and(|t| t.by == Some(Whom::Handler))
                    && owners.routed.len() > 1;
                let label = if routed {
                    self.say("是，退回原承办岗位", "Yes: back to the same handler")
                } else {
                    self.yes()
                };
                back.push((d, *target, label));
                pending = vec![(d, Some(self.no()))];
            }
        }
        if let Some((_, skipped)) = open {
            pending.extend(skipped);
        }
        let end = self.attach(
            &mut chart,
            &mut pending,
            Shape::Terminal,
            vec![self.say("结束", "End")],
        );
        let _ = end;
        for (from, target, label) in back {
            if let Some(Some(to)) = entry.get(target) {
                chart.edge(from, *to, Some(label));
            }
        }
        chart
    }

    /// Adds a node and draws every pending arrow to it.
    fn attach(
        &self,
        chart: &mut Flowchart,
        pending: &mut Pending,
        shape: Shape,
        lines: Vec<String>,
    ) -> usize {
        let n = chart.node(shape, lines);
        for (from, label) in pending.drain(..) {
            chart.edge(from, n, label);
        }
        n
    }

    /// The boxes of one step: one box, or for `by routed` a routing decision and a box per
    /// routed role. Returns the first node and the arrows leaving the step.
    fn step_nodes(
        &self,
        chart: &mut Flowchart,
        pending: &mut Pending,
        owners: &Owners,
        s: usize,
        step: &ProcedureStep,
    ) -> (usize, Pending) {
        let title = self.l(&step.named.label);
        let limit = step.within.map(|(span, _)| match self.lang {
            Lang::Zh => format!("时限{}", span_words(span, self.lang)),
            Lang::En => format!("within {}", span_words(span, self.lang)),
        });
        if step.by == Some(Whom::Handler) && owners.routed.len() > 1 {
            let lines = vec![self.say("按分派规则分派", "Route by the rules")];
            let d = self.attach(chart, pending, Shape::Decision, lines);
            let mut out = Vec::new();
            let shown = owners.routed.len().min(BRANCHES);
            for (k, &r) in owners.routed.iter().enumerate().take(shown) {
                let who = if k + 1 == shown && owners.routed.len() > shown {
                    match self.lang {
                        Lang::Zh => format!("其他{}个职位", owners.routed.len() - k),
                        Lang::En => format!("{} other positions", owners.routed.len() - k),
                    }
                } else {
                    self.role(r)
                };
                let lines = self.box_lines(&title, &who, limit.as_deref());
                let n = chart.node(Shape::Process, lines);
                chart.edge(d, n, None);
                out.push((n, None));
            }
            return (d, out);
        }
        let who = self.owner_names(owners, s);
        let lines = self.box_lines(&title, &who, limit.as_deref());
        let n = self.attach(chart, pending, Shape::Process, lines);
        (n, vec![(n, None)])
    }

    /// A box's lines: the step, then who and the time limit.
    fn box_lines(&self, title: &str, who: &str, limit: Option<&str>) -> Vec<String> {
        let mut lines = vec![title.to_string()];
        let mut detail = if who == "—" {
            String::new()
        } else {
            who.to_string()
        };
        if let Some(limit) = limit {
            if !detail.is_empty() {
                detail.push_str(self.lang.say("，", ", "));
            }
            detail.push_str(limit);
        }
        if !detail.is_empty() {
            lines.push(detail);
        }
        lines
    }

    /// Accept / redirect, then complete / incomplete, after the step starting at `step`.
    fn scope_decisions(&self, chart: &mut Flowchart, pending: &mut Pending, step: usize) {
        let scope = &self.policy.scope;
        if !scope.redirects.is_empty() || !scope.accepted.is_empty() {
            let d = self.attach(
                chart,
                pending,
                Shape::Decision,
                self.question(&self.say("属于受理范围", "Within the scope")),
            );
            let text = if scope.redirects.is_empty() {
                self.say(
                    "告知客户不予受理及原因",
                    "Decline, telling the customer why",
                )
            } else {
                match self.lang {
                    Lang::Zh => format!("告知客户原因，引导至{}", self.redirect_targets()),
                    Lang::En => format!("Explain and refer to {}", self.redirect_targets()),
                }
            };
            let out = chart.node(Shape::Terminal, vec![text]);
            chart.edge(d, out, Some(self.no()));
            *pending = vec![(d, Some(self.yes()))];
        }
        if let Some((span, _)) = scope.incomplete {
            let d = self.attach(
                chart,
                pending,
                Shape::Decision,
                self.question(&self.say("信息完整", "Record complete")),
            );
            let lines = vec![
                self.say("联系客户补充信息", "Ask the customer for what is missing"),
                match self.lang {
                    Lang::Zh => format!("时限{}", span_words(span, self.lang)),
                    Lang::En => format!("within {}", span_words(span, self.lang)),
                },
            ];
            let ask = chart.node(Shape::Process, lines);
            chart.edge(d, ask, Some(self.no()));
            chart.edge(ask, step, None);
            *pending = vec![(d, Some(self.yes()))];
        }
    }

    /// A question's lines, with one question mark.
    fn question(&self, text: &str) -> Vec<String> {
        let text = text.trim_end_matches(['？', '?']);
        let mut chars = text.chars();
        let text: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        vec![format!("{text}{}", self.say("？", "?"))]
    }

    fn yes(&self) -> String {
        self.say("是", "Yes")
    }

    fn no(&self) -> String {
        self.say("否", "No")
    }
}
