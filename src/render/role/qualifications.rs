//! 任职资格 and the sections the seeds keep beside it: 技能 (基本技能, 特殊技能), 专业知识,
//! 业务培训 and 入职需有资料.

use crate::check::Requirement;

use super::super::{Block, Lang};
use super::{Pd, Section};

/// The requirement kinds of the 任职资格 table, in the order shown.
const QUALIFICATIONS: [&str; 5] = ["education", "major", "experience", "trait", "other"];

impl<'a> Pd<'a> {
    fn requirements(&self, kind: &str) -> impl Iterator<Item = &'a Requirement> + use<'a, '_> {
        let kind = kind.to_string();
        self.role
            .requirements
            .iter()
            .filter(move |r| r.kind == kind)
    }

    /// 任职资格: education, field of study, experience, traits and other requirements.
    pub(super) fn qualifications(&self) -> Option<Section> {
        let rows: Vec<Vec<String>> = QUALIFICATIONS
            .iter()
            .flat_map(|kind| self.requirements(kind).map(|r| self.requirement_row(r)))
            .collect();
        let block = if rows.is_empty() {
            self.to_be_completed()
        } else {
            Block::Table {
                header: vec![self.say("类别", "Kind"), self.say("要求", "Requirement")],
                rows,
            }
        };
        self.section("任职资格", "Qualifications", vec![block])
    }

    fn requirement_row(&self, r: &'a Requirement) -> Vec<String> {
        let lang = self.lang;
        let kind = match r.kind.as_str() {
            "education" => self.say("学历", "Education"),
            "major" => self.say("专业", "Field of study"),
            "experience" => self.say("工作经验", "Experience"),
            "trait" => self.say("个性特征", "Personal traits"),
            _ => self.say("其他要求", "Other requirements"),
        };
        let mut text = r.text.as_ref().map(|t| self.l(t)).unwrap_or_default();
        if let Some(years) = r.years {
            let y = match lang {
                Lang::Zh => format!("{years}年以上"),
                Lang::En => format!("{years}+ years"),
            };
            text = if text.is_empty() {
                y
            } else {
                format!("{y}{}{text}", lang.say("", ": "))
            };
        }
        vec![kind, text]
    }

    /// 技能: the basic skills, then the special ones.
    pub(super) fn skills(&self) -> Option<Section> {
        let mut rows = Vec::new();
        for (kind, zh, en) in [
            ("skill", "基本技能", "Basic skills"),
            ("special_skill", "特殊技能", "Special skills"),
        ] {
            for r in self.requirements(kind) {
                let text = r.text.as_ref().map(|t| self.l(t)).unwrap_or_default();
                rows.push(vec![self.say(zh, en), text]);
            }
        }
        if rows.is_empty() {
            return None;
        }
        let header = vec![self.say("类别", "Kind"), self.say("要求", "Requirement")];
        self.section("技能要求", "Skills", vec![Block::Table { header, rows }])
    }

    /// 专业知识
    pub(super) fn knowledge(&self) -> Option<Section> {
        let items = self.texts("knowledge");
        self.list_section("专业知识", "Professional knowledge", items)
    }

    /// 业务培训
    pub(super) fn training(&self) -> Option<Section> {
        let items = self.role.training.iter().map(|t| self.l(t)).collect();
        self.list_section("业务培训", "Training", items)
    }

    /// 入职需有资料: the papers a new holder brings.
    pub(super) fn papers(&self) -> Option<Section> {
        let items = self.texts("papers");
        self.list_section("入职需有资料", "Papers required on joining", items)
    }

    fn texts(&self, kind: &str) -> Vec<String> {
        self.requirements(kind)
            .filter_map(|r| r.text.as_ref().map(|t| self.l(t)))
            .collect()
    }
}
