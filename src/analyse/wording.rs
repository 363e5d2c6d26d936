//! Vague wording in position descriptions and procedures, from a list of phrases each with a
//! concrete suggestion. The built-in list can be extended or replaced per policy (`lint.toml`).
//! Phrases match case-insensitively; one that starts or ends with a letter matches whole words
//! only there (`timely`, not `untimely`), and Chinese phrases match anywhere.

use super::Settings;
use crate::check::Policy;
use crate::diagnostic::{Diagnostic, Kind};
use crate::source::Span;
use crate::vocabulary::Label;

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
    (
        "及时",
        "state the time limit, e.g. \"2个工作日内反馈结果\", or point to the policy's: \"在规定时限内\"",
    ),
    (
        "尽快",
        "state the time limit, e.g. \"接到投诉后2个工作小时内\", or point to the policy's: \"在规定时限内\"",
    ),
    (
        "尽早",
        "state the time limit, e.g. \"接到投诉后2个工作小时内\", or point to the policy's: \"在规定时限内\"",
    ),
    (
        "第一时间",
        "state the time limit, e.g. \"接到投诉后30分钟内\"",
    ),
    (
        "适时",
        "state when, e.g. \"每周一\" or \"升级后1个工作日内\"",
    ),
    ("一定时间内", "state the time limit, e.g. \"3个工作日内\""),
    ("合理时间", "state the time limit, e.g. \"3个工作日内\""),
    (
        "酌情",
        "state the rule that decides, e.g. \"金额超过500元时\"",
    ),
    (
        "适当",
        "state the amount or the rule, e.g. \"按订单金额的10%补偿\"",
    ),
    (
        "timely",
        "state the time limit, e.g. \"within 2 working hours\", or point to the policy's: \"within the time limits\"",
    ),
    (
        "promptly",
        "state the time limit, e.g. \"within 2 working hours\", or point to the policy's: \"within the time limits\"",
    ),
    (
        "as soon as possible",
        "state the time limit, e.g. \"within 2 working hours\", or point to the policy's: \"within the time limits\"",
    ),
    (
        "asap",
        "state the time limit, e.g. \"within 2 working hours\", or point to the policy's: \"within the time limits\"",
    ),
    (
        "in due course",
        "state when, e.g. \"within 5 working days\"",
    ),
    (
        "without delay",
        "state the time limit, e.g. \"within 30 minutes\"",
    ),
];

/// Longer phrases that contain a vague one but say something checkable: an on-time rate
/// (及时率) is a measure, and suitability (适当性) a defined duty in finance.
const NOT_VAGUE: &[(&str, &[&str])] = &[("及时", &["及时率"]), ("适当", &["适当性"])];

/// Whether `c` is part of a word: a letter or digit of an alphabetic script, not a CJK
/// character (Chinese has no word boundaries to respect).
fn word_char(c: char) -> bool {
    c == '_' || (c.is_alphanumeric() && (c as u32) < 0x2E80)
}

/// Where `phrase` occurs in `text` (both lower-cased): not inside a longer word at an edge
/// where the phrase starts or ends with a letter or digit, and not inside one of the phrase's
/// [`NOT_VAGUE`] exceptions.
fn occurrences(text: &str, phrase: &str) -> Vec<(usize, usize)> {
    let exceptions: Vec<(usize, usize)> = NOT_VAGUE
        .iter()
        .filter(|(p, _)| *p == phrase)
        .flat_map(|(_, longer)| longer.iter())
        .flat_map(|longer| text.match_indices(longer).map(|(i, l)| (i, i + l.len())))
        .collect();
    let starts_word = phrase.chars().next().is_some_and(word_char);
    let ends_word = phrase.chars().next_back().is_some_and(word_char);
    text.match_indices(phrase)
        .map(|(i, p)| (i, i + p.len()))
        .filter(|&(start, end)| {
            let before = text[..start].chars().next_back().is_some_and(word_char);
            let after = text[end..].chars().next().is_some_and(word_char);
            let inside_word = (starts_word && before) || (ends_word && after);
            !inside_word
        })
        .filter(|&(start, end)| !exceptions.iter().any(|&(s, e)| s <= start && end <= e))
        .collect()
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
            let found: Vec<Vec<(usize, usize)>> = phrases
                .iter()
                .map(|(phrase, _)| occurrences(&lower, phrase))
                .collect();
            // A phrase inside a longer one found at the same place (`timely` in `in a timely
            // manner`) is reported once, as the longer.
            let inside_longer = |at: &(usize, usize)| {
                found
                    .iter()
                    .flatten()
                    .any(|other| other != at && other.0 <= at.0 && at.1 <= other.1)
            };
            for ((phrase, suggestion), places) in phrases.iter().zip(&found) {
                let stands_alone = places.iter().any(|at| !inside_longer(at));
                if stands_alone && !seen.contains(&phrase.as_str()) {
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
            // The catch-all duty is other work by definition (完成上级交办的其他工作), and the
            // seeds measure it by the superior's satisfaction: neither is vague here.
            if duty.other {
                continue;
            }
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
