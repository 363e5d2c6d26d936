//! 术语和定义: the categories and severities, each with what it means where the policy says.

use super::super::Block;
use super::Pr;

impl Pr<'_> {
    /// The categories, then the severities from the lowest, with their definitions; the
    /// definition column only when some entry has one.
    pub(super) fn definitions(&self) -> Vec<Block> {
        let policy = self.policy;
        let defs = &policy.definitions;
        let mut blocks = vec![self.heading(2, "术语和定义", "Terms and definitions")];
        let categories: Vec<(String, Option<String>)> = (policy.categories.iter())
            .enumerate()
            .map(|(i, c)| {
                let means = defs.categories.get(i).cloned().flatten();
                (self.l(&c.label), means.map(|m| self.l(&m)))
            })
            .collect();
        blocks.extend(self.terms(
            self.say("投诉类别", "Complaint categories"),
            self.say("类别", "Category"),
            categories,
        ));
        let severities: Vec<(String, Option<String>)> = (policy.severities.iter())
            .enumerate()
            .map(|(i, s)| {
                let means = defs.severities.get(i).cloned().flatten();
                (self.l(&s.label), means.map(|m| self.l(&m)))
            })
            .collect();
        let mut severities = self.terms(
            self.say("严重程度", "Severities"),
            self.say("严重程度", "Severity"),
            severities,
        );
        if !severities.is_empty() {
            let note = self.say("由低到高排列。", "From the lowest to the highest.");
            severities.insert(1, Block::Paragraph(note));
        }
        blocks.extend(severities);
        if blocks.len() == 1 {
            return Vec::new();
        }
        blocks
    }

    /// One table of terms, or nothing when there are none.
    fn terms(
        &self,
        title: String,
        column: String,
        terms: Vec<(String, Option<String>)>,
    ) -> Vec<Block> {
        if terms.is_empty() {
            return Vec::new();
        }
        let defined = terms.iter().any(|(_, m)| m.is_some());
        let rows = (terms.into_iter())
            .map(|(name, means)| {
                if defined {
                    vec![name, means.unwrap_or_else(|| "—".into())]
                } else {
                    vec![name]
                }
            })
            .collect();
        let mut header = vec![column];
        if defined {
            header.push(self.say("定义", "Definition"));
        }
        vec![Block::Heading(3, title), Block::Table { header, rows }]
    }
}
