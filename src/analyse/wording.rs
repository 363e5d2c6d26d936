//! Vague wording in position descriptions and procedures, from a list of phrases each with a
//! concrete suggestion. The built-in list can be extended or replaced per policy (`lint.toml`).

use serde::Deserialize;

use crate::check::Policy;
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::Span;
use crate::syntax::ast::Label;

/// Phrases that say nothing checkable, and what to write instead.
const BUILTIN: &[(&str, &str)] = &[
    (
        "处理问题",
        "name the matter and the result, e.g. \"2个工作日内答复客户投诉\"",
    ),
    (
        "相关工作",
        "name the work, e.g. \"每周一10:00前提交投诉周报\"",
    ),
    (
        "其他工作",
        "list recurring work as duties; keep occasional work as an ad hoc duty with its own measure",
    ),
    (
        "交办的其他",
        "list recurring work as duties; keep occasional work as an ad hoc duty with its own measure",
    ),
    (
        "handle issues",
        "say which matters and the result, e.g. \"answer price enquiries within 8 working hours\"",
    ),
    (
        "other duties as assigned",
        "list recurring work as duties; keep occasional work as an ad hoc duty with its own measure",
    ),
    (
        "as needed",
        "state the trigger or the frequency, e.g. \"when a complaint is escalated\" or \"weekly\"",
    ),
    (
        "as appropriate",
        "state the rule that decides, e.g. \"when the amount exceeds 500 CNY\"",
    ),
    (
        "in a timely manner",
        "state the time limit, e.g. \"within 2 working hours\"",
    ),
    ("various tasks", "name the tasks"),
];

/// Lint settings read from `lint.toml` beside a policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Whether the built-in list of vague phrases applies (default true).
    #[serde(default = "yes")]
    pub builtin_vague_wording: bool,
    /// More vague phrases, each with the suggestion to show.
    #[serde(default)]
    pub vague_wording: std::collections::BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            builtin_vague_wording: true,
            vague_wording: Default::default(),
        }
    }
}

impl Settings {
    /// The phrases to look for, lower-cased, with their suggestions; the policy's own entries
    /// win over built-in ones.
    fn phrases(&self) -> Vec<(String, &str)> {
        let mut list: Vec<(String, &str)> = self
            .vague_wording
            .iter()
            .map(|(p, s)| (p.to_lowercase(), s.as_str()))
            .collect();
        if self.builtin_vague_wording {
            for (p, s) in BUILTIN {
                if !list.iter().any(|(q, _)| q == p) {
                    list.push((p.to_string(), s));
                }
            }
        }
        list.retain(|(p, _)| !p.is_empty());
        list
    }
}

/// Every text of the roles and procedures that contains a vague phrase.
pub(crate) fn vague(policy: &Policy, settings: &Settings, out: &mut Vec<Diagnostic>) {
    let phrases = settings.phrases();
    if phrases.is_empty() {
        return;
    }
    let mut check = |label: &Label, what: String, span: Span| {
        let forms = [Some(&label.text), label.zh.as_ref(), label.en.as_ref()];
        let mut seen: Vec<&str> = Vec::new();
        for text in forms.into_iter().flatten() {
            let lower = text.to_lowercase();
            for (phrase, suggestion) in &phrases {
                if lower.contains(phrase.as_str()) && !seen.contains(&phrase.as_str()) {
                    seen.push(phrase);
                    out.push(
                        Diagnostic::warning(
                            Kind::LintVague,
                            span,
                            format!("{what} says \"{text}\": `{phrase}` is vague"),
                        )
                        .with_help(suggestion.to_string()),
                    );
                }
            }
        }
    };
    for role in &policy.roles {
        let name = &role.named.name;
        let at = role.named.span;
        if let Some(purpose) = &role.purpose {
            check(purpose, format!("the purpose of role `{name}`"), at);
        }
        for duty in &role.duties {
            let d = format!("duty `{}` of role `{name}`", duty.named.name);
            check(&duty.named.label, d.clone(), duty.named.span);
            if let Some(m) = &duty.measure {
                check(m, format!("the measure of {d}"), duty.named.span);
            }
            if let Some(r) = &duty.result {
                check(r, format!("the key result of {d}"), duty.named.span);
            }
            for p in &duty.process {
                check(p, format!("the key process of {d}"), duty.named.span);
            }
        }
        for o in &role.obligations {
            check(o, format!("an obligation of role `{name}`"), at);
        }
        for (_, r) in &role.relations {
            check(r, format!("a working relation of role `{name}`"), at);
        }
    }
    for procedure in &policy.procedures {
        let name = &procedure.named.name;
        if let Some(purpose) = &procedure.purpose {
            check(
                purpose,
                format!("the purpose of procedure `{name}`"),
                procedure.named.span,
            );
        }
        for step in &procedure.steps {
            check(
                &step.named.label,
                format!("step `{}` of procedure `{name}`", step.named.name),
                step.named.span,
            );
        }
    }
}
