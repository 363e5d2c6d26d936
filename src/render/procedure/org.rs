//! The org chart document.

use crate::check::Policy;

use super::super::control::Control;
use super::super::{Block, Chart, Document, Lang};

/// The org chart: every role under its superior, and the roles per department.
pub fn org_chart(policy: &Policy, lang: Lang) -> Document {
    let l = |label| lang.pick(label).to_string();
    let nodes: Vec<String> = policy.roles.iter().map(|r| l(&r.named.label)).collect();
    let edges: Vec<(usize, usize)> = policy
        .roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.reports_to.map(|s| (s, i)))
        .collect();
    let mut blocks = vec![Block::Chart(Chart { nodes, edges })];
    blocks.push(Block::Heading(
        2,
        lang.say("部门与职位", "Departments and positions")
            .to_string(),
    ));
    let mut rows = Vec::new();
    for (d, dept) in policy.departments.iter().enumerate() {
        for r in policy.roles.iter().filter(|r| r.department == Some(d)) {
            rows.push(vec![
                l(&dept.label),
                l(&r.named.label),
                r.reports_to
                    .map_or_else(|| "—".into(), |s| l(&policy.roles[s].named.label)),
                r.headcount.map_or_else(|| "—".into(), |n| n.to_string()),
            ]);
        }
    }
    for r in policy.roles.iter().filter(|r| r.department.is_none()) {
        rows.push(vec![
            "—".into(),
            l(&r.named.label),
            r.reports_to
                .map_or_else(|| "—".into(), |s| l(&policy.roles[s].named.label)),
            r.headcount.map_or_else(|| "—".into(), |n| n.to_string()),
        ]);
    }
    blocks.push(Block::Table {
        header: vec![
            lang.say("部门", "Department").into(),
            lang.say("职位", "Position").into(),
            lang.say("直接上级", "Reports to").into(),
            lang.say("编制", "Headcount").into(),
        ],
        rows,
    });
    // The chart is the organisation's, when the policy names it; the procedure's otherwise.
    let control = Control::new(policy, None, lang);
    let whose = control
        .organisation
        .clone()
        .unwrap_or_else(|| l(&policy.label));
    let title = match lang {
        Lang::Zh => format!("组织架构图：{whose}"),
        Lang::En => format!("Organisation chart: {whose}"),
    };
    let mut document = Document {
        title,
        lang,
        blocks,
        // Issued and signed like the other documents: a running header, the control table,
        // the revision record and the sign-off block.
        control: Some(control),
        fields: serde_json::Value::Null,
    };
    super::super::typography::apostrophes(&mut document);
    document
}
