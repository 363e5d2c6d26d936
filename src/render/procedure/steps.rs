//! The procedure's steps: the overview table, each step described (who, time limit, actions,
//! records, forms, what follows), the RACI matrix, and the records kept.

use crate::check::{Policy, Procedure, ProcedureStep};

use super::super::words::{cond_words, deadline_words};
use super::super::{Block, Lang};
use super::Pr;
use super::owners::Owners;

impl Pr<'_> {
    /// 程序: the flowchart, the steps with their limits and owners, each step described, and
    /// the RACI matrix; nothing when the policy has no procedure.
    pub(super) fn steps(&self) -> Vec<Block> {
        let Some((p_index, p)) = self.procedure else {
            return Vec::new();
        };
        let owners = Owners::new(self.policy, p_index, p);
        let rows = (p.steps.iter().enumerate())
            .map(|(s, step)| {
                vec![
                    (s + 1).to_string(),
                    self.l(&step.named.label),
                    self.limit(step),
                    self.owner_names(&owners, s),
                ]
            })
            .collect();
        let mut blocks = vec![
            self.heading(2, "工作程序", "Procedure"),
            self.heading(3, "流程图", "Flowchart"),
        ];
        blocks.extend(self.flowchart(p, &owners));
        blocks.push(self.heading(3, "步骤一览", "Steps at a glance"));
        blocks.push(Block::Table {
            header: vec![
                "#".into(),
                self.say("步骤", "Step"),
                self.say("时限", "Limit"),
                self.say("负责", "Owner"),
            ],
            rows,
        });
        for (s, step) in p.steps.iter().enumerate() {
            blocks.extend(self.step_described(p, &owners, s, step));
        }
        blocks.extend(self.raci(p, &owners));
        blocks
    }

    /// A step's time limit in words: for the callback step, each callback's limit by name
    /// with the event it counts from; else its own; else "—".
    pub(super) fn limit(&self, step: &ProcedureStep) -> String {
        // A step that calls back states its callbacks' limits, which say the event they count
        // from (自处理完毕起…); a bare 第3个工作日下班前 does not say from when.
        let own = step.within.map(|(span, _)| deadline_words(span, self.lang));
        let callbacks: Vec<(String, String)> = (step.calls_back.then_some(&self.policy.callbacks))
            .into_iter()
            .flatten()
            .filter_map(|c| {
                // With the event it counts from: a bare 第3个工作日下班前 does not say from when.
                Some((self.l(&c.named.label), self.callback_within(c)?))
            })
            .collect();
        // Several callbacks are told apart by name; one needs none.
        let callbacks: Vec<String> = match callbacks.as_slice() {
            [(_, limit)] => vec![limit.clone()],
            _ => (callbacks.iter())
                .map(|(name, limit)| format!("{name}{}{limit}", self.say("：", ": ")))
                .collect(),
        };
        match own {
            _ if !callbacks.is_empty() => callbacks.join(&self.say("；", "; ")),
            Some(own) => own,
            None => "—".into(),
        }
    }

    /// The roles owning step `s`, joined, or "—".
    pub(super) fn owner_names(&self, owners: &Owners, s: usize) -> String {
        let names: Vec<String> = owners.of(s).into_iter().map(|r| self.role(r)).collect();
        if names.is_empty() {
            return "—".into();
        }
        let names = names.join(self.lang.say("、", ", "));
        if owners.by_superior(s) {
            match self.lang {
                Lang::Zh => format!("承办岗位的直接上级（{names}）"),
                Lang::En => format!("the handler's direct superior ({names})"),
            }
        } else {
            names
        }
    }

    /// One step: a heading, who and when, what is done, recorded and kept, and what follows.
    fn step_described(
        &self,
        p: &Procedure,
        owners: &Owners,
        s: usize,
        step: &ProcedureStep,
    ) -> Vec<Block> {
        let lang = self.lang;
        let mut blocks = vec![Block::Heading(
            3,
            format!("{}. {}", s + 1, self.l(&step.named.label)),
        )];
        let mut facts = vec![
            format!(
                "{}{}",
                self.say("负责：", "Who: "),
                self.owner_names(owners, s)
            ),
            format!("{}{}", self.say("时限：", "Time limit: "), self.limit(step)),
        ];
        if let Some(when) = &step.when {
            facts.push(format!(
                "{}{}",
                self.say("适用：", "Applies to: "),
                cond_words(self.policy, when, lang)
            ));
        }
        blocks.push(Block::Paragraph(facts.join(lang.say("；", "; "))));
        if !step.does.is_empty() {
            blocks.push(Block::List(step.does.iter().map(|d| self.l(d)).collect()));
        }
        if !step.records.is_empty() {
            blocks.push(Block::Paragraph(format!(
                "{}{}",
                self.say("记录：", "Records: "),
                self.join_labels(&step.records)
            )));
        }
        if !step.forms.is_empty() {
            blocks.push(Block::Paragraph(format!(
                "{}{}",
                self.say("表单：", "Forms: "),
                self.forms(&step.forms)
            )));
        }
        blocks.extend(self.what_follows(p, step).map(Block::Paragraph));
        blocks
    }

    fn join_labels(&self, labels: &[crate::vocabulary::Label]) -> String {
        let list: Vec<String> = labels.iter().map(|l| self.l(l)).collect();
        list.join(self.lang.say("；", "; "))
    }

    /// Forms by name: 《投诉登记表》 in Chinese, “Complaint register” in English.
    fn forms(&self, forms: &[crate::vocabulary::Label]) -> String {
        let list: Vec<String> = (forms.iter())
            .map(|f| match self.lang {
                Lang::Zh => format!("《{}》", self.l(f)),
                Lang::En => format!("“{}”", self.l(f)),
            })
            .collect();
        list.join(self.lang.say("、", ", "))
    }

    /// The decisions taken after a step, in a sentence.
    fn what_follows(&self, p: &Procedure, step: &ProcedureStep) -> Option<String> {
        let lang = self.lang;
        let mut parts = Vec::new();
        if step.checks_scope {
            parts.extend(self.scope_sentences());
        }
        for (target, question) in &step.back_to {
            let to = p
                .steps
                .get(*target)
                .map(|t| self.l(&t.named.label))
                .unwrap_or_default();
            let q = self.l(question);
            let q = q.trim_end_matches(['？', '?']);
            parts.push(match lang {
                Lang::Zh => format!("{q}的，退回“{to}”重新办理"),
                Lang::En => format!("if {}, the case goes back to “{to}”", lowercase_first(q)),
            });
        }
        if parts.is_empty() {
            return None;
        }
        Some(match lang {
            Lang::Zh => format!("本步骤完成后：{}。", parts.join("；")),
            Lang::En => {
                let text = parts.join("; ");
                format!("After this step: {text}.")
            }
        })
    }

    /// What `checks scope` decides, in words: redirected and not accepted categories, and
    /// records that lack a required field.
    pub(super) fn scope_sentences(&self) -> Vec<String> {
        let (scope, lang) = (&self.policy.scope, self.lang);
        let mut out = Vec::new();
        if !scope.redirects.is_empty() {
            out.push(match lang {
                Lang::Zh => format!(
                    "不属于受理范围的，告知客户原因，引导至{}",
                    self.redirect_targets()
                ),
                Lang::En => format!(
                    "a complaint outside the scope is explained to the customer and referred to {}",
                    self.redirect_targets()
                ),
            });
        } else if !scope.accepted.is_empty() {
            out.push(self.say(
                "不属于受理范围的，告知客户不予受理及原因",
                "a complaint outside the scope is declined, with the reason",
            ));
        }
        if let Some((span, _)) = scope.incomplete {
            out.push(match lang {
                Lang::Zh => format!("信息不完整的，{}联系客户补充", deadline_words(span, lang)),
                Lang::En => format!(
                    "when information is missing, the customer is asked for it {}",
                    deadline_words(span, lang)
                ),
            });
        }
        out
    }

    /// Where redirected complaints go, at most three named.
    pub(super) fn redirect_targets(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for r in &self.policy.scope.redirects {
            let name = self.l(&r.to);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let more = names.len() > 3;
        names.truncate(3);
        let mut text = names.join(self.lang.say("、", ", "));
        if more {
            text.push_str(self.lang.say("等", " and others"));
        }
        text
    }

    /// 记录: every record and form the steps keep, with the step that keeps it.
    pub(super) fn records(&self) -> Vec<Block> {
        let Some((_, p)) = self.procedure else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        for step in &p.steps {
            for f in &step.forms {
                rows.push(vec![
                    self.forms(std::slice::from_ref(f)),
                    self.l(&step.named.label),
                ]);
            }
            for r in &step.records {
                rows.push(vec![self.l(r), self.l(&step.named.label)]);
            }
        }
        if rows.is_empty() {
            return Vec::new();
        }
        vec![
            self.heading(2, "记录与表单", "Records and forms"),
            Block::Table {
                header: vec![
                    self.say("记录或表单", "Record or form"),
                    self.say("步骤", "Step"),
                ],
                rows,
            },
        ]
    }

    /// The RACI matrix: R the owners; A one role per step, accountable for its result: the
    /// direct superior of a sole owner, else the nearest role every owner is or reports to.
    pub(super) fn raci(&self, p: &Procedure, owners: &Owners) -> Vec<Block> {
        let policy = self.policy;
        let steps: Vec<(Vec<usize>, Option<usize>)> = (0..p.steps.len())
            .map(|s| {
                let own = owners.of(s);
                let a = accountable(policy, &own);
                (own, a)
            })
            .collect();
        let mut involved: Vec<usize> = (steps.iter())
            .flat_map(|(own, a)| own.iter().copied().chain(*a))
            .collect();
        involved.sort_unstable();
        involved.dedup();
        if involved.is_empty() {
            return Vec::new();
        }
        let mut header = vec![self.say("步骤", "Step")];
        header.extend(involved.iter().map(|&r| self.role(r)));
        let rows = (steps.iter().enumerate())
            .map(|(s, (own, a))| {
                let mut row = vec![self.l(&p.steps[s].named.label)];
                for &r in &involved {
                    let responsible = own.contains(&r);
                    let accountable = *a == Some(r);
                    row.push(match (responsible, accountable) {
                        (true, true) => "R/A".into(),
                        (true, false) => "R".into(),
                        (false, true) => "A".into(),
                        (false, false) => String::new(),
                    });
                }
                row
            })
            .collect();
        vec![
            self.heading(3, "职责分配矩阵（RACI）", "Responsibility matrix (RACI)"),
            Block::Paragraph(self.say(
                "R：执行；A：问责，每个步骤一个（只有一个执行职位时为其直接上级，有多个时为各执行职位共同的最近上级）。",
                "R: responsible (does the step); A: accountable, one per step (the direct superior of a sole performer; with several, the nearest role all of them are or report to).",
            )),
            Block::Table { header, rows },
        ]
    }
}

/// The role accountable for a step that `own` perform: a sole performer's direct superior (or
/// itself, when it reports to no one); with several, the nearest role on every performer's
/// `reports_to` chain, a performer counting as on its own chain.
fn accountable(policy: &Policy, own: &[usize]) -> Option<usize> {
    let chain = |r: usize| {
        // `reports_to` cannot loop in a compiled policy; the bound keeps this finite anyway.
        std::iter::successors(Some(r), |&x| policy.roles[x].reports_to).take(policy.roles.len())
    };
    match own {
        [] => None,
        [one] => Some(policy.roles[*one].reports_to.unwrap_or(*one)),
        [first, rest @ ..] => {
            chain(*first).find(|&c| rest.iter().all(|&o| chain(o).any(|x| x == c)))
        }
    }
}

/// `text` with its first letter in lower case, to run on in a sentence ("if the customer is
/// …"), unless the second is upper case too (an abbreviation such as "VIP").
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => a
            .to_lowercase()
            .chain(text[a.len_utf8()..].chars())
            .collect(),
        _ => text.to_string(),
    }
}
