//! The words an audit report shows for what the figures name by identifier: categories,
//! roles, channels, targets (`review.resolve`: the stage's and the target's), escalation
//! ladders and procedure problems, from the policy's labels in the report's language. The
//! JSON report keeps the identifiers: they are its contract.

use crate::check::Policy;
use crate::render::{Lang, target_label, target_name};

/// The policy's words, in one language.
pub(super) struct Names<'p> {
    pub(super) policy: &'p Policy,
    pub(super) lang: Lang,
}

impl Names<'_> {
    /// A group of an attainment table: a category, role or channel by its label; a month as
    /// it is.
    pub(super) fn group(&self, dimension: &str, id: &str) -> String {
        let p = self.policy;
        let named = match dimension {
            "by_category" => p.categories.iter().find(|n| n.name == id),
            "by_role" => p.roles.iter().map(|r| &r.named).find(|n| n.name == id),
            "by_channel" => p.channels.iter().map(|c| &c.named).find(|n| n.name == id),
            _ => None,
        };
        named.map_or_else(|| id.to_string(), |n| self.lang.pick(&n.label).to_string())
    }

    /// A target, `stage.target` for a stage's.
    pub(super) fn target(&self, key: &str) -> String {
        match key.split_once('.') {
            Some((stage, target)) => {
                let found = self.policy.stages.iter().find(|s| s.named.name == stage);
                let target = (found.and_then(|s| s.targets.iter().find(|t| t.name == target)))
                    .map_or_else(|| target.to_string(), |t| target_label(t, self.lang));
                let stage = found.map_or(stage, |s| self.lang.pick(&s.named.label));
                match self.lang {
                    Lang::Zh => format!("{stage}·{target}"),
                    Lang::En => format!("{stage}: {target}"),
                }
            }
            None => target_name(self.policy, key, self.lang),
        }
    }

    /// A fired escalation, `LADDER at TRIGGER` in the facts: the ladder's label and the
    /// trigger in words.
    pub(super) fn escalation(&self, fired: &str) -> String {
        let (ladder, trigger) = fired.split_once(" at ").unwrap_or((fired, ""));
        let label = (self.policy.escalations.iter())
            .find(|e| e.named.name == ladder)
            .map_or(ladder, |e| self.lang.pick(&e.named.label));
        if trigger.is_empty() {
            return label.to_string();
        }
        match self.lang {
            Lang::En => format!("{label} at {trigger}"),
            Lang::Zh => format!("{label}（{}）", trigger_zh(trigger)),
        }
    }

    /// A procedure problem's kind in words.
    pub(super) fn problem(&self, kind: &str) -> String {
        let words = match kind {
            "callback_wrong_channel" => ("回访渠道与规定不符", "Callback through another channel"),
            "extension_without_reason" => ("延期未说明理由", "Extension without a reason"),
            "extension_beyond_max" => ("延期超过上限", "Extensions beyond the maximum"),
            "separation_of_duties" => ("同一人经办须分离的环节", "Separation of duties broken"),
            "stage_order" => ("环节顺序颠倒", "Stages out of order"),
            "fallback_route" => ("依赖兜底分派", "Routed only by the fallback"),
            "unrouted" => ("无规则分派", "No rule routes the case"),
            "unroutable" => ("缺少分派所需信息", "Missing what routing needs"),
            "handled_while_incomplete" => ("材料不全即处理", "Handled while incomplete"),
            _ => return kind.to_string(),
        };
        self.lang.say(words.0, words.1).to_string()
    }
}

/// An escalation trigger in Chinese: `50%` → 时限用去50%时, `breach` → 期限届满时, `breach + 1
/// working day` → 超时后1个工作日.
fn trigger_zh(trigger: &str) -> String {
    if let Some(p) = trigger.strip_suffix('%') {
        return format!("时限用去{p}%时");
    }
    match trigger.strip_prefix("breach") {
        Some("") => "期限届满时".to_string(),
        Some(after) => {
            let after = after.trim_start_matches([' ', '+']).trim();
            let (n, unit) = after.split_once(' ').unwrap_or((after, ""));
            let unit = match unit.trim_end_matches('s') {
                "working day" => "个工作日",
                "working hour" => "个工作小时",
                "working minute" => "个工作分钟",
                "day" => "天",
                "hour" => "小时",
                "minute" => "分钟",
                other => other,
            };
            format!("超时后{n}{unit}")
        }
        None => trigger.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::trigger_zh;

    #[test]
    fn triggers_in_chinese() {
        assert_eq!(trigger_zh("50%"), "时限用去50%时");
        assert_eq!(trigger_zh("breach"), "期限届满时");
        assert_eq!(trigger_zh("breach + 1 working day"), "超时后1个工作日");
        assert_eq!(trigger_zh("breach + 2 working days"), "超时后2个工作日");
        assert_eq!(trigger_zh("breach + 4 hours"), "超时后4小时");
    }
}
