//! 基本信息 and 组织关系图: the compact grid of the role's particulars, and the small chart of
//! the positions around it.

use crate::check::Recipient;

use super::super::{Block, Chart, Lang};
use super::{Pd, Section};

impl Pd<'_> {
    /// 基本信息: the particulars the policy gives, two to a row (item, details, item,
    /// details), as the seeds lay them out.
    pub(super) fn basic_information(&self) -> Option<Section> {
        let pairs: Vec<(String, String)> = self
            .particulars()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        let rows = pairs
            .chunks(2)
            .map(|pair| {
                let mut row = Vec::new();
                for (k, v) in pair {
                    row.push(k.clone());
                    row.push(v.clone());
                }
                row.resize(4, String::new());
                row
            })
            .collect();
        let item = self.say("项目", "Item");
        let details = self.say("内容", "Details");
        let header = vec![item.clone(), details.clone(), item, details];
        self.section(
            "基本信息",
            "Basic information",
            vec![Block::Table { header, rows }],
        )
    }

    /// Every field of the grid, `None` where the policy says nothing.
    fn particulars(&self) -> Vec<(String, Option<String>)> {
        let (role, lang) = (self.role, self.lang);
        let label = |x: &Option<crate::vocabulary::Label>| x.as_ref().map(|x| self.l(x));
        let names = |list: Vec<usize>| {
            (!list.is_empty())
                .then(|| self.join(list.into_iter().map(|i| self.role_name(i)).collect()))
        };
        let path = |list: Vec<String>| (!list.is_empty()).then(|| list.join(" → "));
        vec![
            (
                self.say("职位名称", "Title"),
                Some(self.l(&role.named.label)),
            ),
            (self.say("职位编号", "Code"), role.code.clone()),
            (
                self.say("所属部门", "Department"),
                (role.department).map(|d| self.l(&self.policy.departments[d].label)),
            ),
            (
                self.say("直接上级", "Reports to"),
                role.reports_to.map(|i| self.role_name(i)),
            ),
            (
                self.say("直接下级", "Direct subordinates"),
                names(self.subordinates()),
            ),
            (
                self.say("相关职位", "Related positions"),
                names(role.related.clone()),
            ),
            (
                self.say("编制人数", "Headcount"),
                role.headcount.map(|n| match lang {
                    Lang::Zh => format!("{n}人"),
                    Lang::En => n.to_string(),
                }),
            ),
            (self.say("职位等级", "Grade"), role.grade.clone()),
            (self.say("薪酬等级", "Pay grade"), label(&role.pay_grade)),
            (
                self.say("办公等级", "Office grade"),
                label(&role.office_grade),
            ),
            (self.say("工作地点", "Location"), label(&role.location)),
            (self.say("工作时间", "Working hours"), label(&role.hours)),
            (
                self.say("工作代理岗位", "Deputy"),
                role.deputy.map(|i| self.role_name(i)),
            ),
            (
                self.say("可轮岗岗位", "Rotation"),
                names(role.rotates_with.clone()),
            ),
            (
                self.say("晋升路径", "Promotion path"),
                path(role.promotes_to.iter().map(|p| self.position(p)).collect()),
            ),
            (
                self.say("可晋升至本职位", "Promoted from"),
                names(self.promoted_from()),
            ),
        ]
    }

    /// The roles whose promotion path leads to this one.
    fn promoted_from(&self) -> Vec<usize> {
        (self.policy.roles.iter().enumerate())
            .filter(|(_, r)| {
                (r.promotes_to.iter()).any(|p| matches!(p, Recipient::Role(i) if *i == self.index))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// 组织关系图: the direct superior above, this role, its subordinates below. The deputy
    /// is not drawn (a line to it would read as reporting; the basic information names it).
    /// Left out when the role stands alone.
    pub(super) fn org_chart(&self) -> Option<Section> {
        let role = self.role;
        let subordinates = self.subordinates();
        if role.reports_to.is_none() && subordinates.is_empty() {
            return None;
        }
        let me = match self.lang {
            Lang::Zh => format!("{}（本职位）", self.role_name(self.index)),
            Lang::En => format!("{} (this position)", self.role_name(self.index)),
        };
        let mut chart = Chart {
            nodes: vec![me],
            edges: Vec::new(),
        };
        if let Some(superior) = role.reports_to {
            chart.nodes.push(self.role_name(superior));
            chart.edges.push((chart.nodes.len() - 1, 0));
        }
        for s in subordinates {
            chart.nodes.push(self.role_name(s));
            chart.edges.push((0, chart.nodes.len() - 1));
        }
        self.section(
            "组织关系图",
            "Organisation chart",
            vec![Block::Chart(chart)],
        )
    }
}
