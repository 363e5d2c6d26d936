//! Documents with a gap they would print as （待补充） (L0019): a role whose purpose or
//! qualifications are not given, and a yes-or-no attribute the procedure's terms cannot
//! define because the policy does not say what it `means`.

use crate::check::{Policy, Role};
use crate::diagnostic::{Diagnostic, Kind};
use crate::vocabulary::AttrType;

/// The requirement kinds that make up 任职资格.
const QUALIFICATIONS: [&str; 5] = ["education", "major", "experience", "trait", "other"];

/// A role without a purpose or without qualifications, as an info: a policy may describe
/// some roles only as far as routing and escalation need (a superior, an escalation target).
/// A policy whose position descriptions are filed sets `L0019 = "warn"` or `"deny"` in its
/// lint.toml to hold every role to a full description.
pub(crate) fn unfinished(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for role in &policy.roles {
        let missing = missing(role);
        if missing.is_empty() {
            continue;
        }
        let message = format!(
            "the position description of role `{}` has no {}",
            role.named.name,
            missing.join(" and no ")
        );
        let d = Diagnostic::info(Kind::LintUnfinished, role.named.span, message);
        out.push(d.with_help(
            "add `purpose \"…\"` and `requires education|major|experience|trait …`: the documents print （待补充） until then",
        ));
    }
    // A yes-or-no attribute is someone's judgement (重大投诉, 会员): the procedure defines it.
    for attribute in
        (policy.attributes.iter()).filter(|a| a.ty == AttrType::Bool && a.means.is_none())
    {
        let message = format!(
            "attribute `{}` is a yes-or-no judgement the procedure does not define",
            attribute.named.name
        );
        let d = Diagnostic::info(Kind::LintUnfinished, attribute.named.span, message);
        out.push(d.with_help(
            "add `means \"…\"` inside its braces (e.g. `{ type bool  means \"…\" }`): the procedure's terms print （待补充） until then",
        ));
    }
}

fn missing(role: &Role) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if role.purpose.is_none() {
        missing.push("purpose");
    }
    let qualified = (role.requirements.iter()).any(|r| QUALIFICATIONS.contains(&r.kind.as_str()));
    if !qualified {
        missing.push("qualifications");
    }
    missing
}
